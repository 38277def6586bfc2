//! `TestApp`: the whole API in-process on fresh embedded adapters, with a
//! frozen clock and typed helpers, so that a journey test reads as a page.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use marelle_api::http::extract::ClientIp;
use marelle_api::http::passwords::PasswordHasher;
use marelle_api::http::state::{App, CaptchaSettings, Keys, Settings};
use marelle_domain::Commune;
use marelle_domain::ports::{IdGenerator, SettableClock};
use marelle_domain::secrets::Secret;
use marelle_embedded::outbox::OutboxEntry;
use marelle_embedded::{FolderBlobs, InProcessBus, Outbox, SqliteStore};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const ORIGIN: &str = "https://famille.villebois.test";

pub struct TestApp {
    /// The store, counting calls (`store.calls()`).
    pub store: Arc<crate::CountingStore>,
    pub state: marelle_api::AppState,
    pub router: Router,
    pub clock: Arc<SettableClock>,
    pub outbox: Arc<Outbox>,
    pub bus: InProcessBus,
    /// The address requests come from (rate limits count per address).
    pub ip: IpAddr,
    _dir: tempfile::TempDir,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestResponse {
    /// The problem's `code` (errors) or `Value::Null`.
    pub fn code(&self) -> &str {
        self.body
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub fn field_codes(&self) -> Vec<(String, String)> {
        self.body
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or_default().to_string(),
                            e["code"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The session cookie set by the answer, as `name=value`.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("marelle_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
    }
}

pub fn commune() -> Commune {
    Commune {
        name: "Mairie de Villebois".into(),
        public_url: ORIGIN.into(),
        mail_from: "Portail Citoyen <nepasrepondre@villebois.test>".into(),
        contact_text: "Pour toutes informations complémentaires, vous pouvez contacter notre service au 02.02.02.02.02, tous les jours de 9h à 12h et de 14h à 17h.".into(),
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_settings(Settings {
            captcha: CaptchaSettings::lowest(),
            ..Settings::default()
        })
        .await
    }

    pub async fn with_settings(settings: Settings) -> Self {
        let clock = Arc::new(SettableClock::frozen(crate::t0()));
        Self::build(settings, clock, None, false).await
    }

    /// The whole API with the payment sandbox as its online payment
    /// provider (and the sandbox's pages), on the embedded store.
    pub async fn with_sandbox() -> Self {
        let settings = Settings {
            captcha: CaptchaSettings::lowest(),
            ..Settings::default()
        };
        let clock = Arc::new(SettableClock::frozen(crate::t0()));
        Self::build(settings, clock, None, true).await
    }

    /// [`TestApp::with_store`] with the payment sandbox.
    pub async fn with_store_and_sandbox(
        make: impl FnOnce(Arc<SettableClock>) -> Arc<dyn marelle_domain::ports::Store>,
    ) -> Self {
        let settings = Settings {
            captcha: CaptchaSettings::lowest(),
            ..Settings::default()
        };
        let clock = Arc::new(SettableClock::frozen(crate::t0()));
        let store = make(clock.clone());
        Self::build(settings, clock, Some(store), true).await
    }

    /// The whole API on another store (DynamoDB on moto…), made by `make`
    /// with the app's clock; the other adapters stay embedded.
    pub async fn with_store(
        make: impl FnOnce(Arc<SettableClock>) -> Arc<dyn marelle_domain::ports::Store>,
    ) -> Self {
        let settings = Settings {
            captcha: CaptchaSettings::lowest(),
            ..Settings::default()
        };
        let clock = Arc::new(SettableClock::frozen(crate::t0()));
        let store = make(clock.clone());
        Self::build(settings, clock, Some(store), false).await
    }

    /// [`TestApp::with_store`] with other settings.
    pub async fn with_store_and_settings(
        make: impl FnOnce(Arc<SettableClock>) -> Arc<dyn marelle_domain::ports::Store>,
        settings: Settings,
    ) -> Self {
        let clock = Arc::new(SettableClock::frozen(crate::t0()));
        let store = make(clock.clone());
        Self::build(settings, clock, Some(store), false).await
    }

    /// The whole API on another store and another blob store (DynamoDB
    /// and S3 on moto…); the other adapters stay embedded.
    pub async fn with_store_and_blobs(
        make: impl FnOnce(Arc<SettableClock>) -> Arc<dyn marelle_domain::ports::Store>,
        blobs: Arc<dyn marelle_domain::ports::Blobs>,
    ) -> Self {
        let mut app = Self::with_store(make).await;
        let state = Arc::new(App {
            store: app.state.store.clone(),
            mailer: app.state.mailer.clone(),
            blobs,
            bus: app.state.bus.clone(),
            clock: app.state.clock.clone(),
            payments: app.state.payments.clone(),
            ids: app.state.ids.clone(),
            commune: app.state.commune.clone(),
            keys: app.state.keys.clone(),
            hasher: app.state.hasher.clone(),
            settings: app.state.settings.clone(),
        });
        app.router = marelle_api::service(state.clone(), marelle_api::all_features());
        app.state = state;
        app
    }

    /// The same portal paying online through `provider` (PayFiP's adapter
    /// against its test server…).
    pub fn with_payment_provider(
        mut self,
        provider: Arc<dyn marelle_domain::ports::PaymentProvider>,
    ) -> Self {
        let s = &self.state;
        let state = Arc::new(App {
            store: s.store.clone(),
            mailer: s.mailer.clone(),
            blobs: s.blobs.clone(),
            bus: s.bus.clone(),
            clock: s.clock.clone(),
            payments: Some(provider),
            ids: s.ids.clone(),
            commune: s.commune.clone(),
            keys: s.keys.clone(),
            hasher: s.hasher.clone(),
            settings: s.settings.clone(),
        });
        self.router = marelle_api::service(state.clone(), marelle_api::all_features());
        self.state = state;
        self
    }

    async fn build(
        settings: Settings,
        clock: Arc<SettableClock>,
        store: Option<Arc<dyn marelle_domain::ports::Store>>,
        sandbox: bool,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let inner: Arc<dyn marelle_domain::ports::Store> = match store {
            Some(store) => store,
            None => Arc::new(
                SqliteStore::open(dir.path().join("marelle.db"), clock.clone()).expect("store"),
            ),
        };
        let store = Arc::new(crate::CountingStore::new(inner));
        let outbox =
            Arc::new(Outbox::new(dir.path().join("outbox"), clock.clone()).expect("outbox"));
        let keys = Keys::derive(&Secret::new("test secret"));
        let blobs = Arc::new(
            FolderBlobs::new(
                dir.path().join("blobs"),
                ORIGIN,
                keys.blob_urls.clone(),
                clock.clone(),
            )
            .expect("blobs"),
        );
        let blobs_for_routes = blobs.clone();
        let bus = InProcessBus::new().with_retry_pause(std::time::Duration::from_millis(10));
        let fast = argon2::Params::new(1024, 1, 1, None).expect("params");
        let state = Arc::new(App {
            store: store.clone(),
            mailer: outbox.clone(),
            blobs,
            bus: Arc::new(bus.clone()),
            clock: clock.clone(),
            payments: sandbox.then(|| {
                Arc::new(marelle_api::billing::sandbox::Sandbox::new(
                    store.clone(),
                    clock.clone(),
                )) as Arc<dyn marelle_domain::ports::PaymentProvider>
            }),
            ids: Arc::new(IdGenerator::new(clock.clone())),
            commune: commune(),
            keys,
            hasher: PasswordHasher::new(2, 64, fast),
            settings,
        });
        bus.subscribe(Arc::new(marelle_api::jobs::notify::Notifier::new(
            state.clone(),
        )));
        bus.subscribe(Arc::new(
            marelle_api::billing::import_jobs::ImportWorker::new(state.clone()),
        ));
        bus.subscribe(Arc::new(marelle_api::invoicing::run::RunWorker::new(
            state.clone(),
        )));
        let mut features = marelle_api::all_features();
        if sandbox {
            features = features.merge(marelle_api::billing::sandbox::router());
        }
        let router = marelle_api::service(state.clone(), features)
            .merge(marelle_embedded::blobs::routes(blobs_for_routes));
        Self {
            store,
            state,
            router,
            clock,
            outbox,
            bus,
            ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
            _dir: dir,
        }
    }

    /// Sends a request as the portal's own page would (with its `Origin`).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        cookie: Option<&str>,
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::ORIGIN, ORIGIN);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(serde_json::to_vec(&b).expect("json"))),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.send(req).await
    }

    /// Sends a hand-made request (the caller sets every header).
    pub async fn send(&self, mut req: Request<Body>) -> TestResponse {
        req.extensions_mut().insert(ClientIp(self.ip));
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        self.call(Method::GET, path, None, cookie).await
    }

    pub async fn post(&self, path: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        self.call(Method::POST, path, Some(body), cookie).await
    }

    /// Fetches a challenge and solves it, as the browser's widget does;
    /// returns the payload the form sends.
    pub async fn solve_captcha(&self) -> String {
        let challenge = self.get("/api/captcha", None).await;
        assert_eq!(challenge.status, StatusCode::OK, "{:?}", challenge.body);
        let challenge: altcha::Challenge =
            serde_json::from_value(challenge.body).expect("challenge");
        let solution = altcha::solve_challenge(altcha::SolveChallengeOptions::new(&challenge))
            .expect("solver")
            .expect("a solution");
        let payload = json!({"challenge": challenge, "solution": solution});
        base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_vec(&payload).expect("json"))
    }

