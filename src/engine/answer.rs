//! The library's query API and the answer types every interface serializes.

use crate::engine::error::QueryError;
use crate::engine::eval::{Occurrence, Schedule, Status};
use crate::engine::model::*;
use crate::engine::time::{self, format_duration, Instant, DEFAULT_ZONE};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A question: is `function` available at `at`, as known at `as_of`, for `lookahead`?
#[derive(Debug, Clone)]
pub struct Query {
    /// The function id, e.g. `webcollect.credit_card`.
    pub function: String,
    /// The instant asked about.
    pub at: Instant,
    /// Only notices known at this instant count.
    pub as_of: Instant,
    /// The answer covers all of `[at, at + lookahead)`; zero means the instant `at` alone.
    pub lookahead: Duration,
    /// Report the effect on this channel only.
    pub channel: Option<String>,
    /// The zone instants are shown in.
    pub zone: Tz,
}

impl Query {
    /// A query for `function` at `at`, as known now, no lookahead, shown in Asia/Tokyo.
    pub fn new(function: impl Into<String>, at: Instant) -> Query {
        Query {
            function: function.into(),
            at: time::whole_seconds(at),
            as_of: time::now(),
            lookahead: Duration::zero(),
            channel: None,
            zone: DEFAULT_ZONE,
        }
    }
    /// Sets the as-of instant.
    pub fn as_of(mut self, as_of: Instant) -> Query {
        self.as_of = time::whole_seconds(as_of);
        self
    }
    /// Sets the lookahead.
    pub fn lookahead(mut self, d: Duration) -> Query {
        self.lookahead = d;
        self
    }
    /// Restricts the reported effects to one channel.
    pub fn channel(mut self, c: impl Into<String>) -> Query {
        self.channel = Some(c.into());
        self
    }
    /// Sets the zone answers are shown in.
    pub fn zone(mut self, z: Tz) -> Query {
        self.zone = z;
        self
    }
}

/// The answer to a [`Query`]. Serializes to the JSON of `mado check --format json` and
/// `GET /v1/availability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Answer {
    /// The function asked about.
    pub function: String,
    /// The instant asked about.
    pub at: DateTime<FixedOffset>,
    /// The as-of instant.
    pub as_of: DateTime<FixedOffset>,
    /// The lookahead, e.g. `15m`; `0s` for the instant alone.
    #[serde(rename = "for")]
    pub lookahead: String,
    /// The channel asked about, if any.
    pub channel: Option<String>,
    /// The verdict.
    pub status: Status,
    /// True only when the status is `available`.
    pub available: bool,
    /// When the status next changes (for the same lookahead), or null if it never does.
    pub until: Option<DateTime<FixedOffset>>,
    /// The windows that decide the status, confirmed first.
    pub windows: Vec<WindowInfo>,
    /// The next window that affects the function, starting after `at`.
    pub next: Option<WindowInfo>,
}

/// What changed a window, when it is not as first announced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RevisionInfo {
    /// The notice that made the change.
    pub notice: String,
    /// `replace`, `postpone` or `cancel`.
    pub action: Action,
    /// 0 for the original; each change adds one (the iCalendar SEQUENCE).
    pub sequence: u32,
    /// Its note, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One window occurrence, described for people and programs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WindowInfo {
    /// The notice that announced the window.
    pub notice: String,
    /// The window's id in that notice.
    pub window: String,
    /// Stable across revisions: `<notice>/<window>`.
    pub uid: String,
    /// For a recurring window, the local date this occurrence (originally) starts on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<NaiveDate>,
    /// Confirmed (times known) or tentative (days known, times not).
    pub kind: WindowKind,
    /// Start (inclusive).
    pub start: DateTime<FixedOffset>,
    /// End (exclusive). For a tentative window, 00:00 after its last day.
    pub end: DateTime<FixedOffset>,
    /// The notice gives the start as approximate.
    pub start_approx: bool,
    /// The notice gives the end as approximate (〜頃).
    pub end_approx: bool,
    /// For a tentative window, its first and last local day.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", schema(value_type = Option<Vec<String>>))]
    pub days: Option<(NaiveDate, NaiveDate)>,
    /// For a tentative window, the expected length, e.g. `4h`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_duration: Option<String>,
    /// Whether that expected length is approximate (程度).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expected_duration_approx: bool,
    /// For a recurring window, its rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rrule: Option<String>,
    /// A short description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The functions the window names (it covers them and everything below them).
    pub functions: Vec<String>,
    /// What each channel shows (only the one asked about, when a channel was given).
    pub effects: Vec<ChannelEffect>,
    /// The announcing notice's title.
    pub notice_title: String,
    /// When the deciding notice counts from.
    pub known_from: DateTime<FixedOffset>,
    /// The source document.
    pub source: String,
    /// The change that gave this version, if it is not the original.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<RevisionInfo>,
    /// The window's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Whether a window's times are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    /// Start and end are known.
    Confirmed,
    /// The days are known, the times are not.
    Tentative,
}

