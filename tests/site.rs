//! `tizilim build` on the sample site and on fixture sites: every page in every language,
//! statuses on a chosen date, complete lists and feeds, links that resolve (under a sub-path
//! too), escaping of hostile register values, theme overrides, and publishing that writes
//! only what changed and nothing at all when the register is invalid.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::{build, check_links, snapshot, temp_site_with_theme};
use tizilim::register::Status;

const LANGS: [&str; 3] = ["", "ru/", "en/"];

fn text(out: &Path, path: &str) -> String {
    fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(out: &Path, path: &str) -> serde_json::Value {
    serde_json::from_str(&text(out, path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sample_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_sample_site_has_every_page_in_every_language() {
    let out = tempfile::tempdir().unwrap();
    let report = build(sample_root(), out.path(), "2026-11-25", None);
    let registry = &report.site.checked.registry;
    let files = snapshot(out.path());
    for lang in LANGS {
        for page in [
            "",
            "centers/",
            "centers/page/2/",
            "regions/",
            "professions/",
            "changes/",
            "search/",
            "about/",
        ] {
            assert!(
                files.contains_key(&format!("{lang}{page}index.html")),
                "{lang}{page}"
            );
        }
        for center in &registry.centers {
            assert!(files.contains_key(&format!("{lang}centers/{}/index.html", center.bin)));
        }
        for certificate in &registry.certificates {
            assert!(files.contains_key(&format!(
                "{lang}certificates/{}/index.html",
                certificate.slug
            )));
            // Its QR code is in the page, an image of its own permanent URL.
            let page = String::from_utf8_lossy(
                &files[&format!("{lang}certificates/{}/index.html", certificate.slug)],
            )
            .into_owned();
            assert!(
                page.contains("<img src=\"data:image/svg+xml,%3Csvg%20xmlns="),
                "{lang}certificates/{}",
                certificate.slug
            );
        }
        for region in &registry.regions {
            assert!(files.contains_key(&format!("{lang}regions/{}/index.html", region.code)));
        }
        for status in Status::ALL {
            assert!(files.contains_key(&format!("{lang}status/{status}/index.html")));
        }
        assert!(files.contains_key(&format!("{lang}atom.xml")));
    }
    for center in &registry.centers {
        let api = json(out.path(), &format!("api/centers/{}.json", center.bin));
        assert_eq!(api["bin"], center.bin.as_str());
        assert_eq!(api["as_of"], "2026-11-25");
    }
    for path in [
        "data/register.json",
        "data/centers.csv",
        "data/certificates.csv",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "style.css",
        "status.js",
    ] {
        assert!(files.contains_key(path), "{path}");
    }
    // The language of each page, and alternates that stay on the same record.
    let ru = text(out.path(), "ru/centers/100840734991/index.html");
    assert!(ru.contains("<html lang=\"ru\">"));
    assert!(ru.contains("<link rel=\"alternate\" hreflang=\"kk\" href=\"http://127.0.0.1:1111/centers/100840734991/\">"));
    assert!(ru
        .contains("<a href=\"/en/centers/100840734991/\" hreflang=\"en\" lang=\"en\">English</a>"));
    assert!(ru.contains("ТОО «Центр признания профессиональных квалификаций «Алатау»»"));
    let kk = text(out.path(), "centers/100840734991/index.html");
    assert!(kk.contains("<h1>«Алатау кәсіби біліктілікті тану орталығы» ЖШС</h1>"));
}

#[test]
fn lists_feeds_and_sitemap_are_complete() {
    let out = tempfile::tempdir().unwrap();
    let report = build(sample_root(), out.path(), "2026-11-25", None);
    let registry = &report.site.checked.registry;
    let as_of = common::date("2026-11-25");
    // A–Z pages together list every center once.
    let mut listed = Vec::new();
    for page in ["centers/index.html", "centers/page/2/index.html"] {
        let html = text(out.path(), page);
        listed.extend(
            registry
                .centers
                .iter()
                .filter(|c| html.contains(&format!("href=\"/centers/{}/\"", c.bin)))
                .map(|c| c.bin.to_string()),
        );
    }
    assert_eq!(listed.len(), registry.centers.len());
    assert_eq!(
        listed.iter().collect::<BTreeSet<_>>().len(),
        registry.centers.len()
    );
    assert!(!out.path().join("centers/page/3").exists());
    // Status lists hold exactly the centers with that status.
    for status in Status::ALL {
        let html = text(out.path(), &format!("en/status/{status}/index.html"));
        for (id, center) in registry.centers.iter().enumerate() {
            let expected = registry.center_status(id, as_of).0 == status;
            assert_eq!(
                html.contains(&format!("href=\"/en/centers/{}/\"", center.bin)),
                expected,
                "{status} {}",
                center.bin
            );
        }
    }
    // The feed has every change up to the build date (fewer than its limit of 100).
    let changes = registry
        .all_transitions()
        .into_iter()
        .filter(|t| t.date <= as_of)
        .count();
    let atom = text(out.path(), "ru/atom.xml");
    assert_eq!(atom.matches("<entry>").count(), changes);
    // The change list has every one, newest first: fewer than two blocks of 50, all on the
    // first page (the history's pages are tested on a larger register below).
    let rows = |page: &str| {
        text(out.path(), page)
            .matches("<tr><td class=\"nowrap\">")
            .count()
    };
    assert!(changes > 50 && changes < 100, "{changes}");
    assert_eq!(rows("changes/index.html"), changes);
    assert!(!out.path().join("changes/page").exists());
    // The sitemap has every HTML page but the 404 page.
    let sitemap = text(out.path(), "sitemap.xml");
    let pages = snapshot(out.path())
        .keys()
        .filter(|p| p.ends_with(".html") && !p.ends_with("404.html"))
        .count();
    assert_eq!(sitemap.matches("<loc>").count(), pages);
    assert!(sitemap.contains("<loc>http://127.0.0.1:1111/en/certificates/tspk-2024-020/</loc>"));
    assert!(text(out.path(), "robots.txt").contains("Sitemap: http://127.0.0.1:1111/sitemap.xml"));
}

/// Renders `root` in memory as of 2026-11-25 with at most `limit` URLs a sitemap file; returns
/// the files and a reader of one as text.
fn render_with_sitemap_limit(
    root: &Path,
    limit: usize,
) -> (tizilim::site::Rendered, impl Fn(&str) -> String) {
    let rendered = tizilim::site::render(
        root,
        &tizilim::site::BuildOptions {
            as_of: Some(common::date("2026-11-25")),
            sitemap_limit: Some(limit),
            ..Default::default()
        },
    )
    .unwrap();
    let files = rendered.files.clone();
    let file = move |path: &str| String::from_utf8(files.get(path).unwrap().to_vec()).unwrap();
    (rendered, file)
}

/// Past the protocol's limit of URLs a file (lowered here), `sitemap.xml` is an index of
/// parts that together list every page once.
#[test]
fn a_large_sitemap_is_split_into_an_index_and_parts() {
    let (rendered, file) = render_with_sitemap_limit(sample_root(), 400);
    let index = file("sitemap.xml");
    assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    let pages = rendered
        .files
        .paths()
        .filter(|p| p.ends_with(".html") && !p.ends_with("404.html"))
        .count();
    let parts = pages.div_ceil(400);
    assert!(parts >= 2, "{pages}");
    assert_eq!(index.matches("<sitemap><loc>").count(), parts);
    let mut listed = BTreeSet::new();
    for n in 1..=parts {
        assert!(index.contains(&format!("<loc>http://127.0.0.1:1111/sitemap-{n}.xml</loc>")));
        let part = file(&format!("sitemap-{n}.xml"));
        assert!(part.matches("<loc>").count() <= 400);
        for loc in part.split("<loc>").skip(1) {
            assert!(listed.insert(loc.split("</loc>").next().unwrap().to_owned()));
        }
    }
    assert_eq!(listed.len(), pages);
    assert!(rendered
        .files
        .get(&format!("sitemap-{}.xml", parts + 1))
        .is_none());
}

#[test]
fn a_theme_without_sitemap_or_robots_templates_gets_the_built_in_ones() {
    // A theme copied before `sitemap_index.xml` existed must still build a large site.
    let root = temp_site_with_theme("valid-csv");
    let templates = root.path().join("themes/default/templates");
    for name in ["sitemap.xml", "sitemap_index.xml", "robots.txt"] {
        fs::remove_file(templates.join(name)).unwrap();
    }
    let (_, file) = render_with_sitemap_limit(root.path(), 10);
    assert!(file("sitemap.xml")
        .contains("<sitemap><loc>https://example.kz/registry/sitemap-2.xml</loc>"));
    assert!(file("sitemap-1.xml").contains("<urlset"));
    assert!(file("robots.txt").contains("Sitemap: https://example.kz/registry/sitemap.xml"));
}

#[test]
fn statuses_show_as_of_the_chosen_date() {
    let root = temp_site_with_theme("valid-csv");
    let cases = [
        ("2025-01-10", "kz-ud-0003", Status::Revoked),
        ("2025-02-20", "kz-ud-0003", Status::Valid),
        ("2027-03-01", "kz-ud-0003", Status::Expired),
        ("2024-09-15", "tspk-001-2023", Status::Valid),
        ("2024-09-16", "tspk-001-2023", Status::Reissued),
        ("2026-03-01", "ir-6", Status::Terminated),
        ("2026-11-25", "ir-7", Status::NotYetValid),
    ];
    for (as_of, slug, status) in cases {
        let out = tempfile::tempdir().unwrap();
        build(root.path(), out.path(), as_of, None);
        let page = text(out.path(), &format!("ru/certificates/{slug}/index.html"));
        assert!(
            page.contains(&format!("data-status=\"{status}\"")),
            "{slug} on {as_of}"
        );
        assert!(
            page.contains(&format!(
                "<p class=\"big-status\"><span class=\"status status-{status}\">"
            )),
            "{slug} on {as_of}"
        );
        let api = json(out.path(), &format!("api/certificates/{slug}.json"));
        assert_eq!(api["status"], status.as_str());
        assert_eq!(api["as_of"], as_of);
        let register = json(out.path(), "data/register.json");
        assert_eq!(register["as_of"], as_of);
    }
}

#[test]
fn links_resolve_at_the_root_and_under_a_sub_path() {
    let out = tempfile::tempdir().unwrap();
    build(sample_root(), out.path(), "2026-11-25", None);
    assert!(check_links(out.path(), "/") > 10_000);
    let sub = tempfile::tempdir().unwrap();
    build(
        sample_root(),
        sub.path(),
        "2026-11-25",
        Some("https://example.kz/registry/"),
    );
    assert!(check_links(sub.path(), "/registry/") > 10_000);
    let page = text(sub.path(), "certificates/tspk-2024-020/index.html");
    assert!(page.contains(
        "<link rel=\"canonical\" href=\"https://example.kz/registry/certificates/tspk-2024-020/\">"
    ));
    assert!(page.contains("href=\"/registry/style.css?h="));
    assert!(text(sub.path(), "atom.xml").contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://example.kz/registry/certificates/"));
}

#[test]
fn hostile_register_values_appear_only_escaped() {
    let root = temp_site_with_theme("xss");
    let out = tempfile::tempdir().unwrap();
    build(
        root.path(),
        out.path(),
        "2026-11-25",
        Some("https://example.kz/registry/"),
    );
    let files = snapshot(out.path());
    let mut html_pages = 0;
    for (path, bytes) in &files {
        let content = String::from_utf8_lossy(bytes);
        if path.ends_with(".html") {
            html_pages += 1;
            for raw in [
                "<script>alert",
                "<img src=x",
                "<svg onload",
                "<b>ПАД",
                "<i>",
                "<!--",
            ] {
                assert!(!content.contains(raw), "{path} holds {raw:?} unescaped");
            }
            // Every <script> is ours (JSON-LD, the verification page's data, our scripts), each
            // closed once, and data inside them holds no `<` at all.
            assert_eq!(
                content.matches("<script").count(),
                content.matches("</script>").count(),
                "{path}"
            );
            for (at, _) in content.match_indices("<script") {
                let element = &content[at..];
                let ours = [
                    "<script type=\"application/ld+json\">",
                    "<script type=\"application/json\" id=\"timeline\">",
                    "<script type=\"application/json\" id=\"search-strings\">",
                    "<script src=\"/registry/search.js?h=",
                    "<script type=\"application/json\" id=\"verify-strings\">",
                    "<script type=\"application/json\" id=\"verify-professions\">",
                    "<script src=\"/registry/status.js?h=",
                    "<script src=\"/registry/verify.js?h=",
                ];
                assert!(
                    ours.iter().any(|o| element.starts_with(o)),
                    "{path}: {}",
                    &element[..60.min(element.len())]
                );
                if element.starts_with("<script type=") {
                    let body_start = element.find('>').unwrap() + 1;
                    let body = &element[body_start..element.find("</script>").unwrap()];
                    assert!(!body.contains('<'), "{path}: {body}");
                }
            }
        }
        if path.ends_with(".xml") {
            assert!(!content.contains("<script>alert"), "{path}");
        }
    }
    assert!(html_pages > 50);
    let center = text(out.path(), "en/centers/190540001230/index.html");
    assert!(center.contains("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(
        center.contains("href=\"https://adilet-qc.kz/?a=1&amp;b=%3Ci%3E\""),
        "{center}"
    );
    assert!(center.contains(">https://adilet-qc.kz/?a=1&amp;b=&lt;i&gt;</a>"));
    // JSON-LD: the hostile name survives as data, without closing the element.
    let ld_start = center
        .find("<script type=\"application/ld+json\">")
        .unwrap()
        + 35;
    let ld_end = ld_start + center[ld_start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&center[ld_start..ld_end]).unwrap();
    assert_eq!(ld["name"], "</script><script>alert(2)</script>");
    // The timeline in the page is the one the register core derives.
    let tag = "<script type=\"application/json\" id=\"timeline\">";
    let tl_start = center.find(tag).unwrap() + tag.len();
    let tl_end = tl_start + center[tl_start..].find("</script>").unwrap();
    let timeline: serde_json::Value = serde_json::from_str(&center[tl_start..tl_end]).unwrap();
    assert_eq!(
        timeline[1],
        serde_json::json!({ "from": "2023-12-04", "to": "2024-09-15", "status": "valid", "certificate": "№ ЦПК-001/2023" })
    );
    // JSON keeps the values exactly; CSV neutralises formulas.
    let api = json(out.path(), "api/centers/190540001230.json");
    assert_eq!(api["name"]["kk"], "<script>alert(1)</script> орталығы");
    assert_eq!(api["city"], "=HYPERLINK(\"http://evil.example\")");
    let csv = text(out.path(), "data/centers.csv");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{csv}"
    );
    assert!(csv.contains("'@SUM(1+1)"));
    assert!(csv.contains("'+7 (7172) 55-12-34"));
    assert!(csv.contains("'-2+3 орталығы"));
    let certificates = text(out.path(), "data/certificates.csv");
    assert!(!certificates
        .lines()
        .any(|l| l.starts_with('=') || l.contains(",=")));
}

#[test]
fn site_templates_and_static_files_override_the_theme() {
    let root = temp_site_with_theme("valid-csv");
    common::copy_tree(&common::fixture("overrides"), root.path());
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path(), "2026-11-25", None);
    assert!(text(out.path(), "404.html").contains("class=\"site-override\""));
    assert_eq!(
        text(out.path(), "style.css"),
        fs::read_to_string(common::fixture("overrides/static/style.css")).unwrap()
    );
    assert_eq!(text(out.path(), "logo.txt"), "Тізілім\n");
    // Other templates still come from the theme, and name the overriding stylesheet's hash.
    let home = text(out.path(), "index.html");
    assert!(home.contains("<form class=\"search-box\""));
    let hash = tizilim::site::render::content_hash(
        &fs::read(common::fixture("overrides/static/style.css")).unwrap(),
    );
    assert!(home.contains(&format!("/style.css?h={hash}")));
}

#[test]
fn a_second_build_writes_nothing_and_one_change_rewrites_only_what_shows_it() {
    let root = temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    let first = build(root.path(), out.path(), "2026-11-25", None);
    assert_eq!(first.published.written.len(), first.published.files);
    assert_eq!(first.published.skipped, 0);
    let second = build(root.path(), out.path(), "2026-11-25", None);
    assert!(
        second.published.written.is_empty(),
        "{:?}",
        second.published.written
    );
    // Nothing changed: nothing is even rendered.
    assert_eq!(second.published.skipped, first.published.files);
    assert_eq!(second.published.files, first.published.files);

    // New grounds for one revocation: shown on the certificate and its center, in the change
    // lists and feeds, and in the data that carries history.
    let events = root.path().join("data/events.csv");
    let before = fs::read_to_string(&events).unwrap();
    fs::write(
        &events,
        before.replace(
            "Отзыв по заявлению центра",
            "Отзыв по заявлению центра от 30.05.2025",
        ),
    )
    .unwrap();
    let third = build(root.path(), out.path(), "2026-11-25", None);
    let written: BTreeSet<&str> = third.published.written.iter().map(String::as_str).collect();
    let mut expected = BTreeSet::new();
    for lang in LANGS {
        for page in [
            "index.html",
            "changes/index.html",
            "atom.xml",
            "certificates/qb-5/index.html",
            "centers/150340007897/index.html",
        ] {
            expected.insert(format!("{lang}{page}"));
        }
    }
    expected.insert("data/register.json".to_owned());
    expected.insert("api/certificates/qb-5.json".to_owned());
    assert_eq!(written, expected.iter().map(String::as_str).collect());
    assert!(third.published.removed.is_empty());
    // The pages of every other center were not rendered again (their fingerprints held).
    let manifest = fs::read_to_string(out.path().join(".tizilim-published")).unwrap();
    let fingerprinted = manifest.lines().filter(|l| l.contains('\t')).count();
    assert!(
        third.published.skipped > fingerprinted / 2,
        "{} of {fingerprinted}",
        third.published.skipped
    );
    assert_eq!(
        third.published.skipped + third.published.unchanged + third.published.written.len(),
        first.published.files
    );
}

#[test]
fn an_invalid_register_leaves_the_output_exactly_as_it_was() {
    let root = temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path(), "2026-11-25", None);
    let before = snapshot(out.path());
    let certificates = root.path().join("data/certificates.csv");
    let good = fs::read_to_string(&certificates).unwrap();
    fs::write(&certificates, good.replace("2024-02-29", "2024-02-30")).unwrap();
    let result = tizilim::site::build(
        root.path(),
        out.path(),
        &tizilim::site::BuildOptions {
            base_url: None,
            as_of: Some(common::date("2026-11-25")),
            ..Default::default()
        },
    );
    assert!(matches!(
        result,
        Err(tizilim::site::BuildError::Site(tizilim::Error::Register(_)))
    ));
    assert_eq!(snapshot(out.path()), before);
    // The same through the binary: exit 1, the error, and a word that nothing was published.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tizilim"))
        .args([
            "build",
            "--root",
            root.path().to_str().unwrap(),
            "--output-dir",
            out.path().to_str().unwrap(),
            "--as-of",
            "2026-11-25",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("data/certificates.csv:4: issued_on: `2024-02-30` is not a date"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was published"), "{stderr}");
    assert_eq!(snapshot(out.path()), before);
    // A first build that fails does not even make the output folder.
    let never = out.path().join("never");
    assert!(tizilim::site::build(root.path(), &never, &Default::default()).is_err());
    assert!(!never.exists());
}

/// A template that fails on one record only (here: a center page that needs a phone number)
/// stops the build after much was rendered and staged: none of it is published.
#[test]
fn a_template_failing_midway_publishes_nothing() {
    let root = temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path(), "2026-11-25", None);
    let before = snapshot(out.path());
    let template = root.path().join("themes/default/templates/center.html");
    let text = fs::read_to_string(&template).unwrap();
    fs::write(
        &template,
        text.replacen(
            "{% block content %}",
            "{% block content %}{{ center.phone | upper }}",
            1,
        ),
    )
    .unwrap();
    let result = tizilim::site::build(
        root.path(),
        out.path(),
        &tizilim::site::BuildOptions {
            as_of: Some(common::date("2026-11-25")),
            ..Default::default()
        },
    );
    let error = result.expect_err("a center without a phone").to_string();
    assert!(error.contains("center.html"), "{error}");
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn the_binary_builds_and_says_what_it_did() {
    let root = temp_site_with_theme("valid-json");
    let out = tempfile::tempdir().unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tizilim"))
            .args([
                "build",
                "--root",
                root.path().to_str().unwrap(),
                "--output-dir",
                out.path().to_str().unwrap(),
                "--as-of",
                "25.11.2026",
            ])
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let summary = String::from_utf8(first.stdout).unwrap();
    assert!(
        summary.starts_with("built 4 centers, 7 certificates as of 2026-11-25: "),
        "{summary}"
    );
    assert!(
        summary.contains(" 0 unchanged, 0 not re-rendered, 0 removed)"),
        "{summary}"
    );
    let second = String::from_utf8(run().stdout).unwrap();
    assert!(second.contains("(0 written, "), "{second}");
}

#[test]
fn rendering_reports_its_progress() {
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let heard = calls.clone();
    let options = tizilim::site::BuildOptions {
        as_of: Some(common::date("2026-11-25")),
        progress: tizilim::site::Progress::new(move |done, total| {
            heard.lock().unwrap().push((done, total))
        }),
        ..Default::default()
    };
    let rendered = tizilim::site::render(sample_root(), &options).unwrap();
    let registry = &rendered.site.checked.registry;
    let total = (registry.centers.len() + registry.certificates.len()) * 3;
    let calls = calls.lock().unwrap();
    assert_eq!(calls.last(), Some(&(total, total)));
    assert!(calls.len() >= 50, "{}", calls.len());
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 == total));
}

/// Builds `root` afresh as of `as_of` and returns the files that the published `out` has
/// stale, missing or extra (tizilim's bookkeeping aside).
/// A build in verification mode (`TIZILIM_VERIFY_KEPT`): every file rendered, and each that
/// the fingerprints would keep compared with the published one.
fn verify_kept(root: &Path, out: &Path, as_of: &str) -> Result<(), tizilim::site::BuildError> {
    let options = tizilim::site::BuildOptions {
        as_of: Some(common::date(as_of)),
        verify_kept: true,
        ..Default::default()
    };
    tizilim::site::build(root, out, &options).map(|_| ())
}

/// A published page changed by hand, where the manifest still names its fingerprint: a build
/// keeps it, and a build in verification mode fails naming it, publishing nothing.
#[test]
fn verification_mode_finds_a_kept_page_that_would_render_otherwise() {
    let root = temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path(), "2026-11-25", None);
    verify_kept(root.path(), out.path(), "2026-11-25").unwrap();
    let page = out.path().join("ru/certificates/qb-5/index.html");
    let tampered = fs::read_to_string(&page).unwrap().replace("QB/5", "QB/6");
    fs::write(&page, &tampered).unwrap();
    let report = build(root.path(), out.path(), "2026-11-25", None);
    assert!(
        report.published.written.is_empty(),
        "kept by its fingerprint"
    );
    let error = verify_kept(root.path(), out.path(), "2026-11-25").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("ru/certificates/qb-5/index.html"),
        "{error}"
    );
    assert_eq!(
        fs::read_to_string(&page).unwrap(),
        tampered,
        "nothing published"
    );
}

fn differs_from_a_fresh_build(root: &Path, out: &Path, as_of: &str) -> Vec<String> {
    let fresh = tempfile::tempdir().unwrap();
    build(root, fresh.path(), as_of, None);
    let (mut incremental, mut expected) = (snapshot(out), snapshot(fresh.path()));
    for files in [&mut incremental, &mut expected] {
        files.retain(|path, _| !path.starts_with(".tizilim"));
    }
    let mut differing: BTreeSet<String> = expected
        .iter()
        .filter(|(path, bytes)| incremental.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .collect();
    differing.extend(
        incremental
            .keys()
            .filter(|path| !expected.contains_key(*path))
            .cloned(),
    );
    differing.into_iter().collect()
}

/// Rebuilding over a published site skips every page whose fingerprint is unchanged; after
/// any kind of change it must publish exactly what a fresh build publishes.
#[test]
fn an_incremental_build_publishes_exactly_what_a_fresh_build_does() {
    incremental_builds_match_fresh_builds(None);
}

/// The same for the watcher's builds, which keep tables, open-data records and the manifest
/// in memory from one build to the next (and must notice a build by another process).
#[test]
fn a_build_with_what_the_last_one_kept_publishes_exactly_what_a_fresh_build_does() {
    incremental_builds_match_fresh_builds(Some(Default::default()));
}

fn incremental_builds_match_fresh_builds(
    retained: Option<std::sync::Arc<tizilim::retained::Retained>>,
) {
    let root = temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    let build = |root: &Path, out: &Path, as_of: &str, _: Option<&str>| {
        let options = tizilim::site::BuildOptions {
            as_of: Some(common::date(as_of)),
            retained: retained.clone(),
            ..Default::default()
        };
        tizilim::site::build(root, out, &options).unwrap()
    };
    build(root.path(), out.path(), "2026-11-25", None);
    let edit = |file: &str, from: &str, to: &str| {
        let path = root.path().join(file);
        let before = fs::read_to_string(&path).unwrap();
        assert!(before.contains(from), "{file}: {from}");
        fs::write(&path, before.replacen(from, to, 1)).unwrap();
    };
    let append_event = |line: &str| {
        let path = root.path().join("data/events.csv");
        let mut events = fs::read_to_string(&path).unwrap();
        events.push_str(line);
        fs::write(&path, events).unwrap();
    };
    type Change<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let changes: Vec<Change> = vec![
        (
            "a profession's name (shown by every center that covers it)",
            Box::new(|| {
                edit(
                    "data/professions.csv",
                    "Электрогазосварщик",
                    "Электрогазосварщик (ручная сварка)",
                )
            }),
        ),
        (
            "a region's name",
            Box::new(|| {
                edit(
                    "data/regions.csv",
                    "astana;Астана;Астана;Astana",
                    "astana;Астана;Нур-Султан → Астана;Astana",
                )
            }),
        ),
        (
            "a new status event",
            Box::new(|| append_event("QB/5,2025-09-01,resumed,,Нарушения устранены,,\n")),
        ),
        (
            "a revocation (a center's status today changes)",
            Box::new(|| append_event("ЦПК-002/2024,2026-11-01,revoked,,Проверка,,\n")),
        ),
        (
            "a center's address",
            Box::new(|| {
                edit(
                    "data/centers.csv",
                    "Қабанбай батыр даңғылы, 11",
                    "Қабанбай батыр даңғылы, 13",
                )
            }),
        ),
        (
            "a new center (a page more in every language and in the sitemap)",
            Box::new(|| {
                let path = root.path().join("data/centers.csv");
                let mut centers = fs::read_to_string(&path).unwrap();
                centers.push_str("100840734991;Жаңа орталық;Новый центр;;astana;;;;;;;\r\n");
                fs::write(&path, centers).unwrap();
            }),
        ),
        (
            "the new center removed again (its files leave the site, and the last files of \
             the manifest move into their places)",
            Box::new(|| {
                edit(
                    "data/centers.csv",
                    "100840734991;Жаңа орталық;Новый центр;;astana;;;;;;;\r\n",
                    "",
                )
            }),
        ),
        (
            "a re-issue by another center",
            Box::new(|| {
                edit(
                    "data/certificates.csv",
                    "ЦПК-002/2024,190540001230,",
                    "ЦПК-002/2024,211140004567,",
                )
            }),
        ),
        (
            "the successor's issue date (its predecessor, at another center, is re-issued then)",
            Box::new(|| {
                edit(
                    "data/certificates.csv",
                    "ЦПК-002/2024,211140004567,16.09.2024",
                    "ЦПК-002/2024,211140004567,2026-10-20",
                )
            }),
        ),
        (
            "a string of the theme",
            Box::new(|| {
                edit(
                    "themes/default/i18n/ru.toml",
                    "status_valid = \"Действует\"",
                    "status_valid = \"Действителен\"",
                )
            }),
        ),
        (
            "a template",
            Box::new(|| {
                edit(
                    "themes/default/templates/certificate.html",
                    "{% block content %}",
                    "{% block content %}<!-- v2 -->",
                )
            }),
        ),
    ];
    for (what, change) in &changes {
        change();
        let report = build(root.path(), out.path(), "2026-11-25", None);
        let differing = differs_from_a_fresh_build(root.path(), out.path(), "2026-11-25");
        assert!(differing.is_empty(), "after {what}: {differing:?}");
        // Verification mode: everything the fingerprints keep now renders to the published
        // bytes.
        verify_kept(root.path(), out.path(), "2026-11-25")
            .unwrap_or_else(|e| panic!("after {what}: {e}"));
        assert!(
            !report.published.written.is_empty(),
            "{what} changed nothing"
        );
    }
    // A new day re-renders what shows the date, and still matches a fresh build.
    build(root.path(), out.path(), "2026-11-26", None);
    let differing = differs_from_a_fresh_build(root.path(), out.path(), "2026-11-26");
    assert!(differing.is_empty(), "a new day: {differing:?}");
    // Another process publishes in between (a build by hand): what was kept is not trusted.
    edit(
        "data/centers.csv",
        "Қабанбай батыр даңғылы, 13",
        "Қабанбай батыр даңғылы, 15",
    );
    common::build(root.path(), out.path(), "2026-11-26", None);
    edit(
        "data/centers.csv",
        "Қабанбай батыр даңғылы, 15",
        "Қабанбай батыр даңғылы, 13",
    );
    build(root.path(), out.path(), "2026-11-26", None);
    let differing = differs_from_a_fresh_build(root.path(), out.path(), "2026-11-26");
    assert!(differing.is_empty(), "after a build by hand: {differing:?}");
    // A table's file changes back to what it was two builds ago.
    edit(
        "data/events.csv",
        "QB/5,2025-09-01,resumed",
        "QB/5,2025-09-02,resumed",
    );
    build(root.path(), out.path(), "2026-11-26", None);
    edit(
        "data/events.csv",
        "QB/5,2025-09-02,resumed",
        "QB/5,2025-09-01,resumed",
    );
    build(root.path(), out.path(), "2026-11-26", None);
    let differing = differs_from_a_fresh_build(root.path(), out.path(), "2026-11-26");
    assert!(differing.is_empty(), "after a change undone: {differing:?}");
    // A watcher started on a published site: its first build writes nothing (but fills what
    // it keeps), and the next one, after a change, is still what a fresh build publishes.
    if retained.is_some() {
        let started = tizilim::site::BuildOptions {
            as_of: Some(common::date("2026-11-26")),
            retained: Some(Default::default()),
            ..Default::default()
        };
        let report = tizilim::site::build(root.path(), out.path(), &started).unwrap();
        assert!(
            report.published.written.is_empty(),
            "{:?}",
            report.published
        );
        assert_eq!(report.published.skipped, report.published.files);
        edit(
            "data/events.csv",
            "QB/5,2025-09-01,resumed",
            "QB/5,2025-09-03,resumed",
        );
        tizilim::site::build(root.path(), out.path(), &started).unwrap();
        let differing = differs_from_a_fresh_build(root.path(), out.path(), "2026-11-26");
        assert!(
            differing.is_empty(),
            "after a watcher's start: {differing:?}"
        );
    }
}

/// The same on the sample site, whose lists run to several pages: a new event goes on top of
/// the change list; a center's new name moves it in A–Z and every entry after it.
#[test]
fn an_incremental_build_of_paginated_lists_matches_a_fresh_build() {
    let root = tempfile::tempdir().unwrap();
    for dir in ["data", "content", "themes"] {
        common::copy_tree(&sample_root().join(dir), &root.path().join(dir));
    }
    fs::copy(
        sample_root().join("config.toml"),
        root.path().join("config.toml"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path(), "2026-11-25", None);
    assert!(out.path().join("centers/page/2/index.html").exists());
    let events = root.path().join("data/events.csv");
    let mut text = fs::read_to_string(&events).unwrap();
    text.push_str("ЦПК-2024/051,2026-10-01,resumed,Бұзушылықтар жойылды,Нарушения устранены,Violations remedied,Приказ № 300-п\n");
    fs::write(&events, text).unwrap();
    let centers = root.path().join("data/centers.csv");
    let text = fs::read_to_string(&centers).unwrap();
    let renamed = text.replacen(";«Алатау кәсіби", ";«Ұлытау кәсіби", 1);
    assert_ne!(renamed, text);
    fs::write(&centers, renamed).unwrap();
    let report = build(root.path(), out.path(), "2026-11-25", None);
    assert!(report.published.skipped > 0);
    let differing = differs_from_a_fresh_build(root.path(), out.path(), "2026-11-25");
    assert!(differing.is_empty(), "{differing:?}");
}

/// The rows of a change list page, as (date, certificate link) pairs, in page order.
fn change_rows(html: &str) -> Vec<String> {
    html.split("<tr><td class=\"nowrap\">")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap().to_owned())
        .collect()
}

fn link_to(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("\" rel=\"{rel}\">"))?;
    let start = html[..at].rfind("href=\"")? + 6;
    Some(html[start..at].to_owned())
}

/// The change history of a larger register: every change once, newest first, following the
/// "older" links from the first page; pages are blocks of 50 counted from the oldest, so a new
/// change rewrites the first page and not the history behind it.
#[test]
fn the_change_history_keeps_its_pages_when_a_change_is_added() {
    let root = common::synthetic_site(150, 7);
    let data = root.path().join("data");
    let out = tempfile::tempdir().unwrap();
    let as_of = "2026-11-25";
    let report = build(root.path(), out.path(), as_of, None);
    let registry = &report.site.checked.registry;
    let count = |registry: &tizilim::register::Registry| {
        registry
            .all_transitions()
            .into_iter()
            .filter(|t| t.date <= common::date(as_of))
            .count()
    };
    let total = count(registry);
    assert!(total > 200, "{total}");

    // Walks the history from the first page; returns (path, rows) of each page.
    let walk = |out: &Path| -> Vec<(String, Vec<String>)> {
        let mut pages = Vec::new();
        let mut path = "changes/".to_owned();
        loop {
            let html = text(out, &format!("{path}index.html"));
            let rows = change_rows(&html);
            let older = link_to(&html, "next");
            pages.push((path.clone(), rows));
            match older {
                Some(url) => path = url.trim_start_matches("/registry/").to_owned(),
                None => break,
            }
            assert!(pages.len() < 100, "the older links go round");
        }
        pages
    };
    let pages = walk(out.path());
    let all: Vec<&String> = pages.iter().flat_map(|(_, rows)| rows).collect();
    assert_eq!(all.len(), total);
    let dates: Vec<&str> = all.iter().map(|r| &r[16..26]).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let (front, archive) = pages.split_first().unwrap();
    assert!((50..100).contains(&front.1.len()), "{}", front.1.len());
    // Archive pages are blocks of 50, numbered from the oldest, and link back.
    for (i, (path, rows)) in archive.iter().enumerate() {
        let k = archive.len() - i;
        assert_eq!(path, &format!("changes/page/{k}/"));
        assert_eq!(rows.len(), 50, "{path}");
        let html = text(out.path(), &format!("{path}index.html"));
        let newer = link_to(&html, "prev").unwrap();
        let expected = if i == 0 {
            "changes/".to_owned()
        } else {
            archive[i - 1].0.clone()
        };
        assert_eq!(newer, format!("/registry/{expected}"));
        // The latest and the earliest changes are a link away wherever they are not next.
        let pager = html.split("<nav class=\"pager\"").nth(1).unwrap();
        let pager = pager.split("</nav>").next().unwrap();
        let latest = pager.contains("href=\"/registry/changes/\">");
        assert_eq!(latest, i > 0, "{path}");
        let earliest = pager.contains("href=\"/registry/changes/page/1/\">");
        assert_eq!(earliest, k > 2, "{path}");
    }
    assert_eq!(total, front.1.len() + 50 * archive.len());

    // A new revocation today: the first page changes; the archive pages are not rewritten,
    // and the site is what a fresh build makes.
    let valid = (0..registry.certificates.len())
        .find(|&id| registry.certificate_status(id, common::date(as_of)) == Status::Valid)
        .unwrap();
    let number = &registry.certificates[valid].number;
    let events = data.join("events.csv");
    let mut text_of_events = fs::read_to_string(&events).unwrap();
    text_of_events.push_str(&format!(
        "{number},{as_of},revoked,Тексеру,Проверка,Inspection,\n"
    ));
    fs::write(&events, text_of_events).unwrap();
    let report = build(root.path(), out.path(), as_of, None);
    assert_eq!(count(&report.site.checked.registry), total + 1);
    let rewritten: Vec<&String> = report
        .published
        .written
        .iter()
        .filter(|p| p.contains("changes/page/"))
        .collect();
    assert!(rewritten.is_empty(), "{rewritten:?}");
    let after = walk(out.path());
    assert_eq!(after.len(), pages.len());
    assert_eq!(after[0].1.len(), front.1.len() + 1);
    assert!(after[0].1[0].contains(number), "{}", after[0].1[0]);
    let differing = differs_from_a_fresh_build(root.path(), out.path(), as_of);
    assert!(differing.is_empty(), "{differing:?}");
}

/// The benchmark's comparable mode builds the pages of its Hugo + Pagefind site (home, the
/// A–Z list, a page per center, search) exactly as a whole build does, and nothing else.
#[test]
fn the_comparable_mode_builds_only_the_benchmarks_pages_and_each_as_a_whole_build_does() {
    let build_into = |out: &Path, extra: &[&str]| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_tizilim"))
            .args(["build", "--root", sample_root().to_str().unwrap()])
            .args([
                "--output-dir",
                out.to_str().unwrap(),
                "--as-of",
                "2026-11-25",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    };
    let (whole, comparable) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build_into(whole.path(), &[]);
    build_into(comparable.path(), &["--comparable"]);
    let whole = snapshot(whole.path());
    let comparable = snapshot(comparable.path());
    let registry = tizilim::read_site(sample_root()).unwrap().checked.registry;

    let bookkeeping = |p: &str| p.starts_with(".tizilim");
    for (path, bytes) in comparable.iter().filter(|(p, _)| !bookkeeping(p)) {
        // The sitemap lists only the pages built; every other file is the whole build's.
        if !path.ends_with("sitemap.xml") {
            assert!(whole.get(path) == Some(bytes), "{path} differs");
        }
    }
    for lang in ["", "ru/", "en/"] {
        for page in [
            "index.html",
            "centers/index.html",
            "search/index.html",
            "404.html",
        ] {
            assert!(
                comparable.contains_key(&format!("{lang}{page}")),
                "{lang}{page}"
            );
        }
        for center in &registry.centers {
            let page = format!("{lang}centers/{}/index.html", center.bin);
            assert!(comparable.contains_key(&page), "{page}");
        }
        for left_out in [
            "certificates/",
            "regions/",
            "professions/",
            "status/",
            "changes/",
            "verify/",
            "atom.xml",
        ] {
            let prefix = format!("{lang}{left_out}");
            assert!(whole.keys().any(|p| p.starts_with(&prefix)), "{prefix}");
            assert!(
                !comparable.keys().any(|p| p.starts_with(&prefix)),
                "{prefix}"
            );
        }
    }
    for left_out in ["data/", "api/"] {
        assert!(
            !comparable.keys().any(|p| p.starts_with(left_out)),
            "{left_out}"
        );
    }
    let index_files: Vec<&String> = whole.keys().filter(|p| p.starts_with("search/")).collect();
    assert!(index_files.len() > 10);
    assert!(index_files.iter().all(|p| comparable.contains_key(*p)));
    // The sitemap names exactly the HTML pages built.
    let sitemap = String::from_utf8(comparable["sitemap.xml"].clone()).unwrap();
    let listed: BTreeSet<String> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(|url| {
            let page = url.trim_start_matches("http://127.0.0.1:1111/");
            format!("{page}index.html")
        })
        .collect();
    let pages: BTreeSet<String> = comparable
        .keys()
        .filter(|p| p.ends_with("index.html"))
        .cloned()
        .collect();
    assert_eq!(listed, pages);
}

/// Kazakh word order differs from Russian: each language's string carries the whole pattern.
#[test]
fn each_language_writes_a_number_and_its_date_in_its_own_order() {
    let out = tempfile::tempdir().unwrap();
    build(sample_root(), out.path(), "2026-11-25", None);
    let date = r#"<time datetime="2024-01-26">26.01.2024</time>"#;
    for (lang, agreement, title) in [
        (
            "",
            format!("{date} жылғы № ПАД-2024-020"),
            "<title>ЦПК-2024/020 аккредиттеу аттестаты",
        ),
        (
            "ru/",
            format!("№ ПАД-2024-020 от {date}"),
            "<title>Аттестат аккредитации ЦПК-2024/020",
        ),
        (
            "en/",
            format!("No. ПАД-2024-020 of {date}"),
            "<title>Certificate of accreditation ЦПК-2024/020",
        ),
    ] {
        let page = text(
            out.path(),
            &format!("{lang}certificates/tspk-2024-020/index.html"),
        );
        assert!(page.contains(&agreement), "{lang}: {agreement}");
        assert!(page.contains(title), "{lang}: {title}");
    }
}

/// A published folder replaced by a symbolic link to somewhere else: the build writes nothing
/// through it (an error names it), and nothing outside the output is touched.
#[cfg(unix)]
#[test]
fn a_published_folder_replaced_by_a_link_is_never_written_through() {
    let root = temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path(), "2026-11-25", None);
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("index.html"), "not tizilim's").unwrap();
    let centers = out.path().join("centers");
    fs::rename(&centers, out.path().join("centers.moved")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), &centers).unwrap();
    let before_outside = snapshot(elsewhere.path());
    // Every center page changes with the date.
    let options = tizilim::site::BuildOptions {
        as_of: Some(common::date("2031-01-01")),
        ..Default::default()
    };
    let error = tizilim::site::build(root.path(), out.path(), &options).unwrap_err();
    assert!(error.to_string().contains("is a symbolic link"), "{error}");
    assert_eq!(snapshot(elsewhere.path()), before_outside);
}

