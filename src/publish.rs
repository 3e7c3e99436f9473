//! Publishing a rendered site into the output folder without ever breaking what is served.
//! Files arrive one by one from the renderer (a [`Sink`]); a [`Publication`] compares each with
//! what is published and **stages** only those whose bytes changed (in a staging folder inside
//! the output folder, so memory stays small whatever the size of the site). Nothing is visible
//! until [`Publication::commit`]: then each staged file is renamed over the old one (a reader
//! sees the old file or the new one, never a part of one), assets before the pages that
//! reference them, and files of the previous build that are no longer part of the site are
//! removed last. A build that fails stages, but never commits: the output folder stays exactly
//! as it was. Files that tizilim did not publish are never touched: it keeps a manifest of
//! what it published, with each file's fingerprint (see `site::fingerprint`), which lets the
//! next build skip rendering what cannot have changed. A publication that changed a few
//! entries of a large manifest appends them to a journal beside it instead of writing the
//! whole manifest again (a million lines at 100,000 centers); the journal is folded into the
//! manifest once it grows past an eighth of it.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

mod groups;

use crate::contain::{self, Entry};
use crate::stamp::FileStamp;
use groups::{Groups, Moves};

/// Published files: path → fingerprint (a million entries at 100,000 centers, hence a fast
/// hasher).
type Manifest = indexmap::IndexMap<String, Option<u64>, ahash::RandomState>;

/// The name of the manifest of published files, in the output folder.
pub const MANIFEST: &str = ".tizilim-published";
/// The paths a publication in progress adds to the manifest, in the output folder: while it
/// exists, the manifest names files that may be there and its fingerprints are not trusted.
pub const PENDING: &str = ".tizilim-published.pending";
/// Changes to the manifest since it was written, in the order they were made: lines like
/// the manifest's, and `TAB removed TAB PATH` for a path that left the site.
pub const JOURNAL: &str = ".tizilim-published.journal";
/// The key of the inputs of the last complete publication, in the output folder.
pub const SITE_KEY: &str = ".tizilim-published.key";
/// The lock file of the output folder (publications into it take turns).
pub const LOCK: &str = ".tizilim-lock";
/// The staging folder of a publication in progress, in the output folder.
pub const STAGING: &str = ".tizilim-staging";
/// A file of this many bytes or more is let go of on another thread when it is replaced
/// (see [`Publication::commit`]).
const LARGE: usize = 1 << 20;

/// Where rendered files go, one at a time, from any thread.
pub trait Sink: Sync {
    /// Whether the file at `path` was published with this fingerprint and is kept as it is
    /// (the renderer then does not render it). A sink that says yes counts it as part of the
    /// new site.
    fn keep(&self, path: &str, fingerprint: u64) -> bool;
    /// Takes a rendered file, with the fingerprint of what it was rendered from (if known).
    fn put(
        &self,
        path: String,
        fingerprint: Option<u64>,
        bytes: Vec<u8>,
    ) -> Result<(), PublishError>;
    /// [`Sink::put`] for a file given in parts, in order. A sink that writes files writes
    /// them one after the other, never joining them in memory (`register.json` is hundreds
    /// of megabytes at 100,000 centers).
    fn put_parts(
        &self,
        path: String,
        fingerprint: Option<u64>,
        parts: &[&[u8]],
    ) -> Result<(), PublishError> {
        self.put(path, fingerprint, parts.concat())
    }
    /// Whether the whole site was published from inputs with this key (then every file is
    /// kept and nothing needs rendering). The key is remembered for the next build.
    fn keep_all(&self, _site_key: u64) -> bool {
        false
    }
    /// Whether this sink keeps groups of files for the next build (then the renderer names
    /// each group's files with [`Sink::group`]).
    fn groups(&self) -> bool {
        false
    }
    /// Names the files of the group `key` (each given or kept in this build): the next build
    /// may keep them all with [`Sink::keep_group`].
    fn group(&self, _key: u64, _files: Vec<String>) {}
    /// Whether the last build named the group `key` and published each of its files as
    /// named then (the renderer then renders none of them). A sink that says yes counts them
    /// all as part of the new site.
    fn keep_group(&self, _key: u64) -> bool {
        false
    }
}

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

/// Collects a whole site in memory (for tests and small sites).
impl Sink for Mutex<SiteFiles> {
    fn keep(&self, _: &str, _: u64) -> bool {
        false
    }

    fn put(&self, path: String, _: Option<u64>, bytes: Vec<u8>) -> Result<(), PublishError> {
        checked_relative(&path)?;
        self.lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, bytes);
        Ok(())
    }
}

/// Renders and forgets (to check that a site renders): counts files and HTML pages.
#[derive(Debug, Default)]
pub struct Tally {
    pub files: std::sync::atomic::AtomicUsize,
    pub html_pages: std::sync::atomic::AtomicUsize,
}

impl Tally {
    fn count(&self, path: &str) {
        use std::sync::atomic::Ordering::Relaxed;
        self.files.fetch_add(1, Relaxed);
        if is_html(path) {
            self.html_pages.fetch_add(1, Relaxed);
        }
    }

