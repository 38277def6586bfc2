//! "Votre espace de facturation": the parents' invoices, operations and
//! payments (règlements), and the back-office's manual payments and
//! cancellations. Invoices are created by `POST /api/agent/invoices`
//! (`crate::agent::families`). Online payment, imports and PDFs come on top
//! of this ledger.

pub mod documents;
pub mod image;
pub mod import;
pub mod import_jobs;
pub mod logo;
pub mod online;
pub mod pdf;
pub mod regies;
pub mod review;
pub mod sandbox;
pub mod store;

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post, put};
use chrono::NaiveDate;
use marelle_domain::billing::rules::{self, PaymentFields};
use marelle_domain::billing::{
    CreditNote, Invoice, InvoiceLine, InvoiceState, Operation, OperationNature, Payment,
    PaymentMethod, ledger,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, Parent, UrlQuery};
use crate::http::state::AppState;

/// Rows of one page of a billing list.
pub const PAGE_SIZE: usize = 20;

/// The parents' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/billing/invoices", get(invoices))
        .route("/api/billing/invoices/{id}", get(invoice))
        .route("/api/billing/invoices/{id}/pdf", get(documents::download))
        .route("/api/billing/operations", get(operations))
        .route("/api/billing/payments", get(payments))
        .merge(online::router())
}

/// The back-office's routes.
pub fn agent_router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/payments", post(record_payment))
        .route("/api/agent/families/{id}/invoices", get(family_invoices))
        .route("/api/agent/invoices/{id}/cancel", post(cancel_invoice))
        .route(
            "/api/agent/invoices/{id}/pdf",
            put(documents::upload).layer(DefaultBodyLimit::max(documents::MAX_PDF_BYTES)),
        )
        .route(
            "/api/agent/invoices/{id}/pdf/upload",
            post(documents::start_upload),
        )
        .route(
            "/api/agent/invoices/{id}/pdf/confirm",
            post(documents::confirm_upload),
        )
        .route(
            "/api/agent/commune/logo",
            put(logo::put_logo)
                .get(logo::get_logo)
                .delete(logo::delete_logo)
                .layer(DefaultBodyLimit::max(image::MAX_LOGO_BYTES)),
        )
        .route(
            "/api/agent/regies",
            get(regies::list_regies).post(regies::create_regie),
        )
        .route("/api/agent/regies/{id}", patch(regies::update_regie))
        .route("/api/agent/online-payments", get(review::list))
        .route(
            "/api/agent/online-payments/{id}/settle",
            post(review::settle),
        )
        .route(
            "/api/agent/invoices/import",
            post(import::import_invoices).layer(DefaultBodyLimit::max(
                marelle_domain::billing::import::MAX_FILE_BYTES,
            )),
        )
        .route(
            "/api/agent/payments/import",
            post(import::import_payments).layer(DefaultBodyLimit::max(
                marelle_domain::billing::import::MAX_FILE_BYTES,
            )),
        )
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceView {
    pub id: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The régie.
    pub service: String,
    pub issuer: String,
    pub amount_cents: i64,
    pub paid_cents: i64,
    /// Still to pay (0 once cancelled).
    pub balance_cents: i64,
    pub state: InvoiceState,
    /// A PDF can be downloaded (always: the commune's own when given,
    /// otherwise rendered by the portal).
    pub pdf: bool,
    pub payable_online: bool,
    /// The credit note of a cancelled invoice.
    pub credit_note: Option<CreditNote>,
}

