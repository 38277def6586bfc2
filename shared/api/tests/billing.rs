//! "Espace facturation" over the in-process API: invoices, payments,
//! cancellations and the ledger, on the embedded store and on DynamoDB
//! (moto), with the same scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::StatusCode;
use marelle_testkit::{TestApp, TestResponse};
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";

on_both_stores!(
    the_ledger_invariant_holds_after_invoices_payments_and_a_cancel,
    invoices_filter_and_page_in_constant_store_calls,
    another_familys_invoice_is_not_found,
    payment_and_cancel_rules_answer_with_stable_codes,
    bad_invoices_are_refused_and_the_subscription_lookup_still_works,
    parents_cannot_use_the_agent_routes,
    concurrent_payments_never_overpay_nor_lose_an_update,
);

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
        let parent = app.parent("matthieu@exemple.fr", PASSWORD).await;
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

    /// Posts an invoice of `family` (fields of `extra` override the defaults).
    async fn post_invoice(&self, family: &Value, extra: Value) -> TestResponse {
        self.n.set(self.n.get() + 1);
        let mut body = json!({
            "family_id": family["id"], "guardian_id": family["guardians"][0]["id"],
            "emission_code": "E2026", "reference": format!("R{}", self.n.get()),
            "amount_cents": 1000, "issued_on": "2026-10-31", "due_on": "2026-11-30",
            "service": "Périscolaire"
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .post("/api/agent/invoices", body, Some(&self.agent))
            .await
    }

    async fn invoice(&self, extra: Value) -> String {
        let r = self.post_invoice(&self.family, extra).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().unwrap().into()
    }

    async fn pay(&self, invoice: &str, number: &str, amount: i64) -> TestResponse {
        self.app
            .post(
                "/api/agent/payments",
                json!({"invoice_id": invoice, "method": "cheque", "number": number, "date": "2026-11-20", "amount_cents": amount}),
                Some(&self.agent),
            )
            .await
    }

    async fn cancel(&self, invoice: &str) -> TestResponse {
        self.app
            .post(
                &format!("/api/agent/invoices/{invoice}/cancel"),
                json!({"reason": "Facture émise en double"}),
                Some(&self.agent),
            )
            .await
    }

    async fn get(&self, path: &str) -> Value {
        let r = self.app.get(path, Some(&self.parent)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        r.body
    }
}

fn sum(items: &Value, field: &str) -> i64 {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_i64().unwrap())
        .sum()
}

async fn the_ledger_invariant_holds_after_invoices_payments_and_a_cancel(app: TestApp) {
    let w = World::new(app).await;
    let a = w
        .invoice(json!({"number": "FAC-2026-001", "amount_cents": null, "lines": [
            {"label": "Garderie du soir", "child": "Ludovic", "activity": "4/Péri SOIR", "period": "Octobre 2026", "quantity": 12, "unit_price_cents": 250, "amount_cents": 3000},
            {"label": "Restauration scolaire", "child": "Ludovic", "activity": "Cantine", "period": "Octobre 2026", "quantity": 10, "unit_price_cents": 420, "amount_cents": 4200}
        ]}))
        .await;
    let b = w
        .invoice(json!({"amount_cents": 2550, "issued_on": "2026-11-02"}))
        .await;
    let c = w
        .invoice(
            json!({"amount_cents": 700, "issued_on": "2026-11-03", "service": "Centre de loisirs"}),
        )
        .await;
    // A partial, then a full payment of A; a partial one of B; C cancelled.
    let r = w.pay(&a, "1234567", 2000).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["invoice"]["state"], "partly_paid");
    assert_eq!(r.body["invoice"]["balance_cents"], 5200);
    assert_eq!(r.body["payment"]["description"], "Chèque n°1234567");
    let r = w.pay(&a, "VIR-88", 5200).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["invoice"]["state"], "paid");
    assert_eq!(w.pay(&b, "CHQ-9", 550).await.status, StatusCode::CREATED);
    let r = w.cancel(&c).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["state"], "cancelled");
    assert_eq!(r.body["balance_cents"], 0);
    assert_eq!(r.body["credit_note"]["amount_cents"], 700);

    let invoices = w.get("/api/billing/invoices").await;
    let items = &invoices["items"];
    assert_eq!(items.as_array().unwrap().len(), 3);
    assert_eq!(items[0]["id"], c.as_str(), "newest first");
    let states: Vec<_> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["cancelled", "partly_paid", "paid"]);
    let balances = sum(items, "balance_cents");
    assert_eq!(balances, 2000);
    assert_eq!(invoices["to_pay_cents"], 2000);

    let ops = w.get("/api/billing/operations").await;
    let ops_items = &ops["items"];
    assert_eq!(ops_items.as_array().unwrap().len(), 3 + 3 + 1);
    let to_pay = sum(ops_items, "to_pay_cents");
    let invoiced = 7200 + 2550 + 700;
    let (paid, credited) = (2000 + 5200 + 550, 700);
    assert_eq!(to_pay, balances);
    assert_eq!(to_pay, invoiced - paid - credited);
    assert_eq!(sum(ops_items, "credit_cents"), invoiced);
    assert_eq!(sum(ops_items, "debit_cents"), paid + credited);
    assert_eq!(ops["to_pay_cents"], to_pay);
    assert_eq!(ops_items[0]["nature"], "credit_note");

    // The agent sees the family's invoices as the family does.
    let family_id = w.family["id"].as_str().unwrap();
    let r = w
        .app
        .get(
            &format!("/api/agent/families/{family_id}/invoices?nature=to_pay"),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["items"][0]["id"], b.as_str());
    assert_eq!(r.body["to_pay_cents"], 2000);
    let r = w
        .app
        .get(
            "/api/agent/families/01JUNKNOWN0000000000000000/invoices",
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let payments = w.get("/api/billing/payments").await;
    assert_eq!(sum(&payments["items"], "amount_cents"), paid);

    let detail = w.get(&format!("/api/billing/invoices/{a}")).await;
    assert_eq!(detail["number"], "FAC-2026-001");
    assert_eq!(detail["amount_cents"], 7200);
    assert_eq!(detail["lines"].as_array().unwrap().len(), 2);
    assert_eq!(detail["lines"][1]["unit_price_cents"], 420);
    assert_eq!(detail["lines"][0]["child"], "Ludovic");
    assert_eq!(detail["payments"].as_array().unwrap().len(), 2);
    assert_eq!(detail["issuer"], "Mairie de Villebois");
}

