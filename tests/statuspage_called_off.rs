//! `mado import` of a Statuspage maintenance completed before it began (how a page calls a
//! maintenance off): its later update cancels the window, so answers as of an instant before
//! that update still see it and answers after do not; a maintenance whose only update
//! completed it before its start gives no notice. Before, such an item made the whole source
//! fail to validate (`end … is not after start`), and under `serve --follow` the source
//! could never be updated again.
#![cfg(feature = "cli")]
use std::process::Command;

const MADO: &str = env!("CARGO_BIN_EXE_mado");

const FIXTURE: &str = r#"{
  "page": {"id": "pgacme", "name": "Acme Pay", "url": "https://status.acme.example", "time_zone": "Europe/Berlin"},
  "scheduled_maintenances": [
    {"id": "mntoff1", "name": "Wallet upgrade", "status": "completed",
     "created_at": "2026-11-25T10:00:00.000+01:00", "resolved_at": "2026-12-01T09:00:00.000+01:00",
     "scheduled_for": "2026-12-05T02:00:00.000+01:00", "scheduled_until": "2026-12-05T04:00:00.000+01:00",
     "incident_updates": [
       {"id": "u2", "status": "completed", "body": "This maintenance has been cancelled.", "created_at": "2026-12-01T09:00:00.000+01:00"},
       {"id": "u1", "status": "scheduled", "body": "Wallet payments will be unavailable.", "created_at": "2026-11-25T10:00:00.000+01:00"}
     ],
     "components": [{"id": "cmpwallet", "name": "Wallet"}]},
    {"id": "mntoff2", "name": "Never announced", "status": "completed",
     "created_at": "2026-11-26T10:00:00.000+01:00", "resolved_at": "2026-11-26T10:00:00.000+01:00",
     "scheduled_for": "2026-12-06T02:00:00.000+01:00", "scheduled_until": "2026-12-06T04:00:00.000+01:00",
     "incident_updates": [
       {"id": "v1", "status": "completed", "body": "Cancelled.", "created_at": "2026-11-26T10:00:00.000+01:00"}
     ],
     "components": [{"id": "cmpwallet", "name": "Wallet"}]}
  ]
}"#;

fn check(dir: &std::path::Path, at: &str, as_of: &str) -> String {
    let out = Command::new(MADO)
        .args(["check", "acme.wallet", "--at", at, "--as-of", as_of, "--format", "json", "--schedules"])
        .arg(dir)
        .env_remove("MADO_SCHEDULES")
        .output()
        .expect("run mado check");
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    v["status"].as_str().expect("status").to_string()
}

#[test]
fn a_maintenance_completed_before_its_start_is_cancelled() {
    let dir = std::env::temp_dir().join(format!("mado-called-off-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("notices")).expect("temp dir");
    let seed = std::fs::read_to_string("schedules/functions.toml").expect("catalogue");
    let acme = "\n[[provider]]\nid = \"acme\"\nja = \"エイクミー\"\nen = \"Acme Pay\"\nzone = \"Europe/Berlin\"\nchannels = [\"api\"]\n\n\
                [[function]]\nid = \"acme\"\nja = \"エイクミー（全て）\"\nen = \"Acme Pay (all)\"\nprovider = \"acme\"\n\n\
                [[function]]\nid = \"acme.wallet\"\nja = \"ウォレット\"\nen = \"wallet\"\n";
    std::fs::write(dir.join("functions.toml"), seed + acme).expect("write catalogue");
    let src = dir.join("acme.json");
    std::fs::write(&src, FIXTURE).expect("fixture");
    let out = Command::new(MADO)
        .arg("import")
        .arg(&src)
        .args(["--map", "cmpwallet=acme.wallet", "--prefix", "acme", "--out"])
        .arg(&dir)
        .arg("--schedules")
        .arg(&dir)
        .env_remove("MADO_SCHEDULES")
        .output()
        .expect("run mado import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut files: Vec<String> = std::fs::read_dir(dir.join("notices"))
        .expect("notices")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["acme-mntoff1-1.toml", "acme-mntoff1-2.toml"]);
    let second = std::fs::read_to_string(dir.join("notices/acme-mntoff1-2.toml")).expect("second");
    assert!(second.contains("action = \"cancel\"") && !second.contains("start ="), "{second}");
    // (at, as of, status): the cancelling update was published 2026-12-01T08:00Z.
    for (at, as_of, want) in [
        ("2026-12-05T01:00:00Z", "2026-12-01T07:59:59Z", "unavailable"),
        ("2026-12-05T02:59:59Z", "2026-12-01T07:59:59Z", "unavailable"),
        ("2026-12-05T03:00:00Z", "2026-12-01T07:59:59Z", "available"),
        ("2026-12-05T01:00:00Z", "2026-12-01T08:00:00Z", "available"),
        ("2026-12-06T01:00:00Z", "2026-12-01T08:00:00Z", "available"),
        ("2026-11-25T08:59:59Z", "2026-11-25T08:59:59Z", "available"),
    ] {
        assert_eq!(check(&dir, at, as_of), want, "at {at} as of {as_of}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
