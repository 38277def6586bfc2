//! The store port: one table of items addressed by `PK`/`SK`, three sparse
//! global secondary indexes (`GSI1PK`/`GSI1SK` … `GSI3PK`/`GSI3SK`), an
//! optional `ttl` (Unix seconds) after which an item is gone for readers,
//! typed conditions and transactions.
//!
//! The same items and keys live in DynamoDB (AWS) and in SQLite (embedded).
//! An item is a JSON object; numbers are integers or decimals, strings,
//! booleans, nulls, lists and maps nest freely. Key attributes are strings.

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Attribute names with a meaning to the store.
pub mod attr {
    pub const PK: &str = "PK";
    pub const SK: &str = "SK";
    pub const TTL: &str = "ttl";
    pub const GSI: [(&str, &str); 3] = [
        ("GSI1PK", "GSI1SK"),
        ("GSI2PK", "GSI2SK"),
        ("GSI3PK", "GSI3SK"),
    ];
}

/// DynamoDB's limits, enforced by both adapters so that code that works on
/// one works on the other.
pub mod limits {
    /// Items in one transaction.
    pub const TRANSACTION_ITEMS: usize = 100;
    /// Items in one `BatchWriteItem` call.
    pub const BATCH_WRITE_ITEMS: usize = 25;
    /// Keys in one `BatchGetItem` call.
    pub const BATCH_GET_KEYS: usize = 100;
    /// Serialized size of one item, in bytes (DynamoDB counts a little
    /// differently; JSON length is a close, slightly stricter, proxy).
    pub const ITEM_BYTES: usize = 400 * 1024;
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// One item: its attributes, key attributes included.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    attrs: Map<String, Value>,
}

impl Item {
    /// An item with its primary key and no other attribute.
    pub fn new(key: Key) -> Self {
        let mut attrs = Map::new();
        attrs.insert(attr::PK.into(), Value::String(key.pk));
        attrs.insert(attr::SK.into(), Value::String(key.sk));
        Self { attrs }
    }

    /// An item with `data`'s fields (a struct serialized to a JSON object)
    /// beside its key. Fields named like key attributes are rejected.
    pub fn with_data<T: Serialize>(key: Key, data: &T) -> Result<Self, StoreError> {
        let mut item = Self::new(key);
        match serde_json::to_value(data) {
            Ok(Value::Object(map)) => {
                for (k, v) in map {
                    if is_reserved(&k) {
                        return Err(StoreError::Invalid(format!(
                            "data field {k} is a key attribute"
                        )));
                    }
                    item.attrs.insert(k, v);
                }
                Ok(item)
            }
            Ok(_) => Err(StoreError::Invalid("item data must be an object".into())),
            Err(e) => Err(StoreError::Invalid(format!("item data: {e}"))),
        }
    }

    /// Rebuilds an item from all its attributes (adapters use this).
    pub fn from_attrs(attrs: Map<String, Value>) -> Result<Self, StoreError> {
        for name in [attr::PK, attr::SK] {
            match attrs.get(name) {
                Some(Value::String(s)) if !s.is_empty() => {}
                _ => {
                    return Err(StoreError::Invalid(format!(
                        "{name} missing or not a string"
                    )));
                }
            }
        }
        Ok(Self { attrs })
    }

    pub fn key(&self) -> Key {
        Key::new(self.pk(), self.sk())
    }

    pub fn pk(&self) -> &str {
        self.str_attr(attr::PK).unwrap_or_default()
    }

    pub fn sk(&self) -> &str {
        self.str_attr(attr::SK).unwrap_or_default()
    }

    /// Places the item in index `n` (1 to 3).
    pub fn index(mut self, index: Index, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        if let Some((p, s)) = index.attr_names() {
            self.attrs.insert(p.into(), Value::String(pk.into()));
            self.attrs.insert(s.into(), Value::String(sk.into()));
        }
        self
    }

