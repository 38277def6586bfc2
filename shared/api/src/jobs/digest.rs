//! The processing digest ("Accusé de traitement"): at 13:00 and 18:00
//! Europe/Paris, one e-mail per family listing the requests decided in the
//! window that just closed. One [`run_once`] serves the in-process timer,
//! `marelle digest --at`, the dev route and the `digest` Lambda.
//!
//! - Decided requests are read through the sparse GSI3 keyed by window
//!   (`DIGEST#<window>`, sorted by family), never by scanning: the run
//!   streams families page by page, holding one family at a time.
//! - Each (window, family) e-mail is claimed by a conditional write before
//!   it is sent and marked sent after. The claim is a lease (its TTL):
//!   a run started twice skips what the other holds; a run that died
//!   leaves leases that lapse, and the next run takes them over; a failed
//!   send releases its claim at once, for the next run. The one gap is a
//!   process dying between the mail service accepting a message and the
//!   mark: that family would get it again.
//! - Sends are paced to a configurable rate (SES's per-second quota).

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use marelle_domain::accounts::Account;
use marelle_domain::digest_window::{Window, last_closed};
use marelle_domain::emails::digest::{DecidedLine, processing_digest};
use marelle_domain::keys;
use marelle_domain::ports::Cursor;
use marelle_domain::ports::store::{Condition, Index, Item, Key, Query, Update};
use marelle_domain::requests::{RequestKind, RequestRecord, RequestState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// How long a claim protects a family being sent to.
pub const LEASE_SECONDS: i64 = 120;
/// How long a "sent" mark is kept (runs never look further back).
pub const SENT_KEPT_DAYS: i64 = 60;
/// Items read per page of the window's index.
const PAGE: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// At most this many e-mails per second (`None`: no pacing).
    pub rate_per_second: Option<f64>,
    /// Stop after this many families handled (tests simulate a run that
    /// dies half way).
    pub stop_after: Option<usize>,
}

