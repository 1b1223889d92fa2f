//! Corrections of a notice file (`corrected = [...]`): an in-place edit of a window's times
//! raises the feed's SEQUENCE and moves DTSTAMP/LAST-MODIFIED once the correction is public;
//! files without `corrected` keep their bytes; `mado diff` tells an edit that lacks one.
use chrono::{TimeZone, Utc};
use mado::ical::{feed, FeedOptions, Lang};
use mado::{Schedule, SourceFile};

const FILE: &str = "2019-06-22-pci-dss-maintenance.toml";
const UID: &str = "UID:2019-06-22-pci-dss-maintenance.security-patch@mado";

fn seeds() -> Vec<SourceFile> {
    mado::embedded_sources()
}

fn original() -> SourceFile {
    seeds().into_iter().find(|f| f.name.ends_with(FILE)).expect("the seed notice")
}

/// The seed notice with the patch window moved by an hour, and `corrected` lines if given.
fn edited(corrected: Option<&str>) -> SourceFile {
    let o = original();
    let mut text = o.text.replace("start = \"2019-07-29 02:00\"", "start = \"2019-07-29 03:00\"");
    assert_ne!(text, o.text, "the fixture's window start is where the test expects it");
    if let Some(c) = corrected {
        text = text.replacen("published = \"2019-06-22\"\n", &format!("published = \"2019-06-22\"\ncorrected = {c}\n"), 1);
    }
    SourceFile { name: o.name, text }
}

fn schedule(with: SourceFile) -> Schedule {
    Schedule::from_sources(mado::replacing(seeds(), with)).unwrap_or_else(|e| panic!("{e}"))
}

fn ics(s: &Schedule, now: (i32, u32, u32)) -> String {
    let opts = FeedOptions {
        function: None,
        lang: Lang::En,
        now: Utc.with_ymd_and_hms(now.0, now.1, now.2, 0, 0, 0).unwrap().into(),
        refresh: chrono::Duration::hours(1),
        base_url: None,
    };
    feed(s, &opts).expect("feed")
}

/// The VEVENT blocks of a feed, each as its unfolded text.
fn events(ics: &str) -> Vec<String> {
    let unfolded = ics.replace("\r\n ", "");
    unfolded.split("BEGIN:VEVENT").skip(1).map(|e| e.split("END:VEVENT").next().unwrap_or_default().to_string()).collect()
}

fn field<'a>(ev: &'a str, name: &str) -> &'a str {
    ev.lines().find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':'))).unwrap_or_else(|| panic!("{name} in {ev}"))
}

fn patch_event(ics: &str) -> String {
    events(ics).into_iter().find(|e| e.contains(UID)).expect("the patch window's event")
}

#[test]
fn a_correction_raises_sequence_and_stamps_once_public() {
    // (corrected, feed's now, SEQUENCE, DTSTAMP = LAST-MODIFIED)
    type Case<'a> = (Option<&'a str>, (i32, u32, u32), &'a str, &'a str);
    let cases: &[Case] = &[
        (None, (2026, 11, 22), "0", "20190621T150000Z"),
        (Some("[\"2019-07-25 10:00\"]"), (2026, 11, 22), "1", "20190725T010000Z"),
        // Not yet public at the feed's now: nothing moves but the times.
        (Some("[\"2019-07-25 10:00\"]"), (2019, 7, 24), "0", "20190621T150000Z"),
        (Some("[\"2019-07-01T09:00+09:00\", \"2019-07-25 10:00\"]"), (2026, 11, 22), "2", "20190725T010000Z"),
        (Some("[\"2019-07-01T09:00+09:00\", \"2019-07-25 10:00\"]"), (2019, 7, 10), "1", "20190701T000000Z"),
    ];
    for (corrected, now, sequence, stamp) in cases {
        let ev = patch_event(&ics(&schedule(edited(*corrected)), *now));
        assert_eq!(field(&ev, "DTSTART;TZID=Asia/Tokyo"), "20190729T030000", "{corrected:?}: the edit is in the feed");
        assert_eq!(field(&ev, "SEQUENCE"), *sequence, "{corrected:?} at {now:?}");
        assert_eq!(field(&ev, "DTSTAMP"), *stamp, "{corrected:?} at {now:?}");
        assert_eq!(field(&ev, "LAST-MODIFIED"), *stamp, "{corrected:?} at {now:?}");
    }
}

