//! E-mails: French, multipart (text + HTML, UTF-8), built once here from
//! blocks and handed unchanged to the outbox or to SES.

mod accounts;
pub mod billing;
pub mod creche;
pub mod digest;
pub mod documents;
mod new_invoices;
pub mod planning;
mod render;

pub use accounts::{account_exists_notice, activation, password_changed, password_reset, unlinked};
pub use render::{Block, Message, build, escape_html};
