//! Window lists and the status screen as people read them: titles first, one-off windows
//! before standing rules, a standing rule shown once ("every day 23:00–01:00 JST, since
//! 2023-10-10") with only the nights it changes or cancels, tentative and postponed windows
//! marked in words. Everything shown comes from the evaluator's answers ([`WindowList`],
//! [`AnswerSet`]); the lineage views add only which nights a rule cancels.
//!
//! Colour is the caller's: each status word passes through a painter ([`Tone`]), so the
//! library writes no escape codes and the words carry the meaning without colour.

use crate::engine::answer::{WindowInfo, WindowKind, WindowList};
use crate::engine::checkout::AnswerSet;
use crate::engine::eval::Status;
use crate::engine::model::{Kind, Lang};
use crate::engine::schedule::Schedule;
use crate::views::text::{span, visible_line};
use crate::views::words::{self, ListWords};
use chrono::{DateTime, FixedOffset, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

/// What a painted word says, for a terminal's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Unavailable, cancelled: red.
    Down,
    /// Tentative, postponed, changed: yellow.
    Warn,
    /// Available: green.
    Up,
    /// A heading: bold.
    Head,
    /// Ids and other detail: dim.
    Dim,
}

/// Paints a word; [`plain`] leaves it as it is.
pub type Paint<'a> = &'a dyn Fn(Tone, &str) -> String;

/// The painter for pipes and `NO_COLOR`: no escape codes.
pub fn plain(_: Tone, s: &str) -> String {
    s.to_string()
}

/// One line, control characters shown (the values are the schedule's text).
fn line(out: &mut String, s: &str) {
    out.push_str(&visible_line(s));
    out.push('\n');
}

fn when(t: &DateTime<FixedOffset>, zone: Tz) -> String {
    let t = t.with_timezone(&zone);
    let hm = if t.second() == 0 { t.format("%H:%M") } else { t.format("%H:%M:%S") };
    format!("{} {hm} {}", t.format("%Y-%m-%d"), t.format("%Z"))
}

fn title(w: &WindowInfo) -> &str {
    w.title.as_deref().unwrap_or(&w.notice_title)
}

