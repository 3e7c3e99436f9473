//! The register's records as typed rows, exactly as the tables give them (before any
//! cross-table check), each with the position it was read from.

use std::fmt;
use std::ops::Deref;

use chrono::NaiveDate;
use serde::Serialize;

use super::bin::Bin;
use super::diagnostic::Position;

/// The languages of the register and of the site.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Where to look when a text is missing in this language: Kazakh and Russian stand in
    /// for each other first (both are official), English last.
    fn fallbacks(self) -> [Lang; 3] {
        match self {
            Lang::Kk => [Lang::Kk, Lang::Ru, Lang::En],
            Lang::Ru => [Lang::Ru, Lang::Kk, Lang::En],
            Lang::En => [Lang::En, Lang::Ru, Lang::Kk],
        }
    }
}

impl Lang {
    /// The language a text of one language only (a decision, a phone's note) is written in,
    /// as far as its letters tell: Kazakh if it has a letter only Kazakh Cyrillic has
    /// (ә ғ қ ң ө ұ ү һ і), Russian if it has other Cyrillic letters; none for Latin letters
    /// (English, or Kazakh in Latin script) or none at all.
    pub fn of_letters(text: &str) -> Option<Lang> {
        let mut cyrillic = false;
        for c in text.chars().flat_map(char::to_lowercase) {
            match c {
                'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і' => {
                    return Some(Lang::Kk)
                }
                'а'..='я' | 'ё' => cyrillic = true,
                _ => {}
            }
        }
        cyrillic.then_some(Lang::Ru)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A text given in up to three languages (`name_kk`, `name_ru`, `name_en`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    pub fn in_lang(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Kk => self.kk.as_deref(),
            Lang::Ru => self.ru.as_deref(),
            Lang::En => self.en.as_deref(),
        }
    }

    /// The text in `lang`, or in the nearest language that has it; "" when none does.
    pub fn get(&self, lang: Lang) -> &str {
        self.get_with_lang(lang).0
    }

    /// [`Text::get`], with the language of the text found (none when there is no text).
    pub fn get_with_lang(&self, lang: Lang) -> (&str, Option<Lang>) {
        lang.fallbacks()
            .into_iter()
            .find_map(|l| self.in_lang(l).map(|text| (text, Some(l))))
            .unwrap_or(("", None))
    }

    pub fn is_empty(&self) -> bool {
        self.kk.is_none() && self.ru.is_none() && self.en.is_none()
    }
}

/// A row with the file and line it was read from. Dereferences to the row itself.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub position: Position,
    pub row: T,
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.row
    }
}

/// A row of a reference table (`regions`, `professions`): a code and its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedRow {
    pub code: String,
    pub name: Text,
}

pub type RegionRow = CodedRow;
pub type ProfessionRow = CodedRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CenterRow {
    pub bin: Bin,
    pub name: Text,
    pub region: String,
    pub city: Option<String>,
    pub address: Text,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub number: String,
    pub bin: String,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub replaces: Option<String>,
    pub agreement_number: Option<String>,
    pub agreement_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRow {
    pub certificate: String,
    pub profession: String,
    pub levels: Levels,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub certificate: String,
    pub date: NaiveDate,
    pub action: Action,
    pub reason: Text,
    pub decision: Option<String>,
}

/// The status changes that `events` record (issue and re-issue come from `certificates`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Revoked,
    Resumed,
    Terminated,
}

impl Action {
    pub fn parse(text: &str) -> Option<Action> {
        match text {
            "revoked" => Some(Action::Revoked),
            "resumed" => Some(Action::Resumed),
            "terminated" => Some(Action::Terminated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Revoked => "revoked",
            Action::Resumed => "resumed",
            Action::Terminated => "terminated",
        }
    }
}

/// Qualification levels of the national qualifications framework (1–8) as a bit set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Levels(u8);

impl Levels {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 8;

    /// Parses one cell part: `4` or `3-5` (also with an en dash).
    pub fn parse_part(part: &str) -> Option<Levels> {
        let part = part.trim();
        let (lo, hi) = match part.split_once(['-', '–']) {
            Some((lo, hi)) => (lo.trim(), hi.trim()),
            None => (part, part),
        };
        let level = |s: &str| -> Option<u8> {
            let n: u8 = s.parse().ok()?;
            (Self::MIN..=Self::MAX).contains(&n).then_some(n)
        };
        let (lo, hi) = (level(lo)?, level(hi)?);
        (lo <= hi).then(|| Levels((lo..=hi).fold(0, |bits, l| bits | 1 << (l - 1))))
    }

    pub fn union(self, other: Levels) -> Levels {
        Levels(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, level: u8) -> bool {
        (Self::MIN..=Self::MAX).contains(&level) && self.0 & (1 << (level - 1)) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = u8> {
        (Self::MIN..=Self::MAX).filter(move |&l| self.contains(l))
    }

    pub fn from_levels(levels: impl IntoIterator<Item = u8>) -> Levels {
        levels
            .into_iter()
            .filter(|l| (Self::MIN..=Self::MAX).contains(l))
            .fold(Levels(0), |acc, l| Levels(acc.0 | 1 << (l - 1)))
    }
}

impl fmt::Display for Levels {
    /// Compact form with ranges, as the register writes it: `3-5`, `3;5;6`, `1-2;4`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let levels: Vec<u8> = self.iter().collect();
        let mut first = true;
        let mut i = 0;
        while i < levels.len() {
            let start = levels[i];
            let mut end = start;
            while i + 1 < levels.len() && levels[i + 1] == end + 1 {
                i += 1;
                end = levels[i];
            }
            if !first {
                f.write_str(";")?;
            }
            first = false;
            if end > start {
                write!(f, "{start}-{end}")?;
            } else {
                write!(f, "{start}")?;
            }
            i += 1;
        }
        Ok(())
    }
}

impl Serialize for Levels {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// The typed rows of every table, in file order: what `load` gives `validate`.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub regions: Vec<Located<RegionRow>>,
    pub professions: Vec<Located<ProfessionRow>>,
    pub centers: Vec<Located<CenterRow>>,
    pub certificates: Vec<Located<CertificateRow>>,
    pub scope: Vec<Located<ScopeRow>>,
    pub events: Vec<Located<EventRow>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_print() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["4"], Some("4")),
            (&["3-5"], Some("3-5")),
            (&["3", "5", "6"], Some("3;5-6")),
            (&["1–2", "4"], Some("1-2;4")),
            (&["1-8"], Some("1-8")),
            (&["0"], None),
            (&["9"], None),
            (&["5-3"], None),
            (&["3-"], None),
            (&["IV"], None),
            (&[""], None),
        ];
        for (parts, expected) in cases {
            let parsed: Option<Levels> = parts
                .iter()
                .map(|p| Levels::parse_part(p))
                .try_fold(Levels::default(), |acc, l| Some(acc.union(l?)));
            assert_eq!(
                parsed.map(|l| l.to_string()).as_deref(),
                *expected,
                "{parts:?}"
            );
        }
    }

    #[test]
    fn text_falls_back_between_languages() {
        let only_ru = Text {
            ru: Some("Центр".into()),
            ..Text::default()
        };
        assert_eq!(only_ru.get(Lang::Kk), "Центр");
        assert_eq!(only_ru.get(Lang::En), "Центр");
        let kk_en = Text {
            kk: Some("Орталық".into()),
            en: Some("Centre".into()),
            ..Text::default()
        };
        assert_eq!(kk_en.get(Lang::Ru), "Орталық");
        assert_eq!(kk_en.get(Lang::En), "Centre");
        assert_eq!(Text::default().get(Lang::Kk), "");
    }
}
