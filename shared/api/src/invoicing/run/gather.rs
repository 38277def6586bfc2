//! Reading what a régie's month is billed from: once per régie (its
//! activities' billing items, their marks of the month, their closures),
//! then per family a constant number of calls (the dossier `D#`, the
//! month's slots `S#`, the invoicing items `Q#`), whatever its size.

use chrono::{DateTime, NaiveDate, Utc};
use marelle_domain::invoicing::attendance::{BilledOn, Mark};
use marelle_domain::invoicing::qf::Quotient;
use marelle_domain::invoicing::run::{
    ActivityBilling, AttendanceMark, BillingInputs, BillingMonth, ChildInput, CommuneClosure,
    Correction, FamilyBill, FamilyInput, PlannedDay, bill_family,
};
use marelle_domain::invoicing::tariff::{Tariff, TariffVersion};
use marelle_domain::keys;
use marelle_domain::planning::{Activity, Slot};
use marelle_domain::ports::store::{Index, Item, Query};
use serde::{Deserialize, Serialize};

use crate::billing::regies::Regie;
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::planning::store as planning;

/// Activities a commune may have, at most (the régie's are among them).
const MAX_ACTIVITIES: usize = 500;

/// The billing settings and tariff of an activity, as the settings write
/// them (`ACTIVITY#<id>` / `BILLING`).
#[derive(Debug, Clone, Deserialize)]
struct BillingItem {
    regie_id: String,
    billed_on: BilledOn,
    #[serde(default)]
    unexcused_fee_cents: Option<i64>,
    #[serde(default)]
    unreserved_fee_cents: Option<i64>,
    #[serde(default)]
    tariff: Option<TariffItem>,
}

/// A tariff as stored (its activity is the item's).
#[derive(Debug, Clone, Deserialize)]
struct TariffItem {
    #[serde(default)]
    versions: Vec<TariffVersion>,
}

/// An attendance mark as the staff write it.
#[derive(Debug, Clone, Deserialize)]
struct MarkItem {
    child_id: String,
    family_id: String,
    date: NaiveDate,
    mark: Mark,
}

/// The family's quotients and where it lives (`Q#QF`).
#[derive(Debug, Clone, Default, Deserialize)]
struct QuotientsItem {
    #[serde(default)]
    quotients: Vec<Quotient>,
    #[serde(default)]
    resident: Option<bool>,
}

/// A correction waiting for the family's next invoice (`Q#CORR#<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredCorrection {
    pub id: String,
    pub child_id: String,
    pub activity_id: String,
    pub day: NaiveDate,
    pub cents: i64,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl StoredCorrection {
    pub fn correction(&self) -> Correction {
        Correction {
            child_id: self.child_id.clone(),
            activity_id: self.activity_id.clone(),
            day: self.day,
            cents: self.cents,
            reason: self.reason.clone(),
        }
    }
}

/// A family's run key (`Q#RUN#<code>#<month>`): its invoice, once issued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunKey {
    pub invoice_id: String,
    pub number: String,
    pub issued_at: DateTime<Utc>,
}

/// What a régie's month reads once.
#[derive(Debug, Clone)]
pub struct RegieMonth {
    pub regie: Regie,
    pub code: String,
    pub month: BillingMonth,
    pub activities: Vec<ActivityBilling>,
    pub tariffs: Vec<Tariff>,
    pub closures: Vec<CommuneClosure>,
}

/// The activities billed to a régie, with their settings and tariffs.
pub async fn regie_activities(
    app: &AppState,
    regie_id: &str,
) -> ApiResult<Vec<(Activity, ActivityBilling, Option<Tariff>)>> {
    let page = app
        .store
        .query(Query::on(Index::Gsi2, planning::ACTIVITIES).limit(MAX_ACTIVITIES))
        .await?;
    let activities: Vec<Activity> = page
        .items
        .iter()
        .map(|i| i.data::<Activity>().map_err(ApiError::from))
        .collect::<ApiResult<_>>()?;
    let billing_keys: Vec<_> = activities
        .iter()
        .map(|a| keys::activity_billing(&a.id))
        .collect();
    let items = app.store.get_many(&billing_keys).await?;
    let mut out = Vec::new();
    for activity in activities {
        let key = keys::activity_billing(&activity.id);
        let Some(item) = items.iter().find(|i| i.key() == key) else {
            continue;
        };
        let billing: BillingItem = item.data()?;
        if billing.regie_id != regie_id {
            continue;
        }
        let settings = ActivityBilling {
            activity_id: activity.id.clone(),
            name: activity.name.clone(),
            billed_on: billing.billed_on,
            unexcused_fee_cents: billing.unexcused_fee_cents,
            unreserved_fee_cents: billing.unreserved_fee_cents,
        };
        let tariff = billing.tariff.map(|t| Tariff {
            activity_id: activity.id.clone(),
            versions: t.versions,
        });
        out.push((activity, settings, tariff));
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.id.cmp(&b.0.id)));
    Ok(out)
}

