//! What the Lambda tests share: the portal on the AWS adapters against
//! moto (a fresh table, bus and SES identity each), every function's
//! router, and the `events/` samples.

#![allow(dead_code)]

use aws_config::Region;
use aws_sdk_dynamodb::config::Credentials;
use axum::Router;
use http_body_util::BodyExt;
use lambda_http::http::StatusCode;
use marelle_testkit::{moto, unique_name};
use serde_json::Value;

pub const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events");
pub const PUBLIC_URL: &str = "https://famille.villebois.fr";

pub struct Lambda {
    /// The accounts function.
    pub router: Router,
    pub family: Router,
    pub agent: Router,
    pub planning: Router,
    pub documents: Router,
    pub creche: Router,
    pub app: marelle_api::AppState,
    pub from: String,
    pub sdk: aws_config::SdkConfig,
    pub bus: String,
    /// The documents bucket's name (not created: a test that needs it does).
    pub bucket: String,
}

pub async fn lambda() -> Lambda {
    lambda_with_clock(std::sync::Arc::new(marelle_domain::ports::SystemClock)).await
}

/// The functions on a clock the test sets.
pub async fn lambda_with_clock(clock: std::sync::Arc<dyn marelle_domain::ports::Clock>) -> Lambda {
    lambda_with(clock, &[]).await
}

/// The functions on a clock the test sets, with more environment
/// (`MARELLE_SCHOOL_ZONE`…).
pub async fn lambda_with(
    clock: std::sync::Arc<dyn marelle_domain::ports::Clock>,
    more_env: &[(&'static str, &str)],
) -> Lambda {
    let sdk = marelle_aws::loader()
        .endpoint_url(moto::endpoint())
        .region(Region::new("eu-west-3"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await;
    let table = unique_name("marelle");
    marelle_aws::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table)
        .await
        .unwrap();
    // No function here touches documents: no bucket needed.
    let bucket = unique_name("docs").to_lowercase();
    let bus = unique_name("bus");
    aws_sdk_eventbridge::Client::new(&sdk)
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .unwrap();
    let from = format!("{}@villebois.fr", unique_name("nepasrepondre"));
    aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity(&from)
        .send()
        .await
        .unwrap();
    let mut env = vec![
        ("MARELLE_TABLE", table),
        ("MARELLE_BUCKET", bucket.clone()),
        ("MARELLE_EVENT_BUS", bus.clone()),
        ("MARELLE_COMMUNE_NAME", "Mairie de Villebois".into()),
        ("MARELLE_PUBLIC_URL", PUBLIC_URL.into()),
        ("MARELLE_MAIL_FROM", format!("Portail Citoyen <{from}>")),
        (
            "MARELLE_CONTACT_TEXT",
            "Service enfance : 02.02.02.02.02".into(),
        ),
        (
            "MARELLE_SECRET",
            "a test secret of enough length, 0123456789".into(),
        ),
        ("MARELLE_ORIGIN_SECRET", ORIGIN_SECRET.into()),
    ];
    env.extend(more_env.iter().map(|(k, v)| (*k, v.to_string())));
    let config = marelle_lambda::Config::from_lookup(|k| {
        env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let mut app = marelle_lambda::app_with_clock(&config, &sdk, clock);
    // Tests keep the production rules but a cheaper hash and captcha.
    if let Some(app) = std::sync::Arc::get_mut(&mut app) {
        app.hasher = marelle_api::http::passwords::PasswordHasher::new(2, 16, argon2_fast());
        app.settings.captcha = marelle_api::http::state::CaptchaSettings::lowest();
    }
    Lambda {
        router: marelle_api::service(app.clone(), marelle_api::functions::accounts()),
        family: marelle_api::service(app.clone(), marelle_api::functions::family()),
        agent: marelle_api::service(app.clone(), marelle_api::functions::agent()),
        planning: marelle_api::service(app.clone(), marelle_api::functions::planning()),
        documents: marelle_api::service(app.clone(), marelle_api::functions::documents()),
        creche: marelle_api::service(app.clone(), marelle_api::functions::creche()),
        app,
        from,
        sdk,
        bus,
        bucket,
    }
}

pub fn argon2_fast() -> argon2::Params {
    argon2::Params::new(1024, 1, 1, None).unwrap()
}

/// What CloudFront adds to every request it forwards (`x-marelle-origin`),
/// as the samples of `events/` carry it.
pub const ORIGIN_SECRET: &str = "sample-origin-secret-of-the-events-0123";

/// An event of `events/`, its placeholders replaced.
pub fn event_with(name: &str, fill: &[(&str, &str)]) -> Value {
    let mut text = std::fs::read_to_string(format!("{EVENTS}/{name}"))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    for (from, to) in fill {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap()
}

pub fn event(name: &str) -> Value {
    event_with(&format!("accounts/{name}"), &[])
}

pub struct Answer {
    pub status: StatusCode,
    pub set_cookie: Option<String>,
    pub body: Value,
}

pub async fn invoke(l: &Lambda, event: &Value) -> Answer {
    call(&l.router, event).await
}

pub async fn call(router: &Router, event: &Value) -> Answer {
    let req = lambda_http::request::from_str(&event.to_string()).expect("an API Gateway v2 event");
    let origin = marelle_domain::secrets::Secret::new(ORIGIN_SECRET);
    let resp = marelle_lambda::handle(router.clone(), &origin, req).await;
    let status = resp.status();
    let set_cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        set_cookie,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

pub fn with_body(mut e: Value, body: Value) -> Value {
    e["body"] = Value::String(body.to_string());
    e
}
