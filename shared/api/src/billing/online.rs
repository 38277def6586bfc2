//! Online payment of an invoice (PayFiP, or the sandbox in demos): the
//! parent starts a transaction for the whole balance, pays on the payment
//! service's page, and comes back; the payment service notifies the portal
//! server to server. Whatever the number of notifications, returns and
//! polls, the result is read from the payment service (never from the
//! caller) and applied once: one règlement, written in the same
//! transaction as the online payment's move out of `pending`.
//!
//! Items (keys in `marelle_domain::keys`): the online payment beside the
//! family (`B#W#<id>`, in GSI2 `PAYPENDING` while pending, for the polling
//! job), its lookup by transaction (`PAYOP#<idop>`, written with
//! `NotExists`: an `idop` is unique), and a lock on the invoice
//! (`B#X#<invoice>`, TTL 20 minutes) that keeps a second payment of the same
//! invoice from starting while one is in progress.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use marelle_domain::accounts::Account;
use marelle_domain::billing::{Invoice, Payment, PaymentMethod};
use marelle_domain::emails::billing::{PaymentReceipt, payment_receipt};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Index, Item, StoreError, Update, Write};
use marelle_domain::ports::{PaymentError, PaymentOrder, PaymentResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FamilyParam;
use super::store;
use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Parent, UrlQuery};
use crate::http::state::AppState;

/// How long an online payment in progress blocks another one on the same
/// invoice, and how long the polling job waits for a result before it
/// calls the payment abandoned.
pub const IN_PROGRESS_MINUTES: i64 = 20;
/// The smallest amount paid online (the payment service's minimum).
pub const MIN_CENTS: i64 = 100;
/// Bytes of a notification or return body, at most.
pub const FORM_LIMIT: usize = 4 * 1024;
/// Characters of an `idop`, at most.
pub const MAX_IDOP: usize = 64;

/// The paths the payment service reaches without a session (exempt from the
/// CSRF origin check: what they say is checked with the payment service).
pub const NOTIFICATION_PATH: &str = "/api/billing/payfip/notification";
pub const RETURN_PATH: &str = "/api/billing/payfip/return";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/billing/invoices/{id}/payment", post(start))
        .route("/api/billing/online-payments/{id}", get(read))
        .route(NOTIFICATION_PATH, post(notification))
        .route(RETURN_PATH, get(return_get).post(return_post))
}

/// Where an online payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineState {
    Pending,
    Paid,
    Refused,
    Abandoned,
}

impl OnlineState {
    fn as_str(self) -> &'static str {
        match self {
            OnlineState::Pending => "pending",
            OnlineState::Paid => "paid",
            OnlineState::Refused => "refused",
            OnlineState::Abandoned => "abandoned",
        }
    }
}

/// An online payment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlinePayment {
    pub id: String,
    pub family_id: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub service: String,
    /// The payment service's transaction id.
    pub idop: String,
    /// The whole balance of the invoice when the payment started.
    pub amount_cents: i64,
    pub state: OnlineState,
    /// The parent who pays (the receipt goes to them).
    pub account_id: String,
    pub provider: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub settled_at: Option<DateTime<Utc>>,
    /// Paid, but not recorded as a règlement: the invoice had nothing left
    /// to pay by then (its code, `overpayment` or `invoice_cancelled`); the
    /// commune refunds it or records it by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_recorded: Option<String>,
    /// The payment service's authorisation number (PayFiP `numauto`), kept
    /// for a payment not recorded (the commune's refund quotes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<String>,
    /// How an agent settled a payment not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// How an agent settled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettleAction {
    /// Refunded to the payer outside the portal.
    Refunded,
    /// Recorded as a règlement of another invoice of the family.
    Recorded,
}

/// The settlement, as stored on the online payment (and shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Review {
    pub action: SettleAction,
    /// The refund's reference, or the agent's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub by_account_id: String,
    /// The agent's name then.
    pub by_name: String,
    pub at: DateTime<Utc>,
    /// `recorded`: the invoice it paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
}

/// The lookup of an online payment by its `idop` (and of one not recorded
/// by its id).
#[derive(Debug, Serialize, Deserialize)]
pub struct ByIdop {
    pub family_id: String,
    pub online_payment_id: String,
}

