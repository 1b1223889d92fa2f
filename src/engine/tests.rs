//! Unit tables for time and rules, and the property test of the evaluator against a
//! brute-force scan built independently from the model.

use crate::engine::eval::{Schedule, Status};
use crate::engine::model::Shape;
use crate::engine::rrule::Rule;
use crate::engine::time::*;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test local time")
}

fn utc(s: &str) -> Instant {
    parse_written(s).expect("test instant").resolve(Tz::UTC)
}

#[test]
fn rfc5545_local_conversion_gap_fold_and_plain() {
    let ny: Tz = chrono_tz::America::New_York;
    let cases = [
        // (zone, local, instant): a gap is read with the offset before it, a fold is its first occurrence.
        (ny, "2021-03-14 02:30", "2021-03-14T07:30:00Z"),
        (ny, "2021-03-14 01:59", "2021-03-14T06:59:00Z"),
        (ny, "2021-03-14 03:00", "2021-03-14T07:00:00Z"),
        (ny, "2021-11-07 01:30", "2021-11-07T05:30:00Z"),
        (ny, "2021-11-07 02:00", "2021-11-07T07:00:00Z"),
        (chrono_tz::Europe::London, "2024-03-31 01:15", "2024-03-31T01:15:00Z"),
        (chrono_tz::Europe::London, "2024-10-27 01:15", "2024-10-27T00:15:00Z"),
        (DEFAULT_ZONE, "2023-11-13 02:00", "2023-11-12T17:00:00Z"),
        (DEFAULT_ZONE, "2023-11-12 23:00", "2023-11-12T14:00:00Z"),
    ];
    for (zone, l, want) in cases {
        assert_eq!(local_to_instant(zone, local(l)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true), want, "{l} in {zone}");
    }
    assert!(is_gap(ny, local("2021-03-14 02:30")));
    assert!(!is_gap(ny, local("2021-11-07 01:30")));
}

#[test]
fn instant_parsing_table() {
    let now = utc("2026-01-01T00:00Z");
    let valid = [
        ("2023-11-13T03:00:00+09:00", "2023-11-12T18:00:00Z"),
        ("2023-11-13T03:00+09:00", "2023-11-12T18:00:00Z"),
        ("2023-11-12T18:00Z", "2023-11-12T18:00:00Z"),
        ("2023-11-12T18:00:30.999Z", "2023-11-12T18:00:30Z"),
        ("2023-11-13 03:00", "2023-11-12T18:00:00Z"),
        ("2023-11-13", "2023-11-12T15:00:00Z"),
        ("2023-11-12 24:00", "2023-11-12T15:00:00Z"),
        ("now", "2026-01-01T00:00:00Z"),
    ];
    for (text, want) in valid {
        let got = parse_instant(text, DEFAULT_ZONE, now).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(got.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), want, "{text}");
    }
    for text in ["", "tomorrow", "2023-13-01", "2023-11-13 25:00", "2023-11-13T03:00+9", "13/11/2023"] {
        assert!(parse_instant(text, DEFAULT_ZONE, now).is_err(), "{text} must be rejected");
    }
}

#[test]
fn time_of_day_and_duration_tables() {
    assert_eq!(parse_time_of_day("24:00"), Ok((chrono::NaiveTime::MIN, true)));
    assert_eq!(parse_time_of_day("25:00"), Err("`25:00` is not a time of day; expected HH:MM from 00:00 to 24:00, e.g. `09:30`".into()));
    for (text, secs) in [("15m", 900), ("2h", 7200), ("1h30m", 5400), ("90s", 90), ("1d", 86_400), ("0s", 0)] {
        assert_eq!(parse_duration(text).map(|d| d.num_seconds()), Ok(secs), "{text}");
        assert_eq!(parse_duration(&format_duration(Duration::seconds(secs))).map(|d| d.num_seconds()), Ok(secs));
    }
    for text in ["", "h", "15", "2x", "-1h", "1.5h", "99999d"] {
        assert!(parse_duration(text).is_err(), "{text} must be rejected");
    }
}

