//! Stage 2: the validated schedule. Built only by the loader, so every value here has been
//! checked: ids resolve, intervals are non-empty, rules occur. Nothing here does I/O.
//!
//! A *notice* is one announcement. It may add *windows*, *revise* windows of earlier notices
//! (replace their times, postpone them, or cancel them), and replace or exclude single
//! *occurrences* of recurring windows. A revised window keeps its identity (notice id and
//! window id); each revision is a new *version* of it, known from the revising notice's
//! publication. Earlier versions stay in the data: an answer "as of" an earlier instant
//! uses the versions known then.

use crate::engine::rrule::Rule;
use crate::engine::time::Instant;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Index of a function in the catalogue.
pub type FnIdx = usize;
/// Index of a channel in the catalogue.
pub type ChIdx = usize;

/// A function of the service (`webcollect.credit_card`). Its parent is its id up to the last dot.
#[derive(Debug, Clone, Serialize)]
pub struct Function {
    pub(crate) id: String,
    pub(crate) ja: String,
    pub(crate) en: String,
    /// Other words people and notices use for it (`再与信`, `credit card`).
    #[serde(skip)]
    pub(crate) aliases: Vec<String>,
    #[serde(skip)]
    pub(crate) parent: Option<FnIdx>,
    /// Its provider (index in [`Catalogue::providers`]); `None` in a catalogue without providers.
    #[serde(skip)]
    pub(crate) provider: Option<usize>,
}

impl Function {
    /// The stable id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The Japanese label.
    pub fn ja(&self) -> &str {
        &self.ja
    }
    /// The English label.
    pub fn en(&self) -> &str {
        &self.en
    }
    /// Other words people and notices use for it, in Japanese or English (`再与信`,
    /// `credit card`): [`Catalogue::resolve`] accepts any of them.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
    /// Its provider's index in [`Catalogue::providers`].
    pub fn provider(&self) -> Option<usize> {
        self.provider
    }
}

/// Who publishes the notices of a set of functions: an id, labels, the zone its local times
/// are in, its page, and the catalogue channels it has.
#[derive(Debug, Clone, Serialize)]
pub struct Provider {
    pub(crate) id: String,
    pub(crate) ja: String,
    pub(crate) en: String,
    #[serde(serialize_with = "zone_name")]
    pub(crate) zone: Tz,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
    /// Channel ids, in catalogue order.
    pub(crate) channels: Vec<String>,
    /// The same as bits by catalogue channel index (see [`Catalogue::channel_mask`]).
    #[serde(skip)]
    pub(crate) channel_mask: u64,
}

fn zone_name<S: serde::Serializer>(z: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(z.name())
}

impl Provider {
    /// The stable id, e.g. `yamato`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its label in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
    /// The zone its notices' local times are in.
    pub fn zone(&self) -> Tz {
        self.zone
    }
    /// Its own page of notices, where the catalogue gives one.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
    /// The ids of the catalogue channels it has.
    pub fn channels(&self) -> &[String] {
        &self.channels
    }
}

/// A connection method (`api`), and what it shows during a window when a notice says nothing.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub(crate) id: String,
    pub(crate) ja: String,
    pub(crate) en: String,
    /// Shared by every window that takes the default (one copy, not one per window).
    pub(crate) default: Arc<NoticeEffect>,
}

impl Channel {
    /// The stable id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The Japanese label.
    pub fn ja(&self) -> &str {
        &self.ja
    }
    /// The English label.
    pub fn en(&self) -> &str {
        &self.en
    }
}

/// What a buyer or merchant sees on a channel during a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Effect {
    /// The error code returned, e.g. `Z010000000`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The page shown instead of the payment page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The message shown, e.g. in the token modal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Anything else the notice says, in the answer's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An effect as a notice file (or the catalogue) states it: what it shows, and its note in
/// the notice's words with their English ([`Bilingual`]), to be shown in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeEffect {
    /// Error code, page and message (its `note` is empty: the note is `note` below).
    pub(crate) effect: Effect,
    pub(crate) note: Option<Bilingual>,
}

/// As the catalogue JSON shows it: the effect with its note in the notice's own words.
impl Serialize for NoticeEffect {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.in_lang(Lang::Ja).serialize(s)
    }
}