/// Reads what the régie's month needs once: its activities' billing items
/// and closures (the marks are read with each family).
pub async fn regie_month(
    app: &AppState,
    regie: &Regie,
    code: &str,
    month: BillingMonth,
) -> ApiResult<RegieMonth> {
    let found = regie_activities(app, &regie.id).await?;
    let mut activities = Vec::new();
    let mut tariffs = Vec::new();
    let mut closures = Vec::new();
    for (activity, settings, tariff) in found {
        for c in &activity.closures {
            if c.to >= month.first_day() && c.from <= month.last_day() {
                closures.push(CommuneClosure {
                    activity_id: Some(activity.id.clone()),
                    from: c.from,
                    to: c.to,
                    label: c.label.clone(),
                });
            }
        }
        tariffs.extend(tariff);
        activities.push(settings);
    }
    Ok(RegieMonth {
        regie: regie.clone(),
        code: code.to_string(),
        month,
        activities,
        tariffs,
        closures,
    })
}

/// One family's month, as read and billed.
#[derive(Debug, Clone)]
pub struct FamilyMonth {
    pub family_id: String,
    /// The family's label ("DUPONT Matthieu et Léa"); empty when the family
    /// is gone.
    pub label: String,
    pub bill: FamilyBill,
    /// The corrections the bill carries (deleted when it is issued).
    pub carried: Vec<String>,
    /// The invoice a previous run issued, if any.
    pub issued: Option<RunKey>,
    /// The family exists.
    pub exists: bool,
}

/// Whether the family lives in the commune: the agent's word when set;
/// otherwise, when the commune lists its postal codes, whether the first
/// guardian's is among them (no address: resident); otherwise resident.
pub fn resident(app: &AppState, agent_says: Option<bool>, first_postal_code: Option<&str>) -> bool {
    if let Some(r) = agent_says {
        return r;
    }
    if app.settings.postal_codes.is_empty() {
        return true;
    }
    match first_postal_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => app.settings.postal_codes.iter().any(|c| c == code),
        None => true,
    }
}

/// Marks read per page.
const MARKS_PAGE: usize = 1_000;

