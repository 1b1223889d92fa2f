//! The Statuspage-compatible read API: the documents at fixed instants (snapshots), what
//! they must say (from the evaluator), and the HTTP caching. `tests/statuspage/check.mjs`
//! reads the same endpoints with the `statuspage.io` npm client in CI.
#![cfg(feature = "server")]
use axum::http::StatusCode;
use mado::server::{router, AppState, Config};
use mado::views::statuspage::{Documents, Options, Which};
use mado::Lang;

mod common;
use common::{at, request as get};

fn views() -> mado::Schedule {
    mado::Schedule::from_dir("tests/data/views").expect("the view fixtures load")
}

fn docs<'a>(s: &'a mado::Schedule, now: &str, lang: Lang) -> Documents<'a> {
    Documents::new(s, Options { now: at(now), lang, base_url: Some("https://mado.example".into()) })
}

#[test]
fn during_a_maintenance_its_functions_are_under_maintenance_and_it_is_active() {
    let s = common::seeds();
    let d = docs(&s, "2023-11-13T03:00+09:00", Lang::En);
    let comps = d.components().expect("components");
    let status = |id: &str| comps.iter().find(|c| c.id == id).map(|c| c.status.as_str()).expect(id);
    assert_eq!(status("webcollect.credit_card"), "under_maintenance");
    assert_eq!(status("atobarai"), "operational");
    let active = d.maintenances(Which::Active).expect("active");
    let m = active.iter().find(|m| m.id == "2023-08-28-db-upgrade/all-functions").expect("the upgrade is active");
    assert_eq!(m.status, "in_progress");
    assert_eq!(m.scheduled_for, Some(Some("2023-11-13T02:00:00.000+09:00".into())));
    assert_eq!(m.scheduled_until, Some(Some("2023-11-13T05:30:00.000+09:00".into())));
    assert_eq!(m.shortlink, "https://mado.example/notices/2023-08-28-db-upgrade?lang=en");
    // It names webcollect: its components are webcollect and every function below it.
    let ids: Vec<&str> = m.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 8, "{ids:?}");
    assert!(ids.contains(&"webcollect.credit_card") && !ids.contains(&"atobarai"), "{ids:?}");
    // Two revisions and the start, newest first.
    let statuses: Vec<&str> = m.incident_updates.iter().map(|u| u.status.as_str()).collect();
    assert_eq!(statuses, ["in_progress", "scheduled", "scheduled"]);
    assert_eq!(m.incident_updates[0].created_at, "2023-11-13T02:00:00.000+09:00");
    // The tentative day is upcoming, with its hours said to be unknown.
    let upcoming = d.maintenances(Which::Upcoming).expect("upcoming");
    let t = upcoming.iter().find(|m| m.id == "2023-10-10-db-upgrade-revised/card-vendor-dc-move").expect("tentative day");
    assert!(t.incident_updates[0].body.contains("the hours are not"), "{}", t.incident_updates[0].body);
    assert_eq!(Documents::rollup(&comps).indicator, "maintenance");
}

#[test]
fn half_open_at_the_end_the_maintenance_is_completed_and_resolved_at_its_end() {
    let s = common::seeds();
    for (now, want, comp) in
        [("2023-11-13T05:29:59+09:00", "in_progress", "under_maintenance"), ("2023-11-13T05:30:00+09:00", "completed", "operational")]
    {
        let d = docs(&s, now, Lang::En);
        let all = d.maintenances(Which::All).expect("all");
        let m = all.iter().find(|m| m.id == "2023-08-28-db-upgrade/all-functions").expect("listed");
        assert_eq!(m.status, want, "at {now}");
        assert_eq!(m.resolved_at.is_some(), want == "completed");
        let comps = d.components().expect("components");
        assert_eq!(comps.iter().find(|c| c.id == "webcollect.credit_card").expect("card").status, comp, "at {now}");
    }
}

#[test]
fn an_incident_is_a_major_outage_and_a_postponement_has_no_faked_times() {
    let s = views();
    let d = docs(&s, "2025-08-25T11:00+09:00", Lang::Ja);
    let sum = d.summary().expect("summary");
    assert_eq!(sum.status.indicator, "major");
    assert_eq!(sum.incidents.len(), 1);
    assert_eq!(sum.incidents[0].status, "investigating");
    assert_eq!(sum.incidents[0].components.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["webcollect.credit_card"]);
    let p = sum.scheduled_maintenances.iter().find(|m| m.id == "2025-08-10-store/night").expect("postponed is still coming");
    assert_eq!(p.scheduled_for, Some(None));
    assert_eq!(p.scheduled_until, Some(None));
    assert!(p.incident_updates[0].body.starts_with("延期：新しい日程は未定"), "{}", p.incident_updates[0].body);
    // As known before the postponement: the old times, one update.
    let before = docs(&s, "2025-08-19T12:00+09:00", Lang::En);
    let up = before.maintenances(Which::Upcoming).expect("upcoming");
    let m = up.iter().find(|m| m.id == "2025-08-10-store/night").expect("scheduled then");
    assert_eq!(m.scheduled_for, Some(Some("2025-09-10T02:00:00.000+09:00".into())));
    assert_eq!(m.incident_updates.len(), 1);
    // After the incident's end: resolved, no longer unresolved.
    let after = docs(&s, "2025-08-25T12:30+09:00", Lang::En);
    assert!(after.incidents(true).expect("unresolved").is_empty());
    assert_eq!(after.incidents(false).expect("all")[0].status, "resolved");
}

