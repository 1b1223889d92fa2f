//! HTTP plumbing shared by the handlers: JSON errors, validators and conditional requests,
//! the per-second answer cache.
//!
//! Validators follow what an answer *means*, not its bytes: a body carries `at` and `as_of`
//! (the current second by default), so a hash of the bytes would change every second and
//! no cache could revalidate. The weak `ETag` hashes the schedule's content, the parameters
//! that shape the answer, and the answer's status, `until`, windows and next window; two
//! seconds later the same meaning gives the same tag and a `304`.

use crate::engine::error::QueryError;
use crate::engine::eval::Schedule;
use crate::engine::time::Instant;
use crate::views::json::to_json;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The longest query string accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 2048;

/// A response ready to send: body, validators and caching header.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) body: axum::body::Bytes,
    pub(crate) etag: HeaderValue,
    pub(crate) cache_control: HeaderValue,
    pub(crate) last_modified: HeaderValue,
}

/// FNV-1a, fed field by field: a validator stable across runs, builds and replicas.
#[derive(Clone, Copy)]
pub(crate) struct Meaning(u64);

impl Meaning {
    pub(crate) fn new(fingerprint: u64) -> Meaning {
        let mut m = Meaning(0xcbf2_9ce4_8422_2325);
        m.u64(fingerprint);
        m
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Meaning {
        for x in b {
            self.0 ^= u64::from(*x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }
    pub(crate) fn str(&mut self, s: &str) -> &mut Meaning {
        // The length first, so ("ab", "c") and ("a", "bc") differ.
        self.u64(s.len() as u64).bytes(s.as_bytes())
    }
    pub(crate) fn u64(&mut self, v: u64) -> &mut Meaning {
        self.bytes(&v.to_le_bytes())
    }
    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

impl std::fmt::Write for Meaning {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

/// `W/"…"`: weak, because the bytes differ (`at`, `as_of`, compression) where the meaning does not.
pub(crate) fn weak_tag(hash: u64) -> HeaderValue {
    let mut buf = [0u8; 21];
    buf[..3].copy_from_slice(b"W/\"");
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in 0..16 {
        buf[3 + i] = HEX[((hash >> (60 - 4 * i)) & 0xf) as usize];
    }
    buf[19] = b'"';
    HeaderValue::from_bytes(&buf[..20]).unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""))
}

/// What a schedule generation contributes to every validator and date, computed when it is
/// loaded (kept in `Loaded`, so a request reads it through the schedule it already holds).
#[derive(Debug)]
pub(crate) struct Generation {
    /// A hash of the schedule's whole content: equal on replicas serving the same files.
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
        use std::fmt::Write as _;
        let mut m = Meaning::new(0);
        // Debug output covers every field of the model, in load order (no hash maps).
        let _ = write!(m, "{:?}{:?}{:?}{:?}", s.catalogue, s.notices, s.lineages, s.delays);
        let since = crate::engine::time::now() + chrono::Duration::seconds(1);
        let mut known_from: Vec<Instant> = s.notices().iter().map(|n| n.known_from()).collect();
        known_from.sort_unstable();
        Generation { fingerprint: m.finish(), since, since_header: http_date(since), known_from }
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

thread_local! {
    static DATE: std::cell::RefCell<(i64, HeaderValue)> = const { std::cell::RefCell::new((i64::MIN, HeaderValue::from_static(""))) };
}

/// An HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`). Formatted once per second and thread:
/// formatting dates was the largest single cost of an uncached answer.
pub(crate) fn http_date(t: Instant) -> HeaderValue {
    DATE.with(|d| {
        let mut d = d.borrow_mut();
        if d.0 != t.timestamp() {
            let v = HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
                .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
            *d = (t.timestamp(), v);
        }
        d.1.clone()
    })
}

/// The JSON of `views::json::to_json`, byte for byte, written into a buffer sized for an
/// answer so it is not grown and copied several times.
pub(crate) fn json_body<T: serde::Serialize>(v: &T) -> axum::body::Bytes {
    let mut buf = Vec::with_capacity(2048);
    match serde_json::to_writer_pretty(&mut buf, v) {
        Ok(()) => {
            buf.push(b'\n');
            buf.into()
        }
        Err(_) => to_json(v).into(),
    }
}

/// Seconds a cache may keep an answer that stops being true at `until`, seen at the second
/// `now`. Two seconds are taken off: the rest of the current second, and the second a cache
/// that keeps whole-second clocks (nginx) may round its expiry up by.
pub(crate) fn seconds_until(now: Instant, until: Instant) -> u64 {
    u64::try_from((until - now).num_seconds() - 2).unwrap_or(0)
}

const NO_CACHE: &str = "public, no-cache";

/// `public, max-age=N`, or `no-cache` (ask every time) when N is 0.
pub(crate) fn cache_control(max_age: u64) -> HeaderValue {
    if max_age == 0 {
        return HeaderValue::from_static(NO_CACHE);
    }
    HeaderValue::from_str(&format!("public, max-age={max_age}")).unwrap_or_else(|_| HeaderValue::from_static("public, no-cache"))
}

/// Answers about "now" are identical within one second (instants are whole seconds), so
/// each worker thread keeps them per query string for the second and schedule they were
/// made for. Per thread, so hits take no lock and share no cache line.
pub(crate) struct AnswerCache;

type Answers = (Option<Arc<crate::server::Loaded>>, i64, std::collections::HashMap<Box<str>, Prepared>);

thread_local! {
    static ANSWERS: std::cell::RefCell<Answers> = std::cell::RefCell::new((None, 0, std::collections::HashMap::new()));
}

impl AnswerCache {
    const MAX_ENTRIES: usize = 4096;

    pub(crate) fn get(key: &str, loaded: &Arc<crate::server::Loaded>, second: i64) -> Option<Prepared> {
        ANSWERS.with(|c| {
            let c = c.borrow();
            if c.1 == second && c.0.as_ref().is_some_and(|l| Arc::ptr_eq(l, loaded)) {
                c.2.get(key).cloned()
            } else {
                None
            }
        })
    }

    pub(crate) fn put(key: &str, loaded: &Arc<crate::server::Loaded>, second: i64, p: Prepared) {
        ANSWERS.with(|c| {
            let mut c = c.borrow_mut();
            if c.1 != second || !c.0.as_ref().is_some_and(|l| Arc::ptr_eq(l, loaded)) || c.2.len() >= Self::MAX_ENTRIES {
                c.2.clear();
                c.0 = Some(loaded.clone());
                c.1 = second;
            }
            c.2.insert(key.into(), p);
        });
    }
}

/// The JSON of an answer with the places of its `at` and `as_of` marked, so that another
/// question meaning the same (equal `engine::answer::Evaluated` keys: the same function,
/// windows, `until`, children and statements, asked in the same zone and language) is
/// answered by filling in its own two instants instead of describing and serializing
/// windows again.
#[derive(Clone)]
pub(crate) struct Template {
    body: axum::body::Bytes,
    /// Where `at` and `as_of` are written, and how long each is.
    at: (usize, usize),
    as_of: (usize, usize),
    /// The answer's validator hash and `until`, which do not depend on `at` or `as_of`.
    pub(crate) hash: u64,
    pub(crate) until: Option<Instant>,
}

/// An instant as the answers' JSON writes it, without the quotes.
pub(crate) fn json_instant(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    let quoted = serde_json::to_string(t).unwrap_or_default();
    quoted.trim_matches('"').to_string()
}

impl Template {
    /// Marks `body`, the pretty JSON of one answer whose `at` and `as_of` are written `at`
    /// and `as_of`; `None` when they are not where a top-level field is.
    pub(crate) fn of(body: &axum::body::Bytes, at: &str, as_of: &str, hash: u64, until: Option<Instant>) -> Option<Template> {
        // Pretty JSON indents the answer's own fields by two spaces and nothing else by two.
        let place = |key: &str, value: &str| {
            let needle = format!("\n  \"{key}\": \"{value}\"");
            let i = body.windows(needle.len()).position(|w| w == needle.as_bytes())?;
            Some((i + needle.len() - 1 - value.len(), value.len()))
        };
        Some(Template { at: place("at", at)?, as_of: place("as_of", as_of)?, body: body.clone(), hash, until })
    }

    /// The body with `at` and `as_of` written in; `None` when either is not as long as the
    /// one it replaces (an offset with seconds, say).
    pub(crate) fn fill(&self, at: &str, as_of: &str) -> Option<axum::body::Bytes> {
        if self.at.1 != at.len() || self.as_of.1 != as_of.len() {
            return None;
        }
        let mut v = self.body.to_vec();
        v[self.at.0..self.at.0 + at.len()].copy_from_slice(at.as_bytes());
        v[self.as_of.0..self.as_of.0 + as_of.len()].copy_from_slice(as_of.as_bytes());
        Some(v.into())
    }
}

/// Each worker thread's answer templates for the schedule they were made with, keyed by
/// the exact bytes of what the answer says (never a hash of them, so two meanings never
/// share a template).
pub(crate) struct Templates;

type TemplateMap = (Option<Arc<crate::server::Loaded>>, std::collections::HashMap<Box<[u8]>, Template>);

thread_local! {
    static TEMPLATES: std::cell::RefCell<TemplateMap> = std::cell::RefCell::new((None, std::collections::HashMap::new()));
}

/// A `Hasher` that keeps the bytes it is fed: the key of a template.
#[derive(Default)]
pub(crate) struct KeyBytes(pub(crate) Vec<u8>);

impl std::hash::Hasher for KeyBytes {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        0
    }
}

impl Templates {
    const MAX_ENTRIES: usize = 4096;

    pub(crate) fn get(key: &[u8], loaded: &Arc<crate::server::Loaded>) -> Option<Template> {
        TEMPLATES.with(|c| {
            let c = c.borrow();
            c.0.as_ref().filter(|l| Arc::ptr_eq(l, loaded)).and_then(|_| c.1.get(key).cloned())
        })
    }

    pub(crate) fn put(key: Vec<u8>, loaded: &Arc<crate::server::Loaded>, t: Template) {
        TEMPLATES.with(|c| {
            let mut c = c.borrow_mut();
            if !c.0.as_ref().is_some_and(|l| Arc::ptr_eq(l, loaded)) || c.1.len() >= Self::MAX_ENTRIES {
                c.1.clear();
                c.0 = Some(loaded.clone());
            }
            c.1.insert(key.into(), t);
        });
    }
}

/// What every error body looks like.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorKind,
    /// The query parameter at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// A sentence that quotes the bad value, says what is allowed and gives an example.
    pub detail: String,
    /// For an unknown function: catalogue ids close to it, best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<String>>,
    /// For a closed set (channels): the values allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

/// The kinds of error, one per status code that carries a body.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// 400: a parameter is missing, unknown, repeated or malformed.
    BadRequest,
    /// 404: the function is not in the catalogue.
    UnknownFunction,
    /// 404: no such route.
    NotFound,
    /// 405: a method other than GET, HEAD or OPTIONS.
    MethodNotAllowed,
    /// 408: the request took longer than the server's timeout.
    Timeout,
    /// 414: the query string is longer than 2048 bytes.
    QueryTooLong,
    /// 431: the request headers are too large.
    HeadersTooLarge,
    /// 500: a failure inside mado.
    Internal,
    /// 503: a long request (a window list, the feed) could not run within its deadline.
    Busy,
}

/// A JSON error response.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: ErrorBody,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, error: ErrorKind, detail: String) -> ApiError {
        ApiError { status, body: ErrorBody { error, parameter: None, detail, suggestions: None, allowed: None } }
    }

