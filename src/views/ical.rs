//! The iCalendar feed (RFC 5545): one VEVENT per window, built from the same schedule the
//! evaluator answers from.
//!
//! - UID is `<notice>.<window>@mado`, stable across requests, reloads and revisions; each
//!   revision or postponement adds one to SEQUENCE, so subscribed calendars move the event.
//! - A cancelled window stays as STATUS:CANCELLED (so clients that saw it remove it) until
//!   [`CANCELLED_RETENTION_DAYS`] after its last known end, then leaves the feed.
//! - A tentative window is an all-day event (DTEND the day after its last day) with
//!   STATUS:TENTATIVE. A recurring window is one VEVENT with RRULE; a replaced occurrence
//!   is a VEVENT with RECURRENCE-ID, an excluded one an EXDATE.
//! - A standing rule whose hours changed (`action = "change"`) is one VEVENT per part: the
//!   oldest keeps the UID with its RRULE ended (UNTIL), each later one is
//!   `<notice>.<window>.from-YYYYMMDD@mado` (its first day) with RELATED-TO the first UID, and
//!   each description says in one line what changed. A changed or excluded night goes to the
//!   part whose rule has it.
//! - An incident (`kind = "incident"`) says so in SUMMARY, CATEGORIES and DESCRIPTION.
//! - Times carry TZID with a VTIMEZONE for every zone used. DTSTAMP is the publication of
//!   the latest change, never the clock, so the same schedule gives the same bytes.
//!
//! The writer is mado's own: the `icalendar` crate adds a random UID and the current
//! DTSTAMP to every component, VTIMEZONE included, and cannot write VTIMEZONE.

use crate::engine::eval::Schedule;
use crate::engine::model::*;
use crate::engine::time::Instant;
use crate::engine::view_api::{LineageView, VersionView};
use chrono::{Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, Tz};
use std::fmt::Write as _;

/// How long a cancelled window stays in the feed after its last known end.
pub const CANCELLED_RETENTION_DAYS: i64 = 90;

pub use crate::engine::model::Lang;

/// What to put in a feed.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// Only windows affecting this function (naming it or an ancestor).
    pub function: Option<String>,
    /// Language of SUMMARY and DESCRIPTION.
    pub lang: Lang,
    /// Cancelled windows whose end is older than the retention before this instant are left out.
    pub now: Instant,
    /// REFRESH-INTERVAL and X-PUBLISHED-TTL.
    pub refresh: Duration,
    /// Where the notice pages are served, e.g. `https://mado.example.com`: each event's URL is
    /// `<base_url>/notices/<id>`. No URL when `None`.
    pub base_url: Option<String>,
}

struct Writer {
    out: String,
}

impl Writer {
    /// One folded content line as a string.
    fn property(name: &str, value: &str) -> String {
        let mut w = Writer { out: String::new() };
        w.line(name, value);
        w.out
    }
    /// Writes one content line, folded at 75 octets (never inside a UTF-8 sequence), CRLF.
    /// No control character gets in (RFC 5545 §3.1 allows none in a value but HTAB): one
    /// that reached a value is dropped, so nothing in a schedule can end the line early or
    /// reach a calendar as raw `ESC`, `BEL` or `NUL`.
    fn line(&mut self, name: &str, value: &str) {
        let line = format!("{name}:{value}");
        let mut width = 0;
        for c in line.chars().filter(|c| !c.is_control() || *c == '\t') {
            let len = c.len_utf8();
            if width + len > 75 {
                self.out.push_str("\r\n ");
                width = 1;
            }
            self.out.push(c);
            width += len;
        }
        self.out.push_str("\r\n");
    }
    fn text(&mut self, name: &str, value: &str) {
        self.line(name, &escape(value));
    }
}

/// Escapes a TEXT value (RFC 5545 section 3.3.11): a line break becomes `\n`, and the other
/// control characters, which TEXT excludes (`ESC`, `BEL`, `NUL`, C1…), are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            _ if c.is_control() => {}
            _ => out.push(c),
        }
    }
    out
}

fn utc_stamp(t: Instant) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local_stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// A DATE-TIME property: local time with TZID, or UTC where the local time is ambiguous
/// (a fold), since clients disagree on which of the two instants such a time means.
fn zoned(name: &str, t: Instant, zone: Tz) -> (String, String) {
    let local = t.with_timezone(&zone).naive_local();
    if unclear(zone, local) {
        (name.to_string(), utc_stamp(t))
    } else {
        (format!("{name};TZID={}", zone.name()), local_stamp(local))
    }
}

/// A local time that does not exist or exists twice in `zone`.
fn unclear(zone: Tz, local: NaiveDateTime) -> bool {
    !matches!(zone.from_local_datetime(&local), chrono::LocalResult::Single(_))
}

/// Whether an occurrence must be spelled out: its nominal local start is in a gap or a fold,
/// or it spans a change of UTC offset (clients add DURATION in wall-clock time).
fn needs_override(zone: Tz, nominal: NaiveDateTime, start: Instant, end: Instant) -> bool {
    let off = |t: Instant| zone.offset_from_utc_datetime(&t.naive_utc()).fix();
    unclear(zone, nominal) || off(start) != off(end)
}

fn ical_duration(d: Duration) -> String {
    let mut s = d.num_seconds();
    let mut out = String::from("P");
    if s >= 86_400 && s % 86_400 == 0 {
        return format!("P{}D", s / 86_400);
    }
    out.push('T');
    for (unit, c) in [(3600, 'H'), (60, 'M'), (1, 'S')] {
        if s >= unit {
            let _ = write!(out, "{}{c}", s / unit);
            s %= unit;
        }
    }
    if out == "PT" {
        out.push_str("0S");
    }
    out
}

