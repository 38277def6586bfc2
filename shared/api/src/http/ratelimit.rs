//! Rate limits shared by every function instance: a counter per subject and
//! fixed window in the store, incremented only while under the limit (one
//! conditional update, no read-then-write).
//!
//! What is limited is a typed [`Scope`]; each scope counts by the caller's
//! address and by the account it names, and [`hit_both`] counts one attempt
//! against the two.

use std::net::IpAddr;

use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Update};

use crate::http::error::{ApiError, ApiResult};
pub use crate::http::state::Pair;
use crate::http::state::{AppState, Limit};

/// What an attempt is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Logging in, and changing one's password (the current one is asked).
    Login,
    /// Creating an account.
    Signup,
    /// Asking for a password reset or a new activation link.
    Reset,
    /// Failed subscriptions (a wrong code or invoice).
    Subscribe,
    /// Asking for upload grants (photos, documents).
    Upload,
}

/// Who the attempt is counted against.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Address(IpAddr),
    /// An account's id or normalized e-mail.
    Account(&'a str),
}

impl Scope {
    /// The counter's name in the store (kept as it always was, so counters
    /// already running go on).
    fn counter(self, subject: &Subject<'_>) -> &'static str {
        match (self, subject) {
            (Scope::Login, Subject::Address(_)) => "login-ip",
            (Scope::Login, Subject::Account(_)) => "login-account",
            (Scope::Signup, Subject::Address(_)) => "signup",
            (Scope::Signup, Subject::Account(_)) => "signup-account",
            (Scope::Reset, Subject::Address(_)) => "reset-ip",
            (Scope::Reset, Subject::Account(_)) => "reset-account",
            (Scope::Subscribe, Subject::Address(_)) => "subscribe-ip",
            (Scope::Subscribe, Subject::Account(_)) => "subscribe-account",
            (Scope::Upload, Subject::Address(_)) => "upload-ip",
            (Scope::Upload, Subject::Account(_)) => "upload-account",
        }
    }
}

impl Subject<'_> {
    fn text(&self) -> String {
        match self {
            Subject::Address(ip) => ip.to_string(),
            Subject::Account(a) => (*a).to_string(),
        }
    }
}

/// The window `now` falls in: its start and the seconds left in it.
fn window(app: &AppState, limit: Limit) -> (i64, i64) {
    let now = app.clock.now().timestamp();
    let window = limit.window_secs.max(1);
    let start = now - now.rem_euclid(window);
    (start, (start + window - now).max(1))
}

/// Counts one attempt by `subject` under `scope`; 429 with `Retry-After`
/// past the limit.
pub async fn hit(
    app: &AppState,
    scope: Scope,
    subject: Subject<'_>,
    limit: Limit,
) -> ApiResult<()> {
    let (start, left) = window(app, limit);
    let key = keys::rate_window(scope.counter(&subject), &subject.text(), start);
    let update = Update::new()
        .add("count", 1)
        .set("ttl", start + limit.window_secs.max(1) + 60);
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
            tracing::warn!(scope = scope.counter(&subject), "rate limited");
            Err(ApiError::rate_limited(left as u64))
        }
        Err(e) => Err(e.into()),
    }
}

/// Counts one attempt against the address, then against the account.
pub async fn hit_both(
    app: &AppState,
    scope: Scope,
    address: IpAddr,
    account: &str,
    limits: Pair,
) -> ApiResult<()> {
    hit(app, scope, Subject::Address(address), limits.per_address).await?;
    hit(app, scope, Subject::Account(account), limits.per_account).await
}

/// Refuses with 429 when `subject` already reached the limit, without
/// counting (for limits that count failures only: call [`hit`] on failure).
pub async fn check(
    app: &AppState,
    scope: Scope,
    subject: Subject<'_>,
    limit: Limit,
) -> ApiResult<()> {
    let (start, left) = window(app, limit);
    let count = app
        .store
        .get(&keys::rate_window(
            scope.counter(&subject),
            &subject.text(),
            start,
        ))
        .await?
        .and_then(|i| i.get("count").and_then(serde_json::Value::as_i64))
        .unwrap_or(0);
    if count >= limit.max {
        return Err(ApiError::rate_limited(left as u64));
    }
    Ok(())
}

/// [`check`] for the account, then for the address.
pub async fn check_both(
    app: &AppState,
    scope: Scope,
    address: IpAddr,
    account: &str,
    limits: Pair,
) -> ApiResult<()> {
    check(app, scope, Subject::Account(account), limits.per_account).await?;
    check(app, scope, Subject::Address(address), limits.per_address).await
}

/// Counts one failure against the account, then the address, without a
/// ceiling: [`check_both`] refuses the next attempt once a limit is reached.
pub async fn count_failure(
    app: &AppState,
    scope: Scope,
    address: IpAddr,
    account: &str,
    limits: Pair,
) -> ApiResult<()> {
    let unbounded = |l: Limit| Limit { max: i64::MAX, ..l };
    hit(
        app,
        scope,
        Subject::Account(account),
        unbounded(limits.per_account),
    )
    .await?;
    hit(
        app,
        scope,
        Subject::Address(address),
        unbounded(limits.per_address),
    )
    .await
}
