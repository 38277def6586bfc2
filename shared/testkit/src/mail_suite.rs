//! The mailer port's conformance suite: what is sent is what the recipient
//! reads, as a multipart message with a text and an HTML part in UTF-8.

use std::sync::Arc;

use async_trait::async_trait;
use mail_parser::MimeHeaders;
use marelle_domain::Commune;
use marelle_domain::emails::{Block, Message, build};
use marelle_domain::ports::Mailer;

/// Reads back, raw, every message the adapter has sent so far.
#[async_trait]
pub trait SentMail: Send + Sync {
    async fn sent(&self) -> Vec<Vec<u8>>;
}

pub struct MailFixture {
    pub mailer: Arc<dyn Mailer>,
    pub sent: Arc<dyn SentMail>,
    /// The sender the adapter may use (SES needs it verified).
    pub from: String,
    pub _guard: Box<dyn std::any::Any + Send + Sync>,
}

#[macro_export]
macro_rules! mail_conformance {
    ($fixture:expr) => {
        $crate::mail_conformance!(@each $fixture;
            a_message_arrives_as_multipart_text_and_html_in_utf8,
            each_message_sent_arrives_once
        );
    };
    (@each $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture = $fixture.await;
                $crate::mail_suite::$name(&fixture).await;
            }
        )*
    };
}

fn commune(from: &str) -> Commune {
    Commune {
        name: "Mairie de Villebois".into(),
        public_url: "https://famille.villebois.fr".into(),
        mail_from: from.into(),
        contact_text: "Service enfance : 02.02.02.02.02, du lundi au vendredi.".into(),
    }
}

fn message(to: &str, subject: &str) -> Message {
    Message {
        to: to.into(),
        subject: subject.into(),
        greeting: "Bonjour Mme Léa Dupont,".into(),
        blocks: vec![
            Block::Paragraph(
                "Votre réservation à l'accueil périscolaire « 4/Péri SOIR » coûte 2,50 €.".into(),
            ),
            Block::Button {
                label: "Confirmer".into(),
                url: "https://famille.villebois.fr/activation?token=abc".into(),
            },
        ],
    }
}

async fn parsed(f: &MailFixture) -> Vec<mail_parser::Message<'static>> {
    let raws = f.sent.sent().await;
    raws.into_iter()
        .map(|raw| {
            mail_parser::MessageParser::default()
                .parse(&raw)
                .map(|m| m.into_owned())
                .expect("parsable message")
        })
        .collect()
}

pub async fn a_message_arrives_as_multipart_text_and_html_in_utf8(f: &MailFixture) {
    let email = build(
        &message(
            "lea.dupont@exemple.fr",
            "Accusé d'enregistrement électronique",
        ),
        &commune(&f.from),
        "01JTEST0000000000000000001",
        crate::t0(),
    );
    let id = f.mailer.send(&email).await.unwrap();
    assert!(!id.is_empty());
    let got = parsed(f).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.subject(), Some("Accusé d'enregistrement électronique"));
    let to = m
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap();
    assert_eq!(to, "lea.dupont@exemple.fr");
    let from = m
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap();
    assert!(f.from.contains(from), "{from} in {}", f.from);
    let content_type = m.content_type().unwrap();
    assert_eq!(content_type.ctype(), "multipart");
    assert_eq!(content_type.subtype(), Some("alternative"));
    let text = m.body_text(0).unwrap();
    assert!(text.contains("« 4/Péri SOIR » coûte 2,50 €"), "{text}");
    assert!(text.contains("https://famille.villebois.fr/activation?token=abc"));
    let html = m.body_html(0).unwrap();
    assert!(html.contains("href=\"https://famille.villebois.fr/activation?token=abc\""));
    assert!(html.contains("Bonjour Mme Léa Dupont,"));
    assert!(
        m.message_id()
            .is_some_and(|id| id.starts_with("01JTEST0000000000000000001@"))
    );
}

pub async fn each_message_sent_arrives_once(f: &MailFixture) {
    for i in 0..3 {
        let email = build(
            &message(&format!("parent{i}@exemple.fr"), &format!("Message {i}")),
            &commune(&f.from),
            &format!("01JTEST000000000000000000{i}X"),
            crate::t0(),
        );
        f.mailer.send(&email).await.unwrap();
    }
    let mut subjects: Vec<String> = parsed(f)
        .await
        .iter()
        .map(|m| m.subject().unwrap_or_default().to_string())
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["Message 0", "Message 1", "Message 2"]);
}
