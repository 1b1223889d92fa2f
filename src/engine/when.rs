//! Times as people say them: `23:30`, `tonight 23:30`, `tomorrow 02:00`, `mon 01:00`, `+2h`,
//! `今日 23:30`, `明日 2:00`, `11月13日 3:00`, besides the exact forms of [`time::parse_instant`]
//! (RFC 3339, `2023-11-13 03:00`, `2023-11-13`, `now`); and lengths (`30d`, `+2h`, `1h30m`).
//!
//! Every form is read in one zone against one clock, both passed in, so the same text always
//! means the same instant in a test. What was read comes back as a [`Reading`], so an
//! interface can echo it: `23:30` read as `2026-11-30T23:30+09:00` (today).
//!
//! - A time of day alone means the next such time from now: today if it is still to come
//!   (or is now), else tomorrow.
//! - `today`, `tomorrow`, `yesterday` (`今日`, `明日`, `明後日`, `昨日`) without a time mean
//!   00:00 of that day.
//! - `tonight` (`今夜`, `今晩`) is the coming night of today's date: a time from 12:00 is on
//!   today's date, a time before 12:00 on the next (`tonight 02:00` is tomorrow 02:00);
//!   `tonight` alone is today 18:00, or now when that has passed.
//! - A weekday (`mon`, `monday`, `月曜`, `月曜日`) is the next day with that name, today
//!   included; `next mon` is after today.
//! - A month and day without a year (`11月13日`, `11/13`) is the next such date, today included.
//! - `翌` before a time (`翌1:00`) and `24:00` move it to the next day; `午前`/`午後`,
//!   `am`/`pm`, `3時`, `3時半` and `3時15分` are read as people write them.
//!
//! [`time::parse_instant`]: crate::time::parse_instant

use crate::engine::model::Lang;
use crate::engine::time::{self, Instant};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;
use unicode_normalization::UnicodeNormalization;

/// The forms an instant may take, for error messages.
pub const INSTANT_FORMS: &str = "`now`, a time of day (`23:30`: the next one), `today 23:30`, `tonight 23:30`, `tomorrow 02:00`, a weekday (`mon 01:00`), `+2h`, `2023-11-13 03:00`, `2023-11-13`, RFC 3339 (`2023-11-13T03:00+09:00`), or in Japanese `今日 23:30`, `明日 2:00`, `11月13日 3:00`";

/// Why a time or length was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    /// Not one of the forms.
    #[error("`{text}` is not an instant; expected {INSTANT_FORMS}")]
    NotAnInstant {
        /// The text as given.
        text: String,
    },
    /// Not a length.
    #[error("`{text}` is not a length; expected a number and a unit (d, h, m, s or w; 日, 時間, 分, 秒), e.g. `30d`, `2h` or `1h30m`")]
    NotALength {
        /// The text as given.
        text: String,
    },
    /// The right form, but no such instant: a day that does not exist, a weekday that does
    /// not match the date, a time outside the supported range.
    #[error("{detail}")]
    Invalid {
        /// The text as given.
        text: String,
        /// What is wrong and what is allowed.
        detail: String,
    },
}

/// How a text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `now`.
    Now,
    /// An instant with an offset: nothing was assumed.
    Exact,
    /// A full local date (and time), read in the zone.
    Local,
    /// A length from now (`+2h`; negative for `2h ago`).
    FromNow(Duration),
    /// A length after the start of a range (`--to 30d`).
    AfterStart(Duration),
    /// A time of day alone: the next such time.
    NextTime,
    /// `today`, `tomorrow`, `yesterday`, the day after tomorrow (with or without a time).
    DayWord,
    /// `tonight`.
    Tonight,
    /// A weekday.
    Weekday,
    /// A month and day without a year: the next such date.
    MonthDay,
}

/// How a text was read: its form and the day it landed on, counted from today in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The form.
    pub form: Form,
    /// Days from today (in the zone) to the day of the instant: 0 today, 1 tomorrow.
    pub day: i64,
    /// The weekday of the instant, in the zone.
    pub weekday: Weekday,
}

impl Reading {
    /// Whether the text said everything itself (an offset, or a full date): nothing to echo.
    pub fn explicit(&self) -> bool {
        matches!(self.form, Form::Exact | Form::Local)
    }

