//! The draft written as a notice file in the format of `docs/format.md`, with a
//! `# TODO:` comment above each place a person must decide.

use crate::draft::model::DelayDraft;
use crate::draft::model::{DraftNotice, OccurrenceDraft, Shape, WindowDraft};
use std::fmt::Write as _;

/// A TOML basic string: quoted, with `\\`, `"` and control characters escaped (the drafts'
/// and `mado import`'s notice files).
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", "))
}

fn todos(out: &mut String, todos: &[String]) {
    for t in todos {
        let _ = writeln!(out, "# TODO: {}", t.replace('\n', " "));
    }
}

fn inferred_list(out: &mut String, inf: &[(String, String, String)]) {
    if inf.is_empty() {
        return;
    }
    let _ = writeln!(out, "inferred = [");
    for (field, ja, en) in inf {
        let _ = writeln!(out, "  {{ field = {}, reason = {}, reason_en = {} }},", quoted(field), quoted(ja), quoted(en));
    }
    let _ = writeln!(out, "]");
}

fn shape(out: &mut String, s: &Shape) {
    match s {
        Shape::Confirmed { start, end, start_approx, end_approx, expected } => {
            let _ = writeln!(out, "start = {}", quoted(&start.format("%Y-%m-%d %H:%M").to_string()));
            match end {
                Some(e) => {
                    let _ = writeln!(out, "end = {}", quoted(&e.format("%Y-%m-%d %H:%M").to_string()));
                }
                None => {
                    let _ = writeln!(out, "end = \"unknown\"");
                }
            }
            if *start_approx {
                let _ = writeln!(out, "start_approx = true");
            }
            if *end_approx {
                let _ = writeln!(out, "end_approx = true");
            }
            if let Some((d, approx)) = expected {
                let _ = writeln!(out, "expected_duration = {}", quoted(&minutes(*d)));
                if *approx {
                    let _ = writeln!(out, "expected_duration_approx = true");
                }
            }
        }
        Shape::Recurring { rrule, start, duration } => {
            if let Some(r) = rrule {
                let _ = writeln!(out, "rrule = {}", quoted(r));
            }
            let _ = writeln!(out, "start = {}", quoted(&start.format("%Y-%m-%d %H:%M").to_string()));
            let _ = writeln!(out, "duration = {}", quoted(&minutes(*duration)));
        }
        Shape::Tentative { date, last_date, expected } => {
            let _ = writeln!(out, "date = {}", quoted(&date.to_string()));
            if let Some(l) = last_date {
                let _ = writeln!(out, "last_date = {}", quoted(&l.to_string()));
            }
            if let Some((d, approx)) = expected {
                let _ = writeln!(out, "expected_duration = {}", quoted(&minutes(*d)));
                if *approx {
                    let _ = writeln!(out, "expected_duration_approx = true");
                }
            }
        }
    }
}

/// `90` minutes as `1h30m`.
pub fn minutes(m: i64) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

fn window(out: &mut String, w: &WindowDraft) {
    todos(out, &w.todos);
    match &w.revises {
        Some((notice, window, action)) => {
            let _ = writeln!(out, "[[revise]]\nnotice = {}\nwindow = {}\naction = {}", quoted(notice), quoted(window), quoted(action));
        }
        None => {
            let _ = writeln!(out, "[[window]]\nid = {}", quoted(&w.id));
        }
    }
    if let Some(t) = &w.title {
        let _ = writeln!(out, "title = {}", quoted(t));
    }
    if w.revises.is_none() || !w.functions.is_empty() {
        let _ = writeln!(out, "functions = {}", list(&w.functions));
    }
    if !w.available.is_empty() {
        let _ = writeln!(out, "available = {}", list(&w.available));
    }
    // A cancel or an end takes no description.
    let describes = !matches!(w.revises.as_ref().map(|r| r.2.as_str()), Some("cancel" | "end"));
    if w.incident && describes {
        let _ = writeln!(out, "kind = \"incident\"");
    }
    if let Some(f) = &w.from {
        let _ = writeln!(out, "from = {}", quoted(&f.format("%Y-%m-%d %H:%M").to_string()));
    }
    if let Some(s) = &w.shape {
        shape(out, s);
    }
    let _ = writeln!(out, "note = {}", quoted(&w.note));
    inferred_list(out, &w.inferred);
    let _ = writeln!(out);
}

