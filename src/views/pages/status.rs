//! `GET /`: every function's status now, what is in progress, what is coming, and where to
//! subscribe.

use super::*;
use crate::engine::answer::{Answer, Query, WindowsQuery};
use chrono::Duration;

/// How far ahead the status page lists windows.
pub const UPCOMING_DAYS: i64 = 90;
/// The most windows the status page lists (a standing rule counts once).
const UPCOMING_LIMIT: usize = 2000;

/// The status page, and the instant its content next changes (for `Cache-Control`).
pub fn status_page(s: &Schedule, cx: &PageContext) -> (String, Option<Instant>) {
    let t = cx.t();
    let lang = cx.lang;
    let now = cx.now;
    let answers: Vec<Answer> =
        s.catalogue().functions().iter().filter_map(|f| s.check(&Query::new(f.id(), now).as_of(now).lang(lang)).ok()).collect();
    let next_change = answers.iter().filter_map(|a| a.until).map(crate::engine::time::Instant::from).min();

    // Windows in progress, once each however many functions they cover.
    let mut in_progress: Vec<&WindowInfo> = Vec::new();
    for w in answers.iter().flat_map(|a| a.windows.iter()) {
        if !in_progress.iter().any(|x| x.uid == w.uid && x.start == w.start) {
            in_progress.push(w);
        }
    }
    in_progress.sort_by_key(|w| (w.kind == WindowKind::Tentative, w.start));
    // Windows postponed with no new date that affect some function, once each.
    let mut pending: Vec<&WindowInfo> = Vec::new();
    for w in answers.iter().flat_map(|a| a.pending.iter()) {
        if !pending.iter().any(|x| x.uid == w.uid) {
            pending.push(w);
        }
    }

    let upcoming = s.windows(&WindowsQuery {
        from: now,
        to: now + Duration::days(UPCOMING_DAYS),
        function: None,
        as_of: now,
        limit: UPCOMING_LIMIT,
        zone: DEFAULT_ZONE,
        lang,
        with_children: false,
    });
    let empty = Vec::new();
    let (rules, single) = split_rules(s, lang, upcoming.as_ref().map_or(&empty, |l| &l.windows));
    let delays = upcoming.as_ref().map(|l| l.delays.clone()).unwrap_or_default();
    let truncated = upcoming.as_ref().is_ok_and(|l| l.truncated);

    let fn_ids: Vec<&str> = s.catalogue().functions().iter().map(|f| f.id()).collect();
    let tree = if names_providers(s) { provider_trees(s, cx, &answers) } else { tree_markup(s, cx, &answers, None, None) };
    let body = html! {
        h1 { (t.status_title) " " span.muted { "(" (t.as_at_prefix) (instant_utc(lang, now)) (t.as_at_suffix) ")" } }
        @for w in &in_progress { (banner(s, cx, w)) }
        section aria-labelledby="functions" {
            h2 #functions { (t.functions) }
            (tree)
        }
        section aria-labelledby="upcoming" {
            h2 #upcoming { (t.upcoming) }
            @if !rules.is_empty() { (rules_list(s, cx, &rules)) }
            @if single.is_empty() {
                p { (t.none_announced) }
            } @else {
                (window_table(s, cx, &single))
            }
            @if truncated { p.muted { "…" } }
            @if !pending.is_empty() {
                h3 #pending { (t.pending) }
                ul {
                    @for w in &pending {
                        li data-pending=(w.uid) {
                            (incident_mark(t, lang, w))
                            a href=(cx.href(&format!("/notices/{}", w.notice), &[])) { (window_title(s, lang, w)) }
                            " — " (w.functions.iter().map(|f| function_label(s, lang, f)).collect::<Vec<_>>().join(lang_sep(lang)))
                            " — " (t.postponed_tba) " (" (t.originally) ": " span.struck { (span(lang, w)) } ")"
                            @if let Some(note) = w.revision.as_ref().and_then(|r| r.note.as_deref()) { br; span.muted { (note) } }
                        }
                    }
                }
            }
            @if !delays.is_empty() {
                h3 { (t.delays) }
                ul {
                    @for d in &delays {
                        li {
                            (if lang == Lang::En { d.job_en.as_deref().unwrap_or(&d.job) } else { &d.job }) ": "
                            (t.delay_usual) " " (instant(lang, &d.usual, d.usual_approx)) ", "
                            (t.delay_expected) " " (instant(lang, &d.expected, d.expected_approx))
                        }
                    }
                }
            }
            p { a href=(cx.href("/timeline", &[])) { (t.nav_timeline) " →" } }
        }
        section aria-labelledby="subscribe" {
            h2 #subscribe { (t.subscribe) }
            p { (t.subscribe_help) }
            ul {
                li { strong { (t.all_functions) } ": " (feed_links(cx, None)) }
            }
            details {
                summary { (t.per_function) }
                ul {
                    @for f in &fn_ids {
                        li { (function_label(s, lang, f)) " " code { (f) } ": " (feed_links(cx, Some(f))) }
                    }
                }
            }
        }
        section aria-labelledby="api" {
            h2 #api { (t.api) }
            ul {
                li { a href="/v1/availability?function=webcollect.credit_card&for=15m" { code { "/v1/availability?function=webcollect.credit_card&for=15m" } } }
                li { a href="/v1/windows" { code { "/v1/windows" } } }
                li { a href="/v1/functions" { code { "/v1/functions" } } }
                li { a href="/openapi.json" { code { "/openapi.json" } } }
                li { a href="/metrics" { code { "/metrics" } } }
            }
        }
    };
    (layout(cx, t.status_title, body).into_string(), next_change)
}

