//! The HTML pages on the seeds at a fixed clock: snapshots of what people read, and the
//! facts the pages must state (status per function, standing rule, revision trail).
mod common;

use common::{at, seeds};
use mado::ical::Lang;
use mado::views::pages::{notice_page, notices_page, status_page, timeline_page, PageContext, TimelineOptions};

/// During the 2023-11-13 database upgrade (02:00–05:30 JST).
const NOW: &str = "2023-11-13 02:30";

fn cx(lang: Lang, path: &str) -> PageContext {
    PageContext {
        lang,
        now: at(NOW),
        fixed_clock: true,
        host: "mado.example".into(),
        scheme: "https".into(),
        path: path.into(),
        params: Vec::new(),
    }
}

fn timeline(lang: Lang, from: &str, to: &str, as_of: Option<&str>) -> String {
    let mut o = TimelineOptions::around(at(NOW));
    o.from = at(from);
    o.to = at(to);
    if let Some(a) = as_of {
        o.as_of = at(a);
        o.as_of_given = true;
    }
    timeline_page(&seeds(), &cx(lang, "/timeline"), &o).expect("timeline")
}

/// The page without its stylesheet, for snapshots: a change of style is not a change of content.
fn content(html: &str) -> String {
    match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}<style>/* style.css */{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    }
}

/// The `data-status` of function `f` in the status page's tree.
fn status_of(html: &str, f: &str) -> String {
    let from = html.find(&format!("data-function=\"{f}\"")).unwrap_or_else(|| panic!("{f} not in the tree"));
    let rest = &html[from..];
    let s = rest.find("data-status=\"").expect("a status") + "data-status=\"".len();
    rest[s..s + rest[s..].find('"').expect("quote")].to_string()
}

#[test]
fn status_page_snapshots() {
    for lang in [Lang::Ja, Lang::En] {
        let (html, next) = status_page(&seeds(), &cx(lang, "/"));
        insta::assert_snapshot!(format!("status_{lang:?}"), content(&html));
        assert_eq!(next, Some(at("2023-11-13 03:00")), "the test environment comes back first");
    }
}

#[test]
fn status_page_agrees_with_the_evaluator_for_every_function() {
    let s = seeds();
    let (html, _) = status_page(&s, &cx(Lang::En, "/"));
    let mut seen = std::collections::BTreeSet::new();
    for f in s.catalogue().functions() {
        let answer = s.check(&mado::Query::new(f.id(), at(NOW)).as_of(at(NOW))).expect("check");
        assert_eq!(status_of(&html, f.id()), answer.status.to_string(), "{}", f.id());
        seen.insert(answer.status.to_string());
    }
    assert!(seen.contains("unavailable") && seen.contains("available"), "the fixed clock shows both: {seen:?}");
    assert!(html.contains("class=\"banner\""), "a window in progress gets a banner");
    // Never colour alone: each status has its word and its symbol.
    assert!(html.contains("✕</span> Unavailable (maintenance)") && html.contains("●</span> Available"));
}

#[test]
fn daily_blackout_reads_as_a_standing_rule() {
    let (html, _) = status_page(&seeds(), &cx(Lang::En, "/"));
    assert!(html.contains("every day 23:00–01:00 JST</strong>, since <time datetime=\"2023-10-10\">"), "standing rule missing");
    assert_eq!(html.matches("data-uid=\"standing-reauth-blackout/daily\"").count(), 0, "no row per night");
    let (ja, _) = status_page(&seeds(), &cx(Lang::Ja, "/"));
    assert!(ja.contains("毎日 23:00–01:00 JST"));
}

#[test]
fn every_instant_is_a_time_element_in_jst() {
    let (html, _) = status_page(&seeds(), &cx(Lang::Ja, "/"));
    let times = html.matches("<time datetime=\"").count();
    assert!(times > 10, "{times}");
    for chunk in html.split("<time datetime=\"").skip(1) {
        let value = &chunk[..chunk.find('"').expect("quote")];
        assert!(value.len() == 10 || value.ends_with("+09:00"), "datetime `{value}` is neither a day nor JST");
    }
}

