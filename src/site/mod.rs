//! The published site: **derive → render** (views of the register in every language, Tera
//! templates of the theme, open data, feeds) into files in memory, then **publish** them.

pub mod bytes;
pub mod collate;
pub mod content;
pub mod exports;
pub mod fingerprint;
pub mod groups;
pub mod qr;
pub mod render;
pub mod search;
pub mod theme;
pub mod urls;
pub mod views;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use std::sync::Mutex;

use crate::publish::Sink;
use crate::publish::{Publication, PublishError, PublishReport, SiteFiles, Tally};
use crate::register::dates::today_in_kazakhstan;

/// What a build may change from the site's settings.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Replaces `base_url` (e.g. for a preview server).
    pub base_url: Option<String>,
    /// "Today" for every status; default: the current date in Asia/Almaty.
    pub as_of: Option<NaiveDate>,
    /// Hears how far rendering has got.
    pub progress: Progress,
    /// URLs in one sitemap file (default: the protocol's 50,000); past it `sitemap.xml` is
    /// an index of `sitemap-N.xml` files.
    pub sitemap_limit: Option<usize>,
    /// What a long-running process keeps between builds (see [`crate::retained`]).
    pub retained: Option<std::sync::Arc<crate::retained::Retained>>,
    /// Comparable mode of the benchmark (`bench_build`): only the pages its Hugo + Pagefind
    /// site has (the home page, the A–Z list of centers, a page per center, the search page
    /// and index, 404 pages, sitemap, robots.txt and the theme's static files). Certificate
    /// pages, the other lists, the change history, feeds, verification and open data are not
    /// built, so links to them lead nowhere: a mode to measure with, not to publish.
    pub comparable: bool,
    /// Asked once everything is rendered, just before publishing (see [`PublishGate`]).
    pub gate: PublishGate,
    /// Verification mode (`TIZILIM_VERIFY_KEPT=1` on the command line): every file is
    /// rendered, and one the fingerprints would have kept must come out byte for byte as
    /// published, or the build fails before publishing (see
    /// [`Publication::verifying`]).
    pub verify_kept: bool,
}

/// Whether a rendered site may be published: asked by [`build`] once every file is rendered
/// and before any is published. The watcher's gate waits until the files it saw being
/// written have held still for a while, and refuses when one changed after the build read
/// it, so that a file saved in several steps is never published half-written. Without a
/// gate, a build always publishes.
#[derive(Clone, Default)]
pub struct PublishGate(Option<std::sync::Arc<dyn Fn() -> bool + Send + Sync>>);

impl PublishGate {
    pub fn new(allows: impl Fn() -> bool + Send + Sync + 'static) -> PublishGate {
        PublishGate(Some(std::sync::Arc::new(allows)))
    }

    fn allows(&self) -> bool {
        self.0.as_ref().is_none_or(|allows| allows())
    }
}

impl std::fmt::Debug for PublishGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "PublishGate(check)"
        } else {
            "PublishGate(none)"
        })
    }
}

/// A listener for rendering progress: `(records rendered, records in all)`, called now and
/// then (about every percent) and once at the end.
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>>);

impl Progress {
    pub fn new(listener: impl Fn(usize, usize) + Send + Sync + 'static) -> Progress {
        Progress(Some(std::sync::Arc::new(listener)))
    }

    pub(crate) fn report(&self, done: usize, total: usize) {
        if let Some(listener) = &self.0 {
            let step = (total / 100).max(1);
            if done.is_multiple_of(step) || done == total {
                listener(done, total);
            }
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(listener)"
        } else {
            "Progress(none)"
        })
    }
}

/// Why a site could not be built. Nothing is published when a build fails.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Site(#[from] crate::Error),
    #[error("config.toml: a site needs its config.toml (base_url, title, languages...)")]
    NoConfig,
    #[error(transparent)]
    Theme(#[from] theme::ThemeError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Content(Vec<content::ContentError>),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// The gate refused: an input changed after the build read it.
    #[error("an input changed while the site was being built: nothing was published")]
    Superseded,
}

