//! "Mes opérations": every invoice (a credit to pay), payment (a debit) and
//! credit note (a debit) of a family as one ledger, newest first.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Invoice, Payment};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperationNature {
    Invoice,
    Payment,
    CreditNote,
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Operation {
    /// N° opération: the invoice's, the payment's or the credit note's number.
    pub number: String,
    pub date: NaiveDate,
    pub nature: OperationNature,
    pub description: String,
    pub service: String,
    pub invoice_id: String,
    pub credit_cents: i64,
    pub debit_cents: i64,
    pub to_pay_cents: i64,
}

/// The ledger of these invoices and payments, newest first (on one day:
/// invoices, then payments, then credit notes).
pub fn ledger(invoices: &[Invoice], payments: &[Payment]) -> Vec<Operation> {
    let mut ops = Vec::with_capacity(invoices.len() * 2 + payments.len());
    for inv in invoices {
        ops.push(Operation {
            number: inv.number.clone(),
            date: inv.issued_on,
            nature: OperationNature::Invoice,
            description: format!("Facture n°{} - {}", inv.number, inv.service),
            service: inv.service.clone(),
            invoice_id: inv.id.clone(),
            credit_cents: inv.amount_cents,
            debit_cents: 0,
            to_pay_cents: inv.balance_cents(),
        });
        if let Some(cn) = &inv.credit_note {
            ops.push(Operation {
                number: cn.number.clone(),
                date: cn.date,
                nature: OperationNature::CreditNote,
                description: format!(
                    "Avoir - annulation de la facture n°{} : {}",
                    inv.number, cn.reason
                ),
                service: inv.service.clone(),
                invoice_id: inv.id.clone(),
                credit_cents: 0,
                debit_cents: cn.amount_cents,
                to_pay_cents: 0,
            });
        }
    }
    for p in payments {
        ops.push(Operation {
            number: p.number.clone(),
            date: p.date,
            nature: OperationNature::Payment,
            description: p.description(),
            service: p.service.clone(),
            invoice_id: p.invoice_id.clone(),
            credit_cents: 0,
            debit_cents: p.amount_cents,
            to_pay_cents: 0,
        });
    }
    let rank = |n: OperationNature| match n {
        OperationNature::Invoice => 0,
        OperationNature::Payment => 1,
        OperationNature::CreditNote => 2,
    };
    ops.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then(rank(b.nature).cmp(&rank(a.nature)))
            .then(b.number.cmp(&a.number))
    });
    ops
}

/// The sums the invariant ties together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub invoiced: i64,
    pub paid: i64,
    pub credited: i64,
    /// Σ invoice balances.
    pub balances: i64,
    /// Σ the ledger's `to_pay_cents`.
    pub to_pay: i64,
}

impl Totals {
    pub fn of(invoices: &[Invoice], payments: &[Payment]) -> Self {
        let ops = ledger(invoices, payments);
        Totals {
            invoiced: invoices.iter().map(|i| i.amount_cents).sum(),
            paid: payments.iter().map(|p| p.amount_cents).sum(),
            credited: invoices
                .iter()
                .filter_map(|i| i.credit_note.as_ref())
                .map(|c| c.amount_cents)
                .sum(),
            balances: invoices.iter().map(Invoice::balance_cents).sum(),
            to_pay: ops.iter().map(|o| o.to_pay_cents).sum(),
        }
    }

    /// Σ balances = Σ to pay = Σ invoiced − Σ paid − Σ credited.
    pub fn hold(&self) -> bool {
        self.balances == self.to_pay && self.to_pay == self.invoiced - self.paid - self.credited
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::{CreditNote, PaymentMethod, check_cancel, check_payment};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn invoice(id: &str, amount: i64, issued: u32) -> Invoice {
        Invoice {
            id: id.into(),
            family_id: "F1".into(),
            number: format!("N-{id}"),
            issued_on: day(issued),
            due_on: day(28),
            service: "Périscolaire".into(),
            issuer: "Mairie".into(),
            amount_cents: amount,
            paid_cents: 0,
            credit_note: None,
            line_count: 0,
            version: 1,
        }
    }

    fn pay(inv: &mut Invoice, number: &str, amount: i64, on: u32) -> Option<Payment> {
        check_payment(inv, amount).ok()?;
        inv.paid_cents += amount;
        Some(Payment {
            id: format!("P-{number}"),
            invoice_id: inv.id.clone(),
            number: number.into(),
            date: day(on),
            method: PaymentMethod::Cheque,
            amount_cents: amount,
            service: inv.service.clone(),
            description: None,
        })
    }

    #[test]
    fn the_invariant_holds_through_payments_and_a_cancel() {
        let mut a = invoice("A", 1000, 1);
        let mut b = invoice("B", 2550, 2);
        let mut c = invoice("C", 700, 3);
        let mut payments = Vec::new();
        payments.extend(pay(&mut a, "1", 400, 5));
        payments.extend(pay(&mut a, "2", 600, 6));
        payments.extend(pay(&mut b, "3", 1000, 6));
        assert!(pay(&mut b, "4", 1551, 7).is_none(), "overpayment refused");
        assert!(check_cancel(&c).is_ok());
        c.credit_note = Some(CreditNote {
            number: "AV-N-C".into(),
            date: day(8),
            reason: "Doublon".into(),
            amount_cents: c.amount_cents,
        });
        let invoices = [a, b, c];
        let t = Totals::of(&invoices, &payments);
        assert!(t.hold(), "{t:?}");
        assert_eq!(t.to_pay, 1550);
        assert_eq!((t.invoiced, t.paid, t.credited), (4250, 2000, 700));
        let ops = ledger(&invoices, &payments);
        assert_eq!(ops.len(), 3 + 3 + 1);
        assert_eq!(ops[0].nature, OperationNature::CreditNote);
        assert_eq!(ops[0].debit_cents, 700);
        assert_eq!(ops.last().map(|o| o.number.as_str()), Some("N-A"));
        let sum_debits: i64 = ops.iter().map(|o| o.debit_cents).sum();
        let sum_credits: i64 = ops.iter().map(|o| o.credit_cents).sum();
        assert_eq!(sum_credits - sum_debits, t.to_pay);
    }

    #[test]
    fn a_broken_balance_breaks_the_invariant() {
        let mut a = invoice("A", 1000, 1);
        a.paid_cents = 300; // a payment lost
        assert!(!Totals::of(&[a], &[]).hold());
    }
}
