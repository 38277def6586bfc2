//! The portal's configuration, read once at start from the environment
//! with the same `MARELLE_*` names on Lambda and in `marelle`: typed,
//! secrets wrapped, and a missing or invalid value stops the start with its
//! name. Lambdas require every commune value; `marelle` has defaults for a
//! demo (the secret then comes from a file in its data folder, checked the
//! same way).

use std::str::FromStr;

use marelle_domain::Commune;
use marelle_domain::calendar::HolidayRules;
use marelle_domain::school_calendar::{CommuneCalendar, SchoolZone};
use marelle_domain::secrets::Secret;

use crate::http::state::{RateLimits, Settings};

/// Fewest characters a portal secret holds.
pub const SECRET_MIN_CHARS: usize = 32;

/// Why the configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("missing environment variable {0}")]
    Missing(String),
    #[error("{name}: {reason}")]
    Invalid { name: String, reason: String },
}

/// Reads one variable by name.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Where values come from: the process environment, or a map in tests.
pub struct Env<'a> {
    get: Lookup<'a>,
}

/// The commune's contact when `MARELLE_CONTACT_TEXT` is not set: the foot of
/// every e-mail and the portal's "Nous contacter" page (`GET /api/commune`).
pub const DEFAULT_CONTACT: &str = "Mairie de Villebois – Service enfance jeunesse
1 place de la Mairie, 12345 Villebois
Téléphone : 01 23 45 67 89, du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h
E-mail : enfance@villebois.example";

impl Env<'static> {
    pub fn process() -> Self {
        Self::lookup(|name| std::env::var(name).ok())
    }
}

impl<'a> Env<'a> {
    pub fn lookup(get: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self { get: Box::new(get) }
    }

    /// The value, trimmed; blank counts as absent.
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.get)(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        self.optional(name)
            .ok_or_else(|| ConfigError::Missing(name.into()))
    }

    /// The value parsed, if given; `expected` says what it should be.
    pub fn parsed<T: FromStr>(&self, name: &str, expected: &str) -> Result<Option<T>, ConfigError> {
        self.optional(name)
            .map(|v| {
                v.parse().map_err(|_| ConfigError::Invalid {
                    name: name.into(),
                    reason: format!("{expected} expected, not {v:?}"),
                })
            })
            .transpose()
    }

    /// A boolean: `true`/`1` or `false`/`0`.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        match self.optional(name).as_deref() {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(v) => Err(ConfigError::Invalid {
                name: name.into(),
                reason: format!("true or false expected, not {v:?}"),
            }),
        }
    }
}

/// A secret of at least [`SECRET_MIN_CHARS`] characters; `name` names its
/// source in the error (a variable or a file).
pub fn secret(name: &str, value: &str) -> Result<Secret, ConfigError> {
    let value = value.trim();
    if value.chars().count() < SECRET_MIN_CHARS {
        return Err(ConfigError::Invalid {
            name: name.into(),
            reason: format!("must hold at least {SECRET_MIN_CHARS} characters"),
        });
    }
    Ok(Secret::new(value))
}

/// What runs the portal, for the values it may leave out.
pub enum Runtime {
    /// A Lambda: every commune value and the secret are required.
    Lambda,
    /// `marelle`: a demo commune by default, at `public_url` unless
    /// `MARELLE_PUBLIC_URL` says otherwise; the secret may come from a file.
    Local { public_url: String },
}

/// The configuration every runtime shares.
#[derive(Debug, Clone)]
pub struct Config {
    pub commune: Commune,
    /// `MARELLE_SECRET`; `None` only locally (the data folder keeps one).
    pub secret: Option<Secret>,
    /// `MARELLE_DIGEST_RATE`: processing-digest e-mails per second (10).
    pub digest_rate: f64,
    /// `MARELLE_COOKIE_SECURE`; by default, whether the portal is on https.
    pub cookie_secure: bool,
    /// `MARELLE_RATE_LIMIT_FACTOR` (load tests only): every limit times it.
    pub rate_limit_factor: i64,
    /// `MARELLE_SCHOOL_ZONE` (A, B, C or Corse; unset: no school holidays)
    /// and `MARELLE_ALSACE_MOSELLE` (Vendredi saint and Saint-Étienne).
    pub calendar: CommuneCalendar,
    /// `MARELLE_DOCUMENT_MAX_MB`: the largest supporting document, in MB
    /// (1 to 25; 10).
    pub document_max_mb: u64,
    /// `MARELLE_DOCUMENT_RETENTION_DAYS`: days a refused, replaced or
    /// cancelled supporting document is kept (30 to 3650; 365).
    pub document_retention_days: u32,
    /// `MARELLE_POSTAL_CODES`: the commune's postal codes, comma-separated
    /// (5 digits each, at most 50); unset: every family is resident.
    pub postal_codes: Vec<String>,
}

