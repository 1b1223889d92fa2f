//! `GET /openapi.json`, generated from the handlers' parameter and answer types, with the
//! closed sets of the schedule serving (function and channel ids) filled in as enums.

use crate::server::handlers as server;
use crate::server::state::AppState;
use crate::server::validators::send_static;
use axum::extract::{Request, State};
use axum::response::Response;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mado",
        description = "Maintenance windows of Kuroneko Web Collect: is a function available at an instant, as known at another?\n\nEvery response carries `Access-Control-Allow-Origin: *` and `X-Content-Type-Options: nosniff`; `OPTIONS` on any route answers the CORS preflight. Bodies over 1 KB are compressed (gzip, br) when `Accept-Encoding` asks. Instants are whole seconds; every interval is half-open `[start, end)`."
    ),
    paths(
        server::availability,
        server::windows,
        server::functions,
        zones,
        server::calendar,
        server::healthz,
        server::readyz,
        crate::server::edge::metrics,
        handler,
        page_status,
        page_timeline,
        page_notices,
        page_notice
    ),
    components(schemas(
        crate::Answer,
        crate::AnswerSet,
        crate::WindowList,
        crate::WindowInfo,
        crate::DelayInfo,
        crate::RevisionInfo,
        crate::Status,
        crate::Action,
        crate::ChannelEffect,
        crate::Effect,
        crate::server::error::ErrorBody,
        crate::server::error::ErrorKind,
        crate::server::params::Lang,
        server::CatalogueBody,
        server::FunctionEntry,
        server::Readiness,
        crate::server::follow::SourceReadiness,
        crate::server::follow::Kind,
        ZonesBody
    ))
)]
struct ApiDoc;