impl Options {
    /// Paced as the portal's settings say (`MARELLE_DIGEST_RATE`, read
    /// once at start).
    pub fn of(app: &AppState) -> Self {
        Self {
            rate_per_second: app.settings.digest_rate,
            stop_after: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// The window, `2026-11-28T13`.
    pub window: String,
    /// Families e-mailed by this run.
    pub sent: usize,
    /// Families left out: already sent (or being sent), no address, or
    /// e-mails refused.
    pub skipped: usize,
    /// Families whose e-mail failed (the next run tries again).
    pub failed: usize,
    /// Decided requests read.
    pub requests: usize,
    /// E-mails of earlier runs that had failed, sent by this one.
    pub retried: usize,
    /// Store reads made (pages of the index, per-family reads).
    pub store_reads: usize,
}

/// The partition of the e-mails to send again (a failed send).
const RETRIES: &str = "DIGESTRETRY";

fn retry_key(window: &Window, family_id: &str) -> Key {
    Key::new(RETRIES, format!("{}#{family_id}", window.id()))
}

fn claim_key(window: &Window, family_id: &str) -> Key {
    Key::new(
        format!("DIGESTRUN#{}", window.id()),
        format!("FAMILY#{family_id}"),
    )
}

/// The window a run at `now` is for: the last one closed at or before it.
pub fn window_at(now: DateTime<Utc>) -> Window {
    last_closed(now)
}

fn status(r: &RequestRecord) -> &'static str {
    match r.state {
        RequestState::Accepted => "Accepté",
        RequestState::Refused => "Refusé",
        RequestState::Cancelled => "Annulé",
        RequestState::Pending => "En attente",
    }
}

/// `children`: the family's children's first names, by id.
fn line(r: &RequestRecord, children: &HashMap<String, String>) -> DecidedLine {
    let message = r
        .history
        .iter()
        .rev()
        .find(|h| {
            !matches!(
                h.event,
                marelle_domain::requests::HistoryEvent::Submitted
                    | marelle_domain::requests::HistoryEvent::Message
            )
        })
        .and_then(|h| h.message.clone());
    let details = |f: &str| {
        r.details
            .get(f)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match (r.kind, r.date) {
        (RequestKind::Reservation | RequestKind::Absence, Some(date)) => DecidedLine {
            date,
            time: details("start").unwrap_or_default(),
            kind: r.kind.label().into(),
            activity: details("activity").unwrap_or_default(),
            child: r.child_id.as_ref().and_then(|c| children.get(c)).cloned(),
            day: true,
            status: status(r).into(),
            message,
        },
        _ => {
            let local = r.created_at.with_timezone(&marelle_domain::time::ZONE);
            DecidedLine {
                date: local.date_naive(),
                time: local.format("%H:%M").to_string(),
                kind: r.kind.label().into(),
                activity: r.description.clone(),
                child: r.child_id.as_ref().and_then(|c| children.get(c)).cloned(),
                day: false,
                status: status(r).into(),
                message,
            }
        }
    }
}

/// The accounts that read the family's e-mails, or none when the family
/// refused e-mails; and the children's first names, by id. `reads` counts
/// the store reads.
pub(crate) async fn recipients(
    app: &AppState,
    family_id: &str,
    reads: &mut usize,
) -> ApiResult<(Vec<Account>, HashMap<String, String>)> {
    let family = crate::family::store::load(app, family_id).await?;
    *reads += 1;
    let Some(family) = family else {
        return Ok(Default::default());
    };
    if !family.dossier.guardians.iter().any(|g| g.accepts_email) {
        return Ok(Default::default());
    }
    let children: HashMap<String, String> = family
        .dossier
        .children
        .iter()
        .map(|c| (c.id.clone(), c.first_name.clone()))
        .collect();
    let subs = app
        .store
        .query(Query::on(Index::Gsi1, keys::subscribers(family_id)).begins_with("SUB#"))
        .await?
        .items;
    *reads += 1;
    let account_keys: Vec<Key> = subs
        .iter()
        .filter_map(|s| s.pk().strip_prefix("ACCOUNT#").map(keys::account))
        .collect();
    if account_keys.is_empty() {
        return Ok(Default::default());
    }
    let accounts = app.store.get_many(&account_keys).await?;
    *reads += 1;
    let accounts = accounts
        .iter()
        .map(|a| Ok(a.data()?))
        .collect::<ApiResult<Vec<Account>>>()?;
    Ok((accounts, children))
}

/// The e-mail a family gets for `requests`, or none when nobody reads it.
async fn message_for(
    app: &AppState,
    family_id: &str,
    requests: &[RequestRecord],
    reads: &mut usize,
) -> ApiResult<Option<marelle_domain::emails::Message>> {
    let (accounts, children) = recipients(app, family_id, reads).await?;
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
    let lines: Vec<DecidedLine> = requests.iter().map(|r| line(r, &children)).collect();
    Ok(Some(processing_digest(
        &to,
        &greeting,
        &app.commune,
        &lines,
    )))
}

/// One family's e-mail: claimed, sent, marked; or skipped or failed.
enum Outcome {
    Sent,
    Skipped,
    Failed,
}

struct Run<'a> {
    app: &'a AppState,
    window: Window,
    report: Report,
    options: Options,
    last_send: Option<tokio::time::Instant>,
}

impl Run<'_> {
    async fn pace(&mut self) {
        if let Some(rate) = self.options.rate_per_second {
            let gap = StdDuration::from_secs_f64(1.0 / rate);
            if let Some(last) = self.last_send {
                tokio::time::sleep_until(last + gap).await;
            }
            self.last_send = Some(tokio::time::Instant::now());
        }
    }

