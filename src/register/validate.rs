//! Validation across rows and tables: unique keys and permalinks, references, the re-issue
//! chains and the order of status events. Builds the [`Registry`] when nothing is wrong.

use std::collections::HashMap;

use super::dates::add_years;
use super::diagnostic::{Diagnostics, Problem};
use super::ident::{lenient_keys, slug, MAX_ADDRESS_NAME};
use super::load::{Rejected, RejectedKeys};
use super::model::{Action, CodedRow, EventRow, Located, Register};
use super::registry::*;

/// Stands for a reference that does not resolve; only ever in a registry built with errors.
const UNRESOLVED: usize = usize::MAX;

/// Checks `register` and builds the registry. Problems go to `diags`; the registry is only
/// meaningful when `diags` has no errors afterwards (it may then hold unresolved references).
pub fn validate(
    mut register: Register,
    rejected: &RejectedKeys,
    validity_years: u32,
    diags: &mut Diagnostics,
) -> Registry {
    let events = std::mem::take(&mut register.events);
    let mut base = validate_base(register, rejected, validity_years, diags);
    validate_events(&mut base, events, diags);
    base.registry
}

/// The register checked without its status events: the registry with no events yet, and the
/// certificates whose rows were rejected (references to them are not reported again). A
/// process that reads the register again and again keeps it while only `events` changes; a
/// copy shares the centers and certificates (see [`Registry::centers`]).
#[derive(Debug, Clone)]
pub struct Base {
    pub registry: Registry,
    rejected_certificates: Rejected,
}

