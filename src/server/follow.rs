//! `mado serve --follow FILE`: other providers' published maintenance, polled and served.
//!
//! Each `[[source]]` of the follow file is a URL of a known kind (`statuspage`, `ical`)
//! polled on its own interval with conditional requests (`If-None-Match` from its `ETag`,
//! `If-Modified-Since` from its `Last-Modified`; a `Cache-Control: max-age` longer than the
//! interval is waited out), or a file (`path`) read on its interval when its size or
//! modification time changed. A body that converts into notices is the source's new **last
//! good copy**: written to `--follow-dir` (so a restart loses nothing) and fed into the
//! served schedule through the ordinary reload. A failed request, a 5xx or a 404, a timeout,
//! a body over the size cap, a malformed or truncated body, or notices that do not validate
//! never replace it: the error is kept per source and shown on `/readyz` and `/metrics`.
//!
//! The conversion itself (the same code as `mado import`) is given by the caller.

use super::AppState;
use crate::format::source::SourceFile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use toml::Spanned;

/// The largest body read from a source; a larger one is an error.
pub const MAX_BODY: u64 = 8 * 1024 * 1024;

/// What a source publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = SourceKind)]
pub enum Kind {
    /// Atlassian Statuspage v2 JSON (`scheduled-maintenances.json`, `incidents.json`, …).
    Statuspage,
    /// An RFC 5545 feed, maintnote properties read when present.
    Ical,
}

/// One followed source, as the follow file gives it.
#[derive(Debug, Clone)]
pub struct FollowSource {
    /// Lower-case letters, digits, `-`, `_`: the prefix of its notices' ids and its file names.
    pub id: String,
    /// What it publishes.
    pub kind: Kind,
    /// `http://` or `https://`; empty for a file source.
    pub url: String,
    /// A file source: the file read, as the follow file gives it (what `/readyz` and errors
    /// show); `None` for a URL.
    pub path: Option<PathBuf>,
    /// What a relative `path` is relative to: the follow file's directory ([`read_sources`]),
    /// else the working directory.
    pub base: PathBuf,
    /// How often it is polled (at least as long as its `Cache-Control: max-age`).
    pub interval: Duration,
    /// Connect and read timeout of one request.
    pub timeout: Duration,
    /// Component id or name (or maintnote object id) → function id.
    pub map: BTreeMap<String, String>,
    /// The function for items none of whose components is mapped.
    pub function: Option<String>,
    /// The catalogue provider it speaks for (shown on `/readyz`).
    pub provider: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    kind: Kind,
    url: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    interval: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    #[serde(default)]
    map: BTreeMap<String, String>,
    function: Option<String>,
    provider: Option<String>,
}

/// `5m`, `30s`, `1h`, `250ms`.
pub fn parse_interval(v: &str) -> Option<Duration> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = v[..split].parse().ok()?;
    let d = match &v[split..] {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3600)?),
        _ => return None,
    };
    (!d.is_zero()).then_some(d)
}

/// Reads a follow file.
///
/// # Errors
/// The first problem, as `FILE:LINE:COLUMN: message` quoting the bad value.
pub fn read_sources(path: &Path) -> Result<Vec<FollowSource>, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read the follow file ({e})"))?;
    let mut sources = parse_sources(&name, &text)?;
    for s in &mut sources {
        s.base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    }
    Ok(sources)
}

impl FollowSource {
    /// Where it is read from: its URL, or its file's path.
    pub fn location(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => self.url.clone(),
        }
    }
}

