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
        base_url: Some("https://mado.example".into()),
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
    assert!(!unfolded.contains("METHOD:"), "a published feed, not an iTIP message");
    for head in ["PRODID:-//mado//", "X-WR-CALNAME:", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"] {
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

fn unfolded(lang: Lang, function: Option<&str>) -> String {
    feed(&seeds(), &opts(function, lang)).expect("feed").replace("\r\n ", "")
}

/// Unescaped values of property `name` in an unfolded feed.
fn values<'a>(ics: &'a str, name: &str) -> Vec<&'a str> {
    ics.split("\r\n").filter_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':'))).collect()
}

#[test]
fn summaries_are_short_and_say_what_and_which_functions() {
    for lang in [Lang::Ja, Lang::En] {
        let ics = unfolded(lang, None);
        let summaries = values(&ics, "SUMMARY");
        assert!(summaries.len() >= 8);
        for s in &summaries {
            let text = s.replace("\\,", ",");
            assert!(text.chars().count() <= mado::ical::SUMMARY_MAX_CHARS, "{lang:?}: {text} is {} chars", text.chars().count());
        }
    }
    let ja = unfolded(Lang::Ja, None);
    assert!(values(&ja, "SUMMARY").contains(&"定例停止: 金額変更・再与信（〜01:30頃）"), "approximate end in the ja summary");
    let en = unfolded(Lang::En, None);
    assert!(values(&en, "SUMMARY").iter().any(|s| s.ends_with("until about 01:30")), "approximate end in the en summary");
    assert!(en.contains("about 2023-11-13 01:30 JST"), "and in the en description");
}

#[test]
fn one_language_per_feed() {
    let ja = unfolded(Lang::Ja, None);
    assert!(values(&ja, "PRODID")[0].ends_with("//JA"));
    assert!(values(&unfolded(Lang::En, None), "PRODID")[0].ends_with("//EN"));
    // Words of the English notes, titles and labels never reach the ja feed.
    for english in ["the notice", "maintenance with", "Replace", "source:", "error code", "Affected", "seeds do not"] {
        for p in ["SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "CATEGORIES"] {
            for v in values(&ja, p) {
                assert!(!v.contains(english), "`{english}` in the ja {p}: {v}");
            }
        }
    }
}

#[test]
fn events_link_their_notice_and_say_their_kind() {
    let en = unfolded(Lang::En, None);
    let urls = values(&en, "URL");
    assert!(urls.contains(&"https://mado.example/notices/2023-08-28-db-upgrade?lang=en"), "{urls:?}");
    assert_eq!(urls.len(), values(&en, "SUMMARY").len(), "every event has a URL");
    let cats = values(&en, "CATEGORIES");
    for c in ["maintenance,confirmed", "maintenance,tentative", "maintenance,standing blackout"] {
        assert!(cats.contains(&c), "{c} in {cats:?}");
    }
    assert_eq!(values(&en, "LAST-MODIFIED").len(), urls.len());
}

#[test]
fn only_confirmed_one_off_windows_mark_people_busy() {
    let evs = events(&feed(&seeds(), &opts(None, Lang::Ja)).expect("feed"));
    for e in &evs {
        let uid = e.get_uid().unwrap_or("");
        let busy = e.property_value("TRANSP") == Some("OPAQUE");
        let tentative = e.property_value("STATUS") == Some("TENTATIVE");
        let standing = uid.starts_with("standing-reauth-blackout.");
        assert_eq!(busy, !tentative && !standing, "{uid}");
    }
}

#[test]
fn per_function_calendars_are_named_by_label() {
    let ja = unfolded(Lang::Ja, Some("webcollect.credit_card"));
    assert_eq!(values(&ja, "X-WR-CALNAME"), ["クロネコwebコレクト メンテナンス: クレジットカード払い"]);
    let en = unfolded(Lang::En, Some("webcollect.credit_card"));
    assert_eq!(values(&en, "NAME"), ["Kuroneko Web Collect maintenance: card payment"]);
}
