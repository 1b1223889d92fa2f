//! The caches (`docs/architecture.md`, "Request path"): per thread, answers about "now" for
//! the current second and answer templates filled in with their own `at` and `as_of` (they
//! keep `/v1/availability` near the framework's ceiling); per schedule generation, the feeds'
//! tags and bodies by parameters and epoch (`Feeds`) and window lists about fixed instants
//! (`Lists`), so a conditional request is answered without building the body.

use super::validators::Prepared;
use crate::engine::time::Instant;
use std::sync::Arc;

/// Answers about "now" are identical within one second (instants are whole seconds), so
/// each worker thread keeps them per query string for the second and schedule they were
/// made for. Per thread, so hits take no lock and share no cache line.
pub(crate) struct AnswerCache;

/// The schedule a cache's entries were made from, held weakly: a strong pointer in an idle
/// worker thread's cache would keep a replaced schedule alive until that thread's next
/// request (six reloads at N = 10,000 held 400 MB that way).
type Owner = std::sync::Weak<crate::server::Loaded>;

fn owned_by(owner: &Owner, loaded: &Arc<crate::server::Loaded>) -> bool {
    // While `owner` lives, its allocation does too, so no other schedule can have its address.
    std::ptr::eq(owner.as_ptr(), Arc::as_ptr(loaded))
}

type Answers = (Owner, i64, std::collections::HashMap<Box<str>, Prepared>);

thread_local! {
    static ANSWERS: std::cell::RefCell<Answers> = std::cell::RefCell::new((Owner::new(), 0, std::collections::HashMap::new()));
}

impl AnswerCache {
    const MAX_ENTRIES: usize = 4096;

    pub(crate) fn get(key: &str, loaded: &Arc<crate::server::Loaded>, second: i64) -> Option<Prepared> {
        ANSWERS.with(|c| {
            let c = c.borrow();
            if c.1 == second && owned_by(&c.0, loaded) {
                c.2.get(key).cloned()
            } else {
                None
            }
        })
    }

    pub(crate) fn put(key: &str, loaded: &Arc<crate::server::Loaded>, second: i64, p: Prepared) {
        ANSWERS.with(|c| {
            let mut c = c.borrow_mut();
            if c.1 != second || !owned_by(&c.0, loaded) || c.2.len() >= Self::MAX_ENTRIES {
                c.2.clear();
                c.0 = Arc::downgrade(loaded);
                c.1 = second;
            }
            c.2.insert(key.into(), p);
        });
    }
}

/// The JSON of an answer with the places of its `at` and `as_of` marked, so that another
/// question meaning the same (equal `engine::answer::Evaluated` keys: the same function,
/// windows, `until`, children and statements, asked in the same zone and language) is
/// answered by filling in its own two instants instead of describing and serializing
/// windows again.
#[derive(Clone)]
pub(crate) struct Template {
    body: axum::body::Bytes,
    /// Where `at` and `as_of` are written, and how long each is.
    at: (usize, usize),
    as_of: (usize, usize),
    /// The answer's validator hash and `until`, which do not depend on `at` or `as_of`.
    pub(crate) hash: u64,
    pub(crate) until: Option<Instant>,
}

/// An instant as the answers' JSON writes it, without the quotes.
pub(crate) fn json_instant(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    let quoted = serde_json::to_string(t).unwrap_or_default();
    quoted.trim_matches('"').to_string()
}

impl Template {
    /// Marks `body`, the pretty JSON of one answer whose `at` and `as_of` are written `at`
    /// and `as_of`; `None` when they are not where a top-level field is.
    pub(crate) fn of(body: &axum::body::Bytes, at: &str, as_of: &str, hash: u64, until: Option<Instant>) -> Option<Template> {
        // Pretty JSON indents the answer's own fields by two spaces and nothing else by two.
        let place = |key: &str, value: &str| {
            let needle = format!("\n  \"{key}\": \"{value}\"");
            let i = body.windows(needle.len()).position(|w| w == needle.as_bytes())?;
            Some((i + needle.len() - 1 - value.len(), value.len()))
        };
        Some(Template { at: place("at", at)?, as_of: place("as_of", as_of)?, body: body.clone(), hash, until })
    }

