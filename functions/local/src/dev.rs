//! `--dev` only: set the clock, run a job (the digest, the documents'
//! daily job), read the outbox. For demos and end-to-end
//! tests; never on a real deployment. And `--demo`'s outbox for agents.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Utc};
use marelle_api::http::extract::{Agent, JsonBody};
use marelle_api::http::state::AppState;
use marelle_api::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};

use crate::compose::Local;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetClock {
    #[serde(alias = "at")]
    now: String,
}

#[derive(Serialize)]
struct Now {
    now: String,
}

pub fn router(local: &Local) -> Router<AppState> {
    let clock = local.clock.clone();
    let clock_get = local.clock.clone();
    let outbox = local.outbox.clone();
    Router::new()
        .route(
            "/api/dev/clock",
            get(move |State(app): State<AppState>| {
                let _ = &clock_get;
                async move {
                    Json(Now {
                        now: marelle_domain::time::rfc3339(app.clock.now()),
                    })
                }
            })
            .post(move |JsonBody(body): JsonBody<SetClock>| {
                let clock = clock.clone();
                async move {
                    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(body.now.trim())
                        .map_err(|_| {
                            ApiError::bad_request(
                                "invalid_instant",
                                "« now » doit être un instant RFC 3339 avec décalage, par exemple 2019-01-04T16:33:00+01:00.",
                            )
                        })?
                        .with_timezone(&Utc);
                    clock.set(now);
                    ApiResult::Ok(Json(Now {
                        now: marelle_domain::time::rfc3339(now),
                    }))
                }
            }),
        )
        .route(
            "/api/dev/jobs/digest",
            axum::routing::post(|State(app): State<AppState>, JsonBody(body): JsonBody<SetClock>| async move {
                let at: DateTime<Utc> = DateTime::parse_from_rfc3339(body.now.trim())
                    .map_err(|_| ApiError::bad_request("invalid_instant", "« at » doit être un instant RFC 3339 avec décalage."))?
                    .with_timezone(&Utc);
                let report = marelle_api::jobs::digest::run_once(&app, at, marelle_api::jobs::digest::Options::default()).await?;
                ApiResult::Ok(Json(report))
            }),
        )
        .route(
            "/api/dev/jobs/documents-expiry",
            axum::routing::post(|State(app): State<AppState>, JsonBody(body): JsonBody<SetClock>| async move {
                let at: DateTime<Utc> = DateTime::parse_from_rfc3339(body.now.trim())
                    .map_err(|_| ApiError::bad_request("invalid_instant", "« at » doit être un instant RFC 3339 avec décalage."))?
                    .with_timezone(&Utc);
                let report = marelle_api::documents::expiry::run(&app, at).await?;
                ApiResult::Ok(Json(report))
            }),
        )
        .route(
            "/api/dev/jobs/creche",
            axum::routing::post(|State(app): State<AppState>, JsonBody(body): JsonBody<SetClock>| async move {
                let at: DateTime<Utc> = DateTime::parse_from_rfc3339(body.now.trim())
                    .map_err(|_| ApiError::bad_request("invalid_instant", "« at » doit être un instant RFC 3339 avec décalage."))?
                    .with_timezone(&Utc);
                let report = marelle_api::creche::jobs::run(&app, at).await?;
                ApiResult::Ok(Json(report))
            }),
        )
        .route(
            "/api/dev/outbox",
            get(move || {
                let outbox = outbox.clone();
                async move {
                    let entries = outbox
                        .list()
                        .await
                        .map_err(|e| ApiError::unavailable("outbox", e))?;
                    ApiResult::Ok(Json(entries))
                }
            }),
        )
}

/// How many e-mails the demo's outbox page lists (the newest).
pub const DEMO_OUTBOX_MAX: usize = 50;

#[derive(Serialize)]
struct OutboxPage {
    items: Vec<marelle_embedded::outbox::OutboxEntry>,
    total: usize,
}

/// `--demo` only: `GET /api/demo/outbox`, the e-mails the portal sent
/// (newest first, at most [`DEMO_OUTBOX_MAX`]), for a signed-in agent, so
/// that a demo shows the acknowledgments and processing e-mails without a
/// mail server.
pub fn demo_router(local: &Local) -> Router<AppState> {
    let outbox = local.outbox.clone();
    Router::new().route(
        "/api/demo/outbox",
        get(move |Agent(_): Agent| {
            let outbox = outbox.clone();
            async move {
                let mut entries = outbox
                    .list()
                    .await
                    .map_err(|e| ApiError::unavailable("outbox", e))?;
                entries.sort_by(|a, b| b.sent_at.cmp(&a.sent_at).then(b.id.cmp(&a.id)));
                let total = entries.len();
                entries.truncate(DEMO_OUTBOX_MAX);
                ApiResult::Ok(Json(OutboxPage {
                    items: entries,
                    total,
                }))
            }
        }),
    )
}
