//! The `mado` command line: check, windows, functions, validate, calendar, serve.
//!
//! May use everything in the library; owns the terminal (output, exit codes, logging).

mod alertmanager;
mod args;
mod draft;
mod human;
mod import;

use anyhow::{Context, Result};
use args::{CheckArgs, Cli, Command, Format, NextArgs, ServeArgs, Source, StatusArgs, WindowsArgs, Zone};
use chrono_tz::Tz;
use clap::{CommandFactory, Parser};
use mado::time::Instant;
use mado::views::{json, text};
use mado::{time, Lang, Query, Schedule, Status, WindowsQuery};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The schedule for this one command. It lives until the process exits (leaked, not
/// dropped): the exit returns the memory at once, where dropping walks every notice (a few
/// milliseconds at 10,000 notices, docs/engineering.md "Scale").
fn load(dir: Option<&PathBuf>) -> Result<&'static Schedule> {
    if dir.is_none() {
        warn_if_stale();
    }
    let schedule = Schedule::load(dir.map(PathBuf::as_path)).with_context(|| match dir {
        Some(d) => format!("loading schedules from {}", d.display()),
        None => "loading the embedded schedules".to_string(),
    })?;
    let schedule: &'static Schedule = Box::leak(Box::new(schedule));
    // A compiled file refused for its directory's TOML: say why, once, on stderr.
    if let Some(f) = dir.filter(|d| d.is_file()) {
        for w in schedule.load_warnings_of(&f.display().to_string()) {
            eprintln!("{}", warning_line(w));
        }
    }
    Ok(schedule)
}

/// The format of what goes to stderr: errors and warnings are JSON under `--format json`.
static STDERR_FORMAT: std::sync::OnceLock<Format> = std::sync::OnceLock::new();

/// A warning for stderr: `warning: …` on one line, or under `--format json` one JSON object
/// on one line, `{"warning": …, "file": …}`, so that a script reading stderr as JSON can.
fn warning_line(w: &mado::Diagnostic) -> String {
    match STDERR_FORMAT.get() {
        Some(Format::Json) => json_safe(serde_json::json!({ "warning": w.message, "file": w.file }).to_string()),
        _ => format!("warning: {}", text::visible_line(&w.to_string())),
    }
}

/// What `mado compile` will not replace: anything but a regular file (a device, a FIFO, a
/// directory), a TOML file, or a file inside the schedules directory it reads.
fn refuse_output(dir: &std::path::Path, out: &std::path::Path) -> Result<()> {
    let refuse = |why: &str| {
        Err(anyhow::anyhow!(
            "will not write the compiled schedule to {}: {why}; give a new file outside the schedules directory, e.g. `-o schedules.mado`",
            out.display()
        ))
    };
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        return refuse("it is named like a schedule file (.toml)");
    }
    if let Ok(meta) = std::fs::symlink_metadata(out) {
        if !meta.is_file() {
            return refuse("it is not a regular file");
        }
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if let (Ok(p), Ok(d)) = (std::fs::canonicalize(parent), std::fs::canonicalize(dir)) {
        if p.starts_with(&d) {
            return refuse("it is inside the schedules directory, which would read it as a schedule file next time");
        }
    }
    Ok(())
}

