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
    /// Its status events in the order they apply: by date, same date in file order.
    pub events: Vec<StatusEvent>,
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
    pub centers: Vec<Center>,
    pub certificates: Vec<Certificate>,
    /// The term of a certificate in years when `valid_until` is not given.
    pub validity_years: u32,
    pub(crate) region_by_code: Index<String, RegionId>,
    pub(crate) profession_by_code: Index<String, ProfessionId>,
    pub(crate) center_by_bin: Index<String, CenterId>,
    pub(crate) certificate_by_number: Index<String, CertificateId>,
    pub(crate) certificate_by_slug: Index<String, CertificateId>,
    /// Lenient number key ([`super::ident::number_key`]) → certificates.
    pub(crate) certificates_by_key: Index<String, Vec<CertificateId>>,
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

    /// Certificates whose number matches leniently (see [`super::ident::number_key`]).
    pub fn certificates_matching(&self, typed: &str) -> &[CertificateId] {
        self.certificates_by_key
            .get(&super::ident::number_key(typed))
            .map_or(&[], Vec::as_slice)
    }

    /// A copy of the register made on every core: at 100,000 centers it is millions of
    /// strings, and a copy made on one core took a tenth of a second of each status change
    /// in the watcher (see [`super::validate::Base`]). Every field is named, so that a new
    /// one cannot be left out.
    pub(crate) fn copied(&self) -> Registry {
        use rayon::prelude::*;
        let (mut centers, mut certificates) = (Vec::new(), Vec::new());
        let (mut center_by_bin, mut certificate_by_number) = Default::default();
        let (mut certificate_by_slug, mut certificates_by_key) = Default::default();
        rayon::scope(|s| {
            s.spawn(|_| centers = self.centers.par_iter().cloned().collect());
            s.spawn(|_| certificates = self.certificates.par_iter().cloned().collect());
            s.spawn(|_| center_by_bin = self.center_by_bin.clone());
            s.spawn(|_| certificate_by_number = self.certificate_by_number.clone());
            s.spawn(|_| certificate_by_slug = self.certificate_by_slug.clone());
            s.spawn(|_| certificates_by_key = self.certificates_by_key.clone());
        });
        Registry {
            regions: self.regions.clone(),
            professions: self.professions.clone(),
            centers,
            certificates,
            validity_years: self.validity_years,
            region_by_code: self.region_by_code.clone(),
            profession_by_code: self.profession_by_code.clone(),
            center_by_bin,
            certificate_by_number,
            certificate_by_slug,
            certificates_by_key,
        }
    }

    pub fn scope_count(&self) -> usize {
        self.certificates.iter().map(|c| c.scope.len()).sum()
    }

    pub fn event_count(&self) -> usize {
        self.certificates.iter().map(|c| c.events.len()).sum()
    }
}
