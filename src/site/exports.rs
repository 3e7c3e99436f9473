//! Open data and per-record JSON: `/data/register.json`, `/data/centers.csv`,
//! `/data/certificates.csv`, `/api/centers/BIN.json`, `/api/certificates/SLUG.json`, with the
//! statuses derived for the build date. CSV cells that a spreadsheet would run as formulas
//! are neutralised.

use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::bytes::{byte_set, holds_any, ByteSet};
use super::urls::Urls;
use super::views::profession_page;
use crate::register::{CenterId, CertificateId, Lang, Registry, Text};
use crate::retained::{key_of, Memo, MemoUse};

/// A cell made safe for spreadsheets: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` so it is read as text, never run as a formula.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// An open-data file as its parts, in order: records shared with the cache between builds
/// and the text around them, never joined in memory (`register.json` is a third of a
/// gigabyte at 100,000 centers; the publication writes the parts one after the other).
#[derive(Debug, Default)]
pub struct Document {
    chunks: Vec<Chunk>,
}

#[derive(Debug)]
enum Chunk {
    Owned(Vec<u8>),
    Shared(Arc<[u8]>),
    Fixed(&'static [u8]),
}

impl Document {
    fn push(&mut self, chunk: Chunk) {
        self.chunks.push(chunk);
    }

    /// The parts, in order.
    pub fn parts(&self) -> Vec<&[u8]> {
        self.chunks
            .iter()
            .map(|c| match c {
                Chunk::Owned(bytes) => bytes.as_slice(),
                Chunk::Shared(bytes) => bytes,
                Chunk::Fixed(bytes) => bytes,
            })
            .collect()
    }
}

/// Open-data records serialized by earlier builds, by the fingerprint of what they show (see
/// [`crate::retained`]).
pub type RecordCache = Memo<Arc<[u8]>>;

/// One build's records: each is taken from what the last build made when its fingerprint
/// holds, or made again. Without a cache, every record is made (and nothing is kept).
pub struct Records<'a> {
    memo: MemoUse<'a, Arc<[u8]>>,
    site_key: u64,
    families: &'a [u64],
}

impl<'a> Records<'a> {
    /// Records of a build whose site key is `site_key` and whose center families have the
    /// keys `families` (see `site::fingerprint`).
    pub fn new(cache: Option<&'a RecordCache>, site_key: u64, families: &'a [u64]) -> Self {
        Records {
            memo: MemoUse::new(cache),
            site_key,
            families,
        }
    }

    /// The records `0..count` of kind `kind` (say the rows of `centers.csv`), in runs of
    /// [`RUN`] records each joined by `separator`. Record `id` is named `name(id)` (a BIN, a
    /// slug), shows only what the family of center `center(id)` holds, and is written by
    /// `write`. A run is taken from what the last build made when each of its records' keys
    /// holds, or made again: a status change makes a few runs of each file again (those with
    /// a record of the changed family), not a third of a million records, and the file is a
    /// few thousand parts, not as many as records.
    fn runs<'n>(
        &self,
        kind: &str,
        count: usize,
        separator: &[u8],
        name: impl Fn(usize) -> &'n str + Sync,
        center: impl Fn(usize) -> CenterId + Sync,
        write: impl Fn(usize, &mut Vec<u8>) + Sync,
    ) -> Vec<Arc<[u8]>> {
        (0..count.div_ceil(RUN))
            .into_par_iter()
            .map(|run| {
                let ids = run * RUN..((run + 1) * RUN).min(count);
                let key = || {
                    let keys: Vec<u64> = ids
                        .clone()
                        .map(|id| {
                            let family = self.families[center(id)];
                            super::fingerprint::record(self.site_key, kind, name(id), family)
                        })
                        .collect();
                    key_of(keys)
                };
                self.memo.get(key, || {
                    let mut bytes = Vec::new();
                    for id in ids.clone() {
                        if id > ids.start {
                            bytes.extend_from_slice(separator);
                        }
                        write(id, &mut bytes);
                    }
                    bytes.into()
                })
            })
            .collect()
    }

    /// [`Records::runs`] of one record for each center of `registry`, named by its BIN.
    fn center_runs(
        &self,
        registry: &Registry,
        kind: &str,
        separator: &[u8],
        write: impl Fn(CenterId, &mut Vec<u8>) + Sync,
    ) -> Vec<Arc<[u8]>> {
        let centers = &registry.centers;
        let name = |id: CenterId| centers[id].bin.as_str();
        self.runs(kind, centers.len(), separator, name, |id| id, write)
    }

    /// [`Records::runs`] of one record for each certificate of `registry`, named by its
    /// slug, in its center's family.
    fn certificate_runs(
        &self,
        registry: &Registry,
        kind: &str,
        separator: &[u8],
        write: impl Fn(CertificateId, &mut Vec<u8>) + Sync,
    ) -> Vec<Arc<[u8]>> {
        let certificates = &registry.certificates;
        let name = |id: CertificateId| certificates[id].slug.as_str();
        let center = |id: CertificateId| certificates[id].center;
        self.runs(kind, certificates.len(), separator, name, center, write)
    }
}

