//! `--demo`: fills an empty store with a demo commune. The accounts are
//! printed at start and listed in the README.

use marelle_api::accounts::{CreateAccountError, create_active_account};
use marelle_domain::accounts::{Civility, Role};
use marelle_domain::family::{NewFamily, codes};
use marelle_domain::ports::store::{Condition, Item, Key};

use crate::compose::Local;

pub const PARENT_EMAIL: &str = "parent.demo@villebois.example";
pub const PARENT_PASSWORD: &str = "Famille2026";
pub const AGENT_EMAIL: &str = "agent.demo@villebois.example";
pub const AGENT_PASSWORD: &str = "Mairie2026";

fn marker() -> Key {
    Key::new("META#demo", "META")
}

pub async fn seed(local: &Local) -> Result<(), String> {
    let store = &local.state.store;
    if store
        .get(&marker())
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
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
    ];
    let mut parent_id = None;
    for (role, civility, first, last, email, password) in accounts {
        match create_active_account(&local.state, role, civility, first, last, email, password)
            .await
        {
            Ok(a) if role == Role::Parent => parent_id = Some(a.id),
            Ok(_) | Err(CreateAccountError::EmailTaken(_)) => {}
            Err(e) => return Err(format!("démo : {e}")),
        }
    }
    let family = demo_family(local).await?;
    if let Some(parent) = parent_id {
        marelle_api::subscriptions::link(&local.state, &parent, &family)
            .await
            .map_err(|e| format!("démo : {}", e.detail))?;
    }
    store
        .put(Item::new(marker()), Some(Condition::NotExists))
        .await
        .map_err(|e| e.to_string())?;
    print_accounts();
    Ok(())
}

/// The demo parent's family: two guardians, two children.
async fn demo_family(local: &Local) -> Result<String, String> {
    let app = &local.state;
    let new: NewFamily = serde_json::from_value(serde_json::json!({
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
    }))
    .map_err(|e| format!("démo : {e}"))?;
    let today = marelle_domain::time::local_date(app.clock.now());
    let ids = app.ids.clone();
    let valid = new
        .validate(today, &mut || ids.next(), &mut codes::new_personal_code)
        .map_err(|e| format!("démo : {e:?}"))?;
    let record =
        marelle_api::family::store::create(app, &valid, Some("DEMO-MARTIN".into()), Vec::new())
            .await
            .map_err(|e| format!("démo : {}", e.detail))?;
    Ok(record.id)
}

fn print_accounts() {
    println!(
        "Démo : parent {PARENT_EMAIL} / {PARENT_PASSWORD} ; agent {AGENT_EMAIL} / {AGENT_PASSWORD}"
    );
}
