//! Sending e-mails from handlers: build once, hand to the mailer.

use marelle_domain::emails::{Message, build};

use crate::http::state::AppState;

/// Builds and sends the message. A failure is logged and returned; callers
/// decide whether the request fails with it.
pub async fn send(app: &AppState, message: &Message) -> Result<String, String> {
    let email = build(message, &app.commune, &app.ids.next(), app.clock.now());
    match app.mailer.send(&email).await {
        Ok(id) => Ok(id),
        Err(e) => {
            tracing::error!(subject = %message.subject, error = %e, "e-mail not sent");
            Err(e.to_string())
        }
    }
}
