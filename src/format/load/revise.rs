//! `[[revise]]`: a revision of an earlier window, checked against the window as it stands
//! and turned into its next version.

use super::*;

/// One `[[revise]]` being applied: where it is written, and the window it revises as it
/// stands before it.
pub(super) struct Revision<'a> {
    pub(super) file: &'a Src,
    pub(super) raw: &'a S<RawWindow>,
    pub(super) p: &'a Parsed,
    pub(super) span: Range<usize>,
    /// `window `w` of notice `n``, for messages.
    pub(super) target: String,
    /// The window as it stands (`None`: cancelled, or postponed with no date).
    pub(super) current: Option<Spec>,
    /// Its last description, which a revision inherits from across a postponement too.
    pub(super) last: Option<Spec>,
    pub(super) after_postponement: bool,
}

impl Revision<'_> {
    /// Whether the revision is refused before any description is built: fields that do not
    /// belong with its action, or a rewrite of a standing rule that began.
    pub(super) fn refused(&self, action: Action, known_from: Instant, cat: &Catalogue, d: &mut Diags) -> bool {
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
    pub(super) fn spec(&self, action: Action, cat: &Catalogue, d: &mut Diags) -> Option<Option<Spec>> {
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
            let stated =
                (0..cat.channels.len()).filter(|&c| l.effects.on(c, cat).iter().any(|e| e.source != EffectSource::Default)).count();
            let was = if self.after_postponement { "postponed with no date" } else { "cancelled" };
            let incident = if l.kind == Kind::Incident { ", kind incident" } else { "" };
            self_warn(&mut d.warnings, file, Some(span), format!("{target} was {was} before; this revision gives it new times and inherits from its last description: functions {functions}, title {title}, {stated} channel effect(s){incident}"));
        }
        make_spec(file, self.raw, self.p, cat, self.last.as_ref(), None, d)
    }
}
