//! The expiry notices of supporting documents: once when an accepted
//! document ends within 30 days, once when it has ended.

use chrono::NaiveDate;

use super::render::{Block, Message};
use crate::commune::Commune;
use crate::documents::expiry::Notice;
use crate::time::french_date;

/// The page of the parents' supporting documents.
pub const DOCUMENTS_PATH: &str = "/pieces-justificatives";

/// What a notice is about.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpiringDocument<'a> {
    /// The document type's name ("Carnet de vaccination").
    pub name: &'a str,
    /// The child's first name; `None` for a family's document.
    pub child: Option<&'a str>,
    /// Its last valid day.
    pub expires_on: NaiveDate,
}

/// "Pièce justificative bientôt expirée" or "Pièce justificative expirée".
pub fn document_expiry(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    notice: Notice,
    doc: &ExpiringDocument<'_>,
) -> Message {
    let whom = match doc.child {
        Some(child) => format!("de {child}"),
        None => "de votre famille".to_string(),
    };
    let date = french_date(doc.expires_on);
    let (subject, paragraph) = match notice {
        Notice::Soon => (
            "Pièce justificative bientôt expirée",
            format!(
                "La pièce justificative « {} » {whom} n'est plus valable après le {date}. Pensez à envoyer un document à jour avant cette date depuis votre espace Pièces justificatives.",
                doc.name
            ),
        ),
        Notice::Expired => (
            "Pièce justificative expirée",
            format!(
                "La pièce justificative « {} » {whom} a expiré le {date}. Envoyez un document à jour depuis votre espace Pièces justificatives : certaines réservations peuvent en dépendre.",
                doc.name
            ),
        ),
    };
    Message {
        to: to.into(),
        subject: subject.into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(paragraph),
            Block::Button {
                label: "Pièces justificatives".into(),
                url: commune.link(DOCUMENTS_PATH),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emails::build;
    use chrono::{TimeZone, Utc};

    fn commune() -> Commune {
        Commune {
            name: "Mairie de Villebois".into(),
            public_url: "https://famille.villebois.fr".into(),
            mail_from: "Portail <nepasrepondre@villebois.fr>".into(),
            contact_text: "Service enfance".into(),
        }
    }

    #[test]
    fn each_notice_names_the_document_the_child_the_date_and_the_page() {
        let at = Utc
            .with_ymd_and_hms(2027, 3, 1, 6, 0, 0)
            .single()
            .unwrap_or_default();
        let doc = ExpiringDocument {
            name: "Carnet de vaccination",
            child: Some("Zoé"),
            expires_on: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default(),
        };
        let soon = build(
            &document_expiry(
                "lea@exemple.fr",
                "Mme Léa DUPONT",
                &commune(),
                Notice::Soon,
                &doc,
            ),
            &commune(),
            "id1",
            at,
        );
        assert_eq!(soon.subject, "Pièce justificative bientôt expirée");
        assert!(
            soon.text.contains("Bonjour Mme Léa DUPONT,"),
            "{}",
            soon.text
        );
        assert!(soon.text.contains("« Carnet de vaccination » de Zoé"));
        assert!(soon.text.contains("après le 31/03/2027"), "{}", soon.text);
        assert!(
            soon.html
                .contains("https://famille.villebois.fr/pieces-justificatives")
        );
        let family = ExpiringDocument { child: None, ..doc };
        let expired = build(
            &document_expiry(
                "lea@exemple.fr",
                "Mme Léa DUPONT",
                &commune(),
                Notice::Expired,
                &family,
            ),
            &commune(),
            "id2",
            at,
        );
        assert_eq!(expired.subject, "Pièce justificative expirée");
        assert!(
            expired
                .text
                .contains("de votre famille a expiré le 31/03/2027"),
            "{}",
            expired.text
        );
        assert!(
            expired
                .text
                .contains("https://famille.villebois.fr/pieces-justificatives")
        );
    }
}
