//! The commune's régies: the services that issue invoices and take their
//! payments (a name, the PayFiP client number, a contact e-mail). An
//! invoice's `service` is a régie's name; online payment reads the
//! régie's `numcli` through [`numcli_for`].

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marelle_domain::accounts::{Email, FieldError};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item, StoreError, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::bounded::{self, clean};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody};
use crate::http::state::AppState;

/// Régies of a commune, at most.
pub const MAX_REGIES: usize = 100;
/// Characters of a régie's name, at most.
pub const MAX_NAME: usize = 100;

/// A régie as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regie {
    pub id: String,
    pub name: String,
    pub numcli: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    /// The code in the numbers of the invoices Marelle issues
    /// (`FAC-2027-<code>-000123`); none: the régie only imports invoices.
    #[serde(default)]
    pub code: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegieView {
    pub id: String,
    /// The name invoices carry as their `service`.
    pub name: String,
    /// PayFiP client number (6 digits), when the régie takes online payments.
    pub numcli: Option<String>,
    /// The régie's contact e-mail, printed on invoices.
    pub email: Option<String>,
    pub active: bool,
    /// 1 to 12 capital letters or digits, in the numbers of the invoices
    /// Marelle issues (`FAC-2027-ENF-000123`); required to run invoicing.
    pub code: Option<String>,
}

impl From<&Regie> for RegieView {
    fn from(r: &Regie) -> Self {
        Self {
            id: r.id.clone(),
            name: r.name.clone(),
            numcli: r.numcli.clone(),
            email: r.email.clone(),
            active: r.active,
            code: r.code.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegieList {
    /// By name.
    pub items: Vec<RegieView>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegie {
    pub name: String,
    /// `^[0-9]{6}$`; empty or absent: none.
    pub numcli: Option<String>,
    /// Empty or absent: none.
    pub email: Option<String>,
    /// Default true.
    pub active: Option<bool>,
    /// 1 to 12 capital letters or digits; empty or absent: none.
    pub code: Option<String>,
}

/// Absent fields stay as they are; an empty `numcli` or `email` removes it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegiePatch {
    pub name: Option<String>,
    pub numcli: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
    /// Empty: none (refused once the régie has issued invoices).
    pub code: Option<String>,
}

/// A régie's invoice code: trimmed; empty is none; otherwise 1 to 12
/// capital letters or digits (`invalid_regie_code`).
pub fn validate_code(code: Option<&str>) -> Result<Option<String>, FieldError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) if marelle_domain::invoicing::numbering::valid_regie_code(c) => {
            Ok(Some(c.to_string()))
        }
        Some(_) => Err(FieldError::new(
            "code",
            "invalid_regie_code",
            marelle_domain::invoicing::numbering::NumberingError::BadRegieCode.message(),
        )),
    }
}

fn code_item(code: &str, id: &str) -> Item {
    let mut item = Item::new(keys::regie_code(code));
    item.set("regie_id", serde_json::Value::String(id.to_string()));
    item
}

fn code_exists() -> ApiError {
    ApiError::conflict(
        "regie_code_exists",
        "Une autre régie porte déjà ce code de facturation.",
    )
}

fn code_frozen() -> ApiError {
    ApiError::conflict(
        "regie_code_frozen",
        "Cette régie a déjà émis des factures\u{a0}: son code de facturation ne peut plus changer.",
    )
}

/// Checks a régie's fields, each error on its field.
pub fn validate(
    name: &str,
    numcli: Option<&str>,
    email: Option<&str>,
) -> Result<(String, Option<String>, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = clean(name);
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "invalid_name",
            format!("Indiquez le nom de la régie ({MAX_NAME} caractères au plus)."),
        ));
    }
    let numcli = numcli.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = numcli
        && (n.len() != 6 || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(FieldError::new(
            "numcli",
            "invalid_numcli",
            "Le numéro client PayFiP (numcli) compte exactement 6 chiffres.",
        ));
    }
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => match Email::parse(e) {
            Ok(e) => Some(e.as_str().to_string()),
            Err(err) => {
                errors.push(err);
                None
            }
        },
    };
    if errors.is_empty() {
        Ok((name, numcli.map(str::to_string), email))
    } else {
        Err(errors)
    }
}

