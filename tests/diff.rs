//! `mado::notice_diff`: what one notice changes, as known at its publication. Checked on
//! the real revision of 2023-10-10 (against `schedules/` without it) and on small notices
//! whose every change is known, and against a brute-force scan of `Schedule::status`.

use chrono::Duration;
use mado::{notice_diff, NoticeDiff, Schedule, SourceFile, Status};
use std::path::Path;

fn base() -> Vec<SourceFile> {
    mado::read_dir_sources(Path::new("schedules")).unwrap()
}

fn without(id: &str) -> Vec<SourceFile> {
    base().into_iter().filter(|f| !f.text.lines().any(|l| l == format!("id = \"{id}\""))).collect()
}

fn diff(files: Vec<SourceFile>, name: &str, text: &str, id: &str) -> (Schedule, Schedule, NoticeDiff) {
    let before = Schedule::from_sources(files.clone()).unwrap();
    let after = Schedule::from_sources(mado::replacing(files, SourceFile { name: name.into(), text: text.into() })).unwrap();
    let d = notice_diff(&before, &after, id).unwrap();
    (before, after, d)
}

fn jst(s: &str) -> mado::time::Instant {
    mado::time::parse_instant(s, mado::time::DEFAULT_ZONE, mado::time::now()).unwrap()
}

/// The listed intervals are exactly the instants where the two schedules answer differently:
/// a brute-force scan every 15 minutes (and at each listed boundary ±1 s) over the scanned range.
fn agrees_with_a_scan(before: &Schedule, after: &Schedule, d: &NoticeDiff) {
    let as_of = mado::time::Instant::from(d.as_of);
    let (from, to) = (mado::time::Instant::from(d.scanned.0), mado::time::Instant::from(d.scanned.1));
    let mut instants: Vec<mado::time::Instant> = Vec::new();
    let mut t = from;
    while t < to {
        instants.push(t);
        t += Duration::minutes(15);
    }
    for f in &d.functions {
        for i in &f.intervals {
            for b in [Some(mado::time::Instant::from(i.from)), i.to.map(mado::time::Instant::from)].into_iter().flatten() {
                instants.extend([b - Duration::seconds(1), b, b + Duration::seconds(1)]);
            }
        }
    }
    for f in after.catalogue().functions() {
        let listed = d.functions.iter().find(|x| x.function == f.id());
        for &t in instants.iter().filter(|t| **t >= from && **t < to) {
            let (b, a) = (before.status(f.id(), t, as_of).unwrap_or(Status::Available), after.status(f.id(), t, as_of).unwrap());
            let hit = listed.and_then(|l| {
                l.intervals.iter().find(|i| mado::time::Instant::from(i.from) <= t && i.to.is_none_or(|e| t < mado::time::Instant::from(e)))
            });
            match hit {
                Some(i) => assert_eq!((i.before, i.after), (b, a), "{} at {t}", f.id()),
                None => assert_eq!(b, a, "{} at {t}: {b} -> {a} is not listed", f.id()),
            }
        }
    }
}

#[test]
fn the_2023_revision_moves_the_upgrade_and_keeps_reauth_usual() {
    let id = "2023-10-10-db-upgrade-revised";
    let text = std::fs::read_to_string(format!("schedules/notices/{id}.toml")).unwrap();
    let (before, after, d) = diff(without(id), &format!("schedules/notices/{id}.toml"), &text, id);
    assert_eq!(mado::time::Instant::from(d.as_of), jst("2023-10-10"));
    let cc = d.functions.iter().find(|f| f.function == "webcollect.credit_card").unwrap();
    let shown: Vec<(String, Option<String>, Status, Status)> =
        cc.intervals.iter().map(|i| (i.from.to_rfc3339(), i.to.map(|t| t.to_rfc3339()), i.before, i.after)).collect();
    // The upgrade was 01:00–05:30 and is now 02:00–05:30: 01:00–02:00 becomes available; the
    // vendor's data-centre move makes 2024-04-22 tentative.
    assert_eq!(
        shown,
        [
            (
                "2023-11-13T01:00:00+09:00".to_string(),
                Some("2023-11-13T02:00:00+09:00".to_string()),
                Status::Unavailable,
                Status::Available
            ),
            ("2024-04-22T00:00:00+09:00".to_string(), Some("2024-04-23T00:00:00+09:00".to_string()), Status::Available, Status::Tentative),
        ]
    );
    assert_eq!(cc.intervals[0].window.as_deref(), Some("2023-08-28-db-upgrade/all-functions"));
    // Re-authorisation: down 23:00–07:00 before; after, the usual blackout ends about 01:30,
    // and the upgrade 02:00–05:30 still covers it through `webcollect`.
    let reauth = d.functions.iter().find(|f| f.function == "webcollect.reauth").unwrap();
    let ra: Vec<(String, String)> =
        reauth.intervals.iter().map(|i| (i.from.format("%H:%M").to_string(), i.to.unwrap().format("%H:%M").to_string())).collect();
    assert_eq!(ra, [("01:30".to_string(), "02:00".to_string()), ("05:30".to_string(), "07:00".to_string())]);
    // Windows: two moved, one cancelled, one added, one night of the standing rule moved.
    let ws: Vec<(&str, &str)> = d.windows.iter().map(|w| (w.change, w.uid.as_str())).collect();
    for expected in [
        ("moved", "2023-08-28-db-upgrade/all-functions"),
        ("moved", "2023-08-28-db-upgrade/testenv"),
        ("cancelled", "2023-08-28-db-upgrade/reauth"),
        ("added", "2023-10-10-db-upgrade-revised/card-vendor-dc-move"),
        ("occurrence-moved", "standing-reauth-blackout/daily"),
    ] {
        assert!(ws.contains(&expected), "{expected:?} not in {ws:?}");
    }
    // Feed: the revised events' SEQUENCE goes 0 -> 1; the new one is new.
    let seq =
        |uid: &str| d.feed.iter().find(|e| e.uid == uid && e.recurrence.is_none()).map(|e| (e.sequence_before, e.sequence_after, e.status));
    assert_eq!(seq("2023-08-28-db-upgrade.all-functions@mado"), Some((Some(0), 1, "CONFIRMED")));
    assert_eq!(seq("2023-08-28-db-upgrade.reauth@mado"), Some((Some(0), 1, "CANCELLED")));
    assert_eq!(seq("2023-10-10-db-upgrade-revised.card-vendor-dc-move@mado"), Some((None, 0, "TENTATIVE")));
    assert!(d
        .feed
        .iter()
        .any(|e| e.uid == "standing-reauth-blackout.daily@mado" && e.recurrence.map(|r| r.to_string()) == Some("2023-11-12".into())));
    agrees_with_a_scan(&before, &after, &d);
}

