//! The catalogue's `[[provider]]` tables: who publishes the notices of a set of functions,
//! with labels, the zone its local times are in, its page and the channels it has. A
//! function's provider is its own `provider`, else its parent's, else (top-level) the first
//! provider listed. A catalogue without providers loads as before: no function has one.

use crate::engine::model::{Catalogue, Provider};
use crate::format::raw::{CatalogueFile, RawFunction};
use std::ops::Range;

/// An error: where (a span in the catalogue file) and what.
pub(crate) type Problem = (Option<Range<usize>>, String);

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
}

/// Validates the providers into `cat.providers`; every problem found, in file order.
pub(crate) fn build(raw: &CatalogueFile, cat: &mut Catalogue) -> Vec<Problem> {
    let mut problems = Vec::new();
    let channel_ids: Vec<&str> = raw.channel.iter().map(|c| c.id.get_ref().as_str()).collect();
    for p in &raw.provider {
        let id = p.id.get_ref();
        if !valid_id(id) {
            problems.push((
                Some(p.id.span()),
                format!("`{id}` is not a provider id; expected lower-case letters, digits, `-` or `_`, e.g. `yamato`"),
            ));
            continue;
        }
        if cat.providers.iter().any(|q| q.id == *id) {
            problems.push((Some(p.id.span()), format!("duplicate provider id `{id}`; each id is listed once")));
            continue;
        }
        let zone = match &p.zone {
            None => crate::engine::time::DEFAULT_ZONE,
            Some(z) => match crate::engine::time::parse_zone(z.get_ref()) {
                Ok(z) => z,
                Err(m) => {
                    problems.push((Some(z.span()), m));
                    continue;
                }
            },
        };
        if let Some(u) = &p.url {
            let lower = u.get_ref().to_ascii_lowercase();
            if !(lower.starts_with("https://") || lower.starts_with("http://")) || u.get_ref().chars().any(char::is_whitespace) {
                problems.push((
                    Some(u.span()),
                    format!("`{}` is not a web address; expected http(s)://…, e.g. `https://example.com/news`", u.get_ref()),
                ));
                continue;
            }
        }
        let channels = match &p.channels {
            None => channel_ids.iter().map(|c| c.to_string()).collect(),
            Some(list) => {
                let mut out = Vec::new();
                for c in list {
                    if channel_ids.contains(&c.get_ref().as_str()) {
                        out.push(c.get_ref().clone());
                    } else {
                        problems.push((
                            Some(c.span()),
                            format!(
                                "unknown channel `{}` of provider `{id}`; expected one of the catalogue's [[channel]] ids: {}",
                                c.get_ref(),
                                channel_ids.join(", ")
                            ),
                        ));
                    }
                }
                out
            }
        };
        cat.providers.push(Provider {
            id: id.clone(),
            ja: p.ja.clone(),
            en: p.en.clone(),
            zone,
            url: p.url.as_ref().map(|u| u.get_ref().clone()),
            channel_mask: 0,
            channels,
        });
    }
    problems
}

/// The provider of function `f`, whose parent's provider is `inherited`.
pub(crate) fn of_function(f: &RawFunction, inherited: Option<usize>, cat: &Catalogue) -> Result<Option<usize>, Problem> {
    match &f.provider {
        Some(p) => match cat.providers.iter().position(|q| q.id == *p.get_ref()) {
            Some(i) => Ok(Some(i)),
            None => Err((
                Some(p.span()),
                format!(
                    "unknown provider `{}` of function `{}`; expected one of the [[provider]] ids: {}",
                    p.get_ref(),
                    f.id.get_ref(),
                    cat.providers.iter().map(|q| format!("`{}`", q.id)).collect::<Vec<_>>().join(", ")
                ),
            )),
        },
        None => Ok(inherited.or((!cat.providers.is_empty()).then_some(0))),
    }
}

/// The zone of the providers of `functions`: `Ok(None)` when none has a provider (no
/// functions, or a catalogue without providers), `Ok(Some(zone))` when they all have one
/// zone, `Err((a, b))` (indexes of two providers) when their zones differ.
pub(crate) fn zone_of(functions: &[crate::engine::model::FnIdx], cat: &Catalogue) -> Result<Option<chrono_tz::Tz>, (usize, usize)> {
    let mut first: Option<usize> = None;
    for &f in functions {
        let Some(p) = cat.functions.get(f).and_then(|f| f.provider) else { continue };
        match first {
            None => first = Some(p),
            Some(q) if cat.providers[q].zone != cat.providers[p].zone => return Err((q, p)),
            Some(_) => {}
        }
    }
    Ok(first.map(|p| cat.providers[p].zone))
}
