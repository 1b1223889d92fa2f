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
use crate::engine::model::{Action, ChannelEffect, EffectSource, Kind};
use crate::engine::time::{Instant, DEFAULT_ZONE};
use crate::views::ical::rule_phrase;
use crate::views::ical::Lang;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};
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
        match self.lang {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
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

/// Every word on the pages, per language.
pub(crate) struct Labels {
    pub site: &'static str,
    pub nav_status: &'static str,
    pub nav_timeline: &'static str,
    pub nav_notices: &'static str,
    pub status_title: &'static str,
    pub as_at_prefix: &'static str,
    pub as_at_suffix: &'static str,
    pub fixed_clock: &'static str,
    pub fixed_clock_help: &'static str,
    pub expected_today: &'static str,
    pub during_window: &'static str,
    pub buyers_and_api: &'static str,
    pub for_functions: &'static str,
    pub chart_desc: &'static str,
    pub available: &'static str,
    pub tentative: &'static str,
    pub unavailable: &'static str,
    pub until: &'static str,
    pub no_change: &'static str,
    pub next: &'static str,
    pub none_announced: &'static str,
    pub in_progress: &'static str,
    pub upcoming: &'static str,
    pub standing: &'static str,
    pub since: &'static str,
    pub until_rule: &'static str,
    pub no_end: &'static str,
    pub when: &'static str,
    pub what: &'static str,
    pub functions: &'static str,
    pub notice: &'static str,
    pub kind: &'static str,
    pub confirmed: &'static str,
    pub tentative_days: &'static str,
    pub times_tba: &'static str,
    pub expected: &'static str,
    pub approx_prefix: &'static str,
    pub approx_suffix: &'static str,
    pub subscribe: &'static str,
    pub subscribe_help: &'static str,
    pub all_functions: &'static str,
    pub per_function: &'static str,
    pub api: &'static str,
    pub delays: &'static str,
    pub delay_usual: &'static str,
    pub delay_expected: &'static str,
    pub timeline_title: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub as_of: &'static str,
    pub as_of_help: &'static str,
    pub function: &'static str,
    pub show: &'static str,
    pub now: &'static str,
    pub legend_confirmed: &'static str,
    pub legend_tentative: &'static str,
    pub legend_approx: &'static str,
    pub legend_struck: &'static str,
    pub cancelled: &'static str,
    pub postponed: &'static str,
    pub replaced: &'static str,
    pub windows_in_range: &'static str,
    pub notices_title: &'static str,
    pub published: &'static str,
    pub published_unknown: &'static str,
    pub known_from: &'static str,
    pub source: &'static str,
    pub notes: &'static str,
    /// Before the notice's own (Japanese) title on an English page.
    pub original_title: &'static str,
    pub windows: &'static str,
    pub changes_to_others: &'static str,
    pub trail: &'static str,
    pub announced_as: &'static str,
    pub revised_to: &'static str,
    pub postponed_to: &'static str,
    pub cancelled_by: &'static str,
    pub ended: &'static str,
    pub changed: &'static str,
    pub postponed_tba: &'static str,
    pub pending: &'static str,
    pub incident: &'static str,
    pub incidents: &'static str,
    pub incident_in_progress: &'static str,
    pub unavailable_incident: &'static str,
    pub was: &'static str,
    pub originally: &'static str,
    pub occurrence_changed: &'static str,
    pub occurrence_excluded: &'static str,
    pub effects: &'static str,
    pub channel: &'static str,
    pub effect: &'static str,
    pub effect_source: &'static str,
    pub source_notice: &'static str,
    pub source_inferred: &'static str,
    pub source_default: &'static str,
    pub error_code: &'static str,
    pub page_shown: &'static str,
    pub message_shown: &'static str,
    pub not_found: &'static str,
    pub bad_request: &'static str,
    pub back: &'static str,
    pub note: &'static str,
    pub zone_note: &'static str,
    pub end_unknown: &'static str,
    pub inferred: &'static str,
    pub stays_available: &'static str,
    pub other_lang_name: &'static str,
}

const JA: Labels = Labels {
    site: "クロネコwebコレクト メンテナンス情報",
    nav_status: "現在の状況",
    nav_timeline: "タイムライン",
    nav_notices: "お知らせ一覧",
    status_title: "現在の状況",
    as_at_prefix: "",
    as_at_suffix: " 時点",
    fixed_clock: "固定した時刻で表示中",
    fixed_clock_help: "このサーバーは --now で指定した時刻を現在として表示しています。実際の現在時刻ではありません。",
    expected_today: "本日メンテナンス予定（時間未発表）",
    during_window: "期間",
    buyers_and_api: "メンテナンス中の購入者画面・API の応答",
    for_functions: "対象",
    chart_desc: "機能ごとのメンテナンスの時間帯を横棒で示した図。各時間帯の詳細とお知らせへのリンクは下の表にあります。",
    available: "利用可能",
    tentative: "停止の可能性あり（時間未定）",
    unavailable: "利用不可（メンテナンス中）",
    until: "次の変化",
    no_change: "予定なし",
    next: "次のメンテナンス",
    none_announced: "発表なし",
    in_progress: "メンテナンス実施中",
    upcoming: "今後90日間のメンテナンス",
    standing: "定例の利用不可時間帯",
    since: "開始",
    until_rule: "終了",
    no_end: "終了予定なし",
    when: "日時",
    what: "内容",
    functions: "対象機能",
    notice: "お知らせ",
    kind: "確度",
    confirmed: "確定",
    tentative_days: "日程のみ（時間未定）",
    times_tba: "時間未定",
    expected: "所要時間",
    approx_prefix: "",
    approx_suffix: "頃",
    subscribe: "カレンダー購読",
    subscribe_help: "カレンダーアプリで購読すると、変更・中止が自動で反映されます。",
    all_functions: "全ての機能",
    per_function: "機能別",
    api: "JSON API",
    delays: "処理の遅延（停止ではありません）",
    delay_usual: "通常",
    delay_expected: "予定",
    timeline_title: "タイムライン",
    from: "開始日",
    to: "終了日",
    as_of: "時点（この時点で分かっていた予定）",
    as_of_help: "過去の時点を指定すると、その時点で加盟店が知り得た予定を表示します。",
    function: "機能",
    show: "表示",
    now: "現在",
    legend_confirmed: "確定（塗りつぶし）",
    legend_tentative: "日程のみ・時間未定（斜線）",
    legend_approx: "終了時刻が目安（淡色）",
    legend_struck: "中止・延期（取り消し線）",
    cancelled: "中止",
    postponed: "延期",
    replaced: "変更",
    windows_in_range: "期間内のメンテナンス",
    notices_title: "お知らせ一覧",
    published: "公開",
    published_unknown: "公開日時不明",
    known_from: "反映開始",
    source: "出典",
    notes: "mado による読み取りの注記",
    original_title: "原題",
    windows: "メンテナンス",
    changes_to_others: "以前のお知らせへの変更",
    trail: "経緯",
    announced_as: "発表",
    revised_to: "変更",
    postponed_to: "延期",
    cancelled_by: "中止",
    ended: "終了",
    changed: "時間帯変更",
    postponed_tba: "延期（日程未定）",
    pending: "延期されたメンテナンス（日程未定）",
    incident: "障害",
    incidents: "障害",
    incident_in_progress: "障害発生中",
    unavailable_incident: "利用不可（障害）",
    was: "変更前",
    originally: "当初の予定",
    occurrence_changed: "この回のみ変更",
    occurrence_excluded: "この回は実施なし",
    effects: "接続方式ごとの影響",
    channel: "接続方式",
    effect: "影響",
    effect_source: "根拠",
    source_notice: "お知らせに記載",
    source_inferred: "推定",
    source_default: "既定（お知らせに記載なし）",
    error_code: "エラーコード",
    page_shown: "表示画面",
    message_shown: "表示メッセージ",
    not_found: "見つかりません",
    bad_request: "指定が正しくありません",
    back: "戻る",
    note: "備考",
    zone_note: "時刻は日本時間（JST, UTC+9）",
    end_unknown: "終了時刻未定",
    inferred: "推定した項目（お知らせに記載なし）",
    stays_available: "利用可能と明記",
    other_lang_name: "English",
};

const EN: Labels = Labels {
    site: "Kuroneko Web Collect maintenance",
    nav_status: "Status now",
    nav_timeline: "Timeline",
    nav_notices: "Notices",
    status_title: "Status now",
    as_at_prefix: "as at ",
    as_at_suffix: "",
    fixed_clock: "Fixed clock",
    fixed_clock_help: "This server shows the instant given with --now as the present. It is not the real time.",
    expected_today: "Maintenance expected today, times not announced",
    during_window: "When",
    buyers_and_api: "What buyers see and what the API returns during the window",
    for_functions: "for",
    chart_desc:
        "Bars show each function's maintenance windows over the range. The table below lists every window with a link to its notice.",
    available: "Available",
    tentative: "Possibly down (times to follow)",
    unavailable: "Unavailable (maintenance)",
    until: "Changes at",
    no_change: "no change announced",
    next: "Next maintenance",
    none_announced: "none announced",
    in_progress: "Maintenance in progress",
    upcoming: "Maintenance in the next 90 days",
    standing: "Standing blackouts",
    since: "since",
    until_rule: "until",
    no_end: "no end announced",
    when: "When",
    what: "What",
    functions: "Functions",
    notice: "Notice",
    kind: "Certainty",
    confirmed: "confirmed",
    tentative_days: "days only (times to follow)",
    times_tba: "times to follow",
    expected: "expected length",
    approx_prefix: "about ",
    approx_suffix: "",
    subscribe: "Subscribe in your calendar",
    subscribe_help: "A subscribed calendar follows revisions and cancellations by itself.",
    all_functions: "all functions",
    per_function: "per function",
    api: "JSON API",
    delays: "Delayed jobs (not outages)",
    delay_usual: "usually",
    delay_expected: "expected",
    timeline_title: "Timeline",
    from: "From",
    to: "To",
    as_of: "As known on",
    as_of_help: "Pick a past date to see the calendar a merchant could know then.",
    function: "Function",
    show: "Show",
    now: "now",
    legend_confirmed: "confirmed (filled)",
    legend_tentative: "days only, times to follow (hatched)",
    legend_approx: "approximate end (faded)",
    legend_struck: "cancelled or postponed (struck through)",
    cancelled: "cancelled",
    postponed: "postponed",
    replaced: "revised",
    windows_in_range: "Windows in this range",
    notices_title: "Notices",
    published: "Published",
    published_unknown: "publication time unknown",
    known_from: "Counted from",
    source: "Source",
    notes: "How mado reads this notice",
    original_title: "Original title",
    windows: "Maintenance windows",
    changes_to_others: "Changes to earlier notices",
    trail: "History",
    announced_as: "announced",
    revised_to: "revised to",
    postponed_to: "postponed to",
    cancelled_by: "cancelled",
    ended: "ended",
    changed: "hours changed",
    postponed_tba: "postponed, date to be announced",
    pending: "Postponed, date to be announced",
    incident: "incident",
    incidents: "Incidents",
    incident_in_progress: "Incident in progress",
    unavailable_incident: "Unavailable (incident)",
    was: "was",
    originally: "was",
    occurrence_changed: "this occurrence changed",
    occurrence_excluded: "this occurrence does not happen",
    effects: "What each channel shows",
    channel: "Channel",
    effect: "Effect",
    effect_source: "Basis",
    source_notice: "stated in the notice",
    source_inferred: "inferred",
    source_default: "default (the notice is silent)",
    error_code: "error code",
    page_shown: "page shown",
    message_shown: "message shown",
    not_found: "Not found",
    bad_request: "Bad request",
    back: "Back",
    note: "Note",
    zone_note: "Times are Japan Standard Time (JST, UTC+9)",
    end_unknown: "end not announced",
    inferred: "Inferred (the notice does not say)",
    stays_available: "stated to stay available",
    other_lang_name: "日本語",
};

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

fn weekday(lang: Lang, d: Weekday) -> &'static str {
    let i = d.num_days_from_monday() as usize;
    match lang {
        Lang::Ja => ["月", "火", "水", "木", "金", "土", "日"][i],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

/// `2023-11-13(月)` / `Mon 2023-11-13`.
pub(crate) fn day_text(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Ja => format!("{}({})", d.format("%Y-%m-%d"), weekday(lang, d.weekday())),
        Lang::En => format!("{} {}", weekday(lang, d.weekday()), d.format("%Y-%m-%d")),
    }
}

fn jst(t: &DateTime<FixedOffset>) -> DateTime<chrono_tz::Tz> {
    t.with_timezone(&DEFAULT_ZONE)
}

/// An instant: `<time datetime="…">2023-11-13(月) 02:00 JST</time>`.
pub(crate) fn instant(lang: Lang, t: &DateTime<FixedOffset>, approx: bool) -> Markup {
    let l = jst(t);
    let labels = if lang == Lang::Ja { &JA } else { &EN };
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
    let t = if lang == Lang::Ja { &JA } else { &EN };
    let (s, e) = (jst(&w.start), jst(&w.end));
    if w.kind == WindowKind::Tentative {
        let (first, last) = w.days.unwrap_or((s.date_naive(), (e - chrono::Duration::days(1)).date_naive()));
        let expected = w.expected_duration.as_deref().map(|d| {
            let a = if w.expected_duration_approx { (t.approx_prefix, if lang == Lang::Ja { "程度" } else { "" }) } else { ("", "") };
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
    let l = s.lineage(&w.notice, &w.window)?;
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
            span data-changed=(d.format("%Y-%m-%d").to_string()) {
                @match lang {
                    Lang::Ja => { "、" (day(lang, *d)) "に時間帯変更（" (t.was) ": " (was) "）" }
                    Lang::En => { "; hours changed on " (day(lang, *d)) " (" (t.was) " " (was) ")" }
                }
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
            span data-category="incident" { @match lang { Lang::Ja => { "【" (t.incident) "】" } Lang::En => { "[" (t.incident) "] " } } }
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
