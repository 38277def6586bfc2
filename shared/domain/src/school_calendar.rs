//! The national school calendar: school holidays per zone (A, B, C and
//! Corse), shipped with the project as data, and a commune's calendar (its
//! public holiday rules and its school zone).
//!
//! The data is `data/vacances-scolaires.csv`, compiled in and parsed once:
//! one line per zone and holiday, `annee_scolaire;zone;vacances;du;au`,
//! `du` the first day without school and `au` the last one (the day
//! before classes start again). It comes from the Ministère de l'Éducation
//! nationale's open dataset « fr-en-calendrier-scolaire »;
//! [`from_official`] turns that dataset's CSV export into this file
//! (`marelle calendar update --from`).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{DateTime, Days, NaiveDate, Timelike};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::{HolidayRules, is_public_holiday};

/// The shipped calendar, as compiled in.
pub const SHIPPED: &str = include_str!("../data/vacances-scolaires.csv");

/// A school holiday zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchoolZone {
    A,
    B,
    C,
    Corse,
}

impl SchoolZone {
    pub const ALL: [SchoolZone; 4] = [
        SchoolZone::A,
        SchoolZone::B,
        SchoolZone::C,
        SchoolZone::Corse,
    ];

    /// "A", "B", "C", "Corse": as the data file and `MARELLE_SCHOOL_ZONE`
    /// write it.
    pub fn code(self) -> &'static str {
        match self {
            SchoolZone::A => "A",
            SchoolZone::B => "B",
            SchoolZone::C => "C",
            SchoolZone::Corse => "Corse",
        }
    }
}

impl fmt::Display for SchoolZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a zone is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("zone scolaire inconnue « {0} » : A, B, C ou Corse attendu")]
pub struct UnknownZone(pub String);

impl FromStr for SchoolZone {
    type Err = UnknownZone;

    /// "A", "b", "Zone C", "corse".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t
            .strip_prefix("Zone ")
            .or_else(|| t.strip_prefix("zone "))
            .unwrap_or(t)
            .trim();
        SchoolZone::ALL
            .into_iter()
            .find(|z| z.code().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownZone(s.trim().chars().take(40).collect()))
    }
}

/// One holiday of one zone, first and last day without school.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchoolHoliday {
    pub school_year: String,
    pub zone: SchoolZone,
    /// "Vacances de Noël".
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// How an activity follows the school calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchoolHolidays {
    /// Closed during school holidays (canteen, before and after school care).
    Closed,
    /// Runs only during school holidays (holiday centre).
    Only,
    /// Runs whatever the school calendar (what activities stored before
    /// this setting keep).
    #[default]
    Ignored,
}

impl SchoolHolidays {
    /// What the back-office proposes for a new activity.
    pub fn closed() -> Self {
        SchoolHolidays::Closed
    }
}

/// Why a calendar file cannot be read; nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("ligne {line} : {reason}")]
    Line { line: usize, reason: String },
    #[error("{0}")]
    File(String),
}

fn line_error(line: usize, reason: impl Into<String>) -> CalendarError {
    CalendarError::Line {
        line,
        reason: reason.into(),
    }
}

/// Most lines a calendar file holds (the official export has about 2,000
/// per school year, one per académie and population).
pub const MAX_LINES: usize = 100_000;

/// The shipped format: `annee_scolaire;zone;vacances;du;au`.
pub fn parse(text: &str) -> Result<Vec<SchoolHoliday>, CalendarError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| CalendarError::File(format!("en-tête illisible ({e})")))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != ["annee_scolaire", "zone", "vacances", "du", "au"] {
        return Err(CalendarError::File(
            "en-tête attendu : annee_scolaire;zone;vacances;du;au".into(),
        ));
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if i >= MAX_LINES {
            return Err(line_error(line, "fichier trop long"));
        }
        let r = record.map_err(|e| line_error(line, e.to_string()))?;
        let date = |k: usize| {
            NaiveDate::parse_from_str(r.get(k).unwrap_or_default().trim(), "%Y-%m-%d")
                .map_err(|_| line_error(line, "date au format AAAA-MM-JJ attendue"))
        };
        let (from, to) = (date(3)?, date(4)?);
        if to < from {
            return Err(line_error(line, "la fin précède le début"));
        }
        out.push(SchoolHoliday {
            school_year: r.get(0).unwrap_or_default().trim().to_string(),
            zone: r
                .get(1)
                .unwrap_or_default()
                .parse()
                .map_err(|e: UnknownZone| line_error(line, e.to_string()))?,
            label: label(r.get(2).unwrap_or_default())
                .ok_or_else(|| line_error(line, "vacances sans nom"))?,
            from,
            to,
        });
    }
    Ok(out)
}

