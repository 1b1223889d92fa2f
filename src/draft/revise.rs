//! Readings that change what earlier notices announced, beyond a table row with new times:
//! a day of maintenance that narrows a tentative window, one night of a standing rule
//! (`[[occurrence]]`), an earlier window the usual hours replace (「平時と変更ありません」),
//! and windows called off (中止). Each is matched against `--schedules`, explained in
//! `inferred` and asked about.

use crate::draft::model::{Line, OccurrenceDraft, Shape, WindowDraft};
use crate::draft::row::{blank, named_in, At, RowContext};
use crate::draft::when;
use crate::engine::model::{Shape as Model, Spec};
use crate::engine::schedule::Schedule;
use crate::engine::view_api::LineageView;
use chrono::NaiveDate;

/// The window id of a lineage (its uid is `<notice>/<window>`).
pub(super) fn window_id(l: &LineageView<'_>) -> String {
    l.uid().rsplit_once('/').map(|x| x.1.to_string()).unwrap_or_default()
}

/// The catalogue ids a description names.
pub(super) fn ids(cx: &RowContext<'_>, s: &Spec) -> Vec<String> {
    s.functions.iter().map(|f| cx.cat.functions()[*f].id().to_string()).collect()
}

fn described<'a>(l: &LineageView<'a>) -> Option<&'a Spec> {
    l.last_described().and_then(|v| v.spec())
}

