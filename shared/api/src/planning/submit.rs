//! `POST /api/requests`: reservations and absences for one day (a click on
//! the planning) or a period (the form). One submission is one
//! transaction: a request and a slot per day (and a place where the
//! activity counts them), the idempotency record, all or nothing.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::calendar::HolidayRules;
use marelle_domain::planning::rules::{self, MAX_DAYS};
use marelle_domain::planning::{
    Activity, Enrolment, Held, Period, PlaceChange, Places, Refusal, Slot, SlotEvent, SlotState,
    Validation, Weekday, transition,
};
use marelle_domain::ports::Event;
use marelle_domain::ports::store::{Item, Key, Write};
use marelle_domain::requests::{Decision, RequestKind, RequestRecord};
use marelle_domain::secrets::token_hash;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, place_write, places_of};
use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{JsonBody, Parent};
use crate::http::state::AppState;
use crate::requests::view::RequestSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every day is recorded, or none (the answer lists each refused day).
    #[default]
    AllOrNothing,
    /// The valid days are recorded; the answer lists the refused ones.
    ValidDays,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// `reservation` or `absence`.
    pub kind: RequestKind,
    pub child_id: String,
    pub activity_id: String,
    /// Given days (a click on the planning)…
    #[serde(default)]
    pub dates: Option<Vec<NaiveDate>>,
    /// …or a period and weekdays (the form).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub weekdays: Option<Vec<Weekday>>,
    /// "Raison" (absences).
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub mode: Mode,
    /// Put full days on the waiting list instead of refusing them.
    #[serde(default)]
    pub waiting_list: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Submitted {
    /// One request per day recorded.
    pub requests: Vec<RequestSummary>,
    /// The days not recorded, with why.
    pub refused: Vec<Refusal>,
}

#[derive(Serialize, Deserialize)]
struct Remembered {
    hash: String,
    answer: Submitted,
}

fn idem_key(family_id: &str, key: &str) -> Key {
    Key::new(format!("IDEM#{family_id}#{}", token_hash(key)), "IDEM")
}

/// What a planning request keeps about its activity, for lists and
/// e-mails.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanningDetails {
    pub activity: String,
    pub establishment: String,
    pub start: String,
    pub end: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub waiting_list: bool,
}

fn refused_problem(refused: Vec<Refusal>) -> ApiError {
    let first = refused
        .first()
        .map(|r| r.message.clone())
        .unwrap_or_default();
    let mut e = ApiError::rule(
        refused.first().map_or("days_refused", |r| r.code.as_str()),
        if refused.len() == 1 {
            first
        } else {
            format!(
                "{} jours ne peuvent pas être demandés. {first}",
                refused.len()
            )
        },
    );
    e.errors = refused
        .into_iter()
        .map(|r| crate::http::error::ProblemField {
            field: r.date.to_string(),
            code: r.code,
            message: r.message,
        })
        .collect();
    e
}

/// 422 `not_enrolled`: the child is not enrolled in the activity at all.
fn not_enrolled(activity: &Activity) -> ApiError {
    ApiError::rule(
        "not_enrolled",
        format!(
            "Votre enfant n'est pas inscrit à l'activité {}.",
            activity.name
        ),
    )
}

