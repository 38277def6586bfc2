//! `marelle serve`: the API routers, the blob routes presigned URLs point
//! at, and the built web app, on one origin.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use marelle_api::http::extract::ClientIp;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::compose::{self, DataDir, Options};

/// `frame-src 'self'`: an agent sees a supporting document's PDF in a
/// frame of its link, served by `/api/blobs` on this origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// `marelle serve`'s arguments.
#[derive(clap::Args)]
pub struct Serve {
    #[arg(long, default_value = "127.0.0.1:8080", env = "MARELLE_ADDR")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub data: DataDir,
    /// The built web app (`web/dist`).
    #[arg(long, default_value = "web/dist", env = "MARELLE_WEB")]
    pub web: PathBuf,
    /// The commune's school holiday zone: A, B, C or Corse (none: the
    /// school calendar is not followed).
    #[arg(long, env = "MARELLE_SCHOOL_ZONE")]
    pub school_zone: Option<String>,
    /// Fills an empty store with a demo commune.
    #[arg(long)]
    pub demo: bool,
    /// Development mode: settable clock, outbox listing, job triggers
    /// under /api/dev, captcha at its lowest difficulty.
    #[arg(long)]
    pub dev: bool,
    /// No in-process timers: the 13:00/18:00 digest and the 07:00 job of
    /// supporting documents (an outside scheduler calls `marelle digest`
    /// and `marelle documents-expiry`).
    #[arg(long)]
    pub no_schedule: bool,
    /// Seconds a client has to send a request's head (line and headers).
    #[arg(long, default_value_t = 10, env = "MARELLE_HEADER_TIMEOUT",
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout: u64,
    /// Seconds a request body may stall without a byte arriving.
    #[arg(long, default_value_t = 15, env = "MARELLE_BODY_TIMEOUT",
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub body_timeout: u64,
    /// Connections served at once (more wait in the system's queue).
    #[arg(long, default_value_t = 1024, env = "MARELLE_MAX_CONNECTIONS",
          value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_connections: u64,
}

impl Serve {
    fn limits(&self) -> crate::server::Limits {
        crate::server::Limits {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(1024),
        }
    }
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The built web app: files as they are, any other path gets `index.html`
/// (the app routes on the client), `/commune.json` from the data folder
/// when the commune put one there.
fn web_app(dir: &Path, data: &Path) -> Router {
    if !dir.join("index.html").exists() {
        tracing::warn!(dir = %dir.display(), "web app not built: only the API is served");
        return Router::new().fallback(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "L'application web n'est pas construite : lancez « make run » ou « npm run build » dans web/.",
            )
        });
    }
    let index = ServeFile::new(dir.join("index.html"));
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .fallback(index);
    let mut router = Router::new()
        .nest_service(
            "/assets",
            Router::new()
                .fallback_service(ServeDir::new(dir.join("assets")))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                )),
        )
        .fallback_service(files);
    let branding = data.join("commune.json");
    if branding.exists() {
        router = router.route_service("/commune.json", ServeFile::new(branding));
    }
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// The whole portal as one router: `/api/…` to the API, the rest to the
/// web app; the caller's address goes into the request for rate limits.
pub fn portal(api: Router, web: Router) -> Router {
    Router::new().fallback(move |mut req: Request| {
        let api = api.clone();
        let web = web.clone();
        async move {
            if let Some(ConnectInfo(addr)) =
                req.extensions().get::<ConnectInfo<SocketAddr>>().copied()
            {
                req.extensions_mut().insert(ClientIp(addr.ip()));
            }
            let resp: Response = if is_api(req.uri().path()) {
                api.oneshot(req).await.into_response()
            } else {
                web.oneshot(req).await.into_response()
            };
            resp
        }
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("stopping");
}

pub async fn serve(s: Serve) -> Result<(), String> {
    if s.dev && !s.addr.ip().is_loopback() {
        return Err(format!(
            "--dev ouvre /api/dev (boîte d'envoi, horloge) sans connexion : il n'est permis que sur une adresse de bouclage (127.0.0.1 ou ::1), pas sur {}.",
            s.addr
        ));
    }
    let local = compose::build(&Options {
        data: s.data.data.clone(),
        addr: Some(s.addr),
        dev: s.dev,
        demo: s.demo,
        school_zone: s.school_zone.clone(),
    })?;
    local.bus.subscribe(std::sync::Arc::new(
        marelle_api::jobs::notify::Notifier::new(local.state.clone()),
    ));
    local.bus.subscribe(std::sync::Arc::new(
        marelle_api::billing::import_jobs::ImportWorker::new(local.state.clone()),
    ));
    local.bus.subscribe(std::sync::Arc::new(
        marelle_api::invoicing::run::RunWorker::new(local.state.clone()),
    ));
    if s.demo {
        crate::demo::seed(&local).await?;
    }
    let mut features = marelle_api::all_features();
    if s.demo {
        features = features.merge(crate::dev::demo_router(&local));
    }
    if s.dev {
        features = features.merge(crate::dev::router(&local));
        tracing::warn!(
            "development mode: /api/dev routes are open, the captcha is at its lowest difficulty"
        );
    }
    if compose::sandbox(&local.state) {
        features = features.merge(marelle_api::billing::sandbox::router());
        tracing::warn!("online payments go to the sandbox (/api/dev/payfip): nothing is paid");
    }
    if !s.no_schedule {
        tokio::spawn(crate::schedule::digests(local.state.clone()));
        tokio::spawn(crate::schedule::documents(local.state.clone()));
        tokio::spawn(crate::schedule::creche(local.state.clone()));
        if local.state.payments.is_some() {
            tokio::spawn(crate::schedule::online_payments(local.state.clone()));
        }
    }
    let api = marelle_api::service(local.state.clone(), features)
        .merge(marelle_embedded::blobs::routes(local.blobs.clone()));
    tokio::spawn(crate::schedule::staging_sweep(local.blobs.clone()));
    let app = portal(api, web_app(&s.web, &s.data.data));

    let purge_store = local.store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match purge_store.purge_expired().await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired items purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge of expired items failed"),
            }
        }
    });

    let listener = tokio::net::TcpListener::bind(s.addr)
        .await
        .map_err(|e| format!("écoute sur {} impossible : {e}", s.addr))?;
    let shown = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "Marelle écoute sur http://{shown} (données : {})",
        data_dir(&s.data.data).display()
    );
    crate::server::run(listener, app, s.limits(), shutdown()).await?;
    local.bus.idle().await;
    Ok(())
}

fn data_dir(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}
