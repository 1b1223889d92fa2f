//! One window from one date (or date range) found in a line: its times, the checks of the
//! weekday and the stated length, and the functions its row label (or sentence) names.

use crate::draft::model::{Line, Shape, WindowDraft};
use crate::draft::when::{self, Found};
use crate::engine::model::Catalogue;
use crate::engine::names::{normalize_name, NameError};
use crate::engine::schedule::Schedule;
use crate::engine::view_api::LineageView;
use chrono::Datelike;

/// Words that make a row label generic (the whole service, as the notice's section says).
const GENERIC: [&str; 8] = ["サービス停止", "日時", "時間帯", "日程", "メンテナンス", "対象", "発生", "期間"];

/// What the rows of one publication are read against.
pub(super) struct RowContext<'a> {
    /// The publication's lines.
    pub lines: &'a [Line],
    /// The year of a date that gives none.
    pub year: i32,
    /// The catalogue.
    pub cat: &'a Catalogue,
    /// Functions of the 影響範囲 table said to be unavailable.
    pub unavailable: Vec<String>,
    /// Functions of the 影響範囲 table said to stay available.
    pub available: Vec<String>,
    /// An incident notice.
    pub incident: bool,
    /// The instant the publication counts from, when known.
    pub from: Option<crate::engine::time::Instant>,
}

impl RowContext<'_> {
    /// The windows of `known` announced by notices published by this one: only those can
    /// be revised.
    pub fn earlier_windows<'s>(&self, known: &'s Schedule) -> impl Iterator<Item = LineageView<'s>> {
        let from = self.from;
        known.lineage_views().filter(move |l| from.is_none_or(|t| l.notice().known_from() <= t))
    }
}

/// One found date in line `idx` (`norm`, quoted as `orig`).
pub(super) struct At<'a> {
    pub f: &'a Found,
    pub norm: &'a str,
    pub orig: &'a str,
    pub idx: usize,
}

pub(super) fn label_of(cat: &Catalogue, label: &str) -> Result<String, NameError> {
    cat.resolve(label).map(|f| f.id().to_string())
}

fn clean_label(s: &str) -> String {
    let s = s.trim().trim_end_matches([':', '：', ' ', '\t', '⇒', '→', '※', '(', '・']).trim();
    s.trim_start_matches(['※', '⇒', '→', '・', '-', '■', ' ']).trim().to_string()
}

fn is_generic(label: &str) -> bool {
    label.is_empty() || GENERIC.iter().any(|g| label.contains(g))
}

pub(super) fn weekday_ja(w: chrono::Weekday) -> &'static str {
    ["月", "火", "水", "木", "金", "土", "日"][w.num_days_from_monday() as usize]
}

/// A window with the line quoted and nothing read yet.
pub(super) fn blank(orig: &str, incident: bool) -> WindowDraft {
    WindowDraft {
        id: String::new(),
        revises: None,
        title: None,
        functions: Vec::new(),
        available: Vec::new(),
        shape: None,
        from: None,
        note: format!("「{}」", orig.split_whitespace().collect::<Vec<_>>().join(" ")),
        inferred: Vec::new(),
        todos: Vec::new(),
        incident,
    }
}

/// The window a date in a line stands for, or `None` when it is no window (a publication
/// or reference date, a time with no range).
pub(super) fn window_from(cx: &RowContext<'_>, at: &At<'_>) -> Option<WindowDraft> {
    let f = at.f;
    let tentative = f.start.is_none() && (f.date.planned || f.date.part.is_some());
    if f.start.is_none() && !tentative {
        return None;
    }
    let mut w = blank(at.orig, cx.incident);
    let y = f.date.year.unwrap_or(cx.year);
    year_and_weekday(&mut w, f, y);
    // What the line (or the next) says after the times: `4時間程度`, `(30分)`.
    let next = cx.lines.get(at.idx + 1).map(|l| l.norm.as_str()).unwrap_or("");
    let expected = f
        .duration
        .or_else(|| duration_in(&at.norm[f.end_at.min(at.norm.len())..]).or_else(|| duration_in(next)))
        // A length mado cannot hold (over 3650 days, or none) is not read as one.
        .filter(|(m, _)| (1..=3650 * 24 * 60).contains(m));
    w.shape = Some(if tentative { tentative_shape(&mut w, f, y, expected)? } else { confirmed_shape(&mut w, cx, f, y, expected)? });
    functions_of_row(&mut w, cx, at);
    Some(w)
}

/// A year taken from context is marked; a weekday that does not match is a question.
fn year_and_weekday(w: &mut WindowDraft, f: &Found, y: i32) {
    if f.date.year.is_none() {
        w.inferred.push((
            "start".into(),
            format!("日付に年の記載がない。年は本文の他の日付({y}年)から補った。"),
            format!("The date is given without a year; {y} is taken from the other dates in the text."),
        ));
    }
    if let (Some(wd), Some(day)) = (f.date.weekday, when::resolve(&f.date, y)) {
        if day.weekday() != wd {
            w.todos.push(format!(
                "the text gives {}月{}日 as ({}), but {day} is a ({}): which is right?",
                f.date.month,
                day.day(),
                weekday_ja(wd),
                weekday_ja(day.weekday())
            ));
        }
    }
}

