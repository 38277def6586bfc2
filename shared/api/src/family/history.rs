//! A family's history in the store: `H#<at>#<id>` items of the family's
//! partition, written in the same transaction as what they record, read
//! newest first for agents.

use marelle_domain::family::history::{FamilyEvent, SHOWN};
use marelle_domain::keys;
use marelle_domain::ports::store::{Item, Query, Write};

use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// The write that records `event` for `family_id`.
pub fn record(family_id: &str, event: &FamilyEvent) -> ApiResult<Write> {
    Ok(Write::put_new(Item::with_data(
        // UTC, so that keys sort in time order whatever the offset.
        keys::family_history(
            family_id,
            &event
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            &event.id,
        ),
        event,
    )?))
}

/// The family's latest events, newest first.
pub async fn recent(app: &AppState, family_id: &str) -> ApiResult<Vec<FamilyEvent>> {
    app.store
        .query(
            Query::new(keys::family_partition(family_id))
                .begins_with(keys::FAMILY_HISTORY_PREFIX)
                .backwards()
                .limit(SHOWN),
        )
        .await?
        .items
        .iter()
        .map(|i| Ok(i.data()?))
        .collect()
}
