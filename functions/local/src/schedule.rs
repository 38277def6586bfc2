//! The in-process schedule of `marelle serve`: the processing digest at
//! 13:00 and 18:00 Europe/Paris, on the portal's clock (which the dev mode
//! can move). Off with `--no-schedule`, when an outside scheduler runs
//! `marelle digest` instead.

use std::time::Duration;

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
