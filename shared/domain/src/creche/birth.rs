//! The birth of an expected child, declared by the family: a first name
//! and a birth date not in the future, within reason of the due date
//! (from 120 days before it, a very premature birth, to 45 days after).

use chrono::{Days, NaiveDate};

use super::MAX_FIRST_NAME_CHARS;
use crate::accounts::FieldError;

/// Days before the due date a birth is taken, at most.
pub const DAYS_BEFORE_DUE: u64 = 120;
/// Days after the due date a birth is taken, at most.
pub const DAYS_AFTER_DUE: u64 = 45;

/// The first name (spaces collapsed) and the birth date, checked.
pub fn check(
    first_name: &str,
    birth_date: NaiveDate,
    due_date: NaiveDate,
    today: NaiveDate,
) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = first_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_FIRST_NAME_CHARS {
        errors.push(FieldError::new(
            "first_name",
            "invalid_first_name",
            format!("Indiquez le prénom de l'enfant ({MAX_FIRST_NAME_CHARS} caractères au plus)."),
        ));
    }
    let earliest = due_date
        .checked_sub_days(Days::new(DAYS_BEFORE_DUE))
        .unwrap_or(due_date);
    let latest = due_date
        .checked_add_days(Days::new(DAYS_AFTER_DUE))
        .unwrap_or(due_date);
    if birth_date > today {
        errors.push(FieldError::new(
            "birth_date",
            "invalid_birth_date",
            "La date de naissance ne peut pas être dans le futur.",
        ));
    } else if birth_date < earliest || birth_date > latest {
        errors.push(FieldError::new(
            "birth_date",
            "invalid_birth_date",
            format!(
                "La date de naissance doit être proche de la date prévue ({} jours avant à {} jours après le {}).",
                DAYS_BEFORE_DUE,
                DAYS_AFTER_DUE,
                crate::time::french_date(due_date)
            ),
        ));
    }
    if errors.is_empty() {
        Ok(name)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn codes(r: Result<String, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.code.to_string())
            .collect()
    }

    #[test]
    fn a_birth_near_the_due_date_and_not_in_the_future() {
        let due = day(2027, 3, 1);
        let today = day(2027, 3, 10);
        assert_eq!(
            check("  Léa   Rose ", day(2027, 2, 26), due, today).ok(),
            Some("Léa Rose".to_string())
        );
        assert!(check("Léa", day(2026, 11, 1), due, today).is_ok());
        assert_eq!(
            codes(check("Léa", day(2026, 10, 31), due, today)),
            ["invalid_birth_date"]
        );
        assert_eq!(
            codes(check("Léa", day(2027, 3, 11), due, today)),
            ["invalid_birth_date"]
        );
        assert!(check("Léa", day(2027, 4, 15), due, day(2027, 5, 1)).is_ok());
        assert_eq!(
            codes(check("Léa", day(2027, 4, 16), due, day(2027, 5, 1))),
            ["invalid_birth_date"]
        );
        assert_eq!(
            codes(check("   ", day(2027, 3, 1), due, today)),
            ["invalid_first_name"]
        );
        assert_eq!(
            codes(check(&"a".repeat(51), day(2027, 3, 1), due, today)),
            ["invalid_first_name"]
        );
    }
}