    /// What was assumed, in a few words: `today, Mon`, `明日（火）`, `in 2h`, `30d after --from`.
    pub fn describe(&self, lang: Lang) -> String {
        let len = |d: Duration| time::format_duration(d.abs());
        match (self.form, lang) {
            (Form::Now, Lang::En) => "now".into(),
            (Form::Now, Lang::Ja) => "現在".into(),
            (Form::FromNow(d), Lang::En) if d < Duration::zero() => format!("{} ago", len(d)),
            (Form::FromNow(d), Lang::En) => format!("in {}", len(d)),
            (Form::FromNow(d), Lang::Ja) if d < Duration::zero() => format!("{}前", len(d)),
            (Form::FromNow(d), Lang::Ja) => format!("{}後", len(d)),
            (Form::AfterStart(d), Lang::En) => format!("{} after --from", len(d)),
            (Form::AfterStart(d), Lang::Ja) => format!("--from の{}後", len(d)),
            (_, Lang::En) => {
                let day = match self.day {
                    0 => "today".to_string(),
                    1 => "tomorrow".to_string(),
                    -1 => "yesterday".to_string(),
                    n if n > 0 => format!("in {n} days"),
                    n => format!("{} days ago", -n),
                };
                format!("{day}, {}", weekday_en(self.weekday))
            }
            (_, Lang::Ja) => {
                let day = match self.day {
                    0 => "今日".to_string(),
                    1 => "明日".to_string(),
                    2 => "明後日".to_string(),
                    -1 => "昨日".to_string(),
                    n if n > 0 => format!("{n}日後"),
                    n => format!("{}日前", -n),
                };
                format!("{day}（{}）", weekday_ja(self.weekday))
            }
        }
    }
}

fn weekday_en(w: Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][w.num_days_from_monday() as usize]
}

fn weekday_ja(w: Weekday) -> &'static str {
    ["月", "火", "水", "木", "金", "土", "日"][w.num_days_from_monday() as usize]
}

/// Reads an instant as people say it, in `zone`, with `now` as the current instant.
///
/// # Errors
/// [`WhenError`] quoting the text: not a form listed in [`INSTANT_FORMS`], a day that does
/// not exist (`2月30日`), a weekday that does not match its date, or outside the supported range.
pub fn parse_when(text: &str, now: impl Into<Instant>, zone: Tz) -> Result<(Instant, Reading), WhenError> {
    let now: Instant = now.into();
    let reading = |t: Instant, form: Form| (t, reading_of(t, form, now, zone));
    let trimmed = text.trim();
    // The exact forms keep their own reading and messages.
    let norm = normalise(trimmed);
    if norm == "now" || norm == "今" || norm == "現在" {
        return Ok(reading(now, Form::Now));
    }
    match time::parse_instant(trimmed, zone, now) {
        Ok(t) => {
            let form = if time::rfc3339_common(trimmed.as_bytes()).is_some() || time::rfc3339_by_formats(trimmed).is_some() {
                Form::Exact
            } else {
                Form::Local
            };
            return Ok(reading(t, form));
        }
        Err(m) if m.contains("supported range") => return Err(WhenError::Invalid { text: text.into(), detail: m }),
        Err(_) => {}
    }
    let bad = || WhenError::NotAnInstant { text: text.into() };
    if let Some(d) = relative(&norm) {
        let d = d.map_err(|_| bad())?;
        let t = now.checked_add_signed(d).filter(|t| time::in_range(*t)).ok_or_else(|| range(text))?;
        return Ok(reading(t, Form::FromNow(d)));
    }
    let today = now.with_timezone(&zone).date_naive();
    let (day, rest) = match day_prefix(&norm, today, text)? {
        Some((day, rest)) => (Some(day), rest.trim()),
        None => (None, norm.as_str()),
    };
    let at = if rest.is_empty() {
        None
    } else {
        match time_of_day(rest) {
            Some(t) => Some(t),
            None => {
                // `23:30 tomorrow`: the time first.
                return match (day, split_time_first(rest, today, text)?) {
                    (None, Some((t, d))) => finish(d, Some(t), now, zone, text),
                    _ => Err(bad()),
                };
            }
        }
    };
    match day {
        Some(d) => finish(d, at, now, zone, text),
        None => match at {
            Some(t) => finish(Day { date: today, form: Form::NextTime }, Some(t), now, zone, text),
            None => Err(bad()),
        },
    }
}