/// The notice file.
pub fn notice(d: &DraftNotice) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Draft by `mado draft` from {}: not published until a person has read it,", d.source_name);
    let _ = writeln!(out, "# answered every TODO, and checked it with `mado diff` and `mado validate`.");
    todos(&mut out, &d.todos);
    let _ = writeln!(out, "id = {}", quoted(&d.id));
    let _ = writeln!(out, "published = {}", quoted(&d.published));
    if let Some(k) = &d.known_by {
        let _ = writeln!(out, "known_by = {}", quoted(k));
    }
    let _ = writeln!(out, "title = {}", quoted(&d.title));
    let _ = writeln!(out, "source = {}", quoted(&d.source));
    if d.incident {
        let _ = writeln!(out, "kind = \"incident\"");
    }
    if !d.notes.is_empty() {
        let _ = writeln!(out, "notes = [");
        for n in &d.notes {
            let _ = writeln!(out, "  {},", quoted(n));
        }
        let _ = writeln!(out, "]");
        let _ = writeln!(out, "notes_en = [");
        for n in &d.notes_en {
            let _ = writeln!(out, "  {},", quoted(n));
        }
        let _ = writeln!(out, "]");
    }
    for (field, ja, en) in &d.inferred {
        let _ = writeln!(out, "\n[[inferred]]\nfield = {}\nreason = {}\nreason_en = {}", quoted(field), quoted(ja), quoted(en));
    }
    if !d.effects.is_empty() {
        let _ = writeln!(out, "\n[effects]");
        for (channel, fields) in &d.effects {
            let inner = fields.iter().map(|(k, v)| format!("{k} = {}", quoted(v))).collect::<Vec<_>>().join(", ");
            let _ = writeln!(out, "{channel} = {{ {inner} }}");
        }
    }
    let _ = writeln!(out);
    for w in &d.windows {
        window(&mut out, w);
    }
    for o in &d.occurrences {
        occurrence(&mut out, o);
    }
    for x in &d.delays {
        delay(&mut out, x);
    }
    out
}

fn occurrence(out: &mut String, o: &OccurrenceDraft) {
    todos(out, &o.todos);
    let (start, end, start_approx, end_approx) = o.times;
    let _ = writeln!(out, "[[occurrence]]\nnotice = {}\nwindow = {}", quoted(&o.notice), quoted(&o.window));
    let _ = writeln!(out, "date = {}\naction = \"replace\"", quoted(&o.date.to_string()));
    let _ = writeln!(out, "start = {}", quoted(&start.format("%Y-%m-%d %H:%M").to_string()));
    let _ = writeln!(out, "end = {}", quoted(&end.format("%Y-%m-%d %H:%M").to_string()));
    if start_approx {
        let _ = writeln!(out, "start_approx = true");
    }
    if end_approx {
        let _ = writeln!(out, "end_approx = true");
    }
    let _ = writeln!(out, "note = {}\n", quoted(&o.note));
}

fn delay(out: &mut String, d: &DelayDraft) {
    todos(out, &d.todos);
    // A delay whose day the text does not settle is left as a comment for the person.
    let hash = if d.date.is_some() { "" } else { "# " };
    let _ = writeln!(out, "{hash}[[delay]]\n{hash}id = {}\n{hash}job = {}", quoted(&d.id), quoted(&d.job));
    if let Some(day) = d.date {
        let _ = writeln!(out, "date = {}", quoted(&day.to_string()));
    }
    for (field, (t, approx)) in [("usual", d.usual), ("expected", d.expected)] {
        let _ = writeln!(out, "{hash}{field} = {}", quoted(&t.format("%H:%M").to_string()));
        if approx {
            let _ = writeln!(out, "{hash}{field}_approx = true");
        }
    }
    let _ = writeln!(out, "{hash}note = {}", quoted(&d.note));
    if d.date.is_some() {
        inferred_list(out, &d.inferred);
    }
    let _ = writeln!(out);
}
