//! The e-mail outbox: each message is written, unchanged, as one `.eml`
//! file in a folder (atomically: a temporary file renamed into place). A
//! commune's mail relay, or a person, picks them up from there; the dev
//! mode lists them over HTTP.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use marelle_domain::ports::{Clock, MailError, Mailer, OutgoingEmail};
use serde::Serialize;
use std::sync::Arc;

pub struct Outbox {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
}

/// One message as listed by `GET /api/dev/outbox`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub sent_at: DateTime<Utc>,
}

impl Outbox {
    pub fn new(dir: impl AsRef<Path>, clock: Arc<dyn Clock>) -> std::io::Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir, clock })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every message in the folder, oldest first, parsed back from its
    /// `.eml` file.
    pub async fn list(&self) -> std::io::Result<Vec<OutboxEntry>> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || list_dir(&dir))
            .await
            .map_err(std::io::Error::other)?
    }
}

fn list_dir(dir: &Path) -> std::io::Result<Vec<OutboxEntry>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let raw = std::fs::read(dir.join(&name))?;
        if let Some(entry) = parse(&name, &raw) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Parses a stored message back into its parts.
pub fn parse(file_name: &str, raw: &[u8]) -> Option<OutboxEntry> {
    let msg = mail_parser::MessageParser::default().parse(raw)?;
    let to = msg
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_string();
    let sent_at = msg
        .date()
        .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0))
        .unwrap_or_default();
    Some(OutboxEntry {
        id: file_name.trim_end_matches(".eml").to_string(),
        to,
        subject: msg.subject().unwrap_or_default().to_string(),
        text: msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: msg.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        sent_at,
    })
}

fn file_stem(email: &OutgoingEmail, now: DateTime<Utc>) -> String {
    let id: String = email
        .message_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{}-{id}", now.format("%Y%m%dT%H%M%S%.6fZ"))
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        if email.raw.is_empty() {
            return Err(MailError::Rejected("empty message".into()));
        }
        let stem = file_stem(email, self.clock.now());
        let dir = self.dir.clone();
        let raw = email.raw.clone();
        let name = stem.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            let tmp = dir.join(format!("{name}.eml.tmp"));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&raw)?;
            f.sync_all()?;
            std::fs::rename(&tmp, dir.join(format!("{name}.eml")))?;
            Ok(())
        })
        .await
        .map_err(|e| MailError::Unavailable(e.to_string()))?
        .map_err(|e| MailError::Unavailable(e.to_string()))?;
        Ok(stem)
    }
}
