//! HTML pages for people: the status page (`/`), the timeline (`/timeline`) and the notices
//! (`/notices`, `/notices/{id}`), in Japanese and English. Every figure on them comes from
//! the evaluator ([`Schedule::check`], [`Schedule::windows`]); these modules only lay it out.
//!
//! Built with `maud`, which escapes by construction. No external asset and no script: the
//! stylesheet is inline, the timeline is server-side SVG. Instants are shown in JST with the
//! zone written, each inside `<time datetime>`.
//!
//! May use: the engine. Knows no HTTP: the server passes the language, the clock and the host
//! absolute links may use (none unless configured or trusted: see `server::Links`).

mod notice;
mod status;
mod timeline;

pub use notice::{notice_page, notices_page};
pub use status::status_page;
pub use timeline::{timeline_page, TimelineError, TimelineOptions, MAX_TIMELINE_DAYS};

use crate::engine::answer::{WindowInfo, WindowKind};
use crate::engine::eval::{Schedule, Status};
use crate::engine::model::{Action, ChannelEffect, EffectSource, Kind, Provider};
use crate::engine::time::{Instant, DEFAULT_ZONE};
use crate::views::ical::rule_phrase;
use crate::views::ical::Lang;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// What every page needs besides the schedule.
#[derive(Debug, Clone)]
pub struct PageContext {
    /// The page's language.
    pub lang: Lang,
    /// The clock: statuses are "now" at this instant.
    pub now: Instant,
    /// Whether `now` is a fixed clock (`mado serve --now`), not the real time: every page
    /// then says so at the top.
    pub fixed_clock: bool,
    /// `host[:port]` for absolute feed links (`webcal://`): the server's public URL, or a
    /// host it trusts; empty when there is none, and then the feed is linked by path.
    pub host: String,
    /// `http` or `https`, with `host`: the public URL's scheme, or what a trusted proxy says.
    pub scheme: String,
    /// The path asked for, e.g. `/timeline`.
    pub path: String,
    /// The query parameters other than `lang`, kept by the language switch.
    pub params: Vec<(String, String)>,
}

impl PageContext {
    pub(crate) fn t(&self) -> &'static Labels {
        crate::views::words::page(self.lang)
    }
    /// A link to this page in `lang`.
    fn switch_href(&self, lang: Lang) -> String {
        let mut params = self.params.clone();
        params.push(("lang".into(), lang.code().into()));
        format!("{}?{}", self.path, encode_query(&params))
    }
    /// A link to another page in this page's language.
    pub(crate) fn href(&self, path: &str, params: &[(&str, &str)]) -> String {
        let mut all: Vec<(String, String)> = params.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
        all.push(("lang".into(), self.lang.code().into()));
        format!("{path}?{}", encode_query(&all))
    }
}

/// Percent-encodes query parameters (RFC 3986 unreserved characters pass).
pub(crate) fn encode_query(params: &[(String, String)]) -> String {
    params.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The pages' words are [`PageWords`](crate::views::words::PageWords), in `views/words.rs`.
pub(crate) use crate::views::words::PageWords as Labels;

const CSS: &str = include_str!("style.css");

/// The frame every page shares: head, header with navigation and language switch, footer.
pub(crate) fn layout(cx: &PageContext, title: &str, body: Markup) -> Markup {
    let t = cx.t();
    let other = match cx.lang {
        Lang::Ja => Lang::En,
        Lang::En => Lang::Ja,
    };
    html! {
        (DOCTYPE)
        html lang=(cx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (t.site) }
                style { (PreEscaped(CSS)) }
                link rel="alternate" hreflang=(other.code()) href=(cx.switch_href(other));
            }
            body {
                header {
                    @if cx.fixed_clock {
                        p.clock data-clock=(cx.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) {
                            strong { (t.fixed_clock) ": " (instant_utc(cx.lang, cx.now)) } " " (t.fixed_clock_help)
                        }
                    }
                    p.site { a href=(cx.href("/", &[])) { (t.site) } }
                    nav aria-label="main" {
                        a href=(cx.href("/", &[])) { (t.nav_status) }
                        a href=(cx.href("/timeline", &[])) { (t.nav_timeline) }
                        a href=(cx.href("/notices", &[])) { (t.nav_notices) }
                        a.lang href=(cx.switch_href(other)) hreflang=(other.code()) lang=(other.code()) { (t.other_lang_name) }
                    }
                }
                main { (body) }
                footer {
                    p { (t.zone_note) ". " }
                    p { "mado " (env!("CARGO_PKG_VERSION")) }
                }
            }
        }
    }
}

