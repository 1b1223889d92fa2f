//! The compiled form of a schedule: the validated model (`mado compile DIR -o FILE`), read
//! back without parsing TOML or re-checking the notices. A large schedule (10,000 notices)
//! loads from it in a fraction of the time the TOML takes (docs/engineering.md, "Scale").
//!
//! A file is a header and a [postcard] payload:
//!
//! | bytes | what |
//! |---|---|
//! | 16 | [`MAGIC`] |
//! | 4 | [`FORMAT`], little-endian |
//! | 2 + n | the mado version that wrote it (`CARGO_PKG_VERSION`) |
//! | 8 | the sources' content hash (`Schedule::content_hash`) |
//! | 4 + n | the directory it was compiled from, as given (may be empty) |
//! | 8 | payload length |
//! | 4 | CRC-32 of everything before it and of the payload |
//! | n | payload: the catalogue; the notices, delays and load warnings; the windows, in two runs |
//!
//! In the payload each section after the catalogue but the last comes after its length (8
//! bytes, little-endian), so that a reader finds the second run of windows without decoding
//! what comes before it: a large file's windows are read, checked and indexed on two threads.
//!
//! A file written by another format or mado version, or whose checksum does not match, is
//! refused: when the directory it names is there, its TOML is read instead and a warning
//! says why; otherwise the load fails naming the file and the reason. The evaluator's index
//! is not stored: it is rebuilt from the model, so it can never disagree with it.

use crate::engine::eval::{Occurrences, Schedule};
use crate::engine::model::{Bilingual, Catalogue, Channel, Delay, Function, Lineage, Notice, NoticeEffect, Provider};
use crate::format::error::{Diagnostic, LoadError};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The first bytes of every compiled file.
pub const MAGIC: &[u8; 16] = b"mado-compiled\0\0\x01";
/// The payload's layout version: raised whenever a model type changes shape.
pub const FORMAT: u32 = 2;
/// The mado version and the hash of the model's source files (build.rs): two builds of one
/// version whose model types differ do not read each other's files.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+model.", env!("MADO_MODEL_HASH"));

#[derive(Serialize, Deserialize)]
struct FunctionRow {
    id: String,
    ja: String,
    en: String,
    aliases: Vec<String>,
    parent: Option<usize>,
    provider: Option<usize>,
}

#[derive(Serialize, Deserialize)]
struct ProviderRow {
    id: String,
    ja: String,
    en: String,
    #[serde(with = "zone")]
    zone: Tz,
    url: Option<String>,
    channels: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct ChannelRow {
    id: String,
    ja: String,
    en: String,
    #[serde(with = "shared_effect")]
    default: Arc<NoticeEffect>,
}

/// The catalogue as rows: its model types serialize for the JSON answers (fields left out),
/// so the compiled form keeps its own complete copy of their fields.
#[derive(Serialize, Deserialize)]
struct CatalogueRows {
    providers: Vec<ProviderRow>,
    functions: Vec<FunctionRow>,
    channels: Vec<ChannelRow>,
}

impl CatalogueRows {
    fn of(c: &Catalogue) -> CatalogueRows {
        CatalogueRows {
            providers: c
                .providers
                .iter()
                .map(|p| ProviderRow {
                    id: p.id.clone(),
                    ja: p.ja.clone(),
                    en: p.en.clone(),
                    zone: p.zone,
                    url: p.url.clone(),
                    channels: p.channels.clone(),
                })
                .collect(),
            functions: c
                .functions
                .iter()
                .map(|f| FunctionRow {
                    id: f.id.clone(),
                    ja: f.ja.clone(),
                    en: f.en.clone(),
                    aliases: f.aliases.clone(),
                    parent: f.parent,
                    provider: f.provider,
                })
                .collect(),
            channels: c
                .channels
                .iter()
                .map(|ch| ChannelRow { id: ch.id.clone(), ja: ch.ja.clone(), en: ch.en.clone(), default: ch.default.clone() })
                .collect(),
        }
    }

