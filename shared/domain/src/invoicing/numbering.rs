//! Invoice numbers of a run: `FAC-<year>-<régie code>-<000123>`,
//! sequential per régie and year, and the key that makes a retried run
//! issue nothing twice.

use super::run::BillingMonth;

/// The largest sequence number of a régie in a year.
pub const MAX_SEQUENCE: u32 = 999_999;
/// Characters of a régie's code, at most.
pub const MAX_REGIE_CODE: usize = 12;

/// Why a number cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberingError {
    /// The régie's code is not 1 to 12 capital letters and digits.
    BadRegieCode,
    /// The sequence is 0 or past 999 999.
    SequenceOutOfRange,
    /// The year is not 2000 to 9999.
    BadYear,
}

impl NumberingError {
    pub fn code(self) -> &'static str {
        match self {
            NumberingError::BadRegieCode => "invalid_regie_code",
            NumberingError::SequenceOutOfRange => "invoice_sequence_exhausted",
            NumberingError::BadYear => "invalid_year",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            NumberingError::BadRegieCode => {
                "Le code de la régie compte de 1 à 12 lettres majuscules ou chiffres."
            }
            NumberingError::SequenceOutOfRange => {
                "La régie a atteint 999\u{a0}999 factures cette année."
            }
            NumberingError::BadYear => "L'année de facturation n'est pas valide.",
        }
    }
}

/// A régie's code in invoice numbers: 1 to 12 capital letters and digits.
pub fn valid_regie_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_REGIE_CODE
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// `FAC-2027-ENF-000123`: the régie's `sequence`-th invoice of `year`
/// (at most 28 characters, within the invoices' 40).
pub fn invoice_number(
    year: i32,
    regie_code: &str,
    sequence: u32,
) -> Result<String, NumberingError> {
    if !(2000..=9999).contains(&year) {
        return Err(NumberingError::BadYear);
    }
    if !valid_regie_code(regie_code) {
        return Err(NumberingError::BadRegieCode);
    }
    if sequence == 0 || sequence > MAX_SEQUENCE {
        return Err(NumberingError::SequenceOutOfRange);
    }
    Ok(format!("FAC-{year}-{regie_code}-{sequence:06}"))
}

/// The year, régie code and sequence of a number [`invoice_number`] made.
pub fn parse_invoice_number(number: &str) -> Option<(i32, &str, u32)> {
    let rest = number.strip_prefix("FAC-")?;
    let (year, rest) = rest.split_once('-')?;
    let (code, seq) = rest.rsplit_once('-')?;
    if year.len() != 4 || seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let seq: u32 = seq.parse().ok()?;
    (invoice_number(year, code, seq).ok()? == number).then_some((year, code, seq))
}

/// The idempotency key of one family's invoice in a run: one invoice per
/// (régie, month, family), whatever the number of runs.
/// `INVRUN#ENF#2027-03#<family id>`.
pub fn run_key(regie_code: &str, month: BillingMonth, family_id: &str) -> String {
    format!("INVRUN#{regie_code}#{month}#{family_id}")
}

/// What issuing one family's invoice does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuePlan {
    /// A previous run already issued it (its key holds this number):
    /// nothing is written, no counter taken, no e-mail sent again.
    AlreadyIssued { number: String },
    /// Nothing to bill (total ≤ 0): no invoice, no number; a credit is
    /// carried to the next month.
    NothingToIssue,
    /// Take the next number: write the key, the invoice and the counter
    /// `last + 1` in one conditional write (the counter still `last`, the
    /// key absent); if it fails, read again and plan again.
    Issue { sequence: u32, number: String },
}

