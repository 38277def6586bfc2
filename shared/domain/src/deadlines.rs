//! Booking and cancelling deadlines: the rule an agent types for an
//! activity ("J-2 12:00"), carried by the API as that string, and the
//! instant it gives for a day.
//!
//! # The language
//!
//! A rule is one line, in one of three shapes:
//!
//! | canonical form | deadline for day D |
//! |---|---|
//! | `J-2 12:00` | D − 2 calendar days, at 12:00 Paris time |
//! | `J-0 08:00` | D itself, at 08:00 |
//! | `J-2 ouvrés 12:00` | the 2nd working day before D, at 12:00 |
//! | `mercredi semaine précédente 18:00` | the Wednesday of the ISO week (Monday–Sunday) before D's, at 18:00 |
//!
//! Grammar (case and accents do not matter, words are separated by any
//! spaces):
//!
//! ```text
//! rule     = days | weekly
//! days     = "J" "-" N [ "ouvrés" ] [ "à" ] time        N = 0 … 60, "J - 2" also reads
//! weekly   = weekday [ "de la" ] "semaine précédente" [ "à" ] time
//! weekday  = lundi | mardi | mercredi | jeudi | vendredi | samedi | dimanche
//!          | lun | mar | mer | jeu | ven | sam | dim
//!          | monday … sunday | mon | tue | wed | thu | fri | sat | sun
//! time     = H:MM | HH:MM | Hh | HHh | HhMM | HHhMM     00:00 … 23:59
//! ```
//!
//! `ouvrés` may be written `ouvres`, `ouvré` or `ouvre`; the minus may be
//! the typographic `−` or `–` a word processor puts in. The rule prints
//! back ([`std::fmt::Display`]) in the canonical form of the table, which
//! is also its JSON form.
//!
//! # Decisions
//!
//! - **Working days** are Monday to Friday minus the public holidays of
//!   [`HolidayRules`] (see [`crate::calendar`]); D itself never counts, so
//!   `J-1 ouvrés` for a Monday is the Friday before. The « pont » after
//!   Ascension is a working day.
//! - `J-0 ouvrés` is refused: zero working days before D is D, so the
//!   rule is `J-0 HH:MM`, and one rule has one spelling.
//! - `ouvrables` (Monday to Saturday in French law) is refused with an
//!   explanation rather than silently read as `ouvrés`.
//! - **At most 60 days** ([`MAX_DAYS`]): beyond that a rule is a typo.
//! - Calendar-day and weekly rules ignore holidays: a deadline on a
//!   holiday stays on it (the portal is open every day).
//! - **Time zone**: the wall-clock time is Paris time, so `12:00` is 11:00Z
//!   in winter and 10:00Z in summer. A time that does not exist (the
//!   spring-forward gap, 02:00–02:59 on the last Sunday of March) means
//!   the instant right after the gap, 03:00; a time that happens twice
//!   (the fall-back hour) means the first one.
//! - **The deadline instant is included**: a request at exactly 12:00:00
//!   is accepted, anything later, even by a fraction of a second, is
//!   refused. Instants are compared as they are, not rounded to the minute.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::{self, HolidayRules, long_date_time, weekday_name};

/// The furthest a rule may reach before the day: `J-60`.
pub const MAX_DAYS: u32 = 60;

/// A booking or cancelling deadline rule. Parsed from its text, printed
/// back canonically; serde reads and writes it as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeadlineRule {
    when: When,
    /// Whole minutes, Paris time.
    at: NaiveTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum When {
    /// `J-n`, in calendar days or in working days (`n > 0`).
    DaysBefore { days: u32, working: bool },
    /// `<weekday> semaine précédente`.
    PreviousWeek(Weekday),
}

/// Why a rule's text was refused, in French for the agent who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineRuleError {
    #[error(
        "La règle de date limite est vide. Exemples : « J-2 12:00 », « J-1 ouvrés 18:00 », « mercredi semaine précédente 18:00 »."
    )]
    Empty,
    #[error("Nombre de jours manquant après « J- » : écrivez par exemple « J-2 12:00 ».")]
    MissingDays,
    #[error("« J-x » attend un nombre entier de jours, pas « {0} ».")]
    BadDays(String),
    #[error("Le délai ne peut pas dépasser J-{max} (reçu : J-{0}).", max = MAX_DAYS)]
    TooManyDays(String),
    #[error("La date limite se compte avant le jour : écrivez « J-{0} », pas « J+{0} ».")]
    AfterTheDay(String),
    #[error(
        "« J-0 ouvrés » n'a pas de sens : pour le jour même, écrivez « J-0 » suivi de l'heure."
    )]
    ZeroWorkingDays,
    #[error(
        "Les jours « ouvrables » comptent le samedi ; Marelle compte en jours « ouvrés » (du lundi au vendredi, hors jours fériés) : écrivez « ouvrés »."
    )]
    Ouvrables,
    #[error("Heure manquante : terminez la règle par une heure, par exemple « 12:00 ».")]
    MissingTime,
    #[error("« {0} » n'est pas une heure : écrivez-la HH:MM, par exemple « 08:30 ».")]
    BadTime(String),
    #[error("L'heure « {0} » n'existe pas : les heures vont de 00:00 à 23:59.")]
    TimeOutOfRange(String),
    #[error(
        "« {0} » n'est ni « J-x » ni un jour de la semaine (lundi, mardi, mercredi, jeudi, vendredi, samedi ou dimanche)."
    )]
    UnknownWeekday(String),
    #[error(
        "Après le jour de la semaine, écrivez « semaine précédente » puis l'heure, par exemple « mercredi semaine précédente 18:00 »."
    )]
    MissingPreviousWeek,
    #[error("« {0} » est en trop : la règle se termine par l'heure.")]
    Unexpected(String),
}

