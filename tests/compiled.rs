//! The compiled form (`mado compile`, `mado::compiled`): a schedule read back from it answers
//! exactly as the schedule read from its TOML — every function, at every window boundary and
//! one second either side, as known before, at and after each publication — lists the same
//! windows and writes the same feed; a damaged, cut-off, foreign or other-version file is
//! refused with a message naming it and why, and its directory's TOML is read instead when
//! it is there.
use chrono::{DateTime, Duration, Utc};
use mado::{compiled, ical, Lang, LoadError, Query, Schedule, SourceFile, WindowsQuery};
use std::path::Path;

fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&Utc)
}

/// Every instant where an answer can change, as the TOML-loaded schedule lists them, with
/// one second either side; and every publication, as as-of instants.
fn grid(s: &Schedule) -> (Vec<DateTime<Utc>>, Vec<DateTime<Utc>>) {
    let mut q = WindowsQuery::new(instant("2019-01-01T00:00:00Z"), instant("2036-01-01T00:00:00Z"));
    q.as_of = instant("2036-01-01T00:00:00Z").into();
    q.limit = 10_000;
    let list = s.windows(&q).expect("windows");
    let mut at = Vec::new();
    for w in &list.windows {
        for t in [w.start.with_timezone(&Utc), w.end.with_timezone(&Utc)] {
            at.extend([t - Duration::seconds(1), t, t + Duration::seconds(1)]);
        }
    }
    at.sort();
    at.dedup();
    let mut as_of: Vec<DateTime<Utc>> =
        s.notices().iter().flat_map(|n| [*n.known_from() - Duration::seconds(1), *n.known_from()]).collect();
    as_of.push(instant("2036-01-01T00:00:00Z"));
    as_of.sort();
    as_of.dedup();
    (at, as_of)
}

/// Compares every answer; returns how many were compared.
fn same_answers(toml: &Schedule, back: &Schedule, step: usize) -> usize {
    let (at, as_of) = grid(toml);
    let mut n = 0;
    for f in toml.catalogue().functions() {
        for (i, t) in at.iter().enumerate().step_by(step) {
            let a = as_of[i % as_of.len()];
            let mut q = Query::new(f.id(), *t);
            q.as_of = a.into();
            q.lang = if i % 2 == 0 { Lang::Ja } else { Lang::En };
            let want = serde_json::to_value(toml.check(&q).expect("answer")).expect("json");
            let got = serde_json::to_value(back.check(&q).expect("answer")).expect("json");
            assert_eq!(want, got, "{} at {t} as of {a}", f.id());
            n += 1;
        }
    }
    n
}

fn same_lists_and_feed(toml: &Schedule, back: &Schedule) {
    for as_of in ["2021-01-01T00:00:00Z", "2023-11-01T00:00:00Z", "2036-01-01T00:00:00Z"] {
        let mut q = WindowsQuery::new(instant("2019-01-01T00:00:00Z"), instant("2036-01-01T00:00:00Z"));
        q.as_of = instant(as_of).into();
        q.limit = 10_000;
        let want = serde_json::to_value(toml.windows(&q).expect("list")).expect("json");
        assert_eq!(want, serde_json::to_value(back.windows(&q).expect("list")).expect("json"), "windows as of {as_of}");
    }
    let opts = ical::FeedOptions {
        function: None,
        lang: Lang::En,
        now: instant("2023-11-13T00:00:00Z").into(),
        refresh: Duration::hours(1),
        base_url: Some("https://mado.example".into()),
    };
    assert_eq!(ical::feed(toml, &opts).expect("feed"), ical::feed(back, &opts).expect("feed"));
    assert_eq!(toml.content_hash(), back.content_hash());
    assert_eq!(toml.catalogue().functions().len(), back.catalogue().functions().len());
    let now = instant("2023-11-13T00:00:00Z");
    assert_eq!(toml.warnings(now.into()), back.warnings(now.into()));
}

fn round_trip(files: Vec<SourceFile>) -> (Schedule, Schedule) {
    let toml = Schedule::from_sources(files).expect("loads");
    let bytes = compiled::compile(&toml, None).expect("compiles");
    assert!(compiled::is_compiled(&bytes));
    let back = compiled::load_compiled(Path::new("s.mado"), &bytes).expect("loads back");
    (toml, back)
}

