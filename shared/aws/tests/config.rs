//! `sdk_config()` reads the environment as a Lambda (or `make run` against
//! an emulator) sets it. The environment is the process's, so the check
//! runs in a child process of this test binary, with its own variables.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::process::Command;

#[test]
fn the_sdk_config_takes_the_endpoint_from_the_environment_and_defaults_to_paris() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_reads_the_environment"])
        .env("MARELLE_CONFIG_CHILD", "1")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
#[ignore = "run by the test above, in a child process with its own environment"]
async fn child_reads_the_environment() {
    assert_eq!(std::env::var("MARELLE_CONFIG_CHILD").as_deref(), Ok("1"));
    let config = marelle_aws::sdk_config().await;
    assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:4566"));
    assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-3"));
}
