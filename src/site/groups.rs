//! Groups of pages that a watcher's next build keeps whole when what they show did not
//! change: a center's pages with its certificates' in one language, a center's records in
//! the open data's JSON, a list's pages. A group's key covers everything its pages are
//! rendered from; the publication keeps its files by their places in the manifest (see
//! [`crate::publish::Sink::keep_group`]) and the renderer keeps what the rest of the build
//! needs of them: their URLs for the sitemap and how many pages they count for progress.
//!
//! Outside a watcher there is nothing to keep, and nothing here is made.

use std::sync::{Arc, Mutex};

/// A group of pages as the sitemap and the progress count see it (kept between a watcher's
/// builds, by the group's key).
#[derive(Debug)]
pub struct PageGroup {
    /// The permanent URLs of its HTML pages.
    urls: Vec<String>,
    /// The sum of their keys (the sitemap's key is a sum over every URL).
    url_sum: u64,
    /// Pages it counts for the build's progress.
    ticks: usize,
}

impl PageGroup {
    pub(crate) fn ticks(&self) -> usize {
        self.ticks
    }
}

/// The files and sitemap URLs of a group being rendered, named as they come (its pages may
/// be rendered on every core).
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    files: Mutex<Vec<String>>,
    urls: Mutex<Vec<String>>,
}

impl Recorder {
    /// Names `path` as a file of `group`, if the page is one's.
    pub(crate) fn name(group: Option<&Recorder>, path: &str) {
        if let Some(group) = group {
            group.file(path);
        }
    }

    pub(crate) fn file(&self, path: &str) {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_owned());
    }

    pub(crate) fn url(&self, permalink: String) {
        self.urls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(permalink);
    }

    /// The files named, and the group as the next build keeps it.
    pub(crate) fn finish(self, ticks: usize) -> (Vec<String>, PageGroup) {
        let files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        let urls = self.urls.into_inner().unwrap_or_else(|e| e.into_inner());
        let url_sum = urls
            .iter()
            .map(crate::retained::key_of)
            .fold(0, u64::wrapping_add);
        (
            files,
            PageGroup {
                urls,
                url_sum,
                ticks,
            },
        )
    }
}

/// The URLs of every HTML page of a build, for the sitemap: one by one, and by group.
#[derive(Debug, Default)]
pub(crate) struct SitemapUrls {
    urls: Vec<String>,
    groups: Vec<Arc<PageGroup>>,
}

impl SitemapUrls {
    pub(crate) fn with_capacity(capacity: usize) -> SitemapUrls {
        SitemapUrls {
            urls: Vec::with_capacity(capacity),
            groups: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, permalink: String) {
        self.urls.push(permalink);
    }

    pub(crate) fn push_group(&mut self, group: Arc<PageGroup>) {
        if !group.urls.is_empty() {
            self.groups.push(group);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.urls.len() + self.groups.iter().map(|g| g.urls.len()).sum::<usize>()
    }

    /// The sum of every URL's key (so that their order does not count).
    pub(crate) fn key_sum(&self) -> u64 {
        use rayon::prelude::*;
        let loose = self
            .urls
            .par_iter()
            .map(crate::retained::key_of)
            .reduce(|| 0, u64::wrapping_add);
        self.groups
            .iter()
            .map(|g| g.url_sum)
            .fold(loose, u64::wrapping_add)
    }

    /// Every URL, sorted.
    pub(crate) fn sorted(&self) -> Vec<&str> {
        use rayon::prelude::*;
        let mut all: Vec<&str> = Vec::with_capacity(self.len());
        all.extend(self.urls.iter().map(String::as_str));
        for group in &self.groups {
            all.extend(group.urls.iter().map(String::as_str));
        }
        all.par_sort_unstable();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_by_group_count_as_urls_one_by_one() {
        let urls = ["https://x.kz/b/", "https://x.kz/a/", "https://x.kz/c/"];
        let mut loose = SitemapUrls::default();
        for url in urls {
            loose.push(url.to_owned());
        }
        let recorder = Recorder::default();
        recorder.url(urls[0].to_owned());
        recorder.url(urls[2].to_owned());
        recorder.file("b/index.html");
        let (files, group) = recorder.finish(2);
        assert_eq!(files, ["b/index.html"]);
        assert_eq!(group.ticks(), 2);
        let mut grouped = SitemapUrls::default();
        grouped.push(urls[1].to_owned());
        grouped.push_group(Arc::new(group));
        assert_eq!(grouped.len(), 3);
        assert_eq!(grouped.key_sum(), loose.key_sum());
        assert_eq!(grouped.sorted(), loose.sorted());
        assert_eq!(loose.sorted(), [urls[1], urls[0], urls[2]]);
    }
}
