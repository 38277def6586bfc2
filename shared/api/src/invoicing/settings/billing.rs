//! An activity's billing settings and tariff: the `ACTIVITY#<id>` /
//! `BILLING` item (its régie, what it bills, its fees, its tariff's
//! versions), read and written whole by the agents, conditional on its
//! `version`. A tariff version in force on or before the day the régie
//! last issued (`INVSTATE#<régie>` / `STATE`, `issued_through`) is frozen.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use marelle_domain::accounts::FieldError;
use marelle_domain::invoicing::{ActivityBilling, BilledOn, Tariff, TariffVersion};
use marelle_domain::keys;
use marelle_domain::ports::StoreError;
use marelle_domain::ports::store::{Condition, Item, Write};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::billing::regies::Regie;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody};
use crate::http::state::AppState;
use crate::planning::store as planning;

/// The largest body of `PUT …/billing`: a tariff of 50 versions of 20
/// brackets each fits.
pub const MAX_BODY_BYTES: usize = 160 * 1024;

/// The stored item's data (docs/invoicing.md, Store layout).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BillingItem {
    pub regie_id: String,
    pub billed_on: BilledOn,
    #[serde(default)]
    pub unexcused_fee_cents: Option<i64>,
    #[serde(default)]
    pub unreserved_fee_cents: Option<i64>,
    pub tariff: Tariff,
    /// Absent on an item seeded without it: read as 0.
    #[serde(default)]
    pub version: i64,
}

/// An activity's billing settings, as an agent sets them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingSettings {
    /// An active régie of the commune.
    pub regie_id: String,
    /// Reserved days, or attended days.
    pub billed_on: BilledOn,
    /// Fee for an absence without excuse, in cents; absent: none.
    #[serde(default)]
    pub unexcused_fee_cents: Option<i64>,
    /// Fee for an arrival without reservation, in cents; absent: none.
    #[serde(default)]
    pub unreserved_fee_cents: Option<i64>,
    /// The tariff's versions, oldest first.
    pub versions: Vec<TariffVersion>,
    /// The version read (0: none yet). Bumped by every write; a write
    /// made on an older one is refused (409).
    pub version: i64,
}

/// An activity's billing, as the agents' page shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BillingView {
    pub activity_id: String,
    pub activity_name: String,
    /// Absent: not set yet.
    pub settings: Option<BillingSettings>,
    /// The last day its régie issued invoices for: tariff versions in
    /// force on or before it are frozen.
    pub issued_through: Option<NaiveDate>,
}

fn unknown_activity() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "unknown_activity",
        "Cette activité n'existe pas.",
    )
}

/// The régie's `issued_through`, if it issued anything.
pub async fn issued_through(app: &AppState, regie_id: &str) -> ApiResult<Option<NaiveDate>> {
    if regie_id.is_empty() || regie_id.len() > 40 || regie_id.contains('#') {
        return Ok(None);
    }
    Ok(app
        .store
        .get(&keys::invoicing_state(regie_id))
        .await?
        .and_then(|i| i.str_attr("issued_through").map(str::to_string))
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// The activity's billing item, if set.
pub async fn load(app: &AppState, activity_id: &str) -> ApiResult<Option<BillingItem>> {
    match app.store.get(&keys::activity_billing(activity_id)).await? {
        Some(item) => Ok(Some(item.data()?)),
        None => Ok(None),
    }
}

fn settings_of(item: BillingItem) -> BillingSettings {
    BillingSettings {
        regie_id: item.regie_id,
        billed_on: item.billed_on,
        unexcused_fee_cents: item.unexcused_fee_cents,
        unreserved_fee_cents: item.unreserved_fee_cents,
        versions: item.tariff.versions,
        version: item.version,
    }
}

/// `GET /api/agent/activities/{id}/billing`.
#[utoipa::path(get, path = "/api/agent/activities/{id}/billing", params(("id" = String, Path)), operation_id = "read_activity_billing", tag = "agent",
    responses((status = 200, description = "La tarification de l'activité (absente tant qu'elle n'est pas définie)", body = BillingView),
              (status = 403, description = "Réservé aux agents", body = Problem),
              (status = 404, description = "`unknown_activity`", body = Problem)))]
pub async fn read(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
) -> ApiResult<Json<BillingView>> {
    let (activity, _) = planning::activity(&app, &id)
        .await?
        .ok_or_else(unknown_activity)?;
    let item = load(&app, &id).await?;
    let issued = match &item {
        Some(i) => issued_through(&app, &i.regie_id).await?,
        None => None,
    };
    Ok(Json(BillingView {
        activity_id: activity.id,
        activity_name: activity.name,
        settings: item.map(settings_of),
        issued_through: issued,
    }))
}

