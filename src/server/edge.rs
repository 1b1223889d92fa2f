//! The edge of every request, as one hand-written tower layer: the query-length limit, CORS
//! and its preflight, `nosniff` and the other security headers, compression when the client
//! asks, a `500` for a panic, counting and the access log; and `GET /metrics`.
//!
//! One service around the whole router rather than a stack of layers on each route
//! (`axum::middleware::from_fn`, tower-http's catch-panic and compression): axum clones a
//! route's layers for every request, and each of those boxed or wrapped every request and
//! response (docs/engineering.md, "HTTP load test"). Compression is tower-http's, and only a request with
//! `Accept-Encoding` goes through it. As the edge sees a request before the router has
//! matched it, it names the route itself (`route_label`), from the same table the router is
//! built from.

use super::access::Entry;
use super::error::{panic_response, ApiError, ErrorKind};
use super::metrics::Slot;
use super::params::MAX_QUERY_LEN;
use super::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use std::convert::Infallible;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower_http::compression::predicate::{And, NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{Compression, CompressionBody};

/// The largest request head answered (request line and headers); a larger one is `431`.
pub(crate) const MAX_HEAD: usize = 64 * 1024;

/// The size of a request's head as sent: its target and each header line.
fn head_size(req: &Request) -> usize {
    req.uri().path().len()
        + req.uri().query().map_or(0, str::len)
        + 16
        + req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum::<usize>()
}

/// The methods every route answers.
pub(crate) const ALLOW: &str = "GET, HEAD, OPTIONS";

/// What the pages may load: they run no script, their one stylesheet is inline (`<style>`),
/// the timeline is inline SVG, and its form is sent to mado itself.
pub(crate) const PAGE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// Everything else is data, never a document to render or frame.
pub(crate) const DATA_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)))]
pub(crate) async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    let loaded = st.current();
    // The functions' status at the server's now: under `--now`, the fixed clock.
    let mut out = st.metrics.render(loaded.generation, st.last_error().is_some(), &loaded.schedule, st.now());
    if let Some(f) = &st.config.follow {
        out.push_str(&f.metrics());
    }
    let mut r = out.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    super::params::mark_clock(st.config.now, &mut r);
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

/// Which bodies are compressed: over 1 KB, and not images, gRPC or event streams.
pub type Compressible = And<And<And<SizeAbove, NotForContentType>, NotForContentType>, NotForContentType>;

fn compressible() -> Compressible {
    SizeAbove::new(1024).and(NotForContentType::GRPC).and(NotForContentType::IMAGES).and(NotForContentType::SSE)
}

/// The router behind the edge: the limits, CORS, `nosniff`, compression, catch-panic and
/// counting every response gets. Cloned once per connection.
#[derive(Clone)]
pub struct Edge<S> {
    st: Arc<AppState>,
    inner: S,
    compressed: Compression<S, Compressible>,
}

impl<S: Clone> Edge<S> {
    pub(crate) fn new(st: Arc<AppState>, inner: S) -> Edge<S> {
        Edge { st, compressed: Compression::new(inner.clone()).compress_when(compressible()), inner }
    }
}

/// The route a path is answered by, as the router names it, or `None` (a `404`).
pub(crate) fn route_label(path: &str) -> Option<&'static str> {
    if let Some(id) = path.strip_prefix("/notices/") {
        return (!id.is_empty() && !id.contains('/')).then_some("/notices/{id}");
    }
    super::ROUTES.iter().find(|r| r.path == path).map(|r| r.path)
}

impl<S> tower::Service<Request> for Edge<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EdgeFuture<S::Future, <Compression<S, Compressible> as tower::Service<Request>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both are the same route, which is always ready; polled so the contract holds.
        match (self.inner.poll_ready(cx), self.compressed.poll_ready(cx)) {
            (Poll::Ready(_), Poll::Ready(_)) => Poll::Ready(Ok(())),
            _ => Poll::Pending,
        }
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = std::time::Instant::now();
        let route = route_label(req.uri().path());
        let slot = self.st.metrics.slot(route.unwrap_or("unmatched"));
        let entry = self.st.config.access_log.as_ref().map(|log| log.begin(&req));
        let kind = if req.uri().query().is_some_and(|q| q.len() > MAX_QUERY_LEN) {
            let e = ApiError::new(
                StatusCode::URI_TOO_LONG,
                ErrorKind::QueryTooLong,
                format!("the query string is longer than {MAX_QUERY_LEN} bytes; ask about fewer functions per request"),
            );
            Kind::Done { response: Some(e.into_response()) }
        } else if head_size(&req) > MAX_HEAD {
            let e = ApiError::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                ErrorKind::HeadersTooLarge,
                format!("the request line and headers are larger than {} KiB; send fewer or shorter headers", MAX_HEAD / 1024),
            );
            Kind::Done { response: Some(e.into_response()) }
        } else if req.method() == Method::CONNECT {
            // Not a proxy: every route allows the same methods (never a 404 for CONNECT's
            // authority-form target).
            let mut r = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorKind::MethodNotAllowed,
                format!("`CONNECT` is not allowed; mado is not a proxy; expected one of {ALLOW}"),
            )
            .into_response();
            r.headers_mut().insert(header::ALLOW, HeaderValue::from_static(ALLOW));
            Kind::Done { response: Some(r) }
        } else if req.method() == Method::OPTIONS && route.is_some() {
            Kind::Done { response: Some(options()) }
        } else {
            let compress = req.headers().contains_key(header::ACCEPT_ENCODING);
            let mut req = req;
            if compress && req.method() == Method::HEAD {
                // Asked as GET through compression, so HEAD says what GET would (its
                // Content-Encoding, no uncompressed length); hyper sends no body for a HEAD.
                *req.method_mut() = Method::GET;
            }
            let (inner, compressed) = (&mut self.inner, &mut self.compressed);
            match catch_unwind(AssertUnwindSafe(move || {
                if compress {
                    Kind::Compressed { fut: compressed.call(req) }
                } else {
                    Kind::Plain { fut: inner.call(req) }
                }
            })) {
                Ok(kind) => kind,
                Err(panic) => Kind::Done { response: Some(panicked(panic)) },
            }
        };
        EdgeFuture { kind, slot, started, entry }
    }
}

