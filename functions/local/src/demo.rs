//! `--demo`: fills an empty store with a demo commune. The accounts are
//! printed at start and listed in the README.

use marelle_api::accounts::{CreateAccountError, create_active_account};
use marelle_domain::accounts::{Civility, Role};
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
    for (role, civility, first, last, email, password) in accounts {
        match create_active_account(&local.state, role, civility, first, last, email, password)
            .await
        {
            Ok(_) | Err(CreateAccountError::EmailTaken(_)) => {}
            Err(e) => return Err(format!("démo : {e}")),
        }
    }
    store
        .put(Item::new(marker()), Some(Condition::NotExists))
        .await
        .map_err(|e| e.to_string())?;
    print_accounts();
    Ok(())
}

fn print_accounts() {
    println!(
        "Démo : parent {PARENT_EMAIL} / {PARENT_PASSWORD} ; agent {AGENT_EMAIL} / {AGENT_PASSWORD}"
    );
}
