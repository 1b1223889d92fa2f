//! `GET /openapi.json`, generated from the handlers' parameter and answer types.

use crate::server::handlers as server;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mado",
        description = "Maintenance windows of Kuroneko Web Collect: is a function available at an instant, as known at another?"
    ),
    paths(
        server::availability,
        server::windows,
        server::functions,
        server::calendar,
        server::healthz,
        server::readyz,
        crate::server::metrics::metrics
    ),
    components(schemas(
        crate::Answer,
        crate::WindowList,
        crate::WindowInfo,
        crate::DelayInfo,
        crate::RevisionInfo,
        crate::Status,
        crate::Action,
        crate::ChannelEffect,
        crate::Effect
    ))
)]
struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub(crate) async fn handler() -> Response {
    let mut r = document().into_response();
    r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    r
}
