//! The in-process event bus: publishing returns at once; each event is then
//! handed to every subscribed handler on its own task, and delivered again
//! (up to 5 attempts, with a growing pause) when a handler fails, as
//! EventBridge does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use marelle_domain::ports::{BusError, Event, EventBus, EventHandler};
use tokio::sync::Notify;

const ATTEMPTS: u32 = 5;

#[derive(Default)]
struct Inflight {
    count: AtomicUsize,
    idle: Notify,
}

#[derive(Clone, Default)]
pub struct InProcessBus {
    handlers: Arc<RwLock<Vec<Arc<dyn EventHandler>>>>,
    inflight: Arc<Inflight>,
    retry_pause: Duration,
}

impl InProcessBus {
    pub fn new() -> Self {
        Self {
            retry_pause: Duration::from_millis(200),
            ..Default::default()
        }
    }

    /// Pause before the first redelivery (doubles after each failure).
    pub fn with_retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    pub fn subscribe(&self, handler: Arc<dyn EventHandler>) {
        self.handlers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(handler);
    }

    /// Waits until every published event has been handled (or given up).
    pub async fn idle(&self) {
        loop {
            let notified = self.inflight.idle.notified();
            if self.inflight.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

struct InflightGuard(Arc<Inflight>);

impl Drop for InflightGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        let handlers = self
            .handlers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for event in events {
            for handler in &handlers {
                self.inflight.count.fetch_add(1, Ordering::SeqCst);
                let guard = InflightGuard(Arc::clone(&self.inflight));
                let handler = Arc::clone(handler);
                let event = event.clone();
                let mut pause = self.retry_pause;
                tokio::spawn(async move {
                    let _guard = guard;
                    for attempt in 1..=ATTEMPTS {
                        match handler.handle(&event).await {
                            Ok(()) => return,
                            Err(e) if attempt < ATTEMPTS => {
                                tracing::warn!(event = %event.id, detail_type = %event.detail_type, attempt, error = %e, "event handler failed; will retry");
                                tokio::time::sleep(pause).await;
                                pause *= 2;
                            }
                            Err(e) => {
                                tracing::error!(event = %event.id, detail_type = %event.detail_type, error = %e, "event handler failed; giving up");
                            }
                        }
                    }
                });
            }
        }
        Ok(())
    }
}
