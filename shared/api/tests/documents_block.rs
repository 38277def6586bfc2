//! Mandatory supporting documents and reservations: a document type
//! mandatory for an activity, missing or no longer valid on the day
//! asked, refuses the day (`missing_document`) or, for an activity set to
//! `warn`, lets it through with a warning. Over the in-process API, on
//! the embedded store and on DynamoDB (moto), with the same scenarios.
//! Documents are made accepted through the real flow: grant, upload,
//! confirmation, the agent's decision.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use marelle_testkit::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_s3_app("docblock").await;
    without_a_mandatory_type_nothing_changes,
    a_missing_document_refuses_the_day_and_writes_nothing,
    pending_and_refused_documents_do_not_count_an_accepted_one_does,
    an_expired_document_refuses_only_the_days_after_it,
    a_family_document_counts_for_every_child,
    a_withdrawn_type_does_not_block,
    an_activity_that_warns_records_with_one_warning_per_document,
    another_childs_document_does_not_count,
    an_absence_is_never_blocked,
    the_store_calls_a_mandatory_type_adds,
);

const PASSWORD: &str = "Motdepasse1";

/// A family with two children (Maéva and Zoé), both enrolled in the
/// canteen for the school year; the clock is on Saturday 28 November 2026.
struct World {
    app: TestApp,
    agent: String,
    parent: String,
    maeva: String,
    zoe: String,
    canteen: String,
}

