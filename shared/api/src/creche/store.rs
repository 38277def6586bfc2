//! Crèche applications in the store: one item beside the family's dossier
//! (`CRECHE#<id>`), found by id on GSI1, listed for agents on GSI2 by
//! submission; a marker (`CRECHEOPEN#…`) holds the one open application of
//! a child, or of a child expected on a day.

use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::creche::jobs::{Pending, deleted_at};
use marelle_domain::creche::{Expected, Situation, Slot, Status};
use marelle_domain::family::model::Child;
use marelle_domain::keys;
use marelle_domain::ports::Index;
use marelle_domain::ports::store::{Condition, Item, Key, Query, Write};
use marelle_domain::requests::Actor;
use marelle_domain::requests::RequestRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// Applications a family keeps at most (every state).
pub const MAX_FAMILY_APPLICATIONS: usize = 50;
/// Entries an application's history holds at most.
pub const MAX_HISTORY: usize = 60;

/// A place offered by the commune, as made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub structure_id: String,
    /// The crèche's name when the offer was made.
    pub structure: String,
    pub start_date: NaiveDate,
    pub schedule: Vec<Slot>,
    pub hours_per_week: f64,
    /// The last instant the family's answer is taken.
    pub deadline: DateTime<Utc>,
    pub made_at: DateTime<Utc>,
    /// The agent who made it.
    pub made_by: String,
}

/// What happened to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Submitted,
    Status,
    Offered,
    Answered,
    Withdrawn,
    Renewed,
    /// The offer's deadline passed unanswered (the daily job).
    Lapsed,
    /// The family declared the expected child's birth.
    Birth,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub event: Event,
    /// The state after it.
    pub status: Status,
    pub by: Actor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A crèche application as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub family_id: String,
    pub request_id: String,
    pub created_by: String,
    pub child_id: Option<String>,
    /// "Léa Martin", or "Enfant à naître (Léa)".
    pub child: String,
    /// The child's birth date as the dossier gave it (at the application,
    /// or when the birth was accepted).
    #[serde(default)]
    pub birth_date: Option<NaiveDate>,
    pub expected: Option<Expected>,
    pub start_date: NaiveDate,
    pub schedule: Vec<Slot>,
    pub structures: Vec<String>,
    pub comment: Option<String>,
    pub situation: Situation,
    /// As stored: an `offered` one past its deadline reads `waiting`.
    pub status: Status,
    pub submitted_at: DateTime<Utc>,
    pub renew_before: NaiveDate,
    pub offer: Option<Offer>,
    /// When it became final (for the retention of closed applications).
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    /// The `renew_before` the renewal reminder was sent for.
    #[serde(default)]
    pub reminded_for: Option<NaiveDate>,
    /// The dossier change declaring the expected child's birth.
    #[serde(default)]
    pub birth_request_id: Option<String>,
    pub history: Vec<HistoryEntry>,
    pub version: i64,
}

impl Application {
    /// What the open-application marker names: the child, or the day an
    /// expected child is due.
    pub fn open_marker(&self) -> Key {
        open_marker(
            &self.family_id,
            self.child_id.as_deref(),
            self.expected.as_ref().map(|e| e.due_date),
        )
    }

    /// The birth date, or the due date of a child not born yet.
    pub fn birth(&self) -> Option<NaiveDate> {
        self.birth_date
            .or_else(|| self.expected.as_ref().map(|e| e.due_date))
    }

    /// An expected child's due date has passed, no birth declared, the
    /// application open.
    pub fn birth_overdue(&self, now: DateTime<Utc>) -> bool {
        self.child_id.is_none()
            && self.birth_request_id.is_none()
            && self.status.is_open()
            && self
                .expected
                .as_ref()
                .is_some_and(|e| e.due_date < marelle_domain::time::local_date(now))
    }

    /// The child's age in months on the desired start.
    pub fn age_at_start(&self) -> Option<u32> {
        self.birth()
            .and_then(|b| marelle_domain::creche::places::age_in_months(b, self.start_date))
    }

    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.offer.as_ref().map(|o| o.deadline)
    }

    /// What the daily job looks at.
    pub fn pending(&self) -> Pending {
        Pending {
            status: self.status,
            deadline: self.deadline(),
            renew_before: self.renew_before,
            reminded_for: self.reminded_for,
        }
    }

    /// The state as it reads at `now`.
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        marelle_domain::creche::effective_status(self.status, self.deadline(), now)
    }
}

pub fn open_marker(family_id: &str, child_id: Option<&str>, due: Option<NaiveDate>) -> Key {
    match (child_id, due) {
        (Some(c), _) => keys::creche_open(family_id, c),
        (None, Some(d)) => keys::creche_open(family_id, &keys::creche_expected(d)),
        (None, None) => keys::creche_open(family_id, "NONE"),
    }
}

