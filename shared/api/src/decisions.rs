//! The one place that knows every kind of request: each kind's effects are
//! registered here, one line a kind, and the shared request model
//! ([`crate::requests`]) decides and shows requests through them. Adding a
//! kind is its feature module's [`KindEffects`] and one line below.

use marelle_domain::requests::{Decision, RequestKind, RequestRecord};

use crate::http::error::ApiResult;
use crate::http::state::AppState;
use crate::requests::kind::KindEffects;
use crate::requests::view::RequestDetail;

/// The effects of a kind of request.
pub fn effects(kind: RequestKind) -> &'static dyn KindEffects {
    match kind {
        RequestKind::Reservation | RequestKind::Absence => &crate::planning::decision::PlanningDay,
        RequestKind::DossierChange => &crate::family::changes::DossierChange,
        RequestKind::Document => &crate::documents::upload::DocumentReview,
        RequestKind::CrecheApplication => &crate::creche::CrecheApplicationRequest,
    }
}

/// Decides a pending request of any kind (see [`crate::requests::decide`]).
pub async fn decide(
    app: &AppState,
    id: &str,
    decision: Decision,
    message: Option<&str>,
    agent_id: &str,
) -> ApiResult<RequestRecord> {
    crate::requests::decide::decide(app, effects, id, decision, message, agent_id).await
}

/// The detail of a request of any kind; `for_agent` shows what only the
/// commune sees (full bank data, the dossier's values now).
pub async fn detail(
    app: &AppState,
    r: &RequestRecord,
    for_agent: bool,
) -> ApiResult<RequestDetail> {
    let extra = effects(r.kind).detail(app, r, for_agent).await?;
    Ok(RequestDetail::new(r, extra))
}
