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
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
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
    /// Answers `q` for each of `functions` (the function of `q` itself is ignored).
    ///
    /// # Errors
    /// The first [`QueryError`]: a function or the channel not in the catalogue.
    pub fn check_each<S: AsRef<str>>(&self, functions: &[S], q: &Query) -> Result<AnswerSet, QueryError> {
        let mut q = q.clone();
        let mut answers = Vec::with_capacity(functions.len());
        for f in functions {
            q.function = f.as_ref().to_string();
            answers.push(self.check(&q)?);
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

#[cfg(test)]
mod tests {
    use crate::{Query, Schedule, Status};
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn status_alone_equals_the_full_answer_on_seeds_and_generated_schedules() {
        let as_of = Utc.with_ymd_and_hms(2042, 1, 1, 0, 0, 0).unwrap();
        let generated = Schedule::from_sources(crate::synth::notices(200, 7)).expect("synthetic loads");
        for s in [Schedule::embedded().expect("seeds"), generated] {
            let functions: Vec<String> = s.catalogue().functions().iter().map(|f| f.id().to_string()).collect();
            let mut seen = std::collections::BTreeSet::new();
            let mut t = Utc.with_ymd_and_hms(2023, 11, 1, 0, 0, 0).unwrap();
            while t < Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap() {
                for f in &functions {
                    let full = s.check(&Query::new(f.as_str(), t).as_of(as_of)).expect("known").status;
                    assert_eq!(s.status(f, t, as_of).expect("known"), full, "{f} at {t}");
                    seen.insert(full);
                }
                t += Duration::minutes(97);
            }
            assert!(seen.contains(&Status::Unavailable) && seen.contains(&Status::Available), "the grid meets windows: {seen:?}");
        }
        assert!(Schedule::embedded().expect("seeds").status("webcollect.nope", as_of, as_of).is_err());
    }

    #[test]
    fn a_set_is_as_bad_as_its_worst_answer_and_changes_with_its_first() {
        let s = Schedule::embedded().expect("seeds");
        let at = Utc.with_ymd_and_hms(2023, 11, 12, 14, 30, 0).unwrap(); // 23:30 JST: reauth's nightly blackout
        let as_of = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let q = Query::new("ignored", at).as_of(as_of);
        let set = s.check_each(&["webcollect.credit_card", "webcollect.reauth"], &q).expect("known");
        let one = |f: &str| s.check(&Query::new(f, at).as_of(as_of)).expect("known");
        assert_eq!(set.answers, vec![one("webcollect.credit_card"), one("webcollect.reauth")]);
        assert_eq!(set.status, set.answers.iter().map(|a| a.status).max().unwrap());
        assert_eq!(set.until, set.answers.iter().filter_map(|a| a.until).min());
        assert_eq!(set.available, set.status == Status::Available);
        assert!(s.check_each(&["webcollect.credit_card", "nope"], &q).is_err());
    }
}
