//! Pièces justificatives: the documents a commune asks families for (per
//! child or per family), how long each one is valid from the day it is
//! sent, and the state of a row of the parents' table. Pure: no I/O.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::FieldError;

pub mod expiry;

/// Characters of a type's name, at most.
pub const MAX_NAME: usize = 100;
/// Characters of a type's help text, at most.
pub const MAX_HELP: usize = 500;
/// Activities that can make one type mandatory, at most.
pub const MAX_MANDATORY_FOR: usize = 50;
/// Months a `months:N` validity may last, at most.
pub const MAX_MONTHS: u32 = 60;
/// An accepted document "expires soon" when it ends within this many days.
pub const EXPIRES_SOON_DAYS: i64 = 30;

/// Where a stored document stands: `pending`, `accepted`, `refused`,
/// `cancelled` (withdrawn by a newer file before any decision, its file
/// deleted) or `replaced` (an accepted one a newer accepted one took the
/// place of).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoredState {
    Pending,
    Accepted,
    Refused,
    /// Its request was cancelled by a newer file (its file is deleted).
    Cancelled,
    /// An accepted document a newer accepted one took the place of.
    Replaced,
}

/// Whom a document is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One document per child ("Carnet de vaccination", "PAI").
    Child,
    /// One document for the whole family ("Justificatif de domicile").
    Family,
}

/// How long a document is valid, from the day it is sent. Written as the
/// contract's strings: `semester`, `year`, `school_year`, `months:N`
/// (1–60), `until:YYYY-MM-DD`, `permanent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validity {
    /// To the end of the half-year of the day sent (30/06 or 31/12).
    Semester,
    /// To 31/12 of the day sent.
    Year,
    /// To 31/08 ending the school year it is sent for: the coming one when
    /// sent from 1 July on.
    SchoolYear,
    /// N months after the day sent, clamped to the end of a shorter month.
    Months(u32),
    /// To a fixed date, whenever sent.
    Until(NaiveDate),
    /// Never expires.
    Permanent,
}

/// The French message of `invalid_validity`, listing the accepted forms.
pub const INVALID_VALIDITY: &str = "Validité non reconnue : indiquez « semester » (jusqu'au 30/06 ou au 31/12), « year » (jusqu'au 31/12), « school_year » (jusqu'au 31/08), « months:N » (N mois, de 1 à 60), « until:AAAA-MM-JJ » (date fixe) ou « permanent ».";

impl Validity {
    /// Parses the contract's form (surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("validity", "invalid_validity", INVALID_VALIDITY);
        let s = s.trim();
        match s {
            "semester" => return Ok(Self::Semester),
            "year" => return Ok(Self::Year),
            "school_year" => return Ok(Self::SchoolYear),
            "permanent" => return Ok(Self::Permanent),
            _ => {}
        }
        if let Some(n) = s.strip_prefix("months:") {
            if n.is_empty() || n.len() > 2 || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            return match n.parse::<u32>() {
                Ok(n) if (1..=MAX_MONTHS).contains(&n) => Ok(Self::Months(n)),
                _ => Err(bad()),
            };
        }
        if let Some(d) = s.strip_prefix("until:") {
            if d.len() != 10 {
                return Err(bad());
            }
            return NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map(Self::Until)
                .map_err(|_| bad());
        }
        Err(bad())
    }

    /// The last day a document sent on `sent_on` is valid (`None`: never
    /// expires).
    pub fn expires_on(&self, sent_on: NaiveDate) -> Option<NaiveDate> {
        let y = sent_on.year();
        match *self {
            Self::Semester => {
                if sent_on.month() <= 6 {
                    NaiveDate::from_ymd_opt(y, 6, 30)
                } else {
                    NaiveDate::from_ymd_opt(y, 12, 31)
                }
            }
            Self::Year => NaiveDate::from_ymd_opt(y, 12, 31),
            Self::SchoolYear => {
                // From July on, a document is sent for the school year to
                // come (communes ask for it before la rentrée): it runs to
                // the end of that one, not to the coming 31 August.
                if sent_on.month() <= 6 {
                    NaiveDate::from_ymd_opt(y, 8, 31)
                } else {
                    NaiveDate::from_ymd_opt(y + 1, 8, 31)
                }
            }
            Self::Months(n) => sent_on.checked_add_months(Months::new(n)),
            Self::Until(d) => Some(d),
            Self::Permanent => None,
        }
    }
}

