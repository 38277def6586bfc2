//! The sheet of a day and the week's occupancy, as read from the store:
//! the day's slots (GSI2 `ACTDAY#<activity>#<day>`), the activity's
//! enrolments (GSI1 `ENROLLED#<activity>`), the day's marks (one query of
//! the activity's partition), the dossiers of the families on the sheet
//! (one query each) and the absences' requests (one batch read).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use futures::StreamExt;
use marelle_domain::family::{Child, Dossier};
use marelle_domain::invoicing::Mark;
use marelle_domain::keys;
use marelle_domain::planning::activity::NotRunning;
use marelle_domain::planning::{Activity, Enrolment, Slot, SlotState};
use marelle_domain::ports::store::{Index, Query};
use marelle_domain::requests::RequestRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{MAX_SHEET_CHILDREN, StoredMark, reserved};
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::planning::store as planning;

/// Where a child stands on the sheet, in the sheet's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SheetGroup {
    /// Reserved: expected on site.
    Expected,
    /// A reservation asked, not decided yet.
    Pending,
    /// Enrolled, not reserved, marked (arrived without reservation…).
    Unreserved,
    /// An absence the commune accepted.
    Absent,
    /// On the day's waiting list, in its order.
    WaitingList,
    /// Enrolled, nothing reserved, nothing marked: may still arrive.
    NotReserved,
}

impl SheetGroup {
    pub fn label(self) -> &'static str {
        match self {
            SheetGroup::Expected => "Attendu",
            SheetGroup::Pending => "Réservation en attente",
            SheetGroup::Unreserved => "Sans réservation",
            SheetGroup::Absent => "Absence justifiée",
            SheetGroup::WaitingList => "Liste d'attente",
            SheetGroup::NotReserved => "Inscrit sans réservation",
        }
    }
}

