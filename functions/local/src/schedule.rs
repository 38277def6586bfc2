//! The in-process schedule of `marelle serve`: the processing digest at
//! 13:00 and 18:00 Europe/Paris, on the portal's clock (which the dev mode
//! can move). Off with `--no-schedule`, when an outside scheduler runs
//! `marelle digest` instead. Beside it, always on, the sweep of uploads
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
