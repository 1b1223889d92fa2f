//! `GET /notices` and `GET /notices/{id}`: what each notice said, and what became of each
//! window it announced or changed (its revision trail).

use super::status::lang_sep;
use super::*;
use crate::engine::model::{EffectSource, Published, Spec};
use crate::engine::view_api::{LineageView, VersionView};

/// The notices, newest first.
pub fn notices_page(s: &Schedule, cx: &PageContext) -> String {
    let t = cx.t();
    let lang = cx.lang;
    let mut notices: Vec<(usize, &crate::engine::model::Notice)> = s.notices().iter().enumerate().collect();
    notices.sort_by(|a, b| b.1.known_from().cmp(&a.1.known_from()).then(b.1.id().cmp(a.1.id())));
    let body = html! {
        h1 { (t.notices_title) }
        table.stack {
            thead { tr { th { (t.published) } th { (t.notice) } th { (t.windows) } } }
            tbody {
                @for (i, n) in &notices {
                    @let (own, changed) = related(s, *i);
                    tr data-notice=(n.id()) {
                        td data-label=(t.published) { (published(lang, t, n.published(), n.known_from())) }
                        td data-label=(t.notice) { a href=(cx.href(&format!("/notices/{}", n.id()), &[])) { (notice_title(s, lang, n.id())) } br; code { (n.id()) } }
                        td data-label=(t.windows) { (own.len()) @if !changed.is_empty() { " + " (changed.len()) " (" (t.changes_to_others) ")" } }
                    }
                }
            }
        }
    };
    layout(cx, t.notices_title, body).into_string()
}

/// One notice, or `None` when there is no notice `id`.
pub fn notice_page(s: &Schedule, cx: &PageContext, id: &str) -> Option<String> {
    let t = cx.t();
    let lang = cx.lang;
    let idx = s.notices().iter().position(|n| n.id() == id)?;
    let n = &s.notices()[idx];
    let (own, changed) = related(s, idx);
    let delays: Vec<&crate::engine::model::Delay> = s.notice_delays(idx).collect();
    let title = notice_title(s, lang, id);
    let body = html! {
        h1 { (title) }
        dl.meta {
            dt { (t.published) } dd { (published(lang, t, n.published(), n.known_from())) }
            dt { (t.known_from) } dd { (instant_utc(lang, n.known_from())) }
            dt { (t.source) } dd { (n.source().text(lang)) @if let Some(u) = n.url() { br; @if web_address(u) { a href=(u) rel="noopener noreferrer" { (u) } } @else { code { (u) } } } }
            dt { "id" } dd { code { (n.id()) } }
            @if lang == Lang::En && n.title().is_in(lang) { dt { (t.original_title) } dd lang="ja" { (n.title().ja()) } }
        }
        @if !own.is_empty() {
            h2 { (if own.iter().all(|l| l.is_incident()) { t.incidents } else { t.windows }) }
            @for l in &own { (lineage_card(s, cx, idx, *l)) }
        }
        @if !changed.is_empty() {
            h2 { (t.changes_to_others) }
            @for l in &changed { (lineage_card(s, cx, idx, *l)) }
        }
        @if !delays.is_empty() {
            h2 { (t.delays) }
            ul {
                @for d in &delays {
                    @let fixed = |i: Instant| i.with_timezone(&DEFAULT_ZONE).fixed_offset();
                    li {
                        strong { (d.job.text(lang)) } ": "
                        (t.delay_usual) " " (instant(lang, &fixed(d.usual), d.usual_approx)) ", "
                        (t.delay_expected) " " (instant(lang, &fixed(d.expected), d.expected_approx))
                        @if !d.functions.is_empty() {
                            " (" (d.functions.iter().map(|f| function_label(s, lang, s.catalogue().functions()[*f].id())).collect::<Vec<_>>().join(lang_sep(lang))) ")"
                        }
                        @if let Some(note) = &d.note { br; span.muted { (note.text(lang)) } }
                    }
                }
            }
        }
        @if !n.inferred().is_empty() {
            h2 { (t.inferred) }
            ul.inferred { @for i in n.inferred() { li data-field=(i.field()) { strong { (crate::views::ical::field_label(s, i.field(), lang)) } ": " (i.reason(lang)) } } }
        }
        @if !n.notes().get(lang).is_empty() {
            h2 { (t.notes) }
            ul { @for note in n.notes().get(lang) { li { (note) } } }
        }
        p { a href=(cx.href("/notices", &[])) { "← " (t.notices_title) } }
    };
    Some(layout(cx, &title, body).into_string())
}

/// The windows a notice announced, and those of earlier notices it changed.
fn related(s: &Schedule, idx: usize) -> (Vec<LineageView<'_>>, Vec<LineageView<'_>>) {
    let own = s.lineage_views().filter(|l| l.notice_index() == idx).collect();
    let changed = s.lineage_views().filter(|l| l.notice_index() != idx && l.revised_by(idx)).collect();
    (own, changed)
}

fn published(lang: Lang, t: &Labels, p: Published, known_from: Instant) -> Markup {
    match p {
        Published::At { instant, date_only: true } => day(lang, instant.with_timezone(&DEFAULT_ZONE).date_naive()),
        Published::At { instant, .. } => instant_utc(lang, instant),
        Published::Unknown => html! { (t.published_unknown) " (≤ " (instant_utc(lang, known_from)) ")" },
    }
}

