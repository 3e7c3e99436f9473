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

/// A temporary site root: the valid CSV fixture with the tables of `tests/fixtures/errors/NAME`
/// laid over its `data/` (and the files named in its `remove.txt` removed).
pub fn error_site(name: &str) -> tempfile::TempDir {
    let dir = temp_site("valid-csv");
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
    match tizilim::read_site(root) {
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
