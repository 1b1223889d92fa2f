//! Holding under abuse (issue #8): every reproducer of a panic or of unbounded work is a
//! fixture or a case here, and must end in a clear error or a quick answer, never a panic,
//! a hang or a 500. Also: the connection limits of the real server, and `--watch` under
//! continuous writes. (Broken pipes: `tests/cli.rs`.)
mod common;

use axum::http::StatusCode;
use mado::server::{router, AppState, Config};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RANGE: &str = "is outside the supported range; expected an instant from 1900-01-01T00:00:00Z to 9999-12-31T23:59:59Z (years 1900 to 9999), e.g. `2023-11-13T02:00+09:00`";

/// (fixture in tests/data/abuse, its one diagnostic)
fn cases() -> Vec<(&'static str, String)> {
    vec![
        ("daily-interval-overflow", "9:9: rule `FREQ=DAILY;INTERVAL=1000;COUNT=100000` stops occurring before COUNT=100000: it has 2914 occurrences up to 9999-12-31, the end of the supported range".into()),
        ("weekly-interval-overflow", "9:9: rule `FREQ=WEEKLY;INTERVAL=1000;COUNT=100000` stops occurring before COUNT=100000: it has 417 occurrences up to 9999-12-31, the end of the supported range".into()),
        ("weekly-far-start", format!("10:9: `+262142-12-31 18:00` {RANGE}")),
        ("far-start-24h", format!("9:9: `+262142-12-31 24:00` {RANGE}")),
        ("far-delay", "9:8: `+262142-12-31` is outside the supported range; expected a date from 1900-01-01 to 9999-12-31, e.g. `2023-11-13`".into()),
        ("far-end-time", format!("9:9: `+262142-12-31 23:00` {RANGE}")),
        ("far-exact-end-before-start", format!("9:9: `+262142-12-31T20:00Z` {RANGE}")),
        ("far-exact-window", format!("9:9: `+262142-12-31T20:00Z` {RANGE}")),
        ("last-night-crosses-range-end", format!("10:7: `+10000-01-01 01:00` {RANGE}")),
        ("before-1900", format!("9:9: `1899-12-31 23:00` {RANGE}")),
        ("until-too-far", "9:9: rule `FREQ=DAILY;UNTIL=99991231`: UNTIL is more than 100 years after DTSTART 2024-01-01; expected an UNTIL within 100 years, or no UNTIL for a rule with no end".into()),
        ("too-many-occurrences", "20:1: recurring windows with an end expand to more than 200000 occurrences in all (rule `FREQ=DAILY;COUNT=100000` adds 100000); expected fewer: lower COUNT or UNTIL, or give no end to a rule that goes on".into()),
    ]
}

#[test]
fn each_abuse_fixture_is_rejected_with_its_message() {
    for (name, want) in cases() {
        let err = common::with_fixture(&format!("abuse/{name}.toml")).expect_err(name);
        let got: Vec<String> = err.diagnostics().iter().map(|d| d.to_string()).collect();
        assert_eq!(got, vec![format!("tests/data/abuse/{name}.toml:{want}")], "fixture {name}");
    }
    let mut files: Vec<String> = std::fs::read_dir("tests/data/abuse")
        .expect("fixture folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().trim_end_matches(".toml").to_string())
        .collect();
    files.sort();
    let mut names: Vec<String> = cases().iter().map(|(n, _)| n.to_string()).collect();
    names.sort();
    assert_eq!(files, names, "every fixture has a case");
}

fn mado(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mado")).args(args).env_remove("MADO_SCHEDULES").output().expect("run mado");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn cli_reproducers_end_in_a_clear_error_not_a_panic() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "webcollect.reauth", "--at", "2024-01-01", "--for", "3650d"],
            "lookahead `3650d` is longer than the maximum lookahead of 31d",
        ),
        (
            &["check", "webcollect.reauth", "--at", "2024-01-01", "--for", "99999d"],
            "`99999d` is longer than 3650d, the longest duration mado accepts",
        ),
        (&["check", "atobarai", "--at", "+262142-12-31T00:00:00Z"], "`+262142-12-31T00:00:00Z` is outside the supported range"),
        (&["check", "webcollect", "--as-of", "1899-12-31"], "`1899-12-31` is outside the supported range"),
        (&["windows", "--from", "+262142-12-31T00:00:00Z"], "is outside the supported range"),
        (&["windows", "--from=-262143-01-01T00:00:00Z"], "is outside the supported range"),
        (&["windows", "--limit", "0"], "`0` is not a limit; expected a whole number from 1 to 10000, e.g. `1000`"),
        (&["windows", "--limit", "200000"], "`200000` is not a limit; expected a whole number from 1 to 10000, e.g. `1000`"),
    ];
    for (args, want) in cases {
        let (code, _, err) = mado(args);
        assert_eq!(code, 2, "mado {args:?}: {err}");
        assert!(err.contains(want) && !err.contains("panicked"), "mado {args:?}: {err}");
    }
}

