//! The command line's grammar: subcommands, their options, help texts and exit codes.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_CODES: &str = "\
Exit status:
  0  ok (check: available)
  1  check: unavailable (a confirmed window covers the period)
  3  check: tentative (days announced, times not)
  2  usage error, bad value, unknown function, or a schedule that does not load";

#[derive(Parser)]
#[command(
    name = "mado",
    version,
    about = "Maintenance windows of Kuroneko Web Collect: is a function available at an instant, as known at another?",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Take this instant as now for every default (at, as-of, from, the pages), e.g. `2023-11-13T02:30+09:00`: for tests and demos. Commands also read MADO_NOW; `mado serve` only this flag, and marks every page and answer.
    #[arg(long, global = true, value_name = "INSTANT")]
    pub now: Option<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum Format {
    Text,
    Json,
}

/// Where schedules come from, and the output format: every subcommand that reads schedules.
#[derive(Args)]
pub struct Source {
    /// Schedules directory, or a file `mado compile` wrote (default: the schedules embedded at build time).
    #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
    pub schedules: Option<PathBuf>,
    /// Output format; with json, errors are JSON on stderr too.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Options of the subcommands that read or print instants and window descriptions.
#[derive(Args)]
pub struct Zone {
    /// Zone for local instants in input and for output.
    #[arg(long, default_value = "Asia/Tokyo", value_name = "ZONE")]
    pub tz: String,
    /// Language of titles, notes and labels [default: ja when LANG starts with ja, else en].
    #[arg(long, value_parser = ["ja", "en"], value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Is FUNCTION available at an instant, as known at another?
    #[command(
        after_help = "Examples:\n  mado check webcollect.credit_card --at \"2023-11-13 03:00\" --for 15m\n  mado check クレジットカード --at \"tonight 23:30\"\n  mado check reauth --at \"明日 0:30\"\n\nExit status: 0 available, 1 unavailable, 3 tentative, 2 error (an ambiguous name lists the functions it fits)."
    )]
    Check(CheckArgs),
    /// List the windows overlapping [from, to): one-off windows first, each standing rule once
    /// with only the nights it changes or cancels (--expand: every occurrence), and delays.
    #[command(
        after_help = "Examples:\n  mado windows --from 2023-11-01 --to 30d\n  mado windows --from 2023-11-01 --to 2023-12-01 --function 再与信 --expand\n\nExit status: 0, or 2 on error."
    )]
    Windows(WindowsArgs),
    /// What is down now and what is next: every function's status and when it changes, the
    /// windows in progress with what buyers see, postponed windows, and the windows coming.
    #[command(
        after_help = "Examples:\n  mado status\n  mado status --at \"2023-11-13 03:00\" --to 30d\n\nWith --format json: the answers of /v1/availability for every function.\nExit status: 0, or 2 on error (whatever the functions' status)."
    )]
    Status(StatusArgs),
    /// The next windows that affect FUNCTION (or any function), the one in progress included.
    #[command(
        after_help = "Examples:\n  mado next クレジットカード\n  mado next reauth --from \"2023-11-12 12:00\" --expand\n\nWith --format json: the list `mado windows` gives.\nExit status: 0, or 2 on error."
    )]
    Next(NextArgs),
    /// Serve the JSON API and the iCalendar feed over HTTP.
    #[command(
        after_help = "Example:\n  mado serve --addr 0.0.0.0:8080 --schedules schedules --watch\n\nLogs go to stderr (MADO_LOG=debug for more, MADO_LOG_FORMAT=json for JSON lines).\nExit status: 0 after SIGTERM or Ctrl-C, 2 if it cannot start."
    )]
    Serve(ServeArgs),
    /// Print the iCalendar feed (what `GET /calendar.ics` serves).
    #[command(
        after_help = "Example:\n  mado calendar --function webcollect.credit_card --lang en > mado.ics\n\nThe output is iCalendar (RFC 5545); errors follow --format.\nExit status: 0, or 2 on error."
    )]
    Calendar {
        /// Only windows that affect this function (an id, a unique part of one, a label or an alias).
        #[arg(long, value_name = "FUNCTION")]
        function: Option<String>,
        /// Language of summaries and descriptions.
        #[arg(long, value_parser = ["ja", "en"], default_value = "ja")]
        lang: String,
        /// Schedules directory, or a file `mado compile` wrote (default: the schedules embedded at build time).
        #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
        schedules: Option<PathBuf>,
        /// Format of errors (the feed itself is always iCalendar).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Where `mado serve` runs, e.g. `https://mado.example.com`: each event links to its notice page there.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// `maintnote` adds the BCOP X-MAINTNOTE-* properties (docs/feed.md, "The maintnote profile").
        #[arg(long, value_parser = ["plain", "maintnote"], default_value = "plain")]
        profile: String,
    },
    /// The function and channel catalogue.
    #[command(after_help = "Example:\n  mado functions --format json\n\nExit status: 0, or 2 on error.")]
    Functions {
        #[command(flatten)]
        source: Source,
    },
    /// Check a schedules directory, or one notice file together with the embedded (or
    /// --schedules) schedules.
    #[command(
        after_help = "Example:\n  mado validate schedules/notices/2024-05-01-new.toml\n\nExit status: 0 valid, 2 with every error as file:line:column: message."
    )]
    Validate {
        /// A schedules directory, a single notice file, or a file `mado compile` wrote (default: the embedded schedules).
        path: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
    /// Compile a schedules directory into one file that every command (and `serve`) loads
    /// without parsing TOML: give it as --schedules FILE.
    #[command(
        after_help = "Example:\n  mado compile schedules -o schedules.mado\n  mado check reauth --at \"2023-11-13 00:30\" --schedules schedules.mado\n\nA file written by another mado version, or damaged, is refused; the directory it names is read instead when it is there (docs/engineering.md, \"Scale\").\nExit status: 0, or 2 when the schedules do not load or the file cannot be written."
    )]
    Compile {
        /// The schedules directory.
        dir: PathBuf,
        /// The file to write (replaced in one step: a server watching it never reads half of it).
        #[arg(short, long, value_name = "FILE")]
        out: PathBuf,
        /// Format of the summary and of errors.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// What a notice file changes, as known just after its publication versus just before.
    #[command(
        after_help = "Example:\n  mado diff new.toml --schedules schedules\n\nExit status: 0, or 2 when the file or the schedules do not load."
    )]
    Diff {
        /// The notice file (a new one, or an edited copy of one in the schedules).
        file: PathBuf,
        #[command(flatten)]
        source: Source,
    },
    /// Draft notice files (TOML) from a notice's text: plain text, HTML, or PDF (pdftotext).
    #[command(
        after_help = "Example:\n  mado draft notice.txt --schedules schedules --out drafts\n\nExit status: 0 valid and nothing left unread, 1 valid with questions (on stderr and as `# TODO:` in the file), 2 nothing usable."
    )]
    Draft {
        /// The notice as published: .txt, .html/.htm or .pdf.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write one file per publication into this directory (default: stdout, one publication only).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
    /// Convert another provider's Statuspage JSON (scheduled-maintenances.json, incidents.json, summary.json: one notice per update) or iCalendar feed (maintnote properties read: one notice per event) into notice files.
    #[command(
        after_help = "Example:\n  mado import scheduled-maintenances.json --map 8l4ygp009s5s=acme.wallet --prefix acme --out schedules\n\nThe notices are checked against the schedules before anything is written (docs/providers.md).\nExit status: 0, or 2 on error (a malformed item is named)."
    )]
    Import {
        /// The Statuspage v2 JSON file, or an iCalendar (.ics) feed.
        file: PathBuf,
        /// A component id or name (or maintnote object id) of the source, and the catalogue function it is; a dotted id maps those below it too (`webcollect=mwc`); repeatable.
        #[arg(long = "map", value_name = "COMPONENT=FUNCTION")]
        map: Vec<String>,
        /// The function of items none of whose components is mapped.
        #[arg(long, value_name = "FUNCTION")]
        function: Option<String>,
        /// Notice ids are PREFIX-<item id>-<n>.
        #[arg(long, default_value = "import", value_name = "PREFIX")]
        prefix: String,
        /// Write one file per notice under DIR/notices (default: stdout, one notice only).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
    /// Export the calendar for other tools.
    #[command(subcommand)]
    Export(Export),
    /// Keep a running Alertmanager's silences in step with the schedule.
    #[command(subcommand)]
    Alertmanager(Alertmanager),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  mado completions bash > /etc/bash_completion.d/mado")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Example:\n  mado man > /usr/local/share/man/man1/mado.1")]
    Man,
}