/// The days asked, checked for shape (not yet for the rules).
fn days_asked(
    s: &Submission,
    activity: &Activity,
    enrolments: &[Enrolment],
) -> ApiResult<Vec<NaiveDate>> {
    let field = |f: &str, code: &str, m: &str| {
        ApiError::invalid_fields(vec![marelle_domain::accounts::FieldError::new(f, code, m)])
    };
    let mut days = match (&s.dates, s.from, s.to) {
        (Some(dates), None, None) => {
            if s.weekdays.is_some() {
                return Err(field(
                    "weekdays",
                    "unexpected",
                    "Les jours de la semaine vont avec une période (from, to).",
                ));
            }
            dates.clone()
        }
        (None, Some(from), Some(to)) => {
            if to < from {
                return Err(field(
                    "to",
                    "invalid_period",
                    "La date de fin précède la date de début.",
                ));
            }
            let weekdays = s.weekdays.clone().unwrap_or_default();
            if weekdays.is_empty() {
                return Err(field(
                    "weekdays",
                    "required",
                    "Cochez au moins un jour de la semaine.",
                ));
            }
            let within = enrolments.iter().any(|e| {
                e.child_id == s.child_id
                    && e.activity_id == activity.id
                    && e.period.contains(from)
                    && e.period.contains(to)
            });
            if !within {
                let periods: Vec<String> = enrolments
                    .iter()
                    .filter(|e| e.child_id == s.child_id && e.activity_id == activity.id)
                    .map(|e| {
                        format!(
                            "du {} au {}",
                            marelle_domain::time::french_date(e.period.from),
                            marelle_domain::time::french_date(e.period.to)
                        )
                    })
                    .collect();
                return Err(if periods.is_empty() {
                    not_enrolled(activity)
                } else {
                    field(
                        "from",
                        "outside_enrolment",
                        &format!(
                            "Les dates de réservation doivent être comprises dans la période de l'inscription ({}).",
                            periods.join(", ")
                        ),
                    )
                });
            }
            rules::period_days(
                activity,
                enrolments,
                &s.child_id,
                Period { from, to },
                &weekdays,
            )
        }
        _ => {
            return Err(field(
                "dates",
                "required",
                "Donnez soit des dates (dates), soit une période (from, to et weekdays).",
            ));
        }
    };
    days.sort();
    days.dedup();
    if days.is_empty() {
        return Err(ApiError::rule(
            "no_days",
            "Aucun jour de cette période ne correspond : l'activité n'a pas lieu ces jours-là.",
        ));
    }
    if days.len() > MAX_DAYS {
        return Err(ApiError::rule(
            "too_many_days",
            format!(
                "Une demande porte sur {MAX_DAYS} jours au plus ({} demandés) : faites-en plusieurs, période par période.",
                days.len()
            ),
        ));
    }
    Ok(days)
}

/// One day's writes.
struct DayPlan {
    date: NaiveDate,
    request: RequestRecord,
    slot: Slot,
    previous_version: Option<i64>,
    /// The write on the day's place counter, if any.
    place: Option<Write>,
    /// Whether that write takes a place (its failure means "full").
    takes_place: bool,
    /// A place was freed: the waiting list is offered it afterwards.
    promote_waiting: bool,
}

/// What one submission works with, read once.
struct Ask<'a> {
    app: &'a AppState,
    s: &'a Submission,
    family_id: &'a str,
    account_id: &'a str,
    activity: &'a Activity,
    enrolments: &'a [Enrolment],
    holidays: HolidayRules,
}

impl Ask<'_> {
    /// Whether the rules let the family ask for `date` (enrolment, calendar,
    /// the day's state, deadlines).
    fn check(
        &self,
        date: NaiveDate,
        current: Option<&Slot>,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        let check = match self.s.kind {
            RequestKind::Absence => rules::check_absence,
            _ => rules::check_reservation,
        };
        check(
            self.activity,
            self.enrolments,
            &self.s.child_id,
            current.map(|x| x.state),
            date,
            now,
            &self.holidays,
        )
    }

    /// The day's request and slot, as the slot state machine moves it.
    fn plan_day(
        &self,
        date: NaiveDate,
        current: Option<&Slot>,
        places: Places,
        now: DateTime<Utc>,
    ) -> Result<ApiResult<DayPlan>, Refusal> {
        let (s, activity) = (self.s, self.activity);
        let t = transition(
            s.kind,
            current.map(Held::from),
            SlotEvent::Asked {
                automatic: activity.validation == Validation::Automatic,
                waiting_list: s.waiting_list,
            },
            places,
        )
        .map_err(|b| rules::refusal(b, date))?;
        let waiting = t.state == SlotState::WaitingList;
        let id = self.app.ids.next();
        let details = PlanningDetails {
            activity: activity.name.clone(),
            establishment: activity.establishment.clone(),
            start: activity.start_text(),
            end: activity.end_text(),
            reason: s
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| r.chars().take(500).collect()),
            waiting_list: waiting,
        };
        let description = match s.kind {
            RequestKind::Absence => "Absence".to_string(),
            _ if waiting => "Ajout de réservation (liste d'attente)".to_string(),
            _ => "Ajout de réservation".to_string(),
        };
        let mut request = RequestRecord::new(
            id.clone(),
            self.family_id.into(),
            s.kind,
            self.account_id.into(),
            now,
            description,
            serde_json::to_value(&details).unwrap_or_default(),
        );
        request.child_id = Some(s.child_id.clone());
        request.activity_id = Some(activity.id.clone());
        request.date = Some(date);
        if t.accepted_at_once
            && let Err(e) = request.decide(Decision::Accepted, None, "system", now)
        {
            return Ok(Err(crate::requests::decide::already_decided(e)));
        }
        let slot = Slot {
            date,
            child_id: s.child_id.clone(),
            activity_id: activity.id.clone(),
            state: t.state,
            request_id: id,
            reservation_id: match s.kind {
                RequestKind::Absence => current.map(|c| {
                    c.reservation_id
                        .clone()
                        .unwrap_or_else(|| c.request_id.clone())
                }),
                _ => None,
            },
            holds_place: t.holds_place,
            version: current.map_or(1, |c| c.version + 1),
        };
        Ok(Ok(DayPlan {
            date,
            request,
            slot,
            previous_version: current.map(|c| c.version),
            place: place_write(activity, date, t.place),
            takes_place: t.place == PlaceChange::Take,
            promote_waiting: t.promote_waiting,
        }))
    }

    /// Every day asked, planned or refused. `full`: the days the store found
    /// full on an earlier try.
    async fn plan_days(
        &self,
        days: &[NaiveDate],
        full: &[NaiveDate],
        now: DateTime<Utc>,
    ) -> ApiResult<(Vec<DayPlan>, Vec<Refusal>)> {
        let (first, last) = (days[0], days[days.len() - 1]);
        let current: Vec<Slot> = store::slots(self.app, self.family_id, first, last)
            .await?
            .into_iter()
            .filter(|sl| sl.child_id == self.s.child_id && sl.activity_id == self.activity.id)
            .collect();
        let mut refused = Vec::new();
        let mut plans = Vec::new();
        for &date in days {
            let slot = current.iter().find(|sl| sl.date == date);
            let places = match places_of(self.activity) {
                Places::Available if full.contains(&date) => Places::Full,
                p => p,
            };
            match self
                .check(date, slot, now)
                .and_then(|()| self.plan_day(date, slot, places, now))
            {
                Ok(plan) => plans.push(plan?),
                Err(r) => refused.push(r),
            }
        }
        Ok((plans, refused))
    }
}

