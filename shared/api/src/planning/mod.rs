//! The children's planning: what each child is enrolled in and what was
//! asked for each day, reservations and absences (one day or a period),
//! and what a decision on them changes.

pub mod decision;
pub mod documents;
mod idempotency;
mod plan;
pub mod store;
pub mod submission;
pub mod submit;
pub mod waiting;

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::NaiveDate;
use marelle_domain::planning::rules::{DayAction, DayTiming, day_options};
use marelle_domain::planning::{Activity, PlanningState, SlotState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Parent, UrlQuery};
use crate::http::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/planning", get(planning))
        .route("/api/requests", axum::routing::post(submit::submit))
}

/// Longest range one planning call covers (a month view shows up to six
/// weeks).
pub const MAX_RANGE_DAYS: i64 = 42;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanningParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Children to show, comma-separated ids (all when left out).
    pub child: Option<String>,
    /// Activities to show, comma-separated ids (all when left out).
    pub activity: Option<String>,
    pub family_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SlotView {
    pub child_id: String,
    pub activity_id: String,
    pub activity: String,
    pub establishment: String,
    pub start: String,
    pub end: String,
    pub state: PlanningState,
    /// The guide's legend for the state ("Réservation en attente").
    pub state_label: String,
    /// The request behind the state, if any.
    pub request_id: Option<String>,
    /// The requests the family may make on this day now, by the same rules
    /// as `POST /api/requests` (empty: none; the day shows `reason`).
    /// `waiting_list`: the day is full, a reservation goes on the waiting
    /// list (`waiting_list: true`); the submission has the last word.
    pub actions: Vec<DayAction>,
    /// `open`, `deadline_passed` (the deadline for the day's state is
    /// passed) or `past` (the day is over).
    pub timing: DayTiming,
    /// The deadline in words: « Réservable jusqu'au mercredi 6 à 12:00 »,
    /// « Annulable jusqu'au … » (a reserved day), « Délai de réservation
    /// dépassé depuis le … », « Jour passé »; absent when no rule applies.
    pub deadline: Option<String>,
    /// Without any action: why, in French.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DayView {
    pub date: NaiveDate,
    pub slots: Vec<SlotView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChildLine {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnrolmentView {
    pub child_id: String,
    pub activity_id: String,
    pub activity: String,
    pub establishment: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weekdays: Vec<marelle_domain::planning::Weekday>,
    pub start: String,
    pub end: String,
    pub capacity: Option<u32>,
    /// The days the activity is closed within the range asked, labelled:
    /// public holidays ("Jour de l'an"), its own closures, the school
    /// holidays it closes for ("Vacances de Noël"). No slot on those days.
    pub closures: Vec<marelle_domain::planning::Closure>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlanningView {
    pub days: Vec<DayView>,
    /// What the switches and the period form need.
    pub enrolments: Vec<EnrolmentView>,
}

fn split(list: &Option<String>) -> Option<HashSet<String>> {
    list.as_ref().map(|s| {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    })
}

/// `GET /api/planning`: per day, per child and activity, the state.
#[utoipa::path(get, path = "/api/planning", tag = "planning", params(PlanningParams),
    responses(
        (status = 200, description = "Le planning de la famille", body = PlanningView),
        (status = 404, description = "Famille inconnue de ce compte", body = Problem),
        (status = 422, description = "Période invalide ou de plus de 42 jours", body = Problem),
    ))]
pub async fn planning(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<PlanningParams>,
) -> ApiResult<Json<PlanningView>> {
    if q.to < q.from || (q.to - q.from).num_days() >= MAX_RANGE_DAYS {
        return Err(ApiError::rule(
            "invalid_range",
            format!(
                "La période va d'une date à une date postérieure, sur {MAX_RANGE_DAYS} jours au plus."
            ),
        ));
    }
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let children = split(&q.child);
    let wanted = split(&q.activity);
    let enrolments: Vec<_> = store::enrolments(&app, &family_id)
        .await?
        .into_iter()
        .filter(|e| children.as_ref().is_none_or(|c| c.contains(&e.child_id)))
        .filter(|e| wanted.as_ref().is_none_or(|a| a.contains(&e.activity_id)))
        .collect();
    let ids: Vec<String> = enrolments.iter().map(|e| e.activity_id.clone()).collect();
    let activities: HashMap<String, Activity> = store::activities(&app, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let slots = store::slots(&app, &family_id, q.from, q.to).await?;
    let slot_of: HashMap<(NaiveDate, &str, &str), &marelle_domain::planning::Slot> = slots
        .iter()
        .map(|s| ((s.date, s.child_id.as_str(), s.activity_id.as_str()), s))
        .collect();
    // What the rules need is read once for the whole range (the slots, the
    // activities, the enrolments, which keep every period of a shown child
    // and activity, and the full days of each activity counting places);
    // each cell is then pure computation.
    let mut full: HashSet<(&str, NaiveDate)> = HashSet::new();
    for a in activities.values() {
        for date in store::full_days(&app, a, q.from, q.to).await? {
            full.insert((a.id.as_str(), date));
        }
    }
    let now = app.clock.now();
    let today = marelle_domain::time::local_date(now);
    let calendar = &app.settings.calendar;
    let mut days = Vec::new();
    for date in (marelle_domain::planning::Period {
        from: q.from,
        to: q.to,
    })
    .days()
    {
        let mut day = Vec::new();
        for e in &enrolments {
            let Some(a) = activities.get(&e.activity_id) else {
                continue;
            };
            if !e.period.contains(date) || a.runs_on(date, calendar).is_err() {
                continue;
            }
            let slot = slot_of.get(&(date, e.child_id.as_str(), e.activity_id.as_str()));
            let state = PlanningState::of(slot.map(|s| s.state));
            let options = day_options(
                a,
                &enrolments,
                &e.child_id,
                slot.map(|s| s.state),
                date,
                now,
                today,
                calendar,
                full.contains(&(a.id.as_str(), date)),
            );
            day.push(SlotView {
                child_id: e.child_id.clone(),
                activity_id: a.id.clone(),
                activity: a.name.clone(),
                establishment: a.establishment.clone(),
                start: a.start_text(),
                end: a.end_text(),
                state,
                state_label: state.label().into(),
                request_id: slot
                    .filter(|s| s.state != SlotState::Cancelled)
                    .map(|s| s.request_id.clone()),
                actions: options.actions,
                timing: options.timing,
                deadline: options.deadline,
                reason: options.reason,
            });
        }
        day.sort_by(|x, y| {
            (x.start.as_str(), x.child_id.as_str()).cmp(&(y.start.as_str(), y.child_id.as_str()))
        });
        days.push(DayView { date, slots: day });
    }
    Ok(Json(PlanningView {
        days,
        enrolments: enrolments
            .iter()
            .filter_map(|e| {
                let a = activities.get(&e.activity_id)?;
                Some(EnrolmentView {
                    child_id: e.child_id.clone(),
                    activity_id: a.id.clone(),
                    activity: a.name.clone(),
                    establishment: a.establishment.clone(),
                    from: e.period.from,
                    to: e.period.to,
                    weekdays: a.weekdays.clone(),
                    start: a.start_text(),
                    end: a.end_text(),
                    capacity: a.capacity,
                    closures: a.closures_between(
                        q.from.max(e.period.from),
                        q.to.min(e.period.to),
                        calendar,
                    ),
                })
            })
            .collect(),
    }))
}
