//! `GET /api/family`, a month of planning (3 children, 4 activities) and
//! 30-day period submissions on a release `marelle`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::load;
use crate::server::Server;

const SECONDS: u64 = 10;

pub async fn run() {
    let srv = Arc::new(Server::start().await);
    let agent = srv
        .login("agent.demo@villebois.example", "Mairie2026")
        .await;
    let parent = srv
        .login("parent.demo@villebois.example", "Famille2026")
        .await;
    println!("# marelle (perf profile), {SECONDS} s per run");

    // The dossier of the demo family (2 guardians, 2 children).
    let (s2, p2) = (srv.clone(), parent.clone());
    let r = load::run(16, Duration::from_secs(SECONDS), move |_| {
        let (s, p) = (s2.clone(), p2.clone());
        async move {
            s.call(reqwest::Method::GET, "/api/family", &p, None)
                .await
                .0
                == 200
        }
    })
    .await;
    println!("{}", r.line("GET /api/family, 16 connections"));

    // A family of 3 children enrolled in 4 activities, a month half reserved.
    let family = srv
        .post(
            "/api/agent/families",
            &agent,
            json!({"guardians": [{"last_name": "BENCH", "first_name": "Anne"}],
                   "children": [
                       {"first_name": "Un", "last_name": "BENCH", "birth_date": "2016-01-01", "sex": "F"},
                       {"first_name": "Deux", "last_name": "BENCH", "birth_date": "2017-01-01", "sex": "M"},
                       {"first_name": "Trois", "last_name": "BENCH", "birth_date": "2018-01-01", "sex": "F"}]}),
        )
        .await;
    srv.post(
        "/api/subscriptions",
        &parent,
        json!({"subscriber_code": family["subscriber_code"]}),
    )
    .await;
    let fid = family["id"].as_str().unwrap().to_string();
    let children: Vec<String> = family["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let mut activities = Vec::new();
    for (name, start, end) in [
        ("1/Péri MATIN", "07:30", "08:20"),
        ("2/Repas Ecoles", "12:00", "13:30"),
        ("4/Péri SOIR", "16:30", "18:30"),
        ("5/ALSH", "08:00", "18:00"),
    ] {
        let a = srv
            .post(
                "/api/agent/activities",
                &agent,
                json!({"name": name, "establishment": "Ecole Lux", "start": start, "end": end,
                       "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                       "period": {"from": "2027-01-01", "to": "2028-02-04"}, "validation": "automatic"}),
            )
            .await;
        let id = a["id"].as_str().unwrap().to_string();
        for c in &children {
            srv.post(
                "/api/agent/enrolments",
                &agent,
                json!({"child_id": c, "activity_id": id, "from": "2027-01-01", "to": "2028-02-04"}),
            )
            .await;
        }
        activities.push(id);
    }
    for c in &children {
        for a in &activities {
            srv.post("/api/requests", &parent, json!({"kind": "reservation", "child_id": c, "activity_id": a, "from": "2027-01-01", "to": "2027-01-15", "weekdays": ["mon", "tue", "wed", "thu", "fri"]})).await;
        }
    }
    let month = format!("/api/planning?from=2027-01-01&to=2027-01-31&family_id={fid}");
    let first = srv.get(&month, &parent).await;
    let cells: usize = first["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["slots"].as_array().unwrap().len())
        .sum();
    let (s2, p2) = (srv.clone(), parent.clone());
    let r = load::run(16, Duration::from_secs(SECONDS), move |_| {
        let (s, p, m) = (s2.clone(), p2.clone(), month.clone());
        async move { s.call(reqwest::Method::GET, &m, &p, None).await.0 == 200 }
    })
    .await;
    println!(
        "{}",
        r.line(&format!("GET /api/planning (31 days, {cells} cells)"))
    );

    // 30-day period submissions, each on days nobody asked yet: one per
    // (child, activity, block of 30 days) from February 2027, over a family of 15.
    let kids: Vec<Value> = (0..15)
        .map(|i| json!({"first_name": format!("E{i}"), "last_name": "LARGE", "birth_date": "2016-01-01", "sex": "F"}))
        .collect();
    let large = srv
        .post(
            "/api/agent/families",
            &agent,
            json!({"guardians": [{"last_name": "LARGE", "first_name": "A"}], "children": kids}),
        )
        .await;
    srv.post(
        "/api/subscriptions",
        &parent,
        json!({"subscriber_code": large["subscriber_code"]}),
    )
    .await;
    let children: Vec<String> = large["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for a in &activities {
        for c in &children {
            srv.post(
                "/api/agent/enrolments",
                &agent,
                json!({"child_id": c, "activity_id": a, "from": "2027-01-01", "to": "2028-02-04"}),
            )
            .await;
        }
    }
    let combos: Vec<(String, String, u32)> = children
        .iter()
        .flat_map(|c| activities.iter().map(move |a| (c.clone(), a.clone())))
        .flat_map(|(c, a)| (0..12u32).map(move |m| (c.clone(), a.clone(), m)))
        .collect();
    let total = combos.len();
    let combos = Arc::new(combos);
    let next = Arc::new(AtomicUsize::new(0));
    let (s2, p2) = (srv.clone(), parent.clone());
    let r = load::run_until(4, Duration::from_secs(SECONDS), move |_| {
        let (s, p, combos, next) = (s2.clone(), p2.clone(), combos.clone(), next.clone());
        async move {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let (c, a, m) = combos.get(i)?;
            let from = month_start(*m);
            let to = from + chrono::Days::new(29);
            let body: Value = json!({"kind": "reservation", "child_id": c, "activity_id": a,
                                     "from": from, "to": to, "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]});
            let (status, v) = s.call(reqwest::Method::POST, "/api/requests", &p, Some(body)).await;
            let ok = status == 201 && v["requests"].as_array().is_some_and(|r| r.len() == 30);
            if !ok && i % 60 == 0 {
                eprintln!("submission {from}..{to} refused: {status} {v}");
            }
            Some(ok)
        }
    })
    .await;
    println!(
        "{}  ({} combinations available)",
        r.line("POST /api/requests (30 days each), 4 conn."),
        total
    );
}

/// The first day of the `m`-th block of 30 days from February 2027.
fn month_start(m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 2, 1).unwrap() + chrono::Days::new(u64::from(m) * 30)
}
