//! Crèche places and ages: an offer checked against the crèche's ages,
//! the agents' filters of the applications, and the places asked and free
//! per crèche, age group and month, on the embedded store and on DynamoDB
//! (moto).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use marelle_testkit::TestApp;
use marelle_testkit::app::TestResponse;
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_app("crecheplaces").await;
    an_offer_checks_the_childs_age_on_its_start,
    the_agents_filter_by_start_month_age_and_overdue_birth,
    the_places_count_a_known_set_of_applications,
    bad_places_queries_are_refused,
    the_age_follows_the_birth_once_accepted,
);

const PASSWORD: &str = "Motdepasse1";
const AGENT: (&str, &str) = ("agent@villebois.test", "Agentmairie1");

struct World {
    agent: String,
    parent: String,
    family: String,
    /// Born 2025-06-10.
    noe: String,
    /// Born 2026-09-15.
    jade: String,
    /// « Les Bourgeons », 0–24 months; « Les Écureuils », 2–36 months,
    /// Bébés 2–12 (2 places), Grands 12–36 (3 places); « Les Lutins ».
    bourgeons: String,
    ecureuils: String,
    lutins: String,
}

async fn world(app: &TestApp) -> World {
    let jade = json!({"first_name": "Jade", "last_name": "DUPONT", "birth_date": "2026-09-15", "sex": "F"});
    let d = common::dupont(app, json!([common::noe(), jade]), None).await;
    let bourgeons = common::creche(
        app,
        &d.agent,
        json!({"name": "Les Bourgeons", "age_from_months": 0, "age_to_months": 24}),
    )
    .await;
    let ecureuils = common::creche(
        app,
        &d.agent,
        json!({"name": "Les Écureuils", "age_from_months": 2, "age_to_months": 36,
               "groups": [{"name": "Bébés", "from_months": 2, "to_months": 12, "places": 2},
                          {"name": "Grands", "from_months": 12, "to_months": 36, "places": 3}]}),
    )
    .await;
    let lutins = common::creche(app, &d.agent, json!({"name": "Les Lutins"})).await;
    World {
        noe: d.children[0].clone(),
        jade: d.children[1].clone(),
        agent: d.agent,
        parent: d.parent,
        family: d.family,
        bourgeons,
        ecureuils,
        lutins,
    }
}

async fn at(app: &TestApp, w: &mut World, now: chrono::DateTime<Utc>) {
    app.clock.set(now);
    w.parent = app.log_in("lea@exemple.fr", PASSWORD).await;
    w.agent = app.log_in(AGENT.0, AGENT.1).await;
}

fn schedule() -> Value {
    json!([{"weekday": "mon", "start": "08:30", "end": "17:30"}])
}

fn for_child(child: &str, start: &str, structures: &[&String]) -> Value {
    json!({"child_id": child, "start_date": start, "schedule": schedule(), "structures": structures})
}

fn for_expected(due: &str, start: &str, structures: &[&String]) -> Value {
    json!({"expected": {"due_date": due}, "start_date": start, "schedule": schedule(),
           "structures": structures})
}

