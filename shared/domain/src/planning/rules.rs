//! What a family may ask for a day: the planning rules of the guide and of
//! real communes (enrolment, calendar, deadlines, capacity).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::activity::{Activity, Enrolment, NotRunning, Period, Weekday};
use super::slots::{Blocked, SlotState, may_ask};
use crate::calendar::HolidayRules;
use crate::requests::RequestKind;

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
/// activity takes place then.
pub fn check_open_day(
    activity: &Activity,
    enrolments: &[Enrolment],
    child_id: &str,
    date: NaiveDate,
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
    match activity.runs_on(date) {
        Ok(()) => Ok(()),
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
    holidays: &HolidayRules,
) -> Result<(), Refusal> {
    check_open_day(activity, enrolments, child_id, date)?;
    may_ask(RequestKind::Reservation, current).map_err(|b| refusal(b, date))?;
    deadline(activity.booking_deadline.as_ref(), date, now, holidays)
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
    holidays: &HolidayRules,
) -> Result<(), Refusal> {
    check_open_day(activity, enrolments, child_id, date)?;
    may_ask(RequestKind::Absence, current).map_err(|b| refusal(b, date))?;
    deadline(activity.cancel_deadline.as_ref(), date, now, holidays)
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
) -> Vec<NaiveDate> {
    period
        .days()
        .filter(|d| weekdays.contains(&Weekday::of(*d)))
        .filter(|d| check_open_day(activity, enrolments, child_id, *d).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::activity::{Closure, Validation};
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
        let h = HolidayRules::default();
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
        let h = HolidayRules::default();
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
        let h = HolidayRules::default();
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
}
