//! Writing register rows back as CSV tables in the register format: the inverse of `load`
//! (used for round-trip tests and by the synthetic register generator).

use std::io;
use std::path::Path;

use chrono::NaiveDate;

use super::load::{CENTERS, CERTIFICATES, EVENTS, PROFESSIONS, REGIONS, SCOPE};
use super::model::{CodedRow, Located, Register, Text};
use super::table::Schema;

/// Writes the six tables of `register` into `dir` as `NAME.csv` (UTF-8, comma-separated),
/// with the columns of the schemas `load` reads, in their order.
pub fn write_csv_tables(register: &Register, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let coded = |r: &CodedRow| {
        let mut row = vec![r.code.clone()];
        row.extend(text(&r.name));
        row
    };
    write(dir, &REGIONS, &register.regions, coded)?;
    write(dir, &PROFESSIONS, &register.professions, coded)?;
    write(dir, &CENTERS, &register.centers, |c| {
        let mut row = vec![c.bin.to_string()];
        row.extend(text(&c.name));
        row.push(c.region.clone());
        row.push(opt(&c.city));
        row.extend(text(&c.address));
        row.extend([opt(&c.phone), opt(&c.email), opt(&c.website)]);
        row
    })?;
    write(dir, &CERTIFICATES, &register.certificates, |c| {
        vec![
            c.number.clone(),
            c.bin.clone(),
            c.issued_on.to_string(),
            date(c.valid_until),
            opt(&c.replaces),
            opt(&c.agreement_number),
            date(c.agreement_date),
        ]
    })?;
    write(dir, &SCOPE, &register.scope, |s| {
        vec![
            s.certificate.clone(),
            s.profession.clone(),
            s.levels.to_string(),
        ]
    })?;
    write(dir, &EVENTS, &register.events, |e| {
        let mut row = vec![
            e.certificate.clone(),
            e.date.to_string(),
            e.action.as_str().to_owned(),
        ];
        row.extend(text(&e.reason));
        row.push(opt(&e.decision));
        row
    })
}

fn write<T>(
    dir: &Path,
    schema: &Schema,
    rows: &[Located<T>],
    cells: impl Fn(&T) -> Vec<String>,
) -> io::Result<()> {
    let mut writer = csv::Writer::from_path(dir.join(format!("{}.csv", schema.table)))?;
    writer.write_record(schema.names())?;
    for row in rows {
        writer.write_record(cells(&row.row))?;
    }
    writer.flush()
}

fn text(t: &Text) -> [String; 3] {
    [opt(&t.kk), opt(&t.ru), opt(&t.en)]
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn date(value: Option<NaiveDate>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}
