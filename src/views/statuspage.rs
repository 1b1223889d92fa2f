//! The Statuspage-compatible read API's documents (`/api/v2/summary.json` and friends),
//! shaped as Atlassian's public Statuspage v2 API, so that anything that reads a
//! Statuspage page (dashboards, Uptime Kuma, the `statuspage.io` client) reads mado.
//!
//! Every document is built from the engine's public answers at one instant `now`, as
//! known then: a component's status is [`Schedule::check`]'s, the maintenances and incidents
//! are [`Schedule::windows`]' windows, and each one's `incident_updates` are its revisions
//! (through [`crate::engine::view_api`]), newest first. Nothing here derives a window.
//!
//! What the Statuspage model cannot say is said in an update's `body`, never faked in the
//! times: a tentative window spans its days (00:00 of the first to 00:00 after the last, what
//! the evaluator calls tentative) and says that the hours are not announced; an approximate
//! end is the end the notice gives, said to be approximate; an end not announced is
//! `scheduled_until: null`; a window postponed with the new date to be announced has
//! `scheduled_for` and `scheduled_until` null and says so. Creation times mado does not know
//! (a component's) are `null`.

use crate::engine::answer::{Query, WindowInfo, WindowKind, WindowsQuery};
use crate::engine::eval::{Schedule, Status};
use crate::engine::model::{Action, Kind, Lang};
use crate::engine::time::{Instant, DEFAULT_ZONE};
use crate::views::words::{self, Sentence};
use chrono::{DateTime, Duration, FixedOffset};
use serde::Serialize;
use std::collections::BTreeMap;

/// At most this many maintenances (or incidents) in a list, the most recent first, as
/// Atlassian's `scheduled-maintenances.json` and `incidents.json`.
pub const LIST_LIMIT: usize = 50;

/// How far back and ahead of `now` the lists look for windows.
const LOOK_BACK_DAYS: i64 = 366;
const LOOK_AHEAD_DAYS: i64 = 366;

/// What a document is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// The instant the documents describe, as known then.
    pub now: Instant,
    /// Language of names and bodies.
    pub lang: Lang,
    /// Where mado is served (`https://mado.example.com`): the page's `url` and each
    /// `shortlink`. Without it, `url` is empty and a shortlink is a path (`/notices/<id>`).
    pub base_url: Option<String>,
}

/// `page`: which page this is.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Page {
    /// `mado`.
    pub id: String,
    /// The page's name, in the document's language.
    pub name: String,
    /// Where the status page is served; empty when not known.
    pub url: String,
    /// `Asia/Tokyo`.
    pub time_zone: String,
    /// The latest publication among the notices known at `now`.
    pub updated_at: Option<String>,
}

/// A component: one catalogue function, or (with two or more providers) a provider's group.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Component {
    /// The function's id, e.g. `webcollect.credit_card`; a provider's group is `provider:<id>`.
    pub id: String,
    /// Its label.
    pub name: String,
    /// `operational`, `under_maintenance` (a maintenance covers it now) or `major_outage`
    /// (an incident does). A tentative day is `operational`: the maintenance is listed.
    pub status: String,
    /// Unknown to mado: `null`.
    pub created_at: Option<String>,
    /// As the page's `updated_at`.
    pub updated_at: Option<String>,
    /// Catalogue order, from 1.
    pub position: usize,
    /// The label in the other language.
    pub description: Option<String>,
    /// Always shown.
    pub showcase: bool,
    /// Unknown to mado: `null`.
    pub start_date: Option<String>,
    /// The parent function, for a function with one; with two or more providers, the
    /// function's provider's group (`provider:<id>`) instead.
    pub group_id: Option<String>,
    /// `mado`.
    pub page_id: String,
    /// Whether other functions sit below it; with two or more providers, true for the
    /// providers' groups only.
    pub group: bool,
    /// Always false.
    pub only_show_if_degraded: bool,
    /// For a group: its children's ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
}

