//! Stage 3: the evaluator. One place answers "is F available at T, as known at A?", lists
//! windows, and finds when an answer next changes; every interface calls it.
//!
//! Each version of each window is indexed once per function it affects, sorted by start,
//! with a running maximum of ends, so finding the windows that cover an instant is a binary
//! search plus the few overlapping entries (O(log n + k)). Versions carry the span of
//! "as of" instants in which they are in force; superseded versions stay in the index and
//! are skipped for later as-of instants. Recurring windows with an end are expanded into the
//! index at load; rules with no end are answered arithmetically (see `rrule`).

use crate::engine::model::*;
pub(crate) use crate::engine::schedule::Schedule;
use crate::engine::time::Instant;
use chrono::{Duration, NaiveDate};
use std::fmt;

/// The answer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No window affects the function in the period asked about.
    Available,
    /// Only tentative windows (dates known, times not) affect it.
    Tentative,
    /// A confirmed window affects it.
    Unavailable,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Available => "available",
            Status::Tentative => "tentative",
            Status::Unavailable => "unavailable",
        })
    }
}

/// One occurrence of one version of a window: the unit the evaluator works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Occurrence {
    /// Start instant.
    pub start: Instant,
    /// End instant (exclusive).
    pub end: Instant,
    /// Whether the window is tentative.
    pub tentative: bool,
    pub(crate) lineage: u32,
    pub(crate) version: u32,
    /// For a recurring window, the local date its occurrence originally starts on.
    pub(crate) date: Option<NaiveDate>,
    /// For a changed occurrence, its index in the lineage's exceptions.
    pub(crate) exception: Option<u32>,
    /// Which part of the version's description: 0 its own, 1 what it was before its last
    /// `change`, and so on (see [`Spec::part`]).
    pub(crate) part: u8,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    occ: Occurrence,
    valid_from: Instant,
    valid_until: Instant,
    functions: u64,
}

#[derive(Debug, Clone, Copy)]
struct Lazy {
    lineage: u32,
    version: u32,
    part: u8,
    valid_from: Instant,
    valid_until: Instant,
    functions: u64,
}

impl Lazy {
    fn occurrence(&self, start: Instant, duration: Duration, date: NaiveDate) -> Occurrence {
        Occurrence {
            start,
            end: start + duration,
            tentative: false,
            lineage: self.lineage,
            version: self.version,
            date: Some(date),
            exception: None,
            part: self.part,
        }
    }
}

/// One function's slot: entries sorted by start, with the running maximum of ends. Starts
/// and ends are kept as Unix seconds (the model's instants are whole seconds), so a binary
/// search compares one machine word per step and touches half the memory of `Instant`s.
#[derive(Debug, Clone, Default)]
struct Index {
    ids: Vec<u32>,
    starts: Vec<i64>,
    max_end: Vec<i64>,
    lazy: Vec<u32>,
    /// Every [`BLOCK`]th start: a search reads this small array, then one block of
    /// `starts`, instead of jumping across all of `starts` (a cache miss per step once a
    /// slot holds tens of thousands of entries).
    tops: Vec<i64>,
}

/// Starts per block of an [`Index`]'s two-level search: 64 keys, eight cache lines.
const BLOCK: usize = 64;

impl Index {
    /// How many entries start at or before `k`: `starts.partition_point(|s| *s <= k)`, found
    /// through `tops`.
    fn count_le(&self, k: i64) -> usize {
        let b = self.tops.partition_point(|s| *s <= k);
        if b == 0 {
            return 0;
        }
        let lo = (b - 1) * BLOCK;
        let hi = (b * BLOCK).min(self.starts.len());
        lo + self.starts[lo..hi].partition_point(|s| *s <= k)
    }
}

/// An instant as the index keys it. The model's instants are whole seconds; a query's
/// bound may not be (a lookahead with a fraction), and flooring it keeps `start <= bound`
/// exact for whole-second starts.
fn key(t: Instant) -> i64 {
    t.timestamp()
}

