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
    /// The language of titles, notes and reasons.
    pub lang: Lang,
}

impl Query {
    /// A query for `function` at `at`, as known now, no lookahead, shown in Asia/Tokyo.
    pub fn new(function: impl Into<String>, at: impl Into<Instant>) -> Query {
        Query {
            function: function.into(),
            at: time::whole_seconds(at),
            as_of: time::now(),
            lookahead: Duration::zero(),
            channel: None,
            zone: DEFAULT_ZONE,
            lang: Lang::Ja,
        }
    }
    /// Sets the language of titles, notes and reasons.
    pub fn lang(mut self, lang: Lang) -> Query {
        self.lang = lang;
        self
    }
    /// Sets the as-of instant.
    pub fn as_of(mut self, as_of: impl Into<Instant>) -> Query {
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

/// What the answer to a query says, found but not yet described: the evaluation of the
/// function and of each affected child, and the statements in force. [`Schedule::check`]
/// describes it in the query's zone and language.
///
/// Its `Hash` covers everything but `at` and `as_of`: two evaluations that hash to the same
/// bytes, described for the same function id, channel id, zone and language, give answers
/// that differ only in `at` and `as_of`. The server keys its answer templates on that.
#[derive(Debug, Clone)]
pub(crate) struct Evaluated {
    f: FnIdx,
    channel: Option<ChIdx>,
    at: Instant,
    as_of: Instant,
    lookahead: Duration,
    ev: crate::engine::eval::Evaluation,
    /// Children not available: (function, status, visible until).
    affected: Vec<(FnIdx, Status, Option<Instant>)>,
    /// (lineage, version in force, function named available).
    statements: Vec<(usize, usize, FnIdx)>,
    /// Lineages postponed with no date as of `as_of` that affect the function.
    pending: Vec<usize>,
}

impl Evaluated {
    /// The instants asked about and as of (whole seconds), for a caller that writes them
    /// into an answer template itself.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn asked(&self) -> (Instant, Instant) {
        (self.at, self.as_of)
    }
}

impl std::hash::Hash for Evaluated {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.f, self.channel, self.lookahead.num_seconds(), &self.ev, &self.affected, &self.statements, &self.pending).hash(h);
    }
}

/// The answer to a [`Query`]. Serializes to the JSON of `mado check --format json` and
/// `GET /v1/availability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Answer {
    /// The function asked about.
    pub function: String,
    /// Its provider's id (docs/providers.md), when the catalogue names providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
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
    /// For a function with children: those whose status is not `available`, so a question
    /// about `webcollect` does not hide that card payment is down.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Notices that state this function stays available in the period asked about (e.g.
    /// 「auかんたん決済 ご利用いただけます」), so the answer cites them instead of silence.
    #[serde(default)]
    pub stated_available: Vec<Statement>,
    /// Windows affecting this function (as last described) that are postponed with no new
    /// date as of `as_of`: not outages yet, but still coming. Listed at their last known
    /// time, with `kind: "postponed"`.
    #[serde(default)]
    pub pending: Vec<WindowInfo>,
}

/// A child function's status, listed in its parent's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Affected {
    /// The child function.
    pub function: String,
    /// Its status for the same instant, as-of and lookahead.
    pub status: Status,
    /// When its status next changes.
    pub until: Option<DateTime<FixedOffset>>,
}

/// A notice's statement that a function stays available during a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Statement {
    /// `<notice>/<window>` of the window the statement belongs to.
    pub uid: String,
    /// The window's start.
    pub start: DateTime<FixedOffset>,
    /// The window's end.
    pub end: DateTime<FixedOffset>,
    /// The function named as staying available (the one asked about or an ancestor).
    pub function: String,
    /// The public document that states it.
    pub source: String,
}

/// Something an answer shows that its notice does not state, and why mado reads it so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct InferredInfo {
    /// `published`, `functions`, `start`, `end`, `date`, `duration`, `title` or `effects.<channel>`.
    pub field: String,
    /// Why, in the answer's language.
    pub reason: String,
}

