//! The pages and the function gauges through the router: language choice, caching, errors.
use axum::http::{header, StatusCode};
use mado::server::{router, AppState, Config, Links};

mod common;

/// A request as a browser sends it to `mado.example:8080`.
async fn get(app: &mado::server::App, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut all = vec![("host", "mado.example:8080")];
    all.extend_from_slice(headers);
    common::request(app, uri, &all).await
}

fn app() -> mado::server::App {
    router(AppState::new(Config::default()).expect("embedded schedules load"))
}

/// The app with absolute links: from `mado.example:8080` when asked on it, or from a public URL.
fn app_linking(public_url: Option<&str>) -> mado::server::App {
    let links = Links::new(public_url, &["mado.example:8080".into()], &[]).expect("good flags");
    router(AppState::new(Config { links, ..Config::default() }).expect("embedded schedules load"))
}

#[tokio::test]
async fn language_from_the_parameter_then_accept_language_then_japanese() {
    let app = app();
    let (s, h, body) = get(&app, "/", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(body.contains("<html lang=\"ja\">"));
    let (_, h, body) = get(&app, "/", &[("accept-language", "fr-FR, en-GB;q=0.8, ja;q=0.5")]).await;
    assert!(body.contains("<html lang=\"en\">"));
    assert_eq!(h[header::VARY], "Accept-Language");
    let (_, _, body) = get(&app, "/?lang=ja", &[("accept-language", "en")]).await;
    assert!(body.contains("<html lang=\"ja\">"));
    // The switch points at the same page in the other language.
    assert!(body.contains("href=\"/?lang=en\" hreflang=\"en\""), "language switch");
    let (s, _, body) = get(&app, "/?lang=fr", &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("`fr` is not a language; expected `ja` or `en`"));
}

#[tokio::test]
async fn pages_are_cached_like_the_api() {
    let app = app();
    for uri in ["/?lang=en", "/timeline?from=2023-11-01&to=2023-11-20", "/notices", "/notices/2023-10-10-db-upgrade-revised"] {
        let (s, h, _) = get(&app, uri, &[]).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        let etag = h[header::ETAG].to_str().expect("etag").to_string();
        let cc = h[header::CACHE_CONTROL].to_str().expect("cache-control").to_string();
        let max_age: u64 = cc.strip_prefix("public, max-age=").and_then(|v| v.parse().ok()).expect("max-age");
        assert!(max_age <= 60, "{uri}: {cc}");
        let (s, _, body) = get(&app, uri, &[("if-none-match", &etag)]).await;
        assert_eq!(s, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(body.is_empty());
    }
}

#[tokio::test]
async fn feed_links_use_a_trusted_host_or_the_public_url() {
    let (_, _, body) = get(&app_linking(None), "/?lang=en", &[]).await;
    assert!(body.contains("href=\"webcal://mado.example:8080/calendar.ics?lang=en\""));
    assert!(body.contains("href=\"http://mado.example:8080/calendar.ics?function=webcollect.credit_card&amp;lang=en\""));
    // Behind a TLS proxy: the public URL (a client's X-Forwarded-Proto counts for nothing; tests/hostile.rs).
    let (_, _, body) = get(&app_linking(Some("https://mado.example")), "/?lang=en", &[]).await;
    assert!(body.contains("href=\"https://mado.example/calendar.ics?lang=en\""));
    // Without either, the feed is linked by path.
    let (_, _, body) = get(&app(), "/?lang=en", &[]).await;
    assert!(body.contains("href=\"/calendar.ics?lang=en\"") && !body.contains("webcal://"));
}

#[tokio::test]
async fn unknown_notice_and_bad_timeline_ranges_are_html_errors() {
    let app = app();
    let (s, h, body) = get(&app, "/notices/nope?lang=en", &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(body.contains("no notice `nope`; known notices: "), "{body}");
    let (s, _, body) = get(&app, "/timeline?from=2023-11-20&to=2023-11-01&lang=en", &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("`to` must be after `from`"), "{body}");
    let (s, _, body) = get(&app, "/timeline?from=2020-01-01&to=2030-01-01", &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("at most 400"), "{body}");
    let (s, _, body) = get(&app, "/timeline?from=yesterday-ish", &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("yesterday-ish"), "{body}");
    let (s, _, _) = get(&app, "/timeline?function=webcollect.nope", &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, body) = get(&app, "/?colour=red", &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("colour"), "{body}");
}

#[tokio::test]
async fn html_is_escaped_by_construction() {
    let (_, _, body) = get(&app(), "/timeline?function=%3Cscript%3E", &[]).await;
    assert!(!body.contains("<script>"), "{body}");
    assert!(body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn function_gauges_match_the_availability_answers() {
    let app = app();
    let (_, _, metrics) = get(&app, "/metrics", &[]).await;
    assert!(metrics.contains("# TYPE mado_function_status gauge"));
    assert!(metrics.contains("# TYPE mado_function_next_change_timestamp_seconds gauge"));
    let (_, _, functions) = get(&app, "/v1/functions", &[]).await;
    let functions: serde_json::Value = serde_json::from_str(&functions).expect("json");
    let ids: Vec<&str> = functions["functions"].as_array().expect("list").iter().filter_map(|f| f["id"].as_str()).collect();
    assert_eq!(ids.len(), 15);
    for id in ids {
        let (_, _, a) = get(&app, &format!("/v1/availability?function={id}"), &[]).await;
        let a: serde_json::Value = serde_json::from_str(&a).expect("json");
        let want = match a["status"].as_str() {
            Some("available") => 0,
            Some("tentative") => 1,
            _ => 2,
        };
        assert!(metrics.contains(&format!("mado_function_status{{function=\"{id}\"}} {want}\n")), "{id}");
        match a["until"].as_str() {
            Some(u) => {
                let ts = chrono::DateTime::parse_from_rfc3339(u).expect("rfc3339").timestamp();
                assert!(metrics.contains(&format!("mado_function_next_change_timestamp_seconds{{function=\"{id}\"}} {ts}\n")), "{id}");
            }
            None => assert!(!metrics.contains(&format!("mado_function_next_change_timestamp_seconds{{function=\"{id}\"}}")), "{id}"),
        }
    }
}

#[tokio::test]
async fn feed_events_link_the_notice_page_on_a_trusted_host() {
    let (_, _, ics) = get(&app_linking(None), "/calendar.ics?lang=en", &[]).await;
    assert!(ics.contains("URL:http://mado.example:8080/notices/2023-08-28-db-upgrade?lang=en\r\n"), "{ics}");
    let (_, _, page) = get(&app(), "/notices/2023-08-28-db-upgrade?lang=en", &[]).await;
    assert!(page.contains("<h1>"), "the linked page exists");
}
