//! Supporting documents: the agents' document types and the parents'
//! table, over the in-process API, on the embedded store and on DynamoDB
//! (moto), with the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use marelle_domain::ports::BlobError;
use marelle_domain::ports::store::Key;
use marelle_testkit::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_s3_app("docs").await;
    types_are_created_listed_and_changed,
    bad_types_are_refused_and_nothing_is_written,
    the_list_of_types_is_bounded,
    the_parents_table_says_what_is_mandatory_for_whom,
    another_familys_table_is_not_found,
    parents_cannot_touch_types_and_agents_have_no_table,
    a_document_is_sent_refused_sent_again_and_accepted,
    bad_declarations_get_no_grant,
    bad_files_are_refused_and_nothing_is_kept,
    a_grant_works_once_even_twice_at_once,
    other_families_documents_are_not_found,
    a_new_file_cancels_the_pending_one,
    the_detail_lists_the_earlier_versions,
    a_decided_document_is_a_new_message_and_a_line_of_the_digest,
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
               "mandatory_for": [canteen], "help": "Les pages des vaccins.", "active": true,
               "creche": false})
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
               "help": "Les pages des vaccins.", "expires_soon": false, "creche": false})
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
    assert_eq!(calls, 6, "{calls} store calls");
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

use common::PDF;
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0,
    1,
];

/// A family with two children, a child-scope type and a family-scope one.
struct Docs {
    app: TestApp,
    agent: String,
    parent: String,
    family_id: String,
    zoe: String,
    vaccines: String,
    insurance: String,
}

impl Docs {
    async fn new(app: TestApp) -> Self {
        let agent = agent(&app).await;
        let (parent, family) = two_children(&app, &agent).await;
        let vaccines = create(
            &app,
            &agent,
            json!({"name": "Carnet de vaccination", "scope": "child", "validity": "months:12"}),
        )
        .await;
        let insurance = create(
            &app,
            &agent,
            json!({"name": "Attestation d'assurance", "scope": "family", "validity": "permanent"}),
        )
        .await;
        Self {
            zoe: child_id(&family, "Zoé"),
            family_id: family["id"].as_str().unwrap().to_string(),
            app,
            agent,
            parent,
            vaccines,
            insurance,
        }
    }

    async fn grant(&self, body: Value) -> marelle_testkit::TestResponse {
        self.app
            .post("/api/documents", body, Some(&self.parent))
            .await
    }

