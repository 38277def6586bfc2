//! One family's month: the lines to invoice, what was not billed and why,
//! and the total. Pure: the caller reads the family, its planning, the
//! marks, the tariffs and the closures, and writes what comes out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::attendance::{BilledOn, DayOutcome, Mark, Planned, day_outcome};
use super::qf::{Quotient, qf_on};
use super::tariff::{MAX_PRICE_CENTS, PriceBasis, Tariff, Unit};
use crate::accounts::FieldError;
use crate::billing::rules::euros;
use crate::billing::{InvoiceLine, MAX_AMOUNT_CENTS, MAX_DESCRIPTION};
use crate::planning::SlotState;

/// A month billed; as text (JSON, keys) `2027-02`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillingMonth {
    year: i32,
    month: u32,
}

impl BillingMonth {
    /// None unless `month` is 1 to 12 and the year 2000 to 9999.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((2000..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The month of `day`.
    pub fn of(day: NaiveDate) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        let (y, m) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or_default()
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        Self::of(day) == self
    }

    /// "Février 2027", as an invoice line's period.
    pub fn label(self) -> String {
        let name = crate::calendar::month_name_of(self.first_day());
        let mut chars = name.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        format!("{first}{} {}", chars.as_str(), self.year)
    }
}

impl std::str::FromStr for BillingMonth {
    type Err = FieldError;

    /// `2027-02`; anything else: `invalid_month`.
    fn from_str(s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                "month",
                "invalid_month",
                "Le mois s'écrit AAAA-MM (exemple\u{a0}: 2027-02).",
            )
        };
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        Self::new(year, month).ok_or_else(bad)
    }
}

impl TryFrom<String> for BillingMonth {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse().map_err(|e: FieldError| e.message)
    }
}

impl From<BillingMonth> for String {
    fn from(m: BillingMonth) -> String {
        m.to_string()
    }
}

/// `2027-02`.
impl fmt::Display for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A child as billing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildInput {
    pub id: String,
    pub first_name: String,
    pub birth_date: NaiveDate,
}

/// The family as billing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyInput {
    pub id: String,
    /// The family lives in the commune (otherwise the tariffs' outside
    /// rate applies, where they set one).
    pub resident: bool,
    pub quotients: Vec<Quotient>,
    pub children: Vec<ChildInput>,
}

/// An activity's billing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityBilling {
    pub activity_id: String,
    pub name: String,
    pub billed_on: BilledOn,
    /// Fee for an absence without excuse, in cents; none: no fee.
    #[serde(default)]
    pub unexcused_fee_cents: Option<i64>,
    /// Fee for an arrival without reservation, in cents; none: no fee.
    #[serde(default)]
    pub unreserved_fee_cents: Option<i64>,
}

impl ActivityBilling {
    /// The fees, when set, from 0 to 1 000 € (`fee_invalid`).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let errors: Vec<FieldError> = [
            ("unexcused_fee_cents", self.unexcused_fee_cents),
            ("unreserved_fee_cents", self.unreserved_fee_cents),
        ]
        .into_iter()
        .filter(|(_, fee)| fee.is_some_and(|c| !(0..=MAX_PRICE_CENTS).contains(&c)))
        .map(|(field, _)| {
            FieldError::new(
                field,
                "fee_invalid",
                "Une pénalité est un montant de 0 à 1\u{a0}000\u{a0}€.",
            )
        })
        .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A day or span the commune closes (an activity, or every one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommuneClosure {
    /// None: every activity.
    #[serde(default)]
    pub activity_id: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: String,
}

impl CommuneClosure {
    fn closes(&self, activity_id: &str, day: NaiveDate) -> bool {
        self.from <= day
            && day <= self.to
            && self.activity_id.as_deref().is_none_or(|a| a == activity_id)
    }
}

/// A child's day in an activity, as the planning has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDay {
    pub child_id: String,
    pub activity_id: String,
    pub date: NaiveDate,
    pub state: SlotState,
}

/// A staff's mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceMark {
    pub child_id: String,
    pub activity_id: String,
    pub date: NaiveDate,
    pub mark: Mark,
}

/// A correction after issue: a credit (`cents` > 0) carried on the next
/// invoice as a negative line; an issued invoice is never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub child_id: String,
    pub activity_id: String,
    /// The day corrected (of an earlier month, usually).
    pub day: NaiveDate,
    pub cents: i64,
    pub reason: String,
}

impl Correction {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.cents <= 0 || self.cents > MAX_AMOUNT_CENTS {
            errors.push(FieldError::new(
                "cents",
                "correction_amount",
                "Le montant de l'avoir est positif et d'au plus 1\u{a0}000\u{a0}000\u{a0}€.",
            ));
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.push(FieldError::new(
                "reason",
                "required",
                "Le motif de l'avoir est obligatoire.",
            ));
        } else if reason.chars().count() > MAX_DESCRIPTION || reason.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "reason",
                "correction_reason",
                format!("Le motif de l'avoir compte au plus {MAX_DESCRIPTION} caractères, sans retour à la ligne."),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Everything one family's month is billed from.
#[derive(Debug, Clone, Copy)]
pub struct BillingInputs<'a> {
    pub family: &'a FamilyInput,
    /// The régie's activities: planning and marks of other activities are
    /// not read.
    pub activities: &'a [ActivityBilling],
    pub tariffs: &'a [Tariff],
    pub closures: &'a [CommuneClosure],
    pub planning: &'a [PlannedDay],
    pub marks: &'a [AttendanceMark],
    /// Credits not carried yet.
    pub corrections: &'a [Correction],
}

/// What a line bills.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Units at the tariff's price.
    Units,
    UnexcusedFee,
    UnreservedFee,
    /// A correction's credit: negative.
    Credit,
}

/// A line of the family's invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BillLine {
    pub kind: LineKind,
    pub child_id: String,
    pub child_name: String,
    pub activity_id: String,
    pub activity_name: String,
    /// For unit lines.
    pub unit: Option<Unit>,
    pub count: i64,
    pub unit_price_cents: i64,
    /// `count × unit_price_cents`, exactly.
    pub amount_cents: i64,
    /// The first and last day billed by the line.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// For unit lines: how the price was found.
    pub basis: Option<PriceBasis>,
    /// The second-child reduction applies.
    pub reduced: bool,
    pub label: String,
}

impl BillLine {
    /// The line as invoices store it.
    pub fn to_invoice_line(&self, month: BillingMonth) -> InvoiceLine {
        InvoiceLine {
            label: self.label.clone(),
            child: Some(self.child_name.clone()),
            activity: Some(self.activity_name.clone()),
            period: Some(month.label()),
            quantity: self.count,
            unit_price_cents: self.unit_price_cents,
            amount_cents: self.amount_cents,
        }
    }
}

