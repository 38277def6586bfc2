//! Invoice PDFs: the parents download one (the commune's own when an agent
//! gave it, through a 5-minute presigned link; otherwise rendered by
//! Marelle at each download, so it always shows what is still to pay);
//! agents give the commune's own.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use marelle_domain::billing::{Invoice, InvoiceLine};
use marelle_domain::keys;
use marelle_domain::ports::store::Item;
use serde::{Deserialize, Serialize};

use super::pdf::{self, InvoiceDocument};
use super::{FamilyParam, regies, store};
use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, Parent, UrlQuery};
use crate::http::state::AppState;

/// The largest PDF an agent may give: 5 MB.
pub const MAX_PDF_BYTES: usize = 5 * 1024 * 1024;
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
    let doc = InvoiceDocument {
        commune: &app.commune.name,
        portal_link: &link,
        regie_email: regie.as_ref().and_then(|r| r.email.as_deref()),
        invoice,
        lines,
        family_name: &name,
        address: address.as_ref(),
    };
    Ok(pdf::render(&doc))
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "pdf_too_large",
        format!("Le PDF dépasse {} Mo.", MAX_PDF_BYTES / (1024 * 1024)),
    )
}

/// `PUT /api/agent/invoices/{id}/pdf`: the commune's own PDF of an
/// invoice; the parents download it instead of the rendered one.
#[utoipa::path(put, path = "/api/agent/invoices/{id}/pdf", operation_id = "upload_invoice_pdf", tag = "agent", params(("id" = String, Path)),
    request_body(content = PdfFile, content_type = "application/pdf", description = "Le PDF, 5 Mo au plus"),
    responses(
        (status = 204, description = "PDF enregistré"),
        (status = 404, description = "Facture inconnue (`unknown_invoice`)", body = Problem),
        (status = 413, description = "`pdf_too_large` (plus de 5 Mo)", body = Problem),
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
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_PDF_BYTES)
        .await
        .map_err(|_| too_large())?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(ApiError::rule("not_a_pdf", "Le fichier n'est pas un PDF."));
    }
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
    let marker = StoredPdf {
        blob,
        size,
        uploaded_at: app.clock.now(),
    };
    app.store
        .put(
            Item::with_data(keys::invoice_pdf(&invoice.family_id, &invoice.id), &marker)?,
            None,
        )
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
