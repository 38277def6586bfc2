//! What a family may ask for a day: the planning rules of the guide and of
//! real communes (enrolment, calendar, deadlines, capacity).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::activity::{Activity, Enrolment, NotRunning, Period, Weekday};
use super::slots::{Blocked, SlotState, may_ask};
use crate::calendar::HolidayRules;
use crate::requests::RequestKind;
use crate::school_calendar::CommuneCalendar;

/// The planning state the API shows (`enrolled` when nothing was asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanningState {
    Enrolled,
    ReservationRequested,
    Reserved,
    ReservationRefused,
    AbsenceRequested,
    Absent,
    AbsenceRefused,
    WaitingList,
}

impl PlanningState {
    pub fn of(slot: Option<SlotState>) -> Self {
        match slot {
            None | Some(SlotState::Cancelled) => PlanningState::Enrolled,
            Some(SlotState::ReservationRequested) => PlanningState::ReservationRequested,
            Some(SlotState::Reserved) => PlanningState::Reserved,
            Some(SlotState::ReservationRefused) => PlanningState::ReservationRefused,
            Some(SlotState::AbsenceRequested) => PlanningState::AbsenceRequested,
            Some(SlotState::Absent) => PlanningState::Absent,
            Some(SlotState::AbsenceRefused) => PlanningState::AbsenceRefused,
            Some(SlotState::WaitingList) => PlanningState::WaitingList,
        }
    }

    /// The guide's legend.
    pub fn label(self) -> &'static str {
        match self {
            PlanningState::Enrolled => "Non réservé",
            PlanningState::ReservationRequested => "Réservation en attente",
            PlanningState::Reserved => "Réservé",
            PlanningState::ReservationRefused => "Réservation refusée",
            PlanningState::AbsenceRequested => "Absence en attente",
            PlanningState::Absent => "Absent",
            PlanningState::AbsenceRefused => "Absence refusée",
            PlanningState::WaitingList => "Liste d'attente",
        }
    }
}

/// Why a day was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Refusal {
    pub date: NaiveDate,
    pub code: String,
    pub message: String,
}

impl Refusal {
    pub fn new(date: NaiveDate, code: &str, message: impl Into<String>) -> Self {
        Self {
            date,
            code: code.into(),
            message: message.into(),
        }
    }
}

fn fr(date: NaiveDate) -> String {
    crate::time::french_date(date)
}

/// The enrolment that covers `date`, if any.
pub fn enrolment_on<'a>(
    enrolments: &'a [Enrolment],
    child_id: &str,
    activity_id: &str,
    date: NaiveDate,
) -> Option<&'a Enrolment> {
    enrolments
        .iter()
        .find(|e| e.child_id == child_id && e.activity_id == activity_id && e.period.contains(date))
}

/// Whether the child may be enrolled in the activity on `date` and the
/// activity takes place then, in the commune's `calendar`.
pub fn check_open_day(
    activity: &Activity,
    enrolments: &[Enrolment],
    child_id: &str,
    date: NaiveDate,
    calendar: &CommuneCalendar,
) -> Result<(), Refusal> {
    let enrolled_at_all = enrolments
        .iter()
        .any(|e| e.child_id == child_id && e.activity_id == activity.id);
    if !enrolled_at_all {
        return Err(Refusal::new(
            date,
            "not_enrolled",
            format!(
                "Votre enfant n'est pas inscrit à l'activité {}.",
                activity.name
            ),
        ));
    }
    if enrolment_on(enrolments, child_id, &activity.id, date).is_none() {
        let periods: Vec<String> = enrolments
            .iter()
            .filter(|e| e.child_id == child_id && e.activity_id == activity.id)
            .map(|e| format!("du {} au {}", fr(e.period.from), fr(e.period.to)))
            .collect();
        return Err(Refusal::new(
            date,
            "outside_enrolment",
            format!(
                "Le {} est en dehors de la période d'inscription ({}).",
                fr(date),
                periods.join(", ")
            ),
        ));
    }
    match activity.runs_on(date, calendar) {
        Ok(()) => Ok(()),
        Err(NotRunning::SchoolTime) => Err(Refusal::new(
            date,
            "not_running",
            format!(
                "L'activité {} n'a lieu que pendant les vacances scolaires : le {} est un jour de classe.",
                activity.name,
                fr(date)
            ),
        )),
        Err(NotRunning::Closed(label)) => Err(Refusal::new(
            date,
            "closed",
            format!("L'activité est fermée le {} ({label}).", fr(date)),
        )),
        Err(NotRunning::NotThatWeekday) => Err(Refusal::new(
            date,
            "not_running",
            format!(
                "L'activité {} n'a pas lieu le {} {}.",
                activity.name,
                Weekday::of(date).french(),
                fr(date)
            ),
        )),
        Err(NotRunning::OutsidePeriod) => Err(Refusal::new(
            date,
            "not_running",
            format!(
                "L'activité {} n'a pas lieu le {} (hors de sa période).",
                activity.name,
                fr(date)
            ),
        )),
    }
}

