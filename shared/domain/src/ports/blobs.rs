//! The blob port: documents and photos, in S3 or a folder, with presigned
//! URLs so that browsers upload and download without the file passing
//! through a function.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Where and how a browser uploads one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUpload {
    pub url: String,
    pub method: String,
    /// Headers the upload must carry exactly (e.g. `content-type`).
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    pub size: u64,
    pub content_type: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("no such object")]
    NotFound,
    #[error("invalid object key: {0}")]
    InvalidKey(String),
    #[error("object too large: {0} bytes")]
    TooLarge(u64),
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
}

/// Where uploads wait until the portal checks them: objects under it are
/// never served, and are removed after a day (S3 lifecycle rule, `marelle`
/// sweep) when nobody confirmed them.
pub const STAGING_PREFIX: &str = "staging/";

/// Object keys are relative paths of `[A-Za-z0-9._-]` segments joined by `/`.
pub fn validate_key(key: &str) -> Result<(), BlobError> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
    if ok {
        Ok(())
    } else {
        Err(BlobError::InvalidKey(key.to_string()))
    }
}

#[async_trait]
pub trait Blobs: Send + Sync + 'static {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError>;
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError>;
    async fn head(&self, key: &str) -> Result<BlobInfo, BlobError>;
    async fn delete(&self, key: &str) -> Result<(), BlobError>;
    /// Copies the object `from` (bytes and content type) to `to`; later
    /// writes to `from` leave `to` as it is.
    async fn copy(&self, from: &str, to: &str) -> Result<(), BlobError>;
    /// A URL a browser PUTs the object to once, with this content type and
    /// a body of `size` bytes (never more), until `expires_in_secs` have
    /// passed.
    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, BlobError>;
    /// A URL a browser GETs the object from until `expires_in_secs` have passed.
    async fn presign_download(&self, key: &str, expires_in_secs: u64) -> Result<String, BlobError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_relative_paths_of_plain_segments() {
        assert!(validate_key("families/01H/photo-1.jpg").is_ok());
        for bad in ["", "/abs", "a//b", "../x", "a/./b", "a b", "é", "a/"] {
            assert!(validate_key(bad).is_err(), "{bad}");
        }
    }
}
