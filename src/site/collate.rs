//! Sorting names the way Kazakh and Russian readers expect: by the Kazakh Cyrillic alphabet
//! (which keeps the Russian order and places ә after а, ғ after г, and so on), case-blind,
//! ignoring quotes and other marks before the first letter, Latin after Cyrillic.

/// The Kazakh Cyrillic alphabet in order (Russian letters keep their relative order).
const ALPHABET: &str = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя";

/// A key that sorts names alphabetically.
pub fn sort_key(name: &str) -> Vec<u32> {
    let start = name.find(char::is_alphanumeric).unwrap_or(name.len());
    name[start..]
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match ALPHABET.chars().position(|a| a == c) {
            Some(i) => 0x100 + i as u32,
            None if c.is_ascii_digit() => c as u32,
            None if c.is_ascii_alphabetic() => 0x200 + c as u32,
            None => 0x1000 + c as u32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_order() {
        let mut names = vec![
            "Өрлеу",
            "«Алатау»",
            "Ұлытау",
            "Әділет",
            "Үміт",
            "Қыран",
            "Каспий",
            "Бәйтерек",
            "Arka",
            "1-ші орталық",
            "ғылым",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "1-ші орталық",
                "«Алатау»",
                "Әділет",
                "Бәйтерек",
                "ғылым",
                "Каспий",
                "Қыран",
                "Өрлеу",
                "Ұлытау",
                "Үміт",
                "Arka"
            ]
        );
    }
}
