//! Which routes each Lambda serves: one function per feature group. The
//! local binary serves them all ([`crate::all_features`]); the SAM
//! template routes the same paths to the same functions.

use axum::Router;

use crate::http::state::AppState;

/// `accounts`: sign-up, activation, login, `GET /api/me`, password reset.
pub fn accounts() -> Router<AppState> {
    crate::accounts::router()
}

/// `family`: "Mes abonnements", "Dossier famille", "Mes demandes".
pub fn family() -> Router<AppState> {
    crate::subscriptions::router()
        .merge(crate::family::router())
        .merge(crate::requests::router())
}

/// `planning`: the children's planning, reservations and absences.
pub fn planning() -> Router<AppState> {
    crate::planning::router()
}

/// `billing`: the families' "Espace facturation", and the agents'
/// background imports (the function runs their chunks too); the agents'
/// other billing routes are the back-office's, in `agent`.
pub fn billing() -> Router<AppState> {
    crate::billing::router().merge(crate::billing::import_jobs::router())
}

/// `agent`: the back-office, with invoicing from the planning (the
/// activity staff's attendance sheets included).
pub fn agent() -> Router<AppState> {
    crate::agent::router()
        .merge(crate::billing::agent_router())
        .merge(crate::invoicing::router())
}

/// `documents`: the families' supporting documents and the agents'
/// document types.
pub fn documents() -> Router<AppState> {
    crate::documents::router()
}

/// `creche`: the families' crèche applications and the agents' crèches
/// and review of applications.
pub fn creche() -> Router<AppState> {
    crate::creche::router()
}

/// Every HTTP function, by name.
pub fn all() -> Vec<(&'static str, Router<AppState>)> {
    vec![
        ("accounts", accounts()),
        ("family", family()),
        ("planning", planning()),
        ("billing", billing()),
        ("agent", agent()),
        ("documents", documents()),
        ("creche", creche()),
    ]
}
