//! `mado diff` (what a notice file changes) and `mado draft` (notice texts read into draft
//! TOML files, then diffed). The reading is the library's (`mado::draft`), the comparison the
//! engine's (`mado::notice_diff`); this file loads, prints and sets the exit status.

use crate::args::{Format, Source};
use anyhow::{Context, Result};
use mado::views::{json, text};
use mado::{NoticeDiff, Schedule, SourceFile};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// The schedule files `--schedules` names, or the embedded ones.
fn base_files(source: &Source) -> Result<Vec<SourceFile>> {
    Ok(match &source.schedules {
        Some(d) => mado::read_dir_sources(d).with_context(|| format!("loading schedules from {}", d.display()))?,
        None => mado::embedded_sources(),
    })
}

/// The diff of `new` against `files`: `files` as they are, and with `new` in (replacing the
/// file at its path or with its id).
pub fn diff_of(files: Vec<SourceFile>, new: SourceFile) -> Result<NoticeDiff> {
    let id = notice_id(&new.text).with_context(|| format!("reading the notice id of {}", new.name))?;
    let name = new.name.clone();
    // The file itself, when it is already under the schedules (docs/format.md's review
    // step copies it there first), is not part of "before": before is without the notice,
    // or with the earlier version of it that another file holds.
    let same = |f: &SourceFile| {
        let canon = |n: &str| std::path::Path::new(n).canonicalize().ok();
        canon(&f.name).is_some() && canon(&f.name) == canon(&new.name)
    };
    let files: Vec<SourceFile> = files.into_iter().filter(|f| !same(f)).collect();
    let before = Schedule::from_sources(files.clone()).context("loading the schedules without the notice")?;
    let after = Schedule::from_sources(mado::replacing(files, new)).with_context(|| format!("checking {name}"))?;
    Ok(mado::notice_diff(&before, &after, &id)?)
}

fn notice_id(text: &str) -> Result<String> {
    let v: toml::Table = text.parse().context("not TOML")?;
    match v.get("id") {
        Some(toml::Value::String(s)) => Ok(s.clone()),
        _ => anyhow::bail!("no `id = \"…\"` at the top of the file; expected e.g. id = \"2024-05-01-maintenance\""),
    }
}

