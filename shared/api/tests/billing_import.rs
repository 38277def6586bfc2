//! Invoices and payments imported from CSV files, on the embedded store and
//! on DynamoDB (moto), with the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use marelle_testkit::{TestApp, TestResponse};
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";
const INVOICES: &str = "famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant\n";
const PAYMENTS: &str = "numero;date;facture;mode;libelle;montant\n";

on_both_stores!(
    a_valid_file_creates_invoices_shown_in_mes_factures_and_mails_each_family_once,
    the_same_file_twice_changes_nothing_and_mails_nobody,
    every_broken_row_is_named_and_nothing_is_written,
    payments_are_recorded_and_an_overpayment_in_the_file_is_named,
    header_encoding_authorisation_and_size_are_refused_cleanly,
);

struct World {
    app: TestApp,
    agent: String,
    parent: String,
    family: Value,
    other_family: Value,
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
        // A family imported from the commune's software, under "REF-42".
        let r = app
            .send(csv(
                &agent,
                "/api/agent/families/import?dry_run=false",
                "famille;role;civilite;nom;prenom;date_naissance;sexe;email\n\
                 REF-42;responsable;M.;BERNARD;Marc;;;marc@exemple.fr\n\
                 REF-42;enfant;;BERNARD;Zoé;02/04/2017;F;\n",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let list = app.get("/api/agent/families", Some(&agent)).await;
        let other_family = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["label"].as_str().unwrap_or_default().contains("BERNARD"))
            .cloned()
            .unwrap_or_else(|| panic!("{:?}", list.body));
        Self {
            app,
            agent,
            parent,
            family,
            other_family,
        }
    }

    async fn import(&self, what: &str, dry_run: bool, body: &str) -> TestResponse {
        self.app
            .send(csv(
                &self.agent,
                &format!("/api/agent/{what}/import?dry_run={dry_run}"),
                body,
            ))
            .await
    }

    /// A file of three invoices: two for the Dupont family (by subscriber
    /// code), one with two lines for the Bernard family (by import
    /// reference), one for the Dupont family by id.
    fn invoices_file(&self) -> String {
        let code = self.family["subscriber_code"].as_str().unwrap();
        let id = self.family["id"].as_str().unwrap();
        format!(
            "\u{feff}{INVOICES}\
             {code};;FAC-2026-101;31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;E2026;R101;Garderie du soir;Ludovic;12;30,00\n\
             {code};;FAC-2026-101;31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;E2026;R101;Restauration scolaire;Ludovic;10;42\n\
             REF-42;;FAC-2026-102;2026-10-31;2026-11-30;Périscolaire;Mairie de Villebois;;;Garderie;Zoé;1;1 234,50\n\
             ;{id};FAC-2026-103;31/10/2026;15/12/2026;Centre de loisirs;Mairie de Villebois;;;Mercredis;Ludovic;2;6.5\n"
        )
    }
}

fn csv(cookie: &str, path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::ORIGIN, marelle_testkit::app::ORIGIN)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn errors(r: &TestResponse) -> Vec<(u64, String, String)> {
    r.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", r.body))
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn invoice_mails(app: &TestApp) -> Vec<(String, String)> {
    app.emails()
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Nouvelle"))
        .map(|m| (m.to, m.text))
        .collect()
}

async fn a_valid_file_creates_invoices_shown_in_mes_factures_and_mails_each_family_once(
    app: TestApp,
) {
    let w = World::new(app).await;
    let file = w.invoices_file();
    let r = w.import("invoices", true, &file).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["dry_run"], true);
    assert_eq!(r.body["created"], 3);
    assert_eq!(r.body["unchanged"], 0);
    assert_eq!(r.body["lines"], 4);
    assert_eq!(r.body["families"], 2);
    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 0, "dry run");

    let r = w.import("invoices", false, &file).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["dry_run"], false);
    assert_eq!(r.body["created"], 3);
    assert_eq!(r.body["lines"], 4);

    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    let items = mine.body["items"].as_array().unwrap();
    let numbers: Vec<&str> = items
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 2, "{numbers:?}");
    assert!(numbers.contains(&"FAC-2026-101") && numbers.contains(&"FAC-2026-103"));
    assert_eq!(mine.body["to_pay_cents"], 3000 + 4200 + 650);
    let first = items
        .iter()
        .find(|i| i["number"] == "FAC-2026-101")
        .unwrap();
    assert_eq!(first["service"], "Périscolaire");
    assert_eq!(first["due_on"], "2026-11-30");
    let detail = w
        .app
        .get(
            &format!("/api/billing/invoices/{}", first["id"].as_str().unwrap()),
            Some(&w.parent),
        )
        .await;
    let lines = detail.body["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{:?}", detail.body);
    assert_eq!(lines[0]["label"], "Garderie du soir");
    assert_eq!(lines[0]["quantity"], 12);
    assert_eq!(lines[1]["amount_cents"], 4200);

    // The other family's invoice is its own.
    let fid = w.other_family["id"].as_str().unwrap();
    let theirs = w
        .app
        .get(
            &format!("/api/agent/families/{fid}/invoices"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{:?}", theirs.body);
    let theirs = theirs.body["items"].as_array().unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["amount_cents"], 123_450);

    let mails = invoice_mails(&w.app).await;
    // The Bernard family has no account: nobody to write to.
    assert_eq!(mails.len(), 1, "one e-mail per family, not per invoice");
    let (to, text) = &mails[0];
    assert_eq!(to, "matthieu@exemple.fr");
    assert!(text.contains("2 nouvelles factures"), "{text}");
    assert!(text.contains("FAC-2026-101") && text.contains("FAC-2026-103"));
    assert!(
        text.contains("72,00\u{a0}€") && text.contains("30/11/2026"),
        "{text}"
    );
    assert!(text.contains("/espace-facturation"));
}