#[test]
fn timeline_snapshots() {
    insta::assert_snapshot!("timeline_Ja", content(&timeline(Lang::Ja, "2023-11-01", "2023-11-20", None)));
    insta::assert_snapshot!("timeline_En", content(&timeline(Lang::En, "2023-11-01", "2023-11-20", None)));
}

#[test]
fn timeline_as_of_shows_the_calendar_as_known_then() {
    // On 2023-09-01 only the 2023-08-28 notice was out: the upgrade at 01:00, no daily rule yet.
    let then = timeline(Lang::En, "2023-11-01", "2023-11-20", Some("2023-09-01"));
    let later = timeline(Lang::En, "2023-11-01", "2023-11-20", None);
    assert!(then.contains("data-uid=\"2023-08-28-db-upgrade/reauth\""));
    assert!(!then.contains("standing-reauth-blackout/daily"));
    assert!(later.contains("standing-reauth-blackout/daily"));
    // The reauth window cancelled on 2023-10-10 is struck through, not gone.
    assert!(later.contains("class=\"struck\" data-uid=\"2023-08-28-db-upgrade/reauth\""));
    assert!(!then.contains("class=\"struck\""));
}

#[test]
fn timeline_refuses_unbounded_ranges() {
    let mut o = TimelineOptions::around(at(NOW));
    o.to = o.from + chrono::Duration::days(4000);
    let e = timeline_page(&seeds(), &cx(Lang::En, "/timeline"), &o).expect_err("too long");
    assert!(e.to_string().contains("at most 400"), "{e}");
}

#[test]
fn notice_pages_snapshots() {
    let s = seeds();
    for lang in [Lang::Ja, Lang::En] {
        insta::assert_snapshot!(format!("notices_{lang:?}"), content(&notices_page(&s, &cx(lang, "/notices"))));
        for id in ["2023-10-10-db-upgrade-revised", "2023-08-28-db-upgrade", "standing-reauth-blackout"] {
            let html = notice_page(&s, &cx(lang, &format!("/notices/{id}")), id).expect("known notice");
            insta::assert_snapshot!(format!("notice_{id}_{lang:?}"), content(&html));
        }
    }
    assert!(notice_page(&s, &cx(Lang::En, "/notices/nope"), "nope").is_none());
}

#[test]
fn notice_page_shows_the_revision_trail() {
    let s = seeds();
    let html = notice_page(&s, &cx(Lang::En, "/"), "2023-08-28-db-upgrade").expect("page");
    let card = &html[html.find("data-uid=\"2023-08-28-db-upgrade/all-functions\"").expect("card")..];
    let card = &card[..card.find("</section>").expect("end")];
    let announced = card.find("announced: <time datetime=\"2023-11-13T01:00:00+09:00\">").expect("original times");
    let revised = card.find("revised to: <time datetime=\"2023-11-13T02:00:00+09:00\">").expect("revised times");
    assert!(announced < revised);
}

#[test]
fn notices_are_listed_newest_first() {
    let html = notices_page(&seeds(), &cx(Lang::En, "/notices"));
    let pos = |id: &str| html.find(&format!("data-notice=\"{id}\"")).unwrap_or_else(|| panic!("{id}"));
    assert!(pos("2023-10-10-db-upgrade-revised") < pos("2023-08-28-db-upgrade"));
    assert!(pos("2023-08-28-db-upgrade") < pos("2019-06-22-pci-dss-maintenance"));
}

