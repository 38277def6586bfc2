//! Durability: `marelle` is killed with SIGKILL in the middle of a stream of
//! writes (sign-ups, reservation requests, agent decisions), restarted on
//! the same data folder, and every write it acknowledged (a 2xx answer) is
//! found again. 20 trials on one data folder; the sessions, stored like
//! everything else, survive the restarts too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TRIALS: usize = 20;
const PARENT: (&str, &str) = ("parent.demo@villebois.example", "Famille2026");
const AGENT: (&str, &str) = ("agent.demo@villebois.example", "Mairie2026");

use common::Server;

fn start(data: &Path) -> Server {
    common::serve(
        data,
        &["--dev", "--demo"],
        &[("MARELLE_RATE_LIMIT_FACTOR", "1000")],
    )
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Sends a request; `None` when the server did not answer (killed).
async fn send(
    c: &reqwest::Client,
    s: &Server,
    method: reqwest::Method,
    path: &str,
    cookie: Option<&str>,
    body: Option<Value>,
) -> Option<(StatusCode, Value)> {
    let mut req = c
        .request(method, format!("{}{path}", s.base))
        .header("origin", &s.base);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.ok()?;
    let status = r.status();
    let bytes = r.bytes().await.ok()?;
    Some((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

async fn log_in(c: &reqwest::Client, s: &Server, (email, password): (&str, &str)) -> String {
    let r = c
        .post(format!("{}/api/session", s.base))
        .header("origin", &s.base)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn captcha(c: &reqwest::Client, s: &Server) -> Option<String> {
    let r = c.get(format!("{}/api/captcha", s.base)).send().await.ok()?;
    let challenge: altcha::Challenge = r.json().await.ok()?;
    let solution = altcha::solve_challenge(altcha::SolveChallengeOptions::new(&challenge))
        .unwrap()
        .unwrap();
    Some(base64::engine::general_purpose::STANDARD.encode(
        serde_json::to_vec(&json!({"challenge": challenge, "solution": solution})).unwrap(),
    ))
}

/// What the server acknowledged.
#[derive(Default)]
struct Acknowledged {
    /// Accounts signed up: (e-mail, password).
    sign_ups: Vec<(String, String)>,
    /// Reservation requests, by id.
    requests: Vec<String>,
    /// Decisions: (request id, state it took).
    decisions: Vec<(String, String)>,
}

struct World {
    parent: String,
    agent: String,
    children: Vec<String>,
    activity: String,
    first_day: chrono::NaiveDate,
    /// Reservations asked so far: each day, one child then the other.
    asked: u64,
}

async fn setup(c: &reqwest::Client, s: &Server) -> World {
    let parent = log_in(c, s, PARENT).await;
    let agent = log_in(c, s, AGENT).await;
    let post = |path: &'static str, cookie: String, body: Value| async move {
        let r = send(c, s, reqwest::Method::POST, path, Some(&cookie), Some(body))
            .await
            .unwrap();
        assert!(r.0.is_success(), "{path}: {r:?}");
        r.1
    };
    // Real time (expired sessions are swept at start): the days ahead.
    let from = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let to = from + chrono::Days::new(390);
    let activity = post(
        "/api/agent/activities",
        agent.clone(),
        json!({"name": "Péri SOIR", "establishment": "Ecole Lux", "start": "16:30", "end": "18:30",
               "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
               "period": {"from": from, "to": to}, "validation": "manual"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, family) = send(
        c,
        s,
        reqwest::Method::GET,
        "/api/family",
        Some(&parent),
        None,
    )
    .await
    .unwrap();
    let children: Vec<String> = family["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for child in &children {
        post(
            "/api/agent/enrolments",
            agent.clone(),
            json!({"child_id": child, "activity_id": activity, "from": from, "to": to}),
        )
        .await;
    }
    World {
        parent,
        agent,
        children,
        activity,
        first_day: from + chrono::Days::new(7),
        asked: 0,
    }
}

/// Writes until the server stops answering; records what it acknowledged.
async fn stream(
    c: &reqwest::Client,
    s: &Server,
    w: &mut World,
    trial: usize,
    acked: &mut Acknowledged,
    progress: &std::sync::atomic::AtomicUsize,
) {
    let mut undecided: Vec<String> = Vec::new();
    for i in 0.. {
        if i % 8 == 0 {
            let email = format!("durable{trial}.{i}@exemple.fr");
            let Some(captcha) = captcha(c, s).await else {
                return;
            };
            let form = json!({
                "civility": "Mme", "last_name": "Durable", "first_name": "Anne", "email": email,
                "password": "Motdepasse1", "password_confirmation": "Motdepasse1",
                "accept_terms": true, "captcha": captcha,
            });
            match send(
                c,
                s,
                reqwest::Method::POST,
                "/api/accounts",
                None,
                Some(form),
            )
            .await
            {
                None => return,
                Some((status, _)) if status.is_success() => {
                    acked.sign_ups.push((email, "Motdepasse1".into()));
                    progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                Some(r) => panic!("sign-up refused: {r:?}"),
            }
        } else if i % 3 == 2
            && let Some(id) = undecided.pop()
        {
            let decision = if i % 2 == 0 { "accepted" } else { "refused" };
            let path = format!("/api/agent/requests/{id}/decision");
            match send(
                c,
                s,
                reqwest::Method::POST,
                &path,
                Some(&w.agent),
                Some(json!({"decision": decision, "message": "Décision"})),
            )
            .await
            {
                None => return,
                Some((status, _)) if status.is_success() => {
                    acked.decisions.push((id, decision.to_string()));
                    progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                Some(r) => panic!("decision refused: {r:?}"),
            }
        } else {
            let child = &w.children[(w.asked % w.children.len() as u64) as usize];
            let date = w.first_day + chrono::Days::new(w.asked / w.children.len() as u64);
            w.asked += 1;
            let body = json!({"kind": "reservation", "child_id": child, "activity_id": w.activity,
                              "dates": [date.to_string()]});
            match send(
                c,
                s,
                reqwest::Method::POST,
                "/api/requests",
                Some(&w.parent),
                Some(body),
            )
            .await
            {
                None => return,
                Some((status, answer)) if status.is_success() => {
                    for r in answer["requests"].as_array().unwrap() {
                        let id = r["id"].as_str().unwrap().to_string();
                        acked.requests.push(id.clone());
                        undecided.push(id);
                    }
                    progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                // A day the rules refuse (a public holiday) writes nothing.
                Some((StatusCode::UNPROCESSABLE_ENTITY, _)) => {}
                Some(r) => panic!("request refused: {r:?}"),
            }
        }
    }
}

/// Every acknowledged write is there.
async fn check(c: &reqwest::Client, s: &Server, w: &World, acked: &Acknowledged) {
    for id in &acked.requests {
        let path = format!("/api/requests/{id}");
        let r = send(c, s, reqwest::Method::GET, &path, Some(&w.parent), None)
            .await
            .unwrap();
        assert_eq!(r.0, StatusCode::OK, "acknowledged request {id} lost: {r:?}");
    }
    for (id, state) in &acked.decisions {
        let path = format!("/api/agent/requests/{id}");
        let r = send(c, s, reqwest::Method::GET, &path, Some(&w.agent), None)
            .await
            .unwrap();
        assert_eq!(r.0, StatusCode::OK, "{id}: {r:?}");
        let found = r.1["state"]
            .as_str()
            .or_else(|| r.1["request"]["state"].as_str());
        assert_eq!(
            found,
            Some(state.as_str()),
            "acknowledged decision on {id} lost: {}",
            r.1
        );
    }
    for (email, password) in &acked.sign_ups {
        // Signed up, not yet activated: the right password says so.
        let r = send(
            c,
            s,
            reqwest::Method::POST,
            "/api/session",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await
        .unwrap();
        assert_eq!(
            (r.0, r.1["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("not_activated")),
            "acknowledged sign-up {email} lost"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_a_sigkill() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let c = client();
    let mut server = start(dir.path());
    let mut w = setup(&c, &server).await;
    let mut total = Acknowledged::default();
    let mut rng = rand::rng();
    for trial in 0..TRIALS {
        let mut acked = Acknowledged::default();
        let delay = Duration::from_millis(rng.random_range(50..400));
        let child = server.child.clone();
        let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = progress.clone();
        let killer = std::thread::spawn(move || {
            // At a random point of the stream, once something was
            // acknowledged (the first sign-up hashes a password: on a
            // loaded machine it may take longer than the delay).
            let started = Instant::now();
            while seen.load(std::sync::atomic::Ordering::SeqCst) == 0
                && started.elapsed() < Duration::from_secs(30)
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            std::thread::sleep(delay);
            // SIGKILL on Unix.
            child.lock().unwrap().kill().unwrap();
        });
        stream(&c, &server, &mut w, trial, &mut acked, &progress).await;
        killer.join().unwrap();
        server.child.lock().unwrap().wait().unwrap();
        assert!(
            !acked.requests.is_empty() || !acked.sign_ups.is_empty(),
            "trial {trial}: nothing acknowledged before the kill"
        );

        server = start(dir.path());
        check(&c, &server, &w, &acked).await;
        total.requests.extend(acked.requests);
        total.decisions.extend(acked.decisions);
        total.sign_ups.extend(acked.sign_ups);
    }
    // And once more, everything from every trial, after the last restart.
    check(&c, &server, &w, &total).await;
    println!(
        "durability: {TRIALS} trials, {} writes acknowledged and found ({} sign-ups, {} requests, {} decisions) in {:.1} s",
        total.sign_ups.len() + total.requests.len() + total.decisions.len(),
        total.sign_ups.len(),
        total.requests.len(),
        total.decisions.len(),
        started.elapsed().as_secs_f64()
    );
}
