//! The schedule being served, and keeping it fresh: reload on demand, on SIGHUP, or when
//! files under the schedules directory change. A reload that fails keeps the last good one;
//! so does a reload that panics, one that would drop too many notices, and a read that does
//! not finish in time, and all count as failures on `/readyz` and in `/metrics`.
//!
//! The watch cannot go stale unnoticed: it follows what the schedules path resolves to (a
//! symlink swapped to a new release, a directory removed and created again) by watching the
//! path's parent too and re-resolving before each reload; a periodic re-check re-reads the
//! tree and compares its fingerprint with the files the serving schedule came from, which no
//! lost event can fool; reads run on their own thread with a deadline, so a FIFO, a device
//! or a hung mount ends in a failed reload, never in a watch that waits forever.

use super::dates::http_date;
use super::metrics::Metrics;
use crate::engine::eval::Schedule;
use crate::engine::time::Instant;
use crate::format::error::LoadError;
use crate::format::source::{fingerprint, read_dir_sources_with, SourceFile, MAX_FILE_SIZE};
use arc_swap::ArcSwap;
use axum::http::HeaderValue;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a schedule generation contributes to every validator and date, computed when it is
/// loaded (kept in `Loaded`, so a request reads it through the schedule it already holds).
#[derive(Debug)]
pub(crate) struct Generation {
    /// [`Schedule::content_hash`]: FNV-1a over the files' names and bytes, so equal on
    /// replicas and builds serving the same files.
    pub(crate) fingerprint: u64,
    /// The second after the one this process started serving it in: `Last-Modified` of what
    /// depends on it alone. Rounded up, so that a response of the previous schedule made in
    /// that same second is never taken for one of this schedule.
    pub(crate) since: Instant,
    since_header: HeaderValue,
    /// Publication instants, sorted: when an answer "as known now" may next change.
    known_from: Vec<Instant>,
}

impl Generation {
    pub(crate) fn new(s: &Schedule) -> Generation {
        let since = crate::engine::time::now() + chrono::Duration::seconds(1);
        let mut known_from: Vec<Instant> = s.notices().iter().map(|n| n.known_from()).collect();
        known_from.sort_unstable();
        Generation { fingerprint: s.content_hash(), since, since_header: http_date(since), known_from }
    }

    /// `Last-Modified` for what depends on the schedule alone, asked at `now`: never later
    /// than `now` (RFC 9110 §8.8.2.1).
    pub(crate) fn last_modified(&self, now: Instant) -> HeaderValue {
        if now < self.since {
            return http_date(now);
        }
        self.since_header.clone()
    }

    /// Whether `If-Modified-Since: t` is no earlier than this schedule began serving.
    pub(crate) fn served_since(&self, t: Instant) -> bool {
        self.since <= t
    }

    /// The first publication after `now`: an answer "as known now" holds at most until then.
    pub(crate) fn next_known(&self, now: Instant) -> Option<Instant> {
        let i = self.known_from.partition_point(|t| *t <= now);
        self.known_from.get(i).copied()
    }
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Schedules directory; `None` serves the embedded schedules.
    pub schedules: Option<PathBuf>,
    /// Ceiling for `Cache-Control: max-age`, in seconds.
    pub max_age: u64,
    /// Deadline for window lists and the feed (`--timeout`): run 4 at a time off the async
    /// workers, one not ready within 90 % of it is answered `503`.
    pub timeout: std::time::Duration,
    /// Serve `/bench/baseline`, a constant body the size of an availability answer.
    pub baseline_route: bool,
    /// A request head must arrive within this of the connection opening or its last response
    /// (slow heads and idle keep-alive connections are closed); a response write that makes
    /// no progress for as long is closed too.
    pub header_timeout: std::time::Duration,
    /// The most connections open at once. When none is free, the connection idle longest
    /// (waiting for its next request) is closed to make room; when none is idle, the new one
    /// is answered `503` and closed.
    pub max_connections: usize,
    /// The most connections open at once from one client address; one more is answered
    /// `503` and closed, so one client cannot hold every slot.
    pub max_connections_per_client: usize,
    /// A request must be answered within this of its head arriving; past it, `503`.
    pub request_timeout: std::time::Duration,
    /// On shutdown, how long open connections may take to finish before they are dropped.
    pub shutdown_grace: std::time::Duration,
    /// Where absolute links point (`--public-url`, `--trusted-host`, `--trusted-proxy`).
    pub links: super::Links,
    /// One JSON line per request (`--access-log`); `None` logs nothing.
    pub access_log: Option<super::AccessLog>,
    /// With [`watch`], how often the whole tree is re-read and compared with the files the
    /// serving schedule came from (a reload when they differ); zero turns the re-check off.
    pub recheck: Duration,
    /// The largest schedule file read; a larger one fails the reload.
    pub max_file_size: u64,
    /// A read of the schedules that takes longer fails the reload; the thread doing it is
    /// left behind, and `/readyz` is not ready until it returns.
    pub read_timeout: Duration,
    /// The largest share (0 to 1) of the serving schedule's notices a reload may drop; one
    /// that would drop more, or every notice, is refused. 1 allows any reload.
    pub max_drop: f64,
    /// A fixed "now" (`mado serve --now`) for demos and tests: every default instant (`at`,
    /// `as_of`, the status page, the timeline's range) reads it, and every page, `/readyz` and
    /// the API's `Mado-Clock` header say so. `None` (the default) is the real clock.
    pub now: Option<Instant>,
    /// Followed sources (`mado serve --follow`): their notices join every reload.
    pub follow: Option<super::follow::Follow>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            schedules: None,
            max_age: 60,
            timeout: std::time::Duration::from_secs(10),
            baseline_route: false,
            header_timeout: std::time::Duration::from_secs(10),
            max_connections: 1024,
            max_connections_per_client: 256,
            request_timeout: std::time::Duration::from_secs(30),
            shutdown_grace: std::time::Duration::from_secs(10),
            links: super::Links::default(),
            access_log: None,
            recheck: RECHECK,
            max_file_size: MAX_FILE_SIZE,
            read_timeout: READ_TIMEOUT,
            max_drop: 0.5,
            now: None,
            follow: None,
        }
    }
}

