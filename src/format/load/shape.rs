//! A window's times: written instants and local times, and the three shapes (confirmed,
//! tentative, recurring).

use super::*;

pub(super) fn check_gap(file: &Src, span: Range<usize>, zone: Tz, local: NaiveDateTime, d: &mut Diags) -> Option<Instant> {
    if !time::date_in_range(local.date()) {
        d.at(file, Some(span), time::out_of_range(&local.format("%Y-%m-%d %H:%M").to_string()));
        return None;
    }
    if is_gap(zone, local) {
        d.at(
            file,
            Some(span),
            format!(
                "`{}` does not exist in {} (the clocks skip it); write a time after the change, e.g. one hour later",
                local.format("%Y-%m-%d %H:%M"),
                zone.name()
            ),
        );
        return None;
    }
    Some(local_to_instant(zone, local))
}

pub(super) fn check_written(file: &Src, span: Range<usize>, w: WrittenTime, zone: Tz, d: &mut Diags) -> Option<Instant> {
    match w {
        WrittenTime::Exact(t) => Some(t),
        WrittenTime::Local(l) => check_gap(file, span, zone, l, d),
    }
}

pub(super) fn written(file: &Src, s: &S<String>, zone: Tz, d: &mut Diags) -> Option<Instant> {
    match parse_written(s.get_ref()) {
        Ok(w) => check_written(file, s.span(), w, zone, d),
        Err(m) => {
            d.at(file, Some(s.span()), m);
            None
        }
    }
}

/// A start and an end; the end may be a bare time of day, meaning its next occurrence after
/// the start (so `23:00` to `01:00` crosses midnight).
pub(super) fn start_end(file: &Src, start: &S<String>, end: &S<String>, zone: Tz, d: &mut Diags) -> Option<(Instant, Instant)> {
    let s = written(file, start, zone, d)?;
    let e = match time::parse_time_of_day(end.get_ref()) {
        Ok((tod, next_day)) => {
            let local_start = s.with_timezone(&zone).naive_local();
            let mut local = local_start.date().and_time(tod) + Duration::days(i64::from(next_day));
            if local <= local_start {
                local += Duration::days(1);
            }
            check_gap(file, end.span(), zone, local, d)?
        }
        Err(_) => written(file, end, zone, d)?,
    };
    if e <= s {
        d.at(
            file,
            Some(end.span()),
            format!(
                "end `{}` is not after start `{}`; a window is [start, end) and may cross midnight, e.g. `end = \"{}\"`",
                end.get_ref(),
                start.get_ref(),
                (s + Duration::hours(1)).with_timezone(&zone).format("%Y-%m-%d %H:%M")
            ),
        );
        return None;
    }
    Some((s, e))
}

/// The three time shapes, for messages.
pub(super) const SHAPES: &str = "a window has `start` and `end` (confirmed), or `date` and optionally `last_date` and `expected_duration` (tentative), or `rrule`, `start` and `duration` (recurring)";

/// Reports each present field that does not belong in a `kind` window; whether there was none.
pub(super) fn forbid(file: &Src, span: &Range<usize>, d: &mut Diags, fields: &[(&str, bool)], kind: &str) -> bool {
    let mut ok = true;
    for (name, present) in fields {
        if *present {
            d.at(file, Some(span.clone()), format!("`{name}` does not belong in a {kind} window; {SHAPES}"));
            ok = false;
        }
    }
    ok
}

/// A window's times: recurring (`rrule`), tentative (`date`) or confirmed (`start`, `end`).
pub(super) fn make_shape(file: &Src, w: &RawWindow, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    match (&w.rrule, &w.date) {
        (Some(rrule), _) => recurring_shape(file, w, rrule, zone, span, d),
        (None, Some(date)) => tentative_shape(file, w, date, zone, span, d),
        (None, None) => confirmed_shape(file, w, zone, span, d),
    }
}

