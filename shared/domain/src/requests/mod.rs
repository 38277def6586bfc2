//! The request model, one for every kind: what a family asks and the
//! commune decides (reservations, absences, dossier changes, documents,
//! crèche applications). Each request has a state, a history of events
//! (submitted, decided, messages) and a count of messages the family has
//! not read yet.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Reservation,
    Absence,
    DossierChange,
    Document,
    CrecheApplication,
}

impl RequestKind {
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::Reservation => "reservation",
            RequestKind::Absence => "absence",
            RequestKind::DossierChange => "dossier_change",
            RequestKind::Document => "document",
            RequestKind::CrecheApplication => "creche_application",
        }
    }

    /// "Type de la demande" as e-mails and lists print it.
    pub fn label(self) -> &'static str {
        match self {
            RequestKind::Reservation => "Réservation",
            RequestKind::Absence => "Absence",
            RequestKind::DossierChange => "Modification du dossier",
            RequestKind::Document => "Pièce justificative",
            RequestKind::CrecheApplication => "Préinscription en crèche",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Pending,
    Accepted,
    Refused,
    Cancelled,
}

impl RequestState {
    pub fn label(self) -> &'static str {
        match self {
            RequestState::Pending => "En attente",
            RequestState::Accepted => "Acceptée",
            RequestState::Refused => "Refusée",
            RequestState::Cancelled => "Annulée",
        }
    }

    pub fn is_decided(self) -> bool {
        !matches!(self, RequestState::Pending)
    }
}

/// A commune's answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accepted,
    Refused,
}

impl Decision {
    pub fn state(self) -> RequestState {
        match self {
            Decision::Accepted => RequestState::Accepted,
            Decision::Refused => RequestState::Refused,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Family,
    Commune,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryEvent {
    Submitted,
    Accepted,
    Refused,
    Cancelled,
    Message,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub event: HistoryEvent,
    pub by: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub id: String,
    pub family_id: String,
    pub kind: RequestKind,
    pub state: RequestState,
    pub created_at: DateTime<Utc>,
    /// The account that submitted it.
    pub created_by: String,
    #[serde(default)]
    pub decided_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub decided_by: Option<String>,
    /// The line "Mes demandes" shows ("Modification du responsable").
    pub description: String,
    #[serde(default)]
    pub child_id: Option<String>,
    #[serde(default)]
    pub activity_id: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// Kind-specific content; sealed when it holds health or bank data.
    #[serde(default)]
    pub details: serde_json::Value,
    pub history: Vec<HistoryEntry>,
    /// Messages from the commune the family has not read yet.
    pub new_messages: u32,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("request already decided ({0:?})")]
    AlreadyDecided(RequestState),
    #[error("empty message")]
    EmptyMessage,
    #[error("message longer than {MAX_MESSAGE_CHARS} characters")]
    MessageTooLong,
    #[error("more than {MAX_MESSAGES} messages on one request")]
    TooManyMessages,
}

/// Longest message a commune or a family writes on a request, in
/// characters (not bytes).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Most messages one request holds, a decision's message included. With
/// [`MAX_MESSAGE_CHARS`], the worst case (4-byte characters only) stays
/// near 120 KB, far below a DynamoDB item's 400 KB.
pub const MAX_MESSAGES: usize = 30;

/// The message trimmed, `None` when blank; refused when too long.
fn checked_message(message: Option<&str>) -> Result<Option<String>, RequestError> {
    match message.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(None),
        Some(m) if m.chars().count() > MAX_MESSAGE_CHARS => Err(RequestError::MessageTooLong),
        Some(m) => Ok(Some(m.to_string())),
    }
}

/// A message as the commune or a family would send it: refused when too
/// long (checked before any work, e.g. by a bulk decision).
pub fn check_message(message: Option<&str>) -> Result<(), RequestError> {
    checked_message(message).map(|_| ())
}

/// A message written by the portal itself (a closure's notice): cut, never
/// refused.
fn system_message(message: Option<&str>) -> Option<String> {
    message
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| m.chars().take(MAX_MESSAGE_CHARS).collect())
}

