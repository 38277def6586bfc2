//! The back-office (role `agent`): family files and the request queue.

pub mod activities;
pub mod families;
pub mod links;
pub mod requests;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/agent/families",
            get(families::list).post(families::create),
        )
        .route(
            "/api/agent/families/import",
            post(families::import_csv).layer(DefaultBodyLimit::max(families::IMPORT_MAX_BYTES)),
        )
        .route("/api/agent/families/{id}", get(families::read))
        .route("/api/agent/families/{id}/unlink", post(links::unlink))
        .route(
            "/api/agent/families/{id}/subscriber-code",
            post(families::renew_code).delete(families::revoke_code),
        )
        .route(
            "/api/agent/invoices",
            post(families::create_invoice)
                .layer(DefaultBodyLimit::max(families::INVOICE_MAX_BYTES)),
        )
        .route(
            "/api/agent/activities",
            get(activities::list).post(activities::create),
        )
        .route(
            "/api/agent/activities/{id}",
            get(activities::read).patch(activities::update),
        )
        .route(
            "/api/agent/activities/{id}/closures",
            post(activities::close),
        )
        .route(
            "/api/agent/enrolments",
            get(activities::enrolments).post(activities::enrol),
        )
        .route("/api/agent/requests", get(requests::queue))
        .route("/api/agent/requests/decisions", post(requests::decide_many))
        .route("/api/agent/requests/{id}", get(requests::detail))
        .route("/api/agent/requests/{id}/decision", post(requests::decide))
        .route("/api/agent/requests/{id}/messages", post(requests::message))
        .route("/api/agent/digest/preview", get(requests::digest_preview))
}