/// The arguments of `mado check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Function: its id (`webcollect.credit_card`), a unique part of the id (`reauth`), or a
    /// label or alias in Japanese or English (`クレジットカード`, `再与信`, `card payment`);
    /// `mado functions` lists them. Give several to ask about each at once (exit status:
    /// the worst of them).
    #[arg(required = true, value_name = "FUNCTION")]
    pub function: Vec<String>,
    /// The instant asked about: `23:30` (the next one), `tonight 23:30`, `tomorrow 02:00`, `mon 01:00`, `+2h`, `明日 2:00`, `11月13日 3:00`, a local `2023-11-13 03:00` (in --tz), RFC 3339, or `now`.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub at: String,
    /// Count only notices known at this instant.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub as_of: String,
    /// Lookahead: the answer covers all of [at, at + DURATION), e.g. 15m or 2h.
    #[arg(long = "for", value_name = "DURATION")]
    pub lookahead: Option<String>,
    /// Report what this channel shows (link, mail, token_embedded, token_modal, api).
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
    #[command(flatten)]
    pub zone: Zone,
    #[command(flatten)]
    pub source: Source,
}

/// The arguments of `mado windows`.
#[derive(Args)]
pub struct WindowsArgs {
    /// Start of the range, inclusive: `23:30` (the next one), `tonight 23:30`, `tomorrow 02:00`, `mon 01:00`, `+2h`, `明日 2:00`, `11月13日 3:00`, a local `2023-11-13 03:00` (in --tz), RFC 3339, or `now`.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub from: String,
    /// End of the range, exclusive: an instant, or a length after --from such as `30d` [default: 31d].
    #[arg(long, value_name = "INSTANT|LENGTH", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Only windows that affect this function (an id, a unique part of one, a label or an alias).
    #[arg(long, value_name = "FUNCTION")]
    pub function: Option<String>,
    /// Text: list every occurrence of a standing rule on its own line.
    #[arg(long)]
    pub expand: bool,
    /// Count only notices known at this instant.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub as_of: String,
    /// At most this many windows, from 1 to 10000; the output says when it cut the list.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// With --function: also windows that affect only functions below it.
    #[arg(long, requires = "function")]
    pub with_children: bool,
    #[command(flatten)]
    pub zone: Zone,
    #[command(flatten)]
    pub source: Source,
}

