//! Dossier changes as requests: submitted by a family, applied to the
//! dossier only when an agent accepts them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marelle_domain::family::changes::{description, label};
use marelle_domain::family::{ChangeSet, Target};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item, Write};
use marelle_domain::requests::{Decision, RequestKind, RequestRecord};
use marelle_domain::secrets::sealed;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::store::{self, PendingChange};
use super::view::{mask_changes, photo_link};
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::requests::kind::{Effects, KindEffects};
use crate::requests::view::{ChangeLine, KindDetail};

/// What a dossier-change request keeps (sealed): the change and the values
/// it replaces, as they were when submitted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeDetails {
    pub change: ChangeSet,
    pub before: Map<String, Value>,
}

fn details_of(app: &AppState, r: &RequestRecord) -> ApiResult<ChangeDetails> {
    let s = r
        .details
        .as_str()
        .ok_or_else(|| ApiError::internal("change details", "not sealed"))?;
    sealed::open(&app.keys.data_encryption, s).map_err(|e| ApiError::internal("change details", e))
}

/// Records a family's change as a pending request; returns its id. Refused
/// (422 `too_many_pending_changes`) while the family already has
/// [`store::MAX_PENDING_CHANGES`] changes waiting.
pub async fn submit(
    app: &AppState,
    family_id: &str,
    account_id: &str,
    change: ChangeSet,
    current: &Value,
    who: &str,
) -> ApiResult<String> {
    let (id, writes) = submit_writes(app, family_id, account_id, change, current, who).await?;
    app.store.transact(writes).await?;
    Ok(id)
}

/// What [`submit`] writes (the request and its pending marker), for a
/// caller adding its own writes to the same transaction.
pub async fn submit_writes(
    app: &AppState,
    family_id: &str,
    account_id: &str,
    change: ChangeSet,
    current: &Value,
    who: &str,
) -> ApiResult<(String, Vec<Write>)> {
    let max = store::MAX_PENDING_CHANGES;
    if store::pending_count(app, family_id, max).await? >= max {
        return Err(ApiError::rule(
            "too_many_pending_changes",
            format!(
                "Votre dossier a déjà {max} modifications en attente de validation par la collectivité. Attendez qu'elles soient traitées avant d'en soumettre d'autres."
            ),
        ));
    }
    let now: DateTime<Utc> = app.clock.now();
    let before: Map<String, Value> = change
        .fields
        .keys()
        .map(|k| (k.clone(), current.get(k).cloned().unwrap_or(Value::Null)))
        .collect();
    let details = ChangeDetails {
        change: change.clone(),
        before,
    };
    let sealed_details = sealed::seal(&app.keys.data_encryption, &details)
        .map_err(|e| ApiError::internal("seal", e))?;
    let id = app.ids.next();
    let mut record = RequestRecord::new(
        id.clone(),
        family_id.into(),
        RequestKind::DossierChange,
        account_id.into(),
        now,
        description(&change.target, &change.fields, who),
        Value::String(sealed_details),
    );
    if let Target::Child { id } | Target::NewChild { id } = &change.target {
        record.child_id = Some(id.clone());
    }
    let pending = PendingChange {
        request_id: id.clone(),
        submitted_at: now,
        target: change.target.clone(),
        changes: store::seal_change(app, &change)?,
    };
    let writes = vec![
        crate::requests::store::create(&record)?,
        Write::put_new(Item::with_data(
            keys::pending_change(family_id, &id),
            &pending,
        )?),
    ];
    Ok((id, writes))
}

/// The kind of a dossier change.
pub struct DossierChange;

#[async_trait]
impl KindEffects for DossierChange {
    /// On acceptance, the change applied to its item (only if nobody
    /// changed the item since it was read); either way, the pending marker
    /// removed.
    async fn decision(
        &self,
        app: &AppState,
        r: &RequestRecord,
        decision: Decision,
    ) -> ApiResult<Effects> {
        decision_writes(app, r, decision).await.map(Effects::writes)
    }

    /// Field by field, before and after (and, for agents, the value now).
    async fn detail(
        &self,
        app: &AppState,
        r: &RequestRecord,
        for_agent: bool,
    ) -> ApiResult<KindDetail> {
        Ok(KindDetail {
            document: None,
            changes: lines(app, r, for_agent).await?,
            details: Value::Null,
        })
    }
}