/// The feed for `opts`.
///
/// # Errors
/// [`crate::engine::error::QueryError::UnknownFunction`] when the function is not in the catalogue.
pub fn feed(s: &Schedule, opts: &FeedOptions) -> Result<String, crate::engine::error::QueryError> {
    let f = match &opts.function {
        Some(id) => Some(s.catalogue().function(id).ok_or_else(|| crate::engine::error::QueryError::UnknownFunction {
            id: id.clone(),
            suggestions: s.catalogue().close_matches(id),
        })?),
        None => None,
    };
    let mut w = Writer { out: String::new() };
    w.line("BEGIN", "VCALENDAR");
    w.line("VERSION", "2.0");
    // A published feed, not an iTIP message: no METHOD (RFC 5546 would then want ORGANIZER).
    w.line(
        "PRODID",
        match opts.lang {
            Lang::Ja => "-//mado//Kuroneko Web Collect maintenance windows//JA",
            Lang::En => "-//mado//Kuroneko Web Collect maintenance windows//EN",
        },
    );
    w.line("CALSCALE", "GREGORIAN");
    let name = match (opts.lang, f) {
        (Lang::Ja, None) => "クロネコwebコレクト メンテナンス".to_string(),
        (Lang::Ja, Some(f)) => format!("クロネコwebコレクト メンテナンス: {}", short_label(&s.catalogue().functions()[f], Lang::Ja)),
        (Lang::En, None) => "Kuroneko Web Collect maintenance".to_string(),
        (Lang::En, Some(f)) => format!("Kuroneko Web Collect maintenance: {}", short_label(&s.catalogue().functions()[f], Lang::En)),
    };
    w.text("NAME", &name);
    w.text("X-WR-CALNAME", &name);
    w.line("X-WR-TIMEZONE", crate::engine::time::DEFAULT_ZONE.name());
    w.line("REFRESH-INTERVAL;VALUE=DURATION", &ical_duration(opts.refresh));
    w.line("X-PUBLISHED-TTL", &ical_duration(opts.refresh));

    let mut body = Body { events: String::new(), zones: Vec::new() };
    for l in s.lineage_views() {
        let last = l.current();
        // The latest version with a spec gives the times; a cancel keeps the times it cancels.
        let Some(spec) = l.last_described().and_then(|v| v.spec()) else { continue };
        let cancelled = last.spec().is_none();
        if cancelled && last_end(spec) + Duration::days(CANCELLED_RETENTION_DAYS) < opts.now {
            continue;
        }
        let cx = LineageEvents {
            s,
            l,
            opts,
            uid: l.feed_uid(None),
            stamp: l.trail().map(|v| v.known_from()).max().unwrap_or(last.known_from()),
            sequence: last.index(),
            cancelled,
            // A window no longer scheduled stays on its old time, said to be cancelled, or
            // postponed with the new date to be announced.
            ended: cancelled.then_some(last.action()),
        };
        // A standing rule whose hours changed is one VEVENT per part: the oldest keeps the
        // window's UID with its rule ended (UNTIL), each later one is its own UID, related
        // to the first; each changed or excluded night goes to the part it belongs to.
        let parts = l.rule_parts(spec);
        if parts.len() < 2 {
            if f.is_none_or(|f| l.affects(f)) {
                cx.write(&mut body, spec, cx.uid.clone(), None, &[], &|_| true);
            }
            continue;
        }
        for (i, p) in parts.iter().enumerate() {
            if f.is_some_and(|f| !p.affects(f)) {
                continue;
            }
            let mut changes = Vec::new();
            if let Some(v) = p.changed_by {
                changes.push(change_line(
                    opts.lang,
                    v,
                    p.rule,
                    &rule_phrase(opts.lang, parts[i - 1].rule, parts[i - 1].duration, feed_sep(opts.lang)),
                    true,
                ));
            }
            if let Some(next) = parts.get(i + 1) {
                if let Some(v) = next.changed_by {
                    changes.push(change_line(
                        opts.lang,
                        v,
                        next.rule,
                        &rule_phrase(opts.lang, next.rule, next.duration, feed_sep(opts.lang)),
                        false,
                    ));
                }
            }
            let (uid, related) =
                if i == 0 { (cx.uid.clone(), None) } else { (l.feed_uid(Some(p.rule.dtstart().date())), Some(cx.uid.as_str())) };
            // An exception belongs to the newest part whose rule occurs on its date.
            let owner = |date: NaiveDate| parts.iter().rposition(|q| q.rule.occurs_on(date)) == Some(i);
            cx.write(&mut body, p.spec, uid, related, &changes, &owner);
        }
    }
    body.zones.sort_by_key(|(z, _, _)| z.name());
    for (zone, from_year, to_year) in &body.zones {
        vtimezone(&mut w, *zone, *from_year, *to_year);
    }
    w.out.push_str(&body.events);
    w.line("END", "VCALENDAR");
    Ok(w.out)
}

/// The feed's events, and the zones (with the years) they use.
struct Body {
    events: String,
    zones: Vec<(Tz, i32, i32)>,
}

/// What every VEVENT of one window shares.
struct LineageEvents<'a> {
    s: &'a Schedule,
    l: LineageView<'a>,
    opts: &'a FeedOptions,
    /// `<notice>.<window>@mado`.
    uid: String,
    stamp: Instant,
    sequence: usize,
    cancelled: bool,
    /// What took the window off the schedule, while it is off.
    ended: Option<Action>,
}