    fn into_catalogue(self) -> Catalogue {
        let mut cat = Catalogue {
            providers: self
                .providers
                .into_iter()
                .map(|p| Provider { id: p.id, ja: p.ja, en: p.en, zone: p.zone, url: p.url, channels: p.channels, channel_mask: 0 })
                .collect(),
            functions: self
                .functions
                .into_iter()
                .map(|f| Function { id: f.id, ja: f.ja, en: f.en, aliases: f.aliases, parent: f.parent, provider: f.provider })
                .collect(),
            channels: self.channels.into_iter().map(|c| Channel { id: c.id, ja: c.ja, en: c.en, default: c.default }).collect(),
            default_candidates: Vec::new(),
        };
        cat.finish_channels();
        cat
    }
}

/// The notices, delays and load warnings: the payload's first section after the catalogue.
#[derive(Serialize)]
struct HeadRef<'a> {
    notices: &'a [Notice],
    delays: &'a [Delay],
    warnings: &'a [Diagnostic],
}

#[derive(Deserialize)]
struct Head {
    notices: Vec<Notice>,
    delays: Vec<Delay>,
    warnings: Vec<Diagnostic>,
}

/// The share of the windows in the payload's first run, as (numerator, denominator): this
/// thread reads the notices and the first run while a second thread reads the second. The
/// notices cost about a fifth of the whole, so two fifths of the windows even the two out
/// (a profile of `mado check` at 10,000 notices: docs/engineering.md, "Scale").
const FIRST_RUN: (usize, usize) = (2, 5);
/// A second run of windows shorter than this (in bytes) is read on the same thread: starting
/// a thread would cost more than it saves.
const PARALLEL_FROM: usize = 64 * 1024;

/// How many threads a decoding may use. `mado check` and the other commands read on two:
/// they wait for the schedule. A server reads on one: its start and reloads are not waited
/// on by requests, and a second thread allocates in an arena of its own, which a reload
/// leaves fragmented (at 10,000 notices, six reloads of a compiled file left 26–32 MB with
/// one thread and 32–33 MB with two, and peaked at 39–43 MB against 43–44; start to
/// `/healthz` took about 3 ms longer: `bench/reload_rss.sh`, docs/engineering.md, "Scale").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Threads {
    One,
    Two,
}

/// The compiled form of `schedule`, naming `source_dir` as where its TOML is (read instead
/// when the file turns out stale).
///
/// # Errors
/// Only if the model cannot be encoded, which would be a bug: the message says what failed.
pub fn compile(schedule: &Schedule, source_dir: Option<&Path>) -> Result<Vec<u8>, String> {
    let (lineages, delays) = schedule.compiled_parts();
    let head = HeadRef { notices: schedule.notices(), delays, warnings: schedule.load_warnings() };
    let mut body = postcard::to_allocvec(&CatalogueRows::of(schedule.catalogue())).map_err(|e| format!("encoding the catalogue: {e}"))?;
    let split = lineages.len() * FIRST_RUN.0 / FIRST_RUN.1;
    let sections = candidate_effect::with_defaults(schedule.catalogue(), || -> Result<[Vec<u8>; 3], postcard::Error> {
        Ok([postcard::to_allocvec(&head)?, postcard::to_allocvec(&lineages[..split])?, postcard::to_allocvec(&lineages[split..])?])
    })
    .map_err(|e| format!("encoding the schedule: {e}"))?;
    // Each section but the last after its length, so that a reader can find the runs of
    // windows without decoding what comes before them.
    for (i, section) in sections.iter().enumerate() {
        if i + 1 < sections.len() {
            body.extend_from_slice(&(section.len() as u64).to_le_bytes());
        }
        body.extend_from_slice(section);
    }
    let dir = source_dir.map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    let mut out = Vec::with_capacity(body.len() + 64 + dir.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(VERSION.len() as u16).to_le_bytes());
    out.extend_from_slice(VERSION.as_bytes());
    out.extend_from_slice(&schedule.content_hash().to_le_bytes());
    out.extend_from_slice(&(dir.len() as u32).to_le_bytes());
    out.extend_from_slice(dir.as_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&out);
    crc.update(&body);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Whether `bytes` start like a compiled schedule.
pub fn is_compiled(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC[..13])
}

/// What a compiled file's header says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    /// [`FORMAT`] of the writer.
    format: u32,
    /// The mado version that wrote it.
    version: String,
    /// The sources' content hash.
    content_hash: u64,
    /// The directory it was compiled from (empty: not recorded).
    source_dir: String,
}

/// A file that is not a compiled schedule this mado can read: why, and (when the header
/// could be read) what it says.
#[derive(Debug)]
struct Refused {
    why: String,
    header: Option<Header>,
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Some(head)
}

