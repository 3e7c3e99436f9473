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
