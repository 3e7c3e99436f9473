//! Rendering: every page of the site in every language, from the theme's Tera templates,
//! into a [`Sink`], skipping the pages whose fingerprint says they are published already.
//! Templates see `config`, `lang`, `t` (the UI strings of the page's language),
//! `current_path`, `current_url`, `alternates`, `as_of`, `nav_pages`, `status_badges` (each
//! status's badge as the theme's `status` macro renders it), and the page's own objects;
//! functions `trans(key, lang)` and `get_url(path, lang?, cachebust?)`
//! and the filter `dmy` (a date as DD.MM.YYYY) work as in Zola.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use tera::{Context, Tera};

use super::bytes::{byte_set, holds_any, ByteSet};
use super::collate::{a_to_z, sort_key};
use super::content::Page;
use super::exports;
use super::fingerprint;
use super::groups::{PageGroup, Recorder, SitemapUrls};
use super::qr::qr_data_url;
use super::theme::Theme;
use super::urls::Urls;
use super::views::{profession_page, CenterItem, ChangeView, Views};
use crate::config::Config;
use crate::publish::{PublishError, Sink};
use crate::register::{Lang, Registry, Status};
use crate::retained::{key_of, MemoUse};
use crate::timings::Timings;

/// Centers on one page of the A–Z list.
pub const PAGE_SIZE: usize = 50;
/// Changes on the home page.
const LATEST: usize = 10;
/// Entries of the Atom feed.
const FEED_ENTRIES: usize = 100;

/// Why rendering stopped.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed, with every cause Tera gives.
    #[error("{template}: {message}")]
    Template { template: String, message: String },
    /// A rendered file could not be taken.
    #[error(transparent)]
    Publish(#[from] PublishError),
}

fn render_error(template: &str, e: &tera::Error) -> RenderError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    RenderError::Template {
        template: template.to_owned(),
        message,
    }
}

/// FNV-1a, for short content hashes of assets (stable across builds and toolchains).
pub fn content_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    format!("{:016x}", hash)[..10].to_owned()
}

/// The bytes [`escape_html`] replaces: `&`, `<`, `>`, `"` and `'`.
const ESCAPED: ByteSet = byte_set(b"&<>\"'");

/// Whether [`escape_html`] changes `input`. Most of what a page shows (names, numbers,
/// links, the theme's strings) holds none of the five characters, and Tera then writes it as
/// it is instead of copying it through the escaper.
pub fn needs_escaping(input: &str) -> bool {
    holds_any(input.as_bytes(), &ESCAPED)
}

/// Escapes text for HTML and XML, in element content and in quoted attributes: `&`, `<`, `>`,
/// `"` and `'`. (Tera's own escaper also escapes `/`, which only makes pages bigger.)
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    // The five characters are ASCII: a byte of theirs is never inside another character, so
    // the text between them is copied a run at a time.
    let mut from = 0;
    for (at, byte) in input.bytes().enumerate() {
        if !ESCAPED[usize::from(byte)] {
            continue;
        }
        out.push_str(&input[from..at]);
        out.push_str(match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        from = at + 1;
    }
    out.push_str(&input[from..]);
    out
}

/// A date as `DD.MM.YYYY` (what chrono's `format("%d.%m.%Y")` gives, without parsing a
/// format for each of the dates of every page).
fn dmy(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:02}.{:02}.{:04}", date.day(), date.month(), date.year())
}

/// Each static file's content hash (for cache-busting URLs), by its path.
fn static_hashes(theme: &Theme) -> HashMap<String, String> {
    theme
        .static_files
        .iter()
        .map(|(path, bytes)| (path.clone(), content_hash(bytes)))
        .collect()
}

/// The URL of a static file with its content hash (`style.css?h=…`), if there is such a file.
fn static_url(
    urls: &Urls,
    hashes: &HashMap<String, String>,
    lang: Option<Lang>,
    path: &str,
) -> Option<String> {
    let hash = hashes.get(path)?;
    Some(format!("{}?h={hash}", urls.link(lang, path)))
}

/// The filter `dmy`: a date (`YYYY-MM-DD`, what a date serializes to) as `DD.MM.YYYY`. It is
/// read by `parse`, without a format string to interpret on each of the dates of every page.
fn dmy_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = value.as_str().ok_or("dmy takes a date")?;
    let date = text
        .parse::<NaiveDate>()
        .map_err(|_| format!("dmy: `{text}` is not a date"))?;
    // A date as written by the register (`2026-01-05`, what nearly every date is) is turned
    // round as it is; `format!` took more than the parse.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text.as_bytes() {
        if [y0, y1, y2, y3, m0, m1, d0, d1]
            .iter()
            .all(u8::is_ascii_digit)
        {
            let mut day_first = String::with_capacity(10);
            for byte in [d0, d1, b'.', m0, m1, b'.', y0, y1, y2, y3] {
                day_first.push(char::from(byte));
            }
            return Ok(Value::String(day_first));
        }
    }
    Ok(Value::String(dmy(date)))
}

/// The filter `fill`: a sentence pattern of the theme's strings with its `{name}` places
/// filled from the arguments, as HTML (end it with `| safe`). Each language's string carries
/// the whole pattern, since the order of words differs (`{date} жылғы № {number}`, `№ {number}
/// от {date}`). The pattern and every value are escaped; a value is never searched for places
/// again. An argument whose name ends in `date` is a date (`YYYY-MM-DD`), written as
/// `<time datetime="YYYY-MM-DD">DD.MM.YYYY</time>`.
fn fill_filter(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let pattern = value.as_str().ok_or("fill takes a string of the theme")?;
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&escape_html(&rest[..open]));
        let after = &rest[open + 1..];
        let name = after
            .find('}')
            .map(|close| &after[..close])
            .filter(|name| args.contains_key(*name));
        let Some(name) = name else {
            out.push('{');
            rest = after;
            continue;
        };
        let text = match &args[name] {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if name.ends_with("date") {
            let date = text
                .parse::<NaiveDate>()
                .map_err(|_| format!("fill: `{name}` = `{text}` is not a date"))?;
            out.push_str(&format!("<time datetime=\"{date}\">{}</time>", dmy(date)));
        } else {
            out.push_str(&escape_html(&text));
        }
        rest = &after[name.len() + 1..];
    }
    out.push_str(&escape_html(rest));
    Ok(Value::String(out))
}

/// The Tera instance with the theme's templates, functions and filters.
pub fn tera(theme: &Theme, urls: &Urls) -> Result<Tera, RenderError> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn_with_test(escape_html, needs_escaping);
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str())),
    )
    .map_err(|e| render_error("templates", &e))?;
    if theme.templates.contains_key("macros.html") {
        tera.add_raw_template(
            STATUS_BADGE,
            r#"{% import "macros.html" as m %}{{ m::status(status=status, lang=lang) }}"#,
        )
        .map_err(|e| render_error(STATUS_BADGE, &e))?;
    }

    let strings = Arc::new(theme.strings.clone());
    tera.register_function(
        "trans",
        move |args: &HashMap<String, Value>| -> tera::Result<Value> {
            let key = args
                .get("key")
                .and_then(Value::as_str)
                .ok_or("trans needs key=\"...\"")?;
            let lang = args
                .get("lang")
                .and_then(Value::as_str)
                .ok_or("trans needs lang=lang")?;
            let lang = Lang::ALL
                .into_iter()
                .find(|l| l.code() == lang)
                .ok_or_else(|| format!("`{lang}` is not a language"))?;
            strings[&lang]
                .get(key)
                .map(|s| Value::String(s.clone()))
                .ok_or_else(|| format!("no string `{key}` in the theme's i18n/{lang}.toml").into())
        },
    );

    let hashes = Arc::new(static_hashes(theme));
    let urls_for_fn = urls.clone();
    tera.register_function(
        "get_url",
        move |args: &HashMap<String, Value>| -> tera::Result<Value> {
            let path = args
                .get("path")
                .and_then(Value::as_str)
                .ok_or("get_url needs path=\"...\"")?;
            let lang = match args.get("lang").and_then(Value::as_str) {
                Some(code) => Some(
                    Lang::ALL
                        .into_iter()
                        .find(|l| l.code() == code)
                        .ok_or_else(|| format!("`{code}` is not a language"))?,
                ),
                None => None,
            };
            let path = path.trim_start_matches('/');
            if args
                .get("cachebust")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                let url = static_url(&urls_for_fn, &hashes, lang, path)
                    .ok_or_else(|| format!("get_url: no static file `{path}`"))?;
                return Ok(Value::String(url));
            }
            Ok(Value::String(urls_for_fn.link(lang, path)))
        },
    );

    tera.register_filter("dmy", dmy_filter);
    tera.register_filter("fill", fill_filter);
    Ok(tera)
}

