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
        stderr.contains("colonne « Description » absente"),
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
        stderr.contains("ligne 14 : date de début illisible « le 3 juillet »"),
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