/// `mado diff FILE`.
pub fn diff(file: &Path, source: &Source) -> Result<ExitCode> {
    let new = mado::read_source(file).with_context(|| format!("reading {}", file.display()))?;
    let d = diff_of(base_files(source)?, new)?;
    print_diff(&d, source.format)?;
    if let Some(w) = correction_warning(&d) {
        eprintln!("{w}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The warning for an edit that moves or re-scopes windows with no new `corrected` entry.
pub fn correction_warning(d: &NoticeDiff) -> Option<String> {
    d.needs_correction().then(|| {
        format!(
            "warning: this edit of notice `{}` changes the times or functions of {}, but adds no `corrected` entry; \
             add the instant the correction is made public, e.g. `corrected = [\"2023-10-12 10:00\"]` (oldest first), \
             so that calendars raise SEQUENCE and move the events (docs/feed.md)",
            d.notice,
            d.edited.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
        )
    })
}

fn print_diff(d: &NoticeDiff, format: Format) -> Result<()> {
    let s = match format {
        Format::Json => json::to_json(d),
        Format::Text => text::visible(&diff_text(d)).into_owned(),
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}

fn t(x: &chrono::DateTime<chrono::FixedOffset>) -> String {
    if x.format("%S").to_string() == "00" {
        x.format("%Y-%m-%d %H:%M").to_string()
    } else {
        x.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// The diff for a person reviewing a notice (English, JST).
pub fn diff_text(d: &NoticeDiff) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "notice {}: as known at {} (JST), with the notice versus without it", d.notice, t(&d.as_of));
    let _ = writeln!(s, "scanned {} – {}", t(&d.scanned.0), t(&d.scanned.1));
    if d.functions.is_empty() {
        let _ = writeln!(s, "status: no function's status changes");
    }
    for f in &d.functions {
        let _ = writeln!(s, "{}:", f.function);
        for i in &f.intervals {
            let to = i.to.as_ref().map_or("(no end)".to_string(), t);
            let by = match (&i.window, &i.decided_by) {
                (Some(w), Some(n)) => format!("  [{w}, by {n}]"),
                _ => String::new(),
            };
            let _ = writeln!(s, "  {} – {}  {} -> {}{by}", t(&i.from), to, i.before, i.after);
        }
        if f.more > 0 {
            let _ = writeln!(s, "  … and {} more intervals", f.more);
        }
    }
    if d.windows.is_empty() {
        let _ = writeln!(s, "windows: none announced or revised");
    } else {
        let _ = writeln!(s, "windows:");
    }
    for w in &d.windows {
        let date = w.date.map(|x| format!(" {x}")).unwrap_or_default();
        let _ = writeln!(s, "  {} {}{date}", w.change, w.uid);
        if let Some(b) = &w.before {
            let _ = writeln!(s, "    before: {b}");
        }
        match &w.after {
            Some(a) => {
                let _ = writeln!(s, "    after:  {a}");
            }
            None if w.change != "added" => {
                let _ = writeln!(s, "    after:  (no times)");
            }
            None => {}
        }
    }
    if !d.feed.is_empty() {
        let _ = writeln!(s, "feed:");
    }
    for e in &d.feed {
        let rid = e.recurrence.map(|x| format!(" RECURRENCE-ID {x}")).unwrap_or_default();
        let before = e.sequence_before.map_or("new".to_string(), |n| format!("SEQUENCE {n}"));
        let _ = writeln!(s, "  UID {}{rid}: {before} -> SEQUENCE {} {}", e.uid, e.sequence_after, e.status);
    }
    s
}

/// `mado draft FILE…`: 0 valid and nothing left unread, 1 valid with questions, 2 nothing usable.
pub fn draft(files: &[std::path::PathBuf], out: Option<&Path>, source: &Source) -> Result<ExitCode> {
    let base = base_files(source)?;
    let known = Schedule::from_sources(base.clone()).context("loading the schedules the draft is read against")?;
    let mut drafts = Vec::new();
    for f in files {
        let notice = mado::draft::read_path(f).with_context(|| format!("reading {}", f.display()))?;
        drafts.extend(mado::draft::draft(&notice, &known).with_context(|| format!("drafting {}", f.display()))?);
    }
    anyhow::ensure!(
        !drafts.is_empty(),
        "nothing usable: no publication found in {}",
        files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
    );
    anyhow::ensure!(
        out.is_some() || drafts.len() == 1,
        "the text holds {} publications; give --out DIR to write one file each",
        drafts.len()
    );
    let mut questions = 0;
    let mut sources = base;
    let mut stderr = std::io::stderr().lock();
    for d in &drafts {
        let name = match out {
            Some(dir) => dir.join("notices").join(&d.file_name).display().to_string(),
            None => format!("<draft>/{}", d.file_name),
        };
        for q in &d.questions {
            questions += 1;
            let _ = writeln!(stderr, "question: {name}: {}", text::visible_line(q));
        }
        let file = SourceFile { name: name.clone(), text: d.toml.clone() };
        // Each publication is diffed with the ones before it in.
        let diff = diff_of(sources.clone(), file.clone()).with_context(|| format!("the draft {name} does not validate"))?;
        sources = mado::replacing(sources, file);
        match out {
            Some(dir) => {
                let path = dir.join("notices").join(&d.file_name);
                std::fs::create_dir_all(path.parent().unwrap_or(dir)).with_context(|| format!("creating {}", dir.display()))?;
                std::fs::write(&path, &d.toml).with_context(|| format!("writing {}", path.display()))?;
                let _ = writeln!(stderr, "wrote {}", path.display());
            }
            None => print_plain(&d.toml)?,
        }
        // The summary goes to stderr when the draft itself is on stdout.
        let summary = match source.format {
            Format::Json => json::to_json(&diff),
            Format::Text => text::visible(&diff_text(&diff)).into_owned(),
        };
        if out.is_some() {
            print_plain(&summary)?;
        } else {
            let _ = write!(stderr, "{summary}");
        }
    }
    Ok(if questions > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print_plain(s: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}
