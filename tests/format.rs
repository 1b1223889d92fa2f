//! The announcement format for notices still to come: each feature has a fixture under
//! `tests/data/format/` and an answer that shows what it means.
mod common;

use common::at;
use mado::{Action, EffectSource, Query, Schedule, SourceFile, Status, WindowKind, WindowsQuery};

/// The embedded catalogue with the named fixtures of `tests/data/format/` (no seed notices).
fn schedule(names: &[&str]) -> Schedule {
    let mut files: Vec<SourceFile> = mado::embedded_sources().into_iter().filter(|f| f.name.ends_with(mado::CATALOGUE_FILE)).collect();
    for n in names {
        let name = format!("tests/data/format/{n}.toml");
        files.push(SourceFile { text: std::fs::read_to_string(&name).unwrap_or_else(|e| panic!("{name}: {e}")), name });
    }
    Schedule::from_sources(files).unwrap_or_else(|e| panic!("{names:?}: {e}"))
}

fn check(s: &Schedule, f: &str, t: &str, as_of: &str) -> mado::Answer {
    s.check(&Query::new(f, at(t)).as_of(at(as_of))).unwrap_or_else(|e| panic!("{f}: {e}"))
}

#[test]
fn an_effect_scoped_to_some_functions_applies_to_them_and_the_rest_fall_back() {
    let s = schedule(&["effects-by-function"]);
    let api = |f: &str| {
        let a = s.check(&Query::new(f, at("2030-02-01 03:00")).as_of(at("2030-01-02")).channel("api")).expect("answer");
        assert_eq!(a.status, Status::Unavailable, "{f}");
        a.windows[0].effects[0].clone()
    };
    let card = api("webcollect.credit_card");
    assert_eq!((card.effect.error_code.as_deref(), card.source), (Some("E-CARD"), EffectSource::Notice));
    let conv = api("webcollect.convenience_store");
    assert_eq!((conv.effect.error_code.as_deref(), conv.source), (Some("Z010000000"), EffectSource::Default), "catalogue default");
    // Unscoped statements apply to every function; an inferred one says so, with its reason.
    let a = check(&s, "webcollect.convenience_store", "2030-02-01 03:00", "2030-01-02");
    let link = a.windows[0].effects.iter().find(|e| e.channel == "link").expect("link");
    assert_eq!((link.effect.page.as_deref(), link.source), (Some("stated page"), EffectSource::Notice));
    let modal = a.windows[0].effects.iter().find(|e| e.channel == "token_modal").expect("modal");
    assert_eq!(modal.source, EffectSource::Inferred);
    assert_eq!(a.windows[0].inferred.len(), 1);
    assert_eq!(a.windows[0].inferred[0].field, "effects.token_modal");
    // Listed without a function, the window shows both api candidates, each with its scope.
    let l = s.windows(&WindowsQuery::new(at("2030-02-01"), at("2030-02-02")).as_of(at("2030-01-02"))).expect("list");
    let scopes: Vec<Option<Vec<String>>> =
        l.windows[0].effects.iter().filter(|e| e.channel == "api").map(|e| e.functions.clone()).collect();
    assert_eq!(scopes, [Some(vec!["webcollect.credit_card".to_string()]), None]);
}

#[test]
fn a_postponement_without_a_date_is_not_scheduled_but_listed() {
    let s = schedule(&["postpone-tba", "postpone-tba-notice"]);
    assert_eq!(
        check(&s, "webcollect.credit_card", "2030-02-01 03:00", "2030-01-10").status,
        Status::Unavailable,
        "before the postponement"
    );
    let after = check(&s, "webcollect.credit_card", "2030-02-01 03:00", "2030-01-25");
    assert_eq!(after.status, Status::Available);
    assert!(after.next.is_none(), "no new date, so nothing ahead");
    let l = s.windows(&WindowsQuery::new(at("2030-02-01"), at("2030-02-02")).as_of(at("2030-01-25")).lang(mado::Lang::En)).expect("list");
    assert_eq!(l.windows.len(), 1);
    let w = &l.windows[0];
    assert_eq!(w.kind, WindowKind::Postponed);
    let r = w.revision.as_ref().expect("revision");
    assert_eq!(
        (r.action, r.notice.as_str(), r.note.as_deref()),
        (Action::Postpone, "fx-postpone-tba", Some("Postponed; the new date will be announced."))
    );
    let feed = mado::ical::feed(
        &s,
        &mado::ical::FeedOptions {
            function: None,
            lang: mado::Lang::En,
            now: at("2030-01-25"),
            refresh: mado::chrono::Duration::hours(1),
            base_url: None,
        },
    )
    .expect("feed");
    assert!(feed.contains("STATUS:CANCELLED"), "clients that saw the old time remove it");
    assert!(feed.contains("SUMMARY:Postponed\\, date TBA"), "and it says postponed, not cancelled:\n{feed}");
    assert!(feed.replace("\r\n ", "").contains("Postponed\\; the new date will be announced."), "with the reason");
}

