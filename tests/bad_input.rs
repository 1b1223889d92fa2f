//! Each broken fixture is rejected whole, with one exact message naming file, line and column.
mod common;

const CASES: &[(&str, &str)] = &[
    ("toml-syntax", "tests/data/bad/toml-syntax.toml:3:17: not valid TOML: invalid basic string"),
    ("unknown-field", "tests/data/bad/unknown-field.toml:10:1: unknown field `finish`, expected one of `id`, `notice`, `window`, `action`, `kind`, `title`, `title_en`, `functions`, `add_functions`, `available`, `effects`, `note`, `note_en`, `advice`, `advice_en`, `inferred`, `from`, `start`, `end`, `start_approx`, `end_approx`, `date`, `last_date`, `expected_duration`, `expected_duration_approx`, `rrule`, `duration`, `zone`"),
    ("missing-field", "tests/data/bad/missing-field.toml:1:1: missing field `title`; docs/format.md lists the fields each table needs"),
    ("unknown-function", "tests/data/bad/unknown-function.toml:8:14: unknown function `webcollect.creditcard`; expected an id from the catalogue (`mado functions`), e.g. `webcollect.credit_card`"),
    ("unknown-channel", "tests/data/bad/unknown-channel.toml:7:1: unknown channel `token`; expected one of `link`, `mail`, `token_embedded`, `token_modal`, `api`"),
    ("end-before-start", "tests/data/bad/end-before-start.toml:10:7: end `2024-02-01 02:00` is not after start `2024-02-01 05:00`; a window is [start, end) and may cross midnight, e.g. `end = \"2024-02-01 06:00\"`"),
    ("unknown-zone", "tests/data/bad/unknown-zone.toml:3:8: `Asia/Tokio` is not a known time zone; expected an IANA name, e.g. `Asia/Tokyo`"),
    ("bad-rrule", "tests/data/bad/bad-rrule.toml:9:9: `FREQ=HOURLY` in rule `FREQ=HOURLY`: expected FREQ=DAILY, WEEKLY or MONTHLY"),
    ("revision-unknown-window", "tests/data/bad/revision-unknown-window.toml:8:10: [[revise]] names window `all` of notice `2023-08-28-db-upgrade`, which does not exist; its windows are `all-functions`, `reauth`, `testenv`"),
    ("duplicate-notice-id", "tests/data/bad/duplicate-notice-id.toml:1:6: duplicate notice id `2023-10-10-db-upgrade-revised`; it is already the id of schedules/notices/2023-10-10-db-upgrade-revised.toml"),
    ("duplicate-window-id", "tests/data/bad/duplicate-window-id.toml:13:6: duplicate window id `w` in notice `bad-duplicate-window-id`; window ids are unique within a notice"),
    ("nonexistent-local-time", "tests/data/bad/nonexistent-local-time.toml:10:9: `2024-03-10 02:30` does not exist in America/New_York (the clocks skip it); write a time after the change, e.g. one hour later"),
    ("unknown-published", "tests/data/bad/unknown-published.toml:2:13: `published = \"unknown\"` needs `known_by`: the latest instant the sources show the notice was public, e.g. `known_by = \"2021-06-14T01:00+09:00\"`"),
    ("cancel-begun-rule", "tests/data/bad/cancel-begun-rule.toml:6:1: window `daily` of notice `standing-reauth-blackout` is a standing rule whose occurrences began before this notice (2023-10-10 23:00); `cancel` would rewrite them in the past too; to give it new times from a date on, write `action = \"change\"` with `from` and the new `start` (and `duration`), to stop it `action = \"end\"` with `from`, e.g. `from = \"2025-03-01 00:00\"`; one night: [[occurrence]]"),
    ("unknown-inferred-field", "tests/data/bad/unknown-inferred-field.toml:11:23: `colour` is not a field mado infers; expected one of `published`, `functions`, `start`, `end`, `date`, `duration`, `title`, or `effects.<channel>` with a channel of the catalogue, e.g. `effects.api`"),
    ("occurrence-not-in-rule", "tests/data/bad/occurrence-not-in-rule.toml:9:8: `2023-10-01` is not an occurrence of `daily` (rule `FREQ=DAILY` from 2023-10-10 23:00); name the date an occurrence starts on"),
    ("replace-begun-rule", "tests/data/bad/replace-begun-rule.toml:6:1: window `daily` of notice `standing-reauth-blackout` is a standing rule whose occurrences began before this notice (2023-10-10 23:00); `replace` would rewrite them in the past too; to give it new times from a date on, write `action = \"change\"` with `from` and the new `start` (and `duration`), to stop it `action = \"end\"` with `from`, e.g. `from = \"2025-03-01 00:00\"`; one night: [[occurrence]]"),
    ("change-start-before-from", "tests/data/bad/change-start-before-from.toml:11:9: `start` `2025-03-31 22:00` is before `from` `2025-04-01 00:00`; the new times begin at or after `from`"),
    ("change-one-off", "tests/data/bad/change-one-off.toml:10:8: window `all-functions` of notice `2023-08-28-db-upgrade` is not a recurring window; `change` gives a standing rule new times from a date on, use `replace` for a one-off window"),
    ("javascript-url", "tests/data/bad/javascript-url.toml:5:7: url `javascript:alert(document.domain)//` is not an http or https address; expected the address the notice prints, e.g. `https://www.yamato-hd.co.jp/…`"),
    ("title-en-without-title", "tests/data/bad/title-en-without-title.toml:6:1: `title_en` without `title`; give the notice's own wording in `title` (and the English in `title_en`), or leave both out"),
    ("unknown-kind", "tests/data/bad/unknown-kind.toml:5:8: `outage` is not a kind; expected `maintenance` (planned, the default) or `incident` (an unplanned outage)"),
    ("end-inferred-bogus", "tests/data/bad/end-inferred-bogus.toml:11:23: `bogus` is not a field mado infers; expected one of `published`, `functions`, `start`, `end`, `date`, `duration`, `title`, or `effects.<channel>` with a channel of the catalogue, e.g. `effects.api`"),
];

