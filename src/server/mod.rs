//! `mado serve`: the HTTP interface (feature `server`). Every answer comes from the same library calls and
//! serializers as the CLI; this module only parses parameters, sets HTTP headers and keeps
//! the schedule fresh.
//!
//! Reloads build the new schedule completely and validate it before swapping it in
//! atomically (`arc-swap`); requests in flight finish on the schedule they started with. A
//! broken file never replaces a good schedule: the last good one keeps serving, and the error
//! is logged, shown on `/readyz` and counted in `/metrics`.

//!
//! May use: the engine, the format's loaders and the views. Nothing outside this folder
//! knows HTTP.

mod access;
mod cache;
mod conn;
mod dates;
mod edge;
mod error;
pub mod follow;
pub(crate) mod handlers;
pub(crate) mod metrics;
pub(crate) mod openapi;
pub(crate) mod pages;
mod params;
mod state;
mod statuspage;
mod validators;

pub use access::{AccessLog, Peer};
pub use error::{ErrorBody, ErrorKind};
pub use pages::Links;
pub use params::{parse_clock, MAX_QUERY_LEN};
pub use params::{AvailabilityParams, CalendarParams, NoParams, WindowsParams};
pub use state::{watch, AppState, Config, Loaded, DEBOUNCE, MAX_WAIT};

use crate::engine::answer::Query;
use crate::engine::time;
use crate::views::json::to_json;
use axum::routing::get;
use axum::Router;
use handlers::*;
use std::sync::Arc;

/// Every route's path, in the order `router` adds them (the edge names routes from it).
pub(crate) const ROUTES: &[Route] = &[
    Route { path: "/v1/availability", handler: || get(availability), bench_only: false },
    Route { path: "/v1/windows", handler: || get(windows), bench_only: false },
    Route { path: "/v1/functions", handler: || get(functions), bench_only: false },
    Route { path: "/v1/zones", handler: || get(openapi::zones), bench_only: false },
    Route { path: "/calendar.ics", handler: || get(calendar), bench_only: false },
    Route { path: "/api/v2/summary.json", handler: || get(statuspage::summary), bench_only: false },
    Route { path: "/api/v2/status.json", handler: || get(statuspage::status), bench_only: false },
    Route { path: "/api/v2/components.json", handler: || get(statuspage::components), bench_only: false },
    Route { path: "/api/v2/scheduled-maintenances.json", handler: || get(statuspage::maintenances), bench_only: false },
    Route { path: "/api/v2/scheduled-maintenances/upcoming.json", handler: || get(statuspage::upcoming), bench_only: false },
    Route { path: "/api/v2/scheduled-maintenances/active.json", handler: || get(statuspage::active), bench_only: false },
    Route { path: "/api/v2/incidents.json", handler: || get(statuspage::incidents), bench_only: false },
    Route { path: "/api/v2/incidents/unresolved.json", handler: || get(statuspage::unresolved), bench_only: false },
    Route { path: "/healthz", handler: || get(healthz), bench_only: false },
    Route { path: "/readyz", handler: || get(handlers::readyz), bench_only: false },
    Route { path: "/metrics", handler: || get(edge::metrics), bench_only: false },
    Route { path: "/openapi.json", handler: || get(crate::server::openapi::handler), bench_only: false },
    Route { path: "/", handler: || get(pages::status), bench_only: false },
    Route { path: "/timeline", handler: || get(pages::timeline), bench_only: false },
    Route { path: "/notices", handler: || get(pages::notices), bench_only: false },
    Route { path: "/notices/{id}", handler: || get(pages::notice), bench_only: false },
    Route { path: "/bench/baseline", handler: || get(baseline), bench_only: true },
];

/// One route: its path as the router matches it (and as metrics and the access log name it),
/// and its handler. The router and the edge read this one table.
pub(crate) struct Route {
    pub(crate) path: &'static str,
    handler: fn() -> axum::routing::MethodRouter<Arc<AppState>>,
    /// Only with `--bench-baseline`.
    bench_only: bool,
}

/// The whole HTTP interface: every endpoint behind the one edge service. A tower `Service`
/// (`tower::ServiceExt::oneshot` in tests); `serve` gives each connection its own copy.
pub type App = edge::Edge<Router>;