async fn the_same_file_twice_changes_nothing_and_mails_nobody(app: TestApp) {
    let w = World::new(app).await;
    let file = w.invoices_file();
    let r = w.import("invoices", false, &file).await;
    assert_eq!(r.body["created"], 3, "{:?}", r.body);
    let before = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    let mails = invoice_mails(&w.app).await.len();

    for dry_run in [true, false] {
        let r = w.import("invoices", dry_run, &file).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["created"], 0);
        assert_eq!(r.body["unchanged"], 3);
    }
    let after = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(before.body, after.body);
    assert_eq!(invoice_mails(&w.app).await.len(), mails, "no second e-mail");

    // One more invoice in the file: only it is created, only it is mailed.
    let code = w.family["subscriber_code"].as_str().unwrap();
    let more = format!(
        "{file}{code};;FAC-2026-104;01/11/2026;01/12/2026;Périscolaire;Mairie de Villebois;;;Garderie;Ludovic;1;5\n"
    );
    let r = w.import("invoices", false, &more).await;
    assert_eq!(r.body["created"], 1, "{:?}", r.body);
    assert_eq!(r.body["unchanged"], 3);
    let mails = invoice_mails(&w.app).await;
    let last = &mails.last().unwrap().1;
    assert!(last.contains("FAC-2026-104") && !last.contains("FAC-2026-101"));
}

