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
    /// Lookahead: the answer covers `[at, at + for)`, e.g. `15m`, `2h`, `1d` (also `1h30m`); at most 31 days.
    #[param(rename = "for", pattern = r"^([0-9]{1,7}s|[0-9]{1,5}m|[0-9]{1,4}h|[0-9]{1,3}d)$", example = "15m")]
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
    /// Start of the range, inclusive (same forms as `at`); default now.
    #[param(example = "2023-11-01")]
    pub from: Option<String>,
    /// End of the range, exclusive; default 31 days after `from`.
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
                other => return Err(unknown(other, &["function", "lang"])),
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
    let Some(v) = v.filter(|v| !v.trim().eq_ignore_ascii_case("now")) else { return Ok(None) };
    // RFC 3339 allows a lower-case `t` and `z`; no other form has letters.
    let upper = v.to_ascii_uppercase();
    let t = time::parse_instant(&upper, zone, now).map_err(|m| ApiError::bad(name, m.replace(&upper, v)))?;
    if !(0..=10_000).contains(&t.year()) {
        return Err(ApiError::bad(
            name,
            format!("`{v}` is out of range; expected an instant in the years 0001 to 9999, e.g. `2023-11-13T03:00:00+09:00`"),
        ));
    }
    Ok(Some(t))
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
