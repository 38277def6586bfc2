//! `marelle serve --demo`: the demo commune shows every feature on first
//! start, with dates relative to today, and its outbox is for agents only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{Value, json};

use common::Server;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn log_in(s: &Server, email: &str, password: &str) -> reqwest::Client {
    let c = client();
    let r = c
        .post(format!("{}/api/session", s.base))
        .header("origin", &s.base)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{email}");
    c
}

async fn get(c: &reqwest::Client, s: &Server, path: &str) -> (StatusCode, Value) {
    let r = c.get(format!("{}{path}", s.base)).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn today() -> NaiveDate {
    marelle_domain::time::local_date(chrono::Utc::now())
}

/// The states of the demo parent's planning from `from` to `to` (42 days
/// at most), with the activities they are on.
async fn states(
    c: &reqwest::Client,
    s: &Server,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeSet<String> {
    let (status, body) = get(c, s, &format!("/api/planning?from={from}&to={to}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().iter())
        .map(|s| s["state"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_demo_parent_sees_every_state_around_today_and_the_agent_a_queue() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let parent = log_in(&server, "parent.demo@villebois.example", "Famille2026").await;
    let t = today();
    // The three weeks before today and the six after (the workshop's
    // waiting list is on its first Wednesday open a week ago: after the
    // Christmas holidays when asked just before them).
    let mut seen = states(&parent, &server, t - Duration::days(20), t).await;
    seen.extend(states(&parent, &server, t, t + Duration::days(41)).await);
    for state in [
        "enrolled",
        "reserved",
        "reservation_requested",
        "reservation_refused",
        "absent",
        "absence_requested",
        "absence_refused",
        "waiting_list",
    ] {
        assert!(seen.contains(state), "{state} missing from {seen:?}");
    }
    // Every activity the guide names, both children enrolled.
    let (_, planning) = get(&parent, &server, &format!("/api/planning?from={t}&to={t}")).await;
    let enrolments = planning["enrolments"].as_array().unwrap();
    let children: BTreeSet<&str> = enrolments
        .iter()
        .map(|e| e["child_id"].as_str().unwrap())
        .collect();
    assert_eq!(children.len(), 2);
    let activities: BTreeSet<&str> = enrolments
        .iter()
        .map(|e| e["activity"].as_str().unwrap())
        .collect();
    for a in [
        "1/Péri MATIN",
        "2/Repas Écoles",
        "4/Péri SOIR",
        "5/Atelier théâtre du mercredi",
        "6/Centre de loisirs vacances",
    ] {
        assert!(activities.contains(a), "{a} missing from {activities:?}");
    }
    // Mes demandes: a refusal carries the commune's message.
    let (_, requests) = get(&parent, &server, "/api/requests?state=refused").await;
    let refused = requests["items"].as_array().unwrap();
    assert!(refused.len() >= 2, "{requests}");
    let (_, detail) = get(
        &parent,
        &server,
        &format!("/api/requests/{}", refused[0]["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["message"].as_str().is_some_and(|m| !m.is_empty())),
        "{detail}"
    );
    // The agent has requests to process and previews the coming e-mail.
    let agent = log_in(&server, "agent.demo@villebois.example", "Mairie2026").await;
    let (_, queue) = get(&agent, &server, "/api/agent/requests?state=pending").await;
    assert!(!queue["items"].as_array().unwrap().is_empty(), "{queue}");
    let (status, preview) = get(&agent, &server, "/api/agent/digest/preview").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["outbox"], true, "--demo keeps a readable outbox");
    assert!(
        preview["emails"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["to"] == "parent.demo@villebois.example"),
        "the decisions of this window: {preview}"
    );
    // The outbox holds the acknowledgments, for agents only.
    let (status, outbox) = get(&agent, &server, "/api/demo/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        outbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["subject"]
                .as_str()
                .unwrap_or("")
                .contains("enregistrement")),
        "{outbox}"
    );
    let (status, _) = get(&parent, &server, "/api/demo/outbox").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&client(), &server, "/api/demo/outbox").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The other demo parent sees only his own family.
    let other = log_in(&server, "karim.durand@villebois.example", "Famille2026").await;
    let (_, his) = get(&other, &server, &format!("/api/planning?from={t}&to={t}")).await;
    let his_children: BTreeSet<&str> = his["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["child_id"].as_str().unwrap())
        .collect();
    assert!(his_children.is_disjoint(&children));
}

#[tokio::test]
async fn the_demo_is_seeded_once_and_without_demo_there_is_no_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let agent = log_in(&server, "agent.demo@villebois.example", "Mairie2026").await;
    let (_, first) = get(&agent, &server, "/api/agent/activities").await;
    drop(server);
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let agent = log_in(&server, "agent.demo@villebois.example", "Mairie2026").await;
    let (_, again) = get(&agent, &server, "/api/agent/activities").await;
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        again["items"].as_array().unwrap().len()
    );
    drop(server);
    let server = common::serve(dir.path(), &[], &[]);
    let agent = log_in(&server, "agent.demo@villebois.example", "Mairie2026").await;
    let (status, _) = get(&agent, &server, "/api/demo/outbox").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, preview) = get(&agent, &server, "/api/agent/digest/preview").await;
    assert_eq!(preview["outbox"], false);
}

#[tokio::test]
async fn the_demo_parent_has_invoices_in_every_state_and_a_balanced_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let parent = log_in(&server, "parent.demo@villebois.example", "Famille2026").await;
    let (status, invoices) = get(&parent, &server, "/api/billing/invoices").await;
    assert_eq!(status, StatusCode::OK, "{invoices}");
    let items = invoices["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "{invoices}");
    let states: BTreeSet<&str> = items.iter().map(|i| i["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        BTreeSet::from(["to_pay", "partly_paid", "paid", "cancelled"])
    );
    let to_pay = invoices["to_pay_cents"].as_i64().unwrap();
    assert!(to_pay > 0);
    let balances: i64 = items
        .iter()
        .map(|i| i["balance_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(balances, to_pay);
    let (status, ops) = get(&parent, &server, "/api/billing/operations").await;
    assert_eq!(status, StatusCode::OK, "{ops}");
    let ops_to_pay: i64 = ops["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["to_pay_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(ops_to_pay, balances, "{ops}");
    assert_eq!(ops["to_pay_cents"].as_i64().unwrap(), balances);
    let (status, payments) = get(&parent, &server, "/api/billing/payments").await;
    assert_eq!(status, StatusCode::OK, "{payments}");
    let methods: BTreeSet<&str> = payments["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, BTreeSet::from(["cheque", "transfer", "online"]));
    // The latest invoice, paid online through the payment sandbox.
    let latest = &items[0];
    assert_eq!(latest["state"], "paid", "{latest}");
    assert_eq!(latest["payable_online"], false);
    let online = payments["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["method"] == "online")
        .unwrap();
    assert_eq!(online["invoice_id"], latest["id"]);
    assert_eq!(online["amount_cents"], latest["amount_cents"]);
    assert_eq!(
        online["description"].as_str().unwrap(),
        format!(
            "Règlement en ligne - Transaction n°{}",
            online["number"].as_str().unwrap()
        )
    );
    // What is left to pay can be paid online.
    assert!(
        items
            .iter()
            .filter(|i| i["balance_cents"].as_i64().unwrap() >= 100)
            .all(|i| i["payable_online"] == true),
        "{invoices}"
    );
    // The oldest paid invoice's detail: its lines (Maéva's and Timéo's meals) and its cheque.
    let paid = items.iter().rfind(|i| i["state"] == "paid").unwrap();
    let id = paid["id"].as_str().unwrap();
    let (status, detail) = get(&parent, &server, &format!("/api/billing/invoices/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let children: BTreeSet<&str> = detail["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["child"].as_str().unwrap())
        .collect();
    assert_eq!(children, BTreeSet::from(["Maéva", "Timéo"]));
    assert_eq!(detail["payments"][0]["method"], "cheque");
    let cancelled = items.iter().find(|i| i["state"] == "cancelled").unwrap();
    assert!(
        cancelled["credit_note"]["number"].is_string(),
        "{cancelled}"
    );
}

#[tokio::test]
async fn the_demo_parent_has_supporting_documents_in_every_state_and_the_agent_one_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let parent = log_in(&server, "parent.demo@villebois.example", "Famille2026").await;
    let (status, table) = get(&parent, &server, "/api/documents").await;
    assert_eq!(status, StatusCode::OK, "{table}");
    let rows: Vec<(String, String, String)> = table["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["child"].as_str().unwrap_or("famille").to_string(),
                r["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (name, child, state) in [
        ("Carnet de vaccination", "Maéva", "accepted"),
        (
            "Attestation d'assurance scolaire et extra-scolaire",
            "Maéva",
            "refused",
        ),
        (
            "Attestation d'assurance scolaire et extra-scolaire",
            "Timéo",
            "pending",
        ),
        (
            "Justificatif de domicile (moins de 3 mois)",
            "famille",
            "missing",
        ),
    ] {
        assert!(
            rows.contains(&(name.into(), child.into(), state.into())),
            "{name} / {child} / {state} missing from {rows:?}"
        );
    }
    // Maéva's refused insurance is mandatory (the workshop) and says why.
    let refused = table["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["state"] == "refused")
        .unwrap();
    assert_eq!(refused["mandatory"], true);
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("extra-scolaires")
    );

    let agent = log_in(&server, "agent.demo@villebois.example", "Mairie2026").await;
    let (status, queue) = get(&agent, &server, "/api/agent/requests?kind=document").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let pending = queue["items"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "{queue}");
    let id = pending[0]["id"].as_str().unwrap();
    let (_, detail) = get(&agent, &server, &format!("/api/agent/requests/{id}")).await;
    assert_eq!(detail["document"]["file_name"], "assurance-timeo.pdf");
    let url = detail["document"]["url"].as_str().unwrap();
    let file = agent
        .get(if url.starts_with('/') {
            format!("{}{url}", server.base)
        } else {
            url.to_string()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn the_demo_has_creches_and_applications_in_varied_states_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let agent = log_in(&server, "agent.demo@villebois.example", "Mairie2026").await;
    let (status, structures) = get(&agent, &server, "/api/agent/creche/structures").await;
    assert_eq!(status, StatusCode::OK, "{structures}");
    let items = structures["items"].as_array().unwrap();
    let names: BTreeSet<&str> = items.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "Les Lucioles",
            "Les Petits Pas",
            "Multi-accueil des Tilleuls"
        ])
    );
    assert!(
        items
            .iter()
            .all(|s| !s["groups"].as_array().unwrap().is_empty()),
        "{structures}"
    );
    let (status, list) = get(&agent, &server, "/api/agent/creche/applications").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let applications = list["items"].as_array().unwrap();
    let states: Vec<&str> = applications
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        states.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from(["offered", "submitted", "under_review", "waiting"]),
        "{applications:?}"
    );
    assert_eq!(applications.len(), 4);
    let offered = applications
        .iter()
        .find(|a| a["status"] == "offered")
        .unwrap();
    let deadline =
        chrono::DateTime::parse_from_rfc3339(offered["offer"]["deadline"].as_str().unwrap())
            .unwrap();
    assert!(
        deadline > chrono::Utc::now() + Duration::days(6),
        "{offered}"
    );
    assert_eq!(offered["offer"]["structure"], "Multi-accueil des Tilleuls");
    let expected = applications
        .iter()
        .find(|a| a["status"] == "submitted")
        .unwrap();
    assert!(expected["expected"]["due_date"].as_str().unwrap() > today().to_string().as_str());
    // Each family reads its own: the Leroys two, the Fontaines the twins'.
    for (email, n) in [
        ("sarah.leroy@villebois.example", 2),
        ("julien.fontaine@villebois.example", 2),
        ("parent.demo@villebois.example", 0),
    ] {
        let parent = log_in(&server, email, "Famille2026").await;
        let (status, list) = get(&parent, &server, "/api/creche/applications").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            n,
            "{email}: {list}"
        );
    }
    // Seeded once: the same after a restart.
    drop(server);
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let agent = log_in(&server, "agent.demo@villebois.example", "Mairie2026").await;
    let (_, again) = get(&agent, &server, "/api/agent/creche/applications").await;
    assert_eq!(again["items"].as_array().unwrap().len(), 4, "{again}");
    let (_, structures) = get(&agent, &server, "/api/agent/creche/structures").await;
    assert_eq!(structures["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_demo_staff_takes_attendance_of_the_canteen_and_evening_care_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::serve(dir.path(), &["--demo", "--school-zone", "C"], &[]);
    let staff = log_in(&server, "animation.demo@villebois.example", "Animation2026").await;
    let (status, me) = get(&staff, &server, "/api/me").await;
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("staff"))
    );
    let (status, list) = get(&staff, &server, "/api/attendance/activities").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2/Repas Écoles", "4/Péri SOIR"]);
    // The days 8 to 18 days ago are marked, whatever the holidays.
    let mut marked = 0;
    for a in list["items"].as_array().unwrap() {
        for back in 8..=18 {
            let day = today() - Duration::days(back);
            let (status, sheet) = get(
                &staff,
                &server,
                &format!(
                    "/api/attendance/activities/{}/sheet?date={day}",
                    a["id"].as_str().unwrap()
                ),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{sheet}");
            marked += sheet["children"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| !c["mark"].is_null())
                .count();
        }
    }
    assert!(marked >= 3, "{marked} marks");
    // And nothing else.
    for path in [
        "/api/agent/activities",
        "/api/family",
        "/api/agent/requests",
    ] {
        let (status, _) = get(&staff, &server, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
