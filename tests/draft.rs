//! `mado draft`: the fixture corpus under `tests/data/notices/` (each `.txt` or `.html` with
//! the `.toml` its draft must be), field-by-field checks, and the drafts of the seed texts
//! answering exactly as the hand-encoded `schedules/` over a grid of functions × instants
//! (each window boundary ±1 s) × as-of instants (each publication ±1 s).

use chrono::Duration;
use mado::draft::{self, Draft, Shape, SourceFormat};
use mado::{Query, Schedule, SourceFile, WindowsQuery};
use std::collections::BTreeSet;
use std::path::Path;

const DATA: &str = "tests/data/notices";

/// The schedules directory without the files of the notices `ids`.
fn schedules_without(ids: &[&str]) -> Vec<SourceFile> {
    mado::read_dir_sources(Path::new("schedules"))
        .unwrap()
        .into_iter()
        .filter(|f| !ids.iter().any(|id| f.text.lines().any(|l| l == format!("id = \"{id}\""))))
        .collect()
}

fn drafts(name: &str, known: &Schedule) -> Vec<Draft> {
    let path = Path::new(DATA).join(name);
    let n = draft::read_path(&path).unwrap();
    draft::draft(&n, known).unwrap()
}

/// The draft without its first line (which names the file it was read from).
fn body(toml: &str) -> String {
    toml.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n"
}

fn with_drafts(mut files: Vec<SourceFile>, drafts: &[Draft]) -> Schedule {
    for d in drafts {
        files.push(SourceFile { name: format!("drafts/{}", d.file_name), text: d.toml.clone() });
    }
    Schedule::from_sources(files).unwrap_or_else(|e| panic!("the drafts do not validate: {e}"))
}

/// Every function × every window boundary ±1 s × every publication ±1 s: the same status.
fn answers_alike(a: &Schedule, b: &Schedule) -> usize {
    let mut instants = BTreeSet::new();
    let mut as_ofs = BTreeSet::new();
    for s in [a, b] {
        for n in s.notices() {
            for d in [-1, 0, 1] {
                as_ofs.insert(n.known_from() + Duration::seconds(d));
            }
        }
    }
    as_ofs.insert(mado::time::unknown_end() - Duration::days(1));
    let (from, to) = (
        mado::time::parse_instant("2019-01-01", mado::time::DEFAULT_ZONE, mado::time::now()).unwrap(),
        mado::time::parse_instant("2025-01-01", mado::time::DEFAULT_ZONE, mado::time::now()).unwrap(),
    );
    for s in [a, b] {
        for as_of in &as_ofs {
            let list = s.windows(&WindowsQuery::new(from, to).as_of(*as_of).limit(10_000)).unwrap();
            for w in list.windows.iter().filter(|w| w.rrule.is_none() || w.start.to_utc() < from + Duration::days(2000)) {
                // A standing daily rule adds every night; its boundaries near the others suffice.
                for t in [w.start.to_utc(), w.end.to_utc()] {
                    for d in [-1, 0, 1] {
                        instants.insert(t + Duration::seconds(d));
                    }
                }
            }
        }
    }
    let mut asked = 0;
    for f in a.catalogue().functions() {
        for at in &instants {
            for as_of in &as_ofs {
                let q = Query::new(f.id(), *at).as_of(*as_of);
                let (x, y) = (a.status(f.id(), *at, *as_of).unwrap(), b.status(f.id(), *at, *as_of).unwrap());
                assert_eq!(x, y, "{} at {at} as of {as_of}: hand-encoded {x}, drafts {y}", q.function);
                asked += 1;
            }
        }
    }
    asked
}