#[test]
fn other_files_events_keep_their_bytes() {
    let now = (2026, 11, 22);
    let key = |e: &String| e.lines().filter(|l| l.starts_with("UID:") || l.starts_with("RECURRENCE-ID")).collect::<Vec<_>>().join(" ");
    let mut before = events(&ics(&Schedule::from_sources(seeds()).expect("seeds"), now));
    let mut after = events(&ics(&schedule(edited(Some("[\"2019-07-25 10:00\"]"))), now));
    before.sort_by_key(key);
    after.sort_by_key(key);
    assert_eq!(before.len(), after.len());
    let mut changed = 0;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(key(a), key(b));
        if b.contains("UID:2019-06-22-pci-dss-maintenance.") {
            // Every event of the corrected notice's windows rises, moved or not.
            assert_eq!(field(a, "SEQUENCE").parse::<u32>().unwrap(), field(b, "SEQUENCE").parse::<u32>().unwrap() + 1);
            changed += 1;
        } else {
            assert_eq!(a, b, "an event of a file that was not edited");
        }
    }
    assert_eq!(changed, 2, "the notice's two windows");
    // The same text put back gives the same events, byte for byte (the seeds' feed itself is
    // the snapshot of tests/ical.rs).
    let mut same = events(&ics(&schedule(original()), now));
    same.sort_by_key(key);
    assert_eq!(same, before);
}

#[test]
fn bad_corrections_are_refused_with_file_line_and_column() {
    let cases = [
        ("[\"2019-06-21 10:00\"]", "`2019-06-21 10:00` is before the notice was published"),
        ("[\"2019-07-25 10:00\", \"2019-07-01 10:00\"]", "`2019-07-01 10:00` is not after the one before it"),
        ("[\"2019-07-25 10:00\", \"2019-07-25 10:00\"]", "`2019-07-25 10:00` is not after the one before it"),
        ("[\"soon\"]", "`soon`"),
        ("[\"2019-07-25 25:00\"]", "`25:00` is not a time of day"),
    ];
    for (corrected, want) in cases {
        let err = Schedule::from_sources(mado::replacing(seeds(), edited(Some(corrected)))).expect_err(corrected).to_string();
        assert!(err.contains(want), "{corrected}: {err}");
        assert!(err.contains(&format!("{FILE}:5:")), "{corrected}: names file and line 5 with a column: {err}");
    }
}

#[test]
fn diff_asks_for_a_correction_when_an_edit_moves_a_window() {
    let diff = |new: SourceFile| {
        let before = Schedule::from_sources(seeds()).expect("seeds");
        let after = Schedule::from_sources(mado::replacing(seeds(), new)).expect("edited");
        mado::notice_diff(&before, &after, "2019-06-22-pci-dss-maintenance").expect("diff")
    };
    let d = diff(edited(None));
    assert_eq!(d.edited, ["2019-06-22-pci-dss-maintenance/security-patch"]);
    assert!(d.needs_correction());
    let d = diff(edited(Some("[\"2019-07-25 10:00\"]")));
    assert_eq!(d.edited, ["2019-06-22-pci-dss-maintenance/security-patch"]);
    assert!(d.correction_added && !d.needs_correction());
    let seq = |uid: &str| d.feed.iter().find(|f| f.uid == uid).map(|f| (f.sequence_before, f.sequence_after)).expect(uid);
    assert_eq!(seq("2019-06-22-pci-dss-maintenance.security-patch@mado"), (Some(0), 1), "the diff shows the feed's bump");
    assert_eq!(seq("2019-06-22-pci-dss-maintenance.late-october@mado"), (Some(1), 2));
    let d = diff(original());
    assert!(d.edited.is_empty() && !d.needs_correction(), "an unchanged file is no edit");
    // Only a note changed: no window moved, nothing to ask.
    let o = original();
    let d = diff(SourceFile { text: o.text.replacen("title_en = \"Security patch", "title_en = \"The security patch", 1), name: o.name });
    assert!(d.edited.is_empty(), "{:?}", d.edited);
}

#[cfg(feature = "cli")]
#[test]
fn mado_diff_warns_on_stderr_only_when_a_correction_is_missing() {
    let dir = std::env::temp_dir().join(format!("mado-corrections-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (corrected, warns) in [(None, true), (Some("[\"2019-07-25 10:00\"]"), false)] {
        let path = dir.join(FILE);
        std::fs::write(&path, edited(corrected).text).expect("write the edited notice");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mado")).arg("diff").arg(&path).output().expect("mado diff");
        assert!(out.status.success(), "{corrected:?}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.contains("adds no `corrected` entry"), warns, "{corrected:?}: {stderr}");
        assert_eq!(stderr.contains("2019-06-22-pci-dss-maintenance/security-patch"), warns, "{corrected:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
