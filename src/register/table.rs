//! Reading one table of the register (`NAME.csv` or `NAME.json`) into raw rows of text cells,
//! keeping the line every row starts on. Checks the file format and the columns; the meaning
//! of the cells is checked by `load`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::diagnostic::{Diagnostics, Position, Problem};
use crate::stamp::FileStamp;

/// A column of a table's schema.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    /// A list: `;`-separated in CSV, an array in JSON.
    pub list: bool,
}

/// The columns a table may have.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub table: &'static str,
    pub required: bool,
    pub columns: &'static [Column],
}

impl Schema {
    /// The column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|c| c.name)
    }

    pub fn index(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == column)
    }
}

/// One non-empty cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    List(Vec<String>),
}

/// A row of cells in schema order (`None` = empty cell or absent column).
#[derive(Debug, Clone)]
pub struct RawRow {
    pub position: Position,
    pub cells: Vec<Option<Cell>>,
    /// The row's shape is wrong (an error was reported for it): its cells may be read for
    /// its key, so that references to it are not reported again, but it is never used.
    pub broken: bool,
}

/// The rows of a table, and which schema columns its file does not have at all (so that
/// a missing column is reported once, not once per row).
#[derive(Debug, Clone)]
pub struct RawTable {
    pub rows: Vec<RawRow>,
    pub absent_columns: Vec<bool>,
    /// False when the file could not be read whole (missing, unreadable, malformed, a
    /// required column missing): references into it are then not checked, since every one
    /// would fail for the same reason already reported.
    pub complete: bool,
    /// A key of the file the rows were read from (its path, the hash and the length of its
    /// bytes) when it was read through a [`TableCache`]: the same key, the same rows.
    pub source: Option<u64>,
}

impl RawTable {
    fn unreadable(schema: &Schema) -> RawTable {
        RawTable {
            rows: Vec::new(),
            absent_columns: vec![false; schema.columns.len()],
            complete: false,
            source: None,
        }
    }
}

/// Tables read before, by the content of their file, for a process that reads the register
/// again and again (the watcher): a file whose bytes did not change is not parsed again, and
/// a file whose stamp did not change is not read again (see [`FileStamp`]). Only the tables
/// of the latest read are kept.
#[derive(Debug)]
pub struct TableCache {
    tables: std::sync::Mutex<HashMap<PathBuf, ReadFile>>,
    /// The register checked without its events, with the problems found on the way, by the
    /// key of the tables it was made from (see [`super::load_registry_cached`]).
    base: std::sync::Mutex<Option<(u64, super::validate::Base, Diagnostics)>>,
    /// How long before a read a file's last write must be for its stamp to be trusted.
    settle: std::time::Duration,
    /// How many times a file's bytes were read.
    files_read: std::sync::atomic::AtomicUsize,
}

impl Default for TableCache {
    fn default() -> Self {
        TableCache {
            tables: Default::default(),
            base: Default::default(),
            settle: FileStamp::SETTLE,
            files_read: Default::default(),
        }
    }
}

/// A file as it was read: the hash and length of its bytes, what was read from them and the
/// problems found on the way.
#[derive(Debug, Clone)]
struct ReadFile {
    hash: u64,
    len: usize,
    /// The file's stamp, when its last write was long enough before it was read that the
    /// same stamp later means the same bytes (see [`FileStamp::settled`]): a file whose
    /// stamp did not change is not read again (the watcher would read the tens of megabytes
    /// of a large register's other tables on every status change).
    stamp: Option<FileStamp>,
    table: Arc<RawTable>,
    diagnostics: Diagnostics,
}

impl TableCache {
    /// `file`'s table as read last time, if the file's stamp is the same as then and was
    /// trusted (see [`FileStamp`]).
    fn unchanged(
        &self,
        file: &Path,
        stamp: &FileStamp,
        diags: &mut Diagnostics,
    ) -> Option<Arc<RawTable>> {
        let tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        let read = tables.get(file)?;
        if read.stamp.as_ref() != Some(stamp) {
            return None;
        }
        diags.extend(read.diagnostics.clone());
        Some(read.table.clone())
    }

