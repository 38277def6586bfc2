//! Back-office: the queue of requests and the decisions on them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marelle_domain::keys;
use marelle_domain::ports::store::{Index, Query};
use marelle_domain::requests::{Actor, Decision, RequestKind, RequestState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::decisions;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, UrlQuery};
use crate::http::state::AppState;
use crate::requests::decide::already_decided;
use crate::requests::store;
use crate::requests::view::{RequestDetail, RequestSummary};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// `pending` (default). Other states need `family_id`.
    pub state: Option<RequestState>,
    pub kind: Option<RequestKind>,
    pub family_id: Option<String>,
    pub activity_id: Option<String>,
    pub date: Option<chrono::NaiveDate>,
    pub page: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QueueItem {
    #[serde(flatten)]
    pub request: RequestSummary,
    pub family_label: String,
    /// Planning requests: whose day it is.
    pub child_first_name: Option<String>,
    pub child_last_name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub next_page: Option<String>,
}

/// `GET /api/agent/requests`: the queue, oldest first.
#[utoipa::path(get, path = "/api/agent/requests", tag = "agent", params(QueueParams),
    responses((status = 200, description = "Demandes", body = QueuePage),
              (status = 403, description = "Réservé aux agents", body = Problem),
              (status = 422, description = "Un état autre que « pending » demande family_id", body = Problem)))]
pub async fn queue(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(p): UrlQuery<QueueParams>,
) -> ApiResult<Json<QueuePage>> {
    let state = p.state.unwrap_or(RequestState::Pending);
    let query = match (&p.family_id, state) {
        (Some(f), _) => Query::on(Index::Gsi1, keys::family_requests(f)),
        (None, RequestState::Pending) => Query::on(Index::Gsi2, keys::PENDING),
        (None, _) => {
            return Err(ApiError::family_required(
                "Pour les demandes déjà traitées, précisez la famille (family_id).",
            ));
        }
    };
    let (items, next_page) =
        store::filtered_page(&app, query, p.page.as_deref(), store::PAGE_SIZE, |r| {
            r.state == state
                && p.kind.is_none_or(|k| r.kind == k)
                && p.activity_id
                    .as_ref()
                    .is_none_or(|a| r.activity_id.as_ref() == Some(a))
                && p.date.is_none_or(|d| r.date == Some(d))
        })
        .await?;
    let names = crate::family::store::names(
        &app,
        items
            .iter()
            .map(|r| (r.family_id.as_str(), r.child_id.as_deref())),
    )
    .await?;
    Ok(Json(QueuePage {
        items: items
            .iter()
            .map(|r| {
                let (child_first_name, child_last_name) = names.child(r.child_id.as_deref());
                QueueItem {
                    request: RequestSummary::from(r),
                    family_label: names.family(&r.family_id),
                    child_first_name,
                    child_last_name,
                }
            })
            .collect(),
        next_page,
    }))
}

/// `GET /api/agent/requests/{id}`: a request; a dossier change shows old,
/// new and current values side by side.
#[utoipa::path(get, path = "/api/agent/requests/{id}", params(("id" = String, Path)), operation_id = "agent_request_detail", tag = "agent",
    responses((status = 200, description = "La demande", body = RequestDetail),
              (status = 404, description = "Demande inconnue", body = Problem)))]
pub async fn detail(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestDetail>> {
    let r = store::load(&app, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(decisions::detail(&app, &r, true).await?))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub decision: Decision,
    #[serde(default)]
    pub message: Option<String>,
}

/// `POST /api/agent/requests/{id}/decision`: accept or refuse, with an
/// optional message to the family.
#[utoipa::path(post, path = "/api/agent/requests/{id}/decision", params(("id" = String, Path)), tag = "agent", request_body = DecisionBody,
    responses((status = 200, description = "Décision enregistrée", body = RequestSummary),
              (status = 404, description = "Demande inconnue", body = Problem),
              (status = 409, description = "Déjà traitée (already_decided)", body = Problem),
              (status = 422, description = "Message trop long (message_too_long) ou trop de messages sur la demande (too_many_messages)", body = Problem)))]
