//! Invoices and payments imported from the commune's finance software (CSV,
//! formats in `docs/billing-import.md`).
//!
//! The whole file is checked before anything is written: the fields (in the
//! domain), then the families, the invoice numbers and the payments already
//! stored, each in batch reads (never one read per row). With any error,
//! the answer is 422 `invalid_import` listing them and nothing is written.
//! A real import then writes each new invoice with its lines and its
//! number's uniqueness item in one small transaction (many at once), so
//! the same file imported again finds every number taken and identical:
//! all `unchanged`, nothing written, no e-mail. One `InvoicesImported`
//! event per family whose invoices were created makes the `notify`
//! consumer send it one "new invoices" e-mail.
//!
//! Two ways in, one check and one writer ([`check_invoices`],
//! [`write_invoice_chunk`], [`check_payments`], [`write_payment_chunk`]):
//! - the direct routes here (`text/csv` body, for scripts): a request
//!   checks the whole file (a fraction of a second for 20,000 lines, see
//!   `make bench`) and writes at most [`WRITE_CHUNK`] invoices or starts
//!   writing for [`WRITE_BUDGET`]; the report's `remaining` tells the caller
//!   to send the same file again, which carries on (the invoices written
//!   are then `unchanged`). Well within API Gateway's 29 s and a Lambda's
//!   memory; one `InvoicesImported` per family and request;
//! - background imports ([`super::import_jobs`]): the file uploaded by a
//!   presigned URL, then written chunk by chunk through the event bus with
//!   the same functions, and one `InvoicesImported` per family for the
//!   whole import. The back-office page uses these.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use futures::StreamExt;
use marelle_domain::billing::import::{
    self, FamilyRef, ImportError, ImportErrors, ImportedInvoice, ImportedPayment,
};
use marelle_domain::billing::rules::euros;
use marelle_domain::billing::{Invoice, InvoiceLine, Payment};
use marelle_domain::family::codes;
use marelle_domain::keys;
use marelle_domain::ports::store::{Item, Key, Write};
use marelle_domain::ports::{Event, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store;
use crate::http::error::{ApiResult, Problem};
use crate::http::extract::{Agent, UrlQuery, require_csv};
use crate::http::state::AppState;

/// Store calls in flight at once while writing.
const PARALLEL: usize = 32;

pub use marelle_domain::billing::import::WRITE_CHUNK;

/// Time one request (or chunk) spends writing, at most (API Gateway answers within
/// 29 s, and the writes in flight when it runs out still finish); what
/// is left is `remaining` too.
pub const WRITE_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BillingImportParams {
    /// Only check the file (default: true).
    pub dry_run: Option<bool>,
}

/// What an import did, or would do with `dry_run`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BillingImportReport {
    pub dry_run: bool,
    /// Invoices (or payments) new in the file: created, or to be created.
    pub created: usize,
    /// Already stored, identical: left as they are.
    pub unchanged: usize,
    /// Lines of the invoices created (0 for payments).
    pub lines: usize,
    /// Families concerned by what is created.
    pub families: usize,
    /// Invoices (payments) left to write by this request (checked, not yet
    /// written): send the same file again to carry on. 0 when the import is
    /// complete.
    pub remaining: usize,
    /// Every error, by line (at most 1,000 listed).
    pub errors: Vec<ImportError>,
    /// Errors found beyond those listed.
    pub more_errors: usize,
    /// `invalid_import` when the file has errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// In French, when the file has errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl BillingImportReport {
    pub(crate) fn new(dry_run: bool) -> Self {
        Self {
            dry_run,
            created: 0,
            unchanged: 0,
            lines: 0,
            families: 0,
            remaining: 0,
            errors: Vec::new(),
            more_errors: 0,
            code: None,
            detail: None,
        }
    }

    pub(crate) fn invalid(dry_run: bool, errors: ImportErrors) -> (StatusCode, Json<Self>) {
        let errors = errors.sorted();
        let n = errors.len();
        let detail = match n {
            1 => "Le fichier a 1 erreur : rien n'a été importé.".to_string(),
            n => format!("Le fichier a {n} erreurs : rien n'a été importé."),
        };
        let mut r = Self::new(dry_run);
        r.errors = errors.errors;
        r.more_errors = errors.more;
        r.code = Some("invalid_import".into());
        r.detail = Some(detail);
        (StatusCode::UNPROCESSABLE_ENTITY, Json(r))
    }
}

