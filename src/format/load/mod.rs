//! Raw TOML to validated schedule. Every problem is collected with its position; if there is
//! any, nothing is returned but the problems.

use crate::engine::eval::Schedule;
use crate::engine::model::*;
use crate::engine::rrule::{Rule, MAX_EXPANDED};
use crate::engine::time::{self, is_gap, local_to_instant, parse_written, Instant, WrittenTime, DEFAULT_ZONE};
use crate::format::error::{Diagnostic, LoadError};
use crate::format::raw::{self, CatalogueFile, NoticeFile, RawEffects, RawWindow, S};
use crate::format::source::{embedded_sources, notice_id, read_dir_sources, SourceFile, CATALOGUE_FILE};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

mod catalogue;
mod lines;
mod revise;
mod shape;
mod spec;
mod steps;

use catalogue::*;
use lines::{Located, Src};
use revise::Revision;
use shape::*;
use spec::*;
use steps::*;

struct Diags {
    list: Vec<Diagnostic>,
    /// Readings worth a second look: they do not stop the load (`mado validate` prints them).
    warnings: Vec<Diagnostic>,
    /// Occurrences of recurring windows with an end, expanded at load, so far.
    expanded: usize,
}

impl Diags {
    fn at(&mut self, file: &impl Located, span: Option<Range<usize>>, message: String) {
        let (line, column) = match span {
            Some(r) => file.position(r.start),
            None => (0, 0),
        };
        self.list.push(Diagnostic { file: file.name().to_string(), line, column, message });
    }
}

/// Records a warning at a position of `file`.
fn self_warn(warnings: &mut Vec<Diagnostic>, file: &Src, span: Option<Range<usize>>, message: String) {
    let (line, column) = span.map_or((0, 0), |r| file.position(r.start));
    warnings.push(Diagnostic { file: file.name.clone(), line, column, message });
}

