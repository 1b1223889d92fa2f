//! The fuzzer shared by `cargo run --release --example fuzz` (long runs) and `tests/fuzz.rs`
//! (a bounded run in `cargo test`). It mutates the seed schedules (values swapped for edge
//! cases, bytes flipped, tables added) and HTTP query strings, runs every interface on them
//! (loader, check, windows, text and JSON views, the iCalendar feed, the router), and counts
//! panics (a 500 from the router is a caught panic) and inputs slower than the hang limit.
//! Deterministic from its seed, so a failure replays.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use mado::server::{router, AppState, Config};
use mado::{time, Query, Schedule, SourceFile, WindowsQuery};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// SplitMix64: small, fast, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const INSTANTS: &[&str] = &[
    "+262142-12-31 24:00",
    "+262142-12-31 23:00",
    "+262142-12-31T20:00Z",
    "-262143-01-01T00:00:00Z",
    "9999-12-31 24:00",
    "9999-12-31 23:59",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-14:00",
    "10000-01-01T00:00Z",
    "1900-01-01 00:00",
    "1900-01-01T00:00:00+14:00",
    "1899-12-31T23:59:59Z",
    "0000-01-01 00:00",
    "2024-02-29 24:00",
    "2023-02-29 10:00",
    "2024-03-10 02:30",
    "2024-11-03 01:30",
    "2023-11-13 02:00",
    "2023-11-13T02:00+09:00",
    "2023-11-12T17:00Z",
    "2030-01-01 00:00",
    "2024-01-01",
    "now",
    "",
    "24:00",
    "T",
    "2024-01-01T25:61Z",
];
const TIMES: &[&str] = &["00:00", "24:00", "23:59:59", "01:00", "25:00", "24:01", "-1:00", "99:99", "12:30"];
const DATES: &[&str] = &["+262142-12-31", "9999-12-31", "1900-01-01", "1899-12-31", "2024-02-29", "2023-02-29", "2024-01-01", "0-0-0"];
const RULES: &[&str] = &[
    "FREQ=DAILY;INTERVAL=1000;COUNT=100000",
    "FREQ=WEEKLY;INTERVAL=1000;COUNT=100000",
    "FREQ=WEEKLY",
    "FREQ=DAILY",
    "FREQ=DAILY;UNTIL=99991231",
    "FREQ=DAILY;UNTIL=21231231",
    "FREQ=DAILY;COUNT=100000",
    "FREQ=MONTHLY;BYMONTHDAY=-31",
    "FREQ=MONTHLY;BYMONTHDAY=31;INTERVAL=12",
    "FREQ=MONTHLY;BYDAY=5FR",
    "FREQ=MONTHLY;BYDAY=-1SU;INTERVAL=7",
    "FREQ=DAILY;BYMONTHDAY=29;INTERVAL=7",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;INTERVAL=3",
    "FREQ=DAILY;UNTIL=20240101T000000Z",
    "FREQ=DAILY;UNTIL=+2621421231",
    "FREQ=DAILY;COUNT=4294967296",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=YEARLY",
    "RRULE:FREQ=DAILY;;",
];
const DURATIONS: &[&str] =
    &["0s", "1s", "23h", "24h", "25h", "1d", "31d", "32d", "3650d", "3651d", "99999999999999999999d", "1h30m", "h", "-1h"];
const ZONES: &[&str] =
    &["Asia/Tokyo", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "Europe/London", "Asia/Tokio", ""];
const LIMITS: &[&str] = &["0", "1", "10000", "10001", "100000", "18446744073709551616", "-1", "x"];
const FUNCTIONS: &[&str] = &["webcollect", "webcollect.credit_card", "webcollect.reauth", "atobarai", "nope", ""];
const CHANNELS: &[&str] = &["api", "link", "mail", "token_embedded", "token_modal", "fax"];

/// A value for a schedule field, as TOML.
fn field_value(r: &mut Rng, key: &str) -> String {
    let v: String = match key {
        "start" | "end" | "published" | "known_by" => {
            let list = if r.chance(30) { TIMES } else { INSTANTS };
            r.pick(list).to_string()
        }
        "date" | "last_date" => r.pick(DATES).to_string(),
        "usual" | "expected" => r.pick(TIMES).to_string(),
        "rrule" => r.pick(RULES).to_string(),
        "duration" | "expected_duration" => r.pick(DURATIONS).to_string(),
        "zone" => r.pick(ZONES).to_string(),
        _ => r.pick(INSTANTS).to_string(),
    };
    format!("\"{v}\"")
}

