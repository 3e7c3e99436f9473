//! tizilim publishes the register of accredited centers of recognition of professional
//! qualifications (Kazakhstan) as a static website.
//!
//! The pipeline: **load → validate → derive → render → publish**. This crate's library holds
//! all of it; the binary only parses the command line and reports. Nothing here prints or
//! exits.
//!
//! - [`config`]: the site settings (`config.toml`).
//! - [`register`]: load the tables of `data/`, validate them, derive every status on any date.
//! - [`answer`]: the status of a center or certificate on a date, for the command line.
//! - [`site`]: render the whole site (pages in every language, open data, feeds).
//! - [`publish`]: write a rendered site into the output folder, only what changed, atomically.
//! - [`contain`]: the one rule by which the server reads and the publisher writes only inside
//!   their folder.

pub mod answer;
pub mod config;
pub mod contain;
pub mod publish;
pub mod register;
pub mod retained;
pub mod serve;
pub mod site;
pub(crate) mod stamp;
pub mod synth;
pub mod timings;
pub mod verify;
pub mod watch;

use std::path::Path;

pub use config::{Config, ConfigError};
pub use register::{Checked, InvalidRegister};

/// Why a site root could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Register(#[from] InvalidRegister),
    #[error("{0}: there is no data/ folder here; is this a site root? (give it with --root DIR)")]
    NotASiteRoot(String),
}

/// A site root's settings and its checked register.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub checked: Checked,
}

/// Reads `config.toml` (defaults when the file does not exist) and the register in `data/`
/// of the site root `root`: the **load** and **validate** steps of the pipeline.
pub fn read_site(root: &Path) -> Result<Site, Error> {
    read_site_cached(root, None)
}

/// [`read_site`], reading the tables through `cache` (when given): see
/// [`register::load_registry_cached`].
pub fn read_site_cached(
    root: &Path,
    cache: Option<&register::table::TableCache>,
) -> Result<Site, Error> {
    if !root.join("data").is_dir() {
        return Err(Error::NotASiteRoot(root.display().to_string()));
    }
    let config = if root.join("config.toml").exists() {
        Config::load(root)?
    } else {
        Config::default()
    };
    let checked = register::load_registry_cached(
        &root.join("data"),
        Path::new("data"),
        config.validity_years,
        cache,
    )?;
    Ok(Site { config, checked })
}
