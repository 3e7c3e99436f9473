//! What a long-running process (the watcher behind `watch` and `serve`) keeps from one build
//! to the next, so that a small change of the register costs little:
//!
//! - the tables of `data/`, by the content of their files (a file whose bytes did not change is
//!   not parsed again, and one whose stamp did not change is not read again), and the
//!   register checked without its status events (when only `events` changed, only the
//!   events are typed and checked again, into a register that shares the rest with it);
//! - the centers' own keys (what their families show but events), while the register shares
//!   the same tables;
//! - the open-data records in runs of a few hundred, by the fingerprints of what they show
//!   (`register.json` and the CSV files are assembled again from runs, and only a run with a
//!   changed record is serialized again);
//! - the search index's folded words of each center and its token shards, by what they were
//!   made from;
//! - the A–Z order of the centers in each language, by their names and BINs (sorting 100,000
//!   names takes a third of a second a language), and each center's entry in the lists of
//!   each language, by what it shows (making 100,000 entries again took a tenth of a second
//!   a language);
//! - the keys of the sitemap's parts, by the set of URLs it lists (sorting 700,000 URLs takes a
//!   tenth of a second, and a status change seldom adds or removes a page);
//! - groups of pages (a center's pages with its certificates' in a language, a list's pages),
//!   by a key of what they show, with their sitemap URLs, and the places of their files in
//!   the manifest: a group whose key did not change is kept whole, without looking up each
//!   of its files (see [`crate::site::groups`]);
//! - the manifest of the last publication into the output folder (not read again from disk
//!   while the file is the one this process wrote).
//!
//! Everything here is a cache: a build with it publishes exactly the bytes a build without it
//! publishes (tests compare them).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::publish::PublishedCache;
use crate::register::table::TableCache;
use crate::site::exports::RecordCache;
use crate::site::search::SearchCache;

/// Values by their keys (themselves hashes), each with whether this build used it.
type Values<V> = HashMap<u64, Kept<V>, ahash::RandomState>;

/// A value kept from the last build.
#[derive(Debug)]
struct Kept<V> {
    value: V,
    /// Whether the build under way used it (then it is kept for the next one).
    used: AtomicBool,
}

/// Values one build made, by a key of what each was made from, for the next build.
#[derive(Debug)]
pub struct Memo<V> {
    values: Mutex<Values<V>>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            values: Mutex::new(Values::default()),
        }
    }
}

impl<V> Memo<V> {
    /// Values kept (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.values.lock().map(|v| v.len()).unwrap_or_default()
    }
}

#[cfg(test)]
impl<T: ?Sized> Memo<std::sync::Arc<T>> {
    /// Each value's address, by its key (for tests: a value kept from the last build is the
    /// same allocation).
    pub(crate) fn pointers(&self) -> HashMap<u64, usize> {
        let values = self.values.lock().unwrap();
        values
            .iter()
            .map(|(k, v)| (*k, std::sync::Arc::as_ptr(&v.value) as *const () as usize))
            .collect()
    }
}

/// One build's use of a [`Memo`] (or of none: then every value is made and nothing is kept).
/// When it ends, the memo keeps what this build used, or, if it used nothing (its files were
/// all kept as published), what the last build left.
///
/// A value found is only marked as used, where it is (a build at 100,000 centers finds
/// hundreds of thousands: moving each into another map under a lock cost a tenth of a
/// second of each status change); the values made are gathered apart.
pub(crate) struct MemoUse<'a, V> {
    memo: Option<&'a Memo<V>>,
    previous: Values<V>,
    made: Mutex<Vec<(u64, V)>>,
    used_any: AtomicBool,
}