/// A page for an error (unknown notice, bad parameter).
pub fn error_page(cx: &PageContext, not_found: bool, detail: &str) -> String {
    let t = cx.t();
    let head = if not_found { t.not_found } else { t.bad_request };
    layout(
        cx,
        head,
        html! {
            h1 { (head) }
            p.error { (detail) }
            p { a href=(cx.href("/", &[])) { (t.back) } }
        },
    )
    .into_string()
}

/// The effects of a window on each channel, with the mark of where each comes from (stated
/// in the notice, inferred, or the catalogue's default). With `function`, only the effects
/// that apply to it (those the notice limits to other functions are left out).
pub(crate) fn effects_list(s: &Schedule, cx: &PageContext, effects: &[ChannelEffect], function: Option<&str>) -> Markup {
    let t = cx.t();
    let lang = cx.lang;
    let applies = |e: &&ChannelEffect| match (function, &e.functions) {
        (Some(f), Some(only)) => only.iter().any(|o| f == o || f.strip_prefix(o.as_str()).is_some_and(|rest| rest.starts_with('.'))),
        _ => true,
    };
    html! {
        ul.effects {
            @for e in effects.iter().filter(applies) {
                @let ch = s.catalogue().channels().iter().find(|c| c.id() == e.channel);
                li data-channel=(e.channel) data-source=(source_word(e.source)) {
                    strong { (ch.map_or(e.channel.as_str(), |c| if lang == Lang::Ja { c.ja() } else { c.en() })) } ": "
                    (e.effect.phrases(t.error_code, &format!("{}: ", t.page_shown), &format!("{}: ", t.message_shown), ("「", "」")).join(" "))
                    @if function.is_none() {
                        @if let Some(only) = &e.functions {
                            " (" (t.for_functions) " " (only.iter().map(|f| function_label(s, lang, f)).collect::<Vec<_>>().join(status::lang_sep(lang))) ")"
                        }
                    }
                    " " span.mark { "[" (source_label(t, e.source)) "]" }
                }
            }
        }
    }
}

fn source_word(s: EffectSource) -> &'static str {
    match s {
        EffectSource::Notice => "stated",
        EffectSource::Inferred => "inferred",
        EffectSource::Default => "default",
    }
}

/// Where an effect comes from, in words.
pub(crate) fn source_label(t: &Labels, s: EffectSource) -> &'static str {
    match s {
        EffectSource::Notice => t.source_notice,
        EffectSource::Inferred => t.source_inferred,
        EffectSource::Default => t.source_default,
    }
}

/// The status as a symbol and a word, never colour alone; `incident` when what makes the
/// function unavailable is an incident, not maintenance.
pub(crate) fn status_badge(t: &Labels, s: Status, incident: bool) -> Markup {
    let (class, symbol, word) = match s {
        Status::Available => ("ok", "●", t.available),
        Status::Tentative => ("maybe", "▲", t.tentative),
        Status::Unavailable if incident => ("down", "✕", t.unavailable_incident),
        Status::Unavailable => ("down", "✕", t.unavailable),
    };
    html! { span class={"badge " (class)} data-status=(s.to_string()) { span aria-hidden="true" { (symbol) } " " (word) } }
}

/// `2023-11-13(月)` / `Mon 2023-11-13`.
pub(crate) fn day_text(lang: Lang, d: NaiveDate) -> String {
    crate::views::words::day_with_weekday(lang, &d.format("%Y-%m-%d").to_string(), d.weekday().num_days_from_monday() as usize)
}

fn jst(t: &DateTime<FixedOffset>) -> DateTime<chrono_tz::Tz> {
    t.with_timezone(&DEFAULT_ZONE)
}

/// An instant: `<time datetime="…">2023-11-13(月) 02:00 JST</time>`.
pub(crate) fn instant(lang: Lang, t: &DateTime<FixedOffset>, approx: bool) -> Markup {
    let l = jst(t);
    let labels = crate::views::words::page(lang);
    let a = if approx { labels.approx_prefix } else { "" };
    let b = if approx { labels.approx_suffix } else { "" };
    html! { time datetime=(l.to_rfc3339()) { (a) (day_text(lang, l.date_naive())) " " (l.format("%H:%M")) (b) " JST" } }
}

/// A day: `<time datetime="2024-04-22">`.
pub(crate) fn day(lang: Lang, d: NaiveDate) -> Markup {
    html! { time datetime=(d.format("%Y-%m-%d").to_string()) { (day_text(lang, d)) } }
}

/// An instant given as UTC.
pub(crate) fn instant_utc(lang: Lang, t: Instant) -> Markup {
    instant(lang, &t.with_timezone(&DEFAULT_ZONE).fixed_offset(), false)
}

