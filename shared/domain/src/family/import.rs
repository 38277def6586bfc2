//! Families from a CSV file exported by the commune's current software:
//! one row per person (format in `docs/family-file.md`). Every bad row is
//! reported with its line number; a file with any error imports nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Address, Quality, Sex};
use super::new::{NewChild, NewFamily, NewGuardian};
use crate::accounts::Civility;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ImportError {
    /// 1 is the header line.
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// The families of a file, by the commune's reference, in file order.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub families: Vec<(String, NewFamily)>,
}

const COLUMNS: [&str; 15] = [
    "famille",
    "role",
    "civilite",
    "nom",
    "prenom",
    "date_naissance",
    "sexe",
    "email",
    "telephone",
    "portable",
    "adresse",
    "code_postal",
    "ville",
    "qualite",
    "",
];
const REQUIRED: [&str; 4] = ["famille", "role", "nom", "prenom"];
pub const MAX_ROWS: usize = 20_000;

fn err(line: u64, field: &str, message: impl Into<String>) -> ImportError {
    ImportError {
        line,
        field: field.into(),
        message: message.into(),
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

fn quality(s: &str) -> Option<Option<Quality>> {
    match s.to_lowercase().as_str() {
        "" => Some(None),
        "pere" | "père" => Some(Some(Quality::Father)),
        "mere" | "mère" => Some(Some(Quality::Mother)),
        "tuteur" | "tutrice" => Some(Some(Quality::LegalGuardian)),
        "autre" => Some(Some(Quality::Other)),
        _ => None,
    }
}

/// Reads the whole file; `today` bounds birth dates.
pub fn parse(bytes: &[u8], today: NaiveDate) -> Result<ImportPlan, Vec<ImportError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![err(1, "", "Le fichier doit être encodé en UTF-8.")]);
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err(vec![err(1, "", "L'en-tête du fichier est illisible.")]),
    };
    let mut errors = Vec::new();
    for required in REQUIRED {
        if !headers.iter().any(|h| h == required) {
            errors.push(err(
                1,
                required,
                format!("La colonne « {required} » manque dans l'en-tête."),
            ));
        }
    }
    for h in &headers {
        if !COLUMNS.contains(&h.as_str()) {
            errors.push(err(1, h, format!("Colonne inconnue : « {h} ».")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |name: &str| headers.iter().position(|h| h == name);

    let mut order: Vec<String> = Vec::new();
    let mut families: BTreeMap<String, (u64, NewFamily)> = BTreeMap::new();
    let mut rows = 0usize;
    for record in reader.records() {
        rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, "", "Ligne illisible (guillemets non fermés ?)."));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if rows > MAX_ROWS {
            errors.push(err(
                line,
                "",
                format!("Le fichier dépasse {MAX_ROWS} lignes : découpez-le."),
            ));
            break;
        }
        if record.len() != headers.len() {
            errors.push(err(
                line,
                "",
                format!("{} colonnes au lieu de {}.", record.len(), headers.len()),
            ));
            continue;
        }
        let get = |name: &str| {
            col(name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_string()
        };
        let family_ref = get("famille");
        if family_ref.is_empty() {
            errors.push(err(
                line,
                "famille",
                "La référence de la famille est obligatoire.",
            ));
            continue;
        }
        let entry = families.entry(family_ref.clone()).or_insert_with(|| {
            order.push(family_ref.clone());
            (
                line,
                NewFamily {
                    label: None,
                    fiscal: None,
                    guardians: Vec::new(),
                    children: Vec::new(),
                },
            )
        });
        let row_errors_before = errors.len();
        match get("role").to_lowercase().as_str() {
            "responsable" => {
                let civility = match get("civilite").as_str() {
                    "" => None,
                    c => match Civility::parse(c) {
                        Some(c) => Some(c),
                        None => {
                            errors.push(err(
                                line,
                                "civilite",
                                "La civilité doit être « M. » ou « Mme ».",
                            ));
                            None
                        }
                    },
                };
                let Some(quality) = quality(&get("qualite")) else {
                    errors.push(err(
                        line,
                        "qualite",
                        "La qualité doit être pere, mere, tuteur ou autre.",
                    ));
                    continue;
                };
                let (adresse, cp, ville) = (get("adresse"), get("code_postal"), get("ville"));
                let address =
                    (!adresse.is_empty() || !cp.is_empty() || !ville.is_empty()).then(|| Address {
                        line1: adresse,
                        line2: String::new(),
                        postal_code: cp,
                        city: ville,
                    });
                let guardian = NewGuardian {
                    civility,
                    family_situation: None,
                    last_name: get("nom"),
                    first_name: get("prenom"),
                    email: get("email"),
                    phone: get("telephone"),
                    mobile: get("portable"),
                    quality,
                    accepts_email: true,
                    accepts_sms: false,
                    address,
                    bank: None,
                };
                // Same rules as a family created by hand.
                let check = NewFamily {
                    label: None,
                    fiscal: None,
                    guardians: vec![guardian.clone()],
                    children: vec![],
                };
                if let Err(e) = check.validate(today, &mut String::new, &mut String::new) {
                    for e in e {
                        errors.push(err(line, column_of(&e.field), e.message));
                    }
                }
                if errors.len() == row_errors_before {
                    entry.1.guardians.push(guardian);
                }
            }
            "enfant" => {
                let birth = get("date_naissance");
                let Some(birth_date) = parse_date(&birth) else {
                    errors.push(err(
                        line,
                        "date_naissance",
                        "La date de naissance doit être au format JJ/MM/AAAA.",
                    ));
                    continue;
                };
                let sex = match get("sexe").to_uppercase().as_str() {
                    "M" => Sex::Male,
                    "F" => Sex::Female,
                    _ => {
                        errors.push(err(line, "sexe", "Le sexe doit être M ou F."));
                        continue;
                    }
                };
                let child = NewChild {
                    first_name: get("prenom"),
                    last_name: get("nom"),
                    birth_date,
                    sex,
                    insurance: None,
                    authorizations: None,
                    appliances: None,
                    health: None,
                };
                let check = NewFamily {
                    label: None,
                    fiscal: None,
                    guardians: vec![NewGuardian {
                        civility: None,
                        family_situation: None,
                        last_name: "X".into(),
                        first_name: "X".into(),
                        email: String::new(),
                        phone: String::new(),
                        mobile: String::new(),
                        quality: None,
                        accepts_email: false,
                        accepts_sms: false,
                        address: None,
                        bank: None,
                    }],
                    children: vec![child.clone()],
                };
                if let Err(e) = check.validate(today, &mut String::new, &mut String::new) {
                    for e in e {
                        errors.push(err(line, column_of(&e.field), e.message));
                    }
                }
                if errors.len() == row_errors_before {
                    entry.1.children.push(child);
                }
            }
            other => errors.push(err(
                line,
                "role",
                format!("Rôle « {other} » inconnu : responsable ou enfant."),
            )),
        }
    }
    for (reference, (first_line, family)) in &families {
        if family.guardians.is_empty() && !errors.iter().any(|e| e.line == *first_line) {
            errors.push(err(
                *first_line,
                "role",
                format!("La famille « {reference} » n'a aucun responsable."),
            ));
        }
    }
    if rows == 0 {
        errors.push(err(
            1,
            "",
            "Le fichier ne contient aucune ligne de données.",
        ));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    Ok(ImportPlan {
        families: order
            .into_iter()
            .filter_map(|r| families.remove(&r).map(|(_, f)| (r, f)))
            .collect(),
    })
}

/// The CSV column a validation error is about.
fn column_of(field: &str) -> &'static str {
    let f = field.rsplit('.').next().unwrap_or(field);
    match f {
        "last_name" => "nom",
        "first_name" => "prenom",
        "email" => "email",
        "phone" => "telephone",
        "mobile" => "portable",
        "line1" => "adresse",
        "postal_code" => "code_postal",
        "city" => "ville",
        "birth_date" => "date_naissance",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    const GOOD: &str = "\u{feff}famille;role;civilite;nom;prenom;date_naissance;sexe;email;telephone;portable;adresse;code_postal;ville;qualite
F001;responsable;Mme;Dupont;Léa;;;lea@exemple.fr;;0607080910;1 rue de la Paix;92100;Boulogne;mere
F001;enfant;;Dupont;Ludovic;23/11/2015;M;;;;;;;
F002;responsable;M.;Martin;Paul;;;;;;;;;pere
F001;responsable;M.;Dupont;Marc;;;;;;;;;pere
";

    #[test]
    fn a_good_file_gives_its_families_in_order() {
        let plan = parse(GOOD.as_bytes(), today()).unwrap();
        let refs: Vec<&str> = plan.families.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(refs, ["F001", "F002"]);
        assert_eq!(plan.families[0].1.guardians.len(), 2);
        assert_eq!(plan.families[0].1.children[0].first_name, "Ludovic");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let bad = "famille;role;civilite;nom;prenom;date_naissance;sexe;email;telephone;portable;adresse;code_postal;ville;qualite
F001;responsable;Mme;Dupont;Léa;;;pas-un-email;;;;;;mere
F001;enfant;;Dupont;Ludovic;31/02/2015;M;;;;;;;
F001;enfant;;Dupont;Zoé;01/01/2030;F;;;;;;;
F002;enfant;;Seul;Enfant;01/01/2020;X;;;;;;;
F003;parent;;A;B;;;;;;;;;
F004;responsable;Mme;Petit;Anne;;;;;123;;;;
;responsable;Mme;X;Y;;;;;;;;;
F005;responsable;Mme;Court
";
        let errors = parse(bad.as_bytes(), today()).unwrap_err();
        let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "email"),
                (3, "date_naissance"),
                (4, "date_naissance"),
                (5, "sexe"),
                (6, "role"),
                (7, "portable"),
                (8, "famille"),
                (9, ""),
            ]
        );
    }

    #[test]
    fn a_family_without_a_guardian_is_refused() {
        let file = "famille;role;nom;prenom;date_naissance;sexe\nF9;enfant;Seul;Léo;01/01/2020;M\n";
        let errors = parse(file.as_bytes(), today()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("aucun responsable"));
    }

    #[test]
    fn missing_and_unknown_columns_are_reported_on_line_one() {
        let errors = parse("famille;nom;couleur\n".as_bytes(), today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["role", "prenom", "couleur"]);
        assert!(errors.iter().all(|e| e.line == 1));
    }
}
