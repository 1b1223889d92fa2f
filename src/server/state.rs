//! The schedule being served, and keeping it fresh: reload on demand, on SIGHUP, or when
//! files under the schedules directory change. A reload that fails keeps the last good one;
//! so does a reload that panics, and both count as failures on `/readyz` and in `/metrics`.

use super::metrics::Metrics;
use super::validators::http_date;
use crate::engine::eval::Schedule;
use crate::engine::time::Instant;
use crate::format::error::LoadError;
use arc_swap::ArcSwap;
use axum::http::HeaderValue;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

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
    /// Per-request timeout.
    pub timeout: std::time::Duration,
    /// Serve `/bench/baseline`, a constant body the size of an availability answer.
    pub baseline_route: bool,
    /// A request head must arrive within this of the connection opening or its last response
    /// (slow heads and idle keep-alive connections are closed); a response write that makes
    /// no progress for as long is closed too.
    pub header_timeout: std::time::Duration,
    /// The most connections open at once; one more is answered `503` and closed.
    pub max_connections: usize,
    /// On shutdown, how long open connections may take to finish before they are dropped.
    pub shutdown_grace: std::time::Duration,
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
            shutdown_grace: std::time::Duration::from_secs(10),
        }
    }
}

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
        let last_modified = HeaderValue::from_str(&latest.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
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
    /// Permits for work that may take long (window lists, the feed): off the async workers,
    /// a few at a time, so they cannot starve `/healthz` or take all the memory.
    heavy: Arc<tokio::sync::Semaphore>,
}

/// How many long requests run at once; others wait for a permit until their deadline.
pub const HEAVY_AT_ONCE: usize = 4;

impl AppState {
    /// Loads the schedule once; fails if the first load fails (there is nothing to serve).
    ///
    /// # Errors
    /// The [`LoadError`] of the first load.
    pub fn new(config: Config) -> Result<Arc<AppState>, LoadError> {
        let schedule = load(&config)?;
        Ok(Arc::new(AppState {
            current: ArcSwap::from_pointee(Loaded::new(schedule, 1)),
            config,
            last_error: Mutex::new(None),
            metrics: Metrics::default(),
            baseline: std::sync::OnceLock::new(),
            reload_lock: Mutex::new(()),
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
        self.reload_with(|| load(&self.config))
    }

    fn reload_with(&self, load: impl FnOnce() -> Result<Schedule, LoadError>) -> Result<u64, LoadError> {
        let _one_at_a_time = self.reload_lock.lock().unwrap_or_else(|p| p.into_inner());
        // A panic while loading is a failed reload like any other: the last good schedule
        // keeps serving, and the failure is counted and shown.
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(load)).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err(LoadError::Invalid(vec![crate::format::error::Diagnostic {
                file: self.config.schedules.as_ref().map_or("<embedded>".into(), |p| p.display().to_string()),
                line: 0,
                column: 0,
                message: format!("the loader panicked ({what}); this is a bug in mado, please report it with the schedules"),
            }]))
        });
        match loaded {
            Ok(schedule) => {
                let generation = self.current.load().generation + 1;
                self.current.store(Arc::new(Loaded::new(schedule, generation)));
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
                self.metrics.reloads.fetch_add(1, Ordering::Relaxed);
                tracing::info!(generation, "schedule reloaded");
                Ok(generation)
            }
            Err(e) => {
                self.metrics.reload_failures.fetch_add(1, Ordering::Relaxed);
                for d in e.diagnostics() {
                    tracing::error!(file = %d.file, line = d.line, column = d.column, "reload rejected, still serving the last good schedule: {}", d.message);
                }
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                Err(e)
            }
        }
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
}

pub(crate) fn load(config: &Config) -> Result<Schedule, LoadError> {
    Schedule::load(config.schedules.as_deref())
}

/// Watches the schedules directory and reloads after changes settle (editors that save by
/// renaming included: the directory is watched, not the files): `debounce` after the last
/// change, but never later than [`MAX_WAIT`] after the first, so that a directory written
/// continuously is still reloaded.
///
/// # Errors
/// When the watcher cannot be started.
pub fn watch(st: Arc<AppState>, debounce: std::time::Duration) -> notify::Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    let dir = st.config.schedules.clone().ok_or_else(|| notify::Error::generic("--watch needs --schedules DIR"))?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if ev.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(&dir, notify::RecursiveMode::Recursive)?;
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Debounce: wait until no event has come for `debounce`, or `MAX_WAIT` has passed.
            let deadline = tokio::time::Instant::now() + MAX_WAIT.max(debounce);
            loop {
                let wait = debounce.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
                match tokio::time::timeout(wait, rx.recv()).await {
                    Ok(Some(())) if tokio::time::Instant::now() < deadline => {}
                    Ok(None) => return,
                    _ => break,
                }
            }
            let st = st.clone();
            let _ = tokio::task::spawn_blocking(move || st.reload()).await;
        }
    });
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_during_a_reload_is_a_reload_failure() {
        let st = AppState::new(Config::default()).expect("embedded schedules load");
        let err = st.reload_with(|| panic!("boom")).expect_err("a panic fails the reload");
        assert!(err.to_string().contains("the loader panicked (boom)"), "{err}");
        assert_eq!(st.current().generation, 1, "the last good schedule keeps serving");
        assert!(!st.last_reload_ok());
        assert_eq!(st.metrics.reload_failures.load(Ordering::Relaxed), 1);
        assert_eq!(st.reload().expect("a good reload"), 2);
        assert!(st.last_reload_ok());
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
