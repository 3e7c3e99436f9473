//! Finding a center or a certificate from what a person types: a BIN, or a certificate
//! number as printed on paper (matched leniently).

use super::registry::{CenterId, CertificateId, Registry};

/// What a typed identifier names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Center(CenterId),
    Certificate(CertificateId),
    /// Several certificates match leniently and none exactly.
    Ambiguous(Vec<CertificateId>),
    NotFound,
}

impl Registry {
    /// A BIN (spaces allowed) names a center; otherwise an exact certificate number, then a
    /// lenient match of one.
    pub fn find(&self, typed: &str) -> Found {
        let typed = typed.trim();
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(center) = self.center(&digits) {
            return Found::Center(center);
        }
        if let Some(certificate) = self.certificate(typed) {
            return Found::Certificate(certificate);
        }
        match self.certificates_matching(typed)[..] {
            [] => Found::NotFound,
            [one] => Found::Certificate(one),
            ref many => Found::Ambiguous(many.to_vec()),
        }
    }
}
