//! The decision every kind of request goes through: the request's state,
//! history and indexes, the kind's own writes, one transaction, then the
//! `RequestDecided` event and the kind's follow-up.

use marelle_domain::ports::{Event, StoreError};
use marelle_domain::requests::{
    Decision, MAX_MESSAGE_CHARS, MAX_MESSAGES, RequestError, RequestRecord,
};

use super::kind::KindEffects;
use super::store;
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// Decides a pending request, with its kind's effects, in one transaction;
/// then tells the bus and runs the kind's follow-up. Retries when something
/// changed in between.
pub async fn decide(
    app: &AppState,
    effects_of: impl Fn(marelle_domain::requests::RequestKind) -> &'static dyn KindEffects,
    id: &str,
    decision: Decision,
    message: Option<&str>,
    agent_id: &str,
) -> ApiResult<RequestRecord> {
    for _ in 0..4 {
        let mut r = store::load(app, id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let before = r.version;
        r.decide(decision, message, agent_id, app.clock.now())
            .map_err(already_decided)?;
        let effects = effects_of(r.kind).decision(app, &r, decision).await?;
        let mut writes = vec![store::save(&r, before)?];
        writes.extend(effects.writes);
        match app.store.transact(writes).await {
            Ok(()) => {
                publish_decided(app, &r).await;
                if let Some(after) = effects.after {
                    after.await;
                }
                return Ok(r);
            }
            Err(e) if e.is_condition_failed() || matches!(e, StoreError::Contention) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::changed_meanwhile(
        "La demande ou le dossier a changé entre-temps. Rechargez et recommencez.",
    ))
}

pub fn already_decided(e: RequestError) -> ApiError {
    match e {
        RequestError::AlreadyDecided(s) => ApiError::conflict(
            "already_decided",
            format!(
                "Cette demande a déjà été traitée (état : {}).",
                s.label().to_lowercase()
            ),
        ),
        RequestError::EmptyMessage => ApiError::rule("empty_message", "Le message est vide."),
        RequestError::MessageTooLong => ApiError::rule(
            "message_too_long",
            format!("Le message ne doit pas dépasser {MAX_MESSAGE_CHARS} caractères."),
        ),
        RequestError::TooManyMessages => ApiError::rule(
            "too_many_messages",
            format!(
                "Cette demande a atteint le nombre maximal de {MAX_MESSAGES} messages : traitez-la sans message ou contactez la famille autrement."
            ),
        ),
    }
}

/// `RequestDecided` on the bus, for the processing digest and any other
/// consumer. A failure is logged: the decision stands, and the digest reads
/// decisions from the store, not from the bus.
pub async fn publish_decided(app: &AppState, r: &RequestRecord) {
    let event = Event {
        id: app.ids.next(),
        detail_type: "RequestDecided".into(),
        detail: serde_json::json!({
            "request_id": r.id,
            "family_id": r.family_id,
            "kind": r.kind,
            "state": r.state,
            "decided_at": r.decided_at,
        }),
    };
    if let Err(e) = app.bus.publish(vec![event]).await {
        tracing::error!(error = %e, "RequestDecided not published");
    }
}
