//! The query-string parameters of each endpoint, as the OpenAPI document describes them,
//! and their parsing into the library's types with errors that name the parameter.
//!
//! The query string is split and percent-decoded here rather than by serde: `function` may
//! repeat, a repeated single-valued parameter is an error rather than a silent last-wins,
//! and an unknown parameter names itself and what is allowed.

use super::error::ApiError;

/// The longest query string accepted, in bytes.
pub const MAX_QUERY_LEN: usize = 2048;
use crate::engine::time::{self, Instant};
use std::borrow::Cow;

/// Parameters of `GET /v1/availability`.
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityParams {
    /// Function id, e.g. `webcollect.credit_card`. Repeat it (`function=a&function=b`) to ask
    /// about several at once: the answer is then a set, with the earliest `until`.
    #[param(min_items = 1, max_items = 64)]
    pub function: Vec<String>,
    /// Instant asked about: RFC 3339 (`2023-11-13T03:00:00+09:00`), local `2023-11-13 03:00` or a date in `tz`, or `now` (default).
    #[param(example = "2023-11-13T03:00:00+09:00")]
    pub at: Option<String>,
    /// Count only notices known at this instant (same forms as `at`); default now.
    #[param(example = "2024-01-01")]
    pub as_of: Option<String>,
    /// Lookahead: the answer covers `[at, at + for)`, e.g. `15m`, `2h`, `1d`, `1h30m`, `90m`: terms of `d`, `h`, `m`, `s` in that order, after the first `h` below 24 and `m`, `s` below 60, at most 31 days in all.
    #[param(rename = "for", example = "15m")]
    pub lookahead: Option<String>,
    /// Report only this channel's effect.
    pub channel: Option<String>,
    /// Language of titles, notes and reasons; default `ja`.
    #[param(value_type = Option<Lang>)]
    pub lang: Option<String>,
    /// IANA zone for local instants and output; default `Asia/Tokyo`.
    #[param(example = "Asia/Tokyo")]
    pub tz: Option<String>,
}

/// Parameters of `GET /v1/windows`.
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowsParams {
    /// Start of the range, inclusive (same forms as `at`); default now, or 31 days before `to` when only `to` is given.
    #[param(example = "2023-11-01")]
    pub from: Option<String>,
    /// End of the range, exclusive; default 31 days after `from`. Equal to `from`: the empty range.
    #[param(example = "2023-12-01")]
    pub to: Option<String>,
    /// Only windows that affect this function.
    pub function: Option<String>,
    /// Count only notices known at this instant; default now.
    pub as_of: Option<String>,
    /// At most this many windows; `truncated` says when it cut.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000, default = 1000)]
    pub limit: Option<String>,
    /// Language of titles, notes and reasons; default `ja`.
    #[param(value_type = Option<Lang>)]
    pub lang: Option<String>,
    /// With `function`: `true` also lists windows that affect only functions below it.
    #[param(value_type = Option<bool>)]
    pub with_children: Option<String>,
    /// IANA zone for local instants and output; default `Asia/Tokyo`.
    #[param(example = "Asia/Tokyo")]
    pub tz: Option<String>,
}

/// The languages of the feed (described here, parsed into `views::ical::Lang`).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Lang {
    /// Japanese (default).
    Ja,
    /// English.
    En,
}

/// Parameters of `GET /calendar.ics`.
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// Only windows that affect this function (naming it or an ancestor).
    pub function: Option<String>,
    /// Language of summaries and descriptions; default `ja`.
    #[param(value_type = Option<Lang>)]
    pub lang: Option<String>,
    /// `maintnote` adds the BCOP X-MAINTNOTE-* properties; default `plain`.
    pub profile: Option<String>,
}

/// No parameters.
#[derive(Debug, Default)]
pub struct NoParams {}

/// Splits and percent-decodes a query string (`+` is a space).
type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

fn pairs(q: &str) -> Result<Pairs<'_>, ApiError> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let k = decode(k).map_err(|d| ApiError::bad("", d))?;
            let v = decode(v).map_err(|d| ApiError::bad(&k, d))?;
            Ok((k, v))
        })
        .collect()
}