impl LineageEvents<'_> {
    /// The VEVENT of `spec` (the window, or one part of a standing rule that changed its
    /// hours) with its overrides: the nights `owns` (by original date) that a notice changed,
    /// or that a client could place differently.
    fn write(
        &self,
        body: &mut Body,
        spec: &Spec,
        uid: String,
        related: Option<&str>,
        changes: &[String],
        owns: &dyn Fn(NaiveDate) -> bool,
    ) {
        let (s, l, opts, stamp, cancelled, ended) = (self.s, self.l, self.opts, self.stamp, self.cancelled, self.ended);
        let (events, zones) = (&mut body.events, &mut body.zones);
        let mut ev = Writer { out: String::new() };
        ev.line("BEGIN", "VEVENT");
        ev.line("UID", &uid);
        ev.line("DTSTAMP", &utc_stamp(stamp));
        ev.line("SEQUENCE", &self.sequence.to_string());
        let zone = match &spec.shape {
            Shape::Recurring { rule, .. } => rule.zone(),
            _ => spec.zone,
        };
        match &spec.shape {
            Shape::Confirmed { start, end, .. } => {
                let (k, v) = zoned("DTSTART", *start, zone);
                ev.line(&k, &v);
                let (k, v) = zoned("DTEND", *end, zone);
                ev.line(&k, &v);
                note_zone(zones, zone, *start, *end);
            }
            Shape::Tentative { first, last, .. } => {
                ev.line("DTSTART;VALUE=DATE", &first.format("%Y%m%d").to_string());
                ev.line("DTEND;VALUE=DATE", &last.succ_opt().unwrap_or(*last).format("%Y%m%d").to_string());
            }
            Shape::Recurring { rule, duration } => {
                ev.line(&format!("DTSTART;TZID={}", zone.name()), &local_stamp(rule.dtstart()));
                ev.line("DURATION", &ical_duration(*duration));
                ev.line("RRULE", &rule_for_ical(rule));
                let end_year = rule.last_start().unwrap_or(opts.now + Duration::days(3 * 366));
                note_zone(zones, zone, rule.first_start(), end_year);
                if !cancelled {
                    for date in l.excluded_dates().into_iter().filter(|d| owns(*d)) {
                        ev.line(&format!("EXDATE;TZID={}", zone.name()), &local_stamp(date.and_time(rule.dtstart().time())));
                    }
                }
            }
        }
        if let Some(r) = related {
            ev.line("RELATED-TO", r);
        }
        let status = match (&spec.shape, cancelled) {
            (_, true) => "CANCELLED",
            (Shape::Tentative { .. }, false) => "TENTATIVE",
            _ => "CONFIRMED",
        };
        ev.line("STATUS", status);
        ev.line("TRANSP", transp(spec, cancelled));
        ev.line("LAST-MODIFIED", &utc_stamp(stamp));
        let describe = |ended: Option<Action>, r: Option<&Replacement>| description(s, l, spec, opts.lang, ended, r, changes);
        ev.text("SUMMARY", &summary(s, spec, opts.lang, ended, None));
        ev.text("DESCRIPTION", &describe(ended, None));
        ev.line("CATEGORIES", &categories(spec, opts.lang, ended));
        if let Some(url) = notice_url(l, opts) {
            ev.line("URL", &url);
        }
        ev.line("END", "VEVENT");
        events.push_str(&ev.out);

        let (Shape::Recurring { rule, duration }, false) = (&spec.shape, cancelled) else { return };
        let recurrence_id =
            |date: NaiveDate| (format!("RECURRENCE-ID;TZID={}", zone.name()), local_stamp(date.and_time(rule.dtstart().time())));
        let plain_summary = summary(s, spec, opts.lang, None, None);
        let extra = |ev: &mut String| {
            ev.push_str(&Writer::property("CATEGORIES", &categories(spec, opts.lang, None)));
            if let Some(url) = notice_url(l, opts) {
                ev.push_str(&Writer::property("URL", &url));
            }
        };
        // Occurrences a client could place differently: spelled out in UTC.
        let changed: Vec<NaiveDate> = l.changes().map(|e| e.date()).collect();
        let horizon = rule.last_start().map_or(opts.now + Duration::days(10 * 366), |l| l + Duration::seconds(1));
        for start in rule.starts_between(rule.first_start(), horizon, 100_000) {
            let date = rule.date_of_nominal(start);
            if changed.contains(&date) || !needs_override(zone, date.and_time(rule.dtstart().time()), start, start + *duration) {
                continue;
            }
            let times = [("DTSTART".to_string(), utc_stamp(start)), ("DTEND".to_string(), utc_stamp(start + *duration))];
            let mut ev = override_event(&uid, stamp, self.sequence, recurrence_id(date), times, &plain_summary, &describe(None, None));
            extra(&mut ev);
            events.push_str(&ev);
            events.push_str("END:VEVENT\r\n");
        }
        // Replaced occurrences.
        for e in l.latest_changes().into_iter().filter(|e| owns(e.date())) {
            let Some(r) = e.replacement() else { continue };
            let mut d = describe(None, Some(&r));
            let by = e.by();
            let _ = match opts.lang {
                Lang::Ja => write!(d, "\nこの回の変更: {} ({})", by.title(), by.id()),
                Lang::En => write!(d, "\nThis occurrence changed by: {} ({})", by.title_en().unwrap_or(by.title()), by.id()),
            };
            let note = feed_note(opts.lang, e.note(), e.note_en());
            if let Some(n) = note.filter(|n| reads_as(n, opts.lang)) {
                let _ = write!(d, "\n{n}");
            }
            let times = [zoned("DTSTART", r.start, zone), zoned("DTEND", r.end, zone)];
            let mut ev = override_event(
                &uid,
                e.known_from().max(stamp),
                e.sequence() as usize,
                recurrence_id(e.date()),
                times,
                &summary(s, spec, opts.lang, None, Some(&r)),
                &d,
            );
            extra(&mut ev);
            events.push_str(&ev);
            events.push_str("END:VEVENT\r\n");
        }
    }
}