fn header(bytes: &mut &[u8]) -> Option<(Header, usize, u32)> {
    take(bytes, MAGIC.len())?;
    let format = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?);
    let vlen = u16::from_le_bytes(take(bytes, 2)?.try_into().ok()?) as usize;
    let version = String::from_utf8(take(bytes, vlen)?.to_vec()).ok()?;
    let content_hash = u64::from_le_bytes(take(bytes, 8)?.try_into().ok()?);
    let dlen = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?) as usize;
    let source_dir = String::from_utf8(take(bytes, dlen)?.to_vec()).ok()?;
    let len = usize::try_from(u64::from_le_bytes(take(bytes, 8)?.try_into().ok()?)).ok()?;
    let crc = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?);
    Some((Header { format, version, content_hash, source_dir }, len, crc))
}

fn decode(bytes: &[u8], threads: Threads) -> Result<Schedule, Refused> {
    if !is_compiled(bytes) {
        return Err(Refused {
            why: "is not a compiled mado schedule (it does not start with the `mado-compiled` header); give a schedules directory or a file `mado compile` wrote".into(),
            header: None,
        });
    }
    let mut rest = bytes;
    let Some((h, len, crc)) = header(&mut rest) else {
        return Err(Refused { why: "has a cut-off header; run `mado compile` again".into(), header: None });
    };
    if h.format != FORMAT || h.version != VERSION {
        let why = format!(
            "was written by mado {} (compiled format {}); this is mado {VERSION} (format {FORMAT}); run `mado compile` again",
            h.version, h.format
        );
        return Err(Refused { why, header: Some(h) });
    }
    if rest.len() != len {
        let why = format!(
            "is {} bytes long where its header says {}: cut off or appended to; run `mado compile` again",
            bytes.len(),
            bytes.len() - rest.len() + len
        );
        return Err(Refused { why, header: Some(h) });
    }
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&bytes[..bytes.len() - rest.len() - 4]);
    hasher.update(rest);
    let actual = hasher.finalize();
    if actual != crc {
        let why = format!("is damaged: its checksum is {actual:08x}, its header says {crc:08x}; run `mado compile` again");
        return Err(Refused { why, header: Some(h) });
    }
    let (rows, rest) = postcard::take_from_bytes::<CatalogueRows>(rest).map_err(|e| Bad::Decode(e).refused(&h))?;
    let catalogue = rows.into_catalogue();
    check_catalogue(&catalogue).map_err(|why| Bad::Invalid(why).refused(&h))?;
    let mut rest = rest;
    let (Some(head), Some(first)) = (section(&mut rest), section(&mut rest)) else {
        return Err(Bad::Invalid("a section's length".into()).refused(&h));
    };
    let second = rest;
    let cat = &catalogue;
    let (head, first, second) = if threads == Threads::Two && second.len() >= PARALLEL_FROM {
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new().name("mado-decode".into()).spawn_scoped(scope, move || windows(cat, second));
            let head = read_head(cat, head);
            let first = windows(cat, first);
            let second = match other {
                Ok(thread) => thread.join().unwrap_or_else(|_| Err(Bad::Invalid("a run of windows".into()))),
                Err(_) => windows(cat, second),
            };
            (head, first, second)
        })
    } else {
        (read_head(cat, head), windows(cat, first), windows(cat, second))
    };
    let refused = |b: Bad| b.refused(&h);
    let head = head.map_err(refused)?;
    let first = first.map_err(refused)?;
    let second = second.map_err(|b| b.after(first.lineages.len()).refused(&h))?;
    check_rest(cat, &head, first.notices_named.max(second.notices_named)).map_err(refused)?;
    let Windows { mut lineages, mut occurrences, .. } = first;
    occurrences.append(second.occurrences, lineages.len() as u32);
    lineages.extend(second.lineages);
    Ok(Schedule::with_occurrences(catalogue, head.notices, lineages, head.delays, occurrences).loaded(head.warnings, h.content_hash))
}

