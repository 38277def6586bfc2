//! PayFiP's configuration, from `MARELLE_PAYFIP_*` variables. The crate
//! takes a plain lookup (it does not depend on the portal's HTTP crate);
//! an invalid value stops the start with the variable's name, like the
//! portal's other configuration errors.

use std::time::Duration;

use crate::rules;

pub const VAR_NUMCLI: &str = "MARELLE_PAYFIP_NUMCLI";
pub const VAR_ENDPOINT: &str = "MARELLE_PAYFIP_ENDPOINT";
pub const VAR_MODE: &str = "MARELLE_PAYFIP_MODE";
pub const VAR_PAGE_URL: &str = "MARELLE_PAYFIP_PAGE_URL";
pub const VAR_TIMEOUT_SECS: &str = "MARELLE_PAYFIP_TIMEOUT_SECS";

/// The web service's address. The service address in PayFiP's published
/// WSDL is wrong (Entr'ouvert's eopayment overrides it, and so do Odoo's
/// PayFiP modules); current clients post to this one (the older
/// `https://www.tipi.budget.gouv.fr/tpa/services/securite` was TIPI's).
pub const DEFAULT_ENDPOINT: &str = "https://www.payfip.gouv.fr/tpa/services/securite";
/// The page the payer goes to, with `?idop=`.
pub const DEFAULT_PAGE_URL: &str = "https://www.payfip.gouv.fr/tpa/paiementws.web";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest timeout accepted, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 120;

/// Why the configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct ConfigError {
    pub name: String,
    pub reason: String,
}

