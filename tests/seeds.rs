//! Expected answers from the seed notices: boundaries, as-of before and after each revision,
//! instants given in UTC, and the function hierarchy.
mod common;
use common::{at, seeds};
use mado::{Query, Status};

use Status::{Available as A, Tentative as T, Unavailable as U};

/// (function, at, as_of, lookahead, status, until, deciding window uid or "")
type Case = (&'static str, &'static str, &'static str, &'static str, Status, Option<&'static str>, &'static str);

const CASES: &[Case] = &[
    // 2019-07-29 02:00-07:00, all of webcollect and testenv.
    ("webcollect.credit_card", "2019-07-29 01:59:59", "2019-07-01", "", A, Some("2019-07-29T02:00:00+09:00"), ""),
    (
        "webcollect.credit_card",
        "2019-07-29 02:00",
        "2019-07-01",
        "",
        U,
        Some("2019-07-29T07:00:00+09:00"),
        "2019-06-22-pci-dss-maintenance/security-patch",
    ),
    (
        "webcollect.credit_card",
        "2019-07-28T17:00:00Z",
        "2019-07-01",
        "",
        U,
        Some("2019-07-29T07:00:00+09:00"),
        "2019-06-22-pci-dss-maintenance/security-patch",
    ),
    (
        "testenv",
        "2019-07-29 06:59:59",
        "2019-07-01",
        "",
        U,
        Some("2019-07-29T07:00:00+09:00"),
        "2019-06-22-pci-dss-maintenance/security-patch",
    ),
    ("webcollect.credit_card", "2019-07-29 07:00", "2019-07-01", "", A, Some("2019-10-21T00:00:00+09:00"), ""),
    ("atobarai.credit_card", "2019-07-29 03:00", "2019-07-01", "", A, None, ""),
    // Before the 2019-06-22 notice nothing was known.
    ("webcollect", "2019-07-29 03:00", "2019-06-21T23:59:59+09:00", "", A, None, ""),
    // Late October 2019: tentative over 10/21-10/31, narrowed to 10/21 by the 2019-10-16 notice.
    (
        "webcollect.kuroneko_pay",
        "2019-10-25 12:00",
        "2019-10-15",
        "",
        T,
        Some("2019-11-01T00:00:00+09:00"),
        "2019-06-22-pci-dss-maintenance/late-october",
    ),
    ("webcollect.kuroneko_pay", "2019-10-25 12:00", "2019-10-16", "", A, None, ""),
    (
        "webcollect.kuroneko_pay",
        "2019-10-21 12:00",
        "2019-10-16",
        "",
        T,
        Some("2019-10-22T00:00:00+09:00"),
        "2019-06-22-pci-dss-maintenance/late-october",
    ),
    ("testenv", "2019-10-21 12:00", "2019-10-16", "", A, None, ""),
    // 2021-06-14 01:00-06:00, postponed to 2021-08-09 01:00-06:00 (known by 2021-06-14 01:00).
    (
        "webcollect.credit_card",
        "2021-06-14 01:00",
        "2021-05-14",
        "",
        U,
        Some("2021-06-14T06:00:00+09:00"),
        "2021-05-14-3ds-maintenance/3ds-expansion",
    ),
    ("webcollect.credit_card", "2021-06-14 01:00", "2021-05-13T23:59:59+09:00", "", A, None, ""),
    ("webcollect.credit_card", "2021-06-14 01:00", "2021-06-14 01:00", "", A, Some("2021-08-09T01:00:00+09:00"), ""),
    (
        "webcollect.credit_card",
        "2021-08-09 05:59:59",
        "2021-07-01",
        "",
        U,
        Some("2021-08-09T06:00:00+09:00"),
        "2021-05-14-3ds-maintenance/3ds-expansion",
    ),
    ("atobarai.au_kantan", "2021-08-09 03:00", "2021-07-01", "", A, None, ""),
    ("atobarai.bank_transfer", "2021-08-09 03:00", "2021-07-01", "", A, None, ""),
    (
        "atobarai.kuroneko_pay",
        "2021-08-09 03:00",
        "2021-07-01",
        "",
        U,
        Some("2021-08-09T06:00:00+09:00"),
        "2021-05-14-3ds-maintenance/3ds-expansion",
    ),
    ("webcollect.id_payment", "2021-08-09 03:00", "2021-07-01", "", A, None, ""),
    (
        "webcollect.admin",
        "2021-08-09 03:00",
        "2021-07-01",
        "",
        U,
        Some("2021-08-09T06:00:00+09:00"),
        "2021-05-14-3ds-maintenance/3ds-expansion",
    ),
    // A window naming children does not make the parent unavailable.
    // The parent is available, but its answer lists card payment as affected until 06:00:
    // the answer holds until then (reference semantics: a parent's `until`).
    ("webcollect", "2021-08-09 03:00", "2021-07-01", "", A, Some("2021-08-09T06:00:00+09:00"), ""),
    // 2023-08-28 notice: 01:00-05:30, reauth 23:00-07:00, test env 00:00-02:00.
    (
        "webcollect.credit_card",
        "2023-11-13 01:00",
        "2023-09-01",
        "",
        U,
        Some("2023-11-13T05:30:00+09:00"),
        "2023-08-28-db-upgrade/all-functions",
    ),
    ("webcollect.reauth", "2023-11-13 06:59", "2023-09-01", "", U, Some("2023-11-13T07:00:00+09:00"), "2023-08-28-db-upgrade/reauth"),
    ("webcollect.reauth", "2023-11-12 22:59:59", "2023-09-01", "", A, Some("2023-11-12T23:00:00+09:00"), ""),
    ("testenv", "2023-11-13 00:00", "2023-09-01", "", U, Some("2023-11-13T02:00:00+09:00"), "2023-08-28-db-upgrade/testenv"),
    ("webcollect.credit_card", "2023-11-13 01:00", "2023-08-27T23:59:59+09:00", "", A, None, ""),
    // 2023-10-10 revision: 02:00-05:30, test env 01:00-03:00, reauth back to the daily blackout until about 01:30.
    ("webcollect.credit_card", "2023-11-13 01:00", "2023-10-10", "", A, Some("2023-11-13T02:00:00+09:00"), ""),
    (
        "webcollect.credit_card",
        "2023-11-13T03:00+09:00",
        "2023-10-10",
        "",
        U,
        Some("2023-11-13T05:30:00+09:00"),
        "2023-08-28-db-upgrade/all-functions",
    ),
    (
        "webcollect.credit_card",
        "2023-11-12T18:00Z",
        "2023-10-10",
        "",
        U,
        Some("2023-11-13T05:30:00+09:00"),
        "2023-08-28-db-upgrade/all-functions",
    ),
    (
        "webcollect.carrier",
        "2023-11-13 05:29:59",
        "2024-01-01",
        "",
        U,
        Some("2023-11-13T05:30:00+09:00"),
        "2023-08-28-db-upgrade/all-functions",
    ),
    ("webcollect.carrier", "2023-11-13 05:30", "2024-01-01", "", A, None, ""),
    ("atobarai.credit_card", "2023-11-13 03:00", "2024-01-01", "", A, None, ""),
    ("testenv", "2023-11-13 00:30", "2023-10-10", "", A, Some("2023-11-13T01:00:00+09:00"), ""),
    ("testenv", "2023-11-13 02:30", "2023-10-10", "", U, Some("2023-11-13T03:00:00+09:00"), "2023-08-28-db-upgrade/testenv"),
    ("webcollect.reauth", "2023-11-13 01:29", "2023-10-10", "", U, Some("2023-11-13T01:30:00+09:00"), "standing-reauth-blackout/daily"),
    ("webcollect.reauth", "2023-11-13 01:30", "2023-10-10", "", A, Some("2023-11-13T02:00:00+09:00"), ""),
    // The reauth also falls under "all functions" 02:00-05:30.
    (
        "webcollect.reauth",
        "2023-11-13 03:00",
        "2023-10-10",
        "",
        U,
        Some("2023-11-13T05:30:00+09:00"),
        "2023-08-28-db-upgrade/all-functions",
    ),
    ("webcollect.reauth", "2023-11-13 06:00", "2023-10-10", "", A, Some("2023-11-13T23:00:00+09:00"), ""),
    // The daily blackout, 23:00-01:00, every day from 2023-10-10 with no end.
    ("webcollect.reauth", "2023-10-10 22:59:59", "2024-01-01", "", A, Some("2023-10-10T23:00:00+09:00"), ""),
    ("webcollect.reauth", "2023-10-10 23:00", "2024-01-01", "", U, Some("2023-10-11T01:00:00+09:00"), "standing-reauth-blackout/daily"),
    ("webcollect.reauth", "2026-11-23 00:59:59", "2026-11-01", "", U, Some("2026-11-23T01:00:00+09:00"), "standing-reauth-blackout/daily"),
    ("webcollect.reauth", "2026-11-23 01:00", "2026-11-01", "", A, Some("2026-11-23T23:00:00+09:00"), ""),
    ("webcollect.reauth", "2099-12-31T14:30:00Z", "2026-11-01", "", U, Some("2100-01-01T01:00:00+09:00"), "standing-reauth-blackout/daily"),
    ("webcollect.credit_card", "2026-11-23 00:30", "2026-11-01", "", A, None, ""),
    // The card vendor's data-centre move: 2024-04-22, times to follow.
    (
        "webcollect.credit_card",
        "2024-04-22 00:00",
        "2024-01-01",
        "",
        T,
        Some("2024-04-23T00:00:00+09:00"),
        "2023-10-10-db-upgrade-revised/card-vendor-dc-move",
    ),
    ("webcollect.credit_card", "2024-04-21 23:59:59", "2024-01-01", "", A, Some("2024-04-22T00:00:00+09:00"), ""),
    ("webcollect.convenience_store", "2024-04-22 12:00", "2024-01-01", "", A, None, ""),
    // Lookahead: the answer covers [at, at + for).
    ("webcollect.credit_card", "2023-11-13 01:45", "2023-10-10", "15m", A, Some("2023-11-13T01:45:01+09:00"), ""),
    (
        "webcollect.credit_card",
        "2023-11-13 01:45:01",
        "2023-10-10",
        "15m",
        U,
        Some("2023-11-13T05:30:00+09:00"),
        "2023-08-28-db-upgrade/all-functions",
    ),
    (
        "webcollect.credit_card",
        "2024-04-21 23:00",
        "2024-01-01",
        "2h",
        T,
        Some("2024-04-23T00:00:00+09:00"),
        "2023-10-10-db-upgrade-revised/card-vendor-dc-move",
    ),
];

