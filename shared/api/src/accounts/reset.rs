//! Forgotten password (reset by e-mail) and password change. Both close
//! every session of the account, and both revoke every reset link sent
//! before (each link is bound to the password it was sent for).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::Duration;
use marelle_domain::accounts::{Email, FieldError, Password, TokenKind};
use marelle_domain::emails;
use marelle_domain::ports::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, TokenState};
use super::{Accepted, hashing_error};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ClientIp, JsonBody};
use crate::http::ratelimit::{self, Scope, Subject};
use crate::http::sessions::CurrentAccount;
use crate::http::state::AppState;
use crate::http::{mail, sessions};

pub const RESET_MINUTES: i64 = 60;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmation {
    pub token: String,
    pub password: String,
    /// When given, must equal `password`.
    #[serde(default)]
    pub password_confirmation: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub password: String,
    pub password_confirmation: String,
}

fn new_password(password: &str, confirmation: Option<&str>) -> ApiResult<Password> {
    let mut errors = Vec::new();
    let parsed = Password::parse("password", password)
        .map_err(|e| errors.push(e))
        .ok();
    if confirmation.is_some_and(|c| c != password) {
        errors.push(FieldError::new(
            "password_confirmation",
            "password_mismatch",
            "La confirmation ne correspond pas au mot de passe.",
        ));
    }
    match parsed {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(ApiError::invalid_fields(errors)),
    }
}

/// `POST /api/password-reset`: e-mails a reset link if the address has an
/// account. Always 202: the answer says nothing of the address.
#[utoipa::path(post, path = "/api/password-reset", tag = "accounts", request_body = ResetRequest,
    responses(
        (status = 202, description = "Si un compte existe, un lien est envoyé", body = Accepted),
        (status = 429, description = "Trop de demandes", body = Problem),
    ))]
pub async fn request_reset(
    State(app): State<AppState>,
    ip: ClientIp,
    JsonBody(body): JsonBody<ResetRequest>,
) -> ApiResult<impl IntoResponse> {
    let accepted = (
        StatusCode::ACCEPTED,
        Json(Accepted::new(
            "Si un compte existe avec cette adresse, un e-mail contenant un lien pour choisir un nouveau mot de passe vient d'y être envoyé.",
        )),
    );
    let Ok(email) = Email::parse(&body.email) else {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "email",
            "invalid_email",
            "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
        )]));
    };
    let limits = app.settings.limits.reset();
    ratelimit::hit_both(&app, Scope::Reset, ip.0, email.normalized(), limits).await?;
    if let Some(account) = store::by_email(&app, email.normalized()).await? {
        let (token, item) =
            store::new_reset_token(&account, app.clock.now(), Duration::minutes(RESET_MINUTES))?;
        app.store
            .put(item, Some(marelle_domain::ports::Condition::NotExists))
            .await?;
        let _ = mail::send(
            &app,
            &emails::password_reset(&account, &app.commune, &token),
        )
        .await;
    }
    Ok(accepted)
}

/// `POST /api/password-reset/confirm`: the new password, with the link's
/// token. Activates a waiting account (the link proves the address).
#[utoipa::path(post, path = "/api/password-reset/confirm", tag = "accounts", request_body = ResetConfirmation,
    responses(
        (status = 200, description = "Mot de passe changé, sessions fermées", body = Accepted),
        (status = 400, description = "Lien invalide, expiré ou déjà utilisé", body = Problem),
        (status = 422, description = "Mot de passe non conforme (weak_password, password_mismatch)", body = Problem),
    ))]
pub async fn confirm_reset(
    State(app): State<AppState>,
    JsonBody(body): JsonBody<ResetConfirmation>,
) -> ApiResult<Json<Accepted>> {
    let token = body.token.trim();
    let (record, stamp) =
        match store::token_and_stamp(&app, token, TokenKind::PasswordReset).await? {
            (TokenState::Valid(r), stamp) => (r, stamp),
            (other, _) => return Err(store::token_error(other, "de réinitialisation")),
        };
    let password = new_password(&body.password, body.password_confirmation.as_deref())?;
    // A link sent before the password last changed (by another link or by
    // the account's owner) is revoked. The account is saved below only if
    // it did not change since this read.
    let Some(mut account) = store::by_id(&app, &record.account_id)
        .await?
        .filter(|a| store::still_current(stamp.as_deref(), a))
    else {
        return Err(store::token_error(
            TokenState::Unknown,
            "de réinitialisation",
        ));
    };
    let now = app.clock.now();
    account.password_hash = app
        .hasher
        .hash(password.expose())
        .await
        .map_err(hashing_error)?;
    account.activated_at.get_or_insert(now);
    match app
        .store
        .transact(vec![
            store::spend_token(token, now),
            store::save_account(&account)?,
        ])
        .await
    {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(0) }) => {
            return Err(store::token_error(TokenState::Used, "de réinitialisation"));
        }
        Err(e) => return Err(e.into()),
    }
    sessions::close_all(&app, &account.id).await?;
    let _ = mail::send(&app, &emails::password_changed(&account, &app.commune)).await;
    Ok(Json(Accepted::new(
        "Votre mot de passe a été modifié. Vous pouvez vous connecter avec votre nouveau mot de passe.",
    )))
}

/// `POST /api/me/password`: change the password, knowing the current one.
/// Every session closes; the caller gets a new one.
#[utoipa::path(post, path = "/api/me/password", tag = "accounts", request_body = PasswordChange,
    responses(
        (status = 200, description = "Mot de passe changé ; les autres sessions sont fermées", body = Accepted),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 422, description = "Mot de passe actuel incorrect (wrong_password) ou nouveau non conforme", body = Problem),
    ))]
pub async fn change_password(
    State(app): State<AppState>,
    current: CurrentAccount,
    JsonBody(body): JsonBody<PasswordChange>,
) -> ApiResult<impl IntoResponse> {
    // Wrong current passwords are limited; the right one gives its attempt
    // back.
    let taken = ratelimit::take(
        &app,
        Scope::Login,
        Subject::Account(&current.account_id),
        app.settings.limits.login_per_account,
    )
    .await?;
    let mut account = store::by_id(&app, &current.account_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let ok = app
        .hasher
        .verify(&body.current_password, Some(&account.password_hash))
        .await
        .map_err(hashing_error)?;
    if !ok {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "current_password",
            "wrong_password",
            "Le mot de passe actuel est incorrect.",
        )]));
    }
    taken.give_back(&app).await?;
    let password = new_password(&body.password, Some(&body.password_confirmation))?;
    account.password_hash = app
        .hasher
        .hash(password.expose())
        .await
        .map_err(hashing_error)?;
    app.store
        .transact(vec![store::save_account(&account)?])
        .await?;
    account.version += 1;
    sessions::close_all(&app, &account.id).await?;
    let cookie = sessions::open(&app, &account).await?;
    let _ = mail::send(&app, &emails::password_changed(&account, &app.commune)).await;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(Accepted::new(
            "Votre mot de passe a été modifié. Vos autres sessions ont été fermées.",
        )),
    ))
}