#[test]
fn fixtures_draft_exactly_as_expected() {
    let known = Schedule::from_dir("schedules").unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(DATA).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "txt" | "html") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let base = schedules_without(&[]);
        let ds = drafts(name, &known);
        // Every draft validates against the schedules.
        with_drafts(base, &ds);
        for (k, d) in ds.iter().enumerate() {
            let expected_path = Path::new(DATA).join(if k == 0 { format!("{stem}.toml") } else { format!("{stem}.{k}.toml") });
            // `MADO_BLESS=1 cargo test --test draft` writes the expected files; read them before committing.
            if std::env::var_os("MADO_BLESS").is_some() {
                std::fs::write(&expected_path, &d.toml).unwrap();
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| panic!("no {}", expected_path.display()));
            assert_eq!(body(&d.toml), body(&expected), "{name}: draft {k} differs from {}", expected_path.display());
            // Every question is a TODO line in the file.
            for q in &d.questions {
                assert!(d.toml.contains(&format!("# TODO: {q}")), "{name}: question not in the file: {q}");
            }
        }
        seen += 1;
    }
    assert!(seen >= 4, "only {seen} fixtures");
}

#[test]
fn html_and_text_of_one_notice_draft_alike() {
    let known = Schedule::from_dir("schedules").unwrap();
    let t = drafts("own-2025-06-forms.txt", &known);
    let h = drafts("own-2025-06-forms.html", &known);
    assert_eq!(t.len(), h.len());
    for (a, b) in t.iter().zip(&h) {
        assert_eq!(body(&a.toml), body(&b.toml));
    }
}

#[test]
fn own_notice_field_by_field() {
    let known = Schedule::from_dir("schedules").unwrap();
    let ds = drafts("own-2025-06-forms.txt", &known);
    assert_eq!(ds.len(), 1);
    let d = &ds[0].notice;
    assert_eq!(d.published, "2025-05-20", "full-width digits read after NFKC");
    assert_eq!(d.title, "「クロネコｗｅｂコレクト」メンテナンス実施のお知らせ", "the title as in the notice, not normalised");
    let w = |i: usize| &d.windows[i];
    let confirmed = |i: usize| match w(i).shape.clone() {
        Some(Shape::Confirmed { start, end, start_approx, end_approx, .. }) => {
            (start.to_string(), end.map(|e| e.to_string()), start_approx, end_approx)
        }
        other => panic!("window {i}: {other:?}"),
    };
    // 午前, full-width digits and colon, 頃 on the end.
    assert_eq!(w(0).functions, ["testenv"]);
    assert_eq!(confirmed(0), ("2025-06-09 01:00:00".into(), Some("2025-06-09 04:00:00".into()), false, true));
    // A year taken from context is marked inferred; 翌 crosses midnight.
    assert_eq!(w(1).functions, ["webcollect.reauth"]);
    assert_eq!(confirmed(1), ("2025-06-09 23:00:00".into(), Some("2025-06-10 01:30:00".into()), false, false));
    assert!(w(1).inferred.iter().any(|i| i.0 == "start" && i.1.contains("2025")));
    assert!(w(1).todos.is_empty(), "(2時間30分) matches 23:00–翌1:30: {:?}", w(1).todos);
    // 2025-06-10 is a Tuesday: the weekday (水) is a question, not resolved.
    assert_eq!(w(2).functions, ["atobarai"]);
    assert!(w(2).todos.iter().any(|t| t.contains("(水)") && t.contains("(火)")), "{:?}", w(2).todos);
    // The stated length (3時間) does not match 2:00–6:00: a question.
    assert_eq!(w(3).functions, ["webcollect.credit_card"]);
    assert!(w(3).todos.iter().any(|t| t.contains("3h") && t.contains("4h")), "{:?}", w(3).todos);
    // An unknown label is a question naming the closest ids.
    assert!(w(4).todos.iter().any(|t| t.contains("ポイント払い")), "{:?}", w(4).todos);
    // No end time: an open end, never a guessed one.
    assert_eq!(w(5).functions, ["webcollect.admin"]);
    assert_eq!(confirmed(5).1, None);
    assert!(w(5).todos.iter().any(|t| t.contains("no end time")));
    // 下旬 (予定): tentative days 21 to 31.
    match &w(6).shape {
        Some(Shape::Tentative { date, last_date, .. }) => {
            assert_eq!((date.to_string(), last_date.map(|d| d.to_string())), ("2025-07-21".into(), Some("2025-07-31".into())))
        }
        other => panic!("{other:?}"),
    }
    // Effects with the notice's words; what it does not say is noted as not stated.
    assert!(d
        .effects
        .iter()
        .any(|(c, f)| c == "link" && f == &[("page".to_string(), "クロネコwebコレクトメンテナンスのお知らせ".to_string())]));
    assert!(d.effects.iter().any(|(c, f)| c == "api" && f == &[("error_code".to_string(), "Z010000000".to_string())]));
    assert!(d.notes.iter().any(|n| n.contains("mail") && n.contains("token_modal")));
}