/// Every régie of the commune, by name (one query; bounded).
pub async fn list(app: &AppState) -> ApiResult<Vec<Regie>> {
    let mut all: Vec<Regie> =
        bounded::list(app, keys::REGIES, keys::REGIE_PREFIX, MAX_REGIES).await?;
    all.sort_by_key(|r| r.name.to_lowercase());
    Ok(all)
}

/// The active régie named `service` (names compare in lower case).
pub async fn find_by_name(app: &AppState, service: &str) -> ApiResult<Option<Regie>> {
    let wanted = clean(service).to_lowercase();
    Ok(list(app)
        .await?
        .into_iter()
        .find(|r| r.active && r.name.to_lowercase() == wanted))
}

/// The PayFiP client number of the active régie named `service`, if any.
pub async fn numcli_for(app: &AppState, service: &str) -> ApiResult<Option<String>> {
    Ok(find_by_name(app, service).await?.and_then(|r| r.numcli))
}

fn regie_exists() -> ApiError {
    ApiError::conflict("regie_exists", "Une régie porte déjà ce nom.")
}

fn unknown_regie() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_regie",
        "Cette régie n'existe pas.",
    )
}

fn name_item(name: &str, id: &str) -> ApiResult<Item> {
    let mut item = Item::new(keys::regie_name(name));
    item.set("regie_id", serde_json::Value::String(id.to_string()));
    Ok(item)
}

/// `GET /api/agent/regies`: the commune's régies.
#[utoipa::path(get, path = "/api/agent/regies", operation_id = "list_regies", tag = "agent",
    responses(
        (status = 200, description = "Les régies de la commune, par nom", body = RegieList),
        (status = 403, description = "Réservé aux agents", body = Problem),
    ))]
pub async fn list_regies(
    State(app): State<AppState>,
    Agent(_): Agent,
) -> ApiResult<Json<RegieList>> {
    let all = list(&app).await?;
    Ok(Json(RegieList {
        items: all.iter().map(RegieView::from).collect(),
    }))
}

/// `POST /api/agent/regies`: a new régie.
#[utoipa::path(post, path = "/api/agent/regies", operation_id = "create_regie", tag = "agent", request_body = NewRegie,
    responses(
        (status = 201, description = "Régie créée", body = RegieView),
        (status = 409, description = "`regie_exists` (nom déjà pris), `regie_code_exists` (code déjà pris)", body = Problem),
        (status = 422, description = "`invalid_name`, `invalid_numcli`, `invalid_email`, `invalid_regie_code`, `too_many_regies`", body = Problem),
    ))]
pub async fn create_regie(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(body): JsonBody<NewRegie>,
) -> ApiResult<impl IntoResponse> {
    let checked = validate(&body.name, body.numcli.as_deref(), body.email.as_deref());
    let code = validate_code(body.code.as_deref());
    let ((name, numcli, email), code) = match (checked, code) {
        (Ok(v), Ok(c)) => (v, c),
        (Err(mut errors), c) => {
            errors.extend(c.err());
            return Err(ApiError::invalid_fields(errors));
        }
        (Ok(_), Err(e)) => return Err(ApiError::invalid_fields(vec![e])),
    };
    if list(&app).await?.len() >= MAX_REGIES {
        return Err(ApiError::rule(
            "too_many_regies",
            format!("Une commune compte {MAX_REGIES} régies au plus."),
        ));
    }
    let regie = Regie {
        id: app.ids.next(),
        name,
        numcli,
        email,
        active: body.active.unwrap_or(true),
        code,
        version: 1,
    };
    let mut writes = vec![
        Write::put_new(Item::with_data(keys::regie(&regie.id), &regie)?),
        Write::put_new(name_item(&regie.name, &regie.id)?),
    ];
    if let Some(code) = &regie.code {
        writes.push(Write::put_new(code_item(code, &regie.id)));
    }
    match app.store.transact(writes).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(RegieView::from(&regie)))),
        Err(StoreError::ConditionFailed { index: Some(1) }) => Err(regie_exists()),
        Err(StoreError::ConditionFailed { index: Some(2) }) => Err(code_exists()),
        Err(e) => Err(e.into()),
    }
}

