//! The search index benchmark: tizilim's index against Pagefind on the same synthetic
//! records. Not a test; it prints one table.
//!
//! `cargo run --release --example bench_search -- [--centers 1000,10000,100000]`
//!
//! For each N: the time to build tizilim's index, and the peak memory (VmHWM) of a process
//! of its own that reads, validates and indexes the register (written beforehand), the
//! index's size (packed files, as fetched), and the bytes a typical query downloads (meta file
//! apart, as a page asset). With Pagefind installed by `bench/pagefind.sh` (into
//! `target/bench-tools/`), the same records as Pagefind custom records, with the same
//! searchable text and filters: time, peak memory, files. Pagefind runs through its Rust API
//! (`bench/pagefind-rs`, as issue #4 measured it), or through its Node API when only the npm
//! package is there.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use clap::Parser;

// The allocator of the `tizilim` program, so that its memory is what is measured.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The version `bench/pagefind.sh` installs.
const PAGEFIND: &str = "1.6.0";

#[derive(Parser)]
struct Args {
    /// Register sizes to measure.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    centers: Vec<usize>,
    /// Measure one size in this process (used by the benchmark itself)...
    #[arg(long, hide = true)]
    one: Option<usize>,
    /// ...reading the register written in this folder.
    #[arg(long, hide = true)]
    data: Option<std::path::PathBuf>,
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Measures one size, reading the register already written in `data` (so that the peak is
/// that of reading, validating and indexing it); prints one JSON line.
fn one(n: usize, data: &Path) {
    let registry = tizilim::register::load_registry(data, Path::new("data"), 3)
        .expect("a valid register")
        .registry;
    let rss_before = peak_rss_kb();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
    let urls = tizilim::site::urls::Urls::new("https://example.kz/", tizilim::register::Lang::Ru);
    let families = tizilim::site::fingerprint::family_keys(&registry, None);
    let started = Instant::now();
    let index = tizilim::site::search::build_index(
        &registry,
        &families,
        as_of,
        &[tizilim::register::Lang::Ru],
        &urls,
        None,
    );
    let elapsed = started.elapsed();
    // What a browser fetches: the packed files.
    let packed: Vec<&(String, std::sync::Arc<[u8]>)> = index
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".json.gz"))
        .collect();
    let bytes: usize = packed.iter().map(|(_, b)| b.len()).sum();
    let size = |prefix: &str| -> usize {
        packed
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, b)| b.len())
            .sum()
    };
    let meta = size("search/meta-");
    // A typical query: one name word → the shards that may hold it, and the display chunks of
    // the first page of results (10, assumed to fall in 10 different chunks: the worst case).
    let shard_of = |word: &str| -> usize {
        packed
            .iter()
            .filter(|(p, _)| {
                let name = p.trim_start_matches("search/t-");
                p.starts_with("search/t-")
                    && name
                        .split('.')
                        .next()
                        .is_some_and(|key| word.starts_with(key) || key.starts_with(word))
            })
            .map(|(_, b)| b.len())
            .sum()
    };
    let chunk_files = packed
        .iter()
        .filter(|(p, _)| p.starts_with("search/d-"))
        .count()
        .max(1);
    let chunk_average = size("search/d-") / chunk_files;
    let dir_files = packed
        .iter()
        .filter(|(p, _)| p.starts_with("search/dir-"))
        .count()
        .max(1);
    let dir_average = size("search/dir-") / dir_files;
    let mut per_query = Vec::new();
    for word in [
        "alatau", "samruk", "karatau", "bolashak", "jetisu", "almati", "kaz",
    ] {
        per_query.push(shard_of(word) + 10 * chunk_average + 10.min(dir_files) * dir_average);
    }
    per_query.sort_unstable();
    println!(
        "{{\"n\":{n},\"ms\":{},\"rss_kb\":{},\"rss_before_kb\":{rss_before},\"bytes\":{bytes},\"files\":{},\"meta\":{meta},\"query_median\":{},\"query_max\":{}}}",
        elapsed.as_millis(),
        peak_rss_kb(),
        packed.len(),
        per_query[per_query.len() / 2],
        per_query[per_query.len() - 1]
    );
}

