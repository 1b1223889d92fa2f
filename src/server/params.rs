//! The query-string parameters of each endpoint, as the OpenAPI document describes them,
//! and their parsing into the library's types with errors that name the parameter.

use super::http::ApiError;
use crate::engine::time::{self, Instant};

/// Parameters of `GET /v1/availability`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityParams {
    /// Function id, e.g. `webcollect.credit_card`.
    pub function: String,
    /// Instant asked about (RFC 3339, local `2023-11-13 03:00`, a date, or `now`); default now.
    pub at: Option<String>,
    /// Count only notices known at this instant; default now.
    pub as_of: Option<String>,
    /// Lookahead: the answer covers `[at, at + for)`, e.g. `15m`.
    #[serde(rename = "for")]
    #[param(rename = "for")]
    pub lookahead: Option<String>,
    /// Report only this channel's effect (`link`, `mail`, `token_embedded`, `token_modal`, `api`).
    pub channel: Option<String>,
    /// Language of titles, notes and reasons: `ja` (default) or `en`.
    pub lang: Option<String>,
    /// Zone for local instants and output; default `Asia/Tokyo`.
    pub tz: Option<String>,
}

/// Parameters of `GET /v1/windows`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WindowsParams {
    /// Start of the range, inclusive; default now.
    pub from: Option<String>,
    /// End of the range, exclusive; default 31 days after `from`.
    pub to: Option<String>,
    /// Only windows that affect this function.
    pub function: Option<String>,
    /// Count only notices known at this instant; default now.
    pub as_of: Option<String>,
    /// At most this many windows (1 to 100000, default 1000); `truncated` says when it cut.
    pub limit: Option<String>,
    /// Language of titles, notes and reasons: `ja` (default) or `en`.
    pub lang: Option<String>,
    /// With `function`: `true` also lists windows that affect only functions below it.
    pub with_children: Option<String>,
    /// Zone for local instants and output; default `Asia/Tokyo`.
    pub tz: Option<String>,
}

/// Parameters of `GET /calendar.ics`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// Only windows that affect this function (naming it or an ancestor).
    pub function: Option<String>,
    /// `ja` (default) or `en`.
    pub lang: Option<String>,
}

/// No parameters.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

pub(crate) type Q<T> = Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>;

pub(crate) fn query<T>(q: Q<T>) -> Result<T, ApiError> {
    q.map(|axum::extract::Query(v)| v).map_err(|e| {
        let text = e.body_text();
        let detail = text.strip_prefix("Failed to deserialize query string: ").unwrap_or(&text).to_string();
        let parameter = detail.split('`').nth(1).unwrap_or("").to_string();
        ApiError::bad(&parameter, detail)
    })
}

pub(crate) fn instant_param(v: Option<&String>, name: &str, zone: chrono_tz::Tz, now: Instant) -> Result<Option<Instant>, ApiError> {
    v.map(|v| time::parse_instant(v, zone, now).map_err(|m| ApiError::bad(name, m))).transpose()
}

pub(crate) fn zone_param(tz: Option<&String>) -> Result<chrono_tz::Tz, ApiError> {
    tz.map_or(Ok(time::DEFAULT_ZONE), |z| time::parse_zone(z).map_err(|m| ApiError::bad("tz", m)))
}

pub(crate) fn lang_param(lang: Option<&String>) -> Result<crate::engine::model::Lang, ApiError> {
    lang.map_or(Ok(crate::engine::model::Lang::Ja), |l| crate::engine::model::Lang::parse(l).map_err(|m| ApiError::bad("lang", m)))
}
