//! The planning's e-mails: the acknowledgment of requests ("Accusé
//! d'enregistrement électronique"), cancellations by a closure, and a
//! place freed from the waiting list.

use chrono::{DateTime, Utc};

use super::render::{Block, Message};
use crate::accounts::Civility;
use crate::commune::Commune;
use crate::requests::RequestKind;
use crate::time::{french_date, french_date_time};

/// One line of a table of requests: Jour, Heure, Type de la demande,
/// Activité.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestLine {
    pub date: chrono::NaiveDate,
    /// "16:30".
    pub time: String,
    pub kind: RequestKind,
    pub activity: String,
}

fn rows(lines: &[RequestLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            vec![
                french_date(l.date),
                l.time.clone(),
                l.kind.label().to_string(),
                l.activity.clone(),
            ]
        })
        .collect()
}

fn headers() -> Vec<String> {
    ["Jour", "Heure", "Type de la demande", "Activité"]
        .map(String::from)
        .to_vec()
}

fn space_link(commune: &Commune) -> Block {
    Block::Button {
        label: "Mon espace citoyen".into(),
        url: commune.link("/mes-demandes"),
    }
}

/// "Accusé d'enregistrement électronique": one e-mail per submission,
/// every day listed (all of one activity, named after the first line).
/// `decided`: automatic activities accepted them at once. The follow-up
/// agrees with the `civility` ("informée" to "Mme").
pub fn acknowledgment(
    to: &str,
    greeting_name: &str,
    civility: Option<Civility>,
    commune: &Commune,
    submitted_at: DateTime<Utc>,
    lines: &[RequestLine],
    decided: bool,
) -> Message {
    let n = lines.len();
    let activity = lines.first().map_or("", |l| l.activity.as_str());
    let kind = lines.first().map_or(RequestKind::Reservation, |l| l.kind);
    let what = match kind {
        RequestKind::Absence => "d'absence",
        _ => "de réservation",
    };
    let when = french_date_time(submitted_at);
    let intro = match (n, decided) {
        (1, false) => format!(
            "Votre demande {what} pour {activity} réalisée le {when} est en cours d'instruction :"
        ),
        (1, true) => {
            format!("Votre demande {what} pour {activity} réalisée le {when} a été acceptée :")
        }
        (_, false) => format!(
            "Vos {n} demandes {what} pour {activity} réalisées le {when} sont en cours d'instruction :"
        ),
        (_, true) => format!(
            "Vos {n} demandes {what} pour {activity} réalisées le {when} ont été acceptées :"
        ),
    };
    let informed = Civility::agree(civility, "informé", "informée");
    let follow = if decided {
        "Elles figurent dès à présent dans votre planning.".to_string()
    } else if n == 1 {
        format!("Nous vous tiendrons {informed} de son traitement.")
    } else {
        format!("Nous vous tiendrons {informed} de leur traitement.")
    };
    Message {
        to: to.into(),
        subject: "Accusé d'enregistrement électronique".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(intro),
            Block::Table {
                headers: headers(),
                rows: rows(lines),
            },
            Block::Paragraph(follow),
            Block::Paragraph("Vous pouvez également visualiser vos demandes depuis votre espace citoyen dans le menu Mes Demandes.".into()),
            space_link(commune),
        ],
    }
}

/// Reservations cancelled because the activity closes.
pub fn cancelled_by_closure(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    reason: &str,
    lines: &[RequestLine],
) -> Message {
    Message {
        to: to.into(),
        subject: "Annulation de réservations".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(format!(
                "En raison d'une fermeture ({reason}), les demandes suivantes sont annulées :"
            )),
            Block::Table {
                headers: headers(),
                rows: rows(lines),
            },
            Block::Paragraph(
                "Vous les retrouvez, annulées, dans votre espace citoyen, menu Mes Demandes."
                    .into(),
            ),
            space_link(commune),
        ],
    }
}

