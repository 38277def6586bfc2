//! `GET /api/me` and login on a release `marelle`, alone and together.

use std::time::Duration;

use crate::load;

const SECONDS: u64 = 10;

pub async fn run() {
    let srv = crate::server::Server::start().await;
    let base = srv.base.clone();
    let client = srv.client.clone();
    // One session for /api/me; logins use the demo parent (the server's
    // rate limits are raised for benchmarks).
    let cookie = srv
        .login("parent.demo@villebois.example", "Famille2026")
        .await;

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
