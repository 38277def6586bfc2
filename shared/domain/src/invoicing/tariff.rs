//! An activity's tariff: versions in force from a date, each a grid of QF
//! brackets → price per unit, with a reduction from the second child, a
//! rate for families outside the commune and a default price when the QF
//! is unknown.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;

/// Brackets of one version, at most.
pub const MAX_BRACKETS: usize = 20;
/// Versions of one tariff, at most.
pub const MAX_VERSIONS: usize = 50;
/// The largest price of a unit or a fee: 1 000 €.
pub const MAX_PRICE_CENTS: i64 = 100_000;

/// What one billed day counts as. Every billed day is one unit; the unit
/// names it on the invoice.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// The activity's slot on a day (before-school care…).
    Slot,
    HalfDay,
    Meal,
    /// A whole day (holiday centre).
    Day,
}

impl Unit {
    /// "3 repas", "1 créneau".
    pub fn count_text(self, count: i64) -> String {
        let (one, many) = match self {
            Unit::Slot => ("créneau", "créneaux"),
            Unit::HalfDay => ("demi-journée", "demi-journées"),
            Unit::Meal => ("repas", "repas"),
            Unit::Day => ("journée", "journées"),
        };
        format!("{count}\u{a0}{}", if count.abs() > 1 { many } else { one })
    }
}

/// A QF bracket: `[from, to)` in euros (`to` none: open-ended, the last
/// one) → the price of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bracket {
    pub from_euros: u32,
    #[serde(default)]
    pub to_euros: Option<u32>,
    pub cents: i64,
}

impl Bracket {
    /// `from` included, `to` excluded.
    pub fn contains(&self, qf: u32) -> bool {
        self.from_euros <= qf && self.to_euros.is_none_or(|to| qf < to)
    }
}

/// The reduction from the second child on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    /// Off each unit price, rounded half up to the cent.
    Percent(u8),
    /// Off each unit price (never below 0).
    Cents(i64),
}

/// One version of a tariff, in force from `effective_from` until the next
/// version's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TariffVersion {
    pub effective_from: NaiveDate,
    pub unit: Unit,
    pub brackets: Vec<Bracket>,
    #[serde(default)]
    pub second_child: Option<Reduction>,
    /// The price of a unit for a family outside the commune, whatever its
    /// QF; none: the grid applies to them too.
    #[serde(default)]
    pub outside_cents: Option<i64>,
    /// The price of a unit when the QF is unknown that day.
    pub default_cents: i64,
}

/// How a unit price was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum PriceBasis {
    /// The grid's bracket at this index.
    Bracket { index: usize },
    /// The QF was unknown.
    Default,
    /// The family lives outside the commune.
    Outside,
}

/// A unit's price and how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitPrice {
    pub cents: i64,
    pub basis: PriceBasis,
    /// The second-child reduction was applied.
    pub reduced: bool,
}

impl TariffVersion {
    /// The full price of a unit (before any reduction).
    pub fn base_price(&self, qf: Option<u32>, resident: bool) -> (i64, PriceBasis) {
        if !resident && let Some(c) = self.outside_cents {
            return (c, PriceBasis::Outside);
        }
        match qf {
            None => (self.default_cents, PriceBasis::Default),
            Some(qf) => self
                .brackets
                .iter()
                .position(|b| b.contains(qf))
                .and_then(|i| {
                    self.brackets
                        .get(i)
                        .map(|b| (b.cents, PriceBasis::Bracket { index: i }))
                })
                // A valid grid starts at 0 and ends open: every QF is in it.
                .unwrap_or((self.default_cents, PriceBasis::Default)),
        }
    }

    /// The price of a unit for the child of `rank` (1: the first child, who
    /// pays in full).
    pub fn price(&self, qf: Option<u32>, resident: bool, rank: usize) -> UnitPrice {
        let (cents, basis) = self.base_price(qf, resident);
        match self.second_child {
            Some(r) if rank >= 2 => UnitPrice {
                cents: reduce(cents, r),
                basis,
                reduced: true,
            },
            _ => UnitPrice {
                cents,
                basis,
                reduced: false,
            },
        }
    }
}

/// `cents` less the reduction: a percent is taken off the unit price and
/// rounded half up to the cent (12,5 ct off → 13 ct off); never below 0.
pub fn reduce(cents: i64, reduction: Reduction) -> i64 {
    match reduction {
        Reduction::Percent(p) => {
            let off = (cents * i64::from(p) + 50) / 100;
            (cents - off).max(0)
        }
        Reduction::Cents(c) => (cents - c).max(0),
    }
}

/// An activity's tariff: its versions, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    pub activity_id: String,
    pub versions: Vec<TariffVersion>,
}

