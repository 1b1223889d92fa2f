//! Hostile or unlucky text, and links from whoever asks (issue #17): control characters in a
//! schedule never reach a terminal, a file, a log or a calendar raw; absolute links come from
//! configuration, not from a request's `Host` or `X-Forwarded-*`; pages forbid scripts and
//! framing; the access log; `--addr` with a host name.
use axum::http::{header, HeaderMap, StatusCode};
use mado::server::{router, AccessLog, AppState, Config, Links, Peer};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A notice whose title, English title and source carry escape sequences: a line erase and
/// cursor-up that would redraw the summary line as "available", OSC 52 (a clipboard write),
/// BEL, NUL, a C1 CSI and DEL; and a revision whose note has line breaks that would start
/// lines of their own.
const EVIL: [(&str, &str); 2] = [
    (
        "evil.toml",
        r#"id = "evil"
published = "2020-01-01"
title = "定例\u001b[2K\r\u0007メンテナンス"
title_en = "\r\u001b[2K\u001b[1Aavailable (no maintenance window covers this time)\u0000\u001b]52;c;ZXZpbA==\u0007"
source = "s\u009b31m\u007f"

[[window]]
id = "w"
functions = ["webcollect"]
start = "2030-01-01 01:00"
end = "05:00"
"#,
    ),
    (
        "evil-2.toml",
        r#"id = "evil-2"
published = "2020-02-01"
title = "t"
source = "s\u009b31m\u007f"

[[revise]]
notice = "evil"
window = "w"
action = "replace"
start = "2030-01-01 02:00"
end = "05:00"
note = "moved\navailable (forged line)\u001b[31m"
note_en = "moved\navailable (forged line)\u001b[31m\u0000"
"#,
    ),
];

/// A schedules directory: the catalogue and notice files.
fn schedules(notices: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy("schedules/functions.toml", dir.path().join("functions.toml")).expect("catalogue");
    std::fs::create_dir(dir.path().join("notices")).expect("notices");
    for (name, text) in notices {
        std::fs::write(dir.path().join("notices").join(name), text).expect("notice");
    }
    dir
}

fn mado(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(args)
        .arg("--schedules")
        .arg(dir)
        .env("LANG", "C")
        .env_remove("MADO_SCHEDULES")
        .output()
        .expect("run mado");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).expect("utf-8"), String::from_utf8(out.stderr).expect("utf-8"))
}

/// The control characters in `text` other than the line breaks (C0, DEL, C1).
fn raw_controls(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_control() && *c != '\n').collect()
}