fn fr(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The frozen-version rule: every version of `old` in force on or before
/// `through` is kept as it is, and every other version starts after
/// `through`. Errors on the new versions' paths (`tariff_version_frozen`).
pub fn check_frozen(
    old: &[TariffVersion],
    new: &[TariffVersion],
    through: NaiveDate,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let when = fr(through);
    for (i, v) in new.iter().enumerate() {
        if v.effective_from > through {
            continue;
        }
        match old.iter().find(|o| o.effective_from == v.effective_from) {
            Some(o) if o == v => {}
            Some(_) => errors.push(FieldError::new(
                &format!("versions[{i}]"),
                "tariff_version_frozen",
                format!(
                    "Cette version est figée : elle a servi à facturer jusqu'au {when} inclus. Ajoutez plutôt une version qui commence après cette date."
                ),
            )),
            None => errors.push(FieldError::new(
                &format!("versions[{i}].effective_from"),
                "tariff_version_frozen",
                format!(
                    "Une nouvelle version doit commencer après le {when}, dernier jour déjà facturé."
                ),
            )),
        }
    }
    for o in old.iter().filter(|o| o.effective_from <= through) {
        if !new.iter().any(|v| v.effective_from == o.effective_from) {
            errors.push(FieldError::new(
                "versions",
                "tariff_version_frozen",
                format!(
                    "La version du {} est figée : elle a servi à facturer jusqu'au {when} inclus et ne peut pas être supprimée.",
                    fr(o.effective_from)
                ),
            ));
        }
    }
    errors
}

/// The check that a régie's `issued_through` is still the one read, in the
/// write's transaction (a run issuing meanwhile refuses the write).
fn state_unchanged(regie_id: &str, issued: Option<NaiveDate>) -> Write {
    Write::Check {
        key: keys::invoicing_state(regie_id),
        condition: match issued {
            None => Condition::NotExists,
            Some(d) => Condition::Equals(
                "issued_through".into(),
                Value::String(d.format("%Y-%m-%d").to_string()),
            ),
        },
    }
}

/// `PUT /api/agent/activities/{id}/billing`: the whole settings, checked
/// (every error at once) and written if nobody wrote since `version`.
#[utoipa::path(put, path = "/api/agent/activities/{id}/billing", params(("id" = String, Path)), operation_id = "write_activity_billing", tag = "agent", request_body = BillingSettings,
    responses((status = 200, description = "Tarification enregistrée", body = BillingView),
              (status = 400, description = "Corps illisible, champ inconnu ou manquant", body = Problem),
              (status = 403, description = "Réservé aux agents", body = Problem),
              (status = 404, description = "`unknown_activity`", body = Problem),
              (status = 409, description = "`conflict` : modifiée entre-temps (version périmée), ou une facturation a eu lieu entre-temps", body = Problem),
              (status = 413, description = "Corps trop volumineux", body = Problem),
              (status = 422, description = "Les erreurs, chacune sur son champ : `unknown_regie`, `fee_invalid`, `tariff_version_frozen`, et les codes du tarif (`tariff_empty`, `tariff_bracket_gap`…)", body = Problem)))]
