//! Sign-up and activation.
//!
//! Sign-up answers the same whether or not the e-mail already has an
//! account: the owner of an existing address gets an e-mail instead (a new
//! activation link if the account is not active yet, a notice otherwise).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::Duration;
use marelle_domain::accounts::{Account, Email, Role, SignUpForm, TokenKind};
use marelle_domain::emails;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Created, TokenState};
use super::{Accepted, hashing_error};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ClientIp, JsonBody};
use crate::http::ratelimit::{self, Scope, Subject};
use crate::http::state::AppState;
use crate::http::{captcha, mail};

pub const ACTIVATION_HOURS: i64 = 48;

const SIGNED_UP: &str = "Votre demande de création de compte est enregistrée. Un e-mail de confirmation vous a été envoyé : cliquez sur le lien d'activation qu'il contient pour finaliser votre inscription.";

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignedUp {
    pub message: String,
}

/// `GET /api/captcha`: a new ALTCHA challenge.
#[utoipa::path(get, path = "/api/captcha", tag = "accounts",
    responses((status = 200, description = "Défi ALTCHA (protocole v2)", body = Object)))]
pub async fn captcha(State(app): State<AppState>) -> ApiResult<impl IntoResponse> {
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(captcha::challenge(&app)?),
    ))
}

/// `POST /api/accounts`: the sign-up form.
#[utoipa::path(post, path = "/api/accounts", tag = "accounts", request_body = SignUpForm,
    responses(
        (status = 201, description = "Demande enregistrée, e-mail d'activation envoyé", body = SignedUp),
        (status = 400, description = "JSON invalide ou champ inconnu", body = Problem),
        (status = 422, description = "Champs non conformes (weak_password, password_mismatch, invalid_email, terms_not_accepted, invalid_captcha, captcha_reused…)", body = Problem),
        (status = 429, description = "Trop de tentatives", body = Problem),
    ))]
pub async fn sign_up(
    State(app): State<AppState>,
    ip: ClientIp,
    JsonBody(form): JsonBody<SignUpForm>,
) -> ApiResult<impl IntoResponse> {
    let form = form.validate().map_err(ApiError::invalid_fields)?;
    ratelimit::hit(
        &app,
        Scope::Signup,
        Subject::Address(ip.0),
        app.settings.limits.signup_per_address,
    )
    .await?;
    captcha::verify(&app, &form.captcha).await?;

    // Hash in every case, so that the answer takes as long either way.
    let hash = app
        .hasher
        .hash(form.password.expose())
        .await
        .map_err(hashing_error)?;
    let now = app.clock.now();
    let account = Account {
        id: app.ids.next(),
        email: form.email.as_str().to_string(),
        civility: Some(form.civility),
        last_name: form.last_name.as_str().to_string(),
        first_name: form.first_name.as_str().to_string(),
        role: Role::Parent,
        password_hash: hash,
        activated_at: None,
        created_at: now,
        pending_subscriber_code: form.subscriber_code.map(|c| c.as_str().to_string()),
        activities: Vec::new(),
        version: 1,
    };
    let (token, token_item) = store::new_token(
        TokenKind::Activation,
        &account.id,
        now,
        Duration::hours(ACTIVATION_HOURS),
    )?;
    match store::create(&app, &account, Some(token_item)).await? {
        Created::Yes => {
            let _ = mail::send(&app, &emails::activation(&account, &app.commune, &token)).await;
        }
        Created::EmailTaken => {
            tell_existing_owner(&app, form.email.normalized()).await?;
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(SignedUp {
            message: SIGNED_UP.into(),
        }),
    ))
}

/// Someone signed up with an address that has an account.
async fn tell_existing_owner(app: &AppState, normalized: &str) -> ApiResult<()> {
    let Some(existing) = store::by_email(app, normalized).await? else {
        return Ok(());
    };
    if existing.is_active() {
        let _ = mail::send(app, &emails::account_exists_notice(&existing, &app.commune)).await;
    } else {
        send_new_activation(app, &existing).await?;
    }
    Ok(())
}

