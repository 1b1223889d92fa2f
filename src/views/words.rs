//! Every word mado shows a person, in both languages, in one room: the text view's labels,
//! the feed's sentences and categories, the pages' labels, and the phrases shared by them
//! (rules, weekdays, inferred fields, where a schedule came from). A view picks its words
//! here and arranges them; it writes no Japanese or English of its own. A notice's own
//! words (titles, notes, effects) are not here: they come from the notice file, in the
//! model's [`Bilingual`](crate::engine::model::Bilingual) texts.
//!
//! Rules for what is here: nothing in English output is left Japanese when an English word
//! exists (a notice's own wording is quoted, not translated); a text that must be short is cut
//! at a word or label boundary ([`cut_at_boundary`]), never inside a word.

use crate::engine::model::{Action, Kind, Lang, Shape};

/// The words of the text view, in one language.
pub(crate) struct TextWords {
    /// Before an effect's error code, page and message, and the quotes around them.
    pub(crate) effect_labels: (&'static str, &'static str, &'static str, (&'static str, &'static str)),
    /// The plural of `window`.
    pub(crate) windows: &'static str,
    pub(crate) available: &'static str,
    pub(crate) unavailable: &'static str,
    pub(crate) tentative: &'static str,
    pub(crate) until: &'static str,
    pub(crate) until_close: &'static str,
    pub(crate) confirmed: &'static str,
    pub(crate) tentative_kind: &'static str,
    pub(crate) sequence: &'static str,
    pub(crate) next: &'static str,
    pub(crate) no_window: &'static str,
    pub(crate) maintenance: &'static str,
    /// Before each entry of a window's `advice`.
    pub(crate) advice: &'static str,
    pub(crate) times_tba: &'static str,
    pub(crate) expected: &'static str,
    pub(crate) dates_only: &'static str,
    pub(crate) function: &'static str,
    pub(crate) at: &'static str,
    pub(crate) for_: &'static str,
    pub(crate) as_of: &'static str,
    pub(crate) window: &'static str,
    pub(crate) covers: &'static str,
    pub(crate) stays_available: &'static str,
    pub(crate) replaced: &'static str,
    pub(crate) postponed: &'static str,
    pub(crate) postponed_tba: &'static str,
    pub(crate) cancelled: &'static str,
    pub(crate) ended: &'static str,
    pub(crate) changed: &'static str,
    pub(crate) incident: &'static str,
    pub(crate) pending: &'static str,
    pub(crate) was: &'static str,
    pub(crate) by: &'static str,
    pub(crate) notice: &'static str,
    pub(crate) known_from: &'static str,
    pub(crate) source: &'static str,
    pub(crate) default: &'static str,
    /// An effect with no error code, page, message or note (a catalogue default left empty).
    pub(crate) nothing_stated: &'static str,
    pub(crate) inferred: &'static str,
    pub(crate) end_unknown: &'static str,
    pub(crate) affected: &'static str,
    pub(crate) stated: &'static str,
    pub(crate) answered_from: &'static str,
    pub(crate) cut: &'static str,
    pub(crate) delay: &'static str,
    pub(crate) usually: &'static str,
    pub(crate) expected_at: &'static str,
    pub(crate) approx_before: &'static str,
    pub(crate) approx_after: &'static str,
}

const TEXT_JA: TextWords = TextWords {
    effect_labels: ("エラーコード", "画面", "メッセージ", ("「", "」")),
    windows: "窓",
    available: "利用可",
    unavailable: "利用不可",
    tentative: "未確定",
    until: "（次の変化",
    until_close: "）",
    confirmed: "確定",
    tentative_kind: "日付のみ",
    sequence: "版",
    next: "次",
    no_window: "予定されたメンテナンスなし",
    maintenance: "メンテナンス",
    advice: "加盟店の対応",
    times_tba: "時間未定",
    expected: "所要",
    dates_only: "（日付のみ発表、時間未定）",
    function: "機能",
    at: "日時",
    for_: "対象期間",
    as_of: "時点",
    window: "窓",
    covers: "対象",
    stays_available: "利用可と明記",
    replaced: "変更",
    postponed: "延期",
    postponed_tba: "延期（日程未定）",
    cancelled: "中止",
    ended: "終了",
    changed: "時間帯を変更",
    incident: "障害",
    pending: "延期されたメンテナンス（新しい日程は未定）",
    was: "当初",
    by: "：",
    notice: "お知らせ",
    known_from: "公開",
    source: "出典",
    default: "［お知らせに記載なし：既定］",
    nothing_stated: "（記載なし）",
    inferred: "推定",
    end_unknown: "終了時刻未定",
    affected: "下位機能",
    stated: "お知らせが利用可と明記",
    answered_from: "回答の根拠",
    cut: "件で打ち切り：範囲を狭めるか --limit を増やしてください",
    delay: "遅延",
    usually: "通常",
    expected_at: "見込み",
    approx_before: "",
    approx_after: "頃",
};

const TEXT_EN: TextWords = TextWords {
    effect_labels: ("error", "page ", "message ", ("«", "»")),
    windows: "windows",
    available: "available",
    unavailable: "unavailable",
    tentative: "tentative",
    until: " (until",
    until_close: ")",
    confirmed: "confirmed",
    tentative_kind: "tentative",
    sequence: "sequence",
    next: "next",
    no_window: "no window ahead",
    maintenance: "maintenance",
    advice: "what to do",
    times_tba: "times not announced",
    expected: "expected",
    dates_only: " (date announced, times not yet)",
    function: "function",
    at: "at",
    for_: "for",
    as_of: "as of",
    window: "window",
    covers: "covers",
    stays_available: "stated available",
    replaced: "replaced",
    postponed: "postponed",
    postponed_tba: "postponed, date to be announced",
    cancelled: "cancelled",
    ended: "ended",
    changed: "hours changed",
    incident: "incident",
    pending: "maintenance postponed, new date to be announced",
    was: "was",
    by: " by ",
    notice: "notice",
    known_from: "known from",
    source: "source",
    default: "[not in the notice: catalogue default]",
    nothing_stated: "(nothing stated)",
    inferred: "inferred",
    end_unknown: "end not announced",
    affected: "child",
    stated: "a notice states it stays available",
    answered_from: "answered from",
    cut: " windows shown: narrow the range or raise --limit",
    delay: "delay",
    usually: "usually",
    expected_at: "expected",
    approx_before: "about ",
    approx_after: "",
};

/// The text view's words in `lang`.
pub(crate) fn text(lang: Lang) -> &'static TextWords {
    match lang {
        Lang::Ja => &TEXT_JA,
        Lang::En => &TEXT_EN,
    }
}

