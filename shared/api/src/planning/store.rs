//! Activities, enrolments, day slots and places in the store.
//!
//! | item | PK | SK | index |
//! |---|---|---|---|
//! | activity | `ACTIVITY#<id>` | `ACTIVITY` | GSI2 `ACTIVITIES` / `<name>#<id>` |
//! | places taken on a day | `ACTIVITY#<id>` | `COUNT#<date>` | |
//! | enrolment | `FAMILY#<family>` | `E#<id>` | GSI1 `ENROLLED#<activity>` / `<child>#<id>` |
//! | a child's day in an activity | `FAMILY#<family>` | `S#<date>#<child>#<activity>` | GSI2 `ACTDAY#<activity>#<date>` / `<state>#<request>` |
//!
//! The planning of a family over any range is one query of its slots,
//! with one query of its enrolments and one batch read of their activities.

use chrono::NaiveDate;
use marelle_domain::keys;
use marelle_domain::planning::{Activity, Enrolment, PlaceChange, Places, Slot, SlotState};
use marelle_domain::ports::store::{Condition, Index, Item, Key, Query, Update, Write};

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

pub fn activity_key(id: &str) -> Key {
    Key::new(format!("ACTIVITY#{id}"), "ACTIVITY")
}

pub const ACTIVITIES: &str = "ACTIVITIES";

pub fn count_key(activity_id: &str, date: NaiveDate) -> Key {
    Key::new(format!("ACTIVITY#{activity_id}"), format!("COUNT#{date}"))
}

pub fn enrolment_key(family_id: &str, id: &str) -> Key {
    Key::new(keys::family_partition(family_id), format!("E#{id}"))
}

pub fn enrolled_in(activity_id: &str) -> String {
    format!("ENROLLED#{activity_id}")
}

pub fn slot_key(family_id: &str, date: NaiveDate, child_id: &str, activity_id: &str) -> Key {
    Key::new(
        keys::family_partition(family_id),
        format!("S#{date}#{child_id}#{activity_id}"),
    )
}

pub fn activity_day(activity_id: &str, date: NaiveDate) -> String {
    format!("ACTDAY#{activity_id}#{date}")
}

fn state_code(s: SlotState) -> &'static str {
    match s {
        SlotState::ReservationRequested => "RESERVATION_REQUESTED",
        SlotState::Reserved => "RESERVED",
        SlotState::ReservationRefused => "RESERVATION_REFUSED",
        SlotState::AbsenceRequested => "ABSENCE_REQUESTED",
        SlotState::Absent => "ABSENT",
        SlotState::AbsenceRefused => "ABSENCE_REFUSED",
        SlotState::WaitingList => "WAITING",
        SlotState::Cancelled => "CANCELLED",
    }
}

/// GSI2 sort key prefix of the waiting list of an activity's day (first
/// come, first served: request ids are time-ordered).
pub const WAITING_PREFIX: &str = "WAITING#";

pub fn activity_item(a: &Activity, version: i64) -> ApiResult<Item> {
    let mut item = Item::with_data(activity_key(&a.id), a)?.index(
        Index::Gsi2,
        ACTIVITIES,
        format!("{}#{}", a.name.to_lowercase(), a.id),
    );
    item.set("version", version.into());
    Ok(item)
}

pub async fn activity(app: &AppState, id: &str) -> ApiResult<Option<(Activity, i64)>> {
    if id.is_empty() || id.len() > 40 {
        return Ok(None);
    }
    match app.store.get(&activity_key(id)).await? {
        Some(item) => Ok(Some((
            item.data()?,
            item.get("version").and_then(|v| v.as_i64()).unwrap_or(0),
        ))),
        None => Ok(None),
    }
}

pub async fn activities(app: &AppState, ids: &[String]) -> ApiResult<Vec<Activity>> {
    let mut keys: Vec<Key> = ids.iter().map(|id| activity_key(id)).collect();
    keys.sort();
    keys.dedup();
    app.store
        .get_many(&keys)
        .await?
        .iter()
        .map(|i| Ok(i.data()?))
        .collect()
}

pub fn enrolment_item(e: &Enrolment) -> ApiResult<Item> {
    Ok(
        Item::with_data(enrolment_key(&e.family_id, &e.id), e)?.index(
            Index::Gsi1,
            enrolled_in(&e.activity_id),
            format!("{}#{}", e.child_id, e.id),
        ),
    )
}

pub async fn enrolments(app: &AppState, family_id: &str) -> ApiResult<Vec<Enrolment>> {
    let items = app
        .store
        .query(Query::new(keys::family_partition(family_id)).begins_with("E#"))
        .await?
        .items;
    items.iter().map(|i| Ok(i.data()?)).collect()
}

