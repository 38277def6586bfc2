//! Parents send a supporting document in two steps (a presigned upload,
//! then a confirmation that checks the stored copy); it becomes a
//! `document` request in the shared request queue, which agents accept or
//! refuse; a 5-minute link shows the file to its family and to agents.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use marelle_domain::documents::{DocumentType, Scope, expiry};
use marelle_domain::keys;
use marelle_domain::ports::Index;
use marelle_domain::ports::blobs::STAGING_PREFIX;
use marelle_domain::ports::store::{Condition, Item, Key, Query, Write};
use marelle_domain::requests::{Actor, Decision, RequestKind, RequestRecord, RequestState};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::family::{FamilyParam, UploadTarget, access, store as family_store};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ClientIp, JsonBody, Parent, UrlQuery};
use crate::http::ratelimit::{self, Scope as RateScope};
use crate::http::sessions::CurrentAccount;
use crate::http::staged::Staged;
use crate::http::state::AppState;
use crate::requests::kind::{Effects, KindEffects};
use crate::requests::view::{AttachedDocument, DocumentVersion, KindDetail};

/// How long an upload URL or a link works, in seconds.
pub const URL_SECS: u64 = 300;
/// The longest file name kept.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// The most documents a family keeps (every version, all states).
pub const MAX_FAMILY_DOCUMENTS: usize = 500;
/// The most earlier versions a request's detail lists.
pub const MAX_VERSIONS: usize = 20;

pub use marelle_domain::documents::StoredState;

/// A supporting document, beside its family's dossier.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredDocument {
    pub id: String,
    pub family_id: String,
    pub type_id: String,
    pub type_name: String,
    pub child_id: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub blob: String,
    pub sent_at: DateTime<Utc>,
    pub state: StoredState,
    pub request_id: String,
    pub expires_on: Option<NaiveDate>,
    pub message: Option<String>,
    /// The day the "bientôt expirée" e-mail was sent (or claimed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_soon_on: Option<NaiveDate>,
    /// The day the "expirée" e-mail was sent (or claimed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_expired_on: Option<NaiveDate>,
    /// The day it was refused, replaced or cancelled: it is deleted after
    /// the commune's retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<NaiveDate>,
}

impl StoredDocument {
    /// Whether it is a version the row may show (pending, accepted or
    /// refused).
    pub fn shown(&self) -> bool {
        matches!(
            self.state,
            StoredState::Pending | StoredState::Accepted | StoredState::Refused
        )
    }

    /// The notices already sent (or claimed).
    pub fn sent(&self) -> expiry::Sent {
        expiry::Sent {
            soon: self.notified_soon_on.is_some(),
            expired: self.notified_expired_on.is_some(),
        }
    }

    /// Sets the state of a document leaving the table (refused, replaced,
    /// cancelled) and the day it did, from which its retention runs.
    pub fn retire(&mut self, state: StoredState, today: NaiveDate) {
        self.state = state;
        if self.retired_on.is_none() {
            self.retired_on = Some(today);
        }
    }
}

/// The day the next expiry notice is due, while the document is the
/// accepted version of its row and has an end.
pub fn next_notice_on(d: &StoredDocument) -> Option<NaiveDate> {
    match (d.state, d.expires_on) {
        (StoredState::Accepted, Some(end)) => expiry::next_notice_on(end, d.sent()),
        _ => None,
    }
}

/// A document's item, in the indexes its state calls for: by id (GSI1)
/// always; the expiry index (GSI2) while accepted with an end and a
/// notice left to send; the retired index (GSI3) once refused, replaced
/// or cancelled, with the store's TTL `TTL_MARGIN_DAYS` after the day the
/// job deletes it (`retention_days` after retirement), as a backstop.
pub fn document_item(d: &StoredDocument, retention_days: u32) -> ApiResult<Item> {
    let mut item = Item::with_data(keys::document(&d.family_id, &d.id), d)?.index(
        Index::Gsi1,
        keys::document_by_id(&d.id),
        d.family_id.clone(),
    );
    if let Some(due) = next_notice_on(d) {
        item = item.index(
            Index::Gsi2,
            keys::DOCUMENTS_EXPIRING,
            keys::document_on_day(due, &d.family_id, &d.id),
        );
    }
    let retired = matches!(
        d.state,
        StoredState::Refused | StoredState::Replaced | StoredState::Cancelled
    );
    if let (true, Some(on)) = (retired, d.retired_on) {
        item = item.index(
            Index::Gsi3,
            keys::DOCUMENTS_RETIRED,
            keys::document_on_day(on, &d.family_id, &d.id),
        );
        let end = expiry::delete_on(on, retention_days) + Duration::days(expiry::TTL_MARGIN_DAYS);
        if let Some(at) = end.and_hms_opt(0, 0, 0) {
            item = item.expires_at(at.and_utc().timestamp());
        }
    }
    Ok(item)
}