    /// `file`'s table, read from `bytes` by `read` unless those bytes were read last time.
    /// `stamp` is the file's, if it can be trusted from now on (see [`FileStamp`]).
    fn get_or_read(
        &self,
        file: &Path,
        bytes: &[u8],
        stamp: Option<FileStamp>,
        diags: &mut Diagnostics,
        read: impl FnOnce(&mut Diagnostics) -> RawTable,
    ) -> Arc<RawTable> {
        // (A fast hash: the tables are tens of megabytes at 100,000 centers, hashed on every
        // build; the length is compared too.)
        let hash = crate::retained::key_of(bytes);
        let lock = || self.tables.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(read) = lock().get_mut(file) {
            if read.hash == hash && read.len == bytes.len() {
                read.stamp = stamp;
                diags.extend(read.diagnostics.clone());
                return read.table.clone();
            }
        }
        let mut found = Diagnostics::default();
        let mut table = read(&mut found);
        table.source = Some(crate::retained::key_of((file, hash, bytes.len())));
        let table = Arc::new(table);
        lock().insert(
            file.to_owned(),
            ReadFile {
                hash,
                len: bytes.len(),
                stamp,
                table: table.clone(),
                diagnostics: found.clone(),
            },
        );
        diags.extend(found);
        table
    }

    /// Tables kept (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.tables.lock().map(|t| t.len()).unwrap_or_default()
    }

    /// A cache that trusts a file's stamp once its last write is `settle` old (for tests).
    #[cfg(test)]
    pub(crate) fn settling(settle: std::time::Duration) -> TableCache {
        TableCache {
            settle,
            ..TableCache::default()
        }
    }

    /// How many times a file's bytes were read through this cache (for tests).
    #[cfg(test)]
    pub(crate) fn files_read(&self) -> usize {
        self.files_read.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A copy of the register checked without its events from the tables with key `key`, and
    /// the problems found making it, if that is the one kept.
    pub(crate) fn base(&self, key: u64) -> Option<(super::validate::Base, Diagnostics)> {
        let kept = self.base.lock().unwrap_or_else(|e| e.into_inner());
        match &*kept {
            Some((k, base, found)) if *k == key => Some((base.clone(), found.clone())),
            _ => None,
        }
    }

    /// Keeps `base` (made from the tables with key `key`, finding `found`) for the next read.
    pub(crate) fn keep_base(&self, key: u64, base: super::validate::Base, found: Diagnostics) {
        *self.base.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, base, found));
    }

    /// Forgets the tables of files that are gone (say a table moved from CSV to JSON).
    pub fn forget_missing(&self) {
        self.tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|path, _| path.is_file());
    }
}

/// Finds `NAME.csv` or `NAME.json` in `data_dir` and reads it, through `cache` when there is
/// one. `shown_dir` is how the folder is named in messages (`data`). Problems go to `diags`;
/// what could be read is returned.
pub fn read_table(
    data_dir: &Path,
    shown_dir: &Path,
    schema: &Schema,
    diags: &mut Diagnostics,
    cache: Option<&TableCache>,
) -> Arc<RawTable> {
    let csv_path = data_dir.join(format!("{}.csv", schema.table));
    let json_path = data_dir.join(format!("{}.json", schema.table));
    let shown_csv: Arc<Path> = Arc::from(shown_dir.join(format!("{}.csv", schema.table)));
    let shown_json: Arc<Path> = Arc::from(shown_dir.join(format!("{}.json", schema.table)));
    let empty = RawTable::unreadable(schema);
    let (path, shown, is_csv) = match (csv_path.is_file(), json_path.is_file()) {
        (true, true) => {
            diags.error(
                &Position::new(shown_json, 0),
                None,
                Problem::BothFormats(schema.table.to_owned()),
            );
            return Arc::new(empty);
        }
        (true, false) => (csv_path, shown_csv, true),
        (false, true) => (json_path, shown_json, false),
        (false, false) => {
            if schema.required {
                diags.error(
                    &Position::new(Arc::from(shown_dir), 0),
                    None,
                    Problem::MissingTable(schema.table.to_owned()),
                );
                return Arc::new(empty);
            }
            return Arc::new(RawTable {
                complete: true,
                ..empty
            });
        }
    };
    // The stamp is taken before the bytes are read: a write after it changes the next one.
    let read_at = std::time::SystemTime::now();
    let stamp = cache.and_then(|_| FileStamp::of(&path));
    if let (Some(cache), Some(stamp)) = (cache, &stamp) {
        if let Some(table) = cache.unchanged(&path, stamp, diags) {
            return table;
        }
    }
    if let Some(cache) = cache {
        cache
            .files_read
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            diags.error(
                &Position::new(shown, 0),
                None,
                Problem::Unreadable(e.to_string()),
            );
            return Arc::new(empty);
        }
    };
    let read = |diags: &mut Diagnostics| match decode(&bytes, &shown, diags) {
        Some(text) if is_csv => read_csv(text, shown.clone(), schema, diags),
        Some(text) => read_json(text, shown.clone(), schema, diags),
        None => RawTable::unreadable(schema),
    };
    match cache {
        Some(cache) => {
            let stamp = stamp.and_then(|stamp| stamp.settled(read_at, cache.settle));
            cache.get_or_read(&path, &bytes, stamp, diags, read)
        }
        None => Arc::new(read(diags)),
    }
}

