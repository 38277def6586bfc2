//! "Mes factures" and "Mes opérations" of a family with 120 invoices (5
//! lines each, a third of them paid) on a release `marelle`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::load;
use crate::server::Server;

const SECONDS: u64 = 10;
const INVOICES: usize = 120;

pub async fn run() {
    let srv = Arc::new(Server::start().await);
    let agent = srv
        .login("agent.demo@villebois.example", "Mairie2026")
        .await;
    let parent = srv
        .login("parent.demo@villebois.example", "Famille2026")
        .await;
    println!("# marelle (perf profile), {SECONDS} s per run");

    let family = srv
        .post(
            "/api/agent/families",
            &agent,
            json!({"guardians": [{"last_name": "FACTURES", "first_name": "Anne"}],
                   "children": [{"first_name": "Un", "last_name": "FACTURES", "birth_date": "2016-01-01", "sex": "F"}]}),
        )
        .await;
    srv.post(
        "/api/subscriptions",
        &parent,
        json!({"subscriber_code": family["subscriber_code"]}),
    )
    .await;
    let fid = family["id"].as_str().unwrap().to_string();
    let guardian = family["guardians"][0]["id"].as_str().unwrap().to_string();
    for i in 0..INVOICES {
        let month = i % 12 + 1;
        let year = 2024 + i / 48;
        let lines: Vec<_> = (0..5)
            .map(|l| json!({"label": format!("Garderie du soir, semaine {l}"), "child": "Un", "activity": "4/Péri SOIR",
                             "period": format!("{month:02}/{year}"), "quantity": 4, "unit_price_cents": 250, "amount_cents": 1000}))
            .collect();
        let inv = srv
            .post(
                "/api/agent/invoices",
                &agent,
                json!({"family_id": fid, "guardian_id": guardian, "emission_code": "BENCH",
                       "reference": format!("B{i:04}"), "issued_on": format!("{year}-{month:02}-05"),
                       "due_on": format!("{year}-{month:02}-28"), "service": if i % 2 == 0 { "Périscolaire" } else { "Restauration" },
                       "lines": lines}),
            )
            .await;
        if i % 3 == 0 {
            srv.post(
                "/api/agent/payments",
                &agent,
                json!({"invoice_id": inv["id"], "method": "cheque", "number": format!("CHQ{i}"),
                       "date": format!("{year}-{month:02}-20"), "amount_cents": 5000}),
            )
            .await;
        }
    }
    for (name, path) in [
        (
            "GET /api/billing/invoices (120)",
            format!("/api/billing/invoices?family_id={fid}"),
        ),
        (
            "GET /api/billing/operations (160)",
            format!("/api/billing/operations?family_id={fid}"),
        ),
    ] {
        let (s2, p2) = (srv.clone(), parent.clone());
        let r = load::run(16, Duration::from_secs(SECONDS), move |_| {
            let (s, p, path) = (s2.clone(), p2.clone(), path.clone());
            async move { s.call(reqwest::Method::GET, &path, &p, None).await.0 == 200 }
        })
        .await;
        println!("{}", r.line(&format!("{name}, 16 conn.")));
    }
}
