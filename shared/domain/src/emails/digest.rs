//! "Accusé de traitement": the twice-daily e-mail listing the requests the
//! commune decided in a window, as the guide shows it.

use chrono::NaiveDate;

use super::render::{Block, Message};
use crate::commune::Commune;
use crate::time::french_date;

/// One decided request. A day of an activity (a reservation, an absence)
/// is a row of the guide's table (Jour, Enfant, Heure, Type de la demande,
/// Activité, Statut); any other request (a dossier change…) is a sentence
/// of its own below it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecidedLine {
    /// The day asked for; for other requests, the day they were made.
    pub date: NaiveDate,
    /// "16:30": the activity's start; for other requests, when they were
    /// made.
    pub time: String,
    /// "Réservation", "Absence", "Modification du dossier"…
    pub kind: String,
    /// The activity, or the request's description for other kinds.
    pub activity: String,
    /// The child's first name, when the request is about a child's day.
    pub child: Option<String>,
    /// About a day of an activity (a row of the table).
    pub day: bool,
    /// "Accepté" or "Refusé".
    pub status: String,
    /// The commune's message with the decision, if any.
    pub message: Option<String>,
}

/// The digest of one family for one window. `to` may list several
/// addresses (the accounts linked to the family), comma-separated.
pub fn processing_digest(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    lines: &[DecidedLine],
) -> Message {
    let (mut days, mut others): (Vec<DecidedLine>, Vec<DecidedLine>) =
        lines.iter().cloned().partition(|l| l.day);
    days.sort_by(|a, b| {
        (a.date, &a.child, &a.time, &a.activity).cmp(&(b.date, &b.child, &b.time, &b.activity))
    });
    others.sort_by(|a, b| (a.date, &a.time).cmp(&(b.date, &b.time)));
    let intro = match lines.len() {
        1 => "1 de vos demandes a été traitée :".to_string(),
        n => format!("{n} de vos demandes ont été traitées :"),
    };
    let mut blocks = vec![Block::Paragraph(intro)];
    if !days.is_empty() {
        blocks.push(Block::Table {
            headers: [
                "Jour",
                "Enfant",
                "Heure",
                "Type de la demande",
                "Activité",
                "Statut",
            ]
            .map(String::from)
            .to_vec(),
            rows: days
                .iter()
                .map(|l| {
                    vec![
                        french_date(l.date),
                        l.child.clone().unwrap_or_default(),
                        l.time.clone(),
                        l.kind.clone(),
                        l.activity.clone(),
                        l.status.clone(),
                    ]
                })
                .collect(),
        });
    }
    for l in &others {
        // A document is sent, not asked for; its description repeats the
        // kind ("Pièce justificative : Carnet de vaccination (Zoé)").
        let document = l.kind == crate::requests::RequestKind::Document.label();
        let what = l
            .activity
            .strip_prefix(&format!("{} : ", l.kind))
            .unwrap_or(&l.activity);
        blocks.push(Block::Paragraph(format!(
            "{} {} le {} à {} : {what}, {}.",
            l.kind,
            if document { "envoyée" } else { "demandée" },
            french_date(l.date),
            l.time,
            decided(&l.status)
        )));
    }
    for l in days.iter().chain(&others).filter(|l| l.message.is_some()) {
        let about = match (&l.child, l.day) {
            (Some(child), true) => format!("{}, {}, {child}", l.kind, l.activity),
            (None, true) => format!("{}, {}", l.kind, l.activity),
            (_, false) => l.kind.clone(),
        };
        blocks.push(Block::Paragraph(format!(
            "Message de la collectivité pour la demande du {} ({about}) : {}",
            french_date(l.date),
            l.message.as_deref().unwrap_or_default()
        )));
    }
    blocks.push(Block::Paragraph(
        "Vous pouvez également retrouver l'ensemble de vos demandes depuis votre espace citoyen dans le menu Mes Demandes.".into(),
    ));
    blocks.push(Block::Button {
        label: "Mon espace citoyen".into(),
        url: commune.link("/mes-demandes"),
    });
    Message {
        to: to.into(),
        subject: "Accusé de traitement".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks,
    }
}

