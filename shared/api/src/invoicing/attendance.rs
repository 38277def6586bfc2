//! Attendance (pointage) by the staff at the activity: the activities a
//! caller takes attendance for, the sheet of a day (children expected with
//! what matters on site, waiting list, accepted absences, places), marks
//! set and cleared one by one (idempotent, so that a phone retrying a write
//! made offline does no harm), the sheet as CSV, and a week's occupancy.
//!
//! Who: agents, for every activity; activity staff (role `staff`), for the
//! activities their account lists, and nothing else (404 on another
//! activity, so that its existence does not leak). Marks are stored as
//! `docs/invoicing.md` says (`ACTIVITY#<id>` / `MARK#<day>#<child>`).

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::{Duration, NaiveDate};
use marelle_domain::accounts::{Account, MAX_STAFF_ACTIVITIES, Role};
use marelle_domain::invoicing::Mark;
use marelle_domain::keys;
use marelle_domain::planning::{Activity, Enrolment, SlotState};
use marelle_domain::ports::store::{Condition, Index, Query};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, UrlQuery, parse_json};
use crate::http::sessions::CurrentAccount;
use crate::http::state::AppState;
use crate::planning::store as planning;

mod csv;
mod sheet;

pub use sheet::{Sheet, SheetChild, SheetGroup, SheetGuardian, SheetPerson, Week, WeekDay};

/// Days ahead of today (Paris) a mark may be set: an absence known in
/// advance, not a whole term.
pub const MAX_DAYS_AHEAD: i64 = 7;
/// Days back a mark may still be set or cleared.
pub const MAX_DAYS_BACK: i64 = 366;
/// Children on one sheet (reservations, waiting list and enrolments read).
pub const MAX_SHEET_CHILDREN: usize = 800;
/// The longest id the routes accept.
const MAX_ID: usize = 40;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/attendance/activities", get(activities))
        .route("/api/attendance/activities/{id}/sheet", get(day_sheet))
        .route("/api/attendance/activities/{id}/sheet.csv", get(day_csv))
        .route("/api/attendance/activities/{id}/week", get(week))
        .route(
            "/api/attendance/activities/{id}/marks/{date}/{child}",
            put(set_mark).delete(clear_mark),
        )
        .route("/api/attendance/staff/{id}", put(set_staff_activities))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        activities,
        day_sheet,
        day_csv,
        week,
        set_mark,
        clear_mark,
        set_staff_activities
    ),
    components(schemas(
        AttendanceActivities,
        AttendanceActivity,
        MarkBody,
        MarkAnswer,
        StaffActivities,
        StaffAnswer,
        Sheet,
        SheetChild,
        SheetGroup,
        SheetGuardian,
        SheetPerson,
        Week,
        WeekDay,
        Mark,
    )),
    tags((name = "attendance", description = "Pointage des présences (agents et personnel des activités)"))
)]
pub struct AttendanceApi;

/// Someone who takes attendance: an agent (every activity) or activity
/// staff (the activities its account lists). 401 logged out, 403 for
/// parents.
#[derive(Debug, Clone)]
pub struct Attendant {
    pub account_id: String,
    /// `None`: every activity (an agent).
    pub activities: Option<Vec<String>>,
}

impl<S> FromRequestParts<S> for Attendant
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentAccount::from_request_parts(parts, state).await?;
        match current.role {
            Role::Agent => Ok(Attendant {
                account_id: current.account_id,
                activities: None,
            }),
            Role::Staff => {
                let app = AppState::from_ref(state);
                let account: Account = app
                    .store
                    .get(&keys::account(&current.account_id))
                    .await?
                    .ok_or_else(ApiError::unauthorized)?
                    .data()?;
                Ok(Attendant {
                    account_id: current.account_id,
                    activities: Some(account.activities),
                })
            }
            Role::Parent => Err(ApiError::forbidden(
                "attendance_only",
                "Cette page est réservée au personnel des activités et aux agents de la collectivité.",
            )),
        }
    }
}

