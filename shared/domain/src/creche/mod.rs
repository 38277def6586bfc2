//! Préinscription en crèche: a family applies for a place in the
//! commune's crèches (multi-accueil), often before the child is born; the
//! commune reviews applications, offers places in a commission, and the
//! family answers each offer before its deadline.
//!
//! [`validate`] checks an application as posted; [`transition`] is the
//! whole lifecycle, one function of the state and an action.

pub mod birth;
pub mod commission;
pub mod jobs;
pub mod lifecycle;
pub mod places;

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;
use crate::planning::Weekday;

pub use lifecycle::{Action, Answer, Status, TransitionError, effective_status, transition};

/// Structures (crèches) a commune keeps at most.
pub const MAX_STRUCTURES: usize = 50;
/// Structures one application ranks, at most.
pub const MAX_CHOICES: usize = 3;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// Longest first name given for an expected child.
pub const MAX_FIRST_NAME_CHARS: usize = 50;
/// Longest structure name and address.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ADDRESS_CHARS: usize = 200;
/// Siblings already in a crèche of the commune, at most.
pub const MAX_SIBLINGS: u8 = 10;
/// Parents whose work situation an application gives, at most.
pub const MAX_PARENTS: usize = 2;
/// A child is too old for a crèche on its third birthday.
pub const MAX_AGE_YEARS: u32 = 3;
/// How long an application stands without the family renewing it.
pub const RENEWAL_MONTHS: u32 = 3;
/// The furthest a due date or a start date may be, in months from today.
pub const MAX_AHEAD_MONTHS: u32 = 36;

/// One day of the weekly schedule the family asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub weekday: Weekday,
    /// Arrival, `HH:MM`.
    #[serde(with = "crate::time::hhmm")]
    #[schema(value_type = String, example = "08:30")]
    pub start: NaiveTime,
    /// Departure, `HH:MM`.
    #[serde(with = "crate::time::hhmm")]
    #[schema(value_type = String, example = "17:30")]
    pub end: NaiveTime,
}

/// A parent's work situation, as a commission weighs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkSituation {
    Employed,
    SelfEmployed,
    JobSeeker,
    Student,
    Training,
    ParentalLeave,
    Other,
}

/// What a commission weighs beside the schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Situation {
    /// Each parent's work situation (two at most).
    #[serde(default)]
    pub parents_work: Vec<WorkSituation>,
    /// Brothers and sisters already in a crèche of the commune (0–10).
    #[serde(default)]
    pub siblings_in_creche: u8,
}

/// A child not born yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub due_date: NaiveDate,
    /// Optional, 50 characters at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
}

/// Who the application is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForChild {
    /// A child of the family's dossier, born on that day.
    Born {
        birth_date: NaiveDate,
    },
    Expected(Expected),
}

/// An application as posted, before its checks.
#[derive(Debug, Clone)]
pub struct Draft {
    pub child: ForChild,
    pub start_date: NaiveDate,
    pub schedule: Vec<Slot>,
    pub structures: Vec<String>,
    pub comment: Option<String>,
    pub situation: Situation,
}

/// An application's checked fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub start_date: NaiveDate,
    /// Monday to Friday order.
    pub schedule: Vec<Slot>,
    pub structures: Vec<String>,
    pub comment: Option<String>,
    pub expected: Option<Expected>,
    pub situation: Situation,
}

/// The minutes a week a schedule asks for.
pub fn weekly_minutes(schedule: &[Slot]) -> u32 {
    schedule
        .iter()
        .map(|s| (s.end - s.start).num_minutes().max(0) as u32)
        .sum()
}

/// Hours a week, to the hundredth.
pub fn weekly_hours(schedule: &[Slot]) -> f64 {
    (f64::from(weekly_minutes(schedule)) / 60.0 * 100.0).round() / 100.0
}

