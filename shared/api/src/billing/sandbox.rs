//! The payment sandbox: a payment service played by the portal itself, for
//! demos, the browser suite and tests (`--dev`/`--demo` without PayFiP).
//! `create` keeps the order in the store (a day); the payer's page
//! (`GET /api/dev/payfip?idop=`) shows the amount and what is paid, with
//! "Payer", "Refuser" and "Abandonner"; the choice (`POST /api/dev/payfip`)
//! is kept, notified to the portal as PayFiP's server would, and the
//! browser goes back to the return address. `detail` answers the choice
//! (pending until one is made).

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use marelle_domain::billing::rules::euros;
use marelle_domain::emails::escape_html;
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item, Update};
use marelle_domain::ports::{
    Clock, CreatedPayment, IdGenerator, PaymentDetail, PaymentError, PaymentOrder, PaymentProvider,
    PaymentResult, Store,
};
use serde::{Deserialize, Serialize};

use super::online::{self, FORM_LIMIT, MAX_IDOP};
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// The sandbox page's path.
pub const PAGE_PATH: &str = "/api/dev/payfip";
/// How long the sandbox keeps an order.
const KEPT_HOURS: i64 = 24;

/// The sandbox provider.
pub struct Sandbox {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    ids: Arc<IdGenerator>,
}

impl Sandbox {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        let ids = Arc::new(IdGenerator::new(clock.clone()));
        Self { store, clock, ids }
    }
}

/// An order the sandbox holds, and the payer's choice once made.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Order {
    idop: String,
    amount_cents: i64,
    object: String,
    reference: String,
    email: String,
    return_url: String,
    /// `P` paid, `R` refused, `A` abandoned; none yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<DateTime<Utc>>,
}

fn store_error(e: impl std::fmt::Display) -> PaymentError {
    PaymentError::Unavailable(e.to_string())
}

#[async_trait]
impl PaymentProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create(&self, order: &PaymentOrder) -> Result<CreatedPayment, PaymentError> {
        let reference_ok = !order.reference.is_empty()
            && order.reference.len() <= 30
            && order.reference.chars().all(|c| c.is_ascii_alphanumeric());
        if !reference_ok {
            return Err(PaymentError::Invalid("refdet".into()));
        }
        if order.amount_cents < online::MIN_CENTS {
            return Err(PaymentError::Invalid("montant".into()));
        }
        let idop = self.ids.next();
        let now = self.clock.now();
        let item = Item::with_data(
            keys::sandbox_order(&idop),
            &Order {
                idop: idop.clone(),
                amount_cents: order.amount_cents,
                object: order.object.clone(),
                reference: order.reference.clone(),
                email: order.email.clone(),
                return_url: order.return_url.clone(),
                result: None,
                at: None,
            },
        )
        .map_err(store_error)?
        .expires_at((now + Duration::hours(KEPT_HOURS)).timestamp());
        self.store
            .put(item, Some(Condition::NotExists))
            .await
            .map_err(store_error)?;
        Ok(CreatedPayment {
            redirect_url: format!("{PAGE_PATH}?idop={idop}"),
            id_op: idop,
        })
    }

    async fn detail(&self, id_op: &str) -> Result<PaymentDetail, PaymentError> {
        let order: Order = self
            .store
            .get(&keys::sandbox_order(id_op))
            .await
            .map_err(store_error)?
            .ok_or(PaymentError::Unknown)?
            .data()
            .map_err(store_error)?;
        let result = match order.result.as_deref() {
            None => PaymentResult::Pending,
            Some("P") => PaymentResult::Paid {
                by_debit: false,
                authorisation: "SANDBOX".into(),
                at: order.at,
            },
            Some("R") => PaymentResult::Refused,
            Some("A") => PaymentResult::Abandoned,
            Some(other) => {
                return Err(PaymentError::Fault {
                    code: "resultrans".into(),
                    message: other.into(),
                });
            }
        };
        Ok(PaymentDetail {
            result,
            amount_cents: Some(order.amount_cents),
            reference: Some(order.reference),
        })
    }
}

/// The sandbox's pages (merged only when the sandbox is the provider).
pub fn router() -> Router<AppState> {
    Router::new().route(PAGE_PATH, get(page).post(choose))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    idop: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    idop: Option<String>,
    resultrans: Option<String>,
}

async fn order_of(app: &AppState, idop: Option<String>) -> ApiResult<Order> {
    let idop = idop
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= MAX_IDOP && !s.contains('#'))
        .ok_or_else(unknown)?;
    Ok(app
        .store
        .get(&keys::sandbox_order(&idop))
        .await?
        .ok_or_else(unknown)?
        .data()?)
}

fn unknown() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_payment",
        "Ce paiement n'existe pas dans le bac à sable.",
    )
}

/// The path of an absolute address on the portal (the browser stays on
/// the origin it uses).
fn path_of(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".into(),
        },
        None => url.to_string(),
    }
}

const STYLE: &str = "*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;background:#f4f6fa;color:#1b1b1b}\
main{max-width:36rem;width:calc(100% - 2rem);margin:1rem auto;padding:1.5rem;background:#fff;border:1px solid #c9d1dc;border-radius:8px}\
h1{font-size:1.5rem;margin-top:0}dl{display:grid;grid-template-columns:auto 1fr;gap:.5rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}\
.note{background:#fff4d6;border-left:4px solid #8a5a00;padding:.5rem .75rem}\
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}\
button{font:inherit;padding:.6rem 1.2rem;border-radius:4px;border:2px solid #1f3b73;cursor:pointer}\
button.pay{background:#1f3b73;color:#fff}button.other{background:#fff;color:#1f3b73}\
button:focus-visible,a:focus-visible{outline:3px solid #b34000;outline-offset:2px}\
a{color:#1f3b73}.top{max-width:36rem;margin:1rem auto;padding:0 1.5rem}";

