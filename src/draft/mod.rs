//! Drafts of notice files from a notice as published: plain text, a saved HTML page, or a
//! PDF (through `pdftotext`). One reader per source format turns it into text
//! (`html.rs`, `pdf.rs`); the text is NFKC-normalised and read: `read.rs` splits it into
//! publications and runs the steps, `head.rs` reads each one's title, publication and
//! reference (`publish.rs`: dates stamped 掲載 / 追記, 追記 sections), `row.rs`
//! reads one window per date (times in `when.rs`), `table.rs` the tables of what is
//! affected, `revise.rs` and `standing.rs` what changes earlier notices and standing rules,
//! `delay.rs` delays; `write.rs` writes the TOML.
//!
//! A draft is not a published notice: whatever the text does not say plainly is a question
//! (`# TODO:` in the file), and a person reads the draft, answers them and checks it with
//! `mado diff` and `mado validate` before it is served. May use the engine's public API
//! (the catalogue's names, the schedule the draft is read against); knows no terminal.

mod delay;
mod head;
mod html;
mod model;
mod pdf;
mod publish;
mod read;
mod revise;
mod row;
mod standing;
mod table;
mod when;
mod write;

use crate::engine::schedule::Schedule;
use std::path::Path;

pub use model::DelayDraft;
pub use model::{DraftNotice, OccurrenceDraft, Shape, WindowDraft};
pub use write::quoted;

/// What a notice was published as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Plain text (as copied from the page or a mail).
    Text,
    /// A saved HTML page.
    Html,
    /// A PDF, read with `pdftotext`.
    Pdf,
}

/// A notice's text, taken from its source format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    /// Where it came from (shown in the draft's header).
    pub name: String,
    /// The format it was read from.
    pub format: SourceFormat,
    /// Its text, table rows as lines with tab-separated cells where the source has tables.
    pub text: String,
}

/// One drafted publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The file name `docs/format.md` asks for: `<publication date>-<subject>.toml`.
    pub file_name: String,
    /// The notice id.
    pub id: String,
    /// The TOML text.
    pub toml: String,
    /// The questions a person must answer (also `# TODO:` lines in `toml`).
    pub questions: Vec<String>,
    /// What was read, field by field.
    pub notice: DraftNotice,
}

/// Why nothing could be drafted.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {error}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        error: std::io::Error,
    },
    /// Not UTF-8 text.
    #[error("`{0}` is not UTF-8 text; expected a notice saved as UTF-8 (.txt or .html) or a .pdf")]
    NotUtf8(String),
    /// The PDF could not be read.
    #[error("{0}")]
    Pdf(String),
    /// Nothing in the text is a notice.
    #[error("nothing usable in `{0}`: no date and time of a window and no publication date found")]
    Nothing(String),
}

/// The largest notice read: 4 MiB (a notice is a few KiB).
const MAX_SIZE: u64 = 4 << 20;

/// Reads a notice file by its extension: `.html`/`.htm`, `.pdf`, else plain text.
///
/// # Errors
/// [`DraftError`] when the file cannot be read, is not UTF-8, or is a PDF and `pdftotext`
/// is missing or fails.
pub fn read_path(path: &Path) -> Result<NoticeText, DraftError> {
    let name = path.display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let io = |error| DraftError::Io { path: name.clone(), error };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_SIZE {
        return Err(DraftError::Io {
            path: name.clone(),
            error: std::io::Error::other(format!("{len} bytes; expected at most {MAX_SIZE}")),
        });
    }
    if ext == "pdf" {
        return Ok(NoticeText { name, format: SourceFormat::Pdf, text: pdf::to_text(path).map_err(DraftError::Pdf)? });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| DraftError::NotUtf8(name.clone()))?;
    Ok(from_str(&name, &text, if ext == "html" || ext == "htm" { SourceFormat::Html } else { SourceFormat::Text }))
}

/// A notice's text from a string in `format` (`Pdf` is taken as already extracted text).
pub fn from_str(name: &str, text: &str, format: SourceFormat) -> NoticeText {
    let text = match format {
        SourceFormat::Html => html::to_text(text),
        _ => text.replace("\r\n", "\n"),
    };
    NoticeText { name: name.to_string(), format, text }
}

/// Drafts the notice: one [`Draft`] per publication (第1報, 第2報, …), read against the
/// catalogue and the notices of `known`.
///
/// # Errors
/// [`DraftError::Nothing`] when the text holds neither a window nor a publication date.
pub fn draft(notice: &NoticeText, known: &Schedule) -> Result<Vec<Draft>, DraftError> {
    let read = read::read(&notice.text, &notice.name, known);
    if read.iter().all(|d| d.windows.is_empty() && d.published == "unknown") {
        return Err(DraftError::Nothing(notice.name.clone()));
    }
    Ok(read
        .into_iter()
        .filter(|d| !d.windows.is_empty() || d.published != "unknown")
        .map(|d| Draft {
            file_name: format!("{}.toml", d.id),
            id: d.id.clone(),
            toml: write::notice(&d),
            questions: d.questions(),
            notice: d,
        })
        .collect())
}