/// How often `--watch` re-reads the tree by default (`--recheck`).
pub const RECHECK: Duration = Duration::from_secs(30);
/// How long a read of the schedules may take by default (`--read-timeout`).
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Reads past their deadline that may be left running at once; with this many stuck (a hung
/// mount), no new read starts until one returns.
pub const MAX_STUCK_READS: u64 = 4;

/// How long `--watch` waits for changes to settle before it reloads.
pub const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(200);
/// The longest `--watch` waits after the first change, even while changes keep coming.
pub const MAX_WAIT: std::time::Duration = std::time::Duration::from_millis(800);

/// A loaded schedule and what the headers need from it.
#[derive(Debug)]
pub struct Loaded {
    /// The schedule.
    pub schedule: Schedule,
    /// Counts successful loads from 1.
    pub generation: u64,
    pub(crate) last_modified: HeaderValue,
    /// What the HTTP validators and dates need from this schedule.
    pub(crate) http: Generation,
}

impl Loaded {
    fn new(schedule: Schedule, generation: u64) -> Loaded {
        let latest = schedule.notices().iter().map(|n| n.known_from()).max().unwrap_or_default();
        let last_modified = http_date(latest);
        let http = Generation::new(&schedule);
        Loaded { last_modified, schedule, generation, http }
    }
}

/// Shared server state.
pub struct AppState {
    pub(crate) current: ArcSwap<Loaded>,
    pub(crate) config: Config,
    last_error: Mutex<Option<String>>,
    pub(crate) metrics: Metrics,
    pub(crate) baseline: std::sync::OnceLock<axum::body::Bytes>,
    reload_lock: Mutex<()>,
    /// Fingerprints of files as read: those the serving schedule came from, and the last
    /// ones refused (so that a re-check does not refuse, log and count them again).
    files: Mutex<Files>,
    /// Permits for work that may take long (window lists, the feed): off the async workers,
    /// a few at a time, so they cannot starve `/healthz` or take all the memory.
    heavy: Arc<tokio::sync::Semaphore>,
}

#[derive(Debug, Default)]
struct Files {
    serving: Option<u64>,
    refused: Option<u64>,
}

/// How many long requests run at once; others wait for a permit until their deadline.
pub const HEAVY_AT_ONCE: usize = 4;

/// Whether the server may be sent traffic, and how fresh what it serves is known to be:
/// what `/readyz` and `/metrics` show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// False while a read of the schedules is stuck past `--read-timeout` or the watcher has
    /// failed: the schedule serving may be stale and nothing would notice.
    pub ready: bool,
    /// Why not ready: `reload_stuck`, `watcher_failed` (empty when ready).
    pub reasons: Vec<&'static str>,
    /// Whether the last reload succeeded.
    pub last_reload_ok: bool,
    /// When the schedule serving was loaded.
    pub last_reload_success: Instant,
    /// When the files were last found to be the schedule serving: its load, or a re-check
    /// (or a watch event) that re-read them and found them unchanged.
    pub confirmed: Instant,
    /// Reads of the schedules past their deadline that have not returned.
    pub stuck_reads: u64,
}

/// Why a reload is asked for: an explicit one (SIGHUP, [`AppState::reload`]) always builds
/// and swaps in a new generation; one from the watch or the re-check only when the files
/// changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Explicit,
    Changed,
}

impl AppState {
    /// "Now" for every default: the fixed clock of [`Config::now`], else the real one.
    pub(crate) fn now(&self) -> Instant {
        self.config.now.unwrap_or_else(crate::engine::time::now)
    }

