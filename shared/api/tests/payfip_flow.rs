//! Online payment through the PayFiP adapter against the test SOAP server
//! that plays PayFiP, on the embedded store and on DynamoDB (moto): the
//! order carries the stored invoice's amount and its régie's client
//! number, PayFiP's notifications (replayed) and the payer's return
//! record one règlement, a refusal leaves the invoice to pay, and a fault
//! of the service records nothing until the poll asks again.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use marelle_payfip::PayfipClient;
use marelle_payfip::fake::FakePayfip;
use marelle_testkit::{TestApp, TestResponse};
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";
const PARENT: &str = "matthieu@exemple.fr";
/// The portal's own client number; the régie "Périscolaire" has another.
const NUMCLI: &str = "010203";
const REGIE_NUMCLI: &str = "112233";

on_both_stores!(a_payfip_payment_is_recorded_once_from_the_services_own_answer,);

struct World {
    app: TestApp,
    fake: FakePayfip,
    agent: String,
    parent: String,
    family: Value,
    n: std::cell::Cell<u32>,
}

impl World {
    async fn new(app: TestApp) -> Self {
        let fake = FakePayfip::start().await.unwrap();
        let client = fake.config(NUMCLI).and_then(PayfipClient::new).unwrap();
        let app = app.with_payment_provider(Arc::new(client));
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent(PARENT, PASSWORD).await;
        let family = app.dupont_family(&agent).await;
        let r = app
            .subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        Self {
            app,
            fake,
            agent,
            parent,
            family,
            n: std::cell::Cell::new(0),
        }
    }

    async fn invoice(&self, amount: i64, service: &str) -> (String, String) {
        self.n.set(self.n.get() + 1);
        let number = format!("2026-11-{:04}", self.n.get());
        let body = json!({
            "family_id": self.family["id"], "guardian_id": self.family["guardians"][0]["id"],
            "emission_code": "E2026", "reference": format!("R{}", self.n.get()),
            "number": number, "amount_cents": amount,
            "issued_on": "2026-10-31", "due_on": "2026-11-30", "service": service
        });
        let r = self
            .app
            .post("/api/agent/invoices", body, Some(&self.agent))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        (r.body["id"].as_str().unwrap().into(), number)
    }

    /// Starts a payment: (online payment id, idop), checking the payer is
    /// sent to PayFiP's page.
    async fn started(&self, invoice: &str) -> (String, String) {
        let r = self
            .app
            .call(
                Method::POST,
                &format!("/api/billing/invoices/{invoice}/payment"),
                None,
                Some(&self.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let url = r.body["redirect_url"].as_str().unwrap();
        assert!(url.starts_with(&self.fake.page_url()), "{url}");
        let idop = url.split_once("idop=").map(|(_, i)| i.to_string()).unwrap();
        (r.body["online_payment_id"].as_str().unwrap().into(), idop)
    }

    /// PayFiP's server-to-server notification: no session, its own origin.
    async fn notify(&self, idop: &str) -> TestResponse {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/billing/payfip/notification")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "https://www.payfip.gouv.fr")
            .body(Body::from(format!("idop={idop}")))
            .unwrap();
        self.app.send(req).await
    }

    async fn get(&self, path: &str) -> Value {
        let r = self.app.get(path, Some(&self.parent)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        r.body
    }

    async fn state(&self, online: &str) -> String {
        self.get(&format!("/api/billing/online-payments/{online}"))
            .await["state"]
            .as_str()
            .unwrap()
            .into()
    }

    async fn online_payments(&self) -> usize {
        let payments = self.get("/api/billing/payments").await;
        payments["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["method"] == "online")
            .count()
    }
}

async fn a_payfip_payment_is_recorded_once_from_the_services_own_answer(app: TestApp) {
    let w = World::new(app).await;
    let r = w
        .app
        .post(
            "/api/agent/regies",
            json!({"name": "Périscolaire", "numcli": REGIE_NUMCLI, "email": "regie@villebois.fr"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    // The order: the stored amount, the régie's client number, the
    // invoice's number as refdet, the parent's address.
    let (invoice, number) = w.invoice(4250, "Périscolaire").await;
    let (online, idop) = w.started(&invoice).await;
    let sent = w.fake.transaction(&idop).unwrap();
    assert_eq!(sent.montant, "4250");
    assert_eq!(sent.numcli, REGIE_NUMCLI);
    assert_eq!(sent.refdet, number.replace('-', ""));
    assert_eq!(sent.mel, PARENT);
    assert!(
        sent.urlnotif.ends_with("/api/billing/payfip/notification"),
        "{}",
        sent.urlnotif
    );

    // A notification before any result changes nothing.
    let r = w.notify(&idop).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(w.state(&online).await, "pending");

    // Paid: three notifications and the return record one règlement.
    assert!(w.fake.set_result(&idop, "P"));
    for _ in 0..3 {
        let r = w.notify(&idop).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let back = w
        .app
        .get(&format!("/api/billing/payfip/return?idop={idop}"), None)
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(w.state(&online).await, "paid");
    assert_eq!(w.online_payments().await, 1);
    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["state"], "paid");

    // Refused: the invoice stays to pay. An invoice of a service without a
    // régie goes with the portal's own client number.
    let (refused_invoice, _) = w.invoice(1800, "Restauration").await;
    let (refused, idop) = w.started(&refused_invoice).await;
    assert_eq!(w.fake.transaction(&idop).unwrap().numcli, NUMCLI);
    assert!(w.fake.set_result(&idop, "R"));
    assert_eq!(w.notify(&idop).await.status, StatusCode::OK);
    assert_eq!(w.state(&refused).await, "refused");
    let detail = w
        .get(&format!("/api/billing/invoices/{refused_invoice}"))
        .await;
    assert_eq!(detail["state"], "to_pay");
    assert_eq!(detail["payable_online"], true);

    // The service fails when asked: nothing is recorded, the notification
    // is answered as unavailable, and the poll asks again later.
    let (late_invoice, _) = w.invoice(2600, "Restauration").await;
    let (late, idop) = w.started(&late_invoice).await;
    assert!(w.fake.set_result(&idop, "V"));
    w.fake.fail_next("T1", "Erreur technique");
    let r = w.notify(&idop).await;
    assert!(r.status.is_server_error(), "{:?} {:?}", r.status, r.body);
    assert_eq!(w.state(&late).await, "pending");
    assert_eq!(w.online_payments().await, 1);
    w.app.clock.advance(Duration::minutes(3));
    marelle_api::jobs::payments::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!(w.state(&late).await, "paid");
    assert_eq!(w.online_payments().await, 2);
}
