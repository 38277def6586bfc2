//! Activities ("4/Péri SOIR"), their calendar, and enrolments.

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;
use crate::deadlines::DeadlineRule;
use crate::school_calendar::{CommuneCalendar, SchoolHolidays};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub fn of(date: NaiveDate) -> Self {
        match date.weekday() {
            chrono::Weekday::Mon => Weekday::Mon,
            chrono::Weekday::Tue => Weekday::Tue,
            chrono::Weekday::Wed => Weekday::Wed,
            chrono::Weekday::Thu => Weekday::Thu,
            chrono::Weekday::Fri => Weekday::Fri,
            chrono::Weekday::Sat => Weekday::Sat,
            chrono::Weekday::Sun => Weekday::Sun,
        }
    }

    /// "lundi", as the period form lists days.
    pub fn french(self) -> &'static str {
        match self {
            Weekday::Mon => "lundi",
            Weekday::Tue => "mardi",
            Weekday::Wed => "mercredi",
            Weekday::Thu => "jeudi",
            Weekday::Fri => "vendredi",
            Weekday::Sat => "samedi",
            Weekday::Sun => "dimanche",
        }
    }
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    pub fn overlaps(&self, other: &Period) -> bool {
        self.from <= other.to && other.from <= self.to
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(move |d| *d <= self.to)
    }
}

/// A day or span when the activity does not take place (school holidays,
/// strike, outing), with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Validation {
    /// Each request waits for an agent.
    Manual,
    /// Requests are decided at once by the rules.
    Automatic,
}

/// What a mandatory supporting document that is missing (or no longer
/// valid on the day asked) does to a new reservation for the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingDocument {
    /// The day is refused (`missing_document`); what activities stored
    /// before this setting do.
    #[default]
    Block,
    /// The request goes through; the answer carries a warning.
    Warn,
}

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    pub id: String,
    /// "4/Péri SOIR".
    pub name: String,
    /// "Ecole Lux".
    pub establishment: String,
    #[schema(value_type = String, example = "16:30")]
    #[serde(with = "crate::time::hhmm")]
    pub start: NaiveTime,
    #[schema(value_type = String, example = "18:30")]
    #[serde(with = "crate::time::hhmm")]
    pub end: NaiveTime,
    pub weekdays: Vec<Weekday>,
    pub period: Period,
    pub closures: Vec<Closure>,
    /// Places per day; none: no limit.
    pub capacity: Option<u32>,
    pub validation: Validation,
    #[schema(value_type = Option<String>, example = "J-2 ouvrés 12:00")]
    pub booking_deadline: Option<DeadlineRule>,
    #[schema(value_type = Option<String>, example = "J-1 18:00")]
    pub cancel_deadline: Option<DeadlineRule>,
    /// Runs on public holidays; closed on them otherwise (activities stored
    /// before this setting are closed on them too).
    #[serde(default)]
    pub open_on_public_holidays: bool,
    /// How it follows the school holidays of the commune's zone (activities
    /// stored before this setting: `ignored`, as they ran).
    #[serde(default)]
    pub school_holidays: SchoolHolidays,
    /// A missing or expired mandatory document blocks new reservations
    /// (`block`, also for activities stored before this setting) or only
    /// warns (`warn`).
    #[serde(default)]
    pub missing_document: MissingDocument,
}

/// Why an activity does not take place on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRunning {
    OutsidePeriod,
    NotThatWeekday,
    /// A closure, a public holiday or school holidays, with its label.
    Closed(String),
    /// A holiday centre on a school day.
    SchoolTime,
}

impl Activity {
    /// Whether the activity takes place on `date` in a commune whose
    /// calendar is `calendar` (public holidays, school holidays).
    pub fn runs_on(&self, date: NaiveDate, calendar: &CommuneCalendar) -> Result<(), NotRunning> {
        if !self.period.contains(date) {
            return Err(NotRunning::OutsidePeriod);
        }
        if !self.weekdays.contains(&Weekday::of(date)) {
            return Err(NotRunning::NotThatWeekday);
        }
        if !self.open_on_public_holidays
            && let Some(name) = calendar.public_holiday(date)
        {
            return Err(NotRunning::Closed(name.into()));
        }
        if let Some(c) = self.closure_on(date) {
            return Err(NotRunning::Closed(c.label.clone()));
        }
        if calendar.school_zone.is_some() {
            let holiday = calendar.school_holiday(date);
            match (self.school_holidays, holiday) {
                (SchoolHolidays::Closed, Some(h)) => {
                    return Err(NotRunning::Closed(h.label.clone()));
                }
                (SchoolHolidays::Only, None) => return Err(NotRunning::SchoolTime),
                _ => {}
            }
        }
        Ok(())
    }

