//! Attendance marks and what one day of one child in one activity bills.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::planning::SlotState;

/// What the staff marked for a child on a day; none: not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Present,
    AbsentExcused,
    AbsentUnexcused,
    /// Present without a reservation.
    ArrivedUnreserved,
}

/// What the activity bills (a commune setting per activity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BilledOn {
    /// Reserved days, whatever the attendance, except excused absences.
    Reserved,
    /// Days marked present (or arrived without reservation).
    Attended,
}

/// The planning's word on a day, as billing reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Planned {
    /// Nothing reserved (never asked, refused, withdrawn, waiting list).
    Nothing,
    Reserved,
    /// An absence the commune accepted: excused.
    Absent,
    /// A request the commune has not decided yet.
    Pending,
}

impl Planned {
    /// The planning's slot state, as billing reads it. A refused absence
    /// leaves the reservation standing.
    pub fn of(state: Option<SlotState>) -> Self {
        match state {
            Some(SlotState::Reserved | SlotState::AbsenceRefused) => Planned::Reserved,
            Some(SlotState::Absent) => Planned::Absent,
            Some(SlotState::ReservationRequested | SlotState::AbsenceRequested) => Planned::Pending,
            Some(SlotState::ReservationRefused | SlotState::WaitingList | SlotState::Cancelled)
            | None => Planned::Nothing,
        }
    }
}

/// What one day bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayOutcome {
    /// Nothing to bill and nothing to say (no reservation, no mark).
    Nothing,
    /// Closed by the commune: never billed.
    Closed,
    /// Excused absence: never billed.
    Excused,
    /// A request not decided yet: skipped, never billed.
    Pending,
    /// Reserved, billed on attendance, and no mark taken: not billed.
    NotTaken,
    /// Billed: `unit` one unit at the tariff's price; `unexcused_fee` and
    /// `unreserved_fee` the activity's fees (when it sets them).
    Billed {
        unit: bool,
        unexcused_fee: bool,
        unreserved_fee: bool,
    },
}

/// What a day of one child in one activity bills, from the activity's
/// setting, the commune's closures, the planning and the staff's mark.
/// The order of the rules: a closure wins over everything, then a pending
/// request, then an excused absence (the planning's or the staff's).
pub fn day_outcome(
    billed_on: BilledOn,
    closed: bool,
    planned: Planned,
    mark: Option<Mark>,
) -> DayOutcome {
    if closed {
        return if planned == Planned::Nothing && mark.is_none() {
            DayOutcome::Nothing
        } else {
            DayOutcome::Closed
        };
    }
    if planned == Planned::Pending {
        return DayOutcome::Pending;
    }
    if planned == Planned::Absent || mark == Some(Mark::AbsentExcused) {
        return DayOutcome::Excused;
    }
    let reserved = planned == Planned::Reserved;
    let billed = |unit, unexcused_fee, unreserved_fee| DayOutcome::Billed {
        unit,
        unexcused_fee,
        unreserved_fee,
    };
    match (billed_on, reserved, mark) {
        // Present on a reserved day, whichever mark the staff chose.
        (_, true, Some(Mark::Present | Mark::ArrivedUnreserved)) => billed(true, false, false),
        // Came without a reservation: the unit and the fee.
        (_, false, Some(Mark::Present | Mark::ArrivedUnreserved)) => billed(true, false, true),
        // Reserved and absent without excuse: the reservation is billed.
        (BilledOn::Reserved, true, Some(Mark::AbsentUnexcused)) => billed(true, true, false),
        (BilledOn::Reserved, true, None) => billed(true, false, false),
        // Billed on attendance: an unexcused absence bills only its fee.
        (BilledOn::Attended, true, Some(Mark::AbsentUnexcused)) => billed(false, true, false),
        (BilledOn::Attended, true, None) => DayOutcome::NotTaken,
        // Not reserved and not there.
        (_, false, Some(Mark::AbsentUnexcused) | None) => DayOutcome::Nothing,
        (_, _, Some(Mark::AbsentExcused)) => DayOutcome::Excused,
    }
}