/// Every document of a family (one query; bounded).
pub async fn family_documents(app: &AppState, family_id: &str) -> ApiResult<Vec<StoredDocument>> {
    crate::http::bounded::list(
        app,
        &keys::family_partition(family_id),
        keys::DOCUMENT_PREFIX,
        MAX_FAMILY_DOCUMENTS,
    )
    .await
}

/// One document by its id alone (agents; one index query, one read).
async fn find(app: &AppState, id: &str) -> ApiResult<Option<StoredDocument>> {
    if !valid_id(id) {
        return Ok(None);
    }
    let page = app
        .store
        .query(Query::on(Index::Gsi1, keys::document_by_id(id)).limit(1))
        .await?;
    let Some(family_id) = page
        .items
        .first()
        .and_then(|i| i.data::<StoredDocument>().ok())
        .map(|d| d.family_id)
    else {
        return Ok(None);
    };
    match app.store.get(&keys::document(&family_id, id)).await? {
        Some(item) => Ok(Some(item.data()?)),
        None => Ok(None),
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentUpload {
    pub type_id: String,
    /// Required for a child's document; null for a family's.
    pub child_id: Option<String>,
    /// At most 255 characters, no path separator nor control character.
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    /// In bytes, 1 to 10 MB (the commune may set another limit).
    pub size: u64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct DocumentUploadAnswer {
    /// To give back to `POST /api/documents/confirm`.
    pub upload_id: String,
    pub upload: UploadTarget,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentConfirm {
    pub upload_id: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct DocumentSent {
    pub document_id: String,
    pub request_id: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct DocumentLink {
    pub url: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// A grant to upload one document, until confirmed (or an hour passes).
#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    family_id: String,
    account_id: String,
    type_id: String,
    child_id: Option<String>,
    file_name: String,
    content_type: String,
    document_id: String,
    /// Where the browser uploads: under the staging prefix, never served.
    key: String,
}

fn grant_key(upload_id: &str) -> Key {
    Key::new(format!("UPLOAD#{upload_id}"), "DOCUMENT")
}

/// Where a grant's file is to be put: what the upload URL writes, for a
/// caller in the same process (the demo's seed); `None` once confirmed or
/// expired.
pub async fn staged_key(app: &AppState, upload_id: &str) -> ApiResult<Option<String>> {
    Ok(match app.store.get(&grant_key(upload_id)).await? {
        Some(item) => Some(item.data::<Grant>()?.key),
        None => None,
    })
}

fn file_type_error(detail: impl Into<String>) -> ApiError {
    ApiError::rule("document_file_type", detail)
}

fn accepted_types() -> ApiError {
    file_type_error("Le document doit être un PDF, une image JPEG ou une image PNG.")
}

fn too_large(max_bytes: u64) -> ApiError {
    ApiError::rule(
        "document_too_large",
        format!(
            "Le document ne doit pas dépasser {}\u{a0}Mo. Réduisez-le avant de l'envoyer.",
            max_bytes.div_ceil(1024 * 1024)
        ),
    )
}

fn unknown_type() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_document_type",
        "Ce type de document n'existe pas.",
    )
}

/// A file name a browser may send: 1 to 255 characters, none a control
/// character or a path separator.
pub fn valid_file_name(name: &str) -> bool {
    let n = name.chars().count();
    n > 0
        && n <= MAX_FILE_NAME_CHARS
        && !name.trim().is_empty()
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
}

/// What the bytes are, whatever was declared: a MIME type the portal
/// takes, or a French description of what was found.
pub fn sniff(bytes: &[u8]) -> Result<&'static str, &'static str> {
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Err("une image WebP")
    } else if bytes.starts_with(b"GIF8") {
        Err("une image GIF")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Err("une archive ZIP ou un document bureautique")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if head.starts_with("<!doctype html")
            || head.starts_with("<html")
            || head.starts_with("<?xml")
            || head.starts_with("<svg")
            || head.contains("<script")
        {
            Err("une page web (HTML ou XML)")
        } else {
            Err("un fichier d'un type inconnu")
        }
    }
}

fn type_label(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "un PDF",
        "image/jpeg" => "une image JPEG",
        _ => "une image PNG",
    }
}

/// What in a PDF may act when it is opened: scripts, embedded files,
/// launched programs. Found in the plain bytes (names written with `#xx`
/// escapes are decoded first). Compressed object streams (`/ObjStm`) and
/// compressed content are not inflated: a PDF carrying object streams is
/// refused too, as what they hold cannot be checked.
pub fn pdf_hazard(bytes: &[u8]) -> Option<&'static str> {
    let names = decode_names(bytes);
    let has = |needle: &[u8]| names.windows(needle.len()).any(|w| w == needle);
    if has(b"/JavaScript") || has(b"/JS") {
        Some("du JavaScript")
    } else if has(b"/EmbeddedFile") {
        Some("un fichier joint")
    } else if has(b"/Launch") {
        Some("une commande de lancement de programme")
    } else if has(b"/ObjStm") {
        Some("des objets compressés que le portail ne peut pas vérifier")
    } else {
        None
    }
}

/// The bytes with `#xx` escapes in names decoded (`/Java#53cript` is
/// `/JavaScript`).
fn decode_names(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| (b as char).to_digit(16);
    while i < bytes.len() {
        if bytes[i] == b'#'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// `POST /api/documents`: where to upload a supporting document.
#[utoipa::path(post, path = "/api/documents", operation_id = "start_document_upload", tag = "documents", params(FamilyParam), request_body = DocumentUpload,
    responses(
        (status = 201, description = "Adresse d'envoi (valable 5 minutes, pour un seul envoi de la taille et du type annoncés)", body = DocumentUploadAnswer),
        (status = 404, description = "Type inconnu ou retiré (`unknown_document_type`), enfant d'une autre famille", body = Problem),
        (status = 422, description = "`child_required`, `child_not_allowed`, `document_file_type`, `document_too_large`, `invalid_file_name`", body = Problem),
        (status = 429, description = "Trop d'adresses d'envoi demandées (`rate_limited`)", body = Problem),
    ))]
pub async fn start(
    State(app): State<AppState>,
    Parent(p): Parent,
    ip: ClientIp,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(body): JsonBody<DocumentUpload>,
) -> ApiResult<impl IntoResponse> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    if !valid_id(&body.type_id) {
        return Err(unknown_type());
    }
    let doc_type: DocumentType = match app.store.get(&keys::document_type(&body.type_id)).await? {
        Some(item) => item.data()?,
        None => return Err(unknown_type()),
    };
    if !doc_type.active {
        return Err(unknown_type());
    }
    match (doc_type.scope, &body.child_id) {
        (Scope::Child, None) => {
            return Err(ApiError::rule(
                "child_required",
                "Indiquez l'enfant que concerne ce document.",
            ));
        }
        (Scope::Family, Some(_)) => {
            return Err(ApiError::rule(
                "child_not_allowed",
                "Ce document concerne toute la famille : n'indiquez pas d'enfant.",
            ));
        }
        _ => {}
    }
    if !matches!(
        body.content_type.as_str(),
        "application/pdf" | "image/jpeg" | "image/png"
    ) {
        return Err(accepted_types());
    }
    if body.size == 0 || body.size > app.settings.document_max_bytes {
        return Err(too_large(app.settings.document_max_bytes));
    }
    if !valid_file_name(&body.file_name) {
        return Err(ApiError::rule(
            "invalid_file_name",
            "Le nom du fichier doit compter 255 caractères au plus, sans « / », « \\ » ni caractère de contrôle.",
        ));
    }
    if let Some(child_id) = &body.child_id {
        let loaded = family_store::load(&app, &family_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        if loaded.dossier.child(child_id).is_none() {
            return Err(ApiError::not_found());
        }
    }
    ratelimit::hit_both(
        &app,
        RateScope::Upload,
        ip.0,
        &p.account_id,
        app.settings.limits.upload(),
    )
    .await?;
    let upload_id = app.ids.next();
    let document_id = app.ids.next();
    let key = format!(
        "{STAGING_PREFIX}{}",
        final_blob(&family_id, &document_id, &body.content_type)
    );
    let grant = Grant {
        family_id,
        account_id: p.account_id.clone(),
        type_id: body.type_id,
        child_id: body.child_id,
        file_name: body.file_name,
        content_type: body.content_type.clone(),
        document_id,
        key: key.clone(),
    };
    let expires = app.clock.now() + Duration::hours(1);
    app.store
        .put(
            Item::with_data(grant_key(&upload_id), &grant)?.expires_at(expires.timestamp()),
            Some(Condition::NotExists),
        )
        .await?;
    let upload = app
        .blobs
        .presign_upload(&key, &body.content_type, body.size, URL_SECS)
        .await
        .map_err(|e| ApiError::unavailable("presign", e))?;
    Ok((
        StatusCode::CREATED,
        Json(DocumentUploadAnswer {
            upload_id,
            upload: UploadTarget {
                url: upload.url,
                method: upload.method,
                headers: upload.headers,
            },
        }),
    ))
}

/// Where a checked document is kept (its staging key is this under the
/// staging prefix, which the upload URL cannot leave).
fn final_blob(family_id: &str, document_id: &str, content_type: &str) -> String {
    let ext = match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        _ => "png",
    };
    format!("families/{family_id}/documents/{document_id}.{ext}")
}