/// The submission's writes, and which of them take a place (by position).
fn writes_of(
    family_id: &str,
    plans: &[DayPlan],
    remember: Option<(&str, Remembered)>,
    now: DateTime<Utc>,
) -> ApiResult<(Vec<Write>, Vec<(usize, NaiveDate)>)> {
    let mut writes = Vec::new();
    let mut takes = Vec::new();
    for p in plans {
        writes.push(crate::requests::store::create(&p.request)?);
        writes.push(store::save_slot(family_id, &p.slot, p.previous_version)?);
        if let Some(w) = &p.place {
            if p.takes_place {
                takes.push((writes.len(), p.date));
            }
            writes.push(w.clone());
        }
    }
    if let Some((key, remembered)) = remember {
        writes.push(Write::put_new(
            Item::with_data(idem_key(family_id, key), &remembered)?
                .expires_at((now + chrono::Duration::hours(24)).timestamp()),
        ));
    }
    Ok((writes, takes))
}

/// The `Idempotency-Key` header, checked for shape.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let invalid = |detail| ApiError::bad_request("invalid_idempotency_key", detail);
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| invalid("L'en-tête Idempotency-Key est illisible."))?;
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(invalid(
            "L'en-tête Idempotency-Key fait de 1 à 200 caractères.",
        ));
    }
    Ok(key)
}

/// The answer remembered under `key`, if any; with `payload_hash`, a key
/// used for another submission is refused.
async fn remembered(
    app: &AppState,
    family_id: &str,
    key: &str,
    payload_hash: Option<&str>,
) -> ApiResult<Option<Submitted>> {
    let Some(item) = app.store.get(&idem_key(family_id, key)).await? else {
        return Ok(None);
    };
    let remembered: Remembered = item.data()?;
    if payload_hash.is_some_and(|h| h != remembered.hash) {
        return Err(ApiError::rule(
            "idempotency_key_reused",
            "Cette clé d'idempotence a déjà servi pour une autre demande.",
        ));
    }
    Ok(Some(remembered.answer))
}

/// `POST /api/requests`.
#[utoipa::path(post, path = "/api/requests", tag = "planning", request_body = Submission,
    params(("Idempotency-Key" = Option<String>, Header, description = "Une nouvelle soumission avec la même clé rend la première réponse, sans rien refaire.")),
    responses(
        (status = 201, description = "Une demande par jour enregistré ; un accusé d'enregistrement part par e-mail", body = Submitted),
        (status = 404, description = "Enfant ou activité inconnus (ou d'une autre famille)", body = Problem),
        (status = 422, description = "Jours refusés, chacun avec sa raison (not_enrolled, closed, deadline_passed, full, not_reserved…)", body = Problem),
    ))]
