//! The monthly invoicing run (`/api/agent/invoicing/runs`, corrections):
//! the guide-sized family billed and issued through the store, numbering
//! with two runs racing and with a run stopped half-way and started again,
//! a correction carried once, and bad input; on the embedded store and on
//! DynamoDB (moto).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use chrono::{NaiveDate, TimeZone, Utc};
use marelle_api::http::state::{CaptchaSettings, Settings};
use marelle_domain::keys;
use marelle_domain::planning::{Slot, SlotState};
use marelle_domain::ports::Clock;
use marelle_domain::ports::store::{Index, Item};
use marelle_testkit::TestApp;
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";

fn settings() -> Settings {
    Settings {
        captcha: CaptchaSettings::lowest(),
        // Two families a chunk: every run here spans several chunks.
        invoicing_chunk: 2,
        ..Settings::default()
    }
}

async fn dynamo() -> TestApp {
    let config = common::moto_config().await;
    TestApp::with_store_and_settings(common::dynamo_store(&config, "invrun").await, settings())
        .await
}

on_both_stores!(
    embedded: marelle_testkit::TestApp::with_settings(crate::settings()).await,
    dynamodb: crate::dynamo().await;
    the_guide_sized_family_is_issued_what_the_hand_computation_says,
    two_runs_racing_issue_each_family_once_without_gap,
    a_run_stopped_half_way_and_started_again_issues_nothing_twice,
    a_correction_is_carried_once_onto_the_next_invoice,
    bad_input_is_refused_in_french_with_stable_codes,
    a_number_an_imported_invoice_holds_is_never_issued_twice,
);

fn feb(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 2, day).unwrap()
}

struct World {
    app: TestApp,
    agent: String,
    regie: String,
}