/// `PATCH /api/agent/regies/{id}`: renames, sets its numcli or e-mail,
/// deactivates or reactivates a régie.
#[utoipa::path(patch, path = "/api/agent/regies/{id}", operation_id = "update_regie", tag = "agent", params(("id" = String, Path)), request_body = RegiePatch,
    responses(
        (status = 200, description = "Régie modifiée", body = RegieView),
        (status = 404, description = "`unknown_regie`", body = Problem),
        (status = 409, description = "`regie_exists` (nom déjà pris), `regie_code_exists` (code déjà pris), `regie_code_frozen` (la régie a déjà émis des factures), ou modifiée entre-temps", body = Problem),
        (status = 422, description = "`invalid_name`, `invalid_numcli`, `invalid_email`, `invalid_regie_code`", body = Problem),
    ))]
pub async fn update_regie(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<RegiePatch>,
) -> ApiResult<Json<RegieView>> {
    if id.is_empty() || id.len() > 40 || id.contains('#') {
        return Err(unknown_regie());
    }
    let old = app
        .store
        .get(&keys::regie(&id))
        .await?
        .ok_or_else(unknown_regie)?
        .data::<Regie>()?;
    let name = patch.name.as_deref().unwrap_or(&old.name);
    let numcli = match &patch.numcli {
        Some(n) => Some(n.as_str()),
        None => old.numcli.as_deref(),
    };
    let email = match &patch.email {
        Some(e) => Some(e.as_str()),
        None => old.email.as_deref(),
    };
    let checked = validate(name, numcli, email);
    let code = match &patch.code {
        Some(c) => validate_code(Some(c)),
        None => Ok(old.code.clone()),
    };
    let ((name, numcli, email), code) = match (checked, code) {
        (Ok(v), Ok(c)) => (v, c),
        (Err(mut errors), c) => {
            errors.extend(c.err());
            return Err(ApiError::invalid_fields(errors));
        }
        (Ok(_), Err(e)) => return Err(ApiError::invalid_fields(vec![e])),
    };
    let recoded = code != old.code;
    if recoded && old.code.is_some() && app.store.get(&keys::invoicing_state(&id)).await?.is_some()
    {
        return Err(code_frozen());
    }
    let new = Regie {
        id: old.id.clone(),
        name,
        numcli,
        email,
        active: patch.active.unwrap_or(old.active),
        code,
        version: old.version + 1,
    };
    let mut writes = vec![Write::Put {
        item: Item::with_data(keys::regie(&id), &new)?,
        condition: Some(Condition::VersionIs(old.version)),
    }];
    let renamed = keys::regie_name(&new.name) != keys::regie_name(&old.name);
    if renamed {
        writes.push(Write::Delete {
            key: keys::regie_name(&old.name),
            condition: None,
        });
        writes.push(Write::put_new(name_item(&new.name, &id)?));
    }
    let mut code_write = None;
    if recoded {
        if let Some(c) = &old.code {
            writes.push(Write::Delete {
                key: keys::regie_code(c),
                condition: None,
            });
        }
        if let Some(c) = &new.code {
            code_write = Some(writes.len());
            writes.push(Write::put_new(code_item(c, &id)));
        }
    }
    match app.store.transact(writes).await {
        Ok(()) => Ok(Json(RegieView::from(&new))),
        Err(StoreError::ConditionFailed { index: Some(i) }) if Some(i) == code_write => {
            Err(code_exists())
        }
        Err(StoreError::ConditionFailed { index: Some(2) }) if renamed => Err(regie_exists()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<(String, Option<String>, Option<String>), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.code)
            .collect()
    }

    #[test]
    fn fields_are_checked_each_on_its_own() {
        assert_eq!(
            validate(
                "  Restauration   scolaire ",
                Some(" 123456 "),
                Some("regie@villebois.fr")
            )
            .ok(),
            Some((
                "Restauration scolaire".to_string(),
                Some("123456".to_string()),
                Some("regie@villebois.fr".to_string())
            ))
        );
        assert_eq!(
            validate("Accueil", Some(""), None).ok().map(|v| v.1),
            Some(None)
        );
        assert_eq!(codes(validate("", None, None)), ["invalid_name"]);
        assert_eq!(
            codes(validate(&"x".repeat(101), None, None)),
            ["invalid_name"]
        );
        for bad in ["12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(
                codes(validate("R", Some(bad), None)),
                ["invalid_numcli"],
                "{bad}"
            );
        }
        assert_eq!(
            codes(validate("", Some("1"), Some("pas une adresse"))),
            ["invalid_name", "invalid_numcli", "invalid_email"]
        );
    }
}
