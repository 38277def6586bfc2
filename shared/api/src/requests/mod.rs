//! The request model every kind shares (reservations, absences, dossier
//! changes, and the kinds to come): its items ([`store`]), how it shows
//! ([`view`]), the decision ([`decide`]) and how a kind plugs its own
//! effects into it ([`kind`]). It names no feature: `crate::decisions`
//! registers each kind. Here too: "Mes demandes" for families.

pub mod decide;
pub mod kind;
pub mod store;
pub mod view;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use marelle_domain::keys;
use marelle_domain::ports::store::Query;
use marelle_domain::requests::{RequestKind, RequestState};
use serde::Deserialize;
use utoipa::IntoParams;

use view::{RequestDetail, RequestPage, RequestSummary};

use crate::family::access;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Parent, UrlQuery};
use crate::http::state::AppState;

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
#[utoipa::path(get, path = "/api/requests", operation_id = "list_requests", tag = "requests", params(ListParams),
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
    let (items, next) =
        store::filtered_page(&app, query, p.page.as_deref(), store::PAGE_SIZE, |r| {
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
#[utoipa::path(get, path = "/api/requests/{id}", params(("id" = String, Path)), operation_id = "request_detail", tag = "requests",
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
    Ok(Json(crate::decisions::detail(&app, &r, false).await?))
}
