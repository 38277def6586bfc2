//! "Mes abonnements": links between accounts and family files, made by
//! subscriber code or by an invoice's references, active at once.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use chrono::{DateTime, Utc};
use marelle_domain::accounts::FieldError;
use marelle_domain::family::codes::normalize_code;
use marelle_domain::family::history::{FamilyEvent, FamilyEventKind};
use marelle_domain::keys;
use marelle_domain::ports::store::{Index, Item, Write};
use marelle_domain::requests::Actor;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ClientIp, JsonBody, Parent};
use crate::http::ratelimit::{self, Pair, Scope};
use crate::http::state::{AppState, Limit};

/// Failed attempts allowed per account and per address.
pub const FAILURES: Limit = Limit {
    max: 10,
    window_secs: 3600,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/subscriptions", get(list).post(subscribe))
        .route("/api/subscriptions/{family_id}", delete(leave))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Subscription {
    pub family_id: String,
    pub label: String,
    pub linked_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Subscriptions {
    pub items: Vec<Subscription>,
}

/// Every subscription of the account.
pub async fn all(app: &AppState, account_id: &str) -> ApiResult<Vec<Subscription>> {
    crate::family::access::subscription_items(app, account_id)
        .await?
        .iter()
        .map(|i| Ok(i.data::<Subscription>()?))
        .collect()
}

/// `GET /api/subscriptions`: the families the account is linked to.
#[utoipa::path(get, path = "/api/subscriptions", operation_id = "list_subscriptions", tag = "subscriptions",
    responses((status = 200, description = "Les abonnements", body = Subscriptions),
              (status = 401, description = "Pas connecté", body = Problem)))]
