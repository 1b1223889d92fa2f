//! The iCalendar feed: parsed back with the `icalendar` crate, RFC 5545 shape, stability.
use chrono::{TimeZone, Utc};
use icalendar::{Calendar, CalendarComponent, Component};
use mado::ical::{feed, FeedOptions, Lang};

fn opts(function: Option<&str>, lang: Lang) -> FeedOptions {
    FeedOptions {
        function: function.map(str::to_string),
        lang,
        now: Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap().into(),
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
    o.now = Utc.with_ymd_and_hms(2023, 11, 1, 0, 0, 0).unwrap().into();
    let evs = events(&feed(&s, &o).expect("feed"));
    let reauth = evs.iter().find(|e| e.get_uid() == Some("2023-08-28-db-upgrade.reauth@mado")).expect("kept while recent");
    assert_eq!((reauth.property_value("STATUS"), reauth.property_value("SEQUENCE")), (Some("CANCELLED"), Some("1")));
    o.now = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap().into();
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

// The view fixtures (tests/data/views): a standing rule whose hours change from 2025-07-01
// (one night changed before, one excluded after), a weekly rule that ends, an incident, a
// maintenance postponed with no new date.

fn views() -> mado::Schedule {
    mado::Schedule::from_dir("tests/data/views").expect("the view fixtures load")
}

fn views_feed(lang: Lang, function: Option<&str>) -> String {
    let mut o = opts(function, lang);
    o.now = Utc.with_ymd_and_hms(2025, 8, 25, 2, 0, 0).unwrap().into();
    feed(&views(), &o).expect("feed")
}

/// The events of `ics` with UID `uid`, unescaped descriptions included.
fn with_uid(ics: &str, uid: &str) -> Vec<icalendar::Event> {
    events(ics).into_iter().filter(|e| e.get_uid() == Some(uid)).collect()
}

fn master(ics: &str, uid: &str) -> icalendar::Event {
    with_uid(ics, uid).into_iter().find(|e| e.property_value("RECURRENCE-ID").is_none()).unwrap_or_else(|| panic!("no {uid}"))
}

/// CATEGORIES of the event with UID `uid` that is no override, as written.
fn categories_of(ics: &str, uid: &str) -> String {
    let unfolded = ics.replace("\r\n ", "");
    let block = unfolded
        .split("BEGIN:VEVENT\r\n")
        .find(|b| b.contains(&format!("UID:{uid}\r\n")) && !b.contains("RECURRENCE-ID"))
        .unwrap_or_else(|| panic!("no {uid}"));
    values(block, "CATEGORIES").concat()
}

fn description(e: &icalendar::Event) -> String {
    e.get_description().unwrap_or_default().to_string()
}

#[test]
fn an_incident_is_called_an_incident() {
    let uid = "2025-08-25-incident.card-outage@mado";
    let en = views_feed(Lang::En, None);
    let e = master(&en, uid);
    assert_eq!(e.get_summary(), Some("Incident: card payment, until about 12:30"));
    assert_eq!(categories_of(&en, uid), "incident,confirmed");
    assert!(description(&e).starts_with("Incident: Card payment outage\n"), "{}", description(&e));
    assert!(!description(&e).contains("default"), "no catalogue default for an incident: {}", description(&e));
    let ja = views_feed(Lang::Ja, None);
    let e = master(&ja, uid);
    assert_eq!(e.get_summary(), Some("障害: クレジットカード払い（〜12:30頃）"));
    assert_eq!(categories_of(&ja, uid), "障害,確定");
    assert!(description(&e).starts_with("【障害】カード決済の障害\n"), "{}", description(&e));
    // Maintenance stays maintenance.
    assert_eq!(categories_of(&ja, "2025-08-10-store.night@mado"), "メンテナンス,延期");
}

#[test]
fn a_changed_rule_ends_its_old_rrule_and_links_the_continuation() {
    let (old_uid, new_uid) = ("standing-reauth-blackout.daily@mado", "standing-reauth-blackout.daily.from-20250701@mado");
    for lang in [Lang::Ja, Lang::En] {
        let ics = views_feed(lang, Some("webcollect.reauth"));
        let old = master(&ics, old_uid);
        assert_eq!(old.property_value("DTSTART"), Some("20250101T230000"));
        assert_eq!(old.property_value("DURATION"), Some("PT2H"));
        assert_eq!(old.property_value("RRULE"), Some("FREQ=DAILY;UNTIL=20250630T145959Z"), "the old nights stay, up to the change");
        assert!(old.property_value("RELATED-TO").is_none());
        let new = master(&ics, new_uid);
        assert_eq!(new.property_value("DTSTART"), Some("20250701T220000"));
        assert_eq!(new.property_value("DURATION"), Some("PT2H30M"));
        assert_eq!(new.property_value("RRULE"), Some("FREQ=DAILY"));
        assert_eq!(new.property_value("RELATED-TO"), Some(old_uid));
        // Each night changed or excluded goes to the rule it is a night of.
        let overrides: Vec<(String, String)> =
            events(&ics).iter().filter_map(|e| Some((e.get_uid()?.to_string(), e.property_value("RECURRENCE-ID")?.to_string()))).collect();
        assert_eq!(overrides, [(old_uid.to_string(), "20250615T230000".to_string())]);
        assert!(ics.contains("EXDATE;TZID=Asia/Tokyo:20250710T220000\r\nRELATED-TO:"), "the excluded night on the new rule");
        assert_eq!(ics.matches("EXDATE").count(), 1);
        let (before, after) = (description(&old), description(&new));
        match lang {
            Lang::En => {
                assert!(
                    before
                        .contains("\nHours changed from 2025-07-01 by notice 2025-06-01-change: from then on every day 22:00–00:30 JST\n"),
                    "{before}"
                );
                assert!(
                    after.contains("\nHours changed from 2025-07-01 by notice 2025-06-01-change: previously every day 23:00–01:00 JST\n"),
                    "{after}"
                );
                assert!(before.contains("Revised (hours changed): "), "{before}");
            }
            Lang::Ja => {
                assert!(
                    before.contains("\n2025-07-01から時間帯変更（お知らせ 2025-06-01-change）: 変更後は毎日 22:00〜00:30 JST\n"),
                    "{before}"
                );
                assert!(
                    after.contains("\n2025-07-01から時間帯変更（お知らせ 2025-06-01-change）: 変更前は毎日 23:00〜01:00 JST\n"),
                    "{after}"
                );
            }
        }
    }
    // Another function's feed has neither.
    let other = views_feed(Lang::En, Some("testenv"));
    assert!(with_uid(&other, old_uid).is_empty() && with_uid(&other, new_uid).is_empty());
}

#[test]
fn an_ended_rule_says_so() {
    let en = views_feed(Lang::En, Some("testenv"));
    let e = master(&en, "2025-01-01-weekly-batch.sunday@mado");
    assert_eq!(e.property_value("RRULE"), Some("FREQ=WEEKLY;BYDAY=SU;UNTIL=20250930T145959Z"));
    let d = description(&e);
    assert!(d.contains("Standing rule: every Sunday 03:00–04:00, since 2025-01-05, last on 2025-09-28\n"), "{d}");
    assert!(
        d.contains("Revised (ended): Weekly test-environment stop ends (2025-09-01-end), 2025-09-01\nNo weekly stop from October"),
        "{d}"
    );
    assert!(d.contains("Inferred (end): “From October” read as 1 October"), "{d}");
}

#[test]
fn effect_notes_follow_the_feed_language_and_no_effect_line_is_empty() {
    let en = views_feed(Lang::En, None);
    let d = description(&master(&en, "standing-reauth-blackout.daily@mado"));
    assert!(d.contains("\n- API method: (re-authorisation returns an error)\n"), "note_en in English: {d}");
    assert!(d.contains("\n- link method: (再与信ボタンはエラーになる)\n"), "a Japanese-only note as written: {d}");
    let ja = views_feed(Lang::Ja, None);
    let d = description(&master(&ja, "standing-reauth-blackout.daily@mado"));
    assert!(d.contains("\n- API方式: (再与信はエラーとなる)\n"), "{d}");
    for ics in [en, ja, unfolded(Lang::En, None), unfolded(Lang::Ja, None)] {
        for e in events(&ics) {
            for line in description(&e).lines() {
                assert!(!(line.starts_with("- ") && line.trim_end().ends_with(':')), "empty effect line `{line}` in {:?}", e.get_uid());
            }
        }
    }
}

/// `PT2H30M` as a duration (the subset the feed writes).
fn ical_duration(text: &str) -> chrono::Duration {
    let mut secs = 0;
    let mut n = 0;
    for c in text.trim_start_matches("PT").chars() {
        match c {
            '0'..='9' => n = n * 10 + i64::from(c.to_digit(10).unwrap_or(0)),
            'H' => (secs, n) = (secs + n * 3600, 0),
            'M' => (secs, n) = (secs + n * 60, 0),
            'S' => (secs, n) = (secs + n, 0),
            _ => panic!("unexpected duration {text}"),
        }
    }
    chrono::Duration::seconds(secs)
}

#[test]
fn the_nights_of_a_changed_rule_in_the_feed_are_the_evaluators() {
    use chrono::NaiveDateTime;
    let tz = mado::time::DEFAULT_ZONE;
    let local = |v: &str| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").expect("local date-time");
    let instant = |v: &str| mado::time::local_to_instant(tz, local(v));
    let (from, to) = (common_at("2025-06-01"), common_at("2025-08-01"));
    let ics = views_feed(Lang::En, Some("webcollect.reauth"));
    let unfolded = ics.replace("\r\n ", "");
    let mut nights: Vec<(mado::time::Instant, mado::time::Instant)> = Vec::new();
    let mut rule_nights: Vec<(String, mado::time::Instant, mado::time::Instant)> = Vec::new();
    let mut overridden: Vec<(String, mado::time::Instant)> = Vec::new();
    for block in unfolded.split("BEGIN:VEVENT\r\n").skip(1) {
        let get = |name: &str| block.split("\r\n").find_map(|l| l.strip_prefix(name)).map(|l| l.rsplit(':').next().unwrap_or(""));
        let uid = get("UID:").expect("uid").to_string();
        if let Some(rid) = get("RECURRENCE-ID") {
            overridden.push((uid, instant(rid)));
            nights.push((instant(get("DTSTART").expect("start")), instant(get("DTEND").expect("end"))));
            continue;
        }
        let rule = block.split("\r\n").find_map(|l| l.strip_prefix("RRULE:")).expect("a rule");
        let rule = mado::rrule::Rule::parse(rule, local(get("DTSTART").expect("start")), tz).expect("the feed's rule parses");
        let length = ical_duration(get("DURATION:").expect("duration"));
        let exdates: Vec<_> = block.split("\r\n").filter_map(|l| l.strip_prefix("EXDATE;TZID=Asia/Tokyo:")).map(instant).collect();
        for s in rule.starts_between(from - length, to, 1000) {
            if !exdates.contains(&s) {
                rule_nights.push((uid.clone(), s, s + length));
            }
        }
    }
    // A RECURRENCE-ID replaces the night of its UID's rule that starts then.
    nights.extend(rule_nights.into_iter().filter(|(uid, s, _)| !overridden.contains(&(uid.clone(), *s))).map(|(_, s, e)| (s, e)));
    nights.retain(|(s, e)| *e > from && *s < to);
    nights.sort();
    let list =
        views().windows(&mado::WindowsQuery::new(from, to).function("webcollect.reauth").as_of(common_at("2025-08-25"))).expect("windows");
    let expected: Vec<_> = list.windows.iter().map(|w| (mado::time::Instant::from(w.start), mado::time::Instant::from(w.end))).collect();
    assert_eq!(nights, expected);
    assert!(expected.len() > 50);
}

fn common_at(s: &str) -> mado::time::Instant {
    mado::time::parse_instant(s, mado::time::DEFAULT_ZONE, mado::time::now()).expect("instant")
}

/// The embedded catalogue with fixtures of `tests/data/format/`: `available` is a window over
/// all of `atobarai` whose notice states `atobarai.au_kantan` stays available;
/// `available-postponed` postpones it with no new date.
fn stated_available(names: &[&str]) -> mado::Schedule {
    let mut files: Vec<mado::SourceFile> =
        mado::embedded_sources().into_iter().filter(|f| f.name.ends_with(mado::CATALOGUE_FILE)).collect();
    for n in names {
        let name = format!("tests/data/format/{n}.toml");
        files.push(mado::SourceFile { text: std::fs::read_to_string(&name).unwrap_or_else(|e| panic!("{name}: {e}")), name });
    }
    mado::Schedule::from_sources(files).unwrap_or_else(|e| panic!("{names:?}: {e}"))
}

#[test]
fn a_function_stated_available_is_not_in_its_feed() {
    for names in [&["available"][..], &["available", "available-postponed"][..]] {
        let s = stated_available(names);
        let uids = |f: &str| -> Vec<String> {
            events(&feed(&s, &opts(Some(f), Lang::En)).expect("feed")).iter().filter_map(|e| e.get_uid().map(str::to_string)).collect()
        };
        // The evaluator agrees: available during the window.
        let au =
            s.check(&mado::Query::new("atobarai.au_kantan", common_at("2030-02-01 03:00")).as_of(common_at("2030-01-10"))).expect("check");
        assert_eq!(au.status, mado::Status::Available);
        assert!(uids("atobarai.au_kantan").is_empty(), "{names:?}: the notice says au かんたん決済 stays available");
        for f in ["atobarai", "atobarai.bank_transfer"] {
            assert_eq!(uids(f), ["fx-available.w@mado"], "{names:?}: {f}");
        }
    }
}
