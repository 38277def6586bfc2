//! Marelle's HTTP API: one router per feature, used three ways: by its
//! Lambda (`lambda_http::run`), by the local `marelle` binary (all routers
//! merged), and by in-process tests (`tower::ServiceExt::oneshot`).

//!
//! The crate is laid out by role:
//! - [`config`]: the configuration, read once at start;
//! - [`http`]: the plumbing every route shares (errors, extractors, CSRF,
//!   sessions, rate limits, captcha, passwords, the application state);
//! - [`jobs`]: work outside requests (event e-mails, the processing digest);
//! - the features, one module each: [`accounts`], [`subscriptions`],
//!   [`family`], [`planning`], [`requests`] (the request model every kind
//!   shares), [`billing`] (invoices, payments, the ledger), [`documents`]
//!   (supporting documents and their types), [`agent`] (the back-office);
//! - [`decisions`]: the one place that registers each request kind's
//!   effects, so that [`requests`] names no feature.

pub mod accounts;
pub mod agent;
pub mod billing;
pub mod config;
pub mod creche;
pub mod decisions;
pub mod documents;
pub mod family;
pub mod functions;
pub mod http;
pub mod invoicing;
pub mod jobs;
pub mod openapi;
pub mod planning;
pub mod requests;
pub mod subscriptions;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use http::error::{ApiError, ApiResult, Problem};
pub use http::state::{App, AppState};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The API answer to any `/api/…` path no route serves.
pub async fn not_found() -> Response {
    ApiError::not_found().into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Cette méthode n'est pas acceptée à cette adresse.",
    )
    .into_response()
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler", "panic").into_response()
}

/// Wraps feature routers with what every entry point shares: the OpenAPI
/// document, CSRF protection, problem+json for unknown routes, methods and
/// panics, request ids, tracing, body limits, no caching.
pub fn service(state: AppState, features: Router<AppState>) -> Router {
    features
        .route("/api/openapi.json", axum::routing::get(openapi::serve))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::csrf::protect,
        ))
        .layer(DefaultBodyLimit::max(http::extract::JSON_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default();
                    // The path template only: ids and tokens stay out of logs.
                    tracing::info_span!("request", method = %req.method(), route, request_id = id)
                })
                .on_response(
                    |resp: &Response, latency: Duration, _span: &tracing::Span| {
                        tracing::info!(
                            status = resp.status().as_u16(),
                            latency_ms = latency.as_millis() as u64,
                            "answered"
                        );
                    },
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Every feature router, for the local binary and the OpenAPI document.
pub fn all_features() -> Router<AppState> {
    functions::all()
        .into_iter()
        .fold(Router::new(), |all, (_, router)| all.merge(router))
}