async fn invoices_filter_and_page_in_constant_store_calls(app: TestApp) {
    let w = World::new(app).await;
    for i in 0..3 {
        w.invoice(json!({"issued_on": format!("2025-0{}-15", i + 1), "due_on": "2025-12-31", "service": "Centre de loisirs"}))
            .await;
    }
    let calls_for = |path: &'static str| {
        let w = &w;
        async move {
            w.app.store.reset();
            w.get(path).await;
            w.app.store.calls()
        }
    };
    let few = calls_for("/api/billing/invoices").await;
    let few_ops = calls_for("/api/billing/operations").await;
    let mut paid = String::new();
    for i in 0..22 {
        let id = w
            .invoice(json!({"issued_on": format!("2026-10-{:02}", i + 1)}))
            .await;
        if i == 0 {
            assert_eq!(w.pay(&id, "P1", 1000).await.status, StatusCode::CREATED);
            paid = id;
        }
    }
    assert_eq!(
        calls_for("/api/billing/invoices").await,
        few,
        "one query whatever the number"
    );
    assert_eq!(calls_for("/api/billing/operations").await, few_ops);

    let page1 = w.get("/api/billing/invoices").await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 20);
    assert_eq!(page1["years"], json!([2026, 2025]));
    assert_eq!(
        page1["services"],
        json!(["Centre de loisirs", "Périscolaire"])
    );
    assert_eq!(page1["to_pay_cents"], 24 * 1000);
    assert_eq!(page1["items"][0]["issued_on"], "2026-10-22");
    let next = page1["next_page"].as_str().unwrap();
    let page2 = w.get(&format!("/api/billing/invoices?page={next}")).await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 5);
    assert!(page2["next_page"].is_null());
    assert_eq!(page2["items"][4]["issued_on"], "2025-01-15");

    let y2025 = w.get("/api/billing/invoices?year=2025").await;
    assert_eq!(y2025["items"].as_array().unwrap().len(), 3);
    let service = w
        .get("/api/billing/invoices?service=Centre%20de%20loisirs")
        .await;
    assert_eq!(service["items"].as_array().unwrap().len(), 3);
    let paid_only = w.get("/api/billing/invoices?nature=paid").await;
    assert_eq!(paid_only["items"].as_array().unwrap().len(), 1);
    assert_eq!(paid_only["items"][0]["id"], paid.as_str());
    let to_pay = w.get("/api/billing/invoices?nature=to_pay&year=2026").await;
    assert_eq!(to_pay["items"].as_array().unwrap().len(), 20);
    let rest = w
        .get("/api/billing/invoices?nature=to_pay&year=2026&page=20")
        .await;
    assert_eq!(
        rest["items"].as_array().unwrap().len(),
        1,
        "21 to pay in 2026"
    );
    let payments_ops = w.get("/api/billing/operations?nature=payment").await;
    assert_eq!(payments_ops["items"].as_array().unwrap().len(), 1);
    let none = w.get("/api/billing/payments?year=2025").await;
    assert!(none["items"].as_array().unwrap().is_empty());

    for bad in ["page=7", "page=abc", "nature=unpaid", "year=deux"] {
        let r = w
            .app
            .get(&format!("/api/billing/invoices?{bad}"), Some(&w.parent))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        assert!(!r.code().is_empty());
    }
}

