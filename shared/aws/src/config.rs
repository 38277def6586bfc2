//! The SDK configuration, read once at start.
//!
//! - Region: `AWS_REGION` (or the profile), else `eu-west-3` (Paris).
//! - Credentials: the SDK's default chain (the Lambda role's environment
//!   variables in AWS; environment or `~/.aws` profile locally).
//! - Endpoint: `AWS_ENDPOINT_URL` (and the per-service
//!   `AWS_ENDPOINT_URL_<SERVICE>`) are honoured by `aws-config` itself;
//!   set them to use an emulator such as moto.
//! - HTTPS: rustls on *ring* (the SDK's default client would build aws-lc).
//!
//! S3 addressing: virtual-hosted style against AWS, path style
//! (`http://host/bucket/key`) whenever an endpoint override is set, since
//! emulators (moto, MinIO) answer on one host name only. See [`s3_client`].

use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// The region used when none is configured.
pub const DEFAULT_REGION: &str = "eu-west-3";

/// The HTTP client every SDK client uses.
pub fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The configuration loader with Marelle's HTTP client; tests add an
/// endpoint, a region and credentials before `load()`.
pub fn loader() -> ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest()).http_client(https_client())
}

/// The SDK configuration from the environment, in [`DEFAULT_REGION`] when
/// none is configured.
pub async fn sdk_config() -> SdkConfig {
    with_default_region(loader().load().await)
}

fn with_default_region(config: SdkConfig) -> SdkConfig {
    if config.region().is_some() {
        return config;
    }
    config
        .into_builder()
        .region(Region::new(DEFAULT_REGION))
        .build()
}

/// An S3 client for `config`: path-style addressing when the endpoint is
/// overridden (an emulator), virtual-hosted style otherwise.
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let s3_config = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(config.endpoint_url().is_some())
        .build();
    aws_sdk_s3::Client::from_conf(s3_config)
}
