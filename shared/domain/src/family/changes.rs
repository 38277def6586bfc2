//! Dossier changes: what a family submits (a patch), checked field by field
//! into a change set of normalized values that differ from the dossier;
//! applied to the dossier only when the commune accepts it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::fields;
use super::model::{
    Address, Appliances, Authorizations, Bank, Child, Contact, FamilyRecord, FamilySituation,
    Fiscal, Guardian, Health, Insurance, Quality, Relationship, Sex,
};
use crate::accounts::{Civility, Email, FieldError};

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// The family's shared data (fiscal information).
    Family,
    Guardian {
        id: String,
    },
    Child {
        id: String,
    },
    /// A child to add to the dossier (a birth declared), under the id it
    /// will have.
    NewChild {
        id: String,
    },
}

/// Normalized new values, by field, that differ from the dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    pub target: Target,
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatchError {
    Invalid(Vec<FieldError>),
    /// Every value given equals the dossier's.
    NoChange,
}

/// `PATCH /api/family`: the family's shared data.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyPatch {
    pub fiscal: Option<Fiscal>,
}

/// `PATCH /api/family/guardians/{id}`: any subset of the fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardianPatch {
    pub civility: Option<Civility>,
    pub family_situation: Option<FamilySituation>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub quality: Option<Quality>,
    pub accepts_email: Option<bool>,
    pub accepts_sms: Option<bool>,
    pub address: Option<Address>,
    pub bank: Option<BankPatch>,
}

/// New bank details. The IBAN on file is only ever shown masked, so a
/// family that changes only the holder or the BIC leaves `iban` out (or
/// empty) and the current one is kept.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankPatch {
    pub holder: String,
    #[serde(default)]
    pub iban: Option<String>,
    #[serde(default)]
    pub bic: String,
}

/// An authorized adult as a family submits it: without `id` it is new.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub id: Option<String>,
    pub full_name: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub phone: String,
    pub relationship: Relationship,
    #[serde(default)]
    pub emergency_call: bool,
    #[serde(default)]
    pub may_pick_up: bool,
}

/// `PATCH /api/family/children/{id}`: any subset of the fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildPatch {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub insurance: Option<Insurance>,
    pub appliances: Option<Appliances>,
    pub authorizations: Option<Authorizations>,
    pub health: Option<Health>,
    pub contacts: Option<Vec<ContactInput>>,
}

const MAX_CONTACTS: usize = 12;
const MAX_LIST: usize = 30;

/// Collects field results; keeps the values that differ from `current`.
struct Collector {
    current: Value,
    fields: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Collector {
    fn new<T: Serialize>(current: &T) -> Self {
        Self {
            current: serde_json::to_value(current).unwrap_or(Value::Null),
            fields: Map::new(),
            errors: Vec::new(),
        }
    }

    fn put<T: Serialize>(&mut self, field: &str, value: Result<T, FieldError>) {
        match value {
            Ok(v) => {
                let v = serde_json::to_value(v).unwrap_or(Value::Null);
                if self.current.get(field).unwrap_or(&Value::Null) != &v {
                    self.fields.insert(field.to_string(), v);
                }
            }
            Err(e) => self.errors.push(e),
        }
    }

    fn put_all(&mut self, field: &str, value: Result<Value, Vec<FieldError>>) {
        match value {
            Ok(v) => self.put::<Value>(field, Ok(v)),
            Err(mut e) => self.errors.append(&mut e),
        }
    }

    fn finish(self, target: Target) -> Result<ChangeSet, PatchError> {
        if !self.errors.is_empty() {
            return Err(PatchError::Invalid(self.errors));
        }
        if self.fields.is_empty() {
            return Err(PatchError::NoChange);
        }
        Ok(ChangeSet {
            target,
            fields: self.fields,
        })
    }
}

fn name(field: &str, label: &str, v: &str) -> Result<String, FieldError> {
    crate::accounts::Name::parse(field, label, v).map(|n| n.as_str().to_string())
}

fn address(a: Address) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut ok = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    let out = Address {
        line1: ok(fields::text(
            "address.line1",
            "Adresse",
            &a.line1,
            120,
            true,
        )),
        line2: ok(fields::text(
            "address.line2",
            "Complément d'adresse",
            &a.line2,
            120,
            false,
        )),
        postal_code: ok(fields::postal_code("address.postal_code", &a.postal_code)),
        city: ok(fields::text("address.city", "Ville", &a.city, 80, true)),
    };
    if errors.is_empty() {
        Ok(serde_json::to_value(out).unwrap_or(Value::Null))
    } else {
        Err(errors)
    }
}

