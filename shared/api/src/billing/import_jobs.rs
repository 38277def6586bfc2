//! Imports that carry on without the agent's page: the file goes to the
//! blob store by a presigned URL, is checked by `…/check` (the same report
//! as the direct routes of [`super::import`]), and `…/start` records an
//! import job and publishes its first chunk event. The [`ImportWorker`]
//! (on the in-process bus in `marelle`, the `billing` Lambda through an
//! EventBridge rule in AWS) writes one chunk per event with the direct
//! routes' code, moves the job on with a conditional write on its chunk
//! number (an event delivered twice does nothing the second time) and
//! publishes the next chunk's event until nothing remains. Then one
//! `InvoicesImported` per family for the whole import: one e-mail.
//!
//! Items (`docs/billing-import.md`):
//! - `IMPORT#<id>` / `GRANT`: the upload's grant (kind, size, who), a day;
//! - `IMPORTS` / `JOB#<id>`: the job (state, counts), a year; the list of
//!   the last imports is one query of this partition, newest first;
//! - `IMPORTS` / `RUNNING`: the one import running in the commune, kept
//!   alive by each chunk (an import whose chain broke frees it after
//!   [`LOCK_SECS`]);
//! - `IMPORT#<id>` / `F#<family>#<ulid>`: the invoices one chunk created
//!   for one family (one item per chunk and family, never a growing list).

use std::collections::BTreeMap;

use async_trait::async_trait;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use marelle_domain::billing::import::{ImportErrors, MAX_FILE_BYTES};
use marelle_domain::ports::blobs::STAGING_PREFIX;
use marelle_domain::ports::store::{Condition, Item, Key, Query, Update, Write};
use marelle_domain::ports::{BlobError, Event, EventHandler, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::import::{self as csv_import, BillingImportReport};
use crate::family::UploadTarget;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody};
use crate::http::state::AppState;

/// The chunk event's `detail_type`.
pub const CHUNK_EVENT: &str = "BillingImportChunk";

/// How long the upload URL works, in seconds.
const UPLOAD_GRANT_SECS: u64 = 300;

/// How long an import that stopped moving keeps the commune's lock.
pub const LOCK_SECS: i64 = 15 * 60;

/// Attempts at one chunk before the import is marked failed (Lambda's
/// asynchronous invocation tries three times; the in-process bus five).
const ATTEMPTS: i64 = 3;

/// Imports listed by `GET /api/agent/imports`.
const LISTED: usize = 20;

/// Invoice ids in one `InvoicesImported` event (an EventBridge entry is at
/// most 256 KB): a family with more gets more than one e-mail.
const IDS_PER_EVENT: usize = 5_000;

const PARTITION: &str = "IMPORTS";

fn grant_key(id: &str) -> Key {
    Key::new(format!("IMPORT#{id}"), "GRANT")
}

fn job_key(id: &str) -> Key {
    Key::new(PARTITION, format!("JOB#{id}"))
}

fn lock_key() -> Key {
    Key::new(PARTITION, "RUNNING")
}

/// Where the browser uploads (never served, removed after a day).
fn staged_blob(id: &str) -> String {
    format!("{STAGING_PREFIX}imports/{id}.csv")
}

/// The copy the job reads, out of the upload URL's reach.
fn work_blob(id: &str) -> String {
    format!("imports/{id}.csv")
}

/// The agents' routes of background imports (served by the `billing`
/// function, which also runs the chunks).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/imports", get(list).post(create))
        .route("/api/agent/imports/{id}", get(show))
        .route("/api/agent/imports/{id}/check", post(check))
        .route("/api/agent/imports/{id}/start", post(start))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// Invoices with their lines.
    Invoices,
    /// Payments (règlements).
    Payments,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// The file is expected or being checked: not started.
    Pending,
    Running,
    Done,
    Failed,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub kind: ImportKind,
    /// The file's size in bytes, at most 10 MB.
    pub size: u64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ImportUploadAnswer {
    pub import_id: String,
    /// Where to PUT the file (`text/csv`, the size announced), once, within
    /// 5 minutes.
    pub upload: UploadTarget,
}

#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    kind: ImportKind,
    size: u64,
    account_id: String,
    created_at: DateTime<Utc>,
}

