//! The counters behind `GET /metrics` and their Prometheus text (the edge middleware in
//! `edge.rs` records each response here).
//!
//! Every response is counted, the ones the edge answers itself (414, preflight) and errors
//! included, under bounded labels: the matched route (or `unmatched`) and a status from a
//! fixed list (or `other`). Counters live in one shard per worker thread, written by that
//! thread alone, and are summed when scraped: counting takes no lock and shares no cache line.
//! A request is counted through a `Slot` (which counters, and which route), a plain copy
//! that holds no reference: sharing one `Arc` between the threads' requests would make
//! every request bounce its count between the cores.

use axum::http::StatusCode;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

/// Upper bounds of the latency histogram, in seconds: from 10 µs, since a cached answer
/// takes tens of microseconds.
const BUCKETS: [f64; 14] = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5];
const NB: usize = BUCKETS.len() + 1;
/// The status label's values; anything else is `other`.
const STATUSES: [u16; 15] = [200, 204, 304, 400, 404, 405, 408, 413, 414, 415, 429, 431, 500, 503, 504];
const NS: usize = STATUSES.len() + 1;
/// At most this many route labels; the last is `other`.
const MAX_ROUTES: usize = 32;

#[derive(Default)]
struct Cell {
    count: [AtomicU64; NS],
    buckets: [AtomicU64; NB],
    sum_ns: AtomicU64,
}

/// One worker thread's counters. Only that thread writes them, so an increment is a load and
/// a store, not a locked read-modify-write.
struct Shard {
    routes: [Cell; MAX_ROUTES],
}

fn bump(a: &AtomicU64, by: u64) {
    a.store(a.load(Ordering::Relaxed).wrapping_add(by), Ordering::Relaxed);
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Every thread's shard of one `Metrics`.
type Shards = Mutex<Vec<Arc<Shard>>>;

/// The shards of every live `Metrics` by id, for a thread that counts a request for one it
/// has not counted for before.
static REGISTRY: Mutex<Vec<(u64, Weak<Shards>)>> = Mutex::new(Vec::new());

/// The server's counters.
pub(crate) struct Metrics {
    id: u64,
    routes: RwLock<Vec<Box<str>>>,
    shards: Arc<Shards>,
    pub(crate) reloads: AtomicU64,
    pub(crate) reload_failures: AtomicU64,
    /// Reloads refused because they would drop more than `--max-drop` of the notices.
    pub(crate) shrink_refusals: AtomicU64,
    /// When the schedule serving was loaded (Unix seconds).
    pub(crate) last_reload_success: AtomicI64,
    /// When the files were last found to be the schedule serving (Unix seconds).
    pub(crate) last_confirmed: AtomicI64,
    /// Reads of the schedules past their deadline that have not returned (shared with the
    /// threads doing them, which count themselves out when they return).
    pub(crate) stuck_reads: Arc<AtomicU64>,
    /// The watcher reported an error or could not watch what the schedules path resolves to.
    pub(crate) watch_failed: AtomicBool,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let shards = Arc::new(Mutex::new(Vec::new()));
        let mut registry = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
        registry.retain(|(_, w)| w.strong_count() > 0);
        registry.push((id, Arc::downgrade(&shards)));
        drop(registry);
        Metrics {
            id,
            routes: RwLock::new(Vec::new()),
            shards,
            reloads: AtomicU64::new(0),
            reload_failures: AtomicU64::new(0),
            shrink_refusals: AtomicU64::new(0),
            last_reload_success: AtomicI64::new(0),
            last_confirmed: AtomicI64::new(0),
            stuck_reads: Arc::new(AtomicU64::new(0)),
            watch_failed: AtomicBool::new(false),
        }
    }
}

/// Which counters a response is counted in: a `Metrics` and a route of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    id: u64,
    route: usize,
}

fn new_shard(shards: &Shards) -> Arc<Shard> {
    let shard = Arc::new(Shard { routes: std::array::from_fn(|_| Cell::default()) });
    shards.lock().unwrap_or_else(|p| p.into_inner()).push(shard.clone());
    shard
}

