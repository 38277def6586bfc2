//! Login, logout, and who is logged in.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse};
use marelle_domain::accounts::{Account, Civility, Email, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::hashing_error;
use super::store;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ClientIp, JsonBody};
use crate::http::ratelimit::{self, Scope, Subject};
use crate::http::sessions;
use crate::http::sessions::CurrentAccount;
use crate::http::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// The logged-in account and the families it is linked to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub civility: Option<Civility>,
    pub last_name: String,
    pub first_name: String,
    pub role: Role,
    pub families: Vec<MeFamily>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeFamily {
    pub family_id: String,
    /// How the family is named on screen ("Famille DUPONT").
    pub label: String,
}

impl Me {
    pub fn new(account: &Account, families: Vec<MeFamily>) -> Self {
        Self {
            id: account.id.clone(),
            email: account.email.clone(),
            civility: account.civility,
            last_name: account.last_name.clone(),
            first_name: account.first_name.clone(),
            role: account.role,
            families,
        }
    }
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "Identifiant ou mot de passe incorrect.",
    )
}

/// `POST /api/session`: log in.
#[utoipa::path(post, path = "/api/session", tag = "accounts", request_body = Credentials,
    responses(
        (status = 200, description = "Connecté ; le cookie de session est posé, et celui de l'appareil (marelle_device)", body = Me),
        (status = 401, description = "Identifiant ou mot de passe incorrect (invalid_credentials)", body = Problem),
        (status = 403, description = "Compte pas encore activé (not_activated)", body = Problem),
        (status = 429, description = "Trop d'échecs depuis cette adresse ou cet appareil (rate_limited, avec Retry-After)", body = Problem),
    ))]
pub async fn log_in(
    State(app): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    JsonBody(creds): JsonBody<Credentials>,
) -> ApiResult<impl IntoResponse> {
    let limits = app.settings.limits.login();
    let Ok(email) = Email::parse(&creds.email) else {
        // Not an address: a failure of the caller's address only.
        ratelimit::hit(
            &app,
            Scope::Login,
            Subject::Address(ip.0),
            limits.per_address,
        )
        .await?;
        return Err(bad_credentials());
    };
    let account = store::by_email(&app, email.normalized()).await?;
    let taken = count_attempt(&app, &headers, ip, &email, account.as_ref(), limits).await?;
    let verified = app
        .hasher
        .verify(
            &creds.password,
            account.as_ref().map(|a| a.password_hash.as_str()),
        )
        .await;
    let ok = match verified {
        Ok(ok) => ok,
        Err(e) => {
            // Not checked (the server is busy): not a failure.
            ratelimit::give_back_all(&app, taken).await?;
            return Err(hashing_error(e));
        }
    };
    let account = match account {
        Some(a) if ok => a,
        // A failure: the attempt stays counted.
        _ => return Err(bad_credentials()),
    };
    // Only failures are limited: the right password gives its attempt back.
    ratelimit::give_back_all(&app, taken).await?;
    if !account.is_active() {
        return Err(ApiError::forbidden(
            "not_activated",
            "Votre compte n'est pas encore activé : cliquez sur le lien de l'e-mail de confirmation que nous vous avons envoyé.",
        ));
    }
    let cookie = sessions::open(&app, &account).await?;
    let device = sessions::remember_device(&app, &headers, &account.id).await?;
    let (account, subs) = store::with_subscriptions(&app, &account.id)
        .await?
        .ok_or_else(bad_credentials)?;
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, device)]),
        Json(Me::new(&account, families(subs))),
    ))
}

/// Counts the attempt as a failure until the password proves right, only
/// while under the limits (429 past them):
/// - from a device that logged in to the account before (its cookie): the
///   failures of that device for that account only, so that nobody else's
///   failures refuse the owner's right password;
/// - otherwise: the failures of the address (whatever the account), and of
///   the account from that address (slowed down there, not locked out
///   everywhere).
async fn count_attempt(
    app: &AppState,
    headers: &HeaderMap,
    ip: ClientIp,
    email: &Email,
    account: Option<&Account>,
    limits: ratelimit::Pair,
) -> ApiResult<Vec<ratelimit::Taken>> {
    if let (Some(device), Some(account)) = (sessions::device_from_headers(headers), account)
        && sessions::knows_device(app, &device, &account.id).await?
    {
        let subject = format!("{device}#{}", account.id);
        let taken = ratelimit::take(
            app,
            Scope::Login,
            Subject::Device(&subject),
            limits.per_account,
        )
        .await?;
        return Ok(vec![taken]);
    }
    let taken = ratelimit::take_pair(
        app,
        Scope::Login,
        (Subject::Address(ip.0), limits.per_address),
        (
            Subject::AccountAt(email.normalized(), ip.0),
            limits.per_account,
        ),
    )
    .await?;
    Ok(taken.into())
}

fn families(subs: Vec<marelle_domain::ports::Item>) -> Vec<MeFamily> {
    subs.into_iter()
        .filter_map(|item| {
            Some(MeFamily {
                family_id: item.str_attr("family_id")?.to_string(),
                label: item.str_attr("label").unwrap_or_default().to_string(),
            })
        })
        .collect()
}

/// `DELETE /api/session`: log out (ends the session everywhere it is used).
#[utoipa::path(delete, path = "/api/session", tag = "accounts",
    responses((status = 204, description = "Déconnecté")))]
pub async fn log_out(
    State(app): State<AppState>,
    headers: axum::http::HeaderMap,
) -> ApiResult<impl IntoResponse> {
    if let Some(token) = sessions::token_from_headers(&headers) {
        sessions::close(&app, &marelle_domain::secrets::token_hash(&token)).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, sessions::clearing_cookie(&app))],
    ))
}

/// `GET /api/me`: the logged-in account and its families.
#[utoipa::path(get, path = "/api/me", tag = "accounts",
    responses(
        (status = 200, description = "Le compte connecté", body = Me),
        (status = 401, description = "Pas connecté", body = Problem),
    ))]
pub async fn me(
    State(app): State<AppState>,
    current: CurrentAccount,
) -> ApiResult<impl IntoResponse> {
    let (account, subs) = store::with_subscriptions(&app, &current.account_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(Me::new(&account, families(subs))),
    ))
}