/// A place freed on a full day went to the family's waiting child.
pub fn place_given(
    to: &str,
    greeting_name: &str,
    commune: &Commune,
    child: &str,
    line: &RequestLine,
    accepted: bool,
) -> Message {
    let state = if accepted {
        "Votre réservation est acceptée."
    } else {
        "Votre demande de réservation est maintenant en cours d'instruction."
    };
    Message {
        to: to.into(),
        subject: "Une place s'est libérée".into(),
        greeting: format!("Bonjour {greeting_name},"),
        blocks: vec![
            Block::Paragraph(format!(
                "Une place s'est libérée pour {child} à l'activité {} le {} à {}. {state}",
                line.activity,
                french_date(line.date),
                line.time
            )),
            space_link(commune),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn commune() -> Commune {
        Commune {
            name: "Mairie de ville".into(),
            public_url: "https://portail.villebois.fr".into(),
            mail_from: "BL Citoyen <nepasrepondre@bl-citoyen.fr>".into(),
            contact_text: "le service enfance jeunesse".into(),
        }
    }

    #[test]
    fn the_acknowledgment_lists_every_day_as_the_guide_does() {
        let days = [
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
        ];
        let lines: Vec<RequestLine> = days
            .iter()
            .map(|(m, d)| RequestLine {
                date: NaiveDate::from_ymd_opt(2019, *m, *d).unwrap(),
                time: "16:30".into(),
                kind: RequestKind::Reservation,
                activity: "4/Péri SOIR".into(),
            })
            .collect();
        let at = Utc.with_ymd_and_hms(2019, 1, 4, 15, 33, 0).unwrap();
        let m = acknowledgment(
            "m@x.fr",
            "M. Matthieu BLMAN",
            Some(Civility::Monsieur),
            &commune(),
            at,
            &lines,
            false,
        );
        let email = super::super::build(&m, &commune(), "01J", at);
        assert_eq!(email.subject, "Accusé d'enregistrement électronique");
        assert!(email.text.starts_with("Bonjour M. Matthieu BLMAN,"));
        assert!(email.text.contains("Vos 10 demandes de réservation pour 4/Péri SOIR réalisées le 04/01/2019 à 16:33 sont en cours d'instruction :"));
        assert!(
            email
                .text
                .contains("Jour        Heure  Type de la demande  Activité")
        );
        assert!(
            email
                .text
                .contains("04/02/2019  16:30  Réservation         4/Péri SOIR")
        );
        assert!(
            email
                .text
                .contains("19/03/2019  16:30  Réservation         4/Péri SOIR")
        );
        assert!(
            email
                .text
                .contains("Nous vous tiendrons informé de leur traitement.")
        );
        assert_eq!(
            email.html.matches("<tr>").count(),
            11,
            "a header row and ten days"
        );
    }

    #[test]
    fn a_single_request_reads_in_the_singular() {
        let line = RequestLine {
            date: NaiveDate::from_ymd_opt(2019, 1, 9).unwrap(),
            time: "08:00".into(),
            kind: RequestKind::Reservation,
            activity: "5/ALSH-IS-Matin".into(),
        };
        let at = Utc.with_ymd_and_hms(2019, 1, 8, 10, 45, 0).unwrap();
        let m = acknowledgment(
            "s@x.fr",
            "Mme Sol",
            Some(Civility::Madame),
            &commune(),
            at,
            &[line],
            false,
        );
        let email = super::super::build(&m, &commune(), "01J", at);
        assert!(email.text.contains("Votre demande de réservation pour 5/ALSH-IS-Matin réalisée le 08/01/2019 à 11:45 est en cours d'instruction :"));
        assert!(
            email
                .text
                .contains("Nous vous tiendrons informée de son traitement.")
        );
    }

    #[test]
    fn the_follow_up_agrees_with_the_civility() {
        let line = RequestLine {
            date: NaiveDate::from_ymd_opt(2019, 1, 9).unwrap(),
            time: "08:00".into(),
            kind: RequestKind::Absence,
            activity: "2/Repas Sco".into(),
        };
        let at = Utc.with_ymd_and_hms(2019, 1, 8, 10, 45, 0).unwrap();
        for (civility, expected) in [
            (
                Some(Civility::Madame),
                "Nous vous tiendrons informée de son traitement.",
            ),
            (
                Some(Civility::Monsieur),
                "Nous vous tiendrons informé de son traitement.",
            ),
            (None, "Nous vous tiendrons informé de son traitement."),
        ] {
            let m = acknowledgment(
                "s@x.fr",
                "Sol",
                civility,
                &commune(),
                at,
                std::slice::from_ref(&line),
                false,
            );
            let email = super::super::build(&m, &commune(), "01J", at);
            assert!(
                email.text.contains(expected),
                "{civility:?}: {}",
                email.text
            );
            assert!(
                email
                    .text
                    .contains("Votre demande d'absence pour 2/Repas Sco")
            );
        }
    }
}