/// The family ids the file's references name (missing: unknown). A
/// reference is looked up as an import reference and as a subscriber code,
/// an id as a family record: one batch read for all.
async fn resolve_families(
    app: &AppState,
    refs: &HashSet<FamilyRef>,
) -> ApiResult<HashMap<FamilyRef, String>> {
    let mut wanted: Vec<(Key, FamilyRef)> = Vec::new();
    for r in refs {
        match r {
            FamilyRef::Reference(v) => {
                wanted.push((keys::imported(v), r.clone()));
                if let Some(code) = codes::normalize_code(v) {
                    wanted.push((keys::subscriber_code(&code), r.clone()));
                }
            }
            FamilyRef::Id(id) if !id.contains('#') => {
                wanted.push((keys::family(id), r.clone()));
            }
            FamilyRef::Id(_) => {}
        }
    }
    let by_key: HashMap<Key, FamilyRef> = wanted.iter().cloned().collect();
    let keys: Vec<Key> = wanted.into_iter().map(|(k, _)| k).collect();
    let mut found = HashMap::new();
    for item in app.store.get_many(&keys).await? {
        let Some(r) = by_key.get(&item.key()) else {
            continue;
        };
        let family_id = match r {
            FamilyRef::Id(id) => Some(id.clone()),
            FamilyRef::Reference(_) => item.str_attr("family_id").map(str::to_string),
        };
        if let Some(family_id) = family_id {
            // An import reference wins over a subscriber code.
            if item.pk().starts_with("IMPORT#") || !found.contains_key(r) {
                found.insert(r.clone(), family_id);
            }
        }
    }
    Ok(found)
}

/// The invoices stored under these numbers: number → (invoice id, family id).
async fn numbers_taken(
    app: &AppState,
    numbers: impl Iterator<Item = &String>,
) -> ApiResult<HashMap<String, (String, String)>> {
    let keys: Vec<Key> = numbers.map(|n| keys::invoice_number(n)).collect();
    let mut taken = HashMap::new();
    for item in app.store.get_many(&keys).await? {
        let number = item.pk().strip_prefix("INVNUM#").unwrap_or_default();
        if let (Some(i), Some(f)) = (item.str_attr("invoice_id"), item.str_attr("family_id")) {
            taken.insert(number.to_string(), (i.to_string(), f.to_string()));
        }
    }
    Ok(taken)
}

/// Invoices (and their lines) by id, in batch reads.
async fn stored_invoices(
    app: &AppState,
    ids: &[(String, String)],
    with_lines: bool,
) -> ApiResult<(HashMap<String, Invoice>, HashMap<String, Vec<InvoiceLine>>)> {
    let mut keys = Vec::with_capacity(ids.len() * 2);
    for (invoice_id, family_id) in ids {
        keys.push(keys::invoice(family_id, invoice_id));
        if with_lines {
            keys.push(keys::invoice_lines(family_id, invoice_id));
        }
    }
    let (mut invoices, mut lines) = (HashMap::new(), HashMap::new());
    for item in app.store.get_many(&keys).await? {
        if let Some(id) = item.sk().strip_prefix(keys::INVOICE_PREFIX) {
            invoices.insert(id.to_string(), item.data::<Invoice>()?);
        } else if let Some(id) = item.sk().strip_prefix("B#D#") {
            let l: StoredLines = item.data()?;
            lines.insert(id.to_string(), l.lines);
        }
    }
    Ok((invoices, lines))
}