pub fn slot_item(family_id: &str, s: &Slot) -> ApiResult<Item> {
    Ok(
        Item::with_data(slot_key(family_id, s.date, &s.child_id, &s.activity_id), s)?.index(
            Index::Gsi2,
            activity_day(&s.activity_id, s.date),
            format!("{}#{}", state_code(s.state), s.request_id),
        ),
    )
}

/// The write that saves a slot, only if nobody changed it since it was
/// read (`previous`: its version then, none if there was no slot).
pub fn save_slot(family_id: &str, s: &Slot, previous: Option<i64>) -> ApiResult<Write> {
    Ok(Write::Put {
        item: slot_item(family_id, s)?,
        condition: Some(match previous {
            Some(v) => Condition::VersionIs(v),
            None => Condition::NotExists,
        }),
    })
}

/// A family's slots between two days, in one query.
pub async fn slots(
    app: &AppState,
    family_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<Slot>> {
    let items = app
        .store
        .query(
            Query::new(keys::family_partition(family_id))
                .between(format!("S#{from}"), format!("S#{to}#~")),
        )
        .await?
        .items;
    items.iter().map(|i| Ok(i.data()?)).collect()
}

pub async fn slot(
    app: &AppState,
    family_id: &str,
    date: NaiveDate,
    child_id: &str,
    activity_id: &str,
) -> ApiResult<Option<Slot>> {
    match app
        .store
        .get(&slot_key(family_id, date, child_id, activity_id))
        .await?
    {
        Some(i) => Ok(Some(i.data()?)),
        None => Ok(None),
    }
}

/// Takes one place of the day, only under the capacity.
pub fn take_place(activity: &Activity, date: NaiveDate) -> Option<Write> {
    activity.capacity.map(|c| Write::Update {
        key: count_key(&activity.id, date),
        update: Update::new().add("taken", 1),
        condition: Some(Condition::Below("taken".into(), i64::from(c))),
    })
}

/// Gives one place of the day back.
pub fn free_place(activity: &Activity, date: NaiveDate) -> Option<Write> {
    activity.capacity.map(|_| Write::Update {
        key: count_key(&activity.id, date),
        update: Update::new().add("taken", -1),
        condition: Some(Condition::Exists),
    })
}

/// How the activity counts its places (the store holds the count).
pub fn places_of(activity: &Activity) -> Places {
    if activity.capacity.is_some() {
        Places::Available
    } else {
        Places::Uncounted
    }
}

/// The days between `from` and `to` on which every place of the activity
/// is taken, in one query of its counters (none when places are not
/// counted, without a call).
pub async fn full_days(
    app: &AppState,
    activity: &Activity,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<NaiveDate>> {
    let Some(capacity) = activity.capacity else {
        return Ok(Vec::new());
    };
    let items = app
        .store
        .query(
            Query::new(format!("ACTIVITY#{}", activity.id))
                .between(format!("COUNT#{from}"), format!("COUNT#{to}")),
        )
        .await?
        .items;
    Ok(items
        .iter()
        .filter(|i| {
            i.get("taken")
                .and_then(serde_json::Value::as_i64)
                .is_some_and(|t| t >= i64::from(capacity))
        })
        .filter_map(|i| i.sk().strip_prefix("COUNT#")?.parse().ok())
        .collect())
}

/// The write a place change makes on the day's counter, if any.
pub fn place_write(activity: &Activity, date: NaiveDate, change: PlaceChange) -> Option<Write> {
    match change {
        PlaceChange::Take => take_place(activity, date),
        PlaceChange::Free => free_place(activity, date),
        PlaceChange::Unchanged => None,
    }
}

/// The slots of an activity's day, in state order then arrival order;
/// `prefix` narrows to one state (`WAITING#`).
pub async fn day_slots(
    app: &AppState,
    activity_id: &str,
    date: NaiveDate,
    prefix: Option<&str>,
) -> ApiResult<Vec<(String, Slot)>> {
    let mut q = Query::on(Index::Gsi2, activity_day(activity_id, date));
    if let Some(p) = prefix {
        q = q.begins_with(p);
    }
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = app.store.query(q.clone().limit(200).after(cursor)).await?;
        for item in &page.items {
            let family_id = item
                .pk()
                .strip_prefix("FAMILY#")
                .ok_or_else(|| ApiError::internal("slot", "not in a family partition"))?
                .to_string();
            out.push((family_id, item.data()?));
        }
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    Ok(out)
}