/// Register text that exists in one language only carries its `lang` on the pages of the
/// others: a decision written in Russian, a center named only in Russian.
#[test]
fn text_in_another_language_is_marked_with_its_lang() {
    let out = tempfile::tempdir().unwrap();
    build(sample_root(), out.path(), "2026-11-25", None);
    for lang in ["", "en/"] {
        let page = text(
            out.path(),
            &format!("{lang}certificates/tspk-2024-020/index.html"),
        );
        assert!(
            page.contains(r#"<td lang="ru">Приказ № 204-п от 14.09.2026</td>"#),
            "{lang}"
        );
    }
    let page = text(out.path(), "ru/certificates/tspk-2024-020/index.html");
    assert!(page.contains("<td>Приказ № 204-п от 14.09.2026</td>"));
    let changes = text(out.path(), "en/changes/index.html");
    assert!(changes.contains(
        r#"lang="ru">Частное учреждение «Центр профессиональной подготовки и признания квалификаций «Сауран»»</a>"#
    ));
    let changes = text(out.path(), "ru/changes/index.html");
    assert!(
        !changes.contains(r#"lang="ru">Частное"#),
        "nothing is marked in its own language"
    );
}

/// The bundled sample, built and then built again in verification mode: every file the
/// fingerprints keep renders to the published bytes.
#[test]
fn the_sample_site_passes_verification_mode() {
    let out = tempfile::tempdir().unwrap();
    build(sample_root(), out.path(), "2026-11-25", None);
    verify_kept(sample_root(), out.path(), "2026-11-25").unwrap();
    // And on the next day, when the pages that show the date are rendered again.
    build(sample_root(), out.path(), "2026-11-26", None);
    verify_kept(sample_root(), out.path(), "2026-11-26").unwrap();
}

/// A profession named in Russian and Kazakh only: its name on an English certificate page is
/// marked as Russian, and on a Russian page not at all.
#[test]
fn a_profession_name_in_another_language_is_marked() {
    let root = temp_site_with_theme("valid-csv");
    let out = tempfile::tempdir().unwrap();
    build(root.path(), out.path(), "2026-11-25", None);
    // ЦПК-002/2024 covers 7411-1-001, which has no English name.
    let en = text(out.path(), "en/certificates/tspk-002-2024/index.html");
    assert!(
        en.contains(r#"lang="ru">Электромонтажник</a></th>"#),
        "{en}"
    );
    let ru = text(out.path(), "ru/certificates/tspk-002-2024/index.html");
    assert!(ru.contains(r#"/">Электромонтажник</a></th>"#));
}
