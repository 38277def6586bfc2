//! The family file in the store: one partition per family (`FAMILY#<id>`),
//! the whole dossier under `D#` so that it reads in one query whatever the
//! family's size. Health, bank and fiscal data are sealed at rest.

use marelle_domain::family::{
    ChangeSet, Child, Dossier, FamilyRecord, Guardian, Target, ValidFamily, codes,
};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Index, Item, Key, Query, Write};
use marelle_domain::secrets::sealed;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

const SEALED: &str = "sealed";

/// Moves `fields` of a JSON object into one sealed attribute.
fn seal_fields(app: &AppState, value: Value, fields: &[&str]) -> ApiResult<Map<String, Value>> {
    let Value::Object(mut map) = value else {
        return Err(ApiError::internal("seal", "not an object"));
    };
    let mut secret = Map::new();
    for f in fields {
        if let Some(v) = map.remove(*f) {
            secret.insert((*f).to_string(), v);
        }
    }
    let s = sealed::seal(&app.keys.data_encryption, &secret)
        .map_err(|e| ApiError::internal("seal", e))?;
    map.insert(SEALED.into(), Value::String(s));
    Ok(map)
}

/// Puts the sealed fields back in place.
fn open_fields(app: &AppState, mut map: Map<String, Value>) -> ApiResult<Value> {
    if let Some(Value::String(s)) = map.remove(SEALED) {
        let secret: Map<String, Value> = sealed::open(&app.keys.data_encryption, &s)
            .map_err(|e| ApiError::internal("unseal", e))?;
        map.extend(secret);
    }
    Ok(Value::Object(map))
}

fn item_of(
    app: &AppState,
    key: Key,
    value: Value,
    sealed_fields: &[&str],
    version: i64,
) -> ApiResult<Item> {
    let mut map = seal_fields(app, value, sealed_fields)?;
    map.insert("version".into(), Value::from(version));
    Ok(Item::with_data(key, &map)?)
}

fn decode<T: serde::de::DeserializeOwned>(app: &AppState, item: &Item) -> ApiResult<(T, i64)> {
    let mut map = item.attrs().clone();
    for k in [
        "PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK",
    ] {
        map.remove(k);
    }
    let version = map.remove("version").and_then(|v| v.as_i64()).unwrap_or(0);
    let value = open_fields(app, map)?;
    let t = serde_json::from_value(value).map_err(|e| {
        ApiError::internal(
            "decode dossier item",
            format!("{}/{}: {e}", item.pk(), item.sk()),
        )
    })?;
    Ok((t, version))
}

pub const FAMILY_SEALED: &[&str] = &["fiscal"];
pub const GUARDIAN_SEALED: &[&str] = &["bank"];
pub const CHILD_SEALED: &[&str] = &["health", "appliances"];

pub fn family_item(app: &AppState, f: &FamilyRecord, version: i64) -> ApiResult<Item> {
    Ok(item_of(
        app,
        keys::family(&f.id),
        serde_json::to_value(f).unwrap_or_default(),
        FAMILY_SEALED,
        version,
    )?
    .index(
        Index::Gsi2,
        keys::FAMILIES,
        keys::family_in_list(&f.label, &f.id),
    ))
}

pub fn guardian_item(
    app: &AppState,
    family_id: &str,
    g: &Guardian,
    version: i64,
) -> ApiResult<Item> {
    item_of(
        app,
        keys::guardian(family_id, &g.id),
        serde_json::to_value(g).unwrap_or_default(),
        GUARDIAN_SEALED,
        version,
    )
}

pub fn child_item(app: &AppState, family_id: &str, c: &Child, version: i64) -> ApiResult<Item> {
    // GSI1 finds a child's family from the child's id (enrolments).
    Ok(item_of(
        app,
        keys::child(family_id, &c.id),
        serde_json::to_value(c).unwrap_or_default(),
        CHILD_SEALED,
        version,
    )?
    .index(Index::Gsi1, keys::child_index(&c.id), family_id.to_string()))
}

/// The family of a child, from its id alone (agents' enrolments).
pub async fn family_of_child(app: &AppState, child_id: &str) -> ApiResult<Option<String>> {
    if child_id.is_empty() || child_id.len() > 40 {
        return Ok(None);
    }
    let items = app
        .store
        .query(Query::on(Index::Gsi1, keys::child_index(child_id)).limit(1))
        .await?
        .items;
    Ok(items
        .first()
        .and_then(|i| i.str_attr("GSI1SK"))
        .map(str::to_string))
}

/// A change waiting for the commune, kept in the dossier's partition so
/// that the dossier shows it beside the current values.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingChange {
    pub request_id: String,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    pub target: Target,
    /// The change set, sealed (it may hold health or bank data).
    pub changes: String,
}

