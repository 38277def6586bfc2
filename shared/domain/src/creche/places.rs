//! Ages and places: a child's age in months on a day, the check of an
//! offer against a crèche's age range, and the places asked and free per
//! crèche, age group and month.
//!
//! Ages count whole months from the birth date (or the due date of a child
//! not born yet); a monthly anniversary falling on a day the month lacks
//! (31 March, 29 February) is on the 1st of the next month, as the third
//! birthday of [`super::validate`].

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AgeGroup, Status};

/// Months the places are shown for, at most.
pub const MAX_PLACES_MONTHS: u32 = 12;
/// Months shown when the agent does not say.
pub const DEFAULT_PLACES_MONTHS: u32 = 6;

/// The day a child born on `birth` is `months` months old.
pub fn month_anniversary(birth: NaiveDate, months: u32) -> Option<NaiveDate> {
    let total = birth.month0() + months;
    let year = birth.year() + (total / 12) as i32;
    let month = total % 12 + 1;
    NaiveDate::from_ymd_opt(year, month, birth.day()).or_else(|| {
        // The day does not exist this month: the 1st of the next.
        NaiveDate::from_ymd_opt(year, month, 1)?.checked_add_months(Months::new(1))
    })
}

/// Whole months of age on `on`; `None` before the birth.
pub fn age_in_months(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let rough = (on.year() - birth.year()) * 12 + on.month() as i32 - birth.month() as i32;
    let mut months = rough.max(0) as u32;
    while months > 0 && month_anniversary(birth, months).is_none_or(|d| d > on) {
        months -= 1;
    }
    Some(months)
}

/// "3 mois", "1 an", "2 ans", "18 mois".
pub fn months_label(months: u32) -> String {
    match months {
        m if m >= 12 && m % 12 == 0 && m / 12 == 1 => "1 an".to_string(),
        m if m >= 12 && m % 12 == 0 => format!("{} ans", m / 12),
        m => format!("{m} mois"),
    }
}

/// A crèche's age range in words: « de 3 mois à 3 ans ».
pub fn range_label(from: u8, to: u8) -> String {
    if from == 0 {
        format!("de la naissance à {}", months_label(u32::from(to)))
    } else {
        format!(
            "de {} à {}",
            months_label(u32::from(from)),
            months_label(u32::from(to))
        )
    }
}

/// Why a child cannot be offered a place in a crèche on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeOutOfRange {
    /// The child's age that day; `None` when not born yet.
    pub age_months: Option<u32>,
    /// In French, naming the crèche, its range and the child's age.
    pub message: String,
}

/// An offer's age check: the child (born on `birth`, or due then) is
/// within `[from, to)` months on `start`.
pub fn check_offer_age(
    structure: &str,
    from: u8,
    to: u8,
    birth: NaiveDate,
    start: NaiveDate,
) -> Result<(), AgeOutOfRange> {
    let age = age_in_months(birth, start);
    if age.is_some_and(|a| a >= u32::from(from) && a < u32::from(to)) {
        return Ok(());
    }
    let when = crate::calendar::long_date(start);
    let child = match age {
        None => format!("l'enfant ne sera pas encore né le {when}"),
        Some(a) => format!("l'enfant aura {} le {when}", months_label(a)),
    };
    Err(AgeOutOfRange {
        age_months: age,
        message: format!(
            "La crèche {structure} accueille les enfants {}\u{a0}; {child}.",
            range_label(from, to)
        ),
    })
}

/// `YYYY-MM` as the month's first day.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// The month's first and last days.
fn month_bounds(first: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let next = first.checked_add_months(Months::new(1))?;
    Some((first, next.pred_opt()?))
}

/// An application as the places read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    /// As it reads now (a lapsed offer reads `waiting`).
    pub status: Status,
    /// Crèche ids, by preference.
    pub structures: Vec<String>,
    /// The desired start.
    pub start_date: NaiveDate,
    /// The birth date, or the due date of a child not born yet; `None`
    /// when unknown.
    pub birth: Option<NaiveDate>,
    /// An accepted offer: the crèche and the start.
    pub placed: Option<(String, NaiveDate)>,
}

/// A crèche as the places read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Creche {
    pub id: String,
    pub age_from_months: u8,
    pub age_to_months: u8,
    pub groups: Vec<AgeGroup>,
}

/// One month's figures of an age group, or of the whole crèche.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthPlaces {
    /// `YYYY-MM`.
    pub month: String,
    /// The group's places (the sum of the groups' for the crèche).
    pub places: u32,
    /// Children placed (accepted offers) there that month.
    pub taken: u32,
    /// `places − taken`, never below 0.
    pub free: u32,
    /// Children placed beyond the places (`taken − places` when above).
    pub over: u32,
    /// Open applications ranking the crèche, starting that month.
    pub asked: u32,
    /// Among `asked`, those ranking it first.
    pub asked_first: u32,
}

/// An age group's figures, month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GroupPlaces {
    pub name: String,
    pub from_months: u8,
    pub to_months: u8,
    pub months: Vec<MonthPlaces>,
}

