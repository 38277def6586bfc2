//! Builds the portal on embedded parts from the command line and the
//! environment (the same `MARELLE_*` names the Lambdas read).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use marelle_api::config::{Config, Env, Runtime};
use marelle_api::http::passwords::PasswordHasher;
use marelle_api::http::state::{App, AppState, CaptchaSettings, Keys, Settings};
use marelle_domain::ports::{Clock, IdGenerator, SettableClock};
use marelle_domain::secrets::Secret;
use marelle_embedded::{FolderBlobs, InProcessBus, Outbox, SqliteStore};

#[derive(clap::Args)]
pub struct DataDir {
    /// Folder of the database, documents and e-mail outbox.
    #[arg(long, default_value = "./data", env = "MARELLE_DATA")]
    pub data: PathBuf,
}

pub struct Options {
    pub data: PathBuf,
    pub addr: Option<SocketAddr>,
    pub dev: bool,
    /// `--demo`: agents may read the outbox from the back-office.
    pub demo: bool,
    /// `--school-zone`, over `MARELLE_SCHOOL_ZONE`.
    pub school_zone: Option<String>,
}

impl Options {
    /// For commands that do not serve (no address, no dev mode).
    pub fn offline(data: PathBuf) -> Self {
        Self {
            data,
            addr: None,
            dev: false,
            demo: false,
            school_zone: None,
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

/// The portal's secret: `MARELLE_SECRET`, or a random one kept in the data
/// folder (readable by its owner only) from the first start on. Either way
/// it holds at least 32 characters.
fn secret(config: &Config, data: &Path) -> Result<Secret, String> {
    if let Some(s) = &config.secret {
        return Ok(s.clone());
    }
    let path = data.join("secret.key");
    if let Ok(s) = std::fs::read_to_string(&path) {
        return marelle_api::config::secret(&path.display().to_string(), &s)
            .map_err(|e| e.to_string());
    }
    let bytes: [u8; 32] = rand::random();
    let s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        file.mode(0o600);
    }
    std::io::Write::write_all(
        &mut file
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?,
        s.as_bytes(),
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Secret::new(s))
}

/// The data folder, its owner's only: created 0700; one that others may
/// write to is refused (they could swap the database or read reset links);
/// one others may read is closed to them, with a warning.
fn private_folder(data: &Path) -> Result<(), String> {
    let shown = data.display();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(data).map_err(|e| format!("{shown}: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data)
            .map_err(|e| format!("{shown}: {e}"))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o022 != 0 {
            return Err(format!(
                "le dossier de données {shown} est modifiable par d'autres utilisateurs (droits {mode:o}) : faites « chmod 700 {shown} », puis relancez."
            ));
        }
        if mode & 0o077 != 0 {
            std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("{shown}: {e}"))?;
            tracing::warn!(folder = %shown, "data folder was readable by other users: now 0700");
        }
    }
    Ok(())
}

/// The configuration from the environment, read once; the portal's address
/// as parents see it defaults to the one it listens on.
pub fn config(addr: Option<SocketAddr>) -> Result<Config, String> {
    let public_url = match addr {
        Some(a) => format!("http://{a}"),
        None => "http://127.0.0.1:8080".into(),
    };
    Config::read(&Env::process(), &Runtime::Local { public_url }).map_err(|e| e.to_string())
}

/// PayFiP when `MARELLE_PAYFIP_NUMCLI` is set (`docs/payfip.md`).
fn payfip() -> Result<Option<Arc<dyn marelle_domain::ports::payments::PaymentProvider>>, String> {
    let env = Env::process();
    Ok(marelle_payfip::from_env(|name| env.optional(name))
        .map_err(|e| e.to_string())?
        .map(|client| Arc::new(client) as _))
}

/// Whether the portal's payment provider is the sandbox (its pages are
/// served then).
pub fn sandbox(state: &AppState) -> bool {
    state
        .payments
        .as_ref()
        .is_some_and(|p| p.name() == "sandbox")
}

pub fn build(opts: &Options) -> Result<Local, String> {
    let data = &opts.data;
    private_folder(data)?;
    let mut config = config(opts.addr)?;
    if let Some(zone) = opts.school_zone.as_deref().filter(|z| !z.trim().is_empty()) {
        config.calendar.school_zone = Some(zone.parse().map_err(
            |e: marelle_domain::school_calendar::UnknownZone| format!("--school-zone : {e}"),
        )?);
    }
    let secret = secret(&config, data)?;
    let clock = Arc::new(SettableClock::new());
    let clock_port: Arc<dyn Clock> = clock.clone();
    let store = Arc::new(
        SqliteStore::open(data.join("marelle.db"), clock_port.clone())
            .map_err(|e| e.to_string())?,
    );
    let outbox =
        Arc::new(Outbox::new(data.join("outbox"), clock_port.clone()).map_err(|e| e.to_string())?);
    let commune = config.commune.clone();
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
    let settings = Settings {
        captcha: if opts.dev {
            CaptchaSettings::lowest()
        } else {
            CaptchaSettings::production()
        },
        outbox_readable: opts.demo,
        ..config.settings()
    };
    let hasher = match opts.addr {
        Some(_) => PasswordHasher::for_this_machine(),
        None => PasswordHasher::new(1, 1, marelle_api::http::passwords::default_params()),
    };
    // PayFiP when configured; otherwise, for --dev and --demo only, the
    // sandbox that plays it.
    let payments: Option<Arc<dyn marelle_domain::ports::PaymentProvider>> = match payfip()? {
        Some(payfip) => Some(payfip),
        None if opts.dev || opts.demo => Some(Arc::new(
            marelle_api::billing::sandbox::Sandbox::new(store.clone(), clock_port.clone()),
        )),
        None => None,
    };
    let state = Arc::new(App {
        store: store.clone(),
        mailer: outbox.clone(),
        blobs: blobs.clone(),
        bus: Arc::new(bus.clone()),
        clock: clock_port.clone(),
        payments,
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
        payments: s.payments.clone(),
        ids: s.ids.clone(),
        commune: s.commune.clone(),
        keys: s.keys.clone(),
        hasher: s.hasher.clone(),
        settings: s.settings.clone(),
    })
}
