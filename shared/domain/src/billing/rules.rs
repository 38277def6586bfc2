//! The rules of invoices and payments, as functions.

use chrono::NaiveDate;

use super::{
    Invoice, InvoiceLine, MAX_AMOUNT_CENTS, MAX_DESCRIPTION, MAX_LABEL, MAX_LINES, MAX_NUMBER,
    MAX_QUANTITY, MAX_TEXT, PaymentMethod,
};
use crate::accounts::FieldError;

/// A rule an operation on an invoice breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingError {
    /// The payment is more than what is still to pay.
    Overpayment { balance_cents: i64 },
    /// The invoice is cancelled.
    InvoiceCancelled,
    /// The invoice has payments: it cannot be cancelled.
    InvoiceHasPayments,
}

impl BillingError {
    pub fn code(&self) -> &'static str {
        match self {
            BillingError::Overpayment { .. } => "overpayment",
            BillingError::InvoiceCancelled => "invoice_cancelled",
            BillingError::InvoiceHasPayments => "invoice_has_payments",
        }
    }

    pub fn message(&self) -> String {
        match self {
            BillingError::Overpayment { balance_cents } => format!(
                "Le règlement dépasse le reste à payer de la facture ({}).",
                euros(*balance_cents)
            ),
            BillingError::InvoiceCancelled => "Cette facture est annulée.".into(),
            BillingError::InvoiceHasPayments => {
                "Cette facture a des règlements : elle ne peut pas être annulée.".into()
            }
        }
    }
}

/// `1234` → `12,34 €` (with a non-breaking space).
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{},{:02}\u{a0}€", c / 100, c % 100)
}

/// A payment of `amount_cents` on `invoice` is allowed.
pub fn check_payment(invoice: &Invoice, amount_cents: i64) -> Result<(), BillingError> {
    if invoice.is_cancelled() {
        return Err(BillingError::InvoiceCancelled);
    }
    let balance_cents = invoice.balance_cents();
    if amount_cents > balance_cents {
        return Err(BillingError::Overpayment { balance_cents });
    }
    Ok(())
}

/// `invoice` may be cancelled.
pub fn check_cancel(invoice: &Invoice) -> Result<(), BillingError> {
    if invoice.is_cancelled() {
        return Err(BillingError::InvoiceCancelled);
    }
    if invoice.paid_cents > 0 {
        return Err(BillingError::InvoiceHasPayments);
    }
    Ok(())
}

/// An invoice's fields as sent, before the checks.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFields {
    pub number: String,
    pub service: String,
    pub issuer: String,
    pub amount_cents: Option<i64>,
    pub lines: Vec<InvoiceLine>,
}

/// The fields, trimmed and checked; `amount_cents` is the invoice's
/// amount (Σ lines when lines are given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInvoice {
    pub number: String,
    pub service: String,
    pub issuer: String,
    pub amount_cents: i64,
    pub lines: Vec<InvoiceLine>,
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

fn clean(s: &str) -> String {
    s.trim().to_string()
}

fn clean_opt(s: Option<&String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A number (of an invoice or a payment): 1 to 40 letters, digits, spaces
/// and `- _ / .`.
pub fn valid_number(s: &str) -> bool {
    !s.is_empty()
        && !too_long(s, MAX_NUMBER)
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '/' | '.'))
}