impl NoticeEffect {
    /// The effect as an answer in `lang` shows it: its note in that language (the English
    /// where given, else the notice's own words).
    pub fn in_lang(&self, lang: Lang) -> Effect {
        Effect { note: self.note.as_ref().map(|n| n.text(lang).to_string()), ..self.effect.clone() }
    }
}

impl Effect {
    /// The effect as short phrases: `error` is the label before an error code, `page` and
    /// `message` the labels before those texts (may be empty), quoted with `open`/`close`.
    pub fn phrases(&self, error: &str, page: &str, message: &str, (open, close): (&str, &str)) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(c) = &self.error_code {
            parts.push(format!("{error} {c}"));
        }
        if let Some(p) = &self.page {
            parts.push(format!("{page}{open}{p}{close}"));
        }
        if let Some(m) = &self.message {
            parts.push(format!("{message}{open}{m}{close}"));
        }
        if let Some(n) = &self.note {
            parts.push(format!("({n})"));
        }
        parts
    }
}

/// The effect on one channel, and whether a notice stated it (else it is the catalogue default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ChannelEffect {
    /// The channel id.
    pub channel: String,
    /// What it shows.
    #[serde(flatten)]
    pub effect: Effect,
    /// Where the effect comes from.
    pub source: EffectSource,
    /// When the notice states this effect only for some functions: those functions (the
    /// effect covers them and those below them). Absent: every function of the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<String>>,
}

/// Where a channel effect comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum EffectSource {
    /// A notice states it.
    Notice,
    /// Read from a notice that does not state it for this window or channel (see the window's `inferred`).
    Inferred,
    /// The notice is silent: the catalogue's default for the channel.
    Default,
}

/// The catalogue of functions and channels.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub(crate) providers: Vec<Provider>,
    pub(crate) functions: Vec<Function>,
    pub(crate) channels: Vec<Channel>,
    /// Per channel, its default as the candidate of a description that takes every default
    /// ([`Effects::Defaults`]).
    pub(crate) default_candidates: Vec<Candidate>,
}

impl Catalogue {
    /// The providers, in catalogue order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }
    /// The provider of function `f`, if the catalogue names providers.
    pub fn provider_of(&self, f: FnIdx) -> Option<&Provider> {
        self.functions.get(f).and_then(|f| f.provider).and_then(|p| self.providers.get(p))
    }
    /// The functions, in catalogue order.
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }
    /// The channels, in catalogue order.
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }
    /// The index of function `id`.
    pub fn function(&self, id: &str) -> Option<FnIdx> {
        self.functions.iter().position(|f| f.id == id)
    }
    /// The index of channel `id`.
    pub fn channel(&self, id: &str) -> Option<ChIdx> {
        self.channels.iter().position(|c| c.id == id)
    }
    /// Sets what follows from the channels, once they are known: each provider's
    /// `channel_mask`, and each channel's default candidate.
    pub(crate) fn finish_channels(&mut self) {
        let masks: Vec<u64> = self.providers.iter().map(|p| self.mask_of(&p.channels)).collect();
        for (p, m) in self.providers.iter_mut().zip(masks) {
            p.channel_mask = m;
        }
        self.default_candidates = self
            .channels
            .iter()
            .enumerate()
            .map(|(c, ch)| Candidate { channel: c as u32, scope: None, effect: ch.default.clone(), source: EffectSource::Default })
            .collect();
    }
    /// Whether `e` is channel `c`'s default as a description that says nothing of it has it.
    fn is_default_candidate(&self, c: ChIdx, e: &Candidate) -> bool {
        e.scope.is_none() && e.source == EffectSource::Default && self.channels.get(c).is_some_and(|ch| Arc::ptr_eq(&e.effect, &ch.default))
    }
    /// The bits (by channel index) of `channels` in this catalogue; a channel past the 64th
    /// counts as everyone's.
    pub(crate) fn mask_of(&self, channels: &[String]) -> u64 {
        self.channels.iter().enumerate().filter(|(i, c)| *i < 64 && channels.contains(&c.id)).fold(0, |m, (i, _)| m | 1 << i)
    }
    /// Whether channel `c` is one an answer about any of `functions` describes: one their
    /// providers have (every channel when none of them has a provider). No allocation: asked
    /// for every window an answer describes.
    pub(crate) fn channel_described(&self, c: ChIdx, functions: &[FnIdx]) -> bool {
        if c >= 64 {
            return true;
        }
        let mut any = false;
        let mut mask = 0u64;
        for p in functions.iter().filter_map(|&f| self.provider_of(f)) {
            any = true;
            mask |= p.channel_mask;
        }
        !any || mask & (1 << c) != 0
    }
    /// Per function, the bits (by catalogue index) of it and the functions below it.
    pub(crate) fn cover_bits(&self) -> Vec<u64> {
        let nf = self.functions.len();
        (0..nf).map(|f| (0..nf).filter(|&g| self.is_within(g, f)).fold(0, |acc, g| acc | 1 << g)).collect()
    }
    /// Whether `f` is `ancestor` or below it.
    pub(crate) fn is_within(&self, mut f: FnIdx, ancestor: FnIdx) -> bool {
        loop {
            if f == ancestor {
                return true;
            }
            match self.functions[f].parent {
                Some(p) => f = p,
                None => return false,
            }
        }
    }
    /// Catalogue ids close to `id`, best first.
    pub fn close_matches(&self, id: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> = self
            .functions
            .iter()
            .map(|f| (crate::engine::names::edit_distance(id, &f.id), f.id.as_str()))
            .filter(|(d, f)| *d <= 2.max(id.len() / 6) || f.ends_with(&format!(".{id}")))
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, f)| f.to_string()).collect()
    }
}

