//! Crèche pre-registration: the agents' crèches, the families'
//! applications and their lifecycle, over the in-process API, on the
//! embedded store and on DynamoDB (moto), with the same scenarios. The
//! lifecycle's every state × action is the domain's table test; here a
//! representative set goes through the routes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use chrono::Duration;
use marelle_testkit::{TestApp, t0};
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_app("creche").await;
    an_expected_baby_goes_from_application_to_an_accepted_place,
    the_lifecycle_refuses_steps_out_of_order,
    an_offer_is_answered_up_to_its_deadline_then_lapses,
    bad_applications_are_refused_and_nothing_is_written,
    bad_offers_and_states_are_refused_and_nothing_changes,
    one_open_application_per_child_or_due_date,
    another_familys_application_is_not_found,
    parents_and_agents_keep_to_their_routes,
    two_agents_at_once_cannot_both_win,
    the_lists_are_bounded,
);

const PASSWORD: &str = "Motdepasse1";

struct World {
    agent: String,
    parent: String,
    family: String,
    /// A child born 2025-06-10.
    child: String,
    structures: Vec<String>,
}

async fn structure(app: &TestApp, agent: &str, name: &str) -> String {
    common::creche(
        app,
        agent,
        json!({"name": name, "address": "1 rue des Écoles"}),
    )
    .await
}

async fn world(app: &TestApp) -> World {
    let d = common::dupont(app, json!([common::noe()]), None).await;
    let mut structures = Vec::new();
    for name in ["Les Petits Loups", "Les Lutins", "La Ribambelle"] {
        structures.push(structure(app, &d.agent, name).await);
    }
    World {
        child: d.children[0].clone(),
        agent: d.agent,
        parent: d.parent,
        family: d.family,
        structures,
    }
}

/// Sessions lapse while the clock runs days on: log in again.
async fn at(app: &TestApp, w: &mut World, now: chrono::DateTime<chrono::Utc>) {
    app.clock.set(now);
    w.parent = app.log_in("lea@exemple.fr", PASSWORD).await;
    w.agent = app.log_in("agent@villebois.test", "Agentmairie1").await;
}

fn expected(due: &str, structures: &[String]) -> Value {
    json!({
        "expected": {"due_date": due, "first_name": "Léa"},
        "start_date": "2027-09-01",
        "schedule": [
            {"weekday": "mon", "start": "08:30", "end": "17:30"},
            {"weekday": "tue", "start": "08:30", "end": "17:00"},
            {"weekday": "thu", "start": "09:00", "end": "12:00"}
        ],
        "structures": structures,
        "comment": "Nous déménageons en juin.",
        "situation": {"parents_work": ["employed", "job_seeker"], "siblings_in_creche": 1}
    })
}

async fn apply(app: &TestApp, w: &World, body: Value) -> (String, String) {
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={}", w.family),
            body,
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["status"], "submitted");
    (
        r.body["id"].as_str().unwrap().to_string(),
        r.body["request_id"].as_str().unwrap().to_string(),
    )
}