/// The schedule, checked: 1 to 5 days, Monday to Friday, each once, arrival
/// before departure; sorted.
pub fn check_schedule(schedule: &[Slot]) -> Result<Vec<Slot>, FieldError> {
    let bad = |m: &str| FieldError::new("schedule", "invalid_schedule", m);
    if schedule.is_empty() || schedule.len() > 5 {
        return Err(bad(
            "Indiquez de un à cinq jours d'accueil, du lundi au vendredi.",
        ));
    }
    let mut sorted = schedule.to_vec();
    sorted.sort_by_key(|s| s.weekday);
    for (i, s) in sorted.iter().enumerate() {
        if matches!(s.weekday, Weekday::Sat | Weekday::Sun) {
            return Err(bad(
                "Les crèches accueillent les enfants du lundi au vendredi.",
            ));
        }
        if i > 0 && sorted[i - 1].weekday == s.weekday {
            return Err(bad(&format!(
                "Le {} est indiqué deux fois dans l'emploi du temps.",
                s.weekday.french()
            )));
        }
        if s.start >= s.end {
            return Err(bad(&format!(
                "Le {}, l'heure d'arrivée doit précéder l'heure de départ.",
                s.weekday.french()
            )));
        }
    }
    Ok(sorted)
}

/// The ranked structures: 1 to 3, each once (that they exist is the
/// caller's check).
pub fn check_structures(ids: &[String]) -> Result<Vec<String>, FieldError> {
    let bad = |m: &str| FieldError::new("structures", "invalid_structures", m);
    if ids.is_empty() || ids.len() > MAX_CHOICES {
        return Err(bad(
            "Choisissez de une à trois crèches, par ordre de préférence.",
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        if id.is_empty() || id.len() > 40 {
            return Err(bad("Cette crèche n'existe pas."));
        }
        if ids[..i].contains(id) {
            return Err(bad("Une même crèche est choisie deux fois."));
        }
    }
    Ok(ids.to_vec())
}

/// The day `birth` turns `years`, a 29 February birthday falling on
/// 1 March in common years.
fn birthday(birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = birth.year() + years as i32;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// Checks an application on `today` (Europe/Paris). Every broken rule is
/// listed; the first gives the answer's code.
pub fn validate(d: &Draft, today: NaiveDate) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let furthest = today.checked_add_months(Months::new(MAX_AHEAD_MONTHS));
    let mut expected = None;
    match &d.child {
        ForChild::Expected(e) => {
            if e.due_date < today {
                errors.push(FieldError::new(
                    "expected.due_date",
                    "invalid_due_date",
                    "La date prévue de naissance est passée\u{a0}: préinscrivez l'enfant né depuis le dossier famille.",
                ));
            } else if furthest.is_some_and(|f| e.due_date > f) {
                errors.push(FieldError::new(
                    "expected.due_date",
                    "invalid_due_date",
                    "La date prévue de naissance est trop lointaine.",
                ));
            }
            let first_name = e
                .first_name
                .as_deref()
                .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|n| !n.is_empty());
            if first_name
                .as_ref()
                .is_some_and(|n| n.chars().count() > MAX_FIRST_NAME_CHARS)
            {
                errors.push(FieldError::new(
                    "expected.first_name",
                    "invalid_first_name",
                    format!("Le prénom ne doit pas dépasser {MAX_FIRST_NAME_CHARS} caractères."),
                ));
            }
            expected = Some(Expected {
                due_date: e.due_date,
                first_name,
            });
        }
        ForChild::Born { birth_date } => {
            if birthday(*birth_date, MAX_AGE_YEARS).is_some_and(|b| b <= d.start_date) {
                errors.push(FieldError::new(
                    "start_date",
                    "child_too_old",
                    "L'enfant aura trois ans à la date d'entrée souhaitée\u{a0}: les crèches accueillent les enfants de moins de trois ans.",
                ));
            }
        }
    }
    if d.start_date < today {
        errors.push(FieldError::new(
            "start_date",
            "invalid_start_date",
            "La date d'entrée souhaitée est passée.",
        ));
    } else if let Some(e) = &expected
        && d.start_date < e.due_date
    {
        errors.push(FieldError::new(
            "start_date",
            "invalid_start_date",
            "La date d'entrée souhaitée précède la date prévue de naissance.",
        ));
    } else if furthest.is_some_and(|f| d.start_date > f) {
        errors.push(FieldError::new(
            "start_date",
            "invalid_start_date",
            "La date d'entrée souhaitée est trop lointaine.",
        ));
    }
    let schedule = check_schedule(&d.schedule).map_err(|e| errors.push(e)).ok();
    let structures = check_structures(&d.structures)
        .map_err(|e| errors.push(e))
        .ok();
    let comment = d
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
    {
        errors.push(FieldError::new(
            "comment",
            "invalid_comment",
            format!("Le commentaire ne doit pas dépasser {MAX_COMMENT_CHARS} caractères."),
        ));
    }
    if d.situation.parents_work.len() > MAX_PARENTS || d.situation.siblings_in_creche > MAX_SIBLINGS
    {
        errors.push(FieldError::new(
            "situation",
            "invalid_situation",
            "Indiquez la situation de deux parents au plus et au plus dix frères et sœurs.",
        ));
    }
    match (schedule, structures) {
        (Some(schedule), Some(structures)) if errors.is_empty() => Ok(Checked {
            start_date: d.start_date,
            schedule,
            structures,
            comment,
            expected,
            situation: d.situation.clone(),
        }),
        _ => Err(errors),
    }
}

/// `renew_before`: three months after the submission or the last renewal.
pub fn renew_before(from: DateTime<Utc>) -> NaiveDate {
    let day = crate::time::local_date(from);
    day.checked_add_months(Months::new(RENEWAL_MONTHS))
        .unwrap_or(day)
}

/// Age groups one crèche declares, at most.
pub const MAX_GROUPS: usize = 6;
/// Places one age group holds, at most.
pub const MAX_GROUP_PLACES: u16 = 200;
/// The oldest age, in months, a crèche's range may reach (3 years).
pub const MAX_AGE_MONTHS: u8 = 36;

/// An age group of a crèche ("Bébés", 2–12 months, 10 places).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgeGroup {
    /// 1 to 50 characters.
    pub name: String,
    /// From this age, in months (included).
    pub from_months: u8,
    /// To this age, in months (excluded).
    pub to_months: u8,
    /// 1 to 200.
    pub places: u16,
}

