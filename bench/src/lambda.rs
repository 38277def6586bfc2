//! The accounts Lambda: stripped size of its release binary, and the time
//! from process start to ready, that is to its first poll of the Lambda
//! runtime API (served here by a stand-in that only records the poll).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub async fn run() {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "marelle-fn-accounts"])
        .status()
        .unwrap();
    assert!(status.success());
    let bin = format!("{}/../target/release/accounts", env!("CARGO_MANIFEST_DIR"));
    let size = std::fs::metadata(&bin).unwrap().len();
    println!("# accounts Lambda (release profile: opt-level s, fat LTO, stripped, panic=abort)");
    println!(
        "stripped binary size (x86_64 host build): {:.2} MiB ({size} bytes)",
        size as f64 / 1048576.0
    );

    let mut times = Vec::new();
    for _ in 0..20 {
        times.push(start_to_first_poll(&bin));
    }
    times.sort();
    println!(
        "process start to first runtime poll over {} starts: min {:.1} ms, median {:.1} ms, max {:.1} ms",
        times.len(),
        times[0].as_secs_f64() * 1000.0,
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
}

fn start_to_first_poll(bin: &str) -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let start = Instant::now();
    let mut child = Command::new(bin)
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "accounts")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_REGION", "eu-west-3")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("MARELLE_TABLE", "marelle")
        .env("MARELLE_BUCKET", "marelle-documents")
        .env("MARELLE_EVENT_BUS", "marelle")
        .env("MARELLE_COMMUNE_NAME", "Mairie de Villebois")
        .env("MARELLE_PUBLIC_URL", "https://famille.villebois.fr")
        .env(
            "MARELLE_MAIL_FROM",
            "Portail Citoyen <nepasrepondre@villebois.fr>",
        )
        .env("MARELLE_CONTACT_TEXT", "Service enfance")
        .env("MARELLE_SECRET", "bench secret of enough length 0123456789")
        .env(
            "MARELLE_ORIGIN_SECRET",
            "bench origin secret of enough length 0123",
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (mut conn, _) = listener.accept().unwrap();
    let mut buf = [0u8; 1024];
    let n = conn.read(&mut buf).unwrap_or(0);
    let elapsed = start.elapsed();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("/runtime/invocation/next"));
    let _ = conn.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n");
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}