async fn another_familys_invoice_is_not_found(app: TestApp) {
    let w = World::new(app).await;
    let a = w.invoice(json!({})).await;
    let r = w.post_invoice(&w.other_family, json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let theirs = r.body["id"].as_str().unwrap().to_string();

    let r = w
        .app
        .get(&format!("/api/billing/invoices/{a}"), Some(&w.other_parent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let family_a = w.family["id"].as_str().unwrap();
    for path in [
        format!("/api/billing/invoices?family_id={family_a}"),
        format!("/api/billing/operations?family_id={family_a}"),
        format!("/api/billing/payments?family_id={family_a}"),
        format!("/api/billing/invoices/{a}?family_id={family_a}"),
    ] {
        let r = w.app.get(&path, Some(&w.other_parent)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let mine = w
        .app
        .get("/api/billing/invoices", Some(&w.other_parent))
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine.body["items"][0]["id"], theirs.as_str());
    let r = w
        .app
        .get(&format!("/api/billing/invoices/{theirs}"), Some(&w.parent))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn payment_and_cancel_rules_answer_with_stable_codes(app: TestApp) {
    let w = World::new(app).await;
    let a = w.invoice(json!({"amount_cents": 1000})).await;
    let r = w.pay(&a, "CHQ-1", 1001).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "overpayment")
    );
    assert!(r.body["detail"].as_str().unwrap().contains("10,00"));
    assert_eq!(w.pay(&a, "CHQ-1", 400).await.status, StatusCode::CREATED);
    let r = w.pay(&a, "CHQ-1", 100).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "payment_exists")
    );
    let r = w.pay(&a, "CHQ-2", 601).await;
    assert_eq!(r.code(), "overpayment");
    let r = w.cancel(&a).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invoice_has_payments")
    );

    let b = w.invoice(json!({"amount_cents": 500})).await;
    assert_eq!(w.cancel(&b).await.status, StatusCode::OK);
    let r = w.cancel(&b).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invoice_cancelled")
    );
    let r = w.pay(&b, "CHQ-3", 100).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "invoice_cancelled")
    );

    let r = w.pay("01JUNKNOWN0000000000000000", "CHQ-4", 100).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "unknown_invoice")
    );
    let r = w.cancel("01JUNKNOWN0000000000000000").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "unknown_invoice")
    );
    let r = w.pay(&a, "CHQ-5", -100).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount")
    );
    let r = w.pay(&a, "", 100).await;
    assert_eq!(r.code(), "invalid_number");
    let r = w
        .app
        .post("/api/agent/payments", json!({"invoice_id": a, "method": "bitcoin", "number": "X", "date": "2026-11-20", "amount_cents": 1}), Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let r = w
        .app
        .post(
            &format!("/api/agent/invoices/{a}/cancel"),
            json!({"reason": " "}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason")
    );

    // Nothing of the refused operations shows: one payment of 400.
    let detail = w.get(&format!("/api/billing/invoices/{a}")).await;
    assert_eq!(detail["paid_cents"], 400);
    assert_eq!(detail["payments"].as_array().unwrap().len(), 1);
    assert_eq!(detail["state"], "partly_paid");
}

async fn bad_invoices_are_refused_and_the_subscription_lookup_still_works(app: TestApp) {
    let w = World::new(app).await;
    let line = json!({"label": "Cantine", "child": "Ludovic", "quantity": 1, "unit_price_cents": 10, "amount_cents": 10});
    let cases = [
        (json!({"amount_cents": -500}), "invalid_amount"),
        (json!({"amount_cents": null}), "required"),
        (
            json!({"amount_cents": null, "lines": vec![line.clone(); 201]}),
            "too_many_lines",
        ),
        (
            json!({"amount_cents": 11, "lines": [line.clone()]}),
            "amount_mismatch",
        ),
        (json!({"number": "N°1#2"}), "invalid_number"),
        (json!({"service": "x".repeat(101)}), "invalid_text"),
    ];
    for (extra, code) in cases {
        let r = w.post_invoice(&w.family, extra.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{extra}: {:?}",
            r.body
        );
    }
    let ok = w
        .post_invoice(
            &w.family,
            json!({"amount_cents": null, "lines": vec![line; 200]}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    let r = w.get("/api/billing/invoices").await;
    assert_eq!(
        r["items"].as_array().unwrap().len(),
        1,
        "refused invoices left nothing"
    );
    assert_eq!(r["items"][0]["amount_cents"], 2000);
    assert_eq!(r["items"][0]["service"], "Périscolaire");

    // The same references twice: 409, and still one invoice.
    let n = w.n.get();
    let again = w
        .post_invoice(&w.family, json!({"reference": format!("R{n}")}))
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "invoice_exists")
    );
    assert_eq!(
        w.get("/api/billing/invoices").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A number is unique in the commune, whichever the family.
    let first = w.post_invoice(&w.family, json!({"number": "FAC-77"})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let twice = w
        .post_invoice(&w.other_family, json!({"number": "FAC-77"}))
        .await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::CONFLICT, "invoice_number_exists")
    );

    // 200 lines with their longest texts: over the default 64 KiB body.
    let long = json!({"label": "é".repeat(200), "child": "Ludovic", "activity": "a".repeat(100), "period": "p".repeat(100), "quantity": 1, "unit_price_cents": 5, "amount_cents": 5});
    let big = w
        .post_invoice(
            &w.family,
            json!({"amount_cents": null, "lines": vec![long; 200]}),
        )
        .await;
    assert_eq!(big.status, StatusCode::CREATED, "{:?}", big.body);
    let big_id = big.body["id"].as_str().unwrap();
    let detail = w.get(&format!("/api/billing/invoices/{big_id}")).await;
    assert_eq!(detail["lines"].as_array().unwrap().len(), 200);
    assert_eq!(detail["lines"][199]["label"], "é".repeat(200));
    assert_eq!(detail["amount_cents"], 1000);

    // An invoice with only the lookup's fields lets its recipient subscribe.
    let agent_view = w
        .app
        .get(
            &format!(
                "/api/agent/families/{}",
                w.other_family["id"].as_str().unwrap()
            ),
            Some(&w.agent),
        )
        .await;
    let code = agent_view.body["guardians"][0]["personal_code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = w
        .app
        .post("/api/agent/invoices", json!({
            "family_id": w.other_family["id"], "guardian_id": w.other_family["guardians"][0]["id"],
            "emission_code": "E2018-12", "reference": "REF-77", "amount_cents": 4250,
            "issued_on": "2026-10-31", "due_on": "2026-11-30"
        }), Some(&w.agent))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let newcomer = w.app.parent("nouveau@exemple.fr", PASSWORD).await;
    let r = w
        .app
        .post("/api/subscriptions", json!({"invoice": {"emission_code": "E2018-12", "reference": "REF-77", "amount_cents": 4250, "personal_code": code}}), Some(&newcomer))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let theirs = w.app.get("/api/billing/invoices", Some(&newcomer)).await;
    assert_eq!(theirs.body["items"][0]["service"], "Régie municipale");
    assert_eq!(theirs.body["items"][0]["number"], "REF-77");
}

async fn parents_cannot_use_the_agent_routes(app: TestApp) {
    let w = World::new(app).await;
    let a = w.invoice(json!({})).await;
    let r = w
        .app
        .post("/api/agent/payments", json!({"invoice_id": a, "method": "cash", "number": "1", "date": "2026-11-20", "amount_cents": 100}), Some(&w.parent))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .post(
            &format!("/api/agent/invoices/{a}/cancel"),
            json!({"reason": "Non"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.app.get("/api/billing/invoices", Some(&w.agent)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        w.get(&format!("/api/billing/invoices/{a}")).await["paid_cents"],
        0
    );
}

async fn concurrent_payments_never_overpay_nor_lose_an_update(app: TestApp) {
    let w = World::new(app).await;
    // Four payments of 300 at once on 1000: three fit, whatever the order.
    let a = w.invoice(json!({"amount_cents": 1000})).await;
    let answers =
        futures::future::join_all(["C1", "C2", "C3", "C4"].map(|n| w.pay(&a, n, 300))).await;
    let created = answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert!(
            ["overpayment", "conflict"].contains(&r.code()),
            "{:?}",
            r.body
        );
    }
    assert!((1..=3).contains(&created), "{created} created");
    let detail = w.get(&format!("/api/billing/invoices/{a}")).await;
    assert_eq!(detail["paid_cents"], 300 * created as i64, "no lost update");
    assert_eq!(detail["payments"].as_array().unwrap().len(), created);

    // The same number twice at once: one payment.
    let b = w.invoice(json!({"amount_cents": 1000})).await;
    let (x, y) = futures::join!(w.pay(&b, "SAME", 100), w.pay(&b, "SAME", 100));
    let mut statuses = [x.status, y.status];
    statuses.sort();
    assert_eq!(
        statuses[0],
        StatusCode::CREATED,
        "{:?} {:?}",
        x.body,
        y.body
    );
    assert_eq!(statuses[1], StatusCode::CONFLICT);
    let detail = w.get(&format!("/api/billing/invoices/{b}")).await;
    assert_eq!(detail["paid_cents"], 100);
}
