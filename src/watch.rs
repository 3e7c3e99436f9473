//! The watcher: file events and the calendar drive the same pipeline as `build`.
//!
//! Folders are watched, not files, so that every way an editor saves is seen (in place,
//! truncate and write, write a temporary file and rename it over, delete and re-create, a whole
//! folder replaced). What is seen of each changed file decides when its change is published
//! ([`Seen`]):
//!
//! - **renamed into place** (the atomic save: write a temporary file, rename it over): whole.
//!   The rebuild starts a moment later ([`WatchOptions::whole_debounce`], so that a tool
//!   saving several files at once is seen as one change) and publishes as soon as it is done.
//! - **closed after writing**: probably whole, but a program may open it again and append
//!   (an export written in two steps). The rebuild starts as soon, but publishes only once
//!   the file has held still for [`WatchOptions::settle`] since its last event and is exactly
//!   as the build read it (the [`PublishGate`]); otherwise nothing is published and the
//!   watcher builds again. At scale the build takes longer than the settle time, so the wait
//!   costs nothing there.
//! - **being written** (no close seen): the rebuild waits for [`WatchOptions::debounce`] and
//!   for its size to stop changing, then passes the same gate.
//!
//! Statuses also change with the date alone, so the site is rebuilt at each midnight in
//! Asia/Almaty (every status boundary is one). A failed rebuild publishes nothing and the
//! watcher goes on. Between builds the watcher keeps what makes the next one cheap (see
//! [`crate::retained`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::register::dates::today_in_kazakhstan;
use crate::site::{self, BuildError, BuildOptions, BuildReport, PublishGate};
use crate::stamp::FileStamp;

/// The folders of a site root whose changes trigger a rebuild (with `config.toml`).
pub const INPUT_FOLDERS: [&str; 5] = ["data", "content", "themes", "templates", "static"];

/// Whether a file event on `path` should trigger a rebuild of the site root `root` that
/// publishes into `output`: a change of `config.toml` or of a file under an input folder,
/// but not of editor and office lock or temporary files, nor of the output itself.
pub fn is_relevant(path: &Path, root: &Path, output: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let mut components = relative.components();
    let Some(first) = components.next().and_then(|c| c.as_os_str().to_str()) else {
        return false;
    };
    let in_input = match first {
        "config.toml" => components.next().is_none(),
        folder => INPUT_FOLDERS.contains(&folder),
    };
    in_input && !is_scratch_file(path)
}

/// Files that editors and office programs write beside the real one while saving.
pub fn is_scratch_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return true;
    };
    name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with('~')
        || name.ends_with(".kate-swp")
        || name.ends_with(".tmp")
        || name.contains("___jb_tmp___")
        || name.contains("___jb_old___")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
        || name.starts_with(".~lock.")
        || name.starts_with("~$")
        || name.starts_with(".goutputstream-")
        || name == "4913" // vim checks that it may write in the folder
        || name == ".DS_Store"
}

/// What the watcher has seen of a changed file, which decides when its change is published
/// (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Renamed into place: whole.
    Renamed,
    /// Closed after writing: whole unless written to again within the settle time.
    Closed,
    /// Created, written to, removed or renamed away: a save may be going on.
    Written,
}

/// What is seen of the `position`-th path of an event of `kind`, when `before` was seen of
/// it: renamed into place (the new name of a rename), closed after writing, or, after a
/// change of its metadata alone (an editor setting its mode or times after saving), what was
/// seen before. Any other event may be part of a save still going on.
pub fn seen_after(kind: &EventKind, position: usize, before: Seen) -> Seen {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Seen::Closed,
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => Seen::Renamed,
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) if position == 1 => Seen::Renamed,
        EventKind::Modify(ModifyKind::Metadata(_)) => before,
        _ => Seen::Written,
    }
}

/// "Today", as the watcher sees it: the real date in Kazakhstan, or a test's.
pub trait Clock: Send + Sync {
    fn today(&self) -> NaiveDate;
}

/// The real date in Asia/Almaty.
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        today_in_kazakhstan()
    }
}

/// How to watch.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub root: PathBuf,
    pub output_dir: PathBuf,
    pub base_url: Option<String>,
    /// Hears how far each build's rendering has got.
    pub progress: site::Progress,
    /// Quiet time after the last event before rebuilding (and again before the sizes of the
    /// changed files are compared, to see that they stopped growing).
    pub debounce: Duration,
    /// Quiet time after the last event before rebuilding when every changed file was
    /// renamed into place or closed (see [`Seen`]): no size to wait for.
    pub whole_debounce: Duration,
    /// How long a file closed after writing (or being written) must hold still, since its
    /// last event, before a build that read it is published.
    pub settle: Duration,
    /// How often the watcher wakes without events (to see the date change and to stop).
    pub tick: Duration,
}

