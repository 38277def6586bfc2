//! "Nouvelle facture": one e-mail per import and per family, listing the
//! invoices the import created for it, in the digest's style.

use chrono::NaiveDate;

use super::render::{Block, Message};
use crate::billing::rules::euros;
use crate::commune::Commune;
use crate::time::french_date;

/// One invoice the family can now read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoiceLine {
    pub number: String,
    pub service: String,
    pub amount_cents: i64,
    pub due_on: NaiveDate,
}

/// The e-mail telling a family its new invoices are available. `to` may
/// list several addresses, comma-separated.
pub fn new_invoices(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    invoices: &[NewInvoiceLine],
) -> Message {
    let mut invoices = invoices.to_vec();
    invoices.sort_by(|a, b| (a.due_on, &a.number).cmp(&(b.due_on, &b.number)));
    let (subject, intro) = match invoices.len() {
        1 => (
            "Nouvelle facture disponible".to_string(),
            "Une nouvelle facture est disponible dans votre espace de facturation :".to_string(),
        ),
        n => (
            "Nouvelles factures disponibles".to_string(),
            format!("{n} nouvelles factures sont disponibles dans votre espace de facturation :"),
        ),
    };
    let total: i64 = invoices.iter().map(|i| i.amount_cents).sum();
    let mut blocks = vec![
        Block::Paragraph(intro),
        Block::Table {
            headers: ["Facture", "Service", "Montant", "Échéance"]
                .map(String::from)
                .to_vec(),
            rows: invoices
                .iter()
                .map(|i| {
                    vec![
                        i.number.clone(),
                        i.service.clone(),
                        euros(i.amount_cents),
                        french_date(i.due_on),
                    ]
                })
                .collect(),
        },
    ];
    if invoices.len() > 1 {
        blocks.push(Block::Paragraph(format!("Total : {}.", euros(total))));
    }
    blocks.push(Block::Paragraph(
        "Vous pouvez consulter, télécharger et régler vos factures depuis votre espace citoyen dans le menu Mes factures.".into(),
    ));
    blocks.push(Block::Button {
        label: "Mes factures".into(),
        url: commune.link("/espace-facturation"),
    });
    Message {
        to: to.into(),
        subject,
        greeting: format!("Bonjour {greeting_name},"),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn commune() -> Commune {
        Commune {
            name: "Mairie de ville".into(),
            public_url: "https://portailtest.villebois.fr".into(),
            mail_from: "BL Citoyen <nepasrepondre@bl-citoyen.fr>".into(),
            contact_text: "le service enfance jeunesse".into(),
        }
    }

    fn line(number: &str, cents: i64, day: u32) -> NewInvoiceLine {
        NewInvoiceLine {
            number: number.into(),
            service: "Périscolaire".into(),
            amount_cents: cents,
            due_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        }
    }

    #[test]
    fn one_mail_lists_every_new_invoice_with_amount_and_due_date() {
        let m = new_invoices(
            "a@x.fr, b@x.fr",
            "Mme Anne MARTIN",
            &commune(),
            &[line("2026-002", 123_450, 30), line("2026-001", 650, 15)],
        );
        let email = super::super::build(
            &m,
            &commune(),
            "01J",
            Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap(),
        );
        assert_eq!(email.subject, "Nouvelles factures disponibles");
        assert!(
            email.text.contains("Bonjour Mme Anne MARTIN,"),
            "{}",
            email.text
        );
        assert!(email.text.contains("2 nouvelles factures sont disponibles"));
        let first = email.text.find("2026-001").unwrap();
        let second = email.text.find("2026-002").unwrap();
        assert!(first < second, "sorted by due date");
        assert!(email.text.contains("6,50\u{a0}€"));
        assert!(email.text.contains("1234,50\u{a0}€"));
        assert!(email.text.contains("15/11/2026"));
        assert!(email.text.contains("Total : 1241,00\u{a0}€."));
        assert!(
            email
                .text
                .contains("https://portailtest.villebois.fr/espace-facturation"),
            "{}",
            email.text
        );
        assert!(email.html.contains("Mes factures"));
    }

    #[test]
    fn a_single_invoice_reads_in_the_singular() {
        let m = new_invoices("a@x.fr", "M. X", &commune(), &[line("F1", 700, 1)]);
        assert_eq!(m.subject, "Nouvelle facture disponible");
        assert!(
            matches!(&m.blocks[0], Block::Paragraph(p) if p.starts_with("Une nouvelle facture"))
        );
        assert!(
            !m.blocks
                .iter()
                .any(|b| matches!(b, Block::Paragraph(p) if p.starts_with("Total")))
        );
    }
}