pub async fn decide(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DecisionBody>,
) -> ApiResult<Json<RequestSummary>> {
    let r = decisions::decide(
        &app,
        &id,
        b.decision,
        b.message.as_deref(),
        &agent.account_id,
    )
    .await?;
    Ok(Json(RequestSummary::from(&r)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDecision {
    /// The requests to decide…
    #[serde(default)]
    pub ids: Vec<String>,
    /// …or every pending request of an activity on a day.
    #[serde(default)]
    pub activity_id: Option<String>,
    #[serde(default)]
    pub date: Option<chrono::NaiveDate>,
    pub decision: Decision,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Skipped {
    pub id: String,
    pub code: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BulkAnswer {
    pub decided: Vec<String>,
    pub skipped: Vec<Skipped>,
}

/// Most requests decided by one bulk call.
pub const BULK_MAX: usize = 200;

/// `POST /api/agent/requests/decisions`: the same decision on many
/// requests; each is decided on its own, and those that cannot be are
/// listed with why.
#[utoipa::path(post, path = "/api/agent/requests/decisions", tag = "agent", request_body = BulkDecision,
    responses((status = 200, description = "Décisions enregistrées", body = BulkAnswer),
              (status = 422, description = "Liste vide ou trop longue (invalid_bulk), ou message trop long (message_too_long)", body = Problem)))]
pub async fn decide_many(
    State(app): State<AppState>,
    Agent(agent): Agent,
    JsonBody(b): JsonBody<BulkDecision>,
) -> ApiResult<Json<BulkAnswer>> {
    let mut ids = match (&b.activity_id, b.date) {
        (Some(activity), Some(date)) if b.ids.is_empty() => {
            crate::planning::store::day_slots(&app, activity, date, None)
                .await?
                .into_iter()
                .filter(|(_, s)| s.state.is_pending())
                .map(|(_, s)| s.request_id)
                .collect()
        }
        (None, None) => b.ids.clone(),
        _ => {
            return Err(invalid_bulk(
                "Donnez soit la liste des demandes (ids), soit une activité et un jour (activity_id et date).",
            ));
        }
    };
    if ids.is_empty() || ids.len() > BULK_MAX {
        return Err(invalid_bulk(format!(
            "Choisissez entre 1 et {BULK_MAX} demandes."
        )));
    }
    let mut answer = BulkAnswer {
        decided: Vec::new(),
        skipped: Vec::new(),
    };
    marelle_domain::requests::check_message(b.message.as_deref()).map_err(already_decided)?;
    ids.sort();
    ids.dedup();
    for id in ids {
        match decisions::decide(
            &app,
            &id,
            b.decision,
            b.message.as_deref(),
            &agent.account_id,
        )
        .await
        {
            Ok(_) => answer.decided.push(id),
            Err(e) if e.status.is_client_error() => {
                answer.skipped.push(Skipped { id, code: e.code })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Json(answer))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub message: String,
}

/// `POST /api/agent/requests/{id}/messages`: a message to the family.
#[utoipa::path(post, path = "/api/agent/requests/{id}/messages", params(("id" = String, Path)), tag = "agent", request_body = MessageBody,
    responses((status = 201, description = "Message ajouté", body = RequestSummary),
              (status = 404, description = "Demande inconnue", body = Problem),
              (status = 409, description = "Modifiée entre-temps (conflict)", body = Problem),
              (status = 422, description = "Message vide (empty_message), trop long (message_too_long) ou de trop (too_many_messages)", body = Problem)))]
pub async fn message(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MessageBody>,
) -> ApiResult<impl IntoResponse> {
    for _ in 0..3 {
        let mut r = store::load(&app, &id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let before = r.version;
        r.add_message(Actor::Commune, &b.message, app.clock.now())
            .map_err(already_decided)?;
        match app.store.transact(vec![store::save(&r, before)?]).await {
            Ok(()) => return Ok((StatusCode::CREATED, Json(RequestSummary::from(&r)))),
            Err(e) if e.is_condition_failed() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "La demande a changé entre-temps. Recommencez.",
    ))
}

/// 422 `invalid_bulk`: a bulk decision without a valid list of requests.
fn invalid_bulk(detail: impl Into<String>) -> ApiError {
    ApiError::rule("invalid_bulk", detail)
}

/// `GET /api/agent/digest/preview`: the processing e-mails the window still
/// open would send if it closed now ("Voir l'accusé de traitement de la
/// prochaine fenêtre"). Reads only.
#[utoipa::path(get, path = "/api/agent/digest/preview", tag = "agent",
    responses((status = 200, description = "L'accusé de traitement de la prochaine fenêtre, tel qu'il partirait maintenant", body = crate::jobs::digest::DigestPreview)))]
pub async fn digest_preview(
    State(app): State<AppState>,
    Agent(_): Agent,
) -> ApiResult<Json<crate::jobs::digest::DigestPreview>> {
    let now = app.clock.now();
    Ok(Json(crate::jobs::digest::preview(&app, now).await?))
}
