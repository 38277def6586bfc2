//! Lambda `agent`: the back-office routes (role `agent`), behind API
//! Gateway.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    marelle_lambda::run_http(marelle_api::functions::agent()).await
}