/// `(予定)` or `下旬`: days known, times not.
fn tentative_shape(w: &mut WindowDraft, f: &Found, y: i32, expected: Option<(i64, bool)>) -> Option<Shape> {
    let (date, last_date) = match f.date.part {
        Some(_) => {
            let (a, b) = when::part_span(&f.date, y)?;
            w.inferred.push((
                "date".into(),
                "「旬」の記載から、その期間の日々を予定日とした。".into(),
                "The text gives a part of a month (上旬/中旬/下旬): its days are the tentative days.".into(),
            ));
            (a, Some(b))
        }
        None => (when::resolve(&f.date, y)?, None),
    };
    Some(Shape::Tentative { date, last_date, expected })
}

/// A start and an end (checked against a stated length), or, for an incident or a range
/// left open, an open end and a question. `None`: a time with no range is no window.
fn confirmed_shape(w: &mut WindowDraft, cx: &RowContext<'_>, f: &Found, y: i32, expected: Option<(i64, bool)>) -> Option<Shape> {
    let day = when::resolve(&f.date, y)?;
    let start_t = f.start?;
    let start = when::at(day, &start_t)?;
    // An end past 9999-12-31 (the last day mado reads) is no end it can write.
    let span = when::span(f, y);
    if let Some((_, e)) = span.filter(|(_, e)| e.year() > 9999) {
        w.todos.push(format!("the end {e} is past 9999-12-31, the last day mado reads: the window is drafted with no end"));
        return Some(Shape::Confirmed { start, end: None, start_approx: start_t.approx, end_approx: false, expected });
    }
    if let Some((s, e)) = span {
        if let Some((m, false)) = f.duration {
            if (e - s).num_minutes() != m {
                w.todos.push(format!(
                    "the text states a length of {} but {} to {} is {}: which is right?",
                    crate::draft::write::minutes(m),
                    s.format("%H:%M"),
                    e.format("%H:%M"),
                    crate::draft::write::minutes((e - s).num_minutes())
                ));
            }
        }
        let end_approx = f.end.is_some_and(|t| t.approx);
        return Some(Shape::Confirmed { start: s, end: Some(e), start_approx: start_t.approx, end_approx, expected: None });
    }
    if !cx.incident && !f.open_end {
        return None;
    }
    w.todos.push(
        "the text gives no end time: the window is open (`end = \"unknown\"`) until a notice gives the end; never fill in a guess".into(),
    );
    w.inferred.push(("end".into(), "終了時刻の記載がない。".into(), "The text gives no end time.".into()));
    Some(Shape::Confirmed { start, end: None, start_approx: start_t.approx, end_approx: false, expected })
}

/// The row label: the text before the date, or the line above when the row is broken.
fn row_label(cx: &RowContext<'_>, at: &At<'_>) -> (String, bool) {
    let mut label = clean_label(&at.norm[..at.f.at.min(at.norm.len())]);
    if let Some(c) = cells(&label).last() {
        label = clean_label(c);
    }
    // A section heading above is no row label.
    let above = prev_line(cx.lines, at.idx)
        .filter(|p| when::find(p).is_empty() && p.chars().count() <= 20 && !crate::draft::publish::is_heading_text(p));
    if let Some(prev) = above.filter(|_| label.is_empty()) {
        label = clean_label(prev);
    }
    let prose = label.contains(['、', '。']) || label.chars().count() > 30;
    let label_above = above.filter(|p| !p.contains(['、', '。']));
    let heading_above = prev_line(cx.lines, at.idx).is_some_and(crate::draft::publish::is_heading_text);
    if label.is_empty() && heading_above {
        return (label, true);
    }
    (label.clone(), prose || (label.is_empty() && label_above.is_none()))
}

/// The functions of the window: from its row label, or from its sentence when the date is
/// in prose, or the 影響範囲 table's for a generic label.
fn functions_of_row(w: &mut WindowDraft, cx: &RowContext<'_>, at: &At<'_>) {
    let (mut label, prose) = row_label(cx, at);
    if prose {
        // Prose, not a table row: the functions the sentence (or the one before it) names.
        let para = format!("{}{}", prev_line(cx.lines, at.idx).unwrap_or(""), at.norm);
        match named_in(cx.cat, &para) {
            Some(id) => {
                w.functions = vec![id.clone()];
                w.inferred.push((
                    "functions".into(),
                    format!("表の行ではなく文中の日時。対象は文中の語から {id} と読んだ。"),
                    format!("A date in a sentence, not a table row; the functions are read as {id} from the words around it."),
                ));
                w.todos.push(format!("the date in 「{}」 is in a sentence: check that it stops {id}, and whether it changes an existing window (a standing rule's night is an [[occurrence]])", at.orig));
                return;
            }
            None => label.clear(),
        }
    }
    if is_generic(&label) {
        generic_functions(w, cx, at.orig);
    } else {
        labelled_functions(w, cx, &label);
    }
}