    /// A complete, valid sign-up form for `email`.
    pub async fn sign_up_form(&self, email: &str, password: &str) -> Value {
        json!({
            "civility": "Mme",
            "last_name": "Dupont",
            "first_name": "Léa",
            "email": email,
            "password": password,
            "password_confirmation": password,
            "subscriber_code": "",
            "accept_terms": true,
            "captcha": self.solve_captcha().await,
        })
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> TestResponse {
        let form = self.sign_up_form(email, password).await;
        self.post("/api/accounts", form, None).await
    }

    /// Every e-mail sent so far, oldest first (after the bus delivered
    /// every event published so far).
    pub async fn emails(&self) -> Vec<OutboxEntry> {
        self.bus.idle().await;
        self.outbox.list().await.expect("outbox")
    }

    /// The newest e-mail to `to`.
    pub async fn last_email_to(&self, to: &str) -> OutboxEntry {
        self.emails()
            .await
            .into_iter()
            .rev()
            .find(|m| m.to.eq_ignore_ascii_case(to))
            .unwrap_or_else(|| panic!("no e-mail to {to}"))
    }

    /// The token of the newest link to `path` (`/activation`…) sent to `to`.
    pub async fn token_sent_to(&self, to: &str, path: &str) -> String {
        let mail = self.last_email_to(to).await;
        let marker = format!("{ORIGIN}{path}?token=");
        let start = mail
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {path} link in {}", mail.text))
            + marker.len();
        mail.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// Signs up, activates and logs in a parent; returns the session cookie.
    pub async fn parent(&self, email: &str, password: &str) -> String {
        assert_eq!(
            self.sign_up(email, password).await.status,
            StatusCode::CREATED
        );
        let token = self.token_sent_to(email, "/activation").await;
        let r = self
            .post("/api/accounts/activation", json!({"token": token}), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        self.log_in(email, password).await
    }

    pub async fn log_in(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/session",
                json!({"email": email, "password": password}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.session_cookie().expect("a session cookie")
    }

    pub async fn patch(&self, path: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        self.call(Method::PATCH, path, Some(body), cookie).await
    }

    /// An agent creates a family; returns the answer's body (ids, codes).
    pub async fn create_family(&self, agent: &str, body: Value) -> Value {
        let r = self.post("/api/agent/families", body, Some(agent)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    /// A family with one guardian (Léa DUPONT) and one child (Ludovic).
    pub async fn dupont_family(&self, agent: &str) -> Value {
        self.create_family(
            agent,
            json!({
                "guardians": [{"civility": "Mme", "last_name": "DUPONT", "first_name": "Léa",
                               "email": "lea@exemple.fr", "mobile": "06 07 08 09 10", "quality": "mother"}],
                "children": [{"first_name": "Ludovic", "last_name": "DUPONT", "birth_date": "2015-11-23", "sex": "M"}]
            }),
        )
        .await
    }

    /// Links the parent's account to a family by its code.
    pub async fn subscribe(&self, parent: &str, code: &str) -> TestResponse {
        self.post(
            "/api/subscriptions",
            json!({"subscriber_code": code}),
            Some(parent),
        )
        .await
    }

    /// An agent decides a request.
    pub async fn decide(
        &self,
        agent: &str,
        request_id: &str,
        decision: &str,
        message: Option<&str>,
    ) -> TestResponse {
        self.post(
            &format!("/api/agent/requests/{request_id}/decision"),
            json!({"decision": decision, "message": message}),
            Some(agent),
        )
        .await
    }

    /// Creates an active agent account and logs it in.
    pub async fn agent(&self, email: &str, password: &str) -> String {
        marelle_api::accounts::create_active_account(
            &self.state,
            marelle_domain::accounts::Role::Agent,
            None,
            "Agent",
            "Mairie",
            email,
            password,
        )
        .await
        .expect("agent account");
        self.log_in(email, password).await
    }
}
