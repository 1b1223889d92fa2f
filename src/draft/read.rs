//! The notice reader: NFKC-normalised lines of a notice's text into a draft notice, each
//! reading it cannot make from the text left as a question.

use crate::draft::when::{self, Found};
use crate::engine::model::Catalogue;
use crate::engine::names::{normalize_name, NameError};
use crate::engine::schedule::Schedule;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use unicode_normalization::UnicodeNormalization;

/// A window's times as the draft reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Start and (unless the text gives none) end.
    Confirmed {
        /// Local start.
        start: NaiveDateTime,
        /// Local end; `None` writes `end = "unknown"`.
        end: Option<NaiveDateTime>,
        /// `頃` on the start.
        start_approx: bool,
        /// `頃` on the end.
        end_approx: bool,
        /// A stated length, in minutes, for an open end.
        expected: Option<(i64, bool)>,
    },
    /// Days known, times not.
    Tentative {
        /// First day.
        date: NaiveDate,
        /// Last day, for a span.
        last_date: Option<NaiveDate>,
        /// Stated length in minutes, and `程度`.
        expected: Option<(i64, bool)>,
    },
}

/// One `[[window]]` or `[[revise]]` of the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowDraft {
    /// The window id.
    pub id: String,
    /// For a revision: the notice, its window and the action.
    pub revises: Option<(String, String, String)>,
    /// Title, when the row gives one.
    pub title: Option<String>,
    /// Catalogue ids.
    pub functions: Vec<String>,
    /// Ids the notice says stay available.
    pub available: Vec<String>,
    /// Times; `None` only for a revision without times.
    pub shape: Option<Shape>,
    /// The notice's own words (the original line).
    pub note: String,
    /// `(field, reason, reason_en)`.
    pub inferred: Vec<(String, String, String)>,
    /// Questions for a person.
    pub todos: Vec<String>,
    /// Whether it is an incident.
    pub incident: bool,
}

/// A notice as drafted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DraftNotice {
    /// The file the text came from (for the header).
    pub source_name: String,
    /// The notice id.
    pub id: String,
    /// `published`: a date or local date-time, or `unknown`.
    pub published: String,
    /// `known_by`, with `published = "unknown"`.
    pub known_by: Option<String>,
    /// The title, as in the notice.
    pub title: String,
    /// `source`.
    pub source: String,
    /// An incident notice.
    pub incident: bool,
    /// Notes and their English.
    pub notes: Vec<String>,
    /// Notes in English.
    pub notes_en: Vec<String>,
    /// Notice-level readings.
    pub inferred: Vec<(String, String, String)>,
    /// Channel effects: channel id and `(field, value)`.
    pub effects: Vec<(String, Vec<(String, String)>)>,
    /// Windows and revisions.
    pub windows: Vec<WindowDraft>,
    /// Questions for the notice as a whole.
    pub todos: Vec<String>,
}

impl DraftNotice {
    /// Every question, in file order.
    pub fn questions(&self) -> Vec<String> {
        self.todos.iter().chain(self.windows.iter().flat_map(|w| w.todos.iter())).cloned().collect()
    }
}

/// A line: the original text and its NFKC form (with the wave dash read as a range sign).
#[derive(Debug, Clone)]
struct Line {
    orig: String,
    norm: String,
}

fn normalise(s: &str) -> String {
    s.nfkc().collect::<String>().replace(['〜', '～', '∼'], "~").replace(['*', '_'], "")
}

/// Words that make a row label generic (the whole service, as the notice's section says).
const GENERIC: [&str; 8] = ["サービス停止", "日時", "時間帯", "日程", "メンテナンス", "対象", "発生", "期間"];

