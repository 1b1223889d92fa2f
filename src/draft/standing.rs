//! Standing rules: `毎日 23:00~翌日AM1:00` as a daily `rrule` (`毎週日曜日 …` weekly,
//! `毎月第2火曜日 …` or `毎月15日 …` monthly), and a change of a daily one from a
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
    hours(rest)
}

/// The hours a standing rule's words end with (`23:00~翌日AM1:00`): the start and the
/// length in minutes, at most a day.
fn hours(rest: &str) -> Option<(NaiveTime, i64)> {
    let rest = rest.trim_start().replace("翌日", "翌").to_uppercase().replace("AM", "午前").replace("PM", "午後");
    let f = when::find(&format!("2000年1月3日 {rest}")).into_iter().next().filter(|f| f.end_date.is_none())?;
    let (s, e) = when::span(&f, 2000)?;
    Some((s.time(), (e - s).num_minutes())).filter(|(_, m)| *m <= 24 * 60)
}

/// A standing rule as its words give it: the `rrule`, the first start's time of day and the
/// length in minutes.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Standing {
    pub(super) rrule: String,
    pub(super) time: NaiveTime,
    pub(super) minutes: i64,
}

/// A standing rule in `norm` (NFKC text): `毎日` and hours; `毎週` and weekdays (`毎週日曜日`,
/// `毎週(日)`, `毎週月・木曜日`) and hours; `毎月` and a weekday of the month (`第2火曜日`,
/// `最終金曜日`) or a day (`15日`, `末日`) and hours.
pub(super) fn standing(norm: &str) -> Option<Standing> {
    let at = ["毎日", "毎週", "毎月"].iter().filter_map(|w| norm.find(w).map(|i| (i, *w))).min()?;
    let rest = &norm[at.0 + at.1.len()..];
    let (rrule, rest) = match at.1 {
        "毎日" => ("FREQ=DAILY".to_string(), rest),
        "毎週" => {
            let (days, rest) = weekdays(rest)?;
            let codes: Vec<&str> = days.iter().map(|d| crate::engine::rrule::Rule::weekday_code(*d)).collect();
            (format!("FREQ=WEEKLY;BYDAY={}", codes.join(",")), rest)
        }
        _ => {
            let rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix("第").or_else(|| rest.strip_prefix("最終")) {
                let (n, after) = if rest.starts_with("最終") {
                    (-1, after)
                } else {
                    let digits = after.chars().take_while(char::is_ascii_digit).count();
                    (after[..digits].parse::<i8>().ok().filter(|n| (1..=5).contains(n))?, &after[digits..])
                };
                let (days, after) = weekdays(after)?;
                let [day] = days[..] else { return None };
                (format!("FREQ=MONTHLY;BYDAY={n}{}", crate::engine::rrule::Rule::weekday_code(day)), after)
            } else if let Some(after) = rest.strip_prefix("末日") {
                ("FREQ=MONTHLY;BYMONTHDAY=-1".to_string(), after)
            } else {
                let digits = rest.chars().take_while(char::is_ascii_digit).count();
                let n = rest[..digits].parse::<u8>().ok().filter(|n| (1..=31).contains(n))?;
                (format!("FREQ=MONTHLY;BYMONTHDAY={n}"), rest[digits..].strip_prefix("日")?)
            }
        }
    };
    let (time, minutes) = hours(rest)?;
    Some(Standing { rrule, time, minutes })
}

/// The weekdays at the start of `text` (`日曜日`, `(日)`, `月・木曜日`, `月曜・木曜`), and what
/// follows them; `None` when it names none.
fn weekdays(text: &str) -> Option<(Vec<chrono::Weekday>, &str)> {
    use chrono::Weekday::*;
    let mut days = Vec::new();
    let mut rest = text.trim_start().trim_start_matches('(');
    loop {
        let mut chars = rest.chars();
        let day = match chars.next() {
            Some('月') => Mon,
            Some('火') => Tue,
            Some('水') => Wed,
            Some('木') => Thu,
            Some('金') => Fri,
            Some('土') => Sat,
            Some('日') => Sun,
            _ => break,
        };
        if !days.contains(&day) {
            days.push(day);
        }
        rest = chars.as_str();
        rest = rest.strip_prefix("曜日").or_else(|| rest.strip_prefix("曜")).unwrap_or(rest);
        rest = rest.trim_start_matches(')');
        match rest.strip_prefix('・').or_else(|| rest.strip_prefix('、')).or_else(|| rest.strip_prefix(',')) {
            Some(after) => rest = after.trim_start_matches('('),
            None => break,
        }
    }
    (!days.is_empty()).then_some((days, rest))
}