/// The lock on an invoice while a payment is in progress.
#[derive(Debug, Serialize, Deserialize)]
struct Lock {
    online_payment_id: String,
}

/// `PAYPENDING` (and `PAYREVIEW`) index sort key: an instant, sortable,
/// then the id.
pub fn pending_sk(created_at: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", instant(created_at))
}

/// `2026-12-07T10:05:00Z`: sorts as time goes.
pub fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentStarted {
    pub online_payment_id: String,
    /// The payment service's page: the browser goes there.
    pub redirect_url: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OnlinePaymentView {
    pub id: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub service: String,
    pub amount_cents: i64,
    pub state: OnlineState,
    pub settled_at: Option<DateTime<Utc>>,
    /// Paid, but not recorded on the invoice, which had nothing left to pay
    /// by then: `overpayment` (settled meanwhile) or `invoice_cancelled`;
    /// the commune refunds the payer or applies it to another invoice.
    pub not_recorded: Option<String>,
}

impl From<&OnlinePayment> for OnlinePaymentView {
    fn from(o: &OnlinePayment) -> Self {
        Self {
            id: o.id.clone(),
            invoice_id: o.invoice_id.clone(),
            invoice_number: o.invoice_number.clone(),
            service: o.service.clone(),
            amount_cents: o.amount_cents,
            state: o.state,
            settled_at: o.settled_at,
            not_recorded: o.not_recorded.clone(),
        }
    }
}

/// What the notification answers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationAnswer {
    pub state: OnlineState,
}

fn not_payable(detail: &str) -> ApiError {
    ApiError::rule("not_payable_online", detail)
}

fn unavailable(e: &PaymentError) -> ApiError {
    tracing::error!(error = %e, "payment service");
    let status = match e {
        PaymentError::Timeout | PaymentError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    };
    ApiError::new(
        status,
        "payment_service_unavailable",
        "Le service de paiement en ligne ne répond pas pour le moment. Réessayez dans quelques minutes.",
    )
}

/// PayFiP's `refdet`: the invoice number's letters and digits, at most 30.
pub fn reference_of(invoice: &Invoice) -> String {
    let from = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(30)
            .collect()
    };
    let r = from(&invoice.number);
    if r.is_empty() { from(&invoice.id) } else { r }
}

/// `Facture <number> <service>`, at most 100 characters.
fn object_of(invoice: &Invoice) -> String {
    format!("Facture {} {}", invoice.number, invoice.service)
        .chars()
        .take(100)
        .collect()
}

async fn read_invoice(app: &AppState, family_id: &str, invoice_id: &str) -> ApiResult<Invoice> {
    if invoice_id.is_empty() || invoice_id.len() > 40 || invoice_id.contains('#') {
        return Err(store::invoice_not_found());
    }
    app.store
        .get(&keys::invoice(family_id, invoice_id))
        .await?
        .ok_or_else(store::invoice_not_found)?
        .data::<Invoice>()
        .map_err(ApiError::from)
}

/// `POST /api/billing/invoices/{id}/payment`: starts the online payment of
/// an invoice's whole balance.
#[utoipa::path(post, path = "/api/billing/invoices/{id}/payment", operation_id = "pay_invoice_online", tag = "billing", params(("id" = String, Path), FamilyParam),
    responses(
        (status = 201, description = "Paiement créé : le navigateur va sur `redirect_url`", body = PaymentStarted),
        (status = 404, description = "Facture inconnue, ou d'une autre famille", body = Problem),
        (status = 409, description = "`invoice_settled` (rien à payer), `payment_in_progress` (un paiement est déjà en cours)", body = Problem),
        (status = 422, description = "`not_payable_online` (moins de 1 €, ou pas de paiement en ligne)", body = Problem),
        (status = 502, description = "`payment_service_unavailable`", body = Problem),
        (status = 503, description = "`payment_service_unavailable`", body = Problem),
    ))]