    /// The days off between `from` and `to` within the activity's period,
    /// labelled: public holidays (unless it opens on them), its own
    /// closures, the school holidays it closes for. In the order
    /// [`Activity::runs_on`] names them.
    pub fn closures_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        calendar: &CommuneCalendar,
    ) -> Vec<Closure> {
        let (from, to) = (from.max(self.period.from), to.min(self.period.to));
        let mut out = Vec::new();
        if to < from {
            return out;
        }
        if !self.open_on_public_holidays {
            for year in from.year()..=to.year() {
                for (date, name) in crate::calendar::holidays(year, &calendar.holidays) {
                    if from <= date && date <= to && !out.iter().any(|c: &Closure| c.from == date) {
                        out.push(Closure {
                            from: date,
                            to: date,
                            label: name.into(),
                        });
                    }
                }
            }
        }
        out.extend(
            self.closures
                .iter()
                .filter(|c| c.from <= to && from <= c.to)
                .cloned(),
        );
        if self.school_holidays == SchoolHolidays::Closed {
            out.extend(
                calendar
                    .school_holidays_between(from, to)
                    .into_iter()
                    .map(|h| Closure {
                        from: h.from.max(self.period.from),
                        to: h.to.min(self.period.to),
                        label: h.label.clone(),
                    }),
            );
        }
        out
    }

    pub fn closure_on(&self, date: NaiveDate) -> Option<&Closure> {
        self.closures
            .iter()
            .find(|c| c.from <= date && date <= c.to)
    }

    /// "16:30".
    pub fn start_text(&self) -> String {
        self.start.format("%H:%M").to_string()
    }

    pub fn end_text(&self) -> String {
        self.end.format("%H:%M").to_string()
    }
}

/// An activity as an agent describes it (`POST /api/agent/activities`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    pub name: String,
    pub establishment: String,
    /// "HH:MM".
    pub start: String,
    pub end: String,
    pub weekdays: Vec<Weekday>,
    pub period: Period,
    #[serde(default)]
    pub closures: Vec<Closure>,
    #[serde(default)]
    pub capacity: Option<u32>,
    pub validation: Validation,
    /// The deadline language of `deadlines` ("J-2 ouvrés 12:00").
    #[serde(default)]
    pub booking_deadline: Option<String>,
    #[serde(default)]
    pub cancel_deadline: Option<String>,
    /// Runs on public holidays (closed on them by default).
    #[serde(default)]
    pub open_on_public_holidays: bool,
    /// How it follows the school holidays (`closed` by default).
    #[serde(default = "SchoolHolidays::closed")]
    pub school_holidays: SchoolHolidays,
    /// A missing or expired mandatory document blocks new reservations
    /// (`block`, the default) or only warns (`warn`).
    #[serde(default)]
    pub missing_document: MissingDocument,
}

fn time(field: &str, s: &str) -> Result<NaiveTime, FieldError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| {
        FieldError::new(
            field,
            "invalid_time",
            "L'heure doit être au format HH:MM (exemple : 16:30).",
        )
    })
}

pub fn check_closure(
    field: &str,
    c: &Closure,
    period: &Period,
) -> Result<Closure, Vec<FieldError>> {
    let mut errors = Vec::new();
    if c.to < c.from {
        errors.push(FieldError::new(
            &format!("{field}.to"),
            "invalid_period",
            "La fin de la fermeture précède son début.",
        ));
    }
    if !period.overlaps(&Period {
        from: c.from,
        to: c.to,
    }) {
        errors.push(FieldError::new(
            &format!("{field}.from"),
            "outside_period",
            "La fermeture est en dehors de la période de l'activité.",
        ));
    }
    let label =
        crate::family::fields::text(&format!("{field}.label"), "Libellé", &c.label, 80, true);
    match label {
        Ok(label) if errors.is_empty() => Ok(Closure { label, ..c.clone() }),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.push(e);
            Err(errors)
        }
    }
}