impl WatchOptions {
    pub fn new(root: PathBuf, output_dir: PathBuf) -> Self {
        WatchOptions {
            root,
            output_dir,
            base_url: None,
            progress: site::Progress::default(),
            debounce: Duration::from_millis(250),
            whole_debounce: Duration::from_millis(50),
            settle: Duration::from_millis(500),
            tick: Duration::from_secs(1),
        }
    }
}

/// Why a rebuild ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The first build.
    Start,
    /// Files changed (relative to the site root).
    Files(Vec<String>),
    /// The date changed: statuses are computed for a new day.
    Calendar(NaiveDate),
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trigger::Start => write!(f, "start"),
            Trigger::Files(files) if files.len() <= 3 => write!(f, "{}", files.join(", ")),
            Trigger::Files(files) => {
                write!(f, "{}, … ({} files)", files[..3].join(", "), files.len())
            }
            Trigger::Calendar(date) => write!(f, "new day {date}"),
        }
    }
}

/// What the watcher reports after each rebuild.
#[derive(Debug)]
pub enum WatchEvent {
    Built {
        trigger: Trigger,
        report: Box<BuildReport>,
    },
    Failed {
        trigger: Trigger,
        error: BuildError,
    },
    /// A file changed again while it was being built: nothing was published, and the
    /// watcher builds again.
    Superseded {
        trigger: Trigger,
    },
    /// The file watcher itself reported a problem; watching goes on.
    WatchError(String),
}

/// Watches and rebuilds until `stop` is set. `on_event` hears every rebuild.
pub fn watch(
    options: &WatchOptions,
    clock: &dyn Clock,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(WatchEvent),
) -> notify::Result<()> {
    let root = options
        .root
        .canonicalize()
        .unwrap_or_else(|_| options.root.clone());
    std::fs::create_dir_all(&options.output_dir).ok();
    let output = options
        .output_dir
        .canonicalize()
        .unwrap_or_else(|_| options.output_dir.clone());
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    let mut watched = BTreeSet::new();
    rewatch(&mut watcher, &root, &mut watched, on_event);

    // Tables, open-data records and the manifest, kept from one build to the next.
    let retained = std::sync::Arc::new(crate::retained::Retained::default());
    let build = |as_of: NaiveDate, gate: PublishGate| {
        let build_options = BuildOptions {
            base_url: options.base_url.clone(),
            as_of: Some(as_of),
            progress: options.progress.clone(),
            retained: Some(retained.clone()),
            gate,
            ..BuildOptions::default()
        };
        site::build(&options.root, &options.output_dir, &build_options)
    };
    let mut as_of = clock.today();
    report(
        build(as_of, PublishGate::default()),
        Trigger::Start,
        on_event,
    );

    // Each changed path, and what was seen of it.
    let mut pending: BTreeMap<PathBuf, Seen> = BTreeMap::new();
    let mut last_event = Instant::now();
    let mut settling: Option<Vec<(PathBuf, Option<u64>)>> = None;
    while !stop.load(Ordering::SeqCst) {
        // Wake for the rebuild that is due next, or at the next tick.
        let wait = if pending.is_empty() {
            options.tick
        } else {
            due_after(&pending, options)
                .saturating_sub(last_event.elapsed())
                .min(options.tick)
        };
        match rx.recv_timeout(wait) {
            Ok(Ok(event)) => {
                let closed = matches!(
                    event.kind,
                    EventKind::Access(AccessKind::Close(AccessMode::Write))
                );
                if matches!(event.kind, EventKind::Access(_)) && !closed {
                    continue;
                }
                let relevant: Vec<(PathBuf, Seen)> = event
                    .paths
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let p = absolute_under(&p, &root, &options.root);
                        let before = pending.get(&p).copied().unwrap_or(Seen::Written);
                        (p.clone(), seen_after(&event.kind, i, before))
                    })
                    .filter(|(p, _)| is_relevant(p, &root, &output))
                    // A file closed after writing is a change only if it was written to.
                    .filter(|(p, _)| !closed || pending.contains_key(p))
                    .collect();
                if relevant.is_empty() {
                    continue;
                }
                // A whole input folder may have been replaced: watch what is there now.
                if relevant
                    .iter()
                    .any(|(p, _)| p.parent() == Some(root.as_path()))
                {
                    rewatch(&mut watcher, &root, &mut watched, on_event);
                }
                pending.extend(relevant);
                last_event = Instant::now();
                settling = None;
            }
            Ok(Err(e)) => on_event(WatchEvent::WatchError(e.to_string())),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if !pending.is_empty() && last_event.elapsed() >= due_after(&pending, options) {
            // Files being written: rebuild only once they have stopped growing.
            if pending.values().any(|&seen| seen == Seen::Written) {
                let sizes: Vec<(PathBuf, Option<u64>)> = pending
                    .keys()
                    .map(|p| (p.clone(), std::fs::metadata(p).ok().map(|m| m.len())))
                    .collect();
                if settling.as_ref() != Some(&sizes) {
                    settling = Some(sizes);
                    last_event = Instant::now();
                    continue;
                }
            }
            let files: Vec<String> = pending
                .keys()
                .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
                .collect();
            // Files renamed into place are whole; the others must settle.
            let unsettled: Vec<(PathBuf, Seen)> = pending
                .iter()
                .filter(|(_, &seen)| seen != Seen::Renamed)
                .map(|(p, &seen)| (p.clone(), seen))
                .collect();
            let gate = settle_gate(&unsettled, last_event + options.settle);
            pending.clear();
            settling = None;
            as_of = clock.today();
            let trigger = Trigger::Files(files);
            match build(as_of, gate) {
                Err(BuildError::Superseded) => {
                    // Built again once the file holds still (its events are on their way, and
                    // it is pending again even if they were missed).
                    for (path, seen) in unsettled {
                        pending.entry(path).or_insert(seen);
                    }
                    last_event = Instant::now();
                    on_event(WatchEvent::Superseded { trigger });
                }
                result => report(result, trigger, on_event),
            }
        }
        let today = clock.today();
        if today != as_of {
            as_of = today;
            report(
                build(as_of, PublishGate::default()),
                Trigger::Calendar(today),
                on_event,
            );
        }
    }
    Ok(())
}