/// (rule, dtstart, starts inside, instants that are not starts)
#[test]
fn rule_occurrence_table() {
    let tokyo = DEFAULT_ZONE;
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "FREQ=DAILY",
            "2023-10-10 23:00",
            &["2023-10-10 23:00", "2023-10-11 23:00", "2030-01-01 23:00"],
            &["2023-10-09 23:00", "2023-10-11 22:00"],
        ),
        ("FREQ=DAILY;INTERVAL=3", "2024-01-01 02:00", &["2024-01-04 02:00", "2024-01-07 02:00"], &["2024-01-02 02:00", "2024-01-05 02:00"]),
        (
            "FREQ=WEEKLY;BYDAY=MO,TH",
            "2024-01-01 02:00",
            &["2024-01-04 02:00", "2024-01-08 02:00"],
            &["2024-01-02 02:00", "2024-01-07 02:00"],
        ),
        ("FREQ=WEEKLY;INTERVAL=2", "2024-01-03 02:00", &["2024-01-17 02:00", "2024-01-31 02:00"], &["2024-01-10 02:00"]),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2024-01-31 01:00", &["2024-02-29 01:00", "2024-04-30 01:00"], &["2024-03-30 01:00"]),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2024-01-26 01:00", &["2024-02-23 01:00", "2024-03-29 01:00"], &["2024-03-22 01:00"]),
        ("FREQ=MONTHLY;BYDAY=2TU", "2024-01-09 01:00", &["2024-02-13 01:00"], &["2024-02-06 01:00"]),
        ("FREQ=MONTHLY", "2024-01-31 01:00", &["2024-03-31 01:00"], &["2024-02-29 01:00", "2024-04-30 01:00"]),
        ("FREQ=DAILY;COUNT=3", "2024-01-01 01:00", &["2024-01-03 01:00"], &["2024-01-04 01:00"]),
        ("FREQ=DAILY;UNTIL=20240102", "2024-01-01 01:00", &["2024-01-02 01:00"], &["2024-01-03 01:00"]),
    ];
    for (text, start, inside, outside) in cases {
        let rule = Rule::parse(text, local(start), tokyo).unwrap_or_else(|e| panic!("{text}: {e}"));
        for s in *inside {
            let t = local_to_instant(tokyo, local(s));
            assert_eq!(rule.prev_start_le(t), Some(t), "{text}: {s} is a start");
            assert_eq!(rule.next_start_gt(t - Duration::seconds(1)), Some(t), "{text}: {s} is a start");
        }
        for s in *outside {
            let t = local_to_instant(tokyo, local(s));
            assert_ne!(rule.prev_start_le(t), Some(t), "{text}: {s} is not a start");
        }
    }
}

#[test]
fn bad_rules_are_rejected_with_their_reason() {
    let d = local("2024-01-01 02:00"); // a Monday
    let cases = [
        ("FREQ=YEARLY", "`FREQ=YEARLY` in rule `FREQ=YEARLY`: expected FREQ=DAILY, WEEKLY or MONTHLY"),
        ("INTERVAL=2", "rule `INTERVAL=2` has no FREQ; expected `;`-separated FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, UNTIL, COUNT, e.g. `FREQ=WEEKLY;BYDAY=MO,TH`"),
        ("FREQ=DAILY;BYHOUR=3", "`BYHOUR` in rule `FREQ=DAILY;BYHOUR=3` is not supported; expected `;`-separated FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, UNTIL, COUNT, e.g. `FREQ=WEEKLY;BYDAY=MO,TH`"),
        ("FREQ=WEEKLY;BYDAY=TU", "rule `FREQ=WEEKLY;BYDAY=TU`: DTSTART 2024-01-01 (Mon) is not one of its own occurrences; start the window on a day the rule selects"),
        ("FREQ=DAILY;COUNT=0", "`COUNT=0` in rule `FREQ=DAILY;COUNT=0`: expected a COUNT from 1 to 100000"),
        ("FREQ=DAILY;UNTIL=2024", "`UNTIL=2024` in rule `FREQ=DAILY;UNTIL=2024`: expected UNTIL=YYYYMMDD or YYYYMMDDTHHMMSS[Z] from 19000101 to 99991231, e.g. `UNTIL=20251231`"),
        ("FREQ=DAILY;UNTIL=20231231", "rule `FREQ=DAILY;UNTIL=20231231` has no occurrence before its UNTIL"),
    ];
    for (text, want) in cases {
        assert_eq!(Rule::parse(text, d, DEFAULT_ZONE).expect_err(text), want);
    }
}

#[test]
fn daily_rule_across_a_dst_gap_follows_rfc5545() {
    let ny: Tz = chrono_tz::America::New_York;
    let rule = Rule::parse("FREQ=DAILY", local("2021-03-12 02:30"), ny).expect("rule");
    let starts = rule.starts_between(utc("2021-03-13T00:00Z"), utc("2021-03-16T00:00Z"), 10);
    let got: Vec<String> = starts.iter().map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).collect();
    assert_eq!(got, ["2021-03-13T07:30:00Z", "2021-03-14T07:30:00Z", "2021-03-15T06:30:00Z"]);
}

