//! Online payment through the sandbox, over the in-process API, on the
//! embedded store and on DynamoDB (moto): paid, refused and abandoned
//! flows, a result applied exactly once whatever the notifications,
//! returns and polls, one payment at a time per invoice, the polling job,
//! the receipt e-mail, and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use marelle_domain::keys;
use marelle_domain::ports::store::Update;
use marelle_testkit::{TestApp, TestResponse};
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";
const PARENT: &str = "matthieu@exemple.fr";
const RECEIPT: &str = "Confirmation de votre paiement en ligne";

on_both_stores!(
    embedded: marelle_testkit::TestApp::with_sandbox().await,
    dynamodb: crate::common::dynamo_sandbox_app("online").await;
    a_paid_payment_is_recorded_once_with_its_receipt,
    refused_and_abandoned_payments_leave_the_invoice_to_pay,
    three_notifications_a_return_and_a_poll_record_one_payment,
    a_second_payment_waits_for_the_one_in_progress,
    settled_and_small_invoices_are_not_payable_online,
    another_familys_invoice_and_payment_are_not_found,
    the_notification_takes_no_session_and_refuses_bad_input,
    the_poll_settles_lost_notifications_and_abandons_stale_payments,
    a_payment_taken_after_the_invoice_was_settled_is_kept_apart,
    a_payment_not_recorded_is_listed_then_refunded,
    a_payment_not_recorded_is_recorded_on_another_invoice,
    settling_refuses_bad_bodies_and_other_families_invoices,
    payments_to_review_are_paged_oldest_first,
);