    pub fn files(&self) -> usize {
        self.files.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn html_pages(&self) -> usize {
        self.html_pages.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Sink for Tally {
    fn keep(&self, _: &str, _: u64) -> bool {
        false
    }

    fn put(&self, path: String, _: Option<u64>, _: Vec<u8>) -> Result<(), PublishError> {
        checked_relative(&path)?;
        self.count(&path);
        Ok(())
    }
}

/// What a publication did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Paths written (new or changed): assets, then pages (each sorted); assets are in place
    /// before any page is.
    pub written: Vec<String>,
    /// Files rendered whose bytes were already published.
    pub unchanged: usize,
    /// Files not rendered at all: their fingerprint was the published one.
    pub skipped: usize,
    /// Paths of the previous publication that were removed.
    pub removed: Vec<String>,
    /// Files of the site, and of them HTML pages.
    pub files: usize,
    pub html_pages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("`{0}` is not a path inside the output folder")]
    BadPath(String),
    #[error("`{0}` is published twice")]
    Twice(String),
    #[error("verification: {} file(s) the fingerprints would have kept come out otherwise when rendered again: {}", .0.len(), .0.join(", "))]
    KeptButDifferent(Vec<String>),
    #[error("{0}: a folder of the site is a symbolic link or a file here; tizilim writes only into folders it made (remove it, and build again)")]
    NotAFolder(PathBuf),
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

/// A checked `/`-separated relative path as a path of this system.
fn relative_path(path: &str) -> PathBuf {
    path.split('/').collect()
}

/// A relative path made only of normal components.
fn checked_relative(path: &str) -> Result<PathBuf, PublishError> {
    let relative = Path::new(path);
    let normal = !path.is_empty()
        && !path.contains(['\\', '\n', '\t'])
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if normal {
        Ok(relative.to_owned())
    } else {
        Err(PublishError::BadPath(path.to_owned()))
    }
}

/// An HTML page (what the summary counts as pages).
fn is_html(path: &str) -> bool {
    path.ends_with(".html")
}

/// Pages last: everything a page may reference (styles, scripts, data, images) is in place
/// before the page that names it.
fn is_page(path: &str) -> bool {
    is_html(path) || path.ends_with(".xml")
}

/// Publishes `site` into `out_dir` (created if needed).
pub fn publish(site: &SiteFiles, out_dir: &Path) -> Result<PublishReport, PublishError> {
    let publication = Publication::begin(out_dir)?;
    for (path, bytes) in &site.files {
        publication.put(path.clone(), None, bytes.clone())?;
    }
    publication.commit()
}

/// The manifest of the last publication this process made, kept in memory for the next one
/// (see [`crate::retained`]): used instead of reading the file again as long as the file in
/// the output folder is the one written then.
#[derive(Debug, Default)]
pub struct PublishedCache {
    last: Mutex<Option<Published>>,
}

#[derive(Debug)]
struct Published {
    manifest: PathBuf,
    stamp: FileStamp,
    /// The journal beside the manifest, if there was one.
    journal: Option<FileStamp>,
    files: Manifest,
    groups: Groups,
}

impl PublishedCache {
    /// The manifest at `manifest`, if it is the one this process wrote last.
    fn take(&self, manifest: &Path) -> Option<(Manifest, Groups)> {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let published = last.take()?;
        let current = published.manifest == manifest
            && FileStamp::of(manifest).as_ref() == Some(&published.stamp)
            && FileStamp::of(&manifest.with_file_name(JOURNAL)) == published.journal
            && !manifest.with_file_name(PENDING).exists();
        current.then_some((published.files, published.groups))
    }

    /// Whether a manifest is kept (for tests).
    #[cfg(test)]
    pub(crate) fn is_kept(&self) -> bool {
        self.last.lock().map(|l| l.is_some()).unwrap_or_default()
    }

    /// Groups of files kept with the manifest (for tests).
    #[cfg(test)]
    pub(crate) fn groups(&self) -> usize {
        self.last
            .lock()
            .map(|l| l.as_ref().map_or(0, |p| p.groups.len()))
            .unwrap_or_default()
    }

    fn keep(&self, manifest: &Path, files: Manifest, groups: Groups) {
        let published = FileStamp::of(manifest).map(|stamp| Published {
            manifest: manifest.to_owned(),
            stamp,
            journal: FileStamp::of(&manifest.with_file_name(JOURNAL)),
            files,
            groups,
        });
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = published;
    }
}

/// A publication in progress into one output folder: see the module's documentation.
#[derive(Debug)]
pub struct Publication<'c> {
    /// Where the last publication's manifest may be kept in memory.
    cache: Option<&'c PublishedCache>,
    out_dir: PathBuf,
    staging: PathBuf,
    /// The previous publication (read when first needed), and which of its paths this one
    /// has been given so far.
    previous: std::sync::OnceLock<Previous>,
    /// Whether a pending list was there when it was read (an interrupted publication).
    interrupted: std::sync::atomic::AtomicBool,
    /// Whether the staging folder was made (or why it could not be).
    staging_ready: std::sync::OnceLock<Result<(), String>>,
    /// The folders this publication made last, on each thread (in the staging folder and
    /// the output folder).
    folders: Folders,
    /// The output folder's lock, once taken.
    lock: Mutex<Option<fs::File>>,
    /// Whether the output folder held no published file when the publication began (then
    /// there is nothing to compare a new file with).
    fresh: bool,
    state: Mutex<State>,
    committed: bool,
    /// Verification mode: see [`Publication::verifying`].
    verify: bool,
}

/// The previous publication's manifest, and a mark for each of its paths that this
/// publication has (kept or given again). Keeping a file only sets its mark: a change at
/// 100,000 centers keeps a million files, and these were once a million insertions into a
/// new map behind one lock.
#[derive(Debug)]
struct Previous {
    files: Manifest,
    has: Box<[std::sync::atomic::AtomicBool]>,
    /// The groups of its files (kept in memory only: see [`groups`]).
    groups: Groups,
}

impl Previous {
    fn new((files, groups): (Manifest, Groups)) -> Previous {
        let has = (0..files.len())
            .map(|_| std::sync::atomic::AtomicBool::new(false))
            .collect();
        Previous { files, has, groups }
    }

    /// Marks the path at `index` as this publication's; false if it already was.
    fn mark(&self, index: usize) -> bool {
        !self.has[index].swap(true, std::sync::atomic::Ordering::Relaxed)
    }