#[test]
fn the_seeds_answer_the_same_from_their_compiled_form() {
    let (toml, back) = round_trip(mado::embedded_sources());
    let n = same_answers(&toml, &back, 5);
    eprintln!("{n} answers compared");
    assert!(n > 1_000, "only {n} answers compared");
    same_lists_and_feed(&toml, &back);
}

#[test]
fn generated_schedules_answer_the_same_from_their_compiled_form() {
    // Revisions of every kind, tentative days, bounded and unbounded rules, occurrence changes.
    for seed in [1, 7, 42] {
        let (toml, back) = round_trip(mado::synth::notices(150, seed));
        assert_eq!(toml.indexed_len(), back.indexed_len());
        let n = same_answers(&toml, &back, 11);
        eprintln!("seed {seed}: {n} answers compared");
        assert!(n > 1_000, "seed {seed}: only {n} answers compared");
        same_lists_and_feed(&toml, &back);
    }
}

/// The embedded schedules written out as a directory: the temporary directory, and the
/// schedules directory in it.
fn seeds_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    for f in mado::embedded_sources() {
        let p = dir.path().join(&f.name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
        std::fs::write(p, f.text).expect("write");
    }
    let sched = dir.path().join("schedules");
    (dir, sched)
}

fn refused(bytes: &[u8]) -> String {
    match compiled::load_compiled(Path::new("/nowhere/s.mado"), bytes) {
        Err(LoadError::Invalid(d)) => {
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].file, "/nowhere/s.mado");
            d[0].message.clone()
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a bad file loaded"),
    }
}

#[test]
fn a_bad_file_is_refused_naming_why() {
    let s = Schedule::embedded().expect("seeds");
    let good = compiled::compile(&s, None).expect("compiles");
    let table: Vec<(&str, Vec<u8>, &str)> = vec![
        ("toml", b"id = \"x\"\n".to_vec(), "is not a compiled mado schedule"),
        ("empty", Vec::new(), "is not a compiled mado schedule"),
        ("header only", good[..20].to_vec(), "cut-off header"),
        ("cut off", good[..good.len() - 10].to_vec(), "cut off or appended to"),
        ("appended", [good.clone(), b"x".to_vec()].concat(), "cut off or appended to"),
        (
            "one byte flipped",
            {
                let mut b = good.clone();
                let i = b.len() - 100;
                b[i] ^= 0x20;
                b
            },
            "is damaged: its checksum",
        ),
        (
            "other format",
            {
                let mut b = good.clone();
                b[16] = b[16].wrapping_add(1);
                b
            },
            "compiled format",
        ),
        (
            "other version",
            {
                let mut b = good.clone();
                b[22] = b'9';
                b
            },
            "was written by mado 9",
        ),
    ];
    for (name, bytes, want) in table {
        let got = refused(&bytes);
        assert!(got.contains(want), "{name}: {got}");
        assert!(got.contains("mado compile") || got.contains("give a schedules directory"), "{name}: says what to do: {got}");
    }
}

/// The seeds written out as a directory, their schedule, and its compiled form with its last
/// byte changed (a file that fails its checksum).
fn damaged_seeds() -> (tempfile::TempDir, std::path::PathBuf, Schedule, Vec<u8>) {
    let (dir, sched) = seeds_dir();
    let s = Schedule::from_dir(&sched).expect("loads");
    let mut bytes = compiled::compile(&s, Some(&sched)).expect("compiles");
    let i = bytes.len() - 1;
    bytes[i] ^= 1;
    (dir, sched, s, bytes)
}

#[test]
fn a_stale_file_reads_the_toml_of_its_directory_instead() {
    let (dir, sched, s, bytes) = damaged_seeds();
    let file = dir.path().join("s.mado");
    std::fs::write(&file, &bytes).expect("write");
    let back = Schedule::load(Some(&file)).expect("reads the directory instead");
    let why: Vec<String> = back.load_warnings_of(&file.display().to_string()).map(|w| w.message.clone()).collect();
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(why[0].contains("is damaged") && why[0].contains("reading the TOML under"), "{}", why[0]);
    assert_eq!(back.content_hash(), s.content_hash());
    // The intact file loads as itself, with no warning.
    std::fs::write(&file, compiled::compile(&s, Some(&sched)).expect("compiles")).expect("write");
    let good = Schedule::load(Some(&file)).expect("loads");
    assert_eq!(good.load_warnings_of(&file.display().to_string()).count(), 0);
}

