//! Content pages: `content/*.md`, Markdown with TOML front matter between `+++` lines.
//! `about.md` is in the default language, `about.ru.md` in Russian, and so on; each is
//! published at `/about/` under its language's root. Raw HTML in Markdown is shown as text.

use std::path::Path;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};
use serde::Deserialize;

use crate::register::Lang;

/// One Markdown page in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The file stem: the page's path under its language root (`about` → `/about/`).
    pub slug: String,
    pub lang: Lang,
    pub title: String,
    pub description: String,
    /// Menu order: lower first.
    pub weight: i64,
    /// The body rendered to HTML.
    pub html: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    weight: i64,
}

/// A content file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct ContentError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// Paths the register's pages use: content may not take them.
const RESERVED: &[&str] = &[
    "centers",
    "certificates",
    "regions",
    "professions",
    "status",
    "changes",
    "search",
    "verify",
    "api",
    "data",
    "kk",
    "ru",
    "en",
    "page",
    "404",
];

/// Reads every page of `root/content` (none if the folder does not exist).
pub fn load_content(root: &Path, default_lang: Lang) -> Result<Vec<Page>, Vec<ContentError>> {
    let dir = root.join("content");
    let mut pages = Vec::new();
    let mut errors = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(pages);
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let shown = format!(
            "content/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let error = |line: usize, message: String| ContentError {
            path: shown.clone(),
            line,
            message,
        };
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let (slug, lang) = match stem.rsplit_once('.') {
            Some((slug, code)) => match Lang::ALL.into_iter().find(|l| l.code() == code) {
                Some(lang) => (slug.to_owned(), lang),
                None => {
                    errors.push(error(
                        0,
                        format!("`{code}` is not a language (kk, ru or en)"),
                    ));
                    continue;
                }
            },
            None => (stem.clone(), default_lang),
        };
        if slug.is_empty()
            || !slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            errors.push(error(
                0,
                format!("`{slug}`: a page name is lower-case Latin letters, digits and `-`"),
            ));
            continue;
        }
        if RESERVED.contains(&slug.as_str()) {
            errors.push(error(
                0,
                format!("`{slug}` is a path of the register's own pages; name the page otherwise"),
            ));
            continue;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                errors.push(error(0, e.to_string()));
                continue;
            }
        };
        match parse_page(&text) {
            Ok((front, body)) => pages.push(Page {
                slug,
                lang,
                title: front.title,
                description: front.description,
                weight: front.weight,
                html: markdown_to_html(body),
            }),
            Err((line, message)) => errors.push(error(line, message)),
        }
    }
    if errors.is_empty() {
        Ok(pages)
    } else {
        Err(errors)
    }
}

/// Splits the front matter from the body and reads it.
fn parse_page(text: &str) -> Result<(FrontMatter, &str), (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
        .ok_or((
            1,
            "a page starts with a `+++` line, then its front matter (TOML), then `+++`".to_owned(),
        ))?;
    let end = rest.find("\n+++").ok_or((
        1,
        "the front matter is not closed by a `+++` line".to_owned(),
    ))?;
    let (front, body) = (&rest[..end], &rest[end + 4..]);
    let body = body.trim_start_matches(['\r', '\n']);
    let front: FrontMatter = toml::from_str(front).map_err(|e| {
        let line = e
            .span()
            .map_or(1, |s| 2 + front[..s.start].matches('\n').count());
        (line, e.message().to_owned())
    })?;
    Ok((front, body))
}

/// Markdown to HTML; raw HTML is escaped rather than passed through.
pub fn markdown_to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION;
    let parser = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

/// A link's or image's target if it is safe to follow: a relative URL, or one whose scheme is
/// `http`, `https`, `mailto` or `tel`; anything else (`javascript:`, `vbscript:`, `data:`, in
/// any case and however spaced or escaped) becomes `#`. The scheme is read as a browser reads
/// it: tabs, line breaks and leading spaces or control characters ignored.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    let safe = match scheme_end {
        Some(at) if cleaned.as_bytes()[at] == b':' => {
            let scheme = cleaned[..at].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
        _ => true, // relative: no scheme
    };
    if safe {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_only_safe_schemes() {
        for (markdown, href) in [
            ("[a](javascript:alert(1))", "#"),
            ("[a](JaVaScRiPt:alert(1))", "#"),
            ("[a](<java\tscript:alert(1)>)", "#"),
            ("[a](vbscript:msgbox)", "#"),
            ("[a](data:text/html;base64,PHNjcmlwdD4=)", "#"),
            ("[a](&#106;avascript:alert(1))", "#"),
            ("[a](https://example.kz/x)", "https://example.kz/x"),
            ("[a](mailto:info@example.kz)", "mailto:info@example.kz"),
            ("[a](tel:+77010000000)", "tel:+77010000000"),
            ("[a](../centers/)", "../centers/"),
            ("[a](/verify/?bin=1)", "/verify/?bin=1"),
            ("[a](#top)", "#top"),
        ] {
            let html = markdown_to_html(markdown);
            assert!(
                html.contains(&format!("href=\"{href}\"")),
                "{markdown}: {html}"
            );
        }
        let html = markdown_to_html("![x](javascript:alert(1)) ![y](DATA:image/svg+xml,<svg>)");
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.to_lowercase().contains("data:"), "{html}");
    }

    #[test]
    fn front_matter_and_body() {
        let (front, body) =
            parse_page("+++\ntitle = \"Тізілім туралы\"\nweight = 2\n+++\n\nМәтін *маңызды*.\n")
                .unwrap();
        assert_eq!(front.title, "Тізілім туралы");
        assert_eq!(front.weight, 2);
        assert_eq!(markdown_to_html(body), "<p>Мәтін <em>маңызды</em>.</p>\n");
    }

    #[test]
    fn bad_front_matter_points_at_its_line() {
        let err = parse_page("+++\ntitle = \"О реестре\"\ntitel = \"x\"\n+++\n").unwrap_err();
        assert_eq!(err.0, 3);
        assert!(err.1.contains("titel"), "{}", err.1);
        assert!(parse_page("# Без front matter\n").is_err());
        assert!(parse_page("+++\ntitle = \"x\"\n").is_err());
    }

    #[test]
    fn raw_html_is_text() {
        let html =
            markdown_to_html("<script>alert(1)</script>\n\nа <img src=x onerror=alert(1)> б");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
