//! Attendance (pointage): the day's sheet as the staff sees it, marks set
//! and cleared, the CSV, the week, the staff's scope; each scenario on the
//! embedded store and on DynamoDB (moto).
//!
//! The clock is frozen on Saturday 28 November 2026; the day taken is
//! Tuesday 1 December.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[macro_use]
mod common;

use axum::http::{Method, StatusCode};
use marelle_testkit::TestApp;
use serde_json::{Value, json};

const PASSWORD: &str = "Motdepasse1";
const DAY: &str = "2026-12-01";

struct World {
    app: TestApp,
    agent: String,
    parent: String,
    staff: String,
    staff_id: String,
    activity: String,
    other_activity: String,
    /// Ludovic, Zoé, Léo (DUPONT); Emma, Hugo (BERNARD).
    kids: Vec<String>,
    dupont: String,
}

fn child(first: &str, last: &str, born: &str) -> Value {
    json!({"first_name": first, "last_name": last, "birth_date": born, "sex": "M"})
}

impl World {
    async fn new(app: TestApp) -> Self {
        let agent = app.agent("agent@villebois.test", "Agentmairie1").await;
        let parent = app.parent("lea@exemple.fr", PASSWORD).await;
        let other = app.parent("marc@exemple.fr", PASSWORD).await;
        let mut ludovic = child("Ludovic", "DUPONT", "2015-11-23");
        ludovic["health"] = json!({"diet": "vegetarian", "allergies": ["Arachide", "=SOMME(A1)"]});
        ludovic["authorizations"] = json!({"leave_alone": true});
        let dupont = app
            .create_family(&agent, json!({
                "guardians": [{"civility": "Mme", "last_name": "DUPONT", "first_name": "Léa",
                               "email": "lea@exemple.fr", "mobile": "06 07 08 09 10", "quality": "mother"}],
                "children": [ludovic, child("Zoé", "DUPONT", "2017-04-02"), child("Léo", "DUPONT", "2019-01-10")]
            }))
            .await;
        let r = app
            .subscribe(&parent, dupont["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let bernard = app
            .create_family(&agent, json!({
                "guardians": [{"civility": "M.", "last_name": "BERNARD", "first_name": "Marc",
                               "email": "marc@exemple.fr", "mobile": "06 11 11 11 11", "quality": "father"}],
                "children": [child("Emma", "BERNARD", "2016-05-05"), child("Hugo", "BERNARD", "2018-06-06")]
            }))
            .await;
        let r = app
            .subscribe(&other, bernard["subscriber_code"].as_str().unwrap())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let ids = |f: &Value| -> Vec<String> {
            f["children"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        };
        let mut kids = ids(&dupont);
        kids.extend(ids(&bernard));

        // Ludovic's adults, through the commune's validation.
        let r = app
            .patch(
                &format!("/api/family/children/{}", kids[0]),
                json!({"contacts": [
                    {"full_name": "BARRET Jean", "relationship": "neighbour", "may_pick_up": true},
                    {"full_name": "LOUVOIS Anne", "mobile": "0611223344", "relationship": "uncle_aunt", "emergency_call": true}
                ]}),
                Some(&parent),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        app.decide(
            &agent,
            r.body["request_id"].as_str().unwrap(),
            "accepted",
            None,
        )
        .await;

        let mut activities = Vec::new();
        for name in ["Restauration scolaire", "Péri SOIR"] {
            let r = app
                .post("/api/agent/activities", json!({
                    "name": name, "establishment": "Ecole Lux", "start": "11:30", "end": "13:30",
                    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                    "period": {"from": "2026-09-01", "to": "2027-07-06"},
                    "capacity": 2, "validation": "automatic"
                }), Some(&agent))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            activities.push(r.body["id"].as_str().unwrap().to_string());
        }
        for kid in &kids {
            let r = app
                .post(
                    "/api/agent/enrolments",
                    json!({"child_id": kid, "activity_id": activities[0],
                       "from": "2026-09-01", "to": "2027-07-06"}),
                    Some(&agent),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        let staff_id = marelle_api::accounts::create_staff_account(
            &app.state,
            "Nadia",
            "Animation",
            "animation@villebois.test",
            PASSWORD,
            std::slice::from_ref(&activities[0]),
        )
        .await
        .unwrap()
        .id;
        let staff = app.log_in("animation@villebois.test", PASSWORD).await;
        World {
            app,
            agent,
            parent,
            staff,
            staff_id,
            activity: activities[0].clone(),
            other_activity: activities[1].clone(),
            kids,
            dupont: dupont["id"].as_str().unwrap().to_string(),
        }
    }

    async fn ask(&self, who: &str, body: Value) {
        let r = self.app.post("/api/requests", body, Some(who)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }

    /// Ludovic and Zoé reserved (full), Léo then Emma on the waiting list;
    /// Zoé's absence accepted at once (its place goes to Léo).
    async fn planning(&self, marc: &str) {
        for kid in &self.kids[..2] {
            self.ask(
                &self.parent,
                json!({"kind": "reservation", "child_id": kid,
                     "activity_id": self.activity, "dates": [DAY]}),
            )
            .await;
        }
        self.ask(
            &self.parent,
            json!({"kind": "reservation", "child_id": self.kids[2],
                 "activity_id": self.activity, "dates": [DAY], "waiting_list": true}),
        )
        .await;
        self.ask(
            marc,
            json!({"kind": "reservation", "child_id": self.kids[3],
                 "activity_id": self.activity, "dates": [DAY], "waiting_list": true}),
        )
        .await;
        self.ask(&self.parent, json!({"kind": "absence", "child_id": self.kids[1],
                 "activity_id": self.activity, "dates": [DAY], "reason": "Rendez-vous chez l'orthophoniste"}))
            .await;
    }

    fn mark_path(&self, day: &str, kid: &str) -> String {
        format!(
            "/api/attendance/activities/{}/marks/{day}/{kid}",
            self.activity
        )
    }

    async fn mark(
        &self,
        who: &str,
        day: &str,
        kid: &str,
        mark: &str,
    ) -> marelle_testkit::app::TestResponse {
        self.app
            .call(
                Method::PUT,
                &self.mark_path(day, kid),
                Some(json!({"mark": mark})),
                Some(who),
            )
            .await
    }

    async fn sheet(&self, who: &str) -> Value {
        let r = self
            .app
            .get(
                &format!(
                    "/api/attendance/activities/{}/sheet?date={DAY}",
                    self.activity
                ),
                Some(who),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }
}

fn names(sheet: &Value) -> Vec<(String, String, Value)> {
    sheet["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["first_name"].as_str().unwrap().to_string(),
                c["group"].as_str().unwrap().to_string(),
                c["mark"].clone(),
            )
        })
        .collect()
}

async fn sheet_lists_what_matters_on_site(app: TestApp) {
    let w = World::new(app).await;
    let marc = w.app.log_in("marc@exemple.fr", PASSWORD).await;
    w.planning(&marc).await;
    let s = w.sheet(&w.staff).await;
    assert_eq!(s["runs"], true);
    assert_eq!(
        (
            s["capacity"].as_u64(),
            s["reserved"].as_u64(),
            s["places_left"].as_u64()
        ),
        (Some(2), Some(2), Some(0))
    );
    assert_eq!(
        names(&s),
        vec![
            ("Léo".into(), "expected".into(), Value::Null),
            ("Ludovic".into(), "expected".into(), Value::Null),
            ("Zoé".into(), "absent".into(), Value::Null),
            ("Emma".into(), "waiting_list".into(), Value::Null),
            ("Hugo".into(), "not_reserved".into(), Value::Null),
        ]
    );
    let children = s["children"].as_array().unwrap();
    let ludovic = &children[1];
    assert_eq!(ludovic["allergies"], json!(["Arachide", "=SOMME(A1)"]));
    assert_eq!(ludovic["diet"], "Végétarien");
    assert_eq!(ludovic["leave_alone"], true);
    assert_eq!(
        ludovic["authorised_adults"],
        json!([{"full_name": "BARRET Jean", "relationship": "Voisin / Voisine", "phone": ""}])
    );
    assert_eq!(
        ludovic["emergency_contacts"],
        json!([{"full_name": "LOUVOIS Anne", "relationship": "Oncle / Tante", "phone": "06 11 22 33 44"}])
    );
    assert_eq!(
        ludovic["guardians"],
        json!([{"full_name": "Léa DUPONT", "quality": "Mère", "phone": "06 07 08 09 10"}])
    );
    assert_eq!(ludovic["photo_url"], Value::Null);
    assert_eq!(children[0]["leave_alone"], false);
    assert_eq!(children[0]["diet"], Value::Null);
    assert_eq!(
        children[2]["absence_reason"],
        "Rendez-vous chez l'orthophoniste"
    );
    assert_eq!(children[3]["waiting_rank"], 1);
    assert_eq!(s["not_marked"], 2);
    // The agent sees the same sheet.
    assert_eq!(names(&w.sheet(&w.agent).await), names(&s));
}

async fn marks_are_set_cleared_and_stored(app: TestApp) {
    let w = World::new(app).await;
    let marc = w.app.log_in("marc@exemple.fr", PASSWORD).await;
    w.planning(&marc).await;
    let (ludovic, leo, hugo) = (&w.kids[0], &w.kids[2], &w.kids[4]);

    // Present, twice (a retried offline write): the same answer.
    for _ in 0..2 {
        let r = w.mark(&w.staff, DAY, ludovic, "present").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["mark"], "present");
    }
    let r = w.mark(&w.staff, DAY, leo, "absent_unexcused").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Hugo came without a reservation.
    let r = w.mark(&w.staff, DAY, hugo, "present").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "not_reserved")
    );
    let r = w.mark(&w.staff, DAY, ludovic, "arrived_unreserved").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reserved")
    );
    let r = w.mark(&w.staff, DAY, hugo, "arrived_unreserved").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let s = w.sheet(&w.staff).await;
    assert_eq!(
        names(&s),
        vec![
            ("Léo".into(), "expected".into(), json!("absent_unexcused")),
            ("Ludovic".into(), "expected".into(), json!("present")),
            (
                "Hugo".into(),
                "unreserved".into(),
                json!("arrived_unreserved")
            ),
            ("Zoé".into(), "absent".into(), Value::Null),
            ("Emma".into(), "waiting_list".into(), Value::Null),
        ]
    );
    assert_eq!(
        (s["present"].as_u64(), s["not_marked"].as_u64()),
        (Some(2), Some(0))
    );

    // Stored as docs/invoicing.md says.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let item = w
        .app
        .state
        .store
        .get(&marelle_domain::keys::attendance_mark(
            &w.activity,
            day,
            ludovic,
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.get("mark").unwrap(), "present");
    assert_eq!(item.get("family_id").unwrap(), &json!(w.dupont));
    assert_eq!(item.get("by").unwrap(), &json!(w.staff_id));
    assert_eq!(item.get("date").unwrap(), DAY);
    assert!(item.get("at").unwrap().as_str().unwrap().ends_with('Z'));

    // Cleared, twice: not taken any more.
    for _ in 0..2 {
        let r = w
            .app
            .call(
                Method::DELETE,
                &w.mark_path(DAY, ludovic),
                None,
                Some(&w.staff),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    let s = w.sheet(&w.staff).await;
    assert_eq!(s["children"][1]["mark"], Value::Null);
    assert_eq!(s["not_marked"], 1);

    // The week: reserved / capacity / present per day.
    let r = w
        .app
        .get(
            &format!(
                "/api/attendance/activities/{}/week?date=2026-12-03",
                w.activity
            ),
            Some(&w.staff),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["from"], "2026-11-30");
    let days = r.body["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[1]["date"], DAY);
    assert_eq!(days[1]["label"], "mardi 1er décembre");
    assert_eq!(
        (
            days[1]["reserved"].as_u64(),
            days[1]["capacity"].as_u64(),
            days[1]["present"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(
        (days[0]["reserved"].as_u64(), days[0]["present"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(days[5]["runs"], false);
    assert!(
        days[5]["closed"]
            .as_str()
            .unwrap()
            .contains("ce jour de la semaine")
    );
}

async fn bad_marks_are_refused_with_stable_codes(app: TestApp) {
    let w = World::new(app).await;
    let ludovic = &w.kids[0];
    let cases = [
        (
            "2026-13-01",
            ludovic.as_str(),
            "present",
            StatusCode::BAD_REQUEST,
            "invalid_date",
        ),
        // Saturday: the activity does not run.
        (
            "2026-12-05",
            ludovic,
            "absent_excused",
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_running",
        ),
        (
            "2026-12-10",
            ludovic,
            "absent_excused",
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_far_ahead",
        ),
        (
            "2025-09-01",
            ludovic,
            "absent_excused",
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_far_back",
        ),
        (
            DAY,
            "inconnu",
            "absent_excused",
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_enrolled",
        ),
        (
            DAY,
            ludovic,
            "late",
            StatusCode::BAD_REQUEST,
            "invalid_value",
        ),
    ];
    for (day, kid, mark, status, code) in cases {
        let r = w.mark(&w.staff, day, kid, mark).await;
        assert_eq!(
            (r.status, r.code()),
            (status, code),
            "{day} {kid} {mark}: {:?}",
            r.body
        );
        assert!(r.body["detail"].as_str().unwrap().len() > 10);
    }
    // Not JSON, an unknown field.
    let r = w
        .app
        .send(
            axum::http::Request::builder()
                .method(Method::PUT)
                .uri(w.mark_path(DAY, ludovic))
                .header("origin", marelle_testkit::app::ORIGIN)
                .header("cookie", &w.staff)
                .header("content-type", "text/plain")
                .body(axum::body::Body::from("present"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let r = w
        .app
        .call(
            Method::PUT,
            &w.mark_path(DAY, ludovic),
            Some(json!({"mark": "present", "x": 1})),
            Some(&w.staff),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "unknown_field")
    );
    // A missing or bad date on the sheet.
    for q in ["", "?date=demain", "?date=2026-12-01&x=1"] {
        let r = w
            .app
            .get(
                &format!("/api/attendance/activities/{}/sheet{q}", w.activity),
                Some(&w.staff),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {:?}", r.body);
    }
    // Nothing was written.
    let items = w
        .app
        .state
        .store
        .query(
            marelle_domain::ports::store::Query::new(format!("ACTIVITY#{}", w.activity))
                .begins_with("MARK#"),
        )
        .await
        .unwrap()
        .items;
    assert!(items.is_empty());
}

async fn staff_see_their_activities_and_nothing_else(app: TestApp) {
    let w = World::new(app).await;
    let r = w
        .app
        .get("/api/attendance/activities", Some(&w.staff))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let ids: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![w.activity.as_str()]);
    assert_eq!(r.body["today"], "2026-11-28");
    // The agent sees both.
    let r = w
        .app
        .get("/api/attendance/activities", Some(&w.agent))
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);

    // Another activity, known or not: 404, and no mark on it.
    for activity in [w.other_activity.as_str(), "inconnue"] {
        for path in ["sheet", "sheet.csv", "week"] {
            let r = w
                .app
                .get(
                    &format!("/api/attendance/activities/{activity}/{path}?date={DAY}"),
                    Some(&w.staff),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{activity} {path}");
        }
        let r = w
            .app
            .call(
                Method::PUT,
                &format!(
                    "/api/attendance/activities/{activity}/marks/{DAY}/{}",
                    w.kids[0]
                ),
                Some(json!({"mark": "present"})),
                Some(&w.staff),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // The back-office and the family space: 403.
    for path in [
        "/api/agent/activities",
        "/api/agent/families",
        "/api/family",
        "/api/planning?from=2026-12-01&to=2026-12-02",
        "/api/billing/invoices",
        "/api/agent/requests",
    ] {
        let r = w.app.get(path, Some(&w.staff)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {:?}", r.body);
    }
    // A parent: 403 on attendance.
    let r = w
        .app
        .get("/api/attendance/activities", Some(&w.parent))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "attendance_only")
    );
    // The staff's own account says its role.
    let r = w.app.get("/api/me", Some(&w.staff)).await;
    assert_eq!(r.body["role"], "staff");

    // An agent gives the staff the other activity too.
    let path = format!("/api/attendance/staff/{}", w.staff_id);
    let put = |body: Value, who: &str| {
        let (app, path, who) = (&w.app, path.clone(), who.to_string());
        async move { app.call(Method::PUT, &path, Some(body), Some(&who)).await }
    };
    let r = put(json!({"activities": [w.other_activity]}), &w.staff).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (body, code) in [
        (json!({"activities": []}), "activities_required"),
        (json!({"activities": ["inconnue"]}), "unknown_activity"),
        (
            json!({"activities": (0..51).map(|i| format!("a{i}")).collect::<Vec<_>>()}),
            "too_many_activities",
        ),
    ] {
        let r = put(body, &w.agent).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code)
        );
    }
    let r = w
        .app
        .call(
            Method::PUT,
            &format!("/api/attendance/staff/{}", w.staff_id.replace('0', "1")),
            Some(json!({"activities": [w.activity]})),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = put(
        json!({"activities": [w.activity, w.other_activity, w.activity]}),
        &w.agent,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["activities"].as_array().unwrap().len(), 2);
    let r = w
        .app
        .get(
            &format!(
                "/api/attendance/activities/{}/sheet?date={DAY}",
                w.other_activity
            ),
            Some(&w.staff),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // A parent's account is not a staff account.
    let me = w.app.get("/api/me", Some(&w.parent)).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = w
        .app
        .call(
            Method::PUT,
            &format!("/api/attendance/staff/{me}"),
            Some(json!({"activities": [w.activity]})),
            Some(&w.agent),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn csv_is_the_sheet_for_french_spreadsheets(app: TestApp) {
    let w = World::new(app).await;
    let marc = w.app.log_in("marc@exemple.fr", PASSWORD).await;
    w.planning(&marc).await;
    let r = w.mark(&w.staff, DAY, &w.kids[0], "present").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .app
        .get(
            &format!(
                "/api/attendance/activities/{}/sheet.csv?date={DAY}",
                w.activity
            ),
            Some(&w.staff),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        "attachment; filename=\"pointage-restauration-scolaire-2026-12-01.csv\""
    );
    let text = r.body.as_str().unwrap();
    assert!(text.starts_with('\u{feff}'), "BOM");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "\"Nom\";\"Prénom\";\"Situation\";\"Pointage\";\"Motif d'absence\";\"Allergies\";\"Régime\";\"Part seul\";\"Adultes autorisés\";\"Contacts d'urgence\";\"Responsables\";\"Date\""
    );
    // Léo, Ludovic, Zoé, Emma; Hugo (nothing reserved nor marked) is left out.
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert_eq!(lines[5], "");
    assert!(
        lines[1].starts_with("\"DUPONT\";\"Léo\";\"Attendu\";\"\";"),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "\"DUPONT\";\"Ludovic\";\"Attendu\";\"Présent\";\"\";\"Arachide, =SOMME(A1)\";\"Végétarien\";\"Oui\";\"BARRET Jean (Voisin / Voisine)\";\"LOUVOIS Anne (Oncle / Tante) 06 11 22 33 44\";\"Léa DUPONT 06 07 08 09 10\";\"01/12/2026\""
    );
    assert!(
        lines[3].contains("\"Absence justifiée\";\"\";\"Rendez-vous chez l'orthophoniste\""),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].starts_with("\"BERNARD\";\"Emma\";\"Liste d'attente (1)\";"),
        "{}",
        lines[4]
    );
    assert!(!text.contains("Hugo"));
}

/// A cell starting with a formula character is neutralised.
async fn csv_cells_never_start_a_formula(app: TestApp) {
    let w = World::new(app).await;
    let r = w
        .app
        .patch(
            &format!("/api/family/children/{}", w.kids[0]),
            json!({"health": {"diet": "standard", "allergies": ["@SOMME(A1)"]}, "last_name": "=DUPONT"}),
            Some(&w.parent),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    w.app
        .decide(
            &w.agent,
            r.body["request_id"].as_str().unwrap(),
            "accepted",
            None,
        )
        .await;
    w.ask(
        &w.parent,
        json!({"kind": "reservation", "child_id": w.kids[0],
          "activity_id": w.activity, "dates": [DAY]}),
    )
    .await;
    let r = w
        .app
        .get(
            &format!(
                "/api/attendance/activities/{}/sheet.csv?date={DAY}",
                w.activity
            ),
            Some(&w.agent),
        )
        .await;
    let text = r.body.as_str().unwrap();
    let line = text.split("\r\n").nth(1).unwrap();
    assert!(line.starts_with("\"'=DUPONT\";\"Ludovic\""), "{line}");
    assert!(line.contains("\"'@SOMME(A1)\""), "{line}");
}

/// A sheet is bounded: more children enrolled that day than a sheet
/// holds is a clear refusal, not a slow answer.
async fn a_sheet_too_large_is_refused(app: TestApp) {
    let w = World::new(app).await;
    let period = marelle_domain::planning::Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2027, 7, 6).unwrap(),
    };
    let items: Vec<_> = (0..=marelle_api::invoicing::attendance::MAX_SHEET_CHILDREN)
        .map(|i| {
            marelle_api::planning::store::enrolment_item(&marelle_domain::planning::Enrolment {
                id: format!("E{i:04}"),
                family_id: format!("F{i:04}"),
                child_id: format!("C{i:04}"),
                activity_id: w.activity.clone(),
                period,
            })
            .unwrap()
        })
        .collect();
    w.app
        .state
        .store
        .write_many(items, Vec::new())
        .await
        .unwrap();
    let r = w
        .app
        .get(
            &format!("/api/attendance/activities/{}/sheet?date={DAY}", w.activity),
            Some(&w.staff),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "sheet_too_large")
    );
}

on_both_stores!(
    embedded: marelle_testkit::TestApp::new().await,
    dynamodb: crate::common::dynamo_app("attendance").await;
    sheet_lists_what_matters_on_site,
    marks_are_set_cleared_and_stored,
    bad_marks_are_refused_with_stable_codes,
    staff_see_their_activities_and_nothing_else,
    csv_is_the_sheet_for_french_spreadsheets,
    csv_cells_never_start_a_formula,
    a_sheet_too_large_is_refused,
);
