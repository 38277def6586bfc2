//! How a submission's days are planned: each day checked by the rules, then
//! moved by the slot state machine into a request, a slot and, where places
//! are counted, a write on the day's counter; the writes of one submission.

use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::planning::rules;
use marelle_domain::planning::{
    Activity, Enrolment, Held, PlaceChange, Places, Refusal, Slot, SlotEvent, SlotState,
    Validation, transition,
};
use marelle_domain::ports::store::{Item, Write};
use marelle_domain::requests::{Decision, RequestKind, RequestRecord};
use marelle_domain::school_calendar::CommuneCalendar;

use super::idempotency::{Remembered, idem_key};
use super::store::{self, place_write, places_of};
use super::submission::{PlanningDetails, Submission};
use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// One day's writes.
pub(super) struct DayPlan {
    pub(super) date: NaiveDate,
    pub(super) request: RequestRecord,
    pub(super) slot: Slot,
    pub(super) previous_version: Option<i64>,
    /// The write on the day's place counter, if any.
    pub(super) place: Option<Write>,
    /// Whether that write takes a place (its failure means "full").
    pub(super) takes_place: bool,
    /// A place was freed: the waiting list is offered it afterwards.
    pub(super) promote_waiting: bool,
}

/// What one submission works with, read once.
pub(super) struct Ask<'a> {
    pub(super) app: &'a AppState,
    pub(super) s: &'a Submission,
    pub(super) family_id: &'a str,
    pub(super) account_id: &'a str,
    pub(super) activity: &'a Activity,
    pub(super) enrolments: &'a [Enrolment],
    pub(super) calendar: CommuneCalendar,
    /// The mandatory documents of a reservation, if the activity has any.
    pub(super) documents: Option<&'a super::documents::Required>,
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
            &self.calendar,
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
    pub(super) async fn plan_days(
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
                // A day the rules allow is still refused for a missing
                // mandatory document (in `block` mode).
                Ok(plan) => match self.documents.and_then(|d| d.refusal(date)) {
                    Some(r) => refused.push(r),
                    None => plans.push(plan?),
                },
                Err(r) => refused.push(r),
            }
        }
        Ok((plans, refused))
    }
}

/// The writes of a submission, and where among them a place is taken
/// (the write's position, the day): a failed condition there means "full".
pub(super) struct Writes {
    pub(super) writes: Vec<Write>,
    pub(super) takes: Vec<(usize, NaiveDate)>,
}

/// The submission's writes, and which of them take a place (by position).
pub(super) fn writes_of(
    family_id: &str,
    plans: &[DayPlan],
    remember: Option<(&str, Remembered)>,
    now: DateTime<Utc>,
) -> ApiResult<Writes> {
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
    Ok(Writes { writes, takes })
}
