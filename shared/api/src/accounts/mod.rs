//! Citizen accounts: sign-up with activation by e-mail, login, logout,
//! `GET /api/me`, password reset and change. Agents use the same login.

mod commune;
mod reset;
mod session;
mod signup;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use marelle_domain::accounts::{Account, Civility, Email, Name, Password, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::state::AppState;

pub use commune::CommuneInfo;
pub use reset::{PasswordChange, ResetConfirmation, ResetRequest};
pub use session::{Credentials, Me, MeFamily};
pub use signup::{Activated, Activation, ActivationResend, SignedUp};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/captcha", get(signup::captcha))
        .route("/api/commune", get(commune::read))
        .route("/api/accounts", post(signup::sign_up))
        .route("/api/accounts/activation", post(signup::activate))
        .route(
            "/api/accounts/activation/resend",
            post(signup::resend_activation),
        )
        .route(
            "/api/session",
            post(session::log_in).delete(session::log_out),
        )
        .route("/api/me", get(session::me))
        .route("/api/me/password", post(reset::change_password))
        .route("/api/password-reset", post(reset::request_reset))
        .route("/api/password-reset/confirm", post(reset::confirm_reset))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        signup::captcha,
        commune::read,
        signup::sign_up,
        signup::activate,
        signup::resend_activation,
        session::log_in,
        session::log_out,
        session::me,
        reset::change_password,
        reset::request_reset,
        reset::confirm_reset,
    ),
    components(schemas(
        marelle_domain::accounts::SignUpForm,
        SignedUp,
        Activation,
        Activated,
        ActivationResend,
        Credentials,
        Me,
        MeFamily,
        ResetRequest,
        ResetConfirmation,
        PasswordChange,
        Accepted,
        commune::CommuneInfo,
    )),
    tags((name = "accounts", description = "Comptes citoyens et agents"))
)]
pub struct AccountsApi;

/// A short French confirmation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    pub message: String,
}

impl Accepted {
    pub fn new(message: &str) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Why an account could not be created from the command line or the demo.
#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("un compte existe déjà avec l'e-mail {0}")]
    EmailTaken(String),
    #[error("{0}")]
    Failed(String),
}

/// Creates an active account (agents from `marelle agent create`, demo
/// accounts): same rules as the sign-up form, no e-mail.
pub async fn create_active_account(
    app: &AppState,
    role: Role,
    civility: Option<Civility>,
    first_name: &str,
    last_name: &str,
    email: &str,
    password: &str,
) -> Result<Account, CreateAccountError> {
    create_account_with(
        app,
        role,
        civility,
        (first_name, last_name),
        email,
        password,
        Vec::new(),
    )
    .await
}

/// Creates an active staff account taking attendance for `activities`
/// (`marelle staff create`): each must exist, at most
/// [`marelle_domain::accounts::MAX_STAFF_ACTIVITIES`].
pub async fn create_staff_account(
    app: &AppState,
    first_name: &str,
    last_name: &str,
    email: &str,
    password: &str,
    activities: &[String],
) -> Result<Account, CreateAccountError> {
    let activities = crate::invoicing::attendance::checked_activities(app, activities)
        .await
        .map_err(|e| CreateAccountError::Invalid(e.detail))?;
    create_account_with(
        app,
        Role::Staff,
        None,
        (first_name, last_name),
        email,
        password,
        activities,
    )
    .await
}

async fn create_account_with(
    app: &AppState,
    role: Role,
    civility: Option<Civility>,
    (first_name, last_name): (&str, &str),
    email: &str,
    password: &str,
    activities: Vec<String>,
) -> Result<Account, CreateAccountError> {
    let invalid = |e: marelle_domain::accounts::FieldError| CreateAccountError::Invalid(e.message);
    let email = Email::parse(email).map_err(invalid)?;
    let password = Password::parse("password", password).map_err(invalid)?;
    let first_name = Name::parse("first_name", "Prénom", first_name).map_err(invalid)?;
    let last_name = Name::parse("last_name", "Nom", last_name).map_err(invalid)?;
    let hash = app
        .hasher
        .hash(password.expose())
        .await
        .map_err(|e| CreateAccountError::Failed(e.to_string()))?;
    let now = app.clock.now();
    let account = Account {
        id: app.ids.next(),
        email: email.as_str().to_string(),
        civility,
        last_name: last_name.as_str().to_string(),
        first_name: first_name.as_str().to_string(),
        role,
        password_hash: hash,
        activated_at: Some(now),
        created_at: now,
        pending_subscriber_code: None,
        activities,
        version: 1,
    };
    match store::create(app, &account, None).await {
        Ok(store::Created::Yes) => Ok(account),
        Ok(store::Created::EmailTaken) => {
            Err(CreateAccountError::EmailTaken(email.as_str().to_string()))
        }
        Err(e) => Err(CreateAccountError::Failed(e.detail)),
    }
}

fn hashing_error(e: crate::http::passwords::HashError) -> ApiError {
    match e {
        crate::http::passwords::HashError::Busy => {
            let mut e = ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Trop de connexions en cours. Réessayez dans quelques secondes.",
            );
            e.retry_after = Some(2);
            e
        }
        crate::http::passwords::HashError::Failed(m) => ApiError::internal("password hashing", m),
    }
}
