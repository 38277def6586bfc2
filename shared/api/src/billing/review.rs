//! Online payments taken but not recorded: PayFiP took the money, but the
//! invoice had been settled (a cheque at the town hall) or cancelled
//! meanwhile, so no règlement was written (`not_recorded`). They wait in
//! GSI2 `PAYREVIEW` (oldest first) until an agent settles them:
//! - `refunded`: the commune refunded the payer outside the portal (the
//!   note is the refund's reference); no ledger change;
//! - `recorded`: the money pays another open invoice of the same family, as
//!   a règlement "en ligne" quoting the transaction.
//!
//! Either way the payment moves to GSI2 `PAYREVIEWED` with who, when and
//! how, by a write conditioned on it still being in `PAYREVIEW`: two agents
//! cannot both settle it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use marelle_domain::accounts::{Account, FieldError};
use marelle_domain::billing::{Invoice, InvoiceState, Payment, PaymentMethod};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Cursor, Index, Query, Update, Write};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::online::{self, OnlinePayment, Review, SettleAction};
use super::{InvoiceView, PaymentView, store};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, UrlQuery};
use crate::http::state::AppState;

/// Rows of a page, unless `limit` says fewer.
pub const PAGE_SIZE: usize = 20;
/// Rows of a page, at most.
pub const MAX_PAGE_SIZE: usize = 50;
/// Characters of a note, at most.
pub const MAX_NOTE: usize = 500;
/// Online payments of one family read for its list, at most.
const MAX_SCANNED: usize = 500;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Still to refund or record.
    ToReview,
    /// Settled by an agent.
    Settled,
}

/// The invoice an online payment was meant for, as it is now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewedInvoice {
    pub id: String,
    pub number: String,
    pub service: String,
    pub amount_cents: i64,
    /// Still to pay now (0: settled or cancelled).
    pub balance_cents: i64,
    /// `None` when the invoice is no longer found.
    pub state: Option<InvoiceState>,
}

/// One online payment taken but not recorded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OnlinePaymentReview {
    pub id: String,
    pub family_id: String,
    pub family_label: String,
    pub invoice: ReviewedInvoice,
    /// What the payer paid.
    pub amount_cents: i64,
    /// The payment service's transaction (PayFiP `idop`).
    pub idop: String,
    /// The authorisation number (PayFiP `numauto`), when known.
    pub transaction: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    /// `overpayment` (already settled) or `invoice_cancelled`.
    pub reason_code: String,
    /// "La facture était déjà réglée", "La facture avait été annulée".
    pub reason: String,
    /// How and by whom, once settled.
    pub settlement: Option<Review>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OnlinePaymentReviewPage {
    pub items: Vec<OnlinePaymentReview>,
    pub next_page: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewParams {
    /// `to_review` (default) or `settled`.
    pub state: Option<ReviewState>,
    /// One family's (its file in the back-office).
    pub family_id: Option<String>,
    /// Rows of a page, 1 to 50 (20 by default).
    pub limit: Option<usize>,
    pub page: Option<String>,
}

/// The reason, in French, for a `not_recorded` code.
pub fn reason_of(code: &str) -> &'static str {
    match code {
        "invoice_cancelled" => "La facture avait été annulée",
        "overpayment" => "La facture était déjà réglée",
        _ => "La facture n'avait plus rien à payer",
    }
}

fn is_listed(o: &OnlinePayment, state: ReviewState) -> bool {
    o.not_recorded.is_some()
        && match state {
            ReviewState::ToReview => o.review.is_none(),
            ReviewState::Settled => o.review.is_some(),
        }
}

fn page_size(limit: Option<usize>) -> ApiResult<usize> {
    match limit {
        None => Ok(PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid_fields(vec![FieldError::new(
            "limit",
            "invalid_limit",
            format!("Le nombre de lignes par page va de 1 à {MAX_PAGE_SIZE}."),
        )])),
    }
}

/// `GET /api/agent/online-payments`: the online payments taken but not
/// recorded, to review (oldest first) or settled.
#[utoipa::path(get, path = "/api/agent/online-payments", operation_id = "agent_list_online_payments", tag = "agent", params(ReviewParams),
    responses(
        (status = 200, description = "Paiements en ligne encaissés mais non enregistrés, les plus anciens d'abord", body = OnlinePaymentReviewPage),
        (status = 400, description = "`invalid_page`, paramètre inconnu", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Famille inconnue", body = Problem),
        (status = 422, description = "`invalid_limit` (1 à 50)", body = Problem),
    ))]
