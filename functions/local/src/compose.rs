//! Builds the portal on embedded parts from the command line and the
//! environment (the same `MARELLE_*` names the Lambdas read).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use marelle_api::passwords::PasswordHasher;
use marelle_api::state::{App, AppState, CaptchaSettings, Keys, RateLimits, Settings};
use marelle_domain::Commune;
use marelle_domain::ports::{Clock, IdGenerator, SettableClock};
use marelle_domain::secrets::Secret;
use marelle_embedded::{FolderBlobs, InProcessBus, Outbox, SqliteStore};

pub struct Options {
    pub data: PathBuf,
    pub addr: Option<SocketAddr>,
    pub dev: bool,
}

impl Options {
    /// For commands that do not serve (no address, no dev mode).
    pub fn offline(data: PathBuf) -> Self {
        Self {
            data,
            addr: None,
            dev: false,
        }
    }
}

/// The portal and the embedded parts the local binary reaches directly.
pub struct Local {
    pub state: AppState,
    pub clock: Arc<SettableClock>,
    pub store: Arc<SqliteStore>,
    pub outbox: Arc<Outbox>,
    pub blobs: Arc<FolderBlobs>,
    pub bus: InProcessBus,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The portal's secret: `MARELLE_SECRET`, or a random one kept in the data
/// folder (readable by its owner only) from the first start on.
fn secret(data: &Path) -> Result<Secret, String> {
    if let Some(s) = env("MARELLE_SECRET") {
        return Ok(Secret::new(s));
    }
    let path = data.join("secret.key");
    if let Ok(s) = std::fs::read_to_string(&path) {
        return Ok(Secret::new(s.trim()));
    }
    let bytes: [u8; 32] = rand::random();
    let s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, &s).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(Secret::new(s))
}

pub fn commune(addr: Option<SocketAddr>) -> Commune {
    let public_url = env("MARELLE_PUBLIC_URL").unwrap_or_else(|| match addr {
        Some(a) => format!("http://{a}"),
        None => "http://127.0.0.1:8080".into(),
    });
    Commune {
        name: env("MARELLE_COMMUNE_NAME").unwrap_or_else(|| "Mairie de Villebois".into()),
        public_url: public_url.trim_end_matches('/').to_string(),
        mail_from: env("MARELLE_MAIL_FROM").unwrap_or_else(|| "Portail Citoyen <nepasrepondre@villebois.example>".into()),
        contact_text: env("MARELLE_CONTACT_TEXT").unwrap_or_else(|| {
            "Pour toutes informations complémentaires, vous pouvez contacter notre service au 01.02.03.04.05, du lundi au vendredi de 9h à 12h et de 14h à 17h.".into()
        }),
    }
}

pub fn build(opts: &Options) -> Result<Local, String> {
    let data = &opts.data;
    std::fs::create_dir_all(data).map_err(|e| format!("{}: {e}", data.display()))?;
    let secret = secret(data)?;
    let clock = Arc::new(SettableClock::new());
    let clock_port: Arc<dyn Clock> = clock.clone();
    let store = Arc::new(
        SqliteStore::open(data.join("marelle.db"), clock_port.clone())
            .map_err(|e| e.to_string())?,
    );
    let outbox =
        Arc::new(Outbox::new(data.join("outbox"), clock_port.clone()).map_err(|e| e.to_string())?);
    let commune = commune(opts.addr);
    let keys = Keys::derive(&secret);
    let blobs = Arc::new(
        FolderBlobs::new(
            data.join("blobs"),
            &commune.public_url,
            keys.blob_urls.clone(),
            clock_port.clone(),
        )
        .map_err(|e| e.to_string())?,
    );
    let bus = InProcessBus::new();
    let cookie_secure = match env("MARELLE_COOKIE_SECURE").as_deref() {
        Some("true") | Some("1") => true,
        Some("false") | Some("0") => false,
        // A cookie marked Secure is not sent back over plain http by most
        // clients: only https portals get it (every AWS deployment does).
        _ => commune.public_url.starts_with("https://"),
    };
    let settings = Settings {
        cookie_secure,
        captcha: if opts.dev {
            CaptchaSettings::lowest()
        } else {
            CaptchaSettings::production()
        },
        // Load tests only: `MARELLE_RATE_LIMIT_FACTOR=1000`.
        limits: RateLimits::scaled(
            env("MARELLE_RATE_LIMIT_FACTOR")
                .and_then(|f| f.parse().ok())
                .unwrap_or(1),
        ),
        ..Settings::default()
    };
    let hasher = match opts.addr {
        Some(_) => PasswordHasher::for_this_machine(),
        None => PasswordHasher::new(1, 1, marelle_api::passwords::default_params()),
    };
    let state = Arc::new(App {
        store: store.clone(),
        mailer: outbox.clone(),
        blobs: blobs.clone(),
        bus: Arc::new(bus.clone()),
        clock: clock_port.clone(),
        ids: Arc::new(IdGenerator::new(clock_port)),
        commune,
        keys,
        hasher,
        settings,
    });
    Ok(Local {
        state,
        clock,
        store,
        outbox,
        blobs,
        bus,
    })
}

/// The same portal with its store on a deployed DynamoDB table (for
/// `marelle agent create --aws-table`): only the store changes; nothing
/// here sends mail or touches documents.
pub async fn on_dynamodb(local: &Local, table: &str) -> AppState {
    let sdk = marelle_aws::sdk_config().await;
    let store = Arc::new(marelle_aws::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        table,
        local.state.clock.clone(),
    ));
    let s = &local.state;
    Arc::new(App {
        store,
        mailer: s.mailer.clone(),
        blobs: s.blobs.clone(),
        bus: s.bus.clone(),
        clock: s.clock.clone(),
        ids: s.ids.clone(),
        commune: s.commune.clone(),
        keys: s.keys.clone(),
        hasher: s.hasher.clone(),
        settings: s.settings.clone(),
    })
}
