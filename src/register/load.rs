//! Loading the register: the schema of every table, and the typing of each raw row into a
//! record (required values, dates, BINs, emails, websites, levels, codes, actions).
//! Problems of a single cell are found here; problems between rows are `validate`'s.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use super::bin::Bin;
use super::dates::parse_date;
use super::diagnostic::{Diagnostics, Problem};
use super::model::*;
use super::table::{read_table, Cell, Column, RawRow, RawTable, Schema, TableCache};

const fn col(name: &'static str, required: bool) -> Column {
    Column {
        name,
        required,
        list: false,
    }
}

pub const REGIONS: Schema = Schema {
    table: "regions",
    required: true,
    columns: &[
        col("code", true),
        col("name_kk", false),
        col("name_ru", false),
        col("name_en", false),
    ],
};

pub const PROFESSIONS: Schema = Schema {
    table: "professions",
    required: true,
    columns: &[
        col("code", true),
        col("name_kk", false),
        col("name_ru", false),
        col("name_en", false),
    ],
};

pub const CENTERS: Schema = Schema {
    table: "centers",
    required: true,
    columns: &[
        col("bin", true),
        col("name_kk", false),
        col("name_ru", false),
        col("name_en", false),
        col("region", true),
        col("city", false),
        col("address_kk", false),
        col("address_ru", false),
        col("address_en", false),
        col("phone", false),
        col("email", false),
        col("website", false),
    ],
};

pub const CERTIFICATES: Schema = Schema {
    table: "certificates",
    required: true,
    columns: &[
        col("number", true),
        col("bin", true),
        col("issued_on", true),
        col("valid_until", false),
        col("replaces", false),
        col("agreement_number", false),
        col("agreement_date", false),
    ],
};

pub const SCOPE: Schema = Schema {
    table: "scope",
    required: true,
    columns: &[
        col("certificate", true),
        col("profession", true),
        Column {
            name: "levels",
            required: false,
            list: true,
        },
    ],
};

pub const EVENTS: Schema = Schema {
    table: "events",
    required: false,
    columns: &[
        col("certificate", true),
        col("date", true),
        col("action", true),
        col("reason_kk", false),
        col("reason_ru", false),
        col("reason_en", false),
        col("decision", false),
    ],
};

/// Every table of the register, in the order they are read.
pub const TABLES: [Schema; 6] = [REGIONS, PROFESSIONS, CENTERS, CERTIFICATES, SCOPE, EVENTS];

/// The tables of the register but `events`: what [`type_base`] types.
pub const BASE_TABLES: [Schema; 5] = [REGIONS, PROFESSIONS, CENTERS, CERTIFICATES, SCOPE];

/// Keys of one table's rows that were rejected for an error of their own, or the whole
/// table when it could not be read: references to them are not reported again as "not in
/// the register", since the error that explains them is already reported.
#[derive(Debug, Default, Clone)]
pub struct Rejected {
    pub keys: HashSet<String>,
    pub whole_table: bool,
}

impl Rejected {
    pub fn contains(&self, key: &str) -> bool {
        self.whole_table || self.keys.contains(key)
    }

    pub fn insert(&mut self, key: String) {
        self.keys.insert(key);
    }

    pub fn extend(&mut self, keys: impl IntoIterator<Item = String>) {
        self.keys.extend(keys);
    }
}

/// What `load` rejected, table by table.
#[derive(Debug, Default, Clone)]
pub struct RejectedKeys {
    pub regions: Rejected,
    pub professions: Rejected,
    pub centers: Rejected,
    pub certificates: Rejected,
    /// Certificates named by any scope row, used or not (or all, when the scope or the
    /// professions could not be read): only the others are reported as covering nothing.
    pub scope_certificates: Rejected,
}

/// Reads and types every table of `data_dir`. `shown_dir` names the folder in messages.
pub fn load(
    data_dir: &Path,
    shown_dir: &Path,
    diags: &mut Diagnostics,
) -> (Register, RejectedKeys) {
    load_cached(data_dir, shown_dir, diags, None)
}

