//! Status on a date, derived from the register by the rules of the spec, and the timelines
//! and histories built from the same rule (so they can never disagree with it).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use super::model::Action;
use super::registry::{CenterId, CertificateId, Registry};

/// The status of a certificate (or a center) on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    NotYetValid,
    Valid,
    Revoked,
    Expired,
    Reissued,
    Terminated,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Valid,
        Status::Revoked,
        Status::Expired,
        Status::Reissued,
        Status::Terminated,
        Status::NotYetValid,
    ];

    /// The name used in JSON and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotYetValid => "not-yet-valid",
            Status::Valid => "valid",
            Status::Revoked => "revoked",
            Status::Expired => "expired",
            Status::Reissued => "reissued",
            Status::Terminated => "terminated",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a status"))
    }
}

/// What made a certificate's status what it is from a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Cause {
    /// Before `issued_on`.
    NotYetIssued,
    /// Issued on this date.
    Issued,
    /// An event of the certificate (index into its `events`).
    Event { index: usize },
    /// Re-issued by a successor certificate.
    Reissued { successor: CertificateId },
    /// The term ended (the day after `valid_until`).
    Expired,
}

/// A stretch of days with one status: `from` and `to` inclusive, `None` = unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Interval {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Status,
    pub cause: Cause,
}

impl Interval {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date <= to)
    }
}

/// A change of a certificate's status on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub certificate: CertificateId,
    pub date: NaiveDate,
    pub from: Status,
    pub to: Status,
    pub cause: Cause,
}

impl Registry {
    /// The status of a certificate on `date`: the first rule of the spec that holds.
    pub fn certificate_status(&self, id: CertificateId, date: NaiveDate) -> Status {
        let certificate = &self.certificates[id];
        if date < certificate.issued_on {
            return Status::NotYetValid;
        }
        let in_force = || certificate.events.iter().take_while(|e| e.date <= date);
        if in_force().any(|e| e.action == Action::Terminated) {
            return Status::Terminated;
        }
        if let Some(successor) = certificate.replaced_by {
            if date >= self.certificates[successor].issued_on {
                return Status::Reissued;
            }
        }
        if date > certificate.valid_until {
            return Status::Expired;
        }
        let last = in_force()
            .filter(|e| matches!(e.action, Action::Revoked | Action::Resumed))
            .last();
        match last {
            Some(e) if e.action == Action::Revoked => Status::Revoked,
            _ => Status::Valid,
        }
    }

    /// The dates on which a certificate's status may change, ascending, without repeats.
    pub fn certificate_boundaries(&self, id: CertificateId) -> Vec<NaiveDate> {
        let certificate = &self.certificates[id];
        let mut dates = vec![certificate.issued_on];
        dates.extend(certificate.events.iter().map(|e| e.date));
        if let Some(successor) = certificate.replaced_by {
            dates.push(self.certificates[successor].issued_on);
        }
        dates.extend(certificate.valid_until.succ_opt());
        dates.sort_unstable();
        dates.dedup();
        dates
    }

    /// Why a certificate has `status` from `date` on (a boundary date).
    fn cause(&self, id: CertificateId, date: NaiveDate, status: Status) -> Cause {
        let certificate = &self.certificates[id];
        let last_event = |wanted: &[Action]| {
            certificate
                .events
                .iter()
                .enumerate()
                .take_while(|(_, e)| e.date <= date)
                .filter(|(_, e)| wanted.contains(&e.action))
                .last()
                .map(|(index, _)| Cause::Event { index })
        };
        match status {
            Status::NotYetValid => Cause::NotYetIssued,
            Status::Terminated => last_event(&[Action::Terminated]).unwrap_or(Cause::Issued),
            Status::Reissued => match certificate.replaced_by {
                Some(successor) => Cause::Reissued { successor },
                None => Cause::Issued,
            },
            Status::Expired => Cause::Expired,
            Status::Revoked => last_event(&[Action::Revoked]).unwrap_or(Cause::Issued),
            Status::Valid if date == certificate.issued_on => Cause::Issued,
            Status::Valid => last_event(&[Action::Resumed]).unwrap_or(Cause::Issued),
        }
    }

