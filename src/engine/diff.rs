//! What one notice changes: the same schedule with and without it, asked the same questions
//! as known at the notice's publication. Per function, the intervals whose status differs
//! (with the window that decides each); the windows the notice adds, moves, postpones,
//! cancels or ends; and the feed events whose `SEQUENCE` it raises.
//!
//! Everything here is asked of the one evaluator ([`Schedule::check`]) and of the windows'
//! histories ([`LineageView`]); nothing re-derives a window.

use crate::engine::answer::{Query, WindowInfo, WindowKind};
use crate::engine::eval::Status;
use crate::engine::model::{Action, Lang};
use crate::engine::schedule::Schedule;
use crate::engine::time::{self, Instant, DEFAULT_ZONE};
use crate::engine::view_api::LineageView;
use chrono::{DateTime, Duration, FixedOffset};
use serde::Serialize;

/// How far past the first instant a notice touches the status scan goes when a window has
/// no end (a standing rule, an unknown end): one year.
pub const DIFF_HORIZON_DAYS: i64 = 366;
/// At most this many changed intervals are listed per function; the rest are counted.
pub const DIFF_MAX_INTERVALS: usize = 50;
/// At most this many evaluator steps per function and schedule, so a daily rule over a year
/// stays a few thousand questions.
const MAX_STEPS: usize = 20_000;

/// What a notice changes, as known just after its publication versus just before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeDiff {
    /// The notice's id.
    pub notice: String,
    /// The instant both schedules are asked as of: the notice's publication (or `known_by`).
    pub as_of: DateTime<FixedOffset>,
    /// The instants scanned, `[from, to)`.
    pub scanned: (DateTime<FixedOffset>, DateTime<FixedOffset>),
    /// Per function (catalogue order), the intervals whose status changes; functions with
    /// none are left out.
    pub functions: Vec<FunctionDiff>,
    /// The windows the notice announces or revises.
    pub windows: Vec<WindowChange>,
    /// The feed events it adds or changes.
    pub feed: Vec<FeedChange>,
    /// For an edited file: the windows (`<notice>/<window>`) whose times or functions, as
    /// this notice gives them, differ from the file's previous version.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edited: Vec<String>,
    /// Whether the file's `corrected` list gained an entry over its previous version (each
    /// adds one to the feed's `SEQUENCE`; docs/feed.md).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub correction_added: bool,
}

impl NoticeDiff {
    /// Whether the edit moves or re-scopes windows without saying so in `corrected`: the
    /// feed's `SEQUENCE` would not rise and subscribed calendars would keep the old times.
    pub fn needs_correction(&self) -> bool {
        !self.edited.is_empty() && !self.correction_added
    }
}

/// One function's changed intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDiff {
    /// The function id.
    pub function: String,
    /// The intervals, in time order.
    pub intervals: Vec<StatusChange>,
    /// How many more intervals there were past [`DIFF_MAX_INTERVALS`].
    #[serde(skip_serializing_if = "is_zero")]
    pub more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// An interval `[from, to)` in which the status differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusChange {
    /// Start (inclusive).
    pub from: DateTime<FixedOffset>,
    /// End (exclusive); `null` when the change goes on past the scan (an unknown end).
    pub to: Option<DateTime<FixedOffset>>,
    /// The status without the notice.
    pub before: Status,
    /// The status with it.
    pub after: Status,
    /// The window that decides the status with the notice (or, when the notice makes the
    /// function available, the one that decided it before), as `<notice>/<window>`.
    pub window: Option<String>,
    /// That window's deciding notice (the one whose version is in force).
    pub decided_by: Option<String>,
}

/// What the notice does to one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowChange {
    /// `<notice>/<window>`.
    pub uid: String,
    /// `added`, `moved` (replace), `postponed`, `cancelled`, `ended`, `changed` (a standing
    /// rule's new hours), `occurrence-moved`, `occurrence-cancelled`.
    pub change: &'static str,
    /// For an occurrence change, the local date of the occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<chrono::NaiveDate>,
    /// The window before (its last description), in words; `null` when added.
    pub before: Option<String>,
    /// The window after, in words; `null` when it no longer has times (cancelled, postponed
    /// with no date).
    pub after: Option<String>,
}