pub async fn list(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(q): UrlQuery<ReviewParams>,
) -> ApiResult<Json<OnlinePaymentReviewPage>> {
    let state = q.state.unwrap_or(ReviewState::ToReview);
    let size = page_size(q.limit)?;
    let query = match q.family_id.as_deref() {
        Some(f) => {
            if f.is_empty() || f.len() > 40 || f.contains('#') {
                return Err(ApiError::not_found());
            }
            app.store
                .get(&keys::family(f))
                .await?
                .ok_or_else(ApiError::not_found)?;
            Query::new(keys::family_partition(f)).begins_with(keys::ONLINE_PAYMENT_PREFIX)
        }
        None => Query::on(
            Index::Gsi2,
            match state {
                ReviewState::ToReview => keys::PAYMENTS_TO_REVIEW,
                ReviewState::Settled => keys::PAYMENTS_REVIEWED,
            },
        ),
    };
    let mut cursor = match q.page.as_deref() {
        Some(p) if !p.is_empty() => {
            if p.len() > 2048 {
                return Err(ApiError::invalid_page());
            }
            Some(Cursor(p.to_string()))
        }
        _ => None,
    };
    let mut rows: Vec<OnlinePayment> = Vec::new();
    let mut scanned = 0;
    loop {
        let page = app
            .store
            .query(query.clone().limit(size - rows.len()).after(cursor.clone()))
            .await?;
        scanned += page.items.len();
        for item in &page.items {
            let o: OnlinePayment = item.data()?;
            if is_listed(&o, state) {
                rows.push(o);
            }
        }
        cursor = page.cursor;
        if cursor.is_none() || rows.len() >= size || scanned >= MAX_SCANNED {
            break;
        }
    }
    let items = views(&app, &rows).await?;
    Ok(Json(OnlinePaymentReviewPage {
        items,
        next_page: cursor.map(|c| c.0),
    }))
}