#[test]
fn the_longest_lookahead_on_a_daily_rule_answers() {
    // Walking the daily blackout's occurrences one by one took minutes for `--for 3650d`;
    // the chain is now crossed along the rule, so the ceiling answers at once.
    let (code, out, err) = mado(&["check", "webcollect.reauth", "--at", "2024-01-01", "--for", "31d", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["until"], serde_json::Value::Null, "the blackout recurs every day with no end");
    assert_eq!(v["windows"].as_array().map(Vec::len), Some(32), "one window a night in [at, at + 31d)");
}

#[test]
fn a_window_at_the_end_of_the_range_loads_and_answers_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy("schedules/functions.toml", dir.path().join("functions.toml")).expect("catalogue");
    let notice = "id = \"n\"\npublished = \"2024-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nstart = \"9999-12-31T20:00Z\"\nend = \"9999-12-31T22:00Z\"\n[[window]]\nid = \"r\"\nfunctions = [\"atobarai\"]\nrrule = \"FREQ=DAILY\"\nstart = \"9999-12-30 23:00\"\nduration = \"2h\"\n";
    std::fs::write(dir.path().join("n.toml"), notice).expect("write");
    let d = dir.path().to_str().expect("path");
    for (args, code) in [
        (vec!["validate", "--schedules", d], 0),
        (vec!["check", "webcollect", "--at", "9999-12-31T21:00Z", "--schedules", d], 1),
        (vec!["check", "webcollect", "--at", "9999-12-31T21:00Z", "--for", "31d", "--schedules", d, "--format", "json"], 1),
        (vec!["check", "atobarai", "--at", "9999-12-31T14:30Z", "--for", "31d", "--schedules", d], 1),
        // The rule's last occurrence is 9999-12-31 23:00 (14:00Z); none after the range.
        (vec!["check", "atobarai", "--at", "9999-12-31T23:59:59Z", "--for", "31d", "--schedules", d], 0),
        (vec!["windows", "--from", "9999-12-01", "--schedules", d, "--as-of", "2025-01-01"], 0),
        (vec!["calendar", "--schedules", d], 0),
    ] {
        let (got, _, err) = mado(&args);
        assert_eq!(got, code, "mado {args:?}: {err}");
    }
}

async fn get(app: &mado::server::App, uri: &str) -> (StatusCode, serde_json::Value) {
    let (status, _, body) = common::request(app, uri, &[]).await;
    (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn http_reproducers_are_400_naming_the_parameter() {
    let app = router(AppState::new(Config::default()).expect("embedded"));
    for (uri, parameter, want) in [
        ("/v1/availability?function=atobarai&at=%2B262142-12-31T00:00:00Z&for=3650d", "at", "is outside the supported range"),
        ("/v1/availability?function=atobarai&at=2024-01-01&for=3650d", "for", "maximum lookahead of 31d"),
        ("/v1/availability?function=atobarai&at=2024-01-01&for=32d", "for", "maximum lookahead of 31d"),
        ("/v1/availability?function=atobarai&as_of=9999-12-31%2024:00", "as_of", "is outside the supported range"),
        ("/v1/windows?from=%2B262142-12-31T00:00:00Z", "from", "is outside the supported range"),
        ("/v1/windows?from=-262143-01-01T00:00:00Z", "from", "is outside the supported range"),
        ("/v1/windows?to=%2B262142-12-31T00:00:00Z", "to", "is outside the supported range"),
        ("/v1/windows?limit=100000", "limit", "expected a whole number from 1 to 10000"),
    ] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["parameter"], parameter, "{uri}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| d.contains(want)), "{uri}: {body}");
    }
    // The edges of the range answer.
    for uri in [
        "/v1/availability?function=webcollect.reauth&at=9999-12-31T23:59:59Z&for=31d",
        "/v1/availability?function=webcollect.reauth&at=1900-01-01T00:00:00Z&as_of=1900-01-01T00:00:00Z&for=31d",
        "/v1/windows?from=1900-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&limit=10000",
        "/v1/windows?from=9999-12-31T00:00:00Z",
    ] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
}

#[test]
fn cli_and_http_share_the_windows_limit_policy() {
    let (_, _, cli_err) = mado(&["windows", "--limit", "10001", "--format", "json"]);
    let cli: serde_json::Value = serde_json::from_str(&cli_err).expect("json error");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (_, http) = rt.block_on(async {
        let app = router(AppState::new(Config::default()).expect("embedded"));
        get(&app, "/v1/windows?limit=10001").await
    });
    assert_eq!(cli["error"], http["detail"], "one message for one limit");
    let (code, out, _) =
        mado(&["windows", "--from", "1900-01-01", "--to", "9999-12-31", "--limit", "10000", "--format", "json", "--as-of", "2025-01-01"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!((list["windows"].as_array().map(Vec::len), list["truncated"].as_bool()), (Some(10_000), Some(true)));
}

#[tokio::test]
async fn watch_reloads_within_a_second_under_continuous_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy("schedules/functions.toml", dir.path().join("functions.toml")).expect("catalogue");
    let notice = |n: u32| {
        format!("id = \"n\"\npublished = \"2020-01-01\"\ntitle = \"t{n}\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nstart = \"2030-01-01 02:00\"\nend = \"03:00\"\n")
    };
    std::fs::write(dir.path().join("n.toml"), notice(0)).expect("write");
    let st = AppState::new(Config { schedules: Some(dir.path().into()), ..Config::default() }).expect("loads");
    let _watcher = mado::server::watch(st.clone(), mado::server::DEBOUNCE).expect("watch");
    // A write every 50 ms, far more often than the debounce: the old debounce never fired.
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(3) {
        n += 1;
        std::fs::write(dir.path().join("n.toml"), notice(n)).expect("write");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(st.current().generation >= 2, "no reload in 3 s of continuous writes");
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `mado serve` on an ephemeral port: the port it reports when it is ready to accept.
fn serve(extra: &[&str]) -> (Server, u16) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env_remove("MADO_SCHEDULES")
        .env("MADO_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let port = loop {
        let line = lines.next().expect("the server logs that it is serving").expect("utf-8 log");
        if let Some(rest) = line.split("mado serving addr=").nth(1) {
            let addr = rest.split_whitespace().next().unwrap_or("");
            break addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).expect("a port");
        }
    };
    // Keep reading the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Server(child), port)
}

/// Whether the server closed `s` (EOF, or reset) within `within`.
fn closed(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).expect("timeout");
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => return false,
            Err(_) => return true,
        }
    }
}