/// [`load`], reading each file through `cache` (when given): a file whose bytes did not
/// change since the last read is not parsed again.
pub fn load_cached(
    data_dir: &Path,
    shown_dir: &Path,
    diags: &mut Diagnostics,
    cache: Option<&TableCache>,
) -> (Register, RejectedKeys) {
    let loaded = type_tables(
        &|schema, found| read_table(data_dir, shown_dir, schema, found, cache),
        diags,
        true,
    );
    if let Some(cache) = cache {
        cache.forget_missing();
    }
    loaded
}

/// Where typing gets a table's raw rows (and the problems found reading them).
pub type Source<'s> = &'s (dyn Fn(&Schema, &mut Diagnostics) -> Arc<RawTable> + Sync);

/// Types every table of the register but `events`, read from `source` (the register's events
/// are left empty): what [`super::validate::validate_base`] checks.
pub fn type_base(source: Source<'_>, diags: &mut Diagnostics) -> (Register, RejectedKeys) {
    type_tables(source, diags, false)
}

/// Types the `events` table, read from `source`.
pub fn type_events(source: Source<'_>, diags: &mut Diagnostics) -> Vec<Located<EventRow>> {
    let mut events = Vec::new();
    events_of(&source(&EVENTS, diags), diags, &mut events);
    events
}

/// Types the tables read from `source`: all of them, or all but `events`.
fn type_tables(
    source: Source<'_>,
    diags: &mut Diagnostics,
    with_events: bool,
) -> (Register, RejectedKeys) {
    let mut register = Register::default();
    let mut rejected = RejectedKeys::default();
    // The two small tables first (typing the others does not need them).
    let regions_table = source(&REGIONS, diags);
    let professions_table = source(&PROFESSIONS, diags);
    let complete = each(&regions_table, &REGIONS, diags, &mut |f| {
        let bad =
            |code: &str| (!is_region_code(code)).then(|| Problem::BadRegionCode(code.to_owned()));
        coded_row(f, bad, &mut register.regions, &mut rejected.regions);
    });
    rejected.regions.whole_table = !complete;
    let complete = each(&professions_table, &PROFESSIONS, diags, &mut |f| {
        let bad = |code: &str| {
            code.contains(';')
                .then(|| Problem::BadProfessionCode(code.to_owned()))
        };
        coded_row(f, bad, &mut register.professions, &mut rejected.professions);
    });
    rejected.professions.whole_table = !complete;
    // The big tables are typed at once, each into its own rows, rejected keys and problems
    // (which are then taken in table order, as if typed one after the other).
    let Register {
        centers,
        certificates,
        scope,
        events,
        ..
    } = &mut register;
    let RejectedKeys {
        centers: rejected_centers,
        certificates: rejected_certificates,
        scope_certificates,
        ..
    } = &mut rejected;
    // Each typing reads its own table and frees its raw rows (unless a cache keeps them) once
    // typed, so that no more tables' raw rows are held at a time than there are cores.
    let mut found: [Diagnostics; 4] = Default::default();
    let [found_centers, found_certificates, found_scope, found_events] = &mut found;
    let type_centers = move || {
        let centers_table = source(&CENTERS, found_centers);
        centers.reserve(centers_table.rows.len());
        let complete = each(&centers_table, &CENTERS, found_centers, &mut |f| {
            let bin_text = f.required("bin");
            let bin = bin_text.as_deref().and_then(|text| match Bin::parse(text) {
                Ok(bin) => Some(bin),
                Err(e) => {
                    f.error("bin", Problem::BadBin(text.to_owned(), e));
                    None
                }
            });
            let name = f.names("name");
            let region = f.required("region");
            let city = f.optional("city");
            let address = f.text("address");
            let phone = f.optional("phone");
            let email = f.email("email");
            let website = f.website("website");
            match (bin, region, f.usable()) {
                (Some(bin), Some(region), true) => centers.push(f.located(CenterRow {
                    bin,
                    name,
                    region,
                    city,
                    address,
                    phone,
                    email,
                    website,
                })),
                _ => rejected_centers.extend(bin_text),
            }
        });
        rejected_centers.whole_table = !complete;
    };
    let type_certificates = move || {
        let certificates_table = source(&CERTIFICATES, found_certificates);
        certificates.reserve(certificates_table.rows.len());
        let complete = each(
            &certificates_table,
            &CERTIFICATES,
            found_certificates,
            &mut |f| {
                let number = f.required("number");
                let bin = f.required("bin");
                let issued_on = f.date("issued_on", true);
                let valid_until = f.date("valid_until", false);
                let replaces = f.optional("replaces");
                let agreement_number = f.optional("agreement_number");
                let agreement_date = f.date("agreement_date", false);
                match (number, bin, issued_on, f.usable()) {
                    (Some(number), Some(bin), Some(issued_on), true) => {
                        certificates.push(f.located(CertificateRow {
                            number,
                            bin,
                            issued_on,
                            valid_until,
                            replaces,
                            agreement_number,
                            agreement_date,
                        }))
                    }
                    (number, ..) => {
                        rejected_certificates.extend(number);
                    }
                }
            },
        );
        rejected_certificates.whole_table = !complete;
    };
    let type_scope = move || {
        let scope_table = source(&SCOPE, found_scope);
        scope.reserve(scope_table.rows.len());
        each(&scope_table, &SCOPE, found_scope, &mut |f| {
            let certificate = f.required("certificate");
            let profession = f.required("profession");
            let levels = f.levels("levels");
            scope_certificates.extend(certificate.clone());
            if let (Some(certificate), Some(profession), true) =
                (certificate, profession, f.usable())
            {
                scope.push(f.located(ScopeRow {
                    certificate,
                    profession,
                    levels,
                }));
            }
        })
    };
    let type_events = move || {
        if with_events {
            events_of(&source(&EVENTS, found_events), found_events, events);
        }
    };
    let ((), ((), (scope_complete, ()))) = rayon::join(type_centers, || {
        rayon::join(type_certificates, || rayon::join(type_scope, type_events))
    });
    for found in found {
        diags.extend(found);
    }
    rejected.scope_certificates.whole_table = !scope_complete || rejected.professions.whole_table;
    (register, rejected)
}

