//! The HTML pages: `/`, `/timeline`, `/notices`, `/notices/{id}`. Language from `?lang=`,
//! else `Accept-Language`; caching as the API (ETag, 304, `Cache-Control` bounded by the next
//! change of status).

use super::params::{instant_param, query, Q};
use super::state::AppState;
use super::validators::respond;
use crate::engine::time::{self, Instant};
use crate::views::ical::Lang;
use crate::views::pages::{self, PageContext, TimelineError, TimelineOptions};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

const HTML: &str = "text/html; charset=utf-8";

/// Parameters of `GET /`, `/notices` and `/notices/{id}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// `ja` or `en`; default from `Accept-Language`, else `ja`.
    pub lang: Option<String>,
}

/// Parameters of `GET /timeline`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineParams {
    /// `ja` or `en`.
    pub lang: Option<String>,
    /// Start of the range; default 7 days ago.
    pub from: Option<String>,
    /// End of the range (exclusive); default 60 days ahead.
    pub to: Option<String>,
    /// Only this function and those below it.
    pub function: Option<String>,
    /// The calendar as known at this instant; default now.
    pub as_of: Option<String>,
}

/// The page language: `?lang=` if given, else the first of `ja`/`en` by `Accept-Language`
/// quality, else Japanese (the notices' language).
pub(crate) fn pick_lang(param: Option<&str>, headers: &HeaderMap) -> Result<Lang, String> {
    if let Some(p) = param {
        return Lang::parse(p);
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut best: Option<(f32, Lang)> = None;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
        let Some(Ok(lang)) = tag.split('-').next().map(Lang::parse) else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    Ok(best.map_or(Lang::Ja, |(_, l)| l))
}

/// `scheme://host` the request came to (`X-Forwarded-Proto` from a TLS proxy, else http),
/// for absolute links in the feed; `None` without a `Host` header.
pub(crate) fn base_url(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).filter(|h| !h.is_empty() && !h.contains(['/', ' ', '"']))?;
    let scheme = match headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    Some(format!("{scheme}://{host}"))
}

fn context(headers: &HeaderMap, lang: Lang, path: &str, params: Vec<(String, String)>) -> PageContext {
    let base = base_url(headers).unwrap_or_else(|| "http://localhost".to_string());
    let (scheme, host) = base.split_once("://").map_or(("http", "localhost"), |(s, h)| (s, h));
    PageContext { lang, now: time::now(), host: host.to_string(), scheme: scheme.to_string(), path: path.to_string(), params }
}

fn html_response(st: &AppState, headers: &HeaderMap, body: String, max_age: u64) -> Response {
    let loaded = st.current();
    let mut r = respond(headers, body, HTML, format!("public, max-age={max_age}"), Some(&loaded.last_modified));
    r.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    r
}

fn html_error(headers: &HeaderMap, lang: Lang, status: StatusCode, detail: &str) -> Response {
    let cx = context(headers, lang, "/", Vec::new());
    let mut r = (status, pages::error_page(&cx, status == StatusCode::NOT_FOUND, detail)).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Parses the query and the language, or answers with an HTML 400.
fn lang_of<T>(p: Q<T>, headers: &HeaderMap, lang: impl Fn(&T) -> Option<&str>) -> Result<(T, Lang), Box<Response>> {
    let fallback = pick_lang(None, headers).unwrap_or(Lang::Ja);
    let p = query(p).map_err(|e| {
        let detail = e.body.detail.clone();
        Box::new(html_error(headers, fallback, StatusCode::BAD_REQUEST, &detail))
    })?;
    let l = pick_lang(lang(&p), headers).map_err(|m| Box::new(html_error(headers, fallback, StatusCode::BAD_REQUEST, &m)))?;
    Ok((p, l))
}

/// `GET /`: the status page.
pub(crate) async fn status(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<PageParams>) -> Response {
    let (_, lang) = match lang_of(p, &headers, |p: &PageParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let cx = context(&headers, lang, "/", Vec::new());
    let loaded = st.current();
    let (body, next_change) = pages::status_page(&loaded.schedule, &cx);
    html_response(&st, &headers, body, bounded(st.config.max_age, cx.now, next_change))
}

/// `max-age` no later than the next change of any status.
fn bounded(ceiling: u64, now: Instant, next: Option<Instant>) -> u64 {
    next.map_or(ceiling, |n| u64::try_from((n - now).num_seconds()).unwrap_or(0).min(ceiling))
}

/// `GET /timeline`: the Gantt chart.
pub(crate) async fn timeline(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<TimelineParams>) -> Response {
    let (p, lang) = match lang_of(p, &headers, |p: &TimelineParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let mut kept = Vec::new();
    for (k, v) in [("from", &p.from), ("to", &p.to), ("function", &p.function), ("as_of", &p.as_of)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            kept.push((k.to_string(), v.clone()));
        }
    }
    let cx = context(&headers, lang, "/timeline", kept);
    let now = cx.now;
    let mut o = TimelineOptions::around(now);
    let nonempty = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let zone = time::DEFAULT_ZONE;
    let parsed = (|| {
        if let Some(f) = instant_param(nonempty(&p.from).as_ref(), "from", zone, now)? {
            o.from = f;
            o.to = f + chrono::Duration::days(67);
        }
        if let Some(t) = instant_param(nonempty(&p.to).as_ref(), "to", zone, now)? {
            o.to = t;
        }
        if let Some(a) = instant_param(nonempty(&p.as_of).as_ref(), "as_of", zone, now)? {
            o.as_of = a;
            o.as_of_given = true;
        }
        Ok::<(), super::error::ApiError>(())
    })();
    if let Err(e) = parsed {
        let detail = e.body.detail.clone();
        return html_error(&headers, lang, StatusCode::BAD_REQUEST, &detail);
    }
    o.function = nonempty(&p.function);
    let loaded = st.current();
    match pages::timeline_page(&loaded.schedule, &cx, &o) {
        Ok(body) => html_response(&st, &headers, body, st.config.max_age),
        Err(TimelineError::Range(m)) => html_error(&headers, lang, StatusCode::BAD_REQUEST, &m),
        Err(TimelineError::Query(e)) => html_error(&headers, lang, StatusCode::NOT_FOUND, &e.to_string()),
    }
}

/// `GET /notices`: every notice, newest first.
pub(crate) async fn notices(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<PageParams>) -> Response {
    let (_, lang) = match lang_of(p, &headers, |p: &PageParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let cx = context(&headers, lang, "/notices", Vec::new());
    let body = pages::notices_page(&st.current().schedule, &cx);
    html_response(&st, &headers, body, st.config.max_age)
}

/// `GET /notices/{id}`: one notice and the trail of each window it touched.
pub(crate) async fn notice(State(st): State<Arc<AppState>>, headers: HeaderMap, Path(id): Path<String>, p: Q<PageParams>) -> Response {
    let (_, lang) = match lang_of(p, &headers, |p: &PageParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let cx = context(&headers, lang, &format!("/notices/{id}"), Vec::new());
    let loaded = st.current();
    match pages::notice_page(&loaded.schedule, &cx, &id) {
        Some(body) => html_response(&st, &headers, body, st.config.max_age),
        None => {
            let known: Vec<&str> = loaded.schedule.notices().iter().map(|n| n.id()).collect();
            html_error(&headers, lang, StatusCode::NOT_FOUND, &format!("no notice `{id}`; known notices: {}", known.join(", ")))
        }
    }
}
