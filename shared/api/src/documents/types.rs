//! The document types a commune asks for: a bounded list in one
//! partition (like the régies), created and changed by agents, withdrawn
//! (`active: false`), never deleted.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marelle_domain::documents::{self, DocumentType, Scope, TypeFields};
use marelle_domain::keys;
use marelle_domain::ports::store::{Condition, Item, StoreError, Write};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::bounded;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{Agent, JsonBody};
use crate::http::state::AppState;
use crate::planning::store as planning_store;

/// Document types of a commune, at most.
pub const MAX_TYPES: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentTypeView {
    pub id: String,
    pub name: String,
    pub scope: Scope,
    /// `semester`, `year`, `school_year`, `months:N` (1–60),
    /// `until:YYYY-MM-DD` or `permanent`.
    #[schema(example = "school_year")]
    pub validity: String,
    /// Activities whose enrolled children must provide it.
    pub mandatory_for: Vec<String>,
    /// Shown to parents beside the document (may be empty).
    pub help: String,
    /// False: withdrawn, no longer asked for.
    pub active: bool,
    /// Asked with every open crèche application (« Exigé pour une
    /// préinscription en crèche »).
    pub creche: bool,
}

impl From<&DocumentType> for DocumentTypeView {
    fn from(t: &DocumentType) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            scope: t.scope,
            validity: t.validity.to_string(),
            mandatory_for: t.mandatory_for.clone(),
            help: t.help.clone(),
            active: t.active,
            creche: t.creche,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentTypeList {
    /// By name, withdrawn ones included.
    pub items: Vec<DocumentTypeView>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocumentType {
    /// 1 to 100 characters.
    pub name: String,
    pub scope: Scope,
    /// `semester`, `year`, `school_year`, `months:N` (1–60),
    /// `until:YYYY-MM-DD` or `permanent`.
    pub validity: String,
    /// Existing activity ids (50 at most); absent: none.
    pub mandatory_for: Option<Vec<String>>,
    /// 500 characters at most.
    pub help: Option<String>,
    /// Default true.
    pub active: Option<bool>,
    /// Asked with every open crèche application; default false.
    pub creche: Option<bool>,
}

/// Absent fields stay as they are; `active: false` withdraws the type.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentTypePatch {
    pub name: Option<String>,
    pub scope: Option<Scope>,
    pub validity: Option<String>,
    pub mandatory_for: Option<Vec<String>>,
    pub help: Option<String>,
    pub active: Option<bool>,
    pub creche: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedDocumentType {
    pub id: String,
}

/// Every document type of the commune, by name (one query; bounded).
pub async fn list(app: &AppState) -> ApiResult<Vec<DocumentType>> {
    let mut all: Vec<DocumentType> = bounded::list(
        app,
        keys::DOCUMENT_TYPES,
        keys::DOCUMENT_TYPE_PREFIX,
        MAX_TYPES,
    )
    .await?;
    all.sort_by_key(|t| (t.name.to_lowercase(), t.id.clone()));
    Ok(all)
}

fn unknown_type() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_document_type",
        "Ce type de document n'existe pas.",
    )
}

fn item(t: &DocumentType, version: i64) -> ApiResult<Item> {
    let mut item = Item::with_data(keys::document_type(&t.id), t)?;
    item.set("version", version.into());
    Ok(item)
}

/// Checks the fields, then that every activity of `mandatory_for` exists
/// (one batch read, at most 50 keys).
async fn checked(
    app: &AppState,
    name: &str,
    validity: &str,
    mandatory_for: &[String],
    help: &str,
) -> ApiResult<TypeFields> {
    let fields = documents::validate(name, validity, mandatory_for, help)
        .map_err(ApiError::invalid_fields)?;
    if !fields.mandatory_for.is_empty() {
        let found: HashSet<String> = planning_store::activities(app, &fields.mandatory_for)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        if let Some(missing) = fields.mandatory_for.iter().find(|id| !found.contains(*id)) {
            return Err(ApiError::invalid_fields(vec![documents::unknown_activity(
                missing,
            )]));
        }
    }
    Ok(fields)
}

/// `GET /api/agent/document-types`: the commune's document types.
#[utoipa::path(get, path = "/api/agent/document-types", operation_id = "list_document_types", tag = "agent",
    responses(
        (status = 200, description = "Les types de pièces justificatives, par nom", body = DocumentTypeList),
        (status = 403, description = "Réservé aux agents", body = Problem),
    ))]
pub async fn list_types(
    State(app): State<AppState>,
    Agent(_): Agent,
) -> ApiResult<Json<DocumentTypeList>> {
    let all = list(&app).await?;
    Ok(Json(DocumentTypeList {
        items: all.iter().map(DocumentTypeView::from).collect(),
    }))
}