/// The words of window lists and the status screen (`mado windows`, `status`, `next`).
pub(crate) struct ListWords {
    pub(crate) one_off: &'static str,
    pub(crate) rules: &'static str,
    pub(crate) none: &'static str,
    pub(crate) since: &'static str,
    pub(crate) occurrences: &'static str,
    pub(crate) changed: &'static str,
    pub(crate) cancelled: &'static str,
    pub(crate) tentative: &'static str,
    pub(crate) postponed: &'static str,
    pub(crate) incident: &'static str,
    pub(crate) as_of: &'static str,
    pub(crate) windows: &'static str,
    pub(crate) cut: &'static str,
    pub(crate) available: &'static str,
    pub(crate) unavailable: &'static str,
    pub(crate) tentative_status: &'static str,
    pub(crate) until: &'static str,
    pub(crate) no_change: &'static str,
    pub(crate) in_progress: &'static str,
    pub(crate) pending: &'static str,
    pub(crate) coming: &'static str,
    pub(crate) all_up: &'static str,
    pub(crate) of: &'static str,
    pub(crate) buyers_see: &'static str,
    pub(crate) next: &'static str,
    pub(crate) no_next: &'static str,
    pub(crate) quotes: (&'static str, &'static str),
    pub(crate) error: &'static str,
    pub(crate) page: &'static str,
    pub(crate) message: &'static str,
}

const LIST_EN: ListWords = ListWords {
    one_off: "One-off windows",
    rules: "Standing rules",
    none: "no windows",
    since: "since",
    occurrences: "occurrences in this range",
    changed: "changed",
    cancelled: "cancelled",
    tentative: "tentative: times not announced",
    postponed: "postponed: new date to be announced",
    incident: "incident",
    as_of: "as of",
    windows: "Windows",
    cut: "the list was cut at --limit: narrow the range or raise it",
    available: "available",
    unavailable: "unavailable",
    tentative_status: "tentative",
    until: "until",
    no_change: "no change ahead",
    in_progress: "In progress",
    pending: "Postponed, new date to be announced",
    coming: "Coming",
    all_up: "all functions available",
    of: "of",
    buyers_see: "buyers see",
    next: "next",
    no_next: "no window",
    quotes: ("«", "»"),
    error: "error",
    page: "page ",
    message: "message ",
};

const LIST_JA: ListWords = ListWords {
    one_off: "単発のメンテナンス",
    rules: "定例のメンテナンス",
    none: "メンテナンスなし",
    since: "開始",
    occurrences: "回（この期間）",
    changed: "変更",
    cancelled: "中止",
    tentative: "未確定：時間未定",
    postponed: "延期：新しい日程は未定",
    incident: "障害",
    as_of: "時点",
    windows: "メンテナンス",
    cut: "--limit で打ち切り：範囲を狭めるか増やしてください",
    available: "利用可",
    unavailable: "利用不可",
    tentative_status: "未確定",
    until: "次の変化",
    no_change: "予定された変化なし",
    in_progress: "実施中",
    pending: "延期（新しい日程は未定）",
    coming: "今後の予定",
    all_up: "全機能 利用可",
    of: "/",
    buyers_see: "購入者に見えるもの",
    next: "次",
    no_next: "メンテナンスの予定なし",
    quotes: ("「", "」"),
    error: "エラーコード",
    page: "画面",
    message: "メッセージ",
};

/// The list words in `lang`.
pub(crate) fn list(lang: Lang) -> &'static ListWords {
    match lang {
        Lang::Ja => &LIST_JA,
        Lang::En => &LIST_EN,
    }
}

