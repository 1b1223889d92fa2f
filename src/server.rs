//! `mado serve`: the HTTP interface. Every answer comes from the same library calls and
//! serializers as the CLI; this module only parses parameters, sets HTTP headers and keeps
//! the schedule fresh.
//!
//! Reloads build the new schedule completely and validate it before swapping it in
//! atomically (`arc-swap`); requests in flight finish on the schedule they started with. A
//! broken file never replaces a good schedule: the last good one keeps serving, and the error
//! is logged, shown on `/readyz` and counted in `/metrics`.

use crate::api::{Query, WindowsQuery};
use crate::error::{LoadError, QueryError};
use crate::eval::Schedule;
use crate::ical::{self, FeedOptions, Lang};
use crate::time::{self, Instant};
use arc_swap::ArcSwap;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The longest query string accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 2048;

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
    last_modified: HeaderValue,
}

impl Loaded {
    fn new(schedule: Schedule, generation: u64) -> Loaded {
        let latest = schedule.notices().iter().map(|n| n.known_from()).max().unwrap_or_default();
        let last_modified = HeaderValue::from_str(&latest.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
        Loaded { last_modified, schedule, generation }
    }
}

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; 10],
    sum: f64,
}

#[derive(Default)]
struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
    reloads: AtomicU64,
    reload_failures: AtomicU64,
}

/// A response ready to send: body, validator and caching header.
#[derive(Clone)]
struct Prepared {
    body: axum::body::Bytes,
    etag: HeaderValue,
    cache_control: HeaderValue,
}

/// Answers about "now" are identical within one second (instants are whole seconds), so
/// each worker thread keeps them per query string for the second and schedule generation
/// they were made for. Per thread, so hits take no lock and share no cache line.
struct AnswerCache;

thread_local! {
    static ANSWERS: std::cell::RefCell<(u64, i64, std::collections::HashMap<String, Prepared>)> =
        std::cell::RefCell::new((0, 0, std::collections::HashMap::new()));
}

impl AnswerCache {
    const MAX_ENTRIES: usize = 4096;

    fn get(key: &str, generation: u64, second: i64) -> Option<Prepared> {
        ANSWERS.with(|c| {
            let c = c.borrow();
            if c.0 == generation && c.1 == second {
                c.2.get(key).cloned()
            } else {
                None
            }
        })
    }

    fn put(key: &str, generation: u64, second: i64, p: Prepared) {
        ANSWERS.with(|c| {
            let mut c = c.borrow_mut();
            if c.0 != generation || c.1 != second || c.2.len() >= Self::MAX_ENTRIES {
                c.2.clear();
                c.0 = generation;
                c.1 = second;
            }
            c.2.insert(key.to_string(), p);
        });
    }
}

const BUCKETS: [f64; 9] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5];

