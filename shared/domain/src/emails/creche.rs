//! Crèche pre-registration e-mails: a place offered, an offer lapsed, the
//! reminder to confirm an application, and its closing when not confirmed.

use chrono::{DateTime, NaiveDate, Utc};

use super::render::{Block, Message};
use crate::calendar::{long_date, long_date_time};
use crate::commune::Commune;

/// The page of one application.
pub fn application_path(id: &str) -> String {
    format!("/creche/{id}")
}

/// What an offer e-mail says.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferMail<'a> {
    pub application_id: &'a str,
    /// "Léa Martin".
    pub child: &'a str,
    pub structure: &'a str,
    pub start_date: NaiveDate,
    pub hours_per_week: f64,
    pub deadline: DateTime<Utc>,
}

/// "27,5" (French decimal comma, no trailing zero).
fn hours(h: f64) -> String {
    let rounded = (h * 100.0).round() / 100.0;
    let text = format!("{rounded}");
    text.replace('.', ",")
}

fn button(commune: &Commune, id: &str) -> Block {
    Block::Button {
        label: "Voir la préinscription".into(),
        url: commune.link(&application_path(id)),
    }
}

/// "Une place en crèche vous est proposée".
pub fn offer(to: &str, greeting_name: &str, commune: &Commune, o: &OfferMail<'_>) -> Message {
    Message {
        to: to.into(),
        subject: "Une place en crèche vous est proposée".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(format!(
                "Une place est proposée pour {} à la crèche {} à partir du {}, pour {} heures par semaine.",
                o.child,
                o.structure,
                long_date(o.start_date),
                hours(o.hours_per_week),
            )),
            Block::Paragraph(format!(
                "Répondez avant le {} depuis votre espace, en acceptant ou en refusant la place. Sans réponse à cette date, la proposition ne tient plus et la demande reste en attente de place.",
                long_date_time(o.deadline)
            )),
            button(commune, o.application_id),
        ],
    }
}

/// "Proposition de place en crèche expirée": the deadline passed without
/// an answer; the application stays on the waiting list.
pub fn lapsed(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    application_id: &str,
    child: &str,
    structure: &str,
    deadline: DateTime<Utc>,
) -> Message {
    Message {
        to: to.into(),
        subject: "Proposition de place en crèche expirée".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(format!(
                "La place proposée pour {child} à la crèche {structure} n'a pas été acceptée avant le {}\u{a0}: la proposition ne tient plus.",
                long_date_time(deadline)
            )),
            Block::Paragraph(
                "Votre demande reste en liste d'attente\u{a0}: la commune pourra vous proposer une autre place.".into(),
            ),
            button(commune, application_id),
        ],
    }
}

/// "Confirmez votre demande de place en crèche": sent once, 15 days
/// before `renew_before`.
pub fn renewal_reminder(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    application_id: &str,
    child: &str,
    renew_before: NaiveDate,
) -> Message {
    Message {
        to: to.into(),
        subject: "Confirmez votre demande de place en crèche".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(format!(
                "Votre préinscription en crèche pour {child} doit être confirmée au plus tard le {} pour rester étudiée par la commission.",
                long_date(renew_before)
            )),
            Block::Paragraph(
                "Si vous souhaitez toujours une place, confirmez votre demande depuis votre espace. Sans confirmation, elle sera clôturée.".into(),
            ),
            button(commune, application_id),
        ],
    }
}

/// "Votre demande de place en crèche est clôturée": not confirmed in time.
pub fn closed(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    application_id: &str,
    child: &str,
    renew_before: NaiveDate,
) -> Message {
    Message {
        to: to.into(),
        subject: "Votre demande de place en crèche est clôturée".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(format!(
                "Votre préinscription en crèche pour {child} n'a pas été confirmée avant le {}\u{a0}: elle est clôturée.",
                long_date(renew_before)
            )),
            Block::Paragraph(
                "Si vous cherchez toujours une place, vous pouvez déposer une nouvelle préinscription depuis votre espace.".into(),
            ),
            button(commune, application_id),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emails::build;
    use chrono::TimeZone;

    fn commune() -> Commune {
        Commune {
            name: "Mairie de Villebois".into(),
            public_url: "https://famille.villebois.fr".into(),
            mail_from: "Portail <nepasrepondre@villebois.fr>".into(),
            contact_text: "Service enfance".into(),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn the_offer_names_the_creche_the_start_the_hours_the_deadline_and_the_page() {
        let deadline = Utc
            .with_ymd_and_hms(2027, 3, 10, 22, 59, 0)
            .single()
            .unwrap_or_default();
        let m = build(
            &offer(
                "lea@exemple.fr",
                "Mme Léa DUPONT",
                &commune(),
                &OfferMail {
                    application_id: "A1",
                    child: "Zoé Dupont",
                    structure: "Les Lutins",
                    start_date: day(2027, 9, 1),
                    hours_per_week: 27.5,
                    deadline,
                },
            ),
            &commune(),
            "id1",
            deadline,
        );
        assert_eq!(m.subject, "Une place en crèche vous est proposée");
        assert!(m.text.contains("Bonjour Mme Léa DUPONT,"), "{}", m.text);
        assert!(m.text.contains("pour Zoé Dupont à la crèche Les Lutins"));
        assert!(m.text.contains("1er septembre 2027"), "{}", m.text);
        assert!(m.text.contains("27,5 heures par semaine"), "{}", m.text);
        assert!(m.text.contains("Répondez avant le "), "{}", m.text);
        assert!(m.text.contains("10 mars 2027 à 23"), "{}", m.text);
        assert!(m.html.contains("https://famille.villebois.fr/creche/A1"));
    }

    #[test]
    fn the_lapse_names_the_creche_the_deadline_and_the_waiting_list() {
        let deadline = Utc
            .with_ymd_and_hms(2027, 3, 10, 17, 0, 0)
            .single()
            .unwrap_or_default();
        let m = build(
            &lapsed(
                "a@b.fr",
                "M. X",
                &commune(),
                "A1",
                "Zoé Dupont",
                "Les Lutins",
                deadline,
            ),
            &commune(),
            "id1",
            deadline,
        );
        assert_eq!(m.subject, "Proposition de place en crèche expirée");
        assert!(
            m.text.contains("pour Zoé Dupont à la crèche Les Lutins"),
            "{}",
            m.text
        );
        assert!(
            m.text.contains("avant le mercredi 10 mars 2027 à 18"),
            "{}",
            m.text
        );
        assert!(m.text.contains("liste d'attente"), "{}", m.text);
        assert!(m.html.contains("https://famille.villebois.fr/creche/A1"));
    }

    #[test]
    fn the_reminder_and_the_closing_say_the_day() {
        let at = Utc
            .with_ymd_and_hms(2027, 3, 1, 6, 0, 0)
            .single()
            .unwrap_or_default();
        let r = build(
            &renewal_reminder("a@b.fr", "M. X", &commune(), "A1", "Zoé", day(2027, 3, 15)),
            &commune(),
            "id1",
            at,
        );
        assert_eq!(r.subject, "Confirmez votre demande de place en crèche");
        assert!(
            r.text.contains("au plus tard le lundi 15 mars 2027"),
            "{}",
            r.text
        );
        let c = build(
            &closed("a@b.fr", "M. X", &commune(), "A1", "Zoé", day(2027, 3, 15)),
            &commune(),
            "id2",
            at,
        );
        assert_eq!(c.subject, "Votre demande de place en crèche est clôturée");
        assert!(c.text.contains("avant le lundi 15 mars 2027"), "{}", c.text);
        assert!(c.text.contains("https://famille.villebois.fr/creche/A1"));
    }
}
