//! A new family as an agent creates it (or as the CSV import reads it).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::changes::{BankPatch, ChildPatch, GuardianPatch, PatchError};
use super::model::{
    Address, Appliances, Authorizations, Bank, Child, FamilySituation, Fiscal, Guardian, Health,
    Insurance, Quality, Sex,
};
use crate::accounts::{Civility, FieldError};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGuardian {
    #[serde(default)]
    pub civility: Option<Civility>,
    #[serde(default)]
    pub family_situation: Option<FamilySituation>,
    pub last_name: String,
    pub first_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub quality: Option<Quality>,
    #[serde(default = "yes")]
    pub accepts_email: bool,
    #[serde(default)]
    pub accepts_sms: bool,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub bank: Option<Bank>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChild {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    #[serde(default)]
    pub insurance: Option<Insurance>,
    #[serde(default)]
    pub authorizations: Option<Authorizations>,
    #[serde(default)]
    pub appliances: Option<Appliances>,
    #[serde(default)]
    pub health: Option<Health>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFamily {
    /// "Famille DUPONT" when left out.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub fiscal: Option<Fiscal>,
    pub guardians: Vec<NewGuardian>,
    #[serde(default)]
    pub children: Vec<NewChild>,
}

/// A checked new family: its people with ids and codes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidFamily {
    pub label: String,
    pub fiscal: Option<Fiscal>,
    pub guardians: Vec<Guardian>,
    pub children: Vec<Child>,
}

fn prefix(errors: Vec<FieldError>, at: &str) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            e.field = format!("{at}.{}", e.field);
            e
        })
        .collect()
}

impl NewFamily {
    /// Checks every person with the same rules as a family's changes.
    pub fn validate(
        self,
        today: NaiveDate,
        new_id: &mut dyn FnMut() -> String,
        new_personal_code: &mut dyn FnMut() -> String,
    ) -> Result<ValidFamily, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.guardians.is_empty() {
            errors.push(FieldError::new(
                "guardians",
                "required",
                "Une famille a au moins un responsable.",
            ));
        }
        if self.guardians.len() > 4 || self.children.len() > 15 {
            errors.push(FieldError::new(
                "guardians",
                "too_many",
                "Au plus 4 responsables et 15 enfants par famille.",
            ));
        }
        let mut guardians = Vec::new();
        for (i, g) in self.guardians.into_iter().enumerate() {
            let blank = Guardian {
                id: new_id(),
                civility: None,
                family_situation: None,
                last_name: String::new(),
                first_name: String::new(),
                email: String::new(),
                phone: String::new(),
                mobile: String::new(),
                quality: None,
                accepts_email: false,
                accepts_sms: false,
                address: None,
                bank: None,
                personal_code: new_personal_code(),
            };
            let patch = GuardianPatch {
                civility: g.civility,
                family_situation: g.family_situation,
                last_name: Some(g.last_name),
                first_name: Some(g.first_name),
                email: Some(g.email),
                phone: Some(g.phone),
                mobile: Some(g.mobile),
                quality: g.quality,
                accepts_email: Some(g.accepts_email),
                accepts_sms: Some(g.accepts_sms),
                address: g.address,
                bank: g.bank.map(|b| BankPatch {
                    holder: b.holder,
                    iban: Some(b.iban),
                    bic: b.bic,
                }),
            };
            match patch.validate(&blank) {
                Ok(set) => match set.apply_to_guardian(&blank) {
                    Ok(g) => guardians.push(g),
                    Err(e) => {
                        errors.push(FieldError::new(&format!("guardians[{i}]"), "invalid", e))
                    }
                },
                Err(PatchError::NoChange) => errors.push(FieldError::new(
                    &format!("guardians[{i}].last_name"),
                    "required",
                    "Le nom est obligatoire.",
                )),
                Err(PatchError::Invalid(e)) => errors.extend(prefix(e, &format!("guardians[{i}]"))),
            }
        }
        let mut children = Vec::new();
        for (i, c) in self.children.into_iter().enumerate() {
            let blank = Child {
                id: new_id(),
                last_name: String::new(),
                first_name: String::new(),
                birth_date: c.birth_date,
                sex: c.sex,
                insurance: Insurance::default(),
                authorizations: Authorizations::default(),
                appliances: Appliances::default(),
                health: Health::default(),
                contacts: Vec::new(),
                photo_key: None,
            };
            let patch = ChildPatch {
                last_name: Some(c.last_name),
                first_name: Some(c.first_name),
                birth_date: None,
                sex: None,
                insurance: c.insurance,
                appliances: c.appliances,
                authorizations: c.authorizations,
                health: c.health,
                contacts: None,
            };
            if let Err(e) = super::changes::birth_date(c.birth_date, today) {
                errors.extend(prefix(vec![e], &format!("children[{i}]")));
                continue;
            }
            match patch.validate(&blank, today, new_id) {
                Ok(set) => match set.apply_to_child(&blank) {
                    Ok(c) => children.push(c),
                    Err(e) => errors.push(FieldError::new(&format!("children[{i}]"), "invalid", e)),
                },
                Err(PatchError::NoChange) => errors.push(FieldError::new(
                    &format!("children[{i}].last_name"),
                    "required",
                    "Le nom est obligatoire.",
                )),
                Err(PatchError::Invalid(e)) => errors.extend(prefix(e, &format!("children[{i}]"))),
            }
        }
        let label = match self.label.as_deref().map(str::trim) {
            Some(l) if !l.is_empty() => {
                match super::fields::text("label", "Nom de la famille", l, 100, true) {
                    Ok(l) => l,
                    Err(e) => {
                        errors.push(e);
                        String::new()
                    }
                }
            }
            _ => guardians
                .first()
                .map(|g| format!("Famille {}", g.last_name.to_uppercase()))
                .unwrap_or_default(),
        };
        if errors.is_empty() {
            Ok(ValidFamily {
                label,
                fiscal: self.fiscal,
                guardians,
                children,
            })
        } else {
            Err(errors)
        }
    }
}