#[tokio::test]
async fn without_a_provider_nothing_is_payable_online() {
    no_provider(TestApp::new().await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_provider_nothing_is_payable_online_on_dynamodb() {
    no_provider(common::dynamo_app("online").await).await
}

struct World {
    app: TestApp,
    agent: String,
    parent: String,
    family: Value,
    other_parent: String,
    other_family: Value,
    n: std::cell::Cell<u32>,
}

impl World {
    async fn new(app: TestApp) -> Self {
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent(PARENT, PASSWORD).await;
        let family = app.dupont_family(&agent).await;
        let r = app
            .subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let other_parent = app.parent("marc@exemple.fr", PASSWORD).await;
        let other_family = app.create_family(&agent, json!({
            "guardians": [{"civility": "M.", "last_name": "BERNARD", "first_name": "Marc", "email": "marc@exemple.fr", "quality": "father"}],
            "children": [{"first_name": "Zoé", "last_name": "BERNARD", "birth_date": "2017-04-02", "sex": "F"}]
        })).await;
        let r = app
            .subscribe(
                &other_parent,
                other_family["subscriber_code"].as_str().unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        Self {
            app,
            agent,
            parent,
            family,
            other_parent,
            other_family,
            n: std::cell::Cell::new(0),
        }
    }

    /// A new invoice of the family, of `amount` cents.
    async fn invoice(&self, amount: i64) -> String {
        self.n.set(self.n.get() + 1);
        let body = json!({
            "family_id": self.family["id"], "guardian_id": self.family["guardians"][0]["id"],
            "emission_code": "E2026", "reference": format!("R{}", self.n.get()),
            "number": format!("2026-11-{:04}", self.n.get()),
            "amount_cents": amount, "issued_on": "2026-10-31", "due_on": "2026-11-30",
            "service": "Périscolaire"
        });
        let r = self
            .app
            .post("/api/agent/invoices", body, Some(&self.agent))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().into()
    }

    async fn start(&self, invoice: &str) -> TestResponse {
        self.app
            .call(
                Method::POST,
                &format!("/api/billing/invoices/{invoice}/payment"),
                None,
                Some(&self.parent),
            )
            .await
    }

    /// Starts a payment: (online payment id, idop).
    async fn started(&self, invoice: &str) -> (String, String) {
        let r = self.start(invoice).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let url = r.body["redirect_url"].as_str().unwrap();
        let idop = url.split_once("idop=").map(|(_, i)| i.to_string()).unwrap();
        assert!(url.starts_with("/api/dev/payfip?"), "{url}");
        (r.body["online_payment_id"].as_str().unwrap().into(), idop)
    }

    /// A form POST, as a browser on another site or a server would send it.
    async fn form(&self, path: &str, body: &str, origin: Option<&str>) -> TestResponse {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        self.app
            .send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// The payer's choice on the sandbox page (which notifies the portal).
    async fn choose(&self, idop: &str, result: &str) -> TestResponse {
        self.form(
            "/api/dev/payfip",
            &format!("idop={idop}&resultrans={result}"),
            Some(marelle_testkit::app::ORIGIN),
        )
        .await
    }

    /// The payer's choice kept by the sandbox, with no notification (lost).
    async fn choose_silently(&self, idop: &str, result: &str) {
        self.app
            .state
            .store
            .update(
                &keys::sandbox_order(idop),
                Update::new()
                    .set("result", result)
                    .set("at", "2026-11-28T10:01:00Z")
                    .add("chosen", 1),
                None,
            )
            .await
            .unwrap();
    }

    async fn notify(&self, idop: &str) -> TestResponse {
        self.form(
            "/api/billing/payfip/notification",
            &format!("idop={idop}"),
            Some("https://www.payfip.gouv.fr"),
        )
        .await
    }

    async fn back(&self, idop: &str) -> TestResponse {
        self.app
            .get(&format!("/api/billing/payfip/return?idop={idop}"), None)
            .await
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

    async fn receipts(&self) -> usize {
        self.app
            .emails()
            .await
            .iter()
            .filter(|e| e.subject == RECEIPT)
            .count()
    }
}

async fn a_paid_payment_is_recorded_once_with_its_receipt(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(4250).await;
    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["payable_online"], true);

    let (online, idop) = w.started(&invoice).await;
    assert_eq!(w.state(&online).await, "pending");

    // The sandbox's page shows what is paid, and the three choices.
    let page = w
        .app
        .get(&format!("/api/dev/payfip?idop={idop}"), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body.as_str().unwrap();
    assert!(html.contains("42,50\u{a0}€"), "{html}");
    assert!(html.contains("Facture 2026-11-0001 Périscolaire"));
    for button in ["Payer", "Refuser", "Abandonner"] {
        assert!(html.contains(&format!(">{button}</button>")), "{button}");
    }

    let r = w.choose(&idop, "P").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}", r.body);
    let location = r.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(location, format!("/api/billing/payfip/return?idop={idop}"));
    // The notification came before the payer is back.
    assert_eq!(w.state(&online).await, "paid");
    let r = w.back(&idop).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION].to_str().unwrap(),
        format!("/espace-facturation/paiement/{online}")
    );

    let view = w
        .get(&format!("/api/billing/online-payments/{online}"))
        .await;
    assert_eq!(view["invoice_id"], invoice.as_str());
    assert_eq!(view["amount_cents"], 4250);
    assert!(view["settled_at"].is_string());

    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["state"], "paid");
    assert_eq!(detail["balance_cents"], 0);
    assert_eq!(detail["payable_online"], false);
    let payments = w.get("/api/billing/payments").await;
    let items = payments["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["method"], "online");
    assert_eq!(items[0]["number"], idop.as_str());
    assert_eq!(
        items[0]["description"],
        format!("Règlement en ligne - Transaction n°{idop}")
    );
    let ops = w.get("/api/billing/operations").await;
    assert_eq!(ops["to_pay_cents"], 0);
    assert!(
        ops["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["debit_cents"] == 4250)
    );

    assert_eq!(w.receipts().await, 1);
    let mail = w.app.last_email_to(PARENT).await;
    assert_eq!(mail.subject, RECEIPT);
    assert!(mail.text.contains("2026-11-0001"), "{}", mail.text);
    assert!(mail.text.contains("42,50\u{a0}€"));
    assert!(mail.text.contains(&format!("n°{idop}")));
    assert!(mail.text.contains("/espace-facturation/reglements"));

    // Replays change nothing.
    assert_eq!(w.notify(&idop).await.status, StatusCode::OK);
    assert_eq!(w.back(&idop).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.get("/api/billing/payments").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(w.receipts().await, 1);
    // A paid invoice cannot be paid again.
    assert_eq!(w.start(&invoice).await.code(), "invoice_settled");
}

async fn refused_and_abandoned_payments_leave_the_invoice_to_pay(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(1800).await;
    let (online, idop) = w.started(&invoice).await;
    assert_eq!(w.choose(&idop, "R").await.status, StatusCode::SEE_OTHER);
    assert_eq!(w.state(&online).await, "refused");

    // The lock is released: the parent may try again at once.
    let (online2, idop2) = w.started(&invoice).await;
    assert_ne!(idop, idop2);
    assert_eq!(w.choose(&idop2, "A").await.status, StatusCode::SEE_OTHER);
    assert_eq!(w.state(&online2).await, "abandoned");
    // A second choice on the sandbox does not change the first one.
    w.choose(&idop2, "P").await;
    assert_eq!(w.state(&online2).await, "abandoned");

    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["state"], "to_pay");
    assert_eq!(detail["balance_cents"], 1800);
    assert_eq!(detail["payable_online"], true);
    assert!(detail["payments"].as_array().unwrap().is_empty());
    assert_eq!(w.receipts().await, 0);
    // The POST return works as the GET one.
    let r = w
        .form(
            "/api/billing/payfip/return",
            &format!("idop={idop2}"),
            Some("https://www.payfip.gouv.fr"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}", r.body);
    assert_eq!(
        r.headers[header::LOCATION].to_str().unwrap(),
        format!("/espace-facturation/paiement/{online2}")
    );
}

async fn three_notifications_a_return_and_a_poll_record_one_payment(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(2500).await;
    let (online, idop) = w.started(&invoice).await;
    w.choose_silently(&idop, "P").await;
    // Old enough for the poll to look at it.
    w.app.clock.advance(Duration::minutes(3));
    let (n1, n2, n3, back, poll) = tokio::join!(
        w.notify(&idop),
        w.notify(&idop),
        w.notify(&idop),
        w.back(&idop),
        marelle_api::jobs::payments::run_once(&w.app.state),
    );
    for n in [&n1, &n2, &n3] {
        assert_eq!(n.status, StatusCode::OK, "{:?}", n.body);
        assert_eq!(n.body["state"], "paid");
    }
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let poll = poll.unwrap();
    // The poll runs beside the notifications: it finds the payment still
    // pending, or already recorded by them and gone from its list. Either
    // way it fails nothing, and one payment is recorded (below).
    assert!(poll.checked <= 1 && poll.failed == 0, "{poll:?}");

    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["payments"].as_array().unwrap().len(), 1);
    assert_eq!(detail["paid_cents"], 2500);
    assert_eq!(detail["state"], "paid");
    assert_eq!(w.state(&online).await, "paid");
    assert_eq!(w.receipts().await, 1);
    // And again, one by one.
    w.notify(&idop).await;
    w.back(&idop).await;
    marelle_api::jobs::payments::run_once(&w.app.state)
        .await
        .unwrap();
    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["payments"].as_array().unwrap().len(), 1);
    assert_eq!(detail["paid_cents"], 2500);
    assert_eq!(w.receipts().await, 1);
}

async fn a_second_payment_waits_for_the_one_in_progress(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(3000).await;
    let (first, _) = w.started(&invoice).await;
    let r = w.start(&invoice).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "payment_in_progress");
    assert!(
        r.body["detail"].as_str().unwrap().contains("déjà en cours"),
        "{:?}",
        r.body
    );
    // Two at once: one starts, the other is told to wait.
    let other = w.invoice(3000).await;
    let (a, b) = tokio::join!(w.start(&other), w.start(&other));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);

    // Twenty minutes later the lock has lapsed.
    w.app.clock.advance(Duration::minutes(21));
    let (second, _) = w.started(&invoice).await;
    assert_ne!(first, second);
}