    pub(crate) fn bad(parameter: &str, detail: String) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, ErrorKind::BadRequest, detail);
        e.body.parameter = Some(parameter.to_string());
        e
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        match &e {
            QueryError::UnknownFunction { suggestions, .. } => {
                let mut a = ApiError::new(StatusCode::NOT_FOUND, ErrorKind::UnknownFunction, e.to_string());
                a.body.parameter = Some("function".into());
                a.body.suggestions = Some(suggestions.clone());
                a
            }
            QueryError::UnknownChannel { allowed, .. } => {
                let mut a = ApiError::bad("channel", e.to_string());
                a.body.allowed = Some(allowed.clone());
                a
            }
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

/// The conditional part of a request. `If-None-Match` wins over `If-Modified-Since`
/// (RFC 9110 §13.2.2).
pub(crate) enum Condition {
    None,
    Tags(HeaderValue),
    Since(Instant),
}

impl Condition {
    pub(crate) fn of(req: &HeaderMap) -> Condition {
        if let Some(v) = req.get(header::IF_NONE_MATCH) {
            return Condition::Tags(v.clone());
        }
        match req.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()).and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok()) {
            Some(t) => Condition::Since(t.with_timezone(&chrono::Utc)),
            None => Condition::None,
        }
    }
}

/// Weak comparison (RFC 9110 §8.8.3.2): `W/"x"` matches `"x"` and `W/"x"`; `*` matches any.
pub(crate) fn tag_matches(list: &HeaderValue, tag: &HeaderValue) -> bool {
    let opaque = |t: &[u8]| -> Vec<u8> { t.strip_prefix(b"W/").unwrap_or(t).to_vec() };
    let mine = opaque(tag.as_bytes());
    list.as_bytes().split(|b| *b == b',').map(|t| t.trim_ascii()).any(|t| t == b"*" || opaque(t) == mine)
}

