//! Marelle's AWS adapters: the store on DynamoDB, documents on S3, e-mail
//! through SES, events on EventBridge. They implement the ports of
//! `marelle_domain::ports` and pass the same conformance suites as the
//! embedded adapters (here against moto).
//!
//! A Lambda builds its clients once at start:
//!
//! ```no_run
//! # async fn start() {
//! use std::sync::Arc;
//! use marelle_domain::ports::SystemClock;
//! let config = marelle_aws::sdk_config().await;
//! let store = marelle_aws::DynamoStore::new(
//!     aws_sdk_dynamodb::Client::new(&config),
//!     "marelle",
//!     Arc::new(SystemClock),
//! );
//! # }
//! ```

pub mod bus;
pub mod config;
pub mod dynamo;
pub mod mailer;
pub mod s3;

pub use bus::{EventBridgeBus, event_from_eventbridge};
pub use config::{DEFAULT_REGION, https_client, loader, s3_client, sdk_config};
pub use dynamo::{DynamoStore, create_table};
pub use mailer::SesMailer;
pub use s3::S3Blobs;