/// What changed a window, when it is not as first announced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
    /// Planned maintenance or an incident (an unplanned outage).
    #[serde(default)]
    pub category: Kind,
    /// Start (inclusive).
    pub start: DateTime<FixedOffset>,
    /// End (exclusive). For a tentative window, 00:00 after its last day. `null` when no
    /// notice gives the end yet (`end_unknown`).
    #[serde(serialize_with = "end_or_null", deserialize_with = "null_or_end")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>, format = DateTime))]
    pub end: DateTime<FixedOffset>,
    /// The notice gives the start as approximate.
    pub start_approx: bool,
    /// The notice gives the end as approximate (〜頃).
    pub end_approx: bool,
    /// No notice gives the end yet: unavailable from the start on, `end` is the end of the
    /// supported range and `until` is null.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub end_unknown: bool,
    /// The zone the notice's local times are in (IANA name), e.g. `Asia/Tokyo`.
    pub zone: String,
    /// For a tentative window, its first and last local day (in `zone`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<Vec<String>>))]
    pub days: Option<(NaiveDate, NaiveDate)>,
    /// For a tentative window or one with an unknown end, the expected length, e.g. `4h`.
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
    /// The id of the provider (docs/providers.md) of the function the window is listed for,
    /// else of the first function it names; absent when the catalogue names no providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Functions the notice states stay available during the window (not covered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub available: Vec<String>,
    /// What each channel shows (only the one asked about, when a channel was given).
    pub effects: Vec<ChannelEffect>,
    /// The announcing notice's title.
    pub notice_title: String,
    /// When the deciding notice counts from.
    pub known_from: DateTime<FixedOffset>,
    /// The public document the window comes from (title, version or date, publisher).
    pub source: String,
    /// The document's address, where the notice gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What this window shows that its notices do not state, each with its reason; empty
    /// when the notices state everything.
    #[serde(default)]
    pub inferred: Vec<InferredInfo>,
    /// The change that gave this version, if it is not the original.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<RevisionInfo>,
    /// The window's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What a merchant can do during the window, in the notice's words (in the answer's
    /// language where the file gives it; left out when the notice says nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<String>,
}

/// An end at the end of the supported range is no end the notices give: `null`.
fn end_or_null<S: serde::Serializer>(end: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
    if end.to_utc() >= time::unknown_end() {
        s.serialize_none()
    } else {
        end.serialize(s)
    }
}

fn null_or_end<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let end: Option<DateTime<FixedOffset>> = Option::deserialize(d)?;
    Ok(end.unwrap_or_else(|| time::unknown_end().fixed_offset()))
}

/// Whether a window's times are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    /// Start and end are known.
    Confirmed,
    /// The days are known, the times are not.
    Tentative,
    /// Postponed, the new date to be announced: not scheduled, listed at its last known time.
    Postponed,
}

impl WindowKind {
    /// `confirmed`, `tentative` or `postponed`.
    pub fn as_str(self) -> &'static str {
        match self {
            WindowKind::Confirmed => "confirmed",
            WindowKind::Tentative => "tentative",
            WindowKind::Postponed => "postponed",
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
    /// The language of titles, notes and reasons.
    pub lang: Lang,
    /// With `function`: also the windows that affect only functions below it.
    pub with_children: bool,
}

impl WindowsQuery {
    /// The default number of windows a list holds before it says `truncated`.
    pub const DEFAULT_LIMIT: usize = crate::engine::limits::DEFAULT_WINDOWS_LIMIT;

