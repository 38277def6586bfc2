//! Invoice PDFs over the in-process API: the rendered one, the commune's
//! own given by an agent (a 303 to a 5-minute link), and the limits of the
//! upload, on SQLite with the folder blob store and on DynamoDB with S3
//! (moto), with the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use marelle_api::http::extract::ClientIp;
use marelle_testkit::TestApp;
use marelle_testkit::app::ORIGIN;
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "Motdepasse1";

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_s3_app("pdf").await;
    an_invoice_downloads_as_a_rendered_pdf,
    a_pdf_given_by_the_commune_replaces_the_rendered_one,
    another_familys_pdf_is_not_found_and_parents_cannot_upload,
    uploads_must_be_pdfs_of_at_most_ten_megabytes,
    a_pdf_uploaded_in_two_steps_is_what_the_family_downloads,
    a_non_pdf_uploaded_in_two_steps_is_refused_and_nothing_is_kept,
    an_oversized_declaration_gets_no_grant,
    a_grant_works_once_for_its_own_invoice_and_only_for_agents,
    a_grant_expires_after_an_hour_and_grants_are_rate_limited,
    the_communes_logo_is_drawn_on_rendered_invoices_until_removed,
    bad_logos_are_refused_and_nothing_is_stored,
    a_broken_stored_logo_never_breaks_a_download,
);

struct World {
    app: TestApp,
    agent: String,
    parent: String,
    other_parent: String,
    family: Value,
}

/// A raw answer: status, headers and bytes.
struct Raw {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl World {
    async fn new(app: TestApp) -> Self {
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent("matthieu@exemple.fr", PASSWORD).await;
        let family = app.dupont_family(&agent).await;
        let r = app
            .subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let other_parent = app.parent("marc@exemple.fr", PASSWORD).await;
        let other = app.create_family(&agent, json!({
            "guardians": [{"civility": "M.", "last_name": "BERNARD", "first_name": "Marc", "email": "marc@exemple.fr", "quality": "father"}],
            "children": [{"first_name": "Zoé", "last_name": "BERNARD", "birth_date": "2017-04-02", "sex": "F"}]
        })).await;
        let r = app
            .subscribe(&other_parent, other["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        Self {
            app,
            agent,
            parent,
            other_parent,
            family,
        }
    }

    /// An invoice of the family with two lines; its id.
    async fn invoice(&self, number: &str) -> String {
        let r = self
            .app
            .post(
                "/api/agent/invoices",
                json!({
                    "family_id": self.family["id"], "guardian_id": self.family["guardians"][0]["id"],
                    "emission_code": "E2026", "reference": number, "number": number,
                    "amount_cents": 2150, "issued_on": "2026-10-31", "due_on": "2026-11-30",
                    "service": "Accueil périscolaire", "issuer": "Mairie de Villebois",
                    "lines": [
                        {"label": "Péri SOIR", "child": "Léa", "activity": "Péri SOIR", "period": "Octobre 2026", "quantity": 5, "unit_price_cents": 280, "amount_cents": 1400},
                        {"label": "Péri MATIN", "child": "Léa", "activity": "Péri MATIN", "period": "Octobre 2026", "quantity": 3, "unit_price_cents": 250, "amount_cents": 750}
                    ]
                }),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        cookie: &str,
        body: Vec<u8>,
        length: Option<usize>,
    ) -> Raw {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::ORIGIN, ORIGIN)
            .header(header::COOKIE, cookie);
        if let Some(n) = length {
            req = req
                .header(header::CONTENT_TYPE, "application/pdf")
                .header(header::CONTENT_LENGTH, n);
        }
        let mut req = req.body(Body::from(body)).unwrap();
        req.extensions_mut().insert(ClientIp(self.app.ip));
        let resp = self.app.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Raw {
            status,
            headers,
            bytes,
        }
    }

    async fn download(&self, id: &str, cookie: &str) -> Raw {
        self.raw(
            Method::GET,
            &format!("/api/billing/invoices/{id}/pdf"),
            cookie,
            Vec::new(),
            None,
        )
        .await
    }

    async fn upload(&self, id: &str, cookie: &str, pdf: Vec<u8>) -> Raw {
        let n = pdf.len();
        self.raw(
            Method::PUT,
            &format!("/api/agent/invoices/{id}/pdf"),
            cookie,
            pdf,
            Some(n),
        )
        .await
    }

    /// The bytes behind a presigned link: the portal's own blob route, or
    /// S3 (moto) over HTTP.
    async fn fetch(&self, url: &str) -> Vec<u8> {
        if let Some(path) = url.strip_prefix(ORIGIN) {
            let r = self.raw(Method::GET, path, "", Vec::new(), None).await;
            assert_eq!(r.status, StatusCode::OK);
            r.bytes
        } else {
            let r = reqwest::get(url).await.unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::OK, "{url}");
            r.bytes().await.unwrap().to_vec()
        }
    }
}

impl World {
    /// Asks for a grant to upload `size` bytes of the invoice's PDF.
    async fn grant(&self, id: &str, size: usize, cookie: &str) -> marelle_testkit::TestResponse {
        self.app
            .post(
                &format!("/api/agent/invoices/{id}/pdf/upload"),
                json!({ "size": size }),
                Some(cookie),
            )
            .await
    }

