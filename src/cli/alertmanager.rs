//! `mado alertmanager sync`: silences in a running Alertmanager (v2 API) for the confirmed
//! one-off windows of the coming days, one per window and function, kept in step with the
//! schedule: created ahead of the window, expired and created again when a revision moves
//! it, expired when it is cancelled or postponed. The windows are the engine's
//! ([`Schedule::windows`] per function); this file only compares and sends.

use anyhow::{Context, Result};
use mado::time::{Instant, DEFAULT_ZONE};
use mado::{Lang, Schedule, WindowKind, WindowsQuery};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Duration;

/// `createdBy` of every silence mado makes; only those are ever expired.
const CREATED_BY: &str = "mado";
/// Opens the key in a silence's comment: `[mado:<notice>/<window>:<function>]`.
const KEY_OPEN: &str = "[mado:";

/// What `sync` is asked to do.
pub struct SyncOptions {
    /// Alertmanager's base address, e.g. `http://127.0.0.1:9093`.
    pub url: String,
    /// Print the plan only.
    pub dry_run: bool,
    /// The alert label that names the function (`function="webcollect.credit_card"`).
    pub label: String,
    /// Windows starting before now + this many days.
    pub days: i64,
    /// Where mado's pages are served, for the link in each comment (else the notice's own).
    pub base_url: Option<String>,
}

/// A silence the schedule asks for.
#[derive(Debug, Clone, PartialEq)]
struct Wanted {
    key: String,
    function: String,
    starts: Instant,
    ends: Instant,
    comment: String,
}

/// A silence of mado's that Alertmanager holds (pending or active).
#[derive(Debug)]
struct Held {
    id: String,
    key: String,
    state: String,
    starts: Option<Instant>,
    ends: Option<Instant>,
    function: Option<String>,
}

/// The silences the schedule asks for at `now`: each confirmed one-off window with a known
/// end that has not ended and starts within `days`, for each function it affects. The
/// comment names the function's provider when the catalogue names providers.
fn wanted(s: &Schedule, o: &SyncOptions, now: Instant) -> Result<Vec<Wanted>> {
    let mut out = Vec::new();
    for (i, f) in s.catalogue().functions().iter().enumerate() {
        // The function's provider, named in the comment beside it (docs/providers.md).
        let provider = s.catalogue().provider_of(i).map(|p| format!(" — provider {}", p.id())).unwrap_or_default();
        let q = WindowsQuery {
            from: now,
            to: now + chrono::Duration::days(o.days),
            function: Some(f.id().to_string()),
            as_of: now,
            limit: mado::limits::MAX_WINDOWS_LIMIT,
            zone: DEFAULT_ZONE,
            lang: Lang::En,
            with_children: false,
        };
        let list = s.windows(&q).with_context(|| format!("the windows of {}", f.id()))?;
        for w in list.windows.iter().filter(|w| w.kind == WindowKind::Confirmed && w.rrule.is_none() && !w.end_unknown) {
            let link = match &o.base_url {
                Some(b) => Some(format!("{}/notices/{}", b.trim_end_matches('/'), w.notice)),
                None => w.url.clone(),
            };
            let key = format!("{}:{}", w.uid, f.id());
            let title = w.title.as_deref().unwrap_or(&w.notice_title);
            let comment = format!(
                "{title}{provider} — notice {} «{}»{} {KEY_OPEN}{key}]",
                w.notice,
                w.notice_title,
                link.map(|l| format!(" {l}")).unwrap_or_default()
            );
            out.push(Wanted { key, function: f.id().to_string(), starts: w.start.into(), ends: w.end.into(), comment });
        }
    }
    Ok(out)
}

fn instant(v: &Value) -> Option<Instant> {
    v.as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map(Instant::from)
}

/// mado's silences that are not expired.
fn held(silences: &Value, label: &str) -> Vec<Held> {
    let mut out = Vec::new();
    for s in silences.as_array().into_iter().flatten() {
        let comment = s["comment"].as_str().unwrap_or_default();
        let state = s["status"]["state"].as_str().unwrap_or_default();
        let Some(rest) = comment.rsplit_once(KEY_OPEN).map(|(_, r)| r) else { continue };
        if s["createdBy"] != CREATED_BY || state == "expired" {
            continue;
        }
        let function = s["matchers"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["name"] == label && m["isRegex"] == false && m["isEqual"] != false)
            .and_then(|m| m["value"].as_str().map(str::to_string));
        out.push(Held {
            id: s["id"].as_str().unwrap_or_default().to_string(),
            key: rest.trim_end_matches(']').to_string(),
            state: state.to_string(),
            starts: instant(&s["startsAt"]),
            ends: instant(&s["endsAt"]),
            function,
        });
    }
    out
}

/// Whether `h` already is the silence `w` asks for. An active silence started when it was
/// made (Alertmanager moves a past start to the present), so only its end is compared.
fn same(h: &Held, w: &Wanted) -> bool {
    h.key == w.key
        && h.function.as_deref() == Some(w.function.as_str())
        && h.ends == Some(w.ends)
        && (h.state == "active" || h.starts == Some(w.starts))
}

