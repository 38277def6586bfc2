//! The authorisation matrix, from the contract: every route of the OpenAPI
//! document is called as five callers, with the ids of family A (a real
//! family, child, guardian, activity, request, upload):
//!
//! | caller | who |
//! |---|---|
//! | anon  | no session |
//! | other | a parent linked to family B only |
//! | lone  | a parent linked to no family |
//! | agent | a back-office agent |
//! | owner | a parent of family A (the control that the call works) |
//!
//! `MATRIX` holds one line per route: the document's `METHOD path`, which
//! id fills `{id}`, the query, the body (`{family}`, `{child}`… replaced by
//! family A's ids) and the five expected answers, in the order above: a
//! status (`404`) or a class (`2xx`, `4xx`). A route of the document missing
//! from the table fails the test, and so does a line for a route the
//! document no longer has. Every 2xx answer to `other` or `lone` must also
//! not contain any of family A's ids.
//! Calls are made as the portal's page makes them (same `Origin`), so the
//! CSRF protection lets them through: the matrix tests authorisation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use marelle_api::http::state::{CaptchaSettings, RateLimits, Settings};
use marelle_testkit::TestApp;
use marelle_testkit::app::ORIGIN;
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";
const OWNER: &str = "owner@exemple.fr";

/// Callers, in the order of the expectations.
const CALLERS: [&str; 5] = ["anon", "other", "lone", "agent", "owner"];

