//! What every Marelle Lambda shares. A function's `main` is:
//!
//! ```text
//! #[tokio::main]
//! async fn main() -> Result<(), lambda_http::Error> {
//!     marelle_lambda::run_http(marelle_api::accounts::router()).await
//! }
//! ```
//!
//! Configuration comes from the environment once, at start; a missing
//! variable stops the function with its name. The AWS clients are built
//! once and shared by every invocation.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Router;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use marelle_api::config::{Config as PortalConfig, ConfigError, Env, Runtime};
use marelle_api::http::extract::ClientIp;
use marelle_api::http::passwords::PasswordHasher;
use marelle_api::http::state::{App, AppState, Keys, Settings};
use marelle_aws::{DynamoStore, EventBridgeBus, S3Blobs, SesMailer};
use marelle_domain::Commune;
use marelle_domain::ports::{Clock, IdGenerator, SystemClock};
use marelle_domain::secrets::Secret;
use tower::ServiceExt;

/// The environment a function reads, with the same names as `marelle`:
/// the portal's [`marelle_api::config::Config`] and the AWS resources.
#[derive(Debug, Clone)]
pub struct Config {
    pub table: String,
    pub bucket: String,
    pub event_bus: String,
    pub commune: Commune,
    pub secret: Secret,
    /// `MARELLE_ORIGIN_SECRET`: the value CloudFront adds to every request
    /// it forwards ([`ORIGIN_HEADER`]); a request without it did not come
    /// through CloudFront and is refused.
    pub origin_secret: Secret,
    pub settings: Settings,
    /// PayFiP, when `MARELLE_PAYFIP_NUMCLI` is set (`docs/payfip.md`).
    pub payfip: Option<marelle_payfip::PayfipClient>,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::read(&Env::process())
    }

    /// Reads the variables through `get` (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Self::read(&Env::lookup(get))
    }

    fn read(env: &Env<'_>) -> Result<Self, String> {
        let portal = PortalConfig::read(env, &Runtime::Lambda).map_err(|e| e.to_string())?;
        let secret = portal
            .secret
            .clone()
            .ok_or_else(|| ConfigError::Missing("MARELLE_SECRET".into()).to_string())?;
        Ok(Self {
            table: env.required("MARELLE_TABLE").map_err(|e| e.to_string())?,
            bucket: env.required("MARELLE_BUCKET").map_err(|e| e.to_string())?,
            event_bus: env
                .required("MARELLE_EVENT_BUS")
                .map_err(|e| e.to_string())?,
            origin_secret: marelle_api::config::secret(
                "MARELLE_ORIGIN_SECRET",
                &env.required("MARELLE_ORIGIN_SECRET")
                    .map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?,
            settings: portal.settings(),
            payfip: marelle_payfip::from_env(|name| env.optional(name))
                .map_err(|e| e.to_string())?,
            commune: portal.commune,
            secret,
        })
    }
}

/// The portal on the AWS adapters.
pub fn app(config: &Config, sdk: &aws_config::SdkConfig) -> AppState {
    app_with_clock(config, sdk, Arc::new(SystemClock))
}

/// The portal on the AWS adapters with another clock (tests set it).
pub fn app_with_clock(
    config: &Config,
    sdk: &aws_config::SdkConfig,
    clock: Arc<dyn Clock>,
) -> AppState {
    Arc::new(App {
        store: Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(sdk),
            config.table.clone(),
            clock.clone(),
        )),
        mailer: Arc::new(SesMailer::new(aws_sdk_sesv2::Client::new(sdk))),
        blobs: Arc::new(S3Blobs::new(
            marelle_aws::s3_client(sdk),
            config.bucket.clone(),
        )),
        bus: Arc::new(EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(sdk),
            config.event_bus.clone(),
        )),
        ids: Arc::new(IdGenerator::new(clock.clone())),
        clock,
        payments: config.payfip.clone().map(|client| Arc::new(client) as _),
        commune: config.commune.clone(),
        keys: Keys::derive(&config.secret),
        hasher: PasswordHasher::for_this_machine(),
        settings: config.settings.clone(),
    })
}

