//! Several functions asked about at once: a checkout page that shows five payment methods
//! asks one question, not five. Each answer is the one `check` gives; the set adds the
//! verdict for all of them and the earliest instant any of them changes.

use crate::engine::answer::{Answer, Query};
use crate::engine::error::QueryError;
use crate::engine::eval::{Schedule, Status};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// The answers for several functions to one question (same `at`, `as_of`, lookahead,
/// channel and zone): the JSON of `mado check F G …` and of `GET /v1/availability` with
/// `function` repeated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AnswerSet {
    /// The instant asked about.
    pub at: DateTime<FixedOffset>,
    /// The as-of instant.
    pub as_of: DateTime<FixedOffset>,
    /// The lookahead, e.g. `15m`; `0s` for the instant alone.
    #[serde(rename = "for")]
    pub lookahead: String,
    /// The channel asked about, if any.
    pub channel: Option<String>,
    /// The worst status among the answers (`unavailable` over `tentative` over `available`).
    pub status: Status,
    /// True only when every function is available.
    pub available: bool,
    /// The earliest `until` of the answers: when any of them next changes, or null if none ever does.
    pub until: Option<DateTime<FixedOffset>>,
    /// One answer per function, in the order asked.
    pub answers: Vec<Answer>,
}

impl Schedule {
    /// [`Schedule::check_each`], showing `seen` each answer's evaluation and query before it
    /// is described (the server files its validators under what each answer means).
    pub(crate) fn check_each_with<S: AsRef<str>>(
        &self,
        q: &Query,
        more: &[S],
        mut seen: impl FnMut(&crate::engine::answer::Evaluated, &Query),
    ) -> Result<AnswerSet, QueryError> {
        let mut q = q.clone();
        let mut answers = Vec::with_capacity(1 + more.len());
        let functions: Vec<String> = std::iter::once(q.function.clone()).chain(more.iter().map(|f| f.as_ref().to_string())).collect();
        for f in functions {
            q.function = f;
            let e = self.evaluated(&q)?;
            seen(&e, &q);
            answers.push(self.answer(&e, &q));
        }
        let status = answers.iter().map(|a| a.status).max().unwrap_or(Status::Available);
        let until = answers.iter().filter_map(|a| a.until).min();
        let first = answers.first();
        let show = |t| crate::engine::time::whole_seconds(t).with_timezone(&q.zone).fixed_offset();
        Ok(AnswerSet {
            at: first.map_or_else(|| show(q.at), |a| a.at),
            as_of: first.map_or_else(|| show(q.as_of), |a| a.as_of),
            lookahead: first.map_or_else(|| crate::engine::time::format_duration(q.lookahead), |a| a.lookahead.clone()),
            channel: q.channel.clone(),
            status,
            available: status == Status::Available,
            until,
            answers,
        })
    }
}
