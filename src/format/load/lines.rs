//! A notice file once parsed: its name and where its lines start, so that diagnostics of the
//! later steps name line and column without the file's text being kept.

use crate::format::source::SourceFile;

/// What a diagnostic needs of a file: its name, and the line and column of a byte offset.
pub(super) trait Located {
    fn name(&self) -> &str;
    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize);
}

impl Located for SourceFile {
    fn name(&self) -> &str {
        &self.name
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        position(&self.text, offset)
    }
}

/// 1-based line and column (in characters) of a byte offset of `text`.
pub(super) fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A file whose text is gone: its name, and where each line and each run of non-ASCII
/// characters starts, which is what [`position`] reads of the text. Exact (equal to
/// [`position`] on the text) at every offset that is not inside a run of non-ASCII
/// characters, which every span the steps report is: a value, key or table starts with an
/// ASCII character (a quote, a bracket, a digit or letter of a bare value). Inside a run it
/// counts three bytes a character (Japanese text) and never goes past the run's end.
#[derive(Debug)]
pub(super) struct Src {
    pub(super) name: String,
    /// The text's length in bytes.
    len: u32,
    /// The byte offset each line starts at (the first is 0).
    lines: Vec<u32>,
    /// Each maximal run of non-ASCII characters within a line: its start and end (byte
    /// offsets) and the columns (0-based, in characters) they are at.
    runs: Vec<Run>,
}

#[derive(Debug, Clone, Copy)]
struct Run {
    start: u32,
    end: u32,
    start_col: u32,
    end_col: u32,
}

impl Src {
    /// The file's name and line table; its text is dropped. Offsets past 4 GiB do not
    /// occur: files are read up to a few MiB (`MAX_FILE_SIZE`).
    pub(super) fn new(file: SourceFile) -> Src {
        let text = file.text.as_str();
        let mut lines = vec![0u32];
        let mut runs: Vec<Run> = Vec::new();
        let mut col = 0u32;
        let mut open: Option<(u32, u32)> = None;
        for (i, c) in text.char_indices() {
            let i = i as u32;
            if c.is_ascii() {
                if let Some((start, start_col)) = open.take() {
                    runs.push(Run { start, end: i, start_col, end_col: col });
                }
            } else if open.is_none() {
                open = Some((i, col));
            }
            if c == '\n' {
                lines.push(i + 1);
                col = 0;
            } else {
                col += 1;
            }
        }
        if let Some((start, start_col)) = open {
            runs.push(Run { start, end: text.len() as u32, start_col, end_col: col });
        }
        lines.shrink_to_fit();
        runs.shrink_to_fit();
        Src { len: text.len() as u32, name: file.name, lines, runs }
    }
}

impl Located for Src {
    fn name(&self) -> &str {
        &self.name
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len as usize) as u32;
        // The last line starting at or before `offset` (the first line starts at 0).
        let line = self.lines.partition_point(|&s| s <= offset);
        let line_start = self.lines[line - 1];
        // The last run of this line starting before `offset`.
        let r = self.runs.partition_point(|r| r.start < offset);
        let col = match r.checked_sub(1).map(|r| self.runs[r]).filter(|r| r.start >= line_start) {
            Some(run) if offset >= run.end => run.end_col + (offset - run.end),
            Some(run) => (run.start_col + (offset - run.start).div_ceil(3)).min(run.end_col),
            None => offset - line_start,
        };
        (line, col as usize + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Src {
        Src::new(SourceFile { name: "n.toml".into(), text: text.into() })
    }

    /// The line table answers as the text did, at every offset a span can start at.
    #[test]
    fn positions_equal_those_read_from_the_text() {
        let texts = [
            "",
            "id = \"x\"\n",
            "a\n\nb",
            "title = \"メンテナンスのお知らせ（11月13日）\"\nsource = \"ヤマト\"  # 注\n[[window]]\nid = \"w\"\n",
            "effects.api = { message = \"一時停止\", functions = [\"bad\"] }\r\nnote = \"é\" x = \"😀a😀\"\n",
            "日本\n語",
            "\n\n\u{3000}x = 1\n",
        ];
        for text in texts {
            let s = src(text);
            for (offset, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                if c.is_ascii() {
                    assert_eq!(s.position(offset), position(text, offset), "{text:?} at {offset}");
                }
            }
            assert_eq!(s.position(text.len() + 10), position(text, text.len() + 10), "{text:?} past the end");
        }
    }

    /// Through the loader: an error in a later step, after Japanese text on its line and
    /// lines of it before, names the line and column the text gives.
    #[test]
    fn a_later_steps_error_after_japanese_text_names_its_column() {
        let text = "id = \"n\"\npublished = \"2024-01-10\"\ntitle = \"メンテナンス（1月20日）\"\nsource = \"お知らせ\"\n\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\neffects.mail = { message = \"一時停止\", functions = [\"nope\"] }\nstart = \"2024-01-20 01:00\"\nend = \"2024-01-20 02:00\"\n";
        let err = crate::Schedule::from_notice_str(text).expect_err("an unknown function");
        let d = err.diagnostics();
        let at = text.find("\"nope\"").expect("in the text");
        let (line, column) = position(text, at);
        assert!(d.iter().any(|d| (d.line, d.column) == (line, column) && d.message.contains("`nope`")), "{d:?} (want {line}:{column})");
    }

    /// Random texts of ASCII, two-, three- and four-byte characters and newlines.
    #[test]
    fn positions_equal_those_read_from_the_text_on_random_texts() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let alphabet = ['a', ' ', '"', '\n', '=', 'é', '日', '本', '😀', '\r', '['];
        for _ in 0..500 {
            let len = next(60);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len() as u64) as usize]).collect();
            let s = src(&text);
            for (offset, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                // The non-ASCII characters just before `offset` (back to ASCII or the start).
                let before: Vec<char> = text[..offset].chars().rev().take_while(|c| !c.is_ascii()).collect();
                if c.is_ascii() || before.iter().all(|c| c.len_utf8() == 3) {
                    assert_eq!(s.position(offset), position(&text, offset), "{text:?} at {offset}");
                } else {
                    // Inside a run of mixed widths: the right line, a column inside the run.
                    let (line, col) = s.position(offset);
                    let (want_line, want_col) = position(&text, offset);
                    assert_eq!(line, want_line, "{text:?} at {offset}");
                    let run_chars = before.len() + text[offset..].chars().take_while(|c| !c.is_ascii()).count();
                    assert!(col + before.len() >= want_col && col <= want_col - before.len() + run_chars, "{text:?} at {offset}");
                }
            }
        }
    }
}