/// The item of an application, in its indexes: while open, in the daily
/// job's index by the day it is due; closed without a place, deleted by
/// the store 3 years after closing.
pub fn item(a: &Application) -> ApiResult<Item> {
    let mut item = Item::with_data(keys::creche_application(&a.family_id, &a.id), a)?
        .index(
            Index::Gsi1,
            keys::creche_application_by_id(&a.id),
            a.family_id.clone(),
        )
        .index(
            Index::Gsi2,
            keys::CRECHE_APPLICATIONS,
            keys::creche_application_in_list(
                &a.submitted_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                &a.id,
            ),
        );
    if let Some(day) = a.pending().next_day() {
        item = item.index(
            Index::Gsi3,
            keys::CRECHE_DUE,
            keys::creche_due_on(day, &a.id),
        );
    }
    if let (Some(closed), false) = (a.closed_at, a.status == Status::Accepted) {
        item = item.expires_at(deleted_at(closed));
    }
    Ok(item)
}

fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 40 && !id.contains('#')
}

/// A family's application; `None` when it is not theirs or does not exist.
pub async fn load(app: &AppState, family_id: &str, id: &str) -> ApiResult<Option<Application>> {
    if !plausible_id(id) {
        return Ok(None);
    }
    match app
        .store
        .get(&keys::creche_application(family_id, id))
        .await?
    {
        Some(item) => Ok(Some(item.data()?)),
        None => Ok(None),
    }
}

/// An application by its id alone (agents).
pub async fn load_by_id(app: &AppState, id: &str) -> ApiResult<Option<Application>> {
    if !plausible_id(id) {
        return Ok(None);
    }
    let page = app
        .store
        .query(Query::on(Index::Gsi1, keys::creche_application_by_id(id)).limit(1))
        .await?;
    let Some(family_id) = page
        .items
        .first()
        .and_then(|i| i.data::<Application>().ok())
        .map(|a| a.family_id)
    else {
        return Ok(None);
    };
    load(app, &family_id, id).await
}

/// Every application of a family, newest first (one query; bounded).
pub async fn of_family(app: &AppState, family_id: &str) -> ApiResult<Vec<Application>> {
    let page = app
        .store
        .query(
            Query::new(keys::family_partition(family_id))
                .begins_with(keys::CRECHE_APPLICATION_PREFIX)
                .limit(MAX_FAMILY_APPLICATIONS + 10),
        )
        .await?;
    let mut all = page
        .items
        .iter()
        .map(|i| i.data::<Application>().map_err(ApiError::from))
        .collect::<ApiResult<Vec<_>>>()?;
    all.sort_by(|a, b| b.submitted_at.cmp(&a.submitted_at).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// Whether `a`'s declared birth was refused by the commune (or its dossier
/// change cancelled): the family may then declare it again. One read, only
/// for an expected child whose birth was declared and not yet accepted.
pub async fn birth_refused(app: &AppState, a: &Application) -> ApiResult<bool> {
    let Some(request_id) = a
        .birth_request_id
        .as_deref()
        .filter(|_| a.child_id.is_none())
    else {
        return Ok(false);
    };
    Ok(crate::requests::store::load(app, request_id)
        .await?
        .is_some_and(|r| {
            matches!(
                r.state,
                marelle_domain::requests::RequestState::Refused
                    | marelle_domain::requests::RequestState::Cancelled
            )
        }))
}

/// When the commune accepts a birth's dossier change: the application
/// that declared it, now for the child (its open marker moved from the
/// due date to the child), in the decision's transaction.
pub async fn linked(app: &AppState, r: &RequestRecord, child: &Child) -> ApiResult<Vec<Write>> {
    let Some(mut a) = of_family(app, &r.family_id)
        .await?
        .into_iter()
        .find(|a| a.birth_request_id.as_deref() == Some(r.id.as_str()))
    else {
        return Ok(Vec::new());
    };
    let before = a.version;
    let old_marker = a.open_marker();
    a.child_id = Some(child.id.clone());
    a.child = child.full_name();
    a.birth_date = Some(child.birth_date);
    a.version += 1;
    let mut writes = vec![Write::Put {
        item: item(&a)?,
        condition: Some(Condition::VersionIs(before)),
    }];
    // Its request, in Mes demandes and the queue, names the child now.
    if let Some(mut request) = crate::requests::store::load(app, &a.request_id).await? {
        let previous = request.version;
        request.description = format!("Préinscription crèche\u{a0}: {}", a.child);
        request.child_id = Some(child.id.clone());
        if let Some(details) = request.details.as_object_mut() {
            details.insert("child".into(), a.child.clone().into());
        }
        request.version += 1;
        writes.push(crate::requests::store::save(&request, previous)?);
    }
    if a.status.is_open() {
        let mut marker = Item::new(a.open_marker());
        marker.set("application_id", a.id.clone().into());
        writes.push(Write::Delete {
            key: old_marker,
            condition: None,
        });
        writes.push(Write::put(marker));
    }
    Ok(writes)
}
