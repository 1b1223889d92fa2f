//! What the views read of the model, read-only: each window with its history
//! ([`LineageView`]), each of its versions ([`VersionView`]) and each change to a single
//! occurrence ([`ChangeView`]). Views get these from [`Schedule::lineage_views`] and
//! [`Schedule::lineage`] and never index the schedule's vectors themselves: the window's uid,
//! its feed UID, what it affects and how a version is described are answered here, once.
// Some of these serve only the HTML pages (feature `html`).
#![cfg_attr(not(feature = "html"), allow(dead_code))]

use crate::engine::answer::{View, WindowInfo};
use crate::engine::eval::Occurrence;
use crate::engine::model::{Action, Bilingual, Catalogue, FnIdx, Inference, Kind, Lineage, Notice, Replacement, Shape, Spec, Version};
use crate::engine::rrule::Rule;
use crate::engine::schedule::Schedule;
use crate::engine::time::Instant;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

/// Where the views find a window's history (here, beside the views, so the schedule needs
/// no import of them).
impl Schedule {
    /// Every window with its history, in load order.
    pub(crate) fn lineage_views(&self) -> impl Iterator<Item = LineageView<'_>> {
        (0..self.lineages.len()).map(|i| LineageView::new(self, i))
    }

    /// The history of the window an answer describes (`None` for one of another schedule).
    pub(crate) fn lineage_of(&self, w: &crate::engine::answer::WindowInfo) -> Option<LineageView<'_>> {
        self.lineage(&w.notice, &w.window)
    }

    /// The window `window` of notice `notice` (as in an answer's `notice` and `window`).
    pub(crate) fn lineage(&self, notice: &str, window: &str) -> Option<LineageView<'_>> {
        let n = self.notices.iter().position(|x| x.id == notice)?;
        let i = self.lineages.iter().position(|l| l.notice == n && l.id == window)?;
        Some(LineageView::new(self, i))
    }
}

/// A window and its history: every version, oldest first, and every change to one of its
/// occurrences.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineageView<'a> {
    s: &'a Schedule,
    index: usize,
    l: &'a Lineage,
}

/// One version of a window: what was known of it from `known_from` on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VersionView<'a> {
    lineage: LineageView<'a>,
    index: usize,
    v: &'a Version,
}

/// A change to one occurrence of a recurring window: new times, or the occurrence excluded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChangeView<'a> {
    lineage: LineageView<'a>,
    index: usize,
    e: &'a crate::engine::model::Exception,
}

/// One part of a standing rule's history, oldest first (see [`LineageView::rule_parts`]).
pub(crate) struct RulePart<'a> {
    pub spec: &'a Spec,
    pub rule: &'a Rule,
    pub duration: Duration,
    /// The version whose `change` gave these hours; `None` for the oldest part.
    pub changed_by: Option<VersionView<'a>>,
    cat: &'a Catalogue,
}

impl RulePart<'_> {
    /// Whether this part of the rule affects function `f` ([`Spec::affects`]).
    pub fn affects(&self, f: FnIdx) -> bool {
        self.spec.affects(f, self.cat)
    }
}

impl<'a> LineageView<'a> {
    pub(in crate::engine) fn new(s: &'a Schedule, index: usize) -> LineageView<'a> {
        LineageView { s, index, l: &s.lineages[index] }
    }

    /// `<notice>/<window>`, stable across revisions (as in answers' `uid`).
    pub fn uid(&self) -> String {
        self.l.uid(&self.s.notices)
    }

    /// The feed's UID: `<notice>.<window>@mado`, or with `from` the continuation of a
    /// standing rule whose hours changed that day.
    pub fn feed_uid(&self, from: Option<NaiveDate>) -> String {
        self.l.feed_uid(&self.s.notices, from)
    }

    /// The notice that announced the window.
    pub fn notice(&self) -> &'a Notice {
        &self.s.notices[self.l.notice]
    }

    /// The index of that notice in [`Schedule::notices`].
    pub fn notice_index(&self) -> usize {
        self.l.notice
    }

    /// Every version, oldest first: the window's revision trail.
    pub fn trail(&self) -> impl Iterator<Item = VersionView<'a>> + 'a {
        let this = *self;
        self.l.versions.iter().enumerate().map(move |(index, v)| VersionView { lineage: this, index, v })
    }