    /// PUTs `bytes` to a grant's URL with its headers, as the browser does:
    /// the portal's own upload route, or S3 (moto) over HTTP.
    async fn put_to(&self, grant: &Value, bytes: &[u8]) -> u16 {
        let target = &grant["upload"];
        assert_eq!(target["method"], "PUT");
        let url = target["url"].as_str().unwrap();
        let headers: Vec<(String, String)> =
            serde_json::from_value(target["headers"].clone()).unwrap();
        if let Some(path) = url.strip_prefix(ORIGIN) {
            let mut req = Request::builder().method(Method::PUT).uri(path);
            for (k, v) in &headers {
                req = req.header(k, v);
            }
            self.app
                .send(req.body(Body::from(bytes.to_vec())).unwrap())
                .await
                .status
                .as_u16()
        } else {
            let mut req = reqwest::Client::new().put(url).body(bytes.to_vec());
            for (k, v) in &headers {
                req = req.header(k, v);
            }
            req.send().await.unwrap().status().as_u16()
        }
    }

    async fn confirm(
        &self,
        id: &str,
        upload_id: &Value,
        cookie: &str,
    ) -> marelle_testkit::TestResponse {
        self.app
            .post(
                &format!("/api/agent/invoices/{id}/pdf/confirm"),
                json!({ "upload_id": upload_id }),
                Some(cookie),
            )
            .await
    }

    /// Whether the blob store holds an object under `key`.
    async fn stored(&self, key: &str) -> bool {
        match self.app.state.blobs.head(key).await {
            Ok(_) => true,
            Err(marelle_domain::ports::BlobError::NotFound) => false,
            Err(e) => panic!("{e}"),
        }
    }