/// `(METHOD path, id filling {id}, query, body, expected: anon other lone agent owner)`.
/// A body starting with `csv:` is sent as `text/csv`, one starting with
/// `pdf:` as `application/pdf`; `png:` sends a small PNG as `image/png`.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str, &str, &str)] = &[
    // Accounts: public routes answer everyone alike; the account's own routes need a session.
    ("GET /api/captcha", "", "", "", "2xx 2xx 2xx 2xx 2xx"),
    ("GET /api/commune", "", "", "", "2xx 2xx 2xx 2xx 2xx"),
    ("POST /api/accounts", "", "", r#"{"civility":"Mme","last_name":"X","first_name":"Y","email":"new@exemple.fr","password":"Motdepasse1","password_confirmation":"Motdepasse1","accept_terms":true,"captcha":"bm9wZQ=="}"#, "422 422 422 422 422"),
    ("POST /api/accounts/activation", "", "", r#"{"token":"not-a-token"}"#, "400 400 400 400 400"),
    ("POST /api/accounts/activation/resend", "", "", r#"{"email":"{owner_email}"}"#, "2xx 2xx 2xx 2xx 2xx"),
    ("POST /api/password-reset", "", "", r#"{"email":"{owner_email}"}"#, "2xx 2xx 2xx 2xx 2xx"),
    ("POST /api/password-reset/confirm", "", "", r#"{"token":"not-a-token","password":"Autremotdepasse2","password_confirmation":"Autremotdepasse2"}"#, "400 400 400 400 400"),
    ("POST /api/session", "", "", r#"{"email":"{owner_email}","password":"wrong password"}"#, "401 401 401 401 401"),
    ("DELETE /api/session", "", "", "", "2xx 2xx 2xx 2xx 2xx"),
    ("GET /api/me", "", "", "", "401 2xx 2xx 2xx 2xx"),
    ("POST /api/me/password", "", "", r#"{"current_password":"wrong password","password":"Autremotdepasse2","password_confirmation":"Autremotdepasse2"}"#, "401 422 422 422 422"),
    // Subscriptions: a parent's own links; a wrong code links nothing.
    ("GET /api/subscriptions", "", "", "", "401 2xx 2xx 403 2xx"),
    ("POST /api/subscriptions", "", "", r#"{"subscriber_code":"ZZZZ-WRONG"}"#, "401 422 422 403 422"),
    // Leaving family A (the owner's own link; run last, it ends the owner's access).
    ("DELETE /api/subscriptions/{family_id}", "", "", "", "401 404 404 403 2xx"),
    // The family space, with family A's ids.
    ("GET /api/family", "", "family_id={family}", "", "401 404 404 403 2xx"),
    ("PATCH /api/family", "", "family_id={family}", r#"{"fiscal":{"regime":"caf","quotient_familial":650}}"#, "401 404 404 403 2xx"),
    ("PATCH /api/family/guardians/{id}", "guardian", "family_id={family}", r#"{"mobile":"06 11 22 33 44"}"#, "401 404 404 403 2xx"),
    ("PATCH /api/family/children/{id}", "child", "family_id={family}", r#"{"first_name":"Ludo"}"#, "401 404 404 403 2xx"),
    ("POST /api/family/children/{id}/photo", "child", "family_id={family}", r#"{"content_type":"image/png","size":20}"#, "401 404 404 403 2xx"),
    ("POST /api/family/children/{id}/photo/confirm", "child", "family_id={family}", r#"{"upload_id":"{upload}"}"#, "401 404 404 403 2xx"),
    ("GET /api/planning", "", "from=2027-02-01&to=2027-02-28&family_id={family}", "", "401 404 404 403 2xx"),
    ("POST /api/requests", "", "family_id={family}", r#"{"kind":"reservation","child_id":"{child}","activity_id":"{activity}","dates":["2027-03-02"]}"#, "401 404 404 403 2xx"),
    ("GET /api/requests", "", "family_id={family}", "", "401 404 404 403 2xx"),
    ("GET /api/requests/{id}", "request", "", "", "401 404 404 403 2xx"),
    ("GET /api/billing/invoices", "", "family_id={family}", "", "401 404 404 403 2xx"),
    ("GET /api/billing/invoices/{id}", "invoice", "", "", "401 404 404 403 2xx"),
    ("GET /api/billing/invoices/{id}/pdf", "invoice", "", "", "401 404 404 403 2xx"),
    ("GET /api/billing/operations", "", "family_id={family}", "", "401 404 404 403 2xx"),
    ("GET /api/billing/payments", "", "family_id={family}", "", "401 404 404 403 2xx"),
    // Online payment: no provider in this world, so the owner's start is refused as not payable;
    // the payment service's routes take no session (the transaction id decides).
    ("POST /api/billing/invoices/{id}/payment", "invoice", "", "", "401 404 404 403 422"),
    ("GET /api/billing/online-payments/{id}", "invoice", "", "", "401 404 404 403 404"),
    ("POST /api/billing/payfip/notification", "", "", "", "422 422 422 422 422"),
    ("GET /api/billing/payfip/return", "", "", "", "422 422 422 422 422"),
    ("POST /api/billing/payfip/return", "", "", "", "422 422 422 422 422"),
    // The back-office: agents only.
    ("GET /api/agent/activities", "", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/activities", "", "", r#"{"name":"Cantine","establishment":"Ecole Lux","start":"11:30","end":"13:30","weekdays":["mon","tue","thu","fri"],"period":{"from":"2026-09-01","to":"2027-07-06"},"validation":"automatic"}"#, "401 403 403 2xx 403"),
    ("GET /api/agent/activities/{id}", "activity", "", "", "401 403 403 2xx 403"),
    ("PATCH /api/agent/activities/{id}", "activity", "", r#"{"missing_document":"warn"}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/activities/{id}/closures", "activity", "", r#"{"from":"2027-05-14","to":"2027-05-14","label":"Pont"}"#, "401 403 403 2xx 403"),
    // Invoicing settings: an activity's tariff, a family's quotients familiaux (agents only).
    ("GET /api/agent/activities/{id}/billing", "activity", "", "", "401 403 403 2xx 403"),
    ("PUT /api/agent/activities/{id}/billing", "activity", "", r#"{"regie_id":"{regie}","billed_on":"reserved","versions":[{"effective_from":"2026-09-01","unit":"meal","brackets":[{"from_euros":0,"cents":350}],"default_cents":400}],"version":0}"#, "401 403 403 2xx 403"),
    ("GET /api/agent/families/{id}/quotients", "family", "", "", "401 403 403 2xx 403"),
    ("PUT /api/agent/families/{id}/quotients", "family", "", r#"{"quotients":[{"euros":650,"dated":"2026-09-01","valid_until":"2027-08-31"}],"resident":true,"version":0}"#, "401 403 403 2xx 403"),
    ("GET /api/agent/enrolments", "", "activity_id={activity}", "", "401 403 403 2xx 403"),
    ("POST /api/agent/enrolments", "", "", r#"{"child_id":"{child}","activity_id":"{activity2}","from":"2026-09-01","to":"2027-07-06"}"#, "401 403 403 2xx 403"),
    ("GET /api/agent/families", "", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/families", "", "", r#"{"guardians":[{"civility":"M.","last_name":"MARTIN","first_name":"Paul","email":"paul@exemple.fr","quality":"father"}]}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/families/import", "", "dry_run=true", "csv:", "401 403 403 4xx 403"),
    ("GET /api/agent/families/{id}", "family", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/families/{id}/subscriber-code", "family", "", "", "401 403 403 2xx 403"),
    ("DELETE /api/agent/families/{id}/subscriber-code", "family", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/families/{id}/unlink", "family", "", r#"{"account_id":"{coparent}","reason":"Départ de la famille"}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/invoices", "", "", r#"{"family_id":"{family}","guardian_id":"{guardian}","emission_code":"E1","reference":"R1","amount_cents":1250,"issued_on":"2026-11-01","due_on":"2026-12-01"}"#, "401 403 403 2xx 403"),
    ("GET /api/agent/families/{id}/invoices", "family", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/payments", "", "", r#"{"invoice_id":"{invoice}","method":"cheque","number":"CHQ-1","date":"2026-11-20","amount_cents":100}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/invoices/import", "", "dry_run=true", "csv:", "401 403 403 4xx 403"),
    ("POST /api/agent/payments/import", "", "dry_run=true", "csv:", "401 403 403 4xx 403"),
    ("POST /api/agent/imports", "", "", r#"{"kind":"invoices","size":100}"#, "401 403 403 2xx 403"),
    ("GET /api/agent/imports", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/agent/imports/{id}", "import", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/imports/{id}/check", "import", "", "", "401 403 403 4xx 403"),
    ("POST /api/agent/imports/{id}/start", "import", "", "", "401 403 403 4xx 403"),
    ("POST /api/agent/invoices/{id}/cancel", "invoice2", "", r#"{"reason":"Doublon"}"#, "401 403 403 2xx 403"),
    ("PUT /api/agent/invoices/{id}/pdf", "invoice2", "", "pdf:%PDF-1.4\n%%EOF\n", "401 403 403 2xx 403"),
    ("POST /api/agent/invoices/{id}/pdf/upload", "invoice2", "", r#"{"size":20}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/invoices/{id}/pdf/confirm", "invoice2", "", r#"{"upload_id":"{pdfupload}"}"#, "401 403 403 2xx 403"),
    ("PUT /api/agent/commune/logo", "", "", "png:", "401 403 403 2xx 403"),
    ("GET /api/agent/commune/logo", "", "", "", "401 403 403 2xx 403"),
    ("DELETE /api/agent/commune/logo", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/agent/regies", "", "", "", "401 403 403 2xx 403"),
    // No online payment is to review in this world: the agent's settle answers 404.
    ("GET /api/agent/online-payments", "", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/online-payments/{id}/settle", "invoice", "", r#"{"action":"refunded","note":"VIR-1"}"#, "401 403 403 404 403"),
    ("POST /api/agent/regies", "", "", r#"{"name":"Accueil périscolaire","numcli":"123456","email":"regie@villebois.fr"}"#, "401 403 403 2xx 403"),
    ("PATCH /api/agent/regies/{id}", "regie", "", r#"{"numcli":"654321"}"#, "401 403 403 2xx 403"),
    // The monthly run: this world's régie has no invoice code (422); no run is known (404).
    ("POST /api/agent/invoicing/runs", "", "", r#"{"regie_id":"{regie}","month":"2026-10","dry_run":true}"#, "401 403 403 4xx 403"),
    ("GET /api/agent/invoicing/runs/{id}", "unknown", "", "", "401 403 403 404 403"),
    ("GET /api/agent/families/{id}/corrections", "family", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/families/{id}/corrections", "family", "", r#"{"child_id":"{child}","activity_id":"{activity}","day":"2026-10-05","cents":350,"reason":"Repas non servi"}"#, "401 403 403 2xx 403"),
    ("DELETE /api/agent/families/{id}/corrections/{correction_id}", "family", "", "", "401 403 403 404 403"),
    // Supporting documents: types are the agents'; the table is the family's.
    ("GET /api/agent/document-types", "", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/document-types", "", "", r#"{"name":"Carnet de vaccination","scope":"child","validity":"permanent"}"#, "401 403 403 2xx 403"),
    ("PATCH /api/agent/document-types/{id}", "doctype", "", r#"{"help":"Les pages des vaccins."}"#, "401 403 403 2xx 403"),
    ("GET /api/documents", "", "family_id={family}", "", "401 404 404 403 2xx"),
    ("POST /api/documents", "", "family_id={family}", r#"{"type_id":"{doctype}","child_id":null,"file_name":"domicile.pdf","content_type":"application/pdf","size":100}"#, "401 404 404 403 2xx"),
    ("POST /api/documents/confirm", "", "", r#"{"upload_id":"{docupload}"}"#, "401 404 404 403 2xx"),
    ("GET /api/documents/{id}/link", "document", "", "", "401 404 404 2xx 2xx"),
    // Crèche pre-registration: the agents' crèches, a family's applications (the owner's
    // answer accepts the offer the agent made; the withdrawal is of the second one).
    ("GET /api/creche/structures", "", "", "", "401 2xx 2xx 403 2xx"),
    ("GET /api/agent/creche/structures", "", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/creche/structures", "", "", r#"{"name":"Les Lutins"}"#, "401 403 403 2xx 403"),
    ("GET /api/agent/creche/stats", "", "year=2026", "", "401 403 403 2xx 403"),
    ("POST /api/creche/applications", "", "family_id={family}", r#"{"expected":{"due_date":"2027-05-01"},"start_date":"2027-09-01","schedule":[{"weekday":"mon","start":"08:30","end":"17:30"}],"structures":["{structure}"]}"#, "401 404 404 403 2xx"),
    ("GET /api/creche/applications", "", "family_id={family}", "", "401 404 404 403 2xx"),
    ("GET /api/creche/applications/{id}", "creche", "family_id={family}", "", "401 404 404 403 2xx"),
    ("POST /api/creche/applications/{id}/renewal", "creche", "family_id={family}", "", "401 404 404 403 2xx"),
    ("POST /api/creche/applications/{id}/answer", "creche", "family_id={family}", r#"{"answer":"accept"}"#, "401 404 404 403 2xx"),
    ("POST /api/creche/applications/{id}/birth", "creche2", "family_id={family}", r#"{"first_name":"Léa","sex":"F","birth_date":"2026-11-20"}"#, "401 404 404 403 2xx"),
    ("POST /api/creche/applications/{id}/withdraw", "creche2", "family_id={family}", "", "401 404 404 403 2xx"),
    ("GET /api/agent/creche/places", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/agent/creche/applications", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/agent/creche/applications/{id}", "creche", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/creche/applications/{id}/status", "creche", "", r#"{"status":"under_review"}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/creche/applications/{id}/offer", "creche", "", r#"{"structure_id":"{structure}","start_date":"2027-09-01","deadline":"2026-12-15T12:00:00+01:00"}"#, "401 403 403 2xx 403"),
    // Commission sessions: the application is offered by then (its decision is refused,
    // nothing written); the session read, applied and sent is unknown.
    ("POST /api/agent/creche/commissions", "", "", r#"{"held_on":"2026-11-27","deadline":"2026-12-15T12:00:00+01:00","decisions":[{"application_id":"{creche}","decision":"waiting"}]}"#, "401 403 403 4xx 403"),
    ("GET /api/agent/creche/commissions", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/agent/creche/commissions/{id}", "unknown", "", "", "401 403 403 404 403"),
    ("POST /api/agent/creche/commissions/{id}/apply", "unknown", "", "", "401 403 403 404 403"),
    ("POST /api/agent/creche/commissions/{id}/send", "unknown", "", "", "401 403 403 404 403"),
    ("GET /api/agent/requests", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/agent/digest/preview", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/agent/requests/{id}", "request", "", "", "401 403 403 2xx 403"),
    ("POST /api/agent/requests/{id}/decision", "request", "", r#"{"decision":"accepted"}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/requests/decisions", "", "", r#"{"decision":"refused","ids":["{request2}"],"message":"Complet"}"#, "401 403 403 2xx 403"),
    ("POST /api/agent/requests/{id}/messages", "request", "", r#"{"message":"Bien reçu."}"#, "401 403 403 2xx 403"),
    // Attendance: agents and activity staff (see STAFF below).
    ("GET /api/attendance/activities", "", "", "", "401 403 403 2xx 403"),
    ("GET /api/attendance/activities/{id}/sheet", "activity", "date=2026-11-27", "", "401 403 403 2xx 403"),
    ("GET /api/attendance/activities/{id}/sheet.csv", "activity", "date=2026-11-27", "", "401 403 403 2xx 403"),
    ("GET /api/attendance/activities/{id}/week", "activity", "date=2026-11-27", "", "401 403 403 2xx 403"),
    ("PUT /api/attendance/activities/{id}/marks/{date}/{child}", "activity", "", r#"{"mark":"absent_excused"}"#, "401 403 403 2xx 403"),
    ("DELETE /api/attendance/activities/{id}/marks/{date}/{child}", "activity", "", "", "401 403 403 2xx 403"),
    ("PUT /api/attendance/staff/{id}", "staff", "", r#"{"activities":["{activity2}"]}"#, "401 403 403 2xx 403"),
];

/// Activity staff (a `staff` account taking attendance for family A's
/// second activity only) is a sixth caller. Its answer to the routes
/// listed here is given; to every other route it is derived from the
/// matrix: 403 where agents get 403 (the parents' routes) or where parents
/// get 403 (the back-office), the answer of a parent linked to no family
/// otherwise (public routes, its own account).
#[rustfmt::skip]
const STAFF: &[(&str, &str)] = &[
    ("GET /api/attendance/activities", "2xx"),
    // Family A's first activity is not the staff's: as if it did not exist.
    ("GET /api/attendance/activities/{id}/sheet", "404"),
    ("GET /api/attendance/activities/{id}/sheet.csv", "404"),
    ("GET /api/attendance/activities/{id}/week", "404"),
    ("PUT /api/attendance/activities/{id}/marks/{date}/{child}", "404"),
    ("DELETE /api/attendance/activities/{id}/marks/{date}/{child}", "404"),
    ("PUT /api/attendance/staff/{id}", "403"),
];

/// What the staff caller expects of a line of the matrix.
fn staff_expects(route: &str, expected: &str) -> String {
    if let Some((_, e)) = STAFF.iter().find(|(r, _)| *r == route) {
        return e.to_string();
    }
    let cols: Vec<&str> = expected.split(' ').collect();
    let (lone, agent) = (cols[2], cols[3]);
    if agent == "403" || lone == "403" {
        "403".into()
    } else {
        lone.into()
    }
}

/// Calls that end the caller's session run after the others.
const LAST: &[&str] = &[
    "DELETE /api/subscriptions/{family_id}",
    "DELETE /api/session",
];

fn matches(expected: &str, status: StatusCode) -> bool {
    match expected {
        "2xx" => status.is_success(),
        "4xx" => status.is_client_error(),
        code => code.parse::<u16>().is_ok_and(|c| c == status.as_u16()),
    }
}

/// Every `METHOD path` of the contract.
fn documented() -> BTreeSet<String> {
    let doc = serde_json::to_value(marelle_api::openapi::document()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes
}

#[test]
fn every_route_of_the_contract_has_a_line_in_the_matrix() {
    let documented = documented();
    let mut table = BTreeSet::new();
    for (route, _, _, _, expected) in MATRIX {
        assert!(table.insert(route.to_string()), "{route}: two lines");
        assert_eq!(
            expected.split(' ').count(),
            CALLERS.len(),
            "{route}: one expectation per caller"
        );
    }
    for (route, _) in STAFF {
        assert!(
            table.contains(*route),
            "{route}: a staff line without a matrix line"
        );
    }
    let missing: Vec<_> = documented.difference(&table).collect();
    let stale: Vec<_> = table.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes of the contract missing from the authorisation matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "lines for routes the contract does not have: {stale:?}"
    );
}

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0,
    1,
];

struct World {
    app: TestApp,
    cookies: BTreeMap<&'static str, Option<String>>,
    ids: BTreeMap<&'static str, String>,
}

impl World {
    async fn new() -> Self {
        // Limits lifted: the matrix calls the public routes five times each.
        let app = TestApp::with_settings(Settings {
            captcha: CaptchaSettings::lowest(),
            limits: RateLimits::scaled(1000),
            ..Settings::default()
        })
        .await;
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let owner = app.parent(OWNER, PASSWORD).await;
        // A second parent of family A, whom the agent unlinks.
        let coparent = app.parent("coparent@exemple.fr", PASSWORD).await;
        let other = app.parent("other@exemple.fr", PASSWORD).await;
        let lone = app.parent("lone@exemple.fr", PASSWORD).await;

        let a = app.dupont_family(&agent).await;
        let r = app
            .subscribe(&owner, a["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let r = app
            .subscribe(&coparent, a["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let coparent = app.get("/api/me", Some(&coparent)).await.body["id"]
            .as_str()
            .unwrap()
            .to_string();
        let b = app.create_family(&agent, json!({
            "guardians": [{"civility": "M.", "last_name": "BERNARD", "first_name": "Marc", "email": "marc@exemple.fr", "quality": "father"}],
            "children": [{"first_name": "Zoé", "last_name": "BERNARD", "birth_date": "2017-04-02", "sex": "F"}]
        })).await;
        let r = app
            .subscribe(&other, b["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

        let family = a["id"].as_str().unwrap().to_string();
        let child = a["children"][0]["id"].as_str().unwrap().to_string();
        let guardian = a["guardians"][0]["id"].as_str().unwrap().to_string();
        let activity = |name: &str| {
            json!({
                "name": name, "establishment": "Ecole Lux", "start": "16:30", "end": "18:30",
                "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                "period": {"from": "2026-09-01", "to": "2027-07-06"},
                "validation": "manual"
            })
        };
        let mut activities = Vec::new();
        for name in ["Péri SOIR", "Péri MATIN"] {
            let r = app
                .post("/api/agent/activities", activity(name), Some(&agent))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            activities.push(r.body["id"].as_str().unwrap().to_string());
        }
        let r = app
            .post("/api/agent/enrolments", json!({"child_id": child, "activity_id": activities[0], "from": "2026-09-01", "to": "2027-07-06"}), Some(&agent))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let r = app
            .post("/api/requests", json!({"kind": "reservation", "child_id": child, "activity_id": activities[0], "dates": ["2027-02-01", "2027-02-02"]}), Some(&owner))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let request = r.body["requests"][0]["id"].as_str().unwrap().to_string();
        let request2 = r.body["requests"][1]["id"].as_str().unwrap().to_string();

        // An uploaded photo waiting for its confirmation.
        let r = app
            .post(
                &format!("/api/family/children/{child}/photo"),
                json!({"content_type": "image/png", "size": PNG.len()}),
                Some(&owner),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let upload = r.body["upload_id"].as_str().unwrap().to_string();
        let url = r.body["upload"]["url"].as_str().unwrap();
        let put = Request::builder()
            .method(Method::PUT)
            .uri(url.strip_prefix(ORIGIN).unwrap())
            .header(header::CONTENT_TYPE, "image/png")
            .body(Body::from(PNG.to_vec()))
            .unwrap();
        assert_eq!(app.send(put).await.status, StatusCode::OK);

        // Two invoices of family A: one takes a payment, the other is cancelled.
        let mut invoices = Vec::new();
        for reference in ["RA1", "RA2"] {
            let r = app
                .post("/api/agent/invoices", json!({"family_id": family, "guardian_id": guardian, "emission_code": "EA", "reference": reference, "amount_cents": 5000, "issued_on": "2026-11-01", "due_on": "2026-12-01"}), Some(&agent))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            invoices.push(r.body["id"].as_str().unwrap().to_string());
        }

        // The commune's PDF of the second invoice, uploaded and waiting for
        // its confirmation.
        let pdf = b"%PDF-1.4\n% en attente\n";
        let r = app
            .post(
                &format!("/api/agent/invoices/{}/pdf/upload", invoices[1]),
                json!({"size": pdf.len()}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let pdfupload = r.body["upload_id"].as_str().unwrap().to_string();
        let url = r.body["upload"]["url"].as_str().unwrap();
        let put = Request::builder()
            .method(Method::PUT)
            .uri(url.strip_prefix(ORIGIN).unwrap())
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(Body::from(pdf.to_vec()))
            .unwrap();
        assert_eq!(app.send(put).await.status, StatusCode::OK);

        let r = app
            .post(
                "/api/agent/regies",
                json!({"name": "Restauration scolaire"}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let regie = r.body["id"].as_str().unwrap().to_string();

        let r = app
            .post(
                "/api/agent/document-types",
                json!({"name": "Justificatif de domicile", "scope": "family", "validity": "months:3"}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let doctype = r.body["id"].as_str().unwrap().to_string();

        // A supporting document sent, and another uploaded and waiting for
        // its confirmation.
        // (A child's: the family's, confirmed by the matrix, would take
        // the row's place and cancel it.)
        let r = app
            .post(
                "/api/agent/document-types",
                json!({"name": "Carnet de vaccination", "scope": "child", "validity": "permanent"}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let vaccines = r.body["id"].as_str().unwrap().to_string();
        let mut sent = Vec::new();
        for (confirm, type_id, child_id) in [
            (true, vaccines.as_str(), Value::String(child.clone())),
            (false, doctype.as_str(), Value::Null),
        ] {
            let r = app
                .post(
                    &format!("/api/documents?family_id={family}"),
                    json!({"type_id": type_id, "child_id": child_id, "file_name": "domicile.pdf",
                           "content_type": "application/pdf", "size": pdf.len()}),
                    Some(&owner),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            let upload_id = r.body["upload_id"].as_str().unwrap().to_string();
            let url = r.body["upload"]["url"].as_str().unwrap();
            let put = Request::builder()
                .method(Method::PUT)
                .uri(url.strip_prefix(ORIGIN).unwrap())
                .header(header::CONTENT_TYPE, "application/pdf")
                .body(Body::from(pdf.to_vec()))
                .unwrap();
            assert_eq!(app.send(put).await.status, StatusCode::OK);
            if confirm {
                let r = app
                    .post(
                        "/api/documents/confirm",
                        json!({"upload_id": upload_id}),
                        Some(&owner),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
                sent.push(r.body["document_id"].as_str().unwrap().to_string());
            } else {
                sent.push(upload_id);
            }
        }
        let [document, docupload] = <[String; 2]>::try_from(sent).unwrap();

        // A background import granted, its file not sent.
        let r = app
            .post(
                "/api/agent/imports",
                json!({"kind": "invoices", "size": 100}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let import = r.body["import_id"].as_str().unwrap().to_string();

        // A crèche, and two applications of family A for children expected
        // (its child is too old for a crèche).
        let r = app
            .post(
                "/api/agent/creche/structures",
                json!({"name": "Les Petits Loups"}),
                Some(&agent),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let structure = r.body["id"].as_str().unwrap().to_string();
        let mut creches = Vec::new();
        for who in [
            json!({"expected": {"due_date": "2027-02-01"}}),
            json!({"expected": {"due_date": "2027-03-01"}}),
        ] {
            let mut body = json!({"start_date": "2027-09-01", "structures": [structure],
                "schedule": [{"weekday": "tue", "start": "09:00", "end": "16:00"}]});
            body.as_object_mut()
                .unwrap()
                .extend(who.as_object().unwrap().clone());
            let r = app
                .post(
                    &format!("/api/creche/applications?family_id={family}"),
                    body,
                    Some(&owner),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            creches.push(r.body["id"].as_str().unwrap().to_string());
        }

        let staff_account = marelle_api::accounts::create_staff_account(
            &app.state,
            "Nadia",
            "Animation",
            "animation@villebois.test",
            PASSWORD,
            std::slice::from_ref(&activities[1]),
        )
        .await
        .unwrap();
        let staff = app.log_in("animation@villebois.test", PASSWORD).await;

        let cookies = BTreeMap::from([
            ("staff", Some(staff)),
            ("anon", None),
            ("other", Some(other)),
            ("lone", Some(lone)),
            ("agent", Some(agent)),
            ("owner", Some(owner)),
        ]);
        let ids = BTreeMap::from([
            ("family", family),
            ("child", child),
            ("guardian", guardian),
            ("activity", activities[0].clone()),
            ("activity2", activities[1].clone()),
            ("request", request),
            ("request2", request2),
            ("upload", upload),
            ("owner_email", OWNER.to_string()),
            ("coparent", coparent),
            ("invoice", invoices[0].clone()),
            ("invoice2", invoices[1].clone()),
            ("regie", regie),
            ("doctype", doctype),
            ("document", document),
            ("docupload", docupload),
            ("pdfupload", pdfupload),
            ("import", import),
            ("structure", structure),
            ("creche", creches[0].clone()),
            ("creche2", creches[1].clone()),
            ("unknown", "inconnue".to_string()),
            ("staff", staff_account.id),
            ("date", "2026-11-27".to_string()),
        ]);
        Self { app, cookies, ids }
    }

    fn fill(&self, text: &str) -> String {
        self.ids.iter().fold(text.to_string(), |t, (k, v)| {
            t.replace(&format!("{{{k}}}"), v)
        })
    }

    /// Family A's ids that no other family's caller may see.
    fn secrets(&self) -> Vec<&str> {
        [
            "family",
            "child",
            "guardian",
            "request",
            "request2",
            "upload",
            "invoice",
            "invoice2",
            "document",
            "docupload",
            "creche",
            "creche2",
        ]
        .iter()
        .map(|k| self.ids[k].as_str())
        .collect()
    }

    async fn call(
        &self,
        caller: &str,
        route: &str,
        id: &str,
        query: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        let (method, template) = route.split_once(' ').unwrap();
        let mut path = if id.is_empty() {
            template.to_string()
        } else {
            template.replace("{id}", &self.ids[id])
        }
        .replace("{family_id}", &self.ids["family"])
        .replace("{date}", &self.ids["date"])
        .replace("{child}", &self.ids["child"])
        .replace("{correction_id}", &self.ids["unknown"]);
        if !query.is_empty() {
            path = format!("{path}?{}", self.fill(query));
        }
        let mut req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path)
            .header(header::ORIGIN, ORIGIN);
        if let Some(cookie) = &self.cookies[caller] {
            req = req.header(header::COOKIE, cookie);
        }
        let req = if body == "png:" {
            let png =
                marelle_api::billing::image::fixtures::png(2, 2, 2, 8, &[], |_, _| vec![9, 9, 9]);
            req.header(header::CONTENT_TYPE, "image/png")
                .body(Body::from(png))
        } else if let Some(pdf) = body.strip_prefix("pdf:") {
            req.header(header::CONTENT_TYPE, "application/pdf")
                .body(Body::from(pdf.to_string()))
        } else if let Some(csv) = body.strip_prefix("csv:") {
            req.header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from(csv.to_string()))
        } else if body.is_empty() {
            req.body(Body::empty())
        } else {
            req.header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(self.fill(body)))
        }
        .unwrap();
        let r = self.app.send(req).await;
        (r.status, r.body)
    }
}

#[tokio::test]
async fn every_route_answers_each_caller_as_the_matrix_says() {
    let w = World::new().await;
    let mut rows: Vec<_> = MATRIX.iter().collect();
    rows.sort_by_key(|(route, ..)| LAST.iter().position(|last| last == route));
    let mut wrong = Vec::new();
    // The staff caller first: it changes nothing (the derived 2xx are
    // public routes and its own account).
    for (route, id, query, body, expected) in &rows {
        let expected = staff_expects(route, expected);
        let (status, answer) = w.call("staff", route, id, query, body).await;
        assert!(
            !status.is_server_error(),
            "{route} as staff: {status} {answer}"
        );
        if !matches(&expected, status) {
            wrong.push(format!(
                "{route} as staff: expected {expected}, got {} {}",
                status.as_u16(),
                answer.get("code").unwrap_or(&Value::Null)
            ));
        }
        if status.is_success() {
            let text = answer.to_string();
            for secret in w.secrets() {
                assert!(
                    !text.contains(secret),
                    "{route} as staff shows family A's id {secret}: {text}"
                );
            }
        }
    }
    let mut calls = 0;
    for (i, caller) in CALLERS.iter().enumerate() {
        for (route, id, query, body, expected) in &rows {
            let expected = expected.split(' ').nth(i).unwrap();
            let (status, answer) = w.call(caller, route, id, query, body).await;
            calls += 1;
            assert!(
                !status.is_server_error(),
                "{route} as {caller}: {status} {answer}"
            );
            if !matches(expected, status) {
                wrong.push(format!(
                    "{route} as {caller}: expected {expected}, got {} {}",
                    status.as_u16(),
                    answer.get("code").unwrap_or(&Value::Null)
                ));
            }
            if status.is_success() && ["other", "lone"].contains(caller) {
                let text = answer.to_string();
                for secret in w.secrets() {
                    assert!(
                        !text.contains(secret),
                        "{route} as {caller} shows family A's id {secret}: {text}"
                    );
                }
            }
        }
    }
    assert_eq!(calls, MATRIX.len() * CALLERS.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