/// WCAG 2 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let c = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn every_text_colour_in_the_stylesheet_passes_wcag_aa_on_its_background() {
    let css = include_str!("../src/views/pages/style.css");
    let var = |name: &str| {
        let at = css.find(&format!("{name}:")).unwrap_or_else(|| panic!("{name}")) + name.len() + 1;
        let v = &css[at..at + css[at..].find([';', '}']).expect("end of value")];
        match v.len() {
            4 => v.chars().skip(1).fold(String::from("#"), |mut s, c| {
                s.push(c);
                s.push(c);
                s
            }),
            _ => v.to_string(),
        }
    };
    let (fg, bg, panel, muted, link) = (var("--fg"), var("--bg"), var("--panel"), var("--muted"), var("--link"));
    let mut pairs = vec![
        (fg.clone(), bg.clone()),
        (fg, panel.clone()),
        (muted.clone(), bg.clone()),
        (muted, panel.clone()),
        (link.clone(), bg),
        (link, panel),
    ];
    // Every rule that sets both a background and a text colour.
    for rule in css.split('}') {
        let get = |p: &str| rule.split([';', '{']).find_map(|d| d.strip_prefix(p)).filter(|v| v.starts_with('#') && v.len() == 7);
        if let (Some(b), Some(c)) = (get("background:"), get("color:")) {
            pairs.push((c.to_string(), b.to_string()));
        }
    }
    assert!(pairs.len() >= 10, "{pairs:?}");
    for (c, b) in pairs {
        let r = contrast(&c, &b);
        assert!(r >= 4.5, "{c} on {b}: {r:.2} < 4.5");
    }
}

#[test]
fn timeline_of_a_parent_lists_its_childrens_windows_and_the_postponed_one() {
    let mut o = TimelineOptions::around(at(NOW));
    o.from = at("2021-06-01");
    o.to = at("2021-08-20");
    o.function = Some("webcollect".into());
    let html = timeline_page(&seeds(), &cx(Lang::En, "/timeline"), &o).expect("timeline");
    let table = &html[html.find("<table").expect("a table of the windows")..];
    assert!(table.contains("data-uid=\"2021-05-14-3ds-maintenance/3ds-expansion\""), "the 3-D Secure window names only children");
    assert!(html.contains("class=\"struck\" data-uid=\"2021-05-14-3ds-maintenance/3ds-expansion\""), "its first date, struck through");
}

// The view fixtures (tests/data/views), at 2025-08-25 11:00 JST: an incident in progress on
// card payment, a convenience-store maintenance postponed with no new date, the daily
// re-authorisation stop with new hours since 2025-07-01, a weekly rule ended from October.

fn views() -> mado::Schedule {
    mado::Schedule::from_dir("tests/data/views").expect("the view fixtures load")
}

fn views_cx(lang: Lang, path: &str) -> PageContext {
    PageContext { now: at("2025-08-25 11:00"), ..cx(lang, path) }
}

/// The part of `html` from `marker` to the end of its element `tag`.
fn element<'a>(html: &'a str, marker: &str, tag: &str) -> &'a str {
    let from = html.find(marker).unwrap_or_else(|| panic!("{marker} not in the page"));
    let rest = &html[from..];
    &rest[..rest.find(&format!("</{tag}>")).unwrap_or(rest.len())]
}

#[test]
fn an_incident_is_called_an_incident_on_the_pages() {
    let s = views();
    let (en, _) = status_page(&s, &views_cx(Lang::En, "/"));
    let banner = element(&en, "data-uid=\"2025-08-25-incident/card-outage\"", "section");
    assert!(banner.contains("Incident in progress") && !banner.contains("Maintenance in progress"), "{banner}");
    let row = element(&en, "data-function=\"webcollect.credit_card\"", "li");
    assert!(row.contains("✕</span> Unavailable (incident)"), "{row}");
    let (ja, _) = status_page(&s, &views_cx(Lang::Ja, "/"));
    assert!(element(&ja, "data-uid=\"2025-08-25-incident/card-outage\"", "section").contains("障害発生中"));
    assert!(element(&ja, "data-function=\"webcollect.credit_card\"", "li").contains("利用不可（障害）"));
    let table = element(&ja, "<tr data-uid=\"2025-08-25-incident/card-outage\"", "tr");
    assert!(table.contains("【障害】"), "{table}");
    let notice = notice_page(&s, &views_cx(Lang::En, "/notices/2025-08-25-incident"), "2025-08-25-incident").expect("page");
    assert!(notice.contains("<h2>Incidents</h2>") && notice.contains("[incident] </span>Card payment outage"), "{notice}");
    let mut o = TimelineOptions::around(at("2025-08-25 11:00"));
    o.from = at("2025-08-24");
    o.to = at("2025-08-27");
    let tl = timeline_page(&s, &views_cx(Lang::En, "/timeline"), &o).expect("timeline");
    assert!(tl.contains("data-uid=\"2025-08-25-incident/card-outage\" data-kind=\"confirmed\" data-category=\"incident\""), "{tl}");
    assert!(tl.contains("<title>confirmed: incident: Card payment outage"), "{tl}");
}