/// When a notice was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Published {
    /// At this instant; `date_only` when the notice gave only a day (counted from 00:00).
    At {
        /// The instant.
        instant: Instant,
        /// Whether only the day is known.
        date_only: bool,
    },
    /// The notice does not say; it counts from its `known_by` instant.
    Unknown,
}

/// One announcement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notice {
    pub(crate) id: String,
    pub(crate) file: String,
    pub(crate) published: Published,
    /// From when answers take this notice into account.
    pub(crate) known_from: Instant,
    pub(crate) title: Bilingual,
    pub(crate) source: Bilingual,
    /// What few notices have (an address, notes, inferences, corrections): boxed, `None` when
    /// the notice has none of them, so that a schedule of many notices does not carry 112
    /// empty bytes for each.
    pub(crate) more: Option<Box<NoticeMore>>,
}

/// The parts of a [`Notice`] that few notices have.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct NoticeMore {
    pub(crate) url: Option<String>,
    pub(crate) notes: Bilingual<Vec<String>>,
    /// What mado reads into the notice as a whole (its publication, its title).
    pub(crate) inferred: Vec<Inference>,
    /// When corrections of its file were made public, oldest first (`corrected`).
    pub(crate) corrected: Vec<Instant>,
}

impl NoticeMore {
    /// `None` when it holds nothing.
    pub(crate) fn boxed(self) -> Option<Box<NoticeMore>> {
        let empty = self.url.is_none()
            && self.notes.ja.is_empty()
            && self.notes.en.is_none()
            && self.inferred.is_empty()
            && self.corrected.is_empty();
        (!empty).then(|| Box::new(self))
    }
}

/// The notes of a notice that has none.
static NO_NOTES: Bilingual<Vec<String>> = Bilingual { ja: Vec::new(), en: None };

impl Notice {
    /// The stable id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The instant from which answers count this notice.
    pub fn known_from(&self) -> Instant {
        self.known_from
    }
    /// The title: the notice's own, and its English if given.
    pub fn title(&self) -> &Bilingual {
        &self.title
    }
    /// When it was published, as far as the notice says.
    pub fn published(&self) -> Published {
        self.published
    }
    /// The file it was loaded from.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// Its notes: what the notice does not say, and how mado reads it.
    pub fn notes(&self) -> &Bilingual<Vec<String>> {
        self.more.as_ref().map_or(&NO_NOTES, |m| &m.notes)
    }
    /// The public document it comes from: title, version or date, publisher.
    pub fn source(&self) -> &Bilingual {
        &self.source
    }
    /// The document's address, where the notice gives one.
    pub fn url(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.url.as_deref())
    }
    /// What mado reads into the notice as a whole, with reasons.
    pub fn inferred(&self) -> &[Inference] {
        self.more.as_ref().map_or(&[], |m| &m.inferred)
    }
    /// When corrections of its file (in-place edits) were made public, oldest first.
    pub fn corrected(&self) -> &[Instant] {
        self.more.as_ref().map_or(&[], |m| &m.corrected)
    }
    /// The corrections made public at or before `now`.
    pub fn corrections_known(&self, now: Instant) -> &[Instant] {
        let all = self.corrected();
        &all[..all.partition_point(|c| *c <= now)]
    }
}

