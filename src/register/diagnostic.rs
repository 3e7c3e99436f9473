//! Problems found in a register: where (file, line, column) and what, as typed values.
//!
//! Every check in the register core reports into a [`Diagnostics`] collection instead of
//! stopping at the first problem, so a maintainer sees every mistake of a file in one run.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file and line a row (or a whole file) comes from. `file` is relative to the site root
/// as the user would type it (`data/centers.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub file: Arc<Path>,
    /// 1-based line where the row starts; 0 for a problem of the whole file.
    pub line: usize,
}

impl Position {
    pub fn new(file: Arc<Path>, line: usize) -> Self {
        Position { file, line }
    }

    /// A position naming a whole file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Position {
            file: Arc::from(file.into()),
            line: 0,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}", self.file.display(), self.line)
        } else {
            write!(f, "{}", self.file.display())
        }
    }
}

/// Errors stop a build; warnings never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What is wrong. The `Display` text is the message maintainers read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    #[error("malformed CSV: {0}")]
    MalformedCsv(String),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("both {0}.csv and {0}.json exist; keep only one of them")]
    BothFormats(String),
    #[error("the required table `{0}` is missing (expected {0}.csv or {0}.json)")]
    MissingTable(String),
    #[error("the file has no header line")]
    NoHeader,
    #[error("unknown column{}", suggestion_text(.0))]
    UnknownColumn(Option<&'static str>),
    #[error("required column is missing")]
    MissingColumn,
    #[error("column appears more than once")]
    DuplicateColumn,
    #[error("the row has {found} cells but the header has {expected}")]
    RowLength { found: usize, expected: usize },
    #[error("expected a JSON object for each row, found {0}")]
    RowNotObject(&'static str),
    #[error("expected text{}, found {found}", if *.list { " or a list" } else { "" })]
    NotText { list: bool, found: &'static str },
    #[error("a value is required")]
    Required,
    #[error("a name is required in Kazakh (name_kk) or Russian (name_ru)")]
    NameRequired,
    #[error("`{0}` is not a date (expected YYYY-MM-DD or DD.MM.YYYY)")]
    BadDate(String),
    #[error("`{0}` is not a valid BIN: {1}")]
    BadBin(String, crate::register::bin::BinError),
    #[error("`{0}` is not a valid email address")]
    BadEmail(String),
    #[error("`{0}` is not a valid website address (expected http:// or https://)")]
    BadUrl(String),
    #[error("`{0}` is not a valid level list (levels are 1 to 8: `4`, `3-5` or `3;5;6`)")]
    BadLevel(String),
    #[error("`{0}` is not a valid region code (lower-case Latin letters, digits and `-`)")]
    BadRegionCode(String),
    #[error("`{0}` is not a valid profession code (it may not contain `;`)")]
    BadProfessionCode(String),
    #[error("`{0}` is not an action (expected revoked, resumed or terminated)")]
    BadAction(String),
    #[error("duplicate {what} `{key}` (first on line {first_line})")]
    Duplicate {
        what: &'static str,
        key: String,
        first_line: usize,
    },
    #[error("certificate numbers `{number}` and `{other}` (line {other_line}) have the same permalink `{slug}`")]
    SlugCollision {
        number: String,
        other: String,
        other_line: usize,
        slug: String,
    },
    #[error("certificate numbers `{number}` and `{other}` (line {other_line}) read alike (both are found as `{key}`): a person typing either could not tell them apart")]
    LenientKeyCollision {
        number: String,
        other: String,
        other_line: usize,
        key: String,
    },
    #[error("the cell holds the control character U+{code:04X} (character {at}); remove it: it cannot be published (XML feeds forbid it, and it is invisible on a page)")]
    ControlCharacter { code: u32, at: usize },
    #[error("{what} `{value}` makes a page name of {length} characters (`{address}`); the limit is {limit}")]
    AddressTooLong {
        what: &'static str,
        value: String,
        address: String,
        length: usize,
        limit: usize,
    },
    #[error(
        "workbooks are not read yet: this file is ignored (save each sheet as a CSV file, UTF-8)"
    )]
    WorkbookNotRead,
    #[error("profession codes `{code}` and `{other}` (line {other_line}) have the same page `professions/{slug}/`")]
    ProfessionSlugCollision {
        code: String,
        other: String,
        other_line: usize,
        slug: String,
    },
    #[error("profession code `{0}` has no letters or digits to make a page address from")]
    EmptyProfessionSlug(String),
    #[error("certificate number `{0}` has no letters or digits to make a permalink from")]
    EmptySlug(String),
    #[error("`{key}` is not in {table}")]
    UnknownReference { key: String, table: &'static str },
    #[error("valid_until {valid_until} is before issued_on {issued_on}")]
    ValidUntilBeforeIssue {
        valid_until: String,
        issued_on: String,
    },
    #[error("event dated {date} is before the certificate was issued ({issued_on})")]
    EventBeforeIssue { date: String, issued_on: String },
    #[error(
        "event dated {date} follows the termination of {terminated_on}; nothing may follow it"
    )]
    EventAfterTermination { date: String, terminated_on: String },
    #[error("`resumed` on {0} does not follow a `revoked`: the certificate is not revoked then")]
    ResumedWithoutRevoked(String),
    #[error("`revoked` on {date}, but the certificate is already revoked since {since}")]
    RevokedTwice { date: String, since: String },
    #[error("re-issue cycle: {0}")]
    ReplacesCycle(String),
    #[error("certificate `{0}` replaces itself")]
    ReplacesItself(String),
    #[error("`{number}` is issued on {issued_on}, before the certificate it re-issues (`{predecessor}`, issued on {predecessor_issued_on})")]
    SuccessorBeforePredecessor {
        number: String,
        issued_on: String,
        predecessor: String,
        predecessor_issued_on: String,
    },
    #[error("`{predecessor}` was terminated on {terminated_on}, before this re-issue took effect on {issued_on}")]
    PredecessorTerminated {
        predecessor: String,
        terminated_on: String,
        issued_on: String,
    },
    #[error("`{predecessor}` is already re-issued by `{other}` (line {other_line})")]
    ReplacedTwice {
        predecessor: String,
        other: String,
        other_line: usize,
    },
    #[error("`{0}` belongs to another center (BIN {1}); a re-issue keeps the holder")]
    ReplacesOtherCenter(String, String),
    #[error(
        "event dated {date} is after valid_until {valid_until}; it does not change the status"
    )]
    EventAfterExpiry { date: String, valid_until: String },
    #[error("event dated {date} is on or after the re-issue by `{successor}` ({reissued_on}); it does not change the status")]
    EventAfterReissue {
        date: String,
        successor: String,
        reissued_on: String,
    },
    #[error("the profession appears twice in the scope of this certificate (first on line {0})")]
    DuplicateScope(usize),
    #[error("the certificate has no scope rows: it covers no profession")]
    EmptyScope,
}

