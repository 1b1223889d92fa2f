//! One handler per endpoint. Each parses its parameters, asks the library, and sends the
//! answer through the same JSON or iCalendar writer as the CLI.

use super::cache::{json_instant, AnswerCache, KeyBytes, Template, Templates};
use super::error::{ApiError, ErrorBody, ErrorKind};
use super::params::{instant_param, lang_param, zone_param, AvailabilityParams, CalendarParams, NoParams, WindowsParams};
use super::state::{AppState, Loaded};
use super::validators::{cache_control, http_date, json_body, seconds_until, send, send_static, unmodified, weak_tag, Meaning, Prepared};
use crate::engine::answer::{Query, WindowsQuery};
use crate::engine::eval::Schedule;
use crate::engine::time::Instant;
use crate::views::ical::{self, FeedOptions};
use crate::views::json::to_json;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use std::sync::Arc;

/// An availability question, parsed; `at` and `as_of` are `None` when they mean "now".
struct Plan {
    functions: Vec<String>,
    at: Option<Instant>,
    as_of: Option<Instant>,
    lookahead: Option<Duration>,
    channel: Option<String>,
    lang: crate::engine::model::Lang,
    zone: chrono_tz::Tz,
}

impl Plan {
    fn parse(q: &str, now: Instant) -> Result<Plan, ApiError> {
        let p = AvailabilityParams::parse(q)?;
        let zone = zone_param(p.tz.as_ref())?;
        Ok(Plan {
            at: instant_param(p.at.as_ref(), "at", zone, now)?,
            as_of: instant_param(p.as_of.as_ref(), "as_of", zone, now)?,
            lookahead: p.lookahead.as_deref().map(super::params::lookahead_param).transpose()?,
            lang: lang_param(p.lang.as_ref())?,
            channel: p.channel,
            functions: p.function,
            zone,
        })
    }

    fn query(&self, now: Instant) -> Query {
        let mut q = Query::new(self.functions[0].clone(), self.at.unwrap_or(now)).as_of(self.as_of.unwrap_or(now)).zone(self.zone);
        if let Some(d) = self.lookahead {
            q = q.lookahead(d);
        }
        q.channel = self.channel.clone();
        q.lang(self.lang)
    }

    /// What an answer to `q` is filed under among the templates: everything it says but
    /// `at` and `as_of`, and the words it is said in.
    fn template_key(e: &crate::engine::answer::Evaluated, q: &Query) -> Vec<u8> {
        use std::hash::Hash;
        let mut key = KeyBytes::default();
        (e, &q.function, &q.channel, q.zone.name(), q.lang.code()).hash(&mut key);
        key.0
    }

    /// The body, the validator's hash and the earliest `until`, asked at `now`.
    fn answer(&self, loaded: &Arc<Loaded>, fingerprint: u64, now: Instant) -> Result<(axum::body::Bytes, u64, Option<Instant>), ApiError> {
        let s = &loaded.schedule;
        let q = self.query(now);
        let mut m = Meaning::new(fingerprint);
        m.str(self.zone.name()).u64(self.lang as u64);
        if self.functions.len() == 1 {
            let e = s.evaluated(&q)?;
            let shown = |t: Instant| t.with_timezone(&self.zone).fixed_offset();
            let (at, as_of) = e.asked();
            let (at, as_of) = (shown(at), shown(as_of));
            let (at, as_of) = (json_instant(&at), json_instant(&as_of));
            let key = Plan::template_key(&e, &q);
            if let Some(t) = Templates::get(&key, loaded) {
                if let Some(body) = t.fill(&at, &as_of) {
                    return Ok((body, t.hash, t.until));
                }
            }
            let a = s.answer(&e, &q);
            // What it means is what its template is filed under: one definition.
            m.bytes(&key);
            let (body, hash, until) = (json_body(&a), m.finish(), a.until.map(Instant::from));
            if let Some(t) = Template::of(&body, &at, &as_of, hash, until) {
                Templates::put(key, loaded, t);
            }
            Ok((body, hash, until))
        } else {
            let set = s.check_each_with(&q, &self.functions[1..], |e, q| {
                m.bytes(&Plan::template_key(e, q));
            })?;
            Ok((json_body(&set), m.finish(), set.until.map(Instant::from)))
        }
    }
}