pub async fn start(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Response> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let invoice = read_invoice(&app, &family_id, &id).await?;
    if invoice.is_cancelled() || invoice.balance_cents() == 0 {
        return Err(ApiError::conflict(
            "invoice_settled",
            "Cette facture n'a plus rien à payer.",
        ));
    }
    let Some(provider) = app.payments.clone() else {
        return Err(not_payable(
            "Le paiement en ligne n'est pas proposé par la commune.",
        ));
    };
    let amount_cents = invoice.balance_cents();
    if amount_cents < MIN_CENTS {
        return Err(not_payable(
            "Le paiement en ligne n'est possible qu'à partir de 1 €. Réglez ce reste à payer auprès de la mairie.",
        ));
    }
    let account: Account = app
        .store
        .get(&keys::account(&p.account_id))
        .await?
        .ok_or_else(ApiError::unauthorized)?
        .data()?;
    let now = app.clock.now();
    let online_id = app.ids.next();
    // The invoice's régie's PayFiP client number; none: the one the
    // provider was configured with (`MARELLE_PAYFIP_NUMCLI`).
    let numcli = super::regies::numcli_for(&app, &invoice.service)
        .await?
        .unwrap_or_default();
    let lock_key = keys::online_payment_lock(&family_id, &invoice.id);
    let lock = Item::with_data(
        lock_key.clone(),
        &Lock {
            online_payment_id: online_id.clone(),
        },
    )?
    .expires_at((now + Duration::minutes(IN_PROGRESS_MINUTES)).timestamp());
    match app.store.put(lock, Some(Condition::NotExists)).await {
        Ok(()) => {}
        Err(e) if e.is_condition_failed() => {
            return Err(ApiError::conflict(
                "payment_in_progress",
                "Un paiement en ligne de cette facture est déjà en cours. Terminez-le, ou attendez une vingtaine de minutes avant de recommencer.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let release = || async {
        if let Err(e) = app.store.delete(&lock_key, None).await {
            tracing::warn!(error = %e, "online payment lock not released");
        }
    };
    let order = PaymentOrder {
        year: invoice.year(),
        amount_cents,
        email: account.email.clone(),
        numcli,
        object: object_of(&invoice),
        reference: reference_of(&invoice),
        notify_url: app.commune.link(NOTIFICATION_PATH),
        return_url: app.commune.link(RETURN_PATH),
    };
    let created = match provider.create(&order).await {
        Ok(c) => c,
        Err(e) => {
            release().await;
            return Err(unavailable(&e));
        }
    };
    let online = OnlinePayment {
        id: online_id.clone(),
        family_id: family_id.clone(),
        invoice_id: invoice.id.clone(),
        invoice_number: invoice.number.clone(),
        service: invoice.service.clone(),
        idop: created.id_op.clone(),
        amount_cents,
        state: OnlineState::Pending,
        account_id: account.id.clone(),
        provider: provider.name().to_string(),
        created_at: now,
        settled_at: None,
        not_recorded: None,
        transaction: None,
        review: None,
    };
    let writes = (|| -> Result<Vec<Write>, StoreError> {
        Ok(vec![
            Write::put_new(
                Item::with_data(keys::online_payment(&family_id, &online_id), &online)?.index(
                    Index::Gsi2,
                    keys::PAYMENTS_PENDING,
                    pending_sk(now, &online_id),
                ),
            ),
            Write::put_new(Item::with_data(
                keys::online_payment_by_idop(&created.id_op),
                &ByIdop {
                    family_id: family_id.clone(),
                    online_payment_id: online_id.clone(),
                },
            )?),
        ])
    })();
    let written = match writes {
        Ok(w) => app.store.transact(w).await,
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        release().await;
        return Err(match e {
            StoreError::ConditionFailed { .. } => {
                unavailable(&PaymentError::Invalid("transaction id given twice".into()))
            }
            e => e.into(),
        });
    }
    Ok((
        StatusCode::CREATED,
        Json(PaymentStarted {
            online_payment_id: online_id,
            redirect_url: created.redirect_url,
        }),
    )
        .into_response())
}

/// `GET /api/billing/online-payments/{id}`: where an online payment stands
/// (the page the parent comes back to polls it).
#[utoipa::path(get, path = "/api/billing/online-payments/{id}", operation_id = "read_online_payment", tag = "billing", params(("id" = String, Path), FamilyParam),
    responses(
        (status = 200, description = "Le paiement en ligne et son état", body = OnlinePaymentView),
        (status = 404, description = "Paiement inconnu, ou d'une autre famille", body = Problem),
    ))]
pub async fn read(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<OnlinePaymentView>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    if id.is_empty() || id.len() > 40 || id.contains('#') {
        return Err(ApiError::not_found());
    }
    let online = load(&app, &family_id, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(OnlinePaymentView::from(&online)))
}

pub async fn load(app: &AppState, family_id: &str, id: &str) -> ApiResult<Option<OnlinePayment>> {
    Ok(app
        .store
        .get(&keys::online_payment(family_id, id))
        .await?
        .map(|i| i.data::<OnlinePayment>())
        .transpose()?)
}

fn unknown_payment() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_payment",
        "Ce paiement en ligne n'existe pas.",
    )
}