#[test]
fn snapshots_at_fixed_instants() {
    let s = common::seeds();
    let d = docs(&s, "2023-11-13T03:00+09:00", Lang::En);
    insta::assert_json_snapshot!("statuspage_summary_seeds_2023_11_13_0300", d.summary().expect("summary"));
    let v = views();
    let d = docs(&v, "2025-08-25T11:00+09:00", Lang::Ja);
    insta::assert_json_snapshot!("statuspage_summary_views_2025_08_25_1100", d.summary().expect("summary"));
    insta::assert_json_snapshot!("statuspage_maintenances_views_2025_08_25_1100", d.maintenances(Which::All).expect("all"));
}

#[tokio::test]
async fn endpoints_answer_with_validators_and_refuse_unknown_parameters() {
    let st = AppState::new(Config { now: Some(at("2023-11-13T03:00+09:00")), ..Config::default() }).expect("embedded");
    let app = router(st);
    for path in [
        "/api/v2/summary.json",
        "/api/v2/status.json",
        "/api/v2/components.json",
        "/api/v2/scheduled-maintenances.json",
        "/api/v2/scheduled-maintenances/upcoming.json",
        "/api/v2/scheduled-maintenances/active.json",
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
    ] {
        let (status, headers, body) = get(&app, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["page"]["id"], "mado", "{path}");
        let etag = headers.get("etag").expect("etag").to_str().expect("ascii").to_string();
        let (again, _, _) = get(&app, path, &[("if-none-match", &etag)]).await;
        assert_eq!(again, StatusCode::NOT_MODIFIED, "{path}");
        // No longer than until the maintenance ends (05:30, 2.5 h away) nor --max-age.
        assert_eq!(headers.get("cache-control").expect("cache-control"), "public, max-age=60");
    }
    let (status, _, body) = get(&app, "/api/v2/summary.json?page=2", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("`page` is not a parameter here"), "{body}");
    let (_, _, ja) = get(&app, "/api/v2/components.json", &[]).await;
    let (_, _, en) = get(&app, "/api/v2/components.json?lang=en", &[]).await;
    assert!(ja.contains("クレジットカード払い") && en.contains("card payment"));
    let (status, _, feed) = get(&app, "/calendar.ics?profile=maintnote", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(feed.contains("X-MAINTNOTE-STATUS:IN-PROCESS"), "the upgrade is in process at 03:00");
    let (status, _, _) = get(&app, "/calendar.ics?profile=bcop", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn cache_lifetime_ends_at_the_next_change() {
    let s = common::seeds();
    let d = docs(&s, "2023-11-13T03:00+09:00", Lang::En);
    assert_eq!(d.next_change().expect("next"), Some(at("2023-11-13T05:30+09:00")));
}

/// With two providers (`tests/data/two-providers`: the seeds' catalogue plus `acme`, whose
/// wallet is down 08:00–10:00 JST on 2025-09-10), the providers are the component groups, as
/// Atlassian documents them: one level, the group listing its members' ids, each member's
/// `group_id` the group's. With one provider, the functions' own groups stay.
#[test]
fn with_two_providers_the_providers_are_the_component_groups() {
    let s = mado::Schedule::from_dir("tests/data/two-providers").expect("fixture");
    let d = docs(&s, "2025-09-10T08:30+09:00", Lang::En);
    let comps = d.components().expect("components");
    let by_id = |id: &str| comps.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("{id}"));
    let groups: Vec<&str> = comps.iter().filter(|c| c.group).map(|c| c.id.as_str()).collect();
    assert_eq!(groups, ["provider:yamato", "provider:acme"]);
    let acme = by_id("provider:acme");
    assert_eq!(acme.name, "Acme Pay");
    assert_eq!(acme.description.as_deref(), Some("エイクミー"));
    assert_eq!(acme.components.as_deref(), Some(&["acme".to_string(), "acme.wallet".to_string()][..]));
    assert_eq!(acme.status, "under_maintenance", "a group is as its worst member");
    assert_eq!(by_id("provider:yamato").status, "operational");
    assert_eq!(by_id("provider:yamato").components.as_ref().map(Vec::len), Some(15));
    for c in comps.iter().filter(|c| !c.group) {
        let f = s.catalogue().function(&c.id).expect("a function");
        let p = s.catalogue().provider_of(f).expect("provider").id();
        assert_eq!(c.group_id.as_deref(), Some(format!("provider:{p}").as_str()), "{}", c.id);
        assert!(c.components.is_none(), "{}: one level of groups", c.id);
        assert!(by_id(&format!("provider:{p}")).components.as_ref().is_some_and(|m| m.contains(&c.id)), "{}", c.id);
    }
    let mut positions: Vec<usize> = comps.iter().map(|c| c.position).collect();
    positions.dedup();
    assert_eq!(positions, (1..=comps.len()).collect::<Vec<_>>());
    // A maintenance lists the functions it affects, never a group.
    let active = d.maintenances(Which::Active).expect("active");
    let m = active.iter().find(|m| m.id == "acme-2025-09-wallet/wallet").expect("the wallet maintenance is active");
    assert_eq!(m.components.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["acme.wallet"]);
    assert_eq!(Documents::rollup(&comps).indicator, "maintenance");
    insta::assert_json_snapshot!("statuspage_components_two_providers", comps);

    // One provider (the seeds): the functions' parent groups, as before.
    let seeds = common::seeds();
    let one = docs(&seeds, "2023-11-13T03:00+09:00", Lang::En).components().expect("components");
    assert!(one.iter().all(|c| !c.id.starts_with("provider:")));
    assert_eq!(one.iter().find(|c| c.id == "webcollect.credit_card").and_then(|c| c.group_id.as_deref()), Some("webcollect"));
}