/// Channels and the words that name them (NFKC, lower case).
const CHANNELS: [(&str, &[&str]); 5] = [
    ("link", &["リンク"]),
    ("mail", &["メール依頼"]),
    ("token_embedded", &["トークン(組込)", "トークン方式", "トークン/api", "api/トークン"]),
    ("token_modal", &["トークン(モーダル)", "クロネコペイ(モーダル)"]),
    ("api", &["api"]),
];

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Splits the text into publications (第1報, 第2報, …): each with its own lines.
fn publications(lines: &[Line]) -> Vec<(Option<u32>, Vec<Line>)> {
    let mut out: Vec<(Option<u32>, Vec<Line>)> = vec![(None, Vec::new())];
    for l in lines {
        let n = l.norm.find('第').and_then(|i| {
            let rest = &l.norm[i + '第'.len_utf8()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            rest[digits.len()..].starts_with('報').then(|| digits.parse::<u32>().ok()).flatten()
        });
        match n {
            Some(n) if out.iter().all(|(k, _)| *k != Some(n)) => out.push((Some(n), vec![l.clone()])),
            _ => out.last_mut().map(|o| o.1.push(l.clone())).unwrap_or(()),
        }
    }
    // Lines before the first report are the heading of every report.
    if out.len() > 1 {
        let head = out.remove(0).1;
        for o in &mut out {
            let mut lines = head.clone();
            lines.append(&mut o.1);
            o.1 = lines;
        }
    }
    out
}

/// Reads `text` (the notice as published) into draft notices, one per publication.
pub fn read(text: &str, source_name: &str, known: &Schedule) -> Vec<DraftNotice> {
    let lines: Vec<Line> = text.lines().map(|l| Line { orig: l.trim().to_string(), norm: normalise(l).trim().to_string() }).collect();
    let pubs = publications(&lines);
    let mut out = Vec::new();
    for (n, lines) in pubs {
        let mut drafted = read_one(&lines, n, source_name, known);
        // A later report of the same text (第2報) gives the same window again, usually with its
        // end: a revision of the earlier report's window, not a second window.
        if n.is_some_and(|n| n > 1) {
            if let Some(d) = drafted.first_mut() {
                later_report(d, &out);
            }
        }
        out.extend(drafted);
    }
    out
}

fn start_of(w: &WindowDraft) -> Option<NaiveDateTime> {
    match &w.shape {
        Some(Shape::Confirmed { start, .. }) => Some(*start),
        _ => None,
    }
}

/// Turns each window of `d` that an earlier report announced (same functions, same start)
/// into a `replace` of it.
fn later_report(d: &mut DraftNotice, earlier: &[DraftNotice]) {
    for w in d.windows.iter_mut().filter(|w| w.revises.is_none()) {
        let Some(start) = start_of(w) else { continue };
        let found = earlier.iter().rev().find_map(|e| {
            e.windows
                .iter()
                .find(|x| x.revises.is_none() && x.functions == w.functions && start_of(x) == Some(start))
                .map(|x| (e.id.clone(), x.id.clone()))
        });
        if let Some((notice, window)) = found {
            w.inferred.push((
                "start".into(),
                format!("前の報({notice})と同じ機能・同じ開始時刻の枠。その続報として改定と読んだ。"),
                format!("Same functions and start as the window of the earlier report {notice}: read as its update."),
            ));
            w.title = None;
            w.inferred.retain(|i| i.0 != "title");
            w.revises = Some((notice, window, "replace".into()));
        }
    }
}

fn label_of(cat: &Catalogue, label: &str) -> Result<String, NameError> {
    cat.resolve(label).map(|f| f.id().to_string())
}

fn clean_label(s: &str) -> String {
    let s = s.trim().trim_end_matches([':', '：', ' ', '\t', '⇒', '→', '※', '(', '・']).trim();
    s.trim_start_matches(['※', '⇒', '→', '・', '-', '■', ' ']).trim().to_string()
}

fn is_generic(label: &str) -> bool {
    label.is_empty() || GENERIC.iter().any(|g| label.contains(g))
}

fn weekday_ja(w: chrono::Weekday) -> &'static str {
    ["月", "火", "水", "木", "金", "土", "日"][w.num_days_from_monday() as usize]
}