fn lineage_card(s: &Schedule, cx: &PageContext, this: usize, l: LineageView) -> Markup {
    let t = cx.t();
    let lang = cx.lang;
    let uid = l.uid();
    // The latest version that says something; a cancel keeps the times it cancelled.
    let Some(current) = l.last_described().and_then(|v| v.describe(DEFAULT_ZONE, lang)) else {
        return html! {};
    };
    let cancelled = l.current().spec().is_none();
    let tba = cancelled && l.current().action() == Action::Postpone;
    let rule = standing_rule(s, lang, &current);
    let notice_link = |n: usize| {
        let id = s.notices()[n].id();
        html! {
            @if n == this { (notice_title(s, lang, id)) } @else { a href=(cx.href(&format!("/notices/{id}"), &[])) { (notice_title(s, lang, id)) } }
        }
    };
    html! {
        section.card data-uid=(uid) {
            h3 {
                (incident_mark(t, lang, &current))
                @if tba { (window_title(s, lang, &current)) " (" (t.postponed_tba) ")" }
                @else if cancelled { span.struck { (window_title(s, lang, &current)) } " (" (t.cancelled) ")" } @else { (window_title(s, lang, &current)) }
                " " code { (uid) }
            }
            p { (t.functions) ": " (current.functions.iter().map(|f| function_label(s, lang, f)).collect::<Vec<_>>().join(lang_sep(lang))) }
            @if names_providers(s) { p { (t.provider) ": " (providers_markup(s, lang, &current.functions)) } }
            @if let Some(r) = &rule {
                p { (rule_markup(t, lang, r)) }
            }
            h4 { (t.trail) }
            ol.trail {
                @for v in l.trail() {
                    li data-action=(format!("{:?}", v.action()).to_lowercase()) {
                        (day(lang, v.known_from().with_timezone(&DEFAULT_ZONE).date_naive())) " "
                        @if v.action() == Action::Postpone && v.spec().is_none() { (t.postponed_tba) } @else { (action_word(t, v.action())) }
                        @if let Some(spec) = v.spec() {
                            ": "
                            @if let Some(r) = version_rule(t, lang, l, v, spec) { (r) }
                            @else if let Some(w) = v.describe(DEFAULT_ZONE, lang) { (span(lang, &w)) }
                        }
                        " — " (notice_link(v.by_index()))
                        @if let Some(note) = v.note().map(|n| n.text(lang)) { br; span.muted { (note) } }
                        @let new = v.new_inferences();
                        @if !new.is_empty() {
                            ul.inferred {
                                @for i in new { li data-field=(i.field()) { strong { (t.inferred) " — " (crate::views::ical::field_label(s, i.field(), lang)) } ": " (i.reason(lang)) } }
                            }
                        }
                    }
                }
                @for e in l.changes() {
                    li data-action="occurrence" {
                        (day(lang, e.known_from().with_timezone(&DEFAULT_ZONE).date_naive())) " "
                        @if let Some(w) = e.describe(DEFAULT_ZONE, lang) {
                            (t.occurrence_changed) " (" (day(lang, e.date())) "): "
                            (span(lang, &w))
                        } @else {
                            (t.occurrence_excluded) " (" (day(lang, e.date())) ")"
                        }
                        " — " (notice_link(e.by_index()))
                        @if let Some(note) = e.note().map(|n| n.text(lang)) { br; span.muted { (note) } }
                    }
                }
            }
            @if !current.available.is_empty() {
                p { (t.stays_available) ": " (current.available.iter().map(|f| function_label(s, lang, f)).collect::<Vec<_>>().join(lang_sep(lang))) }
            }
            @if let Some(note) = &current.note { p { (t.note) ": " (note) } }
            @if !current.inferred.is_empty() {
                p { strong { (t.inferred) } }
                ul.inferred { @for i in &current.inferred { li data-field=(i.field) { strong { (crate::views::ical::field_label(s, &i.field, lang)) } ": " (i.reason) } } }
            }
            @if !current.effects.is_empty() { details open[l.notice_index() == this] {
                summary { (t.effects) }
                table.stack {
                    thead { tr { th { (t.channel) } th { (t.effect) } th { (t.effect_source) } } }
                    tbody {
                        @for e in &current.effects {
                            @let ch = s.catalogue().channels().iter().find(|c| c.id() == e.channel);
                            tr {
                                td data-label=(t.channel) { (ch.map_or(e.channel.as_str(), |c| if lang == Lang::Ja { c.ja() } else { c.en() })) }
                                td data-label=(t.effect) { (e.effect.phrases(t.error_code, &format!("{}: ", t.page_shown), &format!("{}: ", t.message_shown), ("「", "」")).join(" ")) }
                                td data-label=(t.effect_source) { (match e.source { EffectSource::Notice => t.source_notice, EffectSource::Inferred => t.source_inferred, EffectSource::Default => t.source_default }) }
                            }
                        }
                    }
                }
            } }
        }
    }
}

/// A version of a recurring window in words: its newest hours from their first day; for a
/// change, the hours before; for an end, the last day.
fn version_rule(t: &Labels, lang: Lang, l: LineageView, v: VersionView, spec: &Spec) -> Option<Markup> {
    let parts = l.rule_parts(spec);
    let now = parts.last()?;
    let before = parts.len().checked_sub(2).map(|i| &parts[i]);
    let phrase = crate::views::ical::rule_phrase(lang, now.rule, now.duration, "–");
    let last = now.rule.last_start().map(|t| t.with_timezone(&now.rule.zone()).date_naive());
    Some(html! {
        (phrase) ", " (t.since) " " (day(lang, now.rule.dtstart().date()))
        @if v.action() == Action::Change {
            @if let Some(b) = before { " (" (t.was) ": " (crate::views::ical::rule_phrase(lang, b.rule, b.duration, "–")) ")" }
        }
        @if let Some(u) = last { ", " (t.until_rule) " " (day(lang, u)) }
    })
}

/// Whether a notice's `url` may be a link (the loader refuses others; asked again so a
/// `javascript:` one is never a link).
fn web_address(u: &str) -> bool {
    crate::engine::model::is_web_address(u)
}
