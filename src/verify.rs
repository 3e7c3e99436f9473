//! "Was this center accredited, for this profession, on that date?" — the verdict, from the
//! timelines the register core derives, and its sentences in kk, ru or en from the theme's
//! strings. The verification page computes the same verdict from the per-record JSON with the
//! same templates, so the page and `tizilim status` say the same words.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::register::registry::ProfessionId;
use crate::register::{dates::dotted, CenterId, CertificateId, Levels, Registry, Status};

/// A dated change of one of the center's certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub date: NaiveDate,
    pub certificate: String,
    /// `issued`, `revoked`, `resumed`, `terminated`, `reissued`, `expired`.
    pub change: &'static str,
}

/// The answer for a center, a date and perhaps a profession.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub date: NaiveDate,
    pub as_of: NaiveDate,
    pub status: Status,
    pub accredited: bool,
    /// The certificate that decides (valid, or the latest issued by the date).
    pub certificate: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// Since when the deciding certificate has had its status on the date.
    pub since: Option<NaiveDate>,
    /// The center's first certificate, when the date is before it.
    pub first: Option<(String, NaiveDate)>,
    pub profession: Option<ProfessionVerdict>,
    /// The changes on the last date up to the date, and on the first date after it.
    pub before: Vec<Change>,
    pub after: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfessionVerdict {
    pub code: String,
    pub name: String,
    pub in_scope: bool,
    /// The valid certificate that covered it.
    pub certificate: Option<String>,
    pub levels: String,
    /// When it is not in scope: a later certificate that covers it, and its date of issue.
    pub later: Option<(String, NaiveDate)>,
}