/// Types the rows of the `events` table into `events`.
fn events_of(table: &RawTable, diags: &mut Diagnostics, events: &mut Vec<Located<EventRow>>) {
    events.reserve(table.rows.len());
    each(table, &EVENTS, diags, &mut |f| {
        let certificate = f.required("certificate");
        let date = f.date("date", true);
        let action = f
            .required("action")
            .and_then(|text| match Action::parse(&text) {
                Some(action) => Some(action),
                None => {
                    f.error("action", Problem::BadAction(text));
                    None
                }
            });
        let reason = f.text("reason");
        let decision = f.optional("decision");
        if let (Some(certificate), Some(date), Some(action), true) =
            (certificate, date, action, f.usable())
        {
            events.push(f.located(EventRow {
                certificate,
                date,
                action,
                reason,
                decision,
            }));
        }
    });
}

/// Hands each row of a table to `f`; says whether the table was read whole.
fn each(
    table: &RawTable,
    schema: &Schema,
    diags: &mut Diagnostics,
    f: &mut dyn FnMut(&mut Fields<'_>),
) -> bool {
    for row in &table.rows {
        let mut fields = Fields {
            row,
            table,
            schema,
            diags,
        };
        f(&mut fields);
    }
    table.complete
}

/// A row of a reference table: kept when its code is present and well-formed (`bad` says
/// what is wrong with a code, if anything); otherwise its code is rejected.
fn coded_row(
    f: &mut Fields<'_>,
    bad: impl Fn(&str) -> Option<Problem>,
    rows: &mut Vec<Located<CodedRow>>,
    rejected: &mut Rejected,
) {
    let code = f.required("code");
    let name = f.names("name");
    let Some(code) = code else { return };
    match bad(&code) {
        None if f.usable() => rows.push(f.located(CodedRow { code, name })),
        None => rejected.insert(code),
        Some(problem) => {
            f.error("code", problem);
            rejected.insert(code);
        }
    }
}

fn is_region_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Typed access to the cells of one raw row; every problem is reported with the row's
/// position and the column's name.
///
/// A row with a bad value in a column that is not its key is still kept (with that value
/// absent), so that the checks between tables still run on it and report everything in one
/// pass; the error already reported keeps the register from being published.
struct Fields<'a> {
    row: &'a RawRow,
    table: &'a RawTable,
    schema: &'a Schema,
    diags: &'a mut Diagnostics,
}

