//! Rendering: every page of the site in every language, from the theme's Tera templates,
//! into a [`SiteFiles`] in memory. Templates see `config`, `lang`, `t` (the UI strings of the
//! page's language), `current_path`, `current_url`, `alternates`, `as_of`, `nav`, and the
//! page's own objects; functions `trans(key, lang)` and `get_url(path, lang?, cachebust?)`
//! and the filter `dmy` (a date as DD.MM.YYYY) work as in Zola.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use tera::{Context, Tera};

use super::collate::sort_key;
use super::content::Page;
use super::exports;
use super::qr::qr_svg;
use super::theme::Theme;
use super::urls::Urls;
use super::views::{profession_page, CenterItem, Views};
use crate::config::Config;
use crate::publish::SiteFiles;
use crate::register::{Lang, Registry, Status};

/// The files one record renders to (page paths under a language root → bytes).
type Rendered = Result<Vec<(String, Vec<u8>)>, RenderError>;

/// Centers on one page of the A–Z list.
pub const PAGE_SIZE: usize = 50;
/// Changes on the home page.
const LATEST: usize = 10;
/// Entries of the Atom feed.
const FEED_ENTRIES: usize = 100;

/// A template that failed, with every cause Tera gives.
#[derive(Debug, thiserror::Error)]
#[error("{template}: {message}")]
pub struct RenderError {
    pub template: String,
    pub message: String,
}

fn render_error(template: &str, e: &tera::Error) -> RenderError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    RenderError {
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

/// Escapes text for HTML and XML, in element content and in quoted attributes: `&`, `<`, `>`,
/// `"` and `'`. (Tera's own escaper also escapes `/`, which only makes pages bigger.)
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The Tera instance with the theme's templates, functions and filters.
pub fn tera(theme: &Theme, urls: &Urls) -> Result<Tera, RenderError> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str())),
    )
    .map_err(|e| render_error("templates", &e))?;

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

    let hashes: Arc<HashMap<String, String>> = Arc::new(
        theme
            .static_files
            .iter()
            .map(|(path, bytes)| (path.clone(), content_hash(bytes)))
            .collect(),
    );
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
            let mut url = urls_for_fn.link(lang, path.trim_start_matches('/'));
            if args
                .get("cachebust")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                let hash = hashes
                    .get(path.trim_start_matches('/'))
                    .ok_or_else(|| format!("get_url: no static file `{path}`"))?;
                url.push_str("?h=");
                url.push_str(hash);
            }
            Ok(Value::String(url))
        },
    );

    tera.register_filter(
        "dmy",
        |value: &Value, _: &HashMap<String, Value>| -> tera::Result<Value> {
            let text = value.as_str().ok_or("dmy takes a date")?;
            let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("dmy: `{text}` is not a date"))?;
            Ok(Value::String(date.format("%d.%m.%Y").to_string()))
        },
    );
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

#[derive(Serialize)]
struct Pager {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<NavLink>,
}

struct Renderer<'a> {
    inputs: &'a Inputs<'a>,
    tera: Tera,
    files: SiteFiles,
    /// Permalinks of the HTML pages, for the sitemap.
    sitemap: Vec<String>,
    config_value: Value,
    /// Center and certificate pages rendered so far, and in all (for progress).
    done: std::sync::atomic::AtomicUsize,
    total: usize,
    /// The search index's meta file of each language.
    search_meta: BTreeMap<Lang, String>,
}

/// Renders the whole site into memory.
pub fn render_site(inputs: &Inputs<'_>) -> Result<SiteFiles, RenderError> {
    let mut renderer = Renderer {
        inputs,
        tera: tera(inputs.theme, &inputs.urls)?,
        files: SiteFiles::new(),
        sitemap: Vec::new(),
        done: std::sync::atomic::AtomicUsize::new(0),
        search_meta: BTreeMap::new(),
        total: (inputs.registry.centers.len() + inputs.registry.certificates.len())
            * inputs.config.all_languages().len(),
        config_value: json!({
            "title": inputs.config.title,
            "description": inputs.config.description,
            "base_url": inputs.urls.base(),
            "default_language": inputs.config.default_language,
            "languages": inputs.config.all_languages(),
            "extra": inputs.config.extra,
        }),
    };
    for (path, bytes) in &inputs.theme.static_files {
        renderer.files.insert(path.clone(), bytes.clone());
    }
    let index = super::search::build_index(
        inputs.registry,
        inputs.as_of,
        &inputs.config.all_languages(),
        &inputs.urls,
    );
    for (path, bytes) in index.files {
        renderer.files.insert(path, bytes);
    }
    renderer.search_meta = index.meta;
    for lang in inputs.config.all_languages() {
        renderer.language(lang)?;
    }
    renderer.neutral()?;
    Ok(renderer.files)
}

