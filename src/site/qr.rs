//! QR codes of permanent URLs, as SVG images for verification pages.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG image of a QR code for `url`, or `None` if the URL is too long to encode.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_svg_of_a_url() {
        let svg = super::qr_svg("https://example.kz/registry/certificates/tspk-2024-017/").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        assert!(super::qr_svg(&"x".repeat(5000)).is_none());
    }
}