impl std::fmt::Display for Validity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Semester => f.write_str("semester"),
            Self::Year => f.write_str("year"),
            Self::SchoolYear => f.write_str("school_year"),
            Self::Months(n) => write!(f, "months:{n}"),
            Self::Until(d) => write!(f, "until:{}", d.format("%Y-%m-%d")),
            Self::Permanent => f.write_str("permanent"),
        }
    }
}

impl Serialize for Validity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Validity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// A kind of document the commune asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentType {
    pub id: String,
    pub name: String,
    pub scope: Scope,
    pub validity: Validity,
    /// Activities whose enrolled children must provide it.
    pub mandatory_for: Vec<String>,
    pub help: String,
    /// Withdrawn types (false) are no longer asked for.
    pub active: bool,
    /// Asked with every open crèche application (« Exigé pour une
    /// préinscription en crèche »): a family-scope type of the family, a
    /// child-scope one of the application's child. Types stored before
    /// the flag read false.
    #[serde(default)]
    pub creche: bool,
}

impl DocumentType {
    /// Whether an open crèche application asks for it: active and flagged.
    pub fn for_creche(&self) -> bool {
        self.active && self.creche
    }
}

/// A name, trimmed and with single spaces.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 422 `unknown_activity`: `id` is no activity of the commune.
pub fn unknown_activity(id: &str) -> FieldError {
    FieldError::new(
        "mandatory_for",
        "unknown_activity",
        format!("L'activité « {id} » n'existe pas."),
    )
}

/// A type's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeFields {
    pub name: String,
    pub validity: Validity,
    pub mandatory_for: Vec<String>,
    pub help: String,
}

/// Checks a type's fields, each error on its field. `mandatory_for` is
/// deduplicated (order kept); whether its ids are activities is the
/// caller's to check.
pub fn validate(
    name: &str,
    validity: &str,
    mandatory_for: &[String],
    help: &str,
) -> Result<TypeFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = clean(name);
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "invalid_name",
            format!("Indiquez le nom du document ({MAX_NAME} caractères au plus)."),
        ));
    }
    let validity = Validity::parse(validity).map_err(|e| errors.push(e)).ok();
    let mut ids: Vec<String> = Vec::new();
    for id in mandatory_for {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    if ids.len() > MAX_MANDATORY_FOR {
        errors.push(FieldError::new(
            "mandatory_for",
            "too_many_activities",
            format!("Un document est obligatoire pour {MAX_MANDATORY_FOR} activités au plus."),
        ));
    } else if let Some(bad) = ids.iter().find(|i| i.is_empty() || i.len() > 40) {
        // Such an id names no activity: no need to look it up.
        errors.push(unknown_activity(bad));
    }
    let help = help.trim().to_string();
    if help.chars().count() > MAX_HELP
        || help
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.push(FieldError::new(
            "help",
            "invalid_help",
            format!("L'aide compte {MAX_HELP} caractères au plus."),
        ));
    }
    match validity {
        Some(validity) if errors.is_empty() => Ok(TypeFields {
            name,
            validity,
            mandatory_for: ids,
            help,
        }),
        _ => Err(errors),
    }
}

/// Where a row of the parents' table stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// Nothing sent ("à fournir").
    Missing,
    /// Sent, waiting for an agent ("en attente").
    Pending,
    /// Accepted and still valid ("acceptée").
    Accepted,
    /// Refused, with the agent's reason ("refusée").
    Refused,
    /// Accepted, but past its last valid day ("expirée").
    Expired,
}