/// The evaluator's index over a schedule's windows, built once at load (see the module
/// docs). Only this module reads it.
#[derive(Debug, Clone, Default)]
pub(crate) struct EvalIndex {
    entries: Vec<Entry>,
    lazies: Vec<Lazy>,
    /// Slot 0 holds every entry; slot `f + 1` those that affect function `f`.
    slots: Vec<Index>,
    /// Spans of as-of instants in which a window is postponed with no new date.
    pendings: Vec<Pending>,
    /// Per function, the pendings (indexes into `pendings`) that affect it or a function below it.
    pending_index: Vec<Vec<u32>>,
    /// Per function, the statements that it stays available (see [`Statement`]), sorted by
    /// start, with the running maximum of ends: found like windows, by binary search.
    statements: Vec<StatementIndex>,
}

impl EvalIndex {
    /// How many occurrences it holds (bounded rules expanded; unbounded ones not counted).
    pub(in crate::engine) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// A notice's statement that a function (`named`, or one below it) stays available over a
/// one-off window `[start, end)`, in force for as-of instants in `[valid_from, valid_until)`.
#[derive(Debug, Clone, Copy)]
struct Statement {
    start: Instant,
    end: Instant,
    lineage: u32,
    version: u32,
    named: u32,
    valid_from: Instant,
    valid_until: Instant,
}

#[derive(Debug, Clone, Default)]
struct StatementIndex {
    list: Vec<Statement>,
    max_end: Vec<Instant>,
}

/// A window postponed with no new date, from `valid_from` until a later notice revises it.
#[derive(Debug, Clone, Copy)]
struct Pending {
    lineage: u32,
    valid_from: Instant,
    valid_until: Instant,
    /// The functions its last description covers.
    functions: u64,
}

const FOREVER: Instant = Instant::MAX;
/// How many steps an `until` search takes before it gives up (`until: null`). Runs of a
/// rule's occurrences are crossed in one step (see `chain_end`), so only runs of unrelated
/// windows, or of a rule in a zone whose offset changes, take one step per window.
const MAX_CHAIN: usize = 20_000;

fn second() -> Duration {
    Duration::seconds(1)
}

/// Every occurrence the index holds (one-off windows, bounded rules' nights, replaced
/// nights), the unbounded rules expanded lazily, and the postponements with no date yet,
/// each with the span of as-of instants it is in force.
fn occurrence_entries(catalogue: &Catalogue, lineages: &[Lineage]) -> Occurrences {
    let mut entries = Vec::new();
    let mut lazies = Vec::new();
    let mut pendings = Vec::new();
    let cover = catalogue.cover_bits();
    for (li, l) in lineages.iter().enumerate() {
        for (vi, v) in l.versions.iter().enumerate() {
            if v.action == Action::Postpone && v.spec.is_none() {
                let valid_until = l.versions.get(vi + 1).map_or(FOREVER, |n| n.known_from);
                if let Some(last) = l.versions[..vi].iter().rev().find_map(|p| p.spec.as_ref()) {
                    let functions = last.affected_bits(&cover);
                    if v.known_from < valid_until {
                        pendings.push(Pending { lineage: li as u32, valid_from: v.known_from, valid_until, functions });
                    }
                }
            }
            let Some(top) = &v.spec else { continue };
            let valid_until = l.versions.get(vi + 1).map_or(FOREVER, |n| n.known_from);
            if valid_until <= v.known_from {
                continue; // superseded at the very instant it became known
            }
            for (part, spec) in top.parts().enumerate() {
                // A window covers the functions it names and those below them, except those
                // its notice states stay available.
                let functions = spec.affected_bits(&cover);
                let base = Occurrence {
                    start: FOREVER,
                    end: FOREVER,
                    tentative: false,
                    lineage: li as u32,
                    version: vi as u32,
                    date: None,
                    exception: None,
                    part: part as u8,
                };
                let mut push = |occ: Occurrence, from: Instant, until: Instant| {
                    if from < until {
                        entries.push(Entry { occ, valid_from: from, valid_until: until, functions });
                    }
                };
                match &spec.shape {
                    Shape::Confirmed { start, end, .. } => push(Occurrence { start: *start, end: *end, ..base }, v.known_from, valid_until),
                    Shape::Tentative { start, end, .. } => {
                        push(Occurrence { start: *start, end: *end, tentative: true, ..base }, v.known_from, valid_until)
                    }
                    Shape::Recurring { rule, duration } => {
                        if rule.is_bounded() {
                            let to = rule.last_start().unwrap_or(rule.first_start()) + second();
                            for s in rule.starts_between(rule.first_start(), to, usize::MAX) {
                                let date = rule.date_of_nominal(s);
                                let first_change = l.exceptions_on(date).first().map_or(FOREVER, |e| e.known_from);
                                push(
                                    Occurrence { start: s, end: s + *duration, date: Some(date), ..base },
                                    v.known_from,
                                    valid_until.min(first_change),
                                );
                            }
                        } else {
                            lazies.push(Lazy {
                                lineage: li as u32,
                                version: vi as u32,
                                part: part as u8,
                                valid_from: v.known_from,
                                valid_until,
                                functions,
                            });
                        }
                        // Replaced occurrences are plain entries, in force from their notice
                        // until the next change of the same occurrence.
                        for (ei, e) in l.exceptions.iter().enumerate() {
                            let Some(r) = e.replacement else { continue };
                            if !rule.occurs_on(e.date) {
                                continue;
                            }
                            let next = l.exceptions.get(ei + 1).filter(|n| n.date == e.date).map_or(FOREVER, |n| n.known_from);
                            let occ = Occurrence { start: r.start, end: r.end, date: Some(e.date), exception: Some(ei as u32), ..base };
                            push(occ, v.known_from.max(e.known_from), valid_until.min(next));
                        }
                    }
                }
            }
        }
    }
    let mut by_start: Vec<Keyed> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| Keyed { start: key(e.occ.start), entry: i as u32, end: key(e.occ.end), functions: e.functions })
        .collect();
    by_start.sort_unstable();
    let statements = stated_available(catalogue, lineages);
    Occurrences { entries, lazies, pendings, by_start, statements }
}