pub async fn write(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BillingSettings>,
) -> ApiResult<Json<BillingView>> {
    let (activity, _) = planning::activity(&app, &id)
        .await?
        .ok_or_else(unknown_activity)?;
    let mut errors = Vec::new();
    let regie_ok =
        !body.regie_id.is_empty() && body.regie_id.len() <= 40 && !body.regie_id.contains('#');
    let regie = if regie_ok {
        match app.store.get(&keys::regie(&body.regie_id)).await? {
            Some(item) => Some(item.data::<Regie>()?),
            None => None,
        }
    } else {
        None
    };
    if !regie.as_ref().is_some_and(|r| r.active) {
        errors.push(FieldError::new(
            "regie_id",
            "unknown_regie",
            "Choisissez une régie active de la commune.",
        ));
    }
    let settings = ActivityBilling {
        activity_id: activity.id.clone(),
        name: activity.name.clone(),
        billed_on: body.billed_on,
        unexcused_fee_cents: body.unexcused_fee_cents,
        unreserved_fee_cents: body.unreserved_fee_cents,
    };
    if let Err(e) = settings.validate() {
        errors.extend(e);
    }
    let tariff = Tariff {
        activity_id: activity.id.clone(),
        versions: body.versions.clone(),
    };
    if let Err(e) = tariff.validate() {
        errors.extend(e);
    }
    let old = load(&app, &id).await?;
    let old_version = old.as_ref().map_or(0, |o| o.version);
    if body.version != old_version {
        return Err(stale());
    }
    // The days already issued: by the régie chosen, and by the one before.
    let mut states = vec![(body.regie_id.clone(), None)];
    if regie_ok {
        states[0].1 = issued_through(&app, &body.regie_id).await?;
    }
    if let Some(o) = &old
        && o.regie_id != body.regie_id
    {
        states.push((o.regie_id.clone(), issued_through(&app, &o.regie_id).await?));
    }
    if let Some(through) = states.iter().filter_map(|(_, d)| *d).max() {
        let old_versions = old
            .as_ref()
            .map(|o| o.tariff.versions.as_slice())
            .unwrap_or(&[]);
        errors.extend(check_frozen(old_versions, &body.versions, through));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let item = BillingItem {
        regie_id: body.regie_id.clone(),
        billed_on: body.billed_on,
        unexcused_fee_cents: body.unexcused_fee_cents,
        unreserved_fee_cents: body.unreserved_fee_cents,
        tariff,
        version: old_version + 1,
    };
    let mut writes = vec![Write::Put {
        item: Item::with_data(keys::activity_billing(&id), &item)?,
        condition: Some(super::quotients::version_condition(
            old.as_ref().map(|o| o.version),
        )),
    }];
    for (regie_id, issued) in &states {
        if !regie_id.is_empty() && regie_id.len() <= 40 && !regie_id.contains('#') {
            writes.push(state_unchanged(regie_id, *issued));
        }
    }
    match app.store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { index: Some(0) }) => return Err(stale()),
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(ApiError::changed_meanwhile(
                "Une facturation de cette régie a eu lieu entre-temps. Rechargez la page et recommencez.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let issued = states.first().and_then(|(_, d)| *d);
    Ok(Json(BillingView {
        activity_id: activity.id,
        activity_name: activity.name,
        settings: Some(settings_of(item)),
        issued_through: issued,
    }))
}

fn stale() -> ApiError {
    ApiError::changed_meanwhile(
        "La tarification a été modifiée entre-temps par quelqu'un d'autre. Rechargez la page pour voir la version actuelle, puis recommencez.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use marelle_domain::invoicing::{Bracket, Unit};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap_or_default()
    }

    fn v(from: NaiveDate, cents: i64) -> TariffVersion {
        TariffVersion {
            effective_from: from,
            unit: Unit::Meal,
            brackets: vec![Bracket {
                from_euros: 0,
                to_euros: None,
                cents,
            }],
            second_child: None,
            outside_cents: None,
            default_cents: cents,
        }
    }

    fn codes(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn versions_in_force_up_to_the_last_issued_day_are_frozen() {
        let old = vec![v(d(1, 1), 300), v(d(3, 1), 320)];
        // Issued through February: January's version is frozen, March's not.
        let through = d(2, 28);
        assert!(check_frozen(&old, &old, through).is_empty());
        assert!(check_frozen(&old, &[v(d(1, 1), 300), v(d(3, 1), 999)], through).is_empty());
        assert!(check_frozen(&old, &[v(d(1, 1), 300)], through).is_empty());
        assert!(
            check_frozen(
                &old,
                &[v(d(1, 1), 300), v(d(3, 1), 320), v(d(4, 1), 1)],
                through
            )
            .is_empty()
        );
        assert_eq!(
            codes(check_frozen(
                &old,
                &[v(d(1, 1), 301), v(d(3, 1), 320)],
                through
            )),
            [(
                "versions[0]".to_string(),
                "tariff_version_frozen".to_string()
            )]
        );
        assert_eq!(
            codes(check_frozen(
                &old,
                &[v(d(1, 1), 300), v(d(2, 28), 1)],
                through
            )),
            [(
                "versions[1].effective_from".to_string(),
                "tariff_version_frozen".to_string()
            )]
        );
        assert_eq!(
            codes(check_frozen(&old, &[v(d(3, 1), 320)], through)),
            [("versions".to_string(), "tariff_version_frozen".to_string())]
        );
        let e = check_frozen(&old, &[v(d(3, 1), 320)], through);
        assert!(e[0].message.contains("01/01/2027"), "{}", e[0].message);
        assert!(e[0].message.contains("28/02/2027"), "{}", e[0].message);
    }
}