/// How long an answer asked at `now` may be kept: the ceiling, no later than `until` for an
/// answer about now, and no later than the next publication for one as known now.
fn freshness(ceiling: u64, now: Instant, about_now: Option<Instant>, as_known_now: Option<Instant>) -> u64 {
    let mut max_age = ceiling;
    if let Some(u) = about_now {
        max_age = max_age.min(seconds_until(now, u));
    }
    if let Some(k) = as_known_now {
        max_age = max_age.min(seconds_until(now, k));
    }
    max_age
}

/// Is a function available? The JSON of `mado check --format json`; with `function`
/// repeated, the JSON of `mado check F G … --format json`.
#[utoipa::path(get, path = "/v1/availability", params(AvailabilityParams), tag = "answers",
    responses(
        (status = 200, description = "The answer for one function (`Answer`), or for several (`AnswerSet`). `Cache-Control: max-age` never reaches past the earliest `until` of an answer about now.",
            body = inline(AvailabilityBody), headers(
                ("ETag" = String, description = "Weak validator over the meaning: same status, until, windows and schedule give the same tag"),
                ("Last-Modified" = String, description = "For an answer about now, the second it was made; otherwise when the schedule began serving"),
                ("Cache-Control" = String, description = "`public, max-age=N`, N bounded by `until`, the next publication and `--max-age`; `public, no-cache` when 0"))),
        (status = 304, description = "Not modified: `If-None-Match` (weak comparison) or `If-Modified-Since` matched"),
        (status = 400, description = "A bad, repeated or unknown parameter", body = ErrorBody),
        (status = 404, description = "Unknown function, with `suggestions`", body = ErrorBody),
        (status = 414, description = "Query string over 2048 bytes", body = ErrorBody)))]
pub(crate) async fn availability(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let now = st.now();
    let loaded = st.current.load();
    let key = req.uri().query().unwrap_or("");
    let generation = &loaded.http;
    let prepared = match AnswerCache::get(key, &loaded, now.timestamp()) {
        Some(hit) => hit,
        None => {
            let plan = Plan::parse(key, now)?;
            let (body, hash, until) = plan.answer(&loaded, generation.fingerprint, now)?;
            let about_now = if plan.at.is_none() { until } else { None };
            let as_known_now = if plan.as_of.is_none() { generation.next_known(now) } else { None };
            let p = Prepared {
                body,
                etag: weak_tag(hash),
                cache_control: cache_control(freshness(st.config.max_age, now, about_now, as_known_now)),
                last_modified: if plan.at.is_none() || plan.as_of.is_none() { http_date(now) } else { generation.last_modified(now) },
            };
            // Only answers about now repeat within a second; one about a fixed instant is
            // cached downstream for up to --max-age instead.
            if plan.at.is_none() {
                AnswerCache::put(key, &loaded, now.timestamp(), p.clone());
            }
            p
        }
    };
    let not_modified = unmodified(req.headers(), generation, now, &prepared.etag, |t| {
        Plan::parse(key, t).and_then(|p| p.answer(&loaded, generation.fingerprint, t)).ok().map(|a| a.1)
    });
    let mut r = send(prepared, "application/json", not_modified);
    super::params::mark_clock(st.config.now, &mut r);
    Ok(r)
}

/// The body of `/v1/availability`: one answer, or a set when `function` repeats.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum AvailabilityBody {
    /// One function asked about.
    One(Box<crate::Answer>),
    /// Several functions asked about.
    Several(crate::AnswerSet),
}

struct WindowsPlan {
    from: Option<Instant>,
    to: Option<Instant>,
    as_of: Option<Instant>,
    function: Option<String>,
    limit: usize,
    lang: crate::engine::model::Lang,
    with_children: bool,
    zone: chrono_tz::Tz,
}

