//! Issuing one family's invoice: the run key (absent), the régie's counter
//! for the year (`last` as read, or absent), the invoice and its lines, the
//! number's uniqueness item and the deletion of the carried corrections,
//! in one transaction; on a conflict, read the counter and the key again
//! and plan again (`plan_issue`). Numbers have no gap and no duplicate,
//! and a family already issued for the month is never issued again.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use marelle_domain::billing::Invoice;
use marelle_domain::invoicing::numbering::{IssuePlan, plan_issue};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item, StoreError, Update, Write};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::gather::{FamilyMonth, RegieMonth, RunKey, run_key_item};
use crate::billing::store as billing;
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// Attempts at one family's transaction before giving up (each failed one
/// means another run took a number meanwhile).
const ATTEMPTS: usize = 50;

/// Days from the issue to the due date.
pub const DUE_DAYS: i64 = 30;

/// What issuing did for one family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Issued {
    /// Issued by this run.
    Issued { number: String, invoice_id: String },
    /// Issued by an earlier (or concurrent) run: left as it is, no e-mail.
    AlreadyIssued { number: String, invoice_id: String },
    /// Nothing to bill (total ≤ 0): no invoice; credits wait.
    NothingToIssue,
}

#[derive(Debug, Deserialize)]
struct Counter {
    last: u32,
}

async fn counter(app: &AppState, code: &str, year: i32) -> ApiResult<Option<u32>> {
    Ok(app
        .store
        .get(&keys::invoice_counter(code, year))
        .await?
        .map(|i| i.data::<Counter>())
        .transpose()?
        .map(|c| c.last))
}

async fn run_key(app: &AppState, fm: &FamilyMonth, rm: &RegieMonth) -> ApiResult<Option<RunKey>> {
    Ok(app
        .store
        .get(&keys::invoicing_run(
            &fm.family_id,
            &rm.code,
            &rm.month.to_string(),
        ))
        .await?
        .map(|i| i.data::<RunKey>())
        .transpose()?)
}

/// Issues one family's month (already read and billed in `fm`), on
/// `issued_on`.
pub async fn issue_family(
    app: &AppState,
    rm: &RegieMonth,
    fm: &FamilyMonth,
    issued_on: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Issued> {
    let year = marelle_domain::invoicing::run::BillingMonth::of(issued_on).year();
    let mut issued = fm.issued.clone();
    let mut last = counter(app, &rm.code, year).await?;
    for _ in 0..ATTEMPTS {
        let plan = plan_issue(
            issued.as_ref().map(|k| k.number.as_str()),
            fm.bill.total_cents,
            year,
            &rm.code,
            last.unwrap_or(0),
        )
        .map_err(|e| ApiError::rule(e.code(), e.message()))?;
        let (sequence, number) = match plan {
            IssuePlan::AlreadyIssued { number } => {
                return Ok(Issued::AlreadyIssued {
                    number,
                    invoice_id: issued.map(|k| k.invoice_id).unwrap_or_default(),
                });
            }
            IssuePlan::NothingToIssue => return Ok(Issued::NothingToIssue),
            IssuePlan::Issue { sequence, number } => (sequence, number),
        };
        let lines: Vec<_> = fm
            .bill
            .lines
            .iter()
            .map(|l| l.to_invoice_line(rm.month))
            .collect();
        let invoice = Invoice {
            id: app.ids.next(),
            family_id: fm.family_id.clone(),
            number: number.clone(),
            issued_on,
            due_on: issued_on + Duration::days(DUE_DAYS),
            service: rm.regie.name.clone(),
            issuer: app.commune.name.clone(),
            amount_cents: fm.bill.total_cents,
            paid_cents: 0,
            credit_note: None,
            line_count: lines.len(),
            version: 1,
        };
        let key = RunKey {
            invoice_id: invoice.id.clone(),
            number: number.clone(),
            issued_at: now,
        };
        let counter_key = keys::invoice_counter(&rm.code, year);
        let counter_write = match last {
            None => {
                let mut item = Item::new(counter_key);
                item.set("last", Value::from(sequence));
                Write::put_new(item)
            }
            Some(l) => Write::Update {
                key: counter_key,
                update: Update::new().set("last", sequence),
                condition: Some(Condition::Equals("last".into(), Value::from(l))),
            },
        };
        let mut number_item = Item::new(keys::invoice_number(&number));
        number_item.set("invoice_id", Value::String(invoice.id.clone()));
        number_item.set("family_id", Value::String(invoice.family_id.clone()));
        let mut writes = vec![
            Write::put_new(run_key_item(&fm.family_id, &rm.code, rm.month, &key)?),
            counter_write,
            Write::put_new(billing::invoice_item(&invoice)?),
            Write::put_new(billing::lines_item(&fm.family_id, &invoice.id, &lines)?),
            Write::put_new(number_item),
        ];
        for id in &fm.carried {
            writes.push(Write::Delete {
                key: keys::correction(&fm.family_id, id),
                condition: Some(Condition::Exists),
            });
        }
        match app.store.transact(writes).await {
            Ok(()) => {
                return Ok(Issued::Issued {
                    number,
                    invoice_id: invoice.id,
                });
            }
            Err(StoreError::ConditionFailed { index: Some(4) }) => {
                // An imported invoice holds this number: this family is
                // left unissued (the run says why), no number is taken.
                return Err(ApiError::conflict(
                    "invoice_number_taken",
                    format!(
                        "Le numéro {number} est déjà celui d'une facture importée\u{a0}: la facture de cette famille n'est pas émise."
                    ),
                ));
            }
            Err(StoreError::ConditionFailed { index: Some(i) }) if i >= 5 => {
                // A carried correction was removed meanwhile: the bill is
                // stale; the caller bills the family again.
                return Err(ApiError::changed_meanwhile(
                    "Un avoir de la famille a changé pendant la facturation.",
                ));
            }
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::Contention) => {
                let (k, l) = tokio::try_join!(run_key(app, fm, rm), counter(app, &rm.code, year))?;
                issued = k;
                last = l;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "La numérotation des factures est très sollicitée. Relancez l'émission.",
    ))
}
