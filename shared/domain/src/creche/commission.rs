//! A commission session: the commune decides many applications in one go
//! (offer a place, keep on the waiting list, refuse), then sends the offer
//! e-mails. What a decision does to an application is the lifecycle's
//! ([`super::transition`]); here, the session's own rules: its size, each
//! application once, what each decision asks for.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Action, Status};

/// Decisions one session holds, at least and at most.
pub const MAX_DECISIONS: usize = 100;
/// Longest name of a session (« Commission de mars »).
pub const MAX_NAME_CHARS: usize = 100;

/// What the commission decides for one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// A place offered: a crèche and a start, to answer by the session's
    /// deadline.
    Offer,
    /// Not offered this time: the application waits for a place.
    Waiting,
    /// Refused: the application is closed.
    Refuse,
}

impl DecisionKind {
    /// The lifecycle's action for it.
    pub fn action(self, deadline: DateTime<Utc>) -> Action {
        match self {
            DecisionKind::Offer => Action::Offer { deadline },
            DecisionKind::Waiting => Action::SetStatus(Status::Waiting),
            DecisionKind::Refuse => Action::SetStatus(Status::Closed),
        }
    }

    /// True when the decision leaves the application as it reads now (an
    /// application already waiting stays waiting): nothing to write.
    pub fn leaves_unchanged(self, status_now: Status) -> bool {
        self == DecisionKind::Waiting && status_now == Status::Waiting
    }
}

/// One decision as posted, before the applications are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    pub application_id: &'a str,
    pub kind: DecisionKind,
    pub structure_id: Option<&'a str>,
    pub start_date: Option<NaiveDate>,
}

/// What is wrong with one row (its index in the session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub index: usize,
    pub code: &'static str,
    pub message: String,
}

/// What is wrong with the session as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionProblem {
    /// No decision, or more than [`MAX_DECISIONS`].
    Count,
    /// The name is longer than [`MAX_NAME_CHARS`].
    Name,
    /// The answer deadline is not in the future.
    Deadline,
}

impl SessionProblem {
    pub fn code(&self) -> &'static str {
        match self {
            SessionProblem::Count => "invalid_decisions",
            SessionProblem::Name => "invalid_name",
            SessionProblem::Deadline => "invalid_deadline",
        }
    }

    pub fn message(&self) -> String {
        match self {
            SessionProblem::Count => {
                format!("Une commission décide de 1 à {MAX_DECISIONS} préinscriptions.")
            }
            SessionProblem::Name => {
                format!("Le nom de la commission ne doit pas dépasser {MAX_NAME_CHARS} caractères.")
            }
            SessionProblem::Deadline => {
                "La date limite de réponse doit être dans le futur.".to_string()
            }
        }
    }
}

/// The session's own checks, before any application is read.
pub fn check_session(
    rows: usize,
    name: Option<&str>,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), SessionProblem> {
    if rows == 0 || rows > MAX_DECISIONS {
        return Err(SessionProblem::Count);
    }
    if name.is_some_and(|n| n.trim().chars().count() > MAX_NAME_CHARS) {
        return Err(SessionProblem::Name);
    }
    if deadline <= now {
        return Err(SessionProblem::Deadline);
    }
    Ok(())
}

/// Each row's own checks: every application once, an offer names its
/// crèche and its start. The problems, in row order.
pub fn check_rows(rows: &[Row<'_>]) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        if rows[..index]
            .iter()
            .any(|r| r.application_id == row.application_id)
        {
            problems.push(RowProblem {
                index,
                code: "duplicate_application",
                message: "Cette préinscription figure déjà plus haut dans la commission.".into(),
            });
            continue;
        }
        if row.kind == DecisionKind::Offer {
            if row.structure_id.is_none_or(|s| s.trim().is_empty()) {
                problems.push(RowProblem {
                    index,
                    code: "structure_required",
                    message: "Choisissez la crèche proposée.".into(),
                });
            } else if row.start_date.is_none() {
                problems.push(RowProblem {
                    index,
                    code: "start_date_required",
                    message: "Indiquez la date d'entrée proposée.".into(),
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    fn row(id: &str, kind: DecisionKind) -> Row<'_> {
        Row {
            application_id: id,
            kind,
            structure_id: Some("s1"),
            start_date: NaiveDate::from_ymd_opt(2027, 9, 1),
        }
    }

    #[test]
    fn a_session_holds_one_to_a_hundred_decisions_and_a_future_deadline() {
        let later = now() + chrono::Duration::days(15);
        assert_eq!(check_session(1, None, later, now()), Ok(()));
        assert_eq!(check_session(100, Some("Mars"), later, now()), Ok(()));
        assert_eq!(
            check_session(0, None, later, now()),
            Err(SessionProblem::Count)
        );
        assert_eq!(
            check_session(101, None, later, now()),
            Err(SessionProblem::Count)
        );
        assert_eq!(
            check_session(1, Some(&"x".repeat(101)), later, now()),
            Err(SessionProblem::Name)
        );
        assert_eq!(
            check_session(1, None, now(), now()),
            Err(SessionProblem::Deadline)
        );
        assert_eq!(
            check_session(1, None, now() + chrono::Duration::minutes(1), now()),
            Ok(())
        );
    }

    #[test]
    fn each_application_once_and_an_offer_names_its_creche_and_start() {
        let mut offer = row("a", DecisionKind::Offer);
        offer.structure_id = None;
        let mut no_start = row("c", DecisionKind::Offer);
        no_start.start_date = None;
        let rows = vec![
            row("b", DecisionKind::Waiting),
            offer,
            row("b", DecisionKind::Refuse),
            no_start,
            Row {
                application_id: "d",
                kind: DecisionKind::Refuse,
                structure_id: None,
                start_date: None,
            },
        ];
        let problems = check_rows(&rows);
        let codes: Vec<_> = problems.iter().map(|p| (p.index, p.code)).collect();
        assert_eq!(
            codes,
            vec![
                (1, "structure_required"),
                (2, "duplicate_application"),
                (3, "start_date_required")
            ]
        );
    }

    #[test]
    fn each_decision_is_a_lifecycle_action() {
        let d = now();
        assert_eq!(DecisionKind::Offer.action(d), Action::Offer { deadline: d });
        assert_eq!(
            DecisionKind::Waiting.action(d),
            Action::SetStatus(Status::Waiting)
        );
        assert_eq!(
            DecisionKind::Refuse.action(d),
            Action::SetStatus(Status::Closed)
        );
        assert!(DecisionKind::Waiting.leaves_unchanged(Status::Waiting));
        assert!(!DecisionKind::Waiting.leaves_unchanged(Status::UnderReview));
        assert!(!DecisionKind::Refuse.leaves_unchanged(Status::Waiting));
    }
}