fn bank(b: BankPatch, current: Option<&Bank>) -> Result<Value, Vec<FieldError>> {
    let typed = b.iban.as_deref().map(str::trim).unwrap_or_default();
    let iban = match (typed, current) {
        ("", Some(on_file)) => Ok(on_file.iban.clone()),
        ("", None) => Err(FieldError::new(
            "bank.iban",
            "required",
            "L'IBAN est obligatoire : aucun n'est encore enregistré.",
        )),
        (typed, _) => fields::iban("bank.iban", typed),
    };
    let mut errors = Vec::new();
    let mut ok = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    let out = Bank {
        holder: ok(fields::text(
            "bank.holder",
            "Titulaire du compte",
            &b.holder,
            100,
            true,
        )),
        iban: ok(iban),
        bic: ok(fields::bic("bank.bic", &b.bic)),
    };
    if errors.is_empty() {
        Ok(serde_json::to_value(out).unwrap_or(Value::Null))
    } else {
        Err(errors)
    }
}

impl FamilyPatch {
    pub fn validate(self, current: &FamilyRecord) -> Result<ChangeSet, PatchError> {
        let mut c = Collector::new(current);
        if let Some(f) = self.fiscal {
            let number = fields::text(
                "fiscal.allocataire_number",
                "Numéro d'allocataire",
                &f.allocataire_number,
                20,
                false,
            )
            .and_then(|n| {
                if n.chars().all(|c| c.is_ascii_digit()) {
                    Ok(n)
                } else {
                    Err(FieldError::new(
                        "fiscal.allocataire_number",
                        "invalid_allocataire_number",
                        "Le numéro d'allocataire ne contient que des chiffres.",
                    ))
                }
            });
            let qf = match f.quotient_familial {
                Some(q) if q > 100_000 => Err(FieldError::new(
                    "fiscal.quotient_familial",
                    "out_of_range",
                    "Le quotient familial semble erroné (plus de 100 000 €).",
                )),
                q => Ok(q),
            };
            match (number, qf) {
                (Ok(allocataire_number), Ok(quotient_familial)) => c.put(
                    "fiscal",
                    Ok(Fiscal {
                        regime: f.regime,
                        allocataire_number,
                        quotient_familial,
                    }),
                ),
                (n, q) => {
                    c.errors.extend(n.err());
                    c.errors.extend(q.err());
                }
            }
        }
        c.finish(Target::Family)
    }
}

impl GuardianPatch {
    pub fn validate(self, current: &Guardian) -> Result<ChangeSet, PatchError> {
        let mut c = Collector::new(current);
        if let Some(v) = self.civility {
            c.put("civility", Ok(v));
        }
        if let Some(v) = self.family_situation {
            c.put("family_situation", Ok(v));
        }
        if let Some(v) = self.last_name {
            c.put("last_name", name("last_name", "Nom", &v));
        }
        if let Some(v) = self.first_name {
            c.put("first_name", name("first_name", "Prénom", &v));
        }
        if let Some(v) = self.email {
            let r = if v.trim().is_empty() {
                Ok(String::new())
            } else {
                Email::parse(&v).map(|e| e.as_str().to_string())
            };
            c.put("email", r);
        }
        if let Some(v) = self.phone {
            c.put("phone", fields::phone("phone", "Téléphone", &v));
        }
        if let Some(v) = self.mobile {
            c.put("mobile", fields::phone("mobile", "Téléphone portable", &v));
        }
        if let Some(v) = self.quality {
            c.put("quality", Ok(v));
        }
        if let Some(v) = self.accepts_email {
            c.put("accepts_email", Ok(v));
        }
        if let Some(v) = self.accepts_sms {
            c.put("accepts_sms", Ok(v));
        }
        if let Some(v) = self.address {
            c.put_all("address", address(v));
        }
        if let Some(v) = self.bank {
            c.put_all("bank", bank(v, current.bank.as_ref()));
        }
        c.finish(Target::Guardian {
            id: current.id.clone(),
        })
    }
}