async fn decision_writes(
    app: &AppState,
    r: &RequestRecord,
    decision: Decision,
) -> ApiResult<Vec<Write>> {
    let mut writes = vec![Write::Delete {
        key: keys::pending_change(&r.family_id, &r.id),
        condition: None,
    }];
    if decision == Decision::Refused {
        return Ok(writes);
    }
    let details = details_of(app, r)?;
    let loaded = store::load(app, &r.family_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let gone = || {
        ApiError::conflict(
            "target_gone",
            "La personne concernée n'est plus dans le dossier.",
        )
    };
    let broken = |e: String| ApiError::internal("apply change", e);
    let change = &details.change;
    let write = match &change.target {
        Target::Family => {
            let next = change
                .apply_to_family(&loaded.dossier.family)
                .map_err(broken)?;
            // A quotient familial the commune validates dates from today.
            if change.fields.contains_key("fiscal")
                && let Some(euros) = next.fiscal.as_ref().and_then(|f| f.quotient_familial)
            {
                let today = marelle_domain::time::local_date(app.clock.now());
                writes.extend(
                    crate::invoicing::settings::quotients::from_dossier(
                        app,
                        &r.family_id,
                        euros,
                        today,
                    )
                    .await?,
                );
            }
            Write::Put {
                item: store::family_item(app, &next, loaded.family_version + 1)?,
                condition: Some(Condition::VersionIs(loaded.family_version)),
            }
        }
        Target::Guardian { id } => {
            let current = loaded.dossier.guardian(id).ok_or_else(gone)?;
            let version = loaded.guardian_version(id).ok_or_else(gone)?;
            let next = change.apply_to_guardian(current).map_err(broken)?;
            Write::Put {
                item: store::guardian_item(app, &r.family_id, &next, version + 1)?,
                condition: Some(Condition::VersionIs(version)),
            }
        }
        Target::Child { id } => {
            let current = loaded.dossier.child(id).ok_or_else(gone)?;
            let version = loaded.child_version(id).ok_or_else(gone)?;
            let next = change.apply_to_child(current).map_err(broken)?;
            Write::Put {
                item: store::child_item(app, &r.family_id, &next, version + 1)?,
                condition: Some(Condition::VersionIs(version)),
            }
        }
        Target::NewChild { id } => {
            if loaded.dossier.child(id).is_some() {
                return Err(ApiError::conflict(
                    "child_exists",
                    "Cet enfant est déjà dans le dossier.",
                ));
            }
            let child = change.new_child(id).map_err(broken)?;
            writes.push(Write::put_new(store::child_item(
                app,
                &r.family_id,
                &child,
                1,
            )?));
            // The crèche application that declared the birth, now for
            // this child.
            writes.extend(crate::creche::store::linked(app, r, &child).await?);
            return Ok(writes);
        }
    };
    writes.push(write);
    Ok(writes)
}

fn current_value(loaded: &store::Loaded, target: &Target, field: &str) -> Value {
    let v = match target {
        Target::Family => serde_json::to_value(&loaded.dossier.family).ok(),
        Target::Guardian { id } => loaded
            .dossier
            .guardian(id)
            .and_then(|g| serde_json::to_value(g).ok()),
        Target::Child { id } | Target::NewChild { id } => loaded
            .dossier
            .child(id)
            .and_then(|c| serde_json::to_value(c).ok()),
    };
    v.and_then(|v| v.get(field).cloned()).unwrap_or(Value::Null)
}

async fn lines(app: &AppState, r: &RequestRecord, for_agent: bool) -> ApiResult<Vec<ChangeLine>> {
    let details = details_of(app, r)?;
    let loaded = if for_agent {
        store::load(app, &r.family_id).await?
    } else {
        None
    };
    let (before, after) = if for_agent {
        (details.before, details.change.fields.clone())
    } else {
        (
            mask_changes(details.before),
            mask_changes(details.change.fields.clone()),
        )
    };
    let mut lines: Vec<ChangeLine> = after
        .into_iter()
        .map(|(field, new)| ChangeLine {
            label: label(&field).into(),
            old: before.get(&field).cloned().unwrap_or(Value::Null),
            current: loaded
                .as_ref()
                .map(|l| current_value(l, &details.change.target, &field)),
            field,
            new,
        })
        .collect();
    for line in &mut lines {
        if line.field == "photo_key" {
            // Photos show as short-lived links, never as storage keys.
            line.field = "photo_url".into();
            line.old = photo_link(app, &line.old).await;
            line.new = photo_link(app, &line.new).await;
            if let Some(current) = line.current.take() {
                line.current = Some(photo_link(app, &current).await);
            }
        }
    }
    Ok(lines)
}
