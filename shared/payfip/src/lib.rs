//! The PayFiP adapter of the payments port
//! ([`marelle_domain::ports::payments::PaymentProvider`]): the DGFiP's
//! online payment service for public bodies, "PayFiP Régie", web-service
//! variant (SOAP 1.1).
//!
//! - [`PayfipClient::create`] calls `creerPaiementSecurise` and gives the
//!   `idOp` and the payer's page (`paiementws.web?idop=`);
//! - [`PayfipClient::detail`] calls `recupererDetailPaiementSecurise`:
//!   `resultrans` `P` (card) or `V` (direct debit) paid, `A` abandoned,
//!   `R`/`Z` refused, anything else an answer we cannot use; PayFiP's
//!   fault `P1` (unknown `idOp`) is [`PaymentError::Unknown`], `P5` (no
//!   result yet) is [`PaymentResult::Pending`].
//!
//! Configuration: [`from_env`] (the `MARELLE_PAYFIP_*` variables,
//! `docs/payfip.md`). The test server that plays PayFiP is [`fake`]
//! (feature `fake`).
//!
//! [`PaymentError::Unknown`]: marelle_domain::ports::payments::PaymentError::Unknown
//! [`PaymentResult::Pending`]: marelle_domain::ports::payments::PaymentResult::Pending

mod client;
pub mod config;
pub mod rules;
pub mod soap;
mod xml;

#[cfg(feature = "fake")]
pub mod fake;

pub use client::{CODE_NO_RESULT, CODE_UNKNOWN, PayfipClient, detail_of, paris_instant};
pub use config::{ConfigError, Mode, PayfipConfig};

/// The PayFiP client the `MARELLE_PAYFIP_*` variables describe (read
/// through `get`), or `None` when `MARELLE_PAYFIP_NUMCLI` is not set.
pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<PayfipClient>, ConfigError> {
    PayfipConfig::from_lookup(get)?
        .map(PayfipClient::new)
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payfip_is_on_only_with_a_numcli() {
        assert!(matches!(from_env(|_| None), Ok(None)));
        let on = from_env(|n| (n == config::VAR_NUMCLI).then(|| "123456".to_string()));
        assert!(matches!(on, Ok(Some(ref c)) if c.config().numcli == "123456"));
        let bad = from_env(|n| (n == config::VAR_NUMCLI).then(|| "1234".to_string()));
        assert!(matches!(bad, Err(ref e) if e.name == config::VAR_NUMCLI));
    }
}
