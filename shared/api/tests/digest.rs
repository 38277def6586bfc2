//! The processing digest on the embedded adapters: every decision in the
//! one right e-mail, whatever the day; never twice; never lost.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use marelle_api::jobs::digest::{Options, run_once};
use marelle_domain::time::ZONE;
use marelle_testkit::TestApp;
use serde_json::json;

const PASSWORD: &str = "Motdepasse1";

fn paris(date: NaiveDate, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    ZONE.from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(h, m, s).unwrap()))
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct Family {
    parent: String,
    child: String,
    email: String,
}

struct World {
    app: TestApp,
    agent_email: String,
    activity: String,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::with_settings(marelle_api::http::state::Settings {
            captcha: marelle_api::http::state::CaptchaSettings::lowest(),
            limits: marelle_api::http::state::RateLimits::scaled(100),
            ..Default::default()
        })
        .await;
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let r = app
            .post(
                "/api/agent/activities",
                json!({"name": "4/Péri SOIR", "establishment": "Ecole Lux", "start": "16:30", "end": "18:30",
                       "weekdays": ["mon", "tue", "wed", "thu", "fri"], "period": {"from": "2027-01-04", "to": "2028-01-31"},
                       // Every day, public holidays too: the test is about windows.
                       "validation": "manual", "open_on_public_holidays": true}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        Self {
            app,
            agent_email: "agent@villebois.test".into(),
            activity: r.body["id"].as_str().unwrap().into(),
        }
    }

    async fn agent(&self) -> String {
        self.app.log_in(&self.agent_email, "Agentmairie1").await
    }

    async fn family(&self, n: usize, accepts_email: bool) -> Family {
        let agent = self.agent().await;
        let email = format!("parent{n}@exemple.fr");
        let parent = self.app.parent(&email, PASSWORD).await;
        let fam = self
            .app
            .create_family(
                &agent,
                json!({"guardians": [{"civility": "M.", "last_name": "BLMAN", "first_name": "Matthieu", "accepts_email": accepts_email}],
                       "children": [{"first_name": "Timéo", "last_name": "BLMAN", "birth_date": "2016-03-14", "sex": "M"}]}),
            )
            .await;
        self.app
            .subscribe(&parent, fam["subscriber_code"].as_str().unwrap())
            .await;
        let child = fam["children"][0]["id"].as_str().unwrap().to_string();
        let r = self
            .app
            .post("/api/agent/enrolments", json!({"child_id": child, "activity_id": self.activity, "from": "2027-01-04", "to": "2028-01-31"}), Some(&agent))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        Family {
            parent,
            child,
            email,
        }
    }

    /// Reservations for these days; returns their request ids by day.
    async fn reserve(&self, f: &Family, days: &[NaiveDate]) -> BTreeMap<NaiveDate, String> {
        let mut out = BTreeMap::new();
        for chunk in days.chunks(20) {
            let r = self
                .app
                .post("/api/requests", json!({"kind": "reservation", "child_id": f.child, "activity_id": self.activity, "dates": chunk}), Some(&f.parent))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            for q in r.body["requests"].as_array().unwrap() {
                out.insert(
                    q["date"].as_str().unwrap().parse().unwrap(),
                    q["id"].as_str().unwrap().to_string(),
                );
            }
        }
        out
    }

    /// The agent decides the request at `at` (the portal's clock then).
    async fn decide_at(
        &self,
        at: DateTime<Utc>,
        request: &str,
        decision: &str,
        message: Option<&str>,
    ) {
        self.app.clock.freeze(at);
        let agent = self.agent().await;
        let r = self.app.decide(&agent, request, decision, message).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    /// Runs the digest at `at`, the clock there.
    async fn run_at(&self, at: DateTime<Utc>) -> marelle_api::jobs::digest::Report {
        self.app.clock.freeze(at);
        run_once(&self.app.state, at, Options::default())
            .await
            .unwrap()
    }

    /// The days listed by each digest e-mail sent at `at`.
    async fn digests_sent_at(&self, at: DateTime<Utc>) -> Vec<(String, BTreeSet<NaiveDate>)> {
        self.app
            .emails()
            .await
            .into_iter()
            .filter(|m| m.subject == "Accusé de traitement" && m.sent_at == at)
            .map(|m| {
                let days = m
                    .text
                    .lines()
                    .filter_map(|l| {
                        NaiveDate::parse_from_str(
                            l.split_whitespace().next().unwrap_or(""),
                            "%d/%m/%Y",
                        )
                        .ok()
                    })
                    .collect();
                (m.to.clone(), days)
            })
            .collect()
    }
}

/// Weekdays from `from`, as many as asked.
fn weekdays(from: NaiveDate, n: usize) -> Vec<NaiveDate> {
    from.iter_days()
        .filter(|d| chrono::Datelike::weekday(d).number_from_monday() <= 5)
        .take(n)
        .collect()
}

#[tokio::test]
async fn every_decision_lands_in_the_one_right_email_around_both_daylight_saving_changes() {
    let w = World::new().await;
    let f = w.family(1, true).await;
    // Days of the around-DST weekend and a plain weekday and a year end.
    let boundary_days = [
        d(2027, 3, 27),
        d(2027, 3, 28),
        d(2027, 3, 29),
        d(2027, 10, 30),
        d(2027, 10, 31),
        d(2027, 11, 1),
        d(2027, 12, 31),
    ];
    let instants = |day: NaiveDate| {
        let prev = day.pred_opt().unwrap();
        vec![
            paris(prev, 18, 0, 0),
            paris(prev, 18, 0, 1),
            paris(day, 12, 59, 59),
            paris(day, 13, 0, 0),
            paris(day, 13, 0, 1),
            paris(day, 17, 59, 59),
            paris(day, 18, 0, 0),
        ]
    };
    let all: Vec<DateTime<Utc>> = boundary_days
        .iter()
        .flat_map(|day| instants(*day))
        .collect();
    let days = weekdays(d(2027, 10, 1), all.len());
    let ids = w.reserve(&f, &days).await;
    // Which window each decision belongs to, by its boundary instant.
    let mut expected: BTreeMap<DateTime<Utc>, BTreeSet<NaiveDate>> = BTreeMap::new();
    for (at, day) in all.iter().zip(&days) {
        w.decide_at(*at, &ids[day], "accepted", None).await;
        let local = at.with_timezone(&ZONE);
        let t = local.time();
        let (date, hour) = if t <= NaiveTime::from_hms_opt(13, 0, 0).unwrap() {
            (local.date_naive(), 13)
        } else if t <= NaiveTime::from_hms_opt(18, 0, 0).unwrap() {
            (local.date_naive(), 18)
        } else {
            (local.date_naive().succ_opt().unwrap(), 13)
        };
        expected
            .entry(paris(date, hour, 0, 0))
            .or_default()
            .insert(*day);
    }
    // Two runs of three days (the evening before, then two windows a
    // day) and a year end (the evening before, then two windows).
    assert_eq!(expected.len(), 7 + 7 + 3);
    for (boundary, days) in &expected {
        let r = w.run_at(*boundary).await;
        assert_eq!((r.sent, r.failed), (1, 0), "{boundary}");
        let sent = w.digests_sent_at(*boundary).await;
        assert_eq!(sent.len(), 1, "one e-mail for the family at {boundary}");
        assert_eq!(&sent[0].0, &f.email);
        assert_eq!(
            &sent[0].1, days,
            "the decisions of the window closed at {boundary}"
        );
    }
    // Each window again: nothing more.
    for boundary in expected.keys() {
        let r = w.run_at(*boundary).await;
        assert_eq!((r.sent, r.skipped), (0, 1), "{boundary}");
    }
    let digests = w
        .app
        .emails()
        .await
        .into_iter()
        .filter(|m| m.subject == "Accusé de traitement")
        .count();
    assert_eq!(digests, expected.len());
}

#[tokio::test]
async fn the_digest_lists_the_status_and_the_agents_message_and_skips_quiet_families() {
    let w = World::new().await;
    let f = w.family(1, true).await;
    let quiet = w.family(2, true).await;
    let days = weekdays(d(2027, 12, 1), 2);
    let ids = w.reserve(&f, &days).await;
    w.reserve(&quiet, &days).await;
    let day = d(2027, 6, 2);
    w.decide_at(paris(day, 9, 0, 0), &ids[&days[0]], "accepted", None)
        .await;
    w.decide_at(
        paris(day, 10, 0, 0),
        &ids[&days[1]],
        "refused",
        Some("Plus de place ce jour-là."),
    )
    .await;
    let r = w.run_at(paris(day, 13, 0, 0)).await;
    assert_eq!((r.sent, r.skipped, r.requests), (1, 0, 2));
    let mail = w.app.last_email_to(&f.email).await;
    assert!(
        mail.text.starts_with("Bonjour Mme Léa Dupont,"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("2 de vos demandes ont été traitées :"));
    assert!(
        mail.text
            .contains("01/12/2027  Timéo   16:30  Réservation         4/Péri SOIR  Accepté"),
        "{}",
        mail.text
    );
    assert!(
        mail.text
            .contains("02/12/2027  Timéo   16:30  Réservation         4/Péri SOIR  Refusé")
    );
    assert!(mail.text.contains("Plus de place ce jour-là."));
    assert!(
        w.app
            .emails()
            .await
            .iter()
            .all(|m| m.to != quiet.email || m.subject != "Accusé de traitement")
    );
}

#[tokio::test]
async fn a_family_that_refused_e_mails_gets_none_but_sees_its_decisions() {
    let w = World::new().await;
    let f = w.family(1, false).await;
    let days = weekdays(d(2027, 12, 1), 1);
    let ids = w.reserve(&f, &days).await;
    w.decide_at(
        paris(d(2027, 6, 2), 9, 0, 0),
        &ids[&days[0]],
        "accepted",
        None,
    )
    .await;
    let r = w.run_at(paris(d(2027, 6, 2), 13, 0, 0)).await;
    assert_eq!((r.sent, r.skipped), (0, 1));
    assert!(
        w.app
            .emails()
            .await
            .iter()
            .all(|m| m.subject != "Accusé de traitement")
    );
    let parent = w.app.log_in(&f.email, PASSWORD).await;
    let mine = w
        .app
        .get("/api/requests?state=accepted", Some(&parent))
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_run_that_dies_half_way_is_completed_by_the_next_without_duplicates() {
    let w = World::new().await;
    let mut families = Vec::new();
    for n in 0..6 {
        let f = w.family(n, true).await;
        let ids = w.reserve(&f, &weekdays(d(2027, 12, 1), 1)).await;
        families.push((f, ids));
    }
    let day = d(2027, 6, 2);
    for (i, (_, ids)) in families.iter().enumerate() {
        w.decide_at(
            paris(day, 9, i as u32, 0),
            ids.values().next().unwrap(),
            "accepted",
            None,
        )
        .await;
    }
    let boundary = paris(day, 13, 0, 0);
    w.app.clock.freeze(boundary);
    let first = run_once(
        &w.app.state,
        boundary,
        Options {
            stop_after: Some(3),
            ..Options::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(first.sent, 3);
    let second = w.run_at(boundary).await;
    assert_eq!((second.sent, second.skipped), (3, 3));
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for m in w
        .app
        .emails()
        .await
        .into_iter()
        .filter(|m| m.subject == "Accusé de traitement")
    {
        *count.entry(m.to).or_default() += 1;
    }
    assert_eq!(count.len(), 6);
    assert!(count.values().all(|n| *n == 1), "{count:?}");
}

#[tokio::test]
async fn two_runs_at_once_send_each_email_once() {
    let w = std::sync::Arc::new(World::new().await);
    for n in 0..5 {
        let f = w.family(n, true).await;
        let ids = w.reserve(&f, &weekdays(d(2027, 12, 1), 2)).await;
        for (i, id) in ids.values().enumerate() {
            w.decide_at(
                paris(d(2027, 6, 2), 9, (n * 2 + i) as u32, 0),
                id,
                "accepted",
                None,
            )
            .await;
        }
    }
    let boundary = paris(d(2027, 6, 2), 13, 0, 0);
    w.app.clock.freeze(boundary);
    let (a, b) = tokio::join!(
        run_once(&w.app.state, boundary, Options::default()),
        run_once(&w.app.state, boundary, Options::default())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 5);
    assert_eq!(a.skipped + b.skipped, 5);
    assert_eq!(
        w.app
            .emails()
            .await
            .iter()
            .filter(|m| m.subject == "Accusé de traitement")
            .count(),
        5
    );
}

#[tokio::test]
async fn a_failed_send_is_retried_by_the_next_run() {
    let w = World::new().await;
    let f = w.family(1, true).await;
    let ids = w.reserve(&f, &weekdays(d(2027, 12, 1), 1)).await;
    w.decide_at(
        paris(d(2027, 6, 2), 9, 0, 0),
        ids.values().next().unwrap(),
        "accepted",
        None,
    )
    .await;
    // Break the outbox: its folder replaced by a file.
    let dir = w.app.outbox.dir().to_path_buf();
    let aside = dir.with_extension("aside");
    std::fs::rename(&dir, &aside).unwrap();
    std::fs::write(&dir, b"not a folder").unwrap();
    let boundary = paris(d(2027, 6, 2), 13, 0, 0);
    let failed = w.run_at(boundary).await;
    assert_eq!((failed.sent, failed.failed), (0, 1));
    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&aside, &dir).unwrap();
    // The next scheduled run (another window) sends it, once.
    let next = w.run_at(paris(d(2027, 6, 2), 18, 0, 0)).await;
    assert_eq!((next.retried, next.sent, next.failed), (1, 0, 0));
    let mail = w.app.last_email_to(&f.email).await;
    assert_eq!(mail.subject, "Accusé de traitement");
    let later = w.run_at(paris(d(2027, 6, 3), 13, 0, 0)).await;
    assert_eq!(later.retried, 0);
    let again = w.run_at(boundary).await;
    assert_eq!((again.sent, again.skipped), (0, 1), "sent once");
}

#[tokio::test]
async fn a_run_reads_its_window_through_the_index_with_few_reads_per_family() {
    let w = World::new().await;
    let day = d(2027, 6, 2);
    for n in 0..4 {
        let f = w.family(n, true).await;
        let ids = w.reserve(&f, &weekdays(d(2027, 12, 1), 3)).await;
        for (i, id) in ids.values().enumerate() {
            w.decide_at(paris(day, 9, (n * 3 + i) as u32, 0), id, "accepted", None)
                .await;
        }
    }
    let r = w.run_at(paris(day, 13, 0, 0)).await;
    assert_eq!((r.sent, r.requests), (4, 12));
    // One page of the window, then three reads per family (dossier,
    // accounts linked, their records).
    assert_eq!(r.store_reads, 1 + 4 * 3);
    let other = w.run_at(paris(day, 18, 0, 0)).await;
    assert_eq!((other.sent, other.requests, other.store_reads), (0, 0, 1));
}

#[tokio::test]
async fn the_agent_previews_the_coming_digest_as_it_will_leave_and_nothing_is_sent() {
    let w = World::new().await;
    let f = w.family(1, true).await;
    let silent = w.family(2, false).await;
    let days = weekdays(d(2027, 12, 1), 2);
    let ids = w.reserve(&f, &days).await;
    let other = w.reserve(&silent, &days).await;
    let day = d(2027, 6, 2);
    w.decide_at(paris(day, 9, 0, 0), &ids[&days[0]], "accepted", None)
        .await;
    w.decide_at(
        paris(day, 9, 30, 0),
        &ids[&days[1]],
        "refused",
        Some("Plus de place ce jour-là."),
    )
    .await;
    w.decide_at(paris(day, 9, 45, 0), &other[&days[0]], "accepted", None)
        .await;
    // A decision of the window before is not in this one.
    w.decide_at(
        paris(day - chrono::Duration::days(1), 17, 0, 0),
        &other[&days[1]],
        "accepted",
        None,
    )
    .await;
    w.app.clock.freeze(paris(day, 10, 0, 0));
    let before = w.app.emails().await.len();
    let agent = w.agent().await;
    let r = w.app.get("/api/agent/digest/preview", Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["window"], "2027-06-02T13");
    assert_eq!(r.body["sends_at"], "2027-06-02T13:00:00+02:00");
    assert_eq!(r.body["families"], 2, "both families have a decision");
    assert_eq!(r.body["more"], false);
    let emails = r.body["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 1, "the family refusing e-mails gets none");
    assert_eq!(emails[0]["to"], f.email.as_str());
    assert_eq!(emails[0]["subject"], "Accusé de traitement");
    let preview_text = emails[0]["text"].as_str().unwrap().to_string();
    assert!(preview_text.contains("2 de vos demandes ont été traitées :"));
    assert!(preview_text.contains("Plus de place ce jour-là."));
    assert!(emails[0]["html"].as_str().unwrap().contains("<table"));
    assert_eq!(r.body["outbox"], false, "no readable outbox in tests");
    assert_eq!(
        w.app.emails().await.len(),
        before,
        "a preview sends nothing"
    );
    // The window closes: the e-mail that leaves is the one previewed.
    let report = w.run_at(paris(day, 13, 0, 0)).await;
    assert_eq!((report.sent, report.skipped), (1, 1));
    let sent = w.app.last_email_to(&f.email).await;
    assert_eq!(sent.text.replace("\r\n", "\n"), preview_text);
}

#[tokio::test]
async fn a_preview_stops_reading_after_its_twenty_families_and_says_there_are_more() {
    let w = World::new().await;
    let day = d(2027, 6, 2);
    let n = marelle_api::jobs::digest::PREVIEW_MAX + 1;
    for i in 0..n {
        let f = w.family(i, true).await;
        let ids = w.reserve(&f, &[d(2027, 12, 1)]).await;
        w.decide_at(paris(day, 9, 0, 0), &ids[&d(2027, 12, 1)], "accepted", None)
            .await;
    }
    w.app.clock.freeze(paris(day, 10, 0, 0));
    let agent = w.agent().await;
    let r = w.app.get("/api/agent/digest/preview", Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["families"], n - 1);
    assert_eq!(r.body["more"], true);
    assert_eq!(r.body["emails"].as_array().unwrap().len(), n - 1);
}