/// The rows, with their families' names and their invoices as they are now
/// (one batch read).
async fn views(app: &AppState, rows: &[OnlinePayment]) -> ApiResult<Vec<OnlinePaymentReview>> {
    let names =
        crate::family::store::names(app, rows.iter().map(|o| (o.family_id.as_str(), None))).await?;
    let mut wanted: Vec<_> = rows
        .iter()
        .map(|o| keys::invoice(&o.family_id, &o.invoice_id))
        .collect();
    wanted.sort();
    wanted.dedup();
    let invoices: Vec<Invoice> = app
        .store
        .get_many(&wanted)
        .await?
        .iter()
        .map(|i| i.data::<Invoice>().map_err(ApiError::from))
        .collect::<ApiResult<_>>()?;
    Ok(rows
        .iter()
        .map(|o| {
            let invoice = invoices
                .iter()
                .find(|i| i.id == o.invoice_id && i.family_id == o.family_id);
            let code = o.not_recorded.clone().unwrap_or_default();
            OnlinePaymentReview {
                id: o.id.clone(),
                family_id: o.family_id.clone(),
                family_label: names.family(&o.family_id),
                invoice: ReviewedInvoice {
                    id: o.invoice_id.clone(),
                    number: o.invoice_number.clone(),
                    service: o.service.clone(),
                    amount_cents: invoice.map_or(0, |i| i.amount_cents),
                    balance_cents: invoice.map_or(0, Invoice::balance_cents),
                    state: invoice.map(Invoice::state),
                },
                amount_cents: o.amount_cents,
                idop: o.idop.clone(),
                transaction: o.transaction.clone().filter(|t| !t.is_empty()),
                paid_at: o.settled_at,
                reason: reason_of(&code).to_string(),
                reason_code: code,
                settlement: o.review.clone(),
            }
        })
        .collect())
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleBody {
    /// `refunded` or `recorded`.
    #[schema(value_type = SettleAction)]
    pub action: String,
    /// Up to 500 characters; required for `refunded` (the refund's
    /// reference).
    #[serde(default)]
    pub note: Option<String>,
    /// `recorded`: the open invoice of the same family it pays.
    #[serde(default)]
    pub invoice_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Settled {
    pub online_payment: OnlinePaymentReview,
    /// `recorded`: the règlement written.
    pub payment: Option<PaymentView>,
    /// `recorded`: the invoice it paid, after.
    pub invoice: Option<InvoiceView>,
}

/// The body, checked: every error at once, in French.
fn validate(b: &SettleBody) -> ApiResult<(SettleAction, Option<String>, Option<String>)> {
    let mut errors = Vec::new();
    let action = match b.action.trim() {
        "refunded" => Some(SettleAction::Refunded),
        "recorded" => Some(SettleAction::Recorded),
        _ => {
            errors.push(FieldError::new(
                "action",
                "invalid_action",
                "Choisissez « remboursé » (refunded) ou « affecté à une autre facture » (recorded).",
            ));
            None
        }
    };
    let note = b
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        errors.push(FieldError::new(
            "note",
            "note_too_long",
            format!("La note ne doit pas dépasser {MAX_NOTE} caractères."),
        ));
    } else if note.as_ref().is_some_and(|n| {
        n.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    }) {
        errors.push(FieldError::new(
            "note",
            "invalid_note",
            "La note ne doit pas contenir de caractères de contrôle.",
        ));
    }
    let invoice_id = b
        .invoice_id
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    match action {
        Some(SettleAction::Refunded) if note.is_none() => errors.push(FieldError::new(
            "note",
            "refund_reference_required",
            "Indiquez la référence du remboursement.",
        )),
        Some(SettleAction::Refunded) if invoice_id.is_some() => errors.push(FieldError::new(
            "invoice_id",
            "invoice_not_expected",
            "Un remboursement ne s'affecte à aucune facture.",
        )),
        Some(SettleAction::Recorded) if invoice_id.is_none() => errors.push(FieldError::new(
            "invoice_id",
            "invoice_required",
            "Choisissez la facture à laquelle affecter ce paiement.",
        )),
        _ => {}
    }
    match action {
        Some(a) if errors.is_empty() => Ok((a, note, invoice_id)),
        _ => Err(ApiError::invalid_fields(errors)),
    }
}

fn already_settled() -> ApiError {
    ApiError::conflict(
        "already_settled",
        "Ce paiement en ligne a déjà été régularisé.",
    )
}

fn not_to_review() -> ApiError {
    ApiError::conflict(
        "not_to_review",
        "Ce paiement en ligne a été enregistré sur sa facture : il n'y a rien à régulariser.",
    )
}

fn unknown() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_online_payment",
        "Ce paiement en ligne n'existe pas.",
    )
}

/// An online payment not recorded, by its id alone (its `PAYW#` lookup,
/// then a consistent read of the payment).
async fn find(app: &AppState, id: &str) -> ApiResult<OnlinePayment> {
    if id.is_empty() || id.len() > 40 || id.contains('#') {
        return Err(unknown());
    }
    let lookup: online::ByIdop = app
        .store
        .get(&keys::online_payment_by_id(id))
        .await?
        .ok_or_else(unknown)?
        .data()?;
    online::load(app, &lookup.family_id, &lookup.online_payment_id)
        .await?
        .ok_or_else(unknown)
}

/// The move out of the to-review list, once (conditioned on it).
fn settle_write(o: &OnlinePayment, review: &Review) -> ApiResult<Write> {
    Ok(Write::Update {
        key: keys::online_payment(&o.family_id, &o.id),
        update: Update::new()
            .set(
                "review",
                serde_json::to_value(review).map_err(|e| ApiError::internal("review", e))?,
            )
            .set("GSI2PK", keys::PAYMENTS_REVIEWED)
            .set("GSI2SK", online::pending_sk(review.at, &o.id)),
        condition: Some(Condition::Equals(
            "GSI2PK".into(),
            serde_json::Value::String(keys::PAYMENTS_TO_REVIEW.into()),
        )),
    })
}

/// `POST /api/agent/online-payments/{id}/settle`: refunded outside the
/// portal, or recorded on another open invoice of the same family.
#[utoipa::path(post, path = "/api/agent/online-payments/{id}/settle", operation_id = "agent_settle_online_payment", tag = "agent", params(("id" = String, Path)), request_body = SettleBody,
    responses(
        (status = 200, description = "Paiement régularisé", body = Settled),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "`unknown_online_payment`, `unknown_invoice`", body = Problem),
        (status = 409, description = "`already_settled` (déjà régularisé), `not_to_review`, `invoice_cancelled`, `payment_exists`", body = Problem),
        (status = 422, description = "`invalid_action`, `refund_reference_required`, `note_too_long`, `invoice_required`, `invoice_of_another_family`, `overpayment`", body = Problem),
    ))]
