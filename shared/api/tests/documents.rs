//! Supporting documents: the agents' document types and the parents'
//! table, over the in-process API, on the embedded store and on DynamoDB
//! (moto), with the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use marelle_testkit::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    types_are_created_listed_and_changed,
    bad_types_are_refused_and_nothing_is_written,
    the_list_of_types_is_bounded,
    the_parents_table_says_what_is_mandatory_for_whom,
    another_familys_table_is_not_found,
    parents_cannot_touch_types_and_agents_have_no_table,
);

const PASSWORD: &str = "Motdepasse1";

async fn agent(app: &TestApp) -> String {
    app.agent("agent@villebois.test", "Agentmairie1").await
}

async fn create(app: &TestApp, agent: &str, body: Value) -> String {
    let r = app
        .post("/api/agent/document-types", body, Some(agent))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn types(app: &TestApp, agent: &str) -> Vec<Value> {
    let r = app.get("/api/agent/document-types", Some(agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn activity(app: &TestApp, agent: &str, name: &str) -> String {
    let r = app
        .post(
            "/api/agent/activities",
            json!({
                "name": name, "establishment": "Ecole Lux", "start": "11:30", "end": "13:30",
                "weekdays": ["mon", "tue", "thu", "fri"],
                "period": {"from": "2026-09-01", "to": "2027-07-06"},
                "validation": "manual"
            }),
            Some(agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn types_are_created_listed_and_changed(app: TestApp) {
    let agent = agent(&app).await;
    let canteen = activity(&app, &agent, "Restauration scolaire").await;
    let id = create(
        &app,
        &agent,
        json!({"name": "  Carnet   de vaccination ", "scope": "child", "validity": "permanent",
               "mandatory_for": [canteen, canteen], "help": "Les pages des vaccins."}),
    )
    .await;
    create(
        &app,
        &agent,
        json!({"name": "Attestation d'assurance extra-scolaire", "scope": "child", "validity": "school_year"}),
    )
    .await;
    let all = types(&app, &agent).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["name"], "Attestation d'assurance extra-scolaire");
    assert_eq!(all[0]["mandatory_for"], json!([]));
    assert_eq!(all[0]["help"], "");
    assert_eq!(all[0]["active"], true);
    assert_eq!(
        all[1],
        json!({"id": id, "name": "Carnet de vaccination", "scope": "child", "validity": "permanent",
               "mandatory_for": [canteen], "help": "Les pages des vaccins.", "active": true})
    );

    let path = format!("/api/agent/document-types/{id}");
    let r = app
        .patch(
            &path,
            json!({"validity": "months:12", "scope": "family", "mandatory_for": []}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["validity"], "months:12");
    assert_eq!(r.body["scope"], "family");
    assert_eq!(r.body["mandatory_for"], json!([]));
    assert_eq!(r.body["name"], "Carnet de vaccination", "untouched");
    let r = app
        .patch(&path, json!({"active": false}), Some(&agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let all = types(&app, &agent).await;
    assert_eq!(all.len(), 2, "withdrawn, not deleted");
    assert_eq!(all[1]["active"], false);
    assert_eq!(all[1]["validity"], "months:12");

    let r = app
        .patch(
            "/api/agent/document-types/inconnu",
            json!({"active": false}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "unknown_document_type");
    assert_eq!(r.body["detail"], "Ce type de document n'existe pas.");
}

async fn bad_types_are_refused_and_nothing_is_written(app: TestApp) {
    let agent = agent(&app).await;
    let id = create(
        &app,
        &agent,
        json!({"name": "PAI", "scope": "child", "validity": "year"}),
    )
    .await;
    let before = types(&app, &agent).await;
    let ok = json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3"});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(Value, StatusCode, &str, &str)> = vec![
        (
            with("name", json!("   ")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            "Indiquez le nom du document (100 caractères au plus).",
        ),
        (
            with("name", json!("x".repeat(101))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            "Indiquez le nom du document (100 caractères au plus).",
        ),
        (
            with("validity", json!("months:0")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_validity",
            "Validité non reconnue",
        ),
        (
            with("validity", json!("months:61")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_validity",
            "« months:N » (N mois, de 1 à 60)",
        ),
        (
            with("validity", json!("until:2026-02-30")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_validity",
            "« until:AAAA-MM-JJ »",
        ),
        (
            with("validity", json!("trimestre")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_validity",
            "« school_year »",
        ),
        (
            with("mandatory_for", json!(["pas-une-activite"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_activity",
            "L'activité « pas-une-activite » n'existe pas.",
        ),
        (
            with(
                "mandatory_for",
                json!((0..51).map(|i| format!("a{i}")).collect::<Vec<_>>()),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_activities",
            "Un document est obligatoire pour 50 activités au plus.",
        ),
        (
            with("help", json!("é".repeat(501))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_help",
            "L'aide compte 500 caractères au plus.",
        ),
        (
            with("couleur", json!("bleu")),
            StatusCode::BAD_REQUEST,
            "",
            "",
        ),
        (
            with("scope", json!("commune")),
            StatusCode::BAD_REQUEST,
            "",
            "",
        ),
    ];
    for (body, status, code, message) in &cases {
        let r = app
            .post("/api/agent/document-types", body.clone(), Some(&agent))
            .await;
        assert_eq!(r.status, *status, "{body}: {:?}", r.body);
        if !code.is_empty() {
            assert_eq!(r.code(), *code, "{body}");
            let detail = r.body["detail"].as_str().unwrap();
            assert!(detail.contains(message), "{detail}");
        }
        // The same field in a patch is refused the same way.
        if *status == StatusCode::UNPROCESSABLE_ENTITY {
            let field = ["name", "validity", "mandatory_for", "help"]
                .into_iter()
                .find(|k| body[k] != ok[k])
                .unwrap();
            let r = app
                .patch(
                    &format!("/api/agent/document-types/{id}"),
                    json!({field: body[field].clone()}),
                    Some(&agent),
                )
                .await;
            assert_eq!(r.status, *status, "{body}: {:?}", r.body);
            assert_eq!(r.code(), *code);
        }
    }
    let r = app
        .patch(
            &format!("/api/agent/document-types/{id}"),
            json!({"supprime": true}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(types(&app, &agent).await, before, "nothing written");
}

async fn the_list_of_types_is_bounded(app: TestApp) {
    let agent = agent(&app).await;
    for i in 0..100 {
        create(
            &app,
            &agent,
            json!({"name": format!("Document {i:03}"), "scope": "family", "validity": "year"}),
        )
        .await;
    }
    let r = app
        .post(
            "/api/agent/document-types",
            json!({"name": "Document 101", "scope": "family", "validity": "year"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "too_many_document_types");
    assert_eq!(
        r.body["detail"],
        "Une commune compte 100 types de pièces justificatives au plus."
    );
    assert_eq!(types(&app, &agent).await.len(), 100);
}

/// A family with two children (Ludovic and Zoé), the parent linked.
async fn two_children(app: &TestApp, agent: &str) -> (String, Value) {
    let parent = app.parent("matthieu@exemple.fr", PASSWORD).await;
    let family = app
        .create_family(
            agent,
            json!({
                "guardians": [{"civility": "Mme", "last_name": "DUPONT", "first_name": "Léa",
                               "email": "lea@exemple.fr", "mobile": "06 07 08 09 10", "quality": "mother"}],
                "children": [
                    {"first_name": "Zoé", "last_name": "DUPONT", "birth_date": "2018-03-02", "sex": "F"},
                    {"first_name": "Ludovic", "last_name": "DUPONT", "birth_date": "2015-11-23", "sex": "M"}
                ]
            }),
        )
        .await;
    app.subscribe(&parent, family["subscriber_code"].as_str().unwrap())
        .await;
    (parent, family)
}

fn child_id(family: &Value, first_name: &str) -> String {
    family["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["first_name"] == first_name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn the_parents_table_says_what_is_mandatory_for_whom(app: TestApp) {
    let agent = agent(&app).await;
    let (parent, family) = two_children(&app, &agent).await;
    let family_id = family["id"].as_str().unwrap();
    let zoe = child_id(&family, "Zoé");
    let ludovic = child_id(&family, "Ludovic");
    let canteen = activity(&app, &agent, "Restauration scolaire").await;
    let r = app
        .post(
            "/api/agent/enrolments",
            json!({"child_id": zoe, "activity_id": canteen, "from": "2026-09-01", "to": "2027-07-06"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let vaccination = create(
        &app,
        &agent,
        json!({"name": "Carnet de vaccination", "scope": "child", "validity": "permanent",
               "mandatory_for": [canteen], "help": "Les pages des vaccins."}),
    )
    .await;
    let address = create(
        &app,
        &agent,
        json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3"}),
    )
    .await;
    let insurance = create(
        &app,
        &agent,
        json!({"name": "Attestation d'assurance", "scope": "child", "validity": "school_year"}),
    )
    .await;
    let withdrawn = create(
        &app,
        &agent,
        json!({"name": "Ancien formulaire", "scope": "family", "validity": "year", "active": false}),
    )
    .await;

    let path = format!("/api/documents?family_id={family_id}");
    app.store.reset();
    let r = app.get(&path, Some(&parent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let calls = app.store.calls();
    let rows = r.body["items"].as_array().unwrap();
    let summary: Vec<(String, Value, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["type_id"].as_str().unwrap().to_string(),
                r["child_id"].clone(),
                r["mandatory"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            // Mandatory and missing first.
            (vaccination.clone(), json!(zoe), true),
            // Then the family's documents, then by child and by name.
            (address.clone(), Value::Null, false),
            (insurance.clone(), json!(ludovic), false),
            (vaccination.clone(), json!(ludovic), false),
            (insurance.clone(), json!(zoe), false),
        ]
    );
    assert!(rows.iter().all(|r| r["type_id"] != withdrawn.as_str()));
    assert_eq!(
        rows[0],
        json!({"type_id": vaccination, "name": "Carnet de vaccination", "child_id": zoe,
               "child": "Zoé", "validity": "permanent", "mandatory": true, "document_id": null,
               "file_name": null, "state": "missing", "expires_on": null, "message": null,
               "help": "Les pages des vaccins.", "expires_soon": false})
    );
    assert_eq!(rows[1]["child"], Value::Null);
    assert_eq!(rows[1]["validity"], "months:3");
    assert!(rows.iter().all(|r| r["state"] == "missing"));

    // A family-scope type is mandatory when any child is enrolled.
    let r = app
        .patch(
            &format!("/api/agent/document-types/{address}"),
            json!({"mandatory_for": [canteen]}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // With more types, the table costs the same store calls.
    for i in 0..5 {
        create(
            &app,
            &agent,
            json!({"name": format!("Autre {i}"), "scope": "child", "validity": "year"}),
        )
        .await;
    }
    app.store.reset();
    let r = app.get(&path, Some(&parent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.store.calls(), calls, "a constant number of store calls");
    // The session, the family's selection, the types, the dossier, the
    // enrolments.
    assert_eq!(calls, 5, "{calls} store calls");
    let rows = r.body["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1 + 2 * 7);
    assert_eq!(rows[0]["type_id"], address.as_str());
    assert_eq!(rows[0]["mandatory"], true);
    assert_eq!(rows[1]["type_id"], vaccination.as_str());
    assert_eq!(rows[1]["child"], "Zoé");

    // The only family may be left implicit.
    let r = app.get("/api/documents", Some(&parent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 15);

    // Once Zoé's enrolment has ended, nothing is mandatory any more.
    app.clock.advance(chrono::Duration::days(250));
    let parent = app.log_in("matthieu@exemple.fr", PASSWORD).await;
    let r = app.get(&path, Some(&parent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let rows = r.body["items"].as_array().unwrap();
    assert_eq!(rows.len(), 15);
    assert!(rows.iter().all(|r| r["mandatory"] == false), "{rows:?}");
}

async fn another_familys_table_is_not_found(app: TestApp) {
    let agent = agent(&app).await;
    let (_, family) = two_children(&app, &agent).await;
    let other = app.parent("autre@exemple.fr", PASSWORD).await;
    let theirs = app.dupont_family(&agent).await;
    app.subscribe(&other, theirs["subscriber_code"].as_str().unwrap())
        .await;
    create(
        &app,
        &agent,
        json!({"name": "PAI", "scope": "child", "validity": "year"}),
    )
    .await;
    let r = app
        .get(
            &format!(
                "/api/documents?family_id={}",
                family["id"].as_str().unwrap()
            ),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = app
        .get("/api/documents?family_id=inconnue", Some(&other))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let lone = app.parent("seul@exemple.fr", PASSWORD).await;
    let r = app.get("/api/documents", Some(&lone)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "no_family");
    let r = app.get("/api/documents?famille=x", Some(&other)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn parents_cannot_touch_types_and_agents_have_no_table(app: TestApp) {
    let agent = agent(&app).await;
    let id = create(
        &app,
        &agent,
        json!({"name": "PAI", "scope": "child", "validity": "year"}),
    )
    .await;
    let parent = app.parent("matthieu@exemple.fr", PASSWORD).await;
    let r = app.get("/api/agent/document-types", Some(&parent)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "agents_only");
    let r = app
        .post(
            "/api/agent/document-types",
            json!({"name": "X", "scope": "child", "validity": "year"}),
            Some(&parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &format!("/api/agent/document-types/{id}"),
            json!({"active": false}),
            Some(&parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let all = types(&app, &agent).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["active"], true);
    let r = app.get("/api/documents", Some(&agent)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "parents_only");
    let r = app.get("/api/documents", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
