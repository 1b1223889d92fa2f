//! The command-line contract: exit codes, JSON fields, text output (snapshots), errors.
use std::process::Command;

/// Output with the build date of the embedded schedules masked, so snapshots do not age.
fn stable(text: String) -> String {
    text.replace(mado::EMBEDDED_BUILT, "[build date]")
}

fn mado(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(args)
        .env_remove("MADO_SCHEDULES")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("run mado");
    (
        out.status.code().unwrap_or(-1),
        stable(String::from_utf8_lossy(&out.stdout).into_owned()),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_codes_follow_the_status() {
    let cases = [
        (vec!["check", "webcollect.credit_card", "--at", "2023-11-13T03:00+09:00", "--as-of", "2024-01-01"], 1),
        (vec!["check", "webcollect.credit_card", "--at", "2023-11-13T06:00+09:00", "--as-of", "2024-01-01"], 0),
        (vec!["check", "webcollect.credit_card", "--at", "2024-04-22 10:00", "--as-of", "2024-01-01"], 3),
        (vec!["check", "webcollect.creditcard"], 2),
        (vec!["check", "webcollect", "--at", "soonish"], 2),
        (vec!["check", "card"], 2),
        (vec!["check", "クレジットカード", "--at", "2023-11-13 03:00", "--as-of", "2024-01-01"], 1),
        (vec!["check", "再与信", "--at", "2023-11-13 06:00", "--as-of", "2024-01-01"], 0),
        (vec!["windows", "--from", "2023-11-01", "--to", "30d", "--function", "再与信"], 0),
        (vec!["windows", "--to", "soonish"], 2),
        (vec!["status"], 0),
        (vec!["next", "reauth"], 0),
        (vec!["next", "card"], 2),
        (vec!["check", "webcollect", "--for", "soon"], 2),
        (vec!["check", "webcollect", "--channel", "fax"], 2),
        (vec!["check", "webcollect", "--format", "xml"], 2),
        (vec!["check"], 2),
        (vec!["validate"], 0),
        (vec!["validate", "schedules"], 0),
        (vec!["validate", "tests/data/bad/end-before-start.toml"], 2),
        (vec!["validate", "no/such/dir"], 2),
        (vec!["functions"], 0),
    ];
    for (args, code) in cases {
        let (got, _, err) = mado(&args);
        assert_eq!(got, code, "mado {args:?}: {err}");
    }
}

#[test]
fn json_answer_has_the_contract_fields() {
    let (code, out, _) = mado(&[
        "check",
        "webcollect.credit_card",
        "--at",
        "2023-11-12T18:00Z",
        "--as-of",
        "2024-01-01",
        "--format",
        "json",
        "--channel",
        "api",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["function"], "webcollect.credit_card");
    assert_eq!(v["at"], "2023-11-13T03:00:00+09:00");
    assert_eq!(v["as_of"], "2024-01-01T00:00:00+09:00");
    assert_eq!(v["status"], "unavailable");
    assert_eq!(v["available"], false);
    assert_eq!(v["until"], "2023-11-13T05:30:00+09:00");
    assert_eq!(v["windows"][0]["effects"][0]["error_code"], "Z010000000");
    assert!(v["next"].is_object());
}

#[test]
fn check_text_output() {
    let (_, out, _) = mado(&["check", "webcollect.credit_card", "--at", "2023-11-13T03:00+09:00", "--as-of", "2024-01-01"]);
    insta::assert_snapshot!("check_unavailable", out);
    let (_, out, _) = mado(&["check", "webcollect.reauth", "--at", "2023-11-12 12:00", "--as-of", "2023-10-10", "--channel", "api"]);
    insta::assert_snapshot!("check_available_next_override", out);
    let (_, out, _) = mado(&[
        "check",
        "webcollect.credit_card",
        "--at",
        "2024-04-22 10:00",
        "--as-of",
        "2024-01-01",
        "--for",
        "15m",
        "--channel",
        "token_modal",
    ]);
    insta::assert_snapshot!("check_tentative", out);
}

#[test]
fn windows_and_functions_text_output() {
    let (_, out, _) =
        mado(&["windows", "--from", "2019-01-01", "--to", "2023-11-14", "--as-of", "2024-01-01", "--function", "webcollect.credit_card"]);
    insta::assert_snapshot!("windows_credit_card", out);
    let (_, out, _) = mado(&["windows", "--from", "2019-07-01", "--to", "2019-08-01", "--as-of", "2019-08-01", "--format", "json"]);
    insta::assert_snapshot!("windows_2019_json", out);
    let (_, out, _) = mado(&["functions"]);
    insta::assert_snapshot!("functions", out);
}

#[test]
fn error_messages() {
    let (_, _, err) = mado(&["check", "webcollect.creditcard"]);
    insta::assert_snapshot!("unknown_function", err);
    let (_, _, err) = mado(&["validate", "tests/data/bad/revision-unknown-window.toml"]);
    insta::assert_snapshot!("validate_bad_revision", err);
    let (_, _, err) = mado(&["check", "webcollect", "--at", "2023-11-13 25:00"]);
    insta::assert_snapshot!("bad_instant", err);
}

#[test]
fn schedules_dir_and_env_override_the_embedded_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy("schedules/functions.toml", dir.path().join("functions.toml")).expect("copy");
    std::fs::write(
        dir.path().join("n.toml"),
        "id = \"n\"\npublished = \"2030-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w\"\nfunctions = [\"webcollect\"]\nstart = \"2030-02-01 02:00\"\nend = \"03:00\"\n",
    )
    .expect("write");
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, _, _) = mado(&["check", "webcollect.admin", "--at", "2030-02-01 02:30", "--as-of", "2030-01-02", "--schedules", d]);
    assert_eq!(code, 1);
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["check", "webcollect.admin", "--at", "2030-02-01 02:30", "--as-of", "2030-01-02"])
        .env("MADO_SCHEDULES", d)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    // The embedded schedules know nothing of 2030.
    let (code, _, _) = mado(&["check", "webcollect.admin", "--at", "2030-02-01 02:30", "--as-of", "2030-01-02"]);
    assert_eq!(code, 0);
}

