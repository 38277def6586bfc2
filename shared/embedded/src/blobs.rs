//! Blobs in a folder. Presigned URLs point at the portal itself
//! (`/api/blobs/<grant>`), where [`routes`] serves them: the grant names the
//! object, the method, the content type and the expiry, signed with a key
//! only the portal holds, exactly like an S3 presigned URL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use marelle_domain::ports::blobs::{BlobInfo, validate_key};
use marelle_domain::ports::{BlobError, Blobs, Clock, PresignedUpload};
use marelle_domain::secrets::{mac, verify_mac};
use serde::{Deserialize, Serialize};

/// Largest object the folder accepts through a presigned upload.
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

pub struct FolderBlobs {
    root: PathBuf,
    public_url: String,
    key: Vec<u8>,
    clock: Arc<dyn Clock>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    /// Object key.
    k: String,
    /// "PUT" or "GET".
    m: String,
    /// Content type an upload must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ct: Option<String>,
    /// Expiry, Unix seconds.
    exp: i64,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    content_type: String,
}

impl FolderBlobs {
    /// `public_url`: the portal's origin; `key`: the signing key (derived
    /// from the portal's secret).
    pub fn new(
        root: impl AsRef<Path>,
        public_url: &str,
        key: Vec<u8>,
        clock: Arc<dyn Clock>,
    ) -> std::io::Result<Self> {
        let root = root.as_ref().to_path_buf();
        std::fs::create_dir_all(&root)?;
        Ok(Self {
            root,
            public_url: public_url.trim_end_matches('/').to_string(),
            key,
            clock,
        })
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }

    fn meta_path(path: &Path) -> PathBuf {
        let mut p = path.as_os_str().to_owned();
        p.push(".meta.json");
        PathBuf::from(p)
    }

    fn sign(&self, grant: &Grant) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(grant).unwrap_or_default());
        let tag = mac(&self.key, body.as_bytes());
        format!("{body}.{tag}")
    }

    fn open_grant(&self, token: &str, method: &str) -> Result<Grant, StatusCode> {
        let (body, tag) = token.split_once('.').ok_or(StatusCode::FORBIDDEN)?;
        if !verify_mac(&self.key, body.as_bytes(), tag) {
            return Err(StatusCode::FORBIDDEN);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| StatusCode::FORBIDDEN)?;
        let grant: Grant = serde_json::from_slice(&bytes).map_err(|_| StatusCode::FORBIDDEN)?;
        if grant.m != method || grant.exp <= self.clock.now().timestamp() {
            return Err(StatusCode::FORBIDDEN);
        }
        Ok(grant)
    }

    fn grant_url(&self, grant: &Grant) -> String {
        format!("{}/api/blobs/{}", self.public_url, self.sign(grant))
    }
}

fn io_error(e: std::io::Error) -> BlobError {
    if e.kind() == std::io::ErrorKind::NotFound {
        BlobError::NotFound
    } else {
        BlobError::Unavailable(e.to_string())
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[async_trait]
impl Blobs for FolderBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        let meta = serde_json::to_vec(&Meta {
            content_type: content_type.to_string(),
        })
        .unwrap_or_default();
        tokio::task::spawn_blocking(move || {
            write_atomically(&FolderBlobs::meta_path(&path), &meta)?;
            write_atomically(&path, &bytes)
        })
        .await
        .map_err(|e| BlobError::Unavailable(e.to_string()))?
        .map_err(io_error)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        let path = self.path(key)?;
        tokio::fs::read(path).await.map_err(io_error)
    }

    async fn head(&self, key: &str) -> Result<BlobInfo, BlobError> {
        let path = self.path(key)?;
        let size = tokio::fs::metadata(&path).await.map_err(io_error)?.len();
        let content_type = tokio::fs::read(FolderBlobs::meta_path(&path))
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<Meta>(&b).ok())
            .map(|m| m.content_type);
        Ok(BlobInfo { size, content_type })
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        for p in [FolderBlobs::meta_path(&path), path] {
            match tokio::fs::remove_file(p).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(e)),
            }
        }
        Ok(())
    }

    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, BlobError> {
        validate_key(key)?;
        let expires_at = self.clock.now() + Duration::seconds(expires_in_secs as i64);
        let grant = Grant {
            k: key.to_string(),
            m: "PUT".into(),
            ct: Some(content_type.to_string()),
            exp: expires_at.timestamp(),
        };
        Ok(PresignedUpload {
            url: self.grant_url(&grant),
            method: "PUT".into(),
            headers: vec![("content-type".into(), content_type.to_string())],
            expires_at,
        })
    }

    async fn presign_download(&self, key: &str, expires_in_secs: u64) -> Result<String, BlobError> {
        validate_key(key)?;
        let grant = Grant {
            k: key.to_string(),
            m: "GET".into(),
            ct: None,
            exp: (self.clock.now() + Duration::seconds(expires_in_secs as i64)).timestamp(),
        };
        Ok(self.grant_url(&grant))
    }
}

/// The routes presigned URLs point at: `PUT` and `GET /api/blobs/{grant}`.
pub fn routes(blobs: Arc<FolderBlobs>) -> axum::Router {
    axum::Router::new()
        .route("/api/blobs/{grant}", get(download).put(upload))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .with_state(blobs)
}

async fn upload(
    State(blobs): State<Arc<FolderBlobs>>,
    UrlPath(token): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let grant = match blobs.open_grant(&token, "PUT") {
        Ok(g) => g,
        Err(status) => return status.into_response(),
    };
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if grant.ct.as_deref() != Some(sent_type) {
        return StatusCode::FORBIDDEN.into_response();
    }
    match blobs.put(&grant.k, body.to_vec(), sent_type).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "blob upload failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

async fn download(
    State(blobs): State<Arc<FolderBlobs>>,
    UrlPath(token): UrlPath<String>,
) -> Response {
    let grant = match blobs.open_grant(&token, "GET") {
        Ok(g) => g,
        Err(status) => return status.into_response(),
    };
    let info = match blobs.head(&grant.k).await {
        Ok(i) => i,
        Err(BlobError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    match blobs.get(&grant.k).await {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    info.content_type
                        .unwrap_or_else(|| "application/octet-stream".into()),
                ),
                (header::CACHE_CONTROL, "private, no-store".into()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            ],
            bytes,
        )
            .into_response(),
        Err(BlobError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
