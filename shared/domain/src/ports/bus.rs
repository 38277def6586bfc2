//! The event bus port: EventBridge in AWS, an in-process bus locally. An
//! event is a `detail_type` ("RequestsSubmitted", "RequestDecided"…) and a
//! JSON detail; consumers are idempotent on `id`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// The `source` of every Marelle event.
pub const SOURCE: &str = "marelle";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per event; consumers use it to ignore a redelivery.
    pub id: String,
    pub detail_type: String,
    pub detail: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("event refused: {0}")]
    Rejected(String),
    #[error("event bus unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait EventBus: Send + Sync + 'static {
    /// Publishes the events; returns once the bus holds them. Delivery to
    /// consumers happens afterwards and never blocks the publisher.
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError>;
}

/// A consumer of events (the `notify` function, the waiting-list
/// promoter…). The in-process bus calls it directly; in AWS an EventBridge
/// rule invokes the function that wraps it.
#[async_trait]
pub trait EventHandler: Send + Sync + 'static {
    /// Handles one event. An error makes the bus deliver it again later.
    async fn handle(&self, event: &Event) -> Result<(), String>;
}