/// The arguments of `mado status`.
#[derive(Args)]
pub struct StatusArgs {
    /// The instant asked about: `23:30` (the next one), `tonight 23:30`, `tomorrow 02:00`, `mon 01:00`, `+2h`, `明日 2:00`, `11月13日 3:00`, a local `2023-11-13 03:00` (in --tz), RFC 3339, or `now`.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub at: String,
    /// Count only notices known at this instant.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub as_of: String,
    /// How far ahead to list the windows coming: an instant, or a length after --at [default: 7d].
    #[arg(long, value_name = "INSTANT|LENGTH", allow_hyphen_values = true)]
    pub to: Option<String>,
    #[command(flatten)]
    pub zone: Zone,
    #[command(flatten)]
    pub source: Source,
}

/// The arguments of `mado next`.
#[derive(Args)]
pub struct NextArgs {
    /// The function: an id, a unique part of one, a label or an alias [default: every function].
    #[arg(value_name = "FUNCTION")]
    pub function: Option<String>,
    /// From when: `23:30` (the next one), `tonight 23:30`, `tomorrow 02:00`, `mon 01:00`, `+2h`, `明日 2:00`, `11月13日 3:00`, a local `2023-11-13 03:00` (in --tz), RFC 3339, or `now`.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub from: String,
    /// How far ahead: an instant, or a length after --from [default: 31d].
    #[arg(long, value_name = "INSTANT|LENGTH", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Count only notices known at this instant.
    #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
    pub as_of: String,
    /// Text: list every occurrence of a standing rule on its own line.
    #[arg(long)]
    pub expand: bool,
    #[command(flatten)]
    pub zone: Zone,
    #[command(flatten)]
    pub source: Source,
}

