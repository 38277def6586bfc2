//! The slot state machine: how a child's day in an activity moves when the
//! family asks, the commune decides, a place frees up, or a closure falls.
//! One pure function, [`transition`], serves every caller (the submission,
//! the decision, the waiting list and closures), so a state, a place and
//! "who gets the freed place" are worked out in one place.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::requests::{Decision, RequestKind};

/// The state of a child's activity on a day, as stored (one item per day
/// with anything asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlotState {
    ReservationRequested,
    Reserved,
    ReservationRefused,
    AbsenceRequested,
    Absent,
    AbsenceRefused,
    WaitingList,
    /// Withdrawn (a closure cancelled it): the day is as if never asked.
    Cancelled,
}

/// A child's activity on one day, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    pub date: NaiveDate,
    pub child_id: String,
    pub activity_id: String,
    pub state: SlotState,
    /// The request that set the state.
    pub request_id: String,
    /// Under an absence: the reservation it withdraws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    /// Whether this day holds one of the activity's places.
    pub holds_place: bool,
    pub version: i64,
}

/// What happens to the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotEvent {
    /// The family asks (a click on the planning or a period form).
    /// `automatic`: the activity validates requests by itself;
    /// `waiting_list`: the family accepts the waiting list on a full day.
    Asked { automatic: bool, waiting_list: bool },
    /// The commune decides the pending request.
    Decided(Decision),
    /// A place freed up and this waiting child is first in line.
    Promoted { automatic: bool },
    /// A closure withdraws the day.
    Closed,
}

/// The day's places, as far as the caller knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Places {
    /// The activity has no capacity: places are not counted.
    Uncounted,
    /// Counted, and (as far as is known) one is left. The store's
    /// conditional write on the day's counter has the last word.
    Available,
    /// Counted, and none is left (the store said so).
    Full,
}

impl Places {
    fn counted(self) -> bool {
        self != Places::Uncounted
    }
}

/// What the day's place counter does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceChange {
    Take,
    Free,
    Unchanged,
}

/// The day as it stands before the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub state: SlotState,
    pub holds_place: bool,
}

impl From<&Slot> for Held {
    fn from(s: &Slot) -> Self {
        Self {
            state: s.state,
            holds_place: s.holds_place,
        }
    }
}

/// Where the day goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub state: SlotState,
    /// Whether the day holds one of the activity's places afterwards.
    pub holds_place: bool,
    pub place: PlaceChange,
    /// The request is accepted at once (automatic validation).
    pub accepted_at_once: bool,
    /// The first child on the day's waiting list is offered the place
    /// afterwards (first come, first served).
    pub promote_waiting: bool,
}

/// Why the event cannot happen to the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// Not a reservation or an absence.
    NotPlanning,
    /// A reservation on a day already on the waiting list.
    AlreadyWaiting,
    /// A reservation on a day already asked or reserved.
    AlreadyReserved,
    /// An absence on a day where one is already asked.
    AbsenceAlreadyAsked,
    /// An absence on a day whose reservation is not accepted yet.
    ReservationPending,
    /// An absence on a day that is not reserved.
    NotReserved,
    /// No place left, and the family did not ask for the waiting list.
    Full,
    /// A decision on a day whose request is no longer pending.
    NotPending(SlotState),
    /// A promotion of a day that is not on the waiting list.
    NotWaiting,
    /// A closure on a day with nothing to withdraw.
    NothingToWithdraw,
}

/// Whether the family may ask for `kind` on a day in `current`.
pub fn may_ask(kind: RequestKind, current: Option<SlotState>) -> Result<(), Blocked> {
    match kind {
        RequestKind::Reservation => match current {
            None
            | Some(SlotState::ReservationRefused | SlotState::Cancelled | SlotState::Absent) => {
                Ok(())
            }
            Some(SlotState::WaitingList) => Err(Blocked::AlreadyWaiting),
            Some(_) => Err(Blocked::AlreadyReserved),
        },
        RequestKind::Absence => match current {
            Some(SlotState::Reserved | SlotState::AbsenceRefused) => Ok(()),
            Some(SlotState::AbsenceRequested) => Err(Blocked::AbsenceAlreadyAsked),
            Some(SlotState::ReservationRequested) => Err(Blocked::ReservationPending),
            _ => Err(Blocked::NotReserved),
        },
        _ => Err(Blocked::NotPlanning),
    }
}

