//! Invoice PDFs: the parents download one (the commune's own when an agent
//! gave it, through a 5-minute presigned link; otherwise rendered by
//! Marelle at each download, so it always shows what is still to pay);
//! agents give the commune's own: in two steps (a presigned upload, then a
//! confirmation that checks what was stored), or in one `PUT` for
//! integrations (limited by the gateway to about 4 MB on AWS).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use marelle_domain::billing::{Invoice, InvoiceLine};
use marelle_domain::keys;
use marelle_domain::ports::blobs::STAGING_PREFIX;
use marelle_domain::ports::store::{Condition, Item, Key};
use serde::{Deserialize, Serialize};

use super::pdf::{self, InvoiceDocument};
use super::{FamilyParam, regies, store};
use crate::family::UploadTarget;
use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, ClientIp, JsonBody, Parent, UrlQuery};
use crate::http::ratelimit::{self, Scope};
use crate::http::staged::Staged;
use crate::http::state::AppState;

/// The largest PDF an agent may give: 10 MB.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;
/// How long a presigned upload URL for a PDF works, in seconds.
pub const UPLOAD_URL_SECS: u64 = 300;
/// How long a link to a stored PDF works.
pub const LINK_SECS: u64 = 300;

/// A PDF file, in the contract (a binary body).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(pub Vec<u8>);

/// The marker of a PDF given by the commune.
#[derive(Debug, Serialize, Deserialize)]
struct StoredPdf {
    blob: String,
    size: usize,
    uploaded_at: chrono::DateTime<chrono::Utc>,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `facture-<number>.pdf`, with only safe characters.
fn file_name(number: &str) -> String {
    let safe: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("facture-{safe}.pdf")
}

/// `GET /api/billing/invoices/{id}/pdf`: the invoice as a PDF.
#[utoipa::path(get, path = "/api/billing/invoices/{id}/pdf", operation_id = "download_invoice_pdf", tag = "billing", params(("id" = String, Path), FamilyParam),
    responses(
        (status = 200, description = "La facture en PDF, rendue par le portail (`Content-Disposition: attachment`)", content_type = "application/pdf", body = PdfFile),
        (status = 303, description = "Vers le PDF déposé par la commune (lien valable 5 minutes)"),
        (status = 404, description = "Facture inconnue, ou d'une autre famille", body = Problem),
    ))]
pub async fn download(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Response> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    if !valid_id(&id) {
        return Err(ApiError::not_found());
    }
    let items = app
        .store
        .get_many(&[
            keys::invoice(&family_id, &id),
            keys::invoice_lines(&family_id, &id),
            keys::invoice_pdf(&family_id, &id),
        ])
        .await?;
    let find = |key: marelle_domain::ports::Key| items.iter().find(|i| i.key() == key);
    let invoice = find(keys::invoice(&family_id, &id))
        .ok_or_else(ApiError::not_found)?
        .data::<Invoice>()?;
    if let Some(stored) = find(keys::invoice_pdf(&family_id, &id)) {
        let stored = stored.data::<StoredPdf>()?;
        let url = app
            .blobs
            .presign_download(&stored.blob, LINK_SECS)
            .await
            .map_err(|e| ApiError::unavailable("invoice pdf link", e))?;
        let location =
            HeaderValue::from_str(&url).map_err(|e| ApiError::internal("invoice pdf link", e))?;
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response());
    }
    let lines = match find(keys::invoice_lines(&family_id, &id)) {
        Some(item) => item.data::<store::Lines>()?.lines,
        None => Vec::new(),
    };
    let bytes = render(&app, &family_id, &invoice, &lines).await?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        file_name(&invoice.number)
    ))
    .map_err(|e| ApiError::internal("invoice pdf name", e))?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Renders an invoice with the family's name and address and the régie's
/// contact.
async fn render(
    app: &AppState,
    family_id: &str,
    invoice: &Invoice,
    lines: &[InvoiceLine],
) -> ApiResult<Vec<u8>> {
    let dossier = crate::family::store::load(app, family_id)
        .await?
        .map(|l| l.dossier);
    let regie = regies::find_by_name(app, &invoice.service).await?;
    let (name, address) = match &dossier {
        Some(d) => {
            let holder = d
                .guardians
                .iter()
                .find(|g| g.address.is_some())
                .or_else(|| d.guardians.first());
            let name = match holder {
                Some(g) => format!("{} {}", g.last_name, g.first_name),
                None => d.family.label.clone(),
            };
            (name, holder.and_then(|g| g.address.clone()))
        }
        None => (String::new(), None),
    };
    let link = app.commune.link("/espace-facturation");
    let logo = super::logo::for_pdf(app).await;
    let doc = InvoiceDocument {
        commune: &app.commune.name,
        portal_link: &link,
        regie_email: regie.as_ref().and_then(|r| r.email.as_deref()),
        invoice,
        lines,
        family_name: &name,
        address: address.as_ref(),
        logo: logo.as_ref(),
    };
    Ok(pdf::render(&doc))
}