#[test]
fn a_server_never_falls_back_from_a_damaged_file_to_its_directory() {
    // The directory may hold edits no one compiled yet: the strict load refuses.
    let (_dir, _sched, _s, bytes) = damaged_seeds();
    match compiled::load_compiled_strict(Path::new("s.mado"), &bytes) {
        Err(LoadError::Invalid(d)) => assert!(d[0].message.contains("is damaged"), "{}", d[0].message),
        other => panic!("loaded: {:?}", other.map(|s| s.notices().len())),
    }
}

#[cfg(feature = "cli")]
#[test]
fn compile_will_not_replace_a_device_a_toml_file_or_a_file_in_the_schedules() {
    let (dir, sched) = seeds_dir();
    let catalogue = sched.join("functions.toml");
    let before = std::fs::read(&catalogue).expect("catalogue");
    for (out, why) in [
        (Path::new("/dev/null").to_path_buf(), "not a regular file"),
        (catalogue.clone(), ".toml"),
        (sched.join("notices").join("x.mado"), "inside the schedules directory"),
        (dir.path().to_path_buf(), "not a regular file"),
    ] {
        let run =
            std::process::Command::new(env!("CARGO_BIN_EXE_mado")).arg("compile").arg(&sched).arg("-o").arg(&out).output().expect("runs");
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{}: {err}", out.display());
        assert!(err.contains(why), "{}: {err}", out.display());
    }
    assert_eq!(std::fs::read(&catalogue).expect("catalogue"), before, "the catalogue is untouched");
    assert!(!std::fs::metadata("/dev/null").expect("null").file_type().is_file());
    let ok = dir.path().join("s.mado");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_mado")).arg("compile").arg(&sched).arg("-o").arg(&ok).output().expect("runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(compiled::is_compiled(&std::fs::read(&ok).expect("written")));
}

#[cfg(feature = "cli")]
#[test]
fn serve_with_a_compiled_file_refuses_follow_at_start() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("s.mado");
    std::fs::write(&file, compiled::compile(&Schedule::embedded().expect("seeds"), None).expect("compiles")).expect("write");
    let follow = dir.path().join("follow.toml");
    std::fs::write(
        &follow,
        "[[source]]\nid = \"acme\"\nkind = \"statuspage\"\nurl = \"http://127.0.0.1:9/x.json\"\nfunction = \"webcollect\"\n",
    )
    .expect("write");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["serve", "--addr", "127.0.0.1:0", "--schedules"])
        .arg(&file)
        .arg("--follow")
        .arg(&follow)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot take followed sources"), "{err}");
}

#[test]
fn the_cli_says_why_it_read_the_toml_instead_as_text_or_as_json() {
    let (dir, _sched, _s, bytes) = damaged_seeds();
    let file = dir.path().join("s.mado");
    std::fs::write(&file, &bytes).expect("write");
    let check = |format: &str| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_mado"))
            .args(["check", "webcollect.credit_card", "--at", "2023-11-13T03:00+09:00", "--format", format, "--schedules"])
            .arg(&file)
            .output()
            .expect("runs");
        // Answered from the directory: card payment is down during the 2023-11-13 upgrade.
        assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    let text = check("text");
    assert!(text.starts_with("warning: ") && text.contains("is damaged") && text.contains("reading the TOML under"), "{text}");
    let json = check("json");
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(lines.len(), 1, "{json}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("one JSON object");
    assert!(v["warning"].as_str().is_some_and(|w| w.contains("is damaged")), "{v}");
    assert_eq!(v["file"].as_str(), Some(file.display().to_string().as_str()), "{v}");
}

#[test]
fn validate_checks_a_compiled_file_as_itself() {
    let (dir, sched, s, bytes) = damaged_seeds();
    let validate = |file: &Path| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_mado")).arg("validate").arg(file).output().expect("runs");
        (run.status.code(), String::from_utf8_lossy(&run.stdout).into_owned(), String::from_utf8_lossy(&run.stderr).into_owned())
    };
    let good = dir.path().join("good.mado");
    std::fs::write(&good, compiled::compile(&s, Some(&sched)).expect("compiles")).expect("write");
    let (code, out, err) = validate(&good);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, format!("ok: {} notices, {} indexed window occurrences\n", s.notices().len(), s.indexed_len()));
    // Damaged: refused with the reason, not read as a notice (nor its directory read instead).
    let bad = dir.path().join("bad.mado");
    std::fs::write(&bad, &bytes).expect("write");
    let (code, _, err) = validate(&bad);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is damaged") && !err.contains("UTF-8") && !err.contains("reading the TOML"), "{err}");
}
