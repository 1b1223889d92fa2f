//! `mado import` of Statuspage JSON: fixtures of our own making in each shape Atlassian's
//! documentation shows (scheduled, in progress, completed early, an incident with updates, a
//! maintenance without `scheduled_until`), imported into a second provider and checked
//! answer by answer with `mado check`, as of instants between the updates.
#![cfg(feature = "cli")]
use std::path::{Path, PathBuf};
use std::process::Command;

const MADO: &str = env!("CARGO_BIN_EXE_mado");

/// A schedules directory: the seed catalogue plus a provider `acme` with two functions.
fn schedules(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mado-import-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("notices")).expect("temp dir");
    let seed = std::fs::read_to_string("schedules/functions.toml").expect("catalogue");
    let acme = "\n[[provider]]\nid = \"acme\"\nja = \"エイクミー\"\nen = \"Acme Pay\"\nchannels = [\"api\"]\n\n\
                [[function]]\nid = \"acme\"\nja = \"エイクミー（全て）\"\nen = \"Acme Pay (all)\"\nprovider = \"acme\"\n\n\
                [[function]]\nid = \"acme.wallet\"\nja = \"ウォレット\"\nen = \"wallet\"\n\n\
                [[function]]\nid = \"acme.card\"\nja = \"カード決済\"\nen = \"card payments\"\n";
    std::fs::write(dir.join("functions.toml"), seed + acme).expect("write catalogue");
    dir
}

fn import(dir: &Path, fixture: &str, extra: &[&str]) -> std::process::Output {
    Command::new(MADO)
        .args(["import", &format!("tests/statuspage/fixtures/{fixture}"), "--prefix", "acme", "--out"])
        .arg(dir)
        .arg("--schedules")
        .arg(dir)
        .args(extra)
        .env_remove("MADO_SCHEDULES")
        .output()
        .expect("run mado import")
}

/// `(status, until)` of `mado check`.
fn check(dir: &Path, function: &str, at: &str, as_of: &str) -> (String, Option<String>) {
    let out = Command::new(MADO)
        .args(["check", function, "--at", at, "--as-of", as_of, "--format", "json", "--schedules"])
        .arg(dir)
        .env_remove("MADO_SCHEDULES")
        .output()
        .expect("run mado check");
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (v["status"].as_str().expect("status").to_string(), v["until"].as_str().map(str::to_string))
}

#[test]
fn each_shape_answers_as_its_updates_said_at_each_as_of() {
    let dir = schedules("shapes");
    let out = import(&dir, "scheduled-maintenances.json", &["--map", "cmpwallet=acme.wallet", "--map", "Card payments=acme.card"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = import(&dir, "incidents.json", &["--map", "cmpcard=acme.card"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // (function, at, as of, status, until)
    let u = Some;
    let table: &[(&str, &str, &str, &str, Option<&str>)] = &[
        // Scheduled: [01:00, 03:00) on 10 September, known from 1 September 10:00.
        ("acme.wallet", "2025-09-10T00:59:59+09:00", "2025-09-09", "available", u("2025-09-10T01:00:00+09:00")),
        ("acme.wallet", "2025-09-10T01:00:00+09:00", "2025-09-09", "unavailable", u("2025-09-10T03:00:00+09:00")),
        ("acme.wallet", "2025-09-10T03:00:00+09:00", "2025-09-09", "available", u("2025-09-20T00:00:00+09:00")),
        ("acme.wallet", "2025-09-10T01:30:00+09:00", "2025-09-01T09:59:59+09:00", "available", None),
        // In progress: known from 20 August; the start update (10:00:05.123) adds nothing to the times.
        ("acme.card", "2025-08-25T11:00:00+09:00", "2025-08-19", "available", None),
        ("acme.card", "2025-08-25T11:00:00+09:00", "2025-08-25T10:00:00+09:00", "unavailable", u("2025-08-25T12:00:00+09:00")),
        ("acme.card", "2025-08-25T11:00:00+09:00", "2025-08-25T10:00:06+09:00", "unavailable", u("2025-08-25T12:00:00+09:00")),
        // Completed early: scheduled to 05:00, ended 02:30 (said at 02:30:10).
        ("acme.wallet", "2025-08-01T03:00:00+09:00", "2025-08-01T02:30:09+09:00", "unavailable", u("2025-08-01T05:00:00+09:00")),
        ("acme.wallet", "2025-08-01T03:00:00+09:00", "2025-08-01T02:30:10+09:00", "available", None),
        ("acme.wallet", "2025-08-01T02:29:59+09:00", "2025-08-02", "unavailable", u("2025-08-01T02:30:00+09:00")),
        ("acme.wallet", "2025-08-01T02:30:00+09:00", "2025-08-02", "available", None),
        // Incident: began 14:05, reported 14:20, resolved 16:40 (said 16:45).
        ("acme.card", "2025-08-15T14:30:00+09:00", "2025-08-15T14:19:59+09:00", "available", None),
        ("acme.card", "2025-08-15T14:30:00+09:00", "2025-08-15T14:20:00+09:00", "unavailable", None),
        ("acme.card", "2025-08-15T17:00:00+09:00", "2025-08-15T16:44:59+09:00", "unavailable", None),
        ("acme.card", "2025-08-15T17:00:00+09:00", "2025-08-15T16:45:00+09:00", "available", None),
        ("acme.card", "2025-08-15T14:04:59+09:00", "2025-08-16", "available", u("2025-08-15T14:05:00+09:00")),
        ("acme.card", "2025-08-15T16:39:59+09:00", "2025-08-16", "unavailable", u("2025-08-15T16:40:00+09:00")),
        // No scheduled_until: unavailable from the start, no end.
        ("acme.wallet", "2025-09-21T00:00:00+09:00", "2025-09-10", "unavailable", None),
        ("acme.wallet", "2025-09-19T23:59:59+09:00", "2025-09-10", "available", u("2025-09-20T00:00:00+09:00")),
        // A window naming acme.wallet does not make acme unavailable (it lists it as affected until 03:00).
        ("acme", "2025-09-10T01:30:00+09:00", "2025-09-09", "available", u("2025-09-10T03:00:00+09:00")),
        // Yamato's functions are untouched.
        ("webcollect.credit_card", "2025-08-15T14:30:00+09:00", "2025-08-16", "available", None),
    ];
    let mut failures = Vec::new();
    for (f, at, as_of, status, until) in table {
        let got = check(&dir, f, at, as_of);
        let want = (status.to_string(), until.map(str::to_string));
        if got != want {
            failures.push(format!("{f} at {at} as of {as_of}: got {got:?}, want {want:?}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_items_are_errors_naming_the_source_and_the_item_and_nothing_is_written() {
    let dir = schedules("bad");
    let out = import(&dir, "bad-completed-without-end.json", &["--function", "acme.wallet"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("maintenance `mntbad` (Mystery work)"), "{err}");
    assert!(err.contains("neither `resolved_at` nor `scheduled_until`"), "{err}");
    let out = import(&dir, "incidents.json", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("incident `inc1` (Card payments failing)")
            && err.contains("none of its components (cmpcard, Card payments) is mapped"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.join("notices")).expect("dir").count(), 0, "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}
