//! Time: the one local-to-instant conversion, and the parsers for the textual forms of
//! instants, local date-times, times of day and durations that schedules and queries use.
//!
//! mado works in whole seconds: every instant is truncated to the second, so a window
//! `[start, end)` and a lookahead `[t, t + d)` are sets of whole seconds.
//!
//! The supported range is the years 1900 to 9999: every parser rejects a date, local
//! date-time or instant outside it with a message that says so, and rules stop occurring
//! after 9999-12-31, so no arithmetic on an instant mado holds can overflow. Exact instants
//! (`…Z`, `…+09:00`) must be in 1900-01-01T00:00:00Z..=9999-12-31T23:59:59Z; local dates
//! and times in the years 1900 to 9999 of their zone, so their instants may lie up to a
//! day outside that.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// An instant on the UTC time line in whole seconds: made only by truncating to the second,
/// so every window `[start, end)` and lookahead is a set of whole seconds by type, not by
/// convention. It reads as the `DateTime<Utc>` it holds (`with_timezone`, `format`,
/// `timestamp`), and adds and subtracts [`Duration`]s as one, staying whole seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(DateTime<Utc>);

impl Instant {
    /// `t`, truncated to the second.
    pub fn new(t: DateTime<Utc>) -> Instant {
        Instant(t.with_nanosecond(0).unwrap_or(t))
    }
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z, if chrono can hold it.
    pub fn from_timestamp(secs: i64) -> Option<Instant> {
        DateTime::from_timestamp(secs, 0).map(Instant)
    }
    /// The `DateTime<Utc>` it holds.
    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }
    /// The instant in `zone`.
    pub fn to<T: TimeZone>(self, zone: &T) -> DateTime<T> {
        self.0.with_timezone(zone)
    }
    /// `self + d`, `None` past chrono's range.
    pub fn checked_add_signed(self, d: Duration) -> Option<Instant> {
        self.0.checked_add_signed(d).map(Instant::new)
    }
    /// `self - d`, `None` past chrono's range.
    pub fn checked_sub_signed(self, d: Duration) -> Option<Instant> {
        self.0.checked_sub_signed(d).map(Instant::new)
    }
    /// The last instant chrono holds (beyond the supported range: "never").
    pub const MAX: Instant = Instant(DateTime::<Utc>::MAX_UTC);
    /// The first instant chrono holds.
    pub const MIN: Instant = Instant(DateTime::<Utc>::MIN_UTC);
}

impl std::ops::Deref for Instant {
    type Target = DateTime<Utc>;
    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl<T: TimeZone> From<DateTime<T>> for Instant {
    fn from(t: DateTime<T>) -> Instant {
        Instant::new(t.with_timezone(&Utc))
    }
}

impl From<Instant> for DateTime<Utc> {
    fn from(t: Instant) -> DateTime<Utc> {
        t.0
    }
}

impl PartialEq<DateTime<Utc>> for Instant {
    fn eq(&self, other: &DateTime<Utc>) -> bool {
        self.0 == *other
    }
}

impl PartialOrd<DateTime<Utc>> for Instant {
    fn partial_cmp(&self, other: &DateTime<Utc>) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(other)
    }
}

impl PartialEq<Instant> for DateTime<Utc> {
    fn eq(&self, other: &Instant) -> bool {
        *self == other.0
    }
}

impl PartialOrd<Instant> for DateTime<Utc> {
    fn partial_cmp(&self, other: &Instant) -> Option<std::cmp::Ordering> {
        self.partial_cmp(&other.0)
    }
}

impl std::ops::Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant::new(self.0 + d)
    }
}

impl std::ops::AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl std::ops::SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl std::ops::Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant::new(self.0 - d)
    }
}

impl std::ops::Sub for Instant {
    type Output = Duration;
    fn sub(self, other: Instant) -> Duration {
        self.0 - other.0
    }
}

impl std::ops::Sub<DateTime<Utc>> for Instant {
    type Output = Duration;
    fn sub(self, other: DateTime<Utc>) -> Duration {
        self.0 - other
    }
}

impl std::ops::Sub<Instant> for DateTime<Utc> {
    type Output = Duration;
    fn sub(self, other: Instant) -> Duration {
        self - other.0
    }
}