    /// How many of the previous publication's paths this one has, and how many of those are
    /// HTML pages.
    fn marked(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::Relaxed;
        (0..self.files.len())
            .into_par_iter()
            .filter(|&i| self.has[i].load(Relaxed))
            .map(|i| {
                let html = self
                    .files
                    .get_index(i)
                    .is_some_and(|(path, _)| is_html(path));
                (1, usize::from(html))
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    }

    /// The paths of the previous publication that this one does not have.
    fn left(&self) -> Vec<&String> {
        use std::sync::atomic::Ordering::Relaxed;
        (0..self.files.len())
            .into_par_iter()
            .filter(|&i| !self.has[i].load(Relaxed))
            .filter_map(|i| self.files.get_index(i).map(|(path, _)| path))
            .collect()
    }
}

#[derive(Debug, Default)]
struct State {
    /// The files given to `put` (path → fingerprint): written, or found unchanged.
    given: Manifest,
    /// Staged files (under the staging folder at the same path).
    staged: Vec<String>,
    /// Those of them of at least [`LARGE`] bytes.
    large: std::collections::HashSet<String>,
    /// Paths given that the last publication did not have, and how many of them are HTML
    /// pages (counted as they come, not by going over a million paths at the end).
    added: Vec<String>,
    added_html: usize,
    unchanged: usize,
    /// The key of this publication's inputs; when it is the published one, the files and
    /// HTML pages of the site (all kept).
    site_key: Option<u64>,
    all_kept: Option<(usize, usize)>,
    /// The groups named by the renderer, with their files (only with a cache to keep
    /// them in).
    groups: Vec<(u64, Vec<String>)>,
    /// In verification mode (see [`Publication::verifying`]): the files a build would have
    /// kept (all of them when the whole site would have been), and those of them whose new
    /// bytes are not the published ones.
    would_keep: std::collections::HashSet<String>,
    would_keep_all: bool,
    kept_but_different: Vec<String>,
}

impl<'c> Publication<'c> {
    /// Starts a publication into `out_dir`. Nothing is written until the first file is
    /// staged (a build that fails before does not even create the output folder). Another
    /// publication into the same folder (say `watch` and a `build` by hand) waits until this
    /// one is over.
    pub fn begin(out_dir: &Path) -> Result<Publication<'static>, PublishError> {
        Publication::begin_cached(out_dir, None)
    }

    /// [`Publication::begin`], keeping the manifest in `cache` (when given) for the next
    /// publication, and taking the last one from there.
    pub fn begin_cached(
        out_dir: &Path,
        cache: Option<&'c PublishedCache>,
    ) -> Result<Publication<'c>, PublishError> {
        let mut publication = Publication {
            cache,
            out_dir: out_dir.to_owned(),
            staging: out_dir.join(STAGING),
            previous: std::sync::OnceLock::new(),
            interrupted: std::sync::atomic::AtomicBool::new(false),
            staging_ready: std::sync::OnceLock::new(),
            folders: Folders::default(),
            lock: Mutex::new(None),
            fresh: false,
            state: Mutex::new(State::default()),
            committed: false,
            verify: false,
        };
        if out_dir.is_dir() {
            publication.hold_lock()?;
        }
        publication.fresh = holds_no_published_file(out_dir);
        Ok(publication)
    }

