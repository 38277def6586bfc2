//! The agents' invoicing settings: an activity's billing settings and
//! tariff (`billing`), and a family's quotients familiaux and residence
//! override (`quotients`), which the dossier's validated fiscal
//! information also feeds. Store layout: `docs/invoicing.md`.

pub mod billing;
pub mod quotients;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

use utoipa::OpenApi;

use crate::http::state::AppState;

/// This module's part of the OpenAPI document (merged by `crate::openapi`).
#[derive(OpenApi)]
#[openapi(
    paths(billing::read, billing::write, quotients::read, quotients::write),
    components(schemas(
        billing::BillingSettings,
        billing::BillingView,
        quotients::AgentQuotient,
        quotients::QuotientsUpdate,
        quotients::QuotientsView,
        marelle_domain::invoicing::BilledOn,
        marelle_domain::invoicing::TariffVersion,
        marelle_domain::invoicing::Bracket,
        marelle_domain::invoicing::Reduction,
        marelle_domain::invoicing::Unit,
        marelle_domain::invoicing::Quotient,
        marelle_domain::invoicing::QuotientSource,
    ))
)]
pub struct SettingsApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/agent/activities/{id}/billing",
            get(billing::read)
                .put(billing::write)
                .layer(DefaultBodyLimit::max(billing::MAX_BODY_BYTES)),
        )
        .route(
            "/api/agent/families/{id}/quotients",
            get(quotients::read).put(quotients::write),
        )
}
