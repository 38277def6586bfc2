//! Uploads to the blob folder over real HTTP, as a slow or hostile client
//! sends them: the grant and the announced length are checked before the
//! body is read.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::sync::Arc;
use std::time::Duration;

use marelle_domain::ports::{Blobs, SettableClock};
use marelle_embedded::FolderBlobs;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Portal {
    blobs: Arc<FolderBlobs>,
    clock: Arc<SettableClock>,
    addr: std::net::SocketAddr,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn portal() -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let clock = Arc::new(SettableClock::new());
    let blobs = Arc::new(
        FolderBlobs::new(
            dir.path().join("blobs"),
            &format!("http://{addr}"),
            b"test signing key".to_vec(),
            clock.clone(),
        )
        .unwrap(),
    );
    let app = marelle_embedded::blobs::routes(blobs.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Portal {
        blobs,
        clock,
        addr,
        _dir: dir,
        server,
    }
}

/// Sends a PUT's head announcing `length` bytes and only the first 1 KB of
/// the body, then waits (at most 5 s) for the answer's status line.
async fn announce(p: &Portal, path: &str, content_type: &str, length: u64) -> String {
    let mut tcp = tokio::net::TcpStream::connect(p.addr).await.unwrap();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n",
        p.addr
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&[0u8; 1024]).await.unwrap();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut answer))
        .await
        .expect("no answer before the body was sent")
        .unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

/// Sends a whole PUT; returns the answer's status line.
async fn put(p: &Portal, path: &str, content_type: &str, body: &[u8]) -> String {
    let mut tcp = tokio::net::TcpStream::connect(p.addr).await.unwrap();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        p.addr,
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    answer.lines().next().unwrap_or_default().to_string()
}

fn path_of(p: &Portal, url: &str) -> String {
    url.split_once(&p.addr.to_string()).unwrap().1.to_string()
}

#[tokio::test]
async fn a_forged_grant_is_refused_before_the_body_is_read() {
    let p = portal().await;
    let answer = announce(&p, "/api/blobs/eyJrIjoiYSJ9.forged", "image/png", 24 << 20).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("upload_grant_invalid"), "{answer}");
}

#[tokio::test]
async fn an_announced_length_over_the_grant_is_refused_at_once() {
    let p = portal().await;
    let grant = p
        .blobs
        .presign_upload("staging/F1/photo.png", "image/png", 1000, 300)
        .await
        .unwrap();
    let path = path_of(&p, &grant.url);
    for length in [6 << 20, 30 << 20] {
        let answer = announce(&p, &path, "image/png", length).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{length}: {answer}");
        assert!(answer.contains("upload_too_large"), "{answer}");
    }
    assert!(p.blobs.head("staging/F1/photo.png").await.is_err());
}

#[tokio::test]
async fn the_sweep_removes_old_unconfirmed_uploads_only() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(SettableClock::new());
    let blobs = FolderBlobs::new(
        dir.path().join("blobs"),
        "http://127.0.0.1",
        b"test signing key".to_vec(),
        clock.clone(),
    )
    .unwrap();
    let put = |key: &'static str| blobs.put(key, b"x".to_vec(), "image/png");
    put("staging/families/F1/old.png").await.unwrap();
    put("families/F1/kept.png").await.unwrap();
    clock.advance(chrono::Duration::hours(2));
    put("staging/families/F1/recent.png").await.unwrap();

    let removed = blobs
        .sweep_staging(chrono::Duration::hours(1))
        .await
        .unwrap();

    assert_eq!(removed, 1);
    assert!(blobs.head("staging/families/F1/old.png").await.is_err());
    assert!(blobs.head("staging/families/F1/recent.png").await.is_ok());
    assert!(blobs.head("families/F1/kept.png").await.is_ok());
    assert!(
        !dir.path()
            .join("blobs/staging/families/F1/old.png.meta.json")
            .exists()
    );
}