/// The family's marks of the month in the régie's activities: one query of
/// GSI3 (`FAMMARKS#<family>`), paged only for a family with more than
/// [`MARKS_PAGE`] marks in a month.
async fn family_marks(
    app: &AppState,
    rm: &RegieMonth,
    family_id: &str,
) -> ApiResult<Vec<AttendanceMark>> {
    let mut marks = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .store
            .query(
                Query::on(Index::Gsi3, keys::family_marks(family_id))
                    .between(
                        rm.month.first_day().format("%Y-%m-%d").to_string(),
                        format!("{}~", rm.month.last_day().format("%Y-%m-%d")),
                    )
                    .limit(MARKS_PAGE)
                    .after(cursor),
            )
            .await?;
        for item in &page.items {
            let m: MarkItem = item.data()?;
            let Some(activity_id) = item.pk().strip_prefix("ACTIVITY#").map(str::to_string) else {
                continue;
            };
            if m.family_id != family_id
                || !rm.activities.iter().any(|a| a.activity_id == activity_id)
            {
                continue;
            }
            marks.push(AttendanceMark {
                child_id: m.child_id,
                activity_id,
                date: m.date,
                mark: m.mark,
            });
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(marks)
}

/// Reads one family's month (four queries: the dossier, the month's slots,
/// the invoicing items, the month's marks) and bills it.
pub async fn family_month(
    app: &AppState,
    rm: &RegieMonth,
    family_id: &str,
) -> ApiResult<FamilyMonth> {
    let month = rm.month;
    let (loaded, slots, q, marks) = tokio::try_join!(
        crate::family::store::load(app, family_id),
        planning::slots(app, family_id, month.first_day(), month.last_day()),
        async {
            Ok::<_, ApiError>(
                app.store
                    .query(
                        Query::new(keys::family_partition(family_id))
                            .begins_with(keys::INVOICING_PREFIX),
                    )
                    .await?,
            )
        },
        family_marks(app, rm, family_id),
    )?;
    let Some(loaded) = loaded else {
        return Ok(FamilyMonth {
            family_id: family_id.to_string(),
            label: String::new(),
            bill: FamilyBill {
                family_id: family_id.to_string(),
                lines: Vec::new(),
                skipped: Vec::new(),
                notes: Vec::new(),
                total_cents: 0,
            },
            carried: Vec::new(),
            issued: None,
            exists: false,
        });
    };
    let run_sk = keys::invoicing_run(family_id, &rm.code, &month.to_string()).sk;
    let mut quotients = QuotientsItem::default();
    let mut corrections: Vec<StoredCorrection> = Vec::new();
    let mut issued = None;
    for item in &q.items {
        let sk = item.sk();
        if sk == "Q#QF" {
            quotients = item.data()?;
        } else if sk.starts_with(keys::CORRECTION_PREFIX) {
            corrections.push(item.data()?);
        } else if sk == run_sk {
            issued = Some(item.data::<RunKey>()?);
        }
    }
    let dossier = &loaded.dossier;
    let postal = dossier
        .guardians
        .first()
        .and_then(|g| g.address.as_ref())
        .map(|a| a.postal_code.as_str());
    let family = FamilyInput {
        id: family_id.to_string(),
        resident: resident(app, quotients.resident, postal),
        quotients: quotients.quotients,
        children: dossier
            .children
            .iter()
            .map(|c| ChildInput {
                id: c.id.clone(),
                first_name: c.first_name.clone(),
                birth_date: c.birth_date,
            })
            .collect(),
    };
    let planning: Vec<PlannedDay> = slots
        .iter()
        .filter(|s: &&Slot| rm.activities.iter().any(|a| a.activity_id == s.activity_id))
        .map(|s| PlannedDay {
            child_id: s.child_id.clone(),
            activity_id: s.activity_id.clone(),
            date: s.date,
            state: s.state,
        })
        .collect();
    corrections.sort_by(|a, b| a.id.cmp(&b.id));
    let plain: Vec<Correction> = corrections.iter().map(|c| c.correction()).collect();
    let bill = bill_family(
        month,
        &BillingInputs {
            family: &family,
            activities: &rm.activities,
            tariffs: &rm.tariffs,
            closures: &rm.closures,
            planning: &planning,
            marks: &marks,
            corrections: &plain,
        },
    );
    // The corrections the bill carries: those of a child of the family and
    // an activity of the run, valid (the others stay, as the bill skips them).
    let carried = corrections
        .iter()
        .filter(|c| {
            family.children.iter().any(|ch| ch.id == c.child_id)
                && rm.activities.iter().any(|a| a.activity_id == c.activity_id)
                && c.correction().validate().is_ok()
        })
        .map(|c| c.id.clone())
        .collect();
    Ok(FamilyMonth {
        family_id: family_id.to_string(),
        label: dossier.family.label.clone(),
        bill,
        carried,
        issued,
        exists: true,
    })
}

/// The families enrolled in the régie's activities during the month
/// (GSI1 `ENROLLED#<activity>`, paged), sorted, once each.
pub async fn families_of(
    app: &AppState,
    activity_ids: &[String],
    month: BillingMonth,
) -> ApiResult<Vec<String>> {
    let mut families = Vec::new();
    for id in activity_ids {
        let mut cursor = None;
        loop {
            let page = app
                .store
                .query(Query::on(Index::Gsi1, planning::enrolled_in(id)).after(cursor))
                .await?;
            for item in &page.items {
                let e: marelle_domain::planning::Enrolment = item.data()?;
                if e.period.from <= month.last_day() && e.period.to >= month.first_day() {
                    families.push(e.family_id);
                }
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
    }
    families.sort();
    families.dedup();
    Ok(families)
}

/// The item of a family's run key.
pub fn run_key_item(
    family_id: &str,
    code: &str,
    month: BillingMonth,
    key: &RunKey,
) -> ApiResult<Item> {
    Ok(Item::with_data(
        keys::invoicing_run(family_id, code, &month.to_string()),
        key,
    )?)
}
