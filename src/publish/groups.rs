//! Groups of published files that a long-running process's next publication may keep whole.
//!
//! A watcher's change at 100,000 centers keeps more than a million files, and looking each
//! one up in the manifest by its path cost a quarter of a second a change. The renderer
//! names the files of a group once (a center's pages with its certificates' in a language, a
//! list's pages), under a key of everything they were rendered from; the next publication
//! that finds the same key keeps them all at once, by their places in the manifest.
//!
//! Groups live only in memory, beside the manifest kept in a [`super::PublishedCache`]: a
//! manifest read from disk has none, and then every file is looked up by its path again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Manifest;

/// The places of a group's files in the manifest, and whether the publication in progress
/// kept it whole.
#[derive(Debug)]
pub(super) struct Group {
    pub(super) files: Box<[u32]>,
    kept: AtomicBool,
}

impl Group {
    /// Counts the group as kept whole by this publication.
    pub(super) fn keep(&self) {
        self.kept.store(true, Ordering::Relaxed);
    }
}

/// Each group's key → its files.
pub(super) type Groups = HashMap<u64, Group, ahash::RandomState>;

/// Where the entries of a manifest went when some of its paths were removed by
/// `swap_remove` (the last entry takes the removed one's place): mirrors those removals,
/// noting only the entries that moved or left (a few, in a manifest of a million).
#[derive(Debug)]
pub(super) struct Moves {
    len: u32,
    /// Place now → place before the removals, of each entry that moved.
    moved: HashMap<u32, u32, ahash::RandomState>,
    /// Places before the removals of the entries removed.
    removed: Vec<u32>,
    /// The manifest's length before the removals.
    before: usize,
}

impl Moves {
    pub(super) fn new(len: usize) -> Moves {
        Moves {
            len: len as u32,
            moved: HashMap::default(),
            removed: Vec::new(),
            before: len,
        }
    }

    /// The entry at `index` was removed with `swap_remove`.
    pub(super) fn swap_removed(&mut self, index: usize) {
        let (index, last) = (index as u32, self.len - 1);
        let origin = self.moved.remove(&index).unwrap_or(index);
        self.removed.push(origin);
        if index != last {
            let last_origin = self.moved.remove(&last).unwrap_or(last);
            self.moved.insert(index, last_origin);
        }
        self.len = last;
    }

    /// Each place before the removals that changed → its place after them (`None`: removed),
    /// and a bitmap of those places.
    fn places(&self) -> (HashMap<u32, Option<u32>, ahash::RandomState>, Vec<u64>) {
        let mut places = HashMap::default();
        let mut touched = vec![0u64; self.before.div_ceil(64)];
        let changes = self
            .moved
            .iter()
            .map(|(&now, &before)| (before, Some(now)))
            .chain(self.removed.iter().map(|&before| (before, None)));
        for (before, now) in changes {
            places.insert(before, now);
            touched[before as usize / 64] |= 1 << (before % 64);
        }
        (places, touched)
    }
}

/// The groups of the new manifest `published`: the last one's groups (`groups`, places in
/// the manifest before `moves`) that this publication kept whole, and those the renderer
/// named, where every file is in the manifest with a fingerprint (a file without one is not
/// trusted to be what was rendered, so its group is not kept whole next time).
pub(super) fn settle(
    mut groups: Groups,
    moves: Option<&Moves>,
    named: Vec<(u64, Vec<String>)>,
    published: &Manifest,
) -> Groups {
    groups.retain(|_, group| std::mem::take(group.kept.get_mut()));
    if let Some(moves) = moves {
        let (places, touched) = moves.places();
        let is_touched = |i: u32| touched[i as usize / 64] & (1 << (i % 64)) != 0;
        groups.retain(|_, group| {
            group.files.iter_mut().all(|file| {
                if !is_touched(*file) {
                    return true;
                }
                match places.get(file) {
                    Some(Some(now)) => {
                        *file = *now;
                        true
                    }
                    _ => false,
                }
            })
        });
    }
    for (key, paths) in named {
        let files = paths
            .iter()
            .map(|path| match published.get_full(path) {
                Some((index, _, Some(_))) => u32::try_from(index).ok(),
                _ => None,
            })
            .collect::<Option<Box<[u32]>>>();
        match files {
            Some(files) => {
                let kept = AtomicBool::new(false);
                groups.insert(key, Group { files, kept });
            }
            None => {
                groups.remove(&key);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(paths: &[&str]) -> Manifest {
        paths.iter().map(|p| (p.to_string(), Some(1))).collect()
    }

    fn group(files: &[u32]) -> Group {
        Group {
            files: files.into(),
            kept: AtomicBool::new(false),
        }
    }

    #[test]
    fn places_follow_swap_removals() {
        let paths = ["a", "b", "c", "d", "e", "f", "g"];
        let mut published = manifest(&paths);
        let mut moves = Moves::new(published.len());
        // g moves into b's place, then into a's; f into the place of e (the last).
        for path in ["b", "e", "a"] {
            let (index, _, _) = published.swap_remove_full(path).unwrap();
            moves.swap_removed(index);
        }
        let mut groups = Groups::default();
        groups.insert(1, group(&[2, 3, 6, 5])); // c, d, g, f
        groups.insert(2, group(&[1])); // b: removed
        groups.insert(3, group(&[0])); // a, not kept
        for key in [1, 2] {
            groups[&key].keep();
        }
        let named = vec![(4, vec!["g".to_owned()]), (5, vec!["zz".to_owned()])];
        let groups = settle(groups, Some(&moves), named, &published);
        let paths = |key: u64| -> Vec<&str> {
            groups[&key]
                .files
                .iter()
                .map(|&i| published.get_index(i as usize).unwrap().0.as_str())
                .collect()
        };
        assert_eq!(paths(1), ["c", "d", "g", "f"]);
        assert_eq!(paths(4), ["g"]);
        // A group with a removed file, one not kept, one naming a path not published.
        assert_eq!(groups.len(), 2);
        // Kept whole by the next publication only if it keeps it again.
        assert!(groups.values().all(|g| !g.kept.load(Ordering::Relaxed)));
    }

    #[test]
    fn a_file_without_a_fingerprint_is_never_kept_by_its_group() {
        let mut published = manifest(&["a", "b"]);
        published.insert("c".to_owned(), None);
        let named = vec![
            (1, vec!["a".to_owned(), "c".to_owned()]),
            (2, vec!["a".to_owned(), "b".to_owned()]),
        ];
        let groups = settle(Groups::default(), None, named, &published);
        assert!(!groups.contains_key(&1));
        assert_eq!(&*groups[&2].files, [0, 1]);
    }
}
