//! The blob port's conformance suite, presigned URLs used over real HTTP.

use std::sync::Arc;

use marelle_domain::ports::{BlobError, Blobs};

pub struct BlobFixture {
    pub blobs: Arc<dyn Blobs>,
    pub _guard: Box<dyn std::any::Any + Send + Sync>,
}

#[macro_export]
macro_rules! blob_conformance {
    ($fixture:expr) => {
        $crate::blob_conformance!(@each $fixture;
            an_object_put_is_read_back_with_its_size_and_type,
            a_missing_object_is_not_found_and_deleting_it_is_harmless,
            keys_outside_the_rules_are_refused,
            a_presigned_upload_stores_what_the_browser_sends,
            a_presigned_upload_refuses_another_content_type,
            a_presigned_download_serves_the_object,
            a_tampered_presigned_url_is_refused,
            an_expired_presigned_url_is_refused,
            a_presigned_upload_refuses_a_body_larger_than_declared,
            a_presigned_upload_refuses_a_body_smaller_than_declared,
            a_presigned_upload_works_once,
            a_copy_keeps_its_bytes_when_the_source_is_written_again
        );
    };
    (@each $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture = $fixture.await;
                $crate::blob_suite::$name(&fixture).await;
            }
        )*
    };
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

pub async fn an_object_put_is_read_back_with_its_size_and_type(f: &BlobFixture) {
    let bytes = b"%PDF-1.4 justificatif".to_vec();
    f.blobs
        .put(
            "families/F1/docs/attestation.pdf",
            bytes.clone(),
            "application/pdf",
        )
        .await
        .unwrap();
    assert_eq!(
        f.blobs
            .get("families/F1/docs/attestation.pdf")
            .await
            .unwrap(),
        bytes
    );
    let info = f
        .blobs
        .head("families/F1/docs/attestation.pdf")
        .await
        .unwrap();
    assert_eq!(info.size, bytes.len() as u64);
    assert_eq!(info.content_type.as_deref(), Some("application/pdf"));
    f.blobs
        .put(
            "families/F1/docs/attestation.pdf",
            b"v2".to_vec(),
            "text/plain",
        )
        .await
        .unwrap();
    assert_eq!(
        f.blobs
            .get("families/F1/docs/attestation.pdf")
            .await
            .unwrap(),
        b"v2"
    );
    f.blobs
        .delete("families/F1/docs/attestation.pdf")
        .await
        .unwrap();
    assert!(matches!(
        f.blobs.get("families/F1/docs/attestation.pdf").await,
        Err(BlobError::NotFound)
    ));
}

pub async fn a_missing_object_is_not_found_and_deleting_it_is_harmless(f: &BlobFixture) {
    assert!(matches!(
        f.blobs.get("nothing/here.txt").await,
        Err(BlobError::NotFound)
    ));
    assert!(matches!(
        f.blobs.head("nothing/here.txt").await,
        Err(BlobError::NotFound)
    ));
    f.blobs.delete("nothing/here.txt").await.unwrap();
}

pub async fn keys_outside_the_rules_are_refused(f: &BlobFixture) {
    for bad in ["../etc/passwd", "/abs", "a b", ""] {
        assert!(
            matches!(
                f.blobs.put(bad, vec![1], "text/plain").await,
                Err(BlobError::InvalidKey(_))
            ),
            "{bad}"
        );
        assert!(
            matches!(
                f.blobs.presign_download(bad, 60).await,
                Err(BlobError::InvalidKey(_))
            ),
            "{bad}"
        );
    }
}

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
];

/// Sends `body` with `sent_type` through an upload grant, as a browser
/// does (the browser sets `content-length` itself, from the body).
async fn send(
    p: &marelle_domain::ports::PresignedUpload,
    sent_type: &str,
    body: &[u8],
) -> reqwest::StatusCode {
    assert_eq!(p.method, "PUT");
    let mut req = http().put(&p.url).body(body.to_vec());
    for (name, value) in &p.headers {
        if name.eq_ignore_ascii_case("content-type") {
            req = req.header(name, sent_type);
        } else if !name.eq_ignore_ascii_case("content-length") {
            req = req.header(name, value);
        }
    }
    req.send().await.unwrap().status()
}

async fn upload(
    f: &BlobFixture,
    key: &str,
    content_type: &str,
    sent_type: &str,
    body: &[u8],
) -> reqwest::StatusCode {
    let p = f
        .blobs
        .presign_upload(key, content_type, body.len() as u64, 300)
        .await
        .unwrap();
    send(&p, sent_type, body).await
}

pub async fn a_presigned_upload_stores_what_the_browser_sends(f: &BlobFixture) {
    let status = upload(f, "families/F1/photo.png", "image/png", "image/png", PNG).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(f.blobs.get("families/F1/photo.png").await.unwrap(), PNG);
    assert_eq!(
        f.blobs
            .head("families/F1/photo.png")
            .await
            .unwrap()
            .content_type
            .as_deref(),
        Some("image/png")
    );
}