// ---- property test: the index against a brute-force scan ----

/// Day-by-day RFC 5545 matching for the generated rules, written apart from `rrule`.
#[derive(Debug, Clone)]
struct GenRule {
    freq: u8,
    interval: u32,
    weekdays: Vec<Weekday>,
    count: Option<u32>,
}

impl GenRule {
    fn text(&self) -> String {
        let freq = ["DAILY", "WEEKLY", "MONTHLY"][self.freq as usize];
        let mut s = format!("FREQ={freq};INTERVAL={}", self.interval);
        if !self.weekdays.is_empty() {
            let codes: Vec<&str> = self.weekdays.iter().map(|d| Rule::weekday_code(*d)).collect();
            s.push_str(&format!(";BYDAY={}", codes.join(",")));
        }
        if let Some(c) = self.count {
            s.push_str(&format!(";COUNT={c}"));
        }
        s
    }
    fn matches(&self, d0: NaiveDate, d: NaiveDate) -> bool {
        if d < d0 {
            return false;
        }
        let wd_ok = self.weekdays.is_empty() || self.weekdays.contains(&d.weekday());
        match self.freq {
            0 => (d - d0).num_days() % i64::from(self.interval) == 0 && wd_ok,
            1 => {
                let mon = |x: NaiveDate| x - Duration::days(i64::from(x.weekday().num_days_from_monday()));
                let weeks = (mon(d) - mon(d0)).num_days() / 7;
                weeks % i64::from(self.interval) == 0 && if self.weekdays.is_empty() { d.weekday() == d0.weekday() } else { wd_ok }
            }
            _ => {
                let months = (d.year() - d0.year()) * 12 + d.month() as i32 - d0.month() as i32;
                months % self.interval as i32 == 0 && if self.weekdays.is_empty() { d.day() == d0.day() } else { wd_ok }
            }
        }
    }
    /// Occurrence local dates from `d0`, in order, up to `last_day`.
    fn dates(&self, d0: NaiveDate, last_day: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut d = d0;
        while d <= last_day && self.count.is_none_or(|c| out.len() < c as usize) {
            if self.matches(d0, d) {
                out.push(d);
            }
            d = d.succ_opt().expect("in range");
        }
        out
    }
}

#[derive(Debug, Clone)]
enum GenShape {
    Confirmed { start_h: i64, len_h: i64 },
    Tentative { day: i64, days: i64 },
    Recurring { rule: GenRule, start_day: i64, hour: u32, len_h: i64 },
}

#[derive(Debug, Clone)]
struct GenWindow {
    function: usize,
    shape: GenShape,
}

#[derive(Debug, Clone)]
enum GenChange {
    Replace { target: usize, start_h: i64, len_h: i64 },
    Cancel { target: usize },
    Exclude { target: usize, nth: usize },
    Move { target: usize, nth: usize, shift_h: i64 },
}

const FUNCS: [&str; 5] = ["webcollect", "webcollect.credit_card", "webcollect.reauth", "testenv", "atobarai.au_kantan"];
const ZONES: [&str; 2] = ["Asia/Tokyo", "America/New_York"];

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 2, 20).expect("date")
}

fn gen_rule() -> impl Strategy<Value = GenRule> {
    (0u8..3, 1u32..4, proptest::collection::vec(0usize..7, 0..3), proptest::option::of(1u32..12)).prop_map(|(freq, interval, wd, count)| {
        let all = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
        let mut weekdays: Vec<Weekday> = wd.into_iter().map(|i| all[i]).collect();
        weekdays.dedup();
        GenRule { freq, interval, weekdays, count }
    })
}

fn gen_window() -> impl Strategy<Value = GenWindow> {
    let shape =
        prop_oneof![
            (0i64..24 * 40, 1i64..30).prop_map(|(start_h, len_h)| GenShape::Confirmed { start_h, len_h }),
            (0i64..40, 1i64..3).prop_map(|(day, days)| GenShape::Tentative { day, days }),
            // Lengths of 20h to 30h make daily rules chain (touch or overlap) under the lookaheads.
            (gen_rule(), 0i64..20, 0u32..24, prop_oneof![1i64..6, 20i64..30])
                .prop_map(|(rule, start_day, hour, len_h)| GenShape::Recurring { rule, start_day, hour, len_h }),
        ];
    (0usize..FUNCS.len(), shape).prop_map(|(function, shape)| GenWindow { function, shape })
}