impl ConfigError {
    fn new(name: &str, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// PayFiP `saisie`: how the DGFiP treats the transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `T`: test, no money moves (the test card numbers of the DGFiP).
    Test,
    /// `X`: activation, the real payment page before going live.
    Activation,
    /// `W`: production.
    Production,
}

impl Mode {
    pub fn saisie(self) -> &'static str {
        match self {
            Mode::Test => "T",
            Mode::Activation => "X",
            Mode::Production => "W",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "T" => Some(Mode::Test),
            "X" => Some(Mode::Activation),
            "W" => Some(Mode::Production),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayfipConfig {
    /// The régie's client number used when an order carries none.
    pub numcli: String,
    /// The SOAP endpoint.
    pub endpoint: String,
    pub mode: Mode,
    /// The payment page (`?idop=` is added).
    pub page_url: String,
    /// How long one call may take.
    pub timeout: Duration,
}

impl PayfipConfig {
    /// The DGFiP's addresses, test mode, 10 s; `numcli` must be 6 digits.
    pub fn new(numcli: &str) -> Result<Self, ConfigError> {
        let numcli = numcli.trim();
        if !rules::valid_numcli(numcli) {
            return Err(ConfigError::new(VAR_NUMCLI, "6 digits expected"));
        }
        Ok(Self {
            numcli: numcli.to_string(),
            endpoint: DEFAULT_ENDPOINT.into(),
            mode: Mode::Test,
            page_url: DEFAULT_PAGE_URL.into(),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Another endpoint (checked like [`VAR_ENDPOINT`]).
    pub fn with_endpoint(mut self, endpoint: &str) -> Result<Self, ConfigError> {
        self.endpoint = address(VAR_ENDPOINT, endpoint)?;
        Ok(self)
    }

    /// Another payment page (checked like [`VAR_PAGE_URL`]).
    pub fn with_page_url(mut self, page_url: &str) -> Result<Self, ConfigError> {
        self.page_url = address(VAR_PAGE_URL, page_url)?;
        Ok(self)
    }

    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reads the `MARELLE_PAYFIP_*` variables through `get`; `None` when
    /// [`VAR_NUMCLI`] is absent or blank (online payment by PayFiP off).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(numcli) = var(VAR_NUMCLI) else {
            return Ok(None);
        };
        let mut config = Self::new(&numcli)?;
        if let Some(endpoint) = var(VAR_ENDPOINT) {
            config = config.with_endpoint(&endpoint)?;
        }
        if let Some(page) = var(VAR_PAGE_URL) {
            config = config.with_page_url(&page)?;
        }
        if let Some(mode) = var(VAR_MODE) {
            config.mode = Mode::parse(&mode).ok_or_else(|| {
                ConfigError::new(VAR_MODE, format!("T, X or W expected, not {mode:?}"))
            })?;
        }
        if let Some(secs) = var(VAR_TIMEOUT_SECS) {
            let n: u64 = secs
                .parse()
                .ok()
                .filter(|n| (1..=MAX_TIMEOUT_SECS).contains(n))
                .ok_or_else(|| {
                    ConfigError::new(
                        VAR_TIMEOUT_SECS,
                        format!("a number of seconds from 1 to {MAX_TIMEOUT_SECS} expected, not {secs:?}"),
                    )
                })?;
            config.timeout = Duration::from_secs(n);
        }
        Ok(Some(config))
    }
}

/// An https address; plain http only on this machine (a test server, a
/// local relay).
fn address(name: &str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim();
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| {
            value
                .strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    let host = value
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let ok = (local || host.is_some_and(|h| !h.is_empty()))
        && value.len() <= rules::URL_MAX
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(value.to_string())
    } else {
        Err(ConfigError::new(
            name,
            format!("an https:// address expected, not {value:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<PayfipConfig>, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PayfipConfig::from_lookup(|n| map.get(n).cloned())
    }

    #[test]
    fn absent_or_blank_numcli_turns_payfip_off() {
        assert_eq!(read(&[]), Ok(None));
        assert_eq!(read(&[(VAR_NUMCLI, "  "), (VAR_MODE, "Q")]), Ok(None));
    }

    #[test]
    fn defaults_are_the_dgfip_addresses_in_test_mode() {
        let c = read(&[(VAR_NUMCLI, " 012345 ")]).ok().flatten();
        assert_eq!(
            c,
            Some(PayfipConfig {
                numcli: "012345".into(),
                endpoint: DEFAULT_ENDPOINT.into(),
                mode: Mode::Test,
                page_url: DEFAULT_PAGE_URL.into(),
                timeout: Duration::from_secs(10),
            })
        );
    }

    #[test]
    fn every_variable_is_read() {
        let c = read(&[
            (VAR_NUMCLI, "654321"),
            (
                VAR_ENDPOINT,
                "https://relais.example.fr/tpa/services/securite",
            ),
            (VAR_MODE, "W"),
            (
                VAR_PAGE_URL,
                "https://www.tipi.budget.gouv.fr/tpa/paiementws.web",
            ),
            (VAR_TIMEOUT_SECS, "25"),
        ])
        .ok()
        .flatten();
        let Some(c) = c else {
            panic!("no configuration");
        };
        assert_eq!(c.mode, Mode::Production);
        assert_eq!(
            c.endpoint,
            "https://relais.example.fr/tpa/services/securite"
        );
        assert_eq!(
            c.page_url,
            "https://www.tipi.budget.gouv.fr/tpa/paiementws.web"
        );
        assert_eq!(c.timeout, Duration::from_secs(25));
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let name = |pairs: &[(&str, &str)]| read(pairs).err().map(|e| e.name);
        assert_eq!(name(&[(VAR_NUMCLI, "12345")]), Some(VAR_NUMCLI.into()));
        assert_eq!(name(&[(VAR_NUMCLI, "12345a")]), Some(VAR_NUMCLI.into()));
        let ok = (VAR_NUMCLI, "123456");
        assert_eq!(name(&[ok, (VAR_MODE, "P")]), Some(VAR_MODE.into()));
        assert_eq!(
            name(&[ok, (VAR_TIMEOUT_SECS, "0")]),
            Some(VAR_TIMEOUT_SECS.into())
        );
        assert_eq!(
            name(&[ok, (VAR_TIMEOUT_SECS, "dix")]),
            Some(VAR_TIMEOUT_SECS.into())
        );
        assert_eq!(
            name(&[ok, (VAR_TIMEOUT_SECS, "121")]),
            Some(VAR_TIMEOUT_SECS.into())
        );
        assert_eq!(
            name(&[ok, (VAR_ENDPOINT, "http://payfip.example.fr/")]),
            Some(VAR_ENDPOINT.into())
        );
        assert_eq!(
            name(&[ok, (VAR_ENDPOINT, "https://")]),
            Some(VAR_ENDPOINT.into())
        );
        assert_eq!(
            name(&[ok, (VAR_PAGE_URL, "ftp://x")]),
            Some(VAR_PAGE_URL.into())
        );
        assert_eq!(
            read(&[ok, (VAR_ENDPOINT, "http://127.0.0.1:4321/")])
                .ok()
                .flatten()
                .map(|c| c.endpoint),
            Some("http://127.0.0.1:4321/".into())
        );
        assert_eq!(
            read(&[(VAR_NUMCLI, "12345")]).err().map(|e| e.to_string()),
            Some("MARELLE_PAYFIP_NUMCLI: 6 digits expected".into())
        );
    }
}