impl WindowsPlan {
    fn parse(q: &str, now: Instant) -> Result<WindowsPlan, ApiError> {
        let p = WindowsParams::parse(q)?;
        let zone = zone_param(p.tz.as_ref())?;
        let limit = p.limit()?;
        let from = instant_param(p.from.as_ref(), "from", zone, now)?;
        let to = instant_param(p.to.as_ref(), "to", zone, now)?;
        // `from` equal to `to` is the empty range [from, from): an empty list, not an error.
        // With `to` alone, the range is the 31 days before it.
        let from = from.or_else(|| to.map(|t| t - Duration::days(crate::engine::limits::DEFAULT_WINDOWS_DAYS)));
        if to.unwrap_or_else(|| crate::engine::limits::default_to(from.unwrap_or(now))) < from.unwrap_or(now) {
            return Err(ApiError::bad(
                "to",
                "`to` must be after `from`; the range is [from, to), e.g. `from=2023-11-01&to=2023-12-01`".into(),
            ));
        }
        let with_children = match p.with_children.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ApiError::bad(
                    "with_children",
                    format!("`{other}` is not a boolean; expected `true` or `false`, e.g. `with_children=true`"),
                ))
            }
        };
        Ok(WindowsPlan {
            from,
            to,
            as_of: instant_param(p.as_of.as_ref(), "as_of", zone, now)?,
            function: p.function,
            limit,
            lang: lang_param(p.lang.as_ref())?,
            with_children,
            zone,
        })
    }

    /// The question with its instants resolved at `now`: what a kept list is filed under.
    fn key(&self, now: Instant) -> String {
        let from = self.from.unwrap_or(now);
        let to = self.to.unwrap_or_else(|| crate::engine::limits::default_to(from));
        let as_of = self.as_of.unwrap_or(now);
        format!(
            "{}\0{}\0{}\0{}\0{}\0{:?}\0{}\0{}",
            from.timestamp(),
            to.timestamp(),
            as_of.timestamp(),
            self.function.as_deref().unwrap_or(""),
            self.limit,
            self.lang,
            self.with_children,
            self.zone.name()
        )
    }

    /// The body, the validator's hash, and the earliest end of a listed window.
    fn list(&self, s: &Schedule, fingerprint: u64, now: Instant) -> Result<(String, u64, Option<Instant>), ApiError> {
        let from = self.from.unwrap_or(now);
        let to = self.to.unwrap_or_else(|| crate::engine::limits::default_to(from));
        // [from, from) is empty: the query for the second after `from` checks the rest (an
        // unknown function is still a 404), and the list is then emptied.
        let empty = to == from;
        let mut q = WindowsQuery::new(from, if empty { to + Duration::seconds(1) } else { to })
            .as_of(self.as_of.unwrap_or(now))
            .limit(self.limit)
            .zone(self.zone)
            .lang(self.lang)
            .with_children(self.with_children);
        q.function = self.function.clone();
        let mut list = s.windows(&q)?;
        if empty {
            (list.to, list.truncated) = (list.from, false);
            list.windows.clear();
            list.delays.clear();
        }
        let mut m = Meaning::new(fingerprint);
        m.str(self.zone.name()).str(self.function.as_deref().unwrap_or("")).u64(u64::from(list.truncated));
        m.u64(self.lang as u64).u64(u64::from(self.with_children));
        m.str(&to_json(&list.windows)).str(&to_json(&list.delays));
        let first_end = list.windows.iter().map(|w| Instant::from(w.end)).min();
        Ok((to_json(&list), m.finish(), first_end))
    }
}

