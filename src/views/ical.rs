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
//! - Each correction of a notice file (`corrected`) public at the feed's now adds one to
//!   SEQUENCE of its windows and can move DTSTAMP/LAST-MODIFIED
//!   ([`crate::engine::diff::corrections`]).
//!
//! The writer is mado's own: the `icalendar` crate adds a random UID and the current
//! DTSTAMP to every component, VTIMEZONE included, and cannot write VTIMEZONE.

use crate::engine::eval::Schedule;
use crate::engine::model::*;
use crate::engine::time::Instant;
use crate::engine::view_api::{LineageView, VersionView};
use crate::views::maintnote::{self, Profile};
use crate::views::words;
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
    feed_as(s, opts, Profile::Plain)
}

/// The feed for `opts` in `profile` ([`crate::views::maintnote`]).
///
/// # Errors
/// As [`feed`].
pub fn feed_as(s: &Schedule, opts: &FeedOptions, profile: Profile) -> Result<String, crate::engine::error::QueryError> {
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
    let fw = words::feed(opts.lang);
    w.line("PRODID", fw.prodid);
    w.line("CALSCALE", "GREGORIAN");
    let service = words::service_name(s.catalogue(), opts.lang);
    let name = match f {
        None => service.into_owned(),
        Some(f) => format!("{service}: {}", short_label(&s.catalogue().functions()[f], opts.lang)),
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
        if profile == Profile::Maintnote && !maintnote::writes(spec) {
            continue;
        }
        if cancelled && last_end(spec) + Duration::days(CANCELLED_RETENTION_DAYS) < opts.now {
            continue;
        }
        let (corrections, corrected_at) = crate::engine::diff::corrections(s, l, opts.now);
        let cx = LineageEvents {
            s,
            l,
            opts,
            uid: l.feed_uid(None),
            stamp: l.trail().map(|v| v.known_from()).chain(corrected_at).max().unwrap_or(last.known_from()),
            sequence: last.index() + corrections,
            corrections,
            cancelled,
            // A window no longer scheduled stays on its old time, said to be cancelled, or
            // postponed with the new date to be announced.
            ended: cancelled.then_some(last.action()),
            profile,
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
                    &rule_phrase(opts.lang, parts[i - 1].rule, parts[i - 1].duration, words::feed(opts.lang).range_sep),
                    true,
                ));
            }
            if let Some(next) = parts.get(i + 1) {
                if let Some(v) = next.changed_by {
                    changes.push(change_line(
                        opts.lang,
                        v,
                        next.rule,
                        &rule_phrase(opts.lang, next.rule, next.duration, words::feed(opts.lang).range_sep),
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
    /// Corrections of the window's notices made public by the feed's now.
    corrections: usize,
    cancelled: bool,
    /// What took the window off the schedule, while it is off.
    ended: Option<Action>,
    profile: Profile,
}

impl LineageEvents<'_> {
    /// DTSTART/DTEND (or DURATION, RRULE and EXDATE) of `spec` in `zone`, noting the zones used.
    fn write_times(&self, ev: &mut Writer, zones: &mut Vec<(Tz, i32, i32)>, spec: &Spec, zone: Tz, owns: &dyn Fn(NaiveDate) -> bool) {
        match &spec.shape {
            Shape::Confirmed { start, end, .. } => {
                let (k, v) = zoned("DTSTART", *start, zone);
                ev.line(&k, &v);
                let (k, v) = zoned("DTEND", *end, zone);
                ev.line(&k, &v);
                note_zone(zones, zone, *start, *end);
            }
            Shape::Tentative { start, end, .. } if self.profile == Profile::Maintnote => {
                for (k, v) in [zoned("DTSTART", *start, zone), zoned("DTEND", *end, zone)] {
                    ev.line(&k, &v);
                }
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
                let end_year = rule.last_start().unwrap_or(self.opts.now + Duration::days(3 * 366));
                note_zone(zones, zone, rule.first_start(), end_year);
                if !self.cancelled {
                    for date in self.l.excluded_dates().into_iter().filter(|d| owns(*d)) {
                        ev.line(&format!("EXDATE;TZID={}", zone.name()), &local_stamp(date.and_time(rule.dtstart().time())));
                    }
                }
            }
        }
    }

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
        self.write_times(&mut ev, zones, spec, zone, owns);
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
        ev.line("CATEGORIES", &categories(s, spec, opts.lang, ended));
        if let Some(url) = notice_url(l, opts) {
            ev.line("URL", &url);
        }
        if self.profile == Profile::Maintnote {
            let page = notice_url(l, opts);
            for (k, v) in maintnote::properties(s, l, spec, ended, opts.now, page.as_deref()) {
                ev.line(&k, &v);
            }
        }
        ev.line("END", "VEVENT");
        events.push_str(&ev.out);

        let (Shape::Recurring { rule, duration }, false) = (&spec.shape, cancelled) else { return };
        let recurrence_id =
            |date: NaiveDate| (format!("RECURRENCE-ID;TZID={}", zone.name()), local_stamp(date.and_time(rule.dtstart().time())));
        let plain_summary = summary(s, spec, opts.lang, None, None);
        let extra = |ev: &mut String| {
            ev.push_str(&Writer::property("CATEGORIES", &categories(s, spec, opts.lang, None)));
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
            let _ = write!(d, "\n{}", words::occurrence_changed_by(opts.lang, by.title().text(opts.lang), by.id()));
            let note = feed_note(opts.lang, e.note());
            if let Some(n) = note.filter(|n| reads_as(n, opts.lang)) {
                let _ = write!(d, "\n{n}");
            }
            let times = [zoned("DTSTART", r.start, zone), zoned("DTEND", r.end, zone)];
            let mut ev = override_event(
                &uid,
                e.known_from().max(stamp),
                e.sequence() as usize + self.corrections,
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
        words::rule_words(lang, rule.text()),
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

/// The line saying a standing rule's hours changed from the first day of `new`, by version
/// `v`: on the part after the change, what the hours were (`before`); on the part before it,
/// what they became.
fn change_line(lang: Lang, v: VersionView, new: &crate::engine::rrule::Rule, phrase: &str, after: bool) -> String {
    words::hours_changed(lang, &new.dtstart().date().format("%Y-%m-%d").to_string(), v.by().id(), phrase, after)
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

/// The instants at which the feed for `profile` can change with its `now`, sorted: a feed
/// made at `now` equals one made at any instant after the latest of them at or before `now`
/// (up to the horizons drawn from `now`: zone transitions and spelled-out occurrences).
/// A cancelled or postponed window leaves the feed the second after its retention ends; a
/// correction of a notice counts from its instant; a maintnote status turns at a window's
/// start and end. The server's feed cache keys on it.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) fn feed_turns(s: &Schedule, profile: Profile) -> Vec<Instant> {
    let mut out = Vec::new();
    for l in s.lineage_views() {
        let Some(spec) = l.last_described().and_then(|v| v.spec()) else { continue };
        if l.current().spec().is_none() {
            out.push(last_end(spec) + Duration::days(CANCELLED_RETENTION_DAYS) + Duration::seconds(1));
        }
        if let (Profile::Maintnote, Shape::Confirmed { start, end, .. }) = (profile, &spec.shape) {
            out.extend([*start, *end]);
        }
    }
    for n in s.notices() {
        out.extend(n.corrected().iter().copied());
    }
    out.sort_unstable();
    out.dedup();
    out
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
    let start = Utc.with_ymd_and_hms(from_year - 1, 1, 1, 0, 0, 0).single().map(Instant::from).unwrap_or_default();
    let end = Utc.with_ymd_and_hms(to_year + 1, 12, 31, 0, 0, 0).single().map(Instant::from).unwrap_or_default();
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

/// An inferred field in words, the channel of `effects.<channel>` by its catalogue label.
pub(crate) fn field_label(s: &Schedule, field: &str, lang: Lang) -> String {
    let channel = field.strip_prefix("effects.").and_then(|ch| s.catalogue().channels().iter().find(|c| c.id == ch));
    words::field_label(lang, field, channel.map(|c| if lang == Lang::Ja { c.ja.as_str() } else { c.en.as_str() }))
}

/// The most characters a SUMMARY has: what, and which functions; the rest is in DESCRIPTION.
pub const SUMMARY_MAX_CHARS: usize = 60;

/// A function's label without its parenthesised detail: `クレジットカード払い`, `card payment`.
fn short_label(f: &Function, lang: Lang) -> &str {
    let label = if lang == Lang::Ja { f.ja.as_str() } else { f.en.as_str() };
    label.split(words::feed(lang).detail_open).next().unwrap_or(label)
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
/// With two or more providers in the catalogue, the provider of the window's first function
/// is a category too (a calendar can colour or filter by it); with one, it would say nothing.
fn categories(s: &Schedule, spec: &Spec, lang: Lang, ended: Option<Action>) -> String {
    let (head, kind) = words::categories(lang, spec.kind, ended, &spec.shape);
    let cat = s.catalogue();
    let provider = (cat.providers().len() > 1).then(|| spec.functions.first().and_then(|&f| cat.provider_of(f))).flatten();
    match provider {
        Some(p) => format!("{},{},{}", escape(head), escape(kind), escape(p.label(lang))),
        None => format!("{},{}", escape(head), escape(kind)),
    }
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
fn feed_note(lang: Lang, note: Option<&Bilingual>) -> Option<&str> {
    note.map(|n| n.text(lang))
}

fn local_hm(t: Instant, zone: Tz) -> String {
    t.with_timezone(&zone).format("%H:%M").to_string()
}

/// What, and which functions, in at most [`SUMMARY_MAX_CHARS`] characters, with 〜/about
/// where a time is approximate.
fn summary(s: &Schedule, spec: &Spec, lang: Lang, ended: Option<Action>, r: Option<&Replacement>) -> String {
    let what = words::summary_head(lang, spec.kind, ended, &spec.shape);
    let labels: Vec<&str> = spec.functions.iter().map(|f| short_label(&s.catalogue().functions()[*f], lang)).collect();
    let funcs = words::short_list(lang, &labels);
    let zone = spec.zone;
    let approx = match times(spec, r) {
        Some((_, None, _, _)) => words::feed(lang).summary_end_unknown.to_string(),
        Some((a, Some(b), start_approx, end_approx)) => {
            words::summary_times(lang, &local_hm(a, zone), &local_hm(b, zone), start_approx, end_approx)
        }
        None => String::new(),
    };
    let text = format!("{what}: {funcs}{approx}");
    if text.chars().count() <= SUMMARY_MAX_CHARS {
        return text;
    }
    // Keep the approximate times whole; shorten the functions at a word or label boundary.
    let room = SUMMARY_MAX_CHARS.saturating_sub(what.chars().count() + 2 + approx.chars().count());
    format!("{what}: {}{approx}", words::cut_at_boundary(&funcs, room))
}

/// What the feed says of a window: `changes` are lines on a standing rule's change of hours,
/// When a notice was published, as the feed says it (a day, a minute, or unknown and by when).
fn published_words(n: &Notice, lang: Lang) -> String {
    let show = |t: Instant| t.with_timezone(&crate::engine::time::DEFAULT_ZONE).format("%Y-%m-%d %H:%M").to_string();
    match n.published {
        Published::At { instant, date_only: true } => {
            instant.with_timezone(&crate::engine::time::DEFAULT_ZONE).format("%Y-%m-%d").to_string()
        }
        Published::At { instant, .. } => show(instant),
        Published::Unknown => words::published_unknown(lang, &show(n.known_from)),
    }
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
    let fw = words::feed(lang);
    let mut d = String::new();
    // What: the window's own title, else the notice's; in the feed's language only.
    let what = match &spec.title {
        Some(t) if t.is_in(lang) => t.text(lang).to_string(),
        _ => notice.title().text(lang).to_string(),
    };
    let incident = spec.kind == Kind::Incident;
    let _ = writeln!(d, "{}", if incident { words::incident_heading(lang, &what) } else { what.clone() });
    match ended {
        Some(Action::Postpone) => {
            // With the postponing notice's words, as the reason.
            let why = feed_note(lang, l.current().note()).unwrap_or_default().to_string();
            let said = words::ended_sentence(lang, incident, true);
            let _ = writeln!(d, "{}", format!("{said} {why}").trim_end());
        }
        Some(_) => {
            let _ = writeln!(d, "{}", words::ended_sentence(lang, incident, false));
        }
        None => {}
    }
    when_lines(&mut d, spec, lang, r);
    for c in changes {
        let _ = writeln!(d, "{c}");
    }
    let funcs: Vec<String> = spec
        .functions
        .iter()
        .map(|f| {
            let f = &s.catalogue().functions()[*f];
            format!("{} ({})", if lang == Lang::Ja { &f.ja } else { &f.en }, f.id)
        })
        .collect();
    let _ = writeln!(d, "{}: {}", fw.functions, funcs.join(fw.list_sep));
    if let Shape::Tentative { expected, expected_approx, .. } = &spec.shape {
        let e = expected.map(crate::engine::time::format_duration);
        let _ = writeln!(d, "{}", words::times_to_follow(lang, e.as_deref(), *expected_approx));
    }
    let effects = effect_lines(s, spec, lang);
    if !effects.is_empty() {
        let _ = writeln!(d, "{}:", fw.effects);
        for line in effects {
            let _ = writeln!(d, "{line}");
        }
    }
    if let Some(advice) = &spec.advice {
        let _ = writeln!(d, "{}:", fw.advice);
        for a in advice.get(lang) {
            let _ = writeln!(d, "- {a}");
        }
    }
    provenance_lines(&mut d, s, l, spec, lang);
    d
}

/// The window's times, or a standing rule's hours, since when and until when.
fn when_lines(d: &mut String, spec: &Spec, lang: Lang, r: Option<&Replacement>) {
    let zone = spec.zone;
    let fw = words::feed(lang);
    let fmt = |t: Instant, approx: bool| words::approx(lang, approx, &t.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string());
    if let Some((a, b, start_approx, end_approx)) = times(spec, r) {
        let end = match b {
            Some(b) => fmt(b, end_approx),
            None => fw.end_unknown.to_string(),
        };
        let _ = writeln!(d, "{}: {} – {end}", fw.when, fmt(a, start_approx));
        if end_approx && b.is_some() {
            let _ = writeln!(d, "{}", fw.end_approximate);
        }
    }
    if let Shape::Recurring { rule, duration } = &spec.shape {
        let start = rule.dtstart();
        let end = start + *duration;
        let every = words::rule_words(lang, rule.text());
        let last = rule.last_start().map(|t| t.with_timezone(&rule.zone()).format("%Y-%m-%d").to_string());
        let hours = (start.format("%H:%M").to_string(), end.format("%H:%M").to_string());
        let since = start.format("%Y-%m-%d").to_string();
        let _ = writeln!(d, "{}", words::standing_rule(lang, &every, (&hours.0, &hours.1), &since, last.as_deref()));
    }
}

/// What each channel sees, a line per stated candidate: its scope, its effect, and whether
/// the notice states it, mado infers it, or it is the catalogue default.
fn effect_lines(s: &Schedule, spec: &Spec, lang: Lang) -> Vec<String> {
    let fw = words::feed(lang);
    let mut lines = Vec::new();
    for (ci, c) in s.catalogue().channels().iter().enumerate() {
        let candidates = spec.effects.on(ci, s.catalogue());
        let label = if lang == Lang::Ja { c.ja.as_str() } else { c.en.as_str() };
        for e in candidates {
            let error = fw.error_code;
            // The note in the feed's language; one the notice gives only in Japanese is shown
            // as written rather than dropped, and a maintainer's English note stays out of the
            // ja feed unless it is all the effect says.
            let mut effect = e.effect.in_lang(lang);
            if lang == Lang::Ja && effect.note.as_deref().is_some_and(|n| !reads_as(n, lang)) {
                let without = Effect { note: None, ..effect.clone() };
                if !without.phrases(error, "", "", fw.quotes).is_empty() {
                    effect = without;
                }
            }
            let mut parts = effect.phrases(error, "", "", fw.quotes);
            if let Some(scope) = &e.scope {
                let names: Vec<&str> = scope.iter().map(|f| s.catalogue().functions()[*f].id()).collect();
                parts.insert(0, format!("[{}]", names.join(", ")));
            }
            match e.source {
                EffectSource::Inferred => parts.push(fw.inferred_mark.into()),
                EffectSource::Default => parts.push(fw.default_mark.into()),
                EffectSource::Notice => {}
            }
            if !parts.is_empty() {
                lines.push(format!("- {label}: {}", parts.join(" ")));
            }
            if e.scope.is_none() {
                break;
            }
        }
    }
    lines
}

/// Where the window comes from: what mado infers, the notice, each revision with its note,
/// the window's note and the source document.
fn provenance_lines(d: &mut String, s: &Schedule, l: LineageView, spec: &Spec, lang: Lang) {
    let (notice, fw) = (l.notice(), words::feed(lang));
    let title = |n: &Notice| n.title().text(lang).to_string();
    for i in notice.inferred().iter().chain(spec.inferred.iter()).filter(|i| reads_as(i.reason(lang), lang)) {
        let _ = writeln!(d, "{}", words::inferred_line(lang, &field_label(s, &i.field, lang), i.reason(lang)));
    }
    let _ = writeln!(d, "{}: {} ({}), {}", fw.notice, title(notice), notice.id, published_words(notice, lang));
    let mut notes_written: Vec<&str> = Vec::new();
    for v in l.trail().skip(1) {
        let n = v.by();
        let action = words::action(lang, v.action());
        let _ = writeln!(d, "{} ({action}): {} ({}), {}", fw.revised, title(n), n.id, published_words(n, lang));
        let note = feed_note(lang, v.note());
        if let Some(note) = note.filter(|n| reads_as(n, lang) && !notes_written.contains(n)) {
            let _ = writeln!(d, "{note}");
            notes_written.push(note);
        }
    }
    let note = feed_note(lang, spec.note.as_deref());
    if let Some(n) = note.filter(|n| reads_as(n, lang) && !notes_written.contains(n)) {
        let _ = writeln!(d, "{n}");
    }
    let _ = write!(d, "{}: {}", fw.source, notice.source().text(lang));
}
