//! Billing ("Votre espace de facturation"): invoices and their lines,
//! payments (règlements), credit notes on cancellation, and the ledger of
//! operations the parents read. Amounts are integer cents everywhere.
//!
//! The ledger's invariant, for every family: Σ invoice balances = Σ the
//! operations' `to_pay_cents` = Σ invoiced − Σ paid − Σ credited.

pub mod import;
pub mod ledger;
pub mod rules;

pub use ledger::{Operation, OperationNature, ledger};
pub use rules::{
    BillingError, check_cancel, check_payment, validate_new_invoice, validate_new_payment,
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Lines of one invoice, at most.
pub const MAX_LINES: usize = 200;
/// Characters of a line's label, at most.
pub const MAX_LABEL: usize = 200;
/// Characters of a short text (service, issuer, child, activity, period).
pub const MAX_TEXT: usize = 100;
/// Characters of an invoice or payment number, at most.
pub const MAX_NUMBER: usize = 40;
/// Characters of a description or a cancellation reason, at most.
pub const MAX_DESCRIPTION: usize = 200;
/// The largest amount of an invoice, a line or a payment: 1 000 000 €.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000;
/// The largest quantity of a line.
pub const MAX_QUANTITY: i64 = 100_000;

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceState {
    ToPay,
    PartlyPaid,
    Paid,
    Cancelled,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    pub label: String,
    /// The child the line is for: first name or id.
    #[serde(default)]
    pub child: Option<String>,
    #[serde(default)]
    pub activity: Option<String>,
    /// The period billed ("Novembre 2026").
    #[serde(default)]
    pub period: Option<String>,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub amount_cents: i64,
}

/// An invoice's cancellation: the credit note that balances it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreditNote {
    /// `AV-<invoice number>`.
    pub number: String,
    pub date: NaiveDate,
    pub reason: String,
    pub amount_cents: i64,
}

/// An invoice as stored (its lines are stored beside it, apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    pub family_id: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The régie.
    pub service: String,
    pub issuer: String,
    pub amount_cents: i64,
    pub paid_cents: i64,
    #[serde(default)]
    pub credit_note: Option<CreditNote>,
    #[serde(default)]
    pub line_count: usize,
    /// Bumped by every write, checked by the next one.
    pub version: i64,
}

impl Invoice {
    pub fn is_cancelled(&self) -> bool {
        self.credit_note.is_some()
    }

    /// What is still to pay (0 once cancelled).
    pub fn balance_cents(&self) -> i64 {
        if self.is_cancelled() {
            0
        } else {
            (self.amount_cents - self.paid_cents).max(0)
        }
    }

    pub fn state(&self) -> InvoiceState {
        if self.is_cancelled() {
            InvoiceState::Cancelled
        } else if self.paid_cents >= self.amount_cents {
            InvoiceState::Paid
        } else if self.paid_cents > 0 {
            InvoiceState::PartlyPaid
        } else {
            InvoiceState::ToPay
        }
    }

    /// Whether the parents may pay it online: a provider is available, the
    /// invoice is not cancelled and at least 1 € remains (the provider's
    /// minimum).
    pub fn payable_online(&self, provider_available: bool) -> bool {
        provider_available && self.balance_cents() >= 100
    }

    pub fn year(&self) -> i32 {
        chrono::Datelike::year(&self.issued_on)
    }
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cheque,
    Cash,
    Transfer,
    DirectDebit,
    Card,
    Online,
    Other,
}

impl PaymentMethod {
    /// The method as the parents read it.
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cheque => "Chèque",
            PaymentMethod::Cash => "Espèces",
            PaymentMethod::Transfer => "Virement",
            PaymentMethod::DirectDebit => "Prélèvement",
            PaymentMethod::Card => "Carte bancaire",
            PaymentMethod::Online => "Règlement en ligne",
            PaymentMethod::Other => "Règlement",
        }
    }
}

/// A payment (règlement) of one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    pub invoice_id: String,
    /// Unique per invoice (cheque number, transaction id…).
    pub number: String,
    pub date: NaiveDate,
    pub method: PaymentMethod,
    pub amount_cents: i64,
    /// The invoice's service, copied so that payments filter alone.
    pub service: String,
    #[serde(default)]
    pub description: Option<String>,
}

impl Payment {
    /// "Chèque n°1234567", "Règlement en ligne - Transaction n°…", or the
    /// description the agent gave.
    pub fn description(&self) -> String {
        if let Some(d) = self.description.as_deref().filter(|d| !d.is_empty()) {
            return d.to_string();
        }
        match self.method {
            PaymentMethod::Online => format!("Règlement en ligne - Transaction n°{}", self.number),
            m => format!("{} n°{}", m.label(), self.number),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn invoice(amount: i64, paid: i64) -> Invoice {
        Invoice {
            id: "I1".into(),
            family_id: "F1".into(),
            number: "2026-001".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap_or_default(),
            due_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
            service: "Périscolaire".into(),
            issuer: "Mairie".into(),
            amount_cents: amount,
            paid_cents: paid,
            credit_note: None,
            line_count: 0,
            version: 1,
        }
    }

    #[test]
    fn state_and_balance_follow_the_payments() {
        assert_eq!(invoice(1000, 0).state(), InvoiceState::ToPay);
        assert_eq!(invoice(1000, 400).state(), InvoiceState::PartlyPaid);
        assert_eq!(invoice(1000, 400).balance_cents(), 600);
        assert_eq!(invoice(1000, 1000).state(), InvoiceState::Paid);
        assert_eq!(invoice(1000, 1000).balance_cents(), 0);
        let mut cancelled = invoice(1000, 0);
        cancelled.credit_note = Some(CreditNote {
            number: "AV-2026-001".into(),
            date: cancelled.issued_on,
            reason: "Erreur".into(),
            amount_cents: 1000,
        });
        assert_eq!(cancelled.state(), InvoiceState::Cancelled);
        assert_eq!(cancelled.balance_cents(), 0);
        assert!(!cancelled.payable_online(true));
    }

    #[test]
    fn online_payment_needs_a_provider_and_one_euro() {
        assert!(invoice(1000, 0).payable_online(true));
        assert!(!invoice(1000, 0).payable_online(false));
        assert!(!invoice(1000, 950).payable_online(true));
    }

    #[test]
    fn payments_describe_themselves_in_french() {
        let mut p = Payment {
            id: "P1".into(),
            invoice_id: "I1".into(),
            number: "1234567".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default(),
            method: PaymentMethod::Cheque,
            amount_cents: 500,
            service: "Périscolaire".into(),
            description: None,
        };
        assert_eq!(p.description(), "Chèque n°1234567");
        p.method = PaymentMethod::Online;
        assert_eq!(
            p.description(),
            "Règlement en ligne - Transaction n°1234567"
        );
        p.description = Some("Chèque de la grand-mère".into());
        assert_eq!(p.description(), "Chèque de la grand-mère");
    }
}