/// Why a decoded payload is refused.
enum Bad {
    Decode(postcard::Error),
    Invalid(String),
    /// Window `n` of a run (counted from the run's first), and what of it.
    Window(usize, &'static str),
}

impl Bad {
    /// The same, for a run whose first window is window `first` of the schedule.
    fn after(self, first: usize) -> Bad {
        match self {
            Bad::Window(n, what) => Bad::Window(n + first, what),
            other => other,
        }
    }
    fn refused(self, h: &Header) -> Refused {
        let why = match self {
            Bad::Decode(e) => format!("cannot be decoded ({e}); run `mado compile` again"),
            Bad::Invalid(what) => format!("does not hold a valid schedule ({what}); run `mado compile` again"),
            Bad::Window(n, what) => format!("does not hold a valid schedule (window {n}{what}); run `mado compile` again"),
        };
        Refused { why, header: Some(h.clone()) }
    }
}

/// A length-prefixed section of the payload.
fn section<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = usize::try_from(u64::from_le_bytes(take(rest, 8)?.try_into().ok()?)).ok()?;
    take(rest, len)
}

fn read_head(cat: &Catalogue, bytes: &[u8]) -> Result<Head, Bad> {
    candidate_effect::with_defaults(cat, || postcard::from_bytes(bytes)).map_err(Bad::Decode)
}

/// A run of windows, decoded, checked, and its occurrences built.
struct Windows {
    lineages: Vec<Lineage>,
    occurrences: Occurrences,
    /// One more than the highest notice index the run refers to (0: none).
    notices_named: usize,
}

fn windows(cat: &Catalogue, bytes: &[u8]) -> Result<Windows, Bad> {
    let lineages: Vec<Lineage> = candidate_effect::with_defaults(cat, || postcard::from_bytes(bytes)).map_err(Bad::Decode)?;
    let notices_named = check_lineages(cat, &lineages)?;
    let occurrences = Occurrences::of(cat, &lineages);
    Ok(Windows { lineages, occurrences, notices_named })
}

/// Reads a compiled file's bytes: a regular file only (a FIFO or device named as the
/// schedules is an error naming it, never a read that blocks).
///
/// # Errors
/// [`LoadError::Io`] when it cannot be read, [`LoadError::Invalid`] when it is not a regular file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let io = |error| LoadError::Io { path: path.display().to_string(), error };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(LoadError::Invalid(vec![Diagnostic {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            message: "is not a regular file; give a schedules directory or a file `mado compile` wrote".into(),
        }]));
    }
    std::fs::read(path).map_err(io)
}

// The checksum finds damage, not a file made to pass it: every index the evaluator will
// follow is checked before it is trusted, and every rule is read again from its text.

/// Whether the catalogue's indexes point at something, and its functions form a tree.
fn check_catalogue(cat: &Catalogue) -> Result<(), String> {
    let nf = cat.functions.len();
    if nf > 64 || cat.functions.iter().any(|f| f.parent.is_some_and(|q| q >= nf) || f.provider.is_some_and(|q| q >= cat.providers.len())) {
        return Err("the catalogue's functions".into());
    }
    for (i, f) in cat.functions.iter().enumerate() {
        // A parent comes before its child: the catalogue is a tree, not a cycle.
        if f.parent.is_some_and(|q| q >= i) {
            return Err(format!("function {i}'s parent"));
        }
    }
    Ok(())
}

/// Whether every index in a run of windows points at something in the catalogue, and every
/// rule is what its text says. Returns one more than the highest notice index the run
/// refers to, for the caller to check against the notices.
fn check_lineages(cat: &Catalogue, lineages: &[Lineage]) -> Result<usize, Bad> {
    let (nf, nc) = (cat.functions.len(), cat.channels.len());
    let fns = |list: &[usize]| list.iter().all(|&f| f < nf);
    let mut named = 0;
    for (li, l) in lineages.iter().enumerate() {
        let bad = || Bad::Window(li, "");
        if l.versions.is_empty() {
            return Err(bad());
        }
        named = named.max(l.notice + 1);
        for v in &l.versions {
            named = named.max(v.by_notice + 1);
            let mut spec = v.spec.as_ref();
            while let Some(s) = spec {
                if s.functions.is_empty() || !fns(&s.functions) || !fns(&s.available) || !s.effects.is_well_formed(nc) {
                    return Err(bad());
                }
                if s.effects.listed().iter().any(|e| e.scope.as_ref().is_some_and(|sc| !fns(sc))) {
                    return Err(bad());
                }
                if let crate::engine::model::Shape::Recurring { rule, .. } = &s.shape {
                    if crate::engine::rrule::Rule::parse(rule.text(), rule.dtstart(), rule.zone()).as_ref() != Ok(&**rule) {
                        return Err(Bad::Window(li, ": its rule"));
                    }
                }
                spec = s.earlier.as_deref();
            }
        }
        named = l.exceptions.iter().fold(named, |n, e| n.max(e.by_notice + 1));
    }
    Ok(named)
}

