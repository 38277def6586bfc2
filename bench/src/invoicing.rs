//! The monthly invoicing run of 5,000 families × 2 children × 2 activities
//! (March 2027, 18 school days: a canteen billed on reservations, an
//! evening care billed on attendance, every child reserved and marked
//! present every school day) on the embedded store, in process: the dry
//! run, then the issue, each from the start to the job `done`, with the
//! store calls per family (a counting store) and the process's peak
//! memory over the run (`VmHWM`, reset before each run through
//! `/proc/self/clear_refs`).

use axum::body::Body;
use axum::http::{Method, Request};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use marelle_api::http::state::{CaptchaSettings, Settings};
use marelle_domain::keys;
use marelle_domain::planning::{Enrolment, Period, Slot, SlotState};
use marelle_domain::ports::store::{Index, Item, Query};
use marelle_testkit::TestApp;
use serde_json::{Value, json};

/// Families by default (`invoicing <families>` for another number).
pub const FAMILIES: usize = 5_000;

/// `VmRSS` and `VmHWM` of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
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

/// Resets the peak (`VmHWM`) to the current resident size.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
}

async fn csv(app: &TestApp, agent: &str, path: &str, body: String) -> Value {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("cookie", agent)
        .header("content-type", "text/csv")
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert!(r.status.is_success(), "{path}: {:?}", r.body);
    r.body
}

fn tariff(activity: &str, unit: &str, prices: [i64; 3]) -> Value {
    json!({"activity_id": activity, "versions": [{
        "effective_from": "2026-09-01", "unit": unit,
        "brackets": [
            {"from_euros": 0, "to_euros": 600, "cents": prices[0]},
            {"from_euros": 600, "to_euros": 1200, "cents": prices[1]},
            {"from_euros": 1200, "cents": prices[2]}
        ],
        "second_child": {"percent": 10}, "default_cents": prices[2]
    }]})
}