async fn every_broken_row_is_named_and_nothing_is_written(app: TestApp) {
    let w = World::new(app).await;
    let code = w.family["subscriber_code"].as_str().unwrap();
    // A number taken by an invoice made by hand, with another amount.
    let r = w
        .app
        .post(
            "/api/agent/invoices",
            json!({"family_id": w.family["id"], "guardian_id": w.family["guardians"][0]["id"],
                   "emission_code": "E1", "reference": "R1", "number": "FAC-PRISE",
                   "amount_cents": 999, "issued_on": "2026-10-31", "due_on": "2026-11-30"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let file = format!(
        "{INVOICES}\
         {code};;FAC-1;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
         INCONNUE;;FAC-2;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
         {code};;FAC-3;32/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
         {code};;FAC-4;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6 euros\n\
         {code};;FAC-5;31/10/2026;30/11/2026;Périscolaire;Mairie;;;;;1;6\n\
         {code};;FAC-1;31/10/2026;30/11/2026;Cantine;Mairie;;;Repas;;1;6\n\
         {code};;FAC-PRISE;31/10/2026;30/11/2026;Régie municipale;Mairie;;;Repas;;1;6\n\
         ;01NOPE;FAC-6;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n"
    );
    for dry_run in [true, false] {
        let r = w.import("invoices", dry_run, &file).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.body["code"], "invalid_import");
        // The domain's errors first: the store's checks need a clean file.
        assert_eq!(
            errors(&r),
            vec![
                (4, "date".into(), "invalid_date".into()),
                (5, "montant".into(), "invalid_amount".into()),
                (6, "libelle".into(), "missing_field".into()),
                (7, "service".into(), "inconsistent_invoice".into()),
            ]
        );
    }
    // Once the fields are right, the store's checks name theirs.
    let file = format!(
        "{INVOICES}\
         {code};;FAC-1;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
         INCONNUE;;FAC-2;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
         {code};;FAC-PRISE;31/10/2026;30/11/2026;Régie municipale;Mairie;;;Repas;;1;6\n\
         ;01NOPE;FAC-6;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n"
    );
    let r = w.import("invoices", false, &file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(
        errors(&r),
        vec![
            (3, "famille".into(), "unknown_family".into()),
            (4, "numero".into(), "conflicting_number".into()),
            (5, "famille_id".into(), "unknown_family".into()),
        ]
    );
    let messages: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].contains("«\u{a0}INCONNUE\u{a0}»"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("«\u{a0}FAC-PRISE\u{a0}»"),
        "{messages:?}"
    );
    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    let numbers: Vec<&str> = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, vec!["FAC-PRISE"], "nothing written");
    assert!(invoice_mails(&w.app).await.is_empty());
}

async fn payments_are_recorded_and_an_overpayment_in_the_file_is_named(app: TestApp) {
    let w = World::new(app).await;
    let r = w.import("invoices", false, &w.invoices_file()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // FAC-2026-101 is 72,00 €: 50 + 30 in the file is too much.
    let broken = format!(
        "{PAYMENTS}\
         CHQ-1;02/11/2026;FAC-2026-101;chèque;;50\n\
         VIR-1;03/11/2026;FAC-2026-101;virement;;30\n\
         ESP-1;03/11/2026;FAC-INCONNUE;especes;;1\n"
    );
    let r = w.import("payments", false, &broken).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(
        errors(&r),
        vec![
            (3, "montant".into(), "overpayment".into()),
            (4, "facture".into(), "unknown_invoice".into()),
        ]
    );
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("22,00\u{a0}€") && message.contains("ligne 2"),
        "{message}"
    );
    let paid = w.app.get("/api/billing/payments", Some(&w.parent)).await;
    assert_eq!(
        paid.body["items"].as_array().unwrap().len(),
        0,
        "nothing written"
    );

    let good = format!(
        "{PAYMENTS}\
         CHQ-1;02/11/2026;FAC-2026-101;chèque;;50\n\
         VIR-1;2026-11-03;FAC-2026-101;virement;Virement CAF;22\n\
         ESP-1;03/11/2026;FAC-2026-103;especes;;1,50\n"
    );
    let r = w.import("payments", true, &good).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["created"], 3);
    let r = w.import("payments", false, &good).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["created"], 3);
    let paid = w.app.get("/api/billing/payments", Some(&w.parent)).await;
    let items = paid.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{:?}", paid.body);
    let descriptions: Vec<&str> = items
        .iter()
        .map(|p| p["description"].as_str().unwrap())
        .collect();
    assert!(descriptions.contains(&"Chèque n°CHQ-1"), "{descriptions:?}");
    assert!(descriptions.contains(&"Virement CAF"));
    assert!(descriptions.contains(&"Espèces n°ESP-1"));
    let invoices = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    let states: Vec<(&str, &str)> = invoices.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["number"].as_str().unwrap(), i["state"].as_str().unwrap()))
        .collect();
    assert!(states.contains(&("FAC-2026-101", "paid")), "{states:?}");
    assert!(states.contains(&("FAC-2026-103", "partly_paid")));

    // Again: all unchanged; the same number with another amount conflicts.
    let r = w.import("payments", false, &good).await;
    assert_eq!(r.body["created"], 0, "{:?}", r.body);
    assert_eq!(r.body["unchanged"], 3);
    let changed = good.replace(";1,50", ";2,50");
    let r = w.import("payments", false, &changed).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        errors(&r),
        vec![(4, "numero".into(), "conflicting_number".into())]
    );
}

