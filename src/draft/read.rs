//! The notice reader: NFKC-normalised lines of a notice's text into a draft notice, each
//! reading it cannot make from the text left as a question.

use crate::draft::delay;
use crate::draft::head::{self, Head, Reference};
use crate::draft::model::{DraftNotice, Line, Shape, WindowDraft};
use crate::draft::publish;
use crate::draft::row::{prev_line, window_from, At, RowContext};
use crate::draft::table;
use crate::draft::when::{self, Found};
use crate::draft::{revise, standing};
use crate::engine::schedule::Schedule;
use chrono::{NaiveDate, NaiveDateTime};
use unicode_normalization::UnicodeNormalization;

fn normalise(s: &str) -> String {
    s.nfkc().collect::<String>().replace(['〜', '～', '∼'], "~").replace(['*', '_'], "")
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
    let year_hint = lines.iter().flat_map(|l| when::find(&l.norm)).find_map(|f| f.date.year);
    let pubs = publications(&lines);
    let mut out = Vec::new();
    for (n, lines) in pubs {
        let (lines, appends) = publish::split_appends(lines);
        let mut drafted = read_one(&lines, n, source_name, known, year_hint);
        // A later report of the same text (第2報) gives the same window again, usually with its
        // end: a revision of the earlier report's window, not a second window.
        if n.is_some_and(|n| n > 1) {
            if let Some(d) = drafted.first_mut() {
                later_report(d, &out);
            }
            drop_stale_postponements(&mut drafted);
        }
        let appended: Vec<DraftNotice> = drafted
            .first()
            .map(|main| appends.iter().filter_map(|a| delay::append_notice(main, a, year_hint)).collect())
            .unwrap_or_default();
        out.extend(drafted);
        // Two sections appended the same day are two publications: ids stay unique.
        for mut a in appended {
            let base = a.id.clone();
            let mut k = 1;
            while out.iter().any(|d| d.id == a.id) {
                k += 1;
                a.id = format!("{base}-{k}");
            }
            out.push(a);
        }
    }
    out
}

/// An undated postponement of a window that a later report turned into a revision of the
/// earlier report's window is no publication of its own: it names a window the notice no
/// longer announces. It is left to a person, as a question on the notice.
fn drop_stale_postponements(drafted: &mut Vec<DraftNotice>) {
    let Some(main) = drafted.first() else { return };
    let (main_id, announced): (String, Vec<String>) =
        (main.id.clone(), main.windows.iter().filter(|w| w.revises.is_none() && w.shape.is_some()).map(|w| w.id.clone()).collect());
    let mut dropped = Vec::new();
    drafted.retain(|d| {
        let stale = d
            .windows
            .iter()
            .any(|w| matches!(&w.revises, Some((n, win, a)) if *n == main_id && a == "postpone" && !announced.contains(win)));
        if stale {
            dropped.push(d.id.clone());
        }
        !stale
    });
    if let Some(m) = drafted.first_mut() {
        for id in dropped {
            m.todos.push(format!(
                "the undated postponement ({id}) postpones a window this report revises rather than announces: encode it by hand"
            ));
        }
    }
}

fn start_of(w: &WindowDraft) -> Option<NaiveDateTime> {
    match &w.shape {
        Some(Shape::Confirmed { start, .. }) => Some(*start),
        _ => None,
    }
}

/// `published` as a local date-time (a date: its 00:00), unless `unknown`.
fn local_published(d: &DraftNotice) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(&d.published, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&d.published, "%Y-%m-%d").ok().map(|p| p.and_time(chrono::NaiveTime::MIN)))
}