    /// This publication in verification mode: nothing is kept, every file is rendered, and
    /// each file the fingerprints would have kept must come out with exactly the published
    /// bytes, or the publication fails (naming them) before anything is published. It checks
    /// that incremental work never changes a byte.
    pub fn verifying(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Takes the output folder's lock (an advisory lock on `.tizilim-lock`, released when the
    /// publication ends, even by a crash), waiting for another publication to end.
    fn hold_lock(&self) -> Result<(), PublishError> {
        let mut lock = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if lock.is_none() {
            fs::create_dir_all(&self.out_dir).map_err(io(&self.out_dir))?;
            let path = self.out_dir.join(LOCK);
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(io(&path))?;
            file.lock().map_err(io(&path))?;
            *lock = Some(file);
        }
        Ok(())
    }

    /// Makes a fresh staging folder (and the output folder), once; a staging folder left by
    /// an interrupted publication is removed.
    fn prepare_staging(&self) -> Result<(), PublishError> {
        let ready = self.staging_ready.get_or_init(|| {
            self.hold_lock().map_err(|e| e.to_string())?;
            remove_folder(&self.staging).map_err(|e| e.to_string())?;
            fs::create_dir(&self.staging).map_err(|e| e.to_string())
        });
        ready.clone().map_err(|message| PublishError::Io {
            path: self.staging.clone(),
            source: std::io::Error::other(message),
        })
    }

    /// The last publication's manifest (read on first use).
    fn previous(&self) -> &Previous {
        self.previous.get_or_init(|| {
            let manifest = self.out_dir.join(MANIFEST);
            self.interrupted.store(
                self.out_dir.join(PENDING).exists(),
                std::sync::atomic::Ordering::Relaxed,
            );
            Previous::new(
                self.cache
                    .and_then(|cache| cache.take(&manifest))
                    .unwrap_or_else(|| (read_manifest(&self.out_dir), Groups::default())),
            )
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, path: String, fingerprint: Option<u64>) -> Result<(), PublishError> {
        let previous = self.previous();
        let published = previous.files.get_index_of(&path);
        if published.is_some_and(|index| !previous.mark(index)) {
            return Err(PublishError::Twice(path));
        }
        let mut state = self.state();
        let state = &mut *state;
        match state.given.entry(path) {
            indexmap::map::Entry::Occupied(e) => Err(PublishError::Twice(e.key().clone())),
            indexmap::map::Entry::Vacant(e) => {
                if published.is_none() {
                    state.added_html += usize::from(is_html(e.key()));
                    state.added.push(e.key().clone());
                }
                e.insert(fingerprint);
                Ok(())
            }
        }
    }

    /// Makes everything staged visible, removes what left the site, and records the new
    /// manifest.
    pub fn commit(mut self) -> Result<PublishReport, PublishError> {
        let mut state = std::mem::take(&mut *self.state());
        if !state.kept_but_different.is_empty() {
            state.kept_but_different.sort();
            return Err(PublishError::KeptButDifferent(state.kept_but_different));
        }
        if let Some((files, html_pages)) = state.all_kept {
            // The manifest, if it was read, is still the published one: keep it.
            if let (Some(cache), Some(previous)) = (self.cache, self.previous.take()) {
                let groups = groups::settle(previous.groups, None, state.groups, &previous.files);
                cache.keep(&self.out_dir.join(MANIFEST), previous.files, groups);
            }
            self.committed = true;
            remove_folder(&self.staging).map_err(io(&self.staging))?;
            return Ok(PublishReport {
                skipped: files,
                files,
                html_pages,
                ..PublishReport::default()
            });
        }
        let timings = crate::timings::Timings::from_env();
        // This publication's paths: those of the last one it has (kept, or given again), and
        // those it added.
        let (marked, marked_html) = self.previous().marked();
        let files = marked + state.added.len();
        let html_pages = marked_html + state.added_html;
        let kept = files - state.given.len();
        self.hold_lock()?;
        // From here until the end the output is not what any set of inputs published.
        let key_file = self.out_dir.join(SITE_KEY);
        remove_if_there(&key_file)?;
        // Until this publication is complete, a pending list names the files it adds: an
        // interrupted publication leaves nothing behind that a later one would not clean up,
        // and its fingerprints are not trusted (so nothing is skipped after one).
        // Paths of the previous publication that are not in this one: none when every path
        // of this one was there before and there are as many.
        let any_stale = marked != self.previous().files.len();
        // The same manifest: the same paths (none added, none left) with the same
        // fingerprints (those of the files given; a kept file's is the published one).
        let same_manifest = state.staged.is_empty()
            && state.added.is_empty()
            && !any_stale
            && state
                .given
                .iter()
                .all(|(path, fingerprint)| self.previous().files.get(path) == Some(fingerprint));
        if !same_manifest {
            write_manifest(
                &self.out_dir.join(PENDING),
                state.added.iter().map(|p| (p.as_str(), None)),
                0,
            )?;
        }
        timings.phase("commit: pending list");
        let mut report = PublishReport {
            unchanged: state.unchanged,
            skipped: kept,
            files,
            html_pages,
            ..PublishReport::default()
        };
        // What moves: a staged file whose folder is published moves alone; the others move
        // with the highest folder of theirs that is not published yet (a new center's folder,
        // or on a first build a whole section), in one rename. Assets go first, then what
        // holds a page: assets are in place no later than the pages that name them.
        let mut staged = state.staged;
        staged.sort_unstable();
        // Each folder on the way to a staged file is a real folder (then the file is renamed
        // into it) or missing (then the highest missing one is renamed into place whole): a
        // link or a file where a folder should be is an error before anything is published
        // (see `crate::contain`).
        let mut folder_exists: HashMap<String, bool> = HashMap::new();
        let mut moves: BTreeMap<String, bool> = BTreeMap::new();
        for path in &staged {
            let mut unit = path.as_str();
            for (at, _) in path.match_indices('/') {
                let folder = &path[..at];
                let exists = match folder_exists.get(folder) {
                    Some(&exists) => exists,
                    None => {
                        let dir = self.out_dir.join(relative_path(folder));
                        let exists = match contain::entry(&dir) {
                            Entry::Folder => true,
                            Entry::Missing => false,
                            Entry::File | Entry::Other => {
                                return Err(PublishError::NotAFolder(dir))
                            }
                        };
                        folder_exists.insert(folder.to_owned(), exists);
                        exists
                    }
                };
                if !exists {
                    unit = folder;
                    break;
                }
            }
            *moves.entry(unit.to_owned()).or_default() |= is_page(path);
        }
        // (A move never lies inside another: a path's highest new folder is the same for
        // every path under it.)
        // A large file replaced (`register.json` is a third of a gigabyte at 100,000 centers)
        // is held open while it is replaced, and let go of on another thread once all is
        // published: the kernel frees its memory when the last holder lets go, which took a
        // twentieth of a second of each change at 100,000 centers.
        let replaced = Mutex::new(Vec::new());
        let (assets, pages): (Vec<_>, Vec<_>) = moves.into_iter().partition(|(_, page)| !page);
        for group in [assets, pages] {
            group
                .par_iter()
                .try_for_each(|(unit, _)| -> Result<(), PublishError> {
                    let target = self.out_dir.join(relative_path(unit));
                    if let Some(dir) = target.parent() {
                        self.folders.make(dir)?;
                    }
                    if state.large.contains(unit) {
                        if let Ok(old) = fs::File::open(&target) {
                            replaced.lock().unwrap_or_else(|e| e.into_inner()).push(old);
                        }
                    }
                    fs::rename(self.staging.join(relative_path(unit)), &target).map_err(io(&target))
                })?;
        }
        timings.phase("commit: renames");
        let (assets, pages): (Vec<_>, Vec<_>) = staged.into_iter().partition(|p| !is_page(p));
        report.written = assets.into_iter().chain(pages).collect();
        let mut stale: Vec<String> = if any_stale {
            self.previous().left().into_iter().cloned().collect()
        } else {
            Vec::new()
        };
        stale.sort();
        // The journal's lines for them (whether or not the file was still there).
        let mut left = Vec::new();
        for path in &stale {
            left.extend_from_slice(b"\tremoved\t");
            left.extend_from_slice(path.as_bytes());
            left.push(b'\n');
            let Ok(relative) = checked_relative(path) else {
                continue; // a manifest edited by hand: never follow it out of the folder
            };
            let target = self.out_dir.join(relative);
            if !contain::through_real_folders(&self.out_dir, &target) {
                continue; // not the file tizilim published there: never removed through a link
            }
            match fs::remove_file(&target) {
                Ok(()) => report.removed.push(path.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&target)(e)),
            }
            remove_empty_parents(&target, &self.out_dir);
        }
        timings.phase("commit: stale files");
        // What changed, as journal lines: the files given (with their fingerprints) and the
        // paths that left. (Past an eighth of the last manifest's paths given, the whole
        // manifest is written: no journal lines are made for a first build's million paths.)
        let mut changes = Vec::new();
        let few = state.given.len() <= self.previous().files.len() / 8;
        if few && !same_manifest {
            for (path, fingerprint) in &state.given {
                push_line(&mut changes, path, *fingerprint);
            }
            changes.extend_from_slice(&left);
        }
        // This publication's manifest: the last one without the paths that left, with the
        // files given (a kept file's fingerprint is the published one).
        // (And where the files of the groups kept whole went: a removal moves the last path
        // into the removed one's place.)
        let (published, groups) = match self.previous.take() {
            Some(previous) if !previous.files.is_empty() => {
                let mut published = previous.files;
                let mut moves = (!stale.is_empty() && !previous.groups.is_empty())
                    .then(|| Moves::new(published.len()));
                for path in &stale {
                    if let Some((index, _, _)) = published.swap_remove_full(path) {
                        if let Some(moves) = &mut moves {
                            moves.swap_removed(index);
                        }
                    }
                }
                published.extend(state.given);
                let groups =
                    groups::settle(previous.groups, moves.as_ref(), state.groups, &published);
                (published, groups)
            }
            _ => {
                let groups = groups::settle(Groups::default(), None, state.groups, &state.given);
                (state.given, groups)
            }
        };
        let manifest = self.out_dir.join(MANIFEST);
        let journal = self.out_dir.join(JOURNAL);
        if !same_manifest {
            // Appended while the journal stays small beside the manifest; otherwise the
            // whole manifest is written and the journal folded in. (Until the pending list
            // is removed below, no fingerprint of either is trusted: an interruption while
            // they are written costs re-rendering, never a wrong page.)
            let size = |path: &Path| fs::metadata(path).map(|m| m.len()).ok();
            let journal_room = match (size(&manifest), size(&journal)) {
                (Some(whole), journaled) => {
                    journaled.unwrap_or(0) + changes.len() as u64 <= whole / 8
                }
                (None, _) => false,
            };
            if few && journal_room && !self.interrupted.load(std::sync::atomic::Ordering::Relaxed) {
                let mut file = fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&journal)
                    .map_err(io(&journal))?;
                file.write_all(&changes).map_err(io(&journal))?;
            } else {
                let files = published.iter().map(|(p, f)| (p.as_str(), *f));
                write_manifest(&manifest, files, published.len())?;
                remove_if_there(&journal)?;
            }
        }
        remove_if_there(&self.out_dir.join(PENDING))?;
        if let Some(key) = state.site_key {
            let text = format!("{key:016x} {files} {html_pages}\n");
            write_atomically(&key_file, text.as_bytes())?;
        }
        if let Some(cache) = self.cache {
            cache.keep(&manifest, published, groups);
        }
        timings.phase("commit: manifest");
        self.committed = true;
        remove_folder(&self.staging).map_err(io(&self.staging))?;
        let replaced = replaced.into_inner().unwrap_or_else(|e| e.into_inner());
        if !replaced.is_empty() {
            std::thread::spawn(move || drop(replaced));
        }
        Ok(report)
    }
}

impl Sink for Publication<'_> {
    fn keep_all(&self, site_key: u64) -> bool {
        // `KEY FILES HTML-PAGES`
        let published = fs::read_to_string(self.out_dir.join(SITE_KEY)).ok();
        let mut words = published.as_deref().unwrap_or_default().split_whitespace();
        let key = words.next().and_then(|w| u64::from_str_radix(w, 16).ok());
        let files = words.next().and_then(|w| w.parse::<usize>().ok());
        let html_pages = words.next().and_then(|w| w.parse::<usize>().ok());
        let mut state = self.state();
        state.site_key = Some(site_key);
        match (key, files, html_pages) {
            (Some(key), Some(files), Some(html_pages))
                // (Nothing given or kept yet: the last manifest is not even read.)
                if key == site_key
                    && state.given.is_empty()
                    && self.previous.get().is_none()
                    && self.out_dir.join(MANIFEST).is_file() =>
            {
                if self.verify {
                    state.would_keep_all = true;
                    return false;
                }
                state.all_kept = Some((files, html_pages));
                true
            }
            _ => false,
        }
    }