/// The online payment of a transaction (404 when unknown).
pub async fn by_idop(app: &AppState, idop: &str) -> ApiResult<OnlinePayment> {
    if idop.len() > MAX_IDOP
        || !idop
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(unknown_payment());
    }
    let lookup: ByIdop = app
        .store
        .get(&keys::online_payment_by_idop(idop))
        .await?
        .ok_or_else(unknown_payment)?
        .data()?;
    load(app, &lookup.family_id, &lookup.online_payment_id)
        .await?
        .ok_or_else(unknown_payment)
}

#[derive(Debug, Deserialize)]
struct IdopForm {
    idop: Option<String>,
}

/// `idop` from a form body or a query string.
fn idop_of(form: &[u8]) -> ApiResult<String> {
    if form.len() > FORM_LIMIT {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "La demande est trop volumineuse.",
        ));
    }
    let parsed: IdopForm = serde_urlencoded::from_bytes(form).map_err(|_| missing_idop())?;
    parsed
        .idop
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(missing_idop)
}

fn missing_idop() -> ApiError {
    ApiError::invalid_fields(vec![marelle_domain::accounts::FieldError::new(
        "idop",
        "invalid_idop",
        "Le numéro de transaction (idop) est obligatoire.",
    )])
}

/// Releases the lock an online payment holds on its invoice (if still its).
async fn release_lock(app: &AppState, online: &OnlinePayment) {
    let key = keys::online_payment_lock(&online.family_id, &online.invoice_id);
    let cond = Condition::Equals(
        "online_payment_id".into(),
        serde_json::Value::String(online.id.clone()),
    );
    match app.store.delete(&key, Some(cond)).await {
        Ok(()) => {}
        Err(e) if e.is_condition_failed() => {}
        Err(e) => tracing::warn!(error = %e, "online payment lock not released"),
    }
}

