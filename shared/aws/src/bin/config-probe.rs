//! Test helper for `tests/config.rs`: prints the endpoint and region that
//! `sdk_config()` reads from this process's environment.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = marelle_aws::sdk_config().await;
    println!(
        "endpoint={} region={}",
        config.endpoint_url().unwrap_or("-"),
        config.region().map_or("-", |r| r.as_ref())
    );
}