pub(super) fn recurring_shape(file: &Src, w: &RawWindow, rrule: &S<String>, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    let ok = forbid(
        file,
        &span,
        d,
        &[
            ("end", w.end.is_some()),
            ("date", w.date.is_some()),
            ("last_date", w.last_date.is_some()),
            ("expected_duration", w.expected_duration.is_some()),
        ],
        "recurring",
    );
    let (Some(start), Some(duration)) = (&w.start, &w.duration) else {
        d.at(file, Some(span), format!("a recurring window needs `start` (its first local start) and `duration`; {SHAPES}"));
        return None;
    };
    let dtstart = match parse_written(start.get_ref()) {
        Ok(WrittenTime::Local(l)) => {
            check_gap(file, start.span(), zone, l, d)?;
            l
        }
        Ok(WrittenTime::Exact(t)) => t.with_timezone(&zone).naive_local(),
        Err(m) => {
            d.at(file, Some(start.span()), m);
            return None;
        }
    };
    let duration = match time::parse_duration(duration.get_ref()) {
        Ok(x) if x > Duration::zero() => x,
        Ok(_) => {
            d.at(file, Some(duration.span()), format!("duration `{}` is empty; expected a positive length, e.g. `2h`", duration.get_ref()));
            return None;
        }
        Err(m) => {
            d.at(file, Some(duration.span()), m);
            return None;
        }
    };
    let rule = match Rule::parse(rrule.get_ref(), dtstart, zone) {
        Ok(r) => r,
        Err(m) => {
            d.at(file, Some(rrule.span()), m);
            return None;
        }
    };
    ok.then_some(Shape::Recurring { rule: Box::new(rule), duration })
}

pub(super) fn tentative_shape(file: &Src, w: &RawWindow, date: &S<String>, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    let fields = [("start", w.start.is_some()), ("end", w.end.is_some()), ("duration", w.duration.is_some())];
    let ok = forbid(file, &span, d, &fields, "tentative");
    let first = time::parse_date(date.get_ref()).map_err(|m| d.at(file, Some(date.span()), m)).ok()?;
    let last = match &w.last_date {
        None => first,
        Some(l) => {
            let last = time::parse_date(l.get_ref()).map_err(|m| d.at(file, Some(l.span()), m)).ok()?;
            if last < first {
                d.at(
                    file,
                    Some(l.span()),
                    format!("last_date `{last}` is before date `{first}`; expected the last day of the span, inclusive"),
                );
                return None;
            }
            last
        }
    };
    let expected = match &w.expected_duration {
        None => None,
        Some(x) => Some(time::parse_duration(x.get_ref()).map_err(|m| d.at(file, Some(x.span()), m)).ok()?),
    };
    let start = local_to_instant(zone, first.and_time(chrono::NaiveTime::MIN));
    let end = local_to_instant(zone, next_day(last).and_time(chrono::NaiveTime::MIN));
    ok.then_some(Shape::Tentative { first, last, start, end, expected, expected_approx: w.expected_duration_approx })
}

pub(super) fn confirmed_shape(file: &Src, w: &RawWindow, zone: Tz, span: Range<usize>, d: &mut Diags) -> Option<Shape> {
    let ok = forbid(
        file,
        &span,
        d,
        &[
            ("duration", w.duration.is_some()),
            ("last_date", w.last_date.is_some()),
            ("expected_duration", w.expected_duration.is_some() && w.end.as_ref().is_none_or(|e| e.get_ref() != "unknown")),
        ],
        "confirmed",
    );
    match (&w.start, &w.end) {
        (Some(s), Some(e)) if e.get_ref() == "unknown" => {
            let start = written(file, s, zone, d)?;
            let expected = match &w.expected_duration {
                None => None,
                Some(x) => Some(time::parse_duration(x.get_ref()).map_err(|m| d.at(file, Some(x.span()), m)).ok()?),
            };
            ok.then_some(Shape::Confirmed {
                start,
                end: time::unknown_end(),
                start_approx: w.start_approx,
                end_approx: false,
                end_unknown: true,
                expected,
            })
        }
        (Some(s), Some(e)) => {
            let (start, end) = start_end(file, s, e, zone, d)?;
            ok.then_some(Shape::Confirmed {
                start,
                end,
                start_approx: w.start_approx,
                end_approx: w.end_approx,
                end_unknown: false,
                expected: None,
            })
        }
        _ => {
            d.at(file, Some(span), format!("the window has no complete times; {SHAPES}"));
            None
        }
    }
}

pub(super) fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}
