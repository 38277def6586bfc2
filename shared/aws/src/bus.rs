//! The event bus on EventBridge.
//!
//! Each [`Event`] becomes one entry on the named bus with
//! `Source = "marelle"`, `DetailType = event.detail_type` and, as `Detail`,
//! the envelope
//!
//! ```json
//! {"id": "01J…", "detail": { …the event's detail… }}
//! ```
//!
//! so that rules match on `source`/`detail-type` and the consumer (a
//! Lambda, or an SQS queue a rule targets) gets the whole event back with
//! [`event_from_eventbridge`]. Entries go 10 per `PutEvents` call (the API's
//! limit); entries the service reports as failed are sent again with
//! backoff, and publishing fails if some still fail.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use marelle_domain::ports::bus::SOURCE;
use marelle_domain::ports::store::chunks;
use marelle_domain::ports::{BusError, Event, EventBus};
use serde::{Deserialize, Serialize};

/// Entries in one `PutEvents` call.
pub const ENTRIES_PER_CALL: usize = 10;
/// Size of one entry (source, detail type and detail), in bytes.
pub const ENTRY_BYTES: usize = 256 * 1024;
/// Calls for one chunk, the first included, before giving up.
const ATTEMPTS: u32 = 6;

/// The `Detail` of every Marelle event on EventBridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: String,
    pub detail: serde_json::Value,
}

/// An event as EventBridge delivers it (to a Lambda, or as the body of an
/// SQS message): only the fields Marelle reads.
#[derive(Debug, Deserialize)]
struct Delivered {
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    detail: Envelope,
}

/// The [`Event`] an EventBridge event (as delivered to a Lambda or an SQS
/// queue) carries.
pub fn event_from_eventbridge(delivered: &serde_json::Value) -> Result<Event, BusError> {
    let d: Delivered = serde_json::from_value(delivered.clone())
        .map_err(|e| BusError::Rejected(format!("not a Marelle event: {e}")))?;
    if d.source != SOURCE {
        return Err(BusError::Rejected(format!(
            "event from {}, not {SOURCE}",
            d.source
        )));
    }
    Ok(Event {
        id: d.detail.id,
        detail_type: d.detail_type,
        detail: d.detail.detail,
    })
}

/// The entry for one event on `bus`.
pub fn entry(bus: &str, event: &Event) -> Result<PutEventsRequestEntry, BusError> {
    let detail = serde_json::to_string(&Envelope {
        id: event.id.clone(),
        detail: event.detail.clone(),
    })
    .map_err(|e| BusError::Rejected(e.to_string()))?;
    let size = SOURCE.len() + event.detail_type.len() + detail.len();
    if size > ENTRY_BYTES {
        return Err(BusError::Rejected(format!(
            "event {} is {size} bytes, over {ENTRY_BYTES}",
            event.id
        )));
    }
    Ok(PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(SOURCE)
        .detail_type(&event.detail_type)
        .detail(detail)
        .build())
}

#[derive(Clone)]
pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    /// Publishes on the bus named `bus_name` (or its ARN).
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }

    pub fn bus_name(&self) -> &str {
        &self.bus_name
    }

    /// Sends one chunk (at most 10 entries) until every entry is accepted.
    async fn put_chunk(&self, mut pending: Vec<PutEventsRequestEntry>) -> Result<(), BusError> {
        let mut delay = Duration::from_millis(100);
        let mut last_codes = Vec::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
            let out = self
                .client
                .put_events()
                .set_entries(Some(pending.clone()))
                .send()
                .await
                .map_err(|err| {
                    tracing::error!(error = %DisplayErrorContext(&err), "eventbridge call failed");
                    BusError::Unavailable(format!(
                        "eventbridge PutEvents: {}",
                        err.code().unwrap_or("no answer")
                    ))
                })?;
            if out.failed_entry_count == 0 {
                return Ok(());
            }
            // Results come in the order of the entries sent; a failed one
            // has an error code and no event id.
            let results = out.entries.unwrap_or_default();
            last_codes = results
                .iter()
                .filter_map(|r| r.error_code().map(str::to_string))
                .collect();
            pending = retry_list(pending, &results);
            tracing::warn!(left = pending.len(), codes = ?last_codes, attempt, "eventbridge refused entries");
            if pending.is_empty() {
                return Ok(());
            }
        }
        Err(BusError::Unavailable(format!(
            "eventbridge PutEvents: {} entries failed ({})",
            pending.len(),
            last_codes.join(", ")
        )))
    }
}