    /// Windows overlapping `[from, to)`, for every function, as known now, at most
    /// [`WindowsQuery::DEFAULT_LIMIT`], shown in Asia/Tokyo.
    pub fn new(from: impl Into<Instant>, to: impl Into<Instant>) -> WindowsQuery {
        WindowsQuery {
            from: time::whole_seconds(from),
            to: time::whole_seconds(to),
            function: None,
            as_of: time::now(),
            limit: Self::DEFAULT_LIMIT,
            zone: DEFAULT_ZONE,
            lang: Lang::Ja,
            with_children: false,
        }
    }
    /// Sets the language of titles, notes and reasons.
    pub fn lang(mut self, lang: Lang) -> WindowsQuery {
        self.lang = lang;
        self
    }
    /// With a function: also list windows that affect only functions below it.
    pub fn with_children(mut self, yes: bool) -> WindowsQuery {
        self.with_children = yes;
        self
    }
    /// Only windows affecting `function` (and so those naming its ancestors).
    pub fn function(mut self, function: impl Into<String>) -> WindowsQuery {
        self.function = Some(function.into());
        self
    }
    /// Sets the as-of instant.
    pub fn as_of(mut self, as_of: impl Into<Instant>) -> WindowsQuery {
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
    /// What mado reads into the delay that its notice does not state.
    #[serde(default)]
    pub inferred: Vec<InferredInfo>,
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

    /// The first half of [`Schedule::check`]: what the answer to `q` says, found but not yet
    /// described.
    pub(crate) fn evaluated(&self, q: &Query) -> Result<Evaluated, QueryError> {
        crate::engine::limits::check_query(q.at, q.as_of, q.lookahead)?;
        let f = self.resolve_function(&q.function)?;
        let channel = self.resolve_channel(q.channel.as_deref())?;
        if let (Some(c), Some(p)) = (channel, self.catalogue.provider_of(f)) {
            if !p.channels().contains(&self.catalogue.channels[c].id) {
                return Err(QueryError::ChannelNotOfProvider {
                    id: self.catalogue.channels[c].id.clone(),
                    function: self.catalogue.functions[f].id.clone(),
                    provider: p.id().to_string(),
                    allowed: p.channels().to_vec(),
                });
            }
        }
        let at = time::whole_seconds(q.at);
        let as_of = time::whole_seconds(q.as_of);
        let lookahead = q.lookahead.max(Duration::zero());
        let mut ev = self.evaluate(Schedule::slot(Some(f)), at, as_of, lookahead);
        let mut affected = Vec::new();
        for g in (0..self.catalogue.functions.len()).filter(|&g| g != f && self.catalogue.is_within(g, f)) {
            let e = self.evaluate_status(Schedule::slot(Some(g)), at, as_of, lookahead);
            if e.status != Status::Available {
                affected.push((g, e.status, visible_until(e.until)));
            }
            // The answer lists its affected children: it holds until any of them changes.
            if let Some(u) = e.until {
                ev.until = Some(ev.until.map_or(u, |t| t.min(u)));
            }
        }
        let statements = self.statements(f, at, at + lookahead.max(Duration::seconds(1)), as_of);
        let pending = self.pending_for(f, as_of);
        Ok(Evaluated { f, channel, at, as_of, lookahead, ev, affected, statements, pending })
    }

    /// The second half of [`Schedule::check`]: `e`, found for `q`, described in `q`'s zone
    /// and language.
    pub(crate) fn answer(&self, e: &Evaluated, q: &Query) -> Answer {
        let view = View { zone: q.zone, lang: q.lang, channel: e.channel, function: Some(e.f) };
        Answer {
            function: q.function.clone(),
            provider: self.catalogue.provider_of(e.f).map(|p| p.id().to_string()),
            at: show(e.at, q.zone),
            as_of: show(e.as_of, q.zone),
            lookahead: format_duration(e.lookahead),
            channel: q.channel.clone(),
            status: e.ev.status,
            available: e.ev.status == Status::Available,
            until: visible_until(e.ev.until).map(|t| show(t, q.zone)),
            windows: e.ev.windows.iter().map(|o| self.describe(o, &view)).collect(),
            next: e.ev.next.map(|o| self.describe(&o, &view)),
            affected: e
                .affected
                .iter()
                .map(|&(g, status, until)| Affected {
                    function: self.catalogue.functions[g].id.clone(),
                    status,
                    until: until.map(|t| show(t, q.zone)),
                })
                .collect(),
            stated_available: e.statements.iter().map(|&(l, v, named)| self.statement(l, v, named, &view)).collect(),
            pending: e.pending.iter().filter_map(|&l| self.postponed_info(l, e.as_of, &view)).collect(),
        }
    }

    /// The statements in force: the indexed lookup, or (in tests) the scan it must equal.
    fn statements(&self, f: FnIdx, from: Instant, to: Instant, as_of: Instant) -> Vec<(usize, usize, FnIdx)> {
        self.statements_for(f, from, to, as_of)
    }

    /// The lineages (and their version in force at `as_of`) whose notice states that `f`,
    /// or the ancestor named third, stays available over a window overlapping `[from, to)`:
    /// the whole-schedule scan that [`Schedule::statements_for`] must equal.
    #[cfg(test)]
    pub(crate) fn statements_scan(&self, f: FnIdx, from: Instant, to: Instant, as_of: Instant) -> Vec<(usize, usize, FnIdx)> {
        let mut out = Vec::new();
        for (i, l) in self.lineages.iter().enumerate() {
            let Some((vi, v)) = l.version_at(as_of) else { continue };
            let Some(spec) = &v.spec else { continue };
            let Some(named) = spec.available.iter().find(|a| self.catalogue.is_within(f, **a)) else { continue };
            let (start, end) = match &spec.shape {
                Shape::Confirmed { start, end, .. } | Shape::Tentative { start, end, .. } => (*start, *end),
                Shape::Recurring { .. } => continue,
            };
            if start < to && from < end {
                out.push((i, vi, *named));
            }
        }
        out
    }

    /// One of `statements`, described.
    fn statement(&self, l: usize, v: usize, named: FnIdx, view: &View) -> Statement {
        let lineage = &self.lineages[l];
        let notice = &self.notices[lineage.notice];
        let (start, end) = match lineage.versions[v].spec.as_ref().map(|s| &s.shape) {
            Some(Shape::Confirmed { start, end, .. } | Shape::Tentative { start, end, .. }) => (*start, *end),
            _ => (time::unknown_end(), time::unknown_end()),
        };
        Statement {
            uid: lineage.uid(&self.notices),
            start: show(start, view.zone),
            end: show(end, view.zone),
            function: self.catalogue.functions[named].id.clone(),
            source: notice.source.text(view.lang).to_string(),
        }
    }

    /// [`Schedule::windows`]: window occurrences overlapping a range, described, and the
    /// delays on days in it.
    pub(crate) fn window_list(&self, q: &WindowsQuery) -> Result<WindowList, QueryError> {
        crate::engine::limits::check_windows(q.from, q.to, q.as_of, q.limit)?;
        let f = q.function.as_deref().map(|id| self.resolve_function(id)).transpose()?;
        let mut slots = vec![Schedule::slot(f)];
        if let (Some(f), true) = (f, q.with_children) {
            slots.extend(
                (0..self.catalogue.functions.len()).filter(|&g| g != f && self.catalogue.is_within(g, f)).map(|g| Schedule::slot(Some(g))),
            );
        }
        let mut occs = Vec::new();
        let mut truncated = false;
        for slot in slots {
            let (o, cut) = self.occurrences(slot, q.as_of, q.from, q.to, q.limit);
            truncated |= cut;
            for x in o {
                if !occs.contains(&x) {
                    occs.push(x);
                }
            }
        }
        let view = View { zone: q.zone, lang: q.lang, channel: None, function: f };
        let mut windows: Vec<WindowInfo> = occs.iter().map(|o| self.describe(o, &view)).collect();
        windows.extend(self.postponed(f, q, &view));
        windows.sort_by(|a, b| (a.start, a.end, &a.uid).cmp(&(b.start, b.end, &b.uid)));
        truncated |= windows.len() > q.limit;
        windows.truncate(q.limit);
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
                job: d.job.ja().clone(),
                job_en: d.job.en().cloned(),
                functions: d.functions.iter().map(|f| self.catalogue.functions[*f].id.clone()).collect(),
                date: d.date,
                usual: show(d.usual, q.zone),
                usual_approx: d.usual_approx,
                expected: show(d.expected, q.zone),
                expected_approx: d.expected_approx,
                note: d.note.as_ref().map(|t| t.text(q.lang).to_string()),
                inferred: d
                    .inferred
                    .iter()
                    .map(|i| InferredInfo { field: i.field.clone(), reason: i.reason(q.lang).to_string() })
                    .collect(),
            })
            .collect();
        Ok(WindowList {
            from: show(q.from, q.zone),
            to: show(q.to, q.zone),
            function: q.function.clone(),
            as_of: show(q.as_of, q.zone),
            windows,
            truncated,
            delays,
        })
    }