/// Parses the text of a follow file; `name` names it in errors.
///
/// # Errors
/// As [`read_sources`].
pub fn parse_sources(name: &str, text: &str) -> Result<Vec<FollowSource>, String> {
    let at = |offset: usize, message: String| {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{name}:{line}:{column}: {message}")
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| at(e.span().map_or(0, |s| s.start), e.message().to_string()))?;
    let mut out: Vec<FollowSource> = Vec::new();
    for s in raw.source {
        let id = s.id.get_ref();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') {
            return Err(at(
                s.id.span().start,
                format!("source id `{id}` is not lower-case letters, digits, `-` or `_`; expected e.g. `acme-status`"),
            ));
        }
        if out.iter().any(|o| &o.id == id) {
            return Err(at(s.id.span().start, format!("source id `{id}` is given twice")));
        }
        let (url, path) = match (&s.url, &s.path) {
            (Some(url), None) => {
                let u = url.get_ref();
                if !(u.starts_with("http://") || u.starts_with("https://")) {
                    return Err(at(
                        url.span().start,
                        format!("url `{u}` is not http(s); expected e.g. `https://status.acme.example/api/v2/scheduled-maintenances.json`"),
                    ));
                }
                (u.clone(), None)
            }
            (None, Some(path)) => {
                if path.get_ref().trim().is_empty() {
                    return Err(at(path.span().start, "path `` is empty; expected a file, e.g. `acme/scheduled-maintenances.json`".into()));
                }
                (String::new(), Some(PathBuf::from(path.get_ref())))
            }
            (Some(_), Some(path)) => {
                return Err(at(path.span().start, format!("source `{id}` gives both `url` and `path`; give one")));
            }
            (None, None) => {
                return Err(at(
                    s.id.span().start,
                    format!("source `{id}` has neither `url` nor `path`; give where it is read from, e.g. `url = \"https://…\"` or `path = \"acme.json\"`"),
                ));
            }
        };
        let dur = |v: &Option<Spanned<String>>, default: Duration, what: &str| match v {
            None => Ok(default),
            Some(v) => parse_interval(v.get_ref())
                .ok_or_else(|| at(v.span().start, format!("{what} `{}` is not a duration; expected e.g. `5m`, `30s`, `1h`", v.get_ref()))),
        };
        let interval = dur(&s.interval, Duration::from_secs(300), "interval")?;
        let timeout = dur(&s.timeout, Duration::from_secs(10), "timeout")?;
        if s.map.is_empty() && s.function.is_none() {
            return Err(at(s.id.span().start, format!("source `{id}` has neither `map` nor `function`: its items map to no function")));
        }
        out.push(FollowSource {
            id: id.clone(),
            kind: s.kind,
            url,
            path,
            base: PathBuf::new(),
            interval,
            timeout,
            map: s.map,
            function: s.function,
            provider: s.provider,
        });
    }
    Ok(out)
}

/// Turns a body of a source into notice files `(file name, TOML)`; the error names the item.
pub type Convert = Arc<dyn Fn(&FollowSource, &str) -> Result<Vec<(String, String)>, String> + Send + Sync>;

/// The last good copy of a source, as kept on disk.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Copy {
    etag: Option<String>,
    last_modified: Option<String>,
    /// When it was fetched (Unix seconds).
    fetched: i64,
}

/// One followed source on `/readyz` (with `--follow`): where it is read from and how its
/// polls went. Every field is always present; `null` when not (yet) known.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct SourceReadiness {
    /// The source's id (its notices' id prefix).
    pub id: String,
    /// What it publishes: `statuspage` or `ical`.
    pub kind: Kind,
    /// Its URL; `null` for a file source.
    #[schema(required = true)]
    pub url: Option<String>,
    /// A file source: the file, as the follow file gives it; `null` for a URL.
    #[schema(required = true)]
    pub path: Option<String>,
    /// The catalogue provider it speaks for, as the follow file gives it.
    #[schema(required = true)]
    pub provider: Option<String>,
    /// How many notices its last good copy contributes to the schedule serving.
    pub notices: usize,
    /// The last poll that succeeded (a `200` taken or a `304`; a file read and taken, or
    /// found unchanged), RFC 3339; `null` before the first.
    #[schema(required = true)]
    pub last_success: Option<String>,
    /// The last failure: a request, a status, a body or file that does not convert, or
    /// notices the schedule refuses; it may be older than `last_success`.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// When that failure was, RFC 3339.
    #[schema(required = true)]
    pub last_error_at: Option<String>,
    /// Failed polls since the start.
    pub errors: u64,
    /// When the copy serving was fetched (or read), RFC 3339; `null` without a copy.
    #[schema(required = true)]
    pub copy_fetched: Option<String>,
    /// Seconds since `copy_fetched`.
    #[schema(required = true)]
    pub age_seconds: Option<i64>,
}

/// What is known of one source.
#[derive(Debug, Default)]
struct Status {
    notices: Vec<SourceFile>,
    copy: Option<Copy>,
    /// The last time the source answered with a good body or `304` (Unix seconds).
    last_success: Option<i64>,
    last_error: Option<String>,
    last_error_at: Option<i64>,
    errors: u64,
    /// The last body the schedule refused (its hash) and why: the same body again is refused
    /// without another reload.
    refused: Option<(u64, String)>,
    /// A file source: the size and modification time of the file last taken.
    file_seen: Option<(u64, std::time::SystemTime)>,
}

