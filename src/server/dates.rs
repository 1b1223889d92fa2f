//! The one HTTP-date formatter (RFC 9110 §5.6.7), shared by the state (a schedule's
//! `Last-Modified`) and the validators (`Date`-like headers of each response).

use crate::engine::time::Instant;
use axum::http::HeaderValue;

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