#[test]
fn seed_2021_drafts_answer_as_schedules() {
    let ids = ["2021-05-14-3ds-maintenance", "2021-postponement-to-08-09"];
    let base = schedules_without(&ids);
    let known = Schedule::from_sources(base.clone()).unwrap();
    let ds = drafts("seed-2021-05-14-3ds-maintenance.txt", &known);
    assert_eq!(ds.len(), 2, "the notice and its undated postponement");
    let hand = Schedule::from_dir("schedules").unwrap();
    let drafted = with_drafts(base, &ds);
    let asked = answers_alike(&hand, &drafted);
    eprintln!("{asked} answers compared");
    assert!(asked > 1000);
}

#[test]
fn seed_2023_10_10_drafts_answer_as_schedules() {
    let ids = ["2023-10-10-db-upgrade-revised"];
    let base = schedules_without(&ids);
    let known = Schedule::from_sources(base.clone()).unwrap();
    let ds = drafts("seed-2023-10-10-db-upgrade-revised.txt", &known);
    assert_eq!(ds.len(), 1);
    let hand = Schedule::from_dir("schedules").unwrap();
    let drafted = with_drafts(base, &ds);
    let asked = answers_alike(&hand, &drafted);
    eprintln!("{asked} answers compared");
    assert!(asked > 1000);
}

#[test]
fn a_notice_with_nothing_in_it_is_refused() {
    let known = Schedule::from_dir("schedules").unwrap();
    let n = draft::from_str("empty.txt", "加盟店各位\n\nよろしくお願いします。\n", SourceFormat::Text);
    assert!(matches!(draft::draft(&n, &known), Err(draft::DraftError::Nothing(_))));
}