/// Every change of a center's certificates, oldest first.
pub fn center_changes(registry: &Registry, center: CenterId) -> Vec<Change> {
    let mut changes: Vec<(NaiveDate, CertificateId, &'static str)> = registry.centers[center]
        .certificates
        .iter()
        .flat_map(|&c| registry.certificate_history(c))
        .map(|t| (t.date, t.certificate, registry.change_name(&t)))
        .collect();
    changes.sort_by_key(|&(date, certificate, _)| {
        (
            date,
            registry.certificates[certificate].issued_on,
            certificate,
        )
    });
    changes
        .into_iter()
        .map(|(date, certificate, change)| Change {
            date,
            certificate: registry.certificates[certificate].number.clone(),
            change,
        })
        .collect()
}

/// The verdict for `center` on `date` (for `profession`, if given), from a register built
/// (or read) on `as_of`.
pub fn verdict(
    registry: &Registry,
    center: CenterId,
    date: NaiveDate,
    profession: Option<ProfessionId>,
    as_of: NaiveDate,
    lang: crate::register::Lang,
) -> Verdict {
    let (status, deciding) = registry.center_status(center, date);
    let deciding_record = deciding.map(|c| &registry.certificates[c]);
    let since = deciding.and_then(|c| {
        registry
            .certificate_timeline(c)
            .into_iter()
            .find(|i| i.contains(date))
            .and_then(|i| i.from)
    });
    let certificates = &registry.centers[center].certificates;
    let first = match deciding {
        None => certificates.first().map(|&c| {
            (
                registry.certificates[c].number.clone(),
                registry.certificates[c].issued_on,
            )
        }),
        Some(_) => None,
    };
    let profession = profession.map(|p| {
        let covers = |c: CertificateId| -> Option<Levels> {
            registry.certificates[c]
                .scope
                .iter()
                .find(|s| s.profession == p)
                .map(|s| s.levels)
        };
        let covering = certificates.iter().rev().copied().find(|&c| {
            registry.certificate_status(c, date) == Status::Valid && covers(c).is_some()
        });
        let later = match covering {
            Some(_) => None,
            None => certificates
                .iter()
                .copied()
                .find(|&c| registry.certificates[c].issued_on > date && covers(c).is_some())
                .map(|c| {
                    (
                        registry.certificates[c].number.clone(),
                        registry.certificates[c].issued_on,
                    )
                }),
        };
        ProfessionVerdict {
            code: registry.professions[p].code.clone(),
            name: registry.professions[p].name.get(lang).to_owned(),
            in_scope: covering.is_some(),
            certificate: covering.map(|c| registry.certificates[c].number.clone()),
            levels: covering
                .and_then(covers)
                .map(|l| l.to_string())
                .unwrap_or_default(),
            later,
        }
    });
    let changes = center_changes(registry, center);
    let before_date = changes
        .iter()
        .rev()
        .find(|c| c.date <= date)
        .map(|c| c.date);
    let after_date = changes.iter().find(|c| c.date > date).map(|c| c.date);
    Verdict {
        date,
        as_of,
        status,
        accredited: status == Status::Valid,
        certificate: deciding_record.map(|c| c.number.clone()),
        issued_on: deciding_record.map(|c| c.issued_on),
        valid_until: deciding_record.map(|c| c.valid_until),
        since,
        first,
        profession,
        before: changes
            .iter()
            .filter(|c| Some(c.date) == before_date)
            .cloned()
            .collect(),
        after: changes
            .iter()
            .filter(|c| Some(c.date) == after_date)
            .cloned()
            .collect(),
    }
}

/// Fills `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The verdict in words, one sentence a line, from the theme's strings of one language
/// (`verify_*`, `change_*`).
pub fn sentences(verdict: &Verdict, strings: &BTreeMap<String, String>) -> Vec<String> {
    let t = |key: &str| {
        strings
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("[{key}]"))
    };
    let date = dotted(verdict.date);
    let opt_date = |d: Option<NaiveDate>| d.map(dotted).unwrap_or_default();
    let certificate = verdict.certificate.clone().unwrap_or_default();
    let mut lines = Vec::new();
    let main = match (verdict.status, &verdict.first) {
        (Status::Valid, _) => "verify_yes",
        (Status::NotYetValid, Some(_)) => "verify_no_yet",
        (Status::NotYetValid, None) => "verify_no_certificate",
        (Status::Revoked, _) => "verify_no_revoked",
        (Status::Expired, _) => "verify_no_expired",
        (Status::Terminated, _) => "verify_no_terminated",
        (Status::Reissued, _) => "verify_no_reissued",
    };
    let (first_number, first_date) = verdict
        .first
        .clone()
        .map_or((String::new(), String::new()), |(n, d)| (n, dotted(d)));
    lines.push(fill(
        &t(main),
        &[
            ("date", &date),
            (
                "certificate",
                if verdict.first.is_some() {
                    &first_number
                } else {
                    &certificate
                },
            ),
            ("from", &opt_date(verdict.issued_on)),
            ("until", &opt_date(verdict.valid_until)),
            ("since", &opt_date(verdict.since)),
            ("issued", &first_date),
        ],
    ));
    if let Some(p) = &verdict.profession {
        let profession = format!("{} {}", p.code, p.name);
        if p.in_scope {
            let levels = if p.levels.is_empty() {
                String::new()
            } else {
                fill(&t("verify_levels"), &[("levels", &p.levels)])
            };
            lines.push(fill(
                &t("verify_scope_yes"),
                &[
                    ("profession", &profession),
                    ("certificate", p.certificate.as_deref().unwrap_or_default()),
                    ("levels", &levels),
                ],
            ));
        } else {
            // "Not in the scope of the certificate in force" only when one was in force.
            let key = if verdict.accredited {
                "verify_scope_no"
            } else {
                "verify_scope_none"
            };
            lines.push(fill(
                &t(key),
                &[("profession", &profession), ("date", &date)],
            ));
            if let Some((number, issued)) = &p.later {
                lines.push(fill(
                    &t("verify_scope_later"),
                    &[("certificate", number), ("issued", &dotted(*issued))],
                ));
            }
        }
    }
    for (key, changes) in [
        ("verify_before", &verdict.before),
        ("verify_after", &verdict.after),
    ] {
        if let Some(first) = changes.first() {
            let list: Vec<String> = changes
                .iter()
                .map(|c| {
                    fill(
                        &t("verify_change"),
                        &[
                            ("change", &t(&format!("change_{}", c.change))),
                            ("certificate", &c.certificate),
                        ],
                    )
                })
                .collect();
            lines.push(fill(
                &t(key),
                &[("when", &dotted(first.date)), ("changes", &list.join("; "))],
            ));
        }
    }
    if verdict.date > verdict.as_of {
        lines.push(fill(
            &t("verify_future"),
            &[("date", &date), ("as_of", &dotted(verdict.as_of))],
        ));
    }
    lines
}
