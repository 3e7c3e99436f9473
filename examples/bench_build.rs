//! The site build benchmark (not a test). For each N, a synthetic site root is built by the
//! `tizilim` binary (release) and one table is printed:
//! - full default mode (three languages), output on tmpfs and on disk: full build time and
//!   peak memory (`/usr/bin/time -v`; the median of `--runs` builds, default 3), files and
//!   bytes written, search index time (from the build's own `TIZILIM_TIMINGS`), a second
//!   build with nothing changed (time, files written), and the watcher's latency: from a
//!   one-line status change appended to `events.csv` to the watcher's log line saying the
//!   rebuild is published, for the first change after the watcher started and for the next
//!   one (tmpfs only);
//! - comparable mode, when `hugo` and Pagefind are installed (`apt-get install hugo`,
//!   `bench/pagefind.sh`): the same N centers as one page each in one language, built by
//!   Hugo and indexed by Pagefind, beside `tizilim build --comparable` (one language, the
//!   same pages: home, the A–Z list, a page per center, search); the median of `--runs` runs
//!   of each (the four builds take turns, one round after another), and the ratios.
//!   `site s` is tizilim's whole one-language site (certificate
//!   pages with QR codes, every list, history, feeds, open data, per-record JSON), and
//!   `×site` Hugo + Pagefind's time over that.
//!
//! `cargo build --release && cargo run --release --example bench_build -- --centers 1000,10000`

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
struct Args {
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    centers: Vec<usize>,
    /// Where the tmpfs output goes.
    #[arg(long, default_value = "/dev/shm")]
    tmpfs: PathBuf,
    /// Skip the disk output (slow to create files on this machine's disk).
    #[arg(long)]
    no_disk: bool,
    /// Largest N for the comparable mode (Hugo + Pagefind take minutes at 100,000).
    #[arg(long, default_value_t = 10000)]
    compare_up_to: usize,
    /// In comparable mode, also measure the bytes of typical queries in Chromium, on both
    /// sites (`bench/query-bytes.mjs`; needs `npm ci`).
    #[arg(long)]
    query_bytes: bool,
    /// Runs of each full build (the table gives the median time): tizilim's in both modes,
    /// Hugo's and Pagefind's.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

/// What one timed command did.
struct Run {
    seconds: f64,
    mib: f64,
    stdout: String,
    stderr: String,
}

/// Runs a command under `/usr/bin/time -v`.
fn timed(command: &mut Command) -> Run {
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-v").arg(program).args(args);
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            timed.env(key, value);
        }
    }
    let started = Instant::now();
    let output = timed.output().expect("the command runs");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{command:?} failed: {stderr}");
    let rss_kb: f64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    Run {
        seconds,
        mib: rss_kb / 1024.0,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    }
}

/// `tizilim build` of `root` into `out`, with the `extra` arguments.
fn tizilim(binary: &Path, root: &Path, out: &Path, extra: &[&str]) -> Run {
    timed(
        Command::new(binary)
            // As of today, as the watcher builds: its first build then changes nothing.
            .args(["build", "--root"])
            .arg(root)
            .args(extra)
            .arg("--output-dir")
            .arg(out)
            .env("TIZILIM_TIMINGS", "1"),
    )
}

/// The run of median time of `runs` runs of `run`, each given a fresh output folder under
/// `parent`, and the last run's folder (every run publishes the same files; the others are
/// removed as soon as they are timed, so that 100,000 centers never hold three sites).
fn median_run(
    runs: usize,
    parent: &Path,
    mut run: impl FnMut(&Path) -> Run,
) -> (Run, tempfile::TempDir) {
    let ([median], [out]) = interleaved_medians(runs, parent, |[out]| [run(out)]);
    (median, out)
}

/// Runs `round` `runs` times, each time with `OUTS` fresh output folders under `parent` (the
/// last round's are removed first), and gives the median of each of the `RUNS` runs a round
/// makes, with the last round's folders.
fn interleaved_medians<const OUTS: usize, const RUNS: usize>(
    runs: usize,
    parent: &Path,
    mut round: impl FnMut([&Path; OUTS]) -> [Run; RUNS],
) -> ([Run; RUNS], [tempfile::TempDir; OUTS]) {
    let mut timed: [Vec<Run>; RUNS] = std::array::from_fn(|_| Vec::new());
    let mut last = None;
    for _ in 0..runs.max(1) {
        drop(last.take());
        let outs: [tempfile::TempDir; OUTS] =
            std::array::from_fn(|_| tempfile::tempdir_in(parent).expect("an output folder"));
        let made = round(std::array::from_fn(|i| outs[i].path()));
        for (runs, run) in timed.iter_mut().zip(made) {
            runs.push(run);
        }
        last = Some(outs);
    }
    let medians = timed.map(|mut runs| {
        runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        let middle = runs.len() / 2;
        runs.swap_remove(middle)
    });
    (medians, last.expect("at least one round"))
}

