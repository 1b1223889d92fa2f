//! When a text was published: dates stamped 掲載 / 更新 / 追記 / 発行 wherever they stand
//! (`2025年6月2日 10:00掲載`, `6月22日に掲載した`, `(7月23日追記)`), and the sections a
//! later 追記 added, which are publications of their own.

use crate::draft::model::Line;
use crate::draft::when::{self, Found};

/// The words that stamp a date as a publication.
const STAMPS: [&str; 4] = ["掲載", "更新", "追記", "発行"];

/// The first date in `norm` stamped as a publication, with its word.
pub(super) fn stamp(norm: &str) -> Option<(&'static str, Found)> {
    when::find(norm).into_iter().filter(|f| f.end.is_none() && !f.open_end).find_map(|f| {
        let after: String = norm[f.end_at.min(norm.len())..].chars().filter(|c| !c.is_whitespace()).collect();
        let after = after.trim_start_matches(['に', ')']);
        let before: String = norm[..f.at.min(norm.len())].chars().filter(|c| !c.is_whitespace()).collect();
        let before = before.trim_end_matches([':', '(']);
        let before = before.strip_suffix("日時").or_else(|| before.strip_suffix('日')).unwrap_or(before);
        STAMPS.iter().find(|w| after.starts_with(*w) || before.ends_with(*w)).map(|w| (*w, f))
    })
}

/// A section heading: `## 3. …`, `3. …`, `資料 1`.
pub(super) fn is_heading(l: &Line) -> bool {
    is_heading_text(&l.norm)
}

/// [`is_heading`] of a normalised line.
pub(super) fn is_heading_text(norm: &str) -> bool {
    let t = norm.trim_start_matches(['#', ' ']);
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    norm.starts_with('#') || (digits > 0 && t[digits..].starts_with('.')) || is_attachment_text(norm)
}

/// `資料 1`, `別紙①`: the attachments after the notice, not read for windows.
pub(super) fn is_attachment(l: &Line) -> bool {
    is_attachment_text(&l.norm)
}

fn is_attachment_text(norm: &str) -> bool {
    let t = norm.trim_start_matches(['#', ' ', '【']);
    (t.starts_with("資料") || t.starts_with("別紙")) && t.chars().count() <= 8
}

/// A section added by a later 追記: its heading's date and its lines.
#[derive(Debug, Clone)]
pub(super) struct Append {
    /// The date stamped 追記 on the heading.
    pub found: Found,
    /// The heading as published (without `#` and its number).
    pub heading: String,
    /// The section's lines, heading first.
    pub lines: Vec<Line>,
}

/// Splits off each section whose heading is stamped 追記 (to the next heading): the
/// remaining lines, and the appended sections.
pub(super) fn split_appends(lines: Vec<Line>) -> (Vec<Line>, Vec<Append>) {
    let mut main = Vec::new();
    let mut appends: Vec<Append> = Vec::new();
    let mut inside = false;
    for l in lines {
        let stamped = is_heading(&l).then(|| stamp(&l.norm)).flatten().filter(|(w, _)| *w == "追記");
        if let Some((_, found)) = stamped {
            let t = l.orig.trim_start_matches(['#', ' ']);
            let heading = t.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace() || "．.".contains(c)).to_string();
            appends.push(Append { found, heading, lines: vec![l] });
            inside = true;
        } else if inside && is_heading(&l) {
            inside = false;
            main.push(l);
        } else if inside {
            if let Some(a) = appends.last_mut() {
                a.lines.push(l);
            }
        } else {
            main.push(l);
        }
    }
    (main, appends)
}

/// `Ver.2024/01/19`: a document's version date (a guide's, not a notice's publication).
pub(super) fn version_date(norm: &str) -> Option<chrono::NaiveDate> {
    norm.match_indices("Ver.").find_map(|(i, _)| {
        let rest = &norm[i + 4..];
        let parts: Vec<&str> = rest.splitn(3, '/').collect();
        let [y, m, d] = parts.as_slice() else { return None };
        let d: String = d.chars().take_while(char::is_ascii_digit).collect();
        chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line, the word stamping it, month, day, and the time when given.
    type Row<'a> = (&'a str, &'a str, u32, u32, Option<(u32, u32)>);

    #[test]
    fn stamps_wherever_they_stand() {
        let table: &[Row<'_>] = &[
            ("2025年6月2日 10:00掲載", "掲載", 6, 2, Some((10, 0))),
            ("(2025年8月1日 15:30掲載、8月4日 9:00更新)", "掲載", 8, 1, Some((15, 30))),
            ("6月22日に掲載した本お知らせについて、", "掲載", 6, 22, None),
            ("## 3. 遅延について(7月23日追記)", "追記", 7, 23, None),
            ("掲載日:2025年5月20日", "掲載", 5, 20, None),
            ("第2報 2025年3月4日 12:00 更新", "更新", 3, 4, Some((12, 0))),
        ];
        for (line, word, month, day, time) in table {
            let (w, f) = stamp(line).unwrap_or_else(|| panic!("{line}: no stamp"));
            assert_eq!((w, f.date.month, f.date.day), (*word, *month, Some(*day)), "{line}");
            assert_eq!(f.start.map(|t| (t.hour, t.minute)), *time, "{line}");
        }
        for line in ["2025年6月9日(月) 1:00~4:00", "2019年 9月 20日配信のお知らせ", "2023年10月10日", "6月9日に実施します"]
        {
            assert!(stamp(line).is_none(), "{line}");
        }
    }

    #[test]
    fn an_appended_section_runs_to_the_next_heading() {
        let text = "# お知らせ\n1. 日時\n2019年7月29日 2:00~7:00\n## 3. 遅延について(7月23日追記)\n通常は5:30\n## 4. 今後\n以上";
        let lines: Vec<Line> = text.lines().map(|l| Line { orig: l.into(), norm: l.into() }).collect();
        let (main, appends) = split_appends(lines);
        assert_eq!(
            main.iter().map(|l| l.norm.as_str()).collect::<Vec<_>>(),
            ["# お知らせ", "1. 日時", "2019年7月29日 2:00~7:00", "## 4. 今後", "以上"]
        );
        assert_eq!(appends.len(), 1);
        assert_eq!(appends[0].heading, "遅延について(7月23日追記)");
        assert_eq!(appends[0].lines.len(), 2);
        assert_eq!(
            version_date("クロネコ webコレクト(トークン方式)のご案内 Ver.2024/01/19 15"),
            chrono::NaiveDate::from_ymd_opt(2024, 1, 19)
        );
    }
}
