//! What a long-running process (the watcher behind `watch` and `serve`) keeps from one build
//! to the next, so that a small change of the register costs little:
//!
//! - the tables of `data/`, by the content of their files (a file whose bytes did not change is
//!   not parsed again);
//! - the open-data records, by the fingerprint of what they show (`register.json` and the CSV
//!   files are assembled again from records, and only changed ones are serialized again);
//! - the search index's folded words of each center and its token shards, by what they were
//!   made from;
//! - the manifest of the last publication into the output folder (not read again from disk
//!   while the file is the one this process wrote).
//!
//! Everything here is a cache: a build with it publishes exactly the bytes a build without it
//! publishes (tests compare them).

use crate::publish::PublishedCache;
use crate::register::table::TableCache;
use crate::site::exports::RecordCache;
use crate::site::search::SearchCache;

#[derive(Debug, Default)]
pub struct Retained {
    pub tables: TableCache,
    pub records: RecordCache,
    pub search: SearchCache,
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
    use crate::site::BuildOptions;

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
        // A record of `register.json` and a row of a CSV file for each center and certificate.
        let registry = &report.site.checked.registry;
        assert_eq!(
            records,
            2 * (registry.centers.len() + registry.certificates.len())
        );
        assert!(retained.search.shards() > 0);
        assert!(retained.published.is_kept());
        // The next build, with nothing changed, takes the quick way and keeps it all.
        crate::site::build(root, out.path(), &watching).unwrap();
        assert_eq!(retained.records.len(), records);
        assert!(retained.published.is_kept());
    }
}