    async fn family(&mut self, family_id: &str, requests: &[RequestRecord]) -> ApiResult<Outcome> {
        let key = claim_key(&self.window, family_id);
        let now = self.app.clock.now();
        let claim =
            Item::new(key.clone()).expires_at((now + Duration::seconds(LEASE_SECONDS)).timestamp());
        match self.app.store.put(claim, Some(Condition::NotExists)).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => return Ok(Outcome::Skipped),
            Err(e) => return Err(e.into()),
        }
        let message =
            message_for(self.app, family_id, requests, &mut self.report.store_reads).await?;
        let mark_done = |state: &'static str| {
            Update::new()
                .set("state", state)
                .set("ttl", (now + Duration::days(SENT_KEPT_DAYS)).timestamp())
        };
        let Some(message) = message else {
            self.app
                .store
                .update(&key, mark_done("skipped"), None)
                .await?;
            return Ok(Outcome::Skipped);
        };
        self.pace().await;
        match crate::http::mail::send(self.app, &message).await {
            Ok(_) => {
                self.app.store.update(&key, mark_done("sent"), None).await?;
                Ok(Outcome::Sent)
            }
            Err(_) => {
                // Released, and noted for the next run (whatever its
                // window) to send again.
                self.app.store.delete(&key, None).await?;
                let retry = Item::new(retry_key(&self.window, family_id))
                    .expires_at((now + Duration::days(SENT_KEPT_DAYS)).timestamp());
                self.app.store.put(retry, None).await?;
                Ok(Outcome::Failed)
            }
        }
    }
}

/// Sends the digest of the window closed at or before `now`, after the
/// e-mails earlier runs failed to send.
pub async fn run_once(app: &AppState, now: DateTime<Utc>, options: Options) -> ApiResult<Report> {
    let retried = retry_failed(app, &options).await?;
    let mut report = run_window(app, window_at(now), options).await?;
    report.retried = retried;
    Ok(report)
}

/// Sends again, each in its own window, the e-mails noted as failed.
pub async fn retry_failed(app: &AppState, options: &Options) -> ApiResult<usize> {
    let pending = app
        .store
        .query(Query::new(RETRIES).limit(1000))
        .await?
        .items;
    let mut sent = 0;
    for item in pending {
        let Some((window_id, family_id)) = item.sk().split_once('#') else {
            continue;
        };
        let Ok(window) = window_id.parse::<Window>() else {
            continue;
        };
        let requests: Vec<RequestRecord> = app
            .store
            .query(
                Query::on(Index::Gsi3, keys::digest_window(window_id))
                    .begins_with(format!("{family_id}#")),
            )
            .await?
            .items
            .iter()
            .map(|i| i.data())
            .collect::<Result<_, _>>()?;
        let mut run = Run {
            app,
            report: Report::default(),
            window,
            options: options.clone(),
            last_send: None,
        };
        match run.family(family_id, &requests).await? {
            Outcome::Sent => {
                app.store.delete(&item.key(), None).await?;
                sent += 1;
            }
            Outcome::Skipped => app.store.delete(&item.key(), None).await?,
            Outcome::Failed => {}
        }
    }
    Ok(sent)
}

