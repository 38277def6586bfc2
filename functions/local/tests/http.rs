//! The `marelle` binary over real HTTP: the accounts journey, the command
//! line, and a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::Server;

fn start(data: &Path) -> Server {
    common::serve(data, &["--dev", "--demo"], &[])
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn post(c: &reqwest::Client, s: &Server, path: &str, body: Value) -> (StatusCode, Value) {
    let r = c
        .post(format!("{}{path}", s.base))
        .header("origin", &s.base)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn solve(c: &reqwest::Client, s: &Server) -> String {
    let challenge: altcha::Challenge = c
        .get(format!("{}/api/captcha", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let solution = altcha::solve_challenge(altcha::SolveChallengeOptions::new(&challenge))
        .unwrap()
        .unwrap();
    base64::engine::general_purpose::STANDARD
        .encode(serde_json::to_vec(&json!({"challenge": challenge, "solution": solution})).unwrap())
}

#[tokio::test]
async fn the_accounts_journey_works_over_http_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let c = client();

    let captcha = solve(&c, &server).await;
    let form = json!({
        "civility": "M.", "last_name": "Blman", "first_name": "Matthieu",
        "email": "matthieu@exemple.fr", "password": "Motdepasse1", "password_confirmation": "Motdepasse1",
        "accept_terms": true, "captcha": captcha,
    });
    let (status, body) = post(&c, &server, "/api/accounts", form.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = post(&c, &server, "/api/accounts", form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "captcha_reused");

    let outbox: Vec<Value> = c
        .get(format!("{}/api/dev/outbox", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mail = outbox
        .iter()
        .rev()
        .find(|m| m["to"] == "matthieu@exemple.fr")
        .unwrap();
    assert_eq!(
        mail["subject"],
        "Portail citoyen : confirmation de création de compte"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(text.starts_with("Bonjour M. Matthieu Blman,"));
    let marker = format!("{}/activation?token=", server.base);
    let token: String = text[text.find(&marker).unwrap() + marker.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();

    let (status, body) = post(
        &c,
        &server,
        "/api/session",
        json!({"email": "matthieu@exemple.fr", "password": "Motdepasse1"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_activated"))
    );
    let (status, _) = post(
        &c,
        &server,
        "/api/accounts/activation",
        json!({"token": token}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post(
        &c,
        &server,
        "/api/session",
        json!({"email": "matthieu@exemple.fr", "password": "Motdepasse1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let me: Value = c
        .get(format!("{}/api/me", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "matthieu@exemple.fr");

    // A cross-site state change is refused.
    let r = c
        .delete(format!("{}/api/session", server.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = c
        .delete(format!("{}/api/session", server.base))
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        c.get(format!("{}/api/me", server.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Stop hard and start again on the same data: the account is there.
    drop(server);
    let server = start(dir.path());
    let c = client();
    let (status, body) = post(
        &c,
        &server,
        "/api/session",
        json!({"email": "matthieu@exemple.fr", "password": "Motdepasse1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The demo accounts were seeded once and still work.
    let (status, body) = post(
        &c,
        &server,
        "/api/session",
        json!({"email": "agent.demo@villebois.example", "password": "Mairie2026"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["role"], "agent");
}

#[tokio::test]
async fn the_dev_clock_can_be_set_and_bad_instants_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let c = client();
    let (status, body) = post(
        &c,
        &server,
        "/api/dev/clock",
        json!({"now": "2019-01-04T16:33:00+01:00"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["now"], "2019-01-04T16:33:00+01:00");
    let (status, body) = post(&c, &server, "/api/dev/clock", json!({"now": "demain"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_instant"))
    );
    let r = c
        .get(format!("{}/api/unknown", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[test]
fn agent_create_makes_an_agent_that_can_log_in_and_refuses_a_weak_password() {
    let dir = tempfile::tempdir().unwrap();
    let run = |password: &str| {
        Command::new(env!("CARGO_BIN_EXE_marelle"))
            .args([
                "agent",
                "create",
                "--email",
                "agent@villebois.example",
                "--password",
                password,
                "--data",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let weak = run("faible");
    assert!(!weak.status.success());
    assert!(
        String::from_utf8_lossy(&weak.stderr)
            .contains("Le mot de passe doit contenir au moins 8 caractères")
    );
    let ok = run("Agentmairie1");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let again = run("Agentmairie1");
    assert!(!again.status.success(), "one account per e-mail");

    let server = start(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = client();
        let (status, body) = post(
            &c,
            &server,
            "/api/session",
            json!({"email": "agent@villebois.example", "password": "Agentmairie1"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["role"], "agent");
    });
}

#[test]
fn staff_create_makes_a_staff_account_for_existing_activities_only() {
    let dir = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_marelle"))
            .args(args)
            .arg("--data")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = cli(&[
        "agent",
        "create",
        "--email",
        "agent@villebois.example",
        "--password",
        "Agentmairie1",
    ]);
    assert!(out.status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let activity = {
        let server = start(dir.path());
        rt.block_on(async {
            let c = client();
            let (status, _) = post(
                &c,
                &server,
                "/api/session",
                json!({"email": "agent@villebois.example", "password": "Agentmairie1"}),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            let (status, body) = post(
                &c,
                &server,
                "/api/agent/activities",
                json!({"name": "Cantine", "establishment": "Ecole Lux", "start": "11:30", "end": "13:30",
                       "weekdays": ["mon", "tue", "thu", "fri"],
                       "period": {"from": "2026-09-01", "to": "2027-07-06"}, "validation": "automatic"}),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_str().unwrap().to_string()
        })
    };
    let staff = |activity: &str| {
        cli(&[
            "staff",
            "create",
            "--email",
            "animation@villebois.example",
            "--password",
            "Animation2026",
            "--activity",
            activity,
        ])
    };
    let unknown = staff("inconnue");
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("Activité inconnue"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
    let ok = staff(&activity);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("Compte du personnel créé"));

    let server = start(dir.path());
    rt.block_on(async {
        let c = client();
        let (status, body) = post(
            &c,
            &server,
            "/api/session",
            json!({"email": "animation@villebois.example", "password": "Animation2026"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["role"], "staff");
        let r = c
            .get(format!("{}/api/attendance/activities", server.base))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["items"][0]["id"], activity.as_str());
    });
}

/// Sends a PUT's head announcing `length` bytes and only 64 KB of its body,
/// then waits (at most 5 s) for the answer's status line and body start.
async fn announce_put(base: &str, path: &str, content_type: &str, length: u64) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&[0u8; 64 * 1024]).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut answer))
        .await
        .expect("no answer before the body was sent")
        .unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

#[tokio::test]
async fn uploads_with_a_forged_grant_are_refused_before_their_24_mb_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let forged = "/api/blobs/eyJrIjoic3RhZ2luZy94IiwibSI6IlBVVCIsImV4cCI6OTk5OTk5OTk5OX0.AAAA";
    // Eight at once, as the probe sent them.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let base = server.base.clone();
            tokio::spawn(async move { announce_put(&base, forged, "image/png", 24 << 20).await })
        })
        .collect();
    for task in tasks {
        let answer = task.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert!(answer.contains("upload_grant_invalid"), "{answer}");
    }
}

#[tokio::test]
async fn an_upload_announcing_more_than_its_grant_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let c = client();
    let (status, body) = post(
        &c,
        &server,
        "/api/session",
        json!({"email": "parent.demo@villebois.example", "password": "Famille2026"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let family: Value = c
        .get(format!("{}/api/family", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let child = family["children"][0]["id"].as_str().unwrap();
    let (status, grant) = post(
        &c,
        &server,
        &format!("/api/family/children/{child}/photo"),
        json!({"content_type": "image/png", "size": 1000}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    let url = grant["upload"]["url"].as_str().unwrap();
    let path = &url[url.find("/api/blobs/").unwrap()..];

    let answer = announce_put(&server.base, path, "image/png", 24 << 20).await;

    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("upload_too_large"), "{answer}");
}
