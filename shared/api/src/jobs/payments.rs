//! The polling of online payments: a notification can be lost, and a payer
//! can close the payment page. Every run asks the payment service about the
//! payments still pending after [`SETTLE_AFTER_SECONDS`] and applies the
//! result (once, as the notification would); a payment with no result after
//! [`online::IN_PROGRESS_MINUTES`] is abandoned and its invoice free to pay
//! again. Pending payments are found through the sparse GSI2 partition
//! `PAYPENDING` (sorted by creation), never by scanning; a run handles at
//! most [`BATCH`] of them, the oldest first.

use chrono::Duration;
use marelle_domain::keys;
use marelle_domain::ports::store::{Index, Query, SkCondition};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::billing::online::{self, OnlinePayment, OnlineState};
use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// How long a payment is left to its notification before it is polled.
pub const SETTLE_AFTER_SECONDS: i64 = 120;
/// Payments handled per run, at most.
pub const BATCH: usize = 25;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// Pending payments looked at.
    pub checked: usize,
    pub paid: usize,
    pub refused: usize,
    /// Abandoned by the payer, or without a result for too long.
    pub abandoned: usize,
    /// Still pending (asked again on the next run).
    pub pending: usize,
    /// The payment service or the store failed for these.
    pub failed: usize,
}

/// One run, at the portal's clock.
pub async fn run_once(app: &AppState) -> ApiResult<Report> {
    let now = app.clock.now();
    let before = online::instant(now - Duration::seconds(SETTLE_AFTER_SECONDS));
    let page = app
        .store
        .query(
            Query::on(Index::Gsi2, keys::PAYMENTS_PENDING)
                .sk(SkCondition::Below(before))
                .limit(BATCH),
        )
        .await?;
    let mut report = Report::default();
    for item in page.items {
        report.checked += 1;
        let Ok(listed) = item.data::<OnlinePayment>() else {
            report.failed += 1;
            continue;
        };
        // The index may lag: the table's item is the truth.
        let current = match app
            .store
            .get(&keys::online_payment(&listed.family_id, &listed.id))
            .await
        {
            Ok(Some(i)) => match i.data::<OnlinePayment>() {
                Ok(o) => o,
                Err(_) => {
                    report.failed += 1;
                    continue;
                }
            },
            Ok(None) => continue,
            Err(_) => {
                report.failed += 1;
                continue;
            }
        };
        let too_old = now - current.created_at >= Duration::minutes(online::IN_PROGRESS_MINUTES);
        let settled = online::settle(app, current.clone()).await;
        let state = match settled {
            Ok(o) if o.state != OnlineState::Pending => o.state,
            Ok(o) if too_old => abandon(app, &o, &mut report).await,
            Ok(_) => OnlineState::Pending,
            Err(e) => {
                tracing::warn!(idop = %current.idop, code = %e.code, "online payment not settled");
                if too_old {
                    abandon(app, &current, &mut report).await
                } else {
                    report.failed += 1;
                    continue;
                }
            }
        };
        match state {
            OnlineState::Paid => report.paid += 1,
            OnlineState::Refused => report.refused += 1,
            OnlineState::Abandoned => report.abandoned += 1,
            OnlineState::Pending => report.pending += 1,
        }
    }
    Ok(report)
}

async fn abandon(app: &AppState, o: &OnlinePayment, report: &mut Report) -> OnlineState {
    match online::abandon(app, o).await {
        Ok(_) => OnlineState::Abandoned,
        Err(e) => {
            tracing::warn!(idop = %o.idop, code = %e.code, "online payment not abandoned");
            report.failed += 1;
            OnlineState::Pending
        }
    }
}
