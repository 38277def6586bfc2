//! The French calendar: public holidays (jours fériés) computed for any
//! year, working days, Paris wall-clock times as instants, and dates
//! written out in French (« lundi 3 février 2025 »).
//!
//! # Public holidays
//!
//! Metropolitan France has eleven public holidays (Code du travail,
//! L3133-1). Eight fall on a fixed date; three follow Easter, which this
//! module computes with the anonymous Gregorian algorithm
//! (Meeus/Jones/Butcher), so no year needs a list:
//!
//! | date | name |
//! |---|---|
//! | 1 January | Jour de l'an |
//! | Easter + 1 | Lundi de Pâques |
//! | 1 May | Fête du Travail |
//! | 8 May | Victoire 1945 |
//! | Easter + 39 (a Thursday) | Ascension |
//! | Easter + 50 | Lundi de Pentecôte (see below) |
//! | 14 July | Fête nationale |
//! | 15 August | Assomption |
//! | 1 November | Toussaint |
//! | 11 November | Armistice 1918 |
//! | 25 December | Noël |
//! | Easter − 2, Alsace-Moselle only | Vendredi saint |
//! | 26 December, Alsace-Moselle only | Saint-Étienne |
//!
//! Lundi de Pentecôte is a public holiday in law, but since 2004 it is
//! also the « journée de solidarité »: many communes keep their services
//! open that day. It counts as a holiday by default; a commune that works
//! on it sets [`HolidayRules::whit_monday`] to `false`. The three
//! departments of Alsace-Moselle (57, 67, 68) add Good Friday and
//! 26 December: [`HolidayRules::alsace_moselle`].
//!
//! Easter Sunday and Whit Sunday are not listed: they are Sundays, never
//! working days anyway. When two holidays fall on the same date (Ascension
//! on 1 May in 2008), [`holidays`] lists both and [`is_public_holiday`]
//! names the fixed-date one.
//!
//! No « pont »: the Friday after Ascension is a working day unless the
//! commune declares a closure, which is another rule.

use chrono::{DateTime, Datelike, Days, Month, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono::{LocalResult, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use crate::time::ZONE;

/// Which optional holidays a commune observes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HolidayRules {
    /// Lundi de Pentecôte counts as a public holiday (the default). Set to
    /// `false` in a commune whose services work that day (journée de
    /// solidarité).
    pub whit_monday: bool,
    /// Alsace-Moselle's extra holidays: Vendredi saint (Easter − 2) and
    /// Saint-Étienne (26 December). Off by default.
    pub alsace_moselle: bool,
}

impl HolidayRules {
    /// Metropolitan France, Lundi de Pentecôte included.
    pub const METROPOLITAN: Self = Self {
        whit_monday: true,
        alsace_moselle: false,
    };

    /// Moselle, Bas-Rhin and Haut-Rhin: the metropolitan holidays plus
    /// Vendredi saint and Saint-Étienne.
    pub const ALSACE_MOSELLE: Self = Self {
        whit_monday: true,
        alsace_moselle: true,
    };
}

impl Default for HolidayRules {
    fn default() -> Self {
        Self::METROPOLITAN
    }
}

/// The first Gregorian year: Easter before it followed the Julian rule.
pub const FIRST_GREGORIAN_YEAR: i32 = 1583;

/// Easter Sunday of `year` by the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher). `None` before 1583, when the Gregorian rule did
/// not apply yet, and beyond the dates chrono represents.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    if year < FIRST_GREGORIAN_YEAR {
        return None;
    }
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Holidays on a fixed day of the year: (month, day, name, Alsace-Moselle only).
const FIXED: [(u32, u32, &str, bool); 9] = [
    (1, 1, "Jour de l'an", false),
    (5, 1, "Fête du Travail", false),
    (5, 8, "Victoire 1945", false),
    (7, 14, "Fête nationale", false),
    (8, 15, "Assomption", false),
    (11, 1, "Toussaint", false),
    (11, 11, "Armistice 1918", false),
    (12, 25, "Noël", false),
    (12, 26, "Saint-Étienne", true),
];

/// A holiday that follows Easter.
#[derive(Clone, Copy)]
enum Movable {
    GoodFriday,
    EasterMonday,
    Ascension,
    WhitMonday,
}