fn decode(s: &str) -> Result<Cow<'_, str>, String> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(s));
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 2;
                    }
                    None => return Err(format!("`{s}` has a bad percent escape; expected `%` and two hex digits, e.g. `%2B` for `+`")),
                }
            }
            x => out.push(x),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| format!("`{s}` is not UTF-8 once decoded; expected UTF-8 text, e.g. `webcollect.credit_card`"))
}

fn once(slot: &mut Option<String>, name: &str, v: Cow<'_, str>) -> Result<(), ApiError> {
    if slot.is_some() {
        return Err(ApiError::bad(name, format!("`{name}` is given twice; expected it at most once")));
    }
    *slot = Some(v.into_owned());
    Ok(())
}

fn unknown(name: &str, allowed: &[&str]) -> ApiError {
    let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
    let detail = if allowed.is_empty() {
        format!("unknown parameter `{name}`; this endpoint takes none")
    } else {
        format!("unknown parameter `{name}`; expected one of {list}")
    };
    ApiError::bad(name, detail)
}

/// Most functions one request may ask about.
pub(crate) const MAX_FUNCTIONS: usize = 64;

impl AvailabilityParams {
    pub(crate) fn parse(q: &str) -> Result<AvailabilityParams, ApiError> {
        let mut p = AvailabilityParams::default();
        for (k, v) in pairs(q)? {
            match &*k {
                "function" => p.function.push(v.into_owned()),
                "at" => once(&mut p.at, "at", v)?,
                "as_of" => once(&mut p.as_of, "as_of", v)?,
                "for" => once(&mut p.lookahead, "for", v)?,
                "channel" => once(&mut p.channel, "channel", v)?,
                "lang" => once(&mut p.lang, "lang", v)?,
                "tz" => once(&mut p.tz, "tz", v)?,
                other => return Err(unknown(other, &["function", "at", "as_of", "for", "channel", "lang", "tz"])),
            }
        }
        if p.function.is_empty() {
            return Err(ApiError::bad(
                "function",
                "missing `function`; expected a function id, e.g. `function=webcollect.credit_card`".into(),
            ));
        }
        if p.function.len() > MAX_FUNCTIONS {
            return Err(ApiError::bad(
                "function",
                format!("{} functions asked about; expected at most {MAX_FUNCTIONS}, e.g. `function=a&function=b`", p.function.len()),
            ));
        }
        Ok(p)
    }
}

impl WindowsParams {
    pub(crate) fn parse(q: &str) -> Result<WindowsParams, ApiError> {
        let mut p = WindowsParams::default();
        for (k, v) in pairs(q)? {
            match &*k {
                "from" => once(&mut p.from, "from", v)?,
                "to" => once(&mut p.to, "to", v)?,
                "function" => once(&mut p.function, "function", v)?,
                "as_of" => once(&mut p.as_of, "as_of", v)?,
                "limit" => once(&mut p.limit, "limit", v)?,
                "lang" => once(&mut p.lang, "lang", v)?,
                "with_children" => once(&mut p.with_children, "with_children", v)?,
                "tz" => once(&mut p.tz, "tz", v)?,
                other => return Err(unknown(other, &["from", "to", "function", "as_of", "limit", "lang", "with_children", "tz"])),
            }
        }
        Ok(p)
    }

    pub(crate) fn limit(&self) -> Result<usize, ApiError> {
        match &self.limit {
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=crate::engine::limits::MAX_WINDOWS_LIMIT).contains(n))
                .ok_or_else(|| ApiError::bad("limit", crate::engine::limits::limit_message(l))),
            None => Ok(1000),
        }
    }
}

impl CalendarParams {
    pub(crate) fn parse(q: &str) -> Result<CalendarParams, ApiError> {
        let mut p = CalendarParams::default();
        for (k, v) in pairs(q)? {
            match &*k {
                "function" => once(&mut p.function, "function", v)?,
                "lang" => once(&mut p.lang, "lang", v)?,
                "profile" => once(&mut p.profile, "profile", v)?,
                other => return Err(unknown(other, &["function", "lang", "profile"])),
            }
        }
        Ok(p)
    }
}