/// Whether `text` is a web address a page may link to: `http://` or `https://` and more, no
/// control character or space. The loader refuses a notice `url` that is not; the pages ask
/// again before making a link.
pub(crate) fn is_web_address(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    ["https://", "http://"].iter().any(|p| lower.starts_with(p) && text.len() > p.len())
        && !text.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The language of titles, notes and labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Japanese, the notices' own language.
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// `ja` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    /// Reads `ja` or `en`.
    ///
    /// # Errors
    /// A message quoting the value when it is neither.
    pub fn parse(text: &str) -> Result<Lang, String> {
        match text {
            "ja" => Ok(Lang::Ja),
            "en" => Ok(Lang::En),
            other => Err(format!("`{other}` is not a language; expected `ja` or `en`, e.g. `en`")),
        }
    }
    /// The default for a terminal: `ja` when `LANG` (or `LC_ALL`, `LC_MESSAGES`) starts with `ja`, else `en`.
    pub fn from_env() -> Lang {
        let v = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        if v.is_some_and(|v| v.starts_with("ja")) {
            Lang::Ja
        } else {
            Lang::En
        }
    }
}

/// A text of a notice: its own Japanese wording, and the English where the notice file gives
/// one. The one place a text of the model picks its language: English when asked for and
/// given, else the Japanese original (a notice is never without its own words).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual<T = String> {
    ja: T,
    en: Option<T>,
}

impl<T> Bilingual<T> {
    /// The notice's own words, and their English if any.
    pub(crate) fn new(ja: T, en: Option<T>) -> Self {
        Bilingual { ja, en }
    }
    /// The Japanese original.
    pub fn ja(&self) -> &T {
        &self.ja
    }
    /// The English, where given.
    pub fn en(&self) -> Option<&T> {
        self.en.as_ref()
    }
    /// The text in `lang`: the English when asked for and given, else the Japanese.
    pub fn get(&self, lang: Lang) -> &T {
        match (lang, &self.en) {
            (Lang::En, Some(en)) => en,
            _ => &self.ja,
        }
    }
    /// Whether [`Bilingual::get`] gives `lang` itself (not the Japanese in its place).
    pub fn is_in(&self, lang: Lang) -> bool {
        lang == Lang::Ja || self.en.is_some()
    }
}

impl Bilingual {
    /// [`Bilingual::get`] as a `&str`.
    pub fn text(&self, lang: Lang) -> &str {
        self.get(lang)
    }
}

/// Something mado reads into a notice that the notice does not state, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inference {
    /// What is inferred: `published`, `functions`, `start`, `end`, `date`, `duration`,
    /// `title` or `effects.<channel>`.
    pub(crate) field: String,
    pub(crate) reason: Bilingual,
}

impl Inference {
    /// The field inferred.
    pub fn field(&self) -> &str {
        &self.field
    }
    /// The reason in `lang`.
    pub fn reason(&self, lang: Lang) -> &str {
        self.reason.text(lang)
    }
}

/// The fields an `inferred` entry may name (besides `effects.<channel>`).
pub(crate) const INFERABLE: &[&str] = &["published", "functions", "start", "end", "date", "duration", "title"];

/// One candidate effect on a channel: the first whose scope covers the function asked about
/// applies.
/// In the compiled form (`format::compiled`) a catalogue default is written as its source
/// alone and shared with the catalogue again when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The catalogue channel it is for (set by [`Effects::from_channels`]).
    pub(crate) channel: u32,
    /// `None`: every function of the window.
    pub(crate) scope: Option<Vec<FnIdx>>,
    /// Shared with the catalogue's channel when it is its default.
    #[serde(serialize_with = "crate::format::compiled::candidate_effect::serialize")]
    #[serde(deserialize_with = "crate::format::compiled::candidate_effect::deserialize")]
    pub(crate) effect: Arc<NoticeEffect>,
    pub(crate) source: EffectSource,
}

