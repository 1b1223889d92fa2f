//! `mado serve --watch` cannot go stale unnoticed (issue #17): a symlink swapped to a new
//! release, a directory removed and made again, a FIFO named like a notice and an emptied
//! `notices/` each used to leave the server serving an old or empty schedule while `/readyz`
//! stayed green. The first four tests use only what the server had before, so that they run
//! (and fail) on the code before the fix too.
use mado::server::{watch, AppState, Config};
use mado::{Query, Status};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::at;

/// A notice `id` with a window on every function, 2030-01-01 02:00 to `end` (Asia/Tokyo).
fn notice(id: &str, end: &str) -> String {
    format!("id = \"{id}\"\npublished = \"2020-01-01\"\ntitle = \"t\"\nsource = \"s\"\n[[window]]\nid = \"w-{id}\"\nfunctions = [\"webcollect\"]\nstart = \"2030-01-01 02:00\"\nend = \"{end}\"\n")
}

/// A schedules directory: the catalogue and `notices/ID.toml` for each `(id, end)`.
fn schedules(dir: &Path, notices: &[(&str, &str)]) {
    std::fs::create_dir_all(dir.join("notices")).expect("mkdir");
    std::fs::copy("schedules/functions.toml", dir.join("functions.toml")).expect("catalogue");
    for (id, end) in notices {
        std::fs::write(dir.join("notices").join(format!("{id}.toml")), notice(id, end)).expect("notice");
    }
}

/// The status of `webcollect.admin` at 2030-01-01 `hhmm` (Asia/Tokyo), as known in 2029.
fn status(st: &AppState, hhmm: &str) -> Status {
    let q = Query::new("webcollect.admin", at(&format!("2030-01-01 {hhmm}"))).as_of(at("2029-01-01"));
    st.current().schedule.check(&q).expect("answer").status
}

/// Waits up to 5 s for the server to answer `want` at `hhmm`.
async fn serves(st: &AppState, hhmm: &str, want: Status) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if status(st, hhmm) == want {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// `ln -sfn TARGET LINK.tmp && mv -T LINK.tmp LINK`: the atomic swap of capistrano-style deploys.
#[cfg(unix)]
fn swap_symlink(target: &str, link: &Path) {
    let tmp = link.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).expect("symlink");
    std::fs::rename(&tmp, link).expect("rename over the old link");
}

fn state(dir: &Path) -> Arc<AppState> {
    AppState::new(Config { schedules: Some(dir.into()), ..Config::default() }).expect("loads")
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlink_swapped_to_a_new_release_is_followed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    schedules(&tmp.path().join("releases/v1"), &[("a", "03:00")]);
    schedules(&tmp.path().join("releases/v2"), &[("a", "05:00")]);
    let current = tmp.path().join("current");
    std::os::unix::fs::symlink("releases/v1", &current).expect("symlink");
    let st = state(&current);
    let _watch = watch(st.clone(), Duration::from_millis(100)).expect("watch");
    assert_eq!(status(&st, "04:30"), Status::Available);

    swap_symlink("releases/v2", &current);
    assert!(serves(&st, "04:30", Status::Unavailable).await, "the swap to v2 was not followed");

    // The new release is the one watched now: an edit there is seen, one in the old is not.
    std::fs::write(tmp.path().join("releases/v2/notices/a.toml"), notice("a", "06:00")).expect("edit");
    assert!(serves(&st, "05:30", Status::Unavailable).await, "an edit in the new release was not seen");
    let generation = st.current().generation;
    std::fs::write(tmp.path().join("releases/v1/notices/a.toml"), notice("a", "07:00")).expect("edit");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status(&st, "06:30"), Status::Available, "the old release is not served");
    assert_eq!(st.current().generation, generation, "an edit in the old release makes no new generation");

    // SIGHUP after a swap serves the new target too.
    schedules(&tmp.path().join("releases/v3"), &[("a", "08:00")]);
    swap_symlink("releases/v3", &current);
    st.reload().expect("reload");
    assert_eq!(status(&st, "07:30"), Status::Unavailable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_removed_and_made_again_is_still_watched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("schedules");
    schedules(&dir, &[("a", "03:00")]);
    let st = state(&dir);
    let _watch = watch(st.clone(), Duration::from_millis(100)).expect("watch");

    // rm -rf D; cp -r new D; kill -HUP
    std::fs::remove_dir_all(&dir).expect("rm -rf");
    schedules(&dir, &[("a", "05:00")]);
    st.reload().expect("SIGHUP reloads the new directory");
    assert_eq!(status(&st, "04:30"), Status::Unavailable);
    // Let the watch settle, so that what follows can only be seen through its events.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Later edits are seen: the watch follows the new directory.
    std::fs::write(dir.join("notices/a.toml"), notice("a", "06:00")).expect("edit");
    assert!(serves(&st, "05:30", Status::Unavailable).await, "an edit after the directory was made again was not seen");
    std::fs::write(dir.join("notices/b.toml"), notice("b", "07:00")).expect("new file");
    assert!(serves(&st, "06:30", Status::Unavailable).await, "a new file after the directory was made again was not seen");
}