/// An import, as stored and as answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportJob {
    pub id: String,
    pub kind: ImportKind,
    pub state: ImportState,
    /// Rows of the file (header left out).
    pub rows: usize,
    /// Rows done: already stored or written.
    pub rows_done: usize,
    /// Invoices (or payments) in the file.
    pub total: usize,
    /// Invoices (payments) done.
    pub done: usize,
    /// Created by this import (so far, while running).
    pub created: usize,
    /// Already stored, identical: left as they are.
    pub unchanged: usize,
    /// Lines of the invoices created.
    pub lines: usize,
    /// Families whose invoices (payments) were created.
    pub families: usize,
    /// Who started it (account id).
    pub started_by: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed, in French.
    pub error: Option<String>,
    /// Chunks written so far.
    pub chunk: i64,
    #[serde(skip)]
    pub chunk_size: usize,
    #[serde(skip)]
    pub attempts: i64,
    #[serde(skip)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// What is stored: the view plus the worker's fields.
#[derive(Debug, Serialize, Deserialize)]
struct StoredJob {
    #[serde(flatten)]
    job: ImportJob,
    chunk_size: usize,
    #[serde(default)]
    attempts: i64,
    updated_at: DateTime<Utc>,
}

impl StoredJob {
    fn from_item(item: &Item) -> ApiResult<ImportJob> {
        let s: StoredJob = item.data()?;
        let mut job = s.job;
        job.chunk_size = s.chunk_size;
        job.attempts = s.attempts;
        job.updated_at = Some(s.updated_at);
        Ok(job)
    }

    fn item(job: &ImportJob, now: DateTime<Utc>) -> ApiResult<Item> {
        let stored = StoredJob {
            job: job.clone(),
            chunk_size: job.chunk_size,
            attempts: job.attempts,
            updated_at: now,
        };
        Ok(Item::with_data(job_key(&job.id), &stored)?
            .expires_at((now + Duration::days(365)).timestamp()))
    }
}

/// A running import that has not moved for [`LOCK_SECS`] broke off (its
/// process stopped): shown as failed.
fn as_seen(mut job: ImportJob, now: DateTime<Utc>) -> ImportJob {
    let stale = job
        .updated_at
        .is_some_and(|u| now - u > Duration::seconds(LOCK_SECS));
    if job.state == ImportState::Running && stale {
        job.state = ImportState::Failed;
        job.error = Some(
            "L'import s'est interrompu. Relancez-le avec le même fichier : ce qui est déjà importé ne le sera pas deux fois."
                .into(),
        );
    }
    job
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        "Le fichier ne doit pas dépasser 10 Mo.",
    )
}

fn file_missing() -> ApiError {
    ApiError::rule(
        "import_file_missing",
        "Le fichier n'a pas été reçu. Choisissez-le et envoyez-le de nouveau.",
    )
}

fn already_started() -> ApiError {
    ApiError::conflict(
        "import_already_started",
        "Cet import est déjà lancé : suivez sa progression ci-dessous.",
    )
}

fn running() -> ApiError {
    ApiError::conflict(
        "import_running",
        "Un autre import est en cours dans la commune. Attendez qu'il se termine pour lancer celui-ci.",
    )
}

/// `POST /api/agent/imports`: where to upload a file to import.
#[utoipa::path(post, path = "/api/agent/imports", tag = "agent", request_body = ImportRequest,
    responses(
        (status = 201, description = "Adresse d'envoi du fichier (PUT, `text/csv`, la taille annoncée, une fois, 5 minutes)", body = ImportUploadAnswer),
        (status = 413, description = "Fichier de plus de 10 Mo (`file_too_large`)", body = Problem),
        (status = 422, description = "Fichier vide (`file_empty`)", body = Problem),
    ))]
pub async fn create(
    State(app): State<AppState>,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<ImportRequest>,
) -> ApiResult<impl IntoResponse> {
    if body.size == 0 {
        return Err(ApiError::rule("file_empty", "Le fichier est vide."));
    }
    if body.size > MAX_FILE_BYTES as u64 {
        return Err(too_large());
    }
    let id = app.ids.next();
    let now = app.clock.now();
    let grant = Grant {
        kind: body.kind,
        size: body.size,
        account_id: agent.account_id,
        created_at: now,
    };
    app.store
        .put(
            Item::with_data(grant_key(&id), &grant)?
                .expires_at((now + Duration::days(1)).timestamp()),
            Some(Condition::NotExists),
        )
        .await?;
    let upload = app
        .blobs
        .presign_upload(&staged_blob(&id), "text/csv", body.size, UPLOAD_GRANT_SECS)
        .await
        .map_err(|e| ApiError::unavailable("presign", e))?;
    Ok((
        StatusCode::CREATED,
        Json(ImportUploadAnswer {
            import_id: id,
            upload: UploadTarget {
                url: upload.url,
                method: upload.method,
                headers: upload.headers,
            },
        }),
    ))
}