    /// Loads the schedule once; fails if the first load fails (there is nothing to serve).
    ///
    /// # Errors
    /// The [`LoadError`] of the first load.
    pub fn new(config: Config) -> Result<Arc<AppState>, LoadError> {
        let metrics = Metrics::default();
        if let (Some(file), Some(_)) = (config.schedules.as_ref().filter(|p| p.is_file()), config.follow.as_ref()) {
            return Err(LoadError::Invalid(vec![crate::format::error::Diagnostic {
                file: file.display().to_string(),
                line: 0,
                column: 0,
                message: "is a compiled schedule, which cannot take followed sources' notices (--follow); serve the schedules directory"
                    .into(),
            }]));
        }
        let files = read_bounded(&metrics, &config, reader(&config))?;
        let serving = files.fingerprint();
        let schedule = parse(&config, files);
        // What the load freed (the files' text, the parsed TOML) goes back to the system.
        release_freed_memory();
        let schedule = schedule?;
        if config.schedules.is_some() && schedule.notices().is_empty() {
            tracing::warn!("the schedules directory has no notices: every function answers available");
        }
        let now = crate::engine::time::now().timestamp();
        metrics.last_reload_success.store(now, Ordering::Relaxed);
        metrics.last_confirmed.store(now, Ordering::Relaxed);
        Ok(Arc::new(AppState {
            current: ArcSwap::from_pointee(Loaded::new(schedule, 1)),
            config,
            last_error: Mutex::new(None),
            metrics,
            baseline: std::sync::OnceLock::new(),
            reload_lock: Mutex::new(()),
            files: Mutex::new(Files { serving: Some(serving), refused: None }),
            heavy: Arc::new(tokio::sync::Semaphore::new(HEAVY_AT_ONCE)),
        }))
    }

    /// The schedule now serving.
    pub fn current(&self) -> Arc<Loaded> {
        self.current.load_full()
    }

    /// Rebuilds the schedule from its source and swaps it in if it is valid; otherwise keeps
    /// the last good one and records the error.
    ///
    /// # Errors
    /// The [`LoadError`], after it has been recorded.
    pub fn reload(&self) -> Result<u64, LoadError> {
        self.refresh(Trigger::Explicit, reader(&self.config)).map(|g| g.unwrap_or(self.current.load().generation))
    }

    /// What the watch and the re-check do: re-read the files and reload only when they
    /// differ from those the serving schedule came from (or from those last refused).
    /// `Ok(None)` when they do not; the serving schedule is then confirmed current.
    ///
    /// # Errors
    /// As [`AppState::reload`].
    pub fn reload_if_changed(&self) -> Result<Option<u64>, LoadError> {
        self.refresh(Trigger::Changed, reader(&self.config))
    }

    fn refresh(&self, why: Trigger, read: Reader) -> Result<Option<u64>, LoadError> {
        let _one_at_a_time = self.reload_lock.lock().unwrap_or_else(|p| p.into_inner());
        let refreshed = self.refresh_locked(why, read);
        // Whatever the attempt freed (the files read, a schedule built and refused, the one
        // replaced, once its last reader let go of it) goes back to the system.
        release_freed_memory();
        refreshed
    }

    fn refresh_locked(&self, why: Trigger, read: Reader) -> Result<Option<u64>, LoadError> {
        let files = match read_bounded(&self.metrics, &self.config, read) {
            Ok(files) => files,
            // The re-check meeting the same failure again (a FIFO still there): not logged
            // and counted every time.
            Err(e) if why == Trigger::Changed && self.last_error().is_some_and(|last| last == e.to_string()) => return Err(e),
            Err(e) => return Err(self.failed(e)),
        };
        let print = files.fingerprint();
        let now = crate::engine::time::now().timestamp();
        {
            let mut known = self.files.lock().unwrap_or_else(|p| p.into_inner());
            if why == Trigger::Changed && known.serving == Some(print) {
                // The files are those serving: confirmed, and whatever failed before is moot.
                known.refused = None;
                self.metrics.last_confirmed.store(now, Ordering::Relaxed);
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
                return Ok(None);
            }
            if why == Trigger::Changed && known.refused == Some(print) {
                return Ok(None);
            }
        }
        let built = parse(&self.config, files).and_then(|schedule| self.check_shrink(schedule));
        let schedule = match built {
            Ok(schedule) => schedule,
            Err(e) => {
                self.files.lock().unwrap_or_else(|p| p.into_inner()).refused = Some(print);
                return Err(self.failed(e));
            }
        };
        let generation = self.current.load().generation + 1;
        // The schedule replaced is freed here unless a request still holds it (then by that
        // request, and given back to the system at the next reload).
        drop(self.current.swap(Arc::new(Loaded::new(schedule, generation))));
        crate::server::cache::forget_replaced();
        *self.files.lock().unwrap_or_else(|p| p.into_inner()) = Files { serving: Some(print), refused: None };
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.metrics.reloads.fetch_add(1, Ordering::Relaxed);
        self.metrics.last_reload_success.store(now, Ordering::Relaxed);
        self.metrics.last_confirmed.store(now, Ordering::Relaxed);
        tracing::info!(generation, "schedule reloaded");
        Ok(Some(generation))
    }

