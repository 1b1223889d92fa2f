//! The head of a publication: its title, when it was published (dates stamped 掲載 /
//! 更新 / 発行, a date-only line, a version date), its id and source, and the earlier notice
//! it refers to.

use crate::draft::model::{DraftNotice, Line};
use crate::draft::publish;
use crate::draft::when;
use crate::engine::schedule::Schedule;
use crate::engine::time::{local_to_instant, Instant, DEFAULT_ZONE};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// What the head of a publication gives.
pub(super) struct Head {
    /// The publication date.
    pub pub_date: Option<NaiveDate>,
    /// The (normalised) line it is read from, which is no window.
    pub pub_line: Option<String>,
    /// The year of a date that gives none: the text's first full year.
    pub year: i32,
    /// The instant the publication counts from (its date's 00:00 JST without a time).
    pub from: Option<Instant>,
}

/// The earlier notice this one refers to (「YYYY年M月D日にご案内…」).
#[derive(Default)]
pub(super) struct Reference {
    /// Its id, when exactly one notice of `--schedules` was published that day.
    pub notice: Option<String>,
    /// The line from which the text quotes the old schedule (not new windows).
    pub quoted_from: Option<usize>,
}

/// Title: a heading, else the first line naming the notice.
pub(super) fn title(lines: &[Line], d: &mut DraftNotice) {
    let title = lines
        .iter()
        .find(|l| l.orig.starts_with('#') && !l.norm.trim_start_matches('#').trim().starts_with(|c: char| c.is_ascii_digit()))
        .or_else(|| {
            lines.iter().take(20).find(|l| {
                (l.norm.contains("お知らせ") || l.norm.contains("について") || l.norm.contains("のご案内"))
                    && !l.norm.contains("本お知らせ")
                    && l.norm.chars().count() < 80
            })
        })
        .map(|l| l.orig.trim_start_matches('#').trim().to_string());
    match title {
        Some(t) => d.title = t,
        None => {
            d.title = "(表題不明)".into();
            d.todos.push("no title found: copy the notice's title into `title`".into());
        }
    }
}

/// Publication: the first date stamped 掲載 / 更新 / 発行 (or 追記, outside a section
/// heading) anywhere, or a line near the top holding only a date (and perhaps a time).
pub(super) fn publication(lines: &[Line], year_hint: Option<i32>, d: &mut DraftNotice) -> Head {
    let year_hint = year_hint.or_else(|| lines.iter().flat_map(|l| when::find(&l.norm)).find_map(|f| f.date.year));
    let mut published: Option<(NaiveDate, Option<NaiveDateTime>, bool)> = None;
    let mut pub_line: Option<String> = None;
    for (i, l) in lines.iter().enumerate() {
        let found = when::find(&l.norm);
        let stamped = publish::stamp(&l.norm).filter(|(w, _)| *w != "追記" || !publish::is_heading(l)).map(|x| x.1);
        let only_date = || {
            let f = found.first().filter(|f| found.len() == 1 && f.end.is_none() && !f.open_end)?;
            let rest = l.norm[f.end_at..].trim();
            (i < 40 && rest.is_empty() && l.norm[..f.at].trim().is_empty()).then(|| f.clone())
        };
        let Some(f) = stamped.or_else(only_date) else { continue };
        let Some(day) = when::resolve(&f.date, year_hint.unwrap_or(0)).filter(|_| f.date.year.is_some() || year_hint.is_some()) else {
            continue;
        };
        let at = f.start.and_then(|t| when::at(day, &t));
        published = Some((day, at, f.date.year.is_none()));
        pub_line = Some(l.norm.clone());
        break;
    }
    // A guide with no date of publication: its version date, asked.
    let version = published.is_none().then(|| lines.iter().find_map(|l| publish::version_date(&l.norm))).flatten();
    if let Some(day) = version {
        published = Some((day, None, false));
        d.inferred.push((
            "published".into(),
            format!("掲載日の記載はない。文書の版の日付(Ver.{})とした。", day.format("%Y/%m/%d")),
            format!("No publication date is given; the document's version date (Ver.{}) is taken.", day.format("%Y/%m/%d")),
        ));
        d.todos.push(format!("the text gives no publication date, only a version date ({day}): give the day it was published, if known"));
    }
    match published {
        Some((day, at, year_inferred)) => {
            d.published = at.map_or(day.to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string());
            if year_inferred {
                d.inferred.push((
                    "published".into(),
                    format!("掲載日は年の記載がない。年は本文の日付({}年)から補った。", day.year()),
                    format!("The publication date is given without a year; {} is taken from the other dates in the text.", day.year()),
                ));
            }
            if at.is_none() {
                d.notes.push("掲載時刻の記載はないため、掲載日の0:00（日本時間）から数える。".into());
                d.notes_en.push("The hour of publication is not given: mado counts the notice from 00:00 JST that day.".into());
            }
        }
        None => {
            d.published = "unknown".into();
            d.todos.push(
                "no publication date found: give `published` (a date or local date-time), or `published = \"unknown\"` with `known_by`"
                    .into(),
            );
        }
    }
    let pub_date = published.map(|p| p.0);
    let from = published.map(|(day, at, _)| local_to_instant(DEFAULT_ZONE, at.unwrap_or(day.and_time(NaiveTime::MIN))));
    Head { pub_date, pub_line, year: year_hint.or(pub_date.map(|p| p.year())).unwrap_or(0), from }
}

