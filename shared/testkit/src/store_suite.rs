//! The store port's conformance suite.

use std::sync::Arc;

use chrono::Duration;
use marelle_domain::ports::store::{
    Condition, Cursor, Index, Item, Key, Query, SkCondition, StoreError, Update, Write,
};
use marelle_domain::ports::{SettableClock, Store};
use serde_json::{Value, json};

/// A fresh, empty store and the clock it reads for TTLs (frozen at
/// [`crate::t0`]). `_guard` keeps whatever backs the store alive.
pub struct StoreFixture {
    pub store: Arc<dyn Store>,
    pub clock: Arc<SettableClock>,
    pub _guard: Box<dyn std::any::Any + Send + Sync>,
}

/// Generates one `#[tokio::test]` per behaviour of the suite, each on a
/// fixture from `$fixture` (an async expression giving a `StoreFixture`).
#[macro_export]
macro_rules! store_conformance {
    ($fixture:expr) => {
        $crate::store_conformance!(@each $fixture;
            an_item_put_is_read_back_with_every_attribute,
            a_missing_key_reads_as_nothing,
            a_put_without_condition_replaces_the_item,
            a_put_on_condition_not_exists_refuses_an_existing_key,
            a_version_condition_lets_exactly_one_writer_through,
            an_equals_condition_compares_numbers_by_value,
            a_counter_below_a_bound_stops_at_the_bound,
            an_update_creates_adds_sets_and_removes,
            an_update_on_condition_exists_refuses_a_missing_item,
            a_delete_removes_and_honours_its_condition,
            a_query_reads_a_prefix_in_both_directions,
            a_query_reads_a_range_inclusively,
            a_query_pages_through_every_item_once_in_both_directions,
            a_bad_cursor_is_refused,
            an_index_holds_only_items_with_its_keys,
            an_index_follows_updates_of_its_keys,
            an_index_pages_in_order,
            a_transaction_writes_everything_together,
            a_failed_transaction_writes_nothing_and_names_the_write,
            a_transaction_over_the_limits_is_refused,
            expired_items_are_gone_for_readers,
            conditions_see_expired_items_as_absent,
            many_items_are_read_at_once_in_key_order,
            many_items_are_written_and_deleted_at_once,
            concurrent_creations_of_one_key_let_exactly_one_through,
            concurrent_bookings_never_exceed_the_capacity
        );
    };
    (@each $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture = $fixture.await;
                $crate::store_suite::$name(&fixture).await;
            }
        )*
    };
}

fn key(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

fn item(pk: &str, sk: &str, data: Value) -> Item {
    Item::with_data(key(pk, sk), &data).unwrap()
}

async fn all(store: &dyn Store, q: Query) -> Vec<Item> {
    store.query(q).await.unwrap().items
}

fn sks(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.sk().to_string()).collect()
}

