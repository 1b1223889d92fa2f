//! The HTML pages: `/`, `/timeline`, `/notices`, `/notices/{id}`. Language from `?lang=`,
//! else `Accept-Language`; caching as the API (ETag, 304, `Cache-Control` bounded by the next
//! change of status).
//!
//! And where absolute links point ([`Links`]): the pages link within mado by path, and the
//! few links that must be absolute (the feed's `URL`s, the status page's `webcal://` links)
//! come from configuration, never from whoever asks.

use super::access::Peer;
use super::params::{instant_param, query, Q};
use super::state::AppState;
use super::validators::respond;
use crate::engine::time::{self, Instant};
use crate::views::ical::Lang;
use crate::views::pages::{self, PageContext, TimelineError, TimelineOptions};
use axum::extract::{Extension, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
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

/// Where absolute links point, from `mado serve`'s flags.
///
/// - With a public URL (`--public-url https://status.example.com`), every absolute link uses
///   it, whatever the request says.
/// - Without one, a request's `Host` is used only when it is on the allow-list
///   (`--trusted-host`, exact `host[:port]`, any case), with the scheme `http`; a request from
///   a trusted proxy (`--trusted-proxy`, IPs or CIDRs) may name the scheme in
///   `X-Forwarded-Proto` (`http` or `https`) and the host in `X-Forwarded-Host`, which must be
///   on the allow-list too. Nobody else's `X-Forwarded-*` counts.
/// - Otherwise there is no absolute link: the feed has no `URL`, the status page links the
///   feed by path and leaves out `webcal://`.
#[derive(Debug, Clone, Default)]
pub struct Links {
    public_url: Option<String>,
    trusted_hosts: Vec<String>,
    trusted_proxies: Vec<(IpAddr, u8)>,
}

/// A `host[:port]` as it may appear in a link: a name, an IPv4 address or a bracketed IPv6
/// one, and nothing that could end the authority or the line.
fn host_ok(h: &str) -> bool {
    !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_:[]".contains(&b))
}

fn parse_proxy(text: &str) -> Result<(IpAddr, u8), String> {
    let (ip, len) = match text.split_once('/') {
        Some((ip, len)) => (ip, Some(len)),
        None => (text, None),
    };
    let ip: IpAddr = ip.trim().parse().map_err(|_| {
        format!("`{}` is not an IP address or CIDR block; expected e.g. `127.0.0.1`, `10.0.0.0/8` or `::1`", text.escape_debug())
    })?;
    let ip = ip.to_canonical();
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match len {
        None => max,
        Some(l) => l
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|l| *l <= max)
            .ok_or_else(|| format!("`{}`: the prefix length must be 0 to {max}", text.escape_debug()))?,
    };
    Ok((ip, len))
}

fn in_block(ip: IpAddr, (net, len): (IpAddr, u8)) -> bool {
    match (ip.to_canonical(), net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

impl Links {
    /// Checks and keeps the flags: `public_url` is `http(s)://host[:port]` (a trailing `/` is
    /// dropped; no path, user or query), each trusted host a `host[:port]`, each trusted proxy
    /// an IP address or a CIDR block.
    ///
    /// # Errors
    /// A message naming the flag and the bad value.
    pub fn new(public_url: Option<&str>, trusted_hosts: &[String], trusted_proxies: &[String]) -> Result<Links, String> {
        let public_url = match public_url.map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(u) => {
                let bad = || {
                    format!("--public-url `{}` is not an http(s) address without a path; expected e.g. `https://status.example.com` or `http://10.0.0.5:8080`", u.escape_debug())
                };
                let (scheme, rest) = u.split_once("://").ok_or_else(bad)?;
                let scheme = scheme.to_ascii_lowercase();
                let host = rest.strip_suffix('/').unwrap_or(rest);
                if !matches!(scheme.as_str(), "http" | "https") || !host_ok(host) {
                    return Err(bad());
                }
                Some(format!("{scheme}://{}", host.to_ascii_lowercase()))
            }
        };
        let mut hosts = Vec::new();
        for h in trusted_hosts.iter().map(|h| h.trim()).filter(|h| !h.is_empty()) {
            if !host_ok(h) {
                return Err(format!(
                    "--trusted-host `{}` is not a host[:port]; expected e.g. `status.example.com` or `10.0.0.5:8080`",
                    h.escape_debug()
                ));
            }
            hosts.push(h.to_ascii_lowercase());
        }
        let mut proxies = Vec::new();
        for p in trusted_proxies.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            proxies.push(parse_proxy(p).map_err(|m| format!("--trusted-proxy {m}"))?);
        }
        Ok(Links { public_url, trusted_hosts: hosts, trusted_proxies: proxies })
    }

    /// The public URL, when configured.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// Whether absolute links can ever be built (a public URL, or hosts to trust).
    pub fn absolute(&self) -> bool {
        self.public_url.is_some() || !self.trusted_hosts.is_empty()
    }

    /// Whether `peer` is one of the trusted proxies.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|b| in_block(peer, *b))
    }

    /// The request headers a response with absolute links depends on, for `Vary`: none with a
    /// public URL (or with no host to trust: the links are then never absolute).
    pub(crate) fn vary(&self) -> Option<&'static str> {
        match (self.public_url.is_some() || self.trusted_hosts.is_empty(), self.trusted_proxies.is_empty()) {
            (true, _) => None,
            (false, true) => Some("Host"),
            (false, false) => Some("Host, X-Forwarded-Host, X-Forwarded-Proto"),
        }
    }

    /// `scheme://host[:port]` for absolute links in the answer to a request with these
    /// headers from `peer`, or `None` when no trusted one is known.
    pub(crate) fn base(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<String> {
        if let Some(u) = &self.public_url {
            return Some(u.clone());
        }
        if self.trusted_hosts.is_empty() {
            return None;
        }
        let first = |name: &str| {
            headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next()).map(str::trim).filter(|v| !v.is_empty())
        };
        let proxied = peer.is_some_and(|p| self.trusts(p));
        let host = if proxied { first("x-forwarded-host").or_else(|| first("host")) } else { first("host") }?;
        let host = host.to_ascii_lowercase();
        if !host_ok(&host) || !self.trusted_hosts.contains(&host) {
            return None;
        }
        let scheme = match first("x-forwarded-proto").filter(|_| proxied) {
            Some(p) if p.eq_ignore_ascii_case("https") => "https",
            _ => "http",
        };
        Some(format!("{scheme}://{host}"))
    }
}