/// When a window is: `2023-11-13(月) 02:00 – 05:30 JST`, the days of a tentative window, with
/// approximate ends marked.
pub(crate) fn span(lang: Lang, w: &WindowInfo) -> Markup {
    let t = crate::views::words::page(lang);
    let (s, e) = (jst(&w.start), jst(&w.end));
    if w.kind == WindowKind::Tentative {
        let (first, last) = w.days.unwrap_or((s.date_naive(), (e - chrono::Duration::days(1)).date_naive()));
        let expected = w.expected_duration.as_deref().map(|d| {
            let a = if w.expected_duration_approx { crate::views::words::about_duration(lang) } else { ("", "") };
            format!(", {} {}{d}{}", t.expected, a.0, a.1)
        });
        return html! {
            (day(lang, first))
            @if last != first { " – " (day(lang, last)) }
            " (" (t.times_tba) (expected.unwrap_or_default()) ")"
        };
    }
    let a = |x: bool| if x { (t.approx_prefix, t.approx_suffix) } else { ("", "") };
    let (sa, ea) = (a(w.start_approx), a(w.end_approx));
    if w.end_unknown {
        return html! {
            time datetime=(s.to_rfc3339()) { (sa.0) (day_text(lang, s.date_naive())) " " (s.format("%H:%M")) (sa.1) " JST" }
            " – (" (t.end_unknown) ")"
        };
    }
    let end_text = if e.date_naive() == s.date_naive() {
        format!("{}{}{} JST", ea.0, e.format("%H:%M"), ea.1)
    } else {
        format!("{}{} {}{} JST", ea.0, day_text(lang, e.date_naive()), e.format("%H:%M"), ea.1)
    };
    html! {
        time datetime=(s.to_rfc3339()) { (sa.0) (day_text(lang, s.date_naive())) " " (s.format("%H:%M")) (sa.1) }
        " – "
        time datetime=(e.to_rfc3339()) { (end_text) }
    }
}

/// A function's label in the page's language.
pub(crate) fn function_label<'a>(s: &'a Schedule, lang: Lang, id: &'a str) -> &'a str {
    s.catalogue().functions().iter().find(|f| f.id() == id).map_or(id, |f| match lang {
        Lang::Ja => f.ja(),
        Lang::En => f.en(),
    })
}

/// Whether the pages name providers: only when the catalogue has two or more (with one or
/// none, naming it on every window would say nothing).
pub(crate) fn names_providers(s: &Schedule) -> bool {
    s.catalogue().providers().len() >= 2
}

/// The providers of a window's functions, each once, in catalogue order; empty unless the
/// pages name providers.
pub(crate) fn window_providers<'a>(s: &'a Schedule, functions: &[String]) -> Vec<&'a Provider> {
    if !names_providers(s) {
        return Vec::new();
    }
    let cat = s.catalogue();
    let mut of: Vec<usize> = functions.iter().filter_map(|f| cat.function(f)).filter_map(|f| cat.functions()[f].provider()).collect();
    of.sort_unstable();
    of.dedup();
    of.into_iter().filter_map(|p| cat.providers().get(p)).collect()
}

/// A provider's name in the page's language, a link to its own page when it gives one.
pub(crate) fn provider_name(lang: Lang, p: &Provider) -> Markup {
    html! {
        @match p.url().filter(|u| crate::engine::model::is_web_address(u)) {
            Some(u) => a href=(u) rel="noopener noreferrer" data-provider=(p.id()) { (p.label(lang)) },
            None => span data-provider=(p.id()) { (p.label(lang)) },
        }
    }
}

/// The providers of a window's functions, named and joined; nothing unless the pages name
/// providers.
pub(crate) fn providers_markup(s: &Schedule, lang: Lang, functions: &[String]) -> Markup {
    let ps = window_providers(s, functions);
    html! {
        @for (i, p) in ps.iter().enumerate() {
            @if i > 0 { (status::lang_sep(lang)) }
            (provider_name(lang, p))
        }
    }
}

/// A notice's title in the page's language (the Japanese one when there is no English).
pub(crate) fn notice_title(s: &Schedule, lang: Lang, id: &str) -> String {
    s.notices().iter().find(|n| n.id() == id).map_or(id.to_string(), |n| n.title().text(lang).to_string())
}

/// What a window is called: its own title, else its notice's title.
pub(crate) fn window_title(s: &Schedule, lang: Lang, w: &WindowInfo) -> String {
    // The evaluator gives the title in the language asked for.
    w.title.clone().unwrap_or_else(|| notice_title(s, lang, &w.notice))
}

/// A recurring window as a standing rule: "every day 23:00–01:00 JST, since 2023-10-10",
/// with the earlier hours of a rule that changed them.
pub(crate) struct StandingRule {
    pub uid: String,
    /// Its hours now (the latest part).
    pub phrase: String,
    /// The first day of its earliest hours.
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    /// Each change of hours, oldest first: the first day of the new hours, and the hours before.
    pub changes: Vec<(NaiveDate, String)>,
}