/// Everything a build renders from.
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub registry: &'a Registry,
    pub theme: &'a Theme,
    pub pages: &'a [Page],
    pub urls: Urls,
    pub as_of: NaiveDate,
    pub progress: super::Progress,
    /// URLs in one sitemap file ([`SITEMAP_LIMIT`]).
    pub sitemap_limit: usize,
    /// What an earlier build left (see [`crate::retained`]).
    pub retained: Option<&'a crate::retained::Retained>,
    /// Only the pages of the benchmark's Hugo + Pagefind site ([`super::BuildOptions`]).
    pub comparable: bool,
}

#[derive(Serialize)]
struct Alternate {
    lang: Lang,
    name: String,
    url: String,
    permalink: String,
    current: bool,
}

#[derive(Serialize)]
struct NavLink {
    title: String,
    url: String,
}

/// A link of a pager: a page number, or a gap (no `url`).
#[derive(Serialize)]
struct PageLink {
    title: String,
    url: Option<String>,
    current: bool,
}

#[derive(Serialize)]
struct Pager {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    /// The first and last pages and those near the current one, with gaps between.
    pages: Vec<PageLink>,
}

/// Pages a pager names on each side of the current one.
const PAGER_NEIGHBOURS: usize = 2;

impl Pager {
    fn new(current: usize, total: usize, url: impl Fn(usize) -> String) -> Pager {
        let mut pages = Vec::new();
        let mut last_shown = 0;
        for n in 1..=total {
            let near = n.abs_diff(current) <= PAGER_NEIGHBOURS;
            if n == 1 || n == total || near {
                if n > last_shown + 1 {
                    pages.push(PageLink {
                        title: "…".to_owned(),
                        url: None,
                        current: false,
                    });
                }
                pages.push(PageLink {
                    title: n.to_string(),
                    url: Some(url(n)),
                    current: n == current,
                });
                last_shown = n;
            }
        }
        Pager {
            current,
            total,
            prev: (current > 1).then(|| url(current - 1)),
            next: (current < total).then(|| url(current + 1)),
            pages,
        }
    }
}

/// Where a page of the change history stands: the dates it spans and its neighbours.
#[derive(Serialize)]
struct History {
    /// The oldest and newest date on the page.
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    newer: Option<String>,
    older: Option<String>,
    /// The first page (newest changes) and the page of the oldest changes, when they are
    /// not next to this one.
    latest: Option<String>,
    earliest: Option<String>,
    /// Whether this is an archive page (not the first one).
    archive: bool,
}

impl History {
    fn new(
        newest_first: &[crate::register::Transition],
        newer: Option<String>,
        older: Option<String>,
        latest: Option<String>,
        earliest: Option<String>,
    ) -> History {
        History {
            from: newest_first.last().map(|c| c.date),
            to: newest_first.first().map(|c| c.date),
            archive: newer.is_some(),
            newer,
            older,
            latest,
            earliest,
        }
    }
}

/// Blocks of the change history for `count` changes (one, even when there are none).
fn history_blocks(count: usize) -> usize {
    count.div_ceil(PAGE_SIZE).max(1)
}

/// URLs in one sitemap file, by the sitemap protocol.
pub const SITEMAP_LIMIT: usize = 50_000;

/// A list's page path: `base` for the first page, `base` + `page/N/` after.
fn list_page(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_owned()
    } else {
        format!("{base}page/{n}/")
    }
}

/// Puts a record page's JSON-LD and status timeline into its context, as JSON safe inside
/// `<script>`.
fn insert_scripts(own: &mut Context, json_ld: &impl Serialize, timeline: &impl Serialize) {
    own.insert("json_ld", &exports::json_for_script(json_ld));
    own.insert("timeline_json", &exports::json_for_script(timeline));
}

/// A writer that feeds a hasher (to fingerprint a page's own context without a copy).
struct HashWriter(ahash::AHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        std::hash::Hasher::write(&mut self.0, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hash_json(value: &impl Serialize) -> u64 {
    let mut writer = HashWriter(fingerprint::hasher());
    // Serializing plain data into a hasher cannot fail.
    let _ = serde_json::to_writer(&mut writer, value);
    std::hash::Hasher::finish(&writer.0)
}

/// The filters of a language's lists and search page: see [`Renderer::filters`].
struct Filters<'i> {
    /// By region id: its centers, A–Z.
    in_region: Vec<Vec<&'i CenterItem>>,
    /// By profession id: the centers whose certificates cover it, valid ones first.
    covering: Vec<Vec<&'i CenterItem>>,
    choices: Choices,
}

/// The regions and professions a language's pages offer to choose from (`code`, `name`,
/// `url`, `count`; sorted by name).
struct Choices {
    regions: Vec<Value>,
    professions: Vec<Value>,
}

struct Renderer<'a> {
    /// This build's own number (see [`Renderer::render_in_context`]).
    id: u64,
    inputs: &'a Inputs<'a>,
    sink: &'a dyn Sink,
    tera: Tera,
    timings: Timings,
    /// Permalinks of the HTML pages, for the sitemap.
    sitemap: Mutex<SitemapUrls>,
    /// What every page of a language sees (`config`, `lang`, `t`, `as_of`, `nav_pages`).
    bases: HashMap<Lang, Context>,
    /// Fingerprint keys: of the site in each language, of each center's family.
    site_keys: HashMap<Lang, u64>,
    families: Vec<u64>,
    /// The key of the whole register (what the open data shows).
    register_key: u64,
    /// Center and certificate pages rendered so far, and in all (for progress).
    done: std::sync::atomic::AtomicUsize,
    /// The last count reported.
    reported: Mutex<usize>,
    total: usize,
    /// Every status change up to the as-of date, newest first.
    transitions: Vec<crate::register::Transition>,
    /// The key of each of them as a list of changes shows it (the same in every language).
    change_keys: Vec<u64>,
    /// A watcher's first build: what the watcher keeps between builds is made even where the
    /// published files are kept.
    warm_up: bool,
    /// The A–Z orders of the last build (see [`crate::retained`]).
    orders: MemoUse<'a, Arc<Vec<usize>>>,
    /// Each center's list entry in each language, of the last build.
    items: MemoUse<'a, Arc<CenterItem>>,
    /// The keys of the sitemap's parts, of the last build.
    sitemaps: MemoUse<'a, Arc<Vec<u64>>>,
    /// The groups of pages of the last build (see [`super::groups`]).
    groups: MemoUse<'a, Arc<PageGroup>>,
}

/// The template that renders one status badge with the theme's `status` macro.
const STATUS_BADGE: &str = "__tizilim_status_badge.html";

/// The badge of each status in `lang`, as the theme's `status` macro (in `macros.html`)
/// renders it: every page's `status_badges` (by status name), so that a list shows a badge
/// on each row without calling the macro on each (those calls were a third of a list
/// page's time). `None` when the theme has no such macro.
fn status_badges(tera: &Tera, lang: Lang) -> Option<serde_json::Map<String, Value>> {
    let mut badges = serde_json::Map::new();
    for status in crate::register::Status::ALL {
        let mut ctx = Context::new();
        ctx.insert("status", &status);
        ctx.insert("lang", &lang);
        let badge = tera.render(STATUS_BADGE, &ctx).ok()?;
        badges.insert(status.as_str().to_owned(), Value::String(badge));
    }
    Some(badges)
}

