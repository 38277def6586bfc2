//! The supporting documents a crèche application asks for: document types
//! flagged `creche` by agents, read on each open application with the
//! state the "Pièces justificatives" table gives them, a family's document
//! for the family, a child's for the application's child (after the birth
//! for a child expected). Over the in-process API, on the embedded store
//! and on DynamoDB and S3 (moto), with the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use chrono::Duration;
use marelle_testkit::{TestApp, t0};
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_s3_app("crechedocs").await;
    a_type_is_flagged_for_creche_applications,
    the_application_reads_each_document_as_the_table_does,
    an_expected_child_sends_its_documents_after_the_birth,
    another_familys_documents_are_never_shown,
    a_final_application_asks_for_nothing,
    the_agents_list_reads_the_documents_once_per_family,
);

const PASSWORD: &str = "Motdepasse1";

struct World {
    agent: String,
    parent: String,
    family: String,
    /// Noé, born 2025-06-10.
    child: String,
    structure: String,
}

async fn world(app: &TestApp) -> World {
    let d = common::dupont(app, json!([common::noe()]), None).await;
    let body = json!({"name": "Les Petits Loups", "address": "1 rue des Écoles"});
    let structure = common::creche(app, &d.agent, body).await;
    World {
        child: d.children[0].clone(),
        agent: d.agent,
        parent: d.parent,
        family: d.family,
        structure,
    }
}