impl Movable {
    const ALL: [Movable; 4] = [
        Movable::GoodFriday,
        Movable::EasterMonday,
        Movable::Ascension,
        Movable::WhitMonday,
    ];

    /// Days after Easter Sunday (negative: before).
    fn offset(self) -> i64 {
        match self {
            Movable::GoodFriday => -2,
            Movable::EasterMonday => 1,
            Movable::Ascension => 39,
            Movable::WhitMonday => 50,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Movable::GoodFriday => "Vendredi saint",
            Movable::EasterMonday => "Lundi de Pâques",
            Movable::Ascension => "Ascension",
            Movable::WhitMonday => "Lundi de Pentecôte",
        }
    }

    fn observed(self, rules: &HolidayRules) -> bool {
        match self {
            Movable::GoodFriday => rules.alsace_moselle,
            Movable::EasterMonday | Movable::Ascension => true,
            Movable::WhitMonday => rules.whit_monday,
        }
    }

    fn date(self, easter: NaiveDate) -> Option<NaiveDate> {
        let days = Days::new(self.offset().unsigned_abs());
        if self.offset() < 0 {
            easter.checked_sub_days(days)
        } else {
            easter.checked_add_days(days)
        }
    }
}

/// The French name of the public holiday on `date` ("Lundi de Pâques"),
/// or `None` on an ordinary day.
pub fn is_public_holiday(date: NaiveDate, rules: &HolidayRules) -> Option<&'static str> {
    let fixed = FIXED.iter().find(|(month, day, _, alsace_moselle_only)| {
        (!alsace_moselle_only || rules.alsace_moselle)
            && date.month() == *month
            && date.day() == *day
    });
    if let Some((_, _, name, _)) = fixed {
        return Some(name);
    }
    let easter = easter_sunday(date.year())?;
    Movable::ALL
        .into_iter()
        .find(|h| h.observed(rules) && h.date(easter) == Some(date))
        .map(Movable::name)
}

/// Monday to Friday and not a public holiday.
pub fn is_working_day(date: NaiveDate, rules: &HolidayRules) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && is_public_holiday(date, rules).is_none()
}

/// Every public holiday of `year`, by date. Two holidays on one date are
/// both listed, the fixed-date one first.
pub fn holidays(year: i32, rules: &HolidayRules) -> Vec<(NaiveDate, &'static str)> {
    let mut days: Vec<(NaiveDate, &'static str)> = FIXED
        .iter()
        .filter(|(_, _, _, alsace_moselle_only)| !alsace_moselle_only || rules.alsace_moselle)
        .filter_map(|(month, day, name, _)| {
            NaiveDate::from_ymd_opt(year, *month, *day).map(|d| (d, *name))
        })
        .collect();
    if let Some(easter) = easter_sunday(year) {
        days.extend(
            Movable::ALL
                .into_iter()
                .filter(|h| h.observed(rules))
                .filter_map(|h| h.date(easter).map(|d| (d, h.name()))),
        );
    }
    // Stable: on a shared date the fixed holiday, pushed first, stays first.
    days.sort_by_key(|(date, _)| *date);
    days
}

/// The `n`-th working day before `day` (`day` itself not counted); `day`
/// itself when `n` is 0. Saturates at chrono's first date.
pub fn working_days_before(day: NaiveDate, n: u32, rules: &HolidayRules) -> NaiveDate {
    let mut date = day;
    let mut left = n;
    while left > 0 {
        match date.pred_opt() {
            Some(previous) => date = previous,
            None => return date,
        }
        if is_working_day(date, rules) {
            left -= 1;
        }
    }
    date
}

/// The instant of a Paris wall-clock time. In the spring-forward gap (a
/// local time that does not exist, 02:00–02:59 on the last Sunday of
/// March) it is the instant right after the gap, 03:00 local time. In the
/// fall-back overlap (02:00–02:59 twice on the last Sunday of October) it
/// is the first of the two instants.
pub fn paris_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    // A gap lasts an hour in Paris; a day is more than enough anywhere.
    let mut candidate = local;
    for _ in 0..=24 * 60 {
        match ZONE.from_local_datetime(&candidate) {
            LocalResult::Single(at) => return at.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => {}
        }
        candidate = match next_minute(candidate) {
            Some(next) => next,
            None => break,
        };
    }
    // Only at the ends of chrono's range: read the wall clock as UTC.
    Utc.from_utc_datetime(&local)
}

