//! The folding rules of search, once, in Rust (the browser's `search.js` applies the same
//! rules; `tests/fixtures/search-vectors.json`, generated from here, proves it).
//!
//! Everything is folded to a Latin skeleton, so that a name matches however it is typed:
//! case; Kazakh letters typed on a Russian keyboard (ә→а, ғ→г, қ→к, ң→н, ө→о, ұ/ү→у, һ→х,
//! і→и) and ё/е fold together; the official Latin Kazakh alphabet (ä, ğ, q, ñ, ö, ū, ü, ı, ş)
//! and everyday transliteration (zh/j, kh/h, y/i) meet the Cyrillic spelling.

/// The Latin skeleton of one lower-case character; `None` for a separator.
fn skeleton(c: char) -> Option<&'static str> {
    Some(match c {
        'a'..='z' | '0'..='9' => return None, // handled by the caller (kept as is)
        'а' | 'ә' | 'ä' | 'á' | 'à' | 'â' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' | 'ğ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' | 'é' | 'è' | 'ê' => "e",
        'ж' => "j",
        'з' => "z",
        'и' | 'й' | 'і' | 'ы' | 'ı' | 'í' | 'ì' | 'î' => "i",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' | 'ñ' => "n",
        'о' | 'ө' | 'ö' | 'ó' | 'ò' | 'ô' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ұ' | 'ү' | 'ū' | 'ü' | 'ú' | 'ù' | 'û' => "u",
        'ф' => "f",
        'х' | 'һ' => "h",
        'ц' => "ts",
        'ч' | 'ç' => "ch",
        'ш' | 'щ' | 'ş' => "sh",
        'ъ' | 'ь' | '\'' | '’' | 'ʼ' => "",
        'ю' => "iu",
        'я' => "ia",
        _ => return Some(" "),
    })
}

/// The folded tokens of a text, in order (with repeats).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            current.push(c);
            continue;
        }
        match skeleton(c) {
            Some(" ") | None => {
                if !current.is_empty() {
                    out.push(finish(std::mem::take(&mut current)));
                }
            }
            Some(latin) => current.push_str(latin),
        }
    }
    if !current.is_empty() {
        out.push(finish(current));
    }
    out
}

/// Latin spellings that stand for the same sound: zh→j, kh→h, q→k, y→i, w→u.
fn finish(token: String) -> String {
    token
        .replace("zh", "j")
        .replace("kh", "h")
        .replace('q', "k")
        .replace('y', "i")
        .replace('w', "u")
}

/// The folded text: its tokens joined by single spaces.
pub fn fold(text: &str) -> String {
    tokens(text).join(" ")
}

/// Whether two folded words differ by at most one edit (insertion, deletion, substitution,
/// or a swap of neighbours).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == a.len() && prefix == b.len() {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let same = |x: &[char], y: &[char]| x == y;
    same(&ra[1.min(ra.len())..], &rb[1.min(rb.len())..]) && ra.len() == rb.len() // substitution
        || same(&ra[1.min(ra.len())..], rb) // deletion from a
        || same(ra, &rb[1.min(rb.len())..]) // insertion into a
        || (ra.len() >= 2 && rb.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
    // swap
}

/// FNV-1a (32 bits) of a text's UTF-8 bytes: which bucket file holds a certificate number.
pub fn bucket_hash(text: &str) -> u32 {
    text.bytes().fold(0x811c9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x01000193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_meet() {
        let same = [
            ("Алматы", "Almaty"),
            ("Шымкент", "Shymkent"),
            ("Қарағанды", "Qaragandy"),
            ("Өскемен", "Oskemen"),
            ("Жетісу", "Zhetysu"),
            ("Жетісу", "Jetisu"),
            ("Ақтөбе", "Актобе"),
            ("Ақтөбе", "Aqtöbe"),
            ("ӘДІЛЕТ", "адилет"),
            ("Ёлка", "елка"),
            ("Һәм", "хам"),
            ("Ұлытау", "Ulytau"),
            ("Қазақстан", "Qazaqstan"),
            ("Бәйтерек", "Baiterek"),
        ];
        for (a, b) in same {
            assert_eq!(fold(a), fold(b), "{a} / {b}");
        }
        assert_eq!(
            tokens("ТОО «Центр \"Алатау\"» — 2024/020"),
            ["too", "tsentr", "alatau", "2024", "020"]
        );
        assert_ne!(fold("Karaganda"), fold("Қарағанды"));
        assert!(within_one_edit(&fold("Karaganda"), &fold("Қарағанды")));
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("alatau", "alatau"));
        assert!(within_one_edit("alatau", "alatu"));
        assert!(within_one_edit("alatau", "alataau"));
        assert!(within_one_edit("alatau", "alatai"));
        assert!(within_one_edit("alatau", "altaau"));
        assert!(!within_one_edit("alatau", "altua"));
        assert!(!within_one_edit("alatau", "alat"));
        assert!(within_one_edit("", "a"));
    }
}