fn parse_toml<T: serde::de::DeserializeOwned>(file: &SourceFile, d: &mut Diags) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e.message().trim().trim_end_matches('.').to_string();
            let msg = if msg.starts_with("missing field") {
                format!("{msg}; docs/format.md lists the fields each table needs")
            } else if msg.starts_with("unknown field") || msg.starts_with("invalid type") || msg.starts_with("unknown variant") {
                msg
            } else {
                format!("not valid TOML: {msg}")
            };
            d.at(file, e.span(), msg);
            None
        }
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A text and its English: `None` without the Japanese (the loader refuses an English text
/// without the notice's own words before this is asked).
fn bilingual(ja: &Option<String>, en: &Option<String>) -> Option<Bilingual> {
    ja.as_ref().map(|ja| Bilingual::new(ja.clone(), en.clone()))
}

fn effect(r: &raw::RawEffect) -> NoticeEffect {
    NoticeEffect {
        effect: Effect { error_code: r.error_code.clone(), page: r.page.clone(), message: r.message.clone(), note: None },
        note: bilingual(&r.note, &r.note_en),
    }
}

fn parse_kind(file: &Src, k: &S<String>, d: &mut Diags) -> Option<Kind> {
    match k.get_ref().as_str() {
        "maintenance" => Some(Kind::Maintenance),
        "incident" => Some(Kind::Incident),
        other => {
            d.at(
                file,
                Some(k.span()),
                format!("`{other}` is not a kind; expected `maintenance` (planned, the default) or `incident` (an unplanned outage)"),
            );
            None
        }
    }
}

/// A notice's `url` must be a web address: the pages link to it.
fn check_url(file: &Src, u: &S<String>, d: &mut Diags) {
    let text = u.get_ref();
    if !is_web_address(text) {
        d.at(
            file,
            Some(u.span()),
            format!(
                "url `{}` is not an http or https address; expected the address the notice prints, e.g. `https://www.yamato-hd.co.jp/…`",
                text.escape_debug()
            ),
        );
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Original => "original",
        Action::Replace => "replace",
        Action::Postpone => "postpone",
        Action::Cancel => "cancel",
        Action::End => "end",
        Action::Change => "change",
    }
}

/// The rule's text without its `UNTIL`/`COUNT`: a changed rule goes on unless its change says otherwise.
fn strip_bound(text: &str) -> String {
    text.trim()
        .trim_start_matches("RRULE:")
        .split(';')
        .filter(|p| !p.starts_with("UNTIL=") && !p.starts_with("COUNT="))
        .collect::<Vec<_>>()
        .join(";")
}

/// `spec` with every rule (its own and those before each `change`) stopped before `t`;
/// parts left with no occurrence are dropped. `None` when nothing is left.
fn end_parts(spec: &Spec, t: Instant, expanded: &mut usize) -> Result<Option<Spec>, String> {
    let earlier = match &spec.earlier {
        Some(e) => end_parts(e, t, expanded)?,
        None => None,
    };
    let Shape::Recurring { rule, duration } = &spec.shape else {
        return Ok(Some(Spec { earlier: earlier.map(Box::new), ..spec.clone() }));
    };
    match rule.ending_before(t)? {
        Some(rule) => {
            *expanded += rule.count().map_or(0, |n| n as usize);
            Ok(Some(Spec {
                shape: Shape::Recurring { rule: Box::new(rule), duration: *duration },
                earlier: earlier.map(Box::new),
                ..spec.clone()
            }))
        }
        None => Ok(earlier),
    }
}

/// What the steps after the first read of a notice file: its tables, each list dropped by
/// the step that reads it last (windows after step 2, revisions after step 3, occurrence
/// changes after step 4, delays after step 5), and what step 1 made of its header for them;
/// the rest of the header went into its `Notice`.
struct Parsed {
    file: usize,
    /// `[[window]]` tables, read by step 2.
    window: Vec<S<RawWindow>>,
    /// `[[revise]]` tables, read by step 3.
    revise: Vec<S<RawWindow>>,
    /// `[[occurrence]]` tables, read by step 4.
    occurrence: Vec<raw::RawOccurrence>,
    /// `[[delay]]` tables, read by step 5.
    delay: Vec<raw::RawDelay>,
    /// Where the file's `title` key is, for the warning about a day it names.
    title_at: Option<Range<usize>>,
    zone: Tz,
    /// The notice's stated effects, by channel; empty when it states none (see [`Parsed::effect`]).
    effects: Vec<Option<Stated>>,
    /// The notice's `kind`, when it states one.
    kind: Option<Kind>,
    /// The notice's `advice`, for the windows it announces and revises.
    advice: Option<Bilingual<Vec<String>>>,
}

impl Parsed {
    /// The effect the notice states on channel `c`, if any.
    fn effect(&self, c: usize) -> Option<&Stated> {
        self.effects.get(c).and_then(Option::as_ref)
    }
}

impl Schedule {
    /// The schedules embedded in the binary at build time (`schedules/` of the source tree).
    ///
    /// Read from their compiled form (`src/format/embedded.mado`, see
    /// [`crate::compiled`]) when it was written from these files by this build's model, else
    /// from their TOML.
    ///
    /// # Errors
    /// [`LoadError`] if the embedded files are invalid (the tests make sure they are not).
    pub fn embedded() -> Result<Schedule, LoadError> {
        let files = embedded_sources();
        let (cats, notices): (Vec<&SourceFile>, Vec<&SourceFile>) = files.iter().partition(|f| f.is_catalogue());
        if let [cat] = cats[..] {
            if let Some(s) = crate::format::compiled::embedded(content_hash(cat, notices)) {
                return Ok(s);
            }
        }
        Schedule::from_sources(files)
    }

    /// Loads `dir` if given (a schedules directory, or a file `mado compile` wrote, see
    /// [`crate::compiled`]), else the embedded schedules: what the CLI and the server serve.
    ///
    /// # Errors
    /// As [`Schedule::from_dir`] and [`Schedule::embedded`].
    pub fn load(dir: Option<&Path>) -> Result<Schedule, LoadError> {
        match dir {
            Some(f) if f.is_file() => crate::format::compiled::load_compiled(f, &crate::format::compiled::read_file(f)?),
            Some(d) => Schedule::from_dir(d),
            None => Schedule::embedded(),
        }
    }

    /// Loads `functions.toml` and every other `*.toml` below `dir` (sorted by path).
    ///
    /// # Errors
    /// [`LoadError::Io`] when a file cannot be read, [`LoadError::Invalid`] with every problem
    /// found (file, line, column, message) when the schedule is not valid.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Schedule, LoadError> {
        Schedule::from_sources(read_dir_sources(dir.as_ref())?)
    }

    /// Loads from named files; the one named `functions.toml` (in any directory) is the
    /// catalogue, the others are notices.
    ///
    /// # Errors
    /// As [`Schedule::from_dir`]; a missing catalogue is an error too.
    pub fn from_sources(files: Vec<SourceFile>) -> Result<Schedule, LoadError> {
        let (cats, notices): (Vec<SourceFile>, Vec<SourceFile>) = files.into_iter().partition(SourceFile::is_catalogue);
        match cats.as_slice() {
            [cat] => build(cat, notices),
            [] => Err(LoadError::Invalid(vec![Diagnostic {
                file: CATALOGUE_FILE.into(),
                line: 0,
                column: 0,
                message: format!("no `{CATALOGUE_FILE}` found; a schedules directory needs the function catalogue"),
            }])),
            [_, second, ..] => Err(LoadError::Invalid(vec![Diagnostic {
                file: second.name.clone(),
                line: 0,
                column: 0,
                message: format!("a second `{CATALOGUE_FILE}`; a schedule has one catalogue"),
            }])),
        }
    }

    /// Readings worth a second look, as of `now`: revisions that bring back a window
    /// postponed with no date (and what they inherit), notices published after `now`, titles
    /// naming a day none of the notice's windows is on. They do not stop the load.
    pub fn warnings(&self, now: Instant) -> Vec<Diagnostic> {
        let mut out = self.load_warnings().to_vec();
        for n in self.notices() {
            if n.known_from > now {
                out.push(Diagnostic {
                    file: n.file.clone(),
                    line: 0,
                    column: 0,
                    message: format!(
                        "notice `{}` is published {}, after now ({}): answers as of now do not count it yet",
                        n.id,
                        n.known_from.with_timezone(&DEFAULT_ZONE).format("%Y-%m-%d %H:%M %Z"),
                        now.with_timezone(&DEFAULT_ZONE).format("%Y-%m-%d %H:%M %Z")
                    ),
                });
            }
        }
        out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        out
    }

    /// Loads one notice from a string, with the embedded catalogue.
    ///
    /// # Errors
    /// [`LoadError::Invalid`] when the notice is not valid.
    pub fn from_notice_str(text: &str) -> Result<Schedule, LoadError> {
        let mut files: Vec<SourceFile> = embedded_sources().into_iter().filter(SourceFile::is_catalogue).collect();
        files.push(SourceFile { name: "<string>".into(), text: text.into() });
        Schedule::from_sources(files)
    }
}

