//! One moto server per test process, on 127.0.0.1, started on first use and
//! stopped when the process ends (the server watches its standard input,
//! which closes with us).
//!
//! moto comes from the project's virtualenv (`.venv`, made by `make
//! test-deps`); `MOTO_PYTHON` names another Python that has `moto[server]`.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

// DynamoDB applies each request atomically; moto does not (a transaction
// snapshots whole tables and restores them when it fails, undoing
// concurrent writes), so its DynamoDB requests run one at a time.
const WATCHDOG: &str = r#"
import sys
import threading
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import ThreadedMotoServer

_dispatch = DomainDispatcherApplication.__call__
_dynamodb = threading.Lock()

def _call(self, environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with _dynamodb:
            return list(_dispatch(self, environ, start_response))
    return _dispatch(self, environ, start_response)

DomainDispatcherApplication.__call__ = _call
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
server.start()
print("ready", flush=True)
try:
    sys.stdin.read()
finally:
    server.stop()
"#;

struct Moto {
    endpoint: String,
    _child: Mutex<Child>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

fn python() -> PathBuf {
    if let Ok(p) = std::env::var("MOTO_PYTHON") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = root.join(".venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn start() -> Moto {
    let port = free_port();
    let python = python();
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(WATCHDOG)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start moto with {}: {e}; run `make test-deps`",
                python.display()
            )
        });
    let stdout = child.stdout.take().expect("moto stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("moto start line");
    assert_eq!(
        line.trim(),
        "ready",
        "moto did not start (is `moto[server]` installed in {}?)",
        python.display()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto does not answer on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        _child: Mutex::new(child),
    }
}

/// The endpoint of this process's moto server, started if needed.
pub fn endpoint() -> &'static str {
    &MOTO.get_or_init(start).endpoint
}