/// Checks a new invoice: bounded texts, at most [`MAX_LINES`] lines,
/// amounts in range, and the amount equal to Σ lines when both are given.
pub fn validate_new_invoice(f: &InvoiceFields) -> Result<ValidInvoice, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = clean(&f.number);
    if !valid_number(&number) {
        errors.push(FieldError::new(
            "number",
            "invalid_number",
            "Le numéro de facture est obligatoire : 40 caractères au plus, lettres, chiffres, espaces et - _ / .",
        ));
    }
    let service = clean(&f.service);
    let issuer = clean(&f.issuer);
    for (field, value, what) in [
        ("service", &service, "Le service"),
        ("issuer", &issuer, "L'émetteur"),
    ] {
        if value.is_empty() || too_long(value, MAX_TEXT) || has_control(value) {
            errors.push(FieldError::new(
                field,
                "invalid_text",
                format!("{what} est obligatoire ({MAX_TEXT} caractères au plus)."),
            ));
        }
    }
    if f.lines.len() > MAX_LINES {
        errors.push(FieldError::new(
            "lines",
            "too_many_lines",
            format!("Une facture a {MAX_LINES} lignes au plus."),
        ));
        return Err(errors);
    }
    let mut lines = Vec::with_capacity(f.lines.len());
    for (i, l) in f.lines.iter().enumerate() {
        let label = clean(&l.label);
        if label.is_empty() || too_long(&label, MAX_LABEL) || has_control(&label) {
            errors.push(FieldError::new(
                &format!("lines[{i}].label"),
                "invalid_label",
                format!(
                    "Ligne {} : le libellé est obligatoire ({MAX_LABEL} caractères au plus).",
                    i + 1
                ),
            ));
        }
        let (child, activity, period) = (
            clean_opt(l.child.as_ref()),
            clean_opt(l.activity.as_ref()),
            clean_opt(l.period.as_ref()),
        );
        for (name, v) in [
            ("child", &child),
            ("activity", &activity),
            ("period", &period),
        ] {
            if v.as_deref()
                .is_some_and(|v| too_long(v, MAX_TEXT) || has_control(v))
            {
                errors.push(FieldError::new(
                    &format!("lines[{i}].{name}"),
                    "invalid_text",
                    format!("Ligne {} : {MAX_TEXT} caractères au plus.", i + 1),
                ));
            }
        }
        if !(0..=MAX_QUANTITY).contains(&l.quantity) {
            errors.push(FieldError::new(
                &format!("lines[{i}].quantity"),
                "invalid_quantity",
                format!(
                    "Ligne {} : la quantité doit être comprise entre 0 et {MAX_QUANTITY}.",
                    i + 1
                ),
            ));
        }
        // `unsigned_abs`: `i64::MIN.abs()` overflows.
        if l.unit_price_cents.unsigned_abs() > MAX_AMOUNT_CENTS.unsigned_abs()
            || l.amount_cents.unsigned_abs() > MAX_AMOUNT_CENTS.unsigned_abs()
        {
            errors.push(FieldError::new(
                &format!("lines[{i}].amount_cents"),
                "invalid_amount",
                format!("Ligne {} : montant hors limites.", i + 1),
            ));
        }
        lines.push(InvoiceLine {
            label,
            child,
            activity,
            period,
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            amount_cents: l.amount_cents,
        });
    }
    // Saturating: out-of-bounds amounts are refused above, but still summed.
    let sum: i64 = lines
        .iter()
        .fold(0i64, |acc, l| acc.saturating_add(l.amount_cents));
    let amount_cents = match (f.amount_cents, lines.is_empty()) {
        (Some(a), false) if a != sum => {
            errors.push(FieldError::new(
                "amount_cents",
                "amount_mismatch",
                format!(
                    "Le montant ({}) n'est pas la somme des lignes ({}).",
                    euros(a),
                    euros(sum)
                ),
            ));
            a
        }
        (_, false) => sum,
        (Some(a), true) => a,
        (None, true) => {
            errors.push(FieldError::new(
                "amount_cents",
                "required",
                "Indiquez le montant de la facture ou ses lignes.",
            ));
            0
        }
    };
    if errors.iter().all(|e| e.field != "amount_cents")
        && !(1..=MAX_AMOUNT_CENTS).contains(&amount_cents)
    {
        errors.push(FieldError::new(
            "amount_cents",
            "invalid_amount",
            "Le montant doit être positif, en centimes (1 000 000 € au plus).",
        ));
    }
    if errors.is_empty() {
        Ok(ValidInvoice {
            number,
            service,
            issuer,
            amount_cents,
            lines,
        })
    } else {
        Err(errors)
    }
}

/// A payment's fields as sent, before the checks.
#[derive(Debug, Clone)]
pub struct PaymentFields {
    pub number: String,
    pub date: NaiveDate,
    pub method: PaymentMethod,
    pub amount_cents: i64,
    pub description: Option<String>,
}