/// Whether the windows name only notices there are, and the delays only notices and
/// functions there are.
fn check_rest(cat: &Catalogue, head: &Head, notices_named: usize) -> Result<(), Bad> {
    let nn = head.notices.len();
    if notices_named > nn {
        return Err(Bad::Invalid("a window's notice".into()));
    }
    if head.delays.iter().any(|d| d.notice >= nn || d.functions.iter().any(|&f| f >= cat.functions.len())) {
        return Err(Bad::Invalid("a delay".into()));
    }
    Ok(())
}

/// The embedded schedules' compiled form, `src/format/embedded.mado`: written by the test
/// `the_embedded_compiled_form_is_current` (run it with `MADO_BLESS=1` after changing a
/// notice under `schedules/` or the model), which fails while the file is stale.
const EMBEDDED: &[u8] = include_bytes!("embedded.mado");

/// The embedded schedules, read from their compiled form when it was written by this build's
/// model from the embedded files as they are (whose content hash is `content_hash`); `None`
/// when it was not, and the caller reads their TOML.
pub(crate) fn embedded(content_hash: u64) -> Option<Schedule> {
    let mut rest = EMBEDDED;
    let (h, _, _) = header(&mut rest)?;
    if h.content_hash != content_hash {
        return None;
    }
    decode(EMBEDDED, Threads::One).ok()
}

/// Loads a compiled schedule from `bytes` read from `path`, with no fallback: a file that
/// is refused is an error naming it and why. What a server uses: a reload must never swap
/// in a directory's unreviewed TOML because the file beside it was damaged. Read on this
/// thread alone (see [`Threads`]).
///
/// # Errors
/// [`LoadError::Invalid`] naming `path` and why it was refused.
pub fn load_compiled_strict(path: &Path, bytes: &[u8]) -> Result<Schedule, LoadError> {
    decode(bytes, Threads::One).map_err(|Refused { why, .. }| {
        LoadError::Invalid(vec![Diagnostic { file: path.display().to_string(), line: 0, column: 0, message: why }])
    })
}

/// Loads a compiled schedule from `bytes` read from `path`. A stale, foreign-version or
/// damaged file whose source directory is there loads that directory's TOML instead, with
/// a warning (see `Schedule::warnings`) that names the file and why.
///
/// # Errors
/// [`LoadError::Invalid`] naming `path` and why it was refused, when there is no source
/// directory to read instead; the TOML's own errors when there is and it does not load.
pub fn load_compiled(path: &Path, bytes: &[u8]) -> Result<Schedule, LoadError> {
    match decode(bytes, Threads::Two) {
        Ok(s) => Ok(s),
        Err(Refused { why, header }) => {
            let name = path.display().to_string();
            let source = header.map(|h| PathBuf::from(h.source_dir)).filter(|d| !d.as_os_str().is_empty() && d.is_dir());
            match source {
                Some(dir) => {
                    let s = Schedule::from_dir(&dir)?;
                    let mut warnings = s.load_warnings().to_vec();
                    warnings.insert(
                        0,
                        Diagnostic {
                            file: name,
                            line: 0,
                            column: 0,
                            message: format!("{why}; reading the TOML under `{}` instead", dir.display()),
                        },
                    );
                    let hash = s.content_hash();
                    Ok(s.loaded(warnings, hash))
                }
                None => Err(LoadError::Invalid(vec![Diagnostic { file: name, line: 0, column: 0, message: why }])),
            }
        }
    }
}

/// A candidate's effect: a catalogue default as the index of its channel, shared with the
/// decoded catalogue's one copy when read; any other effect as its fields. serde passes no
/// context to a field, so the catalogue's defaults are lent to it for the length of one
/// encoding or decoding on this thread.
pub(crate) mod candidate_effect {
    use super::*;
    use std::cell::RefCell;

    thread_local! {
        static DEFAULTS: RefCell<Vec<Arc<NoticeEffect>>> = const { RefCell::new(Vec::new()) };
    }

