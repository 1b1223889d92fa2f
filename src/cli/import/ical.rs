//! `mado import` of an RFC 5545 feed, reading the BCOP maintnote properties where present
//! (mado's own `?profile=maintnote` feed among them).
//!
//! Each VEVENT becomes one notice, published at its `DTSTAMP` (the feed's latest word on it):
//! - the functions are its `X-MAINTNOTE-OBJECT-ID`s through the mapping (an object with
//!   `X-MAINTNOTE-OBJECT-IMPACT=NO-IMPACT` is a function the notice states stays available),
//!   else `--function`;
//! - `X-MAINTNOTE-STATUS` (else `STATUS`) `CANCELLED` is left out: nothing is scheduled;
//! - a span of whole days that is `TENTATIVE`, or an all-day event, is a tentative window
//!   (days known, hours not); otherwise a confirmed window from `DTSTART` to `DTEND` (or
//!   `DURATION`), `end = "unknown"` when the end is the end of mado's supported range;
//! - `incident` (or 障害) in `CATEGORIES` makes an incident.
//!
//! Not read: `RRULE`, `RECURRENCE-ID`, `EXDATE` (an error names the event), floating times.

use super::{q, slug, stamp, Imported, Mapping};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// One content line: name, parameters, value.
struct Prop {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Prop {
    fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }
}

fn parse_line(line: &str) -> Option<Prop> {
    // The value starts at the first `:` outside a quoted parameter value.
    let mut quoted = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.to_ascii_uppercase();
    let params = parts.filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_ascii_uppercase(), v.trim_matches('"').to_string())).collect();
    Some(Prop { name, params, value: value.to_string() })
}

/// A TEXT value unescaped (RFC 5545 §3.3.11).
fn text(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// A DATE-TIME or DATE: the instant, and the zone's local date if the value is a DATE.
fn when(p: &Prop, zone_default: Tz) -> Result<(DateTime<Utc>, Option<NaiveDate>, Tz)> {
    let v = p.value.trim();
    if p.param("VALUE").is_some_and(|x| x.eq_ignore_ascii_case("DATE")) || v.len() == 8 {
        let d = NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|e| anyhow::anyhow!("`{v}` in {} is not a DATE ({e})", p.name))?;
        let t = zone_default.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest().context("no midnight")?;
        return Ok((t.with_timezone(&Utc), Some(d), zone_default));
    }
    if let Some(utc) = v.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .map_err(|e| anyhow::anyhow!("`{v}` in {} is not a DATE-TIME ({e})", p.name))?;
        return Ok((Utc.from_utc_datetime(&t), None, zone_default));
    }
    let Some(tzid) = p.param("TZID") else {
        bail!("`{v}` in {} is a floating time (no TZID, no Z): the instant it means is not known", p.name)
    };
    let zone: Tz =
        tzid.parse().map_err(|_| anyhow::anyhow!("TZID `{tzid}` in {} is not an IANA zone name; expected e.g. `Asia/Tokyo`", p.name))?;
    let local =
        NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").map_err(|e| anyhow::anyhow!("`{v}` in {} is not a DATE-TIME ({e})", p.name))?;
    // RFC 5545 §3.3.5, as mado reads local times: a gap takes the offset before it, a fold its first occurrence.
    let t = mado::time::local_to_instant(zone, local);
    Ok((t.into(), None, zone))
}

/// `PnW`, `PnDTnHnMnS` and their parts.
fn duration(v: &str) -> Result<Duration> {
    let bad = || anyhow::anyhow!("`{v}` is not a DURATION; expected e.g. `PT2H30M`");
    let body = v.strip_prefix('P').ok_or_else(bad)?;
    let (days, time) = body.split_once('T').unwrap_or((body, ""));
    let mut total = Duration::zero();
    let mut num = String::new();
    for (part, units) in [(days, [('W', 604_800), ('D', 86_400), ('-', 0)]), (time, [('H', 3600), ('M', 60), ('S', 1)])] {
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let secs = units.iter().find(|(u, _)| *u == c).map(|(_, s)| *s).filter(|s| *s > 0).ok_or_else(bad)?;
            total += Duration::seconds(num.parse::<i64>().map_err(|_| bad())? * secs);
            num.clear();
        }
    }
    if !num.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// Converts a feed into notices; `name` names the source in errors.
