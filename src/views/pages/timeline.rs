//! `GET /timeline`: a Gantt chart drawn as SVG on the server, one row per function, and the
//! same windows as a table. With `as_of` it shows the calendar as it was known then.

use super::status::window_table;
use super::*;
use crate::engine::answer::WindowsQuery;
use crate::engine::error::QueryError;
use chrono::{Duration, TimeZone};
use std::fmt::Write as _;

/// The longest range the timeline draws, in days.
pub const MAX_TIMELINE_DAYS: i64 = 400;
/// The most bars drawn per row.
const ROW_LIMIT: usize = 2000;

/// What the timeline shows.
#[derive(Debug, Clone)]
pub struct TimelineOptions {
    /// Start of the range.
    pub from: Instant,
    /// End of the range (exclusive).
    pub to: Instant,
    /// Only this function and those below it.
    pub function: Option<String>,
    /// The calendar as known at this instant.
    pub as_of: Instant,
    /// Whether `as_of` was given (else it is the clock).
    pub as_of_given: bool,
}

impl TimelineOptions {
    /// The default range: 7 days before `now` to 60 days after, as known now.
    pub fn around(now: Instant) -> TimelineOptions {
        TimelineOptions { from: now - Duration::days(7), to: now + Duration::days(60), function: None, as_of: now, as_of_given: false }
    }
}

const W: f64 = 1000.0;
const LEFT: f64 = 8.0;
const RIGHT: f64 = 992.0;
const AXIS: f64 = 34.0;
const ROW: f64 = 38.0;
/// The narrowest bar drawn, in viewBox units (the chart is at least 56rem wide: about 5 px).
const MIN_BAR: f64 = 6.0;
/// The width of one character of a bar's label, in viewBox units at font size 11 (CJK
/// characters count twice).
const CHAR: f64 = 6.2;
/// How far before now (or the first window) a scrolled chart opens, in viewBox units.
const OPEN_BEFORE: f64 = 40.0;

/// A window drawn in a row: live, or struck through (cancelled or postponed since).
struct Bar<'a> {
    w: &'a WindowInfo,
    struck: Option<Action>,
}