#[test]
fn a_pending_postponement_shows_on_the_status_page_and_its_notice() {
    let s = views();
    let (en, _) = status_page(&s, &views_cx(Lang::En, "/"));
    let row = element(&en, "data-function=\"webcollect.convenience_store\"", "li");
    assert!(row.contains("data-pending=\"2025-08-10-store/night\">postponed, date to be announced"), "{row}");
    let block = element(&en, "<h3 id=\"pending\">", "ul");
    assert!(block.contains("Postponed, date to be announced") && block.contains("data-pending=\"2025-08-10-store/night\""), "{block}");
    assert!(block.contains("Postponed; the new date will follow."), "the postponing notice's note: {block}");
    assert!(!element(&en, "data-function=\"webcollect.reauth\"", "li").contains("data-pending"), "only the functions it covers");
    let (ja, _) = status_page(&s, &views_cx(Lang::Ja, "/"));
    assert!(element(&ja, "<h3 id=\"pending\">", "ul").contains("延期（日程未定）"));
    for (lang, said) in [(Lang::En, "postponed, date to be announced"), (Lang::Ja, "延期（日程未定）")] {
        let html = notice_page(&s, &views_cx(lang, "/notices/2025-08-10-store"), "2025-08-10-store").expect("page");
        let step = element(&html, "<li data-action=\"postpone\">", "li");
        assert!(step.contains(&format!("</time> {said} — ")), "{step}");
        assert!(!step.contains("postponed to") && !step.contains("延期 —"), "{step}");
        assert!(element(&html, "<h3>", "h3").contains(&format!("({said})")), "not `cancelled`");
    }
}

#[test]
fn a_rule_that_changed_its_hours_reads_as_one_rule_with_its_change() {
    let s = views();
    let (en, _) = status_page(&s, &views_cx(Lang::En, "/"));
    let rule = element(&en, "data-rule=\"standing-reauth-blackout/daily\"", "li");
    assert!(rule.contains("<strong>every day 22:00–00:30 JST</strong>, since <time datetime=\"2025-01-01\">"), "{rule}");
    assert!(
        rule.contains("; hours changed on <time datetime=\"2025-07-01\">Tue 2025-07-01</time> (was every day 23:00–01:00 JST)"),
        "{rule}"
    );
    assert_eq!(en.matches("data-uid=\"standing-reauth-blackout/daily\"").count(), 0, "no row per night");
    let (ja, _) = status_page(&s, &views_cx(Lang::Ja, "/"));
    assert!(element(&ja, "data-rule=\"standing-reauth-blackout/daily\"", "li").contains("に時間帯変更（変更前: 毎日 23:00–01:00 JST）"));
    // Across the change, the timeline too lists one rule, not each night.
    let mut o = TimelineOptions::around(at("2025-08-25 11:00"));
    o.from = at("2025-06-25");
    o.to = at("2025-07-05");
    let tl = timeline_page(&s, &views_cx(Lang::En, "/timeline"), &o).expect("timeline");
    let table = &tl[tl.find("Windows in this range").expect("list")..];
    assert!(
        table.contains("data-rule=\"standing-reauth-blackout/daily\"")
            && !table.contains("<tr data-uid=\"standing-reauth-blackout/daily\"")
    );
    // The rule's notice and the changing notice show the rule now, and what the change did.
    for id in ["standing-reauth-blackout", "2025-06-01-change"] {
        let html = notice_page(&s, &views_cx(Lang::En, &format!("/notices/{id}")), id).expect("page");
        let card = element(&html, "data-uid=\"standing-reauth-blackout/daily\"", "section");
        assert!(card.contains("<strong>every day 22:00–00:30 JST</strong>"), "{card}");
        let first = element(card, "<li data-action=\"original\">", "li");
        assert!(first.contains("announced: every day 23:00–01:00 JST, since"), "the original hours: {first}");
        let change = element(card, "<li data-action=\"change\">", "li");
        assert!(
            change.contains(
                "hours changed: every day 22:00–00:30 JST, since <time datetime=\"2025-07-01\">Tue 2025-07-01</time> (was: every day 23:00–01:00 JST)"
            ),
            "{change}"
        );
        assert!(change.contains("From 1 July 2025: 22:00 – 00:30"), "{change}");
        // The night changed before the change keeps its old rule's day.
        assert!(card.contains("this occurrence changed (<time datetime=\"2025-06-15\">"), "{card}");
    }
}