/// Runs `st.reload()` on a thread: `None` if it has not returned within 10 s.
fn reload_within_10s(st: &Arc<AppState>) -> Option<Result<u64, String>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let st = st.clone();
    std::thread::spawn(move || {
        let _ = tx.send(st.reload().map_err(|e| e.to_string()));
    });
    rx.recv_timeout(Duration::from_secs(10)).ok()
}

/// Runs `test` on a runtime of its own that is not waited for at the end: a reload stuck on
/// the blocking pool (the bug) must fail the test, not hang it.
fn on_runtime(test: impl std::future::Future<Output = ()>) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(test)));
    rt.shutdown_background();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_notice_fails_the_reload_instead_of_blocking_it() {
    on_runtime(a_fifo());
}

#[cfg(unix)]
async fn a_fifo() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("schedules");
    schedules(&dir, &[("a", "03:00")]);
    let st = state(&dir);
    let _watch = watch(st.clone(), Duration::from_millis(100)).expect("watch");
    let fifo = dir.join("notices/x.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    // The watch sees the FIFO appear and reloads; so does SIGHUP. Neither may block.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let err = reload_within_10s(&st).expect("the reload blocked on the FIFO").expect_err("a FIFO is no notice");
    assert!(err.contains("x.toml: not a regular file (a FIFO)"), "{err}");
    assert!(!st.last_reload_ok());
    assert_eq!(status(&st, "02:30"), Status::Unavailable, "the last good schedule keeps serving");

    // Once the FIFO is gone, edits are seen again, by the watch and by SIGHUP.
    std::fs::remove_file(&fifo).expect("rm fifo");
    std::fs::write(dir.join("notices/a.toml"), notice("a", "05:00")).expect("edit");
    assert!(serves(&st, "04:30", Status::Unavailable).await, "edits were ignored after the FIFO was gone");
    std::fs::write(dir.join("notices/a.toml"), notice("a", "06:00")).expect("edit");
    reload_within_10s(&st).expect("SIGHUP blocked").expect("reloads");
    assert_eq!(status(&st, "05:30"), Status::Unavailable);
    assert!(st.last_reload_ok());
}

#[test]
fn an_emptied_notices_directory_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("schedules");
    schedules(&dir, &[("a", "03:00"), ("b", "03:00"), ("c", "03:00")]);
    let st = state(&dir);
    let generation = st.current().generation;

    // notices/ emptied: a schedule of no notices would answer `available` everywhere.
    for id in ["a", "b", "c"] {
        std::fs::remove_file(dir.join(format!("notices/{id}.toml"))).expect("rm");
    }
    let err = st.reload().expect_err("a reload that drops every notice is refused");
    assert!(err.to_string().contains("has no notices; the schedule serving has 3"), "{err}");
    assert_eq!((st.current().generation, st.current().schedule.notices().len()), (generation, 3));
    assert_eq!(status(&st, "02:30"), Status::Unavailable, "the last good schedule keeps serving");
    assert!(!st.last_reload_ok());

    // notices/ removed altogether: the same.
    std::fs::remove_dir(dir.join("notices")).expect("rmdir");
    assert!(st.reload().is_err());
    assert_eq!(st.current().schedule.notices().len(), 3);

    // Dropping more than half of them (the default --max-drop 50%) is refused too; less is not.
    schedules(&dir, &[("a", "03:00")]);
    let err = st.reload().expect_err("2 of 3 dropped");
    assert!(err.to_string().contains("would drop 2 of the 3 notices serving (67 %, more than --max-drop 50 %)"), "{err}");
    schedules(&dir, &[("a", "03:00"), ("b", "03:00")]);
    st.reload().expect("1 of 3 dropped is fine");
    assert_eq!(st.current().schedule.notices().len(), 2);
    assert!(st.last_reload_ok());
}

// What follows uses what the fix added.

#[test]
fn the_operator_may_allow_a_reload_that_drops_notices() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("schedules");
    schedules(&dir, &[("a", "03:00"), ("b", "03:00")]);
    let st = AppState::new(Config { schedules: Some(dir.clone()), max_drop: 1.0, ..Config::default() }).expect("loads");
    std::fs::remove_dir_all(dir.join("notices")).expect("rm");
    st.reload().expect("--max-drop 100% allows it");
    assert_eq!(st.current().schedule.notices().len(), 0);
}