/// The next whole minute after `at`.
fn next_minute(at: NaiveDateTime) -> Option<NaiveDateTime> {
    at.with_second(0)?
        .with_nanosecond(0)?
        .checked_add_signed(chrono::TimeDelta::minutes(1))
}

/// "lundi" … "dimanche".
pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

/// "janvier" … "décembre".
pub fn month_name(month: Month) -> &'static str {
    match month {
        Month::January => "janvier",
        Month::February => "février",
        Month::March => "mars",
        Month::April => "avril",
        Month::May => "mai",
        Month::June => "juin",
        Month::July => "juillet",
        Month::August => "août",
        Month::September => "septembre",
        Month::October => "octobre",
        Month::November => "novembre",
        Month::December => "décembre",
    }
}

/// The month of `date`, by name.
pub fn month_name_of(date: NaiveDate) -> &'static str {
    u8::try_from(date.month())
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .map(month_name)
        .unwrap_or_default()
}

/// « lundi 3 février 2025 »; the first of a month is « 1er » as French
/// typography writes it (« samedi 1er mars 2025 »).
pub fn long_date(date: NaiveDate) -> String {
    let day = date.day();
    let suffix = if day == 1 { "er" } else { "" };
    format!(
        "{} {day}{suffix} {} {}",
        weekday_name(date.weekday()),
        month_name_of(date),
        date.year()
    )
}