#[test]
fn a_closed_pipe_ends_quietly_with_the_usual_status() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["windows", "--from", "2023-10-01", "--to", "2026-01-01", "--as-of", "2026-01-01", "--limit", "10000"])
        .env_remove("MADO_SCHEDULES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).expect("some output first");
    drop(stdout); // what `| head -c 64` does
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "nothing on stderr, got: {err}");
}

#[test]
fn json_errors_on_stderr_when_the_format_is_json() {
    let (code, out, err) = mado(&["check", "webcollect.creditcard", "--format", "json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    let v: serde_json::Value = serde_json::from_str(&err).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert!(v["error"].as_str().is_some_and(|m| m.contains("webcollect.credit_card")), "{v}");
    let (code, out, err) = mado(&["validate", "tests/data/bad/end-before-start.toml", "--format", "json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    let v: serde_json::Value = serde_json::from_str(&err).unwrap_or_else(|e| panic!("{e}: {err}"));
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("tests/data/bad/end-before-start.toml"), Some(10), Some(7))
    );
    let (code, out, _) = mado(&["validate", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["ok"], true);
    assert!(v["notices"].as_u64().is_some_and(|n| n >= 8));
}

#[test]
fn options_that_mean_nothing_for_a_subcommand_are_refused() {
    for args in [vec!["functions", "--tz", "Mars/Base"], vec!["validate", "--tz", "UTC"], vec!["calendar", "--at", "now"]] {
        let (code, _, err) = mado(&args);
        assert_eq!(code, 2, "mado {args:?}");
        assert!(err.contains("unexpected argument"), "mado {args:?}: {err}");
    }
}

#[test]
fn completions_man_page_and_documented_exit_codes() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, _) = mado(&["completions", shell]);
        assert_eq!(code, 0);
        assert!(out.contains("windows") && out.contains("as-of"), "{shell} completion names subcommands and options");
    }
    let (code, out, _) = mado(&["man"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(".ie") || out.contains(".TH mado"), "roff: {}", &out[..out.len().min(80)]);
    let (_, help, _) = mado(&["--help"]);
    for needle in ["0  ok", "1  check: unavailable", "3  check: tentative", "2  usage error"] {
        assert!(help.contains(needle), "--help documents `{needle}`");
    }
    let (_, help, _) = mado(&["windows", "--help"]);
    let from = help.lines().find(|l| l.contains("--from")).unwrap_or_default();
    assert_eq!(from.matches("default").count(), 1, "one default for --from: {from}");
    assert!(help.contains("Example"));
    for sub in ["check", "windows", "status", "next"] {
        let (_, help, _) = mado(&[sub, "--help"]);
        assert!(help.contains("Examples:\n  mado "), "{sub} --help has examples");
    }
    // FUNCTION completes to ids (with their labels) and to labels and aliases.
    let (_, zsh, _) = mado(&["completions", "zsh"]);
    for needle in ["webcollect.credit_card", "再与信", "クレジットカード払い"] {
        assert!(zsh.contains(needle), "zsh completes `{needle}`");
    }
    let (_, bash, _) = mado(&["completions", "bash"]);
    assert!(bash.contains("webcollect.reauth") && bash.contains("再与信"), "bash completes ids and aliases");
}

/// `mado` with a fixed clock (Sunday 2023-11-12 12:00 JST) and extra environment.
fn at_noon(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(args)
        .env_remove("MADO_SCHEDULES")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("MADO_NOW", "2023-11-12T12:00+09:00")
        .env("LANG", "C")
        .envs(env.iter().copied())
        .output()
        .expect("run mado");
    (
        out.status.code().unwrap_or(-1),
        stable(String::from_utf8_lossy(&out.stdout).into_owned()),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn times_and_names_as_people_say_them() {
    // The same instant, said four ways, gives the same answer; the relative ones are echoed.
    let said = ["2023-11-12 23:30", "tonight 23:30", "23:30", "今日 23:30", "+11h30m"];
    let mut answers = Vec::new();
    for at in said {
        let (code, out, err) = at_noon(&["check", "reauth", "--at", at, "--format", "json"], &[]);
        assert_eq!(code, 1, "{at}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        answers.push(v["at"].clone());
    }
    assert!(answers.iter().all(|a| a == "2023-11-12T23:30:00+09:00"), "{answers:?}");
    let (_, out, _) = at_noon(&["check", "クレジットカード", "--at", "tonight 23:30", "--lang", "en"], &[]);
    assert!(out.contains("--at \"tonight 23:30\" read as 2023-11-12 23:30 JST (today, Sun)\n"), "{out}");
    let (_, out, _) = at_noon(&["check", "再与信", "--at", "明日 0:30", "--lang", "ja"], &[]);
    assert!(out.contains("--at「明日 0:30」は 2023-11-13 00:30 JST（明日（月））と読みました\n"), "{out}");
    let (_, out, _) = at_noon(&["check", "webcollect.reauth", "--at", "2023-11-12 23:30"], &[]);
    assert!(!out.contains("read as"), "a full date is not echoed: {out}");

    let (code, _, err) = at_noon(&["check", "card"], &[]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("ambiguous_name", err);
    let (code, _, err) = at_noon(&["check", "再与信機能"], &[]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("unknown_name_suggests_a_label", err);
    let (code, _, err) = at_noon(&["check", "reauth", "--at", "soonish"], &[]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("unknown_time_form", err);
}

#[test]
fn window_lists_status_and_next_read_like_the_notices() {
    for lang in ["en", "ja"] {
        let (code, out, err) = at_noon(&["windows", "--from", "2023-11-01", "--to", "30d", "--lang", lang], &[]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(format!("windows_rules_once_{lang}"), out);
        let (code, out, err) = at_noon(&["status", "--at", "2023-11-13 03:00", "--lang", lang], &[]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(format!("status_{lang}"), out);
        // The window in progress is listed once, with what buyers see, not again as coming.
        assert_eq!(out.matches("2023-08-28-db-upgrade/all-functions").count(), 1, "{out}");
        let (code, out, err) = at_noon(&["next", "クレジットカード", "--lang", lang], &[]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(format!("next_{lang}"), out);
    }
    // A standing rule is one entry; --expand lists each night.
    let (_, folded, _) = at_noon(&["windows", "--from", "2023-11-01", "--to", "30d", "--function", "再与信"], &[]);
    let (_, expanded, _) = at_noon(&["windows", "--from", "2023-11-01", "--to", "30d", "--function", "再与信", "--expand"], &[]);
    assert_eq!(folded.matches("every day 23:00–01:00 JST, since 2023-10-10").count(), 1, "{folded}");
    assert_eq!(expanded.matches("standing-reauth-blackout/daily").count(), 31, "{expanded}");
    // status --format json is /v1/availability for every function.
    let (_, out, _) = at_noon(&["status", "--at", "2023-11-13 03:00", "--format", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["status"], "unavailable");
    assert_eq!(v["answers"].as_array().map(Vec::len), Some(15));
    assert_eq!(v["answers"][0]["function"], "webcollect");
}

#[test]
fn colour_only_on_request_or_a_terminal_and_never_with_no_color() {
    let args = ["status", "--at", "2023-11-13 03:00", "--lang", "en"];
    let (_, piped, _) = at_noon(&args, &[]);
    assert!(!piped.contains('\u{1b}'), "piped output has no escapes");
    let (_, forced, _) = at_noon(&args, &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\u{1b}[1m\u{1b}[31munavailable\u{1b}[0m") || forced.contains("\u{1b}[31m"), "{forced}");
    assert!(forced.contains("unavailable"), "the status word is there with colour too");
    let (_, no_color, _) = at_noon(&args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(no_color, piped, "NO_COLOR wins");
}

/// Starts `mado serve` on a free port with stderr piped and returns its first log line.
fn first_log_line(envs: &[(&str, &str)]) -> String {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("MADO_SCHEDULES")
        .env_remove("MADO_LOG_FORMAT")
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    let read = std::io::BufReader::new(child.stderr.take().expect("stderr")).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.expect("a log line");
    line
}

#[test]
fn logs_to_a_file_or_pipe_carry_no_ansi_escapes_and_can_be_json() {
    let plain = first_log_line(&[("MADO_LOG", "info")]);
    assert!(plain.contains("mado serving"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "no ANSI escapes when stderr is not a terminal: {plain:?}");
    let json = first_log_line(&[("MADO_LOG", "info"), ("MADO_LOG_FORMAT", "json")]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(v["level"], "INFO");
    assert_eq!(v["fields"]["message"], "mado serving");
}

#[test]
fn validate_an_edited_existing_notice_reports_its_real_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("2023-10-10-db-upgrade-revised.toml");
    let text = std::fs::read_to_string("schedules/notices/2023-10-10-db-upgrade-revised.toml").expect("notice");
    std::fs::write(&path, &text).expect("copy");
    let p = path.to_str().expect("utf-8 path");
    let (code, out, err) = mado(&["validate", p]);
    assert_eq!(code, 0, "an unchanged copy replaces the notice with its id: {err}");
    assert!(out.starts_with("ok: 8 notices"), "{out}");
    std::fs::write(&path, text.replace("end = \"05:30\"", "end = \"25:30\"")).expect("edit");
    let (code, _, err) = mado(&["validate", p]);
    assert_eq!(code, 2);
    assert!(!err.contains("duplicate notice id"), "{err}");
    assert!(err.contains("`25:30`"), "the real error: {err}");
}

#[test]
fn text_answers_end_with_the_schedule_source_and_warn_when_the_checkout_differs() {
    let (_, out, err) = mado(&["check", "webcollect.credit_card", "--at", "2023-11-13 03:00"]);
    let last = out.lines().last().unwrap_or_default();
    assert_eq!(last, "answered from: embedded schedules (8 notices, built [build date])");
    assert!(err.is_empty(), "the checkout's schedules/ is what was built in: {err}");
    // In a directory whose schedules/ has a notice the binary lacks, say so.
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("schedules");
    std::fs::create_dir_all(copy.join("notices")).expect("mkdir");
    std::fs::copy("schedules/functions.toml", copy.join("functions.toml")).expect("catalogue");
    let out = Command::new(env!("CARGO_BIN_EXE_mado"))
        .args(["check", "webcollect", "--at", "2030-01-01"])
        .current_dir(dir.path())
        .env_remove("MADO_SCHEDULES")
        .env("LANG", "C")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: ./schedules differs from the schedules embedded in this binary"), "{err}");
    let (_, out, _) = mado(&["check", "webcollect", "--at", "2030-01-01", "--schedules", "schedules"]);
    assert!(out.lines().last().unwrap_or_default().starts_with("answered from: schedules from schedules (8 notices)"), "{out}");
}

#[test]
fn text_in_japanese_and_english_with_seconds_and_the_tentative_days_own_zone() {
    let (_, ja, _) = mado(&["check", "webcollect.credit_card", "--at", "2023-11-13 03:00", "--as-of", "2024-01-01", "--lang", "ja"]);
    insta::assert_snapshot!("check_unavailable_ja", ja);
    assert!(!ja.contains("unavailable") && ja.starts_with("利用不可"), "one language: {ja}");
    // A second that is not :00 is shown.
    let (_, out, _) = mado(&["check", "webcollect.credit_card", "--at", "2023-11-13 01:59:59", "--as-of", "2024-01-01", "--lang", "en"]);
    assert!(out.starts_with("available (until 2023-11-13 02:00 JST)"), "{out}");
    let (_, out, _) = mado(&[
        "check",
        "webcollect.credit_card",
        "--at",
        "2023-11-13T01:59:59+09:00",
        "--as-of",
        "2024-01-01",
        "--lang",
        "en",
        "--for",
        "1s",
    ]);
    assert!(out.contains("01:59:59"), "{out}");
    // The tentative day is the notice's own (JST), whatever --tz shows.
    let (_, out, _) =
        mado(&["check", "webcollect.credit_card", "--at", "2024-04-22T03:00Z", "--as-of", "2024-01-01", "--lang", "en", "--tz", "UTC"]);
    assert!(out.contains("2024-04-22 JST (times not announced"), "{out}");
    assert!(!out.contains("2024-04-21 (times"), "{out}");
}