#[test]
fn seed_answers() {
    let s = seeds();
    for (i, (f, t, a, d, status, until, uid)) in CASES.iter().enumerate() {
        let mut q = Query::new(*f, at(t)).as_of(at(a));
        if !d.is_empty() {
            q = q.lookahead(mado::time::parse_duration(d).expect("test duration"));
        }
        let ans = s.check(&q).expect("known function");
        let ctx = format!("case {i}: {f} at {t} as of {a} for {d:?}");
        assert_eq!(ans.status, *status, "{ctx}");
        assert_eq!(ans.available, *status == A, "{ctx}");
        assert_eq!(ans.until.map(|u| u.to_rfc3339()), until.map(str::to_string), "{ctx}");
        let decided: Vec<&str> = ans.windows.iter().map(|w| w.uid.as_str()).collect();
        if uid.is_empty() {
            assert!(decided.is_empty(), "{ctx}: {decided:?}");
        } else {
            assert_eq!(decided.first().copied(), Some(*uid), "{ctx}");
        }
    }
}

#[test]
fn revised_window_names_its_revision_and_effect() {
    let s = seeds();
    let ans = s.check(&Query::new("webcollect.credit_card", at("2023-11-13 03:00")).as_of(at("2024-01-01")).channel("api")).expect("ok");
    let w = &ans.windows[0];
    let rev = w.revision.as_ref().expect("revised");
    assert_eq!((rev.notice.as_str(), rev.sequence), ("2023-10-10-db-upgrade-revised", 1));
    assert_eq!(w.effects.len(), 1);
    assert_eq!(w.effects[0].effect.error_code.as_deref(), Some("Z010000000"));
    assert_eq!(w.effects[0].source, mado::EffectSource::Notice);
}

