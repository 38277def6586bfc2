//! A family's quotients familiaux: the `FAMILY#<id>` / `Q#QF` item (the
//! list, at most [`MAX_QUOTIENTS`], and the agent's residence override),
//! versioned. Agents set their own quotients; those from the dossier are
//! added when an agent accepts a dossier change that sets the fiscal
//! information's quotient familial ([`from_dossier`]), in the acceptance's
//! transaction.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{Days, Months, NaiveDate};
use marelle_domain::accounts::FieldError;
use marelle_domain::invoicing::{Quotient, QuotientSource};
use marelle_domain::keys;
use marelle_domain::ports::StoreError;
use marelle_domain::ports::store::{Condition, Item, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody};
use crate::http::state::AppState;

/// Quotients a family keeps, at most.
pub const MAX_QUOTIENTS: usize = 50;

/// The stored item's data (docs/invoicing.md, Store layout).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QuotientsItem {
    #[serde(default)]
    pub quotients: Vec<Quotient>,
    /// Set by an agent; absent: from the address.
    #[serde(default)]
    pub resident: Option<bool>,
    #[serde(default)]
    pub version: i64,
}

/// A quotient an agent sets (an attestation brought to the town hall).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentQuotient {
    /// In euros.
    pub euros: u32,
    pub dated: NaiveDate,
    /// The last day it holds.
    pub valid_until: NaiveDate,
}

/// What an agent writes: the agent's quotients (those from the dossier
/// stay as they are), the residence override, the version read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotientsUpdate {
    pub quotients: Vec<AgentQuotient>,
    /// `true`: in the commune, `false`: outside; absent or null: from the
    /// first guardian's address.
    #[serde(default)]
    pub resident: Option<bool>,
    /// The version read (0: none yet).
    pub version: i64,
}

/// A family's quotients as the agents' page shows them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuotientsView {
    pub family_id: String,
    /// Most recent first.
    pub quotients: Vec<Quotient>,
    pub resident: Option<bool>,
    /// 0: nothing stored yet.
    pub version: i64,
}

fn unknown_family() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_family",
        "Cette famille n'existe pas.",
    )
}

async fn family_exists(app: &AppState, id: &str) -> ApiResult<bool> {
    if id.is_empty() || id.len() > 40 || id.contains('#') {
        return Ok(false);
    }
    Ok(app.store.get(&keys::family(id)).await?.is_some())
}

/// The family's quotients item, if any.
pub async fn load(app: &AppState, family_id: &str) -> ApiResult<Option<QuotientsItem>> {
    match app.store.get(&keys::quotients(family_id)).await? {
        Some(item) => Ok(Some(item.data()?)),
        None => Ok(None),
    }
}

fn view(family_id: &str, item: QuotientsItem) -> QuotientsView {
    let mut quotients = item.quotients;
    quotients.sort_by_key(|q| std::cmp::Reverse((q.dated, q.valid_until)));
    QuotientsView {
        family_id: family_id.to_string(),
        quotients,
        resident: item.resident,
        version: item.version,
    }
}

/// The write of `item` (its version bumped), on the item as read: none
/// (absent), or its version (0: an item seeded without one).
fn put(family_id: &str, item: &QuotientsItem, read: Option<i64>) -> ApiResult<Write> {
    Ok(Write::Put {
        item: Item::with_data(keys::quotients(family_id), item)?,
        condition: Some(version_condition(read)),
    })
}

/// The condition of a versioned write on what was read.
pub fn version_condition(read: Option<i64>) -> Condition {
    match read {
        None => Condition::NotExists,
        Some(0) => Condition::Exists,
        Some(v) => Condition::VersionIs(v),
    }
}

/// `GET /api/agent/families/{id}/quotients`.
#[utoipa::path(get, path = "/api/agent/families/{id}/quotients", params(("id" = String, Path)), operation_id = "read_family_quotients", tag = "agent",
    responses((status = 200, description = "Les quotients familiaux de la famille et sa résidence", body = QuotientsView),
              (status = 403, description = "Réservé aux agents", body = Problem),
              (status = 404, description = "`unknown_family`", body = Problem)))]
pub async fn read(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<QuotientsView>> {
    if !family_exists(&app, &id).await? {
        return Err(unknown_family());
    }
    let item = load(&app, &id).await?.unwrap_or_default();
    Ok(Json(view(&id, item)))
}

/// `PUT /api/agent/families/{id}/quotients`: the agent's quotients and the
/// residence override, written if nobody wrote since `version`.
#[utoipa::path(put, path = "/api/agent/families/{id}/quotients", params(("id" = String, Path)), operation_id = "write_family_quotients", tag = "agent", request_body = QuotientsUpdate,
    responses((status = 200, description = "Quotients enregistrés", body = QuotientsView),
              (status = 400, description = "Corps illisible, champ inconnu ou manquant", body = Problem),
              (status = 403, description = "Réservé aux agents", body = Problem),
              (status = 404, description = "`unknown_family`", body = Problem),
              (status = 409, description = "`conflict` : modifiés entre-temps (version périmée)", body = Problem),
              (status = 413, description = "Corps trop volumineux", body = Problem),
              (status = 422, description = "Chacune sur son champ : `qf_too_high`, `qf_validity`, `too_many_quotients`", body = Problem)))]
