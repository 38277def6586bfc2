//! `marelle calendar update`: the official school calendar export becomes
//! the shipped holidays file; a malformed export changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::path::Path;
use std::process::{Command, Output};

fn update(from: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args(["calendar", "update", "--from"])
        .arg(from)
        .arg("--out")
        .arg(out)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fr-en-calendrier-scolaire.csv")
}

#[test]
fn the_official_export_is_rewritten_as_one_line_per_zone_and_holiday() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vacances-scolaires.csv");
    let run = update(&fixture(), &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(stdout.starts_with("7 vacances écrites dans"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "annee_scolaire;zone;vacances;du;au\n\
2026-2027;A;Vacances de Noël;2026-12-19;2027-01-03\n\
2026-2027;A;Vacances d'hiver;2027-02-13;2027-02-28\n\
2026-2027;B;Vacances d'hiver;2027-02-20;2027-03-07\n\
2026-2027;C;Vacances de Noël;2026-12-19;2027-01-03\n\
2026-2027;C;Vacances d'hiver;2027-02-06;2027-02-21\n\
2026-2027;C;Pont de l'Ascension;2027-05-06;2027-05-09\n\
2026-2027;Corse;Vacances de Noël;2026-12-19;2027-01-03\n"
    );
}

#[test]
fn a_malformed_export_is_refused_in_french_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vacances-scolaires.csv");
    std::fs::write(&out, "before\n").unwrap();

    let wrong_shape = dir.path().join("export.csv");
    std::fs::write(&wrong_shape, "date,vacances_zone_a\n2026-12-21,True\n").unwrap();
    let run = update(&wrong_shape, &out);
    assert!(!run.status.success());
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(
        stderr.contains("colonne « Description » absente"),
        "{stderr}"
    );

    let bad_date = dir.path().join("bad-date.csv");
    let mut text = std::fs::read_to_string(fixture()).unwrap();
    text.push_str(
        "Vacances d'Été;-;le 3 juillet;2027-08-31T22:00:00+00:00;Paris;Zone C;2026-2027\n",
    );
    std::fs::write(&bad_date, text).unwrap();
    let run = update(&bad_date, &out);
    assert!(!run.status.success());
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(
        stderr.contains("ligne 14 : date de début illisible « le 3 juillet »"),
        "{stderr}"
    );

    let missing = update(&dir.path().join("absent.csv"), &out);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("lecture impossible")
    );

    assert_eq!(std::fs::read_to_string(&out).unwrap(), "before\n");
    assert!(!dir.path().join("vacances-scolaires.csv.tmp").exists());
}

#[test]
fn an_unknown_school_zone_stops_the_start_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args(["digest", "--at", "2026-11-28T13:00:00+01:00"])
        .arg("--data")
        .arg(dir.path().join("data"))
        .env("MARELLE_SCHOOL_ZONE", "Z")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(
            "MARELLE_SCHOOL_ZONE: zone scolaire inconnue « Z » : A, B, C ou Corse attendu"
        ),
        "{err}"
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_marelle"))
        .args([
            "serve",
            "--no-schedule",
            "--addr",
            "127.0.0.1:0",
            "--school-zone",
            "D",
        ])
        .arg("--data")
        .arg(dir.path().join("serve"))
        .env_remove("MARELLE_SCHOOL_ZONE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("marelle serve started with --school-zone D");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(
        err.contains("--school-zone : zone scolaire inconnue « D »"),
        "{err}"
    );
}