/// The header CloudFront adds to every request it forwards to the API, with
/// the stack's origin secret as its value.
pub const ORIGIN_HEADER: &str = "x-marelle-origin";

/// Whether the request came through the portal's CloudFront distribution:
/// it carries the origin secret (compared in constant time).
pub fn through_cloudfront(req: &Request, origin_secret: &Secret) -> bool {
    let given = req
        .headers()
        .get(ORIGIN_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    marelle_domain::secrets::same_secret(given, origin_secret.expose().as_bytes())
}

/// The caller's address: the viewer's, as CloudFront tells it (the API is
/// reached through CloudFront only, so the connection's source is an edge;
/// [`handle`] refuses anything else first), else API Gateway's `sourceIp`.
pub fn client_ip(req: &Request) -> Option<IpAddr> {
    let viewer = req
        .headers()
        .get("cloudfront-viewer-address")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // "198.51.100.10:46532" or "[2001:db8::1]:46532".
            let host = v.rsplit_once(':').map_or(v, |(h, _)| h);
            host.trim_matches(['[', ']']).parse().ok()
        });
    viewer.or_else(|| match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => {
            ctx.http.source_ip.as_deref().and_then(|ip| ip.parse().ok())
        }
        _ => None,
    })
}

/// The router as a Lambda handler: a request that did not come through
/// CloudFront is refused (its `cloudfront-viewer-address` could be anything);
/// then the caller's address goes into the request, and the shared layers
/// and the feature's routes answer.
pub async fn handle(
    router: Router,
    origin_secret: &Secret,
    mut req: Request,
) -> axum::response::Response {
    if !through_cloudfront(&req, origin_secret) {
        tracing::warn!("request without the origin header: not through CloudFront");
        return axum::response::IntoResponse::into_response(marelle_api::ApiError::forbidden(
            "direct_access",
            "Le portail se consulte à son adresse publique.",
        ));
    }
    if let Some(ip) = client_ip(&req) {
        req.extensions_mut().insert(ClientIp(ip));
    }
    match router.oneshot(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

/// Logs as JSON lines (CloudWatch), level from `RUST_LOG` (default info).
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_current_span(false)
        .without_time()
        .try_init();
}

/// Runs an HTTP function: configuration, clients, then the Lambda loop.
pub async fn run_http(features: Router<AppState>) -> Result<(), lambda_http::Error> {
    init_logging();
    let config = Config::from_env()?;
    let sdk = marelle_aws::sdk_config().await;
    let router = marelle_api::service(app(&config, &sdk), features);
    let origin_secret = config.origin_secret.clone();
    lambda_http::run(tower::service_fn(move |req: Request| {
        let router = router.clone();
        let origin_secret = origin_secret.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(router, &origin_secret, req).await) }
    }))
    .await
}

/// Runs an EventBridge consumer (`notify`): each delivered event goes to
/// the handler; an error fails the invocation, and Lambda's asynchronous
/// retries deliver it again.
pub async fn run_events<H, F>(make: F) -> Result<(), lambda_http::Error>
where
    H: marelle_domain::ports::EventHandler,
    F: FnOnce(AppState) -> H,
{
    init_logging();
    let config = Config::from_env()?;
    let sdk = marelle_aws::sdk_config().await;
    let handler = Arc::new(make(app(&config, &sdk)));
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            let handler = Arc::clone(&handler);
            async move { handle_event(&*handler, &event.payload).await }
        },
    ))
    .await
}

/// One EventBridge event through a handler.
pub async fn handle_event(
    handler: &dyn marelle_domain::ports::EventHandler,
    payload: &serde_json::Value,
) -> Result<(), lambda_http::Error> {
    let event = marelle_aws::event_from_eventbridge(payload)
        .map_err(|e| format!("not a Marelle event: {e}"))?;
    handler.handle(&event).await.map_err(|e| {
        tracing::error!(event = %event.id, detail_type = %event.detail_type, error = %e, "event not handled");
        lambda_http::Error::from(e)
    })
}

