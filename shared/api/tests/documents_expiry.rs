//! The daily job of supporting documents: the expiry e-mails (once per
//! document and notice, with the job run twice a day for 60 days) and the
//! deletion of retired documents after the commune's retention, on the
//! embedded store and on DynamoDB and S3 (moto).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use marelle_api::documents::expiry;
use marelle_domain::keys;
use marelle_domain::ports::{BlobError, MailError, Mailer, OutgoingEmail};
use marelle_testkit::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_s3_app("docexp").await;
    each_notice_is_sent_once_with_the_job_run_twice_a_day_for_60_days,
    retired_documents_are_deleted_after_the_retention_and_not_before,
    a_failed_send_is_tried_again_by_the_next_run,
    after_missed_days_only_the_expired_notice_is_sent,
    a_family_refusing_e_mails_gets_no_notice,
);

const PASSWORD: &str = "Motdepasse1";

/// 28/11/2026, the day the documents are sent (`t0`, 11:00 in Paris).
fn day0() -> NaiveDate {
    marelle_domain::time::local_date(marelle_testkit::t0())
}

fn plus(days: i64) -> NaiveDate {
    day0() + Duration::days(days)
}

/// `hour`:00 in Paris on `day`.
fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    marelle_domain::time::ZONE
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// A family (Zoé and Ludovic, one parent account) and an agent.
struct Family {
    app: TestApp,
    agent: String,
    parent: String,
    family_id: String,
    zoe: String,
    ludovic: String,
}

impl Family {
    async fn new(app: TestApp) -> Self {
        Self::with(app, true).await
    }