/// The followed sources: their configuration, where their copies live, how they convert,
/// and what is known of each. Cheap to clone.
#[derive(Clone)]
pub struct Follow {
    sources: Arc<Vec<FollowSource>>,
    dir: PathBuf,
    convert: Convert,
    state: Arc<Mutex<BTreeMap<String, Status>>>,
    /// One source's new notices are tried (swapped in, reloaded, maybe rolled back) at a
    /// time, so that one source's refused notices never fail another's reload.
    taking: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Follow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follow").field("sources", &self.sources).field("dir", &self.dir).finish_non_exhaustive()
    }
}

pub(crate) fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Follow {
    /// The sources, with the last good copies found in `dir` read back (one that no longer
    /// converts is left out and its error shown).
    ///
    /// # Errors
    /// When `dir` cannot be made.
    pub fn new(sources: Vec<FollowSource>, dir: PathBuf, convert: Convert) -> Result<Follow, String> {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make the follow directory {} ({e})", dir.display()))?;
        let f = Follow { sources: Arc::new(sources), dir, convert, state: Arc::default(), taking: Arc::default() };
        for s in f.sources.iter() {
            let mut st = Status::default();
            let body = std::fs::read_to_string(f.body_path(&s.id));
            let copy = std::fs::read_to_string(f.meta_path(&s.id)).ok().and_then(|m| serde_json::from_str::<Copy>(&m).ok());
            if let (Ok(body), Some(copy)) = (body, copy) {
                match f.notices(s, &body) {
                    Ok(n) => {
                        st.notices = n;
                        st.copy = Some(copy);
                    }
                    Err(e) => {
                        st.last_error = Some(format!("the copy kept in {} no longer converts: {e}", f.dir.display()));
                        st.last_error_at = Some(unix_now());
                        st.errors = 1;
                    }
                }
            }
            f.lock().insert(s.id.clone(), st);
        }
        Ok(f)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Status>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn body_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.body"))
    }

    fn meta_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.meta.json"))
    }

    /// Every followed source's notices, for the reload.
    pub fn files(&self) -> Vec<SourceFile> {
        self.lock().values().flat_map(|s| s.notices.iter().cloned()).collect()
    }

    /// A body converted into notice files, named under the follow directory.
    fn notices(&self, s: &FollowSource, body: &str) -> Result<Vec<SourceFile>, String> {
        if s.kind == Kind::Ical && !body.trim_end().ends_with("END:VCALENDAR") {
            return Err("the calendar does not end with END:VCALENDAR (truncated?)".into());
        }
        let files = (self.convert)(s, body)?;
        if files.is_empty() && s.kind == Kind::Ical && !body.contains("BEGIN:VCALENDAR") {
            return Err("not an iCalendar feed".into());
        }
        let base = self.dir.join(&s.id).join("notices");
        Ok(files.into_iter().map(|(file, text)| SourceFile { name: base.join(file).display().to_string(), text }).collect())
    }

    fn failed(&self, id: &str, e: String) {
        tracing::warn!(source = id, "follow: {e}; keeping the last good copy");
        let mut all = self.lock();
        let st = all.entry(id.to_string()).or_default();
        st.last_error = Some(e);
        st.last_error_at = Some(unix_now());
        st.errors += 1;
    }

    fn succeeded(&self, id: &str) {
        let mut all = self.lock();
        let st = all.entry(id.to_string()).or_default();
        st.last_success = Some(unix_now());
    }

    fn file_seen(&self, id: &str) -> Option<(u64, std::time::SystemTime)> {
        self.lock().get(id).and_then(|s| s.file_seen)
    }

    fn validators(&self, id: &str) -> (Option<String>, Option<String>) {
        let all = self.lock();
        let c = all.get(id).and_then(|s| s.copy.clone()).unwrap_or_default();
        (c.etag, c.last_modified)
    }

    /// Takes a fetched body: converted, swapped in, reloaded; rolled back if the schedule
    /// refuses it. Only then written to disk as the last good copy.
    fn take(&self, st: &AppState, s: &FollowSource, got: Got) -> Result<(), String> {
        let hash = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            got.body.hash(&mut h);
            h.finish()
        };
        if let Some((_, why)) = self.lock().get(&s.id).and_then(|x| x.refused.clone()).filter(|(h, _)| *h == hash) {
            return Err(why);
        }
        let notices = self.notices(s, &got.body)?;
        let _one_at_a_time = self.taking.lock().unwrap_or_else(|p| p.into_inner());
        let copy = Copy { etag: got.etag, last_modified: got.last_modified, fetched: unix_now() };
        let seen = got.seen;
        let old = {
            let mut all = self.lock();
            let e = all.entry(s.id.clone()).or_default();
            let same = e.notices == notices;
            let old = std::mem::replace(&mut e.notices, notices);
            if same {
                None
            } else {
                Some(old)
            }
        };
        if let Some(old) = old {
            if let Err(e) = st.reload() {
                let why = format!("its notices do not join the schedule: {e}");
                {
                    let mut all = self.lock();
                    let x = all.entry(s.id.clone()).or_default();
                    x.notices = old;
                    x.refused = Some((hash, why.clone()));
                }
                // The files are those serving again: the schedule's own error clears.
                let _ = st.reload_if_changed();
                return Err(why);
            }
        }
        self.save(&s.id, &got.body, &copy)?;
        let mut all = self.lock();
        let x = all.entry(s.id.clone()).or_default();
        x.copy = Some(copy);
        x.refused = None;
        x.file_seen = seen;
        Ok(())
    }

    fn save(&self, id: &str, body: &str, copy: &Copy) -> Result<(), String> {
        let write = |path: PathBuf, data: &[u8]| {
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, data)
                .and_then(|()| std::fs::rename(&tmp, &path))
                .map_err(|e| format!("cannot keep the copy in {} ({e})", path.display()))
        };
        write(self.body_path(id), body.as_bytes())?;
        write(self.meta_path(id), serde_json::to_string(copy).unwrap_or_default().as_bytes())
    }

    /// Per source, for `/readyz`.
    pub(crate) fn readiness(&self, now: i64) -> serde_json::Value {
        let stamp = |t: Option<i64>| {
            t.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        let all = self.lock();
        let list: Vec<SourceReadiness> = self
            .sources
            .iter()
            .map(|s| {
                let st = all.get(&s.id);
                let fetched = st.and_then(|x| x.copy.as_ref()).map(|c| c.fetched);
                SourceReadiness {
                    id: s.id.clone(),
                    kind: s.kind,
                    url: s.path.is_none().then(|| s.url.clone()),
                    path: s.path.as_ref().map(|p| p.display().to_string()),
                    provider: s.provider.clone(),
                    notices: st.map_or(0, |x| x.notices.len()),
                    last_success: stamp(st.and_then(|x| x.last_success)),
                    last_error: st.and_then(|x| x.last_error.clone()),
                    last_error_at: stamp(st.and_then(|x| x.last_error_at)),
                    errors: st.map_or(0, |x| x.errors),
                    copy_fetched: stamp(fetched),
                    age_seconds: fetched.map(|f| (now - f).max(0)),
                }
            })
            .collect();
        serde_json::to_value(list).unwrap_or_default()
    }

    /// Per source, for `/metrics`.
    pub(crate) fn metrics(&self) -> String {
        use std::fmt::Write as _;
        let all = self.lock();
        let mut out = String::from(
            "# HELP mado_source_last_success_timestamp_seconds When a followed source last answered with a good body or 304 (0: not yet).\n# TYPE mado_source_last_success_timestamp_seconds gauge\n",
        );
        let label = |id: &str| id.replace('\\', "\\\\").replace('"', "\\\"");
        for s in self.sources.iter() {
            let t = all.get(&s.id).and_then(|x| x.last_success).unwrap_or(0);
            let _ = writeln!(out, "mado_source_last_success_timestamp_seconds{{source=\"{}\"}} {t}", label(&s.id));
        }
        out.push_str("# HELP mado_source_errors_total Failed polls of a followed source (the last good copy kept).\n# TYPE mado_source_errors_total counter\n");
        for s in self.sources.iter() {
            let n = all.get(&s.id).map_or(0, |x| x.errors);
            let _ = writeln!(out, "mado_source_errors_total{{source=\"{}\"}} {n}", label(&s.id));
        }
        out
    }
}

