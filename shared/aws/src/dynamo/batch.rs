//! Batch calls: what goes in each call and how the leftovers the service
//! hands back (`UnprocessedItems`, `UnprocessedKeys`) are sent again. Pure
//! of the SDK, so that the 25/100 limits and the retries are tested here
//! (moto enforces neither the limits nor ever leaves anything unprocessed).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::time::Duration;

use marelle_domain::ports::store::{Item, Key, StoreError};

/// One write of a `BatchWriteItem`.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Put(Item),
    Delete(Key),
}

impl WriteOp {
    pub fn key(&self) -> Key {
        match self {
            WriteOp::Put(item) => item.key(),
            WriteOp::Delete(key) => key.clone(),
        }
    }
}

/// The writes to send for `puts` then `deletes`: one per key, the last
/// one asked winning (as on SQLite, which applies puts, then deletes, in
/// order), since a `BatchWriteItem` call refuses a key twice.
pub fn plan_writes(puts: Vec<Item>, deletes: Vec<Key>) -> Vec<WriteOp> {
    let mut ops: Vec<WriteOp> = Vec::with_capacity(puts.len() + deletes.len());
    let mut at: HashMap<Key, usize> = HashMap::new();
    let all = puts
        .into_iter()
        .map(WriteOp::Put)
        .chain(deletes.into_iter().map(WriteOp::Delete));
    for op in all {
        match at.entry(op.key()) {
            Entry::Occupied(e) => ops[*e.get()] = op,
            Entry::Vacant(e) => {
                e.insert(ops.len());
                ops.push(op);
            }
        }
    }
    ops
}

/// Each key once, in the order first asked.
pub fn distinct_keys(keys: &[Key]) -> Vec<Key> {
    let mut seen = std::collections::HashSet::new();
    keys.iter().filter(|k| seen.insert(*k)).cloned().collect()
}

/// Exponential backoff between the calls that resend leftovers.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    /// Calls in all, the first included.
    pub attempts: u32,
}

impl Default for Backoff {
    /// 50 ms doubling up to 2 s, ten calls: about 9 s before giving up.
    fn default() -> Self {
        Self {
            first: Duration::from_millis(50),
            max: Duration::from_secs(2),
            attempts: 10,
        }
    }
}

/// Calls `call` with `pending` and then with what each call leaves
/// unprocessed, backing off between calls, until nothing is left; returns
/// everything the calls produced. Gives up with `Unavailable` after
/// `backoff.attempts` calls.
pub async fn drain<T, O, F, Fut>(
    mut pending: Vec<T>,
    backoff: Backoff,
    what: &str,
    mut call: F,
) -> Result<Vec<O>, StoreError>
where
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = Result<(Vec<O>, Vec<T>), StoreError>>,
{
    let mut out = Vec::new();
    let mut delay = backoff.first;
    let mut calls = 0;
    while !pending.is_empty() {
        if calls == backoff.attempts {
            tracing::warn!(what, left = pending.len(), calls, "batch leftovers remain");
            return Err(StoreError::Unavailable(format!(
                "{what}: {} left unprocessed after {calls} calls",
                pending.len()
            )));
        }
        if calls > 0 {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(backoff.max);
        }
        calls += 1;
        let (got, left) = call(pending).await?;
        out.extend(got);
        pending = left;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::{Arc, Mutex};

    use super::*;
    use marelle_domain::ports::store::{chunks, limits};

    fn item(sk: &str, v: i64) -> Item {
        Item::with_data(Key::new("P", sk), &serde_json::json!({ "v": v })).unwrap()
    }

    fn quick() -> Backoff {
        Backoff {
            first: Duration::from_millis(1),
            max: Duration::from_millis(4),
            attempts: 5,
        }
    }

    #[test]
    fn each_key_is_written_once_and_the_last_write_wins() {
        let ops = plan_writes(
            vec![item("a", 1), item("b", 1), item("a", 2)],
            vec![Key::new("P", "b"), Key::new("P", "c")],
        );
        assert_eq!(
            ops,
            vec![
                WriteOp::Put(item("a", 2)),
                WriteOp::Delete(Key::new("P", "b")),
                WriteOp::Delete(Key::new("P", "c")),
            ]
        );
    }

    #[test]
    fn keys_asked_twice_are_read_once_in_first_order() {
        let k = |s: &str| Key::new("P", s);
        assert_eq!(
            distinct_keys(&[k("b"), k("a"), k("b"), k("c"), k("a")]),
            [k("b"), k("a"), k("c")]
        );
    }

    #[test]
    fn writes_go_in_calls_of_at_most_twenty_five() {
        let ops = plan_writes(
            (0..90).map(|i| item(&format!("{i:02}"), i)).collect(),
            vec![],
        );
        let sizes: Vec<usize> = chunks(ops, limits::BATCH_WRITE_ITEMS)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, [25, 25, 25, 15]);
        let keys: Vec<Key> = (0..250).map(|i| Key::new("P", i.to_string())).collect();
        let sizes: Vec<usize> = chunks(distinct_keys(&keys), limits::BATCH_GET_KEYS)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, [100, 100, 50]);
    }

    #[tokio::test]
    async fn leftovers_are_sent_again_until_none_remain() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&calls);
        // The service processes at most 3 per call and hands back the rest.
        let got = drain((0..8).collect::<Vec<i32>>(), quick(), "test", |batch| {
            let seen = Arc::clone(&seen);
            async move {
                seen.lock().unwrap().push(batch.clone());
                let left = batch.get(3..).unwrap_or_default().to_vec();
                let done = batch.into_iter().take(3).map(|x| x * 10).collect();
                Ok((done, left))
            }
        })
        .await
        .unwrap();
        assert_eq!(got, [0, 10, 20, 30, 40, 50, 60, 70]);
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[2], [6, 7]);
    }

    #[tokio::test]
    async fn leftovers_that_never_go_through_make_the_store_unavailable() {
        let mut n = 0;
        let err = drain(vec![1], quick(), "test", |batch| {
            n += 1;
            async move { Ok((Vec::<()>::new(), batch)) }
        })
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
        assert_eq!(n, quick().attempts);
    }

    #[tokio::test]
    async fn nothing_to_send_makes_no_call() {
        let got: Vec<()> = drain(Vec::<i32>::new(), quick(), "test", |_| async {
            panic!("no call expected")
        })
        .await
        .unwrap();
        assert!(got.is_empty());
    }

    #[tokio::test]
    async fn a_failed_call_stops_the_batch() {
        let err = drain(vec![1, 2], quick(), "test", |_| async {
            Err::<(Vec<()>, Vec<i32>), _>(StoreError::Unavailable("down".into()))
        })
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Unavailable(m) if m == "down"));
    }
}
