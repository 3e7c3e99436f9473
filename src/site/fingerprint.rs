//! What a page depends on, as a number. A rebuild skips rendering every page whose fingerprint
//! is the one it was published with, so a no-op rebuild renders (almost) nothing and a one-line
//! change re-renders only the pages that can show it.
//!
//! A page's fingerprint combines:
//! - the **site** key: everything every page may show or be shaped by — the program (its
//!   version and its build id, a hash of its sources made by `build.rs`), the settings (by
//!   their serialized value), the theme (templates, strings, static
//!   files), the content pages, the base URL, the as-of date and the page's language;
//! - the **record** key of what the page shows. A center's pages (and those of its
//!   certificates) show the center, every certificate of it with scope and events, the
//!   region and professions they name, and the certificates a re-issue links them to (with
//!   the successor's issue date, from which its predecessor is re-issued, even when another
//!   center holds it): the center's *family* key covers all of that.
//!
//! Keys are 64-bit hashes of the fields that are published (never of positions in the
//! files, so inserting a row above a record does not change it).

use std::hash::{BuildHasher, Hash, Hasher};

use chrono::NaiveDate;

use super::content::Page;
use super::theme::Theme;
use crate::config::Config;
use crate::register::{Lang, Registry, Text};

/// The hasher of every key: fast (a one-line change at 100,000 centers hashes millions of
/// fields), with fixed seeds, so that a key is the same in every run of one program. (A new
/// program renders everything again anyway: see [`site_keys`].)
pub(crate) fn hasher() -> ahash::AHasher {
    ahash::RandomState::with_seeds(0x7469, 0x7a69, 0x6c69, 0x6d00).build_hasher()
}

/// A hasher fed with field values, each closed by a separator so that `("ab", "c")` and
/// `("a", "bc")` differ.
struct Key(ahash::AHasher);

impl Key {
    fn new(kind: &str) -> Key {
        let mut key = Key(hasher());
        key.str(kind);
        key
    }

    fn str(&mut self, text: &str) -> &mut Self {
        self.0.write(text.as_bytes());
        self.0.write_u8(0xff);
        self
    }

    fn opt(&mut self, text: Option<&str>) -> &mut Self {
        match text {
            Some(text) => self.str(text),
            None => {
                self.0.write_u8(0xfe);
                self
            }
        }
    }

    fn text(&mut self, text: &Text) -> &mut Self {
        for lang in Lang::ALL {
            self.opt(text.in_lang(lang));
        }
        self
    }

    fn date(&mut self, date: NaiveDate) -> &mut Self {
        date.hash(&mut self.0);
        self
    }