/// Writes a final state, once (conditioned on `pending`); true when this
/// call made the change.
async fn close(
    app: &AppState,
    online: &OnlinePayment,
    state: OnlineState,
    at: DateTime<Utc>,
) -> ApiResult<bool> {
    match app
        .store
        .update(
            &keys::online_payment(&online.family_id, &online.id),
            close_update(state, at),
            Some(pending_condition()),
        )
        .await
    {
        Ok(_) => {
            release_lock(app, online).await;
            Ok(true)
        }
        Err(e) if e.is_condition_failed() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn close_update(state: OnlineState, at: DateTime<Utc>) -> Update {
    Update::new()
        .set("state", state.as_str())
        .set("settled_at", marelle_domain::time::rfc3339(at))
        .remove("GSI2PK")
        .remove("GSI2SK")
}

fn pending_condition() -> Condition {
    Condition::Equals(
        "state".into(),
        serde_json::Value::String(OnlineState::Pending.as_str().into()),
    )
}

/// Asks the payment service how a pending online payment ended and applies
/// the answer once: paid → one règlement (with the online payment's move to
/// `paid` in the same transaction) and the receipt e-mail; refused or
/// abandoned → the state, and the invoice is free to pay again; still
/// pending → nothing. Answers the online payment as it is after.
pub async fn settle(app: &AppState, online: OnlinePayment) -> ApiResult<OnlinePayment> {
    if online.state != OnlineState::Pending {
        return Ok(online);
    }
    let Some(provider) = app.payments.clone() else {
        return Ok(online);
    };
    let detail = provider
        .detail(&online.idop)
        .await
        .map_err(|e| unavailable(&e))?;
    let now = app.clock.now();
    match detail.result {
        PaymentResult::Pending => Ok(online),
        PaymentResult::Refused | PaymentResult::Abandoned => {
            let state = if detail.result == PaymentResult::Refused {
                OnlineState::Refused
            } else {
                OnlineState::Abandoned
            };
            close(app, &online, state, now).await?;
            reread(app, online).await
        }
        PaymentResult::Paid {
            at, authorisation, ..
        } => {
            if let Some(amount) = detail.amount_cents.filter(|a| *a != online.amount_cents) {
                tracing::error!(
                    idop = %online.idop,
                    expected = online.amount_cents,
                    amount,
                    "online payment: the payment service holds another amount"
                );
                return Err(ApiError::conflict(
                    "amount_mismatch",
                    "Le montant payé ne correspond pas à la facture : le paiement est vérifié par la mairie.",
                ));
            }
            let paid_at = at.unwrap_or(now);
            let state_write = Write::Update {
                key: keys::online_payment(&online.family_id, &online.id),
                update: close_update(OnlineState::Paid, paid_at),
                condition: Some(pending_condition()),
            };
            let payment_id = app.ids.next();
            let idop = online.idop.clone();
            let date = marelle_domain::time::local_date(paid_at);
            let recorded = store::record_payment_with(
                app,
                &online.invoice_id,
                |inv| Payment {
                    id: payment_id.clone(),
                    invoice_id: inv.id.clone(),
                    number: idop.clone(),
                    date,
                    method: PaymentMethod::Online,
                    amount_cents: online.amount_cents,
                    service: inv.service.clone(),
                    description: Some(format!("Règlement en ligne - Transaction n°{idop}")),
                },
                std::slice::from_ref(&state_write),
            )
            .await;
            match recorded {
                Ok(_) => {
                    release_lock(app, &online).await;
                    send_receipt(app, &online, paid_at).await;
                }
                Err(e) if e.code == store::EXTRA_CONDITION_FAILED => {} // applied already
                Err(e) if e.code == "payment_exists" => {
                    // The règlement is there (recorded by an agent under
                    // this number): only the state is left to write.
                    close(app, &online, OnlineState::Paid, paid_at).await?;
                }
                Err(e) => {
                    // Another call recorded it meanwhile (the invoice read
                    // after it has nothing left to pay): nothing to do.
                    let now = reread(app, online.clone()).await?;
                    if now.state != OnlineState::Pending {
                        return Ok(now);
                    }
                    if e.code == "overpayment" || e.code == "invoice_cancelled" {
                        // Paid at the payment service, but the invoice was
                        // settled or cancelled meanwhile (a cheque at the
                        // town hall): the money is taken, so the payment is
                        // `paid`, kept apart from the ledger for the commune
                        // to refund or record by hand.
                        tracing::error!(
                            idop = %online.idop,
                            invoice = %online.invoice_id,
                            code = %e.code,
                            "online payment taken but not recorded: to refund or record by hand"
                        );
                        // It leaves `PAYPENDING` for `PAYREVIEW`: the
                        // back-office lists it with one query.
                        let key = keys::online_payment(&online.family_id, &online.id);
                        let update = Update::new()
                            .set("state", OnlineState::Paid.as_str())
                            .set("settled_at", marelle_domain::time::rfc3339(paid_at))
                            .set("not_recorded", e.code.clone())
                            .set("transaction", authorisation.clone())
                            .set("GSI2PK", keys::PAYMENTS_TO_REVIEW)
                            .set("GSI2SK", pending_sk(paid_at, &online.id));
                        let lookup = Item::with_data(
                            keys::online_payment_by_id(&online.id),
                            &ByIdop {
                                family_id: online.family_id.clone(),
                                online_payment_id: online.id.clone(),
                            },
                        )?;
                        match app
                            .store
                            .transact(vec![
                                Write::Update {
                                    key,
                                    update,
                                    condition: Some(pending_condition()),
                                },
                                Write::put(lookup),
                            ])
                            .await
                        {
                            Ok(()) => release_lock(app, &online).await,
                            Err(se) if se.is_condition_failed() => {}
                            Err(se) => return Err(se.into()),
                        }
                        return reread(app, online).await;
                    }
                    tracing::error!(idop = %online.idop, code = %e.code, "online payment not recorded");
                    return Err(e);
                }
            }
            reread(app, online).await
        }
    }
}

async fn reread(app: &AppState, online: OnlinePayment) -> ApiResult<OnlinePayment> {
    Ok(load(app, &online.family_id, &online.id)
        .await?
        .unwrap_or(online))
}

/// Marks a payment with no result after [`IN_PROGRESS_MINUTES`] abandoned
/// (the polling job); true when this call did.
pub async fn abandon(app: &AppState, online: &OnlinePayment) -> ApiResult<bool> {
    close(app, online, OnlineState::Abandoned, app.clock.now()).await
}

/// The receipt, to the parent who paid (sent by the one call that recorded
/// the payment, so once).
async fn send_receipt(app: &AppState, online: &OnlinePayment, paid_at: DateTime<Utc>) {
    let account: Option<Account> = match app.store.get(&keys::account(&online.account_id)).await {
        Ok(Some(item)) => item.data().ok(),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "receipt: account not read");
            None
        }
    };
    let Some(account) = account else {
        return;
    };
    let message = payment_receipt(
        &account.email,
        &account.greeting_name(),
        &app.commune,
        &PaymentReceipt {
            invoice_number: &online.invoice_number,
            service: &online.service,
            amount_cents: online.amount_cents,
            transaction: &online.idop,
            paid_at,
        },
    );
    let _ = crate::http::mail::send(app, &message).await;
}

