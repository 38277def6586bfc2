//! The monthly run: corrections (credits carried on the family's next
//! invoice), the dry run and issuing for a régie and a month, in the
//! background ([`jobs`]), and the result pages the agents' page polls.
//! Store layout: `docs/invoicing.md`.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use marelle_domain::invoicing::run::{BillingMonth, Correction};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item, Query};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::billing::regies::Regie;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, UrlQuery};
use crate::http::state::AppState;

pub mod gather;
pub mod issue;
pub mod jobs;

pub use gather::StoredCorrection;
pub use jobs::{FamilyResult, RunJob, RunWorker};

/// Corrections waiting for one family, at most.
pub const MAX_CORRECTIONS: usize = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/invoicing/runs", post(start_run))
        .route("/api/agent/invoicing/runs/{id}", get(show_run))
        .route(
            "/api/agent/families/{id}/corrections",
            get(list_corrections).post(add_correction),
        )
        .route(
            "/api/agent/families/{id}/corrections/{correction_id}",
            delete(remove_correction),
        )
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub regie_id: String,
    /// `2027-02`.
    pub month: String,
    /// True: only compute (nothing written); false: issue the invoices
    /// (the month must be over).
    pub dry_run: bool,
}

fn unknown_regie() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_regie",
        "Cette régie n'existe pas.",
    )
}

/// `POST /api/agent/invoicing/runs`: a dry run, or the issue, of a
/// régie's month, in the background.
#[utoipa::path(post, path = "/api/agent/invoicing/runs", tag = "agent", request_body = RunRequest,
    responses(
        (status = 202, description = "Facturation lancée : suivre `GET /api/agent/invoicing/runs/{id}`", body = RunJob),
        (status = 404, description = "`unknown_regie`", body = Problem),
        (status = 422, description = "`invalid_month`, `regie_code_required` (la régie n'a pas de code de facturation), `month_not_over` (émission d'un mois pas terminé), `no_billed_activity`", body = Problem),
    ))]
pub async fn start_run(
    State(app): State<AppState>,
    Agent(agent): Agent,
    JsonBody(body): JsonBody<RunRequest>,
) -> ApiResult<impl IntoResponse> {
    let month: BillingMonth = body
        .month
        .parse()
        .map_err(|e| ApiError::invalid_fields(vec![e]))?;
    if body.regie_id.is_empty() || body.regie_id.len() > 40 || body.regie_id.contains('#') {
        return Err(unknown_regie());
    }
    let regie = app
        .store
        .get(&keys::regie(&body.regie_id))
        .await?
        .ok_or_else(unknown_regie)?
        .data::<Regie>()?;
    let Some(code) = regie.code.clone() else {
        return Err(ApiError::rule(
            "regie_code_required",
            "Donnez d'abord un code de facturation à cette régie (page Régies)\u{a0}: il figure dans les numéros de ses factures.",
        ));
    };
    let today = app
        .clock
        .now()
        .with_timezone(&marelle_domain::time::ZONE)
        .date_naive();
    if !body.dry_run && month.last_day() >= today {
        return Err(ApiError::rule(
            "month_not_over",
            format!(
                "Les factures de {} s'émettent une fois le mois terminé, à partir du {}.",
                month.label().to_lowercase(),
                (month.last_day() + chrono::Duration::days(1)).format("%d/%m/%Y")
            ),
        ));
    }
    let job = jobs::start(&app, &regie, &code, month, body.dry_run, &agent.account_id).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// The page of families (20 a page), from 0.
    pub page: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunView {
    pub run: RunJob,
    pub page: usize,
    /// Pages of families (20 a page).
    pub pages: usize,
    /// This page's families (once their chunk is done).
    pub families: Vec<FamilyResult>,
}

/// `GET /api/agent/invoicing/runs/{id}`: the run's progress and totals,
/// and one page of its families.
#[utoipa::path(get, path = "/api/agent/invoicing/runs/{id}", tag = "agent",
    params(("id" = String, Path, description = "La facturation"), RunParams),
    responses(
        (status = 200, description = "La facturation et une page de familles", body = RunView),
        (status = 400, description = "`invalid_page`", body = Problem),
        (status = 404, description = "Facturation inconnue", body = Problem),
    ))]
