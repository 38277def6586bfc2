//! Accounts, sessions and one-time tokens as stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rules::Civility;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Parent,
    Agent,
    /// Activity staff: takes attendance for the activities its account
    /// lists, and sees nothing else.
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Parent => "parent",
            Role::Agent => "agent",
            Role::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub civility: Option<Civility>,
    pub last_name: String,
    pub first_name: String,
    pub role: Role,
    /// PHC string (argon2id).
    pub password_hash: String,
    pub activated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The code typed at sign-up, linked by the family file once it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_subscriber_code: Option<String>,
    /// Staff only: the activities it takes attendance for (at most
    /// [`MAX_STAFF_ACTIVITIES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<String>,
    pub version: i64,
}

/// Most activities one staff account takes attendance for.
pub const MAX_STAFF_ACTIVITIES: usize = 50;

impl Account {
    pub fn is_active(&self) -> bool {
        self.activated_at.is_some()
    }

    /// "M. Dgf SG": civility, first name, last name, as the guide greets.
    /// "Matthieu BLMAN", as histories show who acted.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name.to_uppercase())
            .trim()
            .to_string()
    }

    pub fn greeting_name(&self) -> String {
        match self.civility {
            Some(c) => format!("{} {} {}", c.as_str(), self.first_name, self.last_name),
            None => format!("{} {}", self.first_name, self.last_name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub account_id: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Activation,
    PasswordReset,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneTimeToken {
    pub kind: TokenKind,
    pub account_id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Spent tokens stay (until their TTL) so that a second click says
    /// "already used" rather than "unknown".
    pub used: bool,
    #[serde(default)]
    pub used_at: Option<DateTime<Utc>>,
}