impl DeadlineRule {
    /// `J-days HH:MM`, in calendar days.
    pub fn days_before(days: u32, hour: u32, minute: u32) -> Result<Self, DeadlineRuleError> {
        Ok(Self {
            when: When::DaysBefore {
                days: checked_days(days)?,
                working: false,
            },
            at: checked_time(hour, minute)?,
        })
    }

    /// `J-days ouvrés HH:MM`, in working days (at least one).
    pub fn working_days_before(
        days: u32,
        hour: u32,
        minute: u32,
    ) -> Result<Self, DeadlineRuleError> {
        if days == 0 {
            return Err(DeadlineRuleError::ZeroWorkingDays);
        }
        Ok(Self {
            when: When::DaysBefore {
                days: checked_days(days)?,
                working: true,
            },
            at: checked_time(hour, minute)?,
        })
    }

    /// `<weekday> semaine précédente HH:MM`.
    pub fn previous_week(
        weekday: Weekday,
        hour: u32,
        minute: u32,
    ) -> Result<Self, DeadlineRuleError> {
        Ok(Self {
            when: When::PreviousWeek(weekday),
            at: checked_time(hour, minute)?,
        })
    }

    /// The wall-clock time of the deadline, Paris time.
    pub fn time(&self) -> NaiveTime {
        self.at
    }

    /// The local date of the deadline for a request about `day`.
    pub fn deadline_date(&self, day: NaiveDate, rules: &HolidayRules) -> NaiveDate {
        match self.when {
            When::DaysBefore {
                days,
                working: false,
            } => day
                .checked_sub_days(Days::new(u64::from(days)))
                .unwrap_or(NaiveDate::MIN),
            When::DaysBefore {
                days,
                working: true,
            } => calendar::working_days_before(day, days, rules),
            When::PreviousWeek(weekday) => {
                let back = u64::from(day.weekday().num_days_from_monday()) + 7
                    - u64::from(weekday.num_days_from_monday());
                day.checked_sub_days(Days::new(back))
                    .unwrap_or(NaiveDate::MIN)
            }
        }
    }

    /// The instant after which a request about `day` is refused.
    pub fn deadline_for(&self, day: NaiveDate, rules: &HolidayRules) -> DateTime<Utc> {
        calendar::paris_instant(self.deadline_date(day, rules), self.at)
    }

    /// Whether a request made at `now` about `day` is in time: up to and
    /// including the deadline instant.
    pub fn allows(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
        rules: &HolidayRules,
    ) -> Result<(), DeadlinePassed> {
        let deadline = self.deadline_for(day, rules);
        if now <= deadline {
            Ok(())
        } else {
            Err(DeadlinePassed { deadline })
        }
    }
}

/// A request came after its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlinePassed {
    pub deadline: DateTime<Utc>,
}

impl fmt::Display for DeadlinePassed {
    /// « La date limite pour cette demande était le lundi 3 février 2025 à 12:00. »
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "La date limite pour cette demande était le {}.",
            long_date_time(self.deadline)
        )
    }
}

impl std::error::Error for DeadlinePassed {}

/// Which deadline a day is measured against: booking (a reservation) or
/// cancelling (an absence on a reserved day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    Booking,
    Cancelling,
}

/// The deadline of a request about `day`, in words, Paris time:
/// « mercredi 6 à 12:00 ». The month is named when it is not `day`'s
/// (« vendredi 30 janvier à 12:00 » for a day in February), the year when
/// it is not `day`'s either; the first of a month is « 1er ».
pub fn deadline_words(deadline: DateTime<Utc>, day: NaiveDate) -> String {
    let local = deadline.with_timezone(&crate::time::ZONE);
    let date = local.date_naive();
    let n = date.day();
    let mut words = format!(
        "{} {n}{}",
        weekday_name(date.weekday()),
        if n == 1 { "er" } else { "" }
    );
    if date.year() != day.year() {
        words.push_str(&format!(
            " {} {}",
            calendar::month_name_of(date),
            date.year()
        ));
    } else if date.month() != day.month() {
        words.push(' ');
        words.push_str(calendar::month_name_of(date));
    }
    words.push_str(&format!(" à {}", local.format("%H:%M")));
    words
}

/// « Réservable jusqu'au mercredi 6 à 12:00 », « Annulable jusqu'au … ».
pub fn open_until(kind: DeadlineKind, deadline: DateTime<Utc>, day: NaiveDate) -> String {
    let what = match kind {
        DeadlineKind::Booking => "Réservable",
        DeadlineKind::Cancelling => "Annulable",
    };
    format!("{what} jusqu'au {}", deadline_words(deadline, day))
}

