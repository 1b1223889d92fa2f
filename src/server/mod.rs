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

pub(crate) mod handlers;
mod http;
pub(crate) mod metrics;
pub(crate) mod openapi;
pub(crate) mod pages;
mod params;
mod state;

pub use http::MAX_QUERY_LEN;
pub use http::{ErrorBody, ErrorKind};
pub use params::{AvailabilityParams, CalendarParams, NoParams, WindowsParams};
pub use state::{watch, AppState, Config, Loaded};

use crate::engine::answer::Query;
use crate::engine::time;
use crate::views::json::to_json;
use axum::routing::get;
use axum::Router;
use handlers::*;
use std::sync::Arc;

/// The router with every endpoint and middleware.
pub fn router(st: Arc<AppState>) -> Router {
    let mut app = Router::new()
        .route("/v1/availability", get(availability))
        .route("/v1/windows", get(windows))
        .route("/v1/functions", get(functions))
        .route("/calendar.ics", get(calendar))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/openapi.json", get(crate::server::openapi::handler))
        .route("/", get(pages::status))
        .route("/timeline", get(pages::timeline))
        .route("/notices", get(pages::notices))
        .route("/notices/{id}", get(pages::notice));
    if st.config.baseline_route {
        let sample = Query::new("webcollect.credit_card", time::now());
        let size = st.current().schedule.check(&sample).map(|a| to_json(&a).len()).unwrap_or(1024);
        let _ = st.baseline.set(axum::body::Bytes::from(format!("{{\"baseline\":\"{}\"}}\n", "x".repeat(size.saturating_sub(16)))));
        app = app.route("/bench/baseline", get(baseline));
    }
    // Outermost last. `track` sees every response (compressed, or the 500 of a panic);
    // no timeout layer: handlers never wait on anything, so it could only ever time out
    // the work already done (slow clients are the connection's business, in `serve`).
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    let compress = SizeAbove::new(1024).and(NotForContentType::GRPC).and(NotForContentType::IMAGES).and(NotForContentType::SSE);
    app.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(http::panic_response))
        .layer(tower_http::compression::CompressionLayer::new().compress_when(compress))
        .layer(axum::middleware::from_fn_with_state(st.clone(), metrics::track))
        .with_state(st)
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
