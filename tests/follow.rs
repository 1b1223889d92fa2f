//! `mado serve --follow`: a loopback server serves a Statuspage fixture with an `ETag`, then
//! answers slowly, with a 500, with a truncated body and a 404, and finally disappears. The
//! followed notices are never lost (not across a restart either), and every failure shows
//! on `/readyz` and `/metrics`.
#![cfg(feature = "cli")]
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FIXTURE: &str = include_str!("statuspage/fixtures/scheduled-maintenances.json");
const OK: u8 = 0;
const SLOW: u8 = 1;
const FAIL: u8 = 2;
const TRUNCATED: u8 = 3;
const GONE: u8 = 4;

#[derive(Default)]
struct Fixture {
    mode: AtomicU8,
    not_modified: AtomicUsize,
}

async fn statuspage(axum::extract::State(f): axum::extract::State<Arc<Fixture>>, h: HeaderMap) -> axum::response::Response {
    let etag = "\"v1\"";
    match f.mode.load(Ordering::SeqCst) {
        SLOW => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            ([(header::ETAG, etag)], FIXTURE).into_response()
        }
        FAIL => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        TRUNCATED => ([(header::ETAG, "\"v2\"")], &FIXTURE[..FIXTURE.len() / 2]).into_response(),
        GONE => (StatusCode::NOT_FOUND, "no such page").into_response(),
        _ if h.get(header::IF_NONE_MATCH).is_some_and(|v| v == etag) => {
            f.not_modified.fetch_add(1, Ordering::SeqCst);
            StatusCode::NOT_MODIFIED.into_response()
        }
        _ => ([(header::ETAG, etag), (header::CACHE_CONTROL, "max-age=0")], FIXTURE).into_response(),
    }
}

/// The fixture server on its own thread and runtime; dropping the sender stops it (the port
/// then refuses connections).
fn fixture_server(f: Arc<Fixture>) -> (String, std::sync::mpsc::Sender<()>) {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            addr_tx.send(listener.local_addr().expect("addr").to_string()).expect("send addr");
            let app = axum::Router::new().route("/api/v2/scheduled-maintenances.json", axum::routing::get(statuspage)).with_state(f);
            tokio::spawn(async move { axum::serve(listener, app).await });
            let _ = tokio::task::spawn_blocking(move || rx.recv()).await;
        });
        rt.shutdown_timeout(Duration::from_millis(100));
    });
    (addr_rx.recv().expect("fixture address"), tx)
}

/// A raw server whose every answer promises more bytes than it sends (the whole fixture,
/// which alone would parse), then closes: a body cut short in transit.
fn cut_short_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut head = [0u8; 4096];
                let _ = conn.read(&mut head);
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{FIXTURE}",
                    FIXTURE.len() + 1000
                );
            });
        }
    });
    addr
}

struct Mado {
    child: std::process::Child,
    base: String,
}

impl Drop for Mado {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(schedules: &Path, follow: &Path, follow_dir: &Path) -> Mado {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["serve", "--addr", "127.0.0.1:0", "--schedules"])
        .arg(schedules)
        .arg("--follow")
        .arg(follow)
        .arg("--follow-dir")
        .arg(follow_dir)
        .env_remove("MADO_SCHEDULES")
        .env("MADO_LOG", "info")
        .env("MADO_LOG_FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn mado serve");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut addr = None;
    for line in lines.by_ref() {
        let line = line.expect("log line");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if v["fields"]["message"] == "mado serving" {
            addr = v["fields"]["addr"].as_str().map(str::to_string);
            break;
        }
    }
    // Keep draining the log so mado never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let addr = addr.expect("mado logs the address it serves on");
    Mado { child, base: format!("http://{addr}") }
}

fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(5))).build().into();
    let mut r = agent.get(url).call().expect("GET");
    (r.status().as_u16(), r.body_mut().read_to_string().expect("body"))
}

fn readyz(m: &Mado) -> serde_json::Value {
    serde_json::from_str(&get(&format!("{}/readyz", m.base)).1).expect("readyz is JSON")
}

/// The `acme` source on `/readyz`.
fn source(m: &Mado) -> serde_json::Value {
    source_named(m, "acme")
}

/// Source `id` on `/readyz`.
fn source_named(m: &Mado, id: &str) -> serde_json::Value {
    readyz(m)["sources"].as_array().expect("sources").iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("{id}")).clone()
}

fn errors_total(m: &Mado) -> u64 {
    errors_of(m, "acme")
}

/// `mado_source_errors_total` of source `id`.
fn errors_of(m: &Mado, id: &str) -> u64 {
    let (_, text) = get(&format!("{}/metrics", m.base));
    let start = format!("mado_source_errors_total{{source=\"{id}\"}}");
    let line = text.lines().find(|l| l.starts_with(&start)).unwrap_or_else(|| panic!("{text}"));
    line.rsplit(' ').next().and_then(|n| n.parse().ok()).expect("a count")
}

