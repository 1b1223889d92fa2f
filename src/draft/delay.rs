//! A section a later 追記 added, as a publication of its own, and the delays of scheduled
//! jobs it announces (`[[delay]]`): a line 「通常…H:MM…」 with the usual time, then one
//! 「今回は…H:MM…」 with this time's.

use crate::draft::model::{DelayDraft, DraftNotice, Line, Shape};
use crate::draft::publish::Append;
use crate::draft::when;
use chrono::{Datelike, NaiveDate, NaiveTime};

/// The first time of day in `s`: `午前5:30頃`, `7時頃`, `朝9時` (朝 read as 午前).
fn time_in(s: &str) -> Option<(NaiveTime, bool)> {
    let s = s.replace('朝', "午前");
    // A time needs a date to be found: read it after a stand-in date.
    let starts: Vec<usize> = s.char_indices().filter(|(_, c)| c.is_ascii_digit() || *c == '午').map(|(i, _)| i).collect();
    starts.into_iter().find_map(|i| {
        let f = when::find(&format!("2000年1月1日 {}", &s[i..])).into_iter().next()?;
        let t = f.start?;
        Some((NaiveTime::from_hms_opt(t.hour % 24, t.minute, 0)?, t.approx))
    })
}

/// The delays in `lines`, dated `day` (the maintenance day) when given.
pub(super) fn delays(lines: &[Line], day: Option<NaiveDate>) -> Vec<DelayDraft> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(usual) = l.norm.strip_prefix("通常").and_then(time_in) else { continue };
        let Some((j, expected)) =
            lines.iter().enumerate().skip(i + 1).take(3).find_map(|(j, n)| n.norm.strip_prefix("今回は").and_then(time_in).map(|t| (j, t)))
        else {
            continue;
        };
        let job = lines[..i]
            .iter()
            .rev()
            .find(|p| p.norm.contains("遅延"))
            .map(|p| {
                p.orig
                    .trim_start_matches(['-', ' ', '(', '（'])
                    .trim_start_matches(|c: char| c.is_ascii_digit() || "()（）０１２３４５６７８９ ".contains(c))
                    .trim()
                    .to_string()
            })
            .unwrap_or_else(|| "(不明)".into());
        let mut d = DelayDraft {
            id: format!("delay-{}", out.len() + 1),
            job,
            date: day,
            usual,
            expected,
            note: format!("「{}」「{}」", l.orig, lines[j].orig),
            inferred: Vec::new(),
            todos: vec!["give `id` a name and `job_en`; check the job, the times and the day against the notice".into()],
        };
        match day {
            Some(day) => d.inferred.push((
                "date".into(),
                format!("日付の記載はない（「今回は」）。メンテナンス当日({day})とみなした。"),
                format!("The text gives no day (「今回は」, this time); the maintenance day, {day}, is assumed."),
            )),
            None => d.todos.push("the text gives no day for this delay and the notice has no single maintenance day: give `date`".into()),
        }
        out.push(d);
    }
    out
}

/// The day of `main`'s one confirmed window, if it has exactly one.
pub(super) fn maintenance_day(main: &DraftNotice) -> Option<NaiveDate> {
    let mut days = main.windows.iter().filter_map(|w| match &w.shape {
        Some(Shape::Confirmed { start, .. }) => Some(start.date()),
        _ => None,
    });
    let first = days.next()?;
    days.next().is_none().then_some(first)
}

/// The section `a` that a 追記 added to `main`, as its own publication: published on the
/// 追記 date, holding the delays it announces.
pub(super) fn append_notice(main: &DraftNotice, a: &Append, year_hint: Option<i32>) -> Option<DraftNotice> {
    let year = a.found.date.year.or(year_hint)?;
    let day = when::resolve(&a.found.date, year)?;
    let mut d = DraftNotice {
        source_name: main.source_name.clone(),
        id: format!("{day}-append"),
        published: day.to_string(),
        title: a.heading.clone(),
        source: format!("{}の追記「{}」", main.source.trim_end_matches(|c: char| c.is_ascii_digit() || "年月日".contains(c)), a.heading),
        incident: main.incident,
        ..DraftNotice::default()
    };
    if a.found.date.year.is_none() {
        d.inferred.push((
            "published".into(),
            format!("追記日は年の記載がない。年は本文の日付({}年)から補った。", day.year()),
            format!("The date of the append is given without a year; {} is taken from the other dates in the text.", day.year()),
        ));
    }
    d.notes.push("掲載時刻の記載はないため、追記日の0:00（日本時間）から数える。".into());
    d.notes_en.push("The hour of the append is not given: mado counts it from 00:00 JST that day.".into());
    d.delays = delays(&a.lines, maintenance_day(main));
    if d.delays.is_empty() {
        d.todos.push(format!("the section 「{}」 was added later; the draft reads only delays from it: read it by hand", a.heading));
    }
    Some(d)
}