fn to(state: SlotState, holds_place: bool, place: PlaceChange) -> Transition {
    Transition {
        state,
        holds_place,
        place,
        accepted_at_once: false,
        promote_waiting: false,
    }
}

/// Frees the place the day holds, if it holds one.
fn release(held: Held) -> PlaceChange {
    if held.holds_place {
        PlaceChange::Free
    } else {
        PlaceChange::Unchanged
    }
}

/// Takes a place where places are counted.
fn take(places: Places) -> PlaceChange {
    if places.counted() {
        PlaceChange::Take
    } else {
        PlaceChange::Unchanged
    }
}

/// The day's next state for `event` on a request of `kind` (a closure
/// withdraws whatever the day holds, whatever its kind).
pub fn transition(
    kind: RequestKind,
    current: Option<Held>,
    event: SlotEvent,
    places: Places,
) -> Result<Transition, Blocked> {
    if !matches!(kind, RequestKind::Reservation | RequestKind::Absence) {
        return Err(Blocked::NotPlanning);
    }
    let held = current.unwrap_or(Held {
        state: SlotState::Cancelled,
        holds_place: false,
    });
    match event {
        SlotEvent::Asked {
            automatic,
            waiting_list,
        } => {
            may_ask(kind, current.map(|c| c.state))?;
            match kind {
                RequestKind::Absence if automatic => Ok(Transition {
                    accepted_at_once: true,
                    promote_waiting: held.holds_place,
                    ..to(SlotState::Absent, false, release(held))
                }),
                RequestKind::Absence => Ok(to(
                    SlotState::AbsenceRequested,
                    held.holds_place,
                    PlaceChange::Unchanged,
                )),
                _ if places == Places::Full && waiting_list => {
                    Ok(to(SlotState::WaitingList, false, PlaceChange::Unchanged))
                }
                _ if places == Places::Full => Err(Blocked::Full),
                _ if automatic => Ok(Transition {
                    accepted_at_once: true,
                    ..to(SlotState::Reserved, places.counted(), take(places))
                }),
                _ => Ok(to(
                    SlotState::ReservationRequested,
                    places.counted(),
                    take(places),
                )),
            }
        }
        SlotEvent::Decided(decision) => match (kind, held.state, decision) {
            (RequestKind::Reservation, SlotState::WaitingList, Decision::Accepted) => {
                Ok(to(SlotState::Reserved, places.counted(), take(places)))
            }
            (RequestKind::Reservation, SlotState::ReservationRequested, Decision::Accepted) => {
                Ok(to(
                    SlotState::Reserved,
                    held.holds_place,
                    PlaceChange::Unchanged,
                ))
            }
            (
                RequestKind::Reservation,
                SlotState::ReservationRequested | SlotState::WaitingList,
                Decision::Refused,
            ) => Ok(Transition {
                promote_waiting: places.counted(),
                ..to(SlotState::ReservationRefused, false, release(held))
            }),
            (RequestKind::Absence, SlotState::AbsenceRequested, Decision::Accepted) => {
                Ok(Transition {
                    promote_waiting: places.counted(),
                    ..to(SlotState::Absent, false, release(held))
                })
            }
            (RequestKind::Absence, SlotState::AbsenceRequested, Decision::Refused) => Ok(to(
                SlotState::AbsenceRefused,
                held.holds_place,
                PlaceChange::Unchanged,
            )),
            (_, state, _) => Err(Blocked::NotPending(state)),
        },
        SlotEvent::Promoted { automatic } => {
            if current.map(|c| c.state) != Some(SlotState::WaitingList) {
                return Err(Blocked::NotWaiting);
            }
            if places == Places::Full {
                return Err(Blocked::Full);
            }
            let state = if automatic {
                SlotState::Reserved
            } else {
                SlotState::ReservationRequested
            };
            Ok(Transition {
                accepted_at_once: automatic,
                ..to(state, places.counted(), take(places))
            })
        }
        SlotEvent::Closed => match current.map(|c| c.state) {
            None
            | Some(SlotState::Cancelled | SlotState::ReservationRefused | SlotState::Absent) => {
                Err(Blocked::NothingToWithdraw)
            }
            Some(_) => Ok(to(SlotState::Cancelled, false, release(held))),
        },
    }
}

impl SlotState {
    /// A request on the day waits for the commune.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            SlotState::ReservationRequested | SlotState::AbsenceRequested
        )
    }
}

