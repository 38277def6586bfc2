//! The supporting documents a reservation needs: the types the activity
//! makes mandatory, and whether the child (or the family) has each one
//! accepted and valid on the day asked. Read once per submission (one
//! query for the types; only if one applies, one for the family's
//! documents); each day is then pure computation. The activity's
//! `missing_document` says whether a lack refuses the day (`block`) or
//! only warns (`warn`).

use chrono::NaiveDate;
use marelle_domain::documents::{self, DocumentType, HeldDocument, Sent};
use marelle_domain::planning::{Activity, MissingDocument, Refusal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::documents::upload::{StoredDocument, StoredState};
use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// The stable code of the refusal and of the warning.
pub const MISSING_DOCUMENT: &str = "missing_document";

/// A request recorded despite a missing or expired mandatory document
/// (an activity set to `warn`): one per document, not per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Warning {
    /// `missing_document`.
    pub code: String,
    /// The document type lacking.
    pub type_id: String,
    pub child_id: String,
    /// In French, naming the document and the child.
    pub message: String,
}

/// What one submission checks, read once.
pub(super) struct Required {
    types: Vec<DocumentType>,
    documents: Vec<(String, Option<String>, Sent)>,
    child_id: String,
    child_name: String,
    mode: MissingDocument,
}

impl Required {
    /// The mandatory types of `activity` and the family's documents;
    /// `None` when the activity makes no document mandatory.
    pub(super) async fn read(
        app: &AppState,
        family_id: &str,
        activity: &Activity,
        child_id: &str,
        child_name: &str,
    ) -> ApiResult<Option<Self>> {
        let all = crate::documents::types::list(app).await?;
        let types: Vec<DocumentType> = documents::mandatory_types(&all, &activity.id)
            .into_iter()
            .cloned()
            .collect();
        if types.is_empty() {
            return Ok(None);
        }
        let documents = crate::documents::upload::family_documents(app, family_id)
            .await?
            .into_iter()
            .filter_map(held)
            .collect();
        Ok(Some(Self {
            types,
            documents,
            child_id: child_id.to_string(),
            child_name: child_name.to_string(),
            mode: activity.missing_document,
        }))
    }

    /// The documents lacking on `day`, each with its message.
    fn lacking(&self, day: NaiveDate) -> Vec<(&DocumentType, String)> {
        let types: Vec<&DocumentType> = self.types.iter().collect();
        let held: Vec<HeldDocument<'_>> = self
            .documents
            .iter()
            .map(|(type_id, child_id, sent)| HeldDocument {
                type_id,
                child_id: child_id.as_deref(),
                sent: *sent,
            })
            .collect();
        documents::lacking(&types, &held, &self.child_id, day)
            .into_iter()
            .map(|(t, lack)| (t, documents::lack_message(t, &self.child_name, lack, day)))
            .collect()
    }

    /// In `block` mode, the refusal of `day` when a document lacks on it
    /// (every lacking document named).
    pub(super) fn refusal(&self, day: NaiveDate) -> Option<Refusal> {
        if self.mode != MissingDocument::Block {
            return None;
        }
        let lacking = self.lacking(day);
        if lacking.is_empty() {
            return None;
        }
        let message: Vec<String> = lacking.into_iter().map(|(_, m)| m).collect();
        Some(Refusal::new(day, MISSING_DOCUMENT, message.join(" ")))
    }

    /// In `warn` mode, one warning per document lacking on any of the days
    /// recorded (its message for the first such day).
    pub(super) fn warnings(&self, days: impl IntoIterator<Item = NaiveDate>) -> Vec<Warning> {
        let mut out: Vec<Warning> = Vec::new();
        if self.mode != MissingDocument::Warn {
            return out;
        }
        for day in days {
            for (t, message) in self.lacking(day) {
                if !out.iter().any(|w| w.type_id == t.id) {
                    out.push(Warning {
                        code: MISSING_DOCUMENT.into(),
                        type_id: t.id.clone(),
                        child_id: self.child_id.clone(),
                        message,
                    });
                }
            }
            if out.len() == self.types.len() {
                break;
            }
        }
        out
    }
}

/// A version that counts for the rule (cancelled and replaced ones do
/// not).
fn held(d: StoredDocument) -> Option<(String, Option<String>, Sent)> {
    let sent = match d.state {
        StoredState::Pending => Sent::Pending,
        StoredState::Refused => Sent::Refused,
        StoredState::Accepted => Sent::Accepted {
            expires_on: d.expires_on,
        },
        _ => return None,
    };
    Some((d.type_id, d.child_id, sent))
}
