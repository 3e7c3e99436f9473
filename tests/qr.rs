//! The QR code on a certificate page decodes, with a reader no one here wrote (zbar), to the
//! page's own permanent URL. The image is in the page (a `data:` URL): Chromium draws the
//! page's own `<img>` element, as the page has it. Needs Chromium and `zbarimg` (Debian's
//! zbar-tools); `.ci/run` installs them.

mod common;

use std::process::Command;

#[test]
fn the_qr_code_reads_as_the_page_address() {
    let root = common::temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    common::build(
        root.path(),
        out.path(),
        "2026-11-25",
        Some("https://example.kz/registry/"),
    );
    let page =
        std::fs::read_to_string(out.path().join("ru/certificates/kz-ud-0003/index.html")).unwrap();
    // The page's image element, as it is, alone on a page of its own (drawn larger).
    let start = page
        .find("<img src=\"data:image/svg+xml,")
        .expect("a QR code in the page");
    let end = start + page[start..].find('>').unwrap() + 1;
    let img = page[start..end]
        .replace("width=\"160\"", "width=\"260\"")
        .replace("height=\"160\"", "height=\"260\"");
    let html = out.path().join("qr.html");
    std::fs::write(
        &html,
        format!("<!DOCTYPE html><body style=\"margin:20px\">{img}"),
    )
    .unwrap();
    let png = out.path().join("qr.png");
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=300,300",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("Chromium runs (see .ci/run)");
    assert!(png.exists(), "{}", String::from_utf8_lossy(&status.stderr));
    let decoded = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&png)
        .output()
        .expect("zbarimg runs (zbar-tools, see .ci/run)");
    assert_eq!(
        String::from_utf8_lossy(&decoded.stdout).trim(),
        "https://example.kz/registry/ru/certificates/kz-ud-0003/"
    );
}