#[test]
fn an_end_shows_its_note_and_reasons_on_the_notice_page() {
    let s = views();
    for (lang, note, reason) in [
        (Lang::En, "No weekly stop from October", "“From October” read as 1 October"),
        (Lang::Ja, "10月以降は週次停止を行いません", "終了日は「10月以降」から10月1日とした"),
    ] {
        let html = notice_page(&s, &views_cx(lang, "/notices/2025-09-01-end"), "2025-09-01-end").expect("page");
        let step = element(&html, "<li data-action=\"end\">", "ol");
        assert!(step.contains(note), "{step}");
        assert!(step.contains("<li data-field=\"end\">") && step.contains(reason), "{step}");
        assert!(step.contains("<time datetime=\"2025-09-28\">"), "its last night: {step}");
    }
}

#[test]
fn a_rule_in_another_zone_is_not_labelled_jst() {
    let text = "id = \"seoul\"\npublished = \"2025-01-01\"\nzone = \"Asia/Seoul\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"testenv\"]\nrrule = \"FREQ=DAILY\"\nstart = \"2025-01-01 23:00\"\nduration = \"2h\"\n";
    let s = mado::Schedule::from_notice_str(text).expect("loads");
    let (html, _) = status_page(&s, &views_cx(Lang::En, "/"));
    assert!(element(&html, "data-rule=\"seoul/w\"", "li").contains("every day 23:00–01:00 KST"), "{html}");
    let text = text.replace("Asia/Seoul", "America/New_York");
    let s = mado::Schedule::from_notice_str(&text).expect("loads");
    let html = notice_page(&s, &views_cx(Lang::En, "/notices/seoul"), "seoul").expect("page");
    assert!(html.contains("every day 23:00–01:00 America/New_York"), "EST or EDT by season: the zone's name");
}

#[test]
fn a_function_stated_available_has_no_bar_in_its_timeline_row() {
    let mut files: Vec<mado::SourceFile> =
        mado::embedded_sources().into_iter().filter(|f| f.name.ends_with(mado::CATALOGUE_FILE)).collect();
    for n in ["available", "available-postponed"] {
        let name = format!("tests/data/format/{n}.toml");
        files.push(mado::SourceFile { text: std::fs::read_to_string(&name).expect("fixture"), name });
    }
    let s = mado::Schedule::from_sources(files).expect("loads");
    let mut o = TimelineOptions::around(at("2030-01-25"));
    o.from = at("2030-01-31");
    o.to = at("2030-02-03");
    o.function = Some("atobarai".into());
    let html = timeline_page(&s, &views_cx(Lang::En, "/timeline"), &o).expect("timeline");
    // The window is postponed with no new date: a struck bar on the rows it affects.
    assert!(element(&html, "<g data-function=\"atobarai.bank_transfer\"", "g").contains("fx-available/w"), "{html}");
    let au = element(&html, "<g data-function=\"atobarai.au_kantan\"", "g");
    assert!(!au.contains("fx-available/w"), "the notice says au かんたん決済 stays available: {au}");
}