/// Shared server state.
pub struct AppState {
    current: ArcSwap<Loaded>,
    config: Config,
    last_error: Mutex<Option<String>>,
    metrics: Metrics,
    baseline: std::sync::OnceLock<axum::body::Bytes>,
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

fn load(config: &Config) -> Result<Schedule, LoadError> {
    Schedule::load(config.schedules.as_deref())
}

/// The JSON every interface prints for an answer or a list: pretty, with a final newline.
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\":\"serialization\",\"detail\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// A JSON error: `{ "error": ..., "detail": ..., ... }`.
pub(crate) struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

impl ApiError {
    fn bad(parameter: &str, detail: String) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: serde_json::json!({ "error": "bad_request", "parameter": parameter, "detail": detail }),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        match &e {
            QueryError::UnknownFunction { suggestions, .. } => ApiError {
                status: StatusCode::NOT_FOUND,
                body: serde_json::json!({ "error": "unknown_function", "parameter": "function", "detail": e.to_string(), "suggestions": suggestions }),
            },
            QueryError::UnknownChannel { allowed, .. } => ApiError {
                status: StatusCode::BAD_REQUEST,
                body: serde_json::json!({ "error": "bad_request", "parameter": "channel", "detail": e.to_string(), "allowed": allowed }),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, to_json(&self.body)).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

/// Parameters of `GET /v1/availability`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityParams {
    /// Function id, e.g. `webcollect.credit_card`.
    pub function: String,
    /// Instant asked about (RFC 3339, local `2023-11-13 03:00`, a date, or `now`); default now.
    pub at: Option<String>,
    /// Count only notices known at this instant; default now.
    pub as_of: Option<String>,
    /// Lookahead: the answer covers `[at, at + for)`, e.g. `15m`.
    #[serde(rename = "for")]
    #[param(rename = "for")]
    pub lookahead: Option<String>,
    /// Report only this channel's effect (`link`, `mail`, `token_embedded`, `token_modal`, `api`).
    pub channel: Option<String>,
    /// Zone for local instants and output; default `Asia/Tokyo`.
    pub tz: Option<String>,
}

/// Parameters of `GET /v1/windows`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WindowsParams {
    /// Start of the range, inclusive; default now.
    pub from: Option<String>,
    /// End of the range, exclusive; default 31 days after `from`.
    pub to: Option<String>,
    /// Only windows that affect this function.
    pub function: Option<String>,
    /// Count only notices known at this instant; default now.
    pub as_of: Option<String>,
    /// At most this many windows (1 to 100000, default 1000); `truncated` says when it cut.
    pub limit: Option<String>,
    /// Zone for local instants and output; default `Asia/Tokyo`.
    pub tz: Option<String>,
}

/// Parameters of `GET /calendar.ics`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// Only windows that affect this function (naming it or an ancestor).
    pub function: Option<String>,
    /// `ja` (default) or `en`.
    pub lang: Option<String>,
}

/// No parameters.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

type Q<T> = Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, ApiError> {
    q.map(|axum::extract::Query(v)| v).map_err(|e| {
        let text = e.body_text();
        let detail = text.strip_prefix("Failed to deserialize query string: ").unwrap_or(&text).to_string();
        let parameter = detail.split('`').nth(1).unwrap_or("").to_string();
        ApiError::bad(&parameter, detail)
    })
}

fn instant_param(v: Option<&String>, name: &str, zone: chrono_tz::Tz, now: Instant) -> Result<Option<Instant>, ApiError> {
    v.map(|v| time::parse_instant(v, zone, now).map_err(|m| ApiError::bad(name, m))).transpose()
}

fn zone_param(tz: Option<&String>) -> Result<chrono_tz::Tz, ApiError> {
    tz.map_or(Ok(time::DEFAULT_ZONE), |z| time::parse_zone(z).map_err(|m| ApiError::bad("tz", m)))
}

/// FNV-1a: a strong validator for a body (stable across runs and builds).
fn etag(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("\"{h:016x}-{}\"", body.len())
}

fn prepare(body: String, cache_control: &str) -> Prepared {
    let tag = etag(body.as_bytes());
    Prepared {
        etag: HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\"")),
        cache_control: HeaderValue::from_str(cache_control).unwrap_or_else(|_| HeaderValue::from_static("no-cache")),
        body: axum::body::Bytes::from(body),
    }
}

fn send(req: &HeaderMap, p: Prepared, content_type: &'static str, last_modified: Option<&HeaderValue>) -> Response {
    let matches = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        let tag = p.etag.to_str().unwrap_or("");
        v.split(',').any(|t| t.trim() == tag || t.trim() == "*")
    });
    let mut r = if matches { StatusCode::NOT_MODIFIED.into_response() } else { p.body.into_response() };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ETAG, p.etag);
    h.insert(header::CACHE_CONTROL, p.cache_control);
    if let Some(lm) = last_modified {
        h.insert(header::LAST_MODIFIED, lm.clone());
    }
    r
}

fn respond(
    req: &HeaderMap,
    body: String,
    content_type: &'static str,
    cache_control: String,
    last_modified: Option<&HeaderValue>,
) -> Response {
    send(req, prepare(body, &cache_control), content_type, last_modified)
}

