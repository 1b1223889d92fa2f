//! Standing rules: `毎日 23:00~翌日AM1:00` as a daily `rrule`, and a change of one from a
//! day on (「YYYY年M月D日より…変更」 with 変更前 / 変更後): `change`, or `end` when nothing
//! follows (廃止, なし, 終了), matched against the rules of `--schedules` by functions and
//! by the hours 変更前 gives.

use crate::draft::model::{Line, Shape, WindowDraft};
use crate::draft::revise::{ids, window_id};
use crate::draft::row::{blank, named_in, RowContext};
use crate::draft::when;
use crate::engine::model::Shape as Model;
use crate::engine::schedule::Schedule;
use chrono::{NaiveDate, NaiveTime};

/// The daily hours after `毎日` in `norm`: the start and the length in minutes.
pub(super) fn daily(norm: &str) -> Option<(NaiveTime, i64)> {
    let (_, rest) = norm.split_once("毎日")?;
    let rest = rest.trim_start().replace("翌日", "翌").to_uppercase().replace("AM", "午前").replace("PM", "午後");
    let f = when::find(&format!("2000年1月3日 {rest}")).into_iter().next().filter(|f| f.end_date.is_none())?;
    let (s, e) = when::span(&f, 2000)?;
    // A daily window is at most a day long.
    Some((s.time(), (e - s).num_minutes())).filter(|(_, m)| *m <= 24 * 60)
}

/// The function a sentence about a standing rule stops: the one named after its last
/// 「ため」 (what cannot be done), else the one it names.
fn stopped(cx: &RowContext<'_>, para: &str) -> Option<String> {
    para.rsplit_once("ため").and_then(|(_, after)| named_in(cx.cat, after)).or_else(|| named_in(cx.cat, para))
}

/// The lines of a 変更前 / 変更後 pair, which are no new rules.
fn change_lines(lines: &[Line]) -> Vec<usize> {
    lines.iter().enumerate().filter(|(_, l)| l.norm.starts_with("変更前") || l.norm.starts_with("変更後")).map(|(i, _)| i).collect()
}

/// New daily rules, from `pub_date` (the text gives no first day: asked).
pub(super) fn rules(cx: &RowContext<'_>, pub_date: Option<NaiveDate>, out: &mut Vec<WindowDraft>, todos: &mut Vec<String>) {
    let skip = change_lines(cx.lines);
    for (i, l) in cx.lines.iter().enumerate() {
        let Some((time, minutes)) = daily(&l.norm).filter(|_| !skip.contains(&i)) else { continue };
        let para = format!("{}{}", l.norm, cx.lines.get(i + 1).map_or("", |n| n.norm.as_str()));
        let mut w = blank(&format!("{}{}", l.orig, cx.lines.get(i + 1).map_or("", |n| n.orig.as_str())), cx.incident);
        let Some(day) = pub_date else {
            todos
                .push(format!("the daily rule 「{}」 is not drafted: the text gives neither its first day nor a publication date", l.orig));
            continue;
        };
        let id = stopped(cx, &para).unwrap_or_else(|| "webcollect".into());
        w.functions = vec![id.clone()];
        w.shape = Some(Shape::Recurring { rrule: Some("FREQ=DAILY".into()), start: day.and_time(time), duration: minutes });
        if out.iter().any(|x| x.shape == w.shape && x.functions == w.functions) {
            continue;
        }
        w.inferred.push((
            "start".into(),
            format!("毎日の時間帯の記載のみで、いつからかの記載はない。掲載日({day})からとした。"),
            format!("The text gives the daily hours, not since when; the rule is drafted from the publication day, {day}."),
        ));
        w.inferred.push((
            "functions".into(),
            format!("対象は文中の語から {id} と読んだ。"),
            format!("The functions are read as {id} from the words of the sentence."),
        ));
        w.todos.push(format!(
            "the text gives no first day for the daily rule 「{}」: the draft starts it on {day}; give the day it took effect",
            l.orig
        ));
        w.id = if out.iter().any(|x| x.id == "rule") { format!("rule-{}", out.len() + 1) } else { "rule".into() };
        out.push(w);
    }
}