/// The timeline page.
///
/// # Errors
/// The range is empty or longer than [`MAX_TIMELINE_DAYS`] (a message naming the parameter),
/// or the function is unknown.
pub fn timeline_page(s: &Schedule, cx: &PageContext, o: &TimelineOptions) -> Result<String, TimelineError> {
    if o.to <= o.from {
        return Err(TimelineError::Range("`to` must be after `from`; the range is [from, to), e.g. from=2023-11-01&to=2023-11-20".into()));
    }
    if o.to - o.from > Duration::days(MAX_TIMELINE_DAYS) {
        return Err(TimelineError::Range(format!(
            "the range is {} days; the timeline draws at most {MAX_TIMELINE_DAYS}, e.g. from=2023-11-01&to=2024-01-31",
            (o.to - o.from).num_days()
        )));
    }
    let t = cx.t();
    let lang = cx.lang;
    let rows: Vec<&str> = s
        .catalogue()
        .functions()
        .iter()
        .map(|f| f.id())
        .filter(|id| o.function.as_deref().is_none_or(|f| *id == f || id.strip_prefix(f).is_some_and(|r| r.starts_with('.'))))
        .collect();
    if rows.is_empty() {
        if let Some(f) = &o.function {
            return Err(TimelineError::Query(QueryError::UnknownFunction { id: f.clone(), suggestions: s.catalogue().close_matches(f) }));
        }
    }
    let (row_lists, all) = row_windows(s, o, lang, &rows)?;
    let scale = Scale { from: o.from, to: o.to };
    let x = |ts: &chrono::DateTime<chrono::FixedOffset>| scale.x(ts);
    let height = AXIS + ROW * rows.len() as f64 + 8.0;
    let ticks = day_ticks(o.from, o.to);
    let now_fixed = cx.now.with_timezone(&DEFAULT_ZONE).fixed_offset();
    let now_in = cx.now >= o.from && cx.now < o.to;

    // Where the chart opens when it scrolls sideways (narrow screens): now, when it is in the
    // range, else the first window drawn.
    let first_start = row_lists.iter().flat_map(|(_, live, _)| live.iter().map(|w| x(&w.start))).fold(f64::MAX, f64::min);
    let open_at = if now_in { Some(x(&now_fixed)) } else { (first_start < f64::MAX).then_some(first_start) };
    // Where a row's name is drawn again for a chart opened scrolled (narrow screens only).
    let near = open_at.map(|ox| round((ox - OPEN_BEFORE + 4.0).max(LEFT))).filter(|nx| *nx > LEFT);
    let mut svg_rows = Vec::new();
    for (i, (f, live, before)) in row_lists.iter().enumerate() {
        svg_rows.push(svg_row(s, cx, &scale, i, f, live, before, near));
    }

    let svg = html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (W) " " (height)} role="img" aria-labelledby="chart-title" aria-describedby="chart-desc" {
            title #chart-title { (t.timeline_title) }
            desc #chart-desc { (t.chart_desc) }
            defs {
                pattern #hatch width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                    rect width="6" height="6" fill="#fff4e0" {}
                    line x1="0" y1="0" x2="0" y2="6" stroke="#8a5a00" stroke-width="2.5" {}
                }
                linearGradient #fade x1="0" x2="1" y1="0" y2="0" {
                    stop offset="0" stop-color="#1f5fa8" {}
                    stop offset="0.6" stop-color="#1f5fa8" {}
                    stop offset="1" stop-color="#1f5fa8" stop-opacity="0.2" {}
                }
            }
            @for (tx, label, major) in &ticks {
                @let xx = x(&tx.fixed_offset());
                line x1=(xx) y1=(AXIS - 6.0) x2=(xx) y2=(height) stroke=(if *major { "#b0b0b0" } else { "#e2e2e2" }) stroke-width="1" {}
                @if let Some(l) = label { text x=(xx + 2.0) y="14" font-size="11" fill="#333333" { (l) } }
            }
            @for r in &svg_rows { (r) }
            @if now_in {
                @let nx = x(&now_fixed);
                g #now {
                    line x1=(nx) y1="18" x2=(nx) y2=(height) stroke="#c5221f" stroke-width="2" {}
                    text x=(nx + 3.0) y="28" font-size="11" fill="#a4161a" font-weight="bold" { (t.now) " " (now_fixed.with_timezone(&DEFAULT_ZONE).format("%m-%d %H:%M")) }
                }
            }
        }
    };

    let (rules, mut table_ws) = split_rules(s, lang, &all.windows);
    table_ws.sort_by_key(|w| w.start);
    let struck_table = struck_once(&row_lists);
    let body = html! {
        h1 { (t.timeline_title) }
        p {
            (instant_utc(lang, o.from)) " – " (instant_utc(lang, o.to))
            @if o.as_of_given { br; strong { (t.as_of) ": " (instant_utc(lang, o.as_of)) } }
        }
        (controls(s, cx, o))
        // Focusable, so a keyboard can scroll the chart sideways on a narrow screen.
        div.chart tabindex="0" role="region" aria-label=(t.timeline_title) {
            div.chart-inner {
                (svg)
                @if let Some(ox) = open_at {
                    // Scrolled into view when the page opens (CSS `scroll-initial-target`), a
                    // little before the mark so the bar's start shows.
                    span.open-at aria-hidden="true" style={"left:" (round(((ox - OPEN_BEFORE).max(0.0)) / W * 100.0)) "%"} {}
                }
            }
        }
        h2 { (t.windows_in_range) }
        @if !rules.is_empty() { (rules_list(s, cx, &rules)) }
        @if table_ws.is_empty() { p { (t.none_announced) } } @else { (window_table(s, cx, &table_ws)) }
        @if !struck_table.is_empty() {
            ul {
                @for (w, a) in &struck_table {
                    li.struck-item data-uid=(w.uid) {
                        (revision_word(t, *a)) ": " span.struck { (span(lang, w)) } " — "
                        (incident_mark(t, lang, w)) a href=(cx.href(&format!("/notices/{}", w.notice), &[])) { (window_title(s, lang, w)) }
                    }
                }
            }
        }
        @if all.truncated { p.muted { "…" } }
    };
    Ok(layout(cx, t.timeline_title, body).into_string())
}

/// One row of the chart: a function, the windows drawn for it, and those struck through
/// (cancelled or postponed as of the timeline's as-of, at their earlier times).
type RowWindows<'a> = (&'a str, Vec<WindowInfo>, Vec<(WindowInfo, Action)>);