const KEYS: &[&str] =
    &["start", "end", "published", "date", "last_date", "usual", "expected", "rrule", "duration", "expected_duration", "zone"];

/// A new table built from edge values.
fn new_table(r: &mut Rng, n: usize) -> String {
    let mut t = match r.below(4) {
        0 => format!(
            "\n[[window]]\nid = \"fz{n}\"\nfunctions = [\"webcollect\"]\nrrule = {}\nstart = {}\nduration = {}\n",
            field_value(r, "rrule"),
            field_value(r, "start"),
            field_value(r, "duration")
        ),
        1 => format!(
            "\n[[window]]\nid = \"fz{n}\"\nfunctions = [\"atobarai\"]\nstart = {}\nend = {}\n",
            field_value(r, "start"),
            field_value(r, "end")
        ),
        2 => format!(
            "\n[[delay]]\nid = \"fz{n}\"\njob = \"j\"\ndate = {}\nusual = {}\nexpected = {}\n",
            field_value(r, "date"),
            field_value(r, "usual"),
            field_value(r, "expected")
        ),
        _ => format!(
            "\n[[window]]\nid = \"fz{n}\"\nfunctions = [\"webcollect.reauth\"]\ndate = {}\nlast_date = {}\n",
            field_value(r, "date"),
            field_value(r, "last_date")
        ),
    };
    if r.chance(20) {
        t.push_str(&format!("zone = {}\n", field_value(r, "zone")));
    }
    t
}

