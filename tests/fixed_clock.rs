//! Under `serve --now`, the Statuspage-compatible API and `/metrics` describe the fixed
//! clock's instant (and say so in `mado-clock`), as the pages and the JSON API do.
#![cfg(feature = "server")]
use axum::http::StatusCode;
use mado::server::{router, AppState, Config};

mod common;
use common::{at, request as get};

fn app(now: &str) -> mado::server::App {
    router(AppState::new(Config { now: Some(at(now)), ..Config::default() }).expect("embedded"))
}

/// `mado_function_status{function="…",…}`'s value (other labels, e.g. `provider`, follow).
fn gauge(metrics: &str, function: &str) -> String {
    let prefix = format!("mado_function_status{{function=\"{function}\"");
    let value = |l: &str| l.strip_prefix(&prefix).and_then(|rest| rest.split_once("} ")).map(|(_, v)| v.to_string());
    metrics.lines().find_map(value).unwrap_or_else(|| panic!("{prefix} in {metrics}"))
}

#[tokio::test]
async fn metrics_and_statuspage_follow_the_fixed_clock() {
    // (fixed clock, webcollect.credit_card's gauge, its component's status)
    let cases = [
        ("2023-11-13T03:00+09:00", "2", "under_maintenance"),
        ("2023-11-13T06:00+09:00", "0", "operational"),
        ("2024-04-22T12:00+09:00", "1", "operational"),
    ];
    for (now, status, component) in cases {
        let app = app(now);
        let (code, headers, body) = get(&app, "/metrics", &[]).await;
        assert_eq!(code, StatusCode::OK);
        assert_eq!(gauge(&body, "webcollect.credit_card"), status, "{now}");
        let clock = headers.get("mado-clock").expect("the fixed clock is marked").to_str().expect("ascii");
        assert!(clock.starts_with("fixed; now="), "{clock}");
        let (code, _, body) = get(&app, "/api/v2/components.json", &[]).await;
        assert_eq!(code, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        let c = v["components"].as_array().expect("components").iter().find(|c| c["id"] == "webcollect.credit_card").expect("card");
        assert_eq!(c["status"], component, "{now}");
    }
}
