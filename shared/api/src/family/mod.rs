//! "Dossier famille" for families: read it, submit changes (each becomes a
//! request the commune decides), add a child's photo.

pub mod access;
pub mod changes;
pub mod history;
pub mod store;
pub mod view;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use chrono::Duration;
use marelle_domain::family::{ChildPatch, FamilyPatch, GuardianPatch, PatchError};
use marelle_domain::ports::blobs::STAGING_PREFIX;
use marelle_domain::ports::store::{Condition, Item, Key};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{ClientIp, JsonBody, Parent, UrlQuery};
use crate::http::ratelimit::{self, Scope};
use crate::http::sessions::CurrentAccount;
use crate::http::staged::Staged;
use crate::http::state::AppState;

pub use view::DossierView;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/family", get(read).patch(change_family))
        .route("/api/family/guardians/{id}", patch(change_guardian))
        .route("/api/family/children/{id}", patch(change_child))
        .route("/api/family/children/{id}/photo", post(photo_upload))
        .route(
            "/api/family/children/{id}/photo/confirm",
            post(photo_confirm),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FamilyParam {
    /// Needed only when the account is linked to several families.
    pub family_id: Option<String>,
}

/// The answer to a dossier change: the request the commune will decide.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeSubmitted {
    pub request_id: String,
}

fn patch_error(e: PatchError) -> ApiError {
    match e {
        PatchError::Invalid(errors) => ApiError::invalid_fields(errors),
        PatchError::NoChange => ApiError::rule(
            "no_change",
            "Aucune valeur n'a changé : il n'y a rien à soumettre.",
        ),
    }
}

/// `GET /api/family`: the dossier, with the changes waiting for the commune.
#[utoipa::path(get, path = "/api/family", operation_id = "read_family", tag = "family", params(FamilyParam),
    responses(
        (status = 200, description = "Le dossier famille", body = DossierView),
        (status = 401, description = "Pas connecté", body = Problem),
        (status = 403, description = "Réservé aux familles", body = Problem),
        (status = 404, description = "Aucune famille, ou une famille d'un autre compte", body = Problem),
    ))]
pub async fn read(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<FamilyParam>,
) -> ApiResult<Json<DossierView>> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let loaded = store::load(&app, &family_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(view::dossier(&app, &loaded, false).await?))
}

/// The linked family holding person `member_id` (any of the account's
/// families when none is named).
async fn family_with(
    app: &AppState,
    account: &CurrentAccount,
    family_id: Option<&str>,
    member: impl Fn(&store::Loaded) -> bool,
) -> ApiResult<store::Loaded> {
    let candidates = match family_id {
        Some(f) => vec![access::family_of(app, &account.account_id, Some(f)).await?],
        None => access::family_ids(app, &account.account_id).await?,
    };
    for fid in candidates {
        if let Some(loaded) = store::load(app, &fid).await?
            && member(&loaded)
        {
            return Ok(loaded);
        }
    }
    Err(ApiError::not_found())
}

/// `PATCH /api/family`: the family's shared data (fiscal information).
#[utoipa::path(patch, path = "/api/family", tag = "family", params(FamilyParam), request_body = FamilyPatch,
    responses(
        (status = 202, description = "Modification soumise à la collectivité", body = ChangeSubmitted),
        (status = 422, description = "Valeurs non conformes, ou rien à changer (no_change)", body = Problem),
    ))]
pub async fn change_family(
    State(app): State<AppState>,
    Parent(p): Parent,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(patch): JsonBody<FamilyPatch>,
) -> ApiResult<impl IntoResponse> {
    let family_id = access::family_of(&app, &p.account_id, q.family_id.as_deref()).await?;
    let loaded = store::load(&app, &family_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let current = &loaded.dossier.family;
    let set = patch.validate(current).map_err(patch_error)?;
    let value = serde_json::to_value(current).unwrap_or_default();
    let request_id =
        changes::submit(&app, &family_id, &p.account_id, set, &value, &current.label).await?;
    Ok((StatusCode::ACCEPTED, Json(ChangeSubmitted { request_id })))
}

/// `PATCH /api/family/guardians/{id}`: a guardian's data.
#[utoipa::path(patch, path = "/api/family/guardians/{id}", tag = "family", params(("id" = String, Path, description = "Le responsable"), FamilyParam), request_body = GuardianPatch,
    responses(
        (status = 202, description = "Modification soumise à la collectivité", body = ChangeSubmitted),
        (status = 404, description = "Responsable inconnu (ou d'une autre famille)", body = Problem),
        (status = 422, description = "Valeurs non conformes (invalid_iban, invalid_phone…) ou rien à changer", body = Problem),
    ))]