fn health(h: Health, today: NaiveDate) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    if h.allergies.len() > MAX_LIST {
        errors.push(FieldError::new(
            "health.allergies",
            "too_many",
            format!("Au plus {MAX_LIST} allergies."),
        ));
    }
    let mut allergies = Vec::new();
    for (i, a) in h.allergies.iter().enumerate() {
        match fields::text(&format!("health.allergies[{i}]"), "Allergie", a, 100, true) {
            Ok(a) => allergies.push(a),
            Err(e) => errors.push(e),
        }
    }
    if h.vaccines.len() > MAX_LIST {
        errors.push(FieldError::new(
            "health.vaccines",
            "too_many",
            format!("Au plus {MAX_LIST} vaccins."),
        ));
    }
    let mut vaccines = Vec::new();
    for (i, v) in h.vaccines.into_iter().enumerate() {
        let field = format!("health.vaccines[{i}]");
        let name = fields::text(&format!("{field}.name"), "Vaccin", &v.name, 80, true);
        if v.date > today {
            errors.push(FieldError::new(
                &format!("{field}.date"),
                "date_in_future",
                "La date de vaccination ne peut pas être dans le futur.",
            ));
        }
        if v.booster_date.is_some_and(|b| b < v.date) {
            errors.push(FieldError::new(
                &format!("{field}.booster_date"),
                "booster_before_vaccine",
                "La date de rappel doit suivre la date de vaccination.",
            ));
        }
        match name {
            Ok(name) => vaccines.push(super::model::Vaccine { name, ..v }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(serde_json::to_value(Health {
            diet: h.diet,
            allergies,
            vaccines,
            special_care: h.special_care,
        })
        .unwrap_or(Value::Null))
    } else {
        Err(errors)
    }
}

fn contacts(
    list: Vec<ContactInput>,
    current: &[Contact],
    new_id: &mut dyn FnMut() -> String,
) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    if list.len() > MAX_CONTACTS {
        errors.push(FieldError::new(
            "contacts",
            "too_many",
            format!("Au plus {MAX_CONTACTS} adultes habilités."),
        ));
    }
    let mut out = Vec::new();
    for (i, c) in list.into_iter().enumerate() {
        let field = format!("contacts[{i}]");
        let id = match c.id {
            Some(id) if current.iter().any(|k| k.id == id) => id,
            Some(_) => {
                errors.push(FieldError::new(
                    &format!("{field}.id"),
                    "unknown_contact",
                    "Cet adulte ne figure pas dans le dossier.",
                ));
                continue;
            }
            None => new_id(),
        };
        let full_name = fields::text(
            &format!("{field}.full_name"),
            "Nom complet",
            &c.full_name,
            100,
            true,
        );
        let mobile = fields::phone(&format!("{field}.mobile"), "Mobile", &c.mobile);
        let phone = fields::phone(&format!("{field}.phone"), "Téléphone", &c.phone);
        match (full_name, mobile, phone) {
            (Ok(full_name), Ok(mobile), Ok(phone)) => {
                if c.emergency_call && mobile.is_empty() && phone.is_empty() {
                    errors.push(FieldError::new(
                        &format!("{field}.mobile"),
                        "phone_required",
                        "Un adulte appelé en cas d'urgence doit avoir un numéro de téléphone.",
                    ));
                    continue;
                }
                out.push(Contact {
                    id,
                    full_name,
                    mobile,
                    phone,
                    relationship: c.relationship,
                    emergency_call: c.emergency_call,
                    may_pick_up: c.may_pick_up,
                });
            }
            (a, b, d) => {
                errors.extend(a.err());
                errors.extend(b.err());
                errors.extend(d.err());
            }
        }
    }
    if errors.is_empty() {
        Ok(serde_json::to_value(out).unwrap_or(Value::Null))
    } else {
        Err(errors)
    }
}