/// Reads the end of a range: a length after `start` (`30d`, `+2h`), or an instant as
/// [`parse_when`] reads it.
///
/// # Errors
/// As [`parse_when`].
pub fn parse_end(text: &str, start: impl Into<Instant>, now: impl Into<Instant>, zone: Tz) -> Result<(Instant, Reading), WhenError> {
    let (start, now): (Instant, Instant) = (start.into(), now.into());
    if let Ok(d) = parse_length(text) {
        let t = start.checked_add_signed(d).filter(|t| time::in_range(*t)).ok_or_else(|| range(text))?;
        return Ok((t, reading_of(t, Form::AfterStart(d), now, zone)));
    }
    parse_when(text, now, zone)
}

/// Reads a length: `30d`, `+2h`, `1h30m`, `90s`, `2w`, `3日`, `2時間30分`.
///
/// # Errors
/// [`WhenError::NotALength`] quoting the text; [`WhenError::Invalid`] past the longest
/// duration mado accepts ([`time::MAX_DURATION_DAYS`] days).
pub fn parse_length(text: &str) -> Result<Duration, WhenError> {
    let norm = normalise(text);
    let body = norm.strip_prefix('+').unwrap_or(&norm).trim();
    let secs = length_secs(body).ok_or_else(|| WhenError::NotALength { text: text.into() })?;
    if secs > time::MAX_DURATION_DAYS * 86_400 {
        return Err(WhenError::Invalid {
            text: text.into(),
            detail: format!("`{text}` is longer than {}d, the longest length mado accepts; e.g. `30d`", time::MAX_DURATION_DAYS),
        });
    }
    Ok(Duration::seconds(secs))
}

fn range(text: &str) -> WhenError {
    WhenError::Invalid { text: text.into(), detail: time::out_of_range(text) }
}

fn reading_of(t: Instant, form: Form, now: Instant, zone: Tz) -> Reading {
    let local = t.with_timezone(&zone).date_naive();
    let today = now.with_timezone(&zone).date_naive();
    Reading { form, day: (local - today).num_days(), weekday: local.weekday() }
}

/// NFKC (full-width digits and colons), lower case, single spaces.
fn normalise(text: &str) -> String {
    let s: String = text.trim().nfkc().flat_map(char::to_lowercase).collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `+2h`, `-30m`, `in 2h`, `2h ago`, `2時間後`, `30分前`: `None` when not of this shape.
fn relative(s: &str) -> Option<Result<Duration, ()>> {
    let (body, sign) = if let Some(b) = s.strip_prefix('+') {
        (b, 1)
    } else if let Some(b) = s.strip_prefix('-') {
        (b, -1)
    } else if let Some(b) = s.strip_prefix("in ") {
        (b, 1)
    } else if let Some(b) = s.strip_suffix(" ago") {
        (b, -1)
    } else if let Some(b) = s.strip_suffix('後').filter(|b| b.starts_with(|c: char| c.is_ascii_digit())) {
        (b, 1)
    } else if let Some(b) = s.strip_suffix('前').filter(|b| b.starts_with(|c: char| c.is_ascii_digit())) {
        (b, -1)
    } else {
        return None;
    };
    let secs = length_secs(body.trim()).filter(|&n| n <= time::MAX_DURATION_DAYS * 86_400);
    Some(secs.map(|n| Duration::seconds(sign * n)).ok_or(()))
}

/// Numbers with units, summed: `1h30m`, `2 hours`, `3日`, `1時間30分`. `None` if anything else.
fn length_secs(s: &str) -> Option<i64> {
    const UNITS: [(&str, i64); 24] = [
        ("weeks", 604_800),
        ("week", 604_800),
        ("w", 604_800),
        ("週間", 604_800),
        ("週", 604_800),
        ("days", 86_400),
        ("day", 86_400),
        ("d", 86_400),
        ("日間", 86_400),
        ("日", 86_400),
        ("hours", 3_600),
        ("hour", 3_600),
        ("h", 3_600),
        ("時間", 3_600),
        ("minutes", 60),
        ("minute", 60),
        ("min", 60),
        ("m", 60),
        ("分間", 60),
        ("分", 60),
        ("seconds", 1),
        ("second", 1),
        ("s", 1),
        ("秒", 1),
    ];
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 || digits > 9 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let (unit, secs) = UNITS.iter().find(|(u, _)| rest.starts_with(u))?;
        total = total.checked_add(n.checked_mul(*secs)?)?;
        rest = rest[unit.len()..].trim_start();
    }
    Some(total)
}