async fn load_grant(app: &AppState, id: &str) -> ApiResult<Grant> {
    if id.len() > 40 || id.contains('#') {
        return Err(ApiError::not_found());
    }
    let item = app
        .store
        .get(&grant_key(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(item.data()?)
}

/// The uploaded file's bytes (at most 10 MB).
async fn read_blob(app: &AppState, key: &str) -> ApiResult<Vec<u8>> {
    match app.blobs.head(key).await {
        Ok(info) if info.size > MAX_FILE_BYTES as u64 => return Err(too_large()),
        Ok(_) => {}
        Err(BlobError::NotFound) => return Err(file_missing()),
        Err(e) => return Err(ApiError::unavailable("blob head", e)),
    }
    match app.blobs.get(key).await {
        Ok(bytes) if bytes.len() > MAX_FILE_BYTES => Err(too_large()),
        Ok(bytes) => Ok(bytes),
        Err(BlobError::NotFound) => Err(file_missing()),
        Err(e) => Err(ApiError::unavailable("blob get", e)),
    }
}

/// What a check of the file found.
struct Checked {
    report: BillingImportReport,
    rows: usize,
    total: usize,
}

/// The dry run of the direct routes, on the uploaded file.
async fn dry_run(
    app: &AppState,
    kind: ImportKind,
    bytes: &[u8],
) -> ApiResult<Result<Checked, ImportErrors>> {
    let mut report = BillingImportReport::new(true);
    Ok(match kind {
        ImportKind::Invoices => csv_import::check_invoices(app, bytes).await?.map(|plan| {
            report.created = plan.new.len();
            report.unchanged = plan.unchanged;
            report.lines = plan.lines();
            report.families = plan.families();
            Checked {
                report,
                rows: plan.rows,
                total: plan.total,
            }
        }),
        ImportKind::Payments => csv_import::check_payments(app, bytes).await?.map(|plan| {
            report.created = plan.new.len();
            report.unchanged = plan.unchanged;
            report.families = plan.families;
            Checked {
                report,
                rows: plan.total,
                total: plan.total,
            }
        }),
    })
}

/// `POST /api/agent/imports/{id}/check`: the uploaded file checked, as a
/// dry run of the direct routes; nothing is written.
#[utoipa::path(post, path = "/api/agent/imports/{id}/check", tag = "agent",
    params(("id" = String, Path, description = "L'import")),
    responses(
        (status = 200, description = "Ce que l'import ferait (rien n'est écrit)", body = BillingImportReport),
        (status = 404, description = "Import inconnu ou expiré", body = Problem),
        (status = 413, description = "Fichier de plus de 10 Mo (`file_too_large`)", body = Problem),
        (status = 422, description = "Fichier non conforme (`invalid_import`, toutes les erreurs) ; ou fichier pas reçu (`import_file_missing`, un Problem)", body = BillingImportReport),
    ))]
pub async fn check(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let grant = load_grant(&app, &id).await?;
    let bytes = read_blob(&app, &staged_blob(&id)).await?;
    Ok(match dry_run(&app, grant.kind, &bytes).await? {
        Ok(checked) => (StatusCode::OK, Json(checked.report)).into_response(),
        Err(errors) => BillingImportReport::invalid(true, errors).into_response(),
    })
}

/// `POST /api/agent/imports/{id}/start`: checks the file again and starts
/// the import in the background.
#[utoipa::path(post, path = "/api/agent/imports/{id}/start", tag = "agent",
    params(("id" = String, Path, description = "L'import")),
    responses(
        (status = 202, description = "Import lancé : suivre `GET /api/agent/imports/{id}`", body = ImportJob),
        (status = 404, description = "Import inconnu ou expiré", body = Problem),
        (status = 409, description = "Déjà lancé (`import_already_started`) ou un autre import en cours (`import_running`)", body = Problem),
        (status = 413, description = "Fichier de plus de 10 Mo (`file_too_large`)", body = Problem),
        (status = 422, description = "Fichier non conforme (`invalid_import`, toutes les erreurs, rien n'est écrit) ; ou pas reçu (`import_file_missing`)", body = BillingImportReport),
    ))]
