//! Properties of the register core on random registers: a valid register survives
//! CSV → load → write → load unchanged, and status questions never panic and always agree
//! with the timelines.

use std::path::Path;

use chrono::NaiveDate;
use proptest::prelude::*;
use tizilim::register::bin::Bin;
use tizilim::register::model::*;
use tizilim::register::write::write_csv_tables;
use tizilim::register::{load, load_registry, Diagnostics, Position};

/// Text as maintainers write it: Kazakh, Russian and Latin letters, quotes, delimiters,
/// line breaks; never empty and never with space at either end (cells are trimmed).
fn text() -> impl Strategy<Value = String> {
    "[әғқңөұүһіӘҒҚҢӨҰҮҺІа-яА-ЯёЁa-zA-Z0-9«»\"'№,;:/()&<> \n-]{0,24}".prop_map(|s| {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            "Орталық".to_owned()
        } else {
            trimmed.to_owned()
        }
    })
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

/// Names: Kazakh or Russian is always there.
fn names() -> impl Strategy<Value = Text> {
    (text(), opt_text(), opt_text(), any::<bool>()).prop_map(|(first, other, en, kazakh_first)| {
        if kazakh_first {
            Text {
                kk: Some(first),
                ru: other,
                en,
            }
        } else {
            Text {
                kk: other,
                ru: Some(first),
                en,
            }
        }
    })
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (2000i32..2035, 1u32..=12, 1u32..=31)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d.min(28)).expect("a valid day"))
}

fn bin() -> impl Strategy<Value = Bin> {
    proptest::array::uniform11(0u8..10).prop_map(|mut digits| loop {
        if let Some(bin) = Bin::with_check_digit(&digits) {
            return bin;
        }
        digits[10] = (digits[10] + 1) % 10;
    })
}

fn at<T>(row: T) -> Located<T> {
    Located {
        position: Position::file("generated"),
        row,
    }
}

prop_compose! {
    fn certificate_plan()(
        issued_on in date(),
        term in proptest::option::of(0i64..2000),
        replaces_previous in any::<bool>(),
        agreement in proptest::option::of((text(), date())),
        scope in proptest::collection::btree_set(0usize..5, 1..4),
        levels in proptest::collection::vec(proptest::collection::vec(1u8..=8, 0..4), 4),
        events in proptest::collection::vec((1i64..400, text(), opt_text(), opt_text()), 0..4),
        terminated in proptest::option::of((1i64..400, text())),
    ) -> (NaiveDate, Option<i64>, bool, Option<(String, NaiveDate)>, Vec<usize>, Vec<Vec<u8>>, Vec<(i64, String, Option<String>, Option<String>)>, Option<(i64, String)>) {
        (issued_on, term, replaces_previous, agreement, scope.into_iter().collect(), levels, events, terminated)
    }
}

prop_compose! {
    fn register()(
        region_names in proptest::collection::vec(names(), 1..4),
        profession_names in proptest::collection::vec((text(), names()), 5..6),
        centers in proptest::collection::vec((bin(), names(), any::<usize>(), opt_text(), names(), opt_text(), any::<bool>()), 1..4),
        plans in proptest::collection::vec(certificate_plan(), 0..6),
    ) -> Register {
        let mut register = Register::default();
        for (i, name) in region_names.into_iter().enumerate() {
            register.regions.push(at(RegionRow { code: format!("region-{i}"), name }));
        }
        for (i, (code, name)) in profession_names.into_iter().enumerate() {
            // Codes are free text without `;`, unique.
            register.professions.push(at(ProfessionRow { code: format!("{i}-{}", code.replace(';', ",")), name }));
        }
        let mut seen_bins = std::collections::HashSet::new();
        for (i, (bin, name, region, city, address, phone, contacts)) in centers.into_iter().enumerate() {
            if !seen_bins.insert(bin.clone()) {
                continue;
            }
            register.centers.push(at(CenterRow {
                bin,
                name,
                region: format!("region-{}", region % register.regions.len()),
                city,
                address,
                phone,
                email: contacts.then(|| format!("info{i}@орталық.kz")),
                website: contacts.then(|| format!("https://center{i}.kz/about?q=1")),
            }));
        }
        let mut last_of_center: Vec<Option<(String, NaiveDate)>> = vec![None; register.centers.len()];
        for (i, (issued_on, term, replaces_previous, agreement, scope, levels, events, terminated)) in plans.into_iter().enumerate() {
            let center = i % register.centers.len();
            let number = format!("{i}/ЦПК-{}", register.centers[center].bin.as_str());
            let predecessor = last_of_center[center].clone().filter(|_| replaces_previous);
            // A successor is issued on or after its predecessor.
            let issued_on = match &predecessor {
                Some((_, previous)) if *previous > issued_on => *previous,
                _ => issued_on,
            };
            let valid_until = term.map(|days| issued_on + chrono::Duration::days(days));
            register.certificates.push(at(CertificateRow {
                number: number.clone(),
                bin: register.centers[center].bin.to_string(),
                issued_on,
                valid_until,
                replaces: predecessor.map(|(n, _)| n),
                agreement_number: agreement.as_ref().map(|(n, _)| n.clone()),
                agreement_date: agreement.map(|(_, d)| d),
            }));
            for (k, profession) in scope.into_iter().enumerate() {
                register.scope.push(at(ScopeRow {
                    certificate: number.clone(),
                    profession: register.professions[profession].code.clone(),
                    levels: Levels::from_levels(levels[k % levels.len()].iter().copied()),
                }));
            }
            // Revoked and resumed alternate, dates rising from issued_on; a termination may end
            // the history of a certificate that is never re-issued (decided below, by order).
            let mut day = issued_on;
            for (k, (gap, reason, ru, en)) in events.into_iter().enumerate() {
                day += chrono::Duration::days(gap);
                let action = if k % 2 == 0 { Action::Revoked } else { Action::Resumed };
                register.events.push(at(EventRow {
                    certificate: number.clone(),
                    date: day,
                    action,
                    reason: Text { kk: Some(reason), ru, en },
                    decision: None,
                }));
            }
            // Terminate only where the next plan of this center will not re-issue it: this
            // generator never re-issues a terminated certificate, so terminating the last of
            // a center is always safe; earlier ones keep going.
            if let Some((gap, decision)) = terminated {
                if i + register.centers.len() >= 6 {
                    register.events.push(at(EventRow {
                        certificate: number.clone(),
                        date: day + chrono::Duration::days(gap),
                        action: Action::Terminated,
                        reason: Text::default(),
                        decision: Some(decision),
                    }));
                }
            }
            last_of_center[center] = Some((number, issued_on));
        }
        register
    }
}

