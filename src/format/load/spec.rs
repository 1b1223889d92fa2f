//! A version's description: what its table states, else what the version before it said
//! (functions, effects, inferences, advice, texts).

use super::*;

/// `advice = [...]` with `advice_en = [...]` (one English entry per entry): `Ok(None)` when
/// not given, `Err` (reported) when `advice_en` stands alone, counts differ or an entry is blank.
pub(super) fn advice(
    file: &Src,
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
pub(super) fn english_without_original(file: &Src, span: &Range<usize>, w: &RawWindow, d: &mut Diags) -> bool {
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
pub(super) fn spec_functions(file: &Src, w: &RawWindow, prev: Option<&Spec>, cat: &Catalogue, d: &mut Diags) -> Option<Vec<FnIdx>> {
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
pub(super) fn spec_effects(
    window_effects: &[Option<Stated>],
    p: &Parsed,
    cat: &Catalogue,
    prev: Option<&Spec>,
    kind: Kind,
    inferred: &mut Vec<Inference>,
) -> Effects {
    let mut effects = Vec::with_capacity(cat.channels.len());
    for (i, c) in cat.channels.iter().enumerate() {
        let mut list: Vec<Candidate> = Vec::new();
        for stated in [window_effects[i].clone(), p.effect(i).cloned()].into_iter().flatten() {
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
                Some(prev) => list.extend(
                    prev.effects.on(i, cat).iter().filter(|e| !(kind == Kind::Incident && e.source == EffectSource::Default)).cloned(),
                ),
                None if kind == Kind::Incident => {}
                None => list.push(Candidate::new(None, c.default.clone(), EffectSource::Default)),
            }
        }
        effects.push(list);
    }
    Effects::from_channels(effects, cat)
}

/// What the previous version inferred stays inferred unless this table restates it.
pub(super) fn inherit_inferred(
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
            .is_some_and(|c| cat.channel(c).is_some_and(|ci| window_effects[ci].is_some() || p.effect(ci).is_some())),
    };
    for i in &prev.inferred {
        if !restated(&i.field) && !inferred.iter().any(|j| j.field == i.field) {
            inferred.push(i.clone());
        }
    }
}

/// A version's spec: what the table states, else what the previous version said.
pub(super) fn make_spec(
    file: &Src,
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
        title: bilingual(&w.title, &w.title_en).map(Box::new).or_else(|| prev.and_then(|s| s.title.clone())),
        functions,
        available,
        zone,
        shape,
        effects,
        note: bilingual(&w.note, &w.note_en).map(Box::new).or_else(|| prev.and_then(|s| s.note.clone())),
        advice: advice.or_else(|| p.advice.clone()).map(Box::new).or_else(|| prev.and_then(|s| s.advice.clone())),
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
pub(super) fn described_as(part: &Spec, now: &Spec) -> Spec {
    Spec {
        shape: part.shape.clone(),
        zone: part.zone,
        earlier: part.earlier.as_deref().map(|e| Box::new(described_as(e, now))),
        ..now.clone()
    }
}
