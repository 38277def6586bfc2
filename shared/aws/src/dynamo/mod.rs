//! The store on one DynamoDB table (see [`create_table`] for its schema).
//!
//! Items map attribute for attribute with `serde_dynamo` (a JSON object is
//! a map of attribute values; numbers are `N` and come back as integers
//! when they are). Reads of the table are strongly consistent, as on
//! SQLite; reads of an index cannot be. Expired items that DynamoDB has
//! not deleted yet are dropped by every read and count as absent for every
//! condition (see [`expr`]).

mod batch;
mod cursor;
mod errors;
mod expr;
mod table;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, DeleteRequest, KeysAndAttributes, Put, PutRequest,
    ReturnValue, TransactWriteItem, WriteRequest,
};
use marelle_domain::ports::store::{
    Condition, Index, Item, Key, Page, Query, SkCondition, StoreError, Update, Write, attr, chunks,
    limits, validate_item, validate_transaction,
};
use marelle_domain::ports::{Clock, Store};
use serde_json::{Map, Value};

pub use batch::Backoff;
pub use table::create_table;

use batch::{WriteOp, distinct_keys, drain, plan_writes};
use expr::Placeholders;

type Attrs = HashMap<String, AttributeValue>;

/// The store on the DynamoDB table `table`.
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
    backoff: Backoff,
}

impl DynamoStore {
    /// A store on `table`; `clock` says when items expire (the system
    /// clock in production, a settable one in tests and dev mode).
    pub fn new(client: Client, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            client,
            table: table.into(),
            clock,
            backoff: Backoff::default(),
        }
    }

    /// Changes how batch leftovers are retried.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }
}

fn to_attrs(item: &Item) -> Result<Attrs, StoreError> {
    serde_dynamo::to_item(item.attrs())
        .map_err(|e| StoreError::Invalid(format!("{}/{}: {e}", item.pk(), item.sk())))
}

