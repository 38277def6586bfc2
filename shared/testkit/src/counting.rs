//! A store that counts the calls made through it (tests and benchmarks
//! check that a screen costs a constant number of store calls).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use marelle_domain::ports::Store;
use marelle_domain::ports::store::{Condition, Item, Key, Page, Query, StoreError, Update, Write};

pub struct CountingStore {
    inner: Arc<dyn Store>,
    calls: AtomicUsize,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            calls: AtomicUsize::new(0),
        }
    }

    /// Calls so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.calls.store(0, Ordering::SeqCst);
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.count();
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.count();
        self.inner.get_many(keys).await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.count();
        self.inner.put(item, condition).await
    }

    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        self.count();
        self.inner.update(key, update, condition).await
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.count();
        self.inner.delete(key, condition).await
    }

    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.count();
        self.inner.query(query).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.count();
        self.inner.transact(writes).await
    }

    async fn write_many(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        self.count();
        self.inner.write_many(puts, deletes).await
    }
}