fn deadline(
    rule: Option<&crate::deadlines::DeadlineRule>,
    date: NaiveDate,
    now: DateTime<Utc>,
    holidays: &HolidayRules,
) -> Result<(), Refusal> {
    match rule {
        Some(rule) => rule
            .allows(date, now, holidays)
            .map_err(|e| Refusal::new(date, "deadline_passed", e.to_string())),
        // Without a rule, the day itself is the limit.
        None if date < crate::time::local_date(now) => Err(Refusal::new(
            date,
            "day_passed",
            format!("Le {} est passé.", fr(date)),
        )),
        None => Ok(()),
    }
}

/// Why a day cannot move as asked, in the guide's words.
pub fn refusal(blocked: Blocked, date: NaiveDate) -> Refusal {
    let (code, message) = match blocked {
        Blocked::AlreadyWaiting => (
            "already_waiting",
            format!(
                "Votre enfant est déjà sur la liste d'attente du {}.",
                fr(date)
            ),
        ),
        Blocked::AlreadyReserved => (
            "already_reserved",
            format!("Une réservation existe déjà le {}.", fr(date)),
        ),
        Blocked::AbsenceAlreadyAsked => (
            "already_absent",
            format!("Une absence est déjà demandée le {}.", fr(date)),
        ),
        Blocked::ReservationPending => (
            "not_reserved",
            format!(
                "La réservation du {} n'est pas encore acceptée : une absence n'est possible que sur un jour réservé.",
                fr(date)
            ),
        ),
        Blocked::NotReserved => (
            "not_reserved",
            format!(
                "Le {} n'est pas réservé : une absence n'est possible que sur un jour réservé.",
                fr(date)
            ),
        ),
        Blocked::Full => (
            "full",
            format!(
                "L'activité est complète le {} : vous pouvez demander la liste d'attente.",
                fr(date)
            ),
        ),
        Blocked::NotPlanning
        | Blocked::NotPending(_)
        | Blocked::NotWaiting
        | Blocked::NothingToWithdraw => (
            "slot_moved",
            format!(
                "Le {} a changé depuis la demande (fermeture ou nouvelle demande).",
                fr(date)
            ),
        ),
    };
    Refusal::new(date, code, message)
}

/// A reservation for `date`: the day is open, the booking deadline not
/// passed, and nothing is asked or reserved already.
pub fn check_reservation(
    activity: &Activity,
    enrolments: &[Enrolment],
    child_id: &str,
    current: Option<SlotState>,
    date: NaiveDate,
    now: DateTime<Utc>,
    calendar: &CommuneCalendar,
) -> Result<(), Refusal> {
    check_open_day(activity, enrolments, child_id, date, calendar)?;
    may_ask(RequestKind::Reservation, current).map_err(|b| refusal(b, date))?;
    deadline(
        activity.booking_deadline.as_ref(),
        date,
        now,
        &calendar.holidays,
    )
}

/// An absence for `date`: only on a reserved day, before the cancelling
/// deadline.
pub fn check_absence(
    activity: &Activity,
    enrolments: &[Enrolment],
    child_id: &str,
    current: Option<SlotState>,
    date: NaiveDate,
    now: DateTime<Utc>,
    calendar: &CommuneCalendar,
) -> Result<(), Refusal> {
    check_open_day(activity, enrolments, child_id, date, calendar)?;
    may_ask(RequestKind::Absence, current).map_err(|b| refusal(b, date))?;
    deadline(
        activity.cancel_deadline.as_ref(),
        date,
        now,
        &calendar.holidays,
    )
}

