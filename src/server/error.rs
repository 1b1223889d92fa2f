//! JSON error bodies: every error names what was wrong and what is allowed.

use crate::engine::error::QueryError;
use crate::views::json::to_json;
use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

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
            QueryError::UnknownChannel { allowed, .. } | QueryError::ChannelNotOfProvider { allowed, .. } => {
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

pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorKind::Internal, "the request failed inside mado; it has been logged".into())
        .into_response()
}
