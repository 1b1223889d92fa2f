//! `mado export alertmanager`: Alertmanager time intervals from the evaluator's windows.
mod common;

use common::{at, seeds};
use mado::views::alertmanager::{time_intervals, ExportOptions};

fn export(function: Option<&str>, from: &str, to: &str, as_of: &str) -> String {
    let o = ExportOptions { function: function.map(str::to_string), from: at(from), to: at(to), as_of: at(as_of) };
    time_intervals(&seeds(), &o).expect("export")
}

/// The entries of one named interval.
fn interval<'a>(yaml: &'a str, name: &str) -> &'a str {
    let head = format!("  - name: \"{name}\"\n");
    let start = yaml.find(&head).unwrap_or_else(|| panic!("no interval {name}")) + head.len();
    let rest = &yaml[start..];
    &rest[..rest.find("\n  - name: ").map_or(rest.len(), |i| i + 1)]
}

#[test]
fn one_named_interval_per_function() {
    let y = export(None, "2026-11-01", "2026-12-01", "2026-11-01");
    let s = seeds();
    for f in s.catalogue().functions() {
        assert_eq!(y.matches(&format!("  - name: \"{}\"\n", f.id())).count(), 1, "{}", f.id());
    }
    assert!(y.starts_with("# Alertmanager time intervals from mado"));
    assert!(y.contains("\ntime_intervals:\n"));
}

#[test]
fn a_daily_rule_with_no_change_in_range_is_a_time_range_every_day() {
    let y = export(Some("webcollect.reauth"), "2026-11-01", "2026-12-01", "2026-11-01");
    let r = interval(&y, "webcollect.reauth");
    assert!(r.contains("start_time: \"23:00\"\n            end_time: \"24:00\"\n        location: \"Asia/Tokyo\""), "{r}");
    assert!(r.contains("start_time: \"00:00\"\n            end_time: \"01:00\"\n        location: \"Asia/Tokyo\""), "{r}");
    assert!(!r.contains("days_of_month"), "a fitting rule is not expanded:\n{r}");
}

#[test]
fn a_rule_with_a_changed_occurrence_in_range_is_expanded_with_the_change() {
    // 2023-11-12 23:00 – 11-13 01:30 (about) replaces that night's 23:00–01:00.
    let y = export(Some("webcollect.reauth"), "2023-11-10", "2023-11-15", "2024-01-01");
    let r = interval(&y, "webcollect.reauth");
    assert!(
        r.contains("end_time: \"01:30\"\n        days_of_month: [\"13\"]\n        months: [\"november\"]\n        years: [\"2023\"]"),
        "{r}"
    );
    // Every night overlapping the range starts at 23:00: Nov 9 (ends in it) to Nov 14.
    assert_eq!(r.matches("start_time: \"23:00\"").count(), 6, "{r}");
}

#[test]
fn every_confirmed_window_of_the_evaluator_is_exported() {
    let s = seeds();
    let (from, to, as_of) = ("2019-01-01", "2020-12-31", "2024-01-01");
    let y = export(Some("webcollect.credit_card"), from, to, as_of);
    let list = s.windows(&mado::WindowsQuery::new(at(from), at(to)).function("webcollect.credit_card").as_of(at(as_of))).expect("windows");
    assert!(!list.windows.is_empty());
    for w in list.windows.iter().filter(|w| w.kind == mado::WindowKind::Confirmed) {
        let start = w.start.format("%H:%M").to_string();
        assert!(y.contains(&format!("# {} {}", w.uid, w.start.format("%Y-%m-%d %H:%M"))), "{} missing", w.uid);
        assert!(y.contains(&format!("start_time: \"{start}\"")), "{start}");
    }
}

#[test]
fn tentative_days_are_listed_not_muted() {
    let y = export(Some("webcollect.credit_card"), "2024-04-01", "2024-05-01", "2024-01-01");
    let r = interval(&y, "webcollect.credit_card");
    assert!(
        r.contains("# not muted, times not announced yet: 2023-10-10-db-upgrade-revised/card-vendor-dc-move 2024-04-22..2024-04-22"),
        "{r}"
    );
    assert!(r.contains("time_intervals: []"), "{r}");
}

#[test]
fn unknown_function_is_an_error_with_suggestions() {
    let o =
        ExportOptions { function: Some("webcollect.credit".into()), from: at("2026-01-01"), to: at("2026-02-01"), as_of: at("2026-01-01") };
    let e = time_intervals(&seeds(), &o).expect_err("unknown");
    assert!(e.to_string().contains("webcollect.credit"), "{e}");
}