/// The clocks the pages are checked at (the browser tests and docs/screenshots use the same):
/// which banner shows, and what the affected rows say.
struct Clock {
    name: &'static str,
    schedule: fn() -> mado::Schedule,
    now: &'static str,
    /// The banner's heading (English), or none.
    banner: Option<&'static str>,
    /// A function and the status its row shows.
    row: (&'static str, &'static str),
    /// What that row says while the window is on (empty: nothing but its status).
    row_says: &'static [&'static str],
}

const CLOCKS: &[Clock] = &[
    Clock {
        name: "confirmed",
        schedule: seeds,
        now: "2023-11-13 02:30",
        banner: Some("Maintenance in progress"),
        row: ("webcollect.credit_card", "unavailable"),
        row_says: &[
            "What buyers see and what the API returns during the window",
            "<li data-channel=\"api\" data-source=\"stated\"><strong>API method</strong>: error code Z010000000 <span class=\"mark\">[stated in the notice]</span>",
            "<li data-channel=\"token_modal\" data-source=\"inferred\">",
        ],
    },
    Clock {
        name: "tentative",
        schedule: seeds,
        now: "2024-04-22 12:00",
        banner: Some("Maintenance expected today, times not announced"),
        row: ("webcollect.credit_card", "tentative"),
        row_says: &["<div class=\"during maybe\">Maintenance expected today, times not announced</div>"],
    },
    Clock {
        name: "blackout",
        schedule: seeds,
        now: "2023-11-20 23:30",
        banner: Some("Maintenance in progress"),
        row: ("webcollect.reauth", "unavailable"),
        row_says: &[],
    },
    Clock {
        name: "pending",
        schedule: views,
        now: "2025-08-25 11:00",
        banner: Some("Incident in progress"),
        row: ("webcollect.convenience_store", "available"),
        row_says: &["data-pending=\"2025-08-10-store/night\">postponed, date to be announced"],
    },
    Clock {
        name: "quiet",
        schedule: seeds,
        now: "2023-11-13 12:00",
        banner: None,
        row: ("webcollect.credit_card", "available"),
        row_says: &[],
    },
];

/// Function `f`'s row in the status page's tree, up to the next function's.
fn row<'a>(html: &'a str, f: &str) -> &'a str {
    let from = html.find(&format!("data-function=\"{f}\"")).unwrap_or_else(|| panic!("{f} not in the tree"));
    let rest = &html[from..];
    let end = rest[1..].find("data-function=").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn status_page_at_the_instants_that_matter() {
    for c in CLOCKS {
        let s = (c.schedule)();
        let (html, _) = status_page(&s, &PageContext { now: at(c.now), ..cx(Lang::En, "/") });
        let banners = html.matches("role=\"status\"").count();
        match c.banner {
            Some(b) => {
                let banner = element(&html, "role=\"status\"", "section");
                assert!(banner.contains(b), "{}: banner {banner}", c.name);
            }
            None => assert_eq!(banners, 0, "{}: no banner when nothing is on", c.name),
        }
        assert_eq!(status_of(&html, c.row.0), c.row.1, "{}", c.name);
        let row = row(&html, c.row.0);
        for says in c.row_says {
            assert!(row.contains(says), "{}: `{says}` not in {row}", c.name);
        }
        if c.row.1 == "available" {
            assert!(!row.contains("class=\"during"), "{}: an available row says nothing about a window: {row}", c.name);
        }
        // The fixed clock is marked, with the instant it fixes.
        let clock = element(&html, "<p class=\"clock\"", "p");
        assert!(clock.contains("Fixed clock") && clock.contains("not the real time"), "{}: {clock}", c.name);
        insta::assert_snapshot!(format!("status_at_{}", c.name), content(&html));
    }
}