/// Whether the request's condition holds for a response tagged `etag`, asked at `now`:
/// `If-None-Match` by weak comparison; else `If-Modified-Since: t` when the schedule served
/// at `t` is still served and the answer asked at `t` (`meaning_at`) means what it means now.
pub(crate) fn unmodified(
    req: &HeaderMap,
    generation: &Generation,
    now: Instant,
    etag: &HeaderValue,
    meaning_at: impl FnOnce(Instant) -> Option<u64>,
) -> bool {
    match Condition::of(req) {
        Condition::None => false,
        Condition::Tags(list) => tag_matches(&list, etag),
        Condition::Since(t) => t <= now && generation.served_since(t) && meaning_at(t).is_some_and(|h| weak_tag(h) == etag),
    }
}

/// Sends `p`, or `304 Not Modified` with its validators when `not_modified`.
///
/// Never a 304 for what must not be kept (`no-cache`): nginx, given a 304 without a usable
/// `max-age`, keeps serving its copy for the `max-age` it was first stored with, which for an
/// answer about now reaches past its `until` (bench/proxy.sh caught this).
pub(crate) fn send(p: Prepared, content_type: &'static str, not_modified: bool) -> Response {
    let not_modified = not_modified && p.cache_control != NO_CACHE;
    let mut r = if not_modified { StatusCode::NOT_MODIFIED.into_response() } else { p.body.into_response() };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ETAG, p.etag);
    h.insert(header::CACHE_CONTROL, p.cache_control);
    h.insert(header::LAST_MODIFIED, p.last_modified);
    r
}

