//! Invoicing from the planning (issue 16): the activities' billing
//! settings and tariffs, the families' quotients familiaux, the staff's
//! attendance sheets, and the monthly run that issues invoices into
//! "Espace facturation". The rules are the domain's
//! (`marelle_domain::invoicing`); the store layout is in
//! `docs/invoicing.md` and `marelle_domain::keys`.
//!
//! Served by the `agent` function (the back-office).

use axum::Router;

use crate::http::state::AppState;

pub mod attendance;
pub mod run;
pub mod settings;

/// Every invoicing route.
pub fn router() -> Router<AppState> {
    settings::router()
        .merge(attendance::router())
        .merge(run::router())
}