    /// The body with `at` and `as_of` written in; `None` when either is not as long as the
    /// one it replaces (an offset with seconds, say).
    pub(crate) fn fill(&self, at: &str, as_of: &str) -> Option<axum::body::Bytes> {
        if self.at.1 != at.len() || self.as_of.1 != as_of.len() {
            return None;
        }
        let mut v = self.body.to_vec();
        v[self.at.0..self.at.0 + at.len()].copy_from_slice(at.as_bytes());
        v[self.as_of.0..self.as_of.0 + as_of.len()].copy_from_slice(as_of.as_bytes());
        Some(v.into())
    }
}

/// Each worker thread's answer templates for the schedule they were made with, keyed by
/// the exact bytes of what the answer says (never a hash of them, so two meanings never
/// share a template).
pub(crate) struct Templates;

type TemplateMap = (Owner, std::collections::HashMap<Box<[u8]>, Template>);

thread_local! {
    static TEMPLATES: std::cell::RefCell<TemplateMap> = std::cell::RefCell::new((Owner::new(), std::collections::HashMap::new()));
}

/// A `Hasher` that keeps the bytes it is fed: the key of a template.
#[derive(Default)]
pub(crate) struct KeyBytes(pub(crate) Vec<u8>);

impl std::hash::Hasher for KeyBytes {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        0
    }
}

impl Templates {
    const MAX_ENTRIES: usize = 4096;

    pub(crate) fn get(key: &[u8], loaded: &Arc<crate::server::Loaded>) -> Option<Template> {
        TEMPLATES.with(|c| {
            let c = c.borrow();
            if owned_by(&c.0, loaded) {
                c.1.get(key).cloned()
            } else {
                None
            }
        })
    }

    pub(crate) fn put(key: Vec<u8>, loaded: &Arc<crate::server::Loaded>, t: Template) {
        TEMPLATES.with(|c| {
            let mut c = c.borrow_mut();
            if !owned_by(&c.0, loaded) || c.1.len() >= Self::MAX_ENTRIES {
                c.1.clear();
                c.0 = Arc::downgrade(loaded);
            }
            c.1.insert(key.into(), t);
        });
    }
}

/// See [`Feeds::epoch`].
fn epoch_of(turns: &[Instant], now: Instant) -> Instant {
    let day = now.date_naive().and_hms_opt(0, 0, 0).map_or(now, |d| Instant::new(d.and_utc()));
    let i = turns.partition_point(|t| *t <= now);
    i.checked_sub(1).map_or(day, |i| turns[i].max(day))
}

/// The feeds made for the schedule serving, shared by every thread: each feed's validator
/// (the hash its `ETag` shows) by what it was asked with, and the latest bodies up to a
/// byte budget. A conditional request whose validator is known is answered without making
/// the feed; a body is made once per schedule, parameters and feed epoch (see
/// [`Feeds::epoch`]) while it stays in the budget.
pub(crate) struct Feeds;

struct FeedStore {
    /// The schedule the entries were made from; a weak pointer, so a reload frees the old
    /// schedule at once (a strong one would keep both until the next feed request).
    owner: std::sync::Weak<crate::server::Loaded>,
    /// Per profile (plain, maintnote), when the feed changes with its `now`.
    turns: [Option<Arc<Vec<Instant>>>; 2],
    tags: std::collections::HashMap<Box<str>, u64>,
    bodies: std::collections::VecDeque<(Box<str>, axum::body::Bytes)>,
    bytes: usize,
}

static FEEDS: std::sync::Mutex<Option<FeedStore>> = std::sync::Mutex::new(None);

impl Feeds {
    /// Bodies kept at most, in bytes: two full feeds of a 10,000-notice schedule.
    const MAX_BODY_BYTES: usize = 48 << 20;
    const MAX_TAGS: usize = 4096;

    fn with<T>(loaded: &Arc<crate::server::Loaded>, f: impl FnOnce(&mut FeedStore) -> T) -> T {
        let mut guard = FEEDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mine = guard.as_ref().is_some_and(|s| owned_by(&s.owner, loaded));
        if !mine {
            *guard = Some(FeedStore {
                owner: Arc::downgrade(loaded),
                turns: [None, None],
                tags: std::collections::HashMap::new(),
                bodies: std::collections::VecDeque::new(),
                bytes: 0,
            });
        }
        f(guard.as_mut().expect("just set"))
    }

