//! Fixtures of the conformance suites on the AWS adapters, against the
//! test process's moto server. Every fixture makes its own resources with
//! unique names (moto keeps everything for the life of the process) and
//! builds its own clients, since a client belongs to the runtime of the
//! test that made it.

pub mod presign_gate;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_config::{Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use marelle_aws::{DynamoStore, EventBridgeBus, S3Blobs, SesMailer, create_table};
use marelle_domain::ports::{Event, SettableClock};
use marelle_testkit::blob_suite::BlobFixture;
use marelle_testkit::bus_suite::{BusFixture, Delivered};
use marelle_testkit::mail_suite::{MailFixture, SentMail};
use marelle_testkit::store_suite::StoreFixture;
use marelle_testkit::{moto, t0, unique_name};

/// The dummy secret access key the tests sign with.
const SECRET: &str = "testing";

/// The SDK configuration for moto: its endpoint, dummy credentials, Paris.
pub async fn config() -> SdkConfig {
    config_at(moto::endpoint()).await
}

async fn config_at(endpoint: &str) -> SdkConfig {
    marelle_aws::loader()
        .endpoint_url(endpoint)
        .region(Region::new("eu-west-3"))
        .credentials_provider(Credentials::new("testing", SECRET, None, None, "moto"))
        .load()
        .await
}

pub async fn store() -> StoreFixture {
    let config = config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = unique_name("marelle");
    create_table(&client, &table).await.unwrap();
    let clock = Arc::new(SettableClock::frozen(t0()));
    StoreFixture {
        store: Arc::new(DynamoStore::new(client, table, clock.clone())),
        clock,
        _guard: Box::new(()),
    }
}

/// What moto's SES keeps of the messages sent from one address, read
/// from its internal state (`/moto-api/data.json`, `ses.RawMessage`).
struct MotoSentMail {
    from: String,
}

#[async_trait]
impl SentMail for MotoSentMail {
    async fn sent(&self) -> Vec<Vec<u8>> {
        let url = format!("{}/moto-api/data.json", moto::endpoint());
        let data: serde_json::Value = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        data["ses"]["RawMessage"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|m| m["source"].as_str() == Some(self.from.as_str()))
            .map(|m| m["raw_data"].as_str().unwrap().as_bytes().to_vec())
            .collect()
    }
}

pub async fn mail() -> MailFixture {
    let config = config().await;
    let client = aws_sdk_sesv2::Client::new(&config);
    let address = format!("{}@villebois.fr", unique_name("nepasrepondre"));
    client
        .create_email_identity()
        .email_identity(&address)
        .send()
        .await
        .unwrap();
    MailFixture {
        mailer: Arc::new(SesMailer::new(client)),
        sent: Arc::new(MotoSentMail {
            from: address.clone(),
        }),
        from: format!("Portail Citoyen <{address}>"),
        _guard: Box::new(()),
    }
}

/// S3 on moto behind the [`presign_gate`], which checks presigned URLs as
/// S3 does: the adapter's client (and so its presigned URLs) points at
/// the gate.
pub async fn blobs() -> BlobFixture {
    let gate = presign_gate::start(moto::endpoint(), SECRET).await;
    let config = config_at(&gate.url).await;
    let client = marelle_aws::s3_client(&config);
    let bucket = unique_name("marelle");
    client
        .create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest3)
                .build(),
        )
        .send()
        .await
        .unwrap();
    BlobFixture {
        blobs: Arc::new(S3Blobs::new(client, bucket)),
        _guard: Box::new(gate),
    }
}

/// The events an EventBridge rule put in its SQS queue.
struct QueueDelivered {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    received: Mutex<Vec<Event>>,
}

#[async_trait]
impl Delivered for QueueDelivered {
    async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Event> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .unwrap();
            let messages = out.messages.unwrap_or_default();
            for m in &messages {
                let body: serde_json::Value =
                    serde_json::from_str(m.body().unwrap_or_default()).unwrap();
                let event = marelle_aws::event_from_eventbridge(&body).unwrap();
                self.received.lock().unwrap().push(event);
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .send()
                    .await
                    .unwrap();
            }
            let got = self.received.lock().unwrap().clone();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            if messages.is_empty() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

pub async fn bus() -> BusFixture {
    let config = config().await;
    let events = aws_sdk_eventbridge::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let name = unique_name("marelle");
    events.create_event_bus().name(&name).send().await.unwrap();
    let queue_url = sqs
        .create_queue()
        .queue_name(&name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()
        .remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .unwrap();
    events
        .put_rule()
        .name(&name)
        .event_bus_name(&name)
        .event_pattern(r#"{"source": ["marelle"]}"#)
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule(&name)
        .event_bus_name(&name)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("queue")
                .arn(queue_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    BusFixture {
        bus: Arc::new(EventBridgeBus::new(events, name)),
        delivered: Arc::new(QueueDelivered {
            sqs,
            queue_url,
            received: Mutex::new(Vec::new()),
        }),
        _guard: Box::new(()),
    }
}