/// Is a function available? The JSON of `mado check --format json`.
#[utoipa::path(get, path = "/v1/availability", params(AvailabilityParams),
    responses((status = 200, description = "The answer", body = crate::Answer),
              (status = 400, description = "A bad parameter: `{ error, parameter, detail }`"),
              (status = 404, description = "Unknown function, with `suggestions`")))]
pub(crate) async fn availability(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let now = time::now();
    let loaded = st.current.load();
    let headers = req.headers();
    let key = req.uri().query().unwrap_or("");
    if let Some(hit) = AnswerCache::get(key, loaded.generation, now.timestamp()) {
        return Ok(send(headers, hit, "application/json", Some(&loaded.last_modified)));
    }
    let p = query(axum::extract::Query::<AvailabilityParams>::try_from_uri(req.uri()))?;
    let zone = zone_param(p.tz.as_ref())?;
    let at = instant_param(p.at.as_ref(), "at", zone, now)?;
    let mut q = Query::new(p.function.clone(), at.unwrap_or(now))
        .as_of(instant_param(p.as_of.as_ref(), "as_of", zone, now)?.unwrap_or(now))
        .zone(zone);
    if let Some(d) = &p.lookahead {
        q = q.lookahead(time::parse_duration(d).map_err(|m| ApiError::bad("for", m))?);
    }
    if let Some(c) = &p.channel {
        q = q.channel(c.clone());
    }
    let answer = loaded.schedule.check(&q)?;
    // A cached "unavailable" (or any answer about now) must not outlive its `until`.
    let ceiling = st.config.max_age;
    let max_age = match (at, answer.until) {
        (None, Some(u)) => u64::try_from((u.with_timezone(&chrono::Utc) - now).num_seconds()).unwrap_or(0).min(ceiling),
        _ => ceiling,
    };
    let prepared = prepare(to_json(&answer), &format!("public, max-age={max_age}"));
    AnswerCache::put(key, loaded.generation, now.timestamp(), prepared.clone());
    Ok(send(headers, prepared, "application/json", Some(&loaded.last_modified)))
}

/// Window occurrences overlapping `[from, to)`, and delays: the JSON of `mado windows`.
#[utoipa::path(get, path = "/v1/windows", params(WindowsParams),
    responses((status = 200, description = "The list", body = crate::WindowList),
              (status = 400, description = "A bad parameter"), (status = 404, description = "Unknown function")))]
pub(crate) async fn windows(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<WindowsParams>) -> Result<Response, ApiError> {
    let p = query(p)?;
    let now = time::now();
    let zone = zone_param(p.tz.as_ref())?;
    let from = instant_param(p.from.as_ref(), "from", zone, now)?.unwrap_or(now);
    let to = instant_param(p.to.as_ref(), "to", zone, now)?.unwrap_or(from + Duration::days(31));
    if to <= from {
        return Err(ApiError::bad("to", "`to` must be after `from`; the range is [from, to)".into()));
    }
    let limit = match &p.limit {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or_else(|| ApiError::bad("limit", format!("`{l}` is not a limit; expected a whole number from 1 to 100000")))?,
        None => 1000,
    };
    let as_of = instant_param(p.as_of.as_ref(), "as_of", zone, now)?.unwrap_or(now);
    let loaded = st.current();
    let list = loaded.schedule.windows(&WindowsQuery { from, to, function: p.function.clone(), as_of, limit, zone })?;
    Ok(respond(&headers, to_json(&list), "application/json", format!("public, max-age={}", st.config.max_age), Some(&loaded.last_modified)))
}

/// The function and channel catalogue.
#[utoipa::path(get, path = "/v1/functions", responses((status = 200, description = "`{ functions: [{id, parent, ja, en}], channels: [...] }`")))]
pub(crate) async fn functions(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<NoParams>) -> Result<Response, ApiError> {
    query(p)?;
    let loaded = st.current();
    Ok(respond(
        &headers,
        to_json(&crate::catalogue_json(loaded.schedule.catalogue())),
        "application/json",
        format!("public, max-age={}", st.config.max_age),
        Some(&loaded.last_modified),
    ))
}