/// Every word on the pages (status, timeline, notices), per language.
#[cfg(feature = "html")]
pub(crate) struct PageWords {
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
    /// Heads what merchants can do during a window, as its notice says it (`advice`).
    pub merchants_can: &'static str,
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
    /// Between `was` and the earlier hours, and the bracket that closes them.
    pub was_sep: &'static str,
    pub close_paren: &'static str,
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
    /// Who publishes a window's notices (docs/providers.md), with two or more providers.
    pub provider: &'static str,
}

#[cfg(feature = "html")]
const PAGE_JA: PageWords = PageWords {
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
    merchants_can: "加盟店の対応（お知らせより）",
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
    was_sep: ": ",
    close_paren: "）",
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
    provider: "提供元",
};

#[cfg(feature = "html")]
const PAGE_EN: PageWords = PageWords {
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
    merchants_can: "What merchants can do (from the notice)",
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
    was_sep: " ",
    close_paren: ")",
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
    provider: "Provider",
};

/// The pages' words in `lang`.
#[cfg(feature = "html")]
pub(crate) fn page(lang: Lang) -> &'static PageWords {
    match lang {
        Lang::Ja => &PAGE_JA,
        Lang::En => &PAGE_EN,
    }
}

/// The feed's fixed words, in one language.
pub(crate) struct FeedWords {
    /// `PRODID`.
    pub(crate) prodid: &'static str,
    /// The calendar's name (`NAME`, `X-WR-CALNAME`), before `: <function>` in a function's feed.
    pub(crate) calendar: &'static str,
    /// Before the window's times.
    pub(crate) when: &'static str,
    pub(crate) end_unknown: &'static str,
    pub(crate) end_approximate: &'static str,
    /// In a SUMMARY: the end is not announced.
    pub(crate) summary_end_unknown: &'static str,
    pub(crate) functions: &'static str,
    pub(crate) effects: &'static str,
    /// Heads the list of what merchants can do (the window's `advice`).
    pub(crate) advice: &'static str,
    pub(crate) notice: &'static str,
    pub(crate) revised: &'static str,
    pub(crate) source: &'static str,
    pub(crate) error_code: &'static str,
    pub(crate) inferred_mark: &'static str,
    pub(crate) default_mark: &'static str,
    /// Joins labels in a list.
    pub(crate) list_sep: &'static str,
    /// Joins two times of day: `23:00〜01:00`, `23:00–01:00`.
    pub(crate) range_sep: &'static str,
    /// Quotes a screen's name or a message.
    pub(crate) quotes: (&'static str, &'static str),
    /// Around an approximate time: `about 01:30`, `1:30頃`.
    pub(crate) approx: (&'static str, &'static str),
    /// Opens a function label's parenthesised detail (cut off in short labels).
    pub(crate) detail_open: &'static str,
}

const FEED_JA: FeedWords = FeedWords {
    prodid: "-//mado//Kuroneko Web Collect maintenance windows//JA",
    calendar: "クロネコwebコレクト メンテナンス",
    when: "日時",
    end_unknown: "終了時刻未定",
    end_approximate: "終了時刻は目安です。",
    summary_end_unknown: "（終了未定）",
    functions: "影響する機能",
    effects: "各方式の影響",
    advice: "加盟店の対応（お知らせより）",
    notice: "お知らせ",
    revised: "変更",
    source: "出典",
    error_code: "エラーコード",
    inferred_mark: "（推定）",
    default_mark: "（お知らせに記載なし：既定）",
    list_sep: "、",
    range_sep: "〜",
    quotes: ("「", "」"),
    approx: ("", "頃"),
    detail_open: "（",
};

const FEED_EN: FeedWords = FeedWords {
    prodid: "-//mado//Kuroneko Web Collect maintenance windows//EN",
    calendar: "Kuroneko Web Collect maintenance",
    when: "When",
    end_unknown: "end not announced",
    end_approximate: "The end time is approximate.",
    summary_end_unknown: ", end not announced",
    functions: "Affected functions",
    effects: "What each channel sees",
    advice: "What merchants can do (from the notice)",
    notice: "Notice",
    revised: "Revised",
    source: "Source",
    error_code: "error code",
    inferred_mark: "(inferred)",
    default_mark: "(not in the notice: default)",
    list_sep: ", ",
    range_sep: "–",
    quotes: ("「", "」"),
    approx: ("about ", ""),
    detail_open: " (",
};

/// The name of the feed and of the Statuspage-compatible page: the service's own
/// (`calendar`) with one provider or none; with two or more, what they have in common and
/// each provider's label, so that no provider's name stands for the others'.
pub(crate) fn service_name(cat: &crate::engine::model::Catalogue, lang: Lang) -> std::borrow::Cow<'static, str> {
    let labels: Vec<&str> = cat.providers().iter().map(|p| p.label(lang)).collect();
    if labels.len() < 2 {
        return feed(lang).calendar.into();
    }
    match lang {
        Lang::Ja => format!("メンテナンス（{}）", labels.join("・")).into(),
        Lang::En => format!("Maintenance: {}", labels.join(", ")).into(),
    }
}