impl Candidate {
    /// A candidate for a channel yet to be set (see [`Effects::from_channels`]).
    pub(crate) fn new(scope: Option<Vec<FnIdx>>, effect: Arc<NoticeEffect>, source: EffectSource) -> Candidate {
        Candidate { channel: 0, scope, effect, source }
    }
}

/// The candidate effects of a description on every catalogue channel. Within a channel,
/// candidates keep their order: the first whose scope covers the function asked about
/// applies, and the last is unscoped (for an incident a channel may have none: no catalogue
/// default applies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effects {
    /// Every channel takes the catalogue's default: most descriptions, kept with no
    /// allocation (the candidates are the catalogue's [`Catalogue::default_candidates`]).
    Defaults,
    /// One list ordered by channel: one allocation per description, not one per channel.
    Listed(Vec<Candidate>),
}

impl Effects {
    /// From the candidates of each channel, in `cat`'s order.
    pub(crate) fn from_channels(per_channel: Vec<Vec<Candidate>>, cat: &Catalogue) -> Effects {
        let all_defaults = per_channel.len() == cat.channels.len()
            && per_channel.iter().enumerate().all(|(c, list)| list.len() == 1 && cat.is_default_candidate(c, &list[0]));
        if all_defaults {
            return Effects::Defaults;
        }
        let mut list = Vec::with_capacity(per_channel.iter().map(Vec::len).sum());
        for (c, candidates) in per_channel.into_iter().enumerate() {
            list.extend(candidates.into_iter().map(|e| Candidate { channel: c as u32, ..e }));
        }
        Effects::Listed(list)
    }
    /// The candidates on channel `c` of `cat`, in order.
    pub(crate) fn on<'a>(&'a self, c: ChIdx, cat: &'a Catalogue) -> &'a [Candidate] {
        match self {
            Effects::Defaults => cat.default_candidates.get(c).map_or(&[], std::slice::from_ref),
            Effects::Listed(list) => {
                let lo = list.partition_point(|e| (e.channel as usize) < c);
                let hi = lo + list[lo..].partition_point(|e| e.channel as usize == c);
                &list[lo..hi]
            }
        }
    }
    /// The candidates listed (none for [`Effects::Defaults`]), by channel.
    pub(crate) fn listed(&self) -> &[Candidate] {
        match self {
            Effects::Defaults => &[],
            Effects::Listed(list) => list,
        }
    }
    /// Whether the list is ordered by channel and names only channels below `channels` (what
    /// [`Effects::on`] relies on; checked when a compiled file is read).
    pub(crate) fn is_well_formed(&self, channels: usize) -> bool {
        let list = self.listed();
        list.windows(2).all(|w| w[0].channel <= w[1].channel) && list.iter().all(|e| (e.channel as usize) < channels)
    }
}

/// What a version of a window did to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The first version, from the notice that announced the window.
    Original,
    /// Times or scope changed (変更).
    Replace,
    /// Moved to another time (延期).
    Postpone,
    /// No longer happens.
    Cancel,
    /// A standing rule stops: occurrences from a date on no longer happen (earlier ones stay).
    End,
    /// A standing rule gets new times from a date on (earlier occurrences keep theirs).
    Change,
}

/// What a window is: planned maintenance, or an incident (an unplanned outage, reported
/// after it began).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Planned maintenance (メンテナンス).
    #[default]
    Maintenance,
    /// An incident (障害): catalogue defaults that describe maintenance do not apply.
    Incident,
}

impl Kind {
    /// `maintenance` or `incident`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Maintenance => "maintenance",
            Kind::Incident => "incident",
        }
    }
}

