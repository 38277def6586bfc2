//! The request model at the edge: "Mes demandes" for families, and the
//! decision every kind of request goes through (the back-office queue).
//! Kinds plug their own effects into a decision through
//! [`decision_writes`]; the rest (state, history, messages, indexes, the
//! `RequestDecided` event) is shared.

pub mod store;
mod view;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use chrono::{DateTime, Utc};
use marelle_domain::keys;
use marelle_domain::ports::Event;
use marelle_domain::ports::store::{Query, Write};
use marelle_domain::requests::{Decision, RequestError, RequestKind, RequestRecord, RequestState};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Parent, UrlQuery};
use crate::family::access;
use crate::state::AppState;

pub use view::{ChangeLine, RequestDetail, RequestPage, RequestSummary, detail as view_detail};

/// Items per page of request lists.
pub const PAGE_SIZE: usize = 20;

/// The digest window a decision at `at` belongs to: the 13:00 or 18:00
/// boundary (Europe/Paris) that closes it, as a sortable id.
pub fn window_id(at: DateTime<Utc>) -> String {
    marelle_domain::digest_window::window_of(at).id()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/requests", get(list))
        .route("/api/requests/{id}", get(detail))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub family_id: Option<String>,
    /// A child's id.
    pub child: Option<String>,
    pub kind: Option<RequestKind>,
    pub state: Option<RequestState>,
    /// The previous answer's `next_page`.
    pub page: Option<String>,
}

/// `GET /api/requests`: "Mes demandes", newest first.
#[utoipa::path(get, path = "/api/requests", tag = "requests", params(ListParams),
    responses(
        (status = 200, description = "Les demandes de la famille", body = RequestPage),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 404, description = "Famille inconnue de ce compte", body = Problem),
    ))]
pub async fn list(
    State(app): State<AppState>,
    Parent(parent): Parent,
    UrlQuery(p): UrlQuery<ListParams>,
) -> ApiResult<Json<RequestPage>> {
    let family_id = access::family_of(&app, &parent.account_id, p.family_id.as_deref()).await?;
    let query = Query::on(
        marelle_domain::ports::Index::Gsi1,
        keys::family_requests(&family_id),
    )
    .backwards();
    let (items, next) = store::filtered_page(&app, query, p.page.as_deref(), PAGE_SIZE, |r| {
        p.child
            .as_ref()
            .is_none_or(|c| r.child_id.as_ref() == Some(c))
            && p.kind.is_none_or(|k| r.kind == k)
            && p.state.is_none_or(|s| r.state == s)
    })
    .await?;
    Ok(Json(RequestPage {
        items: items.iter().map(RequestSummary::from).collect(),
        next_page: next,
    }))
}

/// `GET /api/requests/{id}`: one request and its history. Reading it
/// clears its new messages.
#[utoipa::path(get, path = "/api/requests/{id}", tag = "requests",
    responses(
        (status = 200, description = "La demande et son historique", body = RequestDetail),
        (status = 404, description = "Demande inconnue (ou d'une autre famille)", body = Problem),
    ))]
pub async fn detail(
    State(app): State<AppState>,
    Parent(parent): Parent,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestDetail>> {
    let mut r = store::load(&app, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    access::family_of(&app, &parent.account_id, Some(&r.family_id)).await?;
    let before = r.version;
    if r.mark_read() {
        // Best effort: a concurrent change only delays the reset.
        match app.store.transact(vec![store::save(&r, before)?]).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Json(view::detail(&app, &r, false).await?))
}

/// The writes a kind adds to a decision (dossier changes apply their
/// change; planning requests move their slot…).
async fn decision_writes(
    app: &AppState,
    r: &RequestRecord,
    decision: Decision,
) -> ApiResult<Vec<Write>> {
    match r.kind {
        RequestKind::DossierChange => {
            crate::family::changes::decision_writes(app, r, decision).await
        }
        RequestKind::Reservation | RequestKind::Absence => {
            crate::planning::decision_writes(app, r, decision).await
        }
        RequestKind::Document | RequestKind::CrecheApplication => Ok(Vec::new()),
    }
}

/// Decides a pending request, with its kind's effects, in one transaction;
/// then tells the bus. Retries when something changed in between.
pub async fn decide(
    app: &AppState,
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
        let mut writes = vec![store::save(&r, before)?];
        writes.extend(decision_writes(app, &r, decision).await?);
        match app.store.transact(writes).await {
            Ok(()) => {
                publish_decided(app, &r).await;
                if matches!(r.kind, RequestKind::Reservation | RequestKind::Absence) {
                    crate::planning::after_decision(app, &r, decision).await;
                }
                return Ok(r);
            }
            Err(e)
                if e.is_condition_failed()
                    || matches!(e, marelle_domain::ports::StoreError::Contention) =>
            {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        "conflict",
        "La demande ou le dossier a changé entre-temps. Rechargez et recommencez.",
    ))
}

pub fn already_decided(e: RequestError) -> ApiError {
    match e {
        RequestError::AlreadyDecided(s) => ApiError::conflict(
            "already_decided",
            format!(
                "Cette demande a déjà été traitée (état : {}).",
                s.label().to_lowercase()
            ),
        ),
        RequestError::EmptyMessage => ApiError::rule("empty_message", "Le message est vide."),
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