/// A request the family may make on a day of the planning now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayAction {
    Reservation,
    Absence,
    /// A reservation on a full day: a place on the waiting list.
    WaitingList,
}

/// Where a day of the planning stands against time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayTiming {
    /// Before the day and before the deadline that matters for its state.
    Open,
    /// Not passed, but its booking (or, reserved, its cancelling) deadline is.
    DeadlinePassed,
    /// The day is over.
    Past,
}

/// What the family may do on one child's activity day, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOptions {
    /// The requests the rules accept now ([`check_reservation`],
    /// [`check_absence`]; on a full day the reservation is a place on the
    /// waiting list): at most one, as the states they start from differ.
    pub actions: Vec<DayAction>,
    pub timing: DayTiming,
    /// The deadline in words: « Réservable jusqu'au mercredi 6 à 12:00 »,
    /// « Annulable jusqu'au … », « Délai de réservation dépassé depuis le
    /// … », « Jour passé »; none when no rule applies.
    pub deadline: Option<String>,
    /// Without any action: why, in French.
    pub reason: Option<String>,
}

/// What the family may ask on `date` for the child's activity, with the
/// same rules as the submission, and where the day stands against its
/// deadline. `today` is `now`'s local date (passed in so that a planning
/// computes it once); `full`: the day's places are all taken, as last
/// read (the submission's conditional write has the last word).
#[allow(clippy::too_many_arguments)]
pub fn day_options(
    activity: &Activity,
    enrolments: &[Enrolment],
    child_id: &str,
    current: Option<SlotState>,
    date: NaiveDate,
    now: DateTime<Utc>,
    today: NaiveDate,
    calendar: &CommuneCalendar,
    full: bool,
) -> DayOptions {
    use crate::deadlines::{self, DeadlineKind};
    let reservation =
        check_reservation(activity, enrolments, child_id, current, date, now, calendar);
    let absence = check_absence(activity, enrolments, child_id, current, date, now, calendar);
    let mut actions = Vec::new();
    if reservation.is_ok() {
        actions.push(if full {
            DayAction::WaitingList
        } else {
            DayAction::Reservation
        });
    }
    if absence.is_ok() {
        actions.push(DayAction::Absence);
    }
    // The request the day's state leads to (a pending day leads to none).
    let (kind, rule) = match current {
        None | Some(SlotState::Cancelled | SlotState::ReservationRefused | SlotState::Absent) => (
            Some(DeadlineKind::Booking),
            activity.booking_deadline.as_ref(),
        ),
        Some(SlotState::Reserved | SlotState::AbsenceRefused) => (
            Some(DeadlineKind::Cancelling),
            activity.cancel_deadline.as_ref(),
        ),
        Some(_) => (None, None),
    };
    let (timing, deadline) = if date < today {
        (DayTiming::Past, Some(deadlines::DAY_PASSED.to_string()))
    } else {
        match (kind, rule) {
            (Some(kind), Some(rule)) => {
                let at = rule.deadline_for(date, &calendar.holidays);
                if now <= at {
                    (DayTiming::Open, Some(deadlines::open_until(kind, at, date)))
                } else {
                    (
                        DayTiming::DeadlinePassed,
                        Some(deadlines::passed_since(kind, at, date)),
                    )
                }
            }
            _ => (DayTiming::Open, None),
        }
    };
    let reason = if !actions.is_empty() {
        None
    } else if timing == DayTiming::Past {
        Some("Ce jour est passé : aucune demande n'est plus possible.".to_string())
    } else {
        // The refusal of the request the state leads to; on a pending day,
        // the one that says what is pending.
        let refused = match current {
            Some(
                SlotState::Reserved
                | SlotState::AbsenceRefused
                | SlotState::ReservationRequested
                | SlotState::AbsenceRequested,
            ) => absence,
            _ => reservation,
        };
        refused.err().map(|r| r.message)
    };
    DayOptions {
        actions,
        timing,
        deadline,
        reason,
    }
}

/// Most days one submission holds (DynamoDB takes 100 writes in one
/// transaction; a day takes up to 3).
pub const MAX_DAYS: usize = 31;