impl NoParams {
    pub(crate) fn parse(q: &str) -> Result<NoParams, ApiError> {
        match pairs(q)?.into_iter().next() {
            Some((k, _)) => Err(unknown(&k, &[])),
            None => Ok(NoParams {}),
        }
    }
}

/// `None` for an absent parameter and for `now`: both mean the current second, so the
/// answer is "about now" for caching.
///
/// Instants are taken in the years 0001 to 9999 (what RFC 3339 can write): chrono's own
/// limits (year ±262143) are past the reach of date arithmetic with a lookahead.
pub(crate) fn instant_param(v: Option<&String>, name: &str, zone: chrono_tz::Tz, now: Instant) -> Result<Option<Instant>, ApiError> {
    use chrono::Datelike;
    let Some(v) = v.filter(|v| !v.eq_ignore_ascii_case("now")) else { return Ok(None) };
    // RFC 3339 allows a lower-case `t` and `z`; no other form has letters.
    let upper = v.to_ascii_uppercase();
    let t = time::parse_instant(&upper, zone, now).map_err(|m| ApiError::bad(name, m.replace(&upper, v)))?;
    // Then the forms the OpenAPI document gives, and no other (the parser alone also reads
    // `3:00`, surrounding spaces and other shapes chrono accepts).
    static FORMS: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    if !FORMS.get_or_init(|| regex::Regex::new(&instant_pattern()).ok()).as_ref().is_some_and(|r| r.is_match(v)) {
        return Err(ApiError::bad(
            name,
            format!("`{v}` is not an instant; expected RFC 3339 (`2023-11-13T03:00:00+09:00`, `2023-11-12T18:00Z`), a local `2023-11-13 03:00` or `2023-11-13` in the years 1900 to 9999, or `now`"),
        ));
    }
    if !(0..=10_000).contains(&t.year()) {
        return Err(ApiError::bad(
            name,
            format!("`{v}` is out of range; expected an instant in the years 0001 to 9999, e.g. `2023-11-13T03:00:00+09:00`"),
        ));
    }
    Ok(Some(t))
}

/// Parses the API's `for`: terms `<digits><unit>` with units in falling order (`d`, `h`, `m`,
/// `s`), each at most once; a term after the first below the next unit up (`h` < 24, `m` and
/// `s` < 60); the whole at most [`time::MAX_LOOKAHEAD_DAYS`] days. `15m`, `2h`, `1h30m`,
/// `90m`, `31d` and `744h` are lookaheads; `1h90m`, `30m1h`, ` 15m` and `32d` are not. The
/// OpenAPI document's pattern ([`lookahead_pattern`]) is exactly this set.
///
/// # Errors
/// A 400 naming `for`, quoting the value.
pub(crate) fn lookahead_param(v: &str) -> Result<chrono::Duration, ApiError> {
    let max = time::MAX_LOOKAHEAD_DAYS;
    let bad = || {
        ApiError::bad(
            "for",
            format!("`{v}` is not a lookahead; expected terms of d, h, m, s in that order (after the first, h below 24, m and s below 60), at most {max}d in all, e.g. `15m`, `2h` or `1h30m`"),
        )
    };
    let mut total: i64 = 0;
    let mut last_unit = usize::MAX;
    let mut digits = 0usize;
    let mut n: i64 = 0;
    for c in v.chars() {
        if let Some(d) = c.to_digit(10) {
            digits += 1;
            n = n.checked_mul(10).and_then(|x| x.checked_add(i64::from(d))).ok_or_else(bad)?;
            continue;
        }
        // Seconds per unit, and the bound of a term that is not the first.
        const UNITS: [(char, i64, i64); 4] = [('d', 86_400, i64::MAX), ('h', 3_600, 24), ('m', 60, 60), ('s', 1, 60)];
        let u = UNITS.iter().position(|(c2, _, _)| *c2 == c).ok_or_else(bad)?;
        let first = last_unit == usize::MAX;
        if digits == 0 || (!first && u <= last_unit) || (!first && n >= UNITS[u].2) {
            return Err(bad());
        }
        total = n.checked_mul(UNITS[u].1).and_then(|x| x.checked_add(total)).ok_or_else(bad)?;
        (last_unit, digits, n) = (u, 0, 0);
    }
    if digits > 0 || last_unit == usize::MAX {
        return Err(bad());
    }
    if total > max * 86_400 {
        return Err(ApiError::bad("for", time::lookahead_too_long(v)));
    }
    Ok(chrono::Duration::seconds(total))
}

