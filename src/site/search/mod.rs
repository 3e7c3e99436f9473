//! The search index: a static index built for this register, read by `search.js` from any
//! static server, fetching only the files a query needs.
//!
//! - `meta-LANG.HASH.json` (format `v` 3): the list of every other file (by content hash),
//!   facets (regions, statuses, profession codes, counts, and a region × status matrix), the
//!   width `fw` of a facet code in the shards, and the words too common to index.
//! - `d-N.HASH.json`: display records of 16 centers (ids are positions in A–Z order, so that
//!   names sharing a beginning share chunks); `dir-K.HASH.json` names 64 chunks each.
//! - `t-KEY.HASH.json`: folded words starting with KEY → the ids that have them (deltas in
//!   base 36), each one's region and status (`region × 8 + status` in base 36, `fw` digits
//!   each), and the professions whose name has the word
//!   (deltas of their positions, when there are any); a shard over 24 KB is split by a
//!   longer key. (Profession names are matched through the shards, not the meta file, which
//!   every query fetches: at 320 professions their words were four fifths of it.)
//! - `b-PREFIX.HASH.json`: BINs by their first 4 digits; `c-N.HASH.json`: certificate numbers
//!   under each of their lenient keys ([`crate::register::ident::lenient_keys`]), in hash
//!   buckets.
//! - `f-r-CODE.HASH.json`, `f-s-STATUS.HASH.json`, `f-p-N.HASH.json`: the ids of a region, a
//!   status or the Nth profession (a delta list or a bitset, whichever is smaller); a
//!   profession's with its counts by region × status (for the filters' counts).
//! - `w-N.HASH.json`: the ids of the Nth word too common for the shards (in more than one name
//!   in twenty), and their counts by region × status.
//!
//! Content hashes in names mean a rebuild never mixes old and new files, and files whose
//! content did not change keep their names (and are not rewritten).
//!
//! Each file is written twice: as JSON, and packed (`NAME.json.gz`, gzip). `search.js` fetches
//! the packed file and unpacks it with the browser's `DecompressionStream`, so a query
//! downloads a third as many bytes from a server that compresses nothing (as Pagefind's
//! files are compressed whatever the server); a browser without `DecompressionStream` fetches
//! the JSON. A server that sends the packed file with `Content-Encoding: gzip` (or that
//! compresses it once more) is fine too: the script unpacks only what starts as gzip does. With
//! both files side by side, nginx's `gzip_static` serves the packed one for the JSON as well.

pub mod fold;

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde_json::{json, Value};

use super::collate::a_to_z;
use super::render::content_hash;
use super::urls::Urls;
use crate::register::ident::lenient_keys;
use crate::register::{Lang, Registry, Status};
use crate::retained::{key_of, Memo, MemoUse};

/// Centers in one display chunk.
pub const CHUNK: usize = 16;
/// Chunk names in one directory file.
pub const CHUNKS_PER_DIRECTORY: usize = 64;
/// A token shard bigger than this is split by a longer key.
const SHARD_BYTES: usize = 24 * 1024;
/// Certificate numbers in one bucket, about.
const CERTIFICATES_PER_BUCKET: usize = 200;

/// What an index build keeps for the next one in a long-running process (see
/// [`crate::retained`]): the folded words of each center's names, the token shards, display
/// chunks, facet sets and the files of BINs and certificate numbers, by what they were made
/// from. After a one-line change only the files that hold what it touched are made again.
/// Only what the latest build used is kept.
#[derive(Debug, Default)]
pub struct SearchCache {
    words: Memo<Arc<BTreeSet<String>>>,
    shards: Memo<Shards>,
    /// Display chunks and facet sets.
    files: Memo<Arc<[u8]>>,
    /// Every file packed, by its JSON text.
    packed: Memo<Arc<[u8]>>,
    /// Every file's content hash (its name), by the key of what a memo made it from (or by
    /// its JSON text): the hash is FNV-1a, stable but a byte at a time, and the index is tens
    /// of megabytes at 100,000 centers.
    names: Memo<Arc<str>>,
    /// The A–Z order of the centers, by their names and BINs.
    order: Memo<Arc<Vec<usize>>>,
}