/// Checks every table of `register` but its events (which it ignores): see [`validate`].
pub fn validate_base(
    register: Register,
    rejected: &RejectedKeys,
    validity_years: u32,
    diags: &mut Diagnostics,
) -> Base {
    let mut reg = Registry {
        validity_years,
        ..Registry::default()
    };
    (reg.regions, reg.region_by_code) = index_references(register.regions, "region code", diags);
    for region in &reg.regions {
        if region.code.len() > MAX_ADDRESS_NAME {
            diags.error(
                &region.position,
                Some("code"),
                Problem::AddressTooLong {
                    what: "region code",
                    value: region.code.clone(),
                    length: region.code.len(),
                    address: format!("regions/{}/", region.code),
                    limit: MAX_ADDRESS_NAME,
                },
            );
        }
    }
    (reg.professions, reg.profession_by_code) =
        index_references(register.professions, "profession code", diags);
    check_profession_slugs(&reg.professions, diags);
    reg.center_by_bin.make_mut().reserve(register.centers.len());
    reg.centers.make_mut().reserve(register.centers.len());
    for located in register.centers {
        let (position, row) = (located.position, located.row);
        if let Some(&first) = reg.center_by_bin.get(row.bin.as_str()) {
            let first_line = reg.centers[first].position.line;
            diags.error(
                &position,
                Some("bin"),
                duplicate("BIN", row.bin.as_str(), first_line),
            );
            continue;
        }
        let region = reg.region(&row.region).unwrap_or_else(|| {
            if !rejected.regions.contains(&row.region) {
                diags.error(&position, Some("region"), unknown(&row.region, "regions"));
            }
            UNRESOLVED
        });
        let id = reg.centers.len();
        reg.center_by_bin
            .make_mut()
            .insert(row.bin.as_str().to_owned(), id);
        reg.centers.make_mut().push(Center {
            bin: row.bin,
            name: row.name,
            region,
            city: row.city,
            address: row.address,
            phone: row.phone,
            email: row.email,
            website: row.website,
            certificates: Vec::new(),
            position,
        });
    }

    let mut rejected_certificates = rejected.certificates.clone();
    let mut replaces_numbers = Vec::with_capacity(register.certificates.len());
    // Each number's slug and look-up key, on every core (the checks below go in file order).
    let names: Vec<(String, Vec<String>)> = {
        use rayon::prelude::*;
        register
            .certificates
            .par_iter()
            .map(|l| (slug(&l.row.number), lenient_keys(&l.row.number)))
            .collect()
    };
    let count = register.certificates.len();
    reg.certificates.make_mut().reserve(count);
    reg.certificate_by_number.make_mut().reserve(count);
    reg.certificate_by_slug.make_mut().reserve(count);
    reg.certificate_by_key.make_mut().reserve(count);
    for (located, (certificate_slug, keys)) in register.certificates.into_iter().zip(names) {
        let (position, row) = (located.position, located.row);
        if let Some(&first) = reg.certificate_by_number.get(&row.number) {
            let first_line = reg.certificates[first].position.line;
            diags.error(
                &position,
                Some("number"),
                duplicate("certificate number", &row.number, first_line),
            );
            continue;
        }
        if certificate_slug.is_empty() {
            diags.error(
                &position,
                Some("number"),
                Problem::EmptySlug(row.number.clone()),
            );
            rejected_certificates.insert(row.number);
            continue;
        }
        if certificate_slug.len() > MAX_ADDRESS_NAME {
            diags.error(
                &position,
                Some("number"),
                Problem::AddressTooLong {
                    what: "certificate number",
                    value: row.number.clone(),
                    length: certificate_slug.len(),
                    address: format!("certificates/{certificate_slug}/"),
                    limit: MAX_ADDRESS_NAME,
                },
            );
            rejected_certificates.insert(row.number);
            continue;
        }
        if let Some(&other) = reg.certificate_by_slug.get(&certificate_slug) {
            let other = &reg.certificates[other];
            diags.error(
                &position,
                Some("number"),
                Problem::SlugCollision {
                    number: row.number.clone(),
                    other: other.number.clone(),
                    other_line: other.position.line,
                    slug: certificate_slug,
                },
            );
            rejected_certificates.insert(row.number);
            continue;
        }
        let shared_key = keys
            .iter()
            .find_map(|key| Some((key, *reg.certificate_by_key.get(key)?)));
        if let Some((key, other)) = shared_key {
            let other = &reg.certificates[other];
            diags.error(
                &position,
                Some("number"),
                Problem::LenientKeyCollision {
                    number: row.number.clone(),
                    other: other.number.clone(),
                    other_line: other.position.line,
                    key: key.clone(),
                },
            );
            rejected_certificates.insert(row.number);
            continue;
        }
        let center = reg.center(&row.bin).unwrap_or_else(|| {
            if !rejected.centers.contains(&row.bin) {
                diags.error(&position, Some("bin"), unknown(&row.bin, "centers"));
            }
            UNRESOLVED
        });
        let valid_until = match row.valid_until {
            Some(valid_until) => {
                if valid_until < row.issued_on {
                    diags.error(
                        &position,
                        Some("valid_until"),
                        Problem::ValidUntilBeforeIssue {
                            valid_until: valid_until.to_string(),
                            issued_on: row.issued_on.to_string(),
                        },
                    );
                }
                valid_until
            }
            None => add_years(row.issued_on, validity_years).unwrap_or(chrono::NaiveDate::MAX),
        };
        let id = reg.certificates.len();
        reg.certificate_by_number
            .make_mut()
            .insert(row.number.clone(), id);
        reg.certificate_by_slug
            .make_mut()
            .insert(certificate_slug.clone(), id);
        let by_key = reg.certificate_by_key.make_mut();
        for key in keys {
            by_key.insert(key, id);
        }
        replaces_numbers.push(row.replaces);
        reg.certificates.make_mut().push(Certificate {
            number: row.number,
            slug: certificate_slug,
            center,
            issued_on: row.issued_on,
            valid_until,
            valid_until_given: row.valid_until.is_some(),
            replaces: None,
            replaced_by: None,
            agreement_number: row.agreement_number,
            agreement_date: row.agreement_date,
            scope: Vec::new(),
            position,
        });
    }

    for (id, number) in replaces_numbers.into_iter().enumerate() {
        let Some(number) = number else { continue };
        let position = reg.certificates[id].position.clone();
        let Some(predecessor) = reg.certificate(&number) else {
            if !rejected_certificates.contains(&number) {
                diags.error(
                    &position,
                    Some("replaces"),
                    unknown(&number, "certificates"),
                );
            }
            continue;
        };
        if predecessor == id {
            diags.error(&position, Some("replaces"), Problem::ReplacesItself(number));
            continue;
        }
        if let Some(other) = reg.certificates[predecessor].replaced_by {
            let other = &reg.certificates[other];
            diags.error(
                &position,
                Some("replaces"),
                Problem::ReplacedTwice {
                    predecessor: number,
                    other: other.number.clone(),
                    other_line: other.position.line,
                },
            );
            continue;
        }
        let certificates = reg.certificates.make_mut();
        certificates[id].replaces = Some(predecessor);
        certificates[predecessor].replaced_by = Some(id);
        let (successor, predecessor) = (&reg.certificates[id], &reg.certificates[predecessor]);
        if successor.issued_on < predecessor.issued_on {
            diags.error(
                &position,
                Some("issued_on"),
                Problem::SuccessorBeforePredecessor {
                    number: successor.number.clone(),
                    issued_on: successor.issued_on.to_string(),
                    predecessor: predecessor.number.clone(),
                    predecessor_issued_on: predecessor.issued_on.to_string(),
                },
            );
        }
    }
    report_cycles(&reg, diags);

    let mut first_scope_line: Index<(CertificateId, ProfessionId), usize> = Index::default();
    for row in register.scope {
        let Some(certificate) = reg.certificate(&row.certificate) else {
            if !rejected_certificates.contains(&row.certificate) {
                diags.error(
                    &row.position,
                    Some("certificate"),
                    unknown(&row.certificate, "certificates"),
                );
            }
            continue;
        };
        let Some(profession) = reg.profession(&row.profession) else {
            if !rejected.professions.contains(&row.profession) {
                diags.error(
                    &row.position,
                    Some("profession"),
                    unknown(&row.profession, "professions"),
                );
            }
            continue;
        };
        if let Some(&first_line) = first_scope_line.get(&(certificate, profession)) {
            diags.error(
                &row.position,
                Some("profession"),
                Problem::DuplicateScope(first_line),
            );
            continue;
        }
        first_scope_line.insert((certificate, profession), row.position.line);
        reg.certificates.make_mut()[certificate]
            .scope
            .push(ScopeItem {
                profession,
                levels: row.row.levels,
                position: row.position,
            });
    }
    for certificate in reg.certificates.iter() {
        if certificate.scope.is_empty()
            && !rejected.scope_certificates.contains(&certificate.number)
        {
            diags.warning(&certificate.position, Some("number"), Problem::EmptyScope);
        }
    }

    let centers = reg.centers.make_mut();
    for (id, certificate) in reg.certificates.iter().enumerate() {
        if let Some(center) = centers.get_mut(certificate.center) {
            center.certificates.push(id);
        }
    }
    let certificates = &reg.certificates;
    for center in centers {
        center
            .certificates
            .sort_by_key(|&id| certificates[id].issued_on);
    }
    Base {
        registry: reg,
        rejected_certificates,
    }
}