/// A time of day, and whether it is on the next day (`翌1:00`, `24:00`).
type TimeOfDay = (NaiveTime, bool);

/// A day the text names, and how.
#[derive(Clone, Copy)]
struct Day {
    date: NaiveDate,
    form: Form,
}

const WEEKDAYS: [(&str, Weekday); 21] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
    ("月", Weekday::Mon),
    ("火", Weekday::Tue),
    ("水", Weekday::Wed),
    ("木", Weekday::Thu),
    ("金", Weekday::Fri),
    ("土", Weekday::Sat),
    ("日", Weekday::Sun),
];

/// The day at the start of `s`, and the rest. `Ok(None)` when `s` does not start with a day.
fn day_prefix<'a>(s: &'a str, today: NaiveDate, text: &str) -> Result<Option<(Day, &'a str)>, WhenError> {
    let word = |d: i64| Day { date: today + Duration::days(d), form: Form::DayWord };
    for (w, day) in [
        ("today", word(0)),
        ("tomorrow", word(1)),
        ("yesterday", word(-1)),
        ("tonight", Day { date: today, form: Form::Tonight }),
        ("今日", word(0)),
        ("本日", word(0)),
        ("明後日", word(2)),
        ("あさって", word(2)),
        ("明日", word(1)),
        ("あした", word(1)),
        ("昨日", word(-1)),
        ("今夜", Day { date: today, form: Form::Tonight }),
        ("今晩", Day { date: today, form: Form::Tonight }),
    ] {
        if let Some(rest) = s.strip_prefix(w) {
            if boundary(rest) {
                return Ok(Some((day, rest)));
            }
        }
    }
    let (next, body) = match s.strip_prefix("next ") {
        Some(b) => (true, b),
        None => (false, s),
    };
    for (name, wd) in WEEKDAYS.iter().filter(|(n, _)| n.is_ascii()) {
        if let Some(rest) = body.strip_prefix(name) {
            if boundary(rest) {
                return Ok(Some((Day { date: weekday_from(today, *wd, next), form: Form::Weekday }, rest)));
            }
        }
    }
    for (name, wd) in WEEKDAYS.iter().filter(|(n, _)| !n.is_ascii()) {
        for tail in ["曜日", "曜"] {
            if let Some(rest) = s.strip_prefix(&format!("{name}{tail}")) {
                return Ok(Some((Day { date: weekday_from(today, *wd, false), form: Form::Weekday }, rest)));
            }
        }
    }
    let Some((date, form, rest)) = date_prefix(s, today, text)? else { return Ok(None) };
    // `2023年11月13日(月)` as notices write it: the weekday must match.
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('(') {
        if let Some((wd, after)) = inner.split_once(')') {
            let named = WEEKDAYS.iter().find(|(n, _)| *n == wd.trim()).map(|(_, w)| *w);
            match named {
                Some(w) if w == date.weekday() => return Ok(Some((Day { date, form }, after))),
                Some(w) => {
                    return Err(WhenError::Invalid {
                        text: text.into(),
                        detail: format!(
                            "`{text}`: {date} is a {}, not a {}; give the date or the weekday, e.g. `{date} 03:00`",
                            weekday_long(date.weekday()),
                            weekday_long(w)
                        ),
                    })
                }
                None => return Ok(None),
            }
        }
    }
    Ok(Some((Day { date, form }, rest)))
}

fn weekday_long(w: Weekday) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][w.num_days_from_monday() as usize]
}

/// Whether a word ended: the text ends, or a space, digit or `(` follows.
fn boundary(rest: &str) -> bool {
    rest.is_empty() || rest.starts_with([' ', '(']) || rest.starts_with(|c: char| c.is_ascii_digit()) || rest.starts_with(['午', '翌'])
}

fn weekday_from(today: NaiveDate, wd: Weekday, strictly_after: bool) -> NaiveDate {
    let ahead = (7 + i64::from(wd.num_days_from_monday()) - i64::from(today.weekday().num_days_from_monday())) % 7;
    let ahead = if ahead == 0 && strictly_after { 7 } else { ahead };
    today + Duration::days(ahead)
}

