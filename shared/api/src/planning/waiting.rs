//! The waiting list: a place freed on a full day goes to the first child
//! waiting for it, automatically, and the family is told.

use chrono::NaiveDate;
use marelle_domain::planning::{Activity, Held, SlotEvent, Validation, transition};
use marelle_domain::ports::Event;
use marelle_domain::requests::{Decision, RequestKind};

use super::store::{self, place_write, places_of};
use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// Gives free places of the day to waiting children, first come first
/// served, until the day is full or nobody waits. Failures are logged: the
/// next freed place tries again.
pub async fn promote(app: &AppState, activity: &Activity, date: NaiveDate) {
    for _ in 0..50 {
        match promote_one(app, activity, date).await {
            Ok(true) => continue,
            Ok(false) => return,
            Err(e) => {
                tracing::error!(activity = %activity.id, %date, error = %e.detail, "waiting list not promoted");
                return;
            }
        }
    }
}

/// Promotes the first waiting child; `false` when nobody waits or the day
/// is full.
async fn promote_one(app: &AppState, activity: &Activity, date: NaiveDate) -> ApiResult<bool> {
    let waiting = store::day_slots(app, &activity.id, date, Some(store::WAITING_PREFIX)).await?;
    let Some((family_id, slot)) = waiting.into_iter().next() else {
        return Ok(false);
    };
    let Some(mut request) = crate::requests::store::load(app, &slot.request_id).await? else {
        return Ok(false);
    };
    let now = app.clock.now();
    let before = request.version;
    let automatic = activity.validation == Validation::Automatic;
    let Ok(t) = transition(
        RequestKind::Reservation,
        Some(Held::from(&slot)),
        SlotEvent::Promoted { automatic },
        places_of(activity),
    ) else {
        return Ok(false);
    };
    let mut next = slot.clone();
    next.state = t.state;
    next.holds_place = t.holds_place;
    next.version += 1;
    request.description = "Ajout de réservation".into();
    if let Some(d) = request.details.as_object_mut() {
        d.insert("waiting_list".into(), false.into());
    }
    request.version += 1;
    if t.accepted_at_once {
        request
            .decide(
                Decision::Accepted,
                Some("Une place s'est libérée : la réservation est acceptée."),
                "system",
                now,
            )
            .map_err(crate::requests::decide::already_decided)?;
    }
    let mut writes = vec![
        crate::requests::store::save(&request, before)?,
        store::save_slot(&family_id, &next, Some(slot.version))?,
    ];
    writes.extend(place_write(activity, date, t.place));
    match app.store.transact(writes).await {
        Ok(()) => {
            let event = Event {
                id: app.ids.next(),
                detail_type: "PlaceGiven".into(),
                detail: serde_json::json!({"family_id": family_id, "request_id": request.id}),
            };
            if let Err(e) = app.bus.publish(vec![event]).await {
                tracing::error!(error = %e, "PlaceGiven not published");
            }
            if t.accepted_at_once {
                crate::requests::decide::publish_decided(app, &request).await;
            }
            Ok(true)
        }
        // The day filled up again, or the slot moved: stop; the next freed
        // place tries again.
        Err(e) if e.is_condition_failed() => Ok(false),
        Err(e) => Err(e.into()),
    }
}
