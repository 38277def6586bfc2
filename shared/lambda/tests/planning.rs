//! The planning, notify and digest functions on the AWS adapters against
//! moto: DynamoDB (capacity under concurrency included), EventBridge
//! events for e-mails, SES for the messages.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use std::sync::Arc;

use common::*;
use lambda_http::http::StatusCode;
use marelle_domain::accounts::Role;
use marelle_testkit::{moto, unique_name};
use serde_json::{Value, json};

struct Setup {
    l: Lambda,
    agent: String,
    activity: String,
}

async fn session(l: &Lambda, email: &str, password: &str) -> String {
    let login = invoke(
        l,
        &with_body(
            event("post-session.json"),
            json!({"email": email, "password": password}),
        ),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    login
        .set_cookie
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("marelle_session=")
        .to_string()
}

async fn setup() -> Setup {
    setup_on(lambda().await).await
}

async fn setup_on(l: Lambda) -> Setup {
    marelle_api::accounts::create_active_account(
        &l.app,
        Role::Agent,
        None,
        "Agent",
        "Mairie",
        "agent@villebois.fr",
        "Agentmairie1",
    )
    .await
    .unwrap();
    let agent = session(&l, "agent@villebois.fr", "Agentmairie1").await;
    let a = call(
        &l.agent,
        &event_with("agent/post-activities.json", &[("AGENT_SESSION", &agent)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let activity = a.body["id"].as_str().unwrap().to_string();
    Setup { l, agent, activity }
}

/// A parent with a family of one child enrolled in the activity; returns
/// (session, child id, e-mail).
async fn family(s: &Setup, n: usize) -> (String, String, String) {
    let email = format!("parent{n}@exemple.fr");
    marelle_api::accounts::create_active_account(
        &s.l.app,
        Role::Parent,
        None,
        "Léa",
        "DUPONT",
        &email,
        "Motdepasse1",
    )
    .await
    .unwrap();
    let parent = session(&s.l, &email, "Motdepasse1").await;
    let fam = call(
        &s.l.agent,
        &event_with("agent/post-families.json", &[("AGENT_SESSION", &s.agent)]),
    )
    .await;
    assert_eq!(fam.status, StatusCode::CREATED, "{}", fam.body);
    let code = fam.body["subscriber_code"].as_str().unwrap().to_string();
    let child = fam.body["children"][0]["id"].as_str().unwrap().to_string();
    let sub = call(
        &s.l.family,
        &event_with(
            "family/post-subscriptions.json",
            &[("PARENT_SESSION", &parent), ("SUBSCRIBER_CODE", &code)],
        ),
    )
    .await;
    assert_eq!(sub.status, StatusCode::CREATED);
    let e = call(
        &s.l.agent,
        &event_with(
            "agent/post-enrolments.json",
            &[
                ("AGENT_SESSION", &s.agent),
                ("CHILD_ID", &child),
                ("ACTIVITY_ID", &s.activity),
            ],
        ),
    )
    .await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.body);
    (parent, child, email)
}

async fn ses_messages(l: &Lambda) -> Vec<String> {
    let data: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/moto-api/data.json", moto::endpoint()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    data["ses"]["RawMessage"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|m| m["source"].as_str() == Some(l.from.as_str()))
        .map(|m| m["raw_data"].as_str().unwrap().replace("=\r\n", ""))
        .collect()
}

#[tokio::test]
async fn a_period_request_runs_on_dynamodb_and_its_acknowledgment_leaves_from_eventbridge() {
    let s = setup().await;
    let (parent, child, email) = family(&s, 1).await;
    // EventBridge → SQS, so that the test sees the event as Lambda gets it.
    let sqs = aws_sdk_sqs::Client::new(&s.l.sdk);
    let queue = sqs
        .create_queue()
        .queue_name(unique_name("notify"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(&queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    let eb = aws_sdk_eventbridge::Client::new(&s.l.sdk);
    eb.put_rule()
        .name("to-notify")
        .event_bus_name(&s.l.bus)
        .event_pattern(r#"{"source":["marelle"],"detail-type":["RequestsSubmitted"]}"#)
        .send()
        .await
        .unwrap();
    eb.put_targets()
        .rule("to-notify")
        .event_bus_name(&s.l.bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("q")
                .arn(arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let fill = [
        ("PARENT_SESSION", parent.as_str()),
        ("CHILD_ID", child.as_str()),
        ("ACTIVITY_ID", s.activity.as_str()),
    ];
    let r = call(
        &s.l.planning,
        &event_with("planning/post-requests.json", &fill),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.body["requests"].as_array().unwrap().len(),
        10,
        "the open Mondays and Tuesdays"
    );
    let p = call(
        &s.l.planning,
        &event_with("planning/get-planning.json", &fill),
    )
    .await;
    assert_eq!(
        p.body["days"][0]["slots"][0]["state"],
        "reservation_requested"
    );

    let mut delivered = Vec::new();
    for _ in 0..50 {
        let out = sqs
            .receive_message()
            .queue_url(&queue)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        delivered.extend(out.messages.unwrap_or_default());
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(delivered.len(), 1, "one event for the submission");
    let payload: Value = serde_json::from_str(delivered[0].body.as_deref().unwrap()).unwrap();
    let notifier = marelle_api::jobs::notify::Notifier::new(s.l.app.clone());
    marelle_lambda::handle_event(&notifier, &payload)
        .await
        .unwrap();
    marelle_lambda::handle_event(&notifier, &payload)
        .await
        .unwrap();
    let acks: Vec<String> = ses_messages(&s.l)
        .await
        .into_iter()
        .filter(|m| m.contains(&email) && m.contains("10 demandes de r"))
        .collect();
    assert_eq!(acks.len(), 1, "delivered twice, sent once");
}

#[tokio::test]
async fn exactly_the_capacity_is_reserved_on_dynamodb_under_concurrent_requests() {
    let s = setup().await;
    let mut parents = Vec::new();
    for n in 0..12 {
        parents.push(family(&s, n).await);
    }
    let planning = Arc::new(s.l.planning.clone());
    let activity = s.activity.clone();
    let tasks: Vec<_> = parents
        .into_iter()
        .map(|(parent, child, _)| {
            let planning = planning.clone();
            let activity = activity.clone();
            tokio::spawn(async move {
                let fill = [
                    ("PARENT_SESSION", parent.as_str()),
                    ("CHILD_ID", child.as_str()),
                    ("ACTIVITY_ID", activity.as_str()),
                ];
                call(
                    &planning,
                    &event_with("planning/post-requests-day.json", &fill),
                )
                .await
            })
        })
        .collect();
    let (mut placed, mut waiting) = (0, 0);
    for t in tasks {
        let a = t.await.unwrap();
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        if a.body["requests"][0]["description"]
            .as_str()
            .unwrap()
            .contains("liste d'attente")
        {
            waiting += 1;
        } else {
            placed += 1;
        }
    }
    assert_eq!((placed, waiting), (5, 7));
}

#[tokio::test]
async fn the_digest_runs_on_dynamodb_and_ses_once_per_family_and_window() {
    let s = setup().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let (parent, child, _) = family(&s, n).await;
        let fill = [
            ("PARENT_SESSION", parent.as_str()),
            ("CHILD_ID", child.as_str()),
            ("ACTIVITY_ID", s.activity.as_str()),
        ];
        let r = call(
            &s.l.planning,
            &event_with("planning/post-requests-day.json", &fill),
        )
        .await;
        ids.push(r.body["requests"][0]["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        let d = call(
            &s.l.agent,
            &event_with(
                "agent/post-decision.json",
                &[("AGENT_SESSION", &s.agent), ("REQUEST_ID", id)],
            ),
        )
        .await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    }
    let boundary = marelle_domain::digest_window::window_of(chrono::Utc::now()).end();
    let before = ses_messages(&s.l).await.len();
    // A run that dies after one family, then the scheduled run.
    let partial = marelle_api::jobs::digest::run_once(
        &s.l.app,
        boundary,
        marelle_api::jobs::digest::Options {
            stop_after: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(partial.sent, 1);
    let input: marelle_lambda::DigestInput =
        serde_json::from_value(json!({"at": boundary})).unwrap();
    let report = marelle_lambda::handle_digest(&s.l.app, input)
        .await
        .unwrap();
    assert_eq!((report.sent, report.skipped, report.requests), (2, 1, 3));
    let again = marelle_lambda::handle_digest(
        &s.l.app,
        serde_json::from_value(json!({"at": boundary})).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!((again.sent, again.skipped), (0, 3));
    let digests: Vec<String> = ses_messages(&s.l).await[before..]
        .iter()
        .filter(|m| m.contains("Accus=C3=A9 de traitement") || m.contains("Accusé de traitement"))
        .cloned()
        .collect();
    assert_eq!(digests.len(), 3, "one per family");
    // The scheduler's sample input parses.
    let sample: marelle_lambda::DigestInput = serde_json::from_str(
        &std::fs::read_to_string(format!("{EVENTS}/digest/scheduled-13h.json")).unwrap(),
    )
    .unwrap();
    assert!(sample.at.is_some());
}

/// The dates (dd/mm/yyyy) a raw message lists.
fn dates_in(raw: &str) -> std::collections::BTreeSet<String> {
    let bytes = raw.as_bytes();
    let mut out = std::collections::BTreeSet::new();
    for i in 0..bytes.len().saturating_sub(10) {
        let w = &raw[i..i + 10];
        let b = w.as_bytes();
        if b[2] == b'/'
            && b[5] == b'/'
            && b.iter()
                .enumerate()
                .all(|(j, c)| j == 2 || j == 5 || c.is_ascii_digit())
        {
            out.insert(w.to_string());
        }
    }
    out
}

#[tokio::test]
async fn digest_windows_hold_around_both_daylight_saving_changes_on_dynamodb_and_ses() {
    use chrono::{NaiveDate, TimeZone};
    let clock = Arc::new(marelle_domain::ports::SettableClock::frozen(
        marelle_testkit::t0(),
    ));
    let l = lambda_with_clock(clock.clone()).await;
    marelle_api::accounts::create_active_account(
        &l.app,
        Role::Agent,
        None,
        "Agent",
        "Mairie",
        "agent@villebois.fr",
        "Agentmairie1",
    )
    .await
    .unwrap();
    let agent = session(&l, "agent@villebois.fr", "Agentmairie1").await;
    let a = call(
        &l.agent,
        &event_with("agent/post-activities.json", &[("AGENT_SESSION", &agent)]),
    )
    .await;
    let s = Setup {
        l,
        agent,
        activity: a.body["id"].as_str().unwrap().to_string(),
    };
    let (parent, child, _) = family(&s, 1).await;
    let paris = |d: NaiveDate, h, m, sec| {
        marelle_domain::time::ZONE
            .from_local_datetime(&d.and_hms_opt(h, m, sec).unwrap())
            .single()
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    // The seven instants around each boundary, on the spring and autumn Sundays.
    let mut decisions = Vec::new();
    for day in [d(2027, 3, 28), d(2027, 10, 31)] {
        let prev = day.pred_opt().unwrap();
        for at in [
            paris(prev, 18, 0, 0),
            paris(prev, 18, 0, 1),
            paris(day, 12, 59, 59),
            paris(day, 13, 0, 0),
            paris(day, 13, 0, 1),
            paris(day, 17, 59, 59),
            paris(day, 18, 0, 0),
        ] {
            decisions.push(at);
        }
    }
    let days: Vec<NaiveDate> = d(2027, 5, 3)
        .iter_days()
        // Working days: the activity is closed on Ascension (6 May 2027).
        .filter(|x| marelle_domain::calendar::is_working_day(*x, &Default::default()))
        .take(decisions.len())
        .collect();
    let fill = [
        ("PARENT_SESSION", parent.as_str()),
        ("CHILD_ID", child.as_str()),
        ("ACTIVITY_ID", s.activity.as_str()),
    ];
    let r = call(
        &s.l.planning,
        &with_body(event_with("planning/post-requests-day.json", &fill), json!({"kind": "reservation", "child_id": child, "activity_id": s.activity, "dates": days})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ids: Vec<String> = r.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect();
    let mut expected: std::collections::BTreeMap<
        chrono::DateTime<chrono::Utc>,
        std::collections::BTreeSet<String>,
    > = Default::default();
    for ((at, id), day) in decisions.iter().zip(&ids).zip(&days) {
        clock.freeze(*at);
        let agent = session(&s.l, "agent@villebois.fr", "Agentmairie1").await;
        let dec = call(
            &s.l.agent,
            &event_with(
                "agent/post-decision.json",
                &[("AGENT_SESSION", &agent), ("REQUEST_ID", id)],
            ),
        )
        .await;
        assert_eq!(dec.status, StatusCode::OK, "{}", dec.body);
        let window = marelle_domain::digest_window::window_of(*at);
        expected
            .entry(window.end())
            .or_default()
            .insert(day.format("%d/%m/%Y").to_string());
    }
    assert_eq!(
        expected.len(),
        6,
        "{:?}",
        expected.keys().collect::<Vec<_>>()
    );
    for (boundary, dates) in &expected {
        clock.freeze(*boundary);
        let before = ses_messages(&s.l).await.len();
        let report = marelle_api::jobs::digest::run_once(
            &s.l.app,
            *boundary,
            marelle_api::jobs::digest::Options::default(),
        )
        .await
        .unwrap();
        assert_eq!(report.sent, 1, "{boundary}");
        let new = ses_messages(&s.l).await[before..].to_vec();
        assert_eq!(new.len(), 1);
        assert_eq!(
            &dates_in(&new[0]),
            dates,
            "the decisions of the window closed at {boundary}, and no other"
        );
        let again = marelle_api::jobs::digest::run_once(
            &s.l.app,
            *boundary,
            marelle_api::jobs::digest::Options::default(),
        )
        .await
        .unwrap();
        assert_eq!((again.sent, again.skipped), (0, 1));
    }
}

#[tokio::test]
async fn on_dynamodb_new_year_s_day_is_closed_and_zone_c_plans_around_the_winter_holidays() {
    let l = lambda_with(
        Arc::new(marelle_domain::ports::SystemClock),
        &[("MARELLE_SCHOOL_ZONE", "C")],
    )
    .await;
    let s = setup_on(l).await;
    let (parent, child, _) = family(&s, 1).await;
    let fill = [
        ("PARENT_SESSION", parent.as_str()),
        ("CHILD_ID", child.as_str()),
        ("ACTIVITY_ID", s.activity.as_str()),
    ];
    let ask = |body: Value| {
        let fill = &fill;
        let s = &s;
        async move {
            call(
                &s.l.planning,
                &with_body(event_with("planning/post-requests-day.json", fill), body),
            )
            .await
        }
    };
    let r = ask(json!({"kind": "reservation", "child_id": child, "activity_id": s.activity, "dates": ["2027-01-01"]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.body["errors"][0]["message"],
        "L'activité est fermée le 01/01/2027 (Jour de l'an)."
    );
    // Created without the settings, the activity closes for the school
    // holidays (a new activity's default): zone C's winter holidays
    // (6 to 21 February 2027) are left out, then its own closure.
    let r = ask(json!({"kind": "reservation", "child_id": child, "activity_id": s.activity, "from": "2027-02-01", "to": "2027-03-05", "weekdays": ["mon", "fri"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let days: Vec<&str> = r.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        ["2027-02-01", "2027-02-05", "2027-03-01", "2027-03-05"]
    );
}