fn suggestion_text(s: &Option<&'static str>) -> String {
    match s {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub position: Position,
    /// The column (field) name the problem is about, if it is about one.
    pub column: Option<String>,
    pub problem: Problem,
}

impl fmt::Display for Diagnostic {
    /// `path:line: column: message`, with `warning: ` before the message of a warning.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.position)?;
        if let Some(column) = &self.column {
            write!(f, "{column}: ")?;
        }
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}", self.problem)
    }
}

/// A growing list of diagnostics.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, position: &Position, column: Option<&str>, problem: Problem) {
        self.push(Severity::Error, position, column, problem);
    }

    pub fn warning(&mut self, position: &Position, column: Option<&str>, problem: Problem) {
        self.push(Severity::Warning, position, column, problem);
    }

    fn push(
        &mut self,
        severity: Severity,
        position: &Position,
        column: Option<&str>,
        problem: Problem,
    ) {
        self.items.push(Diagnostic {
            severity,
            position: position.clone(),
            column: column.map(str::to_owned),
            problem,
        });
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// All diagnostics sorted by file and line (stable within a row), errors and warnings mixed.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.position.file, a.position.line).cmp(&(&b.position.file, b.position.line))
        });
        self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The register could not be accepted: every diagnostic found, errors and warnings, sorted.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the register has {} error(s)", self.error_count())]
pub struct InvalidRegister {
    pub diagnostics: Vec<Diagnostic>,
}

impl InvalidRegister {
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}
