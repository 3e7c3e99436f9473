//! Identifiers derived from certificate numbers: the permalink slug used in URLs, and the
//! lenient key that matches a number however a person retypes it from paper.

/// Latin spelling of a lower-case Cyrillic letter (Russian and Kazakh alphabets).
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ғ' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "i",
        'к' => "k",
        'қ' => "q",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'ң' => "n",
        'о' => "o",
        'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ұ' => "u",
        'ү' => "u",
        'ф' => "f",
        'х' => "kh",
        'һ' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'і' => "i",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        // Letters of the Latin Kazakh alphabet, so that its spellings share slugs with plain Latin.
        'ä' => "a",
        'ğ' => "g",
        'ı' => "i",
        'ñ' => "n",
        'ö' => "o",
        'ş' => "s",
        'ū' => "u",
        'ü' => "u",
        _ => return None,
    })
}

/// The permalink slug of a certificate number: lower case, Cyrillic transliterated to Latin,
/// every run of other characters turned into one `-`, no `-` at either end.
/// May be empty when the number has no letters or digits.
///
/// ```
/// use tizilim::register::ident::slug;
/// assert_eq!(slug("№ КЗ-01/2024"), "kz-01-2024");
/// assert_eq!(slug("ЦПК-2024/017"), "tspk-2024-017");
/// assert_eq!(slug("Қ.Ә. Ұлы-Дала"), "q-a-uly-dala");
/// ```
pub fn slug(number: &str) -> String {
    let mut out = String::with_capacity(number.len());
    let mut pending_dash = false;
    for c in number.chars().flat_map(char::to_lowercase) {
        let piece: Option<&str> = if c.is_ascii_alphanumeric() {
            None
        } else {
            match transliterate(c) {
                Some(latin) => Some(latin),
                None => {
                    pending_dash = true;
                    continue;
                }
            }
        };
        if piece == Some("") {
            continue;
        }
        if pending_dash && !out.is_empty() {
            out.push('-');
        }
        pending_dash = false;
        match piece {
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
    }
    out
}

/// The key under which a typed certificate number matches the register's: without `№`,
/// spaces and dashes, in lower case, with Cyrillic letters that look like Latin ones folded
/// to those (`А`/`A`, `К`/`K`, `С`/`C`, `Е`/`E`, `О`/`O`, `Р`/`P`, `Т`/`T`, `Н`/`H`, `М`/`M`,
/// `Х`/`X`, `В`/`B`, `У`/`Y`, `І`/`I`).
///
/// ```
/// use tizilim::register::ident::number_key;
/// // Typed with Cyrillic К, А, Т and without the sign or dashes:
/// assert_eq!(number_key("КZ АТ 0012/2024"), number_key("№ KZ-AT-0012/2024"));
/// ```
pub fn number_key(number: &str) -> String {
    number
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !is_ignored_in_number(*c))
        .map(fold_lookalike)
        .collect()
}

fn is_ignored_in_number(c: char) -> bool {
    c == '№' || c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−')
}

fn fold_lookalike(c: char) -> char {
    match c {
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        let cases = [
            ("KZ-01/2024", "kz-01-2024"),
            ("№ КЗ-01/2024", "kz-01-2024"),
            ("  №12  ", "12"),
            ("Аттестат № ӘҒҚ-ҢӨҰ-ҮҺІ/7", "attestat-agq-nou-uhi-7"),
            ("ЩУКА_ёж", "shchuka-ezh"),
            ("объём", "obem"),
            ("Qazaqstan-Ülgi", "qazaqstan-ulgi"),
            ("--a--b--", "a-b"),
            ("№/", ""),
            ("ABC.001", "abc-001"),
        ];
        for (number, expected) in cases {
            assert_eq!(slug(number), expected, "{number:?}");
        }
    }

    #[test]
    fn number_keys_fold_what_people_retype() {
        let register = "№ KZ-AT-0012/2024";
        for typed in [
            "KZ-AT-0012/2024",
            "kz at 0012/2024",
            "№KZ–AT–0012/2024",
            "КZ-АТ-0012/2024", // Cyrillic К, А, Т
            "kzat0012/2024",
        ] {
            assert_eq!(number_key(typed), number_key(register), "{typed:?}");
        }
        assert_ne!(number_key("KZ-AT-0012/2025"), number_key(register));
        assert_eq!(number_key("НОМЕР"), number_key("HOMEP"));
        // Letters without a Latin look-alike stay as they are.
        assert_eq!(number_key("Ақтөбе-1"), "aқtөбe1");
    }
}
