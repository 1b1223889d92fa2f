//! The schedule: the validated model (catalogue, notices, windows with their versions,
//! delays) and the evaluator's index over it, and every public method the library offers on
//! it, here in one place. The fields are private to the engine: interfaces and views ask
//! [`Schedule::check`], [`Schedule::windows`] and the read-only views of `view_api`
//! ([`LineageView`](crate::engine::view_api::LineageView)) for what they show, and never walk the model themselves.
//!
//! What lives elsewhere, and why: the constructors that read files (`embedded`, `load`,
//! `from_dir`, `from_sources`, `from_notice_str`) and `warnings` are in `format/load/mod.rs`, since
//! the engine knows no file format; the evaluator's internals are in `eval.rs`, the
//! describing of answers in `answer.rs`, several functions at once in `checkout.rs`.

use crate::engine::answer::{Answer, Query, WindowList, WindowsQuery};
use crate::engine::checkout::AnswerSet;
use crate::engine::error::QueryError;
use crate::engine::eval::{EvalIndex, Status};
use crate::engine::model::{Catalogue, Delay, Lineage, Notice};
use crate::engine::time::{self, Instant};
use chrono::Duration;

/// A loaded, validated schedule, ready for queries. Cheap to share behind an `Arc`.
///
/// Built by the loader: [`Schedule::embedded`], [`Schedule::load`], [`Schedule::from_dir`],
/// [`Schedule::from_sources`], [`Schedule::from_notice_str`].
#[derive(Debug, Clone)]
pub struct Schedule {
    pub(in crate::engine) catalogue: Catalogue,
    pub(in crate::engine) notices: Vec<Notice>,
    pub(in crate::engine) lineages: Vec<Lineage>,
    pub(in crate::engine) delays: Vec<Delay>,
    pub(in crate::engine) index: EvalIndex,
    /// Readings of the notices worth a second look (`mado validate` prints them).
    pub(in crate::engine) warnings: Vec<crate::format::error::Diagnostic>,
    /// See [`Schedule::content_hash`].
    pub(in crate::engine) content_hash: u64,
}

impl Schedule {
    /// Answers a query.
    ///
    /// # Errors
    /// [`QueryError`] when the function or channel is not in the catalogue.
    pub fn check(&self, q: &Query) -> Result<Answer, QueryError> {
        let e = self.evaluated(q)?;
        Ok(self.answer(&e, q))
    }

    /// Answers `q`, and the same question for each of `more` functions, as one set: the
    /// answers in that order, the worst status and the earliest `until`.
    ///
    /// # Errors
    /// The first [`QueryError`]: a function or the channel not in the catalogue.
    pub fn check_each<S: AsRef<str>>(&self, q: &Query, more: &[S]) -> Result<AnswerSet, QueryError> {
        self.check_each_with(q, more, |_, _| {})
    }

    /// The verdict alone for `function` at `at`, as known at `as_of`: no descriptions, no
    /// `until`, no allocation. For callers that only need the status, e.g. a status page
    /// polling many functions.
    ///
    /// # Errors
    /// [`QueryError::UnknownFunction`] when the function
    /// is not in the catalogue.
    pub fn status(&self, function: &str, at: impl Into<Instant>, as_of: impl Into<Instant>) -> Result<Status, QueryError> {
        let f = self
            .catalogue
            .function(function)
            .ok_or_else(|| QueryError::UnknownFunction { id: function.to_string(), suggestions: self.catalogue.close_matches(function) })?;
        let (at, as_of) = (time::whole_seconds(at), time::whole_seconds(as_of));
        let mut status = Status::Available;
        self.covering(Schedule::slot(Some(f)), as_of, Duration::zero(), at, |o| {
            status = status.max(if o.tentative { Status::Tentative } else { Status::Unavailable });
        });
        Ok(status)
    }

    /// Lists window occurrences overlapping a range, and the delays on days in it.
    ///
    /// # Errors
    /// [`QueryError`] when the function is not in the catalogue.
    pub fn windows(&self, q: &WindowsQuery) -> Result<WindowList, QueryError> {
        self.window_list(q)
    }

    /// A hash of the files the schedule was loaded from: 64-bit FNV-1a over each file's base
    /// name and bytes, in the order they are loaded (sorted by path), with their lengths. It
    /// depends on nothing but those files: equal across builds, runs and replicas serving the
    /// same files, whatever directory they are in. The server's validators start from it.
    pub fn content_hash(&self) -> u64 {
        self.content_hash
    }

    /// The function and channel catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The notices, in load order.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// How many window occurrences the index holds (for sizing and benchmarks).
    pub fn indexed_len(&self) -> usize {
        self.index.len()
    }

    /// The loader's last step: the readings worth a second look, and the files' fingerprint.
    pub(crate) fn loaded(mut self, warnings: Vec<crate::format::error::Diagnostic>, content_hash: u64) -> Schedule {
        self.warnings = warnings;
        self.content_hash = content_hash;
        self
    }

    /// The load warnings about file `file` (e.g. a compiled file read from its TOML instead).
    pub fn load_warnings_of<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a crate::format::error::Diagnostic> + 'a {
        self.warnings.iter().filter(move |w| w.file == file)
    }

    /// The windows and delays, for the compiled form (`format::compiled`) to write.
    pub(crate) fn compiled_parts(&self) -> (&[Lineage], &[Delay]) {
        (&self.lineages, &self.delays)
    }

    /// The readings the loader found worth a second look (see `Schedule::warnings`).
    pub(crate) fn load_warnings(&self) -> &[crate::format::error::Diagnostic] {
        &self.warnings
    }

    /// The delays notice `notice` (by index) announces.
    #[cfg_attr(not(feature = "html"), allow(dead_code))]
    pub(crate) fn notice_delays(&self, notice: usize) -> impl Iterator<Item = &Delay> {
        self.delays.iter().filter(move |d| d.notice == notice)
    }

    /// The model's windows, for the crate's own tests that check the evaluator against them.
    #[cfg(test)]
    pub(crate) fn model_lineages(&self) -> &[Lineage] {
        &self.lineages
    }
}