async fn doc_type(app: &TestApp, w: &World, body: Value) -> String {
    let r = app
        .post("/api/agent/document-types", body, Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

/// An application for Noé, or for a child expected on `due`.
fn application(w: &World, due: Option<&str>) -> Value {
    let mut body = json!({
        "start_date": "2027-09-01",
        "schedule": [{"weekday": "mon", "start": "08:30", "end": "17:30"}],
        "structures": [w.structure],
    });
    match due {
        Some(d) => body["expected"] = json!({"due_date": d}),
        None => body["child_id"] = json!(w.child),
    }
    body
}

async fn apply(app: &TestApp, parent: &str, family: &str, body: Value) -> String {
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={family}"),
            body,
            Some(parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn read(app: &TestApp, w: &World, id: &str) -> Value {
    let r = app
        .get(&format!("/api/creche/applications/{id}"), Some(&w.parent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn agent_read(app: &TestApp, w: &World, id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/agent/creche/applications/{id}"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// `(name, state, after_birth)` of each document, in order.
fn states(a: &Value) -> Vec<(String, String, bool)> {
    a["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["state"].as_str().unwrap().to_string(),
                d["after_birth"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn doc<'a>(a: &'a Value, name: &str) -> &'a Value {
    a["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap()
}

/// Sends a PDF for the type (and child); its request's id.
async fn send(app: &TestApp, parent: &str, type_id: &str, child: Option<&str>) -> String {
    let sent = common::send_pdf(app, parent, type_id, child).await;
    sent["request_id"].as_str().unwrap().to_string()
}

async fn decide(app: &TestApp, w: &World, request: &str, decision: &str) {
    let message = (decision == "refused").then_some("Document illisible.");
    let r = app.decide(&w.agent, request, decision, message).await;
    assert!(r.status.is_success(), "{:?}", r.body);
}

async fn a_type_is_flagged_for_creche_applications(app: TestApp) {
    let w = world(&app).await;
    let plain = doc_type(
        &app,
        &w,
        json!({"name": "PAI", "scope": "child", "validity": "year"}),
    )
    .await;
    let flagged = doc_type(
        &app,
        &w,
        json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3", "creche": true}),
    )
    .await;
    let r = app.get("/api/agent/document-types", Some(&w.agent)).await;
    let flags: Vec<(String, bool)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["creche"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [(flagged.clone(), true), (plain.clone(), false)],
        "by name, false by default"
    );
    // The parents' table says it too.
    let r = app.get("/api/documents", Some(&w.parent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let rows = r.body["items"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .find(|r| r["type_id"] == flagged.as_str())
            .unwrap()["creche"],
        true
    );
    assert_eq!(
        rows.iter()
            .find(|r| r["type_id"] == plain.as_str())
            .unwrap()["creche"],
        false
    );

    // Set and taken off by a change; other fields untouched.
    let path = format!("/api/agent/document-types/{plain}");
    let r = app
        .patch(&path, json!({"creche": true}), Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["creche"], true);
    assert_eq!(r.body["validity"], "year");
    let r = app
        .patch(
            &path,
            json!({"name": "PAI (projet d'accueil)"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.body["creche"], true, "kept when absent");
    let r = app
        .patch(&path, json!({"creche": false}), Some(&w.agent))
        .await;
    assert_eq!(r.body["creche"], false);

    // Not a boolean: refused, nothing written.
    for bad in [json!("oui"), json!(1)] {
        let r = app
            .patch(&path, json!({"creche": bad}), Some(&w.agent))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        let r = app
            .post(
                "/api/agent/document-types",
                json!({"name": "Autre", "scope": "family", "validity": "year", "creche": bad}),
                Some(&w.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    }
    let r = app.get("/api/agent/document-types", Some(&w.agent)).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["items"][1]["creche"], false);
    // Parents cannot flag.
    let r = app
        .patch(&path, json!({"creche": true}), Some(&w.parent))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn the_application_reads_each_document_as_the_table_does(app: TestApp) {
    let w = world(&app).await;
    let home = doc_type(
        &app,
        &w,
        json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3",
               "creche": true, "help": "Facture de moins de 3 mois."}),
    )
    .await;
    let vaccines = doc_type(
        &app,
        &w,
        json!({"name": "Carnet de vaccination", "scope": "child", "validity": "permanent", "creche": true}),
    )
    .await;
    let caf = doc_type(
        &app,
        &w,
        json!({"name": "Attestation CAF", "scope": "family", "validity": "until:2026-12-20", "creche": true}),
    )
    .await;
    // Neither a type without the flag nor a withdrawn one.
    doc_type(
        &app,
        &w,
        json!({"name": "PAI", "scope": "child", "validity": "year"}),
    )
    .await;
    doc_type(
        &app,
        &w,
        json!({"name": "Ancien formulaire", "scope": "family", "validity": "year", "creche": true, "active": false}),
    )
    .await;
    let id = apply(&app, &w.parent, &w.family, application(&w, None)).await;

    let a = read(&app, &w, &id).await;
    let missing = |n: &str| (n.to_string(), "missing".to_string(), false);
    assert_eq!(
        states(&a),
        [
            missing("Attestation CAF"),
            missing("Carnet de vaccination"),
            missing("Justificatif de domicile")
        ]
    );
    assert_eq!(a["documents_missing"], 3);
    assert_eq!(
        doc(&a, "Justificatif de domicile"),
        &json!({"type_id": home, "name": "Justificatif de domicile", "scope": "family",
                "state": "missing", "expires_soon": false, "expires_on": null, "message": null,
                "help": "Facture de moins de 3 mois.", "after_birth": false})
    );

    // Sent: pending; refused with the reason; accepted, ending within 30
    // days.
    send(&app, &w.parent, &home, None).await;
    let refused = send(&app, &w.parent, &vaccines, Some(&w.child)).await;
    decide(&app, &w, &refused, "refused").await;
    let accepted = send(&app, &w.parent, &caf, None).await;
    decide(&app, &w, &accepted, "accepted").await;
    let a = read(&app, &w, &id).await;
    assert_eq!(doc(&a, "Justificatif de domicile")["state"], "pending");
    let v = doc(&a, "Carnet de vaccination");
    assert_eq!(v["state"], "refused");
    assert_eq!(v["message"], "Document illisible.");
    let c = doc(&a, "Attestation CAF");
    assert_eq!(c["state"], "accepted");
    assert_eq!(c["expires_soon"], true);
    assert_eq!(c["expires_on"], "2026-12-20");
    assert_eq!(a["documents_missing"], 1, "the refused one");

    // The agents read the same, in the detail and in the list.
    let agent = agent_read(&app, &w, &id).await;
    assert_eq!(agent["documents"], a["documents"]);
    assert_eq!(agent["documents_missing"], 1);
    let r = app
        .get("/api/agent/creche/applications", Some(&w.agent))
        .await;
    assert_eq!(r.body["items"][0]["documents"], a["documents"]);
    assert_eq!(r.body["items"][0]["documents_missing"], 1);
    let r = app.get("/api/creche/applications", Some(&w.parent)).await;
    assert_eq!(r.body["items"][0]["documents_missing"], 1);
    // As the family's table says.
    let r = app.get("/api/documents", Some(&w.parent)).await;
    for row in r.body["items"].as_array().unwrap() {
        if row["creche"] == true {
            let d = doc(&a, row["name"].as_str().unwrap());
            assert_eq!(d["state"], row["state"]);
            assert_eq!(d["expires_soon"], row["expires_soon"]);
        }
    }

    // An agent's answer gives the documents too.
    let r = app
        .post(
            &format!("/api/agent/creche/applications/{id}/status"),
            json!({"status": "incomplete", "message": "Il manque : Carnet de vaccination."}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["documents_missing"], 1);

    // Past its last day, the accepted one has expired: missing again.
    app.clock.set(t0() + Duration::days(23));
    let parent = app.log_in("lea@exemple.fr", PASSWORD).await;
    let r = app
        .get(&format!("/api/creche/applications/{id}"), Some(&parent))
        .await;
    assert_eq!(doc(&r.body, "Attestation CAF")["state"], "expired");
    assert_eq!(r.body["documents_missing"], 2);

    // Taken off the flag: no longer asked.
    let agent = app.log_in("agent@villebois.test", "Agentmairie1").await;
    let r = app
        .patch(
            &format!("/api/agent/document-types/{caf}"),
            json!({"creche": false}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .get(&format!("/api/creche/applications/{id}"), Some(&parent))
        .await;
    assert_eq!(r.body["documents"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["documents_missing"], 1);
}

async fn an_expected_child_sends_its_documents_after_the_birth(app: TestApp) {
    let w = world(&app).await;
    let home = doc_type(
        &app,
        &w,
        json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3", "creche": true}),
    )
    .await;
    let vaccines = doc_type(
        &app,
        &w,
        json!({"name": "Carnet de vaccination", "scope": "child", "validity": "permanent", "creche": true}),
    )
    .await;
    // Noé's record is no record of the child expected.
    send(&app, &w.parent, &vaccines, Some(&w.child)).await;
    let id = apply(
        &app,
        &w.parent,
        &w.family,
        application(&w, Some("2026-12-10")),
    )
    .await;
    let a = read(&app, &w, &id).await;
    assert_eq!(
        states(&a),
        [
            ("Carnet de vaccination".into(), "missing".into(), true),
            ("Justificatif de domicile".into(), "missing".into(), false),
        ]
    );
    assert_eq!(a["documents_missing"], 1, "the child's one comes later");
    send(&app, &w.parent, &home, None).await;
    assert_eq!(read(&app, &w, &id).await["documents_missing"], 0);

    // Born, declared: still expected until the commune accepts the change.
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/birth"),
            json!({"first_name": "Léa", "sex": "F", "birth_date": "2026-11-25"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(doc(&r.body, "Carnet de vaccination")["after_birth"], true);
    let change = r.body["birth_request_id"].as_str().unwrap().to_string();
    decide(&app, &w, &change, "accepted").await;
    let a = read(&app, &w, &id).await;
    let lea = a["child_id"].as_str().unwrap().to_string();
    assert_ne!(lea, w.child);
    let v = doc(&a, "Carnet de vaccination");
    assert_eq!(v["after_birth"], false);
    assert_eq!(v["state"], "missing");
    assert_eq!(a["documents_missing"], 1);
    send(&app, &w.parent, &vaccines, Some(&lea)).await;
    let a = read(&app, &w, &id).await;
    assert_eq!(doc(&a, "Carnet de vaccination")["state"], "pending");
    assert_eq!(a["documents_missing"], 0);
}

async fn another_familys_documents_are_never_shown(app: TestApp) {
    let w = world(&app).await;
    let home = doc_type(
        &app,
        &w,
        json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3", "creche": true}),
    )
    .await;
    let other = app.parent("autre@exemple.fr", PASSWORD).await;
    let theirs = app.dupont_family(&w.agent).await;
    app.subscribe(&other, theirs["subscriber_code"].as_str().unwrap())
        .await;
    let their_family = theirs["id"].as_str().unwrap().to_string();
    let request = send(&app, &other, &home, None).await;
    decide(&app, &w, &request, "accepted").await;
    let theirs_id = apply(
        &app,
        &other,
        &their_family,
        application(&w, Some("2027-03-01")),
    )
    .await;

    let id = apply(&app, &w.parent, &w.family, application(&w, None)).await;
    let a = read(&app, &w, &id).await;
    assert_eq!(doc(&a, "Justificatif de domicile")["state"], "missing");
    assert_eq!(a["documents_missing"], 1);
    // In the agents' list, each application with its own family's.
    let r = app
        .get("/api/agent/creche/applications", Some(&w.agent))
        .await;
    let by_id = |i: &str| {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == i)
            .unwrap()
            .clone()
    };
    assert_eq!(
        doc(&by_id(&theirs_id), "Justificatif de domicile")["state"],
        "accepted"
    );
    assert_eq!(
        doc(&by_id(&id), "Justificatif de domicile")["state"],
        "missing"
    );
    // Their application stays theirs.
    let r = app
        .get(
            &format!("/api/creche/applications/{theirs_id}"),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn a_final_application_asks_for_nothing(app: TestApp) {
    let w = world(&app).await;
    doc_type(
        &app,
        &w,
        json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3", "creche": true}),
    )
    .await;
    let id = apply(&app, &w.parent, &w.family, application(&w, None)).await;
    assert_eq!(read(&app, &w, &id).await["documents_missing"], 1);
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/withdraw"),
            json!({}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["documents"], json!([]));
    let a = read(&app, &w, &id).await;
    assert_eq!(a["documents"], json!([]));
    assert_eq!(a["documents_missing"], 0);
}

async fn the_agents_list_reads_the_documents_once_per_family(app: TestApp) {
    let w = world(&app).await;
    // 19 applications of one family (children expected on 19 days), one
    // of another: a page of 20.
    for i in 0..19 {
        let due = format!("2027-{:02}-{:02}", 1 + i / 10, 1 + i % 10);
        apply(&app, &w.parent, &w.family, application(&w, Some(&due))).await;
    }
    let other = app.parent("autre@exemple.fr", PASSWORD).await;
    let theirs = app.dupont_family(&w.agent).await;
    app.subscribe(&other, theirs["subscriber_code"].as_str().unwrap())
        .await;
    apply(
        &app,
        &other,
        theirs["id"].as_str().unwrap(),
        application(&w, Some("2027-03-01")),
    )
    .await;
    let calls = || async {
        app.bus.idle().await;
        app.store.reset();
        let r = app
            .get("/api/agent/creche/applications", Some(&w.agent))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 20);
        (r.body, app.store.calls())
    };
    // No type for crèches: the session, the page, the types.
    let (_, without) = calls().await;
    assert_eq!(without, 3, "{without} store calls");
    let home = doc_type(
        &app,
        &w,
        json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3", "creche": true}),
    )
    .await;
    doc_type(
        &app,
        &w,
        json!({"name": "Carnet de vaccination", "scope": "child", "validity": "permanent", "creche": true}),
    )
    .await;
    send(&app, &w.parent, &home, None).await;
    // With two: one query more per family, whatever its applications.
    let (body, with) = calls().await;
    assert_eq!(with, without + 2, "{with} store calls");
    let items = body["items"].as_array().unwrap();
    let pending = items
        .iter()
        .filter(|a| a["family_id"] == w.family.as_str())
        .filter(|a| doc(a, "Justificatif de domicile")["state"] == "pending")
        .count();
    assert_eq!(pending, 19);
    assert!(
        items
            .iter()
            .all(|a| a["documents"].as_array().unwrap().len() == 2)
    );
}
