//! Background imports (`/api/agent/imports`): the file uploaded by a
//! presigned URL, checked, started, written chunk by chunk through the
//! event bus; on the embedded store and on DynamoDB (moto).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use marelle_api::http::state::{CaptchaSettings, Settings};
use marelle_domain::ports::{Clock, Event, EventHandler};
use marelle_testkit::{TestApp, TestResponse};
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";
const INVOICES: &str = "famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant\n";
const PAYMENTS: &str = "numero;date;facture;mode;libelle;montant\n";

fn settings(chunk: usize) -> Settings {
    Settings {
        captcha: CaptchaSettings::lowest(),
        import_chunk: chunk,
        ..Settings::default()
    }
}

/// The chunk size is small on moto (slow transactions): 5 invoices over 3
/// chunks there, 2,500 on SQLite.
async fn dynamo_with_chunk(chunk: usize) -> TestApp {
    let config = common::moto_config().await;
    TestApp::with_store_and_settings(
        common::dynamo_store(&config, "bgimport").await,
        settings(chunk),
    )
    .await
}

on_both_stores!(
    a_file_is_uploaded_checked_started_and_written_in_the_background,
    a_file_with_errors_cannot_be_started_and_nothing_is_written,
    payments_are_imported_in_the_background,
    starting_twice_or_beside_a_running_import_is_refused,
    parents_unknown_ids_missing_files_and_large_sizes_are_refused,
    a_chunk_whose_file_is_gone_fails_the_import_in_french_and_frees_the_commune,
    a_chunk_that_keeps_failing_is_retried_then_fails_the_import,
);

mod chunks {
    on_both_stores!(
        embedded: marelle_testkit::TestApp::with_settings(crate::settings(500)).await,
        dynamodb: crate::dynamo_with_chunk(1).await;
        a_family_spread_over_three_chunks_gets_one_email_and_duplicates_count_once,
    );
    use super::a_family_spread_over_three_chunks_gets_one_email_and_duplicates_count_once;
}

struct World {
    app: TestApp,
    agent: String,
    parent: String,
    family: Value,
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
        Self {
            app,
            agent,
            parent,
            family,
        }
    }

    fn code(&self) -> &str {
        self.family["subscriber_code"].as_str().unwrap()
    }

    /// `n` one-line invoices of 1 € for the Dupont family.
    fn invoices(&self, prefix: &str, n: usize) -> String {
        let code = self.code();
        let mut file = INVOICES.to_string();
        for i in 0..n {
            file.push_str(&format!(
                "{code};;{prefix}-{i:05};31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Garderie;Ludovic;1;1\n"
            ));
        }
        file
    }

    /// Asks for an upload and sends the file: the import's id.
    async fn upload(&self, kind: &str, file: &str) -> String {
        let r = self
            .app
            .post(
                "/api/agent/imports",
                json!({"kind": kind, "size": file.len()}),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let upload = &r.body["upload"];
        let url = upload["url"].as_str().unwrap();
        let path = url.strip_prefix(marelle_testkit::app::ORIGIN).unwrap();
        let mut put = Request::builder()
            .method(upload["method"].as_str().unwrap())
            .uri(path);
        for h in upload["headers"].as_array().unwrap() {
            put = put.header(h[0].as_str().unwrap(), h[1].as_str().unwrap());
        }
        let put = put.body(Body::from(file.to_string())).unwrap();
        assert_eq!(self.app.send(put).await.status, StatusCode::OK);
        r.body["import_id"].as_str().unwrap().to_string()
    }

    async fn check(&self, id: &str) -> TestResponse {
        self.app
            .post(
                &format!("/api/agent/imports/{id}/check"),
                json!({}),
                Some(&self.agent),
            )
            .await
    }

    async fn start(&self, id: &str) -> TestResponse {
        self.app
            .post(
                &format!("/api/agent/imports/{id}/start"),
                json!({}),
                Some(&self.agent),
            )
            .await
    }

    /// The job once the bus has nothing left to deliver.
    async fn finished(&self, id: &str) -> Value {
        self.app.bus.idle().await;
        let r = self
            .app
            .get(&format!("/api/agent/imports/{id}"), Some(&self.agent))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    async fn import(&self, kind: &str, file: &str) -> Value {
        let id = self.upload(kind, file).await;
        let r = self.start(&id).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        self.finished(&id).await
    }
}

async fn invoice_mails(app: &TestApp) -> Vec<(String, String)> {
    app.emails()
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Nouvelle"))
        .map(|m| (m.to, m.text))
        .collect()
}

async fn a_file_is_uploaded_checked_started_and_written_in_the_background(app: TestApp) {
    let w = World::new(app).await;
    let code = w.code().to_string();
    let file = format!(
        "\u{feff}{INVOICES}\
         {code};;FAC-2026-101;31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Garderie du soir;Ludovic;12;30,00\n\
         {code};;FAC-2026-101;31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Restauration scolaire;Ludovic;10;42\n\
         {code};;FAC-2026-102;31/10/2026;15/12/2026;Centre de loisirs;Mairie de Villebois;;;Mercredis;Ludovic;2;6.5\n"
    );
    let id = w.upload("invoices", &file).await;
    let pending = w
        .app
        .get(&format!("/api/agent/imports/{id}"), Some(&w.agent))
        .await;
    assert_eq!(pending.body["state"], "pending", "{:?}", pending.body);

    // The check is the direct route's dry run.
    let r = w.check(&id).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["dry_run"], true);
    assert_eq!(r.body["created"], 2);
    assert_eq!(r.body["lines"], 3);
    assert_eq!(r.body["families"], 1);
    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        0,
        "checked only"
    );

    let r = w.start(&id).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(r.body["state"], "running");
    assert_eq!(r.body["kind"], "invoices");
    assert_eq!(r.body["rows"], 3);
    assert_eq!(r.body["total"], 2);

    let job = w.finished(&id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["created"], 2);
    assert_eq!(job["unchanged"], 0);
    assert_eq!(job["lines"], 3);
    assert_eq!(job["families"], 1);
    assert_eq!(job["done"], 2);
    assert_eq!(job["rows_done"], 3);
    assert!(job["finished_at"].is_string(), "{job}");
    assert_eq!(job["error"], Value::Null);

    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(mine.body["to_pay_cents"], 3000 + 4200 + 650);
    let mails = invoice_mails(&w.app).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].1.contains("FAC-2026-101") && mails[0].1.contains("FAC-2026-102"));

    // The same file again: all unchanged, no e-mail.
    let again = w.import("invoices", &file).await;
    assert_eq!(again["state"], "done", "{again}");
    assert_eq!(again["created"], 0);
    assert_eq!(again["unchanged"], 2);
    assert_eq!(invoice_mails(&w.app).await.len(), 1);

    // The list: newest first.
    let list = w.app.get("/api/agent/imports", Some(&w.agent)).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["id"], again["id"]);
    assert_eq!(items[1]["id"], id.as_str());
}