/// One mutation of a notice file's text.
fn mutate(r: &mut Rng, text: &mut String, n: usize) {
    match [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 3, 3, 4, 5, 5, 6, 6, 7][r.below(21)] {
        // Swap the value of a time-like field for an edge case.
        0 => {
            let key = *r.pick(KEYS);
            let lines: Vec<&str> = text.lines().collect();
            let hits: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.starts_with(&format!("{key} ="))).map(|(i, _)| i).collect();
            if hits.is_empty() {
                return;
            }
            let at = hits[r.below(hits.len())];
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            out[at] = format!("{key} = {}", field_value(r, key));
            *text = out.join("\n");
        }
        2 => text.push_str(&new_table(r, n)),
        // Byte-level damage, kept on character boundaries.
        3 => {
            if text.is_empty() {
                return;
            }
            let mut at = r.below(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match r.below(3) {
                0 => text.insert(at, *r.pick(&['"', '[', ']', '=', '\n', '0', '9', '+', '-', ':', 'T', 'Z', '#', '\\'])),
                1 => {
                    let mut end = (at + 1 + r.below(8)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => text.truncate(at),
            }
        }
        // Duplicate a line (duplicate keys, tables).
        4 => {
            let lines: Vec<String> = text.lines().map(str::to_string).collect();
            if let Some(l) = lines.get(r.below(lines.len())) {
                text.push('\n');
                text.push_str(l);
                text.push('\n');
            }
        }
        // Revisions of every kind, including after a postponement with no date and changes
        // of a standing rule.
        6 => {
            let (notice, window) = *r.pick(&[
                ("standing-reauth-blackout", "daily"),
                ("2023-08-28-db-upgrade", "all-functions"),
                ("2021-05-14-3ds-maintenance", "3ds-expansion"),
                ("nope", "w"),
            ]);
            let action = *r.pick(&["replace", "postpone", "cancel", "end", "change", "bogus"]);
            let mut t = format!("\n[[revise]]\nnotice = \"{notice}\"\nwindow = \"{window}\"\naction = \"{action}\"\n");
            if r.chance(50) {
                t.push_str(&format!("from = {}\n", field_value(r, "start")));
            }
            if r.chance(50) {
                t.push_str(&format!("start = {}\n", field_value(r, "start")));
            }
            if r.chance(30) {
                t.push_str(&format!("end = {}\n", field_value(r, "end")));
            }
            if r.chance(30) {
                t.push_str(&format!("duration = {}\nrrule = {}\n", field_value(r, "duration"), field_value(r, "rrule")));
            }
            if r.chance(20) {
                t.push_str(&format!("kind = \"{}\"\n", r.pick(&["incident", "maintenance", "outage"])));
            }
            if r.chance(20) {
                t.push_str("inferred = [{ field = \"bogus\", reason = \"r\" }]\n");
            }
            text.push_str(&t);
        }
        // Notice-level fields: kind, url, effects with English notes, a title_en alone.
        7 => text.push_str(match r.below(5) {
            0 => "\nkind = \"incident\"\n",
            1 => "\nurl = \"javascript:alert(1)//\"\n",
            2 => "\n[effects]\napi = { note = \"n\", note_en = \"e\" }\n",
            3 => "\n[[window]]\nid = \"fz-en\"\ntitle_en = \"x\"\nfunctions = [\"webcollect\"]\nstart = \"2030-01-01 01:00\"\nend = \"unknown\"\nkind = \"incident\"\n",
            _ => "\nurl = \"https://example.com/\\u001b[2K\"\n",
        }),
        // Point a revision or occurrence change somewhere odd.
        _ => text.push_str(&format!(
            "\n[[occurrence]]\nnotice = \"standing-reauth-blackout\"\nwindow = \"daily\"\ndate = {}\naction = \"{}\"\nstart = {}\nend = {}\n",
            field_value(r, "date"),
            r.pick(&["cancel", "replace", "postpone"]),
            field_value(r, "start"),
            field_value(r, "end")
        )),
    }
}

/// A mutated copy of the seed schedules.
pub fn mutated_sources(r: &mut Rng, seeds: &[SourceFile]) -> Vec<SourceFile> {
    let mut files = seeds.to_vec();
    let notices: Vec<usize> =
        (0..files.len()).filter(|i| files[*i].name != mado::CATALOGUE_FILE && !files[*i].name.ends_with("functions.toml")).collect();
    let rounds = 1 + r.below(4);
    for n in 0..rounds {
        if r.chance(15) {
            let text =
                format!("id = \"fz-{n}\"\npublished = {}\ntitle = \"t\"\nsource = \"s\"\n{}", field_value(r, "published"), new_table(r, n));
            files.push(SourceFile { name: format!("fz-{n}.toml"), text });
        } else {
            let i = *r.pick(&notices);
            mutate(r, &mut files[i].text, n);
        }
    }
    files
}

fn instant_text(r: &mut Rng) -> String {
    if r.chance(70) {
        r.pick(INSTANTS).to_string()
    } else {
        // Random instants across and past the range, RFC 3339.
        let secs = (r.next() % 600_000_000_000) as i64 - 300_000_000_000;
        chrono::DateTime::from_timestamp(secs, 0).map_or("x".into(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

/// Percent-encodes what a query string must not hold raw.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A query string for one of the endpoints, from edge values.
pub fn http_query(r: &mut Rng) -> String {
    let mut params: Vec<(String, String)> = Vec::new();
    let path = *r.pick(&[
        "/v1/availability",
        "/v1/windows",
        "/calendar.ics",
        "/v1/functions",
        "/readyz",
        "/",
        "/timeline",
        "/notices",
        "/notices/standing-reauth-blackout",
        "/notices/%2e%2e%2f",
    ]);
    let mut add = |r: &mut Rng, k: &str, v: fn(&mut Rng) -> String, p: u64| {
        if r.chance(p) {
            let v = v(r);
            params.push((k.into(), v));
        }
    };
    match path {
        "/v1/availability" => {
            add(r, "function", |r| r.pick(FUNCTIONS).to_string(), 95);
            add(r, "at", instant_text, 80);
            add(r, "as_of", instant_text, 50);
            add(r, "for", |r| r.pick(DURATIONS).to_string(), 60);
            add(r, "channel", |r| r.pick(CHANNELS).to_string(), 20);
            add(r, "tz", |r| r.pick(ZONES).to_string(), 20);
            add(r, "lang", |r| r.pick(&["ja", "en", "fr"]).to_string(), 20);
        }
        "/v1/windows" => {
            add(r, "from", instant_text, 80);
            add(r, "to", instant_text, 60);
            add(r, "function", |r| r.pick(FUNCTIONS).to_string(), 40);
            add(r, "as_of", instant_text, 40);
            add(r, "limit", |r| r.pick(LIMITS).to_string(), 50);
            add(r, "lang", |r| r.pick(&["ja", "en", "fr"]).to_string(), 20);
            add(r, "with_children", |r| r.pick(&["true", "false", "1"]).to_string(), 20);
            add(r, "tz", |r| r.pick(ZONES).to_string(), 20);
        }
        "/timeline" => {
            add(r, "from", instant_text, 70);
            add(r, "to", instant_text, 60);
            add(r, "function", |r| r.pick(FUNCTIONS).to_string(), 30);
            add(r, "as_of", instant_text, 30);
            add(r, "lang", |r| r.pick(&["ja", "en", "fr"]).to_string(), 30);
        }
        "/" | "/notices" | "/notices/standing-reauth-blackout" => add(r, "lang", |r| r.pick(&["ja", "en", "fr"]).to_string(), 50),
        "/calendar.ics" => {
            add(r, "function", |r| r.pick(FUNCTIONS).to_string(), 50);
            add(r, "lang", |r| r.pick(&["ja", "en", "fr"]).to_string(), 50);
        }
        _ => {}
    }
    if r.chance(5) {
        params.push(("bogus".into(), "1".into()));
    }
    let mut q: String = params.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&");
    if r.chance(10) && !q.is_empty() {
        // Raw damage to the query string itself.
        let at = r.below(q.len());
        q.insert(at, *r.pick(&['%', '&', '=', '+', '#']));
    }
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// What a run found.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub inputs: u64,
    pub schedules: u64,
    pub schedules_loaded: u64,
    pub queries: u64,
    pub http: u64,
    pub panics: u64,
    pub slow: u64,
    pub slowest: Duration,
    pub failures: Vec<String>,
}

/// The input being run, for the watchdog to print when it hangs.
#[derive(Default)]
pub struct Current {
    pub input: Mutex<String>,
    pub started_ms: AtomicU64,
    pub done: AtomicBool,
}

fn run_guarded<T>(what: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(what)).map_err(|p| {
        p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "panic".into())
    })
}

fn pick_str(r: &mut Rng, items: &[&'static str]) -> &'static str {
    items[r.below(items.len())]
}

/// Library queries on a schedule: check (text and JSON), windows (text and JSON), the feed.
fn query_schedule(r: &mut Rng, s: &Schedule) {
    let zone = time::parse_zone(pick_str(r, ZONES)).unwrap_or(time::DEFAULT_ZONE);
    let now = time::now();
    let at = time::parse_instant(&instant_text(r), zone, now).unwrap_or(now);
    let as_of = time::parse_instant(&instant_text(r), zone, now).unwrap_or(now);
    let lang = if r.chance(50) { mado::Lang::Ja } else { mado::Lang::En };
    match r.below(4) {
        0 | 1 => {
            let d = time::parse_duration(pick_str(r, DURATIONS)).unwrap_or_default();
            let q = Query::new(pick_str(r, FUNCTIONS), at).as_of(as_of).lookahead(d).zone(zone).lang(lang);
            if let Ok(a) = s.check(&q) {
                let _ = mado::views::text::answer(&a, zone, lang);
                let _ = mado::views::json::to_json(&a);
            }
        }
        2 => {
            let limit = [0usize, 1, 100, 10_000, 10_001][r.below(5)];
            let to = time::parse_instant(&instant_text(r), zone, now).unwrap_or(now);
            let f = r.chance(50).then(|| r.pick(FUNCTIONS).to_string());
            let mut q = WindowsQuery::new(at, to).as_of(as_of).limit(limit).zone(zone).lang(lang).with_children(r.chance(50));
            q.function = f;
            if let Ok(l) = s.windows(&q) {
                let _ = mado::views::text::window_list(&l, zone, lang);
                let _ = mado::views::json::to_json(&l);
            }
        }
        _ => {
            let f = r.chance(50).then(|| r.pick(FUNCTIONS).to_string());
            let base_url = r.chance(30).then(|| "https://mado.example/\"<x>".to_string());
            let opts = mado::ical::FeedOptions { function: f, lang, now: at, refresh: chrono::Duration::hours(1), base_url };
            let _ = mado::ical::feed(s, &opts);
        }
    }
}

/// Runs the fuzzer until `inputs` inputs have run or `until` has passed.
pub fn run(seed: u64, inputs: u64, until: Instant, hang: Duration, current: &Current, mut progress: impl FnMut(&Tally)) -> Tally {
    let mut r = Rng::new(seed);
    let mut t = Tally::default();
    let seeds = mado::embedded_sources();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut apps: Vec<mado::server::App> = vec![router(AppState::new(Config::default()).expect("seeds load"))];
    let started = current_epoch(current);
    let check = |t: &mut Tally, label: &str, input: &str, took: Duration, result: Result<(), String>| {
        t.inputs += 1;
        t.slowest = t.slowest.max(took);
        if took > hang {
            t.slow += 1;
            t.failures.push(format!("slow ({took:?}) {label}: {input}"));
        }
        if let Err(m) = result {
            t.panics += 1;
            t.failures.push(format!("panic ({m}) {label}: {input}"));
        }
    };
    while t.inputs < inputs && Instant::now() < until {
        // One mutated schedule, then queries on it and HTTP requests.
        let files = mutated_sources(&mut r, &seeds);
        let shown: String = files
            .iter()
            .filter(|f| !seeds.iter().any(|s| s.name == f.name && s.text == f.text))
            .map(|f| format!("--- {}\n{}\n", f.name, f.text))
            .collect();
        *current.input.lock().unwrap_or_else(|p| p.into_inner()) = shown.clone();
        current.started_ms.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        let clock = Instant::now();
        let loaded = run_guarded(|| Schedule::from_sources(files.clone()));
        t.schedules += 1;
        let schedule = match loaded {
            Ok(Ok(s)) => {
                t.schedules_loaded += 1;
                check(&mut t, "load", &shown, clock.elapsed(), Ok(()));
                Some(s)
            }
            Ok(Err(e)) => {
                // Every rejection must say where and what.
                let ok = !e.diagnostics().is_empty() || matches!(e, mado::LoadError::Io { .. });
                check(&mut t, "load", &shown, clock.elapsed(), if ok { Ok(()) } else { Err(format!("an error without diagnostics: {e}")) });
                None
            }
            Err(m) => {
                check(&mut t, "load", &shown, clock.elapsed(), Err(m));
                None
            }
        };
        if let Some(s) = &schedule {
            for _ in 0..8 {
                let mut qr = Rng::new(r.next());
                let label = format!("query seed {}", qr.0);
                current.started_ms.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                let clock = Instant::now();
                let res = run_guarded(|| query_schedule(&mut qr, s));
                t.queries += 1;
                check(&mut t, &label, &shown, clock.elapsed(), res);
            }
            if t.schedules_loaded % 50 == 1 && apps.len() < 16 {
                // Serve this mutated schedule too, from a directory as `mado serve` would.
                let sub = dir.path().join(format!("s{}", apps.len()));
                let _ = std::fs::create_dir_all(sub.join("notices"));
                for f in &files {
                    let name = if f.name.ends_with("functions.toml") {
                        sub.join("functions.toml")
                    } else {
                        sub.join("notices").join(format!("f{}.toml", r.next()))
                    };
                    let _ = std::fs::write(name, &f.text);
                }
                if let Ok(st) = AppState::new(Config { schedules: Some(sub), ..Config::default() }) {
                    apps.push(router(st));
                }
            }
        }
        for _ in 0..24 {
            let uri = http_query(&mut r);
            let app = apps[r.below(apps.len())].clone();
            *current.input.lock().unwrap_or_else(|p| p.into_inner()) = uri.clone();
            current.started_ms.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
            let clock = Instant::now();
            let res = run_guarded(|| {
                rt.block_on(async {
                    let req = Request::builder().uri(uri.as_str()).body(Body::empty());
                    let Ok(req) = req else { return Ok(()) };
                    let resp = app.oneshot(req).await.map_err(|e| e.to_string())?;
                    let status = resp.status();
                    let _ = resp.into_body().collect().await;
                    if status == StatusCode::INTERNAL_SERVER_ERROR {
                        Err("HTTP 500".to_string())
                    } else {
                        Ok(())
                    }
                })
            })
            .and_then(|r| r);
            t.http += 1;
            check(&mut t, "http", &uri, clock.elapsed(), res);
        }
        progress(&t);
    }
    t.failures.truncate(50);
    t
}

/// Silences the default panic message while fuzzing (panics are counted and reported).
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// A thread that ends the process if one input runs longer than `limit`: a hang.
pub fn watchdog(current: Arc<Current>, limit: Duration, started: Instant) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(200));
        if current.done.load(Ordering::Relaxed) {
            return;
        }
        let since = (started.elapsed().as_millis() as u64).saturating_sub(current.started_ms.load(Ordering::Relaxed));
        if since > limit.as_millis() as u64 {
            let input = current.input.lock().unwrap_or_else(|p| p.into_inner()).clone();
            eprintln!("HANG: one input has run for {since} ms (limit {limit:?}):\n{input}");
            std::process::exit(3);
        }
    });
}

/// The instant `Current::started_ms` counts from, fixed at the first call.
fn current_epoch(_: &Current) -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Starts the watchdog for `current`, on the same clock as `run`.
pub fn guard(current: Arc<Current>, limit: Duration) {
    let epoch = current_epoch(&current);
    watchdog(current, limit, epoch);
}