pub async fn submit(
    State(app): State<AppState>,
    Parent(parent): Parent,
    headers: HeaderMap,
    JsonBody(s): JsonBody<Submission>,
) -> ApiResult<impl IntoResponse> {
    if !matches!(s.kind, RequestKind::Reservation | RequestKind::Absence) {
        return Err(ApiError::rule(
            "invalid_kind",
            "Le planning reçoit des réservations et des absences.",
        ));
    }
    let idempotency = idempotency_key(&headers)?;
    let family = access::family_of_child(&app, &parent.account_id, &s.child_id).await?;
    let payload_hash = token_hash(&serde_json::to_string(&s).unwrap_or_default());
    if let Some(key) = &idempotency
        && let Some(answer) = remembered(&app, &family, key, Some(&payload_hash)).await?
    {
        return Ok((StatusCode::CREATED, Json(answer)));
    }
    let (activity, _) = store::activity(&app, &s.activity_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let enrolments = store::enrolments(&app, &family).await?;
    if !enrolments
        .iter()
        .any(|e| e.child_id == s.child_id && e.activity_id == activity.id)
    {
        return Err(not_enrolled(&activity));
    }
    let days = days_asked(&s, &activity, &enrolments)?;
    let ask = Ask {
        app: &app,
        s: &s,
        family_id: &family,
        account_id: &parent.account_id,
        activity: &activity,
        enrolments: &enrolments,
        holidays: HolidayRules::default(),
    };

    // Full days found by the store (a place counter at capacity) go to the
    // waiting list or are refused, then the transaction is tried again.
    let mut full: Vec<NaiveDate> = Vec::new();
    for _ in 0..=days.len() + 3 {
        let now = app.clock.now();
        let (plans, refused) = ask.plan_days(&days, &full, now).await?;
        if plans.is_empty() || (s.mode == Mode::AllOrNothing && !refused.is_empty()) {
            return Err(refused_problem(refused));
        }
        let answer = Submitted {
            requests: plans
                .iter()
                .map(|p| RequestSummary::from(&p.request))
                .collect(),
            refused,
        };
        let remember = idempotency.as_deref().map(|key| {
            (
                key,
                Remembered {
                    hash: payload_hash.clone(),
                    answer: answer.clone(),
                },
            )
        });
        let (writes, takes) = writes_of(&family, &plans, remember, now)?;
        match app.store.transact(writes).await {
            Ok(()) => {
                for p in plans.iter().filter(|p| p.promote_waiting) {
                    super::waiting::promote(&app, &activity, p.date).await;
                }
                publish_submitted(&app, &family, &parent.account_id, &answer).await;
                for p in plans.iter().filter(|p| p.request.state.is_decided()) {
                    crate::requests::decide::publish_decided(&app, &p.request).await;
                }
                return Ok((StatusCode::CREATED, Json(answer)));
            }
            Err(marelle_domain::ports::StoreError::ConditionFailed { index: Some(i) }) => {
                if let Some((_, date)) = takes.iter().find(|(at, _)| *at == i) {
                    full.push(*date);
                }
                // Otherwise a slot changed in between, or a retried
                // submission with the same key was recorded: look again.
                if let Some(key) = &idempotency
                    && let Some(answer) = remembered(&app, &family, key, None).await?
                {
                    return Ok((StatusCode::CREATED, Json(answer)));
                }
            }
            Err(marelle_domain::ports::StoreError::Contention) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "Le planning a changé pendant la demande. Recommencez.",
    ))
}

/// `RequestsSubmitted`: the acknowledgment e-mail is sent from it.
async fn publish_submitted(app: &AppState, family_id: &str, account_id: &str, answer: &Submitted) {
    let event = Event {
        id: app.ids.next(),
        detail_type: "RequestsSubmitted".into(),
        detail: serde_json::json!({
            "family_id": family_id,
            "account_id": account_id,
            "request_ids": answer.requests.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        }),
    };
    if let Err(e) = app.bus.publish(vec![event]).await {
        // The requests stand; the parent sees them in "Mes demandes".
        tracing::error!(error = %e, "RequestsSubmitted not published: no acknowledgment e-mail");
    }
}
