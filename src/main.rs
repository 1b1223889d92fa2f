//! The `mado` command line: check, windows, functions, validate, serve.

use anyhow::{Context, Result};
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use mado::{time, Query, Schedule, Status, WindowsQuery};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mado",
    version,
    about = "Maintenance windows of Kuroneko Web Collect: is a function available at an instant, as known at another?"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Args)]
struct Common {
    /// Schedules directory (default: the schedules embedded at build time).
    #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
    schedules: Option<PathBuf>,
    /// Zone for local instants in input and for output.
    #[arg(long, default_value = "Asia/Tokyo", value_name = "ZONE")]
    tz: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Subcommand)]
enum Command {
    /// Is FUNCTION available? Exit 0 available, 1 unavailable, 3 tentative, 2 error.
    Check {
        /// Function id, e.g. webcollect.credit_card (`mado functions` lists them).
        function: String,
        /// The instant asked about: RFC 3339, a local `2023-11-13 03:00` (in --tz), or `now`.
        #[arg(long, default_value = "now", value_name = "INSTANT")]
        at: String,
        /// Count only notices known at this instant.
        #[arg(long, default_value = "now", value_name = "INSTANT")]
        as_of: String,
        /// Lookahead: the answer covers all of [at, at + DURATION), e.g. 15m or 2h.
        #[arg(long = "for", value_name = "DURATION")]
        lookahead: Option<String>,
        /// Report what this channel shows (link, mail, token_embedded, token_modal, api).
        #[arg(long, value_name = "CHANNEL")]
        channel: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// List window occurrences overlapping [from, to), sorted by start, and delays.
    Windows {
        /// Start of the range (default: now).
        #[arg(long, default_value = "now", value_name = "INSTANT")]
        from: String,
        /// End of the range (default: 31 days after --from).
        #[arg(long, value_name = "INSTANT")]
        to: Option<String>,
        /// Only windows that affect this function.
        #[arg(long, value_name = "FUNCTION")]
        function: Option<String>,
        /// Count only notices known at this instant.
        #[arg(long, default_value = "now", value_name = "INSTANT")]
        as_of: String,
        /// At most this many windows; the output says when it cut the list.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Serve the JSON API and the iCalendar feed over HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Schedules directory (default: the schedules embedded at build time).
        #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
        schedules: Option<PathBuf>,
        /// Reload when files under --schedules change (SIGHUP reloads too).
        #[arg(long)]
        watch: bool,
        /// Ceiling for Cache-Control max-age, in seconds.
        #[arg(long, default_value_t = 60)]
        max_age: u64,
        /// Per-request timeout, in seconds.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
        /// Also serve /bench/baseline (a constant body the size of an answer), for bench/.
        #[arg(long, hide = true)]
        bench_baseline: bool,
    },
    /// The iCalendar feed (what `GET /calendar.ics` serves).
    Calendar {
        /// Only windows that affect this function.
        #[arg(long, value_name = "FUNCTION")]
        function: Option<String>,
        /// Language of summaries and descriptions.
        #[arg(long, value_parser = ["ja", "en"], default_value = "ja")]
        lang: String,
        /// Schedules directory (default: the schedules embedded at build time).
        #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
        schedules: Option<PathBuf>,
    },
    /// The function and channel catalogue.
    Functions {
        #[command(flatten)]
        common: Common,
    },
    /// Load and check a schedules directory, or one notice file together with the embedded
    /// (or --schedules) schedules. Default: the embedded schedules. Exit 0 or 2.
    Validate {
        /// A schedules directory, or a single notice file.
        path: Option<PathBuf>,
        /// With a single file: the schedules it joins (default: embedded).
        #[arg(long, env = "MADO_SCHEDULES", value_name = "DIR")]
        schedules: Option<PathBuf>,
    },
}

fn load(dir: Option<&PathBuf>) -> Result<Schedule> {
    Schedule::load(dir.map(PathBuf::as_path)).with_context(|| match dir {
        Some(d) => format!("loading schedules from {}", d.display()),
        None => "loading the embedded schedules".to_string(),
    })
}

/// Parses an INSTANT argument, naming the flag in the error.
fn instant(text: &str, zone: Tz, now: mado::time::Instant, flag: &'static str) -> Result<mado::time::Instant> {
    time::parse_instant(text, zone, now).map_err(anyhow::Error::msg).context(flag)
}

fn zone(c: &Common) -> Result<Tz> {
    time::parse_zone(&c.tz).map_err(anyhow::Error::msg).context("--tz")
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    // The same serializer as the HTTP API.
    print!("{}", mado::server::to_json(v));
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    let now = time::now();
    match cli.command {
        Command::Check { function, at, as_of, lookahead, channel, common } => {
            let zone = zone(&common)?;
            let schedule = load(common.schedules.as_ref())?;
            let mut q = Query::new(function, instant(&at, zone, now, "--at")?).as_of(instant(&as_of, zone, now, "--as-of")?).zone(zone);
            if let Some(d) = lookahead {
                q = q.lookahead(time::parse_duration(&d).map_err(anyhow::Error::msg).context("--for")?);
            }
            if let Some(c) = channel {
                q = q.channel(c);
            }
            let answer = schedule.check(&q)?;
            match common.format {
                Format::Json => print_json(&answer)?,
                Format::Text => print!("{}", mado::render::answer(&answer, zone)),
            }
            Ok(ExitCode::from(match answer.status {
                Status::Available => 0,
                Status::Unavailable => 1,
                Status::Tentative => 3,
            }))
        }
        Command::Windows { from, to, function, as_of, limit, common } => {
            let zone = zone(&common)?;
            let schedule = load(common.schedules.as_ref())?;
            let from = instant(&from, zone, now, "--from")?;
            let to = match to {
                Some(t) => instant(&t, zone, now, "--to")?,
                None => from + chrono::Duration::days(31),
            };
            anyhow::ensure!(to > from, "--to must be after --from; the range is [from, to)");
            let as_of = instant(&as_of, zone, now, "--as-of")?;
            let list = schedule.windows(&WindowsQuery { from, to, function, as_of, limit, zone })?;
            match common.format {
                Format::Json => print_json(&list)?,
                Format::Text => print!("{}", mado::render::window_list(&list, zone)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { addr, schedules, watch, max_age, timeout, bench_baseline } => {
            anyhow::ensure!(!watch || schedules.is_some(), "--watch needs --schedules DIR (the embedded schedules cannot change)");
            let config = mado::server::Config {
                schedules,
                max_age,
                timeout: std::time::Duration::from_secs(timeout),
                baseline_route: bench_baseline,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(mado::server::serve(addr, config, watch))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar { function, lang, schedules } => {
            let schedule = load(schedules.as_ref())?;
            let lang = if lang == "en" { mado::ical::Lang::En } else { mado::ical::Lang::Ja };
            let opts = mado::ical::FeedOptions { function, lang, now, refresh: chrono::Duration::hours(1) };
            print!("{}", mado::ical::feed(&schedule, &opts)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Functions { common } => {
            let schedule = load(common.schedules.as_ref())?;
            match common.format {
                Format::Json => print_json(&mado::catalogue_json(schedule.catalogue()))?,
                Format::Text => print!("{}", mado::render::catalogue(schedule.catalogue())),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { path, schedules } => {
            let schedule = match path {
                Some(p) if p.is_file() => {
                    let mut files = match &schedules {
                        Some(d) => mado::read_dir_sources(d)?,
                        None => mado::embedded_sources(),
                    };
                    let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                    files.push(mado::SourceFile { name: p.display().to_string(), text });
                    Schedule::from_sources(files).with_context(|| format!("checking {}", p.display()))?
                }
                other => load(other.as_ref().or(schedules.as_ref()))?,
            };
            println!("ok: {} notices, {} indexed window occurrences", schedule.notices().len(), schedule.indexed_len());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MADO_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
