//! Back-office: activities, their closures, and enrolments.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marelle_domain::planning::activity::check_closure;
use marelle_domain::planning::{
    Activity, Closure, Enrolment, Held, MissingDocument, NewActivity, Period, Places, SlotEvent,
    transition,
};
use marelle_domain::ports::Event;
use marelle_domain::ports::store::{Condition, Index, Query, Write};
use marelle_domain::requests::{Actor, RequestKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody, UrlQuery};
use crate::http::state::AppState;
use crate::planning::store;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedId {
    pub id: String,
}

/// `POST /api/agent/activities`.
#[utoipa::path(post, path = "/api/agent/activities", operation_id = "create_activity", tag = "agent", request_body = NewActivity,
    responses((status = 201, description = "Activité créée", body = Activity),
              (status = 422, description = "Champs non conformes (invalid_time, invalid_deadline…)", body = Problem)))]
pub async fn create(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(body): JsonBody<NewActivity>,
) -> ApiResult<impl IntoResponse> {
    let activity = body
        .validate(app.ids.next())
        .map_err(ApiError::invalid_fields)?;
    app.store
        .put(
            store::activity_item(&activity, 1)?,
            Some(Condition::NotExists),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(activity)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivityList {
    pub items: Vec<Activity>,
}

/// `GET /api/agent/activities`: every activity, by name.
#[utoipa::path(get, path = "/api/agent/activities", operation_id = "list_activities", tag = "agent",
    responses((status = 200, description = "Les activités", body = ActivityList)))]
pub async fn list(State(app): State<AppState>, Agent(_): Agent) -> ApiResult<Json<ActivityList>> {
    let items = app
        .store
        .query(Query::on(Index::Gsi2, store::ACTIVITIES))
        .await?
        .items;
    Ok(Json(ActivityList {
        items: items.iter().map(|i| i.data()).collect::<Result<_, _>>()?,
    }))
}

/// An activity and the days the commune's calendar closes it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivityDetail {
    #[serde(flatten)]
    pub activity: Activity,
    /// The public holidays ("Jour de l'an") and school holidays ("Vacances
    /// de Noël") of its period on which it is closed, besides its own
    /// closures.
    pub calendar_closures: Vec<Closure>,
}

/// `GET /api/agent/activities/{id}`.
#[utoipa::path(get, path = "/api/agent/activities/{id}", params(("id" = String, Path)), operation_id = "read_activity", tag = "agent",
    responses((status = 200, description = "L'activité, et les jours fériés et vacances scolaires où elle est fermée", body = ActivityDetail),
              (status = 404, description = "Activité inconnue", body = Problem)))]
pub async fn read(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<ActivityDetail>> {
    let (a, _) = store::activity(&app, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(detail(&app, a)))
}

/// The settings an agent changes on an existing activity; absent fields
/// stay as they are.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    /// `block`: a missing or expired mandatory document refuses new
    /// reservations; `warn`: they go through with a warning.
    pub missing_document: Option<MissingDocument>,
}

/// `PATCH /api/agent/activities/{id}`: changes the activity's settings
/// (what a missing mandatory document does).
#[utoipa::path(patch, path = "/api/agent/activities/{id}", params(("id" = String, Path)), operation_id = "update_activity", tag = "agent", request_body = ActivityPatch,
    responses((status = 200, description = "L'activité modifiée", body = ActivityDetail),
              (status = 400, description = "Valeur non admise (invalid_value) ou champ inconnu (unknown_field)", body = Problem),
              (status = 404, description = "Activité inconnue", body = Problem)))]