/// The file's bytes as UTF-8 text without a byte-order mark.
fn decode<'b>(bytes: &'b [u8], shown: &Arc<Path>, diags: &mut Diagnostics) -> Option<&'b str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            diags.error(
                &Position::new(shown.clone(), line),
                None,
                Problem::Unreadable(
                    "the file is not UTF-8 text; in Excel save it as \"CSV UTF-8\"".to_owned(),
                ),
            );
            None
        }
    }
}

/// The delimiter of a CSV file, from its header line: `;` if it has more semicolons than
/// commas outside quotes, else `,`.
fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// The line of a quoted cell that is never closed, if any, following the CSV grammar the
/// `csv` crate reads (a quote opens a cell only at its start; `""` inside is a quote).
fn unclosed_quote(text: &str, delimiter: u8) -> Option<usize> {
    let (mut line, mut at_cell_start, mut quoted, mut opened_on) = (1, true, false, 0);
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        if b == b'\n' {
            line += 1;
        }
        if quoted {
            if b == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        if b == b'"' && at_cell_start {
            quoted = true;
            opened_on = line;
        }
        at_cell_start = b == delimiter || b == b'\n' || b == b'\r';
    }
    quoted.then_some(opened_on)
}

fn read_csv(text: &str, file: Arc<Path>, schema: &Schema, diags: &mut Diagnostics) -> RawTable {
    let delimiter = detect_delimiter(text);
    let unclosed = unclosed_quote(text, delimiter);
    if let Some(line) = unclosed {
        diags.error(
            &Position::new(file.clone(), line),
            None,
            Problem::MalformedCsv("a quoted cell opened on this line is never closed".to_owned()),
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut lines = LineCounter::new(text);
    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => {
                diags.error(&Position::new(file, 0), None, Problem::NoHeader);
                return RawTable::unreadable(schema);
            }
            Some(Ok(record)) if record.iter().all(str::is_empty) => continue,
            Some(Ok(record)) => break record,
            Some(Err(e)) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                diags.error(
                    &Position::new(file, line),
                    None,
                    Problem::MalformedCsv(e.to_string()),
                );
                return RawTable::unreadable(schema);
            }
        }
    };
    let header_line = header.position().map_or(1, |p| lines.line_at(p.byte()));
    let names: Vec<&str> = header.iter().collect();
    let (mapping, absent_columns) = map_header(
        &names,
        schema,
        &Position::new(file.clone(), header_line),
        diags,
    );
    let required_missing = schema
        .columns
        .iter()
        .zip(&absent_columns)
        .any(|(c, absent)| c.required && *absent);
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                diags.error(
                    &Position::new(file.clone(), line),
                    None,
                    Problem::MalformedCsv(e.to_string()),
                );
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue; // blank rows, e.g. `;;;;` left by Excel
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let position = Position::new(file.clone(), line);
        let mut broken = false;
        if record.len() != names.len() {
            // Trailing empty cells (Excel pads short rows) are harmless; anything else is not.
            let extra_is_empty = record.iter().skip(names.len()).all(str::is_empty);
            if record.len() < names.len() || !extra_is_empty {
                diags.error(
                    &position,
                    None,
                    Problem::RowLength {
                        found: record.len(),
                        expected: names.len(),
                    },
                );
                broken = true;
            }
        }
        let mut cells = vec![None; schema.columns.len()];
        for (value, target) in record.iter().zip(&mapping) {
            if let Some(index) = *target {
                let column = &schema.columns[index];
                cells[index] = text_cell(value, column.list);
                broken |= report_unpublishable(&cells[index], &position, column.name, diags);
            }
        }
        rows.push(RawRow {
            position,
            cells,
            broken,
        });
    }
    if unclosed.is_some() {
        // The last row swallowed everything after the open quote.
        if let Some(last) = rows.last_mut() {
            last.broken = true;
        }
    }
    RawTable {
        rows,
        absent_columns,
        complete: unclosed.is_none() && !required_missing,
        source: None,
    }
}

