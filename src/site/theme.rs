//! A theme, Zola-style: `themes/NAME/templates/*.html` (Tera), `static/`, `i18n/{kk,ru,en}.toml`
//! (every UI string in each language) and `theme.toml`. The site's own `templates/` override
//! the theme's file by file, and the site's `static/` is laid over the theme's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::register::Lang;

/// Everything a theme (with the site's overrides) brings to a build.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub description: String,
    pub license: String,
    /// Template name (path under `templates/`, `/`-separated) → source.
    pub templates: BTreeMap<String, String>,
    /// UI strings, by language then key.
    pub strings: BTreeMap<Lang, BTreeMap<String, String>>,
    /// Output path → bytes of every static file.
    pub static_files: BTreeMap<String, Vec<u8>>,
}

/// Templates every site has, used when the theme (and the site) has none of that name:
/// they hold no text of their own, so a theme rarely needs to change them.
const BUILT_IN_TEMPLATES: &[(&str, &str)] = &[
    (
        "sitemap.xml",
        include_str!("../../themes/default/templates/sitemap.xml"),
    ),
    (
        "sitemap_index.xml",
        include_str!("../../themes/default/templates/sitemap_index.xml"),
    ),
    (
        "robots.txt",
        include_str!("../../themes/default/templates/robots.txt"),
    ),
];

/// `theme.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeToml {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    license: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("{0}: the theme is not there (check `theme` in config.toml)")]
    NotFound(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: the string `{key}` is missing (it exists in {other})")]
    MissingString {
        path: String,
        key: String,
        other: String,
    },
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read_text(root: &Path, path: &Path) -> Result<String, ThemeError> {
    std::fs::read_to_string(path).map_err(|source| ThemeError::Io {
        path: shown(root, path),
        source,
    })
}

/// Files under `dir` (recursively) as (path relative to `dir` with `/`, full path), sorted.
fn files_under(root: &Path, dir: &Path) -> Result<Vec<(String, PathBuf)>, ThemeError> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| ThemeError::Io {
            path: shown(root, e.path().unwrap_or(dir)),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.push((name.join("/"), entry.path().to_owned()));
    }
    Ok(files)
}

/// Loads the theme `name` of the site root `root`, with the site's overrides.
pub fn load_theme(root: &Path, name: &str) -> Result<Theme, ThemeError> {
    let dir = root.join("themes").join(name);
    if !dir.is_dir() {
        return Err(ThemeError::NotFound(shown(root, &dir)));
    }
    let toml_path = dir.join("theme.toml");
    let meta: ThemeToml =
        toml::from_str(&read_text(root, &toml_path)?).map_err(|e| ThemeError::Invalid {
            path: shown(root, &toml_path),
            message: e.message().to_owned(),
        })?;

    let mut templates = BTreeMap::new();
    for templates_dir in [dir.join("templates"), root.join("templates")] {
        for (name, path) in files_under(root, &templates_dir)? {
            templates.insert(name, read_text(root, &path)?);
        }
    }

    // Like Zola's built-ins: a theme that predates one of these still builds.
    for (name, source) in BUILT_IN_TEMPLATES {
        templates
            .entry((*name).to_owned())
            .or_insert_with(|| (*source).to_owned());
    }

    let mut strings = BTreeMap::new();
    for lang in Lang::ALL {
        let path = dir.join("i18n").join(format!("{}.toml", lang.code()));
        let table: BTreeMap<String, String> =
            toml::from_str(&read_text(root, &path)?).map_err(|e| ThemeError::Invalid {
                path: shown(root, &path),
                message: e.message().to_owned(),
            })?;
        strings.insert(lang, table);
    }
    for lang in Lang::ALL {
        for other in Lang::ALL {
            if let Some(key) = strings[&other]
                .keys()
                .find(|k| !strings[&lang].contains_key(*k))
            {
                return Err(ThemeError::MissingString {
                    path: shown(
                        root,
                        &dir.join("i18n").join(format!("{}.toml", lang.code())),
                    ),
                    key: key.clone(),
                    other: format!("{}.toml", other.code()),
                });
            }
        }
    }

    let mut static_files = BTreeMap::new();
    for static_dir in [dir.join("static"), root.join("static")] {
        for (name, path) in files_under(root, &static_dir)? {
            let bytes = std::fs::read(&path).map_err(|source| ThemeError::Io {
                path: shown(root, &path),
                source,
            })?;
            static_files.insert(name, bytes);
        }
    }
    Ok(Theme {
        name: meta.name,
        description: meta.description,
        license: meta.license,
        templates,
        strings,
        static_files,
    })
}
