//! The commune's logo, printed at the top of the invoices Marelle renders:
//! agents give it (PNG or JPEG, 512 KB and 2000 × 2000 pixels at most),
//! see it and remove it. It is one object of the blob store, with a marker
//! item in the table saying it is there (so that no logo is a GetItem that
//! finds nothing, rather than a blob read that S3 answers 403 to a function
//! that may not list the bucket). Read at each rendering, no cache: a
//! replaced logo shows on the next download.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use marelle_domain::keys;
use marelle_domain::ports::BlobError;
use marelle_domain::ports::store::Item;
use serde::{Deserialize, Serialize};

use super::image::{self, Format, ImageError, MAX_LOGO_BYTES, MAX_LOGO_SIDE, PdfImage};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Agent;
use crate::http::state::AppState;

/// Where the logo is kept.
pub const LOGO_KEY: &str = "commune/logo";

#[derive(Debug, Serialize, Deserialize)]
struct LogoMarker {
    content_type: String,
    size: usize,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// Whether a logo was given.
async fn given(app: &AppState) -> ApiResult<bool> {
    Ok(app.store.get(&keys::commune_logo()).await?.is_some())
}

/// An image file, in the contract (a binary body).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImageFile(pub Vec<u8>);

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "logo_too_large",
        "Le logo ne doit pas dépasser 512 Ko.",
    )
}

fn wrong_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "logo_type",
        "Le logo doit être une image PNG ou JPEG.",
    )
}

fn refusal(e: ImageError) -> ApiError {
    match e {
        ImageError::Format => wrong_type(),
        ImageError::TooBig(w, h) => ApiError::rule(
            "logo_dimensions",
            format!(
                "Le logo mesure {w} × {h} pixels : il ne doit pas dépasser {MAX_LOGO_SIDE} × {MAX_LOGO_SIDE} pixels."
            ),
        ),
        ImageError::Invalid(_) => ApiError::rule(
            "logo_unreadable",
            "L'image n'a pas pu être lue (fichier abîmé, ou PNG entrelacé). Enregistrez-la de nouveau en PNG ou en JPEG.",
        ),
    }
}

fn no_logo() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_logo",
        "Aucun logo n'a été donné.",
    )
}

/// `PUT /api/agent/commune/logo`: the commune's logo, replacing the one
/// before.
#[utoipa::path(put, path = "/api/agent/commune/logo", operation_id = "put_commune_logo", tag = "agent",
    request_body(content = ImageFile, content_type = "image/png", description = "Une image PNG ou JPEG (`image/jpeg`), 512 Ko et 2000 × 2000 pixels au plus ; son type est lu dans le fichier"),
    responses(
        (status = 204, description = "Logo enregistré : il apparaît en haut des factures PDF"),
        (status = 413, description = "`logo_too_large` (plus de 512 Ko)", body = Problem),
        (status = 415, description = "`logo_type` (ni PNG ni JPEG)", body = Problem),
        (status = 422, description = "`logo_dimensions` (plus de 2000 × 2000 pixels) ou `logo_unreadable` (image abîmée ou PNG entrelacé)", body = Problem),
    ))]
pub async fn put_logo(
    State(app): State<AppState>,
    Agent(_): Agent,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_LOGO_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_LOGO_BYTES)
        .await
        .map_err(|_| too_large())?;
    let format = Format::sniff(&bytes).ok_or_else(wrong_type)?;
    image::decode(&bytes).map_err(refusal)?;
    let size = bytes.len();
    app.blobs
        .put(LOGO_KEY, bytes.to_vec(), format.content_type())
        .await
        .map_err(|e| ApiError::unavailable("commune logo", e))?;
    let marker = LogoMarker {
        content_type: format.content_type().to_string(),
        size,
        updated_at: app.clock.now(),
    };
    app.store
        .put(Item::with_data(keys::commune_logo(), &marker)?, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/agent/commune/logo`: the logo as it was given.
#[utoipa::path(get, path = "/api/agent/commune/logo", operation_id = "get_commune_logo", tag = "agent",
    responses(
        (status = 200, description = "Le logo (`image/png` ou `image/jpeg`)", content_type = "image/png", body = ImageFile),
        (status = 404, description = "`no_logo` (aucun logo donné)", body = Problem),
    ))]
pub async fn get_logo(State(app): State<AppState>, Agent(_): Agent) -> ApiResult<Response> {
    if !given(&app).await? {
        return Err(no_logo());
    }
    let bytes = match app.blobs.get(LOGO_KEY).await {
        Ok(b) => b,
        Err(BlobError::NotFound) => return Err(no_logo()),
        Err(e) => return Err(ApiError::unavailable("commune logo", e)),
    };
    let content_type = Format::sniff(&bytes)
        .map(Format::content_type)
        .unwrap_or("application/octet-stream");
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `DELETE /api/agent/commune/logo`: invoices go back to the commune's
/// name alone.
#[utoipa::path(delete, path = "/api/agent/commune/logo", operation_id = "delete_commune_logo", tag = "agent",
    responses(
        (status = 204, description = "Logo supprimé (ou il n'y en avait pas)"),
    ))]
pub async fn delete_logo(State(app): State<AppState>, Agent(_): Agent) -> ApiResult<StatusCode> {
    app.store.delete(&keys::commune_logo(), None).await?;
    match app.blobs.delete(LOGO_KEY).await {
        Ok(()) | Err(BlobError::NotFound) => Ok(StatusCode::NO_CONTENT),
        Err(e) => Err(ApiError::unavailable("commune logo", e)),
    }
}

/// The logo for a rendered invoice; none when none is given, and none
/// (with a warning) when it cannot be read: a download never fails for it.
pub async fn for_pdf(app: &AppState) -> Option<PdfImage> {
    match given(app).await {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => {
            tracing::warn!(error = ?e, "commune logo marker unreadable, invoice rendered without it");
            return None;
        }
    }
    let bytes = match app.blobs.get(LOGO_KEY).await {
        Ok(b) => b,
        Err(BlobError::NotFound) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "commune logo unavailable, invoice rendered without it");
            return None;
        }
    };
    match image::decode(&bytes) {
        Ok(img) => Some(img),
        Err(e) => {
            tracing::warn!(error = %e, "commune logo unreadable, invoice rendered without it");
            None
        }
    }
}