/// How many records make a run of an open-data file (see [`Records::runs`]): at 100,000
/// centers `register.json` is about 850 runs of 400 kB.
pub(crate) const RUN: usize = 256;

/// One CSV row, its cells made safe for spreadsheets, written at the end of `out`.
fn csv_row(row: &[String], out: &mut Vec<u8>) {
    let mut writer = csv::Writer::from_writer(out);
    // Writing into memory cannot fail.
    let _ = writer.write_record(row.iter().map(|c| spreadsheet_safe(c)));
    let _ = writer.flush();
}

/// A CSV file: a byte-order mark (so that Excel reads UTF-8), the header, the rows.
fn csv_document(header: &[&str], rows: Vec<Arc<[u8]>>) -> Document {
    let mut header_row = Vec::new();
    csv_row(
        &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
        &mut header_row,
    );
    let mut document = Document::default();
    document.push(Chunk::Fixed(b"\xEF\xBB\xBF"));
    document.push(Chunk::Owned(header_row));
    for row in rows {
        document.push(Chunk::Shared(row));
    }
    document
}

fn text_cells(text: &Text) -> [String; 3] {
    [
        text.kk.clone().unwrap_or_default(),
        text.ru.clone().unwrap_or_default(),
        text.en.clone().unwrap_or_default(),
    ]
}

/// `/data/centers.csv`.
pub fn centers_csv(registry: &Registry, as_of: NaiveDate, records: &Records<'_>) -> Document {
    // The register's columns (as `load` reads them), then what is derived.
    let header: Vec<&str> = crate::register::load::CENTERS
        .names()
        .chain(["status", "as_of"])
        .collect();
    let rows = records.center_runs(registry, "centers.csv", b"", |id, out| {
        let c = &registry.centers[id];
        let mut row = vec![c.bin.to_string()];
        row.extend(text_cells(&c.name));
        row.push(registry.regions[c.region].code.clone());
        row.push(c.city.clone().unwrap_or_default());
        row.extend(text_cells(&c.address));
        row.extend(
            [c.phone.clone(), c.email.clone(), c.website.clone()].map(Option::unwrap_or_default),
        );
        row.push(registry.center_status(id, as_of).0.to_string());
        row.push(as_of.to_string());
        csv_row(&row, out);
    });
    csv_document(&header, rows)
}

