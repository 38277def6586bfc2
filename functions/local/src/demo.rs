//! `--demo`: fills an empty store with a demo commune that shows every
//! feature on first start. The accounts are printed at start and listed,
//! with what the demo holds, in the README.
//!
//! Everything goes through the API's own handlers (the same checks, the same
//! e-mails as a parent and an agent would get), with dates relative to
//! today so the demo never goes stale: the clock is set three weeks back
//! for the requests of the past weeks, then given back.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use marelle_api::accounts::{CreateAccountError, create_active_account};
use marelle_api::family::FamilyParam;
use marelle_api::http::extract::{Agent, ClientIp, JsonBody, Parent, UrlQuery};
use marelle_api::http::sessions::CurrentAccount;
use marelle_domain::accounts::{Civility, Role};
use marelle_domain::family::{NewFamily, codes};
use marelle_domain::ports::clock::Clock;
use marelle_domain::ports::store::{Condition, Item, Key};
use marelle_domain::requests::Decision;
use serde_json::{Value, json};

use crate::compose::Local;

pub const PARENT_EMAIL: &str = "parent.demo@villebois.example";
pub const PARENT_PASSWORD: &str = "Famille2026";
pub const AGENT_EMAIL: &str = "agent.demo@villebois.example";
pub const AGENT_PASSWORD: &str = "Mairie2026";
/// A second parent, of another family (the Durand children).
pub const OTHER_PARENT_EMAIL: &str = "karim.durand@villebois.example";
/// Parents of young children, with crèche applications (same password).
/// Activity staff: takes attendance at the canteen and the evening care.
pub const STAFF_EMAIL: &str = "animation.demo@villebois.example";
pub const STAFF_PASSWORD: &str = "Animation2026";
/// Parents of young children, with crèche applications (same password).
pub const CRECHE_PARENT_EMAILS: [&str; 2] = [
    "sarah.leroy@villebois.example",
    "julien.fontaine@villebois.example",
];

fn marker() -> Key {
    Key::new("META#demo", "META")
}

fn fail(e: impl std::fmt::Display) -> String {
    format!("démo : {e}")
}

pub async fn seed(local: &Local) -> Result<(), String> {
    let store = &local.state.store;
    if store.get(&marker()).await.map_err(fail)?.is_some() {
        print_accounts();
        return Ok(());
    }
    let accounts = [
        (
            Role::Parent,
            Some(Civility::Madame),
            "Camille",
            "Martin",
            PARENT_EMAIL,
            PARENT_PASSWORD,
        ),
        (
            Role::Agent,
            None,
            "Agent",
            "Démo",
            AGENT_EMAIL,
            AGENT_PASSWORD,
        ),
        (
            Role::Parent,
            Some(Civility::Monsieur),
            "Karim",
            "Durand",
            OTHER_PARENT_EMAIL,
            PARENT_PASSWORD,
        ),
        (
            Role::Parent,
            Some(Civility::Madame),
            "Sarah",
            "Leroy",
            CRECHE_PARENT_EMAILS[0],
            PARENT_PASSWORD,
        ),
        (
            Role::Parent,
            Some(Civility::Monsieur),
            "Julien",
            "Fontaine",
            CRECHE_PARENT_EMAILS[1],
            PARENT_PASSWORD,
        ),
    ];
    let mut ids = [None, None, None, None, None];
    for (i, (role, civility, first, last, email, password)) in accounts.into_iter().enumerate() {
        match create_active_account(&local.state, role, civility, first, last, email, password)
            .await
        {
            Ok(a) => ids[i] = Some(a.id),
            Err(CreateAccountError::EmailTaken(_)) => {}
            Err(e) => return Err(fail(e)),
        }
    }
    let family = create_family(local, martin(), "DEMO-MARTIN").await?;
    let other = create_family(local, durand(), "DEMO-DURAND").await?;
    let dates = CrecheDates::from(marelle_domain::time::local_date(local.clock.now()));
    let leroy_family = create_family(local, leroy(&dates), "DEMO-LEROY").await?;
    let fontaine_family = create_family(local, fontaine(&dates), "DEMO-FONTAINE").await?;
    if let [
        Some(parent),
        Some(agent),
        Some(durand),
        Some(leroy),
        Some(fontaine),
    ] = ids
    {
        for (account, family) in [
            (&parent, &family),
            (&durand, &other),
            (&leroy, &leroy_family),
            (&fontaine, &fontaine_family),
        ] {
            marelle_api::subscriptions::link(&local.state, account, family)
                .await
                .map_err(|e| fail(e.detail))?;
        }
        let demo = Demo {
            local,
            parent: account(parent, Role::Parent),
            other: account(durand, Role::Parent),
            agent: account(agent, Role::Agent),
        };
        // The clock is given back whatever happens.
        let offset = local.clock.now() - Utc::now();
        let mut filled = demo.fill(&family, &other).await;
        if filled.is_ok() {
            filled = demo
                .creche(
                    (&account(leroy, Role::Parent), &leroy_family),
                    (&account(fontaine, Role::Parent), &fontaine_family),
                )
                .await;
        }
        if filled.is_ok() {
            filled = demo.attendance().await;
        }
        local.clock.set(Utc::now() + offset);
        filled?;
    }
    store
        .put(Item::new(marker()), Some(Condition::NotExists))
        .await
        .map_err(fail)?;
    print_accounts();
    Ok(())
}

fn account(id: String, role: Role) -> CurrentAccount {
    CurrentAccount {
        account_id: id,
        role,
        session_hash: "demo".into(),
    }
}

/// The demo parent's family: two guardians, two children.
fn martin() -> Value {
    json!({
        "guardians": [
            {"civility": "Mme", "family_situation": "married", "last_name": "MARTIN", "first_name": "Camille",
             "email": PARENT_EMAIL, "mobile": "06 12 34 56 78", "quality": "mother",
             "address": {"line1": "12 rue des Écoles", "postal_code": "92100", "city": "Villebois"}},
            {"civility": "M.", "family_situation": "married", "last_name": "MARTIN", "first_name": "Hugo",
             "mobile": "06 98 76 54 32", "quality": "father", "accepts_email": false}
        ],
        "children": [
            {"first_name": "Maéva", "last_name": "MARTIN", "birth_date": "2016-03-14", "sex": "F"},
            {"first_name": "Timéo", "last_name": "MARTIN", "birth_date": "2018-09-02", "sex": "M"}
        ]
    })
}

