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