    /// The latest version: what the window is now, cancelled or postponed included.
    pub fn current(&self) -> VersionView<'a> {
        let index = self.l.versions.len() - 1;
        VersionView { lineage: *self, index, v: &self.l.versions[index] }
    }

    /// The latest version that describes the window: a cancel, or a postponement with no new
    /// date, keeps the description before it.
    pub fn last_described(&self) -> Option<VersionView<'a>> {
        self.trail().filter(|v| v.spec().is_some()).last()
    }

    /// The version in force as of `as_of`, if the window was known then.
    pub fn at(&self, as_of: Instant) -> Option<VersionView<'a>> {
        self.l.version_at(as_of).map(|(index, v)| VersionView { lineage: *self, index, v })
    }

    /// Whether the window, as last described, affects function `f` (see
    /// [`VersionView::affects`]).
    pub fn affects(&self, f: FnIdx) -> bool {
        self.last_described().is_some_and(|v| v.affects(f))
    }

    /// Whether the window, as last described, is an incident.
    pub fn is_incident(&self) -> bool {
        self.last_described().and_then(|v| v.spec()).is_some_and(|s| s.kind == Kind::Incident)
    }

    /// Whether notice `notice` (by index) revised the window or changed one of its
    /// occurrences.
    pub fn revised_by(&self, notice: usize) -> bool {
        self.l.versions.iter().any(|v| v.by_notice == notice) || self.l.exceptions.iter().any(|e| e.by_notice == notice)
    }

    /// Every change to a single occurrence, by date of the occurrence, then as known.
    pub fn changes(&self) -> impl Iterator<Item = ChangeView<'a>> + 'a {
        let this = *self;
        self.l.exceptions.iter().enumerate().map(move |(index, e)| ChangeView { lineage: this, index, e })
    }

    /// For each changed occurrence, its latest change.
    pub fn latest_changes(&self) -> Vec<ChangeView<'a>> {
        let mut out: Vec<ChangeView<'a>> = Vec::new();
        for c in self.changes() {
            match out.last_mut() {
                Some(last) if last.date() == c.date() => *last = c,
                _ => out.push(c),
            }
        }
        out
    }

    /// The occurrences excluded by their latest change, by date.
    pub fn excluded_dates(&self) -> Vec<NaiveDate> {
        self.latest_changes().into_iter().filter(|c| c.replacement().is_none()).map(|c| c.date()).collect()
    }

    /// The parts of a recurring window as `spec` (one of its versions' descriptions)
    /// describes it, oldest first, each with the version whose `change` began it; empty for
    /// a window that does not recur.
    pub fn rule_parts(&self, spec: &'a Spec) -> Vec<RulePart<'a>> {
        let mut parts: Vec<RulePart<'a>> = spec
            .parts()
            .filter_map(|p| match &p.shape {
                Shape::Recurring { rule, duration } => {
                    Some(RulePart { spec: p, rule, duration: *duration, changed_by: None, cat: &self.s.catalogue })
                }
                _ => None,
            })
            .collect();
        parts.reverse();
        for p in parts.iter_mut().skip(1) {
            // The change that began a part gave it its DTSTART; later revisions keep it.
            p.changed_by = self.trail().find(|v| {
                v.action() == Action::Change
                    && v.spec().is_some_and(
                        |s| matches!(&s.shape, Shape::Recurring { rule, .. } if rule.dtstart() == p.rule.dtstart() && rule.zone() == p.rule.zone()),
                    )
            });
        }
        parts
    }
}

impl<'a> VersionView<'a> {
    /// Its place in the trail: 0 for the original.
    pub fn index(&self) -> usize {
        self.index
    }

    /// What it did to the version before it.
    pub fn action(&self) -> Action {
        self.v.action
    }

    /// From when answers count it.
    pub fn known_from(&self) -> Instant {
        self.v.known_from
    }