pub async fn start(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let grant = load_grant(&app, &id).await?;
    if app.store.get(&job_key(&id)).await?.is_some() {
        return Err(already_started());
    }
    let staged = staged_blob(&id);
    let bytes = read_blob(&app, &staged).await?;
    let checked = match dry_run(&app, grant.kind, &bytes).await? {
        Ok(checked) => checked,
        Err(errors) => return Ok(BillingImportReport::invalid(false, errors).into_response()),
    };
    drop(bytes);
    let now = app.clock.now();
    let job = ImportJob {
        id: id.clone(),
        kind: grant.kind,
        state: ImportState::Running,
        rows: checked.rows,
        rows_done: 0,
        total: checked.total,
        done: 0,
        created: 0,
        unchanged: 0,
        lines: 0,
        families: 0,
        started_by: agent.account_id,
        started_at: Some(now),
        finished_at: None,
        error: None,
        chunk: 0,
        chunk_size: app.settings.import_chunk.max(1),
        attempts: 0,
        updated_at: Some(now),
    };
    let mut lock =
        Item::new(lock_key()).expires_at((now + Duration::seconds(LOCK_SECS)).timestamp());
    lock.set("import_id", Value::String(id.clone()));
    let r = app
        .store
        .transact(vec![
            Write::put_new(StoredJob::item(&job, now)?),
            Write::Put {
                item: lock,
                condition: Some(Condition::NotExists),
            },
        ])
        .await;
    match r {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(already_started()),
        Err(StoreError::ConditionFailed { .. }) => return Err(running()),
        Err(e) => return Err(e.into()),
    }
    // The job reads a copy the upload URL cannot write to.
    if let Err(e) = app.blobs.copy(&staged, &work_blob(&id)).await {
        let message = "L'import n'a pas pu démarrer. Réessayez dans quelques instants.";
        finish_failed(&app, &job, message).await;
        return Err(ApiError::unavailable("blob copy", e));
    }
    if let Err(e) = app.bus.publish(vec![chunk_event(&id, 0)]).await {
        let message = "L'import n'a pas pu démarrer. Réessayez dans quelques instants.";
        finish_failed(&app, &job, message).await;
        return Err(ApiError::unavailable("bus", e));
    }
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

/// `GET /api/agent/imports/{id}`: where an import is.
#[utoipa::path(get, path = "/api/agent/imports/{id}", tag = "agent",
    params(("id" = String, Path, description = "L'import")),
    responses(
        (status = 200, description = "L'import (`pending` tant qu'il n'est pas lancé)", body = ImportJob),
        (status = 404, description = "Import inconnu ou expiré", body = Problem),
    ))]