/// Builds the schedule from a catalogue file and notice files, in named steps: the notices'
/// headers, their windows, revisions in publication order, changes to single occurrences of
/// recurring windows, delays. Every step records its problems and goes on, so one run reports
/// them all; any problem means no schedule.
pub(crate) fn build(catalogue: &SourceFile, files: Vec<SourceFile>) -> Result<Schedule, LoadError> {
    let mut d = Diags { list: Vec::new(), warnings: Vec::new(), expanded: 0 };
    let hash = content_hash(catalogue, &files);
    let Some(cat) = build_catalogue(catalogue, &mut d) else {
        // Notices cannot be checked against a broken catalogue; report their syntax only.
        for f in &files {
            let _ = parse_toml::<NoticeFile>(f, &mut d);
        }
        return Err(LoadError::Invalid(d.list));
    };
    let mut b = Build {
        files: Vec::with_capacity(files.len()),
        cat,
        d,
        // Exact: the notices stay in the schedule; the steps' lists go at its end.
        notices: Vec::with_capacity(files.len()),
        parsed: Vec::new(),
        by_id: HashMap::with_capacity(files.len()),
        lineages: Vec::new(),
        by_key: HashMap::new(),
        broken: Broken::default(),
    };
    b.read_notices(files);
    b.announce_windows();
    b.apply_revisions();
    b.apply_occurrence_changes();
    b.check_titles();
    let delays = b.delays();
    let Build { cat, mut d, notices, lineages, parsed, by_id, by_key, broken, files: _ } = b;
    // What only the steps read goes before the schedule builds its indexes.
    drop((parsed, by_id, by_key, broken));
    if !d.list.is_empty() {
        d.list.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        d.list.dedup();
        return Err(LoadError::Invalid(d.list));
    }
    Ok(Schedule::new(cat, notices, lineages, delays).loaded(d.warnings, hash))
}