impl std::fmt::Display for Instant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// RFC 3339 in a human-readable format (JSON); Unix seconds in a binary one (the compiled
/// form, `format::compiled`), where [`Instant::MAX`] keeps its fraction.
impl serde::Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            self.0.serialize(s)
        } else {
            s.serialize_i64(self.0.timestamp())
        }
    }
}

impl<'de> serde::Deserialize<'de> for Instant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        if d.is_human_readable() {
            return DateTime::<Utc>::deserialize(d).map(Instant::new);
        }
        let secs = i64::deserialize(d)?;
        if secs == Instant::MAX.timestamp() {
            return Ok(Instant::MAX);
        }
        Instant::from_timestamp(secs).ok_or_else(|| serde::de::Error::custom(format!("{secs} is not an instant chrono can hold")))
    }
}

/// The zone mado assumes where none is given: Japan Standard Time.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Tokyo;

/// The first year mado reads or computes.
pub const MIN_YEAR: i32 = 1900;
/// The last year mado reads or computes.
pub const MAX_YEAR: i32 = 9999;
/// The supported range, as error messages state it.
pub const SUPPORTED_RANGE: &str = "from 1900-01-01T00:00:00Z to 9999-12-31T23:59:59Z (years 1900 to 9999)";
/// The longest lookahead a query may ask for.
pub const MAX_LOOKAHEAD_DAYS: i64 = 31;
/// The longest duration a schedule may give (a window's length, an expected duration).
pub const MAX_DURATION_DAYS: i64 = 3_650;

/// The first supported instant, 1900-01-01T00:00:00Z.
pub fn min_instant() -> Instant {
    Instant::from_timestamp(-2_208_988_800).unwrap_or(Instant::MIN)
}

/// The last supported instant, 9999-12-31T23:59:59Z.
pub fn max_instant() -> Instant {
    Instant::from_timestamp(253_402_300_799).unwrap_or(Instant::MAX)
}

/// Whether `t` is in the supported range.
pub fn in_range(t: Instant) -> bool {
    min_instant() <= t && t <= max_instant()
}

/// Whether `t` is within a day of the supported range: where local times of the years 1900
/// to 9999 fall, in any zone.
pub fn within_reach(t: Instant) -> bool {
    let day = Duration::days(1);
    min_instant() - day <= t && t <= max_instant() + day
}

/// Whether a local date is in the supported range (years 1900 to 9999).
pub fn date_in_range(d: NaiveDate) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&d.year())
}

/// The message for a value outside the supported range.
pub fn out_of_range(text: &str) -> String {
    format!("`{text}` is outside the supported range; expected an instant {SUPPORTED_RANGE}, e.g. `2023-11-13T02:00+09:00`")
}

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
        LocalResult::Single(t) => Instant::from(t),
        LocalResult::Ambiguous(first, second) => Instant::from(first.min(second)),
        LocalResult::None => {
            // The offset before the gap is the one in force a day earlier: gaps are short and
            // no zone has two transitions within a day.
            // Checked: total on every NaiveDateTime, though parsers keep dates in range.
            let day_before = local.checked_sub_signed(Duration::days(1)).unwrap_or(local);
            let before = zone.offset_from_utc_datetime(&day_before);
            let offset = chrono::Offset::fix(&before);
            Instant::new(local.checked_sub_signed(Duration::seconds(i64::from(offset.local_minus_utc()))).unwrap_or(local).and_utc())
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
    Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).single().map_or(Instant::MAX, Instant::new)
}

