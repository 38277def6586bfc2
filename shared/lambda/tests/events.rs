//! Each HTTP Lambda's handler fed with the API Gateway events of
//! `events/<function>/`, on the AWS adapters against moto: DynamoDB for
//! the data, SES for e-mails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use aws_config::Region;
use aws_sdk_dynamodb::config::Credentials;
use axum::Router;
use base64::Engine;
use http_body_util::BodyExt;
use lambda_http::http::StatusCode;
use marelle_testkit::{moto, unique_name};
use serde_json::{Value, json};

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events");
const PUBLIC_URL: &str = "https://famille.villebois.fr";

struct Lambda {
    /// The accounts function.
    router: Router,
    family: Router,
    agent: Router,
    app: marelle_api::AppState,
    from: String,
}

async fn lambda() -> Lambda {
    let sdk = marelle_aws::loader()
        .endpoint_url(moto::endpoint())
        .region(Region::new("eu-west-3"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await;
    let table = unique_name("marelle");
    marelle_aws::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &table)
        .await
        .unwrap();
    // The accounts function never touches documents: no bucket needed.
    let bucket = unique_name("docs").to_lowercase();
    let bus = unique_name("bus");
    aws_sdk_eventbridge::Client::new(&sdk)
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .unwrap();
    let from = format!("{}@villebois.fr", unique_name("nepasrepondre"));
    aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity(&from)
        .send()
        .await
        .unwrap();
    let env = [
        ("MARELLE_TABLE", table),
        ("MARELLE_BUCKET", bucket),
        ("MARELLE_EVENT_BUS", bus),
        ("MARELLE_COMMUNE_NAME", "Mairie de Villebois".into()),
        ("MARELLE_PUBLIC_URL", PUBLIC_URL.into()),
        ("MARELLE_MAIL_FROM", format!("Portail Citoyen <{from}>")),
        (
            "MARELLE_CONTACT_TEXT",
            "Service enfance : 02.02.02.02.02".into(),
        ),
        (
            "MARELLE_SECRET",
            "a test secret of enough length, 0123456789".into(),
        ),
    ];
    let config = marelle_lambda::Config::from_lookup(|k| {
        env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let mut app = marelle_lambda::app(&config, &sdk);
    // Tests keep the production rules but a cheaper hash and captcha.
    if let Some(app) = std::sync::Arc::get_mut(&mut app) {
        app.hasher = marelle_api::passwords::PasswordHasher::new(2, 16, argon2_fast());
        app.settings.captcha = marelle_api::state::CaptchaSettings::lowest();
    }
    Lambda {
        router: marelle_api::service(app.clone(), marelle_api::functions::accounts()),
        family: marelle_api::service(app.clone(), marelle_api::functions::family()),
        agent: marelle_api::service(app.clone(), marelle_api::functions::agent()),
        app,
        from,
    }
}

fn argon2_fast() -> argon2::Params {
    argon2::Params::new(1024, 1, 1, None).unwrap()
}

/// An event of `events/`, its placeholders replaced.
fn event_with(name: &str, fill: &[(&str, &str)]) -> Value {
    let mut text = std::fs::read_to_string(format!("{EVENTS}/{name}"))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    for (from, to) in fill {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap()
}

fn event(name: &str) -> Value {
    event_with(&format!("accounts/{name}"), &[])
}

struct Answer {
    status: StatusCode,
    set_cookie: Option<String>,
    body: Value,
}

async fn invoke(l: &Lambda, event: &Value) -> Answer {
    call(&l.router, event).await
}

async fn call(router: &Router, event: &Value) -> Answer {
    let req = lambda_http::request::from_str(&event.to_string()).expect("an API Gateway v2 event");
    let resp = marelle_lambda::handle(router.clone(), req).await;
    let status = resp.status();
    let set_cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        set_cookie,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn with_body(mut e: Value, body: Value) -> Value {
    e["body"] = Value::String(body.to_string());
    e
}

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
        text.contains("Portail citoyen : confirmation de cr"),
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
}