pub async fn list(
    State(app): State<AppState>,
    Parent(p): Parent,
) -> ApiResult<Json<Subscriptions>> {
    Ok(Json(Subscriptions {
        items: all(&app, &p.account_id).await?,
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceReferences {
    /// "Code émission de la facture".
    pub emission_code: String,
    /// "Référence de la facture".
    pub reference: String,
    /// "Montant de la facture", in cents.
    pub amount_cents: i64,
    /// "Code personnel" of the invoice's recipient.
    pub personal_code: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribeRequest {
    #[serde(default)]
    pub subscriber_code: Option<String>,
    #[serde(default)]
    pub invoice: Option<InvoiceReferences>,
}

/// An invoice as subscriptions look it up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceLookup {
    pub family_id: String,
    pub guardian_id: String,
    pub amount_cents: i64,
    pub personal_code: String,
}

fn not_found() -> ApiError {
    ApiError::rule(
        "subscription_not_found",
        "Aucun dossier famille ne correspond à ces informations. Vérifiez-les ou contactez votre collectivité.",
    )
}

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// Constant-time equality of two short codes.
fn same(a: &str, b: &str) -> bool {
    marelle_domain::secrets::same_secret(a.as_bytes(), b.as_bytes())
}

/// The family matching what the parent typed, if any.
async fn find(app: &AppState, req: &SubscribeRequest) -> ApiResult<Option<String>> {
    if let Some(code) = req
        .subscriber_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    {
        return match normalize_code(code) {
            Some(code) => crate::family::store::by_code(app, &code).await,
            None => Ok(None),
        };
    }
    if let Some(inv) = &req.invoice {
        let (emission, reference) = (clean(&inv.emission_code), clean(&inv.reference));
        // A blank field is a typing slip, not a guess: it is named and
        // not counted as a failed attempt.
        let mut missing = Vec::new();
        for (field, value, what) in [
            ("invoice.emission_code", &emission, "le code émission"),
            ("invoice.reference", &reference, "la référence"),
            (
                "invoice.personal_code",
                &clean(&inv.personal_code),
                "le code personnel",
            ),
        ] {
            if value.is_empty() {
                missing.push(FieldError::new(
                    field,
                    "required",
                    format!("Saisissez {what} indiqué sur la facture."),
                ));
            }
        }
        if inv.amount_cents <= 0 {
            missing.push(FieldError::new(
                "invoice.amount_cents",
                "required",
                "Saisissez le montant de la facture.",
            ));
        }
        if !missing.is_empty() {
            return Err(ApiError::invalid_fields(missing));
        }
        if emission.len() > 40 || reference.len() > 40 {
            return Ok(None);
        }
        let Some(item) = app
            .store
            .get(&keys::invoice_lookup(&emission, &reference))
            .await?
        else {
            return Ok(None);
        };
        let found: InvoiceLookup = item.data()?;
        let code_ok = same(&found.personal_code, &clean(&inv.personal_code));
        let amount_ok = found.amount_cents == inv.amount_cents;
        return Ok((code_ok && amount_ok).then_some(found.family_id));
    }
    Err(ApiError::invalid_fields(vec![FieldError::new(
        "subscriber_code",
        "required",
        "Saisissez votre code abonné, ou les références d'une de vos factures.",
    )]))
}

pub enum Linked {
    Yes(Subscription),
    Already,
}

/// Links the account to the family (one conditional write: twice is
/// refused, not doubled).
pub async fn link(app: &AppState, account_id: &str, family_id: &str) -> ApiResult<Linked> {
    let loaded = crate::family::store::load(app, family_id)
        .await?
        .ok_or_else(not_found)?;
    let sub = Subscription {
        family_id: family_id.into(),
        label: loaded.dossier.family.label.clone(),
        linked_at: app.clock.now(),
    };
    let item = Item::with_data(keys::subscription(account_id, family_id), &sub)?.index(
        Index::Gsi1,
        keys::subscribers(family_id),
        keys::subscriber_in_family(account_id),
    );
    match app.store.transact(vec![Write::put_new(item)]).await {
        Ok(()) => Ok(Linked::Yes(sub)),
        Err(e) if e.is_condition_failed() => Ok(Linked::Already),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/subscriptions`: "M'abonner", by code or by invoice.
#[utoipa::path(post, path = "/api/subscriptions", tag = "subscriptions", request_body = SubscribeRequest,
    responses(
        (status = 201, description = "Famille reliée au compte, active tout de suite", body = Subscription),
        (status = 409, description = "Déjà abonné à cette famille (already_subscribed)", body = Problem),
        (status = 422, description = "Aucune famille ne correspond (subscription_not_found), sans dire quelle partie est fausse", body = Problem),
        (status = 429, description = "Trop d'essais infructueux", body = Problem),
    ))]
pub async fn subscribe(
    State(app): State<AppState>,
    Parent(p): Parent,
    ip: ClientIp,
    JsonBody(req): JsonBody<SubscribeRequest>,
) -> ApiResult<impl IntoResponse> {
    let failures = Pair {
        per_address: FAILURES,
        per_account: FAILURES,
    };
    // Counted first, as a failure, only while under the limit (one
    // conditional update per counter, so attempts racing each other cannot
    // pass it together); given back once the family is found.
    let taken = ratelimit::take_both(&app, Scope::Subscribe, ip.0, &p.account_id, failures).await?;
    let found = find(&app, &req).await;
    let family_id = match found {
        Ok(Some(family_id)) => family_id,
        Ok(None) => return Err(not_found()),
        Err(e) => {
            // Bad input (a blank field) or a failure of ours: not a guess.
            ratelimit::give_back_all(&app, taken).await?;
            return Err(e);
        }
    };
    ratelimit::give_back_all(&app, taken).await?;
    match link(&app, &p.account_id, &family_id).await? {
        Linked::Yes(sub) => Ok((StatusCode::CREATED, Json(sub))),
        Linked::Already => Err(ApiError::conflict(
            "already_subscribed",
            "Votre compte est déjà relié à ce dossier famille.",
        )),
    }
}

/// Links the subscriber code typed at sign-up, once the account is active.
/// Returns the family linked, if the code was recognised.
pub async fn link_pending_code(
    app: &AppState,
    account_id: &str,
    code: &str,
) -> ApiResult<Option<Subscription>> {
    let Some(code) = normalize_code(code) else {
        return Ok(None);
    };
    let Some(family_id) = crate::family::store::by_code(app, &code).await? else {
        return Ok(None);
    };
    Ok(match link(app, account_id, &family_id).await? {
        Linked::Yes(s) => Some(s),
        Linked::Already => None,
    })
}

/// `DELETE /api/subscriptions/{family_id}`: the parent leaves the family
/// file (it no longer sees it; the family's history keeps it).
#[utoipa::path(delete, path = "/api/subscriptions/{family_id}", tag = "subscriptions",
    params(("family_id" = String, Path, description = "La famille à quitter")),
    responses(
        (status = 204, description = "Le compte n'est plus relié à ce dossier famille"),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Compte pas relié à cette famille (not_linked)", body = Problem),
    ))]
pub async fn leave(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(family_id): Path<String>,
) -> ApiResult<StatusCode> {
    if family_id.is_empty() || family_id.len() > 40 {
        return Err(access::not_linked());
    }
    let account = crate::accounts::store::by_id(&app, &p.account_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let event = FamilyEvent {
        id: app.ids.next(),
        at: app.clock.now(),
        kind: FamilyEventKind::AccountLeft,
        account_id: account.id.clone(),
        account_email: account.email.clone(),
        by: Actor::Family,
        by_account_id: account.id.clone(),
        by_name: account.full_name(),
        reason: None,
    };
    access::end_link(&app, &family_id, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}
