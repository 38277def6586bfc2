//! The import of 20,000 invoice lines (5,000 invoices of 4 lines over 500
//! families) on a release `marelle` (embedded store): seconds for the dry
//! run, the import, and the same file again (all unchanged), and the
//! server's peak memory (VmHWM).

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

pub async fn run() {
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
    let (rss0, _) = memory(srv.pid());
    println!(
        "# import of {} invoice lines ({INVOICES} invoices × {LINES} lines, {FAMILIES} families, {:.1} MB) on a release marelle (embedded store)",
        INVOICES * LINES,
        file.len() as f64 / 1e6
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