fn written(summary: &str) -> String {
    summary
        .split('(')
        .nth(1)
        .and_then(|s| s.split(" written").next())
        .unwrap_or("?")
        .to_owned()
}

/// The search index phase of a build, from its timings.
fn search_seconds(stderr: &str) -> f64 {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("timing: search index (beside pages)"))
        // "timing: search index (beside pages)   0.123 s   456 MiB (peak 789 MiB)"
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn files_and_bytes(dir: &Path) -> (usize, u64) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .fold((0, 0), |(n, b), e| {
            (n + 1, b + e.metadata().map_or(0, |m| m.len()))
        })
}

fn site_root(repository: &Path, n: usize, languages: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("a folder");
    let config = std::fs::read_to_string(repository.join("config.toml"))
        .expect("config")
        .replace("languages = [\"ru\", \"en\"]", languages);
    std::fs::write(site.path().join("config.toml"), config).expect("config");
    copy_tree(&repository.join("themes"), &site.path().join("themes"));
    copy_tree(&repository.join("content"), &site.path().join("content"));
    tizilim::register::write::write_csv_tables(
        &tizilim::synth::generate(n, 1),
        &site.path().join("data"),
    )
    .expect("data");
    site
}

/// Starts `tizilim watch`, waits for its first build, then twice appends a revocation of a
/// valid certificate to `events.csv` and measures the time until the watcher says it
/// published: the first change after the start (what the watcher keeps between builds is not
/// there yet) and the next one.
fn watcher_latency(binary: &Path, root: &Path, out: &Path) -> (Duration, Duration) {
    let registry = tizilim::read_site(root).expect("the site").checked.registry;
    let today = tizilim::register::dates::today_in_kazakhstan();
    let mut valid = (0..registry.certificates.len()).filter(|&id| {
        let c = &registry.certificates[id];
        registry.certificate_status(id, today) == tizilim::register::Status::Valid
            && registry.events(id).is_empty()
            && c.issued_on < today
    });
    let numbers: Vec<String> = [valid.next(), valid.next()]
        .into_iter()
        .map(|id| {
            registry.certificates[id.expect("two valid certificates")]
                .number
                .clone()
        })
        .collect();
    let mut watcher = Command::new(binary)
        .args(["watch", "--root"])
        .arg(root)
        .arg("--output-dir")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the watcher starts");
    // Its output, line by line, from both streams (a failed build is said on stderr).
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    for stream in [
        Box::new(watcher.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
        Box::new(watcher.stderr.take().expect("stderr")),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    let wait_for_build = || loop {
        let line = rx
            .recv_timeout(Duration::from_secs(600))
            .expect("the watcher said nothing for ten minutes");
        if line.contains("] built (") {
            return line;
        }
        assert!(!line.contains("failed"), "{line}");
    };
    wait_for_build();
    let events = root.join("data/events.csv");
    let mut latencies = Vec::new();
    for number in &numbers {
        let mut text = std::fs::read_to_string(&events).expect("events");
        text.push_str(&format!(
            "{number},{today},revoked,Тексеру,Проверка,Inspection,Бұйрық № 1\n"
        ));
        let started = Instant::now();
        std::fs::write(&events, text).expect("events");
        let line = wait_for_build();
        latencies.push(started.elapsed());
        assert!(line.contains("events.csv"), "{line}");
    }
    let _ = watcher.kill();
    let _ = watcher.wait();
    (latencies[0], latencies[1])
}

/// A Hugo site with one page per center (one language) and a list; the same fields as
/// tizilim's center page shows.
fn hugo_site(n: usize) -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("a folder");
    let root = site.path();
    std::fs::write(
        root.join("hugo.toml"),
        "baseURL = 'http://127.0.0.1:1111/'\ntitle = 'Тізілім'\ndisableKinds = ['taxonomy', 'term', 'RSS']\n[pagination]\npagerSize = 50\n",
    )
    .expect("config");
    std::fs::create_dir_all(root.join("layouts/_default")).expect("layouts");
    std::fs::write(
        root.join("layouts/_default/baseof.html"),
        "<!doctype html><html lang=\"kk\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    )
    .expect("baseof");
    std::fs::write(
        root.join("layouts/_default/single.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1><dl><dt>BIN</dt><dd>{{ .Params.bin }}</dd><dt>Region</dt><dd>{{ .Params.region }}</dd><dt>City</dt><dd>{{ .Params.city }}</dd><dt>Status</dt><dd>{{ .Params.status }}</dd></dl><ul>{{ range .Params.certificates }}<li>{{ .number }}: {{ .status }}, {{ .issued_on }} – {{ .valid_until }}<ul>{{ range .scope }}<li>{{ . }}</li>{{ end }}</ul></li>{{ end }}</ul>{{ end }}\n",
    )
    .expect("single");
    std::fs::write(
        root.join("layouts/_default/list.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Params.bin }}</li>{{ end }}</ul>{{ end }}\n",
    )
    .expect("list");
    let register = tizilim::synth::generate(n, 1);
    let dir = root.join("content/centers");
    std::fs::create_dir_all(&dir).expect("content");
    std::fs::write(dir.join("_index.md"), "---\ntitle: Centers\n---\n").expect("index");
    let checked = {
        let data = tempfile::tempdir().expect("a folder");
        tizilim::register::write::write_csv_tables(&register, data.path()).expect("data");
        tizilim::register::load_registry(data.path(), Path::new("data"), 3)
            .expect("a valid register")
    };
    let registry = &checked.registry;
    let as_of = tizilim::register::dates::today_in_kazakhstan();
    for (id, center) in registry.centers.iter().enumerate() {
        let mut page = serde_json::json!({
            "title": center.name.get(tizilim::register::Lang::Kk),
            "bin": center.bin.as_str(),
            "region": registry.regions[center.region].name.get(tizilim::register::Lang::Kk),
            "city": center.city,
            "status": registry.center_status(id, as_of).0.as_str(),
        });
        page["certificates"] = center
            .certificates
            .iter()
            .map(|&c| {
                let certificate = &registry.certificates[c];
                serde_json::json!({
                    "number": certificate.number,
                    "status": registry.certificate_status(c, as_of).as_str(),
                    "issued_on": certificate.issued_on,
                    "valid_until": certificate.valid_until,
                    "scope": certificate.scope.iter().map(|s| registry.professions[s.profession].name.get(tizilim::register::Lang::Kk)).collect::<Vec<_>>(),
                })
            })
            .collect();
        // JSON front matter: Hugo reads it as is.
        std::fs::write(
            dir.join(format!("{}.md", center.bin)),
            format!("{}\n", serde_json::to_string_pretty(&page).expect("json")),
        )
        .expect("a page");
    }
    site
}

fn main() {
    let args = Args::parse();
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = repository.join("target/release/tizilim");
    assert!(
        binary.exists(),
        "build the release binary first: cargo build --release"
    );
    let hugo = Command::new("hugo").arg("version").output().is_ok();
    let pagefind = repository
        .join("target/bench-tools/node_modules/@pagefind/linux-x64/bin/pagefind_extended");
    let pagefind = pagefind.exists().then_some(pagefind);
    println!(
        "machine: {} cores; each build time is the median of {} runs",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.runs.max(1)
    );
    println!("\nfull default mode (three languages)");
    println!(
        "{:>8} {:>7} | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>8} {:>8} | {:>13}",
        "centers",
        "output",
        "build s",
        "peak MiB",
        "files",
        "MiB",
        "search s",
        "no-op s",
        "written",
        "watch s 1st/2nd"
    );
    for &n in &args.centers {
        let site = site_root(repository, n, "languages = [\"ru\", \"en\"]");
        let mut outputs = vec![("tmpfs", args.tmpfs.clone())];
        if !args.no_disk {
            outputs.push(("disk", std::env::temp_dir()));
        }
        for (label, parent) in outputs {
            let (full, out) = median_run(args.runs, &parent, |out| {
                tizilim(&binary, site.path(), out, &[])
            });
            let out = out.path();
            let (files, bytes) = files_and_bytes(out);
            let again = tizilim(&binary, site.path(), out, &[]);
            let watch = if label == "tmpfs" {
                let (first, next) = watcher_latency(&binary, site.path(), out);
                format!("{:.2} / {:.2}", first.as_secs_f64(), next.as_secs_f64())
            } else {
                "-".to_owned()
            };
            println!(
                "{:>8} {:>7} | {:>8.2} {:>8.0} {:>8} {:>8.0} {:>8.2} | {:>8.2} {:>8} | {:>13}",
                n,
                label,
                full.seconds,
                full.mib,
                files,
                bytes as f64 / 1048576.0,
                search_seconds(&full.stderr),
                again.seconds,
                written(&again.stdout),
                watch
            );
        }
    }

    let (true, Some(pagefind)) = (hugo, pagefind) else {
        println!("\ncomparable mode skipped: needs `hugo` (apt-get install hugo) and Pagefind (bench/pagefind.sh)");
        return;
    };
    println!(
        "\ncomparable mode (one language, the same pages, tmpfs; median of {} runs): tizilim build --comparable vs Hugo + Pagefind",
        args.runs.max(1)
    );
    println!(
        "{:>8} | {:>8} {:>8} {:>8} {:>9} | {:>8} {:>8} {:>8} {:>8} {:>8} | {:>7} {:>7} {:>7}",
        "centers",
        "tz s",
        "tz MiB",
        "tz files",
        "site s",
        "hugo s",
        "hugo MiB",
        "pf s",
        "pf MiB",
        "files",
        "×time",
        "×mem",
        "×site"
    );
    for &n in args.centers.iter().filter(|&&n| n <= args.compare_up_to) {
        let site = site_root(repository, n, "languages = []");
        let hugo_root = hugo_site(n);
        // The four builds take turns, a round at a time, so that every tool meets the same
        // moments of this machine (its speed drifts by a tenth over minutes: five runs of one
        // tool, then five of the next, compared different moments as much as different tools).
        let (medians, outs) = interleaved_medians(args.runs, &args.tmpfs, |outs| {
            let [tz_out, whole_out, hugo_out] = outs;
            let tz = tizilim(&binary, site.path(), tz_out, &["--comparable"]);
            // The whole site in one language, for comparison: every page tizilim publishes.
            let whole = tizilim(&binary, site.path(), whole_out, &[]);
            let hugo = timed(
                Command::new("hugo")
                    .arg("--quiet")
                    .arg("--source")
                    .arg(hugo_root.path())
                    .arg("--destination")
                    .arg(hugo_out),
            );
            // Pagefind indexes this round's Hugo output (it writes only under pagefind/).
            let pf = timed(
                Command::new(&pagefind)
                    .arg("--site")
                    .arg(hugo_out)
                    .arg("--quiet"),
            );
            [tz, whole, hugo, pf]
        });
        let [tz, whole, hugo, pf] = medians;
        let [out, _, hugo_out] = &outs;
        let (tz_files, _) = files_and_bytes(out.path());
        let (files, _) = files_and_bytes(hugo_out.path());
        println!(
            "{:>8} | {:>8.2} {:>8.0} {:>8} {:>9.2} | {:>8.2} {:>8.0} {:>8.2} {:>8.0} {:>8} | {:>7.1} {:>7.1} {:>7.1}",
            n,
            tz.seconds,
            tz.mib,
            tz_files,
            whole.seconds,
            hugo.seconds,
            hugo.mib,
            pf.seconds,
            pf.mib,
            files,
            (hugo.seconds + pf.seconds) / tz.seconds,
            hugo.mib.max(pf.mib) / tz.mib,
            (hugo.seconds + pf.seconds) / whole.seconds,
        );
        if args.query_bytes {
            // Typical queries: a city, the first long word of a name (the distinctive one; the
            // last is most often "орталығы"), its start, and that common last word.
            let registry = tizilim::read_site(site.path())
                .expect("the site")
                .checked
                .registry;
            let center = &registry.centers[registry.centers.len() / 2];
            let name = center.name.get(tizilim::register::Lang::Kk);
            let long: Vec<&str> = name
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 5)
                .collect();
            let word = long.first().copied().unwrap_or(name).to_owned();
            let common = long.last().copied().unwrap_or(name).to_owned();
            let start: String = word.chars().take(4).collect();
            let city = center.city.clone().unwrap_or_else(|| word.clone());
            let status = Command::new("node")
                .arg(repository.join("bench/query-bytes.mjs"))
                .arg(out.path())
                .arg(hugo_out.path())
                .args([city, word, start, common])
                .current_dir(repository)
                .status()
                .expect("node runs");
            assert!(status.success(), "bench/query-bytes.mjs failed");
        }
    }
}