/// The banner of a window in progress: what, when, which functions, what buyers see and the
/// API returns, what merchants can do, and its notice.
fn banner(s: &Schedule, cx: &PageContext, w: &WindowInfo) -> Markup {
    let (t, lang) = (cx.t(), cx.lang);
    html! {
        @let tentative = w.kind == WindowKind::Tentative;
        @let incident = w.category == Kind::Incident;
        section class=(if tentative { "banner maybe" } else { "banner" }) role="status" data-uid=(w.uid) data-category=[incident.then_some("incident")] {
            h2 {
                span aria-hidden="true" { (if tentative { "▲ " } else { "✕ " }) }
                (if tentative { t.expected_today } else if incident { t.incident_in_progress } else { t.in_progress })
            }
            p { (incident_mark(t, lang, w)) strong { (window_title(s, lang, w)) } }
            p { (t.during_window) ": " (span(lang, w)) }
            p { (t.functions) ": " (w.functions.iter().map(|f| function_label(s, lang, f)).collect::<Vec<_>>().join(lang_sep(lang))) }
            @if names_providers(s) { p { (t.provider) ": " (providers_markup(s, lang, &w.functions)) } }
            @if !tentative && !w.effects.is_empty() {
                p { strong { (t.buyers_and_api) } }
                (effects_list(s, cx, &w.effects, None))
            }
            (advice_list(t, w))
            p { a href=(cx.href(&format!("/notices/{}", w.notice), &[])) { (t.notice) ": " (notice_title(s, lang, &w.notice)) } }
        }
    }
}

/// Whether an incident is among what makes `a` unavailable (its confirmed windows now), as
/// the Statuspage components' `major_outage`: an incident during a maintenance is not hidden
/// behind it.
fn answer_is_incident(a: &Answer) -> bool {
    a.windows.iter().any(|w| w.kind == WindowKind::Confirmed && w.category == Kind::Incident)
}

pub(crate) fn lang_sep(lang: Lang) -> &'static str {
    crate::views::words::feed(lang).list_sep
}

/// With two or more providers: under a heading per provider (its name, a link to its page
/// when it gives one), the tree of its functions. A function whose parent belongs to another
/// provider heads a tree of its own provider's.
fn provider_trees(s: &Schedule, cx: &PageContext, answers: &[Answer]) -> Markup {
    let lang = cx.lang;
    let cat = s.catalogue();
    let provider_of = |id: &str| cat.function(id).and_then(|f| cat.functions()[f].provider());
    html! {
        @for (i, p) in cat.providers().iter().enumerate() {
            @let roots: Vec<&Answer> = answers.iter().filter(|a| {
                provider_of(&a.function) == Some(i)
                    && a.function.rsplit_once('.').is_none_or(|(parent, _)| provider_of(parent) != Some(i))
            }).collect();
            @if !roots.is_empty() {
                section.provider aria-labelledby=(format!("provider-{}", p.id())) data-provider=(p.id()) {
                    h3 id=(format!("provider-{}", p.id())) { (provider_name(lang, p)) " " code { (p.id()) } }
                    ul.tree {
                        @for a in roots { (function_item(s, cx, answers, a, Some(i))) }
                    }
                }
            }
        }
    }
}

/// The function tree below `parent` (the roots when `None`); with `provider`, only that
/// provider's functions.
fn tree_markup(s: &Schedule, cx: &PageContext, answers: &[Answer], parent: Option<&str>, provider: Option<usize>) -> Markup {
    let cat = s.catalogue();
    let children: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.function.rsplit_once('.').map(|(p, _)| p) == parent)
        .filter(|a| provider.is_none() || cat.function(&a.function).and_then(|f| cat.functions()[f].provider()) == provider)
        .collect();
    html! {
        @if parent.is_none() || !children.is_empty() || provider.is_none() {
            ul class=(if parent.is_none() { "tree" } else { "" }) {
                @for a in children { (function_item(s, cx, answers, a, provider)) }
            }
        }
    }
}

