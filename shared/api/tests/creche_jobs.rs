//! Crèche applications after they are made: the birth of an expected
//! child declared (a dossier change the commune accepts), the offer
//! e-mail, and the daily job (renewal reminder and closing, lapsed
//! offers, retention), on the embedded store and on DynamoDB (moto).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use marelle_api::creche::jobs;
use marelle_domain::keys;
use marelle_testkit::{TestApp, t0};
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_app("crechejobs").await;
    a_birth_declared_becomes_the_applications_child_once_the_commune_accepts,
    bad_births_are_refused_and_nothing_is_written,
    a_birth_the_commune_refused_may_be_declared_again,
    the_offer_e_mail_is_sent_once_with_its_content,
    over_four_months_one_reminder_then_the_closing_each_once,
    a_lapsed_offer_is_recorded_once,
    no_lapse_e_mail_for_a_family_refusing_e_mails,
    two_runs_at_once_send_once,
);

const PASSWORD: &str = "Motdepasse1";

struct World {
    agent: String,
    parent: String,
    family: String,
    /// Noé, born 2025-06-10.
    child: String,
    structures: Vec<String>,
}

async fn world(app: &TestApp) -> World {
    world_with(app, true).await
}

async fn world_with(app: &TestApp, accepts_email: bool) -> World {
    let d = common::dupont(app, json!([common::noe()]), Some(accepts_email)).await;
    let mut structures = Vec::new();
    for name in ["Les Petits Loups", "Les Lutins"] {
        let body = json!({"name": name, "address": "1 rue des Écoles"});
        structures.push(common::creche(app, &d.agent, body).await);
    }
    World {
        child: d.children[0].clone(),
        agent: d.agent,
        parent: d.parent,
        family: d.family,
        structures,
    }
}

