//! The store on SQLite: the same items and keys as the DynamoDB table, one
//! row per item, its attributes as JSON, key and index attributes copied
//! into indexed columns. WAL journal, `synchronous=FULL`: an acknowledged
//! write is on disk and survives a killed process.
//!
//! One writer connection (SQLite serializes writers anyway), so conditions
//! and transactions are checked and applied under one `BEGIN IMMEDIATE`;
//! a few reader connections read concurrently with it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use marelle_domain::ports::store::{
    Condition, Cursor, Index, Item, Key, Page, Query, SkCondition, StoreError, Update, Write, attr,
    validate_item, validate_transaction,
};
use marelle_domain::ports::{Clock, Store};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params_from_iter};
use serde_json::Value;

const READERS: usize = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    gsi1pk TEXT, gsi1sk TEXT,
    gsi2pk TEXT, gsi2sk TEXT,
    gsi3pk TEXT, gsi3sk TEXT,
    ttl INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL AND gsi1sk IS NOT NULL;
CREATE INDEX IF NOT EXISTS gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL AND gsi2sk IS NOT NULL;
CREATE INDEX IF NOT EXISTS gsi3 ON items (gsi3pk, gsi3sk, pk, sk) WHERE gsi3pk IS NOT NULL AND gsi3sk IS NOT NULL;
CREATE INDEX IF NOT EXISTS expiry ON items (ttl) WHERE ttl IS NOT NULL;
";

pub struct SqliteStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    clock: Arc<dyn Clock>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn open(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(unavailable)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(unavailable)?;
    if !read_only {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(unavailable)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (or creates) the database file at `path`.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(unavailable)?;
        }
        let writer = open(&path, false)?;
        writer.execute_batch(SCHEMA).map_err(unavailable)?;
        let readers = (0..READERS)
            .map(|_| open(&path, true).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            path,
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(readers),
            next_reader: AtomicUsize::new(0),
            clock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = Arc::clone(&self.readers);
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            // Take the first free reader from a rotating start; wait on one
            // if all are busy.
            for i in 0..readers.len() {
                if let Ok(conn) = readers[(start + i) % readers.len()].try_lock() {
                    return f(&conn);
                }
            }
            let conn = readers[start % readers.len()]
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await
        .map_err(unavailable)?
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let out = f(&tx)?;
            tx.commit().map_err(unavailable)?;
            Ok(out)
        })
        .await
        .map_err(unavailable)?
    }

    /// Deletes expired items (readers never see them anyway); returns how
    /// many went. The local server calls it now and then.
    pub async fn purge_expired(&self) -> Result<usize, StoreError> {
        let now = self.now();
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM items WHERE ttl IS NOT NULL AND ttl <= ?1",
                [now],
            )
            .map_err(unavailable)
        })
        .await
    }
}

fn parse_body(body: &str) -> Result<Item, StoreError> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Item::from_attrs(map),
        Ok(_) => Err(StoreError::Corrupt("row body is not an object".into())),
        Err(e) => Err(StoreError::Corrupt(e.to_string())),
    }
}

/// The stored row, expired or not.
fn load_raw(conn: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM items WHERE pk = ?1 AND sk = ?2",
            [&key.pk, &key.sk],
            |r| r.get(0),
        )
        .optional()
        .map_err(unavailable)?;
    body.as_deref().map(parse_body).transpose()
}

fn live(item: Option<Item>, now: i64) -> Option<Item> {
    item.filter(|i| !i.is_expired(now))
}

fn save(tx: &rusqlite::Transaction<'_>, item: &Item) -> Result<(), StoreError> {
    validate_item(item)?;
    let idx = |n: usize, part: usize| -> Option<String> {
        let name = if part == 0 {
            attr::GSI[n].0
        } else {
            attr::GSI[n].1
        };
        item.str_attr(name).map(str::to_string)
    };
    let body =
        serde_json::to_string(item.attrs()).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk, ttl, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            item.pk(),
            item.sk(),
            idx(0, 0),
            idx(0, 1),
            idx(1, 0),
            idx(1, 1),
            idx(2, 0),
            idx(2, 1),
            item.ttl(),
            body
        ],
    )
    .map_err(unavailable)?;
    Ok(())
}