impl ChildPatch {
    /// `today`: in Paris; `new_id` gives ids to new authorized adults.
    pub fn validate(
        self,
        current: &Child,
        today: NaiveDate,
        new_id: &mut dyn FnMut() -> String,
    ) -> Result<ChangeSet, PatchError> {
        let mut c = Collector::new(current);
        if let Some(v) = self.last_name {
            c.put("last_name", name("last_name", "Nom", &v));
        }
        if let Some(v) = self.first_name {
            c.put("first_name", name("first_name", "Prénom", &v));
        }
        if let Some(v) = self.birth_date {
            c.put("birth_date", birth_date(v, today));
        }
        if let Some(v) = self.sex {
            c.put("sex", Ok(v));
        }
        if let Some(v) = self.insurance {
            let company = fields::text(
                "insurance.company",
                "Compagnie d'assurance",
                &v.company,
                100,
                false,
            );
            let number = fields::text(
                "insurance.number",
                "N° de la compagnie",
                &v.number,
                50,
                false,
            );
            match (company, number) {
                (Ok(company), Ok(number)) => c.put("insurance", Ok(Insurance { company, number })),
                (a, b) => {
                    c.errors.extend(a.err());
                    c.errors.extend(b.err());
                }
            }
        }
        if let Some(v) = self.appliances {
            c.put("appliances", Ok(v));
        }
        if let Some(v) = self.authorizations {
            c.put("authorizations", Ok(v));
        }
        if let Some(v) = self.health {
            c.put_all("health", health(v, today));
        }
        if let Some(v) = self.contacts {
            c.put_all("contacts", contacts(v, &current.contacts, new_id));
        }
        c.finish(Target::Child {
            id: current.id.clone(),
        })
    }
}

/// A birth date: not in the future, not more than 25 years ago.
pub fn birth_date(v: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if v > today {
        return Err(FieldError::new(
            "birth_date",
            "birth_date_in_future",
            "La date de naissance ne peut pas être dans le futur.",
        ));
    }
    if today.years_since(v).is_some_and(|y| y > 25) {
        return Err(FieldError::new(
            "birth_date",
            "birth_date_too_old",
            "La date de naissance est trop ancienne pour un enfant (plus de 25 ans).",
        ));
    }
    Ok(v)
}

fn merge<T: Serialize + serde::de::DeserializeOwned>(
    current: &T,
    fields: &Map<String, Value>,
) -> Result<T, String> {
    let mut v = serde_json::to_value(current).map_err(|e| e.to_string())?;
    if let Value::Object(map) = &mut v {
        for (k, val) in fields {
            map.insert(k.clone(), val.clone());
        }
    }
    serde_json::from_value(v).map_err(|e| e.to_string())
}

impl ChangeSet {
    pub fn apply_to_family(&self, current: &FamilyRecord) -> Result<FamilyRecord, String> {
        merge(current, &self.fields)
    }

    pub fn apply_to_guardian(&self, current: &Guardian) -> Result<Guardian, String> {
        merge(current, &self.fields)
    }

    /// The child a [`Target::NewChild`] change adds: its fields on a blank
    /// child (no contacts, authorizations and health to fill in later).
    pub fn new_child(&self, id: &str) -> Result<Child, String> {
        let blank = Child {
            id: id.into(),
            last_name: String::new(),
            first_name: String::new(),
            birth_date: NaiveDate::default(),
            sex: Sex::Female,
            insurance: Insurance::default(),
            authorizations: Authorizations::default(),
            appliances: Appliances::default(),
            health: Health::default(),
            contacts: Vec::new(),
            photo_key: None,
        };
        merge(&blank, &self.fields)
    }

    pub fn apply_to_child(&self, current: &Child) -> Result<Child, String> {
        merge(current, &self.fields)
    }

    /// Whether the change touches health or bank data (sealed at rest).
    pub fn is_sensitive(&self) -> bool {
        self.fields.keys().any(|k| SENSITIVE.contains(&k.as_str()))
    }
}

/// Fields sealed at rest.
pub const SENSITIVE: [&str; 4] = ["bank", "fiscal", "health", "appliances"];