/// One update of an incident or maintenance: a revision of the window, or its start or end
/// passing by the schedule.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Update {
    /// `<maintenance id>#<n>`.
    pub id: String,
    /// The status the update gave.
    pub status: String,
    /// What the update says, in the document's language.
    pub body: String,
    /// The maintenance's id.
    pub incident_id: String,
    /// When it was published (a revision) or happened (a start or an end).
    pub created_at: String,
    /// As `created_at`.
    pub updated_at: String,
    /// As `created_at`.
    pub display_at: String,
}

/// A scheduled maintenance or an incident.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Incident {
    /// The window's uid (`<notice>/<window>`), with `@<date>` for one night of a standing rule.
    pub id: String,
    /// The window's title.
    pub name: String,
    /// Maintenances: `scheduled`, `in_progress`, `completed`. Incidents: `investigating`,
    /// `resolved`.
    pub status: String,
    /// When the window was first published.
    pub created_at: String,
    /// The latest update's time.
    pub updated_at: String,
    /// Never known to mado: `null`.
    pub monitoring_at: Option<String>,
    /// The end, once passed.
    pub resolved_at: Option<String>,
    /// `maintenance`, or `major` for an incident.
    pub impact: String,
    /// The notice page.
    pub shortlink: String,
    /// Start; `null` for a window postponed with the new date to be announced. Absent on
    /// incidents.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>))]
    pub scheduled_for: Option<Option<String>>,
    /// End; `null` when no notice gives it, or postponed. Absent on incidents.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<String>))]
    pub scheduled_until: Option<Option<String>>,
    /// When the incident began (an incident's start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// `mado`.
    pub page_id: String,
    /// Newest first.
    pub incident_updates: Vec<Update>,
    /// The functions the window affects: those it names, those below them, less those its
    /// notice states stay available.
    pub components: Vec<Component>,
}

/// `status`: the page's rollup.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Rollup {
    /// `none`, `maintenance` or `major`.
    pub indicator: String,
    /// `All Systems Operational`, `Service Under Maintenance`, `Partial System Outage`.
    pub description: String,
}

/// `/api/v2/summary.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Summary {
    /// The page.
    pub page: Page,
    /// Every function.
    pub components: Vec<Component>,
    /// Unresolved incidents.
    pub incidents: Vec<Incident>,
    /// Maintenances scheduled or in progress.
    pub scheduled_maintenances: Vec<Incident>,
    /// The rollup.
    pub status: Rollup,
}

/// `/api/v2/status.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct StatusDoc {
    /// The page.
    pub page: Page,
    /// The rollup.
    pub status: Rollup,
}

/// `/api/v2/components.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ComponentsDoc {
    /// The page.
    pub page: Page,
    /// Every function.
    pub components: Vec<Component>,
}

/// `/api/v2/scheduled-maintenances*.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct MaintenancesDoc {
    /// The page.
    pub page: Page,
    /// Most recent first.
    pub scheduled_maintenances: Vec<Incident>,
}

/// `/api/v2/incidents*.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct IncidentsDoc {
    /// The page.
    pub page: Page,
    /// Most recent first.
    pub incidents: Vec<Incident>,
}

/// Which maintenances a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The most recent, whatever their status.
    All,
    /// Scheduled, not started.
    Upcoming,
    /// In progress.
    Active,
}

/// Statuspage's time format: milliseconds and the page's offset.
fn stamp(t: Instant) -> String {
    t.with_timezone(&DEFAULT_ZONE).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

fn fixed(t: DateTime<FixedOffset>) -> Instant {
    t.with_timezone(&chrono::Utc).into()
}

/// The documents at one instant: built once, read by every endpoint. The components and
/// the windows are asked of the engine once per `Documents`.
pub struct Documents<'a> {
    s: &'a Schedule,
    o: Options,
    page: Page,
    components: std::cell::OnceCell<Vec<Component>>,
    windows: std::cell::OnceCell<Vec<WindowInfo>>,
}