    /// `accepts_email`: whether the guardian accepts e-mails.
    async fn with(app: TestApp, accepts_email: bool) -> Self {
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent("matthieu@exemple.fr", PASSWORD).await;
        let family = app
            .create_family(
                &agent,
                json!({
                    "guardians": [{"civility": "Mme", "last_name": "DUPONT", "first_name": "Léa",
                                   "email": "lea@exemple.fr", "mobile": "06 07 08 09 10", "quality": "mother",
                                   "accepts_email": accepts_email}],
                    "children": [
                        {"first_name": "Zoé", "last_name": "DUPONT", "birth_date": "2018-03-02", "sex": "F"},
                        {"first_name": "Ludovic", "last_name": "DUPONT", "birth_date": "2015-11-23", "sex": "M"}
                    ]
                }),
            )
            .await;
        app.subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        let child = |name: &str| {
            family["children"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["first_name"] == name)
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        Self {
            zoe: child("Zoé"),
            ludovic: child("Ludovic"),
            family_id: family["id"].as_str().unwrap().to_string(),
            app,
            agent,
            parent,
        }
    }

    async fn doc_type(&self, name: &str, scope: &str, validity: &str) -> String {
        let r = self
            .app
            .post(
                "/api/agent/document-types",
                json!({"name": name, "scope": scope, "validity": validity}),
                Some(&self.agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// Sends a PDF for `type_id`; returns (document id, request id).
    async fn send(&self, type_id: &str, child: Option<&str>) -> (String, String) {
        let sent = common::send_pdf(&self.app, &self.parent, type_id, child).await;
        (
            sent["document_id"].as_str().unwrap().to_string(),
            sent["request_id"].as_str().unwrap().to_string(),
        )
    }

    async fn decide(&self, request_id: &str, decision: &str) {
        let message = (decision == "refused").then_some("Document illisible.");
        let r = self
            .app
            .decide(&self.agent, request_id, decision, message)
            .await;
        assert!(r.status.is_success(), "{:?}", r.body);
    }

    /// Sends and accepts; returns the document's id.
    async fn accepted(&self, type_id: &str, child: Option<&str>) -> String {
        let (doc, request) = self.send(type_id, child).await;
        self.decide(&request, "accepted").await;
        doc
    }

    async fn item(&self, id: &str) -> Option<marelle_domain::ports::Item> {
        self.app
            .state
            .store
            .get(&keys::document(&self.family_id, id))
            .await
            .unwrap()
    }

    async fn blob_of(&self, id: &str) -> String {
        self.item(id).await.unwrap().data::<Value>().unwrap()["blob"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn stored(&self, blob: &str) -> bool {
        match self.app.state.blobs.head(blob).await {
            Ok(_) => true,
            Err(BlobError::NotFound) => false,
            Err(e) => panic!("{e}"),
        }
    }

    /// The job at `now` (the clock moved there first).
    async fn run(&self, now: DateTime<Utc>) -> expiry::Report {
        self.app.clock.freeze(now);
        expiry::run(&self.app.state, now).await.unwrap()
    }
}

/// The expiry e-mails sent so far: (subject, the document named) → the
/// days they were sent on.
async fn notices(app: &TestApp) -> BTreeMap<(String, String), Vec<NaiveDate>> {
    let mut out: BTreeMap<(String, String), Vec<NaiveDate>> = BTreeMap::new();
    for e in app
        .emails()
        .await
        .iter()
        .filter(|e| e.subject.starts_with("Pièce justificative"))
    {
        let name = e
            .text
            .split('«')
            .nth(1)
            .and_then(|s| s.split('»').next())
            .unwrap_or_default()
            .trim()
            .to_string();
        out.entry((e.subject.clone(), name))
            .or_default()
            .push(marelle_domain::time::local_date(e.sent_at));
    }
    out
}

async fn each_notice_is_sent_once_with_the_job_run_twice_a_day_for_60_days(app: TestApp) {
    let f = Family::new(app).await;
    let in_10 = plus(10).format("%Y-%m-%d");
    let in_20 = plus(20).format("%Y-%m-%d");
    let in_45 = plus(45).format("%Y-%m-%d");
    let in_5 = plus(5).format("%Y-%m-%d");
    let vaccines = f
        .doc_type("Carnet de vaccination", "child", &format!("until:{in_10}"))
        .await;
    let home = f
        .doc_type(
            "Justificatif de domicile",
            "family",
            &format!("until:{in_20}"),
        )
        .await;
    let insurance = f
        .doc_type(
            "Attestation d'assurance",
            "family",
            &format!("until:{in_45}"),
        )
        .await;
    let pai = f.doc_type("PAI", "child", "permanent").await;
    let withdrawn = f
        .doc_type("Attestation CAF", "family", &format!("until:{in_5}"))
        .await;
    f.accepted(&vaccines, Some(&f.zoe)).await;
    // The first proof of address is replaced by a second one, accepted.
    let first_home = f.accepted(&home, None).await;
    let second_home = f.accepted(&home, None).await;
    assert_eq!(
        f.item(&first_home).await.unwrap().data::<Value>().unwrap()["state"],
        "replaced"
    );
    f.accepted(&insurance, None).await;
    f.accepted(&pai, Some(&f.ludovic)).await;
    f.accepted(&withdrawn, None).await;
    let r = f
        .app
        .patch(
            &format!("/api/agent/document-types/{withdrawn}"),
            json!({"active": false}),
            Some(&f.agent),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    // A pending one and a refused one are not accepted documents.
    f.send(&vaccines, Some(&f.ludovic)).await;
    let before = f.app.emails().await.len();

    // Two runs at the same instant: each notice once.
    let now = at(day0(), 20);
    f.app.clock.freeze(now);
    let (a, b) = tokio::join!(
        expiry::run(&f.app.state, now),
        expiry::run(&f.app.state, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.soon + b.soon, 2, "{a:?} {b:?}");
    assert_eq!(a.expired + b.expired, 0);
    assert_eq!(a.failed + b.failed, 0);
    assert_eq!(f.app.emails().await.len() - before, 2);

    for day in 1..=60 {
        for hour in [8, 20] {
            let r = f.run(at(plus(day), hour)).await;
            assert_eq!(r.failed, 0, "{r:?}");
        }
    }
    let emails = f.app.emails().await;
    let sent = notices(&f.app).await;
    let soon = "Pièce justificative bientôt expirée".to_string();
    let expired = "Pièce justificative expirée".to_string();
    let expected: BTreeMap<(String, String), Vec<NaiveDate>> = [
        ((soon.clone(), "Carnet de vaccination".into()), vec![day0()]),
        (
            (expired.clone(), "Carnet de vaccination".into()),
            vec![plus(11)],
        ),
        (
            (soon.clone(), "Justificatif de domicile".into()),
            vec![day0()],
        ),
        (
            (expired.clone(), "Justificatif de domicile".into()),
            vec![plus(21)],
        ),
        (
            (soon.clone(), "Attestation d'assurance".into()),
            vec![plus(15)],
        ),
        (
            (expired.clone(), "Attestation d'assurance".into()),
            vec![plus(46)],
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(sent, expected);
    // The e-mail: to the family's account, naming the child, the date, the page.
    let vaccines_soon = emails
        .iter()
        .find(|e| e.subject == soon && e.text.contains("Carnet de vaccination"))
        .unwrap();
    assert!(
        vaccines_soon.to.contains("matthieu@exemple.fr"),
        "{}",
        vaccines_soon.to
    );
    assert!(
        vaccines_soon.text.contains("de Zoé"),
        "{}",
        vaccines_soon.text
    );
    assert!(
        vaccines_soon
            .text
            .contains(&plus(10).format("%d/%m/%Y").to_string()),
        "{}",
        vaccines_soon.text
    );
    assert!(
        vaccines_soon
            .text
            .contains("https://famille.villebois.test/pieces-justificatives")
    );
    let home_expired = emails
        .iter()
        .find(|e| e.subject == expired && e.text.contains("Justificatif de domicile"))
        .unwrap();
    assert!(
        home_expired.text.contains("de votre famille"),
        "{}",
        home_expired.text
    );
    // Once expired and notified, a document leaves the expiry index; the
    // table marks it expired.
    let item = f.item(&second_home).await.unwrap();
    assert_eq!(item.get("GSI2PK"), None);
    assert_eq!(
        item.data::<Value>().unwrap()["notified_expired_on"],
        plus(21).to_string()
    );
}

async fn retired_documents_are_deleted_after_the_retention_and_not_before(app: TestApp) {
    let f = Family::new(app).await;
    let vaccines = f
        .doc_type("Carnet de vaccination", "child", "months:12")
        .await;
    let (refused, request) = f.send(&vaccines, Some(&f.ludovic)).await;
    f.decide(&request, "refused").await;
    // A pending file withdrawn by a newer one is cancelled: its file goes
    // at once, its item with the retention.
    let (cancelled, _) = f.send(&vaccines, Some(&f.zoe)).await;
    let cancelled_blob = f.blob_of(&cancelled).await;
    assert!(f.stored(&cancelled_blob).await);
    let accepted = f.accepted(&vaccines, Some(&f.zoe)).await;
    let cancelled_item = f.item(&cancelled).await.unwrap().data::<Value>().unwrap();
    assert_eq!(cancelled_item["state"], "cancelled");
    assert_eq!(cancelled_item["retired_on"], day0().to_string());
    assert!(!f.stored(&cancelled_blob).await, "deleted at cancellation");
    let (refused_blob, accepted_blob) = (f.blob_of(&refused).await, f.blob_of(&accepted).await);
    let item = f.item(&refused).await.unwrap();
    assert_eq!(
        item.data::<Value>().unwrap()["retired_on"],
        day0().to_string()
    );
    // The store's backstop: a month after the job's day.
    let ttl = at(plus(365 + 30), 0).timestamp();
    assert!(
        (item.ttl().unwrap() - ttl).abs() <= 2 * 3600,
        "{:?}",
        item.ttl()
    );
    assert_eq!(f.item(&accepted).await.unwrap().ttl(), None);

    let r = f.run(at(plus(364), 7)).await;
    assert_eq!(r.deleted, 0, "{r:?}");
    assert!(f.stored(&refused_blob).await);
    assert!(f.item(&refused).await.is_some());
    assert!(f.item(&cancelled).await.is_some());

    let r = f.run(at(plus(365), 7)).await;
    assert_eq!((r.deleted, r.delete_failed), (2, 0), "{r:?}");
    assert!(f.item(&cancelled).await.is_none());
    assert!(!f.stored(&refused_blob).await, "the file is deleted");
    assert!(f.item(&refused).await.is_none(), "the item is deleted");
    assert!(f.stored(&accepted_blob).await, "the accepted one stays");
    assert!(f.item(&accepted).await.is_some());
    let r = f.run(at(plus(366), 7)).await;
    assert_eq!(r.deleted, 0, "{r:?}");
}

/// A mailer that fails while told to, then hands over to the real one.
struct Flaky {
    inner: Arc<dyn Mailer>,
    failures: AtomicUsize,
}

#[async_trait::async_trait]
impl Mailer for Flaky {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        if self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(MailError::Unavailable("service down".into()));
        }
        self.inner.send(email).await
    }
}

async fn a_failed_send_is_tried_again_by_the_next_run(app: TestApp) {
    let mut f = Family::new(app).await;
    let in_10 = plus(10).format("%Y-%m-%d");
    let vaccines = f
        .doc_type("Carnet de vaccination", "child", &format!("until:{in_10}"))
        .await;
    let doc = f.accepted(&vaccines, Some(&f.zoe)).await;
    let flaky = Arc::new(Flaky {
        inner: f.app.state.mailer.clone(),
        failures: AtomicUsize::new(1),
    });
    let s = &f.app.state;
    f.app.state = Arc::new(marelle_api::http::state::App {
        store: s.store.clone(),
        mailer: flaky,
        blobs: s.blobs.clone(),
        bus: s.bus.clone(),
        clock: s.clock.clone(),
        payments: s.payments.clone(),
        ids: s.ids.clone(),
        commune: s.commune.clone(),
        keys: s.keys.clone(),
        hasher: s.hasher.clone(),
        settings: s.settings.clone(),
    });
    let before = f.app.emails().await.len();

    let r = f.run(at(plus(1), 7)).await;
    assert_eq!((r.soon, r.failed), (0, 1), "{r:?}");
    assert_eq!(f.app.emails().await.len(), before);
    let item = f.item(&doc).await.unwrap();
    assert_eq!(item.data::<Value>().unwrap().get("notified_soon_on"), None);
    assert!(item.get("GSI2PK").is_some(), "back in the expiry index");

    let r = f.run(at(plus(2), 7)).await;
    assert_eq!((r.soon, r.failed), (1, 0), "{r:?}");
    assert_eq!(f.app.emails().await.len(), before + 1);
    let r = f.run(at(plus(2), 19)).await;
    assert_eq!((r.soon, r.failed, r.skipped), (0, 0, 0), "{r:?}");
}

async fn after_missed_days_only_the_expired_notice_is_sent(app: TestApp) {
    let f = Family::new(app).await;
    let in_10 = plus(10).format("%Y-%m-%d");
    let insurance = f
        .doc_type(
            "Attestation d'assurance",
            "family",
            &format!("until:{in_10}"),
        )
        .await;
    f.accepted(&insurance, None).await;
    // No run until the day after its end (the job was down).
    let r = f.run(at(plus(11), 7)).await;
    assert_eq!((r.soon, r.expired), (0, 1), "{r:?}");
    for day in 12..=20 {
        let r = f.run(at(plus(day), 7)).await;
        assert_eq!((r.soon, r.expired, r.skipped), (0, 0, 0), "{r:?}");
    }
    let sent = notices(&f.app).await;
    assert_eq!(
        sent.into_iter().collect::<Vec<_>>(),
        vec![(
            (
                "Pièce justificative expirée".to_string(),
                "Attestation d'assurance".to_string()
            ),
            vec![plus(11)]
        )]
    );
}

async fn a_family_refusing_e_mails_gets_no_notice(app: TestApp) {
    let f = Family::with(app, false).await;
    let in_10 = plus(10).format("%Y-%m-%d");
    let insurance = f
        .doc_type(
            "Attestation d'assurance",
            "family",
            &format!("until:{in_10}"),
        )
        .await;
    f.accepted(&insurance, None).await;
    let mut skipped = 0;
    for day in 1..=15 {
        let r = f.run(at(plus(day), 7)).await;
        assert_eq!((r.soon, r.expired, r.failed), (0, 0, 0), "{r:?}");
        skipped += r.skipped;
    }
    // Each notice looked at once, then left as done.
    assert_eq!(skipped, 2);
    assert!(notices(&f.app).await.is_empty());
}