/// The French label of a dossier field.
pub fn label(field: &str) -> &'static str {
    match field {
        "civility" => "Civilité",
        "family_situation" => "Situation familiale",
        "last_name" => "Nom",
        "first_name" => "Prénom",
        "email" => "E-mail",
        "phone" => "Téléphone",
        "mobile" => "Téléphone portable",
        "quality" => "Qualité",
        "accepts_email" => "Accepte de recevoir des emails",
        "accepts_sms" => "Accepte de recevoir des SMS",
        "address" => "Adresse",
        "bank" => "Données bancaires",
        "fiscal" => "Informations fiscales",
        "birth_date" => "Date de naissance",
        "sex" => "Sexe",
        "insurance" => "Assurance",
        "appliances" => "Appareillages",
        "authorizations" => "Autorisations",
        "health" => "Données sanitaires",
        "contacts" => "Contacts",
        "photo_key" => "Photo",
        _ => "Autre",
    }
}

/// The line "Mes demandes" shows for a change: the guide's wording.
pub fn description(target: &Target, fields: &Map<String, Value>, who: &str) -> String {
    let only = |f: &str| fields.len() == 1 && fields.contains_key(f);
    match target {
        Target::Family => "Modification des informations fiscales".into(),
        Target::Guardian { .. } if only("address") => "Modification de l'adresse principale".into(),
        Target::Guardian { .. } if only("bank") => {
            format!("Modification des données bancaires de {who}")
        }
        Target::Guardian { .. } => format!("Modification du responsable {who}"),
        Target::Child { .. } if only("photo_key") => format!("Nouvelle photo de {who}"),
        Target::Child { .. } if only("health") => {
            format!("Modification des données sanitaires de {who}")
        }
        Target::Child { .. } if only("contacts") => format!("Modification des contacts de {who}"),
        Target::Child { .. } => format!("Modification de l'enfant {who}"),
        Target::NewChild { .. } => format!("Naissance déclarée\u{a0}: {who}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::model::Diet;

    fn guardian() -> Guardian {
        Guardian {
            id: "G1".into(),
            civility: Some(Civility::Madame),
            family_situation: None,
            last_name: "DUPONT".into(),
            first_name: "Léa".into(),
            email: "lea@exemple.fr".into(),
            phone: String::new(),
            mobile: "06 07 08 09 10".into(),
            quality: Some(Quality::Mother),
            accepts_email: true,
            accepts_sms: false,
            address: None,
            bank: None,
            personal_code: "ABC234".into(),
        }
    }

    fn child() -> Child {
        Child {
            id: "C1".into(),
            last_name: "DUPONT".into(),
            first_name: "Ludovic".into(),
            birth_date: NaiveDate::from_ymd_opt(2015, 11, 23).unwrap(),
            sex: Sex::Male,
            insurance: Insurance::default(),
            authorizations: Authorizations::default(),
            appliances: Appliances::default(),
            health: Health::default(),
            contacts: vec![],
            photo_key: None,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_changed_phone_becomes_a_normalized_change() {
        let patch = GuardianPatch {
            mobile: Some("+33611223344".into()),
            email: Some("lea@exemple.fr".into()),
            ..Default::default()
        };
        let set = patch.validate(&guardian()).unwrap();
        assert_eq!(set.fields.len(), 1, "the unchanged e-mail is left out");
        assert_eq!(set.fields["mobile"], "06 11 22 33 44");
        let applied = set.apply_to_guardian(&guardian()).unwrap();
        assert_eq!(applied.mobile, "06 11 22 33 44");
        assert_eq!(
            description(&set.target, &set.fields, "Léa DUPONT"),
            "Modification du responsable Léa DUPONT"
        );
    }

    #[test]
    fn a_patch_that_changes_nothing_is_refused() {
        let patch = GuardianPatch {
            mobile: Some("0607080910".into()),
            ..Default::default()
        };
        assert_eq!(patch.validate(&guardian()), Err(PatchError::NoChange));
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let patch = GuardianPatch {
            email: Some("pas un e-mail".into()),
            phone: Some("123".into()),
            bank: Some(BankPatch {
                holder: "Léa".into(),
                iban: Some("FR76 3000 6000 0112 3456 7890 188".into()),
                bic: "".into(),
            }),
            address: Some(Address {
                line1: "1 rue".into(),
                line2: String::new(),
                postal_code: "921".into(),
                city: "Boulogne".into(),
            }),
            ..Default::default()
        };
        let Err(PatchError::Invalid(errors)) = patch.validate(&guardian()) else {
            panic!("invalid expected")
        };
        let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "invalid_email",
                "invalid_phone",
                "invalid_postal_code",
                "invalid_iban"
            ]
        );
    }

    #[test]
    fn a_left_out_iban_keeps_the_one_on_file_and_is_required_without_one() {
        let patch = GuardianPatch {
            bank: Some(BankPatch {
                holder: "Léa MARTIN".into(),
                iban: None,
                bic: String::new(),
            }),
            ..Default::default()
        };
        let Err(PatchError::Invalid(errors)) = patch.clone().validate(&guardian()) else {
            panic!("an IBAN is needed when none is on file")
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            ("bank.iban", "required")
        );
        let mut with_bank = guardian();
        with_bank.bank = Some(Bank {
            holder: "Léa DUPONT".into(),
            iban: "FR7630006000011234567890189".into(),
            bic: String::new(),
        });
        let set = patch.validate(&with_bank).unwrap();
        assert_eq!(set.fields["bank"]["iban"], "FR7630006000011234567890189");
        assert_eq!(set.fields["bank"]["holder"], "Léa MARTIN");
    }

    #[test]
    fn a_birth_date_in_the_future_is_refused() {
        let patch = ChildPatch {
            birth_date: Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            ..Default::default()
        };
        let Err(PatchError::Invalid(errors)) =
            patch.validate(&child(), today(), &mut || "X".into())
        else {
            panic!("invalid expected")
        };
        assert_eq!(errors[0].code, "birth_date_in_future");
    }

    #[test]
    fn new_contacts_get_ids_and_unknown_ids_are_refused() {
        let mut n = 0;
        let mut ids = || {
            n += 1;
            format!("K{n}")
        };
        let patch = ChildPatch {
            contacts: Some(vec![ContactInput {
                id: None,
                full_name: "BARRET Jean Philippe".into(),
                mobile: "0611223344".into(),
                phone: String::new(),
                relationship: Relationship::Neighbour,
                emergency_call: false,
                may_pick_up: true,
            }]),
            ..Default::default()
        };
        let set = patch.validate(&child(), today(), &mut ids).unwrap();
        assert_eq!(set.fields["contacts"][0]["id"], "K1");
        let applied = set.apply_to_child(&child()).unwrap();
        assert_eq!(applied.contacts[0].relationship, Relationship::Neighbour);

        let patch = ChildPatch {
            contacts: Some(vec![ContactInput {
                id: Some("NOT-MINE".into()),
                full_name: "X".into(),
                mobile: String::new(),
                phone: String::new(),
                relationship: Relationship::Other,
                emergency_call: true,
                may_pick_up: false,
            }]),
            ..Default::default()
        };
        let Err(PatchError::Invalid(errors)) = patch.validate(&child(), today(), &mut ids) else {
            panic!("invalid expected")
        };
        assert_eq!(errors[0].code, "unknown_contact");
    }

    #[test]
    fn health_changes_are_sensitive_and_checked() {
        let patch = ChildPatch {
            health: Some(Health {
                diet: Diet::Vegetarian,
                allergies: vec!["Alimentaires gluten".into()],
                vaccines: vec![super::super::model::Vaccine {
                    name: "Hépatite B".into(),
                    date: NaiveDate::from_ymd_opt(2016, 4, 5).unwrap(),
                    booster_date: Some(NaiveDate::from_ymd_opt(2016, 1, 1).unwrap()),
                }],
                special_care: false,
            }),
            ..Default::default()
        };
        let Err(PatchError::Invalid(errors)) =
            patch
                .clone()
                .validate(&child(), today(), &mut || "X".into())
        else {
            panic!("invalid expected")
        };
        assert_eq!(errors[0].code, "booster_before_vaccine");
        let mut ok = patch;
        if let Some(h) = ok.health.as_mut() {
            h.vaccines[0].booster_date = None;
        }
        let set = ok.validate(&child(), today(), &mut || "X".into()).unwrap();
        assert!(set.is_sensitive());
        assert_eq!(
            description(&set.target, &set.fields, "Ludovic"),
            "Modification des données sanitaires de Ludovic"
        );
    }
}