impl<'a> Documents<'a> {
    /// The documents of `s` at `o.now`.
    pub fn new(s: &'a Schedule, o: Options) -> Documents<'a> {
        let updated = s.lineage_views().flat_map(|l| l.trail().map(|v| v.known_from()).collect::<Vec<_>>()).filter(|t| *t <= o.now).max();
        // The feed's calendar name: one page, one name.
        let name = crate::views::words::service_name(s.catalogue(), o.lang);
        let page = Page {
            id: "mado".into(),
            name: name.into(),
            url: o.base_url.clone().unwrap_or_default(),
            time_zone: DEFAULT_ZONE.name().into(),
            updated_at: updated.map(stamp),
        };
        Documents { s, o, page, components: std::cell::OnceCell::new(), windows: std::cell::OnceCell::new() }
    }

    /// The page.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Every function, with its status at `now` from the evaluator.
    ///
    /// # Errors
    /// An error of the evaluator (none for a function of the catalogue).
    pub fn components(&self) -> Result<Vec<Component>, crate::engine::error::QueryError> {
        if let Some(c) = self.components.get() {
            return Ok(c.clone());
        }
        let cat = self.s.catalogue();
        let fs = cat.functions();
        let mut out = Vec::with_capacity(fs.len());
        for (i, f) in fs.iter().enumerate() {
            let q = Query::new(f.id(), self.o.now).as_of(self.o.now).lang(self.o.lang);
            let a = self.s.check(&q)?;
            let status = match a.status {
                Status::Unavailable if a.windows.iter().any(|w| w.category == Kind::Incident) => "major_outage",
                Status::Unavailable => "under_maintenance",
                _ => "operational",
            };
            let parent = f.id().rsplit_once('.').map(|(p, _)| p.to_string()).filter(|p| cat.function(p).is_some());
            let children: Vec<String> =
                fs.iter().filter(|c| c.id().rsplit_once('.').is_some_and(|(p, _)| p == f.id())).map(|c| c.id().to_string()).collect();
            let other = match self.o.lang {
                Lang::Ja => f.en(),
                Lang::En => f.ja(),
            };
            out.push(Component {
                id: f.id().into(),
                name: f.label(self.o.lang).into(),
                status: status.into(),
                created_at: None,
                updated_at: self.page.updated_at.clone(),
                position: i + 1,
                description: Some(other.to_string()),
                showcase: true,
                start_date: None,
                group_id: parent,
                page_id: self.page.id.clone(),
                group: !children.is_empty(),
                only_show_if_degraded: false,
                components: (!children.is_empty()).then_some(children),
            });
        }
        if cat.providers().len() >= 2 {
            provider_groups(&mut out, cat, self.o.lang);
        }
        let _ = self.components.set(out.clone());
        Ok(out)
    }

    /// The first instant after `now` at which any document may read differently: a
    /// component's `until`, or a listed window's start or end. `None` when nothing is coming.
    ///
    /// # Errors
    /// An error of the evaluator.
    pub fn next_change(&self) -> Result<Option<Instant>, crate::engine::error::QueryError> {
        let now = self.o.now;
        let mut next: Option<Instant> = None;
        let mut see = |t: Instant| {
            if t > now && next.is_none_or(|n| t < n) {
                next = Some(t);
            }
        };
        for f in self.s.catalogue().functions() {
            let a = self.s.check(&Query::new(f.id(), now).as_of(now))?;
            if let Some(u) = a.until {
                see(fixed(u));
            }
        }
        for w in self.windows()? {
            see(fixed(w.start));
            if !w.end_unknown {
                see(fixed(w.end));
            }
        }
        Ok(next)
    }

    /// The page's rollup from the components.
    pub fn rollup(components: &[Component]) -> Rollup {
        let any = |s: &str| components.iter().any(|c| c.status == s);
        let (indicator, description) = if any("major_outage") {
            ("major", "Partial System Outage")
        } else if any("under_maintenance") {
            ("maintenance", "Service Under Maintenance")
        } else {
            ("none", "All Systems Operational")
        };
        Rollup { indicator: indicator.into(), description: description.into() }
    }

    /// The windows around `now`, as known then: one-off windows, and of a standing rule the
    /// night in progress or next and the last one over.
    fn windows(&self) -> Result<Vec<WindowInfo>, crate::engine::error::QueryError> {
        if let Some(w) = self.windows.get() {
            return Ok(w.clone());
        }
        let now = self.o.now;
        let mut q = WindowsQuery::new(now - Duration::days(LOOK_BACK_DAYS), now + Duration::days(LOOK_AHEAD_DAYS));
        q.as_of = now;
        q.limit = crate::engine::limits::MAX_WINDOWS_LIMIT;
        let list = self.s.windows(&q.lang(self.o.lang))?;
        let mut last_over: BTreeMap<String, WindowInfo> = BTreeMap::new();
        let mut next: BTreeMap<String, WindowInfo> = BTreeMap::new();
        let mut out = Vec::new();
        for w in list.windows {
            if w.occurrence.is_none() {
                out.push(w);
            } else if !w.end_unknown && fixed(w.end) <= now {
                last_over.insert(w.uid.clone(), w);
            } else {
                next.entry(w.uid.clone()).or_insert(w);
            }
        }
        out.extend(last_over.into_values());
        out.extend(next.into_values());
        // Most recent first; ties by id, so the bytes are stable.
        out.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| id_of(a).cmp(&id_of(b))));
        let _ = self.windows.set(out.clone());
        Ok(out)
    }

    /// The maintenances `which` asks for, most recent first, at most [`LIST_LIMIT`].
    ///
    /// # Errors
    /// An error of the evaluator.
    pub fn maintenances(&self, which: Which) -> Result<Vec<Incident>, crate::engine::error::QueryError> {
        let comps = self.components()?;
        let mut out = Vec::new();
        for w in self.windows()?.iter().filter(|w| w.category == Kind::Maintenance) {
            let m = self.item(w, &comps);
            let keep = match which {
                Which::All => true,
                Which::Upcoming => m.status == "scheduled",
                Which::Active => m.status == "in_progress",
            };
            if keep {
                out.push(m);
            }
        }
        out.truncate(LIST_LIMIT);
        Ok(out)
    }

    /// The incidents, most recent first (`unresolved`: not yet over), at most [`LIST_LIMIT`].
    ///
    /// # Errors
    /// An error of the evaluator.
    pub fn incidents(&self, unresolved: bool) -> Result<Vec<Incident>, crate::engine::error::QueryError> {
        let comps = self.components()?;
        let mut out: Vec<Incident> = self
            .windows()?
            .iter()
            .filter(|w| w.category == Kind::Incident && fixed(w.start) <= self.o.now)
            .map(|w| self.item(w, &comps))
            .filter(|i| !unresolved || i.status != "resolved")
            .collect();
        out.truncate(LIST_LIMIT);
        Ok(out)
    }

    /// `summary.json`.
    ///
    /// # Errors
    /// An error of the evaluator.
    pub fn summary(&self) -> Result<Summary, crate::engine::error::QueryError> {
        let components = self.components()?;
        let mut scheduled = self.maintenances(Which::Active)?;
        scheduled.extend(self.maintenances(Which::Upcoming)?);
        Ok(Summary {
            page: self.page.clone(),
            status: Self::rollup(&components),
            components,
            incidents: self.incidents(true)?,
            scheduled_maintenances: scheduled,
        })
    }

    /// `status.json`.
    ///
    /// # Errors
    /// An error of the evaluator.
    pub fn status(&self) -> Result<StatusDoc, crate::engine::error::QueryError> {
        Ok(StatusDoc { page: self.page.clone(), status: Self::rollup(&self.components()?) })
    }

    /// One window as a maintenance or an incident.
    fn item(&self, w: &WindowInfo, comps: &[Component]) -> Incident {
        let now = self.o.now;
        let id = id_of(w);
        let ja = self.o.lang == Lang::Ja;
        let incident = w.category == Kind::Incident;
        let postponed = w.kind == WindowKind::Postponed;
        let (start, end) = (fixed(w.start), (!w.end_unknown).then(|| fixed(w.end)));
        let started = !postponed && start <= now;
        let over = !postponed && end.is_some_and(|e| e <= now);
        let status = match (incident, started, over) {
            (false, _, true) => "completed",
            (false, true, false) => "in_progress",
            (false, false, false) => "scheduled",
            (true, _, true) => "resolved",
            (true, _, false) => "investigating",
        };
        // The revisions known at `now`, each an update.
        let lineage = self.s.lineage_views().find(|l| l.uid() == w.uid);
        let mut updates = Vec::new();
        let mut created: Instant = fixed(w.known_from);
        if let Some(l) = lineage {
            let known: Vec<_> = l.trail().filter(|v| v.known_from() <= now).collect();
            if let Some(first) = known.first() {
                created = first.known_from();
            }
            for v in known {
                let note = v.note().map(|n| n.text(self.o.lang).to_string());
                let described = v.describe(DEFAULT_ZONE, self.o.lang);
                let head = words::statuspage_action(v.action(), ja);
                let mut body = head.to_string();
                match &described {
                    Some(d) => body.push_str(&words::statuspage_times(d, ja)),
                    None if v.action() == Action::Postpone => body.push_str(words::statuspage_sentence(ja, Sentence::DateTba)),
                    None => {}
                }
                if let Some(n) = note.filter(|n| !n.is_empty()) {
                    body.push_str(words::statuspage_sentence(ja, Sentence::Stop));
                    body.push_str(&n);
                }
                let by = v.by();
                body.push_str(&words::statuspage_by_notice(ja, by.title().text(self.o.lang)));
                let one_off = w.occurrence.is_none() && v.action() != Action::Postpone;
                let status = revision_status(incident, described.as_ref().filter(|_| one_off), v.known_from());
                updates.push((v.known_from(), status, body));
            }
        }
        // The start or the end passing is an update of its own unless a revision reported it.
        let reported = |s: &[&str]| updates.iter().any(|(_, st, _)| s.contains(st));
        let start_reported = reported(&["in_progress"]);
        let end_reported = updates.last().is_some_and(|(_, st, _)| matches!(*st, "completed" | "resolved"));
        if !incident && started && !start_reported {
            let body = words::statuspage_sentence(ja, Sentence::StartPassed);
            updates.push((start, "in_progress", body.to_string()));
        }
        if let (true, Some(e), false) = (over, end, end_reported) {
            let body = words::statuspage_sentence(ja, if w.end_approx { Sentence::ApproxEndPassed } else { Sentence::EndPassed });
            updates.push((e, if incident { "resolved" } else { "completed" }, body.to_string()));
        }
        updates.sort_by_key(|(t, _, _)| *t);
        let updated = updates.last().map_or(created, |(t, _, _)| *t);
        let incident_updates: Vec<Update> = updates
            .into_iter()
            .enumerate()
            .rev()
            .map(|(i, (t, status, body))| Update {
                id: format!("{id}#{}", i + 1),
                status: status.into(),
                body,
                incident_id: id.clone(),
                created_at: stamp(t),
                updated_at: stamp(t),
                display_at: stamp(t),
            })
            .collect();
        let name = w.title.clone().unwrap_or_else(|| w.notice_title.clone());
        let base = self.o.base_url.as_deref().unwrap_or("").trim_end_matches('/');
        let shortlink = format!("{base}/notices/{}?lang={}", w.notice, self.o.lang.code());
        // The functions it affects (those it names, those below them, less those stated to
        // stay available), by the evaluator's own definition.
        let cat = self.s.catalogue();
        let affects = |c: &Component| match (lineage, cat.function(&c.id)) {
            (Some(l), Some(f)) => l.affects(f),
            _ => w.functions.contains(&c.id),
        };
        let components = comps.iter().filter(|c| affects(c)).cloned().collect();
        let times = |t: Option<Instant>| Some(t.filter(|_| !postponed).map(stamp));
        Incident {
            id,
            name,
            status: status.into(),
            created_at: stamp(created),
            updated_at: stamp(updated),
            monitoring_at: None,
            resolved_at: end.filter(|_| over).map(stamp),
            impact: if incident { "major" } else { "maintenance" }.into(),
            shortlink,
            scheduled_for: (!incident).then(|| times(Some(start))).flatten(),
            scheduled_until: (!incident).then(|| times(end)).flatten(),
            started_at: incident.then(|| stamp(start)),
            page_id: self.page.id.clone(),
            incident_updates,
            components,
        }
    }
}

