//! Documents and photos in one S3 bucket (its name comes from the
//! configuration). Browsers upload and download through presigned URLs
//! (SigV4 in the query string): an upload URL signs the `content-type`,
//! `content-length` and `if-none-match: *` headers, so S3 refuses a body
//! of another type or another size, and a second PUT once the object
//! exists. Build the client with [`crate::s3_client`] to get path-style
//! addressing on emulators.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use chrono::Utc;
use marelle_domain::ports::blobs::{BlobInfo, validate_key};
use marelle_domain::ports::{BlobError, Blobs, PresignedUpload};

#[derive(Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

fn sdk_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> BlobError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match err.code() {
        Some("NoSuchKey" | "NotFound") => BlobError::NotFound,
        code => {
            tracing::error!(operation, error = %DisplayErrorContext(&err), "s3 call failed");
            BlobError::Unavailable(format!("s3 {operation}: {}", code.unwrap_or("no answer")))
        }
    }
}

fn presigning(expires_in_secs: u64) -> Result<PresigningConfig, BlobError> {
    PresigningConfig::expires_in(Duration::from_secs(expires_in_secs))
        .map_err(|e| BlobError::Unavailable(format!("presign: {e}")))
}

/// The headers a browser must send as signed; `content-length` is left
/// out: the browser sets it itself, from the body (and S3 refuses a body
/// whose length is not the signed one).
fn headers(request: &PresignedRequest) -> Vec<(String, String)> {
    request
        .headers()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-length"))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Largest object a presigned upload may announce (S3 would take more in
/// one PUT; the portal never needs it).
pub const MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

#[async_trait]
impl Blobs for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        validate_key(key)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| sdk_error("PutObject", e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        validate_key(key)?;
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| sdk_error("GetObject", e))?;
        let body = out.body.collect().await.map_err(|e| {
            tracing::error!(error = %e, "s3 body read failed");
            BlobError::Unavailable("s3 GetObject: body".into())
        })?;
        Ok(body.into_bytes().to_vec())
    }

    async fn head(&self, key: &str) -> Result<BlobInfo, BlobError> {
        validate_key(key)?;
        let out = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| sdk_error("HeadObject", e))?;
        Ok(BlobInfo {
            size: out
                .content_length
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            content_type: out.content_type,
        })
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        validate_key(key)?;
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| sdk_error("DeleteObject", e))?;
        Ok(())
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), BlobError> {
        validate_key(from)?;
        validate_key(to)?;
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(format!("{}/{from}", self.bucket))
            .key(to)
            .send()
            .await
            .map_err(|e| sdk_error("CopyObject", e))?;
        Ok(())
    }

    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, BlobError> {
        validate_key(key)?;
        if size > MAX_UPLOAD_BYTES {
            return Err(BlobError::TooLarge(size));
        }
        let length = i64::try_from(size).map_err(|_| BlobError::TooLarge(size))?;
        let config = presigning(expires_in_secs)?;
        let expires_at = Utc::now() + config.expires();
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .if_none_match("*")
            .presigned(config)
            .await
            .map_err(|e| sdk_error("PutObject presign", e))?;
        Ok(PresignedUpload {
            url: request.uri().to_string(),
            method: request.method().to_string(),
            headers: headers(&request),
            expires_at,
        })
    }

    async fn presign_download(&self, key: &str, expires_in_secs: u64) -> Result<String, BlobError> {
        validate_key(key)?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presigning(expires_in_secs)?)
            .await
            .map_err(|e| sdk_error("GetObject presign", e))?;
        Ok(request.uri().to_string())
    }
}
