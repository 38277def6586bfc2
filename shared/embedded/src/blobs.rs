//! Blobs in a folder. Presigned URLs point at the portal itself
//! (`/api/blobs/<grant>`), where [`routes`] serves them: the grant names the
//! object, the method, the content type, the size and the expiry, signed
//! with a key only the portal holds, exactly like an S3 presigned URL.
//!
//! An upload is checked from its URL and headers before any byte of its
//! body is read (grant, content type, announced length), then streamed to a
//! file with a hard cap at the size the grant names; each upload grant
//! works once. Unconfirmed uploads sit under [`STAGING_PREFIX`] and
//! [`FolderBlobs::sweep_staging`] removes the old ones.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use marelle_domain::ports::blobs::{BlobInfo, STAGING_PREFIX, validate_key};
use marelle_domain::ports::{BlobError, Blobs, Clock, PresignedUpload};
use marelle_domain::secrets::{mac, random_token, verify_mac};
use serde::{Deserialize, Serialize};

/// Largest object the folder accepts through a presigned upload.
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

pub struct FolderBlobs {
    root: PathBuf,
    /// Beside `root`: the used upload grants and the uploads under way.
    grants: PathBuf,
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
    /// An upload's exact size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<u64>,
    /// An upload grant's id: it works once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    content_type: String,
    /// When the object was written, Unix seconds on the portal's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    written_at: Option<i64>,
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
        let mut grants = root.as_os_str().to_owned();
        grants.push(".grants");
        let grants = PathBuf::from(grants);
        std::fs::create_dir_all(&grants)?;
        Ok(Self {
            root,
            grants,
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

    /// Marks an upload grant used; false when it already was. The marker's
    /// name starts with the grant's expiry, so the sweep knows when it can
    /// go.
    async fn claim(&self, exp: i64, id: &str) -> std::io::Result<Option<PathBuf>> {
        let marker = self.grants.join(format!("{exp}-{id}.used"));
        match tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&marker)
            .await
        {
            Ok(_) => Ok(Some(marker)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn meta_bytes(&self, content_type: &str) -> Vec<u8> {
        serde_json::to_vec(&Meta {
            content_type: content_type.to_string(),
            written_at: Some(self.clock.now().timestamp()),
        })
        .unwrap_or_default()
    }

    /// Removes the objects under [`STAGING_PREFIX`] written more than
    /// `older_than` ago (uploads never confirmed), the markers of upload
    /// grants past their expiry and the uploads abandoned half-way.
    /// Returns how many objects went.
    pub async fn sweep_staging(&self, older_than: Duration) -> Result<usize, BlobError> {
        let now = self.clock.now().timestamp();
        let limit = now - older_than.num_seconds();
        let staging = self.root.join(STAGING_PREFIX.trim_end_matches('/'));
        let grants = self.grants.clone();
        tokio::task::spawn_blocking(move || sweep(&staging, &grants, now, limit))
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?
            .map_err(io_error)
    }
}

/// Unix seconds of a file's last change on the system clock.
fn modified_at(path: &Path) -> Option<i64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    i64::try_from(secs).ok()
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn sweep(staging: &Path, grants: &Path, now: i64, limit: i64) -> std::io::Result<usize> {
    let mut removed = 0;
    let mut dirs = vec![staging.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.to_string_lossy();
            if name.ends_with(".meta.json") || name.ends_with(".tmp") {
                continue;
            }
            let meta = FolderBlobs::meta_path(&path);
            let written_at = std::fs::read(&meta)
                .ok()
                .and_then(|b| serde_json::from_slice::<Meta>(&b).ok())
                .and_then(|m| m.written_at)
                .or_else(|| modified_at(&path));
            if written_at.is_none_or(|t| t < limit) {
                remove_if_there(&meta)?;
                remove_if_there(&path)?;
                removed += 1;
            }
        }
    }
    for entry in std::fs::read_dir(grants)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let gone = if let Some(marker) = name.strip_suffix(".used") {
            // `<expiry>-<id>.used`: useless once the grant has expired.
            marker
                .split_once('-')
                .and_then(|(exp, _)| exp.parse::<i64>().ok())
                .is_none_or(|exp| exp < now)
        } else {
            // An upload under way, or abandoned.
            modified_at(&path).is_none_or(|t| t < limit)
        };
        if gone {
            remove_if_there(&path)?;
        }
    }
    Ok(removed)
}

fn io_error(e: std::io::Error) -> BlobError {
    if e.kind() == std::io::ErrorKind::NotFound {
        BlobError::NotFound
    } else {
        BlobError::Unavailable(e.to_string())
    }
}

/// A new (or truncated) file only its owner reads and writes (0600 on
/// Unix): objects are families' documents and photos.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = private_file(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[async_trait]
impl Blobs for FolderBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        let meta = self.meta_bytes(content_type);
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

    async fn copy(&self, from: &str, to: &str) -> Result<(), BlobError> {
        let (from, to) = (self.path(from)?, self.path(to)?);
        tokio::task::spawn_blocking(move || {
            let meta = std::fs::read(FolderBlobs::meta_path(&from))?;
            let bytes = std::fs::read(&from)?;
            write_atomically(&FolderBlobs::meta_path(&to), &meta)?;
            write_atomically(&to, &bytes)
        })
        .await
        .map_err(|e| BlobError::Unavailable(e.to_string()))?
        .map_err(io_error)
    }

    async fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in_secs: u64,
    ) -> Result<PresignedUpload, BlobError> {
        validate_key(key)?;
        if size > MAX_UPLOAD_BYTES as u64 {
            return Err(BlobError::TooLarge(size));
        }
        let expires_at = self.clock.now() + Duration::seconds(expires_in_secs as i64);
        let grant = Grant {
            k: key.to_string(),
            m: "PUT".into(),
            ct: Some(content_type.to_string()),
            exp: expires_at.timestamp(),
            n: Some(size),
            id: Some(random_token()),
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
            n: None,
            id: None,
        };
        Ok(self.grant_url(&grant))
    }
}

