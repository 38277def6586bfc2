//! The commune's crèches (multi-accueil): a bounded list in one partition,
//! created by agents, read by parents to rank their choices; and their
//! places asked and free, per age group and month.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marelle_domain::creche::places::{
    self, Creche, DEFAULT_PLACES_MONTHS, Demand, GroupPlaces, MAX_PLACES_MONTHS, MonthPlaces,
};
use marelle_domain::creche::{self, AgeGroup, MAX_STRUCTURES, StructureDraft};
use marelle_domain::keys;
use marelle_domain::ports::Index;
use marelle_domain::ports::store::Query;
use marelle_domain::ports::store::{Condition, Item};
use utoipa::IntoParams;

use super::store::Application;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::bounded;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, Parent, UrlQuery};
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

/// Applications the places read at most, newest first. A commune placing
/// a few hundred children a year keeps its accepted applications (children
/// still in a crèche for up to three years) and the open ones well under
/// it; an item is a few kilobytes, so 2,000 is a few megabytes read, a
/// handful of store pages. Beyond, the oldest are left out and the answer
/// says `truncated`.
pub const MAX_PLACES_SCANNED: usize = 2000;
const PLACES_PAGE: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlacesParams {
    /// `YYYY-MM`, the first month shown; default this month (Europe/Paris).
    pub from: Option<String>,
    /// 1 to 12 months, default 6.
    pub months: Option<u32>,
}

/// A crèche's places, per age group and for the whole crèche.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StructurePlaces {
    pub structure_id: String,
    pub name: String,
    pub age_from_months: u8,
    pub age_to_months: u8,
    /// In the crèche's order; empty when it declares none.
    pub groups: Vec<GroupPlaces>,
    /// The whole crèche: every group's places, every child placed there
    /// still within its ages, every application asking for it whatever
    /// the child's age.
    pub total: Vec<MonthPlaces>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlacesReport {
    /// `YYYY-MM`.
    pub from: String,
    pub months: u32,
    /// By name.
    pub structures: Vec<StructurePlaces>,
    /// Applications read.
    pub scanned: u32,
    /// More applications than the bound: the oldest were not read.
    pub truncated: bool,
}

/// `GET /api/agent/creche/places`: places, children placed and
/// applications asking, per crèche, age group and month.
#[utoipa::path(get, path = "/api/agent/creche/places", operation_id = "list_creche_places", tag = "agent", params(PlacesParams),
    responses(
        (status = 200, description = "Les places par crèche, groupe d'âge et mois", body = PlacesReport),
        (status = 400, description = "`invalid_month`, `invalid_months`, `invalid_parameter`", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
    ))]
pub async fn places_report(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(q): UrlQuery<PlacesParams>,
) -> ApiResult<Json<PlacesReport>> {
    let now = app.clock.now();
    let from = match q.from.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => places::parse_month(m).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_month",
                "Le premier mois s'écrit AAAA-MM (par exemple 2027-09).",
            )
        })?,
        None => {
            let today = marelle_domain::time::local_date(now);
            today - chrono::Days::new(u64::from(today.day0()))
        }
    };
    let count = q.months.unwrap_or(DEFAULT_PLACES_MONTHS);
    if count == 0 || count > MAX_PLACES_MONTHS {
        return Err(ApiError::bad_request(
            "invalid_months",
            format!("Indiquez de 1 à {MAX_PLACES_MONTHS} mois."),
        ));
    }
    let months = places::months(from, count);
    let mut demands = Vec::new();
    let mut cursor = None;
    let mut scanned = 0;
    loop {
        let page = app
            .store
            .query(
                Query::on(Index::Gsi2, keys::CRECHE_APPLICATIONS)
                    .backwards()
                    .limit(PLACES_PAGE.min(MAX_PLACES_SCANNED - scanned))
                    .after(cursor),
            )
            .await?;
        scanned += page.items.len();
        for item in &page.items {
            let a: Application = item.data()?;
            demands.push(Demand {
                status: a.status_at(now),
                structures: a.structures.clone(),
                start_date: a.start_date,
                birth: a.birth(),
                placed: a
                    .offer
                    .as_ref()
                    .map(|o| (o.structure_id.clone(), o.start_date)),
            });
        }
        cursor = page.cursor;
        if cursor.is_none() || scanned >= MAX_PLACES_SCANNED {
            break;
        }
    }
    let structures = list(&app)
        .await?
        .into_iter()
        .map(|s| {
            let p = places::creche_places(
                &Creche {
                    id: s.id.clone(),
                    age_from_months: s.age_from_months,
                    age_to_months: s.age_to_months,
                    groups: s.groups.clone(),
                },
                &demands,
                &months,
            );
            StructurePlaces {
                structure_id: s.id,
                name: s.name,
                age_from_months: s.age_from_months,
                age_to_months: s.age_to_months,
                groups: p.groups,
                total: p.total,
            }
        })
        .collect();
    Ok(Json(PlacesReport {
        from: from.format("%Y-%m").to_string(),
        months: count,
        structures,
        scanned: scanned as u32,
        truncated: cursor.is_some(),
    }))
}