/// `2019年10月21日(月)のシステムメンテナンス`: a day, no times. The tentative window of
/// `known` whose days hold it, narrowed to that day; else a new tentative day, asked.
pub(super) fn day_of_maintenance(cx: &RowContext<'_>, known: &Schedule, at: &At<'_>) -> Option<WindowDraft> {
    let f = at.f;
    if f.start.is_some() || f.date.planned || f.date.part.is_some() {
        return None;
    }
    let after: String = at.norm[f.end_at.min(at.norm.len())..].chars().take(12).collect();
    let refers = ["ご案内", "お知らせ", "配信", "掲載"].iter().any(|w| at.norm.contains(w));
    if !after.contains("メンテナンス") || after.trim_start().starts_with("より") || refers {
        return None;
    }
    let day = when::resolve(&f.date, f.date.year.unwrap_or(cx.year))?;
    let holding: Vec<(LineageView<'_>, NaiveDate, NaiveDate)> = cx
        .earlier_windows(known)
        .filter_map(|l| match described(&l).map(|s| &s.shape) {
            Some(&Model::Tentative { first, last, .. }) if first <= day && day <= last => Some((l, first, last)),
            _ => None,
        })
        .collect();
    let mut w = blank(at.orig, cx.incident);
    w.shape = Some(Shape::Tentative { date: day, last_date: None, expected: None });
    if let [(l, first, last)] = holding.as_slice() {
        let uid = l.uid();
        w.inferred.push((
            "date".into(),
            format!("「{day}」のメンテナンスは、{uid}（{first}～{last}の予定）の日を定めたものと読んだ（日付がその期間内）。時刻の記載はない。"),
            format!("The maintenance on {day} is read as fixing the day of {uid} (tentative {first} to {last}): the day is within it. No times are given."),
        ));
        w.todos.push(format!("「{}」 is read as the day of {uid} (tentative {first} to {last}): check that it is the same maintenance; the text gives no times", at.orig));
        w.revises = Some((l.notice().id().to_string(), window_id(l), "replace".into()));
        return Some(w);
    }
    let id = named_in(cx.cat, at.norm).unwrap_or_else(|| "webcollect".into());
    w.functions = vec![id.clone()];
    w.inferred.push((
        "functions".into(),
        format!("メンテナンスの日のみ記載。対象は文中の語から {id} と読んだ。"),
        format!("Only the day of a maintenance is given; the functions are read as {id} from the words around it."),
    ));
    let others = holding.iter().map(|h| h.0.uid()).collect::<Vec<_>>().join(", ");
    w.todos.push(format!(
        "「{}」 gives a day of maintenance and no times: which functions, and is it a window already announced{}?",
        at.orig,
        if others.is_empty() { String::new() } else { format!(" ({others})") }
    ));
    Some(w)
}

/// A confirmed window `w` that starts a night of a standing rule of `known` for the same
/// functions, at the rule's time: that night with new times.
pub(super) fn night_of_rule(cx: &RowContext<'_>, known: &Schedule, w: &WindowDraft) -> Option<OccurrenceDraft> {
    let Some(Shape::Confirmed { start, end: Some(end), start_approx, end_approx, .. }) = w.shape else { return None };
    let rule = cx.earlier_windows(known).find(|l| {
        described(l).is_some_and(|s| {
            ids(cx, s) == w.functions
                && matches!(&s.shape, Model::Recurring { rule, .. } if rule.occurs_on(start.date()) && rule.dtstart().time() == start.time())
        })
    })?;
    let uid = rule.uid();
    Some(OccurrenceDraft {
        notice: rule.notice().id().to_string(),
        window: window_id(&rule),
        date: start.date(),
        times: (start, end, start_approx, end_approx),
        note: w.note.clone(),
        // `[[occurrence]]` has no `inferred`: what the row's reading inferred is asked instead.
        todos: w.todos.iter().cloned().chain(w.inferred.iter().map(|(f, _, en)| format!("`{f}` is read into the text: {en}"))).chain([format!(
            "「{}」 is read as the night of {} of the standing rule {uid} (same functions, same start time): check it; a change of the rule's hours from a day on is a [[revise]] with action = \"change\"",
            w.note.trim_matches(['「', '」']),
            start.date()
        )])
        .collect(),
    })
}

/// 「…平時と変更ありません」 before a night of a standing rule: the window of the referenced
/// `notice` for the same functions gives way to the usual hours, a `cancel`.
pub(super) fn usual_hours(
    cx: &RowContext<'_>,
    known: &Schedule,
    notice: &str,
    w: &WindowDraft,
    para: &str,
    used: &[String],
) -> Option<WindowDraft> {
    let sentence = para.split(['。', '※']).find(|s| s.contains("平時") || s.contains("通常どおり"))?;
    let l = cx
        .earlier_windows(known)
        .filter(|l| l.notice().id() == notice)
        .find(|l| !used.contains(&window_id(l)) && described(l).is_some_and(|s| ids(cx, s) == w.functions))?;
    let mut c = blank(sentence, cx.incident);
    let uid = l.uid();
    c.inferred.push((
        "start".into(),
        format!("「{sentence}」: {uid} の枠は取りやめ、平時の時間帯（定例の規則）に戻ると読んだ。"),
        format!("「{sentence}」 (the usual hours, unchanged): {uid} is read as called off, the standing rule applying instead."),
    ));
    c.todos.push(format!("{uid} is read as cancelled because the text says the usual hours apply (「{sentence}」): check it"));
    c.revises = Some((notice.to_string(), window_id(&l), "cancel".into()));
    Some(c)
}

/// 中止: the windows of the referenced `notice` on the days the line names (all of them
/// when it names none but the reference), each a `cancel`.
pub(super) fn called_off(cx: &RowContext<'_>, known: &Schedule, notice: &str, line: &Line, used: &mut Vec<String>) -> Vec<WindowDraft> {
    let ref_day = known
        .notices()
        .iter()
        .find(|n| n.id() == notice)
        .map(|n| n.known_from().with_timezone(&crate::engine::time::DEFAULT_ZONE).date_naive());
    let days: Vec<NaiveDate> =
        when::find(&line.norm).iter().filter_map(|f| when::resolve(&f.date, cx.year)).filter(|d| Some(*d) != ref_day).collect();
    let mut out = Vec::new();
    for l in cx.earlier_windows(known).filter(|l| l.notice().id() == notice) {
        // A day any version of the window was on (the text may name the one it knew).
        let on = |d: &NaiveDate| {
            l.trail().filter_map(|v| v.spec()).any(|s| match &s.shape {
                Model::Confirmed { start, .. } => start.with_timezone(&s.zone).date_naive() == *d,
                Model::Tentative { first, last, .. } => first <= d && d <= last,
                Model::Recurring { .. } => false,
            })
        };
        if used.contains(&window_id(&l)) || !(days.is_empty() || days.iter().any(on)) {
            continue;
        }
        let uid = l.uid();
        let mut c = blank(&line.orig, cx.incident);
        c.inferred.push((
            "start".into(),
            format!(
                "「中止」とあり、{uid} の枠（{}）を取りやめるものと読んだ。",
                if days.is_empty() { "日付の記載なし".to_string() } else { "日付が一致".to_string() }
            ),
            format!(
                "The text says 中止 (called off); read as cancelling {uid} ({}).",
                if days.is_empty() { "no day given" } else { "the day matches" }
            ),
        ));
        c.todos.push(format!("{uid} is read as cancelled (中止): check it"));
        c.revises = Some((notice.to_string(), window_id(&l), "cancel".into()));
        used.push(window_id(&l));
        out.push(c);
    }
    out
}
