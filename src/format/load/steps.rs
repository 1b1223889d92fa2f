//! The load in named steps over all files: notices, their windows, revisions in order of
//! publication, changed occurrences, titles checked, delays.

use super::*;
use crate::format::providers;

/// The state the build steps share.
pub(super) struct Build {
    /// The notice files read so far, each without its text once parsed.
    pub(super) files: Vec<Src>,
    pub(super) cat: Catalogue,
    pub(super) d: Diags,
    pub(super) notices: Vec<Notice>,
    pub(super) parsed: Vec<Parsed>,
    /// Notice id to index in `notices` and `parsed`.
    pub(super) by_id: HashMap<String, usize>,
    pub(super) lineages: Vec<Lineage>,
    /// (notice index, window id) to index in `lineages`.
    pub(super) by_key: HashMap<(usize, String), usize>,
    /// What failed to load, so that files that refer to it are skipped with one line
    /// instead of errors of their own.
    pub(super) broken: Broken,
}

/// Notices and windows that did not load, by id, with the file that has their errors.
#[derive(Default)]
pub(super) struct Broken {
    pub(super) notices: HashMap<String, String>,
    pub(super) windows: HashMap<(usize, String), String>,
    /// (file, what) already reported as skipped.
    pub(super) said: std::collections::HashSet<(String, String)>,
}