    /// The notice that made it.
    pub fn by(&self) -> &'a Notice {
        &self.lineage.s.notices[self.v.by_notice]
    }

    /// The index of that notice in [`Schedule::notices`].
    pub fn by_index(&self) -> usize {
        self.v.by_notice
    }

    /// Its note, as the notice file gives it, with its English if any.
    pub fn note(&self) -> Option<&'a Bilingual> {
        self.v.note.as_deref()
    }

    /// What it says of the window; `None` when it cancels it, or postpones it with no new date.
    pub fn spec(&self) -> Option<&'a Spec> {
        self.v.spec.as_ref()
    }

    /// The latest description before this version.
    pub fn previous_description(&self) -> Option<&'a Spec> {
        self.lineage.l.versions[..self.index].iter().rev().find_map(|v| v.spec.as_ref())
    }

    /// What this version marks as inferred that the description before it did not (the
    /// reasons a revision gives); nothing for the original or a version with no description.
    pub fn new_inferences(&self) -> Vec<&'a Inference> {
        let Some(spec) = self.spec() else { return Vec::new() };
        if self.index == 0 {
            return Vec::new();
        }
        let before: Vec<&Inference> = self.previous_description().map(|p| p.inferred.iter().collect()).unwrap_or_default();
        spec.inferred.iter().filter(|i| !before.contains(i)).collect()
    }

    /// Whether the window, as this version describes it (the description before it, for a
    /// cancel or a postponement), affects function `f`: names it or an ancestor of it, and
    /// does not state it stays available. The evaluator's own test ([`Spec::affects`]).
    pub fn affects(&self, f: FnIdx) -> bool {
        self.spec().or_else(|| self.previous_description()).is_some_and(|s| s.affects(f, &self.lineage.s.catalogue))
    }

    /// This version described as the evaluator describes a window, at its first
    /// occurrence, in `zone` and `lang`, for every function and channel; `None` for a version
    /// with no description.
    pub fn describe(&self, zone: Tz, lang: crate::engine::model::Lang) -> Option<WindowInfo> {
        let spec = self.spec()?;
        let (start, end, tentative, date) = match &spec.shape {
            Shape::Confirmed { start, end, .. } => (*start, *end, false, None),
            Shape::Tentative { start, end, .. } => (*start, *end, true, None),
            Shape::Recurring { rule, duration } => (rule.first_start(), rule.first_start() + *duration, false, Some(rule.dtstart().date())),
        };
        let o = Occurrence {
            start,
            end,
            tentative,
            lineage: self.lineage.index as u32,
            version: self.index as u32,
            date,
            exception: None,
            part: 0,
        };
        Some(self.lineage.s.describe(&o, &View { zone, lang, channel: None, function: None }))
    }
}

impl<'a> ChangeView<'a> {
    /// The local date the occurrence originally starts on.
    pub fn date(&self) -> NaiveDate {
        self.e.date
    }

    /// From when answers count it.
    pub fn known_from(&self) -> Instant {
        self.e.known_from
    }

    /// The iCalendar SEQUENCE of the changed occurrence.
    pub fn sequence(&self) -> u32 {
        self.e.sequence
    }

    /// The notice that made it.
    pub fn by(&self) -> &'a Notice {
        &self.lineage.s.notices[self.e.by_notice]
    }

    /// The index of that notice in [`Schedule::notices`].
    pub fn by_index(&self) -> usize {
        self.e.by_notice
    }

    /// Its note, as the notice file gives it, with its English if any.
    pub fn note(&self) -> Option<&'a Bilingual> {
        self.e.note.as_ref()
    }

    /// The new times; `None` when the occurrence is excluded.
    pub fn replacement(&self) -> Option<Replacement> {
        self.e.replacement
    }

    /// The moved occurrence described as the evaluator describes it (with the window as last
    /// described, the part of a changed rule that has the date), in `zone` and `lang`;
    /// `None` for an excluded occurrence.
    pub fn describe(&self, zone: Tz, lang: crate::engine::model::Lang) -> Option<WindowInfo> {
        let r = self.replacement()?;
        let last = self.lineage.last_described()?;
        let spec = last.spec()?;
        let part =
            spec.parts().position(|p| matches!(&p.shape, Shape::Recurring { rule, .. } if rule.occurs_on(self.e.date))).unwrap_or(0) as u8;
        let o = Occurrence {
            start: r.start,
            end: r.end,
            tentative: false,
            lineage: self.lineage.index as u32,
            version: last.index as u32,
            part,
            date: Some(self.e.date),
            exception: Some(self.index as u32),
        };
        Some(self.lineage.s.describe(&o, &View { zone, lang, channel: None, function: None }))
    }
}
