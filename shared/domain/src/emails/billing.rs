//! The billing e-mails: the receipt of an online payment, and (in
//! `new_invoices`) the invoices an import created.

use chrono::{DateTime, Utc};

use super::render::{Block, Message};
use crate::billing::rules::euros;
use crate::commune::Commune;
use crate::time::french_date_time;

pub use super::new_invoices::{NewInvoiceLine, new_invoices};

/// What the receipt of an online payment says.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentReceipt<'a> {
    pub invoice_number: &'a str,
    /// The régie.
    pub service: &'a str,
    pub amount_cents: i64,
    /// The payment service's transaction number (`idop`).
    pub transaction: &'a str,
    pub paid_at: DateTime<Utc>,
}

/// "Confirmation de votre paiement en ligne": sent once to the parent who
/// paid, when the payment is recorded.
pub fn payment_receipt(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    r: &PaymentReceipt<'_>,
) -> Message {
    let when = french_date_time(r.paid_at);
    Message {
        to: to.into(),
        subject: "Confirmation de votre paiement en ligne".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(format!(
                "Votre paiement en ligne de {} pour la facture n°{} ({}) a été accepté le {when}. Il est enregistré sur votre espace de facturation :",
                euros(r.amount_cents),
                r.invoice_number,
                r.service
            )),
            Block::Table {
                headers: ["Facture", "Montant", "Transaction", "Date"]
                    .map(String::from)
                    .to_vec(),
                rows: vec![vec![
                    r.invoice_number.to_string(),
                    euros(r.amount_cents),
                    format!("n°{}", r.transaction),
                    when.clone(),
                ]],
            },
            Block::Paragraph(
                "Vous pouvez retrouver ce règlement depuis votre espace de facturation dans le menu Mes règlements.".into(),
            ),
            Block::Button {
                label: "Mes règlements".into(),
                url: commune.link("/espace-facturation/reglements"),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emails::build;
    use chrono::TimeZone;

    #[test]
    fn the_receipt_names_the_invoice_the_amount_and_the_transaction() {
        let commune = Commune {
            name: "Mairie de Villebois".into(),
            public_url: "https://famille.villebois.fr".into(),
            mail_from: "Portail <nepasrepondre@villebois.fr>".into(),
            contact_text: "Service enfance".into(),
        };
        let at = Utc
            .with_ymd_and_hms(2026, 12, 7, 10, 5, 0)
            .single()
            .unwrap_or_default();
        let msg = payment_receipt(
            "matthieu@exemple.fr",
            "M. Matthieu MARTIN",
            &commune,
            &PaymentReceipt {
                invoice_number: "2026-11-0042",
                service: "Périscolaire",
                amount_cents: 4250,
                transaction: "01JABCDEF",
                paid_at: at,
            },
        );
        let email = build(&msg, &commune, "id1", at);
        assert_eq!(email.subject, "Confirmation de votre paiement en ligne");
        assert!(email.text.contains("Bonjour M. Matthieu MARTIN,"));
        assert!(email.text.contains("42,50\u{a0}€"), "{}", email.text);
        assert!(email.text.contains("2026-11-0042"));
        assert!(email.text.contains("n°01JABCDEF"));
        assert!(email.text.contains("07/12/2026 à 11:05"), "{}", email.text);
        assert!(
            email
                .html
                .contains("https://famille.villebois.fr/espace-facturation/reglements")
        );
    }
}