#[test]
fn the_2021_token_modal_shows_the_message_and_2019_the_page() {
    let s = seeds();
    let a = s.check(&Query::new("webcollect.credit_card", at("2021-08-09 03:00")).channel("token_modal")).expect("ok");
    assert_eq!(a.windows[0].effects[0].effect.message.as_deref(), Some("メンテナンス中です。時間をおいて再度アクセスしてください。"));
    let b = s.check(&Query::new("webcollect.credit_card", at("2019-07-29 03:00")).channel("token_modal")).expect("ok");
    // As the 2019 notice's table spells it (no space).
    assert_eq!(b.windows[0].effects[0].effect.page.as_deref(), Some("クロネコwebコレクトメンテナンスのお知らせ"));
    // The 2021 notice does not mention the mail method: the catalogue default applies, and says so.
    let c = s.check(&Query::new("webcollect.credit_card", at("2021-08-09 03:00")).channel("mail")).expect("ok");
    assert_eq!(c.windows[0].effects[0].source, mado::EffectSource::Default);
}

#[test]
fn next_names_the_following_window() {
    let s = seeds();
    let a = s.check(&Query::new("webcollect.reauth", at("2023-11-12 12:00")).as_of(at("2023-10-10"))).expect("ok");
    let next = a.next.expect("a next window");
    assert_eq!((next.uid.as_str(), next.occurrence.map(|d| d.to_string())), ("standing-reauth-blackout/daily", Some("2023-11-12".into())));
    assert_eq!(next.end.to_rfc3339(), "2023-11-13T01:30:00+09:00");
    assert!(next.end_approx);
}

