//! Invoices and payments from CSV files exported by the commune's finance
//! software (formats in `docs/billing-import.md`). Pure: reads the bytes,
//! checks every field and groups the invoices' rows by `numero`; looking
//! families and numbers up in the store is the caller's part. Every error
//! names its line (1 is the header), its column and a stable code; a file
//! with any error imports nothing.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::{euros, valid_number};
use super::{
    InvoiceLine, MAX_AMOUNT_CENTS, MAX_DESCRIPTION, MAX_LABEL, MAX_LINES, MAX_NUMBER, MAX_QUANTITY,
    MAX_TEXT, PaymentMethod,
};

/// Largest file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Invoices one request (or one chunk of a background import) writes; a
/// family's invoices are kept together past it, up to twice as many. The
/// others are answered as `remaining`: the same file sent again carries
/// on, what is written being then `unchanged`.
pub const WRITE_CHUNK: usize = 1_000;
/// Rows of a file (header excluded), at most.
pub const MAX_ROWS: usize = 50_000;
/// Errors listed, at most (the rest are counted).
pub const MAX_ERRORS: usize = 1_000;

/// The header of an invoices file, columns in this order.
pub const INVOICE_COLUMNS: [&str; 13] = [
    "famille",
    "famille_id",
    "numero",
    "date",
    "echeance",
    "service",
    "emetteur",
    "code_emission",
    "reference",
    "libelle",
    "enfant",
    "quantite",
    "montant",
];

/// The header of a payments file, columns in this order.
pub const PAYMENT_COLUMNS: [&str; 6] = ["numero", "date", "facture", "mode", "libelle", "montant"];

/// One error of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = BillingImportError)]
pub struct ImportError {
    /// 1 is the header line.
    pub line: u64,
    /// The column, empty for the whole line or file.
    pub field: String,
    /// `invalid_encoding`, `invalid_header`, `missing_field`, `invalid_date`,
    /// `invalid_amount`, `invalid_quantity`, `invalid_number`, `invalid_method`,
    /// `text_too_long`, `too_many_lines`, `too_many_rows`, `inconsistent_invoice`,
    /// `duplicate_payment`, `unreadable_line`, and from the store's checks
    /// `unknown_family`, `unknown_invoice`, `conflicting_number`, `overpayment`,
    /// `invoice_cancelled`.
    pub code: String,
    pub message: String,
}

impl ImportError {
    pub fn new(line: u64, field: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            line,
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Errors of a file: at most [`MAX_ERRORS`] listed, the others counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportErrors {
    pub errors: Vec<ImportError>,
    /// Errors found beyond those listed.
    pub more: usize,
}

impl ImportErrors {
    pub fn push(&mut self, e: ImportError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.more == 0
    }

    pub fn len(&self) -> usize {
        self.errors.len() + self.more
    }

    /// Sorted by line, then column order of appearance.
    pub fn sorted(mut self) -> Self {
        self.errors.sort_by_key(|e| e.line);
        self
    }
}

/// How an invoice names its family.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FamilyRef {
    /// `famille`: the reference the family was imported under, or its
    /// subscriber code.
    Reference(String),
    /// `famille_id`: Marelle's id of the family.
    Id(String),
}

impl FamilyRef {
    /// The column it comes from.
    pub fn field(&self) -> &'static str {
        match self {
            FamilyRef::Reference(_) => "famille",
            FamilyRef::Id(_) => "famille_id",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            FamilyRef::Reference(v) | FamilyRef::Id(v) => v,
        }
    }
}

/// An invoice of the file, its rows grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedInvoice {
    /// The line of its first row.
    pub line: u64,
    pub family: FamilyRef,
    pub number: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub service: String,
    pub issuer: String,
    pub emission_code: Option<String>,
    pub reference: Option<String>,
    pub lines: Vec<InvoiceLine>,
    /// Σ lines.
    pub amount_cents: i64,
}

/// A payment of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPayment {
    pub line: u64,
    pub number: String,
    pub date: NaiveDate,
    /// The invoice's `numero`.
    pub invoice_number: String,
    pub method: PaymentMethod,
    pub description: Option<String>,
    pub amount_cents: i64,
}

/// `31/10/2026` or `2026-10-31`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