/// Renders the whole site into `sink`.
pub fn render_site(inputs: &Inputs<'_>, sink: &dyn Sink) -> Result<(), RenderError> {
    let timings = Timings::from_env();
    let languages = inputs.config.all_languages();
    let config_value = json!({
        "title": inputs.config.title,
        "description": inputs.config.description,
        "base_url": inputs.urls.base(),
        "default_language": inputs.config.default_language,
        "languages": languages,
        "extra": inputs.config.extra,
    });
    let hashes = static_hashes(inputs.theme);
    let tera = tera(inputs.theme, &inputs.urls)?;
    let bases = languages
        .iter()
        .map(|&lang| {
            let mut base = base_context(inputs, &config_value, &hashes, lang);
            if let Some(badges) = status_badges(&tera, lang) {
                base.insert("status_badges", &badges);
            }
            (lang, base)
        })
        .collect();
    let site_keys = fingerprint::site_keys(
        inputs.config,
        inputs.theme,
        inputs.pages,
        inputs.urls.base(),
        inputs.as_of,
        &languages,
    )
    .into_iter()
    .collect();
    let families = fingerprint::family_keys(inputs.registry, inputs.retained.map(|r| &r.own_keys));
    static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut renderer = Renderer {
        id: BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        inputs,
        sink,
        tera,
        timings,
        // (Room for every center's and certificate's page up front: at 100,000 centers the
        // list of 700,000 URLs otherwise grows step by step on every build.)
        sitemap: Mutex::new(SitemapUrls::with_capacity(
            (inputs.registry.centers.len() + inputs.registry.certificates.len() + 1024)
                * languages.len(),
        )),
        bases,
        site_keys,
        register_key: fingerprint::register_key(inputs.registry, &families),
        families,
        done: std::sync::atomic::AtomicUsize::new(0),
        reported: Mutex::new(0),
        transitions: Vec::new(),
        change_keys: Vec::new(),
        warm_up: false,
        orders: MemoUse::new(inputs.retained.map(|r| &r.orders)),
        items: MemoUse::new(inputs.retained.map(|r| &r.items)),
        sitemaps: MemoUse::new(inputs.retained.map(|r| &r.sitemaps)),
        groups: MemoUse::new(inputs.retained.map(|r| &r.groups)),
        total: (inputs.registry.centers.len()
            + if inputs.comparable {
                0
            } else {
                inputs.registry.certificates.len()
            })
            * languages.len(),
    };
    renderer.timings.phase("setup and fingerprints");
    // Nothing at all changed since the last publication: every file is kept as it is.
    let site_key = fingerprint::page(
        renderer.register_key,
        "site",
        languages
            .iter()
            .map(|&lang| renderer.site_key(lang))
            .chain([inputs.sitemap_limit as u64, u64::from(inputs.comparable)]),
    );
    // (A watcher's first build goes on to fill what it keeps between builds: see
    // `Retained::first_build`.)
    renderer.warm_up = inputs.retained.is_some_and(|r| r.first_build());
    if sink.keep_all(site_key) && !renderer.warm_up {
        renderer.timings.phase("nothing changed");
        return Ok(());
    }
    for (path, bytes) in &inputs.theme.static_files {
        sink.put(path.clone(), None, bytes.clone())?;
    }
    renderer.transitions = inputs
        .registry
        .all_transitions()
        .into_iter()
        .filter(|t| t.date <= inputs.as_of)
        .collect();
    // (From the changes themselves: a page's views are made only when it is rendered.)
    renderer.change_keys = renderer
        .transitions
        .par_iter()
        .map(|t| {
            let registry = inputs.registry;
            let certificate = &registry.certificates[t.certificate];
            fingerprint::change(
                renderer.families[certificate.center],
                registry.change_name(t),
                &certificate.slug,
                t.date,
            )
        })
        .collect();
    renderer.timings.phase("every change and its key");
    // Three works that need nothing of each other run side by side (each leaves a core idle
    // now and then): the search index, the pages of every language (the languages side by
    // side too: each has steps on one core), and the open data with the per-record JSON.
    // Only the search pages wait for the index, and the sitemap for every page.
    let (meta, (choices, open_data)) = rayon::join(
        || -> Result<BTreeMap<Lang, String>, RenderError> {
            let timings = Timings::from_env();
            let index = super::search::build_index(
                inputs.registry,
                &renderer.families,
                inputs.as_of,
                &languages,
                &inputs.urls,
                inputs.retained.map(|r| &r.search),
            );
            // The index's files are named by their content: one published under the same
            // name is the same file (not read to be compared).
            for (path, bytes) in index.files {
                let key = fingerprint::page(0, &path, []);
                if !sink.keep(&path, key) {
                    sink.put(path, Some(key), bytes.to_vec())?;
                }
            }
            timings.phase("search index (beside pages)");
            Ok(index.meta)
        },
        || {
            rayon::join(
                || -> Result<Vec<(Lang, Choices)>, RenderError> {
                    languages
                        .par_iter()
                        .map(|&lang| Ok((lang, renderer.language(lang)?)))
                        .collect()
                },
                || renderer.open_data_and_records(),
            )
        },
    );
    let meta = meta?;
    open_data?;
    for (lang, choices) in choices? {
        let index = meta.get(&lang).map_or("", String::as_str);
        renderer.search_page(lang, &choices, index)?;
        if !inputs.comparable {
            renderer.verify_page(lang, &choices, index)?;
        }
    }
    renderer.timings.phase("search and verify pages");
    renderer.not_found_and_sitemap()
}

/// The part of the context that is the same on every page of a language.
fn base_context(
    inputs: &Inputs<'_>,
    config: &Value,
    hashes: &HashMap<String, String>,
    lang: Lang,
) -> Context {
    let mut ctx = Context::new();
    ctx.insert("config", config);
    ctx.insert("lang", &lang);
    ctx.insert("t", &inputs.theme.strings[&lang]);
    // What `get_url` would give for the links of every page's header and footer (a
    // function call costs more than a variable, on every page).
    let urls = &inputs.urls;
    let mut links = serde_json::Map::new();
    for (name, page) in [
        ("home", ""),
        ("centers", "centers/"),
        ("regions", "regions/"),
        ("professions", "professions/"),
        ("changes", "changes/"),
        ("search", "search/"),
        ("verify", "verify/"),
        ("feed", "atom.xml"),
    ] {
        links.insert(name.to_owned(), Value::String(urls.link(Some(lang), page)));
    }
    for (name, file) in [
        ("register_json", "data/register.json"),
        ("centers_csv", "data/centers.csv"),
        ("certificates_csv", "data/certificates.csv"),
    ] {
        links.insert(name.to_owned(), Value::String(urls.link(None, file)));
    }
    for (name, file) in [("style", "style.css"), ("favicon", "favicon.svg")] {
        if let Some(url) = static_url(urls, hashes, None, file) {
            links.insert(name.to_owned(), Value::String(url));
        }
    }
    ctx.insert("links", &links);
    ctx.insert("as_of", &inputs.as_of);
    let mut content: Vec<&Page> = inputs.pages.iter().filter(|p| p.lang == lang).collect();
    content.sort_by_key(|p| (p.weight, p.slug.clone()));
    let nav_pages: Vec<NavLink> = content
        .iter()
        .map(|p| NavLink {
            title: p.title.clone(),
            url: inputs.urls.link(Some(lang), &format!("{}/", p.slug)),
        })
        .collect();
    ctx.insert("nav_pages", &nav_pages);
    ctx
}