/// `POST /api/documents/confirm`: the file is uploaded; checked here (size,
/// content), it becomes a request for the commune.
#[utoipa::path(post, path = "/api/documents/confirm", operation_id = "confirm_document_upload", tag = "documents", request_body = DocumentConfirm,
    responses(
        (status = 201, description = "Document transmis à la collectivité", body = DocumentSent),
        (status = 404, description = "Envoi inconnu, expiré ou déjà confirmé", body = Problem),
        (status = 422, description = "`document_missing` (rien n'a été reçu : l'envoi peut être recommencé), `document_too_large`, `document_file_type` (le contenu ne correspond pas au type annoncé), `document_unsafe` (PDF avec du JavaScript, un fichier joint, un lancement de programme ou des objets compressés)", body = Problem),
    ))]
pub async fn confirm(
    State(app): State<AppState>,
    Parent(p): Parent,
    JsonBody(body): JsonBody<DocumentConfirm>,
) -> ApiResult<impl IntoResponse> {
    if !valid_id(&body.upload_id) {
        return Err(ApiError::not_found());
    }
    let grant_key = grant_key(&body.upload_id);
    let grant: Grant = app
        .store
        .get(&grant_key)
        .await?
        .ok_or_else(ApiError::not_found)?
        .data()?;
    if grant.account_id != p.account_id {
        return Err(ApiError::not_found());
    }
    let staged = grant.key.clone();
    let checked = final_blob(&grant.family_id, &grant.document_id, &grant.content_type);
    if staged != format!("{STAGING_PREFIX}{checked}") {
        return Err(ApiError::internal("document upload grant", staged));
    }
    let max_bytes = app.settings.document_max_bytes;
    let upload = Staged {
        grant: &grant_key,
        staged: &staged,
        checked: &checked,
        max_bytes,
        missing: &|| {
            ApiError::rule(
                "document_missing",
                "Le document n'a pas été reçu. Envoyez-le de nouveau.",
            )
        },
        too_large: &|| too_large(max_bytes),
    };
    let (app_ref, grant_ref, kept) = (&app, &grant, checked.as_str());
    let sent = upload
        .confirm(app_ref, |bytes| async move {
            check_and_record(app_ref, grant_ref, kept, bytes).await
        })
        .await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// Checks the copy's content and records the document and its request.
async fn check_and_record(
    app: &AppState,
    grant: &Grant,
    checked: &str,
    bytes: Vec<u8>,
) -> ApiResult<DocumentSent> {
    match sniff(&bytes) {
        Ok(found) if found == grant.content_type => {}
        Ok(found) => {
            return Err(file_type_error(format!(
                "Le fichier annoncé comme {} est en fait {}.",
                type_label(&grant.content_type),
                type_label(found)
            )));
        }
        Err(found) => {
            return Err(file_type_error(format!(
                "Le fichier annoncé comme {} est en fait {}. Envoyez un PDF, une image JPEG ou une image PNG.",
                type_label(&grant.content_type),
                found
            )));
        }
    }
    if grant.content_type == "application/pdf"
        && let Some(found) = pdf_hazard(&bytes)
    {
        return Err(ApiError::rule(
            "document_unsafe",
            format!(
                "Ce PDF contient {found} : il ne peut pas être accepté. Enregistrez-le de nouveau en PDF simple (« Imprimer en PDF ») et renvoyez-le."
            ),
        ));
    }
    let doc_type: DocumentType = match app.store.get(&keys::document_type(&grant.type_id)).await? {
        Some(item) => item.data()?,
        None => return Err(unknown_type()),
    };
    let loaded = family_store::load(app, &grant.family_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let child_name = match &grant.child_id {
        Some(c) => Some(
            loaded
                .dossier
                .child(c)
                .ok_or_else(ApiError::not_found)?
                .first_name
                .clone(),
        ),
        None => None,
    };
    let now = app.clock.now();
    let request_id = app.ids.next();
    let description = match &child_name {
        Some(n) => format!("Pièce justificative : {} ({n})", doc_type.name),
        None => format!("Pièce justificative : {}", doc_type.name),
    };
    let mut record = RequestRecord::new(
        request_id.clone(),
        grant.family_id.clone(),
        RequestKind::Document,
        grant.account_id.clone(),
        now,
        description,
        json!({ "document_id": grant.document_id, "type": doc_type.name, "child": child_name }),
    );
    record.child_id = grant.child_id.clone();
    let doc = StoredDocument {
        id: grant.document_id.clone(),
        family_id: grant.family_id.clone(),
        type_id: grant.type_id.clone(),
        type_name: doc_type.name.clone(),
        child_id: grant.child_id.clone(),
        file_name: grant.file_name.clone(),
        content_type: grant.content_type.clone(),
        size: bytes.len() as u64,
        blob: checked.to_string(),
        sent_at: now,
        state: StoredState::Pending,
        request_id: request_id.clone(),
        expires_on: None,
        message: None,
        notified_soon_on: None,
        notified_expired_on: None,
        retired_on: None,
    };
    let retention = app.settings.document_retention_days;
    let mut writes = vec![
        crate::requests::store::create(&record)?,
        Write::put_new(document_item(&doc, retention)?),
    ];
    // A pending file of the same row is withdrawn: its request cancelled,
    // its file deleted once that is stored.
    let mut dropped = Vec::new();
    for mut old in family_documents(app, &grant.family_id).await? {
        if old.type_id != doc.type_id
            || old.child_id != doc.child_id
            || old.state != StoredState::Pending
        {
            continue;
        }
        if let Some(mut r) = crate::requests::store::load(app, &old.request_id).await?
            && r.state == RequestState::Pending
        {
            let before = r.version;
            r.cancel(
                Actor::Family,
                Some("Remplacée par un nouveau document."),
                now,
            )
            .map_err(crate::requests::decide::already_decided)?;
            writes.push(crate::requests::store::save(&r, before)?);
        }
        old.retire(
            StoredState::Cancelled,
            marelle_domain::time::local_date(now),
        );
        dropped.push(old.blob.clone());
        writes.push(Write::put(document_item(&old, retention)?));
    }
    app.store.transact(writes).await?;
    for blob in dropped {
        if let Err(e) = app.blobs.delete(&blob).await {
            tracing::warn!(error = %e, blob = %blob, "cancelled document left in the blob store");
        }
    }
    Ok(DocumentSent {
        document_id: doc.id,
        request_id,
    })
}

/// `GET /api/documents/{id}/link`: a 5-minute link to the file, for its
/// family or an agent.
#[utoipa::path(get, path = "/api/documents/{id}/link", operation_id = "document_link", tag = "documents", params(("id" = String, Path)),
    responses(
        (status = 200, description = "Lien valable 5 minutes", body = DocumentLink),
        (status = 404, description = "Document inconnu, ou d'une autre famille", body = Problem),
    ))]
