//! The parents' table "Pièces justificatives": a row per active document
//! type and child (a family-scope type: one row for the family), sent or
//! not, what is mandatory and missing first.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use marelle_domain::documents::{DocumentState, Scope, Sent, row_state};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::upload::{StoredDocument, StoredState};
use crate::family::{FamilyParam, access, store as family_store};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Parent, UrlQuery};
use crate::http::state::AppState;
use crate::planning::store as planning_store;

/// One row of the table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentRow {
    pub type_id: String,
    pub name: String,
    /// Null for a family's document.
    pub child_id: Option<String>,
    /// The child's first name; null for a family's document.
    pub child: Option<String>,
    /// `semester`, `year`, `school_year`, `months:N`, `until:YYYY-MM-DD`
    /// or `permanent`.
    pub validity: String,
    /// The child (for a family's document: any child) is enrolled in an
    /// activity that requires it.
    pub mandatory: bool,
    /// The row's document, once one is sent.
    pub document_id: Option<String>,
    pub file_name: Option<String>,
    pub state: DocumentState,
    /// Last valid day of an accepted document (null: permanent, or none).
    pub expires_on: Option<NaiveDate>,
    /// The agent's reason, for a refused document.
    pub message: Option<String>,
    /// The commune's help text (may be empty).
    pub help: String,
    /// Accepted and ending within 30 days (today and the 30th day
    /// included).
    pub expires_soon: bool,
    /// Also asked with a crèche application (« Exigé pour une
    /// préinscription en crèche »).
    pub creche: bool,
}

/// The document each row shows, by type and child (none for a family's
/// document): the latest sent that is pending, accepted or refused (a
/// cancelled or replaced one is no row's).
pub fn latest_documents(
    documents: Vec<StoredDocument>,
) -> HashMap<(String, Option<String>), StoredDocument> {
    let mut latest: HashMap<(String, Option<String>), StoredDocument> = HashMap::new();
    for d in documents.into_iter().filter(StoredDocument::shown) {
        let key = (d.type_id.clone(), d.child_id.clone());
        if latest
            .get(&key)
            .is_none_or(|l| (l.sent_at, &l.id) < (d.sent_at, &d.id))
        {
            latest.insert(key, d);
        }
    }
    latest
}

/// A row's state on `today` from its document (none sent: missing), and
/// whether it expires soon: the table's rule, which crèche applications
/// read too.
pub fn state_of(doc: Option<&StoredDocument>, today: NaiveDate) -> (DocumentState, bool) {
    let sent = doc.map(|d| match d.state {
        StoredState::Accepted => Sent::Accepted {
            expires_on: d.expires_on,
        },
        StoredState::Refused => Sent::Refused,
        _ => Sent::Pending,
    });
    row_state(sent, today)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentTable {
    /// Mandatory and missing first, then by child (the family's documents
    /// before the children's), then by name.
    pub items: Vec<DocumentRow>,
}

/// `GET /api/documents`: the family's supporting documents.
///
/// Six store calls, whatever the number of types and children: the
/// session (one read), the family's selection (one read, or one query
/// when `family_id` is left out), the types (one query), the dossier (one
/// query, for the children's names), the enrolments (one query, as the
/// planning reads them) and the family's documents (one query);
/// `tests/documents.rs` counts them. Rows: at most
/// 100 types × the family's children.
#[utoipa::path(get, path = "/api/documents", operation_id = "list_documents", tag = "documents", params(FamilyParam),
    responses(
        (status = 200, description = "Les pièces justificatives demandées à la famille", body = DocumentTable),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Aucune famille, ou une famille d'un autre compte", body = Problem),
    ))]
pub async fn list(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<DocumentTable>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let types = super::types::list(&app).await?;
    let dossier = family_store::load(&app, &family_id)
        .await?
        .ok_or_else(ApiError::not_found)?
        .dossier;
    let today = marelle_domain::time::local_date(app.clock.now());
    // What each child is enrolled in, from today on (an enrolment whose
    // period has ended makes nothing mandatory).
    let enrolled: HashSet<(String, String)> = planning_store::enrolments(&app, &family_id)
        .await?
        .into_iter()
        .filter(|e| e.period.to >= today)
        .map(|e| (e.child_id, e.activity_id))
        .collect();
    let latest = latest_documents(super::upload::family_documents(&app, &family_id).await?);
    let children: Vec<(String, String)> = dossier
        .children
        .iter()
        .map(|c| (c.id.clone(), c.first_name.clone()))
        .collect();
    let required = |child_id: &str, activities: &[String]| {
        activities
            .iter()
            .any(|a| enrolled.contains(&(child_id.to_string(), a.clone())))
    };
    let mut rows = Vec::new();
    for t in types.iter().filter(|t| t.active) {
        let row = |child: Option<&(String, String)>, mandatory: bool| {
            let doc = latest.get(&(t.id.clone(), child.map(|c| c.0.clone())));
            let (state, expires_soon) = state_of(doc, today);
            DocumentRow {
                type_id: t.id.clone(),
                name: t.name.clone(),
                child_id: child.map(|c| c.0.clone()),
                child: child.map(|c| c.1.clone()),
                validity: t.validity.to_string(),
                mandatory,
                document_id: doc.map(|d| d.id.clone()),
                file_name: doc.map(|d| d.file_name.clone()),
                state,
                expires_on: doc.and_then(|d| d.expires_on),
                message: doc
                    .filter(|d| d.state == StoredState::Refused)
                    .and_then(|d| d.message.clone()),
                help: t.help.clone(),
                expires_soon,
                creche: t.creche,
            }
        };
        match t.scope {
            Scope::Family => {
                let mandatory = children.iter().any(|c| required(&c.0, &t.mandatory_for));
                rows.push(row(None, mandatory));
            }
            Scope::Child => {
                for c in &children {
                    rows.push(row(Some(c), required(&c.0, &t.mandatory_for)));
                }
            }
        }
    }
    rows.sort_by_cached_key(|r| {
        (
            !(r.mandatory && r.state == DocumentState::Missing),
            r.child.as_ref().map(|c| c.to_lowercase()),
            r.child_id.clone(),
            r.name.to_lowercase(),
        )
    });
    Ok(Json(DocumentTable { items: rows }))
}