/// The labels of the functions a window names, in `lang`, with their ids; with two or more
/// providers in the catalogue, then the window's provider (` · Acme Pay`).
fn functions(s: &Schedule, w: &WindowInfo, lang: Lang) -> String {
    let cat = s.catalogue();
    let mut out = w
        .functions
        .iter()
        .map(|id| match cat.function(id) {
            Some(i) => format!("{} ({id})", cat.functions()[i].label(lang)),
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if cat.providers().len() >= 2 {
        if let Some(p) = w.provider.as_deref().and_then(|id| cat.providers().iter().find(|p| p.id() == id)) {
            out.push_str(" · ");
            out.push_str(p.label(lang));
        }
    }
    out
}

/// The local hours of an occurrence, to tell the usual nights from the changed ones.
type Hours = (String, String, bool, bool, bool, WindowKind);

fn hours(w: &WindowInfo, zone: Tz) -> Hours {
    let f = |t: &DateTime<FixedOffset>| t.with_timezone(&zone).format("%H:%M:%S").to_string();
    (f(&w.start), f(&w.end), w.start_approx, w.end_approx, w.end_unknown, w.kind)
}

/// `23:00–01:00 JST` for a rule's usual hours.
fn hours_text(w: &WindowInfo, zone: Tz, lang: Lang) -> String {
    let f = |t: &DateTime<FixedOffset>, approx: bool| {
        let t = t.with_timezone(&zone);
        let hm = if t.second() == 0 { t.format("%H:%M").to_string() } else { t.format("%H:%M:%S").to_string() };
        words::approx(lang, approx, &hm)
    };
    format!("{}–{} {}", f(&w.start, w.start_approx), f(&w.end, w.end_approx), w.start.with_timezone(&zone).format("%Z"))
}

/// The marks after a window's span: tentative, postponed, incident, in words.
fn marks(w: &WindowInfo, words: &ListWords, paint: Paint) -> String {
    let mut m = String::new();
    match w.kind {
        WindowKind::Tentative => m.push_str(&format!("  [{}]", paint(Tone::Warn, words.tentative))),
        WindowKind::Postponed => m.push_str(&format!("  [{}]", paint(Tone::Warn, words.postponed))),
        WindowKind::Confirmed => {}
    }
    if w.category == Kind::Incident {
        m.push_str(&format!("  [{}]", paint(Tone::Down, words.incident)));
    }
    m
}

/// A window list as people read it; every occurrence on its own line with `expand`.
pub fn window_list(s: &Schedule, l: &WindowList, zone: Tz, lang: Lang, expand: bool, paint: Paint) -> String {
    let w = words::list(lang);
    let mut out = String::new();
    let scope = l.function.as_deref().map(|f| format!(" — {f}")).unwrap_or_default();
    let head = format!("{} {} – {}{scope} ({} {})", w.windows, when(&l.from, zone), when(&l.to, zone), w.as_of, when(&l.as_of, zone));
    out.push_str(&paint(Tone::Head, &visible_line(&head)));
    out.push('\n');
    out.push_str(&body(s, l, zone, lang, expand, paint));
    if l.truncated {
        line(&mut out, &format!("({})", w.cut));
    }
    for d in &l.delays {
        line(&mut out, &crate::views::text::delay(d, zone, lang));
    }
    out
}

/// The windows of a list without its heading: one-offs, then standing rules.
fn body(s: &Schedule, l: &WindowList, zone: Tz, lang: Lang, expand: bool, paint: Paint) -> String {
    let w = words::list(lang);
    let mut out = String::new();
    if l.windows.is_empty() {
        line(&mut out, &format!("  {}", w.none));
        return out;
    }
    let (rules, one_off): (Vec<&WindowInfo>, Vec<&WindowInfo>) = l.windows.iter().partition(|x| x.rrule.is_some() && !expand);
    if !one_off.is_empty() {
        if !rules.is_empty() {
            line(&mut out, w.one_off);
        }
        for x in &one_off {
            let span = visible_line(&span(x, zone, lang)).into_owned();
            out.push_str(&format!("  {span}  {}{}\n", visible_line(title(x)), marks(x, w, paint)));
            let detail = format!("      {} · {}", functions(s, x, lang), x.uid);
            out.push_str(&paint(Tone::Dim, &visible_line(&detail)));
            out.push('\n');
        }
    }
    if rules.is_empty() {
        return out;
    }
    line(&mut out, w.rules);
    let mut uids: Vec<&str> = Vec::new();
    for x in &rules {
        if !uids.contains(&x.uid.as_str()) {
            uids.push(&x.uid);
        }
    }
    for uid in uids {
        let nights: Vec<&WindowInfo> = rules.iter().copied().filter(|x| x.uid == uid).collect();
        // The usual hours: those most nights have.
        let mut counts: Vec<(Hours, usize, &WindowInfo)> = Vec::new();
        for n in &nights {
            let h = hours(n, zone);
            match counts.iter_mut().find(|(k, _, _)| *k == h) {
                Some(c) => c.1 += 1,
                None => counts.push((h, 1, n)),
            }
        }
        let Some((usual, _, sample)) = counts.iter().max_by_key(|(_, c, _)| *c).cloned() else { continue };
        let since = rule_since(s, sample, l, zone, lang).map(|d| format!(", {} {d}", w.since)).unwrap_or_default();
        let rule = words::rule_words(lang, sample.rrule.as_deref().unwrap_or(""));
        let first = format!("  {rule} {}{since}  {}", hours_text(sample, zone, lang), title(sample));
        line(&mut out, &first);
        let count = words::count(lang, nights.len(), w.occurrences);
        let detail = format!("      {} · {} · {count}", functions(s, sample, lang), uid);
        out.push_str(&paint(Tone::Dim, &visible_line(&detail)));
        out.push('\n');
        for n in nights.iter().filter(|n| hours(n, zone) != usual) {
            let note =
                n.note.as_deref().filter(|note| Some(*note) != sample.note.as_deref()).map(|x| format!(" — {x}")).unwrap_or_default();
            let changed = paint(Tone::Warn, w.changed);
            out.push_str(&format!("      {changed}: {}{note}\n", visible_line(&span(n, zone, lang))));
        }
        for date in cancelled(s, sample, l) {
            out.push_str(&format!("      {}: {date}\n", paint(Tone::Down, w.cancelled)));
        }
    }
    out
}

/// The first day of the rule, as the version in force at the list's as-of describes it.
fn rule_since(s: &Schedule, w: &WindowInfo, l: &WindowList, zone: Tz, lang: Lang) -> Option<NaiveDate> {
    let lineage = s.lineage_of(w)?;
    lineage.at(crate::engine::time::Instant::from(l.as_of))?.describe(zone, lang)?.occurrence
}

/// The nights of the rule in the list's range that a change known at its as-of cancels.
fn cancelled(s: &Schedule, w: &WindowInfo, l: &WindowList) -> Vec<NaiveDate> {
    let Some(lineage) = s.lineage_of(w) else { return Vec::new() };
    let as_of = l.as_of.with_timezone(&Utc);
    let (from, to) = (l.from.date_naive() - chrono::Duration::days(1), l.to.date_naive());
    let mut latest: Vec<(NaiveDate, bool)> = Vec::new();
    for c in lineage.changes().filter(|c| c.known_from() <= as_of) {
        match latest.iter_mut().find(|(d, _)| *d == c.date()) {
            Some(entry) => entry.1 = c.replacement().is_none(),
            None => latest.push((c.date(), c.replacement().is_none())),
        }
    }
    latest.into_iter().filter(|(d, excluded)| *excluded && from <= *d && *d < to).map(|(d, _)| d).collect()
}

/// The status word of a function, painted.
fn status_word(st: Status, w: &ListWords, paint: Paint) -> String {
    match st {
        Status::Available => paint(Tone::Up, w.available),
        Status::Unavailable => paint(Tone::Down, w.unavailable),
        Status::Tentative => paint(Tone::Warn, w.tentative_status),
    }
}

/// The status screen: the verdict first, then every function by service with its status
/// and when it changes, the windows in progress with what buyers see, postponed windows,
/// and the windows coming (`coming`, rules once).
pub fn status_screen(s: &Schedule, set: &AnswerSet, coming: &WindowList, zone: Tz, lang: Lang, paint: Paint) -> String {
    let w = words::list(lang);
    let mut out = String::new();
    let total = set.answers.len();
    let down = set.answers.iter().filter(|a| a.status == Status::Unavailable).count();
    let tent = set.answers.iter().filter(|a| a.status == Status::Tentative).count();
    let mut in_progress: Vec<&WindowInfo> = Vec::new();
    for a in &set.answers {
        for x in &a.windows {
            if !in_progress.iter().any(|y| y.uid == x.uid && y.start == x.start) {
                in_progress.push(x);
            }
        }
    }
    let verdict = if down + tent == 0 {
        paint(Tone::Up, w.all_up)
    } else {
        let mut parts = Vec::new();
        if down > 0 {
            parts.push(format!("{down} {} {total} {}", w.of, status_word(Status::Unavailable, w, paint)));
        }
        if tent > 0 {
            parts.push(format!("{tent} {} {total} {}", w.of, status_word(Status::Tentative, w, paint)));
        }
        parts.join(", ")
    };
    let titles: Vec<&str> = in_progress.iter().map(|x| title(x)).collect();
    let titles = if titles.is_empty() { String::new() } else { format!(" — {}", visible_line(&titles.join("; "))) };
    out.push_str(&format!("{verdict} ({}){titles}\n", when(&set.at, zone)));
    line(&mut out, &format!("  {} {}", w.as_of, when(&set.as_of, zone)));
    let cat = s.catalogue();
    for a in &set.answers {
        let Some(i) = cat.function(&a.function) else { continue };
        let f = &cat.functions()[i];
        let depth = f.id().matches('.').count();
        if depth == 0 {
            out.push('\n');
            out.push_str(&paint(Tone::Head, &visible_line(f.label(lang))));
            out.push('\n');
        }
        let until = match &a.until {
            Some(u) => format!("{} {}", w.until, when(u, zone)),
            None => w.no_change.to_string(),
        };
        let word = status_word(a.status, w, paint);
        let pad = " ".repeat(
            12usize.saturating_sub(
                match a.status {
                    Status::Available => w.available,
                    Status::Unavailable => w.unavailable,
                    Status::Tentative => w.tentative_status,
                }
                .chars()
                .map(|c| if c.is_ascii() { 1 } else { 2 })
                .sum(),
            ),
        );
        let id = paint(Tone::Dim, &format!("{:<30}", a.function));
        out.push_str(&format!("  {word}{pad}{id} {}  ({until})\n", visible_line(f.label(lang))));
    }
    if !in_progress.is_empty() {
        out.push('\n');
        out.push_str(&paint(Tone::Head, w.in_progress));
        out.push('\n');
        for x in &in_progress {
            line(&mut out, &format!("  {}  {}{}", span(x, zone, lang), title(x), marks(x, w, paint)));
            line(&mut out, &format!("      {} · {}", functions(s, x, lang), x.uid));
            for e in &x.effects {
                let parts = e.effect.phrases(w.error, w.page, w.message, w.quotes);
                if !parts.is_empty() {
                    line(&mut out, &format!("      {} {}: {}", w.buyers_see, e.channel, parts.join("; ")));
                }
            }
        }
    }
    let mut pending: Vec<&WindowInfo> = Vec::new();
    for a in &set.answers {
        for p in &a.pending {
            if !pending.iter().any(|y| y.uid == p.uid) {
                pending.push(p);
            }
        }
    }
    if !pending.is_empty() {
        out.push('\n');
        out.push_str(&paint(Tone::Head, w.pending));
        out.push('\n');
        for p in pending {
            line(&mut out, &format!("  {}  {} · {}", title(p), functions(s, p, lang), p.uid));
        }
    }
    out.push('\n');
    let head = format!("{} {} – {}", w.coming, when(&coming.from, zone), when(&coming.to, zone));
    out.push_str(&paint(Tone::Head, &visible_line(&head)));
    out.push('\n');
    // What is in progress is listed above, with what buyers see: not again as coming.
    let mut ahead = coming.clone();
    ahead.windows.retain(|x| !in_progress.iter().any(|y| y.uid == x.uid && y.start == x.start));
    out.push_str(&body(s, &ahead, zone, lang, false, paint));
    out
}

/// The next windows affecting a function (or any): a headline with the first one, then
/// the list (rules once).
pub fn next_list(s: &Schedule, l: &WindowList, zone: Tz, lang: Lang, expand: bool, paint: Paint) -> String {
    let w = words::list(lang);
    let mut out = String::new();
    let first = l.windows.iter().find(|x| x.kind != WindowKind::Postponed);
    let scope = match l.function.as_deref().and_then(|f| s.catalogue().function(f)) {
        Some(i) => format!(" — {} ({})", s.catalogue().functions()[i].label(lang), s.catalogue().functions()[i].id()),
        None => String::new(),
    };
    match first {
        Some(x) => {
            let head = format!("{}{scope}: {}  {}", w.next, span(x, zone, lang), title(x));
            out.push_str(&paint(Tone::Head, &visible_line(&head)));
            out.push_str(&marks(x, w, paint));
        }
        None => {
            let to = when(&l.to, zone);
            let none = words::none_before(lang, w.no_next, &to);
            out.push_str(&paint(Tone::Head, &visible_line(&format!("{}{scope}: {none}", w.next))));
        }
    }
    out.push('\n');
    out.push_str(&window_list(s, l, zone, lang, expand, paint));
    out
}
