//! `marelle serve` facing slow or greedy clients, and what it refuses at
//! start: a stalled request head or body is cut, connections are capped,
//! `--dev` stays on loopback, and the data folder is its owner's only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Server;

fn start(data: &Path, extra: &[&str]) -> Server {
    common::serve(data, extra, &[])
}

/// Reads until the server closes the connection; how long that took, or
/// `None` if it was still open after `patience`.
fn closed_within(stream: &mut TcpStream, patience: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while started.elapsed() < patience {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

#[test]
fn a_request_head_never_finished_is_cut_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("data"), &["--header-timeout", "1"]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.write_all(b"GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
        .unwrap();
    let took = closed_within(&mut s, Duration::from_secs(8));
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(4)),
        "connection still open: {took:?}"
    );
}

#[test]
fn a_request_body_that_stalls_is_cut_after_the_body_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("data"), &["--body-timeout", "1"]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.write_all(
        b"POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"email\": \"",
    )
    .unwrap();
    let took = closed_within(&mut s, Duration::from_secs(8));
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(5)),
        "connection still open: {took:?}"
    );
}

#[test]
fn connections_past_the_cap_wait_until_one_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        &dir.path().join("data"),
        &["--max-connections", "2", "--header-timeout", "30"],
    );
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(("127.0.0.1", server.port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let ask = |port: u16| {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(1500)))
            .unwrap();
        s.write_all(
            b"GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut head = [0u8; 12];
        s.read_exact(&mut head).map(|()| head)
    };
    assert!(
        ask(server.port).is_err(),
        "a third connection was served while two were held"
    );
    drop(idle);
    let head = ask(server.port).expect("served once a connection is free");
    assert_eq!(&head, b"HTTP/1.1 200");
}

#[test]
fn dev_mode_is_refused_on_an_address_other_than_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args(["serve", "--dev", "--no-schedule", "--addr", "0.0.0.0:0"])
        .arg("--data")
        .arg(dir.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("marelle serve --dev started on 0.0.0.0");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!status.success());
    assert!(err.contains("adresse de bouclage"), "{err}");
    assert!(
        !dir.path().join("data").exists(),
        "nothing is created before the refusal"
    );
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_what_it_holds_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = start(&data, &["--demo", "--dev"]);
    // A password reset writes an e-mail (with its link) to the outbox.
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let body = br#"{"email": "parent.demo@villebois.example"}"#;
    write!(
        s,
        "POST /api/password-reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    drop(server);

    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "data folder");
    let mut seen = 0;
    for entry in walk(&data) {
        let m = mode(&entry);
        assert_eq!(m & 0o077, 0, "{} is {m:o}", entry.display());
        seen += 1;
    }
    assert!(data.join("marelle.db").exists() && data.join("secret.key").exists());
    assert!(
        walk(&data.join("outbox"))
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "eml")),
        "the reset e-mail is in the outbox"
    );
    assert!(seen >= 4, "{seen} entries checked");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[cfg(unix)]
#[test]
fn a_data_folder_others_can_write_to_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args(["digest", "--at", "2026-11-28T13:00:00+01:00"])
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("modifiable par d'autres utilisateurs"),
        "{err}"
    );
    assert!(!data.join("marelle.db").exists(), "nothing opened");
}

#[test]
fn a_digest_for_a_window_still_open_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let later = (chrono::Utc::now() + chrono::Duration::hours(10)).to_rfc3339();
    let out = Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args(["digest", "--at", &later])
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("est dans le futur"), "{err}");
    // A closed window still runs.
    let earlier = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let out = Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args(["digest", "--at", &earlier])
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"window\""));
}
