//! QR codes of permanent URLs, as small SVG images for verification pages, given to the page
//! as `data:` URLs (in the page itself: a file of its own for each page of each language was
//! a quarter of the files of a site, for an image of 2 kB).
//!
//! The mask is fixed rather than chosen by the penalty scores (any of the eight masks gives a
//! valid code; scoring all eight was most of a build's time), and the image is one path: a
//! line one module thick along each horizontal run of dark modules, each run reached by a
//! relative move from the end of the one before.
//!
//! The `qrcode` crate encodes the URL and computes the error correction. Drawing a code with
//! its canvas (patterns, each bit placed by a walk over the modules, the mask) was most of
//! the rest of a build's time for codes, and for a given version, level and mask only the
//! codeword bits differ: a code is the image of all-zero codewords with the module of each
//! set bit inverted. So each version's layout (that image, and the module of each bit) is
//! learnt once from the canvas itself, and each code is drawn from it.

use std::sync::OnceLock;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};

/// The light modules around the code, on each side (the standard's quiet zone).
const QUIET: usize = 4;

const LEVEL: EcLevel = EcLevel::M;
const MASK: MaskPattern = MaskPattern::Checkerboard;

/// The SVG image of the QR code for `url` as a `data:` URL, or `None` if the URL is too long
/// to encode. The URL holds none of the characters HTML escapes (`&<>"'`), nor a space: it is
/// written into an attribute as it is.
pub fn qr_data_url(url: &str) -> Option<String> {
    /// What is percent-encoded: what HTML escapes, what a URL may not hold (a space, `%`,
    /// `#`), and anything outside printable ASCII (none: the image is ASCII).
    const ENCODED: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'&')
        .add(b'\'')
        .add(b'<')
        .add(b'>');
    let svg = qr_svg(url)?;
    Some(format!(
        "data:image/svg+xml,{}",
        utf8_percent_encode(&svg, ENCODED)
    ))
}

/// An SVG image of a QR code for `url`, or `None` if the URL is too long to encode.
pub fn qr_svg(url: &str) -> Option<String> {
    let (dark, width) = modules(url)?;
    let size = width + 2 * QUIET;
    let px = size * 5;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"white\"/><path fill=\"none\" stroke=\"black\" d=\""
    );
    // Where the pen is: the end of the last run, in modules, and its row; none before the
    // first run.
    let mut pen: Option<(usize, usize)> = None;
    for (y, row) in dark.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] {
                x += 1;
            }
            match pen {
                // `M{x},{y}.5`: the middle of the first run's row.
                None => {
                    svg.push('M');
                    push_number(&mut svg, start + QUIET);
                    svg.push(',');
                    push_number(&mut svg, y + QUIET);
                    svg.push_str(".5");
                }
                // `m{dx},{dy}` from the end of the run before.
                Some((end, on)) => {
                    svg.push('m');
                    if start < end {
                        svg.push('-');
                        push_number(&mut svg, end - start);
                    } else {
                        push_number(&mut svg, start - end);
                    }
                    svg.push(',');
                    push_number(&mut svg, y - on);
                }
            }
            svg.push('h');
            push_number(&mut svg, x - start);
            pen = Some((x, y));
        }
    }
    svg.push_str("\"/></svg>");
    Some(svg)
}

/// The modules of the code for `url`, row by row (dark: `true`), and the code's width.
fn modules(url: &str) -> Option<(Vec<bool>, usize)> {
    let bits = qrcode::bits::encode_auto(url.as_bytes(), LEVEL).ok()?;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, LEVEL).ok()?;
    let Some(layout) = Layout::of(version) else {
        // (Never so, as the tests find in every version; the canvas would still draw it.)
        let width = usize::try_from(version.width()).ok()?;
        return Some((draw(version, &data, &ec), width));
    };
    let mut dark = layout.blank.clone();
    let mut places = layout.places.iter();
    for codeword in data.iter().chain(&ec) {
        for bit in (0..8).rev() {
            let place = *places.next()?;
            if codeword >> bit & 1 == 1 {
                dark[place] = !dark[place];
            }
        }
    }
    Some((dark, layout.width))
}