/// Checks the status `events` against `base` (which has none yet) and adds them to its
/// certificates.
pub fn validate_events(base: &mut Base, events: Vec<Located<EventRow>>, diags: &mut Diagnostics) {
    let Base {
        registry: reg,
        rejected_certificates,
    } = base;
    let mut touched = Vec::new();
    for row in events {
        let Some(certificate) = reg.certificate(&row.certificate) else {
            if !rejected_certificates.contains(&row.certificate) {
                diags.error(
                    &row.position,
                    Some("certificate"),
                    unknown(&row.certificate, "certificates"),
                );
            }
            continue;
        };
        reg.push_event(
            certificate,
            StatusEvent {
                date: row.row.date,
                action: row.row.action,
                reason: row.row.reason,
                decision: row.row.decision,
                position: row.position,
            },
        );
        touched.push(certificate);
    }
    touched.sort_unstable();
    touched.dedup();
    for id in touched {
        // Stable: events of the same date keep their file order.
        reg.sort_events(id);
        check_events(reg, id, diags);
    }
}

/// A reference table indexed by code; a code seen again is reported and left out.
fn index_references(
    rows: Vec<Located<CodedRow>>,
    what: &'static str,
    diags: &mut Diagnostics,
) -> (Vec<Reference>, Index<String, usize>) {
    let mut entries: Vec<Reference> = Vec::with_capacity(rows.len());
    let mut index: Index<String, usize> =
        Index::with_capacity_and_hasher(rows.len(), Default::default());
    for located in rows {
        let (position, row) = (located.position, located.row);
        if let Some(&first) = index.get(&row.code) {
            let first_line = entries[first].position.line;
            diags.error(
                &position,
                Some("code"),
                duplicate(what, &row.code, first_line),
            );
            continue;
        }
        index.insert(row.code.clone(), entries.len());
        entries.push(Reference {
            code: row.code,
            name: row.name,
            position,
        });
    }
    (entries, index)
}

/// Each profession has a page at `/professions/SLUG/`, the slug of its code: two codes with
/// one slug (`7212/1` and `7212-1`) would share it.
fn check_profession_slugs(professions: &[Reference], diags: &mut Diagnostics) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (id, profession) in professions.iter().enumerate() {
        let profession_slug = slug(&profession.code);
        if profession_slug.is_empty() {
            diags.error(
                &profession.position,
                Some("code"),
                Problem::EmptyProfessionSlug(profession.code.clone()),
            );
            continue;
        }
        if profession_slug.len() > MAX_ADDRESS_NAME {
            diags.error(
                &profession.position,
                Some("code"),
                Problem::AddressTooLong {
                    what: "profession code",
                    value: profession.code.clone(),
                    length: profession_slug.len(),
                    address: format!("professions/{profession_slug}/"),
                    limit: MAX_ADDRESS_NAME,
                },
            );
            continue;
        }
        match seen.get(&profession_slug) {
            Some(&other) => diags.error(
                &profession.position,
                Some("code"),
                Problem::ProfessionSlugCollision {
                    code: profession.code.clone(),
                    other: professions[other].code.clone(),
                    other_line: professions[other].position.line,
                    slug: profession_slug,
                },
            ),
            None => {
                seen.insert(profession_slug, id);
            }
        }
    }
}