#[derive(Deserialize)]
struct StoredLines {
    lines: Vec<InvoiceLine>,
}

/// What an invoice of the file differs from the stored one in, if it does.
fn difference(
    inv: &ImportedInvoice,
    family_id: &str,
    stored: &Invoice,
    lines: &[InvoiceLine],
) -> Option<&'static str> {
    if stored.family_id != family_id {
        Some("la famille")
    } else if stored.issued_on != inv.issued_on {
        Some("la date")
    } else if stored.due_on != inv.due_on {
        Some("l'échéance")
    } else if stored.service != inv.service {
        Some("le service")
    } else if stored.issuer != inv.issuer {
        Some("l'émetteur")
    } else if stored.amount_cents != inv.amount_cents {
        Some("le montant")
    } else if lines != inv.lines.as_slice() {
        Some("les lignes")
    } else {
        None
    }
}

/// A checked invoices file: what it would create, what is already stored.
pub(crate) struct InvoicePlan {
    /// Invoices to create, with their family's id.
    pub new: Vec<(ImportedInvoice, String)>,
    /// Already stored, identical.
    pub unchanged: usize,
    /// Invoices in the file.
    pub total: usize,
    /// Rows (lines of invoice) in the file.
    pub rows: usize,
}

impl InvoicePlan {
    pub fn lines(&self) -> usize {
        self.new.iter().map(|(i, _)| i.lines.len()).sum()
    }

    pub fn families(&self) -> usize {
        self.new
            .iter()
            .map(|(_, f)| f.as_str())
            .collect::<HashSet<_>>()
            .len()
    }
}