/// The rule of the recurring window `w` in words, from the schedule's model.
pub(crate) fn standing_rule(s: &Schedule, lang: Lang, w: &WindowInfo) -> Option<StandingRule> {
    let l = s.lineage_of(w)?;
    let parts = l.rule_parts(l.last_described()?.spec()?);
    let (first, now) = (parts.first()?, parts.last()?);
    let until = now.rule.last_start().map(|t| t.with_timezone(&now.rule.zone()).date_naive());
    let changes = parts.windows(2).map(|p| (p[1].rule.dtstart().date(), rule_phrase(lang, p[0].rule, p[0].duration, "–"))).collect();
    Some(StandingRule {
        uid: w.uid.clone(),
        phrase: rule_phrase(lang, now.rule, now.duration, "–"),
        since: first.rule.dtstart().date(),
        until,
        changes,
    })
}

/// A standing rule in words: its hours, since when, until when, and each change of hours.
pub(crate) fn rule_markup(t: &Labels, lang: Lang, r: &StandingRule) -> Markup {
    html! {
        strong { (r.phrase) } ", " (t.since) " " (day(lang, r.since))
        @if let Some(u) = r.until { ", " (t.until_rule) " " (day(lang, u)) } @else { " (" (t.no_end) ")" }
        @for (d, was) in &r.changes {
            @let (before, after) = crate::views::words::hours_changed_on(lang);
            span data-changed=(d.format("%Y-%m-%d").to_string()) {
                (before) (day(lang, *d)) (after) (t.was) (t.was_sep) (was) (t.close_paren)
            }
        }
    }
}

/// Whether `w` reads as an occurrence of its standing rule: unchanged, or changed only by a
/// revision of the whole rule (new hours from a date, or an end), not one night's change.
pub(crate) fn of_standing_rule(w: &WindowInfo) -> bool {
    w.rrule.is_some() && w.revision.as_ref().is_none_or(|r| matches!(r.action, Action::Change | Action::End))
}

/// `【障害】` / `[incident] ` before what an incident is called; nothing for maintenance.
pub(crate) fn incident_mark(t: &Labels, lang: Lang, w: &WindowInfo) -> Markup {
    html! {
        @if w.category == Kind::Incident {
            @let (open, close) = crate::views::words::incident_brackets(lang);
            span data-category="incident" { (open) (t.incident) (close) }
        }
    }
}

/// Splits windows into standing rules (unchanged occurrences of a recurring window read as
/// their rule, once) and the windows to list one by one.
pub(crate) fn split_rules<'a>(
    s: &Schedule,
    lang: Lang,
    ws: &'a [WindowInfo],
) -> (Vec<(StandingRule, &'a WindowInfo)>, Vec<&'a WindowInfo>) {
    let (mut rules, mut single): (Vec<(StandingRule, &WindowInfo)>, Vec<&WindowInfo>) = (Vec::new(), Vec::new());
    for w in ws {
        if of_standing_rule(w) {
            if !rules.iter().any(|(r, _)| r.uid == w.uid) {
                match standing_rule(s, lang, w) {
                    Some(r) => rules.push((r, w)),
                    None => single.push(w),
                }
            }
        } else {
            single.push(w);
        }
    }
    (rules, single)
}

/// Standing rules as a list: "every day 23:00–01:00 JST, since …".
pub(crate) fn rules_list(s: &Schedule, cx: &PageContext, rules: &[(StandingRule, &WindowInfo)]) -> Markup {
    let t = cx.t();
    let lang = cx.lang;
    html! {
        h3 { (t.standing) }
        ul {
            @for (r, w) in rules {
                li data-rule=(r.uid) {
                    (incident_mark(t, lang, w)) (rule_markup(t, lang, r))
                    " — " (w.functions.iter().map(|f| function_label(s, lang, f)).collect::<Vec<_>>().join(status::lang_sep(lang)))
                    " — " a href=(cx.href(&format!("/notices/{}", w.notice), &[])) { (notice_title(s, lang, &w.notice)) }
                }
            }
        }
    }
}

/// The word for a revision's action.
pub(crate) fn action_word(t: &Labels, a: Action) -> &'static str {
    match a {
        Action::Original => t.announced_as,
        Action::Replace => t.revised_to,
        Action::Postpone => t.postponed_to,
        Action::Cancel => t.cancelled_by,
        Action::End => t.ended,
        Action::Change => t.changed,
    }
}

/// The word for a changed window: revised, postponed, cancelled.
pub(crate) fn revision_word(t: &Labels, a: Action) -> &'static str {
    match a {
        Action::Postpone => t.postponed,
        Action::Cancel => t.cancelled,
        _ => t.replaced,
    }
}