#[test]
fn unknown_function_and_channel_are_errors_with_suggestions() {
    let s = seeds();
    let e = s.check(&Query::new("webcollect.creditcard", at("2023-11-13 03:00"))).expect_err("unknown");
    assert_eq!(e.to_string(), "unknown function `webcollect.creditcard`; did you mean `webcollect.credit_card`?");
    let e = s.check(&Query::new("webcollect", at("2023-11-13 03:00")).channel("fax")).expect_err("unknown");
    assert_eq!(e.to_string(), "unknown channel `fax`; expected one of link, mail, token_embedded, token_modal, api");
}

#[test]
fn windows_lists_occurrences_sorted_with_delays() {
    let s = seeds();
    let q = mado::WindowsQuery::new(at("2019-07-01"), at("2019-08-01")).as_of(at("2020-01-01")).limit(100);
    let l = s.windows(&q).expect("ok");
    let uids: Vec<&str> = l.windows.iter().map(|w| w.uid.as_str()).collect();
    assert_eq!(uids, ["2019-06-22-pci-dss-maintenance/security-patch"]);
    let delays: Vec<(&str, String)> = l.delays.iter().map(|d| (d.id.as_str(), d.expected.to_rfc3339())).collect();
    assert_eq!(
        delays,
        [
            ("main-authorisation-post", "2019-07-29T07:00:00+09:00".to_string()),
            ("first-daytime-alert", "2019-07-29T09:00:00+09:00".to_string())
        ]
    );
    // Before the append, the delays were not known.
    let l = s.windows(&mado::WindowsQuery { as_of: at("2019-07-22"), ..q.clone() }).expect("ok");
    assert!(l.delays.is_empty());
    // A limit cuts the list and says so.
    let l = s
        .windows(&mado::WindowsQuery { from: at("2024-01-01"), to: at("2024-02-01"), as_of: at("2025-01-01"), limit: 5, ..q })
        .expect("ok");
    assert_eq!((l.windows.len(), l.truncated), (5, true));
}

/// What the notices state and what mado infers, after re-reading each one.
mod provenance {
    use super::*;
    use mado::{EffectSource, Lang};

