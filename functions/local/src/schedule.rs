//! The in-process schedule of `marelle serve`: the processing digest at
//! 13:00 and 18:00 Europe/Paris, on the portal's clock (which the dev mode
//! can move), and the daily jobs at 07:00: supporting documents (expiry
//! e-mails, deletion of retired documents) and crèche applications
//! (renewal reminders and closings, lapsed offers). Off with
//! `--no-schedule`, when an outside scheduler runs `marelle digest`,
//! `marelle documents-expiry` and `marelle creche-jobs` instead. Beside it, always on, the sweep of uploads
//! nobody confirmed; and, with an online payment provider, the polling of
//! online payments every minute.

use std::sync::Arc;
use std::time::Duration;

use marelle_embedded::FolderBlobs;

use marelle_api::http::state::AppState;
use marelle_api::jobs::digest::{self, Options, SETTLE_SECONDS};
use marelle_domain::digest_window::{last_closed, window_of};

pub async fn digests(app: AppState) {
    // At start: the last window closed, in case a run was missed while the
    // portal was stopped (a run sends nothing twice).
    let mut next = run(&app, last_closed(app.clock.now())).await;
    loop {
        let now = app.clock.now();
        let due = next.end() + chrono::Duration::seconds(SETTLE_SECONDS);
        if now >= due {
            next = run(&app, next).await;
            continue;
        }
        // Look again at least every minute: the dev clock may jump.
        let wait = (due - now)
            .to_std()
            .unwrap_or_default()
            .min(Duration::from_secs(60));
        tokio::time::sleep(wait.max(Duration::from_millis(200))).await;
    }
}

/// Runs a window's digest; returns the window to run next.
async fn run(
    app: &AppState,
    window: marelle_domain::digest_window::Window,
) -> marelle_domain::digest_window::Window {
    match digest::run_window(app, window, Options::of(app)).await {
        Ok(r) => {
            tracing::info!(window = %r.window, sent = r.sent, skipped = r.skipped, failed = r.failed, "digest")
        }
        Err(e) => tracing::error!(window = %window.id(), error = %e.detail, "digest run failed"),
    }
    // Past windows the clock jumped over are caught up one by one.
    let after = window.next();
    let current = window_of(app.clock.now());
    if after < current { after } else { current }
}

/// The hour (Europe/Paris) of the daily job of supporting documents.
pub const DOCUMENTS_HOUR: u32 = 7;

/// The day whose 07:00 run is the latest due at `now`: today from 07:00,
/// yesterday before.
pub fn documents_due_day(now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    let local = now.with_timezone(&marelle_domain::time::ZONE);
    let today = local.date_naive();
    if chrono::Timelike::hour(&local) >= DOCUMENTS_HOUR {
        today
    } else {
        today.pred_opt().unwrap_or(today)
    }
}

/// Where the day of the last run is kept, so that a run missed while the
/// portal was stopped is caught up at start.
fn documents_run_key() -> marelle_domain::ports::store::Key {
    marelle_domain::ports::store::Key::new("JOBRUN", "DOCUMENTS")
}

async fn documents_last_run(app: &AppState) -> Option<chrono::NaiveDate> {
    let item = app.store.get(&documents_run_key()).await.ok()??;
    item.str_attr("day")?.parse().ok()
}