#[cfg(test)]
mod tests {
    use super::BilledOn::{Attended, Reserved};
    use super::*;

    const B: fn(bool, bool, bool) -> DayOutcome =
        |unit, unexcused_fee, unreserved_fee| DayOutcome::Billed {
            unit,
            unexcused_fee,
            unreserved_fee,
        };

    #[test]
    fn closures_and_excused_absences_are_never_billed() {
        for mode in [Reserved, Attended] {
            for mark in [
                None,
                Some(Mark::Present),
                Some(Mark::AbsentUnexcused),
                Some(Mark::ArrivedUnreserved),
            ] {
                assert_eq!(
                    day_outcome(mode, true, Planned::Reserved, mark),
                    DayOutcome::Closed
                );
                assert_eq!(
                    day_outcome(mode, false, Planned::Absent, mark),
                    DayOutcome::Excused
                );
                assert_eq!(
                    day_outcome(mode, false, Planned::Pending, mark),
                    DayOutcome::Pending
                );
            }
            assert_eq!(
                day_outcome(mode, false, Planned::Reserved, Some(Mark::AbsentExcused)),
                DayOutcome::Excused
            );
            assert_eq!(
                day_outcome(mode, true, Planned::Nothing, None),
                DayOutcome::Nothing
            );
        }
    }

    #[test]
    fn reserved_days_bill_whatever_the_attendance() {
        assert_eq!(
            day_outcome(Reserved, false, Planned::Reserved, None),
            B(true, false, false)
        );
        assert_eq!(
            day_outcome(Reserved, false, Planned::Reserved, Some(Mark::Present)),
            B(true, false, false)
        );
        assert_eq!(
            day_outcome(
                Reserved,
                false,
                Planned::Reserved,
                Some(Mark::AbsentUnexcused)
            ),
            B(true, true, false)
        );
        assert_eq!(
            day_outcome(
                Reserved,
                false,
                Planned::Nothing,
                Some(Mark::ArrivedUnreserved)
            ),
            B(true, false, true)
        );
        assert_eq!(
            day_outcome(Reserved, false, Planned::Nothing, None),
            DayOutcome::Nothing
        );
    }

    #[test]
    fn attended_days_bill_the_marks() {
        assert_eq!(
            day_outcome(Attended, false, Planned::Reserved, None),
            DayOutcome::NotTaken
        );
        assert_eq!(
            day_outcome(Attended, false, Planned::Reserved, Some(Mark::Present)),
            B(true, false, false)
        );
        assert_eq!(
            day_outcome(
                Attended,
                false,
                Planned::Reserved,
                Some(Mark::AbsentUnexcused)
            ),
            B(false, true, false)
        );
        assert_eq!(
            day_outcome(Attended, false, Planned::Nothing, Some(Mark::Present)),
            B(true, false, true)
        );
        assert_eq!(
            day_outcome(
                Attended,
                false,
                Planned::Nothing,
                Some(Mark::AbsentUnexcused)
            ),
            DayOutcome::Nothing
        );
    }

    #[test]
    fn the_planning_reads_as_billing_needs() {
        assert_eq!(
            Planned::of(Some(SlotState::AbsenceRefused)),
            Planned::Reserved
        );
        assert_eq!(
            Planned::of(Some(SlotState::AbsenceRequested)),
            Planned::Pending
        );
        assert_eq!(
            Planned::of(Some(SlotState::ReservationRequested)),
            Planned::Pending
        );
        assert_eq!(Planned::of(Some(SlotState::WaitingList)), Planned::Nothing);
        assert_eq!(Planned::of(Some(SlotState::Cancelled)), Planned::Nothing);
        assert_eq!(Planned::of(None), Planned::Nothing);
    }
}