/// Why a day was not billed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A request not decided yet.
    Pending,
    /// No tariff version in force that day.
    NoTariff,
    /// Billed on attendance, and the attendance was not taken.
    NotTaken,
    Closed,
    Excused,
    /// A correction for a child not of the family, or not valid.
    BadCorrection,
}

/// A day (or a correction) not billed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Skip {
    pub child_id: String,
    pub activity_id: String,
    pub date: NaiveDate,
    pub reason: SkipReason,
    pub message: String,
}

/// Something billed that the agent should know (not a skip): the QF was
/// unknown and the default price applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BillNote {
    pub activity_id: String,
    pub code: String,
    pub message: String,
}

/// One family's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FamilyBill {
    pub family_id: String,
    pub lines: Vec<BillLine>,
    pub skipped: Vec<Skip>,
    pub notes: Vec<BillNote>,
    /// Σ lines' amounts, exactly; may be ≤ 0 with credits (nothing is
    /// issued then, and the credit waits for the next month).
    pub total_cents: i64,
}

type DayKey<'a> = (&'a str, &'a str, NaiveDate);

/// A line being summed: (child, activity, kind, unit price, reduced).
type LineKey = (usize, usize, LineKind, i64, bool);

struct Acc {
    count: i64,
    from: NaiveDate,
    to: NaiveDate,
    unit: Option<Unit>,
    basis: Option<PriceBasis>,
}

/// Why a day is not billed, if it is not and says something (a day with
/// nothing reserved nor marked says nothing).
fn why_not_billed(
    outcome: DayOutcome,
    closure: Option<&CommuneClosure>,
    priced: bool,
) -> Option<(SkipReason, String)> {
    match outcome {
        DayOutcome::Closed => Some((
            SkipReason::Closed,
            format!(
                "Fermeture\u{a0}: {}",
                closure.map(|c| c.label.as_str()).unwrap_or_default()
            ),
        )),
        DayOutcome::Excused => Some((SkipReason::Excused, "Absence justifiée".into())),
        DayOutcome::Pending => Some((SkipReason::Pending, "Jour en attente de décision".into())),
        DayOutcome::NotTaken => Some((SkipReason::NotTaken, "Présence non relevée".into())),
        DayOutcome::Billed { unit: true, .. } if !priced => Some((
            SkipReason::NoTariff,
            "Tarif absent pour cette activité".into(),
        )),
        DayOutcome::Billed { .. } | DayOutcome::Nothing => None,
    }
}