/// One function of the tree: its status, until, next, what its windows do, and its children.
fn function_item(s: &Schedule, cx: &PageContext, answers: &[Answer], a: &Answer, provider: Option<usize>) -> Markup {
    let t = cx.t();
    let lang = cx.lang;
    html! {
        li data-function=(a.function) {
            div.fn {
                span.name { strong { (function_label(s, lang, &a.function)) } code { (a.function) } }
                span { (status_badge(t, a.status, answer_is_incident(a))) }
                span { span.k { (t.until) } @if let Some(u) = &a.until { (instant(lang, u, false)) } @else { (t.no_change) } }
                span {
                    span.k { (t.next) }
                    @if let Some(n) = &a.next {
                        (span(lang, n)) br; (incident_mark(t, lang, n)) a href=(cx.href(&format!("/notices/{}", n.notice), &[])) { (window_title(s, lang, n)) }
                    } @else { (t.none_announced) }
                    @for p in &a.pending {
                        br; span.k data-pending=(p.uid) { (t.postponed_tba) }
                        (incident_mark(t, lang, p)) a href=(cx.href(&format!("/notices/{}", p.notice), &[])) { (window_title(s, lang, p)) }
                    }
                }
            }
            @if a.status == Status::Tentative {
                div.during.maybe { (t.expected_today) }
            }
            @if a.status == Status::Unavailable {
                @for w in a.windows.iter().filter(|w| w.kind == WindowKind::Confirmed && !(w.effects.is_empty() && w.advice.is_empty())) {
                    // Closed: the banner above lists the same for the whole window.
                    details.during data-uid=(w.uid) {
                        summary { (t.buyers_and_api) @if a.windows.len() > 1 { " — " (window_title(s, lang, w)) } }
                        (effects_list(s, cx, &w.effects, Some(&a.function)))
                        (advice_list(t, w))
                    }
                }
            }
            (tree_markup(s, cx, answers, Some(&a.function), provider))
        }
    }
}

/// What merchants can do during `w`, in its notice's words (nothing when it says nothing).
fn advice_list(t: &Labels, w: &WindowInfo) -> Markup {
    html! {
        @if !w.advice.is_empty() {
            p.advice-head { strong { (t.merchants_can) } }
            ul.advice {
                @for a in &w.advice { li { (a) } }
            }
        }
    }
}

/// A table of windows: when, what, functions, certainty, notice.
pub(crate) fn window_table(s: &Schedule, cx: &PageContext, ws: &[&WindowInfo]) -> Markup {
    let t = cx.t();
    let lang = cx.lang;
    html! {
        table.stack {
            @let providers = names_providers(s);
            thead { tr { th { (t.when) } th { (t.what) } th { (t.functions) } @if providers { th { (t.provider) } } th { (t.kind) } } }
            tbody {
                @for w in ws {
                    tr data-uid=(w.uid) {
                        td data-label=(t.when) { (span(lang, w)) }
                        td data-label=(t.what) {
                            (incident_mark(t, lang, w))
                            a href=(cx.href(&format!("/notices/{}", w.notice), &[])) { (window_title(s, lang, w)) }
                            @if let Some(r) = &w.revision { " (" (revision_word(t, r.action)) ")" }
                        }
                        td data-label=(t.functions) { (w.functions.iter().map(|f| function_label(s, lang, f)).collect::<Vec<_>>().join(lang_sep(lang))) }
                        @if providers { td data-label=(t.provider) { (providers_markup(s, lang, &w.functions)) } }
                        td data-label=(t.kind) { (match w.kind { WindowKind::Tentative => t.tentative_days, WindowKind::Postponed => t.postponed, WindowKind::Confirmed => t.confirmed }) }
                    }
                }
            }
        }
    }
}

/// The links to subscribe to the feed (of one function, or of all): `webcal://` and
/// `http(s)://` on the host the server trusts (`cx.host`), or, with none, the feed's path
/// alone (a `webcal://` link cannot be relative).
fn feed_links(cx: &PageContext, function: Option<&str>) -> Markup {
    let mut q = vec![("lang".to_string(), cx.lang.code().to_string())];
    if let Some(f) = function {
        q.insert(0, ("function".into(), f.to_string()));
    }
    let path = format!("/calendar.ics?{}", encode_query(&q));
    if cx.host.is_empty() {
        return html! { a href=(path) { (path) } };
    }
    let scheme = if cx.scheme == "https" { "https" } else { "http" };
    html! {
        a href={"webcal://" (cx.host) (path)} { "webcal://" } " · " a href={(scheme) "://" (cx.host) (path)} { (scheme) "://" }
    }
}