/// The windows of each row, and those the table lists (with a function, its children's too).
fn row_windows<'a>(
    s: &Schedule,
    o: &TimelineOptions,
    lang: Lang,
    rows: &[&'a str],
) -> Result<(Vec<RowWindows<'a>>, crate::engine::answer::WindowList), TimelineError> {
    let q = |function: Option<&str>, as_of: Instant, limit: usize| WindowsQuery {
        from: o.from,
        to: o.to,
        function: function.map(str::to_string),
        as_of,
        limit,
        zone: DEFAULT_ZONE,
        lang,
        with_children: false,
    };
    // Windows cancelled or postponed as of `as_of`: their earlier version, struck through.
    let ghosts: Vec<(String, Instant, Action)> = s
        .lineage_views()
        .filter_map(|l| {
            let v = l.at(o.as_of)?;
            // A postponement with no new date is listed by the evaluator itself (kind `postponed`).
            (v.index() > 0 && (v.action() == Action::Cancel || v.action() == Action::Postpone && v.spec().is_some()))
                .then(|| (l.uid(), v.known_from() - Duration::seconds(1), v.action()))
        })
        .collect();
    let mut row_lists = Vec::new();
    for f in rows {
        let live = s.windows(&q(Some(f), o.as_of, ROW_LIMIT)).map_err(TimelineError::Query)?;
        let mut before = Vec::new();
        for (uid, at, action) in &ghosts {
            let old = s.windows(&q(Some(f), *at, ROW_LIMIT)).map_err(TimelineError::Query)?;
            before.extend(old.windows.into_iter().filter(|w| &w.uid == uid).map(|w| (w, *action)));
        }
        row_lists.push((*f, live.windows, before));
    }
    // The table lists what the chart draws: with a function, the windows of its rows, its
    // children's included.
    let mut all_q = q(o.function.as_deref(), o.as_of, ROW_LIMIT);
    all_q.with_children = true;
    let all = s.windows(&all_q).map_err(TimelineError::Query)?;
    Ok((row_lists, all))
}

/// One function's row of the chart: its name, its bars (struck ones dashed), their labels.
#[allow(clippy::too_many_arguments)]
fn svg_row(
    s: &Schedule,
    cx: &PageContext,
    scale: &Scale,
    i: usize,
    f: &str,
    live: &[WindowInfo],
    before: &[(WindowInfo, Action)],
    near: Option<f64>,
) -> Markup {
    let (t, lang) = (cx.t(), cx.lang);
    let x = |ts: &chrono::DateTime<chrono::FixedOffset>| scale.x(ts);
    let y = AXIS + ROW * i as f64;
    let mut bars: Vec<Bar> = before.iter().map(|(w, a)| Bar { w, struck: Some(*a) }).collect();
    bars.extend(live.iter().map(|w| Bar { w, struck: (w.kind == WindowKind::Postponed).then_some(Action::Postpone) }));
    bars.sort_by_key(|b| b.w.start);
    // A label inside a bar wide enough for it, else just after the bar when the space up
    // to the next label is free, else none (the table below lists every window).
    let mut free_from = f64::MIN;
    let mut labels = Vec::new();
    for b in bars.iter().filter(|b| b.struck.is_none()) {
        let (x0, x1) = (x(&b.w.start), x(&b.w.end).max(x(&b.w.start) + MIN_BAR));
        let text = bar_label(t, lang, b.w);
        let width = text.chars().map(|c| if c.is_ascii() { CHAR } else { 2.0 * CHAR }).sum::<f64>();
        if x1 - x0 >= width + 8.0 && b.w.kind == WindowKind::Confirmed && !b.w.end_approx {
            labels.push((x0 + 4.0, text, true));
            free_from = x1 + 2.0;
        } else if x1 + 3.0 >= free_from && x1 + 3.0 + width <= W {
            labels.push((x1 + 3.0, text, false));
            free_from = x1 + 3.0 + width + 6.0;
        }
    }
    html! {
        g data-function=(f) {
            @if i % 2 == 1 { rect x="0" y=(y) width=(W) height=(ROW) fill="#f6f7f9" {} }
            text.far x=(LEFT) y=(y + 13.0) font-size="12" fill="#1a1a1a" { (function_label(s, lang, f)) " (" (f) ")" }
            @if let Some(nx) = near {
                text.near x=(nx) y=(y + 13.0) font-size="12" fill="#1a1a1a" { (function_label(s, lang, f)) " (" (f) ")" }
            }
            @for b in &bars {
                @let x0 = x(&b.w.start);
                @let x1 = x(&b.w.end).max(x0 + MIN_BAR);
                @let what = if b.w.category == Kind::Incident { format!("{}: ", t.incident) } else { String::new() };
                @let tip = format!("{what}{} — {}", window_title(s, lang, b.w), plain_span(lang, b.w));
                @match (b.struck, b.w.kind) {
                    (Some(a), _) => {
                        g class="struck" data-uid=(b.w.uid) data-kind=(revision_word(t, a)) {
                            title { (revision_word(t, a)) ": " (tip) }
                            rect x=(x0) y=(y + 17.0) width=(round(x1 - x0)) height="16" fill="#ffffff" stroke="#5f5f5f" stroke-dasharray="3 2" {}
                            line x1=(x0) y1=(y + 25.0) x2=(x1) y2=(y + 25.0) stroke="#5f5f5f" stroke-width="2" {}
                        }
                    }
                    (None, WindowKind::Tentative) => {
                        rect data-uid=(b.w.uid) data-kind="tentative" x=(x0) y=(y + 17.0) width=(round(x1 - x0)) height="16" fill="url(#hatch)" stroke="#8a5a00" {
                            title { (t.tentative_days) ": " (tip) }
                        }
                    }
                    (None, _) => {
                        rect data-uid=(b.w.uid) data-kind="confirmed" data-category=[(b.w.category == Kind::Incident).then_some("incident")] x=(x0) y=(y + 17.0) width=(round(x1 - x0)) height="16"
                            fill=(if b.w.end_approx { "url(#fade)" } else { "#1f5fa8" }) stroke="#1f5fa8" stroke-dasharray=(if b.w.end_approx { "4 2" } else { "none" }) {
                            title { (t.confirmed) ": " (tip) }
                        }
                    }
                }
            }
            @for (lx, text, inside) in &labels {
                text.bar-label x=(round(*lx)) y=(y + 29.0) font-size="11" fill=(if *inside { "#ffffff" } else { "#1a1a1a" }) { (text) }
            }
        }
    }
}