/// The daily job of supporting documents, at 07:00 Europe/Paris on the
/// portal's clock; at start, the latest day due if its run was missed.
/// A run sends no notice twice, so a clock moved back only runs again.
pub async fn documents(app: AppState) {
    let mut last = documents_last_run(&app).await;
    loop {
        let now = app.clock.now();
        let due = documents_due_day(now);
        if last != Some(due) {
            match marelle_api::documents::expiry::run(&app, now).await {
                Ok(r) => {
                    tracing::info!(day = %r.day, soon = r.soon, expired = r.expired, skipped = r.skipped, failed = r.failed, deleted = r.deleted, "supporting documents' daily job");
                    let mut item = marelle_domain::ports::store::Item::new(documents_run_key());
                    item.set("day", serde_json::Value::String(due.to_string()));
                    if let Err(e) = app.store.put(item, None).await {
                        tracing::warn!(error = %e, "day of the documents' job not recorded");
                    }
                    last = Some(due);
                }
                Err(e) => {
                    tracing::error!(error = %e.detail, "supporting documents' daily job failed")
                }
            }
        }
        // Look again every minute: the dev clock may jump.
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

fn creche_run_key() -> marelle_domain::ports::store::Key {
    marelle_domain::ports::store::Key::new("JOBRUN", "CRECHE")
}

/// The crèche's daily job (renewal reminders and closings, lapsed offers),
/// at 07:00 Europe/Paris beside the documents' job, on the portal's
/// clock; at start, the latest day due if its run was missed. Each step is
/// done once, so a clock moved back only runs again.
pub async fn creche(app: AppState) {
    let last_run = async {
        let item = app.store.get(&creche_run_key()).await.ok()??;
        item.str_attr("day")?.parse::<chrono::NaiveDate>().ok()
    };
    let mut last = last_run.await;
    loop {
        let now = app.clock.now();
        let due = documents_due_day(now);
        if last != Some(due) {
            match marelle_api::creche::jobs::run(&app, now).await {
                Ok(r) => {
                    tracing::info!(day = %r.day, reminded = r.reminded, closed = r.closed, lapsed = r.lapsed, skipped = r.skipped, failed = r.failed, "crèche daily job");
                    let mut item = marelle_domain::ports::store::Item::new(creche_run_key());
                    item.set("day", serde_json::Value::String(due.to_string()));
                    if let Err(e) = app.store.put(item, None).await {
                        tracing::warn!(error = %e, "day of the crèche job not recorded");
                    }
                    last = Some(due);
                }
                Err(e) => tracing::error!(error = %e.detail, "crèche daily job failed"),
            }
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// Every minute, asks the payment service about the online payments still
/// pending (a notification can be lost) and abandons the stale ones.
pub async fn online_payments(app: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match marelle_api::jobs::payments::run_once(&app).await {
            Ok(r) if r.checked > 0 => tracing::info!(
                checked = r.checked,
                paid = r.paid,
                refused = r.refused,
                abandoned = r.abandoned,
                pending = r.pending,
                failed = r.failed,
                "online payments polled"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.detail, "polling of online payments failed"),
        }
    }
}

/// How old an unconfirmed upload gets before the sweep removes it: a day,
/// as the S3 lifecycle rule on `staging/` (an upload URL works 10 minutes,
/// its record an hour).
pub const STAGING_MAX_AGE_HOURS: i64 = 24;

/// Every hour, removes the uploads never confirmed and the used upload
/// grants past their expiry.
pub async fn staging_sweep(blobs: Arc<FolderBlobs>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match blobs
            .sweep_staging(chrono::Duration::hours(STAGING_MAX_AGE_HOURS))
            .await
        {
            Ok(n) if n > 0 => tracing::info!(removed = n, "unconfirmed uploads removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweep of unconfirmed uploads failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_documents_job_is_due_for_today_from_7_in_paris() {
        let paris = |d: u32, h: u32, m: u32| {
            marelle_domain::time::ZONE
                .with_ymd_and_hms(2026, 12, d, h, m, 0)
                .single()
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default();
        assert_eq!(documents_due_day(paris(7, 6, 59)), day(6));
        assert_eq!(documents_due_day(paris(7, 7, 0)), day(7));
        assert_eq!(documents_due_day(paris(7, 23, 59)), day(7));
        // 06:30 UTC is 07:30 in Paris in winter.
        let utc = chrono::Utc
            .with_ymd_and_hms(2026, 12, 7, 6, 30, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(documents_due_day(utc), day(7));
    }
}
