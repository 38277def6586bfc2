//! An acknowledged write survives a killed process.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use marelle_domain::ports::store::Query;
use marelle_domain::ports::{Store, SystemClock};
use marelle_embedded::SqliteStore;

#[tokio::test]
async fn every_acknowledged_write_survives_a_killed_process() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("marelle.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_store-writer"))
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = 0;
    while acked < 150 {
        let line = lines.next().unwrap().unwrap();
        assert_eq!(line, format!("ack {acked}"));
        acked += 1;
    }
    // SIGKILL: no destructor, no flush, no checkpoint.
    child.kill().unwrap();
    child.wait().unwrap();

    let store = SqliteStore::open(&db, Arc::new(SystemClock)).unwrap();
    let items = store.query(Query::new("DURABLE")).await.unwrap().items;
    assert!(
        items.len() >= acked,
        "{} items for {acked} acknowledged writes",
        items.len()
    );
    for (n, item) in items.iter().take(acked).enumerate() {
        assert_eq!(item.sk(), format!("{n:08}"));
    }
}