/// Another family of the commune, with its own parent account: its two
/// children fill the Wednesday workshop, so the demo shows a waiting list.
fn durand() -> Value {
    json!({
        "guardians": [
            {"civility": "M.", "family_situation": "single", "last_name": "DURAND", "first_name": "Karim",
             "mobile": "06 22 33 44 55", "quality": "father", "accepts_email": false,
             "address": {"line1": "3 allée des Tilleuls", "postal_code": "92100", "city": "Villebois"}}
        ],
        "children": [
            {"first_name": "Inès", "last_name": "DURAND", "birth_date": "2015-06-21", "sex": "F"},
            {"first_name": "Noah", "last_name": "DURAND", "birth_date": "2017-01-09", "sex": "M"}
        ]
    })
}

/// `months` months before `today` (the same day of the month, or the
/// month's last).
fn months_before(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(today)
}

/// The first day of the month after `day`'s.
fn next_month_start(day: NaiveDate) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

/// The crèche applications' days, from today (any day of the year).
#[derive(Debug, Clone, Copy)]
struct CrecheDates {
    today: NaiveDate,
    /// Jade Leroy, 10 months.
    jade_born: NaiveDate,
    jade_start: NaiveDate,
    /// Her brother expected in four months, to start at three months or so.
    due: NaiveDate,
    expected_start: NaiveDate,
    /// The Fontaine twins, 20 months.
    twins_born: NaiveDate,
    twins_start: NaiveDate,
}

impl From<NaiveDate> for CrecheDates {
    fn from(today: NaiveDate) -> Self {
        let due = today + Duration::days(120);
        Self {
            today,
            jade_born: months_before(today, 10),
            jade_start: next_month_start(today + Duration::days(45)),
            due,
            expected_start: next_month_start(due + Duration::days(100)),
            twins_born: months_before(today, 20),
            twins_start: next_month_start(today + Duration::days(30)),
        }
    }
}

/// A family with a baby of 10 months, expecting another one: two crèche
/// applications.
fn leroy(dates: &CrecheDates) -> Value {
    json!({
        "guardians": [
            {"civility": "Mme", "family_situation": "married", "last_name": "LEROY", "first_name": "Sarah",
             "email": CRECHE_PARENT_EMAILS[0], "mobile": "06 31 42 53 64", "quality": "mother",
             "accepts_email": true,
             "address": {"line1": "5 place du Marché", "postal_code": "92100", "city": "Villebois"}}
        ],
        "children": [
            {"first_name": "Jade", "last_name": "LEROY", "birth_date": dates.jade_born, "sex": "F"}
        ]
    })
}

/// Twins of 20 months: one offered a place, the other waiting.
fn fontaine(dates: &CrecheDates) -> Value {
    let born = dates.twins_born;
    json!({
        "guardians": [
            {"civility": "M.", "family_situation": "cohabiting", "last_name": "FONTAINE", "first_name": "Julien",
             "email": CRECHE_PARENT_EMAILS[1], "mobile": "06 75 86 97 08", "quality": "father",
             "accepts_email": true,
             "address": {"line1": "18 rue des Tilleuls", "postal_code": "92100", "city": "Villebois"}}
        ],
        "children": [
            {"first_name": "Lina", "last_name": "FONTAINE", "birth_date": born, "sex": "F"},
            {"first_name": "Sacha", "last_name": "FONTAINE", "birth_date": born, "sex": "M"}
        ]
    })
}

async fn create_family(local: &Local, family: Value, code: &str) -> Result<String, String> {
    let app = &local.state;
    let new: NewFamily = serde_json::from_value(family).map_err(fail)?;
    let today = marelle_domain::time::local_date(app.clock.now());
    let ids = app.ids.clone();
    let valid = new
        .validate(today, &mut || ids.next(), &mut codes::new_personal_code)
        .map_err(|e| fail(format!("{e:?}")))?;
    let record = marelle_api::family::store::create(app, &valid, Some(code.into()), Vec::new())
        .await
        .map_err(|e| fail(e.detail))?;
    Ok(record.id)
}

/// A handler's answer as JSON, or its problem as the error.
async fn answer(
    r: Result<impl IntoResponse, marelle_api::ApiError>,
    what: &str,
) -> Result<Value, String> {
    let response = match r {
        Ok(ok) => ok.into_response(),
        Err(e) => return Err(fail(format!("{what} : {} ({})", e.detail, e.code))),
    };
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(fail)?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(fail(format!("{what} : {status} {value}")));
    }
    Ok(value)
}

fn id_of(v: &Value) -> Result<String, String> {
    v["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| fail("réponse sans identifiant"))
}

/// The `n`-th `weekday` on or after `from` (n = 0: the first).
fn nth(from: NaiveDate, weekday: chrono::Weekday, n: i64) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - from.weekday().num_days_from_monday() as i64)
        % 7;
    from + Duration::days(ahead + 7 * n)
}

struct Demo<'a> {
    local: &'a Local,
    parent: CurrentAccount,
    other: CurrentAccount,
    agent: CurrentAccount,
}

struct Ids {
    peri_matin: String,
    repas: String,
    peri_soir: String,
    atelier: String,
    centre: String,
}

