//! One handler per endpoint. Each parses its parameters, asks the library, and sends the
//! answer through the same JSON or iCalendar writer as the CLI.

use super::http::{prepare, respond, send, AnswerCache, ApiError};
use super::params::{instant_param, lang_param, query, zone_param, AvailabilityParams, CalendarParams, NoParams, WindowsParams, Q};
use super::state::AppState;
use crate::engine::answer::{Query, WindowsQuery};
use crate::engine::time;
use crate::views::ical::{self, FeedOptions, Lang};
use crate::views::json::to_json;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use std::sync::Arc;

/// Is a function available? The JSON of `mado check --format json`.
#[utoipa::path(get, path = "/v1/availability", params(AvailabilityParams),
    responses((status = 200, description = "The answer", body = crate::Answer),
              (status = 400, description = "A bad parameter: `{ error, parameter, detail }`"),
              (status = 404, description = "Unknown function, with `suggestions`")))]
pub(crate) async fn availability(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let now = time::now();
    let loaded = st.current.load();
    let headers = req.headers();
    let key = req.uri().query().unwrap_or("");
    if let Some(hit) = AnswerCache::get(key, loaded.generation, now.timestamp()) {
        return Ok(send(headers, hit, "application/json", Some(&loaded.last_modified)));
    }
    let p = query(axum::extract::Query::<AvailabilityParams>::try_from_uri(req.uri()))?;
    let zone = zone_param(p.tz.as_ref())?;
    let at = instant_param(p.at.as_ref(), "at", zone, now)?;
    let mut q = Query::new(p.function.clone(), at.unwrap_or(now))
        .as_of(instant_param(p.as_of.as_ref(), "as_of", zone, now)?.unwrap_or(now))
        .zone(zone);
    if let Some(d) = &p.lookahead {
        q = q.lookahead(time::parse_lookahead(d).map_err(|m| ApiError::bad("for", m))?);
    }
    if let Some(c) = &p.channel {
        q = q.channel(c.clone());
    }
    q = q.lang(lang_param(p.lang.as_ref())?);
    let answer = loaded.schedule.check(&q)?;
    // A cached "unavailable" (or any answer about now) must not outlive its `until`.
    let ceiling = st.config.max_age;
    let max_age = match (at, answer.until) {
        (None, Some(u)) => u64::try_from((u.with_timezone(&chrono::Utc) - now).num_seconds()).unwrap_or(0).min(ceiling),
        _ => ceiling,
    };
    let prepared = prepare(to_json(&answer), &format!("public, max-age={max_age}"));
    AnswerCache::put(key, loaded.generation, now.timestamp(), prepared.clone());
    Ok(send(headers, prepared, "application/json", Some(&loaded.last_modified)))
}

/// Window occurrences overlapping `[from, to)`, and delays: the JSON of `mado windows`.
#[utoipa::path(get, path = "/v1/windows", params(WindowsParams),
    responses((status = 200, description = "The list", body = crate::WindowList),
              (status = 400, description = "A bad parameter"), (status = 404, description = "Unknown function")))]
pub(crate) async fn windows(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<WindowsParams>) -> Result<Response, ApiError> {
    let p = query(p)?;
    let now = time::now();
    let zone = zone_param(p.tz.as_ref())?;
    let from = instant_param(p.from.as_ref(), "from", zone, now)?.unwrap_or(now);
    let to = instant_param(p.to.as_ref(), "to", zone, now)?.unwrap_or_else(|| crate::engine::limits::default_to(from));
    if to <= from {
        return Err(ApiError::bad("to", "`to` must be after `from`; the range is [from, to)".into()));
    }
    use crate::engine::limits::{limit_message, DEFAULT_WINDOWS_LIMIT, MAX_WINDOWS_LIMIT};
    let limit = match &p.limit {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_WINDOWS_LIMIT).contains(n))
            .ok_or_else(|| ApiError::bad("limit", limit_message(l)))?,
        None => DEFAULT_WINDOWS_LIMIT,
    };
    let as_of = instant_param(p.as_of.as_ref(), "as_of", zone, now)?.unwrap_or(now);
    let loaded = st.current();
    let lang = lang_param(p.lang.as_ref())?;
    let with_children = match p.with_children.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(ApiError::bad("with_children", format!("`{other}` is not a boolean; expected `true` or `false`"))),
    };
    let mut wq = WindowsQuery::new(from, to).as_of(as_of).limit(limit).zone(zone).lang(lang).with_children(with_children);
    wq.function = p.function.clone();
    let work = loaded.clone();
    let body = st.heavy(move || work.schedule.windows(&wq).map(|list| to_json(&list))).await??;
    Ok(respond(&headers, body, "application/json", format!("public, max-age={}", st.config.max_age), Some(&loaded.last_modified)))
}

/// The function and channel catalogue.
#[utoipa::path(get, path = "/v1/functions", responses((status = 200, description = "`{ functions: [{id, parent, ja, en}], channels: [...] }`")))]
pub(crate) async fn functions(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<NoParams>) -> Result<Response, ApiError> {
    query(p)?;
    let loaded = st.current();
    Ok(respond(
        &headers,
        to_json(&crate::views::json::catalogue_json(loaded.schedule.catalogue())),
        "application/json",
        format!("public, max-age={}", st.config.max_age),
        Some(&loaded.last_modified),
    ))
}

/// The iCalendar feed (RFC 5545), to subscribe to.
#[utoipa::path(get, path = "/calendar.ics", params(CalendarParams),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar"), (status = 404, description = "Unknown function")))]
pub(crate) async fn calendar(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<CalendarParams>) -> Result<Response, ApiError> {
    let p = query(p)?;
    let lang = match p.lang.as_deref() {
        None | Some("ja") => Lang::Ja,
        Some("en") => Lang::En,
        Some(other) => return Err(ApiError::bad("lang", format!("`{other}` is not a language; expected `ja` or `en`"))),
    };
    let loaded = st.current();
    let opts = FeedOptions {
        function: p.function.clone(),
        lang,
        now: time::now(),
        refresh: Duration::hours(1),
        base_url: super::pages::base_url(&headers),
    };
    let work = loaded.clone();
    let body = st.heavy(move || ical::feed(&work.schedule, &opts)).await??;
    Ok(respond(
        &headers,
        body,
        "text/calendar; charset=utf-8",
        format!("public, max-age={}", st.config.max_age),
        Some(&loaded.last_modified),
    ))
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "ok")))]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: the schedule serving, and whether the last reload worked. What failed, and
/// where, goes to the log only: paths and file contents are not for every client to read.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "`{ ready, generation, notices, last_reload_ok }`")))]
pub(crate) async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    let loaded = st.current();
    let body = serde_json::json!({
        "ready": true,
        "generation": loaded.generation,
        "notices": loaded.schedule.notices().len(),
        "last_reload_ok": st.last_reload_ok(),
    });
    let mut r = to_json(&body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(crate) async fn baseline(State(st): State<Arc<AppState>>) -> Response {
    let body = st.baseline.get().cloned().unwrap_or_default();
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub(crate) async fn not_found(req: Request) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        body: serde_json::json!({ "error": "not_found", "detail": format!("no route `{}`; expected one of /v1/availability, /v1/windows, /v1/functions, /calendar.ics, /healthz, /readyz, /metrics, /openapi.json", req.uri().path()) }),
    }
}

pub(crate) async fn method_not_allowed(req: Request) -> Response {
    let mut r = ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        body: serde_json::json!({ "error": "method_not_allowed", "detail": format!("`{}` is not allowed; mado answers GET and HEAD", req.method()) }),
    }
    .into_response();
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}
