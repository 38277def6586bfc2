//! Citizen accounts over the in-process API on the embedded adapters.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Duration;
use marelle_testkit::TestApp;
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";

#[tokio::test]
async fn a_parent_signs_up_activates_logs_in_and_out() {
    let app = TestApp::new().await;

    let r = app.sign_up("lea.dupont@exemple.fr", PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("lien d'activation")
    );

    let mail = app.last_email_to("lea.dupont@exemple.fr").await;
    assert_eq!(
        mail.subject,
        "Portail citoyen : confirmation de création de compte"
    );
    assert!(
        mail.text.starts_with("Bonjour Mme Léa Dupont,"),
        "{}",
        mail.text
    );
    assert!(
        mail.text
            .contains("veuillez confirmer votre inscription en cliquant sur le bouton suivant")
    );
    assert!(
        mail.text.contains("02.02.02.02.02"),
        "the commune's contact zone"
    );
    assert!(
        mail.text
            .contains("Ceci est un mail automatique merci de ne pas y répondre.")
    );
    assert!(mail.html.contains(">Confirmer mon inscription</a>"));
    assert!(
        mail.html
            .contains("Si ce bouton ne s&#39;affiche pas correctement")
    );

    let early = app
        .post(
            "/api/session",
            json!({"email": "lea.dupont@exemple.fr", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    assert_eq!(early.code(), "not_activated");

    let token = app
        .token_sent_to("lea.dupont@exemple.fr", "/activation")
        .await;
    let r = app
        .post("/api/accounts/activation", json!({"token": token}), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let login = app
        .post(
            "/api/session",
            json!({"email": "Lea.Dupont@Exemple.fr", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    assert_eq!(login.body["first_name"], "Léa");
    let set_cookie = login
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie} lacks {attr}");
    }
    let cookie = login.session_cookie().unwrap();

    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "lea.dupont@exemple.fr");
    assert_eq!(me.body["civility"], "Mme");
    assert_eq!(me.body["role"], "parent");
    assert_eq!(me.body["families"], json!([]));

    let out = app
        .call(Method::DELETE, "/api/session", None, Some(&cookie))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "the session is revoked server-side"
    );
    assert_eq!(after.code(), "not_logged_in");
}

#[tokio::test]
async fn me_without_a_session_or_with_a_forged_one_is_unauthorized() {
    let app = TestApp::new().await;
    assert_eq!(
        app.get("/api/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.get("/api/me", Some("marelle_session=forged")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/problem+json"
    );
}

#[tokio::test]
async fn a_session_ends_at_its_expiry() {
    let app = TestApp::new().await;
    let cookie = app.parent("a@exemple.fr", PASSWORD).await;
    app.clock.advance(Duration::hours(11));
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
    app.clock.advance(Duration::hours(1));
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn sign_up_with(
    app: &TestApp,
    change: impl FnOnce(&mut Value),
) -> marelle_testkit::TestResponse {
    let mut form = app.sign_up_form("jean@exemple.fr", PASSWORD).await;
    change(&mut form);
    app.post("/api/accounts", form, None).await
}

#[tokio::test]
async fn a_weak_password_is_refused_naming_what_is_missing() {
    let app = TestApp::new().await;
    let r = sign_up_with(&app, |f| {
        f["password"] = json!("motdepasse");
        f["password_confirmation"] = json!("motdepasse");
    })
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "weak_password");
    assert_eq!(
        r.field_codes(),
        [("password".to_string(), "weak_password".to_string())]
    );
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Il manque : 1 chiffre et 1 majuscule."),
        "{detail}"
    );
    assert!(
        app.emails().await.is_empty(),
        "nothing sent, nothing created"
    );
}

#[tokio::test]
async fn a_mismatched_confirmation_is_refused() {
    let app = TestApp::new().await;
    let r = sign_up_with(&app, |f| f["password_confirmation"] = json!("Motdepasse2")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "password_mismatch");
}

#[tokio::test]
async fn a_bad_e_mail_is_refused() {
    let app = TestApp::new().await;
    let r = sign_up_with(&app, |f| f["email"] = json!("jean@exemple")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "invalid_email");
}

#[tokio::test]
async fn the_terms_must_be_accepted() {
    let app = TestApp::new().await;
    let r = sign_up_with(&app, |f| f["accept_terms"] = json!(false)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "terms_not_accepted");
}

#[tokio::test]
async fn every_missing_field_is_reported_at_once() {
    let app = TestApp::new().await;
    let r = app.post("/api/accounts", json!({}), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.field_codes().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "civility",
            "last_name",
            "first_name",
            "email",
            "password",
            "password_confirmation",
            "accept_terms",
            "captcha"
        ]
    );
}

#[tokio::test]
async fn a_bad_captcha_is_refused() {
    let app = TestApp::new().await;
    for bad in ["", "not base64 !", "eyJ0ZXN0Ijp0cnVlfQ=="] {
        let r = sign_up_with(&app, |f| f["captcha"] = json!(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            ["captcha_required", "invalid_captcha"].contains(&r.code()),
            "{bad}: {}",
            r.code()
        );
    }
    // A solution with a wrong counter.
    let payload = app.solve_captcha().await;
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut decoded: Value = serde_json::from_slice(&engine.decode(&payload).unwrap()).unwrap();
    decoded["solution"]["counter"] = json!(decoded["solution"]["counter"].as_u64().unwrap() + 1);
    decoded["solution"]["derivedKey"] = json!("00");
    let tampered = engine.encode(serde_json::to_vec(&decoded).unwrap());
    let r = sign_up_with(&app, |f| f["captcha"] = json!(tampered)).await;
    assert_eq!(r.code(), "invalid_captcha");
    // The widget's test-mode payload is not a solution.
    let test_mode = engine.encode(br#"{"challenge":null,"solution":null,"test":true}"#);
    let r = sign_up_with(&app, |f| f["captcha"] = json!(test_mode)).await;
    assert_eq!(r.code(), "invalid_captcha");
    assert!(app.emails().await.is_empty());
}

#[tokio::test]
async fn a_captcha_solution_serves_once() {
    let app = TestApp::new().await;
    let captcha = app.solve_captcha().await;
    let mut form = app.sign_up_form("un@exemple.fr", PASSWORD).await;
    form["captcha"] = json!(captcha);
    assert_eq!(
        app.post("/api/accounts", form.clone(), None).await.status,
        StatusCode::CREATED
    );
    form["email"] = json!("deux@exemple.fr");
    let r = app.post("/api/accounts", form, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "captcha_reused");
}

#[tokio::test]
async fn a_duplicate_e_mail_in_another_case_creates_nothing_and_reveals_nothing() {
    let app = TestApp::new().await;
    let cookie = app.parent("lea@exemple.fr", PASSWORD).await;
    let first = app.sign_up("Lea@Exemple.FR", "Autremotdepasse2").await;
    let fresh = app.sign_up("nouveau@exemple.fr", PASSWORD).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(
        first.body, fresh.body,
        "the same answer as for a new address"
    );

    let notice = app.last_email_to("lea@exemple.fr").await;
    assert_eq!(
        notice.subject,
        "Portail citoyen : tentative de création de compte"
    );
    let r = app
        .post(
            "/api/session",
            json!({"email": "lea@exemple.fr", "password": "Autremotdepasse2"}),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "no second account, no password change"
    );
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_duplicate_sign_up_of_an_inactive_account_resends_its_activation() {
    let app = TestApp::new().await;
    app.sign_up("lent@exemple.fr", PASSWORD).await;
    let first = app.token_sent_to("lent@exemple.fr", "/activation").await;
    app.sign_up("LENT@exemple.fr", "Autremotdepasse2").await;
    let second = app.token_sent_to("lent@exemple.fr", "/activation").await;
    assert_ne!(first, second);
    let r = app
        .post("/api/accounts/activation", json!({"token": second}), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.log_in("lent@exemple.fr", PASSWORD).await;
}

#[tokio::test]
async fn concurrent_sign_ups_of_one_address_create_one_account() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let mut forms = Vec::new();
    for (i, email) in [
        "course@exemple.fr",
        "COURSE@exemple.fr",
        "Course@Exemple.fr",
        "course@EXEMPLE.FR",
    ]
    .iter()
    .enumerate()
    {
        forms.push(app.sign_up_form(email, &format!("Motdepasse{i}")).await);
    }
    let tasks: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let app = app.clone();
            tokio::spawn(async move { app.post("/api/accounts", form, None).await.status })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let activations = app
        .emails()
        .await
        .into_iter()
        .filter(|m| m.subject == "Portail citoyen : confirmation de création de compte")
        .count();
    let notices = app.emails().await.len() - activations;
    assert_eq!(
        activations, 4,
        "one account; the others' attempts re-send its link"
    );
    assert_eq!(notices, 0);
    let token = app.token_sent_to("course@exemple.fr", "/activation").await;
    assert_eq!(
        app.post("/api/accounts/activation", json!({"token": token}), None)
            .await
            .status,
        StatusCode::OK
    );
    let passwords_that_work = futures_count(&app).await;
    assert_eq!(passwords_that_work, 1);
}

async fn futures_count(app: &TestApp) -> usize {
    let mut n = 0;
    for i in 0..4 {
        let r = app
            .post(
                "/api/session",
                json!({"email": "course@exemple.fr", "password": format!("Motdepasse{i}")}),
                None,
            )
            .await;
        if r.status == StatusCode::OK {
            n += 1;
        }
    }
    n
}

#[tokio::test]
async fn an_activation_link_expires_and_serves_once() {
    let app = TestApp::new().await;
    app.sign_up("a@exemple.fr", PASSWORD).await;
    let token = app.token_sent_to("a@exemple.fr", "/activation").await;
    app.clock
        .advance(Duration::hours(48) + Duration::seconds(1));
    let r = app
        .post("/api/accounts/activation", json!({"token": token}), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "token_expired");

    let resent = app
        .post(
            "/api/accounts/activation/resend",
            json!({"email": "a@exemple.fr"}),
            None,
        )
        .await;
    assert_eq!(resent.status, StatusCode::ACCEPTED);
    let token = app.token_sent_to("a@exemple.fr", "/activation").await;
    assert_eq!(
        app.post("/api/accounts/activation", json!({"token": token}), None)
            .await
            .status,
        StatusCode::OK
    );
    let again = app
        .post("/api/accounts/activation", json!({"token": token}), None)
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.code(), "token_used");
    let unknown = app
        .post(
            "/api/accounts/activation",
            json!({"token": "x".repeat(43)}),
            None,
        )
        .await;
    assert_eq!(unknown.code(), "invalid_token");
}

#[tokio::test]
async fn malformed_requests_get_a_french_400() {
    let app = TestApp::new().await;
    let raw = |body: &'static str, content_type: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/accounts")
            .header(header::ORIGIN, marelle_testkit::app::ORIGIN)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let r = app.send(raw("{\"email\": ", "application/json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "malformed_json");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Le corps de la requête n'est pas un JSON valide")
    );

    let r = app
        .send(raw(
            "{\"email\": \"a@b.fr\", \"admin\": true}",
            "application/json",
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "unknown_field");
    assert_eq!(r.body["detail"], "Champ inconnu : « admin ».");

    let r = app
        .send(raw("{\"accept_terms\": \"oui\"}", "application/json"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_type");
    assert_eq!(
        r.field_codes(),
        [("accept_terms".to_string(), "invalid_type".to_string())]
    );

    let r = app
        .send(raw("email=a@b.fr", "application/x-www-form-urlencoded"))
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let big = "x".repeat(100 * 1024);
    let r = app
        .send(raw(
            Box::leak(format!("{{\"email\": \"{big}\"}}").into_boxed_str()),
            "application/json",
        ))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "body_too_large");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_with_a_problem() {
    let app = TestApp::new().await;
    let r = app.get("/api/nothing-here", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
    let r = app.call(Method::PUT, "/api/me", None, None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.code(), "method_not_allowed");
}

#[tokio::test]
async fn wrong_credentials_get_one_answer_whether_or_not_the_account_exists() {
    let app = TestApp::new().await;
    app.parent("vrai@exemple.fr", PASSWORD).await;
    let wrong = app
        .post(
            "/api/session",
            json!({"email": "vrai@exemple.fr", "password": "Mauvais123"}),
            None,
        )
        .await;
    let unknown = app
        .post(
            "/api/session",
            json!({"email": "faux@exemple.fr", "password": "Mauvais123"}),
            None,
        )
        .await;
    let malformed = app
        .post(
            "/api/session",
            json!({"email": "pas-un-email", "password": "x"}),
            None,
        )
        .await;
    for r in [&wrong, &unknown, &malformed] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.code(), "invalid_credentials");
    }
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn logins_are_limited_per_account_with_retry_after() {
    let app = TestApp::new().await;
    app.parent("cible@exemple.fr", PASSWORD).await;
    // Ten failures for this account from this address (a browser that never
    // logged in here: no device cookie) slow the pair down.
    for _ in 0..10 {
        let r = app
            .post(
                "/api/session",
                json!({"email": "cible@exemple.fr", "password": "Mauvais123"}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app
        .post(
            "/api/session",
            json!({"email": "CIBLE@exemple.fr", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.code(), "rate_limited");
    let retry: u64 = r
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    app.clock.advance(Duration::seconds(retry as i64));
    app.log_in("cible@exemple.fr", PASSWORD).await;
}

async fn try_log_in(
    app: &TestApp,
    email: &str,
    password: &str,
    cookie: Option<&str>,
) -> marelle_testkit::TestResponse {
    app.post(
        "/api/session",
        json!({"email": email, "password": password}),
        cookie,
    )
    .await
}

/// The device cookie a login set, as `name=value`.
fn device_cookie(r: &marelle_testkit::TestResponse) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("marelle_device="))
        .map(str::to_string)
}

#[tokio::test]
async fn successful_logins_are_not_counted() {
    let app = TestApp::new().await;
    app.parent("souvent@exemple.fr", PASSWORD).await;
    for _ in 0..15 {
        let r = try_log_in(&app, "souvent@exemple.fr", PASSWORD, None).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
}

#[tokio::test]
async fn wrong_passwords_from_anyone_do_not_lock_out_a_known_device() {
    let app = TestApp::new().await;
    app.parent("cible@exemple.fr", PASSWORD).await;
    let first = try_log_in(&app, "cible@exemple.fr", PASSWORD, None).await;
    let set = device_cookie(&first).expect("a device cookie");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("Max-Age="), "{set}");
    let device = set.split(';').next().unwrap().to_string();
    // Someone behind the same address tries passwords on the account.
    for _ in 0..30 {
        let r = try_log_in(&app, "cible@exemple.fr", "Mauvais123", None).await;
        assert!(
            matches!(
                r.status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{:?}",
            r.status
        );
    }
    let stranger = try_log_in(&app, "cible@exemple.fr", PASSWORD, None).await;
    assert_eq!(stranger.status, StatusCode::TOO_MANY_REQUESTS);
    let owner = try_log_in(&app, "cible@exemple.fr", PASSWORD, Some(&device)).await;
    assert_eq!(owner.status, StatusCode::OK, "{:?}", owner.body);
    // A known device is still limited on its own failures.
    for _ in 0..10 {
        let r = try_log_in(&app, "cible@exemple.fr", "Mauvais123", Some(&device)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = try_log_in(&app, "cible@exemple.fr", "Mauvais123", Some(&device)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_device_cookie_of_another_account_is_not_known_for_this_one() {
    let app = TestApp::new().await;
    app.parent("a@exemple.fr", PASSWORD).await;
    app.parent("cible@exemple.fr", PASSWORD).await;
    let r = try_log_in(&app, "a@exemple.fr", PASSWORD, None).await;
    let device = device_cookie(&r)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    for _ in 0..10 {
        let r = try_log_in(&app, "cible@exemple.fr", "Mauvais123", Some(&device)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = try_log_in(&app, "cible@exemple.fr", "Mauvais123", Some(&device)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn failures_from_an_address_do_not_block_another_accounts_login_there() {
    let app = TestApp::new().await;
    app.agent("agent@villebois.test", "Agentmairie1").await;
    // Sixty failures from the shared address, on several accounts.
    for n in 0..6 {
        for _ in 0..10 {
            let r = try_log_in(&app, &format!("x{n}@exemple.fr"), "Mauvais123", None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
    let r = try_log_in(&app, "agent@villebois.test", "Agentmairie1", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn an_address_is_limited_on_its_failures_with_a_higher_ceiling() {
    let app = TestApp::new().await;
    app.parent("p@exemple.fr", PASSWORD).await;
    for n in 0..10 {
        for _ in 0..10 {
            let r = try_log_in(&app, &format!("x{n}@exemple.fr"), "Mauvais123", None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
    let r = try_log_in(&app, "p@exemple.fr", PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
    assert!(r.body["detail"].as_str().unwrap().len() > 10);
}

#[tokio::test]
async fn sign_ups_are_limited_per_address() {
    let app = TestApp::new().await;
    for i in 0..10 {
        assert_eq!(
            app.sign_up(&format!("p{i}@exemple.fr"), PASSWORD)
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let r = app.sign_up("p10@exemple.fr", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
}

#[tokio::test]
async fn a_password_reset_changes_the_password_and_closes_every_session() {
    let app = TestApp::new().await;
    let cookie = app.parent("oubli@exemple.fr", PASSWORD).await;

    let known = app
        .post(
            "/api/password-reset",
            json!({"email": "Oubli@exemple.fr"}),
            None,
        )
        .await;
    let unknown = app
        .post(
            "/api/password-reset",
            json!({"email": "personne@exemple.fr"}),
            None,
        )
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(
        known.body, unknown.body,
        "the answer says nothing of the address"
    );
    assert!(
        app.emails()
            .await
            .iter()
            .all(|m| m.to != "personne@exemple.fr")
    );

    let mail = app.last_email_to("oubli@exemple.fr").await;
    assert_eq!(
        mail.subject,
        "Portail citoyen : réinitialisation de votre mot de passe"
    );
    let token = app
        .token_sent_to("oubli@exemple.fr", "/nouveau-mot-de-passe")
        .await;

    let weak = app
        .post(
            "/api/password-reset/confirm",
            json!({"token": token, "password": "faible"}),
            None,
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.code(), "weak_password");

    let ok = app.post("/api/password-reset/confirm", json!({"token": token, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}), None).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED,
        "old sessions closed"
    );
    let old = app
        .post(
            "/api/session",
            json!({"email": "oubli@exemple.fr", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    app.log_in("oubli@exemple.fr", "Nouveau2026").await;
    assert_eq!(
        app.last_email_to("oubli@exemple.fr").await.subject,
        "Portail citoyen : votre mot de passe a été modifié"
    );

    let reused = app
        .post(
            "/api/password-reset/confirm",
            json!({"token": token, "password": "Encore2026x"}),
            None,
        )
        .await;
    assert_eq!(reused.code(), "token_used");
}

async fn reset_link(app: &TestApp, email: &str) -> String {
    let r = app
        .post("/api/password-reset", json!({"email": email}), None)
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    app.token_sent_to(email, "/nouveau-mot-de-passe").await
}

async fn confirm_reset(
    app: &TestApp,
    token: &str,
    password: &str,
) -> marelle_testkit::TestResponse {
    app.post(
        "/api/password-reset/confirm",
        json!({"token": token, "password": password}),
        None,
    )
    .await
}

#[tokio::test]
async fn an_older_reset_link_stops_working_once_a_newer_one_is_used() {
    let app = TestApp::new().await;
    app.parent("deux@exemple.fr", PASSWORD).await;
    let older = reset_link(&app, "deux@exemple.fr").await;
    let newer = reset_link(&app, "deux@exemple.fr").await;
    assert_ne!(older, newer);
    let r = confirm_reset(&app, &newer, "Nouveau2026").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = confirm_reset(&app, &older, "Pirate2026").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_token");
    app.log_in("deux@exemple.fr", "Nouveau2026").await;
}

#[tokio::test]
async fn a_reset_link_stops_working_after_a_password_change() {
    let app = TestApp::new().await;
    let cookie = app.parent("change@exemple.fr", PASSWORD).await;
    let link = reset_link(&app, "change@exemple.fr").await;
    let r = app
        .post("/api/me/password", json!({"current_password": PASSWORD, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}), Some(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = confirm_reset(&app, &link, "Pirate2026").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_token");
    app.log_in("change@exemple.fr", "Nouveau2026").await;
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour() {
    let app = TestApp::new().await;
    app.parent("b@exemple.fr", PASSWORD).await;
    app.post(
        "/api/password-reset",
        json!({"email": "b@exemple.fr"}),
        None,
    )
    .await;
    let token = app
        .token_sent_to("b@exemple.fr", "/nouveau-mot-de-passe")
        .await;
    app.clock.advance(Duration::minutes(61));
    let r = app
        .post(
            "/api/password-reset/confirm",
            json!({"token": token, "password": "Nouveau2026"}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "token_expired");
}

#[tokio::test]
async fn a_password_change_closes_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::new().await;
    let here = app.parent("c@exemple.fr", PASSWORD).await;
    let elsewhere = app.log_in("c@exemple.fr", PASSWORD).await;
    let wrong = app
        .post("/api/me/password", json!({"current_password": "Mauvais123", "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}), Some(&here))
        .await;
    assert_eq!(wrong.code(), "wrong_password");
    let r = app
        .post("/api/me/password", json!({"current_password": PASSWORD, "password": "Nouveau2026", "password_confirmation": "Nouveau2026"}), Some(&here))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let renewed = r.session_cookie().unwrap();
    assert_eq!(
        app.get("/api/me", Some(&elsewhere)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/me", Some(&here)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/me", Some(&renewed)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_state_change_from_another_site_is_refused() {
    let app = TestApp::new().await;
    let cookie = app.parent("d@exemple.fr", PASSWORD).await;
    let req = Request::builder()
        .method(Method::DELETE)
        .uri("/api/session")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "cross_site_request");
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::OK,
        "still logged in"
    );
}

#[tokio::test]
async fn an_agent_logs_in_with_the_agent_role() {
    let app = TestApp::new().await;
    let cookie = app.agent("agent@villebois.test", "Agentmairie1").await;
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.body["role"], "agent");
}

#[tokio::test]
async fn the_openapi_document_lists_the_accounts_routes() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/accounts",
        "/api/accounts/activation",
        "/api/session",
        "/api/me",
        "/api/password-reset",
        "/api/password-reset/confirm",
        "/api/captcha",
    ] {
        assert!(doc.body["paths"].get(path).is_some(), "{path}");
    }
}

#[tokio::test]
async fn the_commune_contact_is_the_one_at_the_foot_of_the_e_mails() {
    let app = TestApp::new().await;
    let r = app.get("/api/commune", None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["name"], app.state.commune.name.as_str());
    let contact = r.body["contact"].as_str().unwrap();
    assert_eq!(contact, app.state.commune.contact_text.trim());

    app.sign_up("lea.dupont@exemple.fr", PASSWORD).await;
    let mail = app.last_email_to("lea.dupont@exemple.fr").await;
    assert!(mail.text.contains(contact), "{}", mail.text);
}
