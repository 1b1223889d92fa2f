//! Stage 1: serde structs that mirror the TOML files, with spans for error messages.
//! Nothing here is checked beyond TOML syntax, field names and types.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub(crate) type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogueFile {
    /// Who publishes the notices of a set of functions (docs/providers.md).
    #[serde(default)]
    pub provider: Vec<RawProvider>,
    #[serde(default)]
    pub function: Vec<RawFunction>,
    #[serde(default)]
    pub channel: Vec<RawChannel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFunction {
    pub id: S<String>,
    pub ja: String,
    pub en: String,
    /// Other words for the function (ja or en), as people and notices say them.
    #[serde(default)]
    pub aliases: Vec<S<String>>,
    /// Its provider's id; default: its parent's, for a top-level function the first provider.
    pub provider: Option<S<String>>,
}

/// A `[[provider]]` of the catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProvider {
    pub id: S<String>,
    pub ja: String,
    pub en: String,
    /// IANA zone its notices' local times are in; default Asia/Tokyo.
    pub zone: Option<S<String>>,
    /// Its own page of notices.
    pub url: Option<S<String>>,
    /// The catalogue's channels it has; default all.
    pub channels: Option<Vec<S<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChannel {
    pub id: S<String>,
    pub ja: String,
    pub en: String,
    #[serde(default)]
    pub default: RawEffect,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEffect {
    pub error_code: Option<String>,
    pub page: Option<String>,
    pub message: Option<String>,
    pub note: Option<String>,
    pub note_en: Option<String>,
    /// Only for these functions (and those below them); others fall back.
    pub functions: Option<S<Vec<S<String>>>>,
    /// Why mado reads this effect into a notice that does not state it (ja).
    pub inferred: Option<String>,
    /// The same reason in English.
    pub inferred_en: Option<String>,
}

/// `inferred = [{ field = "functions", reason = "…", reason_en = "…" }]`: what mado reads
/// into a notice that the notice does not state, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInferred {
    pub field: S<String>,
    pub reason: String,
    pub reason_en: Option<String>,
}

pub(crate) type RawEffects = BTreeMap<S<String>, RawEffect>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoticeFile {
    pub id: S<String>,
    pub published: S<String>,
    pub known_by: Option<S<String>>,
    pub zone: Option<S<String>>,
    pub title: String,
    pub title_en: Option<String>,
    pub source: String,
    pub source_en: Option<String>,
    pub url: Option<S<String>>,
    /// `maintenance` (default) or `incident`, for the windows it announces and revises.
    pub kind: Option<S<String>>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub notes_en: Vec<String>,
    /// When corrections of this file (in-place edits, no new notice) were made public,
    /// oldest first; each adds one to the feed's SEQUENCE of the windows it touches.
    #[serde(default)]
    pub corrected: Vec<S<String>>,
    /// What a merchant can do during the notice's windows, in the notice's own words.
    pub advice: Option<S<Vec<String>>>,
    /// The same, entry by entry, in English.
    pub advice_en: Option<S<Vec<String>>>,
    #[serde(default)]
    pub inferred: Vec<RawInferred>,
    #[serde(default)]
    pub effects: RawEffects,
    #[serde(default)]
    pub window: Vec<S<RawWindow>>,
    #[serde(default)]
    pub revise: Vec<S<RawWindow>>,
    #[serde(default)]
    pub occurrence: Vec<RawOccurrence>,
    #[serde(default)]
    pub delay: Vec<RawDelay>,
}

/// A `[[window]]` or a `[[revise]]` table. They share their fields, so one struct reads
/// both; validation checks which fields each kind needs (`id` and `functions` for a window,
/// `notice`, `window` and `action` for a revision) and that exactly one time shape is given.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWindow {
    pub id: Option<S<String>>,
    pub notice: Option<S<String>>,
    pub window: Option<S<String>>,
    pub action: Option<S<String>>,
    pub kind: Option<S<String>>,
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub functions: Option<S<Vec<S<String>>>>,
    pub add_functions: Option<S<Vec<S<String>>>>,
    pub available: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    pub effects: RawEffects,
    pub note: Option<String>,
    pub note_en: Option<String>,
    /// What a merchant can do during this window (overrides the notice's `advice`).
    pub advice: Option<S<Vec<String>>>,
    pub advice_en: Option<S<Vec<String>>>,
    #[serde(default)]
    pub inferred: Vec<RawInferred>,
    /// `action = "end"`: occurrences starting at or after this stop.
    pub from: Option<S<String>>,
    pub start: Option<S<String>>,
    pub end: Option<S<String>>,
    #[serde(default)]
    pub start_approx: bool,
    #[serde(default)]
    pub end_approx: bool,
    pub date: Option<S<String>>,
    pub last_date: Option<S<String>>,
    pub expected_duration: Option<S<String>>,
    #[serde(default)]
    pub expected_duration_approx: bool,
    pub rrule: Option<S<String>>,
    pub duration: Option<S<String>>,
    pub zone: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOccurrence {
    pub notice: S<String>,
    pub window: S<String>,
    pub date: S<String>,
    pub action: S<String>,
    pub start: Option<S<String>>,
    pub end: Option<S<String>>,
    #[serde(default)]
    pub start_approx: bool,
    #[serde(default)]
    pub end_approx: bool,
    pub note: Option<String>,
    pub note_en: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDelay {
    pub id: S<String>,
    pub job: String,
    pub job_en: Option<String>,
    #[serde(default)]
    pub functions: Vec<S<String>>,
    pub date: S<String>,
    pub usual: S<String>,
    #[serde(default)]
    pub usual_approx: bool,
    pub expected: S<String>,
    #[serde(default)]
    pub expected_approx: bool,
    pub note: Option<String>,
    pub note_en: Option<String>,
    #[serde(default)]
    pub inferred: Vec<RawInferred>,
}
