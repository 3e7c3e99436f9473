//! What identifies a version of a file without reading it: for the caches a long-running
//! process keeps between builds (the tables of `data/`, the manifest it published last).

use std::path::Path;
use std::time::{Duration, SystemTime};

/// What the file system says of a file: its length, device and inode, and the times of its
/// last write and last change of any kind. A write changes the last two, and the kernel sets
/// them (a program can set the time of the last write back, not the other).
///
/// The times are only as fine as the kernel's clock tick (milliseconds), so two writes of
/// the same length within one tick could share a stamp: a stamp taken when the file's last
/// write was recent is to be trusted only once it has settled (see [`FileStamp::settled`];
/// `git` guards its index the same way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileStamp {
    /// How long before a read a file's last write must be for its stamp to be trusted, by
    /// default.
    pub(crate) const SETTLE: Duration = Duration::from_secs(2);

    /// The stamp of the file at `path`, if there is one.
    pub(crate) fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
        })
    }

    /// This stamp, if the file it was taken of was last written `settle` or longer before
    /// `read_at` (taken before the stamp and the bytes were read): then the same stamp later
    /// means the same bytes.
    pub(crate) fn settled(self, read_at: SystemTime, settle: Duration) -> Option<FileStamp> {
        let written = self.modified?.max(self.changed_time());
        (written + settle < read_at).then_some(self)
    }

    #[cfg(unix)]
    fn changed_time(&self) -> SystemTime {
        let (seconds, nanoseconds) = self.changed;
        let since_epoch = Duration::new(
            u64::try_from(seconds).unwrap_or(0),
            u32::try_from(nanoseconds).unwrap_or(0),
        );
        std::time::UNIX_EPOCH + since_epoch
    }

    #[cfg(not(unix))]
    fn changed_time(&self) -> SystemTime {
        self.modified.unwrap_or(std::time::UNIX_EPOCH)
    }
}