/// Euros to cents: `6,50`, `6.5`, `1 234,50` (normal, non-breaking or
/// narrow non-breaking spaces between thousands), `-3,00`, `12`. At most two
/// decimals, at most [`MAX_AMOUNT_CENTS`] either way.
pub fn parse_amount(s: &str) -> Option<i64> {
    let s: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let s = s.strip_suffix('€').unwrap_or(&s);
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (units, decimals) = match s.split_once([',', '.']) {
        Some((u, d)) => (u, d),
        None => (s, ""),
    };
    if units.is_empty()
        || units.len() > 10
        || decimals.len() > 2
        || !units.bytes().all(|b| b.is_ascii_digit())
        || !decimals.bytes().all(|b| b.is_ascii_digit())
        || (s.contains([',', '.']) && decimals.is_empty())
    {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let cents: i64 = match decimals.len() {
        0 => 0,
        1 => decimals.parse::<i64>().ok()? * 10,
        _ => decimals.parse().ok()?,
    };
    let total = units.checked_mul(100)?.checked_add(cents)?;
    if total > MAX_AMOUNT_CENTS {
        return None;
    }
    Some(if negative { -total } else { total })
}

/// `mode` in French: `cheque`, `especes`, `virement`, `prelevement`,
/// `carte`, `en_ligne`, `autre` (accents and case tolerated).
pub fn parse_method(s: &str) -> Option<PaymentMethod> {
    let folded: String = s
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' => 'e',
            ' ' | '-' => '_',
            c => c,
        })
        .collect();
    Some(match folded.as_str() {
        "cheque" => PaymentMethod::Cheque,
        "especes" => PaymentMethod::Cash,
        "virement" => PaymentMethod::Transfer,
        "prelevement" => PaymentMethod::DirectDebit,
        "carte" => PaymentMethod::Card,
        "en_ligne" => PaymentMethod::Online,
        "autre" => PaymentMethod::Other,
        _ => return None,
    })
}

/// The rows of a file, after the encoding and header checks.
struct Rows {
    records: Vec<(u64, Vec<String>)>,
}

