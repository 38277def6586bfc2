//! The agents' side of crèche applications: the list (oldest first,
//! filtered by state, crèche, desired start month, the child's age at the
//! start and an overdue birth), an application's detail, a state with a
//! message, and an offer of a place (checked against the crèche's ages).

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::creche::{self, Action, Slot, Status, places};
use marelle_domain::keys;
use marelle_domain::ports::Cursor;
use marelle_domain::ports::Index;
use marelle_domain::ports::store::{Query, Write};
use marelle_domain::requests::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::applications::{ApplicationList, ApplicationView, Change, act_with, transition_error};
use super::store::{self, Application, Offer};
use super::structures;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, UrlQuery};
use crate::http::state::AppState;

/// Applications per page of the agents' list.
pub const PAGE_SIZE: usize = 20;
/// At most this many applications are read to fill one filtered page.
const MAX_SCANNED: usize = 500;
/// Longest message an agent writes with a state or an offer.
pub const MAX_AGENT_MESSAGE_CHARS: usize = 700;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// The state as it reads now (a lapsed offer reads `waiting`).
    pub status: Option<Status>,
    /// A crèche among the application's choices.
    pub structure: Option<String>,
    /// `YYYY-MM`: the desired start is in that month.
    pub start_month: Option<String>,
    /// The child is at least this old at the desired start, in months
    /// (0–36).
    pub age_from_months: Option<u8>,
    /// The child is younger than this at the desired start, in months
    /// (1–36).
    pub age_to_months: Option<u8>,
    /// `true`: only expected children whose due date passed without a
    /// birth declared.
    pub birth_overdue: Option<bool>,
    pub page: Option<String>,
}

/// The list's filters, checked.
struct Filters {
    status: Option<Status>,
    structure: Option<String>,
    start_month: Option<(NaiveDate, NaiveDate)>,
    age_from: Option<u32>,
    age_to: Option<u32>,
    birth_overdue: bool,
}

impl Filters {
    fn checked(q: &ListParams) -> ApiResult<Self> {
        let start_month = match q.start_month.as_deref().filter(|m| !m.is_empty()) {
            None => None,
            Some(m) => {
                let first = places::parse_month(m).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_start_month",
                        "Le mois d'entrée s'écrit AAAA-MM (par exemple 2027-09).",
                    )
                })?;
                places::months(first, 1).first().copied()
            }
        };
        let max = creche::MAX_AGE_MONTHS;
        if q.age_from_months.is_some_and(|a| a >= max)
            || q.age_to_months.is_some_and(|a| a == 0 || a > max)
            || matches!((q.age_from_months, q.age_to_months), (Some(f), Some(t)) if f >= t)
        {
            return Err(ApiError::rule(
                "invalid_age_range",
                "Les âges vont de 0 à 36 mois, le premier avant le second.",
            ));
        }
        Ok(Self {
            status: q.status,
            structure: q.structure.clone().filter(|s| !s.is_empty()),
            start_month,
            age_from: q.age_from_months.map(u32::from),
            age_to: q.age_to_months.map(u32::from),
            birth_overdue: q.birth_overdue == Some(true),
        })
    }

    fn keep(&self, a: &Application, now: DateTime<Utc>) -> bool {
        let age = a.age_at_start();
        self.status.is_none_or(|s| a.status_at(now) == s)
            && self
                .structure
                .as_ref()
                .is_none_or(|s| a.structures.contains(s))
            && self
                .start_month
                .is_none_or(|(first, last)| a.start_date >= first && a.start_date <= last)
            && self
                .age_from
                .is_none_or(|f| age.is_some_and(|age| age >= f))
            && self.age_to.is_none_or(|t| age.is_some_and(|age| age < t))
            && (!self.birth_overdue || a.birth_overdue(now))
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `incomplete`, `under_review`, `waiting` or `closed`.
    pub status: Status,
    /// Shown to the family (700 characters at most).
    pub message: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferBody {
    /// Any crèche of the commune (the family's choices or another).
    pub structure_id: String,
    pub start_date: NaiveDate,
    /// Absent: the schedule asked for.
    pub schedule: Option<Vec<Slot>>,
    /// The last instant the family's answer is taken (RFC 3339), in the
    /// future.
    #[schema(value_type = String)]
    pub deadline: DateTime<Utc>,
    /// Shown to the family with the offer (700 characters at most).
    pub message: Option<String>,
}

pub fn checked_message(message: Option<&str>) -> ApiResult<Option<String>> {
    match message.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(None),
        Some(m) if m.chars().count() > MAX_AGENT_MESSAGE_CHARS => Err(ApiError::rule(
            "message_too_long",
            format!("Le message ne doit pas dépasser {MAX_AGENT_MESSAGE_CHARS} caractères."),
        )),
        Some(m) => Ok(Some(m.to_string())),
    }
}

