//! The sheet as CSV, as French spreadsheets open it: UTF-8 with a BOM,
//! `;` between cells, CRLF line ends, every cell quoted, and a cell that
//! a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR)
//! prefixed with `'` (OWASP's "CSV injection").

use marelle_domain::invoicing::Mark;

use super::sheet::{Sheet, SheetGroup, SheetPerson};

/// The mark in words, as the sheet shows it.
pub fn mark_label(mark: Option<Mark>) -> &'static str {
    match mark {
        None => "",
        Some(Mark::Present) => "Présent",
        Some(Mark::AbsentExcused) => "Absent excusé",
        Some(Mark::AbsentUnexcused) => "Absent non excusé",
        Some(Mark::ArrivedUnreserved) => "Arrivé sans réservation",
    }
}

/// One cell, quoted, neutralised against formulas.
pub fn cell(value: &str) -> String {
    let value = value.replace(['\r', '\n'], " ");
    let risky = value
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let value = if risky { format!("'{value}") } else { value };
    format!("\"{}\"", value.replace('"', "\"\""))
}

fn people(list: &[SheetPerson]) -> String {
    list.iter()
        .map(|p| {
            let mut s = p.full_name.clone();
            if !p.relationship.is_empty() {
                s.push_str(&format!(" ({})", p.relationship));
            }
            if !p.phone.is_empty() {
                s.push_str(&format!(" {}", p.phone));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

pub const HEADER: [&str; 12] = [
    "Nom",
    "Prénom",
    "Situation",
    "Pointage",
    "Motif d'absence",
    "Allergies",
    "Régime",
    "Part seul",
    "Adultes autorisés",
    "Contacts d'urgence",
    "Responsables",
    "Date",
];

/// The sheet's children (those enrolled with nothing reserved nor marked
/// left out, as on the printed sheet).
pub fn sheet_csv(sheet: &Sheet) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(";") + "\r\n";
    out.push_str(&line(HEADER.iter().map(|h| cell(h)).collect()));
    let date = sheet.date.format("%d/%m/%Y").to_string();
    for c in sheet
        .children
        .iter()
        .filter(|c| c.group != SheetGroup::NotReserved)
    {
        let mut situation = c.group_label.clone();
        if let Some(rank) = c.waiting_rank {
            situation.push_str(&format!(" ({rank})"));
        }
        if c.absence_requested {
            situation.push_str(" – absence demandée");
        }
        out.push_str(&line(vec![
            cell(&c.last_name),
            cell(&c.first_name),
            cell(&situation),
            cell(mark_label(c.mark)),
            cell(c.absence_reason.as_deref().unwrap_or("")),
            cell(&c.allergies.join(", ")),
            cell(c.diet.as_deref().unwrap_or("")),
            cell(if c.leave_alone { "Oui" } else { "Non" }),
            cell(&people(&c.authorised_adults)),
            cell(&people(&c.emergency_contacts)),
            cell(
                &c.guardians
                    .iter()
                    .map(|g| format!("{} {}", g.full_name, g.phone).trim().to_string())
                    .collect::<Vec<_>>()
                    .join(" ; "),
            ),
            cell(&date),
        ]));
    }
    out
}

/// The activity's name as a file name ("peri-soir").
pub fn file_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "activite".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_quotes_doubled() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+33 6"), "\"'+33 6\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("Zoé"), "\"Zoé\"");
        assert_eq!(cell("a\r\nb"), "\"a  b\"");
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(file_slug("4/Péri SOIR"), "4-peri-soir");
        assert_eq!(file_slug("///"), "activite");
    }
}