/// The time shape of a window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Shape {
    /// Known times, `[start, end)`.
    Confirmed {
        /// Start instant.
        start: Instant,
        /// End instant (exclusive).
        end: Instant,
        /// The notice says "about" the start.
        start_approx: bool,
        /// The notice says "about" the end (〜頃).
        end_approx: bool,
        /// The notice gives no end: `end` is the end of the supported range.
        end_unknown: bool,
        /// The expected length, when the end is unknown and the notice gives one.
        #[serde(with = "crate::format::compiled::seconds_opt")]
        expected: Option<Duration>,
    },
    /// Known days, unknown times: covers whole local days `first..=last`.
    Tentative {
        /// First day.
        first: NaiveDate,
        /// Last day (inclusive).
        last: NaiveDate,
        /// 00:00 of `first`.
        start: Instant,
        /// 00:00 of the day after `last`.
        end: Instant,
        /// The expected length, if the notice gives one.
        #[serde(with = "crate::format::compiled::seconds_opt")]
        expected: Option<Duration>,
        /// Whether the expected length is approximate (程度).
        expected_approx: bool,
    },
    /// A recurring window: each occurrence lasts `duration` from its start.
    Recurring {
        /// The rule with its DTSTART (boxed: few windows recur, and every description has a shape).
        rule: Box<Rule>,
        /// The exact length of each occurrence.
        #[serde(with = "crate::format::compiled::seconds")]
        duration: Duration,
    },
}

/// One version of a window: what was known from `known_from` on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    pub(crate) by_notice: usize,
    pub(crate) known_from: Instant,
    pub(crate) action: Action,
    pub(crate) sequence: u32,
    pub(crate) note: Option<Box<Bilingual>>,
    /// `None` when cancelled, or postponed with no new date yet.
    pub(crate) spec: Option<Spec>,
}

/// What a non-cancelled version says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spec {
    /// Boxed, as are the note and the advice: most windows have none, and a description is
    /// kept per version.
    pub(crate) title: Option<Box<Bilingual>>,
    pub(crate) functions: Vec<FnIdx>,
    /// Functions the notice states stay available (they and those below them are not covered).
    pub(crate) available: Vec<FnIdx>,
    #[serde(with = "crate::format::compiled::zone")]
    pub(crate) zone: Tz,
    pub(crate) shape: Shape,
    /// Per catalogue channel: candidates, the last one unscoped (for an incident, possibly
    /// none: no catalogue default applies).
    pub(crate) effects: Effects,
    pub(crate) note: Option<Box<Bilingual>>,
    /// What a merchant can do during the window, as the notice says it (`advice`).
    pub(crate) advice: Option<Box<Bilingual<Vec<String>>>>,
    /// What mado reads into the window that its notices do not state.
    pub(crate) inferred: Vec<Inference>,
    /// Maintenance or incident.
    pub(crate) kind: Kind,
    /// After a `change`: what the window was before `from` (its rule ended before `from`),
    /// itself possibly changed before.
    pub(crate) earlier: Option<Box<Spec>>,
}

impl Spec {
    /// The description at depth `part`: 0 is this one, 1 what it was before its last
    /// `change`, and so on.
    pub(crate) fn part(&self, part: u8) -> &Spec {
        let mut s = self;
        for _ in 0..part {
            match &s.earlier {
                Some(e) => s = e,
                None => break,
            }
        }
        s
    }

    /// This description and the earlier ones before each `change`, newest first.
    pub(crate) fn parts(&self) -> impl Iterator<Item = &Spec> {
        std::iter::successors(Some(self), |s| s.earlier.as_deref())
    }

    /// Whether the window, as this describes it, affects function `f`: `f` is one of the
    /// functions it names or below one, and not one its notice states stays available (nor
    /// below one). The one definition: the evaluator's index, the feed, the exports and the
    /// pages all ask this.
    pub(crate) fn affects(&self, f: FnIdx, cat: &Catalogue) -> bool {
        self.functions.iter().any(|n| cat.is_within(f, *n)) && !self.available.iter().any(|a| cat.is_within(f, *a))
    }

    /// Whether the window, as this describes it, affects `f` or a function below it.
    pub(crate) fn affects_within(&self, f: FnIdx, cat: &Catalogue) -> bool {
        (0..cat.functions.len()).any(|g| cat.is_within(g, f) && self.affects(g, cat))
    }

    /// The functions the window affects (see [`Spec::affects`]), as bits by catalogue index,
    /// given `cover`: per function, the bits of it and the functions below it
    /// ([`Catalogue::cover_bits`]). A property test keeps it equal to asking
    /// [`Spec::affects`] of every function.
    pub(crate) fn affected_bits(&self, cover: &[u64]) -> u64 {
        let named = self.functions.iter().fold(0, |acc, &n| acc | cover[n]);
        let kept = self.available.iter().fold(0, |acc, &a| acc | cover[a]);
        named & !kept
    }