#[tokio::test]
async fn the_sweep_forgets_used_grants_only_once_expired() {
    let p = portal().await;
    let grant = p
        .blobs
        .presign_upload("staging/F1/a.png", "image/png", 3, 60)
        .await
        .unwrap();
    let path = path_of(&p, &grant.url);
    assert_eq!(put(&p, &path, "image/png", b"abc").await, "HTTP/1.1 200 OK");
    let markers = || {
        std::fs::read_dir(p._dir.path().join("blobs.grants"))
            .unwrap()
            .count()
    };
    assert_eq!(markers(), 1);

    p.blobs
        .sweep_staging(chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(markers(), 1, "the grant is still valid");
    assert!(
        put(&p, &path, "image/png", b"xyz")
            .await
            .starts_with("HTTP/1.1 409")
    );

    p.clock.advance(chrono::Duration::minutes(2));
    p.blobs
        .sweep_staging(chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(markers(), 0, "an expired grant is refused by its expiry");
    assert!(
        put(&p, &path, "image/png", b"xyz")
            .await
            .starts_with("HTTP/1.1 403")
    );
    assert_eq!(p.blobs.get("staging/F1/a.png").await.unwrap(), b"abc");
}

/// The head of the answer to a presigned GET of `key`, stored as `ct`.
async fn served(key: &str, bytes: &[u8], ct: &str) -> String {
    let p = portal().await;
    p.blobs.put(key, bytes.to_vec(), ct).await.unwrap();
    let url = p.blobs.presign_download(key, 60).await.unwrap();
    let mut tcp = tokio::net::TcpStream::connect(p.addr).await.unwrap();
    let head = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        path_of(&p, &url),
        p.addr
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).to_lowercase()
}

#[tokio::test]
async fn a_downloaded_object_can_never_run_as_a_page_of_the_portal() {
    let answer = served(
        "families/F1/x.html",
        b"<script>alert(1)</script>",
        "text/html",
    )
    .await;
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(
        answer.contains(
            "content-security-policy: default-src 'none'; frame-ancestors 'self'; sandbox"
        ),
        "{answer}"
    );
    assert!(
        answer.contains("x-content-type-options: nosniff"),
        "{answer}"
    );
}

/// A PDF is shown in a frame of the portal's pages (an agent's view of a
/// document): no sandbox, in which browsers do not start their PDF viewer,
/// but framed by the portal alone, and never read as anything but a PDF.
#[tokio::test]
async fn a_pdf_may_be_framed_by_the_portal_only() {
    let answer = served("families/F1/a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf").await;
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(answer.contains("content-type: application/pdf"), "{answer}");
    assert!(
        answer.contains("x-content-type-options: nosniff"),
        "{answer}"
    );
    assert!(answer.contains("x-frame-options: sameorigin"), "{answer}");
    assert!(
        answer.contains("content-security-policy: frame-ancestors 'self'\r\n"),
        "{answer}"
    );
    assert!(!answer.contains("sandbox"), "{answer}");
    let image = served("families/F1/a.png", b"\x89PNG", "image/png").await;
    assert!(image.contains("sandbox"), "{image}");
}

/// Every object file is readable by the portal's user only (0600): a
/// presigned upload, a put, a copy, and their metadata.
#[cfg(unix)]
#[tokio::test]
async fn objects_are_written_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let p = portal().await;
    let grant = p
        .blobs
        .presign_upload(
            "staging/families/F1/documents/d.pdf",
            "application/pdf",
            3,
            60,
        )
        .await
        .unwrap();
    let path = path_of(&p, &grant.url);
    assert_eq!(
        put(&p, &path, "application/pdf", b"abc").await,
        "HTTP/1.1 200 OK"
    );
    p.blobs
        .copy(
            "staging/families/F1/documents/d.pdf",
            "families/F1/documents/d.pdf",
        )
        .await
        .unwrap();
    p.blobs
        .put("families/F1/documents/e.png", b"png".to_vec(), "image/png")
        .await
        .unwrap();
    let mut files = Vec::new();
    let mut dirs = vec![p._dir.path().join("blobs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
}
