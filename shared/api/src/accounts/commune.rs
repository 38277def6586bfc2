//! `GET /api/commune`: the commune's configured contact, the one source of
//! the e-mails' contact zone and of the portal's "Nous contacter" page.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::state::AppState;

/// What the portal shows of its commune.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommuneInfo {
    /// "Mairie de Villebois".
    pub name: String,
    /// The contact (service, telephone, hours, e-mail), plain text, one
    /// item a line: the same text as at the foot of every e-mail.
    pub contact: String,
}

/// `GET /api/commune`: public, no session needed.
#[utoipa::path(get, path = "/api/commune", tag = "accounts",
    responses((status = 200, description = "La commune et son contact", body = CommuneInfo)))]
pub async fn read(State(app): State<AppState>) -> Json<CommuneInfo> {
    Json(CommuneInfo {
        name: app.commune.name.clone(),
        contact: app.commune.contact_text.trim().to_string(),
    })
}