/// Window occurrences overlapping `[from, to)`, and delays: the JSON of `mado windows`.
#[utoipa::path(get, path = "/v1/windows", params(WindowsParams), tag = "answers",
    responses(
        (status = 200, description = "The list. With `from` defaulted, `max-age` stops at the earliest end of a listed window", body = crate::WindowList,
            headers(("ETag" = String, description = "Weak validator over the windows and delays listed"), ("Last-Modified" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad, repeated or unknown parameter", body = ErrorBody),
        (status = 404, description = "Unknown function", body = ErrorBody),
        (status = 414, description = "Query string over 2048 bytes", body = ErrorBody)))]
pub(crate) async fn windows(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let now = st.now();
    let key = req.uri().query().unwrap_or("");
    let plan = WindowsPlan::parse(key, now)?;
    let loaded = st.current();
    let generation = &loaded.http;
    // A list about fixed instants is kept for the schedule serving, by the resolved question.
    let fixed = |plan: &WindowsPlan| (plan.from.is_some() && plan.as_of.is_some()).then(|| plan.key(now));
    let kept_key = fixed(&plan);
    let kept = kept_key.as_deref().and_then(|k| super::cache::Lists::get(&loaded, k));
    let (plan, (body, hash, first_end)) = match kept {
        Some(entry) => (plan, entry),
        None => {
            // Up to 10,000 windows to list and serialise: off the async workers, with a deadline.
            let (work, fingerprint) = (loaded.clone(), generation.fingerprint);
            let (plan, listed) = st
                .heavy(move || {
                    let listed = plan.list(&work.schedule, fingerprint, now);
                    (plan, listed)
                })
                .await?;
            let (body, hash, first_end) = listed?;
            let entry = (axum::body::Bytes::from(body), hash, first_end);
            if let Some(k) = &kept_key {
                super::cache::Lists::put(&loaded, k, entry.clone());
            }
            (plan, entry)
        }
    };
    let about_now = if plan.from.is_none() { first_end } else { None };
    let as_known_now = if plan.as_of.is_none() { generation.next_known(now) } else { None };
    let p = Prepared {
        body,
        etag: weak_tag(hash),
        cache_control: cache_control(freshness(st.config.max_age, now, about_now, as_known_now)),
        last_modified: if plan.from.is_none() || plan.as_of.is_none() { http_date(now) } else { generation.last_modified(now) },
    };
    let not_modified = unmodified(req.headers(), generation, now, &p.etag, |t| {
        let w = WindowsPlan::parse(key, t).ok()?;
        if let Some(hit) = fixed(&w).and_then(|k| super::cache::Lists::get(&loaded, &k)) {
            return Some(hit.1);
        }
        w.list(&loaded.schedule, generation.fingerprint, t).ok().map(|l| l.1)
    });
    let mut r = send(p, "application/json", not_modified);
    super::params::mark_clock(st.config.now, &mut r);
    Ok(r)
}

/// One function of the catalogue.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct FunctionEntry {
    /// Dotted id, e.g. `webcollect.credit_card`.
    id: String,
    /// The id of the function it belongs to, if any.
    parent: Option<String>,
    /// Japanese label.
    ja: String,
    /// English label.
    en: String,
}

/// `GET /v1/functions`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CatalogueBody {
    /// Every function, parents before children.
    functions: Vec<FunctionEntry>,
    /// The channels a window's effects are given for.
    #[schema(value_type = Vec<Object>)]
    channels: Vec<serde_json::Value>,
}

/// The function and channel catalogue.
#[utoipa::path(get, path = "/v1/functions", tag = "catalogue",
    responses((status = 200, description = "The catalogue", body = CatalogueBody, headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified"),
              (status = 400, description = "Any parameter (this endpoint takes none)", body = ErrorBody)))]
pub(crate) async fn functions(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    NoParams::parse(req.uri().query().unwrap_or(""))?;
    let loaded = st.current();
    let body = to_json(&crate::views::json::catalogue_json(loaded.schedule.catalogue()));
    Ok(send_static(req.headers(), &loaded.http, "functions", body, "application/json", st.config.max_age))
}

/// The iCalendar feed (RFC 5545), to subscribe to.
#[utoipa::path(get, path = "/calendar.ics", params(CalendarParams), tag = "calendar",
    responses((status = 200, description = "The feed", content_type = "text/calendar", body = String, headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified"),
              (status = 400, description = "A bad or unknown parameter", body = ErrorBody),
              (status = 404, description = "Unknown function", body = ErrorBody)))]