pub async fn settle(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SettleBody>,
) -> ApiResult<Json<Settled>> {
    let (action, note, invoice_id) = validate(&body)?;
    let online = find(&app, &id).await?;
    if online.not_recorded.is_none() {
        return Err(not_to_review());
    }
    if online.review.is_some() {
        return Err(already_settled());
    }
    let by: Account = app
        .store
        .get(&keys::account(&agent.account_id))
        .await?
        .ok_or_else(ApiError::unauthorized)?
        .data()?;
    let mut review = Review {
        action,
        note,
        by_account_id: by.id.clone(),
        by_name: by.full_name(),
        at: app.clock.now(),
        invoice_id: None,
        invoice_number: None,
    };
    let mut recorded = None;
    match (action, invoice_id) {
        (SettleAction::Recorded, Some(target_id)) => {
            let target = store::find(&app, &target_id).await?;
            if target.family_id != online.family_id {
                return Err(ApiError::invalid_fields(vec![FieldError::new(
                    "invoice_id",
                    "invoice_of_another_family",
                    "Cette facture est celle d'une autre famille : choisissez une facture de la famille qui a payé.",
                )]));
            }
            review.invoice_id = Some(target.id.clone());
            review.invoice_number = Some(target.number.clone());
            let write = settle_write(&online, &review)?;
            let payment_id = app.ids.next();
            let idop = online.idop.clone();
            let date = marelle_domain::time::local_date(online.settled_at.unwrap_or(review.at));
            let description = format!(
                "Règlement en ligne - Transaction n°{idop} (reçu pour la facture {})",
                online.invoice_number
            );
            let result = store::record_payment_with(
                &app,
                &target.id,
                |inv| Payment {
                    id: payment_id.clone(),
                    invoice_id: inv.id.clone(),
                    number: idop.clone(),
                    date,
                    method: PaymentMethod::Online,
                    amount_cents: online.amount_cents,
                    service: inv.service.clone(),
                    description: Some(description.clone()),
                },
                std::slice::from_ref(&write),
            )
            .await;
            match result {
                Ok((invoice, payment)) => recorded = Some((invoice, payment)),
                Err(e) if e.code == store::EXTRA_CONDITION_FAILED => {
                    return Err(settled_or_gone(&app, &online).await);
                }
                Err(e) => return Err(e),
            }
        }
        (SettleAction::Recorded, None) => {
            return Err(ApiError::invalid_fields(vec![FieldError::new(
                "invoice_id",
                "invoice_required",
                "Choisissez la facture à laquelle affecter ce paiement.",
            )]));
        }
        (SettleAction::Refunded, _) => {
            let Write::Update {
                key,
                update,
                condition,
            } = settle_write(&online, &review)?
            else {
                return Err(ApiError::internal("settle", "not an update"));
            };
            match app.store.update(&key, update, condition).await {
                Ok(_) => {}
                Err(e) if e.is_condition_failed() => {
                    return Err(settled_or_gone(&app, &online).await);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    tracing::info!(
        online_payment = %online.id,
        idop = %online.idop,
        agent = %agent.account_id,
        action = ?action,
        "online payment not recorded: settled"
    );
    let after = online::load(&app, &online.family_id, &online.id)
        .await?
        .ok_or_else(unknown)?;
    let view = views(&app, std::slice::from_ref(&after))
        .await?
        .into_iter()
        .next()
        .ok_or_else(unknown)?;
    let online_provider = app.payments.is_some();
    Ok(Json(Settled {
        online_payment: view,
        payment: recorded.as_ref().map(|(_, p)| PaymentView::from(p)),
        invoice: recorded
            .as_ref()
            .map(|(i, _)| InvoiceView::of(i, online_provider)),
    }))
}

/// Why the conditional move failed: another agent settled it (409), or it
/// is gone (404).
async fn settled_or_gone(app: &AppState, online: &OnlinePayment) -> ApiError {
    match online::load(app, &online.family_id, &online.id).await {
        Ok(Some(_)) => already_settled(),
        Ok(None) => unknown(),
        Err(e) => e,
    }
}