fn from_attrs(attrs: Attrs) -> Result<Item, StoreError> {
    let map: Map<String, Value> =
        serde_dynamo::from_item(attrs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Item::from_attrs(map)
}

fn key_attrs(key: &Key) -> Attrs {
    HashMap::from([
        (attr::PK.to_string(), AttributeValue::S(key.pk.clone())),
        (attr::SK.to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

fn key_of(attrs: &Attrs) -> Result<Key, StoreError> {
    let get = |name: &str| match attrs.get(name) {
        Some(AttributeValue::S(s)) => Ok(s.clone()),
        _ => Err(StoreError::Corrupt(format!(
            "{name} missing or not a string"
        ))),
    };
    Ok(Key::new(get(attr::PK)?, get(attr::SK)?))
}

fn live(item: Item, now: i64) -> Option<Item> {
    (!item.is_expired(now)).then_some(item)
}

fn invalid_build(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// A condition's expression, with its own placeholders.
fn condition_parts(
    condition: Option<&Condition>,
    now: i64,
) -> Result<(Option<String>, Placeholders), StoreError> {
    let mut p = Placeholders::new();
    let expr = condition
        .map(|c| expr::condition(&mut p, c, now))
        .transpose()?;
    Ok((expr, p))
}

impl DynamoStore {
    fn transact_item(&self, write: Write, now: i64) -> Result<TransactWriteItem, StoreError> {
        let item = match write {
            Write::Put { item, condition } => {
                let (cond, p) = condition_parts(condition.as_ref(), now)?;
                TransactWriteItem::builder().put(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_attrs(&item)?))
                        .set_condition_expression(cond)
                        .set_expression_attribute_names(p.names())
                        .set_expression_attribute_values(p.values())
                        .build()
                        .map_err(invalid_build)?,
                )
            }
            Write::Update {
                key,
                update,
                condition,
            } => {
                let mut p = Placeholders::new();
                let Some(update_expr) = expr::update(&mut p, &update)? else {
                    return Err(StoreError::Invalid(
                        "an update in a transaction changes at least one attribute".into(),
                    ));
                };
                let cond = condition
                    .as_ref()
                    .map(|c| expr::condition(&mut p, c, now))
                    .transpose()?;
                TransactWriteItem::builder().update(
                    aws_sdk_dynamodb::types::Update::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_attrs(&key)))
                        .update_expression(update_expr)
                        .set_condition_expression(cond)
                        .set_expression_attribute_names(p.names())
                        .set_expression_attribute_values(p.values())
                        .build()
                        .map_err(invalid_build)?,
                )
            }
            Write::Delete { key, condition } => {
                let (cond, p) = condition_parts(condition.as_ref(), now)?;
                TransactWriteItem::builder().delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_attrs(&key)))
                        .set_condition_expression(cond)
                        .set_expression_attribute_names(p.names())
                        .set_expression_attribute_values(p.values())
                        .build()
                        .map_err(invalid_build)?,
                )
            }
            Write::Check { key, condition } => {
                let (cond, p) = condition_parts(Some(&condition), now)?;
                TransactWriteItem::builder().condition_check(
                    ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_attrs(&key)))
                        .set_condition_expression(cond)
                        .set_expression_attribute_names(p.names())
                        .set_expression_attribute_values(p.values())
                        .build()
                        .map_err(invalid_build)?,
                )
            }
        };
        Ok(item.build())
    }

    /// One `BatchGetItem` call: the items found and the keys left over.
    async fn batch_get(&self, keys: Vec<Key>) -> Result<(Vec<Item>, Vec<Key>), StoreError> {
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys.iter().map(key_attrs).collect()))
            .consistent_read(true)
            .build()
            .map_err(invalid_build)?;
        let out = self
            .client
            .batch_get_item()
            .request_items(&self.table, request)
            .send()
            .await
            .map_err(|e| errors::sdk("BatchGetItem", e))?;
        let items = out
            .responses
            .and_then(|mut r| r.remove(&self.table))
            .unwrap_or_default()
            .into_iter()
            .map(from_attrs)
            .collect::<Result<Vec<_>, _>>()?;
        let left = out
            .unprocessed_keys
            .and_then(|mut u| u.remove(&self.table))
            .map(|k| k.keys)
            .unwrap_or_default()
            .iter()
            .map(key_of)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((items, left))
    }

    /// One `BatchWriteItem` call: the writes left over.
    async fn batch_write(
        &self,
        writes: Vec<WriteRequest>,
    ) -> Result<(Vec<()>, Vec<WriteRequest>), StoreError> {
        let out = self
            .client
            .batch_write_item()
            .request_items(&self.table, writes)
            .send()
            .await
            .map_err(|e| errors::sdk("BatchWriteItem", e))?;
        let left = out
            .unprocessed_items
            .and_then(|mut u| u.remove(&self.table))
            .unwrap_or_default();
        Ok((Vec::new(), left))
    }
}

