//! Search, through the real browser code: the folding rules are the same in Rust and in
//! search.js (shared vectors), a set of queries against the sample register each finds the
//! expected first result, and the page works end to end in headless Chromium (typing,
//! filters, the address, reload, back, a sub-path), showing hostile names as text.

mod common;

use std::fs;
use std::path::Path;

use common::{build, build_served, node, serve_static, temp_site_with_theme};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_browser_folds_exactly_as_rust() {
    let path = repository().join("tests/fixtures/search-vectors.json");
    let vectors = tizilim::site::search::test_vectors();
    if std::env::var_os("TIZILIM_BLESS").is_some() {
        fs::write(
            &path,
            serde_json::to_string_pretty(&vectors).unwrap() + "\n",
        )
        .unwrap();
    }
    let stored: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        stored, vectors,
        "the vectors file is out of date: run with TIZILIM_BLESS=1"
    );
    let result = node::<&str>("tests/browser/vectors.mjs", &[]);
    assert_eq!(result["mismatches"], serde_json::json!([]));
    assert!(result["checked"].as_u64().unwrap() >= 40);
}

/// (query, region, status, profession, expected first BIN, expected certificate or "")
const QUERIES: &[(&str, &str, &str, &str, &str, &str)] = &[
    // Cyrillic, Kazakh and Russian names.
    ("Алатау", "", "", "", "100840734991", ""),
    ("Көкше", "", "", "", "011040831738", ""),
    ("Иртыш", "", "", "", "070540570380", ""),
    ("Ертіс", "", "", "", "070540570380", ""),
    ("Балқаш", "", "", "", "220540986770", ""),
    ("Нефть", "", "", "", "220840197378", ""),
    ("Сырдарья", "", "", "", "150240163308", ""),
    ("Бәйтерек", "", "", "", "010140999823", ""),
    ("Қазына", "", "", "", "051240290353", ""),
    ("Самұрық", "", "", "", "030140557569", ""),
    ("Маңғыстау", "", "", "", "111040484368", ""),
    ("Восток", "", "", "", "130840643383", ""),
    ("Хан Тәңірі", "", "", "", "060140306001", ""),
    ("Хан Тенгри", "", "", "", "060140306001", ""),
    ("Кочевник", "", "", "", "140340446248", ""),
    // Kazakh typed on a Russian keyboard.
    ("сарыарка", "", "", "", "051140628865", ""),
    ("байтерек", "", "", "", "010140999823", ""),
    ("казына", "", "", "", "051240290353", ""),
    ("Жулдыз", "", "", "", "211240795192", ""),
    ("Тарбагатай", "", "", "", "030240271549", ""),
    // Latin: English names, the Latin Kazakh alphabet, everyday transliteration.
    ("Kokshe", "", "", "", "011040831738", ""),
    ("Balkhash", "", "", "", "220540986770", ""),
    ("Balqash", "", "", "", "220540986770", ""),
    ("Qazaq Sheberi", "", "", "", "220140234233", ""),
    ("Samruk", "", "", "", "030140557569", ""),
    ("Esil", "", "", "", "060840500209", ""),
    ("Otyrar", "", "", "", "101240839393", ""),
    ("Zhuldyz", "", "", "", "211240795192", ""),
    ("Oskemen", "", "", "", "011240899487", ""),
    ("Almaty", "", "", "", "220540986770", ""),
    // Mixed scripts, and the words every center has.
    ("Alatau орталығы", "", "", "", "100840734991", ""),
    ("Самрук Qualification", "", "", "", "030140557569", ""),
    // One typo in a word of five letters or more.
    ("Алатуа", "", "", "", "100840734991", ""),
    ("Bolashk", "", "", "", "180840723196", ""),
    ("Karatay", "", "", "", "200140830354", ""),
    ("Shymkemt", "", "", "", "200840260155", ""),
    // Professions by name or code; cities.
    ("Электрогазосварщик", "", "", "", "100840734991", ""),
    ("электргазбен", "", "", "", "100840734991", ""),
    ("электрогазосв", "", "", "", "100840734991", ""),
    ("7212-1-001", "", "", "", "100840734991", ""),
    ("Семей", "", "", "", "010140999823", ""),
    // BINs: whole, spaced, the first digits.
    ("100840734991", "", "", "", "100840734991", ""),
    ("1008 4073 4991", "", "", "", "100840734991", ""),
    ("0301405", "", "", "", "030140557569", ""),
    // Certificate numbers as typed from paper.
    ("ЦПК-2026/003", "", "", "", "100840734991", "ЦПК-2026/003"),
    ("цпк 2026/003", "", "", "", "100840734991", "ЦПК-2026/003"),
    ("№ЦПK-2026/003", "", "", "", "100840734991", "ЦПК-2026/003"),
    ("цпк–2024/020", "", "", "", "030140557569", "ЦПК-2024/020"),
    ("ЦПК 2024 020", "", "", "", "030140557569", "ЦПК-2024/020"),
    ("цпк-2024-020", "", "", "", "030140557569", "ЦПК-2024/020"),
    ("ЦПК2024020", "", "", "", "030140557569", "ЦПК-2024/020"),
    ("ЦПК.2024.020", "", "", "", "030140557569", "ЦПК-2024/020"),
    ("tspk-2024-020", "", "", "", "030140557569", "ЦПК-2024/020"),
    ("№ ЦПК–2024/020", "", "", "", "030140557569", "ЦПК-2024/020"),
    // Filters alone, and with a query.
    ("", "kyzylorda", "", "", "001040208268", ""),
    ("", "", "", "7212-1-001", "100840734991", ""),
    ("Алатау", "astana", "valid", "", "100840734991", ""),
    // Words in nearly every name (the index keeps them as sets, not postings): alone, as the
    // start of a word, with a rarer word (all words must match).
    ("орталығы", "shymkent", "", "", "200840260155", ""),
    ("орталы", "shymkent", "", "", "200840260155", ""),
    ("Алатау орталығы", "", "", "", "100840734991", ""),
];