pub async fn show(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportJob>> {
    if id.len() > 40 || id.contains('#') {
        return Err(ApiError::not_found());
    }
    if let Some(item) = app.store.get(&job_key(&id)).await? {
        return Ok(Json(as_seen(StoredJob::from_item(&item)?, app.clock.now())));
    }
    let grant = load_grant(&app, &id).await?;
    Ok(Json(ImportJob {
        id,
        kind: grant.kind,
        state: ImportState::Pending,
        rows: 0,
        rows_done: 0,
        total: 0,
        done: 0,
        created: 0,
        unchanged: 0,
        lines: 0,
        families: 0,
        started_by: grant.account_id,
        started_at: None,
        finished_at: None,
        error: None,
        chunk: 0,
        chunk_size: 0,
        attempts: 0,
        updated_at: None,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportList {
    /// The last 20 imports started, newest first.
    pub items: Vec<ImportJob>,
}

/// `GET /api/agent/imports`: the last imports started.
#[utoipa::path(get, path = "/api/agent/imports", tag = "agent",
    responses((status = 200, description = "Les 20 derniers imports lancés, du plus récent au plus ancien", body = ImportList)))]
pub async fn list(State(app): State<AppState>, Agent(_): Agent) -> ApiResult<Json<ImportList>> {
    let page = app
        .store
        .query(
            Query::new(PARTITION)
                .begins_with("JOB#")
                .backwards()
                .limit(LISTED),
        )
        .await?;
    let now = app.clock.now();
    let items = page
        .items
        .iter()
        .map(|i| StoredJob::from_item(i).map(|j| as_seen(j, now)))
        .collect::<ApiResult<_>>()?;
    Ok(Json(ImportList { items }))
}

fn chunk_event(id: &str, chunk: i64) -> Event {
    Event {
        id: format!("{id}-{chunk}"),
        detail_type: CHUNK_EVENT.into(),
        detail: serde_json::json!({"import_id": id, "chunk": chunk}),
    }
}

#[derive(Debug, Deserialize)]
struct ChunkDetail {
    import_id: String,
    chunk: i64,
}

/// Marks the job failed (if it still runs), frees the lock, removes the
/// files. What was written stays: the same file imported again finishes it.
async fn finish_failed(app: &AppState, job: &ImportJob, message: &str) {
    let now = app.clock.now();
    let r = app
        .store
        .update(
            &job_key(&job.id),
            Update::new()
                .set("state", "failed")
                .set("error", message)
                .set("finished_at", now.to_rfc3339())
                .set("updated_at", now.to_rfc3339()),
            Some(Condition::Equals(
                "state".into(),
                Value::String("running".into()),
            )),
        )
        .await;
    if let Err(e) = r
        && !e.is_condition_failed()
    {
        tracing::error!(import = %job.id, error = %e, "import not marked failed");
    }
    release(app, job).await;
}

/// Frees the commune's lock and removes the import's files.
async fn release(app: &AppState, job: &ImportJob) {
    let _ = app
        .store
        .delete(
            &lock_key(),
            Some(Condition::Equals(
                "import_id".into(),
                Value::String(job.id.clone()),
            )),
        )
        .await;
    for key in [work_blob(&job.id), staged_blob(&job.id)] {
        if let Err(e) = app.blobs.delete(&key).await
            && !matches!(e, BlobError::NotFound)
        {
            tracing::warn!(import = %job.id, error = %e, "import file not removed");
        }
    }
}

/// Why a chunk could not be written.
enum ChunkError {
    /// For good: the import is marked failed with this French message.
    Fatal(String),
    /// Maybe passing (a service unavailable): tried again.
    Retry(String),
}

impl From<ApiError> for ChunkError {
    fn from(e: ApiError) -> Self {
        ChunkError::Retry(format!("{}: {}", e.code, e.detail))
    }
}

impl From<StoreError> for ChunkError {
    fn from(e: StoreError) -> Self {
        ChunkError::Retry(e.to_string())
    }
}

/// What one chunk did.
struct Progress {
    remaining: usize,
    remaining_rows: usize,
    created: usize,
    lines: usize,
}

/// The background imports' worker: one chunk per `BillingImportChunk`.
pub struct ImportWorker {
    app: AppState,
}

impl ImportWorker {
    pub fn new(app: AppState) -> Self {
        Self { app }
    }

    async fn run(&self, detail: ChunkDetail) -> Result<(), String> {
        let app = &self.app;
        let Some(item) = app
            .store
            .get(&job_key(&detail.import_id))
            .await
            .map_err(|e| e.to_string())?
        else {
            tracing::warn!(import = %detail.import_id, "chunk of an unknown import: ignored");
            return Ok(());
        };
        let job = StoredJob::from_item(&item).map_err(|e| e.detail)?;
        if job.state != ImportState::Running || job.chunk != detail.chunk {
            // Delivered again, or a chain that moved on: done already.
            return Ok(());
        }
        match self.chunk(&job).await {
            Ok(()) => Ok(()),
            Err(ChunkError::Fatal(message)) => {
                finish_failed(app, &job, &message).await;
                Ok(())
            }
            Err(ChunkError::Retry(e)) => {
                let attempts = count_chunk_attempt(app, &job_key(&job.id), job.chunk).await;
                if attempts >= ATTEMPTS {
                    tracing::error!(import = %job.id, error = %e, "import failed after retries");
                    finish_failed(
                        app,
                        &job,
                        "L'import s'est arrêté sur une erreur du service. Relancez-le avec le même fichier : ce qui est déjà importé ne le sera pas deux fois.",
                    )
                    .await;
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn chunk(&self, job: &ImportJob) -> Result<(), ChunkError> {
        let app = &self.app;
        let bytes = match read_blob(app, &work_blob(&job.id)).await {
            Ok(b) => b,
            Err(e) if e.code == "import_file_missing" || e.code == "file_too_large" => {
                return Err(ChunkError::Fatal(
                    "Le fichier de l'import n'est plus disponible. Envoyez-le de nouveau.".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let progress = match job.kind {
            ImportKind::Invoices => self.invoices(job, &bytes).await?,
            ImportKind::Payments => self.payments(job, &bytes).await?,
        };
        drop(bytes);
        let now = app.clock.now();
        let next = job.chunk + 1;
        let moved = Update::new()
            .set("chunk", next)
            .set("attempts", 0)
            .set("done", job.total.saturating_sub(progress.remaining) as u64)
            .set(
                "rows_done",
                job.rows.saturating_sub(progress.remaining_rows) as u64,
            )
            .set("updated_at", now.to_rfc3339())
            .add("created", progress.created as i64)
            .add("lines", progress.lines as i64);
        let on_chunk = Condition::Equals("chunk".into(), Value::from(job.chunk));
        if progress.remaining > 0 {
            match app
                .store
                .update(&job_key(&job.id), moved, Some(on_chunk))
                .await
            {
                Ok(_) => {}
                // Another delivery of this chunk moved it on first.
                Err(e) if e.is_condition_failed() => return Ok(()),
                Err(e) => return Err(e.into()),
            }
            let _ = app
                .store
                .update(
                    &lock_key(),
                    Update::new().set(
                        marelle_domain::ports::store::attr::TTL,
                        (now + Duration::seconds(LOCK_SECS)).timestamp(),
                    ),
                    Some(Condition::Equals(
                        "import_id".into(),
                        Value::String(job.id.clone()),
                    )),
                )
                .await;
            if let Err(e) = app.bus.publish(vec![chunk_event(&job.id, next)]).await {
                // Back to this chunk, so that its redelivery carries on.
                let _ = app
                    .store
                    .update(
                        &job_key(&job.id),
                        Update::new().set("chunk", job.chunk),
                        Some(Condition::Equals("chunk".into(), Value::from(next))),
                    )
                    .await;
                return Err(ChunkError::Retry(e.to_string()));
            }
            return Ok(());
        }
        self.finish(job, now).await
    }

    async fn invoices(&self, job: &ImportJob, bytes: &[u8]) -> Result<Progress, ChunkError> {
        let app = &self.app;
        let plan = match csv_import::check_invoices(app, bytes).await? {
            Ok(plan) => plan,
            Err(errors) => return Err(ChunkError::Fatal(changed_meanwhile(errors))),
        };
        let chunk = csv_import::write_invoice_chunk(app, plan.new, job.chunk_size).await?;
        let created = &chunk.written.invoices;
        // Each chunk's invoices, by family, under its own key: what a
        // redelivery writes adds up, nothing is overwritten.
        let mut records = Vec::new();
        for (family_id, ids) in csv_import::by_family(created) {
            let lines: usize = created
                .iter()
                .filter(|i| i.family_id == family_id)
                .map(|i| i.line_count)
                .sum();
            let record = FamilyRecord {
                family_id: family_id.clone(),
                invoice_ids: ids,
                lines,
            };
            records.push(
                Item::with_data(
                    Key::new(
                        format!("IMPORT#{}", job.id),
                        format!("F#{family_id}#{}", app.ids.next()),
                    ),
                    &record,
                )?
                .expires_at((app.clock.now() + Duration::days(30)).timestamp()),
            );
        }
        app.store.write_many(records, Vec::new()).await?;
        Ok(Progress {
            remaining: chunk.remaining,
            remaining_rows: chunk.remaining_rows,
            created: created.len(),
            lines: created.iter().map(|i| i.line_count).sum(),
        })
    }

    async fn payments(&self, job: &ImportJob, bytes: &[u8]) -> Result<Progress, ChunkError> {
        let app = &self.app;
        let plan = match csv_import::check_payments(app, bytes).await? {
            Ok(plan) => plan,
            Err(errors) => return Err(ChunkError::Fatal(changed_meanwhile(errors))),
        };
        let chunk = csv_import::write_payment_chunk(app, plan.new, job.chunk_size).await?;
        if chunk.created > 0 {
            let record = PaymentRecord {
                created: chunk.created,
            };
            app.store
                .put(
                    Item::with_data(
                        Key::new(
                            format!("IMPORT#{}", job.id),
                            format!("P#{}", app.ids.next()),
                        ),
                        &record,
                    )?
                    .expires_at((app.clock.now() + Duration::days(30)).timestamp()),
                    None,
                )
                .await?;
        }
        Ok(Progress {
            remaining: chunk.remaining,
            remaining_rows: chunk.remaining,
            created: chunk.created,
            lines: 0,
        })
    }

    /// Nothing remains: one `InvoicesImported` per family for the whole
    /// import (event ids fixed by import and family, so that a redelivery
    /// sends no e-mail twice), then the job is done.
    async fn finish(&self, job: &ImportJob, now: DateTime<Utc>) -> Result<(), ChunkError> {
        let app = &self.app;
        let mut families: BTreeMap<String, (Vec<String>, usize)> = BTreeMap::new();
        let mut created_payments = 0;
        let mut cursor = None;
        loop {
            let page = app
                .store
                .query(Query::new(format!("IMPORT#{}", job.id)).after(cursor))
                .await?;
            for item in &page.items {
                if item.sk().starts_with("F#") {
                    let r: FamilyRecord = item.data()?;
                    let entry = families.entry(r.family_id).or_default();
                    entry.0.extend(r.invoice_ids);
                    entry.1 += r.lines;
                } else if item.sk().starts_with("P#") {
                    let r: PaymentRecord = item.data()?;
                    created_payments += r.created;
                }
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let (created, lines) = match job.kind {
            ImportKind::Invoices => (
                families.values().map(|(ids, _)| ids.len()).sum::<usize>(),
                families.values().map(|(_, l)| *l).sum::<usize>(),
            ),
            ImportKind::Payments => (created_payments, 0),
        };
        let family_count = match job.kind {
            ImportKind::Invoices => families.len(),
            ImportKind::Payments => 0,
        };
        let mut events = Vec::new();
        for (family_id, (mut ids, _)) in families {
            ids.sort();
            for (n, part) in ids.chunks(IDS_PER_EVENT).enumerate() {
                events.push(csv_import::imported_event(
                    format!("{}-{family_id}-{n}", job.id),
                    family_id.clone(),
                    part.to_vec(),
                ));
            }
        }
        for batch in events.chunks(100) {
            app.bus
                .publish(batch.to_vec())
                .await
                .map_err(|e| ChunkError::Retry(e.to_string()))?;
        }
        let done = Update::new()
            .set("state", "done")
            .set("chunk", job.chunk + 1)
            .set("attempts", 0)
            .set("done", job.total as u64)
            .set("rows_done", job.rows as u64)
            .set("created", created as u64)
            .set("unchanged", job.total.saturating_sub(created) as u64)
            .set("lines", lines as u64)
            .set("families", family_count as u64)
            .set("finished_at", now.to_rfc3339())
            .set("updated_at", now.to_rfc3339());
        match app
            .store
            .update(
                &job_key(&job.id),
                done,
                Some(Condition::Equals("chunk".into(), Value::from(job.chunk))),
            )
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_condition_failed() => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        release(app, job).await;
        Ok(())
    }
}

/// The file was right at the start; what is stored changed meanwhile.
fn changed_meanwhile(errors: ImportErrors) -> String {
    let errors = errors.sorted();
    let first = errors
        .errors
        .first()
        .map(|e| format!(" Ligne {} : {}", e.line, e.message))
        .unwrap_or_default();
    format!(
        "Le fichier ne correspond plus à ce qui est enregistré ({} erreur{}).{first} Vérifiez-le de nouveau.",
        errors.len(),
        if errors.len() > 1 { "s" } else { "" }
    )
}

#[derive(Debug, Serialize, Deserialize)]
struct FamilyRecord {
    family_id: String,
    invoice_ids: Vec<String>,
    lines: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct PaymentRecord {
    created: usize,
}

#[async_trait]
impl EventHandler for ImportWorker {
    async fn handle(&self, event: &Event) -> Result<(), String> {
        if event.detail_type != CHUNK_EVENT {
            return Ok(());
        }
        let detail: ChunkDetail = serde_json::from_value(event.detail.clone())
            .map_err(|e| format!("chunk event unreadable: {e}"))?;
        self.run(detail).await
    }
}

/// Counts one more failed attempt at a job's chunk (while the job is still
/// on that chunk) and returns the count: the background jobs (imports,
/// invoicing runs) give up on a chunk after a few.
pub(crate) async fn count_chunk_attempt(app: &AppState, job: &Key, chunk: i64) -> i64 {
    app.store
        .update(
            job,
            Update::new().add("attempts", 1),
            Some(Condition::Equals("chunk".into(), Value::from(chunk))),
        )
        .await
        .ok()
        .and_then(|i| i.get("attempts").and_then(Value::as_i64))
        .unwrap_or(0)
}