pub(crate) async fn calendar(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let p = CalendarParams::parse(req.uri().query().unwrap_or(""))?;
    let lang = lang_param(p.lang.as_ref())?;
    let loaded = st.current();
    let opts = FeedOptions {
        function: p.function.clone(),
        lang,
        now: st.now(),
        refresh: Duration::hours(1),
        // Each event's `URL`: from --public-url, or a trusted host; else none.
        base_url: st.config.links.base(req.headers(), super::pages::peer_ip(req.extensions().get())),
    };
    let profile = p
        .profile
        .as_deref()
        .map_or(Ok(Default::default()), crate::views::maintnote::Profile::parse)
        .map_err(|m| ApiError::bad("profile", m))?;
    let mut r = feed_response(&st, &loaded, req.headers(), opts, profile).await?;
    if let Some(vary) = st.config.links.vary() {
        r.headers_mut().append(header::VARY, HeaderValue::from_static(vary));
    }
    super::params::mark_clock(st.config.now, &mut r);
    Ok(r)
}

/// The feed for `opts`, from the feed cache when it holds it: a conditional request whose
/// validator is known gets its `304` without the feed being made, and a feed is made once
/// per schedule, parameters and feed epoch (`cache::Feeds`). The `ETag` is the hash of the
/// body, as for every response whose meaning is the schedule's alone.
async fn feed_response(
    st: &Arc<AppState>,
    loaded: &Arc<Loaded>,
    headers: &axum::http::HeaderMap,
    mut opts: FeedOptions,
    profile: crate::views::maintnote::Profile,
) -> Result<Response, ApiError> {
    use super::cache::Feeds;
    let (now, generation) = (opts.now, &loaded.http);
    let asked =
        format!("{profile:?}\0{:?}\0{}\0{}", opts.lang, opts.function.as_deref().unwrap_or(""), opts.base_url.as_deref().unwrap_or(""));
    let key_at = |t: Instant| {
        let epoch = Feeds::epoch(loaded, profile, t);
        (epoch, format!("{asked}\0{}", epoch.timestamp()))
    };
    let (epoch, key) = key_at(now);
    let (tag, kept) = Feeds::get(loaded, &key);
    let cache_control = cache_control(st.config.max_age);
    let prepared = |hash: u64, body: axum::body::Bytes| Prepared {
        etag: weak_tag(hash),
        cache_control: cache_control.clone(),
        last_modified: generation.last_modified(now),
        body,
    };
    let meaning_at = |t: Instant| Feeds::get(loaded, &key_at(t).1).0;
    const ICS: &str = "text/calendar; charset=utf-8";
    if let (Some(hash), None) = (tag, &kept) {
        let p = prepared(hash, axum::body::Bytes::new());
        if st.config.max_age > 0 && unmodified(headers, generation, now, &p.etag, meaning_at) {
            return Ok(send(p, ICS, true));
        }
    }
    let (hash, body) = match (tag, kept) {
        (Some(hash), Some(body)) => (hash, body),
        _ => {
            // Made as of the epoch's start, so that every request of the epoch is answered
            // with the same bytes.
            opts.now = epoch;
            let (work, fingerprint) = (loaded.clone(), generation.fingerprint);
            let (body, hash) = st
                .heavy(move || {
                    ical::feed_as(&work.schedule, &opts, profile).map(|body| {
                        let mut m = Meaning::new(fingerprint);
                        m.str("calendar").bytes(body.as_bytes());
                        (axum::body::Bytes::from(body), m.finish())
                    })
                })
                .await??;
            Feeds::put(loaded, &key, hash, &body);
            (hash, body)
        }
    };
    let p = prepared(hash, body);
    let not_modified = unmodified(headers, generation, now, &p.etag, meaning_at);
    Ok(send(p, ICS, not_modified))
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "`ok`", content_type = "text/plain", body = String)))]
pub(crate) async fn healthz() -> Response {
    let mut r = "ok\n".into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /readyz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Readiness {
    /// False (and the status 503) while a read of the schedules is stuck past
    /// `--read-timeout` or the watcher has failed: what is served may be stale unnoticed.
    ready: bool,
    /// Why not ready: `reload_stuck`, `watcher_failed`; empty when ready.
    not_ready: Vec<&'static str>,
    /// Counts successful loads from 1.
    generation: u64,
    /// Notices in the schedule serving.
    notices: usize,
    /// Whether the last reload succeeded; when it did not, the last good schedule keeps
    /// serving and the log says what failed and where.
    last_reload_ok: bool,
    /// When the schedule serving was loaded (RFC 3339).
    last_reload_success: String,
    /// When the files were last found to be the schedule serving (RFC 3339): its load, or a
    /// re-check (`--recheck`) that re-read them unchanged.
    confirmed: String,
    /// Where the schedule serving comes from, as text answers name it (no paths).
    source: String,
    /// The fixed "now" of `mado serve --now` (RFC 3339); null on the real clock.
    clock: Option<String>,
    /// With `--follow`: per source, its last success, last error and the age of its copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    sources: Option<serde_json::Value>,
}

/// Readiness: the schedule serving, whether the last reload worked, and when the files were
/// last confirmed to be what is served; `503` while a read is stuck or the watcher failed.
/// What failed, and where, goes to the log only: paths and file contents are not for every
/// client to read.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "Ready", body = Readiness), (status = 503, description = "Not ready: a read of the schedules is stuck or the watcher failed", body = Readiness)))]
pub(crate) async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    let loaded = st.current();
    let health = st.health();
    let stamp = |t: crate::engine::time::Instant| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let body = Readiness {
        ready: health.ready,
        not_ready: health.reasons.clone(),
        generation: loaded.generation,
        notices: loaded.schedule.notices().len(),
        last_reload_ok: health.last_reload_ok,
        last_reload_success: stamp(health.last_reload_success),
        confirmed: stamp(health.confirmed),
        source: match &st.config.schedules {
            None => crate::describe_source(None, loaded.schedule.notices().len(), crate::engine::model::Lang::En),
            Some(p) if p.is_file() => format!("a compiled schedule ({} notices)", loaded.schedule.notices().len()),
            Some(_) => format!("a schedules directory ({} notices)", loaded.schedule.notices().len()),
        },
        clock: st.config.now.map(stamp),
        sources: st.config.follow.as_ref().map(|f| f.readiness(super::follow::unix_now())),
    };
    let mut r = to_json(&body).into_response();
    if !health.ready {
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
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
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorKind::NotFound,
        format!(
            "no route `{}`; expected one of /, /timeline, /notices, /notices/{{id}}, /v1/availability, /v1/windows, /v1/functions, /calendar.ics, /healthz, /readyz, /metrics, /openapi.json",
            req.uri().path()
        ),
    )
}