    fn groups(&self) -> bool {
        self.cache.is_some()
    }

    fn group(&self, key: u64, files: Vec<String>) {
        if self.cache.is_some() {
            self.state().groups.push((key, files));
        }
    }

    fn keep_group(&self, key: u64) -> bool {
        let previous = self.previous();
        let Some(group) = previous.groups.get(&key) else {
            return false;
        };
        if self.verify {
            let paths = group
                .files
                .iter()
                .filter_map(|&index| previous.files.get_index(index as usize))
                .map(|(path, _)| path.clone());
            self.state().would_keep.extend(paths);
            return false;
        }
        for &index in &group.files {
            previous.mark(index as usize);
        }
        group.keep();
        true
    }

    fn keep(&self, path: &str, fingerprint: u64) -> bool {
        let previous = self.previous();
        if self.verify {
            let published = previous.files.get(path);
            if published.is_some_and(|published| *published == Some(fingerprint)) {
                self.state().would_keep.insert(path.to_owned());
            }
            return false;
        }
        // (Marked already: given twice, which `put` will say.)
        previous
            .files
            .get_full(path)
            .is_some_and(|(index, _, published)| {
                *published == Some(fingerprint) && previous.mark(index)
            })
    }

    fn put(
        &self,
        path: String,
        fingerprint: Option<u64>,
        bytes: Vec<u8>,
    ) -> Result<(), PublishError> {
        self.put_parts(path, fingerprint, &[&bytes])
    }

    fn put_parts(
        &self,
        path: String,
        fingerprint: Option<u64>,
        parts: &[&[u8]],
    ) -> Result<(), PublishError> {
        let relative = checked_relative(&path)?;
        let target = self.out_dir.join(relative);
        // (A file of another length is not read: `register.json` is hundreds of megabytes.)
        let length: usize = parts.iter().map(|p| p.len()).sum();
        let same_length =
            !self.fresh && fs::metadata(&target).is_ok_and(|m| m.len() == length as u64);
        let same = same_length && same_bytes(&target, parts);
        if self.verify && !same {
            let mut state = self.state();
            if state.would_keep_all || state.would_keep.contains(&path) {
                state.kept_but_different.push(path.clone());
            }
        }
        if same {
            self.record(path, fingerprint)?;
            self.state().unchanged += 1;
            return Ok(());
        }
        self.record(path.clone(), fingerprint)?;
        self.prepare_staging()?;
        let staged = self.staging.join(relative_path(&path));
        if let Some(dir) = staged.parent() {
            self.folders.make(dir)?;
        }
        write_file(&staged, parts)?;
        let mut state = self.state();
        if length >= LARGE {
            state.large.insert(path.clone());
        }
        state.staged.push(path);
        Ok(())
    }
}

/// Whether the file at `path` holds exactly `parts`, one after the other (read piece by
/// piece, not whole).
fn same_bytes(path: &Path, parts: &[&[u8]]) -> bool {
    use std::io::Read;
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut file = std::io::BufReader::with_capacity(1 << 20, file);
    let mut buffer = Vec::new();
    for part in parts {
        buffer.resize(part.len(), 0);
        if file.read_exact(&mut buffer).is_err() || buffer != *part {
            return false;
        }
    }
    // Nothing after the last part.
    file.read(&mut [0u8; 1]).is_ok_and(|n| n == 0)
}

impl Drop for Publication<'_> {
    /// A publication that was not committed leaves nothing behind but its staging folder's
    /// absence.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Removes a folder and everything in it, if it is there.
fn remove_folder(dir: &Path) -> std::io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Removes the file at `path` if there is one.
fn remove_if_there(path: &Path) -> Result<(), PublishError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path)(e)),
    }
}

/// Whether `out_dir` is missing or holds only a publication's own lock and staging folder.
fn holds_no_published_file(out_dir: &Path) -> bool {
    match fs::read_dir(out_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .all(|e| e.file_name() == LOCK || e.file_name() == STAGING),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// The folders a publication made last, on each thread: files often go into a folder the
/// file before went into (the records of `api/`, hundreds of thousands in two folders), and
/// the file system need not be asked to make it again (each ask walks the whole path; a full
/// build of 10,000 centers spent 4 % of its time making folders, about 1 % less with this).
/// Only the last few are remembered: the set of every folder made would be a hundred
/// megabytes at 100,000 centers.
#[derive(Debug)]
struct Folders {
    /// A number no other publication of this process has.
    publication: u64,
}

impl Default for Folders {
    fn default() -> Self {
        static PUBLICATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Folders {
            publication: PUBLICATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }
}

impl Folders {
    /// How many folders each thread remembers.
    const RECENT: usize = 4;

    /// Makes `dir` and its parents, unless this publication just made them on this thread.
    fn make(&self, dir: &Path) -> Result<(), PublishError> {
        thread_local! {
            static RECENT: std::cell::RefCell<std::collections::VecDeque<(u64, PathBuf)>> =
                const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
        }
        RECENT.with_borrow_mut(|recent| {
            if recent
                .iter()
                .any(|(publication, made)| *publication == self.publication && made == dir)
            {
                return Ok(());
            }
            make_folder(dir)?;
            if recent.len() == Self::RECENT {
                recent.pop_front();
            }
            recent.push_back((self.publication, dir.to_owned()));
            Ok(())
        })
    }
}

/// Makes `dir` and its parents (which other threads may be making at the same time).
fn make_folder(dir: &Path) -> Result<(), PublishError> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(io(dir))
        }
        Err(e) => Err(io(dir)(e)),
    }
}