    /// Windows postponed with no new date as of `q.as_of`, listed at their last known time
    /// when that overlaps the range: not outages, but merchants should see them.
    fn postponed(&self, f: Option<FnIdx>, q: &WindowsQuery, view: &View) -> Vec<WindowInfo> {
        let mut out = Vec::new();
        for li in self.postponed_lineages(q.as_of) {
            // As last described before the postponement, like the pending index.
            let Some((_, spec)) = self.lineages[li].described_at(q.as_of) else { continue };
            let affects = |f: FnIdx| {
                if q.with_children {
                    spec.affects_within(f, &self.catalogue)
                } else {
                    spec.affects(f, &self.catalogue)
                }
            };
            if f.is_some_and(|f| !affects(f)) {
                continue;
            }
            let Some(w) = self.postponed_info(li, q.as_of, view) else { continue };
            if w.start.to_utc() < q.to && q.from < w.end.to_utc() {
                out.push(w);
            }
        }
        out
    }

    /// Lineage `li`, postponed with no new date as of `as_of`, described at its last known
    /// time (a recurring window at its first occurrence).
    pub(crate) fn postponed_info(&self, li: usize, as_of: Instant, view: &View) -> Option<WindowInfo> {
        let l = &self.lineages[li];
        let (vi, v) = l.version_at(as_of)?;
        if v.action != Action::Postpone || v.spec.is_some() {
            return None;
        }
        let pi = l.versions[..vi].iter().rposition(|p| p.spec.is_some())?;
        let spec = l.versions[pi].spec.as_ref()?;
        let (start, end, tentative) = match &spec.shape {
            Shape::Confirmed { start, end, .. } => (*start, *end, false),
            Shape::Tentative { start, end, .. } => (*start, *end, true),
            Shape::Recurring { rule, duration } => (rule.first_start(), rule.first_start() + *duration, false),
        };
        let o = Occurrence { start, end, tentative, lineage: li as u32, version: pi as u32, date: None, exception: None, part: 0 };
        let mut w = self.describe(&o, view);
        w.kind = WindowKind::Postponed;
        w.revision = Some(RevisionInfo {
            notice: self.notices[v.by_notice].id.clone(),
            action: Action::Postpone,
            sequence: v.sequence,
            note: v.note.as_ref().map(|t| t.text(view.lang).to_string()),
        });
        w.known_from = show(v.known_from, view.zone);
        Some(w)
    }

