//! The ceilings every interface shares, so that no query makes mado do unbounded work: the
//! supported range of instants (see `time`), the longest lookahead, and the range and limit
//! of a windows list. The CLI and the HTTP API ask the same checks, so they accept and
//! refuse the same queries with the same messages.

use crate::engine::error::QueryError;
use crate::engine::time::{self, Instant};
use chrono::{Duration, SecondsFormat};

/// The most windows one list may hold.
pub const MAX_WINDOWS_LIMIT: usize = 10_000;
/// How many windows a list holds when no limit is given.
pub const DEFAULT_WINDOWS_LIMIT: usize = 1000;
/// How far a windows list reaches when no end is given, in days.
pub const DEFAULT_WINDOWS_DAYS: i64 = 31;

/// The end of a windows list from `from` when none is given: 31 days on, within the range.
pub fn default_to(from: Instant) -> Instant {
    from.checked_add_signed(Duration::days(DEFAULT_WINDOWS_DAYS)).map_or(time::max_instant(), |t| t.min(time::max_instant()))
}

/// The message for a limit outside `1..=MAX_WINDOWS_LIMIT`.
pub fn limit_message(text: &str) -> String {
    format!("`{text}` is not a limit; expected a whole number from 1 to {MAX_WINDOWS_LIMIT}, e.g. `{DEFAULT_WINDOWS_LIMIT}`")
}

fn range(parameter: &str, t: Instant) -> Result<(), QueryError> {
    if time::within_reach(t) {
        Ok(())
    } else {
        Err(QueryError::OutOfRange {
            parameter: parameter.into(),
            detail: time::out_of_range(&t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        })
    }
}

/// Checks a query's instants against the supported range and its lookahead against the ceiling.
pub(crate) fn check_query(at: Instant, as_of: Instant, lookahead: Duration) -> Result<(), QueryError> {
    range("at", at)?;
    range("as_of", as_of)?;
    if !time::lookahead_ok(lookahead) {
        return Err(QueryError::OutOfRange {
            parameter: "for".into(),
            detail: time::lookahead_too_long(&time::format_duration(lookahead)),
        });
    }
    Ok(())
}

/// Checks a windows query: instants in range, `to` after `from`, a limit within the ceiling.
pub(crate) fn check_windows(from: Instant, to: Instant, as_of: Instant, limit: usize) -> Result<(), QueryError> {
    range("from", from)?;
    range("to", to)?;
    range("as_of", as_of)?;
    if to <= from {
        return Err(QueryError::OutOfRange { parameter: "to".into(), detail: "`to` must be after `from`; the range is [from, to)".into() });
    }
    if !(1..=MAX_WINDOWS_LIMIT).contains(&limit) {
        return Err(QueryError::OutOfRange { parameter: "limit".into(), detail: limit_message(&limit.to_string()) });
    }
    Ok(())
}