impl Fields<'_> {
    /// Whether the row's shape is right, so that its typed values can be used.
    fn usable(&self) -> bool {
        !self.row.broken
    }

    /// Reports a problem of a cell; a broken row (already reported) reports nothing more.
    fn error(&mut self, column: &str, problem: Problem) {
        if !self.row.broken {
            self.diags.error(&self.row.position, Some(column), problem);
        }
    }

    fn located<T>(&self, row: T) -> Located<T> {
        Located {
            position: self.row.position.clone(),
            row,
        }
    }

    fn index(&self, column: &str) -> usize {
        self.schema.index(column).unwrap_or_else(|| {
            panic!(
                "column {column} is not in the schema of {}",
                self.schema.table
            )
        })
    }

    fn cell(&self, column: &str) -> Option<&Cell> {
        self.row.cells[self.index(column)].as_ref()
    }

    /// A text cell, or `None` when empty.
    fn optional(&mut self, column: &str) -> Option<String> {
        match self.cell(column) {
            Some(Cell::Text(text)) => Some(text.clone()),
            Some(Cell::List(items)) => Some(items.join(";")),
            None => None,
        }
    }

    /// A text cell that must not be empty. When the whole column is missing from the file,
    /// that was reported once for the header, not again here.
    fn required(&mut self, column: &str) -> Option<String> {
        let value = self.optional(column);
        if value.is_none() && !self.table.absent_columns[self.index(column)] {
            self.error(column, Problem::Required);
        }
        value
    }

    /// `PREFIX_kk`, `PREFIX_ru`, `PREFIX_en`.
    fn text(&mut self, prefix: &str) -> Text {
        Text {
            kk: self.optional(&format!("{prefix}_kk")),
            ru: self.optional(&format!("{prefix}_ru")),
            en: self.optional(&format!("{prefix}_en")),
        }
    }

    /// Names: Kazakh or Russian is required.
    fn names(&mut self, prefix: &str) -> Text {
        let text = self.text(prefix);
        if text.kk.is_none() && text.ru.is_none() {
            self.error(&format!("{prefix}_kk"), Problem::NameRequired);
        }
        text
    }

    fn date(&mut self, column: &str, required: bool) -> Option<NaiveDate> {
        let text = if required {
            self.required(column)?
        } else {
            self.optional(column)?
        };
        let date = parse_date(&text);
        if date.is_none() {
            self.error(column, Problem::BadDate(text));
        }
        date
    }

    fn email(&mut self, column: &str) -> Option<String> {
        let text = self.optional(column)?;
        if is_email(&text) {
            Some(text)
        } else {
            self.error(column, Problem::BadEmail(text));
            None
        }
    }

    fn website(&mut self, column: &str) -> Option<String> {
        let text = self.optional(column)?;
        let ok = url::Url::parse(&text)
            .map(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| h.contains('.'))
            })
            .unwrap_or(false);
        if ok {
            Some(text)
        } else {
            self.error(column, Problem::BadUrl(text));
            None
        }
    }

    fn levels(&mut self, column: &str) -> Levels {
        let parts: Vec<String> = match self.cell(column) {
            Some(Cell::List(items)) => items.clone(),
            Some(Cell::Text(text)) => vec![text.clone()],
            None => return Levels::default(),
        };
        let parsed = parts
            .iter()
            .map(|p| Levels::parse_part(p))
            .try_fold(Levels::default(), |acc, l| Some(acc.union(l?)));
        parsed.unwrap_or_else(|| {
            self.error(column, Problem::BadLevel(parts.join(";")));
            Levels::default()
        })
    }
}

/// An address of the form `local@domain.tld`, without spaces, with one `@`.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')
        })
        && domain.split('.').count() >= 2
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in [
            "info@centr.kz",
            "a.b+c@mail.example.kz",
            "орталық@мысал.қаз",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "info",
            "@centr.kz",
            "info@",
            "info@centr",
            "in fo@centr.kz",
            "a@b@c.kz",
            "a@-b.kz",
            "a@b..kz",
            "<a@b.kz>",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn region_codes() {
        assert!(is_region_code("almaty-city"));
        assert!(is_region_code("abai"));
        assert!(!is_region_code("Almaty"));
        assert!(!is_region_code("алматы"));
        assert!(!is_region_code("north kazakhstan"));
        assert!(!is_region_code(""));
    }
}
