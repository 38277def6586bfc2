//! The family file ("dossier famille") as the commune holds it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::Civility;

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        // Written by hand: the derive does not see `rename` through the
        // macro, and would document the variants' names, not their codes.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some([$(concat!("`", $code, "` : ", $label)),+].join(" ; ")))
                    .into()
            }
        }

        impl ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The French label the guide uses.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

code_enum!(
    /// "Situation familiale".
    FamilySituation {
        Married = "married" / "Marié(e)",
        CivilPartnership = "civil_partnership" / "Pacsé(e)",
        Cohabiting = "cohabiting" / "Vie maritale",
        Single = "single" / "Célibataire",
        Separated = "separated" / "Séparé(e)",
        Divorced = "divorced" / "Divorcé(e)",
        Widowed = "widowed" / "Veuf / Veuve",
    }
);

code_enum!(
    /// "Qualité" of a guardian towards the children.
    Quality {
        Father = "father" / "Père",
        Mother = "mother" / "Mère",
        LegalGuardian = "legal_guardian" / "Tuteur / Tutrice",
        StepParent = "step_parent" / "Beau-parent",
        Grandparent = "grandparent" / "Grand-parent",
        Other = "other" / "Autre",
    }
);

code_enum!(
    Sex {
        Male = "M" / "Masculin",
        Female = "F" / "Féminin",
    }
);

code_enum!(
    /// "Pratiques alimentaires": no religious category (CNIL NS-058).
    Diet {
        Standard = "standard" / "Sans particularité",
        Vegetarian = "vegetarian" / "Végétarien",
        NoMeatNoFish = "no_meat_no_fish" / "Sans viande ni poisson",
        Medical = "medical" / "Régime médical (PAI)",
    }
);

code_enum!(
    /// "Lien de parenté" of an authorized adult.
    Relationship {
        Grandparent = "grandparent" / "Grand-parent",
        UncleAunt = "uncle_aunt" / "Oncle / Tante",
        Sibling = "sibling" / "Frère / Sœur",
        Neighbour = "neighbour" / "Voisin / Voisine",
        FamilyFriend = "family_friend" / "Ami(e) de la famille",
        Childminder = "childminder" / "Assistant(e) maternel(le)",
        Other = "other" / "Autre",
    }
);

code_enum!(
    /// The family benefits office of the fiscal information.
    Regime {
        Caf = "caf" / "CAF",
        Msa = "msa" / "MSA",
        Other = "other" / "Autre régime",
        NoRegime = "none" / "Aucun",
    }
);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub postal_code: String,
    pub city: String,
}

/// "Informations fiscales", shared by the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fiscal {
    pub regime: Regime,
    #[serde(default)]
    pub allocataire_number: String,
    /// Quotient familial, in euros.
    #[serde(default)]
    pub quotient_familial: Option<u32>,
}

/// Bank details, as stored (sealed) and as given by the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bank {
    pub holder: String,
    pub iban: String,
    #[serde(default)]
    pub bic: String,
}

/// Bank details as shown to a family: the IBAN masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BankView {
    pub holder: String,
    pub iban_masked: String,
    pub bic: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Guardian {
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
    /// Sealed at rest.
    pub bank: Option<Bank>,
    /// Printed on invoices; with an invoice's references it links an account.
    pub personal_code: String,
}

impl Guardian {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub number: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Appliances {
    #[serde(default)]
    pub glasses: bool,
    #[serde(default)]
    pub dental: bool,
    #[serde(default)]
    pub hearing: bool,
}

/// The guide's five authorizations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Authorizations {
    #[serde(default)]
    pub sport: bool,
    #[serde(default)]
    pub photo: bool,
    #[serde(default)]
    pub leave_alone: bool,
    #[serde(default)]
    pub school_outings: bool,
    #[serde(default)]
    pub hospitalization: bool,
}

impl Authorizations {
    /// (field, the guide's sentence) in the guide's order.
    pub const LABELS: [(&'static str, &'static str); 5] = [
        ("sport", "J'autorise mon enfant à pratiquer du sport"),
        ("photo", "J'autorise mon enfant à être pris en photo"),
        ("leave_alone", "J'autorise mon enfant à partir seul"),
        (
            "school_outings",
            "J'autorise mon enfant à participer aux sorties scolaires",
        ),
        (
            "hospitalization",
            "J'autorise mon enfant à être hospitalisé en cas de besoin",
        ),
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vaccine {
    pub name: String,
    pub date: NaiveDate,
    #[serde(default)]
    pub booster_date: Option<NaiveDate>,
}

/// "Données sanitaires": sealed at rest, shown only to the family and to
/// agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub diet: Diet,
    #[serde(default)]
    pub allergies: Vec<String>,
    #[serde(default)]
    pub vaccines: Vec<Vaccine>,
    /// Handicap only as "needs special care" (CNIL NS-058).
    #[serde(default)]
    pub special_care: bool,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            diet: Diet::Standard,
            allergies: Vec::new(),
            vaccines: Vec::new(),
            special_care: false,
        }
    }
}

/// "Contacts": an adult who may be called or may pick the child up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    pub id: String,
    pub full_name: String,
    pub mobile: String,
    pub phone: String,
    pub relationship: Relationship,
    pub emergency_call: bool,
    pub may_pick_up: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Child {
    pub id: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub insurance: Insurance,
    pub authorizations: Authorizations,
    /// Sealed at rest.
    pub appliances: Appliances,
    /// Sealed at rest.
    pub health: Health,
    pub contacts: Vec<Contact>,
    /// Blob key of the accepted photo.
    pub photo_key: Option<String>,
}

impl Child {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The family's own record: label, shared data, subscriber code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyRecord {
    pub id: String,
    pub label: String,
    /// Sealed at rest.
    pub fiscal: Option<Fiscal>,
    /// None when revoked.
    pub subscriber_code: Option<String>,
    /// The commune's own reference, when imported.
    pub external_ref: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A whole dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    pub family: FamilyRecord,
    pub guardians: Vec<Guardian>,
    pub children: Vec<Child>,
}

impl Dossier {
    pub fn guardian(&self, id: &str) -> Option<&Guardian> {
        self.guardians.iter().find(|g| g.id == id)
    }

    pub fn child(&self, id: &str) -> Option<&Child> {
        self.children.iter().find(|c| c.id == id)
    }
}