/// An entry as the slots file it: its start, its index, its end and the functions it affects,
/// read in order of start without going back to the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Keyed {
    start: i64,
    entry: u32,
    end: i64,
    functions: u64,
}

/// The occurrences of a run of a schedule's windows, with their lineages counted from the
/// run's first: built apart so that a loader can build them for two runs at once (the
/// compiled form does, on two cores) and join them in order, into what one pass over all
/// windows gives.
#[derive(Debug, Default)]
pub(crate) struct Occurrences {
    entries: Vec<Entry>,
    lazies: Vec<Lazy>,
    pendings: Vec<Pending>,
    /// The entries sorted by (start, index): built with them, so that joining two runs merges
    /// two sorted lists instead of sorting (and reading) every entry again.
    by_start: Vec<Keyed>,
    /// The statements that functions stay available, with the function each is for, in
    /// order of window, version and function.
    statements: Vec<(u32, Statement)>,
}

impl Occurrences {
    /// Those of `lineages`.
    pub(crate) fn of(catalogue: &Catalogue, lineages: &[Lineage]) -> Occurrences {
        occurrence_entries(catalogue, lineages)
    }

    /// Adds `later`, the occurrences of the windows that follow these, the first of them
    /// window `first` of the schedule.
    pub(crate) fn append(&mut self, later: Occurrences, first: u32) {
        let first_entry = self.entries.len() as u32;
        let mut merged = Vec::with_capacity(self.by_start.len() + later.by_start.len());
        let (mut a, mut b) = (
            self.by_start.iter().copied().peekable(),
            later.by_start.iter().map(|k| Keyed { entry: k.entry + first_entry, ..*k }).peekable(),
        );
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x <= y => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        self.by_start = merged;
        self.statements.extend(later.statements.into_iter().map(|(f, s)| (f, Statement { lineage: s.lineage + first, ..s })));
        self.entries.extend(later.entries.into_iter().map(|mut e| {
            e.occ.lineage += first;
            e
        }));
        self.lazies.extend(later.lazies.into_iter().map(|z| Lazy { lineage: z.lineage + first, ..z }));
        self.pendings.extend(later.pendings.into_iter().map(|p| Pending { lineage: p.lineage + first, ..p }));
    }
}