    /// The item disappears for readers once `expires_at` (Unix seconds) is past.
    pub fn expires_at(mut self, unix_seconds: i64) -> Self {
        self.attrs
            .insert(attr::TTL.into(), Value::from(unix_seconds));
        self
    }

    pub fn ttl(&self) -> Option<i64> {
        self.attrs.get(attr::TTL).and_then(Value::as_i64)
    }

    /// Whether the item is expired at `now` (Unix seconds).
    pub fn is_expired(&self, now: i64) -> bool {
        self.ttl().is_some_and(|t| t <= now)
    }

    pub fn index_key(&self, index: Index) -> Option<(&str, &str)> {
        let (p, s) = index.attr_names()?;
        Some((self.str_attr(p)?, self.str_attr(s)?))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attrs.get(name)
    }

    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.attrs.insert(name.into(), value);
    }

    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.attrs.remove(name)
    }

    pub fn str_attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).and_then(Value::as_str)
    }

    pub fn attrs(&self) -> &Map<String, Value> {
        &self.attrs
    }

    pub fn into_attrs(self) -> Map<String, Value> {
        self.attrs
    }

    /// The item's data as `T` (key attributes are ignored unless `T` asks).
    pub fn data<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        serde_json::from_value(Value::Object(self.attrs.clone()))
            .map_err(|e| StoreError::Corrupt(format!("{}/{}: {e}", self.pk(), self.sk())))
    }

    /// Size used against [`limits::ITEM_BYTES`].
    pub fn approximate_size(&self) -> usize {
        serde_json::to_vec(&self.attrs)
            .map(|v| v.len())
            .unwrap_or(usize::MAX)
    }
}

fn is_reserved(name: &str) -> bool {
    name == attr::PK || name == attr::SK || attr::GSI.iter().any(|(p, s)| name == *p || name == *s)
}

/// The table itself or one of its indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    Table,
    Gsi1,
    Gsi2,
    Gsi3,
}

impl Index {
    /// The key attribute names of a secondary index.
    pub fn attr_names(self) -> Option<(&'static str, &'static str)> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some(attr::GSI[0]),
            Index::Gsi2 => Some(attr::GSI[1]),
            Index::Gsi3 => Some(attr::GSI[2]),
        }
    }

    /// The index's name in DynamoDB.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some("GSI1"),
            Index::Gsi2 => Some("GSI2"),
            Index::Gsi3 => Some("GSI3"),
        }
    }
}

/// A condition on the item a write touches, checked atomically with it.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// No item has this key (an expired item counts as absent).
    NotExists,
    /// An item has this key.
    Exists,
    /// The item exists and its attribute equals the value.
    Equals(String, Value),
    /// The item exists and its integer attribute `version` is `n`.
    VersionIs(i64),
    /// The item is absent, or its numeric attribute is absent or below the
    /// bound (a counter under a capacity).
    Below(String, i64),
    /// Both conditions hold.
    And(Box<Condition>, Box<Condition>),
}

impl Condition {
    pub fn and(self, other: Condition) -> Condition {
        Condition::And(Box::new(self), Box::new(other))
    }

    /// Evaluates the condition on the current item (`None`: no item, or an
    /// expired one). The embedded store uses this; DynamoDB evaluates the
    /// translated expression, and the conformance suite checks both agree.
    pub fn holds(&self, current: Option<&Item>) -> bool {
        match self {
            Condition::NotExists => current.is_none(),
            Condition::Exists => current.is_some(),
            Condition::Equals(name, value) => {
                current.is_some_and(|i| i.get(name).is_some_and(|v| json_eq(v, value)))
            }
            Condition::VersionIs(n) => current.is_some_and(|i| {
                i.get("version")
                    .and_then(Value::as_i64)
                    .is_some_and(|v| v == *n)
            }),
            Condition::Below(name, bound) => match current.and_then(|i| i.get(name)) {
                None | Some(Value::Null) => true,
                Some(v) => v.as_f64().is_some_and(|x| x < *bound as f64),
            },
            Condition::And(a, b) => a.holds(current) && b.holds(current),
        }
    }
}

