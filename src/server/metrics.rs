//! Request counting and `GET /metrics` in the Prometheus text format.

use super::http::{ApiError, MAX_QUERY_LEN};
use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub(crate) struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; 10],
    sum: f64,
}

#[derive(Default)]
pub(crate) struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
    pub(crate) reloads: AtomicU64,
    pub(crate) reload_failures: AtomicU64,
}

const BUCKETS: [f64; 9] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5];

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format")))]
pub(crate) async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    use std::fmt::Write as _;
    let mut out = String::new();
    let m = &st.metrics;
    let routes = m.routes.lock().unwrap_or_else(|p| p.into_inner());
    out.push_str("# HELP mado_http_requests_total HTTP requests by route and status.\n# TYPE mado_http_requests_total counter\n");
    for (route, stats) in routes.iter() {
        for (status, n) in &stats.by_status {
            let _ = writeln!(out, "mado_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
    }
    out.push_str(
        "# HELP mado_http_request_duration_seconds Request latency by route.\n# TYPE mado_http_request_duration_seconds histogram\n",
    );
    for (route, stats) in routes.iter() {
        let counts = &stats.buckets;
        let mut cumulative = 0;
        for (i, le) in BUCKETS.iter().enumerate() {
            cumulative += counts[i];
            let _ = writeln!(out, "mado_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}");
        }
        cumulative += counts[9];
        let _ = writeln!(out, "mado_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}");
        let _ = writeln!(out, "mado_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", stats.sum);
        let _ = writeln!(out, "mado_http_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}");
    }
    drop(routes);
    let _ = writeln!(
        out,
        "# HELP mado_reloads_total Successful schedule reloads.\n# TYPE mado_reloads_total counter\nmado_reloads_total {}",
        m.reloads.load(Ordering::Relaxed)
    );
    let _ = writeln!(out, "# HELP mado_reload_failures_total Rejected schedule reloads.\n# TYPE mado_reload_failures_total counter\nmado_reload_failures_total {}", m.reload_failures.load(Ordering::Relaxed));
    let _ = writeln!(out, "# HELP mado_schedule_generation Generation of the schedule serving.\n# TYPE mado_schedule_generation gauge\nmado_schedule_generation {}", st.current().generation);
    let _ = writeln!(out, "# HELP mado_schedule_reload_error 1 when the last reload was rejected.\n# TYPE mado_schedule_reload_error gauge\nmado_schedule_reload_error {}", u8::from(st.last_error().is_some()));
    function_gauges(&mut out, &st.current().schedule, crate::engine::time::now());
    let mut r = out.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}

pub(crate) async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route: Arc<str> = req.extensions().get::<MatchedPath>().map_or(Arc::from("unmatched"), |m| Arc::from(m.as_str()));
    if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY_LEN) {
        let e = ApiError {
            status: StatusCode::URI_TOO_LONG,
            body: serde_json::json!({ "error": "query_too_long", "detail": format!("the query string is longer than {MAX_QUERY_LEN} bytes") }),
        };
        return e.into_response();
    }
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let secs = started.elapsed().as_secs_f64();
    let bucket = BUCKETS.iter().position(|b| secs <= *b).unwrap_or(9);
    let mut routes = st.metrics.routes.lock().unwrap_or_else(|p| p.into_inner());
    if !routes.contains_key(&*route) {
        routes.insert(route.to_string(), RouteStats::default());
    }
    if let Some(stats) = routes.get_mut(&*route) {
        *stats.by_status.entry(response.status().as_u16()).or_default() += 1;
        stats.buckets[bucket] += 1;
        stats.sum += secs;
    }
    drop(routes);
    response
}

/// Each function's status now and when it next changes, asked of the evaluator at scrape time.
/// `mado_function_status` is 0 available, 1 tentative, 2 unavailable; a function whose
/// status never changes has no `next_change` sample.
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
        let _ = writeln!(out, "mado_function_status{{function=\"{}\"}} {v}", a.function);
    }
    out.push_str("# HELP mado_function_next_change_timestamp_seconds When the status next changes (Unix time).\n# TYPE mado_function_next_change_timestamp_seconds gauge\n");
    for a in &answers {
        if let Some(u) = a.until {
            let _ = writeln!(out, "mado_function_next_change_timestamp_seconds{{function=\"{}\"}} {}", a.function, u.timestamp());
        }
    }
}