/// Runs `queries` through the search page at `page` (`search.mjs`), with a file in `dir`.
fn run_queries(dir: &Path, page: &str, queries: &[serde_json::Value]) -> serde_json::Value {
    let file = dir.join("queries.json");
    fs::write(&file, serde_json::to_string(queries).unwrap()).unwrap();
    node("tests/browser/search.mjs", &[page, file.to_str().unwrap()])
}

#[test]
fn each_query_finds_its_first_result() {
    let (out, base) = build_served(repository(), "2026-11-25");
    let queries: Vec<serde_json::Value> = QUERIES
        .iter()
        .map(|(q, region, status, profession, ..)| serde_json::json!({ "q": q, "region": region, "status": status, "profession": profession }))
        .collect();
    let result = run_queries(out.path(), &format!("{base}/ru/search/"), &queries);
    assert_eq!(
        result["external"],
        serde_json::json!([]),
        "no request leaves the site"
    );
    let mut wrong = Vec::new();
    for (i, (q, region, status, profession, bin, certificate)) in QUERIES.iter().enumerate() {
        let first = &result["results"][i]["top"][0];
        let got_certificate = first["certificate"].as_str().unwrap_or("");
        if first["bin"] != *bin || got_certificate != *certificate {
            wrong.push(format!(
                "{q:?} {region} {status} {profession}: expected {bin} {certificate}, got {first}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Filters narrow and combine; a query outside them finds nothing.
    let narrow = [
        serde_json::json!({ "q": "Алатау", "region": "shymkent" }),
        serde_json::json!({ "q": "", "status": "revoked" }),
        serde_json::json!({ "q": "", "status": "revoked", "region": "aktobe" }),
    ];
    let result = run_queries(out.path(), &format!("{base}/search/"), &narrow);
    let site = tizilim::read_site(repository()).unwrap();
    let registry = &site.checked.registry;
    let as_of = common::date("2026-11-25");
    let revoked = (0..registry.centers.len())
        .filter(|&c| registry.center_status(c, as_of).0 == tizilim::register::Status::Revoked)
        .count();
    assert_eq!(result["results"][0]["total"], 0);
    assert_eq!(result["results"][1]["total"], revoked);
    assert!(result["results"][2]["total"].as_u64().unwrap() < revoked as u64);
}

fn drive(page: &str, steps: serde_json::Value, dir: &Path) -> serde_json::Value {
    let file = dir.join("steps.json");
    fs::write(&file, steps.to_string()).unwrap();
    node(
        "tests/browser/search-page.mjs",
        &[page, file.to_str().unwrap()],
    )
}

#[test]
fn the_search_page_end_to_end_under_a_sub_path() {
    let served = tempfile::tempdir().unwrap();
    let base = serve_static(served.path());
    // Published under /registry/ of the server.
    let out = served.path().join("registry");
    build(
        repository(),
        &out,
        "2026-11-25",
        Some(&format!("{base}/registry/")),
    );
    let steps = serde_json::json!([
        { "type": "Almaty", "press": "Enter" },
        { "select": ["#region", "almaty-city"] },
        { "reload": true },
        { "back": true },
        { "type": "1008 4073 4991", "press": "Enter" }
    ]);
    let result = drive(&format!("{base}/registry/ru/search/"), steps, served.path());
    let seen = result["seen"].as_array().unwrap();
    // Typed: results with the right first hit, and the address says the query.
    assert_eq!(seen[0]["search"], "?q=Almaty");
    assert_eq!(seen[0]["summary"], "Найдено: 7");
    assert_eq!(
        seen[0]["results"][0]["href"],
        "/registry/ru/centers/220540986770/"
    );
    assert_eq!(
        seen[0]["noScriptShown"], false,
        "the no-JavaScript notice is not shown"
    );
    assert_eq!(
        seen[0]["regionLabel"], "Алматы (5)",
        "counts by region among the results"
    );
    // A filter narrows them, and the address says it.
    assert_eq!(seen[1]["search"], "?q=Almaty&region=almaty-city");
    assert_eq!(seen[1]["summary"], "Найдено: 5");
    // Reloading the address restores query, filter and results.
    assert_eq!(seen[2]["q"], "Almaty");
    assert_eq!(seen[2]["region"], "almaty-city");
    assert_eq!(seen[2]["results"], seen[1]["results"]);
    // Back: the search before the filter.
    assert_eq!(seen[3]["search"], "?q=Almaty");
    assert_eq!(seen[3]["summary"], "Найдено: 7");
    // A whole BIN goes straight to the center.
    assert_eq!(seen[4]["path"], "/registry/ru/centers/100840734991/");
}

/// The index files are fetched packed where the browser can unpack them, as JSON where it
/// cannot (no `DecompressionStream`) or where the packed files are missing, with the same
/// results every way.
#[test]
fn a_browser_without_decompression_reads_the_json_files() {
    let (out, base) = build_served(repository(), "2026-11-25");
    let steps = serde_json::json!([
        { "type": "1008 4073 49", "press": "Enter" },
        { "type": "Almaty", "press": "Enter" },
        { "select": ["#region", "almaty-city"] }
    ]);
    let file = out.path().join("steps.json");
    fs::write(&file, steps.to_string()).unwrap();
    let run = |unpacking: bool| -> serde_json::Value {
        let mut command = std::process::Command::new("node");
        command
            .arg(repository().join("tests/browser/search-page.mjs"))
            .arg(format!("{base}/ru/search/"))
            .arg(&file);
        if !unpacking {
            command.env("TIZILIM_NO_DECOMPRESSION", "1");
        }
        let output = command.output().expect("node runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let packed = run(true);
    let plain = run(false);
    let fetched = |r: &serde_json::Value| -> Vec<String> {
        r["fetched"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect()
    };
    let (packed_files, plain_files) = (fetched(&packed), fetched(&plain));
    assert!(packed_files.len() >= 4, "{packed_files:?}");
    assert!(
        packed_files.iter().all(|p| p.ends_with(".json.gz")),
        "{packed_files:?}"
    );
    assert!(
        plain_files.iter().all(|p| p.ends_with(".json")),
        "{plain_files:?}"
    );
    assert_eq!(
        packed_files,
        plain_files
            .iter()
            .map(|p| format!("{p}.gz"))
            .collect::<Vec<_>>()
    );
    assert_eq!(packed["seen"], plain["seen"]);
    // A server without the packed files (say they were not uploaded): the JSON is fetched
    // after each miss.
    for entry in fs::read_dir(out.path().join("search")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".json.gz") {
            fs::remove_file(path).unwrap();
        }
    }
    let missing = run(true);
    assert_eq!(missing["seen"], plain["seen"]);
    let tried = fetched(&missing);
    assert!(tried.iter().any(|p| p.ends_with(".json.gz")), "{tried:?}");
    for path in tried.iter().filter(|p| p.ends_with(".json.gz")) {
        assert!(
            tried.contains(&path.trim_end_matches(".gz").to_owned()),
            "{path}"
        );
    }
    assert_eq!(packed["seen"][0]["summary"], "Найдено: 1");
    assert_eq!(packed["seen"][1]["summary"], "Найдено: 7");
    assert_eq!(packed["seen"][2]["summary"], "Найдено: 5");
}

#[test]
fn a_hostile_name_is_found_and_shown_as_text() {
    let root = temp_site_with_theme("xss");
    let (out, base) = build_served(root.path(), "2026-11-25");
    let result = drive(
        &format!("{base}/ru/search/"),
        serde_json::json!([{ "type": "img onerror", "press": "Enter" }]),
        out.path(),
    );
    let seen = &result["seen"][0];
    assert_eq!(
        seen["results"][0]["text"],
        "\"><img src=x onerror=alert(1)> центр"
    );
    assert_eq!(seen["images"], 0);
    assert_eq!(result["dialogs"], serde_json::json!([]));
}

/// A word in nearly every name is kept as a set with its counts by region × status, so a query
/// of it alone shows counts by filter too (its results are far too many to count from their
/// display records).
#[test]
fn a_common_word_alone_shows_counts_by_filter() {
    let root = common::synthetic_site(1000, 3);
    let (out, base) = build_served(root.path(), "2026-11-25");
    let site = tizilim::read_site(root.path()).unwrap();
    let registry = &site.checked.registry;
    let word = tizilim::site::search::fold::tokens("орталығы");
    assert_eq!(word, ["ortaligi"]);
    let matching: Vec<usize> = (0..registry.centers.len())
        .filter(|&c| name_or_city_has(&registry.centers[c], &word[0]))
        .collect();
    assert!(matching.len() > 16 * 10, "{} results", matching.len());
    check_counts_by_filter(
        &base,
        out.path(),
        registry,
        &matching,
        serde_json::json!({ "type": "орталығы", "press": "Enter" }),
    );
}

/// A profession chosen as a filter, without a query, has too many centers to count from their
/// display records: its counts by region and status come from the index.
#[test]
fn a_profession_filter_alone_shows_counts_by_filter() {
    use std::collections::BTreeSet;
    let root = common::synthetic_site(1000, 3);
    let (out, base) = build_served(root.path(), "2026-11-25");
    let site = tizilim::read_site(root.path()).unwrap();
    let registry = &site.checked.registry;
    let centers_of = |p: usize| -> BTreeSet<usize> {
        registry
            .certificates
            .iter()
            .filter(|c| c.scope.iter().any(|item| item.profession == p))
            .map(|c| c.center)
            .collect()
    };
    let almaty = |c: &&usize| in_almaty(registry, **c);
    let valid = |c: &&usize| valid_on(registry, **c);
    // The profession of most centers among those with some centers in Almaty, valid and not.
    let (profession, centers) = (0..registry.professions.len())
        .map(|p| (p, centers_of(p)))
        .filter(|(_, centers)| {
            let in_almaty = centers.iter().filter(almaty).count();
            let valid_in_almaty = centers.iter().filter(almaty).filter(valid).count();
            valid_in_almaty > 0 && valid_in_almaty < in_almaty
        })
        .max_by_key(|(_, centers)| centers.len())
        .expect("a profession with centers in Almaty, valid and not");
    // More display chunks than the page fetches to count.
    let chunks: BTreeSet<usize> = {
        let mut order: Vec<usize> = (0..registry.centers.len()).collect();
        order.sort_by_cached_key(|&c| {
            (
                tizilim::site::collate::sort_key(
                    registry.centers[c].name.get(tizilim::register::Lang::Kk),
                ),
                registry.centers[c].bin.to_string(),
            )
        });
        order
            .iter()
            .enumerate()
            .filter(|(_, c)| centers.contains(c))
            .map(|(doc, _)| doc / tizilim::site::search::CHUNK)
            .collect()
    };
    assert!(chunks.len() > 10, "{} chunks", chunks.len());
    let centers: Vec<usize> = centers.into_iter().collect();
    let code = &registry.professions[profession].code;
    check_counts_by_filter(
        &base,
        out.path(),
        registry,
        &centers,
        serde_json::json!({ "select": ["#profession", code] }),
    );
}

/// Whether a word of the center's names (in any language) or city folds to `folded`.
fn name_or_city_has(center: &tizilim::register::Center, folded: &str) -> bool {
    let mut texts: Vec<&str> = tizilim::register::Lang::ALL
        .iter()
        .filter_map(|&l| center.name.in_lang(l))
        .collect();
    texts.extend(center.city.as_deref());
    texts.iter().any(|t| {
        tizilim::site::search::fold::tokens(t)
            .iter()
            .any(|w| w == folded)
    })
}

fn in_almaty(registry: &tizilim::register::Registry, center: usize) -> bool {
    registry.regions[registry.centers[center].region].code == "almaty-city"
}

/// Valid on the date the search tests build for.
fn valid_on(registry: &tizilim::register::Registry, center: usize) -> bool {
    registry.center_status(center, common::date("2026-11-25")).0 == tizilim::register::Status::Valid
}

/// Drives the search page through `first` and then the status filter "valid", and checks what
/// it says after each: as many results as `expected`, and the counts by region and status
/// among them (Almaty's and the valid ones', which must be some and not all).
fn check_counts_by_filter(
    base: &str,
    out: &Path,
    registry: &tizilim::register::Registry,
    expected: &[usize],
    first: serde_json::Value,
) {
    let in_region = expected.iter().filter(|&&c| in_almaty(registry, c)).count();
    let valid = expected.iter().filter(|&&c| valid_on(registry, c)).count();
    let valid_in_region = expected
        .iter()
        .filter(|&&c| in_almaty(registry, c) && valid_on(registry, c))
        .count();
    assert!(in_region > 0 && valid_in_region > 0 && valid_in_region < in_region);
    let result = drive(
        &format!("{base}/ru/search/"),
        serde_json::json!([first, { "select": ["#status", "valid"] }]),
        out,
    );
    let seen = result["seen"].as_array().unwrap();
    assert_eq!(seen[0]["summary"], format!("Найдено: {}", expected.len()));
    assert_eq!(seen[0]["regionLabel"], format!("Алматы ({in_region})"));
    let status = seen[0]["statusLabel"].as_str().unwrap();
    assert!(status.ends_with(&format!(" ({valid})")), "{status}");
    // With the status filter: counts by region among the valid ones.
    assert_eq!(seen[1]["summary"], format!("Найдено: {valid}"));
    assert_eq!(
        seen[1]["regionLabel"],
        format!("Алматы ({valid_in_region})")
    );
}

/// A word in the names of ten professions (as every word of the synthetic professions is)
/// finds the centers of all ten.
#[test]
fn a_word_of_many_profession_names_finds_the_centers_of_each() {
    use std::collections::BTreeSet;
    use tizilim::site::search::fold::tokens;
    let root = common::synthetic_site(1000, 3);
    let (out, base) = build_served(root.path(), "2026-11-25");
    let site = tizilim::read_site(root.path()).unwrap();
    let registry = &site.checked.registry;
    let word = "котельной";
    let folded = tokens(word).remove(0);
    let professions: BTreeSet<usize> = (0..registry.professions.len())
        .filter(|&p| {
            tizilim::register::Lang::ALL.iter().any(|&l| {
                registry.professions[p]
                    .name
                    .in_lang(l)
                    .is_some_and(|name| tokens(name).contains(&folded))
            })
        })
        .collect();
    assert!(professions.len() > 8, "{} professions", professions.len());
    // No center's name or city has the word: the professions are all it matches.
    assert!(!registry
        .centers
        .iter()
        .any(|c| name_or_city_has(c, &folded)));
    let centers: BTreeSet<usize> = registry
        .certificates
        .iter()
        .filter(|c| {
            c.scope
                .iter()
                .any(|item| professions.contains(&item.profession))
        })
        .map(|c| c.center)
        .collect();
    let result = drive(
        &format!("{base}/ru/search/"),
        serde_json::json!([{ "type": word, "press": "Enter" }]),
        out.path(),
    );
    assert_eq!(
        result["seen"][0]["summary"],
        format!("Найдено: {}", centers.len())
    );
}

/// A register of 1,000 regions and 1,000 professions, with names that are the names of
/// `Object.prototype`'s members: the facet codes of every region read back right, and no query
/// typed by a person reaches the script's own objects.
#[test]
fn a_thousand_regions_and_names_like_constructor_are_counted_right() {
    use std::collections::BTreeMap;
    use tizilim::register::model::{CodedRow, Located, Text};
    let root = temp_site_with_theme("valid-csv");
    let data = root.path().join("data");
    fs::remove_dir_all(&data).unwrap();
    let mut register = tizilim::synth::generate(1200, 7);
    let position = register.regions[0].position.clone();
    let coded = |code: String, name: String| Located {
        position: position.clone(),
        row: CodedRow {
            code,
            name: Text {
                ru: Some(name),
                ..Text::default()
            },
        },
    };
    let mut regions: Vec<_> = (0..1000)
        .map(|i| coded(format!("r{i:04}"), format!("Область {i}")))
        .collect();
    regions[999] = coded("constructor".into(), "constructor".into());
    let professions: Vec<_> = (0..1000)
        .map(|i| coded(format!("9{i:03}-1-001"), format!("Профессия {i}")))
        .collect();
    // Fifty centers named with a rare word, in regions far past the 162nd.
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for (i, center) in register.centers.iter_mut().enumerate() {
        center.row.region = regions[(i * 7) % 1000].row.code.clone();
        if i % 24 == 0 {
            center.row.region = regions[999 - (i / 24) % 300].row.code.clone();
            center.row.name.ru = Some(format!("Жұлдызхан {i}"));
            *expected.entry(center.row.region.clone()).or_default() += 1;
        }
    }
    register.centers[1].row.name.ru = Some("Constructor hasOwnProperty".into());
    for (i, scope) in register.scope.iter_mut().enumerate() {
        scope.row.profession = professions[(i * 13) % 1000].row.code.clone();
    }
    register.scope.sort_by(|a, b| {
        (&a.row.certificate, &a.row.profession).cmp(&(&b.row.certificate, &b.row.profession))
    });
    register.scope.dedup_by(|a, b| {
        a.row.certificate == b.row.certificate && a.row.profession == b.row.profession
    });
    register.regions = regions;
    register.professions = professions;
    tizilim::register::write::write_csv_tables(&register, &data).unwrap();
    let (out, base) = build_served(root.path(), "2026-11-25");
    let words = [
        "Жұлдызхан",
        "constructor",
        "hasOwnProperty",
        "__proto__",
        "toString",
        "valueOf",
    ];
    let queries: Vec<serde_json::Value> = words
        .iter()
        .map(|q| serde_json::json!({ "q": q, "region": "", "status": "", "profession": "" }))
        .collect();
    let result = run_queries(out.path(), &format!("{base}/ru/search/"), &queries);
    // The rare word's results, counted by region from the shards' facet codes.
    let rare = &result["results"][0];
    assert_eq!(rare["total"], 50, "{rare}");
    let counted: BTreeMap<String, u64> = rare["counts"]["region"]
        .as_object()
        .unwrap_or_else(|| panic!("no counts: {rare}"))
        .iter()
        .filter(|(_, n)| n.as_u64() != Some(0))
        .map(|(code, n)| (code.clone(), n.as_u64().unwrap()))
        .collect();
    assert_eq!(counted, expected);
    // The names of Object.prototype's members are words like any other.
    let bin = register.centers[1].row.bin.to_string();
    for (i, word) in words.iter().enumerate().skip(1) {
        let got = &result["results"][i];
        let found: Vec<&str> = got["top"]
            .as_array()
            .unwrap_or_else(|| panic!("{word}: {got}"))
            .iter()
            .map(|t| t["bin"].as_str().unwrap())
            .collect();
        if i <= 2 {
            // ("constructor" is also a region's name: its centers follow.)
            assert_eq!(found.first(), Some(&bin.as_str()), "{word}: {got}");
        } else {
            assert_eq!(got["total"], 0, "{word}: {got}");
        }
    }
}