/// `MARELLE_POSTAL_CODES`: `92100,92110`.
fn postal_codes(env: &Env<'_>) -> Result<Vec<String>, ConfigError> {
    let Some(v) = env.optional("MARELLE_POSTAL_CODES") else {
        return Ok(Vec::new());
    };
    let codes: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    if codes.len() > 50
        || codes
            .iter()
            .any(|c| c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ConfigError::Invalid {
            name: "MARELLE_POSTAL_CODES".into(),
            reason: "at most 50 postal codes of 5 digits, comma-separated, expected".into(),
        });
    }
    Ok(codes)
}

/// `MARELLE_SCHOOL_ZONE` and `MARELLE_ALSACE_MOSELLE`.
fn calendar(env: &Env<'_>) -> Result<CommuneCalendar, ConfigError> {
    let school_zone = env
        .optional("MARELLE_SCHOOL_ZONE")
        .map(|v| {
            v.parse::<SchoolZone>().map_err(|e| ConfigError::Invalid {
                name: "MARELLE_SCHOOL_ZONE".into(),
                reason: e.to_string(),
            })
        })
        .transpose()?;
    let holidays = match env.flag("MARELLE_ALSACE_MOSELLE")? {
        Some(true) => HolidayRules::ALSACE_MOSELLE,
        _ => HolidayRules::METROPOLITAN,
    };
    Ok(CommuneCalendar {
        holidays,
        school_zone,
    })
}