impl InvoiceView {
    /// `online`: an online payment provider is configured.
    pub fn of(i: &Invoice, online: bool) -> Self {
        Self {
            id: i.id.clone(),
            number: i.number.clone(),
            issued_on: i.issued_on,
            due_on: i.due_on,
            service: i.service.clone(),
            issuer: i.issuer.clone(),
            amount_cents: i.amount_cents,
            paid_cents: i.paid_cents,
            balance_cents: i.balance_cents(),
            state: i.state(),
            pdf: true,
            payable_online: i.payable_online(online),
            credit_note: i.credit_note.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentView {
    pub id: String,
    pub number: String,
    pub date: NaiveDate,
    pub method: PaymentMethod,
    /// "Chèque n°…", "Règlement en ligne - Transaction n°…".
    pub description: String,
    pub amount_cents: i64,
    pub invoice_id: String,
    pub service: String,
}

impl From<&Payment> for PaymentView {
    fn from(p: &Payment) -> Self {
        Self {
            id: p.id.clone(),
            number: p.number.clone(),
            date: p.date,
            method: p.method,
            description: p.description(),
            amount_cents: p.amount_cents,
            invoice_id: p.invoice_id.clone(),
            service: p.service.clone(),
        }
    }
}

/// "Mes factures", one page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvoicePage {
    pub items: Vec<InvoiceView>,
    pub next_page: Option<String>,
    /// Every service the family has invoices from (for the filter).
    pub services: Vec<String>,
    /// Every year the family has invoices in, newest first.
    pub years: Vec<i32>,
    /// Everything the family still has to pay, whatever the filters.
    pub to_pay_cents: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: InvoiceView,
    pub lines: Vec<InvoiceLine>,
    pub payments: Vec<PaymentView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OperationPage {
    pub items: Vec<Operation>,
    pub next_page: Option<String>,
    /// Σ `to_pay_cents` of every operation, whatever the filters.
    pub to_pay_cents: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentPage {
    pub items: Vec<PaymentView>,
    pub next_page: Option<String>,
}

/// The "Nature" filter of "Mes factures".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceNature {
    /// Something is still to pay.
    ToPay,
    Paid,
    Cancelled,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InvoiceParams {
    pub family_id: Option<String>,
    pub nature: Option<InvoiceNature>,
    /// Year of issue.
    pub year: Option<i32>,
    pub service: Option<String>,
    pub page: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OperationParams {
    pub family_id: Option<String>,
    pub nature: Option<OperationNature>,
    pub year: Option<i32>,
    pub service: Option<String>,
    pub page: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PaymentParams {
    pub family_id: Option<String>,
    pub year: Option<i32>,
    pub service: Option<String>,
    pub page: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FamilyParam {
    pub family_id: Option<String>,
}

/// One page of `rows` (the page is the offset of its first row).
fn paginate<T>(rows: Vec<T>, page: Option<&str>) -> ApiResult<(Vec<T>, Option<String>)> {
    let start = match page.filter(|p| !p.is_empty()) {
        None => 0,
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= rows.len() && n % PAGE_SIZE == 0)
            .ok_or_else(ApiError::invalid_page)?,
    };
    let end = (start + PAGE_SIZE).min(rows.len());
    let next = (end < rows.len()).then(|| end.to_string());
    Ok((
        rows.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

fn service_filter(service: Option<&str>) -> Option<String> {
    service
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn year_of(d: NaiveDate) -> i32 {
    chrono::Datelike::year(&d)
}

/// `GET /api/billing/invoices`: "Mes factures", newest first.
#[utoipa::path(get, path = "/api/billing/invoices", operation_id = "list_invoices", tag = "billing", params(InvoiceParams),
    responses(
        (status = 200, description = "Mes factures, les plus récentes d'abord", body = InvoicePage),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Aucune famille, ou une famille d'un autre compte", body = Problem),
    ))]
pub async fn invoices(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<InvoiceParams>,
) -> ApiResult<Json<InvoicePage>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let all = store::invoices(&app, &family_id).await?;
    Ok(Json(invoice_page(
        all,
        app.payments.is_some(),
        q.nature,
        q.year,
        q.service.as_deref(),
        q.page.as_deref(),
    )?))
}

/// A family's invoices, filtered and paged, with the totals of them all.
fn invoice_page(
    mut all: Vec<Invoice>,
    online: bool,
    nature: Option<InvoiceNature>,
    year: Option<i32>,
    service: Option<&str>,
    page: Option<&str>,
) -> ApiResult<InvoicePage> {
    all.sort_by(|a, b| {
        b.issued_on
            .cmp(&a.issued_on)
            .then_with(|| b.number.cmp(&a.number))
    });
    let mut services: Vec<String> = all.iter().map(|i| i.service.clone()).collect();
    services.sort();
    services.dedup();
    let mut years: Vec<i32> = all.iter().map(Invoice::year).collect();
    years.sort_by(|a, b| b.cmp(a));
    years.dedup();
    let to_pay_cents = all.iter().map(Invoice::balance_cents).sum();
    let service = service_filter(service);
    let rows: Vec<InvoiceView> = all
        .iter()
        .filter(|i| match nature {
            None => true,
            Some(InvoiceNature::ToPay) => i.balance_cents() > 0,
            Some(InvoiceNature::Paid) => i.state() == InvoiceState::Paid,
            Some(InvoiceNature::Cancelled) => i.is_cancelled(),
        })
        .filter(|i| year.is_none_or(|y| i.year() == y))
        .filter(|i| service.as_ref().is_none_or(|s| &i.service == s))
        .map(|i| InvoiceView::of(i, online))
        .collect();
    let (items, next_page) = paginate(rows, page)?;
    Ok(InvoicePage {
        items,
        next_page,
        services,
        years,
        to_pay_cents,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgentInvoiceParams {
    pub nature: Option<InvoiceNature>,
    pub year: Option<i32>,
    pub service: Option<String>,
    pub page: Option<String>,
}

/// `GET /api/agent/families/{id}/invoices`: a family's invoices, as the
/// family sees them (to record a payment or cancel one).
#[utoipa::path(get, path = "/api/agent/families/{id}/invoices", operation_id = "agent_list_invoices", tag = "agent", params(("id" = String, Path), AgentInvoiceParams),
    responses(
        (status = 200, description = "Les factures de la famille, les plus récentes d'abord", body = InvoicePage),
        (status = 404, description = "Famille inconnue", body = Problem),
    ))]
pub async fn family_invoices(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<AgentInvoiceParams>,
) -> ApiResult<Json<InvoicePage>> {
    if id.is_empty() || id.len() > 40 {
        return Err(ApiError::not_found());
    }
    app.store
        .get(&marelle_domain::keys::family(&id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let all = store::invoices(&app, &id).await?;
    Ok(Json(invoice_page(
        all,
        app.payments.is_some(),
        q.nature,
        q.year,
        q.service.as_deref(),
        q.page.as_deref(),
    )?))
}

/// `GET /api/billing/invoices/{id}`: one invoice, its lines and payments.
#[utoipa::path(get, path = "/api/billing/invoices/{id}", operation_id = "read_invoice", tag = "billing", params(("id" = String, Path), FamilyParam),
    responses(
        (status = 200, description = "La facture, ses lignes et ses règlements", body = InvoiceDetail),
        (status = 404, description = "Facture inconnue, ou d'une autre famille", body = Problem),
    ))]
pub async fn invoice(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<InvoiceDetail>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let (invoice, lines, mut payments) = store::detail(&app, &family_id, &id).await?;
    payments.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.number.cmp(&a.number)));
    Ok(Json(InvoiceDetail {
        invoice: InvoiceView::of(&invoice, app.payments.is_some()),
        lines,
        payments: payments.iter().map(PaymentView::from).collect(),
    }))
}

/// `GET /api/billing/operations`: "Mes opérations", newest first.
#[utoipa::path(get, path = "/api/billing/operations", operation_id = "list_operations", tag = "billing", params(OperationParams),
    responses(
        (status = 200, description = "Factures (crédit), règlements et avoirs (débit), les plus récents d'abord", body = OperationPage),
        (status = 404, description = "Aucune famille, ou une famille d'un autre compte", body = Problem),
    ))]
pub async fn operations(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<OperationParams>,
) -> ApiResult<Json<OperationPage>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let (invoices, payments) = store::invoices_and_payments(&app, &family_id).await?;
    let all = ledger(&invoices, &payments);
    let to_pay_cents = all.iter().map(|o| o.to_pay_cents).sum();
    let service = service_filter(q.service.as_deref());
    let rows: Vec<Operation> = all
        .into_iter()
        .filter(|o| q.nature.is_none_or(|n| o.nature == n))
        .filter(|o| q.year.is_none_or(|y| year_of(o.date) == y))
        .filter(|o| service.as_ref().is_none_or(|s| &o.service == s))
        .collect();
    let (items, next_page) = paginate(rows, q.page.as_deref())?;
    Ok(Json(OperationPage {
        items,
        next_page,
        to_pay_cents,
    }))
}

/// `GET /api/billing/payments`: "Mes règlements", newest first.
#[utoipa::path(get, path = "/api/billing/payments", operation_id = "list_payments", tag = "billing", params(PaymentParams),
    responses(
        (status = 200, description = "Mes règlements, les plus récents d'abord", body = PaymentPage),
        (status = 404, description = "Aucune famille, ou une famille d'un autre compte", body = Problem),
    ))]
pub async fn payments(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<PaymentParams>,
) -> ApiResult<Json<PaymentPage>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let mut all = store::payments(&app, &family_id).await?;
    all.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.number.cmp(&a.number)));
    let service = service_filter(q.service.as_deref());
    let rows: Vec<PaymentView> = all
        .iter()
        .filter(|p| q.year.is_none_or(|y| year_of(p.date) == y))
        .filter(|p| service.as_ref().is_none_or(|s| &p.service == s))
        .map(PaymentView::from)
        .collect();
    let (items, next_page) = paginate(rows, q.page.as_deref())?;
    Ok(Json(PaymentPage { items, next_page }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    pub invoice_id: String,
    pub method: PaymentMethod,
    /// Unique per invoice (cheque number, transfer reference…).
    pub number: String,
    pub date: NaiveDate,
    pub amount_cents: i64,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaymentRecorded {
    pub payment: PaymentView,
    /// The invoice after the payment.
    pub invoice: InvoiceView,
}

/// `POST /api/agent/payments`: a payment received at the town hall.
#[utoipa::path(post, path = "/api/agent/payments", operation_id = "record_payment", tag = "agent", request_body = NewPayment,
    responses(
        (status = 201, description = "Règlement enregistré", body = PaymentRecorded),
        (status = 404, description = "Facture inconnue (`unknown_invoice`)", body = Problem),
        (status = 409, description = "`payment_exists` (numéro déjà enregistré sur la facture), `invoice_cancelled`", body = Problem),
        (status = 422, description = "`overpayment` (plus que le reste à payer), champs non conformes", body = Problem),
    ))]