    /// The first start of the earliest part, for a recurring window.
    pub(crate) fn rule_began(&self) -> Option<Instant> {
        self.parts().filter_map(|s| if let Shape::Recurring { rule, .. } = &s.shape { Some(rule.first_start()) } else { None }).min()
    }

    /// The effect on channel `c` for function `f` (`None`: the window as a whole, the
    /// unscoped candidate).
    /// `None` when no candidate applies: an incident on a channel its notices say nothing of.
    pub(crate) fn effect_for<'a>(&'a self, c: ChIdx, f: Option<FnIdx>, cat: &'a Catalogue) -> Option<&'a Candidate> {
        self.effects.on(c, cat).iter().find(|e| match (&e.scope, f) {
            (None, _) => true,
            (Some(scope), Some(f)) => scope.iter().any(|g| cat.is_within(f, *g)),
            (Some(_), None) => false,
        })
    }
}

/// A change to one occurrence of a recurring window, by date of its original start.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exception {
    pub(crate) date: NaiveDate,
    pub(crate) by_notice: usize,
    pub(crate) known_from: Instant,
    pub(crate) sequence: u32,
    pub(crate) note: Option<Bilingual>,
    /// The new times, or `None` when the occurrence is excluded.
    pub(crate) replacement: Option<Replacement>,
}

/// New times for one occurrence.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Replacement {
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) start_approx: bool,
    pub(crate) end_approx: bool,
}

/// A window and all its versions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lineage {
    pub(crate) notice: usize,
    pub(crate) id: String,
    /// Sorted by `known_from`; the first is the original.
    pub(crate) versions: Vec<Version>,
    /// Sorted by (`date`, `known_from`).
    pub(crate) exceptions: Vec<Exception>,
}

impl Lineage {
    /// `<notice>/<window>`: the window's uid in answers, pages and exports, stable across
    /// revisions. The one place it is formed.
    pub(crate) fn uid(&self, notices: &[Notice]) -> String {
        format!("{}/{}", notices[self.notice].id, self.id)
    }
    /// The window's UID in the iCalendar feed: `<notice>.<window>@mado`; with `from`, the
    /// continuation of a standing rule whose hours changed on that day,
    /// `<notice>.<window>.from-YYYYMMDD@mado`. The one place it is formed.
    pub(crate) fn feed_uid(&self, notices: &[Notice], from: Option<NaiveDate>) -> String {
        let notice = &notices[self.notice].id;
        match from {
            None => format!("{notice}.{}@mado", self.id),
            Some(d) => format!("{notice}.{}.from-{}@mado", self.id, d.format("%Y%m%d")),
        }
    }
    /// The version in force as of `as_of`, if the window was known then.
    pub(crate) fn version_at(&self, as_of: Instant) -> Option<(usize, &Version)> {
        let n = self.versions.partition_point(|v| v.known_from <= as_of);
        n.checked_sub(1).map(|i| (i, &self.versions[i]))
    }
    /// The latest version known at `as_of` that describes the window (a cancel or a
    /// postponement with no date keeps the description before it), with its index.
    pub(crate) fn described_at(&self, as_of: Instant) -> Option<(usize, &Spec)> {
        let n = self.versions.partition_point(|v| v.known_from <= as_of);
        self.versions[..n].iter().enumerate().rev().find_map(|(i, v)| v.spec.as_ref().map(|s| (i, s)))
    }
    /// The exceptions for one occurrence date, in order.
    pub(crate) fn exceptions_on(&self, date: NaiveDate) -> &[Exception] {
        let lo = self.exceptions.partition_point(|e| e.date < date);
        let hi = self.exceptions.partition_point(|e| e.date <= date);
        &self.exceptions[lo..hi]
    }
}

/// A scheduled job that runs late: listed, not an outage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delay {
    pub(crate) notice: usize,
    pub(crate) id: String,
    pub(crate) job: Bilingual,
    pub(crate) functions: Vec<FnIdx>,
    pub(crate) date: NaiveDate,
    pub(crate) usual: Instant,
    pub(crate) usual_approx: bool,
    pub(crate) expected: Instant,
    pub(crate) expected_approx: bool,
    pub(crate) note: Option<Bilingual>,
    pub(crate) inferred: Vec<Inference>,
}
