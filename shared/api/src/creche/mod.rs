//! Préinscription en crèche. Agents keep the commune's crèches
//! ([`structures`]); parents apply, follow, renew, withdraw and answer
//! offers ([`applications`]); agents review applications and offer places
//! ([`agent`]). Applications live beside the family's dossier
//! ([`store`]), each a `creche_application` request of the shared model.

pub mod agent;
pub mod applications;
pub mod birth;
pub mod commission;
pub mod jobs;
pub mod stats;
pub mod store;
pub mod structures;

use async_trait::async_trait;
use axum::Router;
use axum::routing::{get, post};
use marelle_domain::requests::{Decision, RequestRecord};

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::requests::kind::{Effects, KindEffects};

/// The parents' and the agents' crèche routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/creche/structures", get(structures::parent_list))
        .route(
            "/api/creche/applications",
            get(applications::list).post(applications::create),
        )
        .route("/api/creche/applications/{id}", get(applications::detail))
        .route(
            "/api/creche/applications/{id}/withdraw",
            post(applications::withdraw),
        )
        .route(
            "/api/creche/applications/{id}/renewal",
            post(applications::renew),
        )
        .route(
            "/api/creche/applications/{id}/answer",
            post(applications::answer),
        )
        .route("/api/creche/applications/{id}/birth", post(birth::confirm))
        .route(
            "/api/agent/creche/structures",
            get(structures::agent_list).post(structures::create),
        )
        .route("/api/agent/creche/places", get(structures::places_report))
        .route("/api/agent/creche/applications", get(agent::list))
        .route("/api/agent/creche/stats", get(stats::read))
        .route("/api/agent/creche/applications/{id}", get(agent::detail))
        .route(
            "/api/agent/creche/applications/{id}/status",
            post(agent::set_status),
        )
        .route(
            "/api/agent/creche/applications/{id}/offer",
            post(agent::offer),
        )
        .route(
            "/api/agent/creche/commissions",
            get(commission::list).post(commission::create),
        )
        .route(
            "/api/agent/creche/commissions/{id}",
            get(commission::detail),
        )
        .route(
            "/api/agent/creche/commissions/{id}/apply",
            post(commission::apply),
        )
        .route(
            "/api/agent/creche/commissions/{id}/send",
            post(commission::send),
        )
}

/// A crèche application's request is decided through the application's
/// lifecycle (a state, an offer, the family's answer), never by the
/// queue's generic decision.
pub struct CrecheApplicationRequest;

#[async_trait]
impl KindEffects for CrecheApplicationRequest {
    async fn decision(&self, _: &AppState, _: &RequestRecord, _: Decision) -> ApiResult<Effects> {
        Err(ApiError::conflict(
            "invalid_transition",
            "Une préinscription en crèche se traite depuis l'espace crèche (état, proposition de place).",
        ))
    }
}