/// The shipped format of `holidays`, sorted.
pub fn to_csv(holidays: &[SchoolHoliday]) -> String {
    let mut sorted = holidays.to_vec();
    sorted.sort_by(|x, y| {
        (&x.school_year, x.zone, x.from, &x.label).cmp(&(&y.school_year, y.zone, y.from, &y.label))
    });
    let mut out = String::from("annee_scolaire;zone;vacances;du;au\n");
    for h in &sorted {
        out.push_str(&format!(
            "{};{};{};{};{}\n",
            h.school_year, h.zone, h.label, h.from, h.to
        ));
    }
    out
}

/// The holidays shipped with the project, parsed once (none if the file
/// were broken, which a test rules out).
pub fn shipped() -> &'static [SchoolHoliday] {
    static HOLIDAYS: OnceLock<Vec<SchoolHoliday>> = OnceLock::new();
    HOLIDAYS.get_or_init(|| parse(SHIPPED).unwrap_or_default())
}

/// The shipped holiday of `zone` on `date`, if any.
pub fn holiday_on(zone: SchoolZone, date: NaiveDate) -> Option<&'static SchoolHoliday> {
    shipped()
        .iter()
        .find(|h| h.zone == zone && h.from <= date && date <= h.to)
}

/// The official names, as the dataset spells them, in the portal's words.
fn label(description: &str) -> Option<String> {
    let d = description.trim();
    if d.is_empty() {
        return None;
    }
    let lower = d.to_lowercase();
    let known = [
        ("toussaint", "Vacances de la Toussaint"),
        ("noël", "Vacances de Noël"),
        ("noel", "Vacances de Noël"),
        ("hiver", "Vacances d'hiver"),
        ("printemps", "Vacances de printemps"),
        ("ascension", "Pont de l'Ascension"),
        ("été", "Vacances d'été"),
        ("ete", "Vacances d'été"),
    ];
    Some(
        known
            .iter()
            .find(|(k, _)| lower.contains(k))
            .map(|(_, l)| (*l).to_string())
            .unwrap_or_else(|| d.replace('’', "'").chars().take(80).collect()),
    )
}

/// A date of the official export: `2024-10-18T22:00:00+00:00` (an instant,
/// read in Paris time) or `2024-10-19`. `evening_moves`: an instant in the
/// afternoon or evening (« après la classe ») counts as the next day.
fn official_date(s: &str, evening_moves: bool) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    let at = DateTime::parse_from_rfc3339(s)
        .ok()?
        .with_timezone(&crate::time::ZONE);
    let date = at.date_naive();
    if evening_moves && at.hour() >= 12 {
        date.checked_add_days(Days::new(1))
    } else {
        Some(date)
    }
}

