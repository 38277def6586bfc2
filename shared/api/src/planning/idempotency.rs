//! `Idempotency-Key`: a submission sent again with the same key gets the
//! first answer back, without anything done twice (kept 24 hours).

use axum::http::HeaderMap;
use marelle_domain::ports::store::Key;
use marelle_domain::secrets::token_hash;
use serde::{Deserialize, Serialize};

use super::submission::Submitted;
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

#[derive(Serialize, Deserialize)]
pub(super) struct Remembered {
    pub(super) hash: String,
    pub(super) answer: Submitted,
}

pub(super) fn idem_key(family_id: &str, key: &str) -> Key {
    Key::new(format!("IDEM#{family_id}#{}", token_hash(key)), "IDEM")
}

/// The `Idempotency-Key` header, checked for shape.
pub(super) fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let invalid = |detail| ApiError::bad_request("invalid_idempotency_key", detail);
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| invalid("L'en-tête Idempotency-Key est illisible."))?;
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(invalid(
            "L'en-tête Idempotency-Key fait de 1 à 200 caractères.",
        ));
    }
    Ok(key)
}

/// The answer remembered under `key`, if any; with `payload_hash`, a key
/// used for another submission is refused.
pub(super) async fn remembered(
    app: &AppState,
    family_id: &str,
    key: &str,
    payload_hash: Option<&str>,
) -> ApiResult<Option<Submitted>> {
    let Some(item) = app.store.get(&idem_key(family_id, key)).await? else {
        return Ok(None);
    };
    let remembered: Remembered = item.data()?;
    if payload_hash.is_some_and(|h| h != remembered.hash) {
        return Err(ApiError::rule(
            "idempotency_key_reused",
            "Cette clé d'idempotence a déjà servi pour une autre demande.",
        ));
    }
    Ok(Some(remembered.answer))
}
