//! Dates as the register writes them (`YYYY-MM-DD`, or `DD.MM.YYYY` from Excel in kk/ru
//! locales), the term of validity counted in years, and "today" in Kazakhstan.

use chrono::{Months, NaiveDate};

/// Parses `YYYY-MM-DD` or `DD.MM.YYYY` (day and month may have one digit, as some exports
/// write them). Anything else, or a day that does not exist, is `None`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some((y, m, d)) = split3(text, '-') {
        if y.len() == 4 && m.len() == 2 && d.len() == 2 {
            return ymd(y, m, d);
        }
    }
    if let Some((d, m, y)) = split3(text, '.') {
        if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) {
            return ymd(y, m, d);
        }
    }
    None
}

fn split3(text: &str, sep: char) -> Option<(&str, &str, &str)> {
    let mut parts = text.split(sep);
    let triple = (parts.next()?, parts.next()?, parts.next()?);
    parts.next().is_none().then_some(triple)
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The last day of a term of `years` years starting on `issued_on`: the same month and day
/// `years` later, or the last day of that month where it has no such day (29 February).
pub fn add_years(issued_on: NaiveDate, years: u32) -> Option<NaiveDate> {
    issued_on.checked_add_months(Months::new(years.checked_mul(12)?))
}

/// Today's date in Asia/Almaty, the zone the register's dates are meant in.
pub fn today_in_kazakhstan() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .date_naive()
}

/// `DD.MM.YYYY`, the form people in Kazakhstan read dates in.
pub fn dotted(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_both_formats() {
        let cases: &[(&str, Option<NaiveDate>)] = &[
            ("2024-03-01", Some(d(2024, 3, 1))),
            ("01.03.2024", Some(d(2024, 3, 1))),
            ("1.3.2024", Some(d(2024, 3, 1))),
            ("  29.02.2024 ", Some(d(2024, 2, 29))),
            ("2024-02-29", Some(d(2024, 2, 29))),
            ("2023-02-29", None),
            ("31.04.2024", None),
            ("2024-3-1", None),
            ("24-03-01", None),
            ("01/03/2024", None),
            ("2024.03.01", None),
            ("01.03.24", None),
            ("", None),
            ("2024-03-01T00:00", None),
            ("жоқ", None),
            ("-2024-03-01", None),
            ("+1.+3.2024", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn term_in_years() {
        assert_eq!(add_years(d(2024, 3, 1), 3), Some(d(2027, 3, 1)));
        assert_eq!(add_years(d(2024, 2, 29), 3), Some(d(2027, 2, 28)));
        assert_eq!(add_years(d(2024, 2, 29), 4), Some(d(2028, 2, 29)));
        assert_eq!(add_years(d(2023, 12, 31), 1), Some(d(2024, 12, 31)));
        assert_eq!(add_years(d(2023, 1, 31), 5), Some(d(2028, 1, 31)));
    }

    #[test]
    fn dotted_form() {
        assert_eq!(dotted(d(2024, 1, 10)), "10.01.2024");
    }
}
