//! Renders a message made of blocks into text and HTML, and wraps both in
//! an RFC 5322 multipart/alternative message.

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;

use crate::commune::Commune;
use crate::ports::OutgoingEmail;

/// A piece of an e-mail's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// A button, followed by the guide's fallback sentence and the plain link.
    Button {
        label: String,
        url: String,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// An e-mail before rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub to: String,
    pub subject: String,
    /// "Bonjour M. Dgf SG,".
    pub greeting: String,
    pub blocks: Vec<Block>,
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const FALLBACK: &str =
    "Si ce bouton ne s'affiche pas correctement, veuillez cliquer sur le lien suivant :";
const AUTOMATIC: &str = "Ceci est un mail automatique merci de ne pas y répondre.";

fn text_table(headers: &[String], rows: &[Vec<String>]) -> String {
    let cols = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate().take(cols) {
            if i + 1 < cols {
                s.push_str(cell);
                s.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            } else {
                s.push_str(cell);
            }
        }
        s
    };
    let mut out = line(headers);
    for row in rows {
        out.push('\n');
        out.push_str(&line(row));
    }
    out
}

fn render_text(msg: &Message, commune: &Commune) -> String {
    let mut parts = vec![msg.greeting.clone()];
    for block in &msg.blocks {
        match block {
            Block::Paragraph(p) => parts.push(p.clone()),
            Block::Button { label, url } => {
                parts.push(format!("{label} : {url}"));
            }
            Block::Table { headers, rows } => parts.push(text_table(headers, rows)),
        }
    }
    parts.push(commune.contact_text.trim().to_string());
    parts.push(format!("Cordialement.\n\n{}", commune.name));
    parts.push(AUTOMATIC.into());
    let mut text = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    text.push('\n');
    text
}

fn html_paragraph(p: &str) -> String {
    let lines: Vec<String> = p.lines().map(escape_html).collect();
    format!("<p style=\"margin:0 0 16px\">{}</p>", lines.join("<br>"))
}

fn render_html(msg: &Message, commune: &Commune) -> String {
    let mut body = String::new();
    body.push_str(&html_paragraph(&msg.greeting));
    for block in &msg.blocks {
        match block {
            Block::Paragraph(p) => body.push_str(&html_paragraph(p)),
            Block::Button { label, url } => {
                let url = escape_html(url);
                body.push_str(&format!(
                    "<p style=\"margin:24px 0\"><a href=\"{url}\" style=\"background:#1f4e8c;color:#ffffff;padding:12px 20px;border-radius:4px;text-decoration:none;font-weight:bold;display:inline-block\">{}</a></p>",
                    escape_html(label)
                ));
                body.push_str(&format!(
                    "<p style=\"margin:0 0 16px\">{}<br><a href=\"{url}\">{url}</a></p>",
                    escape_html(FALLBACK)
                ));
            }
            Block::Table { headers, rows } => {
                body.push_str(
                    "<table style=\"border-collapse:collapse;margin:0 0 16px\" cellpadding=\"6\">",
                );
                body.push_str("<thead><tr>");
                for h in headers {
                    body.push_str(&format!(
                        "<th scope=\"col\" style=\"text-align:left;border-bottom:2px solid #1f4e8c\">{}</th>",
                        escape_html(h)
                    ));
                }
                body.push_str("</tr></thead><tbody>");
                for row in rows {
                    body.push_str("<tr>");
                    for cell in row {
                        body.push_str(&format!(
                            "<td style=\"border-bottom:1px solid #d0d7e2\">{}</td>",
                            escape_html(cell)
                        ));
                    }
                    body.push_str("</tr>");
                }
                body.push_str("</tbody></table>");
            }
        }
    }
    body.push_str(&html_paragraph(commune.contact_text.trim()));
    body.push_str(&html_paragraph("Cordialement."));
    body.push_str(&html_paragraph(&commune.name));
    body.push_str(&format!(
        "<p style=\"margin:24px 0 0;color:#555;font-size:12px\">{}</p>",
        escape_html(AUTOMATIC)
    ));
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#1b1b1b;line-height:1.5\">{body}</body></html>",
        escape_html(&msg.subject)
    )
}

/// Splits "Name <addr@x>" into its parts; a bare address has no name.
pub fn parse_mailbox(s: &str) -> (Option<String>, String) {
    let s = s.trim();
    if let (Some(open), true) = (s.rfind('<'), s.ends_with('>')) {
        let name = s[..open].trim().trim_matches('"').trim();
        let addr = s[open + 1..s.len() - 1].trim();
        let name = (!name.is_empty()).then(|| name.to_string());
        return (name, addr.to_string());
    }
    (None, s.to_string())
}

/// Renders and wraps the message. `message_id` must be unique (an id from
/// the id generator); the domain part is taken from the sender's address.
pub fn build(
    msg: &Message,
    commune: &Commune,
    message_id: &str,
    now: DateTime<Utc>,
) -> OutgoingEmail {
    let text = render_text(msg, commune);
    let html = render_html(msg, commune);
    let (from_name, from_addr) = parse_mailbox(&commune.mail_from);
    let domain = from_addr
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("marelle.invalid");
    let message_id = format!("{message_id}@{domain}");
    let from: Address<'_> = match &from_name {
        Some(n) => (n.as_str(), from_addr.as_str()).into(),
        None => from_addr.as_str().into(),
    };
    let raw = MessageBuilder::new()
        .from(from)
        .to(msg.to.as_str())
        .subject(msg.subject.as_str())
        .message_id(message_id.as_str())
        .date(now.timestamp())
        .header(
            "Auto-Submitted",
            mail_builder::headers::raw::Raw::new("auto-generated"),
        )
        .text_body(text.as_str())
        .html_body(html.as_str())
        .write_to_vec()
        .unwrap_or_default();
    OutgoingEmail {
        from: commune.mail_from.clone(),
        to: msg.to.clone(),
        subject: msg.subject.clone(),
        text,
        html,
        message_id,
        raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_split_into_name_and_address() {
        assert_eq!(
            parse_mailbox("BL Citoyen <nepasrepondre@bl-citoyen.fr>"),
            (
                Some("BL Citoyen".into()),
                "nepasrepondre@bl-citoyen.fr".into()
            )
        );
        assert_eq!(parse_mailbox("a@b.fr"), (None, "a@b.fr".into()));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn text_tables_align_their_columns() {
        let t = text_table(
            &["Jour".into(), "Heure".into()],
            &[vec!["04/02/2019".into(), "16:30".into()]],
        );
        assert_eq!(t, "Jour        Heure\n04/02/2019  16:30");
    }
}
