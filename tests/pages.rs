//! The HTML pages on the seeds at a fixed clock: snapshots of what people read, and the
//! facts the pages must state (status per function, standing rule, revision trail).
mod common;

use common::{at, seeds};
use mado::ical::Lang;
use mado::views::pages::{notice_page, notices_page, status_page, timeline_page, PageContext, TimelineOptions};

/// During the 2023-11-13 database upgrade (02:00–05:30 JST).
const NOW: &str = "2023-11-13 02:30";

fn cx(lang: Lang, path: &str) -> PageContext {
    PageContext { lang, now: at(NOW), host: "mado.example".into(), scheme: "https".into(), path: path.into(), params: Vec::new() }
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