impl Attendant {
    /// The activity, if the caller takes its attendance (404 otherwise,
    /// whether it exists or not).
    pub async fn activity(&self, app: &AppState, id: &str) -> ApiResult<Activity> {
        if id.is_empty() || id.len() > MAX_ID {
            return Err(ApiError::not_found());
        }
        if let Some(mine) = &self.activities
            && !mine.iter().any(|a| a == id)
        {
            return Err(ApiError::not_found());
        }
        planning::activity(app, id)
            .await?
            .map(|(a, _)| a)
            .ok_or_else(ApiError::not_found)
    }
}

/// An activity the caller takes attendance for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttendanceActivity {
    pub id: String,
    pub name: String,
    pub establishment: String,
    /// "16:30".
    pub start: String,
    pub end: String,
    /// Places per day; absent: no limit.
    pub capacity: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttendanceActivities {
    /// By name.
    pub items: Vec<AttendanceActivity>,
    /// Today, Paris time (the day a sheet opens on).
    pub today: NaiveDate,
}

fn listed(a: &Activity) -> AttendanceActivity {
    AttendanceActivity {
        id: a.id.clone(),
        name: a.name.clone(),
        establishment: a.establishment.clone(),
        start: a.start_text(),
        end: a.end_text(),
        capacity: a.capacity,
    }
}

/// `GET /api/attendance/activities`.
#[utoipa::path(get, path = "/api/attendance/activities", operation_id = "attendance_activities", tag = "attendance",
    responses(
        (status = 200, description = "Les activités dont l'appelant fait le pointage", body = AttendanceActivities),
        (status = 403, description = "Compte famille (attendance_only)", body = Problem),
    ))]
pub async fn activities(
    State(app): State<AppState>,
    who: Attendant,
) -> ApiResult<Json<AttendanceActivities>> {
    let mut list: Vec<Activity> = match &who.activities {
        Some(ids) => planning::activities(&app, ids).await?,
        None => {
            let mut out = Vec::new();
            let mut cursor = None;
            loop {
                let page = app
                    .store
                    .query(
                        Query::on(Index::Gsi2, planning::ACTIVITIES)
                            .limit(200)
                            .after(cursor),
                    )
                    .await?;
                for item in &page.items {
                    out.push(item.data()?);
                }
                cursor = page.cursor;
                if cursor.is_none() || out.len() >= 1000 {
                    break;
                }
            }
            out
        }
    };
    list.sort_by_key(|a| a.name.to_lowercase());
    Ok(Json(AttendanceActivities {
        items: list.iter().map(listed).collect(),
        today: marelle_domain::time::local_date(app.clock.now()),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayParam {
    /// The day, AAAA-MM-JJ.
    pub date: NaiveDate,
}

/// `GET /api/attendance/activities/{id}/sheet?date=`.
#[utoipa::path(get, path = "/api/attendance/activities/{id}/sheet", operation_id = "attendance_sheet", tag = "attendance",
    params(("id" = String, Path), DayParam),
    responses(
        (status = 200, description = "La feuille de présence du jour", body = Sheet),
        (status = 404, description = "Activité inconnue, ou dont l'appelant ne fait pas le pointage", body = Problem),
        (status = 422, description = "Trop d'enfants pour une feuille (sheet_too_large)", body = Problem),
    ))]
pub async fn day_sheet(
    State(app): State<AppState>,
    who: Attendant,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<DayParam>,
) -> ApiResult<impl IntoResponse> {
    let activity = who.activity(&app, &id).await?;
    let sheet = sheet::build(&app, &activity, q.date).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(sheet)))
}

/// `GET /api/attendance/activities/{id}/sheet.csv?date=`.
#[utoipa::path(get, path = "/api/attendance/activities/{id}/sheet.csv", operation_id = "attendance_sheet_csv", tag = "attendance",
    params(("id" = String, Path), DayParam),
    responses(
        (status = 200, description = "La feuille en CSV (UTF-8 avec BOM, séparateur « ; »)", content_type = "text/csv", body = String),
        (status = 404, description = "Activité inconnue, ou dont l'appelant ne fait pas le pointage", body = Problem),
    ))]
