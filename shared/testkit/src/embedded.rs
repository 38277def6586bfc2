//! Fixtures of the conformance suites on the embedded adapters.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use marelle_domain::ports::{Event, EventHandler, SettableClock};
use marelle_embedded::{FolderBlobs, InProcessBus, Outbox, SqliteStore};

use crate::blob_suite::BlobFixture;
use crate::bus_suite::{BusFixture, Delivered};
use crate::mail_suite::{MailFixture, SentMail};
use crate::store_suite::StoreFixture;

pub async fn store() -> StoreFixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SettableClock::frozen(crate::t0()));
    let store = SqliteStore::open(dir.path().join("marelle.db"), clock.clone()).unwrap();
    StoreFixture {
        store: Arc::new(store),
        clock,
        _guard: Box::new(dir),
    }
}

struct OutboxFiles(PathBuf);

#[async_trait]
impl SentMail for OutboxFiles {
    async fn sent(&self) -> Vec<Vec<u8>> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.0)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect()
    }
}

pub async fn mail() -> MailFixture {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::new(
        dir.path().join("outbox"),
        Arc::new(SettableClock::frozen(crate::t0())),
    )
    .unwrap();
    MailFixture {
        sent: Arc::new(OutboxFiles(outbox.dir().to_path_buf())),
        mailer: Arc::new(outbox),
        from: "Portail Citoyen <nepasrepondre@villebois.fr>".into(),
        _guard: Box::new(dir),
    }
}

struct ServerGuard(tokio::task::JoinHandle<()>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub async fn blobs() -> BlobFixture {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let blobs = Arc::new(
        FolderBlobs::new(
            dir.path().join("blobs"),
            &format!("http://{addr}"),
            b"test signing key".to_vec(),
            Arc::new(SettableClock::new()),
        )
        .unwrap(),
    );
    let app = marelle_embedded::blobs::routes(blobs.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    BlobFixture {
        blobs,
        _guard: Box::new((dir, ServerGuard(server))),
    }
}

/// Collects what the bus delivers.
#[derive(Default)]
pub struct Collector {
    events: Mutex<Vec<Event>>,
}

#[async_trait]
impl EventHandler for Collector {
    async fn handle(&self, event: &Event) -> Result<(), String> {
        self.events.lock().unwrap().push(event.clone());
        Ok(())
    }
}

#[async_trait]
impl Delivered for Collector {
    async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Event> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.events.lock().unwrap().clone();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

pub async fn bus() -> BusFixture {
    let bus = InProcessBus::new();
    let collector = Arc::new(Collector::default());
    bus.subscribe(collector.clone());
    BusFixture {
        bus: Arc::new(bus),
        delivered: collector,
        _guard: Box::new(()),
    }
}
