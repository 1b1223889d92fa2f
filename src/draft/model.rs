//! What a draft is, as the readers build it and the writer prints it: notices, windows,
//! occurrences, delays, and the lines they are read from. Types only; every reader uses
//! them, none of them uses a reader.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A window's times as the draft reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Start and (unless the text gives none) end.
    Confirmed {
        /// Local start.
        start: NaiveDateTime,
        /// Local end; `None` writes `end = "unknown"`.
        end: Option<NaiveDateTime>,
        /// `頃` on the start.
        start_approx: bool,
        /// `頃` on the end.
        end_approx: bool,
        /// A stated length, in minutes, for an open end.
        expected: Option<(i64, bool)>,
    },
    /// A standing rule: `rrule` from a local DTSTART, each occurrence `duration` minutes.
    Recurring {
        /// The rule; `None` in a `change` that keeps the old one.
        rrule: Option<String>,
        /// DTSTART, or for a `change` the new rule's first occurrence.
        start: NaiveDateTime,
        /// Minutes.
        duration: i64,
    },
    /// Days known, times not.
    Tentative {
        /// First day.
        date: NaiveDate,
        /// Last day, for a span.
        last_date: Option<NaiveDate>,
        /// Stated length in minutes, and `程度`.
        expected: Option<(i64, bool)>,
    },
}

/// One `[[window]]` or `[[revise]]` of the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowDraft {
    /// The window id.
    pub id: String,
    /// For a revision: the notice, its window and the action.
    pub revises: Option<(String, String, String)>,
    /// Title, when the row gives one.
    pub title: Option<String>,
    /// Catalogue ids.
    pub functions: Vec<String>,
    /// Ids the notice says stay available.
    pub available: Vec<String>,
    /// Times; `None` only for a revision without times.
    pub shape: Option<Shape>,
    /// `from` of an `end` or `change` revision.
    pub from: Option<NaiveDateTime>,
    /// The notice's own words (the original line).
    pub note: String,
    /// `(field, reason, reason_en)`.
    pub inferred: Vec<(String, String, String)>,
    /// Questions for a person.
    pub todos: Vec<String>,
    /// Whether it is an incident.
    pub incident: bool,
}

/// A notice as drafted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DraftNotice {
    /// The file the text came from (for the header).
    pub source_name: String,
    /// The notice id.
    pub id: String,
    /// `published`: a date or local date-time, or `unknown`.
    pub published: String,
    /// `known_by`, with `published = "unknown"`.
    pub known_by: Option<String>,
    /// The title, as in the notice.
    pub title: String,
    /// `source`.
    pub source: String,
    /// An incident notice.
    pub incident: bool,
    /// Notes and their English.
    pub notes: Vec<String>,
    /// Notes in English.
    pub notes_en: Vec<String>,
    /// Notice-level readings.
    pub inferred: Vec<(String, String, String)>,
    /// Channel effects: channel id and `(field, value)`.
    pub effects: Vec<(String, Vec<(String, String)>)>,
    /// Windows and revisions.
    pub windows: Vec<WindowDraft>,
    /// Questions for the notice as a whole.
    pub todos: Vec<String>,
    /// Delays of scheduled jobs.
    pub delays: Vec<DelayDraft>,
    /// Single nights of standing rules.
    pub occurrences: Vec<OccurrenceDraft>,
}

/// One `[[occurrence]]`: a night of a standing rule with new times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceDraft {
    /// The notice and window of the rule.
    pub notice: String,
    /// Its window id.
    pub window: String,
    /// The local date the occurrence originally starts on.
    pub date: NaiveDate,
    /// The new times: start, end, and their `頃`.
    pub times: (NaiveDateTime, NaiveDateTime, bool, bool),
    /// The notice's words.
    pub note: String,
    /// Questions.
    pub todos: Vec<String>,
}

impl DraftNotice {
    /// Every question, in file order.
    pub fn questions(&self) -> Vec<String> {
        self.todos
            .iter()
            .chain(self.windows.iter().flat_map(|w| w.todos.iter()))
            .chain(self.occurrences.iter().flat_map(|o| o.todos.iter()))
            .chain(self.delays.iter().flat_map(|d| d.todos.iter()))
            .cloned()
            .collect()
    }
}

/// A line: the original text and its NFKC form (with the wave dash read as a range sign).
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub orig: String,
    pub norm: String,
}

/// One `[[delay]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayDraft {
    /// Its id.
    pub id: String,
    /// The job, as the section's item names it.
    pub job: String,
    /// The day; `None` when the text does not settle it (then the delay is not written).
    pub date: Option<NaiveDate>,
    /// The usual time and `頃`.
    pub usual: (NaiveTime, bool),
    /// This time's and `頃`.
    pub expected: (NaiveTime, bool),
    /// The two lines, quoted.
    pub note: String,
    /// `(field, reason, reason_en)`.
    pub inferred: Vec<(String, String, String)>,
    /// Questions.
    pub todos: Vec<String>,
}
