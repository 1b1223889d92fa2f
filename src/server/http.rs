//! HTTP plumbing shared by the handlers: JSON errors, validators and conditional requests,
//! the per-second answer cache, and query-string parameters.

use crate::engine::error::QueryError;
use crate::views::json::to_json;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The longest query string accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 2048;

/// A response ready to send: body, validator and caching header.
#[derive(Clone)]
pub(crate) struct Prepared {
    body: axum::body::Bytes,
    etag: HeaderValue,
    cache_control: HeaderValue,
}

/// Answers about "now" are identical within one second (instants are whole seconds), so
/// each worker thread keeps them per query string for the second and schedule generation
/// they were made for. Per thread, so hits take no lock and share no cache line.
pub(crate) struct AnswerCache;

thread_local! {
    static ANSWERS: std::cell::RefCell<(u64, i64, std::collections::HashMap<String, Prepared>)> =
        std::cell::RefCell::new((0, 0, std::collections::HashMap::new()));
}

impl AnswerCache {
    const MAX_ENTRIES: usize = 4096;

    pub(crate) fn get(key: &str, generation: u64, second: i64) -> Option<Prepared> {
        ANSWERS.with(|c| {
            let c = c.borrow();
            if c.0 == generation && c.1 == second {
                c.2.get(key).cloned()
            } else {
                None
            }
        })
    }

    pub(crate) fn put(key: &str, generation: u64, second: i64, p: Prepared) {
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

/// A JSON error: `{ "error": ..., "detail": ..., ... }`.
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: serde_json::Value,
}

impl ApiError {
    pub(crate) fn bad(parameter: &str, detail: String) -> ApiError {
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
            QueryError::OutOfRange { parameter, detail } => ApiError::bad(parameter, detail.clone()),
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

/// FNV-1a: a strong validator for a body (stable across runs and builds).
fn etag(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("\"{h:016x}-{}\"", body.len())
}

pub(crate) fn prepare(body: String, cache_control: &str) -> Prepared {
    let tag = etag(body.as_bytes());
    Prepared {
        etag: HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\"")),
        cache_control: HeaderValue::from_str(cache_control).unwrap_or_else(|_| HeaderValue::from_static("no-cache")),
        body: axum::body::Bytes::from(body),
    }
}

pub(crate) fn send(req: &HeaderMap, p: Prepared, content_type: &'static str, last_modified: Option<&HeaderValue>) -> Response {
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

pub(crate) fn respond(
    req: &HeaderMap,
    body: String,
    content_type: &'static str,
    cache_control: String,
    last_modified: Option<&HeaderValue>,
) -> Response {
    send(req, prepare(body, &cache_control), content_type, last_modified)
}

pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: serde_json::json!({ "error": "internal", "detail": "the request failed inside mado; it has been logged" }),
    }
    .into_response()
}