/// Truncates an instant to the whole second.
pub fn whole_seconds(t: impl Into<Instant>) -> Instant {
    t.into()
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

/// Why a written time was rejected: its form, or its range.
enum Bad {
    Form(String),
    Range(String),
}

impl Bad {
    fn message(self) -> String {
        match self {
            Bad::Form(m) | Bad::Range(m) => m,
        }
    }
}

/// Parses `2023-11-13 02:00`, `2023-11-13T02:00:00`, `2023-11-13 24:00`, or an RFC 3339
/// instant with an offset (`2023-11-13T02:00+09:00`, `2023-11-12T17:00Z`); seconds optional.
///
/// # Errors
/// A message quoting `text` when it is not one of these forms or is outside the supported range.
pub fn parse_written(text: &str) -> Result<WrittenTime, String> {
    written(text).map_err(Bad::message)
}

fn written(text: &str) -> Result<WrittenTime, Bad> {
    let s = text.trim();
    if let Some(t) = parse_rfc3339_loose(s) {
        return if in_range(t) { Ok(WrittenTime::Exact(t)) } else { Err(Bad::Range(out_of_range(text))) };
    }
    let form = || Bad::Form(format!("`{text}` is not a date and time; {DATETIME_EXPECTED}"));
    let (date, time) = s.split_once(['T', ' ']).ok_or_else(form)?;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| form())?;
    let (time, next_day) = parse_time_of_day(time).map_err(Bad::Form)?;
    let local = date.and_time(time);
    let local = if next_day { local.checked_add_signed(Duration::days(1)) } else { Some(local) };
    match local {
        Some(l) if date_in_range(l.date()) => Ok(WrittenTime::Local(l)),
        _ => Err(Bad::Range(out_of_range(text))),
    }
}

/// Parses an RFC 3339 instant with an offset; seconds and fractions optional, fractions dropped.
fn parse_rfc3339_loose(s: &str) -> Option<Instant> {
    rfc3339_common(s.as_bytes()).or_else(|| rfc3339_by_formats(s))
}

/// `parse_rfc3339_loose` through chrono's format parser: every shape it accepts.
pub(crate) fn rfc3339_by_formats(s: &str) -> Option<Instant> {
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

/// The common shapes of `parse_rfc3339_loose`, read byte by byte without chrono's format
/// machinery (which was a tenth of an uncached HTTP answer): `YYYY-MM-DD`, `T` or a space,
/// `HH:MM`, optionally `:SS` and `.` with 1 to 9 digits, then `Z`, `z` or `±HH:MM`. `None`
/// for anything else, including leap seconds and offsets of a day or more, which the format
/// parser then reads (or rejects) as before; `tests.rs` checks the two agree.
pub(crate) fn rfc3339_common(b: &[u8]) -> Option<Instant> {
    fn num(b: &[u8]) -> Option<u32> {
        b.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    }
    if b.len() < 17 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') || b[13] != b':' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(&b[0..4])?).ok()?, num(&b[5..7])?, num(&b[8..10])?)?;
    let (hour, minute) = (num(&b[11..13])?, num(&b[14..16])?);
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(b.get(i + 1..i + 3)?)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            i += 1 + digits;
        }
    }
    let offset = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (num(&[*h1, *h2])?, num(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let secs = i32::try_from(h * 3600 + m * 60).ok()?;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let local = date.and_hms_opt(hour, minute, second)?;
    let utc = local.checked_sub_signed(Duration::seconds(i64::from(offset)))?;
    Some(Instant::new(DateTime::from_naive_utc_and_offset(utc, Utc)))
}

/// Parses `YYYY-MM-DD`, from 1900-01-01 to 9999-12-31.
///
/// # Errors
/// A message quoting `text` when it is not a date or is outside the supported range.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let d = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; expected YYYY-MM-DD, e.g. `2023-11-13`"))?;
    if !date_in_range(d) {
        return Err(format!("`{text}` is outside the supported range; expected a date from 1900-01-01 to 9999-12-31, e.g. `2023-11-13`"));
    }
    Ok(d)
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
    if !digits.is_empty() {
        return Err(err());
    }
    if total > MAX_DURATION_DAYS * 86_400 {
        return Err(format!("`{text}` is longer than {MAX_DURATION_DAYS}d, the longest duration mado accepts; e.g. `4h` or `2d`"));
    }
    Ok(Duration::seconds(total))
}

/// Parses a lookahead: a duration (`15m`, `2h`) of at most [`MAX_LOOKAHEAD_DAYS`] days.
///
/// # Errors
/// A message quoting `text` when it is not a duration or is longer than the ceiling.
pub fn parse_lookahead(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if !lookahead_ok(d) {
        return Err(lookahead_too_long(text));
    }
    Ok(d)
}

/// Whether `d` is within the lookahead ceiling.
pub fn lookahead_ok(d: Duration) -> bool {
    d <= Duration::days(MAX_LOOKAHEAD_DAYS)
}

