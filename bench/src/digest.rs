//! The processing digest at scale on the embedded store: N families with M
//! decisions each in one window; the time and peak memory of building and
//! writing every e-mail to the outbox, and the store reads per family.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use marelle_api::http::passwords::PasswordHasher;
use marelle_api::http::state::{App, Keys, Settings};
use marelle_api::subscriptions::Subscription;
use marelle_domain::Commune;
use marelle_domain::accounts::{Account, Civility, Role};
use marelle_domain::digest_window::window_of;
use marelle_domain::family::{FamilyRecord, Guardian};
use marelle_domain::keys;
use marelle_domain::ports::store::{Index, Item};
use marelle_domain::ports::{Clock, IdGenerator, SettableClock, Store};
use marelle_domain::requests::{Decision, RequestKind, RequestRecord};
use marelle_domain::secrets::Secret;
use marelle_embedded::{FolderBlobs, InProcessBus, Outbox, SqliteStore};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

pub async fn run(families: usize, per_family: usize) {
    let dir = tempfile::tempdir().unwrap();
    let decided = Utc.with_ymd_and_hms(2027, 6, 2, 8, 0, 0).unwrap();
    let window = window_of(decided);
    let clock = Arc::new(SettableClock::frozen(window.end()));
    let clock_port: Arc<dyn Clock> = clock.clone();
    let store =
        Arc::new(SqliteStore::open(dir.path().join("marelle.db"), clock_port.clone()).unwrap());
    let outbox = Arc::new(Outbox::new(dir.path().join("outbox"), clock_port.clone()).unwrap());
    let keys_ = Keys::derive(&Secret::new("bench secret"));
    let app = Arc::new(App {
        store: store.clone(),
        mailer: outbox.clone(),
        blobs: Arc::new(
            FolderBlobs::new(
                dir.path().join("blobs"),
                "http://127.0.0.1",
                keys_.blob_urls.clone(),
                clock_port.clone(),
            )
            .unwrap(),
        ),
        bus: Arc::new(InProcessBus::new()),
        clock: clock_port.clone(),
        payments: None,
        ids: Arc::new(IdGenerator::new(clock_port.clone())),
        commune: Commune {
            name: "Mairie de Villebois".into(),
            public_url: "https://famille.villebois.fr".into(),
            mail_from: "Portail Citoyen <nepasrepondre@villebois.fr>".into(),
            contact_text: "Service enfance : 01 02 03 04 05.".into(),
        },
        keys: keys_,
        hasher: PasswordHasher::new(1, 1, argon2::Params::default()),
        settings: Settings::default(),
    });

    println!(
        "# processing digest: {families} families, {per_family} decisions each, one window, embedded store"
    );
    let seeding = Instant::now();
    let mut batch: Vec<Item> = Vec::with_capacity(20_000);
    for f in 0..families {
        let fid = format!("F{f:09}");
        let aid = format!("A{f:09}");
        let record = FamilyRecord {
            id: fid.clone(),
            label: format!("Famille N{f}"),
            fiscal: None,
            subscriber_code: None,
            external_ref: None,
            created_at: decided,
        };
        batch.push(marelle_api::family::store::family_item(&app, &record, 1).unwrap());
        let guardian = Guardian {
            id: format!("G{f:09}"),
            civility: Some(Civility::Monsieur),
            family_situation: None,
            last_name: "BLMAN".into(),
            first_name: "Matthieu".into(),
            email: format!("parent{f}@exemple.fr"),
            phone: String::new(),
            mobile: String::new(),
            quality: None,
            accepts_email: true,
            accepts_sms: false,
            address: None,
            bank: None,
            personal_code: "ABC234".into(),
        };
        batch.push(marelle_api::family::store::guardian_item(&app, &fid, &guardian, 1).unwrap());
        let account = Account {
            id: aid.clone(),
            email: format!("parent{f}@exemple.fr"),
            civility: Some(Civility::Monsieur),
            last_name: "BLMAN".into(),
            first_name: "Matthieu".into(),
            role: Role::Parent,
            password_hash: String::new(),
            activated_at: Some(decided),
            created_at: decided,
            pending_subscriber_code: None,
            activities: Vec::new(),
            version: 1,
        };
        batch.push(marelle_api::accounts::store::account_item(&account).unwrap());
        let sub = Subscription {
            family_id: fid.clone(),
            label: record.label.clone(),
            linked_at: decided,
        };
        batch.push(
            Item::with_data(keys::subscription(&aid, &fid), &sub)
                .unwrap()
                .index(
                    Index::Gsi1,
                    keys::subscribers(&fid),
                    keys::subscriber_in_family(&aid),
                ),
        );
        for d in 0..per_family {
            let date = NaiveDate::from_ymd_opt(2027, 9, 1).unwrap() + chrono::Days::new(d as u64);
            let mut r = RequestRecord::new(
                format!("R{f:09}{d:04}"),
                fid.clone(),
                RequestKind::Reservation,
                aid.clone(),
                decided - Duration::days(1),
                "Ajout de réservation".into(),
                serde_json::json!({"activity": "4/Péri SOIR", "establishment": "Ecole Lux", "start": "16:30", "end": "18:30"}),
            );
            r.date = Some(date);
            r.child_id = Some("C".into());
            r.activity_id = Some("A4".into());
            r.decide(Decision::Accepted, None, "agent", decided)
                .unwrap();
            batch.push(marelle_api::requests::store::item(&r).unwrap());
        }
        if batch.len() >= 20_000 {
            store
                .write_many(std::mem::take(&mut batch), vec![])
                .await
                .unwrap();
        }
    }
    store.write_many(batch, vec![]).await.unwrap();
    println!(
        "seeded {} items in {:.1} s",
        families * (4 + per_family),
        seeding.elapsed().as_secs_f64()
    );

    // Peak memory from here on (Linux: writing 5 resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = peak_rss_kib();
    let t = Instant::now();
    let report = marelle_api::jobs::digest::run_window(
        &app,
        window,
        marelle_api::jobs::digest::Options::default(),
    )
    .await
    .unwrap();
    let elapsed = t.elapsed();
    let peak = peak_rss_kib();
    assert_eq!(report.sent, families, "{report:?}");
    println!(
        "run: {} e-mails in {:.1} s ({:.0} e-mails/s), {} decisions read",
        report.sent,
        elapsed.as_secs_f64(),
        report.sent as f64 / elapsed.as_secs_f64(),
        report.requests
    );
    println!(
        "peak resident memory during the run: {:.1} MiB (at its start: {:.1} MiB)",
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
    println!(
        "store reads: {} in all, {:.2} per family (index pages: {} of 500 items)",
        report.store_reads,
        report.store_reads as f64 / families as f64,
        report.requests.div_ceil(500)
    );
    let again = marelle_api::jobs::digest::run_window(
        &app,
        window,
        marelle_api::jobs::digest::Options::default(),
    )
    .await
    .unwrap();
    println!(
        "second run of the window: {} sent, {} skipped",
        again.sent, again.skipped
    );
}
