//! Requests in the store: one item per request (`REQ#<id>`), listed per
//! family on GSI1 (newest first), queued for agents on GSI2 while pending.

use chrono::{DateTime, Utc};
use marelle_domain::keys;
use marelle_domain::ports::Cursor;
use marelle_domain::ports::store::{Condition, Index, Item, Query, Write};
use marelle_domain::requests::RequestRecord;

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// The digest window a decision at `at` belongs to: the 13:00 or 18:00
/// boundary (Europe/Paris) that closes it, as a sortable id.
pub fn window_id(at: DateTime<Utc>) -> String {
    marelle_domain::digest_window::window_of(at).id()
}

/// The item of a request, placed in the indexes its state calls for.
pub fn item(r: &RequestRecord) -> ApiResult<Item> {
    let mut item = Item::with_data(keys::request(&r.id), r)?.index(
        Index::Gsi1,
        keys::family_requests(&r.family_id),
        r.id.clone(),
    );
    if !r.state.is_decided() {
        item = item.index(Index::Gsi2, keys::PENDING, r.id.clone());
    }
    if let Some(at) = r.decided_at
        && r.state.is_decided()
    {
        item = item.index(
            Index::Gsi3,
            keys::digest_window(&window_id(at)),
            keys::decided_in_window(&r.family_id, &r.id),
        );
    }
    Ok(item)
}

/// The write that records a new request.
pub fn create(r: &RequestRecord) -> ApiResult<Write> {
    Ok(Write::put_new(item(r)?))
}

/// The write that saves a request changed from `previous_version`.
pub fn save(r: &RequestRecord, previous_version: i64) -> ApiResult<Write> {
    Ok(Write::Put {
        item: item(r)?,
        condition: Some(Condition::VersionIs(previous_version)),
    })
}

pub async fn load(app: &AppState, id: &str) -> ApiResult<Option<RequestRecord>> {
    if id.is_empty() || id.len() > 40 {
        return Ok(None);
    }
    match app.store.get(&keys::request(id)).await? {
        Some(item) => Ok(Some(item.data()?)),
        None => Ok(None),
    }
}

/// Items per page of request lists.
pub const PAGE_SIZE: usize = 20;

/// At most this many items are read to fill one filtered page.
const MAX_SCANNED: usize = 600;

/// One page of `query`'s requests that pass `keep`: reads pages of the
/// index no larger than what is still missing, so that the store's cursor
/// always points right after the last item examined, and stops after
/// [`MAX_SCANNED`] items (the next page goes on from there).
pub async fn filtered_page(
    app: &AppState,
    query: Query,
    page: Option<&str>,
    size: usize,
    keep: impl Fn(&RequestRecord) -> bool,
) -> ApiResult<(Vec<RequestRecord>, Option<String>)> {
    let mut cursor = match page {
        Some(p) if !p.is_empty() => {
            if p.len() > 2048 {
                return Err(ApiError::invalid_page());
            }
            Some(Cursor(p.to_string()))
        }
        _ => None,
    };
    let mut out = Vec::new();
    let mut scanned = 0;
    loop {
        let want = size - out.len();
        let page = app
            .store
            .query(query.clone().limit(want).after(cursor.clone()))
            .await?;
        scanned += page.items.len();
        for item in &page.items {
            let r: RequestRecord = item.data()?;
            if keep(&r) {
                out.push(r);
            }
        }
        cursor = page.cursor;
        if cursor.is_none() || out.len() >= size || scanned >= MAX_SCANNED {
            break;
        }
    }
    Ok((out, cursor.map(|c| c.0)))
}