fn remove(tx: &rusqlite::Transaction<'_>, key: &Key) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM items WHERE pk = ?1 AND sk = ?2",
        [&key.pk, &key.sk],
    )
    .map_err(unavailable)?;
    Ok(())
}

fn check(
    condition: Option<&Condition>,
    current: Option<&Item>,
    index: Option<usize>,
) -> Result<(), StoreError> {
    match condition {
        Some(c) if !c.holds(current) => Err(StoreError::ConditionFailed { index }),
        _ => Ok(()),
    }
}

/// Applies one write inside the open transaction; returns the item written
/// by an update.
fn apply(
    tx: &rusqlite::Transaction<'_>,
    write: &Write,
    now: i64,
    index: Option<usize>,
) -> Result<Option<Item>, StoreError> {
    let key = write.key();
    let raw = load_raw(tx, &key)?;
    let current = live(raw.clone(), now);
    check(write.condition(), current.as_ref(), index)?;
    match write {
        Write::Put { item, .. } => {
            save(tx, item)?;
            Ok(None)
        }
        Write::Update { update, .. } => {
            let item = update.apply(&key, raw)?;
            save(tx, &item)?;
            Ok(Some(item))
        }
        Write::Delete { .. } => {
            remove(tx, &key)?;
            Ok(None)
        }
        Write::Check { .. } => Ok(None),
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CursorData {
    pk: String,
    sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    isk: Option<String>,
}

fn encode_cursor(item: &Item, index: Index) -> Cursor {
    let data = CursorData {
        pk: item.pk().to_string(),
        sk: item.sk().to_string(),
        isk: item.index_key(index).map(|(_, s)| s.to_string()),
    };
    Cursor(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default()))
}

fn decode_cursor(c: &Cursor, index: Index) -> Result<CursorData, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(&c.0)
        .map_err(|_| StoreError::BadCursor)?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    if (index == Index::Table) != data.isk.is_none() {
        return Err(StoreError::BadCursor);
    }
    Ok(data)
}

fn run_query(conn: &Connection, q: &Query, now: i64) -> Result<Page, StoreError> {
    let (pk_col, sk_col) = match q.index {
        Index::Table => ("pk", "sk"),
        Index::Gsi1 => ("gsi1pk", "gsi1sk"),
        Index::Gsi2 => ("gsi2pk", "gsi2sk"),
        Index::Gsi3 => ("gsi3pk", "gsi3sk"),
    };
    let mut sql = format!("SELECT body FROM items WHERE {pk_col} = ?");
    let mut args: Vec<SqlValue> = vec![SqlValue::Text(q.pk.clone())];
    if q.index != Index::Table {
        sql.push_str(&format!(" AND {sk_col} IS NOT NULL"));
    }
    let mut push = |sql: &mut String, op: &str, v: &str| {
        sql.push_str(&format!(" AND {sk_col} {op} ?"));
        args.push(SqlValue::Text(v.to_string()));
    };
    match &q.sk {
        SkCondition::All => {}
        SkCondition::Equals(v) => push(&mut sql, "=", v),
        SkCondition::BeginsWith(p) => {
            // Byte-wise prefix range: p <= sk < p + U+10FFFF... done with
            // substr to stay exact for any prefix.
            sql.push_str(&format!(" AND substr({sk_col}, 1, ?) = ?"));
            args.push(SqlValue::Integer(p.chars().count() as i64));
            args.push(SqlValue::Text(p.clone()));
            sql.push_str(&format!(" AND {sk_col} >= ?"));
            args.push(SqlValue::Text(p.clone()));
        }
        SkCondition::Between(a, b) => {
            push(&mut sql, ">=", a);
            push(&mut sql, "<=", b);
        }
        SkCondition::Below(v) => push(&mut sql, "<", v),
        SkCondition::AtMost(v) => push(&mut sql, "<=", v),
        SkCondition::Above(v) => push(&mut sql, ">", v),
        SkCondition::AtLeast(v) => push(&mut sql, ">=", v),
    }
    let dir = if q.forward { "ASC" } else { "DESC" };
    let cmp = if q.forward { ">" } else { "<" };
    if let Some(c) = &q.cursor {
        let c = decode_cursor(c, q.index)?;
        if q.index == Index::Table {
            sql.push_str(&format!(" AND sk {cmp} ?"));
            args.push(SqlValue::Text(c.sk));
        } else {
            sql.push_str(&format!(" AND ({sk_col}, pk, sk) {cmp} (?, ?, ?)"));
            args.push(SqlValue::Text(c.isk.unwrap_or_default()));
            args.push(SqlValue::Text(c.pk));
            args.push(SqlValue::Text(c.sk));
        }
    }
    sql.push_str(" AND (ttl IS NULL OR ttl > ?)");
    args.push(SqlValue::Integer(now));
    if q.index == Index::Table {
        sql.push_str(&format!(" ORDER BY sk {dir}"));
    } else {
        sql.push_str(&format!(" ORDER BY {sk_col} {dir}, pk {dir}, sk {dir}"));
    }
    if let Some(limit) = q.limit {
        sql.push_str(" LIMIT ?");
        args.push(SqlValue::Integer(limit as i64 + 1));
    }
    let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(unavailable)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(unavailable)? {
        let body: String = row.get(0).map_err(unavailable)?;
        items.push(parse_body(&body)?);
    }
    let mut cursor = None;
    if let Some(limit) = q.limit
        && items.len() > limit
    {
        items.truncate(limit);
        cursor = items.last().map(|i| encode_cursor(i, q.index));
    }
    Ok(Page { items, cursor })
}