#[test]
fn each_bad_fixture_gives_its_exact_message() {
    for (name, expected) in CASES {
        let err = common::with_fixture(&format!("bad/{name}.toml")).expect_err(name);
        let got: Vec<String> = err.diagnostics().iter().map(|d| d.to_string()).collect();
        assert_eq!(got, vec![expected.to_string()], "fixture {name}");
    }
}

#[test]
fn every_fixture_in_the_folder_has_a_case() {
    let mut files: Vec<String> = std::fs::read_dir("tests/data/bad")
        .expect("fixture folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().trim_end_matches(".toml").to_string())
        .collect();
    files.sort();
    let mut cases: Vec<String> = CASES.iter().map(|(n, _)| n.to_string()).collect();
    cases.sort();
    assert_eq!(files, cases);
}

#[test]
fn all_problems_of_a_schedule_are_reported_together_and_sorted() {
    let mut files = mado::embedded_sources();
    for name in ["unknown-zone", "unknown-function"] {
        let path = format!("tests/data/bad/{name}.toml");
        files.push(mado::SourceFile { text: std::fs::read_to_string(&path).expect("fixture"), name: path });
    }
    let err = mado::Schedule::from_sources(files).expect_err("two broken files");
    let files: Vec<String> = err.diagnostics().into_iter().map(|d| d.file).collect();
    assert_eq!(files, ["tests/data/bad/unknown-function.toml", "tests/data/bad/unknown-zone.toml"]);
    assert!(err.to_string().starts_with("the schedule has 2 errors\n"));
}

#[test]
fn a_missing_catalogue_is_an_error_not_a_panic() {
    let err = mado::Schedule::from_sources(vec![]).expect_err("no catalogue");
    assert_eq!(err.diagnostics()[0].message, "no `functions.toml` found; a schedules directory needs the function catalogue");
}

#[test]
fn garbage_never_panics() {
    for text in ["", "\u{0}", "[[window]]", "id = 5", "[[revise]]\nnotice=\"x\"", "id=\"a\"\npublished=\"2024-13-45\"\ntitle=\"t\"\nsource=\"s\"", "id=\"a\"\npublished=\"2024-01-01\"\ntitle=\"t\"\nsource=\"s\"\n[[window]]\nid=\"w\"\nfunctions=[]\nrrule=\"FREQ=MONTHLY;BYMONTHDAY=31;INTERVAL=12\"\nstart=\"2024-02-29 00:00\"\nduration=\"1h\""] {
        assert!(mado::Schedule::from_notice_str(text).is_err(), "{text:?} must be rejected");
    }
}

#[test]
fn a_broken_file_does_not_cascade_into_the_files_that_revise_it() {
    let err = mado::Schedule::from_dir("tests/data/cascade").expect_err("base.toml is broken");
    let got: Vec<String> = err.diagnostics().iter().map(|d| d.to_string()).collect();
    assert_eq!(got.len(), 2, "one error in the broken file, one line for its dependant: {got:#?}");
    assert!(got[0].starts_with("tests/data/cascade/base.toml:9:7: not valid TOML"), "{}", got[0]);
    assert_eq!(
        got[1],
        "tests/data/cascade/dependant.toml:8:10: skipped what this file changes in notice `broken-base`: tests/data/cascade/base.toml has errors (reported there); fix those first"
    );
}

#[test]
fn text_that_is_not_utf8_is_reported_at_its_line_and_column() {
    let err = mado::read_source(std::path::Path::new("tests/data/encoding/not-utf8.toml")).expect_err("Shift_JIS bytes");
    let got: Vec<String> = err.diagnostics().iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        ["tests/data/encoding/not-utf8.toml:3:10: byte 0x83 is not UTF-8; schedule files are UTF-8 text (save the file as UTF-8, not Shift_JIS)"]
    );
}