    /// The start of the feed epoch `now` is in: the later of 00:00 UTC that day and the
    /// latest turn (`views::ical::feed_turns`) at or before `now`. A feed made with this
    /// instant as its `now` is the feed of any instant of the epoch: no turn lies between.
    /// The day bound keeps the horizons the feed draws from its `now` moving.
    pub(crate) fn epoch(loaded: &Arc<crate::server::Loaded>, profile: crate::views::maintnote::Profile, now: Instant) -> Instant {
        let p = usize::from(profile == crate::views::maintnote::Profile::Maintnote);
        let turns = Feeds::with(loaded, |s| s.turns[p].clone());
        let turns = turns.unwrap_or_else(|| {
            // Computed outside the lock (a walk over every window), then shared.
            let t = Arc::new(crate::views::ical::feed_turns(&loaded.schedule, profile));
            Feeds::with(loaded, |s| s.turns[p].get_or_insert(t).clone())
        });
        epoch_of(&turns, now)
    }

    /// The validator and, when still kept, the body of the feed filed under `key`.
    pub(crate) fn get(loaded: &Arc<crate::server::Loaded>, key: &str) -> (Option<u64>, Option<axum::body::Bytes>) {
        Feeds::with(loaded, |s| (s.tags.get(key).copied(), s.bodies.iter().find(|(k, _)| &**k == key).map(|(_, b)| b.clone())))
    }

    /// Forgets the bodies, keeping the validators, as a full budget would.
    #[cfg(test)]
    pub(crate) fn drop_bodies(loaded: &Arc<crate::server::Loaded>) {
        Feeds::with(loaded, |s| {
            s.bodies.clear();
            s.bytes = 0;
        });
    }

    /// Files a feed made from `loaded`; the oldest bodies leave when the budget is full.
    pub(crate) fn put(loaded: &Arc<crate::server::Loaded>, key: &str, hash: u64, body: &axum::body::Bytes) {
        Feeds::with(loaded, |s| {
            if s.tags.len() >= Feeds::MAX_TAGS {
                s.tags.clear();
            }
            s.tags.insert(key.into(), hash);
            if s.bodies.iter().any(|(k, _)| &**k == key) || body.len() > Feeds::MAX_BODY_BYTES {
                return;
            }
            while s.bytes + body.len() > Feeds::MAX_BODY_BYTES {
                let Some((_, old)) = s.bodies.pop_front() else { break };
                s.bytes -= old.len();
            }
            s.bytes += body.len();
            s.bodies.push_back((key.into(), body.clone()));
        });
    }
}

/// Drops the feeds and lists kept for a schedule no longer serving (its last reader gone):
/// a reload calls it after the swap, so that their bodies (tens of MB for a large schedule)
/// are freed then, not at the next feed or list request.
pub(crate) fn forget_replaced() {
    let mut feeds = FEEDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if feeds.as_ref().is_some_and(|s| s.owner.strong_count() == 0) {
        *feeds = None;
    }
    drop(feeds);
    let mut lists = LISTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if lists.as_ref().is_some_and(|s| s.0.strong_count() == 0) {
        *lists = None;
    }
}

/// `/v1/windows` lists asked about fixed instants (`from` and `as_of` given), shared by every
/// thread for the schedule serving: the body, its validator hash and the earliest end of a
/// listed window, by the resolved question. A conditional request for a list already made
/// is answered without listing again.
pub(crate) struct Lists;

type ListEntry = (axum::body::Bytes, u64, Option<Instant>);
type ListStore = (std::sync::Weak<crate::server::Loaded>, std::collections::HashMap<Box<str>, ListEntry>, usize);

static LISTS: std::sync::Mutex<Option<ListStore>> = std::sync::Mutex::new(None);

impl Lists {
    /// Bytes of bodies kept at most; past it the store starts again empty.
    const MAX_BYTES: usize = 16 << 20;