/// Waits (polling every 20 ms, at most 20 s) until `ok` holds.
fn until(what: &str, mut ok: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ok() {
        assert!(t.elapsed() < Duration::from_secs(20), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The wallet's status inside the fixture's scheduled window (01:00–03:00 JST on 10 September 2025).
fn wallet(m: &Mado) -> String {
    let (code, body) = get(&format!("{}/v1/availability?function=acme.wallet&at=2025-09-09T17:00:00Z", m.base));
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    v["status"].as_str().expect("status").to_string()
}

/// A schedules directory under `dir`: the seed catalogue plus provider `acme` (`acme`,
/// `acme.wallet`, `acme.card`), no notices.
fn schedules_with_acme(dir: &Path) -> std::path::PathBuf {
    let schedules = dir.join("schedules");
    std::fs::create_dir_all(schedules.join("notices")).expect("mkdir");
    let seed = std::fs::read_to_string("schedules/functions.toml").expect("catalogue");
    let acme = "\n[[provider]]\nid = \"acme\"\nja = \"エイクミー\"\nen = \"Acme Pay\"\nchannels = [\"api\"]\n\n\
                [[function]]\nid = \"acme\"\nja = \"エイクミー（全て）\"\nen = \"Acme Pay (all)\"\nprovider = \"acme\"\n\n\
                [[function]]\nid = \"acme.wallet\"\nja = \"ウォレット\"\nen = \"wallet\"\n\n\
                [[function]]\nid = \"acme.card\"\nja = \"カード決済\"\nen = \"card payments\"\n";
    std::fs::write(schedules.join("functions.toml"), seed + acme).expect("catalogue");
    schedules
}

#[test]
fn followed_notices_survive_every_failure_and_a_restart_and_each_failure_shows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schedules = schedules_with_acme(dir.path());
    let fixture = Arc::new(Fixture::default());
    let (addr, stop) = fixture_server(fixture.clone());
    let cut = cut_short_server();
    let follow = dir.path().join("follow.toml");
    std::fs::write(
        &follow,
        format!(
            "[[source]]\nid = \"acme\"\nkind = \"statuspage\"\nprovider = \"acme\"\nurl = \"http://{addr}/api/v2/scheduled-maintenances.json\"\n\
             interval = \"50ms\"\ntimeout = \"300ms\"\nmap = {{ cmpwallet = \"acme.wallet\", \"Card payments\" = \"acme.card\" }}\n\n\
             [[source]]\nid = \"bad\"\nkind = \"statuspage\"\nurl = \"http://{addr}/api/v2/scheduled-maintenances.json\"\n\
             interval = \"50ms\"\nfunction = \"acme.nope\"\n\n\
             [[source]]\nid = \"cut\"\nkind = \"statuspage\"\nurl = \"http://{cut}/api/v2/scheduled-maintenances.json\"\n\
             interval = \"50ms\"\ntimeout = \"300ms\"\nfunction = \"acme.card\"\n"
        ),
    )
    .expect("follow file");
    let copies = dir.path().join("copies");
    let mado = serve(&schedules, &follow, &copies);
    until("the followed maintenance served", || wallet(&mado) == "unavailable");
    assert!(source(&mado)["notices"].as_u64().is_some_and(|n| n > 0));
    until("a 304", || fixture.not_modified.load(Ordering::SeqCst) > 0);
    assert_eq!(errors_total(&mado), 0);
    // A source whose notices the schedule refuses (an unknown function) adds nothing, says
    // why, and leaves the schedule's own state clean.
    until("the refused source's error", || {
        let v = readyz(&mado);
        let bad = v["sources"].as_array().and_then(|l| l.iter().find(|s| s["id"] == "bad")).cloned().unwrap_or_default();
        bad["last_error"].as_str().is_some_and(|e| e.contains("do not join the schedule") && e.contains("acme.nope"))
            && bad["notices"] == 0
            && v["last_reload_ok"] == true
    });
    // A body cut short of its Content-Length is an error, though what came would parse.
    until("the cut-short source's error", || {
        let v = readyz(&mado);
        let cut = v["sources"].as_array().and_then(|l| l.iter().find(|s| s["id"] == "cut")).cloned().unwrap_or_default();
        cut["last_error"].as_str().is_some_and(|e| e.contains("reading the body")) && cut["notices"] == 0
    });
    let notices = source(&mado)["notices"].clone();

    // (mode, what /readyz's last_error says)
    let table: &[(u8, &str)] = &[(SLOW, "timeout"), (FAIL, "answered 500"), (TRUNCATED, "is not Statuspage JSON"), (GONE, "answered 404")];
    for &(mode, says) in table {
        let before = errors_total(&mado);
        fixture.mode.store(mode, Ordering::SeqCst);
        until(says, || source(&mado)["last_error"].as_str().is_some_and(|e| e.to_lowercase().contains(&says.to_lowercase())));
        assert!(errors_total(&mado) > before, "{says}: counted on /metrics");
        assert_eq!(wallet(&mado), "unavailable", "{says}: the last good copy keeps serving");
        assert_eq!(source(&mado)["notices"], notices, "{says}");
        fixture.mode.store(OK, Ordering::SeqCst);
        until("a success again", || {
            let s = source(&mado);
            s["last_success"].as_str() >= s["last_error_at"].as_str()
        });
    }
    let s = source(&mado);
    assert!(s["age_seconds"].as_i64().is_some(), "{s}");

    // The source disappears, and mado restarts: the copy on disk serves from the first load.
    drop(stop);
    drop(mado);
    let mado = serve(&schedules, &follow, &copies);
    assert_eq!(wallet(&mado), "unavailable", "the kept copy serves right after a restart");
    until("the vanished source's error", || source(&mado)["last_error"].as_str().is_some());
    assert!(errors_total(&mado) > 0);
    assert_eq!(source(&mado)["notices"], notices);
}

/// A file source (`path`, relative to the follow file): read when its size or modification
/// time changes. An edit is taken; a broken (half-written) file and a removed one are
/// errors on `/readyz` and `/metrics` that keep the last good copy serving, across a restart
/// too; the file put back is taken again.
#[test]
fn a_followed_file_is_taken_when_edited_and_kept_when_broken_or_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schedules = schedules_with_acme(dir.path());
    std::fs::create_dir_all(dir.path().join("feeds")).expect("mkdir");
    let file = dir.path().join("feeds").join("acme.json");
    std::fs::write(&file, FIXTURE).expect("fixture file");
    let follow = dir.path().join("follow.toml");
    std::fs::write(
        &follow,
        "[[source]]\nid = \"acme-file\"\nkind = \"statuspage\"\nprovider = \"acme\"\npath = \"feeds/acme.json\"\n\
         interval = \"50ms\"\nmap = { cmpwallet = \"acme.wallet\", \"Card payments\" = \"acme.card\" }\n",
    )
    .expect("follow file");
    let copies = dir.path().join("copies");
    let mado = serve(&schedules, &follow, &copies);
    let src = || source_named(&mado, "acme-file");
    until("the file's maintenance served", || wallet(&mado) == "unavailable");
    let s = src();
    assert_eq!(s["path"], "feeds/acme.json", "{s}");
    assert_eq!(s["url"], serde_json::Value::Null, "{s}");
    assert_eq!(s["kind"], "statuspage", "{s}");
    assert_eq!(s["last_error"], serde_json::Value::Null, "{s}");
    let notices = s["notices"].clone();

    // Unchanged, it is read again only when size or time change: successes, no error.
    let first = src()["last_success"].clone();
    until("another success on an unchanged file", || src()["last_success"] != first || first.is_null());
    assert_eq!(errors_of(&mado, "acme-file"), 0);

    // Edited: the wallet's window moves from 01:00–03:00 to 05:00–07:00 (JST) on 10 September.
    let edited = FIXTURE
        .replace("\"scheduled_for\": \"2025-09-10T01:00:00.000+09:00\"", "\"scheduled_for\": \"2025-09-10T05:00:00.000+09:00\"")
        .replace("\"scheduled_until\": \"2025-09-10T03:00:00.000+09:00\"", "\"scheduled_until\": \"2025-09-10T07:00:00.000+09:00\"");
    assert_ne!(edited, FIXTURE);
    std::fs::write(&file, &edited).expect("edit");
    until("the edit taken", || wallet(&mado) == "available");

    // Broken (half written): an error; the edited copy keeps serving.
    std::fs::write(&file, &edited[..edited.len() / 2]).expect("break");
    until("the broken file's error", || {
        src()["last_error"].as_str().is_some_and(|e| e.contains("is not Statuspage JSON") && e.contains("acme.json"))
    });
    assert!(errors_of(&mado, "acme-file") > 0);
    assert_eq!(wallet(&mado), "available", "the last good copy serves");
    assert_eq!(src()["notices"], notices);

    // Removed: an error naming the file; the copy keeps serving.
    std::fs::remove_file(&file).expect("remove");
    until("the removed file's error", || {
        src()["last_error"].as_str().is_some_and(|e| e.contains("cannot read") && e.contains("acme.json"))
    });
    let before = errors_of(&mado, "acme-file");
    until("each poll of a missing file counted", || errors_of(&mado, "acme-file") > before);
    assert_eq!(wallet(&mado), "available");

    // A restart while the file is missing: the copy on disk serves from the first load.
    drop(mado);
    let mado = serve(&schedules, &follow, &copies);
    let src = || source_named(&mado, "acme-file");
    assert_eq!(wallet(&mado), "available", "the kept copy serves right after a restart");
    assert_eq!(src()["notices"], notices);
    until("the missing file's error after the restart", || src()["last_error"].as_str().is_some_and(|e| e.contains("cannot read")));

    // Put back as first written: taken again.
    std::fs::write(&file, FIXTURE).expect("restore");
    until("the restored file taken", || wallet(&mado) == "unavailable");
    until("a success after the error", || {
        let s = src();
        s["last_success"].as_str() >= s["last_error_at"].as_str()
    });
}