fn too_large(status: StatusCode) -> ApiError {
    ApiError::new(
        status,
        "pdf_too_large",
        format!("Le PDF dépasse {} Mo.", MAX_PDF_BYTES / (1024 * 1024)),
    )
}

fn not_a_pdf() -> ApiError {
    ApiError::rule("not_a_pdf", "Le fichier n'est pas un PDF.")
}

/// The checks every PDF given by the commune passes, whatever the way it
/// came: its size, and that it is a PDF.
fn check_pdf(bytes: &[u8], status_if_large: StatusCode) -> ApiResult<()> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(too_large(status_if_large));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(not_a_pdf());
    }
    Ok(())
}

/// Makes the checked PDF stored at `blob` the invoice's: the parents get it
/// from now on; the one it replaces is removed when it was elsewhere.
async fn attach(app: &AppState, invoice: &Invoice, blob: String, size: usize) -> ApiResult<()> {
    let key = keys::invoice_pdf(&invoice.family_id, &invoice.id);
    let previous = match app.store.get(&key).await? {
        Some(item) => item.data::<StoredPdf>().ok().map(|p| p.blob),
        None => None,
    };
    let marker = StoredPdf {
        blob: blob.clone(),
        size,
        uploaded_at: app.clock.now(),
    };
    app.store.put(Item::with_data(key, &marker)?, None).await?;
    if let Some(old) = previous
        && old != blob
        && let Err(e) = app.blobs.delete(&old).await
    {
        tracing::warn!(error = %e, blob = %old, "replaced invoice pdf left in the blob store");
    }
    Ok(())
}

/// `PUT /api/agent/invoices/{id}/pdf`: the commune's own PDF of an
/// invoice; the parents download it instead of the rendered one.
#[utoipa::path(put, path = "/api/agent/invoices/{id}/pdf", operation_id = "upload_invoice_pdf", tag = "agent", params(("id" = String, Path)),
    description = "Pour les intégrations : le PDF dans le corps de la requête. Sur AWS, la passerelle limite ce corps à environ 4 Mo ; l'envoi en deux temps (`POST …/pdf/upload` puis `POST …/pdf/confirm`) n'a pas cette limite.",
    request_body(content = PdfFile, content_type = "application/pdf", description = "Le PDF, 10 Mo au plus"),
    responses(
        (status = 204, description = "PDF enregistré"),
        (status = 404, description = "Facture inconnue (`unknown_invoice`)", body = Problem),
        (status = 413, description = "`pdf_too_large` (plus de 10 Mo)", body = Problem),
        (status = 422, description = "`not_a_pdf` (le fichier ne commence pas par `%PDF-`)", body = Problem),
    ))]
pub async fn upload(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_PDF_BYTES as u64) {
        return Err(too_large(StatusCode::PAYLOAD_TOO_LARGE));
    }
    let bytes = axum::body::to_bytes(body, MAX_PDF_BYTES)
        .await
        .map_err(|_| too_large(StatusCode::PAYLOAD_TOO_LARGE))?;
    check_pdf(&bytes, StatusCode::PAYLOAD_TOO_LARGE)?;
    if !valid_id(&id) {
        return Err(store::invoice_not_found());
    }
    let invoice = store::find(&app, &id).await?;
    let blob = keys::invoice_pdf_blob(&invoice.family_id, &invoice.id);
    let size = bytes.len();
    app.blobs
        .put(&blob, bytes.to_vec(), "application/pdf")
        .await
        .map_err(|e| ApiError::unavailable("invoice pdf", e))?;
    attach(&app, &invoice, blob, size).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PdfUpload {
    /// The PDF's size in bytes, at most 10 MB.
    pub size: u64,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PdfUploadAnswer {
    /// To give back to `POST /api/agent/invoices/{id}/pdf/confirm`.
    pub upload_id: String,
    pub upload: UploadTarget,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PdfConfirm {
    pub upload_id: String,
}

/// A grant to upload one invoice's PDF, until it is confirmed (or expires
/// after an hour).
#[derive(Debug, Serialize, Deserialize)]
struct PdfUploadRecord {
    invoice_id: String,
    family_id: String,
    account_id: String,
    /// Where the browser uploads: under the staging prefix, never served.
    key: String,
}

fn grant_key(upload_id: &str) -> Key {
    Key::new(format!("UPLOAD#{upload_id}"), "INVOICE_PDF")
}

/// `POST /api/agent/invoices/{id}/pdf/upload`: where to upload the
/// commune's PDF of an invoice.
#[utoipa::path(post, path = "/api/agent/invoices/{id}/pdf/upload", operation_id = "start_invoice_pdf_upload", tag = "agent", params(("id" = String, Path)),
    request_body = PdfUpload,
    responses(
        (status = 201, description = "Adresse d'envoi (valable 5 minutes, pour un seul envoi de la taille annoncée, en `application/pdf`)", body = PdfUploadAnswer),
        (status = 404, description = "Facture inconnue (`unknown_invoice`)", body = Problem),
        (status = 422, description = "`pdf_too_large` (plus de 10 Mo) ou `not_a_pdf` (fichier vide)", body = Problem),
        (status = 429, description = "Trop d'adresses d'envoi demandées (`rate_limited`)", body = Problem),
    ))]
