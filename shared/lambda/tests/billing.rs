//! The `billing` function on the AWS adapters against moto: the samples of
//! `events/billing/` (a parent's request, PayFiP's notification without a
//! session, the scheduler's polling input, a background import and its
//! chunk event).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use common::*;
use lambda_http::http::StatusCode;
use marelle_domain::accounts::Role;
use serde_json::json;

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

/// A background import on DynamoDB and S3: the file uploaded to the
/// presigned URL, started through the function's route, then its chunk
/// event, as EventBridge delivers it, through the function's handler:
/// the import is done; the same event again changes nothing.
#[tokio::test]
async fn a_background_import_runs_from_its_chunk_event() {
    let l = lambda().await;
    marelle_aws::s3_client(&l.sdk)
        .create_bucket()
        .bucket(&l.bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest3)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let billing = marelle_api::service(l.app.clone(), marelle_api::functions::billing());
    marelle_api::accounts::create_active_account(
        &l.app,
        Role::Agent,
        None,
        "Agent",
        "Mairie",
        "agent@villebois.fr",
        "Agentmairie1",
    )
    .await
    .unwrap();
    let login = invoke(
        &l,
        &with_body(
            event("post-session.json"),
            json!({"email": "agent@villebois.fr", "password": "Agentmairie1"}),
        ),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let agent = login
        .set_cookie
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("marelle_session=")
        .to_string();
    let fam = call(
        &l.agent,
        &event_with("agent/post-families.json", &[("AGENT_SESSION", &agent)]),
    )
    .await;
    assert_eq!(fam.status, StatusCode::CREATED, "{}", fam.body);
    let code = fam.body["subscriber_code"].as_str().unwrap();
    let mut file = String::from(
        "famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant\n",
    );
    for i in 0..3 {
        file.push_str(&format!(
            "{code};;LAMBDA-{i};31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Ludovic;1;2,50\n"
        ));
    }
    let size = file.len().to_string();
    let grant = call(
        &billing,
        &event_with(
            "billing/post-imports.json",
            &[("AGENT_SESSION", &agent), ("FILE_SIZE", &size)],
        ),
    )
    .await;
    assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.body);
    let id = grant.body["import_id"].as_str().unwrap().to_string();
    let upload = &grant.body["upload"];
    let mut put = reqwest::Client::new()
        .put(upload["url"].as_str().unwrap())
        .body(file.clone());
    for h in upload["headers"].as_array().unwrap() {
        put = put.header(h[0].as_str().unwrap(), h[1].as_str().unwrap());
    }
    let sent = put.send().await.unwrap();
    assert!(sent.status().is_success(), "{}", sent.status());

    let fill = [
        ("AGENT_SESSION", agent.as_str()),
        ("IMPORT_ID", id.as_str()),
    ];
    let started = call(
        &billing,
        &event_with("billing/post-import-start.json", &fill),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    assert_eq!(started.body["state"], "running");

    let chunk = event_with("billing/import-chunk.json", &fill);
    marelle_lambda::handle_billing_event(&l.app, &chunk)
        .await
        .unwrap();
    let job = call(&billing, &event_with("billing/get-import.json", &fill)).await;
    assert_eq!(job.status, StatusCode::OK, "{}", job.body);
    assert_eq!(job.body["state"], "done", "{}", job.body);
    assert_eq!(job.body["created"], 3);
    assert_eq!(job.body["families"], 1);

    // Delivered again: nothing moves.
    marelle_lambda::handle_billing_event(&l.app, &chunk)
        .await
        .unwrap();
    let again = call(&billing, &event_with("billing/get-import.json", &fill)).await;
    assert_eq!(again.body, job.body);
    // Not a Marelle event: the invocation fails.
    assert!(
        marelle_lambda::handle_billing_event(&l.app, &json!({"detail-type": "X"}))
            .await
            .is_err()
    );
}