impl PendingChange {
    pub fn open(&self, app: &AppState) -> ApiResult<ChangeSet> {
        sealed::open(&app.keys.data_encryption, &self.changes)
            .map_err(|e| ApiError::internal("unseal change", e))
    }
}

pub fn seal_change(app: &AppState, set: &ChangeSet) -> ApiResult<String> {
    sealed::seal(&app.keys.data_encryption, set).map_err(|e| ApiError::internal("seal change", e))
}

/// A dossier as read, with each item's version for conditional writes.
pub struct Loaded {
    pub dossier: Dossier,
    pub family_version: i64,
    pub guardian_versions: Vec<i64>,
    pub child_versions: Vec<i64>,
    pub pending: Vec<PendingChange>,
}

impl Loaded {
    pub fn guardian_version(&self, id: &str) -> Option<i64> {
        self.dossier
            .guardians
            .iter()
            .position(|g| g.id == id)
            .map(|i| self.guardian_versions[i])
    }

    pub fn child_version(&self, id: &str) -> Option<i64> {
        self.dossier
            .children
            .iter()
            .position(|c| c.id == id)
            .map(|i| self.child_versions[i])
    }
}

/// Most dossier changes of one family waiting for the commune at once:
/// `GET /api/family` loads them all with the dossier.
pub const MAX_PENDING_CHANGES: usize = 10;

/// How many dossier changes of the family wait, counted up to `up_to` (one
/// bounded query on the family's partition).
pub async fn pending_count(app: &AppState, family_id: &str, up_to: usize) -> ApiResult<usize> {
    let page = app
        .store
        .query(
            Query::new(keys::family_partition(family_id))
                .begins_with(PENDING_PREFIX)
                .limit(up_to),
        )
        .await?;
    Ok(page.items.len())
}

/// Sort-key prefix of a family's pending dossier changes.
const PENDING_PREFIX: &str = "D#PENDING#";

/// The whole dossier in one query.
pub async fn load(app: &AppState, family_id: &str) -> ApiResult<Option<Loaded>> {
    let items = app
        .store
        .query(Query::new(keys::family_partition(family_id)).begins_with(keys::DOSSIER_PREFIX))
        .await?
        .items;
    let mut family = None;
    let mut loaded = Loaded {
        dossier: Dossier {
            family: FamilyRecord {
                id: family_id.into(),
                label: String::new(),
                fiscal: None,
                subscriber_code: None,
                external_ref: None,
                created_at: chrono::DateTime::default(),
            },
            guardians: Vec::new(),
            children: Vec::new(),
        },
        family_version: 0,
        guardian_versions: Vec::new(),
        child_versions: Vec::new(),
        pending: Vec::new(),
    };
    for item in &items {
        let sk = item.sk();
        if sk == "D#FAMILY" {
            let (f, v): (FamilyRecord, i64) = decode(app, item)?;
            family = Some(f);
            loaded.family_version = v;
        } else if sk.starts_with("D#GUARDIAN#") {
            let (g, v): (Guardian, i64) = decode(app, item)?;
            loaded.dossier.guardians.push(g);
            loaded.guardian_versions.push(v);
        } else if sk.starts_with("D#CHILD#") {
            let (c, v): (Child, i64) = decode(app, item)?;
            loaded.dossier.children.push(c);
            loaded.child_versions.push(v);
        } else if sk.starts_with(PENDING_PREFIX) {
            loaded.pending.push(item.data()?);
        }
    }
    Ok(family.map(|f| {
        loaded.dossier.family = f;
        loaded
    }))
}