/// The arguments of `mado serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on, HOST:PORT: `127.0.0.1:8080`, `[::]:8080`, `0.0.0.0:8080` or a host name such as `localhost:8080`.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    /// Schedules directory, or a file `mado compile` wrote (default: the schedules embedded at build time).
    #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
    pub schedules: Option<PathBuf>,
    /// Reload when files under --schedules change (SIGHUP reloads too); a symlink swapped to a new release and a directory made again are followed.
    #[arg(long)]
    pub watch: bool,
    /// With --watch, re-read the whole tree this often and reload if it differs from the files serving, whatever the events said (`30s`, `5m`; 0 turns it off).
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = duration)]
    pub recheck: std::time::Duration,
    /// A reload whose read of the schedules takes longer fails, and /readyz is not ready until the read returns (a hung mount).
    #[arg(long, default_value = "5s", value_name = "DURATION", value_parser = positive_duration)]
    pub read_timeout: std::time::Duration,
    /// The largest schedule file read (`4MiB`, `512KiB`, bytes); a larger one, or a FIFO or device, fails the reload.
    #[arg(long, default_value = "4MiB", value_name = "SIZE", value_parser = size)]
    pub max_file_size: u64,
    /// Refuse a reload that would drop more than this share of the notices serving, or all of them (`50%`; `100%` allows any).
    #[arg(long, default_value = "50%", value_name = "PERCENT", value_parser = percent)]
    pub max_drop: f64,
    /// Ceiling for Cache-Control max-age, in seconds.
    #[arg(long, default_value_t = 60)]
    pub max_age: u64,
    /// Deadline, in seconds, for window lists and the feed (run 4 at a time off the async workers): one not ready within 90 % of it is answered 503. No other request has a deadline.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// A request head must arrive within this many seconds of the connection opening or its last response (slow heads and idle keep-alive connections are closed), and a response write stalled this long is closed too.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// The most connections open at once. When none is free, the one idle longest is closed to make room; when none is idle, one more is answered 503 and closed.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// The most connections open at once from one client address; one more is answered 503 and closed.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections_per_client: u64,
    /// Seconds within which a request must be answered once its head has arrived; past it, the connection is closed (counted as 503).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
    /// On SIGTERM, seconds open connections get to finish before they are dropped.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_grace: u64,
    /// Also serve /bench/baseline (a constant body the size of an answer), for bench/.
    #[arg(long, hide = true)]
    pub bench_baseline: bool,
    /// Where people reach mado, e.g. `https://status.example.com`: every absolute link (the feed's event URLs, the status page's `webcal://` and feed links) uses it, whatever a request says.
    #[arg(long, env = "MADO_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Without --public-url: a Host (`host[:port]`, exact) absolute links may be built from; repeatable or comma-separated. Requests for other hosts get no absolute links.
    #[arg(long = "trusted-host", env = "MADO_TRUSTED_HOSTS", value_delimiter = ',', value_name = "HOST[:PORT]")]
    pub trusted_hosts: Vec<String>,
    /// A proxy whose X-Forwarded-Proto and X-Forwarded-Host count (an IP or CIDR, e.g. 127.0.0.1 or 10.0.0.0/8); repeatable or comma-separated. Nobody else's do.
    #[arg(long = "trusted-proxy", env = "MADO_TRUSTED_PROXIES", value_delimiter = ',', value_name = "IP|CIDR")]
    pub trusted_proxies: Vec<String>,
    /// Write one JSON line per request (time, peer, method, path, status, bytes, duration_ms) to PATH (appended), or to stdout with `-`. Off by default.
    #[arg(long, env = "MADO_ACCESS_LOG", value_name = "PATH|-")]
    pub access_log: Option<String>,
    /// Follow other providers' sources: a TOML file of `[[source]]` (id, kind = statuspage|ical, url, interval, map or function), polled with conditional requests; their notices join the schedule (docs/providers.md).
    #[arg(long, value_name = "FILE")]
    pub follow: Option<PathBuf>,
    /// Where --follow keeps each source's last good copy (default: DIR.follow beside --schedules DIR).
    #[arg(long, value_name = "DIR", requires = "follow")]
    pub follow_dir: Option<PathBuf>,
}