impl WindowKind {
    /// `confirmed` or `tentative`.
    pub fn as_str(self) -> &'static str {
        match self {
            WindowKind::Confirmed => "confirmed",
            WindowKind::Tentative => "tentative",
        }
    }
}

/// A query for the windows in a range.
#[derive(Debug, Clone)]
pub struct WindowsQuery {
    /// Start of the range (inclusive).
    pub from: Instant,
    /// End of the range (exclusive).
    pub to: Instant,
    /// Only windows affecting this function (and so those naming its ancestors).
    pub function: Option<String>,
    /// Only notices known at this instant count.
    pub as_of: Instant,
    /// At most this many windows.
    pub limit: usize,
    /// The zone instants are shown in.
    pub zone: Tz,
}

impl WindowsQuery {
    /// The default number of windows a list holds before it says `truncated`.
    pub const DEFAULT_LIMIT: usize = 1000;

    /// Windows overlapping `[from, to)`, for every function, as known now, at most
    /// [`WindowsQuery::DEFAULT_LIMIT`], shown in Asia/Tokyo.
    pub fn new(from: Instant, to: Instant) -> WindowsQuery {
        WindowsQuery {
            from: time::whole_seconds(from),
            to: time::whole_seconds(to),
            function: None,
            as_of: time::now(),
            limit: Self::DEFAULT_LIMIT,
            zone: DEFAULT_ZONE,
        }
    }
    /// Only windows affecting `function` (and so those naming its ancestors).
    pub fn function(mut self, function: impl Into<String>) -> WindowsQuery {
        self.function = Some(function.into());
        self
    }
    /// Sets the as-of instant.
    pub fn as_of(mut self, as_of: Instant) -> WindowsQuery {
        self.as_of = time::whole_seconds(as_of);
        self
    }
    /// Sets the limit.
    pub fn limit(mut self, limit: usize) -> WindowsQuery {
        self.limit = limit;
        self
    }
    /// Sets the zone answers are shown in.
    pub fn zone(mut self, zone: Tz) -> WindowsQuery {
        self.zone = zone;
        self
    }
}

/// The answer to a [`WindowsQuery`]: the JSON of `mado windows` and `GET /v1/windows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WindowList {
    /// Start of the range.
    pub from: DateTime<FixedOffset>,
    /// End of the range.
    pub to: DateTime<FixedOffset>,
    /// The function filter, if any.
    pub function: Option<String>,
    /// The as-of instant.
    pub as_of: DateTime<FixedOffset>,
    /// Occurrences overlapping the range, by start.
    pub windows: Vec<WindowInfo>,
    /// True when `limit` cut the list.
    pub truncated: bool,
    /// Delays of scheduled jobs on days in the range (not outages).
    pub delays: Vec<DelayInfo>,
}

/// A delayed scheduled job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DelayInfo {
    /// The notice.
    pub notice: String,
    /// The delay's id in it.
    pub id: String,
    /// The job (Japanese).
    pub job: String,
    /// The job (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_en: Option<String>,
    /// The functions concerned.
    pub functions: Vec<String>,
    /// The day.
    pub date: NaiveDate,
    /// When it usually runs.
    pub usual: DateTime<FixedOffset>,
    /// Whether that is approximate.
    pub usual_approx: bool,
    /// When it is expected to run instead.
    pub expected: DateTime<FixedOffset>,
    /// Whether that is approximate.
    pub expected_approx: bool,
    /// The note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn show(t: Instant, zone: Tz) -> DateTime<FixedOffset> {
    t.with_timezone(&zone).fixed_offset()
}

impl Schedule {
    fn resolve_function(&self, id: &str) -> Result<FnIdx, QueryError> {
        self.catalogue
            .function(id)
            .ok_or_else(|| QueryError::UnknownFunction { id: id.to_string(), suggestions: self.catalogue.close_matches(id) })
    }

    fn resolve_channel(&self, id: Option<&str>) -> Result<Option<ChIdx>, QueryError> {
        id.map(|c| {
            self.catalogue.channel(c).ok_or_else(|| QueryError::UnknownChannel {
                id: c.to_string(),
                allowed: self.catalogue.channels.iter().map(|c| c.id.clone()).collect(),
            })
        })
        .transpose()
    }

