//! The maintnote profile of the feed (`/calendar.ics?profile=maintnote`, `mado calendar
//! --profile maintnote`): the BCOP maintenance-notification properties
//! (draft-gunter-calext-maintenance-notifications) added to each event, so that tools built
//! for network providers' notices (networktocode's `circuit-maintenance-parser`, Nautobot)
//! read mado's windows.
//!
//! What changes from the plain feed, and why:
//! - every event carries `X-MAINTNOTE-PROVIDER` (the catalogue's provider of the first
//!   function the window names, or without providers that function's top-level id), `-ACCOUNT`, `-MAINTENANCE-ID` (the window's
//!   uid, `<notice>/<window>`), `-OBJECT-ID` (one per function the window names, and one per
//!   function its notice states stays available, with `X-MAINTNOTE-OBJECT-IMPACT=NO-IMPACT`),
//!   `-IMPACT` and `-STATUS`, and an `ORGANIZER` when the feed knows a page to point to
//!   (mado's notice page, else the provider's `url`);
//! - a tentative window is written with `DTSTART`/`DTEND` date-times at 00:00 of its first
//!   day and of the day after its last (what the evaluator calls tentative), not as an
//!   all-day date: the parsers read date-times only;
//! - standing rules (`RRULE`) are left out: a BCOP notice is one maintenance with one start
//!   and one end, and the parsers do not expand rules. The plain feed has them.
//!
//! `-STATUS` follows the window and the feed's `now`: `TENTATIVE` (days known, times not),
//! `CONFIRMED` (before its start), `IN-PROCESS` (from its start until its end), `COMPLETED`
//! (after its end), `CANCELLED` (cancelled, or postponed with the new date to be announced).

use crate::engine::eval::Schedule;
use crate::engine::model::{Action, Kind, Shape, Spec};
use crate::engine::time::Instant;
use crate::engine::view_api::LineageView;

/// Which properties a feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The plain RFC 5545 feed.
    #[default]
    Plain,
    /// The plain feed with the BCOP maintnote properties (see the module doc).
    Maintnote,
}

impl Profile {
    /// `plain` or `maintnote`.
    ///
    /// # Errors
    /// The value, quoted, when it is neither.
    pub fn parse(s: &str) -> Result<Profile, String> {
        match s {
            "plain" => Ok(Profile::Plain),
            "maintnote" => Ok(Profile::Maintnote),
            _ => Err(format!("`{s}` is not a feed profile; expected `plain` or `maintnote`, e.g. `maintnote`")),
        }
    }
    /// The profile's name as the query and the flag spell it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Plain => "plain",
            Profile::Maintnote => "maintnote",
        }
    }
}

/// What `X-MAINTNOTE-ACCOUNT` says: mado publishes what applies to every merchant's account.
pub const ACCOUNT: &str = "all";

/// Whether the maintnote profile writes this window (standing rules are left out).
pub(crate) fn writes(spec: &Spec) -> bool {
    !matches!(spec.shape, Shape::Recurring { .. })
}

/// `X-MAINTNOTE-STATUS` of a window at `now`. `ended` is what took it off the schedule, if
/// anything did (`Cancel`, or `Postpone` with the new date to be announced).
pub(crate) fn status(spec: &Spec, ended: Option<Action>, now: Instant) -> &'static str {
    if ended.is_some() {
        return "CANCELLED";
    }
    match spec.shape {
        Shape::Tentative { .. } => "TENTATIVE",
        Shape::Confirmed { start, .. } if now < start => "CONFIRMED",
        Shape::Confirmed { end, end_unknown, .. } if end_unknown || now < end => "IN-PROCESS",
        Shape::Confirmed { .. } => "COMPLETED",
        // Not written (see `writes`); said as the plain feed says it.
        Shape::Recurring { .. } => "CONFIRMED",
    }
}

/// The maintnote lines of one event, `(name with parameters, value)`, in a fixed order,
/// written by the feed just before `END:VEVENT`. `page` is the notice page's address when
/// the feed knows where mado is served.
pub(crate) fn properties(
    s: &Schedule,
    l: LineageView,
    spec: &Spec,
    ended: Option<Action>,
    now: Instant,
    page: Option<&str>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let cat = s.catalogue();
    let first = spec.functions.first().copied();
    let provider = first.and_then(|f| cat.provider_of(f));
    // Without `[[provider]]` in the catalogue, function ids are namespaced by provider:
    // the top-level id stands for it.
    let provider_id = match (provider, first) {
        (Some(p), _) => p.id().to_string(),
        (None, Some(f)) => cat.functions()[f].id().split('.').next().unwrap_or_default().to_string(),
        (None, None) => String::new(),
    };
    // Where a reader of the notice is sent: mado's notice page, else the provider's own page.
    if let Some(page) = page.or_else(|| provider.and_then(|p| p.url())) {
        out.push((format!("ORGANIZER;CN={provider_id}"), page.to_string()));
    }
    out.push(("X-MAINTNOTE-PROVIDER".into(), provider_id));
    out.push(("X-MAINTNOTE-ACCOUNT".into(), ACCOUNT.into()));
    out.push(("X-MAINTNOTE-MAINTENANCE-ID".into(), l.uid()));
    let functions = s.catalogue().functions();
    for f in &spec.functions {
        out.push(("X-MAINTNOTE-OBJECT-ID".into(), functions[*f].id().to_string()));
    }
    for f in &spec.available {
        out.push(("X-MAINTNOTE-OBJECT-ID;X-MAINTNOTE-OBJECT-IMPACT=NO-IMPACT".into(), functions[*f].id().to_string()));
    }
    // Every window mado holds makes what it names unavailable (an incident too): the BCOP's
    // OUTAGE. A notice that stated a degraded service would need a field mado does not have.
    let impact = match spec.kind {
        Kind::Maintenance | Kind::Incident => "OUTAGE",
    };
    out.push(("X-MAINTNOTE-IMPACT".into(), impact.into()));
    out.push(("X-MAINTNOTE-STATUS".into(), status(spec, ended, now).into()));
    out
}