/// What is known of the row's latest document, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Pending,
    Refused,
    Accepted { expires_on: Option<NaiveDate> },
}

/// The state of a row on `today`, and whether it expires soon: accepted
/// and its last valid day between `today` and `today + 30 days`, both
/// included (a document valid through today is still accepted).
pub fn row_state(sent: Option<Sent>, today: NaiveDate) -> (DocumentState, bool) {
    match sent {
        None => (DocumentState::Missing, false),
        Some(Sent::Pending) => (DocumentState::Pending, false),
        Some(Sent::Refused) => (DocumentState::Refused, false),
        Some(Sent::Accepted { expires_on: None }) => (DocumentState::Accepted, false),
        Some(Sent::Accepted {
            expires_on: Some(end),
        }) => {
            if end < today {
                (DocumentState::Expired, false)
            } else {
                let soon = (end - today).num_days() <= EXPIRES_SOON_DAYS;
                (DocumentState::Accepted, soon)
            }
        }
    }
}

/// Why a mandatory document does not count on a day asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lack {
    /// Nothing sent.
    Missing,
    /// Sent, not yet accepted.
    Pending,
    /// Refused, and nothing else counts.
    Refused,
    /// Accepted, but its last valid day is before the day asked.
    Expired,
}

/// Whether the documents sent for one type (and one child, or the
/// family) hold on `day`: one of them is accepted and valid through `day`
/// (no last day, or one on or after it). Otherwise why not, the most
/// telling reason first: a new one waits for review, an accepted one ended
/// before, one was refused, nothing was sent.
pub fn lack_on(sent: &[Sent], day: NaiveDate) -> Option<Lack> {
    let holds = sent.iter().any(|s| match s {
        Sent::Accepted { expires_on } => expires_on.is_none_or(|end| end >= day),
        _ => false,
    });
    if holds {
        None
    } else if sent.contains(&Sent::Pending) {
        Some(Lack::Pending)
    } else if sent.iter().any(|s| matches!(s, Sent::Accepted { .. })) {
        Some(Lack::Expired)
    } else if sent.contains(&Sent::Refused) {
        Some(Lack::Refused)
    } else {
        Some(Lack::Missing)
    }
}

/// A document of the family as the rule reads it: its type, its child
/// (none for a family's document) and where it stands. Cancelled and
/// replaced versions are left out by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldDocument<'a> {
    pub type_id: &'a str,
    pub child_id: Option<&'a str>,
    pub sent: Sent,
}

/// The types an activity makes mandatory: active, and listing it in
/// `mandatory_for`.
pub fn mandatory_types<'a>(types: &'a [DocumentType], activity_id: &str) -> Vec<&'a DocumentType> {
    types
        .iter()
        .filter(|t| t.active && t.mandatory_for.iter().any(|a| a == activity_id))
        .collect()
}