    /// Runs `f` with `cat`'s default effects at hand.
    pub(crate) fn with_defaults<T>(cat: &Catalogue, f: impl FnOnce() -> T) -> T {
        struct Clear;
        impl Drop for Clear {
            fn drop(&mut self) {
                DEFAULTS.with(|d| d.borrow_mut().clear());
            }
        }
        DEFAULTS.with(|d| *d.borrow_mut() = cat.channels.iter().map(|c| c.default.clone()).collect());
        let _clear = Clear;
        f()
    }

    #[derive(Deserialize)]
    enum Repr {
        Default(u32),
        Own(#[serde(with = "super::notice_effect")] NoticeEffect),
    }

    /// [`Repr`] as written: the same variants in the same order.
    #[derive(Serialize)]
    enum ReprRef<'a> {
        Default(u32),
        Own(#[serde(serialize_with = "own")] &'a NoticeEffect),
    }

    fn own<S: serde::Serializer>(e: &&NoticeEffect, s: S) -> Result<S::Ok, S::Error> {
        super::notice_effect::serialize(e, s)
    }

    pub(crate) fn serialize<S: serde::Serializer>(e: &Arc<NoticeEffect>, s: S) -> Result<S::Ok, S::Error> {
        let shared = DEFAULTS.with(|d| d.borrow().iter().position(|x| Arc::ptr_eq(x, e)));
        match shared {
            Some(c) => ReprRef::Default(c as u32).serialize(s),
            None => ReprRef::Own(e).serialize(s),
        }
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Arc<NoticeEffect>, D::Error> {
        match Repr::deserialize(d)? {
            Repr::Own(e) => Ok(Arc::new(e)),
            Repr::Default(c) => DEFAULTS
                .with(|d| d.borrow().get(c as usize).cloned())
                .ok_or_else(|| serde::de::Error::custom(format!("channel {c} has no default effect"))),
        }
    }
}

/// A catalogue default: its fields (the one copy every window taking it shares).
pub(crate) mod shared_effect {
    use super::*;
    pub(crate) fn serialize<S: serde::Serializer>(e: &Arc<NoticeEffect>, s: S) -> Result<S::Ok, S::Error> {
        super::notice_effect::serialize(e, s)
    }
    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Arc<NoticeEffect>, D::Error> {
        super::notice_effect::deserialize(d).map(Arc::new)
    }
}

/// A [`NoticeEffect`] with every field (its JSON form shows one language).
pub(crate) mod notice_effect {
    use super::*;
    type Fields = (Option<String>, Option<String>, Option<String>, Option<Bilingual>);
    pub(crate) fn serialize<S: serde::Serializer>(e: &NoticeEffect, s: S) -> Result<S::Ok, S::Error> {
        (&e.effect.error_code, &e.effect.page, &e.effect.message, &e.note).serialize(s)
    }
    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NoticeEffect, D::Error> {
        let (error_code, page, message, note) = Fields::deserialize(d)?;
        Ok(NoticeEffect { effect: crate::engine::model::Effect { error_code, page, message, note: None }, note })
    }
}

/// A zone by its IANA name.
pub(crate) mod zone {
    use super::*;
    pub(crate) fn serialize<S: serde::Serializer>(z: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(z.name())
    }
    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Tz;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an IANA zone name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Tz, E> {
                // Nearly every description names the zone the one before it did: compare
                // with that one before looking the name up among all zones.
                if let Some(z) = LAST.get().filter(|z| z.name() == v) {
                    return Ok(z);
                }
                let z: Tz = v.parse().map_err(|_| E::custom(format!("`{v}` is not a zone")))?;
                LAST.set(Some(z));
                Ok(z)
            }
        }
        d.deserialize_str(V)
    }

    thread_local! {
        static LAST: std::cell::Cell<Option<Tz>> = const { std::cell::Cell::new(None) };
    }
}

/// A duration as whole seconds and nanoseconds.
pub(crate) mod seconds {
    use super::*;
    use chrono::Duration;
    pub(crate) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        (d.num_seconds(), d.subsec_nanos()).serialize(s)
    }
    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let (secs, nanos) = <(i64, i32)>::deserialize(d)?;
        Duration::try_seconds(secs)
            .and_then(|s| s.checked_add(&Duration::nanoseconds(i64::from(nanos))))
            .ok_or_else(|| serde::de::Error::custom(format!("{secs} s is not a duration")))
    }
}