/// "acceptée", "refusée": the guide's status, said of a request.
fn decided(status: &str) -> String {
    match status {
        "Accepté" => "acceptée".into(),
        "Refusé" => "refusée".into(),
        "Annulé" => "annulée".into(),
        other => other.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    /// The 11 decisions of the guide's example of 04/01/2019.
    #[test]
    fn the_digest_reads_as_the_guides_example() {
        let commune = Commune {
            name: "Mairie de ville".into(),
            public_url: "https://portailtest.villebois.fr".into(),
            mail_from: "BL Citoyen <nepasrepondre@bl-citoyen.fr>".into(),
            contact_text: "le service enfance jeunesse".into(),
        };
        let mut lines = vec![DecidedLine {
            date: NaiveDate::from_ymd_opt(2019, 1, 15).unwrap(),
            time: "12:00".into(),
            kind: "Absence".into(),
            activity: "2/Repas Sco".into(),
            child: Some("Maéva".into()),
            day: true,
            status: "Accepté".into(),
            message: None,
        }];
        for (m, d) in [
            (2, 4),
            (2, 5),
            (2, 11),
            (2, 12),
            (3, 4),
            (3, 5),
            (3, 11),
            (3, 12),
            (3, 18),
            (3, 19),
        ] {
            lines.push(DecidedLine {
                date: NaiveDate::from_ymd_opt(2019, m, d).unwrap(),
                time: "16:30".into(),
                kind: "Réservation".into(),
                activity: "4/Péri SOIR".into(),
                child: Some("Léo".into()),
                day: true,
                status: "Accepté".into(),
                message: None,
            });
        }
        lines.reverse();
        let m = processing_digest("m@x.fr", "M. Matthieu BLMAN", &commune, &lines);
        let email = super::super::build(
            &m,
            &commune,
            "01J",
            Utc.with_ymd_and_hms(2019, 1, 4, 15, 51, 0).unwrap(),
        );
        assert_eq!(email.subject, "Accusé de traitement");
        let expected = "Bonjour M. Matthieu BLMAN,

11 de vos demandes ont été traitées :

Jour        Enfant  Heure  Type de la demande  Activité     Statut
15/01/2019  Maéva   12:00  Absence             2/Repas Sco  Accepté
04/02/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
05/02/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
11/02/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
12/02/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
04/03/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
05/03/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
11/03/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
12/03/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
18/03/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté
19/03/2019  Léo     16:30  Réservation         4/Péri SOIR  Accepté

Vous pouvez également retrouver l'ensemble de vos demandes depuis votre espace citoyen dans le menu Mes Demandes.

Mon espace citoyen : https://portailtest.villebois.fr/mes-demandes
";
        assert!(email.text.starts_with(expected), "{}", email.text);
        assert_eq!(email.html.matches("<tr>").count(), 12);
        assert!(email.html.contains("<th scope=\"col\" style=\"text-align:left;border-bottom:2px solid #1f4e8c\">Statut</th>"));
    }

    #[test]
    fn a_message_of_the_commune_is_shown_with_its_request() {
        let commune = Commune {
            name: "Mairie".into(),
            public_url: "https://p.fr".into(),
            mail_from: "a@p.fr".into(),
            contact_text: String::new(),
        };
        let line = DecidedLine {
            date: NaiveDate::from_ymd_opt(2019, 1, 15).unwrap(),
            time: "12:00".into(),
            kind: "Réservation".into(),
            activity: "2/Repas Sco".into(),
            child: Some("Léo".into()),
            day: true,
            status: "Refusé".into(),
            message: Some("Le restaurant scolaire est complet.".into()),
        };
        let m = processing_digest("m@x.fr", "Mme Sol", &commune, &[line]);
        let email = super::super::build(&m, &commune, "01J", Utc::now());
        assert!(email.text.contains("1 de vos demandes a été traitée :"));
        assert!(email.text.contains("Message de la collectivité pour la demande du 15/01/2019 (Réservation, 2/Repas Sco, Léo) : Le restaurant scolaire est complet."));
    }

    #[test]
    fn each_day_names_its_child_and_other_requests_get_their_own_sentence() {
        let commune = Commune {
            name: "Mairie".into(),
            public_url: "https://p.fr".into(),
            mail_from: "a@p.fr".into(),
            contact_text: String::new(),
        };
        let day = |child: &str| DecidedLine {
            date: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
            time: "16:30".into(),
            kind: "Réservation".into(),
            activity: "4/Péri SOIR".into(),
            child: Some(child.into()),
            day: true,
            status: "Accepté".into(),
            message: None,
        };
        let change = DecidedLine {
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            time: "10:02".into(),
            kind: "Modification du dossier".into(),
            activity: "Modification du téléphone de Léa DUPONT".into(),
            child: None,
            day: false,
            status: "Refusé".into(),
            message: Some("Numéro incomplet.".into()),
        };
        let m = processing_digest(
            "m@x.fr",
            "Mme Sol",
            &commune,
            &[change, day("Zoé"), day("Léo")],
        );
        let email = super::super::build(&m, &commune, "01J", Utc::now());
        let text = &email.text;
        assert!(
            text.contains("3 de vos demandes ont été traitées :"),
            "{text}"
        );
        let leo = text.find("10/12/2026  Léo").expect("Léo's day");
        let zoe = text.find("10/12/2026  Zoé").expect("Zoé's day");
        assert!(leo < zoe, "days sorted by child: {text}");
        assert!(
            text.contains("Modification du dossier demandée le 07/12/2026 à 10:02 : Modification du téléphone de Léa DUPONT, refusée."),
            "{text}"
        );
        assert!(
            !text.contains("07/12/2026  "),
            "a dossier change is not a row of the table: {text}"
        );
        assert!(text.contains(
            "Message de la collectivité pour la demande du 07/12/2026 (Modification du dossier) : Numéro incomplet."
        ));
        assert_eq!(email.html.matches("<tr>").count(), 3, "header and two days");
    }
}