async fn send_new_activation(app: &AppState, account: &Account) -> ApiResult<()> {
    let (token, item) = store::new_token(
        TokenKind::Activation,
        &account.id,
        app.clock.now(),
        Duration::hours(ACTIVATION_HOURS),
    )?;
    app.store
        .put(item, Some(marelle_domain::ports::Condition::NotExists))
        .await?;
    let _ = mail::send(app, &emails::activation(account, &app.commune, &token)).await;
    Ok(())
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Activation {
    /// The token of the activation link.
    pub token: String,
}

/// `POST /api/accounts/activation`: the link of the activation e-mail.
#[utoipa::path(post, path = "/api/accounts/activation", tag = "accounts", request_body = Activation,
    responses(
        (status = 200, description = "Compte activé (et relié à la famille du code abonné saisi, s'il est reconnu)", body = Activated),
        (status = 400, description = "Lien invalide (invalid_token), expiré (token_expired) ou déjà utilisé (token_used)", body = Problem),
    ))]
pub async fn activate(
    State(app): State<AppState>,
    JsonBody(body): JsonBody<Activation>,
) -> ApiResult<Json<Activated>> {
    let record = match store::token(&app, body.token.trim(), TokenKind::Activation).await? {
        TokenState::Valid(r) => r,
        other => return Err(store::token_error(other, "d'activation")),
    };
    let Some(mut account) = store::by_id(&app, &record.account_id).await? else {
        return Err(store::token_error(TokenState::Unknown, "d'activation"));
    };
    let now = app.clock.now();
    let mut writes = vec![store::spend_token(body.token.trim(), now)];
    if !account.is_active() {
        account.activated_at = Some(now);
        writes.push(store::save_account(&account)?);
    }
    match app.store.transact(writes).await {
        Ok(()) => {
            // The subscriber code typed at sign-up links the family now.
            let subscription = match account.pending_subscriber_code.as_deref() {
                Some(code) => {
                    crate::subscriptions::link_pending_code(&app, &account.id, code).await?
                }
                None => None,
            };
            let message = match (&subscription, &account.pending_subscriber_code) {
                (Some(s), _) => format!(
                    "Votre compte est activé et relié au dossier « {} ». Vous pouvez vous connecter au Portail Citoyen avec votre e-mail et votre mot de passe.",
                    s.label
                ),
                (None, Some(_)) => "Votre compte est activé. Le code abonné saisi n'a pas été reconnu : vous pourrez le renseigner dans « Mes abonnements ». Vous pouvez vous connecter au Portail Citoyen avec votre e-mail et votre mot de passe.".into(),
                (None, None) => "Votre compte est activé. Vous pouvez vous connecter au Portail Citoyen avec votre e-mail et votre mot de passe.".into(),
            };
            Ok(Json(Activated {
                message,
                subscription,
            }))
        }
        Err(marelle_domain::ports::StoreError::ConditionFailed { index: Some(0) }) => {
            Err(store::token_error(TokenState::Used, "d'activation"))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct Activated {
    pub message: String,
    /// The family linked by the subscriber code typed at sign-up.
    pub subscription: Option<crate::subscriptions::Subscription>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationResend {
    pub email: String,
}

/// `POST /api/accounts/activation/resend`: a new activation link, if the
/// address has an account waiting for activation. Always 202.
#[utoipa::path(post, path = "/api/accounts/activation/resend", tag = "accounts", request_body = ActivationResend,
    responses(
        (status = 202, description = "Si un compte attend son activation, un nouveau lien est envoyé", body = Accepted),
        (status = 429, description = "Trop de demandes", body = Problem),
    ))]
pub async fn resend_activation(
    State(app): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<ActivationResend>,
) -> ApiResult<impl IntoResponse> {
    let email = Email::parse(&body.email).map_err(|e| ApiError::invalid_fields(vec![e]))?;
    let limits = app.settings.limits.reset();
    ratelimit::hit_both(&app, Scope::Reset, ip.0, email.normalized(), limits).await?;
    if let Some(account) = store::by_email(&app, email.normalized()).await?
        && !account.is_active()
    {
        send_new_activation(&app, &account).await?;
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted::new(
            "Si un compte attend son activation à cette adresse, un nouveau lien d'activation vient d'y être envoyé.",
        )),
    ))
}