/// The modules of a code drawn by `qrcode`'s canvas alone: the patterns, each bit placed by a
/// walk over the modules, the mask and the format.
fn draw(version: Version, data: &[u8], ec: &[u8]) -> Vec<bool> {
    let mut canvas = Canvas::new(version, LEVEL);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(data, ec);
    canvas.apply_mask(MASK);
    let colors = canvas.into_colors();
    colors.into_iter().map(|c| c == Color::Dark).collect()
}

/// What every code of one version has in common.
struct Layout {
    width: usize,
    /// The code of all-zero codewords: the patterns, the format, the mask.
    blank: Vec<bool>,
    /// The module of each bit of the codewords (data, then error correction; the highest bit
    /// of a codeword first), which a set bit inverts.
    places: Vec<usize>,
}

impl Layout {
    /// The layout of `version`, learnt on first use.
    fn of(version: Version) -> Option<&'static Layout> {
        static LAYOUTS: [OnceLock<Option<Layout>>; 40] = [const { OnceLock::new() }; 40];
        let Version::Normal(number) = version else {
            return None;
        };
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        LAYOUTS
            .get(index)?
            .get_or_init(|| Layout::learn(version))
            .as_ref()
    }

    /// Draws the code of all-zero codewords, then a few codes with some bits set: bit `i` is
    /// set in code `k` when bit `k` of `i + 1` is. A module that differs from the blank code
    /// in exactly the codes `k` of the bits of `i + 1` is then bit `i`'s (a dozen codes for a
    /// thousand bits).
    fn learn(version: Version) -> Option<Layout> {
        let width = usize::try_from(version.width()).ok()?;
        let data_bytes = qrcode::bits::Bits::new(version).max_len(LEVEL).ok()? / 8;
        let (data, ec) =
            qrcode::ec::construct_codewords(&vec![0; data_bytes], version, LEVEL).ok()?;
        let draw = |codewords: &[u8]| {
            let (data, ec) = codewords.split_at(data.len());
            draw(version, data, ec)
        };
        let bits = (data.len() + ec.len()) * 8;
        let blank = draw(&vec![0; bits / 8]);
        let mut signatures = vec![0usize; blank.len()];
        for round in 0..usize::BITS - bits.leading_zeros() {
            let mut codewords = vec![0u8; bits / 8];
            for i in (0..bits).filter(|i| (i + 1) >> round & 1 == 1) {
                codewords[i / 8] |= 0x80 >> (i % 8);
            }
            let code = draw(&codewords);
            for (module, signature) in signatures.iter_mut().enumerate() {
                if code[module] != blank[module] {
                    *signature |= 1 << round;
                }
            }
        }
        let mut places = vec![usize::MAX; bits];
        for (module, &signature) in signatures.iter().enumerate() {
            if signature != 0 {
                let place = places.get_mut(signature - 1)?;
                if *place != usize::MAX {
                    return None;
                }
                *place = module;
            }
        }
        if places.contains(&usize::MAX) {
            return None;
        }
        Some(Layout {
            width,
            blank,
            places,
        })
    }
}