pub async fn day_csv(
    State(app): State<AppState>,
    who: Attendant,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<DayParam>,
) -> ApiResult<Response> {
    let activity = who.activity(&app, &id).await?;
    let sheet = sheet::build(&app, &activity, q.date).await?;
    let body = csv::sheet_csv(&sheet);
    let name = format!("pointage-{}-{}.csv", csv::file_slug(&activity.name), q.date);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeekParam {
    /// A day of the week shown (Monday to Sunday), AAAA-MM-JJ.
    pub date: NaiveDate,
}

/// `GET /api/attendance/activities/{id}/week?date=`.
#[utoipa::path(get, path = "/api/attendance/activities/{id}/week", operation_id = "attendance_week", tag = "attendance",
    params(("id" = String, Path), WeekParam),
    responses(
        (status = 200, description = "La semaine (lundi à dimanche) : réservés, capacité, présents par jour", body = Week),
        (status = 404, description = "Activité inconnue, ou dont l'appelant ne fait pas le pointage", body = Problem),
    ))]
pub async fn week(
    State(app): State<AppState>,
    who: Attendant,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<WeekParam>,
) -> ApiResult<impl IntoResponse> {
    let activity = who.activity(&app, &id).await?;
    let week = sheet::week(&app, &activity, q.date).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(week)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkBody {
    pub mark: Mark,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MarkAnswer {
    pub child_id: String,
    pub date: NaiveDate,
    pub mark: Mark,
    /// When the mark was recorded (RFC 3339 UTC).
    pub at: String,
}

/// A mark as stored (`docs/invoicing.md`, Store layout).
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredMark {
    pub child_id: String,
    pub family_id: String,
    pub date: NaiveDate,
    pub mark: Mark,
    pub by: String,
    pub at: String,
}

fn bad_date(raw: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_date",
        format!(
            "La date « {} » n'est pas valide (AAAA-MM-JJ attendue).",
            clip(raw)
        ),
    )
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The day of a mark: a date the activity runs, from [`MAX_DAYS_BACK`]
/// days ago to [`MAX_DAYS_AHEAD`] days ahead.
fn check_day(app: &AppState, activity: &Activity, raw: &str) -> ApiResult<NaiveDate> {
    let date: NaiveDate = raw.parse().map_err(|_| bad_date(raw))?;
    let today = marelle_domain::time::local_date(app.clock.now());
    if date > today + Duration::days(MAX_DAYS_AHEAD) {
        return Err(ApiError::rule(
            "too_far_ahead",
            format!("Le pointage n'est possible que jusqu'à {MAX_DAYS_AHEAD} jours à l'avance."),
        ));
    }
    if date < today - Duration::days(MAX_DAYS_BACK) {
        return Err(ApiError::rule(
            "too_far_back",
            "Ce jour est trop ancien pour modifier le pointage.",
        ));
    }
    if let Err(why) = activity.runs_on(date, &app.settings.calendar) {
        return Err(ApiError::rule(
            "not_running",
            sheet::not_running_text(activity, &why),
        ));
    }
    Ok(date)
}

/// The enrolment of `child` in the activity covering `date`.
async fn enrolment_on(
    app: &AppState,
    activity: &Activity,
    child: &str,
    date: NaiveDate,
) -> ApiResult<Enrolment> {
    if child.is_empty() || child.len() > MAX_ID || child.contains('#') {
        return Err(ApiError::not_found());
    }
    let items = app
        .store
        .query(
            Query::on(Index::Gsi1, planning::enrolled_in(&activity.id))
                .begins_with(format!("{child}#"))
                .limit(50),
        )
        .await?
        .items;
    let mut known = false;
    for item in &items {
        let e: Enrolment = item.data()?;
        known = true;
        if e.period.contains(date) {
            return Ok(e);
        }
    }
    Err(ApiError::rule(
        "not_enrolled",
        if known {
            format!(
                "Cet enfant n'est pas inscrit à l'activité {} ce jour-là.",
                activity.name
            )
        } else {
            format!(
                "Cet enfant n'est pas inscrit à l'activité {}.",
                activity.name
            )
        },
    ))
}

/// Whether the planning holds a place for the child that day (a
/// reservation, possibly with an absence asked or refused).
pub fn reserved(state: Option<SlotState>) -> bool {
    matches!(
        state,
        Some(SlotState::Reserved | SlotState::AbsenceRefused | SlotState::AbsenceRequested)
    )
}

/// The marks' limit: 1 KiB is plenty for `{"mark": "…"}`.
const MARK_BODY_LIMIT: usize = 1024;

/// `PUT /api/attendance/activities/{id}/marks/{date}/{child}`: sets the
/// child's mark (the same mark again changes nothing but its time).
#[utoipa::path(put, path = "/api/attendance/activities/{id}/marks/{date}/{child}", operation_id = "set_attendance_mark", tag = "attendance",
    params(("id" = String, Path), ("date" = String, Path, description = "AAAA-MM-JJ"), ("child" = String, Path)),
    request_body = MarkBody,
    responses(
        (status = 200, description = "Pointage enregistré", body = MarkAnswer),
        (status = 400, description = "Date illisible (invalid_date), corps non conforme", body = Problem),
        (status = 404, description = "Activité inconnue ou d'un autre personnel", body = Problem),
        (status = 422, description = "Jour sans activité (not_running), trop loin (too_far_ahead, too_far_back), enfant non inscrit (not_enrolled), « présent » sans réservation (not_reserved), « arrivé sans réservation » d'un enfant réservé (reserved)", body = Problem),
    ))]
