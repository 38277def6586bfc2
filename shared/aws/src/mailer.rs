//! The mailer on SES (v2 `SendEmail`): the finished RFC 5322 message goes
//! as `Content.Raw`, byte for byte; SES takes sender and recipients from
//! its headers. The sender address (or its domain) must be a verified SES
//! identity.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{EmailContent, RawMessage};
use marelle_domain::ports::{MailError, Mailer, OutgoingEmail};

#[derive(Clone)]
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            configuration_set: None,
        }
    }

    /// Sends through this configuration set (event publishing, dedicated IPs…).
    pub fn with_configuration_set(mut self, name: impl Into<String>) -> Self {
        self.configuration_set = Some(name.into());
        self
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let raw = RawMessage::builder()
            .data(Blob::new(email.raw.clone()))
            .build()
            .map_err(|e| MailError::Rejected(e.to_string()))?;
        let out = self
            .client
            .send_email()
            .content(EmailContent::builder().raw(raw).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|err| {
                let code = err.code().unwrap_or("no answer").to_string();
                match code.as_str() {
                    // The message or its sender is refused: sending it again
                    // will not help.
                    "MessageRejected"
                    | "MailFromDomainNotVerifiedException"
                    | "AccountSuspendedException"
                    | "SendingPausedException"
                    | "BadRequestException" => {
                        tracing::warn!(error = %DisplayErrorContext(&err), "ses refused a message");
                        MailError::Rejected(code)
                    }
                    _ => {
                        tracing::error!(error = %DisplayErrorContext(&err), "ses call failed");
                        MailError::Unavailable(format!("ses SendEmail: {code}"))
                    }
                }
            })?;
        out.message_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| MailError::Unavailable("ses SendEmail: no message id".into()))
    }
}
