//! The dossier as the API shows it: to a family (IBANs masked), or to an
//! agent (everything, with codes and linked accounts).

use marelle_domain::accounts::Civility;
use marelle_domain::family::fields::mask_iban;
use marelle_domain::family::{
    Address, Appliances, Authorizations, Bank, BankView, Child, Contact, FamilySituation, Fiscal,
    Guardian, Health, Insurance, Quality, Sex, Target,
};
use marelle_domain::ports::blobs::STAGING_PREFIX;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::store::Loaded;
use crate::http::error::ApiResult;
use crate::http::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GuardianView {
    pub id: String,
    pub civility: Option<Civility>,
    pub family_situation: Option<FamilySituation>,
    pub last_name: String,
    pub first_name: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub quality: Option<Quality>,
    pub accepts_email: bool,
    pub accepts_sms: bool,
    pub address: Option<Address>,
    pub bank: Option<BankView>,
    /// Agents only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    /// Agents only: printed on invoices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_code: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChildView {
    pub id: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: chrono::NaiveDate,
    pub sex: Sex,
    pub insurance: Insurance,
    pub appliances: Appliances,
    pub authorizations: Authorizations,
    pub health: Health,
    /// A short-lived link to the photo.
    pub photo_url: Option<String>,
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingView {
    pub request_id: String,
    pub submitted_at: String,
    pub target: Target,
    /// New values by field (bank data masked for families).
    #[schema(value_type = Object)]
    pub changes: Map<String, Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DossierView {
    pub id: String,
    pub label: String,
    pub fiscal: Option<Fiscal>,
    pub guardians: Vec<GuardianView>,
    pub children: Vec<ChildView>,
    pub pending: Vec<PendingView>,
    /// Agents only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber_code: Option<String>,
    /// Agents only: the accounts linked to the family.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<Vec<SubscriberView>>,
    /// Agents only: the family's latest events (accounts unlinked or
    /// gone), newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<marelle_domain::family::history::FamilyEvent>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubscriberView {
    pub account_id: String,
    pub email: String,
    pub linked_at: String,
}

fn bank_view(b: &Bank) -> BankView {
    BankView {
        holder: b.holder.clone(),
        iban_masked: mask_iban(&b.iban),
        bic: b.bic.clone(),
    }
}

/// Masks the IBAN inside a change's values (families never see it whole).
pub fn mask_changes(mut changes: Map<String, Value>) -> Map<String, Value> {
    if let Some(bank) = changes.get_mut("bank")
        && let Some(iban) = bank.get("iban").and_then(Value::as_str).map(str::to_string)
        && let Value::Object(b) = bank
    {
        b.remove("iban");
        b.insert("iban_masked".into(), Value::String(mask_iban(&iban)));
    }
    changes
}

/// How long a photo's download link works, in seconds.
const PHOTO_LINK_SECS: u64 = 300;

/// A photo as the API shows it: a short-lived download link, never the
/// storage key it sits under. An upload still under the staging prefix
/// (writable through its upload URL, never checked) gets no link.
pub async fn photo_url(app: &AppState, key: &str) -> Option<String> {
    if key.starts_with(STAGING_PREFIX) {
        return None;
    }
    app.blobs.presign_download(key, PHOTO_LINK_SECS).await.ok()
}

/// The same for a value that may hold a key (a dossier change's old, new
/// or current photo).
pub async fn photo_link(app: &AppState, key: &Value) -> Value {
    match key.as_str() {
        Some(k) => photo_url(app, k)
            .await
            .map(Value::String)
            .unwrap_or(Value::Null),
        None => Value::Null,
    }
}

/// A new photo waiting for the commune shows as `photo_url`.
async fn with_photo_url(
    app: &AppState,
    mut changes: serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    if let Some(key) = changes.remove("photo_key") {
        changes.insert("photo_url".into(), photo_link(app, &key).await);
    }
    changes
}

fn guardian_view(g: &Guardian, for_agent: bool) -> GuardianView {
    GuardianView {
        id: g.id.clone(),
        civility: g.civility,
        family_situation: g.family_situation,
        last_name: g.last_name.clone(),
        first_name: g.first_name.clone(),
        email: g.email.clone(),
        phone: g.phone.clone(),
        mobile: g.mobile.clone(),
        quality: g.quality,
        accepts_email: g.accepts_email,
        accepts_sms: g.accepts_sms,
        address: g.address.clone(),
        bank: g.bank.as_ref().map(bank_view),
        iban: if for_agent {
            g.bank.as_ref().map(|b| b.iban.clone())
        } else {
            None
        },
        personal_code: for_agent.then(|| g.personal_code.clone()),
    }
}

async fn child_view(app: &AppState, c: &Child) -> ChildView {
    let photo_url = match &c.photo_key {
        Some(k) => photo_url(app, k).await,
        None => None,
    };
    ChildView {
        id: c.id.clone(),
        last_name: c.last_name.clone(),
        first_name: c.first_name.clone(),
        birth_date: c.birth_date,
        sex: c.sex,
        insurance: c.insurance.clone(),
        appliances: c.appliances,
        authorizations: c.authorizations,
        health: c.health.clone(),
        photo_url,
        contacts: c.contacts.clone(),
    }
}

pub async fn dossier(app: &AppState, loaded: &Loaded, for_agent: bool) -> ApiResult<DossierView> {
    let d = &loaded.dossier;
    let mut children = Vec::with_capacity(d.children.len());
    for c in &d.children {
        children.push(child_view(app, c).await);
    }
    let mut pending = Vec::with_capacity(loaded.pending.len());
    for p in &loaded.pending {
        let set = p.open(app)?;
        pending.push(PendingView {
            request_id: p.request_id.clone(),
            submitted_at: marelle_domain::time::rfc3339(p.submitted_at),
            target: p.target.clone(),
            changes: with_photo_url(
                app,
                if for_agent {
                    set.fields
                } else {
                    mask_changes(set.fields)
                },
            )
            .await,
        });
    }
    Ok(DossierView {
        id: d.family.id.clone(),
        label: d.family.label.clone(),
        fiscal: d.family.fiscal.clone(),
        guardians: d
            .guardians
            .iter()
            .map(|g| guardian_view(g, for_agent))
            .collect(),
        children,
        pending,
        subscriber_code: if for_agent {
            d.family
                .subscriber_code
                .as_deref()
                .map(marelle_domain::family::codes::display_code)
        } else {
            None
        },
        subscribers: None,
        history: None,
    })
}
