//! The containment rule shared by the preview server and the publisher: a path of the site
//! lies inside its folder only through real folders. tizilim publishes regular files in
//! folders it made, never a symbolic link, so the server never follows a link it finds in the
//! output (a planted `404.html` pointing at `/etc/passwd` is not served) and the publisher
//! never writes, makes folders or deletes through one (a published folder replaced by a link
//! elsewhere is an error, not a way out).

use std::path::{Component, Path, PathBuf};

/// What is at a path, links not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Missing,
    Folder,
    File,
    /// A symbolic link (whatever it points at), or anything else that is neither a file
    /// nor a folder.
    Other,
}

/// What is at `path`, without following a link.
pub fn entry(path: &Path) -> Entry {
    match std::fs::symlink_metadata(path) {
        Err(_) => Entry::Missing,
        Ok(meta) if meta.file_type().is_dir() => Entry::Folder,
        Ok(meta) if meta.file_type().is_file() => Entry::File,
        Ok(_) => Entry::Other,
    }
}

/// `relative` (segments separated by `/`) joined onto `root`, if every segment is a plain
/// name: no `.`, `..`, root, drive prefix, backslash or NUL.
pub fn join(root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = root.to_owned();
    for segment in relative.split('/').filter(|s| !s.is_empty()) {
        let plain = !segment.contains(['\\', '\0'])
            && matches!(
                Path::new(segment).components().collect::<Vec<_>>()[..],
                [Component::Normal(_)]
            );
        if !plain {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// Whether every component of `path` below `root` that exists is a real folder (or, for
/// the last one, a real file): no symbolic link on the way. `path` must start with `root`.
pub fn through_real_folders(root: &Path, path: &Path) -> bool {
    let Ok(below) = path.strip_prefix(root) else {
        return false;
    };
    let mut at = root.to_owned();
    let mut components = below.components().peekable();
    while let Some(component) = components.next() {
        at.push(component);
        match entry(&at) {
            Entry::Missing => return true,
            Entry::Folder => {}
            Entry::File if components.peek().is_none() => {}
            Entry::File | Entry::Other => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_through_real_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("centers/1")).unwrap();
        std::fs::write(root.join("centers/1/index.html"), "x").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
            std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("404.html"))
                .unwrap();
        }
        let inside =
            |relative: &str| join(root, relative).is_some_and(|p| through_real_folders(root, &p));
        assert!(inside("centers/1/index.html"));
        assert!(inside("centers/1/"));
        assert!(inside("centers/2/index.html"), "a path yet to be made");
        assert!(!inside("centers/1/index.html/x"), "a file is no folder");
        for bad in ["../secret.txt", "centers/../x", "./x", "a\\b", "a\0b"] {
            assert_eq!(join(root, bad), None, "{bad:?}");
        }
        #[cfg(unix)]
        {
            assert!(!inside("link/secret.txt"));
            assert!(!inside("link"));
            assert!(!inside("404.html"));
            assert_eq!(entry(&root.join("404.html")), Entry::Other);
        }
        assert_eq!(entry(&root.join("centers")), Entry::Folder);
        assert_eq!(entry(&root.join("nothing")), Entry::Missing);
    }
}