fn duplicate(what: &'static str, key: &str, first_line: usize) -> Problem {
    Problem::Duplicate {
        what,
        key: key.to_owned(),
        first_line,
    }
}

fn unknown(key: &str, table: &'static str) -> Problem {
    Problem::UnknownReference {
        key: key.to_owned(),
        table,
    }
}

/// Reports each cycle of `replaces` once, at the member that comes first in the file. Each
/// certificate re-issues at most one and is re-issued by at most one, so the re-issues form
/// paths and cycles: each certificate is walked once, in time linear in their number.
fn report_cycles(reg: &Registry, diags: &mut Diagnostics) {
    let count = reg.certificates.len();
    // The walk (named by the certificate it started from) that reached each certificate.
    let mut walked_by = vec![usize::MAX; count];
    for start in 0..count {
        if walked_by[start] != usize::MAX {
            continue;
        }
        let mut current = start;
        walked_by[current] = start;
        while let Some(previous) = reg.certificates[current].replaces {
            if walked_by[previous] == usize::MAX {
                walked_by[previous] = start;
                current = previous;
                continue;
            }
            if walked_by[previous] == start {
                report_cycle(reg, previous, diags);
            }
            break; // (else it joins a path walked before)
        }
    }
}

/// Reports the cycle of `replaces` through `member`.
fn report_cycle(reg: &Registry, member: CertificateId, diags: &mut Diagnostics) {
    let mut members = vec![member];
    let mut next = reg.certificates[member].replaces;
    while let Some(id) = next.filter(|&id| id != member) {
        members.push(id);
        next = reg.certificates[id].replaces;
    }
    // (Ids are in file order: the smallest comes first in the file.)
    let first = (0..members.len()).min_by_key(|&i| members[i]).unwrap_or(0);
    members.rotate_left(first);
    let names: Vec<&str> = members
        .iter()
        .chain(members.first())
        .map(|&id| reg.certificates[id].number.as_str())
        .collect();
    diags.error(
        &reg.certificates[members[0]].position,
        Some("replaces"),
        Problem::ReplacesCycle(names.join(" → replaces → ")),
    );
}

/// The order of one certificate's events, its termination against its successor, and events
/// that cannot change its status.
fn check_events(reg: &Registry, id: CertificateId, diags: &mut Diagnostics) {
    let certificate = &reg.certificates[id];
    let successor = certificate.replaced_by.map(|s| &reg.certificates[s]);
    let mut revoked_since = None;
    let mut terminated_on = None;
    for event in reg.events(id) {
        let date = event.date.to_string();
        if event.date < certificate.issued_on {
            diags.error(
                &event.position,
                Some("date"),
                Problem::EventBeforeIssue {
                    date,
                    issued_on: certificate.issued_on.to_string(),
                },
            );
            continue;
        }
        if let Some(terminated_on) = terminated_on {
            diags.error(
                &event.position,
                Some("date"),
                Problem::EventAfterTermination {
                    date,
                    terminated_on: chrono::NaiveDate::to_string(&terminated_on),
                },
            );
            continue;
        }
        match event.action {
            Action::Revoked => match revoked_since {
                Some(since) => {
                    diags.error(
                        &event.position,
                        Some("action"),
                        Problem::RevokedTwice {
                            date: date.clone(),
                            since: chrono::NaiveDate::to_string(&since),
                        },
                    );
                }
                None => revoked_since = Some(event.date),
            },
            Action::Resumed => {
                if revoked_since.take().is_none() {
                    diags.error(
                        &event.position,
                        Some("action"),
                        Problem::ResumedWithoutRevoked(date.clone()),
                    );
                }
            }
            Action::Terminated => {
                terminated_on = Some(event.date);
                if let Some(successor) = successor.filter(|s| event.date < s.issued_on) {
                    let position = &successor.position;
                    diags.error(
                        position,
                        Some("replaces"),
                        Problem::PredecessorTerminated {
                            predecessor: certificate.number.clone(),
                            terminated_on: date.clone(),
                            issued_on: successor.issued_on.to_string(),
                        },
                    );
                }
            }
        }
        if let Some(successor) = successor.filter(|s| event.date >= s.issued_on) {
            diags.warning(
                &event.position,
                Some("date"),
                Problem::EventAfterReissue {
                    date,
                    successor: successor.number.clone(),
                    reissued_on: successor.issued_on.to_string(),
                },
            );
        } else if event.date > certificate.valid_until {
            diags.warning(
                &event.position,
                Some("date"),
                Problem::EventAfterExpiry {
                    date,
                    valid_until: certificate.valid_until.to_string(),
                },
            );
        }
    }
}
