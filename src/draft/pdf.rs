//! A notice published as PDF, as text: Debian's `pdftotext` (package `poppler-utils`) with
//! `-layout`, so table rows stay on one line. mado does not parse PDF itself.

use std::path::Path;
use std::process::Command;

/// The text of the PDF at `path`.
///
/// # Errors
/// A message naming `poppler-utils` when `pdftotext` is not installed, or `pdftotext`'s own
/// message when it cannot read the file.
pub fn to_text(path: &Path) -> Result<String, String> {
    let out = Command::new("pdftotext").arg("-layout").arg("-enc").arg("UTF-8").arg(path).arg("-").output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "reading a PDF needs `pdftotext`, which is not installed; install the `poppler-utils` package (e.g. `apt-get install poppler-utils`), or save the notice as text".to_string()
        } else {
            format!("running `pdftotext`: {e}")
        }
    })?;
    if !out.status.success() {
        return Err(format!("`pdftotext` could not read `{}`: {}", path.display(), String::from_utf8_lossy(&out.stderr).trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("`pdftotext` gave text that is not UTF-8 for `{}`", path.display()))
}