/// The feed's words in `lang`.
pub(crate) fn feed(lang: Lang) -> &'static FeedWords {
    match lang {
        Lang::Ja => &FEED_JA,
        Lang::En => &FEED_EN,
    }
}

/// `text` marked approximate (`about 01:30`, `01:30頃`) when `flag`.
pub(crate) fn approx(lang: Lang, flag: bool, text: &str) -> String {
    let (before, after) = feed(lang).approx;
    if flag {
        format!("{before}{text}{after}")
    } else {
        text.to_string()
    }
}

/// Day `i` of the week (0 = Monday): `月`, `Monday`.
pub(crate) fn weekday(lang: Lang, i: usize) -> &'static str {
    const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    const EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    match lang {
        Lang::Ja => JA[i % 7],
        Lang::En => EN[i % 7],
    }
}

/// Day `i` of the week (0 = Monday) in short: `月`, `Mon`.
#[cfg(feature = "html")]
pub(crate) fn weekday_short(lang: Lang, i: usize) -> &'static str {
    const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    match lang {
        Lang::Ja => JA[i % 7],
        Lang::En => EN[i % 7],
    }
}

/// A day with its weekday: `2023-11-13(月)`, `Mon 2023-11-13`.
#[cfg(feature = "html")]
pub(crate) fn day_with_weekday(lang: Lang, date: &str, weekday: usize) -> String {
    match lang {
        Lang::Ja => format!("{date}({})", weekday_short(lang, weekday)),
        Lang::En => format!("{} {date}", weekday_short(lang, weekday)),
    }
}

/// Around an expected duration that is approximate: `about 4h`, `4h程度`.
#[cfg(feature = "html")]
pub(crate) fn about_duration(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Ja => ("", "程度"),
        Lang::En => ("about ", ""),
    }
}

/// Around an approximate end in short texts (tooltips, bar labels): `05:30頃`, `~05:30`.
#[cfg(feature = "html")]
pub(crate) fn approx_end_short(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Ja => ("", "頃"),
        Lang::En => ("~", ""),
    }
}

/// Around an incident's name on the pages: `【障害】`, `[incident] `.
#[cfg(feature = "html")]
pub(crate) fn incident_brackets(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Ja => ("【", "】"),
        Lang::En => ("[", "] "),
    }
}

/// Before and after the day a standing rule's hours changed on the pages:
/// `、2025-07-01(火)に時間帯変更（`, `; hours changed on Tue 2025-07-01 (`.
#[cfg(feature = "html")]
pub(crate) fn hours_changed_on(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Ja => ("、", "に時間帯変更（"),
        Lang::En => ("; hours changed on ", " ("),
    }
}

/// `FREQ=DAILY` as "every day" / "毎日"; weekly and monthly rules likewise; anything else as
/// written (`RRULE:…`, without `UNTIL` and `COUNT`, which the caller shows in words).
pub(crate) fn rule_words(lang: Lang, text: &str) -> String {
    let get = |k: &str| text.split(';').find_map(|p| p.strip_prefix(k).and_then(|v| v.strip_prefix('=')));
    let interval: u32 = get("INTERVAL").and_then(|v| v.parse().ok()).unwrap_or(1);
    let plain =
        text.split(';').all(|p| ["FREQ=", "INTERVAL=", "BYDAY=", "BYMONTHDAY=", "UNTIL=", "COUNT="].iter().any(|k| p.starts_with(k)));
    // Weekdays by name; `None` when one is not a plain weekday (an ordinal such as `1MO`).
    let days = |v: &str| {
        v.split(',')
            .map(|d| ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].iter().position(|x| *x == d).map(|i| weekday(lang, i)))
            .collect::<Option<Vec<_>>>()
    };
    let by_day = get("BYDAY").map(days);
    match (plain, get("FREQ"), by_day, get("BYMONTHDAY"), interval, lang) {
        (true, Some("DAILY"), None, None, 1, Lang::Ja) => "毎日".into(),
        (true, Some("DAILY"), None, None, 1, Lang::En) => "every day".into(),
        (true, Some("DAILY"), None, None, n, Lang::Ja) => format!("{n}日ごと"),
        (true, Some("DAILY"), None, None, n, Lang::En) => format!("every {n} days"),
        (true, Some("WEEKLY"), Some(Some(d)), None, 1, Lang::Ja) => format!("毎週{}曜日", d.join("・")),
        (true, Some("WEEKLY"), Some(Some(d)), None, 1, Lang::En) => format!("every {}", d.join(", ")),
        (true, Some("MONTHLY"), None, Some(d), 1, Lang::Ja) => format!("毎月{d}日"),
        (true, Some("MONTHLY"), None, Some(d), 1, Lang::En) => format!("every month on day {d}"),
        _ => {
            let bare: Vec<&str> = text.split(';').filter(|p| !p.starts_with("UNTIL=") && !p.starts_with("COUNT=")).collect();
            format!("RRULE:{}", bare.join(";"))
        }
    }
}

