//! A run (dry or issuing) for a régie and a month, in the background, as
//! the billing imports do (`billing::import_jobs`): the route records the
//! job and its families in chunks, and publishes the first chunk's event;
//! the [`RunWorker`] (on the in-process bus in `marelle`, the `billing`
//! Lambda through its EventBridge rule in AWS) bills one chunk per event,
//! moves the job on with a conditional write on its chunk number (an event
//! delivered twice does nothing the second time) and publishes the next
//! chunk's event until none remains. Each family's outcome is kept in
//! result pages of [`PAGE`] families, which the page reads one at a time.
//!
//! Items:
//! - `INVRUNS` / `JOB#<id>`: the job (régie, month, dry or not, state,
//!   counts), a year;
//! - `INVJOB#<id>` / `FAM#<first index>`: the families of one chunk;
//! - `INVJOB#<id>` / `R#<first index>`: the outcome of [`PAGE`] families.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::StreamExt;
use marelle_domain::invoicing::run::{BillingMonth, FamilyBill};
use marelle_domain::ports::store::{Condition, Item, Key, Query, Update};
use marelle_domain::ports::{Event, EventHandler, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::gather::{self, FamilyMonth, RegieMonth};
use super::issue::{Issued, issue_family};
use crate::billing::regies::Regie;
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// The chunk event's `detail_type`.
pub const CHUNK_EVENT: &str = "InvoicingRunChunk";

/// Families on one result page.
pub const PAGE: usize = 20;

/// Families read at once within a chunk.
const CONCURRENCY: usize = 8;

/// A job that stopped moving this long ago is shown as interrupted.
const STALE_SECS: i64 = 15 * 60;

/// Attempts at one chunk before the run is marked failed.
const ATTEMPTS: i64 = 3;

/// A family issued less than this many days ago by another run gets its
/// e-mail's event again (the notifier keeps its claims 30 days).
const RESEND_DAYS: i64 = 7;

const PARTITION: &str = "INVRUNS";

pub fn job_key(id: &str) -> Key {
    Key::new(PARTITION, format!("JOB#{id}"))
}

fn families_key(id: &str, first: usize) -> Key {
    Key::new(format!("INVJOB#{id}"), format!("FAM#{first:07}"))
}

pub fn page_key(id: &str, first: usize) -> Key {
    Key::new(format!("INVJOB#{id}"), format!("R#{first:07}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Done,
    Failed,
}

/// A run, as stored and as answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunJob {
    pub id: String,
    pub regie_id: String,
    pub regie_name: String,
    pub regie_code: String,
    #[schema(value_type = String, example = "2027-02")]
    pub month: BillingMonth,
    /// A dry run writes no invoice.
    pub dry_run: bool,
    pub state: RunState,
    /// Families of the run (enrolled in the régie's activities that month).
    pub families: usize,
    /// Families done so far.
    pub done: usize,
    /// Families with something to bill (total > 0).
    pub billed: usize,
    /// Σ of the families' totals, in cents (those > 0).
    pub total_cents: i64,
    /// Lines of the families billed.
    pub lines: usize,
    /// Days not billed, with a reason, over every family.
    pub skipped: usize,
    /// Invoices this run issued.
    pub issued: usize,
    /// Families an earlier run had issued: left as they were.
    pub already_issued: usize,
    /// The first and last numbers this run issued (once done).
    pub first_number: Option<String>,
    pub last_number: Option<String>,
    /// Families that could not be billed, and why (French).
    pub errors: usize,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed, in French.
    pub error: Option<String>,
    /// Chunks done so far.
    pub chunk: i64,
    pub chunk_size: usize,
    #[serde(default)]
    pub attempts: i64,
    pub updated_at: DateTime<Utc>,
}

impl RunJob {
    pub fn item(&self) -> ApiResult<Item> {
        Ok(Item::with_data(job_key(&self.id), self)?
            .expires_at((self.updated_at + Duration::days(365)).timestamp()))
    }

    /// The job as an agent sees it: a run that stopped moving is failed.
    pub fn as_seen(mut self, now: DateTime<Utc>) -> Self {
        if self.state == RunState::Running && now - self.updated_at > Duration::seconds(STALE_SECS)
        {
            self.state = RunState::Failed;
            self.error = Some(
                "La facturation s'est interrompue. Relancez-la\u{a0}: les familles déjà facturées ne le seront pas deux fois."
                    .into(),
            );
        }
        self
    }

    /// Result pages.
    pub fn pages(&self) -> usize {
        self.families.div_ceil(PAGE)
    }
}

/// One family's outcome in a run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FamilyResult {
    pub family_id: String,
    /// "DUPONT Matthieu et Léa".
    pub label: String,
    /// What the month bills (lines, days skipped and why, notes, total).
    pub bill: FamilyBill,
    /// When issuing: what was done.
    pub issue: Option<Issued>,
    /// Why the family could not be billed (French), if so.
    pub error: Option<String>,
    /// Issued lately by a run that may have stopped before its e-mail: the
    /// e-mail's event goes again (the notifier sends it once per event id).
    #[serde(skip)]
    pub recent: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct FamiliesItem {
    families: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PageItem {
    pub families: Vec<FamilyResult>,
}

/// Records a run and publishes its first chunk.
pub async fn start(
    app: &AppState,
    regie: &Regie,
    code: &str,
    month: BillingMonth,
    dry_run: bool,
    account_id: &str,
) -> ApiResult<RunJob> {
    let activities = gather::regie_activities(app, &regie.id).await?;
    if activities.is_empty() {
        return Err(ApiError::rule(
            "no_billed_activity",
            "Aucune activité n'est facturée par cette régie\u{a0}: réglez d'abord la facturation des activités.",
        ));
    }
    let ids: Vec<String> = activities.iter().map(|a| a.0.id.clone()).collect();
    let families = gather::families_of(app, &ids, month).await?;
    let now = app.clock.now();
    let id = app.ids.next();
    // A chunk is whole pages, unless it is smaller than one.
    let chunk = app.settings.invoicing_chunk.max(1);
    let chunk_size = if chunk >= PAGE {
        chunk / PAGE * PAGE
    } else {
        chunk
    };
    let ttl = (now + Duration::days(30)).timestamp();
    let mut items = Vec::new();
    for (n, part) in families.chunks(chunk_size).enumerate() {
        items.push(
            Item::with_data(
                families_key(&id, n * chunk_size),
                &FamiliesItem {
                    families: part.to_vec(),
                },
            )?
            .expires_at(ttl),
        );
    }
    app.store.write_many(items, Vec::new()).await?;
    let job = RunJob {
        id: id.clone(),
        regie_id: regie.id.clone(),
        regie_name: regie.name.clone(),
        regie_code: code.to_string(),
        month,
        dry_run,
        state: RunState::Running,
        families: families.len(),
        done: 0,
        billed: 0,
        total_cents: 0,
        lines: 0,
        skipped: 0,
        issued: 0,
        already_issued: 0,
        first_number: None,
        last_number: None,
        errors: 0,
        started_by: account_id.to_string(),
        started_at: now,
        finished_at: None,
        error: None,
        chunk: 0,
        chunk_size,
        attempts: 0,
        updated_at: now,
    };
    if !dry_run {
        mark_issued_through(app, &regie.id, month).await?;
    }
    app.store
        .put(job.item()?, Some(Condition::NotExists))
        .await?;
    if let Err(e) = app.bus.publish(vec![chunk_event(&id, 0)]).await {
        fail(
            app,
            &job,
            "La facturation n'a pas pu démarrer. Réessayez dans quelques instants.",
        )
        .await;
        return Err(ApiError::unavailable("bus", e));
    }
    Ok(job)
}

pub async fn load(app: &AppState, id: &str) -> ApiResult<Option<RunJob>> {
    if id.is_empty() || id.len() > 40 || id.contains('#') {
        return Ok(None);
    }
    Ok(app
        .store
        .get(&job_key(id))
        .await?
        .map(|i| i.data::<RunJob>())
        .transpose()?)
}

pub async fn page(app: &AppState, job: &RunJob, n: usize) -> ApiResult<Vec<FamilyResult>> {
    Ok(app
        .store
        .get(&page_key(&job.id, n * PAGE))
        .await?
        .map(|i| i.data::<PageItem>())
        .transpose()?
        .map(|p| p.families)
        .unwrap_or_default())
}

fn chunk_event(id: &str, chunk: i64) -> Event {
    Event {
        id: format!("invrun-{id}-{chunk}"),
        detail_type: CHUNK_EVENT.into(),
        detail: serde_json::json!({"run_id": id, "chunk": chunk}),
    }
}

/// The event that sends a family its "new invoice" e-mail: one id per
/// (régie, month, family), so that the e-mail goes once whatever the runs.
fn invoice_event(job: &RunJob, family_id: &str, invoice_id: &str) -> Event {
    crate::billing::import::imported_event(
        format!("invrun-{}-{}-{family_id}", job.regie_code, job.month),
        family_id.to_string(),
        vec![invoice_id.to_string()],
    )
}

async fn fail(app: &AppState, job: &RunJob, message: &str) {
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
        tracing::error!(run = %job.id, error = %e, "invoicing run not marked failed");
    }
}

#[derive(Debug, Deserialize)]
struct ChunkDetail {
    run_id: String,
    chunk: i64,
}

/// Counts of one chunk.
#[derive(Default)]
struct Tally {
    billed: i64,
    total_cents: i64,
    lines: i64,
    skipped: i64,
    issued: i64,
    already: i64,
    errors: i64,
}

/// Bills (and issues) a list of families of a régie's month: what one
/// chunk does. Public for the tests, which stop a run half-way with it.
pub async fn process_families(
    app: &AppState,
    rm: &RegieMonth,
    families: &[String],
    issue_on: Option<NaiveDate>,
) -> ApiResult<Vec<FamilyResult>> {
    let reads: Vec<_> = families
        .iter()
        .map(|f| Box::pin(gather::family_month(app, rm, f)))
        .collect();
    let months: Vec<ApiResult<FamilyMonth>> = futures::stream::iter(reads)
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut out = Vec::with_capacity(families.len());
    for (family_id, fm) in families.iter().zip(months) {
        let mut fm = fm?;
        if !fm.exists {
            out.push(FamilyResult {
                family_id: family_id.clone(),
                label: String::new(),
                bill: fm.bill,
                issue: None,
                error: Some("Famille introuvable".into()),
                recent: false,
            });
            continue;
        }
        let mut issue = None;
        let mut error = None;
        if let Some(on) = issue_on {
            let now = app.clock.now();
            let mut r = issue_family(app, rm, &fm, on, now).await;
            if matches!(&r, Err(e) if e.code == "conflict") {
                // A correction changed meanwhile: bill the family again.
                fm = gather::family_month(app, rm, family_id).await?;
                r = issue_family(app, rm, &fm, on, now).await;
            }
            match r {
                Ok(i) => issue = Some(i),
                Err(e) if e.status.is_client_error() => error = Some(e.detail),
                Err(e) => return Err(e),
            }
        }
        let recent = fm
            .issued
            .as_ref()
            .is_some_and(|k| app.clock.now() - k.issued_at < Duration::days(RESEND_DAYS));
        out.push(FamilyResult {
            family_id: family_id.clone(),
            label: fm.label,
            bill: fm.bill,
            issue,
            error,
            recent,
        });
    }
    Ok(out)
}

enum ChunkError {
    Fatal(String),
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

/// Bills one chunk of a run per event.
pub struct RunWorker {
    app: AppState,
}

impl RunWorker {
    pub fn new(app: AppState) -> Self {
        Self { app }
    }

    async fn run(&self, detail: ChunkDetail) -> Result<(), String> {
        let app = &self.app;
        let Some(job) = load(app, &detail.run_id).await.map_err(|e| e.detail)? else {
            tracing::warn!(run = %detail.run_id, "chunk of an unknown invoicing run: ignored");
            return Ok(());
        };
        if job.state != RunState::Running || job.chunk != detail.chunk {
            return Ok(());
        }
        match self.chunk(&job).await {
            Ok(()) => Ok(()),
            Err(ChunkError::Fatal(message)) => {
                fail(app, &job, &message).await;
                Ok(())
            }
            Err(ChunkError::Retry(e)) => {
                let attempts = crate::billing::import_jobs::count_chunk_attempt(
                    app,
                    &job_key(&job.id),
                    job.chunk,
                )
                .await;
                if attempts >= ATTEMPTS {
                    tracing::error!(run = %job.id, error = %e, "invoicing run failed after retries");
                    fail(
                        app,
                        &job,
                        "La facturation s'est arrêtée sur une erreur du service. Relancez-la\u{a0}: les familles déjà facturées ne le seront pas deux fois.",
                    )
                    .await;
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn chunk(&self, job: &RunJob) -> Result<(), ChunkError> {
        let app = &self.app;
        let first = job.chunk as usize * job.chunk_size;
        let families: Vec<String> = if first < job.families {
            app.store
                .get(&families_key(&job.id, first))
                .await?
                .map(|i| i.data::<FamiliesItem>())
                .transpose()?
                .map(|f| f.families)
                .ok_or_else(|| {
                    ChunkError::Fatal(
                        "La liste des familles de la facturation n'est plus disponible. Relancez-la."
                            .into(),
                    )
                })?
        } else {
            Vec::new()
        };
        let regie = app
            .store
            .get(&marelle_domain::keys::regie(&job.regie_id))
            .await?
            .map(|i| i.data::<Regie>())
            .transpose()?
            .ok_or_else(|| ChunkError::Fatal("La régie n'existe plus.".into()))?;
        let now = app.clock.now();
        let issue_on =
            (!job.dry_run).then(|| now.with_timezone(&marelle_domain::time::ZONE).date_naive());
        let mut tally = Tally::default();
        if !families.is_empty() {
            let rm = gather::regie_month(app, &regie, &job.regie_code, job.month).await?;
            let results = process_families(app, &rm, &families, issue_on).await?;
            let mut events = Vec::new();
            for r in &results {
                if r.bill.total_cents > 0 {
                    tally.billed += 1;
                    tally.total_cents += r.bill.total_cents;
                    tally.lines += r.bill.lines.len() as i64;
                }
                tally.skipped += r.bill.skipped.len() as i64;
                if r.error.is_some() {
                    tally.errors += 1;
                }
                match &r.issue {
                    Some(Issued::Issued { invoice_id, .. }) => {
                        tally.issued += 1;
                        events.push(invoice_event(job, &r.family_id, invoice_id));
                    }
                    Some(Issued::AlreadyIssued { invoice_id, .. }) => {
                        tally.already += 1;
                        if r.recent {
                            events.push(invoice_event(job, &r.family_id, invoice_id));
                        }
                    }
                    _ => {}
                }
            }
            let ttl = (now + Duration::days(30)).timestamp();
            let pages = results
                .chunks(PAGE)
                .enumerate()
                .map(|(n, part)| {
                    Ok(Item::with_data(
                        page_key(&job.id, first + n * PAGE),
                        &PageItem {
                            families: part.to_vec(),
                        },
                    )?
                    .expires_at(ttl))
                })
                .collect::<ApiResult<Vec<_>>>()?;
            app.store.write_many(pages, Vec::new()).await?;
            crate::billing::import::publish_imported(app, events).await;
        }
        let next = job.chunk + 1;
        let done = (first + families.len()).min(job.families);
        let last = done >= job.families;
        let mut moved = Update::new()
            .set("chunk", next)
            .set("attempts", 0)
            .set("done", done as u64)
            .set("updated_at", now.to_rfc3339())
            .add("billed", tally.billed)
            .add("total_cents", tally.total_cents)
            .add("lines", tally.lines)
            .add("skipped", tally.skipped)
            .add("issued", tally.issued)
            .add("already_issued", tally.already)
            .add("errors", tally.errors);
        if last {
            let (first_number, last_number) = self.numbers(job).await?;
            moved = moved
                .set("state", "done")
                .set("finished_at", now.to_rfc3339());
            if let Some(n) = first_number {
                moved = moved.set("first_number", n);
            }
            if let Some(n) = last_number {
                moved = moved.set("last_number", n);
            }
        }
        match app
            .store
            .update(
                &job_key(&job.id),
                moved,
                Some(Condition::Equals("chunk".into(), Value::from(job.chunk))),
            )
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_condition_failed() => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        if last {
            if !job.dry_run {
                mark_issued_through(app, &job.regie_id, job.month).await?;
            }
            return Ok(());
        }
        if let Err(e) = app.bus.publish(vec![chunk_event(&job.id, next)]).await {
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
        Ok(())
    }

    /// The first and last numbers the run issued, from its pages.
    async fn numbers(&self, job: &RunJob) -> Result<(Option<String>, Option<String>), ChunkError> {
        let mut numbers: Vec<String> = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .app
                .store
                .query(
                    Query::new(format!("INVJOB#{}", job.id))
                        .begins_with("R#")
                        .after(cursor),
                )
                .await?;
            for item in &page.items {
                let p: PageItem = item.data()?;
                numbers.extend(p.families.into_iter().filter_map(|f| match f.issue {
                    Some(Issued::Issued { number, .. }) => Some(number),
                    _ => None,
                }));
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        numbers.sort();
        Ok((numbers.first().cloned(), numbers.last().cloned()))
    }
}

/// `INVSTATE#<régie>` `issued_through`: the month's last day, unless a
/// later month was issued already. Written when an issue starts (so that
/// the month's tariff versions are frozen before its first invoice) and
/// again when it ends.
async fn mark_issued_through(app: &AppState, regie_id: &str, month: BillingMonth) -> ApiResult<()> {
    let key = marelle_domain::keys::invoicing_state(regie_id);
    let through = month.last_day().to_string();
    let current = app.store.get(&key).await?;
    let later = current
        .as_ref()
        .and_then(|i| i.str_attr("issued_through"))
        .is_some_and(|d| d >= through.as_str());
    if !later {
        let mut item = Item::new(key);
        item.set("issued_through", Value::String(through));
        app.store.put(item, None).await?;
    }
    Ok(())
}

#[async_trait]
impl EventHandler for RunWorker {
    async fn handle(&self, event: &Event) -> Result<(), String> {
        if event.detail_type != CHUNK_EVENT {
            return Ok(());
        }
        let detail: ChunkDetail = serde_json::from_value(event.detail.clone())
            .map_err(|e| format!("chunk event unreadable: {e}"))?;
        self.run(detail).await
    }
}