#[test]
fn check_shows_control_characters_instead_of_obeying_them() {
    let dir = schedules(&EVIL);
    for lang in ["en", "ja"] {
        let (code, out, err) =
            mado(&["check", "webcollect", "--at", "2030-01-01 03:00", "--as-of", "2029-01-01", "--lang", lang], dir.path());
        assert_eq!(code, 1, "unavailable: {err}");
        assert_eq!(raw_controls(&out), Vec::<char>::new(), "{out}");
        assert!(out.starts_with(if lang == "en" { "unavailable (until" } else { "利用不可" }), "{out}");
        assert!(
            out.contains("␛[2K") && out.contains('␇') && out.contains("moved␊available (forged line)␛[31m"),
            "shown as pictures: {out}"
        );
        // Nothing a value holds starts a line of its own.
        for line in out.lines().skip(1) {
            assert!(line.starts_with("  ") || line.starts_with("answered from") || line.starts_with("回答の根拠"), "{line:?}");
        }
    }
    let (_, out, _) = mado(&["check", "webcollect", "--at", "2030-01-01 03:00", "--as-of", "2029-01-01", "--lang", "en"], dir.path());
    assert!(out.contains("␍␛[2K␛[1Aavailable (no maintenance window covers this time)␀␛]52;c;ZXZpbA==␇"), "{out}");
    assert!(out.contains("s\\u{009b}31m␡"), "C1 and DEL: {out}");
    assert!(out.contains("moved␊available (forged line)␛[31m"), "{out}");
    // JSON escapes them all, C1 included.
    let (code, out, _) =
        mado(&["check", "webcollect", "--at", "2030-01-01 03:00", "--as-of", "2029-01-01", "--lang", "en", "--format", "json"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(raw_controls(&out), Vec::<char>::new(), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
    assert_eq!(v["windows"][0]["source"], "s\u{9b}31m\u{7f}");
    // `windows` too.
    let (_, out, _) = mado(&["windows", "--from", "2029-12-31", "--to", "2030-01-02", "--as-of", "2029-01-01", "--lang", "en"], dir.path());
    assert_eq!(raw_controls(&out), Vec::<char>::new(), "{out}");
}

#[test]
fn validate_errors_show_the_bad_value_without_obeying_it() {
    let bad = "id = \"evil\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"web\\u001b[2K\\r\\u0007\\u0000collect\\nok: 9 notices, 9 indexed window occurrences\"]\nstart = \"2030-01-01 02:00\"\nend = \"05:00\"\n";
    let dir = schedules(&[("evil.toml", bad)]);
    let (code, out, err) = mado(&["validate"], dir.path());
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err}");
    assert!(err.contains("web␛[2K␍␇␀collect␊ok: 9 notices"), "{err}");
    assert!(!err.lines().any(|l| l.starts_with("ok:")), "a value started a line: {err}");
    let (_, _, err) = mado(&["validate", "--format", "json"], dir.path());
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err}");
    let v: serde_json::Value = serde_json::from_str(&err).expect("JSON error");
    assert!(v["diagnostics"][0]["message"].as_str().expect("message").contains("web\u{1b}[2K\r\u{7}\0collect"));
}

/// A feed's bytes outside its line ends: no control character may remain.
fn feed_controls(ics: &str) -> Vec<char> {
    raw_controls(&ics.replace("\r\n", "\n"))
}

#[test]
fn the_feed_drops_control_characters() {
    let dir = schedules(&EVIL);
    for lang in ["en", "ja"] {
        let (code, ics, err) = mado(&["calendar", "--lang", lang, "--base-url", "https://mado.example"], dir.path());
        assert_eq!(code, 0, "{err}");
        assert_eq!(feed_controls(&ics), Vec::<char>::new(), "{ics}");
        assert!(ics.contains("URL:https://mado.example/notices/evil?lang="), "{ics}");
    }
    let (_, ics, _) = mado(&["calendar", "--lang", "en"], dir.path());
    assert!(ics.replace("\r\n ", "").contains("[2K[1Aavailable (no maintenance window covers this time)]52\\;c\\;ZXZpbA=="), "{ics}");
}

fn config(links: Links) -> Config {
    Config { links, ..Config::default() }
}

/// One request through the router, from `peer` when given.
async fn get(cfg: Config, uri: &str, peer: Option<&str>, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let app = router(AppState::new(cfg).expect("embedded schedules load"));
    let mut req = axum::http::Request::builder().uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(axum::body::Body::empty()).expect("request");
    if let Some(p) = peer {
        req.extensions_mut().insert(Peer(p.parse().expect("peer")));
    }
    let resp = app.oneshot(req).await.expect("infallible");
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn varies_on(h: &HeaderMap, name: &str) -> bool {
    h.get_all(header::VARY).iter().any(|v| v.to_str().unwrap_or("").split(',').any(|x| x.trim().eq_ignore_ascii_case(name)))
}

#[tokio::test]
async fn pages_forbid_scripts_framing_and_referrers() {
    for uri in
        ["/?lang=en", "/timeline?from=2023-11-01&to=2023-11-20", "/notices", "/notices/2023-10-10-db-upgrade-revised", "/notices/nope"]
    {
        let (_, h, body) = get(Config::default(), uri, None, &[]).await;
        let csp = h.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("{uri}: no CSP"));
        for part in ["default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"] {
            assert!(csp.contains(part), "{uri}: {csp}");
        }
        assert!(!csp.contains("script-src"), "{uri}: the pages run no script: {csp}");
        assert!(!body.contains("<script"), "{uri}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{uri}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
    }
    let (_, h, _) = get(Config::default(), "/v1/functions", None, &[]).await;
    assert!(h[header::CONTENT_SECURITY_POLICY].to_str().expect("csp").starts_with("default-src 'none'"));
}

#[tokio::test]
async fn links_come_from_the_public_url_whatever_the_request_says() {
    let links = || Links::new(Some("https://status.example.com/"), &[], &[]).expect("good flags");
    let evil = [("host", "evil.example"), ("x-forwarded-proto", "http"), ("x-forwarded-host", "evil.example")];
    let (_, h, page) = get(config(links()), "/?lang=en", Some("127.0.0.1:5000"), &evil).await;
    assert!(page.contains("href=\"webcal://status.example.com/calendar.ics?lang=en\""), "{page}");
    assert!(page.contains("href=\"https://status.example.com/calendar.ics?function=webcollect.credit_card&amp;lang=en\""));
    assert!(!page.contains("evil.example"));
    assert!(!varies_on(&h, "host"), "the page does not depend on Host");
    let (_, _, ics) = get(config(links()), "/calendar.ics?lang=en", None, &evil).await;
    assert!(ics.contains("URL:https://status.example.com/notices/2023-08-28-db-upgrade?lang=en\r\n"), "{ics}");
    assert!(!ics.contains("evil.example"));
    for bad in ["javascript:alert(1)", "https://a.example/path", "https://user@a.example", "http://a b", "ftp://a.example"] {
        assert!(Links::new(Some(bad), &[], &[]).is_err(), "{bad}");
    }
    assert!(Links::new(None, &["a.example\r\nx: y".into()], &[]).is_err());
    assert!(Links::new(None, &[], &["10.0.0.0/33".into()]).is_err());
}

#[tokio::test]
async fn without_configuration_links_are_relative_and_the_feed_has_none() {
    let spoof = [("host", "evil.example"), ("x-forwarded-proto", "https"), ("x-forwarded-host", "evil.example")];
    let (_, _, page) = get(Config::default(), "/?lang=en", Some("127.0.0.1:5000"), &spoof).await;
    assert!(!page.contains("evil.example") && !page.contains("webcal://") && !page.contains("https://"), "{page}");
    assert!(page.contains("href=\"/calendar.ics?lang=en\""), "{page}");
    let (_, _, ics) = get(Config::default(), "/calendar.ics?lang=en", Some("127.0.0.1:5000"), &spoof).await;
    assert!(!ics.contains("\r\nURL:") && !ics.contains("evil.example"), "{ics}");
}

#[tokio::test]
async fn host_only_from_the_allow_list_and_forwarded_headers_only_from_trusted_proxies() {
    let links =
        || Links::new(None, &["status.example.com".into(), "10.0.0.5:8080".into()], &["10.0.0.0/8".into(), "::1".into()]).expect("flags");
    let page = |peer: &'static str, headers: Vec<(&'static str, &'static str)>| async move {
        let (_, h, body) = get(config(links()), "/?lang=en", Some(peer), &headers).await;
        (h, body)
    };
    // A trusted host from anyone: http, whatever X-Forwarded-Proto says.
    let (h, body) = page("192.0.2.1:4000", vec![("host", "Status.Example.com"), ("x-forwarded-proto", "https")]).await;
    assert!(body.contains("href=\"webcal://status.example.com/calendar.ics?lang=en\""), "{body}");
    assert!(body.contains("href=\"http://status.example.com/calendar.ics?lang=en\""), "{body}");
    assert!(!body.contains("https://status.example.com"), "a client's X-Forwarded-Proto counted");
    assert!(varies_on(&h, "host") && varies_on(&h, "x-forwarded-proto") && varies_on(&h, "accept-language"), "{h:?}");
    // The same from a trusted proxy: https.
    let (_, body) = page("10.1.2.3:4000", vec![("host", "status.example.com"), ("x-forwarded-proto", "https")]).await;
    assert!(body.contains("href=\"https://status.example.com/calendar.ics?lang=en\""), "{body}");
    let (_, body) = page("[::1]:4000", vec![("host", "internal"), ("x-forwarded-host", "10.0.0.5:8080")]).await;
    assert!(body.contains("href=\"webcal://10.0.0.5:8080/calendar.ics?lang=en\""), "{body}");
    // A client's X-Forwarded-Host does not count; a host off the list gets relative links,
    // even from a trusted proxy.
    let (_, body) = page("192.0.2.1:4000", vec![("host", "evil.example"), ("x-forwarded-host", "status.example.com")]).await;
    assert!(!body.contains("webcal://") && body.contains("href=\"/calendar.ics?lang=en\""), "{body}");
    let (_, body) = page("10.1.2.3:4000", vec![("host", "status.example.com"), ("x-forwarded-host", "evil.example")]).await;
    assert!(!body.contains("webcal://") && !body.contains("evil.example"), "{body}");
    // The feed alike.
    let (_, h, ics) = get(
        config(links()),
        "/calendar.ics?lang=en",
        Some("192.0.2.1:4000"),
        &[("host", "status.example.com"), ("x-forwarded-proto", "https")],
    )
    .await;
    assert!(ics.contains("URL:http://status.example.com/notices/2023-08-28-db-upgrade?lang=en\r\n"), "{ics}");
    assert!(varies_on(&h, "host"), "{h:?}");
    let (_, _, ics) = get(config(links()), "/calendar.ics?lang=en", Some("192.0.2.1:4000"), &[("host", "evil.example")]).await;
    assert!(!ics.contains("\r\nURL:"), "{ics}");
}

/// A running `mado serve`, stopped when dropped; its stderr lines come through a channel.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: std::sync::mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mado"))
            .arg("serve")
            .args(args)
            .env("MADO_LOG", "info")
            .env_remove("MADO_LOG_FORMAT")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let (tx, log) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            let mut line = String::new();
            while r.read_line(&mut line).is_ok_and(|n| n > 0) {
                let _ = tx.send(std::mem::take(&mut line));
            }
        });
        // The address it bound, from its first log line.
        let started = Instant::now();
        let addr = loop {
            let line = log.recv_timeout(Duration::from_secs(20)).expect("mado serving");
            if let Some(a) = line.split_whitespace().find_map(|w| w.strip_prefix("addr=")) {
                break a.parse().expect("a socket address");
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no address logged");
        };
        Server { child, addr, log }
    }

    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        out
    }
}

