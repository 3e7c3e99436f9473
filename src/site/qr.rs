//! QR codes of permanent URLs, as small SVG images for verification pages.
//!
//! The mask is fixed rather than chosen by the penalty scores (any of the eight masks gives a
//! valid code; scoring all eight was most of a build's time), and the image is one path: a
//! line one module thick along each horizontal run of dark modules, each run reached by a
//! relative move from the end of the one before.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

/// The light modules around the code, on each side (the standard's quiet zone).
const QUIET: usize = 4;

/// An SVG image of a QR code for `url`, or `None` if the URL is too long to encode.
pub fn qr_svg(url: &str) -> Option<String> {
    let (colors, width) = modules(url)?;
    let size = width + 2 * QUIET;
    let px = size * 5;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"none\" stroke=\"#000\" d=\""
    );
    // Where the pen is: the end of the last run, in modules, and its row; none before the
    // first run.
    let mut pen: Option<(usize, usize)> = None;
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            match pen {
                // `M{x} {y}.5`: the middle of the first run's row.
                None => {
                    svg.push('M');
                    push_number(&mut svg, start + QUIET);
                    svg.push(' ');
                    push_number(&mut svg, y + QUIET);
                    svg.push_str(".5");
                }
                // `m{dx} {dy}` from the end of the run before.
                Some((end, on)) => {
                    svg.push('m');
                    if start < end {
                        svg.push('-');
                        push_number(&mut svg, end - start);
                    } else {
                        push_number(&mut svg, start - end);
                    }
                    svg.push(' ');
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

/// The modules of the code for `url`, row by row, and the code's width.
fn modules(url: &str) -> Option<(Vec<Color>, usize)> {
    let bits = qrcode::bits::encode_auto(url.as_bytes(), EcLevel::M).ok()?;
    let version = bits.version();
    let (data, ec) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    canvas.apply_mask(MaskPattern::Checkerboard);
    let width = usize::try_from(version.width()).ok()?;
    Some((canvas.into_colors(), width))
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
    use super::{modules, qr_svg, QUIET};
    use qrcode::Color;

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
                .split(' ')
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
    fn the_path_draws_exactly_the_dark_modules() {
        let mut widest = 0;
        for url in [
            "https://example.kz/registry/certificates/tspk-2024-017/",
            "http://127.0.0.1:1111/ru/certificates/tspk-2020-000005/",
            // Long enough for a code over 100 modules wide (three-digit numbers).
            &format!("https://тізілім.kz/{}/", "қ".repeat(400)),
        ] {
            let (colors, width) = modules(url).unwrap();
            let size = width + 2 * QUIET;
            let svg = qr_svg(url).unwrap();
            assert!(svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")));
            let mut expected = vec![false; size * size];
            for (i, color) in colors.iter().enumerate() {
                expected[(i / width + QUIET) * size + i % width + QUIET] = *color == Color::Dark;
            }
            assert_eq!(drawn(&svg, size), expected, "{url}");
            widest = widest.max(size);
        }
        assert!(widest > 100, "{widest}");
    }
}