pin_project! {
    #[project = KindProj]
    pub enum Kind<F, G> {
        Done { response: Option<Response> },
        Plain { #[pin] fut: F },
        Compressed { #[pin] fut: G },
    }
}

pin_project! {
    /// The response of `Edge`: the route's, or one the edge made itself, finished on the way out.
    pub struct EdgeFuture<F, G> {
        #[pin]
        kind: Kind<F, G>,
        slot: Slot,
        started: std::time::Instant,
        entry: Option<Entry>,
    }
}

impl<F, G> Future for EdgeFuture<F, G>
where
    F: Future<Output = Result<Response, Infallible>>,
    G: Future<Output = Result<Response<CompressionBody<Body>>, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let kind = this.kind.project();
        let polled = catch_unwind(AssertUnwindSafe(move || match kind {
            KindProj::Done { response } => {
                Poll::Ready(response.take().unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response()))
            }
            KindProj::Plain { fut } => fut.poll(cx).map(|r| {
                let mut r = r.unwrap_or_else(|e| match e {});
                // What tower-http's compression would say for a body it may compress, so a
                // shared cache keys the plain and the compressed copy apart.
                let varies = r
                    .headers()
                    .get_all(header::VARY)
                    .iter()
                    .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|h| h.trim().eq_ignore_ascii_case("accept-encoding"))));
                if compressible().should_compress(&r) && !varies {
                    r.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
                }
                r
            }),
            KindProj::Compressed { fut } => fut.poll(cx).map(|r| r.unwrap_or_else(|e| match e {}).map(Body::new)),
        }));
        let mut response = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(r)) => r,
            Err(panic) => panicked(panic),
        };
        let html = response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        let h = response.headers_mut();
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(if html { PAGE_CSP } else { DATA_CSP }));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        // Any origin may read answers; with `*` no `Vary: Origin` is needed, so shared caches
        // keep one copy for every site.
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("ETag, Last-Modified"));
        this.slot.record(response.status(), this.started.elapsed());
        if let Some(entry) = this.entry.take() {
            response = entry.finish(response);
        }
        Poll::Ready(Ok(response))
    }
}

/// The `500` of a panic, logged with its message.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str)).unwrap_or("");
    tracing::error!(message, "a request panicked; answered 500");
    panic_response(panic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::{Service, ServiceExt};

    fn state() -> Arc<AppState> {
        AppState::new(crate::server::Config::default()).expect("embedded schedules load")
    }

    /// A route that panics while making its future, or while it is polled.
    #[derive(Clone)]
    struct Panics {
        in_call: bool,
    }

    impl Service<Request> for Panics {
        type Response = Response;
        type Error = Infallible;
        type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: Request) -> Self::Future {
            assert!(!self.in_call, "panic in call");
            Box::pin(async { panic!("panic in poll") })
        }
    }

    #[test]
    fn every_documented_route_is_named_by_its_path_and_nothing_else_is() {
        let st = state();
        let doc: serde_json::Value = serde_json::from_str(&crate::server::openapi::document_for(&st.current().schedule)).expect("json");
        let paths: Vec<&String> = doc["paths"].as_object().expect("paths").keys().collect();
        assert!(paths.len() >= 12, "{paths:?}");
        for p in paths {
            let concrete = p.replace("{id}", "2023-10-10-db-upgrade-revised");
            assert_eq!(route_label(&concrete), Some(p.as_str()), "{concrete}");
            assert!(super::super::ROUTES.iter().any(|r| r.path == p.as_str()), "{p} is not in ROUTES");
        }
        for unknown in ["/v1", "/v1/availability/", "/notices/", "/notices/a/b", "/favicon.ico", ""] {
            assert_eq!(route_label(unknown), None, "{unknown}");
        }
    }

    #[tokio::test]
    async fn a_panic_is_a_counted_500_with_the_edge_headers_and_a_json_body() {
        let st = state();
        for in_call in [true, false] {
            for encoding in [None, Some("gzip")] {
                let mut req = Request::builder().uri("/v1/x");
                if let Some(e) = encoding {
                    req = req.header(header::ACCEPT_ENCODING, e);
                }
                let svc = Edge::new(st.clone(), Panics { in_call });
                let r = svc.oneshot(req.body(Body::empty()).expect("request")).await.expect("infallible");
                assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR, "in_call {in_call}, {encoding:?}");
                assert_eq!(r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
                assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json");
            }
        }
        let text = st.metrics.render(0, false, &st.current().schedule, crate::engine::time::now());
        assert!(text.contains("route=\"unmatched\",status=\"500\"} 4"), "{text}");
    }
}