#[test]
fn addr_takes_a_host_name_and_the_access_log_has_one_json_line_per_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("access.log");
    let server = Server::start(&["--addr", "localhost:0", "--access-log", path.to_str().expect("path")]);
    assert!(server.addr.ip().is_loopback(), "{}", server.addr);
    let answers = [server.get("/healthz"), server.get("/v1/functions?x=%0a%1b"), server.get("/nope")];
    let mut lines = Vec::new();
    let started = Instant::now();
    while lines.len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(10), "{lines:?}");
        std::thread::sleep(Duration::from_millis(50));
        lines = std::fs::read_to_string(&path).unwrap_or_default().lines().map(str::to_string).collect();
    }
    assert_eq!(lines.len(), 3, "{lines:?}");
    for ((line, (path, status)), answer) in
        lines.iter().zip([("/healthz", 200), ("/v1/functions?x=%0a%1b", 400), ("/nope", 404)]).zip(&answers)
    {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(v["method"], "GET");
        assert_eq!(v["path"], path);
        assert_eq!(v["status"], status, "{line}");
        let body = answer.split_once("\r\n\r\n").expect("head and body").1;
        assert_eq!(v["bytes"], body.len(), "{line}");
        assert!(v["duration_ms"].as_f64().is_some_and(|d| d >= 0.0), "{line}");
        assert!(v["peer"].as_str().is_some_and(|p| p.parse::<SocketAddr>().is_ok_and(|p| p.ip().is_loopback())), "{line}");
        assert!(chrono::DateTime::parse_from_rfc3339(v["time"].as_str().expect("time")).is_ok(), "{line}");
    }
    // Off by default: nothing on stdout either (it is not even piped here) and no file.
    let mut log = String::new();
    while let Ok(l) = server.log.try_recv() {
        log.push_str(&l);
    }
    assert!(!log.contains("\"status\""), "{log}");
}