impl Slot {
    /// Counts one response, in this thread's shard (made on the thread's first count; not
    /// counted if the `Metrics` is gone).
    pub(crate) fn record(self, status: StatusCode, elapsed: std::time::Duration) {
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let secs = elapsed.as_secs_f64();
        let bucket = BUCKETS.iter().position(|b| secs <= *b).unwrap_or(NB - 1);
        let s = STATUSES.iter().position(|s| *s == status.as_u16()).unwrap_or(NS - 1);
        LOCAL.with(|l| {
            let mut l = l.borrow_mut();
            let i = match l.iter().position(|(id, ..)| *id == self.id) {
                Some(i) => i,
                None => {
                    let registry = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
                    let Some(shards) = registry.iter().find(|(id, _)| *id == self.id).and_then(|(_, w)| w.upgrade()) else { return };
                    drop(registry);
                    l.push((self.id, new_shard(&shards), Vec::new()));
                    l.len() - 1
                }
            };
            let cell = &l[i].1.routes[self.route.min(MAX_ROUTES - 1)];
            bump(&cell.count[s], 1);
            bump(&cell.buckets[bucket], 1);
            bump(&cell.sum_ns, ns);
        });
    }
}

/// This thread's shard of each `Metrics`, with the route labels it has seen.
type Local = Vec<(u64, Arc<Shard>, Vec<(Box<str>, usize)>)>;

thread_local! {
    static LOCAL: RefCell<Local> = const { RefCell::new(Vec::new()) };
}

impl Metrics {
    fn route_index(&self, route: &str) -> usize {
        if let Some(i) = self.routes.read().unwrap_or_else(|p| p.into_inner()).iter().position(|r| &**r == route) {
            return i;
        }
        let mut routes = self.routes.write().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = routes.iter().position(|r| &**r == route) {
            return i;
        }
        if routes.len() + 1 >= MAX_ROUTES {
            return MAX_ROUTES - 1;
        }
        routes.push(route.into());
        routes.len() - 1
    }

    /// Where a response of `route` is counted.
    pub(crate) fn slot(&self, route: &str) -> Slot {
        let route = LOCAL.with(|l| {
            let mut l = l.borrow_mut();
            let i = match l.iter().position(|(id, ..)| *id == self.id) {
                Some(i) => i,
                None => {
                    l.push((self.id, new_shard(&self.shards), Vec::new()));
                    l.len() - 1
                }
            };
            let seen = &mut l[i].2;
            match seen.iter().find(|(name, _)| &**name == route) {
                Some((_, r)) => *r,
                None => {
                    let r = self.route_index(route);
                    seen.push((route.into(), r));
                    r
                }
            }
        });
        Slot { id: self.id, route }
    }
    /// Counts by route (label, per-status counts, histogram buckets, sum of nanoseconds).
    fn totals(&self) -> Vec<(String, [u64; NS], [u64; NB], u64)> {
        let mut routes: Vec<String> = self.routes.read().unwrap_or_else(|p| p.into_inner()).iter().map(|r| r.to_string()).collect();
        routes.push("other".into());
        let shards = self.shards.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<_> = routes.into_iter().map(|r| (r, [0; NS], [0; NB], 0)).collect();
        let last = out.len() - 1;
        for shard in shards.iter() {
            for (i, cell) in shard.routes.iter().enumerate() {
                let o = &mut out[if i < last { i } else { last }];
                for (k, c) in cell.count.iter().enumerate() {
                    o.1[k] += c.load(Ordering::Relaxed);
                }
                for (k, c) in cell.buckets.iter().enumerate() {
                    o.2[k] += c.load(Ordering::Relaxed);
                }
                o.3 += cell.sum_ns.load(Ordering::Relaxed);
            }
        }
        out.retain(|o| o.1.iter().any(|n| *n > 0));
        out
    }
}