async fn a_file_with_errors_cannot_be_started_and_nothing_is_written(app: TestApp) {
    let w = World::new(app).await;
    let code = w.code().to_string();
    let file = format!(
        "{INVOICES}\
         {code};;FAC-1;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
         INCONNUE;;FAC-2;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
         AUTRE;;FAC-3;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n"
    );
    let id = w.upload("invoices", &file).await;
    let r = w.check(&id).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_import");
    let lines: Vec<u64> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4], "{:?}", r.body);

    // Started without a check: checked again, refused the same way.
    let r = w.start(&id).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_import");
    assert_eq!(r.body["errors"].as_array().unwrap().len(), 2);
    w.app.bus.idle().await;
    let job = w
        .app
        .get(&format!("/api/agent/imports/{id}"), Some(&w.agent))
        .await;
    assert_eq!(job.body["state"], "pending", "{:?}", job.body);
    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 0);
    let list = w.app.get("/api/agent/imports", Some(&w.agent)).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
    assert!(invoice_mails(&w.app).await.is_empty());
}

async fn payments_are_imported_in_the_background(app: TestApp) {
    let w = World::new(app).await;
    let job = w.import("invoices", &w.invoices("FAC", 2)).await;
    assert_eq!(job["created"], 2, "{job}");
    let file = format!(
        "{PAYMENTS}CHQ-1;02/11/2026;FAC-00000;cheque;;0,40\nCHQ-2;03/11/2026;FAC-00000;virement;;0,60\nCHQ-3;03/11/2026;FAC-00001;especes;;1\n"
    );
    let job = w.import("payments", &file).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["kind"], "payments");
    assert_eq!(job["created"], 3);
    assert_eq!(job["total"], 3);
    assert_eq!(job["rows_done"], 3);
    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(mine.body["to_pay_cents"], 0, "{:?}", mine.body);
    let paid = w.app.get("/api/billing/payments", Some(&w.parent)).await;
    assert_eq!(paid.body["items"].as_array().unwrap().len(), 3);
    let again = w.import("payments", &file).await;
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(again["unchanged"], 3);
}