/// A generic label: the 影響範囲 table's functions, else all of `webcollect`, asked.
fn generic_functions(w: &mut WindowDraft, cx: &RowContext<'_>, orig: &str) {
    if !cx.unavailable.is_empty() {
        w.functions = cx.unavailable.clone();
        w.available = cx.available.clone();
        return;
    }
    w.functions = vec!["webcollect".into()];
    w.inferred.push((
        "functions".into(),
        "行見出しがなく、対象機能の表もない。本文の「クロネコwebコレクト」全体と読んだ。".into(),
        "No row label and no table of functions: read as all of Kuroneko Web Collect.".into(),
    ));
    w.todos.push(format!("which functions does 「{orig}」 stop? the draft says all of webcollect"));
}

/// A row label through the catalogue; an unknown or ambiguous one is a question.
fn labelled_functions(w: &mut WindowDraft, cx: &RowContext<'_>, label: &str) {
    let (ids, todo, why, why_en) = match label_of(cx.cat, label) {
        Ok(id) => {
            w.functions = vec![id];
            w.title = Some(format!("メンテナンス（{label}）"));
            w.inferred.push((
                "title".into(),
                "見出しはない。日程表の行見出しから作成。".into(),
                "No title given; the row label of the schedule table.".into(),
            ));
            if w.functions.iter().any(|f| cx.available.iter().any(|a| a.starts_with(&format!("{f}.")))) {
                w.available = cx.available.clone();
            }
            return;
        }
        Err(NameError::Unknown { suggestions, .. }) => {
            let ids: Vec<String> = suggestions.iter().map(|(id, _)| id.clone()).collect();
            let closest = if ids.is_empty() { "none".into() } else { ids.join(", ") };
            let todo = format!(
                "the row label 「{label}」 is not in the catalogue (closest: {closest}): set `functions`, or add the label to `aliases` in functions.toml"
            );
            (ids, todo, format!("行見出し「{label}」はカタログにない。"), format!("The row label 「{label}」 is not in the catalogue."))
        }
        Err(NameError::Ambiguous { candidates, .. }) => {
            let ids: Vec<String> = candidates.iter().map(|(id, _)| id.clone()).collect();
            let todo = format!("the row label 「{label}」 names several functions ({}): which?", ids.join(", "));
            (ids, todo, format!("行見出し「{label}」は複数の機能に当たる。"), format!("The row label 「{label}」 names several functions."))
        }
    };
    w.functions = vec![ids.first().cloned().unwrap_or_else(|| "webcollect".into())];
    w.todos.push(todo);
    w.inferred.push(("functions".into(), why, why_en));
}

/// Table cells: tabs, or runs of two or more spaces (pdftotext -layout).
pub(super) fn cells(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in line.split('\t') {
        let mut rest = part;
        while let Some(i) = rest.find("  ") {
            let (a, b) = rest.split_at(i);
            if !a.trim().is_empty() {
                out.push(a.trim());
            }
            rest = b.trim_start();
        }
        if !rest.trim().is_empty() {
            out.push(rest.trim());
        }
    }
    out
}

/// The last non-blank line before line `idx`.
pub(super) fn prev_line(lines: &[Line], idx: usize) -> Option<&str> {
    lines[..idx.min(lines.len())].iter().rev().map(|l| l.norm.as_str()).find(|l| !l.is_empty())
}

/// The function whose label or alias is the longest one occurring in `text`.
pub(super) fn named_in(cat: &Catalogue, text: &str) -> Option<String> {
    let key = normalize_name(text);
    cat.functions()
        .iter()
        .flat_map(|f| {
            let base = |s: &str| normalize_name(s.split('（').next().unwrap_or(s));
            std::iter::once(base(f.ja())).chain(f.aliases().iter().map(|a| normalize_name(a))).map(move |n| (n, f.id()))
        })
        .enumerate()
        .filter(|(_, (n, _))| n.chars().count() >= 3 && key.contains(n.as_str()))
        // The longest name; of equally long ones, the first in the catalogue (a parent's).
        .max_by_key(|(i, (n, _))| (n.chars().count(), std::cmp::Reverse(*i)))
        .map(|(_, (_, id))| id.to_string())
}

/// `4時間程度`, `(30分)` anywhere in `s`.
pub(super) fn duration_in(s: &str) -> Option<(i64, bool)> {
    let pos = s.find("時間").or_else(|| s.find('分'))?;
    let digits_start =
        s[..pos].trim_end().rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + s[i..].chars().next().map_or(1, char::len_utf8));
    let n: i64 = s[digits_start..pos].trim().parse().ok()?;
    let after = &s[pos..];
    let minutes = if after.starts_with("時間") { n * 60 } else { n };
    let approx = after.contains("程度") || after.contains("ほど");
    Some((minutes, approx))
}
