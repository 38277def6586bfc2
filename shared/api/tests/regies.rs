//! The commune's régies over the in-process API, on the embedded store and
//! on DynamoDB (moto), with the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::{Method, StatusCode};
use marelle_api::billing::regies;
use marelle_testkit::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    regies_are_created_listed_and_edited,
    names_are_unique_in_the_commune_whatever_the_case,
    bad_fields_answer_with_stable_codes,
    the_list_is_bounded,
    parents_cannot_touch_regies,
);

async fn agent(app: &TestApp) -> String {
    app.agent("agent@villebois.test", "Agentmairie1").await
}

async fn create(app: &TestApp, agent: &str, body: Value) -> Value {
    let r = app.post("/api/agent/regies", body, Some(agent)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn names(app: &TestApp, agent: &str) -> Vec<String> {
    let r = app.get("/api/agent/regies", Some(agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

async fn regies_are_created_listed_and_edited(app: TestApp) {
    let agent = agent(&app).await;
    let canteen = create(
        &app,
        &agent,
        json!({"name": "  Restauration   scolaire ", "numcli": "123456", "email": "cantine@villebois.fr"}),
    )
    .await;
    assert_eq!(canteen["name"], "Restauration scolaire");
    assert_eq!(canteen["active"], true);
    create(&app, &agent, json!({"name": "Accueil périscolaire"})).await;
    assert_eq!(
        names(&app, &agent).await,
        ["Accueil périscolaire", "Restauration scolaire"]
    );
    assert_eq!(
        regies::numcli_for(&app.state, "restauration scolaire")
            .await
            .unwrap()
            .as_deref(),
        Some("123456")
    );
    assert_eq!(
        regies::numcli_for(&app.state, "Accueil périscolaire")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        regies::numcli_for(&app.state, "Inconnue").await.unwrap(),
        None
    );

    // Its numcli changes, its e-mail goes, then it is deactivated.
    let path = format!("/api/agent/regies/{}", canteen["id"].as_str().unwrap());
    let r = app
        .patch(
            &path,
            json!({"numcli": "654321", "email": ""}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["numcli"], "654321");
    assert_eq!(r.body["email"], Value::Null);
    assert_eq!(r.body["name"], "Restauration scolaire");
    let r = app
        .patch(&path, json!({"active": false}), Some(&agent))
        .await;
    assert_eq!(r.body["active"], false);
    assert_eq!(
        regies::numcli_for(&app.state, "Restauration scolaire")
            .await
            .unwrap(),
        None,
        "an inactive régie takes no online payment"
    );

    // A rename frees the old name.
    let r = app
        .patch(
            &path,
            json!({"name": "Cantine", "active": true}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    create(&app, &agent, json!({"name": "Restauration scolaire"})).await;
    assert_eq!(
        names(&app, &agent).await,
        ["Accueil périscolaire", "Cantine", "Restauration scolaire"]
    );
    let r = app
        .patch(
            "/api/agent/regies/01JZZZZZZZZZZZZZZZZZZZZZZZ",
            json!({"active": false}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "unknown_regie");
}

async fn names_are_unique_in_the_commune_whatever_the_case(app: TestApp) {
    let agent = agent(&app).await;
    create(&app, &agent, json!({"name": "Restauration scolaire"})).await;
    let other = create(&app, &agent, json!({"name": "Accueil"})).await;
    let r = app
        .post(
            "/api/agent/regies",
            json!({"name": "RESTAURATION SCOLAIRE"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "regie_exists");
    let path = format!("/api/agent/regies/{}", other["id"].as_str().unwrap());
    let r = app
        .patch(
            &path,
            json!({"name": "restauration scolaire"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "regie_exists");
    // Refused: nothing changed. A change of case alone is a rename to itself.
    assert_eq!(
        names(&app, &agent).await,
        ["Accueil", "Restauration scolaire"]
    );
    let r = app
        .patch(&path, json!({"name": "ACCUEIL"}), Some(&agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        names(&app, &agent).await,
        ["ACCUEIL", "Restauration scolaire"]
    );
}

async fn bad_fields_answer_with_stable_codes(app: TestApp) {
    let agent = agent(&app).await;
    for (body, code) in [
        (json!({"name": ""}), "invalid_name"),
        (json!({"name": "x".repeat(101)}), "invalid_name"),
        (json!({"name": "R", "numcli": "12345"}), "invalid_numcli"),
        (json!({"name": "R", "numcli": "12345a"}), "invalid_numcli"),
        (
            json!({"name": "R", "email": "pas-une-adresse"}),
            "invalid_email",
        ),
    ] {
        let r = app
            .post("/api/agent/regies", body.clone(), Some(&agent))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.code(), code, "{body}");
        assert!(!r.body["detail"].as_str().unwrap().is_empty());
    }
    let r = app
        .post(
            "/api/agent/regies",
            json!({"name": "R", "numcli": "1", "email": "x"}),
            Some(&agent),
        )
        .await;
    assert_eq!(
        r.field_codes(),
        [
            ("numcli".to_string(), "invalid_numcli".to_string()),
            ("email".to_string(), "invalid_email".to_string())
        ]
    );
    let r = app
        .post(
            "/api/agent/regies",
            json!({"name": "R", "colour": "bleu"}),
            Some(&agent),
        )
        .await;
    assert!(r.status.is_client_error());
    let regie = create(&app, &agent, json!({"name": "R", "numcli": "000001"})).await;
    let path = format!("/api/agent/regies/{}", regie["id"].as_str().unwrap());
    let r = app
        .patch(&path, json!({"numcli": "1234567"}), Some(&agent))
        .await;
    assert_eq!(r.code(), "invalid_numcli");
    assert_eq!(names(&app, &agent).await, ["R"]);
    assert!(
        app.get("/api/agent/regies", Some(&agent)).await.body["items"][0]["numcli"] == "000001"
    );
}

async fn the_list_is_bounded(app: TestApp) {
    let agent = agent(&app).await;
    for i in 0..regies::MAX_REGIES {
        create(&app, &agent, json!({"name": format!("Régie {i:03}")})).await;
    }
    let r = app
        .post(
            "/api/agent/regies",
            json!({"name": "Une de trop"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "too_many_regies");
    assert_eq!(names(&app, &agent).await.len(), regies::MAX_REGIES);
}

async fn parents_cannot_touch_regies(app: TestApp) {
    let agent = agent(&app).await;
    let regie = create(&app, &agent, json!({"name": "R"})).await;
    let parent = app.parent("matthieu@exemple.fr", "Motdepasse1").await;
    let path = format!("/api/agent/regies/{}", regie["id"].as_str().unwrap());
    for (method, path, body) in [
        (Method::GET, "/api/agent/regies", None),
        (
            Method::POST,
            "/api/agent/regies",
            Some(json!({"name": "X"})),
        ),
        (Method::PATCH, path.as_str(), Some(json!({"active": false}))),
    ] {
        let r = app.call(method.clone(), path, body, Some(&parent)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    assert_eq!(names(&app, &agent).await, ["R"]);
}