pub async fn change_guardian(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(patch): JsonBody<GuardianPatch>,
) -> ApiResult<impl IntoResponse> {
    let loaded = family_with(&app, &p, q.family_id.as_deref(), |l| {
        l.dossier.guardian(&id).is_some()
    })
    .await?;
    let current = loaded
        .dossier
        .guardian(&id)
        .ok_or_else(ApiError::not_found)?;
    let set = patch.validate(current).map_err(patch_error)?;
    let value = serde_json::to_value(current).unwrap_or_default();
    let request_id = changes::submit(
        &app,
        &loaded.dossier.family.id,
        &p.account_id,
        set,
        &value,
        &current.full_name(),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(ChangeSubmitted { request_id })))
}

/// `PATCH /api/family/children/{id}`: a child's data, authorizations,
/// health data and authorized adults.
#[utoipa::path(patch, path = "/api/family/children/{id}", tag = "family", params(("id" = String, Path, description = "L'enfant"), FamilyParam), request_body = ChildPatch,
    responses(
        (status = 202, description = "Modification soumise à la collectivité", body = ChangeSubmitted),
        (status = 404, description = "Enfant inconnu (ou d'une autre famille)", body = Problem),
        (status = 422, description = "Valeurs non conformes (birth_date_in_future…) ou rien à changer", body = Problem),
    ))]
pub async fn change_child(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(patch): JsonBody<ChildPatch>,
) -> ApiResult<impl IntoResponse> {
    let loaded = family_with(&app, &p, q.family_id.as_deref(), |l| {
        l.dossier.child(&id).is_some()
    })
    .await?;
    let current = loaded.dossier.child(&id).ok_or_else(ApiError::not_found)?;
    let today = marelle_domain::time::local_date(app.clock.now());
    let ids = app.ids.clone();
    let set = patch
        .validate(current, today, &mut || ids.next())
        .map_err(patch_error)?;
    let value = serde_json::to_value(current).unwrap_or_default();
    let request_id = changes::submit(
        &app,
        &loaded.dossier.family.id,
        &p.account_id,
        set,
        &value,
        &current.first_name,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(ChangeSubmitted { request_id })))
}

/// Largest photo accepted.
pub const PHOTO_MAX_BYTES: u64 = 5 * 1024 * 1024;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoUpload {
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// In bytes, at most 5 MB.
    pub size: u64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct UploadTarget {
    pub url: String,
    pub method: String,
    /// Headers the upload must carry, as pairs.
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PhotoUploadAnswer {
    pub upload_id: String,
    pub upload: UploadTarget,
}

#[derive(Debug, Serialize, Deserialize)]
struct UploadRecord {
    family_id: String,
    child_id: String,
    account_id: String,
    /// Where the browser uploads: under the staging prefix, never served.
    key: String,
}

/// How long an upload URL works, in seconds.
const UPLOAD_GRANT_SECS: u64 = 600;

/// Where a checked photo goes: its staging key without the prefix (the
/// upload URL cannot write there).
fn final_key(staging_key: &str) -> &str {
    staging_key
        .strip_prefix(STAGING_PREFIX)
        .unwrap_or(staging_key)
}

fn upload_key(id: &str) -> Key {
    Key::new(format!("UPLOAD#{id}"), "UPLOAD")
}

fn photo_type_error() -> ApiError {
    ApiError::rule(
        "photo_type",
        "La photo doit être une image JPEG, PNG ou WebP.",
    )
}

fn photo_size_error() -> ApiError {
    ApiError::rule(
        "photo_too_large",
        "La photo ne doit pas dépasser 5 Mo. Réduisez-la avant de l'envoyer.",
    )
}

/// `POST /api/family/children/{id}/photo`: where to upload a photo.
#[utoipa::path(post, path = "/api/family/children/{id}/photo", tag = "family", params(("id" = String, Path, description = "L'enfant"), FamilyParam), request_body = PhotoUpload,
    responses(
        (status = 201, description = "Adresse d'envoi (valable 10 minutes, pour un seul envoi de la taille et du type annoncés)", body = PhotoUploadAnswer),
        (status = 404, description = "Enfant inconnu (ou d'une autre famille)", body = Problem),
        (status = 422, description = "Pas une image (photo_type) ou trop lourde (photo_too_large)", body = Problem),
        (status = 429, description = "Trop d'adresses d'envoi demandées (rate_limited)", body = Problem),
    ))]