/// The id (`<publication date>-<maintenance|incident>[-report-N]`) and `source`.
pub(super) fn name(d: &mut DraftNotice, report: Option<u32>, pub_date: Option<NaiveDate>) {
    let suffix = if d.incident { "incident" } else { "maintenance" };
    let date_part = pub_date.map_or("undated".to_string(), |p| p.to_string());
    d.id = match report {
        Some(n) => format!("{date_part}-{suffix}-report-{n}"),
        None => format!("{date_part}-{suffix}"),
    };
    d.source = format!("「{}」{}", d.title, pub_date.map_or(String::new(), |p| format!("{}年{}月{}日", p.year(), p.month(), p.day())));
}

/// A reference to an earlier notice, matched against `known` by publication date.
pub(super) fn reference(lines: &[Line], known: &Schedule, head: &Head, d: &mut DraftNotice) -> Reference {
    let mut r = Reference::default();
    for (i, l) in lines.iter().enumerate() {
        let refers = ["にご案内", "にお知らせ", "に掲載", "のご案内", "配信のお知らせ"].iter().any(|w| l.norm.contains(w))
            && !l.norm.contains("本お知らせ");
        if !refers {
            continue;
        }
        let Some(f) = when::find(&l.norm).into_iter().find(|f| f.start.is_none()) else { continue };
        let Some(day) = when::resolve(&f.date, head.year) else { continue };
        if head.pub_date.is_some_and(|p| p <= day) {
            continue;
        }
        if l.norm.contains("以下") || l.norm.contains("日程は") {
            r.quoted_from = Some(i);
        }
        if r.notice.is_some() {
            continue;
        }
        let matches: Vec<&crate::engine::model::Notice> = known
            .notices()
            .iter()
            .filter(|n| n.known_from().with_timezone(&crate::engine::time::DEFAULT_ZONE).date_naive() == day)
            .collect();
        match matches.as_slice() {
            [n] => r.notice = Some(n.id().to_string()),
            [] => d.todos.push(format!(
                "the notice refers to one of {day} (「{}」), which is not in the schedules: add it first, or draft the windows as new",
                l.orig
            )),
            many => d.todos.push(format!(
                "the notice refers to one of {day}, and {} notices were published that day ({}): say which one it revises",
                many.len(),
                many.iter().map(|n| n.id()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
    r
}
