//! Time: the one local-to-instant conversion, and the parsers for the textual forms of
//! instants, local date-times, times of day and durations that schedules and queries use.
//!
//! mado works in whole seconds: every instant is truncated to the second, so a window
//! `[start, end)` and a lookahead `[t, t + d)` are sets of whole seconds.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// An instant on the UTC time line, whole seconds.
pub type Instant = DateTime<Utc>;

/// The zone mado assumes where none is given: Japan Standard Time.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Tokyo;

/// Converts a local date-time in `zone` to an instant, following RFC 5545 section 3.3.5.
///
/// - A local time that occurs twice (a fold, when clocks go back) means its first
///   occurrence, the earlier instant.
/// - A local time that does not occur (a gap, when clocks go forward) is read with the
///   UTC offset in force before the gap, so `02:30` in a 02:00-03:00 gap is `03:30` after it.
///
/// Every conversion of a local time to an instant in mado goes through this function.
pub fn local_to_instant(zone: Tz, local: NaiveDateTime) -> Instant {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => first.min(second).with_timezone(&Utc),
        LocalResult::None => {
            // The offset before the gap is the one in force a day earlier: gaps are short and
            // no zone has two transitions within a day.
            let before = zone.offset_from_utc_datetime(&(local - Duration::days(1)));
            let offset = chrono::Offset::fix(&before);
            (local - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
        }
    }
}

/// True when `local` does not exist in `zone` (it falls in a DST gap).
pub fn is_gap(zone: Tz, local: NaiveDateTime) -> bool {
    matches!(zone.from_local_datetime(&local), LocalResult::None)
}

/// The end of a window whose end no notice gives yet: the last instant mado represents.
/// Answers never show it as a time: `until` is null and the window says `end_unknown`.
pub fn unknown_end() -> Instant {
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).single().unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Truncates an instant to the whole second.
pub fn whole_seconds(t: DateTime<Utc>) -> Instant {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The current instant, truncated to the second.
pub fn now() -> Instant {
    whole_seconds(Utc::now())
}

/// A local date and time as written in a schedule or a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenTime {
    /// `2023-11-13 02:00`: a local date-time, read in the zone in force.
    Local(NaiveDateTime),
    /// `2023-11-13T02:00+09:00`: an instant with an explicit offset or `Z`.
    Exact(Instant),
}

impl WrittenTime {
    /// The instant this written time denotes, reading local times in `zone`.
    pub fn resolve(self, zone: Tz) -> Instant {
        match self {
            WrittenTime::Local(local) => local_to_instant(zone, local),
            WrittenTime::Exact(t) => t,
        }
    }
}

const DATETIME_EXPECTED: &str =
    "expected `YYYY-MM-DD HH:MM` (local), or RFC 3339 with an offset, e.g. `2023-11-13 02:00` or `2023-11-13T02:00+09:00`";

/// Parses `2023-11-13 02:00`, `2023-11-13T02:00:00`, `2023-11-13 24:00`, or an RFC 3339
/// instant with an offset (`2023-11-13T02:00+09:00`, `2023-11-12T17:00Z`); seconds optional.
pub fn parse_written(text: &str) -> Result<WrittenTime, String> {
    let s = text.trim();
    if let Some(t) = parse_rfc3339_loose(s) {
        return Ok(WrittenTime::Exact(t));
    }
    let (date, time) = s.split_once(['T', ' ']).ok_or_else(|| format!("`{text}` is not a date and time; {DATETIME_EXPECTED}"))?;
    let date = parse_date(date).map_err(|_| format!("`{text}` is not a date and time; {DATETIME_EXPECTED}"))?;
    let (time, next_day) = parse_time_of_day(time)?;
    let local = date.and_time(time);
    Ok(WrittenTime::Local(if next_day { local + Duration::days(1) } else { local }))
}

/// Parses an RFC 3339 instant with an offset; seconds and fractions optional, fractions dropped.
fn parse_rfc3339_loose(s: &str) -> Option<Instant> {
    let has_offset = s.ends_with(['Z', 'z']) || {
        let tail = s.get(s.len().saturating_sub(6)..).unwrap_or("");
        tail.len() == 6 && (tail.starts_with('+') || tail.starts_with('-')) && tail.as_bytes().get(3) == Some(&b':')
    };
    if !has_offset || s.len() < 16 {
        return None;
    }
    for fmt in ["%Y-%m-%dT%H:%M%#z", "%Y-%m-%d %H:%M%#z", "%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"] {
        let normalized = if s.ends_with(['Z', 'z']) { format!("{}+00:00", &s[..s.len() - 1]) } else { s.to_string() };
        if let Ok(t) = DateTime::parse_from_str(&normalized, fmt) {
            return Some(whole_seconds(t.with_timezone(&Utc)));
        }
    }
    None
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; expected YYYY-MM-DD, e.g. `2023-11-13`"))
}

/// Parses a time of day `HH:MM` or `HH:MM:SS` from `00:00` to `24:00`; `24:00` comes back
/// as midnight with the next-day flag set.
pub fn parse_time_of_day(text: &str) -> Result<(NaiveTime, bool), String> {
    let t = text.trim();
    if t == "24:00" || t == "24:00:00" {
        return Ok((NaiveTime::MIN, true));
    }
    NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .map(|time| (time, false))
        .map_err(|_| format!("`{text}` is not a time of day; expected HH:MM from 00:00 to 24:00, e.g. `09:30`"))
}

/// Parses a duration such as `15m`, `2h`, `1h30m`, `4h`, `90s`, `1d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let err = || format!("`{text}` is not a duration; expected a number and a unit (d, h, m, s), e.g. `15m`, `2h` or `1h30m`");
    let s = text.trim();
    if s.is_empty() {
        return Err(err());
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(err()),
        };
        let n: i64 = digits.parse().map_err(|_| err())?;
        total = n.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(err)?;
        digits.clear();
    }
    if !digits.is_empty() || total > 3_650 * 86_400 {
        return Err(err());
    }
    Ok(Duration::seconds(total))
}

/// Formats a duration the way `parse_duration` reads it (`1h30m`), `0s` for zero.
pub fn format_duration(d: Duration) -> String {
    let mut s = d.num_seconds();
    if s == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, name) in [(86_400, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')] {
        if s >= unit {
            out.push_str(&format!("{}{}", s / unit, name));
            s %= unit;
        }
    }
    out
}

/// Parses a query instant: `now`, RFC 3339 with an offset, or a local date-time (or a date,
/// meaning 00:00) read in `zone`.
pub fn parse_instant(text: &str, zone: Tz, now: Instant) -> Result<Instant, String> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Ok(date) = parse_date(text) {
        return Ok(local_to_instant(zone, date.and_time(NaiveTime::MIN)));
    }
    parse_written(text)
        .map(|w| w.resolve(zone))
        .map_err(|_| format!("`{text}` is not an instant; expected RFC 3339 (`2023-11-13T03:00:00+09:00`, `2023-11-12T18:00Z`), a local `2023-11-13 03:00` or `2023-11-13`, or `now`"))
}

/// Parses an IANA zone name.
pub fn parse_zone(text: &str) -> Result<Tz, String> {
    text.parse::<Tz>().map_err(|_| format!("`{text}` is not a known time zone; expected an IANA name, e.g. `Asia/Tokyo`"))
}