/// What the scheduler sends the `digest` function: the boundary it fires
/// for (`<aws.scheduler.scheduled-time>`); now when absent.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestInput {
    #[serde(default)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One digest run for a scheduler invocation.
pub async fn handle_digest(
    app: &AppState,
    input: DigestInput,
) -> Result<marelle_api::jobs::digest::Report, lambda_http::Error> {
    let at = input.at.unwrap_or_else(|| app.clock.now());
    let report =
        marelle_api::jobs::digest::run_once(app, at, marelle_api::jobs::digest::Options::of(app))
            .await
            .map_err(|e| lambda_http::Error::from(e.detail))?;
    if report.failed > 0 {
        // Noted for a new run; failing the invocation makes Lambda run it
        // again soon (and, past its retries, reach the dead-letter queue).
        return Err(format!(
            "{} of the window {}'s e-mails failed; a new run sends them",
            report.failed, report.window
        )
        .into());
    }
    Ok(report)
}

/// Runs the `digest` function.
pub async fn run_digest() -> Result<(), lambda_http::Error> {
    init_logging();
    let config = Config::from_env()?;
    let sdk = marelle_aws::sdk_config().await;
    let app = app(&config, &sdk);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<DigestInput>| {
            let app = app.clone();
            async move { handle_digest(&app, event.payload).await }
        },
    ))
    .await
}

/// What the scheduler sends the `billing` function (besides the HTTP
/// requests of API Gateway): `{"job": "poll_payments"}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingJob {
    pub job: String,
}

/// The scheduled polling of online payments.
pub async fn handle_billing_job(
    app: &AppState,
    job: BillingJob,
) -> Result<serde_json::Value, lambda_http::Error> {
    if job.job != "poll_payments" {
        return Err(format!("unknown job {}", job.job).into());
    }
    let report = marelle_api::jobs::payments::run_once(app)
        .await
        .map_err(|e| lambda_http::Error::from(e.detail))?;
    tracing::info!(
        checked = report.checked,
        paid = report.paid,
        abandoned = report.abandoned,
        failed = report.failed,
        "online payments polled"
    );
    Ok(serde_json::to_value(report)?)
}

/// An EventBridge event for the `billing` function: a background import's
/// chunk (`BillingImportChunk`), written by the import worker, or an
/// invoicing run's (`InvoicingRunChunk`), billed by the run worker. An error
/// fails the invocation: Lambda tries it again (the third failure marks the
/// import failed, in the worker).
pub async fn handle_billing_event(
    app: &AppState,
    payload: &serde_json::Value,
) -> Result<serde_json::Value, lambda_http::Error> {
    let is_run = payload.get("detail-type").and_then(|t| t.as_str())
        == Some(marelle_api::invoicing::run::jobs::CHUNK_EVENT);
    if is_run {
        let worker = marelle_api::invoicing::run::RunWorker::new(app.clone());
        handle_event(&worker, payload).await?;
    } else {
        let worker = marelle_api::billing::import_jobs::ImportWorker::new(app.clone());
        handle_event(&worker, payload).await?;
    }
    Ok(serde_json::Value::Null)
}

/// What the scheduler sends the `documents` and `creche` functions
/// (besides the HTTP requests of API Gateway): `{"job": "documents-expiry"
/// | "creche-jobs", "at": "<aws.scheduler.scheduled-time>"}`, daily at
/// 07:00 Europe/Paris.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledJob {
    pub job: String,
    /// The instant the schedule fires for; now when absent.
    #[serde(default)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The daily job of supporting documents: expiry e-mails, then the
/// deletion of retired documents. An e-mail that failed fails the
/// invocation (its claim released): Lambda runs the job again soon, which
/// sends only what is left, and past its retries the event reaches the
/// dead-letter queue.
pub async fn handle_documents_job(
    app: &AppState,
    job: ScheduledJob,
) -> Result<serde_json::Value, lambda_http::Error> {
    if job.job != "documents-expiry" {
        return Err(format!("unknown job {}", job.job).into());
    }
    let at = job.at.unwrap_or_else(|| app.clock.now());
    let report = marelle_api::documents::expiry::run(app, at)
        .await
        .map_err(|e| lambda_http::Error::from(e.detail))?;
    tracing::info!(
        day = %report.day,
        soon = report.soon,
        expired = report.expired,
        skipped = report.skipped,
        failed = report.failed,
        deleted = report.deleted,
        delete_failed = report.delete_failed,
        "supporting documents' daily job"
    );
    if report.failed > 0 || report.delete_failed > 0 {
        return Err(format!(
            "{} expiry e-mails and {} deletions of the {} failed; a new run does them",
            report.failed, report.delete_failed, report.day
        )
        .into());
    }
    Ok(serde_json::to_value(report)?)
}

