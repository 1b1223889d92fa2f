//! The catalogue file: functions (with their aliases) and channels.

use super::*;

pub(super) fn build_catalogue(file: &SourceFile, d: &mut Diags) -> Option<Catalogue> {
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
        cat.channels.push(Channel { id: id.clone(), ja: c.ja.clone(), en: c.en.clone(), default: std::sync::Arc::new(effect(&c.default)) });
    }
    cat.finish_channels();
    (d.list.len() == before).then_some(cat)
}

/// An alias names one function: after the normalisation names are read with (full-width and
/// half-width alike, case and spaces ignored), it may not be empty, nor another function's id,
/// label or alias, or its own alias twice.
pub(super) fn check_aliases(file: &SourceFile, raw: &[raw::RawFunction], cat: &Catalogue, d: &mut Diags) {
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