pub async fn show_run(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    UrlQuery(params): UrlQuery<RunParams>,
) -> ApiResult<Json<RunView>> {
    let job = jobs::load(&app, &id)
        .await?
        .ok_or_else(ApiError::not_found)?
        .as_seen(app.clock.now());
    let page = params.page.unwrap_or(0);
    let pages = job.pages();
    if page > 0 && page >= pages {
        return Err(ApiError::invalid_page());
    }
    let families = jobs::page(&app, &job, page).await?;
    Ok(Json(RunView {
        run: job,
        page,
        pages,
        families,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CorrectionList {
    /// Oldest first.
    pub items: Vec<StoredCorrection>,
}

fn valid_family_id(id: &str) -> ApiResult<()> {
    if id.is_empty() || id.len() > 40 || id.contains('#') {
        return Err(ApiError::not_found());
    }
    Ok(())
}

async fn corrections(app: &AppState, family_id: &str) -> ApiResult<Vec<StoredCorrection>> {
    let page = app
        .store
        .query(Query::new(keys::family_partition(family_id)).begins_with(keys::CORRECTION_PREFIX))
        .await?;
    page.items
        .iter()
        .map(|i| i.data().map_err(ApiError::from))
        .collect()
}

/// `GET /api/agent/families/{id}/corrections`: the credits waiting for the
/// family's next invoice.
#[utoipa::path(get, path = "/api/agent/families/{id}/corrections", tag = "agent",
    params(("id" = String, Path, description = "La famille")),
    responses(
        (status = 200, description = "Les avoirs pas encore reportés", body = CorrectionList),
        (status = 404, description = "Famille inconnue", body = Problem),
    ))]
pub async fn list_corrections(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<CorrectionList>> {
    valid_family_id(&id)?;
    if app.store.get(&keys::family(&id)).await?.is_none() {
        return Err(ApiError::not_found());
    }
    Ok(Json(CorrectionList {
        items: corrections(&app, &id).await?,
    }))
}

/// `POST /api/agent/families/{id}/corrections`: a credit (« avoir ») on
/// the family's next invoice of the activity's régie.
#[utoipa::path(post, path = "/api/agent/families/{id}/corrections", tag = "agent",
    params(("id" = String, Path, description = "La famille")), request_body = Correction,
    responses(
        (status = 201, description = "Avoir enregistré : il figurera sur la prochaine facture", body = StoredCorrection),
        (status = 404, description = "Famille inconnue", body = Problem),
        (status = 422, description = "`correction_amount`, `required`, `correction_reason`, `unknown_child`, `unknown_activity`, `too_many_corrections`", body = Problem),
    ))]
pub async fn add_correction(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Correction>,
) -> ApiResult<impl IntoResponse> {
    valid_family_id(&id)?;
    let loaded = crate::family::store::load(&app, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut errors = body.validate().err().unwrap_or_default();
    if !loaded
        .dossier
        .children
        .iter()
        .any(|c| c.id == body.child_id)
    {
        errors.push(marelle_domain::accounts::FieldError::new(
            "child_id",
            "unknown_child",
            "Cet enfant n'appartient pas à la famille.",
        ));
    }
    if crate::planning::store::activity(&app, &body.activity_id)
        .await?
        .is_none()
    {
        errors.push(marelle_domain::accounts::FieldError::new(
            "activity_id",
            "unknown_activity",
            "Cette activité n'existe pas.",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    if corrections(&app, &id).await?.len() >= MAX_CORRECTIONS {
        return Err(ApiError::rule(
            "too_many_corrections",
            format!(
                "La famille a déjà {MAX_CORRECTIONS} avoirs en attente\u{a0}: ils seront reportés sur sa prochaine facture."
            ),
        ));
    }
    let stored = StoredCorrection {
        id: app.ids.next(),
        child_id: body.child_id,
        activity_id: body.activity_id,
        day: body.day,
        cents: body.cents,
        reason: body.reason.trim().to_string(),
        created_by: agent.account_id,
        created_at: app.clock.now(),
    };
    app.store
        .put(
            Item::with_data(keys::correction(&id, &stored.id), &stored)?,
            Some(Condition::NotExists),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// `DELETE /api/agent/families/{id}/corrections/{correction_id}`: removes
/// a credit not carried yet (once on an invoice, it is gone from here).
#[utoipa::path(delete, path = "/api/agent/families/{id}/corrections/{correction_id}", tag = "agent",
    params(("id" = String, Path, description = "La famille"), ("correction_id" = String, Path, description = "L'avoir")),
    responses(
        (status = 204, description = "Avoir retiré"),
        (status = 404, description = "Avoir inconnu, ou déjà reporté sur une facture", body = Problem),
    ))]
pub async fn remove_correction(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path((id, correction_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    valid_family_id(&id)?;
    valid_family_id(&correction_id)?;
    match app
        .store
        .delete(
            &keys::correction(&id, &correction_id),
            Some(Condition::Exists),
        )
        .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(e) if e.is_condition_failed() => Err(ApiError::not_found()),
        Err(e) => Err(e.into()),
    }
}