/// The status of a revision's update: the window as the revision describes it (`d`, for a
/// confirmed one-off window) at its publication `at` — over (`completed`, `resolved`),
/// started (`in_progress`) or not yet (`scheduled`); an incident not over is
/// `investigating`. Without a description (a cancellation, a postponement, a tentative day,
/// a standing rule), `scheduled` or `investigating`.
fn revision_status(incident: bool, d: Option<&WindowInfo>, at: Instant) -> &'static str {
    let Some(d) = d.filter(|d| d.kind == WindowKind::Confirmed) else {
        return if incident { "investigating" } else { "scheduled" };
    };
    let over = !d.end_unknown && fixed(d.end) <= at;
    match (incident, over, fixed(d.start) <= at) {
        (true, true, _) => "resolved",
        (true, false, _) => "investigating",
        (false, true, _) => "completed",
        (false, false, true) => "in_progress",
        (false, false, false) => "scheduled",
    }
}

/// With two or more providers, the providers are the component groups, as Atlassian documents
/// them (one level: a group's `components` are its members' ids, each member's `group_id` is
/// the group's): one group `provider:<id>` per provider, after the functions, holding its
/// functions; the functions' own parent-child groups give way. A group's status is its
/// members' worst (`major_outage`, `under_maintenance`, `operational`).
fn provider_groups(out: &mut Vec<Component>, cat: &crate::engine::model::Catalogue, lang: Lang) {
    let rank = |s: &str| match s {
        "major_outage" => 2,
        "under_maintenance" => 1,
        _ => 0,
    };
    let group_id = |p: &crate::engine::model::Provider| format!("provider:{}", p.id());
    let of = |id: &str| cat.function(id).and_then(|f| cat.functions()[f].provider());
    let page_id = out.first().map(|c| c.page_id.clone()).unwrap_or_default();
    let updated_at = out.first().and_then(|c| c.updated_at.clone());
    for c in out.iter_mut() {
        c.group = false;
        c.components = None;
        c.group_id = of(&c.id).and_then(|p| cat.providers().get(p)).map(group_id);
    }
    let mut groups = Vec::new();
    for (i, p) in cat.providers().iter().enumerate() {
        let members: Vec<&Component> = out.iter().filter(|c| of(&c.id) == Some(i)).collect();
        if members.is_empty() {
            continue;
        }
        let status = members.iter().map(|c| c.status.as_str()).max_by_key(|s| rank(s)).unwrap_or("operational");
        let other = match lang {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        };
        groups.push(Component {
            id: group_id(p),
            name: p.label(lang).into(),
            status: status.into(),
            created_at: None,
            updated_at: updated_at.clone(),
            position: out.len() + groups.len() + 1,
            description: Some(p.label(other).to_string()),
            showcase: true,
            start_date: None,
            group_id: None,
            page_id: page_id.clone(),
            group: true,
            only_show_if_degraded: false,
            components: Some(members.iter().map(|c| c.id.clone()).collect()),
        });
    }
    out.extend(groups);
}

/// A window's id in these documents: its uid, and for one night of a standing rule the date.
fn id_of(w: &WindowInfo) -> String {
    match w.occurrence {
        Some(d) => format!("{}@{d}", w.uid),
        None => w.uid.clone(),
    }
}