impl Demo<'_> {
    fn app(&self) -> marelle_api::AppState {
        self.local.state.clone()
    }

    async fn activity(&self, body: Value) -> Result<String, String> {
        let name = body["name"].as_str().unwrap_or_default().to_string();
        let new = serde_json::from_value(body).map_err(fail)?;
        let r = marelle_api::agent::activities::create(
            State(self.app()),
            Agent(self.agent.clone()),
            JsonBody(new),
        )
        .await;
        id_of(&answer(r, &name).await?)
    }

    async fn enrol(
        &self,
        child: &str,
        activity: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(), String> {
        let body = serde_json::from_value(
            json!({"child_id": child, "activity_id": activity, "from": from, "to": to}),
        )
        .map_err(fail)?;
        let r = marelle_api::agent::activities::enrol(
            State(self.app()),
            Agent(self.agent.clone()),
            JsonBody(body),
        )
        .await;
        answer(r, "inscription").await.map(|_| ())
    }

    /// The first Wednesday from a week after `today` on which `activity`
    /// runs and may be booked at `at`.
    async fn open_wednesday(
        &self,
        activity: &str,
        today: NaiveDate,
        at: chrono::DateTime<Utc>,
    ) -> Result<NaiveDate, String> {
        let first = nth(today + Duration::days(8), chrono::Weekday::Wed, 0);
        let Some((activity, _)) =
            marelle_api::planning::store::activity(&self.local.state, activity)
                .await
                .map_err(|e| fail(e.detail))?
        else {
            return Err(fail("activité introuvable"));
        };
        let settings = &self.local.state.settings.calendar;
        let open = (0..8).map(|w| first + Duration::days(7 * w)).find(|d| {
            activity.runs_on(*d, settings).is_ok()
                && activity
                    .booking_deadline
                    .as_ref()
                    .is_none_or(|rule| rule.allows(*d, at, &settings.holidays).is_ok())
        });
        Ok(open.unwrap_or(first))
    }

    /// A submission as `who` (a parent's account): the ids of the requests
    /// recorded.
    async fn ask(&self, who: &CurrentAccount, body: Value) -> Result<Vec<String>, String> {
        let s = serde_json::from_value(body).map_err(fail)?;
        let r = marelle_api::planning::submit::submit(
            State(self.app()),
            Parent(who.clone()),
            HeaderMap::new(),
            JsonBody(s),
        )
        .await;
        // Dates are relative to today: on some days (holidays, a weekend
        // before a deadline) none of them can be asked. The demo goes on.
        if let Err(e) = &r
            && e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY
        {
            tracing::warn!(code = %e.code, "démo : aucun jour de cette demande n'est possible aujourd'hui");
            return Ok(Vec::new());
        }
        let v = answer(r, "demande").await?;
        Ok(v["requests"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn decide(
        &self,
        ids: &[String],
        decision: Decision,
        message: Option<&str>,
    ) -> Result<(), String> {
        for id in ids {
            marelle_api::decisions::decide(
                &self.local.state,
                id,
                decision,
                message,
                &self.agent.account_id,
            )
            .await
            .map_err(|e| fail(format!("décision : {}", e.detail)))?;
        }
        Ok(())
    }

    async fn change_phone(&self, guardian: &str, mobile: &str) -> Result<String, String> {
        let patch = serde_json::from_value(json!({ "mobile": mobile })).map_err(fail)?;
        let r = marelle_api::family::change_guardian(
            State(self.app()),
            Parent(self.parent.clone()),
            Path(guardian.to_string()),
            UrlQuery(FamilyParam { family_id: None }),
            JsonBody(patch),
        )
        .await;
        let v = answer(r, "modification du dossier").await?;
        v["request_id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| fail("modification sans demande"))
    }

    async fn activities(&self, from: NaiveDate, to: NaiveDate) -> Result<Ids, String> {
        let period = json!({"from": from, "to": to});
        let school = ["mon", "tue", "thu", "fri"];
        Ok(Ids {
            peri_matin: self
                .activity(json!({
                    "name": "1/Péri MATIN", "establishment": "École Jules Ferry",
                    "start": "07:30", "end": "08:30", "weekdays": school, "period": period,
                    "capacity": 40, "validation": "automatic",
                    "booking_deadline": "J-1 18:00", "cancel_deadline": "J-1 18:00"
                }))
                .await?,
            repas: self
                .activity(json!({
                    "name": "2/Repas Écoles", "establishment": "École Jules Ferry",
                    "start": "11:30", "end": "13:30", "weekdays": school, "period": period,
                    "capacity": 120, "validation": "automatic",
                    "booking_deadline": "J-2 ouvrés 12:00", "cancel_deadline": "J-2 ouvrés 12:00"
                }))
                .await?,
            peri_soir: self
                .activity(json!({
                    "name": "4/Péri SOIR", "establishment": "École Jules Ferry",
                    "start": "16:30", "end": "18:30", "weekdays": school, "period": period,
                    "capacity": 30, "validation": "manual",
                    "booking_deadline": "J-2 ouvrés 12:00", "cancel_deadline": "J-1 18:00"
                }))
                .await?,
            atelier: self
                .activity(json!({
                    "name": "5/Atelier théâtre du mercredi", "establishment": "Centre de loisirs Les Tilleuls",
                    "start": "14:00", "end": "16:30", "weekdays": ["wed"], "period": period,
                    "capacity": 2, "validation": "manual",
                    "booking_deadline": "lundi semaine précédente 18:00", "cancel_deadline": "J-2 18:00"
                }))
                .await?,
            centre: self
                .activity(json!({
                    "name": "6/Centre de loisirs vacances", "establishment": "Centre de loisirs Les Tilleuls",
                    "start": "08:30", "end": "17:30", "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                    "period": period, "capacity": 60, "validation": "manual",
                    "school_holidays": "only",
                    "booking_deadline": "J-7 12:00", "cancel_deadline": "J-7 12:00"
                }))
                .await?,
        })
    }

    async fn fill(&self, martin: &str, durand: &str) -> Result<(), String> {
        let clock = &self.local.clock;
        let now = clock.now();
        let today = marelle_domain::time::local_date(now);
        let (from, to) = (today - Duration::days(60), today + Duration::days(300));
        let a = self.activities(from, to).await?;
        let app = self.app();
        let dossier = |id: String| {
            let app = app.clone();
            async move {
                marelle_api::family::store::load(&app, &id)
                    .await
                    .map_err(|e| fail(e.detail))?
                    .map(|l| l.dossier)
                    .ok_or_else(|| fail("famille introuvable"))
            }
        };
        let m = dossier(martin.to_string()).await?;
        let d = dossier(durand.to_string()).await?;
        let child = |dossier: &marelle_domain::family::Dossier, i: usize| {
            dossier
                .children
                .get(i)
                .map(|c| c.id.clone())
                .ok_or_else(|| fail("enfant introuvable"))
        };
        let (maeva, timeo) = (child(&m, 0)?, child(&m, 1)?);
        let (ines, noah) = (child(&d, 0)?, child(&d, 1)?);
        let hugo = m
            .guardians
            .get(1)
            .map(|g| g.id.clone())
            .ok_or_else(|| fail("responsable introuvable"))?;
        for (c, act) in [
            (&maeva, &a.repas),
            (&maeva, &a.peri_soir),
            (&maeva, &a.atelier),
            (&maeva, &a.centre),
            (&timeo, &a.peri_matin),
            (&timeo, &a.repas),
            (&timeo, &a.peri_soir),
            (&ines, &a.atelier),
            (&noah, &a.atelier),
        ] {
            self.enrol(c, act, from, to).await?;
        }

        // Three weeks ago: the past weeks' requests, decided at the time.
        let back = now - Duration::days(21);
        clock.set(back);
        let past_from = today - Duration::days(18);
        let this_monday = nth(today - Duration::days(6), chrono::Weekday::Mon, 0);
        let school_days = json!(["mon", "tue", "thu", "fri"]);
        // Maéva eats at the canteen every school day of the six weeks
        // (automatic validation: reserved at once).
        self.ask(
            &self.parent,
            json!({"kind": "reservation", "child_id": maeva, "activity_id": a.repas,
                   "from": past_from, "to": today + Duration::days(21),
                   "weekdays": school_days, "mode": "valid_days"}),
        )
        .await?;
        // Timéo's evening care of the past weeks: accepted by the commune,
        // but for one day refused with a message.
        let soir = self
            .ask(
                &self.parent,
                json!({"kind": "reservation", "child_id": timeo, "activity_id": a.peri_soir,
                       "from": past_from, "to": this_monday + Duration::days(4),
                       "weekdays": school_days, "mode": "valid_days"}),
            )
            .await?;
        clock.set(back + Duration::hours(26));
        if let Some((refused, accepted)) = soir.split_last() {
            self.decide(accepted, Decision::Accepted, None).await?;
            self.decide(
                std::slice::from_ref(refused),
                Decision::Refused,
                Some("L'accueil du soir est fermé ce jour-là pour la réunion des animateurs. Timéo peut être accueilli à l'étude surveillée."),
            )
            .await?;
        }
        // An absence of the past for Maéva's canteen, accepted, and a
        // dossier change the commune accepted.
        let sick = nth(past_from + Duration::days(3), chrono::Weekday::Thu, 0);
        // (the canteen validates by itself: accepted at once)
        self.ask(
            &self.parent,
            json!({"kind": "absence", "child_id": maeva, "activity_id": a.repas,
                   "dates": [sick], "reason": "Rendez-vous chez l'orthodontiste"}),
        )
        .await?;
        // An absence the commune refused, with its reason.
        let late = nth(past_from + Duration::days(8), chrono::Weekday::Tue, 0);
        let refused = self
            .ask(
                &self.parent,
                json!({"kind": "absence", "child_id": timeo, "activity_id": a.peri_soir,
                       "dates": [late], "reason": "Sortie chez ses grands-parents"}),
            )
            .await?;
        self.decide(
            &refused,
            Decision::Refused,
            Some("Ce jour-là, Timéo est resté à l'accueil du soir : l'absence ne peut pas être enregistrée."),
        )
        .await?;
        let phone = self.change_phone(&hugo, "06 98 76 54 00").await?;
        self.decide(
            std::slice::from_ref(&phone),
            Decision::Accepted,
            Some("Numéro mis à jour, merci."),
        )
        .await?;

        // Today: what is pending, what the commune decides in this window
        // (its processing e-mail is the next one), the waiting list.
        // Half an hour ago, but never before this window opened (at 13:05
        // the decisions of 12:35 would be in the window already sent).
        let window_start = marelle_domain::digest_window::window_of(now).start();
        clock.set(
            (now - Duration::minutes(30))
                .max(window_start + Duration::seconds(1))
                .min(now),
        );
        let next_monday = nth(today + Duration::days(1), chrono::Weekday::Mon, 0);
        let coming = self
            .ask(
                &self.parent,
                json!({"kind": "reservation", "child_id": timeo, "activity_id": a.peri_soir,
                       "from": next_monday, "to": next_monday + Duration::days(11),
                       "weekdays": school_days, "mode": "valid_days"}),
            )
            .await?;
        // The first two days accepted now, one refused now, the rest pending.
        if coming.len() >= 3 {
            self.decide(&coming[..2], Decision::Accepted, None).await?;
            self.decide(
                &coming[2..3],
                Decision::Refused,
                Some(
                    "Le groupe du soir est complet ce jour-là : nous vous proposons le lendemain.",
                ),
            )
            .await?;
            // An absence asked on an accepted day: pending.
            let first = next_monday;
            self.ask(
                &self.parent,
                json!({"kind": "absence", "child_id": timeo, "activity_id": a.peri_soir,
                       "dates": [first], "reason": "Son père vient le chercher à 16:30"}),
            )
            .await?;
        }
        // Maéva's evening care of the coming days, asked today: pending.
        self.ask(
            &self.parent,
            json!({"kind": "reservation", "child_id": maeva, "activity_id": a.peri_soir,
                   "from": today, "to": today + Duration::days(7),
                   "weekdays": school_days, "mode": "valid_days"}),
        )
        .await?;
        // The Wednesday workshop, asked a week ago: its deadline is the
        // Monday of the week before, so on a Monday evening the Wednesday
        // after next is closed already. The Durand children took both
        // places of the first Wednesday then open from a week ahead, and
        // Maéva went on its waiting list; today she asks the one after.
        let during = clock.now();
        let week_ago = now - Duration::days(7);
        clock.set(week_ago);
        let wednesday = self.open_wednesday(&a.atelier, today, week_ago).await?;
        let mut taken = Vec::new();
        for c in [&ines, &noah] {
            taken.extend(
                self.ask(
                    &self.other,
                    json!({"kind": "reservation", "child_id": c, "activity_id": a.atelier,
                           "dates": [wednesday]}),
                )
                .await?,
            );
        }
        self.decide(&taken, Decision::Accepted, None).await?;
        self.ask(
            &self.parent,
            json!({"kind": "reservation", "child_id": maeva, "activity_id": a.atelier,
                   "dates": [wednesday], "waiting_list": true}),
        )
        .await?;
        clock.set(during);
        self.ask(
            &self.parent,
            json!({"kind": "reservation", "child_id": maeva, "activity_id": a.atelier,
                   "dates": [wednesday + Duration::days(7)]}),
        )
        .await?;
        // The holiday centre: Maéva's first three days of the coming
        // school holidays (a week ahead at least), waiting for the commune.
        if let Ok(Some((centre, _))) =
            marelle_api::planning::store::activity(&self.local.state, &a.centre).await
        {
            let calendar = &self.local.state.settings.calendar;
            let days: Vec<NaiveDate> = (8..200)
                .map(|n| today + Duration::days(n))
                .filter(|d| centre.runs_on(*d, calendar).is_ok())
                .take(3)
                .collect();
            if !days.is_empty() {
                self.ask(
                    &self.parent,
                    json!({"kind": "reservation", "child_id": maeva, "activity_id": a.centre,
                           "dates": days, "mode": "valid_days"}),
                )
                .await?;
            }
        }
        // A dossier change still waiting for the commune.
        self.change_phone(&hugo, "06 98 76 54 32").await?;
        let camille = m
            .guardians
            .first()
            .map(|g| g.id.clone())
            .ok_or_else(|| fail("responsable introuvable"))?;
        self.regies().await?;
        self.invoices(martin, &camille, today).await?;
        // Last: the documents made mandatory here would refuse the
        // reservations asked above.
        self.documents(&a, &maeva, &timeo).await?;
        self.invoicing(&a, martin, durand, (&maeva, &timeo)).await?;
        Ok(())
    }

    /// Invoicing from the planning: the régies' codes, each activity's
    /// billing settings and tariff (a grid by quotient familial), the
    /// families' QFs, and Maéva's canteen and Timéo's evening care on every
    /// day they ran last month, so that last month's dry run shows lines.
    async fn invoicing(
        &self,
        a: &Ids,
        martin: &str,
        durand: &str,
        (maeva, timeo): (&str, &str),
    ) -> Result<(), String> {
        use marelle_domain::keys;
        let app = self.app();
        let regies = marelle_api::billing::regies::list(&app)
            .await
            .map_err(|e| fail(e.detail))?;
        let mut ids = Vec::new();
        for (name, code) in [
            ("Restauration scolaire", "REST"),
            ("Accueil périscolaire", "PERI"),
        ] {
            let Some(r) = regies.iter().find(|r| r.name == name) else {
                return Err(fail(format!("régie {name} introuvable")));
            };
            let patch = serde_json::from_value(json!({ "code": code })).map_err(fail)?;
            let answered = marelle_api::billing::regies::update_regie(
                State(app.clone()),
                Agent(self.agent.clone()),
                Path(r.id.clone()),
                JsonBody(patch),
            )
            .await;
            answer(answered, name).await?;
            ids.push(r.id.clone());
        }
        let grid = |unit: &str, prices: [i64; 3], second: Value| {
            json!({"versions": [{
                "effective_from": "2020-01-01", "unit": unit,
                "brackets": [
                    {"from_euros": 0, "to_euros": 600, "cents": prices[0]},
                    {"from_euros": 600, "to_euros": 1200, "cents": prices[1]},
                    {"from_euros": 1200, "cents": prices[2]}
                ],
                "second_child": second, "outside_cents": prices[2] + 70,
                "default_cents": prices[2]
            }]})
        };
        for (activity, regie, tariff) in [
            (
                &a.repas,
                &ids[0],
                grid("meal", [150, 325, 450], json!({"percent": 10})),
            ),
            (
                &a.peri_matin,
                &ids[1],
                grid("slot", [80, 120, 160], Value::Null),
            ),
            (
                &a.peri_soir,
                &ids[1],
                grid("half_day", [150, 210, 280], json!({"cents": 30})),
            ),
            (
                &a.atelier,
                &ids[1],
                grid("slot", [300, 400, 500], Value::Null),
            ),
            (
                &a.centre,
                &ids[1],
                grid("day", [900, 1250, 1600], json!({"percent": 15})),
            ),
        ] {
            let mut tariff = tariff;
            tariff["activity_id"] = json!(activity);
            let mut item = Item::new(keys::activity_billing(activity));
            item.set("regie_id", json!(regie));
            item.set("billed_on", json!("reserved"));
            item.set("tariff", tariff);
            item.set("version", json!(1));
            app.store.put(item, None).await.map_err(fail)?;
        }
        let today = marelle_domain::time::local_date(self.local.clock.now());
        let first = today.with_day(1).unwrap_or(today);
        let last_month = first
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(first);
        for (family, euros) in [(martin, 850), (durand, 450)] {
            let mut item = Item::new(keys::quotients(family));
            item.set(
                "quotients",
                json!([{"euros": euros, "dated": last_month - Duration::days(180),
                        "valid_until": last_month + Duration::days(365), "source": "agent"}]),
            );
            item.set("version", json!(1));
            app.store.put(item, None).await.map_err(fail)?;
        }
        // Last month's days, reserved (a day already in the planning stays
        // as it is).
        let calendar = &app.settings.calendar;
        for (child, activity) in [(maeva, &a.repas), (timeo, &a.peri_soir)] {
            let Ok(Some((act, _))) = marelle_api::planning::store::activity(&app, activity).await
            else {
                continue;
            };
            let mut day = last_month;
            while day < first {
                if act.runs_on(day, calendar).is_ok() {
                    let slot = marelle_domain::planning::Slot {
                        date: day,
                        child_id: child.to_string(),
                        activity_id: activity.clone(),
                        state: marelle_domain::planning::SlotState::Reserved,
                        request_id: format!("DEMO-{day}"),
                        reservation_id: None,
                        holds_place: false,
                        version: 1,
                    };
                    let item = marelle_api::planning::store::slot_item(martin, &slot)
                        .map_err(|e| fail(e.detail))?;
                    match app.store.put(item, Some(Condition::NotExists)).await {
                        Ok(()) => {}
                        Err(e) if e.is_condition_failed() => {}
                        Err(e) => return Err(fail(e)),
                    }
                }
                day += Duration::days(1);
            }
        }
        Ok(())
    }

    /// Pièces justificatives: three types, and the Martin family's files in
    /// every state. Maéva's vaccination record accepted; her insurance
    /// refused with the reason (the workshop, which needs it, warns her on
    /// the planning); Timéo's insurance sent today, in the agent's queue
    /// with the file shown; the family's proof of address still to send.
    async fn documents(&self, a: &Ids, maeva: &str, timeo: &str) -> Result<(), String> {
        let vaccines = self
            .document_type(json!({
                "name": "Carnet de vaccination", "scope": "child", "validity": "permanent",
                "mandatory_for": [a.centre],
                "help": "Les pages des vaccins obligatoires, avec le nom de l'enfant."
            }))
            .await?;
        let insurance = self
            .document_type(json!({
                "name": "Attestation d'assurance scolaire et extra-scolaire", "scope": "child",
                "validity": "school_year", "mandatory_for": [a.atelier, a.centre],
                "help": "L'attestation de votre assureur pour l'année scolaire en cours."
            }))
            .await?;
        self.document_type(json!({
            "name": "Justificatif de domicile (moins de 3 mois)", "scope": "family",
            "validity": "months:3",
            "help": "Facture d'énergie, de téléphone ou avis d'imposition."
        }))
        .await?;
        let accepted = self
            .send_document(&vaccines, Some(maeva), "carnet-maeva.pdf")
            .await?;
        self.decide(&[accepted], Decision::Accepted, None).await?;
        let refused = self
            .send_document(&insurance, Some(maeva), "assurance-maeva.pdf")
            .await?;
        self.decide(
            &[refused],
            Decision::Refused,
            Some("L'attestation ne couvre que le temps scolaire : il nous faut aussi les activités extra-scolaires."),
        )
        .await?;
        self.send_document(&insurance, Some(timeo), "assurance-timeo.pdf")
            .await?;
        Ok(())
    }

    async fn document_type(&self, body: Value) -> Result<String, String> {
        let new = serde_json::from_value(body).map_err(fail)?;
        let r = marelle_api::documents::types::create_type(
            State(self.app()),
            Agent(self.agent.clone()),
            JsonBody(new),
        )
        .await;
        id_of(&answer(r, "pièce justificative").await?)
    }

    /// A PDF sent by the demo parent as the browser does (grant, file,
    /// confirmation): the id of its request.
    async fn send_document(
        &self,
        type_id: &str,
        child_id: Option<&str>,
        file_name: &str,
    ) -> Result<String, String> {
        use marelle_api::documents::upload;
        let bytes = demo_pdf(file_name);
        let body = serde_json::from_value(json!({
            "type_id": type_id, "child_id": child_id, "file_name": file_name,
            "content_type": "application/pdf", "size": bytes.len()
        }))
        .map_err(fail)?;
        let r = upload::start(
            State(self.app()),
            Parent(self.parent.clone()),
            ClientIp(std::net::IpAddr::from([127, 0, 0, 1])),
            UrlQuery(FamilyParam { family_id: None }),
            JsonBody(body),
        )
        .await;
        let grant = answer(r, "envoi d'une pièce").await?;
        let upload_id = grant["upload_id"].as_str().unwrap_or_default().to_string();
        let key = upload::staged_key(&self.local.state, &upload_id)
            .await
            .map_err(|e| fail(e.detail))?
            .ok_or_else(|| fail("envoi introuvable"))?;
        self.local
            .state
            .blobs
            .put(&key, bytes, "application/pdf")
            .await
            .map_err(|e| fail(format!("{e:?}")))?;
        let body = serde_json::from_value(json!({"upload_id": upload_id})).map_err(fail)?;
        let r = upload::confirm(
            State(self.app()),
            Parent(self.parent.clone()),
            JsonBody(body),
        )
        .await;
        let sent = answer(r, "pièce justificative envoyée").await?;
        sent["request_id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| fail("demande introuvable"))
    }

    /// The commune's two régies, the services the demo invoices come from.
    async fn regies(&self) -> Result<(), String> {
        for body in [
            json!({"name": "Restauration scolaire", "numcli": "000001",
                   "email": "restauration@villebois.fr"}),
            json!({"name": "Accueil périscolaire", "email": "periscolaire@villebois.fr"}),
        ] {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            let new = serde_json::from_value(body).map_err(fail)?;
            let r = marelle_api::billing::regies::create_regie(
                State(self.app()),
                Agent(self.agent.clone()),
                JsonBody(new),
            )
            .await;
            answer(r, &name).await?;
        }
        Ok(())
    }

    /// The Martin family's invoices of the last five months: one paid by
    /// cheque, one partly paid, one cancelled, two to pay.
    async fn invoices(&self, family: &str, guardian: &str, today: NaiveDate) -> Result<(), String> {
        const MONTHS: [&str; 12] = [
            "Janvier",
            "Février",
            "Mars",
            "Avril",
            "Mai",
            "Juin",
            "Juillet",
            "Août",
            "Septembre",
            "Octobre",
            "Novembre",
            "Décembre",
        ];
        let first = today.with_day(1).unwrap_or(today);
        let line = |child: &str, activity: &str, period: &str, quantity: i64, unit: i64| {
            json!({"label": format!("{activity} – {child}"), "child": child, "activity": activity,
                   "period": period, "quantity": quantity, "unit_price_cents": unit,
                   "amount_cents": quantity * unit})
        };
        // (child, activity, quantity, unit price in cents)
        type Row<'a> = (&'a str, &'a str, i64, i64);
        let canteen = "Restauration scolaire";
        let care = "Accueil périscolaire";
        // (months back, service, lines)
        let plan: [(u32, &str, [Row; 2]); 5] = [
            (
                5,
                canteen,
                [("Maéva", "Repas", 15, 385), ("Timéo", "Repas", 15, 385)],
            ),
            (
                4,
                care,
                [
                    ("Timéo", "Péri MATIN", 12, 210),
                    ("Timéo", "Péri SOIR", 10, 280),
                ],
            ),
            (
                3,
                care,
                [
                    ("Timéo", "Péri MATIN", 14, 210),
                    ("Maéva", "Péri SOIR", 8, 280),
                ],
            ),
            (
                2,
                canteen,
                [("Maéva", "Repas", 16, 385), ("Timéo", "Repas", 14, 385)],
            ),
            (
                1,
                care,
                [
                    ("Timéo", "Péri SOIR", 11, 280),
                    ("Maéva", "Péri SOIR", 6, 280),
                ],
            ),
        ];
        let mut ids = Vec::new();
        for (n, (back, service, rows)) in plan.into_iter().enumerate() {
            // Issued early in the month for the month before.
            let issued = first
                .checked_sub_months(chrono::Months::new(back - 1))
                .unwrap_or(first)
                + Duration::days(4);
            let issued = issued.min(today);
            let billed = issued
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(issued);
            let period = format!("{} {}", MONTHS[billed.month0() as usize], billed.year());
            let number = format!("FAC-{}-{:04}", issued.year(), 101 + n);
            let lines: Vec<Value> = rows
                .iter()
                .map(|(child, activity, q, unit)| line(child, activity, &period, *q, *unit))
                .collect();
            let body = json!({
                "family_id": family, "guardian_id": guardian,
                "emission_code": format!("DEMO{}", issued.format("%Y%m")),
                "reference": number, "number": number,
                "issued_on": issued, "due_on": issued + Duration::days(30),
                "service": service, "issuer": "Mairie de Villebois", "lines": lines,
            });
            let new = serde_json::from_value(body).map_err(fail)?;
            let r = marelle_api::agent::families::create_invoice(
                State(self.app()),
                Agent(self.agent.clone()),
                JsonBody(new),
            )
            .await;
            let created = answer(r, &number).await?;
            let amount = rows.iter().map(|(_, _, q, unit)| q * unit).sum::<i64>();
            ids.push((id_of(&created)?, issued, amount));
        }
        let pay = |(id, issued, _): &(String, NaiveDate, i64),
                   number: &str,
                   method: &str,
                   amount: i64| {
            let date = (*issued + Duration::days(12)).min(today);
            json!({"invoice_id": id, "number": number, "date": date, "method": method,
                   "amount_cents": amount})
        };
        let mut payments = Vec::new();
        if let Some(paid) = ids.first() {
            payments.push(pay(paid, "4587123", "cheque", paid.2));
        }
        if let Some(partly) = ids.get(3) {
            payments.push(pay(partly, "VIR-2026-88", "transfer", 5000));
        }
        for body in payments {
            let new = serde_json::from_value(body).map_err(fail)?;
            let r = marelle_api::billing::record_payment(
                State(self.app()),
                Agent(self.agent.clone()),
                JsonBody(new),
            )
            .await;
            answer(r, "règlement").await?;
        }
        // The last one, paid online by the demo parent through the
        // payment sandbox (as on the portal: start, the sandbox's "Payer",
        // its notification).
        if let Some((online, _, _)) = ids.get(4)
            && self.local.state.payments.is_some()
        {
            self.pay_online(online).await?;
        }
        if let Some((cancelled, _, _)) = ids.get(1) {
            let body = serde_json::from_value(json!({
                "reason": "Erreur de tarif : facture remplacée par la suivante."
            }))
            .map_err(fail)?;
            let r = marelle_api::billing::cancel_invoice(
                State(self.app()),
                Agent(self.agent.clone()),
                Path(cancelled.clone()),
                JsonBody(body),
            )
            .await;
            answer(r, "annulation").await?;
        }
        Ok(())
    }
}

/// Monday to Friday (or the days given), `start` to `end`.
fn schedule(days: &[&str], start: &str, end: &str) -> Value {
    Value::Array(
        days.iter()
            .map(|d| json!({"weekday": d, "start": start, "end": end}))
            .collect(),
    )
}

impl Demo<'_> {
    /// Préinscription en crèche: three crèches with their ages and
    /// sections, and four applications of the Leroy and Fontaine families
    /// in the states an agent meets: a baby expected (submitted), Jade
    /// under review, Lina offered a place (to answer within a week), Sacha
    /// waiting. Dates from today, whatever the day and the hour.
    async fn creche(
        &self,
        leroy: (&CurrentAccount, &str),
        fontaine: (&CurrentAccount, &str),
    ) -> Result<(), String> {
        use marelle_api::creche::{agent, applications, structures};
        let mut ids = Vec::new();
        for body in [
            json!({"name": "Les Petits Pas", "address": "4 rue des Écoles, Villebois",
            "age_from_months": 2, "age_to_months": 36,
            "groups": [
                {"name": "Bébés", "from_months": 2, "to_months": 15, "places": 10},
                {"name": "Moyens", "from_months": 15, "to_months": 24, "places": 12},
                {"name": "Grands", "from_months": 24, "to_months": 36, "places": 14}
            ]}),
            json!({"name": "Multi-accueil des Tilleuls", "address": "20 allée des Tilleuls, Villebois",
            "age_from_months": 3, "age_to_months": 36,
            "groups": [
                {"name": "Petits", "from_months": 3, "to_months": 18, "places": 12},
                {"name": "Grands", "from_months": 18, "to_months": 36, "places": 18}
            ]}),
            json!({"name": "Les Lucioles", "address": "1 place de la Mairie, Villebois",
            "age_from_months": 12, "age_to_months": 36,
            "groups": [
                {"name": "Moyens-Grands", "from_months": 12, "to_months": 36, "places": 16}
            ]}),
        ] {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            let new = serde_json::from_value(body).map_err(fail)?;
            let r = structures::create(State(self.app()), Agent(self.agent.clone()), JsonBody(new))
                .await;
            ids.push(id_of(&answer(r, &name).await?)?);
        }
        let [petits_pas, tilleuls, lucioles] = ids.as_slice() else {
            return Err(fail("crèches introuvables"));
        };
        let now = self.local.clock.now();
        let dates = CrecheDates::from(marelle_domain::time::local_date(now));
        let today = dates.today;
        let app = self.app();
        let children = |family: String| {
            let app = app.clone();
            async move {
                marelle_api::family::store::load(&app, &family)
                    .await
                    .map_err(|e| fail(e.detail))?
                    .map(|l| {
                        l.dossier
                            .children
                            .iter()
                            .map(|c| c.id.clone())
                            .collect::<Vec<_>>()
                    })
                    .ok_or_else(|| fail("famille introuvable"))
            }
        };
        let leroy_children = children(leroy.1.to_string()).await?;
        let fontaine_children = children(fontaine.1.to_string()).await?;
        let (Some(jade), [lina, sacha]) = (leroy_children.first(), fontaine_children.as_slice())
        else {
            return Err(fail("enfants introuvables"));
        };
        let apply = |who: &CurrentAccount, family: &str, body: Value| {
            let (app, who, family) = (self.app(), who.clone(), family.to_string());
            async move {
                let new = serde_json::from_value(body).map_err(fail)?;
                let r = applications::create(
                    State(app),
                    Parent(who),
                    UrlQuery(FamilyParam {
                        family_id: Some(family),
                    }),
                    JsonBody(new),
                )
                .await;
                id_of(&answer(r, "préinscription en crèche").await?)
            }
        };
        let status = |id: String, status: &str, message: Option<&str>| {
            let body = json!({"status": status, "message": message});
            let (app, agent_account) = (self.app(), self.agent.clone());
            async move {
                let body = serde_json::from_value(body).map_err(fail)?;
                let r =
                    agent::set_status(State(app), Agent(agent_account), Path(id), JsonBody(body))
                        .await;
                answer(r, "état de la préinscription").await.map(|_| ())
            }
        };
        let both_work = json!({"parents_work": ["employed", "employed"], "siblings_in_creche": 0});
        let week = ["mon", "tue", "wed", "thu", "fri"];
        // A baby due in four months, to start at three months or so.
        apply(
            leroy.0,
            leroy.1,
            json!({
                "expected": {"due_date": dates.due, "first_name": "Léon"},
                "start_date": dates.expected_start,
                "schedule": schedule(&week, "08:30", "17:30"),
                "structures": [petits_pas, tilleuls],
                "situation": {"parents_work": ["employed", "parental_leave"], "siblings_in_creche": 0},
                "comment": "Jade, sa grande sœur, est aussi préinscrite."
            }),
        )
        .await?;
        // Jade, 10 months: four days a week, under review.
        let jade_app = apply(
            leroy.0,
            leroy.1,
            json!({
                "child_id": jade,
                "start_date": dates.jade_start,
                "schedule": schedule(&["mon", "tue", "thu", "fri"], "08:00", "17:00"),
                "structures": [petits_pas, tilleuls],
                "situation": {"parents_work": ["employed", "parental_leave"], "siblings_in_creche": 0}
            }),
        )
        .await?;
        status(jade_app, "under_review", None).await?;
        // The twins, 20 months: Lina offered a place, Sacha waiting.
        let start = dates.twins_start;
        let lina_app = apply(
            fontaine.0,
            fontaine.1,
            json!({
                "child_id": lina, "start_date": start,
                "schedule": schedule(&week, "08:30", "18:00"),
                "structures": [tilleuls, lucioles], "situation": both_work,
                "comment": "Nos jumeaux, si possible dans la même crèche."
            }),
        )
        .await?;
        let sacha_app = apply(
            fontaine.0,
            fontaine.1,
            json!({
                "child_id": sacha, "start_date": start,
                "schedule": schedule(&week, "08:30", "18:00"),
                "structures": [tilleuls, lucioles], "situation": both_work,
                "comment": "Nos jumeaux, si possible dans la même crèche."
            }),
        )
        .await?;
        status(lina_app.clone(), "under_review", None).await?;
        status(sacha_app.clone(), "under_review", None).await?;
        status(
            sacha_app,
            "waiting",
            Some("Aucune place ne se libère pour l'instant dans la section des grands : votre demande reste en liste d'attente."),
        )
        .await?;
        // To answer within a week, at 18:00 (Paris).
        let deadline = marelle_domain::time::ZONE
            .from_local_datetime(
                &(today + Duration::days(7))
                    .and_hms_opt(18, 0, 0)
                    .unwrap_or_default(),
            )
            .earliest()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(now + Duration::days(7));
        let body = serde_json::from_value(json!({
            "structure_id": tilleuls, "start_date": start, "deadline": deadline,
            "message": "Une place se libère dans la section des grands."
        }))
        .map_err(fail)?;
        let r = agent::offer(
            State(self.app()),
            Agent(self.agent.clone()),
            Path(lina_app),
            JsonBody(body),
        )
        .await;
        answer(r, "proposition de place").await?;
        Ok(())
    }
}

impl Demo<'_> {
    /// Pays an invoice online as the demo parent, through the sandbox.
    async fn pay_online(&self, invoice: &str) -> Result<(), String> {
        let r = marelle_api::billing::online::start(
            State(self.app()),
            Parent(self.parent.clone()),
            Path(invoice.to_string()),
            UrlQuery(marelle_api::billing::FamilyParam { family_id: None }),
        )
        .await;
        let started = answer(r, "paiement en ligne").await?;
        let idop = started["redirect_url"]
            .as_str()
            .and_then(|u| u.split_once("idop="))
            .map(|(_, i)| i.to_string())
            .ok_or_else(|| fail("paiement en ligne sans transaction"))?;
        marelle_api::billing::sandbox::pay_as(&self.app(), &idop, "P")
            .await
            .map_err(|e| fail(e.detail))
    }
}

impl Demo<'_> {
    /// Attendance: a staff account for the canteen and the evening care,
    /// and the marks of their days from 8 to 18 days ago (the last week
    /// left to take, as on site).
    async fn attendance(&self) -> Result<(), String> {
        use marelle_api::invoicing::attendance::{self as att, Attendant};
        let app = self.app();
        let all = att::activities(
            State(app.clone()),
            Attendant {
                account_id: self.agent.account_id.clone(),
                activities: None,
            },
        )
        .await
        .map_err(|e| fail(e.detail))?
        .0;
        let named = |prefix: &str| {
            all.items
                .iter()
                .find(|a| a.name.starts_with(prefix))
                .map(|a| a.id.clone())
                .ok_or_else(|| fail(format!("activité {prefix} introuvable")))
        };
        let activities = vec![named("2/Repas")?, named("4/Péri SOIR")?];
        let staff = match marelle_api::accounts::create_staff_account(
            &app,
            "Nadia",
            "Animation",
            STAFF_EMAIL,
            STAFF_PASSWORD,
            &activities,
        )
        .await
        {
            Ok(a) => a.id,
            Err(CreateAccountError::EmailTaken(_)) => return Ok(()),
            Err(e) => return Err(fail(e)),
        };
        let who = Attendant {
            account_id: staff,
            activities: Some(activities.clone()),
        };
        let today = all.today;
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        );
        for activity in &activities {
            let mut marked_days = 0;
            for back in 8..=18 {
                let date = today - Duration::days(back);
                let sheet = att::day_sheet(
                    State(app.clone()),
                    who.clone(),
                    Path(activity.clone()),
                    UrlQuery(att::DayParam { date }),
                )
                .await
                .map_err(|e| fail(e.detail))?
                .into_response();
                let bytes = axum::body::to_bytes(sheet.into_body(), 4 * 1024 * 1024)
                    .await
                    .map_err(fail)?;
                let sheet: att::Sheet = serde_json::from_slice(&bytes).map_err(fail)?;
                if !sheet.runs {
                    continue;
                }
                marked_days += 1;
                for c in &sheet.children {
                    let mark = match c.group {
                        att::SheetGroup::Expected if marked_days == 2 => "absent_unexcused",
                        att::SheetGroup::Expected => "present",
                        att::SheetGroup::NotReserved if marked_days == 3 => "arrived_unreserved",
                        _ => continue,
                    };
                    let _recorded = att::set_mark(
                        State(app.clone()),
                        who.clone(),
                        Path((activity.clone(), date.to_string(), c.child_id.clone())),
                        headers.clone(),
                        axum::body::Bytes::from(json!({ "mark": mark }).to_string()),
                    )
                    .await
                    .map_err(|e| fail(e.detail))?;
                }
            }
        }
        Ok(())
    }
}

fn print_accounts() {
    println!(
        "Démo : parent {PARENT_EMAIL} / {PARENT_PASSWORD} ; agent {AGENT_EMAIL} / {AGENT_PASSWORD} ; autre parent {OTHER_PARENT_EMAIL} / {PARENT_PASSWORD} ; crèche {} et {} / {PARENT_PASSWORD} ; pointage {STAFF_EMAIL} / {STAFF_PASSWORD}",
        CRECHE_PARENT_EMAILS[0], CRECHE_PARENT_EMAILS[1]
    );
}

/// A one-page PDF saying `text` (no script, no embedded file).
fn demo_pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 24 Tf 72 720 Td (Demo : {text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whole months from `born` to `on`.
    fn age_months(born: NaiveDate, on: NaiveDate) -> i32 {
        let months = (on.year() - born.year()) * 12 + on.month() as i32 - born.month() as i32;
        if on.day() < born.day() {
            months - 1
        } else {
            months
        }
    }

    #[test]
    fn the_creche_dates_hold_on_every_day_of_two_years() {
        let mut today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        for _ in 0..731 {
            let d = CrecheDates::from(today);
            for start in [d.jade_start, d.twins_start, d.expected_start] {
                assert!(start > today, "{today}: {start}");
                assert!(start <= today + Duration::days(365 * 3), "{today}");
            }
            assert!(d.due > today && d.expected_start >= d.due, "{today}");
            // Under 3 at the start, and in every demo crèche's ages.
            let jade = age_months(d.jade_born, d.jade_start);
            assert!((10..=13).contains(&jade), "{today}: Jade {jade}");
            let twins = age_months(d.twins_born, d.twins_start);
            assert!((20..=22).contains(&twins), "{today}: twins {twins}");
            let baby = age_months(d.due, d.expected_start);
            assert!((3..=5).contains(&baby), "{today}: baby {baby}");
            assert_eq!(age_months(d.jade_born, today), 10, "{today}");
            assert_eq!(age_months(d.twins_born, today), 20, "{today}");
            today += Duration::days(1);
        }
    }
}
