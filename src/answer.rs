//! The answer to "what is (or was) the status of this center or certificate on a date, and
//! did it cover this profession then": one value that the command line prints as text or JSON.

use chrono::NaiveDate;
use serde::Serialize;

use crate::register::lookup::Found;
use crate::register::{CertificateId, Lang, Levels, Registry, Status, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Center,
    Certificate,
}

/// What `tizilim status` answers.
#[derive(Debug, Clone, Serialize)]
pub struct StatusAnswer {
    pub kind: Kind,
    /// The BIN or the certificate number as in the register.
    pub id: String,
    pub on: NaiveDate,
    pub status: Status,
    /// The center's BIN and names.
    pub bin: String,
    pub name: Text,
    /// Without a profession, the certificate that decides `status` (as `status_certificate`).
    /// With one, the certificate valid on that date that covers it, or none: an integrator
    /// reads this key as the covering certificate.
    pub certificate: Option<String>,
    /// The certificate that decides `status`: the certificate asked about; for a center, its
    /// certificate valid on that date, or else its latest one (none before its first).
    pub status_certificate: Option<String>,
    /// The term of `status_certificate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// Only when a profession was asked about: whether a certificate valid on that date
    /// covered it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_scope: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profession: Option<ProfessionAnswer>,
    /// Dated status changes of the certificates concerned, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The verdict for the center in words, as the verification page says it (when the
    /// site's theme gives the sentences).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answer: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfessionAnswer {
    pub code: String,
    pub name: Text,
    /// The levels covered on that date (empty when not in scope or not stated).
    pub levels: Levels,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub date: NaiveDate,
    pub certificate: String,
    pub status: Status,
    /// `issued`, `revoked`, `resumed`, `terminated`, `reissued` or `expired`.
    pub change: &'static str,
    #[serde(skip_serializing_if = "Text::is_empty")]
    pub reason: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
}

/// Why a question could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error(
        "`{0}` is not in the register (no center with this BIN, no certificate with this number)"
    )]
    NotInRegister(String),
    #[error("`{typed}` matches several certificates: {}", .numbers.join(", "))]
    Ambiguous { typed: String, numbers: Vec<String> },
    #[error("profession `{0}` is not in the register")]
    UnknownProfession(String),
}

/// Answers for `typed` (a BIN or a certificate number) on `on`, optionally for a profession.
pub fn answer(
    registry: &Registry,
    typed: &str,
    on: NaiveDate,
    profession: Option<&str>,
) -> Result<StatusAnswer, AnswerError> {
    let profession = match profession {
        Some(code) => Some(
            registry
                .profession(code.trim())
                .ok_or_else(|| AnswerError::UnknownProfession(code.to_owned()))?,
        ),
        None => None,
    };
    let covers = |certificate: CertificateId| -> Option<Levels> {
        let wanted = profession?;
        registry.certificates[certificate]
            .scope
            .iter()
            .find(|item| item.profession == wanted)
            .map(|item| item.levels)
    };
    let (kind, center, candidates, status, deciding) = match registry.find(typed) {
        Found::NotFound => return Err(AnswerError::NotInRegister(typed.to_owned())),
        Found::Ambiguous(ids) => {
            return Err(AnswerError::Ambiguous {
                typed: typed.to_owned(),
                numbers: ids
                    .iter()
                    .map(|&id| registry.certificates[id].number.clone())
                    .collect(),
            })
        }
        Found::Center(id) => {
            let (status, deciding) = registry.center_status(id, on);
            (
                Kind::Center,
                id,
                registry.centers[id].certificates.clone(),
                status,
                deciding,
            )
        }
        Found::Certificate(id) => {
            let status = registry.certificate_status(id, on);
            (
                Kind::Certificate,
                registry.certificates[id].center,
                vec![id],
                status,
                Some(id),
            )
        }
    };
    // With a profession: the newest certificate valid on that date that covers it.
    let covering =
        profession.and(
            candidates.iter().rev().copied().find(|&c| {
                registry.certificate_status(c, on) == Status::Valid && covers(c).is_some()
            }),
        );
    let levels = covering.and_then(covers).unwrap_or_default();
    let center_record = &registry.centers[center];
    let deciding_record = deciding.map(|c| &registry.certificates[c]);
    let number = |c: CertificateId| registry.certificates[c].number.clone();
    Ok(StatusAnswer {
        kind,
        id: match kind {
            Kind::Center => center_record.bin.to_string(),
            Kind::Certificate => registry.certificates[candidates[0]].number.clone(),
        },
        on,
        status,
        bin: center_record.bin.to_string(),
        name: center_record.name.clone(),
        certificate: if profession.is_some() {
            covering.map(number)
        } else {
            deciding.map(number)
        },
        status_certificate: deciding.map(number),
        issued_on: deciding_record.map(|c| c.issued_on),
        valid_until: deciding_record.map(|c| c.valid_until),
        in_scope: profession.map(|_| covering.is_some()),
        profession: profession.map(|p| ProfessionAnswer {
            code: registry.professions[p].code.clone(),
            name: registry.professions[p].name.clone(),
            levels,
        }),
        history: history(registry, &candidates),
        answer: Vec::new(),
    })
}

