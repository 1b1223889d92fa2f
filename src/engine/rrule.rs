//! Recurrence rules: the RFC 5545 RRULE subset mado accepts, and occurrence arithmetic.
//!
//! A rule is `FREQ=DAILY|WEEKLY|MONTHLY` with optional `INTERVAL`, `BYDAY`, `BYMONTHDAY`,
//! `UNTIL` and `COUNT`, anchored at a local DTSTART in a zone. Occurrences start at the
//! DTSTART time of day on each matching local date. Lookups jump straight to the period
//! (day, week starting Monday, month) around an instant, so a rule with no end is answered
//! without expanding it.

use crate::engine::time::{local_to_instant, Instant};
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, Weekday};
use chrono_tz::Tz;

/// How often a rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    /// Every day.
    Daily,
    /// Every week (weeks start on Monday).
    Weekly,
    /// Every month.
    Monthly,
}

/// A `BYDAY` entry: a weekday, with an ordinal within the month for monthly rules (`-1FR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByDay {
    ordinal: Option<i8>,
    weekday: Weekday,
}

/// Where a rule stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// No end.
    None,
    /// `UNTIL`: the last occurrence starts at or before this instant.
    Until(Instant),
    /// `COUNT`: this many occurrences.
    Count(u32),
}

/// A parsed, validated recurrence rule with its anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    text: String,
    freq: Freq,
    interval: u32,
    by_day: Vec<ByDay>,
    by_month_day: Vec<i8>,
    bound: Bound,
    zone: Tz,
    dtstart: NaiveDateTime,
    /// The start of the last occurrence, when the rule has an end and at least one occurrence.
    last_start: Option<Instant>,
}

/// The most periods (days, weeks or months) a lookup steps through before it gives up:
/// a valid rule occurs far more often than this.
const MAX_PERIODS: i64 = 2_000;
/// The most occurrences `COUNT` may ask for.
pub const MAX_COUNT: u32 = 100_000;

const ALLOWED: &str =
    "expected `;`-separated FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, UNTIL, COUNT, e.g. `FREQ=WEEKLY;BYDAY=MO,TH`";

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