/// The router with every endpoint, behind the edge.
pub fn router(st: Arc<AppState>) -> App {
    let mut app = Router::new();
    for r in ROUTES {
        if r.bench_only && !st.config.baseline_route {
            continue;
        }
        app = app.route(r.path, (r.handler)());
    }
    if st.config.baseline_route {
        let sample = Query::new("webcollect.credit_card", time::now());
        let size = st.current().schedule.check(&sample).map(|a| to_json(&a).len()).unwrap_or(1024);
        let _ = st.baseline.set(axum::body::Bytes::from(format!("{{\"baseline\":\"{}\"}}\n", "x".repeat(size.saturating_sub(16)))));
    }
    // The edge around the whole router (see `edge`) sees every response, the compressed
    // ones and the 500 of a panic included. No timeout layer: handlers never wait on
    // anything, so it could only ever time out the work already done (slow clients are the
    // connection's business, in `serve`).
    let routes = app.fallback(not_found).method_not_allowed_fallback(method_not_allowed).with_state(st.clone());
    edge::Edge::new(st, routes)
}

/// Runs the server until SIGTERM or Ctrl-C; SIGHUP reloads.
///
/// Connections are served by hyper directly, with the limits `Config` names: a request head
/// must arrive within `header_timeout` of the connection opening or its last response being
/// written (slow heads and idle keep-alive connections are closed), a response write that
/// makes no progress for as long is closed too (see `conn`), at most `max_connections` are
/// open (one more is answered `503` and closed, never left hanging), and on shutdown the open
/// connections get `shutdown_grace` to finish before they are dropped.
///
/// `addr` is `HOST:PORT`; a host name (`localhost:8080`) is resolved, and the first of its
/// addresses that can be bound is used.
///
/// # Errors
/// When the address cannot be bound (the error names it), the schedule cannot be loaded, or
/// watching fails.
pub async fn serve(addr: &str, config: Config, watch_dir: bool) -> anyhow::Result<()> {
    use anyhow::Context as _;
    // SIGTERM is handled from the start: one during the first load (a large schedule, a slow
    // mount) stops mado cleanly, exit 0, with a log line.
    let stop = shutdown();
    tokio::pin!(stop);
    let loading = tokio::task::spawn_blocking(move || AppState::new(config));
    let st = tokio::select! {
        loaded = loading => loaded.map_err(|e| anyhow::anyhow!("loading the schedule: {e}"))??,
        () = &mut stop => {
            tracing::info!("stopped while loading the schedule; nothing was served");
            return Ok(());
        }
    };
    let _watcher = if watch_dir { Some(watch(st.clone(), state::DEBOUNCE)?) } else { None };
    follow::spawn(&st);
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
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on `{addr}` (--addr HOST:PORT)"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, generation = st.current().generation, "mado serving");
    serve_on(listener, st, stop).await;
    tracing::info!("mado stopped");
    Ok(())
}