/// The routes presigned URLs point at: `PUT` and `GET /api/blobs/{grant}`.
pub fn routes(blobs: Arc<FolderBlobs>) -> axum::Router {
    axum::Router::new()
        .route("/api/blobs/{grant}", get(download).put(upload))
        .with_state(blobs)
}

/// An RFC 9457 problem with a stable code and a French detail.
fn problem(status: StatusCode, code: &str, detail: &str) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "status": status.as_u16(),
        "title": status.canonical_reason().unwrap_or_default(),
        "detail": detail,
        "code": code,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

fn invalid_grant() -> Response {
    problem(
        StatusCode::FORBIDDEN,
        "upload_grant_invalid",
        "Cette adresse d'envoi n'est pas valable ou a expiré. Recommencez l'envoi.",
    )
}

fn too_large() -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "upload_too_large",
        "Le fichier est plus lourd que la taille annoncée.",
    )
}

fn size_mismatch() -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "upload_size_mismatch",
        "Le fichier reçu n'a pas la taille annoncée. Recommencez l'envoi.",
    )
}

fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "blob upload failed");
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Le service est momentanément indisponible. Réessayez dans quelques instants.",
    )
}

/// What became of an upload's body.
enum Received {
    Complete,
    TooLarge,
    Short,
    Interrupted,
}

/// Streams `body` to `file`, stopping as soon as it passes `size` bytes.
async fn receive(body: Body, file: &Path, size: u64) -> std::io::Result<Received> {
    use axum::body::HttpBody;
    use tokio::io::AsyncWriteExt;
    let mut out = tokio::fs::File::from_std(private_file(file)?);
    let mut body = std::pin::pin!(body);
    let mut written: u64 = 0;
    while let Some(frame) = std::future::poll_fn(|cx| HttpBody::poll_frame(body.as_mut(), cx)).await
    {
        let Ok(frame) = frame else {
            return Ok(Received::Interrupted);
        };
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        written = written.saturating_add(chunk.len() as u64);
        if written > size {
            return Ok(Received::TooLarge);
        }
        out.write_all(&chunk).await?;
    }
    if written != size {
        return Ok(Received::Short);
    }
    out.sync_all().await?;
    Ok(Received::Complete)
}