/// The shards of one two-letter key (or the files of BINs and certificate numbers): each
/// one's key and JSON text.
type Shards = Arc<Vec<(String, Arc<[u8]>)>>;

/// Tokens with the ids of the centers that have each.
type Tokens<'p> = Vec<(&'p str, &'p Vec<usize>)>;

impl SearchCache {
    /// Shards kept (for tests).
    #[cfg(test)]
    pub(crate) fn shards(&self) -> usize {
        self.shards.len()
    }
}

/// The index files (paths under the output root → bytes) and each language's meta file.
pub struct SearchIndex {
    pub files: Vec<(String, Arc<[u8]>)>,
    pub meta: BTreeMap<Lang, String>,
}

struct Files<'m> {
    files: Vec<(String, Arc<[u8]>)>,
    /// Each file's key in the memos of names and packed files, when there are memos: the key
    /// of what a memo made it from, or else the hash of its JSON text. (Hashing the tens of
    /// megabytes of the index on every build cost more than the names' memo saved.)
    keys: Vec<Option<u64>>,
    names: MemoUse<'m, Arc<str>>,
}

impl Files<'_> {
    /// Adds `search/PREFIX.HASH.json`; returns the hash.
    fn add(&mut self, prefix: &str, value: &Value) -> String {
        self.add_bytes(prefix, value.to_string().into_bytes().into(), None)
    }

    /// Adds `search/PREFIX.HASH.json` of JSON text `bytes`, made from what `made_from` is
    /// the key of (if given: the text is not hashed then); returns the hash.
    fn add_bytes(&mut self, prefix: &str, bytes: Arc<[u8]>, made_from: Option<u64>) -> String {
        let mut key = made_from;
        let hash = self
            .names
            .get(
                || *key.get_or_insert_with(|| key_of(&bytes[..])),
                || content_hash(&bytes)[..8].into(),
            )
            .to_string();
        self.files
            .push((format!("search/{prefix}.{hash}.json"), bytes));
        self.keys.push(key);
        hash
    }
}

/// `json` packed with gzip by libdeflate at its default level (the header carries no name and
/// no time: the same text always packs to the same bytes). Each thread keeps its compressor:
/// making one sets up tables of a few hundred kilobytes, and an index has thousands of files.
fn gzip(json: &[u8]) -> Vec<u8> {
    use libdeflater::{CompressionLvl, Compressor};
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Compressor> =
            std::cell::RefCell::new(Compressor::new(CompressionLvl::default()));
    }
    COMPRESSOR.with(|compressor| {
        let mut compressor = compressor.borrow_mut();
        // The bound is enough for any input; a larger buffer is tried should it not be.
        let mut room = compressor.gzip_compress_bound(json.len());
        loop {
            let mut packed = vec![0; room];
            if let Ok(length) = compressor.gzip_compress(json, &mut packed) {
                packed.truncate(length);
                return packed;
            }
            room *= 2;
        }
    })
}

