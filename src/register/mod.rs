//! The register core: load the tables of `data/`, validate them, and derive every status.
//!
//! ```text
//! data/*.csv|json ─table─▶ raw rows ─load─▶ Register (typed rows, positions kept)
//!                 ─validate─▶ Registry (checked, indexed) ─status─▶ status on any date
//! ```

pub mod bin;
pub mod dates;
pub mod diagnostic;
pub mod ident;
pub mod load;
pub mod lookup;
pub mod model;
pub mod registry;
pub mod status;
pub mod table;
pub mod validate;
pub mod write;

use std::path::Path;

pub use bin::Bin;
pub use diagnostic::{Diagnostic, Diagnostics, InvalidRegister, Position, Problem, Severity};
pub use model::{Action, Lang, Levels, Register, Text};
pub use registry::{
    Center, CenterId, Certificate, CertificateId, Profession, Region, Registry, Shared,
    SharedTables,
};
pub use status::{Cause, Interval, Status, Transition};

/// A registry that passed validation, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Checked {
    pub registry: Registry,
    pub warnings: Vec<Diagnostic>,
}

/// Loads and validates the register in `data_dir`. `shown_dir` is how the folder is named in
/// messages (e.g. `data`, relative to the site root). Every problem is collected: the result
/// is an error if any of them is an error, with all diagnostics (warnings too) sorted.
pub fn load_registry(
    data_dir: &Path,
    shown_dir: &Path,
    validity_years: u32,
) -> Result<Checked, InvalidRegister> {
    load_registry_cached(data_dir, shown_dir, validity_years, None)
}

/// [`load_registry`], reading the files through `cache` (when given), which keeps the
/// tables of files whose bytes did not change since the last read, and the register checked
/// without its events: when only `events` changed (a status change), only the events are
/// typed and checked again.
pub fn load_registry_cached(
    data_dir: &Path,
    shown_dir: &Path,
    validity_years: u32,
    cache: Option<&table::TableCache>,
) -> Result<Checked, InvalidRegister> {
    let timings = crate::timings::Timings::from_env();
    let mut diags = Diagnostics::default();
    report_workbooks(data_dir, shown_dir, &mut diags);
    let registry = match cache {
        None => {
            let (register, rejected) = load::load(data_dir, shown_dir, &mut diags);
            timings.phase("load tables");
            let registry = validate::validate(register, &rejected, validity_years, &mut diags);
            timings.phase("validate");
            registry
        }
        Some(cache) => {
            let source = |schema: &table::Schema, found: &mut Diagnostics| {
                table::read_table(data_dir, shown_dir, schema, found, Some(cache))
            };
            let mut base = checked_base(cache, &source, shown_dir, validity_years, &mut diags);
            timings.phase("load and validate all but events");
            let events = load::type_events(&source, &mut diags);
            validate::validate_events(&mut base, events, &mut diags);
            cache.forget_missing();
            timings.phase("load and validate events");
            base.registry
        }
    };
    if diags.has_errors() {
        return Err(InvalidRegister {
            diagnostics: diags.into_sorted(),
        });
    }
    Ok(Checked {
        registry,
        warnings: diags.into_sorted(),
    })
}

/// Workbooks in `data_dir` (`centers.xlsx`, `register.ods`…): seen, and said not to be read
/// (a warning each), rather than silently ignored.
fn report_workbooks(data_dir: &Path, shown_dir: &Path, diags: &mut Diagnostics) {
    const WORKBOOKS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];
    let Ok(entries) = std::fs::read_dir(data_dir) else {
        return;
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        // (Not the lock file an office program keeps beside an open workbook, `~$NAME.xlsx`;
        // the register does not reach up into the watcher's list of scratch files.)
        .filter(|name| {
            !name.starts_with("~$")
                && Path::new(name)
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| WORKBOOKS.contains(&x.to_ascii_lowercase().as_str()))
        })
        .collect();
    found.sort();
    for name in found {
        let shown = shown_dir.join(&name);
        diags.warning(
            &Position::new(std::sync::Arc::from(shown.as_path()), 0),
            None,
            Problem::WorkbookNotRead,
        );
    }
}

/// The register checked without its events, from `source`: a copy of the one `cache` keeps
/// when it was made from the same tables, or made (and then kept).
fn checked_base(
    cache: &table::TableCache,
    source: load::Source<'_>,
    shown_dir: &Path,
    validity_years: u32,
    diags: &mut Diagnostics,
) -> validate::Base {
    use rayon::prelude::*;
    // The tables are read first (the cache holds their rows anyway), on every core.
    let tables: Vec<(std::sync::Arc<table::RawTable>, Diagnostics)> = load::BASE_TABLES
        .par_iter()
        .map(|schema| {
            let mut found = Diagnostics::default();
            (source(schema, &mut found), found)
        })
        .collect();
    // (Only tables read from files have a key: a missing table is read again every time.)
    let key = tables
        .iter()
        .map(|(table, _)| table.source)
        .collect::<Option<Vec<u64>>>()
        .map(|sources| crate::retained::key_of((sources, shown_dir, validity_years)));
    if let Some((base, found)) = key.and_then(|key| cache.base(key)) {
        diags.extend(found);
        return base;
    }
    let mut found = Diagnostics::default();
    let read = |schema: &table::Schema, found: &mut Diagnostics| match load::BASE_TABLES
        .iter()
        .position(|s| s.table == schema.table)
    {
        Some(i) => {
            found.extend(tables[i].1.clone());
            tables[i].0.clone()
        }
        None => source(schema, found),
    };
    let (register, rejected) = load::type_base(&read, &mut found);
    let base = validate::validate_base(register, &rejected, validity_years, &mut found);
    if let Some(key) = key {
        cache.keep_base(key, base.clone(), found.clone());
    }
    diags.extend(found);
    base
}