/// `POST /api/agent/document-types`: a new document type.
#[utoipa::path(post, path = "/api/agent/document-types", operation_id = "create_document_type", tag = "agent", request_body = NewDocumentType,
    responses(
        (status = 201, description = "Type de document créé", body = CreatedDocumentType),
        (status = 400, description = "Corps illisible ou champ inconnu", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 422, description = "`invalid_name`, `invalid_validity`, `unknown_activity`, `too_many_activities`, `invalid_help`, `too_many_document_types`", body = Problem),
    ))]
pub async fn create_type(
    State(app): State<AppState>,
    Agent(_): Agent,
    JsonBody(body): JsonBody<NewDocumentType>,
) -> ApiResult<impl IntoResponse> {
    let fields = checked(
        &app,
        &body.name,
        &body.validity,
        body.mandatory_for.as_deref().unwrap_or_default(),
        body.help.as_deref().unwrap_or_default(),
    )
    .await?;
    if list(&app).await?.len() >= MAX_TYPES {
        return Err(ApiError::rule(
            "too_many_document_types",
            format!("Une commune compte {MAX_TYPES} types de pièces justificatives au plus."),
        ));
    }
    let t = DocumentType {
        id: app.ids.next(),
        name: fields.name,
        scope: body.scope,
        validity: fields.validity,
        mandatory_for: fields.mandatory_for,
        help: fields.help,
        active: body.active.unwrap_or(true),
        creche: body.creche.unwrap_or(false),
    };
    app.store
        .put(item(&t, 1)?, Some(Condition::NotExists))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedDocumentType { id: t.id })))
}

/// `PATCH /api/agent/document-types/{id}`: changes any field; `active:
/// false` withdraws the type (it is never deleted).
#[utoipa::path(patch, path = "/api/agent/document-types/{id}", operation_id = "update_document_type", tag = "agent", params(("id" = String, Path)), request_body = DocumentTypePatch,
    responses(
        (status = 200, description = "Type de document modifié", body = DocumentTypeView),
        (status = 400, description = "Corps illisible ou champ inconnu", body = Problem),
        (status = 403, description = "Réservé aux agents", body = Problem),
        (status = 404, description = "`unknown_document_type`", body = Problem),
        (status = 409, description = "Modifié entre-temps", body = Problem),
        (status = 422, description = "`invalid_name`, `invalid_validity`, `unknown_activity`, `too_many_activities`, `invalid_help`", body = Problem),
    ))]
pub async fn update_type(
    State(app): State<AppState>,
    Agent(_): Agent,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<DocumentTypePatch>,
) -> ApiResult<Json<DocumentTypeView>> {
    if id.is_empty() || id.len() > 40 || id.contains('#') {
        return Err(unknown_type());
    }
    let found = app
        .store
        .get(&keys::document_type(&id))
        .await?
        .ok_or_else(unknown_type)?;
    let version = found.get("version").and_then(|v| v.as_i64()).unwrap_or(0);
    let old: DocumentType = found.data()?;
    let validity = match &patch.validity {
        Some(v) => v.clone(),
        None => old.validity.to_string(),
    };
    let fields = match &patch.mandatory_for {
        // New activities are checked; the type's own are kept as they are.
        Some(ids) => {
            checked(
                &app,
                patch.name.as_deref().unwrap_or(&old.name),
                &validity,
                ids,
                patch.help.as_deref().unwrap_or(&old.help),
            )
            .await?
        }
        None => documents::validate(
            patch.name.as_deref().unwrap_or(&old.name),
            &validity,
            &old.mandatory_for,
            patch.help.as_deref().unwrap_or(&old.help),
        )
        .map_err(ApiError::invalid_fields)?,
    };
    let new = DocumentType {
        id: old.id.clone(),
        name: fields.name,
        scope: patch.scope.unwrap_or(old.scope),
        validity: fields.validity,
        mandatory_for: fields.mandatory_for,
        help: fields.help,
        active: patch.active.unwrap_or(old.active),
        creche: patch.creche.unwrap_or(old.creche),
    };
    match app
        .store
        .transact(vec![Write::Put {
            item: item(&new, version + 1)?,
            condition: Some(Condition::VersionIs(version)),
        }])
        .await
    {
        Ok(()) => Ok(Json(DocumentTypeView::from(&new))),
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::changed_meanwhile(
            "Ce type de document a été modifié entre-temps : rechargez la page.",
        )),
        Err(e) => Err(e.into()),
    }
}