impl World {
    async fn new(app: TestApp) -> Self {
        app.clock
            .set(Utc.with_ymd_and_hms(2027, 3, 3, 9, 0, 0).unwrap());
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let r = app
            .post(
                "/api/agent/regies",
                json!({"name": "Enfance", "code": "ENF"}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["code"], "ENF");
        let regie = r.body["id"].as_str().unwrap().to_string();
        Self { app, agent, regie }
    }

    async fn activity(&self, name: &str, closures: Value) -> String {
        let r = self
            .app
            .post(
                "/api/agent/activities",
                json!({
                    "name": name, "establishment": "Ecole Lux", "start": "08:00", "end": "18:00",
                    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                    "period": {"from": "2026-09-01", "to": "2027-07-06"},
                    "closures": closures, "validation": "manual"
                }),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// The activity's billing settings and tariff, as the settings write
    /// them.
    async fn billing(
        &self,
        activity: &str,
        billed_on: &str,
        fees: (Option<i64>, Option<i64>),
        version: Value,
    ) {
        let mut item = Item::new(keys::activity_billing(activity));
        item.set("regie_id", json!(self.regie));
        item.set("billed_on", json!(billed_on));
        item.set("unexcused_fee_cents", json!(fees.0));
        item.set("unreserved_fee_cents", json!(fees.1));
        item.set(
            "tariff",
            json!({"activity_id": activity, "versions": [version]}),
        );
        item.set("version", json!(1));
        self.app.state.store.put(item, None).await.unwrap();
    }

    async fn family(&self, name: &str, children: Value) -> Value {
        self.app
            .create_family(
                &self.agent,
                json!({
                    "guardians": [{"civility": "Mme", "last_name": name, "first_name": "Anne",
                                   "email": format!("{}@exemple.fr", name.to_lowercase()), "quality": "mother",
                                   "address": {"line1": "1 rue des Écoles", "postal_code": "92100", "city": "Villebois"}}],
                    "children": children
                }),
            )
            .await
    }

    async fn enrol(&self, child: &str, activity: &str) {
        let r = self
            .app
            .post(
                "/api/agent/enrolments",
                json!({"child_id": child, "activity_id": activity, "from": "2026-09-01", "to": "2027-07-06"}),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }

    async fn slots(
        &self,
        family: &str,
        child: &str,
        activity: &str,
        days: &[NaiveDate],
        state: SlotState,
    ) {
        let items = days
            .iter()
            .map(|&date| {
                marelle_api::planning::store::slot_item(
                    family,
                    &Slot {
                        date,
                        child_id: child.into(),
                        activity_id: activity.into(),
                        state,
                        request_id: format!("R{date}"),
                        reservation_id: None,
                        holds_place: false,
                        version: 1,
                    },
                )
                .unwrap()
            })
            .collect();
        self.app
            .state
            .store
            .write_many(items, Vec::new())
            .await
            .unwrap();
    }

    async fn mark(&self, family: &str, child: &str, activity: &str, date: NaiveDate, mark: &str) {
        let mut item = Item::new(keys::attendance_mark(activity, date, child)).index(
            Index::Gsi3,
            keys::family_marks(family),
            keys::family_mark_in_index(date, activity, child),
        );
        item.set("child_id", json!(child));
        item.set("family_id", json!(family));
        item.set("date", json!(date));
        item.set("mark", json!(mark));
        item.set("by", json!("staff"));
        item.set("at", json!("2027-02-01T18:00:00Z"));
        self.app.state.store.put(item, None).await.unwrap();
    }

    async fn qf(&self, family: &str, euros: u32) {
        let mut item = Item::new(keys::quotients(family));
        item.set(
            "quotients",
            json!([{"euros": euros, "dated": "2027-01-01", "valid_until": "2027-12-31", "source": "dossier"}]),
        );
        item.set("version", json!(1));
        self.app.state.store.put(item, None).await.unwrap();
    }

    async fn start(&self, month: &str, dry_run: bool) -> marelle_testkit::TestResponse {
        self.app
            .post(
                "/api/agent/invoicing/runs",
                json!({"regie_id": self.regie, "month": month, "dry_run": dry_run}),
                Some(&self.agent),
            )
            .await
    }

    /// Starts a run, waits for it, answers its first page.
    async fn run(&self, month: &str, dry_run: bool) -> Value {
        let r = self.start(month, dry_run).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        self.app.bus.idle().await;
        self.show(r.body["id"].as_str().unwrap(), 0).await
    }

    async fn show(&self, id: &str, page: usize) -> Value {
        let r = self
            .app
            .get(
                &format!("/api/agent/invoicing/runs/{id}?page={page}"),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    async fn invoices(&self, family: &str) -> Vec<Value> {
        let r = self
            .app
            .get(
                &format!("/api/agent/families/{family}/invoices"),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["items"].as_array().unwrap().clone()
    }

    /// A one-child family at the canteen (3,25 € a meal at its QF),
    /// reserved on the 1st and 2nd of February.
    async fn canteen_family(&self, name: &str, canteen: &str) -> (String, String) {
        let (id, child, _) = self.canteen_family_with_code(name, canteen).await;
        (id, child)
    }

    /// [`Self::canteen_family`], a parent's account subscribed to it
    /// (`<name in lower case>@exemple.fr`).
    async fn subscribed_canteen_family(&self, name: &str, canteen: &str) -> String {
        let (id, _, code) = self.canteen_family_with_code(name, canteen).await;
        let parent = self
            .app
            .parent(&format!("{}@exemple.fr", name.to_lowercase()), PASSWORD)
            .await;
        let r = self.app.subscribe(&parent, &code).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        id
    }

    async fn canteen_family_with_code(
        &self,
        name: &str,
        canteen: &str,
    ) -> (String, String, String) {
        let f = self
            .family(name, json!([{"first_name": "Léo", "last_name": name, "birth_date": "2017-01-10", "sex": "M"}]))
            .await;
        let id = f["id"].as_str().unwrap().to_string();
        let child = f["children"][0]["id"].as_str().unwrap().to_string();
        self.enrol(&child, canteen).await;
        self.slots(&id, &child, canteen, &[feb(1), feb(2)], SlotState::Reserved)
            .await;
        self.qf(&id, 850).await;
        (
            id,
            child,
            f["subscriber_code"].as_str().unwrap().to_string(),
        )
    }

    async fn canteen(&self) -> String {
        let can = self.activity("Restauration scolaire", json!([])).await;
        self.billing(
            &can,
            "reserved",
            (None, None),
            grid("meal", [150, 325, 450], None),
        )
        .await;
        can
    }
}

fn grid(unit: &str, prices: [i64; 3], second: Option<Value>) -> Value {
    json!({
        "effective_from": "2026-09-01", "unit": unit,
        "brackets": [
            {"from_euros": 0, "to_euros": 600, "cents": prices[0]},
            {"from_euros": 600, "to_euros": 1200, "cents": prices[1]},
            {"from_euros": 1200, "cents": prices[2]}
        ],
        "second_child": second, "outside_cents": prices[2] + 70, "default_cents": prices[2]
    })
}

/// Every invoice number of the families, sorted.
async fn numbers(w: &World, families: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for f in families {
        for i in w.invoices(f).await {
            out.push(i["number"].as_str().unwrap().to_string());
        }
    }
    out.sort();
    out
}

fn expected_numbers(n: usize) -> Vec<String> {
    (1..=n).map(|s| format!("FAC-2027-ENF-{s:06}")).collect()
}

/// The domain test's family (`marelle_domain::invoicing::run`), written
/// into the store: February 2027, zone A's winter holidays from the 13th,
/// a strike on the 9th, Hugo's accepted absence on the 4th, Zoé excused on
/// the 11th, Léa absent without excuse on the 5th's evening, Zoé at the
/// morning care on the 2nd without reservation, Zoé's pending day on the
/// 19th. By hand: 57,79 + 5,80 + 25,40 + 115,60 = 204,59 €.
async fn the_guide_sized_family_is_issued_what_the_hand_computation_says(app: TestApp) {
    let w = World::new(app).await;
    let strike = json!({"from": "2027-02-09", "to": "2027-02-09", "label": "Grève"});
    let can = w
        .activity(
            "Restauration scolaire",
            json!([strike, {"from": "2027-02-13", "to": "2027-02-28", "label": "Vacances d'hiver"}]),
        )
        .await;
    let mat = w.activity("Accueil du matin", json!([strike])).await;
    let soir = w.activity("Accueil du soir", json!([strike])).await;
    let cl = w.activity("Centre de loisirs", json!([strike])).await;
    w.billing(
        &can,
        "reserved",
        (None, None),
        grid("meal", [150, 325, 450], Some(json!({"percent": 10}))),
    )
    .await;
    w.billing(
        &mat,
        "reserved",
        (None, Some(100)),
        grid("slot", [80, 120, 160], None),
    )
    .await;
    w.billing(
        &soir,
        "attended",
        (Some(200), None),
        grid("half_day", [150, 210, 280], Some(json!({"cents": 30}))),
    )
    .await;
    w.billing(
        &cl,
        "reserved",
        (None, None),
        grid("day", [900, 1250, 1600], Some(json!({"percent": 15}))),
    )
    .await;

    let f = w
        .family(
            "MARTIN",
            json!([
                {"first_name": "Léa", "last_name": "MARTIN", "birth_date": "2016-03-10", "sex": "F"},
                {"first_name": "Hugo", "last_name": "MARTIN", "birth_date": "2018-09-02", "sex": "M"},
                {"first_name": "Zoé", "last_name": "MARTIN", "birth_date": "2021-05-20", "sex": "F"}
            ]),
        )
        .await;
    let fid = f["id"].as_str().unwrap().to_string();
    let child = |name: &str| {
        f["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["first_name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (lea, hugo, zoe) = (child("Léa"), child("Hugo"), child("Zoé"));
    for (c, a) in [
        (&lea, &can),
        (&hugo, &can),
        (&zoe, &can),
        (&hugo, &mat),
        (&zoe, &mat),
        (&lea, &soir),
        (&zoe, &soir),
        (&hugo, &cl),
        (&zoe, &cl),
    ] {
        w.enrol(c, a).await;
    }
    let school = [
        feb(1),
        feb(2),
        feb(4),
        feb(5),
        feb(8),
        feb(9),
        feb(11),
        feb(12),
    ];
    for c in [&lea, &hugo, &zoe] {
        w.slots(&fid, c, &can, &school, SlotState::Reserved).await;
    }
    w.slots(&fid, &hugo, &can, &[feb(4)], SlotState::Absent)
        .await;
    w.slots(
        &fid,
        &hugo,
        &mat,
        &[feb(1), feb(2), feb(8), feb(9)],
        SlotState::Reserved,
    )
    .await;
    w.slots(&fid, &lea, &soir, &school, SlotState::Reserved)
        .await;
    w.slots(&fid, &zoe, &soir, &school, SlotState::Reserved)
        .await;
    w.slots(
        &fid,
        &hugo,
        &cl,
        &[feb(15), feb(16), feb(17), feb(18), feb(19)],
        SlotState::Reserved,
    )
    .await;
    w.slots(
        &fid,
        &zoe,
        &cl,
        &[feb(22), feb(23), feb(24), feb(25), feb(26)],
        SlotState::Reserved,
    )
    .await;
    w.slots(&fid, &zoe, &cl, &[feb(19)], SlotState::ReservationRequested)
        .await;
    // A reservation in March is not February's.
    w.slots(
        &fid,
        &lea,
        &can,
        &[NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()],
        SlotState::Reserved,
    )
    .await;
    for day in school.iter().filter(|&&d| d != feb(9)) {
        w.mark(&fid, &lea, &soir, *day, "present").await;
        w.mark(&fid, &zoe, &soir, *day, "present").await;
    }
    w.mark(&fid, &lea, &soir, feb(5), "absent_unexcused").await;
    w.mark(&fid, &zoe, &soir, feb(11), "absent_excused").await;
    w.mark(&fid, &zoe, &can, feb(11), "absent_excused").await;
    w.mark(&fid, &zoe, &mat, feb(2), "arrived_unreserved").await;
    w.qf(&fid, 850).await;

    // The dry run: the lines, nothing written.
    let dry = w.run("2027-02", true).await;
    assert_eq!(dry["run"]["state"], "done", "{dry}");
    assert_eq!(dry["run"]["families"], 1);
    assert_eq!(dry["run"]["total_cents"], 20459, "{dry}");
    assert_eq!(dry["run"]["issued"], 0);
    let bill = &dry["families"][0]["bill"];
    assert_eq!(bill["total_cents"], 20459);
    assert_eq!(dry["families"][0]["label"], f["label"]);
    let skipped: Vec<(&str, &str)> = bill["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["date"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert!(skipped.contains(&("2027-02-19", "pending")), "{skipped:?}");
    assert!(skipped.contains(&("2027-02-04", "excused")), "{skipped:?}");
    assert!(skipped.contains(&("2027-02-09", "closed")), "{skipped:?}");
    assert!(
        w.invoices(&fid).await.is_empty(),
        "a dry run writes no invoice"
    );

    // Issued: one invoice, its lines as computed by hand.
    let parent = w.app.parent("anne@exemple.fr", PASSWORD).await;
    let r = w
        .app
        .subscribe(&parent, f["subscriber_code"].as_str().unwrap())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let run = w.run("2027-02", false).await;
    assert_eq!(run["run"]["state"], "done", "{run}");
    assert_eq!(run["run"]["issued"], 1);
    assert_eq!(run["run"]["first_number"], "FAC-2027-ENF-000001");
    assert_eq!(run["run"]["last_number"], "FAC-2027-ENF-000001");
    let invoices = w.invoices(&fid).await;
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["amount_cents"], 20459);
    assert_eq!(invoices[0]["service"], "Enfance");
    assert_eq!(invoices[0]["issued_on"], "2027-03-03");

    // The parent sees it with its lines, and its PDF.
    let id = invoices[0]["id"].as_str().unwrap();
    let detail = w
        .app
        .get(
            &format!("/api/billing/invoices/{id}?family_id={fid}"),
            Some(&parent),
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{:?}", detail.body);
    let lines: Vec<(String, i64, i64, i64)> = detail.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                format!(
                    "{} {}",
                    l["child"].as_str().unwrap(),
                    l["activity"].as_str().unwrap()
                ),
                l["quantity"].as_i64().unwrap(),
                l["unit_price_cents"].as_i64().unwrap(),
                l["amount_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut want = vec![
        ("Léa Restauration scolaire", 7, 325, 2275),
        ("Hugo Restauration scolaire", 6, 292, 1752),
        ("Zoé Restauration scolaire", 6, 292, 1752),
        ("Hugo Accueil du matin", 3, 120, 360),
        ("Zoé Accueil du matin", 1, 120, 120),
        ("Zoé Accueil du matin", 1, 100, 100),
        ("Léa Accueil du soir", 6, 210, 1260),
        ("Léa Accueil du soir", 1, 200, 200),
        ("Zoé Accueil du soir", 6, 180, 1080),
        ("Hugo Centre de loisirs", 5, 1250, 6250),
        ("Zoé Centre de loisirs", 5, 1062, 5310),
    ]
    .into_iter()
    .map(|(a, b, c, d)| (a.to_string(), b, c, d))
    .collect::<Vec<_>>();
    let mut got = lines.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(detail.body["lines"][0]["period"], "Février 2027");
    let pdf = w
        .app
        .get(
            &format!("/api/billing/invoices/{id}/pdf?family_id={fid}"),
            Some(&parent),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    // The PDF itself: its number, a line of the month and the total.
    let text = pdf_text(
        &w.app,
        &format!("/api/billing/invoices/{id}/pdf?family_id={fid}"),
        &parent,
    )
    .await;
    assert!(text.contains("FAC-2027-ENF-000001"), "{text}");
    assert!(text.contains("Février 2027"), "{text}");
    assert!(text.contains("204,59"), "{text}");

    // One "new invoice" e-mail.
    let mails: Vec<_> = w
        .app
        .emails()
        .await
        .into_iter()
        .filter(|m| m.to == "anne@exemple.fr" && m.text.contains("FAC-2027-ENF-000001"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");

    // The régie's issued month is frozen; issuing it again changes nothing.
    let state = w
        .app
        .state
        .store
        .get(&keys::invoicing_state(&w.regie))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.str_attr("issued_through"), Some("2027-02-28"));
    let again = w.run("2027-02", false).await;
    assert_eq!(again["run"]["issued"], 0);
    assert_eq!(again["run"]["already_issued"], 1);
    assert_eq!(w.invoices(&fid).await.len(), 1);
    w.app.bus.idle().await;
    let mails = w.app.emails().await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.text.contains("FAC-2027-ENF-000001"))
            .count(),
        1
    );
}

async fn two_runs_racing_issue_each_family_once_without_gap(app: TestApp) {
    let w = World::new(app).await;
    let can = w.canteen().await;
    let mut families = Vec::new();
    for n in 0..5 {
        families.push(
            w.subscribed_canteen_family(&format!("FAMILLE{n}"), &can)
                .await,
        );
    }
    let (a, b) = tokio::join!(w.start("2027-02", false), w.start("2027-02", false));
    assert_eq!(a.status, StatusCode::ACCEPTED, "{:?}", a.body);
    assert_eq!(b.status, StatusCode::ACCEPTED, "{:?}", b.body);
    w.app.bus.idle().await;
    let ra = w.show(a.body["id"].as_str().unwrap(), 0).await;
    let rb = w.show(b.body["id"].as_str().unwrap(), 0).await;
    assert_eq!(ra["run"]["state"], "done", "{ra}");
    assert_eq!(rb["run"]["state"], "done", "{rb}");
    let issued = ra["run"]["issued"].as_u64().unwrap() + rb["run"]["issued"].as_u64().unwrap();
    assert_eq!(issued, 5, "{ra} {rb}");
    for f in &families {
        let invoices = w.invoices(f).await;
        assert_eq!(invoices.len(), 1, "{f}: {invoices:?}");
        assert_eq!(invoices[0]["amount_cents"], 650);
    }
    assert_eq!(numbers(&w, &families).await, expected_numbers(5));
    // One e-mail per family.
    let mails = w.app.emails().await;
    for n in 0..5 {
        let to = format!("famille{n}@exemple.fr");
        let sent = mails
            .iter()
            .filter(|m| m.to == to && m.text.contains("FAC-2027-ENF-"))
            .count();
        assert_eq!(sent, 1, "{to}");
    }
}

async fn a_run_stopped_half_way_and_started_again_issues_nothing_twice(app: TestApp) {
    let w = World::new(app).await;
    let can = w.canteen().await;
    let mut families = Vec::new();
    for n in 0..5 {
        families.push(
            w.subscribed_canteen_family(&format!("FAMILLE{n}"), &can)
                .await,
        );
    }
    // A run that stopped after its first two families (its chunk written,
    // the job never moved on, no e-mail sent).
    let regie: marelle_api::billing::regies::Regie = w
        .app
        .state
        .store
        .get(&keys::regie(&w.regie))
        .await
        .unwrap()
        .unwrap()
        .data()
        .unwrap();
    let month = "2027-02".parse().unwrap();
    let rm = marelle_api::invoicing::run::gather::regie_month(&w.app.state, &regie, "ENF", month)
        .await
        .unwrap();
    let mut sorted = families.clone();
    sorted.sort();
    let today = w.app.clock.now().date_naive();
    let done = marelle_api::invoicing::run::jobs::process_families(
        &w.app.state,
        &rm,
        &sorted[..2],
        Some(today),
    )
    .await
    .unwrap();
    assert!(done.iter().all(|f| matches!(
        f.issue,
        Some(marelle_api::invoicing::run::issue::Issued::Issued { .. })
    )));
    assert_eq!(numbers(&w, &families).await, expected_numbers(2));

    // Started again: the two are left as they are, the others follow.
    let run = w.run("2027-02", false).await;
    assert_eq!(run["run"]["state"], "done", "{run}");
    assert_eq!(run["run"]["issued"], 3);
    assert_eq!(run["run"]["already_issued"], 2);
    assert_eq!(run["run"]["first_number"], "FAC-2027-ENF-000003");
    assert_eq!(run["run"]["last_number"], "FAC-2027-ENF-000005");
    assert_eq!(numbers(&w, &families).await, expected_numbers(5));
    // The stopped run's families get their e-mail now, once; the others
    // once too; a third run sends nothing and issues nothing.
    let third = w.run("2027-02", false).await;
    assert_eq!(third["run"]["issued"], 0);
    assert_eq!(third["run"]["already_issued"], 5);
    assert_eq!(numbers(&w, &families).await, expected_numbers(5));
    w.app.bus.idle().await;
    let mails = w.app.emails().await;
    for n in 0..5 {
        let to = format!("famille{n}@exemple.fr");
        let sent = mails
            .iter()
            .filter(|m| m.to == to && m.text.contains("FAC-2027-ENF-"))
            .count();
        assert_eq!(sent, 1, "{to}");
    }
}

async fn a_correction_is_carried_once_onto_the_next_invoice(app: TestApp) {
    let mut w = World::new(app).await;
    let can = w.canteen().await;
    let (fid, child) = w.canteen_family("DURAND", &can).await;
    let r = w
        .app
        .post(
            &format!("/api/agent/families/{fid}/corrections"),
            json!({"child_id": child, "activity_id": can, "day": "2027-01-14", "cents": 150, "reason": "Repas non servi"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let listed = w
        .app
        .get(
            &format!("/api/agent/families/{fid}/corrections"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    let run = w.run("2027-02", false).await;
    assert_eq!(run["run"]["issued"], 1, "{run}");
    let invoices = w.invoices(&fid).await;
    assert_eq!(invoices[0]["amount_cents"], 650 - 150);
    let credit = run["families"][0]["bill"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "credit")
        .cloned()
        .unwrap();
    assert_eq!(credit["amount_cents"], -150);
    assert!(
        credit["label"]
            .as_str()
            .unwrap()
            .starts_with("Avoir – Restauration scolaire – Léo du 14/01/2027")
    );
    let listed = w
        .app
        .get(
            &format!("/api/agent/families/{fid}/corrections"),
            Some(&w.agent),
        )
        .await;
    assert!(
        listed.body["items"].as_array().unwrap().is_empty(),
        "carried: gone"
    );

    // March: the credit is not carried again.
    w.app
        .clock
        .set(Utc.with_ymd_and_hms(2027, 4, 2, 9, 0, 0).unwrap());
    w.agent = w.app.log_in("agent@villebois.test", "Agentmairie1").await;
    let march = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let fam = w.invoices(&fid).await;
    assert_eq!(fam.len(), 1);
    w.slots(&fid, &child, &can, &[march], SlotState::Reserved)
        .await;
    let run = w.run("2027-03", false).await;
    assert_eq!(run["run"]["issued"], 1, "{run}");
    assert_eq!(run["run"]["first_number"], "FAC-2027-ENF-000002");
    let mut amounts: Vec<i64> = w
        .invoices(&fid)
        .await
        .iter()
        .map(|i| i["amount_cents"].as_i64().unwrap())
        .collect();
    amounts.sort();
    assert_eq!(amounts, [325, 500]);
}

async fn bad_input_is_refused_in_french_with_stable_codes(app: TestApp) {
    let w = World::new(app).await;
    let can = w.canteen().await;
    let (fid, child) = w.canteen_family("PETIT", &can).await;

    // The month not over yet: a dry run is fine, issuing is not.
    let r = w.start("2027-03", false).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "month_not_over");
    assert!(
        r.body["detail"].as_str().unwrap().contains("01/04/2027"),
        "{:?}",
        r.body
    );
    let r = w.start("2027-03", true).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    for bad in ["2027-13", "2027-2", "février", ""] {
        let r = w.start(bad, true).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(
            r.field_codes(),
            [("month".to_string(), "invalid_month".to_string())],
            "{bad}"
        );
    }
    let r = w
        .app
        .post(
            "/api/agent/invoicing/runs",
            json!({"regie_id": "inconnue", "month": "2027-02", "dry_run": true}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "unknown_regie");
    // A régie without a code only imports invoices.
    let other = w
        .app
        .post(
            "/api/agent/regies",
            json!({"name": "Crèche"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{:?}", other.body);
    let r = w
        .app
        .post(
            "/api/agent/invoicing/runs",
            json!({"regie_id": other.body["id"], "month": "2027-02", "dry_run": true}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.code(), "regie_code_required");
    // Codes: their shape, unique.
    let oid = other.body["id"].as_str().unwrap();
    for (code, status, want) in [
        (
            "enf",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_regie_code",
        ),
        (
            "ABCDEFGHIJKLM",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_regie_code",
        ),
        ("ENF", StatusCode::CONFLICT, "regie_code_exists"),
    ] {
        let r = w
            .app
            .patch(
                &format!("/api/agent/regies/{oid}"),
                json!({"code": code}),
                Some(&w.agent),
            )
            .await;
        assert_eq!(r.status, status, "{code}: {:?}", r.body);
        assert_eq!(r.code(), want, "{code}");
    }
    let r = w
        .app
        .patch(
            &format!("/api/agent/regies/{oid}"),
            json!({"code": "CRE"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["code"], "CRE");
    // The issuing régie's code is frozen once it issued.
    w.run("2027-02", false).await;
    let r = w
        .app
        .patch(
            &format!("/api/agent/regies/{}", w.regie),
            json!({"code": "ENF2"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.code(), "regie_code_frozen");

    // Corrections: bad amounts, reasons, children; unknown family; bounded.
    let path = format!("/api/agent/families/{fid}/corrections");
    let r = w
        .app
        .post(&path, json!({"child_id": "X", "activity_id": can, "day": "2027-01-14", "cents": 0, "reason": " "}), Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut codes = r.field_codes();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("cents".to_string(), "correction_amount".to_string()),
            ("child_id".to_string(), "unknown_child".to_string()),
            ("reason".to_string(), "required".to_string()),
        ]
    );
    let body = json!({"child_id": child, "activity_id": can, "day": "2027-01-14", "cents": 100, "reason": "Repas"});
    let r = w
        .app
        .post(
            "/api/agent/families/inconnue/corrections",
            body.clone(),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .app
        .get("/api/agent/families/inconnue/corrections", Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .app
        .call(
            axum::http::Method::DELETE,
            &format!("{path}/inconnue"),
            None,
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut last = None;
    for _ in 0..20 {
        let r = w.app.post(&path, body.clone(), Some(&w.agent)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        last = r.body["id"].as_str().map(str::to_string);
    }
    let r = w.app.post(&path, body.clone(), Some(&w.agent)).await;
    assert_eq!(r.code(), "too_many_corrections");
    let r = w
        .app
        .call(
            axum::http::Method::DELETE,
            &format!("{path}/{}", last.unwrap()),
            None,
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // Parents are not agents.
    let parent = w.app.parent("parent@exemple.fr", PASSWORD).await;
    for r in [
        w.app
            .post(
                "/api/agent/invoicing/runs",
                json!({"regie_id": w.regie, "month": "2027-02", "dry_run": true}),
                Some(&parent),
            )
            .await,
        w.app.get(&path, Some(&parent)).await,
        w.app.post(&path, body.clone(), Some(&parent)).await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    // A page past the end.
    let run = w.run("2027-02", true).await;
    let r = w
        .app
        .get(
            &format!(
                "/api/agent/invoicing/runs/{}?page=9",
                run["run"]["id"].as_str().unwrap()
            ),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.code(), "invalid_page");
}

async fn a_number_an_imported_invoice_holds_is_never_issued_twice(app: TestApp) {
    let w = World::new(app).await;
    let can = w.canteen().await;
    let (fid, _) = w.canteen_family("IMPORT", &can).await;
    let f = w
        .app
        .get(&format!("/api/agent/families/{fid}"), Some(&w.agent))
        .await;
    let r = w
        .app
        .post(
            "/api/agent/invoices",
            json!({"family_id": fid, "guardian_id": f.body["guardians"][0]["id"], "emission_code": "E1",
                   "reference": "R1", "number": "FAC-2027-ENF-000001", "amount_cents": 1000,
                   "issued_on": "2027-02-01", "due_on": "2027-03-01", "service": "Enfance"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let run = w.run("2027-02", false).await;
    assert_eq!(run["run"]["state"], "done", "{run}");
    assert_eq!(run["run"]["issued"], 0);
    assert_eq!(run["run"]["errors"], 1);
    let error = run["families"][0]["error"].as_str().unwrap();
    assert!(error.contains("FAC-2027-ENF-000001"), "{error}");
    // Only the imported invoice; the counter did not move.
    assert_eq!(w.invoices(&fid).await.len(), 1);
    let counter = w
        .app
        .state
        .store
        .get(&keys::invoice_counter("ENF", 2027))
        .await
        .unwrap();
    assert!(counter.is_none());
}

/// The text of a PDF the API serves.
async fn pdf_text(app: &TestApp, path: &str, cookie: &str) -> String {
    use axum::body::Body;
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = Request::builder()
        .uri(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(marelle_api::http::extract::ClientIp(app.ip));
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(bytes.starts_with(b"%PDF-"));
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF that parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap().replace('\u{a0}', " ")
}
