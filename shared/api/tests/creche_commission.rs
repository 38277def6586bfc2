//! Crèche commission sessions: decisions checked all before anything is
//! written, then applied one by one as the single routes do (no e-mail),
//! a concurrent change recorded as « not applied » and retried
//! idempotently, offers sent once. On the embedded store and on DynamoDB
//! (moto), with the same scenarios. A store wrapper changes an
//! application between the session's check and its write.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::Duration;
use marelle_domain::ports::Store;
use marelle_domain::ports::store::{Condition, Item, Key, Page, Query, StoreError, Update, Write};
use marelle_testkit::{TestApp, t0};
use serde_json::{Value, json};

on_both_stores!(
    embedded: super::embedded_harness().await,
    dynamodb: super::dynamodb_harness().await;
    a_session_is_recorded_and_applied_as_the_single_routes_do,
    one_faulty_row_and_nothing_is_written,
    the_session_is_bounded,
    a_change_between_check_and_write_leaves_one_decision_not_applied,
    the_offers_are_sent_once,
    agents_only_and_unknown_sessions,
);

/// What the store wrapper does to an application the first time a
/// transaction writes it.
#[derive(Clone, Copy)]
enum Meddle {
    /// Its version moves on, nothing else (as a renewal would).
    Touch,
    /// The family withdrew it.
    Withdraw,
}

/// A store that changes an armed application just before the first
/// transaction writing it: what a family or another agent would do
/// between the commission's check and its write.
struct Meddler {
    inner: Arc<dyn Store>,
    armed: Mutex<Vec<(Key, Meddle)>>,
}

impl Meddler {
    fn arm(&self, key: Key, what: Meddle) {
        self.armed.lock().unwrap().push((key, what));
    }
}

#[async_trait]
impl Store for Meddler {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.get_many(keys).await
    }
    async fn put(&self, item: Item, condition: Option<Condition>) -> Result<(), StoreError> {
        self.inner.put(item, condition).await
    }
    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, StoreError> {
        self.inner.update(key, update, condition).await
    }
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> Result<(), StoreError> {
        self.inner.delete(key, condition).await
    }
    async fn query(&self, query: Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let hit = {
            let mut armed = self.armed.lock().unwrap();
            let found = armed
                .iter()
                .position(|(k, _)| writes.iter().any(|w| &w.key() == k));
            found.map(|i| armed.remove(i))
        };
        if let Some((key, what)) = hit {
            let mut item = self.inner.get(&key).await?.unwrap();
            let version = item.get("version").and_then(Value::as_i64).unwrap();
            item.set("version", json!(version + 1));
            if let Meddle::Withdraw = what {
                item.set("status", json!("withdrawn"));
            }
            self.inner.put(item, None).await?;
        }
        self.inner.transact(writes).await
    }
    async fn write_many(&self, puts: Vec<Item>, deletes: Vec<Key>) -> Result<(), StoreError> {
        self.inner.write_many(puts, deletes).await
    }
}

struct Harness {
    app: TestApp,
    meddler: Arc<Meddler>,
    _guard: Option<Box<dyn std::any::Any + Send + Sync>>,
}

async fn embedded_harness() -> Harness {
    let fixture = marelle_testkit::embedded::store().await;
    let meddler = Arc::new(Meddler {
        inner: fixture.store.clone(),
        armed: Mutex::new(Vec::new()),
    });
    let m = meddler.clone();
    let app = TestApp::with_store(move |_| m as Arc<dyn Store>).await;
    Harness {
        app,
        meddler,
        _guard: Some(Box::new(fixture)),
    }
}

async fn dynamodb_harness() -> Harness {
    let config = common::moto_config().await;
    let make = common::dynamo_store(&config, "commission").await;
    let cell: Arc<Mutex<Option<Arc<Meddler>>>> = Arc::new(Mutex::new(None));
    let c = cell.clone();
    let app = TestApp::with_store(move |clock| {
        let m = Arc::new(Meddler {
            inner: make(clock),
            armed: Mutex::new(Vec::new()),
        });
        *c.lock().unwrap() = Some(m.clone());
        m as Arc<dyn Store>
    })
    .await;
    let meddler = cell.lock().unwrap().clone().unwrap();
    Harness {
        app,
        meddler,
        _guard: None,
    }
}

struct World {
    agent: String,
    parent: String,
    family: String,
    structures: Vec<String>,
}