/// Numbers compare by value (1 == 1.0), as in DynamoDB.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// An update of some attributes of one item. As in DynamoDB, it creates the
/// item when absent unless its condition says otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Update {
    pub set: Map<String, Value>,
    pub remove: Vec<String>,
    /// Numeric attributes to add to (an absent attribute counts as 0).
    pub add: Vec<(String, i64)>,
}

impl Update {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set.insert(name.into(), value.into());
        self
    }

    pub fn remove(mut self, name: impl Into<String>) -> Self {
        self.remove.push(name.into());
        self
    }

    pub fn add(mut self, name: impl Into<String>, delta: i64) -> Self {
        self.add.push((name.into(), delta));
        self
    }

    /// Applies the update to the current item (or to a new one with `key`).
    pub fn apply(&self, key: &Key, current: Option<Item>) -> Result<Item, StoreError> {
        let mut item = current.unwrap_or_else(|| Item::new(key.clone()));
        for name in self.names() {
            if name == attr::PK || name == attr::SK {
                return Err(StoreError::Invalid(format!(
                    "cannot update key attribute {name}"
                )));
            }
        }
        for (k, v) in &self.set {
            item.set(k.clone(), v.clone());
        }
        for k in &self.remove {
            item.remove(k);
        }
        for (k, delta) in &self.add {
            let current = match item.get(k) {
                None | Some(Value::Null) => 0,
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| StoreError::Invalid(format!("{k} is not an integer")))?,
            };
            item.set(k.clone(), Value::from(current + delta));
        }
        Ok(item)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.set
            .keys()
            .map(String::as_str)
            .chain(self.remove.iter().map(String::as_str))
            .chain(self.add.iter().map(|(k, _)| k.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty() && self.add.is_empty()
    }
}

/// One write of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Update {
        key: Key,
        update: Update,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    /// Only checks a condition on an item, without writing it.
    Check { key: Key, condition: Condition },
}

impl Write {
    pub fn put(item: Item) -> Self {
        Write::Put {
            item,
            condition: None,
        }
    }

    pub fn put_new(item: Item) -> Self {
        Write::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    pub fn key(&self) -> Key {
        match self {
            Write::Put { item, .. } => item.key(),
            Write::Update { key, .. } | Write::Delete { key, .. } | Write::Check { key, .. } => {
                key.clone()
            }
        }
    }

    pub fn condition(&self) -> Option<&Condition> {
        match self {
            Write::Put { condition, .. }
            | Write::Update { condition, .. }
            | Write::Delete { condition, .. } => condition.as_ref(),
            Write::Check { condition, .. } => Some(condition),
        }
    }
}

/// Checks a transaction against the limits both adapters share.
pub fn validate_transaction(writes: &[Write]) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Err(StoreError::Invalid("empty transaction".into()));
    }
    if writes.len() > limits::TRANSACTION_ITEMS {
        return Err(StoreError::Invalid(format!(
            "a transaction holds at most {} writes, not {}",
            limits::TRANSACTION_ITEMS,
            writes.len()
        )));
    }
    let mut keys: Vec<Key> = writes.iter().map(Write::key).collect();
    keys.sort();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(StoreError::Invalid(
            "a transaction touches each item at most once".into(),
        ));
    }
    for w in writes {
        if let Write::Put { item, .. } = w {
            validate_item(item)?;
        }
    }
    Ok(())
}

/// Checks an item against the limits both adapters share.
pub fn validate_item(item: &Item) -> Result<(), StoreError> {
    if item.approximate_size() > limits::ITEM_BYTES {
        return Err(StoreError::Invalid(format!(
            "item {}/{} is over {} bytes",
            item.pk(),
            item.sk(),
            limits::ITEM_BYTES
        )));
    }
    for (p, s) in attr::GSI {
        for name in [p, s] {
            match item.get(name) {
                None | Some(Value::String(_)) => {}
                Some(_) => return Err(StoreError::Invalid(format!("{name} must be a string"))),
            }
        }
    }
    Ok(())
}

