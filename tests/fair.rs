//! Fair connections: one client cannot hold every slot, idle keep-alive connections make room
//! for new ones, every refusal is counted, heads are capped, HEAD says what GET says, CONNECT
//! is 405, and SIGTERM during the first load exits 0 with a log line.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mado::server::{serve_on, AppState, Config};

/// A server on an ephemeral port, in this process, with `config`.
async fn start(config: Config) -> (std::net::SocketAddr, Arc<AppState>, tokio::sync::oneshot::Sender<()>) {
    let st = AppState::new(config).expect("embedded schedules load");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = st.clone();
    tokio::spawn(async move {
        serve_on(listener, served, async move {
            let _ = rx.await;
        })
        .await;
    });
    (addr, st, tx)
}

/// Sends `request` on a new connection (blocking, off the runtime) and reads until close.
async fn exchange(addr: std::net::SocketAddr, request: &'static [u8]) -> String {
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        s.write_all(request).expect("write");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .expect("join")
}

async fn metrics(addr: std::net::SocketAddr) -> String {
    exchange(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await
}

fn counted(metrics: &str, status: u16) -> u64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("mado_http_requests_total") && l.contains(&format!("status=\"{status}\"")))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_alive_clients_cannot_hold_every_slot_and_healthz_still_answers() {
    // Four slots; four clients each keep a connection alive between requests, as the slot
    // holders of the finding did (one valid request every 8 s).
    let (addr, _st, stop) =
        start(Config { max_connections: 4, max_connections_per_client: 100, header_timeout: Duration::from_secs(60), ..Config::default() })
            .await;
    let holders: Vec<TcpStream> = tokio::task::spawn_blocking(move || {
        (0..4)
            .map(|_| {
                let mut s = TcpStream::connect(addr).expect("connect");
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
                let mut buf = [0u8; 512];
                let n = s.read(&mut buf).expect("answer");
                assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
                std::thread::sleep(Duration::from_millis(20));
                s
            })
            .collect()
    })
    .await
    .expect("join");
    let started = Instant::now();
    let answer = exchange(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "a full server still answers /healthz: {answer:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(holders);
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_gets_its_share_and_every_refusal_is_counted() {
    let (addr, _st, stop) =
        start(Config { max_connections_per_client: 2, header_timeout: Duration::from_secs(60), ..Config::default() }).await;
    let held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).expect("connect")).collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    })
    .await
    .expect("join");
    assert!(refused.starts_with("HTTP/1.1 503") && refused.contains("\"error\":\"busy\""), "{refused:?}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let m = metrics(addr).await;
    assert!(counted(&m, 503) >= 1, "the 503 is counted:\n{m}");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_over_64_kib_is_a_counted_431_and_connect_is_405() {
    let (addr, _st, stop) = start(Config::default()).await;
    let big: &'static [u8] = Box::leak(
        format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n", "a".repeat(70 * 1024))
            .into_bytes()
            .into_boxed_slice(),
    );
    let answer = exchange(addr, big).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{}", &answer[..answer.len().min(200)]);
    let connect = exchange(addr, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").await;
    assert!(connect.starts_with("HTTP/1.1 405"), "{connect:?}");
    assert!(connect.to_ascii_lowercase().contains("allow: get, head, options"), "{connect:?}");
    let m = metrics(addr).await;
    assert!(counted(&m, 431) >= 1 && counted(&m, 405) >= 1, "{m}");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_with_gzip_says_what_get_says() {
    let (addr, _st, stop) = start(Config::default()).await;
    let head = exchange(addr, b"HEAD /calendar.ics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n").await;
    let get = exchange(addr, b"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n").await;
    let headers = |r: &str| -> Vec<String> {
        r.split("\r\n\r\n")
            .next()
            .unwrap_or("")
            .lines()
            .skip(1)
            .map(str::to_ascii_lowercase)
            // A HEAD response has no body to frame: hyper leaves out transfer-encoding (RFC 9112 §6.1 allows it).
            .filter(|l| !l.starts_with("date:") && !l.starts_with("transfer-encoding:"))
            .collect()
    };
    let (h, g) = (headers(&head), headers(&get));
    assert!(g.iter().any(|l| l == "content-encoding: gzip"), "{g:?}");
    assert_eq!(h, g, "HEAD is GET without the body");
    assert!(head.split("\r\n\r\n").nth(1).unwrap_or("").is_empty(), "no body for HEAD");
    let _ = stop.send(());
}

#[test]
fn sigterm_during_the_first_load_exits_0_with_a_log_line() {
    // A schedule large enough that loading takes a while in a debug build.
    let dir = tempfile::tempdir().expect("tempdir");
    for f in mado::synth::notices(20_000, 3) {
        let path = dir.path().join(&f.name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, f.text).expect("write");
    }
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["serve", "--addr", "127.0.0.1:0", "--schedules"])
        .arg(dir.path())
        .env("MADO_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(300));
    assert!(std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill").success());
    let out = child.wait_with_output().expect("wait");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {log}", out.status);
    assert!(log.contains("stopped while loading") || log.contains("mado stopped"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_proxy_is_not_held_to_one_clients_share() {
    // nginx in front carries every client's connections from one address.
    let links = mado::server::Links::new(None, &[], &["127.0.0.1".to_string()]).expect("links");
    let (addr, _st, stop) =
        start(Config { max_connections_per_client: 2, header_timeout: Duration::from_secs(60), links, ..Config::default() }).await;
    let held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).expect("connect")).collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = exchange(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    drop(held);
    let _ = stop.send(());
}