/// « lundi 3 février 2025 à 12:00 », in Paris time.
pub fn long_date_time(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&ZONE);
    format!(
        "{} à {}",
        long_date(local.date_naive()),
        local.format("%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    const METRO: HolidayRules = HolidayRules::METROPOLITAN;

    #[test]
    fn easter_sunday_matches_the_known_dates() {
        // Given years whose Easter is known, from the earliest possible
        // date (22 March) to the latest (25 April).
        let known = [
            (1583, 4, 10),
            (1818, 3, 22),
            (1886, 4, 25),
            (1943, 4, 25),
            (1954, 4, 18),
            (1961, 4, 2),
            (1981, 4, 19),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2016, 3, 27),
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2049, 4, 18),
            (2076, 4, 19),
            (2100, 3, 28),
            (2285, 3, 22),
        ];
        for (y, m, d) in known {
            // When computed, then it is that Sunday.
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "Easter {y}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_between_22_march_and_25_april() {
        for year in 1583..=4099 {
            let easter = easter_sunday(year).unwrap_or_default();
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(
                easter >= date(year, 3, 22) && easter <= date(year, 4, 25),
                "{year}"
            );
        }
    }

    #[test]
    fn easter_is_unknown_before_the_gregorian_calendar() {
        assert_eq!(easter_sunday(1582), None);
        assert_eq!(easter_sunday(-44), None);
    }

    #[test]
    fn easter_is_unknown_beyond_chronos_range() {
        assert_eq!(easter_sunday(i32::MAX), None);
    }

    #[test]
    fn easter_sunday_itself_is_not_listed_since_it_is_a_sunday() {
        assert_eq!(is_public_holiday(date(2025, 4, 20), &METRO), None);
        assert!(!is_working_day(date(2025, 4, 20), &METRO));
    }

    #[test]
    fn the_holidays_of_2025_are_the_eleven_of_the_law() {
        let expected = vec![
            (date(2025, 1, 1), "Jour de l'an"),
            (date(2025, 4, 21), "Lundi de Pâques"),
            (date(2025, 5, 1), "Fête du Travail"),
            (date(2025, 5, 8), "Victoire 1945"),
            (date(2025, 5, 29), "Ascension"),
            (date(2025, 6, 9), "Lundi de Pentecôte"),
            (date(2025, 7, 14), "Fête nationale"),
            (date(2025, 8, 15), "Assomption"),
            (date(2025, 11, 1), "Toussaint"),
            (date(2025, 11, 11), "Armistice 1918"),
            (date(2025, 12, 25), "Noël"),
        ];
        assert_eq!(holidays(2025, &METRO), expected);
    }

    #[test]
    fn ascension_and_whit_monday_follow_easter() {
        let known = [
            (2019, (5, 30), (6, 10)),
            (2024, (5, 9), (5, 20)),
            (2025, (5, 29), (6, 9)),
            (2026, (5, 14), (5, 25)),
            (2027, (5, 6), (5, 17)),
            (2038, (6, 3), (6, 14)),
        ];
        for (y, (am, ad), (wm, wd)) in known {
            assert_eq!(
                is_public_holiday(date(y, am, ad), &METRO),
                Some("Ascension")
            );
            assert_eq!(date(y, am, ad).weekday(), Weekday::Thu);
            assert_eq!(
                is_public_holiday(date(y, wm, wd), &METRO),
                Some("Lundi de Pentecôte")
            );
            assert_eq!(date(y, wm, wd).weekday(), Weekday::Mon);
        }
    }

    #[test]
    fn easter_monday_is_named_in_french() {
        assert_eq!(
            is_public_holiday(date(2025, 4, 21), &METRO),
            Some("Lundi de Pâques")
        );
        assert_eq!(
            is_public_holiday(date(2024, 4, 1), &METRO),
            Some("Lundi de Pâques")
        );
    }

    #[test]
    fn a_commune_working_on_whit_monday_sees_it_as_a_working_day() {
        // Given a commune that works on the journée de solidarité.
        let rules = HolidayRules {
            whit_monday: false,
            ..HolidayRules::METROPOLITAN
        };
        // Then Whit Monday is an ordinary Monday.
        assert_eq!(is_public_holiday(date(2025, 6, 9), &rules), None);
        assert!(is_working_day(date(2025, 6, 9), &rules));
        assert_eq!(holidays(2025, &rules).len(), 10);
    }

    #[test]
    fn alsace_moselle_adds_good_friday_and_saint_stephen() {
        let rules = HolidayRules::ALSACE_MOSELLE;
        assert_eq!(
            is_public_holiday(date(2025, 4, 18), &rules),
            Some("Vendredi saint")
        );
        assert_eq!(
            is_public_holiday(date(2025, 12, 26), &rules),
            Some("Saint-Étienne")
        );
        assert_eq!(holidays(2025, &rules).len(), 13);
    }

    #[test]
    fn good_friday_and_saint_stephen_are_working_days_elsewhere() {
        assert!(is_working_day(date(2025, 4, 18), &METRO));
        assert!(is_working_day(date(2025, 12, 26), &METRO));
    }

    #[test]
    fn ascension_on_labour_day_is_listed_twice_and_named_by_the_fixed_holiday() {
        // Given 2008, when Easter was 23 March and Ascension 1 May.
        let list = holidays(2008, &METRO);
        let on_may_first: Vec<_> = list
            .iter()
            .filter(|(d, _)| *d == date(2008, 5, 1))
            .collect();
        assert_eq!(
            on_may_first,
            vec![
                &(date(2008, 5, 1), "Fête du Travail"),
                &(date(2008, 5, 1), "Ascension")
            ]
        );
        assert_eq!(
            is_public_holiday(date(2008, 5, 1), &METRO),
            Some("Fête du Travail")
        );
    }

    #[test]
    fn holidays_are_sorted_by_date_every_year() {
        for year in 2000..2100 {
            let list = holidays(year, &HolidayRules::ALSACE_MOSELLE);
            assert!(list.windows(2).all(|w| w[0].0 <= w[1].0), "{year}");
            assert!(list.iter().all(|(d, n)| {
                is_public_holiday(*d, &HolidayRules::ALSACE_MOSELLE).is_some() && !n.is_empty()
            }));
        }
    }

    #[test]
    fn the_friday_after_ascension_is_a_working_day() {
        assert!(is_working_day(date(2025, 5, 30), &METRO));
    }

    #[test]
    fn weekends_are_not_working_days() {
        assert!(!is_working_day(date(2025, 2, 8), &METRO));
        assert!(!is_working_day(date(2025, 2, 9), &METRO));
        assert!(is_working_day(date(2025, 2, 10), &METRO));
    }

    #[test]
    fn a_holiday_on_a_weekday_is_not_a_working_day() {
        assert!(!is_working_day(date(2025, 7, 14), &METRO));
    }

    #[test]
    fn the_working_day_before_a_monday_is_the_friday() {
        assert_eq!(
            working_days_before(date(2025, 2, 10), 1, &METRO),
            date(2025, 2, 7)
        );
    }

    #[test]
    fn zero_working_days_before_is_the_day_itself() {
        assert_eq!(
            working_days_before(date(2025, 2, 9), 0, &METRO),
            date(2025, 2, 9)
        );
    }

    #[test]
    fn working_days_before_skip_holidays_and_the_new_year() {
        assert_eq!(
            working_days_before(date(2026, 1, 2), 2, &METRO),
            date(2025, 12, 30)
        );
    }

    #[test]
    fn working_days_before_saturate_at_the_first_date() {
        assert_eq!(
            working_days_before(NaiveDate::MIN, 3, &METRO),
            NaiveDate::MIN
        );
    }

    #[test]
    fn paris_noon_is_eleven_utc_in_winter_and_ten_in_summer() {
        let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default();
        assert_eq!(
            paris_instant(date(2025, 2, 3), noon),
            utc(2025, 2, 3, 11, 0)
        );
        assert_eq!(
            paris_instant(date(2025, 7, 3), noon),
            utc(2025, 7, 3, 10, 0)
        );
    }

    #[test]
    fn a_time_in_the_spring_forward_gap_is_the_instant_right_after_the_gap() {
        // Given 30 March 2025, when 02:00 becomes 03:00 (01:00Z).
        let half_past_two = NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default();
        let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap_or_default();
        assert_eq!(
            paris_instant(date(2025, 3, 30), half_past_two),
            utc(2025, 3, 30, 1, 0)
        );
        assert_eq!(
            paris_instant(date(2025, 3, 30), two),
            utc(2025, 3, 30, 1, 0)
        );
    }

    #[test]
    fn a_time_in_the_fall_back_overlap_is_its_first_occurrence() {
        // Given 26 October 2025, when 03:00 becomes 02:00 again (01:00Z).
        let half_past_two = NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default();
        assert_eq!(
            paris_instant(date(2025, 10, 26), half_past_two),
            utc(2025, 10, 26, 0, 30)
        );
    }

    #[test]
    fn dates_are_written_out_in_french() {
        assert_eq!(long_date(date(2025, 2, 3)), "lundi 3 février 2025");
        assert_eq!(long_date(date(2025, 8, 15)), "vendredi 15 août 2025");
        assert_eq!(long_date(date(2025, 12, 31)), "mercredi 31 décembre 2025");
    }

    #[test]
    fn the_first_of_the_month_is_written_1er() {
        assert_eq!(long_date(date(2025, 3, 1)), "samedi 1er mars 2025");
    }

    #[test]
    fn instants_are_written_out_in_paris_time() {
        assert_eq!(
            long_date_time(utc(2025, 2, 3, 11, 0)),
            "lundi 3 février 2025 à 12:00"
        );
        // 23:30Z on 31 December is already New Year's Day in Paris.
        assert_eq!(
            long_date_time(utc(2025, 12, 31, 23, 30)),
            "jeudi 1er janvier 2026 à 00:30"
        );
    }

    #[test]
    fn every_weekday_and_month_has_its_french_name() {
        let days: Vec<_> = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(weekday_name)
        .collect();
        assert_eq!(
            days,
            [
                "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"
            ]
        );
        let months: Vec<_> = (1..=12).map(|m| month_name_of(date(2025, m, 1))).collect();
        assert_eq!(
            months,
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre"
            ]
        );
    }

    #[test]
    fn holiday_rules_read_from_json_with_defaults() {
        let rules: HolidayRules =
            serde_json::from_str(r#"{"whit_monday":false}"#).unwrap_or_default();
        assert_eq!(
            rules,
            HolidayRules {
                whit_monday: false,
                alsace_moselle: false
            }
        );
        let rules: HolidayRules = serde_json::from_str("{}").unwrap_or(HolidayRules {
            whit_monday: false,
            alsace_moselle: true,
        });
        assert_eq!(rules, HolidayRules::METROPOLITAN);
    }
}
