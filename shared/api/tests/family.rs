//! The family file over the in-process API: subscriptions, the dossier and
//! its commune-validated changes, "Mes demandes", the back-office.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use marelle_domain::keys;
use marelle_testkit::TestApp;
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";

struct World {
    app: TestApp,
    agent: String,
    parent: String,
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
        Self {
            app,
            agent,
            parent,
            family,
        }
    }

    fn guardian_id(&self) -> String {
        self.family["guardians"][0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn child_id(&self) -> String {
        self.family["children"][0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn dossier(&self) -> Value {
        let r = self.app.get("/api/family", Some(&self.parent)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }
}

#[tokio::test]
async fn an_agent_creates_a_family_with_an_unambiguous_code_and_personal_codes() {
    let app = TestApp::new().await;
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let family = app.dupont_family(&agent).await;
    let code = family["subscriber_code"].as_str().unwrap();
    assert_eq!(code.len(), 12, "{code}");
    assert_eq!(code.matches('-').count(), 2);
    assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
    assert_eq!(family["label"], "Famille DUPONT");
    assert_eq!(
        family["guardians"][0]["personal_code"]
            .as_str()
            .unwrap()
            .len(),
        6
    );
    assert_eq!(family["children"][0]["first_name"], "Ludovic");
}

#[tokio::test]
async fn a_parent_links_a_family_by_code_and_sees_it_at_once() {
    let w = World::new().await;
    let me = w.app.get("/api/me", Some(&w.parent)).await;
    assert_eq!(
        me.body["families"][0]["label"], "Famille DUPONT",
        "no log-out and log-in needed"
    );
    let subs = w.app.get("/api/subscriptions", Some(&w.parent)).await;
    assert_eq!(subs.body["items"].as_array().unwrap().len(), 1);
    let again = w
        .app
        .subscribe(&w.parent, w.family["subscriber_code"].as_str().unwrap())
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "already_subscribed");
    let dossier = w.dossier().await;
    assert_eq!(dossier["guardians"][0]["mobile"], "06 07 08 09 10");
    assert!(
        dossier["guardians"][0].get("personal_code").is_none(),
        "agents only"
    );
}

#[tokio::test]
async fn a_code_typed_at_sign_up_links_the_family_on_activation() {
    let app = TestApp::new().await;
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let family = app.dupont_family(&agent).await;
    let mut form = app.sign_up_form("marc@exemple.fr", PASSWORD).await;
    form["subscriber_code"] = family["subscriber_code"].clone();
    assert_eq!(
        app.post("/api/accounts", form, None).await.status,
        StatusCode::CREATED
    );
    let token = app.token_sent_to("marc@exemple.fr", "/activation").await;
    let r = app
        .post("/api/accounts/activation", json!({"token": token}), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["subscription"]["label"], "Famille DUPONT");
    let cookie = app.log_in("marc@exemple.fr", PASSWORD).await;
    assert_eq!(
        app.get("/api/family", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn two_guardians_share_a_family_and_one_account_holds_two_families() {
    let w = World::new().await;
    let second = w.app.parent("marc@exemple.fr", PASSWORD).await;
    assert_eq!(
        w.app
            .subscribe(&second, w.family["subscriber_code"].as_str().unwrap())
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        w.app.get("/api/family", Some(&second)).await.status,
        StatusCode::OK
    );

    let other = w
        .app
        .create_family(
            &w.agent,
            json!({"guardians": [{"last_name": "MARTIN", "first_name": "Paul"}]}),
        )
        .await;
    assert_eq!(
        w.app
            .subscribe(&w.parent, other["subscriber_code"].as_str().unwrap())
            .await
            .status,
        StatusCode::CREATED
    );
    let r = w.app.get("/api/family", Some(&w.parent)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "family_required");
    let r = w
        .app
        .get(
            &format!("/api/family?family_id={}", other["id"].as_str().unwrap()),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.body["label"], "Famille MARTIN");
    // Changing a guardian finds the right family without family_id.
    let gid = other["guardians"][0]["id"].as_str().unwrap();
    let r = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"phone": "0102030405"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
}

#[tokio::test]
async fn a_family_can_subscribe_with_an_invoice_and_wrong_parts_all_look_the_same() {
    let app = TestApp::new().await;
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let family = app.dupont_family(&agent).await;
    let guardian = &family["guardians"][0];
    let r = app
        .post(
            "/api/agent/invoices",
            json!({"family_id": family["id"], "guardian_id": guardian["id"], "emission_code": "E2018-12",
                   "reference": "2018-2544", "amount_cents": 650, "issued_on": "2018-12-07", "due_on": "2019-01-11"}),
            Some(&agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let parent = app.parent("lea@exemple.fr", PASSWORD).await;
    let personal = guardian["personal_code"].as_str().unwrap();
    let attempt = |amount: i64, code: &str, reference: &str| json!({"invoice": {"emission_code": "E2018-12", "reference": reference, "amount_cents": amount, "personal_code": code}});
    let wrong_amount = app
        .post(
            "/api/subscriptions",
            attempt(651, personal, "2018-2544"),
            Some(&parent),
        )
        .await;
    let wrong_code = app
        .post(
            "/api/subscriptions",
            attempt(650, "ZZZZZZ", "2018-2544"),
            Some(&parent),
        )
        .await;
    let wrong_ref = app
        .post(
            "/api/subscriptions",
            attempt(650, personal, "2018-9999"),
            Some(&parent),
        )
        .await;
    for r in [&wrong_amount, &wrong_code, &wrong_ref] {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.code(), "subscription_not_found");
    }
    assert_eq!(wrong_amount.body, wrong_code.body);
    assert_eq!(wrong_code.body, wrong_ref.body);
    // Blank parts are named, and are not failed attempts: twelve of them
    // (more than the ten failures allowed) do not lock the account out.
    for _ in 0..12 {
        let blank = app
            .post("/api/subscriptions", attempt(0, " ", ""), Some(&parent))
            .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = blank.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "invoice.reference",
                "invoice.personal_code",
                "invoice.amount_cents"
            ]
        );
    }
    let ok = app
        .post(
            "/api/subscriptions",
            attempt(650, &personal.to_lowercase(), "2018-2544"),
            Some(&parent),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    assert_eq!(ok.body["label"], "Famille DUPONT");
}

#[tokio::test]
async fn wrong_codes_are_rate_limited() {
    let app = TestApp::new().await;
    let parent = app.parent("lea@exemple.fr", PASSWORD).await;
    for _ in 0..10 {
        let r = app.subscribe(&parent, "ABCD-EFGH-JK").await;
        assert_eq!(r.code(), "subscription_not_found");
    }
    let r = app.subscribe(&parent, "ABCD-EFGH-JK").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_codes_cannot_pass_the_limit_together() {
    let app = TestApp::new().await;
    let parent = app.parent("lea@exemple.fr", PASSWORD).await;
    let answers =
        futures::future::join_all((0..40).map(|_| app.subscribe(&parent, "ABCD-EFGH-JK"))).await;
    let tried = answers
        .iter()
        .filter(|r| r.code() == "subscription_not_found")
        .count();
    let limited = answers
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(tried, 10, "exactly the limit is tried");
    assert_eq!(limited, 30);
}

#[tokio::test]
async fn a_successful_subscription_does_not_use_up_an_attempt() {
    let app = TestApp::new().await;
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let parent = app.parent("lea@exemple.fr", PASSWORD).await;
    let family = app.dupont_family(&agent).await;
    for _ in 0..9 {
        let r = app.subscribe(&parent, "ABCD-EFGH-JK").await;
        assert_eq!(r.code(), "subscription_not_found");
    }
    let ok = app
        .subscribe(&parent, family["subscriber_code"].as_str().unwrap())
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    let tenth = app.subscribe(&parent, "ABCD-EFGH-JK").await;
    assert_eq!(tenth.code(), "subscription_not_found");
    let r = app.subscribe(&parent, "ABCD-EFGH-JK").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_changed_phone_waits_for_the_commune_then_applies_with_its_message() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"mobile": "+33 6 11 22 33 44"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let request_id = r.body["request_id"].as_str().unwrap().to_string();

    let dossier = w.dossier().await;
    assert_eq!(
        dossier["guardians"][0]["mobile"], "06 07 08 09 10",
        "the current value stays"
    );
    assert_eq!(dossier["pending"][0]["request_id"], request_id.as_str());
    assert_eq!(
        dossier["pending"][0]["target"],
        json!({"kind": "guardian", "id": gid})
    );
    assert_eq!(dossier["pending"][0]["changes"]["mobile"], "06 11 22 33 44");

    let mine = w.app.get("/api/requests", Some(&w.parent)).await;
    assert_eq!(mine.body["items"][0]["state"], "pending");
    assert_eq!(
        mine.body["items"][0]["description"],
        "Modification du responsable Léa DUPONT"
    );

    let queue = w.app.get("/api/agent/requests", Some(&w.agent)).await;
    assert_eq!(queue.body["items"][0]["id"], request_id.as_str());
    assert_eq!(queue.body["items"][0]["family_label"], "Famille DUPONT");
    let detail = w
        .app
        .get(&format!("/api/agent/requests/{request_id}"), Some(&w.agent))
        .await;
    assert_eq!(detail.body["changes"][0]["field"], "mobile");
    assert_eq!(detail.body["changes"][0]["label"], "Téléphone portable");
    assert_eq!(detail.body["changes"][0]["old"], "06 07 08 09 10");
    assert_eq!(detail.body["changes"][0]["new"], "06 11 22 33 44");

    let d = w
        .app
        .decide(
            &w.agent,
            &request_id,
            "accepted",
            Some("Numéro mis à jour, merci."),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    let again = w.app.decide(&w.agent, &request_id, "refused", None).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "already_decided");

    let dossier = w.dossier().await;
    assert_eq!(dossier["guardians"][0]["mobile"], "06 11 22 33 44");
    assert_eq!(dossier["pending"], json!([]));
    let mine = w.app.get("/api/requests", Some(&w.parent)).await;
    assert_eq!(mine.body["items"][0]["state"], "accepted");
    assert_eq!(mine.body["items"][0]["new_messages"], 1);
    let detail = w
        .app
        .get(&format!("/api/requests/{request_id}"), Some(&w.parent))
        .await;
    let events: Vec<&str> = detail.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["submitted", "accepted"]);
    assert_eq!(
        detail.body["history"][1]["message"],
        "Numéro mis à jour, merci."
    );
    let mine = w.app.get("/api/requests", Some(&w.parent)).await;
    assert_eq!(mine.body["items"][0]["new_messages"], 0, "read");
    assert!(
        w.app.get("/api/agent/requests", Some(&w.agent)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_refused_change_leaves_the_dossier_as_it_was() {
    let w = World::new().await;
    let cid = w.child_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{cid}"),
            json!({"first_name": "Ludo"}),
            Some(&w.parent),
        )
        .await;
    let id = r.body["request_id"].as_str().unwrap().to_string();
    w.app
        .decide(
            &w.agent,
            &id,
            "refused",
            Some("Le prénom doit être celui de l'état civil."),
        )
        .await;
    let dossier = w.dossier().await;
    assert_eq!(dossier["children"][0]["first_name"], "Ludovic");
    assert_eq!(dossier["pending"], json!([]));
    let mine = w
        .app
        .get("/api/requests?state=refused", Some(&w.parent))
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bank_data_is_checked_masked_for_families_and_sealed_at_rest() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let bad = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"bank": {"holder": "Léa DUPONT", "iban": "FR76 3000 6000 0112 3456 7890 188"}}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.code(), "invalid_iban");
    let ok = w
        .app
        .patch(&format!("/api/family/guardians/{gid}"), json!({"bank": {"holder": "Léa DUPONT", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "agrifrpp"}}), Some(&w.parent))
        .await;
    assert_eq!(ok.status, StatusCode::ACCEPTED);
    let id = ok.body["request_id"].as_str().unwrap().to_string();
    let dossier = w.dossier().await;
    assert_eq!(
        dossier["pending"][0]["changes"]["bank"]["iban_masked"],
        "FR76 •••• •••• •••• •••• •••• 189"
    );
    assert!(
        !dossier.to_string().contains("30006000011234567890"),
        "the full IBAN never reaches a family"
    );
    w.app.decide(&w.agent, &id, "accepted", None).await;
    let dossier = w.dossier().await;
    assert_eq!(
        dossier["guardians"][0]["bank"]["iban_masked"],
        "FR76 •••• •••• •••• •••• •••• 189"
    );
    let agent_view = w
        .app
        .get(
            &format!("/api/agent/families/{}", w.family["id"].as_str().unwrap()),
            Some(&w.agent),
        )
        .await;
    assert_eq!(
        agent_view.body["guardians"][0]["iban"],
        "FR7630006000011234567890189"
    );

    // At rest: nothing readable in the item, nor in the request.
    let item = w
        .app
        .state
        .store
        .get(&keys::guardian(w.family["id"].as_str().unwrap(), &gid))
        .await
        .unwrap()
        .unwrap();
    let raw = serde_json::to_string(item.attrs()).unwrap();
    assert!(
        !raw.contains("30006000011234567890") && !raw.contains("AGRIFRPP"),
        "{raw}"
    );
    let request = w
        .app
        .state
        .store
        .get(&keys::request(&id))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !serde_json::to_string(request.attrs())
            .unwrap()
            .contains("3000600001")
    );

    // The holder alone changes without typing the IBAN again: the one on
    // file stays.
    let holder_only = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"bank": {"holder": "Léa MARTIN", "bic": "AGRIFRPP"}}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(
        holder_only.status,
        StatusCode::ACCEPTED,
        "{:?}",
        holder_only.body
    );
    let hid = holder_only.body["request_id"].as_str().unwrap().to_string();
    w.app.decide(&w.agent, &hid, "accepted", None).await;
    let bank = &w.dossier().await["guardians"][0]["bank"];
    assert_eq!(bank["holder"], "Léa MARTIN");
    assert_eq!(bank["iban_masked"], "FR76 •••• •••• •••• •••• •••• 189");
}

#[tokio::test]
async fn health_data_is_sealed_at_rest() {
    let w = World::new().await;
    let cid = w.child_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{cid}"),
            json!({"health": {"diet": "vegetarian", "allergies": ["Alimentaires gluten"], "special_care": false,
                              "vaccines": [{"name": "Hépatite B", "date": "2016-04-05", "booster_date": null}]},
                   "appliances": {"glasses": true}}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.body["request_id"].as_str().unwrap().to_string();
    assert_eq!(
        w.app.get("/api/requests", Some(&w.parent)).await.body["items"][0]["description"],
        "Modification de l'enfant Ludovic"
    );
    w.app.decide(&w.agent, &id, "accepted", None).await;
    let dossier = w.dossier().await;
    assert_eq!(
        dossier["children"][0]["health"]["allergies"][0],
        "Alimentaires gluten"
    );
    assert_eq!(dossier["children"][0]["appliances"]["glasses"], true);
    let item = w
        .app
        .state
        .store
        .get(&keys::child(w.family["id"].as_str().unwrap(), &cid))
        .await
        .unwrap()
        .unwrap();
    let raw = serde_json::to_string(item.attrs()).unwrap();
    assert!(
        !raw.contains("gluten") && !raw.contains("Hépatite") && !raw.contains("vegetarian"),
        "{raw}"
    );
    assert!(item.get("sealed").is_some());
}

#[tokio::test]
async fn authorized_adults_are_added_with_ids_and_checked() {
    let w = World::new().await;
    let cid = w.child_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{cid}"),
            json!({"contacts": [
                {"full_name": "BARRET Jean Philippe", "relationship": "neighbour", "may_pick_up": true},
                {"full_name": "LOUVOIS Anne", "mobile": "0611223344", "relationship": "uncle_aunt", "emergency_call": true}
            ]}),
            Some(&w.parent),
        )
        .await;
    let id = r.body["request_id"].as_str().unwrap().to_string();
    w.app.decide(&w.agent, &id, "accepted", None).await;
    let dossier = w.dossier().await;
    let contacts = dossier["children"][0]["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1]["mobile"], "06 11 22 33 44");
    assert!(contacts[0]["id"].as_str().unwrap().len() > 10);
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{cid}"),
            json!({"contacts": [{"full_name": "Sans téléphone", "relationship": "other", "emergency_call": true}]}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "phone_required");
}

#[tokio::test]
async fn bad_input_gets_a_clear_french_error_and_writes_nothing() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let cid = w.child_id();
    let cases = [
        (
            format!("/api/family/guardians/{gid}"),
            json!({"shoe_size": 42}),
            StatusCode::BAD_REQUEST,
            "unknown_field",
        ),
        (
            format!("/api/family/guardians/{gid}"),
            json!({"accepts_sms": "oui"}),
            StatusCode::BAD_REQUEST,
            "invalid_type",
        ),
        (
            format!("/api/family/guardians/{gid}"),
            json!({"quality": "cousin"}),
            StatusCode::BAD_REQUEST,
            "invalid_value",
        ),
        (
            format!("/api/family/guardians/{gid}"),
            json!({"mobile": "06 07 08 09 10"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_change",
        ),
        (
            format!("/api/family/guardians/{gid}"),
            json!({"phone": "12"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
        (
            format!("/api/family/guardians/{gid}"),
            json!({"address": {"line1": "1 rue", "postal_code": "ABCDE", "city": "X"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_postal_code",
        ),
        (
            format!("/api/family/children/{cid}"),
            json!({"birth_date": "2099-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "birth_date_in_future",
        ),
        (
            format!("/api/family/children/{cid}"),
            json!({"birth_date": "2015-02-30"}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            format!("/api/family/children/{cid}"),
            json!({"health": {"diet": "halal"}}),
            StatusCode::BAD_REQUEST,
            "invalid_value",
        ),
    ];
    for (path, body, status, code) in cases {
        let r = w.app.patch(&path, body.clone(), Some(&w.parent)).await;
        assert_eq!((r.status, r.code()), (status, code), "{body}: {:?}", r.body);
        assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    assert_eq!(
        w.app.get("/api/requests", Some(&w.parent)).await.body["items"],
        json!([]),
        "nothing written"
    );
    assert_eq!(w.dossier().await["pending"], json!([]));
}

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0,
    1,
];

async fn upload_photo(
    w: &World,
    content_type: &str,
    bytes: &[u8],
) -> marelle_testkit::TestResponse {
    let cid = w.child_id();
    let r = w
        .app
        .post(
            &format!("/api/family/children/{cid}/photo"),
            json!({"content_type": content_type, "size": bytes.len()}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let url = r.body["upload"]["url"].as_str().unwrap();
    let path = url.strip_prefix(marelle_testkit::app::ORIGIN).unwrap();
    let put = Request::builder()
        .method(Method::PUT)
        .uri(path)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.to_vec()))
        .unwrap();
    assert_eq!(w.app.send(put).await.status, StatusCode::OK);
    w.app
        .post(
            &format!("/api/family/children/{cid}/photo/confirm"),
            json!({"upload_id": r.body["upload_id"]}),
            Some(&w.parent),
        )
        .await
}

#[tokio::test]
async fn a_photo_is_uploaded_checked_and_shown_once_accepted() {
    let w = World::new().await;
    let r = upload_photo(&w, "image/png", PNG).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.body["request_id"].as_str().unwrap().to_string();
    let d = w.dossier().await;
    assert_eq!(d["children"][0]["photo_url"], Value::Null);
    // The waiting photo shows as a link to the image, never as its storage key.
    let pending = &d["pending"][0]["changes"];
    assert!(pending.get("photo_key").is_none(), "{pending}");
    let preview = pending["photo_url"].as_str().unwrap().to_string();
    let got = w
        .app
        .get(
            preview.strip_prefix(marelle_testkit::app::ORIGIN).unwrap(),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    for (who, path) in [
        (w.parent.as_str(), format!("/api/requests/{id}")),
        (w.agent.as_str(), format!("/api/agent/requests/{id}")),
    ] {
        let detail = w.app.get(&path, Some(who)).await;
        let line = &detail.body["changes"][0];
        assert_eq!(line["field"], "photo_url", "{}", detail.body);
        assert!(line["new"].as_str().unwrap().starts_with("http"), "{line}");
    }
    w.app.decide(&w.agent, &id, "accepted", None).await;
    let url = w.dossier().await["children"][0]["photo_url"]
        .as_str()
        .unwrap()
        .to_string();
    let got = w
        .app
        .get(
            url.strip_prefix(marelle_testkit::app::ORIGIN).unwrap(),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
}

#[tokio::test]
async fn a_photo_that_is_not_an_image_or_too_large_is_refused() {
    let w = World::new().await;
    let r = upload_photo(&w, "image/png", b"<html>not an image</html>").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "photo_type");
    let cid = w.child_id();
    let big = w
        .app
        .post(
            &format!("/api/family/children/{cid}/photo"),
            json!({"content_type": "image/jpeg", "size": 20 * 1024 * 1024}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(big.code(), "photo_too_large");
    let pdf = w
        .app
        .post(
            &format!("/api/family/children/{cid}/photo"),
            json!({"content_type": "application/pdf", "size": 100}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(pdf.code(), "photo_type");
    assert_eq!(
        w.app.get("/api/requests", Some(&w.parent)).await.body["items"],
        json!([])
    );
}

/// Asks for a photo upload grant declaring `size` bytes.
async fn photo_grant(w: &World, content_type: &str, size: usize) -> marelle_testkit::TestResponse {
    let cid = w.child_id();
    w.app
        .post(
            &format!("/api/family/children/{cid}/photo"),
            json!({"content_type": content_type, "size": size}),
            Some(&w.parent),
        )
        .await
}

/// PUTs `bytes` through a grant's URL, as the browser does.
async fn put_photo(w: &World, grant: &Value, content_type: &str, bytes: &[u8]) -> StatusCode {
    let url = grant["upload"]["url"].as_str().unwrap();
    let put = Request::builder()
        .method(Method::PUT)
        .uri(url.strip_prefix(marelle_testkit::app::ORIGIN).unwrap())
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.to_vec()))
        .unwrap();
    w.app.send(put).await.status
}

async fn confirm_photo(w: &World, grant: &Value) -> marelle_testkit::TestResponse {
    let cid = w.child_id();
    w.app
        .post(
            &format!("/api/family/children/{cid}/photo/confirm"),
            json!({"upload_id": grant["upload_id"]}),
            Some(&w.parent),
        )
        .await
}

#[tokio::test]
async fn a_photo_larger_than_declared_is_refused_at_upload() {
    let w = World::new().await;
    let grant = photo_grant(&w, "image/png", 1000).await;
    assert_eq!(grant.status, StatusCode::CREATED, "{:?}", grant.body);
    let big = [PNG, &vec![0u8; 6 << 20][..]].concat();

    let put = put_photo(&w, &grant.body, "image/png", &big).await;

    assert_eq!(put, StatusCode::PAYLOAD_TOO_LARGE);
    let r = confirm_photo(&w, &grant.body).await;
    assert_eq!(r.code(), "photo_missing", "{:?}", r.body);
}

#[tokio::test]
async fn a_photo_upload_url_works_once_and_the_waiting_photo_stays_the_checked_one() {
    let w = World::new().await;
    let grant = photo_grant(&w, "image/png", PNG.len()).await;
    assert_eq!(
        put_photo(&w, &grant.body, "image/png", PNG).await,
        StatusCode::OK
    );
    let r = confirm_photo(&w, &grant.body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);

    // The same URL, again, with HTML of the announced length.
    let mut html = b"<script>alert(1)</script>".to_vec();
    html.resize(PNG.len(), b' ');
    let again = put_photo(&w, &grant.body, "image/png", &html).await;

    assert!(again.is_client_error(), "{again}");
    let d = w.dossier().await;
    let preview = d["pending"][0]["changes"]["photo_url"].as_str().unwrap();
    let got = w
        .app
        .send(
            Request::builder()
                .uri(preview.strip_prefix(marelle_testkit::app::ORIGIN).unwrap())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(
        got.body,
        Value::String(String::from_utf8_lossy(PNG).into_owned())
    );
}

/// Two confirmations of one upload at once (a double click, a retry):
/// one change for the commune, the other answered as unknown.
#[tokio::test]
async fn a_photo_confirmed_twice_at_once_is_one_change() {
    let w = World::new().await;
    let grant = photo_grant(&w, "image/png", PNG.len()).await;
    assert_eq!(
        put_photo(&w, &grant.body, "image/png", PNG).await,
        StatusCode::OK
    );
    let (a, b) = tokio::join!(
        confirm_photo(&w, &grant.body),
        confirm_photo(&w, &grant.body)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::ACCEPTED, StatusCode::NOT_FOUND],
        "{:?} {:?}",
        a.body,
        b.body
    );
    let again = confirm_photo(&w, &grant.body).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{:?}", again.body);
    let d = w.dossier().await;
    let photos = d["pending"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["changes"].get("photo_url").is_some())
        .count();
    assert_eq!(photos, 1, "{d}");
}

#[tokio::test]
async fn a_photo_is_checked_as_stored_and_a_staged_upload_is_never_linked() {
    let w = World::new().await;
    let grant = photo_grant(&w, "image/png", PNG.len()).await;
    assert_eq!(
        put_photo(&w, &grant.body, "image/png", PNG).await,
        StatusCode::OK
    );
    let r = confirm_photo(&w, &grant.body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    // What the commune will see is a copy the upload URL cannot reach.
    let d = w.dossier().await;
    let preview = d["pending"][0]["changes"]["photo_url"].as_str().unwrap();
    let upload = grant.body["upload"]["url"].as_str().unwrap();
    assert_ne!(preview, upload);
    assert!(
        marelle_api::family::view::photo_url(&w.app.state, "staging/families/F/children/C/photo-1")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn photo_upload_grants_are_limited_per_account() {
    let w = World::new().await;
    for i in 0..30 {
        let r = photo_grant(&w, "image/png", 100).await;
        assert_eq!(r.status, StatusCode::CREATED, "grant {i}: {:?}", r.body);
    }

    let r = photo_grant(&w, "image/png", 100).await;

    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.code(), "rate_limited");
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Réessayez"))
    );
}

#[tokio::test]
async fn photo_upload_grants_are_limited_per_address_across_accounts() {
    let w = World::new().await;
    let cid = w.child_id();
    let code = w.family["subscriber_code"].as_str().unwrap().to_string();
    let mut parents = vec![w.parent.clone()];
    for i in 1..5 {
        let p = w
            .app
            .parent(&format!("parent{i}@exemple.fr"), PASSWORD)
            .await;
        assert_eq!(w.app.subscribe(&p, &code).await.status, StatusCode::CREATED);
        parents.push(p);
    }
    let grant = |cookie: String| {
        let app = &w.app;
        let path = format!("/api/family/children/{cid}/photo");
        async move {
            app.post(
                &path,
                json!({"content_type": "image/png", "size": 100}),
                Some(&cookie),
            )
            .await
        }
    };
    // 4 accounts x 30 grants: the address's 120.
    for p in &parents[..4] {
        for i in 0..30 {
            let r = grant(p.clone()).await;
            assert_eq!(r.status, StatusCode::CREATED, "grant {i}: {:?}", r.body);
        }
    }
    // A fifth account, with none of its own yet, from the same address.
    let r = grant(parents[4].clone()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.body);
    assert_eq!(r.code(), "rate_limited");
}

#[tokio::test]
async fn another_familys_ids_are_not_found_on_every_family_route() {
    let w = World::new().await;
    // A second family, with its parent and a pending request.
    let other_parent = w.app.parent("autre@exemple.fr", PASSWORD).await;
    let other = w.app.dupont_family(&w.agent).await;
    w.app
        .subscribe(&other_parent, other["subscriber_code"].as_str().unwrap())
        .await;
    let ogid = other["guardians"][0]["id"].as_str().unwrap();
    let ocid = other["children"][0]["id"].as_str().unwrap();
    let ofid = other["id"].as_str().unwrap();
    let r = w
        .app
        .patch(
            &format!("/api/family/guardians/{ogid}"),
            json!({"phone": "0102030405"}),
            Some(&other_parent),
        )
        .await;
    let orid = r.body["request_id"].as_str().unwrap();

    let p = Some(w.parent.as_str());
    let attempts = [
        w.app.get(&format!("/api/family?family_id={ofid}"), p).await,
        w.app
            .patch(
                &format!("/api/family?family_id={ofid}"),
                json!({"fiscal": {"regime": "caf"}}),
                p,
            )
            .await,
        w.app
            .patch(
                &format!("/api/family/guardians/{ogid}"),
                json!({"phone": "0102030406"}),
                p,
            )
            .await,
        w.app
            .patch(
                &format!("/api/family/guardians/{ogid}?family_id={ofid}"),
                json!({"phone": "0102030406"}),
                p,
            )
            .await,
        w.app
            .patch(
                &format!("/api/family/children/{ocid}"),
                json!({"first_name": "X"}),
                p,
            )
            .await,
        w.app
            .post(
                &format!("/api/family/children/{ocid}/photo"),
                json!({"content_type": "image/png", "size": 10}),
                p,
            )
            .await,
        w.app
            .post(
                &format!("/api/family/children/{ocid}/photo/confirm"),
                json!({"upload_id": "01J0000000000000000000000"}),
                p,
            )
            .await,
        w.app
            .get(&format!("/api/requests?family_id={ofid}"), p)
            .await,
        w.app.get(&format!("/api/requests/{orid}"), p).await,
    ];
    for (i, r) in attempts.iter().enumerate() {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "attempt {i}: {:?}", r.body);
    }
    // Nothing of the other family leaked or changed.
    let theirs = w.app.get("/api/family", Some(&other_parent)).await;
    assert_eq!(theirs.body["pending"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_parent_is_refused_every_agent_route_and_a_visitor_is_asked_to_log_in() {
    let w = World::new().await;
    let fid = w.family["id"].as_str().unwrap();
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/api/agent/families".into(),
            Some(json!({"guardians": []})),
        ),
        (Method::GET, "/api/agent/families".into(), None),
        (Method::GET, format!("/api/agent/families/{fid}"), None),
        (
            Method::POST,
            format!("/api/agent/families/{fid}/subscriber-code"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/agent/families/{fid}/subscriber-code"),
            None,
        ),
        (Method::POST, "/api/agent/invoices".into(), Some(json!({}))),
        (Method::GET, "/api/agent/requests".into(), None),
        (
            Method::GET,
            "/api/agent/requests/01J0000000000000000000000".into(),
            None,
        ),
        (
            Method::POST,
            "/api/agent/requests/01J0000000000000000000000/decision".into(),
            Some(json!({"decision": "accepted"})),
        ),
        (
            Method::POST,
            "/api/agent/requests/decisions".into(),
            Some(json!({"ids": ["x"], "decision": "accepted"})),
        ),
        (
            Method::POST,
            "/api/agent/requests/01J0000000000000000000000/messages".into(),
            Some(json!({"message": "x"})),
        ),
    ];
    for (method, path, body) in &routes {
        let r = w
            .app
            .call(method.clone(), path, body.clone(), Some(&w.parent))
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {:?}",
            r.body
        );
        assert_eq!(r.code(), "agents_only");
        let r = w.app.call(method.clone(), path, body.clone(), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    let import = Request::builder()
        .method(Method::POST)
        .uri("/api/agent/families/import?dry_run=true")
        .header(header::ORIGIN, marelle_testkit::app::ORIGIN)
        .header(header::COOKIE, &w.parent)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from("famille;role;nom;prenom\n"))
        .unwrap();
    assert_eq!(w.app.send(import).await.status, StatusCode::FORBIDDEN);
    // And an agent is not a family.
    assert_eq!(
        w.app.get("/api/family", Some(&w.agent)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_renewed_code_replaces_the_old_one_and_a_revoked_code_opens_nothing() {
    let w = World::new().await;
    let fid = w.family["id"].as_str().unwrap();
    let old = w.family["subscriber_code"].as_str().unwrap().to_string();
    let r = w
        .app
        .post(
            &format!("/api/agent/families/{fid}/subscriber-code"),
            json!({}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let new = r.body["subscriber_code"].as_str().unwrap().to_string();
    assert_ne!(old, new);
    let someone = w.app.parent("autre@exemple.fr", PASSWORD).await;
    assert_eq!(
        w.app.subscribe(&someone, &old).await.code(),
        "subscription_not_found"
    );
    let r = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/agent/families/{fid}/subscriber-code"),
            None,
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        w.app.subscribe(&someone, &new).await.code(),
        "subscription_not_found"
    );
    assert_eq!(
        w.app.get("/api/family", Some(&w.parent)).await.status,
        StatusCode::OK,
        "existing links stay"
    );
}

fn csv_request(cookie: &str, dry_run: bool, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("/api/agent/families/import?dry_run={dry_run}"))
        .header(header::ORIGIN, marelle_testkit::app::ORIGIN)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_csv_import_reports_every_bad_row_and_imports_nothing_until_clean() {
    let app = TestApp::new().await;
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let broken = "famille;role;civilite;nom;prenom;date_naissance;sexe;email\n\
                  F1;responsable;Mme;Dupont;Léa;;;lea@exemple\n\
                  F1;enfant;;Dupont;Ludovic;23/11/2015;M;\n\
                  F2;enfant;;Martin;Zoé;2030-01-01;F;\n";
    let r = app.send(csv_request(&agent, false, broken)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let lines: Vec<u64> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 4]);
    assert!(
        app.get("/api/agent/families", Some(&agent)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let good = "famille;role;civilite;nom;prenom;date_naissance;sexe;email\n\
                F1;responsable;Mme;Dupont;Léa;;;lea@exemple.fr\n\
                F1;enfant;;Dupont;Ludovic;23/11/2015;M;\n\
                F2;responsable;M.;Martin;Paul;;;\n";
    let dry = app.send(csv_request(&agent, true, good)).await;
    assert_eq!(dry.status, StatusCode::OK);
    assert_eq!(
        (
            dry.body["families"].as_u64(),
            dry.body["children"].as_u64(),
            dry.body["skipped"].as_u64()
        ),
        (Some(2), Some(1), Some(0))
    );
    assert!(
        app.get("/api/agent/families", Some(&agent)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a dry run writes nothing"
    );
    let real = app.send(csv_request(&agent, false, good)).await;
    assert_eq!(real.status, StatusCode::OK, "{:?}", real.body);
    let list = app.get("/api/agent/families", Some(&agent)).await;
    let labels: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Famille DUPONT", "Famille MARTIN"]);
    let again = app.send(csv_request(&agent, false, good)).await;
    assert_eq!(
        again.body["skipped"], 2,
        "importing again skips what is there"
    );
    let dry_again = app.send(csv_request(&agent, true, good)).await;
    assert_eq!(
        dry_again.body["skipped"], 2,
        "a dry run says what an import would skip"
    );
    assert_eq!(
        app.get("/api/agent/families?q=famille%20dup", Some(&agent))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn an_agent_accepts_many_requests_at_once_and_skips_decided_ones() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let mut ids = Vec::new();
    for phone in ["0102030405", "0102030406", "0102030407"] {
        let r = w
            .app
            .patch(
                &format!("/api/family/guardians/{gid}"),
                json!({"phone": phone}),
                Some(&w.parent),
            )
            .await;
        ids.push(r.body["request_id"].as_str().unwrap().to_string());
    }
    w.app.decide(&w.agent, &ids[0], "refused", None).await;
    let r = w
        .app
        .post(
            "/api/agent/requests/decisions",
            json!({"ids": ids, "decision": "accepted"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["decided"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["skipped"][0]["code"], "already_decided");
    assert_eq!(
        w.dossier().await["guardians"][0]["phone"],
        "01 02 03 04 07",
        "applied in order"
    );
}

#[tokio::test]
async fn a_message_from_the_commune_counts_as_new_until_read() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"accepts_sms": true}),
            Some(&w.parent),
        )
        .await;
    let id = r.body["request_id"].as_str().unwrap().to_string();
    let m = w
        .app
        .post(
            &format!("/api/agent/requests/{id}/messages"),
            json!({"message": "Pouvez-vous confirmer ?"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED);
    let empty = w
        .app
        .post(
            &format!("/api/agent/requests/{id}/messages"),
            json!({"message": "  "}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(empty.code(), "empty_message");
    assert_eq!(
        w.app.get("/api/requests", Some(&w.parent)).await.body["items"][0]["new_messages"],
        1
    );
    w.app
        .get(&format!("/api/requests/{id}"), Some(&w.parent))
        .await;
    assert_eq!(
        w.app.get("/api/requests", Some(&w.parent)).await.body["items"][0]["new_messages"],
        0
    );
}

#[tokio::test]
async fn a_requests_messages_are_bounded_and_it_still_reads_and_decides_at_the_cap() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"accepts_sms": true}),
            Some(&w.parent),
        )
        .await;
    let id = r.body["request_id"].as_str().unwrap().to_string();
    let url = format!("/api/agent/requests/{id}/messages");
    // The widest characters (4 bytes each in UTF-8), as long as allowed.
    let widest = "\u{1F600}".repeat(1000);
    let too_long = w
        .app
        .post(
            &url,
            json!({"message": format!("{widest}x")}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.code(), "message_too_long");
    assert!(too_long.body["detail"].as_str().unwrap().contains("1000"));
    for _ in 0..30 {
        let m = w
            .app
            .post(&url, json!({"message": widest}), Some(&w.agent))
            .await;
        assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body["code"]);
    }
    let one_more = w
        .app
        .post(
            &url,
            json!({"message": "Encore une question"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(one_more.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(one_more.code(), "too_many_messages");
    let with_message = w
        .app
        .post(
            &format!("/api/agent/requests/{id}/decision"),
            json!({"decision": "accepted", "message": "Fait."}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(with_message.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(with_message.code(), "too_many_messages");
    let detail = w
        .app
        .get(&format!("/api/requests/{id}"), Some(&w.parent))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    let decided = w
        .app
        .post(
            &format!("/api/agent/requests/{id}/decision"),
            json!({"decision": "accepted"}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{:?}", decided.body);
}

#[tokio::test]
async fn a_decision_with_a_message_too_long_is_refused_and_decides_nothing() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"accepts_sms": true}),
            Some(&w.parent),
        )
        .await;
    let id = r.body["request_id"].as_str().unwrap().to_string();
    let long = "a".repeat(1001);
    let r = w
        .app
        .post(
            &format!("/api/agent/requests/{id}/decision"),
            json!({"decision": "refused", "message": long}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "message_too_long");
    let bulk = w
        .app
        .post(
            "/api/agent/requests/decisions",
            json!({"ids": [id], "decision": "refused", "message": long}),
            Some(&w.agent),
        )
        .await;
    assert_eq!(bulk.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bulk.code(), "message_too_long");
    let detail = w
        .app
        .get(&format!("/api/requests/{id}"), Some(&w.parent))
        .await;
    assert_eq!(detail.body["state"], "pending");
}

#[tokio::test]
async fn pending_dossier_changes_are_bounded_per_family() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let cid = w.child_id();
    let mut ids = Vec::new();
    for i in 0..10 {
        let r = w
            .app
            .patch(
                &format!("/api/family/guardians/{gid}"),
                json!({"phone": format!("01020304{:02}", i + 10)}),
                Some(&w.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        ids.push(r.body["request_id"].as_str().unwrap().to_string());
    }
    let over = w
        .app
        .patch(
            &format!("/api/family/children/{cid}"),
            json!({"first_name": "Ludo"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(over.code(), "too_many_pending_changes");
    assert!(over.body["detail"].as_str().unwrap().contains("10"));
    assert_eq!(
        w.app.get("/api/family", Some(&w.parent)).await.status,
        StatusCode::OK
    );
    w.app.decide(&w.agent, &ids[0], "refused", None).await;
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{cid}"),
            json!({"first_name": "Ludo"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::ACCEPTED,
        "room again once one is decided"
    );
}

#[tokio::test]
async fn mes_demandes_pages_and_filters() {
    let w = World::new().await;
    let gid = w.guardian_id();
    let cid = w.child_id();
    for i in 0..23 {
        let r = w
            .app
            .patch(
                &format!("/api/family/guardians/{gid}"),
                json!({"phone": format!("01020304{:02}", i + 10)}),
                Some(&w.parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        // Decided as they come: a family holds at most 10 pending changes.
        let id = r.body["request_id"].as_str().unwrap();
        w.app.decide(&w.agent, id, "refused", None).await;
    }
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{cid}"),
            json!({"first_name": "Ludo"}),
            Some(&w.parent),
        )
        .await;
    let child_request = r.body["request_id"].as_str().unwrap().to_string();
    let first = w.app.get("/api/requests", Some(&w.parent)).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 20);
    assert_eq!(
        first.body["items"][0]["id"],
        child_request.as_str(),
        "newest first"
    );
    let next = first.body["next_page"].as_str().unwrap();
    let second = w
        .app
        .get(&format!("/api/requests?page={next}"), Some(&w.parent))
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 4);
    assert_eq!(second.body["next_page"], Value::Null);
    let by_child = w
        .app
        .get(&format!("/api/requests?child={cid}"), Some(&w.parent))
        .await;
    assert_eq!(by_child.body["items"].as_array().unwrap().len(), 1);
    let bad = w
        .app
        .get("/api/requests?page=garbage!!", Some(&w.parent))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = w.app.get("/api/requests?kind=party", Some(&w.parent)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn each_decision_is_an_event_on_the_bus() {
    let w = World::new().await;
    let seen = std::sync::Arc::new(marelle_testkit::embedded::Collector::default());
    w.app.bus.subscribe(seen.clone());
    let gid = w.guardian_id();
    let r = w
        .app
        .patch(
            &format!("/api/family/guardians/{gid}"),
            json!({"accepts_sms": true}),
            Some(&w.parent),
        )
        .await;
    let id = r.body["request_id"].as_str().unwrap().to_string();
    w.app.decide(&w.agent, &id, "accepted", None).await;
    use marelle_testkit::bus_suite::Delivered;
    let events = seen.wait_for(1, std::time::Duration::from_secs(5)).await;
    assert_eq!(events[0].detail_type, "RequestDecided");
    assert_eq!(events[0].detail["request_id"], id.as_str());
    assert_eq!(events[0].detail["state"], "accepted");
}

#[tokio::test]
async fn reading_the_dossier_costs_the_same_store_calls_whatever_the_familys_size() {
    let app = TestApp::new().await;
    let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
    let mut calls = Vec::new();
    for (n, children) in [(0, 1usize), (1, 12)] {
        let parent = app.parent(&format!("p{n}@exemple.fr"), PASSWORD).await;
        let kids: Vec<Value> = (0..children)
            .map(|i| json!({"first_name": format!("Enfant{i}"), "last_name": "GRAND", "birth_date": "2016-01-01", "sex": "F"}))
            .collect();
        let family = app
            .create_family(&agent, json!({"guardians": [{"last_name": "GRAND", "first_name": "A"}, {"last_name": "GRAND", "first_name": "B"}], "children": kids}))
            .await;
        app.subscribe(&parent, family["subscriber_code"].as_str().unwrap())
            .await;
        app.bus.idle().await;
        app.store.reset();
        let r = app.get("/api/family", Some(&parent)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["children"].as_array().unwrap().len(), children);
        calls.push(app.store.calls());
    }
    assert_eq!(calls[0], calls[1], "{calls:?}");
    assert_eq!(calls[0], 3, "session, family of the account, the dossier");
}
