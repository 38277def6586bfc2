//! The agents' crèche statistics: the year's final states per month (the
//! counters kept without personal data) and the open applications by
//! state now, on the embedded store and on DynamoDB (moto).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use marelle_testkit::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_app("crechestats").await;
    final_states_are_counted_per_month_and_open_ones_by_state,
    bad_years_and_parents_are_refused,
);

const PASSWORD: &str = "Motdepasse1";

struct World {
    agent: String,
    parent: String,
    family: String,
    structure: String,
}

async fn world(app: &TestApp) -> World {
    let d = common::dupont(app, json!([]), Some(true)).await;
    let body = json!({"name": "Les Lutins", "address": "1 rue des Écoles"});
    let structure = common::creche(app, &d.agent, body).await;
    World {
        agent: d.agent,
        parent: d.parent,
        family: d.family,
        structure,
    }
}

/// An application for a child due on `due`.
async fn apply(app: &TestApp, w: &World, due: &str) -> String {
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={}", w.family),
            json!({
                "expected": {"due_date": due},
                "start_date": "2027-09-01",
                "schedule": [{"weekday": "mon", "start": "08:30", "end": "17:30"}],
                "structures": [w.structure],
            }),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn agent_post(app: &TestApp, w: &World, path: String, body: Value) {
    let r = app.post(&path, body, Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{path} {:?}", r.body);
}

async fn offer(app: &TestApp, w: &World, id: &str) {
    agent_post(
        app,
        w,
        format!("/api/agent/creche/applications/{id}/status"),
        json!({"status": "under_review"}),
    )
    .await;
    agent_post(
        app,
        w,
        format!("/api/agent/creche/applications/{id}/offer"),
        json!({"structure_id": w.structure, "start_date": "2027-09-01",
               "deadline": "2027-06-30T18:00:00+02:00"}),
    )
    .await;
}

async fn parent_post(app: &TestApp, w: &World, path: String, body: Value) {
    let r = app.post(&path, body, Some(&w.parent)).await;
    assert_eq!(r.status, StatusCode::OK, "{path} {:?}", r.body);
}

async fn stats(app: &TestApp, w: &World, year: &str) -> Value {
    let r = app
        .get(
            &format!("/api/agent/creche/stats?year={year}"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn month<'a>(s: &'a Value, m: &str) -> &'a Value {
    s["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["month"] == m)
        .unwrap()
}

fn counts(m: &Value) -> [u64; 4] {
    ["accepted", "declined", "withdrawn", "closed"].map(|k| m[k].as_u64().unwrap())
}

async fn final_states_are_counted_per_month_and_open_ones_by_state(app: TestApp) {
    let mut w = world(&app).await;
    // November 2026 (the test clock): one withdrawn, one declined, one
    // closed, one accepted; one left submitted, one offered, one incomplete.
    let withdrawn = apply(&app, &w, "2027-01-10").await;
    let declined = apply(&app, &w, "2027-01-11").await;
    let closed = apply(&app, &w, "2027-01-12").await;
    let accepted = apply(&app, &w, "2027-01-13").await;
    apply(&app, &w, "2027-01-14").await;
    let offered = apply(&app, &w, "2027-01-15").await;
    let incomplete = apply(&app, &w, "2027-01-16").await;
    parent_post(
        &app,
        &w,
        format!("/api/creche/applications/{withdrawn}/withdraw"),
        json!({}),
    )
    .await;
    offer(&app, &w, &declined).await;
    parent_post(
        &app,
        &w,
        format!("/api/creche/applications/{declined}/answer"),
        json!({"answer": "decline"}),
    )
    .await;
    agent_post(
        &app,
        &w,
        format!("/api/agent/creche/applications/{closed}/status"),
        json!({"status": "closed", "message": "Demande en double."}),
    )
    .await;
    offer(&app, &w, &accepted).await;
    parent_post(
        &app,
        &w,
        format!("/api/creche/applications/{accepted}/answer"),
        json!({"answer": "accept"}),
    )
    .await;
    offer(&app, &w, &offered).await;
    agent_post(
        &app,
        &w,
        format!("/api/agent/creche/applications/{incomplete}/status"),
        json!({"status": "incomplete", "message": "Il manque l'avis d'imposition."}),
    )
    .await;

    let s = stats(&app, &w, "2026").await;
    assert_eq!(s["year"], 2026);
    assert_eq!(s["months"].as_array().unwrap().len(), 12);
    assert_eq!(s["months"][0]["month"], "2026-01");
    assert_eq!(counts(month(&s, "2026-11")), [1, 1, 1, 1], "{s}");
    assert_eq!(counts(month(&s, "2026-10")), [0, 0, 0, 0]);
    assert_eq!(
        s["open"],
        json!({"submitted": 1, "incomplete": 1, "under_review": 0, "waiting": 0, "offered": 1})
    );
    assert_eq!(s["open_complete"], true);
    // No personal data in the answer.
    let text = s.to_string();
    assert!(!text.contains("DUPONT") && !text.contains(&w.family));

    // January 2027: a withdrawal counts in its month and year only.
    let jan = Utc.with_ymd_and_hms(2027, 1, 5, 10, 0, 0).single().unwrap();
    app.clock.set(jan);
    w.parent = app.log_in("lea@exemple.fr", PASSWORD).await;
    w.agent = app.log_in("agent@villebois.test", "Agentmairie1").await;
    parent_post(
        &app,
        &w,
        format!("/api/creche/applications/{incomplete}/withdraw"),
        json!({}),
    )
    .await;
    let s27 = stats(&app, &w, "2027").await;
    assert_eq!(counts(month(&s27, "2027-01")), [0, 0, 1, 0], "{s27}");
    assert_eq!(counts(month(&s27, "2027-11")), [0, 0, 0, 0]);
    let s26 = stats(&app, &w, "2026").await;
    assert_eq!(counts(month(&s26, "2026-11")), [1, 1, 1, 1]);
    let total: u64 = s26["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| counts(m).iter().sum::<u64>())
        .sum();
    assert_eq!(total, 4);
    assert_eq!(s27["open"]["incomplete"], 0);
    assert_eq!(s27["open"]["submitted"], 1);
    // Without a year: this year's (2027).
    let r = app.get("/api/agent/creche/stats", Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["year"], 2027);
    assert_eq!(counts(month(&r.body, "2027-01")), [0, 0, 1, 0]);
}

async fn bad_years_and_parents_are_refused(app: TestApp) {
    let w = world(&app).await;
    for (q, status, code) in [
        ("year=deux", StatusCode::BAD_REQUEST, "invalid_parameter"),
        (
            "year=2026&month=3",
            StatusCode::BAD_REQUEST,
            "unknown_parameter",
        ),
        (
            "year=1999",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_year",
        ),
        (
            "year=2028",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_year",
        ),
        ("year=-5", StatusCode::UNPROCESSABLE_ENTITY, "invalid_year"),
    ] {
        let r = app
            .get(&format!("/api/agent/creche/stats?{q}"), Some(&w.agent))
            .await;
        assert_eq!(r.status, status, "{q} {:?}", r.body);
        assert_eq!(r.body["code"], code, "{q} {:?}", r.body);
    }
    let r = app
        .get("/api/agent/creche/stats?year=1999", Some(&w.agent))
        .await;
    assert_eq!(
        r.body["detail"],
        "L'année doit être comprise entre 2000 et 2027."
    );
    // Next year is accepted (empty).
    assert_eq!(stats(&app, &w, "2027").await["open_complete"], true);
    let r = app
        .get("/api/agent/creche/stats?year=2026", Some(&w.parent))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.get("/api/agent/creche/stats?year=2026", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
}
