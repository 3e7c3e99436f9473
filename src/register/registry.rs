//! The checked register: every record resolved, cross-referenced and indexed. Only
//! `validate` builds one, and only from a register without errors.

/// The register's indexes: a fast hash that still resists crafted collisions (the keys come
/// from the register's files).
pub(crate) type Index<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

use chrono::NaiveDate;

use super::bin::Bin;
use super::diagnostic::Position;
use super::model::{Action, Levels, Text};

/// Index of a region in [`Registry::regions`].
pub type RegionId = usize;
/// Index of a profession in [`Registry::professions`].
pub type ProfessionId = usize;
/// Index of a center in [`Registry::centers`].
pub type CenterId = usize;
/// Index of a certificate in [`Registry::certificates`].
pub type CertificateId = usize;

/// An entry of a reference table: a region or a profession.
#[derive(Debug, Clone)]
pub struct Reference {
    pub code: String,
    pub name: Text,
    pub position: Position,
}

pub type Region = Reference;
pub type Profession = Reference;

/// A center of recognition: a legal entity and its certificates.
#[derive(Debug, Clone)]
pub struct Center {
    pub bin: Bin,
    pub name: Text,
    pub region: RegionId,
    pub city: Option<String>,
    pub address: Text,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// Its certificates, oldest `issued_on` first (same date: file order).
    pub certificates: Vec<CertificateId>,
    pub position: Position,
}

/// A certificate of accreditation with what the register says of it.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// The number as printed, exactly as in the register.
    pub number: String,
    /// Its permalink slug (unique in the register).
    pub slug: String,
    pub center: CenterId,
    pub issued_on: NaiveDate,
    /// The last day of validity: as given, or the default term from `issued_on`.
    pub valid_until: NaiveDate,
    /// Whether `valid_until` was given in the register (rather than derived).
    pub valid_until_given: bool,
    /// The certificate this one re-issues.
    pub replaces: Option<CertificateId>,
    /// The certificate that re-issues this one.
    pub replaced_by: Option<CertificateId>,
    pub agreement_number: Option<String>,
    pub agreement_date: Option<NaiveDate>,
    /// The professions it covers, in file order.
    pub scope: Vec<ScopeItem>,
    pub position: Position,
}

#[derive(Debug, Clone)]
pub struct ScopeItem {
    pub profession: ProfessionId,
    pub levels: Levels,
    pub position: Position,
}

/// A recorded revocation, resumption or termination.
#[derive(Debug, Clone)]
pub struct StatusEvent {
    pub date: NaiveDate,
    pub action: Action,
    pub reason: Text,
    pub decision: Option<String>,
    pub position: Position,
}

/// The whole checked register.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub regions: Vec<Region>,
    pub professions: Vec<Profession>,
    /// The centers and the certificates, with their indexes below, are shared by every
    /// registry made from the same tables: a status change only adds other events to them
    /// (see [`Registry::events`]), and at 100,000 centers a copy of them is millions of strings.
    pub centers: Shared<Vec<Center>>,
    pub certificates: Shared<Vec<Certificate>>,
    /// Each certificate's status events, by certificate: empty until events are added.
    pub(crate) events: Vec<Vec<StatusEvent>>,
    /// The term of a certificate in years when `valid_until` is not given.
    pub validity_years: u32,
    pub(crate) region_by_code: Index<String, RegionId>,
    pub(crate) profession_by_code: Index<String, ProfessionId>,
    pub(crate) center_by_bin: Shared<Index<String, CenterId>>,
    pub(crate) certificate_by_number: Shared<Index<String, CertificateId>>,
    pub(crate) certificate_by_slug: Shared<Index<String, CertificateId>>,
    /// Each lenient key of a number ([`super::ident::lenient_keys`]) → its certificate (no
    /// two certificates share a key).
    pub(crate) certificate_by_key: Shared<Index<String, CertificateId>>,
}

/// A part of the registry shared between its copies (read as a `T`); changed only while the
/// registry is being built, when it is not shared yet.
#[derive(Debug, Default)]
pub struct Shared<T>(std::sync::Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> Shared<T> {
    /// The part to change (copied first if it is shared, which `validate` never lets happen).
    pub(crate) fn make_mut(&mut self) -> &mut T {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

impl<T> Shared<T> {
    /// Whether both are the same part (not merely equal).
    pub fn same(&self, other: &Shared<T>) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A registry's centers and certificates, held (so that they are not freed while held), for
/// knowing later whether another registry shares them: see [`Registry::has_tables`].
#[derive(Debug, Clone)]
pub struct SharedTables {
    centers: Shared<Vec<Center>>,
    certificates: Shared<Vec<Certificate>>,
}

impl<'a, T> IntoIterator for &'a Shared<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Registry {
    pub fn region(&self, code: &str) -> Option<RegionId> {
        self.region_by_code.get(code).copied()
    }

    pub fn profession(&self, code: &str) -> Option<ProfessionId> {
        self.profession_by_code.get(code).copied()
    }

    pub fn center(&self, bin: &str) -> Option<CenterId> {
        self.center_by_bin.get(bin).copied()
    }

    /// The certificate with exactly this number.
    pub fn certificate(&self, number: &str) -> Option<CertificateId> {
        self.certificate_by_number.get(number).copied()
    }

    pub fn certificate_by_slug(&self, slug: &str) -> Option<CertificateId> {
        self.certificate_by_slug.get(slug).copied()
    }

    /// The certificates whose number matches `typed` leniently (see
    /// [`super::ident::lenient_keys`]): none, one, or (rarely) two when its two keys find two.
    pub fn certificates_matching(&self, typed: &str) -> Vec<CertificateId> {
        let mut found: Vec<CertificateId> = super::ident::lenient_keys(typed)
            .iter()
            .filter_map(|key| self.certificate_by_key.get(key).copied())
            .collect();
        found.dedup();
        found
    }

    /// Its centers and certificates, held: see [`Registry::has_tables`].
    pub fn tables(&self) -> SharedTables {
        SharedTables {
            centers: self.centers.clone(),
            certificates: self.certificates.clone(),
        }
    }

    /// Whether this registry shares `tables` (then it has the same centers and certificates,
    /// which only its events may add to, as they were when `tables` was taken).
    pub fn has_tables(&self, tables: &SharedTables) -> bool {
        self.centers.same(&tables.centers) && self.certificates.same(&tables.certificates)
    }

    /// A certificate's status events in the order they apply: by date, same date in file
    /// order.
    pub fn events(&self, certificate: CertificateId) -> &[StatusEvent] {
        self.events.get(certificate).map_or(&[], Vec::as_slice)
    }

    /// Adds `event` to `certificate`'s events, at the end (see [`Registry::sort_events`]).
    pub(crate) fn push_event(&mut self, certificate: CertificateId, event: StatusEvent) {
        if self.events.len() < self.certificates.len() {
            self.events.resize_with(self.certificates.len(), Vec::new);
        }
        if let Some(events) = self.events.get_mut(certificate) {
            events.push(event);
        }
    }

    /// Puts `certificate`'s events in the order they apply: by date, and in the order they
    /// were added within a date.
    pub(crate) fn sort_events(&mut self, certificate: CertificateId) {
        if let Some(events) = self.events.get_mut(certificate) {
            events.sort_by_key(|e| e.date);
        }
    }

    pub fn scope_count(&self) -> usize {
        self.certificates.iter().map(|c| c.scope.len()).sum()
    }

    pub fn event_count(&self) -> usize {
        self.events.iter().map(Vec::len).sum()
    }
}
