//! Rate limits shared by every function instance: a counter per subject and
//! fixed window in the store, incremented only while under the limit (one
//! conditional update, no read-then-write).

use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Update};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Limit};

/// Counts one attempt by `subject` under `scope`; 429 with `Retry-After`
/// past the limit.
pub async fn hit(app: &AppState, scope: &str, subject: &str, limit: Limit) -> ApiResult<()> {
    let now = app.clock.now().timestamp();
    let window = limit.window_secs.max(1);
    let start = now - now.rem_euclid(window);
    let key = keys::rate_window(scope, subject, start);
    let update = Update::new()
        .add("count", 1)
        .set("ttl", start + window + 60);
    match app
        .store
        .update(
            &key,
            update,
            Some(Condition::Below("count".into(), limit.max)),
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_condition_failed() => {
            let retry = (start + window - now).max(1) as u64;
            tracing::warn!(scope, "rate limited");
            Err(ApiError::rate_limited(retry))
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses with 429 when `subject` already reached the limit, without
/// counting (for limits that count failures only: call [`hit`] on failure).
pub async fn check(app: &AppState, scope: &str, subject: &str, limit: Limit) -> ApiResult<()> {
    let now = app.clock.now().timestamp();
    let window = limit.window_secs.max(1);
    let start = now - now.rem_euclid(window);
    let count = app
        .store
        .get(&keys::rate_window(scope, subject, start))
        .await?
        .and_then(|i| i.get("count").and_then(serde_json::Value::as_i64))
        .unwrap_or(0);
    if count >= limit.max {
        return Err(ApiError::rate_limited((start + window - now).max(1) as u64));
    }
    Ok(())
}