/// The official export (`fr-en-calendrier-scolaire`, CSV with `;` as
/// data.education.gouv.fr gives it) as the shipped file: zones A, B, C and
/// Corse only, the pupils' rows (population « - » or « Élèves »), one line
/// per zone and holiday whatever the number of académies. The export's
/// start is the evening of the last school day (the first day without
/// school here); its end is the morning classes start again (the day
/// before is the last day without school here).
pub fn from_official(text: &str) -> Result<String, CalendarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| CalendarError::File(format!("en-tête illisible ({e})")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let need = |names: &[&str], shown: &str| {
        column(names).ok_or_else(|| {
            CalendarError::File(format!(
                "colonne « {shown} » absente : est-ce bien l'export CSV (séparateur « ; ») du calendrier scolaire ?"
            ))
        })
    };
    let description = need(&["description"], "Description")?;
    let population = need(&["population"], "Population")?;
    let start = need(&["date de début", "start_date"], "Date de début")?;
    let end = need(&["date de fin", "end_date"], "Date de fin")?;
    let zones = need(&["zones", "zone"], "Zones")?;
    let year = need(&["annee_scolaire", "année scolaire"], "annee_scolaire")?;
    let mut kept = BTreeSet::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if i >= MAX_LINES {
            return Err(line_error(line, "fichier trop long"));
        }
        let r = record.map_err(|e| line_error(line, e.to_string()))?;
        let field = |k: usize| r.get(k).unwrap_or_default().trim();
        if r.len() < header.len() {
            return Err(line_error(
                line,
                format!("{} colonnes au lieu de {}", r.len(), header.len()),
            ));
        }
        let Ok(zone) = field(zones).parse::<SchoolZone>() else {
            continue; // Outre-mer and others.
        };
        let pop = field(population).to_lowercase();
        if !(pop.is_empty() || pop == "-" || pop == "élèves" || pop == "eleves") {
            continue;
        }
        let from = official_date(field(start), true).ok_or_else(|| {
            line_error(
                line,
                format!(
                    "date de début illisible « {} »",
                    field(start).chars().take(40).collect::<String>()
                ),
            )
        })?;
        let back = official_date(field(end), false).ok_or_else(|| {
            line_error(
                line,
                format!(
                    "date de fin illisible « {} »",
                    field(end).chars().take(40).collect::<String>()
                ),
            )
        })?;
        let to = back.pred_opt().unwrap_or(back).max(from);
        if back < from {
            return Err(line_error(line, "la fin précède le début"));
        }
        let school_year = field(year);
        if school_year.is_empty() || school_year.len() > 20 {
            return Err(line_error(line, "année scolaire absente"));
        }
        let label =
            label(field(description)).ok_or_else(|| line_error(line, "description absente"))?;
        kept.insert(SchoolHoliday {
            school_year: school_year.to_string(),
            zone,
            label,
            from,
            to,
        });
    }
    if kept.is_empty() {
        return Err(CalendarError::File(
            "aucune vacances des zones A, B, C ou Corse pour les élèves dans ce fichier".into(),
        ));
    }
    let kept: Vec<SchoolHoliday> = kept.into_iter().collect();
    Ok(to_csv(&kept))
}

/// A commune's calendar: the public holidays it observes and its school
/// zone (none: the school calendar is not followed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommuneCalendar {
    pub holidays: HolidayRules,
    pub school_zone: Option<SchoolZone>,
}

