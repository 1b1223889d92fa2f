//! Errors: a schedule that does not load is rejected whole, with every problem found, each
//! naming its file, line and column.

use std::fmt;

/// One problem in one schedule file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// The file, as given to the loader (e.g. `schedules/notices/2023-10-10.toml`).
    pub file: String,
    /// 1-based line, 0 when the problem is about the file as a whole.
    pub line: usize,
    /// 1-based column (in characters), 0 when the problem is about the file as a whole.
    pub column: usize,
    /// What is wrong: quotes the bad value and says what is allowed.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
        }
    }
}

/// Why a schedule could not be loaded. It is never partly loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The files were read but are not a valid schedule.
    #[error("{}", display_all(.0))]
    Invalid(Vec<Diagnostic>),
    /// A file or directory could not be read.
    #[error("reading `{path}`: {error}")]
    Io {
        /// What could not be read.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

impl LoadError {
    /// The problems, one per entry; an I/O error gives one entry with no position.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LoadError::Invalid(d) => d.clone(),
            LoadError::Io { path, error } => {
                vec![Diagnostic { file: path.clone(), line: 0, column: 0, message: format!("cannot be read: {error}") }]
            }
        }
    }
}

fn display_all(d: &[Diagnostic]) -> String {
    let n = d.len();
    let mut out = format!("the schedule has {n} error{}", if n == 1 { "" } else { "s" });
    for one in d {
        out.push_str("\n  ");
        out.push_str(&one.to_string());
    }
    out
}
