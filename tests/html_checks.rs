//! The built pages judged by tools no one here wrote: the W3C Nu HTML Checker (vnu-jar, on
//! Java) must find no error in any page, and axe-core in headless Chromium must find no
//! violation of WCAG 2.1 A/AA or its best practices, at phone and desktop widths.
//!
//! Needs Java, Chromium (`/usr/bin/chromium`) and the npm packages of `package.json`
//! (`npm ci`); `.ci/run` installs them. Without them these tests fail and say so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{build, build_served, serve_static, temp_site_with_theme};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tool(path: &str) -> PathBuf {
    let tool = repository().join(path);
    assert!(
        tool.exists(),
        "{} is missing: run `npm ci` in the repository (see .ci/run)",
        tool.display()
    );
    tool
}

fn vnu_errors(dir: &Path) -> Vec<serde_json::Value> {
    let output = Command::new("java")
        .arg("-jar")
        .arg(tool("node_modules/vnu-jar/build/dist/vnu.jar"))
        .args(["--errors-only", "--skip-non-html", "--format", "json"])
        .arg(dir)
        .output()
        .expect("Java runs the Nu HTML Checker (install a JRE, see .ci/run)");
    // vnu writes its JSON report to stderr.
    let report: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["messages"].as_array().cloned().unwrap_or_default()
}

#[test]
fn the_nu_html_checker_finds_no_error_in_any_page() {
    let out = tempfile::tempdir().unwrap();
    let report = build(repository(), out.path(), "2026-11-25", None);
    let pages = report.published.html_pages;
    assert!(pages > 800, "{pages}");
    let errors = vnu_errors(out.path());
    assert!(
        errors.is_empty(),
        "{} errors, e.g. {:#?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );

    // Hostile values and a sub-path too.
    let root = temp_site_with_theme("xss");
    let xss = tempfile::tempdir().unwrap();
    build(
        root.path(),
        xss.path(),
        "2026-11-25",
        Some("https://example.kz/registry/"),
    );
    let errors = vnu_errors(xss.path());
    assert!(errors.is_empty(), "{:#?}", &errors[..errors.len().min(5)]);

    // The pages of a long change history (the sample's fits on one page).
    let root = common::synthetic_site(150, 7);
    let history = tempfile::tempdir().unwrap();
    build(root.path(), history.path(), "2026-11-25", None);
    let changes = history.path().join("ru/changes");
    assert!(changes.join("page/3/index.html").is_file());
    let errors = vnu_errors(&changes);
    assert!(errors.is_empty(), "{:#?}", &errors[..errors.len().min(5)]);

    // The checker does find errors (so that an empty report means something).
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(
        broken.path().join("x.html"),
        "<!DOCTYPE html><html lang=kk><title>x</title><p><li>қате</p>",
    )
    .unwrap();
    assert!(!vnu_errors(broken.path()).is_empty());
}

/// Runs axe on `pages` of the site at `base`, at two widths; returns each page with a
/// violation (as axe's JSON result).
fn axe_violations(base: &str, pages: &[&str]) -> Vec<String> {
    let output = Command::new("node")
        .arg(tool("tests/browser/axe.mjs"))
        .arg(base)
        .args(pages)
        .env("CHROMIUM", "/usr/bin/chromium")
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "the axe run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    tool("node_modules/axe-core/axe.min.js");
    let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(results.len(), pages.len() * 2, "every page at two widths");
    let mut problems = Vec::new();
    for result in &results {
        assert_eq!(result["status"], 200, "{result}");
        if !result["violations"].as_array().unwrap().is_empty() {
            problems.push(result.to_string());
        }
    }
    problems
}

#[test]
fn axe_finds_no_accessibility_violation() {
    let (_out, base) = build_served(repository(), "2026-11-25");
    let pages = [
        "/",
        "/centers/",
        "/centers/page/2/",
        "/centers/100840734991/",
        "/certificates/tspk-2024-020/",
        "/certificates/tspk-2023-001/",
        "/regions/",
        "/regions/astana/",
        "/professions/",
        "/status/revoked/",
        "/changes/",
        "/search/",
        "/ru/search/?q=Almaty&region=almaty-city",
        "/verify/",
        "/ru/verify/?bin=100840734991&date=10.10.2024&profession=7317-1-001",
        "/about/",
        "/404.html",
        "/ru/",
        "/ru/centers/100840734991/",
        "/ru/certificates/tspk-2024-020/",
        "/en/certificates/tspk-2025-004/",
        "/en/status/not-yet-valid/",
    ];
    let problems = axe_violations(&base, &pages);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The pages of a long change history.
    let root = common::synthetic_site(150, 7);
    let (_history, base) = build_served(root.path(), "2026-11-25");
    let problems = axe_violations(
        &base,
        &["/changes/", "/changes/page/2/", "/en/changes/page/1/"],
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // axe does report violations (so that an empty list means something).
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("index.html"),
        "<!DOCTYPE html><html><title>x</title><img src=a.png><p>қате</p>",
    )
    .unwrap();
    let bad_base = serve_static(bad.path());
    let output = Command::new("node")
        .arg(tool("tests/browser/axe.mjs"))
        .arg(&bad_base)
        .arg("/")
        .output()
        .unwrap();
    let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = results[0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"image-alt") && ids.contains(&"html-has-lang"),
        "{ids:?}"
    );
}

/// Every page type, in kk, ru and en, at the widths of phones, tablets and desktops: nothing
/// scrolls sideways, no status badge is cut, and no count card's badge covers its number.
#[test]
fn every_page_type_fits_every_width() {
    let (_out, base) = common::build_served(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        "2026-11-25",
    );
    let kinds = [
        "",
        "centers/",
        "centers/030140557569/",
        "certificates/tspk-2024-020/",
        "regions/",
        "regions/almaty-city/",
        "professions/",
        "professions/2512-1-001/",
        "status/revoked/",
        "changes/",
        "search/?q=%D0%BE%D1%80%D1%82%D0%B0%D0%BB%D1%8B%D2%9B",
        "verify/?bin=030140557569&date=01.12.2025",
        "about/",
        "404.html",
    ];
    let mut paths = Vec::new();
    for lang in ["", "ru/", "en/"] {
        for kind in kinds {
            paths.push(format!("/{lang}{kind}"));
        }
    }
    let mut args = vec![base.clone(), "320,360,390,520,720,768,1024,1280".to_owned()];
    args.extend(paths);
    let result = common::node("tests/browser/layout.mjs", &args);
    assert_eq!(result["checked"], 8 * 42);
    assert_eq!(
        result["problems"],
        serde_json::json!([]),
        "{:#}",
        result["problems"]
    );
}