#[test]
fn a_pdf_without_pdftotext_names_the_package() {
    // Only meaningful where pdftotext is missing; where it is installed, a non-PDF is refused by it.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, "not a pdf").unwrap();
    match draft::read_path(&p) {
        Err(draft::DraftError::Pdf(m)) => assert!(m.contains("poppler-utils") || m.contains("pdftotext"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn reports_are_publications_and_a_later_report_revises_the_first() {
    let known = Schedule::from_dir("schedules").unwrap();
    let ds = drafts("own-2025-03-incident-reports.txt", &known);
    let ids: Vec<&str> = ds.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["2025-03-04-incident-report-1", "2025-03-04-incident-report-2"]);
    assert_eq!((ds[0].notice.published.as_str(), ds[1].notice.published.as_str()), ("2025-03-04 10:30", "2025-03-04 12:00"));
    assert!(ds.iter().all(|d| d.notice.incident));
    // The first report: one open window (the sentence and the table row say the same).
    let w = &ds[0].notice.windows;
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].functions, ["webcollect.credit_card"]);
    assert!(matches!(w[0].shape, Some(Shape::Confirmed { end: None, start_approx: true, .. })));
    // The second: the end, as a revision of the first report's window.
    let r = &ds[1].notice.windows[0];
    assert_eq!(r.revises, Some(("2025-03-04-incident-report-1".into(), "window".into(), "replace".into())));
    let s = with_drafts(schedules_without(&[]), &ds);
    let at = mado::time::parse_instant("2025-03-04 11:00", mado::time::DEFAULT_ZONE, mado::time::now()).unwrap();
    let later = mado::time::parse_instant("2025-03-04 13:00", mado::time::DEFAULT_ZONE, mado::time::now()).unwrap();
    let between = mado::time::parse_instant("2025-03-04 11:30", mado::time::DEFAULT_ZONE, mado::time::now()).unwrap();
    // As known at 11:30 (first report only), still down at 13:00; as known at 13:00, up again.
    assert_eq!(s.status("webcollect.credit_card", later, between).unwrap(), mado::Status::Unavailable);
    assert_eq!(s.status("webcollect.credit_card", later, later).unwrap(), mado::Status::Available);
    assert_eq!(s.status("webcollect.credit_card", at, later).unwrap(), mado::Status::Unavailable);
}

fn mado_cmd(args: &[&str]) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_mado")).args(args).env("LANG", "C").output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn draft_exit_status_is_0_clean_1_questions_2_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Questions: 1, each on stderr and in the file; the diff summary at the end.
    let out = dir.path().join("q");
    let (code, stdout, stderr) =
        mado_cmd(&["draft", "tests/data/notices/own-2025-06-forms.txt", "--schedules", "schedules", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("question: ") && stderr.contains("ポイント払い"), "{stderr}");
    assert!(stdout.contains("notice 2025-05-20-maintenance: as known at 2025-05-20 00:00"), "{stdout}");
    assert!(out.join("notices/2025-05-20-maintenance.toml").is_file());
    // Nothing left unread: 0, the draft on stdout, and `mado validate` accepts it.
    let clean = dir.path().join("clean.txt");
    std::fs::write(
        &clean,
        "2025年5月20日\n\n# メンテナンスのお知らせ\n\n影響する機能\t日程\nテスト環境\t2025年6月9日(月) 1:00～4:00 (3時間)\n",
    )
    .unwrap();
    let (code, stdout, stderr) = mado_cmd(&["draft", clean.to_str().unwrap(), "--schedules", "schedules"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("functions = [\"testenv\"]") && !stdout.contains("# TODO:"), "{stdout}");
    let file = dir.path().join("2025-05-20-maintenance.toml");
    std::fs::write(&file, &stdout).unwrap();
    let (code, _, stderr) = mado_cmd(&["validate", file.to_str().unwrap(), "--schedules", "schedules"]);
    assert_eq!(code, 0, "{stderr}");
    // The diff of the clean draft, as JSON for a script.
    let (code, json, _) = mado_cmd(&["diff", file.to_str().unwrap(), "--schedules", "schedules", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["functions"][0]["function"], "testenv");
    assert_eq!(v["functions"][0]["intervals"][0]["after"], "unavailable");
    assert_eq!(v["feed"][0]["uid"], "2025-05-20-maintenance.window@mado");
    // Nothing usable: 2, with why.
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "加盟店各位\n").unwrap();
    let (code, _, stderr) = mado_cmd(&["draft", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nothing usable"), "{stderr}");
}

/// What a reviewer reads: the text of `mado diff` for the 2023-10-10 revision, against the
/// schedules without it.
#[test]
fn diff_text_of_the_2023_revision() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("notices")).unwrap();
    for f in schedules_without(&["2023-10-10-db-upgrade-revised"]) {
        let name = Path::new(&f.name).file_name().unwrap().to_owned();
        let to = if f.name.ends_with("functions.toml") { dir.path().join(name) } else { dir.path().join("notices").join(name) };
        std::fs::write(to, f.text).unwrap();
    }
    let (code, stdout, stderr) =
        mado_cmd(&["diff", "schedules/notices/2023-10-10-db-upgrade-revised.toml", "--schedules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}
