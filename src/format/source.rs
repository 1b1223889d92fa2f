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

/// The largest schedule file read by default: 4 MiB, far above any notice (a few KiB) and far
/// below what would hurt; a bigger file (or `/dev/zero`) is an error, not a read until memory
/// runs out.
pub const MAX_FILE_SIZE: u64 = 4 << 20;

/// Reads every `*.toml` below `dir`, sorted by path, hidden entries skipped. Only regular
/// files (or symlinks to them) of at most [`MAX_FILE_SIZE`] are read; a FIFO, socket or
/// device named `*.toml` is an error naming it, never a read that blocks or never ends.
///
/// # Errors
/// [`LoadError::Io`] when a file or directory cannot be read, [`LoadError::Invalid`] naming
/// each file that is not UTF-8, not a regular file, or too large.
pub fn read_dir_sources(dir: &Path) -> Result<Vec<SourceFile>, LoadError> {
    read_dir_sources_with(dir, MAX_FILE_SIZE, &mut |_| {})
}

/// [`read_dir_sources`] with a size limit per file, telling `reading` each directory and
/// file before it is read (so that a read that hangs can be named by whoever waits for it).
pub(crate) fn read_dir_sources_with(dir: &Path, max_size: u64, reading: &mut dyn FnMut(&Path)) -> Result<Vec<SourceFile>, LoadError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths, reading)?;
    paths.sort();
    let mut files = Vec::new();
    let mut bad = Vec::new();
    for p in paths {
        reading(&p);
        match read_regular(&p, max_size) {
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

/// What a file that is not a regular file is, for errors.
fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// `n` bytes as errors show them: whole MiB or KiB when exact, else bytes.
pub(crate) fn show_size(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

fn whole_file(path: &Path, message: String) -> LoadError {
    LoadError::Invalid(vec![Diagnostic { file: path.display().to_string(), line: 0, column: 0, message }])
}

fn too_large(path: &Path, max_size: u64) -> LoadError {
    whole_file(
        path,
        format!("larger than {}, the limit per schedule file (`mado serve --max-file-size`); a notice is a few KiB", show_size(max_size)),
    )
}

/// A file of a directory walk: checked to be a regular file before it is opened (opening a
/// FIFO blocks until a writer comes), and again once open, then read up to `max_size`.
fn read_regular(path: &Path, max_size: u64) -> Result<SourceFile, LoadError> {
    let io = |error| LoadError::Io { path: path.display().to_string(), error };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(whole_file(path, format!("not a regular file ({}); only regular files are read", kind_of(meta.file_type()))));
    }
    if meta.len() > max_size {
        return Err(too_large(path, max_size));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(whole_file(path, format!("not a regular file ({}); only regular files are read", kind_of(meta.file_type()))));
    }
    read_capped(path, file, max_size)
}

fn read_capped(path: &Path, file: std::fs::File, max_size: u64) -> Result<SourceFile, LoadError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| LoadError::Io { path: path.display().to_string(), error })?;
    if bytes.len() as u64 > max_size {
        return Err(too_large(path, max_size));
    }
    decode(path.display().to_string(), bytes)
}

/// Reads one schedule file (at most [`MAX_FILE_SIZE`]; a FIFO, such as `<(…)` in a shell, is
/// read too). Text that is not UTF-8 is reported at the line and column of its first bad byte.
///
/// # Errors
/// [`LoadError::Io`] when the file cannot be read, [`LoadError::Invalid`] when it is not
/// UTF-8 or is too large.
pub fn read_source(path: &Path) -> Result<SourceFile, LoadError> {
    let file = std::fs::File::open(path).map_err(|error| LoadError::Io { path: path.display().to_string(), error })?;
    read_capped(path, file, MAX_FILE_SIZE)
}

fn decode(name: String, bytes: Vec<u8>) -> Result<SourceFile, LoadError> {
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

/// A fingerprint of files as read: 64-bit FNV-1a over each file's name and bytes, lengths
/// first, in the order given. Equal when a re-read finds the same files with the same bytes,
/// so a periodic re-check can tell "unchanged" without parsing.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) fn fingerprint(files: &[SourceFile]) -> u64 {
    fnv_files(files, |name| name)
}

/// 64-bit FNV-1a over each file's name (as `name` gives it) and bytes, lengths first, in
/// order: the one hash of files behind [`fingerprint`] and `Schedule::content_hash`.
pub(crate) fn fnv_files<'a>(files: impl IntoIterator<Item = &'a SourceFile>, name: impl Fn(&str) -> &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |b: &[u8]| {
        for x in (b.len() as u64).to_le_bytes().iter().chain(b) {
            h ^= u64::from(*x);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for f in files {
        feed(name(&f.name).as_bytes());
        feed(f.text.as_bytes());
    }
    h
}

/// When the embedded schedules were built (UTC date), for answers that name their source.
pub const EMBEDDED_BUILT: &str = env!("MADO_EMBEDDED_BUILT");

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

fn walk(dir: &Path, out: &mut Vec<PathBuf>, reading: &mut dyn FnMut(&Path)) -> Result<(), LoadError> {
    reading(dir);
    let read = std::fs::read_dir(dir).map_err(|error| LoadError::Io { path: dir.display().to_string(), error })?;
    for entry in read {
        let entry = entry.map_err(|error| LoadError::Io { path: dir.display().to_string(), error })?;
        let p = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, out, reading)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_at_most_the_limit_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.toml"), "x = 1\n").expect("write");
        std::fs::write(dir.path().join("big.toml"), vec![b'#'; 5000]).expect("write");
        let err = read_dir_sources_with(dir.path(), 4096, &mut |_| {}).expect_err("too large");
        assert!(err.to_string().contains("big.toml: larger than 4 KiB, the limit per schedule file"), "{err}");
        std::fs::remove_file(dir.path().join("big.toml")).expect("rm");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.toml")).expect("symlink");
            let err = read_dir_sources(dir.path()).expect_err("a device");
            assert!(err.to_string().contains("zero.toml: not a regular file (a character device)"), "{err}");
            std::fs::remove_file(dir.path().join("zero.toml")).expect("rm");
        }
        let mut seen = Vec::new();
        let files = read_dir_sources_with(dir.path(), 4096, &mut |p| seen.push(p.to_path_buf())).expect("reads");
        assert_eq!(files.len(), 1);
        assert_eq!(seen, [dir.path().to_path_buf(), dir.path().join("a.toml")], "each directory and file named before it is read");
        assert_eq!(fingerprint(&files), fingerprint(&read_dir_sources(dir.path()).expect("reads")));
    }
}