/// Splits `items` into chunks a batch call accepts.
pub fn chunks<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut out = Vec::with_capacity(items.len().div_ceil(size.max(1)));
    let mut current = Vec::with_capacity(size);
    for item in items {
        current.push(item);
        if current.len() == size {
            out.push(std::mem::replace(&mut current, Vec::with_capacity(size)));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The sort key condition of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkCondition {
    All,
    Equals(String),
    BeginsWith(String),
    /// Inclusive at both ends.
    Between(String, String),
    Below(String),
    AtMost(String),
    Above(String),
    AtLeast(String),
}

impl SkCondition {
    pub fn matches(&self, sk: &str) -> bool {
        match self {
            SkCondition::All => true,
            SkCondition::Equals(v) => sk == v,
            SkCondition::BeginsWith(p) => sk.starts_with(p.as_str()),
            SkCondition::Between(a, b) => sk >= a.as_str() && sk <= b.as_str(),
            SkCondition::Below(v) => sk < v.as_str(),
            SkCondition::AtMost(v) => sk <= v.as_str(),
            SkCondition::Above(v) => sk > v.as_str(),
            SkCondition::AtLeast(v) => sk >= v.as_str(),
        }
    }
}

/// Where a query resumes: opaque to callers, produced by the adapter that
/// returned the page and only valid with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub String);

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Index,
    pub pk: String,
    pub sk: SkCondition,
    /// Ascending sort key order when true.
    pub forward: bool,
    /// At most this many items in the page (`None`: all of them).
    pub limit: Option<usize>,
    pub cursor: Option<Cursor>,
}

impl Query {
    pub fn new(pk: impl Into<String>) -> Self {
        Self {
            index: Index::Table,
            pk: pk.into(),
            sk: SkCondition::All,
            forward: true,
            limit: None,
            cursor: None,
        }
    }

    pub fn on(index: Index, pk: impl Into<String>) -> Self {
        Self {
            index,
            ..Self::new(pk)
        }
    }

    pub fn sk(mut self, sk: SkCondition) -> Self {
        self.sk = sk;
        self
    }

    pub fn begins_with(self, prefix: impl Into<String>) -> Self {
        self.sk(SkCondition::BeginsWith(prefix.into()))
    }

    pub fn between(self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.sk(SkCondition::Between(from.into(), to.into()))
    }

    pub fn backwards(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.cursor = cursor;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Set when more items may follow.
    pub cursor: Option<Cursor>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition did not hold. In a transaction, `index` names the write.
    #[error("condition failed (write {index:?})")]
    ConditionFailed { index: Option<usize> },
    /// Another transaction touched the same items; try again.
    #[error("transaction conflict")]
    Contention,
    #[error("invalid store operation: {0}")]
    Invalid(String),
    #[error("bad cursor")]
    BadCursor,
    #[error("stored item unreadable: {0}")]
    Corrupt(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub fn is_condition_failed(&self) -> bool {
        matches!(self, StoreError::ConditionFailed { .. })
    }
}

/// The store. Every method is one round trip (or a bounded, documented few).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Reads many items at once; missing or expired ones are left out.
    /// Any number of keys: adapters split them into calls of at most
    /// [`limits::BATCH_GET_KEYS`].
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError>;

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError>;

    /// Applies an update and returns the item as it is after it.
    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError>;

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError>;

    async fn query(&self, query: Query) -> Result<Page, StoreError>;

    /// All writes happen, or none. At most [`limits::TRANSACTION_ITEMS`].
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// Unconditional puts and deletes, not atomic as a whole, any number:
    /// adapters send them in chunks of [`limits::BATCH_WRITE_ITEMS`] and retry
    /// what the service leaves unprocessed.
    async fn write_many(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError>;
}
