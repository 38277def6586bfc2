//! `GET /api/me` and login on a release `marelle`, alone and together.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::load;

const SECONDS: u64 = 10;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn run() {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--profile", "perf", "-p", "marelle-local"])
        .status()
        .unwrap();
    assert!(status.success());
    let bin = format!("{}/../target/perf/marelle", env!("CARGO_MANIFEST_DIR"));
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(&bin)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--demo",
            "--web",
            "/nonexistent",
        ])
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .env("MARELLE_RATE_LIMIT_FACTOR", "1000000")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // One session for /api/me; logins use the demo parent (the rate limits
    // are raised for the run through the environment above).
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let login =
        serde_json::json!({"email": "parent.demo@villebois.example", "password": "Famille2026"});
    let r = client
        .post(format!("{base}/api/session"))
        .json(&login)
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    println!(
        "# marelle (perf profile: opt-level 3, thin LTO) on this machine, {SECONDS} s per run"
    );
    let me = {
        let (client, base, cookie) = (client.clone(), base.clone(), cookie.clone());
        load::run(16, Duration::from_secs(SECONDS), move |_| {
            let (client, base, cookie) = (client.clone(), base.clone(), cookie.clone());
            async move {
                client
                    .get(format!("{base}/api/me"))
                    .header("cookie", cookie)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    println!("{}", me.line("GET /api/me, 16 connections"));

    let logins = login_load(&client, &base, 8).await;
    println!("{}", logins.line("POST /api/session, 8 connections"));

    // Both at once: logins queue on the hashing permits; /api/me should
    // keep its latency.
    let me_task = {
        let (client, base, cookie) = (client.clone(), base.clone(), cookie.clone());
        tokio::spawn(async move {
            load::run(8, Duration::from_secs(SECONDS), move |_| {
                let (client, base, cookie) = (client.clone(), base.clone(), cookie.clone());
                async move {
                    client
                        .get(format!("{base}/api/me"))
                        .header("cookie", cookie)
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success())
                }
            })
            .await
        })
    };
    let logins = login_load(&client, &base, 32).await;
    let me = me_task.await.unwrap();
    println!("{}", logins.line("  with: POST /api/session, 32 conn."));
    println!("{}", me.line("  with: GET /api/me, 8 connections"));
    let _ = server.kill();
    let _ = server.wait();
}

async fn login_load(client: &reqwest::Client, base: &str, connections: usize) -> load::Report {
    let (client, base) = (client.clone(), base.to_string());
    load::run(connections, Duration::from_secs(SECONDS), move |_| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let login = serde_json::json!({"email": "parent.demo@villebois.example", "password": "Famille2026"});
            client
                .post(format!("{base}/api/session"))
                .json(&login)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await
}
