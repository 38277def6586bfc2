//! Marelle's domain: vocabulary, rules, state machines and the ports the
//! adapters implement. No I/O, no AWS, no HTTP framework here.

pub mod accounts;
pub mod billing;
pub mod calendar;
pub mod commune;
pub mod creche;
pub mod deadlines;
pub mod digest_window;
pub mod documents;
pub mod emails;
pub mod family;
pub mod invoicing;
pub mod keys;
pub mod planning;
pub mod ports;
pub mod requests;
pub mod school_calendar;
pub mod secrets;
pub mod time;

pub use commune::Commune;