/// Sends the digest of one window.
pub async fn run_window(app: &AppState, window: Window, options: Options) -> ApiResult<Report> {
    let mut run = Run {
        app,
        report: Report {
            window: window.id(),
            ..Report::default()
        },
        window,
        options,
        last_send: None,
    };
    let partition = keys::digest_window(&run.window.id());
    let mut cursor: Option<Cursor> = None;
    let mut current: Option<(String, Vec<RequestRecord>)> = None;
    let mut handled = 0usize;
    loop {
        let page = app
            .store
            .query(
                Query::on(Index::Gsi3, partition.clone())
                    .limit(PAGE)
                    .after(cursor),
            )
            .await?;
        run.report.store_reads += 1;
        for item in &page.items {
            let r: RequestRecord = item.data()?;
            run.report.requests += 1;
            match current.as_mut() {
                Some((family, list)) if *family == r.family_id => list.push(r),
                _ => {
                    if let Some((family, list)) = current.take() {
                        if run.options.stop_after.is_some_and(|n| handled >= n) {
                            return Ok(run.report);
                        }
                        tally(&mut run, &family, &list).await?;
                        handled += 1;
                    }
                    current = Some((r.family_id.clone(), vec![r]));
                }
            }
        }
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    if let Some((family, list)) = current.take()
        && run.options.stop_after.is_none_or(|n| handled < n)
    {
        tally(&mut run, &family, &list).await?;
    }
    tracing::info!(window = %run.report.window, sent = run.report.sent, skipped = run.report.skipped, failed = run.report.failed, "processing digest run");
    Ok(run.report)
}

async fn tally(run: &mut Run<'_>, family_id: &str, requests: &[RequestRecord]) -> ApiResult<()> {
    match run.family(family_id, requests).await? {
        Outcome::Sent => run.report.sent += 1,
        Outcome::Skipped => run.report.skipped += 1,
        Outcome::Failed => run.report.failed += 1,
    }
    Ok(())
}

/// A run waits this long after its boundary, so that a decision stamped
/// just before it is committed before the run reads the window.
pub const SETTLE_SECONDS: i64 = 30;

/// The next boundary (13:00 or 18:00 Paris) strictly after `now`.
pub fn next_boundary(now: DateTime<Utc>) -> DateTime<Utc> {
    marelle_domain::digest_window::window_of(now + Duration::nanoseconds(1)).end()
}

/// Most e-mails one preview shows.
pub const PREVIEW_MAX: usize = 20;

/// One e-mail of the coming processing digest, as it would leave now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreviewEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The processing digest of the window still open, as it stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DigestPreview {
    /// The open window, `2026-11-28T13`.
    pub window: String,
    /// When it closes and its e-mails leave (RFC 3339).
    pub sends_at: String,
    /// Families with a decision in the window so far, up to
    /// [`PREVIEW_MAX`]…
    pub families: usize,
    /// …and whether there are more.
    pub more: bool,
    /// Their e-mails, at most [`PREVIEW_MAX`] (families without a reader
    /// left out).
    pub emails: Vec<PreviewEmail>,
    /// Whether this portal keeps the e-mails it sends in an outbox agents
    /// can read (the local demo).
    pub outbox: bool,
}

/// What the window open at `now` would send if it closed now: nothing is
/// claimed, sent or written.
pub async fn preview(app: &AppState, now: DateTime<Utc>) -> ApiResult<DigestPreview> {
    let window = marelle_domain::digest_window::window_of(now);
    let partition = keys::digest_window(&window.id());
    let mut cursor: Option<Cursor> = None;
    let mut by_family: Vec<(String, Vec<RequestRecord>)> = Vec::new();
    // Reading stops at the first family past the preview's: a city's
    // window is never read whole for a look at it.
    let mut more = false;
    'pages: loop {
        let page = app
            .store
            .query(
                Query::on(Index::Gsi3, partition.clone())
                    .limit(PAGE)
                    .after(cursor),
            )
            .await?;
        for item in &page.items {
            let r: RequestRecord = item.data()?;
            let full = by_family.len() == PREVIEW_MAX;
            match by_family.last_mut() {
                Some((family, list)) if *family == r.family_id => list.push(r),
                _ if full => {
                    more = true;
                    break 'pages;
                }
                _ => by_family.push((r.family_id.clone(), vec![r])),
            }
        }
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    let mut emails = Vec::new();
    let mut reads = 0;
    for (family, requests) in &by_family {
        if let Some(message) = message_for(app, family, requests, &mut reads).await? {
            let e = marelle_domain::emails::build(&message, &app.commune, "apercu", now);
            emails.push(PreviewEmail {
                to: e.to,
                subject: e.subject,
                text: e.text.replace("\r\n", "\n"),
                html: e.html.replace("\r\n", "\n"),
            });
        }
    }
    Ok(DigestPreview {
        window: window.id(),
        sends_at: marelle_domain::time::rfc3339(window.end()),
        families: by_family.len(),
        more,
        emails,
        outbox: app.settings.outbox_readable,
    })
}