/// Checks a new payment's own fields (the invoice's rules are
/// [`check_payment`]'s): a number, a positive amount in range, a bounded
/// description, a date not after `today`.
pub fn validate_new_payment(
    f: &PaymentFields,
    today: NaiveDate,
) -> Result<PaymentFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = clean(&f.number);
    if !valid_number(&number) {
        errors.push(FieldError::new(
            "number",
            "invalid_number",
            "Le numéro du règlement est obligatoire : 40 caractères au plus, lettres, chiffres, espaces et - _ / .",
        ));
    }
    if !(1..=MAX_AMOUNT_CENTS).contains(&f.amount_cents) {
        errors.push(FieldError::new(
            "amount_cents",
            "invalid_amount",
            "Le montant doit être positif, en centimes.",
        ));
    }
    let description = clean_opt(f.description.as_ref());
    if description
        .as_deref()
        .is_some_and(|d| too_long(d, MAX_DESCRIPTION) || has_control(d))
    {
        errors.push(FieldError::new(
            "description",
            "invalid_text",
            format!("Le libellé a {MAX_DESCRIPTION} caractères au plus."),
        ));
    }
    if f.date > today {
        errors.push(FieldError::new(
            "date",
            "invalid_date",
            "La date du règlement ne peut pas être dans le futur.",
        ));
    }
    if errors.is_empty() {
        Ok(PaymentFields {
            number,
            description,
            ..f.clone()
        })
    } else {
        Err(errors)
    }
}