impl Config {
    pub fn read(env: &Env<'_>, runtime: &Runtime) -> Result<Self, ConfigError> {
        let text = |name: &str, default: &str| -> Result<String, ConfigError> {
            match runtime {
                Runtime::Lambda => env.required(name),
                Runtime::Local { .. } => Ok(env.optional(name).unwrap_or_else(|| default.into())),
            }
        };
        let public_url = match runtime {
            Runtime::Lambda => env.required("MARELLE_PUBLIC_URL")?,
            Runtime::Local { public_url } => env
                .optional("MARELLE_PUBLIC_URL")
                .unwrap_or_else(|| public_url.clone()),
        };
        let public_url = public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            return Err(ConfigError::Invalid {
                name: "MARELLE_PUBLIC_URL".into(),
                reason: format!("an http:// or https:// address expected, not {public_url:?}"),
            });
        }
        let secret = match (env.optional("MARELLE_SECRET"), runtime) {
            (Some(s), _) => Some(secret("MARELLE_SECRET", &s)?),
            (None, Runtime::Lambda) => return Err(ConfigError::Missing("MARELLE_SECRET".into())),
            (None, Runtime::Local { .. }) => None,
        };
        let digest_rate = env
            .parsed::<f64>("MARELLE_DIGEST_RATE", "a number of e-mails per second")?
            .unwrap_or(10.0);
        if !(digest_rate.is_finite() && digest_rate > 0.0) {
            return Err(ConfigError::Invalid {
                name: "MARELLE_DIGEST_RATE".into(),
                reason: "a number of e-mails per second above 0 expected".into(),
            });
        }
        let rate_limit_factor = env
            .parsed::<i64>("MARELLE_RATE_LIMIT_FACTOR", "a whole number from 1")?
            .unwrap_or(1);
        if rate_limit_factor < 1 {
            return Err(ConfigError::Invalid {
                name: "MARELLE_RATE_LIMIT_FACTOR".into(),
                reason: "a whole number from 1 expected".into(),
            });
        }
        let document_max_mb = env
            .parsed::<u64>(
                "MARELLE_DOCUMENT_MAX_MB",
                "a whole number of MB from 1 to 25",
            )?
            .unwrap_or(10);
        if !(1..=25).contains(&document_max_mb) {
            return Err(ConfigError::Invalid {
                name: "MARELLE_DOCUMENT_MAX_MB".into(),
                reason: "a whole number of MB from 1 to 25 expected".into(),
            });
        }
        let retention = marelle_domain::documents::expiry::RETENTION_DAYS;
        let document_retention_days = env
            .parsed::<u32>(
                "MARELLE_DOCUMENT_RETENTION_DAYS",
                "a whole number of days from 30 to 3650",
            )?
            .unwrap_or(marelle_domain::documents::expiry::DEFAULT_RETENTION_DAYS);
        if !retention.contains(&document_retention_days) {
            return Err(ConfigError::Invalid {
                name: "MARELLE_DOCUMENT_RETENTION_DAYS".into(),
                reason: "a whole number of days from 30 to 3650 expected".into(),
            });
        }
        Ok(Self {
            commune: Commune {
                name: text("MARELLE_COMMUNE_NAME", "Mairie de Villebois")?,
                mail_from: text(
                    "MARELLE_MAIL_FROM",
                    "Portail Citoyen <nepasrepondre@villebois.example>",
                )?,
                // One line in an environment variable: `\n` starts a new one.
                contact_text: text("MARELLE_CONTACT_TEXT", DEFAULT_CONTACT)?.replace("\\n", "\n"),
                // A cookie marked Secure is not sent back over plain http by
                // most clients: only https portals get it by default.
                public_url: public_url.clone(),
            },
            cookie_secure: env
                .flag("MARELLE_COOKIE_SECURE")?
                .unwrap_or_else(|| public_url.starts_with("https://")),
            secret,
            digest_rate,
            rate_limit_factor,
            calendar: calendar(env)?,
            document_max_mb,
            document_retention_days,
            postal_codes: postal_codes(env)?,
        })
    }

    /// The settings handlers and jobs read (production captcha; a runtime
    /// may lower it for development).
    pub fn settings(&self) -> Settings {
        Settings {
            cookie_secure: self.cookie_secure,
            limits: RateLimits::scaled(self.rate_limit_factor),
            digest_rate: Some(self.digest_rate),
            calendar: self.calendar,
            document_max_bytes: self.document_max_mb * 1024 * 1024,
            document_retention_days: self.document_retention_days,
            postal_codes: self.postal_codes.clone(),
            ..Settings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lambda_env() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("MARELLE_COMMUNE_NAME", "Mairie de Villebois"),
            ("MARELLE_PUBLIC_URL", "https://famille.villebois.fr/"),
            ("MARELLE_MAIL_FROM", "Portail <nepasrepondre@villebois.fr>"),
            (
                "MARELLE_CONTACT_TEXT",
                "Service enfance\\nTéléphone\u{a0}: 01 23 45 67 89",
            ),
            ("MARELLE_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
    }

    fn read(vars: &HashMap<&str, &str>, runtime: &Runtime) -> Result<Config, ConfigError> {
        Config::read(
            &Env::lookup(|k| vars.get(k).map(|v| v.to_string())),
            runtime,
        )
    }

    fn local() -> Runtime {
        Runtime::Local {
            public_url: "http://127.0.0.1:8080".into(),
        }
    }

    #[test]
    fn a_lambda_needs_every_commune_value_and_the_secret() {
        for missing in lambda_env().keys() {
            let mut e = lambda_env();
            e.remove(missing);
            assert_eq!(
                read(&e, &Runtime::Lambda).unwrap_err(),
                ConfigError::Missing(missing.to_string())
            );
        }
        let c = read(&lambda_env(), &Runtime::Lambda).unwrap();
        assert_eq!(c.commune.public_url, "https://famille.villebois.fr");
        assert!(c.cookie_secure, "https portals mark cookies Secure");
        assert_eq!(c.digest_rate, 10.0);
        assert_eq!(format!("{:?}", c.secret), "Some(Secret(***))");
    }

    #[test]
    fn marelle_runs_on_defaults_and_keeps_the_secret_optional() {
        let c = read(&HashMap::new(), &local()).unwrap();
        assert_eq!(c.commune.name, "Mairie de Villebois");
        assert_eq!(c.commune.public_url, "http://127.0.0.1:8080");
        assert!(!c.cookie_secure, "plain http cannot carry Secure cookies");
        assert!(c.secret.is_none());
        assert_eq!(c.rate_limit_factor, 1);
    }

    #[test]
    fn postal_codes_are_five_digits_each() {
        let mut e = lambda_env();
        assert!(read(&e, &Runtime::Lambda).unwrap().postal_codes.is_empty());
        e.insert("MARELLE_POSTAL_CODES", " 92100, 92110 ");
        assert_eq!(
            read(&e, &Runtime::Lambda).unwrap().settings().postal_codes,
            ["92100", "92110"]
        );
        for bad in ["9210", "92100,ABCDE", "921000"] {
            e.insert("MARELLE_POSTAL_CODES", bad);
            assert!(
                matches!(read(&e, &Runtime::Lambda), Err(ConfigError::Invalid { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_short_secret_is_refused_on_every_runtime() {
        for runtime in [Runtime::Lambda, local()] {
            let mut e = lambda_env();
            e.insert("MARELLE_SECRET", "too short");
            let err = read(&e, &runtime).unwrap_err();
            assert!(
                matches!(&err, ConfigError::Invalid { name, .. } if name == "MARELLE_SECRET"),
                "{err}"
            );
        }
    }

    #[test]
    fn invalid_values_are_named() {
        for (name, value) in [
            ("MARELLE_DIGEST_RATE", "vite"),
            ("MARELLE_DIGEST_RATE", "0"),
            ("MARELLE_DIGEST_RATE", "NaN"),
            ("MARELLE_RATE_LIMIT_FACTOR", "0"),
            ("MARELLE_RATE_LIMIT_FACTOR", "beaucoup"),
            ("MARELLE_COOKIE_SECURE", "peut-être"),
            ("MARELLE_PUBLIC_URL", "famille.villebois.fr"),
        ] {
            let mut e = lambda_env();
            e.insert(name, value);
            let err = read(&e, &local()).unwrap_err();
            assert!(
                matches!(&err, ConfigError::Invalid { name: n, .. } if n == name),
                "{name}={value}: {err}"
            );
            assert!(err.to_string().starts_with(name), "{err}");
        }
    }

    #[test]
    fn given_values_win_over_defaults() {
        let mut e = lambda_env();
        e.insert("MARELLE_DIGEST_RATE", "2.5");
        e.insert("MARELLE_COOKIE_SECURE", "false");
        e.insert("MARELLE_RATE_LIMIT_FACTOR", "1000");
        let c = read(&e, &local()).unwrap();
        assert_eq!(c.digest_rate, 2.5);
        assert!(!c.cookie_secure);
        let s = c.settings();
        assert_eq!(s.digest_rate, Some(2.5));
        assert_eq!(s.limits.login_per_account.max, 10_000);
        // `\n` in the variable starts a new line of the contact.
        assert_eq!(
            c.commune.contact_text,
            "Service enfance\nTéléphone\u{a0}: 01 23 45 67 89"
        );
    }

    #[test]
    fn the_school_zone_and_alsace_moselle_are_optional_and_checked() {
        let c = read(&lambda_env(), &Runtime::Lambda).unwrap();
        assert_eq!(c.calendar, CommuneCalendar::default());
        let mut e = lambda_env();
        e.insert("MARELLE_SCHOOL_ZONE", "C");
        e.insert("MARELLE_ALSACE_MOSELLE", "true");
        let c = read(&e, &Runtime::Lambda).unwrap();
        assert_eq!(c.calendar.school_zone, Some(SchoolZone::C));
        assert_eq!(c.calendar.holidays, HolidayRules::ALSACE_MOSELLE);
        assert_eq!(c.settings().calendar, c.calendar);
        assert_eq!(c.settings().document_max_bytes, 10 * 1024 * 1024);
        e.insert("MARELLE_DOCUMENT_MAX_MB", "4");
        assert_eq!(
            read(&e, &local()).unwrap().settings().document_max_bytes,
            4 * 1024 * 1024
        );
        e.insert("MARELLE_DOCUMENT_MAX_MB", "26");
        assert!(read(&e, &local()).is_err());
        e.remove("MARELLE_DOCUMENT_MAX_MB");
        assert_eq!(c.settings().document_retention_days, 365);
        e.insert("MARELLE_DOCUMENT_RETENTION_DAYS", "90");
        assert_eq!(
            read(&e, &local())
                .unwrap()
                .settings()
                .document_retention_days,
            90
        );
        for bad in ["29", "3651", "un an"] {
            e.insert("MARELLE_DOCUMENT_RETENTION_DAYS", bad);
            assert!(read(&e, &local()).is_err(), "{bad}");
        }
        e.remove("MARELLE_DOCUMENT_RETENTION_DAYS");
        e.insert("MARELLE_SCHOOL_ZONE", "D");
        let err = read(&e, &local()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "MARELLE_SCHOOL_ZONE: zone scolaire inconnue « D » : A, B, C ou Corse attendu"
        );
    }
}
