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
        let in_force = || self.events(id).iter().take_while(|e| e.date <= date);
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
        dates.extend(self.events(id).iter().map(|e| e.date));
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
            self.events(id)
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

    /// The recorded event behind a change of status, if an event caused it.
    pub fn event_of(&self, t: &Transition) -> Option<&super::registry::StatusEvent> {
        match t.cause {
            Cause::Event { index } => self.events(t.certificate).get(index),
            _ => None,
        }
    }

    /// What a change of status was: `issued`, `revoked`, `resumed`, `terminated`,
    /// `reissued` or `expired`.
    pub fn change_name(&self, t: &Transition) -> &'static str {
        match t.cause {
            Cause::Event { index } => self
                .events(t.certificate)
                .get(index)
                .map_or("", |e| e.action.as_str()),
            Cause::Reissued { .. } => "reissued",
            Cause::Expired => "expired",
            Cause::Issued | Cause::NotYetIssued => "issued",
        }
    }

    /// Every status change of every certificate, newest first (same date: register order).
    /// (On every core: a quarter of a million changes at 100,000 centers.)
    pub fn all_transitions(&self) -> Vec<Transition> {
        use rayon::prelude::*;
        let mut all: Vec<Transition> = (0..self.certificates.len())
            .into_par_iter()
            .flat_map_iter(|id| self.certificate_history(id))
            .collect();
        all.par_sort_by(|a, b| b.date.cmp(&a.date).then(a.certificate.cmp(&b.certificate)));
        all
    }

    /// The first date after `date` on which some certificate's status changes (by the
    /// calendar or by a dated record): when a watcher must rebuild even if no file changes.
    pub fn next_change_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        (0..self.certificates.len())
            .flat_map(|id| self.certificate_history(id))
            .map(|t| t.date)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::load_registry;
    use std::path::Path;

    const BIN: &str = "190540001230";

    /// A registry of one center (Kazakh and Russian names) with the given certificates and
    /// events (CSV rows without their header).
    fn registry(certificates: &str, events: &str) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "regions.csv",
            "code,name_kk,name_ru\nastana,Астана,Астана\n".into(),
        );
        write(
            "professions.csv",
            "code,name_kk,name_ru\n7212-1-002,Дәнекерлеуші,Сварщик\n".into(),
        );
        write(
            "centers.csv",
            format!("bin,name_kk,name_ru,region\n{BIN},«Әділет» ЖШС,ТОО «Адилет»,astana\n230140003450,«Қыран» АҚ,АО «Кыран»,astana\n"),
        );
        write(
            "certificates.csv",
            format!("number,bin,issued_on,valid_until,replaces\n{certificates}"),
        );
        let scope: String = certificates
            .lines()
            .filter_map(|l| l.split(',').next())
            .map(|n| format!("{n},7212-1-002,3-5\n"))
            .collect();
        write(
            "scope.csv",
            format!("certificate,profession,levels\n{scope}"),
        );
        write(
            "events.csv",
            format!("certificate,date,action,reason_ru\n{events}"),
        );
        match load_registry(dir.path(), Path::new("data"), 3) {
            Ok(checked) => checked.registry,
            Err(e) => panic!("{:#?}", e.diagnostics),
        }
    }

    fn d(text: &str) -> NaiveDate {
        crate::register::dates::parse_date(text).unwrap()
    }

    /// One row per rule of the spec (and the order between rules): a register, a certificate,
    /// and its expected status on each date.
    #[test]
    fn each_status_rule() {
        use Status::*;
        #[rustfmt::skip]
        type Case<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [(&'a str, Status)]);
        let cases: &[Case] = &[
            (
                "1. before issued_on: not yet valid; valid from issued_on, inclusive",
                "А-1,190540001230,2024-03-01,,",
                "",
                "А-1",
                &[
                    ("2024-02-29", NotYetValid),
                    ("2024-03-01", Valid),
                    ("0001-01-01", NotYetValid),
                ],
            ),
            (
                "default term: same day three years later, inclusive; expired the day after",
                "А-1,190540001230,2024-03-01,,",
                "",
                "А-1",
                &[
                    ("2027-03-01", Valid),
                    ("2027-03-02", Expired),
                    ("9999-12-31", Expired),
                ],
            ),
            (
                "default term from 29 February ends on 28 February",
                "А-1,190540001230,2024-02-29,,",
                "",
                "А-1",
                &[("2027-02-28", Valid), ("2027-03-01", Expired)],
            ),
            (
                "an explicit valid_until wins over the default",
                "А-1,190540001230,2024-03-01,2025-01-31,",
                "",
                "А-1",
                &[("2025-01-31", Valid), ("2025-02-01", Expired)],
            ),
            (
                "5. revoked from the event's date; resumed from its date",
                "А-1,190540001230,2024-03-01,,",
                "А-1,2025-01-10,revoked,Бұзушылық\nА-1,2025-02-20,resumed,Жойылды\n",
                "А-1",
                &[
                    ("2025-01-09", Valid),
                    ("2025-01-10", Revoked),
                    ("2025-02-19", Revoked),
                    ("2025-02-20", Valid),
                ],
            ),
            (
                "same day revoked then resumed: file order, resumed last",
                "А-1,190540001230,2024-03-01,,",
                "А-1,2025-01-10,revoked,x\nА-1,2025-01-10,resumed,y\n",
                "А-1",
                &[("2025-01-09", Valid), ("2025-01-10", Valid)],
            ),
            (
                "4 before 5: a revoked certificate past valid_until is expired",
                "А-1,190540001230,2024-03-01,2025-03-01,",
                "А-1,2025-01-10,revoked,x\n",
                "А-1",
                &[("2025-03-01", Revoked), ("2025-03-02", Expired)],
            ),
            (
                "2. terminated from its date, and final",
                "А-1,190540001230,2024-03-01,,",
                "А-1,2025-01-10,revoked,x\nА-1,2025-06-01,terminated,Тарату\n",
                "А-1",
                &[
                    ("2025-05-31", Revoked),
                    ("2025-06-01", Terminated),
                    ("2099-01-01", Terminated),
                ],
            ),
            (
                "2 before 3: terminated after a re-issue stays terminated",
                "А-1,190540001230,2024-03-01,,\nА-2,190540001230,2025-01-01,,А-1",
                "А-1,2025-06-01,terminated,x\n",
                "А-1",
                &[
                    ("2024-12-31", Valid),
                    ("2025-01-01", Reissued),
                    ("2025-06-01", Terminated),
                ],
            ),
            (
                "3. re-issued from the successor's issued_on",
                "А-1,190540001230,2024-03-01,,\nА-2,190540001230,2025-01-01,,А-1",
                "",
                "А-1",
                &[
                    ("2024-12-31", Valid),
                    ("2025-01-01", Reissued),
                    ("2030-01-01", Reissued),
                ],
            ),
            (
                "3 before 4: re-issued after its own term is re-issued, not expired",
                "А-1,190540001230,2024-03-01,2024-06-30,\nА-2,190540001230,2024-09-01,,А-1",
                "",
                "А-1",
                &[("2024-07-01", Expired), ("2024-09-01", Reissued)],
            ),
            (
                "3 before 5: a revoked certificate that is re-issued",
                "А-1,190540001230,2024-03-01,,\nА-2,190540001230,2025-01-01,,А-1",
                "А-1,2024-10-01,revoked,x\n",
                "А-1",
                &[("2024-10-01", Revoked), ("2025-01-01", Reissued)],
            ),
            (
                "the successor has its own life",
                "А-1,190540001230,2024-03-01,,\nА-2,190540001230,2025-01-01,,А-1",
                "",
                "А-2",
                &[
                    ("2024-12-31", NotYetValid),
                    ("2025-01-01", Valid),
                    ("2028-01-01", Valid),
                    ("2028-01-02", Expired),
                ],
            ),
        ];
        for (name, certificates, events, number, expectations) in cases {
            let r = registry(certificates, events);
            let id = r.certificate(number).unwrap();
            for (date, expected) in *expectations {
                assert_eq!(
                    r.certificate_status(id, d(date)),
                    *expected,
                    "{name}: {number} on {date}"
                );
                let interval = r
                    .certificate_timeline(id)
                    .into_iter()
                    .find(|i| i.contains(d(date)))
                    .unwrap();
                assert_eq!(interval.status, *expected, "{name}: timeline on {date}");
            }
        }
    }

    #[test]
    fn center_status_rules() {
        use Status::*;
        let r = registry(
            "А-1,190540001230,2023-01-10,,\nА-2,190540001230,2024-05-01,2024-12-31,\nА-3,190540001230,2025-06-01,,",
            "А-1,2024-02-01,terminated,Өтініш\n",
        );
        let center = r.center(BIN).unwrap();
        let expected = [
            ("2023-01-09", NotYetValid, None),
            ("2023-01-10", Valid, Some("А-1")),
            ("2024-02-01", Terminated, Some("А-1")),
            ("2024-05-01", Valid, Some("А-2")),
            ("2025-01-01", Expired, Some("А-2")),
            ("2025-06-01", Valid, Some("А-3")),
        ];
        for (date, status, certificate) in expected {
            let (got, deciding) = r.center_status(center, d(date));
            assert_eq!(got, status, "{date}");
            assert_eq!(
                deciding.map(|c| r.certificates[c].number.as_str()),
                certificate,
                "{date}"
            );
        }
        let other = r.center("230140003450").unwrap();
        assert_eq!(r.center_status(other, d("2025-01-01")), (NotYetValid, None));
        let statuses: Vec<Status> = r
            .center_timeline(center)
            .iter()
            .map(|(i, _)| i.status)
            .collect();
        assert_eq!(
            statuses,
            [
                NotYetValid,
                Valid,
                Terminated,
                Valid,
                Expired,
                Valid,
                Expired
            ]
        );
    }

    #[test]
    fn history_lists_dated_changes_with_causes() {
        let r = registry(
            "А-1,190540001230,2024-03-01,,\nА-2,190540001230,2026-01-15,,А-1",
            "А-1,2025-01-10,revoked,Бұзушылық\nА-1,2025-02-20,resumed,Жойылды\n",
        );
        let id = r.certificate("А-1").unwrap();
        let history: Vec<(String, Status, Cause)> = r
            .certificate_history(id)
            .into_iter()
            .map(|t| (t.date.to_string(), t.to, t.cause))
            .collect();
        let successor = r.certificate("А-2").unwrap();
        assert_eq!(
            history,
            [
                ("2024-03-01".to_owned(), Status::Valid, Cause::Issued),
                (
                    "2025-01-10".to_owned(),
                    Status::Revoked,
                    Cause::Event { index: 0 }
                ),
                (
                    "2025-02-20".to_owned(),
                    Status::Valid,
                    Cause::Event { index: 1 }
                ),
                (
                    "2026-01-15".to_owned(),
                    Status::Reissued,
                    Cause::Reissued { successor }
                ),
            ]
        );
        assert_eq!(r.next_change_after(d("2025-01-10")), Some(d("2025-02-20")));
        // А-2's term ends 2029-01-15: it expires the day after; nothing changes after that.
        assert_eq!(r.next_change_after(d("2026-01-15")), Some(d("2029-01-16")));
        assert_eq!(r.next_change_after(d("2029-01-16")), None);
        let all = r.all_transitions();
        assert_eq!(all.first().map(|t| t.date), Some(d("2029-01-16")));
        assert_eq!(all.len(), 6);
    }

    #[test]
    fn status_names() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!("valid ".parse::<Status>().is_err());
    }
}
