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

#[test]
fn a_dated_revision_after_a_postponement_without_a_date_brings_the_window_back_with_what_it_had() {
    let s = schedule(&["postpone-tba", "postpone-tba-notice", "postpone-tba-dated"]);
    // While the date is to be announced: available, and the answer says maintenance is pending.
    let pending = check(&s, "webcollect.credit_card", "2030-03-01 03:00", "2030-02-10 14:59");
    assert_eq!(pending.status, Status::Available);
    assert_eq!(pending.pending.iter().map(|w| w.uid.as_str()).collect::<Vec<_>>(), ["fx-original/w"]);
    assert_eq!(pending.pending[0].kind, WindowKind::Postponed);
    assert!(check(&s, "webcollect.credit_card", "2030-03-01 03:00", "2030-01-19").pending.is_empty(), "before the postponement");
    // A parent sees it too; a function outside the window does not.
    assert_eq!(check(&s, "webcollect", "2030-03-01 03:00", "2030-02-01").pending.len(), 1);
    assert!(check(&s, "webcollect.reauth", "2030-03-01 03:00", "2030-02-01").pending.is_empty());
    // From the dated notice on (15:00, a time with minutes): unavailable at the new time, with
    // the title and functions inherited across the postponement.
    let a = check(&s, "webcollect.credit_card", "2030-03-01 03:00", "2030-02-10 15:00");
    assert_eq!(a.status, Status::Unavailable, "the dated revision is not ignored");
    assert!(a.pending.is_empty());
    assert_eq!(a.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-03-01T06:00:00+09:00"));
    let w = &a.windows[0];
    assert_eq!((w.uid.as_str(), w.functions.clone()), ("fx-original/w", vec!["webcollect.credit_card".to_string()]));
    assert_eq!(w.revision.as_ref().map(|r| (r.action, r.sequence)), Some((Action::Replace, 2)));
    // The old time stays free.
    assert_eq!(check(&s, "webcollect.credit_card", "2030-02-01 03:00", "2030-06-01").status, Status::Available);
    // validate says what it inherits.
    let warnings = s.warnings(at("2030-06-01"));
    assert!(
        warnings.iter().any(|w| w.file.ends_with("postpone-tba-dated.toml")
            && w.message.contains("postponed with no date")
            && w.message.contains("webcollect.credit_card")),
        "{warnings:?}"
    );
}

#[test]
fn a_changed_standing_rule_keeps_its_old_nights_and_is_one_window() {
    let s = schedule(&["end-rule", "change-rule"]);
    let reauth = |t: &str, as_of: &str| check(&s, "webcollect.reauth", t, as_of);
    // Before the change notice: the old hours everywhere.
    assert_eq!(reauth("2030-03-05 23:30", "2030-02-01").status, Status::Unavailable);
    assert_eq!(reauth("2030-03-05 22:30", "2030-02-01").status, Status::Available);
    for as_of in ["2030-02-15 10:00", "2030-06-01", "2031-01-01"] {
        // Nights before `from` keep the old hours at every as-of.
        assert_eq!(reauth("2030-02-10 23:30", as_of).status, Status::Unavailable, "{as_of}");
        assert_eq!(reauth("2030-02-28 23:30", as_of).status, Status::Unavailable, "{as_of}: the last old night");
        assert_eq!(reauth("2030-02-28 22:30", as_of).status, Status::Available, "{as_of}");
        // From `from` on, the new hours.
        assert_eq!(reauth("2030-03-05 22:30", as_of).status, Status::Unavailable, "{as_of}");
        assert_eq!(reauth("2030-03-06 00:15", as_of).status, Status::Unavailable, "{as_of}");
        assert_eq!(reauth("2030-03-06 00:45", as_of).status, Status::Available, "{as_of}");
    }
    let a = reauth("2030-03-05 22:30", "2030-06-01");
    assert_eq!(a.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-03-06T00:30:00+09:00"));
    let w = &a.windows[0];
    assert_eq!(w.uid, "fx-rule/nightly", "one window, one identity");
    assert_eq!(w.revision.as_ref().map(|r| r.action), Some(Action::Change));
    assert_eq!(w.rrule.as_deref(), Some("FREQ=DAILY"));
    // The last old night runs into the first of the new ones? 2030-02-28 23:00–03-01 01:00,
    // then 03-01 22:00: the answer at the last old night ends at 01:00.
    let last_old = reauth("2030-02-28 23:30", "2030-06-01");
    assert_eq!(last_old.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-03-01T01:00:00+09:00"));
    assert_eq!(last_old.next.as_ref().map(|n| n.start.to_rfc3339()).as_deref(), Some("2030-03-01T22:00:00+09:00"));
    // Listing: one rule, its nights with the hours of their date.
    let l = s
        .windows(&WindowsQuery::new(at("2030-02-28"), at("2030-03-02")).function("webcollect.reauth").as_of(at("2030-06-01")))
        .expect("list");
    let spans: Vec<(String, String)> = l.windows.iter().map(|w| (w.start.to_rfc3339(), w.end.to_rfc3339())).collect();
    assert_eq!(
        spans,
        [
            ("2030-02-27T23:00:00+09:00".to_string(), "2030-02-28T01:00:00+09:00".to_string()),
            ("2030-02-28T23:00:00+09:00".to_string(), "2030-03-01T01:00:00+09:00".to_string()),
            ("2030-03-01T22:00:00+09:00".to_string(), "2030-03-02T00:30:00+09:00".to_string()),
        ]
    );
    assert!(l.windows.iter().all(|w| w.uid == "fx-rule/nightly"));
}

#[test]
fn an_incident_is_said_to_be_one_and_gets_no_maintenance_defaults() {
    let s = schedule(&["incident-first", "incident-second"]);
    // The first report: unavailable from 09:40, end not known.
    let first = s
        .check(&Query::new("webcollect.credit_card", at("2030-04-10 10:30")).as_of(at("2030-04-10 10:20")).lang(mado::Lang::En))
        .expect("answer");
    assert_eq!(first.status, Status::Unavailable);
    assert_eq!(first.until, None);
    let w = &first.windows[0];
    assert_eq!(w.category, mado::Kind::Incident);
    assert!(w.end_unknown);
    // Only the stated effect, in English; no catalogue default (the maintenance page) for the others.
    assert_eq!(w.effects.len(), 1, "{:?}", w.effects);
    assert_eq!((w.effects[0].channel.as_str(), w.effects[0].effect.note.as_deref()), ("api", Some("requests may fail")));
    let json = serde_json::to_value(&first).expect("json");
    assert_eq!(json["windows"][0]["end"], serde_json::Value::Null, "an unknown end is null, not 9999");
    assert_eq!(json["windows"][0]["category"], "incident");
    let text = mado::views::text::answer(&first, mado::time::DEFAULT_ZONE, mado::Lang::En);
    assert!(text.starts_with("unavailable — incident: Incident (first report)"), "{text}");
    assert!(text.contains("end not announced"), "{text}");
    // Before the first report nobody knew.
    assert_eq!(check(&s, "webcollect.credit_card", "2030-04-10 10:00", "2030-04-10 10:19").status, Status::Available);
    // The second report gives the recovery time, 10:05: known from 11:30.
    let second = check(&s, "webcollect.credit_card", "2030-04-10 10:00", "2030-04-10 11:30");
    assert_eq!(second.status, Status::Unavailable);
    assert_eq!(second.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-04-10T10:05:00+09:00"));
    assert_eq!(second.windows[0].category, mado::Kind::Incident, "inherited");
    assert_eq!(check(&s, "webcollect.credit_card", "2030-04-10 10:30", "2030-04-10 11:30").status, Status::Available);
}

#[test]
fn effects_have_english_notes_and_japanese_ones_stay_when_no_english_is_given() {
    let s = schedule(&["effects-en"]);
    let q = |lang| s.check(&Query::new("webcollect.credit_card", at("2030-02-01 03:00")).as_of(at("2030-01-02")).lang(lang)).expect("a");
    let note = |a: &mado::Answer, c: &str| a.windows[0].effects.iter().find(|e| e.channel == c).and_then(|e| e.effect.note.clone());
    let en = q(mado::Lang::En);
    assert_eq!(note(&en, "link").as_deref(), Some("payment is not possible"));
    assert_eq!(note(&en, "api").as_deref(), Some("再度お試しください"), "no English: the Japanese, never nothing");
    let ja = q(mado::Lang::Ja);
    assert_eq!(note(&ja, "link").as_deref(), Some("決済できません"));
}

#[test]
fn a_parent_answer_holds_only_until_a_child_changes() {
    let s = schedule(&["effects-en"]);
    // At 01:50 nothing is down; card payment goes down at 02:00. The parent is available, but
    // its list of affected children changes at 02:00: that is its until.
    let a = check(&s, "webcollect", "2030-02-01 01:50", "2030-01-02");
    assert_eq!((a.status, a.affected.len()), (Status::Available, 0));
    assert_eq!(a.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-02-01T02:00:00+09:00"));
    let b = check(&s, "webcollect", "2030-02-01 02:30", "2030-01-02");
    assert_eq!((b.status, b.affected.len()), (Status::Available, 1));
    assert_eq!(b.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-02-01T04:00:00+09:00"));
}

#[test]
fn validate_warns_about_a_title_whose_day_moved_and_a_notice_from_the_future() {
    let s = Schedule::embedded().expect("seeds");
    let w = s.warnings(at("2026-01-01"));
    assert!(w.iter().any(|d| d.message.contains("names 6/14")), "the 3-D Secure notice's title says 6/14, its window is on 8/9: {w:?}");
    assert!(!w.iter().any(|d| d.message.contains("after now")), "{w:?}");
    let early = s.warnings(at("2021-01-01"));
    assert!(early.iter().any(|d| d.message.contains("after now")), "{early:?}");
}

#[test]
fn a_night_of_the_old_hours_can_still_be_changed_after_a_rule_change() {
    let s = schedule(&["end-rule", "change-rule", "change-rule-old-night"]);
    let a = check(&s, "webcollect.reauth", "2030-02-21 01:30", "2030-03-01");
    assert_eq!(a.status, Status::Unavailable, "the moved old night runs to 02:00");
    assert_eq!(a.until.map(|u| u.to_rfc3339()).as_deref(), Some("2030-02-21T02:00:00+09:00"));
    assert_eq!(check(&s, "webcollect.reauth", "2030-02-20 23:15", "2030-03-01").status, Status::Available);
    assert_eq!(check(&s, "webcollect.reauth", "2030-02-21 01:30", "2030-02-17").status, Status::Available, "before the move");
}
