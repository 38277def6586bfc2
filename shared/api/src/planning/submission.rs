//! What a family submits to the planning (`POST /api/requests`): its shape,
//! the days it asks for (given dates, or a period and weekdays), and what a
//! planning request keeps about its activity.

use chrono::NaiveDate;
use marelle_domain::planning::rules::{self, MAX_DAYS};
use marelle_domain::planning::{Activity, Enrolment, Period, Refusal, Weekday};
use marelle_domain::requests::RequestKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::{ApiError, ApiResult};
use crate::requests::view::RequestSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every day is recorded, or none (the answer lists each refused day).
    #[default]
    AllOrNothing,
    /// The valid days are recorded; the answer lists the refused ones.
    ValidDays,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// `reservation` or `absence`.
    pub kind: RequestKind,
    pub child_id: String,
    pub activity_id: String,
    /// Given days (a click on the planning)…
    #[serde(default)]
    pub dates: Option<Vec<NaiveDate>>,
    /// …or a period and weekdays (the form).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    #[serde(default)]
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub weekdays: Option<Vec<Weekday>>,
    /// "Raison" (absences).
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub mode: Mode,
    /// Put full days on the waiting list instead of refusing them.
    #[serde(default)]
    pub waiting_list: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Submitted {
    /// One request per day recorded.
    pub requests: Vec<RequestSummary>,
    /// The days not recorded, with why.
    pub refused: Vec<Refusal>,
    /// Recorded despite a missing or expired mandatory document (an
    /// activity set to `warn`): one per document.
    #[serde(default)]
    pub warnings: Vec<super::documents::Warning>,
}

/// What a planning request keeps about its activity, for lists and
/// e-mails.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanningDetails {
    pub activity: String,
    pub establishment: String,
    pub start: String,
    pub end: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub waiting_list: bool,
}

/// 422 `not_enrolled`: the child is not enrolled in the activity at all.
pub(super) fn not_enrolled(activity: &Activity) -> ApiError {
    ApiError::rule(
        "not_enrolled",
        format!(
            "Votre enfant n'est pas inscrit à l'activité {}.",
            activity.name
        ),
    )
}

/// The days asked, checked for shape (not yet for the rules).
pub(super) fn days_asked(
    s: &Submission,
    activity: &Activity,
    enrolments: &[Enrolment],
    calendar: &marelle_domain::school_calendar::CommuneCalendar,
) -> ApiResult<Vec<NaiveDate>> {
    let field = |f: &str, code: &str, m: &str| {
        ApiError::invalid_fields(vec![marelle_domain::accounts::FieldError::new(f, code, m)])
    };
    let mut days = match (&s.dates, s.from, s.to) {
        (Some(dates), None, None) => {
            if s.weekdays.is_some() {
                return Err(field(
                    "weekdays",
                    "unexpected",
                    "Les jours de la semaine vont avec une période (from, to).",
                ));
            }
            dates.clone()
        }
        (None, Some(from), Some(to)) => {
            if to < from {
                return Err(field(
                    "to",
                    "invalid_period",
                    "La date de fin précède la date de début.",
                ));
            }
            let weekdays = s.weekdays.clone().unwrap_or_default();
            if weekdays.is_empty() {
                return Err(field(
                    "weekdays",
                    "required",
                    "Cochez au moins un jour de la semaine.",
                ));
            }
            let within = enrolments.iter().any(|e| {
                e.child_id == s.child_id
                    && e.activity_id == activity.id
                    && e.period.contains(from)
                    && e.period.contains(to)
            });
            if !within {
                let periods: Vec<String> = enrolments
                    .iter()
                    .filter(|e| e.child_id == s.child_id && e.activity_id == activity.id)
                    .map(|e| {
                        format!(
                            "du {} au {}",
                            marelle_domain::time::french_date(e.period.from),
                            marelle_domain::time::french_date(e.period.to)
                        )
                    })
                    .collect();
                return Err(if periods.is_empty() {
                    not_enrolled(activity)
                } else {
                    field(
                        "from",
                        "outside_enrolment",
                        &format!(
                            "Les dates de réservation doivent être comprises dans la période de l'inscription ({}).",
                            periods.join(", ")
                        ),
                    )
                });
            }
            rules::period_days(
                activity,
                enrolments,
                &s.child_id,
                Period { from, to },
                &weekdays,
                calendar,
            )
        }
        _ => {
            return Err(field(
                "dates",
                "required",
                "Donnez soit des dates (dates), soit une période (from, to et weekdays).",
            ));
        }
    };
    days.sort();
    days.dedup();
    if days.is_empty() {
        return Err(ApiError::rule(
            "no_days",
            "Aucun jour de cette période ne correspond : l'activité n'a pas lieu ces jours-là.",
        ));
    }
    if days.len() > MAX_DAYS {
        return Err(ApiError::rule(
            "too_many_days",
            format!(
                "Une demande porte sur {MAX_DAYS} jours au plus ({} demandés) : faites-en plusieurs, période par période.",
                days.len()
            ),
        ));
    }
    Ok(days)
}
