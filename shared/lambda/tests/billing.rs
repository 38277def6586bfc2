//! The `billing` function on the AWS adapters against moto: the samples of
//! `events/billing/` (a parent's request, PayFiP's notification without a
//! session, the scheduler's polling input).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use common::*;
use lambda_http::http::StatusCode;

#[tokio::test]
async fn the_billing_samples_reach_their_routes_and_the_polling_job() {
    let l = lambda().await;
    let billing = marelle_api::service(l.app.clone(), marelle_api::functions::billing());

    // Without a valid session, "Mes factures" asks to log in.
    let a = call(
        &billing,
        &event_with(
            "billing/get-invoices.json",
            &[("PARENT_SESSION", "not-a-session")],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);

    // PayFiP's notification: no session, no Origin, through the CSRF
    // protection; an unknown transaction is a 404, never a 500.
    let a = call(
        &billing,
        &event_with(
            "billing/post-payfip-notification.json",
            &[("IDOP", "01JUNKNOWNTRANSACTION")],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    assert_eq!(a.body["code"], "unknown_payment");

    // The scheduler's input runs the polling job (nothing pending here).
    let input = event_with("billing/scheduled-poll-payments.json", &[]);
    let job: marelle_lambda::BillingJob = serde_json::from_value(input).unwrap();
    let report = marelle_lambda::handle_billing_job(&l.app, job)
        .await
        .unwrap();
    assert_eq!(report["checked"], 0, "{report}");
    let unknown = marelle_lambda::BillingJob {
        job: "something_else".into(),
    };
    assert!(
        marelle_lambda::handle_billing_job(&l.app, unknown)
            .await
            .is_err()
    );
}