async fn apply(app: &TestApp, w: &World, body: Value) -> String {
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={}", w.family),
            body,
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn under_review(app: &TestApp, w: &World, id: &str) {
    let r = app
        .post(
            &format!("/api/agent/creche/applications/{id}/status"),
            json!({"status": "under_review"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn offer(
    app: &TestApp,
    w: &World,
    id: &str,
    structure: &str,
    start: &str,
    deadline: &str,
) -> TestResponse {
    app.post(
        &format!("/api/agent/creche/applications/{id}/offer"),
        json!({"structure_id": structure, "start_date": start, "deadline": deadline}),
        Some(&w.agent),
    )
    .await
}

async fn list(app: &TestApp, w: &World, query: &str) -> TestResponse {
    app.get(
        &format!("/api/agent/creche/applications?{query}"),
        Some(&w.agent),
    )
    .await
}

async fn listed(app: &TestApp, w: &World, query: &str) -> Vec<String> {
    let r = list(app, w, query).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    let mut ids: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

async fn an_offer_checks_the_childs_age_on_its_start(app: TestApp) {
    let w = world(&app).await;
    let deadline = "2026-12-15T12:00:00+01:00";
    // Noé turns 2 on 10 June 2027: Les Bourgeons take children under 2.
    let noe = apply(&app, &w, for_child(&w.noe, "2027-06-01", &[&w.bourgeons])).await;
    under_review(&app, &w, &noe).await;
    let r = offer(&app, &w, &noe, &w.bourgeons, "2027-06-10", deadline).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["code"], "child_age_out_of_range");
    assert_eq!(
        r.body["detail"],
        "La crèche Les Bourgeons accueille les enfants de la naissance à 2 ans\u{a0}; l'enfant aura 2 ans le jeudi 10 juin 2027."
    );
    let a = app
        .get(
            &format!("/api/agent/creche/applications/{noe}"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(a.body["status"], "under_review", "nothing written");
    assert_eq!(a.body["offer"], Value::Null);
    let r = offer(&app, &w, &noe, &w.bourgeons, "2027-06-09", deadline).await;
    assert_eq!(r.status, StatusCode::OK, "the day before: {:?}", r.body);
    assert_eq!(r.body["status"], "offered");

    // An expected child, due 1 March 2027: 3 months old on 1 June, from
    // its due date; Les Écureuils take children from 2 months.
    let baby = apply(
        &app,
        &w,
        for_expected("2027-03-01", "2027-05-01", &[&w.ecureuils]),
    )
    .await;
    under_review(&app, &w, &baby).await;
    let r = offer(&app, &w, &baby, &w.ecureuils, "2027-04-30", deadline).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["code"], "child_age_out_of_range");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("de 2 mois à 3 ans\u{a0}; l'enfant aura 1 mois le vendredi 30 avril 2027"),
        "{:?}",
        r.body
    );
    let r = offer(&app, &w, &baby, &w.ecureuils, "2027-02-28", deadline).await;
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("ne sera pas encore né"),
        "{:?}",
        r.body
    );
    let r = offer(&app, &w, &baby, &w.ecureuils, "2027-05-01", deadline).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "two months that day: {:?}",
        r.body
    );
}

async fn the_agents_filter_by_start_month_age_and_overdue_birth(app: TestApp) {
    let mut w = world(&app).await;
    // Noé is 18 months on 4 January 2027; Jade 3 months on 2 January; the
    // expected child 0 on 1 December 2026, and 9 on 1 September 2027.
    let noe = apply(&app, &w, for_child(&w.noe, "2027-01-04", &[&w.lutins])).await;
    let jade = apply(&app, &w, for_child(&w.jade, "2027-01-02", &[&w.lutins])).await;
    let soon = apply(
        &app,
        &w,
        for_expected("2026-12-01", "2027-09-01", &[&w.lutins]),
    )
    .await;
    let later = apply(
        &app,
        &w,
        for_expected("2027-04-01", "2027-09-15", &[&w.lutins]),
    )
    .await;
    assert_eq!(
        listed(&app, &w, "").await,
        sorted(&[&noe, &jade, &soon, &later])
    );
    assert_eq!(
        listed(&app, &w, "start_month=2027-01").await,
        sorted(&[&noe, &jade])
    );
    assert_eq!(
        listed(&app, &w, "start_month=2027-09").await,
        sorted(&[&soon, &later])
    );
    assert!(listed(&app, &w, "start_month=2027-02").await.is_empty());
    assert_eq!(
        listed(&app, &w, "age_from_months=12").await,
        sorted(&[&noe])
    );
    assert_eq!(
        listed(&app, &w, "age_to_months=6").await,
        sorted(&[&jade, &later])
    );
    // 9 months on the start (bounds: from included, to excluded).
    assert_eq!(
        listed(&app, &w, "age_from_months=9&age_to_months=10").await,
        sorted(&[&soon])
    );
    assert_eq!(
        listed(&app, &w, "start_month=2027-09&age_to_months=9").await,
        sorted(&[&later])
    );
    let r = list(&app, &w, "start_month=2027-01").await;
    let ages: Vec<_> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["age_at_start_months"].clone()))
        .collect();
    assert!(ages.contains(&(noe.as_str(), json!(18))), "{ages:?}");
    assert!(ages.contains(&(jade.as_str(), json!(3))), "{ages:?}");

    assert!(listed(&app, &w, "birth_overdue=true").await.is_empty());
    // The due date passes without a birth declared.
    at(
        &app,
        &mut w,
        Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap(),
    )
    .await;
    assert_eq!(
        listed(&app, &w, "birth_overdue=true").await,
        sorted(&[&soon])
    );
    assert_eq!(listed(&app, &w, "birth_overdue=false").await.len(), 4);

    for (query, status, code) in [
        ("start_month=2027-9", 400, "invalid_start_month"),
        ("start_month=2027-13", 400, "invalid_start_month"),
        ("start_month=septembre", 400, "invalid_start_month"),
        ("age_from_months=abc", 400, "invalid_parameter"),
        ("age_from_months=-1", 400, "invalid_parameter"),
        ("age_to_months=300", 400, "invalid_parameter"),
        ("birth_overdue=oui", 400, "invalid_parameter"),
        (
            "age_from_months=12&age_to_months=6",
            422,
            "invalid_age_range",
        ),
        ("age_from_months=36", 422, "invalid_age_range"),
        ("age_to_months=0", 422, "invalid_age_range"),
        ("age_to_months=37", 422, "invalid_age_range"),
    ] {
        let r = list(&app, &w, query).await;
        assert_eq!(r.status.as_u16(), status, "{query}: {:?}", r.body);
        assert_eq!(r.body["code"], code, "{query}: {:?}", r.body);
        assert!(
            !r.body["detail"].as_str().unwrap().is_empty(),
            "{query}: {:?}",
            r.body
        );
    }
}

fn month<'a>(figures: &'a Value, m: &str) -> &'a Value {
    figures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["month"] == m)
        .unwrap_or_else(|| panic!("no {m} in {figures:?}"))
}