/// Statements that functions stay available, with the function each is for: per function,
/// each version in force names at most one ancestor-or-self of it (the first that covers it).
fn stated_available(catalogue: &Catalogue, lineages: &[Lineage]) -> Vec<(u32, Statement)> {
    let nf = catalogue.functions.len();
    let mut statements = Vec::new();
    for (li, l) in lineages.iter().enumerate() {
        for (vi, v) in l.versions.iter().enumerate() {
            let Some(spec) = &v.spec else { continue };
            let valid_until = l.versions.get(vi + 1).map_or(FOREVER, |n| n.known_from);
            if valid_until <= v.known_from || spec.available.is_empty() {
                continue;
            }
            let (start, end) = match &spec.shape {
                Shape::Confirmed { start, end, .. } | Shape::Tentative { start, end, .. } => (*start, *end),
                Shape::Recurring { .. } => continue,
            };
            for f in 0..nf {
                if let Some(named) = spec.available.iter().find(|a| catalogue.is_within(f, **a)) {
                    let s = Statement {
                        start,
                        end,
                        lineage: li as u32,
                        version: vi as u32,
                        named: *named as u32,
                        valid_from: v.known_from,
                        valid_until,
                    };
                    statements.push((f as u32, s));
                }
            }
        }
    }
    statements
}

/// Per function, its statements by start, with their running maximum end.
fn statement_index(nf: usize, list: Vec<(u32, Statement)>) -> Vec<StatementIndex> {
    let mut statements = vec![StatementIndex::default(); nf];
    for (f, s) in list {
        statements[f as usize].list.push(s);
    }
    for idx in &mut statements {
        idx.list.sort_by_key(|s| (s.start, s.lineage));
        let mut max = None::<Instant>;
        idx.max_end = idx.list.iter().map(|s| *max.insert(max.map_or(s.end, |m| m.max(s.end)))).collect();
    }
    statements
}

/// Per slot (all functions, then each function), the entries by start with their running
/// maximum end, the block tops of the two-level search, and the lazy rules.
fn slot_indexes(nf: usize, by_start: &[Keyed], lazies: &[Lazy]) -> Vec<Index> {
    let mut indexes = vec![Index::default(); nf + 1];
    let mut sizes = vec![0usize; nf + 1];
    sizes[0] = by_start.len();
    for k in by_start {
        let mut bits = k.functions;
        while bits != 0 {
            sizes[bits.trailing_zeros() as usize + 1] += 1;
            bits &= bits - 1;
        }
    }
    for (idx, &n) in indexes.iter_mut().zip(&sizes) {
        idx.ids.reserve_exact(n);
        idx.starts.reserve_exact(n);
        idx.max_end.reserve_exact(n);
    }
    for &Keyed { start, entry: i, end, functions } in by_start {
        // Slot 0, then the slot of each function the entry affects (its set bits).
        let mut bits = functions;
        let mut slot = 0;
        loop {
            let idx = &mut indexes[slot];
            let max = idx.max_end.last().map_or(end, |m| (*m).max(end));
            idx.ids.push(i);
            idx.starts.push(start);
            idx.max_end.push(max);
            if bits == 0 {
                break;
            }
            let f = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            slot = f + 1;
        }
    }
    for idx in &mut indexes {
        idx.tops = idx.starts.iter().step_by(BLOCK).copied().collect();
    }
    for (i, z) in lazies.iter().enumerate() {
        for (slot, idx) in indexes.iter_mut().enumerate() {
            if slot == 0 || z.functions & (1 << (slot - 1)) != 0 {
                idx.lazy.push(i as u32);
            }
        }
    }
    indexes
}

