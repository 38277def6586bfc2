//! A family's history beyond dossier changes: the accounts that stopped
//! seeing the family file, who did it and why. Kept beside the dossier
//! (`H#…` items of the family's partition) and shown to agents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;
use crate::requests::Actor;

/// Longest reason an agent gives for unlinking an account.
pub const REASON_MAX_CHARS: usize = 500;

/// At most this many events are shown (newest first).
pub const SHOWN: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FamilyEventKind {
    /// The commune removed an account's link to the family file.
    AccountUnlinked,
    /// A parent left the family file from "Mes abonnements".
    AccountLeft,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FamilyEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    pub kind: FamilyEventKind,
    /// The account whose link ended, and its e-mail then.
    pub account_id: String,
    pub account_email: String,
    pub by: Actor,
    /// The agent's or the parent's account.
    pub by_account_id: String,
    /// The agent's name as the family history shows it ("Agent Mairie").
    pub by_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The reason of an unlink: required, at most [`REASON_MAX_CHARS`]
/// characters, no control characters.
pub fn reason(input: &str) -> Result<String, FieldError> {
    super::fields::text("reason", "Motif", input, REASON_MAX_CHARS, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_bounded_and_plain() {
        assert_eq!(
            reason("  Séparation, jugement du 3 mars ").unwrap(),
            "Séparation, jugement du 3 mars"
        );
        assert_eq!(reason("   ").unwrap_err().code, "required");
        assert_eq!(reason(&"é".repeat(501)).unwrap_err().code, "too_long");
        assert!(reason(&"é".repeat(500)).is_ok());
        assert_eq!(
            reason("abc\u{202E}def").unwrap_err().code,
            "invalid_characters"
        );
    }
}
