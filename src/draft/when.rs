//! Dates and times as notices write them, read from NFKC-normalised text:
//! `2023年11月13日(月) 2:00~5:30`, `11月13日(月) 1:30頃`, `午前1:00~6:00`, `23:00~翌1:00`,
//! `2:00~7:00 (5時間)`, `2時00分`, `2024年4月22日(予定)`, `2019年10月下旬`.
//!
//! A time is read only where the text gives it: a range whose end is missing is read as
//! such (`end: None`), never completed. The weekday and a stated duration are kept so the
//! reader can check them against the times.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// A date as written: the year may be missing (the reader takes it from context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateText {
    /// The year, when the text gives it.
    pub year: Option<i32>,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31; `None` for `下旬` / `上旬` / `中旬` (see `part`).
    pub day: Option<u32>,
    /// `上旬` 1, `中旬` 2, `下旬` 3 (a span of days).
    pub part: Option<u8>,
    /// The weekday in brackets, when given.
    pub weekday: Option<Weekday>,
    /// `(予定)` right after the date.
    pub planned: bool,
}

/// A time of day as written, with `翌` (next day) and `頃` (about).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeText {
    /// Hour 0–24 after 午前/午後.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// `翌`: the day after the start's date.
    pub next_day: bool,
    /// `頃`: approximate.
    pub approx: bool,
}

/// One date or date-time range found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte offset of the first character read in the line.
    pub at: usize,
    /// Byte offset after the last character read.
    pub end_at: usize,
    /// The start date.
    pub date: DateText,
    /// The start time, if given.
    pub start: Option<TimeText>,
    /// The end's own date, if the text gives one (`~11月13日(月) 1:30`).
    pub end_date: Option<DateText>,
    /// The end time, if given.
    pub end: Option<TimeText>,
    /// A range separator with nothing readable after it (`23:00~` at the end of a line).
    pub open_end: bool,
    /// A stated duration `(5時間)`, `(3時間30分)`, in minutes, and whether it is `程度`.
    pub duration: Option<(i64, bool)>,
}

struct Scan<'a> {
    c: Vec<(usize, char)>,
    i: usize,
    len: usize,
    _s: &'a str,
}

impl Scan<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).map(|x| x.1)
    }
    fn pos(&self) -> usize {
        self.c.get(self.i).map_or(self.len, |x| x.0)
    }
    fn spaces(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\u{3000}') {
            self.i += 1;
        }
    }
    fn eat(&mut self, s: &str) -> bool {
        let save = self.i;
        for ch in s.chars() {
            if self.peek() == Some(ch) {
                self.i += 1;
            } else {
                self.i = save;
                return false;
            }
        }
        true
    }
    fn number(&mut self, max_digits: usize) -> Option<u32> {
        let save = self.i;
        let mut n: u32 = 0;
        let mut k = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            if k == max_digits {
                self.i = save;
                return None;
            }
            n = n * 10 + d;
            k += 1;
            self.i += 1;
        }
        (k > 0).then_some(n)
    }
}

fn weekday(c: char) -> Option<Weekday> {
    Some(match c {
        '月' => Weekday::Mon,
        '火' => Weekday::Tue,
        '水' => Weekday::Wed,
        '木' => Weekday::Thu,
        '金' => Weekday::Fri,
        '土' => Weekday::Sat,
        '日' => Weekday::Sun,
        _ => return None,
    })
}