pub async fn update(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ActivityPatch>,
) -> ApiResult<Json<ActivityDetail>> {
    let mut tries = 0;
    let a = loop {
        tries += 1;
        let (mut a, version) = store::activity(&app, &id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let before = a.clone();
        if let Some(m) = body.missing_document {
            a.missing_document = m;
        }
        if a == before {
            break a;
        }
        match app
            .store
            .put(
                store::activity_item(&a, version + 1)?,
                Some(Condition::VersionIs(version)),
            )
            .await
        {
            Ok(()) => break a,
            Err(e) if e.is_condition_failed() && tries < 4 => continue,
            Err(e) => return Err(e.into()),
        }
    };
    Ok(Json(detail(&app, a)))
}

/// The activity with its calendar closures.
fn detail(app: &AppState, a: Activity) -> ActivityDetail {
    let calendar_closures = Activity {
        closures: Vec::new(),
        ..a.clone()
    }
    .closures_between(a.period.from, a.period.to, &app.settings.calendar);
    ActivityDetail {
        activity: a,
        calendar_closures,
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosureAnswer {
    pub closure: Closure,
    /// Reservations and absences cancelled by it.
    pub cancelled: usize,
    /// Families told.
    pub families: usize,
}

/// `POST /api/agent/activities/{id}/closures`: the activity will not take
/// place on these days. Reservations on them are cancelled and the
/// families told. Posting the same closure again finishes an interrupted
/// run and changes nothing else.
#[utoipa::path(post, path = "/api/agent/activities/{id}/closures", params(("id" = String, Path)), tag = "agent", request_body = Closure,
    responses((status = 200, description = "Fermeture enregistrée, réservations annulées", body = ClosureAnswer),
              (status = 404, description = "Activité inconnue", body = Problem),
              (status = 422, description = "Dates non conformes", body = Problem)))]
pub async fn close(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Closure>,
) -> ApiResult<Json<ClosureAnswer>> {
    let closure;
    let activity;
    let mut tries = 0;
    loop {
        tries += 1;
        let (mut a, version) = store::activity(&app, &id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let c = check_closure("closure", &body, &a.period).map_err(ApiError::invalid_fields)?;
        if !a.closures.contains(&c) {
            a.closures.push(c.clone());
            a.closures.sort_by_key(|c| c.from);
            match app
                .store
                .put(
                    store::activity_item(&a, version + 1)?,
                    Some(Condition::VersionIs(version)),
                )
                .await
            {
                Ok(()) => {}
                Err(e) if e.is_condition_failed() && tries < 4 => continue,
                Err(e) => return Err(e.into()),
            }
        }
        closure = c;
        activity = a;
        break;
    }
    let span = Period {
        from: closure.from.max(activity.period.from),
        to: closure.to.min(activity.period.to),
    };
    let now = app.clock.now();
    let message = format!("Fermeture : {}", closure.label);
    let mut by_family: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut cancelled = 0;
    for date in span.days() {
        for (family_id, slot) in store::day_slots(&app, &activity.id, date, None).await? {
            // The day's counter goes as a whole below: the place each slot
            // frees is not written one by one.
            let Ok(t) = transition(
                RequestKind::Reservation,
                Some(Held::from(&slot)),
                SlotEvent::Closed,
                Places::Uncounted,
            ) else {
                continue;
            };
            let mut writes = Vec::new();
            let mut told = Vec::new();
            let request_ids =
                std::iter::once(slot.request_id.clone()).chain(slot.reservation_id.clone());
            for rid in request_ids {
                if let Some(mut r) = crate::requests::store::load(&app, &rid).await? {
                    let before = r.version;
                    if r.cancel(Actor::Commune, Some(&message), now).is_ok() {
                        writes.push(crate::requests::store::save(&r, before)?);
                        told.push(rid);
                    }
                }
            }
            let mut next = slot.clone();
            next.state = t.state;
            next.holds_place = t.holds_place;
            next.version += 1;
            writes.push(store::save_slot(&family_id, &next, Some(slot.version))?);
            match app.store.transact(writes).await {
                Ok(()) => {
                    cancelled += 1;
                    by_family.entry(family_id).or_default().extend(told);
                }
                // Changed meanwhile (a decision, a new request): posting
                // the closure again picks it up.
                Err(e) if e.is_condition_failed() => {
                    tracing::warn!(activity = %activity.id, %date, "slot changed during the closure; post it again to finish");
                }
                Err(e) => return Err(e.into()),
            }
        }
        if activity.capacity.is_some() {
            app.store
                .delete(&store::count_key(&activity.id, date), None)
                .await?;
        }
    }
    let events: Vec<Event> = by_family
        .iter()
        .map(|(family_id, request_ids)| Event {
            id: app.ids.next(),
            detail_type: "ReservationsCancelled".into(),
            detail: serde_json::json!({"family_id": family_id, "request_ids": request_ids, "reason": closure.label}),
        })
        .collect();
    let families = events.len();
    if !events.is_empty()
        && let Err(e) = app.bus.publish(events).await
    {
        tracing::error!(error = %e, "ReservationsCancelled not published");
    }
    Ok(Json(ClosureAnswer {
        closure,
        cancelled,
        families,
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    pub child_id: String,
    pub activity_id: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

/// `POST /api/agent/enrolments`: a child in an activity for a period.
#[utoipa::path(post, path = "/api/agent/enrolments", tag = "agent", request_body = NewEnrolment,
    responses((status = 201, description = "Inscription créée", body = Enrolment),
              (status = 404, description = "Enfant ou activité inconnus", body = Problem),
              (status = 409, description = "Déjà inscrit sur une période qui chevauche", body = Problem),
              (status = 422, description = "Période hors de celle de l'activité", body = Problem)))]
pub async fn enrol(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(b): JsonBody<NewEnrolment>,
) -> ApiResult<impl IntoResponse> {
    let family_id = crate::family::store::family_of_child(&app, &b.child_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (activity, _) = store::activity(&app, &b.activity_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let period = Period {
        from: b.from,
        to: b.to,
    };
    if b.to < b.from {
        return Err(ApiError::invalid_fields(vec![
            marelle_domain::accounts::FieldError::new(
                "to",
                "invalid_period",
                "La fin de l'inscription précède son début.",
            ),
        ]));
    }
    if period.from < activity.period.from || period.to > activity.period.to {
        return Err(ApiError::invalid_fields(vec![
            marelle_domain::accounts::FieldError::new(
                "from",
                "outside_activity_period",
                format!(
                    "L'inscription doit être comprise dans la période de l'activité (du {} au {}).",
                    marelle_domain::time::french_date(activity.period.from),
                    marelle_domain::time::french_date(activity.period.to)
                ),
            ),
        ]));
    }
    let existing = store::enrolments(&app, &family_id).await?;
    if existing.iter().any(|e| {
        e.child_id == b.child_id && e.activity_id == b.activity_id && e.period.overlaps(&period)
    }) {
        return Err(ApiError::conflict(
            "already_enrolled",
            "L'enfant est déjà inscrit à cette activité sur une période qui chevauche.",
        ));
    }
    let enrolment = Enrolment {
        id: app.ids.next(),
        family_id,
        child_id: b.child_id,
        activity_id: b.activity_id,
        period,
    };
    app.store
        .transact(vec![Write::put_new(store::enrolment_item(&enrolment)?)])
        .await?;
    Ok((StatusCode::CREATED, Json(enrolment)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentParams {
    pub activity_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnrolmentList {
    pub items: Vec<EnrolmentLine>,
}

/// An enrolment with the names the back-office shows.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnrolmentLine {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    pub child_first_name: String,
    pub child_last_name: String,
    pub family_label: String,
}

/// `GET /api/agent/enrolments?activity_id=`: who is enrolled.
#[utoipa::path(get, path = "/api/agent/enrolments", tag = "agent", params(EnrolmentParams),
    responses((status = 200, description = "Les inscriptions à l'activité", body = EnrolmentList)))]
pub async fn enrolments(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(p): UrlQuery<EnrolmentParams>,
) -> ApiResult<Json<EnrolmentList>> {
    let items = app
        .store
        .query(Query::on(Index::Gsi1, store::enrolled_in(&p.activity_id)))
        .await?
        .items;
    let enrolments: Vec<Enrolment> = items.iter().map(|i| i.data()).collect::<Result<_, _>>()?;
    let names = crate::family::store::names(
        &app,
        enrolments
            .iter()
            .map(|e| (e.family_id.as_str(), Some(e.child_id.as_str()))),
    )
    .await?;
    let lines = enrolments
        .into_iter()
        .map(|e| {
            let (first, last) = names.child(Some(&e.child_id));
            EnrolmentLine {
                family_label: names.family(&e.family_id),
                child_first_name: first.unwrap_or_default(),
                child_last_name: last.unwrap_or_default(),
                enrolment: e,
            }
        })
        .collect();
    Ok(Json(EnrolmentList { items: lines }))
}
