//! The Statuspage-compatible read API (`/api/v2/…`): parameters, caching headers, and the
//! documents of [`crate::views::statuspage`] as JSON.
//!
//! Every document describes the schedule at now, as known now. Its `ETag` is over its bytes
//! (what it says), `Cache-Control` keeps it no longer than `--max-age` nor past the next
//! instant at which any document may read differently (a window starting or ending), and
//! `If-Modified-Since: t` is a `304` only when the same schedule was served at `t` and the
//! document built at `t` says the same.

use super::error::ApiError;
use super::params::lang_param;
use super::state::AppState;
use super::validators::{cache_control, seconds_until, send, unmodified, weak_tag, Meaning, Prepared};
use crate::engine::error::QueryError;
use crate::engine::eval::Schedule;
use crate::engine::time::Instant;
use crate::views::json::to_json;
use crate::views::statuspage::{
    Component, ComponentsDoc, Documents, Incident, IncidentsDoc, MaintenancesDoc, Options, Page, Rollup, StatusDoc, Summary, Update, Which,
};
use axum::extract::{Request, State};
use axum::response::Response;
use std::sync::Arc;

/// Which document a route serves.
#[derive(Clone, Copy)]
enum Doc {
    Summary,
    Status,
    Components,
    Maintenances(Which),
    Incidents { unresolved: bool },
}

fn build(s: &Schedule, o: Options, doc: Doc) -> Result<String, QueryError> {
    build_with(&Documents::new(s, o), doc)
}

fn build_with(d: &Documents, doc: Doc) -> Result<String, QueryError> {
    let page = d.page().clone();
    Ok(match doc {
        Doc::Summary => to_json(&d.summary()?),
        Doc::Status => to_json(&d.status()?),
        Doc::Components => to_json(&ComponentsDoc { page, components: d.components()? }),
        Doc::Maintenances(w) => to_json(&MaintenancesDoc { page, scheduled_maintenances: d.maintenances(w)? }),
        Doc::Incidents { unresolved } => to_json(&IncidentsDoc { page, incidents: d.incidents(unresolved)? }),
    })
}

/// Only `lang` (`ja`, default, or `en`).
fn lang_of(q: &str) -> Result<crate::engine::model::Lang, ApiError> {
    let mut lang = None;
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "lang" if lang.is_none() => lang = Some(v.to_string()),
            "lang" => return Err(ApiError::bad("lang", "`lang` is given twice; expected it at most once".into())),
            other => {
                return Err(ApiError::bad(
                    other,
                    format!("`{other}` is not a parameter here; expected `lang` (`ja` or `en`), e.g. `lang=en`"),
                ))
            }
        }
    }
    lang_param(lang.as_ref())
}

async fn serve_doc(st: Arc<AppState>, req: Request, key: &'static str, doc: Doc) -> Result<Response, ApiError> {
    let lang = lang_of(req.uri().query().unwrap_or(""))?;
    let loaded = st.current();
    let now = st.now();
    let base_url = st.config.links.base(req.headers(), super::pages::peer_ip(req.extensions().get()));
    let opts = Options { now, lang, base_url };
    let work = loaded.clone();
    let o = opts.clone();
    let (body, next) = st
        .heavy(move || -> Result<(String, Option<Instant>), QueryError> {
            let d = Documents::new(&work.schedule, o);
            Ok((build_with(&d, doc)?, d.next_change()?))
        })
        .await??;
    let meaning = |body: &str| {
        let mut m = Meaning::new(loaded.http.fingerprint);
        m.str(key).bytes(body.as_bytes());
        m.finish()
    };
    let hash = meaning(&body);
    let max_age = next.map_or(st.config.max_age, |n| st.config.max_age.min(seconds_until(now, n)));
    let clock = crate::engine::time::now();
    let p = Prepared {
        etag: weak_tag(hash),
        cache_control: cache_control(max_age),
        last_modified: loaded.http.last_modified(clock),
        body: axum::body::Bytes::from(body),
    };
    // The document as built at `t` (the same schedule): a 304 only if it says the same.
    let at = |t: Instant| build(&loaded.schedule, Options { now: t, ..opts.clone() }, doc).ok().map(|b| meaning(&b));
    let not_modified = unmodified(req.headers(), &loaded.http, clock, &p.etag, at);
    let mut r = send(p, "application/json", not_modified);
    super::params::mark_clock(st.config.now, &mut r);
    Ok(r)
}

macro_rules! doc_handler {
    ($name:ident, $path:literal, $doc:expr, $body:ty, $what:literal) => {
        #[doc = concat!("`GET ", $path, "`: ", $what, ".")]
        #[utoipa::path(get, path = $path, tag = "statuspage",
            params(("lang" = Option<crate::server::params::Lang>, Query, description = "Language of names and bodies; default `ja`")),
            responses((status = 200, description = $what, body = $body, headers(("ETag" = String), ("Last-Modified" = String), ("Cache-Control" = String))),
                      (status = 304, description = "Not modified"),
                      (status = 400, description = "A bad or unknown parameter", body = crate::server::error::ErrorBody)))]
        pub(crate) async fn $name(State(st): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
            serve_doc(st, req, $path, $doc).await
        }
    };
}

doc_handler!(
    summary,
    "/api/v2/summary.json",
    Doc::Summary,
    Summary,
    "The page, its components, unresolved incidents, maintenances in progress or scheduled, and the rollup"
);
doc_handler!(status, "/api/v2/status.json", Doc::Status, StatusDoc, "The page and its rollup");
doc_handler!(components, "/api/v2/components.json", Doc::Components, ComponentsDoc, "Every function as a component, with its status now");
doc_handler!(
    maintenances,
    "/api/v2/scheduled-maintenances.json",
    Doc::Maintenances(Which::All),
    MaintenancesDoc,
    "The 50 most recent maintenances"
);
doc_handler!(
    upcoming,
    "/api/v2/scheduled-maintenances/upcoming.json",
    Doc::Maintenances(Which::Upcoming),
    MaintenancesDoc,
    "The maintenances not yet started"
);
doc_handler!(
    active,
    "/api/v2/scheduled-maintenances/active.json",
    Doc::Maintenances(Which::Active),
    MaintenancesDoc,
    "The maintenances in progress"
);
doc_handler!(
    incidents,
    "/api/v2/incidents.json",
    Doc::Incidents { unresolved: false },
    IncidentsDoc,
    "The 50 most recent incidents that have begun"
);
doc_handler!(
    unresolved,
    "/api/v2/incidents/unresolved.json",
    Doc::Incidents { unresolved: true },
    IncidentsDoc,
    "The incidents not resolved"
);

/// The OpenAPI paths and schemas of these routes, for `/openapi.json` to merge
/// (`doc.merge(statuspage::openapi())`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(summary, status, components, maintenances, upcoming, active, incidents, unresolved),
    components(schemas(Summary, StatusDoc, ComponentsDoc, MaintenancesDoc, IncidentsDoc, Page, Component, Incident, Update, Rollup))
)]
struct StatuspageDoc;

/// The OpenAPI document of the Statuspage-compatible routes alone.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <StatuspageDoc as utoipa::OpenApi>::openapi()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_documented_with_its_schema() {
        let doc = serde_json::to_value(super::openapi()).expect("json");
        let paths = doc["paths"].as_object().expect("paths");
        assert_eq!(paths.len(), 8);
        for (path, item) in paths {
            assert!(crate::server::ROUTES.iter().any(|r| r.path == path), "{path} is not routed");
            assert!(item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].is_string(), "{path}");
        }
        assert!(doc["components"]["schemas"]["Incident"]["properties"]["incident_updates"].is_object());
    }
}