/// Sends a response whose meaning depends on the schedule alone (catalogue, feed, a fixed
/// question): `ETag` over the schedule and `key`, `Last-Modified` when this process began
/// serving the schedule.
pub(crate) fn send_static(
    req: &HeaderMap,
    generation: &Generation,
    key: &str,
    body: String,
    content_type: &'static str,
    max_age: u64,
) -> Response {
    let now = crate::engine::time::now();
    let mut m = Meaning::new(generation.fingerprint);
    m.str(key).bytes(body.as_bytes());
    let hash = m.finish();
    let p = Prepared {
        etag: weak_tag(hash),
        cache_control: cache_control(max_age),
        last_modified: generation.last_modified(now),
        body: axum::body::Bytes::from(body),
    };
    let not_modified = unmodified(req, generation, now, &p.etag, |_| Some(hash));
    send(p, content_type, not_modified)
}

/// Sends a body under a weak `ETag` of its bytes (the HTML pages), with `If-None-Match`.
pub(crate) fn respond(
    req: &HeaderMap,
    body: String,
    content_type: &'static str,
    cache_control: String,
    last_modified: Option<&HeaderValue>,
) -> Response {
    let mut m = Meaning::new(0);
    m.bytes(body.as_bytes());
    let p = Prepared {
        etag: weak_tag(m.finish()),
        cache_control: HeaderValue::from_str(&cache_control).unwrap_or_else(|_| HeaderValue::from_static(NO_CACHE)),
        last_modified: last_modified.cloned().unwrap_or_else(|| http_date(crate::engine::time::now())),
        body: body.into(),
    };
    let not_modified = match Condition::of(req) {
        Condition::Tags(list) => tag_matches(&list, &p.etag),
        _ => false,
    };
    send(p, content_type, not_modified)
}

pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorKind::Internal, "the request failed inside mado; it has been logged".into())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_comparison_matches_either_form_and_star_but_not_other_tags() {
        let tag = weak_tag(0xabc);
        assert_eq!(tag.to_str().unwrap(), "W/\"0000000000000abc\"");
        for yes in ["W/\"0000000000000abc\"", "\"0000000000000abc\"", "\"x\", W/\"0000000000000abc\"", "*"] {
            assert!(tag_matches(&HeaderValue::from_static(yes), &tag), "{yes}");
        }
        for no in ["\"0000000000000abd\"", "W/\"abc\"", "", "\"x\""] {
            assert!(!tag_matches(&HeaderValue::from_static(no), &tag), "{no}");
        }
    }

    #[test]
    fn max_age_stops_two_seconds_before_until() {
        let now = chrono::DateTime::from_timestamp(1_000, 0).unwrap();
        assert_eq!(seconds_until(now, now + chrono::Duration::seconds(30)), 28);
        assert_eq!(seconds_until(now, now + chrono::Duration::seconds(2)), 0);
        assert_eq!(seconds_until(now, now - chrono::Duration::seconds(5)), 0);
        assert_eq!(cache_control(0), "public, no-cache");
    }
}
