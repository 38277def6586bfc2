//! A release (`perf` profile) `marelle serve --demo --dev` on a free
//! port, and a client that talks to it as the web app does.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub struct Server {
    pub base: String,
    pub client: reqwest::Client,
    child: Child,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    pub async fn start() -> Self {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--profile", "perf", "-p", "marelle-local"])
            .status()
            .unwrap();
        assert!(status.success());
        let bin = format!("{}/../target/perf/marelle", env!("CARGO_MANIFEST_DIR"));
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(&bin)
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--demo",
                "--dev",
                "--no-schedule",
                "--web",
                "/nonexistent",
            ])
            .arg("--data")
            .arg(data.path())
            .env("RUST_LOG", "warn")
            .env("MARELLE_RATE_LIMIT_FACTOR", "1000000")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .no_proxy()
                .pool_max_idle_per_host(64)
                .build()
                .unwrap(),
            child,
            _data: data,
        }
    }

    /// Logs in; returns the `Cookie` header value.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let r = self
            .client
            .post(format!("{}/api/session", self.base))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "login {email}: {}", r.status());
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        cookie: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", cookie)
            .header("origin", &self.base);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The server's process id (to read its memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Posts a CSV file; returns the status, the answer and the seconds taken.
    pub async fn post_csv(&self, path: &str, cookie: &str, body: String) -> (u16, Value, f64) {
        let start = std::time::Instant::now();
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .header("origin", &self.base)
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let v = r.json().await.unwrap_or(Value::Null);
        (status, v, start.elapsed().as_secs_f64())
    }

    pub async fn post(&self, path: &str, cookie: &str, body: Value) -> Value {
        let (status, v) = self
            .call(reqwest::Method::POST, path, cookie, Some(body))
            .await;
        assert!((200..300).contains(&status), "POST {path}: {status} {v}");
        v
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Value {
        let (status, v) = self.call(reqwest::Method::GET, path, cookie, None).await;
        assert!((200..300).contains(&status), "GET {path}: {status} {v}");
        v
    }
}