/// Where an instant falls on the chart, in its SVG units.
struct Scale {
    from: Instant,
    to: Instant,
}

impl Scale {
    fn x(&self, ts: &chrono::DateTime<chrono::FixedOffset>) -> f64 {
        let total = (self.to - self.from).num_seconds() as f64;
        let off = (ts.with_timezone(&chrono::Utc) - self.from).num_seconds() as f64;
        ((LEFT + (off / total).clamp(0.0, 1.0) * (RIGHT - LEFT)) * 10.0).round() / 10.0
    }
}

/// The range form (from, to, function, as of) and the chart's legend.
fn controls(s: &Schedule, cx: &PageContext, o: &TimelineOptions) -> Markup {
    let (t, lang) = (cx.t(), cx.lang);
    let date_value = |i: Instant| i.with_timezone(&DEFAULT_ZONE).format("%Y-%m-%d").to_string();
    html! {
    form.range method="get" action="/timeline" {
        input type="hidden" name="lang" value=(lang.code());
        label { (t.from) input type="date" name="from" value=(date_value(o.from)); }
        label { (t.to) input type="date" name="to" value=(date_value(o.to)); }
        label { (t.function)
            select name="function" {
                option value="" selected[o.function.is_none()] { (t.all_functions) }
                @for f in s.catalogue().functions() {
                    option value=(f.id()) selected[o.function.as_deref() == Some(f.id())] { (function_label(s, lang, f.id())) }
                }
            }
        }
        label { (t.as_of) input type="date" name="as_of" value=(if o.as_of_given { date_value(o.as_of) } else { String::new() }); }
        button type="submit" { (t.show) }
    }
    p.muted { (t.as_of_help) }
    ul.legend {
        li { svg width="28" height="14" aria-hidden="true" { rect width="28" height="14" fill="#1f5fa8" {} } (t.legend_confirmed) }
        li { svg width="28" height="14" aria-hidden="true" {
            defs { pattern #hatch-l width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" { rect width="6" height="6" fill="#fff4e0" {} line x1="0" y1="0" x2="0" y2="6" stroke="#8a5a00" stroke-width="2.5" {} } }
            rect width="28" height="14" fill="url(#hatch-l)" stroke="#8a5a00" {} } (t.legend_tentative) }
        li { svg width="28" height="14" aria-hidden="true" {
            defs { linearGradient #fade-l x1="0" x2="1" { stop offset="0" stop-color="#1f5fa8" {} stop offset="1" stop-color="#1f5fa8" stop-opacity="0.2" {} } }
            rect width="28" height="14" fill="url(#fade-l)" {} } (t.legend_approx) }
        li { svg width="28" height="14" aria-hidden="true" { rect x="1" y="1" width="26" height="12" fill="#fff" stroke="#5f5f5f" stroke-dasharray="3 2" {} line x1="1" y1="7" x2="27" y2="7" stroke="#5f5f5f" stroke-width="2" {} } (t.legend_struck) }
    }
    }
}

/// The struck-through windows of every row, each once (a window struck in several rows).
fn struck_once<'a>(rows: &'a [RowWindows]) -> Vec<(&'a WindowInfo, Action)> {
    let mut v: Vec<(&WindowInfo, Action)> = Vec::new();
    for (_, _, before) in rows {
        for (w, a) in before {
            if !v.iter().any(|(x, _)| x.uid == w.uid && x.start == w.start) {
                v.push((w, *a));
            }
        }
    }
    v
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A window's times as plain text, for SVG tooltips.
fn plain_span(lang: Lang, w: &WindowInfo) -> String {
    let (s, e) = (w.start.with_timezone(&DEFAULT_ZONE), w.end.with_timezone(&DEFAULT_ZONE));
    let mut out = String::new();
    if w.kind == WindowKind::Tentative {
        let _ = write!(out, "{}", day_text(lang, s.date_naive()));
    } else {
        let end = crate::views::words::approx(lang, w.end_approx, &e.format("%H:%M").to_string());
        let _ = write!(out, "{} {}–{end} JST", day_text(lang, s.date_naive()), s.format("%H:%M"));
    }
    out
}

/// A bar's label: its start and end (`11/13 02:00–05:30`), or its days for a tentative window.
fn bar_label(t: &Labels, lang: Lang, w: &WindowInfo) -> String {
    let (s, e) = (w.start.with_timezone(&DEFAULT_ZONE), w.end.with_timezone(&DEFAULT_ZONE));
    if w.kind == WindowKind::Tentative {
        return format!("{} ({})", s.format("%m/%d"), t.times_tba);
    }
    let (tilde_before, tilde_after) = if w.end_approx { crate::views::words::approx_end_short(lang) } else { ("", "") };
    if w.end_unknown {
        return format!("{} {}–", s.format("%m/%d"), s.format("%H:%M"));
    }
    if e.date_naive() == s.date_naive() || e - s < Duration::hours(24) {
        format!("{} {}–{tilde_before}{}{tilde_after}", s.format("%m/%d"), s.format("%H:%M"), e.format("%H:%M"))
    } else {
        format!("{} {}–{tilde_before}{} {}{tilde_after}", s.format("%m/%d"), s.format("%H:%M"), e.format("%m/%d"), e.format("%H:%M"))
    }
}

/// Local midnights in the range, with labels at a spacing that fits the range.
fn day_ticks(from: Instant, to: Instant) -> Vec<(chrono::DateTime<chrono_tz::Tz>, Option<String>, bool)> {
    let days = (to - from).num_days().max(1);
    let step = match days {
        0..=21 => 1,
        22..=120 => 7,
        _ => 30,
    };
    let mut out = Vec::new();
    let mut d = from.with_timezone(&DEFAULT_ZONE).date_naive();
    let last = to.with_timezone(&DEFAULT_ZONE).date_naive();
    let mut i = 0;
    while d <= last {
        if let Some(t) = DEFAULT_ZONE.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN)).earliest() {
            if t.with_timezone(&chrono::Utc) >= from && t.with_timezone(&chrono::Utc) < to {
                let major = d.weekday() == chrono::Weekday::Mon || step == 30 && d.day() == 1;
                let label = (i % step == 0).then(|| d.format("%m/%d").to_string());
                out.push((t, label, major));
                i += 1;
            }
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// Why the timeline cannot be drawn.
#[derive(Debug)]
pub enum TimelineError {
    /// A bad range.
    Range(String),
    /// An unknown function.
    Query(QueryError),
}

impl std::fmt::Display for TimelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimelineError::Range(m) => f.write_str(m),
            TimelineError::Query(e) => write!(f, "{e}"),
        }
    }
}