    /// Records a failed reload: counted, logged with file, line and column, shown.
    fn failed(&self, e: LoadError) -> LoadError {
        self.metrics.reload_failures.fetch_add(1, Ordering::Relaxed);
        for d in e.diagnostics() {
            tracing::error!(file = %d.file, line = d.line, column = d.column, "reload rejected, still serving the last good schedule: {}", d.message);
        }
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
        e
    }

    /// Refuses a schedule that would drop every notice serving, or more than `max_drop` of
    /// them (by id): an emptied or half-copied directory must not make every function
    /// answer `available`.
    fn check_shrink(&self, new: Schedule) -> Result<Schedule, LoadError> {
        let old = self.current.load();
        let before = old.schedule.notices().len();
        if before == 0 || self.config.max_drop >= 1.0 {
            return Ok(new);
        }
        let kept: std::collections::HashSet<&str> = new.notices().iter().map(|n| n.id()).collect();
        let dropped = old.schedule.notices().iter().filter(|n| !kept.contains(n.id())).count();
        let share = dropped as f64 / before as f64;
        if dropped == 0 || (share <= self.config.max_drop && !new.notices().is_empty()) {
            return Ok(new);
        }
        self.metrics.shrink_refusals.fetch_add(1, Ordering::Relaxed);
        let what = if new.notices().is_empty() {
            format!("has no notices; the schedule serving has {before}")
        } else {
            format!(
                "would drop {dropped} of the {before} notices serving ({:.0} %, more than --max-drop {:.0} %)",
                share * 100.0,
                self.config.max_drop * 100.0
            )
        };
        Err(LoadError::Invalid(vec![crate::format::error::Diagnostic {
            file: source_name(&self.config),
            line: 0,
            column: 0,
            message: format!(
                "the new schedule {what}: refused, still serving the last good one. If this is meant, restart mado, or run it with --max-drop 100%"
            ),
        }]))
    }

    /// Runs `work` on the blocking pool, at most [`HEAVY_AT_ONCE`] at a time, with a deadline
    /// a little inside the request timeout; past it the answer is `503` JSON (the work, which
    /// is bounded, finishes and is dropped).
    pub(crate) async fn heavy<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, super::error::ApiError> {
        let deadline = self.config.timeout.mul_f64(0.9);
        let busy = || {
            super::error::ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                super::error::ErrorKind::Busy,
                format!(
                    "the answer was not ready within {} ms; mado runs {HEAVY_AT_ONCE} long requests at a time, retry later or ask for a shorter range or a lower limit",
                    deadline.as_millis()
                ),
            )
        };
        let run = async {
            let _permit = self.heavy.clone().acquire_owned().await.map_err(|_| busy())?;
            tokio::task::spawn_blocking(work).await.map_err(|_| busy())
        };
        tokio::time::timeout(deadline, run).await.map_err(|_| busy())?
    }

    /// Whether the last reload succeeded (true before any reload).
    pub fn last_reload_ok(&self) -> bool {
        self.last_error.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }

    /// The last reload error, if the last reload failed.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Readiness and freshness: see [`Health`].
    pub fn health(&self) -> Health {
        let m = &self.metrics;
        let stuck_reads = m.stuck_reads.load(Ordering::Relaxed);
        let mut reasons = Vec::new();
        if stuck_reads > 0 {
            reasons.push("reload_stuck");
        }
        if m.watch_failed.load(Ordering::Relaxed) {
            reasons.push("watcher_failed");
        }
        let at = |t: &std::sync::atomic::AtomicI64| Instant::from_timestamp(t.load(Ordering::Relaxed)).unwrap_or_default();
        Health {
            ready: reasons.is_empty(),
            reasons,
            last_reload_ok: self.last_reload_ok(),
            last_reload_success: at(&m.last_reload_success),
            confirmed: at(&m.last_confirmed),
            stuck_reads,
        }
    }
}

/// What a reload read: schedule files, or a compiled schedule (`mado compile`) and its path.
enum Sources {
    Files(Vec<SourceFile>),
    Compiled(PathBuf, Vec<u8>),
}

impl Sources {
    /// What the watch compares to tell whether anything changed.
    fn fingerprint(&self) -> u64 {
        match self {
            Sources::Files(files) => fingerprint(files),
            Sources::Compiled(_, bytes) => (u64::from(crc32fast::hash(bytes)) << 32) ^ bytes.len() as u64,
        }
    }
}

/// What reads the files of a reload: given a function to tell which path it is reading.
type Reader = Box<dyn FnOnce(&mut dyn FnMut(&Path)) -> Result<Sources, LoadError> + Send>;

