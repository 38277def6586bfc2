//! Billing items in the single table, beside the family (keys in
//! `marelle_domain::keys`): each parent screen is one query on the family's
//! partition, whatever the number of invoices; a payment and the invoice's
//! new paid amount are written in one transaction conditioned on the
//! invoice's version.

use marelle_domain::billing::{
    BillingError, CreditNote, Invoice, InvoiceLine, Payment, check_cancel, check_payment,
};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Index, Item, Query, StoreError, Update, Write};
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// Writes retried when another one changed the invoice meanwhile.
const ATTEMPTS: usize = 4;

/// The item of a new invoice (with its GSI1 entry).
pub fn invoice_item(inv: &Invoice) -> ApiResult<Item> {
    Ok(
        Item::with_data(keys::invoice(&inv.family_id, &inv.id), inv)?.index(
            Index::Gsi1,
            keys::invoice_index(&inv.id),
            &inv.family_id,
        ),
    )
}

/// The item of an invoice's lines.
#[derive(Debug, Serialize, Deserialize)]
pub struct Lines {
    pub lines: Vec<InvoiceLine>,
}

/// The item holding an invoice's lines.
pub fn lines_item(family_id: &str, invoice_id: &str, lines: &[InvoiceLine]) -> ApiResult<Item> {
    Ok(Item::with_data(
        keys::invoice_lines(family_id, invoice_id),
        &Lines {
            lines: lines.to_vec(),
        },
    )?)
}

fn invoices_of(items: &[Item]) -> ApiResult<Vec<Invoice>> {
    items
        .iter()
        .filter(|i| i.sk().starts_with(keys::INVOICE_PREFIX))
        .map(|i| i.data::<Invoice>().map_err(ApiError::from))
        .collect()
}

fn payments_of(items: &[Item]) -> ApiResult<Vec<Payment>> {
    items
        .iter()
        .filter(|i| i.sk().starts_with(keys::PAYMENT_PREFIX))
        .map(|i| i.data::<Payment>().map_err(ApiError::from))
        .collect()
}

/// Every invoice of a family (one query; lines not included).
pub async fn invoices(app: &AppState, family_id: &str) -> ApiResult<Vec<Invoice>> {
    let page = app
        .store
        .query(Query::new(keys::family_partition(family_id)).begins_with(keys::INVOICE_PREFIX))
        .await?;
    invoices_of(&page.items)
}

/// Every payment of a family (one query).
pub async fn payments(app: &AppState, family_id: &str) -> ApiResult<Vec<Payment>> {
    let page = app
        .store
        .query(Query::new(keys::family_partition(family_id)).begins_with(keys::PAYMENT_PREFIX))
        .await?;
    payments_of(&page.items)
}

/// Every invoice and payment of a family, for the ledger (one query).
pub async fn invoices_and_payments(
    app: &AppState,
    family_id: &str,
) -> ApiResult<(Vec<Invoice>, Vec<Payment>)> {
    let page = app
        .store
        .query(
            Query::new(keys::family_partition(family_id))
                .between(keys::INVOICE_PREFIX, keys::PAYMENT_END),
        )
        .await?;
    Ok((invoices_of(&page.items)?, payments_of(&page.items)?))
}

/// One invoice of a family, with its lines and payments (404 when the
/// family has no such invoice).
pub async fn detail(
    app: &AppState,
    family_id: &str,
    invoice_id: &str,
) -> ApiResult<(Invoice, Vec<InvoiceLine>, Vec<Payment>)> {
    if invoice_id.is_empty() || invoice_id.len() > 40 || invoice_id.contains('#') {
        return Err(ApiError::not_found());
    }
    let items = app
        .store
        .get_many(&[
            keys::invoice(family_id, invoice_id),
            keys::invoice_lines(family_id, invoice_id),
        ])
        .await?;
    let invoice = invoices_of(&items)?
        .into_iter()
        .next()
        .ok_or_else(ApiError::not_found)?;
    let lines = items
        .iter()
        .find(|i| !i.sk().starts_with(keys::INVOICE_PREFIX))
        .map(|i| i.data::<Lines>())
        .transpose()?
        .map(|l| l.lines)
        .unwrap_or_default();
    let page = app
        .store
        .query(
            Query::new(keys::family_partition(family_id))
                .begins_with(keys::payments_of(invoice_id)),
        )
        .await?;
    Ok((invoice, lines, payments_of(&page.items)?))
}

/// An invoice by its id alone (the back-office): its family from GSI1,
/// then a consistent read of the invoice itself.
pub async fn find(app: &AppState, invoice_id: &str) -> ApiResult<Invoice> {
    if invoice_id.is_empty() || invoice_id.len() > 40 || invoice_id.contains('#') {
        return Err(invoice_not_found());
    }
    let page = app
        .store
        .query(Query::on(Index::Gsi1, keys::invoice_index(invoice_id)).limit(1))
        .await?;
    let item = page.items.first().ok_or_else(invoice_not_found)?;
    read(app, &item.key()).await
}