/// `[YYYY年]M月D日[(曜)][(予定)]` or `[YYYY年]M月[上中下]旬`; also `M/D` after a year-less context? No:
/// a bare `7/29` is left alone, it is too easily something else.
fn date(s: &mut Scan<'_>) -> Option<DateText> {
    let save = s.i;
    let mut year = None;
    if let Some(y) = s.number(4) {
        s.spaces();
        if y >= 1900 && s.eat("年") {
            year = Some(y as i32);
            s.spaces();
        } else {
            s.i = save;
        }
    }
    let Some(month) = s.number(2) else {
        s.i = save;
        return None;
    };
    s.spaces();
    if !(s.eat("月") && (1..=12).contains(&month)) {
        s.i = save;
        return None;
    }
    s.spaces();
    let mut d = DateText { year, month, day: None, part: None, weekday: None, planned: false };
    for (w, p) in [("上旬", 1), ("中旬", 2), ("下旬", 3)] {
        if s.eat(w) {
            d.part = Some(p);
            return Some(d);
        }
    }
    let Some(day) = s.number(2) else {
        s.i = save;
        return None;
    };
    s.spaces();
    if !(s.eat("日") && (1..=31).contains(&day)) {
        s.i = save;
        return None;
    }
    d.day = Some(day);
    loop {
        let before = s.i;
        s.spaces();
        if s.eat("(") {
            s.spaces();
            if let Some(w) = s.peek().and_then(weekday) {
                s.i += 1;
                s.spaces();
                if s.eat(")") {
                    d.weekday = Some(w);
                    continue;
                }
            }
            if s.eat("予定") {
                s.spaces();
                if s.eat(")") {
                    d.planned = true;
                    continue;
                }
            }
        }
        s.i = before;
        break;
    }
    Some(d)
}

/// `[翌][午前|午後]H:MM[頃]` or `H時MM分` / `H時`.
fn time(s: &mut Scan<'_>) -> Option<TimeText> {
    let save = s.i;
    let next_day = s.eat("翌");
    s.spaces();
    let pm = if s.eat("午前") {
        Some(false)
    } else if s.eat("午後") {
        Some(true)
    } else {
        None
    };
    s.spaces();
    let Some(mut hour) = s.number(2) else {
        s.i = save;
        return None;
    };
    let minute = if s.eat(":") {
        match s.number(2) {
            Some(m) if m < 60 => m,
            _ => {
                s.i = save;
                return None;
            }
        }
    } else if s.eat("時") {
        let m = match s.number(2) {
            Some(m) if m < 60 && s.eat("分") => m,
            Some(_) => {
                s.i = save;
                return None;
            }
            None => 0,
        };
        if s.eat("半") {
            30
        } else {
            m
        }
    } else {
        s.i = save;
        return None;
    };
    if pm == Some(true) && hour < 12 {
        hour += 12;
    }
    if hour > 24 || (hour == 24 && minute > 0) {
        s.i = save;
        return None;
    }
    s.spaces();
    let approx = s.eat("頃") || s.eat("ごろ");
    Some(TimeText { hour, minute, next_day, approx })
}

fn separator(s: &mut Scan<'_>) -> bool {
    s.spaces();
    let ok = ['~', '〜', '-', '–', '−', 'ー'].iter().any(|c| s.eat(&c.to_string())) || s.eat("から");
    s.spaces();
    ok
}

/// `(5時間)`, `(3時間30分)`, `(30分)`, `4時間程度`.
fn duration(s: &mut Scan<'_>) -> Option<(i64, bool)> {
    let save = s.i;
    s.spaces();
    let bracket = s.eat("(");
    s.spaces();
    let mut minutes: i64 = 0;
    let mut any = false;
    if let Some(h) = s.number(3) {
        s.spaces();
        if s.eat("時間") {
            minutes += i64::from(h) * 60;
            any = true;
            s.spaces();
            if let Some(m) = s.number(2) {
                s.spaces();
                if s.eat("分") {
                    minutes += i64::from(m);
                } else {
                    s.i = save;
                    return None;
                }
            }
        } else if s.eat("分") {
            minutes += i64::from(h);
            any = true;
        }
    }
    if !any {
        s.i = save;
        return None;
    }
    s.spaces();
    let approx = s.eat("程度") || s.eat("ほど");
    s.spaces();
    if bracket && !s.eat(")") {
        s.i = save;
        return None;
    }
    Some((minutes, approx))
}

