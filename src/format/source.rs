//! Where schedule files come from: a directory on disk, the copy embedded in the binary at
//! build time, or a string. One walker reads directories; everything else takes its files.

use crate::format::error::{Diagnostic, LoadError};
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
    let mut files = Vec::new();
    let mut bad = Vec::new();
    for p in paths {
        match read_source(&p) {
            Ok(f) => files.push(f),
            Err(LoadError::Invalid(d)) => bad.extend(d),
            Err(e) => return Err(e),
        }
    }
    if bad.is_empty() {
        Ok(files)
    } else {
        Err(LoadError::Invalid(bad))
    }
}

/// Reads one schedule file. Text that is not UTF-8 is reported at the line and column of
/// its first bad byte.
///
/// # Errors
/// [`LoadError::Io`] when the file cannot be read, [`LoadError::Invalid`] when it is not UTF-8.
pub fn read_source(path: &Path) -> Result<SourceFile, LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| LoadError::Io { path: name.clone(), error })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { name, text }),
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let before = String::from_utf8_lossy(good);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let byte = e.as_bytes()[good.len()];
            Err(LoadError::Invalid(vec![Diagnostic {
                file: name,
                line,
                column,
                message: format!("byte 0x{byte:02x} is not UTF-8; schedule files are UTF-8 text (save the file as UTF-8, not Shift_JIS)"),
            }]))
        }
    }
}

/// When the embedded schedules were built (UTC date), for answers that name their source.
pub const EMBEDDED_BUILT: &str = env!("MADO_EMBEDDED_BUILT");

/// One line naming where a schedule came from: the embedded copy (with notice count and
/// build date) or a directory.
pub fn describe_source(dir: Option<&Path>, notices: usize, lang: crate::engine::model::Lang) -> String {
    match (dir, lang) {
        (None, crate::engine::model::Lang::En) => format!("embedded schedules ({notices} notices, built {EMBEDDED_BUILT})"),
        (None, crate::engine::model::Lang::Ja) => format!("組み込みのスケジュール（お知らせ {notices} 件、{EMBEDDED_BUILT} ビルド）"),
        (Some(d), crate::engine::model::Lang::En) => format!("schedules from {} ({notices} notices)", d.display()),
        (Some(d), crate::engine::model::Lang::Ja) => format!("{} のスケジュール（お知らせ {notices} 件）", d.display()),
    }
}

/// `files` with `new` in place of the file it edits: one at the same path, or a notice with
/// the same `id` (what `mado validate FILE` checks an edited notice against).
pub fn replacing(files: Vec<SourceFile>, new: SourceFile) -> Vec<SourceFile> {
    let id_of = |f: &SourceFile| notice_id(&f.text);
    let same_path = |a: &str, b: &str| {
        let (a, b) = (Path::new(a), Path::new(b));
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y) || a.ends_with(b) || b.ends_with(a)
    };
    let new_id = id_of(&new);
    let mut out: Vec<SourceFile> =
        files.into_iter().filter(|f| !same_path(&f.name, &new.name) && (new_id.is_none() || id_of(f) != new_id)).collect();
    out.push(new);
    out
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

/// A notice file's `id`, also when the file is not valid TOML (read line by line then), so
/// that errors can name what a broken file was and an edited file can replace its original.
pub(crate) fn notice_id(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: Option<String>,
    }
    if let Ok(parsed) = toml::from_str::<IdOnly>(text) {
        return parsed.id;
    }
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            return None;
        }
        if let Some(rest) = line.strip_prefix("id") {
            let v = rest.trim_start().strip_prefix('=')?.trim();
            return v.strip_prefix('"').and_then(|v| v.split('"').next()).map(str::to_string);
        }
    }
    None
}
