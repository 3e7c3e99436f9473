//! The `tizilim` binary run as a process: exit codes, stdout and stderr of `check` and
//! `status` on the sample register and on bad registers.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{error_site, fixture};

fn tizilim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tizilim"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn sample_root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

#[test]
fn check_passes_the_sample_register_without_warnings() {
    let out = tizilim(&["check", "--root", sample_root()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warnings");
    let summary = stdout(&out);
    assert!(
        summary
            .starts_with("register OK: 20 regions, 134 professions, 62 centers, 66 certificates"),
        "{summary}"
    );
    assert!(
        summary
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("site OK: theme `default`, ")),
        "{summary}"
    );
}

#[test]
fn check_reports_a_broken_template_with_its_name() {
    let site = common::temp_site_with_theme("valid-csv");
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(site.path().join("templates/center.html"), "{% extends \"base.html\" %}{% block content %}{{ center.nmae | upper }}{% endblock content %}").unwrap();
    let out = tizilim(&["check", "--root", site.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("center.html: "), "{err}");
    assert!(err.contains("nmae"), "{err}");
}

#[test]
fn check_prints_every_error_of_a_bad_register_and_exits_1() {
    let out = tizilim(&["check", "--root", fixture("many-errors").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let expected = std::fs::read_to_string(fixture("many-errors/expected.txt")).unwrap();
    let err = stderr(&out);
    let (lines, summary) = err.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(format!("{lines}\n"), expected);
    assert_eq!(summary, "32 error(s), 0 warning(s)");
    assert_eq!(stdout(&out), "");
}

#[test]
fn check_prints_warnings_but_exits_0() {
    let site = error_site("warnings-only");
    let out = tizilim(&["check", "--root", site.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let expected = std::fs::read_to_string(fixture("errors/warnings-only/expected.txt")).unwrap();
    assert_eq!(stderr(&out), expected);
    assert!(stdout(&out).contains("3 warning(s)"));
}

#[test]
fn a_bad_config_is_an_error_with_its_line() {
    let site = common::temp_site("valid-csv");
    std::fs::write(
        site.path().join("config.toml"),
        "base_url = \"/\"\ntitle = \"Тізілім\"\nvalidity = 3\n",
    )
    .unwrap();
    let out = tizilim(&["check", "--root", site.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("config.toml:3: unknown field `validity`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn status_of_a_certificate_as_text_and_json() {
    let root = fixture("valid-csv");
    let root = root.to_str().unwrap();
    let out = tizilim(&["status", "KZ-ҰД-0003", "--on", "2025-01-10", "--root", root]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().next(),
        Some("revoked: certificate KZ-ҰД-0003 on 2025-01-10")
    );
    assert!(text.contains("2025-01-10  revoked       revoked     KZ-ҰД-0003: Постаккредиттеу шартын орындамау (Приказ № 12-п от 10.01.2025)"), "{text}");

    // Typed leniently (Cyrillic К and Z-less spacing, no dashes) and with a dotted date.
    let out = tizilim(&[
        "status",
        "кz ұд 0003",
        "--on",
        "20.02.2025",
        "--json",
        "--root",
        root,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["kind"], "certificate");
    assert_eq!(json["id"], "KZ-ҰД-0003");
    assert_eq!(json["on"], "2025-02-20");
    assert_eq!(json["status"], "valid");
    assert_eq!(json["valid_until"], "2027-02-28");
    // The whole life: issued, revoked, resumed, and the expiry its term will bring.
    let history = json["history"].as_array().unwrap();
    let changes: Vec<(&str, &str)> = history
        .iter()
        .map(|h| (h["date"].as_str().unwrap(), h["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [
            ("2024-02-29", "issued"),
            ("2025-01-10", "revoked"),
            ("2025-02-20", "resumed"),
            ("2027-03-01", "expired")
        ]
    );
    assert_eq!(
        history[1]["reason"]["ru"],
        "Невыполнение условий договора, п. 5"
    );
    assert!(
        json.get("in_scope").is_none(),
        "in_scope only with --profession"
    );
}

#[test]
fn status_of_a_center_with_a_profession() {
    let root = fixture("valid-csv");
    let root = root.to_str().unwrap();
    // On 2024-10-01 the center's valid certificate is ЦПК-002/2024, which added 2512-1-001.
    let out = tizilim(&[
        "status",
        "190540001230",
        "--on",
        "2024-10-01",
        "--profession",
        "2512-1-001",
        "--json",
        "--root",
        root,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["kind"], "center");
    assert_eq!(json["id"], "190540001230");
    assert_eq!(json["status"], "valid");
    assert_eq!(json["in_scope"], true);
    assert_eq!(json["certificate"], "ЦПК-002/2024");
    assert_eq!(json["profession"]["levels"], serde_json::json!([5, 6]));
    // Before the re-issue that profession was not in scope, though the center was valid.
    let out = tizilim(&[
        "status",
        "1905 4000 1230",
        "--on",
        "2024-01-10",
        "--profession",
        "2512-1-001",
        "--json",
        "--root",
        root,
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "valid");
    assert_eq!(json["in_scope"], false);
    assert_eq!(json["certificate"], serde_json::Value::Null);
    // The text answer names the status first and says what was not covered.
    let out = tizilim(&[
        "status",
        "190540001230",
        "--on",
        "2024-01-10",
        "--profession",
        "2512-1-001",
        "--root",
        root,
    ]);
    let text = stdout(&out);
    assert!(
        text.starts_with("valid: center 190540001230 on 2024-01-10\n"),
        "{text}"
    );
    assert!(text.contains("profession 2512-1-001 (Бағдарламалық жасақтама әзірлеушісі): not in the scope of a valid certificate on 2024-01-10"), "{text}");
}

#[test]
fn every_certificate_and_center_of_the_sample_answers() {
    let root = sample_root();
    let site = tizilim::read_site(Path::new(root)).unwrap();
    let r = &site.checked.registry;
    // A few of each through the process (all of them through the library is the same code).
    for certificate in r.certificates.iter().step_by(11) {
        let out = tizilim(&[
            "status",
            &certificate.number,
            "--on",
            "2030-01-01",
            "--json",
            "--root",
            root,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", certificate.number);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["id"], certificate.number.as_str());
    }
    for (id, center) in r.centers.iter().enumerate() {
        for on in ["2020-01-01", "2025-06-30", "2040-12-31"] {
            let date = tizilim::register::dates::parse_date(on).unwrap();
            let answer = tizilim::answer::answer(r, center.bin.as_str(), date, None).unwrap();
            assert_eq!(answer.status, r.center_status(id, date).0);
        }
    }
}

#[test]
fn not_in_the_register_is_an_answer_with_exit_1() {
    let root = fixture("valid-csv");
    let out = tizilim(&["status", "ЦПК-999/2099", "--root", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("`ЦПК-999/2099` is not in the register"),
        "{}",
        stderr(&out)
    );
    let out = tizilim(&[
        "status",
        "190540001230",
        "--profession",
        "0000",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("profession `0000` is not in the register"));
}

#[test]
fn status_on_a_bad_register_prints_the_errors_and_exits_1() {
    let site = error_site("bad-dates");
    let out = tizilim(&["status", "QB/5", "--root", site.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("data/certificates.csv:3: issued_on: `31.09.2024` is not a date"));
}

#[test]
fn a_folder_that_is_no_site_root_is_named() {
    let empty = tempfile::tempdir().unwrap();
    let out = tizilim(&["check", "--root", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("there is no data/ folder here"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["status"][..],
        &["status", "x", "--on", "31.02.2024"],
        &["frobnicate"],
        &["check", "--rooot", "."],
    ] {
        let out = tizilim(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_number_typed_as_on_paper_is_found() {
    let root = fixture("valid-csv");
    let root = root.to_str().unwrap();
    let more = ["No. ЦПК-002/2024", " ЦПК / 002 / 2024 "];
    for typed in common::TYPED_FORMS_OF_TSPK_002_2024.iter().chain(&more) {
        let out = tizilim(&[
            "status",
            typed,
            "--json",
            "--on",
            "2025-01-01",
            "--root",
            root,
        ]);
        assert_eq!(out.status.code(), Some(0), "{typed:?}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["id"], "ЦПК-002/2024", "{typed:?}");
        assert_eq!(json["kind"], "certificate", "{typed:?}");
    }
    let out = tizilim(&["status", "ЦПК 002 2025", "--root", root]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn certificate_is_null_when_no_valid_certificate_covers_the_profession() {
    let root = fixture("valid-csv");
    let root = root.to_str().unwrap();
    // QB/5 covers 8342-1-001 but was revoked on 2025-06-01.
    for typed in ["150340007897", "QB/5"] {
        let out = tizilim(&[
            "status",
            typed,
            "--on",
            "2025-07-01",
            "--profession",
            "8342-1-001",
            "--json",
            "--root",
            root,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["status"], "revoked", "{typed}");
        assert_eq!(json["in_scope"], false, "{typed}");
        assert_eq!(json["certificate"], serde_json::Value::Null, "{typed}");
        assert_eq!(json["status_certificate"], "QB/5", "{typed}");
    }
    // While it was valid, it is the covering certificate.
    let out = tizilim(&[
        "status",
        "150340007897",
        "--on",
        "2025-01-01",
        "--profession",
        "8342-1-001",
        "--json",
        "--root",
        root,
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["in_scope"], true);
    assert_eq!(json["certificate"], "QB/5");
}