pub async fn an_item_put_is_read_back_with_every_attribute(f: &StoreFixture) {
    let data = json!({
        "name": "Léa Dupont — « été »",
        "empty": "",
        "count": 42,
        "negative": -7,
        "big": 9_007_199_254_740_993_i64,
        "ratio": 1.5,
        "yes": true,
        "nothing": null,
        "list": [1, "deux", {"trois": 3}],
        "map": {"a": {"b": [true, false]}},
    });
    f.store
        .put(item("FAMILY#1", "CHILD#1", data.clone()), None)
        .await
        .unwrap();
    let got = f
        .store
        .get(&key("FAMILY#1", "CHILD#1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.pk(), "FAMILY#1");
    assert_eq!(got.sk(), "CHILD#1");
    for (k, v) in data.as_object().unwrap() {
        let stored = got.get(k).unwrap_or(&Value::Null);
        match (stored, v) {
            (Value::Number(a), Value::Number(b)) => {
                assert_eq!(a.as_f64(), b.as_f64(), "{k}");
                assert_eq!(a.as_i64(), b.as_i64(), "{k} keeps its integer value");
            }
            _ => assert_eq!(stored, v, "{k}"),
        }
    }
}

pub async fn a_missing_key_reads_as_nothing(f: &StoreFixture) {
    assert!(f.store.get(&key("NOPE", "NOPE")).await.unwrap().is_none());
}

pub async fn a_put_without_condition_replaces_the_item(f: &StoreFixture) {
    f.store
        .put(item("P", "S", json!({"a": 1, "b": 2})), None)
        .await
        .unwrap();
    f.store
        .put(item("P", "S", json!({"a": 3})), None)
        .await
        .unwrap();
    let got = f.store.get(&key("P", "S")).await.unwrap().unwrap();
    assert_eq!(got.get("a"), Some(&json!(3)));
    assert_eq!(got.get("b"), None, "a put replaces the whole item");
}

pub async fn a_put_on_condition_not_exists_refuses_an_existing_key(f: &StoreFixture) {
    f.store
        .put(
            item("EMAIL#a@b.fr", "EMAIL", json!({"account": "1"})),
            Some(Condition::NotExists),
        )
        .await
        .unwrap();
    let err = f
        .store
        .put(
            item("EMAIL#a@b.fr", "EMAIL", json!({"account": "2"})),
            Some(Condition::NotExists),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed(), "{err:?}");
    let got = f
        .store
        .get(&key("EMAIL#a@b.fr", "EMAIL"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.get("account"),
        Some(&json!("1")),
        "the first write stays"
    );
}

pub async fn a_version_condition_lets_exactly_one_writer_through(f: &StoreFixture) {
    f.store
        .put(item("A", "A", json!({"version": 1, "v": "x"})), None)
        .await
        .unwrap();
    f.store
        .put(
            item("A", "A", json!({"version": 2, "v": "y"})),
            Some(Condition::VersionIs(1)),
        )
        .await
        .unwrap();
    let err = f
        .store
        .put(
            item("A", "A", json!({"version": 2, "v": "z"})),
            Some(Condition::VersionIs(1)),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    let err = f
        .store
        .put(
            item("MISSING", "A", json!({"version": 1})),
            Some(Condition::VersionIs(0)),
        )
        .await
        .unwrap_err();
    assert!(
        err.is_condition_failed(),
        "a version condition needs the item"
    );
    let got = f.store.get(&key("A", "A")).await.unwrap().unwrap();
    assert_eq!(got.get("v"), Some(&json!("y")));
}

pub async fn an_equals_condition_compares_numbers_by_value(f: &StoreFixture) {
    f.store
        .put(item("E", "E", json!({"state": "pending", "n": 2})), None)
        .await
        .unwrap();
    let upd = Update::new().set("state", "accepted");
    f.store
        .update(
            &key("E", "E"),
            upd.clone(),
            Some(
                Condition::Equals("state".into(), json!("pending"))
                    .and(Condition::Equals("n".into(), json!(2.0))),
            ),
        )
        .await
        .unwrap();
    let err = f
        .store
        .update(
            &key("E", "E"),
            upd,
            Some(Condition::Equals("state".into(), json!("pending"))),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    let err = f
        .store
        .update(
            &key("E", "E"),
            Update::new().set("x", 1),
            Some(Condition::Equals("absent".into(), json!(1))),
        )
        .await
        .unwrap_err();
    assert!(
        err.is_condition_failed(),
        "an absent attribute equals nothing"
    );
}

pub async fn a_counter_below_a_bound_stops_at_the_bound(f: &StoreFixture) {
    let k = key("ACTIVITY#1", "COUNT#2026-12-01");
    for expected in 1..=3 {
        let after = f
            .store
            .update(
                &k,
                Update::new().add("taken", 1),
                Some(Condition::Below("taken".into(), 3)),
            )
            .await
            .unwrap();
        assert_eq!(after.get("taken"), Some(&json!(expected)));
    }
    let err = f
        .store
        .update(
            &k,
            Update::new().add("taken", 1),
            Some(Condition::Below("taken".into(), 3)),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    let after = f
        .store
        .update(&k, Update::new().add("taken", -1), None)
        .await
        .unwrap();
    assert_eq!(after.get("taken"), Some(&json!(2)));
}

pub async fn an_update_creates_adds_sets_and_removes(f: &StoreFixture) {
    let k = key("U", "U");
    let created = f
        .store
        .update(&k, Update::new().set("a", "x").add("n", 5), None)
        .await
        .unwrap();
    assert_eq!(created.pk(), "U");
    assert_eq!(created.get("a"), Some(&json!("x")));
    assert_eq!(created.get("n"), Some(&json!(5)));
    let after = f
        .store
        .update(
            &k,
            Update::new()
                .set("b", json!({"deep": [1]}))
                .remove("a")
                .add("n", -2),
            Some(Condition::Exists),
        )
        .await
        .unwrap();
    assert_eq!(after.get("a"), None);
    assert_eq!(after.get("n"), Some(&json!(3)));
    let stored = f.store.get(&k).await.unwrap().unwrap();
    assert_eq!(stored, after, "the returned item is the stored one");
}

pub async fn an_update_on_condition_exists_refuses_a_missing_item(f: &StoreFixture) {
    let err = f
        .store
        .update(
            &key("NONE", "NONE"),
            Update::new().set("a", 1),
            Some(Condition::Exists),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    assert!(
        f.store.get(&key("NONE", "NONE")).await.unwrap().is_none(),
        "nothing created"
    );
}

pub async fn a_delete_removes_and_honours_its_condition(f: &StoreFixture) {
    f.store
        .put(item("D", "1", json!({"version": 1})), None)
        .await
        .unwrap();
    let err = f
        .store
        .delete(&key("D", "1"), Some(Condition::VersionIs(2)))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
    assert!(f.store.get(&key("D", "1")).await.unwrap().is_some());
    f.store
        .delete(&key("D", "1"), Some(Condition::Exists))
        .await
        .unwrap();
    assert!(f.store.get(&key("D", "1")).await.unwrap().is_none());
    f.store.delete(&key("D", "1"), None).await.unwrap();
    let err = f
        .store
        .delete(&key("D", "1"), Some(Condition::Exists))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed());
}

async fn seed_family(f: &StoreFixture) {
    let mut puts = Vec::new();
    for sk in ["CHILD#1", "CHILD#2", "CHILD#3", "GUARDIAN#1", "FAMILY"] {
        puts.push(item("FAMILY#F", sk, json!({"sk": sk})));
    }
    puts.push(item("FAMILY#G", "CHILD#9", json!({})));
    f.store.write_many(puts, vec![]).await.unwrap();
}

pub async fn a_query_reads_a_prefix_in_both_directions(f: &StoreFixture) {
    seed_family(f).await;
    let fwd = all(&*f.store, Query::new("FAMILY#F").begins_with("CHILD#")).await;
    assert_eq!(sks(&fwd), ["CHILD#1", "CHILD#2", "CHILD#3"]);
    let back = all(
        &*f.store,
        Query::new("FAMILY#F").begins_with("CHILD#").backwards(),
    )
    .await;
    assert_eq!(sks(&back), ["CHILD#3", "CHILD#2", "CHILD#1"]);
    let whole = all(&*f.store, Query::new("FAMILY#F")).await;
    assert_eq!(
        sks(&whole),
        ["CHILD#1", "CHILD#2", "CHILD#3", "FAMILY", "GUARDIAN#1"]
    );
    assert!(all(&*f.store, Query::new("FAMILY#NONE")).await.is_empty());
}

pub async fn a_query_reads_a_range_inclusively(f: &StoreFixture) {
    let puts = (1..=9)
        .map(|d| item("FAMILY#F", &format!("DAY#2026-12-0{d}"), json!({})))
        .collect();
    f.store.write_many(puts, vec![]).await.unwrap();
    let got = all(
        &*f.store,
        Query::new("FAMILY#F").between("DAY#2026-12-03", "DAY#2026-12-05"),
    )
    .await;
    assert_eq!(
        sks(&got),
        ["DAY#2026-12-03", "DAY#2026-12-04", "DAY#2026-12-05"]
    );
    let got = all(
        &*f.store,
        Query::new("FAMILY#F").sk(SkCondition::Above("DAY#2026-12-07".into())),
    )
    .await;
    assert_eq!(sks(&got), ["DAY#2026-12-08", "DAY#2026-12-09"]);
    let got = all(
        &*f.store,
        Query::new("FAMILY#F")
            .sk(SkCondition::AtMost("DAY#2026-12-02".into()))
            .backwards(),
    )
    .await;
    assert_eq!(sks(&got), ["DAY#2026-12-02", "DAY#2026-12-01"]);
    let got = all(
        &*f.store,
        Query::new("FAMILY#F").sk(SkCondition::Equals("DAY#2026-12-04".into())),
    )
    .await;
    assert_eq!(sks(&got), ["DAY#2026-12-04"]);
}

async fn pages(store: &dyn Store, q: Query, size: usize) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut cursor: Option<Cursor> = None;
    let mut calls = 0;
    loop {
        calls += 1;
        let page = store
            .query(q.clone().limit(size).after(cursor.clone()))
            .await
            .unwrap();
        assert!(page.items.len() <= size);
        out.extend(sks(&page.items));
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(calls < 100, "paging does not end");
    }
    (out, calls)
}

pub async fn a_query_pages_through_every_item_once_in_both_directions(f: &StoreFixture) {
    let expected: Vec<String> = (0..23).map(|i| format!("REQ#{i:03}")).collect();
    let puts = expected
        .iter()
        .map(|sk| item("FAMILY#P", sk, json!({})))
        .collect();
    f.store.write_many(puts, vec![]).await.unwrap();
    let (got, calls) = pages(&*f.store, Query::new("FAMILY#P").begins_with("REQ#"), 5).await;
    assert_eq!(got, expected);
    assert!((5..=6).contains(&calls), "{calls} pages of 5 for 23 items");
    let (got, _) = pages(
        &*f.store,
        Query::new("FAMILY#P").begins_with("REQ#").backwards(),
        7,
    )
    .await;
    let mut rev = expected.clone();
    rev.reverse();
    assert_eq!(got, rev);
    let page = f
        .store
        .query(Query::new("FAMILY#P").limit(23))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 23);
}

pub async fn a_bad_cursor_is_refused(f: &StoreFixture) {
    let err = f
        .store
        .query(Query::new("X").after(Some(Cursor("not a cursor".into()))))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadCursor), "{err:?}");
}

pub async fn an_index_holds_only_items_with_its_keys(f: &StoreFixture) {
    let a = item("REQ#1", "REQ", json!({"n": 1})).index(
        Index::Gsi1,
        "QUEUE#pending",
        "2026-11-28T10:00:01Z#1",
    );
    let b = item("REQ#2", "REQ", json!({"n": 2})).index(
        Index::Gsi1,
        "QUEUE#pending",
        "2026-11-28T10:00:00Z#2",
    );
    let c = item("REQ#3", "REQ", json!({"n": 3}));
    let d = item("REQ#4", "REQ", json!({"n": 4})).index(Index::Gsi2, "QUEUE#pending", "x");
    f.store.write_many(vec![a, b, c, d], vec![]).await.unwrap();
    let got = all(&*f.store, Query::on(Index::Gsi1, "QUEUE#pending")).await;
    let pks: Vec<&str> = got.iter().map(Item::pk).collect();
    assert_eq!(pks, ["REQ#2", "REQ#1"], "ordered by the index sort key");
    assert_eq!(
        got[0].get("n"),
        Some(&json!(2)),
        "every attribute is projected"
    );
    let got = all(&*f.store, Query::on(Index::Gsi2, "QUEUE#pending")).await;
    assert_eq!(got.len(), 1);
    assert!(
        all(&*f.store, Query::on(Index::Gsi3, "QUEUE#pending"))
            .await
            .is_empty()
    );
}

pub async fn an_index_follows_updates_of_its_keys(f: &StoreFixture) {
    let a = item("REQ#1", "REQ", json!({})).index(Index::Gsi1, "QUEUE#pending", "1");
    f.store.put(a, None).await.unwrap();
    f.store
        .update(
            &key("REQ#1", "REQ"),
            Update::new()
                .remove("GSI1PK")
                .remove("GSI1SK")
                .set("GSI3PK", "DIGEST#2026-11-28T13")
                .set("GSI3SK", "FAMILY#1#REQ#1"),
            Some(Condition::Exists),
        )
        .await
        .unwrap();
    assert!(
        all(&*f.store, Query::on(Index::Gsi1, "QUEUE#pending"))
            .await
            .is_empty()
    );
    let got = all(
        &*f.store,
        Query::on(Index::Gsi3, "DIGEST#2026-11-28T13").begins_with("FAMILY#1#"),
    )
    .await;
    assert_eq!(got.len(), 1);
    f.store.delete(&key("REQ#1", "REQ"), None).await.unwrap();
    assert!(
        all(&*f.store, Query::on(Index::Gsi3, "DIGEST#2026-11-28T13"))
            .await
            .is_empty()
    );
}

pub async fn an_index_pages_in_order(f: &StoreFixture) {
    let puts: Vec<Item> = (0..17)
        .map(|i| {
            item(&format!("REQ#{i:02}"), "REQ", json!({})).index(
                Index::Gsi2,
                "W",
                format!("F#{:02}", 16 - i),
            )
        })
        .collect();
    f.store.write_many(puts, vec![]).await.unwrap();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = f
            .store
            .query(Query::on(Index::Gsi2, "W").limit(4).after(cursor))
            .await
            .unwrap();
        seen.extend(
            page.items
                .iter()
                .map(|i| i.str_attr("GSI2SK").unwrap().to_string()),
        );
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (0..17).map(|i| format!("F#{i:02}")).collect();
    assert_eq!(seen, expected);
}

pub async fn a_transaction_writes_everything_together(f: &StoreFixture) {
    f.store
        .put(item("T", "UPD", json!({"version": 1, "n": 1})), None)
        .await
        .unwrap();
    f.store
        .put(item("T", "DEL", json!({})), None)
        .await
        .unwrap();
    f.store
        .put(item("T", "CHK", json!({"state": "open"})), None)
        .await
        .unwrap();
    f.store
        .transact(vec![
            Write::put_new(item("T", "NEW", json!({"a": 1}))),
            Write::Update {
                key: key("T", "UPD"),
                update: Update::new().set("version", 2).add("n", 1),
                condition: Some(Condition::VersionIs(1)),
            },
            Write::Delete {
                key: key("T", "DEL"),
                condition: Some(Condition::Exists),
            },
            Write::Check {
                key: key("T", "CHK"),
                condition: Condition::Equals("state".into(), json!("open")),
            },
        ])
        .await
        .unwrap();
    let got = all(&*f.store, Query::new("T")).await;
    assert_eq!(sks(&got), ["CHK", "NEW", "UPD"]);
    assert_eq!(got[2].get("n"), Some(&json!(2)));
}

pub async fn a_failed_transaction_writes_nothing_and_names_the_write(f: &StoreFixture) {
    f.store
        .put(item("T", "TAKEN", json!({})), None)
        .await
        .unwrap();
    f.store
        .put(item("T", "UPD", json!({"n": 1})), None)
        .await
        .unwrap();
    let err = f
        .store
        .transact(vec![
            Write::put_new(item("T", "A", json!({}))),
            Write::Update {
                key: key("T", "UPD"),
                update: Update::new().add("n", 1),
                condition: None,
            },
            Write::put_new(item("T", "TAKEN", json!({"second": true}))),
        ])
        .await
        .unwrap_err();
    match err {
        StoreError::ConditionFailed { index } => assert_eq!(index, Some(2)),
        other => panic!("expected a condition failure, got {other:?}"),
    }
    let got = all(&*f.store, Query::new("T")).await;
    assert_eq!(
        sks(&got),
        ["TAKEN", "UPD"],
        "nothing of the transaction is written"
    );
    assert_eq!(got[1].get("n"), Some(&json!(1)));
    assert_eq!(got[0].get("second"), None);
}

pub async fn a_transaction_over_the_limits_is_refused(f: &StoreFixture) {
    let too_many: Vec<Write> = (0..101)
        .map(|i| Write::put(item("L", &format!("{i:03}"), json!({}))))
        .collect();
    assert!(matches!(
        f.store.transact(too_many).await,
        Err(StoreError::Invalid(_))
    ));
    let twice = vec![
        Write::put(item("L", "1", json!({}))),
        Write::Delete {
            key: key("L", "1"),
            condition: None,
        },
    ];
    assert!(matches!(
        f.store.transact(twice).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        f.store.transact(vec![]).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(all(&*f.store, Query::new("L")).await.is_empty());
    let hundred: Vec<Write> = (0..100)
        .map(|i| Write::put(item("L", &format!("{i:03}"), json!({}))))
        .collect();
    f.store.transact(hundred).await.unwrap();
    assert_eq!(all(&*f.store, Query::new("L")).await.len(), 100);
}

pub async fn expired_items_are_gone_for_readers(f: &StoreFixture) {
    let now = crate::t0().timestamp();
    let soon = item("S", "SOON", json!({}))
        .expires_at(now + 60)
        .index(Index::Gsi1, "G", "1");
    let later = item("S", "LATER", json!({}))
        .expires_at(now + 3600)
        .index(Index::Gsi1, "G", "2");
    let never = item("S", "NEVER", json!({}));
    f.store
        .write_many(vec![soon, later, never], vec![])
        .await
        .unwrap();
    assert!(f.store.get(&key("S", "SOON")).await.unwrap().is_some());
    f.clock.advance(Duration::seconds(60));
    assert!(
        f.store.get(&key("S", "SOON")).await.unwrap().is_none(),
        "expired at its ttl"
    );
    assert_eq!(
        sks(&all(&*f.store, Query::new("S")).await),
        ["LATER", "NEVER"]
    );
    let idx = all(&*f.store, Query::on(Index::Gsi1, "G")).await;
    assert_eq!(sks(&idx), ["LATER"]);
    let many = f
        .store
        .get_many(&[key("S", "SOON"), key("S", "LATER")])
        .await
        .unwrap();
    assert_eq!(sks(&many), ["LATER"]);
    let paged = f.store.query(Query::new("S").limit(1)).await.unwrap();
    assert_eq!(sks(&paged.items), ["LATER"]);
}

pub async fn conditions_see_expired_items_as_absent(f: &StoreFixture) {
    let now = crate::t0().timestamp();
    f.store
        .put(
            item("C", "USED", json!({"version": 1})).expires_at(now + 10),
            Some(Condition::NotExists),
        )
        .await
        .unwrap();
    let err = f
        .store
        .put(
            item("C", "USED", json!({})).expires_at(now + 10),
            Some(Condition::NotExists),
        )
        .await
        .unwrap_err();
    assert!(err.is_condition_failed(), "alive: exists");
    f.clock.advance(Duration::seconds(11));
    let err = f
        .store
        .delete(&key("C", "USED"), Some(Condition::Exists))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed(), "expired: does not exist");
    let err = f
        .store
        .put(item("C", "USED", json!({})), Some(Condition::VersionIs(1)))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed(), "expired: no version");
    f.store
        .put(
            item("C", "USED", json!({"again": true})),
            Some(Condition::NotExists),
        )
        .await
        .unwrap();
    let got = f.store.get(&key("C", "USED")).await.unwrap().unwrap();
    assert_eq!(got.get("again"), Some(&json!(true)));
    assert_eq!(got.ttl(), None);
}

pub async fn many_items_are_read_at_once_in_key_order(f: &StoreFixture) {
    let puts: Vec<Item> = (0..150)
        .map(|i| item(&format!("ACTIVITY#{i:03}"), "ACTIVITY", json!({"i": i})))
        .collect();
    f.store.write_many(puts, vec![]).await.unwrap();
    let mut keys: Vec<Key> = (0..150)
        .rev()
        .map(|i| key(&format!("ACTIVITY#{i:03}"), "ACTIVITY"))
        .collect();
    keys.push(key("ACTIVITY#999", "ACTIVITY"));
    keys.push(key("ACTIVITY#000", "ACTIVITY"));
    let got = f.store.get_many(&keys).await.unwrap();
    assert_eq!(got.len(), 150, "missing keys left out, repeated keys once");
    let order: Vec<i64> = got
        .iter()
        .map(|i| i.get("i").and_then(Value::as_i64).unwrap())
        .collect();
    let expected: Vec<i64> = (0..150).rev().collect();
    assert_eq!(order, expected, "in the order of the keys asked");
    assert!(f.store.get_many(&[]).await.unwrap().is_empty());
}

pub async fn many_items_are_written_and_deleted_at_once(f: &StoreFixture) {
    let puts: Vec<Item> = (0..60)
        .map(|i| item("W", &format!("{i:02}"), json!({})))
        .collect();
    f.store.write_many(puts, vec![]).await.unwrap();
    assert_eq!(all(&*f.store, Query::new("W")).await.len(), 60);
    let deletes: Vec<Key> = (0..30).map(|i| key("W", &format!("{i:02}"))).collect();
    let more: Vec<Item> = (60..90)
        .map(|i| item("W", &format!("{i:02}"), json!({})))
        .collect();
    f.store.write_many(more, deletes).await.unwrap();
    let got = all(&*f.store, Query::new("W")).await;
    assert_eq!(got.len(), 60);
    assert_eq!(got[0].sk(), "30");
}

pub async fn concurrent_creations_of_one_key_let_exactly_one_through(f: &StoreFixture) {
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = Arc::clone(&f.store);
            tokio::spawn(async move {
                store
                    .put(
                        item("EMAIL#race@x.fr", "EMAIL", json!({"by": i})),
                        Some(Condition::NotExists),
                    )
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in futures::future::join_all(tasks).await {
        match t.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert!(e.is_condition_failed(), "{e:?}"),
        }
    }
    assert_eq!(ok, 1);
}

pub async fn concurrent_bookings_never_exceed_the_capacity(f: &StoreFixture) {
    // Each booking is a transaction: the counter under the capacity, and
    // the booking itself; exactly `capacity` get through.
    let capacity = 5;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = Arc::clone(&f.store);
            tokio::spawn(async move {
                loop {
                    let r = store
                        .transact(vec![
                            Write::Update {
                                key: key("ACTIVITY#1", "COUNT#2026-12-01"),
                                update: Update::new().add("taken", 1),
                                condition: Some(Condition::Below("taken".into(), capacity)),
                            },
                            Write::put_new(item(
                                "ACTIVITY#1",
                                &format!("BOOKING#2026-12-01#{i:02}"),
                                json!({}),
                            )),
                        ])
                        .await;
                    match r {
                        Err(StoreError::Contention) => continue,
                        other => return other,
                    }
                }
            })
        })
        .collect();
    let mut ok = 0;
    for t in futures::future::join_all(tasks).await {
        match t.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert!(e.is_condition_failed(), "{e:?}"),
        }
    }
    assert_eq!(ok, capacity);
    let bookings = all(&*f.store, Query::new("ACTIVITY#1").begins_with("BOOKING#")).await;
    assert_eq!(bookings.len() as i64, capacity);
    let counter = f
        .store
        .get(&key("ACTIVITY#1", "COUNT#2026-12-01"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counter.get("taken"), Some(&json!(capacity)));
}