/// Appends a number of modules (below a thousand: a code is at most 177 wide) in decimal.
/// (The formatting machinery of `write!` was more than half of a code's time.)
fn push_number(out: &mut String, n: usize) {
    if n >= 100 {
        out.push(char::from(b'0' + (n / 100 % 10) as u8));
    }
    if n >= 10 {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::{draw, modules, qr_svg, LEVEL, QUIET};

    /// The code for `url` drawn the slow way, by the canvas alone, and its width.
    fn canvas_modules(url: &str) -> (Vec<bool>, usize) {
        let bits = qrcode::bits::encode_auto(url.as_bytes(), LEVEL).unwrap();
        let version = bits.version();
        let (data, ec) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), version, LEVEL).unwrap();
        let width = usize::try_from(version.width()).unwrap();
        (draw(version, &data, &ec), width)
    }

    #[test]
    fn an_svg_of_a_url() {
        let svg = qr_svg("https://example.kz/registry/certificates/tspk-2024-017/").unwrap();
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 41 41\""),
            "{svg}"
        );
        assert!(svg.ends_with("\"/></svg>"));
        assert!(svg.len() < 2500, "{}", svg.len());
        assert!(qr_svg(&"x".repeat(5000)).is_none());
    }

    /// The `data:` URL is the SVG image, percent-encoded where HTML or a URL would need it.
    #[test]
    fn a_data_url_of_the_image() {
        let url = "https://тізілім.kz/ru/certificates/tspk-2024-017/";
        let data = super::qr_data_url(url).unwrap();
        let encoded = data.strip_prefix("data:image/svg+xml,").unwrap();
        assert!(
            !encoded.contains(['&', '<', '>', '"', '\'', ' ', '#']),
            "{encoded}"
        );
        let decoded = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, qr_svg(url).unwrap());
        assert!(super::qr_data_url(&"x".repeat(5000)).is_none());
    }

    /// The dark modules the path draws: each `h` run from where the pen is, the pen moved by
    /// `M` (absolute) and `m` (relative), in the middle of a module's row.
    fn drawn(svg: &str, size: usize) -> Vec<bool> {
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut dark = vec![false; size * size];
        let (mut x, mut y) = (0i64, 0.0f64);
        let mut rest = d;
        while let Some(command) = rest.chars().next() {
            let end = rest[1..]
                .find(['M', 'm', 'h'])
                .map_or(rest.len(), |i| i + 1);
            let numbers: Vec<f64> = rest[1..end]
                .split(',')
                .map(|n| n.parse().unwrap())
                .collect();
            match command {
                'M' => (x, y) = (numbers[0] as i64, numbers[1]),
                'm' => (x, y) = (x + numbers[0] as i64, y + numbers[1]),
                'h' => {
                    let row = (y - 0.5) as usize;
                    assert_eq!(row as f64 + 0.5, y, "a line in the middle of a row");
                    for column in x..x + numbers[0] as i64 {
                        let cell = &mut dark[row * size + column as usize];
                        assert!(!*cell, "each module drawn once");
                        *cell = true;
                    }
                    x += numbers[0] as i64;
                }
                other => panic!("`{other}` in {d}"),
            }
            rest = &rest[end..];
        }
        dark
    }

    #[test]
    fn the_path_draws_exactly_the_dark_modules_of_the_canvas() {
        let mut widest = 0;
        for url in [
            "https://example.kz/registry/certificates/tspk-2024-017/",
            "http://127.0.0.1:1111/ru/certificates/tspk-2020-000005/",
            "https://example.kz/",
            // Long enough for a code over 100 modules wide (three-digit numbers).
            &format!("https://тізілім.kz/{}/", "қ".repeat(400)),
        ] {
            let (dark, width) = canvas_modules(url);
            assert_eq!(modules(url), Some((dark.clone(), width)), "{url}");
            let size = width + 2 * QUIET;
            let svg = qr_svg(url).unwrap();
            assert!(svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")));
            let mut expected = vec![false; size * size];
            for (i, &dark) in dark.iter().enumerate() {
                expected[(i / width + QUIET) * size + i % width + QUIET] = dark;
            }
            assert_eq!(drawn(&svg, size), expected, "{url}");
            widest = widest.max(size);
        }
        assert!(widest > 100, "{widest}");
    }

    /// A code drawn from its version's layout is the canvas's, module for module, in every
    /// version up to 40 (the URLs grow a version at a time).
    #[test]
    fn a_code_from_its_layout_is_the_canvas_code_in_every_version() {
        let mut versions = std::collections::BTreeSet::new();
        let mut length = 0;
        while versions.len() < 40 {
            let url = format!("x{}", "ә".repeat(length));
            let (dark, width) = canvas_modules(&url);
            assert_eq!(modules(&url), Some((dark, width)), "{length}");
            versions.insert(width);
            length += 7;
        }
        assert_eq!(versions.last(), Some(&177));
    }
}
