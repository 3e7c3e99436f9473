//! The site's settings: `config.toml` at the site root.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::register::Lang;

/// `config.toml`. Unknown keys are an error, so a typo is never silently ignored.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address the site is published at, e.g. `https://example.kz/registry/`.
    pub base_url: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub default_language: Lang,
    /// The other languages, each published under `/LANG/`.
    #[serde(default)]
    pub languages: Vec<Lang>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The term of a certificate in years, where `valid_until` is not given.
    #[serde(default = "default_validity_years")]
    pub validity_years: u32,
    /// Free settings for themes.
    #[serde(default)]
    pub extra: toml::Table,
}

impl Default for Config {
    /// The settings of a site root without `config.toml` (enough to check a register).
    fn default() -> Self {
        Config {
            base_url: "/".to_owned(),
            title: "tizilim".to_owned(),
            description: String::new(),
            default_language: default_language(),
            languages: Vec::new(),
            theme: default_theme(),
            validity_years: default_validity_years(),
            extra: toml::Table::new(),
        }
    }
}

fn default_language() -> Lang {
    Lang::Kk
}

fn default_theme() -> String {
    "default".to_owned()
}

fn default_validity_years() -> u32 {
    3
}

/// Why `config.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the file: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

impl Config {
    /// Reads `config.toml` in `root`.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join("config.toml");
        let shown = "config.toml".to_owned();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Unreadable {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text, &shown)
    }

    pub fn parse(text: &str, shown: &str) -> Result<Config, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let invalid = |line: usize, message: String| ConfigError::Invalid {
            path: shown.to_owned(),
            line,
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |span| 1 + text[..span.start].matches('\n').count());
            invalid(line, e.message().to_owned())
        })?;
        if config.validity_years == 0 || config.validity_years > 100 {
            return Err(invalid(
                0,
                "validity_years must be between 1 and 100".to_owned(),
            ));
        }
        if config.languages.contains(&config.default_language) {
            return Err(invalid(
                0,
                "languages lists the default_language again".to_owned(),
            ));
        }
        if !(config.base_url.starts_with("http://")
            || config.base_url.starts_with("https://")
            || config.base_url.starts_with('/'))
        {
            return Err(invalid(
                0,
                "base_url must start with http://, https:// or /".to_owned(),
            ));
        }
        Ok(config)
    }

    /// The default language first, then the others.
    pub fn all_languages(&self) -> Vec<Lang> {
        let mut all = vec![self.default_language];
        all.extend(
            self.languages
                .iter()
                .copied()
                .filter(|l| *l != self.default_language),
        );
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config_gets_defaults() {
        let config = Config::parse(
            "base_url = \"https://tizilim.kz/\"\ntitle = \"Тізілім\"\n",
            "config.toml",
        )
        .unwrap();
        assert_eq!(config.validity_years, 3);
        assert_eq!(config.default_language, Lang::Kk);
        assert_eq!(config.theme, "default");
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let err = Config::parse(
            "base_url = \"/\"\ntitle = \"Реестр\"\nvalidty_years = 5\n",
            "config.toml",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("config.toml:3: "), "{text}");
        assert!(text.contains("validty_years"), "{text}");
    }

    #[test]
    fn bad_values() {
        for bad in [
            "base_url = \"/\"\ntitle = \"x\"\nvalidity_years = 0\n",
            "base_url = \"/\"\ntitle = \"x\"\ndefault_language = \"de\"\n",
            "base_url = \"ftp://x\"\ntitle = \"x\"\n",
            "base_url = \"/\"\ntitle = \"x\"\ndefault_language = \"ru\"\nlanguages = [\"ru\", \"kk\"]\n",
        ] {
            assert!(Config::parse(bad, "config.toml").is_err(), "{bad}");
        }
    }
}