pub fn convert(name: &str, feed: &str, m: &Mapping, prefix: &str) -> Result<Vec<Imported>> {
    let unfolded = feed.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "").replace("\n\t", "");
    let mut calname = None;
    let mut events: Vec<Vec<Prop>> = Vec::new();
    let mut depth: Vec<String> = Vec::new();
    for line in unfolded.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()) {
        let Some(p) = parse_line(line) else { bail!("{name}: `{line}` is not a content line (NAME:VALUE)") };
        match p.name.as_str() {
            "BEGIN" => {
                if p.value.eq_ignore_ascii_case("VEVENT") {
                    events.push(Vec::new());
                }
                depth.push(p.value.to_ascii_uppercase());
            }
            "END" => {
                depth.pop();
            }
            "X-WR-CALNAME" if depth.len() == 1 => calname = Some(text(&p.value)),
            _ if depth.last().is_some_and(|d| d == "VEVENT") => {
                if let Some(e) = events.last_mut() {
                    e.push(p);
                }
            }
            _ => {}
        }
    }
    let calname = calname.unwrap_or_else(|| name.to_string());
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for props in &events {
        let get = |n: &str| props.iter().find(|p| p.name == n);
        let uid = get("UID").map(|p| p.value.clone()).unwrap_or_default();
        let label = format!("{name}: event `{uid}` ({})", get("SUMMARY").map_or("no SUMMARY".into(), |p| text(&p.value)));
        if let Some(n) = out_of(props, m, prefix, &calname, &mut seen).with_context(|| label.clone())? {
            out.push(n);
        }
    }
    Ok(out)
}

fn out_of(
    props: &[Prop],
    m: &Mapping,
    prefix: &str,
    calname: &str,
    seen: &mut std::collections::BTreeSet<String>,
) -> Result<Option<Imported>> {
    let get = |n: &str| props.iter().find(|p| p.name == n);
    let uid = get("UID").map(|p| p.value.clone()).filter(|u| !u.is_empty()).context("no UID")?;
    for unsupported in ["RRULE", "RECURRENCE-ID", "EXDATE", "RDATE"] {
        if get(unsupported).is_some() {
            bail!("{unsupported} is not imported yet: recurring events stay in the plain feed");
        }
    }
    let status = get("X-MAINTNOTE-STATUS").or_else(|| get("STATUS")).map(|p| p.value.to_ascii_uppercase()).unwrap_or_default();
    if status == "CANCELLED" {
        return Ok(None);
    }
    let id_source = get("X-MAINTNOTE-MAINTENANCE-ID").map_or(uid.as_str(), |p| p.value.as_str());
    let notice_id = format!("{prefix}-{}", slug(id_source.trim_end_matches("@mado")));
    if !seen.insert(notice_id.clone()) {
        bail!("a second event with the maintenance id `{id_source}`; expected one VEVENT per maintenance");
    }
    let fns = event_functions(props, m)?;
    let times = event_times(props, &status)?;
    Ok(Some(event_notice(props, calname, &uid, &notice_id, &status, &fns, &times)))
}

/// The functions an event takes down, and those it states stay available.
fn event_functions(props: &[Prop], m: &Mapping) -> Result<(Vec<String>, Vec<String>)> {
    let mut functions: Vec<String> = Vec::new();
    let mut available: Vec<String> = Vec::new();
    let objects: Vec<&Prop> = props.iter().filter(|p| p.name == "X-MAINTNOTE-OBJECT-ID").collect();
    for o in &objects {
        let Some(f) = m.get(o.value.trim()) else {
            bail!("object `{}` is not mapped; give --map OBJECT=FUNCTION (a dotted id maps those below it too)", o.value)
        };
        let list = if o.param("X-MAINTNOTE-OBJECT-IMPACT").is_some_and(|i| i.eq_ignore_ascii_case("NO-IMPACT")) {
            &mut available
        } else {
            &mut functions
        };
        if !list.contains(&f) {
            list.push(f);
        }
    }
    if functions.is_empty() {
        match (&m.function, objects.is_empty()) {
            (Some(f), _) => functions.push(f.clone()),
            (None, true) => bail!("no X-MAINTNOTE-OBJECT-ID; give --function FUNCTION"),
            (None, false) => bail!("every object is stated available (NO-IMPACT): no function is affected"),
        }
    }
    Ok((functions, available))
}

/// An event's times, as read.
struct EventTimes {
    start: DateTime<Utc>,
    start_date: Option<NaiveDate>,
    end: DateTime<Utc>,
    end_date: Option<NaiveDate>,
    zone: Tz,
    tentative: bool,
    published: DateTime<Utc>,
}