fn counts(f: &Value) -> [u64; 6] {
    ["places", "taken", "free", "over", "asked", "asked_first"].map(|k| f[k].as_u64().unwrap())
}

async fn the_places_count_a_known_set_of_applications(app: TestApp) {
    let mut w = world(&app).await;
    // Jade (3 months in January) asks Les Écureuils first; its offer lapses
    // and it reads `waiting`: still asked.
    let jade = apply(&app, &w, for_child(&w.jade, "2027-01-04", &[&w.ecureuils])).await;
    under_review(&app, &w, &jade).await;
    let r = offer(
        &app,
        &w,
        &jade,
        &w.ecureuils,
        "2027-01-04",
        "2026-12-01T12:00:00+01:00",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Noé (18 months in January) has a place there from 4 January.
    let noe = apply(&app, &w, for_child(&w.noe, "2027-01-04", &[&w.lutins])).await;
    under_review(&app, &w, &noe).await;
    let r = offer(
        &app,
        &w,
        &noe,
        &w.ecureuils,
        "2027-01-04",
        "2026-12-01T12:00:00+01:00",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/creche/applications/{noe}/answer"),
            json!({"answer": "accept"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // An expected child asks Les Écureuils second for September (6 months).
    apply(
        &app,
        &w,
        for_expected("2027-03-01", "2027-09-01", &[&w.lutins, &w.ecureuils]),
    )
    .await;
    // Withdrawn: not counted.
    let gone = apply(
        &app,
        &w,
        for_expected("2027-02-01", "2027-09-01", &[&w.ecureuils]),
    )
    .await;
    let r = app
        .post(
            &format!("/api/creche/applications/{gone}/withdraw"),
            json!({}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    at(
        &app,
        &mut w,
        Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap(),
    )
    .await;

    let r = app
        .get(
            "/api/agent/creche/places?from=2027-01&months=12",
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["from"], "2027-01");
    assert_eq!(r.body["months"], 12);
    assert_eq!(r.body["truncated"], false);
    assert_eq!(r.body["scanned"], 4);
    let of = |id: &str| {
        r.body["structures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["structure_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(r.body["structures"].as_array().unwrap().len(), 3);
    let e = of(&w.ecureuils);
    assert_eq!(e["name"], "Les Écureuils");
    assert_eq!(e["groups"][0]["name"], "Bébés");
    assert_eq!(e["groups"][0]["months"].as_array().unwrap().len(), 12);
    let (babies, big, total) = (
        &e["groups"][0]["months"],
        &e["groups"][1]["months"],
        &e["total"],
    );
    // places, taken, free, over, asked, asked first
    assert_eq!(counts(month(babies, "2027-01")), [2, 0, 2, 0, 1, 1]);
    assert_eq!(counts(month(big, "2027-01")), [3, 1, 2, 0, 0, 0]);
    assert_eq!(counts(month(total, "2027-01")), [5, 1, 4, 0, 1, 1]);
    assert_eq!(counts(month(big, "2027-02")), [3, 1, 2, 0, 0, 0]);
    assert_eq!(counts(month(babies, "2027-09")), [2, 0, 2, 0, 1, 0]);
    assert_eq!(counts(month(total, "2027-09")), [5, 1, 4, 0, 1, 0]);
    assert_eq!(counts(month(total, "2027-12")), [5, 1, 4, 0, 0, 0]);
    // Les Lutins: Noé asked it first, but has a place: not asked.
    let l = &of(&w.lutins);
    assert_eq!(l["groups"], json!([]));
    assert_eq!(counts(month(&l["total"], "2027-01")), [0, 0, 0, 0, 0, 0]);
    assert_eq!(counts(month(&l["total"], "2027-09")), [0, 0, 0, 0, 1, 1]);

    // Default: six months from this month (Paris).
    let r = app.get("/api/agent/creche/places", Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["from"].as_str(), r.body["months"].as_u64()),
        (Some("2026-12"), Some(6))
    );
    assert_eq!(
        r.body["structures"][1]["total"].as_array().unwrap().len(),
        6
    );
}

async fn bad_places_queries_are_refused(app: TestApp) {
    let w = world(&app).await;
    for (query, code) in [
        ("months=13", "invalid_months"),
        ("months=0", "invalid_months"),
        ("months=abc", "invalid_parameter"),
        ("from=2027-13", "invalid_month"),
        ("from=2027", "invalid_month"),
        ("from=2027-01-01", "invalid_month"),
        ("mois=3", "unknown_parameter"),
    ] {
        let r = app
            .get(&format!("/api/agent/creche/places?{query}"), Some(&w.agent))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {:?}", r.body);
        assert_eq!(r.body["code"], code, "{query}: {:?}", r.body);
    }
    let r = app
        .get("/api/agent/creche/places?months=12", Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.get("/api/agent/creche/places", Some(&w.parent)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.get("/api/agent/creche/places", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
}

async fn the_age_follows_the_birth_once_accepted(app: TestApp) {
    let mut w = world(&app).await;
    // Due 1 March 2027: 5 months on 28 August, from the due date.
    let id = apply(
        &app,
        &w,
        for_expected("2027-03-01", "2027-08-28", &[&w.lutins]),
    )
    .await;
    let read = |w: &World| {
        let path = format!("/api/agent/creche/applications/{id}");
        let agent = w.agent.clone();
        let app = &app;
        async move { app.get(&path, Some(&agent)).await.body }
    };
    assert_eq!(read(&w).await["age_at_start_months"], 5);
    // Born on 25 February: 6 months on 28 August, once the commune accepts
    // the birth.
    at(
        &app,
        &mut w,
        Utc.with_ymd_and_hms(2027, 3, 2, 9, 0, 0).unwrap(),
    )
    .await;
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/birth"),
            json!({"first_name": "Léa", "sex": "F", "birth_date": "2027-02-25"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(read(&w).await["age_at_start_months"], 5, "not before");
    let change = r.body["birth_request_id"].as_str().unwrap().to_string();
    let r = app.decide(&w.agent, &change, "accepted", None).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let a = read(&w).await;
    assert!(a["child_id"].is_string(), "{a:?}");
    assert_eq!(a["age_at_start_months"], 6);
    assert_eq!(
        listed(&app, &w, "age_from_months=6&age_to_months=7").await,
        vec![id.clone()]
    );
}