const NEW: &str = r#"
id = "2030-01-10-new"
published = "2030-01-10"
title = "t"
source = "s"

[[window]]
id = "w"
functions = ["atobarai"]
available = ["atobarai.bank_transfer"]
start = "2030-02-01 01:00"
end = "03:00"
"#;

#[test]
fn a_new_window_is_listed_per_function_with_its_window() {
    let (before, after, d) = diff(base(), "new.toml", NEW, "2030-01-10-new");
    let fs: Vec<&str> = d.functions.iter().map(|f| f.function.as_str()).collect();
    assert_eq!(fs, ["atobarai", "atobarai.credit_card", "atobarai.convenience_store", "atobarai.au_kantan", "atobarai.kuroneko_pay"]);
    for f in &d.functions {
        assert_eq!(f.intervals.len(), 1);
        let i = &f.intervals[0];
        assert_eq!(
            (mado::time::Instant::from(i.from), i.to.map(mado::time::Instant::from)),
            (jst("2030-02-01 01:00"), Some(jst("2030-02-01 03:00")))
        );
        assert_eq!((i.before, i.after), (Status::Available, Status::Unavailable));
        assert_eq!(i.window.as_deref(), Some("2030-01-10-new/w"));
        assert_eq!(i.decided_by.as_deref(), Some("2030-01-10-new"));
    }
    assert_eq!(d.windows.len(), 1);
    assert_eq!((d.windows[0].change, d.windows[0].before.as_deref()), ("added", None));
    assert_eq!(d.feed.len(), 1);
    assert_eq!((d.feed[0].sequence_before, d.feed[0].sequence_after), (None, 0));
    agrees_with_a_scan(&before, &after, &d);
}

#[test]
fn postponing_with_no_date_and_an_open_end() {
    let mut files = base();
    files.push(SourceFile { name: "new.toml".into(), text: NEW.into() });
    let postpone = r#"
id = "2030-01-20-postpone"
published = "2030-01-20 12:00"
title = "t"
source = "s"

[[revise]]
notice = "2030-01-10-new"
window = "w"
action = "postpone"
"#;
    let (before, after, d) = diff(files.clone(), "p.toml", postpone, "2030-01-20-postpone");
    assert_eq!(mado::time::Instant::from(d.as_of), jst("2030-01-20 12:00"));
    assert!(d.functions.iter().all(|f| f.intervals.iter().all(|i| i.before == Status::Unavailable && i.after == Status::Available)));
    assert_eq!(d.windows[0].change, "postponed");
    assert_eq!(d.windows[0].after, None);
    assert_eq!(d.feed[0].status, "CANCELLED");
    agrees_with_a_scan(&before, &after, &d);

    let incident = r#"
id = "2030-03-01-incident"
published = "2030-03-01 10:00"
title = "障害"
source = "s"
kind = "incident"

[[window]]
id = "i"
functions = ["webcollect.admin"]
start = "2030-03-01 09:00"
end = "unknown"
"#;
    let (_, _, d) = diff(files, "i.toml", incident, "2030-03-01-incident");
    let admin = &d.functions.iter().find(|f| f.function == "webcollect.admin").unwrap().intervals;
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0].to, None, "an unknown end is no end: {admin:?}");
}

#[test]
fn an_unknown_notice_is_an_error() {
    let s = Schedule::from_sources(base()).unwrap();
    let e = notice_diff(&s, &s, "nope").unwrap_err();
    assert!(e.to_string().contains("`nope`"));
}

/// `docs/format.md`'s review step diffs the file after copying it under `schedules/`: the
/// file itself is not part of "before", so the diff is the notice's, not an empty one.
#[test]
fn a_notice_already_under_the_schedules_is_diffed_against_the_schedules_without_it() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["diff", "schedules/notices/2021-postponement-to-08-09.toml", "--schedules", "schedules", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let card = d["functions"].as_array().expect("functions").iter().find(|f| f["function"] == "webcollect.credit_card").expect("card");
    let firsts: Vec<(&str, &str)> = card["intervals"]
        .as_array()
        .expect("intervals")
        .iter()
        .map(|i| (i["before"].as_str().unwrap(), i["after"].as_str().unwrap()))
        .collect();
    assert_eq!(firsts, [("unavailable", "available"), ("available", "unavailable")], "{d}");
}