/// Turns each window of `d` that an earlier report announced (same functions, same start)
/// into a `replace` of it.
fn later_report(d: &mut DraftNotice, earlier: &[DraftNotice]) {
    // Only a report published no later than this one.
    let at = local_published(d);
    let earlier: Vec<&DraftNotice> = earlier.iter().filter(|e| local_published(e).zip(at).is_none_or(|(e, at)| e <= at)).collect();
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

/// An undated `⇒ …に延期となりました` amendment: the window it moves, that window's old
/// times, and its new times.
type Postponement = (String, Option<Shape>, WindowDraft);

fn read_one(lines: &[Line], report: Option<u32>, source_name: &str, known: &Schedule, year_hint: Option<i32>) -> Vec<DraftNotice> {
    let cat = known.catalogue();
    let incident = lines.iter().take(30).any(|l| l.norm.contains("障害"));
    let mut d = DraftNotice { source_name: source_name.to_string(), incident, ..DraftNotice::default() };
    head::title(lines, &mut d);
    let head = head::publication(lines, year_hint, &mut d);
    head::name(&mut d, report, head.pub_date);
    let reference = head::reference(lines, known, &head, &mut d);
    let (unavailable, available) = table::impact(lines, cat, &mut d);
    table::effects(lines, &mut d);
    let cx = RowContext { lines, year: head.year, cat, unavailable, available, incident, from: head.from };
    let mut pass = windows(&cx, known, &head, &reference, &mut d);
    d.delays = delay::delays(lines, delay::maintenance_day(&d));
    rest(&cx, known, &head, &reference, &mut d, &mut pass.used);
    let mut out: Vec<DraftNotice> = Vec::new();
    for (k, p) in pass.postponements.into_iter().enumerate() {
        let note = p.2.note.clone();
        // The window postponed must still be one this notice writes (a window whose times
        // were refused, e.g. past 9999, is not).
        if !d.windows.iter().any(|x| x.id == p.0 && x.shape.is_some() && x.revises.is_none()) {
            d.todos.push(format!("the amendment {note} postpones a window this draft does not write: encode it by hand"));
            continue;
        }
        match postponement_notice(&d, k, p) {
            Some(n) => out.push(n),
            None => d
                .todos
                .push(format!("the amendment {note} postpones a window that began before this notice was published: encode it by hand")),
        }
    }
    out.insert(0, d);
    out
}

/// Line `*i`, joined with the next when a range is broken across them (`23:00~` then
/// `11月13日(月) 7:00`); moves `*i` past what it read. Returns the index of the line read.
fn next_line(lines: &[Line], i: &mut usize) -> (String, String, Vec<Found>, usize) {
    let mut norm = lines[*i].norm.clone();
    let mut orig = lines[*i].orig.clone();
    let mut found = when::find(&norm);
    if found.last().is_some_and(|f| f.open_end) && *i + 1 < lines.len() {
        let joined = format!("{norm}{}", lines[*i + 1].norm);
        let again = when::find(&joined);
        if again.len() == found.len() && again.last().is_some_and(|f| f.end.is_some()) {
            norm = joined;
            orig = format!("{orig}{}", lines[*i + 1].orig);
            found = again;
            *i += 1;
        }
    }
    let idx = *i;
    *i += 1;
    (norm, orig, found, idx)
}

/// What the window pass carries from line to line.
#[derive(Default)]
struct Pass {
    /// Windows of the referenced notice already revised.
    used: Vec<String>,
    /// New windows so far (for their ids).
    n_windows: usize,
    /// Undated postponements, to become publications.
    postponements: Vec<Postponement>,
    /// Whether the text says 延期 anywhere.
    postponed_word: bool,
}

/// Windows: each line with a date and a time range, or a planned day; revisions of the
/// referenced notice's windows; nights of standing rules; undated postponements.
fn windows(cx: &RowContext<'_>, known: &Schedule, head: &Head, r: &Reference, d: &mut DraftNotice) -> Pass {
    let mut p = Pass { postponed_word: cx.lines.iter().any(|l| l.norm.contains("延期")), ..Pass::default() };
    let mut i = 0;
    let mut attachment = false;
    while i < cx.lines.len() {
        let (norm, orig, found, idx) = next_line(cx.lines, &mut i);
        if r.quoted_from.is_some_and(|q| idx > q) {
            continue;
        }
        // 以上 ends the notice; what follows is attachments (screens, forms). An attachment
        // (資料 / 別紙) inside the notice runs to the next section heading.
        if norm == "以上" {
            break;
        }
        let l = &cx.lines[idx];
        attachment = publish::is_attachment(l) || (attachment && !publish::is_heading(l));
        if attachment {
            continue;
        }
        // The publication line (`第1報 2025年3月4日 10:30 掲載`) is no window.
        if head.pub_line.as_deref() == Some(norm.as_str()) || (found.len() == 1 && publish::stamp(&norm).is_some()) {
            continue;
        }
        for f in &found {
            place(cx, known, r, &At { f, norm: &norm, orig: &orig, idx }, d, &mut p);
        }
    }
    p
}

/// The window (or revision, or night of a rule) one date of a line stands for, if any.
fn place(cx: &RowContext<'_>, known: &Schedule, r: &Reference, at: &At<'_>, d: &mut DraftNotice, p: &mut Pass) {
    let Some(mut w) = window_from(cx, at).or_else(|| revise::day_of_maintenance(cx, known, at)) else { return };
    if d.windows.iter().any(|x| x.shape == w.shape && x.functions == w.functions) {
        return;
    }
    // `⇒ 8月9日…に延期となりました`: an amendment, published after the notice.
    if (at.norm.starts_with('⇒') || at.norm.starts_with('→')) && p.postponed_word && at.norm.contains("延期") {
        if let Some(prev) = d.windows.last().filter(|x| x.revises.is_none() && matches!(w.shape, Some(Shape::Confirmed { .. }))) {
            p.postponements.push((prev.id.clone(), prev.shape.clone(), w));
            return;
        }
    }
    if let Some(o) = revise::night_of_rule(cx, known, &w) {
        let para = format!("{}{}", prev_line(cx.lines, at.idx).unwrap_or(""), at.norm);
        if let Some(c) = r.notice.as_deref().and_then(|n| revise::usual_hours(cx, known, n, &w, &para, &p.used)) {
            if let Some((_, window, _)) = &c.revises {
                p.used.push(window.clone());
            }
            d.windows.push(c);
        }
        if !d.occurrences.contains(&o) {
            d.occurrences.push(o);
        }
        return;
    }
    if let Some(notice) = r.notice.as_deref().filter(|_| w.revises.is_none()) {
        revise_referenced(cx, known, notice, at.norm, &mut w, &mut p.used);
    }
    if w.revises.is_none() {
        p.n_windows += 1;
        w.id = if p.n_windows == 1 { "window".into() } else { format!("window-{}", p.n_windows) };
    }
    d.windows.push(w);
}

/// What is left after the window pass: windows called off (中止), changes of standing
/// rules, new standing rules, and the windows of the referenced notice nothing matched.
fn rest(cx: &RowContext<'_>, known: &Schedule, head: &Head, r: &Reference, d: &mut DraftNotice, used: &mut Vec<String>) {
    if let Some(notice) = &r.notice {
        // Not the title (「…中止のお知らせ」): the sentence that says what is called off.
        for l in cx.lines.iter().filter(|l| l.norm.contains("中止") && l.orig.trim_start_matches(['#', ' ']) != d.title) {
            d.windows.extend(revise::called_off(cx, known, notice, l, used));
        }
    }
    standing::change(cx, known, &mut d.windows, &mut d.todos);
    let mut rules = Vec::new();
    standing::rules(cx, head.pub_date, &mut rules, &mut d.todos);
    d.windows.extend(rules);
    if let Some(notice) = &r.notice {
        for l in cx.earlier_windows(known).filter(|l| l.notice().id() == notice) {
            let w = revise::window_id(&l);
            if !used.contains(&w) {
                d.todos.push(format!(
                    "window `{w}` of {notice} is not matched by any row of this notice: does it stay, move or is it cancelled?"
                ));
            }
        }
    }
    if d.windows.is_empty() && d.occurrences.is_empty() && d.delays.is_empty() {
        d.todos.push("no window with a date and times found in the text".into());
    }
}

/// A confirmed window `w` of a notice referring to `notice`: a revision of its window with
/// the same functions (not yet matched), else a question.
fn revise_referenced(cx: &RowContext<'_>, known: &Schedule, notice: &str, norm: &str, w: &mut WindowDraft, used: &mut Vec<String>) {
    if !matches!(w.shape, Some(Shape::Confirmed { .. })) {
        return;
    }
    let target = cx
        .earlier_windows(known)
        .filter(|l| l.notice().id() == notice)
        .find(|l| {
            l.last_described()
                .and_then(|v| v.spec())
                .is_some_and(|s| s.functions.iter().map(|f| cx.cat.functions()[*f].id().to_string()).collect::<Vec<_>>() == w.functions)
        })
        .filter(|l| !used.iter().any(|u| l.uid().ends_with(&format!("/{u}"))));
    let Some(t) = target else {
        w.todos.push(format!(
            "no window of {notice} has the functions {}: is this a new window, or a change of one of its windows?",
            w.functions.join(", ")
        ));
        return;
    };
    let window = t.uid().rsplit_once('/').map(|x| x.1.to_string()).unwrap_or_default();
    let action = if norm.contains("延期") { "postpone" } else { "replace" };
    let fs = w.functions.join(", ");
    w.inferred.push((
        "start".into(),
        format!("参照先のお知らせ {notice} の同じ機能({fs})の枠を改定するものと読んだ（掲載日と行見出しの一致）。"),
        format!("Read as revising the window of {notice} for the same functions ({fs}): the publication date and the row label match."),
    ));
    used.push(window.clone());
    w.revises = Some((notice.to_string(), window, action.to_string()));
}

/// The `k`-th undated postponement of `d` as a publication of its own: `published =
/// "unknown"`, known by the original start (it must have been public before it began).
fn postponement_notice(d: &DraftNotice, k: usize, (window, old_shape, mut w): Postponement) -> Option<DraftNotice> {
    let Some(Shape::Confirmed { start, .. }) = old_shape else { return None };
    // The amendment cannot come before the notice it amends.
    if local_published(d).is_some_and(|p| start <= p) {
        return None;
    }
    let start = start.format("%Y-%m-%d %H:%M").to_string();
    let mut p = DraftNotice {
        source_name: d.source_name.clone(),
        id: format!("{}-postponement{}", d.id, if k == 0 { String::new() } else { format!("-{}", k + 1) }),
        published: "unknown".into(),
        known_by: Some(start.clone()),
        title: d.title.clone(),
        source: format!("{}の追記「{}」（追記日の記載なし）", d.source, w.note.trim_matches(['「', '」'])),
        incident: d.incident,
        ..DraftNotice::default()
    };
    p.inferred.push((
        "published".into(),
        format!("追記に日付はない。開始前でなければ延期できないため、遅くとも当初の開始({start})には公開されていたとみなした。"),
        format!("The amendment is undated; a window can only be postponed before it starts, so it was public by the original start ({start}) at the latest."),
    ));
    p.todos.push("the amendment (延期) gives no date of its own: check `known_by`, or give `published` if the date is known".into());
    w.revises = Some((d.id.clone(), window, "postpone".into()));
    w.functions.clear();
    w.available.clear();
    w.title = None;
    p.windows.push(w);
    Some(p)
}
