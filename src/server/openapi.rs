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
        server::Readiness
    ))
)]
struct ApiDoc;

/// The document with `function` and `channel` parameters restricted to `schedule`'s ids.
pub(crate) fn document_for(schedule: &crate::Schedule) -> String {
    let mut v = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
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
    // Instants: RFC 3339 date-times, dates, or `now` (local `2023-11-13 03:00` is accepted too,
    // but has no JSON Schema format); zones: the IANA names mado knows.
    let instant = serde_json::json!({ "anyOf": [
        { "type": "string", "format": "date-time" },
        { "type": "string", "format": "date" },
        { "type": "string", "enum": ["now"] }
    ]});
    let zones: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    let notices: Vec<&str> = schedule.notices().iter().map(|n| n.id()).collect();
    if let Some(paths) = v.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for op in paths.values_mut().filter_map(|p| p.get_mut("get")) {
            for p in op.get_mut("parameters").and_then(|p| p.as_array_mut()).into_iter().flatten() {
                match p["name"].as_str() {
                    Some("at" | "as_of" | "from" | "to") => p["schema"] = instant.clone(),
                    Some("id") => p["schema"]["enum"] = serde_json::json!(notices),
                    Some("tz") => p["schema"]["enum"] = serde_json::json!(zones),
                    _ => {}
                }
            }
        }
    }
    // The timeline's form sends empty fields, which mean the default.
    let timeline = v.pointer_mut("/paths/~1timeline/get/parameters").and_then(|p| p.as_array_mut());
    for p in timeline.into_iter().flatten() {
        let is_function = p["name"] == "function";
        let Some(schema) = p.get_mut("schema") else { continue };
        if let Some(any) = schema.get_mut("anyOf").and_then(|a| a.as_array_mut()) {
            any.push(serde_json::json!({ "type": "string", "enum": [""] }));
        } else if let Some(ids) = schema.get_mut("enum").and_then(|e| e.as_array_mut()).filter(|_| is_function) {
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
           ("from" = Option<String>, Query, description = "Start of the range (same forms as `at`); default 7 days ago"),
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
