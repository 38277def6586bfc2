//! Requests as the API shows them.

use chrono::NaiveDate;
use marelle_domain::requests::{HistoryEntry, RequestKind, RequestRecord, RequestState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// One line of "Mes demandes" (and of the agents' queue).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestSummary {
    pub id: String,
    pub kind: RequestKind,
    pub state: RequestState,
    /// RFC 3339, Paris offset.
    pub created_at: String,
    pub decided_at: Option<String>,
    pub description: String,
    pub new_messages: u32,
    pub family_id: String,
    pub child_id: Option<String>,
    pub activity_id: Option<String>,
    pub date: Option<NaiveDate>,
    /// Planning requests: the activity's name ("4/Péri SOIR").
    pub activity: Option<String>,
    /// Planning requests: "Établissement".
    pub establishment: Option<String>,
    /// Planning requests: the activity's start ("16:30").
    pub start: Option<String>,
}

impl From<&RequestRecord> for RequestSummary {
    fn from(r: &RequestRecord) -> Self {
        Self {
            id: r.id.clone(),
            kind: r.kind,
            state: r.state,
            created_at: marelle_domain::time::rfc3339(r.created_at),
            decided_at: r.decided_at.map(marelle_domain::time::rfc3339),
            description: r.description.clone(),
            new_messages: r.new_messages,
            family_id: r.family_id.clone(),
            child_id: r.child_id.clone(),
            activity_id: r.activity_id.clone(),
            date: r.date,
            activity: text(&r.details, "activity"),
            establishment: text(&r.details, "establishment"),
            start: text(&r.details, "start"),
        }
    }
}

fn text(details: &Value, field: &str) -> Option<String> {
    details
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    /// Give it back as `page` for the next items; absent on the last page.
    pub next_page: Option<String>,
}

/// A changed field, before and after.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangeLine {
    pub field: String,
    /// French label ("Téléphone portable").
    pub label: String,
    /// The value when the change was submitted.
    pub old: Value,
    pub new: Value,
    /// Agents only: the value in the dossier now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub summary: RequestSummary,
    pub history: Vec<HistoryView>,
    /// Dossier changes only.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changes: Vec<ChangeLine>,
    /// Kind-specific details (a reservation's activity and day…).
    #[serde(skip_serializing_if = "Value::is_null", default)]
    pub details: Value,
    /// Document requests only: the file sent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub document: Option<AttachedDocument>,
}

/// The file a request carries (a supporting document).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachedDocument {
    pub id: String,
    /// The document type's name ("Carnet de vaccination").
    pub name: String,
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    /// When the family sent it (RFC 3339, Paris offset).
    pub sent_at: String,
    /// Agents only: a link valid 5 minutes (`GET /api/documents/{id}/link`
    /// gives a fresh one).
    pub url: Option<String>,
    /// Agents only: the earlier files of the same type for the same child
    /// (or family), newest first, at most 20.
    #[serde(default)]
    pub versions: Vec<DocumentVersion>,
}

/// An earlier file of the same document type and child.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentVersion {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    /// RFC 3339, Paris offset.
    pub sent_at: String,
    pub state: marelle_domain::documents::StoredState,
    /// A link valid 5 minutes; null once the file is no longer kept (a
    /// pending file withdrawn by a newer one).
    pub url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryView {
    pub at: String,
    pub event: marelle_domain::requests::HistoryEvent,
    pub by: marelle_domain::requests::Actor,
    pub message: Option<String>,
}

impl From<&HistoryEntry> for HistoryView {
    fn from(h: &HistoryEntry) -> Self {
        Self {
            at: marelle_domain::time::rfc3339(h.at),
            event: h.event,
            by: h.by,
            message: h.message.clone(),
        }
    }
}

/// What a kind adds to a request's detail.
#[derive(Debug, Default)]
pub struct KindDetail {
    /// Dossier changes: field by field, before and after.
    pub changes: Vec<ChangeLine>,
    /// Kind-specific details shown as they are (a reservation's activity).
    pub details: Value,
    /// The file the request carries, if any.
    pub document: Option<AttachedDocument>,
}

impl RequestDetail {
    /// The shared fields of `r`, with what its kind adds.
    pub fn new(r: &RequestRecord, extra: KindDetail) -> Self {
        Self {
            summary: RequestSummary::from(r),
            history: r.history.iter().map(HistoryView::from).collect(),
            changes: extra.changes,
            details: extra.details,
            document: extra.document,
        }
    }
}
