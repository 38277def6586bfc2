//! An application's lifecycle, as one function: [`transition`] takes the
//! state, the offer's deadline if any, an action and the time, and gives
//! the new state or why not.
//!
//! Open: `submitted incomplete under_review waiting offered`; final:
//! `accepted declined withdrawn closed`. An `offered` application whose
//! deadline passed unanswered reads `waiting` ([`effective_status`]): the
//! lapse needs no job to be true, only to be written down.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    Incomplete,
    UnderReview,
    Waiting,
    Offered,
    Accepted,
    Declined,
    Withdrawn,
    Closed,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Submitted,
        Status::Incomplete,
        Status::UnderReview,
        Status::Waiting,
        Status::Offered,
        Status::Accepted,
        Status::Declined,
        Status::Withdrawn,
        Status::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Incomplete => "incomplete",
            Status::UnderReview => "under_review",
            Status::Waiting => "waiting",
            Status::Offered => "offered",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
            Status::Withdrawn => "withdrawn",
            Status::Closed => "closed",
        }
    }

    /// As the family reads it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Submitted => "Déposée",
            Status::Incomplete => "Incomplète",
            Status::UnderReview => "En cours d'étude",
            Status::Waiting => "En attente de place",
            Status::Offered => "Place proposée",
            Status::Accepted => "Place acceptée",
            Status::Declined => "Place refusée",
            Status::Withdrawn => "Retirée",
            Status::Closed => "Close",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Status::Accepted | Status::Declined | Status::Withdrawn | Status::Closed
        )
    }
}

/// The family's answer to an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Accept,
    Decline,
}

/// What a family or an agent does to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The family withdraws it.
    Withdraw,
    /// The family says it still wants a place.
    Renew,
    /// The family answers the offer.
    Answer(Answer),
    /// An agent sets `incomplete`, `under_review`, `waiting` or `closed`.
    SetStatus(Status),
    /// An agent (a commission) offers a place, to answer by `deadline`.
    Offer { deadline: DateTime<Utc> },
}

impl Action {
    /// Every action, for table tests: `deadline` for the offer.
    pub fn all(deadline: DateTime<Utc>) -> Vec<Action> {
        let mut all = vec![
            Action::Withdraw,
            Action::Renew,
            Action::Answer(Answer::Accept),
            Action::Answer(Answer::Decline),
        ];
        all.extend(Status::ALL.iter().map(|s| Action::SetStatus(*s)));
        all.push(Action::Offer { deadline });
        all
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// 409: the application is final (withdrawn, closed, answered).
    #[error("application closed")]
    ApplicationClosed,
    /// 409: an answer with no offer standing.
    #[error("no offer")]
    NoOffer,
    /// 422: the answer came after the offer's deadline.
    #[error("offer expired")]
    OfferExpired,
    /// 409: not a step of the lifecycle from this state.
    #[error("invalid transition")]
    InvalidTransition,
    /// 422: an offer's deadline that is not in the future.
    #[error("invalid deadline")]
    InvalidDeadline,
    /// 422: a status an agent cannot set.
    #[error("invalid status")]
    InvalidStatus,
}

impl TransitionError {
    pub fn code(self) -> &'static str {
        match self {
            TransitionError::ApplicationClosed => "application_closed",
            TransitionError::NoOffer => "no_offer",
            TransitionError::OfferExpired => "offer_expired",
            TransitionError::InvalidTransition => "invalid_transition",
            TransitionError::InvalidDeadline => "invalid_deadline",
            TransitionError::InvalidStatus => "invalid_status",
        }
    }
}