impl NewActivity {
    pub fn validate(self, id: String) -> Result<Activity, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |field: &str, label: &str, v: &str, max: usize| {
            crate::family::fields::text(field, label, v, max, true)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let name = text("name", "Nom de l'activité", &self.name, 80);
        let establishment = text("establishment", "Établissement", &self.establishment, 120);
        let start = time("start", &self.start).map_err(|e| errors.push(e)).ok();
        let end = time("end", &self.end).map_err(|e| errors.push(e)).ok();
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            errors.push(FieldError::new(
                "end",
                "invalid_hours",
                "L'heure de fin doit suivre l'heure de début.",
            ));
        }
        let mut weekdays = self.weekdays.clone();
        weekdays.sort();
        weekdays.dedup();
        if weekdays.is_empty() {
            errors.push(FieldError::new(
                "weekdays",
                "required",
                "Choisissez au moins un jour de la semaine.",
            ));
        }
        if self.period.to < self.period.from {
            errors.push(FieldError::new(
                "period.to",
                "invalid_period",
                "La fin de la période précède son début.",
            ));
        } else if (self.period.to - self.period.from).num_days() > 400 {
            errors.push(FieldError::new(
                "period.to",
                "period_too_long",
                "Une période dure au plus 400 jours (une année scolaire).",
            ));
        }
        let mut closures = Vec::new();
        for (i, c) in self.closures.iter().enumerate() {
            match check_closure(&format!("closures[{i}]"), c, &self.period) {
                Ok(c) => closures.push(c),
                Err(e) => errors.extend(e),
            }
        }
        if self.capacity == Some(0) {
            errors.push(FieldError::new(
                "capacity",
                "invalid_capacity",
                "La capacité est d'au moins 1 place (ou aucune limite).",
            ));
        }
        let rule = |field: &str, v: &Option<String>, errors: &mut Vec<FieldError>| match v
            .as_deref()
            .map(str::trim)
        {
            None | Some("") => None,
            Some(s) => match s.parse::<DeadlineRule>() {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.push(FieldError::new(field, "invalid_deadline", e.to_string()));
                    None
                }
            },
        };
        let booking_deadline = rule("booking_deadline", &self.booking_deadline, &mut errors);
        let cancel_deadline = rule("cancel_deadline", &self.cancel_deadline, &mut errors);
        match (start, end) {
            (Some(start), Some(end)) if errors.is_empty() => Ok(Activity {
                id,
                name,
                establishment,
                start,
                end,
                weekdays,
                period: self.period,
                closures,
                capacity: self.capacity,
                validation: self.validation,
                booking_deadline,
                cancel_deadline,
                open_on_public_holidays: self.open_on_public_holidays,
                school_holidays: self.school_holidays,
                missing_document: self.missing_document,
            }),
            _ => Err(errors),
        }
    }
}

/// A child enrolled in an activity for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Enrolment {
    pub id: String,
    pub family_id: String,
    pub child_id: String,
    pub activity_id: String,
    pub period: Period,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_document_blocks_unless_the_activity_says_warn() {
        let stored = serde_json::json!({
            "id": "a1", "name": "Restauration", "establishment": "Ecole Lux",
            "start": "11:30", "end": "13:30", "weekdays": ["mon"],
            "period": {"from": "2026-09-01", "to": "2027-07-06"}, "closures": [],
            "capacity": null, "validation": "manual", "booking_deadline": null,
            "cancel_deadline": null
        });
        // Stored before the setting existed: blocks.
        let a: Activity = serde_json::from_value(stored.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.missing_document, MissingDocument::Block);
        let mut warn = stored;
        warn["missing_document"] = "warn".into();
        let a: Activity = serde_json::from_value(warn).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.missing_document, MissingDocument::Warn);
        assert_eq!(
            serde_json::to_value(MissingDocument::Block).ok(),
            Some(serde_json::json!("block"))
        );
        let new = |extra: serde_json::Value| {
            let mut b = serde_json::json!({
                "name": "Restauration", "establishment": "Ecole Lux", "start": "11:30",
                "end": "13:30", "weekdays": ["mon"],
                "period": {"from": "2026-09-01", "to": "2027-07-06"}, "validation": "manual"
            });
            for (k, v) in extra.as_object().into_iter().flatten() {
                b[k] = v.clone();
            }
            serde_json::from_value::<NewActivity>(b)
        };
        let a = new(serde_json::json!({}))
            .ok()
            .and_then(|n| n.validate("a".into()).ok());
        assert_eq!(a.map(|a| a.missing_document), Some(MissingDocument::Block));
        let a = new(serde_json::json!({"missing_document": "warn"}))
            .ok()
            .and_then(|n| n.validate("a".into()).ok());
        assert_eq!(a.map(|a| a.missing_document), Some(MissingDocument::Warn));
        assert!(new(serde_json::json!({"missing_document": "ignore"})).is_err());
    }
}