async fn read(app: &TestApp, w: &World, id: &str) -> Value {
    let r = app
        .get(&format!("/api/creche/applications/{id}"), Some(&w.parent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn set_status(
    app: &TestApp,
    w: &World,
    id: &str,
    status: &str,
    message: Option<&str>,
) -> marelle_testkit::app::TestResponse {
    app.post(
        &format!("/api/agent/creche/applications/{id}/status"),
        json!({"status": status, "message": message}),
        Some(&w.agent),
    )
    .await
}

async fn offer(
    app: &TestApp,
    w: &World,
    id: &str,
    deadline: &str,
) -> marelle_testkit::app::TestResponse {
    app.post(
        &format!("/api/agent/creche/applications/{id}/offer"),
        json!({"structure_id": w.structures[1], "start_date": "2027-09-01",
               "deadline": deadline, "message": "Bienvenue aux Lutins."}),
        Some(&w.agent),
    )
    .await
}

async fn parent_post(
    app: &TestApp,
    w: &World,
    id: &str,
    what: &str,
    body: Value,
) -> marelle_testkit::app::TestResponse {
    app.post(
        &format!("/api/creche/applications/{id}/{what}"),
        body,
        Some(&w.parent),
    )
    .await
}

async fn answer(
    app: &TestApp,
    w: &World,
    id: &str,
    ans: &str,
) -> marelle_testkit::app::TestResponse {
    parent_post(app, w, id, "answer", json!({"answer": ans})).await
}

async fn agent_list(app: &TestApp, w: &World, query: &str) -> Value {
    let r = app
        .get(
            &format!("/api/agent/creche/applications?{query}"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

async fn an_expected_baby_goes_from_application_to_an_accepted_place(app: TestApp) {
    let w = world(&app).await;
    let r = app.get("/api/creche/structures", Some(&w.parent)).await;
    assert_eq!(r.status, StatusCode::OK);
    let names: Vec<_> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["La Ribambelle", "Les Lutins", "Les Petits Loups"]);
    assert_eq!(r.body["items"][0]["age_to_months"], 36);

    let r = app
        .post(
            "/api/agent/creche/structures",
            json!({"name": "Les Écureuils", "age_from_months": 2, "age_to_months": 36,
                   "groups": [{"name": "Bébés", "from_months": 2, "to_months": 12, "places": 10},
                              {"name": "Grands", "from_months": 12, "to_months": 36, "places": 24}]}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app.get("/api/creche/structures", Some(&w.parent)).await;
    let ecureuils = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Les Écureuils")
        .unwrap()
        .clone();
    assert_eq!(ecureuils["age_from_months"], 2);
    assert_eq!(ecureuils["groups"][1]["places"], 24);

    let (id, request_id) = apply(
        &app,
        &w,
        expected(
            "2027-03-01",
            &[w.structures[0].clone(), w.structures[1].clone()],
        ),
    )
    .await;
    let a = read(&app, &w, &id).await;
    assert_eq!(a["child"], "Enfant à naître (Léa)");
    assert_eq!(a["child_id"], Value::Null);
    assert_eq!(a["expected"]["due_date"], "2027-03-01");
    assert_eq!(a["status"], "submitted");
    assert_eq!(a["renew_before"], "2027-02-28");
    assert_eq!(a["hours_per_week"], 20.5);
    assert_eq!(a["structures"], json!([w.structures[0], w.structures[1]]));
    assert_eq!(
        a["situation"]["parents_work"],
        json!(["employed", "job_seeker"])
    );
    assert_eq!(a["history"].as_array().unwrap().len(), 1);

    // In "Mes demandes" and the agents' queue, as every kind.
    let r = app.get("/api/requests", Some(&w.parent)).await;
    let mine = &r.body["items"][0];
    assert_eq!(mine["id"], request_id.as_str());
    assert_eq!(mine["kind"], "creche_application");
    assert_eq!(mine["state"], "pending");
    assert_eq!(
        mine["description"],
        "Préinscription crèche\u{a0}: Enfant à naître (Léa)"
    );
    let r = app
        .get(
            "/api/agent/requests?kind=creche_application",
            Some(&w.agent),
        )
        .await;
    assert_eq!(ids(&r.body), [request_id.as_str()]);
    // Decided through the application only.
    let r = app.decide(&w.agent, &request_id, "accepted", None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_transition");

    // Incomplete, with what is missing: the family reads it on the request.
    let r = set_status(
        &app,
        &w,
        &id,
        "incomplete",
        Some("Il manque le justificatif de domicile."),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "incomplete");
    let r = app
        .get(&format!("/api/requests/{request_id}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["state"], "pending");
    let messages: Vec<_> = r.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["message"].as_str())
        .collect();
    assert_eq!(messages, ["Il manque le justificatif de domicile."]);

    let r = set_status(&app, &w, &id, "under_review", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        agent_list(&app, &w, "status=under_review").await["items"][0]["id"],
        id.as_str()
    );

    let r = offer(&app, &w, &id, "2026-12-10T12:00:00+01:00").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let a = read(&app, &w, &id).await;
    assert_eq!(a["status"], "offered");
    assert_eq!(a["offer"]["structure"], "Les Lutins");
    assert_eq!(a["offer"]["deadline"], "2026-12-10T12:00:00+01:00");
    assert_eq!(a["offer"]["hours_per_week"], 20.5);
    assert_eq!(a["offer"]["lapsed"], false);
    let r = app
        .get(&format!("/api/requests/{request_id}"), Some(&w.parent))
        .await;
    let last = r.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let text = last["message"].as_str().unwrap();
    assert!(
        text.contains("Les Lutins") && text.contains("jeudi 10 décembre 2026 à 12:00"),
        "{text}"
    );
    assert!(text.ends_with("Bienvenue aux Lutins."), "{text}");

    let r = answer(&app, &w, &id, "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let a = read(&app, &w, &id).await;
    assert_eq!(a["status"], "accepted");
    let events: Vec<_> = a["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["event"].as_str().unwrap(),
                h["status"].as_str().unwrap(),
                h["by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("submitted", "submitted", "family"),
            ("status", "incomplete", "commune"),
            ("status", "under_review", "commune"),
            ("offered", "offered", "commune"),
            ("answered", "accepted", "family"),
        ]
    );
    let r = app
        .get(&format!("/api/requests/{request_id}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["state"], "accepted");
    // Final: nothing more, and the due date is free for a new application.
    let r = parent_post(&app, &w, &id, "withdraw", json!({})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "application_closed")
    );
    apply(&app, &w, expected("2027-03-01", &[w.structures[2].clone()])).await;
}

async fn the_lifecycle_refuses_steps_out_of_order(app: TestApp) {
    let mut w = world(&app).await;
    let (id, request_id) =
        apply(&app, &w, expected("2027-03-01", &[w.structures[0].clone()])).await;
    // Submitted: no offer to answer, not yet to offer, not a state to set.
    let r = answer(&app, &w, &id, "accept").await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "no_offer"));
    let r = offer(&app, &w, &id, "2026-12-10T12:00:00+01:00").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    for s in ["submitted", "offered", "accepted"] {
        let r = set_status(&app, &w, &id, s, None).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_status"),
            "{s}"
        );
    }
    // Waiting, then waiting again: no change is no step.
    assert_eq!(
        set_status(&app, &w, &id, "waiting", None).await.status,
        StatusCode::OK
    );
    let r = set_status(&app, &w, &id, "waiting", None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    // Renewal keeps the state and moves the date (a month later).
    at(&app, &mut w, t0() + Duration::days(31)).await;
    let r = parent_post(&app, &w, &id, "renewal", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["renew_before"], "2027-03-29");
    assert_eq!(read(&app, &w, &id).await["status"], "waiting");
    // An offer stands until answered: no state over it.
    assert_eq!(
        offer(&app, &w, &id, "2027-01-10T12:00:00+01:00")
            .await
            .status,
        StatusCode::OK
    );
    let r = set_status(&app, &w, &id, "closed", None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let r = offer(&app, &w, &id, "2027-01-11T12:00:00+01:00").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    // Declined: final, the request cancelled by the family.
    assert_eq!(
        answer(&app, &w, &id, "decline").await.status,
        StatusCode::OK
    );
    assert_eq!(read(&app, &w, &id).await["status"], "declined");
    let r = app
        .get(&format!("/api/requests/{request_id}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["state"], "cancelled");
    for what in ["withdraw", "renewal"] {
        let r = parent_post(&app, &w, &id, what, json!({})).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::CONFLICT, "application_closed"),
            "{what}"
        );
    }
    let r = answer(&app, &w, &id, "accept").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "application_closed")
    );
    let r = set_status(&app, &w, &id, "under_review", None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );

    // Closed by the commune, with a message: the request is refused.
    let (id2, request2) = apply(&app, &w, expected("2027-04-01", &[w.structures[0].clone()])).await;
    let r = set_status(
        &app,
        &w,
        &id2,
        "closed",
        Some("Vous avez quitté la commune."),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .get(&format!("/api/requests/{request2}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["state"], "refused");
    let last = r.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["event"].as_str(), last["message"].as_str()),
        (Some("refused"), Some("Vous avez quitté la commune."))
    );
    // Withdrawn by the family: the request is cancelled.
    let (id3, request3) = apply(&app, &w, expected("2027-05-01", &[w.structures[0].clone()])).await;
    assert_eq!(
        parent_post(&app, &w, &id3, "withdraw", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(read(&app, &w, &id3).await["status"], "withdrawn");
    let r = app
        .get(&format!("/api/requests/{request3}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["state"], "cancelled");
}

async fn an_offer_is_answered_up_to_its_deadline_then_lapses(app: TestApp) {
    let mut w = world(&app).await;
    let deadline = "2026-12-10T12:00:00+01:00";
    let deadline_at: chrono::DateTime<chrono::Utc> = deadline.parse().unwrap();
    let mut apps = Vec::new();
    for due in ["2027-03-01", "2027-04-01"] {
        let (id, _) = apply(&app, &w, expected(due, &[w.structures[0].clone()])).await;
        assert_eq!(
            set_status(&app, &w, &id, "under_review", None).await.status,
            StatusCode::OK
        );
        assert_eq!(offer(&app, &w, &id, deadline).await.status, StatusCode::OK);
        apps.push(id);
    }
    // The minute before the deadline: taken.
    at(&app, &mut w, deadline_at - Duration::minutes(1)).await;
    let r = answer(&app, &w, &apps[0], "accept").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "accepted");
    // The minute after: lapsed, it reads waiting.
    at(&app, &mut w, deadline_at + Duration::minutes(1)).await;
    let a = read(&app, &w, &apps[1]).await;
    assert_eq!(a["status"], "waiting");
    assert_eq!(a["offer"]["lapsed"], true);
    for ans in ["accept", "decline"] {
        let r = answer(&app, &w, &apps[1], ans).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "offer_expired")
        );
    }
    assert_eq!(read(&app, &w, &apps[1]).await["status"], "waiting");
    assert_eq!(
        ids(&agent_list(&app, &w, "status=waiting").await),
        [apps[1].as_str()]
    );
    assert!(ids(&agent_list(&app, &w, "status=offered").await).is_empty());
    // Waiting again: the next commission may offer anew.
    let r = offer(&app, &w, &apps[1], "2026-12-20T12:00:00+01:00").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        answer(&app, &w, &apps[1], "accept").await.status,
        StatusCode::OK
    );
}

async fn bad_applications_are_refused_and_nothing_is_written(app: TestApp) {
    let w = world(&app).await;
    let s = |i: usize| w.structures[i].clone();
    let base = expected("2027-03-01", &[s(0)]);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = base.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            with(&|b| {
                b["schedule"] = json!([{"weekday": "sat", "start": "09:00", "end": "12:00"}])
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_schedule",
        ),
        (
            with(
                &|b| b["schedule"] = json!([{"weekday": "mon", "start": "09:00", "end": "12:00"}, {"weekday": "mon", "start": "13:00", "end": "17:00"}]),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_schedule",
        ),
        (
            with(&|b| {
                b["schedule"] = json!([{"weekday": "mon", "start": "12:00", "end": "09:00"}])
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_schedule",
        ),
        (
            with(&|b| b["schedule"] = json!([])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_schedule",
        ),
        (
            with(&|b| b["structures"] = json!([])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_structures",
        ),
        (
            with(&|b| b["structures"] = json!([s(0), s(0)])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_structures",
        ),
        (
            with(&|b| b["structures"] = json!([s(0), s(1), s(2), "X"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_structures",
        ),
        (
            with(&|b| b["structures"] = json!(["01UNKNOWN"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_structures",
        ),
        (
            with(&|b| b["start_date"] = json!("2027-02-28")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_start_date",
        ),
        (
            with(&|b| b["start_date"] = json!("2026-11-27")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_start_date",
        ),
        (
            with(&|b| b["expected"]["due_date"] = json!("2026-11-27")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_due_date",
        ),
        (
            with(&|b| b["comment"] = json!("é".repeat(2001))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_comment",
        ),
        (
            with(&|b| b["expected"]["first_name"] = json!("a".repeat(51))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_first_name",
        ),
        (
            with(&|b| b["situation"]["siblings_in_creche"] = json!(11)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_situation",
        ),
        (
            with(&|b| b["situation"]["parents_work"] = json!(["astronaut"])),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            with(&|b| b["child_id"] = json!(w.child)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "child_required",
        ),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("expected");
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "child_required",
        ),
        (
            with(&|b| b["hours"] = json!(3)),
            StatusCode::BAD_REQUEST,
            "",
        ),
        // Noé, born 2025-06-10, is three on 2028-06-10.
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("expected");
                b["child_id"] = json!(w.child);
                b["start_date"] = json!("2028-06-10");
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "child_too_old",
        ),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("expected");
                b["child_id"] = json!("01NOTACHILD");
            }),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (body, status, code) in cases {
        let r = app
            .post(
                &format!("/api/creche/applications?family_id={}", w.family),
                body.clone(),
                Some(&w.parent),
            )
            .await;
        assert_eq!(r.status, status, "{body}: {:?}", r.body);
        if !code.is_empty() {
            assert_eq!(r.code(), code, "{body}");
        }
    }
    // Nothing written: no application, no request, no marker (the same
    // due date and child are free).
    let r = app.get("/api/creche/applications", Some(&w.parent)).await;
    assert!(ids(&r.body).is_empty());
    assert!(ids(&agent_list(&app, &w, "").await).is_empty());
    let r = app.get("/api/requests", Some(&w.parent)).await;
    assert!(ids(&r.body).is_empty());
    apply(&app, &w, base.clone()).await;
    let mut born = base.clone();
    born.as_object_mut().unwrap().remove("expected");
    born["child_id"] = json!(w.child);
    born["start_date"] = json!("2028-06-09");
    apply(&app, &w, born).await;
}

async fn bad_offers_and_states_are_refused_and_nothing_changes(app: TestApp) {
    let w = world(&app).await;
    let (id, request_id) =
        apply(&app, &w, expected("2027-03-01", &[w.structures[0].clone()])).await;
    assert_eq!(
        set_status(&app, &w, &id, "under_review", None).await.status,
        StatusCode::OK
    );
    let before = read(&app, &w, &id).await;
    let post = |body: Value| {
        let app = &app;
        let id = id.clone();
        let agent = w.agent.clone();
        async move {
            app.post(
                &format!("/api/agent/creche/applications/{id}/offer"),
                body,
                Some(&agent),
            )
            .await
        }
    };
    let good = json!({"structure_id": w.structures[0], "start_date": "2027-09-01", "deadline": "2026-12-10T12:00:00+01:00"});
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = good.clone();
        f(&mut b);
        b
    };
    for (body, code) in [
        (
            with(&|b| b["deadline"] = json!("2026-11-28T11:00:00+01:00")),
            "invalid_deadline",
        ),
        (
            with(&|b| b["deadline"] = json!("2026-11-01T11:00:00+01:00")),
            "invalid_deadline",
        ),
        (
            with(&|b| b["structure_id"] = json!("01UNKNOWN")),
            "invalid_structures",
        ),
        (
            with(&|b| b["start_date"] = json!("2026-11-27")),
            "invalid_start_date",
        ),
        (
            with(&|b| {
                b["schedule"] = json!([{"weekday": "sun", "start": "09:00", "end": "12:00"}])
            }),
            "invalid_schedule",
        ),
        (
            with(&|b| b["message"] = json!("é".repeat(701))),
            "message_too_long",
        ),
    ] {
        let r = post(body.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{body}"
        );
    }
    let r = post(with(&|b| b["deadline"] = json!("demain"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = set_status(&app, &w, &id, "waiting", Some(&"é".repeat(701))).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "message_too_long")
    );
    let r = set_status(&app, &w, &id, "lapsed", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(read(&app, &w, &id).await, before, "nothing changed");
    let r = app
        .get(&format!("/api/requests/{request_id}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["history"].as_array().unwrap().len(), 1);
    // A good one, with another schedule than asked.
    let r =
        post(with(
            &|b| b["schedule"] = json!([{"weekday": "fri", "start": "08:00", "end": "18:00"}]),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["offer"]["hours_per_week"], 10.0);
}

async fn one_open_application_per_child_or_due_date(app: TestApp) {
    let w = world(&app).await;
    let (id, _) = apply(&app, &w, expected("2027-03-01", &[w.structures[0].clone()])).await;
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={}", w.family),
            expected("2027-03-01", &[w.structures[1].clone()]),
            Some(&w.parent),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "application_exists")
    );
    // Twice at once for the child: one wins.
    let mut born = expected("2027-03-01", &[w.structures[0].clone()]);
    born.as_object_mut().unwrap().remove("expected");
    born["child_id"] = json!(w.child);
    let path = format!("/api/creche/applications?family_id={}", w.family);
    let (a, b) = tokio::join!(
        app.post(&path, born.clone(), Some(&w.parent)),
        app.post(&path, born.clone(), Some(&w.parent)),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{:?} {:?}",
        a.body,
        b.body
    );
    let r = app.get("/api/creche/applications", Some(&w.parent)).await;
    assert_eq!(ids(&r.body).len(), 2);
    // Withdrawn, the due date is free again.
    assert_eq!(
        parent_post(&app, &w, &id, "withdraw", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    apply(&app, &w, expected("2027-03-01", &[w.structures[0].clone()])).await;
}

async fn another_familys_application_is_not_found(app: TestApp) {
    let w = world(&app).await;
    let (id, _) = apply(&app, &w, expected("2027-03-01", &[w.structures[0].clone()])).await;
    assert_eq!(
        set_status(&app, &w, &id, "under_review", None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        offer(&app, &w, &id, "2026-12-10T12:00:00+01:00")
            .await
            .status,
        StatusCode::OK
    );
    let other = app.parent("autre@exemple.fr", PASSWORD).await;
    let theirs = app.dupont_family(&w.agent).await;
    app.subscribe(&other, theirs["subscriber_code"].as_str().unwrap())
        .await;
    let r = app
        .get(&format!("/api/creche/applications/{id}"), Some(&other))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/creche/applications/{id}?family_id={}", w.family),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for (what, body) in [
        ("answer", json!({"answer": "decline"})),
        ("renewal", json!({})),
        ("withdraw", json!({})),
    ] {
        let r = app
            .post(
                &format!("/api/creche/applications/{id}/{what}"),
                body.clone(),
                Some(&other),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}");
        let r = app
            .post(
                &format!(
                    "/api/creche/applications/{id}/{what}?family_id={}",
                    w.family
                ),
                body,
                Some(&other),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}");
    }
    let r = app.get("/api/creche/applications", Some(&other)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(ids(&r.body).is_empty());
    let r = app
        .get(
            &format!("/api/creche/applications?family_id={}", w.family),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Untouched: the offer still stands for its family.
    assert_eq!(read(&app, &w, &id).await["status"], "offered");
    let r = app
        .get("/api/agent/creche/applications/01UNKNOWN", Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = set_status(&app, &w, "01UNKNOWN", "waiting", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn parents_and_agents_keep_to_their_routes(app: TestApp) {
    let w = world(&app).await;
    let (id, _) = apply(&app, &w, expected("2027-03-01", &[w.structures[0].clone()])).await;
    for path in [
        "/api/agent/creche/structures".to_string(),
        "/api/agent/creche/applications".to_string(),
        format!("/api/agent/creche/applications/{id}"),
    ] {
        let r = app.get(&path, Some(&w.parent)).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "agents_only"),
            "{path}"
        );
    }
    for (path, body) in [
        (
            "/api/agent/creche/structures".to_string(),
            json!({"name": "X"}),
        ),
        (
            format!("/api/agent/creche/applications/{id}/status"),
            json!({"status": "closed"}),
        ),
        (
            format!("/api/agent/creche/applications/{id}/offer"),
            json!({"structure_id": w.structures[0], "start_date": "2027-09-01", "deadline": "2026-12-10T12:00:00+01:00"}),
        ),
    ] {
        let r = app.post(&path, body, Some(&w.parent)).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "agents_only"),
            "{path}"
        );
    }
    for path in [
        "/api/creche/structures".to_string(),
        "/api/creche/applications".to_string(),
        format!("/api/creche/applications/{id}"),
    ] {
        let r = app.get(&path, Some(&w.agent)).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "parents_only"),
            "{path}"
        );
    }
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/withdraw"),
            json!({}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(read(&app, &w, &id).await["status"], "submitted");
    let r = app.get("/api/creche/applications", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn two_agents_at_once_cannot_both_win(app: TestApp) {
    let w = world(&app).await;
    let (id, _) = apply(&app, &w, expected("2027-03-01", &[w.structures[0].clone()])).await;
    let other = app.agent("agent2@villebois.test", "Agentmairie2").await;
    let path = format!("/api/agent/creche/applications/{id}/status");
    let body = json!({"status": "under_review", "message": "Dossier complet."});
    let (a, b) = tokio::join!(
        app.post(&path, body.clone(), Some(&w.agent)),
        app.post(&path, body.clone(), Some(&other)),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{:?} {:?}",
        a.body,
        b.body
    );
    let a = read(&app, &w, &id).await;
    assert_eq!(
        a["history"].as_array().unwrap().len(),
        2,
        "one change recorded"
    );
    // Two offers at once: one place offered.
    let body = json!({"structure_id": w.structures[0], "start_date": "2027-09-01", "deadline": "2026-12-10T12:00:00+01:00"});
    let path = format!("/api/agent/creche/applications/{id}/offer");
    let (a, b) = tokio::join!(
        app.post(&path, body.clone(), Some(&w.agent)),
        app.post(&path, body.clone(), Some(&other)),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{:?} {:?}",
        a.body,
        b.body
    );
    assert_eq!(
        read(&app, &w, &id).await["history"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn the_lists_are_bounded(app: TestApp) {
    let w = world(&app).await;
    for i in 3..50 {
        structure(&app, &w.agent, &format!("Crèche {i:02}")).await;
    }
    let r = app
        .post(
            "/api/agent/creche/structures",
            json!({"name": "Une de trop"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "too_many_structures")
    );
    let r = app
        .get("/api/agent/creche/structures", Some(&w.agent))
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 50);
    for (body, code) in [
        (json!({"name": " "}), "invalid_name"),
        (json!({"name": "x".repeat(101)}), "invalid_name"),
        (
            json!({"name": "A", "age_from_months": 12, "age_to_months": 6}),
            "invalid_age_range",
        ),
        (
            json!({"name": "A", "groups": [{"name": "Bébés", "from_months": 0, "to_months": 12, "places": 0}]}),
            "invalid_groups",
        ),
    ] {
        let r = app
            .post("/api/agent/creche/structures", body.clone(), Some(&w.agent))
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{body}"
        );
    }

    // 23 applications: the agents' list pages by 20, oldest first.
    let mut made = Vec::new();
    for i in 0..23 {
        app.clock.set(t0() + Duration::minutes(i));
        let due = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap() + Duration::days(i);
        let structures = if i % 2 == 0 {
            vec![w.structures[0].clone()]
        } else {
            vec![w.structures[1].clone()]
        };
        let (id, _) = apply(&app, &w, expected(&due.to_string(), &structures)).await;
        made.push(id);
    }
    let first = agent_list(&app, &w, "").await;
    assert_eq!(ids(&first), made[..20]);
    let next = first["next_page"].as_str().unwrap();
    let second = agent_list(&app, &w, &format!("page={}", urlencode(next))).await;
    assert_eq!(ids(&second), made[20..]);
    assert_eq!(second["next_page"], Value::Null);
    // By crèche (any choice).
    let evens: Vec<_> = made.iter().step_by(2).cloned().collect();
    let mut seen = Vec::new();
    let mut page = agent_list(&app, &w, &format!("structure={}", w.structures[0])).await;
    loop {
        seen.extend(ids(&page));
        let Some(next) = page["next_page"].as_str() else {
            break;
        };
        page = agent_list(
            &app,
            &w,
            &format!("structure={}&page={}", w.structures[0], urlencode(next)),
        )
        .await;
    }
    assert_eq!(seen, evens);
    let r = app
        .get("/api/agent/creche/applications?page=x", Some(&w.agent))
        .await;
    assert!(r.status.is_client_error(), "{:?}", r.body);
    // The family's own list, newest first.
    let r = app.get("/api/creche/applications", Some(&w.parent)).await;
    let mut newest = made.clone();
    newest.reverse();
    assert_eq!(ids(&r.body), newest);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