async fn settled_and_small_invoices_are_not_payable_online(app: TestApp) {
    let w = World::new(app).await;
    // Paid by cheque: nothing left to pay.
    let paid = w.invoice(1000).await;
    let r = w
        .app
        .post(
            "/api/agent/payments",
            json!({"invoice_id": paid, "method": "cheque", "number": "CHQ1", "date": "2026-11-20", "amount_cents": 1000}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = w.start(&paid).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invoice_settled");
    // Cancelled.
    let cancelled = w.invoice(1000).await;
    let r = w
        .app
        .post(
            &format!("/api/agent/invoices/{cancelled}/cancel"),
            json!({"reason": "Facture émise en double"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(w.start(&cancelled).await.code(), "invoice_settled");
    // Less than 1 € left.
    let small = w.invoice(1000).await;
    w.app
        .post(
            "/api/agent/payments",
            json!({"invoice_id": small, "method": "cash", "number": "ESP1", "date": "2026-11-20", "amount_cents": 950}),
            Some(&w.agent),
        )
        .await;
    let r = w.start(&small).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "not_payable_online");
    let list = w.get("/api/billing/invoices").await;
    for i in list["items"].as_array().unwrap() {
        assert_eq!(i["payable_online"], false, "{i}");
    }
    // Nothing was started.
    assert_eq!(w.receipts().await, 0);
}

async fn no_provider(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(1000).await;
    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["payable_online"], false);
    let r = w.start(&invoice).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "not_payable_online");
    // No sandbox pages either.
    let r = w.app.get("/api/dev/payfip?idop=X", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn another_familys_invoice_and_payment_are_not_found(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(1000).await;
    let r = w
        .app
        .call(
            Method::POST,
            &format!("/api/billing/invoices/{invoice}/payment"),
            None,
            Some(&w.other_parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let (online, _) = w.started(&invoice).await;
    let r = w
        .app
        .get(
            &format!("/api/billing/online-payments/{online}"),
            Some(&w.other_parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Unknown ids, and ids that are not ids.
    for id in ["01JUNKNOWN", "a%23b", &"x".repeat(300)] {
        let r = w
            .app
            .get(
                &format!("/api/billing/online-payments/{id}"),
                Some(&w.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
        let r = w.start(id).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
    }
}

async fn the_notification_takes_no_session_and_refuses_bad_input(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(1200).await;
    let (online, idop) = w.started(&invoice).await;
    w.choose_silently(&idop, "P").await;
    // From PayFiP's server: no cookie, its own origin.
    let r = w.notify(&idop).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["state"], "paid");
    assert_eq!(w.state(&online).await, "paid");
    // No Origin at all (a server).
    let r = w
        .form(
            "/api/billing/payfip/notification",
            &format!("idop={idop}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let cases: [(&str, u16, &str); 6] = [
        ("idop=01JUNKNOWN", 404, "unknown_payment"),
        ("", 422, "invalid_idop"),
        ("idop=", 422, "invalid_idop"),
        ("other=1", 422, "invalid_idop"),
        ("idop=a%23b", 404, "unknown_payment"),
        ("idop=%FF%FE", 404, "unknown_payment"),
    ];
    for (body, status, code) in cases {
        let r = w.form("/api/billing/payfip/notification", body, None).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {:?}", r.body);
        assert_eq!(r.code(), code, "{body}");
    }
    let long = format!("idop={}", "A".repeat(200));
    let r = w
        .form("/api/billing/payfip/notification", &long, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let huge = format!("idop={}", "A".repeat(5000));
    let r = w
        .form("/api/billing/payfip/notification", &huge, None)
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The return, the same.
    assert_eq!(
        w.app.get("/api/billing/payfip/return", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(w.back("01JUNKNOWN").await.status, StatusCode::NOT_FOUND);
    // The sandbox page and choice.
    assert_eq!(
        w.app
            .get("/api/dev/payfip?idop=01JUNKNOWN", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.choose(&idop, "Z").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn the_poll_settles_lost_notifications_and_abandons_stale_payments(app: TestApp) {
    let w = World::new(app).await;
    let lost = w.invoice(2000).await;
    let stale = w.invoice(3000).await;
    let (lost_online, lost_idop) = w.started(&lost).await;
    let (stale_online, _) = w.started(&stale).await;
    w.choose_silently(&lost_idop, "P").await;

    // Too early: the notification may still come.
    w.app.clock.advance(Duration::seconds(60));
    let r = marelle_api::jobs::payments::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!(r.checked, 0, "{r:?}");
    assert_eq!(w.state(&lost_online).await, "pending");

    w.app.clock.advance(Duration::minutes(2));
    let r = marelle_api::jobs::payments::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!((r.checked, r.paid, r.pending), (2, 1, 1), "{r:?}");
    assert_eq!(w.state(&lost_online).await, "paid");
    assert_eq!(w.receipts().await, 1);
    let detail = w.get(&format!("/api/billing/invoices/{lost}")).await;
    assert_eq!(detail["state"], "paid");

    // Twenty minutes without a result: abandoned, the invoice free again.
    w.app.clock.advance(Duration::minutes(18));
    let r = marelle_api::jobs::payments::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!((r.checked, r.abandoned), (1, 1), "{r:?}");
    assert_eq!(w.state(&stale_online).await, "abandoned");
    let r = marelle_api::jobs::payments::run_once(&w.app.state)
        .await
        .unwrap();
    assert_eq!(r.checked, 0, "{r:?}");
    w.started(&stale).await;
    assert_eq!(w.receipts().await, 1);
}

async fn a_payment_taken_after_the_invoice_was_settled_is_kept_apart(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(1500).await;
    let (online, idop) = w.started(&invoice).await;
    // Meanwhile, a cheque at the town hall settles the invoice.
    let r = w
        .app
        .post(
            "/api/agent/payments",
            json!({"invoice_id": invoice, "method": "cheque", "number": "CHQ9", "date": "2026-11-20", "amount_cents": 1500}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // Then the payer pays on the payment service's page.
    assert_eq!(w.choose(&idop, "P").await.status, StatusCode::SEE_OTHER);
    // The money is taken: the payment says paid, but the ledger holds the
    // cheque only (never an overpayment), and no receipt says otherwise.
    assert_eq!(w.state(&online).await, "paid");
    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["paid_cents"], 1500);
    assert_eq!(detail["payments"].as_array().unwrap().len(), 1);
    assert_eq!(detail["payments"][0]["method"], "cheque");
    assert_eq!(w.receipts().await, 0);
    let stored = w
        .app
        .state
        .store
        .get(&keys::online_payment(
            w.family["id"].as_str().unwrap(),
            &online,
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.str_attr("not_recorded"), Some("overpayment"));
    // Replays change nothing.
    assert_eq!(w.notify(&idop).await.status, StatusCode::OK);
    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["payments"].as_array().unwrap().len(), 1);
}

const TO_REVIEW: &str = "/api/agent/online-payments";

impl World {
    /// A payment taken after its invoice was settled by a cheque (or
    /// cancelled): (online payment id, idop).
    async fn not_recorded(&self, invoice: &str, amount: i64, cancel: bool) -> (String, String) {
        let (online, idop) = self.started(invoice).await;
        let r = if cancel {
            self.app
                .post(
                    &format!("/api/agent/invoices/{invoice}/cancel"),
                    json!({"reason": "Erreur de facturation"}),
                    Some(&self.agent),
                )
                .await
        } else {
            self.app
                .post(
                    "/api/agent/payments",
                    json!({"invoice_id": invoice, "method": "cheque", "number": "CHQ9", "date": "2026-11-20", "amount_cents": amount}),
                    Some(&self.agent),
                )
                .await
        };
        assert!(r.status.is_success(), "{:?}", r.body);
        assert_eq!(self.choose(&idop, "P").await.status, StatusCode::SEE_OTHER);
        assert_eq!(self.state(&online).await, "paid");
        (online, idop)
    }

    async fn agent_get(&self, path: &str) -> Value {
        let r = self.app.get(path, Some(&self.agent)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        r.body
    }

    async fn settle(&self, online: &str, body: Value) -> TestResponse {
        self.app
            .post(
                &format!("/api/agent/online-payments/{online}/settle"),
                body,
                Some(&self.agent),
            )
            .await
    }

    /// The family's ledger invariant: Σ balances = Σ to pay of the
    /// operations = invoiced − paid − credited; answers Σ balances.
    async fn invariant(&self) -> i64 {
        let sum = |v: &Value, f: &str| -> i64 {
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| i[f].as_i64().unwrap())
                .sum()
        };
        let invoices = self.get("/api/billing/invoices").await;
        let ops = self.get("/api/billing/operations").await;
        let balances = sum(&invoices["items"], "balance_cents");
        let to_pay = sum(&ops["items"], "to_pay_cents");
        assert_eq!(balances, to_pay);
        assert_eq!(
            to_pay,
            sum(&ops["items"], "credit_cents") - sum(&ops["items"], "debit_cents")
        );
        assert_eq!(invoices["to_pay_cents"], balances);
        balances
    }
}

async fn a_payment_not_recorded_is_listed_then_refunded(app: TestApp) {
    let w = World::new(app).await;
    // Nothing to review at first.
    let list = w.agent_get(TO_REVIEW).await;
    assert_eq!(list["items"], json!([]));
    let invoice = w.invoice(1500).await;
    let (online, idop) = w.not_recorded(&invoice, 1500, false).await;
    let family_id = w.family["id"].as_str().unwrap();

    // The parent is told the commune refunds it or applies it.
    let view = w
        .get(&format!("/api/billing/online-payments/{online}"))
        .await;
    assert_eq!(view["not_recorded"], "overpayment");

    // The back-office lists it, with its family, invoice and reason.
    let list = w.agent_get(TO_REVIEW).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list:?}");
    let row = &items[0];
    assert_eq!(row["id"], online.as_str());
    assert_eq!(row["family_id"], family_id);
    assert!(!row["family_label"].as_str().unwrap().is_empty());
    assert_eq!(row["invoice"]["id"], invoice.as_str());
    assert_eq!(row["invoice"]["amount_cents"], 1500);
    assert_eq!(row["invoice"]["balance_cents"], 0);
    assert_eq!(row["invoice"]["state"], "paid");
    assert_eq!(row["amount_cents"], 1500);
    assert_eq!(row["idop"], idop.as_str());
    assert!(row["transaction"].is_string(), "{row:?}");
    assert!(row["paid_at"].is_string());
    assert_eq!(row["reason_code"], "overpayment");
    assert_eq!(row["reason"], "La facture était déjà réglée");
    assert_eq!(row["settlement"], Value::Null);
    // Also on the family's own list; nothing settled yet.
    let mine = w
        .agent_get(&format!("{TO_REVIEW}?family_id={family_id}"))
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let settled = w.agent_get(&format!("{TO_REVIEW}?state=settled")).await;
    assert_eq!(settled["items"], json!([]));

    // A parent may neither list nor settle.
    let r = w.app.get(TO_REVIEW, Some(&w.parent)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(
            &format!("{TO_REVIEW}/{online}/settle"),
            json!({"action": "refunded", "note": "VIR-1"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An id of nothing.
    let r = w
        .settle("nothing", json!({"action": "refunded", "note": "VIR-1"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    assert_eq!(r.body["code"], "unknown_online_payment");

    // Two agents at once: one settles it, the other is told.
    let note = "Remboursement par virement n° 2026-118";
    let (a, b) = tokio::join!(
        w.settle(&online, json!({"action": "refunded", "note": note})),
        w.settle(&online, json!({"action": "refunded", "note": "autre"})),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let (ok, other) = if a.status == StatusCode::OK {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(other.body["code"], "already_settled");
    assert_eq!(
        ok.body["online_payment"]["settlement"]["action"],
        "refunded"
    );
    assert_eq!(ok.body["payment"], Value::Null);
    let kept_note = ok.body["online_payment"]["settlement"]["note"].clone();
    // Settled twice: 409.
    let r = w
        .settle(&online, json!({"action": "refunded", "note": note}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["code"], "already_settled");

    // It left the list, and keeps who, when and the note.
    let list = w.agent_get(TO_REVIEW).await;
    assert_eq!(list["items"], json!([]));
    let settled = w.agent_get(&format!("{TO_REVIEW}?state=settled")).await;
    let items = settled["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let s = &items[0]["settlement"];
    assert_eq!(s["action"], "refunded");
    assert_eq!(s["note"], kept_note);
    assert!(s["by_name"].as_str().unwrap().len() > 1, "{s:?}");
    assert!(s["at"].is_string());
    // No ledger change: the cheque only.
    let detail = w.get(&format!("/api/billing/invoices/{invoice}")).await;
    assert_eq!(detail["payments"].as_array().unwrap().len(), 1);
    assert_eq!(w.invariant().await, 0);
}

async fn a_payment_not_recorded_is_recorded_on_another_invoice(app: TestApp) {
    let w = World::new(app).await;
    let first = w.invoice(1500).await;
    let small = w.invoice(1000).await;
    let target = w.invoice(4000).await;
    // This time the invoice was cancelled before the payer paid.
    let (online, idop) = w.not_recorded(&first, 1500, true).await;
    let list = w.agent_get(TO_REVIEW).await;
    assert_eq!(list["items"][0]["reason_code"], "invoice_cancelled");
    assert_eq!(list["items"][0]["reason"], "La facture avait été annulée");
    assert_eq!(w.invariant().await, 5000);

    // More than the invoice's balance: refused as a manual payment is.
    let r = w
        .settle(&online, json!({"action": "recorded", "invoice_id": small}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["code"], "overpayment");
    // The cancelled invoice itself: refused.
    let r = w
        .settle(&online, json!({"action": "recorded", "invoice_id": first}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.body["code"], "invoice_cancelled");
    // An invoice of nothing.
    let r = w
        .settle(
            &online,
            json!({"action": "recorded", "invoice_id": "nothing"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["code"], "unknown_invoice");

    let r = w
        .settle(
            &online,
            json!({"action": "recorded", "invoice_id": target, "note": "Accord de la famille\npar téléphone"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["invoice"]["id"], target.as_str());
    assert_eq!(r.body["invoice"]["balance_cents"], 2500);
    assert_eq!(r.body["payment"]["method"], "online");
    assert_eq!(r.body["payment"]["number"], idop.as_str());
    let s = &r.body["online_payment"]["settlement"];
    assert_eq!(s["action"], "recorded");
    assert_eq!(s["invoice_id"], target.as_str());
    assert_eq!(s["note"], "Accord de la famille\npar téléphone");

    // The ledger: the target's balance is lower, the invariant holds.
    let detail = w.get(&format!("/api/billing/invoices/{target}")).await;
    assert_eq!(detail["balance_cents"], 2500);
    assert_eq!(detail["payments"][0]["method"], "online");
    assert!(
        detail["payments"][0]["description"]
            .as_str()
            .unwrap()
            .contains(&idop)
    );
    assert_eq!(w.invariant().await, 1000 + 2500);
    // It left the list; settling it again is a conflict, and writes nothing.
    assert_eq!(w.agent_get(TO_REVIEW).await["items"], json!([]));
    let r = w
        .settle(&online, json!({"action": "recorded", "invoice_id": small}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["code"], "already_settled");
    let r = w
        .settle(&online, json!({"action": "refunded", "note": "x"}))
        .await;
    assert_eq!(r.body["code"], "already_settled");
    assert_eq!(w.invariant().await, 1000 + 2500);
    let family_id = w.family["id"].as_str().unwrap();
    let mine = w
        .agent_get(&format!("{TO_REVIEW}?family_id={family_id}&state=settled"))
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let mine = w
        .agent_get(&format!("{TO_REVIEW}?family_id={family_id}"))
        .await;
    assert_eq!(mine["items"], json!([]));
}

async fn settling_refuses_bad_bodies_and_other_families_invoices(app: TestApp) {
    let w = World::new(app).await;
    let invoice = w.invoice(1500).await;
    let (online, _) = w.not_recorded(&invoice, 1500, false).await;
    let bad = [
        (
            json!({"action": "lost", "note": "x"}),
            "invalid_action",
            "action",
        ),
        (
            json!({"action": "refunded"}),
            "refund_reference_required",
            "note",
        ),
        (
            json!({"action": "refunded", "note": "VIR\u{7}1"}),
            "invalid_note",
            "note",
        ),
        (
            json!({"action": "refunded", "note": "   "}),
            "refund_reference_required",
            "note",
        ),
        (
            json!({"action": "refunded", "note": "x".repeat(501)}),
            "note_too_long",
            "note",
        ),
        (
            json!({"action": "recorded"}),
            "invoice_required",
            "invoice_id",
        ),
        (
            json!({"action": "recorded", "invoice_id": invoice, "note": "é".repeat(501)}),
            "note_too_long",
            "note",
        ),
    ];
    for (body, code, field) in bad {
        let r = w.settle(&online, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            r.body
        );
        assert_eq!(r.body["code"], code, "{body}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{:?}", r.body);
        let detail = r.body["detail"].as_str().unwrap();
        assert!(
            detail.ends_with('.') && !detail.contains("expected"),
            "{detail}"
        );
    }
    // 500 characters are fine (checked as characters, not bytes).
    let other_invoice = {
        let body = json!({
            "family_id": w.other_family["id"], "guardian_id": w.other_family["guardians"][0]["id"],
            "emission_code": "E2026", "reference": "RB1", "number": "2026-11-9001",
            "amount_cents": 5000, "issued_on": "2026-10-31", "due_on": "2026-11-30",
            "service": "Périscolaire"
        });
        let r = w
            .app
            .post("/api/agent/invoices", body, Some(&w.agent))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    };
    // Another family's invoice: 422 (the agent may see every family; the
    // invoice exists, it is the wrong one).
    let r = w
        .settle(
            &online,
            json!({"action": "recorded", "invoice_id": other_invoice, "note": "é".repeat(500)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["code"], "invoice_of_another_family");
    let r = w
        .app
        .get(
            &format!(
                "/api/billing/invoices/{other_invoice}?family_id={}",
                w.other_family["id"].as_str().unwrap()
            ),
            Some(&w.other_parent),
        )
        .await;
    assert_eq!(
        r.body["balance_cents"], 5000,
        "nothing written: {:?}",
        r.body
    );
    // Still to review after every refusal.
    assert_eq!(
        w.agent_get(TO_REVIEW).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Bad query parameters.
    for q in ["?limit=0", "?limit=51", "?state=lost", "?page=forged"] {
        let r = w.app.get(&format!("{TO_REVIEW}{q}"), Some(&w.agent)).await;
        assert!(r.status.is_client_error(), "{q}: {:?}", r.status);
        assert!(r.body["detail"].is_string(), "{q}");
    }
    let r = w
        .app
        .get(&format!("{TO_REVIEW}?family_id=nothing"), Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn payments_to_review_are_paged_oldest_first(app: TestApp) {
    let w = World::new(app).await;
    let mut ids = Vec::new();
    for amount in [1100, 1200, 1300] {
        let invoice = w.invoice(amount).await;
        let (online, _) = w.not_recorded(&invoice, amount, false).await;
        ids.push(online);
        w.app.clock.advance(Duration::minutes(1));
    }
    let first = w.agent_get(&format!("{TO_REVIEW}?limit=2")).await;
    let got: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[0].as_str(), ids[1].as_str()]);
    let next = first["next_page"].as_str().expect("a next page");
    let second = w
        .agent_get(&format!("{TO_REVIEW}?limit=2&page={}", urlencode(next)))
        .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["id"], ids[2].as_str());
    assert_eq!(second["items"][0]["amount_cents"], 1300);
    // The default page holds them all; another family has none.
    let all = w.agent_get(TO_REVIEW).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    assert_eq!(all["next_page"], Value::Null);
    let other = w.other_family["id"].as_str().unwrap();
    let theirs = w.agent_get(&format!("{TO_REVIEW}?family_id={other}")).await;
    assert_eq!(theirs["items"], json!([]));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
