//! The daily job of supporting documents (07:00 Europe/Paris): the expiry
//! e-mails, then the deletion of retired documents. One [`run`] serves the
//! in-process schedule of `marelle serve`, `marelle documents-expiry` and
//! the `documents` Lambda's scheduled event.
//!
//! - Expiry: accepted documents with an end are in a sparse index (GSI2,
//!   `DOCEXPIRY`) sorted by the day their next notice is due; a run reads
//!   only those due on or before today, page by page, never scanning. A
//!   notice is claimed by a conditional update of the document (its index
//!   key unchanged since read, still accepted) that records the day sent
//!   and moves the document to its next due day, or out of the index after
//!   the "expired" notice: of two runs at once, one wins the claim, the
//!   other sends nothing. A failed send releases the claim (the record is
//!   taken back and the index key restored), so the next run tries again.
//!   A process dying between the claim and the send loses that one notice
//!   (at most once, never twice).
//! - Retention: refused, replaced and cancelled documents are in another
//!   sparse index (GSI3, `DOCRETIRED`) sorted by the day retired; those
//!   retired `document_retention_days` ago or more lose their file, then
//!   their item. Their item's TTL is the store's own backstop.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::accounts::Account;
use marelle_domain::documents::DocumentType;
use marelle_domain::documents::expiry::{self, Notice};
use marelle_domain::emails::documents::{ExpiringDocument, document_expiry};
use marelle_domain::keys;
use marelle_domain::ports::Cursor;
use marelle_domain::ports::store::{Condition, Index, Query, SkCondition, Update, attr};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::upload::{StoredDocument, StoredState};
use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// Items read per page of an index.
const PAGE: usize = 100;
/// Documents one run looks at, at most, in each index (the next run takes
/// the rest).
pub const MAX_PER_RUN: usize = 10_000;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// The day the run is for (Europe/Paris), `2026-12-07`.
    pub day: String,
    /// "Bientôt expirée" notices sent.
    pub soon: usize,
    /// "Expirée" notices sent.
    pub expired: usize,
    /// Notices left out: claimed by another run, type withdrawn, nobody
    /// reading the family's e-mails.
    pub skipped: usize,
    /// Notices whose e-mail failed (the next run tries again).
    pub failed: usize,
    /// Retired documents deleted (file and item).
    pub deleted: usize,
    /// Retired documents whose file could not be deleted (kept for the
    /// next run).
    pub delete_failed: usize,
}

/// Runs the job for the day of `now` (Europe/Paris).
pub async fn run(app: &AppState, now: DateTime<Utc>) -> ApiResult<Report> {
    let today = marelle_domain::time::local_date(now);
    let mut report = Report {
        day: today.format("%Y-%m-%d").to_string(),
        ..Report::default()
    };
    notify(app, today, &mut report).await?;
    purge(app, today, &mut report).await?;
    Ok(report)
}

/// One page of `partition` on `index`, up to `until` (inclusive).
async fn page(
    app: &AppState,
    index: Index,
    partition: &str,
    until: NaiveDate,
    cursor: Option<Cursor>,
) -> ApiResult<marelle_domain::ports::store::Page> {
    Ok(app
        .store
        .query(
            Query::on(index, partition)
                .sk(SkCondition::AtMost(keys::documents_until(until)))
                .limit(PAGE)
                .after(cursor),
        )
        .await?)
}

/// Whether a document's type is still asked for (read once a run).
async fn type_active(
    app: &AppState,
    cache: &mut HashMap<String, bool>,
    type_id: &str,
) -> ApiResult<bool> {
    if let Some(active) = cache.get(type_id) {
        return Ok(*active);
    }
    let active = match app.store.get(&keys::document_type(type_id)).await? {
        Some(item) => item.data::<DocumentType>()?.active,
        None => false,
    };
    cache.insert(type_id.to_string(), active);
    Ok(active)
}

fn day(d: NaiveDate) -> Value {
    Value::String(d.format("%Y-%m-%d").to_string())
}

async fn notify(app: &AppState, today: NaiveDate, report: &mut Report) -> ApiResult<()> {
    let (_, gsi_sk) = attr::GSI[1];
    let mut types = HashMap::new();
    let mut cursor = None;
    let mut seen = 0;
    loop {
        let p = page(app, Index::Gsi2, keys::DOCUMENTS_EXPIRING, today, cursor).await?;
        for item in &p.items {
            seen += 1;
            let Some(sk) = item.str_attr(gsi_sk).map(str::to_string) else {
                continue;
            };
            let doc: StoredDocument = match item.data() {
                Ok(doc) => doc,
                Err(e) => {
                    // One unreadable item does not stop the others' notices.
                    tracing::error!(error = %e, "expiring document unreadable");
                    report.failed += 1;
                    continue;
                }
            };
            let (StoredState::Accepted, Some(end)) = (doc.state, doc.expires_on) else {
                continue;
            };
            let Some(notice) = expiry::notice_due(end, doc.sent(), today) else {
                continue;
            };
            if !type_active(app, &mut types, &doc.type_id).await? {
                report.skipped += 1;
                continue;
            }
            match notice_once(app, &doc, notice, &sk, today).await? {
                Outcome::Sent => match notice {
                    Notice::Soon => report.soon += 1,
                    Notice::Expired => report.expired += 1,
                },
                Outcome::Skipped => report.skipped += 1,
                Outcome::Failed => report.failed += 1,
            }
        }
        cursor = p.cursor;
        if cursor.is_none() || seen >= MAX_PER_RUN {
            break;
        }
    }
    Ok(())
}