fn html_page(commune: &str, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} – Paiement en ligne (bac à sable) – {}</title><style>{STYLE}</style></head>\
<body><header class=\"top\"><p>{} · Paiement en ligne (bac à sable)</p></header>\
<nav aria-label=\"Bac à sable\" class=\"top\"><a href=\"/espace-facturation\">Retour à l'espace facturation</a></nav>\
<main>{body}</main><footer class=\"top\"><p>Ce service de paiement est celui de démonstration du portail.</p></footer></body></html>",
        escape_html(title),
        escape_html(commune),
        escape_html(commune),
    );
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        )],
        Html(html),
    )
        .into_response()
}

/// `GET /api/dev/payfip?idop=`: the payer's page.
async fn page(State(app): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let q: PageQuery = serde_urlencoded::from_str(&q.unwrap_or_default()).map_err(|_| unknown())?;
    let order = order_of(&app, q.idop).await?;
    let facts = format!(
        "<dl><dt>Objet</dt><dd>{}</dd><dt>Montant</dt><dd>{}</dd><dt>Référence</dt><dd>{}</dd><dt>Transaction</dt><dd>{}</dd></dl>",
        escape_html(&order.object),
        escape_html(&euros(order.amount_cents)),
        escape_html(&order.reference),
        escape_html(&order.idop),
    );
    if order.result.is_some() {
        let back = format!(
            "{}?idop={}",
            path_of(&order.return_url),
            escape_html(&order.idop)
        );
        return Ok(html_page(
            &app.commune.name,
            "Paiement terminé",
            &format!(
                "<h1>Paiement terminé</h1>{facts}<p>Ce paiement est déjà terminé.</p><p><a href=\"{back}\">Revenir au portail</a></p>"
            ),
        ));
    }
    Ok(html_page(
        &app.commune.name,
        "Payer en ligne",
        &format!(
            "<h1>Payer en ligne</h1>\
<p class=\"note\">Bac à sable du portail : aucun paiement réel n'a lieu. Choisissez le résultat du paiement.</p>\
{facts}\
<form method=\"post\" action=\"{PAGE_PATH}\"><input type=\"hidden\" name=\"idop\" value=\"{}\">\
<div class=\"actions\"><button class=\"pay\" type=\"submit\" name=\"resultrans\" value=\"P\">Payer</button>\
<button class=\"other\" type=\"submit\" name=\"resultrans\" value=\"R\">Refuser</button>\
<button class=\"other\" type=\"submit\" name=\"resultrans\" value=\"A\">Abandonner</button></div></form>",
            escape_html(&order.idop)
        ),
    ))
}

/// `POST /api/dev/payfip` (form `idop`, `resultrans` `P`, `R` or `A`): keeps
/// the payer's choice (the first one), notifies the portal, and sends the
/// browser back to the return address.
async fn choose(State(app): State<AppState>, body: Bytes) -> ApiResult<Response> {
    if body.len() > FORM_LIMIT {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "La demande est trop volumineuse.",
        ));
    }
    let choice: Choice = serde_urlencoded::from_bytes(&body).map_err(|_| bad_choice())?;
    let result = choice
        .resultrans
        .filter(|r| matches!(r.as_str(), "P" | "R" | "A"))
        .ok_or_else(bad_choice)?;
    let order = order_of(&app, choice.idop).await?;
    pay_as(&app, &order.idop, &result).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("{}?idop={}", path_of(&order.return_url), order.idop),
        )],
    )
        .into_response())
}

/// The payer's choice on the sandbox page (`P`, `R` or `A`; the first one
/// stands), then the notification, as PayFiP's server would send it (the
/// demo uses it too).
pub async fn pay_as(app: &AppState, idop: &str, result: &str) -> ApiResult<()> {
    if !matches!(result, "P" | "R" | "A") {
        return Err(bad_choice());
    }
    let order = order_of(app, Some(idop.to_string())).await?;
    let now = app.clock.now();
    let not_chosen = Condition::Below("chosen".into(), 1);
    match app
        .store
        .update(
            &keys::sandbox_order(&order.idop),
            Update::new()
                .set("result", result)
                .set("at", marelle_domain::time::rfc3339(now))
                .add("chosen", 1),
            Some(Condition::Exists.and(not_chosen)),
        )
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_condition_failed() => {} // chosen already: the first choice stands
        Err(e) => return Err(e.into()),
    }
    // As PayFiP's server would, before the payer is back.
    match online::by_idop(app, &order.idop).await {
        Ok(payment) => {
            if let Err(e) = online::settle(app, payment).await {
                tracing::warn!(code = %e.code, "sandbox notification not applied");
            }
        }
        Err(e) => tracing::warn!(code = %e.code, "sandbox notification: unknown payment"),
    }
    Ok(())
}

fn bad_choice() -> ApiError {
    ApiError::invalid_fields(vec![marelle_domain::accounts::FieldError::new(
        "resultrans",
        "invalid_choice",
        "Choisissez Payer, Refuser ou Abandonner.",
    )])
}