async fn application(app: &AppState, id: &str) -> ApiResult<Application> {
    store::load_by_id(app, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `GET /api/agent/creche/applications`: every application, oldest first.
#[utoipa::path(get, path = "/api/agent/creche/applications", operation_id = "list_agent_creche_applications", tag = "agent", params(ListParams),
    responses(
        (status = 200, description = "Les préinscriptions, les plus anciennes d'abord", body = ApplicationList),
        (status = 400, description = "`invalid_page`, `invalid_start_month`, `invalid_parameter`", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 422, description = "`invalid_age_range`", body = Problem),
    ))]
pub async fn list(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(q): UrlQuery<ListParams>,
) -> ApiResult<Json<ApplicationList>> {
    let mut cursor = match q.page.as_deref() {
        Some(p) if !p.is_empty() => {
            if p.len() > 2048 {
                return Err(ApiError::invalid_page());
            }
            Some(Cursor(p.to_string()))
        }
        _ => None,
    };
    let filters = Filters::checked(&q)?;
    let now = app.clock.now();
    let query = Query::on(Index::Gsi2, keys::CRECHE_APPLICATIONS);
    let keep = |a: &Application| filters.keep(a, now);
    let mut items = Vec::new();
    let mut scanned = 0;
    loop {
        let page = app
            .store
            .query(
                query
                    .clone()
                    .limit(PAGE_SIZE - items.len())
                    .after(cursor.clone()),
            )
            .await?;
        scanned += page.items.len();
        for item in &page.items {
            let a: Application = item.data()?;
            if keep(&a) {
                items.push(ApplicationView::new(&a, now));
            }
        }
        cursor = page.cursor;
        if cursor.is_none() || items.len() >= PAGE_SIZE || scanned >= MAX_SCANNED {
            break;
        }
    }
    super::applications::with_documents(&app, &mut items).await?;
    Ok(Json(ApplicationList {
        items,
        next_page: cursor.map(|c| c.0),
    }))
}

/// `GET /api/agent/creche/applications/{id}`: one application.
#[utoipa::path(get, path = "/api/agent/creche/applications/{id}", operation_id = "read_agent_creche_application", tag = "agent", params(("id" = String, Path)),
    responses(
        (status = 200, description = "La préinscription", body = ApplicationView),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Inconnue", body = Problem),
    ))]
pub async fn detail(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationView>> {
    let a = application(&app, &id).await?;
    Ok(Json(super::applications::view(&app, &a).await?))
}

/// `POST /api/agent/creche/applications/{id}/status`: a new state, with a
/// message to the family.
#[utoipa::path(post, path = "/api/agent/creche/applications/{id}/status", operation_id = "set_creche_application_status", tag = "agent", params(("id" = String, Path)), request_body = StatusBody,
    responses(
        (status = 200, description = "État enregistré", body = ApplicationView),
        (status = 400, description = "Corps illisible", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Inconnue", body = Problem),
        (status = 409, description = "`invalid_transition`, ou modifiée entre-temps (`conflict`)", body = Problem),
        (status = 422, description = "`invalid_status`, `message_too_long`, `too_many_messages`, `history_full`", body = Problem),
    ))]
pub async fn set_status(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StatusBody>,
) -> ApiResult<Json<ApplicationView>> {
    let message = checked_message(body.message.as_deref())?;
    let a = application(&app, &id).await?;
    let a = change_status(&app, &agent.account_id, a, body.status, message, Vec::new()).await?;
    Ok(Json(super::applications::view(&app, &a).await?))
}

