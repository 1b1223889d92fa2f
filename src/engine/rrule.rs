//! Recurrence rules: the RFC 5545 RRULE subset mado accepts, and occurrence arithmetic.
//!
//! A rule is `FREQ=DAILY|WEEKLY|MONTHLY` with optional `INTERVAL`, `BYDAY`, `BYMONTHDAY`,
//! `UNTIL` and `COUNT`, anchored at a local DTSTART in a zone. Occurrences start at the
//! DTSTART time of day on each matching local date. Lookups jump straight to the period
//! (day, week starting Monday, month) around an instant, so a rule with no end is answered
//! without expanding it.

use crate::engine::time::{date_in_range, local_to_instant, zone_facts, Instant};
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, Weekday};
use chrono_tz::Tz;

/// How often a rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Freq {
    /// Every day.
    Daily,
    /// Every week (weeks start on Monday).
    Weekly,
    /// Every month.
    Monthly,
}

/// A `BYDAY` entry: a weekday, with an ordinal within the month for monthly rules (`-1FR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ByDay {
    ordinal: Option<i8>,
    weekday: Weekday,
}

/// Where a rule stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Bound {
    /// No end.
    None,
    /// `UNTIL`: the last occurrence starts at or before this instant.
    Until(Instant),
    /// `COUNT`: this many occurrences.
    Count(u32),
}

/// A parsed, validated recurrence rule with its anchor.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    text: String,
    freq: Freq,
    interval: u32,
    by_day: Vec<ByDay>,
    by_month_day: Vec<i8>,
    bound: Bound,
    #[serde(with = "crate::format::compiled::zone")]
    zone: Tz,
    dtstart: NaiveDateTime,
    /// The start of the last occurrence, when the rule has an end and at least one occurrence.
    last_start: Option<Instant>,
    /// How many occurrences a rule with an end has.
    count: Option<u32>,
    /// The longest gap between consecutive occurrence dates, in days, when one cycle of the
    /// rule's pattern is short enough to scan (see [`Rule::chains_from`]).
    max_gap_days: Option<i64>,
}

