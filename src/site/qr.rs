//! QR codes of permanent URLs, as small SVG images for verification pages.
//!
//! The mask is fixed rather than chosen by the penalty scores (any of the eight masks gives a
//! valid code; scoring all eight was most of a build's time), and the image is one path of
//! horizontal runs of dark modules.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

/// An SVG image of a QR code for `url`, or `None` if the URL is too long to encode.
pub fn qr_svg(url: &str) -> Option<String> {
    let bits = qrcode::bits::encode_auto(url.as_bytes(), EcLevel::M).ok()?;
    let version = bits.version();
    let (data, ec) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    canvas.apply_mask(MaskPattern::Checkerboard);
    let colors = canvas.into_colors();
    let width = usize::try_from(version.width()).ok()?;
    const QUIET: usize = 4;
    let size = width + 2 * QUIET;
    let mut path = String::with_capacity(width * width);
    let mut number = itoa::Buffer::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if colors[y * width + x] == Color::Dark {
                let start = x;
                while x < width && colors[y * width + x] == Color::Dark {
                    x += 1;
                }
                // `M{x} {y}h{run}v1h-{run}z`, the numbers written by `itoa` (the formatting
                // machinery of `write!` was more than half of a code's time).
                let run = x - start;
                path.push('M');
                path.push_str(number.format(start + QUIET));
                path.push(' ');
                path.push_str(number.format(y + QUIET));
                path.push('h');
                path.push_str(number.format(run));
                path.push_str("v1h-");
                path.push_str(number.format(run));
                path.push('z');
            } else {
                x += 1;
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>",
        px = size * 5
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_svg_of_a_url() {
        let svg = super::qr_svg("https://example.kz/registry/certificates/tspk-2024-017/").unwrap();
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 41 41\""),
            "{svg}"
        );
        assert!(svg.ends_with("\"/></svg>"));
        assert!(svg.len() < 5000, "{}", svg.len());
        assert!(super::qr_svg(&"x".repeat(5000)).is_none());
    }
}