fn gen_change() -> impl Strategy<Value = GenChange> {
    prop_oneof![
        (0usize..8, 0i64..24 * 40, 1i64..12).prop_map(|(target, start_h, len_h)| GenChange::Replace { target, start_h, len_h }),
        (0usize..8).prop_map(|target| GenChange::Cancel { target }),
        (0usize..8, 0usize..6).prop_map(|(target, nth)| GenChange::Exclude { target, nth }),
        (0usize..8, 0usize..6, -3i64..4).prop_map(|(target, nth, shift_h)| GenChange::Move { target, nth, shift_h }),
    ]
}

fn local_h(h: i64) -> String {
    (day0().and_hms_opt(0, 0, 0).expect("midnight") + Duration::hours(h)).format("%Y-%m-%d %H:%M").to_string()
}

/// Renders the generated schedule as notice files: one notice with the windows, then one
/// notice per change, published a day apart.
fn render(zone: &str, windows: &[GenWindow], changes: &[GenChange]) -> Vec<crate::SourceFile> {
    let mut files = vec![crate::SourceFile { name: "functions.toml".into(), text: include_str!("../../schedules/functions.toml").into() }];
    let mut text = format!("id = \"base\"\npublished = \"2024-02-01\"\nzone = \"{zone}\"\ntitle = \"t\"\nsource = \"gen\"\n");
    for (i, w) in windows.iter().enumerate() {
        text.push_str(&format!("[[window]]\nid = \"w{i}\"\nfunctions = [\"{}\"]\n", FUNCS[w.function]));
        match &w.shape {
            GenShape::Confirmed { start_h, len_h } => {
                text.push_str(&format!("start = \"{}\"\nend = \"{}\"\n", local_h(*start_h), local_h(start_h + len_h)))
            }
            GenShape::Tentative { day, days } => text.push_str(&format!(
                "date = \"{}\"\nlast_date = \"{}\"\n",
                day0() + Duration::days(*day),
                day0() + Duration::days(day + days - 1)
            )),
            GenShape::Recurring { rule, start_day, hour, len_h } => {
                let d0 = first_match(rule, day0() + Duration::days(*start_day));
                text.push_str(&format!("rrule = \"{}\"\nstart = \"{} {hour:02}:00\"\nduration = \"{len_h}h\"\n", rule.text(), d0));
            }
        }
    }
    files.push(crate::SourceFile { name: "base.toml".into(), text });
    for (ci, c) in changes.iter().enumerate() {
        let mut text = format!(
            "id = \"c{ci}\"\npublished = \"{}\"\nzone = \"{zone}\"\ntitle = \"t\"\nsource = \"gen\"\n",
            day0() - Duration::days(15) + Duration::days(ci as i64 * 9)
        );
        let target = |t: &usize| t % windows.len().max(1);
        match c {
            GenChange::Replace { target: t, start_h, len_h } => {
                if !matches!(windows[target(t)].shape, GenShape::Recurring { .. }) {
                    text.push_str(&format!(
                        "[[revise]]\nnotice = \"base\"\nwindow = \"w{}\"\naction = \"replace\"\nstart = \"{}\"\nend = \"{}\"\n",
                        target(t),
                        local_h(*start_h),
                        local_h(start_h + len_h)
                    ));
                }
            }
            GenChange::Cancel { target: t } => {
                text.push_str(&format!("[[revise]]\nnotice = \"base\"\nwindow = \"w{}\"\naction = \"cancel\"\n", target(t)))
            }
            GenChange::Exclude { target: t, nth } | GenChange::Move { target: t, nth, .. } => {
                if let GenShape::Recurring { rule, start_day, hour, .. } = &windows[target(t)].shape {
                    let d0 = first_match(rule, day0() + Duration::days(*start_day));
                    if let Some(d) = rule.dates(d0, d0 + Duration::days(200)).get(*nth) {
                        text.push_str(&format!("[[occurrence]]\nnotice = \"base\"\nwindow = \"w{}\"\ndate = \"{d}\"\n", target(t)));
                        match c {
                            GenChange::Move { shift_h, .. } => {
                                let s = d.and_hms_opt(*hour, 0, 0).expect("hour") + Duration::hours(*shift_h);
                                let e = s + Duration::hours(2);
                                text.push_str(&format!(
                                    "action = \"replace\"\nstart = \"{}\"\nend = \"{}\"\n",
                                    s.format("%Y-%m-%d %H:%M"),
                                    e.format("%Y-%m-%d %H:%M")
                                ));
                            }
                            _ => text.push_str("action = \"cancel\"\n"),
                        }
                    }
                }
            }
        }
        files.push(crate::SourceFile { name: format!("c{ci}.toml"), text });
    }
    files
}