/// An optional duration, as [`seconds`].
pub(crate) mod seconds_opt {
    use super::*;
    use chrono::Duration;
    #[derive(Serialize, Deserialize)]
    struct W(#[serde(with = "super::seconds")] Duration);
    pub(crate) fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        d.map(W).serialize(s)
    }
    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates, of every description on every channel, that hold the catalogue's own copy
    /// of their channel's default effect; and how many descriptions list no candidate.
    fn shared(s: &Schedule) -> (usize, usize) {
        let (lineages, _) = s.compiled_parts();
        let cat = s.catalogue();
        let specs: Vec<&crate::engine::model::Spec> =
            lineages.iter().flat_map(|l| &l.versions).filter_map(|v| v.spec.as_ref()).flat_map(|s| s.parts()).collect();
        let shared = specs
            .iter()
            .flat_map(|s| (0..cat.channels.len()).flat_map(move |c| s.effects.on(c, cat).iter().map(move |e| (c, e))))
            .filter(|(c, e)| Arc::ptr_eq(&e.effect, &cat.channels[*c].default))
            .count();
        (shared, specs.iter().filter(|s| s.effects.listed().is_empty()).count())
    }

    #[test]
    fn default_effects_stay_one_copy_after_decoding() {
        // Decoding makes one effect per window; the catalogue's defaults must be shared again,
        // or the compiled form would cost memory per window that the TOML load does not.
        let s = Schedule::from_sources(crate::format::synth::notices(60, 3)).expect("loads");
        let back = load_compiled(Path::new("s.mado"), &compile(&s, None).expect("compiles")).expect("decodes");
        let (copies, defaults_only) = shared(&s);
        assert!(copies > 60, "{copies}");
        // Most windows take every default: they list nothing and allocate nothing for it.
        assert!(defaults_only > 30, "{defaults_only}");
        assert_eq!(shared(&s), shared(&back));
    }

