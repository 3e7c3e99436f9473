//! Sets of bytes, and whether a text holds one: the test every escaper (HTML, JSON in a
//! `<script>`) makes before it copies anything, since most of what a page shows needs none.

/// A set of bytes, one flag a byte.
pub type ByteSet = [bool; 256];

/// The set of `bytes`.
pub const fn byte_set(bytes: &[u8]) -> ByteSet {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

/// Whether `text` holds a byte of `set`, tested eight bytes at a time (a test and a branch a
/// byte took 3 % of a build; `memchr`'s vectorised scans cost more on texts this short).
pub fn holds_any(text: &[u8], set: &ByteSet) -> bool {
    let mut chunks = text.chunks_exact(8);
    for chunk in &mut chunks {
        if chunk
            .iter()
            .fold(false, |any, &byte| any | set[usize::from(byte)])
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&byte| set[usize::from(byte)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_holds_a_byte_of_the_set_wherever_it_is() {
        const SET: ByteSet = byte_set(b"&<");
        assert!(!holds_any(b"", &SET));
        for length in 1..40 {
            let plain = "ә".repeat(length);
            assert!(!holds_any(plain.as_bytes(), &SET), "{length}");
            for at in 0..plain.len() {
                let mut text = plain.as_bytes().to_vec();
                text[at] = b'<';
                assert!(holds_any(&text, &SET), "{length} {at}");
            }
        }
        assert!(!holds_any(b">\"'", &SET));
    }
}