/// `/data/certificates.csv`.
pub fn certificates_csv(registry: &Registry, as_of: NaiveDate, records: &Records<'_>) -> Document {
    let header = [
        "number",
        "slug",
        "bin",
        "issued_on",
        "valid_until",
        "replaces",
        "replaced_by",
        "agreement_number",
        "agreement_date",
        "professions",
        "status",
        "as_of",
    ];
    let number = |id: Option<CertificateId>| {
        id.map(|i| registry.certificates[i].number.clone())
            .unwrap_or_default()
    };
    let rows = records.certificate_runs(registry, "certificates.csv", b"", |id, out| {
        let c = &registry.certificates[id];
        let professions: Vec<String> = c
            .scope
            .iter()
            .map(|s| {
                let code = &registry.professions[s.profession].code;
                if s.levels.is_empty() {
                    code.clone()
                } else {
                    format!("{code} ({})", s.levels)
                }
            })
            .collect();
        csv_row(
            &[
                c.number.clone(),
                c.slug.clone(),
                registry.centers[c.center].bin.to_string(),
                c.issued_on.to_string(),
                c.valid_until.to_string(),
                number(c.replaces),
                number(c.replaced_by),
                c.agreement_number.clone().unwrap_or_default(),
                c.agreement_date.map(|d| d.to_string()).unwrap_or_default(),
                professions.join("; "),
                registry.certificate_status(id, as_of).to_string(),
                as_of.to_string(),
            ],
            out,
        );
    });
    csv_document(&header, rows)
}

#[derive(Serialize)]
struct HistoryEntry<'a> {
    date: NaiveDate,
    status: crate::register::Status,
    change: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a str>,
}

fn history(registry: &Registry, id: CertificateId) -> Vec<Value> {
    registry
        .certificate_history(id)
        .iter()
        .map(|t| {
            let event = registry.event_of(t);
            let change = registry.change_name(t);
            json!(HistoryEntry {
                date: t.date,
                status: t.to,
                change,
                reason: event.map(|e| &e.reason).filter(|r| !r.is_empty()),
                decision: event.and_then(|e| e.decision.as_deref()),
            })
        })
        .collect()
}

/// One certificate with its status on `as_of`, history and scope.
pub fn certificate_json(
    registry: &Registry,
    urls: &Urls,
    id: CertificateId,
    as_of: NaiveDate,
    lang: Lang,
) -> Value {
    let c = &registry.certificates[id];
    let number = |id: Option<CertificateId>| id.map(|i| registry.certificates[i].number.clone());
    json!({
        "number": c.number,
        "slug": c.slug,
        "bin": registry.centers[c.center].bin,
        "issued_on": c.issued_on,
        "valid_until": c.valid_until,
        "valid_until_given": c.valid_until_given,
        "replaces": number(c.replaces),
        "replaced_by": number(c.replaced_by),
        "agreement_number": c.agreement_number,
        "agreement_date": c.agreement_date,
        "status": registry.certificate_status(id, as_of),
        "as_of": as_of,
        "history": history(registry, id),
        "scope": c.scope.iter().map(|s| {
            let p = &registry.professions[s.profession];
            json!({ "profession": p.code, "name": p.name, "levels": s.levels })
        }).collect::<Vec<_>>(),
        "url": urls.permalink(Some(lang), &format!("certificates/{}/", c.slug)),
    })
}

/// One center with its status on `as_of` and its certificates' numbers and statuses.
pub fn center_json(
    registry: &Registry,
    urls: &Urls,
    id: CenterId,
    as_of: NaiveDate,
    lang: Lang,
) -> Value {
    let c = &registry.centers[id];
    let (status, deciding) = registry.center_status(id, as_of);
    json!({
        "bin": c.bin,
        "name": c.name,
        "region": registry.regions[c.region].code,
        "city": c.city,
        "address": c.address,
        "phone": c.phone,
        "email": c.email,
        "website": c.website,
        "status": status,
        "status_certificate": deciding.map(|d| registry.certificates[d].number.clone()),
        "as_of": as_of,
        "certificates": c.certificates.iter().map(|&cert| {
            let certificate = &registry.certificates[cert];
            json!({
                "number": certificate.number,
                "slug": certificate.slug,
                "status": registry.certificate_status(cert, as_of),
                "issued_on": certificate.issued_on,
                "valid_until": certificate.valid_until,
                "timeline": registry.certificate_timeline(cert).iter().map(|i| json!({ "from": i.from, "to": i.to, "status": i.status })).collect::<Vec<_>>(),
                "scope": certificate.scope.iter().map(|s| (registry.professions[s.profession].code.clone(), Value::String(s.levels.to_string()))).collect::<serde_json::Map<String, Value>>(),
            })
        }).collect::<Vec<_>>(),
        "timeline": registry.center_timeline(id).iter().map(|(i, deciding)| json!({
            "from": i.from,
            "to": i.to,
            "status": i.status,
            "certificate": deciding.map(|d| registry.certificates[d].number.clone()),
        })).collect::<Vec<_>>(),
        "changes": crate::verify::center_changes(registry, id),
        "url": urls.permalink(Some(lang), &format!("centers/{}/", c.bin)),
    })
}