impl RequestRecord {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        family_id: String,
        kind: RequestKind,
        created_by: String,
        at: DateTime<Utc>,
        description: String,
        details: serde_json::Value,
    ) -> Self {
        Self {
            id,
            family_id,
            kind,
            state: RequestState::Pending,
            created_at: at,
            created_by,
            decided_at: None,
            decided_by: None,
            description,
            child_id: None,
            activity_id: None,
            date: None,
            details,
            history: vec![HistoryEntry {
                at,
                event: HistoryEvent::Submitted,
                by: Actor::Family,
                message: None,
            }],
            new_messages: 0,
            version: 1,
        }
    }

    /// The commune decides; a message with the decision counts as new for
    /// the family.
    pub fn decide(
        &mut self,
        decision: Decision,
        message: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RequestError> {
        if self.state.is_decided() {
            return Err(RequestError::AlreadyDecided(self.state));
        }
        let message = checked_message(message)?;
        if message.is_some() {
            self.check_room_for_a_message()?;
        }
        self.state = decision.state();
        self.decided_at = Some(at);
        self.decided_by = Some(by.to_string());
        if message.is_some() {
            self.new_messages += 1;
        }
        self.history.push(HistoryEntry {
            at,
            event: match decision {
                Decision::Accepted => HistoryEvent::Accepted,
                Decision::Refused => HistoryEvent::Refused,
            },
            by: Actor::Commune,
            message,
        });
        self.version += 1;
        Ok(())
    }

    /// The request is withdrawn (by the family, or by a closure).
    pub fn cancel(
        &mut self,
        by: Actor,
        message: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), RequestError> {
        if matches!(self.state, RequestState::Cancelled | RequestState::Refused) {
            return Err(RequestError::AlreadyDecided(self.state));
        }
        let message = system_message(message);
        if by == Actor::Commune && message.is_some() {
            self.new_messages += 1;
        }
        self.state = RequestState::Cancelled;
        self.decided_at = Some(at);
        self.history.push(HistoryEntry {
            at,
            event: HistoryEvent::Cancelled,
            by,
            message,
        });
        self.version += 1;
        Ok(())
    }

    pub fn add_message(
        &mut self,
        by: Actor,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RequestError> {
        let message = checked_message(Some(message))?.ok_or(RequestError::EmptyMessage)?;
        self.check_room_for_a_message()?;
        if by == Actor::Commune {
            self.new_messages += 1;
        }
        self.history.push(HistoryEntry {
            at,
            event: HistoryEvent::Message,
            by,
            message: Some(message),
        });
        self.version += 1;
        Ok(())
    }

    /// Refuses one more message once the request holds [`MAX_MESSAGES`].
    fn check_room_for_a_message(&self) -> Result<(), RequestError> {
        let held = self.history.iter().filter(|h| h.message.is_some()).count();
        if held >= MAX_MESSAGES {
            return Err(RequestError::TooManyMessages);
        }
        Ok(())
    }

    /// The family read the request: nothing new any more.
    pub fn mark_read(&mut self) -> bool {
        if self.new_messages == 0 {
            return false;
        }
        self.new_messages = 0;
        self.version += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, h, 0, 0)
            .single()
            .unwrap()
    }

    fn request() -> RequestRecord {
        RequestRecord::new(
            "R1".into(),
            "F1".into(),
            RequestKind::DossierChange,
            "A1".into(),
            at(9),
            "Modification du responsable".into(),
            serde_json::Value::Null,
        )
    }

    #[test]
    fn a_decision_with_a_message_is_new_for_the_family_and_is_final() {
        let mut r = request();
        r.decide(
            Decision::Accepted,
            Some("  Changement fait.  "),
            "AGENT",
            at(10),
        )
        .unwrap();
        assert_eq!(r.state, RequestState::Accepted);
        assert_eq!(r.new_messages, 1);
        assert_eq!(r.history.len(), 2);
        assert_eq!(r.history[1].message.as_deref(), Some("Changement fait."));
        assert_eq!(
            r.decide(Decision::Refused, None, "AGENT", at(11)),
            Err(RequestError::AlreadyDecided(RequestState::Accepted))
        );
        assert!(r.mark_read());
        assert!(!r.mark_read());
    }

    #[test]
    fn a_decision_without_a_message_adds_nothing_to_read() {
        let mut r = request();
        r.decide(Decision::Refused, Some("   "), "AGENT", at(10))
            .unwrap();
        assert_eq!(r.new_messages, 0);
        assert_eq!(r.history[1].message, None);
    }

    #[test]
    fn messages_from_the_commune_count_and_empty_ones_are_refused() {
        let mut r = request();
        r.add_message(Actor::Commune, "Pouvez-vous préciser ?", at(10))
            .unwrap();
        r.add_message(Actor::Family, "Oui.", at(11)).unwrap();
        assert_eq!(r.new_messages, 1);
        assert_eq!(
            r.add_message(Actor::Family, " ", at(12)),
            Err(RequestError::EmptyMessage)
        );
    }

    #[test]
    fn a_message_over_the_longest_is_refused_not_cut() {
        let mut r = request();
        let longest = "é".repeat(MAX_MESSAGE_CHARS);
        r.add_message(Actor::Commune, &longest, at(10)).unwrap();
        let over = "é".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(
            r.add_message(Actor::Commune, &over, at(11)),
            Err(RequestError::MessageTooLong)
        );
        assert_eq!(
            r.decide(Decision::Accepted, Some(&over), "AGENT", at(12)),
            Err(RequestError::MessageTooLong)
        );
        assert_eq!(r.state, RequestState::Pending, "nothing decided");
        assert_eq!(r.history.len(), 2);
    }

    #[test]
    fn a_request_holds_a_bounded_number_of_messages_decision_included() {
        let mut r = request();
        for i in 0..MAX_MESSAGES {
            r.add_message(Actor::Family, &format!("message {i}"), at(10))
                .unwrap();
        }
        assert_eq!(
            r.add_message(Actor::Commune, "un de plus", at(11)),
            Err(RequestError::TooManyMessages)
        );
        assert_eq!(
            r.decide(Decision::Refused, Some("un de plus"), "AGENT", at(12)),
            Err(RequestError::TooManyMessages)
        );
        r.decide(Decision::Refused, None, "AGENT", at(12)).unwrap();
        assert_eq!(r.state, RequestState::Refused);
    }

    #[test]
    fn the_worst_case_history_stays_far_below_the_item_limit() {
        let mut r = request();
        let widest = "\u{1F600}".repeat(MAX_MESSAGE_CHARS);
        for _ in 0..MAX_MESSAGES {
            r.add_message(Actor::Commune, &widest, at(10)).unwrap();
        }
        let bytes = serde_json::to_vec(&r).unwrap().len();
        assert!(bytes < 250_000, "{bytes} bytes");
    }
}