/// An adult to call or who may pick the child up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SheetPerson {
    pub full_name: String,
    /// "Grand-parent"…
    pub relationship: String,
    /// Mobile, else landline.
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SheetGuardian {
    pub full_name: String,
    /// "Mère"…, empty when unknown.
    pub quality: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SheetChild {
    pub child_id: String,
    pub family_id: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: Option<NaiveDate>,
    pub group: SheetGroup,
    /// "Attendu", "Liste d'attente"…
    pub group_label: String,
    /// Rank on the waiting list (1 first).
    pub waiting_rank: Option<u32>,
    /// The family asked an absence the commune has not decided yet.
    pub absence_requested: bool,
    /// The parent's reason of the absence (accepted or asked).
    pub absence_reason: Option<String>,
    pub mark: Option<Mark>,
    /// When the mark was recorded (RFC 3339 UTC).
    pub marked_at: Option<String>,
    pub allergies: Vec<String>,
    /// The diet, when not standard ("Végétarien", "Régime médical (PAI)").
    pub diet: Option<String>,
    pub special_care: bool,
    /// "J'autorise mon enfant à partir seul".
    pub leave_alone: bool,
    /// Adults who may pick the child up.
    pub authorised_adults: Vec<SheetPerson>,
    /// Adults to call in an emergency.
    pub emergency_contacts: Vec<SheetPerson>,
    pub guardians: Vec<SheetGuardian>,
    /// A 5-minute link to the child's photo, when the dossier has one.
    pub photo_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Sheet {
    pub activity_id: String,
    pub activity: String,
    pub establishment: String,
    pub start: String,
    pub end: String,
    pub date: NaiveDate,
    /// Whether the activity takes place that day.
    pub runs: bool,
    /// Why it does not ("Vacances d'hiver"…).
    pub closed: Option<String>,
    pub capacity: Option<u32>,
    /// Places held that day (reservations).
    pub reserved: u32,
    pub places_left: Option<u32>,
    /// Children marked present or arrived without reservation.
    pub present: u32,
    /// Children expected and not marked yet.
    pub not_marked: u32,
    /// By group (expected first), then name.
    pub children: Vec<SheetChild>,
}

/// Why the activity does not take place, in French.
pub fn not_running_text(activity: &Activity, why: &NotRunning) -> String {
    match why {
        NotRunning::OutsidePeriod => format!(
            "L'activité {} n'a pas lieu ce jour-là (en dehors de sa période).",
            activity.name
        ),
        NotRunning::NotThatWeekday => format!(
            "L'activité {} n'a pas lieu ce jour de la semaine.",
            activity.name
        ),
        NotRunning::Closed(label) => {
            format!(
                "L'activité {} est fermée ce jour-là : {label}.",
                activity.name
            )
        }
        NotRunning::SchoolTime => format!(
            "L'activité {} n'a lieu que pendant les vacances scolaires.",
            activity.name
        ),
    }
}

fn too_large() -> ApiError {
    ApiError::rule(
        "sheet_too_large",
        format!("Trop d'enfants pour une feuille de présence (au plus {MAX_SHEET_CHILDREN})."),
    )
}

/// The day's slots, in state order then arrival order, bounded.
async fn day_slots(
    app: &AppState,
    activity_id: &str,
    date: NaiveDate,
) -> ApiResult<Vec<(String, Slot)>> {
    let q = Query::on(Index::Gsi2, planning::activity_day(activity_id, date));
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = app.store.query(q.clone().limit(200).after(cursor)).await?;
        for item in &page.items {
            let Some(family) = item.pk().strip_prefix("FAMILY#") else {
                continue;
            };
            out.push((family.to_string(), item.data()?));
        }
        if out.len() > MAX_SHEET_CHILDREN * 2 {
            return Err(too_large());
        }
        cursor = page.cursor;
        if cursor.is_none() {
            return Ok(out);
        }
    }
}

/// The activity's enrolments covering `date`, bounded.
async fn enrolments_on(
    app: &AppState,
    activity_id: &str,
    date: NaiveDate,
) -> ApiResult<Vec<Enrolment>> {
    let q = Query::on(Index::Gsi1, planning::enrolled_in(activity_id));
    let mut out = Vec::new();
    let mut read = 0;
    let mut cursor = None;
    loop {
        let page = app.store.query(q.clone().limit(200).after(cursor)).await?;
        read += page.items.len();
        for item in &page.items {
            let e: Enrolment = item.data()?;
            if e.period.contains(date) {
                out.push(e);
            }
        }
        if out.len() > MAX_SHEET_CHILDREN || read > MAX_SHEET_CHILDREN * 10 {
            return Err(too_large());
        }
        cursor = page.cursor;
        if cursor.is_none() {
            return Ok(out);
        }
    }
}

/// The day's marks, by child.
async fn marks_of(
    app: &AppState,
    activity_id: &str,
    date: NaiveDate,
) -> ApiResult<BTreeMap<String, StoredMark>> {
    let q = Query::new(format!("ACTIVITY#{activity_id}")).begins_with(keys::marks_of_day(date));
    let mut out = BTreeMap::new();
    let mut cursor = None;
    loop {
        let page = app.store.query(q.clone().limit(500).after(cursor)).await?;
        for item in &page.items {
            let m: StoredMark = item.data()?;
            out.insert(m.child_id.clone(), m);
        }
        if out.len() > MAX_SHEET_CHILDREN * 2 {
            return Err(too_large());
        }
        cursor = page.cursor;
        if cursor.is_none() {
            return Ok(out);
        }
    }
}

/// The dossiers of the families, a few at a time.
async fn dossiers(
    app: &AppState,
    families: BTreeSet<String>,
) -> ApiResult<BTreeMap<String, Dossier>> {
    let loaded: Vec<ApiResult<Option<crate::family::store::Loaded>>> =
        futures::stream::iter(families)
            .map(|f| async move { crate::family::store::load(app, &f).await })
            .buffer_unordered(8)
            .collect()
            .await;
    let mut out = BTreeMap::new();
    for l in loaded {
        if let Some(l) = l? {
            out.insert(l.dossier.family.id.clone(), l.dossier);
        }
    }
    Ok(out)
}

fn person(c: &marelle_domain::family::Contact) -> SheetPerson {
    SheetPerson {
        full_name: c.full_name.clone(),
        relationship: c.relationship.label().to_string(),
        phone: if c.mobile.is_empty() {
            c.phone.clone()
        } else {
            c.mobile.clone()
        },
    }
}

async fn child_line(
    app: &AppState,
    dossier: Option<&Dossier>,
    child_id: &str,
    family_id: &str,
    group: SheetGroup,
) -> SheetChild {
    let child: Option<&Child> = dossier.and_then(|d| d.child(child_id));
    let photo_url = match child.and_then(|c| c.photo_key.as_deref()) {
        Some(k) => crate::family::view::photo_url(app, k).await,
        None => None,
    };
    SheetChild {
        child_id: child_id.to_string(),
        family_id: family_id.to_string(),
        first_name: child.map(|c| c.first_name.clone()).unwrap_or_default(),
        last_name: child.map(|c| c.last_name.clone()).unwrap_or_default(),
        birth_date: child.map(|c| c.birth_date),
        group,
        group_label: group.label().to_string(),
        waiting_rank: None,
        absence_requested: false,
        absence_reason: None,
        mark: None,
        marked_at: None,
        allergies: child
            .map(|c| c.health.allergies.clone())
            .unwrap_or_default(),
        diet: child
            .map(|c| c.health.diet)
            .filter(|d| *d != marelle_domain::family::Diet::Standard)
            .map(|d| d.label().to_string()),
        special_care: child.is_some_and(|c| c.health.special_care),
        leave_alone: child.is_some_and(|c| c.authorizations.leave_alone),
        authorised_adults: child
            .map(|c| {
                c.contacts
                    .iter()
                    .filter(|p| p.may_pick_up)
                    .map(person)
                    .collect()
            })
            .unwrap_or_default(),
        emergency_contacts: child
            .map(|c| {
                c.contacts
                    .iter()
                    .filter(|p| p.emergency_call)
                    .map(person)
                    .collect()
            })
            .unwrap_or_default(),
        guardians: dossier
            .map(|d| {
                d.guardians
                    .iter()
                    .map(|g| SheetGuardian {
                        full_name: format!("{} {}", g.first_name, g.last_name)
                            .trim()
                            .to_string(),
                        quality: g.quality.map(|q| q.label().to_string()).unwrap_or_default(),
                        phone: if g.mobile.is_empty() {
                            g.phone.clone()
                        } else {
                            g.mobile.clone()
                        },
                    })
                    .collect()
            })
            .unwrap_or_default(),
        photo_url,
    }
}

/// The sheet of `activity` on `date`.
pub async fn build(app: &AppState, activity: &Activity, date: NaiveDate) -> ApiResult<Sheet> {
    let running = activity.runs_on(date, &app.settings.calendar);
    let slots = day_slots(app, &activity.id, date).await?;
    let enrolments = enrolments_on(app, &activity.id, date).await?;
    let marks = marks_of(app, &activity.id, date).await?;

    // Each child once: its slot decides its group; enrolled children with
    // no slot (or a withdrawn, refused one) may still arrive.
    let mut entries: BTreeMap<String, (String, SheetGroup, Option<Slot>, Option<u32>)> =
        BTreeMap::new();
    let mut waiting = 0;
    let mut held = 0u32;
    for (family, slot) in slots {
        if slot.holds_place {
            held += 1;
        }
        let group = match slot.state {
            s if reserved(Some(s)) => SheetGroup::Expected,
            SlotState::ReservationRequested => SheetGroup::Pending,
            SlotState::Absent => SheetGroup::Absent,
            SlotState::WaitingList => SheetGroup::WaitingList,
            _ => continue,
        };
        let rank = (group == SheetGroup::WaitingList).then(|| {
            waiting += 1;
            waiting
        });
        entries.insert(slot.child_id.clone(), (family, group, Some(slot), rank));
    }
    for e in &enrolments {
        entries
            .entry(e.child_id.clone())
            .or_insert_with(|| (e.family_id.clone(), SheetGroup::NotReserved, None, None));
    }
    for (child, m) in &marks {
        let entry = entries
            .entry(child.clone())
            .or_insert_with(|| (m.family_id.clone(), SheetGroup::NotReserved, None, None));
        if entry.1 == SheetGroup::NotReserved {
            entry.1 = SheetGroup::Unreserved;
        }
    }
    if entries.len() > MAX_SHEET_CHILDREN {
        return Err(too_large());
    }

    // The parents' reasons of absences.
    let requests: Vec<_> = entries
        .values()
        .filter_map(|(_, _, slot, _)| slot.as_ref())
        .filter(|s| matches!(s.state, SlotState::Absent | SlotState::AbsenceRequested))
        .map(|s| keys::request(&s.request_id))
        .collect();
    let reasons: BTreeMap<String, String> = if requests.is_empty() {
        BTreeMap::new()
    } else {
        app.store
            .get_many(&requests)
            .await?
            .iter()
            .filter_map(|i| i.data::<RequestRecord>().ok())
            .filter_map(|r| {
                let reason = r.details.get("reason")?.as_str()?.trim().to_string();
                (!reason.is_empty()).then_some((r.id, reason))
            })
            .collect()
    };

    let families: BTreeSet<String> = entries.values().map(|(f, ..)| f.clone()).collect();
    let dossiers = dossiers(app, families).await?;

    let mut children = Vec::with_capacity(entries.len());
    for (child_id, (family, group, slot, rank)) in &entries {
        let mut line = child_line(app, dossiers.get(family), child_id, family, *group).await;
        line.waiting_rank = *rank;
        if let Some(s) = slot {
            line.absence_requested = s.state == SlotState::AbsenceRequested;
            line.absence_reason = reasons.get(&s.request_id).cloned();
        }
        if let Some(m) = marks.get(child_id) {
            line.mark = Some(m.mark);
            line.marked_at = Some(m.at.clone());
        }
        children.push(line);
    }
    children.sort_by_cached_key(|c| {
        (
            c.group,
            c.waiting_rank,
            sort_key(&c.last_name),
            sort_key(&c.first_name),
            c.child_id.clone(),
        )
    });
    let present = children
        .iter()
        .filter(|c| matches!(c.mark, Some(Mark::Present | Mark::ArrivedUnreserved)))
        .count() as u32;
    let not_marked = children
        .iter()
        .filter(|c| c.group == SheetGroup::Expected && c.mark.is_none())
        .count() as u32;
    Ok(Sheet {
        activity_id: activity.id.clone(),
        activity: activity.name.clone(),
        establishment: activity.establishment.clone(),
        start: activity.start_text(),
        end: activity.end_text(),
        date,
        runs: running.is_ok(),
        closed: running.err().map(|why| not_running_text(activity, &why)),
        capacity: activity.capacity,
        reserved: held,
        places_left: activity.capacity.map(|c| c.saturating_sub(held)),
        present,
        not_marked,
        children,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WeekDay {
    pub date: NaiveDate,
    /// "lundi 8 février".
    pub label: String,
    pub runs: bool,
    /// Why the activity does not take place.
    pub closed: Option<String>,
    /// Children holding a place (reserved).
    pub reserved: u32,
    pub capacity: Option<u32>,
    /// Marked present or arrived without reservation.
    pub present: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Week {
    pub activity_id: String,
    pub activity: String,
    /// Monday.
    pub from: NaiveDate,
    /// Sunday.
    pub to: NaiveDate,
    pub capacity: Option<u32>,
    pub days: Vec<WeekDay>,
}

/// The week (Monday to Sunday) holding `day`: per day, reservations,
/// capacity and children present. Seven queries of the day's slots (only
/// on days it runs) and one of the week's marks.
pub async fn week(app: &AppState, activity: &Activity, day: NaiveDate) -> ApiResult<Week> {
    let from = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let to = from + Duration::days(6);
    let items = app
        .store
        .query(Query::new(format!("ACTIVITY#{}", activity.id)).between(
            keys::marks_of_day(from),
            format!("{}~", keys::marks_of_day(to)),
        ))
        .await?
        .items;
    let mut present: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for item in &items {
        let m: StoredMark = item.data()?;
        if matches!(m.mark, Mark::Present | Mark::ArrivedUnreserved) {
            *present.entry(m.date).or_default() += 1;
        }
    }
    let mut days = Vec::with_capacity(7);
    for date in (0..7).map(|i| from + Duration::days(i)) {
        let running = activity.runs_on(date, &app.settings.calendar);
        let reserved_count = if running.is_ok() {
            let mut n = 0u32;
            let mut cursor = None;
            loop {
                let page = app
                    .store
                    .query(
                        Query::on(Index::Gsi2, planning::activity_day(&activity.id, date))
                            .limit(500)
                            .after(cursor),
                    )
                    .await?;
                for item in &page.items {
                    if item.data::<Slot>().is_ok_and(|s| s.holds_place) {
                        n += 1;
                    }
                }
                cursor = page.cursor;
                if cursor.is_none() || n as usize > MAX_SHEET_CHILDREN * 2 {
                    break;
                }
            }
            n
        } else {
            0
        };
        days.push(WeekDay {
            date,
            label: crate::invoicing::attendance::sheet::day_label(date),
            runs: running.is_ok(),
            closed: running.err().map(|why| not_running_text(activity, &why)),
            reserved: reserved_count,
            capacity: activity.capacity,
            present: present.get(&date).copied().unwrap_or(0),
        });
    }
    Ok(Week {
        activity_id: activity.id.clone(),
        activity: activity.name.clone(),
        from,
        to,
        capacity: activity.capacity,
        days,
    })
}

/// « lundi 8 février », « mardi 1er décembre ».
pub fn day_label(date: NaiveDate) -> String {
    use marelle_domain::calendar::{month_name_of, weekday_name};
    let day = date.day();
    let suffix = if day == 1 { "er" } else { "" };
    format!(
        "{} {day}{suffix} {}",
        weekday_name(date.weekday()),
        month_name_of(date)
    )
}

/// A name as French lists sort it: case and accents aside.
pub fn sort_key(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ÿ' => 'y',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        })
        .collect()
}