/// The crèche's daily job on the scheduler's `{"job": "creche-jobs", "at":
/// …}` (07:00 Europe/Paris): renewal reminders and closings, lapsed
/// offers. A reminder that failed fails the invocation (its claim taken
/// back): Lambda runs the job again soon, which sends only what is left,
/// and past its retries the event reaches the dead-letter queue.
pub async fn handle_creche_job(
    app: &AppState,
    job: ScheduledJob,
) -> Result<serde_json::Value, lambda_http::Error> {
    if job.job != "creche-jobs" {
        return Err(format!("unknown job {}", job.job).into());
    }
    let at = job.at.unwrap_or_else(|| app.clock.now());
    let report = marelle_api::creche::jobs::run(app, at)
        .await
        .map_err(|e| lambda_http::Error::from(e.detail))?;
    tracing::info!(
        day = %report.day,
        reminded = report.reminded,
        closed = report.closed,
        lapsed = report.lapsed,
        skipped = report.skipped,
        failed = report.failed,
        "crèche daily job"
    );
    if report.failed > 0 {
        return Err(format!(
            "{} crèche e-mails of the {} failed; a new run sends the reminders left",
            report.failed, report.day
        )
        .into());
    }
    Ok(serde_json::to_value(report)?)
}

/// Runs the `creche` function: API Gateway's requests go to the routes,
/// the scheduler's `{"job": "creche-jobs"}` to the daily job.
pub async fn run_creche(features: Router<AppState>) -> Result<(), lambda_http::Error> {
    run_http_and_job(features, |app, job| async move {
        handle_creche_job(&app, job).await
    })
    .await
}

/// Runs a function that answers API Gateway's requests through the routes
/// and a scheduler's `{"job": …}` event through `job`.
async fn run_http_and_job<J, F>(
    features: Router<AppState>,
    job: J,
) -> Result<(), lambda_http::Error>
where
    J: Fn(AppState, ScheduledJob) -> F + Clone + Send + 'static,
    F: std::future::Future<Output = Result<serde_json::Value, lambda_http::Error>> + Send,
{
    init_logging();
    let config = Config::from_env()?;
    let sdk = marelle_aws::sdk_config().await;
    let app = app(&config, &sdk);
    let router = marelle_api::service(app.clone(), features);
    let origin_secret = config.origin_secret.clone();
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            let router = router.clone();
            let origin_secret = origin_secret.clone();
            let job = job.clone();
            async move {
                let lambda_http::LambdaEvent { payload, context } = event;
                if payload.get("job").is_some() {
                    let scheduled: ScheduledJob = serde_json::from_value(payload)?;
                    return job(app, scheduled).await;
                }
                http_event(router, origin_secret, payload, context).await
            }
        },
    ))
    .await
}

/// An API Gateway event through the router, as `lambda_http::run` would.
async fn http_event(
    router: Router,
    origin_secret: Secret,
    payload: serde_json::Value,
    context: lambda_http::Context,
) -> Result<serde_json::Value, lambda_http::Error> {
    use lambda_http::Service;
    let request: lambda_http::request::LambdaRequest = serde_json::from_value(payload)?;
    let mut adapter = lambda_http::Adapter::from(tower::service_fn(move |req: Request| {
        let router = router.clone();
        let origin_secret = origin_secret.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(router, &origin_secret, req).await) }
    }));
    let response = adapter
        .call(lambda_http::LambdaEvent::new(request, context))
        .await?;
    Ok(serde_json::to_value(response)?)
}

