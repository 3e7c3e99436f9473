//! Helpers shared by the integration tests: fixture site roots copied into temporary folders.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// `tests/fixtures/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary site root holding a copy of the fixture `name`.
pub fn temp_site(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), dir.path());
    dir
}

/// A temporary site root: the valid CSV fixture (with the theme) with the tables of
/// `tests/fixtures/errors/NAME` laid over its `data/` (and the files named in its
/// `remove.txt` removed).
pub fn error_site(name: &str) -> tempfile::TempDir {
    let dir = temp_site_with_theme("valid-csv");
    let overlay = fixture("errors").join(name);
    for entry in fs::read_dir(&overlay).unwrap() {
        let entry = entry.unwrap();
        let file_name = entry.file_name();
        match file_name.to_str().unwrap() {
            "expected.txt" => {}
            "remove.txt" => {
                for line in fs::read_to_string(entry.path())
                    .unwrap()
                    .lines()
                    .filter(|l| !l.is_empty())
                {
                    fs::remove_file(dir.path().join("data").join(line)).unwrap();
                }
            }
            _ => {
                fs::copy(entry.path(), dir.path().join("data").join(&file_name)).unwrap();
            }
        }
    }
    dir
}

/// The diagnostics of reading the site root, one line each, as `check` prints them.
pub fn diagnostics(root: &Path) -> Vec<String> {
    diagnostics_of(tizilim::read_site(root))
}

/// The lines a read of a site root reports (warnings when it loads, every problem when not).
pub fn diagnostics_of(read: Result<tizilim::Site, tizilim::Error>) -> Vec<String> {
    match read {
        Ok(site) => site
            .checked
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect(),
        Err(tizilim::Error::Register(invalid)) => invalid
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect(),
        Err(e) => vec![e.to_string()],
    }
}

/// A temporary site root: the fixture `name` with the repository's `themes/` beside it.
pub fn temp_site_with_theme(name: &str) -> tempfile::TempDir {
    let dir = temp_site(name);
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes"),
        &dir.path().join("themes"),
    );
    dir
}

/// A site root (the `valid-csv` fixture's config and the default theme) whose register is
/// the synthetic one of `centers` centers: big enough for lists of many pages.
#[allow(dead_code)]
pub fn synthetic_site(centers: usize, seed: u64) -> tempfile::TempDir {
    let root = temp_site_with_theme("valid-csv");
    let data = root.path().join("data");
    fs::remove_dir_all(&data).unwrap();
    let register = tizilim::synth::generate(centers, seed);
    tizilim::register::write::write_csv_tables(&register, &data).unwrap();
    root
}

/// Every file under `dir` (relative path with `/` → bytes).
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(relative, fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// The date most tests build for.
pub fn date(text: &str) -> chrono::NaiveDate {
    tizilim::register::dates::parse_date(text).unwrap()
}

/// Builds `root` into `out` as of `as_of`, optionally under another base URL.
pub fn build(
    root: &Path,
    out: &Path,
    as_of: &str,
    base_url: Option<&str>,
) -> tizilim::site::BuildReport {
    let options = tizilim::site::BuildOptions {
        base_url: base_url.map(str::to_owned),
        as_of: Some(date(as_of)),
        ..Default::default()
    };
    tizilim::site::build(root, out, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// The values of every `href="..."` and `src="..."` attribute in an HTML page, unescaped.
pub fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            let value_start = start + attribute.len();
            let Some(length) = rest[value_start..].find('"') else {
                break;
            };
            let value = &rest[value_start..value_start + length];
            found.push(
                value
                    .replace("&amp;", "&")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">"),
            );
            rest = &rest[value_start + length..];
        }
    }
    found
}