    /// Describes one occurrence for output.
    pub(crate) fn describe(&self, o: &Occurrence, view: &View) -> WindowInfo {
        let (l, v, spec) = self.version(o);
        let notice = &self.notices[l.notice];
        let zone = view.zone;
        let exception = o.exception.map(|i| &l.exceptions[i as usize]);
        let (start_approx, end_approx) = match (&spec.shape, exception.and_then(|e| e.replacement)) {
            (_, Some(r)) => (r.start_approx, r.end_approx),
            (Shape::Confirmed { start_approx, end_approx, .. }, None) => (*start_approx, *end_approx),
            _ => (false, false),
        };
        let end_unknown = matches!(spec.shape, Shape::Confirmed { end_unknown: true, .. }) && exception.is_none();
        let (expected_duration, expected_duration_approx) = match &spec.shape {
            Shape::Tentative { expected, expected_approx, .. } => (expected.map(format_duration), *expected_approx),
            Shape::Confirmed { expected, end_unknown: true, .. } => (expected.map(format_duration), false),
            _ => (None, false),
        };
        let revision = match exception {
            Some(e) => Some(RevisionInfo {
                notice: self.notices[e.by_notice].id.clone(),
                action: Action::Replace,
                sequence: e.sequence,
                note: e.note.as_ref().map(|t| t.text(view.lang).to_string()),
            }),
            None if v.action != Action::Original => Some(RevisionInfo {
                notice: self.notices[v.by_notice].id.clone(),
                action: v.action,
                sequence: v.sequence,
                note: v.note.as_ref().map(|t| t.text(view.lang).to_string()),
            }),
            None => None,
        };
        let decided_by = exception.map_or(v.by_notice, |e| e.by_notice);
        // Only the channels the provider has (of the function asked about, else of any of the
        // window's functions): a catalogue default never applies to a provider without it.
        let asked: &[FnIdx] = match &view.function {
            Some(f) => std::slice::from_ref(f),
            None => &spec.functions,
        };
        let channels: Vec<ChIdx> = match view.channel {
            Some(c) => vec![c],
            None => (0..self.catalogue.channels.len()).collect(),
        };
        let channels: Vec<ChIdx> = channels.into_iter().filter(|&c| self.catalogue.channel_described(c, asked)).collect();
        let mut effects = Vec::new();
        for c in channels {
            let candidates: Vec<&Candidate> = match view.function {
                Some(f) => spec.effect_for(c, Some(f), &self.catalogue).into_iter().collect(),
                None => {
                    let on = spec.effects.on(c, &self.catalogue);
                    let n = on.iter().position(|e| e.scope.is_none()).map_or(on.len(), |i| i + 1);
                    on[..n].iter().collect()
                }
            };
            for e in candidates {
                let effect = e.effect.in_lang(view.lang);
                effects.push(ChannelEffect {
                    channel: self.catalogue.channels[c].id.clone(),
                    effect,
                    source: e.source,
                    functions: e.scope.as_ref().map(|s| s.iter().map(|f| self.catalogue.functions[*f].id.clone()).collect()),
                });
            }
        }
        let mut inferred: Vec<InferredInfo> = notice
            .inferred()
            .iter()
            .chain(spec.inferred.iter())
            .filter(|i| {
                // An effect's reason only where that effect is shown.
                i.field
                    .strip_prefix("effects.")
                    .is_none_or(|c| effects.iter().any(|e| e.channel == c && e.source == EffectSource::Inferred))
            })
            .map(|i| InferredInfo { field: i.field.clone(), reason: i.reason(view.lang).to_string() })
            .collect();
        if exception.is_some() {
            // The occurrence's own notice states its times.
            inferred.retain(|i| !matches!(i.field.as_str(), "start" | "end" | "date" | "duration"));
        }
        WindowInfo {
            notice: notice.id.clone(),
            window: l.id.clone(),
            uid: l.uid(&self.notices),
            occurrence: o.date,
            kind: if o.tentative { WindowKind::Tentative } else { WindowKind::Confirmed },
            category: spec.kind,
            start: show(o.start, zone),
            end: show(o.end, zone),
            start_approx,
            end_approx,
            end_unknown,
            zone: spec.zone.name().to_string(),
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
            title: spec.title.as_ref().map(|t| t.text(view.lang).to_string()),
            functions: spec.functions.iter().map(|f| self.catalogue.functions[*f].id.clone()).collect(),
            provider: view
                .function
                .or_else(|| spec.functions.first().copied())
                .and_then(|f| self.catalogue.provider_of(f))
                .map(|p| p.id().to_string()),
            available: spec.available.iter().map(|f| self.catalogue.functions[*f].id.clone()).collect(),
            effects,
            notice_title: notice.title.text(view.lang).to_string(),
            known_from: show(self.notices[decided_by].known_from, zone),
            source: notice.source.text(view.lang).to_string(),
            url: notice.url().map(str::to_string),
            inferred,
            revision,
            note: spec.note.as_ref().map(|t| t.text(view.lang).to_string()),
            advice: spec.advice.as_ref().map(|a| a.get(view.lang).clone()).unwrap_or_default(),
        }
    }
}

/// How answers are shown: zone, language, the channel and function asked about.
pub(crate) struct View {
    pub zone: Tz,
    pub lang: Lang,
    pub channel: Option<ChIdx>,
    pub function: Option<FnIdx>,
}

/// A window with an unknown end gives no `until`.
fn visible_until(t: Option<Instant>) -> Option<Instant> {
    t.filter(|t| *t < time::unknown_end())
}