enum Outcome {
    Sent,
    Skipped,
    Failed,
}

/// Claims, sends and (on failure) releases one notice.
async fn notice_once(
    app: &AppState,
    doc: &StoredDocument,
    notice: Notice,
    sk: &str,
    today: NaiveDate,
) -> ApiResult<Outcome> {
    let (gsi_pk, gsi_sk) = attr::GSI[1];
    let key = keys::document(&doc.family_id, &doc.id);
    let mark = match notice {
        Notice::Soon => "notified_soon_on",
        Notice::Expired => "notified_expired_on",
    };
    let mut claimed = doc.clone();
    match notice {
        Notice::Soon => claimed.notified_soon_on = Some(today),
        Notice::Expired => claimed.notified_expired_on = Some(today),
    }
    let mut claim = Update::new().set(mark, day(today));
    claim = match super::upload::next_notice_on(&claimed) {
        Some(next) => claim.set(gsi_sk, keys::document_on_day(next, &doc.family_id, &doc.id)),
        None => claim.remove(gsi_pk).remove(gsi_sk),
    };
    let unchanged = Condition::Equals(gsi_sk.into(), Value::String(sk.into()))
        .and(Condition::Equals("state".into(), "accepted".into()));
    match app.store.update(&key, claim, Some(unchanged)).await {
        Ok(_) => {}
        Err(e) if e.is_condition_failed() => return Ok(Outcome::Skipped),
        Err(e) => return Err(e.into()),
    }
    let message = match message_for(app, doc, notice).await {
        Ok(Some(message)) => message,
        // Nobody reads the family's e-mails: the notice stays claimed.
        Ok(None) => return Ok(Outcome::Skipped),
        Err(e) => {
            release(app, doc, mark, sk, today).await?;
            return Err(e);
        }
    };
    match crate::http::mail::send(app, &message).await {
        Ok(_) => Ok(Outcome::Sent),
        Err(_) => {
            release(app, doc, mark, sk, today).await?;
            Ok(Outcome::Failed)
        }
    }
}

/// Takes back a claim (the e-mail was not sent): the document back at
/// its place in the expiry index, for the next run.
async fn release(
    app: &AppState,
    doc: &StoredDocument,
    mark: &str,
    sk: &str,
    today: NaiveDate,
) -> ApiResult<()> {
    let (gsi_pk, gsi_sk) = attr::GSI[1];
    let release = Update::new()
        .remove(mark)
        .set(gsi_pk, keys::DOCUMENTS_EXPIRING)
        .set(gsi_sk, sk);
    let ours = Condition::Equals(mark.into(), day(today))
        .and(Condition::Equals("state".into(), "accepted".into()));
    let key = keys::document(&doc.family_id, &doc.id);
    match app.store.update(&key, release, Some(ours)).await {
        Ok(_) => Ok(()),
        // Replaced meanwhile: nothing to send any more.
        Err(e) if e.is_condition_failed() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The notice for the family's accounts, or none when nobody reads the
/// family's e-mails.
async fn message_for(
    app: &AppState,
    doc: &StoredDocument,
    notice: Notice,
) -> ApiResult<Option<marelle_domain::emails::Message>> {
    let mut reads = 0;
    let (accounts, children) =
        crate::jobs::digest::recipients(app, &doc.family_id, &mut reads).await?;
    if accounts.is_empty() {
        return Ok(None);
    }
    let to = accounts
        .iter()
        .map(|a| a.email.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let greeting = accounts
        .iter()
        .map(Account::greeting_name)
        .collect::<Vec<_>>()
        .join(", ");
    let child = doc
        .child_id
        .as_ref()
        .and_then(|c| children.get(c))
        .map(String::as_str);
    let Some(end) = doc.expires_on else {
        return Ok(None);
    };
    Ok(Some(document_expiry(
        &to,
        &greeting,
        &app.commune,
        notice,
        &ExpiringDocument {
            name: &doc.type_name,
            child,
            expires_on: end,
        },
    )))
}

async fn purge(app: &AppState, today: NaiveDate, report: &mut Report) -> ApiResult<()> {
    let (_, gsi_sk) = attr::GSI[2];
    let until = expiry::retired_until(today, app.settings.document_retention_days);
    let mut cursor = None;
    let mut seen = 0;
    loop {
        let p = page(app, Index::Gsi3, keys::DOCUMENTS_RETIRED, until, cursor).await?;
        for item in &p.items {
            seen += 1;
            let Some(sk) = item.str_attr(gsi_sk).map(str::to_string) else {
                continue;
            };
            let doc: StoredDocument = match item.data() {
                Ok(doc) => doc,
                Err(e) => {
                    tracing::error!(error = %e, "retired document unreadable");
                    report.delete_failed += 1;
                    continue;
                }
            };
            if let Err(e) = app.blobs.delete(&doc.blob).await {
                tracing::warn!(error = %e, blob = %doc.blob, "retired document's file not deleted");
                report.delete_failed += 1;
                continue;
            }
            // Only while still retired as read.
            let still = Condition::Equals(gsi_sk.into(), Value::String(sk));
            match app.store.delete(&item.key(), Some(still)).await {
                Ok(()) => report.deleted += 1,
                Err(e) if e.is_condition_failed() => {}
                Err(e) => return Err(e.into()),
            }
        }
        cursor = p.cursor;
        if cursor.is_none() || seen >= MAX_PER_RUN {
            break;
        }
    }
    Ok(())
}