/// A crèche's figures: per age group, and for the whole crèche.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrechePlaces {
    pub groups: Vec<GroupPlaces>,
    pub total: Vec<MonthPlaces>,
}

fn within(age: Option<u32>, from: u8, to: u8) -> bool {
    age.is_some_and(|a| a >= u32::from(from) && a < u32::from(to))
}

/// The months from `from` (a month's first day), `count` of them.
pub fn months(from: NaiveDate, count: u32) -> Vec<(NaiveDate, NaiveDate)> {
    (0..count)
        .filter_map(|i| month_bounds(from.checked_add_months(Months::new(i))?))
        .collect()
}

/// The places of one crèche over `months`:
/// - `taken`: accepted applications placed in it, started on or before
///   the month's last day, the child in the group's range on the month's
///   first day (or on its start day when it starts that month): children
///   age out of a group, and out of the crèche;
/// - `asked`: open applications ranking it whose desired start is in the
///   month, in the group of the child's age on the desired start.
///
/// The whole crèche counts every child placed there still within its
/// range (or of unknown age), and every application asking for it
/// whatever the age.
pub fn creche_places(
    c: &Creche,
    demands: &[Demand],
    months: &[(NaiveDate, NaiveDate)],
) -> CrechePlaces {
    let figures = |places: u32, range: Option<(u8, u8)>| -> Vec<MonthPlaces> {
        months
            .iter()
            .map(|&(first, last)| {
                let mut taken = 0;
                let mut asked = 0;
                let mut asked_first = 0;
                for d in demands {
                    if let Some((at, start)) = &d.placed
                        && d.status == Status::Accepted
                        && *at == c.id
                        && *start <= last
                    {
                        let on = (*start).max(first);
                        let age = d.birth.and_then(|b| age_in_months(b, on));
                        let counted = match range {
                            Some((from, to)) => within(age, from, to),
                            None => {
                                d.birth.is_none() || within(age, c.age_from_months, c.age_to_months)
                            }
                        };
                        if counted {
                            taken += 1;
                        }
                    }
                    if d.status.is_open()
                        && d.start_date >= first
                        && d.start_date <= last
                        && let Some(rank) = d.structures.iter().position(|s| *s == c.id)
                    {
                        let counted = match range {
                            Some((from, to)) => within(
                                d.birth.and_then(|b| age_in_months(b, d.start_date)),
                                from,
                                to,
                            ),
                            None => true,
                        };
                        if counted {
                            asked += 1;
                            if rank == 0 {
                                asked_first += 1;
                            }
                        }
                    }
                }
                MonthPlaces {
                    month: first.format("%Y-%m").to_string(),
                    places,
                    taken,
                    free: places.saturating_sub(taken),
                    over: taken.saturating_sub(places),
                    asked,
                    asked_first,
                }
            })
            .collect()
    };
    let groups = c
        .groups
        .iter()
        .map(|g| GroupPlaces {
            name: g.name.clone(),
            from_months: g.from_months,
            to_months: g.to_months,
            months: figures(u32::from(g.places), Some((g.from_months, g.to_months))),
        })
        .collect();
    let places = c.groups.iter().map(|g| u32::from(g.places)).sum();
    CrechePlaces {
        groups,
        total: figures(places, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ages_count_whole_months_and_month_ends_roll_to_the_first() {
        let b = day(2026, 1, 15);
        assert_eq!(age_in_months(b, day(2026, 1, 14)), None);
        assert_eq!(age_in_months(b, b), Some(0));
        assert_eq!(age_in_months(b, day(2026, 2, 14)), Some(0));
        assert_eq!(age_in_months(b, day(2026, 2, 15)), Some(1));
        assert_eq!(age_in_months(b, day(2029, 1, 15)), Some(36));
        // Born on 31 January: one month old on 1 March (no 31 February).
        let b = day(2026, 1, 31);
        assert_eq!(age_in_months(b, day(2026, 2, 28)), Some(0));
        assert_eq!(age_in_months(b, day(2026, 3, 1)), Some(1));
        assert_eq!(age_in_months(b, day(2026, 3, 31)), Some(2));
        // Born on 29 February 2024: three on 1 March 2027, as validate.
        let b = day(2024, 2, 29);
        assert_eq!(age_in_months(b, day(2027, 2, 28)), Some(35));
        assert_eq!(age_in_months(b, day(2027, 3, 1)), Some(36));
    }

    #[test]
    fn an_offer_is_checked_against_the_range_on_its_start() {
        let b = day(2026, 6, 10);
        // 3 months on 10 September.
        let e = check_offer_age("Les Lutins", 3, 36, b, day(2026, 9, 9)).unwrap_err();
        assert_eq!(e.age_months, Some(2));
        assert_eq!(
            e.message,
            "La crèche Les Lutins accueille les enfants de 3 mois à 3 ans\u{a0}; l'enfant aura 2 mois le mercredi 9 septembre 2026."
        );
        assert!(check_offer_age("Les Lutins", 3, 36, b, day(2026, 9, 10)).is_ok());
        // Too old on the day it turns the range's end.
        assert!(check_offer_age("A", 0, 24, b, day(2028, 6, 9)).is_ok());
        let e = check_offer_age("A", 0, 24, b, day(2028, 6, 10)).unwrap_err();
        assert!(
            e.message.contains("de la naissance à 2 ans"),
            "{}",
            e.message
        );
        assert!(e.message.contains("aura 2 ans"), "{}", e.message);
        let e = check_offer_age("A", 0, 36, b, day(2026, 6, 9)).unwrap_err();
        assert!(e.message.contains("pas encore né"), "{}", e.message);
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(parse_month("2027-09"), Some(day(2027, 9, 1)));
        for bad in [
            "2027-9",
            "2027-13",
            "27-09",
            "2027-09-01",
            "abcd-ef",
            "",
            "2027-00",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    fn creche() -> Creche {
        let g = |name: &str, from, to, places| AgeGroup {
            name: name.into(),
            from_months: from,
            to_months: to,
            places,
        };
        Creche {
            id: "S1".into(),
            age_from_months: 2,
            age_to_months: 36,
            groups: vec![g("Bébés", 2, 12, 2), g("Grands", 12, 36, 10)],
        }
    }

    fn demand(status: Status, start: NaiveDate, birth: NaiveDate) -> Demand {
        Demand {
            status,
            structures: vec!["S2".into(), "S1".into()],
            start_date: start,
            birth: Some(birth),
            placed: None,
        }
    }

    fn placed(start: NaiveDate, birth: NaiveDate) -> Demand {
        Demand {
            placed: Some(("S1".into(), start)),
            ..demand(Status::Accepted, start, birth)
        }
    }

    fn run(demands: &[Demand]) -> CrechePlaces {
        creche_places(&creche(), demands, &months(day(2027, 1, 1), 3))
    }

    #[test]
    fn a_placed_child_counts_from_its_start_month_and_ages_out_of_its_group() {
        // Born 15 February 2026: 11 months in January 2027, 12 on
        // 15 February 2027 (still 11 on 1 February).
        let p = run(&[placed(day(2027, 1, 20), day(2026, 2, 15))]);
        let babies: Vec<_> = p.groups[0].months.iter().map(|m| m.taken).collect();
        let big: Vec<_> = p.groups[1].months.iter().map(|m| m.taken).collect();
        assert_eq!(babies, [1, 1, 0]);
        assert_eq!(big, [0, 0, 1]);
        assert_eq!(
            p.total.iter().map(|m| m.taken).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert_eq!(p.groups[0].months[0].free, 1);
        assert_eq!(p.total[0].places, 12);
        assert_eq!(p.total[0].month, "2027-01");
        // Starting in March: not there in January or February.
        let p = run(&[placed(day(2027, 3, 31), day(2026, 8, 1))]);
        assert_eq!(
            p.groups[0]
                .months
                .iter()
                .map(|m| m.taken)
                .collect::<Vec<_>>(),
            [0, 0, 1]
        );
    }

    #[test]
    fn over_occupation_shows_as_over_with_nothing_free() {
        let b = day(2026, 6, 1);
        let p = run(&[
            placed(day(2026, 10, 1), b),
            placed(day(2026, 10, 1), b),
            placed(day(2026, 11, 1), b),
        ]);
        let jan = &p.groups[0].months[0];
        assert_eq!((jan.places, jan.taken, jan.free, jan.over), (2, 3, 0, 1));
    }

    #[test]
    fn asked_counts_open_applications_by_the_age_at_the_desired_start() {
        let b = day(2026, 2, 10);
        let mut first = demand(Status::Submitted, day(2027, 2, 1), b);
        first.structures = vec!["S1".into()];
        // 11 months on 1 February 2027, 12 from the 10th.
        let older = demand(Status::UnderReview, day(2027, 2, 10), b);
        let lapsed = demand(Status::Waiting, day(2027, 2, 28), b);
        let p = run(&[
            first,
            older,
            lapsed,
            demand(Status::Withdrawn, day(2027, 2, 1), b),
            demand(Status::Declined, day(2027, 2, 1), b),
            demand(Status::Closed, day(2027, 2, 1), b),
            demand(Status::Submitted, day(2027, 4, 1), b),
            Demand {
                structures: vec!["S2".into()],
                ..demand(Status::Submitted, day(2027, 2, 1), b)
            },
        ]);
        let feb = |g: usize| {
            (
                p.groups[g].months[1].asked,
                p.groups[g].months[1].asked_first,
            )
        };
        assert_eq!(feb(0), (1, 1));
        assert_eq!(feb(1), (2, 0));
        assert_eq!((p.total[1].asked, p.total[1].asked_first), (3, 1));
        assert_eq!(p.total[0].asked + p.total[2].asked, 0);
    }

    #[test]
    fn months_run_across_the_year() {
        let m = months(day(2027, 11, 1), 3);
        assert_eq!(m[2], (day(2028, 1, 1), day(2028, 1, 31)));
        assert_eq!(m[0].1, day(2027, 11, 30));
    }
}