/// 64-bit FNV-1a over each file's base name and bytes, lengths first (see
/// [`Schedule::content_hash`]).
fn content_hash<'a>(catalogue: &'a SourceFile, files: impl IntoIterator<Item = &'a SourceFile>) -> u64 {
    crate::format::source::fnv_files(std::iter::once(catalogue).chain(files), |name| name.rsplit(['/', '\\']).next().unwrap_or(name))
}

/// The days (month, day) a title names: 「11月13日」, 「2023年11月13日」, 「(6/14)」; full-width
/// digits read as digits.
fn title_days(title: &str) -> Vec<(u32, u32)> {
    let text: String = title
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '／' => '/',
            c => c,
        })
        .filter(|c| *c != ' ' && *c != '\u{3000}')
        .collect();
    let chars: Vec<char> = text.chars().collect();
    let number = |i: usize| -> (Option<u32>, usize) {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() && j - i < 4 {
            j += 1;
        }
        (chars[i..j].iter().collect::<String>().parse().ok(), j)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let (m, j) = number(i);
            if let (Some(m), Some(sep)) = (m, chars.get(j)) {
                if (*sep == '月' || *sep == '/') && j + 1 < chars.len() && chars[j + 1].is_ascii_digit() {
                    let (dd, k) = number(j + 1);
                    let closes = if *sep == '月' {
                        chars.get(k) == Some(&'日')
                    } else {
                        chars.get(k).is_none_or(|c| !c.is_ascii_digit() && *c != '/')
                    };
                    if let (Some(dd), true) = (dd, closes) {
                        if (1..=12).contains(&m) && (1..=31).contains(&dd) && !out.contains(&(m, dd)) {
                            out.push((m, dd));
                        }
                    }
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a window's times touch local day `month`/`day` (of any year).
fn shape_has_day(shape: &Shape, zone: Tz, month: u32, day: u32) -> bool {
    use chrono::Datelike;
    let is = |d: NaiveDate| d.month() == month && d.day() == day;
    let days_between = |a: Instant, b: Instant| {
        let (a, b) = (a.with_timezone(&zone).date_naive(), (b - Duration::seconds(1)).with_timezone(&zone).date_naive());
        a.iter_days().take_while(|d| *d <= b).take(400).any(is)
    };
    match shape {
        Shape::Confirmed { start, end_unknown: true, .. } => is(start.with_timezone(&zone).date_naive()),
        Shape::Confirmed { start, end, .. } => days_between(*start, *end),
        Shape::Tentative { first, last, .. } => first.iter_days().take_while(|d| d <= last).take(400).any(is),
        Shape::Recurring { .. } => true,
    }
}

fn publication(file: &Src, raw: &NoticeFile, zone: Tz, d: &mut Diags) -> Option<(Published, Instant)> {
    let text = raw.published.get_ref();
    if text == "unknown" {
        let Some(k) = &raw.known_by else {
            d.at(file, Some(raw.published.span()), "`published = \"unknown\"` needs `known_by`: the latest instant the sources show the notice was public, e.g. `known_by = \"2021-06-14T01:00+09:00\"`".into());
            return None;
        };
        let t = written(file, k, zone, d)?;
        return Some((Published::Unknown, t));
    }
    if let Some(k) = &raw.known_by {
        d.at(file, Some(k.span()), "`known_by` is only for `published = \"unknown\"`".into());
        return None;
    }
    if let Ok(date) = time::parse_date(text) {
        let t = local_to_instant(zone, date.and_time(chrono::NaiveTime::MIN));
        return Some((Published::At { instant: t, date_only: true }, t));
    }
    match parse_written(text) {
        Ok(w) => {
            let t = check_written(file, raw.published.span(), w, zone, d)?;
            Some((Published::At { instant: t, date_only: false }, t))
        }
        Err(_) => {
            d.at(file, Some(raw.published.span()), format!("`{text}` is not a publication time; expected a date `2023-10-10`, a date and time `2023-10-10 15:00`, RFC 3339, or `unknown`"));
            None
        }
    }
}

/// `corrected = [...]`: when corrections of the file were made public, each read as the
/// notice's other times are, in order and none before the notice was known.
fn corrections(file: &Src, list: &[S<String>], zone: Tz, known_from: Instant, d: &mut Diags) -> Vec<Instant> {
    let mut out: Vec<Instant> = Vec::new();
    for c in list {
        let Some(t) = written(file, c, zone, d) else { continue };
        if t < known_from {
            d.at(
                file,
                Some(c.span()),
                format!(
                    "correction `{}` is before the notice was published ({}); a correction comes after it",
                    c.get_ref(),
                    known_from.to_rfc3339()
                ),
            );
            continue;
        }
        if let Some(last) = out.last().filter(|l| **l >= t) {
            d.at(
                file,
                Some(c.span()),
                format!(
                    "correction `{}` is not after the one before it ({}); list `corrected` oldest first, each once",
                    c.get_ref(),
                    last.to_rfc3339()
                ),
            );
            continue;
        }
        out.push(t);
    }
    out
}

/// An effect a table states: the candidate, and the reason when it is inferred.
#[derive(Clone)]
struct Stated {
    candidate: Candidate,
    inferred: Option<Inference>,
}

fn stated_effects(file: &Src, raw: &RawEffects, cat: &Catalogue, d: &mut Diags) -> Vec<Option<Stated>> {
    let mut out = vec![None; cat.channels.len()];
    for (k, v) in raw {
        let Some(c) = cat.channel(k.get_ref()) else {
            d.at(file, Some(k.span()), format!("unknown channel `{}`; expected one of {}", k.get_ref(), channel_list(cat)));
            continue;
        };
        let scope = match &v.functions {
            None => None,
            Some(list) => match resolve_functions(file, list.get_ref(), cat, d) {
                Some(f) if f.is_empty() => {
                    d.at(file, Some(list.span()), "`functions` is empty; leave it out to mean every function of the window".into());
                    continue;
                }
                Some(f) => Some(f),
                None => continue,
            },
        };
        let inferred = v.inferred.as_ref().map(|reason| Inference {
            field: format!("effects.{}", k.get_ref()),
            reason: Bilingual::new(reason.clone(), v.inferred_en.clone()),
        });
        let source = if inferred.is_some() { EffectSource::Inferred } else { EffectSource::Notice };
        out[c] = Some(Stated { candidate: Candidate::new(scope, std::sync::Arc::new(effect(v)), source), inferred });
    }
    out
}

/// Validates `inferred = [...]` entries: each names a field mado reads into the notice.
fn inferences(file: &Src, list: &[raw::RawInferred], cat: &Catalogue, d: &mut Diags) -> Vec<Inference> {
    let mut out = Vec::new();
    for i in list {
        let field = i.field.get_ref();
        let ok = INFERABLE.contains(&field.as_str()) || field.strip_prefix("effects.").is_some_and(|c| cat.channel(c).is_some());
        if !ok {
            d.at(
                file,
                Some(i.field.span()),
                format!(
                    "`{field}` is not a field mado infers; expected one of {}, or `effects.<channel>` with a channel of the catalogue, e.g. `effects.api`",
                    INFERABLE.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
                ),
            );
            continue;
        }
        out.push(Inference { field: field.clone(), reason: Bilingual::new(i.reason.clone(), i.reason_en.clone()) });
    }
    out
}

/// Resolves an optional list of function ids.
fn function_list(file: &Src, list: Option<&S<Vec<S<String>>>>, cat: &Catalogue, d: &mut Diags) -> Option<Vec<FnIdx>> {
    match list {
        None => Some(Vec::new()),
        Some(l) => resolve_functions(file, l.get_ref(), cat, d),
    }
}

fn channel_list(cat: &Catalogue) -> String {
    cat.channels.iter().map(|c| format!("`{}`", c.id)).collect::<Vec<_>>().join(", ")
}

fn resolve_functions(file: &Src, list: &[S<String>], cat: &Catalogue, d: &mut Diags) -> Option<Vec<FnIdx>> {
    let mut out = Vec::new();
    let mut ok = true;
    for f in list {
        match cat.function(f.get_ref()) {
            Some(i) => {
                if !out.contains(&i) {
                    out.push(i)
                }
            }
            None => {
                ok = false;
                let close = cat.close_matches(f.get_ref());
                let hint = if close.is_empty() { String::new() } else { format!(", e.g. `{}`", close[0]) };
                d.at(
                    file,
                    Some(f.span()),
                    format!("unknown function `{}`; expected an id from the catalogue (`mado functions`){hint}", f.get_ref()),
                );
            }
        }
    }
    ok.then_some(out)
}

fn has_shape(w: &RawWindow) -> bool {
    w.start.is_some() || w.end.is_some() || w.date.is_some() || w.rrule.is_some() || w.duration.is_some() || w.last_date.is_some()
}

fn parse_action(file: &Src, a: &S<String>, allowed: &[&str], d: &mut Diags) -> Option<Action> {
    let action = match a.get_ref().as_str() {
        "replace" => Action::Replace,
        "postpone" => Action::Postpone,
        "cancel" => Action::Cancel,
        "end" => Action::End,
        "change" => Action::Change,
        _ => Action::Original,
    };
    if action == Action::Original || !allowed.contains(&a.get_ref().as_str()) {
        let list = allowed.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ");
        d.at(file, Some(a.span()), format!("`{}` is not an action here; expected one of {list}", a.get_ref()));
        return None;
    }
    Some(action)
}

#[allow(clippy::too_many_arguments)]
fn find_target(
    file: &Src,
    span: Range<usize>,
    notice: Option<&S<String>>,
    window: Option<&S<String>>,
    table: &str,
    by_id: &HashMap<String, usize>,
    by_key: &HashMap<(usize, String), usize>,
    lineages: &[Lineage],
    broken: &mut Broken,
    d: &mut Diags,
) -> Option<usize> {
    let (Some(notice), Some(window)) = (notice, window) else {
        d.at(file, Some(span), format!("missing field `notice` or `window` in {table}; name the window it changes, e.g. `notice = \"2023-08-28-db-upgrade\"` and `window = \"all-functions\"`"));
        return None;
    };
    let Some(&ni) = by_id.get(notice.get_ref()) else {
        if let Some(bad) = broken.notices.get(notice.get_ref()) {
            // Said once per file: its errors are reported where they are.
            if broken.said.insert((file.name.clone(), bad.clone())) {
                d.at(
                    file,
                    Some(notice.span()),
                    format!(
                        "skipped what this file changes in notice `{}`: {bad} has errors (reported there); fix those first",
                        notice.get_ref()
                    ),
                );
            }
            return None;
        }
        d.at(
            file,
            Some(notice.span()),
            format!("{table} names notice `{}`, which does not exist; expected the id of a notice in the schedule", notice.get_ref()),
        );
        return None;
    };
    match by_key.get(&(ni, window.get_ref().clone())) {
        Some(&li) => Some(li),
        None if broken.windows.contains_key(&(ni, window.get_ref().clone())) => {
            let bad = broken.windows[&(ni, window.get_ref().clone())].clone();
            if broken.said.insert((file.name.clone(), format!("{bad}#{}", window.get_ref()))) {
                d.at(file, Some(window.span()), format!("skipped what this file changes in window `{}` of notice `{}`: the window has errors in {bad} (reported there); fix those first", window.get_ref(), notice.get_ref()));
            }
            None
        }
        None => {
            let ids: Vec<String> = lineages.iter().filter(|l| l.notice == ni).map(|l| format!("`{}`", l.id)).collect();
            let known = if ids.is_empty() { "it has no windows".to_string() } else { format!("its windows are {}", ids.join(", ")) };
            d.at(
                file,
                Some(window.span()),
                format!("{table} names window `{}` of notice `{}`, which does not exist; {known}", window.get_ref(), notice.get_ref()),
            );
            None
        }
    }
}