#[test]
fn bind_errors_name_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_mado")).args(["serve", "--addr", &addr]).env("MADO_LOG", "warn").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("cannot listen on `{addr}`")) && err.contains("in use"), "{err}");
}

#[test]
fn a_value_quoted_in_a_log_line_cannot_forge_another() {
    let dir = schedules(&[("evil.toml", "id = \"evil\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n")]);
    let dir_arg = dir.path().to_str().expect("path").to_string();
    let server = Server::start(&["--addr", "127.0.0.1:0", "--schedules", &dir_arg]);
    let forged = "2030-01-01T00:00:00.000000Z  INFO mado::server: reload ok generation=99";
    let bad = format!(
        "id = \"evil\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"x\\n{forged}\\u001b[2K\"]\nstart = \"2030-01-01 02:00\"\nend = \"05:00\"\n"
    );
    std::fs::write(dir.path().join("notices/evil.toml"), bad).expect("write");
    assert!(Command::new("kill").args(["-HUP", &server.child.id().to_string()]).status().expect("kill").success());
    let started = Instant::now();
    let mut log = String::new();
    while !log.contains("generation=99") {
        assert!(started.elapsed() < Duration::from_secs(10), "the rejected reload was not logged: {log}");
        if let Ok(l) = server.log.recv_timeout(Duration::from_millis(200)) {
            log.push_str(&l);
        }
    }
    assert!(!log.lines().any(|l| l.starts_with("2030-01-01T00:00:00")), "a forged line: {log}");
    assert_eq!(raw_controls(&log), Vec::<char>::new(), "{log}");
}

#[test]
fn access_log_opens_only_what_it_is_given() {
    assert!(AccessLog::open("/nonexistent-dir/access.log").is_err());
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["serve", "--addr", "127.0.0.1:0", "--access-log", "/nonexistent-dir/access.log"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent-dir/access.log"));
}
