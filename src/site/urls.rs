//! The URL layout of the site (`../shared/spec/cli-and-urls.md`): where each page lives in
//! the output folder, its link (the path under `base_url`, so the site works under a
//! sub-path on any host) and its permanent URL (absolute, from `base_url`).

use crate::register::Lang;

/// Builds paths and URLs for one site.
#[derive(Debug, Clone)]
pub struct Urls {
    /// `base_url` ending with `/`, e.g. `https://example.kz/registry/`.
    base: String,
    /// The path part of `base_url`, starting and ending with `/`, e.g. `/registry/`.
    base_path: String,
    default_lang: Lang,
}

impl Urls {
    pub fn new(base_url: &str, default_lang: Lang) -> Urls {
        let mut base = base_url.trim().to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        let base_path = match base.split_once("://") {
            Some((_, rest)) => rest
                .find('/')
                .map_or("/".to_owned(), |i| rest[i..].to_owned()),
            None => base.clone(),
        };
        Urls {
            base,
            base_path,
            default_lang,
        }
    }

    /// The folder of a language in the output: `""` for the default language, `ru/` else.
    pub fn lang_prefix(&self, lang: Lang) -> &'static str {
        if lang == self.default_lang {
            return "";
        }
        match lang {
            Lang::Kk => "kk/",
            Lang::Ru => "ru/",
            Lang::En => "en/",
        }
    }

    /// [`Urls::lang_prefix`] of `lang` if given (`""` for none: outside the language roots).
    fn prefix(&self, lang: Option<Lang>) -> &'static str {
        lang.map_or("", |lang| self.lang_prefix(lang))
    }

    /// The output file of a page: `centers/BIN/` → `ru/centers/BIN/index.html`.
    /// `page` is relative to the language root, ends with `/` for folders (or is empty for
    /// the home page) or names a file.
    pub fn file(&self, lang: Option<Lang>, page: &str) -> String {
        let folder = page.is_empty() || page.ends_with('/');
        [
            self.prefix(lang),
            page,
            if folder { "index.html" } else { "" },
        ]
        .concat()
    }

    /// The link to a page, as used in `href`: the path under the site's base path.
    pub fn link(&self, lang: Option<Lang>, page: &str) -> String {
        // (`concat` makes a string of exactly the parts' length: a build makes millions of
        // links, and `format!`'s machinery was a few per cent of it.)
        [&self.base_path, self.prefix(lang), page].concat()
    }

    /// The permanent URL of a page (canonical links, QR codes, feeds, sitemaps).
    pub fn permalink(&self, lang: Option<Lang>, page: &str) -> String {
        [&self.base, self.prefix(lang), page].concat()
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Scheme and host of `base_url` (`https://example.kz`), to which a link is appended
    /// to make it absolute; empty for a `base_url` that is a bare path.
    pub fn origin(&self) -> &str {
        &self.base[..self.base.len() - self.base_path.len()]
    }

    pub fn base_path(&self) -> &str {
        &self.base_path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_paths_and_languages() {
        let urls = Urls::new("https://тізілім.kz/registry", Lang::Kk);
        assert_eq!(urls.base_path(), "/registry/");
        assert_eq!(
            urls.file(Some(Lang::Kk), "centers/190540001230/"),
            "centers/190540001230/index.html"
        );
        assert_eq!(urls.file(Some(Lang::Ru), ""), "ru/index.html");
        assert_eq!(urls.file(None, "atom.xml"), "atom.xml");
        assert_eq!(
            urls.link(Some(Lang::En), "certificates/tspk-2024-017/"),
            "/registry/en/certificates/tspk-2024-017/"
        );
        assert_eq!(
            urls.permalink(Some(Lang::Kk), "centers/"),
            "https://тізілім.kz/registry/centers/"
        );
        let root = Urls::new("http://127.0.0.1:1111/", Lang::Ru);
        assert_eq!(root.base_path(), "/");
        assert_eq!(root.origin(), "http://127.0.0.1:1111");
        assert_eq!(urls.origin(), "https://тізілім.kz");
        assert_eq!(root.link(Some(Lang::Ru), ""), "/");
        assert_eq!(root.link(Some(Lang::Kk), "changes/"), "/kk/changes/");
        let relative = Urls::new("/reestr/", Lang::Kk);
        assert_eq!(relative.base_path(), "/reestr/");
        assert_eq!(relative.origin(), "");
    }
}