async fn world(app: &TestApp) -> World {
    let d = common::dupont(app, json!([]), None).await;
    let mut structures = Vec::new();
    for name in ["Les Petits Loups", "Les Lutins"] {
        let body = json!({"name": name, "address": "1 rue des Écoles"});
        structures.push(common::creche(app, &d.agent, body).await);
    }
    World {
        agent: d.agent,
        parent: d.parent,
        family: d.family,
        structures,
    }
}

/// An application for a child expected on `due`, then set to `status`
/// (`submitted` leaves it). Its id and its request's.
async fn application(app: &TestApp, w: &World, due: &str, status: &str) -> (String, String) {
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={}", w.family),
            json!({
                "expected": {"due_date": due, "first_name": "Léa"},
                "start_date": "2027-09-01",
                "schedule": [{"weekday": "mon", "start": "08:30", "end": "17:30"}],
                "structures": [w.structures[0]],
            }),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let request = r.body["request_id"].as_str().unwrap().to_string();
    if status != "submitted" {
        let r = app
            .post(
                &format!("/api/agent/creche/applications/{id}/status"),
                json!({"status": status}),
                Some(&w.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    (id, request)
}

async fn read(app: &TestApp, w: &World, id: &str) -> Value {
    let r = app
        .get(
            &format!("/api/agent/creche/applications/{id}"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn deadline() -> String {
    (t0() + Duration::days(15)).to_rfc3339()
}

fn offer(w: &World, id: &str) -> Value {
    json!({"application_id": id, "decision": "offer", "structure_id": w.structures[1],
           "start_date": "2027-09-01", "message": "Bienvenue aux Lutins."})
}

async fn commission(app: &TestApp, w: &World, decisions: Value) -> marelle_testkit::TestResponse {
    app.post(
        "/api/agent/creche/commissions",
        json!({"held_on": "2026-11-27", "name": "Commission de novembre",
               "deadline": deadline(), "decisions": decisions}),
        Some(&w.agent),
    )
    .await
}

fn outcomes(view: &Value) -> Vec<(String, String)> {
    view["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["outcome"].as_str().unwrap().to_string(),
                d["mail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn offer_mails(app: &TestApp) -> usize {
    app.emails()
        .await
        .iter()
        .filter(|m| m.subject.contains("place en crèche vous est proposée"))
        .count()
}

async fn a_session_is_recorded_and_applied_as_the_single_routes_do(h: Harness) {
    let app = &h.app;
    let w = world(app).await;
    let (a1, _) = application(app, &w, "2027-03-01", "under_review").await;
    let (a2, _) = application(app, &w, "2027-04-01", "under_review").await;
    let (a3, r3) = application(app, &w, "2027-05-01", "waiting").await;
    let (a4, _) = application(app, &w, "2027-06-01", "waiting").await;
    let r = commission(
        app,
        &w,
        json!([
            offer(&w, &a1),
            {"application_id": a2, "decision": "waiting"},
            {"application_id": a3, "decision": "refuse", "message": "Vous avez quitté la commune."},
            {"application_id": a4, "decision": "waiting"},
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        outcomes(&r.body),
        pairs(&[
            ("applied", "to_send"),
            ("applied", "none"),
            ("applied", "none"),
            ("unchanged", "none"),
        ])
    );
    assert_eq!(r.body["to_send"], 1);
    assert_eq!(r.body["sent_at"], Value::Null);
    assert_eq!(r.body["decisions"][0]["structure"], "Les Lutins");
    assert_eq!(r.body["decisions"][0]["family"], "Léa DUPONT");
    assert_eq!(r.body["decisions"][0]["child"], "Enfant à naître (Léa)");
    let id = r.body["id"].as_str().unwrap().to_string();

    // As the offer route leaves it, without its e-mail.
    let a = read(app, &w, &a1).await;
    assert_eq!(a["status"], "offered");
    assert_eq!(a["offer"]["structure"], "Les Lutins");
    assert_eq!(a["offer"]["start_date"], "2027-09-01");
    assert_eq!(
        a["offer"]["deadline"].as_str().unwrap(),
        marelle_domain::time::rfc3339(t0() + Duration::days(15))
    );
    assert_eq!(
        a["history"].as_array().unwrap().last().unwrap()["event"],
        "offered"
    );
    assert_eq!(offer_mails(app).await, 0);
    // The parent reads the offer.
    let r = app
        .get(&format!("/api/creche/applications/{a1}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["status"], "offered");
    assert_eq!(read(app, &w, &a2).await["status"], "waiting");
    // The refusal closes it, and refuses its request with the message.
    assert_eq!(read(app, &w, &a3).await["status"], "closed");
    let r = app
        .get(&format!("/api/requests/{r3}"), Some(&w.parent))
        .await;
    assert_eq!(r.body["state"], "refused");
    let last = r.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["message"], "Vous avez quitté la commune.");
    // Already waiting: nothing written.
    assert_eq!(
        read(app, &w, &a4).await["history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let r = app
        .get(
            &format!("/api/agent/creche/commissions/{id}"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"], "Commission de novembre");
    assert_eq!(r.body["held_on"], "2026-11-27");
    assert_eq!(r.body["decisions"].as_array().unwrap().len(), 4);

    // A second session, later: listed first.
    let (a5, _) = application(app, &w, "2027-07-01", "under_review").await;
    app.clock.set(t0() + Duration::hours(1));
    let r = commission(
        app,
        &w,
        json!([{"application_id": a5, "decision": "waiting"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let second = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .get("/api/agent/creche/commissions", Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let listed: Vec<_> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, vec![second, id]);
    assert_eq!(r.body["items"][1]["decisions"], 4);
    assert_eq!(r.body["items"][1]["offers"], 1);
}

async fn one_faulty_row_and_nothing_is_written(h: Harness) {
    let app = &h.app;
    let w = world(app).await;
    let (a1, _) = application(app, &w, "2027-03-01", "under_review").await;
    let (a2, _) = application(app, &w, "2027-04-01", "submitted").await;
    let (a3, _) = application(app, &w, "2027-05-01", "under_review").await;
    let mut past = offer(&w, &a3);
    past["start_date"] = json!("2026-01-05");
    let r = commission(
        app,
        &w,
        json!([
            offer(&w, &a1),
            offer(&w, &a2),
            {"application_id": "inconnue", "decision": "waiting"},
            past,
            {"application_id": a1, "decision": "refuse"},
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_decisions");
    assert_eq!(
        r.field_codes(),
        vec![
            ("decisions[1]".to_string(), "invalid_transition".to_string()),
            (
                "decisions[2]".to_string(),
                "unknown_application".to_string()
            ),
            ("decisions[3]".to_string(), "invalid_start_date".to_string()),
            (
                "decisions[4]".to_string(),
                "duplicate_application".to_string()
            ),
        ]
    );
    // Each message names the child and says why, in French.
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Enfant à naître (Léa)\u{a0}: "),
        "{message}"
    );
    // Nothing written: the valid offer was not made, no session listed.
    let a = read(app, &w, &a1).await;
    assert_eq!(a["status"], "under_review");
    assert_eq!(a["history"].as_array().unwrap().len(), 2);
    let r = app
        .get("/api/agent/creche/commissions", Some(&w.agent))
        .await;
    assert_eq!(r.body["items"], json!([]));
    // An unknown crèche, a missing start: said per row too.
    let mut unknown = offer(&w, &a1);
    unknown["structure_id"] = json!("nulle-part");
    let r = commission(
        app,
        &w,
        json!([unknown, {"application_id": a3, "decision": "offer", "structure_id": w.structures[0]}]),
    )
    .await;
    assert_eq!(
        r.field_codes(),
        vec![
            ("decisions[0]".to_string(), "invalid_structures".to_string()),
            (
                "decisions[1]".to_string(),
                "start_date_required".to_string()
            ),
        ]
    );
    assert_eq!(read(app, &w, &a1).await["status"], "under_review");
}

async fn the_session_is_bounded(h: Harness) {
    let app = &h.app;
    let w = world(app).await;
    let (a1, _) = application(app, &w, "2027-03-01", "under_review").await;
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"application_id": format!("a{i}"), "decision": "waiting"}))
        .collect();
    let r = commission(app, &w, json!(many)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_decisions")
    );
    let r = commission(app, &w, json!([])).await;
    assert_eq!(r.code(), "invalid_decisions");
    // The deadline in the future, by a minute at least.
    for (at, status) in [
        (t0(), StatusCode::UNPROCESSABLE_ENTITY),
        (t0() + Duration::minutes(1), StatusCode::CREATED),
    ] {
        let r = app
            .post(
                "/api/agent/creche/commissions",
                json!({"held_on": "2026-11-27", "deadline": at.to_rfc3339(),
                       "decisions": [{"application_id": a1, "decision": "waiting"}]}),
                Some(&w.agent),
            )
            .await;
        assert_eq!(r.status, status, "{:?}", r.body);
        if status != StatusCode::CREATED {
            assert_eq!(r.code(), "invalid_deadline");
        }
    }
    let r = app
        .post(
            "/api/agent/creche/commissions",
            json!({"held_on": "2026-11-27", "name": "x".repeat(101), "deadline": deadline(),
                   "decisions": [{"application_id": a1, "decision": "refuse"}]}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.code(), "invalid_name");
    let mut long = offer(&w, &a1);
    long["message"] = json!("x".repeat(701));
    let r = commission(app, &w, json!([long])).await;
    assert_eq!(
        r.field_codes(),
        vec![("decisions[0]".to_string(), "message_too_long".to_string())]
    );
    let r = app
        .post(
            "/api/agent/creche/commissions",
            json!({"held_on": "2026-11-27", "deadline": deadline(), "decisions": [], "extra": 1}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn a_change_between_check_and_write_leaves_one_decision_not_applied(h: Harness) {
    let app = &h.app;
    let w = world(app).await;
    let (a1, _) = application(app, &w, "2027-03-01", "under_review").await;
    let (a2, _) = application(app, &w, "2027-04-01", "under_review").await;
    let (a3, _) = application(app, &w, "2027-05-01", "under_review").await;
    let key = |id: &str| marelle_domain::keys::creche_application(&w.family, id);
    // a2 is touched (renewed) and a3 withdrawn after the check.
    h.meddler.arm(key(&a2), Meddle::Touch);
    h.meddler.arm(key(&a3), Meddle::Withdraw);
    let r = commission(
        app,
        &w,
        json!([offer(&w, &a1), offer(&w, &a2), {"application_id": a3, "decision": "refuse"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        outcomes(&r.body),
        pairs(&[
            ("applied", "to_send"),
            ("not_applied", "none"),
            ("not_applied", "none")
        ])
    );
    assert!(
        r.body["decisions"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("modifiée entre-temps"),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["not_applied"], 2);
    let id = r.body["id"].as_str().unwrap().to_string();
    // Nothing half written: a2 as the renewal left it.
    assert_eq!(read(app, &w, &a1).await["status"], "offered");
    let before = read(app, &w, &a2).await;
    assert_eq!(before["status"], "under_review");
    assert_eq!(before["offer"], Value::Null);

    // The retry applies what the applications allow now, once.
    let path = format!("/api/agent/creche/commissions/{id}/apply");
    let r = app.post(&path, json!({}), Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        outcomes(&r.body),
        pairs(&[
            ("applied", "to_send"),
            ("applied", "to_send"),
            ("not_applied", "none")
        ])
    );
    assert!(
        r.body["decisions"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("pas possible dans l'état actuel"),
        "{:?}",
        r.body
    );
    let histories = |a: &Value| a["history"].as_array().unwrap().len();
    let after = [
        histories(&read(app, &w, &a1).await),
        histories(&read(app, &w, &a2).await),
    ];
    assert_eq!(read(app, &w, &a2).await["status"], "offered");
    let r = app.post(&path, json!({}), Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        outcomes(&r.body),
        pairs(&[
            ("applied", "to_send"),
            ("applied", "to_send"),
            ("not_applied", "none")
        ])
    );
    assert_eq!(
        [
            histories(&read(app, &w, &a1).await),
            histories(&read(app, &w, &a2).await)
        ],
        after
    );
}

async fn the_offers_are_sent_once(h: Harness) {
    let app = &h.app;
    let w = world(app).await;
    let (a1, _) = application(app, &w, "2027-03-01", "under_review").await;
    let (a2, _) = application(app, &w, "2027-04-01", "under_review").await;
    // A family that refused e-mails.
    let f = app
        .create_family(
            &w.agent,
            json!({
                "guardians": [{"civility": "M.", "last_name": "MARTIN", "first_name": "Paul",
                               "email": "paul@exemple.fr", "quality": "father", "accepts_email": false}],
                "children": [{"first_name": "Zoé", "last_name": "MARTIN", "birth_date": "2026-02-10", "sex": "F"}]
            }),
        )
        .await;
    let other = app.parent("paul@exemple.fr", "Motdepasse1").await;
    let r = app
        .subscribe(&other, f["subscriber_code"].as_str().unwrap())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app
        .post(
            &format!(
                "/api/creche/applications?family_id={}",
                f["id"].as_str().unwrap()
            ),
            json!({
                "child_id": f["children"][0]["id"],
                "start_date": "2027-09-01",
                "schedule": [{"weekday": "mon", "start": "08:30", "end": "17:30"}],
                "structures": [w.structures[0]],
            }),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let a3 = r.body["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/agent/creche/applications/{a3}/status"),
            json!({"status": "under_review"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = commission(
        app,
        &w,
        json!([offer(&w, &a1), offer(&w, &a2), offer(&w, &a3)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    // The family withdraws a2 before the offers are sent.
    let r = app
        .post(
            &format!("/api/creche/applications/{a2}/withdraw"),
            json!({}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let path = format!("/api/agent/creche/commissions/{id}/send");
    let other_agent = app.agent("agent2@villebois.test", "Agentmairie2").await;
    let (x, y) = tokio::join!(
        app.post(&path, json!({}), Some(&w.agent)),
        app.post(&path, json!({}), Some(&other_agent)),
    );
    assert_eq!((x.status, y.status), (StatusCode::OK, StatusCode::OK));
    let sent = x.body["sent"].as_u64().unwrap() + y.body["sent"].as_u64().unwrap();
    assert_eq!(sent, 1, "{:?} {:?}", x.body, y.body);
    assert_eq!(offer_mails(app).await, 1);
    let mail = app.last_email_to("lea@exemple.fr").await;
    assert!(mail.text.contains("Les Lutins"), "{}", mail.text);

    let r = app.post(&path, json!({}), Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["sent"], 0);
    assert_eq!(r.body["already_sent"], 1);
    assert_eq!(offer_mails(app).await, 1);
    let v = &r.body["commission"];
    assert!(v["sent_at"].is_string());
    assert_eq!(v["to_send"], 0);
    let mails: Vec<_> = v["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["mail"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(mails[0], "sent");
    assert_eq!(mails[1], "not_sent");
    assert_eq!(mails[2], "no_email");
    assert_eq!(
        x.body["no_email"].as_u64().unwrap() + y.body["no_email"].as_u64().unwrap(),
        1
    );
    let r = app
        .get(
            &format!("/api/agent/creche/commissions/{id}"),
            Some(&w.agent),
        )
        .await;
    assert!(r.body["sent_at"].is_string());
    let r = app
        .get("/api/agent/creche/commissions", Some(&w.agent))
        .await;
    assert!(r.body["items"][0]["sent_at"].is_string());
}

async fn agents_only_and_unknown_sessions(h: Harness) {
    let app = &h.app;
    let w = world(app).await;
    let (a1, _) = application(app, &w, "2027-03-01", "under_review").await;
    let body = json!({"held_on": "2026-11-27", "deadline": deadline(),
                      "decisions": [{"application_id": a1, "decision": "waiting"}]});
    let r = app
        .post(
            "/api/agent/creche/commissions",
            body.clone(),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .get("/api/agent/creche/commissions", Some(&w.parent))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(read(app, &w, &a1).await["status"], "under_review");
    let r = app
        .post("/api/agent/creche/commissions", body, Some(&w.agent))
        .await;
    let id = r.body["id"].as_str().unwrap().to_string();
    for path in [format!("/api/agent/creche/commissions/{id}")] {
        assert_eq!(
            app.get(&path, Some(&w.parent)).await.status,
            StatusCode::FORBIDDEN
        );
    }
    for what in ["apply", "send"] {
        let path = format!("/api/agent/creche/commissions/{id}/{what}");
        assert_eq!(
            app.post(&path, json!({}), Some(&w.parent)).await.status,
            StatusCode::FORBIDDEN
        );
        let path = format!("/api/agent/creche/commissions/inconnue/{what}");
        assert_eq!(
            app.post(&path, json!({}), Some(&w.agent)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    for path in [
        "/api/agent/creche/commissions/inconnue",
        "/api/agent/creche/commissions/a%23b",
    ] {
        assert_eq!(
            app.get(path, Some(&w.agent)).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