/// `mado compile DIR -o FILE`: the schedule's compiled form, written to a temporary file
/// beside FILE and renamed over it.
fn compile(dir: &std::path::Path, out: &std::path::Path, format: Format) -> Result<ExitCode> {
    let source = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    refuse_output(&source, out)?;
    let schedule = Schedule::from_dir(dir).with_context(|| format!("loading schedules from {}", dir.display()))?;
    let bytes = mado::compiled::compile(&schedule, Some(&source)).map_err(anyhow::Error::msg)?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "schedule".into());
    let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
    if let Err(e) = std::fs::rename(&tmp, out) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("replacing {}", out.display()));
    }
    let summary = serde_json::json!({
        "ok": true,
        "file": out.display().to_string(),
        "bytes": bytes.len(),
        "notices": schedule.notices().len(),
        "indexed_occurrences": schedule.indexed_len(),
        "content_hash": format!("{:016x}", schedule.content_hash()),
    });
    print(format, &summary, |_| {
        format!(
            "compiled {} notices ({} indexed window occurrences) into {}: {} bytes\n",
            schedule.notices().len(),
            schedule.indexed_len(),
            out.display(),
            bytes.len()
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Run from a checkout whose `schedules/` differs from the copy built in, the answers would
/// silently miss the new notices: say so.
fn warn_if_stale() {
    let dir = std::path::Path::new("schedules");
    if !dir.join(mado::CATALOGUE_FILE).is_file() {
        return;
    }
    let Ok(mut here) = mado::read_dir_sources(dir) else { return };
    let mut built = mado::embedded_sources();
    here.sort_by(|a, b| a.name.cmp(&b.name));
    built.sort_by(|a, b| a.name.cmp(&b.name));
    if here != built {
        eprintln!(
            "warning: ./schedules differs from the schedules embedded in this binary (built {}); answering from the embedded ones: pass --schedules schedules (or rebuild) to use the files",
            mado::EMBEDDED_BUILT
        );
    }
}

/// The schedule's source, for the last line of text answers.
fn origin(schedule: &Schedule, dir: Option<&PathBuf>, lang: Lang) -> String {
    mado::describe_source(dir.map(PathBuf::as_path), schedule.notices().len(), lang)
}

fn zone(z: &Zone) -> Result<Tz> {
    time::parse_zone(&z.tz).map_err(anyhow::Error::msg).context("--tz")
}

fn lang(z: &Zone) -> Lang {
    z.lang.as_deref().and_then(|l| Lang::parse(l).ok()).unwrap_or_else(Lang::from_env)
}

/// Writes to stdout; a closed pipe (`mado windows | head -1`) ends the output quietly, as
/// `grep` and `ls` do, and the exit status stays the one the answer gives.
fn out(s: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}

/// JSON for a terminal: serde_json already escapes C0 controls; DEL, C1 controls, the line
/// and paragraph separators and the bidirectional overrides are escaped too (`\u009b`).
/// They can only be inside strings (the rest of JSON is ASCII), so the escape is valid JSON.
fn json_safe(json: String) -> String {
    if !json.chars().any(text::is_hostile) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if text::is_hostile(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn print<T: serde::Serialize>(format: Format, value: &T, as_text: impl FnOnce(&T) -> String) -> Result<()> {
    match format {
        Format::Json => out(&json_safe(json::to_json(value))),
        // The views already show every control character in a value; this is the backstop.
        Format::Text => out(&text::visible(&as_text(value))),
    }
}

/// A fixed clock: `--now`, else `MADO_NOW`; `mado serve` takes it only from the flag.
fn clock(flag: Option<String>, serving: bool) -> Result<Option<time::Instant>> {
    let env = std::env::var("MADO_NOW").ok().filter(|v| !v.is_empty());
    anyhow::ensure!(!serving || flag.is_some() || env.is_none(), "MADO_NOW is set, but mado serve fixes its clock only with --now");
    flag.or(env).map(|t| mado::server::parse_clock(&t).map_err(anyhow::Error::msg).context("--now")).transpose()
}

fn run(command: Command, fixed: Option<String>) -> Result<ExitCode> {
    let fixed = clock(fixed, matches!(command, Command::Serve(_)))?;
    let now = fixed.unwrap_or_else(time::now);
    match command {
        Command::Check(a) => check(a, now),
        Command::Windows(a) => windows(a, now),
        Command::Status(a) => status(a, now),
        Command::Next(a) => next(a, now),
        Command::Serve(a) => serve(a, fixed),
        Command::Calendar { function, lang, schedules, format: _, base_url, profile } => {
            let schedule = load(schedules.as_ref())?;
            let function = function.map(|f| human::function(schedule, &f)).transpose()?;
            let lang = Lang::parse(&lang).unwrap_or_default(); // clap allows only ja and en
            let opts = mado::ical::FeedOptions { function, lang, now, refresh: chrono::Duration::hours(1), base_url };
            let profile = mado::views::maintnote::Profile::parse(&profile).map_err(anyhow::Error::msg)?;
            out(&mado::ical::feed_as(schedule, &opts, profile)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(e) => export(e, now),
        Command::Alertmanager(args::Alertmanager::Sync { url, dry_run, label, days, base_url, schedules }) => {
            alertmanager::sync(load(schedules.as_ref())?, &alertmanager::SyncOptions { url, dry_run, label, days, base_url }, now)
        }
        Command::Diff { file, source } => draft::diff(&file, &source),
        Command::Draft { files, out, source } => draft::draft(&files, out.as_deref(), &source),
        Command::Import { file, map, function, prefix, out, source } => {
            import::run(&file, &import::Mapping::new(&map, function)?, &prefix, out.as_deref(), &source)
        }
        Command::Compile { dir, out, format } => compile(&dir, &out, format),
        Command::Functions { source } => {
            let schedule = load(source.schedules.as_ref())?;
            match source.format {
                Format::Json => out(&json_safe(json::to_json(&mado::catalogue_json(schedule.catalogue()))))?,
                Format::Text => out(&text::visible(&text::catalogue(schedule.catalogue())))?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { path, source } => {
            let schedule = validate(path, &source)?;
            let warnings = schedule.warnings(now);
            if source.format == Format::Text {
                let mut stderr = std::io::stderr().lock();
                for w in &warnings {
                    let _ = writeln!(stderr, "warning: {}", text::visible_line(&w.to_string()));
                }
            }
            let summary = serde_json::json!({
                "ok": true,
                "warnings": warnings.iter().map(|w| serde_json::json!({"file": w.file, "line": w.line, "column": w.column, "message": w.message})).collect::<Vec<_>>(),
                "notices": schedule.notices().len(),
                "indexed_occurrences": schedule.indexed_len(),
            });
            print(source.format, &summary, |_| {
                format!("ok: {} notices, {} indexed window occurrences\n", schedule.notices().len(), schedule.indexed_len())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut completing(), "mado", &mut buf);
            out(&String::from_utf8_lossy(&buf))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            // mado(1), then one page per subcommand (mado-check(1), …), as `man` reads them
            // from one stream: every option, form and exit status the help gives.
            let mut buf = Vec::new();
            let cmd = Cli::command();
            clap_mangen::Man::new(cmd.clone()).render(&mut buf).context("rendering the man page")?;
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let name = format!("mado-{}", sub.get_name());
                clap_mangen::Man::new(sub.clone().name(name)).render(&mut buf).context("rendering a subcommand's man page")?;
            }
            out(&String::from_utf8_lossy(&buf))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What a query command reads first: its zone, the schedule it answers from, its language.
fn prepare(z: &Zone, source: &Source) -> Result<(Tz, &'static Schedule, Lang)> {
    Ok((zone(z)?, load(source.schedules.as_ref())?, lang(z)))
}

/// `mado check`.
fn check(a: CheckArgs, now: Instant) -> Result<ExitCode> {
    let CheckArgs { function, at, as_of, lookahead, channel, zone: z, source } = a;
    let (zone, schedule, lang) = prepare(&z, &source)?;
    let function = function.iter().map(|f| human::function(schedule, f)).collect::<Result<Vec<_>>>()?;
    let mut read = human::Reader::new(now, zone);
    let mut q = Query::new(function[0].clone(), read.instant("--at", &at)?).as_of(read.instant("--as-of", &as_of)?).zone(zone).lang(lang);
    if let Some(d) = lookahead {
        q = q.lookahead(time::parse_lookahead(&d).map_err(anyhow::Error::msg).context("--for")?);
    }
    if let Some(c) = channel {
        q = q.channel(c);
    }
    let origin = origin(schedule, source.schedules.as_ref(), lang);
    let status = if function.len() == 1 {
        let answer = schedule.check(&q)?;
        print(source.format, &answer, |a| text::answer(a, zone, lang) + &read.echo(lang) + &text::source_line(&origin, lang))?;
        answer.status
    } else {
        let set = schedule.check_each(&q, &function[1..])?;
        print(source.format, &set, |s| {
            s.answers.iter().map(|a| text::answer(a, zone, lang)).collect::<Vec<_>>().join("\n")
                + &read.echo(lang)
                + &text::source_line(&origin, lang)
        })?;
        set.status
    };
    Ok(ExitCode::from(match status {
        Status::Available => 0,
        Status::Unavailable => 1,
        Status::Tentative => 3,
    }))
}

/// `mado windows`.
fn windows(a: WindowsArgs, now: Instant) -> Result<ExitCode> {
    let WindowsArgs { from, to, function, expand, as_of, limit, with_children, zone: z, source } = a;
    let (zone, schedule, lang) = prepare(&z, &source)?;
    let mut read = human::Reader::new(now, zone);
    let from = read.instant("--from", &from)?;
    let to = read.end("--to", to.as_deref(), from, mado::limits::default_to(from) - from)?;
    anyhow::ensure!(to > from, "--to must be after --from; the range is [from, to)");
    let as_of = read.instant("--as-of", &as_of)?;
    let mut q = WindowsQuery::new(from, to).as_of(as_of).limit(limit).zone(zone).lang(lang).with_children(with_children);
    q.function = function.map(|f| human::function(schedule, &f)).transpose()?;
    let list = schedule.windows(&q)?;
    let origin = origin(schedule, source.schedules.as_ref(), lang);
    print_list(source.format, &list, |paint| {
        mado::views::list::window_list(schedule, &list, zone, lang, expand, paint) + &read.echo(lang) + &text::source_line(&origin, lang)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `mado status`.
fn status(a: StatusArgs, now: Instant) -> Result<ExitCode> {
    let StatusArgs { at, as_of, to, zone: z, source } = a;
    let (zone, schedule, lang) = prepare(&z, &source)?;
    let mut read = human::Reader::new(now, zone);
    let at = read.instant("--at", &at)?;
    let as_of = read.instant("--as-of", &as_of)?;
    let to = read.end("--to", to.as_deref(), at, chrono::Duration::days(7))?;
    anyhow::ensure!(to > at, "--to must be after --at; the windows coming are those in [at, to)");
    let ids: Vec<&str> = schedule.catalogue().functions().iter().map(|f| f.id()).collect();
    let Some((first, rest)) = ids.split_first() else { anyhow::bail!("the catalogue lists no function") };
    let q = Query::new(*first, at).as_of(as_of).zone(zone).lang(lang);
    let set = schedule.check_each(&q, rest)?;
    if source.format == Format::Json {
        out(&json_safe(json::to_json(&set)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let coming = schedule.windows(&WindowsQuery::new(at, to).as_of(as_of).zone(zone).lang(lang))?;
    let origin = origin(schedule, source.schedules.as_ref(), lang);
    print_list(Format::Text, &set, |paint| {
        mado::views::list::status_screen(schedule, &set, &coming, zone, lang, paint) + &read.echo(lang) + &text::source_line(&origin, lang)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `mado next`.
fn next(a: NextArgs, now: Instant) -> Result<ExitCode> {
    let NextArgs { function, from, to, as_of, expand, zone: z, source } = a;
    let (zone, schedule, lang) = prepare(&z, &source)?;
    let mut read = human::Reader::new(now, zone);
    let from = read.instant("--from", &from)?;
    let to = read.end("--to", to.as_deref(), from, mado::limits::default_to(from) - from)?;
    anyhow::ensure!(to > from, "--to must be after --from; the range is [from, to)");
    let as_of = read.instant("--as-of", &as_of)?;
    let mut q = WindowsQuery::new(from, to).as_of(as_of).zone(zone).lang(lang);
    q.function = function.map(|f| human::function(schedule, &f)).transpose()?;
    let list = schedule.windows(&q)?;
    let origin = origin(schedule, source.schedules.as_ref(), lang);
    print_list(source.format, &list, |paint| {
        mado::views::list::next_list(schedule, &list, zone, lang, expand, paint) + &read.echo(lang) + &text::source_line(&origin, lang)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `mado serve`.
fn serve(a: ServeArgs, fixed: Option<Instant>) -> Result<ExitCode> {
    let ServeArgs {
        addr,
        schedules,
        watch,
        recheck,
        read_timeout,
        max_file_size,
        max_drop,
        max_age,
        timeout,
        header_timeout,
        max_connections,
        max_connections_per_client,
        request_timeout,
        shutdown_grace,
        bench_baseline,
        public_url,
        trusted_hosts,
        trusted_proxies,
        access_log,
        follow,
        follow_dir,
    } = a;
    let follow = follow.map(|file| import::follow(&file, follow_dir, schedules.as_deref())).transpose()?;
    anyhow::ensure!(!watch || schedules.is_some(), "--watch needs --schedules DIR (the embedded schedules cannot change)");
    let links = mado::server::Links::new(public_url.as_deref(), &trusted_hosts, &trusted_proxies).map_err(anyhow::Error::msg)?;
    if !links.absolute() && !trusted_proxies.is_empty() {
        tracing::warn!("--trusted-proxy without --trusted-host or --public-url: no host is trusted, so absolute links (feed URLs, webcal://) are left out");
    }
    let access_log = match access_log.as_deref() {
        Some(target) => {
            Some(mado::server::AccessLog::open(target).with_context(|| format!("opening the access log `{target}` (--access-log)"))?)
        }
        None => None,
    };
    let config = mado::server::Config {
        schedules,
        max_age,
        timeout: std::time::Duration::from_secs(timeout),
        baseline_route: bench_baseline,
        header_timeout: std::time::Duration::from_secs(header_timeout),
        max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
        max_connections_per_client: usize::try_from(max_connections_per_client).unwrap_or(usize::MAX),
        request_timeout: std::time::Duration::from_secs(request_timeout),
        shutdown_grace: std::time::Duration::from_secs(shutdown_grace),
        links,
        access_log,
        recheck,
        read_timeout,
        max_file_size,
        max_drop,
        now: fixed,
        follow,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(mado::server::serve(&addr, config, watch));
    // Connections past the grace period are dropped with the runtime, without waiting.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    served?;
    Ok(ExitCode::SUCCESS)
}

/// The command with the catalogue's function ids, labels and aliases as the values a
/// FUNCTION completes to (from the embedded schedules; parsing never sees these).
fn completing() -> clap::Command {
    let values = Schedule::embedded().map(|s| human::completion_values(&s, Lang::from_env())).unwrap_or_default();
    let with = |a: clap::Arg| a.value_parser(clap::builder::PossibleValuesParser::new(values.clone()));
    Cli::command()
        .mut_subcommand("check", |c| c.mut_arg("function", with))
        .mut_subcommand("next", |c| c.mut_arg("function", with))
        .mut_subcommand("windows", |c| c.mut_arg("function", with))
        .mut_subcommand("calendar", |c| c.mut_arg("function", with))
        .mut_subcommand("export", |e| e.mut_subcommand("alertmanager", |c| c.mut_arg("function", with)))
}

/// Prints a list: JSON as every interface prints it, or text painted for a terminal (the
/// list views show every control character in a value themselves).
fn print_list<T: serde::Serialize>(format: Format, value: &T, as_text: impl FnOnce(mado::views::list::Paint) -> String) -> Result<()> {
    match format {
        Format::Json => out(&json_safe(json::to_json(value))),
        Format::Text => {
            let paint = human::painter(human::colour());
            out(&as_text(&paint))
        }
    }
}

/// `mado validate [PATH]`: a directory, or one notice file joined to the other schedules.
fn validate(path: Option<PathBuf>, source: &Source) -> Result<&'static Schedule> {
    match path {
        // A file `mado compile` wrote: checked as the server would read it, with no fallback
        // to the directory it names (what is checked is the file itself).
        Some(p) if p.is_file() && starts_compiled(&p) => {
            let bytes = mado::compiled::read_file(&p)?;
            let s = mado::compiled::load_compiled_strict(&p, &bytes).with_context(|| format!("checking {}", p.display()))?;
            Ok(Box::leak(Box::new(s)))
        }
        Some(p) if p.is_file() => {
            let files = match &source.schedules {
                Some(d) => mado::read_dir_sources(d)?,
                None => mado::embedded_sources(),
            };
            // An edited notice replaces the file at its path or with its id.
            let new = mado::read_source(&p).with_context(|| format!("checking {}", p.display()))?;
            Ok(Box::leak(Box::new(
                Schedule::from_sources(mado::replacing(files, new)).with_context(|| format!("checking {}", p.display()))?,
            )))
        }
        other => load(other.as_ref().or(source.schedules.as_ref())),
    }
}

/// Whether the file at `p` starts with the compiled form's header (unreadable: no; reading it
/// as a notice then says why).
fn starts_compiled(p: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(p).and_then(|f| f.take(16).read(&mut head)).unwrap_or(0);
    mado::compiled::is_compiled(&head[..n])
}

/// The format errors are reported in: the subcommand's `--format`.
fn error_format(c: &Command) -> Format {
    match c {
        Command::Check(CheckArgs { source, .. })
        | Command::Windows(WindowsArgs { source, .. })
        | Command::Status(StatusArgs { source, .. })
        | Command::Next(NextArgs { source, .. })
        | Command::Functions { source }
        | Command::Validate { source, .. }
        | Command::Diff { source, .. }
        | Command::Draft { source, .. }
        | Command::Import { source, .. } => source.format,
        Command::Calendar { format, .. } | Command::Compile { format, .. } => *format,
        _ => Format::Text,
    }
}

/// One error of a chain for the terminal: every control character in it shown
/// ([`text::visible_line`]); a schedule's problems one per line, so a value quoted in one
/// cannot start a line of its own.
fn shown_error(cause: &(dyn std::error::Error + 'static)) -> String {
    let whole = cause.to_string();
    match cause.downcast_ref::<mado::LoadError>() {
        Some(mado::LoadError::Invalid(problems)) => {
            let mut s = text::visible_line(whole.lines().next().unwrap_or("")).into_owned();
            for d in problems {
                s.push_str("\n  ");
                s.push_str(&text::visible_line(&d.to_string()));
            }
            s
        }
        _ => text::visible_line(&whole).into_owned(),
    }
}

fn report(e: &anyhow::Error, format: Format) {
    let diagnostics: Vec<mado::Diagnostic> =
        e.chain().find_map(|c| c.downcast_ref::<mado::LoadError>()).map(mado::LoadError::diagnostics).unwrap_or_default();
    let mut stderr = std::io::stderr().lock();
    let text = match format {
        Format::Json => json_safe(json::to_json(&serde_json::json!({
            "error": e.to_string(),
            "causes": e.chain().skip(1).map(ToString::to_string).collect::<Vec<_>>(),
            "diagnostics": diagnostics.iter().map(|d| serde_json::json!({"file": d.file, "line": d.line, "column": d.column, "message": d.message})).collect::<Vec<_>>(),
        }))),
        Format::Text => {
            let mut chain = e.chain();
            let mut s = format!("error: {}\n", chain.next().map(shown_error).unwrap_or_default());
            for cause in chain {
                s.push_str(&format!("  caused by: {}\n", shown_error(cause)));
            }
            s
        }
    };
    let _ = stderr.write_all(text.as_bytes());
}

/// A log value with its control characters escaped as Rust does (`\n`, `\u{1b}`): a value
/// quoted in a log line cannot start a line of its own or reach the terminal raw.
fn log_escaped(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(text::is_hostile) {
        return s.into();
    }
    s.chars().map(|c| if text::is_hostile(c) { c.escape_debug().to_string() } else { c.to_string() }).collect::<String>().into()
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MADO_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("MADO_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        use tracing_subscriber::field::MakeExt;
        // Every field and message escaped: a file name, a path or a message quoting a
        // schedule's text cannot forge a log line (`… INFO mado::server: reload ok`).
        let fields = tracing_subscriber::fmt::format::debug_fn(|w, field, value| {
            let value = format!("{value:?}");
            match field.name() {
                "message" => write!(w, "{}", log_escaped(&value)),
                name => write!(w, "{name}={}", log_escaped(&value)),
            }
        })
        .delimited(" ");
        builder.fmt_fields(fields).with_ansi(std::io::stderr().is_terminal()).init();
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let format = error_format(&cli.command);
    let _ = STDERR_FORMAT.set(format);
    match run(cli.command, cli.now) {
        Ok(code) => code,
        Err(e) => {
            report(&e, format);
            ExitCode::from(2)
        }
    }
}

/// `mado export alertmanager`.
fn export(e: args::Export, now: time::Instant) -> Result<ExitCode> {
    let args::Export::Alertmanager { function, from, to, as_of, schedules } = e;
    let zone = time::DEFAULT_ZONE;
    let schedule = load(schedules.as_ref())?;
    let function = function.map(|f| human::function(schedule, &f)).transpose()?;
    let mut read = human::Reader::new(now, zone);
    let from = read.instant("--from", &from)?;
    let to = read.end("--to", to.as_deref(), from, chrono::Duration::days(90))?;
    anyhow::ensure!(to > from, "--to must be after --from; the range is [from, to), e.g. --from 2023-11-01 --to 2023-12-01");
    anyhow::ensure!(
        to - from <= chrono::Duration::days(731),
        "--from to --to spans {} days; expected at most 731, e.g. --to 90d",
        (to - from).num_days()
    );
    let o = mado::views::alertmanager::ExportOptions { function, from, to, as_of: read.instant("--as-of", &as_of)? };
    out(&mado::views::alertmanager::time_intervals(schedule, &o)?)?;
    Ok(ExitCode::SUCCESS)
}
