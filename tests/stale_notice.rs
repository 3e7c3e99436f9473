//! A static page cannot know the reader's date: certificate pages carry a small script that
//! says so when the reader's date (in Asia/Almaty) is past the certificate's term, or when the
//! page is more than two days old. Driven in headless Chromium (see `tests/html_checks.rs`
//! for what it needs).

mod common;

use common::{build_served, temp_site_with_theme};
use tizilim::register::dates::{dotted, today_in_kazakhstan};

fn notice(url: &str) -> (bool, String) {
    let value = common::node("tests/browser/element.mjs", &[url, "#stale"]);
    (
        value["visible"].as_bool().unwrap(),
        value["text"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn certificate_pages_say_when_they_may_be_stale() {
    let root = temp_site_with_theme("valid-csv");
    let today = today_in_kazakhstan();

    // Built today: no notice for a certificate still in its term.
    let (_fresh, base) = build_served(root.path(), &today.to_string());
    let (visible, _) = notice(&format!("{base}/ru/certificates/tspk-002-2024/"));
    assert_eq!(
        visible,
        today > common::date("2027-09-16"),
        "fresh page, certificate valid until 2027-09-16"
    );

    // Built on 1 January 2025, read today.
    let (_old, base) = build_served(root.path(), "2025-01-01");
    // KZ-ҰД-0004 was valid then, and its term ended on 2026-10-02.
    let (visible, text) = notice(&format!("{base}/ru/certificates/kz-ud-0004/"));
    assert!(visible);
    assert_eq!(
        text,
        "Страница создана 01.01.2025; срок действия аттестата истёк 02.10.2026."
    );
    // ЦПК-002/2024 is valid until 2027-09-16: the page is only old.
    let (visible, text) = notice(&format!("{base}/certificates/tspk-002-2024/"));
    assert!(visible);
    if today <= common::date("2027-09-16") {
        assert!(
            text.starts_with(&format!(
                "Бұл бет {} күні жасалған және ескірген болуы мүмкін.",
                dotted(common::date("2025-01-01"))
            )),
            "{text}"
        );
    }
}
