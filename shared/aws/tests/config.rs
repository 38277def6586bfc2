//! `sdk_config()` reads the environment as a Lambda (or `make run` against
//! an emulator) sets it. The environment is the process's, so the check
//! runs a helper binary with its own variables.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::process::Command;

#[test]
fn the_sdk_config_takes_the_endpoint_from_the_environment_and_defaults_to_paris() {
    let out = Command::new(env!("CARGO_BIN_EXE_config-probe"))
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "endpoint=http://127.0.0.1:4566 region=eu-west-3"
    );
}