pub async fn record_payment(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(body): JsonBody<NewPayment>,
) -> ApiResult<impl IntoResponse> {
    let today = marelle_domain::time::local_date(app.clock.now());
    let fields = rules::validate_new_payment(
        &PaymentFields {
            number: body.number,
            date: body.date,
            method: body.method,
            amount_cents: body.amount_cents,
            description: body.description,
        },
        today,
    )
    .map_err(ApiError::invalid_fields)?;
    let id = app.ids.next();
    let (invoice, payment) = store::record_payment(&app, body.invoice_id.trim(), |inv| Payment {
        id: id.clone(),
        invoice_id: inv.id.clone(),
        number: fields.number.clone(),
        date: fields.date,
        method: fields.method,
        amount_cents: fields.amount_cents,
        service: inv.service.clone(),
        description: fields.description.clone(),
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(PaymentRecorded {
            payment: PaymentView::from(&payment),
            invoice: InvoiceView::of(&invoice, app.payments.is_some()),
        }),
    ))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    pub reason: String,
}

/// `POST /api/agent/invoices/{id}/cancel`: cancels an invoice with a credit
/// note of its amount (the invoice stays, as `cancelled`).
#[utoipa::path(post, path = "/api/agent/invoices/{id}/cancel", operation_id = "cancel_invoice", tag = "agent", params(("id" = String, Path)), request_body = CancelBody,
    responses(
        (status = 200, description = "Facture annulée, avec son avoir", body = InvoiceView),
        (status = 404, description = "Facture inconnue (`unknown_invoice`)", body = Problem),
        (status = 409, description = "`invoice_has_payments`, `invoice_cancelled`", body = Problem),
        (status = 422, description = "Motif manquant", body = Problem),
    ))]
pub async fn cancel_invoice(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CancelBody>,
) -> ApiResult<Json<InvoiceView>> {
    let reason = rules::validate_reason(&body.reason).map_err(ApiError::invalid_fields)?;
    let today = marelle_domain::time::local_date(app.clock.now());
    let invoice = store::cancel(&app, &id, today, &reason).await?;
    Ok(Json(InvoiceView::of(&invoice, app.payments.is_some())))
}