pub(crate) async fn method_not_allowed(req: Request) -> Response {
    let mut r = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::MethodNotAllowed,
        format!("`{}` is not allowed; mado answers GET, HEAD and OPTIONS", req.method()),
    )
    .into_response();
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static(super::edge::ALLOW));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FUNCTIONS: [&str; 9] = [
        "webcollect",
        "webcollect.credit_card",
        "webcollect.convenience_store",
        "webcollect.carrier",
        "webcollect.reauth",
        "webcollect.admin",
        "atobarai.credit_card",
        "atobarai",
        "webcollect.kuroneko_pay",
    ];
    const ZONES: [&str; 5] = ["Asia/Tokyo", "America/New_York", "Europe/London", "Africa/Monrovia", "UTC"];
    const LOOKAHEADS: [&str; 4] = ["", "&for=15m", "&for=2h", "&for=1d"];

    fn state() -> Arc<AppState> {
        AppState::new(crate::server::Config::default()).expect("embedded schedules load")
    }

    async fn get(app: &crate::server::App, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder().uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = app.clone().oneshot(req.body(axum::body::Body::empty()).expect("request")).await.expect("infallible");
        let (parts, body) = resp.into_parts();
        (parts.status, parts.headers, body.collect().await.expect("body").to_bytes().to_vec())
    }

    /// A conditional request for a feed whose validator is known is a `304` without the feed
    /// being made again (its body stays out of the cache), and the feed made again has the
    /// same bytes and tag; a fixed `/v1/windows` list is kept and revalidated the same way.
    #[tokio::test]
    async fn feed_and_fixed_list_revalidate_from_kept_validators() {
        let st = state();
        let app = crate::server::router(st.clone());
        let loaded = st.current.load_full();
        let (status, h, first) = get(&app, "/calendar.ics?lang=en", &[]).await;
        assert_eq!(status, StatusCode::OK);
        let tag = h[header::ETAG].to_str().expect("tag").to_string();
        super::super::cache::Feeds::drop_bodies(&loaded);
        let (status, h, body) = get(&app, "/calendar.ics?lang=en", &[("if-none-match", &tag)]).await;
        assert_eq!((status, body.len(), h[header::ETAG].to_str().expect("tag")), (StatusCode::NOT_MODIFIED, 0, tag.as_str()));
        let (status, h, again) = get(&app, "/calendar.ics?lang=en", &[]).await;
        assert_eq!((status, h[header::ETAG].to_str().expect("tag")), (StatusCode::OK, tag.as_str()));
        assert!(again == first, "the feed made again is the same feed");

        let uri = "/v1/windows?from=2023-11-01&to=2023-12-01&as_of=2024-01-01&function=webcollect.reauth";
        let (status, h, list) = get(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK);
        let tag = h[header::ETAG].to_str().expect("tag").to_string();
        let plan = WindowsPlan::parse(&uri[12..], st.now()).expect("plan");
        let kept = super::super::cache::Lists::get(&loaded, &plan.key(st.now())).expect("a fixed list is kept");
        assert!(kept.0 == list && weak_tag(kept.1) == tag.as_str());
        let (status, _, body) = get(&app, uri, &[("if-none-match", &tag)]).await;
        assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
        let (_, _, fresh) = get(&app, uri, &[]).await;
        assert!(fresh == list);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// An answer filled in from a template is the answer `check` gives, byte for byte,
        /// and neighbouring instants do reuse templates.
        #[test]
        fn a_filled_template_is_the_answer_check_gives(
            f in 0usize..FUNCTIONS.len(),
            zone in 0usize..ZONES.len(),
            lang in prop_oneof![Just("ja"), Just("en")],
            look in 0usize..LOOKAHEADS.len(),
            channel in proptest::option::of(prop_oneof![Just("api"), Just("link")]),
            as_of in proptest::option::of(1_546_300_800i64..1_924_992_000),
            start in 1_546_300_800i64..1_924_992_000,
            steps in proptest::collection::vec(0i64..4 * 3600, 2..12),
        ) {
            let st = state();
            let loaded = st.current.load_full();
            let mut t = start;
            let mut hits = Vec::new();
            // The last instant is asked twice: the second time must be filled in.
            for (i, step) in steps.iter().chain([&0]).enumerate() {
                t += if i == 0 { 0 } else { *step };
                // "Now" moves on too, so an answer as known now has a new `as_of` each time.
                let now = crate::engine::time::now() + Duration::seconds(i as i64);
                let at = chrono::DateTime::from_timestamp(t, 0).expect("in range").format("%Y-%m-%dT%H:%M:%SZ");
                let mut query = format!("function={}&at={at}&tz={}&lang={lang}{}", FUNCTIONS[f], ZONES[zone], LOOKAHEADS[look]);
                if let Some(c) = channel {
                    query += &format!("&channel={c}");
                }
                if let Some(a) = as_of {
                    query += &format!("&as_of={}", chrono::DateTime::from_timestamp(a, 0).expect("in range").format("%Y-%m-%dT%H:%M:%SZ"));
                }
                let plan = Plan::parse(&query, now).expect("a good query");
                let q = plan.query(now);
                let e = loaded.schedule.evaluated(&q).expect("known function");
                hits.push(Templates::get(&Plan::template_key(&e, &q), &loaded).is_some());
                let (body, _, until) = plan.answer(&loaded, 0, now).expect("answers");
                let want = loaded.schedule.check(&q).expect("answers");
                prop_assert_eq!(std::str::from_utf8(&body).expect("utf-8"), to_json(&want), "{}", query);
                prop_assert_eq!(until, want.until.map(Instant::from));
            }
            prop_assert_eq!(hits.last(), Some(&true), "the same question again was not filled in from its template");
        }
    }
}
