//! The edge of every request: the query-length limit, CORS and its preflight, `nosniff`,
//! counting; and `GET /metrics`.

use super::http::{ApiError, ErrorKind, MAX_QUERY_LEN};
use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The methods every route answers.
pub(crate) const ALLOW: &str = "GET, HEAD, OPTIONS";

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)))]
pub(crate) async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    let loaded = st.current();
    let out = st.metrics.render(loaded.generation, st.last_error().is_some(), &loaded.schedule, crate::engine::time::now());
    let mut r = out.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `OPTIONS` on a route: what it allows, and the CORS preflight answer. Browsers cache the
/// preflight for a day, and may send the validators cross-origin.
fn options() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("If-None-Match, If-Modified-Since, Cache-Control"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    r
}

/// The edge of every request: limits, CORS, `nosniff`, and counting.
pub(crate) async fn track(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut response = if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY_LEN) {
        ApiError::new(
            StatusCode::URI_TOO_LONG,
            ErrorKind::QueryTooLong,
            format!("the query string is longer than {MAX_QUERY_LEN} bytes; ask about fewer functions per request"),
        )
        .into_response()
    } else if req.method() == Method::OPTIONS && route.is_some() {
        options()
    } else {
        next.run(req).await
    };
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Any origin may read answers; with `*` no `Vary: Origin` is needed, so shared caches
    // keep one copy for every site.
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("ETag, Last-Modified"));
    st.metrics.record(route.as_ref().map_or("unmatched", |m| m.as_str()), response.status(), started.elapsed());
    response
}
