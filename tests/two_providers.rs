//! Where the provider shows (docs/providers.md), on a catalogue with two providers
//! (`tests/data/two-providers/`: the seeds' catalogue plus `acme`, zone Europe/Berlin, with a
//! wallet maintenance 2025-09-10 01:00–03:00 Berlin = 08:00–10:00 JST): the window lists, the
//! metrics and the Alertmanager export. The pages and the Statuspage API are checked in
//! `tests/pages.rs` and `tests/statuspage.rs`.
#![cfg(feature = "server")]
use mado::server::{router, AppState, Config};
use mado::views::alertmanager::{time_intervals, ExportOptions};
use mado::{Schedule, WindowsQuery};

mod common;
use common::{at, request as get};

const DIR: &str = "tests/data/two-providers";
/// During the acme wallet maintenance.
const NOW: &str = "2025-09-10 08:30";

fn two() -> Schedule {
    Schedule::from_dir(DIR).expect("the two-provider fixture loads")
}

fn windows(s: &Schedule, function: Option<&str>) -> serde_json::Value {
    let mut q = WindowsQuery::new(at("2025-09-01"), at("2025-10-01")).as_of(at(NOW));
    if let Some(f) = function {
        q = q.function(f).with_children(true);
    }
    serde_json::to_value(s.windows(&q).expect("windows")).expect("json")
}

#[test]
fn each_window_carries_the_provider_of_its_function() {
    let s = two();
    let all = windows(&s, None);
    let by_uid = |v: &serde_json::Value, uid: &str| {
        v["windows"].as_array().expect("list").iter().find(|w| w["uid"] == uid).unwrap_or_else(|| panic!("{uid} in {v}")).clone()
    };
    // (function asked about, window, provider)
    let cases = [
        (None, "acme-2025-09-wallet/wallet", "acme"),
        (None, "2025-09-card/card", "yamato"),
        (Some("acme"), "acme-2025-09-wallet/wallet", "acme"),
        (Some("acme.wallet"), "acme-2025-09-wallet/wallet", "acme"),
        (Some("webcollect.credit_card"), "2025-09-card/card", "yamato"),
    ];
    for (function, uid, want) in cases {
        let list = if function.is_some() { windows(&s, function) } else { all.clone() };
        assert_eq!(by_uid(&list, uid)["provider"], want, "{uid} listed for {function:?}");
    }
    // The availability answer's windows carry it too.
    let a = s.check(&mado::Query::new("acme.wallet", at(NOW)).as_of(at(NOW))).expect("check");
    assert_eq!(a.provider.as_deref(), Some("acme"));
    assert_eq!(a.windows.iter().map(|w| w.provider.as_deref()).collect::<Vec<_>>(), [Some("acme")]);
    insta::assert_json_snapshot!("two_providers_windows", all);
}

#[test]
fn without_providers_a_window_names_none() {
    let s = Schedule::from_dir("tests/data/views").expect("views");
    assert!(s.catalogue().providers().is_empty());
    let v = serde_json::to_value(s.windows(&WindowsQuery::new(at("2025-01-01"), at("2026-01-01")).as_of(at("2026-01-01"))).expect("w"))
        .expect("json");
    let ws = v["windows"].as_array().expect("list");
    assert!(!ws.is_empty());
    assert!(ws.iter().all(|w| w.get("provider").is_none()), "no `provider` key without [[provider]]");
}

/// The function series of `/metrics`.
async fn function_lines(config: Config) -> Vec<String> {
    let app = router(AppState::new(config).expect("state"));
    let (code, _, body) = get(&app, "/metrics", &[]).await;
    assert_eq!(code, axum::http::StatusCode::OK);
    body.lines().filter(|l| l.starts_with("mado_function_")).map(str::to_string).collect()
}

#[tokio::test]
async fn metrics_label_each_function_with_its_provider() {
    let lines = function_lines(Config { schedules: Some(DIR.into()), now: Some(at(NOW)), ..Config::default() }).await;
    assert!(lines.contains(&"mado_function_status{function=\"acme.wallet\",provider=\"acme\"} 2".to_string()), "{lines:#?}");
    assert!(lines.contains(&"mado_function_status{function=\"webcollect.credit_card\",provider=\"yamato\"} 0".to_string()));
    // Every function series has both labels, with the provider the catalogue gives it.
    let s = two();
    for l in &lines {
        let f = l.split("function=\"").nth(1).and_then(|r| r.split('"').next()).expect("function label");
        let p = s.catalogue().function(f).and_then(|i| s.catalogue().provider_of(i)).expect("provider").id();
        assert!(l.contains(&format!(",provider=\"{p}\"}}")), "{l}");
    }
    insta::assert_snapshot!("two_providers_metrics", lines.join("\n"));
}

