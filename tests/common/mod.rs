//! Helpers shared by the integration tests.
#![allow(dead_code)]

use mado::time::Instant;
use mado::{time, Schedule, SourceFile};

/// Parses a test instant: RFC 3339, or a local `YYYY-MM-DD HH:MM` in Asia/Tokyo.
pub fn at(s: &str) -> Instant {
    time::parse_instant(s, time::DEFAULT_ZONE, time::now()).unwrap_or_else(|e| panic!("bad test instant: {e}"))
}

/// The embedded seed schedules.
pub fn seeds() -> Schedule {
    Schedule::embedded().unwrap_or_else(|e| panic!("embedded schedules must load: {e}"))
}

/// The embedded schedules plus one fixture file from `tests/data/`.
pub fn with_fixture(rel: &str) -> Result<Schedule, mado::LoadError> {
    let mut files = mado::embedded_sources();
    let name = format!("tests/data/{rel}");
    let text = std::fs::read_to_string(&name).unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    files.push(SourceFile { name, text });
    Schedule::from_sources(files)
}

/// One request through the router, as a client would send it: status, headers and body.
#[cfg(feature = "server")]
pub async fn request(
    app: &mado::server::App,
    uri: &str,
    headers: &[(&str, &str)],
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app.clone().oneshot(req.body(axum::body::Body::empty()).expect("request")).await.expect("infallible");
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}