pub async fn start_upload(
    State(app): State<AppState>,
    Agent(a): Agent,
    ip: ClientIp,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PdfUpload>,
) -> ApiResult<impl IntoResponse> {
    // An empty file is no PDF, as in the direct upload.
    if body.size == 0 {
        return Err(not_a_pdf());
    }
    if body.size > MAX_PDF_BYTES as u64 {
        return Err(too_large(StatusCode::UNPROCESSABLE_ENTITY));
    }
    ratelimit::hit_both(
        &app,
        Scope::Upload,
        ip.0,
        &a.account_id,
        app.settings.limits.upload(),
    )
    .await?;
    if !valid_id(&id) {
        return Err(store::invoice_not_found());
    }
    let invoice = store::find(&app, &id).await?;
    let upload_id = app.ids.next();
    let key = format!(
        "{STAGING_PREFIX}{}",
        checked_blob(&invoice.family_id, &invoice.id, &upload_id)
    );
    let record = PdfUploadRecord {
        invoice_id: invoice.id.clone(),
        family_id: invoice.family_id.clone(),
        account_id: a.account_id.clone(),
        key: key.clone(),
    };
    let expires = app.clock.now() + Duration::hours(1);
    app.store
        .put(
            Item::with_data(grant_key(&upload_id), &record)?.expires_at(expires.timestamp()),
            Some(Condition::NotExists),
        )
        .await?;
    let upload = app
        .blobs
        .presign_upload(&key, "application/pdf", body.size, UPLOAD_URL_SECS)
        .await
        .map_err(|e| ApiError::unavailable("presign", e))?;
    Ok((
        StatusCode::CREATED,
        Json(PdfUploadAnswer {
            upload_id,
            upload: UploadTarget {
                url: upload.url,
                method: upload.method,
                headers: upload.headers,
            },
        }),
    ))
}

/// Where a PDF uploaded in two steps is kept once checked (its staging key
/// is this under the staging prefix, which the upload URL cannot leave).
fn checked_blob(family_id: &str, invoice_id: &str, upload_id: &str) -> String {
    format!("families/{family_id}/invoices/{invoice_id}-{upload_id}.pdf")
}

/// `POST /api/agent/invoices/{id}/pdf/confirm`: the PDF is uploaded;
/// checked here (size, content), it becomes the invoice's.
#[utoipa::path(post, path = "/api/agent/invoices/{id}/pdf/confirm", operation_id = "confirm_invoice_pdf_upload", tag = "agent", params(("id" = String, Path)),
    request_body = PdfConfirm,
    responses(
        (status = 204, description = "PDF enregistré"),
        (status = 404, description = "Envoi inconnu, expiré, déjà confirmé ou pour une autre facture (`not_found`)", body = Problem),
        (status = 422, description = "`pdf_missing` (rien n'a été reçu), `pdf_too_large` (plus de 10 Mo) ou `not_a_pdf` (le fichier ne commence pas par `%PDF-`)", body = Problem),
    ))]
pub async fn confirm_upload(
    State(app): State<AppState>,
    Agent(a): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PdfConfirm>,
) -> ApiResult<StatusCode> {
    if !valid_id(&body.upload_id) || !valid_id(&id) {
        return Err(ApiError::not_found());
    }
    let grant = grant_key(&body.upload_id);
    let record: PdfUploadRecord = app
        .store
        .get(&grant)
        .await?
        .ok_or_else(ApiError::not_found)?
        .data()?;
    if record.invoice_id != id || record.account_id != a.account_id {
        return Err(ApiError::not_found());
    }
    let staged = record.key.as_str();
    let checked = checked_blob(&record.family_id, &record.invoice_id, &body.upload_id);
    if staged != format!("{STAGING_PREFIX}{checked}") {
        return Err(ApiError::internal("pdf upload grant", staged));
    }
    let upload = Staged {
        grant: &grant,
        staged,
        checked: &checked,
        max_bytes: MAX_PDF_BYTES as u64,
        missing: &|| {
            ApiError::rule(
                "pdf_missing",
                "Le PDF n'a pas été reçu. Envoyez-le de nouveau.",
            )
        },
        too_large: &|| too_large(StatusCode::UNPROCESSABLE_ENTITY),
    };
    let (app_ref, kept) = (&app, checked.clone());
    upload
        .confirm(app_ref, |bytes| async move {
            check_pdf(&bytes, StatusCode::UNPROCESSABLE_ENTITY)?;
            let invoice = store::find(app_ref, &record.invoice_id).await?;
            attach(app_ref, &invoice, kept, bytes.len()).await
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_name("FAC-2026-0101"), "facture-FAC-2026-0101.pdf");
        assert_eq!(file_name("a\"b/c é"), "facture-a_b_c__.pdf");
    }
}