/// A regular expression (ECMA-262 and Python alike) for the decimal numbers 0 to `max`,
/// leading zeros allowed.
fn up_to(max: u64) -> String {
    let n: Vec<u8> = max.to_string().bytes().map(|b| b - b'0').collect();
    let mut alts = vec!["[0-9]".to_string()];
    for len in 2..n.len() {
        alts.push(format!("[1-9][0-9]{{{}}}", len - 1));
    }
    if n.len() > 1 {
        let mut prefix = String::new();
        for (i, d) in n.iter().enumerate() {
            let lo = u8::from(i == 0);
            if *d > lo {
                let rest = n.len() - i - 1;
                let class = if d - 1 == lo { format!("{lo}") } else { format!("[{lo}-{}]", d - 1) };
                alts.push(format!("{prefix}{class}{}", if rest > 0 { format!("[0-9]{{{rest}}}") } else { String::new() }));
            }
            prefix.push(char::from(b'0' + d));
        }
        alts.push(prefix);
    } else if n[0] < 9 {
        alts[0] = format!("[0-{}]", n[0]);
    }
    format!("0*(?:{})", alts.join("|"))
}

/// The pattern of the API's `for`: exactly the values [`lookahead_param`] accepts.
pub(crate) fn lookahead_pattern() -> String {
    let max = u64::try_from(time::MAX_LOOKAHEAD_DAYS).unwrap_or(31);
    let below = |n: u64| up_to(n - 1);
    let zero = "0+";
    // Led by days, hours, minutes or seconds: a lead term below the whole limit in its unit
    // with any smaller terms below their bounds, or the limit itself with zero terms only.
    let d =
        format!("{}d(?:{}h)?(?:{}m)?(?:{}s)?|0*{max}d(?:{zero}h)?(?:{zero}m)?(?:{zero}s)?", below(max), below(24), below(60), below(60));
    let h = format!("{}h(?:{}m)?(?:{}s)?|0*{}h(?:{zero}m)?(?:{zero}s)?", below(max * 24), below(60), below(60), max * 24);
    let m = format!("{}m(?:{}s)?|0*{}m(?:{zero}s)?", below(max * 1440), below(60), max * 1440);
    let s = format!("{}s", up_to(max * 86_400));
    format!("^(?:{d}|{h}|{m}|{s})$")
}

/// A calendar date from 1900-01-01 to 9999-12-31, as a regular expression: months of their
/// length, 29 February in leap years only.
fn date_pattern() -> String {
    let year = "(?:19|[2-9][0-9])[0-9]{2}";
    let leap = "(?:(?:19|[2-9][0-9])(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)";
    format!("(?:{year}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|{leap}-02-29)")
}

/// The pattern of an instant parameter (`at`, `as_of`, `from`, `to`): `now` (any case), a
/// date, a local date-time (`T` or a space, seconds optional, `24:00` for the end of a day) or
/// one with an offset (`Z` or `±HH:MM`, fractions of a second allowed and dropped).
pub(crate) fn instant_pattern() -> String {
    let date = date_pattern();
    let time = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?";
    let exact_time = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?)?";
    let offset = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
    format!("^(?:[Nn][Oo][Ww]|{date}|{date}[Tt ](?:{time}|24:00)|{date}[Tt ]{exact_time}{offset})$")
}

/// Parses `--now` for `mado serve` and the CLI: an RFC 3339 instant with an explicit offset
/// or `Z` (`2023-11-13T02:30+09:00`), seconds optional. A local time is refused: a fixed clock
/// must not depend on a zone picked elsewhere.
///
/// # Errors
/// A message quoting `text` when it is not such an instant or is outside the supported range.
pub fn parse_clock(text: &str) -> Result<Instant, String> {
    match time::parse_written(text)? {
        time::WrittenTime::Exact(t) => Ok(t),
        time::WrittenTime::Local(_) => {
            Err(format!("`{text}` has no offset; a fixed clock is an instant with an offset or `Z`, e.g. `2023-11-13T02:30+09:00`"))
        }
    }
}