/// A standing rule's line: `定例: 毎日 23:00〜01:00（2023-10-10から）`,
/// `Standing rule: every day 23:00–01:00, since 2023-10-10, last on 2024-03-31`.
pub(crate) fn standing_rule(lang: Lang, every: &str, hours: (&str, &str), since: &str, last: Option<&str>) -> String {
    let sep = feed(lang).range_sep;
    let (from, to) = hours;
    match (lang, last) {
        (Lang::Ja, None) => format!("定例: {every} {from}{sep}{to}（{since}から）"),
        (Lang::Ja, Some(last)) => format!("定例: {every} {from}{sep}{to}（{since}から{last}まで）"),
        (Lang::En, None) => format!("Standing rule: {every} {from}{sep}{to}, since {since}"),
        (Lang::En, Some(last)) => format!("Standing rule: {every} {from}{sep}{to}, since {since}, last on {last}"),
    }
}

/// The line saying a standing rule's hours changed from `day` by notice `by`: after the
/// change, what the hours were (`after`); before it, what they became.
pub(crate) fn hours_changed(lang: Lang, day: &str, by: &str, phrase: &str, after: bool) -> String {
    match (lang, after) {
        (Lang::Ja, true) => format!("{day}から時間帯変更（お知らせ {by}）: 変更前は{phrase}"),
        (Lang::Ja, false) => format!("{day}から時間帯変更（お知らせ {by}）: 変更後は{phrase}"),
        (Lang::En, true) => format!("Hours changed from {day} by notice {by}: previously {phrase}"),
        (Lang::En, false) => format!("Hours changed from {day} by notice {by}: from then on {phrase}"),
    }
}

/// An inferred field in words: `published` is 公開日 / publication; `effects.<channel>` names
/// the channel by `channel_label` (its label in `lang`, where the catalogue has it).
pub(crate) fn field_label(lang: Lang, field: &str, channel_label: Option<&str>) -> String {
    if let Some(ch) = field.strip_prefix("effects.") {
        let label = channel_label.unwrap_or(ch);
        return match lang {
            Lang::Ja => format!("{label}の影響"),
            Lang::En => format!("effect on the {label}"),
        };
    }
    let words = match field {
        "published" => ("公開日", "publication"),
        "functions" => ("対象機能", "functions"),
        "start" => ("開始時刻", "start"),
        "end" => ("終了時刻", "end"),
        "date" => ("日付", "date"),
        "duration" => ("所要時間", "duration"),
        "title" => ("件名", "title"),
        other => (other, other),
    };
    (if lang == Lang::Ja { words.0 } else { words.1 }).to_string()
}

/// An inferred field's line in the feed: `推定（対象機能）: …`, `Inferred (functions): …`.
pub(crate) fn inferred_line(lang: Lang, field: &str, reason: &str) -> String {
    match lang {
        Lang::Ja => format!("推定（{field}）: {reason}"),
        Lang::En => format!("Inferred ({field}): {reason}"),
    }
}

/// What a revision did, in a feed line: `時間変更`, `times changed`.
pub(crate) fn action(lang: Lang, action: Action) -> &'static str {
    match (action, lang) {
        (Action::Cancel, Lang::Ja) => "中止",
        (Action::Postpone, Lang::Ja) => "延期",
        (Action::End, Lang::Ja) => "終了",
        (Action::Change, Lang::Ja) => "時間帯変更",
        (_, Lang::Ja) => "時間変更",
        (Action::Cancel, Lang::En) => "cancelled",
        (Action::Postpone, Lang::En) => "postponed",
        (Action::End, Lang::En) => "ended",
        (Action::Change, Lang::En) => "hours changed",
        (_, Lang::En) => "times changed",
    }
}

/// A notice with no publication given: `不明（…までに公開）`, `unknown (public by …)`.
pub(crate) fn published_unknown(lang: Lang, by: &str) -> String {
    match lang {
        Lang::Ja => format!("不明（{by}までに公開）"),
        Lang::En => format!("unknown (public by {by})"),
    }
}

/// The first line of an incident's description.
pub(crate) fn incident_heading(lang: Lang, what: &str) -> String {
    match lang {
        Lang::Ja => format!("【障害】{what}"),
        Lang::En => format!("Incident: {what}"),
    }
}

/// What took a window off the schedule: postponed with no date (`postponed`), else cancelled.
pub(crate) fn ended_sentence(lang: Lang, incident: bool, postponed: bool) -> &'static str {
    match (lang, incident, postponed) {
        (Lang::Ja, false, true) => "このメンテナンスは延期されました（新しい日程は未定）。",
        (Lang::Ja, true, true) => "この障害の対応は延期されました（新しい日程は未定）。",
        (Lang::En, false, true) => "This maintenance was postponed; the new date is to be announced.",
        (Lang::En, true, true) => "The work on this incident was postponed; the new date is to be announced.",
        (Lang::Ja, false, false) => "このメンテナンスは中止されました。",
        (Lang::Ja, true, false) => "この障害の情報は取り消されました。",
        (Lang::En, false, false) => "This maintenance was cancelled.",
        (Lang::En, true, false) => "This incident was withdrawn.",
    }
}