/// A `200` body (or a file's text) and its validators.
struct Got {
    body: String,
    etag: Option<String>,
    last_modified: Option<String>,
    /// A file source: the file's size and modification time when read.
    seen: Option<(u64, std::time::SystemTime)>,
}

enum Fetched {
    Body(Got, Option<Duration>),
    NotModified(Option<Duration>),
}

fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control
        .split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|v| v.trim_matches('"').parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn agent(s: &FollowSource) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(s.timeout))
        .timeout_recv_response(Some(s.timeout))
        .timeout_recv_body(Some(s.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("mado/", env!("CARGO_PKG_VERSION"), " (+follow)"))
        .build()
        .into()
}

/// One conditional GET.
fn fetch(agent: &ureq::Agent, s: &FollowSource, etag: Option<String>, last_modified: Option<String>) -> Result<Fetched, String> {
    let mut req = agent.get(&s.url);
    if let Some(e) = etag {
        req = req.header("If-None-Match", e);
    }
    if let Some(l) = last_modified {
        req = req.header("If-Modified-Since", l);
    }
    let mut resp = req.call().map_err(|e| format!("GET {}: {e}", s.url))?;
    let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let wait = header("cache-control").and_then(|c| max_age(&c));
    let (etag, last_modified) = (header("etag"), header("last-modified"));
    match resp.status().as_u16() {
        304 => Ok(Fetched::NotModified(wait)),
        200 => {
            let body = resp
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_string()
                .map_err(|e| format!("GET {}: reading the body: {e}", s.url))?;
            Ok(Fetched::Body(Got { body, etag, last_modified, seen: None }, wait))
        }
        code => Err(format!("GET {} answered {code}", s.url)),
    }
}