pub async fn write(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<QuotientsUpdate>,
) -> ApiResult<Json<QuotientsView>> {
    if !family_exists(&app, &id).await? {
        return Err(unknown_family());
    }
    let stored = load(&app, &id).await?;
    let read = stored.as_ref().map(|o| o.version);
    let old = stored.unwrap_or_default();
    if body.version != old.version {
        return Err(stale());
    }
    let mut quotients: Vec<Quotient> = old
        .quotients
        .iter()
        .filter(|q| q.source == QuotientSource::Dossier)
        .copied()
        .collect();
    let mut errors = Vec::new();
    if quotients.len() + body.quotients.len() > MAX_QUOTIENTS {
        errors.push(FieldError::new(
            "quotients",
            "too_many_quotients",
            format!("Une famille garde au plus {MAX_QUOTIENTS} quotients familiaux : retirez les plus anciens."),
        ));
    }
    for (i, q) in body.quotients.iter().take(MAX_QUOTIENTS).enumerate() {
        let q = Quotient {
            euros: q.euros,
            dated: q.dated,
            valid_until: q.valid_until,
            source: QuotientSource::Agent,
        };
        match q.validate() {
            Ok(()) => quotients.push(q),
            Err(e) => errors.extend(e.into_iter().map(|mut e| {
                e.field = format!("quotients[{i}].{}", e.field);
                e
            })),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let item = QuotientsItem {
        quotients,
        resident: body.resident,
        version: old.version + 1,
    };
    match app.store.transact(vec![put(&id, &item, read)?]).await {
        Ok(()) => Ok(Json(view(&id, item))),
        Err(StoreError::ConditionFailed { .. }) => Err(stale()),
        Err(e) => Err(e.into()),
    }
}

fn stale() -> ApiError {
    ApiError::changed_meanwhile(
        "Les quotients familiaux de cette famille ont été modifiés entre-temps. Rechargez la page et recommencez.",
    )
}

/// The validity of a quotient taken from the dossier on `day`: one year,
/// until the day before the same date next year (a CAF attestation is
/// renewed yearly; the agent may set another one sooner).
pub fn dossier_validity(day: NaiveDate) -> NaiveDate {
    day.checked_add_months(Months::new(12))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(day)
}

/// `quotients` with the dossier's `euros` dated `day`: unchanged (None)
/// when a quotient of the same amount already holds that day; otherwise
/// appended, and when over [`MAX_QUOTIENTS`], the oldest expired ones
/// dropped first, then the oldest.
pub fn with_dossier_quotient(
    quotients: &[Quotient],
    euros: u32,
    day: NaiveDate,
) -> Option<Vec<Quotient>> {
    if quotients
        .iter()
        .any(|q| q.euros == euros && q.on(day).is_some())
    {
        return None;
    }
    let mut next = quotients.to_vec();
    next.push(Quotient {
        euros,
        dated: day,
        valid_until: dossier_validity(day),
        source: QuotientSource::Dossier,
    });
    while next.len() > MAX_QUOTIENTS {
        // Expired first (ended before `day`), then by end, then by date.
        let drop = next
            .iter()
            .enumerate()
            .min_by_key(|(_, q)| (q.valid_until >= day, q.valid_until, q.dated))
            .map(|(i, _)| i)?;
        next.remove(drop);
    }
    Some(next)
}

/// The write that records the dossier's quotient familial `euros`, decided
/// on `day`, for the acceptance's transaction (conditional on the item's
/// version: a concurrent write makes the decision retry). None: nothing to
/// write (the same quotient already holds).
pub async fn from_dossier(
    app: &AppState,
    family_id: &str,
    euros: u32,
    day: NaiveDate,
) -> ApiResult<Option<Write>> {
    let stored = load(app, family_id).await?;
    let read = stored.as_ref().map(|o| o.version);
    let old = stored.unwrap_or_default();
    let Some(quotients) = with_dossier_quotient(&old.quotients, euros, day) else {
        return Ok(None);
    };
    let item = QuotientsItem {
        quotients,
        resident: old.resident,
        version: old.version + 1,
    };
    put(family_id, &item, read).map(Some)
}

/// The quotients item of a family created with a quotient familial in its
/// fiscal information (an agent's new file): that quotient, from the
/// dossier, dated `day`, for a year.
pub fn new_family_write(family_id: &str, euros: u32, day: NaiveDate) -> ApiResult<Write> {
    let item = QuotientsItem {
        quotients: with_dossier_quotient(&[], euros, day).unwrap_or_default(),
        resident: None,
        version: 1,
    };
    put(family_id, &item, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn a_dossier_quotient_holds_a_year_less_a_day() {
        assert_eq!(dossier_validity(d(2027, 3, 15)), d(2028, 3, 14));
        assert_eq!(dossier_validity(d(2027, 1, 1)), d(2027, 12, 31));
        assert_eq!(dossier_validity(d(2028, 2, 29)), d(2029, 2, 27));
    }

    #[test]
    fn the_same_quotient_is_not_added_twice_and_the_list_is_bounded() {
        let day = d(2027, 3, 15);
        let one = with_dossier_quotient(&[], 650, day).unwrap_or_default();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].source, QuotientSource::Dossier);
        assert_eq!(one[0].valid_until, d(2028, 3, 14));
        assert_eq!(with_dossier_quotient(&one, 650, d(2027, 6, 1)), None);
        let two = with_dossier_quotient(&one, 700, d(2027, 6, 1)).unwrap_or_default();
        assert_eq!(two.len(), 2);
        // Full: the oldest expired one goes.
        let full: Vec<Quotient> = (0..MAX_QUOTIENTS as u64)
            .map(|i| Quotient {
                euros: 100 + i as u32,
                dated: d(2000, 1, 1) + Days::new(i * 400),
                valid_until: d(2000, 1, 1) + Days::new(i * 400 + 30),
                source: QuotientSource::Agent,
            })
            .collect();
        let next = with_dossier_quotient(&full, 5, d(2060, 1, 1)).unwrap_or_default();
        assert_eq!(next.len(), MAX_QUOTIENTS);
        assert!(!next.iter().any(|q| q.euros == 100));
        assert!(next.iter().any(|q| q.euros == 5));
    }
}