    /// Answers a query.
    ///
    /// # Errors
    /// [`QueryError`] when the function or channel is not in the catalogue.
    pub fn check(&self, q: &Query) -> Result<Answer, QueryError> {
        let f = self.resolve_function(&q.function)?;
        let channel = self.resolve_channel(q.channel.as_deref())?;
        let at = time::whole_seconds(q.at);
        let as_of = time::whole_seconds(q.as_of);
        let lookahead = q.lookahead.max(Duration::zero());
        let ev = self.evaluate(Schedule::slot(Some(f)), at, as_of, lookahead);
        Ok(Answer {
            function: q.function.clone(),
            at: show(at, q.zone),
            as_of: show(as_of, q.zone),
            lookahead: format_duration(lookahead),
            channel: q.channel.clone(),
            status: ev.status,
            available: ev.status == Status::Available,
            until: ev.until.map(|t| show(t, q.zone)),
            windows: ev.windows.iter().map(|o| self.describe(o, q.zone, channel)).collect(),
            next: ev.next.map(|o| self.describe(&o, q.zone, channel)),
        })
    }

    /// Lists window occurrences overlapping a range, and the delays on days in it.
    ///
    /// # Errors
    /// [`QueryError`] when the function is not in the catalogue.
    pub fn windows(&self, q: &WindowsQuery) -> Result<WindowList, QueryError> {
        let f = q.function.as_deref().map(|id| self.resolve_function(id)).transpose()?;
        let (occs, truncated) = self.occurrences(Schedule::slot(f), q.as_of, q.from, q.to, q.limit);
        let delays = self
            .delays
            .iter()
            .filter(|d| self.notices[d.notice].known_from <= q.as_of && d.expected >= q.from && d.usual < q.to)
            .filter(|d| {
                f.is_none_or(|f| {
                    d.functions.is_empty() || d.functions.iter().any(|g| self.catalogue.is_within(f, *g) || self.catalogue.is_within(*g, f))
                })
            })
            .map(|d| DelayInfo {
                notice: self.notices[d.notice].id.clone(),
                id: d.id.clone(),
                job: d.job.clone(),
                job_en: d.job_en.clone(),
                functions: d.functions.iter().map(|f| self.catalogue.functions[*f].id.clone()).collect(),
                date: d.date,
                usual: show(d.usual, q.zone),
                usual_approx: d.usual_approx,
                expected: show(d.expected, q.zone),
                expected_approx: d.expected_approx,
                note: d.note.clone(),
            })
            .collect();
        Ok(WindowList {
            from: show(q.from, q.zone),
            to: show(q.to, q.zone),
            function: q.function.clone(),
            as_of: show(q.as_of, q.zone),
            windows: occs.iter().map(|o| self.describe(o, q.zone, None)).collect(),
            truncated,
            delays,
        })
    }

    /// Describes one occurrence for output.
    pub(crate) fn describe(&self, o: &Occurrence, zone: Tz, channel: Option<ChIdx>) -> WindowInfo {
        let (l, v, spec) = self.version(o);
        let notice = &self.notices[l.notice];
        let exception = o.exception.map(|i| &l.exceptions[i as usize]);
        let (start_approx, end_approx) = match (&spec.shape, exception.and_then(|e| e.replacement)) {
            (_, Some(r)) => (r.start_approx, r.end_approx),
            (Shape::Confirmed { start_approx, end_approx, .. }, None) => (*start_approx, *end_approx),
            _ => (false, false),
        };
        let (expected_duration, expected_duration_approx) = match &spec.shape {
            Shape::Tentative { expected, expected_approx, .. } => (expected.map(format_duration), *expected_approx),
            _ => (None, false),
        };
        let revision = match exception {
            Some(e) => Some(RevisionInfo {
                notice: self.notices[e.by_notice].id.clone(),
                action: Action::Replace,
                sequence: e.sequence,
                note: e.note.clone(),
            }),
            None if v.action != Action::Original => Some(RevisionInfo {
                notice: self.notices[v.by_notice].id.clone(),
                action: v.action,
                sequence: v.sequence,
                note: v.note.clone(),
            }),
            None => None,
        };
        let decided_by = exception.map_or(v.by_notice, |e| e.by_notice);
        WindowInfo {
            notice: notice.id.clone(),
            window: l.id.clone(),
            uid: format!("{}/{}", notice.id, l.id),
            occurrence: o.date,
            kind: if o.tentative { WindowKind::Tentative } else { WindowKind::Confirmed },
            start: show(o.start, zone),
            end: show(o.end, zone),
            start_approx,
            end_approx,
            days: match &spec.shape {
                Shape::Tentative { first, last, .. } => Some((*first, *last)),
                _ => None,
            },
            expected_duration,
            expected_duration_approx,
            rrule: match &spec.shape {
                Shape::Recurring { rule, .. } => Some(rule.text().to_string()),
                _ => None,
            },
            title: spec.title.clone(),
            functions: spec.functions.iter().map(|f| self.catalogue.functions[*f].id.clone()).collect(),
            effects: match channel {
                Some(c) => vec![spec.effects[c].clone()],
                None => spec.effects.clone(),
            },
            notice_title: notice.title.clone(),
            known_from: show(self.notices[decided_by].known_from, zone),
            source: notice.source.clone(),
            revision,
            note: spec.note.clone(),
        }
    }
}