/// Reads a file source: `NotModified` when its size and modification time are those of the
/// file last taken (`seen`), else its text. A missing or unreadable file, one over
/// [`MAX_BODY`] or not UTF-8 is an error.
fn read_file(path: &Path, name: &str, seen: Option<(u64, std::time::SystemTime)>) -> Result<Fetched, String> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {name} ({e})"))?;
    if !meta.is_file() {
        return Err(format!("{name} is not a file"));
    }
    let sig = (meta.len(), meta.modified().map_err(|e| format!("cannot read {name}'s modification time ({e})"))?);
    if seen == Some(sig) {
        return Ok(Fetched::NotModified(None));
    }
    if sig.0 > MAX_BODY {
        return Err(format!("{name} is {} bytes, over the limit of {MAX_BODY}", sig.0));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BODY + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read {name} ({e})"))?;
    if bytes.len() as u64 > MAX_BODY {
        return Err(format!("{name} is over the limit of {MAX_BODY} bytes"));
    }
    let body = String::from_utf8(bytes).map_err(|e| format!("{name} is not UTF-8 ({e})"))?;
    Ok(Fetched::Body(Got { body, etag: None, last_modified: None, seen: Some(sig) }, None))
}

/// Polls one source until the server stops.
async fn poll(st: Arc<AppState>, f: Follow, s: FollowSource) {
    let agent = agent(&s);
    loop {
        let fetched = match &s.path {
            Some(path) => {
                let (full, name, seen) = (s.base.join(path), path.display().to_string(), f.file_seen(&s.id));
                tokio::task::spawn_blocking(move || read_file(&full, &name, seen)).await
            }
            None => {
                let (etag, lm) = f.validators(&s.id);
                let (a, src) = (agent.clone(), s.clone());
                tokio::task::spawn_blocking(move || fetch(&a, &src, etag, lm)).await
            }
        }
        .map_err(|e| format!("the poll failed: {e}"));
        let wait = match fetched.and_then(|r| r) {
            Ok(Fetched::NotModified(wait)) => {
                f.succeeded(&s.id);
                wait
            }
            Ok(Fetched::Body(got, wait)) => {
                let (st2, f2, s2) = (st.clone(), f.clone(), s.clone());
                match tokio::task::spawn_blocking(move || f2.take(&st2, &s2, got)).await.map_err(|e| e.to_string()).and_then(|r| r) {
                    Ok(()) => f.succeeded(&s.id),
                    Err(e) => f.failed(&s.id, e),
                }
                wait
            }
            Err(e) => {
                f.failed(&s.id, e);
                None
            }
        };
        tokio::time::sleep(wait.map_or(s.interval, |w| w.max(s.interval))).await;
    }
}