/// Whether the process's umask may take a bit of 0644 away (then each new file's mode is
/// looked at). Linux tells the umask in `/proc/self/status` (read once: the program never
/// changes its umask); elsewhere, or if that cannot be read, it may.
#[cfg(unix)]
fn umask_may_narrow_0644() -> bool {
    static NARROWS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *NARROWS.get_or_init(|| {
        let umask = fs::read_to_string("/proc/self/status").ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        });
        umask.is_none_or(|m| m & 0o644 != 0)
    })
}

/// Writes a new file of `parts` (one after the other), readable by every reader, such as the
/// web server's own user.
fn write_file(path: &Path, parts: &[&[u8]]) -> Result<(), PublishError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
    let mut file = options.open(path).map_err(io(path))?;
    write_all_parts(&mut file, parts).map_err(io(path))?;
    // The mode asked for is narrowed by the umask; a published file is for every reader.
    #[cfg(unix)]
    if umask_may_narrow_0644() {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(io(path))?.permissions().mode();
        if mode & 0o644 != 0o644 {
            file.set_permissions(fs::Permissions::from_mode(0o644))
                .map_err(io(path))?;
        }
    }
    Ok(())
}

/// Writes `parts` one after the other, many in each system call (`register.json` is hundreds
/// of thousands of records: copied into a buffer first, its third of a gigabyte would be
/// copied twice).
fn write_all_parts(file: &mut fs::File, parts: &[&[u8]]) -> std::io::Result<()> {
    use std::io::IoSlice;
    // Linux takes at most 1,024 slices a call.
    for batch in parts.chunks(1024) {
        let mut slices: Vec<IoSlice<'_>> = batch
            .iter()
            .filter(|part| !part.is_empty())
            .map(|part| IoSlice::new(part))
            .collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match file.write_vectored(rest) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(written) => IoSlice::advance_slices(&mut rest, written),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `target`, then renames it over `target`. (No
/// fsync per file: after a power loss the next build compares bytes and rewrites whatever is
/// not right.)
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let temp = dir.join(format!(".tizilim-{}.tmp", std::process::id()));
    let _ = fs::remove_file(&temp);
    write_file(&temp, &[bytes])?;
    fs::rename(&temp, target).map_err(io(target))
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

/// The manifest: one line per published file, its path, then a tab and its fingerprint in
/// hex when it has one. (Paths never hold a tab or a line break: see `checked_relative`.)
/// After an interrupted publication, the paths it was adding are in too, and no fingerprint.
fn read_manifest(out_dir: &Path) -> Manifest {
    let lines = |path: &Path| -> Vec<String> {
        fs::read_to_string(path)
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let mut manifest = Manifest::default();
    // The manifest, then the changes journaled since, in order. (A line cut short by an
    // interruption can only be the journal's last, and a pending list is then there too.)
    for line in lines(&out_dir.join(MANIFEST))
        .into_iter()
        .chain(lines(&out_dir.join(JOURNAL)))
    {
        if let Some(path) = line.strip_prefix("\tremoved\t") {
            manifest.swap_remove(path);
            continue;
        }
        match line.split_once('\t') {
            Some(("", _)) => {}
            Some((path, hex)) => {
                manifest.insert(path.to_owned(), u64::from_str_radix(hex, 16).ok());
            }
            None if line.is_empty() => {}
            None => {
                manifest.insert(line, None);
            }
        }
    }
    let pending = out_dir.join(PENDING);
    if pending.exists() {
        manifest
            .into_keys()
            .chain(lines(&pending).into_iter().filter(|l| !l.is_empty()))
            .map(|path| (path, None))
            .collect()
    } else {
        manifest
    }
}

/// Adds the manifest line of `path`: `PATH TAB HEX` (or `PATH` without a fingerprint).
fn push_line(text: &mut Vec<u8>, path: &str, fingerprint: Option<u64>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    text.extend_from_slice(path.as_bytes());
    if let Some(fingerprint) = fingerprint {
        text.push(b'\t');
        for shift in (0..16).rev() {
            text.push(HEX[(fingerprint >> (shift * 4)) as usize & 0xf]);
        }
    }
    text.push(b'\n');
}

/// Writes a manifest (or a pending list) at `path`. (In no particular order: sorting a
/// million paths costs more than it gives.)
fn write_manifest<'a>(
    path: &Path,
    files: impl Iterator<Item = (&'a str, Option<u64>)>,
    count: usize,
) -> Result<(), PublishError> {
    let files: Vec<(&str, Option<u64>)> = {
        let mut list = Vec::with_capacity(count);
        list.extend(files);
        list
    };
    // A million lines at 100,000 centers: written in parts on every core, then joined.
    let parts: Vec<Vec<u8>> = files
        .par_chunks(64 * 1024)
        .map(|part| {
            let mut text: Vec<u8> = Vec::with_capacity(part.len() * 72);
            for (path, fingerprint) in part {
                push_line(&mut text, path, *fingerprint);
            }
            text
        })
        .collect();
    write_atomically(path, &parts.concat())
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

    /// A large file is replaced whole, and a reader of the old one (a download under way)
    /// reads the old one to its end.
    #[test]
    fn a_large_file_replaced_is_whole_for_its_readers_old_and_new() {
        use std::io::Read;
        let out = tempfile::tempdir().unwrap();
        let old = "ә".repeat(LARGE);
        let new = "қ".repeat(LARGE);
        publish(&site(&[("data/register.json", &old)]), out.path()).unwrap();
        let path = out.path().join("data/register.json");
        let mut reading = fs::File::open(&path).unwrap();
        let mut start = vec![0; 1000];
        reading.read_exact(&mut start).unwrap();
        let report = publish(&site(&[("data/register.json", &new)]), out.path()).unwrap();
        assert_eq!(report.written, ["data/register.json"]);
        assert_eq!(fs::read_to_string(&path).unwrap(), new);
        let mut rest = Vec::new();
        reading.read_to_end(&mut rest).unwrap();
        start.extend(rest);
        assert_eq!(start, old.as_bytes());
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
                skipped: 0,
                removed: vec![],
                files: 3,
                html_pages: 2,
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

    /// Publishes `files` (path, fingerprint, text) through one publication.
    fn publish_keyed(out: &Path, cache: Option<&PublishedCache>, files: &[(&str, u64, &str)]) {
        let publication = Publication::begin_cached(out, cache).unwrap();
        for (path, fingerprint, text) in files {
            if !publication.keep(path, *fingerprint) {
                publication
                    .put(
                        (*path).to_owned(),
                        Some(*fingerprint),
                        text.as_bytes().to_vec(),
                    )
                    .unwrap();
            }
        }
        publication.commit().unwrap();
    }

    /// A small change of a large manifest is journaled, the manifest read back is the one
    /// published, and a journal grown past an eighth of the manifest is folded into it.
    #[test]
    fn small_changes_are_journaled_and_folded_in() {
        let out = tempfile::tempdir().unwrap();
        let paths: Vec<String> = (0..200)
            .map(|i| format!("centers/{i:012}/index.html"))
            .collect();
        let mut files: Vec<(&str, u64, &str)> =
            paths.iter().map(|p| (p.as_str(), 1, "Әділет")).collect();
        publish_keyed(out.path(), None, &files);
        let manifest = fs::read(out.path().join(MANIFEST)).unwrap();
        assert!(!out.path().join(JOURNAL).exists());
        // One page changes, one leaves: two journal lines, the manifest as it was.
        files[0].1 = 2;
        files[0].2 = "Әділет орталығы";
        let gone = files.pop().unwrap().0.to_owned();
        publish_keyed(out.path(), None, &files);
        assert_eq!(fs::read(out.path().join(MANIFEST)).unwrap(), manifest);
        let journal = fs::read_to_string(out.path().join(JOURNAL)).unwrap();
        assert_eq!(
            journal,
            format!("{}\t0000000000000002\n\tremoved\t{gone}\n", files[0].0)
        );
        let read = read_manifest(out.path());
        assert_eq!(read.len(), 199);
        assert_eq!(read[files[0].0], Some(2));
        assert_eq!(read[files[1].0], Some(1));
        assert!(!read.contains_key(&gone));
        assert!(!out.path().join(&gone).exists());
        // The next build trusts the journaled fingerprint: nothing is written.
        let publication = Publication::begin(out.path()).unwrap();
        assert!(publication.keep(files[0].0, 2));
        drop(publication);
        // Changes enough to outgrow an eighth of the manifest: folded in.
        for file in files.iter_mut().take(40) {
            file.1 = 3;
        }
        publish_keyed(out.path(), None, &files);
        assert!(!out.path().join(JOURNAL).exists());
        let read = read_manifest(out.path());
        assert_eq!(read.len(), 199);
        assert_eq!(read[files[0].0], Some(3));
        assert_eq!(read[files[100].0], Some(1));
        // After an interrupted publication (its pending list left behind, a journal there),
        // no fingerprint is trusted, and the next publication writes the whole manifest.
        files[1].1 = 4;
        publish_keyed(out.path(), None, &files);
        assert!(out.path().join(JOURNAL).exists());
        fs::write(out.path().join(PENDING), "new.html\n").unwrap();
        let read = read_manifest(out.path());
        assert_eq!(read.len(), 200);
        assert!(read.values().all(Option::is_none));
        publish_keyed(out.path(), None, &files);
        assert!(!out.path().join(JOURNAL).exists());
        assert!(!out.path().join(PENDING).exists());
        let read = read_manifest(out.path());
        assert_eq!((read.len(), read[files[1].0]), (199, Some(4)));
    }

    /// A manifest kept in memory is not used once the journal changed behind this process's
    /// back (a build by hand appended to it).
    #[test]
    fn a_kept_manifest_is_not_used_after_the_journal_changed() {
        let out = tempfile::tempdir().unwrap();
        let cache = PublishedCache::default();
        let paths: Vec<String> = (0..100).map(|i| format!("p{i}.html")).collect();
        let mut files: Vec<(&str, u64, &str)> =
            paths.iter().map(|p| (p.as_str(), 1, "x")).collect();
        publish_keyed(out.path(), Some(&cache), &files);
        files[0].1 = 2;
        publish_keyed(out.path(), Some(&cache), &files);
        assert!(out.path().join(JOURNAL).exists());
        assert!(cache.is_kept());
        // Another process publishes the page again, with another fingerprint.
        files[0].1 = 3;
        publish_keyed(out.path(), None, &files);
        assert_eq!(
            cache
                .take(&out.path().join(MANIFEST))
                .map(|(m, _)| m[files[0].0]),
            None,
            "the kept manifest is stale"
        );
        assert_eq!(read_manifest(out.path())[files[0].0], Some(3));
    }

    /// A file given in parts is compared and written part by part, whatever the cut.
    #[test]
    fn a_file_in_parts_is_compared_and_written_whole() {
        let out = tempfile::tempdir().unwrap();
        let publish_parts = |parts: &[&[u8]]| {
            let publication = Publication::begin(out.path()).unwrap();
            publication
                .put_parts("data/register.json".into(), None, parts)
                .unwrap();
            publication.commit().unwrap()
        };
        let report = publish_parts(&[b"{\"centers\":[", b"1", b",", b"2", b"]}"]);
        assert_eq!(report.written, ["data/register.json"]);
        let written = fs::read(out.path().join("data/register.json")).unwrap();
        assert_eq!(written, b"{\"centers\":[1,2]}");
        // The same bytes, cut elsewhere: unchanged.
        let report = publish_parts(&[b"{\"cen", b"ters\":[1,2]}"]);
        assert_eq!((report.written.len(), report.unchanged), (0, 1));
        // As long, other bytes (in the last part, or one byte more at the end): written.
        let report = publish_parts(&[b"{\"centers\":[", b"1,3]}"]);
        assert_eq!(report.written, ["data/register.json"]);
        assert!(!same_bytes(
            &out.path().join("data/register.json"),
            &[b"{\"centers\":[1,3]"]
        ));
        assert_eq!(
            fs::read(out.path().join("data/register.json")).unwrap(),
            b"{\"centers\":[1,3]}"
        );
        // More parts than one system call takes, empty ones among them (a whole batch too).
        let records: Vec<String> = (0..5000).map(|i| format!("{{\"n\":{i}}}")).collect();
        let mut parts: Vec<&[u8]> = vec![b"["];
        for (i, record) in records.iter().enumerate() {
            parts.push(if i > 0 { b"," } else { b"" });
            parts.push(record.as_bytes());
        }
        parts.extend(std::iter::repeat_n(&b""[..], 2048));
        parts.push(b"]");
        let report = publish_parts(&parts);
        assert_eq!(report.written, ["data/register.json"]);
        assert_eq!(
            fs::read(out.path().join("data/register.json")).unwrap(),
            parts.concat()
        );
    }

    #[test]
    fn after_an_interrupted_publication_its_files_are_known_and_no_fingerprint_is_trusted() {
        let out = tempfile::tempdir().unwrap();
        fs::write(
            out.path().join(MANIFEST),
            "a.html\t00000000000000ff\nb.css\n",
        )
        .unwrap();
        assert_eq!(read_manifest(out.path())["a.html"], Some(0xff));
        // A publication adding `c.html` stopped before it wrote the new manifest.
        fs::write(out.path().join(PENDING), "c.html\n").unwrap();
        let manifest = read_manifest(out.path());
        assert_eq!(manifest.len(), 3);
        assert!(manifest.values().all(Option::is_none), "{manifest:?}");
        // The next publication completes: the pending list is gone, `c.html` is removed.
        fs::write(out.path().join("c.html"), "half").unwrap();
        let report = publish(&site(&[("a.html", "A")]), out.path()).unwrap();
        assert_eq!(report.removed, ["c.html"]);
        assert!(!out.path().join(PENDING).exists());
        assert!(!out.path().join("c.html").exists());
    }

    #[test]
    fn a_kept_manifest_is_used_only_while_the_file_is_the_one_written() {
        let out = tempfile::tempdir().unwrap();
        let cache = PublishedCache::default();
        let publication = Publication::begin_cached(out.path(), Some(&cache)).unwrap();
        publication
            .put("a.html".into(), Some(1), b"A".to_vec())
            .unwrap();
        publication.commit().unwrap();
        let manifest = out.path().join(MANIFEST);
        assert_eq!(cache.take(&manifest).unwrap().0["a.html"], Some(1));
        // Taken once; written again by another process: the file is read instead.
        let publication = Publication::begin_cached(out.path(), Some(&cache)).unwrap();
        publication
            .put("a.html".into(), Some(2), b"A".to_vec())
            .unwrap();
        publication.commit().unwrap();
        fs::write(&manifest, "a.html\t0000000000000003\nb.html\n").unwrap();
        assert!(cache.take(&manifest).is_none());
        let publication = Publication::begin_cached(out.path(), Some(&cache)).unwrap();
        assert!(publication.keep("a.html", 3));
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

    #[test]
    fn nothing_is_visible_before_commit_and_nothing_is_left_after_an_abandoned_one() {
        let out = tempfile::tempdir().unwrap();
        publish(&site(&[("index.html", "<p>1</p>")]), out.path()).unwrap();
        let before = fs::read(out.path().join(MANIFEST)).unwrap();
        let publication = Publication::begin(out.path()).unwrap();
        publication
            .put("index.html".into(), Some(7), b"<p>2</p>".to_vec())
            .unwrap();
        publication
            .put("new/index.html".into(), Some(8), b"<p>3</p>".to_vec())
            .unwrap();
        assert_eq!(
            fs::read_to_string(out.path().join("index.html")).unwrap(),
            "<p>1</p>"
        );
        assert!(!out.path().join("new").exists());
        drop(publication); // a build that failed
        assert!(!out.path().join(STAGING).exists());
        assert!(!out.path().join("new").exists());
        assert_eq!(fs::read(out.path().join(MANIFEST)).unwrap(), before);

        // The same, committed; then a publication that keeps the fingerprinted page.
        let publication = Publication::begin(out.path()).unwrap();
        publication
            .put("index.html".into(), Some(7), b"<p>2</p>".to_vec())
            .unwrap();
        assert!(matches!(
            publication.put("index.html".into(), Some(7), b"<p>2</p>".to_vec()),
            Err(PublishError::Twice(_))
        ));
        publication.commit().unwrap();
        assert_eq!(
            fs::read_to_string(out.path().join("index.html")).unwrap(),
            "<p>2</p>"
        );
        let publication = Publication::begin(out.path()).unwrap();
        assert!(!publication.keep("index.html", 8), "another fingerprint");
        assert!(publication.keep("index.html", 7));
        let report = publication.commit().unwrap();
        assert_eq!((report.skipped, report.files), (1, 1));
        assert!(report.written.is_empty() && report.removed.is_empty());
        assert!(out.path().join("index.html").exists());
        // A file is the publication's once: kept twice, or kept and then given.
        let publication = Publication::begin(out.path()).unwrap();
        assert!(publication.keep("index.html", 7));
        assert!(!publication.keep("index.html", 7), "kept twice");
        assert!(matches!(
            publication.put("index.html".into(), Some(7), b"<p>2</p>".to_vec()),
            Err(PublishError::Twice(_))
        ));
        // A kept file stays in the manifest.
        let report = publication.commit().unwrap();
        assert_eq!((report.skipped, report.files), (1, 1));
        assert_eq!(read_manifest(out.path()).get("index.html"), Some(&Some(7)));
    }

    #[test]
    fn publications_into_one_folder_take_turns() {
        let out = tempfile::tempdir().unwrap();
        publish(&site(&[("index.html", "1")]), out.path()).unwrap();
        let first = Publication::begin(out.path()).unwrap();
        first.put("index.html".into(), None, b"2".to_vec()).unwrap();
        let (began, heard) = std::sync::mpsc::channel();
        let dir = out.path().to_owned();
        let second = std::thread::spawn(move || {
            let publication = Publication::begin(&dir).unwrap();
            began.send(()).unwrap();
            // It sees what the first one published, never its staging.
            let seen = fs::read_to_string(dir.join("index.html")).unwrap();
            publication.commit().unwrap();
            seen
        });
        assert!(
            heard
                .recv_timeout(std::time::Duration::from_millis(300))
                .is_err(),
            "the second publication began while the first was staging"
        );
        first.commit().unwrap();
        heard
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the second publication begins once the first is over");
        assert_eq!(second.join().unwrap(), "2");
    }
}