/// A symlink to `/dev/zero` was read until memory ran out; a file over --max-file-size is
/// refused without reading it whole.
#[cfg(unix)]
#[test]
fn devices_and_oversized_files_fail_the_reload() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("schedules");
    schedules(&dir, &[("a", "03:00")]);
    let st = AppState::new(Config { schedules: Some(dir.clone()), max_file_size: 16384, ..Config::default() }).expect("loads");
    std::os::unix::fs::symlink("/dev/zero", dir.join("notices/zero.toml")).expect("symlink");
    let err = reload_within_10s(&st).expect("returns").expect_err("a device");
    assert!(err.contains("zero.toml: not a regular file (a character device)"), "{err}");
    std::fs::remove_file(dir.join("notices/zero.toml")).expect("rm");
    std::fs::write(dir.join("notices/big.toml"), format!("{}\n# {}\n", notice("big", "03:00"), "x".repeat(20000))).expect("write");
    let err = st.reload().expect_err("too large");
    assert!(err.to_string().contains("big.toml: larger than 16 KiB, the limit per schedule file (`mado serve --max-file-size`)"), "{err}");
    std::fs::remove_file(dir.join("notices/big.toml")).expect("rm");
    st.reload().expect("fine again");
}

/// What no event announces — here a symlink swapped two levels up, in a directory nobody
/// watches — the periodic re-check finds; a re-check that finds the files unchanged makes no
/// new generation and confirms the schedule serving as current.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recheck_finds_what_no_event_announced_and_confirms_the_rest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    schedules(&tmp.path().join("r1/schedules"), &[("a", "03:00")]);
    schedules(&tmp.path().join("r2/schedules"), &[("a", "05:00")]);
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink("r1", &link).expect("symlink");
    let config = Config { schedules: Some(link.join("schedules")), recheck: Duration::from_millis(300), ..Config::default() };
    let st = AppState::new(config).expect("loads");
    let loaded_at = st.health().last_reload_success;
    let _watch = watch(st.clone(), Duration::from_millis(100)).expect("watch");

    swap_symlink("r2", &link);
    assert!(serves(&st, "04:30", Status::Unavailable).await, "the re-check did not find the swap");
    let generation = st.current().generation;

    // Unchanged files: no new generation, and the confirmation moves on.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(st.current().generation, generation);
    let h = st.health();
    assert!(h.ready && h.last_reload_ok && h.reasons.is_empty(), "{h:?}");
    assert!(h.confirmed > loaded_at, "{h:?}");
    assert_eq!(st.reload_if_changed().expect("reads"), None, "unchanged");
    std::fs::write(tmp.path().join("r2/schedules/notices/a.toml"), notice("a", "06:00")).expect("edit");
    assert!(serves(&st, "05:30", Status::Unavailable).await);

    let app = mado::server::router(st.clone());
    let (_, _, metrics) = common::request(&app, "/metrics", &[]).await;
    for needle in [
        "mado_schedule_last_reload_successful 1",
        "mado_schedule_last_reload_success_timestamp_seconds ",
        "mado_schedule_last_confirmed_timestamp_seconds ",
        "mado_reload_stuck_reads 0",
        "mado_ready 1",
        "mado_not_ready{reason=\"reload_stuck\"} 0",
        "mado_not_ready{reason=\"watcher_failed\"} 0",
        "mado_reload_shrink_refusals_total 0",
    ] {
        assert!(metrics.contains(needle), "{needle} in\n{metrics}");
    }
}

/// A refused reload is not refused again on every re-check: logged and counted once, until
/// the files change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_reload_is_counted_once_per_change() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("schedules");
    schedules(&dir, &[("a", "03:00")]);
    let config = Config { schedules: Some(dir.clone()), recheck: Duration::from_millis(200), ..Config::default() };
    let st = AppState::new(config).expect("loads");
    let _watch = watch(st.clone(), Duration::from_millis(100)).expect("watch");
    std::fs::remove_file(dir.join("notices/a.toml")).expect("rm");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let app = mado::server::router(st.clone());
    let (_, _, metrics) = common::request(&app, "/metrics", &[]).await;
    assert!(
        metrics.contains("mado_reload_shrink_refusals_total 1")
            && metrics.contains("mado_reload_failures_total 1")
            && metrics.contains("mado_schedule_last_reload_successful 0"),
        "{metrics}"
    );
    assert_eq!(status(&st, "02:30"), Status::Unavailable);
    // Put back as it was: the schedule serving is current again.
    std::fs::write(dir.join("notices/a.toml"), notice("a", "03:00")).expect("restore");
    let started = Instant::now();
    while !st.last_reload_ok() && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(st.last_reload_ok(), "the files serving again are confirmed");
    assert_eq!(st.current().generation, 1);
}
