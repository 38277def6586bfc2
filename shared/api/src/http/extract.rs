//! Extractors: JSON bodies with French errors, the caller's address, the
//! logged-in account.

use std::net::{IpAddr, Ipv4Addr};

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::http::error::{ApiError, ProblemField};
use crate::http::sessions::{self, CurrentAccount};
use crate::http::state::AppState;
use marelle_domain::accounts::Role;

/// The largest JSON body a route accepts unless it says otherwise.
pub const JSON_LIMIT: usize = 64 * 1024;

/// A JSON body. Syntax errors, unknown fields, missing fields and wrong
/// types are 400s that say, in French, which field.
pub struct JsonBody<T>(pub T);

fn field_error(path: &str, code: &str, message: String) -> ApiError {
    let mut e = ApiError::bad_request(code, message.clone());
    e.errors.push(ProblemField {
        field: path.to_string(),
        code: code.to_string(),
        message,
    });
    e
}

/// Turns serde's English into a French problem naming the field.
pub fn json_problem(path: &str, err: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(
            "malformed_json",
            format!(
                "Le corps de la requête n'est pas un JSON valide (ligne {}, colonne {}).",
                err.line(),
                err.column()
            ),
        ),
        Category::Data => {
            let msg = err.to_string();
            match complaint(&msg) {
                Complaint::UnknownField(name) => {
                    // The path already ends with the unknown field's name.
                    let field = if path.is_empty() || path == "." {
                        name
                    } else {
                        path.to_string()
                    };
                    field_error(
                        &field,
                        "unknown_field",
                        format!("Champ inconnu : « {field} »."),
                    )
                }
                Complaint::MissingField(name) => field_error(
                    &name,
                    "missing_field",
                    format!("Le champ « {name} » est obligatoire."),
                ),
                Complaint::UnknownVariant { value, .. } => field_error(
                    path,
                    "invalid_value",
                    format!("La valeur « {value} » n'est pas admise pour le champ « {path} »."),
                ),
                Complaint::Other => invalid_json_value(path, &msg),
            }
        }
    }
}

/// What serde said was wrong, read off its (English) message: shared by
/// JSON bodies and query strings.
enum Complaint {
    UnknownField(String),
    MissingField(String),
    UnknownVariant { value: String, allowed: String },
    Other,
}

fn complaint(msg: &str) -> Complaint {
    let quoted = || {
        msg.split('`')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_default()
    };
    if msg.starts_with("unknown field") {
        Complaint::UnknownField(quoted())
    } else if msg.starts_with("missing field") {
        Complaint::MissingField(quoted())
    } else if msg.starts_with("unknown variant") {
        let allowed = msg
            .split("expected ")
            .nth(1)
            .map(|s| s.trim_start_matches("one of ").replace('`', ""))
            .unwrap_or_default();
        Complaint::UnknownVariant {
            value: quoted(),
            allowed,
        }
    } else {
        Complaint::Other
    }
}

/// A JSON value of the wrong type, or one serde refused for another reason.
fn invalid_json_value(path: &str, msg: &str) -> ApiError {
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        let expected = msg
            .split(", expected ")
            .nth(1)
            .map(|s| s.split(" at line").next().unwrap_or(s))
            .map(french_expected)
            .unwrap_or_else(|| "une autre valeur".into());
        field_error(
            path,
            "invalid_type",
            format!("La valeur du champ « {path} » n'est pas valide : {expected} est attendu."),
        )
    } else {
        field_error(
            path,
            "invalid_body",
            format!("Le champ « {path} » n'est pas valide."),
        )
    }
}

fn french_expected(s: &str) -> String {
    let s = s.trim();
    match s {
        "a boolean" => "un booléen (true ou false)".into(),
        "a string" => "une chaîne de caractères".into(),
        "a sequence" => "une liste".into(),
        "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "usize" | "isize" => {
            "un nombre entier".into()
        }
        _ if s.starts_with("struct") || s.starts_with("a map") => "un objet".into(),
        _ if s.starts_with("one of") || s.starts_with("variant") => {
            format!("une valeur parmi {}", s.trim_start_matches("one of "))
        }
        _ => "une autre valeur".into(),
    }
}

/// Parses a JSON body, naming the failing field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        json_problem(&path, e.inner())
    })
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .is_some_and(|v| v.eq_ignore_ascii_case("application/json") || v.ends_with("+json"));
        if !json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Le corps de la requête doit être du JSON (Content-Type: application/json).",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "Le corps de la requête est trop volumineux.",
            )
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A query string. Missing, unknown or badly written parameters are 400s
/// in problem+json that name the parameter, in French (axum's own `Query`
/// answers in English plain text).
pub struct UrlQuery<T>(pub T);

/// Parses a query string, naming the failing parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        query_problem(&path, &e.inner().to_string())
    })
}

fn query_problem(path: &str, msg: &str) -> ApiError {
    match complaint(msg) {
        Complaint::MissingField(name) => field_error(
            &name,
            "missing_parameter",
            format!("Le paramètre « {name} » est obligatoire."),
        ),
        Complaint::UnknownField(name) => field_error(
            &name,
            "unknown_parameter",
            format!("Paramètre inconnu : « {name} »."),
        ),
        Complaint::UnknownVariant { value, allowed } => field_error(
            path,
            "invalid_parameter",
            format!(
                "La valeur « {value} » n'est pas admise pour le paramètre « {path} » (valeurs admises : {allowed})."
            ),
        ),
        Complaint::Other => field_error(
            path,
            "invalid_parameter",
            format!(
                "La valeur du paramètre « {path} » n'est pas valide{}.",
                if path == "from" || path == "to" || path == "date" {
                    " (date AAAA-MM-JJ attendue)"
                } else {
                    ""
                }
            ),
        ),
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for UrlQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(UrlQuery)
    }
}

/// The caller's address, put in the request's extensions by the entry
/// point (the socket locally, API Gateway's `sourceIp` on Lambda).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientIp>()
            .copied()
            .unwrap_or(ClientIp(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

impl<S> FromRequestParts<S> for CurrentAccount
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(current) = parts.extensions.get::<CurrentAccount>() {
            return Ok(current.clone());
        }
        let app = AppState::from_ref(state);
        let token =
            sessions::token_from_headers(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let current = sessions::lookup(&app, &token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        parts.extensions.insert(current.clone());
        Ok(current)
    }
}

/// A logged-in parent (role `parent`). 401 when logged out, 403 for agents.
#[derive(Debug, Clone)]
pub struct Parent(pub CurrentAccount);

impl<S> FromRequestParts<S> for Parent
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentAccount::from_request_parts(parts, state).await?;
        if current.role != Role::Parent {
            return Err(ApiError::forbidden(
                "parents_only",
                "Cette page est réservée aux familles.",
            ));
        }
        Ok(Parent(current))
    }
}

/// A logged-in agent (role `agent`). 401 when logged out, 403 for parents.
#[derive(Debug, Clone)]
pub struct Agent(pub CurrentAccount);

impl<S> FromRequestParts<S> for Agent
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentAccount::from_request_parts(parts, state).await?;
        if current.role != Role::Agent {
            return Err(ApiError::forbidden(
                "agents_only",
                "Cette page est réservée aux agents de la collectivité.",
            ));
        }
        Ok(Agent(current))
    }
}

/// A CSV upload's body must say it is CSV (`text/csv`, or `text/plain` as
/// some browsers send it): 415 `unsupported_media_type` otherwise.
pub fn require_csv(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("text/plain"));
    if csv {
        Ok(())
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Envoyez le fichier en text/csv.",
        ))
    }
}