    /// The whole life of a certificate as consecutive intervals, the first unbounded before
    /// `issued_on`, the last open-ended. Computed by [`Self::certificate_status`] at every
    /// boundary, so a date's interval always has that date's status.
    pub fn certificate_timeline(&self, id: CertificateId) -> Vec<Interval> {
        let mut timeline: Vec<Interval> = vec![Interval {
            from: None,
            to: None,
            status: Status::NotYetValid,
            cause: Cause::NotYetIssued,
        }];
        for date in self.certificate_boundaries(id) {
            let status = self.certificate_status(id, date);
            push_interval(&mut timeline, date, status, || self.cause(id, date, status));
        }
        timeline
    }

    /// The dated status changes of a certificate, oldest first (issue included).
    pub fn certificate_history(&self, id: CertificateId) -> Vec<Transition> {
        self.certificate_timeline(id)
            .windows(2)
            .map(|pair| Transition {
                certificate: id,
                date: pair[1].from.unwrap_or(NaiveDate::MIN),
                from: pair[0].status,
                to: pair[1].status,
                cause: pair[1].cause,
            })
            .collect()
    }

    /// A center's status on `date`, and the certificate that decides it: a valid one if any;
    /// otherwise the one with the latest `issued_on` not after `date`; none before the first.
    pub fn center_status(&self, id: CenterId, date: NaiveDate) -> (Status, Option<CertificateId>) {
        let certificates = &self.centers[id].certificates;
        if let Some(&valid) = certificates
            .iter()
            .rev()
            .find(|&&c| self.certificate_status(c, date) == Status::Valid)
        {
            return (Status::Valid, Some(valid));
        }
        // `certificates` is sorted by issued_on (ties in file order): the last one issued wins.
        match certificates
            .iter()
            .rev()
            .find(|&&c| self.certificates[c].issued_on <= date)
        {
            Some(&latest) => (self.certificate_status(latest, date), Some(latest)),
            None => (Status::NotYetValid, None),
        }
    }

    /// A center's timeline: its status over time, merged from its certificates' boundaries.
    /// Each interval's cause is that of the deciding certificate on the interval's first day.
    pub fn center_timeline(&self, id: CenterId) -> Vec<(Interval, Option<CertificateId>)> {
        let mut dates: Vec<NaiveDate> = self.centers[id]
            .certificates
            .iter()
            .flat_map(|&c| self.certificate_boundaries(c))
            .collect();
        dates.sort_unstable();
        dates.dedup();
        let mut timeline = vec![(
            Interval {
                from: None,
                to: None,
                status: Status::NotYetValid,
                cause: Cause::NotYetIssued,
            },
            None,
        )];
        for date in dates {
            let (status, deciding) = self.center_status(id, date);
            let last = timeline
                .last_mut()
                .expect("timeline starts with one interval");
            if last.0.status == status && last.1 == deciding {
                continue;
            }
            last.0.to = date.pred_opt();
            let cause = deciding.map_or(Cause::NotYetIssued, |c| self.cause(c, date, status));
            timeline.push((
                Interval {
                    from: Some(date),
                    to: None,
                    status,
                    cause,
                },
                deciding,
            ));
        }
        timeline
    }

    /// Every status change of every certificate, newest first (same date: register order).
    pub fn all_transitions(&self) -> Vec<Transition> {
        let mut all: Vec<Transition> = (0..self.certificates.len())
            .flat_map(|id| self.certificate_history(id))
            .collect();
        all.sort_by(|a, b| b.date.cmp(&a.date).then(a.certificate.cmp(&b.certificate)));
        all
    }

    /// The first date after `date` on which some certificate's status changes by itself or
    /// by a dated record: when a watcher must rebuild even if no file changes.
    pub fn next_change_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        (0..self.certificates.len())
            .flat_map(|id| self.certificate_boundaries(id))
            .filter(|&d| d > date)
            .min()
    }
}

/// Appends an interval starting on `date` unless the status does not change.
fn push_interval(
    timeline: &mut Vec<Interval>,
    date: NaiveDate,
    status: Status,
    cause: impl FnOnce() -> Cause,
) {
    let last = timeline
        .last_mut()
        .expect("timeline starts with one interval");
    if last.status == status {
        return;
    }
    last.to = date.pred_opt();
    timeline.push(Interval {
        from: Some(date),
        to: None,
        status,
        cause: cause(),
    });
}