/// A feed event (VEVENT) the notice adds or changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedChange {
    /// The event's `UID`.
    pub uid: String,
    /// For a changed occurrence of a recurring window, its `RECURRENCE-ID` date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<chrono::NaiveDate>,
    /// `SEQUENCE` without the notice (or with its previous text); `null` for a new event.
    /// Counts every `corrected` entry of the files, public yet or not (docs/feed.md).
    pub sequence_before: Option<u32>,
    /// `SEQUENCE` with it, counted the same way.
    pub sequence_after: u32,
    /// `STATUS` with it: `CONFIRMED`, `TENTATIVE` or `CANCELLED`.
    pub status: &'static str,
}

/// Why a diff cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The notice is not in the schedule with it.
    #[error("notice `{0}` is not in the schedule; expected the id of a loaded notice, e.g. `2023-10-10-db-upgrade-revised`")]
    UnknownNotice(String),
}

/// What notice `notice` changes: `after` is the schedule with it, `before` without it (or
/// with its previous text, for an edited notice). Both are asked as of the notice's
/// publication.
///
/// # Errors
/// [`DiffError::UnknownNotice`] when `after` has no notice `notice`.
pub fn notice_diff(before: &Schedule, after: &Schedule, notice: &str) -> Result<NoticeDiff, DiffError> {
    let n = after.notices().iter().position(|x| x.id() == notice).ok_or_else(|| DiffError::UnknownNotice(notice.to_string()))?;
    let as_of = after.notices()[n].known_from();
    let touched: Vec<LineageView<'_>> = after.lineage_views().filter(|l| l.notice_index() == n || l.revised_by(n)).collect();
    let (from, to) = scan_range(before, &touched, as_of);
    let functions = after
        .catalogue()
        .functions()
        .iter()
        .filter_map(|f| {
            let (intervals, more) = status_changes(before, after, f.id(), as_of, from, to);
            (!intervals.is_empty()).then(|| FunctionDiff { function: f.id().to_string(), intervals, more })
        })
        .collect();
    let mut windows = Vec::new();
    let mut feed = Vec::new();
    for l in &touched {
        window_changes(before, after, l, n, &mut windows, &mut feed);
    }
    let (edited, correction_added) = edits(before, after, n);
    Ok(NoticeDiff {
        notice: notice.to_string(),
        as_of: shown(as_of),
        scanned: (shown(from), shown(to)),
        functions,
        windows,
        feed,
        edited,
        correction_added,
    })
}

/// When `before` holds a previous version of notice `n` of `after`: the windows whose times or
/// functions, as the notice gives them (its versions and its changes of occurrences), differ
/// between the two, a window the edit takes out included; and whether `corrected` grew.
fn edits(before: &Schedule, after: &Schedule, n: usize) -> (Vec<String>, bool) {
    let notice = &after.notices()[n];
    let Some(bn) = before.notices().iter().position(|x| x.id() == notice.id()) else { return (Vec::new(), false) };
    let grew = notice.corrected().len() > before.notices()[bn].corrected().len();
    let given = |s: &Schedule, k: usize| -> Vec<(String, Vec<String>)> {
        s.lineage_views()
            .filter(|l| l.notice_index() == k || l.revised_by(k))
            .map(|l| {
                let versions = l.trail().filter(|v| v.by_index() == k).filter_map(|v| v.describe(DEFAULT_ZONE, Lang::En));
                let changes = l.changes().filter(|c| c.by_index() == k).map(|c| {
                    c.describe(DEFAULT_ZONE, Lang::En)
                        .map_or(format!("{} cancelled", c.date()), |w| words(&WindowInfo { rrule: None, ..w }))
                });
                (l.uid(), versions.map(|w| words(&w)).chain(changes).collect())
            })
            .collect()
    };
    let (old, new) = (given(before, bn), given(after, n));
    let mut edited: Vec<String> =
        new.iter().filter(|(u, w)| old.iter().any(|(ou, ow)| ou == u && ow != w)).map(|(u, _)| u.clone()).collect();
    edited.extend(old.iter().filter(|(u, _)| !new.iter().any(|(nu, _)| nu == u)).map(|(u, _)| u.clone()));
    edited.sort();
    edited.dedup();
    (edited, grew)
}

/// How many corrections (`corrected` in a notice file: in-place edits) of the notices that
/// announced, revised or changed an occurrence of the window were public at `now`, and the
/// latest of them. Each adds one to the feed's SEQUENCE; the latest can move DTSTAMP and LAST-MODIFIED.
/// A file with no `corrected` adds nothing, so its events keep their bytes.
pub fn corrections(s: &Schedule, l: LineageView<'_>, now: Instant) -> (usize, Option<Instant>) {
    let mut notices: Vec<usize> = l.trail().map(|v| v.by_index()).chain(l.changes().map(|c| c.by_index())).collect();
    notices.sort_unstable();
    notices.dedup();
    let mut count = 0;
    let mut latest = None;
    for n in notices {
        let known = s.notices()[n].corrections_known(now);
        count += known.len();
        latest = latest.max(known.last().copied());
    }
    (count, latest)
}

