//! Alertmanager `time_intervals` (YAML): one named interval per function, so a route can
//! mute its alerts during maintenance and announced incidents with
//! `mute_time_intervals: [webcollect.credit_card]`. Each entry's comment says which it is.
//!
//! Alertmanager intervals are `[start_time, end_time)` in a `location` and cannot cross
//! midnight (`24:00` may end one). A recurring window becomes weekday/time ranges when its
//! rule fits them over the whole range (daily or weekly, started before the range, no changed
//! occurrence in it; for a rule whose hours changed, the hours in force over the whole range);
//! every other window is expanded into one entry per local day it touches.
//! Tentative windows (days known, times not) are not muted: they are listed as comments,
//! to export again once their times are announced. When the catalogue names providers, each
//! entry's first comment names the function's provider (`# provider: acme (Acme Pay)`).

use crate::engine::answer::{WindowInfo, WindowKind, WindowsQuery};
use crate::engine::error::QueryError;
use crate::engine::eval::Schedule;
use crate::engine::model::{Action, Kind, Lang, Shape};
use crate::engine::time::{Instant, DEFAULT_ZONE};
use chrono::{Datelike, Duration, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::fmt::Write as _;

/// The most windows one function may expand to: the ceiling of every window list.
pub const MAX_WINDOWS: usize = crate::engine::limits::MAX_WINDOWS_LIMIT;

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Only this function (default: every function of the catalogue).
    pub function: Option<String>,
    /// Start of the range.
    pub from: Instant,
    /// End of the range (exclusive).
    pub to: Instant,
    /// The calendar as known at this instant.
    pub as_of: Instant,
}

/// Why the export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Unknown function.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// Too many windows for one function.
    #[error("`{function}` has more than {MAX_WINDOWS} windows between --from and --to; use a shorter range, e.g. --to 90d after --from")]
    TooMany {
        /// The function.
        function: String,
    },
}

const MONTHS: [&str; 12] =
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// The YAML document: `time_intervals:` with one entry per function.
///
/// # Errors
/// [`ExportError`] for an unknown function or a range with too many windows.
pub fn time_intervals(s: &Schedule, o: &ExportOptions) -> Result<String, ExportError> {
    let functions: Vec<String> = match &o.function {
        Some(f) => {
            s.catalogue()
                .function(f)
                .ok_or_else(|| QueryError::UnknownFunction { id: f.clone(), suggestions: s.catalogue().close_matches(f) })?;
            vec![f.clone()]
        }
        None => s.catalogue().functions().iter().map(|f| f.id().to_string()).collect(),
    };
    let show = |t: Instant| t.with_timezone(&DEFAULT_ZONE).format("%Y-%m-%d %H:%M %Z").to_string();
    let mut out = String::new();
    let _ = writeln!(out, "# Alertmanager time intervals from mado: Kuroneko Web Collect maintenance windows and incidents.");
    let _ = writeln!(out, "# Windows from {} to {}, as known at {}.", show(o.from), show(o.to), show(o.as_of));
    let _ = writeln!(out, "# Mute a route during maintenance or an incident: mute_time_intervals: [webcollect.credit_card]");
    let _ = writeln!(out, "time_intervals:");
    for f in &functions {
        let list = s.windows(&WindowsQuery {
            from: o.from,
            to: o.to,
            function: Some(f.clone()),
            as_of: o.as_of,
            limit: MAX_WINDOWS,
            zone: DEFAULT_ZONE,
            lang: Lang::En,
            with_children: false,
        })?;
        if list.truncated {
            return Err(ExportError::TooMany { function: f.clone() });
        }
        let _ = writeln!(out, "  - name: {}", quote(f));
        // Which provider's notices these are (docs/providers.md), when the catalogue names
        // providers: the `provider` label of mado's metrics for the same function.
        if let Some(p) = s.catalogue().function(f).and_then(|i| s.catalogue().provider_of(i)) {
            let _ = writeln!(out, "    # provider: {} ({})", p.id(), p.label(Lang::En));
        }
        let mut entries = String::new();
        let mut comments = String::new();
        let mut done_rules: Vec<&str> = Vec::new();
        let mut unfit_rules: Vec<&str> = Vec::new();
        for w in &list.windows {
            if w.kind == WindowKind::Postponed {
                let _ = writeln!(
                    comments,
                    "      # not muted, postponed (new date to follow): {} {}{}",
                    w.uid,
                    w.start.format("%Y-%m-%d %H:%M"),
                    incident_note(w)
                );
                continue;
            }
            if w.kind == WindowKind::Tentative {
                let (a, b) = w.days.unwrap_or((w.start.date_naive(), w.end.date_naive()));
                let _ = writeln!(
                    comments,
                    "      # not muted, times not announced yet: {} {a}..{b} ({}){}",
                    w.uid,
                    w.expected_duration.as_deref().unwrap_or("length unknown"),
                    incident_note(w)
                );
                continue;
            }
            if of_rule(w) && !unfit_rules.contains(&w.uid.as_str()) {
                if done_rules.contains(&w.uid.as_str()) {
                    continue;
                }
                if let Some(text) = rule_entries(s, o, w, &list.windows) {
                    done_rules.push(&w.uid);
                    entries.push_str(&text);
                    continue;
                }
                unfit_rules.push(&w.uid);
            }
            entries.push_str(&expanded(w));
        }
        out.push_str(&comments);
        if entries.is_empty() {
            let _ = writeln!(out, "    time_intervals: []");
        } else {
            let _ = writeln!(out, "    time_intervals:");
            out.push_str(&entries);
        }
    }
    Ok(out)
}