pub async fn photo_upload(
    State(app): State<AppState>,
    Parent(p): Parent,
    ip: ClientIp,
    Path(id): Path<String>,
    UrlQuery(q): UrlQuery<FamilyParam>,
    JsonBody(body): JsonBody<PhotoUpload>,
) -> ApiResult<impl IntoResponse> {
    if !matches!(
        body.content_type.as_str(),
        "image/jpeg" | "image/png" | "image/webp"
    ) {
        return Err(photo_type_error());
    }
    if body.size == 0 || body.size > PHOTO_MAX_BYTES {
        return Err(photo_size_error());
    }
    ratelimit::hit_both(
        &app,
        Scope::Upload,
        ip.0,
        &p.account_id,
        app.settings.limits.upload(),
    )
    .await?;
    let loaded = family_with(&app, &p, q.family_id.as_deref(), |l| {
        l.dossier.child(&id).is_some()
    })
    .await?;
    let upload_id = app.ids.next();
    let key = format!(
        "{STAGING_PREFIX}families/{}/children/{id}/photo-{upload_id}",
        loaded.dossier.family.id
    );
    let record = UploadRecord {
        family_id: loaded.dossier.family.id.clone(),
        child_id: id.clone(),
        account_id: p.account_id.clone(),
        key: key.clone(),
    };
    let expires = app.clock.now() + Duration::hours(1);
    app.store
        .put(
            Item::with_data(upload_key(&upload_id), &record)?.expires_at(expires.timestamp()),
            Some(Condition::NotExists),
        )
        .await?;
    let upload = app
        .blobs
        .presign_upload(&key, &body.content_type, body.size, UPLOAD_GRANT_SECS)
        .await
        .map_err(|e| ApiError::unavailable("presign", e))?;
    Ok((
        StatusCode::CREATED,
        Json(PhotoUploadAnswer {
            upload_id,
            upload: UploadTarget {
                url: upload.url,
                method: upload.method,
                headers: upload.headers,
            },
        }),
    ))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoConfirm {
    pub upload_id: String,
}

/// What the bytes really are, whatever the browser said.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// `POST /api/family/children/{id}/photo/confirm`: the photo is uploaded;
/// checked here (size, content), it becomes a change for the commune.
#[utoipa::path(post, path = "/api/family/children/{id}/photo/confirm", tag = "family", params(("id" = String, Path, description = "L'enfant"), FamilyParam), request_body = PhotoConfirm,
    responses(
        (status = 202, description = "Photo soumise à la collectivité", body = ChangeSubmitted),
        (status = 404, description = "Envoi inconnu ou expiré", body = Problem),
        (status = 422, description = "Pas une image (photo_type) ou trop lourde (photo_too_large)", body = Problem),
    ))]
pub async fn photo_confirm(
    State(app): State<AppState>,
    Parent(p): Parent,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PhotoConfirm>,
) -> ApiResult<impl IntoResponse> {
    let item = app
        .store
        .get(&upload_key(&body.upload_id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let record: UploadRecord = item.data()?;
    if record.account_id != p.account_id || record.child_id != id {
        return Err(ApiError::not_found());
    }
    let grant = upload_key(&body.upload_id);
    // The check runs on a copy the upload URL cannot reach: what is
    // checked is what the commune will see, whatever is written later.
    let key = final_key(&record.key).to_string();
    let missing = || {
        ApiError::rule(
            "photo_missing",
            "La photo n'a pas été reçue. Envoyez-la de nouveau.",
        )
    };
    let upload = Staged {
        grant: &grant,
        staged: &record.key,
        checked: &key,
        max_bytes: PHOTO_MAX_BYTES,
        missing: &missing,
        too_large: &photo_size_error,
    };
    let (app_ref, record_ref, id_ref, key_ref) = (&app, &record, &id, &key);
    let request_id = upload
        .confirm(&app, |bytes| async move {
            // The stored type is an image type (the grant signs it); a
            // photo whose file name lied about its format (a PNG named
            // .jpg) still goes.
            if sniff_image(&bytes).is_none() {
                return Err(photo_type_error());
            }
            let loaded = store::load(app_ref, &record_ref.family_id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let child = loaded
                .dossier
                .child(id_ref)
                .ok_or_else(ApiError::not_found)?;
            let mut fields = serde_json::Map::new();
            fields.insert(
                "photo_key".into(),
                serde_json::Value::String(key_ref.clone()),
            );
            let set = marelle_domain::family::ChangeSet {
                target: marelle_domain::family::Target::Child { id: id_ref.clone() },
                fields,
            };
            let value = serde_json::to_value(child).unwrap_or_default();
            changes::submit(
                app_ref,
                &record_ref.family_id,
                &p.account_id,
                set,
                &value,
                &child.first_name,
            )
            .await
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(ChangeSubmitted { request_id })))
}