/// « Délai de réservation dépassé depuis le mercredi 6 à 12:00 ».
pub fn passed_since(kind: DeadlineKind, deadline: DateTime<Utc>, day: NaiveDate) -> String {
    let what = match kind {
        DeadlineKind::Booking => "Délai de réservation",
        DeadlineKind::Cancelling => "Délai d'annulation",
    };
    format!("{what} dépassé depuis le {}", deadline_words(deadline, day))
}

/// « Jour passé ».
pub const DAY_PASSED: &str = "Jour passé";

fn checked_days(days: u32) -> Result<u32, DeadlineRuleError> {
    if days > MAX_DAYS {
        Err(DeadlineRuleError::TooManyDays(days.to_string()))
    } else {
        Ok(days)
    }
}

fn checked_time(hour: u32, minute: u32) -> Result<NaiveTime, DeadlineRuleError> {
    NaiveTime::from_hms_opt(hour, minute, 0)
        .ok_or_else(|| DeadlineRuleError::TimeOutOfRange(format!("{hour:02}:{minute:02}")))
}

impl fmt::Display for DeadlineRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.when {
            When::DaysBefore { days, working } => {
                write!(f, "J-{days} ")?;
                if working {
                    f.write_str("ouvrés ")?;
                }
            }
            When::PreviousWeek(weekday) => {
                write!(f, "{} semaine précédente ", weekday_name(weekday))?;
            }
        }
        write!(f, "{:02}:{:02}", self.at.hour(), self.at.minute())
    }
}

impl FromStr for DeadlineRule {
    type Err = DeadlineRuleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let first_word = text
            .split_whitespace()
            .next()
            .ok_or(DeadlineRuleError::Empty)?;
        let starts_with_j = first_word.starts_with(['J', 'j']);
        if starts_with_j && parse_weekday(&fold(first_word)).is_none() {
            parse_days(text)
        } else {
            parse_weekly(text)
        }
    }
}

/// "J-2 ouvrés 12:00", "J - 2 12:00".
fn parse_days(text: &str) -> Result<DeadlineRule, DeadlineRuleError> {
    // The caller checked that the text starts with an ASCII "J".
    let rest = text.get(1..).unwrap_or_default().trim_start();
    let (after_sign, forward) = match rest.chars().next() {
        Some(sign @ ('-' | '−' | '–')) => (&rest[sign.len_utf8()..], false),
        Some('+') => (&rest[1..], true),
        Some(_) => {
            let word = text.split_whitespace().next().unwrap_or_default();
            return Err(DeadlineRuleError::UnknownWeekday(word.to_owned()));
        }
        None => return Err(DeadlineRuleError::MissingDays),
    };
    let after_sign = after_sign.trim_start();
    let mut words = after_sign.split_whitespace();
    let number = words.next().ok_or(DeadlineRuleError::MissingDays)?;
    if !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(DeadlineRuleError::BadDays(number.to_owned()));
    }
    if forward {
        return Err(DeadlineRuleError::AfterTheDay(number.to_owned()));
    }
    let days: u32 = number
        .parse()
        .map_err(|_| DeadlineRuleError::TooManyDays(number.to_owned()))?;
    let days = checked_days(days).map_err(|_| DeadlineRuleError::TooManyDays(number.to_owned()))?;

    let mut words = words.peekable();
    let working = match words.peek().map(|w| fold(w)) {
        Some(w) if matches!(w.as_str(), "ouvres" | "ouvre") => {
            words.next();
            true
        }
        Some(w) if w.starts_with("ouvrable") => return Err(DeadlineRuleError::Ouvrables),
        _ => false,
    };
    if working && days == 0 {
        return Err(DeadlineRuleError::ZeroWorkingDays);
    }
    let at = parse_tail_time(words)?;
    Ok(DeadlineRule {
        when: When::DaysBefore { days, working },
        at,
    })
}

/// "mercredi [de la] semaine précédente [à] 18:00".
fn parse_weekly(text: &str) -> Result<DeadlineRule, DeadlineRuleError> {
    let mut words = text.split_whitespace().peekable();
    let first = words.next().ok_or(DeadlineRuleError::Empty)?;
    let weekday = parse_weekday(&fold(first))
        .ok_or_else(|| DeadlineRuleError::UnknownWeekday(first.to_owned()))?;
    if words.peek().map(|w| fold(w)).as_deref() == Some("de") {
        words.next();
        if words.next().map(fold).as_deref() != Some("la") {
            return Err(DeadlineRuleError::MissingPreviousWeek);
        }
    }
    let semaine = words.next().map(fold);
    let precedente = words.next().map(fold);
    if semaine.as_deref() != Some("semaine") || precedente.as_deref() != Some("precedente") {
        return Err(DeadlineRuleError::MissingPreviousWeek);
    }
    let at = parse_tail_time(words)?;
    Ok(DeadlineRule {
        when: When::PreviousWeek(weekday),
        at,
    })
}

/// "[à] 12:00" and nothing after.
fn parse_tail_time<'a>(
    words: impl Iterator<Item = &'a str>,
) -> Result<NaiveTime, DeadlineRuleError> {
    let mut words = words.peekable();
    if matches!(words.peek().map(|w| fold(w)).as_deref(), Some("a")) {
        words.next();
    }
    let time = words.next().ok_or(DeadlineRuleError::MissingTime)?;
    let at = parse_time(time)?;
    if let Some(extra) = words.next() {
        return Err(DeadlineRuleError::Unexpected(extra.to_owned()));
    }
    Ok(at)
}