fn write_request(op: WriteOp) -> Result<WriteRequest, StoreError> {
    Ok(match op {
        WriteOp::Put(item) => WriteRequest::builder()
            .put_request(
                PutRequest::builder()
                    .set_item(Some(to_attrs(&item)?))
                    .build()
                    .map_err(invalid_build)?,
            )
            .build(),
        WriteOp::Delete(key) => WriteRequest::builder()
            .delete_request(
                DeleteRequest::builder()
                    .set_key(Some(key_attrs(&key)))
                    .build()
                    .map_err(invalid_build)?,
            )
            .build(),
    })
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let now = self.now();
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| errors::sdk("GetItem", e))?;
        Ok(out
            .item
            .map(from_attrs)
            .transpose()?
            .and_then(|i| live(i, now)))
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let now = self.now();
        let keys = distinct_keys(keys);
        let mut found: HashMap<Key, Item> = HashMap::with_capacity(keys.len());
        for chunk in chunks(keys.clone(), limits::BATCH_GET_KEYS) {
            let items = drain(chunk, self.backoff, "BatchGetItem", |k| self.batch_get(k)).await?;
            found.extend(items.into_iter().map(|i| (i.key(), i)));
        }
        Ok(keys
            .iter()
            .filter_map(|k| found.remove(k))
            .filter_map(|i| live(i, now))
            .collect())
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        validate_item(&item)?;
        let (cond, p) = condition_parts(condition.as_ref(), self.now())?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attrs(&item)?))
            .set_condition_expression(cond)
            .set_expression_attribute_names(p.names())
            .set_expression_attribute_values(p.values())
            .send()
            .await
            .map_err(|e| errors::sdk("PutItem", e))?;
        Ok(())
    }

    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        let now = self.now();
        let mut p = Placeholders::new();
        let update_expr = expr::update(&mut p, &update)?;
        let cond = condition
            .as_ref()
            .map(|c| expr::condition(&mut p, c, now))
            .transpose()?;
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .set_update_expression(update_expr)
            .set_condition_expression(cond)
            .set_expression_attribute_names(p.names())
            .set_expression_attribute_values(p.values())
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| errors::sdk("UpdateItem", e))?;
        match out.attributes {
            Some(attrs) if !attrs.is_empty() => from_attrs(attrs),
            // An empty update returns nothing: the item is its key.
            _ => Ok(Item::new(key.clone())),
        }
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        let (cond, p) = condition_parts(condition.as_ref(), self.now())?;
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .set_condition_expression(cond)
            .set_expression_attribute_names(p.names())
            .set_expression_attribute_values(p.values())
            .send()
            .await
            .map_err(|e| errors::sdk("DeleteItem", e))?;
        Ok(())
    }

    /// Calls `Query` until the page holds `limit` live items or the
    /// partition ends: expired items are filtered out by the service after
    /// it counted them against `Limit`, so one call may return fewer.
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        if query.limit == Some(0) {
            return Err(StoreError::Invalid("a query limit is at least 1".into()));
        }
        let now = self.now();
        let mut start = query
            .cursor
            .as_ref()
            .map(|c| cursor::decode(c, query.index, &query.pk))
            .transpose()?;
        if let SkCondition::Between(a, b) = &query.sk
            && a > b
        {
            // DynamoDB refuses an empty range; it holds nothing.
            return Ok(Page::default());
        }
        let (pk_name, sk_name) = query.index.attr_names().unwrap_or((attr::PK, attr::SK));
        let mut p = Placeholders::new();
        let key_condition = expr::key_condition(&mut p, pk_name, sk_name, &query.pk, &query.sk);
        let filter = expr::live_filter(&mut p, now);
        let (names, values) = (p.names(), p.values());
        let mut items = Vec::new();
        loop {
            let remaining = query.limit.map(|l| l.saturating_sub(items.len()));
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(query.index.name().map(str::to_string))
                .key_condition_expression(&key_condition)
                .filter_expression(&filter)
                .set_expression_attribute_names(names.clone())
                .set_expression_attribute_values(values.clone())
                .scan_index_forward(query.forward)
                .consistent_read(query.index == Index::Table)
                .set_limit(remaining.map(|r| i32::try_from(r).unwrap_or(i32::MAX)))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| errors::sdk("Query", e))?;
            for attrs in out.items.unwrap_or_default() {
                if let Some(item) = live(from_attrs(attrs)?, now) {
                    items.push(item);
                }
            }
            match out.last_evaluated_key.filter(|k| !k.is_empty()) {
                None => {
                    return Ok(Page {
                        items,
                        cursor: None,
                    });
                }
                // Full: every item of the last call was live, so the last
                // key evaluated is the last item of the page.
                Some(last) if query.limit.is_some_and(|l| items.len() >= l) => {
                    return Ok(Page {
                        items,
                        cursor: Some(cursor::encode(&last)?),
                    });
                }
                Some(last) => start = Some(last),
            }
        }
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_transaction(&writes)?;
        let now = self.now();
        let items = writes
            .into_iter()
            .map(|w| self.transact_item(w, now))
            .collect::<Result<Vec<_>, _>>()?;
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => {
                if let Some(TransactWriteItemsError::TransactionCanceledException(e)) =
                    err.as_service_error()
                {
                    let codes: Vec<Option<&str>> =
                        e.cancellation_reasons().iter().map(|r| r.code()).collect();
                    return Err(errors::cancelled(&codes, e.message()));
                }
                Err(errors::sdk("TransactWriteItems", err))
            }
        }
    }

    async fn write_many(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        for item in &puts {
            validate_item(item)?;
        }
        let requests = plan_writes(puts, deletes)
            .into_iter()
            .map(write_request)
            .collect::<Result<Vec<_>, _>>()?;
        for chunk in chunks(requests, limits::BATCH_WRITE_ITEMS) {
            drain(chunk, self.backoff, "BatchWriteItem", |w| {
                self.batch_write(w)
            })
            .await?;
        }
        Ok(())
    }
}