/// A standing rule's hours in words, the times joined by `sep`: `every day 23:00–01:00 JST`.
pub(crate) fn rule_phrase(lang: Lang, rule: &crate::engine::rrule::Rule, duration: Duration, sep: &str) -> String {
    let start = rule.dtstart();
    let end = start + duration;
    format!(
        "{} {}{sep}{} {}",
        rule_words(lang, rule.text()),
        start.format("%H:%M"),
        end.format("%H:%M"),
        zone_abbr(rule.zone(), rule.first_start())
    )
}

/// The abbreviation of `zone` (`JST`) where it has one all year, else its IANA name
/// (`America/New_York`: EST in winter, EDT in summer).
pub(crate) fn zone_abbr(zone: Tz, at: Instant) -> String {
    use chrono::Datelike;
    let abbr =
        |month: u32| Utc.with_ymd_and_hms(at.year(), month, 1, 0, 0, 0).single().map(|t| t.with_timezone(&zone).format("%Z").to_string());
    match (abbr(1), abbr(7)) {
        (Some(a), Some(b)) if a == b && a.chars().all(|c| c.is_ascii_alphabetic()) => a,
        _ => zone.name().to_string(),
    }
}

/// `FREQ=DAILY` as "every day" / "毎日"; weekly and monthly rules likewise; anything else as
/// written. `UNTIL` and `COUNT` are left to the caller.
pub(crate) fn rule_words(lang: Lang, text: &str) -> String {
    let get = |k: &str| text.split(';').find_map(|p| p.strip_prefix(k).and_then(|v| v.strip_prefix('=')));
    let interval: u32 = get("INTERVAL").and_then(|v| v.parse().ok()).unwrap_or(1);
    let days = |v: &str| {
        v.split(',')
            .map(|d| {
                let i = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].iter().position(|x| d.ends_with(x)).unwrap_or(0);
                match lang {
                    Lang::Ja => ["月", "火", "水", "木", "金", "土", "日"][i].to_string(),
                    Lang::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][i].to_string(),
                }
            })
            .collect::<Vec<_>>()
    };
    match (get("FREQ"), get("BYDAY"), get("BYMONTHDAY"), interval, lang) {
        (Some("DAILY"), None, None, 1, Lang::Ja) => "毎日".into(),
        (Some("DAILY"), None, None, 1, Lang::En) => "every day".into(),
        (Some("DAILY"), None, None, n, Lang::Ja) => format!("{n}日ごと"),
        (Some("DAILY"), None, None, n, Lang::En) => format!("every {n} days"),
        (Some("WEEKLY"), Some(d), None, 1, Lang::Ja) => format!("毎週{}曜日", days(d).join("・")),
        (Some("WEEKLY"), Some(d), None, 1, Lang::En) => format!("every {}", days(d).join(", ")),
        (Some("MONTHLY"), None, Some(d), 1, Lang::Ja) => format!("毎月{d}日"),
        (Some("MONTHLY"), None, Some(d), 1, Lang::En) => format!("every month on day {d}"),
        _ => format!("RRULE:{}", strip_bound(text)),
    }
}

/// How the feed joins two times of day: `23:00〜01:00`, `23:00–01:00`.
fn feed_sep(lang: Lang) -> &'static str {
    if lang == Lang::Ja {
        "〜"
    } else {
        "–"
    }
}

/// A rule's text without its `UNTIL`/`COUNT` (shown apart, in words).
fn strip_bound(text: &str) -> String {
    text.split(';').filter(|p| !p.starts_with("UNTIL=") && !p.starts_with("COUNT=")).collect::<Vec<_>>().join(";")
}

/// The line saying a standing rule's hours changed from the first day of `new`, by version
/// `v`: on the part after the change, what the hours were (`before`); on the part before it,
/// what they became.
fn change_line(lang: Lang, v: VersionView, new: &crate::engine::rrule::Rule, phrase: &str, after: bool) -> String {
    let day = new.dtstart().date().format("%Y-%m-%d");
    let by = v.by().id();
    match (lang, after) {
        (Lang::Ja, true) => format!("{day}から時間帯変更（お知らせ {by}）: 変更前は{phrase}"),
        (Lang::Ja, false) => format!("{day}から時間帯変更（お知らせ {by}）: 変更後は{phrase}"),
        (Lang::En, true) => format!("Hours changed from {day} by notice {by}: previously {phrase}"),
        (Lang::En, false) => format!("Hours changed from {day} by notice {by}: from then on {phrase}"),
    }
}

/// A VEVENT for one occurrence of a recurring window (same UID, with RECURRENCE-ID), without
/// its `END:VEVENT`.
fn override_event(
    uid: &str,
    stamp: Instant,
    sequence: usize,
    recurrence_id: (String, String),
    times: [(String, String); 2],
    summary: &str,
    description: &str,
) -> String {
    let mut ov = Writer { out: String::new() };
    ov.line("BEGIN", "VEVENT");
    ov.line("UID", uid);
    ov.line("DTSTAMP", &utc_stamp(stamp));
    ov.line("SEQUENCE", &sequence.to_string());
    ov.line(&recurrence_id.0, &recurrence_id.1);
    for (k, v) in &times {
        ov.line(k, v);
    }
    ov.line("STATUS", "CONFIRMED");
    // An occurrence of a standing rule, like the rule itself, does not mark people busy.
    ov.line("TRANSP", "TRANSPARENT");
    ov.line("LAST-MODIFIED", &utc_stamp(stamp));
    ov.text("SUMMARY", summary);
    ov.text("DESCRIPTION", description);
    ov.out
}

fn last_end(spec: &Spec) -> Instant {
    match &spec.shape {
        Shape::Confirmed { end, .. } | Shape::Tentative { end, .. } => *end,
        Shape::Recurring { rule, duration } => {
            rule.last_start().map_or(crate::engine::time::now() + Duration::days(36_500), |s| s + *duration)
        }
    }
}