async fn header_encoding_authorisation_and_size_are_refused_cleanly(app: TestApp) {
    let w = World::new(app).await;
    let r = w
        .import("invoices", true, &INVOICES.replace("enfant", "eleve"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        errors(&r),
        vec![(1, "eleve".into(), "invalid_header".into())]
    );

    let latin1: Vec<u8> = [PAYMENTS.as_bytes(), b"C1;01/11/2026;F1;ch\xe8que;;6\n"].concat();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/agent/payments/import")
        .header(header::ORIGIN, marelle_testkit::app::ORIGIN)
        .header(header::COOKIE, &w.agent)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(latin1))
        .unwrap();
    let r = w.app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&r), vec![(1, "".into(), "invalid_encoding".into())]);

    // A parent is refused before the body is read.
    let r = w
        .app
        .send(csv(
            &w.parent,
            "/api/agent/invoices/import",
            &w.invoices_file(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // JSON is not a CSV file.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/agent/invoices/import")
        .header(header::ORIGIN, marelle_testkit::app::ORIGIN)
        .header(header::COOKIE, &w.agent)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        w.app.send(req).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    // More than 10 MB.
    let mut big = INVOICES.to_string();
    let row = "X;;N;31/10/2026;30/11/2026;P;M;;;L;;1;1\n";
    while big.len() <= 10 * 1024 * 1024 {
        big.push_str(row);
    }
    let r = w
        .app
        .send(csv(&w.agent, "/api/agent/invoices/import", &big))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
}

/// 20,000 invoice lines (5,000 invoices × 4 lines, 500 families) against
/// moto's DynamoDB, timed; by hand (`--ignored --nocapture`). Moto is much
/// slower than DynamoDB itself: a ceiling, not a forecast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand"]
async fn twenty_thousand_lines_on_moto() {
    let app = common::dynamo_app("billimport").await;
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let mut families = String::from("famille;role;civilite;nom;prenom;date_naissance;sexe;email\n");
    for f in 0..500 {
        families.push_str(&format!("M{f:04};responsable;Mme;MOTO{f};Anne;;;\n"));
    }
    let r = app
        .send(csv(
            &agent,
            "/api/agent/families/import?dry_run=false",
            &families,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut file = INVOICES.to_string();
    for i in 0..5_000 {
        for l in 0..4 {
            file.push_str(&format!(
                "M{:04};;MOTO-{i:05};31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie {l};Léa;4;10,00\n",
                i % 500
            ));
        }
    }
    // The dry run, then the first request of the import (one chunk).
    for (name, dry_run) in [("dry run", true), ("import, first request", false)] {
        let start = std::time::Instant::now();
        let r = app
            .send(csv(
                &agent,
                &format!("/api/agent/invoices/import?dry_run={dry_run}"),
                &file,
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        println!(
            "moto, 20,000 lines, {name}: {:.1} s (created {}, remaining {})",
            start.elapsed().as_secs_f64(),
            r.body["created"],
            r.body["remaining"]
        );
    }
}

/// A file larger than one request writes: the report says how many are
/// left, the same file again carries on, and a third time changes nothing.
#[tokio::test]
async fn a_large_file_is_written_over_several_requests_of_the_same_file() {
    let w = World::new(TestApp::new().await).await;
    let code = w.family["subscriber_code"].as_str().unwrap();
    let chunk = marelle_api::billing::import::WRITE_CHUNK;
    let total = 2 * chunk + 100;
    let mut file = INVOICES.to_string();
    for i in 0..total {
        file.push_str(&format!(
            "{code};;GROS-{i:05};31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Ludovic;1;1\n"
        ));
    }
    let r = w.import("invoices", true, &file).await;
    assert_eq!(r.body["created"], total, "{:?}", r.body);
    assert_eq!(r.body["remaining"], 0);

    // The first request stops at twice the chunk (one family is kept
    // together up to it), or sooner when its 10 s of writing run out on a
    // busy machine: each request then says what is left, and the same file
    // again carries on until nothing is.
    let mut created = 0;
    let mut requests = 0;
    loop {
        let r = w.import("invoices", false, &file).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let now = r.body["created"].as_u64().unwrap() as usize;
        assert!(
            now <= 2 * chunk,
            "one family: kept together up to twice the chunk"
        );
        assert_eq!(r.body["unchanged"], created, "{:?}", r.body);
        created += now;
        requests += 1;
        assert_eq!(r.body["remaining"], total - created, "{:?}", r.body);
        if created == total {
            break;
        }
        assert!(now > 0 && requests < 20, "{:?}", r.body);
    }
    assert!(requests >= 2, "more than one request's worth");
    let r = w.import("invoices", false, &file).await;
    assert_eq!(r.body["created"], 0);
    assert_eq!(r.body["unchanged"], total);

    let mine = w.app.get("/api/billing/invoices", Some(&w.parent)).await;
    assert_eq!(mine.body["to_pay_cents"], total as i64 * 100);
    // One e-mail per request that created invoices for the family (the
    // background import sends one for the whole file).
    assert_eq!(invoice_mails(&w.app).await.len(), requests);
}