#[test]
fn a_client_that_stops_reading_is_closed_after_the_timeout() {
    let (_server, port) = serve(&["--header-timeout", "1"]);
    let mut c = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    // Pipelined requests for big lists, never read: far more than the socket buffers hold.
    let request = "GET /v1/windows?from=2019-01-01&to=2027-12-31&limit=10000 HTTP/1.1\r\nHost: x\r\n\r\n";
    c.write_all(request.repeat(16).as_bytes()).expect("write");
    std::thread::sleep(Duration::from_secs(4));
    c.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let (mut got, mut buf) = (0usize, vec![0u8; 1 << 16]);
    let ended = loop {
        match c.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => got += n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => break false,
            Err(_) => break true,
        }
    };
    // Each list is about 3.6 MB (docs/limits.md); all sixteen would be over 50 MB.
    assert!(ended, "a connection whose client stopped reading is still open after {got} bytes");
    assert!(got < 16 * 3_000_000, "all {got} bytes were written: the stall never happened");
}

#[test]
fn slow_heads_are_closed_extra_connections_get_503_and_shutdown_has_a_deadline() {
    let (server, port) =
        serve(&["--header-timeout", "1", "--max-connections", "3", "--max-connections-per-client", "4", "--shutdown-grace", "1"]);
    // A client that sends half a request head and stalls is closed after the header timeout.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHo").expect("write");
    assert!(closed(&mut slow, Duration::from_secs(5)), "a stalled request head is closed");
    // So is an idle keep-alive connection after its answer.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
    assert!(closed(&mut idle, Duration::from_secs(5)), "an idle keep-alive connection is closed");
    // Three stalled connections fill the server; a fourth is served, in the place of the one
    // that waited longest (a slow client cannot hold every slot).
    let mut held: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            s.write_all(b"GET /healthz HTTP/1.1\r\n").expect("write");
            std::thread::sleep(Duration::from_millis(20));
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    extra.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
    let mut answer = String::new();
    let _ = extra.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(closed(&mut held[0], Duration::from_secs(2)), "the connection that waited longest made room");
    held.clear();
    drop(server);
    // SIGTERM with a stalled connection open (and a header timeout longer than the test):
    // it gets the grace period, then is dropped.
    let (mut server, port) = serve(&["--header-timeout", "600", "--shutdown-grace", "1"]);
    let mut stalled = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stalled.write_all(b"GET /healthz HTTP/1.1\r\nHo").expect("write");
    std::thread::sleep(Duration::from_millis(200));
    assert!(Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status().expect("kill").success());
    let started = Instant::now();
    loop {
        if let Some(status) = server.0.try_wait().expect("wait") {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(8), "shutdown waited past its deadline");
        std::thread::sleep(Duration::from_millis(50));
    }
}