/// What to do: the silences to expire (with why) and those to create.
fn plan<'a>(held: &'a [Held], wanted: &'a [Wanted]) -> (Vec<(&'a Held, &'static str)>, Vec<&'a Wanted>) {
    let mut expire = Vec::new();
    let mut kept: Vec<&str> = Vec::new();
    for h in held {
        match wanted.iter().find(|w| w.key == h.key) {
            Some(w) if same(h, w) && !kept.contains(&h.key.as_str()) => kept.push(&h.key),
            Some(_) => expire.push((h, "moved")),
            None => expire.push((h, "no longer scheduled (cancelled, postponed or out of range)")),
        }
    }
    let create = wanted.iter().filter(|w| !kept.contains(&w.key.as_str())).collect();
    (expire, create)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(15)))
        .http_status_as_error(false)
        .user_agent(concat!("mado/", env!("CARGO_PKG_VERSION"), " (+alertmanager sync)"))
        .build()
        .into()
}

/// The body of a 2xx answer, else an error naming the request and the answer.
fn body(what: &str, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<String> {
    let mut r = r.with_context(|| what.to_string())?;
    let code = r.status().as_u16();
    let text = r.body_mut().with_config().limit(64 << 20).read_to_string().with_context(|| format!("{what}: reading the answer"))?;
    anyhow::ensure!((200..300).contains(&code), "{what} answered {code}: {}", text.trim());
    Ok(text)
}

/// `mado alertmanager sync`.
pub fn sync(s: &Schedule, o: &SyncOptions, now: Instant) -> Result<ExitCode> {
    anyhow::ensure!((1..=731).contains(&o.days), "--days is {}; expected 1 to 731, e.g. --days 90", o.days);
    let base = o.url.trim_end_matches('/');
    anyhow::ensure!(
        base.starts_with("http://") || base.starts_with("https://"),
        "--url `{}` is not an http or https address; expected Alertmanager's, e.g. http://127.0.0.1:9093",
        o.url
    );
    let agent = agent();
    let list = body(&format!("GET {base}/api/v2/silences"), agent.get(&format!("{base}/api/v2/silences")).call())?;
    let silences: Value = serde_json::from_str(&list).context("reading Alertmanager's silences")?;
    let held = held(&silences, &o.label);
    let wanted = wanted(s, o, now)?;
    let (expire, create) = plan(&held, &wanted);
    let verb = |v: &'static str| if o.dry_run { format!("would {v}") } else { v.to_string() };
    for (h, why) in &expire {
        println!("{} {} ({}): {why}", verb("expire"), h.key, h.id);
        if !o.dry_run {
            let url = format!("{base}/api/v2/silence/{}", h.id);
            body(&format!("DELETE {url}"), agent.delete(&url).call())?;
        }
    }
    for w in &create {
        let t = |i: Instant| i.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        println!("{} {} {} – {}", verb("create"), w.key, t(w.starts), t(w.ends));
        if !o.dry_run {
            let silence = json!({
                "matchers": [{ "name": o.label, "value": w.function, "isRegex": false, "isEqual": true }],
                "startsAt": t(w.starts),
                "endsAt": t(w.ends),
                "createdBy": CREATED_BY,
                "comment": w.comment,
            });
            let url = format!("{base}/api/v2/silences");
            body(&format!("POST {url}"), agent.post(&url).header("content-type", "application/json").send(silence.to_string()))?;
        }
    }
    println!(
        "{} silences kept, {} expired, {} created{}",
        held.len() - expire.len(),
        expire.len(),
        create.len(),
        if o.dry_run { " (dry run: nothing sent)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_silence_comment_names_the_functions_provider() {
        let s = Schedule::from_dir("tests/data/two-providers").expect("fixture");
        let now = mado::time::parse_instant("2025-09-09T00:00:00Z", DEFAULT_ZONE, mado::time::now()).expect("instant");
        let o = SyncOptions { url: String::new(), dry_run: true, label: "function".into(), days: 30, base_url: None };
        let w = wanted(&s, &o, now).expect("wanted");
        let wallet = w.iter().find(|w| w.function == "acme.wallet").expect("the wallet window");
        assert!(wallet.comment.starts_with("Wallet maintenance — provider acme — notice acme-2025-09-wallet"), "{}", wallet.comment);
        let card = w.iter().find(|w| w.function == "webcollect.credit_card").expect("the card window");
        assert!(card.comment.contains(" — provider yamato — "), "{}", card.comment);
        let none = Schedule::from_dir("tests/data/crosscheck-dst").expect("a catalogue without providers");
        let now = mado::time::parse_instant("2024-10-20T00:00:00Z", DEFAULT_ZONE, mado::time::now()).expect("instant");
        let v = wanted(&none, &o, now).expect("wanted");
        let comments: Vec<&str> = v.iter().map(|w| w.comment.as_str()).collect();
        assert!(
            !comments.is_empty() && comments.iter().all(|c| !c.contains(" — provider ")),
            "no provider without [[provider]]: {comments:?}"
        );
    }
}