fn rows<T: Clone>(rows: &[Located<T>]) -> Vec<T> {
    rows.iter().map(|r| r.row.clone()).collect()
}

fn assert_same(a: &Register, b: &Register) {
    assert_eq!(rows(&a.regions), rows(&b.regions));
    assert_eq!(rows(&a.professions), rows(&b.professions));
    assert_eq!(rows(&a.centers), rows(&b.centers));
    assert_eq!(rows(&a.certificates), rows(&b.certificates));
    assert_eq!(rows(&a.scope), rows(&b.scope));
    assert_eq!(rows(&a.events), rows(&b.events));
}

fn load_rows(dir: &Path) -> Register {
    let mut diags = Diagnostics::default();
    let (register, _) = load::load(dir, Path::new("data"), &mut diags);
    assert!(!diags.has_errors(), "{:#?}", diags.into_sorted());
    register
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_register_survives_csv_load_write_load(register in register()) {
        let first = tempfile::tempdir().unwrap();
        write_csv_tables(&register, first.path()).unwrap();
        let loaded = load_rows(first.path());
        assert_same(&register, &loaded);
        let second = tempfile::tempdir().unwrap();
        write_csv_tables(&loaded, second.path()).unwrap();
        let reloaded = load_rows(second.path());
        assert_same(&loaded, &reloaded);
    }

    #[test]
    fn status_questions_never_panic_and_agree_with_timelines(
        register in register(),
        days in proptest::collection::vec(any::<i32>(), 1..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_csv_tables(&register, dir.path()).unwrap();
        let registry = match load_registry(dir.path(), Path::new("data"), 3) {
            Ok(checked) => checked.registry,
            Err(e) => panic!("the generated register is invalid: {:#?}", e.diagnostics),
        };
        let mut dates: Vec<NaiveDate> = days
            .iter()
            .filter_map(|&n| NaiveDate::from_num_days_from_ce_opt(n.rem_euclid(3_000_000)))
            .collect();
        dates.extend([NaiveDate::MIN, NaiveDate::MAX]);
        for certificate in registry.certificates.iter().flat_map(|c| [c.issued_on, c.valid_until]) {
            dates.extend([certificate, certificate.succ_opt().unwrap_or(certificate)]);
        }
        for id in 0..registry.certificates.len() {
            let timeline = registry.certificate_timeline(id);
            for &date in &dates {
                let status = registry.certificate_status(id, date);
                let found: Vec<_> = timeline.iter().filter(|i| i.contains(date)).collect();
                prop_assert_eq!(found.len(), 1, "exactly one interval holds {}", date);
                prop_assert_eq!(found[0].status, status);
            }
        }
        for id in 0..registry.centers.len() {
            let timeline = registry.center_timeline(id);
            for &date in &dates {
                let (status, deciding) = registry.center_status(id, date);
                let found: Vec<_> = timeline.iter().filter(|(i, _)| i.contains(date)).collect();
                prop_assert_eq!(found.len(), 1);
                prop_assert_eq!((found[0].0.status, found[0].1), (status, deciding));
            }
        }
    }
}