impl Metrics {
    /// The Prometheus text of every counter, with the schedule's generation, whether the
    /// last reload failed, and each function's status at `now`.
    pub(crate) fn render(
        &self,
        generation: u64,
        reload_error: bool,
        schedule: &crate::engine::eval::Schedule,
        now: crate::engine::time::Instant,
    ) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let m = self;
        let routes = m.totals();
        out.push_str("# HELP mado_http_requests_total HTTP responses by route and status.\n# TYPE mado_http_requests_total counter\n");
        for (route, counts, _, _) in &routes {
            for (i, n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                let status = STATUSES.get(i).map_or("other".to_string(), |s| s.to_string());
                let _ = writeln!(out, "mado_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
            }
        }
        out.push_str(
            "# HELP mado_http_request_duration_seconds Request latency by route.\n# TYPE mado_http_request_duration_seconds histogram\n",
        );
        for (route, _, buckets, sum_ns) in &routes {
            let mut cumulative = 0;
            for (i, le) in BUCKETS.iter().enumerate() {
                cumulative += buckets[i];
                let _ = writeln!(out, "mado_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}");
            }
            cumulative += buckets[NB - 1];
            let _ = writeln!(out, "mado_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}");
            let _ = writeln!(out, "mado_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", *sum_ns as f64 / 1e9);
            let _ = writeln!(out, "mado_http_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}");
        }
        let _ = writeln!(
            out,
            "# HELP mado_reloads_total Successful schedule reloads.\n# TYPE mado_reloads_total counter\nmado_reloads_total {}",
            m.reloads.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP mado_reload_failures_total Rejected schedule reloads.\n# TYPE mado_reload_failures_total counter\nmado_reload_failures_total {}", m.reload_failures.load(Ordering::Relaxed));
        let _ = writeln!(out, "# HELP mado_schedule_generation Generation of the schedule serving.\n# TYPE mado_schedule_generation gauge\nmado_schedule_generation {}", generation);
        let _ = writeln!(out, "# HELP mado_schedule_reload_error 1 when the last reload was rejected.\n# TYPE mado_schedule_reload_error gauge\nmado_schedule_reload_error {}", u8::from(reload_error));
        self.render_freshness(&mut out, reload_error);
        function_gauges(&mut out, schedule, now);
        out
    }
}

impl Metrics {
    /// Whether the schedule serving is known to be current, as Prometheus shows its own
    /// configuration reloads (`*_config_last_reload_successful` and its timestamp), and why
    /// `/readyz` is not ready when it is not.
    fn render_freshness(&self, out: &mut String, reload_error: bool) {
        use std::fmt::Write as _;
        let stuck = self.stuck_reads.load(Ordering::Relaxed);
        let watch_failed = self.watch_failed.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP mado_schedule_last_reload_successful 1 when the last reload succeeded, 0 when it was refused.\n# TYPE mado_schedule_last_reload_successful gauge\nmado_schedule_last_reload_successful {}",
            u8::from(!reload_error)
        );
        let _ = writeln!(
            out,
            "# HELP mado_schedule_last_reload_success_timestamp_seconds When the schedule serving was loaded (Unix time).\n# TYPE mado_schedule_last_reload_success_timestamp_seconds gauge\nmado_schedule_last_reload_success_timestamp_seconds {}",
            self.last_reload_success.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP mado_schedule_last_confirmed_timestamp_seconds When the files were last found to be the schedule serving (Unix time): its load, or a re-check or watch event that re-read them unchanged.\n# TYPE mado_schedule_last_confirmed_timestamp_seconds gauge\nmado_schedule_last_confirmed_timestamp_seconds {}",
            self.last_confirmed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP mado_reload_shrink_refusals_total Reloads refused because they would drop every notice or more than --max-drop of them.\n# TYPE mado_reload_shrink_refusals_total counter\nmado_reload_shrink_refusals_total {}",
            self.shrink_refusals.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP mado_reload_stuck_reads Reads of the schedules past --read-timeout that have not returned (threads left behind).\n# TYPE mado_reload_stuck_reads gauge\nmado_reload_stuck_reads {stuck}"
        );
        let _ = writeln!(
            out,
            "# HELP mado_ready 1 when /readyz is ready.\n# TYPE mado_ready gauge\nmado_ready {}",
            u8::from(stuck == 0 && !watch_failed)
        );
        let _ = writeln!(
            out,
            "# HELP mado_not_ready Why /readyz is not ready: a read of the schedules stuck past --read-timeout, or the watcher failed.\n# TYPE mado_not_ready gauge\nmado_not_ready{{reason=\"reload_stuck\"}} {}\nmado_not_ready{{reason=\"watcher_failed\"}} {}",
            u8::from(stuck > 0),
            u8::from(watch_failed)
        );
    }
}

