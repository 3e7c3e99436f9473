//! Publishing a rendered site into the output folder without ever breaking what is served:
//! only files whose bytes changed are written, each to a temporary file renamed over the old
//! one; assets go before the pages that reference them; files of the previous build that are
//! no longer part of the site are removed last. Files that tizilim did not publish are never
//! touched (it keeps a manifest of what it published).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The name of the manifest of published files, in the output folder.
pub const MANIFEST: &str = ".tizilim-published";

/// A rendered site in memory: relative output path (`/`-separated) → bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl SiteFiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the file at `path`.
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

/// What a publication did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Paths written (new or changed), in the order they were written.
    pub written: Vec<String>,
    pub unchanged: usize,
    /// Paths of the previous publication that were removed.
    pub removed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("`{0}` is not a path inside the output folder")]
    BadPath(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A relative path made only of normal components.
fn checked_relative(path: &str) -> Result<PathBuf, PublishError> {
    let relative = Path::new(path);
    let normal = !path.is_empty()
        && !path.contains('\\')
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if normal {
        Ok(relative.to_owned())
    } else {
        Err(PublishError::BadPath(path.to_owned()))
    }
}

/// Pages last: everything a page may reference (styles, scripts, data, images) is in place
/// before the page that names it.
fn is_page(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".xml")
}

/// Publishes `site` into `out_dir` (created if needed).
pub fn publish(site: &SiteFiles, out_dir: &Path) -> Result<PublishReport, PublishError> {
    let targets: Vec<(&str, PathBuf)> = site
        .files
        .keys()
        .map(|p| checked_relative(p).map(|rel| (p.as_str(), rel)))
        .collect::<Result<_, _>>()?;
    fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let previous = read_manifest(out_dir);
    // Until this publication is complete, the manifest names both the old files and the new
    // ones, so that an interrupted publication leaves nothing behind that a later one would
    // not clean up.
    write_manifest(
        out_dir,
        previous.iter().map(String::as_str).chain(site.paths()),
    )?;
    let mut report = PublishReport::default();
    let (assets, pages): (Vec<_>, Vec<_>) = targets.iter().partition(|(p, _)| !is_page(p));
    for (path, relative) in assets.into_iter().chain(pages) {
        let bytes = &site.files[*path];
        let target = out_dir.join(relative);
        if fs::read(&target).is_ok_and(|old| old == *bytes) {
            report.unchanged += 1;
            continue;
        }
        write_atomically(&target, bytes)?;
        report.written.push((*path).to_owned());
    }
    for stale in previous.iter().filter(|p| !site.files.contains_key(*p)) {
        let Ok(relative) = checked_relative(stale) else {
            continue; // a manifest edited by hand: never follow it out of the folder
        };
        let target = out_dir.join(relative);
        match fs::remove_file(&target) {
            Ok(()) => report.removed.push(stale.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&target)(e)),
        }
        remove_empty_parents(&target, out_dir);
    }
    write_manifest(out_dir, site.paths())?;
    Ok(report)
}

/// Writes `bytes` to a temporary file beside `target`, then renames it over `target`, so a
/// reader sees the old file or the new one, never a part of one. (No fsync per file: after a
/// power loss the next build compares bytes and rewrites whatever is not right.)
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io(dir))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".tizilim-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    temp.write_all(bytes).map_err(io(target))?;
    // Temporary files are private (0600); a published file is for every reader, such as the
    // web server's own user.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(io(target))?;
    }
    temp.persist(target).map_err(|e| io(target)(e.error))?;
    Ok(())
}

fn remove_empty_parents(file: &Path, root: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn read_manifest(out_dir: &Path) -> BTreeSet<String> {
    fs::read_to_string(out_dir.join(MANIFEST))
        .map(|text| {
            text.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn write_manifest<'a>(
    out_dir: &Path,
    paths: impl Iterator<Item = &'a str>,
) -> Result<(), PublishError> {
    let paths: BTreeSet<&str> = paths.collect();
    let mut text = String::new();
    for path in paths {
        text.push_str(path);
        text.push('\n');
    }
    write_atomically(&out_dir.join(MANIFEST), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> SiteFiles {
        let mut site = SiteFiles::new();
        for (path, text) in files {
            site.insert(*path, text.as_bytes());
        }
        site
    }

    #[test]
    fn writes_only_what_changed_and_removes_what_left() {
        let out = tempfile::tempdir().unwrap();
        let first = site(&[
            ("index.html", "<p>Тізілім</p>"),
            ("centers/190540001230/index.html", "<p>Әділет</p>"),
            ("style.css", "body{}"),
        ]);
        let report = publish(&first, out.path()).unwrap();
        // Assets before pages.
        assert_eq!(
            report.written,
            ["style.css", "centers/190540001230/index.html", "index.html"]
        );
        assert_eq!(
            publish(&first, out.path()).unwrap(),
            PublishReport {
                written: vec![],
                unchanged: 3,
                removed: vec![]
            }
        );

        let second = site(&[("index.html", "<p>Реестр</p>"), ("style.css", "body{}")]);
        let report = publish(&second, out.path()).unwrap();
        assert_eq!(report.written, ["index.html"]);
        assert_eq!(report.unchanged, 1);
        assert_eq!(report.removed, ["centers/190540001230/index.html"]);
        assert!(!out.path().join("centers").exists(), "empty folders go too");
        assert_eq!(
            fs::read_to_string(out.path().join("index.html")).unwrap(),
            "<p>Реестр</p>"
        );
    }

    #[test]
    fn files_it_did_not_publish_are_left_alone() {
        let out = tempfile::tempdir().unwrap();
        fs::write(out.path().join("operator.txt"), "оператор").unwrap();
        publish(&site(&[("a.html", "1")]), out.path()).unwrap();
        publish(&site(&[("b.html", "2")]), out.path()).unwrap();
        assert!(out.path().join("operator.txt").exists());
        assert!(!out.path().join("a.html").exists());
        let leftovers: Vec<_> = fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn paths_out_of_the_folder_are_refused_before_anything_is_written() {
        let out = tempfile::tempdir().unwrap();
        for bad in ["../x.html", "/etc/x", "a/../../x", "", "a\\..\\x"] {
            let result = publish(&site(&[("ok.html", "1"), (bad, "2")]), out.path());
            assert!(matches!(result, Err(PublishError::BadPath(_))), "{bad:?}");
        }
        assert!(!out.path().join("ok.html").exists());
    }
}
