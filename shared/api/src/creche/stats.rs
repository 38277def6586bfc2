//! The crèche statistics agents read: per month of a year, the
//! applications that became final in each final state (the `CRECHESTATS`
//! counters the lifecycle keeps, no personal data, kept after the
//! applications are deleted), and the open applications by state now.
//!
//! Bounded: one query of at most 12 months × 4 final states counters, and
//! the open applications read from the daily job's index (open ones only),
//! [`MAX_OPEN_COUNTED`] at most; past it, `open_complete` is false.

use axum::Json;
use axum::extract::State;
use chrono::Datelike;
use marelle_domain::creche::Status;
use marelle_domain::keys;
use marelle_domain::ports::Cursor;
use marelle_domain::ports::Index;
use marelle_domain::ports::store::Query;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::Application;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, UrlQuery};
use crate::http::state::AppState;

/// Open applications counted at most (pages of the daily job's index).
pub const MAX_OPEN_COUNTED: usize = 5_000;
/// The first year asked for.
pub const FIRST_YEAR: i32 = 2000;
const PAGE: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsParams {
    /// The year of closing (Europe/Paris), 2000 to next year; this year
    /// when absent.
    pub year: Option<i32>,
}

/// Applications that became final in a month, per final state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthStats {
    /// `2026-03`.
    pub month: String,
    /// A place accepted.
    pub accepted: u64,
    /// A place declined by the family.
    pub declined: u64,
    /// Withdrawn by the family.
    pub withdrawn: u64,
    /// Closed by the commune, or not confirmed in time.
    pub closed: u64,
}

/// Open applications by the state they read now (a lapsed offer reads
/// `waiting`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpenStats {
    pub submitted: u64,
    pub incomplete: u64,
    pub under_review: u64,
    pub waiting: u64,
    pub offered: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CrecheStats {
    pub year: i32,
    /// The 12 months of the year, January first.
    pub months: Vec<MonthStats>,
    pub open: OpenStats,
    /// False when there were more than 5,000 open applications to count
    /// (the counts are of the first 5,000).
    pub open_complete: bool,
}

/// `GET /api/agent/creche/stats`: the year's final states per month, and
/// the open applications now.
#[utoipa::path(get, path = "/api/agent/creche/stats", operation_id = "read_creche_stats", tag = "agent", params(StatsParams),
    responses(
        (status = 200, description = "Les statistiques de l'année", body = CrecheStats),
        (status = 400, description = "`invalid_parameter`, `unknown_parameter`", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 422, description = "`invalid_year`", body = Problem),
    ))]
pub async fn read(
    State(app): State<AppState>,
    Agent(_): Agent,
    UrlQuery(q): UrlQuery<StatsParams>,
) -> ApiResult<Json<CrecheStats>> {
    let now = app.clock.now();
    let this_year = marelle_domain::time::local_date(now).year();
    let year = q.year.unwrap_or(this_year);
    if !(FIRST_YEAR..=this_year + 1).contains(&year) {
        return Err(ApiError::rule(
            "invalid_year",
            format!(
                "L'année doit être comprise entre {FIRST_YEAR} et {}.",
                this_year + 1
            ),
        ));
    }
    let mut months: Vec<MonthStats> = (1..=12)
        .map(|m| MonthStats {
            month: format!("{year:04}-{m:02}"),
            ..MonthStats::default()
        })
        .collect();
    let partition = keys::creche_stat("", "").pk;
    // 48 counters at most: one page.
    let page = app
        .store
        .query(
            Query::new(partition)
                .begins_with(format!("{year:04}-"))
                .limit(100),
        )
        .await?;
    for item in &page.items {
        let (Some(month), Some(status)) = (item.sk().get(..7), item.str_attr("status")) else {
            continue;
        };
        let count = item
            .get("count")
            .and_then(serde_json::Value::as_i64)
            .map_or(0, |c| c.max(0) as u64);
        let Some(m) = months.iter_mut().find(|m| m.month == month) else {
            continue;
        };
        match status {
            "accepted" => m.accepted += count,
            "declined" => m.declined += count,
            "withdrawn" => m.withdrawn += count,
            "closed" => m.closed += count,
            _ => {}
        }
    }
    let mut open = OpenStats::default();
    let mut counted = 0;
    let mut cursor: Option<Cursor> = None;
    let open_complete = loop {
        let page = app
            .store
            .query(
                Query::on(Index::Gsi3, keys::CRECHE_DUE)
                    .limit(PAGE.min(MAX_OPEN_COUNTED - counted))
                    .after(cursor),
            )
            .await?;
        for item in &page.items {
            counted += 1;
            let Ok(a) = item.data::<Application>() else {
                continue;
            };
            match a.status_at(now) {
                Status::Submitted => open.submitted += 1,
                Status::Incomplete => open.incomplete += 1,
                Status::UnderReview => open.under_review += 1,
                Status::Waiting => open.waiting += 1,
                Status::Offered => open.offered += 1,
                _ => {}
            }
        }
        cursor = page.cursor;
        if cursor.is_none() {
            break true;
        }
        if counted >= MAX_OPEN_COUNTED {
            break false;
        }
    };
    Ok(Json(CrecheStats {
        year,
        months,
        open,
        open_complete,
    }))
}