/// The rule that makes a run safe to retry: a family whose key is already
/// written is never issued again; otherwise the number follows the régie's
/// counter for the year (`last`: the last sequence used, 0 at the start
/// of a year), so that numbers have no gap as long as the key, the invoice
/// and the counter are written together.
pub fn plan_issue(
    issued: Option<&str>,
    total_cents: i64,
    year: i32,
    regie_code: &str,
    last: u32,
) -> Result<IssuePlan, NumberingError> {
    if let Some(number) = issued {
        return Ok(IssuePlan::AlreadyIssued {
            number: number.to_string(),
        });
    }
    if total_cents <= 0 {
        return Ok(IssuePlan::NothingToIssue);
    }
    let sequence = last
        .checked_add(1)
        .ok_or(NumberingError::SequenceOutOfRange)?;
    let number = invoice_number(year, regie_code, sequence)?;
    Ok(IssuePlan::Issue { sequence, number })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_and_read_back() {
        assert_eq!(
            invoice_number(2027, "ENF", 123).as_deref(),
            Ok("FAC-2027-ENF-000123")
        );
        assert_eq!(
            invoice_number(2027, "ENF", 999_999).as_deref(),
            Ok("FAC-2027-ENF-999999")
        );
        assert_eq!(
            invoice_number(2027, "ENF", 0),
            Err(NumberingError::SequenceOutOfRange)
        );
        assert_eq!(
            invoice_number(2027, "ENF", 1_000_000),
            Err(NumberingError::SequenceOutOfRange)
        );
        assert_eq!(
            invoice_number(2027, "enf", 1),
            Err(NumberingError::BadRegieCode)
        );
        assert_eq!(
            invoice_number(2027, "", 1),
            Err(NumberingError::BadRegieCode)
        );
        assert_eq!(
            invoice_number(2027, "EN-F", 1),
            Err(NumberingError::BadRegieCode)
        );
        assert_eq!(
            invoice_number(2027, "ABCDEFGHIJKLM", 1),
            Err(NumberingError::BadRegieCode)
        );
        assert_eq!(invoice_number(99, "ENF", 1), Err(NumberingError::BadYear));
        let longest = invoice_number(9999, "ABCDEFGHIJKL", 999_999).unwrap_or_default();
        assert_eq!(longest.len(), 28);
        assert!(crate::billing::rules::valid_number(&longest), "{longest}");
        assert_eq!(
            parse_invoice_number("FAC-2027-ENF-000123"),
            Some((2027, "ENF", 123))
        );
        assert_eq!(parse_invoice_number("FAC-2027-ENF-123"), None);
        assert_eq!(parse_invoice_number("FAC-2027-ENF-000000"), None);
        assert_eq!(parse_invoice_number("FAC-2027-E-NF-000001"), None);
        assert_eq!(parse_invoice_number("2027-001"), None);
    }

    #[test]
    fn numbers_are_sequential_and_sort_in_order() {
        let numbers: Vec<String> = (1..=12)
            .map(|s| invoice_number(2027, "ENF", s).unwrap_or_default())
            .collect();
        let mut sorted = numbers.clone();
        sorted.sort();
        assert_eq!(numbers, sorted);
        for (i, n) in numbers.iter().enumerate() {
            assert_eq!(parse_invoice_number(n).map(|p| p.2), Some(i as u32 + 1));
        }
    }

    #[test]
    fn a_retried_run_issues_nothing_twice() {
        let march = BillingMonth::new(2027, 3).unwrap();
        assert_eq!(run_key("ENF", march, "F1"), "INVRUN#ENF#2027-03#F1");
        assert_ne!(run_key("ENF", march, "F1"), run_key("ENF", march, "F2"));
        assert_ne!(run_key("ENF", march, "F1"), run_key("CAN", march, "F1"));
        // A run: three families, the counter at 41.
        let mut last = 41;
        let mut keys: std::collections::HashMap<String, String> = Default::default();
        let families = [("F1", 1200), ("F2", 0), ("F3", 800)];
        // First run: killed after F1 was issued.
        for (family, total) in &families[..1] {
            let key = run_key("ENF", march, family);
            let plan = plan_issue(
                keys.get(&key).map(String::as_str),
                *total,
                2027,
                "ENF",
                last,
            );
            if let Ok(IssuePlan::Issue { sequence, number }) = plan {
                last = sequence;
                keys.insert(key, number);
            }
        }
        // The run started again: F1 is not issued twice, no gap.
        let mut plans = vec![];
        for (family, total) in &families {
            let key = run_key("ENF", march, family);
            let plan = plan_issue(
                keys.get(&key).map(String::as_str),
                *total,
                2027,
                "ENF",
                last,
            );
            if let Ok(IssuePlan::Issue { sequence, number }) = &plan {
                last = *sequence;
                keys.insert(key, number.clone());
            }
            plans.push(plan);
        }
        assert_eq!(
            plans,
            vec![
                Ok(IssuePlan::AlreadyIssued {
                    number: "FAC-2027-ENF-000042".into()
                }),
                Ok(IssuePlan::NothingToIssue),
                Ok(IssuePlan::Issue {
                    sequence: 43,
                    number: "FAC-2027-ENF-000043".into()
                }),
            ]
        );
        assert_eq!(
            plan_issue(None, 100, 2027, "ENF", MAX_SEQUENCE),
            Err(NumberingError::SequenceOutOfRange)
        );
    }
}
