//! Test helper for the durability test: writes items one after another and
//! prints `ack N` once the store acknowledged item N, until killed.

use std::io::Write as _;
use std::sync::Arc;

use marelle_domain::ports::store::{Condition, Item, Key};
use marelle_domain::ports::{Store, SystemClock};
use marelle_embedded::SqliteStore;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: store-writer DB")?;
    let store = SqliteStore::open(path, Arc::new(SystemClock))?;
    let mut out = std::io::stdout().lock();
    for n in 0u64.. {
        let item = Item::with_data(
            Key::new("DURABLE", format!("{n:08}")),
            &serde_json::json!({"n": n}),
        )?;
        store.put(item, Some(Condition::NotExists)).await?;
        writeln!(out, "ack {n}")?;
        out.flush()?;
    }
    Ok(())
}