/// A site rendered in memory.
#[derive(Debug)]
pub struct Rendered {
    pub site: crate::Site,
    pub files: SiteFiles,
    pub as_of: NaiveDate,
    pub html_pages: usize,
    pub elapsed: Duration,
}

/// Loads, validates and renders the site root `root` into `sink`: the pipeline up to
/// publishing. Returns the site and the as-of date it was rendered for.
pub fn render_into(
    root: &Path,
    options: &BuildOptions,
    sink: &dyn Sink,
) -> Result<(crate::Site, NaiveDate), BuildError> {
    if !root.join("config.toml").is_file() && root.join("data").is_dir() {
        return Err(BuildError::NoConfig);
    }
    let timings = crate::timings::Timings::from_env();
    let retained = options.retained.as_deref();
    let site = crate::read_site_cached(root, retained.map(|r| &r.tables))?;
    timings.phase("load and validate");
    let as_of = render_read_site(root, &site, options, sink)?;
    Ok((site, as_of))
}

/// Renders `site`, read from the site root `root`, into `sink` (its theme and content pages
/// are read from `root`): [`render_into`] after the register is read. Returns the as-of date
/// it was rendered for.
pub fn render_read_site(
    root: &Path,
    site: &crate::Site,
    options: &BuildOptions,
    sink: &dyn Sink,
) -> Result<NaiveDate, BuildError> {
    let theme = theme::load_theme(root, &site.config.theme)?;
    let pages =
        content::load_content(root, site.config.default_language).map_err(BuildError::Content)?;
    let as_of = options.as_of.unwrap_or_else(today_in_kazakhstan);
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| site.config.base_url.clone());
    let inputs = render::Inputs {
        config: &site.config,
        registry: &site.checked.registry,
        theme: &theme,
        pages: &pages,
        urls: urls::Urls::new(&base_url, site.config.default_language),
        as_of,
        progress: options.progress.clone(),
        sitemap_limit: options.sitemap_limit.unwrap_or(render::SITEMAP_LIMIT),
        retained: options.retained.as_deref(),
        comparable: options.comparable,
    };
    render::render_site(&inputs, sink)?;
    Ok(as_of)
}

/// Loads, validates and renders the site root `root` into memory (nothing is written).
pub fn render(root: &Path, options: &BuildOptions) -> Result<Rendered, BuildError> {
    let started = Instant::now();
    let sink = Mutex::new(SiteFiles::new());
    let (site, as_of) = render_into(root, options, &sink)?;
    let files = sink.into_inner().unwrap_or_else(|e| e.into_inner());
    let html_pages = files.paths().filter(|p| p.ends_with(".html")).count();
    Ok(Rendered {
        site,
        files,
        as_of,
        html_pages,
        elapsed: started.elapsed(),
    })
}

/// What checking a site found: it renders, and how big it is.
#[derive(Debug)]
pub struct Checked {
    pub files: usize,
    pub html_pages: usize,
}

/// Renders the whole of `site` (read from the site root `root`) and forgets it, to check its
/// theme, templates and content.
pub fn check(
    root: &Path,
    site: &crate::Site,
    options: &BuildOptions,
) -> Result<Checked, BuildError> {
    let tally = Tally::default();
    render_read_site(root, site, options, &tally)?;
    Ok(Checked {
        files: tally.files(),
        html_pages: tally.html_pages(),
    })
}

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    pub site: crate::Site,
    pub as_of: NaiveDate,
    pub published: PublishReport,
    pub elapsed: Duration,
}

/// Renders the site into `out_dir`, publishing it when (and only when) every file rendered:
/// the whole pipeline.
pub fn build(
    root: &Path,
    out_dir: &Path,
    options: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let publication =
        Publication::begin_cached(out_dir, options.retained.as_ref().map(|r| &r.published))?
            .verifying(options.verify_kept);
    let (site, as_of) = render_into(root, options, &publication)?;
    if !options.gate.allows() {
        return Err(BuildError::Superseded);
    }
    let timings = crate::timings::Timings::from_env();
    let published = publication.commit()?;
    timings.phase("commit");
    Ok(BuildReport {
        site,
        as_of,
        published,
        elapsed: started.elapsed(),
    })
}
