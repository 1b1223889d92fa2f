//! The schedule being served, and keeping it fresh: reload on demand, on SIGHUP, or when
//! files under the schedules directory change. A reload that fails keeps the last good one.

use super::metrics::Metrics;
use crate::engine::eval::Schedule;
use crate::format::error::LoadError;
use arc_swap::ArcSwap;
use axum::http::HeaderValue;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

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
}

impl Default for Config {
    fn default() -> Config {
        Config { schedules: None, max_age: 60, timeout: std::time::Duration::from_secs(10), baseline_route: false }
    }
}

/// A loaded schedule and what the headers need from it.
#[derive(Debug)]
pub struct Loaded {
    /// The schedule.
    pub schedule: Schedule,
    /// Counts successful loads from 1.
    pub generation: u64,
    pub(crate) last_modified: HeaderValue,
}

impl Loaded {
    fn new(schedule: Schedule, generation: u64) -> Loaded {
        let latest = schedule.notices().iter().map(|n| n.known_from()).max().unwrap_or_default();
        let last_modified = HeaderValue::from_str(&latest.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
        Loaded { last_modified, schedule, generation }
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
}

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
        let _one_at_a_time = self.reload_lock.lock().unwrap_or_else(|p| p.into_inner());
        match load(&self.config) {
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

    /// The last reload error, if the last reload failed.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

pub(crate) fn load(config: &Config) -> Result<Schedule, LoadError> {
    Schedule::load(config.schedules.as_deref())
}

/// Watches the schedules directory and reloads after changes settle (editors that save by
/// renaming included: the directory is watched, not the files).
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
            // Debounce: wait until no event has come for `debounce`.
            while let Ok(Some(())) = tokio::time::timeout(debounce, rx.recv()).await {}
            let st = st.clone();
            let _ = tokio::task::spawn_blocking(move || st.reload()).await;
        }
    });
    Ok(watcher)
}
