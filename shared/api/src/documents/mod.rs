//! Pièces justificatives. Agents define the document types the commune
//! asks for ([`types`]); parents see the table of what is asked of their
//! family ([`table`]); they send files, which agents review
//! ([`upload`]); a daily job e-mails families before and when accepted
//! documents expire, and deletes retired ones ([`expiry`]).

pub mod expiry;
pub mod table;
pub mod types;
pub mod upload;

use axum::Router;
use axum::routing::{get, post};

use crate::http::state::AppState;

/// The parents' and the agents' routes of supporting documents.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/documents", get(table::list).post(upload::start))
        .route("/api/documents/confirm", post(upload::confirm))
        .route("/api/documents/{id}/link", get(upload::link))
        .route(
            "/api/agent/document-types",
            get(types::list_types).post(types::create_type),
        )
        .route(
            "/api/agent/document-types/{id}",
            axum::routing::patch(types::update_type),
        )
}