/// Each function's status now and when it next changes, asked of the evaluator at scrape time.
/// `mado_function_status` is 0 available, 1 tentative, 2 unavailable; a function whose
/// status never changes has no `next_change` sample. When the catalogue names providers,
/// each series also carries `provider` (the function's provider's id).
pub(crate) fn function_gauges(out: &mut String, s: &crate::engine::eval::Schedule, now: crate::engine::time::Instant) {
    use crate::engine::eval::Status;
    use std::fmt::Write as _;
    let answers: Vec<_> =
        s.catalogue().functions().iter().filter_map(|f| s.check(&crate::engine::answer::Query::new(f.id(), now).as_of(now)).ok()).collect();
    out.push_str("# HELP mado_function_status Status now: 0 available, 1 tentative (days known, times not), 2 unavailable.\n# TYPE mado_function_status gauge\n");
    for a in &answers {
        let v = match a.status {
            Status::Available => 0,
            Status::Tentative => 1,
            Status::Unavailable => 2,
        };
        let _ = writeln!(out, "mado_function_status{{{}}} {v}", labels(a));
    }
    out.push_str("# HELP mado_function_next_change_timestamp_seconds When the status next changes (Unix time).\n# TYPE mado_function_next_change_timestamp_seconds gauge\n");
    for a in &answers {
        if let Some(u) = a.until {
            let _ = writeln!(out, "mado_function_next_change_timestamp_seconds{{{}}} {}", labels(a), u.timestamp());
        }
    }
}

/// A function series' labels: `function`, and `provider` when the answer names one. Ids are
/// lower-case words, dots, `-` and `_` (the catalogue refuses others): nothing to escape.
fn labels(a: &crate::engine::answer::Answer) -> String {
    match &a.provider {
        Some(p) => format!("function=\"{}\",provider=\"{p}\"", a.function),
        None => format!("function=\"{}\"", a.function),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request may finish on another worker thread than the one it started on.
    #[test]
    fn a_slot_counts_on_any_thread_and_not_after_its_metrics_are_gone() {
        let m = Metrics::default();
        let slot = m.slot("/v1/availability");
        slot.record(StatusCode::OK, std::time::Duration::from_micros(20));
        std::thread::spawn(move || slot.record(StatusCode::NOT_MODIFIED, std::time::Duration::from_micros(20))).join().expect("thread");
        std::thread::spawn(move || slot.record(StatusCode::OK, std::time::Duration::from_millis(3))).join().expect("thread");
        let totals = m.totals();
        assert_eq!(totals.len(), 1);
        let (route, counts, buckets, _) = &totals[0];
        assert_eq!(route, "/v1/availability");
        assert_eq!((counts[0], counts[2]), (2, 1), "200s and 304s");
        assert_eq!(buckets.iter().sum::<u64>(), 3);
        assert_eq!(buckets[1], 2, "20 µs is in the 25 µs bucket");
        drop(m);
        std::thread::spawn(move || slot.record(StatusCode::OK, std::time::Duration::from_micros(20)))
            .join()
            .expect("a count for metrics that are gone is dropped, not a panic");
    }
}
