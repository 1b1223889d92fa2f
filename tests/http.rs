//! `mado serve`: endpoints, HTTP behaviour, and live reload.
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use mado::server::{router, AppState, Config};
use std::process::Command;
use std::sync::Arc;
use tower::ServiceExt;

mod common;
use common::request as get;

fn embedded() -> (Arc<AppState>, mado::server::App) {
    let st = AppState::new(Config::default()).expect("embedded schedules load");
    (st.clone(), router(st))
}

fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(args)
        .env_remove("MADO_SCHEDULES")
        .env("LANG", "ja_JP.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("run mado");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[tokio::test]
async fn availability_and_windows_are_the_cli_json_byte_for_byte() {
    let (_, app) = embedded();
    let (status, _, body) =
        get(&app, "/v1/availability?function=webcollect.credit_card&at=2023-11-13T03:00%2B09:00&as_of=2024-01-01&channel=api", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        cli(&[
            "check",
            "webcollect.credit_card",
            "--at",
            "2023-11-13T03:00+09:00",
            "--as-of",
            "2024-01-01",
            "--channel",
            "api",
            "--format",
            "json"
        ])
    );
    let (_, _, body) = get(&app, "/v1/windows?from=2019-01-01&to=2024-01-01&function=webcollect.reauth&as_of=2024-01-01", &[]).await;
    assert_eq!(
        body,
        cli(&[
            "windows",
            "--from",
            "2019-01-01",
            "--to",
            "2024-01-01",
            "--function",
            "webcollect.reauth",
            "--as-of",
            "2024-01-01",
            "--format",
            "json"
        ])
    );
    let (_, _, body) = get(&app, "/calendar.ics?function=webcollect.reauth&lang=en", &[]).await;
    assert_eq!(body, cli(&["calendar", "--function", "webcollect.reauth", "--lang", "en"]));
    let (_, _, body) = get(&app, "/v1/functions", &[]).await;
    assert_eq!(body, cli(&["functions", "--format", "json"]));
}

#[tokio::test]
async fn weak_etag_over_the_feed_and_304_for_either_form() {
    let (_, app) = embedded();
    let (status, h, _) = get(&app, "/calendar.ics", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "text/calendar; charset=utf-8");
    assert!(h.contains_key(header::LAST_MODIFIED));
    let tag = h[header::ETAG].to_str().expect("etag").to_string();
    assert!(tag.starts_with("W/\""), "weak etag: {tag}");
    for form in [tag.clone(), tag.trim_start_matches("W/").to_string(), format!("\"x\", {tag}")] {
        let (status, h2, body) = get(&app, "/calendar.ics", &[("if-none-match", &form)]).await;
        assert_eq!((status, body.as_str()), (StatusCode::NOT_MODIFIED, ""), "{form}");
        assert_eq!(h2[header::ETAG], tag.as_str());
        assert!(h2.contains_key(header::CACHE_CONTROL) && h2.contains_key(header::LAST_MODIFIED));
    }
    let (status, _, _) = get(&app, "/calendar.ics", &[("if-none-match", "\"other\"")]).await;
    assert_eq!(status, StatusCode::OK);
    // Same schedule, new state: same tag (replicas agree).
    let (_, app2) = embedded();
    let (_, h3, _) = get(&app2, "/calendar.ics", &[]).await;
    assert_eq!(h3[header::ETAG], tag.as_str());
}

/// Sleeps into the next wall-clock second, so `at` and `as_of` in the bodies differ.
async fn next_second() {
    let ms = 1_000 - u64::from(chrono::Utc::now().timestamp_subsec_millis());
    tokio::time::sleep(std::time::Duration::from_millis(ms + 20)).await;
}

#[tokio::test]
async fn revalidation_answers_304_across_seconds_when_the_meaning_holds() {
    let (_, app) = embedded();
    for uri in [
        "/v1/availability?function=webcollect.credit_card&for=15m",
        "/v1/availability?function=webcollect.credit_card&at=2023-11-13T03:00%2B09:00",
        "/v1/availability?function=webcollect.credit_card&function=webcollect.reauth",
        "/v1/windows?from=2023-11-01&to=2023-12-01",
    ] {
        let (status, h, body) = get(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let tag = h[header::ETAG].to_str().expect("etag").to_string();
        next_second().await;
        let (status, h2, body2) = get(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(body, body2, "{uri}: the body carries the second it was asked");
        assert_eq!(h2[header::ETAG], tag.as_str(), "{uri}: same meaning, same tag");
        let (status, _, _) = get(&app, uri, &[("if-none-match", &tag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{uri}");
        // If-Modified-Since with the date it was last sent.
        let lm = h2[header::LAST_MODIFIED].to_str().expect("lm").to_string();
        let (status, _, _) = get(&app, uri, &[("if-modified-since", &lm)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{uri}: if-modified-since {lm}");
        if !uri.contains("for=") {
            // The same with a fixed as-of: Last-Modified is when the schedule began serving.
            let fixed = format!("{uri}&as_of=2029-01-01");
            let (_, h, _) = get(&app, &fixed, &[]).await;
            let lm = h[header::LAST_MODIFIED].to_str().expect("lm").to_string();
            let (status, _, _) = get(&app, &fixed, &[("if-modified-since", &lm)]).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{fixed}: if-modified-since {lm}");
        }
        // Before this process served the schedule: modified.
        let (status, _, _) = get(&app, uri, &[("if-modified-since", "Sun, 06 Nov 1994 08:49:37 GMT")]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn if_modified_since_before_a_boundary_is_modified() {
    // A window ends 2 s after `now`: asked after it ended, "since before the end" has changed.
    // Two servers on the same files with the clock set (`--now`), 2 s apart: no sleeping.
    let dir = tempfile::tempdir().expect("tempdir");
    let now = mado::time::parse_instant("2030-01-01T00:00:00Z", mado::time::DEFAULT_ZONE, mado::time::now()).expect("instant");
    let fmt = |t: mado::time::Instant| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let notice = format!(
        "id = \"n\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nstart = \"{}\"\nend = \"{}\"\n",
        fmt(now - chrono::Duration::minutes(5)),
        fmt(now + chrono::Duration::seconds(2))
    );
    write_schedule(dir.path(), &notice);
    let at = |t: mado::time::Instant| {
        router(AppState::new(Config { schedules: Some(dir.path().into()), now: Some(t), ..Config::default() }).expect("loads"))
    };
    let uri = "/v1/availability?function=webcollect.credit_card";
    let before = at(now);
    let (_, h, body) = get(&before, uri, &[]).await;
    assert!(body.contains("\"status\": \"unavailable\""));
    assert_eq!(h[header::CACHE_CONTROL], "public, no-cache", "at most 2 s left: not to be kept");
    let lm = h[header::LAST_MODIFIED].to_str().expect("lm").to_string();
    let tag = h[header::ETAG].to_str().expect("etag").to_string();
    let (status, _, _) = get(&before, uri, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK, "no 304 for what is not to be kept: nginx would keep its copy for the old max-age");
    let after = at(now + chrono::Duration::milliseconds(2_500));
    let (status, _, body) = get(&after, uri, &[("if-modified-since", &lm)]).await;
    assert_eq!(status, StatusCode::OK, "the window ended since {lm}");
    assert!(body.contains("\"status\": \"available\""));
    let (status, _, _) = get(&after, uri, &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK);
}

fn write_schedule(dir: &std::path::Path, notice: &str) {
    std::fs::copy("schedules/functions.toml", dir.join("functions.toml")).expect("catalogue");
    std::fs::write(dir.join("notice.toml"), notice).expect("notice");
}

fn notice_around_now(start_offset_min: i64, end_offset_min: i64) -> String {
    let now = chrono::Utc::now();
    let fmt = |m: i64| (now + chrono::Duration::minutes(m)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    format!("id = \"n\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nstart = \"{}\"\nend = \"{}\"\n", fmt(start_offset_min), fmt(end_offset_min))
}

#[tokio::test]
async fn cache_control_never_outlives_until() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_schedule(dir.path(), &notice_around_now(-10, 1));
    let st = AppState::new(Config { schedules: Some(dir.path().into()), max_age: 600, ..Config::default() }).expect("loads");
    let app = router(st);
    let (status, h, body) = get(&app, "/v1/availability?function=webcollect.credit_card", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"status\": \"unavailable\""));
    let cc = h[header::CACHE_CONTROL].to_str().expect("cache-control");
    let max_age: u64 = cc.trim_start_matches("public, max-age=").parse().expect("max-age");
    assert!(max_age <= 60, "unavailable for at most a minute more, got {cc}");
    // An answer about a fixed instant is capped by the ceiling only.
    let (_, h, _) = get(&app, "/v1/availability?function=webcollect.credit_card&at=2019-01-01", &[]).await;
    assert_eq!(h[header::CACHE_CONTROL], "public, max-age=600");
}

#[tokio::test]
async fn bad_input_is_a_json_400_naming_the_parameter() {
    let (_, app) = embedded();
    let cases = [
        ("/v1/availability", "function"),
        ("/v1/availability?function=webcollect&at=tomorrow", "at"),
        ("/v1/availability?function=webcollect&for=soon", "for"),
        ("/v1/availability?function=webcollect&channel=fax", "channel"),
        ("/v1/availability?function=webcollect&tz=Mars/Base", "tz"),
        ("/v1/availability?function=webcollect&colour=red", "colour"),
        ("/v1/windows?from=2024-01-02&to=2024-01-01", "to"),
        ("/v1/windows?limit=0", "limit"),
        ("/v1/availability?function=webcollect&as_of=%2B262142-12-31T23:59:59Z", "as_of"),
        ("/v1/windows?from=-0001-12-31", "from"),
        ("/v1/availability?function=webcollect&function=webcollect&at=1&at=2", "at"),
        ("/v1/functions?x=1", "x"),
        ("/calendar.ics?lang=fr", "lang"),
    ];
    for (uri, param) in cases {
        let (status, h, body) = get(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(h[header::CONTENT_TYPE], "application/json");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["error"], "bad_request", "{uri}");
        assert_eq!(v["parameter"], param, "{uri}: {body}");
        assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

#[tokio::test]
async fn unknown_function_404_with_close_matches_and_unknown_route_404() {
    let (_, app) = embedded();
    let (status, _, body) = get(&app, "/v1/availability?function=webcollect.credt_card", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["suggestions"][0], "webcollect.credit_card");
    let (status, _, _) = get(&app, "/calendar.ics?function=nope", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = get(&app, "/v2/anything", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("\"error\": \"not_found\""));
}

async fn send(app: &mado::server::App, method: Method, uri: &str, headers: &[(&str, &str)]) -> axum::http::Response<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.clone().oneshot(req.body(Body::empty()).expect("req")).await.expect("infallible")
}

#[tokio::test]
async fn head_cors_405_and_long_queries() {
    let (_, app) = embedded();
    let resp = send(&app, Method::HEAD, "/v1/functions", &[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.into_body().collect().await.expect("body").to_bytes().is_empty());
    let resp = send(&app, Method::POST, "/v1/functions", &[]).await;
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers()[header::ALLOW], "GET, HEAD, OPTIONS");
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("\"error\": \"method_not_allowed\""));
    let (_, h, _) = get(&app, "/v1/availability?function=webcollect", &[("origin", "https://shop.example")]).await;
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(h[header::ACCESS_CONTROL_EXPOSE_HEADERS], "ETag, Last-Modified");
    assert!(
        !h.get_all(header::VARY).iter().any(|v| v.to_str().unwrap_or("").to_ascii_lowercase().contains("origin")),
        "no Vary: Origin with *"
    );
    let long = format!("/v1/availability?function={}", "x".repeat(mado::server::MAX_QUERY_LEN));
    let (status, _, body) = get(&app, &long, &[]).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert!(body.contains("\"error\": \"query_too_long\""));
}

#[tokio::test]
async fn preflight_allows_the_validators_and_is_cached() {
    let (_, app) = embedded();
    let resp = send(
        &app,
        Method::OPTIONS,
        "/v1/availability?function=webcollect",
        &[
            ("origin", "https://shop.example"),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "if-none-match, if-modified-since"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let h = resp.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let allowed = h[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().expect("allow-headers").to_ascii_lowercase();
    assert!(allowed.contains("if-none-match") && allowed.contains("if-modified-since"), "{allowed}");
    assert!(h[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().expect("methods").contains("GET"));
    assert!(h[header::ACCESS_CONTROL_MAX_AGE].to_str().expect("max-age").parse::<u64>().expect("seconds") >= 600);
    assert!(!h.contains_key(header::VARY));
}

#[tokio::test]
async fn every_response_is_counted_and_nosniff() {
    let (_, app) = embedded();
    let long = format!("/v1/availability?function={}", "x".repeat(mado::server::MAX_QUERY_LEN));
    let cases: [(Method, &str, u16); 7] = [
        (Method::GET, "/v1/functions", 200),
        (Method::GET, "/v1/availability?function=nope", 404),
        (Method::GET, "/v1/availability?colour=red", 400),
        (Method::GET, &long, 414),
        (Method::DELETE, "/v1/windows", 405),
        (Method::OPTIONS, "/v1/windows", 204),
        (Method::GET, "/nowhere", 404),
    ];
    for (method, uri, status) in &cases {
        let resp = send(&app, method.clone(), uri, &[]).await;
        assert_eq!(resp.status().as_u16(), *status, "{method} {uri}");
        assert_eq!(resp.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{method} {uri}");
    }
    let (_, _, metrics) = get(&app, "/metrics", &[]).await;
    for needle in [
        "mado_http_requests_total{route=\"/v1/functions\",status=\"200\"} 1",
        "mado_http_requests_total{route=\"/v1/availability\",status=\"404\"} 1",
        "mado_http_requests_total{route=\"/v1/availability\",status=\"400\"} 1",
        "mado_http_requests_total{route=\"/v1/availability\",status=\"414\"} 1",
        "mado_http_requests_total{route=\"/v1/windows\",status=\"405\"} 1",
        "mado_http_requests_total{route=\"/v1/windows\",status=\"204\"} 1",
        "mado_http_requests_total{route=\"unmatched\",status=\"404\"} 1",
        "mado_http_request_duration_seconds_bucket{route=\"/v1/functions\",le=\"0.00001\"}",
    ] {
        assert!(metrics.contains(needle), "{needle} in\n{metrics}");
    }
}

#[tokio::test]
async fn large_bodies_are_compressed_when_asked_and_small_ones_not() {
    let (_, app) = embedded();
    let big = "/v1/windows?from=2019-01-01&to=2027-01-01";
    for enc in ["gzip", "br"] {
        let resp = send(&app, Method::GET, big, &[("accept-encoding", enc)]).await;
        assert_eq!(resp.headers()[header::CONTENT_ENCODING], enc);
        assert!(resp.headers()[header::ETAG].to_str().expect("etag").starts_with("W/"));
    }
    let resp = send(&app, Method::GET, big, &[]).await;
    assert!(!resp.headers().contains_key(header::CONTENT_ENCODING));
    let resp = send(&app, Method::GET, "/healthz", &[("accept-encoding", "gzip")]).await;
    assert!(!resp.headers().contains_key(header::CONTENT_ENCODING));
}

#[tokio::test]
async fn several_functions_in_one_request_with_one_cache_control() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = chrono::Utc::now();
    let fmt = |m: i64| (now + chrono::Duration::minutes(m)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let notice = format!(
        "id = \"n\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect.reauth\"]\nstart = \"{}\"\nend = \"{}\"\n",
        fmt(-10),
        fmt(1)
    );
    write_schedule(dir.path(), &notice);
    let app = router(AppState::new(Config { schedules: Some(dir.path().into()), max_age: 600, ..Config::default() }).expect("loads"));
    let (status, h, body) = get(&app, "/v1/availability?function=webcollect.credit_card&function=webcollect.reauth", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["answers"].as_array().map(Vec::len), Some(2));
    assert_eq!((v["answers"][0]["status"].as_str(), v["answers"][1]["status"].as_str()), (Some("available"), Some("unavailable")));
    assert_eq!(v["status"], "unavailable");
    assert_eq!(v["until"], v["answers"][1]["until"]);
    let max_age: u64 = h[header::CACHE_CONTROL].to_str().expect("cc").trim_start_matches("public, max-age=").parse().expect("max-age");
    assert!(max_age <= 60, "bounded by the reauth window's end");
    // The CLI answers the same question with the same bytes.
    let (_, _, body) =
        get(&app, "/v1/availability?function=webcollect.credit_card&function=webcollect.reauth&at=2030-01-01&as_of=2029-01-01", &[]).await;
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["check", "webcollect.credit_card", "webcollect.reauth", "--at", "2030-01-01", "--as-of", "2029-01-01", "--format", "json"])
        .env("MADO_SCHEDULES", dir.path())
        .output()
        .expect("run mado");
    assert_eq!(body, String::from_utf8_lossy(&out.stdout));
    let (status, _, body) = get(&app, "/v1/availability?function=webcollect.credit_card&function=webcollect.nope", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn health_ready_metrics_openapi() {
    let (_, app) = embedded();
    assert_eq!(get(&app, "/healthz", &[]).await.0, StatusCode::OK);
    let (_, _, ready) = get(&app, "/readyz", &[]).await;
    let v: serde_json::Value = serde_json::from_str(&ready).expect("json");
    assert_eq!((v["ready"].as_bool(), v["generation"].as_u64(), v["last_reload_ok"].as_bool()), (Some(true), Some(1), Some(true)));
    assert_eq!(v["source"], format!("embedded schedules (8 notices, built {})", mado::EMBEDDED_BUILT), "as text answers name it");
    get(&app, "/v1/functions", &[]).await;
    let (_, h, metrics) = get(&app, "/metrics", &[]).await;
    assert!(h[header::CONTENT_TYPE].to_str().expect("ct").starts_with("text/plain"));
    for needle in [
        "mado_http_requests_total{route=\"/v1/functions\",status=\"200\"} 1",
        "mado_http_request_duration_seconds_bucket{route=\"/v1/functions\",le=\"+Inf\"} 1",
        "mado_reloads_total 0",
        "mado_reload_failures_total 0",
        "mado_schedule_generation 1",
    ] {
        assert!(metrics.contains(needle), "{needle} in\n{metrics}");
    }
    let (_, _, doc) = get(&app, "/openapi.json", &[]).await;
    let v: serde_json::Value = serde_json::from_str(&doc).expect("json");
    for path in ["/v1/availability", "/v1/windows", "/v1/functions", "/calendar.ics", "/healthz", "/readyz", "/metrics"] {
        assert!(v["paths"][path].is_object(), "{path} documented");
    }
    let params: Vec<&str> =
        v["paths"]["/v1/availability"]["get"]["parameters"].as_array().expect("params").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(params, ["function", "at", "as_of", "for", "channel", "lang", "tz"]);
    assert!(v["components"]["schemas"]["Answer"]["properties"]["until"].is_object());
}

const GOOD: &str = "id = \"n\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nstart = \"2030-01-01 02:00\"\nend = \"03:00\"\n";

async fn status_at(app: &mado::server::App, at: &str) -> String {
    let (_, _, body) = get(app, &format!("/v1/availability?function=webcollect.admin&at={at}&as_of=2029-01-01"), &[]).await;
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["status"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn reload_good_change_then_broken_file_keeps_the_last_good() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_schedule(dir.path(), GOOD);
    let st = AppState::new(Config { schedules: Some(dir.path().into()), ..Config::default() }).expect("loads");
    let app = router(st.clone());
    assert_eq!(status_at(&app, "2030-01-01T02:30%2B09:00").await, "unavailable");
    assert_eq!(status_at(&app, "2030-01-01T04:30%2B09:00").await, "available");

    std::fs::write(dir.path().join("notice.toml"), GOOD.replace("end = \"03:00\"", "end = \"05:00\"")).expect("write");
    assert_eq!(st.reload().expect("good reload"), 2);
    assert_eq!(status_at(&app, "2030-01-01T04:30%2B09:00").await, "unavailable");

    std::fs::write(dir.path().join("broken.toml"), "id = \"b\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect.nope\"]\nstart = \"2030-01-01 02:00\"\nend = \"03:00\"\n").expect("write");
    let err = st.reload().expect_err("broken file is rejected");
    assert!(err.to_string().contains("broken.toml:7:14: unknown function `webcollect.nope`"), "{err}");
    assert_eq!(status_at(&app, "2030-01-01T04:30%2B09:00").await, "unavailable", "the last good schedule keeps serving");
    let (_, _, ready) = get(&app, "/readyz", &[]).await;
    let v: serde_json::Value = serde_json::from_str(&ready).expect("json");
    assert_eq!(v["generation"], 2);
    assert_eq!(v["last_reload_ok"], false, "{ready}");
    // What failed stays in the log: no path or file content for any client to read.
    assert!(!ready.contains("broken.toml") && !ready.contains(&dir.path().display().to_string()), "{ready}");
    assert!(st.last_error().is_some_and(|e| e.contains("broken.toml:7:14")));
    let (_, _, metrics) = get(&app, "/metrics", &[]).await;
    assert!(
        metrics.contains("mado_reloads_total 1")
            && metrics.contains("mado_reload_failures_total 1")
            && metrics.contains("mado_schedule_reload_error 1"),
        "{metrics}"
    );

    std::fs::remove_file(dir.path().join("broken.toml")).expect("rm");
    st.reload().expect("fixed");
    assert!(st.last_error().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_fails_while_reloading() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_schedule(dir.path(), GOOD);
    let st = AppState::new(Config { schedules: Some(dir.path().into()), ..Config::default() }).expect("loads");
    let app = router(st.clone());
    let reloader = {
        let st = st.clone();
        let dir = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            for i in 0..40 {
                let end = if i % 2 == 0 { "05:00" } else { "03:00" };
                std::fs::write(dir.join("notice.toml"), GOOD.replace("end = \"03:00\"", &format!("end = \"{end}\""))).expect("write");
                if i % 5 == 0 {
                    std::fs::write(dir.join("broken.toml"), "not = [valid").expect("write");
                    assert!(st.reload().is_err());
                    std::fs::remove_file(dir.join("broken.toml")).expect("rm");
                } else {
                    st.reload().expect("good");
                }
            }
        })
    };
    let mut clients = Vec::new();
    for _ in 0..8 {
        let app = app.clone();
        clients.push(tokio::spawn(async move {
            for _ in 0..50 {
                let s = status_at(&app, "2030-01-01T02:30%2B09:00").await;
                assert_eq!(s, "unavailable");
            }
        }));
    }
    for c in clients {
        c.await.expect("no client failed");
    }
    reloader.await.expect("reloader");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reloads_after_rename_on_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_schedule(dir.path(), GOOD);
    let st = AppState::new(Config { schedules: Some(dir.path().into()), ..Config::default() }).expect("loads");
    let _watcher = mado::server::watch(st.clone(), std::time::Duration::from_millis(100)).expect("watch");
    // An editor writes a temporary file and renames it over the original.
    let tmp = dir.path().join(".notice.toml.swp");
    std::fs::write(&tmp, GOOD.replace("end = \"03:00\"", "end = \"05:00\"")).expect("write");
    std::fs::rename(&tmp, dir.path().join("notice.toml")).expect("rename");
    for _ in 0..100 {
        if st.current().generation >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(st.current().generation >= 2, "watch reloaded");
    let app = router(st);
    assert_eq!(status_at(&app, "2030-01-01T04:30%2B09:00").await, "unavailable");
}

/// A parent's answer lists its affected children: a child's window starting must change
/// its validator and bound its freshness (issue: `affected` was left out of the ETag and a
/// parent's `until` ignored its children, so caches kept "nothing affected" into a window).
#[tokio::test]
async fn a_parent_answer_is_not_revalidated_across_a_childs_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let notice = "id = \"n\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect.credit_card\"]\nstart = \"2030-01-10 10:54\"\nend = \"12:00\"\n";
    write_schedule(dir.path(), notice);
    let app = router(AppState::new(Config { schedules: Some(dir.path().into()), max_age: 600, ..Config::default() }).expect("loads"));
    let uri = |t: &str| format!("/v1/availability?function=webcollect&at=2030-01-10T{t}%2B09:00&as_of=2029-06-01");
    let (status, before_h, before) = get(&app, &uri("10:52:00"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(before.contains("\"affected\": []"), "{before}");
    assert!(before.contains("\"until\": \"2030-01-10T10:54:00+09:00\""), "the parent's answer holds until the child's window: {before}");
    let tag = before_h[header::ETAG].to_str().expect("etag").to_string();
    let (status, after_h, after) = get(&app, &uri("10:55:00"), &[("if-none-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK, "a different answer is never a 304");
    assert!(after.contains("\"function\": \"webcollect.credit_card\""), "{after}");
    assert_ne!(after_h[header::ETAG], tag.as_str());
}
