//! The import of 20,000 invoice lines (5,000 invoices of 4 lines over 500
//! families) on a release `marelle` (embedded store), each way on a fresh
//! server so that its peak memory (VmHWM) is its own:
//! - in the background (`/api/agent/imports`): upload, check, then the time
//!   from the start to the job `done`, polled as the page does; and the
//!   same file again (all unchanged);
//! - by the direct route, the same file sent until nothing remains: the dry
//!   run, the import, the same file again.

use crate::server::Server;

const FAMILIES: usize = 500;
const INVOICES: usize = 5_000;
const LINES: usize = 4;

/// `VmRSS` and `VmHWM` of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A fresh server with the 500 families; the agent's cookie and the file.
async fn setup() -> (Server, String, String) {
    let srv = Server::start().await;
    let agent = srv
        .login("agent.demo@villebois.example", "Mairie2026")
        .await;
    let mut families = String::from("famille;role;civilite;nom;prenom;date_naissance;sexe;email\n");
    for f in 0..FAMILIES {
        families.push_str(&format!(
            "BENCH-{f:04};responsable;Mme;IMPORT{f};Anne;;;\nBENCH-{f:04};enfant;;IMPORT{f};Léa;01/02/2017;F;\n"
        ));
    }
    let (status, v, _) = srv
        .post_csv("/api/agent/families/import?dry_run=false", &agent, families)
        .await;
    assert_eq!(status, 200, "{v}");

    let mut file = String::from(
        "famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant\n",
    );
    for i in 0..INVOICES {
        let family = i % FAMILIES;
        for l in 0..LINES {
            file.push_str(&format!(
                "BENCH-{family:04};;BENCH-FAC-{i:05};31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Garderie du soir, semaine {l};Léa;4;10,00\n"
            ));
        }
    }
    (srv, agent, file)
}

pub async fn run() {
    background().await;
    direct().await;
}

/// The background import: upload, check, start, then the job polled every
/// 100 ms until it is done.
async fn background() {
    let (srv, agent, file) = setup().await;
    let (rss0, _) = memory(srv.pid());
    println!(
        "# background import of {} invoice lines ({INVOICES} invoices × {LINES} lines, {FAMILIES} families, {:.1} MB) on a release marelle (embedded store)",
        INVOICES * LINES,
        file.len() as f64 / 1e6
    );
    println!("server memory before: {rss0:.1} MiB resident");
    for name in ["import", "same file again (all unchanged)"] {
        let t = std::time::Instant::now();
        let grant = srv
            .post(
                "/api/agent/imports",
                &agent,
                serde_json::json!({"kind": "invoices", "size": file.len()}),
            )
            .await;
        let id = grant["import_id"].as_str().unwrap_or_default().to_string();
        let upload = &grant["upload"];
        let mut put = srv
            .client
            .put(upload["url"].as_str().unwrap_or_default())
            .body(file.clone());
        for h in upload["headers"].as_array().into_iter().flatten() {
            put = put.header(
                h[0].as_str().unwrap_or_default(),
                h[1].as_str().unwrap_or_default(),
            );
        }
        let sent = put.send().await.unwrap();
        assert!(sent.status().is_success(), "upload: {}", sent.status());
        let uploaded = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let checked = srv
            .post(
                &format!("/api/agent/imports/{id}/check"),
                &agent,
                serde_json::json!({}),
            )
            .await;
        let check = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let job = srv
            .post(
                &format!("/api/agent/imports/{id}/start"),
                &agent,
                serde_json::json!({}),
            )
            .await;
        let started = t.elapsed().as_secs_f64();
        assert_eq!(job["state"], "running", "{job}");
        let job = loop {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let job = srv.get(&format!("/api/agent/imports/{id}"), &agent).await;
            if job["state"] != "running" {
                break job;
            }
        };
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(job["state"], "done", "{job}");
        let (rss, hwm) = memory(srv.pid());
        println!(
            "{name:<34} {secs:>6.2} s from the start to done ({} chunk(s); start answered in {started:.2} s; upload {uploaded:.2} s, check {check:.2} s, {} to create)   created {:>5}, unchanged {:>5}   server RSS {rss:.1} MiB, peak {hwm:.1} MiB",
            job["chunk"], checked["created"], job["created"], job["unchanged"]
        );
    }
}

/// The direct route, the same file sent until nothing remains.
async fn direct() {
    let (srv, agent, file) = setup().await;
    let (rss0, _) = memory(srv.pid());
    println!(
        "# direct import (text/csv, the same file until nothing remains) of {} invoice lines on a release marelle (embedded store)",
        INVOICES * LINES,
    );
    println!("server memory before: {rss0:.1} MiB resident");
    for (name, dry_run) in [
        ("dry run", true),
        ("import", false),
        ("same file again (all unchanged)", false),
    ] {
        // A request writes part of a large file and says what remains: the
        // same file is sent again until nothing does, as the page does.
        let (mut secs, mut created, mut requests, mut slowest) = (0.0, 0, 0, 0.0f64);
        let mut unchanged = None;
        loop {
            let (status, v, s) = srv
                .post_csv(
                    &format!("/api/agent/invoices/import?dry_run={dry_run}"),
                    &agent,
                    file.clone(),
                )
                .await;
            assert_eq!(status, 200, "{name}: {v}");
            secs += s;
            slowest = slowest.max(s);
            requests += 1;
            created += v["created"].as_u64().unwrap_or(0);
            unchanged.get_or_insert(v["unchanged"].as_u64().unwrap_or(0));
            if v["remaining"].as_u64().unwrap_or(0) == 0 || v["created"] == 0 {
                break;
            }
        }
        let (rss, hwm) = memory(srv.pid());
        println!(
            "{name:<34} {secs:>6.2} s in {requests} request(s) (slowest {slowest:.2} s)   created {created:>5}, unchanged {:>5}   server RSS {rss:.1} MiB, peak {hwm:.1} MiB",
            unchanged.unwrap_or(0)
        );
    }
}
