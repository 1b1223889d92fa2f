//! `mado import`: another provider's Statuspage JSON (the public v2 API's
//! `scheduled-maintenances.json`, `incidents.json`, their `upcoming`/`active`/`unresolved`
//! subsets, or `summary.json`) converted once into notice files.
//!
//! Each item (a maintenance or an incident) becomes one notice per `incident_updates[]`
//! entry, oldest first, each published at the update's own `created_at`, so answers as of
//! an instant between two updates see what was known then:
//! - the first update announces the window (`[[window]]`, id `w`);
//! - every later update revises it (`[[revise]]`, `action = "replace"`) with its body as the
//!   note; the update that completes a maintenance or resolves an incident ends the window at
//!   `resolved_at` (which may be before the scheduled end);
//! - a maintenance runs from `scheduled_for` to `scheduled_until` (`end = "unknown"` when it
//!   has none); an incident from `started_at` (else its `created_at`, said as inferred) with
//!   an unknown end until it is resolved.
//!
//! Statuspage keeps only an item's latest times: with more than one update, the earlier
//! notices carry them too, marked inferred. No time is invented: an item that would need one
//! (a completed maintenance with neither `resolved_at` nor `scheduled_until`) is an error
//! naming the source and the item.

use crate::args::Source;
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Timelike, Utc};
use mado::{Schedule, SourceFile};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

mod ical;

/// How the source's components (or maintnote objects) map to catalogue functions.
pub struct Mapping {
    /// `COMPONENT=FUNCTION`: a component id or name (or an object id) to a function id. A
    /// dotted id also maps the ids below it: `webcollect=mirror` maps `webcollect.reauth` to
    /// `mirror.reauth`; the longest match wins.
    pub map: BTreeMap<String, String>,
    /// The function for items none of whose components is mapped.
    pub function: Option<String>,
}

impl Mapping {
    /// Reads `--map COMPONENT=FUNCTION` values.
    ///
    /// # Errors
    /// A value without `=`, quoted.
    pub fn new(pairs: &[String], function: Option<String>) -> Result<Mapping> {
        let mut map = BTreeMap::new();
        for p in pairs {
            let Some((k, v)) = p.split_once('=') else {
                bail!("`{p}` is not a mapping; expected COMPONENT=FUNCTION, e.g. `8l4ygp009s5s=acme.wallet`")
            };
            map.insert(k.trim().to_string(), v.trim().to_string());
        }
        Ok(Mapping { map, function })
    }

    /// The function `key` maps to: itself in the map, else its longest dotted prefix there.
    pub fn get(&self, key: &str) -> Option<String> {
        if let Some(f) = self.map.get(key) {
            return Some(f.clone());
        }
        let mut cut = key.len();
        while let Some(i) = key[..cut].rfind('.') {
            if let Some(f) = self.map.get(&key[..i]) {
                return Some(format!("{f}{}", &key[i..]));
            }
            cut = i;
        }
        None
    }
}

/// One notice file to write.
pub struct Imported {
    /// `<id>.toml`.
    pub file_name: String,
    /// Its TOML.
    pub toml: String,
}

/// A TOML basic string (the drafts' writer's).
pub(crate) use mado::draft::quoted as q;

/// An instant of the source, to whole seconds: `up` rounds a fraction up (a publication is
/// not known before it happened; an end is not earlier), else down (a start is not later).
fn instant(v: &Value, what: &str, up: bool) -> Result<Option<DateTime<Utc>>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => {
            let t = DateTime::parse_from_rfc3339(s)
                .map_err(|e| {
                    anyhow::anyhow!("`{s}` in `{what}` is not an RFC 3339 instant ({e}); expected e.g. `2024-05-01T10:00:00.000Z`")
                })?
                .with_timezone(&Utc);
            let whole = t.with_nanosecond(0).unwrap_or(t);
            Ok(Some(if up && whole != t { whole + chrono::Duration::seconds(1) } else { whole }))
        }
        other => bail!("`{other}` in `{what}` is not an instant; expected a string such as `2024-05-01T10:00:00.000Z` or null"),
    }
}

pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn str_of<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get(key).and_then(Value::as_str)
}

