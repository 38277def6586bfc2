//! What the billing tests share: the DynamoDB (and S3) stores on moto, and
//! the macro that runs each scenario once on the embedded store and once
//! on DynamoDB. Each test file uses part of it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code

use std::sync::Arc;

use aws_config::{Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use marelle_domain::ports::{SettableClock, Store};
use marelle_testkit::{TestApp, moto, unique_name};

/// The SDK's configuration for moto.
pub async fn moto_config() -> SdkConfig {
    marelle_aws::loader()
        .endpoint_url(moto::endpoint())
        .region(Region::new("eu-west-3"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

/// A fresh table named after `prefix`, and a maker of its store for
/// `TestApp::with_store*`.
pub async fn dynamo_store(
    config: &SdkConfig,
    prefix: &str,
) -> impl FnOnce(Arc<SettableClock>) -> Arc<dyn Store> + use<> {
    let client = aws_sdk_dynamodb::Client::new(config);
    let table = unique_name(prefix);
    marelle_aws::create_table(&client, &table).await.unwrap();
    move |clock| Arc::new(marelle_aws::DynamoStore::new(client, table, clock)) as Arc<dyn Store>
}

/// The portal on a fresh DynamoDB table (blobs in a folder).
pub async fn dynamo_app(prefix: &str) -> TestApp {
    let config = moto_config().await;
    TestApp::with_store(dynamo_store(&config, prefix).await).await
}

/// The portal on a fresh DynamoDB table and a fresh S3 bucket.
pub async fn dynamo_s3_app(prefix: &str) -> TestApp {
    let config = moto_config().await;
    let store = dynamo_store(&config, prefix).await;
    let s3 = marelle_aws::s3_client(&config);
    let bucket = unique_name(prefix);
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest3)
                .build(),
        )
        .send()
        .await
        .unwrap();
    TestApp::with_store_and_blobs(store, Arc::new(marelle_aws::S3Blobs::new(s3, bucket))).await
}

/// The portal on a fresh DynamoDB table, paying online through the sandbox.
pub async fn dynamo_sandbox_app(prefix: &str) -> TestApp {
    let config = moto_config().await;
    TestApp::with_store_and_sandbox(dynamo_store(&config, prefix).await).await
}

/// Each scenario (an `async fn(TestApp)`) once on the embedded store, once
/// on DynamoDB; the two apps are given, or the plain ones.
macro_rules! on_both_stores {
    (embedded: $embedded:expr, dynamodb: $dynamodb:expr; $($name:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test]
            async fn $name() {
                super::$name($embedded).await
            })*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($dynamodb).await
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        on_both_stores!(
            embedded: marelle_testkit::TestApp::new().await,
            dynamodb: $crate::common::dynamo_app("billing").await;
            $($name),*
        );
    };
}

/// A minimal PDF the documents' checks accept.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// PUTs `bytes` to an upload grant's target (`{url, method, headers}`), as
/// the browser does: through the in-process router for the embedded
/// store's URLs, over HTTP to moto's S3 otherwise. The answer's status.
pub async fn put_upload(app: &TestApp, target: &serde_json::Value, bytes: &[u8]) -> u16 {
    use axum::body::Body;
    use axum::http::{Method, Request};
    assert_eq!(target["method"], "PUT");
    let url = target["url"].as_str().unwrap();
    let headers: Vec<(String, String)> = serde_json::from_value(target["headers"].clone()).unwrap();
    if let Some(path) = url.strip_prefix(marelle_testkit::app::ORIGIN) {
        let mut req = Request::builder().method(Method::PUT).uri(path);
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        app.send(req.body(Body::from(bytes.to_vec())).unwrap())
            .await
            .status
            .as_u16()
    } else {
        let mut req = reqwest::Client::new().put(url).body(bytes.to_vec());
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        req.send().await.unwrap().status().as_u16()
    }
}

/// Sends [`PDF`] for a document type (and child) as `parent`: grant, upload,
/// confirmation. The confirmation's answer (`document_id`, `request_id`).
pub async fn send_pdf(
    app: &TestApp,
    parent: &str,
    type_id: &str,
    child: Option<&str>,
) -> serde_json::Value {
    use axum::http::StatusCode;
    let r = app
        .post(
            "/api/documents",
            serde_json::json!({"type_id": type_id, "child_id": child, "file_name": "piece.pdf",
                   "content_type": "application/pdf", "size": PDF.len()}),
            Some(parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let grant = r.body;
    let status = put_upload(app, &grant["upload"], PDF).await;
    assert!((200..300).contains(&status), "upload: {status}");
    let r = app
        .post(
            "/api/documents/confirm",
            serde_json::json!({"upload_id": grant["upload_id"]}),
            Some(parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

/// The crèche tests' agent and parent (Léa DUPONT).
pub const AGENT: (&str, &str) = ("agent@villebois.test", "Agentmairie1");
pub const PARENT: (&str, &str) = ("lea@exemple.fr", "Motdepasse1");

/// The crèche tests' family: the agent's and the parent's sessions, the
/// DUPONT family's id and its children's ids, in the order given.
pub struct Dupont {
    pub agent: String,
    pub parent: String,
    pub family: String,
    pub children: Vec<String>,
}

/// The agent creates the DUPONT family (Léa, the mother, with `children`;
/// `accepts_email` as given, the default when `None`) and Léa's account
/// subscribes to it.
pub async fn dupont(
    app: &TestApp,
    children: serde_json::Value,
    accepts_email: Option<bool>,
) -> Dupont {
    let agent = app.agent(AGENT.0, AGENT.1).await;
    let parent = app.parent(PARENT.0, PARENT.1).await;
    let mut lea = serde_json::json!({"civility": "Mme", "last_name": "DUPONT", "first_name": "Léa",
                                     "email": PARENT.0, "quality": "mother"});
    if let Some(accepts) = accepts_email {
        lea["accepts_email"] = accepts.into();
    }
    let f = app
        .create_family(
            &agent,
            serde_json::json!({"guardians": [lea], "children": children}),
        )
        .await;
    let r = app
        .subscribe(&parent, f["subscriber_code"].as_str().unwrap())
        .await;
    assert_eq!(r.status, axum::http::StatusCode::CREATED, "{:?}", r.body);
    Dupont {
        agent,
        parent,
        family: f["id"].as_str().unwrap().to_string(),
        children: f["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect(),
    }
}

/// Noé DUPONT, born 2025-06-10, as `dupont` takes him.
pub fn noe() -> serde_json::Value {
    serde_json::json!({"first_name": "Noé", "last_name": "DUPONT", "birth_date": "2025-06-10", "sex": "M"})
}

/// A crèche the agent creates from `body`: its id.
pub async fn creche(app: &TestApp, agent: &str, body: serde_json::Value) -> String {
    let r = app
        .post("/api/agent/creche/structures", body, Some(agent))
        .await;
    assert_eq!(r.status, axum::http::StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}