fn reader(config: &Config) -> Reader {
    let max = config.max_file_size;
    let follow = config.follow.clone();
    let followed = move || follow.as_ref().map(super::follow::Follow::files).unwrap_or_default();
    match config.schedules.clone() {
        Some(file) if file.is_file() => Box::new(move |reading: &mut dyn FnMut(&Path)| {
            reading(&file);
            let bytes = crate::format::compiled::read_file(&file)?;
            if !followed().is_empty() {
                return Err(LoadError::Invalid(vec![crate::format::error::Diagnostic {
                    file: file.display().to_string(),
                    line: 0,
                    column: 0,
                    message: "a compiled schedule cannot take followed sources' notices (--follow); serve the schedules directory".into(),
                }]));
            }
            Ok(Sources::Compiled(file, bytes))
        }),
        Some(dir) => Box::new(move |reading: &mut dyn FnMut(&Path)| {
            Ok(Sources::Files([read_dir_sources_with(&dir, max, reading)?, followed()].concat()))
        }),
        None => {
            Box::new(move |_: &mut dyn FnMut(&Path)| Ok(Sources::Files([crate::format::source::embedded_sources(), followed()].concat())))
        }
    }
}

/// Asks the C allocator to give the pages it holds free back to the system. glibc keeps
/// what a load freed (the parsed TOML, the schedule a reload replaced) in the arena of the
/// thread that allocated it, and returns only the top of a heap by itself: without this a
/// server's RSS climbs with each reload (at 10,000 notices, 27 MB to 86 MB over six reloads
/// of a compiled file; 35 MB with this). `malloc_trim` walks every arena under its lock,
/// about 10 ms at that size, so it runs on the thread that loaded, never on a request.
/// Elsewhere (musl, macOS, Windows) it does nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn release_freed_memory() {
    let started = std::time::Instant::now();
    // SAFETY: `malloc_trim` takes no pointer and touches only glibc's own arenas, each under
    // its lock; it may be called from any thread at any time.
    let released = unsafe { libc::malloc_trim(0) } == 1;
    tracing::debug!(released, took_us = started.elapsed().as_micros() as u64, "gave the memory freed back to the system");
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_freed_memory() {}

/// Builds the schedule; a panic in the loader is a failed load like any other.
fn parse(config: &Config, sources: Sources) -> Result<Schedule, LoadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match sources {
        Sources::Files(files) => Schedule::from_sources(files),
        // No falling back to the directory a damaged file names: its TOML may hold edits no
        // one compiled yet. A refused file is a failed reload; the last good schedule serves.
        Sources::Compiled(path, bytes) => crate::format::compiled::load_compiled_strict(&path, &bytes),
    }))
    .unwrap_or_else(|p| Err(panicked(&source_name(config), &*p)))
}

/// The schedules' source as errors name it: the directory as given, or `<embedded>`.
fn source_name(config: &Config) -> String {
    config.schedules.as_ref().map_or("<embedded>".into(), |p| p.display().to_string())
}

fn panicked(source: &str, panic: &(dyn std::any::Any + Send)) -> LoadError {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    LoadError::Invalid(vec![crate::format::error::Diagnostic {
        file: source.to_string(),
        line: 0,
        column: 0,
        message: format!("the loader panicked ({what}); this is a bug in mado, please report it with the schedules"),
    }])
}

/// `d` as errors show it: `5 s`, `250 ms`.
fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

const RUNNING: u8 = 0;
const DONE: u8 = 1;
const ABANDONED: u8 = 2;

/// Runs `read` on a thread of its own and waits at most `read_timeout` for it. Past the
/// deadline the read fails, naming the file or directory it was in; the thread is left
/// behind (nothing can interrupt a read on a hung mount) and counted in `stuck_reads` until
/// it returns, its result then dropped. With [`MAX_STUCK_READS`] left behind, no new read
/// starts.
fn read_bounded(metrics: &Metrics, config: &Config, read: Reader) -> Result<Sources, LoadError> {
    let source = source_name(config);
    let whole =
        |message: String| LoadError::Invalid(vec![crate::format::error::Diagnostic { file: source.clone(), line: 0, column: 0, message }]);
    let stuck = metrics.stuck_reads.load(Ordering::Relaxed);
    if stuck >= MAX_STUCK_READS {
        return Err(whole(format!(
            "{stuck} earlier reads of the schedules are still stuck past --read-timeout (a hung mount?); no new read starts until one returns"
        )));
    }
    struct Job {
        state: AtomicU8,
        at: Mutex<String>,
    }
    let job = Arc::new(Job { state: AtomicU8::new(RUNNING), at: Mutex::new(source.clone()) });
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let (mine, counter, name) = (job.clone(), metrics.stuck_reads.clone(), source.clone());
    let started = std::time::Instant::now();
    let spawned = std::thread::Builder::new().name("mado-read".into()).spawn(move || {
        let mut reading = |p: &Path| *mine.at.lock().unwrap_or_else(|p| p.into_inner()) = p.display().to_string();
        let read =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&mut reading))).unwrap_or_else(|p| Err(panicked(&name, &*p)));
        if mine.state.compare_exchange(RUNNING, DONE, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            let _ = tx.send(read);
        } else {
            counter.fetch_sub(1, Ordering::AcqRel);
            tracing::warn!(
                seconds = started.elapsed().as_secs_f64(),
                "a read of the schedules that passed its deadline has returned; its result is dropped"
            );
        }
    });
    if let Err(error) = spawned {
        return Err(LoadError::Io { path: source, error });
    }
    match rx.recv_timeout(config.read_timeout) {
        Ok(read) => read,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            // Counted before the thread can see itself abandoned, so the count never wraps.
            metrics.stuck_reads.fetch_add(1, Ordering::AcqRel);
            if job.state.compare_exchange(RUNNING, ABANDONED, Ordering::AcqRel, Ordering::Acquire).is_err() {
                // It finished just now: its result is on its way.
                metrics.stuck_reads.fetch_sub(1, Ordering::AcqRel);
                return rx.recv().unwrap_or_else(|_| Err(whole("the read of the schedules ended without a result".into())));
            }
            let at = job.at.lock().unwrap_or_else(|p| p.into_inner()).clone();
            Err(LoadError::Invalid(vec![crate::format::error::Diagnostic {
                file: at,
                line: 0,
                column: 0,
                message: format!(
                    "read took longer than {} (--read-timeout): a hung mount, or a file that blocks? The read is left running and /readyz is not ready until it returns",
                    show_duration(config.read_timeout)
                ),
            }]))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(whole("the read of the schedules ended without a result".into())),
    }
}