/// Line numbers of byte offsets, for offsets given in increasing order. A row's line is that
/// of its first character (the `csv` crate's own line count is off after a CRLF).
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> usize {
        let mut target = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while target < self.text.len() && matches!(self.text[target], b'\r' | b'\n') {
            target += 1;
        }
        if target >= self.offset {
            self.line += line_ends(&self.text[self.offset..target]);
        } else {
            self.line = 1 + line_ends(&self.text[..target]);
        }
        self.offset = target;
        self.line
    }
}

/// The line ends in `bytes`, however the file ends its lines: `\r\n`, `\n` or a lone `\r`
/// (old Mac exports). (`bytes` never ends inside a `\r\n`: see [`LineCounter::line_at`].)
fn line_ends(bytes: &[u8]) -> usize {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
    let lone_returns = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        .count();
    newlines + lone_returns
}

/// The first character of `cell` that cannot be published (a control character other than
/// tab and line break, or a noncharacter XML forbids), with its position (from 1).
fn unpublishable(cell: &Cell) -> Option<(char, usize)> {
    let bad =
        |c: char| (c.is_control() && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}';
    let find = |text: &str| {
        text.chars()
            .enumerate()
            .find(|&(_, c)| bad(c))
            .map(|(at, c)| (c, at + 1))
    };
    match cell {
        Cell::Text(text) => find(text),
        Cell::List(items) => items.iter().find_map(|item| find(item)),
    }
}

/// Reports a cell that holds a character that cannot be published (see [`unpublishable`]) at
/// its row and column; whether it did.
fn report_unpublishable(
    cell: &Option<Cell>,
    position: &Position,
    column: &str,
    diags: &mut Diagnostics,
) -> bool {
    let Some((c, at)) = cell.as_ref().and_then(unpublishable) else {
        return false;
    };
    diags.error(
        position,
        Some(column),
        Problem::ControlCharacter {
            code: u32::from(c),
            at,
        },
    );
    true
}

/// A cell from text: `None` when empty; a list split on `;` for list columns. Line breaks
/// inside a cell become `\n` whatever the file used.
fn text_cell(value: &str, list: bool) -> Option<Cell> {
    let value = value.trim();
    let normalized;
    let value = if value.contains('\r') {
        normalized = value.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        value
    };
    if value.is_empty() {
        return None;
    }
    if list {
        let items: Vec<String> = value
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        return (!items.is_empty()).then_some(Cell::List(items));
    }
    Some(Cell::Text(value.to_owned()))
}

/// Maps header names to schema columns; reports unknown, duplicate and missing columns.
fn map_header(
    names: &[&str],
    schema: &Schema,
    position: &Position,
    diags: &mut Diagnostics,
) -> (Vec<Option<usize>>, Vec<bool>) {
    let mut seen = vec![false; schema.columns.len()];
    let mut mapping = Vec::with_capacity(names.len());
    for name in names {
        match schema.index(name) {
            Some(index) if seen[index] => {
                diags.error(position, Some(name), Problem::DuplicateColumn);
                mapping.push(None);
            }
            Some(index) => {
                seen[index] = true;
                mapping.push(Some(index));
            }
            None => {
                if !name.is_empty() {
                    diags.error(
                        position,
                        Some(name),
                        Problem::UnknownColumn(suggest(name, schema)),
                    );
                }
                mapping.push(None);
            }
        }
    }
    for (column, present) in schema.columns.iter().zip(&seen) {
        if column.required && !present {
            diags.error(position, Some(column.name), Problem::MissingColumn);
        }
    }
    let absent = seen.iter().map(|present| !present).collect();
    (mapping, absent)
}