    fn value(&mut self, value: impl Hash) -> &mut Self {
        value.hash(&mut self.0);
        self
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// The site key of each language: see the module's documentation.
pub fn site_keys(
    config: &Config,
    theme: &Theme,
    pages: &[Page],
    base_url: &str,
    as_of: NaiveDate,
    languages: &[Lang],
) -> Vec<(Lang, u64)> {
    // The program's identity: its version and its build id (a hash of its sources, locked
    // dependencies and compiler, made by build.rs): pages published by another build are
    // rendered again.
    let mut key = Key::new(concat!(
        "tizilim ",
        env!("CARGO_PKG_VERSION"),
        " ",
        env!("TIZILIM_BUILD_ID")
    ));
    // The settings by their serialized value.
    key.str(&serde_json::to_string(config).unwrap_or_default())
        .str(base_url)
        .date(as_of);
    key.str(&theme.name);
    for (name, source) in &theme.templates {
        key.str(name).str(source);
    }
    for (lang, strings) in &theme.strings {
        key.str(lang.code());
        for (name, text) in strings {
            key.str(name).str(text);
        }
    }
    for (path, bytes) in &theme.static_files {
        key.str(path).value(bytes);
    }
    for page in pages {
        key.str(&format!("{page:?}"));
    }
    languages
        .iter()
        .map(|&lang| {
            let mut key = Key(key.0.clone());
            key.str(lang.code());
            (lang, key.finish())
        })
        .collect()
}

/// The family key of every center: see the module's documentation. A family's key is made
/// of its center's *own* key (the center and its certificates, without their events) and
/// the certificates' events; `kept` keeps the own keys for the next build, which takes them
/// again while its register shares the same tables (a status change).
pub fn family_keys(registry: &Registry, kept: Option<&OwnKeys>) -> Vec<u64> {
    use rayon::prelude::*;
    let own = match kept {
        Some(kept) => kept.of(registry),
        None => std::sync::Arc::new(own_keys(registry)),
    };
    (0..registry.centers.len())
        .into_par_iter()
        .map(|id| {
            let mut key = Key::new("family");
            key.value(own[id]);
            for &cid in &registry.centers[id].certificates {
                let events = registry.events(cid);
                for event in events {
                    key.date(event.date)
                        .value(event.action)
                        .text(&event.reason)
                        .opt(event.decision.as_deref());
                }
                key.value(events.len());
            }
            key.finish()
        })
        .collect()
}

/// The own keys of every center (see [`family_keys`]), kept with the tables they were made
/// from: the same tables (shared, not equal: see [`Registry::centers`]) and the same regions
/// and professions give the same keys.
#[derive(Debug, Default)]
pub struct OwnKeys {
    kept: std::sync::Mutex<Option<KeptOwnKeys>>,
}

#[derive(Debug)]
struct KeptOwnKeys {
    tables: crate::register::SharedTables,
    references: u64,
    keys: std::sync::Arc<Vec<u64>>,
}

impl OwnKeys {
    /// The own keys of `registry`'s centers: the kept ones, or made (and kept).
    fn of(&self, registry: &Registry) -> std::sync::Arc<Vec<u64>> {
        let references = references_key(registry);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = &*kept {
            if k.references == references && registry.has_tables(&k.tables) {
                return k.keys.clone();
            }
        }
        let keys = std::sync::Arc::new(own_keys(registry));
        *kept = Some(KeptOwnKeys {
            tables: registry.tables(),
            references,
            keys: keys.clone(),
        });
        keys
    }
}

/// A key of the regions and the professions (codes and names).
fn references_key(registry: &Registry) -> u64 {
    let mut key = Key::new("references");
    for reference in registry.regions.iter().chain(&registry.professions) {
        key.str(&reference.code).text(&reference.name);
    }
    key.finish()
}

fn own_keys(registry: &Registry) -> Vec<u64> {
    use rayon::prelude::*;
    (0..registry.centers.len())
        .into_par_iter()
        .map(|id| own_key(registry, id))
        .collect()
}

/// What a center's family shows but its certificates' events.
fn own_key(registry: &Registry, id: usize) -> u64 {
    let center = &registry.centers[id];
    let mut key = Key::new("center");
    key.str(center.bin.as_str()).text(&center.name);
    let region = &registry.regions[center.region];
    key.str(&region.code).text(&region.name);
    key.opt(center.city.as_deref())
        .text(&center.address)
        .opt(center.phone.as_deref())
        .opt(center.email.as_deref())
        .opt(center.website.as_deref());
    for &cid in &center.certificates {
        let c = &registry.certificates[cid];
        key.str(&c.number)
            .str(&c.slug)
            .date(c.issued_on)
            .date(c.valid_until)
            .value(c.valid_until_given)
            .opt(c.agreement_number.as_deref())
            .value(c.agreement_date);
        for link in [c.replaces, c.replaced_by] {
            match link {
                Some(other) => {
                    let other = &registry.certificates[other];
                    let holder = &registry.centers[other.center];
                    key.str(&other.number)
                        .str(&other.slug)
                        .date(other.issued_on)
                        .str(holder.bin.as_str())
                        .text(&holder.name);
                }
                None => {
                    key.value(0u8);
                }
            }
        }
        for item in &c.scope {
            let profession = &registry.professions[item.profession];
            key.str(&profession.code)
                .text(&profession.name)
                .value(item.levels);
        }
        key.value(c.scope.len());
    }
    key.value(center.certificates.len());
    key.finish()
}

/// The key of the whole register: every center's family and every region and profession
/// (also those no center names), for what shows all of it (the open data).
pub fn register_key(registry: &Registry, families: &[u64]) -> u64 {
    let mut key = Key::new("register");
    for family in families {
        key.value(family);
    }
    key.value(references_key(registry))
        .value(registry.regions.len())
        .value(registry.validity_years);
    key.finish()
}

/// A page's fingerprint: its site key, the kind of page and the keys of what it shows.
pub fn page(site: u64, kind: &str, keys: impl IntoIterator<Item = u64>) -> u64 {
    let mut key = Key::new(kind);
    key.value(site);
    for k in keys {
        key.value(k);
    }
    key.finish()
}

/// The key of a status change as a list of changes shows it: its kind, certificate, date, and
/// the family of the certificate's center (names, reasons, decisions).
pub fn change(family: u64, change: &str, certificate: &str, date: NaiveDate) -> u64 {
    Key::new("change")
        .str(change)
        .str(certificate)
        .date(date)
        .value(family)
        .finish()
}

/// The key of a record named `name` (a BIN, a certificate's slug) of kind `kind` (say a row of
/// `centers.csv`) that shows what the family with key `family` holds.
pub fn record(site: u64, kind: &str, name: &str, family: u64) -> u64 {
    Key::new(kind).str(name).value(site).value(family).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The site key is the program's build id and the settings' value: the same inputs give
    /// the same key, and any setting (even a theme's free one in `[extra]`) changes it.
    #[test]
    fn site_keys_follow_the_build_id_and_the_settings_value() {
        let id = env!("TIZILIM_BUILD_ID");
        assert!(
            id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let theme = crate::site::theme::load_theme(root, "default").unwrap();
        let as_of = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let keys = |config: &Config| site_keys(config, &theme, &[], "/", as_of, &[Lang::Kk]);
        let config = Config::default();
        assert_eq!(keys(&config), keys(&config.clone()));
        let mut other = config.clone();
        other
            .extra
            .insert("logo".to_owned(), toml::Value::String("a.svg".to_owned()));
        assert_ne!(keys(&config), keys(&other));
        let mut other = config.clone();
        other.validity_years = 5;
        assert_ne!(keys(&config), keys(&other));
    }

    /// A status change keeps the centers' own keys (the register shares its tables with the
    /// last one) and changes the family key of the center whose certificate changed, and of
    /// no other; the keys are the same as those made without anything kept. A register read
    /// again (other tables, though equal) has its own keys made again, and the same.
    #[test]
    fn own_keys_are_kept_while_the_tables_are_shared() {
        use crate::register::registry::StatusEvent;
        use crate::register::Action;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = || {
            crate::register::load_registry(&root.join("data"), std::path::Path::new("data"), 3)
                .unwrap()
                .registry
        };
        let registry = read();
        let kept = OwnKeys::default();
        let first = family_keys(&registry, Some(&kept));
        assert_eq!(first, family_keys(&registry, None));
        let made = kept.of(&registry);

        let mut changed = registry.clone();
        let certificate = 0;
        let center = changed.certificates[certificate].center;
        changed.push_event(
            certificate,
            StatusEvent {
                date: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
                action: Action::Revoked,
                reason: Text {
                    kk: Some("Тексеру қорытындысы".into()),
                    ru: None,
                    en: None,
                },
                decision: None,
                position: crate::register::Position::new(std::sync::Arc::from(root), 1),
            },
        );
        let second = family_keys(&changed, Some(&kept));
        assert!(std::sync::Arc::ptr_eq(&made, &kept.of(&changed)));
        assert_eq!(second, family_keys(&changed, None));
        let differ: Vec<usize> = (0..first.len())
            .filter(|&i| first[i] != second[i])
            .collect();
        assert_eq!(differ, [center]);

        let again = read();
        assert!(!again.has_tables(&registry.tables()));
        assert_eq!(family_keys(&again, Some(&kept)), first);
        assert!(!std::sync::Arc::ptr_eq(&made, &kept.of(&again)));
    }

    #[test]
    fn field_boundaries_count() {
        let a = Key::new("x").str("ab").str("c").finish();
        let b = Key::new("x").str("a").str("bc").finish();
        assert_ne!(a, b);
        let none = Key::new("x").opt(None).finish();
        let empty = Key::new("x").opt(Some("")).finish();
        assert_ne!(none, empty);
    }
}