/// The state as it reads at `now`: an offer not answered by its deadline
/// has lapsed, and the application is `waiting` again. The deadline is
/// the last instant an answer is taken.
pub fn effective_status(
    status: Status,
    offer_deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Status {
    match (status, offer_deadline) {
        (Status::Offered, Some(deadline)) if now > deadline => Status::Waiting,
        _ => status,
    }
}

/// The lifecycle. From the state read at `now` ([`effective_status`]):
/// - the family withdraws or renews any open application (renewing keeps
///   the state); a final one is `application_closed`;
/// - the family answers a standing offer (`accepted`, `declined`); a
///   lapsed one is `offer_expired`, none at all `no_offer`, a final
///   application `application_closed`;
/// - an agent sets `incomplete`, `under_review`, `waiting` or `closed` on
///   an open application other than one with an offer standing (it stands
///   until answered or lapsed), to a state other than its own;
/// - an agent offers a place to an application `under_review` or
///   `waiting`, with a deadline after `now`.
pub fn transition(
    status: Status,
    offer_deadline: Option<DateTime<Utc>>,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Status, TransitionError> {
    use TransitionError::*;
    let lapsed = status == Status::Offered && offer_deadline.is_some_and(|d| now > d);
    let current = effective_status(status, offer_deadline, now);
    match action {
        Action::Withdraw if current.is_open() => Ok(Status::Withdrawn),
        Action::Renew if current.is_open() => Ok(current),
        Action::Withdraw | Action::Renew => Err(ApplicationClosed),
        Action::Answer(answer) => match current {
            Status::Offered => Ok(match answer {
                Answer::Accept => Status::Accepted,
                Answer::Decline => Status::Declined,
            }),
            _ if lapsed => Err(OfferExpired),
            s if s.is_open() => Err(NoOffer),
            _ => Err(ApplicationClosed),
        },
        Action::SetStatus(target) => {
            if !matches!(
                target,
                Status::Incomplete | Status::UnderReview | Status::Waiting | Status::Closed
            ) {
                return Err(InvalidStatus);
            }
            if !current.is_open() || current == Status::Offered || current == target {
                return Err(InvalidTransition);
            }
            Ok(target)
        }
        Action::Offer { deadline } => {
            if !matches!(current, Status::UnderReview | Status::Waiting) {
                return Err(InvalidTransition);
            }
            if deadline <= now {
                return Err(InvalidDeadline);
            }
            Ok(Status::Offered)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        "2027-01-10T10:00:00Z".parse().unwrap()
    }

    /// The expected outcome of every action from every state, offers
    /// standing (deadline tomorrow).
    fn expected(s: Status, a: Action) -> Result<Status, TransitionError> {
        use Status::*;
        use TransitionError::*;
        let open = s.is_open();
        match a {
            Action::Withdraw => {
                if open {
                    Ok(Withdrawn)
                } else {
                    Err(ApplicationClosed)
                }
            }
            Action::Renew => {
                if open {
                    Ok(s)
                } else {
                    Err(ApplicationClosed)
                }
            }
            Action::Answer(ans) => match s {
                Offered if ans == Answer::Accept => Ok(Accepted),
                Offered => Ok(Declined),
                _ if open => Err(NoOffer),
                _ => Err(ApplicationClosed),
            },
            Action::SetStatus(t) => match t {
                Submitted | Offered | Accepted | Declined | Withdrawn => Err(InvalidStatus),
                _ if !open || s == Offered || s == t => Err(InvalidTransition),
                _ => Ok(t),
            },
            Action::Offer { .. } => match s {
                UnderReview | Waiting => Ok(Offered),
                _ => Err(InvalidTransition),
            },
        }
    }

    #[test]
    fn every_state_by_every_action() {
        let deadline = now() + Duration::days(1);
        let mut checked = 0;
        for s in Status::ALL {
            let offer = (s == Status::Offered).then_some(deadline);
            for a in Action::all(deadline) {
                assert_eq!(
                    transition(s, offer, a, now()),
                    expected(s, a),
                    "{s:?} × {a:?}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 9 * 14);
    }

    #[test]
    fn a_lapsed_offer_reads_waiting_and_acts_as_waiting() {
        let deadline = now();
        // At the deadline itself, and the minute before, the offer stands.
        for at in [deadline - Duration::minutes(1), deadline] {
            assert_eq!(
                effective_status(Status::Offered, Some(deadline), at),
                Status::Offered
            );
            assert_eq!(
                transition(
                    Status::Offered,
                    Some(deadline),
                    Action::Answer(Answer::Accept),
                    at
                ),
                Ok(Status::Accepted)
            );
        }
        let after = deadline + Duration::minutes(1);
        assert_eq!(
            effective_status(Status::Offered, Some(deadline), after),
            Status::Waiting
        );
        for ans in [Answer::Accept, Answer::Decline] {
            assert_eq!(
                transition(Status::Offered, Some(deadline), Action::Answer(ans), after),
                Err(TransitionError::OfferExpired)
            );
        }
        // Past its deadline it is waiting: a new offer, or another state.
        let new_deadline = after + Duration::days(7);
        assert_eq!(
            transition(
                Status::Offered,
                Some(deadline),
                Action::Offer {
                    deadline: new_deadline
                },
                after
            ),
            Ok(Status::Offered)
        );
        assert_eq!(
            transition(
                Status::Offered,
                Some(deadline),
                Action::SetStatus(Status::Closed),
                after
            ),
            Ok(Status::Closed)
        );
        assert_eq!(
            transition(
                Status::Offered,
                Some(deadline),
                Action::SetStatus(Status::Waiting),
                after
            ),
            Err(TransitionError::InvalidTransition),
            "it is waiting already"
        );
        assert_eq!(
            transition(Status::Offered, Some(deadline), Action::Renew, after),
            Ok(Status::Waiting)
        );
    }

    #[test]
    fn an_offer_needs_a_deadline_in_the_future() {
        for deadline in [now(), now() - Duration::minutes(1)] {
            assert_eq!(
                transition(Status::UnderReview, None, Action::Offer { deadline }, now()),
                Err(TransitionError::InvalidDeadline)
            );
        }
        // A step out of the lifecycle is said first.
        assert_eq!(
            transition(
                Status::Submitted,
                None,
                Action::Offer { deadline: now() },
                now()
            ),
            Err(TransitionError::InvalidTransition)
        );
    }
}