fn read_rows(bytes: &[u8], columns: &[&str], errors: &mut ImportErrors) -> Option<Rows> {
    if bytes.len() > MAX_FILE_BYTES {
        errors.push(ImportError::new(
            0,
            "",
            "file_too_large",
            format!(
                "Le fichier dépasse {} Mo : découpez-le.",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        errors.push(ImportError::new(
            1,
            "",
            "invalid_encoding",
            "Le fichier doit être encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »).",
        ));
        return None;
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.to_lowercase()).collect(),
        Some(Err(_)) | None => {
            errors.push(ImportError::new(
                1,
                "",
                "invalid_header",
                format!(
                    "Le fichier est vide ou son en-tête est illisible : la première ligne doit être « {} ».",
                    columns.join(";")
                ),
            ));
            return None;
        }
    };
    if header.len() == 1 && columns.len() > 1 && header[0].contains([',', '\t']) {
        errors.push(ImportError::new(
            1,
            "",
            "invalid_header",
            "Les colonnes doivent être séparées par des points-virgules (;).",
        ));
        return None;
    }
    let header_errors = errors.len();
    for (i, expected) in columns.iter().enumerate() {
        match header.get(i) {
            Some(h) if h == expected => {}
            Some(h) if !columns.contains(&h.as_str()) => errors.push(ImportError::new(
                1,
                h,
                "invalid_header",
                format!(
                    "Colonne inconnue : « {h} » (attendu : « {expected} » en colonne {}).",
                    i + 1
                ),
            )),
            Some(h) => errors.push(ImportError::new(
                1,
                expected,
                "invalid_header",
                format!(
                    "La colonne {} doit être « {expected} », pas « {h} » (les colonnes sont dans l'ordre « {} »).",
                    i + 1,
                    columns.join(";")
                ),
            )),
            None => errors.push(ImportError::new(
                1,
                expected,
                "invalid_header",
                format!("La colonne « {expected} » manque dans l'en-tête."),
            )),
        }
    }
    for h in header.iter().skip(columns.len()) {
        errors.push(ImportError::new(
            1,
            h,
            "invalid_header",
            format!("Colonne inconnue : « {h} »."),
        ));
    }
    if errors.len() > header_errors {
        return None;
    }
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(ImportError::new(
                    line,
                    "",
                    "unreadable_line",
                    "Ligne illisible (guillemets non fermés ?).",
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            errors.push(ImportError::new(
                line,
                "",
                "too_many_rows",
                format!("Le fichier dépasse {MAX_ROWS} lignes : découpez-le."),
            ));
            return None;
        }
        if record.len() != columns.len() {
            errors.push(ImportError::new(
                line,
                "",
                "invalid_columns",
                format!(
                    "{} colonnes au lieu de {} (séparateur : point-virgule).",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Some(Rows { records: rows })
}

/// Checks the fields of one row, pushing its errors.
struct Row<'a> {
    line: u64,
    columns: &'a [&'a str],
    values: &'a [String],
    errors: &'a mut ImportErrors,
    failed: bool,
}

impl Row<'_> {
    fn raw(&self, name: &str) -> &str {
        self.columns
            .iter()
            .position(|c| *c == name)
            .and_then(|i| self.values.get(i))
            .map_or("", String::as_str)
    }

    fn fail(&mut self, field: &str, code: &str, message: String) {
        self.failed = true;
        self.errors
            .push(ImportError::new(self.line, field, code, message));
    }

    /// An optional text of at most `max` characters.
    fn text(&mut self, name: &str, max: usize) -> Option<String> {
        let v = self.raw(name).to_string();
        if v.chars().count() > max {
            self.fail(
                name,
                "text_too_long",
                format!(
                    "« {name} » a {} caractères : {max} au plus.",
                    v.chars().count()
                ),
            );
            return None;
        }
        if v.chars().any(char::is_control) {
            self.fail(
                name,
                "invalid_text",
                format!("« {name} » contient des caractères de contrôle."),
            );
            return None;
        }
        Some(v).filter(|v| !v.is_empty())
    }

    /// A required text.
    fn required(&mut self, name: &str, max: usize) -> Option<String> {
        let too_long = self.raw(name).chars().count() > max;
        let v = self.text(name, max);
        if v.is_none() && !too_long && !self.failed_on(name) {
            self.fail(
                name,
                "missing_field",
                format!("« {name} » est obligatoire."),
            );
        }
        v
    }

    fn failed_on(&self, name: &str) -> bool {
        self.errors
            .errors
            .iter()
            .rev()
            .take_while(|e| e.line == self.line)
            .any(|e| e.field == name)
    }

    /// The field's value, or `missing_field` when it is empty.
    fn present(&mut self, name: &str) -> Option<String> {
        let v = self.raw(name).to_string();
        if v.is_empty() {
            self.fail(
                name,
                "missing_field",
                format!("« {name} » est obligatoire."),
            );
            return None;
        }
        Some(v)
    }

    fn number(&mut self, name: &str) -> Option<String> {
        let v = self.present(name)?;
        if !valid_number(&v) {
            let shown: String = v.chars().take(MAX_NUMBER + 5).collect();
            self.fail(
                name,
                "invalid_number",
                format!("Numéro « {shown} » non conforme : {MAX_NUMBER} caractères au plus, lettres, chiffres, espaces et - _ / ."),
            );
            return None;
        }
        Some(v)
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let v = self.present(name)?;
        let d = parse_date(&v);
        if d.is_none() {
            let shown: String = v.chars().take(20).collect();
            self.fail(
                name,
                "invalid_date",
                format!("Date « {shown} » non reconnue : JJ/MM/AAAA ou AAAA-MM-JJ."),
            );
        }
        d
    }

    fn amount(&mut self, name: &str) -> Option<i64> {
        let v = self.present(name)?;
        let a = parse_amount(&v);
        if a.is_none() {
            let shown: String = v.chars().take(20).collect();
            self.fail(
                name,
                "invalid_amount",
                format!(
                    "Montant « {shown} » non reconnu : en euros, par exemple 6,50 (au plus {}).",
                    euros(MAX_AMOUNT_CENTS)
                ),
            );
        }
        a
    }
}

/// Reads an invoices file: one row per line of invoice, grouped by
/// `numero` in file order.
pub fn parse_invoices(bytes: &[u8]) -> Result<Vec<ImportedInvoice>, ImportErrors> {
    let mut errors = ImportErrors::default();
    let Some(rows) = read_rows(bytes, &INVOICE_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut invoices: Vec<ImportedInvoice> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    for (line, values) in &rows.records {
        let mut row = Row {
            line: *line,
            columns: &INVOICE_COLUMNS,
            values,
            errors: &mut errors,
            failed: false,
        };
        let reference = row.text("famille", MAX_NUMBER);
        let family_id = row.text("famille_id", MAX_NUMBER);
        let family = match (reference, family_id) {
            (_, Some(id)) => Some(FamilyRef::Id(id)),
            (Some(r), None) => Some(FamilyRef::Reference(r)),
            (None, None) => {
                if !row.failed {
                    row.fail(
                        "famille",
                        "missing_field",
                        "Indiquez la famille : « famille » (sa référence ou son code abonné) ou « famille_id ».".into(),
                    );
                }
                None
            }
        };
        let number = row.number("numero");
        let issued_on = row.date("date");
        let due_on = row.date("echeance");
        let service = row.required("service", MAX_TEXT);
        let issuer = row.required("emetteur", MAX_TEXT);
        let emission_code = row.text("code_emission", MAX_NUMBER);
        let invoice_reference = row.text("reference", MAX_NUMBER);
        let label = row.required("libelle", MAX_LABEL);
        let child = row.text("enfant", MAX_TEXT);
        let quantity = match row.raw("quantite") {
            "" => Some(1),
            q => match q.parse::<i64>() {
                Ok(q) if (0..=MAX_QUANTITY).contains(&q) => Some(q),
                _ => {
                    let shown: String = q.chars().take(20).collect();
                    row.fail(
                        "quantite",
                        "invalid_quantity",
                        format!(
                            "Quantité « {shown} » non conforme : un nombre entier de 0 à {MAX_QUANTITY}."
                        ),
                    );
                    None
                }
            },
        };
        let amount = row.amount("montant");
        if let (Some(i), Some(d)) = (issued_on, due_on)
            && d < i
        {
            row.fail(
                "echeance",
                "invalid_date",
                format!(
                    "L'échéance ({}) précède la date de la facture ({}).",
                    d.format("%d/%m/%Y"),
                    i.format("%d/%m/%Y")
                ),
            );
        }
        if row.failed {
            continue;
        }
        let (
            Some(family),
            Some(number),
            Some(issued_on),
            Some(due_on),
            Some(service),
            Some(issuer),
            Some(label),
            Some(quantity),
            Some(amount),
        ) = (
            family, number, issued_on, due_on, service, issuer, label, quantity, amount,
        )
        else {
            continue;
        };
        let unit_price_cents = if quantity > 0 {
            amount / quantity
        } else {
            amount
        };
        let invoice_line = InvoiceLine {
            label,
            child,
            activity: None,
            period: None,
            quantity,
            unit_price_cents,
            amount_cents: amount,
        };
        match by_number.get(&number) {
            None => {
                by_number.insert(number.clone(), invoices.len());
                invoices.push(ImportedInvoice {
                    line: *line,
                    family,
                    number,
                    issued_on,
                    due_on,
                    service,
                    issuer,
                    emission_code,
                    reference: invoice_reference,
                    amount_cents: amount,
                    lines: vec![invoice_line],
                });
            }
            Some(&i) => {
                let inv = &mut invoices[i];
                let differs: Option<(&str, String)> = if inv.family != family {
                    Some((family.field(), inv.family.value().to_string()))
                } else if inv.issued_on != issued_on {
                    Some(("date", inv.issued_on.format("%d/%m/%Y").to_string()))
                } else if inv.due_on != due_on {
                    Some(("echeance", inv.due_on.format("%d/%m/%Y").to_string()))
                } else if inv.service != service {
                    Some(("service", inv.service.clone()))
                } else if inv.issuer != issuer {
                    Some(("emetteur", inv.issuer.clone()))
                } else {
                    None
                };
                if let Some((field, first)) = differs {
                    errors.push(ImportError::new(
                        *line,
                        field,
                        "inconsistent_invoice",
                        format!(
                            "La facture « {number} » a « {first} » pour « {field} » à la ligne {} : toutes ses lignes doivent concorder.",
                            inv.line
                        ),
                    ));
                    continue;
                }
                if inv.lines.len() >= MAX_LINES {
                    errors.push(ImportError::new(
                        *line,
                        "numero",
                        "too_many_lines",
                        format!("La facture « {number} » a plus de {MAX_LINES} lignes."),
                    ));
                    continue;
                }
                inv.amount_cents = inv.amount_cents.saturating_add(amount);
                inv.lines.push(invoice_line);
            }
        }
    }
    for inv in &invoices {
        if !(1..=MAX_AMOUNT_CENTS).contains(&inv.amount_cents) {
            errors.push(ImportError::new(
                inv.line,
                "montant",
                "invalid_amount",
                format!(
                    "La facture « {} » totalise {} : son montant doit être compris entre 0,01 € et {}.",
                    inv.number,
                    euros(inv.amount_cents),
                    euros(MAX_AMOUNT_CENTS)
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(invoices)
    } else {
        Err(errors.sorted())
    }
}

/// Reads a payments file: one row per payment, in file order.
pub fn parse_payments(bytes: &[u8]) -> Result<Vec<ImportedPayment>, ImportErrors> {
    let mut errors = ImportErrors::default();
    let Some(rows) = read_rows(bytes, &PAYMENT_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut payments = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for (line, values) in &rows.records {
        let mut row = Row {
            line: *line,
            columns: &PAYMENT_COLUMNS,
            values,
            errors: &mut errors,
            failed: false,
        };
        let number = row.number("numero");
        let date = row.date("date");
        let invoice_number = row.number("facture");
        let method = match row.raw("mode") {
            "" => {
                row.fail("mode", "missing_field", "« mode » est obligatoire.".into());
                None
            }
            m => {
                let method = parse_method(m);
                if method.is_none() {
                    let shown: String = m.chars().take(20).collect();
                    row.fail(
                        "mode",
                        "invalid_method",
                        format!(
                            "Mode « {shown} » inconnu : cheque, especes, virement, prelevement, carte, en_ligne ou autre."
                        ),
                    );
                }
                method
            }
        };
        let description = row.text("libelle", MAX_DESCRIPTION);
        let amount = row.amount("montant");
        if let Some(a) = amount
            && a <= 0
        {
            row.fail(
                "montant",
                "invalid_amount",
                format!(
                    "Le montant d'un règlement doit être positif, pas {}.",
                    euros(a)
                ),
            );
        }
        if row.failed {
            continue;
        }
        let (Some(number), Some(date), Some(invoice_number), Some(method), Some(amount)) =
            (number, date, invoice_number, method, amount)
        else {
            continue;
        };
        if let Some(first) = seen.get(&(invoice_number.clone(), number.clone())) {
            errors.push(ImportError::new(
                *line,
                "numero",
                "duplicate_payment",
                format!(
                    "Le règlement « {number} » de la facture « {invoice_number} » figure déjà à la ligne {first}."
                ),
            ));
            continue;
        }
        seen.insert((invoice_number.clone(), number.clone()), *line);
        payments.push(ImportedPayment {
            line: *line,
            number,
            date,
            invoice_number,
            method,
            description,
            amount_cents: amount,
        });
    }
    if errors.is_empty() {
        Ok(payments)
    } else {
        Err(errors.sorted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVOICE_HEADER: &str = "famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant\n";
    const PAYMENT_HEADER: &str = "numero;date;facture;mode;libelle;montant\n";

    fn codes(e: &ImportErrors) -> Vec<(u64, &str, &str)> {
        e.errors
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn amounts_in_euros_with_comma_point_and_spaces() {
        assert_eq!(parse_amount("6,50"), Some(650));
        assert_eq!(parse_amount("6.5"), Some(650));
        assert_eq!(parse_amount("12"), Some(1200));
        assert_eq!(parse_amount("1 234,50"), Some(123_450));
        assert_eq!(parse_amount("1\u{a0}234,50"), Some(123_450));
        assert_eq!(parse_amount("1\u{202f}234,05 €"), Some(123_405));
        assert_eq!(parse_amount("-3,00"), Some(-300));
        for bad in [
            "",
            "6,",
            ",5",
            "6,505",
            "6,5,0",
            "abc",
            "1e3",
            "--1",
            "10000000,01",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
        assert_eq!(parse_amount("1000000"), Some(MAX_AMOUNT_CENTS));
    }

    #[test]
    fn dates_in_french_or_iso() {
        assert_eq!(
            parse_date("31/10/2026"),
            NaiveDate::from_ymd_opt(2026, 10, 31)
        );
        assert_eq!(
            parse_date("2026-10-31"),
            NaiveDate::from_ymd_opt(2026, 10, 31)
        );
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("10/31/2026"), None);
    }

    #[test]
    fn methods_in_french() {
        assert_eq!(parse_method("cheque"), Some(PaymentMethod::Cheque));
        assert_eq!(parse_method("Chèque"), Some(PaymentMethod::Cheque));
        assert_eq!(parse_method("espèces"), Some(PaymentMethod::Cash));
        assert_eq!(parse_method("virement"), Some(PaymentMethod::Transfer));
        assert_eq!(
            parse_method("prelevement"),
            Some(PaymentMethod::DirectDebit)
        );
        assert_eq!(parse_method("carte"), Some(PaymentMethod::Card));
        assert_eq!(parse_method("en_ligne"), Some(PaymentMethod::Online));
        assert_eq!(parse_method("en ligne"), Some(PaymentMethod::Online));
        assert_eq!(parse_method("autre"), Some(PaymentMethod::Other));
        assert_eq!(parse_method("bitcoin"), None);
    }

    #[test]
    fn rows_group_into_invoices_by_number() {
        let file = format!(
            "\u{feff}{INVOICE_HEADER}\
             F-1;;2026-001;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;Léa;4;6,50\n\
             F-1;;2026-001;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Cantine;Léa;;1 234,50\n\
             ;01FAM;2026-002;2026-10-31;2026-11-30;Cantine;Mairie;E1;R1;Repas;;2;7\n"
        );
        let invoices = parse_invoices(file.as_bytes()).unwrap();
        assert_eq!(invoices.len(), 2);
        let first = &invoices[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.family, FamilyRef::Reference("F-1".into()));
        assert_eq!(first.lines.len(), 2);
        assert_eq!(first.amount_cents, 650 + 123_450);
        assert_eq!(first.lines[0].quantity, 4);
        assert_eq!(first.lines[0].child.as_deref(), Some("Léa"));
        assert_eq!(first.lines[1].quantity, 1);
        let second = &invoices[1];
        assert_eq!(second.family, FamilyRef::Id("01FAM".into()));
        assert_eq!(second.emission_code.as_deref(), Some("E1"));
        assert_eq!(second.amount_cents, 700);
        assert_eq!(second.lines[0].unit_price_cents, 350);
    }

    #[test]
    fn every_broken_field_is_named_with_its_line_and_code() {
        let long = "x".repeat(MAX_LABEL + 1);
        let file = format!(
            "{INVOICE_HEADER}\
             F-1;;2026-001;31/13/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6,50\n\
             F-1;;2026-002;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;six euros\n\
             ;;2026-003;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6\n\
             F-1;;2026-004;31/10/2026;30/11/2026;Périscolaire;Mairie;;;{long};;1;6\n\
             F-1;;2026-005;31/10/2026;30/11/2026;;Mairie;;;Garderie;;-1;6\n\
             F-1;;2026-006;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6\n\
             F-2;;2026-006;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Garderie;;1;6\n\
             F-1;;2026-007;31/10/2026;30/09/2026;Périscolaire;Mairie;;;Garderie;;1;6\n\
             F-1;;2026-008;31/10/2026;30/10/2026;Périscolaire\n\
             F-1;;2026-009;31/10/2026;30/11/2026;Périscolaire;Mairie;;;Remise;;1;-6\n"
        );
        let errors = parse_invoices(file.as_bytes()).unwrap_err();
        assert_eq!(
            codes(&errors),
            vec![
                (2, "date", "invalid_date"),
                (3, "montant", "invalid_amount"),
                (4, "famille", "missing_field"),
                (5, "libelle", "text_too_long"),
                (6, "service", "missing_field"),
                (6, "quantite", "invalid_quantity"),
                (8, "famille", "inconsistent_invoice"),
                (9, "echeance", "invalid_date"),
                (10, "", "invalid_columns"),
                (11, "montant", "invalid_amount"),
            ]
        );
        assert!(errors.errors[0].message.contains("31/13/2026"));
        assert!(errors.errors[1].message.contains("six euros"));
        assert!(errors.errors[6].message.contains("ligne 7"));
    }

    #[test]
    fn the_header_must_be_exact() {
        let missing = "famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite\n";
        let e = parse_invoices(missing.as_bytes()).unwrap_err();
        assert_eq!(codes(&e), vec![(1, "montant", "invalid_header")]);
        let unknown = INVOICE_HEADER.replace("enfant", "eleve");
        let e = parse_invoices(unknown.as_bytes()).unwrap_err();
        assert_eq!(codes(&e), vec![(1, "eleve", "invalid_header")]);
        assert!(e.errors[0].message.contains("« eleve »"));
        let commas = PAYMENT_HEADER.replace(';', ",");
        let e = parse_payments(commas.as_bytes()).unwrap_err();
        assert_eq!(codes(&e), vec![(1, "", "invalid_header")]);
        let e = parse_payments(b"").unwrap_err();
        assert_eq!(codes(&e), vec![(1, "", "invalid_header")]);
    }

    #[test]
    fn not_utf8_is_one_clear_error() {
        let latin1 = b"numero;date;facture;mode;libelle;montant\nC1;01/11/2026;F1;ch\xe8que;;6\n";
        let e = parse_payments(latin1).unwrap_err();
        assert_eq!(codes(&e), vec![(1, "", "invalid_encoding")]);
        assert!(e.errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn too_many_lines_on_one_invoice_and_bounded_error_list() {
        let mut file = INVOICE_HEADER.to_string();
        for _ in 0..=MAX_LINES {
            file.push_str("F-1;;2026-001;31/10/2026;30/11/2026;P;M;;;L;;1;1\n");
        }
        let e = parse_invoices(file.as_bytes()).unwrap_err();
        assert_eq!(
            codes(&e),
            vec![(MAX_LINES as u64 + 2, "numero", "too_many_lines")]
        );

        let mut file = PAYMENT_HEADER.to_string();
        for i in 0..(MAX_ERRORS + 10) {
            file.push_str(&format!("C{i};hier;F1;cheque;;6\n"));
        }
        let e = parse_payments(file.as_bytes()).unwrap_err();
        assert_eq!(e.errors.len(), MAX_ERRORS);
        assert_eq!(e.more, 10);
        assert_eq!(e.len(), MAX_ERRORS + 10);
    }

    #[test]
    fn payments_parse_with_french_methods() {
        let file = format!(
            "{PAYMENT_HEADER}\
             CHQ-1;02/11/2026;2026-001;chèque;Chèque de la grand-mère;6,50\n\
             VIR-1;2026-11-03;2026-001;virement;;1\n"
        );
        let p = parse_payments(file.as_bytes()).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].method, PaymentMethod::Cheque);
        assert_eq!(p[0].amount_cents, 650);
        assert_eq!(p[0].description.as_deref(), Some("Chèque de la grand-mère"));
        assert_eq!(p[1].method, PaymentMethod::Transfer);
        assert_eq!(p[1].description, None);
        assert_eq!(p[1].invoice_number, "2026-001");
    }

    #[test]
    fn broken_payments_are_named() {
        let file = format!(
            "{PAYMENT_HEADER}\
             CHQ-1;02/11/2026;2026-001;bitcoin;;6,50\n\
             CHQ-2;02/11/2026;;cheque;;6,50\n\
             CHQ-3;02/11/2026;2026-001;cheque;;0\n\
             CHQ-4;02/11/2026;2026-001;cheque;;1\n\
             CHQ-4;03/11/2026;2026-001;cheque;;1\n"
        );
        let e = parse_payments(file.as_bytes()).unwrap_err();
        assert_eq!(
            codes(&e),
            vec![
                (2, "mode", "invalid_method"),
                (3, "facture", "missing_field"),
                (4, "montant", "invalid_amount"),
                (6, "numero", "duplicate_payment"),
            ]
        );
        assert!(e.errors[0].message.contains("bitcoin"));
    }
}