/// The schema column a mistyped name most likely meant.
fn suggest(name: &str, schema: &Schema) -> Option<&'static str> {
    let lower = name.trim().to_lowercase();
    schema
        .columns
        .iter()
        .map(|c| (edit_distance(&lower, c.name), c.name))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A top-level JSON array element: an object's entries in order (duplicates kept), or the
/// kind of value found instead of an object.
enum JsonItem {
    Object(Vec<(String, serde_json::Value)>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for JsonItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = JsonItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonItem, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    entries.push(entry);
                }
                Ok(JsonItem::Object(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonItem, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(JsonItem::Other("a list"))
            }
            fn visit_str<E>(self, _: &str) -> Result<JsonItem, E> {
                Ok(JsonItem::Other("text"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<JsonItem, E> {
                Ok(JsonItem::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<JsonItem, E> {
                Ok(JsonItem::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<JsonItem, E> {
                Ok(JsonItem::Other("a number"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<JsonItem, E> {
                Ok(JsonItem::Other("true or false"))
            }
            fn visit_unit<E>(self) -> Result<JsonItem, E> {
                Ok(JsonItem::Other("null"))
            }
        }
        d.deserialize_any(ItemVisitor)
    }
}

/// Lines on which the elements of the top-level array start (the text is valid JSON).
fn element_lines(text: &str) -> Vec<usize> {
    let (mut lines, mut line, mut depth, mut in_string, mut escaped, mut expecting) =
        (Vec::new(), 1, 0, false, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if expecting && depth == 1 && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expecting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            ']' | '}' => depth -= 1,
            ',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    lines
}

fn read_json(text: &str, file: Arc<Path>, schema: &Schema, diags: &mut Diagnostics) -> RawTable {
    let mut table = RawTable {
        complete: true,
        ..RawTable::unreadable(schema)
    };
    let items: Vec<JsonItem> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(e) => {
            let message = e.to_string();
            // serde_json appends " at line L column C"; the position goes in front instead.
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            diags.error(
                &Position::new(file, e.line()),
                Some(&format!("column {}", e.column())),
                Problem::MalformedJson(message),
            );
            return RawTable::unreadable(schema);
        }
    };
    let lines = element_lines(text);
    for (index, item) in items.into_iter().enumerate() {
        let position = Position::new(file.clone(), lines.get(index).copied().unwrap_or(0));
        let entries = match item {
            JsonItem::Object(entries) => entries,
            JsonItem::Other(found) => {
                diags.error(&position, None, Problem::RowNotObject(found));
                continue;
            }
        };
        let mut cells = vec![None; schema.columns.len()];
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut broken = false;
        for (key, value) in &entries {
            let Some(index) = schema.index(key) else {
                diags.error(
                    &position,
                    Some(key),
                    Problem::UnknownColumn(suggest(key, schema)),
                );
                broken = true;
                continue;
            };
            if seen.insert(key.as_str(), ()).is_some() {
                diags.error(&position, Some(key), Problem::DuplicateColumn);
                broken = true;
                continue;
            }
            let list = schema.columns[index].list;
            match json_cell(value, list) {
                Ok(cell) => {
                    broken |= report_unpublishable(&cell, &position, key, diags);
                    cells[index] = cell;
                }
                Err(found) => {
                    diags.error(&position, Some(key), Problem::NotText { list, found });
                    broken = true;
                }
            }
        }
        table.rows.push(RawRow {
            position,
            cells,
            broken,
        });
    }
    table
}

/// A cell from a JSON value: text and numbers as text, arrays for list columns, null = empty.
fn json_cell(value: &serde_json::Value, list: bool) -> Result<Option<Cell>, &'static str> {
    use serde_json::Value;
    let scalar = |v: &Value| -> Result<Option<String>, &'static str> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(_) => Err("true or false"),
            Value::Array(_) => Err("a list"),
            Value::Object(_) => Err("an object"),
        }
    };
    match value {
        Value::Array(items) if list => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.extend(scalar(item)?);
            }
            Ok((!out.is_empty()).then_some(Cell::List(out)))
        }
        other => Ok(scalar(other)?.and_then(|s| text_cell(&s, list))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose stamp is trusted is not read again while the stamp holds; any write
    /// changes the stamp, and then the new bytes are read. A stamp too fresh to be trusted
    /// (a write within the same tick of the clock could share it) has the bytes read and
    /// compared every time.
    #[test]
    fn a_file_is_read_again_only_when_its_stamp_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regions.csv");
        let read = |cache: &TableCache| {
            let mut diags = Diagnostics::default();
            let schema = &crate::register::load::REGIONS;
            let table = read_table(
                dir.path(),
                Path::new("data"),
                schema,
                &mut diags,
                Some(cache),
            );
            assert!(!diags.has_errors(), "{diags:?}");
            let name = |row: &RawRow| match &row.cells[1] {
                Some(Cell::Text(name)) => name.clone(),
                other => panic!("{other:?}"),
            };
            table.rows.iter().map(name).collect::<Vec<_>>()
        };
        std::fs::write(&path, "code,name_kk\nKZ-ABA,Абай\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));

        // Trusted at once (settling takes no time here).
        let cache = TableCache::settling(std::time::Duration::ZERO);
        assert_eq!(read(&cache), ["Абай"]);
        assert_eq!(cache.files_read(), 1);
        assert_eq!(read(&cache), ["Абай"]);
        assert_eq!(cache.files_read(), 1, "the stamp held: not read again");
        // The same length, other bytes, and the time of the last write set back: the time
        // of the last change still moves.
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::fs::write(&path, "code,name_kk\nKZ-ABA,Абая\n").unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(modified).unwrap();
        drop(file);
        assert_eq!(read(&cache), ["Абая"]);
        assert_eq!(cache.files_read(), 2);

        // Not trusted while fresh: read every time, and a write of the same length is seen.
        let cache = TableCache::settling(std::time::Duration::from_secs(3600));
        assert_eq!(read(&cache), ["Абая"]);
        assert_eq!(read(&cache), ["Абая"]);
        assert_eq!(cache.files_read(), 2);
        std::fs::write(&path, "code,name_kk\nKZ-ABA,Абаю\n").unwrap();
        assert_eq!(read(&cache), ["Абаю"]);
        assert_eq!(cache.files_read(), 3);
    }

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("code;name_kk;name_ru\na;b;c"), b';');
        assert_eq!(detect_delimiter("code,name_kk,name_ru\na;b;c;d;e"), b',');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), b',');
        assert_eq!(detect_delimiter("code\n"), b',');
    }

    #[test]
    fn unclosed_quotes_are_found() {
        assert_eq!(unclosed_quote("a,b\n\"x\ny\",z\n", b','), None);
        assert_eq!(unclosed_quote("a,b\n1,\"ТОО \"\"Әлем\"\"\"\n", b','), None);
        assert_eq!(unclosed_quote("a,b\n1,ТОО \"Әлем\n2,3\n", b','), None); // literal quote mid-cell
        assert_eq!(unclosed_quote("a;b\n1;2\n3;\"open\n4;5\n", b';'), Some(3));
    }

    #[test]
    fn json_element_lines() {
        let text =
            "[\n  {\"a\": \"[x]\"},\n  {\n    \"a\": \"}\\\"{\"\n  },\n\n  {\"a\": [1, 2]}\n]";
        assert_eq!(element_lines(text), vec![2, 3, 7]);
        assert_eq!(element_lines("[]"), Vec::<usize>::new());
        assert_eq!(element_lines("[{\"a\":1},{\"a\":2}]"), vec![1, 1]);
    }

    #[test]
    fn suggestions_for_typos() {
        const S: Schema = Schema {
            table: "regions",
            required: true,
            columns: &[
                Column {
                    name: "code",
                    required: true,
                    list: false,
                },
                Column {
                    name: "name_kk",
                    required: false,
                    list: false,
                },
            ],
        };
        assert_eq!(suggest("nmae_kk", &S), Some("name_kk"));
        assert_eq!(suggest("Code", &S), Some("code"));
        assert_eq!(suggest("атауы", &S), None);
    }
}