/// The mandatory documents `child_id` lacks on `day`, with why, in the
/// order of `types`: for a child-scope type, that child's documents count;
/// for a family-scope type, the family's.
pub fn lacking<'a>(
    types: &[&'a DocumentType],
    documents: &[HeldDocument<'_>],
    child_id: &str,
    day: NaiveDate,
) -> Vec<(&'a DocumentType, Lack)> {
    types
        .iter()
        .filter_map(|t| {
            let whose = match t.scope {
                Scope::Child => Some(child_id),
                Scope::Family => None,
            };
            let sent: Vec<Sent> = documents
                .iter()
                .filter(|d| d.type_id == t.id && d.child_id == whose)
                .map(|d| d.sent)
                .collect();
            lack_on(&sent, day).map(|lack| (*t, lack))
        })
        .collect()
}

/// The French message of `missing_document` for `child` (a first name) on
/// `day`, naming the document.
pub fn lack_message(t: &DocumentType, child: &str, lack: Lack, day: NaiveDate) -> String {
    let name = &t.name;
    let whose = match t.scope {
        Scope::Child => format!("de {child}"),
        Scope::Family => format!("de la famille, obligatoire pour {child},"),
    };
    match lack {
        Lack::Missing => {
            let whose = whose.trim_end_matches(',');
            format!(
                "Il manque la pièce justificative « {name} » {whose} (à envoyer depuis Pièces justificatives)."
            )
        }
        Lack::Pending => format!(
            "La pièce justificative « {name} » {whose} n'a pas encore été acceptée par la collectivité."
        ),
        Lack::Refused => format!(
            "La pièce justificative « {name} » {whose} a été refusée (à renvoyer depuis Pièces justificatives)."
        ),
        Lack::Expired => format!(
            "La pièce justificative « {name} » {whose} n'est plus valable le {}.",
            crate::time::french_date(day)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn ends(validity: &str, sent: &str) -> Option<NaiveDate> {
        Validity::parse(validity)
            .ok()
            .and_then(|v| v.expires_on(d(sent)))
    }

    #[test]
    fn each_validity_reads_and_writes_the_contract_form() {
        for s in [
            "semester",
            "year",
            "school_year",
            "months:1",
            "months:60",
            "until:2027-08-31",
            "permanent",
        ] {
            assert_eq!(
                Validity::parse(s).map(|v| v.to_string()).ok(),
                Some(s.to_string()),
                "{s}"
            );
        }
        assert_eq!(
            Validity::parse(" months:12 ").ok(),
            Some(Validity::Months(12))
        );
        let json = serde_json::to_string(&Validity::Months(3)).unwrap_or_default();
        assert_eq!(json, "\"months:3\"");
        assert_eq!(
            serde_json::from_str::<Validity>("\"until:2026-12-31\"").ok(),
            Some(Validity::Until(d("2026-12-31")))
        );
        assert!(serde_json::from_str::<Validity>("\"months:0\"").is_err());
    }

    #[test]
    fn bad_validities_are_refused_with_the_accepted_forms() {
        for s in [
            "months:0",
            "months:61",
            "months:",
            "months:-1",
            "months:+3",
            "months:007",
            "until:2026-02-30",
            "until:2026-2-3",
            "until:",
            "monthly",
            "Year",
            "",
        ] {
            let e = Validity::parse(s).err();
            assert_eq!(
                e.as_ref().map(|e| e.code.as_str()),
                Some("invalid_validity"),
                "{s}"
            );
            assert_eq!(e.as_ref().map(|e| e.field.as_str()), Some("validity"));
            let message = e.map(|e| e.message).unwrap_or_default();
            for form in [
                "semester",
                "year",
                "school_year",
                "months:N",
                "until:AAAA-MM-JJ",
                "permanent",
            ] {
                assert!(message.contains(form), "{message}");
            }
        }
    }

    #[test]
    fn a_semester_runs_to_the_end_of_its_half_year() {
        assert_eq!(ends("semester", "2026-01-01"), Some(d("2026-06-30")));
        assert_eq!(ends("semester", "2026-06-30"), Some(d("2026-06-30")));
        assert_eq!(ends("semester", "2026-07-01"), Some(d("2026-12-31")));
        assert_eq!(ends("semester", "2026-12-31"), Some(d("2026-12-31")));
    }

    #[test]
    fn a_year_runs_to_the_31st_of_december() {
        assert_eq!(ends("year", "2026-01-01"), Some(d("2026-12-31")));
        assert_eq!(ends("year", "2026-12-31"), Some(d("2026-12-31")));
        assert_eq!(ends("year", "2027-01-01"), Some(d("2027-12-31")));
    }

    #[test]
    fn a_school_year_runs_to_the_31st_of_august_ending_it_the_summer_counting_for_the_next() {
        assert_eq!(ends("school_year", "2026-09-10"), Some(d("2027-08-31")));
        assert_eq!(ends("school_year", "2027-03-01"), Some(d("2027-08-31")));
        assert_eq!(ends("school_year", "2027-06-30"), Some(d("2027-08-31")));
        // Sent in the summer: for the school year to come.
        assert_eq!(ends("school_year", "2027-07-01"), Some(d("2028-08-31")));
        assert_eq!(ends("school_year", "2027-08-25"), Some(d("2028-08-31")));
        assert_eq!(ends("school_year", "2027-08-31"), Some(d("2028-08-31")));
        assert_eq!(ends("school_year", "2027-09-01"), Some(d("2028-08-31")));
        assert_eq!(ends("school_year", "2026-12-31"), Some(d("2027-08-31")));
        assert_eq!(ends("school_year", "2027-01-01"), Some(d("2027-08-31")));
    }

    #[test]
    fn months_are_added_and_clamped_to_the_end_of_the_month() {
        assert_eq!(ends("months:3", "2026-03-15"), Some(d("2026-06-15")));
        assert_eq!(ends("months:1", "2027-01-31"), Some(d("2027-02-28")));
        assert_eq!(
            ends("months:1", "2028-01-31"),
            Some(d("2028-02-29")),
            "leap year"
        );
        assert_eq!(ends("months:13", "2027-01-31"), Some(d("2028-02-29")));
        assert_eq!(ends("months:12", "2028-02-29"), Some(d("2029-02-28")));
        assert_eq!(ends("months:60", "2026-12-31"), Some(d("2031-12-31")));
    }

    #[test]
    fn until_is_fixed_and_permanent_never_ends() {
        assert_eq!(
            ends("until:2027-07-06", "2026-09-01"),
            Some(d("2027-07-06"))
        );
        assert_eq!(
            ends("until:2027-07-06", "2030-01-01"),
            Some(d("2027-07-06"))
        );
        assert_eq!(ends("permanent", "2026-09-01"), None);
    }

    #[test]
    fn the_row_state_and_expires_soon_boundaries() {
        let today = d("2026-12-01");
        let accepted = |end: &str| {
            row_state(
                Some(Sent::Accepted {
                    expires_on: Some(d(end)),
                }),
                today,
            )
        };
        assert_eq!(row_state(None, today), (DocumentState::Missing, false));
        assert_eq!(
            row_state(Some(Sent::Pending), today),
            (DocumentState::Pending, false)
        );
        assert_eq!(
            row_state(Some(Sent::Refused), today),
            (DocumentState::Refused, false)
        );
        assert_eq!(
            row_state(Some(Sent::Accepted { expires_on: None }), today),
            (DocumentState::Accepted, false)
        );
        // Valid through today: accepted, expiring soon; yesterday: expired.
        assert_eq!(accepted("2026-12-01"), (DocumentState::Accepted, true));
        assert_eq!(accepted("2026-11-30"), (DocumentState::Expired, false));
        // 30 days ahead is soon, 31 is not.
        assert_eq!(accepted("2026-12-31"), (DocumentState::Accepted, true));
        assert_eq!(accepted("2027-01-01"), (DocumentState::Accepted, false));
    }

    #[test]
    fn fields_are_checked_each_on_its_own() {
        let ok = validate(
            "  Carnet   de vaccination ",
            "permanent",
            &["a".into(), "b".into(), "a".into()],
            "  Les pages des vaccins. ",
        );
        assert_eq!(
            ok.ok(),
            Some(TypeFields {
                name: "Carnet de vaccination".into(),
                validity: Validity::Permanent,
                mandatory_for: vec!["a".into(), "b".into()],
                help: "Les pages des vaccins.".into(),
            })
        );
        let codes = |r: Result<TypeFields, Vec<FieldError>>| -> Vec<String> {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.code)
                .collect()
        };
        assert_eq!(codes(validate("", "year", &[], "")), ["invalid_name"]);
        assert_eq!(
            codes(validate(&"x".repeat(101), "year", &[], "")),
            ["invalid_name"]
        );
        assert!(validate(&"x".repeat(100), "year", &[], "").is_ok());
        assert_eq!(
            codes(validate("A", "year", &[], &"é".repeat(501))),
            ["invalid_help"]
        );
        assert!(validate("A", "year", &[], &"é".repeat(500)).is_ok());
        let many: Vec<String> = (0..51).map(|i| format!("a{i}")).collect();
        assert_eq!(
            codes(validate("A", "year", &many, "")),
            ["too_many_activities"]
        );
        assert!(validate("A", "year", &many[..50], "").is_ok());
        assert_eq!(
            codes(validate("A", "year", &["".into()], "")),
            ["unknown_activity"]
        );
        assert_eq!(
            codes(validate("A", "year", &["x".repeat(41)], "")),
            ["unknown_activity"]
        );
        assert_eq!(
            codes(validate("", "months:0", &many, &"x".repeat(501))),
            [
                "invalid_name",
                "invalid_validity",
                "too_many_activities",
                "invalid_help"
            ]
        );
    }

    fn doc_type(
        id: &str,
        name: &str,
        scope: Scope,
        mandatory_for: &[&str],
        active: bool,
    ) -> DocumentType {
        DocumentType {
            id: id.into(),
            name: name.into(),
            scope,
            validity: Validity::Permanent,
            mandatory_for: mandatory_for.iter().map(|a| a.to_string()).collect(),
            help: String::new(),
            active,
            creche: false,
        }
    }

    #[test]
    fn a_type_stored_before_the_creche_flag_reads_false() {
        let old = json_type(false);
        let t: DocumentType = serde_json::from_value(old)
            .unwrap_or_else(|_| doc_type("x", "x", Scope::Child, &[], false));
        assert_eq!(t.id, "t1");
        assert!(!t.creche);
        let mut flagged = json_type(true);
        flagged["creche"] = serde_json::Value::Bool(true);
        let t: DocumentType = serde_json::from_value(flagged)
            .unwrap_or_else(|_| doc_type("x", "x", Scope::Child, &[], false));
        assert!(t.creche && t.for_creche());
        let withdrawn = DocumentType { active: false, ..t };
        assert!(
            !withdrawn.for_creche(),
            "a withdrawn type is asked for nothing"
        );
    }

    fn json_type(active: bool) -> serde_json::Value {
        serde_json::json!({"id": "t1", "name": "Carnet", "scope": "child", "validity": "permanent",
                           "mandatory_for": [], "help": "", "active": active})
    }

    #[test]
    fn only_an_accepted_document_valid_on_the_day_counts() {
        let day = d("2027-09-07");
        let until = |end: &str| Sent::Accepted {
            expires_on: Some(d(end)),
        };
        assert_eq!(lack_on(&[], day), Some(Lack::Missing));
        assert_eq!(lack_on(&[Sent::Pending], day), Some(Lack::Pending));
        assert_eq!(lack_on(&[Sent::Refused], day), Some(Lack::Refused));
        assert_eq!(lack_on(&[Sent::Accepted { expires_on: None }], day), None);
        // Valid through the day asked; the day after, expired.
        assert_eq!(lack_on(&[until("2027-09-07")], day), None);
        assert_eq!(lack_on(&[until("2027-09-06")], day), Some(Lack::Expired));
        // Expired then refused: the expiry is the telling reason; a new
        // one waiting for review, that one.
        assert_eq!(
            lack_on(&[until("2027-08-31"), Sent::Refused], day),
            Some(Lack::Expired)
        );
        assert_eq!(
            lack_on(&[until("2027-08-31"), Sent::Pending], day),
            Some(Lack::Pending)
        );
        // An accepted one still valid holds, whatever else was sent.
        assert_eq!(
            lack_on(&[Sent::Refused, until("2028-08-31"), Sent::Pending], day),
            None
        );
    }

    #[test]
    fn the_types_an_activity_makes_mandatory_are_active_and_list_it() {
        let types = vec![
            doc_type(
                "t1",
                "Carnet de vaccination",
                Scope::Child,
                &["cantine"],
                true,
            ),
            doc_type("t2", "PAI", Scope::Child, &["garderie"], true),
            doc_type("t3", "Ancien", Scope::Family, &["cantine"], false),
            doc_type(
                "t4",
                "Domicile",
                Scope::Family,
                &["garderie", "cantine"],
                true,
            ),
        ];
        let ids: Vec<&str> = mandatory_types(&types, "cantine")
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["t1", "t4"]);
        assert!(mandatory_types(&types, "centre").is_empty());
    }

    #[test]
    fn a_child_needs_its_own_document_and_the_family_one_is_shared() {
        let vaccines = doc_type("t1", "Carnet de vaccination", Scope::Child, &["c"], true);
        let address = doc_type(
            "t2",
            "Justificatif de domicile",
            Scope::Family,
            &["c"],
            true,
        );
        let types = [&vaccines, &address];
        let day = d("2026-12-07");
        let accepted = Sent::Accepted { expires_on: None };
        let docs = [
            // The sister's carnet does not count for Maéva.
            HeldDocument {
                type_id: "t1",
                child_id: Some("zoe"),
                sent: accepted,
            },
            HeldDocument {
                type_id: "t2",
                child_id: None,
                sent: accepted,
            },
        ];
        let lacks: Vec<(&str, Lack)> = lacking(&types, &docs, "maeva", day)
            .into_iter()
            .map(|(t, l)| (t.id.as_str(), l))
            .collect();
        assert_eq!(lacks, [("t1", Lack::Missing)]);
        assert!(lacking(&types, &docs, "zoe", day).is_empty());
        assert_eq!(lacking(&types, &[], "zoe", day).len(), 2);
        // A child's document does not stand for the family's.
        let docs = [HeldDocument {
            type_id: "t2",
            child_id: Some("zoe"),
            sent: accepted,
        }];
        assert_eq!(
            lacking(&[&address], &docs, "zoe", day)
                .into_iter()
                .map(|(_, l)| l)
                .collect::<Vec<_>>(),
            [Lack::Missing]
        );
    }

    #[test]
    fn the_message_names_the_document_and_the_child() {
        let vaccines = doc_type("t1", "Carnet de vaccination", Scope::Child, &[], true);
        let insurance = doc_type("t2", "Attestation d'assurance", Scope::Child, &[], true);
        let address = doc_type("t3", "Justificatif de domicile", Scope::Family, &[], true);
        let day = d("2027-09-07");
        assert_eq!(
            lack_message(&vaccines, "Maéva", Lack::Missing, day),
            "Il manque la pièce justificative « Carnet de vaccination » de Maéva (à envoyer depuis Pièces justificatives)."
        );
        assert_eq!(
            lack_message(&insurance, "Maéva", Lack::Expired, day),
            "La pièce justificative « Attestation d'assurance » de Maéva n'est plus valable le 07/09/2027."
        );
        assert_eq!(
            lack_message(&vaccines, "Maéva", Lack::Pending, day),
            "La pièce justificative « Carnet de vaccination » de Maéva n'a pas encore été acceptée par la collectivité."
        );
        assert_eq!(
            lack_message(&vaccines, "Maéva", Lack::Refused, day),
            "La pièce justificative « Carnet de vaccination » de Maéva a été refusée (à renvoyer depuis Pièces justificatives)."
        );
        assert_eq!(
            lack_message(&address, "Maéva", Lack::Missing, day),
            "Il manque la pièce justificative « Justificatif de domicile » de la famille, obligatoire pour Maéva (à envoyer depuis Pièces justificatives)."
        );
        assert_eq!(
            lack_message(&address, "Maéva", Lack::Expired, day),
            "La pièce justificative « Justificatif de domicile » de la famille, obligatoire pour Maéva, n'est plus valable le 07/09/2027."
        );
    }
}