pub async fn link(
    State(app): State<AppState>,
    account: CurrentAccount,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentLink>> {
    let doc = find(&app, &id).await?.ok_or_else(ApiError::not_found)?;
    if account.role != marelle_domain::accounts::Role::Agent {
        access::family_of(&app, &account.account_id, Some(&doc.family_id)).await?;
    }
    if !doc.shown() {
        return Err(ApiError::not_found());
    }
    Ok(Json(presign(&app, &doc).await?))
}

async fn presign(app: &AppState, doc: &StoredDocument) -> ApiResult<DocumentLink> {
    let url = app
        .blobs
        .presign_download(&doc.blob, URL_SECS)
        .await
        .map_err(|e| ApiError::unavailable("document link", e))?;
    let expires_at = app.clock.now() + Duration::seconds(URL_SECS as i64);
    Ok(DocumentLink {
        url,
        expires_at: marelle_domain::time::rfc3339(expires_at),
    })
}

/// A `document` request: accepting it accepts the document (valid per its
/// type), and the accepted one it replaces becomes `replaced`; refusing it
/// needs a message, shown on the row.
pub struct DocumentReview;

fn document_id_of(r: &RequestRecord) -> ApiResult<String> {
    r.details
        .get("document_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ApiError::internal("document request", &r.id))
}

#[async_trait::async_trait]
impl KindEffects for DocumentReview {
    async fn decision(
        &self,
        app: &AppState,
        r: &RequestRecord,
        decision: Decision,
    ) -> ApiResult<Effects> {
        let id = document_id_of(r)?;
        let message = r.history.last().and_then(|h| h.message.clone());
        let docs = family_documents(app, &r.family_id).await?;
        let mut doc = docs
            .iter()
            .find(|d| d.id == id)
            .cloned()
            .ok_or_else(|| ApiError::internal("document request", &id))?;
        let mut writes = Vec::new();
        let today = marelle_domain::time::local_date(app.clock.now());
        let retention = app.settings.document_retention_days;
        match decision {
            Decision::Refused => {
                let Some(message) = message else {
                    return Err(ApiError::rule(
                        "message_required",
                        "Indiquez à la famille pourquoi ce document est refusé.",
                    ));
                };
                doc.retire(StoredState::Refused, today);
                doc.message = Some(message);
            }
            Decision::Accepted => {
                let validity = match app.store.get(&keys::document_type(&doc.type_id)).await? {
                    Some(item) => item.data::<DocumentType>()?.validity,
                    None => return Err(unknown_type()),
                };
                doc.state = StoredState::Accepted;
                doc.expires_on = validity.expires_on(marelle_domain::time::local_date(doc.sent_at));
                for old in docs.iter().filter(|d| {
                    d.id != doc.id
                        && d.type_id == doc.type_id
                        && d.child_id == doc.child_id
                        && d.state == StoredState::Accepted
                }) {
                    let mut old = old.clone();
                    old.retire(StoredState::Replaced, today);
                    writes.push(Write::put(document_item(&old, retention)?));
                }
            }
        }
        writes.push(Write::put(document_item(&doc, retention)?));
        Ok(Effects::writes(writes))
    }

    async fn detail(
        &self,
        app: &AppState,
        r: &RequestRecord,
        for_agent: bool,
    ) -> ApiResult<KindDetail> {
        let mut document = None;
        if let Ok(id) = document_id_of(r) {
            // One query: the family's documents hold this one and its
            // earlier versions.
            let docs = family_documents(app, &r.family_id).await?;
            if let Some(doc) = docs.iter().find(|d| d.id == id) {
                let url = if for_agent && doc.shown() {
                    Some(presign(app, doc).await?.url)
                } else {
                    None
                };
                let mut versions = Vec::new();
                if for_agent {
                    let mut earlier: Vec<&StoredDocument> = docs
                        .iter()
                        .filter(|d| {
                            d.id != doc.id && d.type_id == doc.type_id && d.child_id == doc.child_id
                        })
                        .collect();
                    earlier.sort_by(|a, b| b.sent_at.cmp(&a.sent_at).then(b.id.cmp(&a.id)));
                    for v in earlier.into_iter().take(MAX_VERSIONS) {
                        let url = if v.state == StoredState::Cancelled {
                            None
                        } else {
                            Some(presign(app, v).await?.url)
                        };
                        versions.push(DocumentVersion {
                            id: v.id.clone(),
                            file_name: v.file_name.clone(),
                            content_type: v.content_type.clone(),
                            sent_at: marelle_domain::time::rfc3339(v.sent_at),
                            state: v.state,
                            url,
                        });
                    }
                }
                document = Some(AttachedDocument {
                    id: doc.id.clone(),
                    name: doc.type_name.clone(),
                    file_name: doc.file_name.clone(),
                    content_type: doc.content_type.clone(),
                    sent_at: marelle_domain::time::rfc3339(doc.sent_at),
                    url,
                    versions,
                });
            }
        }
        Ok(KindDetail {
            changes: Vec::new(),
            details: r.details.clone(),
            document,
        })
    }
}
