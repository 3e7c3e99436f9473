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

/// The longest a name in a page's address may be (a certificate's slug, a profession's, a
/// region's code), in bytes: every one is a folder and a file name of the published site,
/// which file systems limit to 255 bytes, and a key of object storage. `check` says so.
pub const MAX_ADDRESS_NAME: usize = 150;

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

/// The lenient keys of a certificate number (`../shared/spec/cli-and-urls.md`), under which
/// a number typed by a person finds the register's however it was retyped from paper:
///
/// - (a) the number without a leading `№` (or `No.`, or `No` before a space), its Cyrillic
///   letters that look like Latin ones (`А В Е К М Н О Р С Т У Х І`) folded to those, then
///   slugged with every `-` removed: case, spaces, dashes, `/` and `.` no longer count;
/// - (b) its [`slug`] with every `-` removed, so that the address of a page finds its number.
///
/// The two are often the same; the second is left out then. Both the register's numbers and
/// what a person types are keyed so, and two numbers of the register sharing a key are an
/// error of `check`.
///
/// ```
/// use tizilim::register::ident::lenient_keys;
/// let register = lenient_keys("ЦПК-2024/020");
/// for typed in ["ЦПК 2024 020", "цпк2024020", "tspk-2024-020", "№ ЦПК–2024/020", "ЦПК.2024.020"] {
///     assert!(lenient_keys(typed).iter().any(|k| register.contains(k)), "{typed}");
/// }
/// ```
pub fn lenient_keys(number: &str) -> Vec<String> {
    let folded: String = without_number_sign(number.trim())
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold_lookalike)
        .collect();
    let by_look = dashless(&slug(&folded));
    let by_slug = dashless(&slug(number));
    if by_look == by_slug {
        vec![by_look]
    } else {
        vec![by_look, by_slug]
    }
}

fn dashless(slug: &str) -> String {
    slug.replace('-', "")
}

/// `number` without a leading `№`, `No.` or `No ` (in any case).
fn without_number_sign(number: &str) -> &str {
    if let Some(rest) = number.strip_prefix('№') {
        return rest;
    }
    let bytes = number.as_bytes();
    if bytes.len() > 2
        && bytes[..2].eq_ignore_ascii_case(b"no")
        && (bytes[2] == b'.' || bytes[2].is_ascii_whitespace())
    {
        return &number[3..];
    }
    number
}

/// A lower-case Cyrillic letter that looks like a Latin one, as that Latin letter.
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
    fn lenient_keys_find_what_people_retype() {
        let matches = |typed: &str, register: &str| {
            let keys = lenient_keys(register);
            lenient_keys(typed).iter().any(|k| keys.contains(k))
        };
        for (register, typed) in [
            ("ЦПК-2024/020", "ЦПК 2024 020"),
            ("ЦПК-2024/020", "цпк-2024-020"),
            ("ЦПК-2024/020", "ЦПК2024020"),
            ("ЦПК-2024/020", "ЦПК.2024.020"),
            ("ЦПК-2024/020", "tspk-2024-020"),
            ("ЦПК-2024/020", "№ ЦПК–2024/020"),
            ("ЦПК-2024/020", "No. ЦПК 2024/020"),
            ("ЦПК-2024/020", "no ЦПК-2024-020"),
            ("№ KZ-AT-0012/2024", "KZ-AT-0012/2024"),
            ("№ KZ-AT-0012/2024", "kz at 0012 2024"),
            ("№ KZ-AT-0012/2024", "КZ-АТ-0012/2024"), // Cyrillic К, А, Т
            ("№ KZ-AT-0012/2024", "kz-at-0012-2024"), // its slug
            ("АВ-1", "AB-1"),                         // look-alikes
            ("АВ-1", "av-1"),                         // its slug
            ("KZ-ҰД-0003", "kz-ud-0003"),
            ("KZ-ҰД-0003", "KZ ҰД 0003"),
        ] {
            assert!(
                matches(typed, register),
                "{typed:?} should find {register:?}"
            );
        }
        for (register, typed) in [
            ("ЦПК-2024/020", "ЦПК-2024/021"),
            ("№ KZ-AT-0012/2024", "KZ-AT-0012/2025"),
            ("Nova-1", "va-1"), // `No` is dropped only before a dot or a space
        ] {
            assert!(
                !matches(typed, register),
                "{typed:?} must not find {register:?}"
            );
        }
        assert_eq!(lenient_keys("ЦПК-2024/020"), ["tspk2024020"]);
        assert_eq!(lenient_keys("АВ-1"), ["ab1", "av1"]);
    }
}