#[cfg(test)]
mod tests {
    use super::PlaceChange::{Free, Take, Unchanged};
    use super::SlotState::*;
    use super::*;
    use crate::requests::Decision::{Accepted, Refused};
    use crate::requests::RequestKind::{Absence, DossierChange, Reservation};

    const ALL_STATES: [SlotState; 8] = [
        ReservationRequested,
        Reserved,
        ReservationRefused,
        AbsenceRequested,
        Absent,
        AbsenceRefused,
        WaitingList,
        Cancelled,
    ];

    fn held(state: SlotState, holds_place: bool) -> Option<Held> {
        Some(Held { state, holds_place })
    }

    fn t(
        state: SlotState,
        holds_place: bool,
        place: PlaceChange,
        accepted_at_once: bool,
        promote_waiting: bool,
    ) -> Result<Transition, Blocked> {
        Ok(Transition {
            state,
            holds_place,
            place,
            accepted_at_once,
            promote_waiting,
        })
    }

    const MANUAL: SlotEvent = SlotEvent::Asked {
        automatic: false,
        waiting_list: false,
    };
    const AUTO: SlotEvent = SlotEvent::Asked {
        automatic: true,
        waiting_list: false,
    };
    const MANUAL_OR_WAIT: SlotEvent = SlotEvent::Asked {
        automatic: false,
        waiting_list: true,
    };
    const AUTO_OR_WAIT: SlotEvent = SlotEvent::Asked {
        automatic: true,
        waiting_list: true,
    };

    #[test]
    fn a_reservation_asked_takes_a_place_where_places_are_counted() {
        use Places::*;
        let cases = [
            // (event, places, expected)
            (
                MANUAL,
                Uncounted,
                t(ReservationRequested, false, Unchanged, false, false),
            ),
            (
                MANUAL,
                Available,
                t(ReservationRequested, true, Take, false, false),
            ),
            (MANUAL, Full, Err(Blocked::Full)),
            (AUTO, Uncounted, t(Reserved, false, Unchanged, true, false)),
            (AUTO, Available, t(Reserved, true, Take, true, false)),
            (AUTO, Full, Err(Blocked::Full)),
            (
                MANUAL_OR_WAIT,
                Available,
                t(ReservationRequested, true, Take, false, false),
            ),
            (
                MANUAL_OR_WAIT,
                Full,
                t(WaitingList, false, Unchanged, false, false),
            ),
            (
                AUTO_OR_WAIT,
                Available,
                t(Reserved, true, Take, true, false),
            ),
            // The waiting list is never accepted at once.
            (
                AUTO_OR_WAIT,
                Full,
                t(WaitingList, false, Unchanged, false, false),
            ),
        ];
        for (event, places, expected) in cases {
            for current in [
                None,
                held(ReservationRefused, false),
                held(Cancelled, false),
                held(Absent, false),
            ] {
                assert_eq!(
                    transition(Reservation, current, event, places),
                    expected,
                    "{event:?} on {current:?} with {places:?}"
                );
            }
        }
    }

    #[test]
    fn a_reservation_is_refused_on_a_day_already_asked() {
        for state in ALL_STATES {
            let r = transition(Reservation, held(state, false), MANUAL, Places::Available);
            let expected = match state {
                ReservationRefused | Cancelled | Absent => {
                    t(ReservationRequested, true, Take, false, false)
                }
                WaitingList => Err(Blocked::AlreadyWaiting),
                _ => Err(Blocked::AlreadyReserved),
            };
            assert_eq!(r, expected, "{state:?}");
        }
    }

    #[test]
    fn an_absence_asked_needs_a_reserved_day_and_frees_its_place_when_accepted_at_once() {
        for state in ALL_STATES {
            for holds in [false, true] {
                for places in [Places::Uncounted, Places::Available, Places::Full] {
                    let manual = transition(Absence, held(state, holds), MANUAL, places);
                    let auto = transition(Absence, held(state, holds), AUTO, places);
                    let (m, a) = match state {
                        Reserved | AbsenceRefused => (
                            t(AbsenceRequested, holds, Unchanged, false, false),
                            t(
                                Absent,
                                false,
                                if holds { Free } else { Unchanged },
                                true,
                                holds,
                            ),
                        ),
                        AbsenceRequested => (
                            Err(Blocked::AbsenceAlreadyAsked),
                            Err(Blocked::AbsenceAlreadyAsked),
                        ),
                        ReservationRequested => (
                            Err(Blocked::ReservationPending),
                            Err(Blocked::ReservationPending),
                        ),
                        _ => (Err(Blocked::NotReserved), Err(Blocked::NotReserved)),
                    };
                    assert_eq!(manual, m, "manual absence on {state:?} holding {holds}");
                    assert_eq!(auto, a, "automatic absence on {state:?} holding {holds}");
                }
            }
        }
        assert_eq!(
            transition(Absence, None, MANUAL, Places::Uncounted),
            Err(Blocked::NotReserved)
        );
    }