fn event_times(props: &[Prop], status: &str) -> Result<EventTimes> {
    let get = |n: &str| props.iter().find(|p| p.name == n);
    let default_zone = mado::time::DEFAULT_ZONE;
    let start_p = get("DTSTART").context("no DTSTART")?;
    let (start, start_date, zone) = when(start_p, default_zone)?;
    let (end, end_date) = match (get("DTEND"), get("DURATION")) {
        (Some(p), _) => {
            let (e, d, _) = when(p, zone)?;
            (e, d)
        }
        (None, Some(p)) => (start + duration(p.value.trim())?, None),
        (None, None) if start_date.is_some() => (start + Duration::days(1), start_date.and_then(|d| d.succ_opt())),
        (None, None) => bail!("neither DTEND nor DURATION"),
    };
    if end <= start {
        bail!("DTEND `{}` is not after DTSTART `{}`", stamp(end), stamp(start));
    }
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).naive_local();
    let whole_days = local(start).time() == chrono::NaiveTime::MIN && local(end).time() == chrono::NaiveTime::MIN;
    let tentative = start_date.is_some() || (status == "TENTATIVE" && whole_days);
    let stamp_p = get("DTSTAMP").or_else(|| get("LAST-MODIFIED")).context("no DTSTAMP")?;
    let (published, _, _) = when(stamp_p, zone)?;
    Ok(EventTimes { start, start_date, end, end_date, zone, tentative, published })
}

/// The notice's TOML; `fns` the functions it takes down and those it states available.
fn event_notice(
    props: &[Prop],
    calname: &str,
    uid: &str,
    notice_id: &str,
    status: &str,
    fns: &(Vec<String>, Vec<String>),
    tm: &EventTimes,
) -> Imported {
    let (functions, available) = (fns.0.as_slice(), fns.1.as_slice());
    let get = |n: &str| props.iter().find(|p| p.name == n);
    let default_zone = mado::time::DEFAULT_ZONE;
    let zone = tm.zone;
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).naive_local();
    let incident = get("CATEGORIES").is_some_and(|p| {
        let c = p.value.to_lowercase();
        c.split(',').any(|x| x.trim() == "incident" || x.trim() == "障害")
    });
    let summary = get("SUMMARY").map(|p| text(&p.value)).filter(|s| !s.trim().is_empty()).unwrap_or_else(|| uid.to_string());
    let sequence = get("SEQUENCE").map_or("0", |p| p.value.trim());

    let mut t = String::new();
    t.push_str(&format!("# Imported by `mado import` from the iCalendar feed “{calname}”, event {uid} (SEQUENCE {sequence}).\n"));
    t.push_str(&format!("id = {}\n", q(notice_id)));
    t.push_str(&format!("published = {}\n", q(&stamp(tm.published))));
    if zone != default_zone {
        t.push_str(&format!("zone = {}\n", q(zone.name())));
    }
    t.push_str(&format!("title = {}\n", q(&summary)));
    let provider = get("X-MAINTNOTE-PROVIDER").map(|p| format!(", provider {}", text(&p.value))).unwrap_or_default();
    t.push_str(&format!(
        "source = {}\n",
        q(&format!("iCalendar feed “{calname}”{provider}, event {uid}, SEQUENCE {sequence}, DTSTAMP {}", stamp(tm.published)))
    ));
    if let Some(u) = get("URL").map(|p| p.value.trim()).filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        t.push_str(&format!("url = {}\n", q(u)));
    }
    if incident {
        t.push_str("kind = \"incident\"\n");
    }
    t.push_str("\n[[window]]\nid = \"w\"\n");
    let list = |v: &[String]| v.iter().map(|f| q(f)).collect::<Vec<_>>().join(", ");
    t.push_str(&format!("functions = [{}]\n", list(functions)));
    if !available.is_empty() {
        t.push_str(&format!("available = [{}]\n", list(available)));
    }
    if tm.tentative {
        let first = tm.start_date.unwrap_or_else(|| local(tm.start).date());
        let after = tm.end_date.unwrap_or_else(|| local(tm.end).date());
        let last = after.pred_opt().unwrap_or(first);
        t.push_str(&format!("date = {}\n", q(&first.to_string())));
        if last != first {
            t.push_str(&format!("last_date = {}\n", q(&last.to_string())));
        }
    } else {
        t.push_str(&format!("start = {}\n", q(&stamp(tm.start))));
        // mado writes an end not announced as the end of its supported range.
        if tm.end >= mado::time::unknown_end() {
            t.push_str("end = \"unknown\"\n");
        } else {
            t.push_str(&format!("end = {}\n", q(&stamp(tm.end))));
        }
    }
    if status == "TENTATIVE" && !tm.tentative {
        t.push_str(&format!("note = {}\n", q("The source marks these times tentative.")));
    }
    Imported { file_name: format!("{notice_id}.toml"), toml: t }
}