pub async fn set_mark(
    State(app): State<AppState>,
    who: Attendant,
    Path((id, raw_date, child)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<MarkAnswer>> {
    let activity = who.activity(&app, &id).await?;
    let date = check_day(&app, &activity, &raw_date)?;
    let body: MarkBody = json_body(&headers, &body, MARK_BODY_LIMIT)?;
    let enrolment = enrolment_on(&app, &activity, &child, date).await?;
    let slot = planning::slot(&app, &enrolment.family_id, date, &child, &activity.id).await?;
    let is_reserved = reserved(slot.map(|s| s.state));
    match body.mark {
        Mark::Present if !is_reserved => {
            return Err(ApiError::rule(
                "not_reserved",
                "Cet enfant n'a pas de réservation ce jour : pointez-le « arrivé sans réservation ».",
            ));
        }
        Mark::ArrivedUnreserved if is_reserved => {
            return Err(ApiError::rule(
                "reserved",
                "Cet enfant a une réservation ce jour : pointez-le « présent ».",
            ));
        }
        _ => {}
    }
    let at = app
        .clock
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let stored = StoredMark {
        child_id: child.clone(),
        family_id: enrolment.family_id,
        date,
        mark: body.mark,
        by: who.account_id,
        at: at.clone(),
    };
    let item = marelle_domain::ports::store::Item::with_data(
        keys::attendance_mark(&activity.id, date, &child),
        &stored,
    )?
    .index(
        marelle_domain::ports::store::Index::Gsi3,
        keys::family_marks(&stored.family_id),
        keys::family_mark_in_index(date, &activity.id, &child),
    );
    app.store.put(item, None).await?;
    Ok(Json(MarkAnswer {
        child_id: child,
        date,
        mark: body.mark,
        at,
    }))
}

/// `DELETE /api/attendance/activities/{id}/marks/{date}/{child}`: the
/// attendance of the child is no longer taken (done when there was none).
#[utoipa::path(delete, path = "/api/attendance/activities/{id}/marks/{date}/{child}", operation_id = "clear_attendance_mark", tag = "attendance",
    params(("id" = String, Path), ("date" = String, Path, description = "AAAA-MM-JJ"), ("child" = String, Path)),
    responses(
        (status = 204, description = "Pointage effacé"),
        (status = 404, description = "Activité inconnue ou d'un autre personnel", body = Problem),
        (status = 422, description = "Jour sans activité, trop loin, enfant non inscrit", body = Problem),
    ))]