/// Every date (with the times after it) in `line`, which is already NFKC-normalised; also a
/// time range with no date (`午前1:00~6:00`), whose date is then the previous one found.
pub fn find(line: &str) -> Vec<Found> {
    let mut s = Scan { c: line.char_indices().collect(), i: 0, len: line.len(), _s: line };
    let mut out: Vec<Found> = Vec::new();
    while s.i < s.c.len() {
        let at = s.pos();
        let save = s.i;
        // A digit in the middle of a number is not the start of a date.
        if s.i > 0 && s.c[s.i - 1].1.is_ascii_digit() {
            s.i += 1;
            continue;
        }
        let d = date(&mut s);
        let d = match d {
            Some(d) => Some(d),
            // A bare time range continues the last date read.
            // A bare time range continues the last date read, only when it says 午前/午後
            // or that date had no time of its own (`9:00 - 18:00` of office hours is not).
            None => out
                .last()
                .filter(|f| {
                    f.start.is_none()
                        || s.c[s.i..].iter().take(2).map(|x| x.1).collect::<String>() == "午前"
                        || s.c[s.i..].iter().take(2).map(|x| x.1).collect::<String>() == "午後"
                })
                .map(|f| f.end_date.unwrap_or(f.date))
                .filter(|_| {
                    let k = s.i;
                    let ok = time(&mut s).is_some() && separator(&mut s) && time(&mut s).is_some();
                    s.i = k;
                    ok
                }),
        };
        let Some(date) = d else {
            s.i = save + 1;
            continue;
        };
        s.spaces();
        let start = time(&mut s);
        let mut f = Found { at, end_at: 0, date, start, end_date: None, end: None, open_end: false, duration: None };
        let k = s.i;
        if separator(&mut s) {
            let k2 = s.i;
            let end_date = date_of(&mut s);
            s.spaces();
            let end = time(&mut s);
            if end.is_some() || end_date.is_some() {
                f.end_date = end_date;
                f.end = end;
            } else {
                s.i = k2;
                f.open_end = s.i >= s.c.len() || start.is_some();
            }
        } else {
            s.i = k;
        }
        f.duration = duration(&mut s);
        f.end_at = s.pos();
        out.push(f);
    }
    out
}

fn date_of(s: &mut Scan<'_>) -> Option<DateText> {
    date(s)
}

/// A date with its year, or why not.
pub fn resolve(d: &DateText, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year.unwrap_or(year), d.month, d.day?)
}

/// The first and last day of `上旬` (1–10), `中旬` (11–20) or `下旬` (21–end of month).
pub fn part_span(d: &DateText, year: i32) -> Option<(NaiveDate, NaiveDate)> {
    let y = d.year.unwrap_or(year);
    let first = NaiveDate::from_ymd_opt(y, d.month, 1)?;
    let last = first.checked_add_months(chrono::Months::new(1))?.pred_opt()?;
    match d.part? {
        1 => Some((first, NaiveDate::from_ymd_opt(y, d.month, 10)?)),
        2 => Some((NaiveDate::from_ymd_opt(y, d.month, 11)?, NaiveDate::from_ymd_opt(y, d.month, 20)?)),
        _ => Some((NaiveDate::from_ymd_opt(y, d.month, 21)?, last)),
    }
}

/// A local date-time from a date and a time of day (`24:00` is the next day's 00:00).
pub fn at(date: NaiveDate, t: &TimeText) -> Option<NaiveDateTime> {
    let (date, hour) = if t.hour == 24 { (date.succ_opt()?, 0) } else { (date, t.hour) };
    let date = if t.next_day { date.succ_opt()? } else { date };
    Some(date.and_time(NaiveTime::from_hms_opt(hour, t.minute, 0)?))
}