/// A crèche's fields as an agent gives them.
#[derive(Debug, Clone, Default)]
pub struct StructureDraft {
    pub name: String,
    pub address: Option<String>,
    /// Default 0.
    pub age_from_months: Option<u8>,
    /// Default 36.
    pub age_to_months: Option<u8>,
    pub groups: Vec<AgeGroup>,
}

/// A crèche's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureFields {
    pub name: String,
    pub address: Option<String>,
    pub age_from_months: u8,
    pub age_to_months: u8,
    pub groups: Vec<AgeGroup>,
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A crèche's fields, checked: a name, an address, an age range within
/// 0–36 months, and up to 6 age groups inside it, each with its places.
pub fn check_structure(d: &StructureDraft) -> Result<StructureFields, Vec<FieldError>> {
    let name = clean(&d.name);
    let address = d.address.as_deref().map(clean).filter(|a| !a.is_empty());
    let from = d.age_from_months.unwrap_or(0);
    let to = d.age_to_months.unwrap_or(MAX_AGE_MONTHS);
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new(
            "name",
            "invalid_name",
            format!("Le nom de la crèche doit compter de 1 à {MAX_NAME_CHARS} caractères."),
        ));
    }
    if address
        .as_ref()
        .is_some_and(|a| a.chars().count() > MAX_ADDRESS_CHARS)
    {
        errors.push(FieldError::new(
            "address",
            "invalid_address",
            format!("L'adresse ne doit pas dépasser {MAX_ADDRESS_CHARS} caractères."),
        ));
    }
    if from >= to || to > MAX_AGE_MONTHS {
        errors.push(FieldError::new(
            "age_to_months",
            "invalid_age_range",
            "Les âges d'accueil vont de 0 à 36 mois, le premier avant le second.",
        ));
    }
    let mut groups = Vec::new();
    for g in &d.groups {
        let group = AgeGroup {
            name: clean(&g.name),
            ..g.clone()
        };
        let n = group.name.chars().count();
        if n == 0
            || n > 50
            || group.from_months >= group.to_months
            || group.from_months < from
            || group.to_months > to
            || group.places == 0
            || group.places > MAX_GROUP_PLACES
            || groups.iter().any(|o: &AgeGroup| o.name == group.name)
        {
            errors.push(FieldError::new(
                "groups",
                "invalid_groups",
                format!(
                    "Chaque groupe d'âge a un nom distinct, des âges compris dans ceux de la crèche et de 1 à {MAX_GROUP_PLACES} places."
                ),
            ));
            break;
        }
        groups.push(group);
    }
    if d.groups.len() > MAX_GROUPS {
        errors.push(FieldError::new(
            "groups",
            "invalid_groups",
            format!("Une crèche compte {MAX_GROUPS} groupes d'âge au plus."),
        ));
    }
    if errors.is_empty() {
        Ok(StructureFields {
            name,
            address,
            age_from_months: from,
            age_to_months: to,
            groups,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn slot(w: Weekday, s: (u32, u32), e: (u32, u32)) -> Slot {
        Slot {
            weekday: w,
            start: t(s.0, s.1),
            end: t(e.0, e.1),
        }
    }

    fn draft() -> Draft {
        Draft {
            child: ForChild::Expected(Expected {
                due_date: day(2027, 3, 1),
                first_name: Some("  Léa ".into()),
            }),
            start_date: day(2027, 9, 1),
            schedule: vec![
                slot(Weekday::Tue, (8, 30), (17, 0)),
                slot(Weekday::Mon, (8, 30), (17, 30)),
            ],
            structures: vec!["S1".into(), "S2".into()],
            comment: Some(" ".into()),
            situation: Situation::default(),
        }
    }

    const TODAY: (i32, u32, u32) = (2026, 12, 7);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    fn codes(d: &Draft) -> Vec<String> {
        match validate(d, today()) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.code).collect(),
        }
    }

    #[test]
    fn a_valid_application_is_sorted_trimmed_and_counts_its_hours() {
        let c = validate(&draft(), today()).unwrap();
        assert_eq!(c.schedule[0].weekday, Weekday::Mon);
        assert_eq!(c.comment, None);
        assert_eq!(c.expected.unwrap().first_name.as_deref(), Some("Léa"));
        assert_eq!(weekly_minutes(&c.schedule), 9 * 60 + 8 * 60 + 30);
        assert_eq!(weekly_hours(&c.schedule), 17.5);
    }

    #[test]
    fn schedules_are_monday_to_friday_once_each_arrival_first() {
        let mut d = draft();
        d.schedule.push(slot(Weekday::Sat, (9, 0), (12, 0)));
        assert_eq!(codes(&d), ["invalid_schedule"]);
        let mut d = draft();
        d.schedule.push(slot(Weekday::Mon, (9, 0), (12, 0)));
        assert_eq!(codes(&d), ["invalid_schedule"]);
        let mut d = draft();
        d.schedule[0] = slot(Weekday::Tue, (12, 0), (12, 0));
        assert_eq!(codes(&d), ["invalid_schedule"]);
        let mut d = draft();
        d.schedule.clear();
        assert_eq!(codes(&d), ["invalid_schedule"]);
    }

    #[test]
    fn one_to_three_distinct_structures() {
        let mut d = draft();
        d.structures = vec![];
        assert_eq!(codes(&d), ["invalid_structures"]);
        d.structures = vec!["S1".into(), "S1".into()];
        assert_eq!(codes(&d), ["invalid_structures"]);
        d.structures = vec!["S1".into(), "S2".into(), "S3".into(), "S4".into()];
        assert_eq!(codes(&d), ["invalid_structures"]);
        d.structures = vec!["S1".into(), "S2".into(), "S3".into()];
        assert_eq!(codes(&d), Vec::<String>::new());
    }

    #[test]
    fn dates_are_checked_against_today_and_the_due_date() {
        let mut d = draft();
        d.start_date = day(2027, 2, 28);
        assert_eq!(codes(&d), ["invalid_start_date"], "before the due date");
        d.start_date = day(2027, 3, 1);
        assert!(codes(&d).is_empty(), "on the due date");
        d.child = ForChild::Expected(Expected {
            due_date: day(2026, 12, 6),
            first_name: None,
        });
        assert_eq!(codes(&d), ["invalid_due_date"]);
        d.child = ForChild::Expected(Expected {
            due_date: today(),
            first_name: None,
        });
        assert!(codes(&d).is_empty(), "due today");
        d.start_date = day(2026, 12, 6);
        assert_eq!(codes(&d), ["invalid_start_date"], "past");
    }

    #[test]
    fn a_child_turning_three_by_the_start_date_is_too_old() {
        let mut d = draft();
        d.child = ForChild::Born {
            birth_date: day(2024, 9, 2),
        };
        d.start_date = day(2027, 9, 1);
        assert!(codes(&d).is_empty(), "the day before its birthday");
        d.start_date = day(2027, 9, 2);
        assert_eq!(codes(&d), ["child_too_old"]);
        d.child = ForChild::Born {
            birth_date: day(2024, 2, 29),
        };
        d.start_date = day(2027, 2, 28);
        assert!(codes(&d).is_empty());
        d.start_date = day(2027, 3, 1);
        assert_eq!(codes(&d), ["child_too_old"]);
    }

    #[test]
    fn comment_first_name_and_situation_are_bounded() {
        let mut d = draft();
        d.comment = Some("é".repeat(MAX_COMMENT_CHARS));
        assert!(codes(&d).is_empty());
        d.comment = Some("é".repeat(MAX_COMMENT_CHARS + 1));
        assert_eq!(codes(&d), ["invalid_comment"]);
        let mut d = draft();
        d.child = ForChild::Expected(Expected {
            due_date: day(2027, 3, 1),
            first_name: Some("a".repeat(51)),
        });
        assert_eq!(codes(&d), ["invalid_first_name"]);
        let mut d = draft();
        d.situation.parents_work = vec![WorkSituation::Employed; 3];
        assert_eq!(codes(&d), ["invalid_situation"]);
        d.situation.parents_work = vec![WorkSituation::Employed, WorkSituation::JobSeeker];
        d.situation.siblings_in_creche = 11;
        assert_eq!(codes(&d), ["invalid_situation"]);
    }

    #[test]
    fn renewal_is_due_three_months_later_in_paris() {
        // 23:30 UTC on 30 November is 1 December in Paris.
        let at = "2026-11-30T23:30:00Z".parse().unwrap();
        assert_eq!(renew_before(at), day(2027, 3, 1));
    }

    #[test]
    fn structures_are_cleaned_and_bounded() {
        let draft = |name: &str| StructureDraft {
            name: name.into(),
            ..StructureDraft::default()
        };
        let s = check_structure(&StructureDraft {
            address: Some(" ".into()),
            ..draft("  Les  Lutins ")
        })
        .unwrap();
        assert_eq!((s.name.as_str(), s.address), ("Les Lutins", None));
        assert_eq!((s.age_from_months, s.age_to_months), (0, 36));
        let code = |d: StructureDraft| check_structure(&d).unwrap_err()[0].code.clone();
        assert_eq!(code(draft(" ")), "invalid_name");
        assert_eq!(
            code(StructureDraft {
                address: Some("x".repeat(201)),
                ..draft("A")
            }),
            "invalid_address"
        );
        for (from, to) in [(12, 12), (0, 37), (20, 10)] {
            let d = StructureDraft {
                age_from_months: Some(from),
                age_to_months: Some(to),
                ..draft("A")
            };
            assert_eq!(code(d), "invalid_age_range", "{from}–{to}");
        }
        let group = |name: &str, from: u8, to: u8, places: u16| AgeGroup {
            name: name.into(),
            from_months: from,
            to_months: to,
            places,
        };
        let with = |groups: Vec<AgeGroup>| StructureDraft {
            age_from_months: Some(2),
            groups,
            ..draft("A")
        };
        let ok = check_structure(&with(vec![
            group(" Bébés ", 2, 12, 10),
            group("Grands", 12, 36, 200),
        ]))
        .unwrap();
        assert_eq!(ok.groups[0].name, "Bébés");
        for groups in [
            vec![group("Bébés", 0, 12, 10)],
            vec![group("Bébés", 2, 12, 0)],
            vec![group("Bébés", 2, 12, 201)],
            vec![group("Bébés", 12, 12, 5)],
            vec![group(" ", 2, 12, 5)],
            vec![group("Bébés", 2, 12, 5), group("Bébés", 12, 24, 5)],
            (0..7).map(|i| group(&format!("G{i}"), 2, 12, 1)).collect(),
        ] {
            assert_eq!(code(with(groups.clone())), "invalid_groups", "{groups:?}");
        }
    }
}
