//! The iCalendar feed: parsed back with the `icalendar` crate, RFC 5545 shape, stability.
use chrono::{TimeZone, Utc};
use icalendar::{Calendar, CalendarComponent, Component};
use mado::ical::{feed, FeedOptions, Lang};

fn opts(function: Option<&str>, lang: Lang) -> FeedOptions {
    FeedOptions {
        function: function.map(str::to_string),
        lang,
        now: Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap(),
        refresh: chrono::Duration::hours(1),
    }
}

fn seeds() -> mado::Schedule {
    mado::Schedule::embedded().expect("seeds")
}

fn events(ics: &str) -> Vec<icalendar::Event> {
    let cal: Calendar = ics.parse().expect("the icalendar crate parses the feed");
    cal.components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn feed_parses_and_every_event_has_uid_dtstamp_sequence_status() {
    let ics = feed(&seeds(), &opts(None, Lang::Ja)).expect("feed");
    let evs = events(&ics);
    assert_eq!(evs.len(), 8, "7 windows in force plus one replaced occurrence");
    for e in &evs {
        for p in ["UID", "DTSTAMP", "SEQUENCE", "STATUS", "SUMMARY", "DESCRIPTION", "DTSTART"] {
            assert!(e.property_value(p).is_some(), "{p} missing in {:?}", e.get_uid());
        }
    }
    let uid = |u: &str| evs.iter().filter(|e| e.get_uid() == Some(u)).count();
    assert_eq!(uid("2023-08-28-db-upgrade.all-functions@mado"), 1);
    assert_eq!(uid("standing-reauth-blackout.daily@mado"), 2, "master and its RECURRENCE-ID override");
}

#[test]
fn revisions_bump_sequence_on_the_same_uid() {
    let ics = feed(&seeds(), &opts(None, Lang::En)).expect("feed");
    let evs = events(&ics);
    let by_uid = |u: &str| evs.iter().find(|e| e.get_uid() == Some(u) && e.property_value("RECURRENCE-ID").is_none()).expect(u);
    let db = by_uid("2023-08-28-db-upgrade.all-functions@mado");
    assert_eq!(db.property_value("SEQUENCE"), Some("1"));
    assert_eq!(db.property_value("DTSTART"), Some("20231113T020000"));
    let postponed = by_uid("2021-05-14-3ds-maintenance.3ds-expansion@mado");
    assert_eq!((postponed.property_value("SEQUENCE"), postponed.property_value("DTSTART")), (Some("1"), Some("20210809T010000")));
    let tentative = by_uid("2023-10-10-db-upgrade-revised.card-vendor-dc-move@mado");
    assert_eq!(tentative.property_value("STATUS"), Some("TENTATIVE"));
    assert_eq!(tentative.property_value("DTEND"), Some("20240423"));
    assert!(tentative.property_value("DESCRIPTION").expect("description").contains("about 4h"));
}

#[test]
fn cancelled_window_stays_cancelled_for_the_retention_then_leaves() {
    let s = seeds();
    let mut o = opts(None, Lang::Ja);
    o.now = Utc.with_ymd_and_hms(2023, 11, 1, 0, 0, 0).unwrap();
    let evs = events(&feed(&s, &o).expect("feed"));
    let reauth = evs.iter().find(|e| e.get_uid() == Some("2023-08-28-db-upgrade.reauth@mado")).expect("kept while recent");
    assert_eq!((reauth.property_value("STATUS"), reauth.property_value("SEQUENCE")), (Some("CANCELLED"), Some("1")));
    o.now = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
    let evs = events(&feed(&s, &o).expect("feed"));
    assert!(evs.iter().all(|e| e.get_uid() != Some("2023-08-28-db-upgrade.reauth@mado")));
}

#[test]
fn every_tzid_has_a_vtimezone_and_lines_are_folded_crlf() {
    let ics = feed(&seeds(), &opts(None, Lang::Ja)).expect("feed");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line}");
        assert!(!line.contains('\n'), "bare LF");
    }
    let unfolded = ics.replace("\r\n ", "");
    let tzids: std::collections::BTreeSet<&str> =
        unfolded.split("TZID=").skip(1).map(|s| s.split([':', ';']).next().unwrap_or("")).collect();
    for tz in tzids {
        assert!(unfolded.contains(&format!("BEGIN:VTIMEZONE\r\nTZID:{tz}\r\n")), "no VTIMEZONE for {tz}");
    }
    for head in ["METHOD:PUBLISH", "PRODID:-//mado//", "X-WR-CALNAME:", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"] {
        assert!(unfolded.contains(head), "{head}");
    }
}

#[test]
fn feed_is_byte_stable_and_filters_by_function() {
    let s = seeds();
    assert_eq!(
        feed(&s, &opts(None, Lang::Ja)).expect("a"),
        feed(&mado::Schedule::embedded().expect("b"), &opts(None, Lang::Ja)).expect("b")
    );
    let reauth = events(&feed(&s, &opts(Some("webcollect.reauth"), Lang::Ja)).expect("feed"));
    let mut uids: Vec<&str> = reauth.iter().filter_map(|e| e.get_uid()).collect();
    uids.dedup();
    assert_eq!(
        uids,
        [
            "2019-06-22-pci-dss-maintenance.security-patch@mado",
            "2019-06-22-pci-dss-maintenance.late-october@mado",
            "2023-08-28-db-upgrade.all-functions@mado",
            "standing-reauth-blackout.daily@mado"
        ]
    );
    assert!(feed(&s, &opts(Some("nope"), Lang::Ja)).is_err());
}

#[test]
fn dst_zone_gets_observances_for_each_transition() {
    let text = "id = \"ny\"\npublished = \"2024-01-01\"\nzone = \"America/New_York\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"testenv\"]\nrrule = \"FREQ=WEEKLY;UNTIL=20240401\"\nstart = \"2024-03-03 02:30\"\nduration = \"1h\"\n";
    let s = mado::Schedule::from_notice_str(text).expect("loads");
    let ics = feed(&s, &opts(None, Lang::En)).expect("feed");
    assert!(
        ics.contains("BEGIN:DAYLIGHT\r\nDTSTART:20240310T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT"),
        "{ics}"
    );
    assert!(ics.contains("RRULE:FREQ=WEEKLY;UNTIL=20240402T035959Z"), "a date UNTIL becomes the end of that local day, in UTC");
    events(&ics);
}

#[test]
fn feed_snapshot() {
    insta::assert_snapshot!("feed_en", feed(&seeds(), &opts(None, Lang::En)).expect("feed").replace("\r\n", "\n"));
}