/// Bills `month` for one family: for every activity and child, every day
/// the planning or the staff say something about, by [`day_outcome`], at
/// the tariff in force that day, the family's QF that day and the child's
/// rank; then the corrections' credits.
///
/// The child's rank (for the second-child reduction): by birth date, the
/// eldest first (ties: by id), among the family's children billed at least
/// one unit **on that activity that month**.
pub fn bill_family(month: BillingMonth, input: &BillingInputs<'_>) -> FamilyBill {
    let family = input.family;
    let mut children: Vec<&ChildInput> = family.children.iter().collect();
    children.sort_by(|a, b| (a.birth_date, &a.id).cmp(&(b.birth_date, &b.id)));

    let mut planned: BTreeMap<DayKey<'_>, SlotState> = BTreeMap::new();
    for p in input.planning.iter().filter(|p| month.contains(p.date)) {
        planned.insert((&p.child_id, &p.activity_id, p.date), p.state);
    }
    let mut marks: BTreeMap<DayKey<'_>, Mark> = BTreeMap::new();
    for m in input.marks.iter().filter(|m| month.contains(m.date)) {
        marks.insert((&m.child_id, &m.activity_id, m.date), m.mark);
    }

    let mut acc: BTreeMap<LineKey, Acc> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut notes = Vec::new();

    for (ai, activity) in input.activities.iter().enumerate() {
        let aid = activity.activity_id.as_str();
        // An activity listed twice is billed once.
        if input
            .activities
            .iter()
            .take(ai)
            .any(|a| a.activity_id == aid)
        {
            continue;
        }
        let tariff = input.tariffs.iter().find(|t| t.activity_id == aid);
        // Each child's days and outcomes, in date order.
        let mut per_child: Vec<(usize, Vec<(NaiveDate, DayOutcome)>)> = Vec::new();
        for (ci, child) in children.iter().enumerate() {
            let cid = child.id.as_str();
            let days: BTreeSet<NaiveDate> = planned
                .range((cid, aid, month.first_day())..=(cid, aid, month.last_day()))
                .map(|(k, _)| k.2)
                .chain(
                    marks
                        .range((cid, aid, month.first_day())..=(cid, aid, month.last_day()))
                        .map(|(k, _)| k.2),
                )
                .collect();
            let mut outcomes = Vec::with_capacity(days.len());
            for day in days {
                let closed = input.closures.iter().find(|c| c.closes(aid, day));
                let outcome = day_outcome(
                    activity.billed_on,
                    closed.is_some(),
                    Planned::of(planned.get(&(cid, aid, day)).copied()),
                    marks.get(&(cid, aid, day)).copied(),
                );
                let priced = tariff.and_then(|t| t.on(day)).is_some();
                if let Some((reason, message)) = why_not_billed(outcome, closed, priced) {
                    skipped.push(Skip {
                        child_id: cid.to_string(),
                        activity_id: aid.to_string(),
                        date: day,
                        reason,
                        message,
                    });
                }
                outcomes.push((day, outcome));
            }
            per_child.push((ci, outcomes));
        }

        // Rank among the children billed at least one unit on it.
        let mut rank = 0;
        let mut default_noted = false;
        for (ci, outcomes) in &per_child {
            let billed_units = outcomes.iter().any(|(day, o)| {
                matches!(o, DayOutcome::Billed { unit: true, .. })
                    && tariff.and_then(|t| t.on(*day)).is_some()
            });
            if billed_units {
                rank += 1;
            }
            for (day, outcome) in outcomes {
                let DayOutcome::Billed {
                    unit,
                    unexcused_fee,
                    unreserved_fee,
                } = *outcome
                else {
                    continue;
                };
                let mut add = |kind, cents: i64, unit: Option<Unit>, basis, reduced| {
                    let a = acc.entry((*ci, ai, kind, cents, reduced)).or_insert(Acc {
                        count: 0,
                        from: *day,
                        to: *day,
                        unit,
                        basis,
                    });
                    a.count += 1;
                    a.to = *day;
                };
                if unit && let Some(version) = tariff.and_then(|t| t.on(*day)) {
                    let price =
                        version.price(qf_on(&family.quotients, *day), family.resident, rank);
                    if price.basis == PriceBasis::Default && !default_noted {
                        default_noted = true;
                        notes.push(BillNote {
                            activity_id: aid.to_string(),
                            code: "qf_unknown".into(),
                            message: format!(
                                "{}\u{a0}: QF inconnu\u{a0}: tarif par défaut appliqué",
                                activity.name
                            ),
                        });
                    }
                    add(
                        LineKind::Units,
                        price.cents,
                        Some(version.unit),
                        Some(price.basis),
                        price.reduced,
                    );
                }
                if unexcused_fee && let Some(fee) = activity.unexcused_fee_cents {
                    add(LineKind::UnexcusedFee, fee, None, None, false);
                }
                if unreserved_fee && let Some(fee) = activity.unreserved_fee_cents {
                    add(LineKind::UnreservedFee, fee, None, None, false);
                }
            }
        }
    }

    let mut lines: Vec<BillLine> = acc
        .into_iter()
        .filter_map(|((ci, ai, kind, cents, reduced), a)| {
            let child = children.get(ci)?;
            let activity = input.activities.get(ai)?;
            let what = match (kind, a.unit) {
                (LineKind::Units, Some(unit)) => unit.count_text(a.count),
                (LineKind::UnexcusedFee, _) => "absence non justifiée".to_string(),
                (LineKind::UnreservedFee, _) => "arrivée sans réservation".to_string(),
                _ => String::new(),
            };
            let rate = match (a.basis, reduced) {
                (Some(PriceBasis::Default), _) => " (tarif par défaut",
                (Some(PriceBasis::Outside), _) => " (hors commune",
                _ => "",
            };
            let rate = match (rate, reduced) {
                ("", true) => " (tarif réduit)".to_string(),
                ("", false) => String::new(),
                (r, true) => format!("{r}, tarif réduit)"),
                (r, false) => format!("{r})"),
            };
            Some(BillLine {
                kind,
                child_id: child.id.clone(),
                child_name: child.first_name.clone(),
                activity_id: activity.activity_id.clone(),
                activity_name: activity.name.clone(),
                unit: a.unit,
                count: a.count,
                unit_price_cents: cents,
                amount_cents: a.count * cents,
                from: a.from,
                to: a.to,
                basis: a.basis,
                reduced,
                label: format!(
                    "{} – {}\u{a0}: {what} à {}{rate}",
                    activity.name,
                    child.first_name,
                    euros(cents)
                ),
            })
        })
        .collect();
    // Lines in the order they were billed: child, activity, kind, first day.
    lines.sort_by(|a, b| {
        let order = |l: &BillLine| {
            (
                children.iter().position(|c| c.id == l.child_id),
                input
                    .activities
                    .iter()
                    .position(|x| x.activity_id == l.activity_id),
                l.kind,
                l.from,
            )
        };
        order(a).cmp(&order(b))
    });

    for c in input.corrections {
        let child = children.iter().find(|ch| ch.id == c.child_id);
        let activity = input
            .activities
            .iter()
            .find(|a| a.activity_id == c.activity_id);
        let (Some(child), Some(activity), Ok(())) = (child, activity, c.validate()) else {
            skipped.push(Skip {
                child_id: c.child_id.clone(),
                activity_id: c.activity_id.clone(),
                date: c.day,
                reason: SkipReason::BadCorrection,
                message: "Avoir non reporté\u{a0}: enfant, activité ou montant invalide".into(),
            });
            continue;
        };
        lines.push(BillLine {
            kind: LineKind::Credit,
            child_id: child.id.clone(),
            child_name: child.first_name.clone(),
            activity_id: activity.activity_id.clone(),
            activity_name: activity.name.clone(),
            unit: None,
            count: 1,
            unit_price_cents: -c.cents,
            amount_cents: -c.cents,
            from: c.day,
            to: c.day,
            basis: None,
            reduced: false,
            label: format!(
                "Avoir – {} – {} du {}\u{a0}: {}",
                activity.name,
                child.first_name,
                c.day.format("%d/%m/%Y"),
                c.reason.trim()
            ),
        });
    }

    let total_cents = lines.iter().map(|l| l.amount_cents).sum();
    FamilyBill {
        family_id: family.id.clone(),
        lines,
        skipped,
        notes,
        total_cents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoicing::qf::QuotientSource;
    use crate::invoicing::tariff::{Bracket, Reduction, TariffVersion};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn feb(day: u32) -> NaiveDate {
        d(2027, 2, day)
    }

    fn version(
        unit: Unit,
        from: NaiveDate,
        prices: [i64; 3],
        second: Option<Reduction>,
    ) -> TariffVersion {
        TariffVersion {
            effective_from: from,
            unit,
            brackets: vec![
                Bracket {
                    from_euros: 0,
                    to_euros: Some(600),
                    cents: prices[0],
                },
                Bracket {
                    from_euros: 600,
                    to_euros: Some(1200),
                    cents: prices[1],
                },
                Bracket {
                    from_euros: 1200,
                    to_euros: None,
                    cents: prices[2],
                },
            ],
            second_child: second,
            outside_cents: Some(prices[2] + 70),
            default_cents: prices[2],
        }
    }

    fn tariff(activity: &str, versions: Vec<TariffVersion>) -> Tariff {
        let t = Tariff {
            activity_id: activity.into(),
            versions,
        };
        assert_eq!(t.validate(), Ok(()));
        t
    }

    fn activity(
        id: &str,
        name: &str,
        billed_on: BilledOn,
        unexcused: Option<i64>,
        unreserved: Option<i64>,
    ) -> ActivityBilling {
        ActivityBilling {
            activity_id: id.into(),
            name: name.into(),
            billed_on,
            unexcused_fee_cents: unexcused,
            unreserved_fee_cents: unreserved,
        }
    }

    fn child(id: &str, name: &str, born: NaiveDate) -> ChildInput {
        ChildInput {
            id: id.into(),
            first_name: name.into(),
            birth_date: born,
        }
    }

    fn family(qf: Option<u32>) -> FamilyInput {
        FamilyInput {
            id: "F1".into(),
            resident: true,
            quotients: qf
                .map(|euros| Quotient {
                    euros,
                    dated: d(2027, 1, 1),
                    valid_until: d(2027, 12, 31),
                    source: QuotientSource::Dossier,
                })
                .into_iter()
                .collect(),
            children: vec![
                child("LEA", "Léa", d(2016, 3, 10)),
                child("HUGO", "Hugo", d(2018, 9, 2)),
                child("ZOE", "Zoé", d(2021, 5, 20)),
            ],
        }
    }

    fn plan(child: &str, activity: &str, days: &[NaiveDate], state: SlotState) -> Vec<PlannedDay> {
        days.iter()
            .map(|&date| PlannedDay {
                child_id: child.into(),
                activity_id: activity.into(),
                date,
                state,
            })
            .collect()
    }

    fn mark(child: &str, activity: &str, date: NaiveDate, mark: Mark) -> AttendanceMark {
        AttendanceMark {
            child_id: child.into(),
            activity_id: activity.into(),
            date,
            mark,
        }
    }

    /// Compact lines: (child, activity, kind, count, unit price, amount).
    fn summary(bill: &FamilyBill) -> Vec<(&str, &str, LineKind, i64, i64, i64)> {
        bill.lines
            .iter()
            .map(|l| {
                (
                    l.child_id.as_str(),
                    l.activity_id.as_str(),
                    l.kind,
                    l.count,
                    l.unit_price_cents,
                    l.amount_cents,
                )
            })
            .collect()
    }

    fn sum_is_total(bill: &FamilyBill) {
        assert_eq!(
            bill.total_cents,
            bill.lines.iter().map(|l| l.amount_cents).sum::<i64>()
        );
        for l in &bill.lines {
            assert_eq!(l.amount_cents, l.count * l.unit_price_cents, "{l:?}");
        }
    }

    /// The guide-sized family, February 2027 (zone A: winter holidays from
    /// Saturday 13 to Sunday 28). February 1st is a Monday; school runs on
    /// Mondays, Tuesdays, Thursdays and Fridays: 1, 2, 4, 5, 8, 9, 11, 12.
    /// The holiday weekdays: 15–19 and 22–26.
    ///
    /// The family: QF 850 € (bracket [600, 1200)), lives in the commune.
    /// Léa (2016), Hugo (2018), Zoé (2021), eldest first.
    ///
    /// Tariffs in the bracket [600, 1200):
    /// - CAN Restauration scolaire, per meal, billed on reservations:
    ///   3,25 €; from the second child −10 %: 10 % of 325 = 32,5 → 33 ct
    ///   off (half up), 2,92 €.
    /// - MAT Accueil du matin, per slot, on reservations, no reduction:
    ///   1,20 €; arrival without reservation: fee 1,00 €.
    /// - SOIR Accueil du soir, per half-day, on attendance: 2,10 €; from the
    ///   second child −0,30 € = 1,80 €; unexcused absence: fee 2,00 €.
    /// - CL Centre de loisirs, per day, on reservations: 12,50 €; from the
    ///   second child −15 %: 15 % of 1250 = 187,5 → 188 ct off, 10,62 €.
    ///
    /// Events: the commune closes everything on Tuesday 9 (strike); Hugo's
    /// absence on the 4th was accepted (excused, in the planning); Zoé is
    /// marked absent excused on the 11th (canteen and evening); Léa is
    /// absent without excuse on the evening of the 5th; Zoé arrives at the
    /// morning care on the 2nd without a reservation; Zoé's holiday-centre
    /// request for the 19th is still pending.
    #[test]
    fn the_guide_sized_family_is_billed_what_the_hand_computation_says() {
        let school = [
            feb(1),
            feb(2),
            feb(4),
            feb(5),
            feb(8),
            feb(9),
            feb(11),
            feb(12),
        ];
        let activities = vec![
            activity(
                "CAN",
                "Restauration scolaire",
                BilledOn::Reserved,
                None,
                None,
            ),
            activity(
                "MAT",
                "Accueil du matin",
                BilledOn::Reserved,
                None,
                Some(100),
            ),
            activity(
                "SOIR",
                "Accueil du soir",
                BilledOn::Attended,
                Some(200),
                None,
            ),
            activity("CL", "Centre de loisirs", BilledOn::Reserved, None, None),
        ];
        let from = d(2026, 9, 1);
        let tariffs = vec![
            tariff(
                "CAN",
                vec![version(
                    Unit::Meal,
                    from,
                    [150, 325, 450],
                    Some(Reduction::Percent(10)),
                )],
            ),
            tariff("MAT", vec![version(Unit::Slot, from, [80, 120, 160], None)]),
            tariff(
                "SOIR",
                vec![version(
                    Unit::HalfDay,
                    from,
                    [150, 210, 280],
                    Some(Reduction::Cents(30)),
                )],
            ),
            tariff(
                "CL",
                vec![version(
                    Unit::Day,
                    from,
                    [900, 1250, 1600],
                    Some(Reduction::Percent(15)),
                )],
            ),
        ];
        let closures = vec![
            CommuneClosure {
                activity_id: None,
                from: feb(9),
                to: feb(9),
                label: "Grève".into(),
            },
            CommuneClosure {
                activity_id: Some("CAN".into()),
                from: feb(13),
                to: feb(28),
                label: "Vacances d'hiver".into(),
            },
        ];
        let mut planning = Vec::new();
        for c in ["LEA", "HUGO", "ZOE"] {
            planning.extend(plan(c, "CAN", &school, SlotState::Reserved));
        }
        // Hugo's accepted absence on the 4th (excused absence no. 1).
        planning.extend(plan("HUGO", "CAN", &[feb(4)], SlotState::Absent));
        planning.extend(plan(
            "HUGO",
            "MAT",
            &[feb(1), feb(2), feb(8), feb(9)],
            SlotState::Reserved,
        ));
        planning.extend(plan("LEA", "SOIR", &school, SlotState::Reserved));
        planning.extend(plan("ZOE", "SOIR", &school, SlotState::Reserved));
        let week1 = [feb(15), feb(16), feb(17), feb(18), feb(19)];
        let week2 = [feb(22), feb(23), feb(24), feb(25), feb(26)];
        planning.extend(plan("HUGO", "CL", &week1, SlotState::Reserved));
        planning.extend(plan("ZOE", "CL", &week2, SlotState::Reserved));
        planning.extend(plan(
            "ZOE",
            "CL",
            &[feb(19)],
            SlotState::ReservationRequested,
        ));
        // A reservation in March is not February's.
        planning.extend(plan("LEA", "CAN", &[d(2027, 3, 1)], SlotState::Reserved));

        let mut marks = Vec::new();
        for day in school.iter().filter(|&&d| d != feb(9)) {
            marks.push(mark("LEA", "SOIR", *day, Mark::Present));
            marks.push(mark("ZOE", "SOIR", *day, Mark::Present));
        }
        // Léa absent without excuse on the evening of the 5th.
        marks.push(mark("LEA", "SOIR", feb(5), Mark::AbsentUnexcused));
        // Zoé absent, excused, on the 11th (excused absence no. 2).
        marks.push(mark("ZOE", "SOIR", feb(11), Mark::AbsentExcused));
        marks.push(mark("ZOE", "CAN", feb(11), Mark::AbsentExcused));
        // Zoé at the morning care on the 2nd without a reservation.
        marks.push(mark("ZOE", "MAT", feb(2), Mark::ArrivedUnreserved));

        let fam = family(Some(850));
        let bill = bill_family(
            BillingMonth::new(2027, 2).unwrap(),
            &BillingInputs {
                family: &fam,
                activities: &activities,
                tariffs: &tariffs,
                closures: &closures,
                planning: &planning,
                marks: &marks,
                corrections: &[],
            },
        );

        // By hand:
        // CAN (ranks: Léa 1, Hugo 2, Zoé 3):
        //   Léa  8 reserved − 9 (closed)              = 7 × 3,25 = 22,75
        //   Hugo 8 − 9 (closed) − 4 (excused)        = 6 × 2,92 = 17,52
        //   Zoé  8 − 9 (closed) − 11 (excused)       = 6 × 2,92 = 17,52
        //                                                 CAN    = 57,79
        // MAT: Hugo 1, 2, 8 (9 closed)               = 3 × 1,20 =  3,60
        //      Zoé on the 2nd, unreserved            = 1 × 1,20 =  1,20
        //      Zoé's fee                              = 1 × 1,00 =  1,00
        //                                                 MAT    =  5,80
        // SOIR (ranks among its children: Léa 1, Zoé 2; Hugo not in it):
        //   Léa 8 − 9 (closed) − 5 (unexcused)       = 6 × 2,10 = 12,60
        //   Léa's fee for the 5th                    = 1 × 2,00 =  2,00
        //   Zoé 8 − 9 (closed) − 11 (excused)        = 6 × 1,80 = 10,80
        //                                                 SOIR   = 25,40
        // CL (ranks: Hugo 1, Zoé 2; Léa not in it):
        //   Hugo 15–19                               = 5 × 12,50 = 62,50
        //   Zoé 22–26 (19 pending: skipped)           = 5 × 10,62 = 53,10
        //                                                 CL     = 115,60
        // Total: 57,79 + 5,80 + 25,40 + 115,60 = 204,59 €.
        use LineKind::*;
        assert_eq!(
            summary(&bill),
            vec![
                ("LEA", "CAN", Units, 7, 325, 2275),
                ("LEA", "SOIR", Units, 6, 210, 1260),
                ("LEA", "SOIR", UnexcusedFee, 1, 200, 200),
                ("HUGO", "CAN", Units, 6, 292, 1752),
                ("HUGO", "MAT", Units, 3, 120, 360),
                ("HUGO", "CL", Units, 5, 1250, 6250),
                ("ZOE", "CAN", Units, 6, 292, 1752),
                ("ZOE", "MAT", Units, 1, 120, 120),
                ("ZOE", "MAT", UnreservedFee, 1, 100, 100),
                ("ZOE", "SOIR", Units, 6, 180, 1080),
                ("ZOE", "CL", Units, 5, 1062, 5310),
            ]
        );
        assert_eq!(bill.total_cents, 20_459);
        sum_is_total(&bill);
        assert!(bill.notes.is_empty());

        let mut skipped: Vec<_> = bill
            .skipped
            .iter()
            .map(|s| {
                (
                    s.child_id.as_str(),
                    s.activity_id.as_str(),
                    s.date.day(),
                    s.reason,
                )
            })
            .collect();
        skipped.sort();
        use SkipReason::*;
        assert_eq!(
            skipped,
            vec![
                ("HUGO", "CAN", 4, Excused),
                ("HUGO", "CAN", 9, Closed),
                ("HUGO", "MAT", 9, Closed),
                ("LEA", "CAN", 9, Closed),
                ("LEA", "SOIR", 9, Closed),
                ("ZOE", "CAN", 9, Closed),
                ("ZOE", "CAN", 11, Excused),
                ("ZOE", "CL", 19, Pending),
                ("ZOE", "SOIR", 9, Closed),
                ("ZOE", "SOIR", 11, Excused),
            ]
        );
        let pending = bill.skipped.iter().find(|s| s.reason == Pending).unwrap();
        assert_eq!(pending.message, "Jour en attente de décision");
        let closed = bill.skipped.iter().find(|s| s.reason == Closed).unwrap();
        assert_eq!(closed.message, "Fermeture\u{a0}: Grève");

        // The lines' periods, labels, and what invoices store.
        let zoe_cl = &bill.lines[10];
        assert_eq!((zoe_cl.from, zoe_cl.to), (feb(22), feb(26)));
        assert_eq!(
            zoe_cl.label,
            "Centre de loisirs – Zoé\u{a0}: 5\u{a0}journées à 10,62\u{a0}€ (tarif réduit)"
        );
        assert_eq!(
            bill.lines[2].label,
            "Accueil du soir – Léa\u{a0}: absence non justifiée à 2,00\u{a0}€"
        );
        let stored = zoe_cl.to_invoice_line(BillingMonth::new(2027, 2).unwrap());
        assert_eq!(stored.period.as_deref(), Some("Février 2027"));
        assert_eq!(
            (
                stored.quantity,
                stored.unit_price_cents,
                stored.amount_cents
            ),
            (5, 1062, 5310)
        );
    }

    fn one_child_canteen(
        fam: &FamilyInput,
        tariffs: &[Tariff],
        days: &[NaiveDate],
        month: BillingMonth,
        corrections: &[Correction],
    ) -> FamilyBill {
        let activities = [activity(
            "CAN",
            "Restauration scolaire",
            BilledOn::Reserved,
            None,
            None,
        )];
        let planning = plan("LEA", "CAN", days, SlotState::Reserved);
        bill_family(
            month,
            &BillingInputs {
                family: fam,
                activities: &activities,
                tariffs,
                closures: &[],
                planning: &planning,
                marks: &[],
                corrections,
            },
        )
    }

    #[test]
    fn a_tariff_change_on_the_15th_bills_each_day_at_its_price() {
        // March 2027: Monday 1st. School days before the 15th: 1, 2, 4, 5,
        // 8, 9, 11, 12 (8); from the 15th: 15, 16, 18, 19, 22, 23, 25, 26,
        // 29, 30 (10). 8 × 3,25 = 26,00; 10 × 3,40 = 34,00; total 60,00.
        let tariffs = [tariff(
            "CAN",
            vec![
                version(Unit::Meal, d(2026, 9, 1), [150, 325, 450], None),
                version(Unit::Meal, d(2027, 3, 15), [160, 340, 470], None),
            ],
        )];
        let march = BillingMonth::new(2027, 3).unwrap();
        let days: Vec<NaiveDate> = (1..=31)
            .map(|n| d(2027, 3, n))
            .filter(|d| {
                !matches!(
                    d.weekday(),
                    chrono::Weekday::Wed | chrono::Weekday::Sat | chrono::Weekday::Sun
                )
            })
            .collect();
        let mut fam = family(Some(850));
        fam.children.truncate(1);
        let bill = one_child_canteen(&fam, &tariffs, &days, march, &[]);
        assert_eq!(
            summary(&bill),
            vec![
                ("LEA", "CAN", LineKind::Units, 8, 325, 2600),
                ("LEA", "CAN", LineKind::Units, 10, 340, 3400),
            ]
        );
        assert_eq!(
            (bill.lines[0].from, bill.lines[0].to),
            (d(2027, 3, 1), d(2027, 3, 12))
        );
        assert_eq!(
            (bill.lines[1].from, bill.lines[1].to),
            (d(2027, 3, 15), d(2027, 3, 30))
        );
        assert_eq!(bill.total_cents, 6000);
        // February, billed again after the change: the old price still.
        let bill = one_child_canteen(
            &fam,
            &tariffs,
            &[feb(1), feb(2)],
            BillingMonth::new(2027, 2).unwrap(),
            &[],
        );
        assert_eq!(
            summary(&bill),
            vec![("LEA", "CAN", LineKind::Units, 2, 325, 650)]
        );
    }

    #[test]
    fn the_qf_picks_its_bracket_from_included_to_excluded() {
        let tariffs = [tariff(
            "CAN",
            vec![version(Unit::Meal, d(2026, 9, 1), [150, 325, 450], None)],
        )];
        let feb_ = BillingMonth::new(2027, 2).unwrap();
        for (qf, price) in [(0, 150), (599, 150), (600, 325), (1199, 325), (1200, 450)] {
            let mut fam = family(Some(qf));
            fam.children.truncate(1);
            let bill = one_child_canteen(&fam, &tariffs, &[feb(1)], feb_, &[]);
            assert_eq!(bill.total_cents, price, "QF {qf}");
            assert!(bill.notes.is_empty());
        }
    }

    #[test]
    fn unknown_qf_bills_the_default_with_a_note_and_outside_families_their_rate() {
        let mut v = version(Unit::Meal, d(2026, 9, 1), [150, 325, 450], None);
        v.default_cents = 480;
        v.outside_cents = Some(520);
        let tariffs = [tariff("CAN", vec![v])];
        let feb_ = BillingMonth::new(2027, 2).unwrap();
        let mut fam = family(None);
        fam.children.truncate(1);
        let bill = one_child_canteen(&fam, &tariffs, &[feb(1), feb(2)], feb_, &[]);
        assert_eq!(
            summary(&bill),
            vec![("LEA", "CAN", LineKind::Units, 2, 480, 960)]
        );
        assert_eq!(bill.lines[0].basis, Some(PriceBasis::Default));
        assert!(
            bill.skipped.is_empty(),
            "an unknown QF is a note, not a skip"
        );
        assert_eq!(bill.notes.len(), 1);
        assert_eq!(
            bill.notes[0].message,
            "Restauration scolaire\u{a0}: QF inconnu\u{a0}: tarif par défaut appliqué"
        );
        assert!(
            bill.lines[0].label.ends_with("(tarif par défaut)"),
            "{}",
            bill.lines[0].label
        );

        // A QF that ends mid-month: the default from the next day.
        fam.quotients = vec![Quotient {
            euros: 300,
            dated: d(2026, 1, 1),
            valid_until: feb(1),
            source: QuotientSource::Agent,
        }];
        let bill = one_child_canteen(&fam, &tariffs, &[feb(1), feb(2)], feb_, &[]);
        assert_eq!(
            summary(&bill),
            vec![
                ("LEA", "CAN", LineKind::Units, 1, 150, 150),
                ("LEA", "CAN", LineKind::Units, 1, 480, 480),
            ]
        );

        // Outside the commune: its rate, whatever the QF.
        fam.resident = false;
        let bill = one_child_canteen(&fam, &tariffs, &[feb(1), feb(2)], feb_, &[]);
        assert_eq!(
            summary(&bill),
            vec![("LEA", "CAN", LineKind::Units, 2, 520, 1040)]
        );
        assert_eq!(bill.lines[0].basis, Some(PriceBasis::Outside));
        assert!(bill.notes.is_empty());
    }

    #[test]
    fn no_tariff_in_force_skips_the_day_with_its_reason() {
        let tariffs = [tariff(
            "CAN",
            vec![version(Unit::Meal, feb(2), [150, 325, 450], None)],
        )];
        let mut fam = family(Some(850));
        fam.children.truncate(1);
        let bill = one_child_canteen(
            &fam,
            &tariffs,
            &[feb(1), feb(2)],
            BillingMonth::new(2027, 2).unwrap(),
            &[],
        );
        assert_eq!(
            summary(&bill),
            vec![("LEA", "CAN", LineKind::Units, 1, 325, 325)]
        );
        assert_eq!(bill.skipped.len(), 1);
        assert_eq!(bill.skipped[0].reason, SkipReason::NoTariff);
        assert_eq!(bill.skipped[0].date, feb(1));
        assert_eq!(bill.skipped[0].message, "Tarif absent pour cette activité");
        let bill = one_child_canteen(
            &fam,
            &[],
            &[feb(1)],
            BillingMonth::new(2027, 2).unwrap(),
            &[],
        );
        assert_eq!(bill.total_cents, 0);
        assert_eq!(bill.skipped[0].reason, SkipReason::NoTariff);
    }

    #[test]
    fn the_second_child_is_ranked_by_birth_among_that_activitys_children() {
        // 10 % of 325 ct = 32,5 ct → 33 ct off per unit: 2,92 €.
        let tariffs = [tariff(
            "CAN",
            vec![version(
                Unit::Meal,
                d(2026, 9, 1),
                [150, 325, 450],
                Some(Reduction::Percent(10)),
            )],
        )];
        let fam = family(Some(850));
        let activities = [activity(
            "CAN",
            "Restauration scolaire",
            BilledOn::Reserved,
            None,
            None,
        )];
        // Only Hugo and Zoé eat at the canteen: Hugo pays in full.
        let mut planning = plan(
            "HUGO",
            "CAN",
            &[feb(1), feb(2), feb(4)],
            SlotState::Reserved,
        );
        planning.extend(plan("ZOE", "CAN", &[feb(1)], SlotState::Reserved));
        // Léa's only day is closed: she is not billed, so not ranked.
        planning.extend(plan("LEA", "CAN", &[feb(9)], SlotState::Reserved));
        let closures = [CommuneClosure {
            activity_id: None,
            from: feb(9),
            to: feb(9),
            label: "Grève".into(),
        }];
        let bill = bill_family(
            BillingMonth::new(2027, 2).unwrap(),
            &BillingInputs {
                family: &fam,
                activities: &activities,
                tariffs: &tariffs,
                closures: &closures,
                planning: &planning,
                marks: &[],
                corrections: &[],
            },
        );
        // 3 × 3,25 = 9,75 ; 1 × 2,92 = 2,92 ; total 12,67.
        assert_eq!(
            summary(&bill),
            vec![
                ("HUGO", "CAN", LineKind::Units, 3, 325, 975),
                ("ZOE", "CAN", LineKind::Units, 1, 292, 292),
            ]
        );
        assert!(!bill.lines[0].reduced);
        assert!(bill.lines[1].reduced);
        assert_eq!(bill.total_cents, 1267);
    }

    #[test]
    fn a_correction_is_a_negative_line_carried_on_the_next_invoice() {
        let tariffs = [tariff(
            "CAN",
            vec![version(Unit::Meal, d(2026, 9, 1), [150, 325, 450], None)],
        )];
        let mut fam = family(Some(850));
        fam.children.truncate(1);
        let corrections = [
            Correction {
                child_id: "LEA".into(),
                activity_id: "CAN".into(),
                day: d(2027, 1, 14),
                cents: 325,
                reason: "Repas facturé pendant une sortie".into(),
            },
            // Not the family's child: not carried, and said.
            Correction {
                child_id: "OTHER".into(),
                activity_id: "CAN".into(),
                day: d(2027, 1, 14),
                cents: 100,
                reason: "Erreur".into(),
            },
            // A negative credit is refused.
            Correction {
                child_id: "LEA".into(),
                activity_id: "CAN".into(),
                day: d(2027, 1, 14),
                cents: -100,
                reason: "Erreur".into(),
            },
        ];
        let bill = one_child_canteen(
            &fam,
            &tariffs,
            &[feb(1), feb(2)],
            BillingMonth::new(2027, 2).unwrap(),
            &corrections,
        );
        // 2 × 3,25 = 6,50 − 3,25 = 3,25.
        assert_eq!(
            summary(&bill),
            vec![
                ("LEA", "CAN", LineKind::Units, 2, 325, 650),
                ("LEA", "CAN", LineKind::Credit, 1, -325, -325),
            ]
        );
        assert_eq!(bill.total_cents, 325);
        assert_eq!(
            bill.lines[1].label,
            "Avoir – Restauration scolaire – Léa du 14/01/2027\u{a0}: Repas facturé pendant une sortie"
        );
        assert_eq!(bill.skipped.len(), 2);
        assert!(
            bill.skipped
                .iter()
                .all(|s| s.reason == SkipReason::BadCorrection)
        );
        // A credit larger than the month: the total is negative (nothing
        // to issue, the credit waits).
        let bill = one_child_canteen(
            &fam,
            &tariffs,
            &[],
            BillingMonth::new(2027, 2).unwrap(),
            &corrections[..1],
        );
        assert_eq!(bill.total_cents, -325);
    }

    #[test]
    fn corrections_are_validated() {
        let mut c = Correction {
            child_id: "LEA".into(),
            activity_id: "CAN".into(),
            day: feb(1),
            cents: 0,
            reason: "  ".into(),
        };
        let codes: Vec<_> = c
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, ["correction_amount", "required"]);
        c.cents = MAX_AMOUNT_CENTS + 1;
        c.reason = "x".repeat(MAX_DESCRIPTION + 1);
        let codes: Vec<_> = c
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, ["correction_amount", "correction_reason"]);
        c.cents = 1;
        c.reason = "Erreur".into();
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn billed_on_attendance_a_reserved_day_not_marked_is_skipped() {
        let tariffs = [tariff(
            "SOIR",
            vec![version(Unit::HalfDay, d(2026, 9, 1), [150, 210, 280], None)],
        )];
        let activities = [activity(
            "SOIR",
            "Accueil du soir",
            BilledOn::Attended,
            None,
            None,
        )];
        let mut fam = family(Some(850));
        fam.children.truncate(1);
        let planning = plan("LEA", "SOIR", &[feb(1), feb(2)], SlotState::Reserved);
        let marks = [mark("LEA", "SOIR", feb(1), Mark::Present)];
        let bill = bill_family(
            BillingMonth::new(2027, 2).unwrap(),
            &BillingInputs {
                family: &fam,
                activities: &activities,
                tariffs: &tariffs,
                closures: &[],
                planning: &planning,
                marks: &marks,
                corrections: &[],
            },
        );
        assert_eq!(
            summary(&bill),
            vec![("LEA", "SOIR", LineKind::Units, 1, 210, 210)]
        );
        assert_eq!(bill.skipped.len(), 1);
        assert_eq!(
            (bill.skipped[0].date, bill.skipped[0].reason),
            (feb(2), SkipReason::NotTaken)
        );
        assert_eq!(bill.skipped[0].message, "Présence non relevée");
    }

    #[test]
    fn fees_are_bounded() {
        let mut a = activity(
            "CAN",
            "Restauration scolaire",
            BilledOn::Reserved,
            None,
            Some(0),
        );
        assert_eq!(a.validate(), Ok(()));
        a.unexcused_fee_cents = Some(-1);
        a.unreserved_fee_cents = Some(MAX_PRICE_CENTS + 1);
        let fields: Vec<_> = a
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("unexcused_fee_cents".to_string(), "fee_invalid".to_string()),
                (
                    "unreserved_fee_cents".to_string(),
                    "fee_invalid".to_string()
                ),
            ]
        );
    }

    #[test]
    fn months_know_their_days_and_names() {
        let m = BillingMonth::new(2027, 2).unwrap();
        assert_eq!((m.first_day(), m.last_day()), (feb(1), feb(28)));
        assert_eq!(
            BillingMonth::new(2028, 2).unwrap().last_day(),
            d(2028, 2, 29)
        );
        assert_eq!(
            BillingMonth::new(2027, 12).unwrap().last_day(),
            d(2027, 12, 31)
        );
        assert_eq!(m.to_string(), "2027-02");
        assert_eq!(m.label(), "Février 2027");
        assert_eq!(BillingMonth::new(2027, 8).unwrap().label(), "Août 2027");
        assert!(BillingMonth::new(2027, 13).is_none());
        assert!(BillingMonth::new(2027, 0).is_none());
        assert!(m.contains(feb(28)) && !m.contains(d(2027, 3, 1)));
        assert_eq!("2027-02".parse::<BillingMonth>(), Ok(m));
        for bad in [
            "2027-2", "2027-13", "27-02", "2027/02", "2027-0a", "", "+027-02",
        ] {
            let e = bad.parse::<BillingMonth>().unwrap_err();
            assert_eq!(e.code, "invalid_month", "{bad}");
        }
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"2027-02\"");
        assert_eq!(
            serde_json::from_str::<BillingMonth>("\"2027-02\"").unwrap(),
            m
        );
        assert!(serde_json::from_str::<BillingMonth>("\"2027-00\"").is_err());
    }

    /// Random families, plannings and marks: the total is the sum of the
    /// lines, every line is count × unit price, nothing is billed on a
    /// closed, excused or pending day, and the units billed never exceed
    /// the days that could bill.
    #[test]
    fn random_months_keep_the_invariants() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(16);
        let states = [
            SlotState::Reserved,
            SlotState::Absent,
            SlotState::ReservationRequested,
            SlotState::AbsenceRequested,
            SlotState::WaitingList,
            SlotState::AbsenceRefused,
        ];
        let all_marks = [
            Mark::Present,
            Mark::AbsentExcused,
            Mark::AbsentUnexcused,
            Mark::ArrivedUnreserved,
        ];
        let activities = vec![
            activity(
                "A",
                "Restauration scolaire",
                BilledOn::Reserved,
                Some(150),
                Some(90),
            ),
            activity("B", "Accueil du soir", BilledOn::Attended, Some(200), None),
        ];
        for _ in 0..200 {
            let tariffs = vec![
                tariff(
                    "A",
                    vec![
                        version(
                            Unit::Meal,
                            d(2026, 9, 1),
                            [rng.random_range(0..500), 325, 450],
                            Some(Reduction::Percent(rng.random_range(0..=100))),
                        ),
                        version(
                            Unit::Meal,
                            feb(rng.random_range(1..=28)),
                            [1, rng.random_range(0..900), 3],
                            None,
                        ),
                    ],
                ),
                tariff(
                    "B",
                    vec![version(
                        Unit::HalfDay,
                        d(2026, 9, 1),
                        [150, 210, 280],
                        Some(Reduction::Cents(rng.random_range(0..300))),
                    )],
                ),
            ];
            let mut fam = family(if rng.random_bool(0.8) {
                Some(rng.random_range(0..2000))
            } else {
                None
            });
            fam.resident = rng.random_bool(0.7);
            let closed_day = feb(rng.random_range(1..=28));
            let closures = [CommuneClosure {
                activity_id: None,
                from: closed_day,
                to: closed_day,
                label: "Grève".into(),
            }];
            let mut planning = Vec::new();
            let mut marks = Vec::new();
            for c in ["LEA", "HUGO", "ZOE"] {
                for a in ["A", "B"] {
                    for day in 1..=28 {
                        if rng.random_bool(0.5) {
                            planning.extend(plan(
                                c,
                                a,
                                &[feb(day)],
                                states[rng.random_range(0..states.len())],
                            ));
                        }
                        if rng.random_bool(0.4) {
                            marks.push(mark(
                                c,
                                a,
                                feb(day),
                                all_marks[rng.random_range(0..all_marks.len())],
                            ));
                        }
                    }
                }
            }
            let corrections = [Correction {
                child_id: "HUGO".into(),
                activity_id: "A".into(),
                day: d(2027, 1, 5),
                cents: rng.random_range(1..5000),
                reason: "Erreur".into(),
            }];
            let bill = bill_family(
                BillingMonth::new(2027, 2).unwrap(),
                &BillingInputs {
                    family: &fam,
                    activities: &activities,
                    tariffs: &tariffs,
                    closures: &closures,
                    planning: &planning,
                    marks: &marks,
                    corrections: &corrections,
                },
            );
            sum_is_total(&bill);
            // An oracle, day by day: the counts of units and fees.
            let pl: BTreeMap<_, _> = planning
                .iter()
                .map(|p| {
                    (
                        (p.child_id.as_str(), p.activity_id.as_str(), p.date),
                        p.state,
                    )
                })
                .collect();
            let mk: BTreeMap<_, _> = marks
                .iter()
                .map(|m| {
                    (
                        (m.child_id.as_str(), m.activity_id.as_str(), m.date),
                        m.mark,
                    )
                })
                .collect();
            let mut expected: BTreeMap<(&str, &str, LineKind), i64> = BTreeMap::new();
            for c in ["LEA", "HUGO", "ZOE"] {
                for (a, t) in activities.iter().zip(&tariffs) {
                    let aid = a.activity_id.as_str();
                    for day in (1..=28).map(feb) {
                        let o = day_outcome(
                            a.billed_on,
                            day == closed_day,
                            Planned::of(pl.get(&(c, aid, day)).copied()),
                            mk.get(&(c, aid, day)).copied(),
                        );
                        if let DayOutcome::Billed {
                            unit,
                            unexcused_fee,
                            unreserved_fee,
                        } = o
                        {
                            assert_ne!(day, closed_day);
                            let mut count = |k| *expected.entry((c, aid, k)).or_default() += 1;
                            if unit && t.on(day).is_some() {
                                count(LineKind::Units);
                            }
                            if unexcused_fee {
                                count(LineKind::UnexcusedFee);
                            }
                            if unreserved_fee && aid == "A" {
                                count(LineKind::UnreservedFee);
                            }
                        }
                    }
                }
            }
            let mut billed: BTreeMap<(&str, &str, LineKind), i64> = BTreeMap::new();
            for l in bill.lines.iter().filter(|l| l.kind != LineKind::Credit) {
                assert!(l.amount_cents >= 0 && l.count > 0 && l.from <= l.to);
                *billed
                    .entry((l.child_id.as_str(), l.activity_id.as_str(), l.kind))
                    .or_default() += l.count;
            }
            assert_eq!(billed, expected);
            // The eldest child billed on an activity is never reduced.
            for a in ["A", "B"] {
                let first = bill
                    .lines
                    .iter()
                    .find(|l| l.activity_id == a && l.kind == LineKind::Units);
                if let Some(first) = first {
                    assert!(
                        bill.lines
                            .iter()
                            .filter(|l| l.child_id == first.child_id && l.activity_id == a)
                            .all(|l| !l.reduced)
                    );
                }
            }
            let credits: Vec<_> = bill
                .lines
                .iter()
                .filter(|l| l.kind == LineKind::Credit)
                .collect();
            assert_eq!(credits.len(), 1);
            assert_eq!(credits[0].amount_cents, -corrections[0].cents);
            // Every (child, activity, day) is billed or skipped at most once.
            let mut seen = BTreeSet::new();
            for s in bill
                .skipped
                .iter()
                .filter(|s| s.reason != SkipReason::BadCorrection)
            {
                assert!(seen.insert((s.child_id.clone(), s.activity_id.clone(), s.date)));
                if s.date == closed_day {
                    assert_eq!(s.reason, SkipReason::Closed);
                }
            }
        }
    }
}
