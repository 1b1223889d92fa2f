//! The command-line contract: exit codes, JSON fields, text output (snapshots), errors.
use std::process::Command;

fn mado(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mado")).args(args).env_remove("MADO_SCHEDULES").output().expect("run mado");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn exit_codes_follow_the_status() {
    let cases = [
        (vec!["check", "webcollect.credit_card", "--at", "2023-11-13T03:00+09:00", "--as-of", "2024-01-01"], 1),
        (vec!["check", "webcollect.credit_card", "--at", "2023-11-13T06:00+09:00", "--as-of", "2024-01-01"], 0),
        (vec!["check", "webcollect.credit_card", "--at", "2024-04-22 10:00", "--as-of", "2024-01-01"], 3),
        (vec!["check", "webcollect.creditcard"], 2),
        (vec!["check", "webcollect", "--at", "yesterday"], 2),
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