/// The message for a lookahead past the ceiling.
pub fn lookahead_too_long(text: &str) -> String {
    format!("lookahead `{text}` is longer than the maximum lookahead of {MAX_LOOKAHEAD_DAYS}d; expected a duration up to {MAX_LOOKAHEAD_DAYS}d, e.g. `15m` or `2h`")
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
pub fn parse_instant(text: &str, zone: Tz, now: impl Into<Instant>) -> Result<Instant, String> {
    let now: Instant = now.into();
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    // The shape most queries use, first; anything else (and anything out of range, for its
    // message) goes the long way.
    if let Some(t) = rfc3339_common(text.trim().as_bytes()).filter(|t| in_range(*t)) {
        return Ok(t);
    }
    let t = match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(date) if date_in_range(date) => local_to_instant(zone, date.and_time(NaiveTime::MIN)),
        Ok(_) => return Err(out_of_range(text)),
        Err(_) => match written(text) {
            Ok(w) => w.resolve(zone),
            Err(Bad::Range(m)) => return Err(m),
            Err(Bad::Form(_)) => return Err(format!("`{text}` is not an instant; expected RFC 3339 (`2023-11-13T03:00:00+09:00`, `2023-11-12T18:00Z`), a local `2023-11-13 03:00` or `2023-11-13`, or `now`")),
        },
    };
    Ok(t)
}

/// Parses an IANA zone name.
pub fn parse_zone(text: &str) -> Result<Tz, String> {
    text.parse::<Tz>().map_err(|_| format!("`{text}` is not a known time zone; expected an IANA name, e.g. `Asia/Tokyo`"))
}

/// What the evaluator needs to know of a zone's offsets over the supported range, to tell
/// when gaps between local times equal gaps between instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ZoneFacts {
    /// Largest minus smallest UTC offset, in seconds.
    pub spread: i64,
    /// From this instant on the offset never changes (`None` while it still does, as with DST).
    pub stable_from: Option<Instant>,
}

/// The offsets of `zone`, sampled weekly from 1900 to 2200 (tz rules after that repeat),
/// computed once per zone.
pub(crate) fn zone_facts(zone: Tz) -> ZoneFacts {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<&'static str, ZoneFacts>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(f) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(zone.name()) {
        return *f;
    }
    let week = 7 * 86_400;
    let (first, last) = (min_instant().timestamp(), 7_258_118_400); // 2200-01-01
    let offset = |ts: i64| {
        DateTime::from_timestamp(ts, 0)
            .map_or(0, |t| i64::from(chrono::Offset::fix(&zone.offset_from_utc_datetime(&t.naive_utc())).local_minus_utc()))
    };
    let final_offset = offset(last);
    let (mut lo, mut hi, mut last_other) = (final_offset, final_offset, None);
    let mut ts = first;
    while ts <= last {
        let o = offset(ts);
        lo = lo.min(o);
        hi = hi.max(o);
        if o != final_offset {
            last_other = Some(ts);
        }
        ts += week;
    }
    // Offsets that still change in the last sampled century mean rules that go on (DST).
    let stable_from = match last_other {
        None => Some(min_instant()),
        Some(ts) if ts < last - 100 * 365 * 86_400 => Instant::from_timestamp(ts + week),
        Some(_) => None,
    };
    let facts = ZoneFacts { spread: hi - lo, stable_from };
    cache.lock().unwrap_or_else(|p| p.into_inner()).insert(zone.name(), facts);
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `Instant` holds whole seconds however it is made: from a `DateTime` with a fraction,
    /// by adding a `Duration` with one, or read from JSON with one.
    #[test]
    fn an_instant_is_whole_seconds() {
        let t = DateTime::from_timestamp(1_700_000_000, 999_999_999).expect("in range");
        let i = Instant::from(t);
        assert_eq!((i.timestamp(), i.timestamp_subsec_nanos()), (1_700_000_000, 0));
        let later = i + Duration::milliseconds(1_500);
        assert_eq!((later.timestamp(), later.timestamp_subsec_nanos()), (1_700_000_001, 0));
        let read: Instant = serde_json::from_str("\"2023-11-13T02:00:00.750+09:00\"").expect("json");
        assert_eq!(read.to_rfc3339(), "2023-11-12T17:00:00+00:00");
        assert!(i - Duration::seconds(1) < i);
        assert_eq!(later - i, Duration::seconds(1));
    }
}