/// The document with `function` and `channel` parameters restricted to `schedule`'s ids.
pub(crate) fn document_for(schedule: &crate::Schedule) -> String {
    let mut v = serde_json::to_value(ApiDoc::openapi().merge_from(super::statuspage::openapi())).unwrap_or_default();
    let functions: Vec<&str> = schedule.catalogue().functions().iter().map(|f| f.id()).collect();
    let channels: Vec<&str> = schedule.catalogue().channels().iter().map(|c| c.id()).collect();
    if let Some(paths) = v.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for op in paths.values_mut().filter_map(|p| p.get_mut("get")) {
            for p in op.get_mut("parameters").and_then(|p| p.as_array_mut()).into_iter().flatten() {
                let ids = match p["name"].as_str() {
                    Some("function") => &functions,
                    Some("channel") => &channels,
                    _ => continue,
                };
                let schema = &mut p["schema"];
                let target = if schema.get("items").is_some() { &mut schema["items"] } else { schema };
                target["enum"] = serde_json::json!(ids);
            }
        }
    }
    // Instants and lookaheads: the patterns the server checks them against (params.rs), so a
    // value is valid here exactly when the server reads it. Zones: a pattern of the IANA names
    // mado knows, not an enum (generators make identifiers of enum values, and aliases such as
    // `GMT0` and `GMT+0` collide); the list itself is `GET /v1/zones`.
    let instant = serde_json::json!({
        "type": "string",
        "pattern": super::params::instant_pattern(),
        "examples": ["2023-11-13T03:00:00+09:00", "2023-11-12T18:00Z", "2023-11-13 03:00", "2023-11-13", "now"]
    });
    let lookahead = serde_json::json!({
        "type": "string",
        "pattern": super::params::lookahead_pattern(),
        "examples": ["15m", "2h", "1h30m", "1d"]
    });
    let zone = serde_json::json!({
        "type": "string",
        "pattern": zone_pattern(),
        "examples": ["Asia/Tokyo", "UTC", "America/New_York"]
    });
    let notices: Vec<&str> = schedule.notices().iter().map(|n| n.id()).collect();
    if let Some(paths) = v.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for op in paths.values_mut().filter_map(|p| p.get_mut("get")) {
            for p in op.get_mut("parameters").and_then(|p| p.as_array_mut()).into_iter().flatten() {
                match p["name"].as_str() {
                    Some(name @ ("at" | "as_of" | "from" | "to")) => {
                        // Examples in order, so that generators pairing the first of each
                        // ask for a range that runs forwards (every `from` example is before every `to`).
                        let mut schema = instant.clone();
                        match name {
                            "from" => schema["examples"] = serde_json::json!(["2023-11-01", "2023-11-01 00:00", "2023-10-31T15:00Z"]),
                            "to" => schema["examples"] = serde_json::json!(["2023-12-01", "2023-12-01 00:00", "2023-11-30T15:00Z"]),
                            _ => {}
                        }
                        p["schema"] = schema;
                    }
                    Some("profile") => p["schema"] = serde_json::json!({ "type": "string", "enum": ["plain", "maintnote"] }),
                    Some("for") => p["schema"] = lookahead.clone(),
                    Some("id") => p["schema"]["enum"] = serde_json::json!(notices),
                    Some("tz") => p["schema"] = zone.clone(),
                    _ => {}
                }
            }
        }
    }
    // The timeline's form sends empty fields, which mean the default.
    let timeline = v.pointer_mut("/paths/~1timeline/get/parameters").and_then(|p| p.as_array_mut());
    for p in timeline.into_iter().flatten() {
        let is_function = p["name"] == "function";
        let is_instant = matches!(p["name"].as_str(), Some("from" | "to" | "as_of"));
        let Some(schema) = p.get_mut("schema") else { continue };
        if is_instant {
            *schema = serde_json::json!({ "anyOf": [schema.clone(), { "type": "string", "enum": [""] }] });
        } else if let Some(ids) = schema.get_mut("enum").and_then(|e| e.as_array_mut()).filter(|_| is_function) {
            ids.push(serde_json::json!(""));
        }
    }
    // The feed takes an empty `function` as none: every window.
    let feed = v.pointer_mut("/paths/~1calendar.ics/get/parameters").and_then(|p| p.as_array_mut());
    for p in feed.into_iter().flatten().filter(|p| p["name"] == "function") {
        if let Some(ids) = p.pointer_mut("/schema/enum").and_then(|e| e.as_array_mut()) {
            ids.push(serde_json::json!(""));
        }
    }
    // Any route may answer 414 (the query-length limit comes before routing's handlers).
    if let Some(paths) = v.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for op in paths.values_mut().filter_map(|p| p.get_mut("get")) {
            op["responses"]["414"] = serde_json::json!({
                "description": "Query string over 2048 bytes",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
            });
        }
    }
    // `/readyz`'s `sources` (with `--follow`): the shape follow.rs serves per source.
    if let Some(sources) = v.pointer_mut("/components/schemas/Readiness/properties/sources") {
        let description = sources.get("description").cloned().unwrap_or_default();
        *sources = serde_json::json!({
            "type": ["array", "null"],
            "description": description,
            "items": { "$ref": "#/components/schemas/SourceReadiness" }
        });
    }
    plain_descriptions(&mut v);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object,
                headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified")))]
pub(crate) async fn handler(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let loaded = st.current();
    let body = document_for(&loaded.schedule);
    send_static(req.headers(), &loaded.http, "openapi", body, "application/json", st.config.max_age)
}

/// Every IANA zone name mado reads, as one anchored alternation.
fn zone_pattern() -> String {
    let names: Vec<String> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name().replace('+', "\\+")).collect();
    format!("^(?:{})$", names.join("|"))
}

/// `GET /v1/zones`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ZonesBody {
    /// The zone used when `tz` is not given.
    default: &'static str,
    /// Every IANA zone name `tz` accepts (aliases included), sorted.
    zones: Vec<&'static str>,
}

/// The zone names `tz` accepts.
#[utoipa::path(get, path = "/v1/zones", tag = "catalogue",
    responses((status = 200, description = "The zones", body = ZonesBody, headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified"),
              (status = 400, description = "Any parameter (this endpoint takes none)", body = crate::server::error::ErrorBody)))]