    /// The staged and the checked keys of a two-step upload.
    fn upload_keys(&self, invoice: &str, upload_id: &Value) -> [String; 2] {
        let checked = format!(
            "families/{}/invoices/{invoice}-{}.pdf",
            self.family["id"].as_str().unwrap(),
            upload_id.as_str().unwrap()
        );
        [format!("staging/{checked}"), checked]
    }
}

async fn a_pdf_uploaded_in_two_steps_is_what_the_family_downloads(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0011").await;
    let mut given = b"%PDF-1.7\n% la facture de la commune, en deux temps\n".to_vec();
    // Larger than what the gateway lets through in one request.
    given.resize(6 * 1024 * 1024, b' ');
    given.extend_from_slice(b"\n%%EOF\n");
    let g = w.grant(&id, given.len(), &w.agent).await;
    assert_eq!(g.status, StatusCode::CREATED, "{:?}", g.body);
    let upload_id = g.body["upload_id"].clone();
    assert!((200..300).contains(&w.put_to(&g.body, &given).await));
    let [staged, checked] = w.upload_keys(&id, &upload_id);
    assert!(w.stored(&staged).await);
    let r = w.confirm(&id, &upload_id, &w.agent).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert!(!w.stored(&staged).await, "the staged upload is removed");
    assert!(w.stored(&checked).await);
    let r = w.download(&id, &w.parent).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(w.fetch(&location).await, given);
    // A direct upload then replaces it, and the replaced file goes.
    let direct = b"%PDF-1.4\n% directe\n%%EOF\n".to_vec();
    assert_eq!(
        w.upload(&id, &w.agent, direct.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(!w.stored(&checked).await, "the replaced PDF is removed");
    let r = w.download(&id, &w.parent).await;
    let location = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(w.fetch(&location).await, direct);
}

async fn a_non_pdf_uploaded_in_two_steps_is_refused_and_nothing_is_kept(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0012").await;
    let html = b"<html>pas un pdf</html>".to_vec();
    let g = w.grant(&id, html.len(), &w.agent).await;
    assert_eq!(g.status, StatusCode::CREATED, "{:?}", g.body);
    let upload_id = g.body["upload_id"].clone();
    assert!((200..300).contains(&w.put_to(&g.body, &html).await));
    let r = w.confirm(&id, &upload_id, &w.agent).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "not_a_pdf");
    for key in w.upload_keys(&id, &upload_id) {
        assert!(!w.stored(&key).await, "{key} left behind");
    }
    // The family still gets the rendered invoice.
    let r = w.download(&id, &w.parent).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.starts_with(b"%PDF-"));
    // Confirming before anything was sent says so, and the grant stays.
    let pdf = b"%PDF-1.4\n".repeat(10);
    let g = w.grant(&id, pdf.len(), &w.agent).await;
    let r = w.confirm(&id, &g.body["upload_id"], &w.agent).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "pdf_missing");
    assert!((200..300).contains(&w.put_to(&g.body, &pdf).await));
    let r = w.confirm(&id, &g.body["upload_id"], &w.agent).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
}