async fn starting_twice_or_beside_a_running_import_is_refused(app: TestApp) {
    let w = World::new(app).await;
    let first = w.upload("invoices", &w.invoices("A", 1)).await;
    let second = w.upload("invoices", &w.invoices("B", 1)).await;
    // A running import holds the commune's lock.
    let lock = marelle_domain::ports::store::Key::new("IMPORTS", "RUNNING");
    let mut item = marelle_domain::ports::store::Item::new(lock.clone())
        .expires_at(w.app.clock.now().timestamp() + 600);
    item.set("import_id", json!("someone-else"));
    w.app.state.store.put(item, None).await.unwrap();
    let r = w.start(&first).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "import_running");
    assert!(r.body["detail"].as_str().unwrap().contains("en cours"));
    w.app.state.store.delete(&lock, None).await.unwrap();

    let r = w.start(&first).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let r = w.start(&first).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "import_already_started");
    assert_eq!(w.finished(&first).await["state"], "done");
    let r = w.start(&first).await;
    assert_eq!(r.code(), "import_already_started");
    // Once done, the lock is free again.
    let r = w.start(&second).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(w.finished(&second).await["created"], 1);
}

async fn parents_unknown_ids_missing_files_and_large_sizes_are_refused(app: TestApp) {
    let w = World::new(app).await;
    let r = w
        .app
        .post(
            "/api/agent/imports",
            json!({"kind": "invoices", "size": 10 * 1024 * 1024 + 1}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    assert_eq!(r.code(), "file_too_large");
    let r = w
        .app
        .post(
            "/api/agent/imports",
            json!({"kind": "families", "size": 10}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = w
        .app
        .post(
            "/api/agent/imports",
            json!({"kind": "invoices", "size": 10}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    // Granted, never uploaded.
    let r = w
        .app
        .post(
            "/api/agent/imports",
            json!({"kind": "invoices", "size": 10}),
            Some(&w.agent),
        )
        .await;
    let id = r.body["import_id"].as_str().unwrap().to_string();
    for r in [w.check(&id).await, w.start(&id).await] {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.code(), "import_file_missing");
    }
    for path in [
        "/api/agent/imports/01ZZZZZZZZZZZZZZZZZZZZZZZZ".to_string(),
        "/api/agent/imports/01ZZZZZZZZZZZZZZZZZZZZZZZZ/check".into(),
        "/api/agent/imports/01ZZZZZZZZZZZZZZZZZZZZZZZZ/start".into(),
    ] {
        let r = if path.ends_with('Z') {
            w.app.get(&path, Some(&w.agent)).await
        } else {
            w.app.post(&path, json!({}), Some(&w.agent)).await
        };
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {:?}", r.body);
    }
    for r in [
        w.app.get("/api/agent/imports", Some(&w.parent)).await,
        w.app
            .get(&format!("/api/agent/imports/{id}"), Some(&w.parent))
            .await,
        w.app
            .post(
                &format!("/api/agent/imports/{id}/start"),
                json!({}),
                Some(&w.parent),
            )
            .await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
}

async fn a_family_spread_over_three_chunks_gets_one_email_and_duplicates_count_once(app: TestApp) {
    let chunk = app.state.settings.import_chunk;
    let total = 5 * chunk;
    let w = World::new(app).await;
    let id = w.upload("invoices", &w.invoices("GROS", total)).await;
    let r = w.start(&id).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    // The first chunk's event delivered twice more, at once with the bus's.
    let worker = marelle_api::billing::import_jobs::ImportWorker::new(w.app.state.clone());
    let event = Event {
        id: format!("{id}-0"),
        detail_type: "BillingImportChunk".into(),
        detail: json!({"import_id": id, "chunk": 0}),
    };
    let (a, b) = tokio::join!(worker.handle(&event), worker.handle(&event));
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");

    let job = w.finished(&id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["created"], total, "{job}");
    assert_eq!(job["unchanged"], 0);
    assert_eq!(job["lines"], total);
    assert_eq!(job["families"], 1);
    // Spread over several chunks (a family's invoices are kept together
    // up to twice the chunk: 2 + 2 + 1 when each chunk runs once; the
    // duplicate deliveries of the first may write ahead of the chain, so
    // it can end a chunk sooner).
    assert!(matches!(job["chunk"].as_u64(), Some(2 | 3)), "{job}");
    // Late redeliveries of a chunk change nothing.
    for n in 0..3 {
        let late = Event {
            id: format!("{id}-{n}"),
            detail_type: "BillingImportChunk".into(),
            detail: json!({"import_id": id, "chunk": n}),
        };
        worker.handle(&late).await.unwrap();
    }
    let again = w.finished(&id).await;
    assert_eq!(again, job);

    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(mine.body["to_pay_cents"], total as i64 * 100);
    let mails = invoice_mails(&w.app).await;
    assert_eq!(mails.len(), 1, "one e-mail per import and family");
    assert!(
        mails[0].1.contains(&format!("{total} nouvelles factures")),
        "{}",
        mails[0].1
    );
}

async fn a_chunk_whose_file_is_gone_fails_the_import_in_french_and_frees_the_commune(app: TestApp) {
    let w = World::new(app).await;
    let now = w.app.clock.now();
    // A running import (as `start` records it) whose file is no longer there.
    let job = |id: &str| {
        json!({"PK": "IMPORTS", "SK": format!("JOB#{id}"), "id": id, "kind": "invoices",
               "state": "running", "rows": 4, "rows_done": 0, "total": 2, "done": 0,
               "created": 0, "unchanged": 0, "lines": 0, "families": 0,
               "started_by": "agent", "started_at": now.to_rfc3339(), "finished_at": null,
               "error": null, "chunk": 0, "chunk_size": 1000, "attempts": 0,
               "updated_at": now.to_rfc3339()})
    };
    let store = &w.app.state.store;
    for id in ["01JOBGONE00000000000000000", "01JOBSTALE0000000000000000"] {
        let item =
            marelle_domain::ports::store::Item::from_attrs(job(id).as_object().unwrap().clone())
                .unwrap();
        store.put(item, None).await.unwrap();
    }
    let mut lock = marelle_domain::ports::store::Item::new(marelle_domain::ports::store::Key::new(
        "IMPORTS", "RUNNING",
    ))
    .expires_at(now.timestamp() + 900);
    lock.set("import_id", json!("01JOBGONE00000000000000000"));
    store.put(lock, None).await.unwrap();

    let worker = marelle_api::billing::import_jobs::ImportWorker::new(w.app.state.clone());
    let event = Event {
        id: "01JOBGONE00000000000000000-0".into(),
        detail_type: "BillingImportChunk".into(),
        detail: json!({"import_id": "01JOBGONE00000000000000000", "chunk": 0}),
    };
    worker.handle(&event).await.unwrap();
    let gone = w.finished("01JOBGONE00000000000000000").await;
    assert_eq!(gone["state"], "failed", "{gone}");
    assert_eq!(
        gone["error"],
        "Le fichier de l'import n'est plus disponible. Envoyez-le de nouveau."
    );
    assert!(gone["finished_at"].is_string());
    // The commune is free: another import starts.
    let id = w.upload("invoices", &w.invoices("APRES", 1)).await;
    let r = w.start(&id).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(w.finished(&id).await["state"], "done");

    // A running import that has not moved for a quarter of an hour broke off.
    let stale = w.finished("01JOBSTALE0000000000000000").await;
    assert_eq!(stale["state"], "running");
    w.app.clock.advance(chrono::Duration::minutes(16));
    let stale = w.finished("01JOBSTALE0000000000000000").await;
    assert_eq!(stale["state"], "failed", "{stale}");
    assert!(
        stale["error"]
            .as_str()
            .unwrap()
            .contains("Relancez-le avec le même fichier"),
        "{stale}"
    );
}

async fn a_chunk_that_keeps_failing_is_retried_then_fails_the_import(app: TestApp) {
    let w = World::new(app).await;
    let now = w.app.clock.now();
    let id = "01JOBRETRY0000000000000000";
    let job = json!({"PK": "IMPORTS", "SK": format!("JOB#{id}"), "id": id, "kind": "payments",
           "state": "running", "rows": 1, "rows_done": 0, "total": 1, "done": 0,
           "created": 0, "unchanged": 0, "lines": 0, "families": 0,
           "started_by": "agent", "started_at": now.to_rfc3339(), "finished_at": null,
           "error": null, "chunk": 0, "chunk_size": 1000, "attempts": 0,
           "updated_at": now.to_rfc3339()});
    w.app
        .state
        .store
        .put(
            marelle_domain::ports::store::Item::from_attrs(job.as_object().unwrap().clone())
                .unwrap(),
            None,
        )
        .await
        .unwrap();
    // The file cannot be read (a folder stands where it should be): the
    // blob store fails, which may pass.
    w.app
        .state
        .blobs
        .put(&format!("imports/{id}.csv/x"), b"x".to_vec(), "text/csv")
        .await
        .unwrap();
    let worker = marelle_api::billing::import_jobs::ImportWorker::new(w.app.state.clone());
    let event = Event {
        id: format!("{id}-0"),
        detail_type: "BillingImportChunk".into(),
        detail: json!({"import_id": id, "chunk": 0}),
    };
    for attempt in 1..=2 {
        assert!(
            worker.handle(&event).await.is_err(),
            "attempt {attempt}: delivered again"
        );
        assert_eq!(w.finished(id).await["state"], "running");
    }
    worker.handle(&event).await.unwrap();
    let failed = w.finished(id).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .starts_with("L'import s'est arrêté sur une erreur du service."),
        "{failed}"
    );
}