/// The peer's IP address, when the request came over a connection.
pub(crate) fn peer_ip(peer: Option<&Peer>) -> Option<IpAddr> {
    peer.map(|p| p.0.ip())
}

/// The context of a page; `base` is where absolute links point, when known.
/// `clock` is the fixed "now" of `mado serve --now`, if any.
fn context(clock: Option<Instant>, base: Option<String>, lang: Lang, path: &str, params: Vec<(String, String)>) -> PageContext {
    let (now, fixed_clock) = clock.map_or_else(|| (time::now(), false), |t| (t, true));
    let (scheme, host) =
        base.as_deref().and_then(|b| b.split_once("://")).map_or((String::new(), String::new()), |(s, h)| (s.to_string(), h.to_string()));
    PageContext { lang, now, fixed_clock, host, scheme, path: path.to_string(), params }
}

fn html_response(st: &AppState, headers: &HeaderMap, body: String, max_age: u64) -> Response {
    let loaded = st.current();
    let mut r = respond(headers, body, HTML, format!("public, max-age={max_age}"), Some(&loaded.last_modified));
    r.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    super::params::mark_clock(st.config.now, &mut r);
    r
}

fn html_error(clock: Option<Instant>, lang: Lang, status: StatusCode, detail: &str) -> Response {
    let cx = context(clock, None, lang, "/", Vec::new());
    let mut r = (status, pages::error_page(&cx, status == StatusCode::NOT_FOUND, detail)).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Parses the query and the language, or answers with an HTML 400.
fn lang_of<T>(p: Q<T>, st: &AppState, headers: &HeaderMap, lang: impl Fn(&T) -> Option<&str>) -> Result<(T, Lang), Box<Response>> {
    let fallback = pick_lang(None, headers).unwrap_or(Lang::Ja);
    let p = query(p).map_err(|e| {
        let detail = e.body.detail.clone();
        Box::new(html_error(st.config.now, fallback, StatusCode::BAD_REQUEST, &detail))
    })?;
    let l = pick_lang(lang(&p), headers).map_err(|m| Box::new(html_error(st.config.now, fallback, StatusCode::BAD_REQUEST, &m)))?;
    Ok((p, l))
}

/// `GET /`: the status page.
pub(crate) async fn status(
    State(st): State<Arc<AppState>>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    p: Q<PageParams>,
) -> Response {
    let (_, lang) = match lang_of(p, &st, &headers, |p: &PageParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let links = &st.config.links;
    let cx = context(st.config.now, links.base(&headers, peer_ip(peer.as_deref())), lang, "/", Vec::new());
    let loaded = st.current();
    let (body, next_change) = pages::status_page(&loaded.schedule, &cx);
    let mut r = html_response(&st, &headers, body, bounded(st.config.max_age, cx.now, next_change));
    // The feed links depend on the request's host: a shared cache keys them by it.
    if let Some(vary) = links.vary() {
        r.headers_mut().append(header::VARY, HeaderValue::from_static(vary));
    }
    r
}

/// `max-age` no later than the next change of any status.
fn bounded(ceiling: u64, now: Instant, next: Option<Instant>) -> u64 {
    next.map_or(ceiling, |n| u64::try_from((n - now).num_seconds()).unwrap_or(0).min(ceiling))
}

/// `GET /timeline`: the Gantt chart.
pub(crate) async fn timeline(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<TimelineParams>) -> Response {
    let (p, lang) = match lang_of(p, &st, &headers, |p: &TimelineParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let mut kept = Vec::new();
    for (k, v) in [("from", &p.from), ("to", &p.to), ("function", &p.function), ("as_of", &p.as_of)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            kept.push((k.to_string(), v.clone()));
        }
    }
    let cx = context(st.config.now, None, lang, "/timeline", kept);
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
            // With `to` alone, the range ends there: the default length before it.
            if nonempty(&p.from).is_none() {
                o.from = t - (o.to - o.from);
            }
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
        return html_error(st.config.now, lang, StatusCode::BAD_REQUEST, &detail);
    }
    o.function = nonempty(&p.function);
    let loaded = st.current();
    match pages::timeline_page(&loaded.schedule, &cx, &o) {
        Ok(body) => html_response(&st, &headers, body, st.config.max_age),
        Err(TimelineError::Range(m)) => html_error(st.config.now, lang, StatusCode::BAD_REQUEST, &m),
        Err(TimelineError::Query(e)) => html_error(st.config.now, lang, StatusCode::NOT_FOUND, &e.to_string()),
    }
}

/// `GET /notices`: every notice, newest first.
pub(crate) async fn notices(State(st): State<Arc<AppState>>, headers: HeaderMap, p: Q<PageParams>) -> Response {
    let (_, lang) = match lang_of(p, &st, &headers, |p: &PageParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let cx = context(st.config.now, None, lang, "/notices", Vec::new());
    let body = pages::notices_page(&st.current().schedule, &cx);
    html_response(&st, &headers, body, st.config.max_age)
}

/// `GET /notices/{id}`: one notice and the trail of each window it touched.
pub(crate) async fn notice(State(st): State<Arc<AppState>>, headers: HeaderMap, Path(id): Path<String>, p: Q<PageParams>) -> Response {
    let (_, lang) = match lang_of(p, &st, &headers, |p: &PageParams| p.lang.as_deref()) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let cx = context(st.config.now, None, lang, &format!("/notices/{id}"), Vec::new());
    let loaded = st.current();
    match pages::notice_page(&loaded.schedule, &cx, &id) {
        Some(body) => html_response(&st, &headers, body, st.config.max_age),
        None => {
            let known: Vec<&str> = loaded.schedule.notices().iter().map(|n| n.id()).collect();
            html_error(st.config.now, lang, StatusCode::NOT_FOUND, &format!("no notice `{id}`; known notices: {}", known.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_match_by_block_and_ipv4_mapped_addresses_count_as_ipv4() {
        let l = Links::new(None, &[], &["10.0.0.0/8".into(), "192.0.2.7".into(), "fd00::/8".into(), "0.0.0.0/0 ".into()]).expect("flags");
        assert!(l.trusts("10.255.0.1".parse().expect("ip")));
        let only = Links::new(None, &[], &["10.0.0.0/8".into(), "192.0.2.7".into(), "fd00::/8".into()]).expect("flags");
        assert!(only.trusts("::ffff:10.1.2.3".parse().expect("ip")));
        assert!(only.trusts("192.0.2.7".parse().expect("ip")));
        assert!(!only.trusts("192.0.2.8".parse().expect("ip")));
        assert!(only.trusts("fd12::1".parse().expect("ip")));
        assert!(!only.trusts("fe80::1".parse().expect("ip")));
        assert!(!only.trusts("11.0.0.1".parse().expect("ip")));
        for bad in ["10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x", "10.0.0/8"] {
            assert!(Links::new(None, &[], &[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_public_url_is_a_scheme_and_a_host_only() {
        let url = |u: &str| Links::new(Some(u), &[], &[]).map(|l| l.public_url().map(str::to_string));
        assert_eq!(url("HTTPS://Status.Example.com/"), Ok(Some("https://status.example.com".into())));
        assert_eq!(url("http://[::1]:8080"), Ok(Some("http://[::1]:8080".into())));
        assert_eq!(url(" "), Ok(None));
        for bad in ["status.example.com", "https://", "https://a/b", "https://a?b", "https://a#b", "https://u@a", "javascript://a%0a"] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }
}
