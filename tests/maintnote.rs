//! The maintnote profile of the feed: the BCOP X-MAINTNOTE-* properties, statuses by the
//! clock, what is left out, and byte stability. `tests/ical/maintnote_check.py` checks it
//! with circuit-maintenance-parser in CI.
use chrono::{DateTime, TimeZone, Utc};
use mado::ical::{feed, feed_as, FeedOptions, Lang};
use mado::views::maintnote::Profile;

fn opts(now: DateTime<Utc>, base_url: Option<&str>) -> FeedOptions {
    FeedOptions {
        function: None,
        lang: Lang::En,
        now: now.into(),
        refresh: chrono::Duration::hours(1),
        base_url: base_url.map(str::to_string),
    }
}

fn views() -> mado::Schedule {
    mado::Schedule::from_dir("tests/data/views").expect("the view fixtures load")
}

/// `(uid, property lines)` of each event, unfolded.
fn events(ics: &str) -> Vec<(String, Vec<String>)> {
    let unfolded = ics.replace("\r\n ", "");
    let mut out = Vec::new();
    let mut cur: Option<(String, Vec<String>)> = None;
    for line in unfolded.split("\r\n") {
        match line {
            "BEGIN:VEVENT" => cur = Some((String::new(), Vec::new())),
            "END:VEVENT" => out.extend(cur.take()),
            _ => {
                if let Some((uid, lines)) = cur.as_mut() {
                    if let Some(u) = line.strip_prefix("UID:") {
                        *uid = u.to_string();
                    }
                    lines.push(line.to_string());
                }
            }
        }
    }
    out
}

fn prop<'a>(lines: &'a [String], name: &str) -> Vec<&'a str> {
    lines.iter().filter_map(|l| l.strip_prefix(name)).filter_map(|rest| rest.split_once(':').map(|(_, v)| v)).collect()
}

fn tokyo(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Tokyo.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

#[test]
fn status_follows_the_clock_half_open() {
    // The incident of tests/data/views: [2025-08-25 10:00, 12:30) JST.
    let s = views();
    let uid = "2025-08-25-incident.card-outage@mado";
    for (now, want) in [
        (tokyo(2025, 8, 25, 9, 59), "CONFIRMED"),
        (tokyo(2025, 8, 25, 10, 0), "IN-PROCESS"),
        (tokyo(2025, 8, 25, 12, 29), "IN-PROCESS"),
        (tokyo(2025, 8, 25, 12, 30), "COMPLETED"),
    ] {
        let ics = feed_as(&s, &opts(now, None), Profile::Maintnote).expect("feed");
        let evs = events(&ics);
        let (_, lines) = evs.iter().find(|(u, _)| u == uid).expect("the incident is in the feed");
        assert_eq!(prop(lines, "X-MAINTNOTE-STATUS"), [want], "at {now}");
    }
}

#[test]
fn postponed_is_cancelled_and_standing_rules_are_left_out() {
    let s = views();
    let now = tokyo(2025, 8, 25, 11, 0);
    let maint = events(&feed_as(&s, &opts(now, None), Profile::Maintnote).expect("feed"));
    let plain = events(&feed(&s, &opts(now, None)).expect("feed"));
    let rules: Vec<&str> = plain.iter().filter(|(_, l)| l.iter().any(|l| l.starts_with("RRULE:"))).map(|(u, _)| u.as_str()).collect();
    assert!(!rules.is_empty(), "the fixtures have standing rules");
    for (uid, lines) in &maint {
        assert!(!rules.contains(&uid.as_str()), "{uid}: a standing rule in the maintnote feed");
        assert!(lines.iter().all(|l| !l.starts_with("RRULE") && !l.starts_with("DURATION")), "{uid}");
        // The view fixtures' catalogue names no provider: the top-level function id stands for it.
        let object = prop(lines, "X-MAINTNOTE-OBJECT-ID")[0].split('.').next().expect("an id").to_string();
        assert_eq!(prop(lines, "X-MAINTNOTE-PROVIDER"), [object.as_str()]);
        assert_eq!(prop(lines, "X-MAINTNOTE-IMPACT"), ["OUTAGE"]);
        assert_eq!(prop(lines, "X-MAINTNOTE-MAINTENANCE-ID"), [uid.trim_end_matches("@mado").replacen('.', "/", 1)]);
    }
    let store = maint.iter().find(|(u, _)| u == "2025-08-10-store.night@mado").expect("the postponed window");
    assert_eq!(prop(&store.1, "X-MAINTNOTE-STATUS"), ["CANCELLED"]);
    assert_eq!(prop(&store.1, "X-MAINTNOTE-OBJECT-ID"), ["webcollect.convenience_store"]);
    // Without a base URL there is no page to name as ORGANIZER.
    assert!(maint.iter().all(|(_, l)| prop(l, "ORGANIZER").is_empty()));
}

#[test]
fn stated_available_functions_are_no_impact_objects_and_tentative_days_are_date_times() {
    let s = mado::Schedule::embedded().expect("seeds");
    let now = tokyo(2023, 11, 13, 3, 0);
    let evs = events(&feed_as(&s, &opts(now, Some("https://mado.example")), Profile::Maintnote).expect("feed"));
    let (_, l) = evs.iter().find(|(u, _)| u == "2021-05-14-3ds-maintenance.3ds-expansion@mado").expect("3-D Secure window");
    let no_impact: Vec<&str> =
        l.iter().filter_map(|l| l.strip_prefix("X-MAINTNOTE-OBJECT-ID;X-MAINTNOTE-OBJECT-IMPACT=NO-IMPACT:")).collect();
    assert_eq!(no_impact, ["atobarai.au_kantan", "atobarai.bank_transfer"]);
    assert_eq!(prop(l, "X-MAINTNOTE-STATUS"), ["COMPLETED"]);
    assert_eq!(prop(l, "ORGANIZER;CN=yamato"), ["https://mado.example/notices/2021-05-14-3ds-maintenance?lang=en"]);
    let (_, t) = evs.iter().find(|(u, _)| u == "2023-10-10-db-upgrade-revised.card-vendor-dc-move@mado").expect("tentative day");
    assert_eq!(prop(t, "DTSTART;TZID=Asia/Tokyo"), ["20240422T000000"]);
    assert_eq!(prop(t, "DTEND;TZID=Asia/Tokyo"), ["20240423T000000"]);
    assert_eq!(prop(t, "X-MAINTNOTE-STATUS"), ["TENTATIVE"]);
}

#[test]
fn plain_feed_has_no_maintnote_lines_and_profiles_parse() {
    let s = views();
    let o = opts(tokyo(2025, 8, 25, 11, 0), None);
    let plain = feed(&s, &o).expect("feed");
    assert_eq!(plain, feed_as(&s, &o, Profile::Plain).expect("feed"));
    assert!(!plain.contains("X-MAINTNOTE"));
    assert_eq!(Profile::parse("maintnote"), Ok(Profile::Maintnote));
    assert_eq!(Profile::parse("bcop").unwrap_err(), "`bcop` is not a feed profile; expected `plain` or `maintnote`, e.g. `maintnote`");
}

#[test]
fn maintnote_feed_is_byte_stable_and_snapshotted() {
    let s = views();
    let o = opts(tokyo(2025, 8, 25, 11, 0), Some("https://mado.example"));
    let a = feed_as(&s, &o, Profile::Maintnote).expect("feed");
    let b = feed_as(&views(), &o, Profile::Maintnote).expect("feed");
    assert_eq!(a, b);
    insta::assert_snapshot!("maintnote_views_2025_08_25_1100", a.replace("\r\n", "\n"));
}