pub(crate) async fn zones(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, crate::server::error::ApiError> {
    crate::server::params::NoParams::parse(req.uri().query().unwrap_or(""))?;
    let loaded = st.current();
    let mut zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    zones.sort_unstable();
    let body = ZonesBody { default: crate::engine::time::DEFAULT_ZONE.name(), zones };
    let mut text = serde_json::to_string_pretty(&body).unwrap_or_default();
    text.push('\n');
    Ok(send_static(req.headers(), &loaded.http, "zones", text, "application/json", st.config.max_age))
}

/// Rustdoc links (``[`Query`]``, ``[`X`](crate::X)``) read as plain code in the document.
fn plain_descriptions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    serde_json::Value::String(s) if k == "description" => *s = unlink(s),
                    _ => plain_descriptions(x),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(plain_descriptions),
        _ => {}
    }
}

fn unlink(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("[`") {
        let Some(j) = rest[i + 2..].find("`]") else { break };
        out.push_str(&rest[..i]);
        out.push('`');
        out.push_str(&rest[i + 2..i + 2 + j]);
        out.push('`');
        rest = &rest[i + 2 + j + 2..];
        if rest.starts_with('(') {
            if let Some(k) = rest.find(')') {
                rest = &rest[k + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use crate::server::params::{instant_param, instant_pattern, lookahead_param, lookahead_pattern};

    fn served() -> serde_json::Value {
        serde_json::from_str(&super::document_for(&crate::Schedule::embedded().expect("embedded"))).expect("json")
    }

    fn param<'a>(doc: &'a serde_json::Value, path: &str, name: &str) -> &'a serde_json::Value {
        let params = doc["paths"][path]["get"]["parameters"].as_array().expect("parameters");
        &params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} {name}"))["schema"]
    }

    /// The document's pattern for `for` and the server's reading of `for` agree on a table of
    /// values, and on every value of up to three terms below 100 with any units.
    #[test]
    fn the_lookahead_pattern_is_what_the_server_reads() {
        let doc = served();
        let pattern = param(&doc, "/v1/availability", "for")["pattern"].as_str().expect("pattern").to_string();
        assert_eq!(pattern, lookahead_pattern());
        let re = regex::Regex::new(&pattern).expect("a valid pattern");
        let agree = |v: &str| {
            let (schema, server) = (re.is_match(v), lookahead_param(v).is_ok());
            assert_eq!(schema, server, "`{v}`: the schema says {schema}, the server {server}");
            server
        };
        for v in [
            "15m",
            "2h",
            "1d",
            "1h30m",
            "90m",
            "0s",
            "31d",
            "744h",
            "44640m",
            "2678400s",
            "30d23h59m59s",
            "743h59m59s",
            "31d0h0m0s",
            "015m",
            "1d1s",
        ] {
            assert!(agree(v), "`{v}` is a lookahead");
        }
        for v in [
            "",
            "15",
            "m",
            "1h90m",
            "30m1h",
            "1h1h",
            " 15m",
            "15m ",
            "15M",
            "32d",
            "31d1s",
            "744h1m",
            "2678401s",
            "999d",
            "1.5h",
            "-1h",
            "1w",
            "1d24h",
            "99999999999999999999s",
        ] {
            assert!(!agree(v), "`{v}` is not a lookahead");
        }
        let units = ["d", "h", "m", "s"];
        for a in (0..100).step_by(7) {
            for u in units {
                for b in [0, 23, 24, 59, 60] {
                    for w in units {
                        agree(&format!("{a}{u}{b}{w}"));
                        for x in units {
                            agree(&format!("{a}{u}{b}{w}59{x}"));
                        }
                    }
                }
            }
        }
    }

    /// The document's pattern for instants and the server's reading agree on a table; the one
    /// known difference is the supported range's edges, which a pattern cannot place once an
    /// offset moves an instant across them.
    #[test]
    fn the_instant_pattern_is_what_the_server_reads() {
        let doc = served();
        for (path, name) in [("/v1/availability", "at"), ("/v1/availability", "as_of"), ("/v1/windows", "from"), ("/v1/windows", "to")] {
            assert_eq!(param(&doc, path, name)["pattern"].as_str(), Some(instant_pattern().as_str()), "{path} {name}");
        }
        let re = regex::Regex::new(&instant_pattern()).expect("a valid pattern");
        let now = crate::engine::time::now();
        let agree = |v: &str| {
            let (schema, server) =
                (re.is_match(v), instant_param(Some(&v.to_string()), "at", crate::engine::time::DEFAULT_ZONE, now).is_ok());
            assert_eq!(schema, server, "`{v}`: the schema says {schema}, the server {server}");
            server
        };
        for v in [
            "now",
            "NOW",
            "2023-11-13",
            "2023-11-13 03:00",
            "2023-11-13T03:00",
            "2023-11-13 03:00:59",
            "2023-11-13 24:00",
            "2023-11-13T03:00:00+09:00",
            "2023-11-13T03:00+09:00",
            "2023-11-12T18:00Z",
            "2023-11-12t18:00z",
            "2023-11-12T18:00:00.123456789Z",
            "2023-11-13 03:00+09:00",
            "2024-02-29",
            "2000-02-29 12:00",
            "1900-01-01",
            "9999-12-31",
            "2023-11-13T03:00-23:59",
            "2023-01-31T00:00Z",
        ] {
            assert!(agree(v), "`{v}` is an instant");
        }
        for v in [
            "",
            " now",
            "now ",
            "2023-11-13 3:00",
            " 2023-11-13",
            "2023-11-13 ",
            "2023-02-29",
            "1900-02-29",
            "2023-04-31",
            "2023-13-01",
            "2023-11-13 24:01",
            "2023-11-13T24:00+09:00",
            "2023-11-13T03:00+24:00",
            "2023-11-13T03:00+0900",
            "0224-01-01T00:00Z",
            "1899-12-31",
            "10000-01-01",
            "2023-11-13T03:00:60Z",
            "2023-11-13T03:00:00.Z",
            "2023-11-13T03:00:00.1234567890Z",
            "yesterday",
            "2023-11-13 03:00:00.5",
            "+2023-11-13",
            "2023-11-13T03Z",
        ] {
            assert!(!agree(v), "`{v}` is not an instant");
        }
        // The edges: a pattern matches them, the server refuses what falls outside the range.
        for v in ["1900-01-01T05:00+09:00", "9999-12-31T20:00-09:00", "9999-12-31 24:00"] {
            assert!(re.is_match(v) && instant_param(Some(&v.to_string()), "at", crate::engine::time::DEFAULT_ZONE, now).is_err(), "{v}");
        }
    }

    #[test]
    fn zones_are_a_pattern_of_every_name_not_an_enum() {
        let doc = served();
        let tz = param(&doc, "/v1/availability", "tz");
        assert!(tz.get("enum").is_none());
        let re = regex::Regex::new(tz["pattern"].as_str().expect("pattern")).expect("valid");
        for z in chrono_tz::TZ_VARIANTS {
            assert!(re.is_match(z.name()), "{}", z.name());
        }
        for bad in ["asia/tokyo", "Asia/Tokyo ", "Mars/Olympus", "GMT+0x", ""] {
            assert!(!re.is_match(bad) && crate::engine::time::parse_zone(bad).is_err(), "{bad}");
        }
    }
    /// `/readyz`'s `sources` items are `SourceReadiness`, whose properties are exactly the keys
    /// follow.rs serves for a URL source and for a file source, each required.
    #[test]
    fn readyz_documents_the_sources_follow_serves() {
        let doc = served();
        let sources = &doc["components"]["schemas"]["Readiness"]["properties"]["sources"];
        assert_eq!(sources["items"]["$ref"], "#/components/schemas/SourceReadiness", "{sources}");
        let schema = &doc["components"]["schemas"]["SourceReadiness"];
        let mut documented: Vec<&str> = schema["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
        documented.sort_unstable();
        let mut required: Vec<&str> = schema["required"].as_array().expect("required").iter().filter_map(|r| r.as_str()).collect();
        required.sort_unstable();
        assert_eq!(documented, required, "every key is always served");
        let follow_text = "[[source]]\nid = \"a\"\nkind = \"statuspage\"\nurl = \"https://s.example/a.json\"\nfunction = \"acme\"\n\n\
                           [[source]]\nid = \"b\"\nkind = \"ical\"\npath = \"b.ics\"\nfunction = \"acme\"\n";
        let sources = crate::server::follow::parse_sources("f.toml", follow_text).expect("reads");
        let dir = tempfile::tempdir().expect("tempdir");
        let convert: crate::server::follow::Convert = std::sync::Arc::new(|_, _| Ok(Vec::new()));
        let f = crate::server::follow::Follow::new(sources, dir.path().to_path_buf(), convert).expect("follow");
        let served = f.readiness(0);
        for (i, where_) in [(0, "url"), (1, "path")] {
            let mut keys: Vec<&str> = served[i].as_object().expect("object").keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, documented, "source {i}");
            assert!(served[i][where_].is_string(), "{}", served[i]);
        }
        assert_eq!(doc["components"]["schemas"]["SourceKind"]["enum"], serde_json::json!(["statuspage", "ical"]));
    }

    #[test]
    fn rustdoc_links_become_code() {
        assert_eq!(super::unlink("The answer to a [`Query`]."), "The answer to a `Query`.");
        assert_eq!(super::unlink("see [`X`](crate::X) and [`Y`]"), "see `X` and `Y`");
        assert_eq!(super::unlink("[`open"), "[`open");
    }
}

// The HTML pages (src/server/pages.rs), described here: their handlers answer HTML errors of
// their own, so the document states them as such.

/// The status page: every function's status now and when it next changes.
#[utoipa::path(get, path = "/", tag = "pages",
    params(("lang" = Option<crate::server::params::Lang>, Query, description = "Page language; default from `Accept-Language`, else `ja`")),
    responses((status = 200, description = "HTML", content_type = "text/html", body = String, headers(("ETag" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified"),
              (status = 400, description = "A bad or unknown parameter (an HTML page)", content_type = "text/html", body = String)))]
#[allow(dead_code)]
fn page_status() {}

/// The timeline: windows as a Gantt chart.
#[utoipa::path(get, path = "/timeline", tag = "pages",
    params(("lang" = Option<crate::server::params::Lang>, Query, description = "Page language"),
           ("from" = Option<String>, Query, description = "Start of the range (same forms as `at`); default 7 days before now, or 67 days before `to` when only `to` is given"),
           ("to" = Option<String>, Query, description = "End of the range (exclusive); default 60 days after `from`"),
           ("function" = Option<String>, Query, description = "Only this function and those below it"),
           ("as_of" = Option<String>, Query, description = "The calendar as known at this instant; default now")),
    responses((status = 200, description = "HTML", content_type = "text/html", body = String, headers(("ETag" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified"),
              (status = 400, description = "A bad or unknown parameter, or a range too long (an HTML page)", content_type = "text/html", body = String),
              (status = 404, description = "Unknown function (an HTML page)", content_type = "text/html", body = String)))]
#[allow(dead_code)]
fn page_timeline() {}

/// Every notice, newest first.
#[utoipa::path(get, path = "/notices", tag = "pages",
    params(("lang" = Option<crate::server::params::Lang>, Query, description = "Page language")),
    responses((status = 200, description = "HTML", content_type = "text/html", body = String, headers(("ETag" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified"),
              (status = 400, description = "A bad or unknown parameter (an HTML page)", content_type = "text/html", body = String)))]
#[allow(dead_code)]
fn page_notices() {}

/// One notice and the trail of each window it touched.
#[utoipa::path(get, path = "/notices/{id}", tag = "pages",
    params(("id" = String, Path, description = "Notice id, e.g. `2023-10-10-db-upgrade-revised`"),
           ("lang" = Option<crate::server::params::Lang>, Query, description = "Page language")),
    responses((status = 200, description = "HTML", content_type = "text/html", body = String, headers(("ETag" = String), ("Cache-Control" = String))),
              (status = 304, description = "Not modified"),
              (status = 400, description = "A bad or unknown parameter (an HTML page)", content_type = "text/html", body = String),
              (status = 404, description = "Unknown notice (an HTML page)", content_type = "text/html", body = String)))]
#[allow(dead_code)]
fn page_notice() {}