/// Whether `w` is an occurrence of its rule as the rule says: unchanged, or changed only by a
/// revision of the whole rule (new hours from a date, or an end), not one night's change.
fn of_rule(w: &WindowInfo) -> bool {
    w.rrule.is_some() && w.revision.as_ref().is_none_or(|r| matches!(r.action, Action::Change | Action::End))
}

/// ` (incident)` in an entry's comment for an incident (an unplanned outage), else nothing.
fn incident_note(w: &WindowInfo) -> &'static str {
    match w.category {
        Kind::Incident => " (incident)",
        Kind::Maintenance => "",
    }
}

/// YAML double-quoted scalar.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// One occurrence as one entry per local day it touches.
fn expanded(w: &WindowInfo) -> String {
    let zone: Tz = DEFAULT_ZONE;
    let (start, end) = (w.start.with_timezone(&zone), w.end.with_timezone(&zone));
    let mut out = String::new();
    let _ = writeln!(out, "      # {} {} – {}{}", w.uid, start.format("%Y-%m-%d %H:%M"), end.format("%Y-%m-%d %H:%M %Z"), incident_note(w));
    let mut day = start.date_naive();
    while day <= end.date_naive() {
        let from = if day == start.date_naive() { start.time() } else { NaiveTime::MIN };
        let to = if day == end.date_naive() { Some(end.time()) } else { None };
        if to.is_some_and(|t| t <= from) {
            break; // ends at 00:00: nothing left on this day
        }
        let _ = writeln!(out, "      - times:");
        let _ = writeln!(out, "          - start_time: \"{}\"", hhmm(from));
        let _ = writeln!(out, "            end_time: \"{}\"", to.map_or("24:00".to_string(), hhmm));
        let _ = writeln!(out, "        days_of_month: [\"{}\"]", day.day());
        let _ = writeln!(out, "        months: [\"{}\"]", MONTHS[day.month0() as usize]);
        let _ = writeln!(out, "        years: [\"{}\"]", day.year());
        let _ = writeln!(out, "        location: {}", quote(zone.name()));
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    out
}

/// A recurring window as weekday/time ranges, when its rule fits them over the whole range.
fn rule_entries(s: &Schedule, o: &ExportOptions, w: &WindowInfo, all: &[WindowInfo]) -> Option<String> {
    let l = s.lineage_of(w)?;
    let v = l.at(o.as_of)?;
    // The rule (of a rule that changed its hours, the part) must cover the whole range:
    // started before it, not ended in it.
    let (rule, duration) = v.spec()?.parts().find_map(|p| match &p.shape {
        Shape::Recurring { rule, duration } if rule.first_start() <= o.from && rule.last_start().is_none_or(|last| last >= o.to) => {
            Some((rule, duration))
        }
        _ => None,
    })?;
    let zone = rule.zone();
    // No occurrence in the range changed or excluded (a changed one shows up with a revision).
    let (a, b) = (o.from.with_timezone(&zone).date_naive() - Duration::days(1), o.to.with_timezone(&zone).date_naive());
    if l.changes().any(|e| e.known_from() <= o.as_of && e.date() >= a && e.date() <= b) || all.iter().any(|x| x.uid == w.uid && !of_rule(x))
    {
        return None;
    }
    if *duration > Duration::days(1) || *duration <= Duration::zero() {
        return None;
    }
    let text = rule.text();
    let get = |k: &str| text.split(';').find_map(|p| p.strip_prefix(k).and_then(|v| v.strip_prefix('=')));
    if get("INTERVAL").is_some_and(|i| i != "1") || get("BYMONTHDAY").is_some() {
        return None;
    }
    let days: Option<Vec<usize>> = match (get("FREQ"), get("BYDAY")) {
        (Some("DAILY"), None) => None,
        (Some("WEEKLY"), Some(list)) => {
            let mut v = Vec::new();
            for d in list.split(',') {
                v.push(["MO", "TU", "WE", "TH", "FR", "SA", "SU"].iter().position(|x| x == &d)?);
            }
            Some(v)
        }
        (Some("WEEKLY"), None) => Some(vec![rule.dtstart().weekday().num_days_from_monday() as usize]),
        _ => return None,
    };
    // A zone with offset changes would move wall-clock ends; Alertmanager cannot say that.
    let off = |t: Instant| zone.offset_from_utc_datetime(&t.naive_utc());
    if off(o.from) != off(o.to) {
        return None;
    }
    let start = rule.dtstart().time();
    let end_dt = rule.dtstart() + *duration;
    let crosses = end_dt.date() != rule.dtstart().date() && end_dt.time() != NaiveTime::MIN;
    let weekdays = |shift: usize| {
        days.as_ref().map(|d| {
            let names: Vec<String> = d.iter().map(|i| format!("\"{}\"", WEEKDAYS[(i + shift) % 7])).collect();
            format!("        weekdays: [{}]\n", names.join(", "))
        })
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "      # {} RRULE:{text}, {} from {} {}{}",
        w.uid,
        crate::engine::time::format_duration(*duration),
        rule.dtstart().format("%Y-%m-%d %H:%M"),
        zone.name(),
        incident_note(w)
    );
    let first_end = if end_dt.date() == rule.dtstart().date() { hhmm(end_dt.time()) } else { "24:00".to_string() };
    let _ = writeln!(out, "      - times:\n          - start_time: \"{}\"\n            end_time: \"{first_end}\"", hhmm(start));
    out.push_str(&weekdays(0).unwrap_or_default());
    let _ = writeln!(out, "        location: {}", quote(zone.name()));
    if crosses {
        let _ = writeln!(out, "      - times:\n          - start_time: \"00:00\"\n            end_time: \"{}\"", hhmm(end_dt.time()));
        out.push_str(&weekdays(1).unwrap_or_default());
        let _ = writeln!(out, "        location: {}", quote(zone.name()));
    }
    Some(out)
}