/// Reads the entries of one named interval back (the subset mado writes) and says whether
/// an instant falls in one, as Alertmanager would.
fn muted(entries: &str, t: mado::time::Instant) -> bool {
    use chrono::{Datelike, Timelike};
    let local = t.with_timezone(&mado::time::DEFAULT_ZONE);
    let minute = local.hour() * 60 + local.minute();
    let hm = |v: &str| {
        let v = v.trim().trim_matches('"');
        let (h, m) = v.split_once(':').expect("HH:MM");
        h.parse::<u32>().expect("hour") * 60 + m.parse::<u32>().expect("minute")
    };
    let list =
        |v: &str| -> Vec<String> { v.trim().trim_matches(['[', ']']).split(',').map(|x| x.trim().trim_matches('"').to_string()).collect() };
    const MONTHS: [&str; 12] =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    entries.split("\n      - ").skip(1).any(|entry| {
        let (mut start, mut end, mut ok) = (0, 0, true);
        for line in entry.lines().map(str::trim) {
            if let Some(v) = line.strip_prefix("- start_time:").or(line.strip_prefix("start_time:")) {
                start = hm(v);
            } else if let Some(v) = line.strip_prefix("end_time:") {
                end = hm(v);
            } else if let Some(v) = line.strip_prefix("days_of_month:") {
                ok &= list(v).contains(&local.day().to_string());
            } else if let Some(v) = line.strip_prefix("months:") {
                ok &= list(v).contains(&MONTHS[local.month0() as usize].to_string());
            } else if let Some(v) = line.strip_prefix("years:") {
                ok &= list(v).contains(&local.year().to_string());
            } else if let Some(v) = line.strip_prefix("weekdays:") {
                ok &= list(v).contains(&DAYS[local.weekday().num_days_from_monday() as usize].to_string());
            } else if let Some(v) = line.strip_prefix("location:") {
                assert_eq!(v.trim(), "\"Asia/Tokyo\"");
            }
        }
        ok && start <= minute && minute < end
    })
}

#[test]
fn the_export_mutes_exactly_when_the_evaluator_says_unavailable() {
    let s = seeds();
    // A range with revisions and a changed night (expanded), and one where the rule fits.
    for (from, to, as_of) in [("2023-11-05", "2023-11-20", "2024-01-01"), ("2026-11-01", "2026-11-15", "2026-11-01")] {
        for f in ["webcollect.credit_card", "webcollect.reauth", "testenv", "atobarai"] {
            let y = export(Some(f), from, to, as_of);
            let entries = interval(&y, f);
            let mut t = at(from);
            let mut down = 0;
            while t < at(to) {
                let a = s.check(&mado::Query::new(f, t).as_of(at(as_of))).expect("check");
                let unavailable = a.status == mado::Status::Unavailable;
                down += usize::from(unavailable);
                assert_eq!(muted(entries, t), unavailable, "{f} at {t} (as of {as_of})");
                t += chrono::Duration::minutes(10);
            }
            if f == "webcollect.reauth" {
                assert!(down > 100, "the check saw the daily blackout: {down}");
            }
        }
    }
}

