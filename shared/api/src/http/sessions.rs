//! Sessions: an opaque random token in an HttpOnly cookie; the store keeps
//! only its SHA-256, with an expiry (TTL). Revoked on logout and when the
//! password changes.

use axum::http::{HeaderMap, HeaderValue, header};
use chrono::Duration;
use marelle_domain::accounts::{Account, Role, SessionRecord};
use marelle_domain::keys;
use marelle_domain::ports::store::{Index, Item, Key, Query};
use marelle_domain::secrets::{random_token, token_hash};

use crate::http::error::ApiResult;
use crate::http::state::AppState;

/// The logged-in account (any role), as its session opens it. Handlers take
/// it through the extractors of [`crate::http::extract`] (401 otherwise).
#[derive(Debug, Clone)]
pub struct CurrentAccount {
    pub account_id: String,
    pub role: Role,
    pub session_hash: String,
}

pub const COOKIE: &str = "marelle_session";

/// The long-lived cookie naming a browser that logged in before (OWASP's
/// "device cookie"): its owner's right password is not refused for failures
/// made elsewhere.
pub const DEVICE_COOKIE: &str = "marelle_device";

/// How long a device stays known after its last successful login.
pub const DEVICE_DAYS: i64 = 180;

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE)
}

/// The device cookie's id, hashed (as the store keeps it).
pub fn device_from_headers(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, DEVICE_COOKIE).map(|id| token_hash(&id))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KnownDevice {
    last_login_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// Whether the device (hashed id) logged in to the account before.
pub async fn knows_device(app: &AppState, device_hash: &str, account_id: &str) -> ApiResult<bool> {
    let Some(item) = app
        .store
        .get(&keys::known_device(device_hash, account_id))
        .await?
    else {
        return Ok(false);
    };
    let known: KnownDevice = item.data()?;
    Ok(known.expires_at > app.clock.now())
}

/// Remembers the browser as a device of the account after a successful
/// login, under the id it already has or a new one; returns the
/// `Set-Cookie` value (sent again each time, so that it lasts).
pub async fn remember_device(
    app: &AppState,
    headers: &HeaderMap,
    account_id: &str,
) -> ApiResult<HeaderValue> {
    let id = cookie_value(headers, DEVICE_COOKIE).unwrap_or_else(random_token);
    let hash = token_hash(&id);
    let now = app.clock.now();
    let expires_at = now + Duration::days(DEVICE_DAYS);
    let item = Item::with_data(
        keys::known_device(&hash, account_id),
        &KnownDevice {
            last_login_at: now,
            expires_at,
        },
    )?
    .expires_at(expires_at.timestamp());
    app.store.put(item, None).await?;
    let secure = if app.settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let s = format!(
        "{DEVICE_COOKIE}={id}; Path=/api/session; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        DEVICE_DAYS * 24 * 3600
    );
    Ok(HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("")))
}

fn cookie(app: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if app.settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let s = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` value that ends the session in the browser.
pub fn clearing_cookie(app: &AppState) -> HeaderValue {
    cookie(app, "", 0)
}

/// Opens a session for the account; returns the `Set-Cookie` value.
pub async fn open(app: &AppState, account: &Account) -> ApiResult<HeaderValue> {
    let token = random_token();
    let hash = token_hash(&token);
    let now = app.clock.now();
    let expires_at = now + Duration::hours(app.settings.session_hours);
    let record = SessionRecord {
        account_id: account.id.clone(),
        role: account.role,
        created_at: now,
        expires_at,
    };
    let item = Item::with_data(keys::session(&hash), &record)?
        .index(
            Index::Gsi1,
            keys::sessions_of(&account.id),
            keys::session_in_account(&now.to_rfc3339(), &hash),
        )
        .expires_at(expires_at.timestamp());
    app.store
        .put(item, Some(marelle_domain::ports::Condition::NotExists))
        .await?;
    Ok(cookie(app, &token, app.settings.session_hours * 3600))
}

/// The session a token opens, if it is alive.
pub async fn lookup(app: &AppState, token: &str) -> ApiResult<Option<CurrentAccount>> {
    let hash = token_hash(token);
    let Some(item) = app.store.get(&keys::session(&hash)).await? else {
        return Ok(None);
    };
    let record: SessionRecord = item.data()?;
    if record.expires_at <= app.clock.now() {
        return Ok(None);
    }
    Ok(Some(CurrentAccount {
        account_id: record.account_id,
        role: record.role,
        session_hash: hash,
    }))
}

pub async fn close(app: &AppState, session_hash: &str) -> ApiResult<()> {
    app.store.delete(&keys::session(session_hash), None).await?;
    Ok(())
}

/// Closes every session of the account (password changed).
pub async fn close_all(app: &AppState, account_id: &str) -> ApiResult<usize> {
    let mut keys_to_delete: Vec<Key> = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .store
            .query(
                Query::on(Index::Gsi1, keys::sessions_of(account_id))
                    .begins_with("SESSION#")
                    .limit(100)
                    .after(cursor),
            )
            .await?;
        keys_to_delete.extend(page.items.iter().map(Item::key));
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    let n = keys_to_delete.len();
    if n > 0 {
        app.store.write_many(vec![], keys_to_delete).await?;
    }
    Ok(n)
}