impl Schedule {
    pub(crate) fn new(catalogue: Catalogue, notices: Vec<Notice>, lineages: Vec<Lineage>, delays: Vec<Delay>) -> Schedule {
        let occurrences = Occurrences::of(&catalogue, &lineages);
        Schedule::with_occurrences(catalogue, notices, lineages, delays, occurrences)
    }

    /// As [`Schedule::new`], with the windows' occurrences already built
    /// ([`Occurrences::of`] all of `lineages`, in order).
    pub(crate) fn with_occurrences(
        catalogue: Catalogue,
        notices: Vec<Notice>,
        lineages: Vec<Lineage>,
        delays: Vec<Delay>,
        occurrences: Occurrences,
    ) -> Schedule {
        let nf = catalogue.functions.len();
        let Occurrences { entries, lazies, pendings, by_start, statements } = occurrences;
        debug_assert!(entries.iter().all(|e| e.occ.start.timestamp_subsec_nanos() == 0 && e.occ.end.timestamp_subsec_nanos() == 0));
        let statements = statement_index(nf, statements);
        let cover = catalogue.cover_bits();
        let pending_index: Vec<Vec<u32>> =
            (0..nf).map(|f| (0..pendings.len() as u32).filter(|&i| pendings[i as usize].functions & cover[f] != 0).collect()).collect();
        let indexes = slot_indexes(nf, &by_start, &lazies);
        Schedule {
            catalogue,
            notices,
            lineages,
            delays,
            index: EvalIndex { entries, lazies, slots: indexes, pendings, pending_index, statements },
            warnings: Vec::new(),
            content_hash: 0,
        }
    }

    /// The lineages postponed with no new date as of `as_of` whose last description covers `f`
    /// or a function below it (an answer about a parent lists its children's).
    pub(crate) fn pending_for(&self, f: FnIdx, as_of: Instant) -> Vec<usize> {
        self.index.pending_index[f]
            .iter()
            .map(|&i| &self.index.pendings[i as usize])
            .filter(|p| p.valid_from <= as_of && as_of < p.valid_until)
            .map(|p| p.lineage as usize)
            .collect()
    }

    /// The lineages (with their version in force at `as_of`, and the function named) whose
    /// notice states that `f`, or an ancestor of it, stays available over a one-off window
    /// overlapping `[from, to)`; in lineage order. O(log n + k) like `covering`.
    pub(crate) fn statements_for(&self, f: FnIdx, from: Instant, to: Instant, as_of: Instant) -> Vec<(usize, usize, FnIdx)> {
        let idx = &self.index.statements[f];
        let n = idx.list.partition_point(|s| s.start < to);
        let mut out = Vec::new();
        for i in (0..n).rev() {
            if idx.max_end[i] <= from {
                break;
            }
            let s = &idx.list[i];
            if from < s.end && s.valid_from <= as_of && as_of < s.valid_until {
                out.push((s.lineage as usize, s.version as usize, s.named as usize));
            }
        }
        out.sort_unstable();
        out
    }

    /// The lineages postponed with no new date as of `as_of`.
    pub(crate) fn postponed_lineages(&self, as_of: Instant) -> Vec<usize> {
        self.index.pendings.iter().filter(|p| p.valid_from <= as_of && as_of < p.valid_until).map(|p| p.lineage as usize).collect()
    }

    pub(crate) fn version(&self, o: &Occurrence) -> (&Lineage, &Version, &Spec) {
        let l = &self.lineages[o.lineage as usize];
        let v = &l.versions[o.version as usize];
        // Only versions with a spec are ever indexed.
        let spec = v.spec.as_ref().expect("indexed versions have a spec").part(o.part);
        (l, v, spec)
    }