impl Rule {
    /// Parses `text` as a rule anchored at local `dtstart` in `zone`.
    ///
    /// # Errors
    /// A message quoting the bad part and what is allowed, when the rule uses a part outside
    /// the subset, a value is out of range, DTSTART is not itself an occurrence, or the rule
    /// never occurs.
    pub fn parse(text: &str, dtstart: NaiveDateTime, zone: Tz) -> Result<Rule, String> {
        let mut freq = None;
        let mut interval = 1u32;
        let mut by_day = Vec::new();
        let mut by_month_day = Vec::new();
        let mut bound = Bound::None;
        let body = text.trim().strip_prefix("RRULE:").unwrap_or(text.trim());
        for part in body.split(';') {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("`{part}` in rule `{text}` is not NAME=VALUE; {ALLOWED}"))?;
            let bad = |what: &str| format!("`{part}` in rule `{text}`: {what}");
            match key {
                "FREQ" => {
                    freq = Some(match value {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        _ => return Err(bad("expected FREQ=DAILY, WEEKLY or MONTHLY")),
                    })
                }
                "INTERVAL" => {
                    interval =
                        value.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| bad("expected an INTERVAL from 1 to 1000"))?
                }
                "BYDAY" => {
                    for code in value.split(',') {
                        let (num, day) = code.split_at(code.len().saturating_sub(2));
                        let weekday =
                            weekday(day).ok_or_else(|| bad("expected weekdays MO, TU, WE, TH, FR, SA, SU, e.g. `BYDAY=MO,-1FR`"))?;
                        let ordinal = if num.is_empty() {
                            None
                        } else {
                            Some(
                                num.trim_start_matches('+')
                                    .parse::<i8>()
                                    .ok()
                                    .filter(|n| *n != 0 && (-5..=5).contains(n))
                                    .ok_or_else(|| bad("expected an ordinal from -5 to 5, e.g. `2TU`"))?,
                            )
                        };
                        by_day.push(ByDay { ordinal, weekday });
                    }
                }
                "BYMONTHDAY" => {
                    for d in value.split(',') {
                        let n = d
                            .parse::<i8>()
                            .ok()
                            .filter(|n| *n != 0 && (-31..=31).contains(n))
                            .ok_or_else(|| bad("expected days of the month from 1 to 31 or -31 to -1"))?;
                        by_month_day.push(n);
                    }
                }
                "UNTIL" => {
                    if bound != Bound::None {
                        return Err(bad("UNTIL and COUNT cannot both be given"));
                    }
                    bound = Bound::Until(parse_until(value, zone).ok_or_else(|| bad("expected UNTIL=YYYYMMDD or YYYYMMDDTHHMMSS[Z]"))?);
                }
                "COUNT" => {
                    if bound != Bound::None {
                        return Err(bad("UNTIL and COUNT cannot both be given"));
                    }
                    bound = Bound::Count(
                        value
                            .parse()
                            .ok()
                            .filter(|n| (1..=MAX_COUNT).contains(n))
                            .ok_or_else(|| bad(&format!("expected a COUNT from 1 to {MAX_COUNT}")))?,
                    );
                }
                _ => return Err(format!("`{key}` in rule `{text}` is not supported; {ALLOWED}")),
            }
        }
        let freq = freq.ok_or_else(|| format!("rule `{text}` has no FREQ; {ALLOWED}"))?;
        if by_day.iter().any(|b| b.ordinal.is_some()) && freq != Freq::Monthly {
            return Err(format!("rule `{text}`: a BYDAY ordinal such as `1MO` needs FREQ=MONTHLY"));
        }
        if freq == Freq::Weekly && !by_month_day.is_empty() {
            return Err(format!("rule `{text}`: BYMONTHDAY cannot be used with FREQ=WEEKLY"));
        }
        let mut rule = Rule { text: body.to_string(), freq, interval, by_day, by_month_day, bound, zone, dtstart, last_start: None };
        if !rule.dates_in_period(0).contains(&dtstart.date()) {
            return Err(format!(
                "rule `{text}`: DTSTART {} is not one of its own occurrences; start the window on a day the rule selects",
                dtstart.format("%Y-%m-%d (%a)")
            ));
        }
        rule.last_start = match bound {
            Bound::None => None,
            Bound::Until(u) => rule.prev_start_le(u),
            Bound::Count(n) => {
                let mut at = rule.first_start();
                for _ in 1..n {
                    at = rule.next_start_gt(at).ok_or_else(|| format!("rule `{text}` stops occurring before COUNT={n}"))?;
                }
                Some(at)
            }
        };
        if bound != Bound::None && rule.last_start.is_none() {
            return Err(format!("rule `{text}` has no occurrence before its UNTIL"));
        }
        Ok(rule)
    }

    /// The rule stopped so that no occurrence starts at or after `t` (an `end` revision):
    /// itself when it already ends before `t`, `None` when it has no occurrence before `t`.
    pub fn ending_before(&self, t: Instant) -> Option<Rule> {
        if t <= self.first_start() {
            return None;
        }
        if self.last_start.is_some_and(|last| last < t) {
            return Some(self.clone());
        }
        let last = t - Duration::seconds(1);
        let kept: Vec<&str> = self
            .text
            .trim()
            .trim_start_matches("RRULE:")
            .split(';')
            .filter(|p| !p.starts_with("UNTIL=") && !p.starts_with("COUNT="))
            .collect();
        let text = format!("{};UNTIL={}", kept.join(";"), last.format("%Y%m%dT%H%M%SZ"));
        Rule::parse(&text, self.dtstart, self.zone).ok()
    }

    /// The rule as written (without `RRULE:`).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The zone the rule runs in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The local DTSTART.
    pub fn dtstart(&self) -> NaiveDateTime {
        self.dtstart
    }

    /// Whether the rule has an end (`UNTIL` or `COUNT`).
    pub fn is_bounded(&self) -> bool {
        self.bound != Bound::None
    }

    /// The start of the last occurrence, for a rule with an end.
    pub fn last_start(&self) -> Option<Instant> {
        self.last_start
    }

    /// The rule's end.
    pub fn bound(&self) -> Bound {
        self.bound
    }

    /// The start of the first occurrence.
    pub fn first_start(&self) -> Instant {
        local_to_instant(self.zone, self.dtstart)
    }

    /// The instant an occurrence on local `date` starts.
    pub fn start_on(&self, date: NaiveDate) -> Instant {
        local_to_instant(self.zone, date.and_time(self.dtstart.time()))
    }

    /// Whether the rule has an occurrence on local `date`.
    pub fn occurs_on(&self, date: NaiveDate) -> bool {
        self.period_of(date).is_some_and(|p| p >= 0 && p % i64::from(self.interval) == 0 && self.dates_in_period(p).contains(&date))
            && self.within_bound(self.start_on(date))
    }

    fn within_bound(&self, start: Instant) -> bool {
        match (self.bound, self.last_start) {
            (Bound::None, _) => true,
            (_, Some(last)) => start <= last,
            (Bound::Until(u), None) => start <= u,
            (Bound::Count(_), None) => true, // while computing COUNT's last start
        }
    }

    /// The local date an occurrence starting at `start` was generated for: its local date,
    /// or the day before when a DST gap pushed a late-evening time past midnight.
    pub fn date_of_nominal(&self, start: Instant) -> NaiveDate {
        let d = self.date_of(start);
        if self.start_on(d) == start {
            d
        } else {
            d.pred_opt().unwrap_or(d)
        }
    }

    /// The local date of the occurrence that starts at `start`.
    pub fn date_of(&self, start: Instant) -> NaiveDate {
        start.with_timezone(&self.zone).date_naive()
    }

    /// Period number of `date` counted from DTSTART's period (day, week or month).
    fn period_of(&self, date: NaiveDate) -> Option<i64> {
        let d0 = self.dtstart.date();
        Some(match self.freq {
            Freq::Daily => (date - d0).num_days(),
            Freq::Weekly => (monday(date) - monday(d0)).num_days() / 7,
            Freq::Monthly => (i64::from(date.year()) - i64::from(d0.year())) * 12 + i64::from(date.month()) - i64::from(d0.month()),
        })
    }

    /// The dates the rule selects in period `p` (ascending), before bounds and DTSTART.
    fn dates_in_period(&self, p: i64) -> Vec<NaiveDate> {
        let d0 = self.dtstart.date();
        let day_ok = |d: NaiveDate| self.by_day.is_empty() || self.by_day.iter().any(|b| b.weekday == d.weekday());
        let month_day_ok = |d: NaiveDate| {
            self.by_month_day.is_empty() || {
                let len = days_in_month(d) as i8;
                self.by_month_day.iter().any(|&m| if m > 0 { d.day() as i8 == m } else { d.day() as i8 == len + 1 + m })
            }
        };
        match self.freq {
            Freq::Daily => {
                let d = d0 + Duration::days(p);
                if day_ok(d) && month_day_ok(d) {
                    vec![d]
                } else {
                    vec![]
                }
            }
            Freq::Weekly => {
                let start = monday(d0) + Duration::weeks(p);
                (0..7)
                    .map(|i| start + Duration::days(i))
                    .filter(|d| if self.by_day.is_empty() { d.weekday() == d0.weekday() } else { day_ok(*d) })
                    .collect()
            }
            Freq::Monthly => {
                let Some(first) = NaiveDate::from_ymd_opt(d0.year(), d0.month(), 1).and_then(|f| shift_months(f, p)) else {
                    return vec![];
                };
                let len = days_in_month(first);
                (0..len)
                    .map(|i| first + Duration::days(i64::from(i)))
                    .filter(|d| {
                        if self.by_day.is_empty() && self.by_month_day.is_empty() {
                            return d.day() == d0.day();
                        }
                        let by_day_ok = self.by_day.is_empty()
                            || self.by_day.iter().any(|b| {
                                b.weekday == d.weekday()
                                    && match b.ordinal {
                                        None => true,
                                        Some(n) if n > 0 => (d.day() - 1) / 7 + 1 == n as u32,
                                        Some(n) => (len - d.day()) / 7 + 1 == (-n) as u32,
                                    }
                            });
                        by_day_ok && month_day_ok(*d)
                    })
                    .collect()
            }
        }
    }

    /// The latest occurrence start at or before `t`.
    pub fn prev_start_le(&self, t: Instant) -> Option<Instant> {
        let date = self.date_of(t);
        let interval = i64::from(self.interval);
        let mut p = self.period_of(date)?;
        if p < 0 {
            return None;
        }
        p -= p.rem_euclid(interval);
        for _ in 0..MAX_PERIODS {
            if p < 0 {
                return None;
            }
            for d in self.dates_in_period(p).into_iter().rev() {
                if d < self.dtstart.date() {
                    continue;
                }
                let s = self.start_on(d);
                if s <= t {
                    // An occurrence past the end means the last one is the answer.
                    return if self.within_bound(s) { Some(s) } else { self.last_start };
                }
            }
            p -= interval;
        }
        None
    }

    /// The earliest occurrence start strictly after `t`.
    pub fn next_start_gt(&self, t: Instant) -> Option<Instant> {
        let interval = i64::from(self.interval);
        let mut p = self.period_of(self.date_of(t))?.max(0);
        p += (interval - p.rem_euclid(interval)) % interval;
        for _ in 0..MAX_PERIODS {
            for d in self.dates_in_period(p) {
                if d < self.dtstart.date() {
                    continue;
                }
                let s = self.start_on(d);
                if s > t {
                    return self.within_bound(s).then_some(s);
                }
            }
            p += interval;
        }
        None
    }

    /// Occurrence starts in `[from, to)`, ascending, at most `limit` of them.
    pub fn starts_between(&self, from: Instant, to: Instant, limit: usize) -> Vec<Instant> {
        let mut out = Vec::new();
        let mut at = match self.prev_start_le(from - Duration::seconds(1)) {
            Some(p) => self.next_start_gt(p),
            None => (self.first_start() >= from).then(|| self.first_start()).or_else(|| self.next_start_gt(from)),
        };
        while let Some(s) = at {
            if s >= to || out.len() >= limit {
                break;
            }
            if s >= from {
                out.push(s);
            }
            at = self.next_start_gt(s);
        }
        out
    }

    /// The RRULE code of a weekday (`MO`).
    pub fn weekday_code(d: Weekday) -> &'static str {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d.num_days_from_monday() as usize]
    }
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn shift_months(first: NaiveDate, p: i64) -> Option<NaiveDate> {
    if p >= 0 {
        first.checked_add_months(Months::new(u32::try_from(p).ok()?))
    } else {
        first.checked_sub_months(Months::new(u32::try_from(-p).ok()?))
    }
}

fn days_in_month(d: NaiveDate) -> u32 {
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    (next - first).num_days() as u32
}

fn parse_until(value: &str, zone: Tz) -> Option<Instant> {
    if let Ok(d) = NaiveDate::parse_from_str(value, "%Y%m%d") {
        // A date UNTIL includes the whole day: the rule may start any time that day.
        let end = d.succ_opt()?.and_hms_opt(0, 0, 0)?;
        return Some(local_to_instant(zone, end) - Duration::seconds(1));
    }
    if let Some(utc) = value.strip_suffix('Z') {
        return NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok().map(|t| t.and_utc());
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok().map(|t| local_to_instant(zone, t))
}