/// Checks that every internal link of every HTML page under `out` resolves to a file there.
/// Internal links start with `base_path` (e.g. `/registry/`); others must be absolute URLs or
/// `mailto:`. Returns the number of links checked.
pub fn check_links(out: &Path, base_path: &str) -> usize {
    let files = snapshot(out);
    let mut checked = 0;
    let mut broken = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        for link in links(&html) {
            if link.starts_with("mailto:")
                || link.starts_with("https://")
                || link.starts_with("http://")
            {
                continue;
            }
            // An image in the page itself (the QR code of a certificate page).
            if let Some(data) = link.strip_prefix("data:") {
                checked += 1;
                if !data.starts_with("image/svg+xml,%3Csvg%20") {
                    broken.push(format!("{path}: {link} is not an SVG image"));
                }
                continue;
            }
            if let Some(id) = link.strip_prefix('#') {
                checked += 1;
                if !html.contains(&format!("id=\"{id}\"")) {
                    broken.push(format!("{path}: {link} names no element of the page"));
                }
                continue;
            }
            checked += 1;
            let Some(inside) = link.strip_prefix(base_path) else {
                broken.push(format!("{path}: {link} is not under {base_path}"));
                continue;
            };
            let inside = inside.split(['?', '#']).next().unwrap_or_default();
            let target = if inside.is_empty() || inside.ends_with('/') {
                format!("{inside}index.html")
            } else {
                inside.to_owned()
            };
            if !files.contains_key(&target) {
                broken.push(format!("{path}: {link} → {target} does not exist"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    checked
}

/// Builds `root` as of `as_of` into a fresh folder served on 127.0.0.1 (with the server's
/// address as `base_url`); returns the folder and that address.
#[allow(dead_code)]
pub fn build_served(root: &Path, as_of: &str) -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let base = serve_static(out.path());
    build(root, out.path(), as_of, Some(&format!("{base}/")));
    (out, base)
}

/// A plain static file server for the built site on 127.0.0.1 (a free port), serving files
/// under `root` (`index.html` for folders) until the process ends. Returns its base URL.
pub fn serve_static(root: &Path) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let root = root.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let root = root.clone();
            std::thread::spawn(move || {
                let mut request = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let path = path.split(['?', '#']).next().unwrap_or("/");
                let path = percent_decode(path);
                let mut file = root.join(path.trim_start_matches('/'));
                if path.ends_with('/') {
                    file = file.join("index.html");
                }
                let safe = !path.contains("..");
                let (status, body, file) = match fs::read(&file) {
                    Ok(body) if safe => ("200 OK", body, file),
                    _ => (
                        "404 Not Found",
                        fs::read(root.join("404.html")).unwrap_or_default(),
                        root.join("404.html"),
                    ),
                };
                let kind = match file.extension().and_then(|e| e.to_str()) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("css") => "text/css; charset=utf-8",
                    Some("js") => "text/javascript; charset=utf-8",
                    Some("svg") => "image/svg+xml",
                    Some("json") => "application/json",
                    Some("xml") => "application/xml",
                    Some("csv") => "text/csv; charset=utf-8",
                    _ => "application/octet-stream",
                };
                let head = format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    format!("http://{address}")
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&path[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `tizilim` process whose output lines (stdout and stderr) are collected as they come.
pub struct Running {
    pub child: std::process::Child,
    pub lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Running {
    pub fn start(args: &[&str]) -> Running {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_tizilim"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tizilim starts");
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for stream in [
            Box::new(stdout) as Box<dyn std::io::Read + Send>,
            Box::new(stderr),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stream)
                    .lines()
                    .map_while(Result::ok)
                {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        Running { child, lines }
    }

    /// Waits (up to a generous limit) for an output line containing `text`, after the first
    /// `skip` lines; returns its index.
    pub fn wait_for_line(&self, text: &str, skip: usize) -> usize {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(i) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .skip(skip)
                .position(|l| l.contains(text))
            {
                return skip + i;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no line with {text:?}; output:\n{}",
                self.output()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn line_count(&self) -> usize {
        self.lines.lock().unwrap().len()
    }

    pub fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it holds (up to a generous limit).
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A site root for watcher tests: the valid CSV fixture with the theme and one more
/// certificate, `WATCH-1`, valid until 2099 (so that only the tests change its status).
pub fn watch_site() -> tempfile::TempDir {
    let dir = temp_site_with_theme("valid-csv");
    let data = dir.path().join("data");
    let mut certificates = fs::read_to_string(data.join("certificates.csv")).unwrap();
    certificates.push_str("WATCH-1,190540001230,2024-01-10,2099-12-31,,,\n");
    fs::write(data.join("certificates.csv"), certificates).unwrap();
    let mut scope = fs::read_to_string(data.join("scope.csv")).unwrap();
    scope.push_str("WATCH-1,7212-1-002,3-5\n");
    fs::write(data.join("scope.csv"), scope).unwrap();
    dir
}

/// `events.csv` of [`watch_site`] with `WATCH-1` revoked on 2024-06-01, or without that.
pub fn watch_events(revoked: bool) -> String {
    let base = fs::read_to_string(fixture("valid-csv/data/events.csv")).unwrap();
    if revoked {
        format!("{base}WATCH-1,2024-06-01,revoked,Тексеру,Проверка: нарушение,,Приказ № 1-п\n")
    } else {
        base
    }
}

/// The status on the `WATCH-1` page, if the page is there.
pub fn watch_status(out: &Path) -> Option<String> {
    let page = fs::read_to_string(out.join("certificates/watch-1/index.html")).ok()?;
    let start = page.find("data-status=\"")? + 13;
    let end = start + page[start..].find('"')?;
    Some(page[start..end].to_owned())
}

/// Runs one of the repository's Node scripts (`tests/browser/*.mjs`) and reads the JSON it
/// prints; fails with its error output if it fails.
pub fn node<S: AsRef<std::ffi::OsStr>>(script: &str, args: &[S]) -> serde_json::Value {
    let output = std::process::Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(script))
        .args(args)
        .output()
        .expect("node runs (see .ci/run)");
    assert!(
        output.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON: {e}"))
}

/// The certificate `ЦПК-002/2024` of the `valid-csv` fixture as a person may type it from
/// paper: each form must find it by its lenient keys.
pub const TYPED_FORMS_OF_TSPK_002_2024: [&str; 6] = [
    "ЦПК 002 2024",
    "цпк-002-2024",
    "ЦПК0022024",
    "ЦПК.002.2024",
    "tspk-002-2024",
    "№ ЦПК–002/2024",
];
