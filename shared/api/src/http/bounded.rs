//! Small lists the commune keeps alone in one partition (régies, document
//! types): read whole by one query, their size checked before each
//! creation.

use marelle_domain::ports::store::Query;
use serde::de::DeserializeOwned;

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// Every item of `partition` whose sort key begins with `prefix`, decoded:
/// one query, reading a little over `max` so that a list grown past its
/// limit (by concurrent creations) is still read whole enough to refuse
/// more.
pub async fn list<T: DeserializeOwned>(
    app: &AppState,
    partition: &str,
    prefix: &str,
    max: usize,
) -> ApiResult<Vec<T>> {
    let page = app
        .store
        .query(Query::new(partition).begins_with(prefix).limit(max + 10))
        .await?;
    page.items
        .iter()
        .map(|i| i.data::<T>().map_err(ApiError::from))
        .collect()
}

/// A name, trimmed and with single spaces.
pub fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
