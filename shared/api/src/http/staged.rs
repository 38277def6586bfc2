//! The confirmation of a file a browser uploaded with a presigned URL
//! under the staging prefix (children's photos, invoice PDFs, supporting
//! documents): the grant is taken by a conditional delete, so a grant
//! confirmed twice, even at once, works once; the file is copied out of
//! the URL's reach and the copy is what is checked and kept; on a refusal,
//! both go.

use std::future::Future;

use marelle_domain::ports::BlobError;
use marelle_domain::ports::store::{Condition, Key};

use crate::http::error::{ApiError, ApiResult};
use crate::http::state::AppState;

/// What a confirmation checks beyond the grant.
pub struct Staged<'a> {
    /// The grant's item, deleted once the file is there.
    pub grant: &'a Key,
    /// Where the browser uploaded.
    pub staged: &'a str,
    /// Where the checked copy goes (the upload URL cannot write there).
    pub checked: &'a str,
    /// The most bytes kept.
    pub max_bytes: u64,
    /// Nothing was received (the grant is kept for a retry).
    pub missing: &'a (dyn Fn() -> ApiError + Sync),
    /// Over `max_bytes`.
    pub too_large: &'a (dyn Fn() -> ApiError + Sync),
}

impl Staged<'_> {
    /// Takes the grant, copies the staged file to `checked`, reads the copy
    /// and gives it to `accept` (which checks and records it). The staged
    /// file is deleted; the copy too when anything failed. 404 when the
    /// grant is gone (used, or expired).
    pub async fn confirm<T, F, Fut>(&self, app: &AppState, accept: F) -> ApiResult<T>
    where
        F: FnOnce(Vec<u8>) -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        match app.blobs.head(self.staged).await {
            Ok(_) => {}
            Err(BlobError::NotFound) => {
                // Confirmed meanwhile (its staged file is then gone): used.
                if app.store.get(self.grant).await?.is_none() {
                    return Err(ApiError::not_found());
                }
                return Err((self.missing)());
            }
            Err(e) => return Err(ApiError::unavailable("blob head", e)),
        }
        // One confirmation per grant, even two at once.
        match app.store.delete(self.grant, Some(Condition::Exists)).await {
            Ok(()) => {}
            Err(e) if e.is_condition_failed() => return Err(ApiError::not_found()),
            Err(e) => return Err(e.into()),
        }
        let outcome = match self.read_copy(app).await {
            Ok(bytes) => accept(bytes).await,
            Err(e) => Err(e),
        };
        if let Err(e) = app.blobs.delete(self.staged).await {
            tracing::warn!(error = %e, blob = %self.staged, "staged upload left in the blob store");
        }
        if outcome.is_err()
            && let Err(e) = app.blobs.delete(self.checked).await
        {
            tracing::warn!(error = %e, blob = %self.checked, "refused upload left in the blob store");
        }
        outcome
    }

    /// The copy, checked for its size before and after it is read.
    async fn read_copy(&self, app: &AppState) -> ApiResult<Vec<u8>> {
        app.blobs
            .copy(self.staged, self.checked)
            .await
            .map_err(|e| ApiError::unavailable("blob copy", e))?;
        let info = app
            .blobs
            .head(self.checked)
            .await
            .map_err(|e| ApiError::unavailable("blob head", e))?;
        if info.size > self.max_bytes {
            return Err((self.too_large)());
        }
        let bytes = app
            .blobs
            .get(self.checked)
            .await
            .map_err(|e| ApiError::unavailable("blob get", e))?;
        if bytes.len() as u64 > self.max_bytes {
            return Err((self.too_large)());
        }
        Ok(bytes)
    }
}