#[cfg(feature = "cli")]
#[test]
fn cli_prints_the_intervals_and_refuses_bad_ranges() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mado"))
            .args(["export", "alertmanager"])
            .args(args)
            .env_remove("MADO_SCHEDULES")
            .output()
            .expect("run mado");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, out, _) = run(&["--function", "webcollect.reauth", "--from", "2023-11-10", "--to", "5d", "--as-of", "2024-01-01"]);
    assert_eq!(code, Some(0));
    assert_eq!(out, export(Some("webcollect.reauth"), "2023-11-10", "2023-11-15", "2024-01-01"), "the CLI prints the library's YAML");
    let (code, _, err) = run(&["--from", "2023-11-10", "--to", "2000d"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("expected at most 731"), "{err}");
    let (code, _, err) = run(&["--from", "2023-11-10", "--to", "2023-11-01"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--to must be after --from"), "{err}");
    // A unique prefix names a function (as everywhere in the CLI); a name that matches none is refused.
    let (code, out, _) = run(&["--function", "webcollect.credit", "--from", "2023-11-10", "--to", "5d", "--as-of", "2024-01-01"]);
    assert_eq!(code, Some(0));
    assert_eq!(out, export(Some("webcollect.credit_card"), "2023-11-10", "2023-11-15", "2024-01-01"));
    let (code, _, err) = run(&["--function", "webcollect.creditt_card"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("webcollect.creditt_card"), "{err}");
}

/// The export of the view fixtures (tests/data/views) as known on 2025-09-01.
fn views_export(function: &str, from: &str, to: &str) -> String {
    let s = mado::Schedule::from_dir("tests/data/views").expect("the view fixtures load");
    let o = ExportOptions { function: Some(function.into()), from: at(from), to: at(to), as_of: at("2025-09-01") };
    time_intervals(&s, &o).expect("export")
}

#[test]
fn an_incident_is_exported_as_an_incident() {
    let y = views_export("webcollect.credit_card", "2025-08-20", "2025-08-30");
    assert!(y.starts_with("# Alertmanager time intervals from mado: Kuroneko Web Collect maintenance windows and incidents."), "{y}");
    let r = interval(&y, "webcollect.credit_card");
    assert!(r.contains("# 2025-08-25-incident/card-outage 2025-08-25 10:00 – 2025-08-25 12:30 JST (incident)\n"), "{r}");
    assert!(r.contains("start_time: \"10:00\"\n            end_time: \"12:30\""), "{r}");
}

#[test]
fn a_rule_that_changed_its_hours_is_a_time_range_on_each_side_of_the_change() {
    // After the change: the new hours, every day, as one rule.
    let r = views_export("webcollect.reauth", "2025-07-15", "2025-08-15");
    assert!(r.contains("start_time: \"22:00\"\n            end_time: \"24:00\""), "{r}");
    assert!(r.contains("start_time: \"00:00\"\n            end_time: \"00:30\""), "{r}");
    assert!(!r.contains("days_of_month"), "a fitting rule is not expanded:\n{r}");
    // Before it: the old hours.
    let r = views_export("webcollect.reauth", "2025-02-01", "2025-03-01");
    assert!(r.contains("start_time: \"23:00\"\n            end_time: \"24:00\"") && !r.contains("days_of_month"), "{r}");
    // Across it: night by night, each with its own hours.
    let r = views_export("webcollect.reauth", "2025-06-28", "2025-07-03");
    assert!(r.contains("# standing-reauth-blackout/daily 2025-06-30 23:00 – 2025-07-01 01:00 JST"), "{r}");
    assert!(r.contains("# standing-reauth-blackout/daily 2025-07-01 22:00 – 2025-07-02 00:30 JST"), "{r}");
}

/// The embedded catalogue with fixtures of `tests/data/format/` (see `available.toml`: a
/// window over all of `atobarai` stating `atobarai.au_kantan` stays available).
fn stated_available(names: &[&str], function: &str, as_of: &str) -> String {
    let mut files: Vec<mado::SourceFile> =
        mado::embedded_sources().into_iter().filter(|f| f.name.ends_with(mado::CATALOGUE_FILE)).collect();
    for n in names {
        let name = format!("tests/data/format/{n}.toml");
        files.push(mado::SourceFile { text: std::fs::read_to_string(&name).unwrap_or_else(|e| panic!("{name}: {e}")), name });
    }
    let s = mado::Schedule::from_sources(files).expect("loads");
    let o = ExportOptions { function: Some(function.into()), from: at("2030-01-31"), to: at("2030-02-03"), as_of: at(as_of) };
    time_intervals(&s, &o).expect("export")
}

#[test]
fn a_function_stated_available_is_not_muted_nor_listed() {
    let r = stated_available(&["available"], "atobarai.au_kantan", "2030-01-10");
    assert!(!r.contains("fx-available/w") && r.contains("time_intervals: []"), "{r}");
    let r = stated_available(&["available"], "atobarai.bank_transfer", "2030-01-10");
    assert!(r.contains("# fx-available/w 2030-02-01 02:00 – 2030-02-01 04:00 JST"), "{r}");
    // Postponed with no new date: listed (not muted) for the functions it affects only.
    let postponed = ["available", "available-postponed"];
    let r = stated_available(&postponed, "atobarai.au_kantan", "2030-01-25");
    assert!(!r.contains("fx-available/w"), "{r}");
    let r = stated_available(&postponed, "atobarai.bank_transfer", "2030-01-25");
    assert!(r.contains("# not muted, postponed (new date to follow): fx-available/w"), "{r}");
}