#[test]
fn ending_a_standing_rule_keeps_its_past_and_stops_its_future() {
    let s = schedule(&["end-rule", "end-rule-notice"]);
    let reauth = |t: &str, as_of: &str| check(&s, "webcollect.reauth", t, as_of).status;
    // Known before the end: every night.
    assert_eq!(reauth("2030-03-05 23:30", "2030-02-01"), Status::Unavailable);
    // After the end notice: past nights stay, whatever the as-of; nights from 03-01 are gone.
    assert_eq!(reauth("2030-02-10 23:30", "2030-06-01"), Status::Unavailable);
    assert_eq!(reauth("2030-02-28 23:30", "2030-06-01"), Status::Unavailable, "the last night starts before `from`");
    assert_eq!(reauth("2030-03-01 23:30", "2030-06-01"), Status::Available);
    assert_eq!(reauth("2030-03-05 23:30", "2030-06-01"), Status::Available);
    let a = check(&s, "webcollect.reauth", "2030-02-28 23:30", "2030-06-01");
    assert_eq!(a.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-03-01T01:00:00+09:00"));
    assert!(a.next.is_none(), "nothing after the end");
    assert_eq!(a.windows[0].revision.as_ref().map(|r| r.action), Some(Action::End));
}

#[test]
fn a_function_stated_to_stay_available_is_not_covered_and_the_answer_cites_it() {
    let s = schedule(&["available"]);
    let au = check(&s, "atobarai.au_kantan", "2030-02-01 03:00", "2030-01-02");
    assert_eq!(au.status, Status::Available, "the notice says it stays available");
    assert_eq!(au.stated_available.len(), 1);
    assert_eq!((au.stated_available[0].uid.as_str(), au.stated_available[0].function.as_str()), ("fx-available/w", "atobarai.au_kantan"));
    let card = check(&s, "atobarai.credit_card", "2030-02-01 03:00", "2030-01-02");
    assert_eq!(card.status, Status::Unavailable);
    assert!(card.stated_available.is_empty());
    assert_eq!(card.windows[0].available, ["atobarai.au_kantan"]);
    // Outside the window there is nothing to cite.
    assert!(check(&s, "atobarai.au_kantan", "2030-02-01 05:00", "2030-01-02").stated_available.is_empty());
}

#[test]
fn an_unknown_end_is_unavailable_from_the_start_with_no_until() {
    let s = schedule(&["unknown-end"]);
    assert_eq!(check(&s, "webcollect.admin", "2030-02-01 01:59", "2030-01-02").status, Status::Available);
    let a = check(&s, "webcollect.admin", "2030-12-31 12:00", "2030-01-02");
    assert_eq!(a.status, Status::Unavailable);
    assert_eq!(a.until, None, "no end known, so no next change");
    let w = &a.windows[0];
    assert!(w.end_unknown);
    assert_eq!(w.expected_duration.as_deref(), Some("3h"));
    assert_eq!(w.inferred.iter().map(|i| i.field.as_str()).collect::<Vec<_>>(), ["end"]);
    let before = check(&s, "webcollect.admin", "2030-02-01 01:00", "2030-01-02");
    assert_eq!(before.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-02-01T02:00:00+09:00"));
}

#[test]
fn add_functions_adds_to_the_inherited_list() {
    let s = schedule(&["postpone-tba", "add-functions"]);
    assert_eq!(check(&s, "webcollect.carrier", "2030-02-01 03:00", "2030-01-05").status, Status::Available, "before the revision");
    let a = check(&s, "webcollect.carrier", "2030-02-01 03:00", "2030-01-15");
    assert_eq!(a.status, Status::Unavailable);
    assert_eq!(a.windows[0].functions, ["webcollect.credit_card", "webcollect.carrier"]);
}