/// The gate of a build of changes (see [`PublishGate`]): each of the `unsettled` files (not
/// renamed into place) must be, once `quiet_until` has passed, exactly as it was when the
/// build began (its stamp is taken now, before the build reads it).
fn settle_gate(unsettled: &[(PathBuf, Seen)], quiet_until: Instant) -> PublishGate {
    let stamps: Vec<(PathBuf, Option<FileStamp>)> = unsettled
        .iter()
        .map(|(path, _)| (path.clone(), FileStamp::of(path)))
        .collect();
    if stamps.is_empty() {
        return PublishGate::default();
    }
    PublishGate::new(move || {
        std::thread::sleep(quiet_until.saturating_duration_since(Instant::now()));
        stamps
            .iter()
            .all(|(path, stamp)| FileStamp::of(path) == *stamp)
    })
}

/// How long after the last event the changes in `pending` are rebuilt.
fn due_after(pending: &BTreeMap<PathBuf, Seen>, options: &WatchOptions) -> Duration {
    if pending.values().all(|&seen| seen != Seen::Written) {
        options.whole_debounce
    } else {
        options.debounce
    }
}

fn report(
    result: Result<BuildReport, BuildError>,
    trigger: Trigger,
    on_event: &mut dyn FnMut(WatchEvent),
) {
    on_event(match result {
        Ok(report) => WatchEvent::Built {
            trigger,
            report: Box::new(report),
        },
        Err(error) => WatchEvent::Failed { trigger, error },
    });
}

/// Event paths are absolute; map them onto the canonical root when the root was given
/// through a symbolic link or relatively.
fn absolute_under(path: &Path, canonical_root: &Path, given_root: &Path) -> PathBuf {
    if path.starts_with(canonical_root) {
        return path.to_owned();
    }
    match path.strip_prefix(given_root) {
        Ok(rest) => canonical_root.join(rest),
        Err(_) => path.to_owned(),
    }
}

