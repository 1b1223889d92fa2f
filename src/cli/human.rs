//! Names and times as people say them, for every subcommand: a function named by id, part of
//! an id, label or alias ([`mado::Catalogue::resolve`]); an instant or a length as
//! [`mado::when`] reads it, remembered so the text answer can say how it was read; and the
//! painter for status words on a terminal.

use anyhow::{Context, Result};
use chrono_tz::Tz;
use mado::views::list::Tone;
use mado::when::{self, Reading};
use mado::{time, Lang, Schedule};

/// Reads the instants of one command against one clock and zone, and remembers the ones
/// that were not written out in full.
pub struct Reader {
    now: time::Instant,
    zone: Tz,
    read: Vec<(&'static str, String, time::Instant, Reading)>,
}

impl Reader {
    pub fn new(now: time::Instant, zone: Tz) -> Reader {
        Reader { now, zone, read: Vec::new() }
    }

    /// An instant (`--at`, `--from`, `--as-of`), the error naming the flag.
    pub fn instant(&mut self, flag: &'static str, text: &str) -> Result<time::Instant> {
        let (t, r) = when::parse_when(text, self.now, self.zone).map_err(anyhow::Error::new).context(flag)?;
        self.keep(flag, text, t, r);
        Ok(t)
    }

    /// The end of a range: a length after `start` (`30d`) or an instant; `default` after
    /// `start` when not given.
    pub fn end(
        &mut self,
        flag: &'static str,
        text: Option<&str>,
        start: time::Instant,
        default: chrono::Duration,
    ) -> Result<time::Instant> {
        let Some(text) = text else { return Ok(start + default) };
        let (t, r) = when::parse_end(text, start, self.now, self.zone).map_err(anyhow::Error::new).context(flag)?;
        self.keep(flag, text, t, r);
        Ok(t)
    }

    fn keep(&mut self, flag: &'static str, text: &str, t: time::Instant, r: Reading) {
        if !r.explicit() && !matches!(r.form, when::Form::Now) {
            self.read.push((flag, text.to_string(), t, r));
        }
    }

    /// One line per instant read from a relative form: `--at "23:30" read as 2026-11-30
    /// 23:30 JST (today, Mon)`. Empty when everything was written out.
    pub fn echo(&self, lang: Lang) -> String {
        let mut out = String::new();
        for (flag, text, t, r) in &self.read {
            let local = t.with_timezone(&self.zone);
            let shown = if local.format("%S").to_string() == "00" {
                local.format("%Y-%m-%d %H:%M %Z")
            } else {
                local.format("%Y-%m-%d %H:%M:%S %Z")
            };
            let line = mado::views::words::read_as(lang, flag, text, &shown.to_string(), &r.describe(lang));
            out.push_str(&mado::views::text::visible_line(&line));
            out.push('\n');
        }
        out
    }
}

/// The id of the function a person names.
pub fn function(schedule: &Schedule, name: &str) -> Result<String> {
    Ok(schedule.catalogue().resolve(name)?.id().to_string())
}

/// Whether stdout gets colour: a terminal, and neither `NO_COLOR` nor `TERM=dumb`
/// (`CLICOLOR_FORCE` forces it), as anstream decides for clap's own help.
pub fn colour() -> bool {
    !matches!(anstream::AutoStream::choice(&std::io::stdout()), anstream::ColorChoice::Never)
}

/// The painter for status words: colours when `on`, else the words as they are.
pub fn painter(on: bool) -> impl Fn(Tone, &str) -> String {
    use anstyle::{AnsiColor, Style};
    move |tone, s| {
        if !on {
            return s.to_string();
        }
        let style = match tone {
            Tone::Down => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            Tone::Warn => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Tone::Up => Style::new().fg_color(Some(AnsiColor::Green.into())),
            Tone::Head => Style::new().bold(),
            Tone::Dim => Style::new().dimmed(),
        };
        format!("{style}{s}{style:#}")
    }
}

/// The possible values shell completions offer for a FUNCTION: every id, described by its
/// label, and every label and alias without spaces (they complete in any shell).
pub fn completion_values(schedule: &Schedule, lang: Lang) -> Vec<clap::builder::PossibleValue> {
    let mut values = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in schedule.catalogue().functions() {
        if seen.insert(f.id().to_string()) {
            values.push(clap::builder::PossibleValue::new(f.id().to_string()).help(f.label(lang).to_string()));
        }
    }
    for f in schedule.catalogue().functions() {
        for name in [f.ja(), f.en()].into_iter().chain(f.aliases().iter().map(String::as_str)) {
            if !name.chars().any(|c| c.is_whitespace() || "'\"\\$`()（）".contains(c)) && seen.insert(name.to_string()) {
                values.push(clap::builder::PossibleValue::new(name.to_string()).help(f.id().to_string()));
            }
        }
    }
    values
}