fn base36(mut n: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Sorted ids as base-36 gaps joined by `.`.
fn deltas(ids: &[usize]) -> String {
    let mut previous = 0;
    let mut parts = Vec::with_capacity(ids.len());
    for (i, &id) in ids.iter().enumerate() {
        parts.push(base36(if i == 0 { id } else { id - previous }));
        previous = id;
    }
    parts.join(".")
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A set of ids: a delta list, or a bitset when that is smaller.
fn id_set(ids: &[usize], docs: usize) -> Value {
    let list = deltas(ids);
    let bitset_len = docs.div_ceil(8).div_ceil(3) * 4;
    if bitset_len < list.len() {
        let mut bits = vec![0u8; docs.div_ceil(8)];
        for &id in ids {
            bits[id / 8] |= 1 << (id % 8);
        }
        json!({ "bits": base64(&bits) })
    } else {
        json!({ "ids": list })
    }
}

/// Splits tokens into shards of at most [`SHARD_BYTES`] (where a longer key can help): each
/// shard's key and JSON text.
fn shard(
    tokens: Tokens,
    key: String,
    postings: &dyn Fn(&str, &[usize]) -> Value,
    out: &mut Vec<(String, Vec<u8>)>,
) {
    let value: serde_json::Map<String, Value> = tokens
        .iter()
        .map(|(t, ids)| ((*t).to_owned(), postings(t, ids)))
        .collect();
    // Serializing plain data cannot fail.
    let text = serde_json::to_vec(&value).unwrap_or_default();
    let depth = key.chars().count();
    if text.len() <= SHARD_BYTES
        || depth >= 4
        || tokens.iter().all(|(t, _)| t.chars().count() <= depth)
    {
        out.push((key, text));
        return;
    }
    let mut here = Vec::new();
    let mut deeper: BTreeMap<String, Tokens> = BTreeMap::new();
    for (token, ids) in tokens {
        if token.chars().count() <= depth {
            here.push((token, ids));
        } else {
            deeper
                .entry(token.chars().take(depth + 1).collect())
                .or_default()
                .push((token, ids));
        }
    }
    if !here.is_empty() {
        let value: serde_json::Map<String, Value> = here
            .iter()
            .map(|(t, ids)| ((*t).to_owned(), postings(t, ids)))
            .collect();
        out.push((key, serde_json::to_vec(&value).unwrap_or_default()));
    }
    for (longer, tokens) in deeper {
        shard(tokens, longer, postings, out);
    }
}

/// Builds the index of `registry` as of `as_of` for the languages of the site. `families`
/// are the keys of the centers' families ([`crate::site::fingerprint::family_keys`]): what
/// `cache` keeps of a center is taken again while its family's key is the same.
pub fn build_index(
    registry: &Registry,
    families: &[u64],
    as_of: NaiveDate,
    languages: &[Lang],
    urls: &Urls,
    cache: Option<&SearchCache>,
) -> SearchIndex {
    let words_memo = MemoUse::new(cache.map(|c| &c.words));
    let shards_memo = MemoUse::new(cache.map(|c| &c.shards));
    let files_memo = MemoUse::new(cache.map(|c| &c.files));
    let packed_memo = MemoUse::new(cache.map(|c| &c.packed));
    let order_memo = MemoUse::new(cache.map(|c| &c.order));
    let timings = crate::timings::Timings::from_env();
    let default_lang = languages.first().copied().unwrap_or(Lang::Kk);
    let entries: Vec<(&str, &str)> = registry
        .centers
        .iter()
        .map(|c| (c.name.get(default_lang), c.bin.as_str()))
        .collect();
    let order = a_to_z(&entries, &order_memo);
    let mut doc_of = vec![0; registry.centers.len()];
    for (doc, &center) in order.iter().enumerate() {
        doc_of[center] = doc;
    }
    let docs = order.len();
    let status_index = |s: Status| Status::ALL.iter().position(|&x| x == s).unwrap_or(0);
    let statuses: Vec<usize> = order
        .par_iter()
        .map(|&c| status_index(registry.center_status(c, as_of).0))
        .collect();
    let facet_code: Vec<usize> = order
        .iter()
        .zip(&statuses)
        .map(|(&c, &s)| registry.centers[c].region * 8 + s)
        .collect();
    // Each id's facet code (region × 8 + status) is written in base 36 with this many digits,
    // enough for the largest code (and at least 2), which the meta file states as `fw`.
    let facet_width = base36((registry.regions.len().max(1) * 8).saturating_sub(1))
        .len()
        .max(2);
    // The counts of a set of ids by region × status.
    let facet_matrix = |ids: &[usize]| -> Vec<Vec<usize>> {
        let mut matrix = vec![vec![0usize; Status::ALL.len()]; registry.regions.len()];
        for &doc in ids {
            matrix[facet_code[doc] / 8][facet_code[doc] % 8] += 1;
        }
        matrix
    };

    let mut files = Files {
        files: Vec::new(),
        keys: Vec::new(),
        names: MemoUse::new(cache.map(|c| &c.names)),
    };
    timings.phase("search: order and statuses");

    // Display records.
    let record = |c: usize| {
        let center = &registry.centers[c];
        (
            center.bin.as_str(),
            &center.name.kk,
            &center.name.ru,
            &center.name.en,
            center.region,
            statuses[doc_of[c]],
            &center.city,
        )
    };
    let chunks: Vec<(Arc<[u8]>, Option<u64>)> = order
        .par_chunks(CHUNK)
        .map(|centers| {
            // (A record shows its family, its region's place and its status.)
            let shown = |c: usize| (families[c], registry.centers[c].region, statuses[doc_of[c]]);
            files_memo.get_keyed(
                || key_of(("d", centers.iter().map(|&c| shown(c)).collect::<Vec<_>>())),
                || {
                    let records: Vec<Value> = centers.iter().map(|&c| json!(record(c))).collect();
                    Value::Array(records).to_string().into_bytes().into()
                },
            )
        })
        .collect();
    let chunk_hashes: Vec<String> = chunks
        .into_iter()
        .enumerate()
        .map(|(n, (text, key))| files.add_bytes(&format!("d-{n}"), text, key))
        .collect();

    // Chunk names, 64 to a directory file, so that the meta file stays small.
    let dir_hashes: Vec<String> = chunk_hashes
        .chunks(CHUNKS_PER_DIRECTORY)
        .enumerate()
        .map(|(k, hashes)| files.add(&format!("dir-{k}"), &json!(hashes)))
        .collect();

    timings.phase("search: display chunks");
    // Words of names and cities.
    let words: Vec<Arc<BTreeSet<String>>> = order
        .par_iter()
        .map(|&c| {
            let center = &registry.centers[c];
            // (The family holds the names and the city.)
            words_memo.get(
                || key_of(("w", families[c])),
                || {
                    let mut words = BTreeSet::new();
                    for lang in Lang::ALL {
                        if let Some(name) = center.name.in_lang(lang) {
                            words.extend(fold::tokens(name));
                        }
                    }
                    if let Some(city) = &center.city {
                        words.extend(fold::tokens(city));
                    }
                    Arc::new(words)
                },
            )
        })
        .collect();
    timings.phase("search: words");
    // The words of profession names, with the professions that have each.
    let mut profession_words: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, profession) in registry.professions.iter().enumerate() {
        let mut words = BTreeSet::new();
        for lang in Lang::ALL {
            if let Some(name) = profession.name.in_lang(lang) {
                words.extend(fold::tokens(name));
            }
        }
        for word in words {
            profession_words.entry(word).or_default().push(i);
        }
    }
    // Each word's centers (in A–Z order: pushed in it), then sorted by word (a million
    // words at 100,000 centers, gathered without copying one).
    let mut gathered: std::collections::HashMap<&str, Vec<usize>, ahash::RandomState> =
        Default::default();
    for (doc, words) in words.iter().enumerate() {
        for word in words.iter() {
            gathered.entry(word.as_str()).or_default().push(doc);
        }
    }
    let mut postings: BTreeMap<&str, Vec<usize>> = gathered.into_iter().collect();
    // Words in more than one name in twenty would make their shards heavy: they leave the
    // postings, and each gets a file of its own, the set of its centers (a bitset at most),
    // fetched only for a query that has nothing rarer to go on.
    let common = (docs / 20).max(50);
    let stop: Vec<&str> = postings
        .iter()
        .filter(|(_, ids)| ids.len() > common)
        .map(|(t, _)| *t)
        .collect();
    // With the set, its counts by region and status, so that a query of that word alone
    // still shows counts by filter without fetching thousands of display records.
    let stop_hashes: Vec<String> = stop
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let ids = &postings[word];
            let mut set = id_set(ids, docs);
            set["matrix"] = json!(facet_matrix(ids));
            files.add(&format!("w-{i}"), &set)
        })
        .collect();
    postings.retain(|_, ids| ids.len() <= common);
    for word in profession_words.keys() {
        postings.entry(word.as_str()).or_default();
    }
    // Tokens by their first two letters: the tokens of a key are next to each other in
    // the sorted postings, so the groups come a run at a time, in the keys' order.
    let mut by_key: Vec<(String, Tokens)> = Vec::new();
    for (&token, ids) in &postings {
        let key = token
            .char_indices()
            .nth(2)
            .map_or(token, |(at, _)| &token[..at]);
        match by_key.last_mut() {
            Some((last, tokens)) if last == key => tokens.push((token, ids)),
            _ => by_key.push((key.to_owned(), vec![(token, ids)])),
        }
    }
    let encode = |token: &str, ids: &[usize]| -> Value {
        let facets: String = ids
            .iter()
            .map(|&d| format!("{:0>facet_width$}", base36(facet_code[d])))
            .collect();
        match profession_words.get(token) {
            Some(professions) => json!([deltas(ids), facets, deltas(professions)]),
            None => json!([deltas(ids), facets]),
        }
    };
    // The shards of each two-letter key, made again only when what they hold changed.
    let groups: Vec<(Shards, Option<u64>)> = by_key
        .into_par_iter()
        .map(|(key, tokens)| {
            shards_memo.get_keyed(
                || {
                    let mut hasher = crate::site::fingerprint::hasher();
                    key.hash(&mut hasher);
                    facet_width.hash(&mut hasher);
                    for (token, ids) in &tokens {
                        token.hash(&mut hasher);
                        ids.hash(&mut hasher);
                        for &doc in ids.iter() {
                            facet_code[doc].hash(&mut hasher);
                        }
                        profession_words.get(*token).hash(&mut hasher);
                    }
                    hasher.finish()
                },
                || {
                    let mut out = Vec::new();
                    shard(tokens.clone(), key.clone(), &encode, &mut out);
                    Arc::new(
                        out.into_iter()
                            .map(|(key, text)| (key, text.into()))
                            .collect(),
                    )
                },
            )
        })
        .collect();
    let shard_hashes: BTreeMap<String, String> = groups
        .iter()
        .flat_map(|(group, made_from)| {
            group
                .iter()
                .enumerate()
                .map(move |(i, shard)| (shard, made_from.map(|k| key_of((k, i)))))
        })
        .map(|((key, text), made_from)| {
            let name = files.add_bytes(&format!("t-{key}"), text.clone(), made_from);
            (key.clone(), name)
        })
        .collect();

    timings.phase("search: postings and shards");
    // BINs and certificate numbers (made again only when one of them, or a center's place
    // in A–Z, changed).
    let (identifiers, identifiers_key) = shards_memo.get_keyed(
        || {
            let bins: Vec<(&str, usize)> = registry
                .centers
                .iter()
                .enumerate()
                .map(|(c, center)| (center.bin.as_str(), doc_of[c]))
                .collect();
            let numbers: Vec<(&str, &str, usize)> = registry
                .certificates
                .iter()
                .map(|c| (c.number.as_str(), c.slug.as_str(), doc_of[c.center]))
                .collect();
            key_of(("identifiers", bins, numbers))
        },
        || {
            let mut out = Vec::new();
            let mut bins: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
            for (c, center) in registry.centers.iter().enumerate() {
                bins.entry(center.bin.as_str()[..4].to_owned())
                    .or_default()
                    .insert(center.bin.to_string(), doc_of[c]);
            }
            for (prefix, map) in &bins {
                out.push((
                    format!("b-{prefix}"),
                    json!(map).to_string().into_bytes().into(),
                ));
            }
            let buckets = registry
                .certificates
                .len()
                .div_ceil(CERTIFICATES_PER_BUCKET)
                .max(1);
            let mut certificate_buckets: Vec<BTreeMap<String, Vec<Value>>> =
                vec![BTreeMap::new(); buckets];
            for certificate in registry.certificates.iter() {
                for key in lenient_keys(&certificate.number) {
                    let bucket = fold::bucket_hash(&key) as usize % buckets;
                    certificate_buckets[bucket]
                        .entry(key)
                        .or_default()
                        .push(json!([
                            doc_of[certificate.center],
                            certificate.slug,
                            certificate.number
                        ]));
                }
            }
            for (n, map) in certificate_buckets.iter().enumerate() {
                out.push((format!("c-{n}"), json!(map).to_string().into_bytes().into()));
            }
            Arc::new(out)
        },
    );
    let mut bin_hashes: BTreeMap<String, String> = BTreeMap::new();
    let mut certificate_hashes: Vec<String> = Vec::new();
    for (i, (name, text)) in identifiers.iter().enumerate() {
        let made_from = identifiers_key.map(|k| key_of((k, i)));
        let hash = files.add_bytes(name, text.clone(), made_from);
        match name.strip_prefix("b-") {
            Some(prefix) => {
                bin_hashes.insert(prefix.to_owned(), hash);
            }
            None => certificate_hashes.push(hash),
        }
    }

    timings.phase("search: BINs and numbers");
    // Facets.
    let mut region_docs: Vec<Vec<usize>> = vec![Vec::new(); registry.regions.len()];
    let mut status_docs: Vec<Vec<usize>> = vec![Vec::new(); Status::ALL.len()];
    let mut matrix = vec![vec![0usize; Status::ALL.len()]; registry.regions.len()];
    for (doc, &c) in order.iter().enumerate() {
        let region = registry.centers[c].region;
        region_docs[region].push(doc);
        status_docs[statuses[doc]].push(doc);
        matrix[region][statuses[doc]] += 1;
    }
    let mut profession_docs: Vec<Vec<usize>> = vec![Vec::new(); registry.professions.len()];
    for certificate in registry.certificates.iter() {
        for item in &certificate.scope {
            profession_docs[item.profession].push(doc_of[certificate.center]);
        }
    }
    profession_docs.par_iter_mut().for_each(|ids| {
        ids.sort_unstable();
        ids.dedup();
    });
    // A set's text, made again only when its ids changed.
    let mut set_file = |name: String, ids: &[usize]| -> String {
        let (text, made_from) = files_memo.get_keyed(
            || key_of(("set", ids, docs)),
            || id_set(ids, docs).to_string().into_bytes().into(),
        );
        files.add_bytes(&name, text, made_from)
    };
    let region_hashes: Vec<String> = registry
        .regions
        .iter()
        .zip(&region_docs)
        .map(|(r, ids)| set_file(format!("f-r-{}", r.code), ids))
        .collect();
    let status_hashes: Vec<String> = Status::ALL
        .iter()
        .zip(&status_docs)
        .map(|(s, ids)| set_file(format!("f-s-{s}"), ids))
        .collect();
    // A profession's set, with its counts by region × status (so that a profession alone, as
    // a filter or named in the query, shows counts without fetching display records).
    let profession_hashes: Vec<String> = profession_docs
        .iter()
        .enumerate()
        .map(|(i, ids)| {
            let (text, made_from) = files_memo.get_keyed(
                || {
                    let facets: Vec<usize> = ids.iter().map(|&d| facet_code[d]).collect();
                    key_of(("profession", ids, facets, docs))
                },
                || {
                    let mut set = id_set(ids, docs);
                    set["matrix"] = json!(facet_matrix(ids));
                    set.to_string().into_bytes().into()
                },
            );
            files.add_bytes(&format!("f-p-{i}"), text, made_from)
        })
        .collect();

    timings.phase("search: facets");
    let mut meta = BTreeMap::new();
    for &lang in languages {
        let value = json!({
            "v": 3,
            "as_of": as_of,
            "fw": facet_width,
            "docs": docs,
            "chunk": CHUNK,
            "dir": CHUNKS_PER_DIRECTORY,
            "dirs": dir_hashes,
            "shards": shard_hashes,
            "bins": bin_hashes,
            "certs": certificate_hashes,
            "stop": stop,
            "stop_files": stop_hashes,
            "base": urls.link(None, "search/"),
            "centers": urls.link(Some(lang), "centers/"),
            "certificates": urls.link(Some(lang), "certificates/"),
            "regions": registry.regions.iter().enumerate().map(|(i, r)| {
                let mut words = BTreeSet::new();
                for l in Lang::ALL {
                    if let Some(name) = r.name.in_lang(l) {
                        words.extend(fold::tokens(name));
                    }
                }
                json!({ "code": r.code, "name": r.name.get(lang), "words": words, "count": region_docs[i].len(), "f": region_hashes[i] })
            }).collect::<Vec<_>>(),
            "statuses": Status::ALL.iter().enumerate().map(|(i, s)| json!({ "code": s, "count": status_docs[i].len(), "f": status_hashes[i] })).collect::<Vec<_>>(),
            // Codes, counts and file hashes (8 characters each, one string): the page's
            // list has the names, and the shards the words.
            "professions": {
                "codes": registry.professions.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
                "counts": profession_docs.iter().map(Vec::len).collect::<Vec<_>>(),
                "f": profession_hashes.concat(),
            },
            "matrix": matrix,
        });
        let hash = files.add(&format!("meta-{lang}"), &value);
        meta.insert(
            lang,
            urls.link(None, &format!("search/meta-{lang}.{hash}.json")),
        );
    }
    timings.phase("search: meta");
    let (mut files, keys) = (files.files, files.keys);
    let packed: Vec<(String, Arc<[u8]>)> = files
        .par_iter()
        .zip(keys)
        .map(|((path, json), key)| {
            let packed = packed_memo.get(
                || key.unwrap_or_else(|| key_of(&json[..])),
                || gzip(json).into(),
            );
            (format!("{path}.gz"), packed)
        })
        .collect();
    files.extend(packed);
    timings.phase("search: packed");
    SearchIndex { files, meta }
}