/// `POST /api/agent/creche/applications/{id}/offer`: a place offered, to
/// answer by a deadline.
#[utoipa::path(post, path = "/api/agent/creche/applications/{id}/offer", operation_id = "offer_creche_place", tag = "agent", params(("id" = String, Path)), request_body = OfferBody,
    responses(
        (status = 200, description = "Place proposée", body = ApplicationView),
        (status = 400, description = "Corps illisible", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Inconnue", body = Problem),
        (status = 409, description = "`invalid_transition`, ou modifiée entre-temps (`conflict`)", body = Problem),
        (status = 422, description = "`invalid_deadline`, `invalid_structures`, `invalid_start_date`, `child_age_out_of_range`, `invalid_schedule`, `message_too_long`, `too_many_messages`, `history_full`", body = Problem),
    ))]
pub async fn offer(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<OfferBody>,
) -> ApiResult<Json<ApplicationView>> {
    let message = checked_message(body.message.as_deref())?;
    let a = application(&app, &id).await?;
    let a = make_offer(&app, &agent.account_id, a, &body, message, Vec::new()).await?;
    super::jobs::offer_mail(&app, &a).await;
    Ok(Json(super::applications::view(&app, &a).await?))
}

/// The child's birth date for an offer: the dossier's (the child may have
/// been corrected since the application), the due date for a child not
/// born yet.
async fn birth_for_offer(app: &AppState, a: &Application) -> ApiResult<Option<NaiveDate>> {
    if let Some(child_id) = &a.child_id
        && let Some(loaded) = crate::family::store::load(app, &a.family_id).await?
        && let Some(child) = loaded.dossier.child(child_id)
    {
        return Ok(Some(child.birth_date));
    }
    Ok(a.birth())
}

/// A state set by an agent (`account_id`), with `also` in its transaction:
/// what the status route and a commission's waiting or refusal do.
pub async fn change_status(
    app: &AppState,
    account_id: &str,
    a: Application,
    status: Status,
    message: Option<String>,
    also: Vec<Write>,
) -> ApiResult<Application> {
    act_with(
        app,
        a,
        Change {
            action: Action::SetStatus(status),
            by: Actor::Commune,
            account_id: account_id.to_string(),
            message,
            offer: None,
        },
        also,
    )
    .await
}

/// The offer of `body` for `a`, checked (the lifecycle first: an
/// application not to offer is said so before the offer's fields), as it
/// would be made now by `account_id`. Nothing is written.
pub async fn prepare_offer(
    app: &AppState,
    account_id: &str,
    a: &Application,
    body: &OfferBody,
) -> ApiResult<Offer> {
    let now = app.clock.now();
    let action = Action::Offer {
        deadline: body.deadline,
    };
    creche::transition(a.status, a.deadline(), action, now).map_err(transition_error)?;
    let schedule = match &body.schedule {
        Some(s) => creche::check_schedule(s).map_err(|e| ApiError::invalid_fields(vec![e]))?,
        None => a.schedule.clone(),
    };
    if body.start_date < marelle_domain::time::local_date(now) {
        return Err(ApiError::rule(
            "invalid_start_date",
            "La date d'entrée proposée est passée.",
        ));
    }
    let structure = structures::list(app)
        .await?
        .into_iter()
        .find(|s| s.id == body.structure_id)
        .ok_or_else(|| ApiError::rule("invalid_structures", "Cette crèche n'existe pas."))?;
    if let Some(birth) = birth_for_offer(app, a).await? {
        places::check_offer_age(
            &structure.name,
            structure.age_from_months,
            structure.age_to_months,
            birth,
            body.start_date,
        )
        .map_err(|e| ApiError::rule("child_age_out_of_range", e.message))?;
    }
    Ok(Offer {
        structure_id: structure.id,
        structure: structure.name,
        start_date: body.start_date,
        hours_per_week: creche::weekly_hours(&schedule),
        schedule,
        deadline: body.deadline,
        made_at: now,
        made_by: account_id.to_string(),
    })
}

/// A place offered by `account_id` (checked by [`prepare_offer`]), saved
/// with `also` in its transaction; no e-mail: the offer route sends it
/// at once, a commission when the agent sends the session's offers.
pub async fn make_offer(
    app: &AppState,
    account_id: &str,
    a: Application,
    body: &OfferBody,
    message: Option<String>,
    also: Vec<Write>,
) -> ApiResult<Application> {
    let offer = prepare_offer(app, account_id, &a, body).await?;
    act_with(
        app,
        a,
        Change {
            action: Action::Offer {
                deadline: body.deadline,
            },
            by: Actor::Commune,
            account_id: account_id.to_string(),
            message,
            offer: Some(offer),
        },
        also,
    )
    .await
}