/// Watches the root itself (for `config.toml` and folders appearing or vanishing) and each
/// input folder that exists, recursively; forgets folders that are gone.
fn rewatch(
    watcher: &mut dyn Watcher,
    root: &Path,
    watched: &mut BTreeSet<PathBuf>,
    on_event: &mut dyn FnMut(WatchEvent),
) {
    if watched.insert(root.to_owned()) {
        if let Err(e) = watcher.watch(root, RecursiveMode::NonRecursive) {
            watched.remove(root);
            on_event(WatchEvent::WatchError(format!("{}: {e}", root.display())));
        }
    }
    for folder in INPUT_FOLDERS {
        let path = root.join(folder);
        let exists = path.is_dir();
        // A replaced folder is a new inode: watch it again.
        if watched.contains(&path) {
            let _ = watcher.unwatch(&path);
            watched.remove(&path);
        }
        if exists {
            match watcher.watch(&path, RecursiveMode::Recursive) {
                Ok(()) => {
                    watched.insert(path);
                }
                Err(e) => on_event(WatchEvent::WatchError(format!("{}: {e}", path.display()))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_events_trigger_a_rebuild() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        let cases = [
            ("/site/data/events.csv", true),
            ("/site/data/centers.json", true),
            ("/site/data", true),
            ("/site/config.toml", true),
            ("/site/content/about.ru.md", true),
            ("/site/themes/default/templates/center.html", true),
            ("/site/templates/center.html", true),
            ("/site/static/logo.svg", true),
            ("/site/data/.events.csv.swp", false),
            ("/site/data/events.csv~", false),
            ("/site/data/4913", false),
            ("/site/data/#events.csv#", false),
            ("/site/data/.#events.csv", false),
            ("/site/data/events.csv.kate-swp", false),
            ("/site/data/events.csv___jb_tmp___", false),
            ("/site/data/events.csv___jb_old___", false),
            ("/site/data/.~lock.events.csv#", false),
            ("/site/data/~$Тізілім.xlsx", false),
            ("/site/data/.goutputstream-ABC123", false),
            ("/site/public/index.html", false),
            ("/site/README.md", false),
            ("/site/config.toml.bak/x", false),
            ("/site/target/debug/x", false),
            ("/elsewhere/data/events.csv", false),
        ];
        for (path, expected) in cases {
            assert_eq!(is_relevant(Path::new(path), root, out), expected, "{path}");
        }
        // An output folder inside an input folder is still ignored.
        assert!(!is_relevant(
            Path::new("/site/static/out/x.html"),
            root,
            Path::new("/site/static/out")
        ));
    }

    #[test]
    fn what_each_event_says_of_a_file() {
        use notify::event::{CreateKind, DataChange, MetadataKind, RemoveKind};
        use Seen::{Closed, Renamed, Written};
        let close_write = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let close_read = EventKind::Access(AccessKind::Close(AccessMode::Read));
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let renamed_to = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        let renamed_from = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        let metadata = EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any));
        let both = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        // (event, path's position, seen before, seen after)
        let cases = [
            (close_write, 0, Written, Closed),
            (close_write, 0, Renamed, Closed),
            (close_read, 0, Written, Written),
            (open, 0, Written, Written),
            (EventKind::Create(CreateKind::File), 0, Written, Written),
            (data, 0, Written, Written),
            // Written to again after it was closed: a save in two steps.
            (data, 0, Closed, Written),
            (data, 0, Renamed, Written),
            (renamed_to, 0, Written, Renamed),
            (renamed_from, 0, Renamed, Written),
            // A rename with both names: the old one is gone, the new one is in place.
            (both, 0, Written, Written),
            (both, 1, Written, Renamed),
            // Mode or times set after saving: as before.
            (metadata, 0, Renamed, Renamed),
            (metadata, 0, Closed, Closed),
            (metadata, 0, Written, Written),
            (EventKind::Remove(RemoveKind::File), 0, Renamed, Written),
            (EventKind::Any, 0, Written, Written),
        ];
        for (kind, position, before, expected) in cases {
            assert_eq!(
                seen_after(&kind, position, before),
                expected,
                "{kind:?} path {position}, seen before: {before:?}"
            );
        }
    }

    #[test]
    fn triggers_read_well() {
        assert_eq!(
            Trigger::Files(vec!["data/events.csv".into()]).to_string(),
            "data/events.csv"
        );
        let many = Trigger::Files((1..=5).map(|i| format!("data/{i}.csv")).collect());
        assert_eq!(
            many.to_string(),
            "data/1.csv, data/2.csv, data/3.csv, … (5 files)"
        );
        assert_eq!(
            Trigger::Calendar(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()).to_string(),
            "new day 2026-11-26"
        );
    }
}