/// What the watch task is told by the watchers' threads.
enum Signal {
    Changed { rescan: bool },
    Failed(String),
}

type Tx = tokio::sync::mpsc::UnboundedSender<Signal>;

/// What the watch is watching: the schedules path's parent, for the path itself replaced (a
/// symlink swapped, a directory removed and made again), and the directory the path resolves
/// to, recursively, by identity. Each has a watcher of its own, and a new target gets a new
/// watcher: notify keys watches by path, and the old directory's deletion events, read late,
/// would remove a new watch at the same path.
struct Watched {
    path: PathBuf,
    tx: Tx,
    parent: Option<notify::RecommendedWatcher>,
    target: Option<(Target, notify::RecommendedWatcher)>,
}

/// What a path resolves to: its canonical path and (on Unix) device and inode, so that a
/// directory made again at the same path is a new target.
type Target = (PathBuf, Option<(u64, u64)>);

fn resolve(path: &Path) -> Option<Target> {
    let canonical = std::fs::canonicalize(path).ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    #[cfg(unix)]
    let id = {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    };
    #[cfg(not(unix))]
    let id = {
        let _ = meta;
        None
    };
    Some((canonical, id))
}

/// A watcher telling `tx` of changes (its own reads, which are accesses, aside): for the
/// parent directory (`Parent(path)`), only those that name the schedules path, each of which
/// replaced the path, so everything is watched anew; for the target (`Target(root)`),
/// everything, and the root itself removed or renamed (its inode may be reused at once by a
/// directory made again, so identity alone cannot tell) asks to watch everything anew too.
fn watcher(tx: Tx, role: Role) -> notify::Result<notify::RecommendedWatcher> {
    notify::recommended_watcher(move |ev: notify::Result<notify::Event>| match ev {
        Ok(e) if e.kind.is_access() => {}
        Ok(e) => {
            let (ours, anew) = match &role {
                Role::Parent(path) => {
                    let ours = e.paths.iter().any(|q| q == path);
                    (ours, ours)
                }
                Role::Target(root) => {
                    let gone =
                        matches!(e.kind, notify::EventKind::Remove(_) | notify::EventKind::Modify(notify::event::ModifyKind::Name(_)));
                    (true, gone && e.paths.iter().any(|q| q == root))
                }
            };
            if ours || e.need_rescan() {
                let _ = tx.send(Signal::Changed { rescan: anew || e.need_rescan() });
            }
        }
        Err(e) => {
            let _ = tx.send(Signal::Failed(e.to_string()));
        }
    })
}

/// Which watcher: the schedules path's parent, or the directory it resolves to.
enum Role {
    Parent(PathBuf),
    Target(PathBuf),
}

impl Watched {
    /// Brings the watches in line with what the path resolves to now (all of them anew when
    /// `force`). A missing target is no watcher failure: the reload reports it, and the
    /// parent's watch sees it come back.
    fn rewatch(&mut self, force: bool) -> notify::Result<()> {
        use notify::Watcher;
        if force {
            self.parent = None;
        }
        if self.parent.is_none() {
            if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
                let mut w = watcher(self.tx.clone(), Role::Parent(self.path.clone()))?;
                match w.watch(parent, notify::RecursiveMode::NonRecursive) {
                    Ok(()) => self.parent = Some(w),
                    // Not fatal: the re-check still sees a swap, only later.
                    Err(e) => tracing::warn!(
                        parent = %parent.display(),
                        "cannot watch the directory holding the schedules path ({e}); a symlink swapped or a directory made again is seen at the next re-check"
                    ),
                }
            }
        }
        let now = resolve(&self.path);
        if !force && now.as_ref() == self.target.as_ref().map(|(t, _)| t) {
            return Ok(());
        }
        self.target = None;
        if let Some(target) = now {
            let mut w = watcher(self.tx.clone(), Role::Target(target.0.clone()))?;
            w.watch(&target.0, notify::RecursiveMode::Recursive)?;
            self.target = Some((target, w));
        }
        Ok(())
    }
}

