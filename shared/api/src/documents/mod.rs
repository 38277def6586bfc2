//! Pièces justificatives. Agents define the document types the commune
//! asks for ([`types`]); parents see the table of what is asked of their
//! family ([`table`]). Uploads, review and expiry come on top of these.

pub mod table;
pub mod types;

use axum::Router;
use axum::routing::get;

use crate::http::state::AppState;

/// The parents' and the agents' routes of supporting documents.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/documents", get(table::list))
        .route(
            "/api/agent/document-types",
            get(types::list_types).post(types::create_type),
        )
        .route(
            "/api/agent/document-types/{id}",
            axum::routing::patch(types::update_type),
        )
}