impl World {
    async fn new(app: TestApp) -> Self {
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent("matthieu@exemple.fr", PASSWORD).await;
        let family = app
            .create_family(
                &agent,
                json!({
                    "guardians": [{"civility": "Mme", "last_name": "MARTIN", "first_name": "Léa",
                                   "email": "lea@exemple.fr", "mobile": "06 07 08 09 10", "quality": "mother"}],
                    "children": [
                        {"first_name": "Maéva", "last_name": "MARTIN", "birth_date": "2018-03-02", "sex": "F"},
                        {"first_name": "Zoé", "last_name": "MARTIN", "birth_date": "2016-05-12", "sex": "F"}
                    ]
                }),
            )
            .await;
        app.subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        let child = |name: &str| {
            family["children"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["first_name"] == name)
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (maeva, zoe) = (child("Maéva"), child("Zoé"));
        let mut w = Self {
            app,
            agent,
            parent,
            maeva,
            zoe,
            canteen: String::new(),
        };
        w.canteen = w.activity("Restauration scolaire").await;
        for c in [w.maeva.clone(), w.zoe.clone()] {
            let r = w
                .app
                .post(
                    "/api/agent/enrolments",
                    json!({"child_id": c, "activity_id": w.canteen, "from": "2026-09-01", "to": "2027-07-06"}),
                    Some(&w.agent),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        w
    }

    async fn activity(&self, name: &str) -> String {
        let r = self
            .app
            .post(
                "/api/agent/activities",
                json!({
                    "name": name, "establishment": "Ecole Lux", "start": "11:30", "end": "13:30",
                    "weekdays": ["mon", "tue", "thu", "fri"],
                    "period": {"from": "2026-09-01", "to": "2027-07-06"},
                    "validation": "manual"
                }),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    async fn doc_type(
        &self,
        name: &str,
        scope: &str,
        validity: &str,
        mandatory_for: &[&str],
    ) -> String {
        let r = self
            .app
            .post(
                "/api/agent/document-types",
                json!({"name": name, "scope": scope, "validity": validity, "mandatory_for": mandatory_for}),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// A canteen reservation for `child` on `dates`.
    async fn reserve(&self, child: &str, dates: &[&str]) -> marelle_testkit::TestResponse {
        self.ask(json!({"kind": "reservation", "child_id": child, "activity_id": self.canteen, "dates": dates}))
            .await
    }

    async fn ask(&self, body: Value) -> marelle_testkit::TestResponse {
        self.app
            .post("/api/requests", body, Some(&self.parent))
            .await
    }

    /// Sends a PDF for the type (and child), as the browser does; returns
    /// the document's request.
    async fn send(&self, type_id: &str, child: Option<&str>) -> String {
        let sent = common::send_pdf(&self.app, &self.parent, type_id, child).await;
        sent["request_id"].as_str().unwrap().to_string()
    }

    async fn decide(&self, request_id: &str, decision: &str) {
        let message = (decision == "refused").then_some("Document illisible.");
        let r = self
            .app
            .decide(&self.agent, request_id, decision, message)
            .await;
        assert!(r.status.is_success(), "{:?}", r.body);
    }

    /// Sends and has accepted a document for the type (and child).
    async fn accepted(&self, type_id: &str, child: Option<&str>) {
        let request = self.send(type_id, child).await;
        self.decide(&request, "accepted").await;
    }

    /// The planning state of `child`'s canteen day.
    async fn state(&self, child: &str, date: &str) -> String {
        let r = self
            .app
            .get(
                &format!("/api/planning?from={date}&to={date}&child={child}"),
                Some(&self.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["days"][0]["slots"][0]["state"]
            .as_str()
            .unwrap_or("none")
            .to_string()
    }

    /// The family's reservation and absence requests.
    async fn planning_requests(&self) -> usize {
        let r = self.app.get("/api/requests", Some(&self.parent)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "reservation" || i["kind"] == "absence")
            .count()
    }

    async fn set_mode(&self, activity: &str, mode: &str) -> marelle_testkit::TestResponse {
        self.app
            .patch(
                &format!("/api/agent/activities/{activity}"),
                json!({"missing_document": mode}),
                Some(&self.agent),
            )
            .await
    }
}

fn dates(r: &marelle_testkit::TestResponse) -> Vec<String> {
    r.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["date"].as_str().unwrap().to_string())
        .collect()
}

fn refused(r: &marelle_testkit::TestResponse, key: &str) -> Vec<(String, String)> {
    r.body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[if key == "errors" { "field" } else { "date" }]
                    .as_str()
                    .unwrap()
                    .to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const VACCINES_MISSING: &str = "Il manque la pièce justificative « Carnet de vaccination » de Maéva (à envoyer depuis Pièces justificatives).";

async fn without_a_mandatory_type_nothing_changes(app: TestApp) {
    let w = World::new(app).await;
    // Mandatory for another activity, or not mandatory at all.
    let other = w.activity("Accueil du soir").await;
    w.doc_type("Carnet de vaccination", "child", "permanent", &[&other])
        .await;
    w.doc_type("PAI", "child", "year", &[]).await;
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(dates(&r), ["2026-12-07"]);
    assert_eq!(r.body["refused"], json!([]));
    assert_eq!(r.body["warnings"], json!([]));
    // An activity reads `block` unless set otherwise.
    let r = w
        .app
        .get(
            &format!("/api/agent/activities/{}", w.canteen),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.body["missing_document"], "block");
}

async fn a_missing_document_refuses_the_day_and_writes_nothing(app: TestApp) {
    let w = World::new(app).await;
    w.doc_type("Carnet de vaccination", "child", "permanent", &[&w.canteen])
        .await;
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "missing_document");
    assert_eq!(r.body["detail"], VACCINES_MISSING);
    assert_eq!(
        r.body["errors"],
        json!([{"field": "2026-12-07", "code": "missing_document", "message": VACCINES_MISSING}])
    );
    assert_eq!(w.state(&w.maeva, "2026-12-07").await, "enrolled");
    assert_eq!(w.planning_requests().await, 0, "nothing written");

    // A period: no day can be asked, whatever the mode.
    for mode in ["all_or_nothing", "valid_days"] {
        let r = w
            .ask(json!({"kind": "reservation", "child_id": w.maeva, "activity_id": w.canteen,
                        "from": "2026-12-07", "to": "2026-12-11", "weekdays": ["mon", "tue"], "mode": mode}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert_eq!(r.code(), "no_day_possible");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("pièce justificative"),
            "{:?}",
            r.body
        );
        assert_eq!(
            refused(&r, "errors"),
            [
                ("2026-12-07".to_string(), "missing_document".to_string()),
                ("2026-12-08".to_string(), "missing_document".to_string())
            ]
        );
    }
    // A place on the waiting list is a reservation too.
    let r = w
        .ask(
            json!({"kind": "reservation", "child_id": w.maeva, "activity_id": w.canteen,
                    "dates": ["2026-12-10"], "waiting_list": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "missing_document");
    assert_eq!(w.planning_requests().await, 0, "nothing written");
}

async fn pending_and_refused_documents_do_not_count_an_accepted_one_does(app: TestApp) {
    let w = World::new(app).await;
    let vaccines = w
        .doc_type("Carnet de vaccination", "child", "permanent", &[&w.canteen])
        .await;
    let request = w.send(&vaccines, Some(&w.maeva)).await;
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "missing_document");
    assert_eq!(
        r.body["detail"],
        "La pièce justificative « Carnet de vaccination » de Maéva n'a pas encore été acceptée par la collectivité."
    );
    w.decide(&request, "refused").await;
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "missing_document");
    assert_eq!(
        r.body["detail"],
        "La pièce justificative « Carnet de vaccination » de Maéva a été refusée (à renvoyer depuis Pièces justificatives)."
    );
    assert_eq!(w.planning_requests().await, 0);

    w.accepted(&vaccines, Some(&w.maeva)).await;
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(dates(&r), ["2026-12-07"]);
    assert_eq!(r.body["warnings"], json!([]));
    assert_eq!(
        w.state(&w.maeva, "2026-12-07").await,
        "reservation_requested"
    );
}

async fn an_expired_document_refuses_only_the_days_after_it(app: TestApp) {
    let w = World::new(app).await;
    let insurance = w
        .doc_type(
            "Attestation d'assurance",
            "child",
            "until:2026-12-15",
            &[&w.canteen],
        )
        .await;
    w.accepted(&insurance, Some(&w.maeva)).await;
    let days = ["2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18"];
    let expired = |d: &str| {
        format!(
            "La pièce justificative « Attestation d'assurance » de Maéva n'est plus valable le {d}."
        )
    };

    // All or nothing: the days after the 15th are refused, nothing is
    // recorded.
    let r = w
        .ask(json!({"kind": "reservation", "child_id": w.maeva, "activity_id": w.canteen, "dates": days}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "missing_document");
    assert_eq!(
        r.body["errors"],
        json!([
            {"field": "2026-12-17", "code": "missing_document", "message": expired("17/12/2026")},
            {"field": "2026-12-18", "code": "missing_document", "message": expired("18/12/2026")}
        ])
    );
    assert_eq!(w.planning_requests().await, 0);

    // Valid days: the 14th and the 15th (its last valid day) are kept.
    let r = w
        .ask(
            json!({"kind": "reservation", "child_id": w.maeva, "activity_id": w.canteen,
                    "dates": days, "mode": "valid_days"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(dates(&r), ["2026-12-14", "2026-12-15"]);
    assert_eq!(
        refused(&r, "refused"),
        [
            ("2026-12-17".to_string(), "missing_document".to_string()),
            ("2026-12-18".to_string(), "missing_document".to_string())
        ]
    );
    assert_eq!(r.body["refused"][0]["message"], expired("17/12/2026"));
    assert_eq!(
        w.state(&w.maeva, "2026-12-15").await,
        "reservation_requested"
    );
    assert_eq!(w.state(&w.maeva, "2026-12-17").await, "enrolled");
}

async fn a_family_document_counts_for_every_child(app: TestApp) {
    let w = World::new(app).await;
    let address = w
        .doc_type(
            "Justificatif de domicile",
            "family",
            "permanent",
            &[&w.canteen],
        )
        .await;
    let r = w.reserve(&w.zoe, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "missing_document");
    assert_eq!(
        r.body["detail"],
        "Il manque la pièce justificative « Justificatif de domicile » de la famille, obligatoire pour Zoé (à envoyer depuis Pièces justificatives)."
    );
    w.accepted(&address, None).await;
    for child in [&w.maeva, &w.zoe] {
        let r = w.reserve(child, &["2026-12-07"]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
}

async fn a_withdrawn_type_does_not_block(app: TestApp) {
    let w = World::new(app).await;
    let vaccines = w
        .doc_type("Carnet de vaccination", "child", "permanent", &[&w.canteen])
        .await;
    assert_eq!(
        w.reserve(&w.maeva, &["2026-12-07"]).await.code(),
        "missing_document"
    );
    let r = w
        .app
        .patch(
            &format!("/api/agent/document-types/{vaccines}"),
            json!({"active": false}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["warnings"], json!([]));
}

async fn an_activity_that_warns_records_with_one_warning_per_document(app: TestApp) {
    let w = World::new(app).await;
    let vaccines = w
        .doc_type("Carnet de vaccination", "child", "permanent", &[&w.canteen])
        .await;
    let insurance = w
        .doc_type(
            "Attestation d'assurance",
            "child",
            "until:2026-12-15",
            &[&w.canteen],
        )
        .await;
    w.accepted(&insurance, Some(&w.maeva)).await;

    // Only `block` and `warn`; only agents; only known activities.
    let r = w.set_mode(&w.canteen, "ignore").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_value");
    assert_eq!(
        r.field_codes(),
        [("missing_document".to_string(), "invalid_value".to_string())]
    );
    let r = w
        .app
        .patch(
            &format!("/api/agent/activities/{}", w.canteen),
            json!({"capacity": 3}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.code(), "unknown_field");
    let r = w
        .app
        .patch(
            &format!("/api/agent/activities/{}", w.canteen),
            json!({"missing_document": "warn"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.set_mode("inconnue", "warn").await.status,
        StatusCode::NOT_FOUND
    );

    let r = w.set_mode(&w.canteen, "warn").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["missing_document"], "warn");
    assert_eq!(
        r.body["name"], "Restauration scolaire",
        "the rest unchanged"
    );
    let r = w
        .app
        .get(
            &format!("/api/agent/activities/{}", w.canteen),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.body["missing_document"], "warn");

    // Four days, two documents lacking (one from the 17th on): one
    // warning each.
    let r = w
        .reserve(
            &w.maeva,
            &["2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18"],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(dates(&r).len(), 4);
    assert_eq!(r.body["refused"], json!([]));
    // In the order met, each with its first day lacking.
    assert_eq!(
        r.body["warnings"],
        json!([
            {"code": "missing_document", "type_id": vaccines, "child_id": w.maeva,
             "message": VACCINES_MISSING},
            {"code": "missing_document", "type_id": insurance, "child_id": w.maeva,
             "message": "La pièce justificative « Attestation d'assurance » de Maéva n'est plus valable le 17/12/2026."}
        ])
    );
    assert_eq!(
        w.state(&w.maeva, "2026-12-18").await,
        "reservation_requested"
    );

    // Back to `block`: refused again.
    assert_eq!(w.set_mode(&w.canteen, "block").await.status, StatusCode::OK);
    let r = w.reserve(&w.maeva, &["2026-12-21"]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "missing_document");
}

async fn another_childs_document_does_not_count(app: TestApp) {
    let w = World::new(app).await;
    let vaccines = w
        .doc_type("Carnet de vaccination", "child", "permanent", &[&w.canteen])
        .await;
    w.accepted(&vaccines, Some(&w.zoe)).await;
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["detail"], VACCINES_MISSING);
    let r = w.reserve(&w.zoe, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

async fn an_absence_is_never_blocked(app: TestApp) {
    let w = World::new(app).await;
    let r = w.reserve(&w.maeva, &["2026-12-07"]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let request = r.body["requests"][0]["id"].as_str().unwrap().to_string();
    w.decide(&request, "accepted").await;
    // The document becomes mandatory afterwards.
    w.doc_type("Carnet de vaccination", "child", "permanent", &[&w.canteen])
        .await;
    let r = w
        .ask(
            json!({"kind": "absence", "child_id": w.maeva, "activity_id": w.canteen,
                    "dates": ["2026-12-07"], "reason": "malade"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["warnings"], json!([]));
    assert_eq!(w.state(&w.maeva, "2026-12-07").await, "absence_requested");
}

async fn the_store_calls_a_mandatory_type_adds(app: TestApp) {
    let w = World::new(app).await;
    // The calls of a submission (and of the acknowledgment it sends, the
    // same whatever the documents).
    let calls = |body: Value| {
        let w = &w;
        async move {
            w.app.bus.idle().await;
            w.app.store.reset();
            let r = w.ask(body).await;
            w.app.bus.idle().await;
            (r, w.app.store.calls())
        }
    };
    let reserve = |dates: &[&str]| json!({"kind": "reservation", "child_id": w.maeva, "activity_id": w.canteen, "dates": dates});
    let absence = json!({"kind": "absence", "child_id": w.maeva, "activity_id": w.canteen, "dates": ["2026-12-21"]});

    // Without a type for the activity: the types are read, nothing else.
    let other = w.activity("Accueil du soir").await;
    w.doc_type("PAI", "child", "year", &[&other]).await;
    let (r, two) = calls(reserve(&["2026-12-07", "2026-12-08"])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let (r, four) = calls(reserve(&[
        "2027-01-04",
        "2027-01-05",
        "2027-01-07",
        "2027-01-08",
    ]))
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let (r, absence_calls) = calls(absence.clone()).await;
    assert_eq!(r.code(), "not_reserved", "{:?}", r.body);

    // With one (accepted): one call more, the family's documents,
    // whatever the number of days.
    let vaccines = w
        .doc_type("Carnet de vaccination", "child", "permanent", &[&w.canteen])
        .await;
    w.accepted(&vaccines, Some(&w.maeva)).await;
    let (r, n) = calls(reserve(&["2026-12-10", "2026-12-11"])).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(n, two + 1);
    let (r, n) = calls(reserve(&[
        "2027-01-11",
        "2027-01-12",
        "2027-01-14",
        "2027-01-15",
    ]))
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(n, four + 1);
    // An absence reads neither: as many calls as before the type.
    let (r, n) = calls(absence).await;
    assert_eq!(r.code(), "not_reserved", "{:?}", r.body);
    assert_eq!(n, absence_calls);
}
