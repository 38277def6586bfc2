//! What a commune configures: its name, its portal's address, the e-mail
//! sender and the contact zone printed at the foot of e-mails.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commune {
    /// "Mairie de Villebois".
    pub name: String,
    /// The portal's public origin, without a trailing slash:
    /// "https://famille.villebois.fr".
    pub public_url: String,
    /// The sender of every e-mail: "Portail Citoyen <nepasrepondre@villebois.fr>".
    pub mail_from: String,
    /// The contact zone of e-mails, plain text, several lines.
    pub contact_text: String,
}

impl Commune {
    /// A link into the portal: `path` starts with `/`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.trim_end_matches('/'), path)
    }
}