impl Renderer<'_> {
    fn tick(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.inputs.progress.report(done, self.total);
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

    /// The context every page has.
    fn context(&self, lang: Lang, page: &str) -> Context {
        let urls = &self.inputs.urls;
        let mut ctx = Context::new();
        ctx.insert("config", &self.config_value);
        ctx.insert("lang", &lang);
        ctx.insert("t", self.strings(lang));
        ctx.insert("current_path", &urls.link(Some(lang), page));
        ctx.insert("current_url", &urls.permalink(Some(lang), page));
        ctx.insert("as_of", &self.inputs.as_of);
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
        ctx.insert("alternates", &alternates);
        let mut content: Vec<&Page> = self
            .inputs
            .pages
            .iter()
            .filter(|p| p.lang == lang)
            .collect();
        content.sort_by_key(|p| (p.weight, p.slug.clone()));
        let nav_pages: Vec<NavLink> = content
            .iter()
            .map(|p| NavLink {
                title: p.title.clone(),
                url: urls.link(Some(lang), &format!("{}/", p.slug)),
            })
            .collect();
        ctx.insert("nav_pages", &nav_pages);
        ctx
    }

    fn render(
        &mut self,
        template: &str,
        ctx: &Context,
        lang: Option<Lang>,
        page: &str,
    ) -> Result<(), RenderError> {
        let html = self.render_page(template, ctx)?;
        self.add(lang, page, html.into_bytes());
        Ok(())
    }

    fn render_page(&self, template: &str, ctx: &Context) -> Result<String, RenderError> {
        self.tera
            .render(template, ctx)
            .map_err(|e| render_error(template, &e))
    }

    /// Adds a rendered file; a page (a folder path) also goes into the sitemap.
    fn add(&mut self, lang: Option<Lang>, page: &str, bytes: Vec<u8>) {
        let urls = &self.inputs.urls;
        if page.is_empty() || page.ends_with('/') {
            self.sitemap.push(urls.permalink(lang, page));
        }
        self.files.insert(urls.file(lang, page), bytes);
    }

    fn sorted_centers(
        &self,
        views: &Views<'_>,
        ids: impl Iterator<Item = usize>,
    ) -> Vec<CenterItem> {
        let mut items: Vec<CenterItem> = ids.map(|id| views.center_item(id)).collect();
        items.sort_by_cached_key(|c| (sort_key(&c.name), c.bin.clone()));
        items
    }

    fn language(&mut self, lang: Lang) -> Result<(), RenderError> {
        let inputs = self.inputs;
        let registry = inputs.registry;
        let views = Views {
            registry,
            urls: &inputs.urls,
            lang,
            as_of: inputs.as_of,
        };
        let all_centers = self.sorted_centers(&views, 0..registry.centers.len());
        let changes: Vec<_> = registry
            .all_transitions()
            .into_iter()
            .filter(|t| t.date <= inputs.as_of)
            .collect();
        let change_views: Vec<_> = changes.iter().map(|t| views.change(t)).collect();

        // Home.
        let mut ctx = self.context(lang, "");
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
        self.render("index.html", &ctx, Some(lang), "")?;

        // Centers A–Z, paginated.
        let pages = all_centers.len().div_ceil(PAGE_SIZE).max(1);
        let page_path = |n: usize| {
            if n == 1 {
                "centers/".to_owned()
            } else {
                format!("centers/page/{n}/")
            }
        };
        for (index, chunk) in all_centers
            .chunks(PAGE_SIZE)
            .chain(all_centers.is_empty().then_some(&[][..]))
            .enumerate()
        {
            let n = index + 1;
            let path = page_path(n);
            let mut ctx = self.context(lang, &path);
            ctx.insert("centers", chunk);
            ctx.insert("first_index", &(index * PAGE_SIZE + 1));
            ctx.insert(
                "pager",
                &Pager {
                    current: n,
                    total: pages,
                    prev: (n > 1).then(|| inputs.urls.link(Some(lang), &page_path(n - 1))),
                    next: (n < pages).then(|| inputs.urls.link(Some(lang), &page_path(n + 1))),
                    pages: (1..=pages)
                        .map(|k| NavLink {
                            title: k.to_string(),
                            url: inputs.urls.link(Some(lang), &page_path(k)),
                        })
                        .collect(),
                },
            );
            self.render("centers.html", &ctx, Some(lang), &path)?;
        }

        // A page per center, and a verification page per certificate with its QR code:
        // most of the site, rendered on every core.
        let centers: Vec<Rendered> = (0..registry.centers.len())
            .into_par_iter()
            .map(|id| {
                let center = views.center(id);
                let path = format!("centers/{}/", center.bin);
                let mut ctx = self.context(lang, &path);
                ctx.insert(
                    "json_ld",
                    &exports::json_for_script(&self.center_json_ld(id, lang)),
                );
                ctx.insert(
                    "timeline_json",
                    &exports::json_for_script(&self.center_timeline_json(id)),
                );
                ctx.insert("center", &center);
                let html = self.render_page("center.html", &ctx)?;
                self.tick();
                Ok(vec![(path, html.into_bytes())])
            })
            .collect();
        let certificates: Vec<Rendered> = (0..registry.certificates.len())
            .into_par_iter()
            .map(|id| {
                let certificate = views.certificate(id);
                let path = format!("certificates/{}/", certificate.slug);
                let qr_path = format!("{path}qr.svg");
                let mut ctx = self.context(lang, &path);
                let mut files = Vec::with_capacity(2);
                if let Some(svg) = qr_svg(&certificate.permalink) {
                    ctx.insert("qr_url", &inputs.urls.link(Some(lang), &qr_path));
                    files.push((qr_path, svg.into_bytes()));
                }
                ctx.insert(
                    "json_ld",
                    &exports::json_for_script(&self.certificate_json_ld(id, lang)),
                );
                ctx.insert(
                    "timeline_json",
                    &exports::json_for_script(&self.certificate_timeline_json(id)),
                );
                ctx.insert("certificate", &certificate);
                let html = self.render_page("certificate.html", &ctx)?;
                self.tick();
                files.push((path, html.into_bytes()));
                Ok(files)
            })
            .collect();
        for rendered in centers.into_iter().chain(certificates) {
            for (page, bytes) in rendered? {
                self.add(Some(lang), &page, bytes);
            }
        }

        // Regions.
        let mut region_items = Vec::new();
        for (rid, region) in registry.regions.iter().enumerate() {
            let path = format!("regions/{}/", region.code);
            let centers = self.sorted_centers(
                &views,
                (0..registry.centers.len()).filter(|&c| registry.centers[c].region == rid),
            );
            region_items.push(json!({ "code": region.code, "name": region.name.get(lang), "url": inputs.urls.link(Some(lang), &path), "count": centers.len() }));
            let mut ctx = self.context(lang, &path);
            ctx.insert(
                "list",
                &json!({ "kind": "region", "code": region.code, "title": region.name.get(lang) }),
            );
            ctx.insert("centers", &centers);
            self.render("list.html", &ctx, Some(lang), &path)?;
        }
        region_items.sort_by_cached_key(|r| sort_key(r["name"].as_str().unwrap_or_default()));
        let mut ctx = self.context(lang, "regions/");
        ctx.insert("regions", &region_items);
        self.render("regions.html", &ctx, Some(lang), "regions/")?;

        // Professions: the centers whose certificates cover each.
        let mut covering: Vec<Vec<usize>> = vec![Vec::new(); registry.professions.len()];
        for certificate in &registry.certificates {
            for item in &certificate.scope {
                covering[item.profession].push(certificate.center);
            }
        }
        let mut profession_items = Vec::new();
        for (pid, profession) in registry.professions.iter().enumerate() {
            let path = profession_page(registry, pid);
            let mut ids = covering[pid].clone();
            ids.sort_unstable();
            ids.dedup();
            let mut centers = self.sorted_centers(&views, ids.into_iter());
            centers.sort_by_key(|c| c.status != Status::Valid);
            profession_items.push(json!({ "code": profession.code, "name": profession.name.get(lang), "url": inputs.urls.link(Some(lang), &path), "count": centers.len() }));
            let mut ctx = self.context(lang, &path);
            ctx.insert("list", &json!({ "kind": "profession", "code": profession.code, "title": profession.name.get(lang) }));
            ctx.insert("centers", &centers);
            self.render("list.html", &ctx, Some(lang), &path)?;
        }
        profession_items.sort_by_cached_key(|p| sort_key(p["name"].as_str().unwrap_or_default()));
        let mut ctx = self.context(lang, "professions/");
        ctx.insert("professions", &profession_items);
        self.render("professions.html", &ctx, Some(lang), "professions/")?;

        // Statuses.
        for status in Status::ALL {
            let path = format!("status/{status}/");
            let centers: Vec<&CenterItem> =
                all_centers.iter().filter(|c| c.status == status).collect();
            let mut ctx = self.context(lang, &path);
            ctx.insert("list", &json!({ "kind": "status", "code": status, "title": self.string(lang, &format!("status_{}", status.as_str().replace('-', "_"))) }));
            ctx.insert("centers", &centers);
            self.render("list.html", &ctx, Some(lang), &path)?;
        }

        // Every change, newest first, and its feed.
        let mut ctx = self.context(lang, "changes/");
        ctx.insert("changes", &change_views);
        self.render("changes.html", &ctx, Some(lang), "changes/")?;
        let mut ctx = self.context(lang, "atom.xml");
        ctx.insert(
            "changes",
            &change_views.iter().take(FEED_ENTRIES).collect::<Vec<_>>(),
        );
        ctx.insert("feed_url", &inputs.urls.permalink(Some(lang), "atom.xml"));
        ctx.insert(
            "changes_url",
            &inputs.urls.permalink(Some(lang), "changes/"),
        );
        ctx.insert("origin", &inputs.urls.origin());
        ctx.insert(
            "updated",
            &change_views.first().map(|c| c.date).unwrap_or(inputs.as_of),
        );
        let atom = self
            .tera
            .render("atom.xml", &ctx)
            .map_err(|e| render_error("atom.xml", &e))?;
        self.files
            .insert(inputs.urls.file(Some(lang), "atom.xml"), atom);

        // Verification on a date.
        let mut ctx = self.context(lang, "verify/");
        let verify_strings: serde_json::Map<String, Value> = self
            .strings(lang)
            .iter()
            .filter(|(k, _)| k.starts_with("verify_") || k.starts_with("change_"))
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        ctx.insert(
            "verify_strings",
            &exports::json_for_script(&Value::Object(verify_strings)),
        );
        let verify_professions: serde_json::Map<String, Value> = registry
            .professions
            .iter()
            .map(|p| (p.code.clone(), Value::String(p.name.get(lang).to_owned())))
            .collect();
        ctx.insert(
            "verify_professions",
            &exports::json_for_script(&Value::Object(verify_professions)),
        );
        ctx.insert("professions", &profession_items);
        self.render("verify.html", &ctx, Some(lang), "verify/")?;

        // Search.
        let mut ctx = self.context(lang, "search/");
        ctx.insert("regions", &region_items);
        ctx.insert("professions", &profession_items);
        ctx.insert("statuses", &Status::ALL);
        ctx.insert(
            "search_index",
            &self.search_meta.get(&lang).cloned().unwrap_or_default(),
        );
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
        ctx.insert(
            "search_strings",
            &exports::json_for_script(&Value::Object(search_strings)),
        );
        self.render("search.html", &ctx, Some(lang), "search/")?;

        // Content pages.
        for page in inputs.pages.iter().filter(|p| p.lang == lang) {
            let path = format!("{}/", page.slug);
            let mut ctx = self.context(lang, &path);
            ctx.insert("page", &json!({ "title": page.title, "description": page.description, "content": page.html, "slug": page.slug }));
            self.render("page.html", &ctx, Some(lang), &path)?;
        }
        Ok(())
    }

    /// Files that exist once, whatever the language.
    fn neutral(&mut self) -> Result<(), RenderError> {
        let inputs = self.inputs;
        let (registry, urls, as_of) = (inputs.registry, &inputs.urls, inputs.as_of);
        let lang = inputs.config.default_language;
        let json_bytes = |value: &Value| serde_json::to_vec_pretty(value).unwrap_or_default();
        self.files.insert(
            "data/register.json",
            json_bytes(&exports::register_json(registry, urls, as_of, lang)),
        );
        self.files
            .insert("data/centers.csv", exports::centers_csv(registry, as_of));
        self.files.insert(
            "data/certificates.csv",
            exports::certificates_csv(registry, as_of),
        );
        for id in 0..registry.centers.len() {
            let path = format!("api/centers/{}.json", registry.centers[id].bin);
            self.files.insert(
                path,
                json_bytes(&exports::center_json(registry, urls, id, as_of, lang)),
            );
        }
        for id in 0..registry.certificates.len() {
            let path = format!("api/certificates/{}.json", registry.certificates[id].slug);
            self.files.insert(
                path,
                json_bytes(&exports::certificate_json(registry, urls, id, as_of, lang)),
            );
        }

        // The page servers show for a missing path is the root's; each language has its own
        // too, so that the language switcher works there.
        for page_lang in inputs.config.all_languages() {
            let ctx = self.context(page_lang, "404.html");
            let html = self
                .tera
                .render("404.html", &ctx)
                .map_err(|e| render_error("404.html", &e))?;
            self.files
                .insert(urls.file(Some(page_lang), "404.html"), html);
        }

        let mut ctx = self.context(lang, "sitemap.xml");
        ctx.insert("urls", &self.sitemap);
        let sitemap = self
            .tera
            .render("sitemap.xml", &ctx)
            .map_err(|e| render_error("sitemap.xml", &e))?;
        self.files.insert("sitemap.xml", sitemap);
        let mut ctx = self.context(lang, "robots.txt");
        ctx.insert("sitemap_url", &urls.permalink(None, "sitemap.xml"));
        let robots = self
            .tera
            .render("robots.txt", &ctx)
            .map_err(|e| render_error("robots.txt", &e))?;
        self.files.insert("robots.txt", robots);
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