/// Checks a cancellation's reason: required, bounded.
pub fn validate_reason(reason: &str) -> Result<String, Vec<FieldError>> {
    let r = clean(reason);
    if r.is_empty() || too_long(&r, MAX_DESCRIPTION) || has_control(&r) {
        return Err(vec![FieldError::new(
            "reason",
            "invalid_reason",
            format!("Indiquez le motif de l'annulation ({MAX_DESCRIPTION} caractères au plus)."),
        )]);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::CreditNote;

    fn invoice(amount: i64, paid: i64) -> Invoice {
        Invoice {
            id: "I1".into(),
            family_id: "F1".into(),
            number: "2026-001".into(),
            issued_on: day(2026, 10, 31),
            due_on: day(2026, 11, 30),
            service: "Périscolaire".into(),
            issuer: "Mairie".into(),
            amount_cents: amount,
            paid_cents: paid,
            credit_note: None,
            line_count: 0,
            version: 1,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn line(amount: i64) -> InvoiceLine {
        InvoiceLine {
            label: "Garderie du soir".into(),
            child: Some("Ludovic".into()),
            activity: Some("Péri SOIR".into()),
            period: Some("Octobre 2026".into()),
            quantity: 1,
            unit_price_cents: amount,
            amount_cents: amount,
        }
    }

    fn fields(amount: Option<i64>, lines: Vec<InvoiceLine>) -> InvoiceFields {
        InvoiceFields {
            number: " 2026-001 ".into(),
            service: "Périscolaire".into(),
            issuer: "Mairie de Villebois".into(),
            amount_cents: amount,
            lines,
        }
    }

    fn codes(r: Result<ValidInvoice, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.code)
            .collect()
    }

    #[test]
    fn overpayment_is_refused_and_the_exact_balance_accepted() {
        let inv = invoice(1000, 400);
        assert_eq!(check_payment(&inv, 600), Ok(()));
        assert_eq!(
            check_payment(&inv, 601),
            Err(BillingError::Overpayment { balance_cents: 600 })
        );
        assert_eq!(
            check_payment(&invoice(1000, 1000), 1),
            Err(BillingError::Overpayment { balance_cents: 0 })
        );
        assert!(
            BillingError::Overpayment { balance_cents: 600 }
                .message()
                .contains("6,00\u{a0}€")
        );
    }

    #[test]
    fn a_cancelled_invoice_takes_no_payment_and_no_second_cancel() {
        let mut inv = invoice(1000, 0);
        inv.credit_note = Some(CreditNote {
            number: "AV-1".into(),
            date: day(2026, 11, 1),
            reason: "Erreur".into(),
            amount_cents: 1000,
        });
        assert_eq!(
            check_payment(&inv, 100),
            Err(BillingError::InvoiceCancelled)
        );
        assert_eq!(check_cancel(&inv), Err(BillingError::InvoiceCancelled));
    }

    #[test]
    fn cancel_is_refused_once_paid_even_partly() {
        assert_eq!(check_cancel(&invoice(1000, 0)), Ok(()));
        assert_eq!(
            check_cancel(&invoice(1000, 1)),
            Err(BillingError::InvoiceHasPayments)
        );
    }

    #[test]
    fn the_amount_is_the_sum_of_the_lines() {
        let v = validate_new_invoice(&fields(None, vec![line(650), line(350)]));
        assert_eq!(v.as_ref().map(|v| v.amount_cents), Ok(1000));
        assert_eq!(v.map(|v| v.number).unwrap_or_default(), "2026-001");
        let v = validate_new_invoice(&fields(Some(1000), vec![line(650), line(350)]));
        assert_eq!(v.map(|v| v.amount_cents), Ok(1000));
        assert_eq!(
            codes(validate_new_invoice(&fields(
                Some(999),
                vec![line(650), line(350)]
            ))),
            ["amount_mismatch"]
        );
        assert_eq!(
            validate_new_invoice(&fields(Some(1250), vec![])).map(|v| v.amount_cents),
            Ok(1250)
        );
        assert_eq!(
            codes(validate_new_invoice(&fields(None, vec![]))),
            ["required"]
        );
    }

    #[test]
    fn amounts_sizes_and_texts_are_bounded() {
        assert_eq!(
            codes(validate_new_invoice(&fields(Some(-5), vec![]))),
            ["invalid_amount"]
        );
        assert_eq!(
            codes(validate_new_invoice(&fields(Some(0), vec![]))),
            ["invalid_amount"]
        );
        assert_eq!(
            codes(validate_new_invoice(&fields(
                Some(MAX_AMOUNT_CENTS + 1),
                vec![]
            ))),
            ["invalid_amount"]
        );
        assert!(validate_new_invoice(&fields(None, vec![line(1); MAX_LINES])).is_ok());
        assert_eq!(
            codes(validate_new_invoice(&fields(
                None,
                vec![line(1); MAX_LINES + 1]
            ))),
            ["too_many_lines"]
        );
        let mut long = line(100);
        long.label = "x".repeat(MAX_LABEL + 1);
        assert_eq!(
            codes(validate_new_invoice(&fields(None, vec![long]))),
            ["invalid_label"]
        );
        let mut f = fields(Some(100), vec![]);
        f.number = "12#3".into();
        f.service = String::new();
        assert_eq!(
            codes(validate_new_invoice(&f)),
            ["invalid_number", "invalid_text"]
        );
        let mut negative = line(100);
        negative.quantity = -1;
        assert_eq!(
            codes(validate_new_invoice(&fields(None, vec![negative]))),
            ["invalid_quantity"]
        );
        // The extremes of i64 are refused, not overflowed (found by the fuzz).
        let mut lowest = line(100);
        lowest.unit_price_cents = i64::MIN;
        lowest.amount_cents = i64::MIN;
        let mut highest = line(100);
        highest.amount_cents = i64::MAX;
        assert_eq!(
            codes(validate_new_invoice(&fields(
                Some(0),
                vec![lowest.clone(), lowest, highest]
            ))),
            [
                "invalid_amount",
                "invalid_amount",
                "invalid_amount",
                "amount_mismatch"
            ]
        );
    }

    #[test]
    fn a_payment_needs_a_number_a_positive_amount_and_a_past_date() {
        let today = day(2026, 11, 28);
        let ok = PaymentFields {
            number: " CHQ 1234567 ".into(),
            date: today,
            method: PaymentMethod::Cheque,
            amount_cents: 500,
            description: Some("  ".into()),
        };
        let v = validate_new_payment(&ok, today)
            .map_err(|_| ())
            .map(|p| (p.number, p.description));
        assert_eq!(v, Ok(("CHQ 1234567".to_string(), None)));
        let bad = PaymentFields {
            number: String::new(),
            date: day(2026, 11, 29),
            amount_cents: -1,
            description: Some("x".repeat(MAX_DESCRIPTION + 1)),
            ..ok
        };
        let codes: Vec<_> = validate_new_payment(&bad, today)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            [
                "invalid_number",
                "invalid_amount",
                "invalid_text",
                "invalid_date"
            ]
        );
    }

    #[test]
    fn a_reason_is_required() {
        assert!(validate_reason("  ").is_err());
        assert_eq!(
            validate_reason(" Doublon ").ok().as_deref(),
            Some("Doublon")
        );
    }
}
