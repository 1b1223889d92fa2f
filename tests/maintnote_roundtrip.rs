//! The round trip that keeps the maintnote feed honest: mado's own `?profile=maintnote`
//! feed, imported with `mado import` into a second provider (`webcollect.*` → `mwc.*`,
//! `atobarai.*` → `mat.*`, `testenv` → `mte`), answers exactly as the original, function by
//! function, at every window boundary and one second either side.
//!
//! Left out of the grid, as the feed leaves them out: the standing rule (RRULE) and the two
//! functions whose answers it shapes (`webcollect.reauth`, and `webcollect`, whose `until`
//! follows its children).
#![cfg(feature = "cli")]
use chrono::Duration;
use mado::{Query, Schedule, WindowsQuery};
use std::path::PathBuf;
use std::process::Command;

const MADO: &str = env!("CARGO_BIN_EXE_mado");
const NOW: &str = "2023-11-13T03:00:00+09:00";

fn mirror(id: &str) -> String {
    let (root, rest) = id.split_once('.').map_or((id, ""), |(r, s)| (r, s));
    let new = match root {
        "webcollect" => "mwc",
        "atobarai" => "mat",
        "testenv" => "mte",
        other => panic!("unexpected root {other}"),
    };
    if rest.is_empty() {
        new.to_string()
    } else {
        format!("{new}.{rest}")
    }
}

fn setup() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mado-roundtrip-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("notices")).expect("dir");
    for e in std::fs::read_dir("schedules/notices").expect("seeds") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join("notices").join(p.file_name().expect("name"))).expect("copy");
    }
    let seeds = Schedule::embedded().expect("seeds");
    let mut cat = std::fs::read_to_string("schedules/functions.toml").expect("catalogue");
    cat.push_str("\n[[provider]]\nid = \"mirror\"\nja = \"ミラー\"\nen = \"mirror\"\n");
    for f in seeds.catalogue().functions() {
        let m = mirror(f.id());
        let provider = if m.contains('.') { "" } else { "provider = \"mirror\"\n" };
        cat.push_str(&format!("\n[[function]]\nid = \"{m}\"\nja = \"{m}ja\"\nen = \"{m}en\"\n{provider}"));
    }
    std::fs::write(dir.join("functions.toml"), cat).expect("catalogue");
    let feed = Command::new(MADO)
        .args(["calendar", "--profile", "maintnote", "--lang", "en", "--base-url", "https://mado.example", "--schedules"])
        .arg(&dir)
        .env("MADO_NOW", NOW)
        .output()
        .expect("mado calendar");
    assert!(feed.status.success(), "{}", String::from_utf8_lossy(&feed.stderr));
    std::fs::write(dir.join("feed.ics"), &feed.stdout).expect("feed");
    let out = Command::new(MADO)
        .arg("import")
        .arg(dir.join("feed.ics"))
        .args(["--map", "webcollect=mwc", "--map", "atobarai=mat", "--map", "testenv=mte", "--prefix", "mirror", "--out"])
        .arg(&dir)
        .arg("--schedules")
        .arg(&dir)
        .env("MADO_NOW", NOW)
        .output()
        .expect("mado import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[test]
fn the_imported_maintnote_feed_answers_as_the_original() {
    let dir = setup();
    let s = Schedule::from_dir(&dir).expect("the schedule with the imported notices loads");
    let _ = std::fs::remove_dir_all(&dir);
    let as_of = common_instant("2100-01-01T00:00:00Z");
    let mut q = WindowsQuery::new(common_instant("2019-01-01T00:00:00Z"), common_instant("2027-01-01T00:00:00Z"));
    q.as_of = as_of.into();
    q.limit = 10_000;
    let list = s.windows(&q).expect("windows");
    let mut instants = Vec::new();
    let mut one_offs = 0;
    for w in list.windows.iter().filter(|w| w.rrule.is_none() && !w.notice.starts_with("mirror-")) {
        one_offs += 1;
        for t in [w.start, w.end] {
            let t = t.with_timezone(&chrono::Utc);
            instants.extend([t - Duration::seconds(1), t, t + Duration::seconds(1)]);
        }
    }
    assert!(one_offs >= 5, "the seeds have one-off windows to compare ({one_offs})");
    let functions: Vec<String> = s
        .catalogue()
        .functions()
        .iter()
        .map(|f| f.id().to_string())
        .filter(|id| ["webcollect", "atobarai", "testenv"].iter().any(|r| id == r || id.starts_with(&format!("{r}."))))
        .filter(|id| id != "webcollect" && id != "webcollect.reauth")
        .collect();
    let mut compared = 0;
    let mut failures = Vec::new();
    for f in &functions {
        for t in &instants {
            let a = s.check(&Query::new(f.as_str(), *t).as_of(as_of)).expect("original");
            let b = s.check(&Query::new(mirror(f), *t).as_of(as_of)).expect("mirror");
            compared += 1;
            if (a.status, a.until) != (b.status, b.until) {
                failures.push(format!("{f} at {t}: {:?} until {:?}; mirror {:?} until {:?}", a.status, a.until, b.status, b.until));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {compared} answers differ:\n{}", failures.len(), failures.join("\n"));
    assert!(compared > 300, "{compared}");
}

fn common_instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&chrono::Utc)
}
