//! Ending an account's link to a family file: an agent unlinks a former
//! guardian (with a reason, kept in the family's history, e-mailed to the
//! account), and a parent leaves a family. Either way the account stops
//! seeing the dossier at once, sessions included.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use axum::http::{Method, StatusCode};
use marelle_testkit::TestApp;
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";

struct World {
    app: TestApp,
    agent: String,
    parent: String,
    parent_id: String,
    family: Value,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::new().await;
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent("lea@exemple.fr", PASSWORD).await;
        let family = app.dupont_family(&agent).await;
        let r = app
            .subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let me = app.get("/api/me", Some(&parent)).await;
        let parent_id = me.body["id"].as_str().unwrap().to_string();
        Self {
            app,
            agent,
            parent,
            parent_id,
            family,
        }
    }

    fn family_id(&self) -> &str {
        self.family["id"].as_str().unwrap()
    }

    async fn unlink(
        &self,
        cookie: &str,
        family_id: &str,
        body: Value,
    ) -> marelle_testkit::TestResponse {
        self.app
            .post(
                &format!("/api/agent/families/{family_id}/unlink"),
                body,
                Some(cookie),
            )
            .await
    }
}

#[tokio::test]
async fn an_agent_unlinks_a_former_guardian_who_stops_seeing_the_family_at_once() {
    let w = World::new().await;
    let child = w.family["children"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        w.app.get("/api/family", Some(&w.parent)).await.status,
        StatusCode::OK
    );

    let r = w
        .unlink(
            &w.agent,
            w.family_id(),
            json!({"account_id": w.parent_id, "reason": "Jugement du 3 mars : plus responsable"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    // The same session sees nothing of the family any more.
    let r = w.app.get("/api/family", Some(&w.parent)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "no_family");
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{child}"),
            json!({"first_name": "Ludo"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w.app.get("/api/subscriptions", Some(&w.parent)).await;
    assert_eq!(r.body["items"], json!([]));

    // The agent sees who did it and why; the account was told.
    let r = w
        .app
        .get(
            &format!("/api/agent/families/{}", w.family_id()),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.body["subscribers"], json!([]));
    let event = &r.body["history"][0];
    assert_eq!(event["kind"], "account_unlinked");
    assert_eq!(event["account_email"], "lea@exemple.fr");
    assert_eq!(event["by"], "commune");
    assert_eq!(event["reason"], "Jugement du 3 mars : plus responsable");
    assert!(
        event["by_name"].as_str().unwrap().contains("MAIRIE"),
        "{event}"
    );
    let mail = w.app.last_email_to("lea@exemple.fr").await;
    assert_eq!(
        mail.subject,
        "Portail citoyen : votre compte n'est plus relié à un dossier famille"
    );
    assert!(
        mail.text.contains("Motif : Jugement du 3 mars"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("« Famille DUPONT »"), "{}", mail.text);

    // A second unlink finds no link.
    let r = w
        .unlink(
            &w.agent,
            w.family_id(),
            json!({"account_id": w.parent_id, "reason": "Encore"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_linked");
}

#[tokio::test]
async fn an_unlink_needs_an_agent_a_reason_and_a_linked_account() {
    let w = World::new().await;
    let fid = w.family_id().to_string();
    let good = json!({"account_id": w.parent_id, "reason": "Départ"});

    // Not an agent: refused before anything is read.
    let r = w.unlink(&w.parent, &fid, good.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .call(
            Method::POST,
            &format!("/api/agent/families/{fid}/unlink"),
            Some(good.clone()),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    for (body, code) in [
        (
            json!({"account_id": w.parent_id, "reason": "  "}),
            "required",
        ),
        (
            json!({"account_id": w.parent_id, "reason": "x".repeat(501)}),
            "too_long",
        ),
        (
            json!({"account_id": w.parent_id, "reason": "a\u{202E}b"}),
            "invalid_characters",
        ),
    ] {
        let r = w.unlink(&w.agent, &fid, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.code(), code);
    }
    let r = w
        .unlink(&w.agent, &fid, json!({"account_id": w.parent_id}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(r.code(), "missing_field");
    let r = w
        .unlink(
            &w.agent,
            &fid,
            json!({"account_id": w.parent_id, "reason": "x", "extra": 1}),
        )
        .await;
    assert!(r.status.is_client_error(), "{:?}", r.status);

    // Unknown account, unknown family, an account of another family.
    let r = w
        .unlink(&w.agent, &fid, json!({"account_id": "NOPE", "reason": "x"}))
        .await;
    assert_eq!(r.code(), "not_linked");
    let r = w.unlink(&w.agent, "NOPE", good.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = w
        .app
        .create_family(
            &w.agent,
            json!({"guardians": [{"last_name": "MARTIN", "first_name": "Paul"}]}),
        )
        .await;
    let r = w
        .unlink(&w.agent, other["id"].as_str().unwrap(), good.clone())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_linked");

    // Nothing above removed the link.
    assert_eq!(
        w.app.get("/api/family", Some(&w.parent)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_parent_leaves_a_family_and_only_one_it_is_linked_to() {
    let w = World::new().await;
    let fid = w.family_id().to_string();
    let other = w
        .app
        .create_family(
            &w.agent,
            json!({"guardians": [{"last_name": "MARTIN", "first_name": "Paul"}]}),
        )
        .await;
    let oid = other["id"].as_str().unwrap();

    // Another family's id: not found, and that family keeps its accounts.
    let r = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/subscriptions/{oid}"),
            None,
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_linked");
    let r = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/subscriptions/{}", "x".repeat(41)),
            None,
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Agents and visitors have no subscriptions to leave.
    let r = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/subscriptions/{fid}"),
            None,
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/subscriptions/{fid}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/subscriptions/{fid}"),
            None,
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        w.app.get("/api/family", Some(&w.parent)).await.status,
        StatusCode::NOT_FOUND
    );
    let r = w
        .app
        .get(&format!("/api/agent/families/{fid}"), Some(&w.agent))
        .await;
    assert_eq!(r.body["history"][0]["kind"], "account_left");
    assert_eq!(r.body["history"][0]["by"], "family");
    assert!(r.body["history"][0].get("reason").is_none());

    // Linking again with the code works as for anyone.
    let r = w
        .app
        .subscribe(&w.parent, w.family["subscriber_code"].as_str().unwrap())
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}