/// Leading digits of `s` (at most `max`), as a number, and the rest.
fn number(s: &str, max: usize) -> Option<(u32, &str)> {
    let n = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if n == 0 || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// `YYYY/MM/DD`, `YYYY年M月D日`, `M月D日`, `M/D` at the start of `s`.
fn date_prefix<'a>(s: &'a str, today: NaiveDate, text: &str) -> Result<Option<(NaiveDate, Form, &'a str)>, WhenError> {
    let no_day = |y: i32, m: u32, d: u32| WhenError::Invalid {
        text: text.into(),
        detail: format!("`{text}`: there is no day {y:04}-{m:02}-{d:02}; expected a day of the calendar, e.g. `11月13日 3:00`"),
    };
    let checked = |y: i32, m: u32, d: u32| -> Result<NaiveDate, WhenError> {
        let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| no_day(y, m, d))?;
        if time::date_in_range(date) {
            Ok(date)
        } else {
            Err(range(text))
        }
    };
    // The next such month and day, today included.
    let next = |m: u32, d: u32| -> Result<NaiveDate, WhenError> {
        if NaiveDate::from_ymd_opt(2000, m, d).is_none() {
            return Err(WhenError::Invalid {
                text: text.into(),
                detail: format!(
                    "`{text}`: there is no day {m}月{d}日 (month {m}, day {d}); expected a day of the calendar, e.g. `11月13日 3:00`"
                ),
            });
        }
        let this = NaiveDate::from_ymd_opt(today.year(), m, d);
        match this {
            Some(date) if date >= today => checked(date.year(), m, d),
            _ => {
                // 2月29日 in a year without one: the next year that has it.
                let mut y = today.year() + 1;
                while NaiveDate::from_ymd_opt(y, m, d).is_none() && y < today.year() + 8 {
                    y += 1;
                }
                checked(y, m, d)
            }
        }
    };
    let Some((a, rest)) = number(s, 4) else { return Ok(None) };
    if let Some(r) = rest.strip_prefix('年') {
        let Some((m, r)) = number(r, 2) else { return Ok(None) };
        let Some(r) = r.strip_prefix('月') else { return Ok(None) };
        let Some((d, r)) = number(r, 2) else { return Ok(None) };
        let Some(r) = r.strip_prefix('日') else { return Ok(None) };
        let y = i32::try_from(a).map_err(|_| range(text))?;
        return Ok(Some((checked(y, m, d)?, Form::Local, r)));
    }
    if let Some(r) = rest.strip_prefix('-').filter(|_| s.len() - rest.len() == 4) {
        // `2024-02-29 翌1:00`: the date of the exact forms, with a time they do not read.
        let Some((m, r)) = number(r, 2) else { return Ok(None) };
        let Some(r) = r.strip_prefix('-') else { return Ok(None) };
        let Some((d, r)) = number(r, 2) else { return Ok(None) };
        let y = i32::try_from(a).map_err(|_| range(text))?;
        return Ok(Some((checked(y, m, d)?, Form::Local, r)));
    }
    if let Some(r) = rest.strip_prefix('月') {
        let Some((d, r)) = number(r, 2) else { return Ok(None) };
        let Some(r) = r.strip_prefix('日') else { return Ok(None) };
        return Ok(Some((next(a, d)?, Form::MonthDay, r)));
    }
    if let Some(r) = rest.strip_prefix('/') {
        let Some((b, r)) = number(r, 2) else { return Ok(None) };
        if let Some(r2) = r.strip_prefix('/') {
            let Some((d, r2)) = number(r2, 2) else { return Ok(None) };
            let y = i32::try_from(a).map_err(|_| range(text))?;
            return Ok(Some((checked(y, b, d)?, Form::Local, r2)));
        }
        if s.len() - rest.len() <= 2 && !r.starts_with(':') {
            return Ok(Some((next(a, b)?, Form::MonthDay, r)));
        }
    }
    Ok(None)
}

