//! Each HTTP Lambda's handler fed with the API Gateway events of
//! `events/<function>/`, on the AWS adapters against moto: DynamoDB for
//! the data, SES for e-mails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use base64::Engine;
use common::*;
use lambda_http::http::StatusCode;
use marelle_testkit::moto;
use serde_json::{Value, json};

#[tokio::test]
async fn every_sample_event_gets_its_answer() {
    let l = lambda().await;
    let cases = [
        ("get-captcha.json", StatusCode::OK, None),
        (
            "get-me-anonymous.json",
            StatusCode::UNAUTHORIZED,
            Some("not_logged_in"),
        ),
        (
            "get-me.json",
            StatusCode::UNAUTHORIZED,
            Some("not_logged_in"),
        ),
        (
            "post-accounts-weak-password.json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("weak_password"),
        ),
        (
            "post-accounts-malformed.json",
            StatusCode::BAD_REQUEST,
            Some("malformed_json"),
        ),
        (
            "post-accounts-cross-site.json",
            StatusCode::FORBIDDEN,
            Some("cross_site_request"),
        ),
        (
            "post-accounts-activation.json",
            StatusCode::BAD_REQUEST,
            Some("invalid_token"),
        ),
        (
            "post-session-wrong-password.json",
            StatusCode::UNAUTHORIZED,
            Some("invalid_credentials"),
        ),
        ("delete-session.json", StatusCode::NO_CONTENT, None),
        ("post-password-reset.json", StatusCode::ACCEPTED, None),
    ];
    for (name, status, code) in cases {
        let a = invoke(&l, &event(name)).await;
        assert_eq!(a.status, status, "{name}: {}", a.body);
        if let Some(code) = code {
            assert_eq!(a.body["code"], code, "{name}");
        }
    }
}

