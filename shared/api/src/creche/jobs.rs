//! The crèche's daily job (07:00 Europe/Paris), and the e-mails to a
//! family about its applications. One [`run`] serves the in-process
//! schedule of `marelle serve`, `marelle creche-jobs` and the `creche`
//! Lambda's scheduled event.
//!
//! Open applications are in a sparse index (GSI3, `CRECHEDUE`) sorted by
//! the day the job next has something to do on them
//! ([`marelle_domain::creche::jobs`]): the reminder 15 days before
//! `renew_before`, the closing the day after it, an offer's lapse on its
//! deadline's day. A run reads only the days up to today, page by page,
//! never scanning; a final application leaves the index.
//!
//! Each step is claimed by a write of the application conditioned on the
//! version read (the reminder recorded, the application closed, the lapse
//! in its history) before any e-mail: of two runs at once, one wins, the
//! other sends nothing. A failed reminder is taken back for the next run;
//! a failed closing or lapse e-mail is not sent again (at most once, never
//! twice).

use chrono::{DateTime, Utc};
use marelle_domain::accounts::Account;
use marelle_domain::creche::jobs::Due;
use marelle_domain::creche::{Action, Status};
use marelle_domain::emails::{self, Message};
use marelle_domain::keys;
use marelle_domain::ports::Cursor;
use marelle_domain::ports::store::{Condition, Index, Query, SkCondition, Write};
use marelle_domain::requests::Actor;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::applications::{Change, act};
use super::store::{self, Application, Event, HistoryEntry, MAX_HISTORY};
use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// Items read per page of the index.
const PAGE: usize = 100;
/// Applications one run looks at, at most (the next run takes the rest).
pub const MAX_PER_RUN: usize = 10_000;
/// Who closes an application not confirmed (the request's `decided_by`).
pub const JOB: &str = "creche-jobs";
/// The history line of a lapsed offer.
pub const LAPSED: &str = "Proposition non acceptée dans le délai";

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// The day the run is for (Europe/Paris), `2026-12-07`.
    pub day: String,
    /// Renewal reminders sent.
    pub reminded: usize,
    /// Applications closed, not confirmed in time.
    pub closed: usize,
    /// Offers recorded as lapsed.
    pub lapsed: usize,
    /// Steps left out: done by another run meanwhile, nobody reading the
    /// family's e-mails.
    pub skipped: usize,
    /// E-mails that failed (a reminder is tried again by the next run).
    pub failed: usize,
}

/// Runs the job for `now`.
pub async fn run(app: &AppState, now: DateTime<Utc>) -> ApiResult<Report> {
    let today = marelle_domain::time::local_date(now);
    let mut report = Report {
        day: today.format("%Y-%m-%d").to_string(),
        ..Report::default()
    };
    let until = format!("{}$", today.format("%Y-%m-%d"));
    let mut cursor: Option<Cursor> = None;
    let mut seen = 0;
    loop {
        let page = app
            .store
            .query(
                Query::on(Index::Gsi3, keys::CRECHE_DUE)
                    .sk(SkCondition::AtMost(until.clone()))
                    .limit(PAGE)
                    .after(cursor),
            )
            .await?;
        for item in &page.items {
            seen += 1;
            let a: Application = match item.data() {
                Ok(a) => a,
                Err(e) => {
                    tracing::error!(error = %e, "crèche application unreadable");
                    report.failed += 1;
                    continue;
                }
            };
            match a.pending().due(now) {
                None => {}
                Some(Due::Remind) => remind(app, a, &mut report).await?,
                Some(Due::Close) => close(app, a, &mut report).await?,
                Some(Due::Lapse) => lapse(app, a, now, &mut report).await?,
            }
        }
        cursor = page.cursor;
        if cursor.is_none() || seen >= MAX_PER_RUN {
            break;
        }
    }
    Ok(report)
}