impl CommuneCalendar {
    /// The public holiday's name on `date`.
    pub fn public_holiday(&self, date: NaiveDate) -> Option<&'static str> {
        is_public_holiday(date, &self.holidays)
    }

    /// The school holiday of the commune's zone on `date`.
    pub fn school_holiday(&self, date: NaiveDate) -> Option<&'static SchoolHoliday> {
        holiday_on(self.school_zone?, date)
    }

    /// The school holidays of the commune's zone that meet `from..=to`.
    pub fn school_holidays_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<&'static SchoolHoliday> {
        shipped()
            .iter()
            .filter(|h| Some(h.zone) == self.school_zone && h.from <= to && from <= h.to)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_shipped_file_parses_and_covers_three_school_years_in_every_zone() {
        let all = parse(SHIPPED).unwrap();
        assert_eq!(shipped().len(), all.len());
        assert_eq!(
            to_csv(&all),
            SHIPPED,
            "the file is written as the update writes it"
        );
        for year in ["2024-2025", "2025-2026"] {
            for zone in SchoolZone::ALL {
                let n = all
                    .iter()
                    .filter(|h| h.school_year == year && h.zone == zone)
                    .count();
                assert_eq!(n, 6, "{year} {zone}: six holidays");
            }
        }
        for zone in SchoolZone::ALL {
            let noel = all
                .iter()
                .find(|h| {
                    h.school_year == "2026-2027" && h.zone == zone && h.label == "Vacances de Noël"
                })
                .unwrap();
            assert_eq!((noel.from, noel.to), (d(2026, 12, 19), d(2027, 1, 3)));
        }
    }

    #[test]
    fn christmas_and_winter_2026_2027_per_zone() {
        for zone in SchoolZone::ALL {
            assert_eq!(
                holiday_on(zone, d(2026, 12, 24)).map(|h| h.label.as_str()),
                Some("Vacances de Noël")
            );
            assert_eq!(holiday_on(zone, d(2026, 12, 18)), None, "last school day");
            assert_eq!(holiday_on(zone, d(2027, 1, 4)), None, "back to school");
        }
        let winter = |zone| {
            let h = shipped()
                .iter()
                .find(|h| {
                    h.school_year == "2026-2027" && h.zone == zone && h.label == "Vacances d'hiver"
                })
                .unwrap();
            (h.from, h.to)
        };
        assert_eq!(winter(SchoolZone::C), (d(2027, 2, 6), d(2027, 2, 21)));
        assert_eq!(winter(SchoolZone::A), (d(2027, 2, 13), d(2027, 2, 28)));
        assert_eq!(winter(SchoolZone::B), (d(2027, 2, 20), d(2027, 3, 7)));
        assert_eq!(holiday_on(SchoolZone::C, d(2027, 2, 22)), None);
        assert_eq!(
            holiday_on(SchoolZone::B, d(2027, 2, 22)).map(|h| h.label.as_str()),
            Some("Vacances d'hiver")
        );
    }

    #[test]
    fn zones_read_as_the_setting_and_the_export_write_them() {
        assert_eq!("C".parse::<SchoolZone>(), Ok(SchoolZone::C));
        assert_eq!("Zone A".parse::<SchoolZone>(), Ok(SchoolZone::A));
        assert_eq!("corse".parse::<SchoolZone>(), Ok(SchoolZone::Corse));
        assert!("D".parse::<SchoolZone>().is_err());
        assert!("Guadeloupe".parse::<SchoolZone>().is_err());
    }

    #[test]
    fn a_commune_without_zone_has_no_school_holidays() {
        let cal = CommuneCalendar::default();
        assert_eq!(cal.school_holiday(d(2026, 12, 24)), None);
        assert_eq!(cal.public_holiday(d(2027, 1, 1)), Some("Jour de l'an"));
        let c = CommuneCalendar {
            school_zone: Some(SchoolZone::C),
            ..CommuneCalendar::default()
        };
        let labels: Vec<&str> = c
            .school_holidays_between(d(2026, 12, 1), d(2027, 1, 31))
            .into_iter()
            .map(|h| h.label.as_str())
            .collect();
        assert_eq!(labels, ["Vacances de Noël"]);
    }

    const OFFICIAL: &str = "\u{feff}Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n\
Vacances de Noël;-;2026-12-18T23:00:00+00:00;2027-01-03T23:00:00+00:00;Créteil;Zone C;2026-2027\n\
Vacances de Noël;-;2026-12-18T23:00:00+00:00;2027-01-03T23:00:00+00:00;Paris;Zone C;2026-2027\n\
Vacances de Noël;Enseignants;2026-12-18T23:00:00+00:00;2027-01-03T23:00:00+00:00;Paris;Zone C;2026-2027\n\
Vacances d'Hiver;Élèves;2027-02-05T17:00:00+00:00;2027-02-22;Versailles;Zone C;2026-2027\n\
Vacances de Carnaval;-;2027-02-06;2027-02-15;Guadeloupe;Guadeloupe;2026-2027\n\
Vacances de Noël;-;2026-12-19;2027-01-04;Corse;Corse;2026-2027\n";

    #[test]
    fn the_official_export_becomes_one_line_per_zone_and_holiday() {
        let out = from_official(OFFICIAL).unwrap();
        assert_eq!(
            out,
            "annee_scolaire;zone;vacances;du;au\n\
2026-2027;C;Vacances de Noël;2026-12-19;2027-01-03\n\
2026-2027;C;Vacances d'hiver;2027-02-06;2027-02-21\n\
2026-2027;Corse;Vacances de Noël;2026-12-19;2027-01-03\n"
        );
        assert_eq!(parse(&out).unwrap().len(), 3);
    }

    #[test]
    fn a_malformed_export_is_refused_in_french() {
        let e = from_official("a,b,c\n1,2,3\n").unwrap_err();
        assert!(
            e.to_string().contains("colonne « Description » absente"),
            "{e}"
        );
        let bad_date = "Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n\
Vacances de Noël;-;demain;2027-01-04;Paris;Zone C;2026-2027\n";
        assert_eq!(
            from_official(bad_date).unwrap_err().to_string(),
            "ligne 2 : date de début illisible « demain »"
        );
        let only_overseas = "Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n\
Vacances de Carnaval;-;2027-02-06;2027-02-15;Guadeloupe;Guadeloupe;2026-2027\n";
        assert!(from_official(only_overseas).is_err());
        assert!(parse("zone;du\nC;2026-01-01\n").is_err());
    }
}
