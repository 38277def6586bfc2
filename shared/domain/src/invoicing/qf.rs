//! The family's quotient familial (QF): an amount in euros, the day it was
//! established, the last day it holds, and where it comes from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;

/// The largest QF accepted, in euros.
pub const MAX_QF_EUROS: u32 = 100_000;

/// Where a QF comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotientSource {
    /// The dossier's fiscal information, once the commune validated it.
    Dossier,
    /// Set by an agent (an attestation brought to the town hall).
    Agent,
}

/// A QF and the days it holds: from `dated` to `valid_until`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quotient {
    /// In euros.
    pub euros: u32,
    pub dated: NaiveDate,
    pub valid_until: NaiveDate,
    pub source: QuotientSource,
}

impl Quotient {
    /// A QF as an agent sets it: at most 100 000 €, its end on or after
    /// its date.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.euros > MAX_QF_EUROS {
            errors.push(FieldError::new(
                "euros",
                "qf_too_high",
                "Le quotient familial ne peut pas dépasser 100\u{a0}000\u{a0}€.",
            ));
        }
        if self.valid_until < self.dated {
            errors.push(FieldError::new(
                "valid_until",
                "qf_validity",
                "La fin de validité du quotient familial est après sa date.",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The QF on `day`, or none outside its validity.
    pub fn on(&self, day: NaiveDate) -> Option<u32> {
        (self.dated <= day && day <= self.valid_until).then_some(self.euros)
    }
}

/// The family's QF on `day` among those it has had: the most recently dated
/// one valid that day; on the same date, the agent's wins over the
/// dossier's (the agent saw the attestation). None: the QF is unknown that
/// day (the tariff's default price applies).
pub fn qf_on(quotients: &[Quotient], day: NaiveDate) -> Option<u32> {
    quotients
        .iter()
        .filter(|q| q.on(day).is_some())
        .max_by_key(|q| (q.dated, q.source == QuotientSource::Agent))
        .map(|q| q.euros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap_or_default()
    }

    fn q(euros: u32, dated: NaiveDate, until: NaiveDate, source: QuotientSource) -> Quotient {
        Quotient {
            euros,
            dated,
            valid_until: until,
            source,
        }
    }

    #[test]
    fn a_qf_holds_from_its_date_to_its_end_both_included() {
        let qf = q(800, d(1, 10), d(12, 31), QuotientSource::Dossier);
        assert_eq!(qf.on(d(1, 9)), None);
        assert_eq!(qf.on(d(1, 10)), Some(800));
        assert_eq!(qf.on(d(12, 31)), Some(800));
        assert_eq!(qf_on(&[qf], d(6, 1)), Some(800));
        assert_eq!(qf_on(&[qf], d(1, 9)), None);
        assert_eq!(qf_on(&[], d(6, 1)), None);
    }

    #[test]
    fn a_qf_is_validated() {
        assert_eq!(
            q(800, d(1, 1), d(1, 1), QuotientSource::Agent).validate(),
            Ok(())
        );
        let codes = |qf: Quotient| -> Vec<String> {
            qf.validate()
                .unwrap_err()
                .into_iter()
                .map(|e| e.code)
                .collect()
        };
        assert_eq!(
            codes(q(800, d(2, 1), d(1, 31), QuotientSource::Agent)),
            ["qf_validity"]
        );
        assert_eq!(
            codes(q(
                MAX_QF_EUROS + 1,
                d(1, 1),
                d(12, 31),
                QuotientSource::Dossier
            )),
            ["qf_too_high"]
        );
    }

    #[test]
    fn the_latest_valid_qf_wins_and_the_agent_on_the_same_date() {
        let old = q(700, d(1, 1), d(12, 31), QuotientSource::Dossier);
        let new = q(900, d(3, 1), d(4, 30), QuotientSource::Dossier);
        assert_eq!(qf_on(&[new, old], d(2, 15)), Some(700));
        assert_eq!(qf_on(&[new, old], d(3, 1)), Some(900));
        // The newer one ended: the older one, still valid, applies again.
        assert_eq!(qf_on(&[new, old], d(5, 1)), Some(700));
        let agent = q(650, d(3, 1), d(4, 30), QuotientSource::Agent);
        assert_eq!(qf_on(&[agent, new], d(3, 2)), Some(650));
        assert_eq!(qf_on(&[new, agent], d(3, 2)), Some(650));
    }
}
