//! The per-thread caches that keep `/v1/availability` near the framework's ceiling
//! (`docs/architecture.md`, "Request path"): answers about "now" for the current second, and
//! answer templates filled in with their own `at` and `as_of`.

use super::validators::Prepared;
use crate::engine::time::Instant;
use std::sync::Arc;

/// Answers about "now" are identical within one second (instants are whole seconds), so
/// each worker thread keeps them per query string for the second and schedule they were
/// made for. Per thread, so hits take no lock and share no cache line.
pub(crate) struct AnswerCache;

type Answers = (Option<Arc<crate::server::Loaded>>, i64, std::collections::HashMap<Box<str>, Prepared>);

thread_local! {
    static ANSWERS: std::cell::RefCell<Answers> = std::cell::RefCell::new((None, 0, std::collections::HashMap::new()));
}

impl AnswerCache {
    const MAX_ENTRIES: usize = 4096;

    pub(crate) fn get(key: &str, loaded: &Arc<crate::server::Loaded>, second: i64) -> Option<Prepared> {
        ANSWERS.with(|c| {
            let c = c.borrow();
            if c.1 == second && c.0.as_ref().is_some_and(|l| Arc::ptr_eq(l, loaded)) {
                c.2.get(key).cloned()
            } else {
                None
            }
        })
    }

    pub(crate) fn put(key: &str, loaded: &Arc<crate::server::Loaded>, second: i64, p: Prepared) {
        ANSWERS.with(|c| {
            let mut c = c.borrow_mut();
            if c.1 != second || !c.0.as_ref().is_some_and(|l| Arc::ptr_eq(l, loaded)) || c.2.len() >= Self::MAX_ENTRIES {
                c.2.clear();
                c.0 = Some(loaded.clone());
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

type TemplateMap = (Option<Arc<crate::server::Loaded>>, std::collections::HashMap<Box<[u8]>, Template>);

thread_local! {
    static TEMPLATES: std::cell::RefCell<TemplateMap> = std::cell::RefCell::new((None, std::collections::HashMap::new()));
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
            c.0.as_ref().filter(|l| Arc::ptr_eq(l, loaded)).and_then(|_| c.1.get(key).cloned())
        })
    }

    pub(crate) fn put(key: Vec<u8>, loaded: &Arc<crate::server::Loaded>, t: Template) {
        TEMPLATES.with(|c| {
            let mut c = c.borrow_mut();
            if !c.0.as_ref().is_some_and(|l| Arc::ptr_eq(l, loaded)) || c.1.len() >= Self::MAX_ENTRIES {
                c.1.clear();
                c.0 = Some(loaded.clone());
            }
            c.1.insert(key.into(), t);
        });
    }
}