/// The `Mado-Clock` header of every answer while the clock is fixed (`--now`): `fixed`, and
/// the instant the server takes for now. Absent on the real clock.
pub(crate) const CLOCK_HEADER: &str = "mado-clock";

/// Marks a response as answered on a fixed clock, when it is.
pub(crate) fn mark_clock(fixed: Option<Instant>, r: &mut axum::response::Response) {
    if let Some(t) = fixed {
        let v = format!("fixed; now={}", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        if let Ok(v) = axum::http::HeaderValue::from_str(&v) {
            r.headers_mut().insert(CLOCK_HEADER, v);
        }
    }
}

pub(crate) fn zone_param(tz: Option<&String>) -> Result<chrono_tz::Tz, ApiError> {
    tz.map_or(Ok(time::DEFAULT_ZONE), |z| time::parse_zone(z).map_err(|m| ApiError::bad("tz", m)))
}

pub(crate) fn lang_param(lang: Option<&String>) -> Result<crate::engine::model::Lang, ApiError> {
    lang.map_or(Ok(crate::engine::model::Lang::Ja), |l| crate::engine::model::Lang::parse(l).map_err(|m| ApiError::bad("lang", m)))
}

/// Query strings the serde way, for the pages' parameter structs.
pub(crate) type Q<T> = Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>;

pub(crate) fn query<T>(q: Q<T>) -> Result<T, ApiError> {
    q.map(|axum::extract::Query(v)| v).map_err(|e| {
        let text = e.body_text();
        let detail = text.strip_prefix("Failed to deserialize query string: ").unwrap_or(&text).to_string();
        let parameter = detail.split('`').nth(1).unwrap_or("").to_string();
        ApiError::bad(&parameter, detail)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_and_functions_repeat() {
        let p = AvailabilityParams::parse("function=a&function=b.c&at=2023-11-13T03:00%2B09:00&tz=Asia%2FTokyo&for=15m").unwrap();
        assert_eq!(p.function, ["a", "b.c"]);
        assert_eq!(p.at.as_deref(), Some("2023-11-13T03:00+09:00"));
        assert_eq!(p.tz.as_deref(), Some("Asia/Tokyo"));
        assert_eq!(AvailabilityParams::parse("function=x&at=2023-11-13+03:00").unwrap().at.as_deref(), Some("2023-11-13 03:00"));
    }

    #[test]
    fn a_fixed_clock_is_an_instant_with_an_offset() {
        let ok = |s: &str| parse_clock(s).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        for (text, want) in [
            ("2023-11-13T02:30+09:00", "2023-11-12T17:30:00Z"),
            ("2023-11-13T02:30:15+09:00", "2023-11-12T17:30:15Z"),
            ("2023-11-12T17:30Z", "2023-11-12T17:30:00Z"),
        ] {
            assert_eq!(ok(text).as_deref(), Ok(want), "{text}");
        }
        for (text, says) in [
            ("2023-11-13 02:30", "has no offset"),
            ("2023-11-13T02:30", "has no offset"),
            ("now", "`now` is not a date and time"),
            ("2023-11-13", "`2023-11-13` is not a date and time"),
            ("2023-11-13T25:00+09:00", "`25:00+09:00` is not a time of day"),
        ] {
            let e = parse_clock(text).expect_err(text);
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn bad_query_strings_name_the_parameter() {
        for (q, param) in [
            ("at=now", "function"),
            ("function=a&at=1&at=2", "at"),
            ("function=a&colour=red", "colour"),
            ("function=%ZZ", "function"),
            ("function=%FF", "function"),
        ] {
            let e = AvailabilityParams::parse(q).err().unwrap_or_else(|| panic!("{q} accepted"));
            assert_eq!(e.body.parameter.as_deref(), Some(param), "{q}: {}", e.body.detail);
        }
        let many = vec!["function=a"; MAX_FUNCTIONS + 1].join("&");
        assert!(AvailabilityParams::parse(&many).is_err());
        assert!(NoParams::parse("x=1").is_err() && NoParams::parse("").is_ok());
    }
}