impl Tariff {
    /// The version in force on `day`: the last one whose date is on or
    /// before it. A new version never changes the days before its date.
    pub fn on(&self, day: NaiveDate) -> Option<&TariffVersion> {
        self.versions
            .iter()
            .filter(|v| v.effective_from <= day)
            .max_by_key(|v| v.effective_from)
    }

    /// Every rule of a tariff, checked; all the errors at once.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.versions.is_empty() {
            errors.push(FieldError::new(
                "versions",
                "tariff_empty",
                "Le tarif n'a aucune version.",
            ));
        }
        if self.versions.len() > MAX_VERSIONS {
            errors.push(FieldError::new(
                "versions",
                "tariff_too_many_versions",
                format!("Un tarif a au plus {MAX_VERSIONS} versions."),
            ));
        }
        for (i, pair) in self.versions.windows(2).enumerate() {
            if let [a, b] = pair
                && b.effective_from <= a.effective_from
            {
                errors.push(FieldError::new(
                    &format!("versions[{}].effective_from", i + 1),
                    "tariff_version_order",
                    "Chaque version du tarif doit commencer après la précédente.",
                ));
            }
        }
        for (i, v) in self.versions.iter().enumerate().take(MAX_VERSIONS) {
            validate_version(&format!("versions[{i}]"), v, &mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_price(field: &str, cents: i64, errors: &mut Vec<FieldError>) {
    if cents < 0 {
        errors.push(FieldError::new(
            field,
            "tariff_negative_price",
            "Un prix ne peut pas être négatif.",
        ));
    } else if cents > MAX_PRICE_CENTS {
        errors.push(FieldError::new(
            field,
            "tariff_price_too_high",
            "Un prix unitaire ne peut pas dépasser 1\u{a0}000\u{a0}€.",
        ));
    }
}

fn validate_version(at: &str, v: &TariffVersion, errors: &mut Vec<FieldError>) {
    check_price(&format!("{at}.default_cents"), v.default_cents, errors);
    if let Some(c) = v.outside_cents {
        check_price(&format!("{at}.outside_cents"), c, errors);
    }
    match v.second_child {
        Some(Reduction::Percent(p)) if p > 100 => errors.push(FieldError::new(
            &format!("{at}.second_child"),
            "tariff_reduction_invalid",
            "La réduction est un pourcentage de 0 à 100.",
        )),
        Some(Reduction::Cents(c)) if !(0..=MAX_PRICE_CENTS).contains(&c) => {
            errors.push(FieldError::new(
                &format!("{at}.second_child"),
                "tariff_reduction_invalid",
                "La réduction est un montant de 0 à 1\u{a0}000\u{a0}€.",
            ))
        }
        _ => {}
    }
    let field = format!("{at}.brackets");
    if v.brackets.is_empty() {
        errors.push(FieldError::new(
            &field,
            "tariff_brackets_empty",
            "La grille doit avoir au moins une tranche de QF.",
        ));
        return;
    }
    if v.brackets.len() > MAX_BRACKETS {
        errors.push(FieldError::new(
            &field,
            "tariff_too_many_brackets",
            format!("La grille a au plus {MAX_BRACKETS} tranches de QF."),
        ));
        return;
    }
    if v.brackets.first().is_some_and(|b| b.from_euros != 0) {
        errors.push(FieldError::new(
            &format!("{field}[0].from_euros"),
            "tariff_bracket_start",
            "La première tranche commence à un QF de 0\u{a0}€.",
        ));
    }
    let last = v.brackets.len() - 1;
    for (i, b) in v.brackets.iter().enumerate() {
        let f = format!("{field}[{i}]");
        check_price(&format!("{f}.cents"), b.cents, errors);
        match b.to_euros {
            None if i != last => errors.push(FieldError::new(
                &format!("{f}.to_euros"),
                "tariff_bracket_open",
                "Seule la dernière tranche est sans limite haute.",
            )),
            Some(_) if i == last => errors.push(FieldError::new(
                &format!("{f}.to_euros"),
                "tariff_bracket_last_bounded",
                "La dernière tranche n'a pas de limite haute («\u{a0}et plus\u{a0}»).",
            )),
            Some(to) if to <= b.from_euros => errors.push(FieldError::new(
                &format!("{f}.to_euros"),
                "tariff_bracket_empty",
                "Une tranche finit après son début.",
            )),
            _ => {}
        }
        if let (Some(to), Some(next)) = (b.to_euros, v.brackets.get(i + 1)) {
            if next.from_euros > to {
                errors.push(FieldError::new(
                    &format!("{field}[{}].from_euros", i + 1),
                    "tariff_bracket_gap",
                    format!(
                        "Les tranches laissent un trou\u{a0}: de {to}\u{a0}€ à {}\u{a0}€ aucun tarif ne s'applique.",
                        next.from_euros
                    ),
                ));
            } else if next.from_euros < to {
                errors.push(FieldError::new(
                    &format!("{field}[{}].from_euros", i + 1),
                    "tariff_bracket_overlap",
                    format!(
                        "Les tranches se chevauchent\u{a0}: la tranche suivante commence à {}\u{a0}€, avant {to}\u{a0}€.",
                        next.from_euros
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap_or_default()
    }

    pub(crate) fn grid(unit: Unit, from: NaiveDate, prices: [i64; 3]) -> TariffVersion {
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
            second_child: None,
            outside_cents: None,
            default_cents: prices[2],
        }
    }

    fn tariff(versions: Vec<TariffVersion>) -> Tariff {
        Tariff {
            activity_id: "A".into(),
            versions,
        }
    }

    fn codes(t: &Tariff) -> Vec<(String, String)> {
        match t.validate() {
            Ok(()) => vec![],
            Err(e) => e.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    fn one(field: &str, code: &str) -> Vec<(String, String)> {
        vec![(field.to_string(), code.to_string())]
    }

    #[test]
    fn a_qf_on_a_boundary_takes_the_bracket_it_starts() {
        let v = grid(Unit::Meal, d(1, 1), [100, 200, 300]);
        assert_eq!(
            v.base_price(Some(0), true),
            (100, PriceBasis::Bracket { index: 0 })
        );
        assert_eq!(
            v.base_price(Some(599), true),
            (100, PriceBasis::Bracket { index: 0 })
        );
        assert_eq!(
            v.base_price(Some(600), true),
            (200, PriceBasis::Bracket { index: 1 })
        );
        assert_eq!(
            v.base_price(Some(1199), true),
            (200, PriceBasis::Bracket { index: 1 })
        );
        assert_eq!(
            v.base_price(Some(1200), true),
            (300, PriceBasis::Bracket { index: 2 })
        );
        assert_eq!(
            v.base_price(Some(u32::MAX), true),
            (300, PriceBasis::Bracket { index: 2 })
        );
    }

    #[test]
    fn unknown_qf_takes_the_default_and_outside_the_commune_its_rate() {
        let mut v = grid(Unit::Meal, d(1, 1), [100, 200, 300]);
        v.default_cents = 350;
        assert_eq!(v.base_price(None, true), (350, PriceBasis::Default));
        // No outside rate: the grid applies to them too.
        assert_eq!(
            v.base_price(Some(100), false),
            (100, PriceBasis::Bracket { index: 0 })
        );
        v.outside_cents = Some(500);
        assert_eq!(v.base_price(Some(100), false), (500, PriceBasis::Outside));
        assert_eq!(v.base_price(None, false), (500, PriceBasis::Outside));
        assert_eq!(
            v.base_price(Some(100), true),
            (100, PriceBasis::Bracket { index: 0 })
        );
    }

    #[test]
    fn the_second_child_reduction_rounds_half_up_per_unit() {
        // 10 % of 325 ct = 32,5 ct → 33 ct off: 292 ct.
        assert_eq!(reduce(325, Reduction::Percent(10)), 292);
        // 10 % of 324 ct = 32,4 ct → 32 ct off: 292 ct.
        assert_eq!(reduce(324, Reduction::Percent(10)), 292);
        // 15 % of 170 ct = 25,5 ct → 26 ct off: 144 ct.
        assert_eq!(reduce(170, Reduction::Percent(15)), 144);
        assert_eq!(reduce(170, Reduction::Percent(100)), 0);
        assert_eq!(reduce(170, Reduction::Cents(50)), 120);
        assert_eq!(reduce(170, Reduction::Cents(500)), 0);
        let mut v = grid(Unit::Meal, d(1, 1), [325, 400, 500]);
        v.second_child = Some(Reduction::Percent(10));
        assert_eq!(v.price(Some(10), true, 1).cents, 325);
        assert!(!v.price(Some(10), true, 1).reduced);
        assert_eq!(v.price(Some(10), true, 2).cents, 292);
        assert_eq!(v.price(Some(10), true, 3).cents, 292);
        assert!(v.price(Some(10), true, 3).reduced);
    }

    #[test]
    fn the_version_in_force_is_the_last_one_started() {
        let t = tariff(vec![
            grid(Unit::Meal, d(1, 1), [100, 200, 300]),
            grid(Unit::Meal, d(3, 15), [110, 220, 330]),
        ]);
        assert!(t.on(d(12, 31) - chrono::Days::new(365)).is_none());
        assert_eq!(t.on(d(3, 14)).map(|v| v.effective_from), Some(d(1, 1)));
        assert_eq!(t.on(d(3, 15)).map(|v| v.effective_from), Some(d(3, 15)));
        assert_eq!(t.on(d(12, 1)).map(|v| v.effective_from), Some(d(3, 15)));
        assert_eq!(codes(&t), vec![]);
    }

    #[test]
    fn bad_tariffs_are_refused_with_a_code_for_each_rule() {
        let base = || grid(Unit::Meal, d(1, 1), [100, 200, 300]);
        assert_eq!(codes(&tariff(vec![])), one("versions", "tariff_empty"));

        let mut v = base();
        v.brackets[1].from_euros = 700;
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].brackets[1].from_euros", "tariff_bracket_gap")
        );
        let mut v = base();
        v.brackets[1].from_euros = 500;
        assert_eq!(
            codes(&tariff(vec![v])),
            one(
                "versions[0].brackets[1].from_euros",
                "tariff_bracket_overlap"
            )
        );
        let mut v = base();
        v.brackets[0].from_euros = 1;
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].brackets[0].from_euros", "tariff_bracket_start")
        );
        let mut v = base();
        v.brackets[2].to_euros = Some(5000);
        assert_eq!(
            codes(&tariff(vec![v])),
            one(
                "versions[0].brackets[2].to_euros",
                "tariff_bracket_last_bounded"
            )
        );
        let mut v = base();
        v.brackets[1].to_euros = None;
        assert_eq!(
            codes(&tariff(vec![v]))[0],
            (
                "versions[0].brackets[1].to_euros".to_string(),
                "tariff_bracket_open".to_string()
            )
        );
        let mut v = base();
        v.brackets[1].to_euros = Some(600);
        v.brackets[2].from_euros = 600;
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].brackets[1].to_euros", "tariff_bracket_empty")
        );
        let mut v = base();
        v.brackets[2].cents = -1;
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].brackets[2].cents", "tariff_negative_price")
        );
        let mut v = base();
        v.default_cents = -5;
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].default_cents", "tariff_negative_price")
        );
        let mut v = base();
        v.outside_cents = Some(MAX_PRICE_CENTS + 1);
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].outside_cents", "tariff_price_too_high")
        );
        let mut v = base();
        v.second_child = Some(Reduction::Percent(101));
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].second_child", "tariff_reduction_invalid")
        );
        let mut v = base();
        v.second_child = Some(Reduction::Cents(-1));
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].second_child", "tariff_reduction_invalid")
        );
        let mut v = base();
        v.brackets = vec![];
        assert_eq!(
            codes(&tariff(vec![v])),
            one("versions[0].brackets", "tariff_brackets_empty")
        );
        let mut v = base();
        v.brackets = (0..=MAX_BRACKETS as u32)
            .map(|i| Bracket {
                from_euros: i * 100,
                to_euros: (i < MAX_BRACKETS as u32).then_some((i + 1) * 100),
                cents: 100,
            })
            .collect();
        assert_eq!(v.brackets.len(), 21);
        assert_eq!(
            codes(&tariff(vec![v.clone()])),
            one("versions[0].brackets", "tariff_too_many_brackets")
        );
        v.brackets.remove(0);
        v.brackets[0].from_euros = 0;
        assert_eq!(codes(&tariff(vec![v])), vec![], "20 brackets are allowed");

        assert_eq!(
            codes(&tariff(vec![base(), grid(Unit::Meal, d(1, 1), [1, 2, 3])])),
            one("versions[1].effective_from", "tariff_version_order")
        );
        let mut late = base();
        late.effective_from = d(6, 1);
        assert_eq!(
            codes(&tariff(vec![late, base()])),
            one("versions[1].effective_from", "tariff_version_order")
        );
        let many: Vec<_> = (0..=MAX_VERSIONS as u64)
            .map(|i| grid(Unit::Meal, d(1, 1) + chrono::Days::new(i), [1, 2, 3]))
            .collect();
        assert_eq!(
            codes(&tariff(many)),
            one("versions", "tariff_too_many_versions")
        );
    }

    #[test]
    fn every_message_is_french_with_its_typography() {
        let mut v = grid(Unit::Meal, d(1, 1), [100, 200, 300]);
        v.brackets[1].from_euros = 700;
        let e = tariff(vec![v]).validate().err().unwrap_or_default();
        assert_eq!(
            e[0].message,
            "Les tranches laissent un trou\u{a0}: de 600\u{a0}€ à 700\u{a0}€ aucun tarif ne s'applique."
        );
    }
}
