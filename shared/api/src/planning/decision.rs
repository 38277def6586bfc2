//! A decision on a reservation or an absence: the day's slot moves as the
//! domain's state machine says, the place it holds or frees goes in the same
//! transaction, and a freed place goes to the waiting list afterwards. The
//! activity is read once per decision.

use async_trait::async_trait;
use marelle_domain::planning::{Held, SlotEvent, transition};
use marelle_domain::requests::{Decision, RequestRecord};

use super::store::{self, place_write, places_of};
use super::waiting;
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::requests::kind::{Effects, KindEffects};

/// The kind of a request about one day of an activity.
pub struct PlanningDay;

fn slot_moved() -> ApiError {
    ApiError::conflict(
        "slot_moved",
        "Ce jour a changé depuis la demande (fermeture ou nouvelle demande).",
    )
}

#[async_trait]
impl KindEffects for PlanningDay {
    async fn decision(
        &self,
        app: &AppState,
        r: &RequestRecord,
        decision: Decision,
    ) -> ApiResult<Effects> {
        let (Some(child), Some(activity_id), Some(date)) = (&r.child_id, &r.activity_id, r.date)
        else {
            return Err(ApiError::internal(
                "planning decision",
                "request without day",
            ));
        };
        let (activity, _) = store::activity(app, activity_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let slot = store::slot(app, &r.family_id, date, child, activity_id)
            .await?
            .filter(|s| s.request_id == r.id)
            .ok_or_else(slot_moved)?;
        let t = transition(
            r.kind,
            Some(Held::from(&slot)),
            SlotEvent::Decided(decision),
            places_of(&activity),
        )
        .map_err(|_| slot_moved())?;
        let mut next = slot.clone();
        next.state = t.state;
        next.holds_place = t.holds_place;
        next.version += 1;
        let mut writes = vec![store::save_slot(&r.family_id, &next, Some(slot.version))?];
        writes.extend(place_write(&activity, date, t.place));
        let after = t.promote_waiting.then(|| {
            let app = app.clone();
            Box::pin(async move { waiting::promote(&app, &activity, date).await })
                as crate::requests::kind::AfterCommit
        });
        Ok(Effects { writes, after })
    }
}
