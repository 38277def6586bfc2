//! A small SOAP server that plays PayFiP, for tests (feature `fake`).
//!
//! It answers like the service, in the recorded shapes (`src/soap.rs`):
//! it checks `creerPaiementSecurise`'s parameters and refuses a bad one
//! with a `FonctionnelleErreur` fault, gives each transaction a fresh
//! `idOp` and keeps it; `recupererDetailPaiementSecurise` answers `P1` for
//! an unknown `idOp`, `P5` while the test has set no result, and the
//! detail once it has. A test can also make the next call fail with a
//! fault, make every call hang (for timeouts), and post `idop` to a
//! transaction's `urlnotif` as PayFiP's server does ([`FakePayfip::notify`]).
//!
//! Started on `127.0.0.1:0`; stopped when dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use marelle_domain::time::ZONE;

use crate::config::{ConfigError, PayfipConfig};
use crate::rules;
use crate::soap::{self, DetailAnswer};

/// Where the fake serves the web service and the payment page.
pub const SERVICE_PATH: &str = "/tpa/services/securite";
pub const PAGE_PATH: &str = "/tpa/paiementws.web";

/// One transaction as the fake holds it: what was sent, and the outcome the
/// test set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTransaction {
    pub id_op: String,
    pub exer: String,
    pub mel: String,
    pub montant: String,
    pub numcli: String,
    pub objet: Option<String>,
    pub refdet: String,
    pub saisie: String,
    pub urlnotif: String,
    pub urlredirect: String,
    /// `resultrans` once set (`P V A R Z`, or any letter).
    pub result: Option<String>,
    /// `DDMMYYYY`, Paris time (the creation's, unless set).
    pub dattrans: String,
    /// `HHMM`, Paris time.
    pub heurtrans: String,
    pub numauto: String,
}

#[derive(Default)]
struct Inner {
    transactions: HashMap<String, FakeTransaction>,
    created: u64,
    fail_next: Option<(String, String)>,
}

struct Shared {
    inner: Mutex<Inner>,
    requests: AtomicUsize,
    hang: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct FakePayfip {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
}

impl Drop for FakePayfip {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakePayfip {
    /// Starts the server on a free local port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            requests: AtomicUsize::new(0),
            hang: AtomicBool::new(false),
        });
        let app = Router::new()
            .route(SERVICE_PATH, post(service))
            .route(PAGE_PATH, get(page))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Self {
            addr,
            shared,
            task,
            http,
        })
    }

    /// The web service's address.
    pub fn endpoint(&self) -> String {
        format!("http://{}{SERVICE_PATH}", self.addr)
    }

    /// The payment page's address.
    pub fn page_url(&self) -> String {
        format!("http://{}{PAGE_PATH}", self.addr)
    }

    /// A configuration that talks to this server (test mode, 5 s).
    pub fn config(&self, numcli: &str) -> Result<PayfipConfig, ConfigError> {
        Ok(PayfipConfig::new(numcli)?
            .with_endpoint(&self.endpoint())?
            .with_page_url(&self.page_url())?
            .with_timeout(Duration::from_secs(5)))
    }

    /// How many SOAP requests reached the server.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    pub fn transaction(&self, id_op: &str) -> Option<FakeTransaction> {
        self.shared.lock().transactions.get(id_op).cloned()
    }

    pub fn transactions(&self) -> Vec<FakeTransaction> {
        let mut all: Vec<_> = self.shared.lock().transactions.values().cloned().collect();
        all.sort_by(|a, b| a.id_op.cmp(&b.id_op));
        all
    }

    /// Sets a transaction's `resultrans` (`P V A R Z`, or any other letter
    /// to test an answer the client cannot use); false if unknown.
    pub fn set_result(&self, id_op: &str, resultrans: &str) -> bool {
        self.edit(id_op, |t| t.result = Some(resultrans.to_string()))
    }

    /// Sets when it was paid (`DDMMYYYY`, `HHMM`, Paris time).
    pub fn set_paid_at(&self, id_op: &str, dattrans: &str, heurtrans: &str) -> bool {
        self.edit(id_op, |t| {
            t.dattrans = dattrans.to_string();
            t.heurtrans = heurtrans.to_string();
        })
    }

    fn edit(&self, id_op: &str, f: impl FnOnce(&mut FakeTransaction)) -> bool {
        match self.shared.lock().transactions.get_mut(id_op) {
            Some(t) => {
                f(t);
                true
            }
            None => false,
        }
    }

    /// The next request is answered with this `FonctionnelleErreur`.
    pub fn fail_next(&self, code: &str, libelle: &str) {
        self.shared.lock().fail_next = Some((code.to_string(), libelle.to_string()));
    }

    /// While on, requests get no answer (the connection stays open).
    pub fn hang(&self, on: bool) {
        self.shared.hang.store(on, Ordering::SeqCst);
    }

    /// Posts `idop` to the transaction's `urlnotif` (a form, like PayFiP's
    /// server-to-server notification); the HTTP status it got.
    pub async fn notify(&self, id_op: &str) -> Result<u16, String> {
        let url = self
            .transaction(id_op)
            .map(|t| t.urlnotif)
            .ok_or_else(|| format!("unknown idOp {id_op}"))?;
        let response = self
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("idop={}", form_value(id_op)))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(response.status().as_u16())
    }
}

/// A form value, percent-encoded.
fn form_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn fault(code: &str, libelle: &str) -> Response {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        soap::fault_answer(code, libelle),
    )
}