impl Renderer<'_> {
    fn tick(&self) {
        self.tick_by(1);
    }

    /// Counts `pages` more pages done, and reports progress each hundredth of the total.
    fn tick_by(&self, pages: usize) {
        if pages == 0 {
            return;
        }
        let done = self
            .done
            .fetch_add(pages, std::sync::atomic::Ordering::Relaxed)
            + pages;
        let step = (self.total / 100).max(1);
        if done / step != (done - pages) / step || done == self.total {
            // Pages finish on every core: a count is reported only if it is past the last
            // one reported (a listener never sees progress go back).
            let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
            if done > *reported {
                *reported = done;
                self.inputs.progress.report(done, self.total);
            }
        }
    }

    fn strings(&self, lang: Lang) -> &BTreeMap<String, String> {
        &self.inputs.theme.strings[&lang]
    }

    fn string(&self, lang: Lang, key: &str) -> String {
        self.strings(lang)
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    fn site_key(&self, lang: Lang) -> u64 {
        self.site_keys.get(&lang).copied().unwrap_or_default()
    }

    /// Renders `template` for a page of `lang` at `page`, with the language's base context,
    /// the page's place (`current_path`, `current_url`, `alternates`) and its own context.
    ///
    /// Each thread keeps a copy of the base context between pages and puts each page's keys
    /// in and out of it: copying the base for every page (the theme's strings among it) cost
    /// more than a tenth of rendering a center's page.
    fn render_in_context(
        &self,
        template: &str,
        lang: Lang,
        page: &str,
        own: Context,
    ) -> Result<Vec<u8>, RenderError> {
        thread_local! {
            /// The base contexts this thread rendered with, by the build's id and the
            /// language (the languages are rendered side by side).
            static BASES: std::cell::RefCell<Vec<(u64, Lang, Context)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        let urls = &self.inputs.urls;
        let alternates: Vec<Alternate> = self
            .inputs
            .config
            .all_languages()
            .into_iter()
            .map(|l| Alternate {
                lang: l,
                name: self.string(l, "language_name"),
                url: urls.link(Some(l), page),
                permalink: urls.permalink(Some(l), page),
                current: l == lang,
            })
            .collect();
        let mut page_context = Context::new();
        page_context.insert("current_path", &urls.link(Some(lang), page));
        page_context.insert("current_url", &urls.permalink(Some(lang), page));
        page_context.insert("alternates", &alternates);
        page_context.extend(own);
        // The page's keys (taking the context apart moves its values, copies none).
        let Value::Object(values) = page_context.into_json() else {
            unreachable!("a context is a JSON object");
        };
        let keys: Vec<String> = values.keys().cloned().collect();
        let page_context =
            Context::from_value(Value::Object(values)).map_err(|e| render_error(template, &e))?;
        let base = self.bases.get(&lang);
        BASES.with(|cell| {
            let mut bases = cell.borrow_mut();
            // (Those of an earlier build go.)
            bases.retain(|(id, _, _)| *id == self.id);
            let at = match bases.iter().position(|(_, l, _)| *l == lang) {
                Some(at) => at,
                None => {
                    bases.push((self.id, lang, base.cloned().unwrap_or_default()));
                    bases.len() - 1
                }
            };
            let ctx = &mut bases[at].2;
            ctx.extend(page_context);
            let rendered = self.render_page(template, ctx);
            // Back to the base: a page's key is removed, or set back to the base's value
            // when the page had one of the same name.
            for key in &keys {
                match base.and_then(|b| b.get(key)) {
                    Some(value) => ctx.insert(key.as_str(), value),
                    None => {
                        ctx.remove(key);
                    }
                }
            }
            rendered
        })
    }

    /// The page's bytes (written straight into them: Tera's own `render` would check the
    /// whole page is UTF-8 again, and it is, being made of UTF-8 strings).
    fn render_page(&self, template: &str, ctx: &Context) -> Result<Vec<u8>, RenderError> {
        let mut page = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, ctx, &mut page)
            .map_err(|e| render_error(template, &e))?;
        Ok(page)
    }

    /// Renders `template` for `page` of `lang` (`None`: outside the language roots, in the
    /// default language) with the page's own context `own`, unless the published file was
    /// rendered from the same: its fingerprint is the site's key and a hash of `own`.
    fn emit(
        &self,
        template: &str,
        lang: Option<Lang>,
        page: &str,
        own: Context,
    ) -> Result<(), RenderError> {
        let own = own.into_json();
        let key = hash_json(&own);
        self.emit_keyed(template, lang, page, key, || {
            Context::from_value(own).map_err(|e| render_error(template, &e))
        })
    }

    /// Like `emit`, for a page whose own context (made by `own` only when the page is
    /// rendered) is described by `content_key`.
    fn emit_keyed(
        &self,
        template: &str,
        lang: Option<Lang>,
        page: &str,
        content_key: u64,
        own: impl FnOnce() -> Result<Context, RenderError>,
    ) -> Result<(), RenderError> {
        self.emit_keyed_in(None, template, lang, page, content_key, own)
    }

    /// [`Renderer::emit_keyed`] for a page of a group (see [`Renderer::group`]).
    fn emit_keyed_in(
        &self,
        group: Option<&Recorder>,
        template: &str,
        lang: Option<Lang>,
        page: &str,
        content_key: u64,
        own: impl FnOnce() -> Result<Context, RenderError>,
    ) -> Result<(), RenderError> {
        let urls = &self.inputs.urls;
        if page.is_empty() || page.ends_with('/') {
            self.in_sitemap(lang, page, group);
        }
        let page_lang = lang.unwrap_or(self.inputs.config.default_language);
        let file = urls.file(lang, page);
        Recorder::name(group, &file);
        let key = fingerprint::page(self.site_key(page_lang), &file, [content_key]);
        if self.sink.keep(&file, key) {
            return Ok(());
        }
        let html = self.render_in_context(template, page_lang, page, own()?)?;
        self.sink.put(file, Some(key), html)?;
        Ok(())
    }

    /// Lists an HTML page (a folder path) in the sitemap, as one of `group`'s if given.
    fn in_sitemap(&self, lang: Option<Lang>, page: &str, group: Option<&Recorder>) {
        let permalink = self.inputs.urls.permalink(lang, page);
        match group {
            Some(group) => group.url(permalink),
            None => self
                .sitemap
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(permalink),
        }
    }

    /// Whether pages are rendered in groups: in a watcher's builds, whose next build may keep
    /// a group whole.
    fn grouping(&self) -> bool {
        self.groups.is_kept() && self.sink.groups()
    }

    /// Renders a group of pages with `render`, which names each of their files and URLs to
    /// the recorder it is given (see [`super::groups`]): in a watcher's build, unless the
    /// last one published the group under the same key (made by `key`, only in a watcher's
    /// build) and it is kept whole. `ticks`: the pages it counts for progress (`render`
    /// ticks them itself).
    fn group(
        &self,
        key: impl FnOnce() -> u64,
        ticks: usize,
        render: impl FnOnce(Option<&Recorder>) -> Result<(), RenderError>,
    ) -> Result<(), RenderError> {
        if !self.grouping() {
            return render(None);
        }
        let key = key();
        // (Kept whole only when the last build's URLs and page count of it are known.)
        let kept = self.groups.peek(key).filter(|_| self.sink.keep_group(key));
        let group = match kept {
            Some(group) => {
                self.tick_by(group.ticks());
                self.groups.keep(key);
                group
            }
            None => {
                let recorder = Recorder::default();
                render(Some(&recorder))?;
                let (files, group) = recorder.finish(ticks);
                self.sink.group(key, files);
                let group = Arc::new(group);
                self.groups.insert(key, group.clone());
                group
            }
        };
        self.sitemap
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_group(group);
        Ok(())
    }

    fn sorted_centers(&self, views: &Views<'_>) -> Vec<Arc<CenterItem>> {
        // An entry shows its center's family as of the build date in the language (all in
        // the site key), and holds the center's id.
        let site_key = self.site_key(views.lang);
        let items: Vec<Arc<CenterItem>> = (0..self.inputs.registry.centers.len())
            .into_par_iter()
            .map(|id| {
                self.items.get(
                    || key_of((site_key, id, self.families[id])),
                    || Arc::new(views.center_item(id)),
                )
            })
            .collect();
        let entries: Vec<(&str, &str)> = items
            .iter()
            .map(|c| (c.name.as_str(), c.bin.as_str()))
            .collect();
        let order = a_to_z(&entries, &self.orders);
        drop(entries);
        let mut slots: Vec<Option<Arc<CenterItem>>> = items.into_iter().map(Some).collect();
        order
            .iter()
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
            .collect()
    }

    /// A paginated list at `base` (`base`, `base`page/2/ ...), `PAGE_SIZE` entries a page;
    /// `own` adds what the template needs besides `key` (the entries) and `pager`. A page's
    /// fingerprint comes from `own`, its place and the `entry_key` of each of its entries
    /// (what the entry shows), so a page is rendered only when one of those changed.
    #[allow(clippy::too_many_arguments)]
    fn paginated<T: Serialize + Sync>(
        &self,
        template: &str,
        lang: Lang,
        base: &str,
        key: &str,
        entries: &[T],
        own: &Context,
        entry_key: impl Fn(&T) -> u64 + Sync,
    ) -> Result<(), RenderError> {
        let urls = &self.inputs.urls;
        let total = entries.len().div_ceil(PAGE_SIZE).max(1);
        let own_key = hash_json(&own.clone().into_json());
        // The list's pages are one group: kept whole by a watcher while its entries show
        // the same, in the same order.
        let list_key = || {
            fingerprint::page(
                own_key,
                "list pages",
                [
                    self.site_key(lang),
                    key_of((template, base, key)),
                    entries.len() as u64,
                ]
                .into_iter()
                .chain(entries.iter().map(&entry_key)),
            )
        };
        self.group(list_key, 0, |group| {
            (0..total).into_par_iter().try_for_each(|index| {
                let n = index + 1;
                let chunk = entries.get(index * PAGE_SIZE..).unwrap_or_default();
                let chunk = &chunk[..chunk.len().min(PAGE_SIZE)];
                let content_key = fingerprint::page(
                    own_key,
                    "list",
                    [n as u64, total as u64]
                        .into_iter()
                        .chain(chunk.iter().map(&entry_key)),
                );
                self.emit_keyed_in(
                    group,
                    template,
                    Some(lang),
                    &list_page(base, n),
                    content_key,
                    || {
                        let mut ctx = own.clone();
                        ctx.insert(key, chunk);
                        ctx.insert("first_index", &(index * PAGE_SIZE + 1));
                        ctx.insert(
                            "pager",
                            &Pager::new(n, total, |k| urls.link(Some(lang), &list_page(base, k))),
                        );
                        Ok(ctx)
                    },
                )
            })
        })
    }

    /// Every change, newest first, in pages whose boundaries do not move: changes are cut into
    /// blocks of `PAGE_SIZE` counted from the oldest; `changes/` shows the newest block (with
    /// the one before while the newest is not full) and `changes/page/K/` each older block K.
    /// A new change touches the first page, and once in `PAGE_SIZE` changes the page of the
    /// block that just filled up, not every page of the history.
    fn change_history(&self, lang: Lang, views: &Views<'_>) -> Result<(), RenderError> {
        let urls = &self.inputs.urls;
        let newest_first = &self.transitions[..];
        let count = newest_first.len();
        let blocks = history_blocks(count);
        // A page's changes, newest first: block `k` (1 = oldest) of `count`.
        let block = |k: usize| -> std::ops::Range<usize> {
            count.saturating_sub(k * PAGE_SIZE)..count - (k - 1) * PAGE_SIZE
        };
        let page_url = |k: usize| urls.link(Some(lang), &format!("changes/page/{k}/"));
        // The newest block, and the one before while it is not full.
        let newest = count - (blocks - 1) * PAGE_SIZE;
        let front_blocks = if blocks > 1 && newest < PAGE_SIZE {
            2
        } else {
            1
        };
        // Archive pages: the blocks the first page does not show.
        let archived = blocks - front_blocks;
        let front_url = urls.link(Some(lang), "changes/");
        (0..=archived).into_par_iter().try_for_each(|k| {
            // k = 0 is the first page.
            let (path, shown, history) = if k == 0 {
                let shown = 0..newest + (front_blocks - 1) * PAGE_SIZE;
                let older_block = blocks - front_blocks;
                let history = History::new(
                    &newest_first[shown.clone()],
                    None,
                    (older_block >= 1).then(|| page_url(older_block)),
                    None,
                    (older_block > 1).then(|| page_url(1)),
                );
                ("changes/".to_owned(), shown, history)
            } else {
                let shown = block(k);
                let newer = if k + 1 > archived {
                    front_url.clone()
                } else {
                    page_url(k + 1)
                };
                let history = History::new(
                    &newest_first[shown.clone()],
                    Some(newer),
                    (k > 1).then(|| page_url(k - 1)),
                    (k < archived).then(|| front_url.clone()),
                    (k > 2).then(|| page_url(1)),
                );
                (format!("changes/page/{k}/"), shown, history)
            };
            let content_key = fingerprint::page(
                hash_json(&history),
                "history",
                self.change_keys[shown.clone()].iter().copied(),
            );
            let changes = &newest_first[shown];
            self.emit_keyed("changes.html", Some(lang), &path, content_key, || {
                let mut ctx = Context::new();
                let changes: Vec<ChangeView> = changes.iter().map(|t| views.change(t)).collect();
                ctx.insert("changes", &changes);
                ctx.insert("history", &history);
                Ok(ctx)
            })
        })
    }

    /// Every page of `lang` but its search and verification pages; gives the choices of their
    /// filters.
    fn language(&self, lang: Lang) -> Result<Choices, RenderError> {
        let inputs = self.inputs;
        let registry = inputs.registry;
        let views = Views {
            registry,
            urls: &inputs.urls,
            lang,
            as_of: inputs.as_of,
        };
        let site_key = self.site_key(lang);
        let sorted_centers = self.sorted_centers(&views);
        let all_centers: Vec<&CenterItem> = sorted_centers.iter().map(|c| &**c).collect();
        // The newest changes, for the home page and the feed (the history makes its own).
        let change_views: Vec<_> = self
            .transitions
            .par_iter()
            .take(LATEST.max(FEED_ENTRIES))
            .map(|t| views.change(t))
            .collect();
        self.timings.phase("sorted lists and changes");

        // Home.
        let mut ctx = Context::new();
        let counts: Vec<Value> = Status::ALL
            .iter()
            .map(|&s| {
                json!({
                    "status": s,
                    "count": all_centers.iter().filter(|c| c.status == s).count(),
                    "url": inputs.urls.link(Some(lang), &format!("status/{s}/")),
                })
            })
            .collect();
        ctx.insert("counts", &counts);
        ctx.insert("center_count", &registry.centers.len());
        ctx.insert("certificate_count", &registry.certificates.len());
        ctx.insert(
            "latest",
            &change_views.iter().take(LATEST).collect::<Vec<_>>(),
        );
        self.emit("index.html", Some(lang), "", ctx)?;

        // Centers A–Z.
        self.paginated(
            "centers.html",
            lang,
            "centers/",
            "centers",
            &all_centers,
            &Context::new(),
            |c| self.families[c.id],
        )?;

        self.timings.phase("home and A-Z");
        // A page per center, and a verification page per certificate (with its QR code):
        // most of the site, rendered on every core, and only where what it shows changed. A
        // center's pages with its certificates' are one group, kept whole by a watcher while
        // the center's family is the same.
        let comparable = inputs.comparable;
        if self.grouping() {
            (0..registry.centers.len()).into_par_iter().try_for_each(
                |id| -> Result<(), RenderError> {
                    let certificates: &[usize] = if comparable {
                        &[]
                    } else {
                        &registry.centers[id].certificates
                    };
                    let key = || {
                        fingerprint::page(
                            site_key,
                            "center and certificate pages",
                            [self.families[id], u64::from(comparable)],
                        )
                    };
                    self.group(key, 1 + certificates.len(), |group| {
                        self.center_page(lang, &views, id, group)?;
                        for &certificate in certificates {
                            self.certificate_page(lang, &views, certificate, group)?;
                        }
                        Ok(())
                    })
                },
            )?;
        } else {
            // (Every center's page, then every certificate's: one template after the other
            // renders faster than the two in turns.)
            (0..registry.centers.len())
                .into_par_iter()
                .try_for_each(|id| self.center_page(lang, &views, id, None))?;
            if !comparable {
                (0..registry.certificates.len())
                    .into_par_iter()
                    .try_for_each(|id| self.certificate_page(lang, &views, id, None))?;
            }
        }
        self.timings.phase("centers and certificates");
        if comparable {
            // The pages of the benchmark's Hugo + Pagefind site, and no other.
            return Ok(self.filters(lang, &all_centers).choices);
        }
        // Lists by region, by profession and by status.
        let filters = self.filters(lang, &all_centers);
        // Every list (each region, profession and status) side by side, each also on every
        // core: hundreds of lists one after another, many of a few pages, left a core idle at
        // the end of each.
        let by_status: Vec<Vec<&CenterItem>> = Status::ALL
            .iter()
            .map(|&status| {
                all_centers
                    .iter()
                    .filter(|c| c.status == status)
                    .copied()
                    .collect()
            })
            .collect();
        let regions = registry.regions.iter().zip(&filters.in_region).map(|(region, centers)| {
            let list = json!({ "kind": "region", "code": region.code, "title": region.name.get(lang) });
            (format!("regions/{}/", region.code), list, centers)
        });
        let professions = registry.professions.iter().zip(&filters.covering).enumerate().map(
            |(pid, (profession, centers))| {
                let list = json!({ "kind": "profession", "code": profession.code, "title": profession.name.get(lang) });
                (profession_page(registry, pid), list, centers)
            },
        );
        let statuses = Status::ALL.iter().zip(&by_status).map(|(status, centers)| {
            let title = self.string(
                lang,
                &format!("status_{}", status.as_str().replace('-', "_")),
            );
            let list = json!({ "kind": "status", "code": status, "title": title });
            (format!("status/{status}/"), list, centers)
        });
        let lists: Vec<_> = regions.chain(professions).chain(statuses).collect();
        lists.par_iter().try_for_each(|(path, list, centers)| {
            let mut own = Context::new();
            own.insert("list", list);
            self.paginated("list.html", lang, path, "centers", centers, &own, |c| {
                self.families[c.id]
            })
        })?;
        let mut own = Context::new();
        own.insert("regions", &filters.choices.regions);
        self.emit("regions.html", Some(lang), "regions/", own)?;
        let mut own = Context::new();
        own.insert("professions", &filters.choices.professions);
        self.emit("professions.html", Some(lang), "professions/", own)?;

        self.timings.phase("region/profession/status");
        // Every change, newest first, and its feed.
        self.change_history(lang, &views)?;
        let mut own = Context::new();
        own.insert(
            "changes",
            &change_views.iter().take(FEED_ENTRIES).collect::<Vec<_>>(),
        );
        own.insert("feed_url", &inputs.urls.permalink(Some(lang), "atom.xml"));
        own.insert(
            "changes_url",
            &inputs.urls.permalink(Some(lang), "changes/"),
        );
        own.insert("origin", &inputs.urls.origin());
        own.insert(
            "updated",
            &change_views.first().map(|c| c.date).unwrap_or(inputs.as_of),
        );
        self.emit("atom.xml", Some(lang), "atom.xml", own)?;

        // Content pages.
        for page in inputs.pages.iter().filter(|p| p.lang == lang) {
            let path = format!("{}/", page.slug);
            let mut own = Context::new();
            own.insert("page", &json!({ "title": page.title, "description": page.description, "content": page.html, "slug": page.slug }));
            self.emit("page.html", Some(lang), &path, own)?;
        }
        self.timings.phase("changes, feed");
        Ok(filters.choices)
    }

    /// The page of the center `id` in `lang`, one of `group`'s.
    fn center_page(
        &self,
        lang: Lang,
        views: &Views<'_>,
        id: usize,
        group: Option<&Recorder>,
    ) -> Result<(), RenderError> {
        let path = format!("centers/{}/", self.inputs.registry.centers[id].bin);
        self.emit_keyed_in(
            group,
            "center.html",
            Some(lang),
            &path,
            self.families[id],
            || {
                let mut own = Context::new();
                let (json_ld, timeline) =
                    (self.center_json_ld(id, lang), self.center_timeline_json(id));
                insert_scripts(&mut own, &json_ld, &timeline);
                own.insert("center", &views.center(id));
                Ok(own)
            },
        )?;
        self.tick();
        Ok(())
    }

    /// The verification page of the certificate `id` in `lang`, with its QR code, one of
    /// `group`'s files.
    fn certificate_page(
        &self,
        lang: Lang,
        views: &Views<'_>,
        id: usize,
        group: Option<&Recorder>,
    ) -> Result<(), RenderError> {
        let (inputs, registry) = (self.inputs, self.inputs.registry);
        let site_key = self.site_key(lang);
        let slug = &registry.certificates[id].slug;
        let path = format!("certificates/{slug}/");
        self.in_sitemap(Some(lang), &path, group);
        let file = inputs.urls.file(Some(lang), &path);
        let family = self.families[registry.certificates[id].center];
        let key = fingerprint::page(site_key, &file, [family]);
        Recorder::name(group, &file);
        if !self.sink.keep(&file, key) {
            let certificate = views.certificate(id);
            let mut ctx = Context::new();
            if let Some(qr) = qr_data_url(&certificate.permalink) {
                ctx.insert("qr_url", &qr);
            }
            let json_ld = self.certificate_json_ld(id, lang);
            insert_scripts(&mut ctx, &json_ld, &self.certificate_timeline_json(id));
            ctx.insert("certificate", &certificate);
            let html = self.render_in_context("certificate.html", lang, &path, ctx)?;
            self.sink.put(file, Some(key), html)?;
        }
        self.tick();
        Ok(())
    }

    /// The filters of the lists and of search: the centers of each region and those whose
    /// certificates cover each profession (valid ones first), both A–Z, and a link with a
    /// count for each region and profession (sorted by name).
    fn filters<'i>(&self, lang: Lang, all_centers: &[&'i CenterItem]) -> Filters<'i> {
        let inputs = self.inputs;
        let registry = inputs.registry;
        let mut in_region: Vec<Vec<&CenterItem>> = vec![Vec::new(); registry.regions.len()];
        for &item in all_centers {
            in_region[registry.centers[item.id].region].push(item);
        }
        let mut regions: Vec<Value> = registry
            .regions
            .iter()
            .zip(&in_region)
            .map(|(region, centers)| {
                let path = format!("regions/{}/", region.code);
                json!({ "code": region.code, "name": region.name.get(lang), "url": inputs.urls.link(Some(lang), &path), "count": centers.len() })
            })
            .collect();
        regions.sort_by_cached_key(|r| sort_key(r["name"].as_str().unwrap_or_default()));
        // Each center's place in the A–Z list, by its id.
        let mut position = vec![0; all_centers.len()];
        for (i, c) in all_centers.iter().enumerate() {
            position[c.id] = i;
        }
        let mut at: Vec<Vec<usize>> = vec![Vec::new(); registry.professions.len()];
        for certificate in registry.certificates.iter() {
            let place = position[certificate.center];
            for item in &certificate.scope {
                at[item.profession].push(place);
            }
        }
        let covering: Vec<Vec<&CenterItem>> = at
            .into_par_iter()
            .map(|mut at| {
                at.sort_unstable();
                at.dedup();
                let mut centers: Vec<&CenterItem> =
                    at.into_iter().map(|i| all_centers[i]).collect();
                centers.sort_by_key(|c| c.status != Status::Valid);
                centers
            })
            .collect();
        let mut professions: Vec<Value> = registry
            .professions
            .iter()
            .zip(&covering)
            .enumerate()
            .map(|(pid, (profession, centers))| {
                let path = profession_page(registry, pid);
                json!({ "code": profession.code, "name": profession.name.get(lang), "url": inputs.urls.link(Some(lang), &path), "count": centers.len() })
            })
            .collect();
        professions.sort_by_cached_key(|p| sort_key(p["name"].as_str().unwrap_or_default()));
        Filters {
            in_region,
            covering,
            choices: Choices {
                regions,
                professions,
            },
        }
    }

    /// The verification page of `lang`: it finds certificate numbers through the search
    /// index (`index`, as for [`Renderer::search_page`]).
    fn verify_page(&self, lang: Lang, choices: &Choices, index: &str) -> Result<(), RenderError> {
        let registry = self.inputs.registry;
        let mut own = Context::new();
        let verify_strings: serde_json::Map<String, Value> = self
            .strings(lang)
            .iter()
            .filter(|(k, _)| k.starts_with("verify_") || k.starts_with("change_"))
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        own.insert(
            "verify_strings",
            &exports::json_for_script(&Value::Object(verify_strings)),
        );
        let verify_professions: serde_json::Map<String, Value> = registry
            .professions
            .iter()
            .map(|p| (p.code.clone(), Value::String(p.name.get(lang).to_owned())))
            .collect();
        own.insert(
            "verify_professions",
            &exports::json_for_script(&Value::Object(verify_professions)),
        );
        own.insert("professions", &choices.professions);
        own.insert("search_index", index);
        self.emit("verify.html", Some(lang), "verify/", own)?;
        Ok(())
    }

    /// The search page of `lang`, with what the index says of its files (`index`: the index
    /// is built once for every language).
    fn search_page(&self, lang: Lang, choices: &Choices, index: &str) -> Result<(), RenderError> {
        let mut own = Context::new();
        own.insert("regions", &choices.regions);
        own.insert("professions", &choices.professions);
        own.insert("statuses", &Status::ALL);
        own.insert("search_index", index);
        let mut search_strings: serde_json::Map<String, Value> = self
            .strings(lang)
            .iter()
            .filter(|(k, _)| k.starts_with("status_"))
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        for (key, from) in [
            ("results", "search_results"),
            ("no_results", "search_none"),
            ("certificate", "col_certificate"),
            ("bin", "col_bin"),
        ] {
            search_strings.insert(key.to_owned(), Value::String(self.string(lang, from)));
        }
        own.insert(
            "search_strings",
            &exports::json_for_script(&Value::Object(search_strings)),
        );
        self.emit("search.html", Some(lang), "search/", own)
    }

    /// The open data (the whole register in JSON and CSV) and a JSON file per center and per
    /// certificate: files that exist once, whatever the language.
    fn open_data_and_records(&self) -> Result<(), RenderError> {
        let timings = Timings::from_env();
        let inputs = self.inputs;
        if inputs.comparable {
            return Ok(());
        }
        let (registry, urls, as_of) = (inputs.registry, &inputs.urls, inputs.as_of);
        let lang = inputs.config.default_language;
        let site_key = self.site_key(lang);
        let json_bytes = |value: &Value| serde_json::to_vec_pretty(value).unwrap_or_default();
        // The open data shows the whole register: rendered again when any of it changed.
        let records = exports::Records::new(
            inputs.retained.map(|r| &r.records),
            site_key,
            &self.families,
        );
        type Make<'m> = &'m (dyn Fn() -> exports::Document + Sync);
        let exports: [(&str, Make); 3] = [
            ("data/register.json", &|| {
                exports::register_json(registry, urls, as_of, lang, &records)
            }),
            ("data/centers.csv", &|| {
                exports::centers_csv(registry, as_of, &records)
            }),
            ("data/certificates.csv", &|| {
                exports::certificates_csv(registry, as_of, &records)
            }),
        ];
        exports
            .par_iter()
            .try_for_each(|(path, make)| -> Result<(), RenderError> {
                let key = fingerprint::page(site_key, path, [self.register_key]);
                if !self.sink.keep(path, key) {
                    let document = make();
                    self.sink
                        .put_parts((*path).to_owned(), Some(key), &document.parts())?;
                } else if self.warm_up {
                    // Made only for the records the watcher keeps for its next build.
                    make();
                }
                Ok(())
            })?;
        timings.phase("open data (beside pages)");
        // A center's records are one group, kept whole by a watcher while its family is
        // the same.
        let record = |group: Option<&Recorder>,
                      path: String,
                      family: u64,
                      make: &dyn Fn() -> Value|
         -> Result<(), RenderError> {
            let key = fingerprint::page(site_key, &path, [family]);
            Recorder::name(group, &path);
            if !self.sink.keep(&path, key) {
                self.sink.put(path, Some(key), json_bytes(&make()))?;
            }
            Ok(())
        };
        (0..registry.centers.len()).into_par_iter().try_for_each(
            |id| -> Result<(), RenderError> {
                let family = self.families[id];
                let key = || fingerprint::page(site_key, "records", [family]);
                self.group(key, 0, |group| {
                    let center = &registry.centers[id];
                    record(
                        group,
                        format!("api/centers/{}.json", center.bin),
                        family,
                        &|| exports::center_json(registry, urls, id, as_of, lang),
                    )?;
                    for &certificate in &center.certificates {
                        let slug = &registry.certificates[certificate].slug;
                        record(
                            group,
                            format!("api/certificates/{slug}.json"),
                            family,
                            &|| exports::certificate_json(registry, urls, certificate, as_of, lang),
                        )?;
                    }
                    Ok(())
                })
            },
        )?;
        timings.phase("per-record JSON (beside pages)");
        Ok(())
    }

    /// The 404 pages, the sitemap (of every page rendered so far) and `robots.txt`.
    fn not_found_and_sitemap(&self) -> Result<(), RenderError> {
        let inputs = self.inputs;
        let urls = &inputs.urls;
        // The page servers show for a missing path is the root's; each language has its own
        // too, so that the language switcher works there.
        for page_lang in inputs.config.all_languages() {
            self.emit("404.html", Some(page_lang), "404.html", Context::new())?;
        }

        // The sitemap protocol allows 50,000 URLs a file: past that, `sitemap.xml` is an index
        // of `sitemap-N.xml` files.
        let limit = inputs.sitemap_limit.max(1);
        let listed = std::mem::take(&mut *self.sitemap.lock().unwrap_or_else(|e| e.into_inner()));
        let count = listed.len();
        let whole = count <= limit;
        // The URLs sorted, cut into parts (only when a part is rendered, or its key is not
        // kept from the last build: sorting 700,000 URLs takes a tenth of a second).
        let sorted = std::sync::OnceLock::new();
        let parts = || -> Vec<&[&str]> {
            let sorted: &Vec<&str> = sorted.get_or_init(|| listed.sorted());
            if whole {
                vec![&sorted[..]]
            } else {
                sorted.chunks(limit).collect()
            }
        };
        // Each part's key is a hash of its URLs; the keys are kept from build to build by the
        // set of URLs (a hash of each, summed, so that their order does not count).
        let keys = self.sitemaps.get(
            || key_of((listed.key_sum(), count, limit)),
            || Arc::new(parts().into_iter().map(key_of).collect()),
        );
        // A part is made into a context only when it is rendered: at 100,000 centers there
        // are 700,000 URLs.
        let part_of_sitemap = |path: &str, n: usize| {
            let key = keys.get(n).copied().unwrap_or_default();
            self.emit_keyed("sitemap.xml", None, path, key, || {
                let mut own = Context::new();
                own.insert("urls", parts().get(n).copied().unwrap_or_default());
                Ok(own)
            })
        };
        if whole {
            part_of_sitemap("sitemap.xml", 0)?;
        } else {
            let mut part_urls = Vec::new();
            for n in 0..keys.len() {
                let path = format!("sitemap-{}.xml", n + 1);
                part_of_sitemap(&path, n)?;
                part_urls.push(urls.permalink(None, &path));
            }
            let mut own = Context::new();
            own.insert("sitemaps", &part_urls);
            self.emit("sitemap_index.xml", None, "sitemap.xml", own)?;
        }
        let mut own = Context::new();
        own.insert("sitemap_url", &urls.permalink(None, "sitemap.xml"));
        self.emit("robots.txt", None, "robots.txt", own)?;
        self.timings.phase("404, sitemap, robots");
        Ok(())
    }

    /// The center's status intervals (with the deciding certificate), for the page.
    fn center_timeline_json(&self, id: usize) -> Value {
        let registry = self.inputs.registry;
        let intervals = registry.center_timeline(id).into_iter().map(|(i, deciding)| {
            json!({ "from": i.from, "to": i.to, "status": i.status, "certificate": deciding.map(|d| registry.certificates[d].number.clone()) })
        });
        Value::Array(intervals.collect())
    }

    /// The certificate's status intervals, for the page.
    fn certificate_timeline_json(&self, id: usize) -> Value {
        let intervals = self.inputs.registry.certificate_timeline(id).into_iter();
        Value::Array(
            intervals
                .map(|i| json!({ "from": i.from, "to": i.to, "status": i.status }))
                .collect(),
        )
    }

    fn center_json_ld(&self, id: usize, lang: Lang) -> Value {
        let registry = self.inputs.registry;
        let center = &registry.centers[id];
        let urls = &self.inputs.urls;
        json!({
            "@context": "https://schema.org",
            "@type": "Organization",
            "@id": urls.permalink(Some(lang), &format!("centers/{}/", center.bin)),
            "name": center.name.get(lang),
            "alternateName": Lang::ALL.iter().filter_map(|l| center.name.in_lang(*l)).filter(|n| *n != center.name.get(lang)).collect::<Vec<_>>(),
            "identifier": { "@type": "PropertyValue", "propertyID": "BIN", "value": center.bin },
            "address": {
                "@type": "PostalAddress",
                "addressLocality": center.city,
                "addressRegion": registry.regions[center.region].name.get(lang),
                "streetAddress": center.address.get(lang),
                "addressCountry": "KZ",
            },
            "telephone": center.phone,
            "email": center.email,
            "url": center.website,
            "hasCredential": center.certificates.iter().map(|&c| self.credential(c, lang)).collect::<Vec<_>>(),
        })
    }

    fn credential(&self, id: usize, lang: Lang) -> Value {
        let registry = self.inputs.registry;
        let c = &registry.certificates[id];
        json!({
            "@type": "EducationalOccupationalCredential",
            "@id": self.inputs.urls.permalink(Some(lang), &format!("certificates/{}/", c.slug)),
            "name": self.string(lang, "certificate_of_accreditation"),
            "identifier": c.number,
            "credentialCategory": "certificate of accreditation",
            "validFrom": c.issued_on,
            "expires": c.valid_until,
            "recognizedBy": { "@type": "Organization", "name": self.string(lang, "issuer_name") },
            "competencyRequired": c.scope.iter().map(|s| registry.professions[s.profession].name.get(lang)).collect::<Vec<_>>(),
        })
    }

    fn certificate_json_ld(&self, id: usize, lang: Lang) -> Value {
        let registry = self.inputs.registry;
        let center = &registry.centers[registry.certificates[id].center];
        let mut value = self.credential(id, lang);
        value["@context"] = json!("https://schema.org");
        value["about"] = json!({
            "@type": "Organization",
            "@id": self.inputs.urls.permalink(Some(lang), &format!("centers/{}/", center.bin)),
            "name": center.name.get(lang),
            "identifier": { "@type": "PropertyValue", "propertyID": "BIN", "value": center.bin },
        });
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each status's badge is what the theme's `status` macro renders, in the language asked
    /// for; a theme without the macro gives none (its lists call what macro they have).
    #[test]
    fn status_badges_are_the_themes_macro_rendered_once() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut theme = super::super::theme::load_theme(root, "default").unwrap();
        let urls = Urls::new("https://example.kz/", Lang::Kk);
        let with = tera(&theme, &urls).unwrap();
        let badges = status_badges(&with, Lang::Ru).unwrap();
        assert_eq!(badges.len(), crate::register::Status::ALL.len());
        let mut direct = Tera::default();
        direct.autoescape_on(vec![".html"]);
        direct.set_escape_fn_with_test(escape_html, needs_escaping);
        let strings = theme.strings.clone();
        direct.register_function("trans", move |args: &HashMap<String, Value>| {
            let key = args["key"].as_str().unwrap_or_default();
            Ok(Value::String(strings[&Lang::Ru][key].clone()))
        });
        direct
            .add_raw_templates(vec![
                ("macros.html", theme.templates["macros.html"].as_str()),
                (
                    "one.html",
                    r#"{% import "macros.html" as m %}{{ m::status(status="revoked", lang="ru") }}"#,
                ),
            ])
            .unwrap();
        let revoked = direct.render("one.html", &Context::new()).unwrap();
        assert_eq!(badges["revoked"], Value::String(revoked.clone()));
        assert!(revoked.contains("status-revoked"), "{revoked}");
        assert!(
            revoked.contains(&theme.strings[&Lang::Ru]["status_revoked"]),
            "{revoked}"
        );
        assert_ne!(badges["valid"], badges["revoked"]);

        let macros = theme.templates.get_mut("macros.html").unwrap();
        *macros = macros.replace("{% macro status(", "{% macro status_old(");
        let without = tera(&theme, &urls).unwrap();
        assert!(status_badges(&without, Lang::Ru).is_none());
    }

    #[test]
    fn escaping_replaces_the_five_characters_and_keeps_every_other() {
        assert_eq!(
            escape_html(r#"«Әділет» & <b>"Қ'ң"</b> Oqu ortalyǵy"#),
            "«Әділет» &amp; &lt;b&gt;&quot;Қ&#39;ң&quot;&lt;/b&gt; Oqu ortalyǵy"
        );
        assert_eq!(escape_html("&"), "&amp;");
        assert_eq!(escape_html("ғұһі"), "ғұһі");
        assert_eq!(escape_html(""), "");
        // The test Tera asks first says exactly which strings the escaper changes.
        for text in [
            "",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "/",
            "«Әділет»",
            "a&b",
            "https://e.kz/?a=1&b=2",
            "Oqu ortalyǵy",
            "`=+-@",
            "\\",
            "ЦПК-2026/003",
            "x>",
            "<x",
        ] {
            assert_eq!(needs_escaping(text), escape_html(text) != text, "{text}");
        }
        for byte in 0..=127u8 {
            let text = format!("ә{}ү", char::from(byte));
            assert_eq!(needs_escaping(&text), escape_html(&text) != text, "{byte}");
        }
    }

    #[test]
    fn fill_puts_escaped_values_in_the_places_of_a_pattern() {
        let args = |pairs: &[(&str, &str)]| -> HashMap<String, Value> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect()
        };
        let fill = |pattern: &str, pairs: &[(&str, &str)]| {
            fill_filter(&Value::String(pattern.into()), &args(pairs)).map(|v| v.to_string())
        };
        assert_eq!(
            fill(
                "{date} жылғы № {number}",
                &[("number", "<ПАД>&{date}"), ("date", "2024-01-26")]
            )
            .unwrap(),
            r#""<time datetime=\"2024-01-26\">26.01.2024</time> жылғы № &lt;ПАД&gt;&amp;{date}""#
        );
        // A place with no argument, and braces, stay as they are (escaped like the rest).
        assert_eq!(
            fill("a {x} <b> {", &[("number", "1")]).unwrap(),
            r#""a {x} &lt;b&gt; {""#
        );
        assert!(fill("{date}", &[("date", "26.01.2024")]).is_err());
    }

    #[test]
    fn dmy_writes_a_date_day_first_and_refuses_what_is_not_one() {
        let none = HashMap::new();
        let dmy = |text: &str| dmy_filter(&Value::String(text.to_owned()), &none).ok();
        assert_eq!(dmy("2026-01-05"), Some(json!("05.01.2026")));
        assert_eq!(dmy("2024-02-29"), Some(json!("29.02.2024")));
        assert_eq!(dmy("2025-02-29"), None);
        assert_eq!(dmy("05.01.2026"), None);
        assert_eq!(dmy(""), None);
        assert_eq!(dmy("+999-01-05"), Some(json!("05.01.0999")));
        assert!(dmy_filter(&json!(20260105), &none).is_err());
    }

    fn shown(current: usize, total: usize) -> String {
        let pager = Pager::new(current, total, |n| format!("/p/{n}/"));
        pager
            .pages
            .iter()
            .map(|p| match (&p.url, p.current) {
                (None, _) => "…".to_owned(),
                (Some(_), true) => format!("[{}]", p.title),
                (Some(_), false) => p.title.clone(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_pager_names_the_ends_and_the_neighbours() {
        assert_eq!(shown(1, 1), "[1]");
        assert_eq!(shown(2, 3), "1 [2] 3");
        assert_eq!(shown(1, 2000), "[1] 2 3 … 2000");
        assert_eq!(shown(5, 10), "1 … 3 4 [5] 6 7 … 10");
        assert_eq!(shown(4, 10), "1 2 3 [4] 5 6 … 10");
        assert_eq!(shown(10, 10), "1 … 8 9 [10]");
        let pager = Pager::new(5, 10, |n| format!("/p/{n}/"));
        assert_eq!(pager.prev.as_deref(), Some("/p/4/"));
        assert_eq!(pager.next.as_deref(), Some("/p/6/"));
        assert!(Pager::new(10, 10, |n| n.to_string()).next.is_none());
    }
}