/// `/data/register.json`: the whole register with derived statuses, as bytes. It is one
/// line of compact JSON (a bulk download, a tenth of a gigabyte at 100,000 centers), written
/// record by record on every core, so the register is never one value in memory.
pub fn register_json(
    registry: &Registry,
    urls: &Urls,
    as_of: NaiveDate,
    lang: Lang,
    records: &Records<'_>,
) -> Document {
    // Serializing plain data into memory cannot fail.
    let compact = |value: &Value, out: &mut Vec<u8>| {
        let _ = serde_json::to_writer(out, value);
    };
    let center_runs = records.center_runs(registry, "register.json center", b",", |id, out| {
        compact(&center_json(registry, urls, id, as_of, lang), out)
    });
    let certificate_runs =
        records.certificate_runs(registry, "register.json certificate", b",", |id, out| {
            compact(&certificate_json(registry, urls, id, as_of, lang), out)
        });
    let head = json!({
        "as_of": as_of,
        "validity_years": registry.validity_years,
        "regions": registry.regions.iter().map(|r| json!({ "code": r.code, "name": r.name })).collect::<Vec<_>>(),
        "professions": registry.professions.iter().enumerate().map(|(i, p)| json!({
            "code": p.code,
            "name": p.name,
            "url": urls.permalink(Some(lang), &profession_page(registry, i)),
        })).collect::<Vec<_>>(),
    });
    // `{head fields,"centers":[...],"certificates":[...]}`.
    let mut head_bytes = Vec::new();
    compact(&head, &mut head_bytes);
    head_bytes.pop(); // the closing brace
    let mut document = Document::default();
    document.push(Chunk::Owned(head_bytes));
    for (name, runs) in [
        (&b",\"centers\":["[..], center_runs),
        (&b"],\"certificates\":["[..], certificate_runs),
    ] {
        document.push(Chunk::Fixed(name));
        for (i, run) in runs.into_iter().enumerate() {
            if i > 0 {
                document.push(Chunk::Fixed(b","));
            }
            document.push(Chunk::Shared(run));
        }
    }
    document.push(Chunk::Fixed(b"]}"));
    document
}