/// The most periods (days, weeks or months) a lookup steps through before it gives up:
/// a valid rule occurs far more often than this.
const MAX_PERIODS: i64 = 2_000;
/// The most occurrences `COUNT` may ask for.
pub const MAX_COUNT: u32 = 100_000;
/// The most occurrences of rules with an end that one schedule may expand to, in all.
pub const MAX_EXPANDED: usize = 200_000;
/// The longest span from DTSTART to `UNTIL`, in years.
pub const MAX_UNTIL_YEARS: i64 = 100;
/// The most periods scanned at load to find a rule's longest gap.
const MAX_CYCLE: i64 = 5_000;

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
        let body = text.trim().strip_prefix("RRULE:").unwrap_or(text.trim());
        let Parts { freq, interval, by_day, by_month_day, bound } = Parts::read(text, body, zone)?;
        let freq = freq.ok_or_else(|| format!("rule `{text}` has no FREQ; {ALLOWED}"))?;
        if !date_in_range(dtstart.date()) {
            return Err(format!(
                "rule `{text}`: DTSTART {} is outside the supported range; expected a start from 1900-01-01 to 9999-12-31",
                dtstart.format("%Y-%m-%d %H:%M")
            ));
        }
        if by_day.iter().any(|b| b.ordinal.is_some()) && freq != Freq::Monthly {
            return Err(format!("rule `{text}`: a BYDAY ordinal such as `1MO` needs FREQ=MONTHLY"));
        }
        if freq == Freq::Weekly && !by_month_day.is_empty() {
            return Err(format!("rule `{text}`: BYMONTHDAY cannot be used with FREQ=WEEKLY"));
        }
        let mut rule = Rule {
            text: body.to_string(),
            freq,
            interval,
            by_day,
            by_month_day,
            bound,
            zone,
            dtstart,
            last_start: None,
            count: None,
            max_gap_days: None,
        };
        if !rule.dates_in_period(0).contains(&dtstart.date()) {
            return Err(format!(
                "rule `{text}`: DTSTART {} is not one of its own occurrences; start the window on a day the rule selects",
                dtstart.format("%Y-%m-%d (%a)")
            ));
        }
        if let Bound::Until(u) = bound {
            let limit = NaiveDate::from_ymd_opt(dtstart.year().saturating_add(MAX_UNTIL_YEARS as i32), dtstart.month(), 1);
            if limit.is_some_and(|l| u.with_timezone(&zone).date_naive() >= l) {
                return Err(format!(
                    "rule `{text}`: UNTIL is more than {MAX_UNTIL_YEARS} years after DTSTART {}; expected an UNTIL within {MAX_UNTIL_YEARS} years, or no UNTIL for a rule with no end",
                    dtstart.format("%Y-%m-%d")
                ));
            }
        }
        let (last, count) = rule.expand_bound(text)?;
        rule.last_start = last;
        rule.count = count;
        if bound != Bound::None && rule.last_start.is_none() {
            return Err(format!("rule `{text}` has no occurrence before its UNTIL"));
        }
        rule.max_gap_days = rule.scan_max_gap();
        Ok(rule)
    }

    /// The last start and the number of occurrences of a rule with an end (`UNTIL` or
    /// `COUNT`), counted through; `(None, None)` for a rule with no end.
    fn expand_bound(&self, text: &str) -> Result<(Option<Instant>, Option<u32>), String> {
        let (rule, bound) = (self, self.bound);
        Ok(match bound {
            Bound::None => (None, None),
            Bound::Until(_) | Bound::Count(_) => {
                let n = match bound {
                    Bound::Count(n) => n,
                    _ => MAX_COUNT,
                };
                let mut count = 0u32;
                let mut last = None;
                // DTSTART is an occurrence (checked before): the walk starts there.
                for s in std::iter::once(rule.first_start()).chain(rule.starts_after(rule.dtstart.date())) {
                    if !rule.within_bound(s) || count >= n {
                        break;
                    }
                    last = Some(s);
                    count += 1;
                }
                if let Bound::Count(n) = bound {
                    if count < n {
                        return Err(format!(
                            "rule `{text}` stops occurring before COUNT={n}: it has {count} occurrences up to 9999-12-31, the end of the supported range"
                        ));
                    }
                }
                (last, Some(count))
            }
        })
    }

    /// How many occurrences the rule has, when it has an end.
    pub fn count(&self) -> Option<u32> {
        self.count
    }

    /// The longest gap between consecutive occurrence dates over two cycles of the rule's
    /// pattern (the pattern of a rule repeats after `lcm(INTERVAL, 7)` days, one week period,
    /// or 4800 months, the Gregorian cycle), or `None` when a cycle is too long to scan.
    fn scan_max_gap(&self) -> Option<i64> {
        fn gcd(a: i64, b: i64) -> i64 {
            if b == 0 {
                a
            } else {
                gcd(b, a % b)
            }
        }
        let i = i64::from(self.interval);
        let cycle = match self.freq {
            Freq::Daily if self.by_month_day.is_empty() => 7 / gcd(i, 7),
            Freq::Daily => 146_097 / gcd(i, 146_097),
            Freq::Weekly => 1,
            Freq::Monthly => 4_800 / gcd(i, 4_800),
        };
        if cycle > MAX_CYCLE {
            return None;
        }
        let (mut prev, mut max) = (None::<NaiveDate>, 0);
        for k in 0..=2 * cycle + 1 {
            for d in self.dates_in_period(k * i) {
                if d < self.dtstart.date() {
                    continue;
                }
                if let Some(p) = prev {
                    max = max.max((d - p).num_days());
                }
                prev = Some(d);
            }
        }
        (max > 0).then_some(max)
    }

    /// Whether every two consecutive occurrences starting from `from` on start at most
    /// `reach` apart, so that their spans, each widened by `reach - duration`, join into one.
    /// Exact in local time; between instants the gap also moves by the zone's offset changes,
    /// which is nothing once the zone's offset no longer changes. False when unknown.
    pub fn chains_from(&self, from: Instant, reach: Duration) -> bool {
        let Some(days) = self.max_gap_days else {
            return false;
        };
        let local = Duration::days(days);
        let facts = zone_facts(self.zone);
        local + Duration::seconds(facts.spread) <= reach || (local <= reach && facts.stable_from.is_some_and(|s| from >= s))
    }

    /// The rule stopped so that no occurrence starts at or after `t` (an `end` revision):
    /// itself when it already ends before `t`, `None` when it has no occurrence before `t`.
    ///
    /// # Errors
    /// When the stopped rule is past the limits of a rule with an end (its `UNTIL` more than
    /// [`MAX_UNTIL_YEARS`] after DTSTART).
    pub fn ending_before(&self, t: Instant) -> Result<Option<Rule>, String> {
        if t <= self.first_start() {
            return Ok(None);
        }
        if self.last_start.is_some_and(|last| last < t) {
            return Ok(Some(self.clone()));
        }
        let Some(last) = t.checked_sub_signed(Duration::seconds(1)) else {
            return Ok(None);
        };
        let kept: Vec<&str> = self
            .text
            .trim()
            .trim_start_matches("RRULE:")
            .split(';')
            .filter(|p| !p.starts_with("UNTIL=") && !p.starts_with("COUNT="))
            .collect();
        let text = format!("{};UNTIL={}", kept.join(";"), last.format("%Y%m%dT%H%M%SZ"));
        match Rule::parse(&text, self.dtstart, self.zone) {
            Ok(rule) => Ok(Some(rule)),
            Err(m) if m.contains("UNTIL is more than") => Err(m),
            Err(_) => Ok(None),
        }
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
        date_in_range(date)
            && self.period_of(date).is_some_and(|p| p >= 0 && p % i64::from(self.interval) == 0 && self.dates_in_period(p).contains(&date))
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
    fn dates_in_period(&self, p: i64) -> Dates {
        let d0 = self.dtstart.date();
        let day_ok = |d: NaiveDate| self.by_day.is_empty() || self.by_day.iter().any(|b| b.weekday == d.weekday());
        let month_day_ok = |d: NaiveDate| {
            self.by_month_day.is_empty() || {
                let len = days_in_month(d) as i8;
                self.by_month_day.iter().any(|&m| if m > 0 { d.day() as i8 == m } else { d.day() as i8 == len + 1 + m })
            }
        };
        match self.freq {
            Freq::Daily => match d0.checked_add_signed(Duration::try_days(p).unwrap_or(Duration::MAX)) {
                Some(d) if day_ok(d) && month_day_ok(d) => std::iter::once(d).collect(),
                _ => Dates::default(),
            },
            Freq::Weekly => {
                let Some(start) = monday(d0).checked_add_signed(Duration::try_weeks(p).unwrap_or(Duration::MAX)) else {
                    return Dates::default();
                };
                (0..7)
                    .filter_map(|i| start.checked_add_signed(Duration::days(i)))
                    .filter(|d| if self.by_day.is_empty() { d.weekday() == d0.weekday() } else { day_ok(*d) })
                    .collect()
            }
            Freq::Monthly => {
                let Some(first) = NaiveDate::from_ymd_opt(d0.year(), d0.month(), 1).and_then(|f| shift_months(f, p)) else {
                    return Dates::default();
                };
                let len = days_in_month(first);
                (0..len)
                    .filter_map(|i| first.checked_add_signed(Duration::days(i64::from(i))))
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
                if d < self.dtstart.date() || !date_in_range(d) {
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
                if !date_in_range(d) {
                    return None; // rules stop at the end of the supported range
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
        let at = match from.checked_sub_signed(Duration::seconds(1)).and_then(|f| self.prev_start_le(f)) {
            Some(p) => self.next_start_gt(p),
            None => (self.first_start() >= from).then(|| self.first_start()).or_else(|| self.next_start_gt(from)),
        };
        let Some(first) = at else { return out };
        for s in std::iter::once(first).chain(self.starts_after(self.date_of_nominal(first))) {
            if s >= to || out.len() >= limit {
                break;
            }
            if s >= from {
                out.push(s);
            }
        }
        out
    }

    /// The starts of the occurrences after the one on `date` (an occurrence's date),
    /// ascending: what calling [`Rule::next_start_gt`] again and again gives, without finding
    /// the period of each start again. Starts rise with their dates (dates a day or more
    /// apart, a zone's shift a few hours at most), so the next date's start is the next
    /// start. Stops at the rule's end, the end of the supported range, or after
    /// [`MAX_PERIODS`] periods in a row with no date.
    fn starts_after(&self, date: NaiveDate) -> impl Iterator<Item = Instant> + '_ {
        let interval = i64::from(self.interval);
        let mut p = self.period_of(date).unwrap_or(0).max(0);
        p -= p.rem_euclid(interval);
        let mut dates = Dates::default().into_iter();
        let (mut empty, mut done) = (0, false);
        std::iter::from_fn(move || {
            while !done {
                if let Some(d) = dates.next() {
                    if d <= date || d < self.dtstart.date() {
                        continue;
                    }
                    if !date_in_range(d) {
                        done = true;
                        break;
                    }
                    let s = self.start_on(d);
                    if !self.within_bound(s) {
                        done = true;
                        break;
                    }
                    return Some(s);
                }
                if empty >= MAX_PERIODS {
                    done = true;
                    break;
                }
                let next = self.dates_in_period(p);
                empty = if next.is_empty() { empty + 1 } else { 0 };
                p += interval;
                dates = next.into_iter();
            }
            None
        })
    }

    /// The RRULE code of a weekday (`MO`).
    pub fn weekday_code(d: Weekday) -> &'static str {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d.num_days_from_monday() as usize]
    }
}

/// The dates of one period of a rule: at most 31 (a month), kept inline, since every step
/// of a lookup or an expansion makes one.
#[derive(Clone, Copy)]
struct Dates {
    buf: [NaiveDate; 31],
    len: usize,
}

impl Default for Dates {
    fn default() -> Dates {
        Dates { buf: [NaiveDate::MIN; 31], len: 0 }
    }
}

impl FromIterator<NaiveDate> for Dates {
    fn from_iter<I: IntoIterator<Item = NaiveDate>>(iter: I) -> Dates {
        let mut out = Dates::default();
        for d in iter.into_iter().take(out.buf.len()) {
            out.buf[out.len] = d;
            out.len += 1;
        }
        out
    }
}

impl std::ops::Deref for Dates {
    type Target = [NaiveDate];
    fn deref(&self) -> &[NaiveDate] {
        &self.buf[..self.len]
    }
}

impl IntoIterator for Dates {
    type Item = NaiveDate;
    type IntoIter = std::iter::Take<std::array::IntoIter<NaiveDate, 31>>;
    fn into_iter(self) -> Self::IntoIter {
        self.buf.into_iter().take(self.len)
    }
}

fn monday(d: NaiveDate) -> NaiveDate {
    d.checked_sub_signed(Duration::days(i64::from(d.weekday().num_days_from_monday()))).unwrap_or(d)
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
        if !date_in_range(d) {
            return None;
        }
        let end = d.succ_opt()?.and_hms_opt(0, 0, 0)?;
        return local_to_instant(zone, end).checked_sub_signed(Duration::seconds(1));
    }
    let t = match value.strip_suffix('Z') {
        Some(utc) => NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?,
        None => NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?,
    };
    if !date_in_range(t.date()) {
        return None;
    }
    Some(if value.ends_with('Z') { Instant::new(t.and_utc()) } else { local_to_instant(zone, t) })
}

/// The parts of a rule's text, read and range-checked one by one.
struct Parts {
    freq: Option<Freq>,
    interval: u32,
    by_day: Vec<ByDay>,
    by_month_day: Vec<i8>,
    bound: Bound,
}

impl Parts {
    /// Reads `body` (the rule `text` without `RRULE:`), part by part.
    fn read(text: &str, body: &str, zone: Tz) -> Result<Parts, String> {
        let mut p = Parts { freq: None, interval: 1, by_day: Vec::new(), by_month_day: Vec::new(), bound: Bound::None };
        for part in body.split(';') {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("`{part}` in rule `{text}` is not NAME=VALUE; {ALLOWED}"))?;
            let bad = |what: &str| format!("`{part}` in rule `{text}`: {what}");
            match key {
                "FREQ" => {
                    p.freq = Some(match value {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        _ => return Err(bad("expected FREQ=DAILY, WEEKLY or MONTHLY")),
                    })
                }
                "INTERVAL" => {
                    p.interval =
                        value.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| bad("expected an INTERVAL from 1 to 1000"))?
                }
                "BYDAY" => {
                    for code in value.split(',') {
                        p.by_day.push(by_day(code, &bad)?);
                    }
                }
                "BYMONTHDAY" => {
                    for d in value.split(',') {
                        let n = d
                            .parse::<i8>()
                            .ok()
                            .filter(|n| *n != 0 && (-31..=31).contains(n))
                            .ok_or_else(|| bad("expected days of the month from 1 to 31 or -31 to -1"))?;
                        p.by_month_day.push(n);
                    }
                }
                "UNTIL" => {
                    if p.bound != Bound::None {
                        return Err(bad("UNTIL and COUNT cannot both be given"));
                    }
                    p.bound = Bound::Until(parse_until(value, zone).ok_or_else(|| {
                        bad("expected UNTIL=YYYYMMDD or YYYYMMDDTHHMMSS[Z] from 19000101 to 99991231, e.g. `UNTIL=20251231`")
                    })?);
                }
                "COUNT" => {
                    if p.bound != Bound::None {
                        return Err(bad("UNTIL and COUNT cannot both be given"));
                    }
                    p.bound = Bound::Count(
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
        Ok(p)
    }
}

/// One `BYDAY` entry: `MO`, `-1FR`, `2TU`.
fn by_day(code: &str, bad: &dyn Fn(&str) -> String) -> Result<ByDay, String> {
    let (num, day) = code.split_at(code.len().saturating_sub(2));
    let weekday = weekday(day).ok_or_else(|| bad("expected weekdays MO, TU, WE, TH, FR, SA, SU, e.g. `BYDAY=MO,-1FR`"))?;
    let ordinal = if num.is_empty() {
        None
    } else {
        let n = num.trim_start_matches('+').parse::<i8>().ok().filter(|n| *n != 0 && (-5..=5).contains(n));
        Some(n.ok_or_else(|| bad("expected an ordinal from -5 to 5, e.g. `2TU`"))?)
    };
    Ok(ByDay { ordinal, weekday })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// The walk before [`Rule::starts_after`]: one [`Rule::next_start_gt`] per start, each
    /// finding its period again. The reference the walk must equal.
    fn stepped(rule: &Rule, from: Instant, to: Instant, limit: usize) -> Vec<Instant> {
        let mut out = Vec::new();
        let mut at = match from.checked_sub_signed(Duration::seconds(1)).and_then(|f| rule.prev_start_le(f)) {
            Some(p) => rule.next_start_gt(p),
            None => (rule.first_start() >= from).then(|| rule.first_start()).or_else(|| rule.next_start_gt(from)),
        };
        while let Some(s) = at {
            if s >= to || out.len() >= limit {
                break;
            }
            if s >= from {
                out.push(s);
            }
            at = rule.next_start_gt(s);
        }
        out
    }

    const ZONES: [Tz; 4] = [Tz::Asia__Tokyo, Tz::America__New_York, Tz::Australia__Lord_Howe, Tz::Europe__London];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Walking a rule's dates gives the starts that stepping from start to start gives,
        /// and the same end (last start and count) for rules with `COUNT` or `UNTIL`, in zones
        /// with and without offset changes (Lord Howe's is half an hour).
        #[test]
        fn walking_dates_equals_stepping_starts(
            zone in 0usize..ZONES.len(),
            freq in 0usize..3,
            interval in 1u32..4,
            mut weekdays in proptest::collection::btree_set(0u32..7, 0..3),
            mut month_days in proptest::collection::btree_set(prop_oneof![1i8..29, -3i8..0], 0..3),
            start_day in 0i64..800,
            minute in 0u32..(24 * 60),
            bound in 0usize..3,
            count in 1u32..60,
            until_days in 0i64..500,
            from_days in -30i64..900,
            span_days in 1i64..400,
            limit in 1usize..200,
        ) {
            let zone = ZONES[zone];
            let day0 = NaiveDate::from_ymd_opt(2023, 1, 1).expect("date") + Duration::days(start_day);
            let dtstart = day0.and_hms_opt(minute / 60, minute % 60, 0).expect("time");
            // DTSTART must be an occurrence: the lists name its own weekday and day.
            if !weekdays.is_empty() {
                weekdays.insert(day0.weekday().num_days_from_monday());
            }
            let monthly = freq == 2;
            if !month_days.is_empty() {
                month_days.insert(day0.day() as i8);
                month_days.retain(|d| *d > 0);
            }
            let mut text = format!("FREQ={};INTERVAL={interval}", ["DAILY", "WEEKLY", "MONTHLY"][freq]);
            if !weekdays.is_empty() {
                let codes: Vec<&str> = weekdays.iter().map(|d| Rule::weekday_code(Weekday::try_from(*d as u8).expect("weekday"))).collect();
                text.push_str(&format!(";BYDAY={}", codes.join(",")));
            }
            if !month_days.is_empty() && (monthly || freq == 0) {
                let days: Vec<String> = month_days.iter().map(|d| d.to_string()).collect();
                text.push_str(&format!(";BYMONTHDAY={}", days.join(",")));
            }
            let open = Rule::parse(&text, dtstart, zone);
            let Ok(open) = open else { return Ok(()) };
            let far = Instant::new(chrono::Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).single().expect("instant"));
            match bound {
                1 => {
                    let rule = Rule::parse(&format!("{text};COUNT={count}"), dtstart, zone).expect("an unbounded rule with a COUNT parses");
                    let reference = stepped(&open, open.first_start(), far, count as usize);
                    prop_assert_eq!(rule.count(), Some(reference.len() as u32));
                    prop_assert_eq!(rule.last_start(), reference.last().copied());
                }
                2 => {
                    let until = (day0 + Duration::days(until_days)).format("%Y%m%d").to_string();
                    let rule = Rule::parse(&format!("{text};UNTIL={until}"), dtstart, zone).expect("UNTIL after DTSTART parses");
                    let end = parse_until(&until, zone).expect("until") + Duration::seconds(1);
                    let reference = stepped(&open, open.first_start(), end, usize::MAX);
                    prop_assert_eq!(rule.count(), Some(reference.len() as u32));
                    prop_assert_eq!(rule.last_start(), reference.last().copied());
                    let from = open.start_on(day0) + Duration::days(from_days);
                    let to = from + Duration::days(span_days);
                    prop_assert_eq!(rule.starts_between(from, to, limit), stepped(&rule, from, to, limit));
                }
                _ => {}
            }
            let from = open.start_on(day0) + Duration::days(from_days);
            let to = from + Duration::days(span_days);
            prop_assert_eq!(open.starts_between(from, to, limit), stepped(&open, from, to, limit));
        }
    }
}