/// Starts polling every source of `st.config.follow`.
pub fn spawn(st: &Arc<AppState>) {
    let Some(f) = st.config.follow.clone() else { return };
    for s in f.sources.iter() {
        tokio::spawn(poll(st.clone(), f.clone(), s.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_files_read_or_are_refused_with_file_line_column() {
        let ok = "[[source]]\nid = \"acme\"\nkind = \"statuspage\"\nurl = \"https://s.example/a.json\"\ninterval = \"5m\"\nmap = { cmp1 = \"acme.wallet\" }\n";
        let s = parse_sources("f.toml", ok).expect("reads");
        assert_eq!((s[0].id.as_str(), s[0].kind, s[0].interval), ("acme", Kind::Statuspage, Duration::from_secs(300)));
        assert_eq!((s[0].path.as_ref(), s[0].location().as_str()), (None, "https://s.example/a.json"));
        let file = parse_sources("f.toml", &ok.replace("url = \"https://s.example/a.json\"", "path = \"feeds/a.json\"")).expect("reads");
        assert_eq!((file[0].path.as_deref(), file[0].url.as_str()), (Some(Path::new("feeds/a.json")), ""));
        let table: &[(&str, &str)] = &[
            ("[[source]]\nid = \"Acme\"\nkind = \"ical\"\nurl = \"https://x\"\nfunction = \"a\"\n", "f.toml:2:6: source id `Acme`"),
            ("[[source]]\nid = \"a\"\nkind = \"ical\"\nurl = \"ftp://x\"\nfunction = \"a\"\n", "f.toml:4:7: url `ftp://x`"),
            (
                "[[source]]\nid = \"a\"\nkind = \"ical\"\nurl = \"https://x\"\ninterval = \"soon\"\nfunction = \"a\"\n",
                "f.toml:5:12: interval `soon`",
            ),
            ("[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://x\"\nfunction = \"a\"\n", "f.toml:3:8: unknown variant `rss`"),
            ("[[source]]\nid = \"a\"\nkind = \"ical\"\nurl = \"https://x\"\n", "neither `map` nor `function`"),
            (
                "[[source]]\nid = \"a\"\nkind = \"ical\"\nurl = \"https://x\"\npath = \"a.ics\"\nfunction = \"a\"\n",
                "f.toml:5:8: source `a` gives both `url` and `path`; give one",
            ),
            ("[[source]]\nid = \"a\"\nkind = \"ical\"\nfunction = \"a\"\n", "f.toml:2:6: source `a` has neither `url` nor `path`"),
            ("[[source]]\nid = \"a\"\nkind = \"ical\"\npath = \"\"\nfunction = \"a\"\n", "f.toml:4:8: path `` is empty"),
        ];
        for (text, want) in table {
            let e = parse_sources("f.toml", text).expect_err(text);
            assert!(e.contains(want), "{e} does not contain {want}");
        }
    }

    #[test]
    fn a_file_source_is_relative_to_the_follow_file_and_read_when_it_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("sub")).expect("mkdir");
        let follow = dir.path().join("sub").join("follow.toml");
        std::fs::write(&follow, "[[source]]\nid = \"a\"\nkind = \"ical\"\npath = \"feeds/a.ics\"\nfunction = \"a\"\n").expect("write");
        let s = read_sources(&follow).expect("reads");
        let file = dir.path().join("sub").join("feeds").join("a.ics");
        assert_eq!(s[0].path.as_deref(), Some(Path::new("feeds/a.ics")));
        assert_eq!(s[0].base.join("feeds/a.ics"), file);
        let read_file = |f: &Path, seen| read_file(f, "feeds/a.ics", seen);
        match read_file(&file, None) {
            Err(e) => assert!(e.contains("cannot read") && e.contains("a.ics"), "{e}"),
            Ok(_) => panic!("a missing file is an error"),
        }
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").expect("write");
        let Ok(Fetched::Body(got, None)) = read_file(&file, None) else { panic!("a body") };
        assert_eq!(got.body, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
        assert!(matches!(read_file(&file, got.seen), Ok(Fetched::NotModified(None))), "same size and time: not read");
        std::fs::write(&file, "BEGIN:VCALENDAR\r\nX:1\r\nEND:VCALENDAR\r\n").expect("write");
        assert!(matches!(read_file(&file, got.seen), Ok(Fetched::Body(..))), "changed: read");
        std::fs::write(&file, [0xff, 0xfe]).expect("write");
        assert!(matches!(read_file(&file, None), Err(e) if e.contains("not UTF-8")));
    }

    #[test]
    fn intervals_and_max_age_read() {
        let table = [
            ("5m", Some(300_000_u64)),
            ("30s", Some(30_000)),
            ("250ms", Some(250)),
            ("1h", Some(3_600_000)),
            ("0s", None),
            ("5", None),
            ("m", None),
        ];
        for (v, want) in table {
            assert_eq!(parse_interval(v).map(|d| d.as_millis()), want.map(u128::from), "{v}");
        }
        assert_eq!(max_age("public, max-age=120"), Some(Duration::from_secs(120)));
        assert_eq!(max_age("no-cache"), None);
    }
}