/// 「YYYY年M月D日より…変更」 with 変更前 / 変更後: a `change` (or `end`) of the standing rule
/// of `known` whose functions and hours are those 変更前 gives.
pub(super) fn change(cx: &RowContext<'_>, known: &Schedule, out: &mut Vec<WindowDraft>, todos: &mut Vec<String>) {
    let find = |w: &str| cx.lines.iter().find(|l| l.norm.starts_with(w));
    let (Some(before), Some(after)) = (find("変更前"), find("変更後")) else { return };
    let Some((old_time, old_minutes)) = daily(&before.norm) else { return };
    let from = cx.lines.iter().find_map(|l| {
        let f = when::find(&l.norm).into_iter().find(|f| f.start.is_none() && l.norm[f.end_at..].trim_start().starts_with("より"))?;
        Some((when::resolve(&f.date, f.date.year.unwrap_or(cx.year))?, l))
    });
    let Some((day, line)) = from else {
        todos.push("the text gives hours before and after a change (変更前 / 変更後) but no day it takes effect (「…より」): encode the change by hand".into());
        return;
    };
    let function = named_in(cx.cat, &line.norm);
    let rule = cx.earlier_windows(known).find(|l| {
        l.last_described().and_then(|v| v.spec()).is_some_and(|s| {
            function.as_ref().is_some_and(|f| ids(cx, s) == [f.clone()])
                && matches!(&s.shape, Model::Recurring { rule, duration } if rule.dtstart().time() == old_time && duration.num_minutes() == old_minutes)
        })
    });
    let Some(rule) = rule else {
        todos.push(format!(
            "no standing rule of the schedules has the functions {} and the hours 変更前 gives (「{}」): add it first, or encode the change by hand",
            function.unwrap_or_else(|| "(none named)".into()),
            before.orig
        ));
        return;
    };
    let uid = rule.uid();
    let mut w = blank(&format!("{} {} {}", line.orig, before.orig, after.orig), cx.incident);
    w.from = day.and_hms_opt(0, 0, 0);
    let action = match daily(&after.norm) {
        Some((time, minutes)) => {
            w.shape = Some(Shape::Recurring { rrule: None, start: day.and_time(time), duration: minutes });
            "change"
        }
        None if ["廃止", "なし", "終了", "行いません"].iter().any(|x| after.norm.contains(x)) => "end",
        None => {
            todos.push(format!("the hours after the change (「{}」) are not read: encode the change by hand", after.orig));
            return;
        }
    };
    w.inferred.push((
        "start".into(),
        format!("変更前の時間帯と対象が {uid} の規則と一致するため、その{day}からの変更と読んだ。"),
        format!("The hours before the change and the functions match the rule {uid}: read as its change from {day}."),
    ));
    w.todos.push(format!("read as the {action} of the standing rule {uid} from {day}: check it"));
    w.revises = Some((rule.notice().id().to_string(), window_id(&rule), action.into()));
    out.push(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_hours() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let table: &[(&str, Option<(NaiveTime, i64)>)] = &[
            ("※毎日 23:00~翌日AM1:00はメンテナンス", Some((t(23, 0), 120))),
            ("変更後 毎日 22:00~翌0:30", Some((t(22, 0), 150))),
            ("毎日 午後11:00~午前1:00", Some((t(23, 0), 120))),
            ("毎日 2:00~3:30", Some((t(2, 0), 90))),
            // No end: never completed.
            ("毎日 23:00~", None),
            ("毎日お知らせします", None),
            ("23:00~翌1:00", None),
            // Not hours of a day.
            ("毎日 22:00~2019年9月20日", None),
        ];
        for (line, want) in table {
            assert_eq!(daily(line), *want, "{line}");
        }
    }
}
