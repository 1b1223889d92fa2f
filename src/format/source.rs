//! Where schedule files come from: a directory on disk, the copy embedded in the binary at
//! build time, or a string. One walker reads directories; everything else takes its files.

use crate::engine::eval::Schedule;
use crate::format::error::{Diagnostic, LoadError};
use crate::format::load;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The catalogue file's name inside a schedules directory.
pub const CATALOGUE_FILE: &str = "functions.toml";

/// A schedule file's name (as shown in errors) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name errors use, e.g. `schedules/notices/2023-10-10.toml`.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

impl SourceFile {
    fn is_catalogue(&self) -> bool {
        self.name == CATALOGUE_FILE || self.name.ends_with(&format!("/{CATALOGUE_FILE}"))
    }
}

/// The schedule files embedded at build time (`schedules/` of the source tree).
pub fn embedded_sources() -> Vec<SourceFile> {
    EMBEDDED.iter().map(|(n, t)| SourceFile { name: (*n).to_string(), text: (*t).to_string() }).collect()
}

/// Reads every `*.toml` below `dir`, sorted by path, hidden entries skipped.
///
/// # Errors
/// [`LoadError::Io`] when a file or directory cannot be read.
pub fn read_dir_sources(dir: &Path) -> Result<Vec<SourceFile>, LoadError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|error| LoadError::Io { path: p.display().to_string(), error })?;
            Ok(SourceFile { name: p.display().to_string(), text })
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let read = std::fs::read_dir(dir).map_err(|error| LoadError::Io { path: dir.display().to_string(), error })?;
    for entry in read {
        let entry = entry.map_err(|error| LoadError::Io { path: dir.display().to_string(), error })?;
        let p = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

impl Schedule {
    /// The schedules embedded in the binary at build time (`schedules/` of the source tree).
    ///
    /// # Errors
    /// [`LoadError`] if the embedded files are invalid (the tests make sure they are not).
    pub fn embedded() -> Result<Schedule, LoadError> {
        Schedule::from_sources(embedded_sources())
    }

    /// Loads `dir` if given, else the embedded schedules: what the CLI and the server serve.
    ///
    /// # Errors
    /// As [`Schedule::from_dir`] and [`Schedule::embedded`].
    pub fn load(dir: Option<&Path>) -> Result<Schedule, LoadError> {
        match dir {
            Some(d) => Schedule::from_dir(d),
            None => Schedule::embedded(),
        }
    }

    /// Loads `functions.toml` and every other `*.toml` below `dir` (sorted by path).
    ///
    /// # Errors
    /// [`LoadError::Io`] when a file cannot be read, [`LoadError::Invalid`] with every problem
    /// found (file, line, column, message) when the schedule is not valid.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Schedule, LoadError> {
        Schedule::from_sources(read_dir_sources(dir.as_ref())?)
    }

    /// Loads from named files; the one named `functions.toml` (in any directory) is the
    /// catalogue, the others are notices.
    ///
    /// # Errors
    /// As [`Schedule::from_dir`]; a missing catalogue is an error too.
    pub fn from_sources(files: Vec<SourceFile>) -> Result<Schedule, LoadError> {
        let (cats, notices): (Vec<SourceFile>, Vec<SourceFile>) = files.into_iter().partition(SourceFile::is_catalogue);
        match cats.as_slice() {
            [cat] => load::build(cat, &notices),
            [] => Err(LoadError::Invalid(vec![Diagnostic {
                file: CATALOGUE_FILE.into(),
                line: 0,
                column: 0,
                message: format!("no `{CATALOGUE_FILE}` found; a schedules directory needs the function catalogue"),
            }])),
            [_, second, ..] => Err(LoadError::Invalid(vec![Diagnostic {
                file: second.name.clone(),
                line: 0,
                column: 0,
                message: format!("a second `{CATALOGUE_FILE}`; a schedule has one catalogue"),
            }])),
        }
    }

    /// Loads one notice from a string, with the embedded catalogue.
    ///
    /// # Errors
    /// [`LoadError::Invalid`] when the notice is not valid.
    pub fn from_notice_str(text: &str) -> Result<Schedule, LoadError> {
        let mut files: Vec<SourceFile> = embedded_sources().into_iter().filter(SourceFile::is_catalogue).collect();
        files.push(SourceFile { name: "<string>".into(), text: text.into() });
        Schedule::from_sources(files)
    }
}