    fn with<T>(loaded: &Arc<crate::server::Loaded>, f: impl FnOnce(&mut ListStore) -> T) -> T {
        let mut guard = LISTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !guard.as_ref().is_some_and(|s| owned_by(&s.0, loaded)) {
            *guard = Some((Arc::downgrade(loaded), std::collections::HashMap::new(), 0));
        }
        f(guard.as_mut().expect("just set"))
    }

    pub(crate) fn get(loaded: &Arc<crate::server::Loaded>, key: &str) -> Option<ListEntry> {
        Lists::with(loaded, |s| s.1.get(key).cloned())
    }

    pub(crate) fn put(loaded: &Arc<crate::server::Loaded>, key: &str, entry: ListEntry) {
        Lists::with(loaded, |s| {
            if s.2 + entry.0.len() > Lists::MAX_BYTES {
                s.1.clear();
                s.2 = 0;
            }
            s.2 += entry.0.len();
            s.1.insert(key.into(), entry);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::ical::{feed_as, feed_turns, FeedOptions};
    use crate::views::maintnote::Profile;

    /// Whether a kept store belongs to a schedule no longer alive (what a reload drops).
    fn dead_store_kept() -> bool {
        let feeds = FEEDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref().is_some_and(|s| s.owner.strong_count() == 0);
        let lists = LISTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref().is_some_and(|s| s.0.strong_count() == 0);
        feeds || lists
    }

    #[test]
    fn a_reload_drops_the_feeds_and_lists_of_the_schedule_it_replaced() {
        let st = crate::server::AppState::new(crate::server::Config::default()).expect("embedded schedules load");
        let loaded = st.current();
        let body = axum::body::Bytes::from(vec![b'x'; 1 << 20]);
        Feeds::put(&loaded, "k", 1, &body);
        Lists::put(&loaded, "k", (body, 1, None));
        drop(loaded);
        st.reload().expect("reloads");
        // (Other tests share the stores and may fill them again for their own live schedule.)
        assert!(!dead_store_kept(), "the replaced schedule's feeds or lists are still kept");
    }

    /// A feed made at the start of an epoch is the feed of every instant in it: the turns
    /// name every instant at which the feed changes with its `now` (on schedules in Tokyo,
    /// where the horizons drawn from `now` meet no zone transition).
    #[test]
    fn a_feed_made_at_its_epoch_start_is_the_feed_of_the_whole_epoch() {
        let generated = crate::Schedule::from_sources(crate::synth::notices(40, 11)).expect("synthetic loads");
        for s in [crate::Schedule::embedded().expect("seeds"), generated] {
            for profile in [Profile::Plain, Profile::Maintnote] {
                let turns = feed_turns(&s, profile);
                assert!(!turns.is_empty(), "the schedules have windows whose feed entries turn");
                let feed = |now: Instant| {
                    let opts =
                        FeedOptions { function: None, lang: crate::Lang::En, now, refresh: chrono::Duration::hours(1), base_url: None };
                    feed_as(&s, &opts, profile).expect("feed")
                };
                // At most 10 turns, spread over the list: a second before each, at it, and hours after.
                let step = turns.len().div_ceil(10);
                let mut instants: Vec<Instant> = turns
                    .iter()
                    .step_by(step)
                    .flat_map(|t| [*t - chrono::Duration::seconds(1), *t, *t + chrono::Duration::hours(7)])
                    .collect();
                let mut t = chrono::DateTime::from_timestamp(1_546_300_800, 0).expect("2019");
                while t.timestamp() < 2_200_000_000 {
                    instants.push(t.into());
                    t += chrono::Duration::days(211) + chrono::Duration::seconds(3_607);
                }
                for now in instants {
                    let epoch = epoch_of(&turns, now);
                    assert!(epoch <= now && now - epoch < chrono::Duration::days(1), "{now}: epoch {epoch}");
                    assert!(feed(now) == feed(epoch), "{profile:?}: the feed at {now} differs from the one at its epoch start {epoch}");
                }
                // The turns are real: the feed changes at some of them, so the test can fail.
                let changed = turns.iter().step_by(step).filter(|t| feed(**t - chrono::Duration::seconds(1)) != feed(**t)).count();
                assert!(changed > 0, "{profile:?}: the feed does change with now somewhere, so the test can fail");
            }
        }
    }
}
