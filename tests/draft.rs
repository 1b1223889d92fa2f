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
            for w in list.windows.iter().filter(|w| w.rrule.is_none() || mado::time::Instant::from(w.start) < from + Duration::days(2000)) {
                // A standing daily rule adds every night; its boundaries near the others suffice.
                for t in [mado::time::Instant::from(w.start), mado::time::Instant::from(w.end)] {
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
    // 翌 crosses midnight; a row starting a night of the standing rule for its function, at
    // the rule's time, is that night with new times (and asked about).
    let o = &d.occurrences[0];
    assert_eq!((o.notice.as_str(), o.window.as_str(), o.date.to_string()), ("standing-reauth-blackout", "daily", "2025-06-09".into()));
    assert_eq!((o.times.0.to_string(), o.times.1.to_string()), ("2025-06-09 23:00:00".into(), "2025-06-10 01:30:00".into()));
    // A year taken from context is asked about (an occurrence has no `inferred`); the
    // stated length (2時間30分) matches 23:00–翌1:30, so it is not.
    assert!(o.todos.iter().any(|t| t.contains("without a year") && t.contains("2025")), "{:?}", o.todos);
    assert!(!o.todos.iter().any(|t| t.contains("length")), "{:?}", o.todos);
    // 2025-06-10 is a Tuesday: the weekday (水) is a question, not resolved.
    assert_eq!(w(1).functions, ["atobarai"]);
    assert!(w(1).todos.iter().any(|t| t.contains("(水)") && t.contains("(火)")), "{:?}", w(1).todos);
    // The stated length (3時間) does not match 2:00–6:00: a question.
    assert_eq!(w(2).functions, ["webcollect.credit_card"]);
    assert!(w(2).todos.iter().any(|t| t.contains("3h") && t.contains("4h")), "{:?}", w(2).todos);
    // An unknown label is a question naming the closest ids.
    assert!(w(3).todos.iter().any(|t| t.contains("ポイント払い")), "{:?}", w(3).todos);
    // No end time: an open end, never a guessed one.
    assert_eq!(w(4).functions, ["webcollect.admin"]);
    assert_eq!(confirmed(4).1, None);
    assert!(w(4).todos.iter().any(|t| t.contains("no end time")));
    // 下旬 (予定): tentative days 21 to 31.
    match &w(5).shape {
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

/// A person's answer to one question of a draft: the line `from` becomes `to`. The question
/// must be in the file, so the test answers only what the draft asks.
fn answer(mut d: Draft, question: &str, from: &str, to: &str) -> Draft {
    assert!(d.questions.iter().any(|q| q.contains(question)), "{}: no question about {question}: {:?}", d.id, d.questions);
    assert_eq!(d.toml.matches(from).count(), 1, "{}: `{from}` not once in\n{}", d.id, d.toml);
    d.toml = d.toml.replace(from, to);
    d
}

/// The seed texts (`../shared/seeds/`), each drafted against the schedules without the
/// hand-encoded files of the seeds plus the drafts of the seeds published before it, and
/// all loaded together, answer as `schedules/` over the grid.
#[test]
fn all_seed_drafts_answer_as_schedules() {
    let hand_ids = [
        "2019-06-22-pci-dss-maintenance",
        "2019-07-23-append-delays",
        "2019-10-16-release",
        "2021-05-14-3ds-maintenance",
        "2021-postponement-to-08-09",
        "standing-reauth-blackout",
        "2023-10-10-db-upgrade-revised",
    ];
    let base = schedules_without(&hand_ids);
    let mut all: Vec<Draft> = Vec::new();
    let next = |name: &str, all: &mut Vec<Draft>| -> Vec<Draft> {
        let known = with_drafts(base.clone(), all);
        let ds = drafts(name, &known);
        all.extend(ds.clone());
        ds
    };
    // 2019: the notice of 22 June and its 23 July 追記 (delays), then the day of 16 October.
    let d2019 = next("seed-2019-06-22-pci-dss-maintenance.txt", &mut all);
    assert_eq!(d2019.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["2019-06-22-maintenance", "2019-07-23-append"]);
    let release = next("seed-2019-10-16-release.txt", &mut all);
    assert_eq!(release[0].notice.windows[0].revises, Some(("2019-06-22-maintenance".into(), "window-2".into(), "replace".into())));
    let d2021 = next("seed-2021-05-14-3ds-maintenance.txt", &mut all);
    assert_eq!(d2021.len(), 2, "the notice and its undated postponement");
    // The guide gives the daily hours but neither its publication nor since when: the
    // person's answers are the hand-encoded file's (the 2023-10-10 notice attests the rule).
    let guide = drafts("seed-standing-reauth-blackout.txt", &with_drafts(base.clone(), &all));
    assert_eq!(guide.len(), 1);
    let guide = answer(guide[0].clone(), "only a version date", "published = \"2024-01-19\"", "published = \"2023-10-10\"");
    let guide = answer(guide, "no first day for the daily rule", "start = \"2024-01-19 23:00\"", "start = \"2023-10-10 23:00\"");
    all.push(guide);
    let d2023 = next("seed-2023-10-10-db-upgrade-revised.txt", &mut all);
    assert_eq!(d2023[0].notice.occurrences.len(), 1, "the 2023-11-12 night of the standing rule");
    let hand = Schedule::from_dir("schedules").unwrap();
    let drafted = with_drafts(base, &all);
    let asked = answers_alike(&hand, &drafted);
    eprintln!("{asked} answers compared");
    assert!(asked > 10_000, "{asked}");
}

/// Each construct the seeds do not all show, field by field.
#[test]
fn appends_delays_rules_changes_and_cancellations() {
    let known = Schedule::from_dir("schedules").unwrap();
    // A 追記 section is a publication of its own, on its date, with the delays it announces.
    let ds = drafts("seed-2019-06-22-pci-dss-maintenance.txt", &known);
    assert_eq!(ds[1].notice.published, "2019-07-23");
    let delays = &ds[1].notice.delays;
    assert_eq!(delays.len(), 2);
    let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert_eq!((delays[0].usual, delays[0].expected), ((t(5, 30), true), (t(7, 0), true)));
    assert_eq!((delays[1].usual, delays[1].expected), ((t(7, 0), false), (t(9, 0), true)));
    assert_eq!(delays[0].date.map(|d| d.to_string()).as_deref(), Some("2019-07-29"), "the maintenance day, marked inferred");
    assert!(delays[0].inferred.iter().any(|i| i.0 == "date"));
    // The main notice keeps the window, not the attachment's copy of it.
    assert_eq!(ds[0].notice.windows.len(), 2);
    assert_eq!(ds[0].notice.windows[0].functions, ["webcollect", "testenv"]);
    // A daily rule.
    let g = &drafts("seed-standing-reauth-blackout.txt", &known)[0].notice;
    assert_eq!(g.windows.len(), 1, "the rule is written twice in the guide, drafted once");
    assert_eq!(g.windows[0].functions, ["webcollect.reauth"]);
    assert!(matches!(&g.windows[0].shape, Some(Shape::Recurring { rrule: Some(r), duration: 120, .. }) if r == "FREQ=DAILY"));
    // Weekly and monthly rules, one per line, each from its first day on or after publication
    // (2026-04-10, a Friday), each with the function its own sentence names.
    let r = &drafts("own-2026-weekly-monthly-rules.txt", &known)[0].notice;
    let rules: Vec<(&str, String, &str)> = r
        .windows
        .iter()
        .map(|w| match &w.shape {
            Some(Shape::Recurring { rrule: Some(rule), start, .. }) => (rule.as_str(), start.to_string(), w.functions[0].as_str()),
            other => panic!("not a rule: {other:?}"),
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("FREQ=WEEKLY;BYDAY=SU", "2026-04-12 02:00:00".to_string(), "webcollect.admin"),
            ("FREQ=MONTHLY;BYDAY=2TU", "2026-04-14 01:00:00".to_string(), "atobarai")
        ]
    );
    // より…変更 with 変更前/変更後: a change of the rule whose hours 変更前 gives.
    let c = &drafts("own-2025-06-rule-change.txt", &known)[0].notice;
    assert_eq!(c.published, "2025-06-02 10:00");
    let w = &c.windows[0];
    assert_eq!(w.revises, Some(("standing-reauth-blackout".into(), "daily".into(), "change".into())));
    assert_eq!(w.from.map(|f| f.to_string()).as_deref(), Some("2025-07-01 00:00:00"));
    assert!(matches!(&w.shape, Some(Shape::Recurring { rrule: None, duration: 150, .. })));
    // 廃止: an end; the publication stamped inside a sentence, with its time.
    let e = &drafts("own-2025-08-rule-end.txt", &known)[0].notice;
    assert_eq!(e.published, "2025-08-01 15:30");
    assert_eq!(e.windows[0].revises.as_ref().map(|r| r.2.as_str()), Some("end"));
    // 中止: a cancel of the referenced notice's window on the day named.
    let x = &drafts("own-2021-05-cancel.txt", &known)[0].notice;
    assert_eq!(x.windows.len(), 1);
    assert_eq!(x.windows[0].revises, Some(("2021-05-14-3ds-maintenance".into(), "3ds-expansion".into(), "cancel".into())));
    // Each reading is a question.
    for n in [g, r, c, e, x] {
        assert!(n.windows.iter().all(|w| !w.todos.is_empty()), "{}", n.id);
    }
}

#[test]
fn a_notice_with_nothing_in_it_is_refused() {
    let known = Schedule::from_dir("schedules").unwrap();
    let n = draft::from_str("empty.txt", "加盟店各位\n\nよろしくお願いします。\n", SourceFormat::Text);
    assert!(matches!(draft::draft(&n, &known), Err(draft::DraftError::Nothing(_))));
}

/// The PDF fixture (written by `tests/data/notices/make-pdf.py` from the seed text) drafts
/// exactly as the text. Needs `pdftotext` (`poppler-utils`, which `.ci/run` installs); where
/// it is missing the test says so and checks the error instead.
#[test]
fn pdf_of_a_seed_notice_drafts_as_its_text() {
    let known = Schedule::from_sources(schedules_without(&["2023-10-10-db-upgrade-revised"])).unwrap();
    let pdf = Path::new(DATA).join("seed-2023-10-10-db-upgrade-revised.pdf");
    let n = match draft::read_path(&pdf) {
        Err(draft::DraftError::Pdf(m)) if m.contains("not installed") => {
            eprintln!("SKIPPED: pdftotext is not installed here (apt-get install poppler-utils): {m}");
            return;
        }
        other => other.unwrap(),
    };
    assert_eq!(n.format, SourceFormat::Pdf);
    let from_pdf = draft::draft(&n, &known).unwrap();
    let from_text = drafts("seed-2023-10-10-db-upgrade-revised.txt", &known);
    assert_eq!(from_pdf.len(), from_text.len());
    for (p, t) in from_pdf.iter().zip(&from_text) {
        assert_eq!(body(&p.toml), body(&t.toml));
    }
    assert_eq!(from_pdf[0].notice.occurrences.len(), 1);
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

/// Fragments of the forms notices use, and of what they do not: any text made of them drafts
/// without a panic, and its drafts validate with the schedules, unless nothing usable is
/// found or a publication has no date (the draft never invents one: `published = "unknown"`
/// then needs the `known_by` a person gives, and `mado draft` exits 2 saying so).
const FRAGMENTS: &[&str] = &[
    "2025年6月9日(月) 1:00～4:00頃",
    "6月10日(水) 23:00～翌1:30 (2時間30分)",
    "２０２５年７月１日(火)より",
    "毎日 23:00～翌日AM1:00",
    "毎日 22:00~",
    "※毎週日曜日 2:00～5:00は管理画面のメンテナンスのため",
    "毎月第2火曜日 AM1:00～AM4:00",
    "毎月末日 23:00～翌1:00",
    "毎週(土) 22:00～",
    "変更前\t毎日 23:00～翌1:00",
    "変更後\t廃止",
    "変更後\t毎日 0:00～24:00",
    "2021年5月14日にご案内いたしました",
    "2019年 9月 20日配信のお知らせ",
    "のシステムメンテナンスは中止いたします。",
    "2019年10月21日(月)のシステムメンテナンス",
    "## 3. 遅延について(7月23日追記)",
    "通常は午前5:30頃に送信しています。",
    "今回は朝9時頃となります。",
    "第1報 2025年3月4日 10:30 掲載",
    "第2報 12:00 更新",
    "障害",
    "金額変更・再与信機能",
    "テスト環境(画面)\tご利用できません。",
    "クロネコwebコレクト\tクレジットカード払い\tご利用いただけません。",
    "「クロネコwebコレクト」のサービスがご利用いただけません。",
    "平時と変更ありません。",
    "※ ",
    "⇒ 2021年8月9日(月)午前1:00~6:00に延期となりました。",
    "2019 年 10 月下旬",
    "2024 年 4月 22 日(予定)",
    "#### 資料 1",
    "以上",
    "Ver.2024/01/19",
    "13月40日 25:00～",
    "9999年12月31日 23:00～翌1:00",
    "",
];

proptest::proptest! {
    // A fixed seed keeps CI reproducible; explore with more cases and other seeds by hand
    // (PROPTEST_CASES=2000 and a changed seed): each case found goes into tests/data/notices.
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(0x6d61_646f), ..Default::default() })]
    #[test]
    fn any_text_of_notice_forms_drafts_without_panic_and_validates(picks in proptest::collection::vec((0..FRAGMENTS.len(), 0..FRAGMENTS.len()), 0..24)) {
        let known = Schedule::from_dir("schedules").unwrap();
        let text: String = picks.iter().map(|(a, b)| format!("{}{}\n", FRAGMENTS[*a], FRAGMENTS[*b])).collect();
        let n = draft::from_str("any.txt", &text, SourceFormat::Text);
        let undated = |d: &Draft| d.notice.published == "unknown" && d.notice.known_by.is_none();
        if let Some(ds) = draft::draft(&n, &known).ok().filter(|ds| !ds.iter().any(undated)) {
            let mut files = schedules_without(&[]);
            for d in &ds {
                files.push(SourceFile { name: format!("drafts/{}", d.file_name), text: d.toml.clone() });
            }
            if let Err(e) = Schedule::from_sources(files) {
                panic!("the drafts of\n{text}\ndo not validate: {e}");
            }
        }
    }
}