/// What `mado export` writes.
#[derive(Subcommand)]
pub enum Export {
    /// Alertmanager `time_intervals` YAML: one named interval per function, to use in
    /// `mute_time_intervals`.
    #[command(
        after_help = "Example:\n  mado export alertmanager --function webcollect.credit_card --from now --to 90d > mado-intervals.yml\n\nPaste the `time_intervals:` list into alertmanager.yml and mute a route with\n  mute_time_intervals: [webcollect.credit_card]\nTentative windows (times not announced) are listed as comments, not muted.\nExit status: 0, or 2 on error."
    )]
    Alertmanager {
        /// Only this function (an id, a unique part of one, a label or an alias) [default: one
        /// interval per function of the catalogue].
        #[arg(long, value_name = "FUNCTION")]
        function: Option<String>,
        /// Start of the range (Asia/Tokyo): `23:30` (the next one), `tonight 23:30`, `tomorrow 02:00`, `mon 01:00`, `+2h`, `明日 2:00`, `11月13日 3:00`, a local `2023-11-13 03:00`, RFC 3339, or `now`.
        #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
        from: String,
        /// End of the range (exclusive), an instant or a length after --from such as `90d` [default: 90d].
        #[arg(long, value_name = "INSTANT|LENGTH", allow_hyphen_values = true)]
        to: Option<String>,
        /// Count only notices known at this instant.
        #[arg(long, default_value = "now", value_name = "INSTANT", allow_hyphen_values = true)]
        as_of: String,
        /// Schedules directory, or a file `mado compile` wrote (default: the schedules embedded at build time).
        #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
        schedules: Option<PathBuf>,
    },
}

/// What `mado alertmanager` does.
#[derive(Subcommand)]
pub enum Alertmanager {
    /// One silence per confirmed one-off window and function (Alertmanager v2 API): created
    /// ahead of the window, expired and made again when a revision moves it, expired when it
    /// is cancelled or postponed. Only silences mado made (createdBy "mado") are touched.
    #[command(
        after_help = "Example:\n  mado alertmanager sync --url http://127.0.0.1:9093 --dry-run\n\nRun it from cron (e.g. every 5 minutes) to pick up new notices.\nExit status: 0, or 2 on error."
    )]
    Sync {
        /// Alertmanager's address, e.g. `http://127.0.0.1:9093`.
        #[arg(long, value_name = "URL")]
        url: String,
        /// Print what would be created and expired, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// The alert label that names the function: each silence matches `LABEL="<function id>"`.
        #[arg(long, default_value = "function", value_name = "LABEL")]
        label: String,
        /// Windows starting within this many days.
        #[arg(long, default_value_t = 90, value_name = "DAYS")]
        days: i64,
        /// Where mado's pages are served: each comment links `<URL>/notices/<id>` (default: the notice's own address).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Schedules directory, or a file `mado compile` wrote (default: the schedules embedded at build time).
        #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
        schedules: Option<PathBuf>,
    },
}

/// `--recheck`: `30s`, `5m`, `1h`, `500ms`, or `0` (off).
pub fn duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    if t == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("`{text}` is not a duration; expected e.g. `30s`, `5m` or `500ms`"))?;
    let ms = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("`{text}` is not a duration; expected a number and a unit (ms, s, m, h), e.g. `30s`")),
    };
    n.checked_mul(ms).map(std::time::Duration::from_millis).ok_or_else(|| format!("`{text}` is too long"))
}

/// `--read-timeout`: a duration above zero.
pub fn positive_duration(text: &str) -> Result<std::time::Duration, String> {
    match duration(text)? {
        d if d.is_zero() => Err(format!("`{text}`: expected a duration above zero, e.g. `5s`")),
        d => Ok(d),
    }
}

/// `--max-file-size`: bytes, or a number with KiB, MiB or GiB (K, M, G alike).
pub fn size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("`{text}` is not a size; expected e.g. `4MiB`, `512KiB` or a number of bytes"))?;
    let shift = match unit.trim() {
        "" | "B" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        _ => return Err(format!("`{text}` is not a size; expected a number and KiB, MiB or GiB, e.g. `4MiB`")),
    };
    match n.checked_mul(1 << shift) {
        Some(0) => Err(format!("`{text}`: expected a size above zero, e.g. `4MiB`")),
        Some(v) => Ok(v),
        None => Err(format!("`{text}` is too large")),
    }
}

/// `--max-drop`: a percentage, `0%` to `100%` (the `%` may be left out); as a share, 0 to 1.
pub fn percent(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let n: f64 =
        t.strip_suffix('%').unwrap_or(t).trim().parse().map_err(|_| format!("`{text}` is not a percentage; expected e.g. `50%`"))?;
    if !(0.0..=100.0).contains(&n) {
        return Err(format!("`{text}`: expected 0% to 100%"));
    }
    Ok(n / 100.0)
}