    async fn grant_ok(&self, content_type: &str, size: usize) -> Value {
        let r = self
            .grant(json!({"type_id": self.vaccines, "child_id": self.zoe,
                          "file_name": "carnet.pdf", "content_type": content_type, "size": size}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    /// PUTs `bytes` to a grant's URL with its headers, as the browser does.
    async fn put_to(&self, grant: &Value, bytes: &[u8]) {
        let status = common::put_upload(&self.app, &grant["upload"], bytes).await;
        assert!((200..300).contains(&status), "upload: {status}");
    }

    async fn confirm(&self, grant: &Value) -> marelle_testkit::TestResponse {
        self.app
            .post(
                "/api/documents/confirm",
                json!({"upload_id": grant["upload_id"]}),
                Some(&self.parent),
            )
            .await
    }

    /// Grants, uploads `bytes` declared as `content_type`, confirms.
    async fn send(&self, content_type: &str, bytes: &[u8]) -> marelle_testkit::TestResponse {
        let g = self.grant_ok(content_type, bytes.len()).await;
        self.put_to(&g, bytes).await;
        self.confirm(&g).await
    }

    /// The staged and the final keys of a grant (read from its record).
    async fn keys_of(&self, grant: &Value) -> [String; 2] {
        let id = grant["upload_id"].as_str().unwrap();
        let item = self
            .app
            .state
            .store
            .get(&Key::new(format!("UPLOAD#{id}"), "DOCUMENT"))
            .await
            .unwrap()
            .unwrap();
        let staged = item.data::<Value>().unwrap()["key"]
            .as_str()
            .unwrap()
            .to_string();
        let checked = staged.strip_prefix("staging/").unwrap().to_string();
        assert!(
            checked.starts_with(&format!("families/{}/documents/", self.family_id)),
            "{checked}"
        );
        [staged, checked]
    }

    async fn stored(&self, key: &str) -> bool {
        match self.app.state.blobs.head(key).await {
            Ok(_) => true,
            Err(BlobError::NotFound) => false,
            Err(e) => panic!("{e}"),
        }
    }

    async fn row(&self) -> Value {
        let r = self
            .app
            .get(
                &format!("/api/documents?family_id={}", self.family_id),
                Some(&self.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type_id"] == self.vaccines.as_str() && r["child_id"] == self.zoe.as_str())
            .unwrap()
            .clone()
    }

    async fn decide(&self, request_id: &str, body: Value) -> marelle_testkit::TestResponse {
        self.app
            .post(
                &format!("/api/agent/requests/{request_id}/decision"),
                body,
                Some(&self.agent),
            )
            .await
    }

    /// The number of the family's documents in the store.
    async fn document_items(&self) -> usize {
        use marelle_domain::ports::store::Query;
        self.app
            .state
            .store
            .query(
                Query::new(marelle_domain::keys::family_partition(&self.family_id))
                    .begins_with(marelle_domain::keys::DOCUMENT_PREFIX),
            )
            .await
            .unwrap()
            .items
            .len()
    }
}

async fn a_document_is_sent_refused_sent_again_and_accepted(app: TestApp) {
    let d = Docs::new(app).await;
    let g = d.grant_ok("application/pdf", PDF.len()).await;
    d.put_to(&g, PDF).await;
    let [staged, checked] = d.keys_of(&g).await;
    let r = d.confirm(&g).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let document_id = r.body["document_id"].as_str().unwrap().to_string();
    let request_id = r.body["request_id"].as_str().unwrap().to_string();
    assert!(!d.stored(&staged).await, "the staged upload is removed");
    assert_eq!(d.app.state.blobs.get(&checked).await.unwrap(), PDF);
    let row = d.row().await;
    assert_eq!(row["state"], "pending");
    assert_eq!(row["document_id"], document_id.as_str());
    assert_eq!(row["file_name"], "carnet.pdf");

    // The agent sees it in the queue, with the document.
    let r = d
        .app
        .get(&format!("/api/agent/requests/{request_id}"), Some(&d.agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["kind"], "document");
    assert_eq!(r.body["state"], "pending");
    assert_eq!(
        r.body["description"],
        "Pièce justificative : Carnet de vaccination (Zoé)"
    );
    let doc = &r.body["document"];
    assert_eq!(doc["id"], document_id.as_str());
    assert_eq!(doc["name"], "Carnet de vaccination");
    assert_eq!(doc["file_name"], "carnet.pdf");
    assert!(doc["url"].as_str().unwrap().len() > 10, "{doc}");
    let r = d.app.get("/api/agent/requests", Some(&d.agent)).await;
    assert!(
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == request_id.as_str()),
        "{:?}",
        r.body
    );
    // Both the family and the agent get a 5-minute link.
    for who in [&d.parent, &d.agent] {
        let r = d
            .app
            .get(&format!("/api/documents/{document_id}/link"), Some(who))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert!(r.body["url"].as_str().unwrap().len() > 10);
        let at =
            chrono::DateTime::parse_from_rfc3339(r.body["expires_at"].as_str().unwrap()).unwrap();
        let left = at.with_timezone(&chrono::Utc) - d.app.state.clock.now();
        assert!(left <= chrono::Duration::minutes(5), "{left}");
    }

    // A refusal needs a message; with one, the row shows it.
    let r = d.decide(&request_id, json!({"decision": "refused"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "message_required");
    assert_eq!(d.row().await["state"], "pending", "nothing decided");
    let r = d
        .decide(
            &request_id,
            json!({"decision": "refused", "message": "Page des vaccins illisible."}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let row = d.row().await;
    assert_eq!(row["state"], "refused");
    assert_eq!(row["message"], "Page des vaccins illisible.");

    // A new file, accepted: valid 12 months from the day sent.
    let r = d.send("image/png", PNG).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let second = r.body["request_id"].as_str().unwrap().to_string();
    let second_doc = r.body["document_id"].as_str().unwrap().to_string();
    assert_eq!(d.row().await["state"], "pending");
    let r = d.decide(&second, json!({"decision": "accepted"})).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let row = d.row().await;
    assert_eq!(row["state"], "accepted");
    assert_eq!(row["document_id"], second_doc.as_str());
    assert_eq!(row["message"], Value::Null);
    let today = marelle_domain::time::local_date(d.app.state.clock.now());
    let expected = marelle_domain::documents::Validity::parse("months:12")
        .unwrap()
        .expires_on(today)
        .unwrap();
    assert_eq!(row["expires_on"], expected.to_string());
}

async fn bad_declarations_get_no_grant(app: TestApp) {
    let d = Docs::new(app).await;
    let base = json!({"type_id": d.vaccines, "child_id": d.zoe, "file_name": "carnet.pdf",
                      "content_type": "application/pdf", "size": 1000});
    let with = |field: &str, value: Value| {
        let mut b = base.clone();
        b[field] = value;
        b
    };
    for (body, status, code) in [
        (
            with("size", json!(12 * 1024 * 1024)),
            422,
            "document_too_large",
        ),
        (with("size", json!(0)), 422, "document_too_large"),
        (
            with("content_type", json!("text/html")),
            422,
            "document_file_type",
        ),
        (
            with("content_type", json!("image/webp")),
            422,
            "document_file_type",
        ),
        (
            with("file_name", json!("../../etc/passwd")),
            422,
            "invalid_file_name",
        ),
        (
            with("file_name", json!("a\u{0}b.pdf")),
            422,
            "invalid_file_name",
        ),
        (
            with("file_name", json!("x".repeat(256))),
            422,
            "invalid_file_name",
        ),
        (with("child_id", Value::Null), 422, "child_required"),
        (
            with("type_id", json!("inconnu")),
            404,
            "unknown_document_type",
        ),
        (
            json!({"type_id": d.insurance, "child_id": d.zoe, "file_name": "a.pdf",
                   "content_type": "application/pdf", "size": 10}),
            422,
            "child_not_allowed",
        ),
    ] {
        let r = d.grant(body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {:?}", r.body);
        assert_eq!(r.code(), code, "{body}");
        assert!(r.body.get("upload_id").is_none());
    }
    // A family document takes no child; 10 MB exactly is fine.
    let r = d
        .grant(
            json!({"type_id": d.insurance, "child_id": null, "file_name": "assurance.pdf",
                      "content_type": "application/pdf", "size": 10 * 1024 * 1024}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // A withdrawn type takes no file.
    let r = d
        .app
        .patch(
            &format!("/api/agent/document-types/{}", d.vaccines),
            json!({"active": false}),
            Some(&d.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = d.grant(base).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "unknown_document_type");
}

async fn bad_files_are_refused_and_nothing_is_kept(app: TestApp) {
    let d = Docs::new(app).await;
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let js = b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n".to_vec();
    let escaped = b"%PDF-1.7\n1 0 obj << /S /Java#53cript >> endobj\n%%EOF\n".to_vec();
    let embedded = b"%PDF-1.7\n1 0 obj << /Type /EmbeddedFile /Length 3 >> stream\nabc\nendstream endobj\n%%EOF\n".to_vec();
    let objstm = b"%PDF-1.7\n1 0 obj << /Type /ObjStm /N 1 /Filter /FlateDecode >> stream\nxx\nendstream endobj\n%%EOF\n".to_vec();
    for (declared, bytes, code, says) in [
        (
            "application/pdf",
            PNG.to_vec(),
            "document_file_type",
            "une image PNG",
        ),
        (
            "application/pdf",
            html,
            "document_file_type",
            "une page web",
        ),
        ("image/png", PDF.to_vec(), "document_file_type", "un PDF"),
        ("application/pdf", js, "document_unsafe", "JavaScript"),
        ("application/pdf", escaped, "document_unsafe", "JavaScript"),
        (
            "application/pdf",
            embedded,
            "document_unsafe",
            "fichier joint",
        ),
        (
            "application/pdf",
            objstm,
            "document_unsafe",
            "objets compressés",
        ),
    ] {
        let g = d.grant_ok(declared, bytes.len()).await;
        d.put_to(&g, &bytes).await;
        let [staged, checked] = d.keys_of(&g).await;
        let r = d.confirm(&g).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {:?}",
            r.body
        );
        assert_eq!(r.code(), code);
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{detail}");
        assert!(!d.stored(&staged).await, "{staged} left behind");
        assert!(!d.stored(&checked).await, "{checked} left behind");
        assert_eq!(d.document_items().await, 0, "no document written");
        // The grant is used: no second try with the same one.
        assert_eq!(d.confirm(&g).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(d.row().await["state"], "missing");
    let r = d.app.get("/api/agent/requests", Some(&d.agent)).await;
    assert_eq!(r.body["items"], json!([]), "no request");
}

async fn a_grant_works_once_even_twice_at_once(app: TestApp) {
    let d = Docs::new(app).await;
    // Nothing received yet: the grant is kept for a retry.
    let g = d.grant_ok("application/pdf", PDF.len()).await;
    let r = d.confirm(&g).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "document_missing");
    d.put_to(&g, PDF).await;
    let (a, b) = tokio::join!(d.confirm(&g), d.confirm(&g));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 404], "{:?} {:?}", a.body, b.body);
    assert_eq!(d.confirm(&g).await.status, StatusCode::NOT_FOUND);
    assert_eq!(d.document_items().await, 1);
}

async fn other_families_documents_are_not_found(app: TestApp) {
    let d = Docs::new(app).await;
    let r = d.send("application/pdf", PDF).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let document_id = r.body["document_id"].as_str().unwrap().to_string();
    let other = d.app.parent("autre@exemple.fr", PASSWORD).await;
    let family = d
        .app
        .create_family(
            &d.agent,
            json!({
                "guardians": [{"civility": "M.", "last_name": "MARTIN", "first_name": "Paul",
                               "email": "paul@exemple.fr", "mobile": "06 01 02 03 04", "quality": "father"}],
                "children": [{"first_name": "Léo", "last_name": "MARTIN", "birth_date": "2017-05-04", "sex": "M"}]
            }),
        )
        .await;
    d.app
        .subscribe(&other, family["subscriber_code"].as_str().unwrap())
        .await;
    let r = d
        .app
        .get(&format!("/api/documents/{document_id}/link"), Some(&other))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = d
        .app
        .get("/api/documents/inconnu/link", Some(&d.parent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A grant for another family's child.
    let r = d
        .app
        .post(
            "/api/documents",
            json!({"type_id": d.vaccines, "child_id": d.zoe, "file_name": "a.pdf",
                   "content_type": "application/pdf", "size": 10}),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Parents have no agent routes, agents send no documents.
    let r = d.app.get("/api/agent/requests", Some(&d.parent)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = d
        .app
        .post(
            "/api/documents",
            json!({"type_id": d.insurance, "file_name": "a.pdf",
                   "content_type": "application/pdf", "size": 10}),
            Some(&d.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn a_new_file_cancels_the_pending_one(app: TestApp) {
    let d = Docs::new(app).await;
    let g = d.grant_ok("application/pdf", PDF.len()).await;
    d.put_to(&g, PDF).await;
    let [_, first_blob] = d.keys_of(&g).await;
    let r = d.confirm(&g).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let first = r.body["request_id"].as_str().unwrap().to_string();
    // Accepted, it holds until a newer one is accepted.
    let r = d.decide(&first, json!({"decision": "accepted"})).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let accepted_row = d.row().await;
    assert_eq!(accepted_row["state"], "accepted");

    let g = d.grant_ok("image/png", PNG.len()).await;
    d.put_to(&g, PNG).await;
    let [_, second_blob] = d.keys_of(&g).await;
    let r = d.confirm(&g).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let second = r.body["request_id"].as_str().unwrap().to_string();
    assert_eq!(
        d.row().await["state"],
        "pending",
        "the new file is the row's"
    );
    let g = d.grant_ok("application/pdf", PDF.len()).await;
    d.put_to(&g, PDF).await;
    let [_, third_blob] = d.keys_of(&g).await;
    let r = d.confirm(&g).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let third = r.body["request_id"].as_str().unwrap().to_string();
    let third_doc = r.body["document_id"].as_str().unwrap().to_string();

    let r = d
        .app
        .get(&format!("/api/agent/requests/{second}"), Some(&d.agent))
        .await;
    assert_eq!(r.body["state"], "cancelled", "{:?}", r.body);
    let r = d
        .app
        .get(&format!("/api/agent/requests/{first}"), Some(&d.agent))
        .await;
    assert_eq!(r.body["state"], "accepted", "the accepted one is untouched");
    assert!(d.stored(&first_blob).await, "the accepted file is kept");
    assert!(
        !d.stored(&second_blob).await,
        "the cancelled file is deleted"
    );
    assert!(d.stored(&third_blob).await);
    let row = d.row().await;
    assert_eq!(row["state"], "pending");
    assert_eq!(row["document_id"], third_doc.as_str());
    // A cancelled request cannot be decided.
    let r = d.decide(&second, json!({"decision": "accepted"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = d.decide(&third, json!({"decision": "accepted"})).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    assert_eq!(d.row().await["state"], "accepted");
    assert_eq!(d.row().await["document_id"], third_doc.as_str());
}

/// The size limit is the commune's setting (10 MB unless set): checked at
/// the grant and again on the file received.
#[tokio::test]
async fn the_size_limit_is_the_communes_setting() {
    use marelle_api::http::state::{CaptchaSettings, Settings};
    let app = TestApp::with_settings(Settings {
        captcha: CaptchaSettings::lowest(),
        document_max_bytes: 1024 * 1024,
        ..Settings::default()
    })
    .await;
    let d = Docs::new(app).await;
    let r = d
        .grant(
            json!({"type_id": d.vaccines, "child_id": d.zoe, "file_name": "carnet.pdf",
                      "content_type": "application/pdf", "size": 1024 * 1024 + 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "document_too_large");
    assert_eq!(
        r.body["detail"],
        "Le document ne doit pas dépasser 1\u{a0}Mo. Réduisez-le avant de l'envoyer."
    );
    let mut pdf = PDF.to_vec();
    pdf.resize(1024 * 1024, b' ');
    let r = d.send("application/pdf", &pdf).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

/// The agent's detail of a document request: the file's type and date, and
/// the earlier files of the same type and child, newest first, each with a
/// link unless it was withdrawn (its file deleted); nothing of another
/// type; the family sees none of it, another family not the request.
async fn the_detail_lists_the_earlier_versions(app: TestApp) {
    let d = Docs::new(app).await;
    let minute = chrono::Duration::minutes(1);
    // Another type's file: never among the versions.
    let g = d
        .grant(json!({"type_id": d.insurance, "file_name": "assurance.pdf",
                      "content_type": "application/pdf", "size": PDF.len()}))
        .await;
    assert_eq!(g.status, StatusCode::CREATED, "{:?}", g.body);
    d.put_to(&g.body, PDF).await;
    assert_eq!(d.confirm(&g.body).await.status, StatusCode::CREATED);

    let first = d.send("application/pdf", PDF).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let r = d
        .decide(
            first.body["request_id"].as_str().unwrap(),
            json!({"decision": "refused", "message": "Illisible."}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    d.app.clock.advance(minute);
    let second = d.send("image/png", PNG).await;
    let r = d
        .decide(
            second.body["request_id"].as_str().unwrap(),
            json!({"decision": "accepted"}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    d.app.clock.advance(minute);
    let third = d.send("application/pdf", PDF).await;
    d.app.clock.advance(minute);
    let fourth = d.send("application/pdf", PDF).await;
    assert_eq!(fourth.status, StatusCode::CREATED, "{:?}", fourth.body);
    let request_id = fourth.body["request_id"].as_str().unwrap();

    let r = d
        .app
        .get(&format!("/api/agent/requests/{request_id}"), Some(&d.agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let doc = &r.body["document"];
    assert_eq!(doc["id"], fourth.body["document_id"]);
    assert_eq!(doc["content_type"], "application/pdf");
    let sent = chrono::DateTime::parse_from_rfc3339(doc["sent_at"].as_str().unwrap()).unwrap();
    assert_eq!(sent.with_timezone(&chrono::Utc), d.app.state.clock.now());
    assert!(doc["url"].as_str().is_some(), "{doc}");
    let versions = doc["versions"].as_array().unwrap();
    let ids: Vec<&Value> = versions.iter().map(|v| &v["id"]).collect();
    assert_eq!(
        ids,
        [
            &third.body["document_id"],
            &second.body["document_id"],
            &first.body["document_id"]
        ],
        "{versions:?}"
    );
    let states: Vec<&str> = versions
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["cancelled", "accepted", "refused"]);
    assert_eq!(
        versions[0]["url"],
        Value::Null,
        "a withdrawn file has no link"
    );
    for v in &versions[1..] {
        assert!(v["url"].as_str().unwrap().len() > 10, "{v}");
    }
    assert_eq!(versions[1]["content_type"], "image/png");
    assert_eq!(versions[1]["file_name"], "carnet.pdf");
    assert!(versions[1]["sent_at"].as_str().unwrap() < doc["sent_at"].as_str().unwrap());

    // The earlier accepted file's link serves that file.
    let url = versions[1]["url"].as_str().unwrap();
    if let Some(path) = url.strip_prefix(marelle_testkit::app::ORIGIN) {
        let r = d
            .app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }

    // The family sees its request, without links nor versions.
    let r = d
        .app
        .get(&format!("/api/requests/{request_id}"), Some(&d.parent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["document"]["url"], Value::Null);
    assert_eq!(r.body["document"]["versions"], json!([]));
    // Another family's parent: not found.
    let other = d.app.parent("autre@exemple.fr", PASSWORD).await;
    let r = d
        .app
        .get(&format!("/api/requests/{request_id}"), Some(&other))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
}

/// A document's decision is a request's like any other: the family sees
/// the agent's message as new in Mes demandes, and the processing digest
/// of the window lists the line "Pièce justificative", refused, with it.
async fn a_decided_document_is_a_new_message_and_a_line_of_the_digest(app: TestApp) {
    let d = Docs::new(app).await;
    let r = d.send("application/pdf", PDF).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let request_id = r.body["request_id"].as_str().unwrap().to_string();
    let r = d
        .decide(
            &request_id,
            json!({"decision": "refused", "message": "Le carnet est au nom d'un autre enfant."}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);

    let r = d.app.get("/api/requests", Some(&d.parent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mine = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == request_id.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{:?}", r.body));
    assert_eq!(mine["kind"], "document");
    assert_eq!(mine["state"], "refused");
    assert_eq!(mine["new_messages"], 1, "{mine}");

    let decided = d.app.state.clock.now();
    let at = marelle_domain::digest_window::window_of(decided).end() + chrono::Duration::minutes(1);
    d.app.clock.freeze(at);
    let report = marelle_api::jobs::digest::run_once(
        &d.app.state,
        at,
        marelle_api::jobs::digest::Options::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let mail = d.app.last_email_to("matthieu@exemple.fr").await;
    assert_eq!(mail.subject, "Accusé de traitement");
    let line = mail
        .text
        .lines()
        .find(|l| l.contains("Pièce justificative"))
        .unwrap_or_else(|| panic!("{}", mail.text));
    assert!(
        line.starts_with("Pièce justificative envoyée le ")
            && line.ends_with(" : Carnet de vaccination (Zoé), refusée."),
        "{line}"
    );
    assert!(
        mail.text
            .contains("Le carnet est au nom d'un autre enfant."),
        "{}",
        mail.text
    );
}