/// A tentative day's line: times to follow, and the expected duration when given.
pub(crate) fn times_to_follow(lang: Lang, expected: Option<&str>, approx: bool) -> String {
    match (lang, expected) {
        (Lang::Ja, Some(e)) => format!("時間は未定。所要時間: {e}{}", if approx { "程度" } else { "" }),
        (Lang::Ja, None) => "時間は未定。".to_string(),
        (Lang::En, Some(e)) => format!("Times to follow. Expected duration: {}{e}", if approx { "about " } else { "" }),
        (Lang::En, None) => "Times to follow.".to_string(),
    }
}

/// The feed's CATEGORIES: what the window is, and its state.
/// `ended`: what took it off the schedule (`Postpone` for a date to be announced).
pub(crate) fn categories(lang: Lang, kind: Kind, ended: Option<Action>, shape: &Shape) -> (&'static str, &'static str) {
    let incident = kind == Kind::Incident;
    let state = match (lang, ended, shape) {
        (Lang::Ja, Some(Action::Postpone), _) => "延期",
        (Lang::Ja, Some(_), _) => "中止",
        (Lang::Ja, None, Shape::Confirmed { .. }) => "確定",
        (Lang::Ja, None, Shape::Tentative { .. }) => "時間未定",
        (Lang::Ja, None, Shape::Recurring { .. }) if incident => "定例",
        (Lang::Ja, None, Shape::Recurring { .. }) => "定例停止",
        (Lang::En, Some(Action::Postpone), _) => "postponed",
        (Lang::En, Some(_), _) => "cancelled",
        (Lang::En, None, Shape::Confirmed { .. }) => "confirmed",
        (Lang::En, None, Shape::Tentative { .. }) => "tentative",
        (Lang::En, None, Shape::Recurring { .. }) if incident => "recurring",
        (Lang::En, None, Shape::Recurring { .. }) => "standing blackout",
    };
    let head = match (lang, kind) {
        (Lang::Ja, Kind::Maintenance) => "メンテナンス",
        (Lang::Ja, Kind::Incident) => "障害",
        (Lang::En, Kind::Maintenance) => "maintenance",
        (Lang::En, Kind::Incident) => "incident",
    };
    (head, state)
}

/// The head of a SUMMARY: what the window is, and whether it still happens.
pub(crate) fn summary_head(lang: Lang, kind: Kind, ended: Option<Action>, shape: &Shape) -> &'static str {
    match (lang, kind, ended, shape) {
        (Lang::Ja, Kind::Maintenance, Some(Action::Postpone), _) => "【延期・日程未定】メンテナンス",
        (Lang::Ja, Kind::Maintenance, Some(_), _) => "【中止】メンテナンス",
        (Lang::Ja, Kind::Maintenance, None, Shape::Tentative { .. }) => "【時間未定】メンテナンス",
        (Lang::Ja, Kind::Maintenance, None, Shape::Recurring { .. }) => "定例停止",
        (Lang::Ja, Kind::Maintenance, None, _) => "メンテナンス",
        (Lang::Ja, Kind::Incident, Some(Action::Postpone), _) => "【延期・日程未定】障害",
        (Lang::Ja, Kind::Incident, Some(_), _) => "【取消】障害",
        (Lang::Ja, Kind::Incident, None, Shape::Tentative { .. }) => "【時間未定】障害",
        (Lang::Ja, Kind::Incident, None, _) => "障害",
        (Lang::En, Kind::Maintenance, Some(Action::Postpone), _) => "Postponed, date TBA",
        (Lang::En, Kind::Maintenance, Some(_), _) => "Cancelled maintenance",
        (Lang::En, Kind::Maintenance, None, Shape::Tentative { .. }) => "Maintenance (times TBA)",
        (Lang::En, Kind::Maintenance, None, Shape::Recurring { .. }) => "Standing blackout",
        (Lang::En, Kind::Maintenance, None, _) => "Maintenance",
        (Lang::En, Kind::Incident, Some(Action::Postpone), _) => "Incident postponed, date TBA",
        (Lang::En, Kind::Incident, Some(_), _) => "Withdrawn incident",
        (Lang::En, Kind::Incident, None, Shape::Tentative { .. }) => "Incident (times TBA)",
        (Lang::En, Kind::Incident, None, _) => "Incident",
    }
}

/// Function labels for a short line: one; two joined; more as the first and a count.
pub(crate) fn short_list(lang: Lang, labels: &[&str]) -> String {
    match (labels, lang) {
        ([one], _) => (*one).to_string(),
        ([a, b], Lang::Ja) => format!("{a}・{b}"),
        ([a, b], Lang::En) => format!("{a}, {b}"),
        ([a, rest @ ..], Lang::Ja) => format!("{a}ほか{}件", rest.len()),
        ([a, rest @ ..], Lang::En) => format!("{a} and {} more", rest.len()),
        ([], _) => String::new(),
    }
}