/// The first day on or after `from` the rule occurs on (its DTSTART must be one), within a
/// year and a half.
fn first_day(rrule: &str, from: NaiveDate, time: NaiveTime) -> Option<NaiveDate> {
    from.iter_days()
        .take(550)
        .find(|d| crate::engine::rrule::Rule::parse(rrule, d.and_time(time), crate::engine::time::DEFAULT_ZONE).is_ok())
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

/// New standing rules (daily, weekly, monthly), from `pub_date` or the first day after it
/// they occur on (the text gives no first day: asked).
pub(super) fn rules(cx: &RowContext<'_>, pub_date: Option<NaiveDate>, out: &mut Vec<WindowDraft>, todos: &mut Vec<String>) {
    let skip = change_lines(cx.lines);
    for (i, l) in cx.lines.iter().enumerate() {
        let Some(Standing { rrule, time, minutes }) = standing(&l.norm).filter(|_| !skip.contains(&i)) else { continue };
        let daily = rrule == "FREQ=DAILY";
        let kind = if daily { "daily" } else { "standing" };
        // The rule's sentence may go on in the next line, unless that line is a rule of its own.
        let next = cx.lines.get(i + 1).filter(|n| standing(&n.norm).is_none());
        let para = format!("{}{}", l.norm, next.map_or("", |n| n.norm.as_str()));
        let mut w = blank(&format!("{}{}", l.orig, next.map_or("", |n| n.orig.as_str())), cx.incident);
        let Some(pub_day) = pub_date else {
            todos.push(format!(
                "the {kind} rule 「{}」 is not drafted: the text gives neither its first day nor a publication date",
                l.orig
            ));
            continue;
        };
        let Some(day) = first_day(&rrule, pub_day, time) else { continue };
        let id = stopped(cx, &para).unwrap_or_else(|| "webcollect".into());
        w.functions = vec![id.clone()];
        w.shape = Some(Shape::Recurring { rrule: Some(rrule.clone()), start: day.and_time(time), duration: minutes });
        if out.iter().any(|x| x.shape == w.shape && x.functions == w.functions) {
            continue;
        }
        w.inferred.push(if daily {
            (
                "start".into(),
                format!("毎日の時間帯の記載のみで、いつからかの記載はない。掲載日({day})からとした。"),
                format!("The text gives the daily hours, not since when; the rule is drafted from the publication day, {day}."),
            )
        } else {
            (
                "start".into(),
                format!("定例の曜日・日と時間帯の記載のみで、いつからかの記載はない。掲載日({pub_day})以降で最初に当たる{day}からとした。"),
                format!("The text gives the days and hours ({rrule}), not since when; the rule is drafted from {day}, the first such day on or after the publication day, {pub_day}."),
            )
        });
        w.inferred.push((
            "functions".into(),
            format!("対象は文中の語から {id} と読んだ。"),
            format!("The functions are read as {id} from the words of the sentence."),
        ));
        w.todos.push(format!(
            "the text gives no first day for the {kind} rule 「{}」: the draft starts it on {day}; give the day it took effect",
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

    #[test]
    fn standing_rules() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let rule = |r: &str, time, minutes| Some(Standing { rrule: r.to_string(), time, minutes });
        let table: &[(&str, Option<Standing>)] = &[
            ("毎日 23:00~翌日AM1:00", rule("FREQ=DAILY", t(23, 0), 120)),
            ("※毎週日曜日 2:00~5:00はメンテナンス", rule("FREQ=WEEKLY;BYDAY=SU", t(2, 0), 180)),
            ("毎週(日) 午前2:00~午前5:00", rule("FREQ=WEEKLY;BYDAY=SU", t(2, 0), 180)),
            ("毎週月・木曜日 1:00~2:30", rule("FREQ=WEEKLY;BYDAY=MO,TH", t(1, 0), 90)),
            ("毎週火曜、金曜 23:30~翌0:30", rule("FREQ=WEEKLY;BYDAY=TU,FR", t(23, 30), 60)),
            ("毎月第2火曜日 2:00~6:00", rule("FREQ=MONTHLY;BYDAY=2TU", t(2, 0), 240)),
            ("毎月最終金曜日 22:00~翌2:00", rule("FREQ=MONTHLY;BYDAY=-1FR", t(22, 0), 240)),
            ("毎月15日 3:00~4:00", rule("FREQ=MONTHLY;BYMONTHDAY=15", t(3, 0), 60)),
            ("毎月末日 23:00~翌1:00", rule("FREQ=MONTHLY;BYMONTHDAY=-1", t(23, 0), 120)),
            // No weekday, no day, no hours, out of range: not a rule.
            ("毎週 2:00~5:00", None),
            ("毎月 2:00~5:00", None),
            ("毎週日曜日にお知らせします", None),
            ("毎月第6火曜日 2:00~6:00", None),
            ("毎月32日 2:00~6:00", None),
            ("毎月第2火・水曜日 2:00~6:00", None),
        ];
        for (line, want) in table {
            assert_eq!(standing(line), *want, "{line}");
        }
    }

    #[test]
    fn a_rule_starts_on_its_first_day_on_or_after_publication() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap();
        // 2024-04-10 is a Wednesday.
        assert_eq!(first_day("FREQ=DAILY", d(4, 10), two), Some(d(4, 10)));
        assert_eq!(first_day("FREQ=WEEKLY;BYDAY=SU", d(4, 10), two), Some(d(4, 14)));
        assert_eq!(first_day("FREQ=WEEKLY;BYDAY=WE", d(4, 10), two), Some(d(4, 10)));
        assert_eq!(first_day("FREQ=MONTHLY;BYDAY=2TU", d(4, 10), two), Some(d(5, 14)));
        assert_eq!(first_day("FREQ=MONTHLY;BYDAY=-1FR", d(4, 10), two), Some(d(4, 26)));
        assert_eq!(first_day("FREQ=MONTHLY;BYMONTHDAY=-1", d(4, 10), two), Some(d(4, 30)));
        assert_eq!(first_day("FREQ=MONTHLY;BYMONTHDAY=31", d(4, 10), two), Some(d(5, 31)));
    }
}
