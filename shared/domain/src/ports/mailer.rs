//! The mailer port: hands a finished RFC 5322 message to the outbox folder
//! or to SES, unchanged.

use async_trait::async_trait;

/// A message ready to send. `raw` is the complete RFC 5322 message
/// (multipart/alternative, text and HTML, UTF-8), built once by
/// [`crate::emails`]; the other fields repeat what it holds, for adapters
/// that need envelope data and for the dev outbox listing.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEmail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub raw: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("message refused: {0}")]
    Rejected(String),
    #[error("mail service unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends the message; returns the transport's id for it.
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError>;
}
