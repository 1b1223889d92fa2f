//! The real `mado serve` process: it listens, reloads on SIGHUP, and stops cleanly on SIGTERM.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn signal(pid: u32, sig: &str) {
    assert!(Command::new("kill").args([sig, &pid.to_string()]).status().expect("kill").success());
}

#[test]
fn sighup_reloads_and_sigterm_stops_gracefully() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy("schedules/functions.toml", dir.path().join("functions.toml")).expect("catalogue");
    let notice = |end: &str| {
        format!("id = \"n\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nstart = \"2030-01-01 02:00\"\nend = \"{end}\"\n")
    };
    std::fs::write(dir.path().join("n.toml"), notice("03:00")).expect("write");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--schedules", dir.path().to_str().expect("path")])
        .env("MADO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while http_get(port, "/healthz").is_none() {
        assert!(started.elapsed() < Duration::from_secs(20), "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let q = "/v1/availability?function=webcollect&at=2030-01-01T04:00%2B09:00&as_of=2029-01-01";
    assert!(http_get(port, q).expect("answer").contains("\"status\": \"available\""));
    std::fs::write(dir.path().join("n.toml"), notice("05:00")).expect("write");
    signal(child.id(), "-HUP");
    let started = Instant::now();
    loop {
        if http_get(port, q).is_some_and(|r| r.contains("\"status\": \"unavailable\"")) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "SIGHUP did not reload");
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(child.id(), "-TERM");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "graceful shutdown exits 0, got {status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "SIGTERM did not stop the server");
        std::thread::sleep(Duration::from_millis(50));
    }
}
