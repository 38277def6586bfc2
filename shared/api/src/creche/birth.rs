//! The birth of an expected child: the family declares it on its crèche
//! application; the child joins the dossier as a dossier change the
//! commune accepts (as every change of the dossier), and the application
//! is then for that child.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use marelle_domain::creche;
use marelle_domain::family::{ChangeSet, Sex, Target};
use marelle_domain::ports::store::{Condition, Write};
use marelle_domain::requests::Actor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::applications::{ApplicationView, transition_error};
use super::store::{self, Event, HistoryEntry, MAX_HISTORY};
use crate::family::{FamilyParam, access, changes, store as family_store};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{JsonBody, Parent, UrlQuery};
use crate::http::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BirthBody {
    /// 50 characters at most.
    pub first_name: String,
    pub sex: Sex,
    /// Not in the future; from 120 days before the due date to 45 days
    /// after it.
    pub birth_date: NaiveDate,
}

/// `POST /api/creche/applications/{id}/birth`: the expected child is born.
#[utoipa::path(post, path = "/api/creche/applications/{id}/birth", operation_id = "confirm_creche_birth", tag = "creche", params(("id" = String, Path), FamilyParam), request_body = BirthBody,
    responses(
        (status = 200, description = "Naissance déclarée, l'enfant rejoint le dossier quand la collectivité valide la modification", body = ApplicationView),
        (status = 400, description = "Corps illisible ou champ inconnu", body = Problem),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Inconnue, ou d'une autre famille", body = Problem),
        (status = 409, description = "`not_expected`, `birth_already_confirmed`, `application_closed`, ou modifiée entre-temps (`conflict`)", body = Problem),
        (status = 422, description = "`invalid_first_name`, `invalid_birth_date`, `history_full`, `too_many_pending_changes`", body = Problem),
    ))]
pub async fn confirm(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(body): JsonBody<BirthBody>,
) -> ApiResult<Json<ApplicationView>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let mut a = store::load(&app, &family_id, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let now = app.clock.now();
    let Some(expected) = a.expected.clone().filter(|_| a.child_id.is_none()) else {
        return Err(ApiError::conflict(
            "not_expected",
            "Cette préinscription est pour un enfant déjà né.",
        ));
    };
    if a.birth_request_id.is_some() && !store::birth_refused(&app, &a).await? {
        return Err(ApiError::conflict(
            "birth_already_confirmed",
            "La naissance a déjà été déclarée pour cette préinscription.",
        ));
    }
    if !a.status_at(now).is_open() {
        return Err(transition_error(creche::TransitionError::ApplicationClosed));
    }
    let today = marelle_domain::time::local_date(now);
    let first_name =
        creche::birth::check(&body.first_name, body.birth_date, expected.due_date, today)
            .map_err(ApiError::invalid_fields)?;
    if a.history.len() >= MAX_HISTORY {
        return Err(ApiError::rule(
            "history_full",
            format!("Cette préinscription a atteint {MAX_HISTORY} événements."),
        ));
    }
    let loaded = family_store::load(&app, &family_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let last_name = loaded
        .dossier
        .guardians
        .first()
        .map(|g| g.last_name.clone())
        .unwrap_or_default();
    let child_id = app.ids.next();
    let mut fields = Map::new();
    fields.insert("first_name".into(), Value::String(first_name.clone()));
    fields.insert("last_name".into(), Value::String(last_name.clone()));
    fields.insert(
        "birth_date".into(),
        Value::String(body.birth_date.format("%Y-%m-%d").to_string()),
    );
    fields.insert(
        "sex".into(),
        serde_json::to_value(body.sex).unwrap_or_default(),
    );
    let who = format!("{first_name} {last_name}");
    let (request_id, mut writes) = changes::submit_writes(
        &app,
        &family_id,
        &p.account_id,
        ChangeSet {
            target: Target::NewChild { id: child_id },
            fields,
        },
        &Value::Object(Map::new()),
        who.trim(),
    )
    .await?;
    let before = a.version;
    a.birth_request_id = Some(request_id);
    a.history.push(HistoryEntry {
        at: now,
        event: Event::Birth,
        status: a.status,
        by: Actor::Family,
        message: Some(format!(
            "Naissance déclarée\u{a0}: {first_name}, le {}",
            marelle_domain::calendar::long_date(body.birth_date)
        )),
    });
    a.version += 1;
    writes.push(Write::Put {
        item: store::item(&a)?,
        condition: Some(Condition::VersionIs(before)),
    });
    match app.store.transact(writes).await {
        Ok(()) => {}
        Err(e) if e.is_condition_failed() => {
            return Err(ApiError::changed_meanwhile(
                "Cette préinscription a été modifiée entre-temps\u{a0}: rechargez la page.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Json(super::applications::view(&app, &a).await?))
}
