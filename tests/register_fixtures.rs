//! The register core against fixture registers: a valid register in CSV and the same in JSON,
//! one fixture per class of error with the exact messages expected, and one with many errors.

mod common;

use std::fs;

use common::{diagnostics, error_site, fixture};
use tizilim::register::Status;

fn read(name: &str) -> tizilim::Site {
    tizilim::read_site(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_valid_fixtures_have_no_problem() {
    for name in ["valid-csv", "valid-json"] {
        assert_eq!(diagnostics(&fixture(name)), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn csv_and_json_load_to_the_same_register() {
    let mut d = tizilim::register::Diagnostics::default();
    let (csv, _) =
        tizilim::register::load::load(&fixture("valid-csv/data"), "data".as_ref(), &mut d);
    let (json, _) =
        tizilim::register::load::load(&fixture("valid-json/data"), "data".as_ref(), &mut d);
    assert!(d.is_empty(), "{d:?}");
    fn rows<T: Clone>(rows: &[tizilim::register::model::Located<T>]) -> Vec<T> {
        rows.iter().map(|r| r.row.clone()).collect()
    }
    assert_eq!(rows(&csv.regions), rows(&json.regions));
    assert_eq!(rows(&csv.professions), rows(&json.professions));
    assert_eq!(rows(&csv.centers), rows(&json.centers));
    assert_eq!(rows(&csv.certificates), rows(&json.certificates));
    assert_eq!(rows(&csv.scope), rows(&json.scope));
    assert_eq!(rows(&csv.events), rows(&json.events));
    assert_eq!(csv.centers.len(), 4);
    // Multi-line quoted cell, trimmed cell, doubled quotes, BOM + CRLF + semicolons.
    assert_eq!(
        csv.centers[0].address.kk.as_deref(),
        Some("Астана қ.,\nҚабанбай батыр даңғылы, 11")
    );
    assert_eq!(
        csv.centers[1].name.kk.as_deref(),
        Some("«Ұлы Дала» кәсіби біліктілікті тану орталығы ЖШС")
    );
    assert_eq!(
        csv.centers[3].name.ru.as_deref(),
        Some("АО \"Центр оценки квалификаций «Һәм» — «Іргетас»\"")
    );
    assert_eq!(csv.regions[0].code, "astana");
    // Positions: the line a row starts on (the first row's quoted cells span lines 2-4 of centers.csv).
    let lines = |rows: &[tizilim::register::model::Located<
        tizilim::register::model::CenterRow,
    >]|
     -> Vec<usize> { rows.iter().map(|r| r.position.line).collect() };
    assert_eq!(lines(&csv.centers), vec![2, 5, 6, 7]);
    assert_eq!(lines(&json.centers)[..2], [2, 14]);
    // DD.MM.YYYY and YYYY-MM-DD give the same dates.
    assert_eq!(csv.certificates[1].issued_on.to_string(), "2024-09-16");
    assert_eq!(
        csv.certificates[0]
            .agreement_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2023-12-06")
    );
}

#[test]
fn statuses_of_the_fixture_on_a_date() {
    let site = read("valid-csv");
    let r = &site.checked.registry;
    let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let expected = [
        ("№ ЦПК-001/2023", Status::Reissued),
        ("ЦПК-002/2024", Status::Valid),
        ("KZ-ҰД-0003", Status::Valid),
        ("KZ-ҰД-0004", Status::Expired),
        ("QB/5", Status::Expired),
        ("ІР-6", Status::Terminated),
        ("ІР-7", Status::NotYetValid),
    ];
    for (number, status) in expected {
        let id = r.certificate(number).unwrap();
        assert_eq!(r.certificate_status(id, on), status, "{number}");
    }
    // KZ-ҰД-0003 was issued on 29 February: its default term ends on 28 February.
    let leap = &r.certificates[r.certificate("KZ-ҰД-0003").unwrap()];
    assert_eq!(leap.valid_until.to_string(), "2027-02-28");
    assert!(!leap.valid_until_given);
    assert_eq!(
        r.certificates[r.certificate("ЦПК-002/2024").unwrap()].slug,
        "tspk-002-2024"
    );
}

/// The names of the fixtures under `tests/fixtures/errors/`, sorted.
fn error_fixtures() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixture("errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Every fixture under `tests/fixtures/errors/` gives exactly the lines of its `expected.txt`
/// (errors and warnings, sorted by file and line). A fixture whose expected lines are all
/// warnings must load.
#[test]
fn each_class_of_error_is_reported_exactly() {
    let names = error_fixtures();
    assert!(names.len() >= 20, "{names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let site = error_site(name);
        let got = diagnostics(site.path());
        let expected_path = fixture("errors").join(name).join("expected.txt");
        if std::env::var_os("TIZILIM_BLESS").is_some() {
            fs::write(&expected_path, got.join("\n") + "\n").unwrap();
            continue;
        }
        let expected: Vec<String> = fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()))
            .lines()
            .map(str::to_owned)
            .collect();
        if got != expected {
            failures.push(format!(
                "{name}:\n  expected:\n    {}\n  got:\n    {}",
                expected.join("\n    "),
                got.join("\n    ")
            ));
        }
        let only_warnings = expected.iter().all(|l| l.contains(": warning: "));
        assert_eq!(
            tizilim::read_site(site.path()).is_ok(),
            only_warnings,
            "{name}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn many_errors_at_once_are_all_reported() {
    let got = diagnostics(&fixture("many-errors"));
    let expected: Vec<String> = fs::read_to_string(fixture("many-errors/expected.txt"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(
        expected.len() >= 30,
        "the fixture should hold at least 30 mistakes"
    );
    assert_eq!(got, expected);
    let errors = got.iter().filter(|l| !l.contains(": warning: ")).count();
    assert!(errors >= 30, "{errors} errors");
}

/// A watcher reads the register through a cache, which keeps the register checked without
/// its events while only `events` changes. Whatever the fixture, each read reports exactly
/// what a fresh read reports, and reads the same register: at once, again with nothing
/// changed, after events alone changed (a new error, then a new valid event), and after
/// another table changed.
#[test]
fn a_read_through_the_cache_reports_and_reads_what_a_fresh_read_does() {
    let names = error_fixtures();
    let registers = |root: &std::path::Path, cache: &tizilim::register::table::TableCache| {
        let fresh = tizilim::read_site(root).ok().map(|s| s.checked.registry);
        let cached = tizilim::read_site_cached(root, Some(cache))
            .ok()
            .map(|s| s.checked.registry);
        let shown = |r: Option<tizilim::register::Registry>| {
            r.map(|r| {
                format!(
                    "{:?}{:?}{:?}{:?}",
                    r.regions, r.professions, r.centers, r.certificates
                )
            })
        };
        (shown(fresh), shown(cached))
    };
    for name in names.iter().map(String::as_str).chain(["valid"]) {
        let site = if name == "valid" {
            common::temp_site_with_theme("valid-csv")
        } else {
            error_site(name)
        };
        let root = site.path();
        let cache = tizilim::register::table::TableCache::default();
        let append = |file: &str, line: &str| {
            let path = root.join("data").join(file);
            let mut text = fs::read_to_string(&path).unwrap_or_default();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(line);
            fs::write(&path, text).unwrap();
        };
        type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
        let steps: [Step; 5] = [
            ("first read", Box::new(|| {})),
            ("nothing changed", Box::new(|| {})),
            (
                "an event of an unknown certificate",
                Box::new(|| append("events.csv", "NOPE-1,2025-01-01,revoked,,,,\n")),
            ),
            (
                "a valid event instead",
                Box::new(|| {
                    let path = root.join("data/events.csv");
                    if let Ok(text) = fs::read_to_string(&path) {
                        let text = text.replace(
                            "NOPE-1,2025-01-01,revoked,,,,\n",
                            "QB/5,2025-09-01,resumed,,Нарушения устранены,,\n",
                        );
                        fs::write(&path, text).unwrap();
                    }
                }),
            ),
            (
                "a center's address",
                Box::new(|| {
                    let path = root.join("data/centers.csv");
                    if let Ok(text) = fs::read_to_string(&path) {
                        fs::write(&path, text.replacen("даңғылы", "көшесі", 1)).unwrap();
                    }
                }),
            ),
        ];
        for (what, change) in &steps {
            change();
            assert_eq!(
                common::diagnostics_of(tizilim::read_site_cached(root, Some(&cache))),
                diagnostics(root),
                "{name}: {what}"
            );
            let (fresh, cached) = registers(root, &cache);
            assert_eq!(cached, fresh, "{name}: {what}");
        }
    }
}

/// A re-issue chain of 20,000 certificates, and a cycle at its end, are checked (each
/// certificate walked once: the chains used to be checked in cubic time).
#[test]
fn a_long_reissue_chain_and_its_cycle_are_checked() {
    let site = error_site("reissue-chains");
    let data = site.path().join("data");
    let mut certificates = fs::read_to_string(data.join("certificates.csv")).unwrap();
    let mut scope = fs::read_to_string(data.join("scope.csv")).unwrap();
    for i in 0..20_000 {
        let replaces = if i == 0 {
            String::new()
        } else {
            format!("L-{}", i - 1)
        };
        certificates.push_str(&format!("L-{i},190540001230,2020-01-01,,{replaces},,\n"));
        scope.push_str(&format!("L-{i},7212-1-002,3\n"));
    }
    for (i, replaces) in [(0, 2), (1, 0), (2, 1)] {
        certificates.push_str(&format!("Z-{i},190540001230,2020-01-01,,Z-{replaces},,\n"));
        scope.push_str(&format!("Z-{i},7212-1-002,3\n"));
    }
    fs::write(data.join("certificates.csv"), certificates).unwrap();
    fs::write(data.join("scope.csv"), scope).unwrap();
    let got = diagnostics(site.path());
    let cycles: Vec<&String> = got
        .iter()
        .filter(|l| l.contains("re-issue cycle"))
        .collect();
    assert_eq!(cycles.len(), 2, "{got:#?}");
    assert!(cycles[1].ends_with("Z-0 → replaces → Z-2 → replaces → Z-1 → replaces → Z-0"));
}