/// Adds the verdict sentences (see [`crate::verify`]) for the answer's center to `answer`,
/// in the language of `strings`, for a register read on `as_of`.
pub fn explain(
    answer: &mut StatusAnswer,
    registry: &Registry,
    strings: &std::collections::BTreeMap<String, String>,
    as_of: NaiveDate,
    lang: Lang,
) {
    let Some(center) = registry.center(&answer.bin) else {
        return;
    };
    let profession = answer
        .profession
        .as_ref()
        .and_then(|p| registry.profession(&p.code));
    let verdict = crate::verify::verdict(registry, center, answer.on, profession, as_of, lang);
    answer.answer = crate::verify::sentences(&verdict, strings);
}

fn history(registry: &Registry, certificates: &[CertificateId]) -> Vec<HistoryEntry> {
    let mut entries: Vec<HistoryEntry> = certificates
        .iter()
        .flat_map(|&id| registry.certificate_history(id))
        .map(|t| {
            let certificate = &registry.certificates[t.certificate];
            let event = registry.event_of(&t);
            HistoryEntry {
                date: t.date,
                certificate: certificate.number.clone(),
                status: t.to,
                change: registry.change_name(&t),
                reason: event.map(|e| e.reason.clone()).unwrap_or_default(),
                decision: event.and_then(|e| e.decision.clone()),
            }
        })
        .collect();
    entries.sort_by_key(|e| e.date);
    entries
}

impl StatusAnswer {
    /// The answer as lines of plain text; the first line names the status.
    pub fn to_text(&self, lang: Lang) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let subject = match self.kind {
            Kind::Center => format!("center {}", self.bin),
            Kind::Certificate => format!("certificate {}", self.id),
        };
        let _ = writeln!(out, "{}: {subject} on {}", self.status, self.on);
        let _ = writeln!(out, "holder: {} (BIN {})", self.name.get(lang), self.bin);
        if let (Some(number), Some(from), Some(until)) =
            (&self.status_certificate, self.issued_on, self.valid_until)
        {
            let _ = writeln!(
                out,
                "certificate: {number}, issued {from}, valid until {until}"
            );
        }
        if let (Some(profession), Some(in_scope)) = (&self.profession, self.in_scope) {
            let name = profession.name.get(lang);
            if in_scope {
                let levels = if profession.levels.is_empty() {
                    String::new()
                } else {
                    format!(", levels {}", profession.levels)
                };
                let _ = writeln!(
                    out,
                    "profession {} ({name}): in scope on {} under certificate {}{levels}",
                    profession.code,
                    self.on,
                    self.certificate.as_deref().unwrap_or_default()
                );
            } else {
                let _ = writeln!(
                    out,
                    "profession {} ({name}): not in the scope of a valid certificate on {}",
                    profession.code, self.on
                );
            }
        }
        for line in &self.answer {
            let _ = writeln!(out, "{line}");
        }
        if !self.history.is_empty() {
            let _ = writeln!(out, "history:");
        }
        for entry in &self.history {
            let mut line = format!(
                "  {}  {:<13} {:<11} {}",
                entry.date,
                entry.status.as_str(),
                entry.change,
                entry.certificate
            );
            let reason = entry.reason.get(lang);
            if !reason.is_empty() {
                let _ = write!(line, ": {reason}");
            }
            if let Some(decision) = &entry.decision {
                let _ = write!(line, " ({decision})");
            }
            let _ = writeln!(out, "{line}");
        }
        out
    }
}