fn shown(t: Instant) -> DateTime<FixedOffset> {
    t.with_timezone(&DEFAULT_ZONE).fixed_offset()
}

/// The instants worth scanning: from the earliest start of any version (before or after) of
/// the windows the notice touches to the latest end, a standing rule or an open end reaching
/// [`DIFF_HORIZON_DAYS`] past the earliest start (or past the publication, whichever is later).
fn scan_range(before: &Schedule, touched: &[LineageView<'_>], as_of: Instant) -> (Instant, Instant) {
    let mut infos: Vec<WindowInfo> = Vec::new();
    for l in touched {
        infos.extend(l.trail().filter_map(|v| v.describe(DEFAULT_ZONE, Lang::En)));
        infos.extend(l.changes().filter_map(|c| c.describe(DEFAULT_ZONE, Lang::En)));
        if let Some(b) = before.lineage(&l.notice().id, &l_window(l)) {
            infos.extend(b.trail().filter_map(|v| v.describe(DEFAULT_ZONE, Lang::En)));
        }
    }
    let Some(lo) = infos.iter().map(|w| Instant::from(w.start)).min() else { return (as_of, as_of) };
    let horizon = lo.max(as_of) + Duration::days(DIFF_HORIZON_DAYS);
    let hi = infos
        .iter()
        .map(|w| if w.rrule.is_some() || w.end_unknown { horizon } else { Instant::from(w.end) })
        .max()
        .unwrap_or(lo)
        .min(horizon.max(lo));
    (lo, hi.min(time::unknown_end()))
}

fn l_window(l: &LineageView<'_>) -> String {
    l.uid().rsplit_once('/').map(|(_, w)| w.to_string()).unwrap_or_default()
}

/// One side's answer at `t`: status, the next change (clamped to `to`), and the deciding window.
/// `None` for the next change when the answer never changes (or its end is not known).
fn step(s: &Schedule, function: &str, t: Instant, as_of: Instant, _to: Instant) -> (Status, Option<Instant>, Option<(String, String)>) {
    match s.check(&Query::new(function, t).as_of(as_of).lang(Lang::En)) {
        Ok(a) => {
            let until = a.until.map(Instant::from).filter(|u| *u > t);
            let decider = a.windows.first().map(|w| (w.uid.clone(), w.revision.as_ref().map_or(w.notice.clone(), |r| r.notice.clone())));
            (a.status, until, decider)
        }
        // A function the schedule without the notice does not know: nothing covers it there.
        Err(_) => (Status::Available, None, None),
    }
}

fn status_changes(
    before: &Schedule,
    after: &Schedule,
    function: &str,
    as_of: Instant,
    from: Instant,
    to: Instant,
) -> (Vec<StatusChange>, usize) {
    let mut out: Vec<StatusChange> = Vec::new();
    let mut t = from;
    let mut steps = 0;
    while t < to && steps < MAX_STEPS {
        steps += 1;
        let (b, bu, bw) = step(before, function, t, as_of, to);
        let (a, au, aw) = step(after, function, t, as_of, to);
        let next = bu.unwrap_or(to).min(au.unwrap_or(to)).min(to).max(t + Duration::seconds(1));
        if a != b {
            let (window, decided_by) = match if a != Status::Available { aw } else { bw } {
                Some((w, n)) => (Some(w), Some(n)),
                None => (None, None),
            };
            // Past the scan with no end in sight: an unknown end, not the horizon.
            let open = next >= to && (if a != Status::Available { au.is_none() } else { bu.is_none() });
            let end = (!open).then(|| shown(next));
            match out.last_mut() {
                Some(last)
                    if last.to == Some(shown(t))
                        && last.before == b
                        && last.after == a
                        && last.window == window
                        && last.decided_by == decided_by =>
                {
                    last.to = end;
                }
                _ => out.push(StatusChange { from: shown(t), to: end, before: b, after: a, window, decided_by }),
            }
        }
        t = next;
    }
    let more = out.len().saturating_sub(DIFF_MAX_INTERVALS);
    out.truncate(DIFF_MAX_INTERVALS);
    (out, more)
}

/// A window in words, as the evaluator describes it (JST).
fn words(w: &WindowInfo) -> String {
    let f = |t: &DateTime<FixedOffset>| t.with_timezone(&DEFAULT_ZONE).format("%Y-%m-%d %H:%M").to_string();
    let fns = w.functions.join(", ");
    let when = match (w.kind, &w.rrule, w.days) {
        (_, Some(r), _) => format!("{r} from {}, {} min each", f(&w.start), (w.end - w.start).num_minutes()),
        (WindowKind::Tentative, _, Some((a, b))) if a == b => format!("{a} (tentative, times not announced)"),
        (WindowKind::Tentative, _, Some((a, b))) => format!("{a} to {b} (tentative, times not announced)"),
        _ if w.end_unknown => format!("{} – (end not announced)", f(&w.start)),
        _ => format!("{} – {}{}", f(&w.start), f(&w.end), if w.end_approx { " (approx.)" } else { "" }),
    };
    format!("{when} [{fns}]")
}

fn window_changes(
    before: &Schedule,
    after: &Schedule,
    l: &LineageView<'_>,
    n: usize,
    windows: &mut Vec<WindowChange>,
    feed: &mut Vec<FeedChange>,
) {
    let uid = l.uid();
    let old = before.lineage(&l.notice().id, &l_window(l));
    let old_last = old.as_ref().map(|o| o.current());
    // Every correction the files list counts, whenever it is public (docs/feed.md).
    let fixes = corrections(after, *l, Instant::MAX).0 as u32;
    let fixes_before = old.map_or(0, |o| corrections(before, o, Instant::MAX).0 as u32);
    for v in l.trail().filter(|v| v.by_index() == n) {
        // The latest version before this one that describes the window.
        let prev_words = l.trail().take(v.index()).filter_map(|x| x.describe(DEFAULT_ZONE, Lang::En)).last();
        let change = match v.action() {
            Action::Original => "added",
            Action::Replace => "moved",
            Action::Postpone => "postponed",
            Action::Cancel => "cancelled",
            Action::End => "ended",
            Action::Change => "changed",
        };
        windows.push(WindowChange {
            uid: uid.clone(),
            change,
            date: None,
            before: if v.index() == 0 { None } else { prev_words.as_ref().map(words) },
            after: v.describe(DEFAULT_ZONE, Lang::En).map(|w| words(&w)),
        });
    }
    for c in l.changes().filter(|c| c.by_index() == n) {
        let r = c.describe(DEFAULT_ZONE, Lang::En);
        windows.push(WindowChange {
            uid: uid.clone(),
            change: if r.is_some() { "occurrence-moved" } else { "occurrence-cancelled" },
            date: Some(c.date()),
            before: None,
            // One night: its own times, not the rule's.
            after: r.as_ref().map(|w| words(&WindowInfo { rrule: None, ..w.clone() })),
        });
        let before_seq = old.as_ref().and_then(|o| o.changes().filter(|x| x.date() == c.date()).map(|x| x.sequence() + fixes_before).max());
        feed.push(FeedChange {
            uid: l.feed_uid(None),
            recurrence: Some(c.date()),
            sequence_before: before_seq,
            sequence_after: c.sequence() + fixes,
            status: if r.is_some() { "CONFIRMED" } else { "CANCELLED" },
        });
    }
    // The event itself, when a version of this notice is the latest one it shows.
    let cur = l.current();
    if l.trail().any(|v| v.by_index() == n) {
        let status = match cur.spec() {
            None => "CANCELLED",
            Some(s) if matches!(s.shape, crate::engine::model::Shape::Tentative { .. }) => "TENTATIVE",
            Some(_) => "CONFIRMED",
        };
        feed.push(FeedChange {
            uid: l.feed_uid(None),
            recurrence: None,
            sequence_before: old_last.map(|o| o.index() as u32 + fixes_before),
            sequence_after: cur.index() as u32 + fixes,
            status,
        });
        // A standing rule's new hours are an event of their own (see the feed).
        if let Some(spec) = l.last_described().and_then(|v| v.spec()) {
            for p in l.rule_parts(spec).iter().skip(1).filter(|p| p.changed_by.is_some_and(|v| v.by_index() == n)) {
                feed.push(FeedChange {
                    uid: l.feed_uid(Some(p.rule.dtstart().date())),
                    recurrence: None,
                    sequence_before: None,
                    sequence_after: cur.index() as u32 + fixes,
                    status: "CONFIRMED",
                });
            }
        }
    }
}