impl Build {
    /// Step 1: each notice's header: id, zone, publication, stated effects.
    pub(super) fn read_notices(&mut self, sources: Vec<SourceFile>) {
        let Build { files, cat, d, notices, parsed, by_id, broken, .. } = self;
        // Each file's text goes as soon as it is parsed: what the later steps need of it is
        // where its lines start (diagnostics), the id of a file that did not parse and where
        // its `title` is. The parsed notices are boxed, so that each is freed as its notice
        // is built (a `NoticeFile` is 600 bytes before its strings; a list of them inline
        // would be held whole to the end of this step).
        let mut raws: Vec<Read> = Vec::with_capacity(sources.len());
        for file in sources {
            let raw = parse_toml::<NoticeFile>(&file, d).map(|raw| Box::new(exact_tables(raw)));
            let broken_id = if raw.is_none() { notice_id(&file.text) } else { None };
            let title_at = file.text.find("\ntitle").map(|i| i + 1..i + 6);
            raws.push(Read { raw, broken_id, title_at });
            files.push(Src::new(file));
        }
        // What each notice names, for the zone of its providers (step 1 reads every notice
        // before any is built, so a revision finds the functions of the notice it revises).
        let mut named: HashMap<String, (Vec<FnIdx>, Vec<String>)> = HashMap::new();
        for raw in raws.iter().filter_map(|r| r.raw.as_ref()) {
            named.entry(raw.id.get_ref().clone()).or_insert_with(|| (named_functions(raw, cat), revised_notices(raw)));
        }
        for ((fi, file), Read { raw, broken_id, title_at }) in files.iter().enumerate().zip(raws) {
            let Some(raw) = raw.map(|b| *b) else {
                if let Some(id) = broken_id {
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
                None => match providers::zone_of(&functions_for_zone(&id, &named), cat) {
                    Ok(z) => z.unwrap_or(DEFAULT_ZONE),
                    Err((a, b)) => {
                        let (a, b) = (&cat.providers[a], &cat.providers[b]);
                        let at = raw.window.first().or(raw.revise.first()).map_or(raw.id.span(), |w| w.span());
                        d.at(
                            file,
                            Some(at),
                            format!(
                                "notice `{id}` has no `zone` and names functions of providers `{}` ({}) and `{}` ({}), whose zones differ; give the zone its local times are in, e.g. `zone = \"{}\"`",
                                a.id,
                                a.zone.name(),
                                b.id,
                                b.zone.name(),
                                a.zone.name()
                            ),
                        );
                        broken.notices.entry(id).or_insert_with(|| file.name.clone());
                        continue;
                    }
                },
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
            effects_without_channel(file, &raw.effects, &functions_for_zone(&id, &named), cat, d);
            let mut effects = stated_effects(file, &raw.effects, cat, d);
            if effects.iter().all(Option::is_none) {
                // Most notices state no effect of their own: no list of empty channels.
                effects = Vec::new();
            }
            let kind = raw.kind.as_ref().and_then(|k| parse_kind(file, k, d));
            let advice = advice(file, raw.advice.as_ref(), raw.advice_en.as_ref(), d).ok().flatten();
            if let Some(u) = &raw.url {
                check_url(file, u, d);
            }
            by_id.insert(id.clone(), parsed.len());
            let inferred = inferences(file, &raw.inferred, cat, d);
            let corrected = corrections(file, &raw.corrected, zone, known_from, d);
            // The header moves into the notice; the tables stay for the steps that read them.
            let NoticeFile { title, title_en, source, source_en, url, notes, notes_en, window, revise, occurrence, delay, .. } = raw;
            notices.push(Notice {
                id,
                file: file.name.clone(),
                published,
                known_from,
                title: Bilingual::new(title, title_en),
                source: Bilingual::new(source, source_en),
                more: NoticeMore {
                    url: url.map(S::into_inner),
                    notes: Bilingual::new(notes, (!notes_en.is_empty()).then_some(notes_en)),
                    inferred,
                    corrected,
                }
                .boxed(),
            });
            parsed.push(Parsed { file: fi, window, revise, occurrence, delay, title_at, zone, effects, kind, advice });
        }
    }

    /// Step 2: the windows each notice announces, as first versions of their lineages.
    pub(super) fn announce_windows(&mut self) {
        let Build { files, cat, d, notices, parsed, lineages, by_key, broken, .. } = self;
        for ni in 0..parsed.len() {
            // Dropped once read: nothing after this step reads a [[window]] table.
            let windows = std::mem::take(&mut parsed[ni].window);
            let p = &parsed[ni];
            let file = &files[p.file];
            for (wi, w) in windows.iter().enumerate() {
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
                let Some(spec) = make_spec(file, &windows[wi], p, cat, None, None, d) else {
                    broken.windows.insert((ni, id.get_ref().clone()), file.name.clone());
                    continue;
                };
                effects_without_channel(file, &w.effects, &spec.functions, cat, d);
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
    pub(super) fn apply_revisions(&mut self) {
        let Build { files, cat, d, notices, parsed, by_id, lineages, by_key, broken, .. } = self;
        let mut order: Vec<(Instant, usize, usize)> = Vec::new();
        for (ni, p) in parsed.iter().enumerate() {
            for ri in 0..p.revise.len() {
                order.push((notices[ni].known_from, ni, ri));
            }
        }
        order.sort();
        for (known_from, ni, ri) in order {
            let p = &parsed[ni];
            let file = &files[p.file];
            let raw = &p.revise[ri];
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
            if let Some(spec) = &spec {
                effects_without_channel(file, &r.effects, &spec.functions, cat, d);
            }
            let l = &mut lineages[li];
            let sequence = l.versions.len() as u32;
            l.versions.push(Version {
                by_notice: ni,
                known_from,
                action,
                sequence,
                note: bilingual(&r.note, &r.note_en).map(Box::new),
                spec,
            });
        }
        for p in parsed.iter_mut() {
            p.revise = Vec::new();
        }
    }

    /// Step 4: changes to single occurrences of recurring windows (moved or cancelled).
    pub(super) fn apply_occurrence_changes(&mut self) {
        let Build { files, d, notices, parsed, by_id, lineages, by_key, broken, .. } = self;
        let mut order: Vec<(Instant, usize, usize)> = Vec::new();
        for (ni, p) in parsed.iter().enumerate() {
            for oi in 0..p.occurrence.len() {
                order.push((notices[ni].known_from, ni, oi));
            }
        }
        order.sort();
        for (known_from, ni, oi) in order {
            let p = &parsed[ni];
            let file = &files[p.file];
            let o = &p.occurrence[oi];
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
                            Shape::Recurring { rule, duration } => Some(((**rule).clone(), *duration)),
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
        for p in parsed.iter_mut() {
            p.occurrence = Vec::new();
        }
    }

    /// A notice title that names a day (「11月13日」, 「(6/14)」) none of the notice's own
    /// windows is on any more, after every revision: worth a second look (a warning).
    pub(super) fn check_titles(&mut self) {
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
                    self_warn(&mut d.warnings, file, p.title_at.clone(), format!("the title of notice `{}` names {month}/{day}, a day none of its windows is on any more (after revisions); the title quotes the notice, so this may be right: check that the windows are", notices[ni].id));
                }
            }
        }
    }

    /// Step 5: delays of scheduled jobs (listed, not outages).
    pub(super) fn delays(&mut self) -> Vec<Delay> {
        let Build { files, cat, d, notices, parsed, .. } = self;
        let mut delays = Vec::new();
        for (ni, p) in parsed.iter().enumerate() {
            let file = &files[p.file];
            let mut seen = Vec::new();
            for r in &p.delay {
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

/// The functions a notice's tables name (`functions`, `add_functions`, `available` of its
/// windows and revisions, its delays' and effects' `functions`), known ids only.
fn named_functions(raw: &NoticeFile, cat: &Catalogue) -> Vec<FnIdx> {
    let mut ids: Vec<&S<String>> = Vec::new();
    for w in raw.window.iter().chain(&raw.revise) {
        let w = w.get_ref();
        for list in [&w.functions, &w.add_functions, &w.available].into_iter().flatten() {
            ids.extend(list.get_ref());
        }
        ids.extend(w.effects.values().filter_map(|e| e.functions.as_ref()).flat_map(|l| l.get_ref()));
    }
    ids.extend(raw.effects.values().filter_map(|e| e.functions.as_ref()).flat_map(|l| l.get_ref()));
    ids.extend(raw.delay.iter().flat_map(|d| &d.functions));
    let mut out: Vec<FnIdx> = ids.into_iter().filter_map(|f| cat.function(f.get_ref())).collect();
    out.dedup();
    out
}

/// The notices a notice revises or changes an occurrence of.
fn revised_notices(raw: &NoticeFile) -> Vec<String> {
    raw.revise
        .iter()
        .filter_map(|r| r.get_ref().notice.as_ref())
        .chain(raw.occurrence.iter().map(|o| &o.notice))
        .map(|n| n.get_ref().clone())
        .collect()
}

/// The functions whose providers give notice `id` its zone: those it names, else (a notice
/// that only revises) those the notices it revises name, and so on back.
fn functions_for_zone(id: &str, named: &HashMap<String, (Vec<FnIdx>, Vec<String>)>) -> Vec<FnIdx> {
    let mut seen: Vec<&str> = vec![id];
    let mut todo: Vec<&str> = vec![id];
    while let Some(n) = todo.pop() {
        let Some((functions, revised)) = named.get(n) else { continue };
        if !functions.is_empty() {
            return functions.clone();
        }
        for r in revised {
            if !seen.contains(&r.as_str()) {
                seen.push(r);
                todo.push(r);
            }
        }
    }
    Vec::new()
}

/// Reports each effect stated on a channel that no provider of the functions it is for
/// (its own `functions`, else `functions`: the window's, or the notice's) has. Nothing is
/// checked when those functions have no provider or are not known.
fn effects_without_channel(file: &Src, raw: &RawEffects, functions: &[FnIdx], cat: &Catalogue, d: &mut Diags) {
    for (k, v) in raw {
        if cat.channel(k.get_ref()).is_none() {
            continue;
        }
        let scope: Vec<FnIdx> = match &v.functions {
            Some(list) => list.get_ref().iter().filter_map(|f| cat.function(f.get_ref())).collect(),
            None => functions.to_vec(),
        };
        let mut providers: Vec<&crate::engine::model::Provider> = Vec::new();
        for p in scope.iter().filter_map(|&f| cat.provider_of(f)) {
            if !providers.iter().any(|q| q.id() == p.id()) {
                providers.push(p);
            }
        }
        if providers.is_empty() || providers.iter().any(|p| p.channels().iter().any(|id| id == k.get_ref())) {
            continue;
        }
        let have = providers
            .iter()
            .map(|p| format!("`{}` has {}", p.id(), if p.channels().is_empty() { "none".to_string() } else { p.channels().join(", ") }))
            .collect::<Vec<_>>()
            .join("; ");
        d.at(
            file,
            Some(k.span()),
            format!(
                "an effect on channel `{}`, which no provider of {} has ({have}); state effects only on channels the provider has",
                k.get_ref(),
                scope.iter().map(|&f| format!("`{}`", cat.functions[f].id)).collect::<Vec<_>>().join(", ")
            ),
        );
    }
}

/// What step 1 keeps of a notice file it parsed, until it builds the notice.
struct Read {
    /// The file's TOML, `None` if it did not parse.
    raw: Option<Box<NoticeFile>>,
    /// The `id` of a file that did not parse, read line by line.
    broken_id: Option<String>,
    /// Where its `title` key is.
    title_at: Option<Range<usize>>,
}

/// `raw` with its lists of tables shrunk to fit: a list read from TOML grows by doubling, and
/// a notice's one or two windows (a `RawWindow` is near 1 KB) would otherwise hold room for
/// four until step 2 drops them, 35 MB at 10,000 notices.
fn exact_tables(mut raw: NoticeFile) -> NoticeFile {
    raw.window.shrink_to_fit();
    raw.revise.shrink_to_fit();
    raw.occurrence.shrink_to_fit();
    raw.delay.shrink_to_fit();
    raw
}