#[tokio::test]
async fn the_accounts_journey_runs_on_dynamodb_and_ses() {
    let l = lambda().await;
    let challenge = invoke(&l, &event("get-captcha.json")).await.body;
    let challenge: altcha::Challenge = serde_json::from_value(challenge).unwrap();
    let solution = altcha::solve_challenge(altcha::SolveChallengeOptions::new(&challenge))
        .unwrap()
        .unwrap();
    let captcha = base64::engine::general_purpose::STANDARD.encode(
        serde_json::to_vec(&json!({"challenge": challenge, "solution": solution})).unwrap(),
    );
    let mut form: Value =
        serde_json::from_str(event("post-accounts.json")["body"].as_str().unwrap()).unwrap();
    form["captcha"] = json!(captcha);
    let a = invoke(&l, &with_body(event("post-accounts.json"), form.clone())).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let replay = invoke(&l, &with_body(event("post-accounts.json"), form)).await;
    assert_eq!(replay.body["code"], "captcha_reused");

    // The activation e-mail, as SES (moto) holds it.
    let data: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/moto-api/data.json", moto::endpoint()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let raw = data["ses"]["RawMessage"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["source"].as_str() == Some(l.from.as_str()))
        .expect("an e-mail sent through SES")["raw_data"]
        .as_str()
        .unwrap()
        .to_string();
    let text = raw.replace("=\r\n", "").replace("=3D", "=");
    assert!(
        // The subject, its non-breaking space encoded or not.
        text.contains("Portail citoyen") && text.contains("confirmation de cr"),
        "subject"
    );
    let marker = format!("{PUBLIC_URL}/activation?token=");
    let start = text.find(&marker).expect("the activation link") + marker.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();

    let early = invoke(&l, &event("post-session.json")).await;
    assert_eq!(early.body["code"], "not_activated");
    let a = invoke(
        &l,
        &with_body(
            event("post-accounts-activation.json"),
            json!({"token": token}),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let login = invoke(&l, &event("post-session.json")).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let cookie = login.set_cookie.unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    let mut me = event("get-me.json");
    me["cookies"] = json!([session]);
    let a = invoke(&l, &me).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["email"], "matthieu.blman@exemple.fr");

    let mut out = event("delete-session.json");
    out["cookies"] = json!([session]);
    assert_eq!(invoke(&l, &out).await.status, StatusCode::NO_CONTENT);
    assert_eq!(invoke(&l, &me).await.status, StatusCode::UNAUTHORIZED);
}

/// Logs in through the accounts function; returns the session cookie value.
async fn session_of(l: &Lambda, email: &str, password: &str) -> String {
    let login = invoke(
        l,
        &with_body(
            event("post-session.json"),
            json!({"email": email, "password": password}),
        ),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let cookie = login.set_cookie.unwrap();
    cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("marelle_session=")
        .to_string()
}

#[tokio::test]
async fn the_family_file_runs_through_the_family_and_agent_functions() {
    use marelle_domain::accounts::Role;
    let l = lambda().await;
    let mut ids = Vec::new();
    for (role, email, password) in [
        (Role::Agent, "agent@villebois.fr", "Agentmairie1"),
        (Role::Parent, "lea.dupont@exemple.fr", "Motdepasse1"),
    ] {
        let account = marelle_api::accounts::create_active_account(
            &l.app, role, None, "Léa", "DUPONT", email, password,
        )
        .await
        .unwrap();
        ids.push(account.id);
    }
    let parent_id = ids[1].clone();
    let agent = session_of(&l, "agent@villebois.fr", "Agentmairie1").await;
    let parent = session_of(&l, "lea.dupont@exemple.fr", "Motdepasse1").await;
    let ev = |name: &str, extra: &[(&str, &str)]| {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("AGENT_SESSION", agent.as_str()),
            ("PARENT_SESSION", parent.as_str()),
        ];
        pairs.extend_from_slice(extra);
        event_with(name, &pairs)
    };

    let created = call(&l.agent, &ev("agent/post-families.json", &[])).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let code = created.body["subscriber_code"]
        .as_str()
        .unwrap()
        .to_string();
    let guardian = created.body["guardians"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(
        call(&l.family, &ev("family/get-family-anonymous.json", &[]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let sub = call(
        &l.family,
        &ev(
            "family/post-subscriptions.json",
            &[("SUBSCRIBER_CODE", &code)],
        ),
    )
    .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);
    let subs = call(&l.family, &ev("family/get-subscriptions.json", &[])).await;
    assert_eq!(subs.body["items"][0]["label"], "Famille DUPONT");
    let bad = call(
        &l.family,
        &ev(
            "family/patch-guardian-bad-iban.json",
            &[("GUARDIAN_ID", &guardian)],
        ),
    )
    .await;
    assert_eq!(
        (bad.status, bad.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_iban"))
    );
    let change = call(
        &l.family,
        &ev("family/patch-guardian.json", &[("GUARDIAN_ID", &guardian)]),
    )
    .await;
    assert_eq!(change.status, StatusCode::ACCEPTED, "{}", change.body);
    let request = change.body["request_id"].as_str().unwrap().to_string();
    let mine = call(&l.family, &ev("family/get-requests.json", &[])).await;
    assert_eq!(mine.body["items"][0]["state"], "pending");

    let queue = call(&l.agent, &ev("agent/get-requests.json", &[])).await;
    assert_eq!(queue.body["items"][0]["id"], request.as_str());
    let denied = call(&l.agent, &ev("agent/get-requests-as-parent.json", &[])).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let decided = call(
        &l.agent,
        &ev("agent/post-decision.json", &[("REQUEST_ID", &request)]),
    )
    .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);

    let dossier = call(&l.family, &ev("family/get-family.json", &[])).await;
    assert_eq!(dossier.body["guardians"][0]["mobile"], "06 11 22 33 44");
    // Each function serves its own routes only.
    let elsewhere = call(&l.family, &ev("agent/get-requests.json", &[])).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    // The commune unlinks the account: it sees the family no more, and
    // has nothing left to leave; linked again, it leaves by itself.
    let family_id = created.body["id"].as_str().unwrap().to_string();
    let unlink = |fid: &str, account: &str| {
        ev(
            "agent/post-unlink.json",
            &[("FAMILY_ID", fid), ("ACCOUNT_ID", account)],
        )
    };
    let wrong = call(&l.agent, &unlink(&family_id, "NOT-AN-ACCOUNT")).await;
    assert_eq!(
        (wrong.status, wrong.body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_linked"))
    );
    let done = call(&l.agent, &unlink(&family_id, &parent_id)).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    let gone = call(&l.family, &ev("family/get-family.json", &[])).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let leave = ev(
        "family/delete-subscription.json",
        &[("FAMILY_ID", &family_id)],
    );
    let nothing = call(&l.family, &leave).await;
    assert_eq!(nothing.body["code"], "not_linked");
    let again = call(
        &l.family,
        &ev(
            "family/post-subscriptions.json",
            &[("SUBSCRIBER_CODE", &code)],
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let left = call(&l.family, &leave).await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.body);
    let history = call(
        &l.agent,
        &ev("agent/get-family.json", &[("FAMILY_ID", &family_id)]),
    )
    .await;
    let kinds: Vec<&str> = history.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["account_left", "account_unlinked"]);
}

#[tokio::test]
async fn the_documents_function_serves_the_types_the_parents_table_and_upload_grants() {
    use marelle_domain::accounts::Role;
    let l = lambda().await;
    for (role, email, password) in [
        (Role::Agent, "agent@villebois.fr", "Agentmairie1"),
        (Role::Parent, "lea.dupont@exemple.fr", "Motdepasse1"),
    ] {
        marelle_api::accounts::create_active_account(
            &l.app, role, None, "Léa", "DUPONT", email, password,
        )
        .await
        .unwrap();
    }
    let agent = session_of(&l, "agent@villebois.fr", "Agentmairie1").await;
    let parent = session_of(&l, "lea.dupont@exemple.fr", "Motdepasse1").await;
    let ev = |name: &str, extra: &[(&str, &str)]| {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("AGENT_SESSION", agent.as_str()),
            ("PARENT_SESSION", parent.as_str()),
        ];
        pairs.extend_from_slice(extra);
        event_with(name, &pairs)
    };
    let created = call(&l.agent, &ev("agent/post-families.json", &[])).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let code = created.body["subscriber_code"]
        .as_str()
        .unwrap()
        .to_string();
    let child = created.body["children"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sub = call(
        &l.family,
        &ev(
            "family/post-subscriptions.json",
            &[("SUBSCRIBER_CODE", &code)],
        ),
    )
    .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);

    let bad = call(
        &l.documents,
        &ev("documents/post-document-types-bad-validity.json", &[]),
    )
    .await;
    assert_eq!(
        (bad.status, bad.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_validity"))
    );
    let made = call(&l.documents, &ev("documents/post-document-types.json", &[])).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let table = call(&l.documents, &ev("documents/get-documents.json", &[])).await;
    assert_eq!(table.status, StatusCode::OK, "{}", table.body);
    assert_eq!(
        table.body["items"],
        json!([{"type_id": made.body["id"], "name": "Carnet de vaccination",
                "child_id": child, "child": "Ludovic", "validity": "permanent",
                "mandatory": false, "creche": false, "document_id": null, "file_name": null,
                "state": "missing", "expires_on": null, "message": null,
                "help": "Les pages des vaccins, avec le nom de l'enfant.",
                "expires_soon": false}])
    );
    let type_id = made.body["id"].as_str().unwrap().to_string();
    let grant = call(
        &l.documents,
        &ev(
            "documents/post-documents.json",
            &[("TYPE_ID", &type_id), ("CHILD_ID", &child)],
        ),
    )
    .await;
    assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.body);
    assert_eq!(grant.body["upload"]["method"], "PUT");
    assert!(
        grant.body["upload"]["url"]
            .as_str()
            .unwrap()
            .contains("staging/families/"),
        "{}",
        grant.body
    );
    // Each function serves its own routes only.
    let elsewhere = call(&l.agent, &ev("documents/post-document-types.json", &[])).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_creche_function_serves_structures_and_applications() {
    use marelle_domain::accounts::Role;
    let clock = std::sync::Arc::new(marelle_domain::ports::SettableClock::frozen(
        marelle_testkit::t0(),
    ));
    let l = lambda_with_clock(clock).await;
    for (role, email, password) in [
        (Role::Agent, "agent@villebois.fr", "Agentmairie1"),
        (Role::Parent, "lea.dupont@exemple.fr", "Motdepasse1"),
    ] {
        marelle_api::accounts::create_active_account(
            &l.app, role, None, "Léa", "DUPONT", email, password,
        )
        .await
        .unwrap();
    }
    let agent = session_of(&l, "agent@villebois.fr", "Agentmairie1").await;
    let parent = session_of(&l, "lea.dupont@exemple.fr", "Motdepasse1").await;
    let ev = |name: &str, extra: &[(&str, &str)]| {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("AGENT_SESSION", agent.as_str()),
            ("PARENT_SESSION", parent.as_str()),
        ];
        pairs.extend_from_slice(extra);
        event_with(name, &pairs)
    };
    let created = call(&l.agent, &ev("agent/post-families.json", &[])).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let code = created.body["subscriber_code"]
        .as_str()
        .unwrap()
        .to_string();
    let sub = call(
        &l.family,
        &ev(
            "family/post-subscriptions.json",
            &[("SUBSCRIBER_CODE", &code)],
        ),
    )
    .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);

    let made = call(&l.creche, &ev("creche/post-creche-structures.json", &[])).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let structure = made.body["id"].as_str().unwrap().to_string();
    let list = call(&l.creche, &ev("creche/get-creche-structures.json", &[])).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["items"][0]["name"], "Les Petits Loups");
    let applied = call(
        &l.creche,
        &ev(
            "creche/post-creche-applications.json",
            &[("STRUCTURE_ID", &structure)],
        ),
    )
    .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let queue = call(
        &l.creche,
        &ev("creche/get-agent-creche-applications.json", &[]),
    )
    .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert_eq!(queue.body["items"][0]["id"], applied.body["id"]);
    assert_eq!(queue.body["items"][0]["child"], "Enfant à naître (Léa)");
    // Each function serves its own routes only.
    let elsewhere = call(&l.documents, &ev("creche/get-creche-structures.json", &[])).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_request_that_did_not_come_through_cloudfront_is_refused() {
    let l = lambda().await;
    let mut e = event("get-captcha.json");
    // Straight to the execute-api address: no origin header, and a
    // viewer address the caller chose.
    e["headers"]
        .as_object_mut()
        .unwrap()
        .remove("x-marelle-origin");
    e["headers"]["cloudfront-viewer-address"] = json!("203.0.113.7:1234");
    let a = invoke(&l, &e).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.body["code"], "direct_access");
    e["headers"]["x-marelle-origin"] = json!("sample-origin-secret-of-the-events-0124");
    let a = invoke(&l, &e).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "a wrong origin secret");
    e["headers"]["x-marelle-origin"] = json!(ORIGIN_SECRET);
    let a = invoke(&l, &e).await;
    assert_eq!(a.status, StatusCode::OK, "through CloudFront");
}

/// The scheduler's input of the documents' daily job, as the `documents`
/// function receives it beside API Gateway's requests: the job runs for
/// the day it fires for; another job name is refused.
#[tokio::test]
async fn the_documents_daily_job_runs_from_its_scheduled_sample() {
    let l = lambda().await;
    let input = event_with("documents/scheduled-documents-expiry.json", &[]);
    let job: marelle_lambda::ScheduledJob = serde_json::from_value(input).unwrap();
    let report = marelle_lambda::handle_documents_job(&l.app, job)
        .await
        .unwrap();
    assert_eq!(report["day"], "2026-12-07", "{report}");
    assert_eq!(report["soon"], 0, "{report}");
    let unknown = marelle_lambda::ScheduledJob {
        job: "poll_payments".into(),
        at: None,
    };
    assert!(
        marelle_lambda::handle_documents_job(&l.app, unknown)
            .await
            .is_err()
    );
}

/// The scheduler's input of the crèche's daily job, as the `creche`
/// function receives it beside API Gateway's requests: the job runs for
/// the day it fires for; another job name is refused.
#[tokio::test]
async fn the_creche_daily_job_runs_from_its_scheduled_sample() {
    let l = lambda().await;
    let input = event_with("creche/scheduled-creche-jobs.json", &[]);
    let job: marelle_lambda::ScheduledJob = serde_json::from_value(input).unwrap();
    let report = marelle_lambda::handle_creche_job(&l.app, job)
        .await
        .unwrap();
    assert_eq!(report["day"], "2026-12-07", "{report}");
    assert_eq!(report["closed"], 0, "{report}");
    let unknown = marelle_lambda::ScheduledJob {
        job: "documents-expiry".into(),
        at: None,
    };
    assert!(
        marelle_lambda::handle_creche_job(&l.app, unknown)
            .await
            .is_err()
    );
}