/// `POST /api/billing/payfip/notification`: the payment service says a
/// transaction ended (server to server, no session, no origin check: the
/// result is read back from the service).
#[utoipa::path(post, path = "/api/billing/payfip/notification", operation_id = "payfip_notification", tag = "billing",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`idop=<transaction>`"),
    responses(
        (status = 200, description = "Pris en compte (les répétitions aussi)", body = NotificationAnswer),
        (status = 404, description = "Transaction inconnue", body = Problem),
        (status = 422, description = "`idop` manquant", body = Problem),
    ))]
pub async fn notification(
    State(app): State<AppState>,
    body: Bytes,
) -> ApiResult<Json<NotificationAnswer>> {
    let idop = idop_of(&body)?;
    let online = by_idop(&app, &idop).await?;
    let online = settle(&app, online).await?;
    Ok(Json(NotificationAnswer {
        state: online.state,
    }))
}

/// The web app's page showing an online payment's outcome.
pub fn outcome_path(online_payment_id: &str) -> String {
    format!("/espace-facturation/paiement/{online_payment_id}")
}

async fn back(app: AppState, idop: ApiResult<String>) -> ApiResult<Response> {
    let online = by_idop(&app, &idop?).await?;
    let id = online.id.clone();
    // The page polls when the result is not known yet (or the service did
    // not answer now): the parent is sent there anyway.
    if let Err(e) = settle(&app, online).await {
        tracing::warn!(code = %e.code, "return: payment not settled now");
    }
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, outcome_path(&id))],
    )
        .into_response())
}

/// `GET /api/billing/payfip/return?idop=`: the payer's browser comes back
/// from the payment service; 303 to the outcome page.
#[utoipa::path(get, path = "/api/billing/payfip/return", operation_id = "payfip_return", tag = "billing",
    params(("idop" = String, Query)),
    responses(
        (status = 303, description = "Vers la page du résultat du paiement"),
        (status = 404, description = "Transaction inconnue", body = Problem),
        (status = 422, description = "`idop` manquant", body = Problem),
    ))]
pub async fn return_get(State(app): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let q = q.unwrap_or_default();
    back(app, idop_of(q.as_bytes())).await
}

/// `POST /api/billing/payfip/return` (form `idop`): the same, posted.
#[utoipa::path(post, path = "/api/billing/payfip/return", operation_id = "payfip_return_post", tag = "billing",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`idop=<transaction>`"),
    responses(
        (status = 303, description = "Vers la page du résultat du paiement"),
        (status = 404, description = "Transaction inconnue", body = Problem),
        (status = 422, description = "`idop` manquant", body = Problem),
    ))]
pub async fn return_post(
    State(app): State<AppState>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    let idop = match idop_of(&body) {
        Ok(i) => Ok(i),
        Err(_) if body.len() <= FORM_LIMIT => idop_of(q.unwrap_or_default().as_bytes()),
        Err(e) => Err(e),
    };
    back(app, idop).await
}
