//! Back-office: ending an account's link to a family file (a former
//! guardian must stop seeing the children's health data and photos). The
//! link goes, the family's history says who ended it and why, and the
//! account is told by e-mail.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use marelle_domain::emails::unlinked;
use marelle_domain::family::history::{self, FamilyEvent, FamilyEventKind};
use marelle_domain::requests::Actor;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::store as accounts;
use crate::family::{access, store};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody};
use crate::http::mail;
use crate::http::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlinkBody {
    /// The account to unlink (one of the dossier's `subscribers`).
    pub account_id: String,
    /// Why (at most 500 characters): kept in the family's history and sent
    /// to the account.
    pub reason: String,
}

/// `POST /api/agent/families/{id}/unlink`: the account no longer sees the
/// family file.
#[utoipa::path(post, path = "/api/agent/families/{id}/unlink", tag = "agent", request_body = UnlinkBody,
    params(("id" = String, Path, description = "La famille")),
    responses(
        (status = 204, description = "Lien retiré ; l'historique de la famille le garde, le compte est prévenu par e-mail"),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "Famille inconnue, ou compte pas relié à cette famille (not_linked)", body = Problem),
        (status = 422, description = "Motif manquant ou trop long", body = Problem),
    ))]
pub async fn unlink(
    State(app): State<AppState>,
    Agent(agent): Agent,
    Path(family_id): Path<String>,
    JsonBody(body): JsonBody<UnlinkBody>,
) -> ApiResult<StatusCode> {
    let reason = history::reason(&body.reason).map_err(|e| ApiError::invalid_fields(vec![e]))?;
    if family_id.len() > 40 || body.account_id.is_empty() || body.account_id.len() > 40 {
        return Err(access::not_linked());
    }
    let loaded = store::load(&app, &family_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let account = accounts::by_id(&app, &body.account_id)
        .await?
        .ok_or_else(access::not_linked)?;
    let by = accounts::by_id(&app, &agent.account_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let event = FamilyEvent {
        id: app.ids.next(),
        at: app.clock.now(),
        kind: FamilyEventKind::AccountUnlinked,
        account_id: account.id.clone(),
        account_email: account.email.clone(),
        by: Actor::Commune,
        by_account_id: by.id.clone(),
        by_name: by.full_name(),
        reason: Some(reason.clone()),
    };
    access::end_link(&app, &family_id, &event).await?;
    // The link is gone either way; a failed e-mail is logged.
    let _ = mail::send(
        &app,
        &unlinked(
            &account,
            &app.commune,
            &loaded.dossier.family.label,
            &reason,
        ),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
