//! Errors at the HTTP edge: RFC 9457 problem+json with a stable `code` and a
//! French `detail`. Internal causes are logged once here and never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use marelle_domain::accounts::FieldError;
use marelle_domain::ports::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `about:blank`: the `code` says what happened.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: u16,
    pub title: String,
    /// What happened, in French, for the person using the portal.
    pub detail: String,
    /// Stable machine-readable code (`weak_password`, `not_enrolled`…).
    pub code: String,
    /// Invalid fields, in form order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            code: e.code,
            message: e.message,
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub detail: String,
    pub errors: Vec<ProblemField>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 400: the request cannot be read.
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 422: the fields break rules. The answer's `code` is the first
    /// field's, so a form with one problem is told exactly which.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let (code, detail) = match errors.as_slice() {
            [one] => (one.code.clone(), one.message.clone()),
            [first, ..] => (
                first.code.clone(),
                format!("{} champs sont à corriger. {}", errors.len(), first.message),
            ),
            [] => ("invalid_fields".into(), "La demande est invalide.".into()),
        };
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            detail,
            errors: errors.into_iter().map(ProblemField::from).collect(),
            retry_after: None,
        }
    }

    /// 422: one rule broken, not tied to one field.
    pub fn rule(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "not_logged_in",
            "Vous devez être connecté pour accéder à cette page.",
        )
    }

    pub fn forbidden(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "La ressource demandée n'existe pas.",
        )
    }

    pub fn conflict(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 409 `conflict`: what the request was about changed meanwhile.
    pub fn changed_meanwhile(detail: impl Into<String>) -> Self {
        Self::conflict("conflict", detail)
    }

    /// 400 `invalid_page`: a page cursor that is not ours.
    pub fn invalid_page() -> Self {
        Self::bad_request(
            "invalid_page",
            "Le numéro de page demandé n'est pas valide.",
        )
    }

    /// 422 `family_required`: the caller must name the family.
    pub fn family_required(detail: impl Into<String>) -> Self {
        Self::rule("family_required", detail)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let minutes = retry_after_secs.div_ceil(60).max(1);
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "Trop de tentatives. Réessayez dans {minutes} minute{}.",
                if minutes > 1 { "s" } else { "" }
            ),
        );
        e.retry_after = Some(retry_after_secs.max(1));
        e
    }

    /// 503: a service behind the portal failed. `context` is logged, not sent.
    pub fn unavailable(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(context, error = %cause, "service unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Le service est momentanément indisponible. Réessayez dans quelques instants.",
        )
    }

    /// 500: a bug. `context` is logged, not sent.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(context, error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Une erreur inattendue s'est produite. Réessayez plus tard.",
        )
    }

    fn title(&self) -> String {
        match self.status.as_u16() {
            400 => "Requête invalide",
            401 => "Connexion requise",
            403 => "Accès refusé",
            404 => "Introuvable",
            405 => "Méthode non autorisée",
            409 => "Conflit",
            413 => "Contenu trop volumineux",
            415 => "Format non pris en charge",
            422 => "Demande non conforme",
            429 => "Trop de requêtes",
            503 => "Service indisponible",
            _ => "Erreur",
        }
        .to_string()
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: "about:blank",
            status: self.status.as_u16(),
            title: self.title(),
            detail: self.detail.clone(),
            code: self.code.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.code)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut resp = (self.status, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// A store failure nobody turned into a rule is the service's fault.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ConditionFailed { .. } | StoreError::Contention => {
                ApiError::changed_meanwhile(
                    "Les données ont été modifiées entre-temps. Rechargez la page et recommencez.",
                )
            }
            StoreError::BadCursor => ApiError::invalid_page(),
            StoreError::Invalid(m) | StoreError::Corrupt(m) => ApiError::internal("store", m),
            StoreError::Unavailable(m) => ApiError::unavailable("store", m),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