/// A SUMMARY's approximate times: `（1:00頃〜5:30頃）`, `, about 01:00–about 05:30`; empty
/// when neither is approximate.
pub(crate) fn summary_times(lang: Lang, start: &str, end: &str, start_approx: bool, end_approx: bool) -> String {
    match (lang, start_approx, end_approx) {
        (Lang::Ja, true, true) => format!("（{start}頃〜{end}頃）"),
        (Lang::Ja, false, true) => format!("（〜{end}頃）"),
        (Lang::Ja, true, false) => format!("（{start}頃〜）"),
        (Lang::En, true, true) => format!(", about {start}–about {end}"),
        (Lang::En, false, true) => format!(", until about {end}"),
        (Lang::En, true, false) => format!(", from about {start}"),
        (_, false, false) => String::new(),
    }
}

/// `text` in at most `max` characters, cut at a word or label boundary (a space, a comma,
/// `・`, `、`, or a change between Japanese and Latin script) and marked with `…`. A text that
/// fits is returned whole; one with no boundary in reach is cut before its first word.
pub(crate) fn cut_at_boundary(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(1);
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ',' | '・' | '、' | '（' | '(' | '/' | '／');
    let latin = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '\'' | '.');
    // A boundary before `i`: a separator on either side, or a change between Latin script
    // and another (a Japanese label next to an English word).
    let boundary = |i: usize| {
        let (a, b) = (chars[i - 1], chars[i]);
        is_sep(a) || is_sep(b) || latin(a) != latin(b)
    };
    let cut = (1..=room.min(chars.len() - 1)).rev().find(|&i| boundary(i)).unwrap_or(room);
    let kept: String = chars[..cut].iter().collect();
    format!("{}…", kept.trim_end_matches(|c: char| is_sep(c)))
}

/// Where a schedule came from, in one line: the embedded copy (with its notice count and
/// build date) or a directory.
pub fn schedule_source(dir: Option<&std::path::Path>, notices: usize, built: &str, lang: Lang) -> String {
    match (dir, lang) {
        (None, Lang::En) => format!("embedded schedules ({notices} notices, built {built})"),
        (None, Lang::Ja) => format!("組み込みのスケジュール（お知らせ {notices} 件、{built} ビルド）"),
        (Some(d), Lang::En) => format!("schedules from {} ({notices} notices)", d.display()),
        (Some(d), Lang::Ja) => format!("{} のスケジュール（お知らせ {notices} 件）", d.display()),
    }
}

/// An occurrence's line naming the notice that changed it.
pub(crate) fn occurrence_changed_by(lang: Lang, title: &str, id: &str) -> String {
    match lang {
        Lang::Ja => format!("この回の変更: {title} ({id})"),
        Lang::En => format!("This occurrence changed by: {title} ({id})"),
    }
}

pub(crate) fn statuspage_action(a: Action, ja: bool) -> &'static str {
    match (a, ja) {
        (Action::Original, true) => "告知",
        (Action::Original, false) => "Announced",
        (Action::Replace, true) => "変更",
        (Action::Replace, false) => "Changed",
        (Action::Postpone, true) => "延期",
        (Action::Postpone, false) => "Postponed",
        (Action::Cancel, true) => "中止",
        (Action::Cancel, false) => "Cancelled",
        (Action::End, true) => "終了",
        (Action::End, false) => "Ended",
        (Action::Change, true) => "時間変更",
        (Action::Change, false) => "Hours changed",
    }
}

/// A version's times in words, with what the Statuspage fields cannot say: a tentative
/// day's unknown hours, an approximate start or end, an end not announced.
pub(crate) fn statuspage_times(d: &crate::engine::answer::WindowInfo, ja: bool) -> String {
    let day = |t: chrono::DateTime<chrono::FixedOffset>| t.format("%Y-%m-%d").to_string();
    let hm = |t: chrono::DateTime<chrono::FixedOffset>| t.format("%Y-%m-%d %H:%M").to_string();
    let about = |approx: bool| match (approx, ja) {
        (true, true) => "頃",
        (true, false) => " (approximate)",
        _ => "",
    };
    let tod = |t: chrono::DateTime<chrono::FixedOffset>| t.format("%H:%M").to_string();
    if let Some(rule) = &d.rrule {
        return match ja {
            true => format!(": 繰り返し（RRULE {rule}）{}〜{} JST", tod(d.start), tod(d.end)),
            false => format!(": repeating (RRULE {rule}), {} to {} JST", tod(d.start), tod(d.end)),
        };
    }
    match (d.kind, ja) {
        (crate::engine::answer::WindowKind::Tentative, true) => match d.days {
            Some((a, b)) if a != b => format!(": {a}〜{b}（日は告知済み、時刻は未定）"),
            _ => format!(": {}（日は告知済み、時刻は未定）", day(d.start)),
        },
        (crate::engine::answer::WindowKind::Tentative, false) => match d.days {
            Some((a, b)) if a != b => format!(": {a} to {b} (the days are announced, the hours are not)"),
            _ => format!(": {} (the day is announced, the hours are not)", day(d.start)),
        },
        (_, true) if d.end_unknown => format!(": {}{}から（終了時刻は未発表）", hm(d.start), about(d.start_approx)),
        (_, false) if d.end_unknown => format!(": from {}{} (end not announced)", hm(d.start), about(d.start_approx)),
        (_, true) => format!(": {}{}〜{}{} JST", hm(d.start), about(d.start_approx), hm(d.end), about(d.end_approx)),
        (_, false) => format!(": {}{} to {}{} JST", hm(d.start), about(d.start_approx), hm(d.end), about(d.end_approx)),
    }
}