/// Start and end of a range found in a line, as local date-times: the end is on its own
/// date when given, else on the start's date, or the next day when it is not after the
/// start (`23:00~1:00`). `None` when the text gives no end time.
pub fn span(f: &Found, year: i32) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let day = resolve(&f.date, year)?;
    let start = at(day, f.start.as_ref()?)?;
    let end_day = match &f.end_date {
        Some(d) => resolve(d, day.year())?,
        None => day,
    };
    let mut end = at(end_day, f.end.as_ref()?)?;
    if end <= start && f.end_date.is_none() && !f.end.is_some_and(|e| e.next_day) {
        end += Duration::days(1);
    }
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn ranges_in_the_forms_notices_use() {
        // (text, year for a date without one, start, end, start approx, end approx, duration)
        let table: &[(&str, i32, &str, &str, bool, bool, Option<i64>)] = &[
            (
                "全ての機能 2023 年 11 月 13 日(月) 2:00~5:30 (3 時間 30 分)",
                0,
                "2023-11-13 02:00",
                "2023-11-13 05:30",
                false,
                false,
                Some(210),
            ),
            ("2019 年 7 月 29 日(月) 午前 2:00~7:00 (5 時間)", 0, "2019-07-29 02:00", "2019-07-29 07:00", false, false, Some(300)),
            ("2021年6月14日(月)午前1:00~6:00(5時間)", 0, "2021-06-14 01:00", "2021-06-14 06:00", false, false, Some(300)),
            ("11 月 13 日(月) 1:30 頃~3:00", 2023, "2023-11-13 01:30", "2023-11-13 03:00", true, false, None),
            ("2023年11月12日(日) 23:00~翌1:00", 0, "2023-11-12 23:00", "2023-11-13 01:00", false, false, None),
            ("2023年11月12日(日) 23:00~1:30頃", 0, "2023-11-12 23:00", "2023-11-13 01:30", false, true, None),
            ("2023 年 11 月 12 日(日) 23:00~11 月 13 日(月) 1:30 頃", 0, "2023-11-12 23:00", "2023-11-13 01:30", false, true, None),
            ("7月29日(月) 2時00分~7時00分", 2019, "2019-07-29 02:00", "2019-07-29 07:00", false, false, None),
            ("2025年6月9日(月) 午後10:00~24:00", 0, "2025-06-09 22:00", "2025-06-10 00:00", false, false, None),
        ];
        for (text, year, start, end, sa, ea, dur) in table {
            let f = find(text);
            assert_eq!(f.len(), 1, "{text}: {f:?}");
            let (s, e) = span(&f[0], *year).unwrap_or_else(|| panic!("{text}: no span"));
            assert_eq!((s, e), (dt(start), dt(end)), "{text}");
            assert_eq!(f[0].start.unwrap().approx, *sa, "{text}");
            assert_eq!(f[0].end.unwrap().approx, *ea, "{text}");
            assert_eq!(f[0].duration.map(|d| d.0), *dur, "{text}");
        }
    }

    #[test]
    fn what_is_not_a_full_range() {
        // An open end is read as open, never completed.
        let f = find("2023 年 11 月 12 日(日) 23:00~");
        assert!(f[0].open_end && f[0].end.is_none() && span(&f[0], 0).is_none());
        // A date alone, planned, with an approximate duration.
        let f = find("2024 年 4月 22 日(予定)に延期となりました。4時間程度");
        assert_eq!(f[0].date.day, Some(22));
        assert!(f[0].date.planned && f[0].start.is_none());
        let f = find("2019 年 10 月下旬に");
        assert_eq!(
            part_span(&f[0].date, 0),
            Some((NaiveDate::from_ymd_opt(2019, 10, 21).unwrap(), NaiveDate::from_ymd_opt(2019, 10, 31).unwrap()))
        );
        // Not dates or times.
        for text in ["電話:03-6671-8080", "0120-69-5090", "受付時間:9時~18時", "13月1日", "2月30日 1:00~2:00"] {
            let f = find(text);
            assert!(f.iter().all(|f| span(f, 2023).is_none()), "{text}: {f:?}");
        }
        // A weekday is kept for the reader to check.
        assert_eq!(find("2023年11月13日(火)")[0].date.weekday, Some(Weekday::Tue));
    }
}