async fn an_oversized_declaration_gets_no_grant(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0013").await;
    for (size, code) in [(10 * 1024 * 1024 + 1, "pdf_too_large"), (0, "not_a_pdf")] {
        let r = w.grant(&id, size, &w.agent).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{size}");
        assert_eq!(r.code(), code);
        assert!(r.body.get("upload_id").is_none());
    }
    let r = w.grant("01JZZZZZZZZZZZZZZZZZZZZZZZ", 100, &w.agent).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "unknown_invoice");
    let r = w
        .app
        .post(
            &format!("/api/agent/invoices/{id}/pdf/upload"),
            json!({ "size": 100, "content_type": "text/html" }),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    // Exactly 10 MB may be declared.
    let r = w.grant(&id, 10 * 1024 * 1024, &w.agent).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

async fn a_grant_works_once_for_its_own_invoice_and_only_for_agents(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0014").await;
    let other = w.invoice("FAC-2026-0015").await;
    let pdf = b"%PDF-1.4\n% une fois\n%%EOF\n".to_vec();
    // Parents have no grant to ask for, nor to confirm.
    assert_eq!(
        w.grant(&id, pdf.len(), &w.parent).await.status,
        StatusCode::FORBIDDEN
    );
    let g = w.grant(&id, pdf.len(), &w.agent).await;
    let upload_id = g.body["upload_id"].clone();
    assert!((200..300).contains(&w.put_to(&g.body, &pdf).await));
    assert_eq!(
        w.confirm(&id, &upload_id, &w.parent).await.status,
        StatusCode::FORBIDDEN
    );
    // Another invoice's id with this grant: unknown.
    let r = w.confirm(&other, &upload_id, &w.agent).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for bogus in [json!("01JZZZZZZZZZZZZZZZZZZZZZZZ"), json!("a#b")] {
        assert_eq!(
            w.confirm(&id, &bogus, &w.agent).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let r = w.confirm(&id, &upload_id, &w.agent).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    // Two confirmations at once: one wins.
    let pdf2 = b"%PDF-1.4\n% deux fois a la fois\n%%EOF\n".to_vec();
    let g2 = w.grant(&other, pdf2.len(), &w.agent).await;
    assert!((200..300).contains(&w.put_to(&g2.body, &pdf2).await));
    let (a, b) = tokio::join!(
        w.confirm(&other, &g2.body["upload_id"], &w.agent),
        w.confirm(&other, &g2.body["upload_id"], &w.agent)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND],
        "{:?} {:?}",
        a.body,
        b.body
    );
    let r = w.download(&other, &w.parent).await;
    let location = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(w.fetch(&location).await, pdf2);
    // Used twice: unknown, and the first one stays.
    let r = w.confirm(&id, &upload_id, &w.agent).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = w.download(&id, &w.parent).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(w.fetch(&location).await, pdf);
}

async fn a_grant_expires_after_an_hour_and_grants_are_rate_limited(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0016").await;
    let pdf = b"%PDF-1.4\n% trop tard\n%%EOF\n".to_vec();
    let g = w.grant(&id, pdf.len(), &w.agent).await;
    assert!((200..300).contains(&w.put_to(&g.body, &pdf).await));
    w.app.clock.advance(chrono::Duration::minutes(61));
    let r = w.confirm(&id, &g.body["upload_id"], &w.agent).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    // The family still gets the rendered invoice.
    assert_eq!(w.download(&id, &w.parent).await.status, StatusCode::OK);
    // Grants are counted as photo grants are: 30 per account, then 429.
    let mut limited = None;
    for i in 0..40 {
        let r = w.grant(&id, 100, &w.agent).await;
        if r.status != StatusCode::CREATED {
            limited = Some((i, r));
            break;
        }
    }
    let (i, r) = limited.expect("grants are limited");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.code(), "rate_limited");
    assert!(i >= 20, "limited after {i} grants");
}

const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
const JPEG: &[u8] = include_bytes!("fixtures/logo.jpg");

/// A 40×20 PNG, half transparent.
fn png_logo() -> Vec<u8> {
    marelle_api::billing::image::fixtures::png(40, 20, 6, 8, &[], |x, y| {
        vec![27, 94, 155, if (x + y) % 2 == 0 { 255 } else { 0 }]
    })
}

impl World {
    async fn put_logo(
        &self,
        cookie: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> marelle_testkit::TestResponse {
        let req = Request::builder()
            .method(Method::PUT)
            .uri("/api/agent/commune/logo")
            .header(header::ORIGIN, ORIGIN)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, bytes.len())
            .body(Body::from(bytes.to_vec()))
            .unwrap();
        self.app.send(req).await
    }

    async fn logo(&self, cookie: &str) -> Raw {
        self.raw(
            Method::GET,
            "/api/agent/commune/logo",
            cookie,
            Vec::new(),
            None,
        )
        .await
    }

    /// The rendered PDF of an invoice, checked to be one that parses.
    async fn rendered(&self, id: &str) -> Vec<u8> {
        let r = self.download(id, &self.parent).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.bytes.starts_with(b"%PDF-"));
        assert!(text_of(&r.bytes).contains("Mairie de Villebois"));
        r.bytes
    }
}

/// The image XObjects of a PDF: (width, height).
fn images_of(pdf: &[u8]) -> Vec<(i64, i64)> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut found: Vec<(i64, i64)> = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| {
            s.dict
                .get(b"Subtype")
                .and_then(|v| v.as_name())
                .is_ok_and(|n| n == b"Image")
        })
        .map(|s| {
            let n = |k: &[u8]| s.dict.get(k).and_then(|v| v.as_i64()).unwrap();
            (n(b"Width"), n(b"Height"))
        })
        .collect();
    found.sort();
    found
}