/// Runs the `documents` function: API Gateway's requests go to the routes,
/// the scheduler's `{"job": "documents-expiry"}` to the daily job.
pub async fn run_documents(features: Router<AppState>) -> Result<(), lambda_http::Error> {
    run_http_and_job(features, |app, job| async move {
        handle_documents_job(&app, job).await
    })
    .await
}

/// Runs the `billing` function: API Gateway's requests go to the routes,
/// the scheduler's `{"job": "poll_payments"}` to the polling job, the
/// bus's events (`detail-type`) to the import worker.
pub async fn run_billing(features: Router<AppState>) -> Result<(), lambda_http::Error> {
    init_logging();
    let config = Config::from_env()?;
    let sdk = marelle_aws::sdk_config().await;
    let app = app(&config, &sdk);
    let router = marelle_api::service(app.clone(), features);
    let origin_secret = config.origin_secret.clone();
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            let router = router.clone();
            let origin_secret = origin_secret.clone();
            async move {
                let lambda_http::LambdaEvent { payload, context } = event;
                if payload.get("job").is_some() {
                    let job: BillingJob = serde_json::from_value(payload)?;
                    return handle_billing_job(&app, job).await;
                }
                if payload.get("detail-type").is_some() {
                    return handle_billing_event(&app, &payload).await;
                }
                http_event(router, origin_secret, payload, context).await
            }
        },
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("MARELLE_TABLE", "marelle"),
            ("MARELLE_BUCKET", "docs"),
            ("MARELLE_EVENT_BUS", "bus"),
            ("MARELLE_COMMUNE_NAME", "Mairie de Villebois"),
            ("MARELLE_PUBLIC_URL", "https://famille.villebois.fr/"),
            ("MARELLE_MAIL_FROM", "Portail <nepasrepondre@villebois.fr>"),
            ("MARELLE_CONTACT_TEXT", "Service enfance"),
            ("MARELLE_SECRET", "0123456789abcdef0123456789abcdef"),
            ("MARELLE_ORIGIN_SECRET", "origin-0123456789abcdef0123456789"),
        ])
    }

    #[test]
    fn the_configuration_is_read_once_and_typed() {
        let e = env();
        let c = Config::from_lookup(|k| e.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(c.commune.public_url, "https://famille.villebois.fr");
        assert_eq!(format!("{:?}", c.secret), "Secret(***)");
    }

    #[test]
    fn a_missing_variable_is_named() {
        for missing in env().keys() {
            let mut e = env();
            e.remove(missing);
            let err = Config::from_lookup(|k| e.get(k).map(|v| v.to_string())).unwrap_err();
            assert!(err.contains(missing), "{err}");
        }
    }

    #[test]
    fn payfip_is_on_with_a_numcli_and_its_errors_are_named() {
        let e = env();
        let off = Config::from_lookup(|k| e.get(k).map(|v| v.to_string())).unwrap();
        assert!(off.payfip.is_none());
        let mut e = env();
        e.insert("MARELLE_PAYFIP_NUMCLI", "012345");
        e.insert("MARELLE_PAYFIP_MODE", "W");
        let on = Config::from_lookup(|k| e.get(k).map(|v| v.to_string())).unwrap();
        let payfip = on.payfip.as_ref().map(|c| c.config().clone());
        assert_eq!(
            payfip.map(|c| c.mode),
            Some(marelle_payfip::Mode::Production)
        );
        e.insert("MARELLE_PAYFIP_MODE", "production");
        let err = Config::from_lookup(|k| e.get(k).map(|v| v.to_string())).unwrap_err();
        assert!(err.contains("MARELLE_PAYFIP_MODE"), "{err}");
    }

    #[test]
    fn the_viewer_address_comes_from_cloudfront() {
        let req = lambda_http::http::Request::builder()
            .header("cloudfront-viewer-address", "[2001:db8::1]:46532")
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(client_ip(&req), "2001:db8::1".parse().ok());
        let req = lambda_http::http::Request::builder()
            .header("cloudfront-viewer-address", "198.51.100.10:46532")
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(client_ip(&req), "198.51.100.10".parse().ok());
    }
}