/// Saves `next`, only if the application is still at `before`'s version.
/// False when another run (or the family, or an agent) changed it.
async fn claim(app: &AppState, next: &Application, version: i64) -> ApiResult<bool> {
    let write = Write::Put {
        item: store::item(next)?,
        condition: Some(Condition::VersionIs(version)),
    };
    match app.store.transact(vec![write]).await {
        Ok(()) => Ok(true),
        Err(e) if e.is_condition_failed() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

async fn remind(app: &AppState, a: Application, report: &mut Report) -> ApiResult<()> {
    let mut next = a.clone();
    next.reminded_for = Some(a.renew_before);
    next.version += 1;
    if !claim(app, &next, a.version).await? {
        report.skipped += 1;
        return Ok(());
    }
    let sent = send(app, &a.family_id, |to, greeting| {
        emails::creche::renewal_reminder(
            to,
            greeting,
            &app.commune,
            &a.id,
            &child_of(&a),
            a.renew_before,
        )
    })
    .await?;
    match sent {
        Sent::Sent => report.reminded += 1,
        Sent::Nobody => report.skipped += 1,
        Sent::Failed => {
            // Taken back: the next run tries again.
            let mut back = next.clone();
            back.reminded_for = a.reminded_for;
            back.version += 1;
            claim(app, &back, next.version).await?;
            report.failed += 1;
        }
    }
    Ok(())
}

async fn close(app: &AppState, a: Application, report: &mut Report) -> ApiResult<()> {
    let renew_before = a.renew_before;
    let message = format!(
        "Demande non confirmée avant le {}\u{a0}: elle est clôturée.",
        marelle_domain::calendar::long_date(renew_before)
    );
    let closed = act(
        app,
        a,
        Change {
            action: Action::SetStatus(Status::Closed),
            by: Actor::Commune,
            // No agent: the decision is the job's.
            account_id: JOB.into(),
            message: Some(message),
            offer: None,
        },
    )
    .await;
    let a = match closed {
        Ok(a) => a,
        Err(e) => {
            // Changed meanwhile (renewed, closed by another run…).
            tracing::info!(error = ?e, "crèche application not closed");
            report.skipped += 1;
            return Ok(());
        }
    };
    report.closed += 1;
    let sent = send(app, &a.family_id, |to, greeting| {
        emails::creche::closed(
            to,
            greeting,
            &app.commune,
            &a.id,
            &child_of(&a),
            renew_before,
        )
    })
    .await?;
    if sent == Sent::Failed {
        report.failed += 1;
    }
    Ok(())
}

async fn lapse(
    app: &AppState,
    a: Application,
    now: DateTime<Utc>,
    report: &mut Report,
) -> ApiResult<()> {
    let mut next = a.clone();
    next.status = Status::Waiting;
    if next.history.len() < MAX_HISTORY {
        next.history.push(HistoryEntry {
            at: now,
            event: Event::Lapsed,
            status: Status::Waiting,
            by: Actor::Commune,
            message: Some(LAPSED.into()),
        });
    }
    next.version += 1;
    if !claim(app, &next, a.version).await? {
        report.skipped += 1;
        return Ok(());
    }
    report.lapsed += 1;
    let Some(o) = &a.offer else {
        return Ok(());
    };
    // Claimed above: sent at most once (a failure is not sent again).
    let sent = send(app, &a.family_id, |to, greeting| {
        emails::creche::lapsed(
            to,
            greeting,
            &app.commune,
            &a.id,
            &child_of(&a),
            &o.structure,
            o.deadline,
        )
    })
    .await?;
    if sent == Sent::Failed {
        report.failed += 1;
    }
    Ok(())
}

/// The child as an e-mail names it: "Noé DUPONT", or "l'enfant à naître
/// (Léa)".
fn child_of(a: &Application) -> String {
    match a.child.strip_prefix("Enfant ") {
        Some(rest) if a.child_id.is_none() => format!("l'enfant {rest}"),
        _ => a.child.clone(),
    }
}

/// What became of an e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Sent,
    /// Nobody reads the family's e-mails (none accepted, no account).
    Nobody,
    Failed,
}

/// An e-mail to the accounts of a family, unless it refused e-mails.
pub async fn send(
    app: &AppState,
    family_id: &str,
    build: impl FnOnce(&str, &str) -> Message,
) -> ApiResult<Sent> {
    let mut reads = 0;
    let (accounts, _) = crate::jobs::digest::recipients(app, family_id, &mut reads).await?;
    if accounts.is_empty() {
        return Ok(Sent::Nobody);
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
    let message = build(&to, &greeting);
    Ok(match crate::http::mail::send(app, &message).await {
        Ok(_) => Sent::Sent,
        Err(_) => Sent::Failed,
    })
}

/// The offer e-mail, after the offer is saved; a failure is logged, the
/// offer stands (the family reads it in its space).
pub async fn offer_mail(app: &AppState, a: &Application) {
    if let Err(e) = offer_mail_sent(app, a).await {
        tracing::error!(error = ?e, application = %a.id, "offer e-mail not sent");
    }
}

/// The offer e-mail of `a`'s offer, and what became of it.
pub async fn offer_mail_sent(app: &AppState, a: &Application) -> ApiResult<Sent> {
    let Some(o) = &a.offer else {
        return Ok(Sent::Nobody);
    };
    send(app, &a.family_id, |to, greeting| {
        emails::creche::offer(
            to,
            greeting,
            &app.commune,
            &emails::creche::OfferMail {
                application_id: &a.id,
                child: &child_of(a),
                structure: &o.structure,
                start_date: o.start_date,
                hours_per_week: o.hours_per_week,
                deadline: o.deadline,
            },
        )
    })
    .await
}