/// The rule as written, with UNTIL in UTC as RFC 5545 requires next to a DTSTART with TZID.
fn rule_for_ical(rule: &crate::engine::rrule::Rule) -> String {
    rule.text()
        .split(';')
        .map(|part| match (part.strip_prefix("UNTIL="), rule.bound()) {
            (Some(_), crate::engine::rrule::Bound::Until(u)) => format!("UNTIL={}", utc_stamp(u)),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn note_zone(zones: &mut Vec<(Tz, i32, i32)>, zone: Tz, from: Instant, to: Instant) {
    use chrono::Datelike;
    let (a, b) = (from.with_timezone(&zone).year(), to.with_timezone(&zone).year());
    match zones.iter_mut().find(|(z, _, _)| *z == zone) {
        Some(entry) => {
            entry.1 = entry.1.min(a);
            entry.2 = entry.2.max(b);
        }
        None => zones.push((zone, a, b)),
    }
}

/// A VTIMEZONE with one observance per UTC-offset transition in the years used.
fn vtimezone(w: &mut Writer, zone: Tz, from_year: i32, to_year: i32) {
    let start = Utc.with_ymd_and_hms(from_year - 1, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let end = Utc.with_ymd_and_hms(to_year + 1, 12, 31, 0, 0, 0).single().unwrap_or_default();
    let offset_at = |t: Instant| zone.offset_from_utc_datetime(&t.naive_utc());
    w.line("BEGIN", "VTIMEZONE");
    w.line("TZID", zone.name());
    let observance = |w: &mut Writer, at: Instant, before: i32| {
        let off = offset_at(at);
        let to = off.fix().local_minus_utc();
        let kind = if off.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
        w.line("BEGIN", kind);
        w.line("DTSTART", &local_stamp((at + Duration::seconds(i64::from(before))).naive_utc()));
        w.line("TZOFFSETFROM", &fmt_offset(before));
        w.line("TZOFFSETTO", &fmt_offset(to));
        w.line("TZNAME", &off.to_string());
        w.line("END", kind);
    };
    let first = offset_at(start).fix().local_minus_utc();
    observance(w, start, first);
    let mut t = start;
    let mut current = first;
    while t < end {
        let next = t + Duration::days(1);
        let o = offset_at(next).fix().local_minus_utc();
        if o != current {
            // Binary search the second of the transition within the day.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::seconds(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(mid).fix().local_minus_utc() == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            observance(w, hi, current);
            current = o;
        }
        t = next;
    }
    w.line("END", "VTIMEZONE");
}

fn fmt_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// An inferred field in words: `published` is 公開日 / publication date, `effects.api` names
/// the channel.
pub(crate) fn field_label(s: &Schedule, field: &str, lang: Lang) -> String {
    if let Some(ch) = field.strip_prefix("effects.") {
        let c = s.catalogue().channels().iter().find(|c| c.id == ch);
        let label = c.map_or(ch, |c| if lang == Lang::Ja { c.ja.as_str() } else { c.en.as_str() });
        return match lang {
            Lang::Ja => format!("{label}の影響"),
            Lang::En => format!("effect on the {label}"),
        };
    }
    let words = match field {
        "published" => ("公開日", "publication"),
        "functions" => ("対象機能", "functions"),
        "start" => ("開始時刻", "start"),
        "end" => ("終了時刻", "end"),
        "date" => ("日付", "date"),
        "duration" => ("所要時間", "duration"),
        "title" => ("件名", "title"),
        other => (other, other),
    };
    (if lang == Lang::Ja { words.0 } else { words.1 }).to_string()
}

/// The most characters a SUMMARY has: what, and which functions; the rest is in DESCRIPTION.
pub const SUMMARY_MAX_CHARS: usize = 60;

/// A function's label without its parenthesised detail: `クレジットカード払い`, `card payment`.
fn short_label(f: &Function, lang: Lang) -> &str {
    let (label, open) = match lang {
        Lang::Ja => (f.ja.as_str(), "（"),
        Lang::En => (f.en.as_str(), " ("),
    };
    label.split(open).next().unwrap_or(label)
}

/// Whether a note reads in `lang`: notes are written in English by mado's maintainers, or
/// quote the Japanese notice; a feed carries only those in its own language.
fn reads_as(text: &str, lang: Lang) -> bool {
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    let other = text.chars().filter(|c| c.is_alphabetic() && !c.is_ascii()).count();
    match lang {
        Lang::En => latin >= other,
        Lang::Ja => other > latin,
    }
}

fn transp(spec: &Spec, cancelled: bool) -> &'static str {
    // Only a confirmed one-off window marks people busy; tentative days, standing rules,
    // cancelled windows and windows with no end announced do not.
    match (&spec.shape, cancelled) {
        // With no end announced, DTEND is the end of the supported range: not decades of busy.
        (Shape::Confirmed { end_unknown: true, .. }, _) => "TRANSPARENT",
        (Shape::Confirmed { .. }, false) => "OPAQUE",
        _ => "TRANSPARENT",
    }
}

/// CATEGORIES: a comma-separated list, each value escaped on its own.
/// `ended`: what took a window off the schedule (`Postpone` for a date to be announced),
/// `None` while it is scheduled.
fn categories(spec: &Spec, lang: Lang, ended: Option<Action>) -> String {
    let incident = spec.kind == Kind::Incident;
    let kind = match (lang, ended, &spec.shape) {
        (Lang::Ja, Some(Action::Postpone), _) => "延期",
        (Lang::Ja, Some(_), _) => "中止",
        (Lang::Ja, None, Shape::Confirmed { .. }) => "確定",
        (Lang::Ja, None, Shape::Tentative { .. }) => "時間未定",
        (Lang::Ja, None, Shape::Recurring { .. }) if incident => "定例",
        (Lang::Ja, None, Shape::Recurring { .. }) => "定例停止",
        (Lang::En, Some(Action::Postpone), _) => "postponed",
        (Lang::En, Some(_), _) => "cancelled",
        (Lang::En, None, Shape::Confirmed { .. }) => "confirmed",
        (Lang::En, None, Shape::Tentative { .. }) => "tentative",
        (Lang::En, None, Shape::Recurring { .. }) if incident => "recurring",
        (Lang::En, None, Shape::Recurring { .. }) => "standing blackout",
    };
    let head = match (lang, spec.kind) {
        (Lang::Ja, Kind::Maintenance) => "メンテナンス",
        (Lang::Ja, Kind::Incident) => "障害",
        (Lang::En, Kind::Maintenance) => "maintenance",
        (Lang::En, Kind::Incident) => "incident",
    };
    format!("{},{}", escape(head), escape(kind))
}

/// The notice page of a window, when the feed knows where mado is served: only an
/// `http(s)://` base with no space, quote or control character in it makes a URL.
fn notice_url(l: LineageView, opts: &FeedOptions) -> Option<String> {
    let base = opts.base_url.as_deref()?.trim_end_matches('/');
    let lower = base.get(..8).unwrap_or(base).to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    if !web || base.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\\')) {
        return None;
    }
    Some(format!("{base}/notices/{}?lang={}", l.notice().id(), opts.lang.code()))
}

/// The times of a window (or of one changed occurrence), when it has them: start, end
/// (`None` when no notice gives it), and whether each is approximate.
fn times(spec: &Spec, r: Option<&Replacement>) -> Option<(Instant, Option<Instant>, bool, bool)> {
    match (r, &spec.shape) {
        (Some(r), _) => Some((r.start, Some(r.end), r.start_approx, r.end_approx)),
        (None, Shape::Confirmed { start, end, start_approx, end_approx, end_unknown, .. }) => {
            Some((*start, (!end_unknown).then_some(*end), *start_approx, *end_approx))
        }
        _ => None,
    }
}

/// A revision's or a changed occurrence's note in the feed's language: the English one in
/// an English feed where given (else the Japanese), the Japanese one in a Japanese feed.
fn feed_note<'a>(lang: Lang, ja: Option<&'a String>, en: Option<&'a String>) -> Option<&'a str> {
    match lang {
        Lang::Ja => ja.map(String::as_str),
        Lang::En => en.or(ja).map(String::as_str),
    }
}

fn local_hm(t: Instant, zone: Tz) -> String {
    t.with_timezone(&zone).format("%H:%M").to_string()
}

/// What, and which functions, in at most [`SUMMARY_MAX_CHARS`] characters, with 〜/about
/// where a time is approximate.
fn summary(s: &Schedule, spec: &Spec, lang: Lang, ended: Option<Action>, r: Option<&Replacement>) -> String {
    let what = match (lang, spec.kind, ended, &spec.shape) {
        (Lang::Ja, Kind::Maintenance, Some(Action::Postpone), _) => "【延期・日程未定】メンテナンス",
        (Lang::Ja, Kind::Maintenance, Some(_), _) => "【中止】メンテナンス",
        (Lang::Ja, Kind::Maintenance, None, Shape::Tentative { .. }) => "【時間未定】メンテナンス",
        (Lang::Ja, Kind::Maintenance, None, Shape::Recurring { .. }) => "定例停止",
        (Lang::Ja, Kind::Maintenance, None, _) => "メンテナンス",
        (Lang::Ja, Kind::Incident, Some(Action::Postpone), _) => "【延期・日程未定】障害",
        (Lang::Ja, Kind::Incident, Some(_), _) => "【取消】障害",
        (Lang::Ja, Kind::Incident, None, Shape::Tentative { .. }) => "【時間未定】障害",
        (Lang::Ja, Kind::Incident, None, _) => "障害",
        (Lang::En, Kind::Maintenance, Some(Action::Postpone), _) => "Postponed, date TBA",
        (Lang::En, Kind::Maintenance, Some(_), _) => "Cancelled maintenance",
        (Lang::En, Kind::Maintenance, None, Shape::Tentative { .. }) => "Maintenance (times TBA)",
        (Lang::En, Kind::Maintenance, None, Shape::Recurring { .. }) => "Standing blackout",
        (Lang::En, Kind::Maintenance, None, _) => "Maintenance",
        (Lang::En, Kind::Incident, Some(Action::Postpone), _) => "Incident postponed, date TBA",
        (Lang::En, Kind::Incident, Some(_), _) => "Withdrawn incident",
        (Lang::En, Kind::Incident, None, Shape::Tentative { .. }) => "Incident (times TBA)",
        (Lang::En, Kind::Incident, None, _) => "Incident",
    };
    let labels: Vec<&str> = spec.functions.iter().map(|f| short_label(&s.catalogue().functions()[*f], lang)).collect();
    let funcs = match (labels.as_slice(), lang) {
        ([one], _) => (*one).to_string(),
        ([a, b], Lang::Ja) => format!("{a}・{b}"),
        ([a, b], Lang::En) => format!("{a}, {b}"),
        ([a, rest @ ..], Lang::Ja) => format!("{a}ほか{}件", rest.len()),
        ([a, rest @ ..], Lang::En) => format!("{a} and {} more", rest.len()),
        ([], _) => String::new(),
    };
    let zone = spec.zone;
    let approx = match times(spec, r) {
        Some((_, None, _, _)) => (if lang == Lang::Ja { "（終了未定）" } else { ", end not announced" }).to_string(),
        Some((a, Some(b), start_approx, end_approx)) => {
            let (a, b) = (local_hm(a, zone), local_hm(b, zone));
            match (lang, start_approx, end_approx) {
                (Lang::Ja, true, true) => format!("（{a}頃〜{b}頃）"),
                (Lang::Ja, false, true) => format!("（〜{b}頃）"),
                (Lang::Ja, true, false) => format!("（{a}頃〜）"),
                (Lang::En, true, true) => format!(", about {a}–about {b}"),
                (Lang::En, false, true) => format!(", until about {b}"),
                (Lang::En, true, false) => format!(", from about {a}"),
                (_, false, false) => String::new(),
            }
        }
        None => String::new(),
    };
    let text = format!("{what}: {funcs}{approx}");
    if text.chars().count() <= SUMMARY_MAX_CHARS {
        return text;
    }
    // Keep the approximate times whole; shorten the functions.
    let room = SUMMARY_MAX_CHARS.saturating_sub(what.chars().count() + 2 + approx.chars().count() + 1);
    format!("{what}: {}…{approx}", funcs.chars().take(room).collect::<String>())
}

/// What the feed says of a window: `changes` are lines on a standing rule's change of hours,
/// written after the rule.
fn description(
    s: &Schedule,
    l: LineageView,
    spec: &Spec,
    lang: Lang,
    ended: Option<Action>,
    r: Option<&Replacement>,
    changes: &[String],
) -> String {
    let notice = l.notice();
    let ja = lang == Lang::Ja;
    let mut d = String::new();
    let show = |t: Instant| t.with_timezone(&crate::engine::time::DEFAULT_ZONE).format("%Y-%m-%d %H:%M").to_string();
    let published = |n: &Notice| match n.published {
        Published::At { instant, date_only: true } => {
            instant.with_timezone(&crate::engine::time::DEFAULT_ZONE).format("%Y-%m-%d").to_string()
        }
        Published::At { instant, .. } => show(instant),
        Published::Unknown => match lang {
            Lang::Ja => format!("不明（{}までに公開）", show(n.known_from)),
            Lang::En => format!("unknown (public by {})", show(n.known_from)),
        },
    };
    let title = |n: &Notice| n.title_in(lang).to_string();
    // What: the window's own title, else the notice's; in the feed's language only.
    let what = match (lang, &spec.title, &spec.title_en) {
        (Lang::Ja, Some(t), _) | (Lang::En, _, Some(t)) => t.clone(),
        _ => title(notice),
    };
    let incident = spec.kind == Kind::Incident;
    let _ = match (incident, lang) {
        (false, _) => writeln!(d, "{what}"),
        (true, Lang::Ja) => writeln!(d, "【障害】{what}"),
        (true, Lang::En) => writeln!(d, "Incident: {what}"),
    };
    match ended {
        Some(Action::Postpone) => {
            // With the postponing notice's words, as the reason.
            let why = crate::engine::model::lang_text(lang, l.current().note(), l.current().note_en()).unwrap_or_default();
            let said = match (lang, incident) {
                (Lang::Ja, false) => "このメンテナンスは延期されました（新しい日程は未定）。",
                (Lang::Ja, true) => "この障害の対応は延期されました（新しい日程は未定）。",
                (Lang::En, false) => "This maintenance was postponed; the new date is to be announced.",
                (Lang::En, true) => "The work on this incident was postponed; the new date is to be announced.",
            };
            let _ = writeln!(d, "{}", format!("{said} {why}").trim_end());
        }
        Some(_) => {
            let said = match (lang, incident) {
                (Lang::Ja, false) => "このメンテナンスは中止されました。",
                (Lang::Ja, true) => "この障害の情報は取り消されました。",
                (Lang::En, false) => "This maintenance was cancelled.",
                (Lang::En, true) => "This incident was withdrawn.",
            };
            let _ = writeln!(d, "{said}");
        }
        None => {}
    }
    let zone = spec.zone;
    let fmt = |t: Instant, approx: bool| {
        let local = t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string();
        match (approx, lang) {
            (true, Lang::Ja) => format!("{local}頃"),
            (true, Lang::En) => format!("about {local}"),
            (false, _) => local,
        }
    };
    if let Some((a, b, start_approx, end_approx)) = times(spec, r) {
        let end = match b {
            Some(b) => fmt(b, end_approx),
            None => (if ja { "終了時刻未定" } else { "end not announced" }).to_string(),
        };
        let _ = writeln!(d, "{}: {} – {end}", if ja { "日時" } else { "When" }, fmt(a, start_approx));
        if end_approx && b.is_some() {
            let _ = writeln!(d, "{}", if ja { "終了時刻は目安です。" } else { "The end time is approximate." });
        }
    }
    if let Shape::Recurring { rule, duration } = &spec.shape {
        let start = rule.dtstart();
        let end = start + *duration;
        let every = rule_words(lang, rule.text());
        let last = rule.last_start().map(|t| t.with_timezone(&rule.zone()).format("%Y-%m-%d").to_string());
        let _ = match (lang, last) {
            (Lang::Ja, None) => {
                writeln!(d, "定例: {every} {}〜{}（{}から）", start.format("%H:%M"), end.format("%H:%M"), start.format("%Y-%m-%d"))
            }
            (Lang::Ja, Some(last)) => writeln!(
                d,
                "定例: {every} {}〜{}（{}から{last}まで）",
                start.format("%H:%M"),
                end.format("%H:%M"),
                start.format("%Y-%m-%d")
            ),
            (Lang::En, None) => {
                writeln!(d, "Standing rule: {every} {}–{}, since {}", start.format("%H:%M"), end.format("%H:%M"), start.format("%Y-%m-%d"))
            }
            (Lang::En, Some(last)) => writeln!(
                d,
                "Standing rule: {every} {}–{}, since {}, last on {last}",
                start.format("%H:%M"),
                end.format("%H:%M"),
                start.format("%Y-%m-%d")
            ),
        };
    }
    for c in changes {
        let _ = writeln!(d, "{c}");
    }
    let (l_funcs, l_effects, l_source, l_revised) = match lang {
        Lang::Ja => ("影響する機能", "各方式の影響", "お知らせ", "変更"),
        Lang::En => ("Affected functions", "What each channel sees", "Notice", "Revised"),
    };
    let funcs: Vec<String> = spec
        .functions
        .iter()
        .map(|f| {
            let f = &s.catalogue().functions()[*f];
            format!("{} ({})", if ja { &f.ja } else { &f.en }, f.id)
        })
        .collect();
    let _ = writeln!(d, "{l_funcs}: {}", funcs.join(if ja { "、" } else { ", " }));
    if let Shape::Tentative { expected, expected_approx, .. } = &spec.shape {
        let e = expected.map(crate::engine::time::format_duration);
        let _ = match (lang, e) {
            (Lang::Ja, Some(e)) => writeln!(d, "時間は未定。所要時間: {e}{}", if *expected_approx { "程度" } else { "" }),
            (Lang::Ja, None) => writeln!(d, "時間は未定。"),
            (Lang::En, Some(e)) => writeln!(d, "Times to follow. Expected duration: {}{e}", if *expected_approx { "about " } else { "" }),
            (Lang::En, None) => writeln!(d, "Times to follow."),
        };
    }
    let mut effect_lines = Vec::new();
    for (ci, candidates) in spec.effects.iter().enumerate() {
        let c = &s.catalogue().channels()[ci];
        let label = if lang == Lang::Ja { c.ja.as_str() } else { c.en.as_str() };
        for e in candidates {
            let error = if lang == Lang::Ja { "エラーコード" } else { "error code" };
            let mut effect = e.effect.clone();
            // The note in the feed's language; one the notice gives only in Japanese is shown
            // as written rather than dropped, and a maintainer's English note stays out of the
            // ja feed unless it is all the effect says.
            effect.note = match lang {
                Lang::En => e.effect.note_en.clone().or_else(|| e.effect.note.clone()),
                Lang::Ja => e.effect.note.clone(),
            };
            effect.note_en = None;
            if lang == Lang::Ja && effect.note.as_deref().is_some_and(|n| !reads_as(n, lang)) {
                let without = Effect { note: None, ..effect.clone() };
                if !without.phrases(error, "", "", ("「", "」")).is_empty() {
                    effect = without;
                }
            }
            let mut parts = effect.phrases(error, "", "", ("「", "」"));
            if let Some(scope) = &e.scope {
                let names: Vec<&str> = scope.iter().map(|f| s.catalogue().functions()[*f].id()).collect();
                parts.insert(0, format!("[{}]", names.join(", ")));
            }
            match (e.source, lang) {
                (EffectSource::Inferred, Lang::Ja) => parts.push("（推定）".into()),
                (EffectSource::Inferred, Lang::En) => parts.push("(inferred)".into()),
                (EffectSource::Default, Lang::Ja) => parts.push("（お知らせに記載なし：既定）".into()),
                (EffectSource::Default, Lang::En) => parts.push("(not in the notice: default)".into()),
                (EffectSource::Notice, _) => {}
            }
            if !parts.is_empty() {
                effect_lines.push(format!("- {label}: {}", parts.join(" ")));
            }
            if e.scope.is_none() {
                break;
            }
        }
    }
    if !effect_lines.is_empty() {
        let _ = writeln!(d, "{l_effects}:");
        for line in effect_lines {
            let _ = writeln!(d, "{line}");
        }
    }
    for i in notice.inferred.iter().chain(spec.inferred.iter()).filter(|i| reads_as(i.reason(lang), lang)) {
        let _ = match lang {
            Lang::Ja => writeln!(d, "推定（{}）: {}", field_label(s, &i.field, lang), i.reason(lang)),
            Lang::En => writeln!(d, "Inferred ({}): {}", field_label(s, &i.field, lang), i.reason(lang)),
        };
    }
    let _ = writeln!(d, "{l_source}: {} ({}), {}", title(notice), notice.id, published(notice));
    let mut notes_written: Vec<&str> = Vec::new();
    for v in l.trail().skip(1) {
        let n = v.by();
        let action = match (v.action(), lang) {
            (Action::Cancel, Lang::Ja) => "中止",
            (Action::Postpone, Lang::Ja) => "延期",
            (Action::End, Lang::Ja) => "終了",
            (Action::Change, Lang::Ja) => "時間帯変更",
            (_, Lang::Ja) => "時間変更",
            (Action::Cancel, Lang::En) => "cancelled",
            (Action::Postpone, Lang::En) => "postponed",
            (Action::End, Lang::En) => "ended",
            (Action::Change, Lang::En) => "hours changed",
            (_, Lang::En) => "times changed",
        };
        let _ = writeln!(d, "{l_revised} ({action}): {} ({}), {}", title(n), n.id, published(n));
        let note = feed_note(lang, v.note(), v.note_en());
        if let Some(note) = note.filter(|n| reads_as(n, lang) && !notes_written.contains(n)) {
            let _ = writeln!(d, "{note}");
            notes_written.push(note);
        }
    }
    let note = match lang {
        Lang::Ja => spec.note.as_deref(),
        Lang::En => spec.note_en.as_deref().or(spec.note.as_deref()),
    };
    if let Some(n) = note.filter(|n| reads_as(n, lang) && !notes_written.contains(n)) {
        let _ = writeln!(d, "{n}");
    }
    let _ = write!(d, "{}: {}", if ja { "出典" } else { "Source" }, notice.source_in(lang));
    d
}
