//! The commune's crèches (multi-accueil): a bounded list in one partition,
//! created by agents, read by parents to rank their choices.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marelle_domain::creche::{self, AgeGroup, MAX_STRUCTURES, StructureDraft};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::bounded;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, Parent};
use crate::http::state::AppState;

/// A crèche of the commune.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Structure {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    /// Children are taken from this age, in months.
    #[serde(default)]
    pub age_from_months: u8,
    /// Up to this age, in months (excluded).
    #[serde(default = "max_age")]
    pub age_to_months: u8,
    /// Its age groups and their places (may be empty).
    #[serde(default)]
    pub groups: Vec<AgeGroup>,
}

fn max_age() -> u8 {
    creche::MAX_AGE_MONTHS
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StructureList {
    /// By name.
    pub items: Vec<Structure>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStructure {
    /// 1 to 100 characters.
    pub name: String,
    /// 200 characters at most.
    pub address: Option<String>,
    /// 0–35, default 0.
    pub age_from_months: Option<u8>,
    /// 1–36, after `age_from_months`; default 36.
    pub age_to_months: Option<u8>,
    /// Up to 6 age groups inside the range, each with 1 to 200 places.
    pub groups: Option<Vec<AgeGroup>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedStructure {
    pub id: String,
}

/// Every crèche of the commune, by name (one query; bounded).
pub async fn list(app: &AppState) -> ApiResult<Vec<Structure>> {
    let mut all: Vec<Structure> = bounded::list(
        app,
        keys::CRECHE_STRUCTURES,
        keys::CRECHE_STRUCTURE_PREFIX,
        MAX_STRUCTURES,
    )
    .await?;
    all.sort_by_key(|s| (s.name.to_lowercase(), s.id.clone()));
    Ok(all)
}

/// `GET /api/creche/structures`: the crèches a family may choose.
#[utoipa::path(get, path = "/api/creche/structures", operation_id = "list_creche_structures", tag = "creche",
    responses(
        (status = 200, description = "Les crèches de la commune, par nom", body = StructureList),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
    ))]
pub async fn parent_list(
    State(app): State<AppState>,
    Parent(_): Parent,
) -> ApiResult<Json<StructureList>> {
    Ok(Json(StructureList {
        items: list(&app).await?,
    }))
}

/// `GET /api/agent/creche/structures`: the commune's crèches.
#[utoipa::path(get, path = "/api/agent/creche/structures", operation_id = "list_agent_creche_structures", tag = "agent",
    responses(
        (status = 200, description = "Les crèches de la commune, par nom", body = StructureList),
        (status = 403, description = "Réservé aux agents", body = Problem),
    ))]
pub async fn agent_list(
    State(app): State<AppState>,
    Agent(_): Agent,
) -> ApiResult<Json<StructureList>> {
    Ok(Json(StructureList {
        items: list(&app).await?,
    }))
}

/// `POST /api/agent/creche/structures`: a new crèche.
#[utoipa::path(post, path = "/api/agent/creche/structures", operation_id = "create_creche_structure", tag = "agent", request_body = NewStructure,
    responses(
        (status = 201, description = "Crèche créée", body = CreatedStructure),
        (status = 400, description = "Corps illisible ou champ inconnu", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 422, description = "`invalid_name`, `invalid_address`, `invalid_age_range`, `invalid_groups`, `too_many_structures`", body = Problem),
    ))]
pub async fn create(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(body): JsonBody<NewStructure>,
) -> ApiResult<impl IntoResponse> {
    let fields = creche::check_structure(&StructureDraft {
        name: body.name,
        address: body.address,
        age_from_months: body.age_from_months,
        age_to_months: body.age_to_months,
        groups: body.groups.unwrap_or_default(),
    })
    .map_err(ApiError::invalid_fields)?;
    if list(&app).await?.len() >= MAX_STRUCTURES {
        return Err(ApiError::rule(
            "too_many_structures",
            format!("Une commune compte {MAX_STRUCTURES} crèches au plus."),
        ));
    }
    let s = Structure {
        id: app.ids.next(),
        name: fields.name,
        address: fields.address,
        age_from_months: fields.age_from_months,
        age_to_months: fields.age_to_months,
        groups: fields.groups,
    };
    app.store
        .put(
            Item::with_data(keys::creche_structure(&s.id), &s)?,
            Some(Condition::NotExists),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedStructure { id: s.id })))
}
