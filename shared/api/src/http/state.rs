//! What every handler reaches: the ports, the commune's configuration,
//! keys derived from the portal's secret, and settings. Built once at start
//! (by a Lambda's `main`, by `marelle`, or by a test) and shared.

use std::sync::Arc;

use marelle_domain::Commune;
use marelle_domain::ports::{Blobs, Clock, EventBus, IdGenerator, Mailer, PaymentProvider, Store};
use marelle_domain::school_calendar::CommuneCalendar;
use marelle_domain::secrets::{Secret, derive_key};

use crate::http::passwords::PasswordHasher;

pub type AppState = Arc<App>;

pub struct App {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub blobs: Arc<dyn Blobs>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    /// The online payment service; `None`: invoices are not payable online.
    pub payments: Option<Arc<dyn PaymentProvider>>,
    pub ids: Arc<IdGenerator>,
    pub commune: Commune,
    pub keys: Keys,
    pub hasher: PasswordHasher,
    pub settings: Settings,
}

/// Keys derived from the portal's master secret, one per purpose.
#[derive(Clone)]
pub struct Keys {
    pub captcha_signature: String,
    pub captcha_key_signature: String,
    pub blob_urls: Vec<u8>,
    pub data_encryption: Vec<u8>,
}

impl Keys {
    pub fn derive(master: &Secret) -> Self {
        let hex = |purpose: &str| {
            derive_key(master, purpose)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        Self {
            captcha_signature: hex("captcha-signature"),
            captcha_key_signature: hex("captcha-key-signature"),
            blob_urls: derive_key(master, "blob-urls"),
            data_encryption: derive_key(master, "data-encryption"),
        }
    }
}

/// How hard the captcha is: the browser tries on average
/// `counter_max / 2` keys of `cost` PBKDF2 iterations each.
#[derive(Debug, Clone, Copy)]
pub struct CaptchaSettings {
    pub cost: u32,
    pub counter_min: u32,
    pub counter_max: u32,
    pub expires_in_secs: i64,
}

impl CaptchaSettings {
    /// About a second of work for a phone.
    pub fn production() -> Self {
        Self {
            cost: 1_000,
            counter_min: 1_000,
            counter_max: 4_000,
            expires_in_secs: 20 * 60,
        }
    }

    /// The lowest difficulty: still a real challenge, verified the same way.
    pub fn lowest() -> Self {
        Self {
            cost: 1,
            counter_min: 1,
            counter_max: 20,
            expires_in_secs: 20 * 60,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `Secure` on the session cookie (off only for plain-http local runs).
    pub cookie_secure: bool,
    pub session_hours: i64,
    pub captcha: CaptchaSettings,
    pub limits: RateLimits,
    /// Processing-digest e-mails per second (`None`: not paced).
    pub digest_rate: Option<f64>,
    /// The e-mails sent are kept in an outbox agents may read (the local
    /// demo only; never on a deployment).
    pub outbox_readable: bool,
    /// Public holidays observed and school zone: the days activities close.
    pub calendar: CommuneCalendar,
    /// Invoices (payments) one chunk of a background import writes.
    pub import_chunk: usize,
    /// The largest supporting document a family may send (10 MB).
    pub document_max_bytes: u64,
    /// Days a refused, replaced or cancelled supporting document is kept
    /// before the daily job deletes it (365).
    pub document_retention_days: u32,
    /// The commune's postal codes (`MARELLE_POSTAL_CODES`): a family whose
    /// first guardian lives elsewhere is outside the commune for the
    /// tariffs, unless an agent said otherwise; empty: every family is
    /// resident.
    pub postal_codes: Vec<String>,
    /// Families one chunk of an invoicing run bills.
    pub invoicing_chunk: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            cookie_secure: true,
            session_hours: 12,
            captcha: CaptchaSettings::production(),
            limits: RateLimits::default(),
            digest_rate: Some(10.0),
            outbox_readable: false,
            calendar: CommuneCalendar::default(),
            import_chunk: marelle_domain::billing::import::WRITE_CHUNK,
            document_max_bytes: 10 * 1024 * 1024,
            document_retention_days: marelle_domain::documents::expiry::DEFAULT_RETENTION_DAYS,
            postal_codes: Vec::new(),
            invoicing_chunk: 500,
        }
    }
}

/// One limit: at most `max` attempts per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

/// A limit per address and a limit per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub per_address: Limit,
    pub per_account: Limit,
}

#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Failed logins for one account from one address, or from one device
    /// that logged in to it before; attempts at changing one's password.
    pub login_per_account: Limit,
    /// Failed logins from one address, whatever the account.
    pub login_per_address: Limit,
    pub signup_per_address: Limit,
    pub reset_per_account: Limit,
    pub reset_per_address: Limit,
    pub upload_per_account: Limit,
    pub upload_per_address: Limit,
}

impl RateLimits {
    /// Logging in: failures per address, and per account from one address
    /// or one known device.
    pub fn login(&self) -> Pair {
        Pair {
            per_address: self.login_per_address,
            per_account: self.login_per_account,
        }
    }

    /// Password resets and activation links: per address and per account.
    pub fn reset(&self) -> Pair {
        Pair {
            per_address: self.reset_per_address,
            per_account: self.reset_per_account,
        }
    }

    /// Upload grants (photos, documents): per address and per account.
    pub fn upload(&self) -> Pair {
        Pair {
            per_address: self.upload_per_address,
            per_account: self.upload_per_account,
        }
    }

    /// Every limit multiplied by `factor` (load tests raise them).
    pub fn scaled(factor: i64) -> Self {
        let d = Self::default();
        let s = |l: Limit| Limit {
            max: l.max.saturating_mul(factor.max(1)),
            ..l
        };
        Self {
            login_per_account: s(d.login_per_account),
            login_per_address: s(d.login_per_address),
            signup_per_address: s(d.signup_per_address),
            reset_per_account: s(d.reset_per_account),
            reset_per_address: s(d.reset_per_address),
            upload_per_account: s(d.upload_per_account),
            upload_per_address: s(d.upload_per_address),
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_account: Limit {
                max: 10,
                window_secs: 15 * 60,
            },
            login_per_address: Limit {
                max: 100,
                window_secs: 15 * 60,
            },
            signup_per_address: Limit {
                max: 10,
                window_secs: 60 * 60,
            },
            reset_per_account: Limit {
                max: 5,
                window_secs: 60 * 60,
            },
            reset_per_address: Limit {
                max: 20,
                window_secs: 60 * 60,
            },
            upload_per_account: Limit {
                max: 30,
                window_secs: 60 * 60,
            },
            upload_per_address: Limit {
                max: 120,
                window_secs: 60 * 60,
            },
        }
    }
}
