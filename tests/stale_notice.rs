//! A static page cannot know the reader's date: certificate pages carry a small script that
//! says so when the reader's date (in Asia/Almaty) is past the certificate's term, or when the
//! page is more than two days old. Driven in headless Chromium with the reader's clock fixed
//! (see `tests/html_checks.rs` for what it needs).

mod common;

use common::{build_served, temp_site_with_theme};

/// Whether `#stale` shows on `url`, and its text, for a reader whose clock says `now`.
fn notice(url: &str, now: &str) -> (bool, String) {
    let value = common::node("tests/browser/element.mjs", &[url, "#stale", now]);
    (
        value["visible"].as_bool().unwrap(),
        value["text"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn certificate_pages_say_when_they_may_be_stale() {
    let root = temp_site_with_theme("valid-csv");
    // ЦПК-002/2024 is valid until 2027-09-16; KZ-ҰД-0004 until 2026-10-02.
    let (_fresh, base) = build_served(root.path(), "2026-03-10");
    let page = format!("{base}/ru/certificates/tspk-002-2024/");
    // Read the day it was built, and the next day: no notice.
    for now in ["2026-03-10T09:00:00+05:00", "2026-03-11T23:30:00+05:00"] {
        assert_eq!(notice(&page, now), (false, String::new()), "{now}");
    }
    // Late on the 12th UTC is already the 13th in Almaty: three days old.
    let (visible, text) = notice(&page, "2026-03-12T20:00:00Z");
    assert!(visible);
    assert!(
        text.starts_with("Страница создана 10.03.2026 и может быть устаревшей."),
        "{text}"
    );
    // Read after the term: the notice says the term has ended.
    let (visible, text) = notice(&page, "2027-09-17T10:00:00+05:00");
    assert!(visible);
    assert_eq!(
        text,
        "Страница создана 10.03.2026; срок действия аттестата истёк 16.09.2027."
    );

    // Built on 1 January 2025, read on 1 December 2026.
    let (_old, base) = build_served(root.path(), "2025-01-01");
    let now = "2026-12-01T12:00:00+05:00";
    let (visible, text) = notice(&format!("{base}/ru/certificates/kz-ud-0004/"), now);
    assert!(visible);
    assert_eq!(
        text,
        "Страница создана 01.01.2025; срок действия аттестата истёк 02.10.2026."
    );
    let (visible, text) = notice(&format!("{base}/certificates/tspk-002-2024/"), now);
    assert!(visible);
    assert!(
        text.starts_with("Бұл бет 01.01.2025 күні жасалған және ескірген болуы мүмкін."),
        "{text}"
    );
}