pub async fn run(count: usize) {
    let app = TestApp::with_settings(Settings {
        captcha: CaptchaSettings::lowest(),
        ..Settings::default()
    })
    .await;
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 4, 2, 9, 0, 0).unwrap());
    let t = std::time::Instant::now();
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let regie = app
        .post(
            "/api/agent/regies",
            json!({"name": "Enfance", "code": "ENF"}),
            Some(&agent),
        )
        .await;
    let regie = regie.body["id"].as_str().unwrap().to_string();
    let mut activities = Vec::new();
    for (name, billed_on, unit, prices) in [
        ("Restauration scolaire", "reserved", "meal", [150, 325, 450]),
        ("Accueil du soir", "attended", "half_day", [150, 210, 280]),
    ] {
        let r = app
            .post(
                "/api/agent/activities",
                json!({
                    "name": name, "establishment": "Ecole Lux", "start": "16:30", "end": "18:30",
                    "weekdays": ["mon", "tue", "thu", "fri"],
                    "period": {"from": "2026-09-01", "to": "2027-07-06"},
                    "closures": [], "validation": "manual"
                }),
                Some(&agent),
            )
            .await;
        let id = r.body["id"].as_str().unwrap().to_string();
        let mut item = Item::new(keys::activity_billing(&id));
        item.set("regie_id", json!(regie));
        item.set("billed_on", json!(billed_on));
        item.set("tariff", tariff(&id, unit, prices));
        item.set("version", json!(1));
        app.state.store.put(item, None).await.unwrap();
        activities.push((id, billed_on));
    }
    let mut file = String::from("famille;role;civilite;nom;prenom;date_naissance;sexe;email\n");
    for f in 0..count {
        file.push_str(&format!(
            "BENCH-{f:05};responsable;Mme;FAMILLE{f};Anne;;;\nBENCH-{f:05};enfant;;FAMILLE{f};Léa;01/02/2016;F;\nBENCH-{f:05};enfant;;FAMILLE{f};Hugo;03/04/2018;M;\n"
        ));
    }
    csv(
        &app,
        &agent,
        "/api/agent/families/import?dry_run=false",
        file,
    )
    .await;
    // Each family's children, from the store.
    let mut ids: Vec<String> = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .state
            .store
            .query(Query::on(Index::Gsi2, "FAMILIES").after(cursor))
            .await
            .unwrap();
        ids.extend(
            page.items
                .iter()
                .filter_map(|i| i.pk().strip_prefix("FAMILY#").map(str::to_string)),
        );
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(ids.len(), count);
    let school: Vec<NaiveDate> = (1..=31)
        .map(day)
        .filter(|d| {
            !matches!(
                d.weekday(),
                chrono::Weekday::Wed | chrono::Weekday::Sat | chrono::Weekday::Sun
            )
        })
        .collect();
    let mut items = Vec::new();
    for (n, family) in ids.iter().enumerate() {
        let children: Vec<String> = app
            .state
            .store
            .query(Query::new(keys::family_partition(family)).begins_with("D#CHILD#"))
            .await
            .unwrap()
            .items
            .iter()
            .map(|i| i.sk().trim_start_matches("D#CHILD#").to_string())
            .collect();
        let mut qf = Item::new(keys::quotients(family));
        qf.set(
            "quotients",
            json!([{"euros": 300 + (n % 15) * 100, "dated": "2027-01-01", "valid_until": "2027-12-31", "source": "dossier"}]),
        );
        qf.set("version", json!(1));
        items.push(qf);
        for child in &children {
            for (activity, billed_on) in &activities {
                items.push(
                    marelle_api::planning::store::enrolment_item(&Enrolment {
                        id: format!("E{n}{child}{activity}"),
                        family_id: family.clone(),
                        child_id: child.clone(),
                        activity_id: activity.clone(),
                        period: Period {
                            from: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
                            to: NaiveDate::from_ymd_opt(2027, 7, 6).unwrap(),
                        },
                    })
                    .unwrap(),
                );
                for &date in &school {
                    items.push(
                        marelle_api::planning::store::slot_item(
                            family,
                            &Slot {
                                date,
                                child_id: child.clone(),
                                activity_id: activity.clone(),
                                state: SlotState::Reserved,
                                request_id: "R".into(),
                                reservation_id: None,
                                holds_place: false,
                                version: 1,
                            },
                        )
                        .unwrap(),
                    );
                    if *billed_on == "attended" {
                        let mut m = Item::new(keys::attendance_mark(activity, date, child)).index(
                            Index::Gsi3,
                            keys::family_marks(family),
                            keys::family_mark_in_index(date, activity, child),
                        );
                        m.set("child_id", json!(child));
                        m.set("family_id", json!(family));
                        m.set("date", json!(date));
                        m.set("mark", json!("present"));
                        m.set("by", json!("staff"));
                        m.set("at", json!("2027-03-01T18:00:00Z"));
                        items.push(m);
                    }
                }
            }
        }
        if items.len() > 20_000 {
            app.state
                .store
                .write_many(std::mem::take(&mut items), Vec::new())
                .await
                .unwrap();
        }
    }
    app.state.store.write_many(items, Vec::new()).await.unwrap();
    println!(
        "# invoicing run: {count} families × 2 children × 2 activities, March 2027 ({} school days; {} slots, {} marks), embedded store, in process; seeded in {:.1} s",
        school.len(),
        count * 2 * 2 * school.len(),
        count * 2 * school.len(),
        t.elapsed().as_secs_f64()
    );
    for (name, dry_run) in [("dry run", true), ("issue", false)] {
        app.bus.idle().await;
        reset_peak();
        let (rss0, _) = memory();
        app.store.reset();
        let t = std::time::Instant::now();
        let r = app
            .post(
                "/api/agent/invoicing/runs",
                json!({"regie_id": regie, "month": "2027-03", "dry_run": dry_run}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status.as_u16(), 202, "{:?}", r.body);
        let started = t.elapsed().as_secs_f64();
        let id = r.body["id"].as_str().unwrap().to_string();
        let job = loop {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let v = app
                .get(&format!("/api/agent/invoicing/runs/{id}"), Some(&agent))
                .await;
            if v.body["run"]["state"] != "running" {
                break v.body["run"].clone();
            }
        };
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(job["state"], "done", "{job}");
        let calls = app.store.calls();
        let (rss, hwm) = memory();
        println!(
            "{name:<8} {secs:>6.2} s from the start to done (start answered in {started:.2} s, {} chunk(s))   families {}, billed {}, issued {}, {} → {}   total {:.2} €, {} lines   store calls {calls} ({:.1} per family)   RSS before {rss0:.0} MiB, after {rss:.0} MiB, peak {hwm:.0} MiB",
            job["chunk"],
            job["families"],
            job["billed"],
            job["issued"],
            job["first_number"].as_str().unwrap_or("–"),
            job["last_number"].as_str().unwrap_or("–"),
            job["total_cents"].as_i64().unwrap_or(0) as f64 / 100.0,
            job["lines"],
            calls as f64 / count as f64,
        );
    }
}