/// A running watch; dropping it stops it.
pub struct Watch {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Marks the watcher failed if the watch task ends by a panic.
struct Alive(Arc<AppState>);

impl Drop for Alive {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.metrics.watch_failed.store(true, Ordering::Relaxed);
        }
    }
}

/// Watches the schedules and reloads after changes settle: `debounce` after the last
/// change, but never later than [`MAX_WAIT`] after the first, so that a directory written
/// continuously is still reloaded. Editors that save by renaming are seen (directories are
/// watched, not files), and so are a symlink swapped to a new release and a directory
/// removed and made again: the path's parent is watched too, and before each reload the
/// watches follow what the path resolves to now. Every [`Config::recheck`] the tree is
/// re-read and compared with the files serving, whatever the events said (a change found so
/// means events were missed: everything is watched anew). A watch event whose files are
/// unchanged (a `touch`) makes no new generation.
///
/// # Errors
/// When the watcher cannot be started or the schedules directory cannot be watched.
pub fn watch(st: Arc<AppState>, debounce: std::time::Duration) -> notify::Result<Watch> {
    let dir = st.config.schedules.clone().ok_or_else(|| notify::Error::generic("--watch needs --schedules DIR"))?;
    let path = std::path::absolute(&dir).map_err(notify::Error::io)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Signal>();
    let mut watched = Watched { path: path.clone(), tx, parent: None, target: None };
    watched.rewatch(false)?;
    if watched.target.is_none() {
        return Err(notify::Error::path_not_found().add_path(path));
    }
    let recheck = st.config.recheck;
    let task = tokio::spawn(async move {
        let _alive = Alive(st.clone());
        // Shared with the blocking thread that rewatches; one stuck there keeps it locked.
        let watched = Arc::new(Mutex::new(watched));
        let mut ticks = (!recheck.is_zero()).then(|| {
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + recheck, recheck);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        let mut force = false;
        let failed = |e: String| {
            tracing::error!("the schedules watcher failed ({e}); watching everything anew");
            st.metrics.watch_failed.store(true, Ordering::Relaxed);
        };
        loop {
            let tick = async {
                match ticks.as_mut() {
                    Some(t) => {
                        t.tick().await;
                    }
                    None => std::future::pending().await,
                }
            };
            let by_event = tokio::select! {
                signal = rx.recv() => {
                    match signal {
                        None => return,
                        Some(Signal::Failed(e)) => {
                            failed(e);
                            force = true;
                        }
                        Some(Signal::Changed { rescan }) => force |= rescan,
                    }
                    // Debounce: wait until no event has come for `debounce`, or `MAX_WAIT` has passed.
                    let deadline = tokio::time::Instant::now() + MAX_WAIT.max(debounce);
                    loop {
                        let wait = debounce.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
                        match tokio::time::timeout(wait, rx.recv()).await {
                            Ok(Some(Signal::Failed(e))) => {
                                failed(e);
                                force = true;
                            }
                            Ok(Some(Signal::Changed { rescan })) => force |= rescan,
                            Ok(None) => return,
                            Err(_) => break,
                        }
                        if tokio::time::Instant::now() >= deadline {
                            break;
                        }
                    }
                    true
                }
                () = tick => false,
            };
            // Follow what the path resolves to now, then re-read: both off the async workers,
            // each with a deadline (a stat or a walk can hang on a hung mount too).
            let ok = rewatch(&st, &watched, std::mem::take(&mut force)).await;
            st.metrics.watch_failed.store(!ok, Ordering::Relaxed);
            let attempts = || st.metrics.reloads.load(Ordering::Relaxed) + st.metrics.reload_failures.load(Ordering::Relaxed);
            let before = attempts();
            let s = st.clone();
            let _ = tokio::task::spawn_blocking(move || s.reload_if_changed()).await;
            if !by_event && attempts() != before {
                // The re-check found a change no event announced: watch everything anew.
                tracing::warn!("the re-check found the schedules changed with no watch event; watching everything anew");
                force = true;
                let ok = rewatch(&st, &watched, std::mem::take(&mut force)).await;
                st.metrics.watch_failed.store(!ok, Ordering::Relaxed);
            }
        }
    });
    Ok(Watch { task })
}

/// [`Watched::rewatch`] on the blocking pool within `--read-timeout`; whether it worked.
async fn rewatch(st: &AppState, watched: &Arc<Mutex<Watched>>, force: bool) -> bool {
    let watched = watched.clone();
    let job = tokio::task::spawn_blocking(move || {
        // A rewatch still stuck from before holds the lock: skip, and stay failed.
        let Ok(mut w) = watched.try_lock() else {
            return Err("an earlier attempt to watch the schedules is still stuck".to_string());
        };
        w.rewatch(force).map_err(|e| e.to_string())
    });
    match tokio::time::timeout(st.config.read_timeout, job).await {
        Ok(Ok(Ok(()))) => true,
        Ok(Ok(Err(e))) => {
            tracing::error!("cannot watch the schedules: {e}; the re-check still runs, /readyz is not ready");
            false
        }
        Ok(Err(_)) => false,
        Err(_) => {
            tracing::error!("watching the schedules took longer than --read-timeout (a hung mount?); /readyz is not ready");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_during_a_reload_is_a_reload_failure() {
        let st = AppState::new(Config::default()).expect("embedded schedules load");
        let err = st.refresh(Trigger::Explicit, Box::new(|_: &mut dyn FnMut(&Path)| panic!("boom"))).expect_err("a panic fails the reload");
        assert!(err.to_string().contains("the loader panicked (boom)"), "{err}");
        assert_eq!(st.current().generation, 1, "the last good schedule keeps serving");
        assert!(!st.last_reload_ok());
        assert_eq!(st.metrics.reload_failures.load(Ordering::Relaxed), 1);
        assert_eq!(st.reload().expect("a good reload"), 2);
        assert!(st.last_reload_ok());
    }

    /// A read that hangs (a hung NFS or FUSE mount) fails the reload at its deadline, naming
    /// the file it hung in; /readyz is not ready until the read returns, and reloads go on.
    #[test]
    fn a_read_that_hangs_fails_at_its_deadline_and_is_not_ready_until_it_returns() {
        let st = AppState::new(Config { read_timeout: Duration::from_millis(200), ..Config::default() }).expect("loads");
        let (release, hung) = std::sync::mpsc::channel::<()>();
        let started = std::time::Instant::now();
        let err = st
            .refresh(
                Trigger::Explicit,
                Box::new(move |reading: &mut dyn FnMut(&Path)| {
                    reading(Path::new("mnt/notices/x.toml"));
                    let _ = hung.recv();
                    Ok(Sources::Files(crate::format::source::embedded_sources()))
                }),
            )
            .expect_err("past the deadline");
        assert!(started.elapsed() < Duration::from_secs(2), "waited {:?}", started.elapsed());
        assert!(err.to_string().contains("mnt/notices/x.toml: read took longer than 200 ms (--read-timeout)"), "{err}");
        let h = st.health();
        assert_eq!((h.ready, h.reasons.clone(), h.stuck_reads, h.last_reload_ok), (false, vec!["reload_stuck"], 1, false));
        let text = st.metrics.render(1, true, &st.current().schedule, crate::engine::time::now());
        assert!(text.contains("mado_not_ready{reason=\"reload_stuck\"} 1") && text.contains("mado_ready 0"), "{text}");
        // Reloads go on while the read is stuck.
        assert_eq!(st.reload().expect("a good reload"), 2);
        assert!(!st.health().ready, "still a read left behind");
        release.send(()).expect("release");
        for _ in 0..100 {
            if st.health().ready {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(st.health().ready, "ready once the stuck read returned: {:?}", st.health());
        assert_eq!(st.current().generation, 2, "the late result is dropped");
    }

    #[test]
    fn at_most_a_few_reads_are_left_behind() {
        let st = AppState::new(Config { read_timeout: Duration::from_millis(50), ..Config::default() }).expect("loads");
        let (release, hung) = std::sync::mpsc::channel::<()>();
        let hung = Arc::new(Mutex::new(hung));
        for _ in 0..MAX_STUCK_READS {
            let hung = hung.clone();
            let hang = Box::new(move |_: &mut dyn FnMut(&Path)| {
                let _ = hung.lock().map(|h| h.recv());
                Ok(Sources::Files(Vec::new()))
            });
            assert!(st.refresh(Trigger::Explicit, hang).is_err());
        }
        let err = st.reload().expect_err("no new read");
        assert!(err.to_string().contains("4 earlier reads of the schedules are still stuck"), "{err}");
        drop(release);
    }

    #[tokio::test]
    async fn long_work_runs_off_the_workers_and_answers_503_past_its_deadline() {
        let st = AppState::new(Config { timeout: std::time::Duration::from_millis(200), ..Config::default() }).expect("loads");
        assert_eq!(st.heavy(|| 7).await.ok(), Some(7));
        let slow = st.heavy(|| std::thread::sleep(std::time::Duration::from_secs(1))).await.expect_err("past the deadline");
        let body = serde_json::to_value(&slow.body).expect("json");
        assert_eq!((slow.status.as_u16(), body["error"].as_str()), (503, Some("busy")));
    }
}