/// `hour`:00 in Paris on `day`.
fn paris(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    marelle_domain::time::ZONE
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Sessions lapse while the clock runs days on: log in again.
async fn at(app: &TestApp, w: &mut World, now: DateTime<Utc>) {
    app.clock.set(now);
    w.parent = app.log_in("lea@exemple.fr", PASSWORD).await;
    w.agent = app.log_in("agent@villebois.test", "Agentmairie1").await;
}

fn body(who: Value, structures: &[String]) -> Value {
    let mut b = json!({
        "start_date": "2027-09-01",
        "schedule": [
            {"weekday": "mon", "start": "08:30", "end": "17:30"},
            {"weekday": "tue", "start": "08:30", "end": "17:00"},
            {"weekday": "thu", "start": "09:00", "end": "12:00"}
        ],
        "structures": structures,
    });
    b.as_object_mut()
        .unwrap()
        .extend(who.as_object().unwrap().clone());
    b
}

async fn apply(app: &TestApp, w: &World, who: Value) -> (String, String) {
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={}", w.family),
            body(who, &w.structures),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
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

async fn birth(app: &TestApp, w: &World, id: &str, b: Value) -> marelle_testkit::app::TestResponse {
    app.post(
        &format!("/api/creche/applications/{id}/birth"),
        b,
        Some(&w.parent),
    )
    .await
}

async fn offer(app: &TestApp, w: &World, id: &str, deadline: &str) {
    let r = app
        .post(
            &format!("/api/agent/creche/applications/{id}/status"),
            json!({"status": "under_review"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/agent/creche/applications/{id}/offer"),
            json!({"structure_id": w.structures[1], "start_date": "2027-09-01", "deadline": deadline}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// E-mails sent so far with `subject`, with their day (Paris).
async fn sent(app: &TestApp, subject: &str) -> Vec<(NaiveDate, String)> {
    app.emails()
        .await
        .into_iter()
        .filter(|e| e.subject == subject)
        .map(|e| (marelle_domain::time::local_date(e.sent_at), e.text))
        .collect()
}

async fn run(app: &TestApp, now: DateTime<Utc>) -> jobs::Report {
    app.clock.freeze(now);
    jobs::run(&app.state, now).await.unwrap()
}

async fn a_birth_declared_becomes_the_applications_child_once_the_commune_accepts(app: TestApp) {
    let mut w = world(&app).await;
    let (id, _) = apply(
        &app,
        &w,
        json!({"expected": {"due_date": "2027-01-15", "first_name": "Léa"}}),
    )
    .await;
    assert_eq!(read(&app, &w, &id).await["birth_overdue"], false);
    // The due date passed, no birth declared: flagged, for the family and
    // for the agents.
    at(&app, &mut w, paris(day("2027-01-20"), 10)).await;
    assert_eq!(read(&app, &w, &id).await["birth_overdue"], true);
    let r = app
        .get(
            &format!("/api/agent/creche/applications/{id}"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.body["birth_overdue"], true);

    let r = birth(
        &app,
        &w,
        &id,
        json!({"first_name": " Léa  Rose ", "sex": "F", "birth_date": "2027-01-12"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["birth_overdue"], false);
    assert!(
        r.body["child_id"].is_null(),
        "not before the commune accepts"
    );
    let change = r.body["birth_request_id"].as_str().unwrap().to_string();
    let last = r.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["event"], "birth");
    assert_eq!(
        last["message"],
        "Naissance déclarée\u{a0}: Léa Rose, le mardi 12 janvier 2027"
    );
    // Once only.
    let again = birth(
        &app,
        &w,
        &id,
        json!({"first_name": "Léa", "sex": "F", "birth_date": "2027-01-12"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["code"], "birth_already_confirmed");

    // A dossier change, pending in the agents' queue, as a parent's change.
    let r = app
        .get(&format!("/api/agent/requests/{change}"), Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["kind"], "dossier_change");
    assert_eq!(r.body["state"], "pending");
    let r = app
        .get(
            &format!("/api/family?family_id={}", w.family),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.body["children"].as_array().unwrap().len(), 1);

    let r = app.decide(&w.agent, &change, "accepted", None).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let r = app
        .get(
            &format!("/api/family?family_id={}", w.family),
            Some(&w.parent),
        )
        .await;
    let children = r.body["children"].as_array().unwrap();
    assert_eq!(children.len(), 2, "{:?}", r.body);
    let lea = children
        .iter()
        .find(|c| c["first_name"] == "Léa Rose")
        .unwrap();
    assert_eq!(lea["last_name"], "DUPONT");
    assert_eq!(lea["birth_date"], "2027-01-12");
    assert_eq!(lea["sex"], "F");
    let a = read(&app, &w, &id).await;
    assert_eq!(a["child_id"], lea["id"]);
    assert_eq!(a["child"], "Léa Rose DUPONT");
    // Its request, in Mes demandes, names the child too.
    let r = app
        .get(
            &format!("/api/requests/{}", a["request_id"].as_str().unwrap()),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["description"],
        "Préinscription crèche\u{a0}: Léa Rose DUPONT"
    );
    assert_eq!(r.body["child_id"], lea["id"]);
    // The application is now the child's open one.
    let r = app
        .post(
            &format!("/api/creche/applications?family_id={}", w.family),
            body(json!({"child_id": lea["id"]}), &w.structures),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.body["code"], "application_exists");
    // Withdrawn, the child may apply again (the marker went with it).
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/withdraw"),
            json!({}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    apply(&app, &w, json!({"child_id": lea["id"]})).await;
}

async fn a_birth_the_commune_refused_may_be_declared_again(app: TestApp) {
    let mut w = world(&app).await;
    let (id, _) = apply(&app, &w, json!({"expected": {"due_date": "2027-01-15"}})).await;
    at(&app, &mut w, paris(day("2027-01-20"), 10)).await;
    let r = birth(
        &app,
        &w,
        &id,
        json!({"first_name": "Lea", "sex": "F", "birth_date": "2027-01-12"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let first = r.body["birth_request_id"].as_str().unwrap().to_string();
    assert_eq!(r.body["birth_refused"], false);
    // Pending: declared once only.
    let again = birth(
        &app,
        &w,
        &id,
        json!({"first_name": "Léa", "sex": "F", "birth_date": "2027-01-12"}),
    )
    .await;
    assert_eq!(again.body["code"], "birth_already_confirmed");

    // The commune refuses the change (a misspelt first name).
    let r = app
        .decide(
            &w.agent,
            &first,
            "refused",
            Some("Le prénom ne correspond pas à l'acte de naissance."),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let a = read(&app, &w, &id).await;
    assert_eq!(a["birth_refused"], true);
    assert!(a["birth_request_id"].is_null(), "{a:?}");
    assert!(a["child_id"].is_null());

    // Declared again: a new dossier change, pending.
    let r = birth(
        &app,
        &w,
        &id,
        json!({"first_name": "Léa", "sex": "F", "birth_date": "2027-01-12"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let second = r.body["birth_request_id"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_eq!(r.body["birth_refused"], false);
    let r = app.decide(&w.agent, &second, "accepted", None).await;
    assert!(r.status.is_success(), "{:?}", r.body);
    let a = read(&app, &w, &id).await;
    assert_eq!(a["child"], "Léa DUPONT");
    assert_eq!(a["birth_refused"], false);
}

async fn bad_births_are_refused_and_nothing_is_written(app: TestApp) {
    let mut w = world(&app).await;
    let (id, _) = apply(&app, &w, json!({"expected": {"due_date": "2027-01-15"}})).await;
    let (born, _) = apply(&app, &w, json!({"child_id": w.child})).await;
    at(&app, &mut w, paris(day("2027-01-10"), 10)).await;
    let before = read(&app, &w, &id).await;
    for (b, status, code) in [
        // In the future.
        (
            json!({"first_name": "Léa", "sex": "F", "birth_date": "2027-01-11"}),
            422,
            "invalid_birth_date",
        ),
        // Far from the due date (120 days before it at most).
        (
            json!({"first_name": "Léa", "sex": "F", "birth_date": "2026-09-01"}),
            422,
            "invalid_birth_date",
        ),
        (
            json!({"first_name": "  ", "sex": "F", "birth_date": "2027-01-05"}),
            422,
            "invalid_first_name",
        ),
        (
            json!({"first_name": "L".repeat(51), "sex": "F", "birth_date": "2027-01-05"}),
            422,
            "invalid_first_name",
        ),
        (
            json!({"first_name": "Léa", "sex": "X", "birth_date": "2027-01-05"}),
            400,
            "",
        ),
        (
            json!({"first_name": "Léa", "sex": "F", "birth_date": "2027-01-05", "extra": 1}),
            400,
            "",
        ),
    ] {
        let r = birth(&app, &w, &id, b.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{b} {:?}", r.body);
        if !code.is_empty() {
            assert!(r.body.to_string().contains(code), "{b} {:?}", r.body);
        }
    }
    let ok = json!({"first_name": "Léa", "sex": "F", "birth_date": "2027-01-05"});
    // A child already born.
    let r = birth(&app, &w, &born, ok.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["code"], "not_expected");
    // Unknown, and another family's application: 404.
    let r = birth(&app, &w, "01UNKNOWN", ok.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = app.parent("autre@exemple.fr", PASSWORD).await;
    let f = app
        .create_family(
            &w.agent,
            json!({"guardians": [{"civility": "M.", "last_name": "MARTIN", "first_name": "Paul",
                                  "email": "autre@exemple.fr", "quality": "father"}], "children": []}),
        )
        .await;
    app.subscribe(&other, f["subscriber_code"].as_str().unwrap())
        .await;
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/birth"),
            ok.clone(),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    // Nothing written.
    assert_eq!(read(&app, &w, &id).await, before);
    let r = app
        .get(
            &format!("/api/family?family_id={}", w.family),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.body["children"].as_array().unwrap().len(), 1);
    // Withdrawn: closed.
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/withdraw"),
            json!({}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = birth(&app, &w, &id, ok).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["code"], "application_closed");
}

async fn the_offer_e_mail_is_sent_once_with_its_content(app: TestApp) {
    let mut w = world(&app).await;
    let (id, _) = apply(&app, &w, json!({"child_id": w.child})).await;
    assert!(
        sent(&app, "Une place en crèche vous est proposée")
            .await
            .is_empty()
    );
    offer(&app, &w, &id, "2026-12-10T18:00:00+01:00").await;
    let mails = sent(&app, "Une place en crèche vous est proposée").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let text = &mails[0].1;
    assert!(
        text.contains("pour Noé DUPONT à la crèche Les Lutins"),
        "{text}"
    );
    assert!(
        text.contains("à partir du mercredi 1er septembre 2027"),
        "{text}"
    );
    assert!(text.contains("pour 20,5 heures par semaine"), "{text}");
    assert!(
        text.contains("Répondez avant le jeudi 10 décembre 2026 à 18:00"),
        "{text}"
    );
    assert!(text.contains(&format!("/creche/{id}")), "{text}");
    let to = app
        .emails()
        .await
        .into_iter()
        .find(|e| e.subject.starts_with("Une place"))
        .unwrap()
        .to;
    assert_eq!(to, "lea@exemple.fr");
    // Reading, answering, running the job: no second offer e-mail.
    read(&app, &w, &id).await;
    run(&app, paris(day("2026-11-29"), 7)).await;
    at(&app, &mut w, paris(day("2026-11-29"), 8)).await;
    let r = app
        .post(
            &format!("/api/creche/applications/{id}/answer"),
            json!({"answer": "accept"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        sent(&app, "Une place en crèche vous est proposée")
            .await
            .len(),
        1
    );
}

async fn over_four_months_one_reminder_then_the_closing_each_once(app: TestApp) {
    let mut w = world(&app).await;
    // Submitted on 28/11/2026: to renew before 28/02/2027.
    let (forgotten, request) = apply(&app, &w, json!({"child_id": w.child})).await;
    let (renewed, _) = apply(&app, &w, json!({"expected": {"due_date": "2027-03-01"}})).await;
    assert_eq!(
        read(&app, &w, &forgotten).await["renew_before"],
        "2027-02-28"
    );
    let start = marelle_domain::time::local_date(t0());
    let mut reports = Vec::new();
    for d in 0..=120 {
        let today = start + Duration::days(d);
        for hour in [7, 19] {
            reports.push(run(&app, paris(today, hour)).await);
        }
        if today == day("2027-02-13") {
            // The family answers the reminder for one of the two.
            at(&app, &mut w, paris(today, 12)).await;
            let r = app
                .post(
                    &format!("/api/creche/applications/{renewed}/renewal"),
                    json!({}),
                    Some(&w.parent),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            assert_eq!(r.body["renew_before"], "2027-05-13");
        }
    }
    let reminders = sent(&app, "Confirmez votre demande de place en crèche").await;
    let days: Vec<NaiveDate> = reminders.iter().map(|(d, _)| *d).collect();
    // One each, 15 days before the 28th of February; none yet for the
    // renewed one's new date (28 April is past the four months).
    assert_eq!(
        days,
        vec![day("2027-02-13"), day("2027-02-13")],
        "{reminders:?}"
    );
    assert!(
        reminders[0]
            .1
            .contains("au plus tard le dimanche 28 février 2027")
    );
    let closings = sent(&app, "Votre demande de place en crèche est clôturée").await;
    assert_eq!(closings.len(), 1, "{closings:?}");
    assert_eq!(closings[0].0, day("2027-03-01"));
    assert!(closings[0].1.contains("Noé DUPONT"), "{}", closings[0].1);
    assert!(closings[0].1.contains(&format!("/creche/{forgotten}")));
    assert_eq!(reports.iter().map(|r| r.reminded).sum::<usize>(), 2);
    assert_eq!(reports.iter().map(|r| r.closed).sum::<usize>(), 1);
    assert_eq!(reports.iter().map(|r| r.failed).sum::<usize>(), 0);

    at(&app, &mut w, paris(day("2027-03-28"), 12)).await;
    let a = read(&app, &w, &forgotten).await;
    assert_eq!(a["status"], "closed");
    let last = a["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["message"],
        "Demande non confirmée avant le dimanche 28 février 2027\u{a0}: elle est clôturée."
    );
    assert_eq!(read(&app, &w, &renewed).await["status"], "submitted");
    // Its request refused with the reason.
    let r = app
        .get(&format!("/api/agent/requests/{request}"), Some(&w.agent))
        .await;
    assert_eq!(r.body["state"], "refused", "{:?}", r.body);
    assert!(r.body.to_string().contains("Demande non confirmée"));
    // Deleted by the store 3 years after closing; counted in statistics.
    let item = app
        .state
        .store
        .get(&keys::creche_application(&w.family, &forgotten))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.ttl(), Some(paris(day("2030-03-01"), 7).timestamp()));
    assert!(item.index_key(marelle_domain::ports::Index::Gsi3).is_none());
    let stat = app
        .state
        .store
        .get(&keys::creche_stat("2027-03", "closed"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stat.get("count"), Some(&json!(1)));
    // The open one keeps no TTL.
    let open = app
        .state
        .store
        .get(&keys::creche_application(&w.family, &renewed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.ttl(), None);
}

async fn a_lapsed_offer_is_recorded_once(app: TestApp) {
    let mut w = world(&app).await;
    let (id, _) = apply(&app, &w, json!({"child_id": w.child})).await;
    offer(&app, &w, &id, "2026-12-02T18:00:00+01:00").await;
    let start = marelle_domain::time::local_date(t0());
    let mut lapsed = 0;
    for d in 0..8 {
        for hour in [7, 19] {
            lapsed += run(&app, paris(start + Duration::days(d), hour))
                .await
                .lapsed;
        }
    }
    assert_eq!(lapsed, 1);
    // One e-mail, on the run that recorded it, whatever the runs after.
    let mails = sent(&app, "Proposition de place en crèche expirée").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, day("2026-12-02"));
    let text = &mails[0].1;
    assert!(text.contains("Bonjour Mme Léa Dupont,"), "{text}");
    assert!(
        text.contains("pour Noé DUPONT à la crèche Les Lutins"),
        "{text}"
    );
    assert!(
        text.contains("avant le mercredi 2 décembre 2026 à 18:00"),
        "{text}"
    );
    assert!(text.contains("reste en liste d'attente"), "{text}");
    assert!(text.contains(&format!("/creche/{id}")), "{text}");
    at(&app, &mut w, paris(start + Duration::days(8), 12)).await;
    let a = read(&app, &w, &id).await;
    assert_eq!(a["status"], "waiting");
    let lines: Vec<&Value> = a["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["event"] == "lapsed")
        .collect();
    assert_eq!(lines.len(), 1, "{a:?}");
    assert_eq!(
        lines[0]["message"],
        "Proposition non acceptée dans le délai"
    );
    assert_eq!(lines[0]["status"], "waiting");
    // Recorded on the 2nd's 19:00 run, after the 18:00 deadline.
    assert!(
        lines[0]["at"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-02T19:00")
    );
    // Waiting again: the commune may offer another place.
    let r = app
        .post(
            &format!("/api/agent/creche/applications/{id}/offer"),
            json!({"structure_id": w.structures[0], "start_date": "2027-09-01",
                   "deadline": "2026-12-20T18:00:00+01:00"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        sent(&app, "Une place en crèche vous est proposée")
            .await
            .len(),
        2
    );
}

async fn no_lapse_e_mail_for_a_family_refusing_e_mails(app: TestApp) {
    let mut w = world_with(&app, false).await;
    let (id, _) = apply(&app, &w, json!({"child_id": w.child})).await;
    offer(&app, &w, &id, "2026-12-02T18:00:00+01:00").await;
    let start = marelle_domain::time::local_date(t0());
    let mut report = jobs::Report::default();
    for d in 0..6 {
        let r = run(&app, paris(start + Duration::days(d), 19)).await;
        report.lapsed += r.lapsed;
        report.skipped += r.skipped;
    }
    // Recorded all the same, and nobody written to.
    assert_eq!(report.lapsed, 1, "{report:?}");
    at(&app, &mut w, paris(start + Duration::days(6), 12)).await;
    assert_eq!(read(&app, &w, &id).await["status"], "waiting");
    assert!(
        sent(&app, "Proposition de place en crèche expirée")
            .await
            .is_empty()
    );
}

async fn two_runs_at_once_send_once(app: TestApp) {
    let w = world(&app).await;
    apply(&app, &w, json!({"child_id": w.child})).await;
    apply(&app, &w, json!({"expected": {"due_date": "2027-03-01"}})).await;
    let now = paris(day("2027-02-13"), 7);
    app.clock.freeze(now);
    let (x, y) = tokio::join!(jobs::run(&app.state, now), jobs::run(&app.state, now));
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.reminded + y.reminded, 2, "{x:?} {y:?}");
    assert_eq!(
        sent(&app, "Confirmez votre demande de place en crèche")
            .await
            .len(),
        2
    );
    // The same for the closing.
    let now = paris(day("2027-03-01"), 7);
    app.clock.freeze(now);
    let (x, y) = tokio::join!(jobs::run(&app.state, now), jobs::run(&app.state, now));
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.closed + y.closed, 2, "{x:?} {y:?}");
    assert_eq!(x.skipped + y.skipped, 2, "{x:?} {y:?}");
    assert_eq!(
        sent(&app, "Votre demande de place en crèche est clôturée")
            .await
            .len(),
        2
    );
}