fn first_match(rule: &GenRule, from: NaiveDate) -> NaiveDate {
    // DTSTART must be an occurrence: the first day from `from` that the rule's shape selects.
    let mut d = from;
    while !(rule.weekdays.is_empty() || rule.weekdays.contains(&d.weekday())) {
        d = d.succ_opt().expect("in range");
    }
    d
}

/// All occurrences in force at `as_of` affecting `f`, from the model and the day-by-day
/// matcher, up to `horizon`.
fn brute(s: &Schedule, gens: &[GenWindow], f: usize, as_of: Instant, horizon: Instant) -> Vec<(Instant, Instant, bool)> {
    let mut out = Vec::new();
    for (li, l) in s.model_lineages().iter().enumerate() {
        let Some((_, v)) = l.version_at(as_of) else { continue };
        let Some(spec) = &v.spec else { continue };
        if !spec.functions.iter().any(|g| s.catalogue().is_within(f, *g)) {
            continue;
        }
        match &spec.shape {
            Shape::Confirmed { start, end, .. } => out.push((*start, *end, false)),
            Shape::Tentative { start, end, .. } => out.push((*start, *end, true)),
            Shape::Recurring { rule, duration } => {
                let GenShape::Recurring { rule: g, .. } = &gens[li].shape else { panic!("generated shape") };
                let d0 = rule.dtstart().date();
                let last = horizon.with_timezone(&rule.zone()).date_naive() + Duration::days(1);
                for d in g.dates(d0, last) {
                    let changes: Vec<_> = l.exceptions_on(d).iter().filter(|e| e.known_from <= as_of).collect();
                    match changes.last() {
                        None => {
                            let st = local_to_instant(rule.zone(), d.and_time(rule.dtstart().time()));
                            out.push((st, st + *duration, false));
                        }
                        Some(e) => {
                            if let Some(r) = e.replacement {
                                out.push((r.start, r.end, false));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn brute_status(occ: &[(Instant, Instant, bool)], t: Instant, shift: Duration) -> Status {
    let covering: Vec<bool> = occ.iter().filter(|(s, e, _)| *s - shift <= t && t < *e).map(|o| o.2).collect();
    if covering.iter().any(|tent| !tent) {
        Status::Unavailable
    } else if covering.is_empty() {
        Status::Available
    } else {
        Status::Tentative
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fast_query_equals_brute_force(
        zone in 0usize..2,
        windows in proptest::collection::vec(gen_window(), 1..6),
        changes in proptest::collection::vec(gen_change(), 0..4),
        queries in proptest::collection::vec((0usize..FUNCS.len(), 0i64..60 * 24 * 3600, 0i64..60, 0usize..4, proptest::option::of((0usize..64, -1i64..2))), 1..12),
    ) {
        let files = render(ZONES[zone], &windows, &changes);
        let schedule = match Schedule::from_sources(files.clone()) {
            Ok(s) => s,
            // Generated changes may clash (e.g. two changes to one occurrence that no longer
            // exists); those schedules must be rejected cleanly, never half-loaded.
            Err(e) => { prop_assert!(!e.diagnostics().is_empty()); return Ok(()); }
        };
        let base = Utc.from_utc_datetime(&day0().and_hms_opt(0, 0, 0).expect("midnight")) - Duration::days(10);
        for (f, t_secs, asof_days, look, snap) in queries {
            let f_idx = schedule.catalogue().function(FUNCS[f]).expect("catalogue");
            let mut t: Instant = (base + Duration::seconds(t_secs)).into();
            let as_of: Instant = (base - Duration::days(25) + Duration::days(asof_days)).into();
            let lookahead = [Duration::zero(), Duration::seconds(1), Duration::minutes(15), Duration::hours(2)][look];
            let shift = (lookahead - Duration::seconds(1)).max(Duration::zero());
            if let Some((k, off)) = snap {
                // Boundaries are where off-by-one errors live: ask exactly at one, or a second either side.
                let bounds: Vec<Instant> = brute(&schedule, &windows, f_idx, as_of, (base + Duration::days(80)).into()).iter().flat_map(|(s, e, _)| [*s - shift, *e]).collect();
                if !bounds.is_empty() {
                    t = bounds[k % bounds.len()] + Duration::seconds(off);
                }
            }
            let horizon = t + Duration::days(400);
            let occ = brute(&schedule, &windows, f_idx, as_of, horizon);
            let ev = schedule.evaluate(Schedule::slot(Some(f_idx)), t, as_of, lookahead);
            let want = brute_status(&occ, t, shift);
            prop_assert_eq!(ev.status, want, "status at {} as of {}", t, as_of);
            // until: the first instant after t whose answer differs (answers change only at
            // shifted starts and at ends).
            let mut points: Vec<Instant> = occ.iter().flat_map(|(s, e, _)| [*s - shift, *e]).filter(|p| *p > t && *p < horizon).collect();
            points.sort();
            let expected_until = points.into_iter().find(|p| brute_status(&occ, *p, shift) != want);
            match (ev.until, expected_until) {
                (Some(u), None) => prop_assert!(u >= horizon, "until {} but no change before {}", u, horizon),
                (got, want_until) => prop_assert_eq!(got, want_until, "until at {} as of {}", t, as_of),
            }
            // next: the first occurrence starting after t.
            let next = occ.iter().filter(|(s, _, _)| *s > t).map(|o| o.0).min();
            prop_assert_eq!(ev.next.map(|o| o.start), next.filter(|n| *n < horizon).or(ev.next.map(|o| o.start).filter(|n| *n >= horizon)));
        }
    }
}

/// A rule whose occurrences chain under the lookahead: `until` is found by jumping along the
/// rule (to its first changed occurrence, or never), and a zone's offset change breaks the run.
#[test]
fn chained_rule_until_is_arithmetic() {
    let notice = |zone: &str, extra: &str| {
        format!(
            "id = \"n\"\npublished = \"2023-12-01\"\nzone = \"{zone}\"\ntitle = \"t\"\nsource = \"s\"\n\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nrrule = \"FREQ=DAILY\"\nstart = \"2024-01-01 00:00\"\nduration = \"23h\"\n{extra}"
        )
    };
    let q = |s: &Schedule, at: &str| {
        let f = s.catalogue().function("webcollect").expect("catalogue");
        let ev = s.evaluate(Schedule::slot(Some(f)), utc(at), utc("2024-02-01T00:00Z"), Duration::hours(1) + Duration::seconds(1));
        (ev.status, ev.until.map(|u| u.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
    };
    // Tokyo: no offset change since 1951, so the run never ends.
    let s = Schedule::from_notice_str(&notice("Asia/Tokyo", "")).expect("loads");
    assert_eq!(q(&s, "2024-01-05T03:00Z"), (Status::Unavailable, None));
    // A cancelled occurrence ends the run at the end of the one before it.
    let s = Schedule::from_notice_str(&notice(
        "Asia/Tokyo",
        "\n[[occurrence]]\nnotice = \"n\"\nwindow = \"w\"\ndate = \"2030-03-10\"\naction = \"cancel\"\n",
    ))
    .expect("loads");
    assert_eq!(q(&s, "2024-01-05T03:00Z"), (Status::Unavailable, Some("2030-03-09T14:00:00Z".into())));
    // New York: the autumn change makes one gap 25h, one hour more than 23h + 1h.
    let s = Schedule::from_notice_str(&notice("America/New_York", "")).expect("loads");
    assert_eq!(q(&s, "2024-01-05T12:00Z"), (Status::Unavailable, Some("2024-11-04T03:00:00Z".into())));
}

/// `Schedule::status` (status only) against the full answer.
mod status_alone {
    use crate::{Query, Schedule, Status};
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn status_alone_equals_the_full_answer_on_seeds_and_generated_schedules() {
        let as_of = Utc.with_ymd_and_hms(2042, 1, 1, 0, 0, 0).unwrap();
        let generated = Schedule::from_sources(crate::synth::notices(200, 7)).expect("synthetic loads");
        for s in [Schedule::embedded().expect("seeds"), generated] {
            let functions: Vec<String> = s.catalogue().functions().iter().map(|f| f.id().to_string()).collect();
            let mut seen = std::collections::BTreeSet::new();
            let mut t = Utc.with_ymd_and_hms(2023, 11, 1, 0, 0, 0).unwrap();
            while t < Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap() {
                for f in &functions {
                    let full = s.check(&Query::new(f.as_str(), t).as_of(as_of)).expect("known").status;
                    assert_eq!(s.status(f, t, as_of).expect("known"), full, "{f} at {t}");
                    seen.insert(full);
                }
                t += Duration::minutes(97);
            }
            assert!(seen.contains(&Status::Unavailable) && seen.contains(&Status::Available), "the grid meets windows: {seen:?}");
        }
        assert!(Schedule::embedded().expect("seeds").status("webcollect.nope", as_of, as_of).is_err());
    }

    #[test]
    fn a_set_is_as_bad_as_its_worst_answer_and_changes_with_its_first() {
        let s = Schedule::embedded().expect("seeds");
        let at = Utc.with_ymd_and_hms(2023, 11, 12, 14, 30, 0).unwrap(); // 23:30 JST: reauth's nightly blackout
        let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let q = Query::new("webcollect.credit_card", at).as_of(as_of);
        let set = s.check_each(&q, &["webcollect.reauth"]).expect("known");
        let one = |f: &str| s.check(&Query::new(f, at).as_of(as_of)).expect("known");
        assert_eq!(set.answers, vec![one("webcollect.credit_card"), one("webcollect.reauth")]);
        assert_eq!(set.status, set.answers.iter().map(|a| a.status).max().unwrap());
        assert_eq!(set.until, set.answers.iter().filter_map(|a| a.until).min());
        assert_eq!(set.available, set.status == Status::Available);
        assert!(s.check_each(&q, &["nope"]).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// The byte-by-byte reader of common RFC 3339 shapes agrees with chrono's format parser
    /// wherever it answers, and answers for every well-formed instant in those shapes.
    #[test]
    fn common_rfc3339_agrees_with_the_format_parser(
        year in prop_oneof![1890u32..10_000, Just(10_010)],
        month in 0u32..14,
        day in 0u32..33,
        sep in prop_oneof![Just("T"), Just(" "), Just("t")],
        hour in 0u32..26,
        minute in 0u32..62,
        second in proptest::option::of(0u32..62),
        fraction in proptest::option::of(0usize..11),
        offset in prop_oneof![Just("Z".to_string()), Just("z".to_string()), (prop_oneof![Just('+'), Just('-')], 0u32..26, 0u32..62).prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}"))],
    ) {
        let mut text = format!("{year:04}-{month:02}-{day:02}{sep}{hour:02}:{minute:02}");
        if let Some(sec) = second {
            text += &format!(":{sec:02}");
            if let Some(n) = fraction {
                text += &format!(".{}", "7".repeat(n));
            }
        }
        text += &offset;
        let fast = rfc3339_common(text.as_bytes());
        let slow = rfc3339_by_formats(&text);
        if fast.is_some() {
            prop_assert_eq!(fast, slow, "{}", text);
        }
        let offset_ok = offset.len() == 1 || (offset[1..3].parse::<u32>().unwrap_or(99) < 24 && offset[4..6].parse::<u32>().unwrap_or(99) < 60);
        let well_formed = slow.is_some() && sep != "t" && year < 10_000 && second.is_none_or(|s| s < 60 && fraction.is_none_or(|n| n > 0 && n < 10)) && offset_ok;
        prop_assert_eq!(fast.is_some(), well_formed, "{}", text);
        if let Some(t) = slow {
            let asked = parse_instant(&text, DEFAULT_ZONE, Utc::now());
            prop_assert_eq!(asked.ok(), in_range(t).then_some(t), "{}", text);
        }
    }
}

mod indexes {
    use super::*;
    use crate::format::source::SourceFile;

    /// Notices with statements that functions stay available, revised and cancelled, over
    /// overlapping windows: generated from `seed`.
    fn with_statements(seed: u64, n: usize) -> Vec<SourceFile> {
        let mut x = seed;
        let mut next = |m: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % m
        };
        let funcs = ["webcollect", "webcollect.credit_card", "atobarai", "atobarai.au_kantan", "atobarai.bank_transfer", "testenv"];
        let mut files: Vec<SourceFile> = crate::embedded_sources().into_iter().filter(SourceFile::is_catalogue).collect();
        for i in 0..n {
            let day = 1 + next(28);
            let (f, a) = (funcs[next(3) as usize * 2 % 6], funcs[next(6) as usize]);
            let mut text = format!(
                "id = \"s{i}\"\npublished = \"2029-12-{:02} {:02}:00\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"{f}\"]\navailable = [\"{a}\"]\n",
                1 + i / 2,
                (i % 2) * 12 + next(12) as usize
            );
            if next(5) == 0 {
                text.push_str(&format!("date = \"2030-01-{day:02}\"\n"));
            } else {
                text.push_str(&format!("start = \"2030-01-{day:02} {:02}:00\"\nend = \"2030-01-{:02} 03:00\"\n", next(3), day + next(3)));
            }
            if i > 1 && next(3) == 0 {
                // An earlier notice: published on an earlier day.
                let t = next((i - i % 2) as u64);
                let action = ["cancel", "replace", "postpone"][next(3) as usize];
                text.push_str(&format!("[[revise]]\nnotice = \"s{t}\"\nwindow = \"w\"\naction = \"{action}\"\n"));
                if action != "cancel" {
                    let d = 1 + next(28);
                    text.push_str(&format!(
                        "available = [\"{}\"]\nstart = \"2030-01-{d:02} 01:00\"\nend = \"05:00\"\n",
                        funcs[next(6) as usize]
                    ));
                }
            }
            files.push(SourceFile { name: format!("s{i:03}.toml"), text });
        }
        files
    }

    /// The per-function statement index answers exactly as the whole-schedule scan, at every
    /// as-of, over ranges that start, end and fall inside windows.
    #[test]
    fn statement_index_equals_the_scan() {
        let (mut loaded, mut found) = (0, 0);
        for seed in 0..20 {
            let s = match Schedule::from_sources(with_statements(seed, 40)) {
                Ok(s) => s,
                Err(e) => panic!("seed {seed}: {e}"),
            };
            loaded += 1;
            let base = utc("2029-12-31T15:00Z");
            for f in 0..s.catalogue().functions().len() {
                for as_of_day in [0i64, 5, 10, 15, 22] {
                    let as_of = utc("2029-11-30T15:00Z") + Duration::days(as_of_day);
                    for h in (0..24 * 32).step_by(7) {
                        let from = base + Duration::hours(h);
                        for len in [1i64, 3600, 86_400] {
                            let to = from + Duration::seconds(len);
                            let fast = s.statements_for(f, from, to, as_of);
                            found += fast.len();
                            assert_eq!(fast, s.statements_scan(f, from, to, as_of), "seed {seed} f {f}");
                        }
                    }
                }
            }
        }
        assert!(loaded == 20 && found > 1000, "the generator must produce statements: {loaded} schedules, {found} found");
    }
}

/// The functions a description affects, as the index computes them from the catalogue's
/// cover bits, are those [`Spec::affects`](crate::engine::model::Spec::affects) says, for
/// every description of the seeds and of a generated schedule (windows that name parents,
/// children, and functions that stay available).
#[test]
fn affected_bits_equal_asking_each_function() {
    let generated = Schedule::from_sources(crate::format::synth::notices(400, 11)).expect("generated schedule loads");
    let mut with_available = 0;
    for s in [Schedule::embedded().expect("seeds load"), generated] {
        let cat = s.catalogue();
        let cover = cat.cover_bits();
        let mut checked = 0;
        for spec in s.model_lineages().iter().flat_map(|l| &l.versions).filter_map(|v| v.spec.as_ref()).flat_map(|s| s.parts()) {
            let asked = (0..cat.functions().len()).filter(|&g| spec.affects(g, cat)).fold(0u64, |acc, g| acc | 1 << g);
            assert_eq!(spec.affected_bits(&cover), asked, "functions {:?}, available {:?}", spec.functions, spec.available);
            checked += 1;
            with_available += usize::from(!spec.available.is_empty());
        }
        assert!(checked > 5, "only {checked} descriptions");
    }
    assert!(with_available > 0, "no description states a function stays available");
}

/// A notice keeps its rare parts (address, notes, inferences, corrections) boxed apart, and
/// only when it has one: the generated notices have none, and a seed notice's notes read the
/// same through the accessors as its file gives them.
#[test]
fn a_notice_boxes_its_rare_parts_only_when_it_has_them() {
    let generated = Schedule::from_sources(crate::format::synth::notices(50, 3)).expect("generated schedule loads");
    let plain: Vec<_> = generated.notices().iter().filter(|n| n.id().starts_with('n')).collect();
    assert!(plain.len() >= 50, "only {} generated notices", plain.len());
    for n in plain {
        assert!(n.more.is_none(), "{} keeps an empty box", n.id());
        assert!(n.url().is_none() && n.notes().ja().is_empty() && n.inferred().is_empty() && n.corrected().is_empty());
    }
    let seeds = Schedule::embedded().expect("seeds load");
    let with_notes = seeds.notices().iter().filter(|n| !n.notes().ja().is_empty()).count();
    assert!(with_notes > 0, "no seed notice has notes");
    assert!(seeds.notices().iter().all(|n| n.more.is_some()
        == (n.url().is_some()
            || !n.notes().ja().is_empty()
            || n.notes().en().is_some()
            || !n.inferred().is_empty()
            || !n.corrected().is_empty())));
}
