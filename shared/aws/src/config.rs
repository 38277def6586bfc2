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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};
    use aws_sdk_s3::presigning::PresigningConfig;

    use super::*;

    fn config(endpoint: Option<&str>) -> SdkConfig {
        let builder = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-3"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "id", "secret", None, None, "test",
            )))
            .http_client(https_client());
        match endpoint {
            Some(e) => builder.endpoint_url(e).build(),
            None => builder.build(),
        }
    }

    async fn download_url(config: &SdkConfig) -> String {
        s3_client(config)
            .get_object()
            .bucket("docs")
            .key("families/F1/a.pdf")
            .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
            .await
            .unwrap()
            .uri()
            .to_string()
    }

    #[tokio::test]
    async fn an_emulator_endpoint_gets_path_style_urls() {
        let url = download_url(&config(Some("http://127.0.0.1:5000"))).await;
        assert!(
            url.starts_with("http://127.0.0.1:5000/docs/families/F1/a.pdf?"),
            "{url}"
        );
    }

    #[tokio::test]
    async fn aws_gets_virtual_hosted_style_urls() {
        let url = download_url(&config(None)).await;
        assert!(
            url.starts_with("https://docs.s3.eu-west-3.amazonaws.com/families/F1/a.pdf?"),
            "{url}"
        );
    }

    #[test]
    fn the_region_defaults_to_paris_and_a_configured_one_stays() {
        let none = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .build();
        assert_eq!(
            with_default_region(none).region().map(|r| r.as_ref()),
            Some("eu-west-3")
        );
        let set = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .build();
        assert_eq!(
            with_default_region(set).region().map(|r| r.as_ref()),
            Some("eu-west-1")
        );
    }
}
