//! Which family a parent may reach: only those its account is linked to.
//! Anything else is "not found", never "forbidden": another family's ids
//! reveal nothing. Every feature asks here.

use axum::http::StatusCode;
use marelle_domain::family::history::FamilyEvent;
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item, Query, Write};

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// The family the request is about: `family_id` if the account is linked
/// to it, or the account's only family when none is given.
pub async fn family_of(
    app: &AppState,
    account_id: &str,
    family_id: Option<&str>,
) -> ApiResult<String> {
    if let Some(fid) = family_id.filter(|f| !f.is_empty()) {
        if fid.len() > 40 {
            return Err(ApiError::not_found());
        }
        return match app.store.get(&keys::subscription(account_id, fid)).await? {
            Some(_) => Ok(fid.to_string()),
            None => Err(ApiError::not_found()),
        };
    }
    let subs = app
        .store
        .query(
            Query::new(keys::account_partition(account_id))
                .begins_with(keys::SUBSCRIPTION_PREFIX)
                .limit(2),
        )
        .await?
        .items;
    match subs.as_slice() {
        [] => Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "no_family",
            "Aucun dossier famille n'est relié à votre compte. Renseignez votre code abonné dans « Mes abonnements ».",
        )),
        [one] => one
            .str_attr("family_id")
            .map(str::to_string)
            .ok_or_else(|| ApiError::internal("subscription", "no family_id")),
        _ => Err(ApiError::family_required(
            "Votre compte est relié à plusieurs familles : précisez laquelle (family_id).",
        )),
    }
}

/// The subscription items of an account (one per family it is linked to).
pub async fn subscription_items(app: &AppState, account_id: &str) -> ApiResult<Vec<Item>> {
    Ok(app
        .store
        .query(
            Query::new(keys::account_partition(account_id)).begins_with(keys::SUBSCRIPTION_PREFIX),
        )
        .await?
        .items)
}

/// The ids of the families an account is linked to.
pub async fn family_ids(app: &AppState, account_id: &str) -> ApiResult<Vec<String>> {
    subscription_items(app, account_id)
        .await?
        .iter()
        .map(|i| {
            i.str_attr("family_id")
                .map(str::to_string)
                .ok_or_else(|| ApiError::internal("subscription", "no family_id"))
        })
        .collect()
}

/// The linked family that has this child (404 otherwise).
pub async fn family_of_child(
    app: &AppState,
    account_id: &str,
    child_id: &str,
) -> ApiResult<String> {
    family_and_name_of_child(app, account_id, child_id)
        .await
        .map(|(fid, _)| fid)
}

/// The linked family that has this child, and the child's first name,
/// from the same read (404 otherwise).
pub async fn family_and_name_of_child(
    app: &AppState,
    account_id: &str,
    child_id: &str,
) -> ApiResult<(String, String)> {
    for fid in family_ids(app, account_id).await? {
        if let Some(item) = app.store.get(&keys::child(&fid, child_id)).await? {
            let name = item.str_attr("first_name").unwrap_or_default().to_string();
            return Ok((fid, name));
        }
    }
    Err(ApiError::not_found())
}

/// 404 `not_linked`: the account is not (or no longer) linked to the family.
pub fn not_linked() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_linked",
        "Ce compte n'est pas relié à ce dossier famille.",
    )
}

/// Removes the subscription and records `event`, in one transaction; 404
/// `not_linked` when there was no link.
pub async fn end_link(app: &AppState, family_id: &str, event: &FamilyEvent) -> ApiResult<()> {
    let writes = vec![
        Write::Delete {
            key: keys::subscription(&event.account_id, family_id),
            condition: Some(Condition::Exists),
        },
        super::history::record(family_id, event)?,
    ];
    match app.store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_condition_failed() => Err(not_linked()),
        Err(e) => Err(e.into()),
    }
}