/// JSON for a `<script>` element: `<`, `>` and `&` (and the JavaScript line separators) as
/// `\u` escapes, so that no value can close the element or open a comment.
///
/// The escaping is serde_json's formatter for string text: outside strings JSON has no such
/// characters, so the text is written once, escaped as it is written (a page's JSON-LD and
/// timeline were written as plain JSON and then scanned and copied again).
pub fn json_for_script(value: &impl Serialize) -> String {
    let mut out = Vec::with_capacity(512);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, ScriptSafe);
    // A `Value` or a view (string keys, no non-finite numbers) always serializes.
    if value.serialize(&mut serializer).is_err() {
        return "null".to_owned();
    }
    // Only `str` fragments and ASCII escapes were written.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// serde_json's compact formatter, with string text made safe for a `<script>` element.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Every character replaced is ASCII or starts with the byte 0xE2 (U+2028 and U+2029
        // are E2 80 A8 and E2 80 A9), so the text between them is written a run at a time,
        // and a text with none of those bytes (most) at once.
        const REPLACED: ByteSet = byte_set(b"<>&\xE2");
        let bytes = fragment.as_bytes();
        if !holds_any(bytes, &REPLACED) {
            return writer.write_all(bytes);
        }
        let mut from = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                0xE2 => match bytes.get(at + 1..at + 3) {
                    Some([0x80, 0xA8]) => b"\\u2028",
                    Some([0x80, 0xA9]) => b"\\u2029",
                    _ => continue,
                },
                _ => continue,
            };
            writer.write_all(&bytes[from..at])?;
            writer.write_all(escape)?;
            from = at + if byte == 0xE2 { 3 } else { 1 };
        }
        writer.write_all(&bytes[from..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            spreadsheet_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(
            spreadsheet_safe("+7 (7172) 55-12-34"),
            "'+7 (7172) 55-12-34"
        );
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("\tx"), "'\tx");
        assert_eq!(spreadsheet_safe("ТОО «Әділет»"), "ТОО «Әділет»");
    }

    /// Runs of records: joined in order, made again only where a record's family changed,
    /// and otherwise the last build's bytes themselves.
    #[test]
    fn runs_are_made_again_only_where_a_family_changed() {
        let count = 3 * RUN + 7;
        let names: Vec<String> = (0..count).map(|id| format!("қ{id}")).collect();
        let write = |id: usize, out: &mut Vec<u8>| out.extend_from_slice(names[id].as_bytes());
        // Two records to a center, so that a run's records name centers by another index.
        let center = |id: usize| id / 2;
        let cache = RecordCache::default();
        let build = |families: &[u64]| {
            let records = Records::new(Some(&cache), 7, families);
            records.runs("kind", count, b",", |id| names[id].as_str(), center, write)
        };
        let mut families: Vec<u64> = (0..count.div_ceil(2) as u64).collect();
        let first = build(&families);
        assert_eq!(first.len(), 4);
        let whole: Vec<u8> = first.join(&b","[..]);
        assert_eq!(whole, names.join(",").into_bytes());
        assert_eq!(cache.len(), 4);

        // The family of the records `RUN + 10` and `RUN + 11` (in the second run) changes.
        families[(RUN + 10) / 2] += 1000;
        let second = build(&families);
        let same: Vec<bool> = first
            .iter()
            .zip(&second)
            .map(|(a, b)| Arc::ptr_eq(a, b))
            .collect();
        assert_eq!(same, [true, false, true, true]);
        assert_eq!(second.join(&b","[..]), whole);
        assert_eq!(cache.len(), 4);

        // Without a cache, every run is made, with the same bytes.
        let fresh = Records::new(None, 7, &families);
        let made = fresh.runs("kind", count, b",", |id| names[id].as_str(), center, write);
        assert_eq!(made.join(&b","[..]), whole);
        assert!(made.iter().zip(&second).all(|(a, b)| !Arc::ptr_eq(a, b)));
    }

    #[test]
    fn script_json_cannot_close_the_element() {
        let text = json_for_script(&json!({ "name": "</script><script>alert(1)</script><!--" }));
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script><!--");
    }

    #[test]
    fn script_json_escapes_line_separators_and_keeps_other_text() {
        let name = "Қ&ң\u{2028}ә\u{2029}€ – Oqu ortalyǵy";
        let text = json_for_script(&json!({ "name": name }));
        assert_eq!(text, r#"{"name":"Қ\u0026ң\u2028ә\u2029€ – Oqu ortalyǵy"}"#);
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], name);
    }

    #[test]
    fn script_json_escapes_keys_and_keeps_json_escapes() {
        let value = json!({ "</script>": "line\nbreak \"quoted\" \\ back" });
        let text = json_for_script(&value);
        assert_eq!(
            text,
            r#"{"\u003c/script\u003e":"line\nbreak \"quoted\" \\ back"}"#
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
