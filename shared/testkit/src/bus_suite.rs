//! The event bus port's conformance suite: what is published is delivered,
//! whole, to the consumer.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use marelle_domain::ports::{Event, EventBus};
use serde_json::json;

/// What reached the consumer side (the in-process subscriber, or the SQS
/// queue an EventBridge rule targets).
#[async_trait]
pub trait Delivered: Send + Sync {
    /// Waits until at least `n` events arrived (or `timeout` passed) and
    /// returns every event received so far.
    async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Event>;
}

pub struct BusFixture {
    pub bus: Arc<dyn EventBus>,
    pub delivered: Arc<dyn Delivered>,
    pub _guard: Box<dyn std::any::Any + Send + Sync>,
}

#[macro_export]
macro_rules! bus_conformance {
    ($fixture:expr) => {
        $crate::bus_conformance!(@each $fixture;
            a_published_event_is_delivered_whole,
            a_large_batch_is_delivered_entirely
        );
    };
    (@each $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture = $fixture.await;
                $crate::bus_suite::$name(&fixture).await;
            }
        )*
    };
}

pub async fn a_published_event_is_delivered_whole(f: &BusFixture) {
    let event = Event {
        id: "01JEVENT000000000000000001".into(),
        detail_type: "RequestsSubmitted".into(),
        detail: json!({"family_id": "F1", "requests": ["R1", "R2"], "note": "Péri SOIR « été »"}),
    };
    f.bus.publish(vec![event.clone()]).await.unwrap();
    let got = f.delivered.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(got, vec![event]);
}

pub async fn a_large_batch_is_delivered_entirely(f: &BusFixture) {
    let events: Vec<Event> = (0..23)
        .map(|i| Event {
            id: format!("01JEVENT0000000000000000{i:02}"),
            detail_type: "RequestDecided".into(),
            detail: json!({"i": i}),
        })
        .collect();
    f.bus.publish(events.clone()).await.unwrap();
    let mut got = f.delivered.wait_for(23, Duration::from_secs(30)).await;
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, events);
}
