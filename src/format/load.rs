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

struct Diags {
    list: Vec<Diagnostic>,
    /// Readings worth a second look: they do not stop the load (`mado validate` prints them).
    warnings: Vec<Diagnostic>,
    /// Occurrences of recurring windows with an end, expanded at load, so far.
    expanded: usize,
}

impl Diags {
    fn at(&mut self, file: &SourceFile, span: Option<Range<usize>>, message: String) {
        let (line, column) = match span {
            Some(r) => position(&file.text, r.start),
            None => (0, 0),
        };
        self.list.push(Diagnostic { file: file.name.clone(), line, column, message });
    }
}

/// Records a warning at a position of `file`.
fn self_warn(warnings: &mut Vec<Diagnostic>, file: &SourceFile, span: Option<Range<usize>>, message: String) {
    let (line, column) = span.map_or((0, 0), |r| position(&file.text, r.start));
    warnings.push(Diagnostic { file: file.name.clone(), line, column, message });
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
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

fn build_catalogue(file: &SourceFile, d: &mut Diags) -> Option<Catalogue> {
    let raw: CatalogueFile = parse_toml(file, d)?;
    let before = d.list.len();
    let mut cat = Catalogue::default();
    for (span, message) in crate::format::providers::build(&raw, &mut cat) {
        d.at(file, span, message);
    }
    for f in &raw.function {
        let id = f.id.get_ref();
        if !valid_id(id) || id.starts_with('.') || id.ends_with('.') {
            d.at(
                file,
                Some(f.id.span()),
                format!("`{id}` is not a function id; expected lower-case words joined by dots, e.g. `webcollect.credit_card`"),
            );
            continue;
        }
        if cat.function(id).is_some() {
            d.at(file, Some(f.id.span()), format!("duplicate function id `{id}`; each id is listed once"));
            continue;
        }
        let parent = match id.rsplit_once('.') {
            None => None,
            Some((p, _)) => match cat.function(p) {
                Some(i) => Some(i),
                None => {
                    d.at(file, Some(f.id.span()), format!("function `{id}` comes before its parent `{p}`; list `{p}` first"));
                    continue;
                }
            },
        };
        let aliases = f.aliases.iter().map(|a| a.get_ref().clone()).collect();
        let provider = match crate::format::providers::of_function(f, parent.and_then(|p| cat.functions[p].provider), &cat) {
            Ok(p) => p,
            Err((span, message)) => {
                d.at(file, span, message);
                continue;
            }
        };
        cat.functions.push(Function { id: id.clone(), ja: f.ja.clone(), en: f.en.clone(), aliases, parent, provider });
    }
    check_aliases(file, &raw.function, &cat, d);
    if cat.functions.len() > 64 {
        d.at(file, None, format!("{} functions; mado handles at most 64", cat.functions.len()));
    }
    for c in &raw.channel {
        let id = c.id.get_ref();
        if cat.channel(id).is_some() {
            d.at(file, Some(c.id.span()), format!("duplicate channel id `{id}`; each id is listed once"));
            continue;
        }
        cat.channels.push(Channel { id: id.clone(), ja: c.ja.clone(), en: c.en.clone(), default: effect(&c.default) });
    }
    (d.list.len() == before).then_some(cat)
}

/// An alias names one function: after the normalisation names are read with (full-width and
/// half-width alike, case and spaces ignored), it may not be empty, nor another function's id,
/// label or alias, or its own alias twice.
fn check_aliases(file: &SourceFile, raw: &[raw::RawFunction], cat: &Catalogue, d: &mut Diags) {
    use crate::engine::names::name_key;
    let mut taken: std::collections::HashMap<String, (&str, String)> = std::collections::HashMap::new();
    for f in &cat.functions {
        for (what, name) in [("id", &f.id), ("Japanese label", &f.ja), ("English label", &f.en)] {
            taken.entry(name_key(name)).or_insert((&f.id, format!("its {what} `{name}`")));
        }
    }
    for rf in raw {
        let id = rf.id.get_ref();
        if cat.function(id).is_none() {
            continue; // already reported
        }
        for a in &rf.aliases {
            let key = name_key(a.get_ref());
            if key.is_empty() {
                d.at(
                    file,
                    Some(a.span()),
                    format!("alias `{}` of `{id}` is empty; expected a word people use for it, e.g. `再与信`", a.get_ref()),
                );
                continue;
            }
            match taken.get(&key) {
                Some((owner, what)) if *owner != id.as_str() || what.starts_with("its alias") => d.at(
                    file,
                    Some(a.span()),
                    format!(
                        "alias `{}` of `{id}` is already a name of `{owner}` ({what}); an alias names one function, so `mado check` knows which",
                        a.get_ref()
                    ),
                ),
                Some(_) => {} // the function's own id or label: harmless
                None => {
                    let owner = cat.functions.iter().find(|f| &f.id == id).map_or("", |f| f.id.as_str());
                    taken.insert(key, (owner, format!("its alias `{}`", a.get_ref())));
                }
            }
        }
    }
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

fn parse_kind(file: &SourceFile, k: &S<String>, d: &mut Diags) -> Option<Kind> {
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
fn check_url(file: &SourceFile, u: &S<String>, d: &mut Diags) {
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
            Ok(Some(Spec { shape: Shape::Recurring { rule, duration: *duration }, earlier: earlier.map(Box::new), ..spec.clone() }))
        }
        None => Ok(earlier),
    }
}

/// Everything a notice file contributes before revisions are applied.
struct Parsed {
    file: usize,
    raw: NoticeFile,
    zone: Tz,
    /// The notice's stated effects, by channel.
    effects: Vec<Option<Stated>>,
    /// The notice's `kind`, when it states one.
    kind: Option<Kind>,
    /// The notice's `advice`, for the windows it announces and revises.
    advice: Option<Bilingual<Vec<String>>>,
}

impl Schedule {
    /// The schedules embedded in the binary at build time (`schedules/` of the source tree).
    ///
    /// # Errors
    /// [`LoadError`] if the embedded files are invalid (the tests make sure they are not).
    pub fn embedded() -> Result<Schedule, LoadError> {
        Schedule::from_sources(embedded_sources())
    }

    /// Loads `dir` if given, else the embedded schedules: what the CLI and the server serve.
    ///
    /// # Errors
    /// As [`Schedule::from_dir`] and [`Schedule::embedded`].
    pub fn load(dir: Option<&Path>) -> Result<Schedule, LoadError> {
        match dir {
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
            [cat] => build(cat, &notices),
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
pub(crate) fn build(catalogue: &SourceFile, files: &[SourceFile]) -> Result<Schedule, LoadError> {
    let mut d = Diags { list: Vec::new(), warnings: Vec::new(), expanded: 0 };
    let Some(cat) = build_catalogue(catalogue, &mut d) else {
        // Notices cannot be checked against a broken catalogue; report their syntax only.
        for f in files {
            let _ = parse_toml::<NoticeFile>(f, &mut d);
        }
        return Err(LoadError::Invalid(d.list));
    };
    let mut b = Build {
        files,
        cat,
        d,
        notices: Vec::new(),
        parsed: Vec::new(),
        by_id: HashMap::new(),
        lineages: Vec::new(),
        by_key: HashMap::new(),
        broken: Broken::default(),
    };
    b.read_notices();
    b.announce_windows();
    b.apply_revisions();
    b.apply_occurrence_changes();
    b.check_titles();
    let delays = b.delays();
    let Build { cat, mut d, notices, lineages, .. } = b;
    if !d.list.is_empty() {
        d.list.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        d.list.dedup();
        return Err(LoadError::Invalid(d.list));
    }
    Ok(Schedule::new(cat, notices, lineages, delays).loaded(d.warnings, content_hash(catalogue, files)))
}

/// 64-bit FNV-1a over each file's base name and bytes, lengths first (see
/// [`Schedule::content_hash`]).
fn content_hash(catalogue: &SourceFile, files: &[SourceFile]) -> u64 {
    crate::format::source::fnv_files(std::iter::once(catalogue).chain(files), |name| name.rsplit(['/', '\\']).next().unwrap_or(name))
}

/// The state the build steps share.
struct Build<'a> {
    files: &'a [SourceFile],
    cat: Catalogue,
    d: Diags,
    notices: Vec<Notice>,
    parsed: Vec<Parsed>,
    /// Notice id to index in `notices` and `parsed`.
    by_id: HashMap<String, usize>,
    lineages: Vec<Lineage>,
    /// (notice index, window id) to index in `lineages`.
    by_key: HashMap<(usize, String), usize>,
    /// What failed to load, so that files that refer to it are skipped with one line
    /// instead of errors of their own.
    broken: Broken,
}

/// Notices and windows that did not load, by id, with the file that has their errors.
#[derive(Default)]
struct Broken {
    notices: HashMap<String, String>,
    windows: HashMap<(usize, String), String>,
    /// (file, what) already reported as skipped.
    said: std::collections::HashSet<(String, String)>,
}

impl Build<'_> {
    /// Step 1: each notice's header: id, zone, publication, stated effects.
    fn read_notices(&mut self) {
        let Build { files, cat, d, notices, parsed, by_id, broken, .. } = self;
        for (fi, file) in files.iter().enumerate() {
            let Some(raw) = parse_toml::<NoticeFile>(file, d) else {
                if let Some(id) = notice_id(&file.text) {
                    broken.notices.entry(id).or_insert_with(|| file.name.clone());
                }
                continue;
            };
            let id = raw.id.get_ref().clone();
            if !valid_id(&id) {
                d.at(
                    file,
                    Some(raw.id.span()),
                    format!("`{id}` is not a notice id; expected letters, digits, `-`, `_` or `.`, e.g. `2023-10-10-db-upgrade`"),
                );
                continue;
            }
            if let Some(&other) = by_id.get(&id) {
                let first = &files[parsed[other].file].name;
                d.at(file, Some(raw.id.span()), format!("duplicate notice id `{id}`; it is already the id of {first}"));
                continue;
            }
            let zone = match &raw.zone {
                None => DEFAULT_ZONE,
                Some(z) => match time::parse_zone(z.get_ref()) {
                    Ok(z) => z,
                    Err(m) => {
                        d.at(file, Some(z.span()), m);
                        broken.notices.entry(id).or_insert_with(|| file.name.clone());
                        continue;
                    }
                },
            };
            let Some((published, known_from)) = publication(file, &raw, zone, d) else {
                broken.notices.entry(id).or_insert_with(|| file.name.clone());
                continue;
            };
            let effects = stated_effects(file, &raw.effects, cat, d);
            let kind = raw.kind.as_ref().and_then(|k| parse_kind(file, k, d));
            let advice = advice(file, raw.advice.as_ref(), raw.advice_en.as_ref(), d).ok().flatten();
            if let Some(u) = &raw.url {
                check_url(file, u, d);
            }
            by_id.insert(id.clone(), parsed.len());
            notices.push(Notice {
                id,
                file: file.name.clone(),
                published,
                known_from,
                title: Bilingual::new(raw.title.clone(), raw.title_en.clone()),
                source: Bilingual::new(raw.source.clone(), raw.source_en.clone()),
                url: raw.url.as_ref().map(|u| u.get_ref().clone()),
                notes: Bilingual::new(raw.notes.clone(), (!raw.notes_en.is_empty()).then(|| raw.notes_en.clone())),
                inferred: inferences(file, &raw.inferred, cat, d),
                corrected: corrections(file, &raw.corrected, zone, known_from, d),
            });
            parsed.push(Parsed { file: fi, raw, zone, effects, kind, advice });
        }
    }

    /// Step 2: the windows each notice announces, as first versions of their lineages.
    fn announce_windows(&mut self) {
        let Build { files, cat, d, notices, parsed, lineages, by_key, broken, .. } = self;
        for (ni, p) in parsed.iter().enumerate() {
            let file = &files[p.file];
            for (wi, w) in p.raw.window.iter().enumerate() {
                let span = w.span();
                let w = w.get_ref();
                for (field, present) in [("notice", w.notice.is_some()), ("window", w.window.is_some()), ("action", w.action.is_some())] {
                    if present {
                        d.at(file, Some(span.clone()), format!("`{field}` belongs in a [[revise]] table, not in a [[window]]"));
                    }
                }
                let Some(id) = &w.id else {
                    d.at(
                        file,
                        Some(span),
                        "missing field `id` in [[window]]; give each window an id unique in its notice, e.g. `id = \"all-functions\"`"
                            .into(),
                    );
                    continue;
                };
                if !valid_id(id.get_ref()) {
                    d.at(
                        file,
                        Some(id.span()),
                        format!("`{}` is not a window id; expected letters, digits, `-`, `_` or `.`", id.get_ref()),
                    );
                    continue;
                }
                if by_key.contains_key(&(ni, id.get_ref().clone())) {
                    d.at(
                        file,
                        Some(id.span()),
                        format!(
                            "duplicate window id `{}` in notice `{}`; window ids are unique within a notice",
                            id.get_ref(),
                            notices[ni].id
                        ),
                    );
                    continue;
                }
                if w.functions.is_none() {
                    d.at(
                        file,
                        Some(span.clone()),
                        "missing field `functions` in [[window]]; list the function ids it covers, e.g. `functions = [\"webcollect\"]`"
                            .into(),
                    );
                }
                let Some(spec) = make_spec(file, &p.raw.window[wi], p, cat, None, None, d) else {
                    broken.windows.insert((ni, id.get_ref().clone()), file.name.clone());
                    continue;
                };
                by_key.insert((ni, id.get_ref().clone()), lineages.len());
                lineages.push(Lineage {
                    notice: ni,
                    id: id.get_ref().clone(),
                    versions: vec![Version {
                        by_notice: ni,
                        known_from: notices[ni].known_from,
                        action: Action::Original,
                        sequence: 0,
                        note: None,
                        spec: Some(spec),
                    }],
                    exceptions: Vec::new(),
                });
            }
        }
    }

    /// Step 3: revisions, applied in order of the revising notices' publication so that each
    /// inherits what it does not restate from the version before it.
    fn apply_revisions(&mut self) {
        let Build { files, cat, d, notices, parsed, by_id, lineages, by_key, broken, .. } = self;
        let mut order: Vec<(Instant, usize, usize)> = Vec::new();
        for (ni, p) in parsed.iter().enumerate() {
            for ri in 0..p.raw.revise.len() {
                order.push((notices[ni].known_from, ni, ri));
            }
        }
        order.sort();
        for (known_from, ni, ri) in order {
            let p = &parsed[ni];
            let file = &files[p.file];
            let raw = &p.raw.revise[ri];
            let span = raw.span();
            let r = raw.get_ref();
            if r.id.is_some() {
                d.at(file, Some(span.clone()), "`id` belongs in a [[window]]; a revision keeps the id of the window it revises".into());
            }
            let Some(li) =
                find_target(file, span.clone(), r.notice.as_ref(), r.window.as_ref(), "[[revise]]", by_id, by_key, lineages, broken, d)
            else {
                continue;
            };
            let target_known = notices[lineages[li].notice].known_from;
            if known_from < target_known {
                d.at(file, Some(span.clone()), format!("notice `{}` is known from {} but revises `{}`, which is known only from {}; a revision cannot come before what it revises", notices[ni].id, known_from, notices[lineages[li].notice].id, target_known));
                continue;
            }
            let Some(action) =
                r.action.as_ref().and_then(|a| parse_action(file, a, &["replace", "postpone", "cancel", "end", "change"], d))
            else {
                if r.action.is_none() {
                    d.at(
                        file,
                        Some(span),
                        "missing field `action` in [[revise]]; expected `replace`, `postpone`, `cancel`, `end` or `change`".into(),
                    );
                }
                continue;
            };
            let versions = &lineages[li].versions;
            let rev = Revision {
                file,
                raw,
                p,
                span: span.clone(),
                target: format!("window `{}` of notice `{}`", lineages[li].id, notices[lineages[li].notice].id),
                current: versions.last().and_then(|v| v.spec.clone()),
                last: versions.iter().rev().find_map(|v| v.spec.clone()),
                after_postponement: versions.last().is_some_and(|v| v.spec.is_none() && v.action == Action::Postpone),
            };
            if rev.refused(action, known_from, cat, d) {
                continue;
            }
            let Some(spec) = rev.spec(action, cat, d) else {
                continue;
            };
            let l = &mut lineages[li];
            let sequence = l.versions.len() as u32;
            l.versions.push(Version { by_notice: ni, known_from, action, sequence, note: bilingual(&r.note, &r.note_en), spec });
        }
    }

    /// Step 4: changes to single occurrences of recurring windows (moved or cancelled).
    fn apply_occurrence_changes(&mut self) {
        let Build { files, d, notices, parsed, by_id, lineages, by_key, broken, .. } = self;
        let mut order: Vec<(Instant, usize, usize)> = Vec::new();
        for (ni, p) in parsed.iter().enumerate() {
            for oi in 0..p.raw.occurrence.len() {
                order.push((notices[ni].known_from, ni, oi));
            }
        }
        order.sort();
        for (known_from, ni, oi) in order {
            let p = &parsed[ni];
            let file = &files[p.file];
            let o = &p.raw.occurrence[oi];
            let span = o.notice.span();
            let Some(li) =
                find_target(file, span.clone(), Some(&o.notice), Some(&o.window), "[[occurrence]]", by_id, by_key, lineages, broken, d)
            else {
                continue;
            };
            // The rules in force (after a `change`, the old one before `from` too).
            let rules: Vec<(Rule, Duration)> = lineages[li]
                .version_at(known_from)
                .and_then(|(_, v)| v.spec.as_ref())
                .map(|s| {
                    s.parts()
                        .filter_map(|p| match &p.shape {
                            Shape::Recurring { rule, duration } => Some((rule.clone(), *duration)),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let rule = match rules.first() {
                Some(r) => r.clone(),
                None => {
                    d.at(
                        file,
                        Some(o.window.span()),
                        format!(
                            "window `{}` of notice `{}` is not a recurring window as of {}; [[occurrence]] changes one occurrence of a rule",
                            o.window.get_ref(),
                            o.notice.get_ref(),
                            notices[ni].id
                        ),
                    );
                    continue;
                }
            };
            let date = match time::parse_date(o.date.get_ref()) {
                Ok(date) => date,
                Err(m) => {
                    d.at(file, Some(o.date.span()), m);
                    continue;
                }
            };
            // The part whose rule has an occurrence that day (the newest, if several).
            let rule = rules.iter().find(|(r, _)| r.occurs_on(date)).cloned().unwrap_or(rule);
            if !rule.0.occurs_on(date) {
                d.at(
                    file,
                    Some(o.date.span()),
                    format!(
                        "`{date}` is not an occurrence of `{}` (rule `{}` from {}); name the date an occurrence starts on",
                        o.window.get_ref(),
                        rule.0.text(),
                        rule.0.dtstart().format("%Y-%m-%d %H:%M")
                    ),
                );
                continue;
            }
            let Some(action) = parse_action(file, &o.action, &["replace", "cancel"], d) else {
                continue;
            };
            let replacement = if action == Action::Cancel {
                None
            } else {
                let (Some(start), Some(end)) = (&o.start, &o.end) else {
                    d.at(file, Some(o.action.span()), "a replaced occurrence needs `start` and `end`".into());
                    continue;
                };
                let zone = rule.0.zone();
                let Some((s, e)) = start_end(file, start, end, zone, d) else {
                    continue;
                };
                Some(Replacement { start: s, end: e, start_approx: o.start_approx, end_approx: o.end_approx })
            };
            let l = &mut lineages[li];
            let sequence = l.versions.len() as u32 + l.exceptions.iter().filter(|e| e.date == date).count() as u32;
            l.exceptions.push(Exception { date, by_notice: ni, known_from, sequence, note: bilingual(&o.note, &o.note_en), replacement });
        }
        for l in lineages.iter_mut() {
            l.exceptions.sort_by_key(|e| (e.date, e.known_from, e.sequence));
        }
    }

    /// A notice title that names a day (「11月13日」, 「(6/14)」) none of the notice's own
    /// windows is on any more, after every revision: worth a second look (a warning).
    fn check_titles(&mut self) {
        let Build { files, d, notices, parsed, lineages, .. } = self;
        for (ni, p) in parsed.iter().enumerate() {
            let days = title_days(notices[ni].title.ja());
            let own: Vec<&Lineage> = lineages.iter().filter(|l| l.notice == ni).collect();
            if days.is_empty() || own.is_empty() {
                continue;
            }
            let on = |month: u32, day: u32| {
                own.iter().any(|l| {
                    let Some(spec) = l.versions.last().and_then(|v| v.spec.as_ref()) else { return false };
                    spec.parts().any(|s| shape_has_day(&s.shape, s.zone, month, day))
                })
            };
            let published = match notices[ni].published {
                Published::At { instant, .. } => {
                    use chrono::Datelike;
                    let d = instant.with_timezone(&p.zone).date_naive();
                    Some((d.month(), d.day()))
                }
                Published::Unknown => None,
            };
            for (month, day) in days {
                // A title may name the day it was published on (「8月28日にご案内した」).
                if !on(month, day) && published != Some((month, day)) {
                    let file = &files[p.file];
                    let at = file.text.find("\ntitle").map(|i| i + 1..i + 6);
                    self_warn(&mut d.warnings, file, at, format!("the title of notice `{}` names {month}/{day}, a day none of its windows is on any more (after revisions); the title quotes the notice, so this may be right: check that the windows are", notices[ni].id));
                }
            }
        }
    }

    /// Step 5: delays of scheduled jobs (listed, not outages).
    fn delays(&mut self) -> Vec<Delay> {
        let Build { files, cat, d, notices, parsed, .. } = self;
        let mut delays = Vec::new();
        for (ni, p) in parsed.iter().enumerate() {
            let file = &files[p.file];
            let mut seen = Vec::new();
            for r in &p.raw.delay {
                if seen.contains(r.id.get_ref()) {
                    d.at(file, Some(r.id.span()), format!("duplicate delay id `{}` in notice `{}`", r.id.get_ref(), notices[ni].id));
                    continue;
                }
                seen.push(r.id.get_ref().clone());
                let functions = resolve_functions(file, &r.functions, cat, d);
                let date = time::parse_date(r.date.get_ref()).map_err(|m| d.at(file, Some(r.date.span()), m)).ok();
                let at = |t: &S<String>, d: &mut Diags| -> Option<Instant> {
                    let date = date?;
                    match time::parse_time_of_day(t.get_ref()) {
                        Ok((tod, next)) => {
                            let local = date.and_time(tod) + Duration::days(i64::from(next));
                            check_gap(file, t.span(), p.zone, local, d)
                        }
                        Err(m) => {
                            d.at(file, Some(t.span()), m);
                            None
                        }
                    }
                };
                let (usual, expected) = (at(&r.usual, d), at(&r.expected, d));
                let (Some(functions), Some(date), Some(usual), Some(expected)) = (functions, date, usual, expected) else {
                    continue;
                };
                delays.push(Delay {
                    notice: ni,
                    id: r.id.get_ref().clone(),
                    job: Bilingual::new(r.job.clone(), r.job_en.clone()),
                    functions,
                    date,
                    usual,
                    usual_approx: r.usual_approx,
                    expected,
                    expected_approx: r.expected_approx,
                    note: bilingual(&r.note, &r.note_en),
                    inferred: inferences(file, &r.inferred, cat, d),
                });
            }
        }

        delays
    }
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

fn publication(file: &SourceFile, raw: &NoticeFile, zone: Tz, d: &mut Diags) -> Option<(Published, Instant)> {
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
fn corrections(file: &SourceFile, list: &[S<String>], zone: Tz, known_from: Instant, d: &mut Diags) -> Vec<Instant> {
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

fn stated_effects(file: &SourceFile, raw: &RawEffects, cat: &Catalogue, d: &mut Diags) -> Vec<Option<Stated>> {
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
        out[c] = Some(Stated { candidate: Candidate { scope, effect: effect(v), source }, inferred });
    }
    out
}

/// Validates `inferred = [...]` entries: each names a field mado reads into the notice.
fn inferences(file: &SourceFile, list: &[raw::RawInferred], cat: &Catalogue, d: &mut Diags) -> Vec<Inference> {
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
fn function_list(file: &SourceFile, list: Option<&S<Vec<S<String>>>>, cat: &Catalogue, d: &mut Diags) -> Option<Vec<FnIdx>> {
    match list {
        None => Some(Vec::new()),
        Some(l) => resolve_functions(file, l.get_ref(), cat, d),
    }
}

fn channel_list(cat: &Catalogue) -> String {
    cat.channels.iter().map(|c| format!("`{}`", c.id)).collect::<Vec<_>>().join(", ")
}

fn resolve_functions(file: &SourceFile, list: &[S<String>], cat: &Catalogue, d: &mut Diags) -> Option<Vec<FnIdx>> {
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

/// One `[[revise]]` being applied: where it is written, and the window it revises as it
/// stands before it.
struct Revision<'a> {
    file: &'a SourceFile,
    raw: &'a S<RawWindow>,
    p: &'a Parsed,
    span: Range<usize>,
    /// `window `w` of notice `n``, for messages.
    target: String,
    /// The window as it stands (`None`: cancelled, or postponed with no date).
    current: Option<Spec>,
    /// Its last description, which a revision inherits from across a postponement too.
    last: Option<Spec>,
    after_postponement: bool,
}

impl Revision<'_> {
    /// Whether the revision is refused before any description is built: fields that do not
    /// belong with its action, or a rewrite of a standing rule that began.
    fn refused(&self, action: Action, known_from: Instant, cat: &Catalogue, d: &mut Diags) -> bool {
        let (file, r, span, target) = (self.file, self.raw.get_ref(), self.span.clone(), &self.target);
        let describes = !(matches!(action, Action::Cancel | Action::End) || (action == Action::Postpone && !has_shape(r)));
        if matches!(action, Action::Cancel) || (action == Action::Postpone && !has_shape(r)) {
            // Checked here, since no description of the window is built from them.
            let _ = inferences(file, &r.inferred, cat, d);
        }
        if let Some(k) = r.kind.as_ref().filter(|_| !describes) {
            let m = format!("`kind` does not belong in a revision with `action = \"{}\"`; it takes no description", action_name(action));
            d.at(file, Some(k.span()), m);
            return true;
        }
        // A standing rule whose occurrences began cannot be rewritten as a whole.
        let current = self.current.as_ref();
        if let Some(began) = current.and_then(Spec::rule_began) {
            if began < known_from && matches!(action, Action::Replace | Action::Postpone | Action::Cancel) {
                let zone = current.map_or(self.p.zone, |c| c.zone);
                let from_hint = known_from.with_timezone(&zone).format("%Y-%m-%d %H:%M");
                d.at(file, Some(span), format!("{target} is a standing rule whose occurrences began before this notice ({}); `{}` would rewrite them in the past too; to give it new times from a date on, write `action = \"change\"` with `from` and the new `start` (and `duration`), to stop it `action = \"end\"` with `from`, e.g. `from = \"{from_hint}\"`; one night: [[occurrence]]", began.with_timezone(&zone).format("%Y-%m-%d %H:%M"), action_name(action)));
                return true;
            }
        }
        if let Some(from) = r.from.as_ref().filter(|_| !matches!(action, Action::End | Action::Change)) {
            d.at(
                file,
                Some(from.span()),
                "`from` belongs to `action = \"end\"` or `action = \"change\"` (a standing rule stops, or changes its times, from that instant on)".into(),
            );
            return true;
        }
        false
    }

    /// The new version's description (`Some(None)`: cancelled, or postponed with no date);
    /// `None` when the revision is refused (reported in `d`).
    fn spec(&self, action: Action, cat: &Catalogue, d: &mut Diags) -> Option<Option<Spec>> {
        let (file, r, span) = (self.file, self.raw.get_ref(), self.span.clone());
        match action {
            Action::Cancel => {
                if has_shape(r) || r.functions.is_some() {
                    d.at(file, Some(span), "a revision with `action = \"cancel\"` takes no times or functions".into());
                    return None;
                }
                Some(None)
            }
            Action::End => self.end(cat, d),
            Action::Change => self.change(cat, d).map(Some),
            Action::Postpone if !has_shape(r) => {
                // Postponed, new date to be announced: not scheduled until a later notice gives times.
                if r.functions.is_some() || r.add_functions.is_some() || self.current.is_none() {
                    d.at(
                        file,
                        Some(span),
                        "a postponement without times (date to be announced) takes no functions and needs a window that is still scheduled"
                            .into(),
                    );
                    return None;
                }
                Some(None)
            }
            _ => self.replace(cat, d).map(Some),
        }
    }

    /// `action = "end"`: the standing rule's occurrences stop from `from` on.
    fn end(&self, cat: &Catalogue, d: &mut Diags) -> Option<Option<Spec>> {
        let (file, r, span, target) = (self.file, self.raw.get_ref(), self.span.clone(), &self.target);
        let Some(from) = &r.from else {
            d.at(file, Some(span), "`action = \"end\"` needs `from`: the local date-time or instant from which occurrences stop, e.g. `from = \"2025-03-01 00:00\"`".into());
            return None;
        };
        if has_shape(r) || r.functions.is_some() || r.add_functions.is_some() {
            d.at(
                file,
                Some(span),
                "a revision with `action = \"end\"` takes only `from` (and `note`); to change times, use `change`".into(),
            );
            return None;
        }
        let Some(prev) = &self.current else {
            d.at(file, Some(span), format!("{target} was cancelled or postponed with no date before; there is nothing to end"));
            return None;
        };
        let Shape::Recurring { rule, .. } = &prev.shape else {
            d.at(
                file,
                Some(from.span()),
                format!("{target} is not a recurring window; `end` stops a standing rule, use `cancel` or `replace` for a one-off window"),
            );
            return None;
        };
        let t = written(file, from, rule.zone(), d)?;
        match end_parts(prev, t, &mut d.expanded) {
            Ok(_) if d.expanded > MAX_EXPANDED => {
                d.at(file, Some(from.span()), format!("recurring windows with an end expand to more than {MAX_EXPANDED} occurrences in all; expected fewer: end this rule sooner"));
                None
            }
            Ok(mut ended) => {
                if let Some(s) = ended.as_mut() {
                    s.inferred.extend(inferences(file, &r.inferred, cat, d));
                }
                Some(ended)
            }
            Err(m) => {
                d.at(file, Some(from.span()), m);
                None
            }
        }
    }

    /// `action = "change"`: the standing rule has new times from `from` on; what it was
    /// before stays as the earlier part.
    fn change(&self, cat: &Catalogue, d: &mut Diags) -> Option<Spec> {
        let (file, r, span, target) = (self.file, self.raw.get_ref(), self.span.clone(), &self.target);
        let Some(from) = &r.from else {
            d.at(file, Some(span), "`action = \"change\"` needs `from`: the local date-time or instant from which the standing rule has its new times, e.g. `from = \"2025-07-01 00:00\"`".into());
            return None;
        };
        let Some(prev) = &self.current else {
            d.at(
                file,
                Some(span),
                format!("{target} was cancelled or postponed with no date before; give it times with `replace` instead"),
            );
            return None;
        };
        let Shape::Recurring { rule, duration } = &prev.shape else {
            d.at(file, Some(from.span()), format!("{target} is not a recurring window; `change` gives a standing rule new times from a date on, use `replace` for a one-off window"));
            return None;
        };
        if r.date.is_some() || r.last_date.is_some() || r.end.is_some() || r.expected_duration.is_some() {
            d.at(file, Some(span), "a revision with `action = \"change\"` gives the rule's new `start` (its first occurrence) and optionally `duration` and `rrule`; no `end`, `date` or `last_date`".into());
            return None;
        }
        let Some(start) = &r.start else {
            d.at(file, Some(span), "`action = \"change\"` needs `start`: the first occurrence with the new times, at or after `from`, e.g. `start = \"2025-07-01 22:00\"`".into());
            return None;
        };
        let zone = match &r.zone {
            Some(z) => match time::parse_zone(z.get_ref()) {
                Ok(z) => z,
                Err(m) => {
                    d.at(file, Some(z.span()), m);
                    return None;
                }
            },
            None => prev.zone,
        };
        let t = written(file, from, rule.zone(), d)?;
        // The new rule, written as a recurring window would be: the old rule's text and
        // duration unless restated.
        let rrule_text = r.rrule.as_ref().map_or_else(|| strip_bound(rule.text()), |x| x.get_ref().clone());
        let shaped = RawWindow {
            rrule: Some(r.rrule.clone().unwrap_or_else(|| toml::Spanned::new(from.span(), rrule_text))),
            start: Some(start.clone()),
            duration: Some(r.duration.clone().unwrap_or_else(|| toml::Spanned::new(from.span(), time::format_duration(*duration)))),
            zone: r.zone.clone(),
            ..RawWindow::default()
        };
        let new_shape = make_shape(file, &shaped, zone, span.clone(), d)?;
        let Shape::Recurring { rule: new_rule, .. } = &new_shape else {
            return None;
        };
        if new_rule.first_start() < t {
            let m = format!("`start` `{}` is before `from` `{}`; the new times begin at or after `from`", start.get_ref(), from.get_ref());
            d.at(file, Some(start.span()), m);
            return None;
        }
        let earlier = match end_parts(prev, t, &mut d.expanded) {
            Ok(e) => e,
            Err(m) => {
                d.at(file, Some(from.span()), m);
                return None;
            }
        };
        let count = new_rule.count();
        let mut spec = make_spec(file, self.raw, self.p, cat, Some(prev), Some(new_shape.clone()), d)?;
        d.expanded += count.map_or(0, |n| n as usize);
        if d.expanded > MAX_EXPANDED {
            d.at(file, Some(span), format!("recurring windows with an end expand to more than {MAX_EXPANDED} occurrences in all; expected fewer: lower COUNT or UNTIL"));
            return None;
        }
        spec.zone = zone;
        spec.earlier = earlier.map(Box::new);
        Some(spec)
    }

    /// `replace`, or `postpone` to new times: a new description, inheriting from the last one.
    fn replace(&self, cat: &Catalogue, d: &mut Diags) -> Option<Spec> {
        let (file, r, span, target) = (self.file, self.raw.get_ref(), self.span.clone(), &self.target);
        if self.current.is_none() && !has_shape(r) {
            d.at(
                file,
                Some(span),
                format!("{target} was cancelled or postponed without a date before; a revision that brings it back needs its times"),
            );
            return None;
        }
        if let (Some(l), None) = (&self.last, &self.current) {
            let functions = l.functions.iter().map(|f| format!("`{}`", cat.functions[*f].id)).collect::<Vec<_>>().join(", ");
            let title = l.title.as_ref().map_or("(none)".to_string(), |t| format!("「{}」", t.ja()));
            let stated = l.effects.iter().filter(|c| c.iter().any(|e| e.source != EffectSource::Default)).count();
            let was = if self.after_postponement { "postponed with no date" } else { "cancelled" };
            let incident = if l.kind == Kind::Incident { ", kind incident" } else { "" };
            self_warn(&mut d.warnings, file, Some(span), format!("{target} was {was} before; this revision gives it new times and inherits from its last description: functions {functions}, title {title}, {stated} channel effect(s){incident}"));
        }
        make_spec(file, self.raw, self.p, cat, self.last.as_ref(), None, d)
    }
}

fn has_shape(w: &RawWindow) -> bool {
    w.start.is_some() || w.end.is_some() || w.date.is_some() || w.rrule.is_some() || w.duration.is_some() || w.last_date.is_some()
}

fn parse_action(file: &SourceFile, a: &S<String>, allowed: &[&str], d: &mut Diags) -> Option<Action> {
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
    file: &SourceFile,
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

fn check_gap(file: &SourceFile, span: Range<usize>, zone: Tz, local: NaiveDateTime, d: &mut Diags) -> Option<Instant> {
    if !time::date_in_range(local.date()) {
        d.at(file, Some(span), time::out_of_range(&local.format("%Y-%m-%d %H:%M").to_string()));
        return None;
    }
    if is_gap(zone, local) {
        d.at(
            file,
            Some(span),
            format!(
                "`{}` does not exist in {} (the clocks skip it); write a time after the change, e.g. one hour later",
                local.format("%Y-%m-%d %H:%M"),
                zone.name()
            ),
        );
        return None;
    }
    Some(local_to_instant(zone, local))
}

fn check_written(file: &SourceFile, span: Range<usize>, w: WrittenTime, zone: Tz, d: &mut Diags) -> Option<Instant> {
    match w {
        WrittenTime::Exact(t) => Some(t),
        WrittenTime::Local(l) => check_gap(file, span, zone, l, d),
    }
}

fn written(file: &SourceFile, s: &S<String>, zone: Tz, d: &mut Diags) -> Option<Instant> {
    match parse_written(s.get_ref()) {
        Ok(w) => check_written(file, s.span(), w, zone, d),
        Err(m) => {
            d.at(file, Some(s.span()), m);
            None
        }
    }
}

/// A start and an end; the end may be a bare time of day, meaning its next occurrence after
/// the start (so `23:00` to `01:00` crosses midnight).
fn start_end(file: &SourceFile, start: &S<String>, end: &S<String>, zone: Tz, d: &mut Diags) -> Option<(Instant, Instant)> {
    let s = written(file, start, zone, d)?;
    let e = match time::parse_time_of_day(end.get_ref()) {
        Ok((tod, next_day)) => {
            let local_start = s.with_timezone(&zone).naive_local();
            let mut local = local_start.date().and_time(tod) + Duration::days(i64::from(next_day));
            if local <= local_start {
                local += Duration::days(1);
            }
            check_gap(file, end.span(), zone, local, d)?
        }
        Err(_) => written(file, end, zone, d)?,
    };
    if e <= s {
        d.at(
            file,
            Some(end.span()),
            format!(
                "end `{}` is not after start `{}`; a window is [start, end) and may cross midnight, e.g. `end = \"{}\"`",
                end.get_ref(),
                start.get_ref(),
                (s + Duration::hours(1)).with_timezone(&zone).format("%Y-%m-%d %H:%M")
            ),
        );
        return None;
    }
    Some((s, e))
}

/// The three time shapes, for messages.
const SHAPES: &str = "a window has `start` and `end` (confirmed), or `date` and optionally `last_date` and `expected_duration` (tentative), or `rrule`, `start` and `duration` (recurring)";

/// Reports each present field that does not belong in a `kind` window; whether there was none.
fn forbid(file: &SourceFile, span: &Range<usize>, d: &mut Diags, fields: &[(&str, bool)], kind: &str) -> bool {
    let mut ok = true;
    for (name, present) in fields {
        if *present {
            d.at(file, Some(span.clone()), format!("`{name}` does not belong in a {kind} window; {SHAPES}"));
            ok = false;
        }
    }
    ok
}

/// A window's times: recurring (`rrule`), tentative (`date`) or confirmed (`start`, `end`).
fn make_shape(file: &SourceFile, w: &RawWindow, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    match (&w.rrule, &w.date) {
        (Some(rrule), _) => recurring_shape(file, w, rrule, zone, span, d),
        (None, Some(date)) => tentative_shape(file, w, date, zone, span, d),
        (None, None) => confirmed_shape(file, w, zone, span, d),
    }
}

fn recurring_shape(file: &SourceFile, w: &RawWindow, rrule: &S<String>, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    let ok = forbid(
        file,
        &span,
        d,
        &[
            ("end", w.end.is_some()),
            ("date", w.date.is_some()),
            ("last_date", w.last_date.is_some()),
            ("expected_duration", w.expected_duration.is_some()),
        ],
        "recurring",
    );
    let (Some(start), Some(duration)) = (&w.start, &w.duration) else {
        d.at(file, Some(span), format!("a recurring window needs `start` (its first local start) and `duration`; {SHAPES}"));
        return None;
    };
    let dtstart = match parse_written(start.get_ref()) {
        Ok(WrittenTime::Local(l)) => {
            check_gap(file, start.span(), zone, l, d)?;
            l
        }
        Ok(WrittenTime::Exact(t)) => t.with_timezone(&zone).naive_local(),
        Err(m) => {
            d.at(file, Some(start.span()), m);
            return None;
        }
    };
    let duration = match time::parse_duration(duration.get_ref()) {
        Ok(x) if x > Duration::zero() => x,
        Ok(_) => {
            d.at(file, Some(duration.span()), format!("duration `{}` is empty; expected a positive length, e.g. `2h`", duration.get_ref()));
            return None;
        }
        Err(m) => {
            d.at(file, Some(duration.span()), m);
            return None;
        }
    };
    let rule = match Rule::parse(rrule.get_ref(), dtstart, zone) {
        Ok(r) => r,
        Err(m) => {
            d.at(file, Some(rrule.span()), m);
            return None;
        }
    };
    ok.then_some(Shape::Recurring { rule, duration })
}

fn tentative_shape(file: &SourceFile, w: &RawWindow, date: &S<String>, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    let fields = [("start", w.start.is_some()), ("end", w.end.is_some()), ("duration", w.duration.is_some())];
    let ok = forbid(file, &span, d, &fields, "tentative");
    let first = time::parse_date(date.get_ref()).map_err(|m| d.at(file, Some(date.span()), m)).ok()?;
    let last = match &w.last_date {
        None => first,
        Some(l) => {
            let last = time::parse_date(l.get_ref()).map_err(|m| d.at(file, Some(l.span()), m)).ok()?;
            if last < first {
                d.at(
                    file,
                    Some(l.span()),
                    format!("last_date `{last}` is before date `{first}`; expected the last day of the span, inclusive"),
                );
                return None;
            }
            last
        }
    };
    let expected = match &w.expected_duration {
        None => None,
        Some(x) => Some(time::parse_duration(x.get_ref()).map_err(|m| d.at(file, Some(x.span()), m)).ok()?),
    };
    let start = local_to_instant(zone, first.and_time(chrono::NaiveTime::MIN));
    let end = local_to_instant(zone, next_day(last).and_time(chrono::NaiveTime::MIN));
    ok.then_some(Shape::Tentative { first, last, start, end, expected, expected_approx: w.expected_duration_approx })
}

fn confirmed_shape(file: &SourceFile, w: &RawWindow, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    let ok = forbid(
        file,
        &span,
        d,
        &[
            ("duration", w.duration.is_some()),
            ("last_date", w.last_date.is_some()),
            ("expected_duration", w.expected_duration.is_some() && w.end.as_ref().is_none_or(|e| e.get_ref() != "unknown")),
        ],
        "confirmed",
    );
    match (&w.start, &w.end) {
        (Some(s), Some(e)) if e.get_ref() == "unknown" => {
            let start = written(file, s, zone, d)?;
            let expected = match &w.expected_duration {
                None => None,
                Some(x) => Some(time::parse_duration(x.get_ref()).map_err(|m| d.at(file, Some(x.span()), m)).ok()?),
            };
            ok.then_some(Shape::Confirmed {
                start,
                end: time::unknown_end(),
                start_approx: w.start_approx,
                end_approx: false,
                end_unknown: true,
                expected,
            })
        }
        (Some(s), Some(e)) => {
            let (start, end) = start_end(file, s, e, zone, d)?;
            ok.then_some(Shape::Confirmed {
                start,
                end,
                start_approx: w.start_approx,
                end_approx: w.end_approx,
                end_unknown: false,
                expected: None,
            })
        }
        _ => {
            d.at(file, Some(span), format!("the window has no complete times; {SHAPES}"));
            None
        }
    }
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}

/// `advice = [...]` with `advice_en = [...]` (one English entry per entry): `Ok(None)` when
/// not given, `Err` (reported) when `advice_en` stands alone, counts differ or an entry is blank.
fn advice(
    file: &SourceFile,
    ja: Option<&S<Vec<String>>>,
    en: Option<&S<Vec<String>>>,
    d: &mut Diags,
) -> Result<Option<Bilingual<Vec<String>>>, ()> {
    let (ja, en) = match (ja, en) {
        (None, None) => return Ok(None),
        (None, Some(en)) => {
            d.at(
                file,
                Some(en.span()),
                "`advice_en` without `advice`; give the notice's own words in `advice` (and the English in `advice_en`), or leave both out"
                    .into(),
            );
            return Err(());
        }
        (Some(ja), en) => (ja, en),
    };
    if ja.get_ref().is_empty() {
        d.at(file, Some(ja.span()), "`advice` is empty; leave it out when the notice says nothing a merchant can do".into());
        return Err(());
    }
    let lists = std::iter::once(ja).chain(en);
    if let Some(blank) = lists.clone().find(|l| l.get_ref().iter().any(|a| a.trim().is_empty())) {
        d.at(
            file,
            Some(blank.span()),
            "an entry of `advice` or `advice_en` is blank; expected the notice's words, e.g. `advice = [\"銀行振込への変更\"]`".into(),
        );
        return Err(());
    }
    if let Some(en) = en.filter(|en| en.get_ref().len() != ja.get_ref().len()) {
        d.at(
            file,
            Some(en.span()),
            format!(
                "`advice_en` has {} entries and `advice` {}; give the English of each entry, in the same order",
                en.get_ref().len(),
                ja.get_ref().len()
            ),
        );
        return Err(());
    }
    Ok(Some(Bilingual::new(ja.get_ref().clone(), en.map(|e| e.get_ref().clone()))))
}

/// Reports `title_en` without `title` (or `note_en` without `note`): the Japanese is the
/// notice's own wording and comes first. Whether there was one.
fn english_without_original(file: &SourceFile, span: &Range<usize>, w: &RawWindow, d: &mut Diags) -> bool {
    if w.title_en.is_some() && w.title.is_none() {
        d.at(
            file,
            Some(span.clone()),
            "`title_en` without `title`; give the notice's own wording in `title` (and the English in `title_en`), or leave both out"
                .into(),
        );
        return true;
    }
    if w.note_en.is_some() && w.note.is_none() {
        d.at(
            file,
            Some(span.clone()),
            "`note_en` without `note`; give the notice's own wording in `note` (and the English in `note_en`), or leave both out".into(),
        );
        return true;
    }
    false
}

/// The functions a version names: its `functions`, else the previous version's, with
/// `add_functions` added.
fn spec_functions(file: &SourceFile, w: &RawWindow, prev: Option<&Spec>, cat: &Catalogue, d: &mut Diags) -> Option<Vec<FnIdx>> {
    let mut functions = match (&w.functions, prev) {
        (Some(list), _) => {
            let f = resolve_functions(file, list.get_ref(), cat, d)?;
            if f.is_empty() {
                d.at(file, Some(list.span()), "`functions` is empty; list at least one function id, e.g. `[\"webcollect\"]`".into());
                return None;
            }
            f
        }
        (None, Some(prev)) => prev.functions.clone(),
        (None, None) => return None,
    };
    if let Some(add) = &w.add_functions {
        if w.functions.is_some() {
            d.at(
                file,
                Some(add.span()),
                "`add_functions` and `functions` together; `functions` replaces the list, `add_functions` adds to the one inherited".into(),
            );
        }
        for f in function_list(file, Some(add), cat, d)? {
            if !functions.contains(&f) {
                functions.push(f);
            }
        }
    }
    Some(functions)
}

/// Per channel, the candidate effects of a version: the window's own, else its notice's
/// (each may be scoped to some functions, and then the next applies to the others), else the
/// previous version's, else the catalogue default. What the stated ones infer goes to `inferred`.
fn spec_effects(
    window_effects: &[Option<Stated>],
    p: &Parsed,
    cat: &Catalogue,
    prev: Option<&Spec>,
    kind: Kind,
    inferred: &mut Vec<Inference>,
) -> Vec<Vec<Candidate>> {
    let mut effects = Vec::with_capacity(cat.channels.len());
    for (i, c) in cat.channels.iter().enumerate() {
        let mut list: Vec<Candidate> = Vec::new();
        for stated in [window_effects[i].clone(), p.effects[i].clone()].into_iter().flatten() {
            let unscoped = stated.candidate.scope.is_none();
            inferred.extend(stated.inferred);
            list.push(stated.candidate);
            if unscoped {
                break;
            }
        }
        if list.last().is_none_or(|e| e.scope.is_some()) {
            match prev {
                // What the previous version said, except a catalogue default on a window
                // that is now an incident: defaults describe maintenance.
                Some(prev) => {
                    list.extend(prev.effects[i].iter().filter(|e| !(kind == Kind::Incident && e.source == EffectSource::Default)).cloned())
                }
                None if kind == Kind::Incident => {}
                None => list.push(Candidate { scope: None, effect: c.default.clone(), source: EffectSource::Default }),
            }
        }
        effects.push(list);
    }
    effects
}

/// What the previous version inferred stays inferred unless this table restates it.
fn inherit_inferred(
    w: &RawWindow,
    p: &Parsed,
    cat: &Catalogue,
    prev: &Spec,
    window_effects: &[Option<Stated>],
    inferred: &mut Vec<Inference>,
) {
    // What the previous version inferred stays inferred unless this table restates it.
    let restated = |field: &str| match field {
        "functions" => w.functions.is_some(),
        "title" => w.title.is_some(),
        "start" | "end" | "date" | "duration" => has_shape(w),
        "kind" => w.kind.is_some(),
        f => f
            .strip_prefix("effects.")
            .is_some_and(|c| cat.channel(c).is_some_and(|ci| window_effects[ci].is_some() || p.effects[ci].is_some())),
    };
    for i in &prev.inferred {
        if !restated(&i.field) && !inferred.iter().any(|j| j.field == i.field) {
            inferred.push(i.clone());
        }
    }
}

/// A version's spec: what the table states, else what the previous version said.
fn make_spec(
    file: &SourceFile,
    w: &S<RawWindow>,
    p: &Parsed,
    cat: &Catalogue,
    prev: Option<&Spec>,
    shape: Option<Shape>,
    d: &mut Diags,
) -> Option<Spec> {
    let span = w.span();
    let w = w.get_ref();
    if english_without_original(file, &span, w, d) {
        return None;
    }
    let kind = match &w.kind {
        Some(k) => parse_kind(file, k, d)?,
        None => p.kind.or(prev.map(|s| s.kind)).unwrap_or_default(),
    };
    let zone = match &w.zone {
        Some(z) => time::parse_zone(z.get_ref()).map_err(|m| d.at(file, Some(z.span()), m)).ok()?,
        None => prev.map_or(p.zone, |s| s.zone),
    };
    let functions = spec_functions(file, w, prev, cat, d)?;
    let available = match &w.available {
        Some(list) => function_list(file, Some(list), cat, d)?,
        None => prev.map(|s| s.available.clone()).unwrap_or_default(),
    };
    let inherits_times = shape.is_none() && !has_shape(w) && prev.is_some();
    let shape = match shape {
        Some(s) => s,
        None if has_shape(w) || prev.is_none() => make_shape(file, w, zone, span.clone(), d)?,
        None => prev.map(|s| s.shape.clone())?,
    };
    if let Shape::Recurring { rule, .. } = &shape {
        d.expanded += rule.count().map_or(0, |n| n as usize);
        if d.expanded > MAX_EXPANDED {
            d.at(file, Some(span), format!("recurring windows with an end expand to more than {MAX_EXPANDED} occurrences in all (rule `{}` adds {}); expected fewer: lower COUNT or UNTIL, or give no end to a rule that goes on", rule.text(), rule.count().unwrap_or(0)));
            return None;
        }
    }
    let advice = advice(file, w.advice.as_ref(), w.advice_en.as_ref(), d).ok()?;
    let window_effects = stated_effects(file, &w.effects, cat, d);
    let mut inferred = inferences(file, &w.inferred, cat, d);
    let effects = spec_effects(&window_effects, p, cat, prev, kind, &mut inferred);
    if let Some(prev) = prev {
        inherit_inferred(w, p, cat, prev, &window_effects, &mut inferred);
    }
    Some(Spec {
        title: bilingual(&w.title, &w.title_en).or_else(|| prev.and_then(|s| s.title.clone())),
        functions,
        available,
        zone,
        shape,
        effects,
        note: bilingual(&w.note, &w.note_en).or_else(|| prev.and_then(|s| s.note.clone())),
        advice: advice.or_else(|| p.advice.clone()).or_else(|| prev.and_then(|s| s.advice.clone())),
        inferred,
        kind,
        earlier: None,
    })
    .map(|mut spec| {
        // Times inherited whole: after a `change`, the earlier hours too, described as now.
        if inherits_times {
            spec.earlier = prev.and_then(|p| p.earlier.as_deref()).map(|e| Box::new(described_as(e, &spec)));
        }
        spec
    })
}

/// `part` (an earlier set of hours and those before it) with everything but its times and
/// zone taken from `now`: a revision that gives no times describes every part alike.
fn described_as(part: &Spec, now: &Spec) -> Spec {
    Spec {
        shape: part.shape.clone(),
        zone: part.zone,
        earlier: part.earlier.as_deref().map(|e| Box::new(described_as(e, now))),
        ..now.clone()
    }
}
