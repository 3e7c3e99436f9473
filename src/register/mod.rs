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
pub use registry::{Center, CenterId, Certificate, CertificateId, Profession, Region, Registry};
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
/// tables of files whose bytes did not change since the last read.
pub fn load_registry_cached(
    data_dir: &Path,
    shown_dir: &Path,
    validity_years: u32,
    cache: Option<&table::TableCache>,
) -> Result<Checked, InvalidRegister> {
    let timings = crate::timings::Timings::from_env();
    let mut diags = Diagnostics::default();
    let (register, rejected) = load::load_cached(data_dir, shown_dir, &mut diags, cache);
    timings.phase("load tables");
    let registry = validate::validate(register, &rejected, validity_years, &mut diags);
    timings.phase("validate");
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