fn read_one(lines: &[Line], report: Option<u32>, source_name: &str, known: &Schedule) -> Vec<DraftNotice> {
    let cat = known.catalogue();
    let mut d = DraftNotice { source_name: source_name.to_string(), ..DraftNotice::default() };
    let incident = lines.iter().take(30).any(|l| l.norm.contains("障害"));
    d.incident = incident;

    // Title: a heading, else the first line naming the notice.
    let title = lines
        .iter()
        .find(|l| l.orig.starts_with('#') && !l.norm.trim_start_matches('#').trim().starts_with(|c: char| c.is_ascii_digit()))
        .or_else(|| {
            lines.iter().take(20).find(|l| {
                (l.norm.contains("お知らせ") || l.norm.contains("について") || l.norm.contains("のご案内"))
                    && !l.norm.contains("本お知らせ")
                    && l.norm.chars().count() < 80
            })
        })
        .map(|l| l.orig.trim_start_matches('#').trim().to_string());
    match title {
        Some(t) => d.title = t,
        None => {
            d.title = "(表題不明)".into();
            d.todos.push("no title found: copy the notice's title into `title`".into());
        }
    }

    // Publication: a line holding only a date (and perhaps a time and 掲載/更新), near the top,
    // or `M月D日に掲載`.
    let mut published: Option<(NaiveDate, Option<NaiveDateTime>, bool)> = None;
    let mut pub_line: Option<String> = None;
    let mut year_hint: Option<i32> = None;
    for l in lines.iter() {
        for f in when::find(&l.norm) {
            if let Some(y) = f.date.year {
                year_hint.get_or_insert(y);
            }
        }
    }
    for l in lines.iter().take(40) {
        let found = when::find(&l.norm);
        let Some(f) = found.first() else { continue };
        let rest: String = l.norm[f.end_at..].chars().filter(|c| !c.is_whitespace()).collect();
        let before: String = l.norm[..f.at].chars().filter(|c| !c.is_whitespace()).collect();
        let only_date = found.len() == 1 && f.end.is_none() && !f.open_end;
        let marked = ["掲載", "更新", "追記", "発行"]
            .iter()
            .any(|w| rest.starts_with(w) || before.ends_with(w) || before.ends_with(&format!("{w}:")));
        if only_date && (rest.is_empty() || marked) && (before.is_empty() || marked) {
            let Some(day) = when::resolve(&f.date, year_hint.unwrap_or(0)).filter(|_| f.date.year.is_some() || year_hint.is_some()) else {
                continue;
            };
            let at = f.start.and_then(|t| when::at(day, &t));
            published = Some((day, at, f.date.year.is_none()));
            pub_line = Some(l.norm.clone());
            if f.date.year.is_none() {
                break;
            }
            break;
        }
    }
    match published {
        Some((day, at, year_inferred)) => {
            d.published = at.map_or(day.to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string());
            if year_inferred {
                d.inferred.push((
                    "published".into(),
                    format!("掲載日は年の記載がない。年は本文の日付({}年)から補った。", day.year()),
                    format!("The publication date is given without a year; {} is taken from the other dates in the text.", day.year()),
                ));
            }
            if at.is_none() {
                d.notes.push("掲載時刻の記載はないため、掲載日の0:00（日本時間）から数える。".into());
                d.notes_en.push("The hour of publication is not given: mado counts the notice from 00:00 JST that day.".into());
            }
        }
        None => {
            d.published = "unknown".into();
            d.todos.push(
                "no publication date found: give `published` (a date or local date-time), or `published = \"unknown\"` with `known_by`"
                    .into(),
            );
        }
    }
    let pub_date = published.map(|p| p.0);
    let year = year_hint.or(pub_date.map(|p| p.year())).unwrap_or(0);
    let suffix = if incident { "incident" } else { "maintenance" };
    let date_part = pub_date.map_or("undated".to_string(), |p| p.to_string());
    d.id = match report {
        Some(n) => format!("{date_part}-{suffix}-report-{n}"),
        None => format!("{date_part}-{suffix}"),
    };
    d.source = format!("「{}」{}", d.title, pub_date.map_or(String::new(), |p| format!("{}年{}月{}日", p.year(), p.month(), p.day())));

    // A reference to an earlier notice: 「YYYY年M月D日にご案内いたしました」.
    let mut referenced: Option<String> = None;
    let mut quoted_from: Option<usize> = None;
    for (i, l) in lines.iter().enumerate() {
        let refers = ["にご案内", "にお知らせ", "に掲載", "のご案内"].iter().any(|w| l.norm.contains(w)) && !l.norm.contains("本お知らせ");
        if !refers {
            continue;
        }
        let Some(f) = when::find(&l.norm).into_iter().find(|f| f.start.is_none()) else { continue };
        let Some(day) = when::resolve(&f.date, year) else { continue };
        if pub_date == Some(day) {
            continue;
        }
        if l.norm.contains("以下") || l.norm.contains("日程は") {
            quoted_from = Some(i);
        }
        if referenced.is_some() {
            continue;
        }
        let matches: Vec<&crate::engine::model::Notice> = known
            .notices()
            .iter()
            .filter(|n| n.known_from().with_timezone(&crate::engine::time::DEFAULT_ZONE).date_naive() == day)
            .collect();
        match matches.as_slice() {
            [n] => referenced = Some(n.id().to_string()),
            [] => d.todos.push(format!(
                "the notice refers to one of {day} (「{}」), which is not in the schedules: add it first, or draft the windows as new",
                l.orig
            )),
            many => d.todos.push(format!(
                "the notice refers to one of {day}, and {} notices were published that day ({}): say which one it revises",
                many.len(),
                many.iter().map(|n| n.id()).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    // 影響範囲 / 影響の有無: rows saying a function is or is not available.
    let mut unavailable: Vec<String> = Vec::new();
    let mut available: Vec<String> = Vec::new();
    let mut service: Option<String> = None;
    for l in lines {
        let no = l.norm.contains("ご利用いただけません") || l.norm.contains("ご利用できません");
        let yes = !no && l.norm.contains("ご利用いただけます");
        if !(no || yes) {
            continue;
        }
        let cells: Vec<&str> = cells(&l.norm);
        if cells.len() < 2 {
            continue;
        }
        let (svc, method) = if cells.len() >= 3 { (Some(cells[0]), cells[1]) } else { (None, cells[0]) };
        if let Some(s) = svc.and_then(|s| label_of(cat, s).ok()) {
            service = Some(s);
        }
        let Ok(mut id) = label_of(cat, method) else {
            d.todos.push(format!(
                "the row label 「{method}」 of the 影響範囲 table is not in the catalogue; add it as an alias, or encode it by hand"
            ));
            continue;
        };
        if let Some(s) = &service {
            if !id.starts_with(&format!("{s}.")) && id != *s {
                let last = id.rsplit('.').next().unwrap_or("").to_string();
                let sibling = format!("{s}.{last}");
                if cat.function(&sibling).is_some() {
                    id = sibling;
                }
            }
        }
        if no {
            unavailable.push(id);
        } else {
            available.push(id);
        }
    }

    // 「加盟店管理画面においても、「…お知らせ」画面が表示されます」: that function is down too.
    if !unavailable.is_empty() {
        for l in lines {
            if bracketed_before(&l.norm, "画面").is_some_and(|p| p.contains("お知らせ")) && l.norm.contains("においても") {
                if let Some(id) = named_in(cat, l.norm.split("においても").next().unwrap_or("")) {
                    if !unavailable.contains(&id) {
                        unavailable.push(id);
                    }
                }
            }
        }
    }

    // メンテナンス中の動作 / 影響: what each channel shows.
    for l in lines {
        let low = lower(&l.norm);
        let code = low.find('z').and_then(|i| {
            let s: String = l.norm[i..].chars().take(10).collect();
            (s.len() == 10 && s[1..].chars().all(|c| c.is_ascii_digit())).then_some(s)
        });
        let page = bracketed_before(&l.norm, "画面").filter(|p| p.contains("お知らせ"));
        let message = bracketed_before(&l.norm, "と表示");
        if code.is_none() && page.is_none() && message.is_none() {
            continue;
        }
        for (channel, words) in CHANNELS {
            let named = words.iter().any(|w| low.contains(w));
            if !named || (channel == "api" && !low.contains("api")) {
                continue;
            }
            // `api` is named inside `トークン/api` too; a row naming only the modal is not the API.
            if channel == "token_embedded" && low.contains("トークン(モーダル)") && !low.contains("組込") {
                continue;
            }
            if d.effects.iter().any(|(c, _)| c == channel) {
                continue;
            }
            let mut fields = Vec::new();
            match channel {
                "token_embedded" | "api" => {
                    if let Some(c) = &code {
                        fields.push(("error_code".to_string(), c.clone()));
                    }
                }
                _ => {
                    if let Some(m) = &message {
                        fields.push(("message".to_string(), m.clone()));
                    } else if let Some(p) = &page {
                        fields.push(("page".to_string(), p.clone()));
                    } else if let Some(c) = &code {
                        fields.push(("error_code".to_string(), c.clone()));
                    }
                }
            }
            if !fields.is_empty() {
                d.effects.push((channel.to_string(), fields));
            }
        }
    }
    let silent: Vec<&str> = CHANNELS.iter().map(|c| c.0).filter(|c| d.effects.iter().all(|(e, _)| e != c)).collect();
    if !silent.is_empty() && !incident {
        d.notes.push(format!("次の接続方式での表示は記載がない（カタログの既定）: {}", silent.join(", ")));
        d.notes_en.push(format!("What these connection methods show is not stated (catalogue default): {}", silent.join(", ")));
    }

    // Windows: each line with a date and a time range, or a planned day.
    let postponed_word = lines.iter().any(|l| l.norm.contains("延期"));
    let mut i = 0;
    let mut n_windows = 0;
    let mut used_refs: Vec<String> = Vec::new();
    let mut postponements: Vec<(String, Option<Shape>, WindowDraft)> = Vec::new();
    while i < lines.len() {
        let mut norm = lines[i].norm.clone();
        let mut orig = lines[i].orig.clone();
        let mut found = when::find(&norm);
        // A range broken across lines: `23:00~` then `11月13日(月) 7:00`.
        if found.last().is_some_and(|f| f.open_end) && i + 1 < lines.len() {
            let joined = format!("{norm}{}", lines[i + 1].norm);
            let again = when::find(&joined);
            if again.len() == found.len() && again.last().is_some_and(|f| f.end.is_some()) {
                norm = joined;
                orig = format!("{orig}{}", lines[i + 1].orig);
                found = again;
                i += 1;
            }
        }
        let idx = i;
        i += 1;
        if quoted_from.is_some_and(|q| idx > q) {
            continue;
        }
        // 以上 ends the notice; what follows is attachments (screens, forms).
        if norm == "以上" {
            break;
        }
        // The publication line (`第1報 2025年3月4日 10:30 掲載`) is no window.
        if pub_line.as_deref() == Some(norm.as_str()) {
            continue;
        }
        for f in &found {
            let Some(w) = window_from(f, &norm, &orig, idx, lines, year, cat, &unavailable, &available, incident) else { continue };
            let mut w = w;
            if d.windows.iter().any(|x| x.shape == w.shape && x.functions == w.functions) {
                continue;
            }
            // `⇒ 8月9日…に延期となりました`: an amendment, published after the notice.
            if (norm.starts_with('⇒') || norm.starts_with('→')) && postponed_word && norm.contains("延期") {
                if let Some(prev) = d.windows.last().filter(|p| p.revises.is_none() && matches!(w.shape, Some(Shape::Confirmed { .. }))) {
                    postponements.push((prev.id.clone(), prev.shape.clone(), w));
                    continue;
                }
            }
            // A revision of the referenced notice's window with the same functions.
            if let Some(r) = referenced.as_ref().filter(|_| matches!(w.shape, Some(Shape::Confirmed { .. }))) {
                let target = known
                    .lineage_views()
                    .filter(|l| l.notice().id() == r)
                    .find(|l| {
                        l.last_described().and_then(|v| v.spec()).is_some_and(|s| {
                            s.functions.iter().map(|f| cat.functions()[*f].id().to_string()).collect::<Vec<_>>() == w.functions
                        })
                    })
                    .filter(|l| !used_refs.iter().any(|u| l.uid().ends_with(&format!("/{u}"))));
                match target {
                    Some(t) => {
                        let window = t.uid().rsplit_once('/').map(|x| x.1.to_string()).unwrap_or_default();
                        let action = if norm.contains("延期") { "postpone" } else { "replace" };
                        w.inferred.push((
                            "start".into(),
                            format!("参照先のお知らせ {r} の同じ機能({})の枠を改定するものと読んだ（掲載日と行見出しの一致）。", w.functions.join(", ")),
                            format!("Read as revising the window of {r} for the same functions ({}): the publication date and the row label match.", w.functions.join(", ")),
                        ));
                        used_refs.push(window.clone());
                        w.revises = Some((r.clone(), window, action.to_string()));
                    }
                    None if w.shape.as_ref().is_some_and(|s| matches!(s, Shape::Confirmed { .. })) => {
                        w.todos.push(format!(
                            "no window of {r} has the functions {}: is this a new window, or a change of one of its windows?",
                            w.functions.join(", ")
                        ));
                    }
                    None => {}
                }
            }
            if w.revises.is_none() {
                n_windows += 1;
                w.id = if n_windows == 1 { "window".into() } else { format!("window-{n_windows}") };
            }
            d.windows.push(w);
        }
    }
    if let Some(r) = &referenced {
        for l in known.lineage_views().filter(|l| l.notice().id() == r) {
            let w = l.uid().rsplit_once('/').map(|x| x.1.to_string()).unwrap_or_default();
            if !used_refs.contains(&w) {
                d.todos
                    .push(format!("window `{w}` of {r} is not matched by any row of this notice: does it stay, move or is it cancelled?"));
            }
        }
    }
    if d.windows.is_empty() {
        d.todos.push("no window with a date and times found in the text".into());
    }
    let mut out = Vec::new();
    for (k, (window, old_shape, mut w)) in postponements.into_iter().enumerate() {
        let start = match &old_shape {
            Some(Shape::Confirmed { start, .. }) => *start,
            _ => continue,
        };
        let mut p = DraftNotice {
            source_name: d.source_name.clone(),
            id: format!("{}-postponement{}", d.id, if k == 0 { String::new() } else { format!("-{}", k + 1) }),
            published: "unknown".into(),
            known_by: Some(start.format("%Y-%m-%d %H:%M").to_string()),
            title: d.title.clone(),
            source: format!("{}の追記「{}」（追記日の記載なし）", d.source, w.note.trim_matches(['「', '」'])),
            incident: d.incident,
            ..DraftNotice::default()
        };
        p.inferred.push((
            "published".into(),
            format!("追記に日付はない。開始前でなければ延期できないため、遅くとも当初の開始({})には公開されていたとみなした。", start.format("%Y-%m-%d %H:%M")),
            format!("The amendment is undated; a window can only be postponed before it starts, so it was public by the original start ({}) at the latest.", start.format("%Y-%m-%d %H:%M")),
        ));
        p.todos.push("the amendment (延期) gives no date of its own: check `known_by`, or give `published` if the date is known".into());
        w.revises = Some((d.id.clone(), window, "postpone".into()));
        w.functions.clear();
        w.available.clear();
        w.title = None;
        p.windows.push(w);
        out.push(p);
    }
    out.insert(0, d);
    out
}

/// Table cells: tabs, or runs of two or more spaces (pdftotext -layout).
fn cells(line: &str) -> Vec<&str> {
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

/// The 「…」 text closing just before `word`.
fn bracketed_before(line: &str, word: &str) -> Option<String> {
    let end = line.find(&format!("」{word}")).or_else(|| line.find(&format!("」 {word}")))?;
    let start = line[..end].rfind('「')?;
    Some(line[start + '「'.len_utf8()..end].to_string())
}

#[allow(clippy::too_many_arguments)]
fn window_from(
    f: &Found,
    norm: &str,
    orig: &str,
    idx: usize,
    lines: &[Line],
    year: i32,
    cat: &Catalogue,
    unavailable: &[String],
    available: &[String],
    incident: bool,
) -> Option<WindowDraft> {
    let mut w = WindowDraft {
        id: String::new(),
        revises: None,
        title: None,
        functions: Vec::new(),
        available: Vec::new(),
        shape: None,
        note: format!("「{}」", orig.split_whitespace().collect::<Vec<_>>().join(" ")),
        inferred: Vec::new(),
        todos: Vec::new(),
        incident,
    };
    let tentative = f.start.is_none() && (f.date.planned || f.date.part.is_some());
    if f.start.is_none() && !tentative {
        return None;
    }
    // Publication and reference lines are not windows.
    if f.start.is_none() && ["掲載", "ご案内", "お知らせ"].iter().any(|x| norm.contains(x)) && !f.date.planned && f.date.part.is_none()
    {
        return None;
    }
    let y = f.date.year.unwrap_or(year);
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
    // What the line says after the times (程度, a duration in the next line).
    let tail_dur = f.duration.or_else(|| {
        let next = lines.get(idx + 1).map(|l| l.norm.as_str()).unwrap_or("");
        duration_in(&norm[f.end_at.min(norm.len())..]).or_else(|| duration_in(next))
    });
    if tentative {
        let (date, last) = match f.date.part {
            Some(_) => {
                let (a, b) = when::part_span(&f.date, y)?;
                (a, Some(b))
            }
            None => (when::resolve(&f.date, y)?, None),
        };
        w.shape = Some(Shape::Tentative { date, last_date: last, expected: tail_dur });
        if f.date.part.is_some() {
            w.inferred.push((
                "date".into(),
                "「旬」の記載から、その期間の日々を予定日とした。".into(),
                "The text gives a part of a month (上旬/中旬/下旬): its days are the tentative days.".into(),
            ));
        }
    } else {
        let day = when::resolve(&f.date, y)?;
        let start_t = f.start?;
        let start = when::at(day, &start_t)?;
        match when::span(f, y) {
            Some((s, e)) => {
                if let Some((m, approx)) = f.duration {
                    if !approx && (e - s).num_minutes() != m {
                        w.todos.push(format!(
                            "the text states a length of {} but {} to {} is {}: which is right?",
                            crate::draft::write::minutes(m),
                            s.format("%H:%M"),
                            e.format("%H:%M"),
                            crate::draft::write::minutes((e - s).num_minutes())
                        ));
                    }
                }
                w.shape = Some(Shape::Confirmed {
                    start: s,
                    end: Some(e),
                    start_approx: start_t.approx,
                    end_approx: f.end.is_some_and(|t| t.approx),
                    expected: None,
                });
            }
            None if !incident && !f.open_end => return None,
            None => {
                w.shape = Some(Shape::Confirmed { start, end: None, start_approx: start_t.approx, end_approx: false, expected: tail_dur });
                w.todos.push("the text gives no end time: the window is open (`end = \"unknown\"`) until a notice gives the end; never fill in a guess".into());
                w.inferred.push(("end".into(), "終了時刻の記載がない。".into(), "The text gives no end time.".into()));
            }
        }
    }
    // The row label: the text before the date, or the line above when the row is broken.
    let mut label = clean_label(&norm[..f.at.min(norm.len())]);
    if let Some(c) = cells(&label).last() {
        label = clean_label(c);
    }
    if let Some(prev) = prev_line(lines, idx).filter(|_| label.is_empty()) {
        if when::find(prev).is_empty() && prev.chars().count() <= 20 {
            label = clean_label(prev);
        }
    }
    let prose = label.contains(['、', '。']) || label.chars().count() > 30;
    let label_above = prev_line(lines, idx).filter(|p| when::find(p).is_empty() && p.chars().count() <= 20 && !p.contains(['、', '。']));
    if prose || (label.is_empty() && label_above.is_none()) {
        // Prose, not a table row: the functions the sentence (or the one before it) names.
        let para = format!("{}{}", prev_line(lines, idx).unwrap_or(""), norm);
        match named_in(cat, &para) {
            Some(id) => {
                w.functions = vec![id.clone()];
                w.inferred.push((
                    "functions".into(),
                    format!("表の行ではなく文中の日時。対象は文中の語から {id} と読んだ。"),
                    format!("A date in a sentence, not a table row; the functions are read as {id} from the words around it."),
                ));
                w.todos.push(format!("the date in 「{orig}」 is in a sentence: check that it stops {id}, and whether it changes an existing window (a standing rule's night is an [[occurrence]])"));
                return Some(w);
            }
            None => label.clear(),
        }
    }
    if is_generic(&label) {
        if !unavailable.is_empty() {
            w.functions = unavailable.to_vec();
            w.available = available.to_vec();
        } else {
            w.functions = vec!["webcollect".into()];
            w.inferred.push((
                "functions".into(),
                "行見出しがなく、対象機能の表もない。本文の「クロネコwebコレクト」全体と読んだ。".into(),
                "No row label and no table of functions: read as all of Kuroneko Web Collect.".into(),
            ));
            w.todos.push(format!("which functions does 「{orig}」 stop? the draft says all of webcollect"));
        }
    } else {
        match label_of(cat, &label) {
            Ok(id) => {
                w.functions = vec![id];
                w.title = Some(format!("メンテナンス（{label}）"));
                w.inferred.push((
                    "title".into(),
                    "見出しはない。日程表の行見出しから作成。".into(),
                    "No title given; the row label of the schedule table.".into(),
                ));
                if !available.is_empty() && w.functions.iter().any(|f| available.iter().any(|a| a.starts_with(&format!("{f}.")))) {
                    w.available = available.to_vec();
                }
            }
            Err(NameError::Unknown { suggestions, .. }) => {
                let ids: Vec<String> = suggestions.iter().map(|(id, _)| id.clone()).collect();
                w.functions = vec![ids.first().cloned().unwrap_or_else(|| "webcollect".into())];
                w.todos.push(format!(
                    "the row label 「{label}」 is not in the catalogue (closest: {}): set `functions`, or add the label to `aliases` in functions.toml",
                    if ids.is_empty() { "none".into() } else { ids.join(", ") }
                ));
                w.inferred.push((
                    "functions".into(),
                    format!("行見出し「{label}」はカタログにない。"),
                    format!("The row label 「{label}」 is not in the catalogue."),
                ));
            }
            Err(NameError::Ambiguous { candidates, .. }) => {
                let ids: Vec<String> = candidates.iter().map(|(id, _)| id.clone()).collect();
                w.functions = vec![ids.first().cloned().unwrap_or_else(|| "webcollect".into())];
                w.todos.push(format!("the row label 「{label}」 names several functions ({}): which?", ids.join(", ")));
                w.inferred.push((
                    "functions".into(),
                    format!("行見出し「{label}」は複数の機能に当たる。"),
                    format!("The row label 「{label}」 names several functions."),
                ));
            }
        }
    }
    Some(w)
}

/// The last non-blank line before line `idx`.
fn prev_line(lines: &[Line], idx: usize) -> Option<&str> {
    lines[..idx.min(lines.len())].iter().rev().map(|l| l.norm.as_str()).find(|l| !l.is_empty())
}

/// The function whose label or alias is the longest one occurring in `text`.
fn named_in(cat: &Catalogue, text: &str) -> Option<String> {
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
fn duration_in(s: &str) -> Option<(i64, bool)> {
    let pos = s.find("時間").or_else(|| s.find('分'))?;
    let digits_start =
        s[..pos].trim_end().rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + s[i..].chars().next().map_or(1, char::len_utf8));
    let n: i64 = s[digits_start..pos].trim().parse().ok()?;
    let after = &s[pos..];
    let minutes = if after.starts_with("時間") { n * 60 } else { n };
    let approx = after.contains("程度") || after.contains("ほど");
    Some((minutes, approx))
}