pub(crate) fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// Converts a Statuspage document into notices. `name` names the source in errors.
///
/// # Errors
/// A document that is not one of the shapes above, or an item that cannot be read: the
/// message names the source and the item.
pub fn convert(name: &str, doc: &Value, m: &Mapping, prefix: &str) -> Result<Vec<Imported>> {
    let page = doc.get("page").cloned().unwrap_or(Value::Null);
    let page_name = str_of(&page, "name").unwrap_or("Statuspage");
    let page_url = str_of(&page, "url").unwrap_or("");
    let mut items: Vec<(&Value, bool)> = Vec::new();
    let mut found = false;
    for (key, incident) in [("scheduled_maintenances", false), ("incidents", true)] {
        if let Some(v) = doc.get(key) {
            found = true;
            let Some(list) = v.as_array() else { bail!("{name}: `{key}` is not a list") };
            items.extend(list.iter().map(|i| (i, incident)));
        }
    }
    if !found {
        bail!("{name}: neither `scheduled_maintenances` nor `incidents`; expected a Statuspage v2 document such as scheduled-maintenances.json or incidents.json");
    }
    let mut out = Vec::new();
    for (item, incident) in items {
        let id = str_of(item, "id").unwrap_or("");
        let what = if incident { "incident" } else { "maintenance" };
        let label = format!("{name}: {what} `{id}` ({})", str_of(item, "name").unwrap_or("no name"));
        if id.is_empty() {
            bail!("{label}: no `id`");
        }
        out.extend(item_notices(item, incident, m, prefix, page_name, page_url).with_context(|| label.clone())?);
    }
    Ok(out)
}

/// Whether the item's status says it is over; a status mado does not read is an error.
fn item_ended(incident: bool, status: &str) -> Result<bool> {
    Ok(match (incident, status) {
        (false, "scheduled" | "in_progress" | "verifying") => false,
        (false, "completed") => true,
        (true, "investigating" | "identified" | "monitoring") => false,
        (true, "resolved" | "postmortem") => true,
        _ => bail!(
            "status `{status}` is not one mado reads; expected {}",
            if incident {
                "investigating, identified, monitoring, resolved or postmortem"
            } else {
                "scheduled, in_progress, verifying or completed"
            }
        ),
    })
}

/// The functions: the mapped components, else the fixed function.
fn item_functions(item: &Value, m: &Mapping) -> Result<Vec<String>> {
    let mut functions: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for c in item.get("components").and_then(Value::as_array).into_iter().flatten() {
        for key in [str_of(c, "id"), str_of(c, "name")].into_iter().flatten() {
            seen.push(key.to_string());
            if let Some(f) = m.get(key) {
                if !functions.contains(&f) {
                    functions.push(f);
                }
            }
        }
    }
    if functions.is_empty() {
        match &m.function {
            Some(f) => functions.push(f.clone()),
            None => bail!(
                "none of its components ({}) is mapped; give --map COMPONENT=FUNCTION or --function FUNCTION",
                if seen.is_empty() { "it lists none".to_string() } else { seen.join(", ") }
            ),
        }
    }
    Ok(functions)
}

/// An item's times: the start, the planned end, whether the start is inferred, and the
/// final end (the one the update that ends the item gives).
struct Times {
    start: DateTime<Utc>,
    planned_end: Option<DateTime<Utc>>,
    start_inferred: bool,
    final_end: Option<DateTime<Utc>>,
}

fn item_times(item: &Value, incident: bool, ended: bool, status: &str) -> Result<Times> {
    let field = |k: &str, up: bool| instant(item.get(k).unwrap_or(&Value::Null), k, up);
    let resolved = field("resolved_at", true)?;
    let (start, planned_end, start_inferred) = if incident {
        match field("started_at", false)? {
            Some(s) => (s, None, false),
            None => (field("created_at", false)?.context("neither `started_at` nor `created_at`")?, None, true),
        }
    } else {
        let s = field("scheduled_for", false)?.context("no `scheduled_for`")?;
        (s, field("scheduled_until", true)?, false)
    };
    let final_end = match (ended, resolved, planned_end) {
        (true, Some(r), _) => Some(r),
        (true, None, Some(e)) => Some(e),
        (true, None, None) => {
            bail!("it is {status} but gives neither `resolved_at` nor `scheduled_until`: its end would have to be invented")
        }
        (false, _, e) => e,
    };
    Ok(Times { start, planned_end, start_inferred, final_end })
}

/// One update of an item: when, its id, its status, its body.
struct Update {
    at: DateTime<Utc>,
    id: String,
    status: String,
    body: String,
}

/// The updates, oldest first (the source lists them newest first); an item without any is
/// its own one publication.
fn item_updates(item: &Value, status: &str) -> Result<Vec<Update>> {
    let mut updates = Vec::new();
    for u in item.get("incident_updates").and_then(Value::as_array).into_iter().flatten() {
        let uid = str_of(u, "id").unwrap_or("").to_string();
        let at = instant(u.get("created_at").unwrap_or(&Value::Null), "incident_updates[].created_at", true)
            .with_context(|| format!("update `{uid}`"))?
            .with_context(|| format!("update `{uid}` has no `created_at`"))?;
        updates.push(Update {
            at,
            id: uid,
            status: str_of(u, "status").unwrap_or("").to_string(),
            body: str_of(u, "body").unwrap_or("").to_string(),
        });
    }
    if updates.is_empty() {
        let at = instant(item.get("created_at").unwrap_or(&Value::Null), "created_at", true)?
            .context("no `incident_updates` and no `created_at`")?;
        updates.push(Update { at, id: String::new(), status: status.to_string(), body: String::new() });
    }
    updates.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    Ok(updates)
}