    /// The unbounded rules of `slot` in force at `as_of`, with their rule and duration.
    fn lazies_in_force(&self, slot: usize, as_of: Instant) -> impl Iterator<Item = (&Lazy, &crate::engine::rrule::Rule, Duration)> {
        self.index.slots[slot].lazy.iter().filter_map(move |&zi| {
            let z = &self.index.lazies[zi as usize];
            if !(z.valid_from <= as_of && as_of < z.valid_until) {
                return None;
            }
            match &self.lineages[z.lineage as usize].versions[z.version as usize].spec.as_ref()?.part(z.part).shape {
                Shape::Recurring { rule, duration } => Some((z, &**rule, *duration)),
                _ => None,
            }
        })
    }

    fn excluded(&self, lineage: u32, date: NaiveDate, as_of: Instant) -> bool {
        self.lineages[lineage as usize].exceptions_on(date).first().is_some_and(|e| e.known_from <= as_of)
    }

    /// Calls `visit` for each occurrence in force at `as_of` whose shifted span
    /// `[start - shift, end)` contains `t`.
    pub(in crate::engine) fn covering(&self, slot: usize, as_of: Instant, shift: Duration, t: Instant, mut visit: impl FnMut(Occurrence)) {
        let idx = &self.index.slots[slot];
        let bound = t.checked_add_signed(shift).unwrap_or(FOREVER);
        let (kb, kt) = (key(bound), key(t));
        let n = idx.count_le(kb);
        for i in (0..n).rev() {
            if idx.max_end[i] <= kt {
                break;
            }
            let e = &self.index.entries[idx.ids[i] as usize];
            if e.occ.end > t && e.valid_from <= as_of && as_of < e.valid_until {
                visit(e.occ);
            }
        }
        for (z, rule, duration) in self.lazies_in_force(slot, as_of) {
            let mut at = rule.prev_start_le(bound);
            while let Some(s) = at {
                if s + duration <= t {
                    break;
                }
                let date = rule.date_of_nominal(s);
                if !self.excluded(z.lineage, date, as_of) {
                    visit(z.occurrence(s, duration, date));
                }
                at = s.checked_sub_signed(second()).and_then(|p| rule.prev_start_le(p));
            }
        }
    }

    /// The occurrence in force at `as_of` with the earliest shifted start `start - shift`
    /// after `t`, optionally confirmed ones only.
    fn next_start(&self, slot: usize, as_of: Instant, shift: Duration, t: Instant, confirmed_only: bool) -> Option<Occurrence> {
        let idx = &self.index.slots[slot];
        let bound = t.checked_add_signed(shift).unwrap_or(FOREVER);
        let kb = key(bound);
        let i = idx.count_le(kb);
        let mut best: Option<Occurrence> = idx.ids[i..]
            .iter()
            .map(|&id| &self.index.entries[id as usize])
            .find(|e| e.valid_from <= as_of && as_of < e.valid_until && !(confirmed_only && e.occ.tentative))
            .map(|e| e.occ);
        for (z, rule, duration) in self.lazies_in_force(slot, as_of) {
            let mut at = rule.next_start_gt(bound);
            for _ in 0..MAX_CHAIN {
                let Some(s) = at else { break };
                if best.is_some_and(|b| b.start <= s) {
                    break;
                }
                let date = rule.date_of_nominal(s);
                if !self.excluded(z.lineage, date, as_of) {
                    best = Some(z.occurrence(s, duration, date));
                    break;
                }
                at = rule.next_start_gt(s);
            }
        }
        best
    }

    /// The status of `slot` at `t` with lookahead shift, and the deciding occurrences.
    fn status_at(&self, slot: usize, as_of: Instant, shift: Duration, t: Instant) -> (Status, Vec<Occurrence>) {
        let mut found = Vec::new();
        self.covering(slot, as_of, shift, t, |o| found.push(o));
        let status = if found.iter().any(|o| !o.tentative) {
            Status::Unavailable
        } else if found.is_empty() {
            Status::Available
        } else {
            Status::Tentative
        };
        (status, found)
    }