/// "12:00", "8:30", "12h", "12h30".
fn parse_time(word: &str) -> Result<NaiveTime, DeadlineRuleError> {
    let bad = || DeadlineRuleError::BadTime(word.to_owned());
    let (hour, minute) = word
        .split_once(':')
        .or_else(|| word.split_once(['h', 'H']))
        .ok_or_else(bad)?;
    let minute_optional = !word.contains(':');
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(hour) || hour.len() > 2 {
        return Err(bad());
    }
    let minute = if minute.is_empty() && minute_optional {
        "00"
    } else {
        minute
    };
    if !digits(minute) || minute.len() != 2 {
        return Err(bad());
    }
    let (h, m) = (
        hour.parse::<u32>().map_err(|_| bad())?,
        minute.parse::<u32>().map_err(|_| bad())?,
    );
    NaiveTime::from_hms_opt(h, m, 0)
        .ok_or_else(|| DeadlineRuleError::TimeOutOfRange(word.to_owned()))
}

fn parse_weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "lundi" | "lun" | "monday" | "mon" => Weekday::Mon,
        "mardi" | "mar" | "tuesday" | "tue" => Weekday::Tue,
        "mercredi" | "mer" | "wednesday" | "wed" => Weekday::Wed,
        "jeudi" | "jeu" | "thursday" | "thu" => Weekday::Thu,
        "vendredi" | "ven" | "friday" | "fri" => Weekday::Fri,
        "samedi" | "sam" | "saturday" | "sat" => Weekday::Sat,
        "dimanche" | "dim" | "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// Lower case without French accents: "Précédente" -> "precedente".
fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

impl TryFrom<String> for DeadlineRule {
    type Error = DeadlineRuleError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<DeadlineRule> for String {
    fn from(rule: DeadlineRule) -> Self {
        rule.to_string()
    }
}

impl utoipa::PartialSchema for DeadlineRule {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "Date limite : « J-n HH:MM » (jours calendaires), « J-n ouvrés HH:MM » \
                 (jours ouvrés) ou « <jour> semaine précédente HH:MM », heure de Paris.",
            ))
            .examples([
                "J-2 12:00",
                "J-1 ouvrés 18:00",
                "mercredi semaine précédente 18:00",
            ])
            .into()
    }
}