/// The file of test vectors that prove `search.js` folds exactly as this module does.
pub fn test_vectors() -> Value {
    let texts = [
        "Алматы",
        "Almaty",
        "Қарағанды",
        "Qaragandy",
        "Karaganda",
        "Өскемен",
        "Oskemen",
        "Усть-Каменогорск",
        "Шымкент",
        "Shymkent",
        "Жетісу",
        "Zhetysu",
        "Jetisu",
        "Ақтөбе",
        "Актобе",
        "Aqtöbe",
        "ТОО «Центр \"Алатау\"» — 2024/020",
        "Ёлка ёж",
        "Һәм Ұлы Дала",
        "Qazaq Biliktilik Ortalyğy",
        "Бәйтерек",
        "ЩУКА-ъъ Объём",
        "  a\tb\nc  ",
        "",
        "<img src=x onerror=alert(1)>",
        "Iñtërnâtiônàl",
        "ЦПК-2024/017",
        "№ KZ-AT-0012/2024",
        "Мастер декоративно-прикладного искусства",
        "Şymkent Çayhana",
        "O‘zbek",
        "Yesil Ишим",
    ];
    let numbers = [
        "№ KZ-AT-0012/2024",
        "КZ АТ 0012/2024",
        "ЦПК-2024/017",
        "цпк 2024 017",
        "QB/5",
        "ІР-6",
        "ір 6",
        "Аттестат №1",
        "ЦПК-2024/020",
        "ЦПК 2024 020",
        "ЦПК.2024.020",
        "цпк2024020",
        "tspk-2024-020",
        "№ ЦПК–2024/020",
        "No. ЦПК 2024/020",
        "NO ab-1",
        "Nova-1",
        "АВ-1",
        "ӘҒҚ-ҢӨҰ-ҮҺІ/7",
        "ЩУКА_ёж объём",
        "Qazaqstan-Ülgi-ğış",
        "  №12  ",
    ];
    json!({
        "fold": texts.iter().map(|t| json!([t, fold::tokens(t)])).collect::<Vec<_>>(),
        "number_keys": numbers.iter().map(|n| {
            let keys = lenient_keys(n);
            let hashes: Vec<u32> = keys.iter().map(|k| fold::bucket_hash(k)).collect();
            json!([n, keys, hashes])
        }).collect::<Vec<_>>(),
        "slug": numbers.iter().map(|n| json!([n, crate::register::ident::slug(n)])).collect::<Vec<_>>(),
        "one_edit": [["alatau", "alatu", true], ["alatau", "altaau", true], ["alatau", "altua", false], ["karaganda", "karagandi", true], ["almati", "almati", true], ["abc", "abcde", false]],
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::path::Path;

    use super::*;
    use crate::site::fingerprint::family_keys;

    /// The index of `registry` in every language (through `cache` when given).
    fn index_of(
        registry: &Registry,
        as_of: NaiveDate,
        urls: &Urls,
        cache: Option<&SearchCache>,
    ) -> SearchIndex {
        let families = family_keys(registry, None);
        build_index(registry, &families, as_of, &Lang::ALL, urls, cache)
    }

    /// The sample register, a build date and the URLs of a site.
    fn sample() -> (Registry, NaiveDate, Urls) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let registry = crate::register::load_registry(&root.join("data"), Path::new("data"), 3)
            .unwrap()
            .registry;
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        (registry, as_of, Urls::new("https://example.kz/", Lang::Kk))
    }

    /// Each file is named by the content hash of its JSON, whether the name was computed or
    /// kept from an earlier build.
    #[test]
    fn names_are_content_hashes_with_or_without_a_cache() {
        let (registry, as_of, urls) = sample();
        let plain = index_of(&registry, as_of, &urls, None);
        let cache = SearchCache::default();
        let first = index_of(&registry, as_of, &urls, Some(&cache));
        let kept = cache.names.len();
        let second = index_of(&registry, as_of, &urls, Some(&cache));
        assert_eq!(plain.files, first.files);
        assert_eq!(first.files, second.files);
        assert_eq!(plain.meta, second.meta);
        let json: Vec<_> = plain
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".json"))
            .collect();
        assert!(json.len() > 10);
        // Every name was kept (files with the same JSON share one).
        assert!(kept > 10 && kept <= json.len(), "{kept}");
        assert_eq!(cache.names.len(), kept);
        for (path, bytes) in json {
            let name = path.rsplit('.').nth(1).unwrap();
            assert_eq!(name, &content_hash(bytes)[..8], "{path}");
        }
    }

    /// Every index file comes as JSON and packed, and the packed one unpacks to the JSON.
    #[test]
    fn each_packed_file_unpacks_to_its_json_twin() {
        let (registry, as_of, urls) = sample();
        let index = index_of(&registry, as_of, &urls, None);
        let files: BTreeMap<&str, &[u8]> = index
            .files
            .iter()
            .map(|(p, b)| (p.as_str(), &b[..]))
            .collect();
        let json: Vec<&str> = files
            .keys()
            .copied()
            .filter(|p| p.ends_with(".json"))
            .collect();
        assert!(json.len() > 10);
        assert_eq!(files.len(), 2 * json.len());
        for path in json {
            let packed = files[format!("{path}.gz").as_str()];
            // gzip, deflate, no flags (no name), no time: the same text, the same bytes.
            assert_eq!(&packed[..8], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(packed)
                .read_to_end(&mut unpacked)
                .unwrap();
            assert_eq!(unpacked, files[path], "{path}");
            serde_json::from_slice::<Value>(&unpacked).unwrap();
        }
    }
}