#[tokio::test]
async fn metrics_without_providers_have_no_provider_label() {
    let lines =
        function_lines(Config { schedules: Some("tests/data/views".into()), now: Some(at("2025-08-25 11:00")), ..Config::default() }).await;
    assert!(lines.len() > 10, "{lines:#?}");
    assert!(lines.iter().all(|l| !l.contains("provider=")), "{lines:#?}");
    assert!(lines.iter().any(|l| l == "mado_function_status{function=\"webcollect.credit_card\"} 2"), "{lines:#?}");
}

#[test]
fn the_alertmanager_export_names_each_functions_provider() {
    let s = two();
    let o = ExportOptions { function: None, from: at("2025-09-01"), to: at("2025-10-01"), as_of: at(NOW) };
    let y = time_intervals(&s, &o).expect("export");
    assert!(y.contains("  - name: \"acme.wallet\"\n    # provider: acme (Acme Pay)\n    time_intervals:\n"), "{y}");
    assert!(y.contains("  - name: \"webcollect\"\n    # provider: yamato (Yamato Transport)\n"), "{y}");
    assert_eq!(y.matches("    # provider: ").count(), s.catalogue().functions().len());
    insta::assert_snapshot!("two_providers_alertmanager", y);
    // Without providers, no such comment.
    let v = Schedule::from_dir("tests/data/views").expect("views");
    let o = ExportOptions { function: None, from: at("2025-08-01"), to: at("2025-10-01"), as_of: at("2025-08-25") };
    assert!(!time_intervals(&v, &o).expect("export").contains("# provider:"));
}

#[test]
fn the_text_window_list_names_the_provider_with_two_providers_only() {
    use mado::views::list::{plain, window_list};
    let s = two();
    let q = WindowsQuery::new(at("2025-09-01"), at("2025-10-01")).as_of(at(NOW)).lang(mado::Lang::En);
    let text = window_list(&s, &s.windows(&q).expect("windows"), mado::time::DEFAULT_ZONE, mado::Lang::En, false, &plain);
    assert!(text.contains("      Acme wallet (acme.wallet) · Acme Pay · acme-2025-09-wallet/wallet\n"), "{text}");
    assert!(text.contains("(webcollect.credit_card) · Yamato Transport · 2025-09-card/card\n"), "{text}");
    let seeds = common::seeds();
    let l = seeds.windows(&WindowsQuery::new(at("2023-11-01"), at("2023-11-20")).as_of(at("2023-11-01")).lang(mado::Lang::En)).expect("w");
    let one = window_list(&seeds, &l, mado::time::DEFAULT_ZONE, mado::Lang::En, false, &plain);
    assert!(!one.contains("Yamato Transport"), "one provider: not named\n{one}");
}

#[test]
fn the_feed_names_the_provider_as_a_category_with_two_providers_only() {
    let opts = |lang| mado::ical::FeedOptions { function: None, lang, now: at(NOW), refresh: chrono::Duration::hours(1), base_url: None };
    let feed = mado::ical::feed(&two(), &opts(mado::Lang::En)).expect("feed");
    // Its name is no one provider's.
    assert!(feed.contains("\r\nX-WR-CALNAME:Maintenance: Yamato Transport\\, Acme Pay\r\n"), "{}", &feed[..600]);
    let categories: Vec<&str> = feed.lines().filter(|l| l.starts_with("CATEGORIES:")).collect();
    assert!(categories.iter().any(|l| l.ends_with(",Acme Pay")), "{categories:?}");
    assert!(categories.iter().any(|l| l.ends_with(",Yamato Transport")), "{categories:?}");
    let seeds = mado::ical::feed(&Schedule::embedded().expect("seeds"), &opts(mado::Lang::En)).expect("feed");
    assert!(
        seeds.lines().filter(|l| l.starts_with("CATEGORIES:")).all(|l| l.matches(',').count() == 1),
        "one provider: CATEGORIES stays kind and state"
    );
}
