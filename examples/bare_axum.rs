//! The ceiling `bench/http.sh` measures mado against: axum 0.8 on the same tokio runtime
//! and `axum::serve`, answering every path with a constant JSON body of a given size and
//! nothing else (no middleware, no parameters, no state).
//!
//! `cargo run --release --example bare_axum -- 127.0.0.1:18202 260`
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18202".into());
    let size: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(256);
    let body = axum::body::Bytes::from(format!("{{\"x\":\"{}\"}}\n", "x".repeat(size.saturating_sub(9))));
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move {
            let mut r: Response = body.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        axum::serve(listener, app).await
    })
}
