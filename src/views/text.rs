//! Plain-text rendering of answers, window lists, the catalogue and load errors: what
//! `--format text` prints. JSON is the answer types' own serialization.

use crate::engine::answer::{Answer, DelayInfo, WindowInfo, WindowKind, WindowList};
use crate::engine::eval::Status;
use crate::engine::model::Catalogue;
use crate::engine::model::EffectSource;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use std::fmt::Write as _;

fn when(t: &DateTime<FixedOffset>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string()
}

fn approx(flag: bool) -> &'static str {
    if flag {
        "~"
    } else {
        ""
    }
}

/// `2023-11-13 02:00–05:30 JST`, or with both dates when they differ; `~` marks approximate times.
pub fn span(w: &WindowInfo, zone: Tz) -> String {
    let (s, e) = (w.start.with_timezone(&zone), w.end.with_timezone(&zone));
    if w.kind == WindowKind::Tentative {
        let last = e - chrono::Duration::days(1);
        let days = if last.date_naive() == s.date_naive() {
            s.format("%Y-%m-%d").to_string()
        } else {
            format!("{} – {}", s.format("%Y-%m-%d"), last.format("%Y-%m-%d"))
        };
        let expected =
            w.expected_duration.as_ref().map(|d| format!(", {}{d} expected", approx(w.expected_duration_approx))).unwrap_or_default();
        return format!("{days} (times not announced{expected})");
    }
    let end_fmt = if e.date_naive() == s.date_naive() { "%H:%M %Z" } else { "%Y-%m-%d %H:%M %Z" };
    let sep = if e.date_naive() == s.date_naive() { "–" } else { " – " };
    format!("{}{}{sep}{}{}", approx(w.start_approx), s.format("%Y-%m-%d %H:%M"), approx(w.end_approx), e.format(end_fmt))
}

fn label(w: &WindowInfo) -> String {
    format!("メンテナンス: {}", w.title.as_deref().unwrap_or(&w.notice_title))
}

fn window_lines(out: &mut String, head: &str, w: &WindowInfo, zone: Tz) {
    let _ = writeln!(out, "  {head:<9} {}  [{}]  {}", span(w, zone), w.kind.as_str(), w.uid);
    let _ = writeln!(out, "  {:<9} {} — covers {}", "", w.title.as_deref().unwrap_or(&w.notice_title), w.functions.join(", "));
    if let Some(r) = &w.revision {
        let verb = match r.action {
            crate::engine::model::Action::Postpone => "postponed",
            crate::engine::model::Action::Cancel => "cancelled",
            _ => "replaced",
        };
        let _ = writeln!(out, "  {:<9} {verb} by {} (sequence {})", "", r.notice, r.sequence);
    }
    let _ = writeln!(out, "  {:<9} notice {} «{}», known from {}", "", w.notice, w.notice_title, w.known_from.format("%Y-%m-%d %H:%M%:z"));
    for e in &w.effects {
        let parts = e.effect.phrases("error", "page ", "message ", ("«", "»"));
        let src = if e.source == EffectSource::Default { " [catalogue default]" } else { "" };
        let _ = writeln!(out, "  {:<9} {}: {}{src}", "", e.channel, parts.join("; "));
    }
}

/// The text form of an answer: one summary line, then the details.
pub fn answer(a: &Answer, zone: Tz) -> String {
    let mut out = String::new();
    let until = a.until.as_ref().map(|u| format!(" until {}", when(u, zone))).unwrap_or_default();
    let first = match a.status {
        Status::Available => match &a.next {
            Some(n) => format!("available{until} — next {}: {}", label(n), span(n, zone)),
            None => format!("available{until} — no window ahead"),
        },
        Status::Unavailable | Status::Tentative => {
            let w = a.windows.iter().find(|w| (w.kind == WindowKind::Confirmed) == (a.status == Status::Unavailable)).or(a.windows.first());
            let what = w.map(label).unwrap_or_default();
            let tentative = if a.status == Status::Tentative { " (date announced, times not yet)" } else { "" };
            format!("{}{until} — {what}{tentative}", a.status)
        }
    };
    let _ = writeln!(out, "{first}");
    let _ = writeln!(out, "  {:<9} {}", "function", a.function);
    let _ = writeln!(out, "  {:<9} {}", "at", when(&a.at, zone));
    if a.lookahead != "0s" {
        let _ = writeln!(out, "  {:<9} {} (the answer covers [at, at + {}))", "for", a.lookahead, a.lookahead);
    }
    let _ = writeln!(out, "  {:<9} {}", "as of", when(&a.as_of, zone));
    for w in &a.windows {
        window_lines(&mut out, "window", w, zone);
    }
    if let Some(n) = &a.next {
        window_lines(&mut out, "next", n, zone);
    }
    out
}

/// The text form of a window list: one line per occurrence, then delays.
pub fn window_list(l: &WindowList, zone: Tz) -> String {
    let mut out = String::new();
    let scope = l.function.as_deref().map(|f| format!(" affecting {f}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{} window{}{scope} from {} to {}, as of {}",
        l.windows.len(),
        if l.windows.len() == 1 { "" } else { "s" },
        when(&l.from, zone),
        when(&l.to, zone),
        when(&l.as_of, zone)
    );
    for w in &l.windows {
        let _ = writeln!(out, "{:<44} {:<10} {:<40} {}", span(w, zone), w.kind.as_str(), w.uid, w.functions.join(","));
    }
    if l.truncated {
        let _ = writeln!(out, "(cut at {} windows: narrow the range or raise --limit)", l.windows.len());
    }
    for d in &l.delays {
        let _ = writeln!(out, "{}", delay(d, zone));
    }
    out
}

fn delay(d: &DelayInfo, zone: Tz) -> String {
    format!(
        "delay {}: {} — usually {}{}, expected {}{} ({}/{})",
        d.date,
        d.job_en.as_deref().unwrap_or(&d.job),
        approx(d.usual_approx),
        d.usual.with_timezone(&zone).format("%H:%M"),
        approx(d.expected_approx),
        d.expected.with_timezone(&zone).format("%H:%M %Z"),
        d.notice,
        d.id
    )
}

/// The catalogue as text.
pub fn catalogue(c: &Catalogue) -> String {
    let mut out = String::from("functions\n");
    for f in c.functions() {
        let depth = f.id().matches('.').count();
        let _ = writeln!(out, "  {:<30} {} / {}", format!("{}{}", "  ".repeat(depth), f.id()), f.ja(), f.en());
    }
    out.push_str("channels\n");
    for ch in c.channels() {
        let _ = writeln!(out, "  {:<30} {} / {}", ch.id(), ch.ja(), ch.en());
    }
    out
}
