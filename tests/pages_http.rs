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
        // The seeds' catalogue names one provider: every series carries it.
        assert_eq!(a["provider"], "yamato", "{id}");
        let labels = format!("function=\"{id}\",provider=\"yamato\"");
        assert!(metrics.contains(&format!("mado_function_status{{{labels}}} {want}\n")), "{id}");
        match a["until"].as_str() {
            Some(u) => {
                let ts = chrono::DateTime::parse_from_rfc3339(u).expect("rfc3339").timestamp();
                assert!(metrics.contains(&format!("mado_function_next_change_timestamp_seconds{{{labels}}} {ts}\n")), "{id}");
            }
            None => assert!(!metrics.contains(&format!("mado_function_next_change_timestamp_seconds{{{labels}}}")), "{id}"),
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

/// `mado serve --now 2023-11-13T02:30+09:00`, in process.
fn app_at(now: &str) -> mado::server::App {
    let now = mado::server::parse_clock(now).expect("an instant with an offset");
    router(AppState::new(Config { now: Some(now), ..Config::default() }).expect("embedded schedules load"))
}

#[tokio::test]
async fn a_fixed_clock_sets_every_default_and_says_so_everywhere() {
    let app = app_at("2023-11-13T02:30+09:00");
    // The pages: "now" is the fixed instant, and each page says the clock is fixed.
    for uri in
        ["/?lang=en", "/timeline?lang=en", "/notices?lang=en", "/notices/2023-10-10-db-upgrade-revised?lang=en", "/notices/nope?lang=en"]
    {
        let (_, h, body) = get(&app, uri, &[]).await;
        assert!(body.contains("<p class=\"clock\" data-clock=\"2023-11-12T17:30:00Z\">"), "{uri}");
        assert!(body.contains("Fixed clock"), "{uri}");
        if !uri.contains("nope") {
            assert_eq!(h["mado-clock"], "fixed; now=2023-11-12T17:30:00Z", "{uri}");
        }
    }
    let (_, _, status) = get(&app, "/?lang=en", &[]).await;
    assert!(status.contains("as at <time datetime=\"2023-11-13T02:30:00+09:00\">"), "the status is as at the fixed clock");
    assert!(status.contains("Maintenance in progress"));
    let (_, _, timeline) = get(&app, "/timeline?lang=en", &[]).await;
    assert!(timeline.contains("<time datetime=\"2023-11-06T02:30:00+09:00\">"), "the range opens 7 days before the fixed now");
    // The API: `at` and `as_of` default to it, and the answer is marked.
    let (s, h, body) = get(&app, "/v1/availability?function=webcollect.credit_card", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["mado-clock"], "fixed; now=2023-11-12T17:30:00Z");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        (v["at"].as_str(), v["as_of"].as_str(), v["status"].as_str()),
        (Some("2023-11-13T02:30:00+09:00"), Some("2023-11-13T02:30:00+09:00"), Some("unavailable"))
    );
    let (_, h, body) = get(&app, "/v1/windows?function=webcollect.reauth", &[]).await;
    assert_eq!(h["mado-clock"], "fixed; now=2023-11-12T17:30:00Z");
    assert!(body.contains("\"from\": \"2023-11-13T02:30:00+09:00\"") || body.contains("\"from\":\"2023-11-13T02:30:00+09:00\""), "{body}");
    let (_, _, ready) = get(&app, "/readyz", &[]).await;
    let v: serde_json::Value = serde_json::from_str(&ready).expect("json");
    assert_eq!(v["clock"], "2023-11-12T17:30:00Z");
    // On the real clock: no mark anywhere.
    let real = crate::app();
    let (_, h, body) = get(&real, "/?lang=en", &[]).await;
    assert!(!body.contains("class=\"clock\"") && h.get("mado-clock").is_none());
    let (_, _, ready) = get(&real, "/readyz", &[]).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&ready).expect("json")["clock"], serde_json::Value::Null);
}

#[cfg(feature = "cli")]
#[test]
fn the_cli_takes_a_fixed_clock_from_now_or_mado_now_and_serve_only_from_the_flag() {
    let mado = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_mado"));
        c.env_remove("MADO_NOW").env_remove("MADO_SCHEDULES").env("LANG", "C");
        c
    };
    let check = ["check", "webcollect.credit_card", "--format", "json"];
    let flag = mado().args(check).args(["--now", "2023-11-13T02:30+09:00"]).output().expect("runs");
    let env = mado().args(check).env("MADO_NOW", "2023-11-13T02:30+09:00").output().expect("runs");
    for out in [&flag, &env] {
        assert_eq!(out.status.code(), Some(1), "unavailable at the fixed clock");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!((v["at"].as_str(), v["as_of"].as_str()), (Some("2023-11-13T02:30:00+09:00"), Some("2023-11-13T02:30:00+09:00")));
    }
    let local = mado().args(check).args(["--now", "2023-11-13 02:30"]).output().expect("runs");
    assert_eq!(local.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&local.stderr).contains("`2023-11-13 02:30` has no offset"), "{local:?}");
    // A stray MADO_NOW never fixes a server's clock.
    let serve = mado().args(["serve", "--addr", "127.0.0.1:0"]).env("MADO_NOW", "2023-11-13T02:30+09:00").output().expect("runs");
    assert_eq!(serve.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&serve.stderr).contains("mado serve fixes its clock only with --now"), "{serve:?}");
}