pub async fn a_presigned_upload_refuses_another_content_type(f: &BlobFixture) {
    let status = upload(
        f,
        "families/F1/photo2.png",
        "image/png",
        "text/html",
        b"<script>",
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert!(matches!(
        f.blobs.get("families/F1/photo2.png").await,
        Err(BlobError::NotFound)
    ));
}

pub async fn a_presigned_download_serves_the_object(f: &BlobFixture) {
    f.blobs
        .put(
            "families/F1/doc.pdf",
            b"%PDF-1.7".to_vec(),
            "application/pdf",
        )
        .await
        .unwrap();
    let url = f
        .blobs
        .presign_download("families/F1/doc.pdf", 300)
        .await
        .unwrap();
    let resp = http().get(&url).send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"%PDF-1.7");
}

pub async fn a_tampered_presigned_url_is_refused(f: &BlobFixture) {
    f.blobs
        .put("families/F1/a.txt", b"a".to_vec(), "text/plain")
        .await
        .unwrap();
    f.blobs
        .put("families/F2/b.txt", b"b".to_vec(), "text/plain")
        .await
        .unwrap();
    let url = f
        .blobs
        .presign_download("families/F1/a.txt", 300)
        .await
        .unwrap();
    // Flip one character of the signature part.
    let tampered = if let Some(pos) = url.rfind(|c: char| c.is_ascii_alphanumeric()) {
        let mut s = url.clone();
        let c = s.as_bytes()[pos];
        let replacement = if c == b'A' { "B" } else { "A" };
        s.replace_range(pos..pos + 1, replacement);
        s
    } else {
        panic!("url without characters")
    };
    let resp = http().get(&tampered).send().await.unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
}

pub async fn an_expired_presigned_url_is_refused(f: &BlobFixture) {
    f.blobs
        .put("families/F1/late.txt", b"late".to_vec(), "text/plain")
        .await
        .unwrap();
    let url = f
        .blobs
        .presign_download("families/F1/late.txt", 1)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let resp = http().get(&url).send().await.unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
}

pub async fn a_presigned_upload_refuses_a_body_larger_than_declared(f: &BlobFixture) {
    let p = f
        .blobs
        .presign_upload("families/F1/big.png", "image/png", 16, 300)
        .await
        .unwrap();
    let body = [PNG, &[0u8; 4096][..]].concat();
    let status = send(&p, "image/png", &body).await;
    assert!(status.is_client_error(), "{status}");
    assert!(matches!(
        f.blobs.get("families/F1/big.png").await,
        Err(BlobError::NotFound)
    ));
}

pub async fn a_presigned_upload_refuses_a_body_smaller_than_declared(f: &BlobFixture) {
    let p = f
        .blobs
        .presign_upload("families/F1/small.png", "image/png", 4096, 300)
        .await
        .unwrap();
    let status = send(&p, "image/png", PNG).await;
    assert!(status.is_client_error(), "{status}");
    assert!(matches!(
        f.blobs.get("families/F1/small.png").await,
        Err(BlobError::NotFound)
    ));
}

pub async fn a_presigned_upload_works_once(f: &BlobFixture) {
    let p = f
        .blobs
        .presign_upload("families/F1/once.png", "image/png", PNG.len() as u64, 300)
        .await
        .unwrap();
    assert!(
        !p.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length")),
        "a browser sets content-length itself: {:?}",
        p.headers
    );
    let first = send(&p, "image/png", PNG).await;
    assert!(first.is_success(), "{first}");
    let mut other = PNG.to_vec();
    other.reverse();
    let second = send(&p, "image/png", &other).await;
    assert!(second.is_client_error(), "{second}");
    assert_eq!(f.blobs.get("families/F1/once.png").await.unwrap(), PNG);
}

pub async fn a_copy_keeps_its_bytes_when_the_source_is_written_again(f: &BlobFixture) {
    f.blobs
        .put("staging/F1/p.png", PNG.to_vec(), "image/png")
        .await
        .unwrap();
    f.blobs
        .copy("staging/F1/p.png", "families/F1/p.png")
        .await
        .unwrap();
    f.blobs
        .put("staging/F1/p.png", b"<html>".to_vec(), "text/html")
        .await
        .unwrap();
    assert_eq!(f.blobs.get("families/F1/p.png").await.unwrap(), PNG);
    let info = f.blobs.head("families/F1/p.png").await.unwrap();
    assert_eq!(
        (info.size, info.content_type.as_deref()),
        (PNG.len() as u64, Some("image/png"))
    );
    assert!(matches!(
        f.blobs
            .copy("staging/F1/none.png", "families/F1/none.png")
            .await,
        Err(BlobError::NotFound)
    ));
}