async fn the_communes_logo_is_drawn_on_rendered_invoices_until_removed(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0020").await;
    assert!(images_of(&w.rendered(&id).await).is_empty());
    let r = w.logo(&w.agent).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&r.bytes).contains("no_logo"));

    let png = png_logo();
    let r = w.put_logo(&w.agent, "image/png", &png).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = w.logo(&w.agent).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(r.bytes, png);
    // The PNG and its alpha as a soft mask.
    let pdf = w.rendered(&id).await;
    assert!(String::from_utf8_lossy(&pdf).contains("/Subtype /Image"));
    assert_eq!(images_of(&pdf), vec![(40, 20), (40, 20)]);

    // A JPEG replaces it, whatever type the browser said.
    let r = w.put_logo(&w.agent, "image/png", JPEG).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let r = w.logo(&w.agent).await;
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(images_of(&w.rendered(&id).await), vec![(60, 30)]);

    // Parents neither see nor change it.
    assert_eq!(w.logo(&w.parent).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.put_logo(&w.parent, "image/png", &png).await.status,
        StatusCode::FORBIDDEN
    );
    let r = w
        .raw(
            Method::DELETE,
            "/api/agent/commune/logo",
            &w.parent,
            Vec::new(),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(w.logo(&w.agent).await.bytes, JPEG);

    // Removed: invoices are as before.
    let r = w
        .raw(
            Method::DELETE,
            "/api/agent/commune/logo",
            &w.agent,
            Vec::new(),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(w.logo(&w.agent).await.status, StatusCode::NOT_FOUND);
    assert!(images_of(&w.rendered(&id).await).is_empty());
    let r = w
        .raw(
            Method::DELETE,
            "/api/agent/commune/logo",
            &w.agent,
            Vec::new(),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

async fn bad_logos_are_refused_and_nothing_is_stored(app: TestApp) {
    let w = World::new(app).await;
    let huge = marelle_api::billing::image::fixtures::png(3000, 3000, 0, 8, &[], |_, _| vec![0]);
    let mut heavy = png_logo();
    heavy.resize(600 * 1024, 0);
    let cases: [(&str, &[u8], StatusCode, &str); 5] = [
        (
            "image/gif",
            GIF,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "logo_type",
        ),
        (
            "image/png",
            b"<!doctype html><html>logo.png</html>",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "logo_type",
        ),
        (
            "image/png",
            &huge,
            StatusCode::UNPROCESSABLE_ENTITY,
            "logo_dimensions",
        ),
        (
            "image/png",
            &heavy,
            StatusCode::PAYLOAD_TOO_LARGE,
            "logo_too_large",
        ),
        (
            "image/png",
            &png_logo()[..60],
            StatusCode::UNPROCESSABLE_ENTITY,
            "logo_unreadable",
        ),
    ];
    for (content_type, bytes, status, code) in &cases {
        let r = w.put_logo(&w.agent, content_type, bytes).await;
        assert_eq!(r.status, *status, "{code}: {:?}", r.body);
        assert_eq!(r.code(), *code);
        assert_eq!(
            w.logo(&w.agent).await.status,
            StatusCode::NOT_FOUND,
            "{code}"
        );
    }
    assert!(matches!(
        w.app.state.blobs.head("commune/logo").await,
        Err(marelle_domain::ports::BlobError::NotFound)
    ));
    // Just under 512 KB (noise does not compress) is taken.
    let noise = marelle_api::billing::image::fixtures::png(360, 360, 6, 8, &[], |x, y| {
        let n = (x * 7919 + y * 104_729).wrapping_mul(2_654_435_761);
        n.to_be_bytes().to_vec()
    });
    assert!(
        noise.len() > 400 * 1024 && noise.len() <= 512 * 1024,
        "{}",
        noise.len()
    );
    let r = w.put_logo(&w.agent, "image/png", &noise).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    // Refused files leave a good logo in place.
    let good = png_logo();
    assert_eq!(
        w.put_logo(&w.agent, "image/png", &good).await.status,
        StatusCode::NO_CONTENT
    );
    for (content_type, bytes, status, _) in &cases {
        assert_eq!(
            w.put_logo(&w.agent, content_type, bytes).await.status,
            *status
        );
    }
    assert_eq!(w.logo(&w.agent).await.bytes, good);
}

async fn a_broken_stored_logo_never_breaks_a_download(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0021").await;
    let r = w.put_logo(&w.agent, "image/png", &png_logo()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(images_of(&w.rendered(&id).await).len(), 2);
    // Damaged in the store, then gone from it behind the portal's back.
    let mut broken = png_logo();
    broken.truncate(50);
    w.app
        .state
        .blobs
        .put("commune/logo", broken, "image/png")
        .await
        .unwrap();
    assert!(images_of(&w.rendered(&id).await).is_empty());
    w.app.state.blobs.delete("commune/logo").await.unwrap();
    assert!(images_of(&w.rendered(&id).await).is_empty());
}

fn text_of(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF that parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap().replace('\u{a0}', " ")
}

async fn an_invoice_downloads_as_a_rendered_pdf(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0007").await;
    let r = w
        .app
        .post(
            "/api/agent/regies",
            json!({"name": "Accueil périscolaire", "email": "periscolaire@villebois.fr"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = w.download(&id, &w.parent).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"facture-FAC-2026-0007.pdf\""
    );
    assert!(r.bytes.starts_with(b"%PDF-"));
    let text = text_of(&r.bytes);
    for expected in [
        "Mairie de Villebois",
        "FAC-2026-0007",
        "Régie : Accueil périscolaire",
        "DUPONT",
        "Péri SOIR",
        "Octobre 2026",
        "21,50 €",
        "periscolaire@villebois.fr",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in {text:?}");
    }
    // Every invoice says a PDF is there.
    let list = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(list.body["items"][0]["pdf"], true);
}

async fn a_pdf_given_by_the_commune_replaces_the_rendered_one(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0008").await;
    let given = b"%PDF-1.4\n% la facture de la commune\n%%EOF\n".to_vec();
    let r = w.upload(&id, &w.agent, given.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    let r = w.download(&id, &w.parent).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(w.fetch(&location).await, given);
    // A second upload replaces the first.
    let again = b"%PDF-1.7\n% corrigee\n%%EOF\n".to_vec();
    assert_eq!(
        w.upload(&id, &w.agent, again.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    let r = w.download(&id, &w.parent).await;
    let location = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(w.fetch(&location).await, again);
}

async fn another_familys_pdf_is_not_found_and_parents_cannot_upload(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0009").await;
    let r = w.download(&id, &w.other_parent).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!String::from_utf8_lossy(&r.bytes).contains("FAC-2026-0009"));
    for unknown in ["01JZZZZZZZZZZZZZZZZZZZZZZZ", "a%23b", "x"] {
        assert_eq!(
            w.download(unknown, &w.parent).await.status,
            StatusCode::NOT_FOUND,
            "{unknown}"
        );
    }
    // Agents use their own routes; parents cannot give a PDF.
    assert_eq!(
        w.download(&id, &w.agent).await.status,
        StatusCode::FORBIDDEN
    );
    let r = w.upload(&id, &w.parent, b"%PDF-1.4\n".to_vec()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // … so the rendered one is still what the family gets.
    assert_eq!(w.download(&id, &w.parent).await.status, StatusCode::OK);
}

async fn uploads_must_be_pdfs_of_at_most_ten_megabytes(app: TestApp) {
    let w = World::new(app).await;
    let id = w.invoice("FAC-2026-0010").await;
    let code = |r: &Raw| -> String {
        serde_json::from_slice::<Value>(&r.bytes).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let r = w
        .upload(&id, &w.agent, b"<html>pas un pdf</html>".to_vec())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&r), "not_a_pdf");
    let r = w.upload(&id, &w.agent, Vec::new()).await;
    assert_eq!(code(&r), "not_a_pdf");
    // Refused from its Content-Length, before reading…
    let r = w
        .raw(
            Method::PUT,
            &format!("/api/agent/invoices/{id}/pdf"),
            &w.agent,
            b"%PDF-".to_vec(),
            Some(10 * 1024 * 1024 + 1),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&r), "pdf_too_large");
    // … and while reading, when the length is not announced.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let stream = futures::stream::iter(
        big.chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let mut req = Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/agent/invoices/{id}/pdf"))
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &w.agent)
        .body(Body::from_stream(stream))
        .unwrap();
    req.extensions_mut().insert(ClientIp(w.app.ip));
    let resp = w.app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Exactly 10 MB is fine; an unknown invoice is not.
    big.truncate(10 * 1024 * 1024);
    assert_eq!(
        w.upload(&id, &w.agent, big.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    let r = w.upload("01JZZZZZZZZZZZZZZZZZZZZZZZ", &w.agent, big).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(code(&r), "unknown_invoice");
    // Nothing refused was stored: the family gets the last good one.
    let r = w.download(&id, &w.parent).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}
