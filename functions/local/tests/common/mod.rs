//! The real `marelle` binary started for a test: `serve` on a free
//! 127.0.0.1 port with a data folder of the test's, stopped (SIGKILL) when
//! the test drops it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    /// Shared, so that a test may kill it from another thread.
    pub child: Arc<Mutex<Child>>,
    pub port: u16,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `marelle serve` on `data` with `args` (beside the address, the data
/// folder, `--no-schedule` and no web app) and `env`; returns once it
/// accepts connections.
pub fn serve(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--no-schedule",
            "--web",
            "/nonexistent",
        ])
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("MARELLE_PUBLIC_URL")
        .env_remove("MARELLE_SECRET")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child: Arc::new(Mutex::new(child)),
        port,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "marelle did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}