/// The days of a period request: the weekdays asked between `from` and
/// `to` on which the activity takes place for the child (closures and days
/// off are left out, not refused).
pub fn period_days(
    activity: &Activity,
    enrolments: &[Enrolment],
    child_id: &str,
    period: Period,
    weekdays: &[Weekday],
    calendar: &CommuneCalendar,
) -> Vec<NaiveDate> {
    period
        .days()
        .filter(|d| weekdays.contains(&Weekday::of(*d)))
        .filter(|d| check_open_day(activity, enrolments, child_id, *d, calendar).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::activity::{Closure, Validation};
    use crate::school_calendar::{SchoolHolidays, SchoolZone};
    use chrono::{NaiveTime, TimeZone};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn peri_soir() -> Activity {
        Activity {
            id: "A4".into(),
            name: "4/Péri SOIR".into(),
            establishment: "Ecole Lux".into(),
            start: NaiveTime::from_hms_opt(16, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(18, 30, 0).unwrap(),
            weekdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            period: Period {
                from: d(2018, 9, 3),
                to: d(2019, 7, 5),
            },
            closures: vec![Closure {
                from: d(2019, 2, 16),
                to: d(2019, 3, 3),
                label: "Vacances d'hiver".into(),
            }],
            capacity: None,
            validation: Validation::Manual,
            booking_deadline: None,
            cancel_deadline: None,
            open_on_public_holidays: false,
            school_holidays: SchoolHolidays::Ignored,
            missing_document: Default::default(),
        }
    }

    fn enrolments() -> Vec<Enrolment> {
        vec![Enrolment {
            id: "E1".into(),
            family_id: "F1".into(),
            child_id: "C1".into(),
            activity_id: "A4".into(),
            period: Period {
                from: d(2018, 9, 3),
                to: d(2019, 8, 31),
            },
        }]
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2019, 1, 4, 15, 33, 0).unwrap()
    }

    #[test]
    fn a_period_request_keeps_the_open_days_of_the_weekdays_asked() {
        let days = period_days(
            &peri_soir(),
            &enrolments(),
            "C1",
            Period {
                from: d(2019, 2, 1),
                to: d(2019, 3, 19),
            },
            &[Weekday::Mon, Weekday::Tue],
            &CommuneCalendar::default(),
        );
        let expected = [
            d(2019, 2, 4),
            d(2019, 2, 5),
            d(2019, 2, 11),
            d(2019, 2, 12),
            d(2019, 3, 4),
            d(2019, 3, 5),
            d(2019, 3, 11),
            d(2019, 3, 12),
            d(2019, 3, 18),
            d(2019, 3, 19),
        ];
        assert_eq!(
            days, expected,
            "the guide's ten days, the February holidays left out"
        );
    }

    #[test]
    fn a_reservation_needs_an_enrolment_an_open_day_and_no_earlier_request() {
        let h = CommuneCalendar::default();
        let (a, e) = (peri_soir(), enrolments());
        assert!(check_reservation(&a, &e, "C1", None, d(2019, 2, 4), now(), &h).is_ok());
        assert_eq!(
            check_reservation(&a, &e, "C2", None, d(2019, 2, 4), now(), &h)
                .unwrap_err()
                .code,
            "not_enrolled"
        );
        assert_eq!(
            check_reservation(&a, &e, "C1", None, d(2019, 2, 18), now(), &h)
                .unwrap_err()
                .code,
            "closed"
        );
        assert_eq!(
            check_reservation(&a, &e, "C1", None, d(2019, 2, 9), now(), &h)
                .unwrap_err()
                .code,
            "not_running"
        );
        assert_eq!(
            check_reservation(&a, &e, "C1", None, d(2019, 9, 2), now(), &h)
                .unwrap_err()
                .code,
            "outside_enrolment"
        );
        assert_eq!(
            check_reservation(
                &a,
                &e,
                "C1",
                Some(SlotState::Reserved),
                d(2019, 2, 4),
                now(),
                &h
            )
            .unwrap_err()
            .code,
            "already_reserved"
        );
        assert!(
            check_reservation(
                &a,
                &e,
                "C1",
                Some(SlotState::ReservationRefused),
                d(2019, 2, 4),
                now(),
                &h
            )
            .is_ok()
        );
        assert_eq!(
            check_reservation(&a, &e, "C1", None, d(2019, 1, 3), now(), &h)
                .unwrap_err()
                .code,
            "day_passed"
        );
    }

    #[test]
    fn an_absence_needs_a_reserved_day() {
        let h = CommuneCalendar::default();
        let (a, e) = (peri_soir(), enrolments());
        assert!(
            check_absence(
                &a,
                &e,
                "C1",
                Some(SlotState::Reserved),
                d(2019, 2, 4),
                now(),
                &h
            )
            .is_ok()
        );
        let r = check_absence(&a, &e, "C1", None, d(2019, 2, 4), now(), &h).unwrap_err();
        assert_eq!(r.code, "not_reserved");
        assert!(r.message.contains("n'est pas réservé"), "{}", r.message);
        assert_eq!(
            check_absence(
                &a,
                &e,
                "C1",
                Some(SlotState::ReservationRequested),
                d(2019, 2, 4),
                now(),
                &h
            )
            .unwrap_err()
            .code,
            "not_reserved"
        );
    }

    #[test]
    fn deadlines_refuse_late_requests() {
        let h = CommuneCalendar::default();
        let mut a = peri_soir();
        a.booking_deadline = Some("J-2 12:00".parse().unwrap());
        let e = enrolments();
        // 2019-01-07 (Monday): deadline Saturday 2019-01-05 at 12:00 Paris.
        assert!(check_reservation(&a, &e, "C1", None, d(2019, 1, 7), now(), &h).is_ok());
        let late = Utc.with_ymd_and_hms(2019, 1, 5, 11, 0, 1).unwrap();
        assert_eq!(
            check_reservation(&a, &e, "C1", None, d(2019, 1, 7), late, &h)
                .unwrap_err()
                .code,
            "deadline_passed"
        );
    }

    fn options(
        a: &Activity,
        current: Option<SlotState>,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> DayOptions {
        day_options(
            a,
            &enrolments(),
            "C1",
            current,
            date,
            now,
            crate::time::local_date(now),
            &CommuneCalendar::default(),
            false,
        )
    }

    #[test]
    fn a_full_day_offers_the_waiting_list_instead_of_a_reservation() {
        let full = |current: Option<SlotState>, date: NaiveDate| {
            day_options(
                &peri_soir(),
                &enrolments(),
                "C1",
                current,
                date,
                now(),
                crate::time::local_date(now()),
                &CommuneCalendar::default(),
                true,
            )
        };
        assert_eq!(
            full(None, d(2019, 1, 7)).actions,
            vec![DayAction::WaitingList]
        );
        // Already waiting, or reserved: as on any day.
        assert!(
            full(Some(SlotState::WaitingList), d(2019, 1, 7))
                .actions
                .is_empty()
        );
        assert_eq!(
            full(Some(SlotState::Reserved), d(2019, 1, 7)).actions,
            vec![DayAction::Absence]
        );
        // A past full day: nothing.
        assert!(full(None, d(2019, 1, 3)).actions.is_empty());
    }

    #[test]
    fn a_free_day_offers_a_reservation_and_no_absence() {
        let mut a = peri_soir();
        a.booking_deadline = Some("J-2 12:00".parse().unwrap());
        a.cancel_deadline = Some("J-1 18:00".parse().unwrap());
        // Monday 7 January 2019, asked on Friday 4.
        let o = options(&a, None, d(2019, 1, 7), now());
        assert_eq!(o.actions, vec![DayAction::Reservation]);
        assert_eq!(o.timing, DayTiming::Open);
        assert_eq!(
            o.deadline.as_deref(),
            Some("Réservable jusqu'au samedi 5 à 12:00")
        );
        assert_eq!(o.reason, None);
        // Reserved: only the absence, measured against the cancelling deadline.
        let o = options(&a, Some(SlotState::Reserved), d(2019, 1, 7), now());
        assert_eq!(o.actions, vec![DayAction::Absence]);
        assert_eq!(
            o.deadline.as_deref(),
            Some("Annulable jusqu'au dimanche 6 à 18:00")
        );
        // Refused or absent: a reservation again.
        for s in [SlotState::ReservationRefused, SlotState::Absent] {
            assert_eq!(
                options(&a, Some(s), d(2019, 1, 7), now()).actions,
                vec![DayAction::Reservation],
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_pending_day_offers_nothing_and_says_why() {
        let a = peri_soir();
        let o = options(
            &a,
            Some(SlotState::ReservationRequested),
            d(2019, 1, 7),
            now(),
        );
        assert!(o.actions.is_empty());
        assert_eq!(o.timing, DayTiming::Open);
        assert!(
            o.reason
                .as_deref()
                .unwrap_or_default()
                .contains("pas encore acceptée"),
            "{o:?}"
        );
        let o = options(&a, Some(SlotState::WaitingList), d(2019, 1, 7), now());
        assert!(o.actions.is_empty());
        assert!(
            o.reason
                .as_deref()
                .unwrap_or_default()
                .contains("liste d'attente"),
            "{o:?}"
        );
        let o = options(&a, Some(SlotState::AbsenceRequested), d(2019, 1, 7), now());
        assert!(o.actions.is_empty());
        assert!(
            o.reason
                .as_deref()
                .unwrap_or_default()
                .contains("absence est déjà demandée"),
            "{o:?}"
        );
    }

    #[test]
    fn past_the_booking_deadline_a_reserved_day_may_still_be_cancelled() {
        let mut a = peri_soir();
        a.booking_deadline = Some("J-3 12:00".parse().unwrap());
        a.cancel_deadline = Some("J-1 18:00".parse().unwrap());
        // Monday 7 January: booking closed on Friday 4 at 12:00 (now is 16:33).
        let o = options(&a, None, d(2019, 1, 7), now());
        assert!(o.actions.is_empty());
        assert_eq!(o.timing, DayTiming::DeadlinePassed);
        assert_eq!(
            o.deadline.as_deref(),
            Some("Délai de réservation dépassé depuis le vendredi 4 à 12:00")
        );
        assert!(
            o.reason
                .as_deref()
                .unwrap_or_default()
                .contains("date limite"),
            "{o:?}"
        );
        let o = options(&a, Some(SlotState::Reserved), d(2019, 1, 7), now());
        assert_eq!(o.actions, vec![DayAction::Absence]);
        assert_eq!(o.timing, DayTiming::Open);
        // Past the cancelling deadline too.
        let late = Utc.with_ymd_and_hms(2019, 1, 6, 17, 0, 1).unwrap();
        let o = options(&a, Some(SlotState::Reserved), d(2019, 1, 7), late);
        assert!(o.actions.is_empty());
        assert_eq!(o.timing, DayTiming::DeadlinePassed);
        assert_eq!(
            o.deadline.as_deref(),
            Some("Délai d'annulation dépassé depuis le dimanche 6 à 18:00")
        );
    }

    #[test]
    fn a_past_day_offers_nothing_whatever_its_state() {
        let a = peri_soir();
        for s in [
            None,
            Some(SlotState::Reserved),
            Some(SlotState::ReservationRefused),
        ] {
            let o = options(&a, s, d(2019, 1, 3), now());
            assert!(o.actions.is_empty(), "{s:?}");
            assert_eq!(o.timing, DayTiming::Past);
            assert_eq!(o.deadline.as_deref(), Some("Jour passé"));
            assert_eq!(
                o.reason.as_deref(),
                Some("Ce jour est passé : aucune demande n'est plus possible.")
            );
        }
        // Without a rule, today is still open.
        let o = options(&a, None, d(2019, 1, 4), now());
        assert_eq!(
            (o.actions, o.timing, o.deadline),
            (vec![DayAction::Reservation], DayTiming::Open, None)
        );
    }

    fn zone_c() -> CommuneCalendar {
        CommuneCalendar {
            school_zone: Some(SchoolZone::C),
            ..CommuneCalendar::default()
        }
    }

    /// The after-school care of 2026-2027, every weekday.
    fn peri_2027(school_holidays: SchoolHolidays) -> (Activity, Vec<Enrolment>) {
        let mut a = peri_soir();
        a.period = Period {
            from: d(2026, 9, 1),
            to: d(2027, 7, 2),
        };
        a.closures.clear();
        a.school_holidays = school_holidays;
        let mut e = enrolments();
        e[0].period = a.period;
        (a, e)
    }

    fn now_2026() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_public_holiday_closes_unless_the_activity_opens_on_them() {
        let (mut a, e) = peri_2027(SchoolHolidays::Ignored);
        let cal = CommuneCalendar::default();
        let r = check_reservation(&a, &e, "C1", None, d(2027, 1, 1), now_2026(), &cal).unwrap_err();
        assert_eq!(r.code, "closed");
        assert_eq!(
            r.message,
            "L'activité est fermée le 01/01/2027 (Jour de l'an)."
        );
        assert!(check_reservation(&a, &e, "C1", None, d(2026, 12, 31), now_2026(), &cal).is_ok());
        a.open_on_public_holidays = true;
        assert!(check_reservation(&a, &e, "C1", None, d(2027, 1, 1), now_2026(), &cal).is_ok());
    }

    #[test]
    fn school_holidays_close_follow_or_are_ignored_by_the_zone() {
        let cal = zone_c();
        let christmas = d(2026, 12, 22);
        let school_day = d(2027, 1, 5);
        let (closed, e) = peri_2027(SchoolHolidays::Closed);
        let r =
            check_reservation(&closed, &e, "C1", None, christmas, now_2026(), &cal).unwrap_err();
        assert_eq!(
            (r.code.as_str(), r.message.as_str()),
            (
                "closed",
                "L'activité est fermée le 22/12/2026 (Vacances de Noël)."
            )
        );
        assert!(check_reservation(&closed, &e, "C1", None, school_day, now_2026(), &cal).is_ok());
        // Without a zone the commune does not follow the school calendar.
        assert!(
            check_reservation(
                &closed,
                &e,
                "C1",
                None,
                christmas,
                now_2026(),
                &CommuneCalendar::default()
            )
            .is_ok()
        );

        let (only, e) = peri_2027(SchoolHolidays::Only);
        assert!(check_reservation(&only, &e, "C1", None, christmas, now_2026(), &cal).is_ok());
        let r = check_reservation(&only, &e, "C1", None, school_day, now_2026(), &cal).unwrap_err();
        assert_eq!(r.code, "not_running");
        assert!(
            r.message.contains("que pendant les vacances scolaires"),
            "{}",
            r.message
        );
        // A public holiday during the holidays still closes the holiday centre.
        assert_eq!(
            check_reservation(&only, &e, "C1", None, d(2027, 1, 1), now_2026(), &cal)
                .unwrap_err()
                .code,
            "closed"
        );

        let (ignored, e) = peri_2027(SchoolHolidays::Ignored);
        assert!(check_reservation(&ignored, &e, "C1", None, christmas, now_2026(), &cal).is_ok());
        assert!(check_reservation(&ignored, &e, "C1", None, school_day, now_2026(), &cal).is_ok());
    }

    #[test]
    fn a_period_across_christmas_keeps_the_school_days_and_lists_the_closures() {
        let (a, e) = peri_2027(SchoolHolidays::Closed);
        let cal = zone_c();
        let days = period_days(
            &a,
            &e,
            "C1",
            Period {
                from: d(2026, 12, 14),
                to: d(2027, 1, 8),
            },
            &[Weekday::Mon, Weekday::Fri],
            &cal,
        );
        assert_eq!(
            days,
            [
                d(2026, 12, 14),
                d(2026, 12, 18),
                d(2027, 1, 4),
                d(2027, 1, 8)
            ]
        );
        let closures = a.closures_between(d(2026, 12, 14), d(2027, 1, 8), &cal);
        let labels: Vec<(NaiveDate, NaiveDate, &str)> = closures
            .iter()
            .map(|c| (c.from, c.to, c.label.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                (d(2026, 12, 25), d(2026, 12, 25), "Noël"),
                (d(2027, 1, 1), d(2027, 1, 1), "Jour de l'an"),
                (d(2026, 12, 19), d(2027, 1, 3), "Vacances de Noël"),
            ]
        );
        let (open, _) = peri_2027(SchoolHolidays::Ignored);
        let mut open = open;
        open.open_on_public_holidays = true;
        assert!(
            open.closures_between(d(2026, 12, 14), d(2027, 1, 8), &cal)
                .is_empty()
        );
    }
}