/// A time of day: `23:30`, `2:00`, `02:00:30`, `24:00`, `3時`, `3時半`, `3時15分`, `午前3時`,
/// `午後11時`, `11pm`, `11:30pm`, `noon`, `正午`, `翌1:00`. The flag: the next day.
fn time_of_day(s: &str) -> Option<(NaiveTime, bool)> {
    let s = s.trim();
    let (s, next_day) = match s.strip_prefix('翌') {
        Some(r) => (r.trim_start(), true),
        None => (s, false),
    };
    if s == "noon" || s == "正午" {
        return Some((NaiveTime::from_hms_opt(12, 0, 0)?, next_day));
    }
    let (s, half) = if let Some(r) = s.strip_prefix("午前") {
        (r.trim_start(), Some(false))
    } else if let Some(r) = s.strip_prefix("午後") {
        (r.trim_start(), Some(true))
    } else {
        (s, None)
    };
    let (s, half) = match (half, s.strip_suffix("am"), s.strip_suffix("pm")) {
        (None, Some(r), _) => (r.trim_end(), Some(false)),
        (None, _, Some(r)) => (r.trim_end(), Some(true)),
        _ => (s, half),
    };
    let (h, rest) = number(s, 2)?;
    let (m, sec) = if rest.is_empty() && half.is_some() {
        (0, 0)
    } else if let Some(r) = rest.strip_prefix(':') {
        let (m, r) = number(r, 2).filter(|(_, r)| r.is_empty() || r.starts_with(':'))?;
        if r.is_empty() {
            (m, 0)
        } else {
            let (sec, r) = number(&r[1..], 2)?;
            if !r.is_empty() {
                return None;
            }
            (m, sec)
        }
    } else if let Some(r) = rest.strip_prefix('時') {
        match r {
            "" => (0, 0),
            "半" => (30, 0),
            _ => {
                let (m, r) = number(r, 2)?;
                (r == "分").then_some((m, 0))?
            }
        }
    } else {
        return None;
    };
    if m > 59 || sec > 59 {
        return None;
    }
    let h = match half {
        Some(_) if h == 0 || h > 12 => return None,
        Some(false) => h % 12,
        Some(true) => h % 12 + 12,
        None => h,
    };
    if h == 24 && m == 0 && sec == 0 && !next_day {
        return Some((NaiveTime::MIN, true));
    }
    Some((NaiveTime::from_hms_opt(h, m, sec)?, next_day))
}

/// `23:30 tomorrow`: a time, then a day.
fn split_time_first(s: &str, today: NaiveDate, text: &str) -> Result<Option<(TimeOfDay, Day)>, WhenError> {
    let Some((time, rest)) = s.split_once(' ') else { return Ok(None) };
    let Some(t) = time_of_day(time) else { return Ok(None) };
    match day_prefix(rest.trim(), today, text)? {
        Some((d, tail)) if tail.trim().is_empty() => Ok(Some((t, d))),
        _ => Ok(None),
    }
}

