//! Conditional requests: what a response means (its weak `ETag`), its freshness
//! (`Cache-Control`), its dates, and the `304` decision.
//!
//! Validators follow what an answer *means*, not its bytes: a body carries `at` and `as_of`
//! (the current second by default), so a hash of the bytes would change every second and
//! no cache could revalidate. The weak `ETag` hashes the schedule's content fingerprint, the
//! parameters that shape the answer, and what the answer says (for `/v1/availability`, the
//! same bytes its template is filed under: one definition); two seconds later the same
//! meaning gives the same tag and a `304`.

use super::state::Generation;
use crate::engine::time::Instant;
use crate::views::json::to_json;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

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

pub(crate) use super::dates::http_date;

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
            Some(t) => Condition::Since(Instant::from(t)),
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
        let now = Instant::from_timestamp(1_000).unwrap();
        assert_eq!(seconds_until(now, now + chrono::Duration::seconds(30)), 28);
        assert_eq!(seconds_until(now, now + chrono::Duration::seconds(2)), 0);
        assert_eq!(seconds_until(now, now - chrono::Duration::seconds(5)), 0);
        assert_eq!(cache_control(0), "public, no-cache");
    }
}