    /// `bytes` with the header's checksum made right again (a file made to pass it).
    fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
        let mut rest: &[u8] = &bytes;
        let (_, len, _) = header(&mut rest).expect("header");
        let at = bytes.len() - len - 4;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&bytes[..at]);
        crc.update(&bytes[at + 4..]);
        let sum = crc.finalize().to_le_bytes();
        bytes[at..at + 4].copy_from_slice(&sum);
        bytes
    }

    /// The payload's sections after the catalogue of a compiled schedule: the head and the two
    /// runs of windows.
    fn sections(bytes: &[u8], cat: &Catalogue) -> (usize, usize, usize) {
        let mut rest: &[u8] = bytes;
        let (_, len, _) = header(&mut rest).expect("header");
        let payload = &bytes[bytes.len() - len..];
        let rows = postcard::to_allocvec(&CatalogueRows::of(cat)).expect("rows");
        let mut rest = &payload[rows.len()..];
        let head = section(&mut rest).expect("head").len();
        let first = section(&mut rest).expect("first run").len();
        (head, first, rest.len())
    }

    #[test]
    fn the_embedded_compiled_form_is_current() {
        let toml = Schedule::from_sources(crate::format::source::embedded_sources()).expect("the embedded TOML loads");
        let fresh = compile(&toml, None).expect("compiles");
        if std::env::var_os("MADO_BLESS").is_some() {
            // Written for the next build to embed; this build still holds the old bytes.
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/src/format/embedded.mado"), &fresh).expect("writes the compiled form");
            return;
        }
        assert!(
            fresh == EMBEDDED,
            "src/format/embedded.mado is not the compiled form of schedules/ by this build: run `MADO_BLESS=1 cargo test --lib embedded_compiled_form` and commit it"
        );
        // Current, it is what the embedded schedules load from; stale (another hash), it is not.
        let back = embedded(toml.content_hash()).expect("the current compiled form loads");
        assert_eq!(back.indexed_len(), toml.indexed_len());
        assert_eq!(back.notices().len(), toml.notices().len());
        assert!(embedded(toml.content_hash() ^ 1).is_none());
    }

    #[test]
    fn a_large_schedule_read_on_one_or_two_threads_answers_as_its_toml() {
        // Large enough that the second run of windows is read on a thread of its own.
        let toml = Schedule::from_sources(crate::format::synth::notices(2_500, 5)).expect("loads");
        let bytes = compile(&toml, None).expect("compiles");
        let (head, first, second) = sections(&bytes, toml.catalogue());
        assert!(second >= PARALLEL_FROM, "second run of {second} bytes is read on one thread");
        assert!(head > 0 && first > 0);
        let back = decode(&bytes, Threads::Two).expect("decodes");
        assert_eq!(toml.indexed_len(), back.indexed_len());
        assert_eq!(toml.notices().len(), back.notices().len());
        let (from, to) = (
            crate::engine::time::Instant::from_timestamp(1_546_300_800).expect("2019"),
            crate::engine::time::Instant::from_timestamp(2_082_758_400).expect("2036"),
        );
        let list = |s: &Schedule| {
            let mut q = crate::WindowsQuery::new(from, to).as_of(to);
            q.limit = 10_000;
            serde_json::to_value(s.windows(&q).expect("list")).expect("json")
        };
        assert_eq!(list(&toml), list(&back));
        // Every window's start and end, asked about every function, as of the end.
        let mut asked = 0;
        for w in toml.windows(&crate::WindowsQuery::new(from, to).as_of(to)).expect("list").windows.iter().step_by(7) {
            for f in toml.catalogue().functions() {
                for t in [w.start, w.end] {
                    let q = crate::Query::new(f.id(), t).as_of(to);
                    assert_eq!(
                        serde_json::to_value(toml.check(&q).expect("answer")).expect("json"),
                        serde_json::to_value(back.check(&q).expect("answer")).expect("json"),
                        "{} at {t}",
                        f.id()
                    );
                    asked += 1;
                }
            }
        }
        assert!(asked > 1_000, "only {asked} answers compared");
        // Read on one thread, as a server does: the same windows in the same order.
        let one = decode(&bytes, Threads::One).expect("decodes on one thread");
        assert_eq!(one.indexed_len(), back.indexed_len());
        assert_eq!(list(&one), list(&back));
        // A byte changed in the second run, checksum recomputed: refused, or loads, never a panic.
        let end = bytes.len();
        for i in (end - second..end).step_by(997) {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            let b = resealed(b);
            assert!(std::panic::catch_unwind(|| decode(&b, Threads::Two).is_ok()).is_ok(), "byte {i} panicked");
        }
    }

    #[test]
    fn a_file_made_to_pass_the_checksum_is_refused_or_answers_without_panicking() {
        // One byte changed anywhere in the payload, the checksum recomputed: the decoder
        // refuses the file or the schedule it gives answers every question without a panic.
        let s = Schedule::embedded().expect("seeds");
        let good = compile(&s, None).expect("compiles");
        let mut rest: &[u8] = &good;
        let (_, len, _) = header(&mut rest).expect("header");
        let start = good.len() - len;
        let (mut refused, mut loaded) = (0, 0);
        for i in (start..good.len()).step_by(61) {
            for flip in [1u8, 0x80] {
                let mut b = good.clone();
                b[i] ^= flip;
                let b = resealed(b);
                let run = std::panic::catch_unwind(|| match decode(&b, Threads::Two) {
                    Err(_) => false,
                    Ok(s) => {
                        let t = crate::engine::time::Instant::from_timestamp(1_699_808_400).expect("t");
                        for f in s.catalogue().functions() {
                            let _ = s.check(&crate::Query::new(f.id(), t).as_of(t));
                        }
                        let _ = s.windows(&crate::WindowsQuery::new(t, t + chrono::Duration::days(400)).as_of(t));
                        let opts = crate::views::ical::FeedOptions {
                            function: None,
                            lang: crate::Lang::En,
                            now: t,
                            refresh: chrono::Duration::hours(1),
                            base_url: None,
                        };
                        let _ = crate::views::ical::feed(&s, &opts);
                        true
                    }
                });
                match run {
                    Ok(true) => loaded += 1,
                    Ok(false) => refused += 1,
                    Err(_) => panic!("byte {i} ^ {flip:#x}: a panic"),
                }
            }
        }
        assert!(refused > 10 && loaded > 0, "refused {refused}, loaded {loaded}");
    }

    #[test]
    fn instants_keep_their_value_through_the_binary_form() {
        for t in [
            crate::engine::time::Instant::MAX,
            crate::engine::time::Instant::MIN,
            crate::engine::time::Instant::from_timestamp(1_699_808_400).expect("t"),
        ] {
            let b = postcard::to_allocvec(&t).expect("encodes");
            assert_eq!(postcard::from_bytes::<crate::engine::time::Instant>(&b).expect("decodes"), t);
        }
    }
}