#[test]
fn the_banner_says_what_each_channel_shows_with_its_source() {
    for (lang, heading, stated, default) in [
        (Lang::En, "Status now <span class=\"muted\">(as at <time", "[stated in the notice]", "[default (the notice is silent)]"),
        (Lang::Ja, "現在の状況 <span class=\"muted\">(<time", "[お知らせに記載]", "[既定（お知らせに記載なし）]"),
    ] {
        let (html, _) = status_page(&seeds(), &cx(lang, "/"));
        assert!(html.contains(heading), "{lang:?}: heading");
        let banner = element(&html, "data-uid=\"2023-08-28-db-upgrade/all-functions\"", "section");
        assert!(banner.contains("Z010000000") && banner.contains(stated) && banner.contains(default), "{lang:?}: {banner}");
        assert!(banner.contains("【資料１】の画面が表示され"), "the notice's own words: {banner}");
    }
    // A row shows only the effects the notice gives for its function: the error code is
    // stated for card, carrier and ID payment, not for convenience-store payment.
    let (html, _) = status_page(&seeds(), &cx(Lang::En, "/"));
    let store = row(&html, "webcollect.convenience_store");
    assert!(!store.contains("data-source=\"stated\"><strong>API method</strong>"), "{store}");
    let card = row(&html, "webcollect.credit_card");
    assert!(card.contains("data-channel=\"api\" data-source=\"stated\""), "{card}");
}

#[test]
fn timeline_bars_are_readable_and_open_where_something_is() {
    let html = timeline(Lang::En, "2023-11-01", "2023-11-20", None);
    // No link inside the chart: it is an image, and its windows are linked in the table.
    let svg = element(&html, "<svg xmlns", "svg");
    assert!(svg.contains("role=\"img\"") && !svg.contains("<a "), "{svg}");
    assert!(html.contains("<tr data-uid=\"2023-08-28-db-upgrade/all-functions\""));
    // Every bar is at least MIN_BAR wide, and the short ones carry a label.
    for chunk in svg.split("<rect data-uid=").skip(1) {
        let w = chunk.split("width=\"").nth(1).and_then(|v| v.split('"').next()).and_then(|v| v.parse::<f64>().ok()).expect("width");
        assert!(w >= 6.0, "a bar {w} wide");
    }
    assert!(svg.contains("class=\"bar-label\"") && svg.contains("11/13 02:00–05:30"), "{svg}");
    // Opens at now (in range): the mark sits at now's place in the range, 40 units before.
    let open = element(&html, "<span class=\"open-at\"", "span");
    let left: f64 = open.split("left:").nth(1).and_then(|v| v.split('%').next()).and_then(|v| v.parse().ok()).expect("left");
    let now = (at(NOW) - at("2023-11-01")).num_seconds() as f64 / (at("2023-11-20") - at("2023-11-01")).num_seconds() as f64;
    let want = ((8.0 + now * 984.0) - 40.0) / 1000.0 * 100.0;
    assert!((left - want).abs() < 0.2, "{left} vs {want}");
    // Out of range: at the first window drawn.
    let earlier = timeline(Lang::En, "2023-12-01", "2024-05-01", None);
    assert!(earlier.contains("<span class=\"open-at\""), "a window in range gives a place to open at");
}

/// `tests/data/two-providers`: the seeds' catalogue plus `acme` (its wallet down 08:00–10:00 JST
/// on 2025-09-10), and a card maintenance of Yamato's on 2025-09-20.
fn two_providers() -> mado::Schedule {
    mado::Schedule::from_dir("tests/data/two-providers").expect("the two-provider fixture loads")
}

fn two_cx(lang: Lang, path: &str) -> PageContext {
    PageContext { now: at("2025-09-10 08:30"), ..cx(lang, path) }
}

/// Every `id="…"` of a page, in order.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"").skip(1).map(|r| &r[..r.find('"').expect("quote")]).collect()
}

/// The heading levels of a page, in order.
fn heading_levels(html: &str) -> Vec<u8> {
    html.match_indices("<h").filter_map(|(i, _)| html[i + 2..].chars().next().and_then(|c| c.to_digit(10))).map(|d| d as u8).collect()
}