    /// The end of the run of covering occurrences (confirmed only, or any) that starts at `t`,
    /// or `None` when the run never ends (within the supported range).
    ///
    /// Each step moves `t` to the latest end among the occurrences covering it. When one of
    /// them belongs to a rule whose consecutive occurrences start at most `duration + shift`
    /// apart, the run goes on through that rule's occurrences until its last one or the one
    /// before its first changed occurrence, so the step jumps there: the cost is one step per
    /// rule end or changed occurrence, not one per occurrence.
    fn chain_end(&self, slot: usize, as_of: Instant, shift: Duration, t: Instant, confirmed_only: bool) -> Option<Instant> {
        let mut t = t;
        for _ in 0..MAX_CHAIN {
            let mut end: Option<Instant> = None;
            let mut rule_runs: Vec<Occurrence> = Vec::new();
            self.covering(slot, as_of, shift, t, |o| {
                if !(confirmed_only && o.tentative) {
                    end = Some(end.map_or(o.end, |e| e.max(o.end)));
                    if o.date.is_some()
                        && o.exception.is_none()
                        && !rule_runs.iter().any(|r| (r.lineage, r.version) == (o.lineage, o.version))
                    {
                        rule_runs.push(o);
                    }
                }
            });
            let Some(mut e) = end else {
                return Some(t);
            };
            for o in rule_runs {
                match self.run_end(&o, as_of, shift) {
                    RunEnd::Forever => return None,
                    RunEnd::At(r) => e = e.max(r),
                    RunEnd::Unknown => {}
                }
            }
            t = e;
        }
        None
    }

    /// Where the run of a rule's occurrences from `o` on ends, when they chain under `shift`.
    fn run_end(&self, o: &Occurrence, as_of: Instant, shift: Duration) -> RunEnd {
        let (l, _, spec) = self.version(o);
        let (Shape::Recurring { rule, duration }, Some(date)) = (&spec.shape, o.date) else {
            return RunEnd::Unknown;
        };
        if !rule.chains_from(o.start, *duration + shift) {
            return RunEnd::Unknown;
        }
        // The first later occurrence changed (moved or cancelled) as known at `as_of` breaks the run.
        // Exceptions are sorted by date: start the search after `date`, not at the rule's first.
        let after = l.exceptions.partition_point(|e| e.date <= date);
        let first_change = l.exceptions[after..].iter().find(|e| e.known_from <= as_of).map(|e| rule.start_on(e.date));
        let last = match (first_change, rule.last_start()) {
            (Some(c), Some(last)) => c.checked_sub_signed(second()).and_then(|c| rule.prev_start_le(c)).map(|p| p.min(last)),
            (Some(c), None) => c.checked_sub_signed(second()).and_then(|c| rule.prev_start_le(c)),
            (None, Some(last)) => Some(last),
            (None, None) => return RunEnd::Forever,
        };
        match last {
            Some(s) if s >= o.start => RunEnd::At(s + *duration),
            _ => RunEnd::Unknown,
        }
    }

    /// Evaluates one query: the core every interface calls.
    pub(crate) fn evaluate(&self, slot: usize, at: Instant, as_of: Instant, lookahead: Duration) -> Evaluation {
        self.evaluate_with(slot, at, as_of, lookahead, true)
    }

    /// [`Schedule::evaluate`] without looking for the next window (`next: None`): what an
    /// answer needs of a function's children, whose status and `until` it lists.
    pub(crate) fn evaluate_status(&self, slot: usize, at: Instant, as_of: Instant, lookahead: Duration) -> Evaluation {
        self.evaluate_with(slot, at, as_of, lookahead, false)
    }