#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        let now = self.now();
        self.read(move |conn| Ok(live(load_raw(conn, &key)?, now)))
            .await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let keys = keys.to_vec();
        let now = self.now();
        self.read(move |conn| {
            let mut out = Vec::with_capacity(keys.len());
            let mut seen = std::collections::HashSet::new();
            for key in keys {
                if !seen.insert(key.clone()) {
                    continue;
                }
                if let Some(item) = live(load_raw(conn, &key)?, now) {
                    out.push(item);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        let now = self.now();
        validate_item(&item)?;
        self.write(move |tx| apply(tx, &Write::Put { item, condition }, now, None).map(|_| ()))
            .await
    }

    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        let now = self.now();
        let key = key.clone();
        self.write(move |tx| {
            apply(
                tx,
                &Write::Update {
                    key,
                    update,
                    condition,
                },
                now,
                None,
            )?
            .ok_or_else(|| StoreError::Invalid("update wrote nothing".into()))
        })
        .await
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        let now = self.now();
        let key = key.clone();
        self.write(move |tx| apply(tx, &Write::Delete { key, condition }, now, None).map(|_| ()))
            .await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        let now = self.now();
        if query.limit == Some(0) {
            return Err(StoreError::Invalid("a query limit is at least 1".into()));
        }
        self.read(move |conn| run_query(conn, &query, now)).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_transaction(&writes)?;
        let now = self.now();
        // An error inside the closure drops the transaction: a rollback.
        self.write(move |tx| {
            for (i, w) in writes.iter().enumerate() {
                apply(tx, w, now, Some(i))?;
            }
            Ok(())
        })
        .await
    }

    async fn write_many(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        for item in &puts {
            validate_item(item)?;
        }
        // Large batches go in slices so that the writer is not held for long.
        let mut puts = puts.into_iter().peekable();
        let mut deletes = deletes.into_iter().peekable();
        while puts.peek().is_some() || deletes.peek().is_some() {
            let p: Vec<Item> = puts.by_ref().take(500).collect();
            let d: Vec<Key> = deletes.by_ref().take(500).collect();
            self.write(move |tx| {
                for item in &p {
                    save(tx, item)?;
                }
                for key in &d {
                    remove(tx, key)?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }
}
