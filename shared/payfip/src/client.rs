//! The PayFiP adapter: SOAP 1.1 over HTTPS POST.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use marelle_domain::ports::payments::{
    CreatedPayment, PaymentDetail, PaymentError, PaymentOrder, PaymentProvider, PaymentResult,
};
use marelle_domain::time::ZONE;

use crate::config::{ConfigError, PayfipConfig, VAR_ENDPOINT};
use crate::rules;
use crate::soap::{self, CreateRequest, DetailAnswer, Fault};

/// Largest answer read, in bytes (a real one is under 2 KB).
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// PayFiP's code for a transaction it does not know (never created, or
/// cleaned the night after an abandon).
pub const CODE_UNKNOWN: &str = "P1";
/// PayFiP's code for a transaction without a result yet.
pub const CODE_NO_RESULT: &str = "P5";

#[derive(Debug, Clone)]
pub struct PayfipClient {
    config: PayfipConfig,
    http: reqwest::Client,
}

impl PayfipClient {
    pub fn new(config: PayfipConfig) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError {
                name: VAR_ENDPOINT.into(),
                reason: format!("HTTP client: {e}"),
            })?;
        Ok(Self { config, http })
    }

    pub fn config(&self) -> &PayfipConfig {
        &self.config
    }

    /// The checked `creerPaiementSecurise` parameters of an order; the
    /// order's `numcli`, or the configured one when the order has none.
    pub fn create_request(&self, order: &PaymentOrder) -> Result<CreateRequest, PaymentError> {
        let invalid = |what: &str| Err(PaymentError::Invalid(what.to_string()));
        let numcli = match order.numcli.trim() {
            "" => self.config.numcli.as_str(),
            n => n,
        };
        if !rules::valid_refdet(&order.reference) {
            return invalid("refdet: 1 to 30 letters or digits expected");
        }
        if !rules::valid_numcli(numcli) {
            return invalid("numcli: 6 digits expected");
        }
        if !rules::valid_exer(order.year) {
            return invalid("exer: a 4-digit year expected");
        }
        if !rules::valid_montant(order.amount_cents) {
            return invalid("montant: from 1 € to 99 999,99 € expected");
        }
        if !rules::valid_mel(order.email.trim()) {
            // The address itself is not said: it is personal.
            return invalid("mel: an e-mail address expected");
        }
        if !rules::valid_url(&order.notify_url) {
            return invalid("urlnotif: an http(s) address expected");
        }
        if !rules::valid_url(&order.return_url) {
            return invalid("urlredirect: an http(s) address expected");
        }
        Ok(CreateRequest {
            exer: order.year.to_string(),
            mel: order.email.trim().to_string(),
            montant: order.amount_cents.to_string(),
            numcli: numcli.to_string(),
            objet: rules::sanitise_objet(&order.object),
            refdet: order.reference.clone(),
            saisie: self.config.mode.saisie().to_string(),
            urlnotif: order.notify_url.clone(),
            urlredirect: order.return_url.clone(),
        })
    }

    /// The payer's page for a transaction.
    pub fn redirect_url(&self, id_op: &str) -> String {
        let sep = if self.config.page_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}idop={id_op}", self.config.page_url)
    }

    /// Posts one envelope; the answer's text (a fault comes with a 500).
    async fn call(&self, operation: &str, body: String) -> Result<(u16, String), PaymentError> {
        let sent = self
            .http
            .post(&self.config.endpoint)
            .header("content-type", "text/xml; charset=utf-8")
            .header("soapaction", "\"\"")
            .body(body)
            .send()
            .await;
        let mut response = sent.map_err(|e| transport(operation, &e))?;
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(operation, &e))?
        {
            if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(PaymentError::Unavailable(format!(
                    "{operation}: answer over {MAX_ANSWER_BYTES} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| PaymentError::Unavailable(format!("{operation}: answer not UTF-8")))?;
        Ok((status, text))
    }
}

fn transport(operation: &str, e: &reqwest::Error) -> PaymentError {
    if e.is_timeout() {
        tracing::warn!(operation, "payfip: no answer in time");
        PaymentError::Timeout
    } else {
        tracing::warn!(operation, error = %e, "payfip: unreachable");
        PaymentError::Unavailable(format!("{operation}: {e}"))
    }
}

/// An answer we could not read: the HTTP status says more when it is not
/// a success.
fn unreadable(operation: &str, status: u16, why: String) -> PaymentError {
    tracing::warn!(operation, status, why, "payfip: unreadable answer");
    if (200..300).contains(&status) {
        PaymentError::Unavailable(format!("{operation}: {why}"))
    } else {
        PaymentError::Unavailable(format!("{operation}: HTTP {status}"))
    }
}

fn fault_error(operation: &str, fault: &Fault) -> PaymentError {
    let code = fault.code();
    tracing::warn!(
        operation,
        code,
        kind = fault.kind.as_deref(),
        "payfip: fault"
    );
    PaymentError::Fault {
        code,
        message: fault.message(),
    }
}

#[async_trait]
impl PaymentProvider for PayfipClient {
    fn name(&self) -> &'static str {
        "payfip"
    }

    async fn create(&self, order: &PaymentOrder) -> Result<CreatedPayment, PaymentError> {
        let request = self.create_request(order)?;
        let op = soap::OP_CREATE;
        let (status, text) = self.call(op, soap::create_request(&request)).await?;
        let id_op = match soap::parse_create(&text) {
            Ok(Ok(id_op)) => id_op,
            Ok(Err(fault)) => return Err(fault_error(op, &fault)),
            Err(why) => return Err(unreadable(op, status, why)),
        };
        if !rules::valid_id_op(&id_op) {
            return Err(unreadable(op, status, "idOp malformed".into()));
        }
        tracing::info!(
            reference = %order.reference,
            amount_cents = order.amount_cents,
            id_op,
            "payfip: transaction created"
        );
        Ok(CreatedPayment {
            redirect_url: self.redirect_url(&id_op),
            id_op,
        })
    }

    async fn detail(&self, id_op: &str) -> Result<PaymentDetail, PaymentError> {
        if !rules::valid_id_op(id_op) {
            return Err(PaymentError::Invalid(
                "idOp: letters, digits and - expected".into(),
            ));
        }
        let op = soap::OP_DETAIL;
        let (status, text) = self.call(op, soap::detail_request(id_op)).await?;
        match soap::parse_detail(&text) {
            Ok(Ok(answer)) => detail_of(id_op, &answer).map_err(|why| unreadable(op, status, why)),
            Ok(Err(fault)) => match fault.code.as_deref() {
                Some(CODE_UNKNOWN) => Err(PaymentError::Unknown),
                Some(CODE_NO_RESULT) => Ok(PaymentDetail {
                    result: PaymentResult::Pending,
                    amount_cents: None,
                    reference: None,
                }),
                _ => Err(fault_error(op, &fault)),
            },
            Err(why) => Err(unreadable(op, status, why)),
        }
    }
}

/// What the service's detail says, or why it cannot be used.
pub fn detail_of(id_op: &str, a: &DetailAnswer) -> Result<PaymentDetail, String> {
    if a.id_op.as_deref().is_some_and(|got| got != id_op) {
        return Err("detail of another idOp".into());
    }
    let amount_cents = match a.montant.as_deref() {
        None => None,
        Some(m) => Some(
            m.parse::<i64>()
                .ok()
                .filter(|m| *m >= 0)
                .ok_or_else(|| format!("montant unreadable: {m:?}"))?,
        ),
    };
    let result = match a.resultrans.as_deref() {
        Some(letter @ ("P" | "V")) => PaymentResult::Paid {
            by_debit: letter == "V",
            authorisation: a.numauto.clone().unwrap_or_default(),
            at: match (a.dattrans.as_deref(), a.heurtrans.as_deref()) {
                (Some(d), Some(h)) => paris_instant(d, h),
                _ => None,
            },
        },
        Some("A") => PaymentResult::Abandoned,
        Some("R" | "Z") => PaymentResult::Refused,
        Some(other) => return Err(format!("resultrans unknown: {other:?}")),
        None => return Err("resultrans missing".into()),
    };
    Ok(PaymentDetail {
        result,
        amount_cents,
        reference: a.refdet.clone(),
    })
}

/// `dattrans` (`DDMMYYYY`) and `heurtrans` (`HHMM`), Paris time, as an
/// instant. In the autumn's repeated hour the first (summer) one is taken;
/// a time in the spring's skipped hour is read one hour later.
pub fn paris_instant(dattrans: &str, heurtrans: &str) -> Option<DateTime<Utc>> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(dattrans, 8) || !digits(heurtrans, 4) {
        return None;
    }
    let date = NaiveDate::parse_from_str(dattrans, "%d%m%Y").ok()?;
    let hours = heurtrans.get(..2)?.parse().ok()?;
    let minutes = heurtrans.get(2..)?.parse().ok()?;
    let local = NaiveDateTime::new(date, NaiveTime::from_hms_opt(hours, minutes, 0)?);
    ZONE.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            ZONE.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single()
    }

    #[test]
    fn paris_times_become_utc_across_daylight_saving() {
        // Winter (UTC+1) and summer (UTC+2).
        assert_eq!(paris_instant("12122019", "1311"), utc(2019, 12, 12, 12, 11));
        assert_eq!(paris_instant("15072026", "0930"), utc(2026, 7, 15, 7, 30));
        // 29 March 2026: 02:00 becomes 03:00.
        assert_eq!(paris_instant("29032026", "0159"), utc(2026, 3, 29, 0, 59));
        assert_eq!(paris_instant("29032026", "0300"), utc(2026, 3, 29, 1, 0));
        assert_eq!(paris_instant("29032026", "0230"), utc(2026, 3, 29, 1, 30));
        // 25 October 2026: 03:00 goes back to 02:00; 02:30 happens twice.
        assert_eq!(paris_instant("25102026", "0230"), utc(2026, 10, 25, 0, 30));
        assert_eq!(paris_instant("25102026", "0330"), utc(2026, 10, 25, 2, 30));
    }

    #[test]
    fn malformed_dates_and_times_give_no_instant() {
        for (d, h) in [
            ("32122019", "1311"),
            ("1212201", "1311"),
            ("12122019", "2460"),
            ("12122019", "13h1"),
            ("+1122019", "1311"),
        ] {
            assert_eq!(paris_instant(d, h), None, "{d} {h}");
        }
    }

    #[test]
    fn the_recorded_detail_is_a_debit_payment() {
        let answer = soap::parse_detail(include_str!("../tests/fixtures/detail_response.xml"));
        let Ok(Ok(answer)) = answer else {
            panic!("{answer:?}");
        };
        let detail = detail_of("cc0cb210-1cd4-11ea-8cca-0213ad91a103", &answer);
        assert_eq!(
            detail,
            Ok(PaymentDetail {
                result: PaymentResult::Paid {
                    by_debit: true,
                    authorisation: "112233445566-tip".into(),
                    at: utc(2019, 12, 12, 12, 11),
                },
                amount_cents: Some(1000),
                reference: Some("EFEFAEFG".into()),
            })
        );
        assert!(detail_of("another", &answer).is_err());
    }
}