async fn upload(
    State(blobs): State<Arc<FolderBlobs>>,
    UrlPath(token): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Everything is checked from the URL and the headers before the body.
    let Ok(grant) = blobs.open_grant(&token, "PUT") else {
        return invalid_grant();
    };
    let (Some(size), Some(id)) = (grant.n, grant.id.as_deref()) else {
        return invalid_grant();
    };
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if grant.ct.as_deref() != Some(sent_type) {
        return problem(
            StatusCode::FORBIDDEN,
            "upload_type_mismatch",
            "Le type du fichier envoyé n'est pas celui annoncé.",
        );
    }
    if let Some(announced) = headers.get(header::CONTENT_LENGTH) {
        match announced.to_str().ok().and_then(|v| v.parse::<u64>().ok()) {
            Some(n) if n > size => return too_large(),
            Some(n) if n == size => {}
            _ => return size_mismatch(),
        }
    }
    let path = match blobs.path(&grant.k) {
        Ok(p) => p,
        Err(_) => return invalid_grant(),
    };
    let marker = match blobs.claim(grant.exp, id).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return problem(
                StatusCode::CONFLICT,
                "upload_grant_used",
                "Cette adresse d'envoi a déjà servi. Recommencez l'envoi depuis le début.",
            );
        }
        Err(e) => return unavailable(e),
    };
    let part = blobs.grants.join(format!("{id}.part"));
    let refused = match receive(body, &part, size).await {
        Ok(Received::Complete) => None,
        Ok(Received::TooLarge) => Some(too_large()),
        Ok(Received::Short | Received::Interrupted) => Some(size_mismatch()),
        Err(e) => Some(unavailable(e)),
    };
    if let Some(refused) = refused {
        // The grant may serve again: nothing was stored.
        let _ = tokio::fs::remove_file(&part).await;
        let _ = tokio::fs::remove_file(&marker).await;
        return refused;
    }
    let meta = blobs.meta_bytes(sent_type);
    let stored = tokio::task::spawn_blocking(move || {
        write_atomically(&FolderBlobs::meta_path(&path), &meta)?;
        std::fs::rename(&part, &path)
    })
    .await;
    match stored {
        Ok(Ok(())) => StatusCode::OK.into_response(),
        Ok(Err(e)) => unavailable(e),
        Err(e) => unavailable(e),
    }
}

/// The policy of a served file. Served from the portal's origin, whatever
/// was stored never runs as one of its pages: `sandbox` (images still
/// show). A PDF (served as `application/pdf` with `nosniff`, so never read
/// as a page) gets no sandbox: browsers refuse to start their PDF viewer in
/// a sandboxed document, and the agents' request page shows PDFs in a
/// frame. Either may be framed by the portal's pages alone.
fn download_csp(content_type: &str) -> String {
    if content_type == "application/pdf" {
        "frame-ancestors 'self'".into()
    } else {
        "default-src 'none'; frame-ancestors 'self'; sandbox".into()
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
    let content_type = info
        .content_type
        .unwrap_or_else(|| "application/octet-stream".into());
    match blobs.get(&grant.k).await {
        Ok(bytes) => (
            [
                (header::CONTENT_SECURITY_POLICY, download_csp(&content_type)),
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "private, no-store".into()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
                // Shown inside the portal's own pages only (an agent's
                // view of a document), never framed by another site.
                (header::X_FRAME_OPTIONS, "SAMEORIGIN".into()),
            ],
            bytes,
        )
            .into_response(),
        Err(BlobError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
