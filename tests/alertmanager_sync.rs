//! `mado alertmanager sync` against a real Alertmanager (Debian's `prometheus-alertmanager`,
//! 0.25 here and in CI): silences created ahead of the windows, one per window and function;
//! a moved window's silence expired and made again; a cancelled one's expired; a second run
//! with nothing changed sends nothing; `--dry-run` sends nothing.
#![cfg(feature = "cli")]
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

struct Am {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Drop for Am {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port()
}

fn start(dir: &Path) -> Am {
    std::fs::write(dir.join("am.yml"), "route:\n  receiver: none\nreceivers:\n  - name: none\n").expect("config");
    let port = free_port();
    let child = Command::new(ALERTMANAGER)
        .arg(format!("--config.file={}", dir.join("am.yml").display()))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus-alertmanager runs");
    let url = format!("http://127.0.0.1:{port}");
    let am = Am { child, url, dir: dir.to_path_buf() };
    for _ in 0..100 {
        if silences(&am.url).is_some() {
            return am;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("Alertmanager did not answer on {}", am.url);
}

/// Every silence, as Alertmanager's v2 API lists it.
fn silences(url: &str) -> Option<Vec<Value>> {
    let mut r = ureq::get(&format!("{url}/api/v2/silences")).call().ok()?;
    serde_json::from_str(&r.body_mut().read_to_string().ok()?).ok()
}

/// (function, startsAt, endsAt, window key) of the silences in `state`, sorted.
fn in_state(url: &str, state: &str) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = silences(url)
        .expect("silences")
        .into_iter()
        .filter(|s| s["status"]["state"] == state && s["createdBy"] == "mado")
        .map(|s| {
            let comment = s["comment"].as_str().unwrap_or_default();
            let key = comment.rsplit_once("[mado:").map(|(_, k)| k.trim_end_matches(']').to_string()).unwrap_or_default();
            let m = &s["matchers"][0];
            assert_eq!(m["name"], "function");
            let t = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (t(&m["value"]), t(&s["startsAt"]), t(&s["endsAt"]), key)
        })
        .collect();
    out.sort();
    out
}

fn sync(url: &str, schedules: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["alertmanager", "sync", "--url", url, "--base-url", "https://mado.example", "--now", "2030-01-01T00:00Z"])
        .arg("--schedules")
        .arg(schedules)
        .args(extra)
        .env_remove("MADO_NOW")
        .output()
        .expect("mado runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

const NOTICE: &str = r#"id = "2030-sync"
published = "2029-12-01"
title = "テスト"
source = "テスト"

[[window]]
id = "card"
functions = ["webcollect.credit_card", "webcollect.carrier"]
start = "2030-01-10 02:00"
end = "05:00"

[[window]]
id = "admin"
functions = ["webcollect.admin"]
start = "2030-01-20 01:00"
end = "02:00"

[[window]]
id = "tentative"
functions = ["webcollect.admin"]
date = "2030-01-25"
"#;

fn revision(id: &str, window: &str, action: &str, times: &str) -> String {
    format!("id = \"{id}\"\npublished = \"2029-12-15\"\ntitle = \"変更\"\nsource = \"テスト\"\n\n[[revise]]\nnotice = \"2030-sync\"\nwindow = \"{window}\"\naction = \"{action}\"\n{times}")
}

#[test]
fn silences_follow_the_schedule() {
    if !Path::new(ALERTMANAGER).exists() {
        panic!("{ALERTMANAGER} is needed (Debian package prometheus-alertmanager)");
    }
    let dir = std::env::temp_dir().join(format!("mado-am-sync-{}", std::process::id()));
    let schedules = dir.join("schedules");
    std::fs::create_dir_all(schedules.join("notices")).expect("dirs");
    let catalogue = mado::embedded_sources().into_iter().find(|f| f.name.ends_with(mado::CATALOGUE_FILE)).expect("catalogue");
    std::fs::write(schedules.join(mado::CATALOGUE_FILE), catalogue.text).expect("catalogue");
    std::fs::write(schedules.join("notices/2030-sync.toml"), NOTICE).expect("notice");
    let am = start(&dir);

    // A dry run sends nothing.
    let plan = sync(&am.url, &schedules, &["--dry-run"]);
    assert!(plan.contains("would create 2030-sync/card:webcollect.credit_card"), "{plan}");
    assert!(in_state(&am.url, "pending").is_empty());

    // One silence per window and function, before the windows; the tentative day has none.
    sync(&am.url, &schedules, &[]);
    let card = |f: &str, s: &str, e: &str| (f.to_string(), s.to_string(), e.to_string(), format!("2030-sync/card:{f}"));
    let admin = (
        "webcollect.admin".to_string(),
        "2030-01-19T16:00:00.000Z".into(),
        "2030-01-19T17:00:00.000Z".into(),
        "2030-sync/admin:webcollect.admin".into(),
    );
    let first = vec![
        admin,
        card("webcollect.carrier", "2030-01-09T17:00:00.000Z", "2030-01-09T20:00:00.000Z"),
        card("webcollect.credit_card", "2030-01-09T17:00:00.000Z", "2030-01-09T20:00:00.000Z"),
    ];
    assert_eq!(in_state(&am.url, "pending"), first);
    let comment =
        silences(&am.url).expect("silences").into_iter().find_map(|s| s["comment"].as_str().map(str::to_string)).expect("comment");
    assert!(comment.contains("2030-sync") && comment.contains("https://mado.example/notices/2030-sync"), "{comment}");

    // Nothing changed: nothing sent.
    let again = sync(&am.url, &schedules, &[]);
    assert!(again.contains("3 silences kept, 0 expired, 0 created"), "{again}");

    // Moved: expired and made again at the new times. Cancelled: expired.
    std::fs::write(
        schedules.join("notices/2030-move.toml"),
        revision("2030-move", "card", "replace", "start = \"2030-01-11 03:00\"\nend = \"04:00\"\n"),
    )
    .expect("move");
    std::fs::write(schedules.join("notices/2030-cancel.toml"), revision("2030-cancel", "admin", "cancel", "")).expect("cancel");
    sync(&am.url, &schedules, &[]);
    assert_eq!(
        in_state(&am.url, "pending"),
        vec![
            card("webcollect.carrier", "2030-01-10T18:00:00.000Z", "2030-01-10T19:00:00.000Z"),
            card("webcollect.credit_card", "2030-01-10T18:00:00.000Z", "2030-01-10T19:00:00.000Z"),
        ]
    );
    let expired: Vec<String> = in_state(&am.url, "expired").into_iter().map(|s| s.3).collect();
    assert_eq!(expired.len(), 3, "{expired:?}");
    assert!(expired.contains(&"2030-sync/admin:webcollect.admin".to_string()));
}