/// The answer to a connection over the limit: written raw, as the connection is not served.
fn busy_response() -> Vec<u8> {
    let body = "{\"error\":\"busy\",\"detail\":\"mado has as many connections open as it accepts; retry in a second\"}\n";
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncache-control: no-store\r\nretry-after: 1\r\nx-content-type-options: nosniff\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `listener` until `stop` completes, then shuts down within the grace period.
pub async fn serve_on(listener: tokio::net::TcpListener, st: Arc<AppState>, stop: impl std::future::Future<Output = ()>) {
    use hyper_util::rt::TokioIo;
    let app = router(st.clone());
    let mut http = hyper::server::conn::http1::Builder::new();
    // No hyper timer: `conn`'s watchdog keeps the header timeout without one per request.
    http.max_buf_size(64 * 1024);
    let permits = Arc::new(tokio::sync::Semaphore::new(st.config.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut last_busy_log = std::time::Instant::now() - std::time::Duration::from_secs(60);
    let mut refused: u64 = 0;
    let busy: Arc<[u8]> = busy_response().into();
    let registry = Arc::new(conn::Registry::default());
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, rather than spin or stop.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = conn::Activity::new();
        // One client may hold only its share of the slots.
        // A trusted proxy (nginx in front) carries every client's connections: not capped.
        let cap = if st.config.links.trusts(peer.ip()) { usize::MAX } else { st.config.max_connections_per_client };
        let registered = registry.enter(peer.ip(), activity.clone(), cap);
        // When every slot is taken, the connection idle longest (a kept-alive one waiting for
        // its next request) makes room: a slow but valid client cannot hold /healthz hostage.
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) if registered.is_some() && registry.close_idlest() => {
                tokio::time::timeout(std::time::Duration::from_millis(250), permits.clone().acquire_owned()).await.ok().and_then(Result::ok)
            }
            Err(_) => None,
        };
        let over_share = registered.is_none();
        let (Some(permit), Some(registered)) = (permit, registered) else {
            st.metrics.slot("unmatched").record(axum::http::StatusCode::SERVICE_UNAVAILABLE, std::time::Duration::ZERO);
            refused += 1;
            if last_busy_log.elapsed() >= std::time::Duration::from_secs(1) {
                if over_share {
                    tracing::warn!(%peer, refused, max = cap, "this client's connection limit reached (--max-connections-per-client; list a proxy in front with --trusted-proxy); answering 503 and closing");
                } else {
                    tracing::warn!(%peer, refused, max = st.config.max_connections, "connection limit reached, no idle connection to close; answering 503 and closing");
                }
                last_busy_log = std::time::Instant::now();
            }
            tokio::spawn(refuse(stream, busy.clone()));
            continue;
        };
        let io = conn::Watched { io: TokioIo::new(stream), activity: activity.clone() };
        // The connection's own copy of the app, called in place: hyper asks one request at a
        // time on an HTTP/1 connection, so the cell is never borrowed twice, and the router is
        // not cloned per request (axum's Router and the edge are always ready).
        let (routes, spare) = (std::cell::RefCell::new(app.clone()), app.clone());
        let watched = activity.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let busy = watched.begin();
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(access::Peer(peer));

            let answer = match routes.try_borrow_mut() {
                Ok(mut app) => tower::Service::call(&mut *app, req),
                Err(_) => tower::Service::call(&mut spare.clone(), req),
            };
            async move {
                let r = answer.await;
                drop(busy);
                r
            }
        });
        let conn = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(drive(conn, registered, activity, permit, st.clone(), peer));
    }
    drop(listener);
    let open = graceful.count();
    tracing::info!(open, grace_seconds = st.config.shutdown_grace.as_secs(), "shutting down: no new connections; open ones may finish");
    if tokio::time::timeout(st.config.shutdown_grace, graceful.shutdown()).await.is_err() {
        tracing::warn!("shutdown grace period over; dropping the connections still open");
    }
}

/// Answers `503` on a connection mado has no slot for, and closes it (within a second).
async fn refuse(mut stream: tokio::net::TcpStream, busy: Arc<[u8]>) {
    use tokio::io::AsyncWriteExt;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        let _ = stream.write_all(&busy).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// Drives one connection to its end: it ends, or is closed to make room, or waited past the
/// header timeout, or its request ran past `--request-timeout`. Then its slot is free.
async fn drive(
    conn: impl std::future::Future<Output = Result<(), hyper::Error>>,
    registered: conn::Registered,
    activity: Arc<conn::Activity>,
    permit: tokio::sync::OwnedSemaphorePermit,
    st: Arc<AppState>,
    peer: std::net::SocketAddr,
) {
    let (timeout, request_timeout) = (st.config.header_timeout, st.config.request_timeout);
    tokio::pin!(conn);
    let mut watchdog = tokio::time::interval(conn::Activity::period(timeout));
    watchdog.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            ended = conn.as_mut() => {
                if let Err(e) = ended {
                    if e.is_parse_too_large() {
                        // hyper answered 431 itself: counted like every response.
                        st.metrics.slot("unmatched").record(axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, std::time::Duration::ZERO);
                    }
                    tracing::debug!(%peer, "connection ended: {e}");
                }
                break;
            }
            () = registered.close.notified() => {
                tracing::debug!(%peer, "closing the connection idle longest to make room for a new one");
                break;
            }
            _ = watchdog.tick() => if activity.overdue(timeout) {
                tracing::debug!(%peer, "closing a connection that waited longer than the header timeout");
                break;
            } else if activity.past_deadline(request_timeout) {
                // The whole-request deadline: closed, and counted as unanswered.
                st.metrics.slot("unmatched").record(axum::http::StatusCode::SERVICE_UNAVAILABLE, request_timeout);
                tracing::warn!(%peer, seconds = request_timeout.as_secs(), "closing a connection whose request was not answered within --request-timeout");
                break;
            },
        }
    }
    drop(permit);
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