#[test]
fn with_two_providers_the_status_page_groups_functions_under_each() {
    let s = two_providers();
    for lang in [Lang::Ja, Lang::En] {
        let (html, _) = status_page(&s, &two_cx(lang, "/"));
        insta::assert_snapshot!(format!("status_two_providers_{lang:?}"), content(&html));
        // A heading per provider, in catalogue order, each with its functions and only those.
        let yamato = html.find("<h3 id=\"provider-yamato\">").expect("yamato heading");
        let acme = html.find("<h3 id=\"provider-acme\">").expect("acme heading");
        assert!(yamato < acme);
        for f in ["webcollect", "webcollect.credit_card", "atobarai.au_kantan", "testenv"] {
            let at = html.find(&format!("data-function=\"{f}\"")).expect(f);
            assert!(yamato < at && at < acme, "{f} is under Yamato");
        }
        assert!(html.find("data-function=\"acme.wallet\"").expect("wallet") > acme);
        // The provider's name links to its page when it gives one.
        let label = if lang == Lang::En { "Acme Pay" } else { "エイクミー" };
        assert!(
            html.contains(&format!(
                "<a href=\"https://status.acme.example/\" rel=\"noopener noreferrer\" data-provider=\"acme\">{label}</a>"
            )),
            "{lang:?}"
        );
        // Each function once; no duplicate id; headings never skip a level.
        assert_eq!(html.matches("data-function=\"").count(), s.catalogue().functions().len());
        let mut seen = ids(&html);
        let n = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), n, "duplicate ids: {:?}", ids(&html));
        let levels = heading_levels(&html);
        assert_eq!(levels.first(), Some(&1));
        assert!(levels.windows(2).all(|w| w[1] <= w[0] + 1), "{levels:?}");
        // The statuses are the evaluator's.
        assert_eq!(status_of(&html, "acme.wallet"), "unavailable");
        assert_eq!(status_of(&html, "webcollect.credit_card"), "available");
        // The banner and the upcoming table name the provider of the window's functions.
        let banner = element(&html, "data-uid=\"acme-2025-09-wallet/wallet\"", "section");
        assert!(banner.contains("data-provider=\"acme\""), "{banner}");
        let upcoming = element(&html, "<tr data-uid=\"2025-09-card/card\"", "tr");
        assert!(upcoming.contains("data-provider=\"yamato\"") && !upcoming.contains("data-provider=\"acme\""), "{upcoming}");
    }
}

#[test]
fn with_one_provider_the_pages_name_none() {
    let (html, _) = status_page(&seeds(), &cx(Lang::En, "/"));
    assert!(!html.contains("data-provider") && !html.contains("id=\"provider-"));
    let notice = notice_page(&seeds(), &cx(Lang::En, "/notices/2023-08-28-db-upgrade"), "2023-08-28-db-upgrade").expect("page");
    assert!(!notice.contains("data-provider"));
}

#[test]
fn with_two_providers_notice_and_timeline_pages_name_the_provider() {
    let s = two_providers();
    let html = notice_page(&s, &two_cx(Lang::En, "/notices/acme-2025-09-wallet"), "acme-2025-09-wallet").expect("page");
    assert!(
        html.contains(
            "<p>Provider: <a href=\"https://status.acme.example/\" rel=\"noopener noreferrer\" data-provider=\"acme\">Acme Pay</a></p>"
        ),
        "{html}"
    );
    let html = notice_page(&s, &two_cx(Lang::Ja, "/notices/2025-09-card"), "2025-09-card").expect("page");
    assert!(html.contains("<p>提供元: <span data-provider=\"yamato\">ヤマト運輸</span></p>"), "{html}");
    let mut o = TimelineOptions::around(at("2025-09-10 08:30"));
    o.from = at("2025-09-01");
    o.to = at("2025-10-01");
    let html = timeline_page(&s, &two_cx(Lang::En, "/timeline"), &o).expect("timeline");
    assert!(html.contains("<th>Provider</th>"), "a provider column");
    for (uid, p) in [("acme-2025-09-wallet/wallet", "acme"), ("2025-09-card/card", "yamato")] {
        let row = element(&html, &format!("<tr data-uid=\"{uid}\""), "tr");
        assert!(row.contains(&format!("data-provider=\"{p}\"")), "{row}");
    }
}
