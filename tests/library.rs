//! The library as a dependency sees it: builders, re-exports, and answer types that read back
//! the JSON the server and the CLI write.
mod common;

use common::{at, seeds};
use mado::views::json::to_json;
use mado::{Answer, Query, WindowList, WindowsQuery};

#[test]
fn answers_round_trip_through_their_json() {
    let s = seeds();
    let cases = [
        ("webcollect.credit_card", "2023-11-13 03:00", "2024-01-01", 0),
        ("webcollect.reauth", "2023-11-13 01:15", "2024-01-01", 15),
        ("webcollect.credit_card", "2024-04-22 10:00", "2024-01-01", 0),
        ("atobarai", "2021-08-09 03:00", "2022-01-01", 0),
    ];
    for (f, t, a, mins) in cases {
        let q = Query::new(f, at(t)).as_of(at(a)).lookahead(mado::chrono::Duration::minutes(mins));
        let answer = s.check(&q).expect("answer");
        let text = to_json(&answer);
        let back: Answer = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{f} at {t}: {e}\n{text}"));
        assert_eq!(back, answer, "{f} at {t}");
        assert_eq!(to_json(&back), text, "{f} at {t}: the same bytes again");
    }
    let list = s.windows(&WindowsQuery::new(at("2019-01-01"), at("2024-06-01")).as_of(at("2024-06-01")).limit(50)).expect("list");
    assert!(list.truncated, "50 of the daily blackout's occurrences cut the list");
    let text = to_json(&list);
    let back: WindowList = serde_json::from_str(&text).expect("list reads back");
    assert_eq!(back, list);
}

#[test]
fn windows_query_builder_sets_every_field() {
    let q = WindowsQuery::new(at("2023-11-01"), at("2023-12-01"))
        .function("webcollect.reauth")
        .as_of(at("2024-01-01"))
        .limit(7)
        .zone(mado::chrono_tz::UTC);
    assert_eq!(q.function.as_deref(), Some("webcollect.reauth"));
    assert_eq!((q.from, q.to, q.as_of, q.limit), (at("2023-11-01"), at("2023-12-01"), at("2024-01-01"), 7));
    assert_eq!(q.zone, mado::chrono_tz::UTC);
    assert_eq!(WindowsQuery::new(q.from, q.to).limit, WindowsQuery::DEFAULT_LIMIT);
    let l = seeds().windows(&q).expect("list");
    assert_eq!(l.windows.len(), 7);
    assert!(l.windows.iter().all(|w| w.functions == ["webcollect.reauth"] || w.functions.contains(&"webcollect".to_string())));
    assert_eq!(l.windows[0].start.offset().local_minus_utc(), 0, "shown in UTC");
}

#[cfg(feature = "server")]
#[tokio::test]
async fn the_servers_json_reads_back_into_the_answer_type() {
    let st = mado::server::AppState::new(mado::server::Config::default()).expect("embedded schedules load");
    let app = mado::server::router(st);
    let uri = "/v1/availability?function=webcollect.credit_card&at=2023-11-13T03:00%2B09:00&as_of=2024-01-01&for=15m";
    let (_, _, body) = common::request(&app, uri, &[]).await;
    let answer: Answer = serde_json::from_str(&body).expect("the server's JSON is an Answer");
    assert_eq!(answer.status, mado::Status::Unavailable);
    let direct = seeds()
        .check(
            &Query::new("webcollect.credit_card", at("2023-11-13T03:00+09:00"))
                .as_of(at("2024-01-01"))
                .lookahead(mado::chrono::Duration::minutes(15)),
        )
        .expect("answer");
    assert_eq!(answer, direct);
}

/// The validators start from a hash of the files alone: the same files in another directory
/// give the same hash (replicas agree), a changed byte another.
#[test]
fn the_content_hash_depends_on_the_files_only() {
    let copy = |dir: &std::path::Path| {
        std::fs::create_dir_all(dir.join("notices")).expect("dir");
        std::fs::copy("schedules/functions.toml", dir.join("functions.toml")).expect("catalogue");
        for e in std::fs::read_dir("schedules/notices").expect("notices") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), dir.join("notices").join(e.file_name())).expect("notice");
        }
    };
    let (a, b) = (tempfile::tempdir().expect("a"), tempfile::tempdir().expect("b"));
    copy(a.path());
    copy(&b.path().join("elsewhere"));
    let ha = mado::Schedule::from_dir(a.path()).expect("a").content_hash();
    let hb = mado::Schedule::from_dir(b.path().join("elsewhere")).expect("b").content_hash();
    assert_eq!(ha, hb);
    assert_eq!(ha, mado::Schedule::embedded().expect("embedded").content_hash(), "the embedded copy is the same files");
    let f = a.path().join("notices/standing-reauth-blackout.toml");
    let text = std::fs::read_to_string(&f).expect("read").replace("duration = \"2h\"", "duration = \"3h\"");
    std::fs::write(&f, text).expect("write");
    assert_ne!(mado::Schedule::from_dir(a.path()).expect("edited").content_hash(), ha);
}