impl utoipa::ToSchema for DeadlineRule {}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    const METRO: HolidayRules = HolidayRules::METROPOLITAN;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .unwrap_or_default()
    }

    fn rule(text: &str) -> DeadlineRule {
        match text.parse() {
            Ok(rule) => rule,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn error(text: &str) -> DeadlineRuleError {
        match text.parse::<DeadlineRule>() {
            Ok(rule) => panic!("{text} parsed as {rule}"),
            Err(e) => e,
        }
    }

    fn deadline_date(text: &str, day: NaiveDate) -> NaiveDate {
        rule(text).deadline_date(day, &METRO)
    }

    // --- Parsing and printing ---

    #[test]
    fn canonical_rules_print_back_as_typed() {
        for text in [
            "J-2 12:00",
            "J-0 08:00",
            "J-60 23:59",
            "J-2 ouvrés 12:00",
            "mercredi semaine précédente 18:00",
            "dimanche semaine précédente 00:00",
        ] {
            assert_eq!(rule(text).to_string(), text);
        }
    }

    #[test]
    fn variant_spellings_print_in_the_canonical_form() {
        let cases = [
            ("j-2 12h", "J-2 12:00"),
            ("  J - 2   à 12h30 ", "J-2 12:30"),
            ("J-2 8:05", "J-2 08:05"),
            ("J-2 OUVRÉS 12:00", "J-2 ouvrés 12:00"),
            ("J-2 ouvres 12:00", "J-2 ouvrés 12:00"),
            ("J-2 ouvré 12:00", "J-2 ouvrés 12:00"),
            ("J-02 12:00", "J-2 12:00"),
            ("J−2 12:00", "J-2 12:00"),
            (
                "mercredi semaine precedente 18:00",
                "mercredi semaine précédente 18:00",
            ),
            (
                "Mercredi de la semaine précédente à 18h",
                "mercredi semaine précédente 18:00",
            ),
            (
                "mer semaine précédente 18:00",
                "mercredi semaine précédente 18:00",
            ),
            (
                "wed semaine précédente 18:00",
                "mercredi semaine précédente 18:00",
            ),
            (
                "Friday semaine précédente 9h15",
                "vendredi semaine précédente 09:15",
            ),
        ];
        for (typed, canonical) in cases {
            assert_eq!(rule(typed).to_string(), canonical, "{typed}");
        }
    }

    #[test]
    fn thursday_rules_starting_with_j_are_weekly_not_j_minus() {
        assert_eq!(
            rule("jeudi semaine précédente 18:00").to_string(),
            "jeudi semaine précédente 18:00"
        );
        assert_eq!(
            rule("Jeu semaine précédente 18:00").to_string(),
            "jeudi semaine précédente 18:00"
        );
    }

    #[test]
    fn constructors_build_the_same_rules_as_the_text() {
        assert_eq!(DeadlineRule::days_before(2, 12, 0), Ok(rule("J-2 12:00")));
        assert_eq!(
            DeadlineRule::working_days_before(1, 18, 0),
            Ok(rule("J-1 ouvrés 18:00"))
        );
        assert_eq!(
            DeadlineRule::previous_week(Weekday::Wed, 18, 0),
            Ok(rule("mercredi semaine précédente 18:00"))
        );
        assert_eq!(
            DeadlineRule::working_days_before(0, 8, 0),
            Err(DeadlineRuleError::ZeroWorkingDays)
        );
        assert_eq!(
            DeadlineRule::days_before(61, 8, 0),
            Err(DeadlineRuleError::TooManyDays("61".into()))
        );
        assert_eq!(
            DeadlineRule::previous_week(Weekday::Wed, 24, 0),
            Err(DeadlineRuleError::TimeOutOfRange("24:00".into()))
        );
    }

    #[test]
    fn a_rule_travels_in_json_as_its_canonical_string() {
        let json = serde_json::to_string(&rule("j-2 ouvres 12h")).unwrap_or_default();
        assert_eq!(json, r#""J-2 ouvrés 12:00""#);
        let back: Result<DeadlineRule, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(rule("J-2 ouvrés 12:00")));
    }

    #[test]
    fn an_invalid_rule_in_json_is_refused_with_the_french_reason() {
        let back: Result<DeadlineRule, _> = serde_json::from_str(r#""J-400 12:00""#);
        let message = back.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("Le délai ne peut pas dépasser J-60"),
            "{message}"
        );
    }

    #[test]
    fn an_empty_rule_is_refused_with_examples() {
        assert_eq!(error(""), DeadlineRuleError::Empty);
        assert_eq!(error("   "), DeadlineRuleError::Empty);
        assert!(error("").to_string().contains("« J-2 12:00 »"));
    }

    #[test]
    fn j_minus_without_a_number_is_refused() {
        assert_eq!(error("J-"), DeadlineRuleError::MissingDays);
        assert_eq!(error("J"), DeadlineRuleError::MissingDays);
        assert_eq!(
            error("J-").to_string(),
            "Nombre de jours manquant après « J- » : écrivez par exemple « J-2 12:00 »."
        );
    }

    #[test]
    fn more_than_sixty_days_is_refused() {
        assert_eq!(
            error("J-400 12:00"),
            DeadlineRuleError::TooManyDays("400".into())
        );
        assert_eq!(
            error("J-400 12:00").to_string(),
            "Le délai ne peut pas dépasser J-60 (reçu : J-400)."
        );
        assert_eq!(
            error("J-61 12:00"),
            DeadlineRuleError::TooManyDays("61".into())
        );
        assert_eq!(
            error("J-99999999999999999999 12:00"),
            DeadlineRuleError::TooManyDays("99999999999999999999".into())
        );
        assert!("J-60 12:00".parse::<DeadlineRule>().is_ok());
    }

    #[test]
    fn a_count_that_is_not_a_whole_number_is_refused() {
        assert_eq!(error("J-2x 12:00"), DeadlineRuleError::BadDays("2x".into()));
        assert_eq!(
            error("J-1.5 12:00"),
            DeadlineRuleError::BadDays("1.5".into())
        );
        assert_eq!(error("J--2 12:00"), DeadlineRuleError::BadDays("-2".into()));
    }

    #[test]
    fn a_deadline_after_the_day_is_refused() {
        assert_eq!(
            error("J+2 12:00"),
            DeadlineRuleError::AfterTheDay("2".into())
        );
        assert_eq!(
            error("J+2 12:00").to_string(),
            "La date limite se compte avant le jour : écrivez « J-2 », pas « J+2 »."
        );
    }

    #[test]
    fn zero_working_days_is_refused_for_j_minus_zero() {
        assert_eq!(
            error("J-0 ouvrés 08:00"),
            DeadlineRuleError::ZeroWorkingDays
        );
    }

    #[test]
    fn ouvrables_is_refused_with_an_explanation() {
        assert_eq!(error("J-2 ouvrables 12:00"), DeadlineRuleError::Ouvrables);
        assert!(error("J-2 ouvrables 12:00").to_string().contains("samedi"));
    }

    #[test]
    fn a_rule_without_a_time_is_refused() {
        assert_eq!(error("J-2"), DeadlineRuleError::MissingTime);
        assert_eq!(error("J-2 ouvrés"), DeadlineRuleError::MissingTime);
        assert_eq!(
            error("mercredi semaine précédente"),
            DeadlineRuleError::MissingTime
        );
    }

    #[test]
    fn an_hour_beyond_23_or_a_minute_beyond_59_is_refused() {
        assert_eq!(
            error("J-2 25:00"),
            DeadlineRuleError::TimeOutOfRange("25:00".into())
        );
        assert_eq!(
            error("J-2 25:00").to_string(),
            "L'heure « 25:00 » n'existe pas : les heures vont de 00:00 à 23:59."
        );
        assert_eq!(
            error("J-2 24:00"),
            DeadlineRuleError::TimeOutOfRange("24:00".into())
        );
        assert_eq!(
            error("J-2 12:60"),
            DeadlineRuleError::TimeOutOfRange("12:60".into())
        );
    }

    #[test]
    fn a_time_that_is_not_hh_mm_is_refused() {
        for bad in [
            "midi", "12", "12:0", "12:000", "123:00", ":30", "12:3a", "h30", "12h5",
        ] {
            assert_eq!(
                error(&format!("J-2 {bad}")),
                DeadlineRuleError::BadTime(bad.into()),
                "{bad}"
            );
        }
        assert_eq!(
            error("J-2 midi").to_string(),
            "« midi » n'est pas une heure : écrivez-la HH:MM, par exemple « 08:30 »."
        );
    }

    #[test]
    fn words_after_the_time_are_refused() {
        assert_eq!(
            error("J-2 12:00 précises"),
            DeadlineRuleError::Unexpected("précises".into())
        );
    }

    #[test]
    fn an_unknown_weekday_is_refused() {
        assert_eq!(
            error("jeudredi semaine précédente 18:00"),
            DeadlineRuleError::UnknownWeekday("jeudredi".into())
        );
        assert_eq!(
            error("jeudredi semaine précédente 18:00").to_string(),
            "« jeudredi » n'est ni « J-x » ni un jour de la semaine (lundi, mardi, mercredi, jeudi, vendredi, samedi ou dimanche)."
        );
        assert_eq!(
            error("Jour-2 12:00"),
            DeadlineRuleError::UnknownWeekday("Jour-2".into())
        );
    }

    #[test]
    fn a_weekday_without_semaine_precedente_is_refused() {
        assert_eq!(
            error("mercredi 18:00"),
            DeadlineRuleError::MissingPreviousWeek
        );
        assert_eq!(
            error("mercredi semaine suivante 18:00"),
            DeadlineRuleError::MissingPreviousWeek
        );
        assert_eq!(
            error("mercredi de semaine précédente 18:00"),
            DeadlineRuleError::MissingPreviousWeek
        );
    }

    // --- Dates ---

    #[test]
    fn j_minus_two_is_two_calendar_days_before() {
        // Given a Wednesday, then the Monday; given a Monday, the Saturday.
        assert_eq!(
            deadline_date("J-2 12:00", date(2025, 2, 5)),
            date(2025, 2, 3)
        );
        assert_eq!(
            deadline_date("J-2 12:00", date(2025, 2, 10)),
            date(2025, 2, 8)
        );
    }

    #[test]
    fn calendar_days_cross_the_year_end() {
        assert_eq!(
            deadline_date("J-2 12:00", date(2026, 1, 1)),
            date(2025, 12, 30)
        );
    }

    #[test]
    fn j_minus_zero_is_the_day_itself_at_that_time() {
        assert_eq!(
            rule("J-0 08:00").deadline_for(date(2025, 2, 3), &METRO),
            utc(2025, 2, 3, 7, 0, 0)
        );
    }

    #[test]
    fn one_working_day_before_a_monday_is_the_friday() {
        assert_eq!(
            deadline_date("J-1 ouvrés 12:00", date(2025, 2, 10)),
            date(2025, 2, 7)
        );
    }

    #[test]
    fn one_working_day_before_a_saturday_or_sunday_activity_is_the_friday() {
        assert_eq!(
            deadline_date("J-1 ouvrés 12:00", date(2025, 2, 8)),
            date(2025, 2, 7)
        );
        assert_eq!(
            deadline_date("J-1 ouvrés 12:00", date(2025, 2, 9)),
            date(2025, 2, 7)
        );
    }

    #[test]
    fn working_days_skip_easter_monday() {
        // Given Tuesday 22 April 2025, the day after Lundi de Pâques.
        assert_eq!(
            deadline_date("J-1 ouvrés 12:00", date(2025, 4, 22)),
            date(2025, 4, 18)
        );
    }

    #[test]
    fn working_days_skip_good_friday_in_alsace_moselle() {
        let deadline = rule("J-1 ouvrés 12:00")
            .deadline_date(date(2025, 4, 22), &HolidayRules::ALSACE_MOSELLE);
        assert_eq!(deadline, date(2025, 4, 17));
    }

    #[test]
    fn working_days_skip_ascension_but_not_the_pont_friday() {
        // Given Ascension on Thursday 29 May 2025.
        assert_eq!(
            deadline_date("J-1 ouvrés 12:00", date(2025, 5, 30)),
            date(2025, 5, 28)
        );
        assert_eq!(
            deadline_date("J-1 ouvrés 12:00", date(2025, 6, 2)),
            date(2025, 5, 30)
        );
    }

    #[test]
    fn whit_monday_counts_as_a_working_day_where_the_commune_works() {
        let day = date(2025, 6, 10);
        assert_eq!(deadline_date("J-1 ouvrés 12:00", day), date(2025, 6, 6));
        let working = HolidayRules {
            whit_monday: false,
            ..METRO
        };
        assert_eq!(
            rule("J-1 ouvrés 12:00").deadline_date(day, &working),
            date(2025, 6, 9)
        );
    }

    #[test]
    fn working_days_skip_new_years_day_and_the_weekend() {
        // Given Friday 2 January 2026: 1 January is a holiday, 31 December
        // a working day, 30 December the second.
        assert_eq!(
            deadline_date("J-2 ouvrés 12:00", date(2026, 1, 2)),
            date(2025, 12, 30)
        );
        // Given Monday 5 January 2026: Friday 2, then Wednesday 31.
        assert_eq!(
            deadline_date("J-2 ouvrés 12:00", date(2026, 1, 5)),
            date(2025, 12, 31)
        );
    }

    #[test]
    fn calendar_days_do_not_skip_holidays() {
        assert_eq!(
            deadline_date("J-1 12:00", date(2025, 4, 22)),
            date(2025, 4, 21)
        );
    }

    #[test]
    fn previous_week_for_a_monday_is_in_the_week_before() {
        // Given Monday 10 February 2025, then Wednesday 5 February.
        assert_eq!(
            deadline_date("mercredi semaine précédente 18:00", date(2025, 2, 10)),
            date(2025, 2, 5)
        );
    }

    #[test]
    fn previous_week_for_a_sunday_is_still_the_week_before_its_monday() {
        // Given Sunday 16 February 2025 (week of Monday 10), then 5 February.
        assert_eq!(
            deadline_date("mercredi semaine précédente 18:00", date(2025, 2, 16)),
            date(2025, 2, 5)
        );
    }

    #[test]
    fn previous_week_reaches_from_monday_to_sunday_of_that_week() {
        assert_eq!(
            deadline_date("dimanche semaine précédente 18:00", date(2025, 2, 10)),
            date(2025, 2, 9)
        );
        assert_eq!(
            deadline_date("lundi semaine précédente 18:00", date(2025, 2, 16)),
            date(2025, 2, 3)
        );
    }

    #[test]
    fn previous_week_crosses_the_year_end() {
        // Given Friday 2 January 2026, whose week starts Monday 29 December.
        assert_eq!(
            deadline_date("mercredi semaine précédente 18:00", date(2026, 1, 2)),
            date(2025, 12, 24)
        );
    }

    #[test]
    fn previous_week_stays_on_a_holiday() {
        // Given the week of Monday 21 July 2025, the Monday before is 14 July.
        assert_eq!(
            deadline_date("lundi semaine précédente 12:00", date(2025, 7, 23)),
            date(2025, 7, 14)
        );
    }

    #[test]
    fn deadlines_saturate_at_the_first_date() {
        assert_eq!(deadline_date("J-2 12:00", NaiveDate::MIN), NaiveDate::MIN);
        assert_eq!(
            deadline_date("mercredi semaine précédente 12:00", NaiveDate::MIN),
            NaiveDate::MIN
        );
    }

    // --- Instants ---

    #[test]
    fn noon_paris_is_eleven_utc_in_winter() {
        assert_eq!(
            rule("J-2 12:00").deadline_for(date(2025, 2, 5), &METRO),
            utc(2025, 2, 3, 11, 0, 0)
        );
    }

    #[test]
    fn noon_paris_is_ten_utc_in_summer() {
        assert_eq!(
            rule("J-2 12:00").deadline_for(date(2025, 7, 5), &METRO),
            utc(2025, 7, 3, 10, 0, 0)
        );
    }

    #[test]
    fn deadlines_on_and_around_the_spring_forward_day_use_each_days_offset() {
        // Given 30 March 2025, when clocks go from 02:00 to 03:00.
        let noon = rule("J-1 12:00");
        assert_eq!(
            noon.deadline_for(date(2025, 3, 30), &METRO),
            utc(2025, 3, 29, 11, 0, 0)
        );
        assert_eq!(
            noon.deadline_for(date(2025, 3, 31), &METRO),
            utc(2025, 3, 30, 10, 0, 0)
        );
        assert_eq!(
            rule("J-0 12:00").deadline_for(date(2025, 3, 30), &METRO),
            utc(2025, 3, 30, 10, 0, 0)
        );
    }

    #[test]
    fn a_deadline_in_the_spring_forward_gap_is_the_instant_after_the_gap() {
        // Given 02:30, which does not exist on 30 March 2025: then 03:00 CEST.
        assert_eq!(
            rule("J-0 02:30").deadline_for(date(2025, 3, 30), &METRO),
            utc(2025, 3, 30, 1, 0, 0)
        );
    }

    #[test]
    fn deadlines_on_and_around_the_fall_back_day_use_each_days_offset() {
        // Given 26 October 2025, when clocks go from 03:00 back to 02:00.
        let noon = rule("J-1 12:00");
        assert_eq!(
            noon.deadline_for(date(2025, 10, 26), &METRO),
            utc(2025, 10, 25, 10, 0, 0)
        );
        assert_eq!(
            noon.deadline_for(date(2025, 10, 27), &METRO),
            utc(2025, 10, 26, 11, 0, 0)
        );
    }

    #[test]
    fn a_deadline_in_the_repeated_hour_is_its_first_occurrence() {
        assert_eq!(
            rule("J-0 02:30").deadline_for(date(2025, 10, 26), &METRO),
            utc(2025, 10, 26, 0, 30, 0)
        );
    }

    // --- Allowing ---

    #[test]
    fn a_request_the_minute_before_the_deadline_is_accepted() {
        let deadline = utc(2025, 2, 3, 11, 0, 0);
        let now = deadline - TimeDelta::minutes(1);
        assert_eq!(
            rule("J-2 12:00").allows(date(2025, 2, 5), now, &METRO),
            Ok(())
        );
    }

    #[test]
    fn a_request_at_exactly_the_deadline_is_accepted() {
        let now = utc(2025, 2, 3, 11, 0, 0);
        assert_eq!(
            rule("J-2 12:00").allows(date(2025, 2, 5), now, &METRO),
            Ok(())
        );
    }

    #[test]
    fn a_request_one_second_after_the_deadline_is_refused() {
        let deadline = utc(2025, 2, 3, 11, 0, 0);
        let now = deadline + TimeDelta::seconds(1);
        assert_eq!(
            rule("J-2 12:00").allows(date(2025, 2, 5), now, &METRO),
            Err(DeadlinePassed { deadline })
        );
    }

    #[test]
    fn a_request_a_millisecond_after_the_deadline_is_refused() {
        let deadline = utc(2025, 2, 3, 11, 0, 0);
        let now = deadline + TimeDelta::milliseconds(1);
        assert!(
            rule("J-2 12:00")
                .allows(date(2025, 2, 5), now, &METRO)
                .is_err()
        );
    }

    #[test]
    fn a_request_the_minute_after_the_deadline_is_refused() {
        let now = utc(2025, 2, 3, 11, 1, 0);
        assert!(
            rule("J-2 12:00")
                .allows(date(2025, 2, 5), now, &METRO)
                .is_err()
        );
    }

    #[test]
    fn a_late_request_is_told_the_deadline_in_french() {
        // Given a J-2 12:00 rule for Wednesday 5 February 2025.
        let now = utc(2025, 2, 4, 8, 0, 0);
        // When a parent asks on the Tuesday.
        let refused = rule("J-2 12:00").allows(date(2025, 2, 5), now, &METRO);
        // Then the reason names Monday noon, Paris time.
        assert_eq!(
            refused.err().map(|e| e.to_string()).unwrap_or_default(),
            "La date limite pour cette demande était le lundi 3 février 2025 à 12:00."
        );
    }

    #[test]
    fn the_refusal_prints_the_deadline_in_summer_time() {
        let passed = DeadlinePassed {
            deadline: utc(2025, 7, 1, 16, 0, 0),
        };
        assert_eq!(
            passed.to_string(),
            "La date limite pour cette demande était le mardi 1er juillet 2025 à 18:00."
        );
    }

    // --- Wording ---

    #[test]
    fn a_deadline_in_the_days_month_names_weekday_day_and_time() {
        // J-2 12:00 for Friday 8 January 2027: Wednesday 6 at noon (11:00Z in winter).
        let day = date(2027, 1, 8);
        let deadline = rule("J-2 12:00").deadline_for(day, &METRO);
        assert_eq!(deadline_words(deadline, day), "mercredi 6 à 12:00");
        assert_eq!(
            open_until(DeadlineKind::Booking, deadline, day),
            "Réservable jusqu'au mercredi 6 à 12:00"
        );
        assert_eq!(
            open_until(DeadlineKind::Cancelling, deadline, day),
            "Annulable jusqu'au mercredi 6 à 12:00"
        );
        assert_eq!(
            passed_since(DeadlineKind::Booking, deadline, day),
            "Délai de réservation dépassé depuis le mercredi 6 à 12:00"
        );
        assert_eq!(
            passed_since(DeadlineKind::Cancelling, deadline, day),
            "Délai d'annulation dépassé depuis le mercredi 6 à 12:00"
        );
    }

    #[test]
    fn a_deadline_in_another_month_names_the_month_and_the_first_is_1er() {
        // J-2 18:00 for Tuesday 3 March 2026: Sunday 1 March; J-3 for
        // Monday 2 March: Friday 27 February.
        assert_eq!(
            deadline_words(utc(2026, 3, 1, 17, 0, 0), date(2026, 3, 3)),
            "dimanche 1er à 18:00"
        );
        assert_eq!(
            deadline_words(
                rule("J-3 08:30").deadline_for(date(2026, 3, 2), &METRO),
                date(2026, 3, 2)
            ),
            "vendredi 27 février à 08:30"
        );
    }

    #[test]
    fn a_deadline_in_another_year_names_month_and_year() {
        // J-1 ouvrés 12:00 for Monday 4 January 2027: Thursday 31 December
        // 2026 (Friday 1 January is a holiday).
        let day = date(2027, 1, 4);
        let deadline = rule("J-1 ouvrés 12:00").deadline_for(day, &METRO);
        assert_eq!(
            deadline_words(deadline, day),
            "jeudi 31 décembre 2026 à 12:00"
        );
    }

    #[test]
    fn the_words_are_in_paris_time_in_summer() {
        // 16:00Z on 1 July 2025 is 18:00 in Paris.
        assert_eq!(
            deadline_words(utc(2025, 7, 1, 16, 0, 0), date(2025, 7, 3)),
            "mardi 1er à 18:00"
        );
        // 22:30Z on 30 June is already 1 July in Paris.
        assert_eq!(
            deadline_words(utc(2025, 6, 30, 22, 30, 0), date(2025, 7, 3)),
            "mardi 1er à 00:30"
        );
    }
}