/// The instant of a day and an optional time, by the rules of the module doc.
fn finish(day: Day, at: Option<(NaiveTime, bool)>, now: Instant, zone: Tz, text: &str) -> Result<(Instant, Reading), WhenError> {
    let local_now = now.with_timezone(&zone).naive_local();
    let (mut date, time, next_day) = match (day.form, at) {
        (Form::Tonight, None) => {
            let evening = day.date.and_hms_opt(18, 0, 0).unwrap_or_default();
            if local_now > evening {
                return Ok((now, reading_of(now, Form::Tonight, now, zone)));
            }
            (day.date, NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN), false)
        }
        (Form::Tonight, Some((t, n))) => (day.date, t, n || t.hour() < 12),
        (_, None) => (day.date, NaiveTime::MIN, false),
        (_, Some((t, n))) => (day.date, t, n),
    };
    if next_day {
        date += Duration::days(1);
    }
    if day.form == Form::NextTime && date.and_time(time) < local_now {
        date += Duration::days(1);
    }
    if !time::date_in_range(date) {
        return Err(range(text));
    }
    let mut t = time::local_to_instant(zone, date.and_time(time));
    // A bare time in a DST fold or gap can come out before now; the next one is a day on.
    if day.form == Form::NextTime && t < now {
        t = time::local_to_instant(zone, (date + Duration::days(1)).and_time(time));
    }
    Ok((t, reading_of(t, day.form, now, zone)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// 2026-11-30 (a Monday) 10:15 in Tokyo.
    fn clock() -> Instant {
        chrono::Utc.with_ymd_and_hms(2026, 11, 30, 1, 15, 0).single().expect("valid").into()
    }

    fn tokyo(text: &str) -> Result<(String, Reading), WhenError> {
        let zone = time::DEFAULT_ZONE;
        parse_when(text, clock(), zone).map(|(t, r)| (t.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S").to_string(), r))
    }

    #[test]
    fn forms_people_use_read_against_the_clock() {
        let table: &[(&str, &str, &str)] = &[
            ("now", "2026-11-30 10:15:00", "now"),
            ("23:30", "2026-11-30 23:30:00", "today, Mon"),
            ("09:00", "2026-12-01 09:00:00", "tomorrow, Tue"),
            ("10:15", "2026-11-30 10:15:00", "today, Mon"),
            ("2:00", "2026-12-01 02:00:00", "tomorrow, Tue"),
            ("24:00", "2026-12-01 00:00:00", "tomorrow, Tue"),
            ("today", "2026-11-30 00:00:00", "today, Mon"),
            ("today 23:30", "2026-11-30 23:30:00", "today, Mon"),
            ("Today 09:00", "2026-11-30 09:00:00", "today, Mon"),
            ("tonight", "2026-11-30 18:00:00", "today, Mon"),
            ("tonight 23:30", "2026-11-30 23:30:00", "today, Mon"),
            ("tonight 02:00", "2026-12-01 02:00:00", "tomorrow, Tue"),
            ("tomorrow", "2026-12-01 00:00:00", "tomorrow, Tue"),
            ("tomorrow 02:00", "2026-12-01 02:00:00", "tomorrow, Tue"),
            ("23:30 tomorrow", "2026-12-01 23:30:00", "tomorrow, Tue"),
            ("yesterday 23:00", "2026-11-29 23:00:00", "yesterday, Sun"),
            ("+2h", "2026-11-30 12:15:00", "in 2h"),
            ("in 1h30m", "2026-11-30 11:45:00", "in 1h30m"),
            ("30m ago", "2026-11-30 09:45:00", "30m ago"),
            ("-1d", "2026-11-29 10:15:00", "1d ago"),
            ("mon 01:00", "2026-11-30 01:00:00", "today, Mon"),
            ("next mon 01:00", "2026-12-07 01:00:00", "in 7 days, Mon"),
            ("wed", "2026-12-02 00:00:00", "in 2 days, Wed"),
            ("Friday 23:00", "2026-12-04 23:00:00", "in 4 days, Fri"),
            ("sun", "2026-12-06 00:00:00", "in 6 days, Sun"),
            ("11pm", "2026-11-30 23:00:00", "today, Mon"),
            ("tomorrow 1:30am", "2026-12-01 01:30:00", "tomorrow, Tue"),
            ("noon", "2026-11-30 12:00:00", "today, Mon"),
            ("今日 23:30", "2026-11-30 23:30:00", "today, Mon"),
            ("今日23:30", "2026-11-30 23:30:00", "today, Mon"),
            ("本日 ２３：３０", "2026-11-30 23:30:00", "today, Mon"),
            ("明日 2:00", "2026-12-01 02:00:00", "tomorrow, Tue"),
            ("明日2時", "2026-12-01 02:00:00", "tomorrow, Tue"),
            ("明後日 3時半", "2026-12-02 03:30:00", "in 2 days, Wed"),
            ("今夜 23時", "2026-11-30 23:00:00", "today, Mon"),
            ("今夜 翌1:00", "2026-12-01 01:00:00", "tomorrow, Tue"),
            ("今晩 1:30", "2026-12-01 01:30:00", "tomorrow, Tue"),
            ("午後11時", "2026-11-30 23:00:00", "today, Mon"),
            ("午前3時15分", "2026-12-01 03:15:00", "tomorrow, Tue"),
            ("昨日", "2026-11-29 00:00:00", "yesterday, Sun"),
            ("金曜 23:00", "2026-12-04 23:00:00", "in 4 days, Fri"),
            ("月曜日 1:00", "2026-11-30 01:00:00", "today, Mon"),
            ("12月13日 3:00", "2026-12-13 03:00:00", "in 13 days, Sun"),
            ("11月13日 3:00", "2027-11-13 03:00:00", "in 348 days, Sat"),
            ("11月30日", "2026-11-30 00:00:00", "today, Mon"),
            ("12/24 22:00", "2026-12-24 22:00:00", "in 24 days, Thu"),
            ("2023年11月13日 2:00", "2023-11-13 02:00:00", "1113 days ago, Mon"),
            ("2023年11月13日(月) 2:00", "2023-11-13 02:00:00", "1113 days ago, Mon"),
            ("2023年11月13日（月）2:00", "2023-11-13 02:00:00", "1113 days ago, Mon"),
            ("2023/11/13 02:00", "2023-11-13 02:00:00", "1113 days ago, Mon"),
            ("2023-11-13 03:00", "2023-11-13 03:00:00", "1113 days ago, Mon"),
            ("2023-11-13", "2023-11-13 00:00:00", "1113 days ago, Mon"),
            ("2023-11-12T18:00Z", "2023-11-13 03:00:00", "1113 days ago, Mon"),
            ("2024-02-29 翌1:00", "2024-03-01 01:00:00", "1004 days ago, Fri"),
            ("2月29日", "2028-02-29 00:00:00", "in 456 days, Tue"),
        ];
        for (text, want, said) in table {
            match tokyo(text) {
                Ok((got, r)) => {
                    assert_eq!(&got, want, "{text}");
                    assert_eq!(r.describe(Lang::En), *said, "{text}");
                }
                Err(e) => panic!("{text}: {e}"),
            }
        }
    }

    #[test]
    fn explicit_forms_are_not_echoed_and_relative_ones_are() {
        let table = [("2023-11-13 03:00", true), ("2023-11-13T03:00+09:00", true), ("23:30", false), ("now", false), ("+2h", false)];
        for (text, explicit) in table {
            let (_, r) = tokyo(text).expect(text);
            assert_eq!(r.explicit(), explicit, "{text}");
        }
        let (_, r) = tokyo("明日 2:00").expect("reads");
        assert_eq!(r.describe(Lang::Ja), "明日（火）");
    }

    #[test]
    fn text_that_is_no_instant_is_refused_with_the_forms() {
        let table: &[(&str, &str)] = &[
            ("", "is not an instant"),
            ("soon", "is not an instant"),
            ("25:00", "is not an instant"),
            ("23:61", "is not an instant"),
            ("13pm", "is not an instant"),
            ("today 23:30 extra", "is not an instant"),
            ("tomorrowish", "is not an instant"),
            ("+2x", "is not an instant"),
            ("2月30日", "there is no day"),
            ("2023年11月13日(火) 2:00", "is a Monday, not a Tuesday"),
            ("0001-01-01", "outside the supported range"),
            ("+99999d", "is not an instant"),
        ];
        for (text, want) in table {
            match tokyo(text) {
                Err(e) => assert!(e.to_string().contains(want), "{text}: {e}"),
                Ok(r) => panic!("{text}: read as {r:?}"),
            }
        }
        let Err(e) = tokyo("soon") else { panic!("soon read") };
        assert_eq!(e.to_string(), format!("`soon` is not an instant; expected {INSTANT_FORMS}"));
    }

    #[test]
    fn lengths_and_range_ends() {
        for (text, secs) in [
            ("30d", 30 * 86_400),
            ("+2h", 7_200),
            ("1h30m", 5_400),
            ("2w", 1_209_600),
            ("3日", 259_200),
            ("2時間30分", 9_000),
            ("90s", 90),
            ("2 hours", 7_200),
        ] {
            assert_eq!(parse_length(text).map(|d| d.num_seconds()), Ok(secs), "{text}");
        }
        for text in ["", "30", "d", "2x", "-2h", "tomorrow"] {
            assert!(matches!(parse_length(text), Err(WhenError::NotALength { .. })), "{text}");
        }
        assert!(matches!(parse_length("4000d"), Err(WhenError::Invalid { .. })));
        let start = chrono::Utc.with_ymd_and_hms(2023, 10, 31, 15, 0, 0).single().expect("valid");
        let (end, r) = parse_end("30d", start, clock(), time::DEFAULT_ZONE).expect("reads");
        assert_eq!(end - start, Duration::days(30));
        assert_eq!(r.describe(Lang::En), "30d after --from");
        let (end, r) = parse_end("2023-12-01", start, clock(), time::DEFAULT_ZONE).expect("reads");
        assert_eq!(end.to_rfc3339(), "2023-11-30T15:00:00+00:00");
        assert!(r.explicit());
    }

    #[test]
    fn a_bare_time_is_the_next_one_in_a_zone_with_dst() {
        // 2026-03-08 is the spring-forward day in New York: 02:30 does not exist.
        let zone: Tz = "America/New_York".parse().expect("zone");
        let now = chrono::Utc.with_ymd_and_hms(2026, 3, 8, 5, 0, 0).single().expect("valid"); // 00:00 EST
        let (t, r) = parse_when("02:30", now, zone).expect("reads");
        assert!(t > now, "{t}");
        assert_eq!(t.with_timezone(&zone).format("%H:%M").to_string(), "03:30");
        assert_eq!(r.day, 0);
    }
}