async fn service(State(shared): State<Arc<Shared>>, body: String) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    if shared.hang.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if let Some((code, libelle)) = shared.lock().fail_next.take() {
        return fault(&code, &libelle);
    }
    let request = match soap::parse_request(&body) {
        Ok(r) => r,
        Err(why) => {
            return xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::bare_fault_answer("S:Client", &why),
            );
        }
    };
    match request.operation.as_str() {
        soap::OP_CREATE => create(&shared, &request),
        soap::OP_DETAIL => detail(&shared, &request),
        other => xml(
            StatusCode::INTERNAL_SERVER_ERROR,
            soap::bare_fault_answer("S:Client", &format!("opération inconnue {other}")),
        ),
    }
}

/// The checks PayFiP makes, with its codes (`E1` and `O1`, for `exer` and
/// `objet`, are ours: no public source gives theirs).
fn check(r: &soap::Request) -> Result<(), (&'static str, &'static str)> {
    let v = |name: &str| r.get(name).unwrap_or_default();
    if !rules::valid_numcli(v("numcli")) {
        return Err(("T1", "Le numéro de client est incorrect."));
    }
    let exer = v("exer");
    if exer.len() != 4 || !exer.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("E1", "L'exercice est incorrect."));
    }
    let montant = v("montant");
    if montant.is_empty() || montant.len() > 9 || !montant.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("M1", "Le format du montant n'est pas correct."));
    }
    let cents: i64 = montant.parse().unwrap_or_default();
    if cents < rules::MONTANT_MIN {
        return Err(("M3", "Le montant doit être supérieur ou égal à 1 euro."));
    }
    if cents > rules::MONTANT_MAX {
        return Err(("M5", "Le montant dépasse la limite autorisée."));
    }
    if v("mel").is_empty() {
        return Err(("A1", "L'adresse électronique n'est pas renseignée."));
    }
    if !rules::valid_mel(v("mel")) {
        return Err(("A2", "L'adresse électronique est incorrecte."));
    }
    if !rules::valid_objet(v("objet")) {
        return Err(("O1", "Le format du paramètre OBJET n'est pas conforme."));
    }
    if !rules::valid_refdet(v("refdet")) {
        return Err(("R3", "Le format du paramètre REFDET n'est pas conforme."));
    }
    if !matches!(v("saisie"), "T" | "X" | "W") {
        return Err(("S1", "Le mode de saisie est incorrect."));
    }
    if !rules::valid_url(v("urlnotif")) {
        return Err(("N1", "L'URL de notification est incorrecte."));
    }
    if !rules::valid_url(v("urlredirect")) {
        return Err(("D1", "L'URL de redirection est incorrecte."));
    }
    Ok(())
}

fn create(shared: &Shared, r: &soap::Request) -> Response {
    if let Err((code, libelle)) = check(r) {
        return fault(code, libelle);
    }
    let v = |name: &str| r.get(name).unwrap_or_default().to_string();
    let now = Utc::now().with_timezone(&ZONE);
    let mut inner = shared.lock();
    inner.created += 1;
    let n = inner.created;
    let id_op = format!(
        "{:08x}-fa4e-4f1b-9c2d-{n:012x}",
        std::process::id() ^ (now.timestamp_subsec_nanos())
    );
    let t = FakeTransaction {
        id_op: id_op.clone(),
        exer: v("exer"),
        mel: v("mel"),
        montant: v("montant"),
        numcli: v("numcli"),
        objet: r.get("objet").map(str::to_string),
        refdet: v("refdet"),
        saisie: v("saisie"),
        urlnotif: v("urlnotif"),
        urlredirect: v("urlredirect"),
        result: None,
        dattrans: now.format("%d%m%Y").to_string(),
        heurtrans: now.format("%H%M").to_string(),
        numauto: format!("{n:06}-tip"),
    };
    inner.transactions.insert(id_op.clone(), t);
    xml(StatusCode::OK, soap::create_answer(&id_op))
}

fn detail(shared: &Shared, r: &soap::Request) -> Response {
    let inner = shared.lock();
    let Some(t) = r.get("idOp").and_then(|id| inner.transactions.get(id)) else {
        return fault("P1", "IdOp incorrect.");
    };
    let Some(result) = t.result.clone() else {
        return fault("P5", "Résultat de la transaction non connu.");
    };
    let paid = matches!(result.as_str(), "P" | "V");
    let answer = DetailAnswer {
        dattrans: Some(t.dattrans.clone()),
        exer: Some(t.exer.clone()),
        heurtrans: Some(t.heurtrans.clone()),
        id_op: Some(t.id_op.clone()),
        mel: Some(t.mel.clone()),
        montant: Some(t.montant.clone()),
        numauto: paid.then(|| t.numauto.clone()),
        numcli: Some(t.numcli.clone()),
        objet: t.objet.clone(),
        refdet: Some(t.refdet.clone()),
        resultrans: Some(result),
        saisie: Some(t.saisie.clone()),
    };
    xml(StatusCode::OK, soap::detail_answer(&answer))
}

/// The payment page: says what is paid (the tests pay through
/// [`FakePayfip::set_result`]).
async fn page(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let id_op = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("idop="))
        .unwrap_or_default()
        .to_string();
    match shared.lock().transactions.get(&id_op) {
        Some(t) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<!doctype html><title>PayFiP (test)</title><p>Paiement de {} centimes, référence {}.</p>",
                t.montant, t.refdet
            ),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "idop inconnu").into_response(),
    }
}
