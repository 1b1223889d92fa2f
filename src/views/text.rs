//! Plain-text rendering of answers, window lists and the catalogue: what `--format text`
//! prints, in Japanese or English. JSON is the answer types' own serialization.
//!
//! Text from the schedules (titles, notes, sources, quoted messages) reaches terminals and
//! files: every control character in it is shown as a visible picture ([`visible`]), so an
//! escape sequence in a title cannot move the cursor, rewrite the summary line, set the
//! clipboard (OSC 52) or hide itself, and a line break inside a value cannot start a line
//! of its own.

use crate::engine::answer::{Answer, DelayInfo, WindowInfo, WindowKind, WindowList};
use crate::engine::eval::Status;
use crate::engine::model::{Action, Catalogue, EffectSource, Kind, Lang};
use crate::views::words::{self, TextWords};
use chrono::{DateTime, FixedOffset, Timelike};
use chrono_tz::Tz;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` could change how a terminal shows what follows it: C0 and C1 controls, DEL,
/// the line and paragraph separators, and the bidirectional embeddings, overrides and
/// isolates (which reorder what a reader sees).
pub fn is_hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_visible(out: &mut String, c: char) {
    match c {
        // C0: the Control Pictures block (U+2400 + code), e.g. ESC → ␛, NUL → ␀, CR → ␍.
        '\0'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
        '\u{7f}' => out.push('\u{2421}'),
        // C1 and the rest have no picture: written as an escape.
        _ => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
}

fn shown(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_hostile(c) && !(keep_newlines && c == '\n')) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hostile(c) && !(keep_newlines && c == '\n') {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text made safe to write to a terminal or a file: line breaks stay, every other
/// control character is shown as its picture (`ESC` → `␛`, `CR` → `␍`, `NUL` → `␀`, DEL →
/// `␡`) or, without one (C1 controls, bidirectional overrides), as `\u{9b}`.
pub fn visible(s: &str) -> Cow<'_, str> {
    shown(s, true)
}

/// One value on one line: as [`visible`], and a line break is shown as `␊` too, so a value
/// cannot start a line that looks like the output's own.
pub fn visible_line(s: &str) -> Cow<'_, str> {
    shown(s, false)
}

/// Writes one line of output: whatever its values hold, it stays one line and shows no
/// control character ([`visible_line`]).
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let text = format!($($arg)*);
        $out.push_str(&visible_line(&text));
        $out.push('\n');
    }};
}

/// `HH:MM`, with `:SS` when the seconds are not zero.
fn hm(t: &DateTime<Tz>) -> String {
    if t.second() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

fn when(t: &DateTime<FixedOffset>, zone: Tz) -> String {
    let t = t.with_timezone(&zone);
    format!("{} {} {}", t.format("%Y-%m-%d"), hm(&t), t.format("%Z"))
}

fn approx(w: &TextWords, flag: bool, text: String) -> String {
    if flag {
        format!("{}{text}{}", w.approx_before, w.approx_after)
    } else {
        text
    }
}

/// `2023-11-13 02:00–05:30 JST`, or with both dates when they differ; approximate times
/// are marked (頃 / about). A tentative window is labelled with its own days and zone.
pub fn span(w: &WindowInfo, zone: Tz, lang: Lang) -> String {
    let words = words::text(lang);
    if let (WindowKind::Tentative, Some((first, last))) = (w.kind, w.days) {
        let own: Tz = w.zone.parse().unwrap_or(zone);
        let abbr = w.start.with_timezone(&own).format("%Z").to_string();
        let days = if first == last { format!("{first} {abbr}") } else { format!("{first} – {last} {abbr}") };
        let expected = w
            .expected_duration
            .as_ref()
            .map(|d| format!(", {} {}", words.expected, approx(words, w.expected_duration_approx, d.clone())))
            .unwrap_or_default();
        return format!("{days} ({}{expected})", words.times_tba);
    }
    let (s, e) = (w.start.with_timezone(&zone), w.end.with_timezone(&zone));
    let start = approx(words, w.start_approx, format!("{} {}", s.format("%Y-%m-%d"), hm(&s)));
    if w.end_unknown {
        let expected = w.expected_duration.as_ref().map(|d| format!(", {} {d}", words.expected)).unwrap_or_default();
        return format!("{start} {} – ({}{expected})", s.format("%Z"), words.end_unknown);
    }
    let same_day = e.date_naive() == s.date_naive();
    let end = if same_day { hm(&e) } else { format!("{} {}", e.format("%Y-%m-%d"), hm(&e)) };
    let sep = if same_day { "–" } else { " – " };
    format!("{start}{sep}{} {}", approx(words, w.end_approx, end), e.format("%Z"))
}

fn kind(k: WindowKind, words: &TextWords) -> &'static str {
    match k {
        WindowKind::Confirmed => words.confirmed,
        WindowKind::Tentative => words.tentative_kind,
        WindowKind::Postponed => words.postponed_tba,
    }
}

fn label(w: &WindowInfo, lang: Lang) -> String {
    format!("{}: {}", category(w, words::text(lang)), w.title.as_deref().unwrap_or(&w.notice_title))
}

/// `maintenance` or `incident`, in the answer's language.
fn category(w: &WindowInfo, words: &TextWords) -> &'static str {
    match w.category {
        Kind::Maintenance => words.maintenance,
        Kind::Incident => words.incident,
    }
}

fn marks(w: &WindowInfo, lang: Lang) -> String {
    if w.inferred.is_empty() {
        return String::new();
    }
    let mut fields: Vec<&str> = Vec::new();
    for i in &w.inferred {
        if !fields.contains(&i.field.as_str()) {
            fields.push(&i.field);
        }
    }
    format!(" [{}: {}]", words::text(lang).inferred, fields.join(", "))
}

fn window_lines(out: &mut String, head: &str, w: &WindowInfo, zone: Tz, lang: Lang) {
    let words = words::text(lang);
    let incident = if w.category == Kind::Incident { format!(" [{}]", words.incident) } else { String::new() };
    put!(out, "  {head:<9} {}  [{}]{incident}  {}", span(w, zone, lang), kind(w.kind, words), w.uid);
    put!(
        out,
        "  {:<9} {} — {} {}{}",
        "",
        w.title.as_deref().unwrap_or(&w.notice_title),
        words.covers,
        w.functions.join(", "),
        marks(w, lang)
    );
    if !w.available.is_empty() {
        put!(out, "  {:<9} {}: {}", "", words.stays_available, w.available.join(", "));
    }
    if let Some(r) = &w.revision {
        let verb = match (r.action, w.kind) {
            (Action::Postpone, WindowKind::Postponed) => words.postponed_tba,
            (Action::Postpone, _) => words.postponed,
            (Action::Cancel, _) => words.cancelled,
            (Action::End, _) => words.ended,
            (Action::Change, _) => words.changed,
            _ => words.replaced,
        };
        put!(out, "  {:<9} {verb}{}{} ({} {})", "", words.by, r.notice, words.sequence, r.sequence);
        if let Some(note) = &r.note {
            put!(out, "  {:<9} {note}", "");
        }
    }
    put!(
        out,
        "  {:<9} {} {} «{}», {} {}",
        "",
        words.notice,
        w.notice,
        w.notice_title,
        words.known_from,
        w.known_from.format("%Y-%m-%d %H:%M%:z")
    );
    put!(out, "  {:<9} {}: {}", "", words.source, w.source);
    for e in &w.effects {
        let (error, page, message, quotes) = words.effect_labels;
        let parts = e.effect.phrases(error, page, message, quotes);
        let scope = e.functions.as_ref().map(|f| format!(" [{}]", f.join(", "))).unwrap_or_default();
        let src = match e.source {
            EffectSource::Default => format!(" {}", words.default),
            EffectSource::Inferred => format!(" [{}]", words.inferred),
            EffectSource::Notice => String::new(),
        };
        let said = if parts.is_empty() { words.nothing_stated.to_string() } else { parts.join("; ") };
        put!(out, "  {:<9} {}{scope}: {said}{src}", "", e.channel);
    }
    for a in &w.advice {
        put!(out, "  {:<9} {}: {a}", "", words.advice);
    }
    for i in &w.inferred {
        put!(out, "  {:<9} {} {}: {}", "", words.inferred, i.field, i.reason);
    }
}

/// A status as a word, and ` (until …)` when it changes.
fn status_until(status: Status, until: Option<&DateTime<FixedOffset>>, zone: Tz, words: &TextWords) -> (&'static str, String) {
    let word = match status {
        Status::Available => words.available,
        Status::Unavailable => words.unavailable,
        Status::Tentative => words.tentative,
    };
    (word, until.map(|u| format!("{} {}{}", words.until, when(u, zone), words.until_close)).unwrap_or_default())
}

/// The text form of an answer: one summary line, then the details.
pub fn answer(a: &Answer, zone: Tz, lang: Lang) -> String {
    let words = words::text(lang);
    let mut out = String::new();
    let (status, until) = status_until(a.status, a.until.as_ref(), zone, words);
    let first = match a.status {
        Status::Available => {
            let pending = if a.pending.is_empty() { String::new() } else { format!("; {}", words.pending) };
            match &a.next {
                Some(n) => format!("{status}{until} — {} {}: {}{pending}", words.next, label(n, lang), span(n, zone, lang)),
                None if !a.pending.is_empty() => format!("{status}{until} — {}", words.pending),
                None => format!("{status}{until} — {}", words.no_window),
            }
        }
        Status::Unavailable | Status::Tentative => {
            let w = a.windows.iter().find(|w| (w.kind == WindowKind::Confirmed) == (a.status == Status::Unavailable)).or(a.windows.first());
            let what = w.map(|w| label(w, lang)).unwrap_or_default();
            let tentative = if a.status == Status::Tentative { words.dates_only } else { "" };
            format!("{status}{until} — {what}{tentative}")
        }
    };
    put!(out, "{first}");
    put!(out, "  {:<9} {}", words.function, a.function);
    put!(out, "  {:<9} {}", words.at, when(&a.at, zone));
    if a.lookahead != "0s" {
        put!(out, "  {:<9} {} ([at, at + {}))", words.for_, a.lookahead, a.lookahead);
    }
    put!(out, "  {:<9} {}", words.as_of, when(&a.as_of, zone));
    for c in &a.affected {
        let (status, until) = status_until(c.status, c.until.as_ref(), zone, words);
        put!(out, "  {:<9} {} {status}{until}", words.affected, c.function);
    }
    for s in &a.stated_available {
        put!(out, "  {:<9} {} ({}: {}, {})", "", words.stated, s.function, s.uid, s.source);
    }
    for w in &a.windows {
        window_lines(&mut out, words.window, w, zone, lang);
    }
    for p in &a.pending {
        let title = p.title.as_deref().unwrap_or(&p.notice_title);
        put!(out, "  {:<9} {}: {title} ({} {}; {})", words.postponed, words.pending, words.was, span(p, zone, lang), p.uid);
    }
    if let Some(n) = &a.next {
        window_lines(&mut out, words.next, n, zone, lang);
    }
    out
}

/// The last line of a text answer: where the schedule came from.
pub fn source_line(origin: &str, lang: Lang) -> String {
    format!("{}: {}\n", words::text(lang).answered_from, visible_line(origin))
}

/// The text form of a window list: one line per occurrence, then delays.
pub fn window_list(l: &WindowList, zone: Tz, lang: Lang) -> String {
    let words = words::text(lang);
    let mut out = String::new();
    let scope = l.function.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
    put!(
        out,
        "{} {}{scope}: {} – {}, {} {}",
        l.windows.len(),
        if l.windows.len() == 1 { words.window } else { words.windows },
        when(&l.from, zone),
        when(&l.to, zone),
        words.as_of,
        when(&l.as_of, zone)
    );
    for w in &l.windows {
        let incident = if w.category == Kind::Incident { format!(" [{}]", words.incident) } else { String::new() };
        put!(
            out,
            "{:<44} {:<10} {:<40} {}{}{incident}",
            span(w, zone, lang),
            kind(w.kind, words),
            w.uid,
            w.functions.join(","),
            marks(w, lang)
        );
    }
    if l.truncated {
        put!(out, "({}{})", l.windows.len(), words.cut);
    }
    for d in &l.delays {
        put!(out, "{}", delay(d, zone, lang));
    }
    out
}

/// One line for a delay of a scheduled job (also used by `views::list`).
pub fn delay(d: &DelayInfo, zone: Tz, lang: Lang) -> String {
    let w = words::text(lang);
    let job = match lang {
        Lang::En => d.job_en.as_deref().unwrap_or(&d.job),
        Lang::Ja => &d.job,
    };
    let inferred = if d.inferred.is_empty() {
        String::new()
    } else {
        format!(" [{}: {}]", w.inferred, d.inferred.iter().map(|i| i.field.as_str()).collect::<Vec<_>>().join(", "))
    };
    format!(
        "{} {}: {} — {} {}, {} {} {} ({}/{}){inferred}",
        w.delay,
        d.date,
        job,
        w.usually,
        approx(w, d.usual_approx, hm(&d.usual.with_timezone(&zone))),
        w.expected_at,
        approx(w, d.expected_approx, hm(&d.expected.with_timezone(&zone))),
        d.expected.with_timezone(&zone).format("%Z"),
        d.notice,
        d.id
    )
}

/// The catalogue as text.
pub fn catalogue(c: &Catalogue) -> String {
    let mut out = String::from("functions\n");
    for f in c.functions() {
        let depth = f.id().matches('.').count();
        put!(out, "  {:<30} {} / {}", format!("{}{}", "  ".repeat(depth), f.id()), f.ja(), f.en());
    }
    out.push_str("channels\n");
    for ch in c.channels() {
        put!(out, "  {:<30} {} / {}", ch.id(), ch.ja(), ch.en());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert!(matches!(visible("plain 日本語\ttext\n"), Cow::Owned(_)));
        assert!(matches!(visible("plain 日本語 text\n"), Cow::Borrowed(_)));
        assert_eq!(visible("a\u{1b}[2K\r\u{7}\0b\nc\u{7f}\u{9b}\u{202e}"), "a␛[2K␍␇␀b\nc␡\\u{009b}\\u{202e}");
        assert_eq!(visible_line("a\nb\tc"), "a␊b␉c");
        assert!(visible_line("定例メンテナンス（〜01:30頃）").chars().all(|c| !is_hostile(c)));
    }

    #[test]
    fn an_empty_effect_says_nothing_is_stated() {
        let files = vec![
            crate::SourceFile {
                name: "functions.toml".into(),
                text: "[[function]]\nid = \"w\"\nja = \"ウォレット\"\nen = \"wallet\"\n\n[[channel]]\nid = \"api\"\nja = \"API\"\nen = \"API\"\ndefault = {}\n".into(),
            },
            crate::SourceFile {
                name: "notices/n.toml".into(),
                text: "id = \"n\"\npublished = \"2026-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"a\"\nfunctions = [\"w\"]\nstart = \"2026-02-01 01:00\"\nend = \"2026-02-01 02:00\"\n".into(),
            },
        ];
        let s = crate::Schedule::from_sources(files).expect("loads");
        let at = crate::engine::time::Instant::from_timestamp(1_769_877_000).expect("2026-02-01T01:30+09:00");
        let a = s.check(&crate::Query::new("w", at).as_of(at)).expect("answer");
        for (lang, said) in [(Lang::En, "api: (nothing stated) [not in the notice"), (Lang::Ja, "api: （記載なし） ［お知らせに記載なし")]
        {
            let text = answer(&a, crate::time::DEFAULT_ZONE, lang);
            assert!(text.contains(said), "{text}");
        }
    }
}