/// The writes that create a new family: its record, people and code (and
/// its quotient familial, when given). The subscriber code is claimed by a
/// conditional write (unique).
pub fn creation_writes(
    app: &AppState,
    record: &FamilyRecord,
    family: &ValidFamily,
) -> ApiResult<Vec<Write>> {
    let mut writes = vec![Write::put_new(family_item(app, record, 1)?)];
    if let Some(code) = &record.subscriber_code {
        writes.push(Write::put_new(Item::with_data(
            keys::subscriber_code(code),
            &CodeOwner {
                family_id: record.id.clone(),
            },
        )?));
    }
    for g in &family.guardians {
        writes.push(Write::put_new(guardian_item(app, &record.id, g, 1)?));
    }
    for c in &family.children {
        writes.push(Write::put_new(child_item(app, &record.id, c, 1)?));
    }
    // A quotient familial the agent entered with the new file holds from today.
    if let Some(euros) = record.fiscal.as_ref().and_then(|f| f.quotient_familial) {
        let today = marelle_domain::time::local_date(app.clock.now());
        writes.push(crate::invoicing::settings::quotients::new_family_write(
            &record.id, euros, today,
        )?);
    }
    Ok(writes)
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CodeOwner {
    pub family_id: String,
}

/// Creates the family; retries with a new code on the (unlikely) clash of
/// codes. `extra` writes go in the same transaction (the import's marker).
pub async fn create(
    app: &AppState,
    family: &ValidFamily,
    external_ref: Option<String>,
    extra: Vec<Write>,
) -> ApiResult<FamilyRecord> {
    for _ in 0..5 {
        let record = FamilyRecord {
            id: app.ids.next(),
            label: family.label.clone(),
            fiscal: family.fiscal.clone(),
            subscriber_code: Some(codes::new_subscriber_code()),
            external_ref: external_ref.clone(),
            created_at: app.clock.now(),
        };
        let mut writes = creation_writes(app, &record, family)?;
        let code_index = 1;
        let extra_start = writes.len();
        // An import marker records the family it made: invoices imported
        // later name the family by the same reference.
        writes.extend(extra.iter().cloned().map(|w| match w {
            Write::Put {
                mut item,
                condition,
            } if item.pk().starts_with("IMPORT#") => {
                item.set("family_id", serde_json::Value::String(record.id.clone()));
                Write::Put { item, condition }
            }
            w => w,
        }));
        match app.store.transact(writes).await {
            Ok(()) => return Ok(record),
            Err(marelle_domain::ports::StoreError::ConditionFailed { index: Some(i) })
                if i == code_index =>
            {
                continue;
            }
            Err(marelle_domain::ports::StoreError::ConditionFailed { index: Some(i) })
                if i >= extra_start =>
            {
                return Err(ApiError::conflict(
                    "already_imported",
                    "Cette famille a déjà été importée.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal(
        "family creation",
        "no free subscriber code after 5 tries",
    ))
}

/// The family a subscriber code opens, if any.
pub async fn by_code(app: &AppState, code: &str) -> ApiResult<Option<String>> {
    Ok(match app.store.get(&keys::subscriber_code(code)).await? {
        Some(item) => Some(item.data::<CodeOwner>()?.family_id),
        None => None,
    })
}

/// Replaces the family's subscriber code (or revokes it with `None`): the
/// old one stops working at once.
pub async fn set_code(app: &AppState, family_id: &str, renew: bool) -> ApiResult<Option<String>> {
    for _ in 0..5 {
        let loaded = load(app, family_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let mut record = loaded.dossier.family.clone();
        let mut writes = Vec::new();
        if let Some(old) = &record.subscriber_code {
            writes.push(Write::Delete {
                key: keys::subscriber_code(old),
                condition: None,
            });
        }
        record.subscriber_code = renew.then(codes::new_subscriber_code);
        if let Some(new) = &record.subscriber_code {
            writes.push(Write::put_new(Item::with_data(
                keys::subscriber_code(new),
                &CodeOwner {
                    family_id: family_id.into(),
                },
            )?));
        }
        writes.push(Write::Put {
            item: family_item(app, &record, loaded.family_version + 1)?,
            condition: Some(Condition::VersionIs(loaded.family_version)),
        });
        match app.store.transact(writes).await {
            Ok(()) => return Ok(record.subscriber_code),
            Err(e) if e.is_condition_failed() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "Le dossier a été modifié entre-temps. Recommencez.",
    ))
}

/// Names the back-office lists show: children and family labels, read in
/// one batch whatever the number of lines.
#[derive(Debug, Default)]
pub struct Names {
    /// Child id → (first name, last name).
    pub children: std::collections::HashMap<String, (String, String)>,
    /// Family id → label ("Famille DUPONT").
    pub families: std::collections::HashMap<String, String>,
}

impl Names {
    pub fn child(&self, id: Option<&str>) -> (Option<String>, Option<String>) {
        match id.and_then(|id| self.children.get(id)) {
            Some((first, last)) => (Some(first.clone()), Some(last.clone())),
            None => (None, None),
        }
    }

    pub fn family(&self, id: &str) -> String {
        self.families.get(id).cloned().unwrap_or_default()
    }
}

/// The names of these (family, child) pairs (a child id may be absent).
pub async fn names<'a>(
    app: &AppState,
    pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> ApiResult<Names> {
    let mut wanted: Vec<Key> = Vec::new();
    for (family_id, child_id) in pairs {
        wanted.push(keys::family(family_id));
        if let Some(c) = child_id {
            wanted.push(keys::child(family_id, c));
        }
    }
    wanted.sort();
    wanted.dedup();
    let mut names = Names::default();
    for item in app.store.get_many(&wanted).await? {
        let text = |f: &str| item.str_attr(f).unwrap_or_default().to_string();
        if item.sk() == "D#FAMILY" {
            names.families.insert(text("id"), text("label"));
        } else {
            names
                .children
                .insert(text("id"), (text("first_name"), text("last_name")));
        }
    }
    Ok(names)
}
