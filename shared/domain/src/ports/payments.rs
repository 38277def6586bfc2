//! The online payment port: a payment service creates a transaction for
//! one invoice, sends the payer to its page, and tells the transaction's
//! result when asked. Two adapters: PayFiP (DGFiP, SOAP web service) and a
//! sandbox for demos and tests that plays the same flow.
//!
//! The result a caller (the payer's browser, a notification) brings is
//! never trusted: only [`PaymentProvider::detail`] decides.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One transaction to create: the whole balance of one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOrder {
    /// The invoice's year (PayFiP `exer`, 4 digits).
    pub year: i32,
    /// Always read from the stored invoice, never from the browser.
    pub amount_cents: i64,
    /// Where the payment service sends its own ticket (PayFiP `mel`).
    pub email: String,
    /// The régie's client number (PayFiP `numcli`, 6 digits).
    pub numcli: String,
    /// What is paid, shown to the payer (PayFiP `objet`: ≤ 100 characters of
    /// `[A-Za-z0-9 ]`; adapters strip accents and other characters).
    pub object: String,
    /// The invoice's reference (PayFiP `refdet`: `^[A-Za-z0-9]{1,30}$`).
    pub reference: String,
    /// Server-to-server notification address (PayFiP `urlnotif`).
    pub notify_url: String,
    /// Where the payer's browser comes back (PayFiP `urlredirect`).
    pub return_url: String,
}

/// A transaction created: its id, and the page the payer goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedPayment {
    /// PayFiP `idOp`.
    pub id_op: String,
    pub redirect_url: String,
}

/// How a transaction ended, as the payment service says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentResult {
    /// Paid (`P` by card, `V` by direct debit).
    Paid {
        by_debit: bool,
        /// The authorisation number (PayFiP `numauto`).
        authorisation: String,
        /// When it was paid (PayFiP `dattrans` + `heurtrans`), if given.
        at: Option<DateTime<Utc>>,
    },
    /// Refused (`R`, `Z`).
    Refused,
    /// Abandoned by the payer (`A`).
    Abandoned,
    /// No result yet: the payer is still on the payment page.
    Pending,
}

/// What the payment service says of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentDetail {
    pub result: PaymentResult,
    /// The amount the service holds, when it says (checked against ours).
    pub amount_cents: Option<i64>,
    /// The reference (`refdet`) the service holds, when it says.
    pub reference: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// The order breaks the service's rules (a bug on our side, or data
    /// the service refuses).
    #[error("payment order refused: {0}")]
    Invalid(String),
    /// The service does not know this transaction.
    #[error("unknown transaction")]
    Unknown,
    /// The service answered with an error (a SOAP fault).
    #[error("payment service fault {code}: {message}")]
    Fault { code: String, message: String },
    /// No answer in time.
    #[error("payment service timeout")]
    Timeout,
    /// Unreachable, or an answer we cannot read.
    #[error("payment service unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// `payfip` or `sandbox`.
    fn name(&self) -> &'static str;
    /// Creates the transaction (PayFiP `creerPaiementSecurise`).
    async fn create(&self, order: &PaymentOrder) -> Result<CreatedPayment, PaymentError>;
    /// Reads its result (PayFiP `recupererDetailPaiementSecurise`).
    async fn detail(&self, id_op: &str) -> Result<PaymentDetail, PaymentError>;
}