/// What every notice of one item shares.
struct ItemCtx<'a> {
    id: &'a str,
    title: &'a str,
    incident: bool,
    ended: bool,
    prefix: &'a str,
    page_name: &'a str,
    page_url: &'a str,
    shortlink: Option<&'a str>,
    functions: Vec<String>,
    times: Times,
    n: usize,
}

fn item_notices(item: &Value, incident: bool, m: &Mapping, prefix: &str, page_name: &str, page_url: &str) -> Result<Vec<Imported>> {
    let id = str_of(item, "id").unwrap_or_default();
    let title = str_of(item, "name").filter(|n| !n.trim().is_empty()).context("no `name`")?;
    let status = str_of(item, "status").context("no `status`")?;
    let ended = item_ended(incident, status)?;
    let functions = item_functions(item, m)?;
    let times = item_times(item, incident, ended, status)?;
    let updates = item_updates(item, status)?;
    let shortlink = str_of(item, "shortlink").filter(|l| l.starts_with("https://") || l.starts_with("http://"));
    let cx = ItemCtx { id, title, incident, ended, prefix, page_name, page_url, shortlink, functions, times, n: updates.len() };
    Ok(updates.iter().enumerate().filter_map(|(i, u)| update_notice(&cx, i, u)).collect())
}

/// The notice for update `i` (from 0) of an item. An update that ends the item at or before
/// its start (a maintenance completed before it began: how a Statuspage page calls one off)
/// cancels the window; when it is the item's only update there was never a window to
/// announce, and it gives no notice (`None`).
fn update_notice(cx: &ItemCtx, i: usize, u: &Update) -> Option<Imported> {
    let (id, title, n) = (cx.id, cx.title, cx.n);
    let first_id = format!("{}-{}-1", cx.prefix, slug(id));
    let notice_id = format!("{}-{}-{}", cx.prefix, slug(id), i + 1);
    let last = i + 1 == n;
    // The end this update gives: the final one from the update that ends the item on;
    // before that, the planned end (a maintenance) or unknown (an incident).
    let closes = last && cx.ended || matches!(u.status.as_str(), "completed" | "resolved" | "postmortem");
    let end = if closes { cx.times.final_end } else { cx.times.planned_end };
    let end_text = end.map_or_else(|| q("unknown"), |e| q(&stamp(e)));
    let void = closes && end.is_some_and(|e| e <= cx.times.start);
    if void && i == 0 {
        return None;
    }
    let mut t = String::new();
    t.push_str(&format!(
        "# Imported by `mado import` from {}'s Statuspage, {} `{id}`, update {}/{n}.\n",
        cx.page_name,
        if cx.incident { "incident" } else { "maintenance" },
        i + 1
    ));
    t.push_str(&format!("id = {}\n", q(&notice_id)));
    t.push_str(&format!("published = {}\n", q(&stamp(u.at))));
    t.push_str(&format!("title = {}\n", q(title)));
    let src = format!(
        "{} Statuspage{}, {} “{title}” ({id}){}",
        cx.page_name,
        if cx.page_url.is_empty() { String::new() } else { format!(" ({})", cx.page_url) },
        if cx.incident { "incident" } else { "scheduled maintenance" },
        if u.id.is_empty() { String::new() } else { format!(", update {} ({}) of {}", u.id, u.status, stamp(u.at)) }
    );
    t.push_str(&format!("source = {}\n", q(&src)));
    if let Some(l) = cx.shortlink {
        t.push_str(&format!("url = {}\n", q(l)));
    }
    if cx.incident {
        t.push_str("kind = \"incident\"\n");
    }
    let mut inferred = Vec::new();
    if n > 1 && !last {
        let reason = "Statuspage keeps only an item's latest times; this earlier update is read with them.";
        inferred.push(format!("{{ field = \"start\", reason = {r}, reason_en = {r} }}", r = q(reason)));
    }
    if cx.times.start_inferred && i == 0 {
        let reason = "The incident gives no started_at; its created_at is taken as the start.";
        inferred.push(format!("{{ field = \"start\", reason = {r}, reason_en = {r} }}", r = q(reason)));
    }
    if void {
        t.push_str(&format!("\n[[revise]]\nnotice = {}\nwindow = \"w\"\naction = \"cancel\"\n", q(&first_id)));
        let said = if cx.incident { "resolved" } else { "completed" };
        let why = format!(
            "{said} at {}, not after its start {}: it did not take place",
            end.map(stamp).unwrap_or_default(),
            stamp(cx.times.start)
        );
        let note = if u.body.trim().is_empty() { why } else { format!("{} ({why})", u.body.trim()) };
        t.push_str(&format!("note = {}\n", q(&note)));
        return Some(Imported { file_name: format!("{notice_id}.toml"), toml: t });
    }
    if i == 0 {
        let fns = cx.functions.iter().map(|f| q(f)).collect::<Vec<_>>().join(", ");
        t.push_str("\n[[window]]\nid = \"w\"\n");
        t.push_str(&format!("functions = [{fns}]\n"));
    } else {
        t.push_str(&format!("\n[[revise]]\nnotice = {}\nwindow = \"w\"\naction = \"replace\"\n", q(&first_id)));
    }
    t.push_str(&format!("start = {}\nend = {end_text}\n", q(&stamp(cx.times.start))));
    if !u.body.trim().is_empty() {
        t.push_str(&format!("note = {}\n", q(u.body.trim())));
    }
    if !inferred.is_empty() {
        t.push_str(&format!("inferred = [{}]\n", inferred.join(", ")));
    }
    Some(Imported { file_name: format!("{notice_id}.toml"), toml: t })
}