async fn read(app: &AppState, key: &marelle_domain::ports::Key) -> ApiResult<Invoice> {
    app.store
        .get(key)
        .await?
        .ok_or_else(invoice_not_found)?
        .data::<Invoice>()
        .map_err(ApiError::from)
}

pub fn invoice_not_found() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "unknown_invoice",
        "Cette facture n'existe pas.",
    )
}

fn rule_error(e: BillingError) -> ApiError {
    match e {
        BillingError::Overpayment { .. } => ApiError::rule(e.code(), e.message()),
        BillingError::InvoiceCancelled | BillingError::InvoiceHasPayments => {
            ApiError::conflict(e.code(), e.message())
        }
    }
}

fn payment_exists() -> ApiError {
    ApiError::conflict(
        "payment_exists",
        "Un règlement portant ce numéro est déjà enregistré sur cette facture.",
    )
}

/// Records a payment (built by `make` from the invoice as read): the
/// payment's item, new, and the invoice's paid amount, at the version read,
/// in one transaction. A concurrent write to the invoice makes it read
/// again and check again (never a lost update, never an overpayment); the
/// same number twice on one invoice is `payment_exists`.
pub async fn record_payment(
    app: &AppState,
    invoice_id: &str,
    make: impl Fn(&Invoice) -> Payment,
) -> ApiResult<(Invoice, Payment)> {
    record_payment_with(app, invoice_id, make, &[]).await
}

/// The code of the error [`record_payment_with`] answers when one of its
/// `extra` writes' conditions fails.
pub const EXTRA_CONDITION_FAILED: &str = "extra_condition_failed";

/// [`record_payment`], with `extra` writes in the same transaction (an
/// online payment's state, conditioned on `pending`): when one of their
/// conditions fails, nothing is written and the error's code is
/// [`EXTRA_CONDITION_FAILED`].
pub async fn record_payment_with(
    app: &AppState,
    invoice_id: &str,
    make: impl Fn(&Invoice) -> Payment,
    extra: &[Write],
) -> ApiResult<(Invoice, Payment)> {
    let mut invoice = find(app, invoice_id).await?;
    for _ in 0..ATTEMPTS {
        let payment = make(&invoice);
        check_payment(&invoice, payment.amount_cents).map_err(rule_error)?;
        let key = keys::invoice(&invoice.family_id, &invoice.id);
        let item = Item::with_data(
            keys::payment(&invoice.family_id, &invoice.id, &payment.number),
            &payment,
        )?;
        let mut writes = vec![
            Write::put_new(item),
            Write::Update {
                key: key.clone(),
                update: Update::new()
                    .add("paid_cents", payment.amount_cents)
                    .add("version", 1),
                condition: Some(Condition::VersionIs(invoice.version)),
            },
        ];
        writes.extend(extra.iter().cloned());
        match app.store.transact(writes).await {
            Ok(()) => {
                invoice.paid_cents += payment.amount_cents;
                invoice.version += 1;
                return Ok((invoice, payment));
            }
            Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(payment_exists()),
            Err(StoreError::ConditionFailed { index: Some(i) }) if i >= 2 => {
                return Err(ApiError::conflict(
                    EXTRA_CONDITION_FAILED,
                    "Ce règlement a déjà été pris en compte.",
                ));
            }
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::Contention) => {
                invoice = read(app, &key).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "La facture a été modifiée entre-temps. Recommencez.",
    ))
}

/// Cancels an invoice with a credit note of its whole amount, at the
/// version read (a payment recorded meanwhile makes it check again).
pub async fn cancel(
    app: &AppState,
    invoice_id: &str,
    date: chrono::NaiveDate,
    reason: &str,
) -> ApiResult<Invoice> {
    let mut invoice = find(app, invoice_id).await?;
    for _ in 0..ATTEMPTS {
        check_cancel(&invoice).map_err(rule_error)?;
        let note = CreditNote {
            number: format!("AV-{}", invoice.number),
            date,
            reason: reason.to_string(),
            amount_cents: invoice.amount_cents,
        };
        let key = keys::invoice(&invoice.family_id, &invoice.id);
        let update = Update::new()
            .set(
                "credit_note",
                serde_json::to_value(&note).map_err(|e| ApiError::internal("credit note", e))?,
            )
            .add("version", 1);
        match app
            .store
            .update(&key, update, Some(Condition::VersionIs(invoice.version)))
            .await
        {
            Ok(item) => return Ok(item.data::<Invoice>()?),
            Err(StoreError::ConditionFailed { .. }) | Err(StoreError::Contention) => {
                invoice = read(app, &key).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "La facture a été modifiée entre-temps. Recommencez.",
    ))
}