fn main() {
    let args = Args::parse();
    if let (Some(n), Some(data)) = (args.one, &args.data) {
        one(n, data);
        return;
    }
    let me = std::env::current_exe().expect("this program");
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-tools");
    let pagefind = tools.join("node_modules/pagefind");
    let pagefind_rs = tools.join("pagefind-rs/release/pagefind-bench");
    let mut pagefind_api = "";
    println!(
        "machine: {} cores; tizilim index vs Pagefind on the same synthetic records",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:>8} | {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} | {:>9} {:>8} {:>8} | {:>6} {:>6} {:>6}",
        "centers",
        "tz ms",
        "tz MiB",
        "index+",
        "files",
        "meta",
        "query",
        "max",
        "pf ms",
        "pf MiB",
        "pf files",
        "×time",
        "×mem",
        "×index"
    );
    for n in args.centers {
        let data = tempfile::tempdir().expect("a temporary folder");
        tizilim::register::write::write_csv_tables(&tizilim::synth::generate(n, 1), data.path())
            .expect("written");
        let out = Command::new(&me)
            .args(["--one", &n.to_string(), "--data"])
            .arg(data.path())
            .output()
            .expect("the measuring process");
        let line = String::from_utf8_lossy(&out.stdout);
        let m: serde_json::Value = match serde_json::from_str(line.trim()) {
            Ok(m) => m,
            Err(_) => {
                eprintln!("{n}: {}", String::from_utf8_lossy(&out.stderr));
                continue;
            }
        };
        let tz_ms = m["ms"].as_f64().unwrap_or(0.0);
        // The whole measuring process's peak: reading, validating and indexing the register
        // (Pagefind's figure is its whole run too: reading the records and indexing them).
        let tz_mib = m["rss_kb"].as_f64().unwrap_or(0.0) / 1024.0;
        // What the index adds to the peak of a process that holds the register anyway (as
        // every build does).
        let index_mib = tz_mib - m["rss_before_kb"].as_f64().unwrap_or(0.0) / 1024.0;
        let (pf_ms, pf_mib, pf_files, api) = if pagefind.exists() || pagefind_rs.exists() {
            pagefind_run(data.path())
        } else {
            (f64::NAN, f64::NAN, 0, "")
        };
        pagefind_api = api;
        println!(
            "{:>8} | {:>8.0} {:>8.1} {:>8.1} {:>8} {:>7.1}K {:>7.1}K {:>7.1}K | {:>9.0} {:>8.1} {:>8} | {:>6.1} {:>6.1} {:>6.0}",
            n,
            tz_ms,
            tz_mib,
            index_mib,
            m["files"],
            m["meta"].as_f64().unwrap_or(0.0) / 1024.0,
            m["query_median"].as_f64().unwrap_or(0.0) / 1024.0,
            m["query_max"].as_f64().unwrap_or(0.0) / 1024.0,
            pf_ms,
            pf_mib,
            pf_files,
            pf_ms / tz_ms.max(1.0),
            pf_mib / tz_mib.max(0.1),
            pf_mib / index_mib.max(0.1),
        );
    }
    match pagefind_api {
        "" => println!(
            "(Pagefind not measured: run bench/pagefind.sh to install it into target/bench-tools/)"
        ),
        api => println!("(Pagefind {PAGEFIND} through its {api} API)"),
    }
}

/// The benchmark's records as Pagefind custom records, with what tizilim's index makes
/// searchable: the names in three languages, city, region, BIN, certificate numbers,
/// profession codes and names; filters by region, status and profession.
fn pagefind_records(data: &Path) -> Vec<serde_json::Value> {
    use tizilim::register::Lang;
    let registry = tizilim::register::load_registry(data, Path::new("data"), 3)
        .expect("a valid register")
        .registry;
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
    (0..registry.centers.len())
        .map(|c| {
            let center = &registry.centers[c];
            let mut content: Vec<String> = Lang::ALL
                .iter()
                .filter_map(|&l| center.name.in_lang(l).map(str::to_owned))
                .collect();
            content.extend(center.city.clone());
            content.push(registry.regions[center.region].name.get(Lang::Ru).to_owned());
            content.push(center.bin.to_string());
            let mut professions = std::collections::BTreeSet::new();
            for &id in &center.certificates {
                let certificate = &registry.certificates[id];
                content.push(certificate.number.clone());
                professions.extend(certificate.scope.iter().map(|item| item.profession));
            }
            for &p in &professions {
                let profession = &registry.professions[p];
                content.push(format!("{} {}", profession.code, profession.name.get(Lang::Ru)));
            }
            serde_json::json!({
                "url": format!("/centers/{}/", center.bin),
                "content": content.join(" "),
                "language": "ru",
                "meta": { "title": center.name.get(Lang::Ru) },
                "filters": {
                    "region": [registry.regions[center.region].code],
                    "status": [registry.center_status(c, as_of).0.as_str()],
                    "profession": professions.iter().map(|&p| registry.professions[p].code.clone()).collect::<Vec<_>>(),
                },
            })
        })
        .collect()
}

/// Indexes the same records with Pagefind: through its Rust API (`bench/pagefind-rs`, built by
/// `bench/pagefind.sh`; the process's own peak memory), else through its Node API (the peak of
/// Node and of the Pagefind process it drives, as `/usr/bin/time` reports it). Returns (ms,
/// peak MiB, files, which API).
fn pagefind_run(data: &Path) -> (f64, f64, usize, &'static str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let input = dir.path().join("records.json");
    let records = serde_json::to_string(&pagefind_records(data)).expect("JSON");
    std::fs::write(&input, records).expect("written");
    let out = dir.path().join("out");
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-tools");
    let rust_api = tools.join("pagefind-rs/release/pagefind-bench");
    let (ms, rss_kb, api) = if rust_api.exists() {
        let output = Command::new(&rust_api)
            .arg(&input)
            .arg(&out)
            .output()
            .expect("pagefind-bench runs");
        let m: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
        if m.is_null() {
            eprintln!(
                "pagefind-bench: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        (
            m["ms"].as_f64().unwrap_or(f64::NAN),
            m["rss_kb"].as_f64().unwrap_or(f64::NAN),
            "Rust",
        )
    } else {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/pagefind.mjs");
        let output = Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg("node")
            .arg(script)
            .arg(&input)
            .arg(&out)
            .output()
            .expect("node runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let rss_kb: f64 = String::from_utf8_lossy(&output.stderr)
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(f64::NAN);
        (stdout.trim().parse().unwrap_or(f64::NAN), rss_kb, "Node")
    };
    let files = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    (ms, rss_kb / 1024.0, files, api)
}