/// Checks a whole invoices file against what is stored: every error, or
/// what an import would do.
pub(crate) async fn check_invoices(
    app: &AppState,
    body: &[u8],
) -> ApiResult<Result<InvoicePlan, ImportErrors>> {
    let invoices = match import::parse_invoices(body) {
        Ok(v) => v,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut errors = ImportErrors::default();

    let refs: HashSet<FamilyRef> = invoices.iter().map(|i| i.family.clone()).collect();
    let families = resolve_families(app, &refs).await?;
    let taken = numbers_taken(app, invoices.iter().map(|i| &i.number)).await?;
    let existing: Vec<(String, String)> = taken.values().cloned().collect();
    let (stored, stored_lines) = stored_invoices(app, &existing, true).await?;

    let mut plan = InvoicePlan {
        new: Vec::new(),
        unchanged: 0,
        total: invoices.len(),
        rows: invoices.iter().map(|i| i.lines.len()).sum(),
    };
    for inv in invoices {
        let Some(family_id) = families.get(&inv.family).cloned() else {
            errors.push(ImportError::new(
                inv.line,
                inv.family.field(),
                "unknown_family",
                format!(
                    "Aucune famille n'a la {} « {} ».",
                    match inv.family {
                        FamilyRef::Reference(_) => "référence ou le code abonné",
                        FamilyRef::Id(_) => "référence Marelle",
                    },
                    inv.family.value()
                ),
            ));
            continue;
        };
        match taken.get(&inv.number) {
            None => plan.new.push((inv, family_id)),
            Some((invoice_id, _)) => {
                let same = stored.get(invoice_id).map(|s| {
                    let lines = stored_lines.get(invoice_id).map_or(&[][..], Vec::as_slice);
                    difference(&inv, &family_id, s, lines)
                });
                match same {
                    Some(None) => plan.unchanged += 1,
                    Some(Some(what)) => errors.push(ImportError::new(
                        inv.line,
                        "numero",
                        "conflicting_number",
                        format!(
                            "Une autre facture porte déjà le numéro « {} » ({what} diffère).",
                            inv.number
                        ),
                    )),
                    None => errors.push(ImportError::new(
                        inv.line,
                        "numero",
                        "conflicting_number",
                        format!("Le numéro « {} » est déjà pris.", inv.number),
                    )),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(Ok(plan))
    } else {
        Ok(Err(errors))
    }
}

/// What writing one chunk of invoices did.
pub(crate) struct InvoiceChunk {
    pub written: Written,
    /// Invoices checked but left for a next chunk.
    pub remaining: usize,
    /// Their rows.
    pub remaining_rows: usize,
}

/// Writes at most `chunk` of the plan's new invoices (a family's invoices
/// kept together past it, up to twice as many) or for [`WRITE_BUDGET`].
pub(crate) async fn write_invoice_chunk(
    app: &AppState,
    mut new: Vec<(ImportedInvoice, String)>,
    chunk: usize,
) -> ApiResult<InvoiceChunk> {
    // A family's invoices together, so that it gets one e-mail.
    new.sort_by(|a, b| (&a.1, a.0.line).cmp(&(&b.1, b.0.line)));
    let chunk = chunk.max(1);
    let mut cut = new.len().min(chunk);
    while cut < new.len()
        && cut < chunk.saturating_mul(2)
        && cut > 0
        && new[cut].1 == new[cut - 1].1
    {
        cut += 1;
    }
    let rest = new.split_off(cut);
    let written = write_invoices(app, new).await?;
    Ok(InvoiceChunk {
        remaining: rest.len() + written.skipped.len(),
        remaining_rows: rest.iter().map(|(i, _)| i.lines.len()).sum::<usize>()
            + written.skipped.iter().sum::<usize>(),
        written,
    })
}

/// The created invoices' ids, by family.
pub(crate) fn by_family(invoices: &[Invoice]) -> BTreeMap<String, Vec<String>> {
    let mut by_family: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in invoices {
        by_family
            .entry(i.family_id.clone())
            .or_default()
            .push(i.id.clone());
    }
    by_family
}

/// `POST /api/agent/invoices/import`: invoices with their lines, from a
/// CSV file (`text/csv`, one row per line of invoice).
#[utoipa::path(post, path = "/api/agent/invoices/import", tag = "agent", params(BillingImportParams),
    request_body(content = String, content_type = "text/csv",
        description = "famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant"),
    responses(
        (status = 200, description = "Rapport (avec dry_run=true, le défaut, rien n'est écrit)", body = BillingImportReport),
        (status = 413, description = "Fichier de plus de 10 Mo", body = Problem),
        (status = 415, description = "Pas en text/csv (`unsupported_media_type`)", body = Problem),
        (status = 422, description = "Fichier non conforme (`invalid_import`) : toutes les erreurs, rien d'importé", body = BillingImportReport),
    ))]
pub async fn import_invoices(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(p): UrlQuery<BillingImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    require_csv(&headers)?;
    let dry_run = p.dry_run.unwrap_or(true);
    let checked = check_invoices(&app, &body).await?;
    drop(body);
    let plan = match checked {
        Ok(plan) => plan,
        Err(errors) => return Ok(BillingImportReport::invalid(dry_run, errors)),
    };
    let mut report = BillingImportReport::new(dry_run);
    report.unchanged = plan.unchanged;
    report.lines = plan.lines();
    report.families = plan.families();
    if dry_run {
        report.created = plan.new.len();
        return Ok((StatusCode::OK, Json(report)));
    }
    let chunk = write_invoice_chunk(&app, plan.new, WRITE_CHUNK).await?;
    let created = chunk.written;
    report.remaining = chunk.remaining;
    report.unchanged += created.raced;
    report.created = created.invoices.len();
    report.lines = created.invoices.iter().map(|i| i.line_count).sum();
    let by_family = by_family(&created.invoices);
    report.families = by_family.len();
    let events = by_family
        .into_iter()
        .map(|(family_id, invoice_ids)| imported_event(app.ids.next(), family_id, invoice_ids))
        .collect();
    publish_imported(&app, events).await;
    Ok((StatusCode::OK, Json(report)))
}

enum Outcome {
    Written(Box<Invoice>),
    Raced,
    /// Left unwritten, with its number of lines.
    Skipped(usize),
}

pub(crate) struct Written {
    pub invoices: Vec<Invoice>,
    /// Numbers another import took between the check and the write.
    pub raced: usize,
    /// Left unwritten (the time budget ran out): their numbers of lines.
    pub skipped: Vec<usize>,
}

/// Writes each invoice with its lines and its number in one transaction,
/// [`PARALLEL`] at a time. A number taken meanwhile leaves that invoice out.
async fn write_invoices(app: &AppState, new: Vec<(ImportedInvoice, String)>) -> ApiResult<Written> {
    let mut built = Vec::with_capacity(new.len());
    for (inv, family_id) in new {
        let invoice = Invoice {
            id: app.ids.next(),
            family_id,
            number: inv.number,
            issued_on: inv.issued_on,
            due_on: inv.due_on,
            service: inv.service,
            issuer: inv.issuer,
            amount_cents: inv.amount_cents,
            paid_cents: 0,
            credit_note: None,
            line_count: inv.lines.len(),
            version: 1,
        };
        let mut number = Item::new(keys::invoice_number(&invoice.number));
        number.set("invoice_id", serde_json::Value::String(invoice.id.clone()));
        number.set(
            "family_id",
            serde_json::Value::String(invoice.family_id.clone()),
        );
        let writes = vec![
            Write::put_new(number),
            Write::put_new(store::invoice_item(&invoice)?),
            Write::put_new(store::lines_item(
                &invoice.family_id,
                &invoice.id,
                &inv.lines,
            )?),
        ];
        built.push((invoice, writes));
    }
    let deadline = std::time::Instant::now() + WRITE_BUDGET;
    let results: Vec<Result<Outcome, StoreError>> = futures::stream::iter(built)
        .map(|(invoice, writes)| async move {
            if std::time::Instant::now() > deadline {
                return Ok(Outcome::Skipped(invoice.line_count));
            }
            match app.store.transact(writes).await {
                Ok(()) => Ok(Outcome::Written(Box::new(invoice))),
                Err(StoreError::ConditionFailed { index: Some(0) }) => Ok(Outcome::Raced),
                Err(e) => Err(e),
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut written = Written {
        invoices: Vec::new(),
        raced: 0,
        skipped: Vec::new(),
    };
    for r in results {
        match r? {
            Outcome::Written(i) => written.invoices.push(*i),
            Outcome::Raced => written.raced += 1,
            Outcome::Skipped(lines) => written.skipped.push(lines),
        }
    }
    written.invoices.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(written)
}

/// The event telling a family its new invoices.
pub(crate) fn imported_event(id: String, family_id: String, invoice_ids: Vec<String>) -> Event {
    Event {
        id,
        detail_type: "InvoicesImported".into(),
        detail: serde_json::json!({"family_id": family_id, "invoice_ids": invoice_ids}),
    }
}

/// One `InvoicesImported` event per family whose invoices were created:
/// the `notify` consumer sends the family's "new invoices" e-mail from it
/// (once per event and recipient), never this request.
pub(crate) async fn publish_imported(app: &AppState, events: Vec<Event>) {
    if events.is_empty() {
        return;
    }
    if let Err(e) = app.bus.publish(events).await {
        // The invoices stand; the families see them in Mes factures.
        tracing::error!(error = %e, "InvoicesImported not published: no new invoice e-mail");
    }
}

/// `POST /api/agent/payments/import`: payments (règlements) of invoices,
/// from a CSV file (`text/csv`, one row per payment).
#[utoipa::path(post, path = "/api/agent/payments/import", tag = "agent", params(BillingImportParams),
    request_body(content = String, content_type = "text/csv",
        description = "numero;date;facture;mode;libelle;montant"),
    responses(
        (status = 200, description = "Rapport (avec dry_run=true, le défaut, rien n'est écrit)", body = BillingImportReport),
        (status = 413, description = "Fichier de plus de 10 Mo", body = Problem),
        (status = 415, description = "Pas en text/csv (`unsupported_media_type`)", body = Problem),
        (status = 422, description = "Fichier non conforme (`invalid_import`) : toutes les erreurs, rien d'importé", body = BillingImportReport),
    ))]
pub async fn import_payments(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(p): UrlQuery<BillingImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    require_csv(&headers)?;
    let dry_run = p.dry_run.unwrap_or(true);
    let checked = check_payments(&app, &body).await?;
    drop(body);
    let plan = match checked {
        Ok(plan) => plan,
        Err(errors) => return Ok(BillingImportReport::invalid(dry_run, errors)),
    };
    let mut report = BillingImportReport::new(dry_run);
    report.unchanged = plan.unchanged;
    report.families = plan.families;
    if dry_run {
        report.created = plan.new.len();
        return Ok((StatusCode::OK, Json(report)));
    }
    let chunk = write_payment_chunk(&app, plan.new, usize::MAX).await?;
    report.created = chunk.created;
    report.unchanged += chunk.unchanged;
    report.remaining = chunk.remaining;
    Ok((StatusCode::OK, Json(report)))
}

/// A checked payments file.
pub(crate) struct PaymentPlan {
    /// Payments to record, with their invoice's id, in file order.
    pub new: Vec<(ImportedPayment, String)>,
    pub unchanged: usize,
    /// Families concerned by what is to record.
    pub families: usize,
    /// Payments in the file.
    pub total: usize,
}

/// Checks a whole payments file against what is stored.
pub(crate) async fn check_payments(
    app: &AppState,
    body: &[u8],
) -> ApiResult<Result<PaymentPlan, ImportErrors>> {
    let payments = match import::parse_payments(body) {
        Ok(v) => v,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut errors = ImportErrors::default();
    let numbers: HashSet<&String> = payments.iter().map(|p| &p.invoice_number).collect();
    let taken = numbers_taken(app, numbers.into_iter()).await?;
    let ids: Vec<(String, String)> = taken.values().cloned().collect();
    let (invoices, _) = stored_invoices(app, &ids, false).await?;
    let payment_keys: Vec<Key> = payments
        .iter()
        .filter_map(|p| {
            taken
                .get(&p.invoice_number)
                .map(|(i, f)| keys::payment(f, i, &p.number))
        })
        .collect();
    let recorded: HashMap<Key, Payment> = app
        .store
        .get_many(&payment_keys)
        .await?
        .into_iter()
        .map(|i| Ok((i.key(), i.data::<Payment>()?)))
        .collect::<ApiResult<_>>()?;

    let total = payments.len();
    let mut unchanged = 0;
    // What the file's earlier payments already take off each invoice.
    let mut pending: HashMap<String, (i64, Vec<u64>)> = HashMap::new();
    let mut new: Vec<(ImportedPayment, String)> = Vec::new();
    let mut families = HashSet::new();
    for p in payments {
        let Some(invoice) = taken
            .get(&p.invoice_number)
            .and_then(|(i, _)| invoices.get(i))
        else {
            errors.push(ImportError::new(
                p.line,
                "facture",
                "unknown_invoice",
                format!(
                    "Aucune facture ne porte le numéro « {} ».",
                    p.invoice_number
                ),
            ));
            continue;
        };
        let key = keys::payment(&invoice.family_id, &invoice.id, &p.number);
        if let Some(stored) = recorded.get(&key) {
            if stored.amount_cents == p.amount_cents
                && stored.date == p.date
                && stored.method == p.method
            {
                unchanged += 1;
            } else {
                errors.push(ImportError::new(
                    p.line,
                    "numero",
                    "conflicting_number",
                    format!(
                        "Un autre règlement porte déjà le numéro « {} » sur la facture « {} » ({} le {}).",
                        p.number,
                        p.invoice_number,
                        euros(stored.amount_cents),
                        stored.date.format("%d/%m/%Y")
                    ),
                ));
            }
            continue;
        }
        if invoice.is_cancelled() {
            errors.push(ImportError::new(
                p.line,
                "facture",
                "invoice_cancelled",
                format!("La facture « {} » est annulée.", p.invoice_number),
            ));
            continue;
        }
        let (already, lines) = pending.entry(invoice.id.clone()).or_default();
        let balance = invoice.balance_cents() - *already;
        if p.amount_cents > balance {
            let earlier = match lines.as_slice() {
                [] => String::new(),
                [one] => format!(", après le règlement de la ligne {one}"),
                more => format!(
                    ", après les règlements des lignes {}",
                    more.iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            errors.push(ImportError::new(
                p.line,
                "montant",
                "overpayment",
                format!(
                    "Le règlement de {} dépasse le reste à payer de la facture « {} » ({}{earlier}).",
                    euros(p.amount_cents),
                    p.invoice_number,
                    euros(balance.max(0))
                ),
            ));
            continue;
        }
        *already += p.amount_cents;
        lines.push(p.line);
        families.insert(invoice.family_id.clone());
        new.push((p, invoice.id.clone()));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(PaymentPlan {
        new,
        unchanged,
        families: families.len(),
        total,
    }))
}

/// What writing one chunk of payments did.
pub(crate) struct PaymentChunk {
    pub created: usize,
    /// Recorded meanwhile (by another import): left as they are.
    pub unchanged: usize,
    /// Checked, left for a next chunk.
    pub remaining: usize,
}

/// Records about `chunk` of the plan's payments (whole invoices: one
/// invoice's payments in order, each checking the invoice as it is;
/// invoices in parallel), for at most [`WRITE_BUDGET`].
pub(crate) async fn write_payment_chunk(
    app: &AppState,
    new: Vec<(ImportedPayment, String)>,
    chunk: usize,
) -> ApiResult<PaymentChunk> {
    let mut by_invoice: BTreeMap<String, Vec<ImportedPayment>> = BTreeMap::new();
    for (p, invoice_id) in new {
        by_invoice.entry(invoice_id).or_default().push(p);
    }
    let (mut now, mut later, mut taken) = (Vec::new(), 0, 0);
    for (invoice_id, payments) in by_invoice {
        if taken >= chunk {
            later += payments.len();
        } else {
            taken += payments.len();
            now.push((invoice_id, payments));
        }
    }
    // Bounded like invoices: what the budget leaves is `remaining`, and the
    // same file again carries on (what is recorded is then unchanged).
    let deadline = std::time::Instant::now() + WRITE_BUDGET;
    let results: Vec<ApiResult<(usize, usize, usize)>> = futures::stream::iter(now)
        .map(|(invoice_id, payments)| {
            let app = app.clone();
            async move {
                let (mut created, mut unchanged, mut skipped) = (0, 0, 0);
                let count = payments.len();
                for (i, p) in payments.into_iter().enumerate() {
                    if std::time::Instant::now() > deadline {
                        skipped = count - i;
                        break;
                    }
                    let id = app.ids.next();
                    let r = store::record_payment(&app, &invoice_id, |inv| Payment {
                        id: id.clone(),
                        invoice_id: inv.id.clone(),
                        number: p.number.clone(),
                        date: p.date,
                        method: p.method,
                        amount_cents: p.amount_cents,
                        service: inv.service.clone(),
                        description: p.description.clone(),
                    })
                    .await;
                    match r {
                        Ok(_) => created += 1,
                        Err(e) if e.code == "payment_exists" => unchanged += 1,
                        Err(e) => return Err(e),
                    }
                }
                Ok((created, unchanged, skipped))
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut done = PaymentChunk {
        created: 0,
        unchanged: 0,
        remaining: later,
    };
    for r in results {
        let (c, u, k) = r?;
        done.created += c;
        done.unchanged += u;
        done.remaining += k;
    }
    Ok(done)
}