pub async fn clear_mark(
    State(app): State<AppState>,
    who: Attendant,
    Path((id, raw_date, child)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let activity = who.activity(&app, &id).await?;
    let date = check_day(&app, &activity, &raw_date)?;
    enrolment_on(&app, &activity, &child, date).await?;
    app.store
        .delete(&keys::attendance_mark(&activity.id, date, &child), None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A JSON body read after the caller's rights were checked.
fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    limit: usize,
) -> ApiResult<T> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|v| v.eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Le corps de la requête doit être du JSON (Content-Type: application/json).",
        ));
    }
    if body.len() > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "Le corps de la requête est trop volumineux.",
        ));
    }
    parse_json(body)
}

/// The activities of a staff account, checked: at least one, at most
/// [`MAX_STAFF_ACTIVITIES`], each existing; duplicates dropped.
pub async fn checked_activities(app: &AppState, ids: &[String]) -> ApiResult<Vec<String>> {
    let mut ids: Vec<String> = ids.iter().map(|s| s.trim().to_string()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(ApiError::rule(
            "activities_required",
            "Indiquez au moins une activité.",
        ));
    }
    if ids.len() > MAX_STAFF_ACTIVITIES {
        return Err(ApiError::rule(
            "too_many_activities",
            format!(
                "Un compte du personnel fait le pointage de {MAX_STAFF_ACTIVITIES} activités au plus."
            ),
        ));
    }
    if let Some(bad) = ids.iter().find(|id| id.is_empty() || id.len() > MAX_ID) {
        return Err(ApiError::rule(
            "unknown_activity",
            format!("Activité inconnue : « {} ».", clip(bad)),
        ));
    }
    let found = planning::activities(app, &ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|a| &a.id == *id)) {
        return Err(ApiError::rule(
            "unknown_activity",
            format!("Activité inconnue : « {} ».", clip(missing)),
        ));
    }
    Ok(ids)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffActivities {
    /// At most 50 activity ids.
    pub activities: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StaffAnswer {
    pub id: String,
    pub email: String,
    pub activities: Vec<String>,
}

/// `PUT /api/attendance/staff/{id}`: the activities a staff account takes
/// attendance for (agents only).
#[utoipa::path(put, path = "/api/attendance/staff/{id}", operation_id = "set_staff_activities", tag = "attendance",
    params(("id" = String, Path)),
    request_body = StaffActivities,
    responses(
        (status = 200, description = "Activités du compte enregistrées", body = StaffAnswer),
        (status = 404, description = "Pas de compte du personnel sous cet identifiant", body = Problem),
        (status = 409, description = "Compte modifié entre-temps (changed_meanwhile)", body = Problem),
        (status = 422, description = "Aucune activité (activities_required), trop (too_many_activities), inconnue (unknown_activity)", body = Problem),
    ))]
pub async fn set_staff_activities(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<StaffAnswer>> {
    if id.is_empty() || id.len() > MAX_ID {
        return Err(ApiError::not_found());
    }
    let body: StaffActivities = json_body(&headers, &body, 8 * 1024)?;
    if body.activities.len() > MAX_STAFF_ACTIVITIES * 2 {
        return Err(ApiError::rule(
            "too_many_activities",
            format!(
                "Un compte du personnel fait le pointage de {MAX_STAFF_ACTIVITIES} activités au plus."
            ),
        ));
    }
    let item = app
        .store
        .get(&keys::account(&id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut account: Account = item.data()?;
    if account.role != Role::Staff {
        return Err(ApiError::not_found());
    }
    let activities = checked_activities(&app, &body.activities).await?;
    let previous = account.version;
    account.activities = activities;
    account.version += 1;
    let mut item = crate::accounts::store::account_item(&account)?;
    item.set("version", account.version.into());
    match app
        .store
        .put(item, Some(Condition::VersionIs(previous)))
        .await
    {
        Ok(()) => {}
        Err(e) if e.is_condition_failed() => {
            return Err(ApiError::changed_meanwhile(
                "Le compte a été modifié entre-temps : rechargez la page.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Json(StaffAnswer {
        id: account.id,
        email: account.email,
        activities: account.activities,
    }))
}
