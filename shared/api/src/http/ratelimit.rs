//! Rate limits shared by every function instance: a counter per subject and
//! fixed window in the store, incremented only while under the limit (one
//! conditional update, no read-then-write).
//!
//! What is limited is a typed [`Scope`]; each scope counts by the caller's
//! address and by the account it names, and [`hit_both`] counts one attempt
//! against the two. Limits on failures only count first too ([`take`]) and
//! give the attempt back when it succeeds, so that no two attempts check
//! then count past the limit together.

use std::net::IpAddr;

use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Key, Update};

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
    /// An account (normalized e-mail) tried from one address.
    AccountAt(&'a str, IpAddr),
    /// A device known for an account (the device's hash and the account).
    Device(&'a str),
}

impl Scope {
    /// The counter's name in the store: `<scope>-<subject>` (`login-ip`,
    /// `login-pair`…), the sign-up's per-address counter keeping its first
    /// name `signup`, so counters already running go on.
    fn counter(self, subject: &Subject<'_>) -> String {
        let scope = match self {
            Scope::Login => "login",
            Scope::Signup => "signup",
            Scope::Reset => "reset",
            Scope::Subscribe => "subscribe",
            Scope::Upload => "upload",
        };
        match (self, subject) {
            (Scope::Signup, Subject::Address(_)) => scope.into(),
            (_, Subject::Address(_)) => format!("{scope}-ip"),
            (_, Subject::Account(_)) => format!("{scope}-account"),
            (_, Subject::AccountAt(..)) => format!("{scope}-pair"),
            (_, Subject::Device(_)) => format!("{scope}-device"),
        }
    }
}

impl Subject<'_> {
    fn text(&self) -> String {
        match self {
            Subject::Address(ip) => ip.to_string(),
            Subject::Account(a) | Subject::Device(a) => (*a).to_string(),
            Subject::AccountAt(a, ip) => format!("{a}#{ip}"),
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

/// An attempt counted by [`take`], which can be given back.
#[must_use = "an attempt is given back or kept on purpose"]
pub struct Taken {
    key: Key,
    ttl: i64,
}

impl Taken {
    /// Uncounts the attempt (it succeeded: only failures are limited), in
    /// the window it was counted in.
    pub async fn give_back(self, app: &AppState) -> ApiResult<()> {
        let update = Update::new().add("count", -1).set("ttl", self.ttl);
        app.store.update(&self.key, update, None).await?;
        Ok(())
    }
}

/// Counts one attempt by `subject` under `scope`, only while under the
/// limit (one conditional update: attempts racing each other cannot pass
/// the limit together); 429 with `Retry-After` past the limit.
pub async fn take(
    app: &AppState,
    scope: Scope,
    subject: Subject<'_>,
    limit: Limit,
) -> ApiResult<Taken> {
    let (start, left) = window(app, limit);
    let counter = scope.counter(&subject);
    let key = keys::rate_window(&counter, &subject.text(), start);
    let ttl = start + limit.window_secs.max(1) + 60;
    let update = Update::new().add("count", 1).set("ttl", ttl);
    match app
        .store
        .update(
            &key,
            update,
            Some(Condition::Below("count".into(), limit.max)),
        )
        .await
    {
        Ok(_) => Ok(Taken { key, ttl }),
        Err(e) if e.is_condition_failed() => {
            tracing::warn!(scope = %counter, "rate limited");
            Err(ApiError::rate_limited(left as u64))
        }
        Err(e) => Err(e.into()),
    }
}

/// Counts one attempt by `subject` under `scope`, for good; 429 with
/// `Retry-After` past the limit.
pub async fn hit(
    app: &AppState,
    scope: Scope,
    subject: Subject<'_>,
    limit: Limit,
) -> ApiResult<()> {
    take(app, scope, subject, limit).await.map(|_| ())
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

/// [`take`] against the address, then the account (the address's attempt
/// given back when the account is past its limit). For limits on failures:
/// count first, then give both back on success.
pub async fn take_both(
    app: &AppState,
    scope: Scope,
    address: IpAddr,
    account: &str,
    limits: Pair,
) -> ApiResult<[Taken; 2]> {
    take_pair(
        app,
        scope,
        (Subject::Address(address), limits.per_address),
        (Subject::Account(account), limits.per_account),
    )
    .await
}

/// [`take`] for `first`, then `second`; the first given back when the
/// second is past its limit, so that a refused attempt counts nowhere.
pub async fn take_pair(
    app: &AppState,
    scope: Scope,
    first: (Subject<'_>, Limit),
    second: (Subject<'_>, Limit),
) -> ApiResult<[Taken; 2]> {
    let one = take(app, scope, first.0, first.1).await?;
    match take(app, scope, second.0, second.1).await {
        Ok(two) => Ok([one, two]),
        Err(e) => {
            one.give_back(app).await?;
            Err(e)
        }
    }
}

/// Gives back every attempt (they succeeded).
pub async fn give_back_all(
    app: &AppState,
    taken: impl IntoIterator<Item = Taken>,
) -> ApiResult<()> {
    for t in taken {
        t.give_back(app).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_keep_the_names_already_in_stores() {
        let ip: IpAddr = "192.0.2.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let names = [
            (Scope::Login, Subject::Address(ip), "login-ip"),
            (Scope::Login, Subject::Account("a"), "login-account"),
            (Scope::Login, Subject::AccountAt("a", ip), "login-pair"),
            (Scope::Login, Subject::Device("d"), "login-device"),
            (Scope::Signup, Subject::Address(ip), "signup"),
            (Scope::Reset, Subject::Address(ip), "reset-ip"),
            (Scope::Reset, Subject::Account("a"), "reset-account"),
            (Scope::Subscribe, Subject::Address(ip), "subscribe-ip"),
            (Scope::Subscribe, Subject::Account("a"), "subscribe-account"),
            (Scope::Upload, Subject::Address(ip), "upload-ip"),
            (Scope::Upload, Subject::Account("a"), "upload-account"),
        ];
        for (scope, subject, name) in names {
            assert_eq!(scope.counter(&subject), name);
        }
    }
}