/// The entries of `sent` whose result failed (all of them if the results
/// do not line up with the entries, which the API never does).
fn retry_list(
    sent: Vec<PutEventsRequestEntry>,
    results: &[aws_sdk_eventbridge::types::PutEventsResultEntry],
) -> Vec<PutEventsRequestEntry> {
    if results.len() != sent.len() {
        return sent;
    }
    sent.into_iter()
        .zip(results)
        .filter(|(_, r)| r.error_code().is_some() || r.event_id().is_none())
        .map(|(e, _)| e)
        .collect()
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, events: Vec<Event>) -> Result<(), BusError> {
        let entries = events
            .iter()
            .map(|e| entry(&self.bus_name, e))
            .collect::<Result<Vec<_>, _>>()?;
        for chunk in chunks(entries, ENTRIES_PER_CALL) {
            self.put_chunk(chunk).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use aws_sdk_eventbridge::types::PutEventsResultEntry;
    use serde_json::json;

    fn event(i: usize) -> Event {
        Event {
            id: format!("01JEVENT{i:02}"),
            detail_type: "RequestDecided".into(),
            detail: json!({"i": i, "note": "« été »"}),
        }
    }

    #[test]
    fn an_entry_carries_the_source_type_and_the_envelope() {
        let e = entry("marelle-bus", &event(1)).unwrap();
        assert_eq!(e.source(), Some("marelle"));
        assert_eq!(e.detail_type(), Some("RequestDecided"));
        assert_eq!(e.event_bus_name(), Some("marelle-bus"));
        let detail: serde_json::Value = serde_json::from_str(e.detail().unwrap()).unwrap();
        assert_eq!(
            detail,
            json!({"id": "01JEVENT01", "detail": {"i": 1, "note": "« été »"}})
        );
    }

    #[test]
    fn a_delivered_event_comes_back_whole() {
        let delivered = json!({
            "version": "0",
            "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": "RequestDecided",
            "source": "marelle",
            "account": "123456789012",
            "time": "2026-11-28T10:00:00Z",
            "region": "eu-west-3",
            "resources": [],
            "detail": {"id": "01JEVENT07", "detail": {"i": 7, "note": "« été »"}}
        });
        assert_eq!(event_from_eventbridge(&delivered).unwrap(), event(7));
    }

    #[test]
    fn an_event_of_another_source_or_shape_is_refused() {
        let other =
            json!({"source": "aws.s3", "detail-type": "x", "detail": {"id": "1", "detail": {}}});
        assert!(event_from_eventbridge(&other).is_err());
        let shapeless = json!({"source": "marelle", "detail-type": "x", "detail": {"i": 1}});
        assert!(event_from_eventbridge(&shapeless).is_err());
    }

    #[test]
    fn an_event_over_the_entry_size_is_refused() {
        let mut big = event(1);
        big.detail = json!({"blob": "x".repeat(ENTRY_BYTES)});
        assert!(matches!(entry("b", &big), Err(BusError::Rejected(_))));
    }

    #[test]
    fn events_go_ten_per_call() {
        let entries: Vec<_> = (0..23).map(|i| entry("b", &event(i)).unwrap()).collect();
        let sizes: Vec<usize> = chunks(entries, ENTRIES_PER_CALL)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(sizes, [10, 10, 3]);
    }

    #[test]
    fn only_failed_entries_are_sent_again() {
        let sent: Vec<_> = (0..3).map(|i| entry("b", &event(i)).unwrap()).collect();
        let results = vec![
            PutEventsResultEntry::builder().event_id("a").build(),
            PutEventsResultEntry::builder()
                .error_code("InternalFailure")
                .build(),
            PutEventsResultEntry::builder().event_id("c").build(),
        ];
        let again = retry_list(sent.clone(), &results);
        assert_eq!(again, vec![sent[1].clone()]);
        assert_eq!(retry_list(sent.clone(), &results[..1]), sent);
    }
}