impl<'a, V: Clone> MemoUse<'a, V> {
    pub(crate) fn new(memo: Option<&'a Memo<V>>) -> Self {
        let previous = memo
            .map(|m| std::mem::take(&mut *m.values.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default();
        MemoUse {
            memo,
            previous,
            made: Mutex::new(Vec::new()),
            used_any: AtomicBool::new(false),
        }
    }

    /// The value for `key` (computed only when there is a memo): the last build's, or made
    /// by `make`.
    pub(crate) fn get(&self, key: impl FnOnce() -> u64, make: impl FnOnce() -> V) -> V {
        if self.memo.is_none() {
            return make();
        }
        let key = key();
        match self.previous.get(&key) {
            Some(kept) => {
                self.mark(kept);
                kept.value.clone()
            }
            None => {
                let value = make();
                self.insert(key, value.clone());
                value
            }
        }
    }

    /// [`MemoUse::get`], with the key it computed (`None` without a memo: no key is made
    /// then), for what keys other memos by the same inputs.
    pub(crate) fn get_keyed(
        &self,
        key: impl FnOnce() -> u64,
        make: impl FnOnce() -> V,
    ) -> (V, Option<u64>) {
        let mut made = None;
        let value = self.get(|| *made.insert(key()), make);
        (value, made)
    }

    /// The last build's value for `key`, if there is one (not yet counted as used: see
    /// [`MemoUse::keep`]).
    pub(crate) fn peek(&self, key: u64) -> Option<V> {
        self.previous.get(&key).map(|kept| kept.value.clone())
    }

    /// Keeps the last build's value for `key` (if there is one) for the next build.
    pub(crate) fn keep(&self, key: u64) {
        if let Some(kept) = self.previous.get(&key) {
            self.mark(kept);
        }
    }

    /// Keeps `value` for `key` for the next build.
    pub(crate) fn insert(&self, key: u64, value: V) {
        if self.memo.is_some() {
            self.used_any.store(true, Ordering::Relaxed);
            self.made
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((key, value));
        }
    }

    fn mark(&self, kept: &Kept<V>) {
        // (Read first: most values are used once, and a store to each would be slower.)
        if !kept.used.load(Ordering::Relaxed) {
            kept.used.store(true, Ordering::Relaxed);
            if !self.used_any.load(Ordering::Relaxed) {
                self.used_any.store(true, Ordering::Relaxed);
            }
        }
    }

    /// Whether values are kept for the next build.
    pub(crate) fn is_kept(&self) -> bool {
        self.memo.is_some()
    }
}

impl<V> Drop for MemoUse<'_, V> {
    fn drop(&mut self) {
        let Some(memo) = self.memo else { return };
        let mut kept = std::mem::take(&mut self.previous);
        if *self.used_any.get_mut() {
            kept.retain(|_, kept| std::mem::take(kept.used.get_mut()));
            let made = std::mem::take(self.made.get_mut().unwrap_or_else(|e| e.into_inner()));
            for (key, value) in made {
                let used = AtomicBool::new(false);
                kept.insert(key, Kept { value, used });
            }
        }
        *memo.values.lock().unwrap_or_else(|e| e.into_inner()) = kept;
    }
}

/// A hash of `value`, for the keys of what is kept between builds (a [`Memo`]'s values, the
/// tables and the checked register of [`TableCache`]).
pub(crate) fn key_of(value: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = crate::site::fingerprint::hasher();
    value.hash(&mut hasher);
    hasher.finish()
}

#[derive(Debug, Default)]
pub struct Retained {
    pub tables: TableCache,
    /// The own keys of the centers (all their families show but events), by the tables they
    /// were made from (see [`crate::site::fingerprint::family_keys`]).
    pub own_keys: crate::site::fingerprint::OwnKeys,
    pub records: RecordCache,
    pub search: SearchCache,
    /// The A–Z order of the centers (their ids), by the names and BINs sorted.
    pub orders: Memo<std::sync::Arc<Vec<usize>>>,
    /// Each center as an entry of the lists, by its id, its family and the language's site
    /// key.
    pub items: Memo<std::sync::Arc<crate::site::views::CenterItem>>,
    /// The keys of the sitemap's parts, by the set of its URLs.
    pub sitemaps: Memo<std::sync::Arc<Vec<u64>>>,
    /// Groups of pages the publication may keep whole, by their keys (see
    /// [`crate::site::groups`]).
    pub groups: Memo<std::sync::Arc<crate::site::groups::PageGroup>>,
    pub published: PublishedCache,
    /// Whether a build has used this yet.
    used: std::sync::atomic::AtomicBool,
}

impl Retained {
    /// Whether this is the first build that uses it (and so finds it empty). The first build
    /// renders what is kept here even when nothing changed, so that the first change after a
    /// watcher starts is published as quickly as the next.
    pub fn first_build(&self) -> bool {
        !self.used.swap(true, std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::register::Status;
    use crate::site::BuildOptions;

    /// A memo keeps, for the next build, what this build found or made, and nothing else; a
    /// value only looked at is not kept; a build that used nothing leaves the memo as it was.
    #[test]
    fn a_memo_keeps_what_the_build_used() {
        let memo: Memo<Arc<str>> = Memo::default();
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = |text: &str| {
            made.fetch_add(1, Ordering::Relaxed);
            Arc::<str>::from(text)
        };
        let keys = |memo: &Memo<Arc<str>>| {
            let mut keys: Vec<u64> = memo.pointers().into_keys().collect();
            keys.sort_unstable();
            keys
        };
        {
            let first = MemoUse::new(Some(&memo));
            for key in 1..=4 {
                first.get(|| key, || make("ә"));
            }
        }
        assert_eq!(keys(&memo), [1, 2, 3, 4]);
        assert_eq!(made.load(Ordering::Relaxed), 4);
        let before = memo.pointers();
        {
            let second = MemoUse::new(Some(&memo));
            // Found (not made again), made, looked at only, kept without a look.
            assert_eq!(&*second.get(|| 1, || make("x")), "ә");
            second.get(|| 5, || make("ұ"));
            assert_eq!(second.peek(2).as_deref(), Some("ә"));
            assert_eq!(second.peek(6), None);
            second.keep(3);
            second.keep(7);
            second.insert(4, make("і"));
        }
        assert_eq!(made.load(Ordering::Relaxed), 6);
        assert_eq!(keys(&memo), [1, 3, 4, 5]);
        let after = memo.pointers();
        assert_eq!(
            after[&1], before[&1],
            "a value found is the same allocation"
        );
        assert_eq!(after[&3], before[&3]);
        assert_ne!(
            after[&4], before[&4],
            "a value given for a key replaces the last one"
        );
        {
            let third = MemoUse::new(Some(&memo));
            assert!(third.peek(5).is_some());
        }
        assert_eq!(
            keys(&memo),
            [1, 3, 4, 5],
            "a build that used nothing leaves it all"
        );
        {
            let fourth = MemoUse::new(Some(&memo));
            fourth.get(|| 3, || make("x"));
        }
        assert_eq!(keys(&memo), [3]);
        // Without a memo, every value is made.
        let none: MemoUse<'_, Arc<str>> = MemoUse::new(None);
        none.get(
            || unreachable!("no key is made without a memo"),
            || make("ү"),
        );
        assert_eq!(made.load(Ordering::Relaxed), 7);
    }

    /// A watcher started on a published site writes nothing, yet leaves everything it keeps
    /// filled for its next build.
    #[test]
    fn a_first_build_over_a_published_site_fills_what_is_kept() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = tempfile::tempdir().unwrap();
        let options = BuildOptions {
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 25),
            ..Default::default()
        };
        crate::site::build(root, out.path(), &options).unwrap();
        let retained = Arc::new(Retained::default());
        let watching = BuildOptions {
            retained: Some(retained.clone()),
            ..options
        };
        let report = crate::site::build(root, out.path(), &watching).unwrap();
        assert!(report.published.written.is_empty());
        assert_eq!(report.published.skipped, report.published.files);
        assert_eq!(retained.tables.len(), 6);
        let records = retained.records.len();
        // Runs of records of `register.json` and of rows of each CSV file: one for each few
        // hundred centers, and one for each few hundred certificates, in each.
        let registry = &report.site.checked.registry;
        let runs = |n: usize| n.div_ceil(crate::site::exports::RUN);
        assert_eq!(
            records,
            2 * (runs(registry.centers.len()) + runs(registry.certificates.len()))
        );
        assert!(retained.search.shards() > 0);
        assert!(retained.published.is_kept());
        // A group of pages for each center in each language, one of records for each
        // center, and one for each list in each language (the A–Z list, and each region's,
        // profession's and status's), each with the places of its files in the manifest.
        let lists = 1 + registry.regions.len() + registry.professions.len() + Status::ALL.len();
        let groups = 3 * (registry.centers.len() + lists) + registry.centers.len();
        assert_eq!(retained.groups.len(), groups);
        assert_eq!(retained.published.groups(), groups);
        // The next build, with nothing changed, takes the quick way and keeps it all.
        crate::site::build(root, out.path(), &watching).unwrap();
        assert_eq!(retained.records.len(), records);
        assert!(retained.published.is_kept());
        assert_eq!(retained.published.groups(), groups);
        // After a change of one center's event, every group but those that show it is kept
        // whole (and named again, with those that show it).
        let data = tempfile::tempdir().unwrap();
        for dir in ["data", "content", "themes"] {
            copy_tree(&root.join(dir), &data.path().join(dir));
        }
        std::fs::copy(root.join("config.toml"), data.path().join("config.toml")).unwrap();
        let events = data.path().join("data/events.csv");
        let mut text = std::fs::read_to_string(&events).unwrap();
        text.push_str("ЦПК-2024/051,2026-10-01,resumed,Бұзушылықтар жойылды,Нарушения устранены,Violations remedied,Приказ № 300-п\n");
        std::fs::write(&events, text).unwrap();
        let before = retained.groups.pointers();
        let report = crate::site::build(data.path(), out.path(), &watching).unwrap();
        assert!(!report.published.written.is_empty());
        assert_eq!(retained.published.groups(), groups);
        let after = retained.groups.pointers();
        let kept = after
            .iter()
            .filter(|(k, p)| before.get(k) == Some(p))
            .count();
        assert!(kept > groups * 3 / 4 && kept < groups, "{kept} of {groups}");
    }

    fn copy_tree(from: &Path, to: &Path) {
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.unwrap();
            let target = to.join(entry.path().strip_prefix(from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
}