    fn answer(f: &str, t: &str, as_of: &str, channel: &str) -> mado::Answer {
        seeds().check(&Query::new(f, at(t)).as_of(at(as_of)).channel(channel)).expect("answer")
    }

    #[test]
    fn the_card_vendor_move_borrows_no_effects_from_the_database_upgrade() {
        for channel in ["link", "mail", "token_embedded", "token_modal", "api"] {
            let a = answer("webcollect.credit_card", "2024-04-22 10:00", "2024-01-01", channel);
            assert_eq!(a.status, Status::Tentative);
            assert_eq!(a.windows[0].effects[0].source, EffectSource::Default, "{channel}: the notice says 「詳細は改めてご連絡」");
        }
        let a = answer("webcollect.credit_card", "2024-04-22 10:00", "2024-01-01", "api");
        let fields: Vec<&str> = a.windows[0].inferred.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["functions", "title"], "scoped to card payment by inference, and its title is made up");
    }

    #[test]
    fn the_2023_error_code_is_stated_only_for_card_carrier_and_id_payment() {
        for f in ["webcollect.credit_card", "webcollect.carrier", "webcollect.id_payment"] {
            let e = &answer(f, "2023-11-13 03:00", "2024-01-01", "api").windows[0].effects[0];
            assert_eq!((e.effect.error_code.as_deref(), e.source), (Some("Z010000000"), EffectSource::Notice), "{f}");
        }
        for f in ["webcollect.convenience_store", "webcollect.kuroneko_pay"] {
            let a = answer(f, "2023-11-13 03:00", "2024-01-01", "api");
            assert_eq!(a.status, Status::Unavailable, "{f} is down all the same (全ての機能)");
            assert_eq!(a.windows[0].effects[0].source, EffectSource::Default, "{f}: no error code stated");
        }
        // The page name of 2019/2021 is not borrowed: the 2023 notice names no screen.
        let link = &answer("webcollect.credit_card", "2023-11-13 03:00", "2024-01-01", "link").windows[0].effects[0];
        assert_eq!(link.effect.page, None);
        assert!(link.effect.note.as_deref().is_some_and(|n| n.contains("【資料１】")));
        // The modal is only inferred from 「API/トークン方式」.
        let modal = answer("webcollect.credit_card", "2023-11-13 03:00", "2024-01-01", "token_modal");
        assert_eq!(modal.windows[0].effects[0].source, EffectSource::Inferred);
        assert!(modal.windows[0].inferred.iter().any(|i| i.field == "effects.token_modal"));
    }

    #[test]
    fn late_october_2019_is_marked_inferred_and_has_no_effects_of_its_own() {
        let a = answer("webcollect.credit_card", "2019-10-25 12:00", "2019-09-01", "api");
        assert_eq!(a.status, Status::Tentative);
        let w = &a.windows[0];
        assert_eq!(w.effects[0].source, EffectSource::Default, "the 7/29 effects stay with the 7/29 window");
        let fields: Vec<&str> = w.inferred.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["published", "published", "functions", "date", "title"]);
        // The 10-21 narrowing says its date came from a notice mado does not have.
        let b = answer("webcollect.credit_card", "2019-10-21 12:00", "2019-10-17", "api");
        assert!(b.windows[0].inferred.iter().any(|i| i.field == "published" && i.reason.contains("2019年9月20日")));
    }

    #[test]
    fn titles_and_sources_name_the_public_documents_in_either_language() {
        let s = seeds();
        let q = |lang| Query::new("webcollect.reauth", at("2024-06-01 23:30")).as_of(at("2024-07-01")).lang(lang);
        let ja = s.check(&q(Lang::Ja)).expect("ja");
        let en = s.check(&q(Lang::En)).expect("en");
        assert_eq!(ja.windows[0].notice_title, "「クロネコ webコレクト トークン方式(クレジットカード決済)」の設定のご案内");
        assert_eq!(en.windows[0].notice_title, "Guide to setting up “Kuroneko Web Collect token method (card payment)”");
        assert!(ja.windows[0].source.contains("Ver.2024/01/19"));
        assert_eq!(en.windows[0].title.as_deref(), Some("Daily maintenance (re-authorisation unavailable)"));
        // The daily rule's link/mail/modal effects are the catalogue's, and said to be.
        for e in &ja.windows[0].effects {
            let expected =
                if ["api", "token_embedded"].contains(&e.channel.as_str()) { EffectSource::Inferred } else { EffectSource::Default };
            assert_eq!(e.source, expected, "{}", e.channel);
        }
        let p =
            s.check(&Query::new("webcollect.credit_card", at("2021-08-09 03:00")).as_of(at("2022-01-01")).lang(Lang::En)).expect("2021");
        let r = p.windows[0].revision.as_ref().expect("postponed");
        assert_eq!(r.action, mado::Action::Postpone);
        assert_eq!(r.note.as_deref(), Some("Postponed to 9 August 2021 (Mon) 01:00–06:00."));
    }

    #[test]
    fn no_answer_text_speaks_of_seeds() {
        let s = seeds();
        for lang in [Lang::Ja, Lang::En] {
            let l = s
                .windows(&mado::WindowsQuery::new(at("2019-01-01"), at("2024-06-01")).as_of(at("2024-06-01")).lang(lang).limit(10_000))
                .expect("all");
            let json = mado::views::json::to_json(&l);
            assert!(!json.to_lowercase().contains("seed"), "{lang:?} window list");
            let feed = mado::ical::feed(
                &s,
                &mado::ical::FeedOptions {
                    function: None,
                    lang,
                    now: at("2024-06-01"),
                    refresh: mado::chrono::Duration::hours(1),
                    base_url: None,
                },
            )
            .expect("feed");
            assert!(!feed.to_lowercase().contains("seed"), "{lang:?} feed");
        }
    }

    #[test]
    fn the_2019_delay_names_no_function_and_marks_its_date_inferred() {
        let l = seeds().windows(&mado::WindowsQuery::new(at("2019-07-29"), at("2019-07-30")).as_of(at("2019-08-01"))).expect("list");
        let d = l.delays.iter().find(|d| d.id == "main-authorisation-post").expect("delay");
        assert!(d.functions.is_empty(), "the notice names no function");
        assert!(d.inferred.iter().any(|i| i.field == "date"));
    }

    #[test]
    fn a_parent_lists_its_affected_children_and_stated_availability_is_cited() {
        let s = seeds();
        let a = s.check(&Query::new("webcollect", at("2024-04-22 10:00")).as_of(at("2024-01-01"))).expect("parent");
        assert_eq!(a.status, Status::Available, "the move is scoped to card payment");
        let children: Vec<(&str, Status)> = a.affected.iter().map(|c| (c.function.as_str(), c.status)).collect();
        assert_eq!(children, [("webcollect.credit_card", Status::Tentative)]);
        let au = s.check(&Query::new("atobarai.au_kantan", at("2021-08-09 03:00")).as_of(at("2022-01-01"))).expect("au");
        assert_eq!(au.status, Status::Available);
        assert_eq!(au.stated_available.len(), 1, "「auかんたん決済 ご利用いただけます。」");
        assert_eq!(au.stated_available[0].uid, "2021-05-14-3ds-maintenance/3ds-expansion");
        let with = s
            .windows(
                &mado::WindowsQuery::new(at("2024-04-01"), at("2024-05-01"))
                    .as_of(at("2024-01-01"))
                    .function("webcollect")
                    .with_children(true)
                    .limit(1000),
            )
            .expect("with children");
        assert!(with.windows.iter().any(|w| w.uid == "2023-10-10-db-upgrade-revised/card-vendor-dc-move"));
        let without = s
            .windows(
                &mado::WindowsQuery::new(at("2024-04-01"), at("2024-05-01")).as_of(at("2024-01-01")).function("webcollect").limit(1000),
            )
            .expect("without");
        assert!(!without.windows.iter().any(|w| w.uid == "2023-10-10-db-upgrade-revised/card-vendor-dc-move"));
    }
}
