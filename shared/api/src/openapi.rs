//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

pub fn document() -> Document {
    let mut doc = crate::accounts::AccountsApi::openapi();
    doc.info.title = "Marelle".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.info.description = Some(
        "Portail famille des communes. Erreurs : application/problem+json avec un `code` stable et un `detail` en français.".into(),
    );
    doc
}

pub async fn serve() -> Json<Document> {
    Json(document())
}