    #[test]
    fn every_decision_on_every_state() {
        use Places::*;
        for kind in [Reservation, Absence] {
            for state in ALL_STATES {
                for holds in [false, true] {
                    for places in [Uncounted, Available] {
                        for decision in [Accepted, Refused] {
                            let got = transition(
                                kind,
                                held(state, holds),
                                SlotEvent::Decided(decision),
                                places,
                            );
                            let counted = places == Available;
                            let freed = if holds { Free } else { Unchanged };
                            let expected = match (kind, state, decision) {
                                (Reservation, WaitingList, Accepted) => t(
                                    Reserved,
                                    counted,
                                    if counted { Take } else { Unchanged },
                                    false,
                                    false,
                                ),
                                (Reservation, ReservationRequested, Accepted) => {
                                    t(Reserved, holds, Unchanged, false, false)
                                }
                                (Reservation, ReservationRequested | WaitingList, Refused) => {
                                    t(ReservationRefused, false, freed, false, counted)
                                }
                                (Absence, AbsenceRequested, Accepted) => {
                                    t(Absent, false, freed, false, counted)
                                }
                                (Absence, AbsenceRequested, Refused) => {
                                    t(AbsenceRefused, holds, Unchanged, false, false)
                                }
                                _ => Err(Blocked::NotPending(state)),
                            };
                            assert_eq!(
                                got, expected,
                                "{kind:?} {decision:?} on {state:?} holding {holds} with {places:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_freed_place_goes_to_a_waiting_child_only() {
        for state in ALL_STATES {
            for automatic in [false, true] {
                let got = transition(
                    Reservation,
                    held(state, false),
                    SlotEvent::Promoted { automatic },
                    Places::Available,
                );
                let expected = if state == WaitingList {
                    t(
                        if automatic {
                            Reserved
                        } else {
                            ReservationRequested
                        },
                        true,
                        Take,
                        automatic,
                        false,
                    )
                } else {
                    Err(Blocked::NotWaiting)
                };
                assert_eq!(got, expected, "{state:?}, automatic {automatic}");
            }
        }
        assert_eq!(
            transition(
                Reservation,
                held(WaitingList, false),
                SlotEvent::Promoted { automatic: true },
                Places::Full
            ),
            Err(Blocked::Full)
        );
        assert_eq!(
            transition(
                Reservation,
                None,
                SlotEvent::Promoted { automatic: true },
                Places::Available
            ),
            Err(Blocked::NotWaiting)
        );
    }

    #[test]
    fn a_closure_withdraws_what_the_day_holds() {
        for state in ALL_STATES {
            for holds in [false, true] {
                let got = transition(
                    Absence,
                    held(state, holds),
                    SlotEvent::Closed,
                    Places::Available,
                );
                let expected = match state {
                    Cancelled | ReservationRefused | Absent => Err(Blocked::NothingToWithdraw),
                    _ => t(
                        Cancelled,
                        false,
                        if holds { Free } else { Unchanged },
                        false,
                        false,
                    ),
                };
                assert_eq!(got, expected, "{state:?} holding {holds}");
            }
        }
        assert_eq!(
            transition(Reservation, None, SlotEvent::Closed, Places::Uncounted),
            Err(Blocked::NothingToWithdraw)
        );
    }

    #[test]
    fn other_kinds_have_no_slot() {
        for event in [MANUAL, SlotEvent::Decided(Accepted), SlotEvent::Closed] {
            assert_eq!(
                transition(DossierChange, None, event, Places::Uncounted),
                Err(Blocked::NotPlanning)
            );
        }
        assert_eq!(may_ask(DossierChange, None), Err(Blocked::NotPlanning));
    }

    #[test]
    fn pending_states_are_the_requested_ones() {
        let pending: Vec<_> = ALL_STATES.into_iter().filter(|s| s.is_pending()).collect();
        assert_eq!(pending, vec![ReservationRequested, AbsenceRequested]);
    }
}
