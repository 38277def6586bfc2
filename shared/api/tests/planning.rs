//! Activities, the planning, reservation and absence requests, and their
//! e-mails, over the in-process API on the embedded adapters.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use axum::http::{Method, StatusCode};
use chrono::{TimeZone, Utc};
use marelle_testkit::TestApp;
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";

struct World {
    app: TestApp,
    agent: String,
    parent: String,
    family: Value,
}

impl World {
    async fn new() -> Self {
        Self::on(TestApp::new().await).await
    }

    async fn on(app: TestApp) -> Self {
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent("matthieu@exemple.fr", PASSWORD).await;
        let family = app.dupont_family(&agent).await;
        app.subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        Self {
            app,
            agent,
            parent,
            family,
        }
    }

    fn child(&self) -> String {
        self.family["children"][0]["id"].as_str().unwrap().into()
    }

    async fn activity(&self, extra: Value) -> String {
        let mut body = json!({
            "name": "4/Péri SOIR", "establishment": "Ecole Lux", "start": "16:30", "end": "18:30",
            "weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "period": {"from": "2026-09-01", "to": "2027-07-06"},
            "closures": [{"from": "2027-02-13", "to": "2027-02-28", "label": "Vacances d'hiver"}],
            "validation": "manual"
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = self
            .app
            .post("/api/agent/activities", body, Some(&self.agent))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().into()
    }

    async fn enrol(&self, child: &str, activity: &str) {
        let r = self
            .app
            .post("/api/agent/enrolments", json!({"child_id": child, "activity_id": activity, "from": "2026-09-01", "to": "2027-07-06"}), Some(&self.agent))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }

    async fn ask(&self, cookie: &str, body: Value) -> marelle_testkit::TestResponse {
        self.app.post("/api/requests", body, Some(cookie)).await
    }

    async fn planning(&self, from: &str, to: &str) -> Value {
        let r = self
            .app
            .get(
                &format!("/api/planning?from={from}&to={to}"),
                Some(&self.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    async fn state_on(&self, date: &str) -> String {
        let p = self.planning(date, date).await;
        p["days"][0]["slots"][0]["state"]
            .as_str()
            .unwrap_or("none")
            .into()
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

#[tokio::test]
async fn a_period_over_the_holidays_requests_exactly_the_open_days_then_the_agent_accepts() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let child = w.child();
    w.enrol(&child, &a).await;

    let r = w
        .ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "from": "2027-02-01", "to": "2027-03-16", "weekdays": ["mon", "tue"]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        dates(&r),
        [
            "2027-02-01",
            "2027-02-02",
            "2027-02-08",
            "2027-02-09",
            "2027-03-01",
            "2027-03-02",
            "2027-03-08",
            "2027-03-09",
            "2027-03-15",
            "2027-03-16"
        ]
    );
    assert_eq!(r.body["refused"], json!([]));

    let acks: Vec<_> = w
        .app
        .emails()
        .await
        .into_iter()
        .filter(|m| m.subject == "Accusé d'enregistrement électronique")
        .collect();
    assert_eq!(acks.len(), 1, "one acknowledgment for the submission");
    let ack = &acks[0];
    assert_eq!(ack.to, "matthieu@exemple.fr");
    assert!(ack.text.contains("Vos 10 demandes de réservation pour 4/Péri SOIR réalisées le 28/11/2026 à 11:00 sont en cours d'instruction :"), "{}", ack.text);
    for d in ["01/02/2027", "16/03/2027"] {
        assert!(
            ack.text
                .contains(&format!("{d}  16:30  Réservation         4/Péri SOIR")),
            "{}",
            ack.text
        );
    }
    assert!(!ack.text.contains("15/02/2027"));

    let p = w.planning("2027-02-01", "2027-02-28").await;
    assert_eq!(p["days"][0]["slots"][0]["state"], "reservation_requested");
    assert_eq!(p["days"][0]["slots"][0]["activity"], "4/Péri SOIR");
    assert_eq!(
        p["days"][0]["slots"][0]["state_label"],
        "Réservation en attente"
    );
    assert_eq!(
        p["days"][2]["slots"][0]["state"], "enrolled",
        "Wednesday: enrolled, not asked"
    );
    assert_eq!(
        p["days"][14]["slots"],
        json!([]),
        "the holidays: the activity does not take place"
    );
    assert_eq!(
        p["enrolments"][0]["closures"],
        json!([{"from": "2027-02-13", "to": "2027-02-28", "label": "Vacances d'hiver"}]),
        "the planning can say why"
    );

    let first = r.body["requests"][0]["id"].as_str().unwrap();
    let d = w.app.decide(&w.agent, first, "accepted", None).await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    assert_eq!(w.state_on("2027-02-01").await, "reserved");

    // An absence on the reserved day works; on an unreserved one it is refused with its reason.
    let r = w.ask(&w.parent, json!({"kind": "absence", "child_id": child, "activity_id": a, "dates": ["2027-02-01"], "reason": "malade"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(w.state_on("2027-02-01").await, "absence_requested");
    let r = w.ask(&w.parent, json!({"kind": "absence", "child_id": child, "activity_id": a, "dates": ["2027-02-03"]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "not_reserved");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("n'est pas réservé")
    );
    let absence = w
        .app
        .get("/api/requests?kind=absence", Some(&w.parent))
        .await;
    let absence_id = absence.body["items"][0]["id"].as_str().unwrap().to_string();
    w.app
        .decide(
            &w.agent,
            &absence_id,
            "accepted",
            Some("Bon rétablissement"),
        )
        .await;
    assert_eq!(w.state_on("2027-02-01").await, "absent");

    // The list view.
    let list = w
        .app
        .get(
            &format!("/api/requests?child={child}&kind=reservation"),
            Some(&w.parent),
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 10);
    assert_eq!(list.body["items"][0]["establishment"], "Ecole Lux");
    assert_eq!(list.body["items"][0]["activity"], "4/Péri SOIR");
}

#[tokio::test]
async fn a_request_on_a_day_not_allowed_is_refused_with_its_reason() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let child = w.child();
    let r = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(r.code(), "not_enrolled");
    w.enrol(&child, &a).await;
    let cases = [
        ("2027-02-15", "closed"),
        ("2027-01-09", "not_running"),
        ("2027-08-02", "outside_enrolment"),
        ("2026-11-27", "day_passed"),
    ];
    for (date, code) in cases {
        let r = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": [date]})).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{date}: {:?}",
            r.body
        );
    }
    let ok = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let again = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(again.code(), "already_reserved");
}

#[tokio::test]
async fn a_submission_is_all_or_nothing_unless_the_parent_chose_the_valid_days() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    let body = json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04", "2027-02-15", "2027-01-05"]});
    let r = w.ask(&w.parent, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.field_codes(),
        [("2027-02-15".to_string(), "closed".to_string())]
    );
    assert_eq!(
        w.app.get("/api/requests", Some(&w.parent)).await.body["items"],
        json!([]),
        "nothing recorded"
    );
    let mut partial = body;
    partial["mode"] = json!("valid_days");
    let r = w.ask(&w.parent, partial).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(dates(&r), ["2027-01-04", "2027-01-05"]);
    assert_eq!(r.body["refused"][0]["code"], "closed");
}

#[tokio::test]
async fn booking_deadlines_are_enforced() {
    let w = World::new().await;
    let a = w.activity(json!({"booking_deadline": "J-2 12:00"})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    // Now: Saturday 28/11/2026 11:00 Paris. Monday 30/11's deadline was today at 12:00.
    let ok = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2026-11-30"]})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    w.app
        .clock
        .freeze(Utc.with_ymd_and_hms(2026, 11, 29, 11, 0, 1).unwrap());
    let parent = w.app.log_in("matthieu@exemple.fr", PASSWORD).await;
    let late = w.ask(&parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2026-12-01"]})).await;
    assert_eq!(late.code(), "deadline_passed");
    assert!(
        late.body["detail"]
            .as_str()
            .unwrap()
            .contains("date limite"),
        "{:?}",
        late.body
    );
    let agent = w.app.log_in("agent@villebois.test", "Agentmairie1").await;
    let bad = w.app.post("/api/agent/activities", json!({"name": "X", "establishment": "Y", "start": "08:00", "end": "09:00", "weekdays": ["mon"], "period": {"from": "2026-09-01", "to": "2027-07-06"}, "validation": "manual", "booking_deadline": "J-400 25:00"}), Some(&agent)).await;
    assert_eq!(bad.code(), "invalid_deadline");
}

#[tokio::test]
async fn an_automatic_activity_decides_at_once_and_says_so() {
    let w = World::new().await;
    let a = w.activity(json!({"validation": "automatic"})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    let r = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(r.body["requests"][0]["state"], "accepted");
    assert_eq!(w.state_on("2027-01-04").await, "reserved");
    let ack = w.app.last_email_to("matthieu@exemple.fr").await;
    assert!(ack.text.contains("a été acceptée"), "{}", ack.text);
    assert!(
        w.app.get("/api/agent/requests", Some(&w.agent)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_full_day_offers_the_waiting_list_and_a_freed_place_goes_to_the_first_waiting() {
    let w = World::new().await;
    let a = w.activity(json!({"capacity": 1})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    let other_parent = w.app.parent("autre@exemple.fr", PASSWORD).await;
    let other = w.app.dupont_family(&w.agent).await;
    w.app
        .subscribe(&other_parent, other["subscriber_code"].as_str().unwrap())
        .await;
    let other_child = other["children"][0]["id"].as_str().unwrap().to_string();
    w.enrol(&other_child, &a).await;

    let first = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let full = w.ask(&other_parent, json!({"kind": "reservation", "child_id": other_child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(
        (full.status, full.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "full")
    );
    assert!(
        full.body["detail"]
            .as_str()
            .unwrap()
            .contains("liste d'attente")
    );
    let waiting = w
        .ask(&other_parent, json!({"kind": "reservation", "child_id": other_child, "activity_id": a, "dates": ["2027-01-04"], "waiting_list": true}))
        .await;
    assert_eq!(waiting.status, StatusCode::CREATED, "{:?}", waiting.body);
    let theirs = w
        .app
        .get(
            "/api/planning?from=2027-01-04&to=2027-01-04",
            Some(&other_parent),
        )
        .await;
    assert_eq!(theirs.body["days"][0]["slots"][0]["state"], "waiting_list");

    // The first family's request is refused: the place goes to the waiting child.
    let id = first.body["requests"][0]["id"].as_str().unwrap();
    w.app
        .decide(&w.agent, id, "refused", Some("Complet pour l'équipe."))
        .await;
    let theirs = w
        .app
        .get(
            "/api/planning?from=2027-01-04&to=2027-01-04",
            Some(&other_parent),
        )
        .await;
    assert_eq!(
        theirs.body["days"][0]["slots"][0]["state"],
        "reservation_requested"
    );
    let mail = w.app.last_email_to("autre@exemple.fr").await;
    assert_eq!(mail.subject, "Une place s'est libérée");
    assert!(mail.text.contains("Ludovic"), "{}", mail.text);
}

#[tokio::test]
async fn concurrent_requests_for_the_last_places_give_exactly_the_capacity() {
    // Sixteen sign-ups from one test address: rate limits raised.
    let app = TestApp::with_settings(marelle_api::http::state::Settings {
        captcha: marelle_api::http::state::CaptchaSettings::lowest(),
        limits: marelle_api::http::state::RateLimits::scaled(100),
        ..Default::default()
    })
    .await;
    let w = std::sync::Arc::new(World::on(app).await);
    let capacity = 5;
    let a = w.activity(json!({"capacity": capacity})).await;
    let mut parents = Vec::new();
    for i in 0..16 {
        let cookie = w.app.parent(&format!("p{i}@exemple.fr"), PASSWORD).await;
        let fam = w.app.dupont_family(&w.agent).await;
        w.app
            .subscribe(&cookie, fam["subscriber_code"].as_str().unwrap())
            .await;
        let child = fam["children"][0]["id"].as_str().unwrap().to_string();
        w.enrol(&child, &a).await;
        parents.push((cookie, child));
    }
    let tasks: Vec<_> = parents
        .into_iter()
        .map(|(cookie, child)| {
            let w = w.clone();
            let a = a.clone();
            tokio::spawn(async move {
                w.ask(&cookie, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-05"], "waiting_list": true}))
                    .await
            })
        })
        .collect();
    let mut states = std::collections::HashMap::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let waiting = r.body["requests"][0]["description"]
            .as_str()
            .unwrap()
            .contains("liste d'attente");
        *states.entry(waiting).or_insert(0) += 1;
    }
    assert_eq!(
        states.get(&false),
        Some(&capacity),
        "exactly the capacity gets a place"
    );
    assert_eq!(states.get(&true), Some(&(16 - capacity)), "the others wait");
}

#[tokio::test]
async fn a_retried_submission_with_the_same_key_is_a_no_op() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    let body = json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04", "2027-01-05"]});
    let send = |b: Value| {
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/requests")
            .header("origin", marelle_testkit::app::ORIGIN)
            .header("cookie", &w.parent)
            .header("content-type", "application/json")
            .header("idempotency-key", "6b1f1c1e-submission-1")
            .body(axum::body::Body::from(b.to_string()))
            .unwrap();
        w.app.send(req)
    };
    let first = send(body.clone()).await;
    let again = send(body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.body, again.body, "the first answer, again");
    assert_eq!(
        w.app.get("/api/requests", Some(&w.parent)).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let acks = w
        .app
        .emails()
        .await
        .iter()
        .filter(|m| m.subject == "Accusé d'enregistrement électronique")
        .count();
    assert_eq!(acks, 1);
    let mut other = body;
    other["dates"] = json!(["2027-01-06"]);
    let reused = send(other).await;
    assert_eq!(reused.code(), "idempotency_key_reused");
}

#[tokio::test]
async fn a_closure_over_reserved_days_cancels_them_and_tells_the_family() {
    let w = World::new().await;
    let a = w.activity(json!({"validation": "automatic"})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-03-23", "2027-03-24", "2027-03-25"]})).await;
    let r = w
        .app
        .post(
            &format!("/api/agent/activities/{a}/closures"),
            json!({"from": "2027-03-23", "to": "2027-03-24", "label": "Grève"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["cancelled"].as_u64(), r.body["families"].as_u64()),
        (Some(2), Some(1))
    );
    let p = w.planning("2027-03-23", "2027-03-25").await;
    assert_eq!(p["days"][0]["slots"], json!([]));
    assert_eq!(p["days"][2]["slots"][0]["state"], "reserved");
    let mail = w.app.last_email_to("matthieu@exemple.fr").await;
    assert_eq!(mail.subject, "Annulation de réservations");
    assert!(
        mail.text.contains("Grève")
            && mail.text.contains("23/03/2027")
            && mail.text.contains("24/03/2027"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("25/03/2027"));
    let cancelled = w
        .app
        .get("/api/requests?state=cancelled", Some(&w.parent))
        .await;
    assert_eq!(cancelled.body["items"].as_array().unwrap().len(), 2);
    let again = w
        .app
        .post(
            &format!("/api/agent/activities/{a}/closures"),
            json!({"from": "2027-03-23", "to": "2027-03-24", "label": "Grève"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(
        again.body["cancelled"], 0,
        "posting it again changes nothing"
    );
}

#[tokio::test]
async fn an_agent_decides_every_request_of_an_activity_on_a_day_at_once() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04", "2027-01-05"]})).await;
    let r = w
        .app
        .post(
            "/api/agent/requests/decisions",
            json!({"activity_id": a, "date": "2027-01-04", "decision": "accepted"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["decided"].as_array().unwrap().len(), 1);
    assert_eq!(w.state_on("2027-01-04").await, "reserved");
    assert_eq!(w.state_on("2027-01-05").await, "reservation_requested");
    let q = w
        .app
        .get(
            &format!("/api/agent/requests?activity_id={a}&date=2027-01-05"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(q.body["items"].as_array().unwrap().len(), 1);
    // The queue and the enrolments name the child and the family.
    let line = &q.body["items"][0];
    assert_eq!(
        (&line["child_first_name"], &line["family_label"]),
        (&json!("Ludovic"), &json!("Famille DUPONT"))
    );
    let enrolled = w
        .app
        .get(
            &format!("/api/agent/enrolments?activity_id={a}"),
            Some(&w.agent),
        )
        .await;
    let e = &enrolled.body["items"][0];
    assert_eq!(e["child_id"], json!(child));
    assert_eq!(
        (
            &e["child_first_name"],
            &e["child_last_name"],
            &e["family_label"]
        ),
        (
            &json!("Ludovic"),
            &json!("DUPONT"),
            &json!("Famille DUPONT")
        )
    );
}

#[tokio::test]
async fn bad_planning_input_gets_a_clear_error() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    let too_long = w
        .app
        .get(
            "/api/planning?from=2027-01-01&to=2027-03-01",
            Some(&w.parent),
        )
        .await;
    assert_eq!(too_long.code(), "invalid_range");
    let backwards = w
        .app
        .get(
            "/api/planning?from=2027-01-10&to=2027-01-01",
            Some(&w.parent),
        )
        .await;
    assert_eq!(backwards.code(), "invalid_range");
    let missing = w
        .app
        .get("/api/planning?from=2027-01-10", Some(&w.parent))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.headers[axum::http::header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(missing.code(), "missing_parameter");
    assert_eq!(missing.body["errors"][0]["field"], "to");
    assert_eq!(
        missing.body["detail"],
        "Le paramètre « to » est obligatoire."
    );
    let bad_date = w
        .app
        .get(
            "/api/planning?from=2027-13-01&to=2027-01-10",
            Some(&w.parent),
        )
        .await;
    assert_eq!(bad_date.code(), "invalid_parameter");
    assert_eq!(bad_date.body["errors"][0]["field"], "from");
    let unknown_param = w
        .app
        .get(
            "/api/planning?from=2027-01-01&to=2027-01-10&colour=1",
            Some(&w.parent),
        )
        .await;
    assert_eq!(unknown_param.code(), "unknown_parameter");
    let bad_kind = w
        .app
        .get("/api/requests?kind=garderie", Some(&w.parent))
        .await;
    assert_eq!(bad_kind.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_kind.code(), "invalid_parameter");
    assert!(
        bad_kind.body["detail"]
            .as_str()
            .unwrap()
            .contains("reservation"),
        "{}",
        bad_kind.body
    );
    // Times of day are written HH:MM, as the contract says.
    let activity = w
        .app
        .get(&format!("/api/agent/activities/{a}"), Some(&w.agent))
        .await;
    assert_eq!(
        (&activity.body["start"], &activity.body["end"]),
        (&json!("16:30"), &json!("18:30")),
        "{}",
        activity.body
    );
    let many = w
        .ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "from": "2026-12-01", "to": "2027-01-29", "weekdays": ["mon", "tue", "wed", "thu", "fri"]}))
        .await;
    assert_eq!(many.code(), "too_many_days");
    let outside = w
        .ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "from": "2027-07-01", "to": "2027-07-20", "weekdays": ["mon"]}))
        .await;
    assert_eq!(outside.code(), "outside_enrolment");
    let no_days = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "from": "2027-02-15", "to": "2027-02-19", "weekdays": ["mon"]})).await;
    assert_eq!(no_days.code(), "no_days");
    let kind = w.ask(&w.parent, json!({"kind": "dossier_change", "child_id": child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(kind.code(), "invalid_kind");
    let both = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"], "weekdays": ["mon"]})).await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"], "colour": 1})).await;
    assert_eq!(unknown.code(), "unknown_field");
}

#[tokio::test]
async fn another_familys_planning_and_children_are_not_found_and_agents_are_refused() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let other_parent = w.app.parent("autre@exemple.fr", PASSWORD).await;
    let other = w.app.dupont_family(&w.agent).await;
    w.app
        .subscribe(&other_parent, other["subscriber_code"].as_str().unwrap())
        .await;
    let other_child = other["children"][0]["id"].as_str().unwrap();
    w.enrol(other_child, &a).await;
    let r = w.ask(&w.parent, json!({"kind": "reservation", "child_id": other_child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .app
        .get(
            &format!(
                "/api/planning?from=2027-01-04&to=2027-01-04&family_id={}",
                other["id"].as_str().unwrap()
            ),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .app
        .get(
            "/api/planning?from=2027-01-04&to=2027-01-04",
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (method, path) in [
        (Method::POST, "/api/agent/activities"),
        (Method::GET, "/api/agent/activities"),
        (Method::POST, "/api/agent/enrolments"),
    ] {
        let r = w
            .app
            .call(method.clone(), path, Some(json!({})), Some(&w.parent))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let r = w
        .app
        .post(
            &format!("/api/agent/activities/{a}/closures"),
            json!({"from": "2027-01-04", "to": "2027-01-04", "label": "x"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_planning_view_costs_the_same_store_calls_for_any_range() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let b = w
        .activity(json!({"name": "2/Repas Ecoles", "start": "12:00", "end": "13:30"}))
        .await;
    let child = w.child();
    w.enrol(&child, &a).await;
    w.enrol(&child, &b).await;
    w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04", "2027-01-05"]})).await;
    let mut calls = Vec::new();
    for (from, to) in [("2027-01-04", "2027-01-04"), ("2027-01-01", "2027-02-11")] {
        w.app.bus.idle().await;
        w.app.store.reset();
        let r = w
            .app
            .get(
                &format!("/api/planning?from={from}&to={to}"),
                Some(&w.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        calls.push(w.app.store.calls());
    }
    assert_eq!(calls[0], calls[1], "{calls:?}");
    assert_eq!(
        calls[0], 5,
        "session, family, enrolments, activities, one query of the days"
    );

    // An activity counting its places adds one query of its counters.
    let c = w.activity(json!({"name": "Centre", "capacity": 10})).await;
    w.enrol(&child, &c).await;
    let mut calls = Vec::new();
    for (from, to) in [("2027-01-04", "2027-01-04"), ("2027-01-01", "2027-02-11")] {
        w.app.bus.idle().await;
        w.app.store.reset();
        let r = w
            .app
            .get(
                &format!("/api/planning?from={from}&to={to}"),
                Some(&w.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        calls.push(w.app.store.calls());
    }
    assert_eq!(calls, [6, 6]);
}

/// The slot of `activity` on `date` in a planning answer.
fn slot_of<'a>(planning: &'a Value, date: &str, activity: &str) -> &'a Value {
    planning["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .and_then(|d| {
            d["slots"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["activity_id"] == activity)
        })
        .unwrap_or_else(|| panic!("no slot on {date}: {planning}"))
}

/// A slot's actions, timing and deadline in words.
fn options(slot: &Value) -> (Value, Value, Value) {
    (
        slot["actions"].clone(),
        slot["timing"].clone(),
        slot["deadline"].clone(),
    )
}

#[tokio::test]
async fn the_planning_tells_per_day_what_may_be_asked_and_until_when() {
    let w = World::new().await;
    let a = w
        .activity(
            json!({"booking_deadline": "J-2 12:00", "cancel_deadline": "J-1 18:00", "capacity": 1}),
        )
        .await;
    let child = w.child();
    w.enrol(&child, &a).await;
    // Another family takes the only place on 08/01/2027: ours goes on the waiting list.
    let other_parent = w.app.parent("autre@exemple.fr", PASSWORD).await;
    let other = w.app.dupont_family(&w.agent).await;
    w.app
        .subscribe(&other_parent, other["subscriber_code"].as_str().unwrap())
        .await;
    let other_child = other["children"][0]["id"].as_str().unwrap().to_string();
    w.enrol(&other_child, &a).await;
    let taken = w.ask(&other_parent, json!({"kind": "reservation", "child_id": other_child, "activity_id": a, "dates": ["2027-01-08"]})).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{:?}", taken.body);
    let waiting = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-08"], "waiting_list": true})).await;
    assert_eq!(waiting.status, StatusCode::CREATED, "{:?}", waiting.body);

    // Pending (04/01), then reserved (05, 06, 30/11), refused (07), absent (11), absence pending (12).
    let asked = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2026-11-30", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-11", "2027-01-12"]})).await;
    assert_eq!(asked.status, StatusCode::CREATED, "{:?}", asked.body);
    let id_on = |date: &str| {
        asked.body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["date"] == date)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (date, decision) in [
        ("2026-11-30", "accepted"),
        ("2027-01-05", "accepted"),
        ("2027-01-06", "accepted"),
        ("2027-01-07", "refused"),
        ("2027-01-11", "accepted"),
        ("2027-01-12", "accepted"),
    ] {
        let r = w.app.decide(&w.agent, &id_on(date), decision, None).await;
        assert!(r.status.is_success(), "{date}: {:?}", r.body);
    }
    let absences = w.ask(&w.parent, json!({"kind": "absence", "child_id": child, "activity_id": a, "dates": ["2027-01-11", "2027-01-12"]})).await;
    let absence_on_11 = absences.body["requests"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    w.app
        .decide(&w.agent, &absence_on_11, "accepted", None)
        .await;

    // Now: Saturday 28/11/2026 11:00 Paris.
    let p = w.planning("2026-11-27", "2026-12-01").await;
    let past = slot_of(&p, "2026-11-27", &a);
    assert_eq!(
        options(past),
        (json!([]), json!("past"), json!("Jour passé")),
        "{past}"
    );
    assert_eq!(
        past["reason"],
        "Ce jour est passé : aucune demande n'est plus possible."
    );
    // Reserved on Monday 30: may be cancelled until Sunday 18:00.
    assert_eq!(
        options(slot_of(&p, "2026-11-30", &a)),
        (
            json!(["absence"]),
            json!("open"),
            json!("Annulable jusqu'au dimanche 29 à 18:00")
        )
    );
    // Free on Tuesday 1/12: bookable until Sunday 29 November, the month named.
    let free = slot_of(&p, "2026-12-01", &a);
    assert_eq!(
        options(free),
        (
            json!(["reservation"]),
            json!("open"),
            json!("Réservable jusqu'au dimanche 29 novembre à 12:00")
        )
    );
    assert_eq!(free["reason"], Value::Null);

    let p = w.planning("2027-01-04", "2027-01-13").await;
    let expect = [
        (
            "2027-01-04",
            "reservation_requested",
            json!([]),
            "pas encore acceptée",
        ),
        ("2027-01-05", "reserved", json!(["absence"]), ""),
        (
            "2027-01-07",
            "reservation_refused",
            json!(["reservation"]),
            "",
        ),
        ("2027-01-08", "waiting_list", json!([]), "liste d'attente"),
        ("2027-01-11", "absent", json!(["reservation"]), ""),
        (
            "2027-01-12",
            "absence_requested",
            json!([]),
            "absence est déjà demandée",
        ),
        ("2027-01-13", "enrolled", json!(["reservation"]), ""),
    ];
    for (date, state, actions, reason) in expect {
        let s = slot_of(&p, date, &a);
        assert_eq!(
            (&s["state"], &s["actions"], &s["timing"]),
            (&json!(state), &actions, &json!("open")),
            "{date}: {s}"
        );
        if reason.is_empty() {
            assert_eq!(s["reason"], Value::Null, "{date}: {s}");
        } else {
            assert!(
                s["reason"].as_str().unwrap_or_default().contains(reason),
                "{date}: {s}"
            );
        }
    }
    assert_eq!(
        slot_of(&p, "2027-01-05", &a)["deadline"],
        "Annulable jusqu'au lundi 4 à 18:00"
    );
    assert_eq!(
        slot_of(&p, "2027-01-13", &a)["deadline"],
        "Réservable jusqu'au lundi 11 à 12:00"
    );
    assert_eq!(slot_of(&p, "2027-01-04", &a)["deadline"], Value::Null);

    // For the other family, a day our child holds the only place of is
    // offered as the waiting list; a day freed by an absence, or never
    // asked, as a reservation.
    let theirs = w
        .app
        .get(
            "/api/planning?from=2027-01-04&to=2027-01-13",
            Some(&other_parent),
        )
        .await;
    for (date, actions) in [
        ("2027-01-04", json!(["waiting_list"])),
        ("2027-01-05", json!(["waiting_list"])),
        ("2027-01-07", json!(["reservation"])),
        ("2027-01-08", json!([])),
        ("2027-01-11", json!(["reservation"])),
        ("2027-01-12", json!(["waiting_list"])),
        ("2027-01-13", json!(["reservation"])),
    ] {
        assert_eq!(
            slot_of(&theirs.body, date, &a)["actions"],
            actions,
            "{date}: {}",
            theirs.body
        );
    }
    let waiting = w.ask(&other_parent, json!({"kind": "reservation", "child_id": other_child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(waiting.code(), "full", "the submission agrees");

    // Saturday 13:00: Monday 30's booking deadline is passed, not its
    // cancelling one; Tuesday 1/12 is still bookable.
    w.app
        .clock
        .freeze(Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap());
    let parent = w.app.log_in("matthieu@exemple.fr", PASSWORD).await;
    let r = w
        .app
        .get("/api/planning?from=2026-11-30&to=2026-12-01", Some(&parent))
        .await;
    assert_eq!(
        options(slot_of(&r.body, "2026-11-30", &a)).0,
        json!(["absence"])
    );
    // The free day beside it, for the other family, is past its booking deadline.
    let theirs = w
        .app
        .get(
            "/api/planning?from=2026-11-30&to=2026-11-30",
            Some(&other_parent),
        )
        .await;
    let locked = slot_of(&theirs.body, "2026-11-30", &a);
    assert_eq!(
        options(locked),
        (
            json!([]),
            json!("deadline_passed"),
            json!("Délai de réservation dépassé depuis le samedi 28 à 12:00")
        ),
        "{locked}"
    );
    assert!(
        locked["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("date limite"),
        "{locked}"
    );
    // Sunday 18:00:01: past the cancelling deadline too.
    w.app
        .clock
        .freeze(Utc.with_ymd_and_hms(2026, 11, 29, 17, 0, 1).unwrap());
    let parent = w.app.log_in("matthieu@exemple.fr", PASSWORD).await;
    let r = w
        .app
        .get("/api/planning?from=2026-11-30&to=2026-11-30", Some(&parent))
        .await;
    assert_eq!(
        options(slot_of(&r.body, "2026-11-30", &a)),
        (
            json!([]),
            json!("deadline_passed"),
            json!("Délai d'annulation dépassé depuis le dimanche 29 à 18:00")
        )
    );
    // What the planning offers is what the submission accepts.
    let refused = w.ask(&parent, json!({"kind": "absence", "child_id": child, "activity_id": a, "dates": ["2026-11-30"]})).await;
    assert_eq!(refused.code(), "deadline_passed");
}

#[tokio::test]
async fn re_asking_a_period_whose_days_are_all_pending_says_no_day_is_possible() {
    let w = World::new().await;
    let a = w.activity(json!({})).await;
    let child = w.child();
    w.enrol(&child, &a).await;
    let period = json!({"kind": "reservation", "child_id": child, "activity_id": a, "from": "2027-01-04", "to": "2027-01-15", "weekdays": ["mon", "tue", "thu", "fri"]});
    let first = w.ask(&w.parent, period.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(dates(&first).len(), 8);

    let again = w.ask(&w.parent, period.clone()).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "no_day_possible")
    );
    assert_eq!(
        again.body["detail"],
        "Aucun jour de cette période ne peut être demandé : une réservation est déjà demandée ou acceptée chacun de ces jours."
    );
    let codes = again.field_codes();
    assert_eq!(codes.len(), 8, "each day with its reason: {codes:?}");
    assert!(
        codes.iter().all(|(_, c)| c == "already_reserved"),
        "{codes:?}"
    );
    // Only the valid days: refused alike, nothing recorded.
    let mut valid = period.clone();
    valid["mode"] = json!("valid_days");
    assert_eq!(w.ask(&w.parent, valid).await.code(), "no_day_possible");

    // A wider period with some possible days keeps the first refused
    // day's code: "only the possible days" then records them.
    let mut wider = period;
    wider["to"] = json!("2027-01-22");
    let some = w.ask(&w.parent, wider.clone()).await;
    assert_eq!(some.code(), "already_reserved");
    assert!(
        some.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("8 jours ne peuvent pas être demandés."),
        "{:?}",
        some.body
    );
    wider["mode"] = json!("valid_days");
    let recorded = w.ask(&w.parent, wider).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{:?}", recorded.body);
    assert_eq!(dates(&recorded).len(), 4);

    // A single date keeps its own code (the planning's dialog).
    let one = w.ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-04"]})).await;
    assert_eq!(one.code(), "already_reserved");
    // Several dates, none possible: no_day_possible.
    let two = w.ask(&w.parent, json!({"kind": "absence", "child_id": child, "activity_id": a, "dates": ["2027-01-04", "2027-01-05"]})).await;
    assert_eq!(two.code(), "no_day_possible");
    assert!(
        two.body["detail"]
            .as_str()
            .unwrap()
            .contains("aucun de ces jours ne l'est"),
        "{:?}",
        two.body
    );
}

/// A commune of zone C (Île-de-France), as `MARELLE_SCHOOL_ZONE=C` sets it.
async fn zone_c() -> World {
    let app = TestApp::with_settings(marelle_api::http::state::Settings {
        captcha: marelle_api::http::state::CaptchaSettings::lowest(),
        calendar: marelle_domain::school_calendar::CommuneCalendar {
            school_zone: Some(marelle_domain::school_calendar::SchoolZone::C),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    World::on(app).await
}

#[tokio::test]
async fn new_year_s_day_is_closed_unless_the_activity_opens_on_public_holidays() {
    let w = World::new().await;
    let child = w.child();
    let a = w.activity(json!({})).await;
    w.enrol(&child, &a).await;
    let r = w
        .ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2027-01-01"]}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "closed");
    assert_eq!(
        r.body["errors"][0]["message"],
        "L'activité est fermée le 01/01/2027 (Jour de l'an)."
    );
    let p = w.planning("2027-01-01", "2027-01-01").await;
    assert_eq!(p["days"][0]["slots"], json!([]));
    assert_eq!(
        p["enrolments"][0]["closures"],
        json!([{"from": "2027-01-01", "to": "2027-01-01", "label": "Jour de l'an"}])
    );

    let open = w
        .activity(json!({"name": "Accueil du jour de l'an", "open_on_public_holidays": true}))
        .await;
    w.enrol(&child, &open).await;
    let r = w
        .ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": open, "dates": ["2027-01-01"]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let read = w
        .app
        .get(&format!("/api/agent/activities/{open}"), Some(&w.agent))
        .await;
    assert_eq!(read.body["open_on_public_holidays"], true);
    assert_eq!(read.body["school_holidays"], "closed", "the default");

    let bad = w
        .app
        .post(
            "/api/agent/activities",
            json!({"name": "Centre", "establishment": "Ecole Lux", "start": "08:30", "end": "17:30",
                   "weekdays": ["wed"], "period": {"from": "2026-09-01", "to": "2027-07-06"},
                   "validation": "manual", "school_holidays": "parfois"}),
            Some(&w.agent),
        )
        .await;
    assert!(bad.status.is_client_error(), "{:?}", bad.body);
    assert_eq!(
        bad.field_codes(),
        [("school_holidays".to_string(), "invalid_value".to_string())]
    );
}

#[tokio::test]
async fn over_christmas_in_zone_c_the_planning_shows_the_holidays_and_no_slot() {
    let w = zone_c().await;
    let child = w.child();
    let a = w.activity(json!({})).await;
    w.enrol(&child, &a).await;
    let p = w.planning("2026-12-14", "2027-01-08").await;
    let with_slots: Vec<&str> = p["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["slots"].as_array().unwrap().is_empty())
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        with_slots,
        [
            "2026-12-14",
            "2026-12-15",
            "2026-12-16",
            "2026-12-17",
            "2026-12-18",
            "2027-01-04",
            "2027-01-05",
            "2027-01-06",
            "2027-01-07",
            "2027-01-08"
        ]
    );
    assert_eq!(
        p["enrolments"][0]["closures"],
        json!([
            {"from": "2026-12-25", "to": "2026-12-25", "label": "Noël"},
            {"from": "2027-01-01", "to": "2027-01-01", "label": "Jour de l'an"},
            {"from": "2026-12-19", "to": "2027-01-03", "label": "Vacances de Noël"},
        ])
    );

    // The agent's page of the activity lists them over its period.
    let read = w
        .app
        .get(&format!("/api/agent/activities/{a}"), Some(&w.agent))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    let listed: Vec<String> = read.body["calendar_closures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {} {}", c["from"], c["to"], c["label"]).replace('"', ""))
        .collect();
    for expected in [
        "2026-11-11 2026-11-11 Armistice 1918",
        "2027-01-01 2027-01-01 Jour de l'an",
        "2026-10-17 2026-11-01 Vacances de la Toussaint",
        "2026-12-19 2027-01-03 Vacances de Noël",
        "2027-02-06 2027-02-21 Vacances d'hiver",
    ] {
        assert!(
            listed.iter().any(|l| l == expected),
            "{expected} in {listed:?}"
        );
    }
    assert!(
        !listed
            .iter()
            .any(|l| l.contains("Vacances d'hiver") && l.starts_with("2027-02-13")),
        "its own closure stays in closures: {listed:?}"
    );
    assert_eq!(read.body["closures"][0]["from"], "2027-02-13");

    // The holiday centre runs only then; an activity that ignores the
    // school calendar runs on the school holidays' working days.
    for (setting, expected) in [("only", 8), ("ignored", 18)] {
        let other = w
            .activity(json!({"name": format!("Centre {setting}"), "school_holidays": setting}))
            .await;
        w.enrol(&child, &other).await;
        let p = w.planning("2026-12-14", "2027-01-08").await;
        let days = p["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["slots"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["activity_id"] == other.as_str())
            })
            .count();
        assert_eq!(days, expected, "{setting}");
    }
}

#[tokio::test]
async fn a_period_across_the_christmas_holidays_asks_only_the_open_days() {
    let w = zone_c().await;
    let child = w.child();
    let a = w.activity(json!({})).await;
    w.enrol(&child, &a).await;
    let r = w
        .ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "from": "2026-12-14", "to": "2027-01-08", "weekdays": ["mon", "fri"]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        dates(&r),
        ["2026-12-14", "2026-12-18", "2027-01-04", "2027-01-08"]
    );
    assert_eq!(r.body["refused"], json!([]));

    let r = w
        .ask(&w.parent, json!({"kind": "reservation", "child_id": child, "activity_id": a, "dates": ["2026-12-22"]}))
        .await;
    assert_eq!(r.code(), "closed");
    assert_eq!(
        r.body["errors"][0]["message"],
        "L'activité est fermée le 22/12/2026 (Vacances de Noël)."
    );
}