    fn evaluate_with(&self, slot: usize, at: Instant, as_of: Instant, lookahead: Duration, with_next: bool) -> Evaluation {
        // A lookahead of d covers [at, at + d): a window [s, e) meets it when
        // s - (d - 1s) <= at < e, in whole seconds. No lookahead is the instant itself.
        let shift = (lookahead - second()).max(Duration::zero());
        let (status, mut windows) = self.status_at(slot, as_of, shift, at);
        windows.sort_by_key(|o| (o.tentative, o.start, o.end, o.lineage));
        let next = if with_next { self.next_start(slot, as_of, Duration::zero(), at, false) } else { None };
        let until = match status {
            Status::Unavailable => self.chain_end(slot, as_of, shift, at, true),
            Status::Tentative => {
                let confirmed = self.next_start(slot, as_of, shift, at, true).map(|o| o.start - shift);
                match (self.chain_end(slot, as_of, shift, at, false), confirmed) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
            // With no lookahead the search for `until` is the one for `next`: do it once.
            Status::Available if with_next && shift.is_zero() => next.map(|o| o.start),
            Status::Available => self.next_start(slot, as_of, shift, at, false).map(|o| o.start - shift),
        };
        Evaluation { status, until, windows, next }
    }

    /// Occurrences in force at `as_of` that overlap `[from, to)`, sorted, at most `limit`;
    /// the flag says whether the limit cut the list.
    pub(crate) fn occurrences(&self, slot: usize, as_of: Instant, from: Instant, to: Instant, limit: usize) -> (Vec<Occurrence>, bool) {
        let idx = &self.index.slots[slot];
        let mut out = Vec::new();
        // `start < to` for whole-second starts: `start <= ceil(to) - 1`.
        let kto = key(to) + i64::from(to.timestamp_subsec_nanos() > 0);
        let kfrom = key(from);
        let n = idx.count_le(kto - 1);
        for i in (0..n).rev() {
            if idx.max_end[i] <= kfrom {
                break;
            }
            let e = &self.index.entries[idx.ids[i] as usize];
            if e.occ.end > from && e.valid_from <= as_of && as_of < e.valid_until {
                out.push(e.occ);
            }
        }
        for (z, rule, duration) in self.lazies_in_force(slot, as_of) {
            for s in rule.starts_between(from - duration + second(), to, limit.saturating_add(1)) {
                let date = rule.date_of_nominal(s);
                if !self.excluded(z.lineage, date, as_of) {
                    out.push(z.occurrence(s, duration, date));
                }
            }
        }
        out.sort_by(|a, b| {
            (a.start, a.end, &self.notices[self.lineages[a.lineage as usize].notice].id, &self.lineages[a.lineage as usize].id).cmp(&(
                b.start,
                b.end,
                &self.notices[self.lineages[b.lineage as usize].notice].id,
                &self.lineages[b.lineage as usize].id,
            ))
        });
        let cut = out.len() > limit;
        out.truncate(limit);
        (out, cut)
    }

    /// The index slot for an optional function.
    pub(crate) fn slot(f: Option<FnIdx>) -> usize {
        f.map_or(0, |f| f + 1)
    }
}

/// Where a run of a rule's chained occurrences ends.
enum RunEnd {
    /// At this instant.
    At(Instant),
    /// Never, within the supported range.
    Forever,
    /// The rule's occurrences may not chain: step through them.
    Unknown,
}

/// What the evaluator found for one query, before it is described for output.
#[derive(Debug, Clone, Hash)]
pub(crate) struct Evaluation {
    pub status: Status,
    pub until: Option<Instant>,
    pub windows: Vec<Occurrence>,
    pub next: Option<Occurrence>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The two-level search equals the plain binary search it replaces.
        #[test]
        fn two_level_search_equals_partition_point(
            mut starts in proptest::collection::vec(-1_000i64..1_000, 0..700),
            keys in proptest::collection::vec(-1_100i64..1_100, 1..40),
        ) {
            starts.sort_unstable();
            let idx = Index { tops: starts.iter().step_by(BLOCK).copied().collect(), starts, ..Index::default() };
            for k in keys.into_iter().chain([i64::MIN, i64::MAX]) {
                prop_assert_eq!(idx.count_le(k), idx.starts.partition_point(|s| *s <= k), "key {}", k);
            }
        }
    }
}
