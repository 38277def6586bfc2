//! Invoicing settings over the in-process API, on the embedded store and on
//! DynamoDB (moto), with the same scenarios: an activity's billing settings
//! and tariff (validation codes with their paths, versions, frozen tariff
//! versions), a family's quotients familiaux, and the dossier's quotient
//! recorded when an agent accepts the fiscal information.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::{Method, StatusCode};
use marelle_domain::keys;
use marelle_domain::ports::store::Item;
use marelle_testkit::{TestApp, TestResponse};
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_app("tariffs").await;
    a_grid_is_saved_read_back_and_versioned,
    every_validation_code_reaches_the_client_with_its_path,
    versions_already_issued_are_frozen,
    unknown_activities_and_families_and_big_bodies_are_refused,
    an_agent_sets_quotients_and_the_residence,
    accepting_the_dossiers_quotient_familial_records_it,
    a_family_created_with_its_quotient_familial_has_it_from_the_dossier,
    items_seeded_without_a_version_are_read_and_written,
);

struct World {
    app: TestApp,
    agent: String,
    activity: String,
    regie: String,
}

async fn world(app: TestApp) -> World {
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let r = app
        .post(
            "/api/agent/activities",
            json!({"name": "Restauration scolaire", "establishment": "École Lux", "start": "11:30",
                   "end": "13:30", "weekdays": ["mon", "tue", "thu", "fri"],
                   "period": {"from": "2026-09-01", "to": "2027-07-06"}, "validation": "automatic"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let activity = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/agent/regies",
            json!({"name": "Restauration"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let regie = r.body["id"].as_str().unwrap().to_string();
    World {
        app,
        agent,
        activity,
        regie,
    }
}

impl World {
    async fn put(&self, path: &str, body: Value) -> TestResponse {
        self.app
            .call(Method::PUT, path, Some(body), Some(&self.agent))
            .await
    }

    fn billing_path(&self) -> String {
        format!("/api/agent/activities/{}/billing", self.activity)
    }

    async fn put_billing(&self, body: Value) -> TestResponse {
        self.put(&self.billing_path(), body).await
    }

    /// Settings with `versions` on version `version`.
    fn settings(&self, versions: Value, version: i64) -> Value {
        json!({"regie_id": self.regie, "billed_on": "reserved", "unexcused_fee_cents": 200,
               "versions": versions, "version": version})
    }
}

/// A grid of 3 brackets from `from`: < 500 €, 500–1000 €, 1000 € and more.
fn grid(from: &str, prices: [i64; 3]) -> Value {
    json!({"effective_from": from, "unit": "meal",
           "brackets": [{"from_euros": 0, "to_euros": 500, "cents": prices[0]},
                        {"from_euros": 500, "to_euros": 1000, "cents": prices[1]},
                        {"from_euros": 1000, "cents": prices[2]}],
           "second_child": {"percent": 10}, "outside_cents": 600, "default_cents": 450})
}

async fn a_grid_is_saved_read_back_and_versioned(app: TestApp) {
    let w = world(app).await;
    let r = w.app.get(&w.billing_path(), Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["activity_name"], "Restauration scolaire");
    assert_eq!(r.body["settings"], Value::Null);

    let r = w
        .put_billing(w.settings(json!([grid("2026-09-01", [120, 250, 380])]), 0))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["settings"]["version"], 1);
    let r = w.app.get(&w.billing_path(), Some(&w.agent)).await;
    let s = &r.body["settings"];
    assert_eq!(s["regie_id"], w.regie.as_str());
    assert_eq!(s["billed_on"], "reserved");
    assert_eq!(s["unexcused_fee_cents"], 200);
    assert_eq!(s["unreserved_fee_cents"], Value::Null);
    assert_eq!(s["versions"][0]["brackets"][2]["cents"], 380);
    assert_eq!(s["versions"][0]["brackets"][2]["to_euros"], Value::Null);
    assert_eq!(s["versions"][0]["second_child"], json!({"percent": 10}));
    assert_eq!(r.body["issued_through"], Value::Null);

    // The item is the documented one, the domain's tariff inside.
    let item = w
        .app
        .state
        .store
        .get(&keys::activity_billing(&w.activity))
        .await
        .unwrap()
        .unwrap();
    let tariff: marelle_domain::invoicing::Tariff =
        serde_json::from_value(item.get("tariff").unwrap().clone()).unwrap();
    assert_eq!(tariff.activity_id, w.activity);
    assert_eq!(tariff.versions[0].brackets[1].cents, 250);

    // A write on a stale version is refused; nothing changes.
    let r = w
        .put_billing(w.settings(json!([grid("2026-09-01", [1, 2, 3])]), 0))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "conflict");
    assert!(r.body["detail"].as_str().unwrap().contains("entre-temps"));
    let r = w.app.get(&w.billing_path(), Some(&w.agent)).await;
    assert_eq!(
        r.body["settings"]["versions"][0]["brackets"][0]["cents"],
        120
    );

    // On the version read: a second version, from January.
    let r = w
        .put_billing(w.settings(
            json!([
                grid("2026-09-01", [120, 250, 380]),
                grid("2027-01-01", [130, 260, 390])
            ]),
            1,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["settings"]["version"], 2);
    assert_eq!(r.body["settings"]["versions"].as_array().unwrap().len(), 2);
}

async fn every_validation_code_reaches_the_client_with_its_path(app: TestApp) {
    let w = world(app).await;
    let f = |path: &str, code: &str| (path.to_string(), code.to_string());
    // Every error of one body at once, each on its field.
    let mut bad = grid("2026-09-01", [120, 250, 380]);
    bad["brackets"][1]["from_euros"] = json!(600);
    bad["brackets"][2]["to_euros"] = json!(5000);
    bad["brackets"][0]["cents"] = json!(-1);
    bad["second_child"] = json!({"percent": 150});
    bad["default_cents"] = json!(100_001);
    let mut body = w.settings(json!([bad, grid("2026-01-01", [1, 2, 3])]), 0);
    body["regie_id"] = json!("inconnue");
    body["unreserved_fee_cents"] = json!(-5);
    let r = w.put_billing(body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let got = r.field_codes();
    for want in [
        f("regie_id", "unknown_regie"),
        f("unreserved_fee_cents", "fee_invalid"),
        f("versions[1].effective_from", "tariff_version_order"),
        f("versions[0].default_cents", "tariff_price_too_high"),
        f("versions[0].second_child", "tariff_reduction_invalid"),
        f("versions[0].brackets[0].cents", "tariff_negative_price"),
        f("versions[0].brackets[1].from_euros", "tariff_bracket_gap"),
        f(
            "versions[0].brackets[2].to_euros",
            "tariff_bracket_last_bounded",
        ),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
    assert_eq!(got.len(), 8, "{got:?}");
    assert!(r.body["detail"].as_str().unwrap().starts_with("8 champs"));

    // The other rules, one at a time.
    let cases: Vec<(Value, (String, String))> = vec![
        (json!([]), f("versions", "tariff_empty")),
        (
            {
                let mut g = grid("2026-09-01", [1, 2, 3]);
                g["brackets"][1]["from_euros"] = json!(400);
                json!([g])
            },
            f(
                "versions[0].brackets[1].from_euros",
                "tariff_bracket_overlap",
            ),
        ),
        (
            {
                let mut g = grid("2026-09-01", [1, 2, 3]);
                g["brackets"][0]["from_euros"] = json!(1);
                json!([g])
            },
            f("versions[0].brackets[0].from_euros", "tariff_bracket_start"),
        ),
        (
            {
                let mut g = grid("2026-09-01", [1, 2, 3]);
                g["brackets"][1]["to_euros"] = json!(500);
                g["brackets"][2]["from_euros"] = json!(500);
                json!([g])
            },
            f("versions[0].brackets[1].to_euros", "tariff_bracket_empty"),
        ),
        (
            {
                let mut g = grid("2026-09-01", [1, 2, 3]);
                g["brackets"][1]["to_euros"] = Value::Null;
                json!([g])
            },
            f("versions[0].brackets[1].to_euros", "tariff_bracket_open"),
        ),
        (
            {
                let mut g = grid("2026-09-01", [1, 2, 3]);
                g["brackets"] = json!([]);
                json!([g])
            },
            f("versions[0].brackets", "tariff_brackets_empty"),
        ),
        (
            {
                let mut g = grid("2026-09-01", [1, 2, 3]);
                g["brackets"] = (0..21)
                    .map(|i| {
                        if i == 20 {
                            json!({"from_euros": i * 100, "cents": 1})
                        } else {
                            json!({"from_euros": i * 100, "to_euros": (i + 1) * 100, "cents": 1})
                        }
                    })
                    .collect();
                json!([g])
            },
            f("versions[0].brackets", "tariff_too_many_brackets"),
        ),
        (
            {
                let mut g = grid("2026-09-01", [1, 2, 3]);
                g["second_child"] = json!({"cents": -1});
                g["outside_cents"] = json!(200_000);
                json!([g])
            },
            f("versions[0].outside_cents", "tariff_price_too_high"),
        ),
        (
            (0..51)
                .map(|i| {
                    let day =
                        chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap() + chrono::Days::new(i);
                    grid(&day.to_string(), [1, 2, 3])
                })
                .collect(),
            f("versions", "tariff_too_many_versions"),
        ),
    ];
    for (versions, want) in cases {
        let r = w.put_billing(w.settings(versions, 0)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(
            r.field_codes().contains(&want),
            "{want:?} not in {:?}",
            r.field_codes()
        );
    }
    // A fee too high; an unknown unit or field is a 400 naming it.
    let mut body = w.settings(json!([grid("2026-09-01", [1, 2, 3])]), 0);
    body["unexcused_fee_cents"] = json!(100_001);
    let r = w.put_billing(body).await;
    assert_eq!(
        r.field_codes(),
        [f("unexcused_fee_cents", "fee_invalid")],
        "{:?}",
        r.body
    );
    let mut g = grid("2026-09-01", [1, 2, 3]);
    g["unit"] = json!("semaine");
    let r = w.put_billing(w.settings(json!([g]), 0)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_value");
    // An inactive régie is refused too.
    let r = w
        .app
        .patch(
            &format!("/api/agent/regies/{}", w.regie),
            json!({"active": false}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .put_billing(w.settings(json!([grid("2026-09-01", [1, 2, 3])]), 0))
        .await;
    assert_eq!(r.field_codes(), [f("regie_id", "unknown_regie")]);
    // Nothing was written by any of these.
    let r = w.app.get(&w.billing_path(), Some(&w.agent)).await;
    assert_eq!(r.body["settings"], Value::Null);
}

async fn versions_already_issued_are_frozen(app: TestApp) {
    let w = world(app).await;
    let first = grid("2026-09-01", [120, 250, 380]);
    let march = grid("2027-03-01", [125, 255, 385]);
    let r = w.put_billing(w.settings(json!([first, march]), 0)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // The régie issued February 2027 (as the monthly run records it).
    let mut state = Item::new(keys::invoicing_state(&w.regie));
    state.set("issued_through", json!("2027-02-28"));
    w.app.state.store.put(state, None).await.unwrap();
    let r = w.app.get(&w.billing_path(), Some(&w.agent)).await;
    assert_eq!(r.body["issued_through"], "2027-02-28");

    // September's version cannot change…
    let mut changed = first.clone();
    changed["brackets"][0]["cents"] = json!(100);
    let r = w.put_billing(w.settings(json!([changed, march]), 1)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "tariff_version_frozen");
    assert_eq!(r.field_codes()[0].0, "versions[0]");
    assert!(
        r.body["detail"].as_str().unwrap().contains("28/02/2027"),
        "{:?}",
        r.body
    );
    // …nor go…
    let r = w.put_billing(w.settings(json!([march]), 1)).await;
    assert_eq!(r.code(), "tariff_version_frozen");
    assert_eq!(r.field_codes()[0].0, "versions");
    // …and a new version cannot start on or before the last day issued.
    let r = w
        .put_billing(w.settings(json!([first, grid("2027-02-15", [1, 2, 3]), march]), 1))
        .await;
    assert_eq!(r.code(), "tariff_version_frozen");
    assert_eq!(r.field_codes()[0].0, "versions[1].effective_from");
    // March's version, not issued yet, may change, and a later one be added.
    let r = w
        .put_billing(w.settings(
            json!([
                first,
                grid("2027-03-01", [1, 2, 3]),
                grid("2027-09-01", [4, 5, 6])
            ]),
            1,
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["issued_through"], "2027-02-28");
    // Moving the activity to another régie keeps the first régie's months frozen.
    let r = w
        .app
        .post(
            "/api/agent/regies",
            json!({"name": "Périscolaire"}),
            Some(&w.agent),
        )
        .await;
    let other = r.body["id"].as_str().unwrap().to_string();
    let mut body = w.settings(json!([grid("2026-09-01", [1, 2, 3])]), 2);
    body["regie_id"] = json!(other);
    let r = w.put_billing(body).await;
    assert_eq!(r.code(), "tariff_version_frozen", "{:?}", r.body);
}

async fn unknown_activities_and_families_and_big_bodies_are_refused(app: TestApp) {
    let w = world(app).await;
    for path in [
        "/api/agent/activities/inconnue/billing",
        "/api/agent/activities/a%23b/billing",
    ] {
        let r = w.app.get(path, Some(&w.agent)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.code(), "unknown_activity");
        let r = w
            .put(path, w.settings(json!([grid("2026-09-01", [1, 2, 3])]), 0))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = w
        .app
        .get("/api/agent/families/inconnue/quotients", Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "unknown_family");
    let r = w
        .put(
            "/api/agent/families/inconnue/quotients",
            json!({"quotients": [], "version": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Bodies are bounded.
    let mut body = w.settings(json!([grid("2026-09-01", [1, 2, 3])]), 0);
    body["padding"] = json!("x".repeat(200 * 1024));
    let r = w.put_billing(body).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    let family = w.app.dupont_family(&w.agent).await;
    let path = format!(
        "/api/agent/families/{}/quotients",
        family["id"].as_str().unwrap()
    );
    let r = w
        .put(
            &path,
            json!({"quotients": [], "version": 0, "padding": "x".repeat(100 * 1024)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
}

async fn an_agent_sets_quotients_and_the_residence(app: TestApp) {
    let w = world(app).await;
    let family = w.app.dupont_family(&w.agent).await;
    let path = format!(
        "/api/agent/families/{}/quotients",
        family["id"].as_str().unwrap()
    );
    let r = w.app.get(&path, Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["quotients"], json!([]));
    assert_eq!(r.body["resident"], Value::Null);
    assert_eq!(r.body["version"], 0);

    let q = |euros: u32, dated: &str, until: &str| json!({"euros": euros, "dated": dated, "valid_until": until});
    let r = w
        .put(
            &path,
            json!({"quotients": [q(650, "2026-09-01", "2027-08-31"), q(720, "2027-01-01", "2027-12-31")],
                   "resident": false, "version": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["version"], 1);
    let r = w.app.get(&path, Some(&w.agent)).await;
    assert_eq!(r.body["resident"], false);
    // Most recent first, marked as the agent's.
    assert_eq!(r.body["quotients"][0]["euros"], 720);
    assert_eq!(r.body["quotients"][0]["source"], "agent");
    assert_eq!(r.body["quotients"][1]["valid_until"], "2027-08-31");

    // Each error on its quotient's field; stale writes refused.
    let r = w
        .put(
            &path,
            json!({"quotients": [q(650, "2026-09-01", "2026-08-31"), q(100_001, "2026-09-01", "2027-08-31")],
                   "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(
        r.field_codes(),
        [
            (
                "quotients[0].valid_until".to_string(),
                "qf_validity".to_string()
            ),
            ("quotients[1].euros".to_string(), "qf_too_high".to_string())
        ]
    );
    let many: Vec<Value> = (0..51)
        .map(|_| q(650, "2026-09-01", "2027-08-31"))
        .collect();
    let r = w.put(&path, json!({"quotients": many, "version": 1})).await;
    assert_eq!(r.code(), "too_many_quotients", "{:?}", r.body);
    let r = w
        .put(
            &path,
            json!({"quotients": [], "resident": true, "version": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    // The residence back to the address; quotients removed.
    let r = w
        .put(
            &path,
            json!({"quotients": [], "resident": null, "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["resident"], Value::Null);
    assert_eq!(r.body["quotients"], json!([]));
    let item = w
        .app
        .state
        .store
        .get(&keys::quotients(family["id"].as_str().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.get("version"), Some(&json!(2)));
}

async fn accepting_the_dossiers_quotient_familial_records_it(app: TestApp) {
    let w = world(app).await;
    let family = w.app.dupont_family(&w.agent).await;
    let family_id = family["id"].as_str().unwrap();
    let parent = w.app.parent("lea@exemple.fr", "Motdepasse1").await;
    let r = w
        .app
        .subscribe(&parent, family["subscriber_code"].as_str().unwrap())
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let path = format!("/api/agent/families/{family_id}/quotients");
    // An agent's quotient first: it stays.
    let r = w
        .put(
            &path,
            json!({"quotients": [{"euros": 500, "dated": "2020-01-01", "valid_until": "2020-12-31"}],
                   "resident": true, "version": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let submit = |qf: u32, number: &'static str| {
        let app = &w.app;
        let parent = parent.clone();
        async move {
            let r = app
                .patch(
                    "/api/family",
                    json!({"fiscal": {"regime": "caf", "allocataire_number": number, "quotient_familial": qf}}),
                    Some(&parent),
                )
                .await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
            r.body["request_id"].as_str().unwrap().to_string()
        }
    };
    // Submitted: nothing yet. Refused: nothing.
    let refused = submit(640, "111").await;
    assert_eq!(
        w.app.get(&path, Some(&w.agent)).await.body["quotients"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = w
        .app
        .decide(&w.agent, &refused, "refused", Some("Attestation illisible"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        w.app.get(&path, Some(&w.agent)).await.body["quotients"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Accepted: the dossier's quotient, dated the day of the decision, for a year.
    let accepted = submit(650, "1234567").await;
    let r = w.app.decide(&w.agent, &accepted, "accepted", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let today = {
        use marelle_domain::ports::Clock;
        marelle_domain::time::local_date(w.app.clock.now())
    };
    let r = w.app.get(&path, Some(&w.agent)).await;
    let list = r.body["quotients"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["euros"], 650);
    assert_eq!(list[0]["source"], "dossier");
    assert_eq!(list[0]["dated"], today.to_string());
    let until = marelle_api::invoicing::settings::quotients::dossier_validity(today);
    assert_eq!(list[0]["valid_until"], until.to_string());
    assert_eq!(list[1]["source"], "agent");
    assert_eq!(r.body["resident"], true);
    // The dossier holds it too.
    let d = w
        .app
        .get(&format!("/api/agent/families/{family_id}"), Some(&w.agent))
        .await;
    assert_eq!(d.body["fiscal"]["quotient_familial"], 650, "{:?}", d.body);

    // The same QF again (another change of the fiscal information): not twice.
    let again = submit(650, "7654321").await;
    let r = w.app.decide(&w.agent, &again, "accepted", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = w.app.get(&path, Some(&w.agent)).await;
    assert_eq!(r.body["quotients"].as_array().unwrap().len(), 2);

    // An agent's later write keeps the dossier's quotient.
    let version = r.body["version"].as_i64().unwrap();
    let r = w
        .put(&path, json!({"quotients": [], "version": version}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["quotients"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["quotients"][0]["source"], "dossier");
    assert_eq!(r.body["resident"], Value::Null);
}

async fn a_family_created_with_its_quotient_familial_has_it_from_the_dossier(app: TestApp) {
    let w = world(app).await;
    let created = w
        .app
        .create_family(
            &w.agent,
            json!({
                "guardians": [{"civility": "M.", "last_name": "MARTIN", "first_name": "Paul",
                               "email": "paul@exemple.fr", "quality": "father"}],
                "fiscal": {"regime": "caf", "allocataire_number": "1234567", "quotient_familial": 820}
            }),
        )
        .await;
    let path = format!(
        "/api/agent/families/{}/quotients",
        created["id"].as_str().unwrap()
    );
    let r = w.app.get(&path, Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let today = {
        use marelle_domain::ports::Clock;
        marelle_domain::time::local_date(w.app.clock.now())
    };
    assert_eq!(
        r.body["quotients"],
        json!([{"euros": 820, "dated": today.to_string(), "source": "dossier",
                "valid_until": marelle_api::invoicing::settings::quotients::dossier_validity(today).to_string()}])
    );
    assert_eq!(r.body["version"], 1);
    // Without a quotient familial, nothing is stored.
    let plain = w.app.dupont_family(&w.agent).await;
    let r = w
        .app
        .get(
            &format!(
                "/api/agent/families/{}/quotients",
                plain["id"].as_str().unwrap()
            ),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.body["version"], 0);
}

async fn items_seeded_without_a_version_are_read_and_written(app: TestApp) {
    let w = world(app).await;
    // As another slice's seeding might write them: the documented fields, no version.
    let mut billing = Item::new(keys::activity_billing(&w.activity));
    billing.set("regie_id", json!(w.regie));
    billing.set("billed_on", json!("attended"));
    billing.set(
        "tariff",
        json!({"activity_id": w.activity, "versions": [grid("2026-09-01", [1, 2, 3])]}),
    );
    w.app.state.store.put(billing, None).await.unwrap();
    let family = w.app.dupont_family(&w.agent).await;
    let family_id = family["id"].as_str().unwrap();
    let mut qf = Item::new(keys::quotients(family_id));
    qf.set(
        "quotients",
        json!([{"euros": 700, "dated": "2026-09-01", "valid_until": "2027-08-31", "source": "dossier"}]),
    );
    w.app.state.store.put(qf, None).await.unwrap();

    let r = w.app.get(&w.billing_path(), Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["settings"]["version"], 0);
    assert_eq!(r.body["settings"]["billed_on"], "attended");
    let r = w
        .put_billing(w.settings(json!([grid("2026-09-01", [4, 5, 6])]), 0))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["settings"]["version"], 1);

    let path = format!("/api/agent/families/{family_id}/quotients");
    let r = w.app.get(&path, Some(&w.agent)).await;
    assert_eq!(r.body["version"], 0);
    assert_eq!(r.body["quotients"][0]["euros"], 700);
    let r = w
        .put(
            &path,
            json!({"quotients": [], "resident": false, "version": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["quotients"][0]["source"], "dossier");
}
