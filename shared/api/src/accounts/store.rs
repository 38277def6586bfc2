//! Accounts in the store: creation under a unique e-mail, lookups, one-time
//! tokens.

use chrono::{DateTime, Duration, Utc};
use marelle_domain::accounts::{Account, OneTimeToken, TokenKind};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Index, Item, Query, Write};
use marelle_domain::secrets::{random_token, token_hash};
use serde::{Deserialize, Serialize};

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

#[derive(Serialize, Deserialize)]
struct EmailOwner {
    account_id: String,
}

/// How long spent and expired tokens stay readable, to say so precisely.
const TOKEN_AFTERLIFE_DAYS: i64 = 7;

pub fn account_item(account: &Account) -> ApiResult<Item> {
    Ok(Item::with_data(keys::account(&account.id), account)?.index(
        Index::Gsi1,
        keys::accounts_by_role(account.role.as_str()),
        account.email.to_lowercase(),
    ))
}

pub fn new_token(
    kind: TokenKind,
    account_id: &str,
    now: DateTime<Utc>,
    valid_for: Duration,
) -> ApiResult<(String, Item)> {
    let token = random_token();
    let record = OneTimeToken {
        kind,
        account_id: account_id.to_string(),
        created_at: now,
        expires_at: now + valid_for,
        used: false,
        used_at: None,
    };
    let item = Item::with_data(keys::token(&token_hash(&token)), &record)?
        .expires_at((now + valid_for + Duration::days(TOKEN_AFTERLIFE_DAYS)).timestamp());
    Ok((token, item))
}

pub enum Created {
    Yes,
    /// Another account has this e-mail (whatever its case).
    EmailTaken,
}

/// Creates the account, its e-mail claim and, optionally, a token, all or
/// nothing. The e-mail claim is a conditional write: two sign-ups racing
/// for one address cannot both win.
pub async fn create(app: &AppState, account: &Account, token: Option<Item>) -> ApiResult<Created> {
    let owner = Item::with_data(
        keys::email(&account.email.to_lowercase()),
        &EmailOwner {
            account_id: account.id.clone(),
        },
    )?;
    let mut writes = vec![
        Write::put_new(owner),
        Write::put_new(account_item(account)?),
    ];
    if let Some(t) = token {
        writes.push(Write::put_new(t));
    }
    match app.store.transact(writes).await {
        Ok(()) => Ok(Created::Yes),
        Err(marelle_domain::ports::StoreError::ConditionFailed { index: Some(0) }) => {
            Ok(Created::EmailTaken)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn by_id(app: &AppState, id: &str) -> ApiResult<Option<Account>> {
    match app.store.get(&keys::account(id)).await? {
        Some(item) => Ok(Some(item.data()?)),
        None => Ok(None),
    }
}

pub async fn by_email(app: &AppState, normalized: &str) -> ApiResult<Option<Account>> {
    let Some(owner) = app.store.get(&keys::email(normalized)).await? else {
        return Ok(None);
    };
    let owner: EmailOwner = owner.data()?;
    by_id(app, &owner.account_id).await
}

/// The account and its subscriptions (family ids), in one query.
pub async fn with_subscriptions(
    app: &AppState,
    id: &str,
) -> ApiResult<Option<(Account, Vec<Item>)>> {
    let items = app
        .store
        .query(Query::new(keys::account_partition(id)))
        .await?
        .items;
    let mut account = None;
    let mut subs = Vec::new();
    for item in items {
        if item.sk() == "ACCOUNT" {
            account = Some(item.data::<Account>()?);
        } else if item.sk().starts_with(keys::SUBSCRIPTION_PREFIX) {
            subs.push(item);
        }
    }
    Ok(account.map(|a| (a, subs)))
}

/// A token as found: live and unspent, or why not.
pub enum TokenState {
    Valid(OneTimeToken),
    Used,
    Expired,
    Unknown,
}

pub async fn token(app: &AppState, token: &str, kind: TokenKind) -> ApiResult<TokenState> {
    Ok(token_and_stamp(app, token, kind).await?.0)
}

/// Attribute of a reset token: the [`password_stamp`] of the account when
/// the link was sent.
const PASSWORD_STAMP: &str = "password_stamp";

/// A fingerprint of the account's password (of its hash, itself salted):
/// it changes with every new password, so a reset link sent before a
/// change stops working after it, whichever way the password changed.
pub fn password_stamp(account: &Account) -> String {
    token_hash(&account.password_hash)
}

/// A reset token for the account, bound to its current password: spent by
/// use, and revoked by any password change ([`still_current`]).
pub fn new_reset_token(
    account: &Account,
    now: DateTime<Utc>,
    valid_for: Duration,
) -> ApiResult<(String, Item)> {
    let (token, mut item) = new_token(TokenKind::PasswordReset, &account.id, now, valid_for)?;
    item.set(
        PASSWORD_STAMP,
        serde_json::Value::String(password_stamp(account)),
    );
    Ok((token, item))
}

/// Whether a reset token was sent for the account's current password
/// (tokens sent before stamps existed carry none and live out their hour).
pub fn still_current(stamp: Option<&str>, account: &Account) -> bool {
    stamp.is_none_or(|s| s == password_stamp(account))
}

/// The token's state, and the password stamp it carries (reset tokens).
pub async fn token_and_stamp(
    app: &AppState,
    token: &str,
    kind: TokenKind,
) -> ApiResult<(TokenState, Option<String>)> {
    if token.is_empty() || token.len() > 128 {
        return Ok((TokenState::Unknown, None));
    }
    let Some(item) = app.store.get(&keys::token(&token_hash(token))).await? else {
        return Ok((TokenState::Unknown, None));
    };
    let stamp = item.str_attr(PASSWORD_STAMP).map(str::to_string);
    let record: OneTimeToken = item.data()?;
    let state = if record.kind != kind {
        TokenState::Unknown
    } else if record.used {
        TokenState::Used
    } else if record.expires_at <= app.clock.now() {
        TokenState::Expired
    } else {
        TokenState::Valid(record)
    };
    Ok((state, stamp))
}

/// The write that spends a token, only if nobody spent it first.
pub fn spend_token(token: &str, now: DateTime<Utc>) -> Write {
    Write::Update {
        key: keys::token(&token_hash(token)),
        update: marelle_domain::ports::Update::new()
            .set("used", true)
            .set("used_at", serde_json::to_value(now).unwrap_or_default()),
        condition: Some(Condition::Equals(
            "used".into(),
            serde_json::Value::Bool(false),
        )),
    }
}

/// The write that saves a changed account, only if nobody changed it first.
pub fn save_account(account: &Account) -> ApiResult<Write> {
    let mut next = account.clone();
    next.version += 1;
    Ok(Write::Put {
        item: account_item(&next)?,
        condition: Some(Condition::VersionIs(account.version)),
    })
}

pub fn token_error(state: TokenState, what: &str) -> ApiError {
    match state {
        TokenState::Used => {
            ApiError::bad_request("token_used", format!("Ce lien {what} a déjà été utilisé."))
        }
        TokenState::Expired => ApiError::bad_request(
            "token_expired",
            format!("Ce lien {what} a expiré. Demandez-en un nouveau."),
        ),
        TokenState::Unknown | TokenState::Valid(_) => ApiError::bad_request(
            "invalid_token",
            format!(
                "Ce lien {what} n'est pas valide. Vérifiez qu'il est complet ou demandez-en un nouveau."
            ),
        ),
    }
}