/// The fixed sentences of the Statuspage-compatible updates.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sentence {
    /// After "Postponed": no new date.
    DateTba,
    /// Ends a sentence before the notice's note.
    Stop,
    /// The scheduled start passed (mado has no report of it).
    StartPassed,
    /// The scheduled end passed.
    EndPassed,
    /// The approximate end passed.
    ApproxEndPassed,
}

/// A Statuspage update's fixed sentence, in Japanese (`ja`) or English.
pub(crate) fn statuspage_sentence(ja: bool, s: Sentence) -> &'static str {
    match (s, ja) {
        (Sentence::DateTba, true) => "：新しい日程は未定",
        (Sentence::DateTba, false) => ": the new date is to be announced",
        (Sentence::Stop, true) => "。",
        (Sentence::Stop, false) => ". ",
        (Sentence::StartPassed, true) => "予定の開始時刻になりました（開始の報告は mado にはありません）。",
        (Sentence::StartPassed, false) => "The scheduled start has passed (mado has no report of the start).",
        (Sentence::ApproxEndPassed, true) => "終了予定時刻（〜頃）を過ぎました（終了の報告は mado にはありません）。",
        (Sentence::ApproxEndPassed, false) => "The approximate end given has passed (mado has no report of the end).",
        (Sentence::EndPassed, true) => "予定の終了時刻を過ぎました（終了の報告は mado にはありません）。",
        (Sentence::EndPassed, false) => "The scheduled end has passed (mado has no report of the end).",
    }
}

/// The notice an update comes from: `（お知らせ: …）`, ` (notice: …)`.
pub(crate) fn statuspage_by_notice(ja: bool, title: &str) -> String {
    if ja {
        format!("（お知らせ: {title}）")
    } else {
        format!(" (notice: {title})")
    }
}

/// How the CLI read a relative time: `--at "tonight 23:30" read as 2023-11-12 23:30 JST (today, Sun)`.
pub fn read_as(lang: Lang, flag: &str, text: &str, shown: &str, how: &str) -> String {
    match lang {
        Lang::En => format!("{flag} \"{text}\" read as {shown} ({how})"),
        Lang::Ja => format!("{flag}「{text}」は {shown}（{how}）と読みました"),
    }
}

/// A number and what it counts: `30 occurrences in this range`, `30回（この期間）`.
pub(crate) fn count(lang: Lang, n: usize, what: &str) -> String {
    match lang {
        Lang::En => format!("{n} {what}"),
        Lang::Ja => format!("{n}{what}"),
    }
}

/// Nothing before an instant: `no window before 2023-12-12 20:00 JST`.
pub(crate) fn none_before(lang: Lang, none: &str, to: &str) -> String {
    match lang {
        Lang::En => format!("{none} before {to}"),
        Lang::Ja => format!("{to}まで{none}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_as_people_say_them() {
        let table = [
            ("FREQ=DAILY", Lang::En, "every day"),
            ("FREQ=DAILY", Lang::Ja, "毎日"),
            ("FREQ=DAILY;INTERVAL=2", Lang::En, "every 2 days"),
            ("FREQ=DAILY;UNTIL=20251231", Lang::En, "every day"),
            ("FREQ=WEEKLY;BYDAY=MO,TH", Lang::En, "every Monday, Thursday"),
            ("FREQ=WEEKLY;BYDAY=MO,TH", Lang::Ja, "毎週月・木曜日"),
            ("FREQ=MONTHLY;BYMONTHDAY=1", Lang::En, "every month on day 1"),
            ("FREQ=MONTHLY;BYDAY=1MO", Lang::En, "RRULE:FREQ=MONTHLY;BYDAY=1MO"),
            ("FREQ=WEEKLY;BYDAY=XX", Lang::En, "RRULE:FREQ=WEEKLY;BYDAY=XX"),
            ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3", Lang::En, "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
        ];
        for (rule, lang, want) in table {
            assert_eq!(rule_words(lang, rule), want, "{rule}");
        }
    }

    #[test]
    fn short_texts_are_cut_at_a_word_or_label_boundary() {
        let table = [
            ("amount change and re-authorisation", 30, "amount change and…"),
            ("amount change and re-authorisation", 60, "amount change and re-authorisation"),
            ("card payment, ID payment", 20, "card payment, ID…"),
            ("card payment, ID payment", 16, "card payment…"),
            ("クレジットカード払い・キャリア払い", 14, "クレジットカード払い…"),
            ("re-authorisation", 8, "re-auth…"),
        ];
        for (text, max, want) in table {
            let got = cut_at_boundary(text, max);
            assert_eq!(got, want, "{text} in {max}");
            assert!(got.chars().count() <= max, "{got}");
        }
    }
}
