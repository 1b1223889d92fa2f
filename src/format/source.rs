//! Where schedule files come from: a directory on disk, the copy embedded in the binary at
//! build time, or a string. One walker reads directories; everything else takes its files.

use crate::format::error::LoadError;
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
    pub(crate) fn is_catalogue(&self) -> bool {
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