/// `mado serve --follow FILE`: the sources, their copies read back from the follow directory
/// (`dir`, else `DIR.follow` beside the schedules directory), converted as `mado import` does.
///
/// # Errors
/// A follow file that does not read, or no directory for the copies.
pub fn follow(file: &Path, dir: Option<std::path::PathBuf>, schedules: Option<&Path>) -> Result<mado::server::follow::Follow> {
    use mado::server::follow::{FollowSource, Kind};
    let sources = mado::server::follow::read_sources(file).map_err(anyhow::Error::msg)?;
    let dir = match (dir, schedules) {
        (Some(d), _) => d,
        (None, Some(s)) => {
            let name = s.file_name().map_or_else(|| "schedules".into(), |n| n.to_string_lossy().into_owned());
            s.with_file_name(format!("{name}.follow"))
        }
        (None, None) => bail!("--follow without --schedules needs --follow-dir DIR (where each source's last good copy is kept)"),
    };
    let convert = |s: &FollowSource, body: &str| -> std::result::Result<Vec<(String, String)>, String> {
        let m = Mapping { map: s.map.clone(), function: s.function.clone() };
        let name = format!("source `{}` ({})", s.id, s.location());
        let notices = match s.kind {
            Kind::Ical => ical::convert(&name, body, &m, &s.id),
            Kind::Statuspage => serde_json::from_str::<Value>(body)
                .map_err(|e| anyhow::anyhow!("{name} is not Statuspage JSON ({e})"))
                .and_then(|doc| convert(&name, &doc, &m, &s.id)),
        }
        .map_err(|e| format!("{e:#}"))?;
        Ok(notices.into_iter().map(|n| (n.file_name, n.toml)).collect())
    };
    mado::server::follow::Follow::new(sources, dir, std::sync::Arc::new(convert)).map_err(anyhow::Error::msg)
}

/// `mado import FILE …`.
///
/// # Errors
/// An unreadable or malformed source (naming it and the item), or notices that do not
/// validate against the schedules.
pub fn run(file: &Path, m: &Mapping, prefix: &str, out: Option<&Path>, source: &Source) -> Result<ExitCode> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {name}"))?;
    let notices = if text.trim_start().starts_with("BEGIN:VCALENDAR") {
        ical::convert(&name, &text, m, prefix)?
    } else {
        let doc: Value = serde_json::from_str(&text).with_context(|| format!("{name} is neither JSON (Statuspage) nor iCalendar"))?;
        convert(&name, &doc, m, prefix)?
    };
    anyhow::ensure!(!notices.is_empty(), "{name}: no maintenance or incident in it");
    anyhow::ensure!(out.is_some() || notices.len() == 1, "{name} gives {} notices; give --out DIR to write one file each", notices.len());
    let mut files = match &source.schedules {
        Some(d) => mado::read_dir_sources(d).with_context(|| format!("loading schedules from {}", d.display()))?,
        None => mado::embedded_sources(),
    };
    for n in &notices {
        files = mado::replacing(files, SourceFile { name: format!("<import>/notices/{}", n.file_name), text: n.toml.clone() });
    }
    Schedule::from_sources(files).with_context(|| format!("the notices imported from {name} do not validate"))?;
    let mut stdout = std::io::stdout().lock();
    for n in &notices {
        match out {
            Some(dir) => {
                let path = dir.join("notices").join(&n.file_name);
                std::fs::create_dir_all(dir.join("notices")).with_context(|| format!("creating {}", dir.display()))?;
                std::fs::write(&path, &n.toml).with_context(|| format!("writing {}", path.display()))?;
                writeln!(stdout, "wrote {}", path.display())?;
            }
            None => stdout.write_all(n.toml.as_bytes())?,
        }
    }
    Ok(ExitCode::SUCCESS)
}