/// The iCalendar feed (RFC 5545), to subscribe to.
#[utoipa::path(get, path = "/calendar.ics", params(CalendarParams),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar"), (status = 404, description = "Unknown function")))]
pub(crate) async fn calendar(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<CalendarParams>) -> Result<Response, ApiError> {
    let p = query(p)?;
    let lang = match p.lang.as_deref() {
        None | Some("ja") => Lang::Ja,
        Some("en") => Lang::En,
        Some(other) => return Err(ApiError::bad("lang", format!("`{other}` is not a language; expected `ja` or `en`"))),
    };
    let loaded = st.current();
    let opts = FeedOptions { function: p.function.clone(), lang, now: time::now(), refresh: Duration::hours(1) };
    let body = ical::feed(&loaded.schedule, &opts)?;
    Ok(respond(
        &headers,
        body,
        "text/calendar; charset=utf-8",
        format!("public, max-age={}", st.config.max_age),
        Some(&loaded.last_modified),
    ))
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "ok")))]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: the schedule serving, and the last reload error if the last reload failed.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "`{ ready, generation, notices, source, last_reload_error }`")))]
pub(crate) async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    let loaded = st.current();
    let body = serde_json::json!({
        "ready": true,
        "generation": loaded.generation,
        "notices": loaded.schedule.notices().len(),
        "source": st.config.schedules.as_ref().map_or("embedded".to_string(), |p| p.display().to_string()),
        "last_reload_error": st.last_error(),
    });
    let mut r = to_json(&body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

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
    let mut r = out.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}

async fn baseline(State(st): State<Arc<AppState>>) -> Response {
    let body = st.baseline.get().cloned().unwrap_or_default();
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

async fn not_found(req: Request) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        body: serde_json::json!({ "error": "not_found", "detail": format!("no route `{}`; expected one of /v1/availability, /v1/windows, /v1/functions, /calendar.ics, /healthz, /readyz, /metrics, /openapi.json", req.uri().path()) }),
    }
}

async fn method_not_allowed(req: Request) -> Response {
    let mut r = ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        body: serde_json::json!({ "error": "method_not_allowed", "detail": format!("`{}` is not allowed; mado answers GET and HEAD", req.method()) }),
    }
    .into_response();
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
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

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: serde_json::json!({ "error": "internal", "detail": "the request failed inside mado; it has been logged" }),
    }
    .into_response()
}

/// The router with every endpoint and middleware.
pub fn router(st: Arc<AppState>) -> Router {
    let mut app = Router::new()
        .route("/v1/availability", get(availability))
        .route("/v1/windows", get(windows))
        .route("/v1/functions", get(functions))
        .route("/calendar.ics", get(calendar))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(crate::openapi::handler));
    if st.config.baseline_route {
        let sample = Query::new("webcollect.credit_card", time::now());
        let size = st.current().schedule.check(&sample).map(|a| to_json(&a).len()).unwrap_or(1024);
        let _ = st.baseline.set(axum::body::Bytes::from(format!("{{\"baseline\":\"{}\"}}\n", "x".repeat(size.saturating_sub(16)))));
        app = app.route("/bench/baseline", get(baseline));
    }
    app.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(st.clone(), track))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, st.config.timeout))
        .layer(tower_http::cors::CorsLayer::new().allow_origin(tower_http::cors::Any).allow_methods([Method::GET, Method::HEAD]))
        .with_state(st)
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

/// Runs the server until SIGTERM or Ctrl-C; SIGHUP reloads.
///
/// # Errors
/// When the address cannot be bound, the schedule cannot be loaded, or watching fails.
pub async fn serve(addr: std::net::SocketAddr, config: Config, watch_dir: bool) -> anyhow::Result<()> {
    let st = AppState::new(config)?;
    let _watcher = if watch_dir { Some(watch(st.clone(), std::time::Duration::from_millis(300))?) } else { None };
    #[cfg(unix)]
    {
        let st = st.clone();
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                let st = st.clone();
                let _ = tokio::task::spawn_blocking(move || st.reload()).await;
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, generation = st.current().generation, "mado serving");
    axum::serve(listener, router(st)).with_graceful_shutdown(shutdown()).await?;
    tracing::info!("mado stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
