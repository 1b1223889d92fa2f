//! The engine uses a provider's zone and channels (docs/providers.md): a notice without
//! `zone` reads its local times in its functions' provider's zone, and answers list effects
//! only on the channels the function's provider has. Table tests on the two-provider fixture
//! `tests/data/provider-engine/` (yamato: Asia/Tokyo, every channel; acme: Europe/Berlin,
//! `api` only).
use mado::{Query, QueryError, Schedule, SourceFile, Status};

const DIR: &str = "tests/data/provider-engine";

fn fixture() -> Schedule {
    Schedule::from_dir(DIR).unwrap_or_else(|e| panic!("{DIR} loads: {e}"))
}

/// The fixture's catalogue (only) plus `notice` as `notices/extra.toml`.
fn with_notice(notice: &str) -> Result<Schedule, mado::LoadError> {
    let catalogue = std::fs::read_to_string(format!("{DIR}/functions.toml")).expect("catalogue");
    Schedule::from_sources(vec![
        SourceFile { name: "functions.toml".into(), text: catalogue },
        SourceFile { name: "notices/extra.toml".into(), text: notice.into() },
    ])
}

fn t(s: &str) -> mado::time::Instant {
    mado::time::parse_instant(s, mado::time::DEFAULT_ZONE, mado::time::now()).expect(s)
}

fn status(s: &Schedule, f: &str, at: &str, as_of: &str) -> Status {
    s.check(&Query::new(f, t(at)).as_of(t(as_of))).unwrap_or_else(|e| panic!("{f} at {at}: {e}")).status
}

/// Channel ids and error codes the answer's first window lists.
fn effects(s: &Schedule, f: &str, at: &str, channel: Option<&str>) -> Result<Vec<(String, String)>, QueryError> {
    let mut q = Query::new(f, t(at)).as_of(t("2026-01-09T00:00:00Z"));
    if let Some(c) = channel {
        q = q.channel(c);
    }
    let a = serde_json::to_value(s.check(&q)?).expect("json");
    let list = a["windows"][0]["effects"].as_array().cloned().unwrap_or_default();
    Ok(list
        .iter()
        .map(|e| {
            let what = e["error_code"].as_str().or(e["page"].as_str()).unwrap_or("").to_string();
            (e["channel"].as_str().unwrap_or("").to_string(), what)
        })
        .collect())
}

const HEAD: &str = "id = \"extra\"\npublished = \"2026-01-05 09:00\"\ntitle = \"t\"\nsource = \"s\"\n";

fn window(functions: &str, start: &str, end: &str) -> String {
    format!("\n[[window]]\nid = \"w\"\nfunctions = [{functions}]\nstart = \"{start}\"\nend = \"{end}\"\n")
}

#[test]
fn a_notice_without_zone_reads_its_times_in_its_providers_zone() {
    let s = fixture();
    let as_of = "2026-01-09T00:00:00Z";
    // acme's notice says 02:00–04:00: CET (UTC+1), so 01:00Z–03:00Z.
    for (f, at, want) in [
        ("acme.wallet", "2026-01-10T00:59:59Z", Status::Available),
        ("acme.wallet", "2026-01-10T01:00:00Z", Status::Unavailable),
        ("acme.wallet", "2026-01-10T02:59:59Z", Status::Unavailable),
        ("acme.wallet", "2026-01-10T03:00:00Z", Status::Available),
        // 02:00 in Tokyo would be 2026-01-09T17:00Z: nothing then.
        ("acme.wallet", "2026-01-09T17:00:00Z", Status::Available),
        // Yamato's notice (no zone either) stays in Asia/Tokyo: 02:00 JST = 17:00Z the day before.
        ("webcollect", "2026-01-11T16:59:59Z", Status::Available),
        ("webcollect", "2026-01-11T17:00:00Z", Status::Unavailable),
        ("webcollect", "2026-01-11T19:00:00Z", Status::Available),
    ] {
        assert_eq!(status(&s, f, at, as_of), want, "{f} at {at}");
    }
    // Summer time: 02:00 CEST is 00:00Z.
    let summer = with_notice(&format!("{HEAD}{}", window("\"acme.wallet\"", "2026-07-10 02:00", "04:00"))).expect("loads");
    for (at, want) in [
        ("2026-07-09T23:59:59Z", Status::Available),
        ("2026-07-10T00:00:00Z", Status::Unavailable),
        ("2026-07-10T01:59:59Z", Status::Unavailable),
        ("2026-07-10T02:00:00Z", Status::Available),
    ] {
        assert_eq!(status(&summer, "acme.wallet", at, "2026-07-01T00:00:00Z"), want, "summer {at}");
    }
}

#[test]
fn an_explicit_zone_wins_and_a_catalogue_without_providers_keeps_tokyo() {
    let tokyo =
        with_notice(&format!("{HEAD}zone = \"Asia/Tokyo\"\n{}", window("\"acme.wallet\"", "2026-01-10 02:00", "04:00"))).expect("loads");
    for (at, want) in [
        ("2026-01-09T16:59:59Z", Status::Available),
        ("2026-01-09T17:00:00Z", Status::Unavailable),
        ("2026-01-10T01:00:00Z", Status::Available),
    ] {
        assert_eq!(status(&tokyo, "acme.wallet", at, "2026-01-09T00:00:00Z"), want, "{at}");
    }
    let catalogue = "[[function]]\nid = \"acme\"\nja = \"a\"\nen = \"a\"\n\n[[channel]]\nid = \"api\"\nja = \"API\"\nen = \"API\"\n";
    let plain = Schedule::from_sources(vec![
        SourceFile { name: "functions.toml".into(), text: catalogue.into() },
        SourceFile { name: "notices/extra.toml".into(), text: format!("{HEAD}{}", window("\"acme\"", "2026-01-10 02:00", "04:00")) },
    ])
    .expect("loads");
    assert_eq!(status(&plain, "acme", "2026-01-09T17:00:00Z", "2026-01-09T00:00:00Z"), Status::Unavailable);
    assert_eq!(status(&plain, "acme", "2026-01-10T01:00:00Z", "2026-01-09T00:00:00Z"), Status::Available);
}

#[test]
fn a_revision_without_functions_is_published_in_the_zone_of_what_it_revises() {
    // The fixture's acme notice, revised by a notice that names no function: published
    // 09:00 Berlin (08:00Z), not 09:00 Tokyo (00:00Z).
    let mut files = mado::read_dir_sources(std::path::Path::new(DIR)).expect("fixture");
    files.push(SourceFile {
        name: "notices/revise.toml".into(),
        text: "id = \"revise\"\npublished = \"2026-01-06 09:00\"\ntitle = \"t\"\nsource = \"s\"\n\n[[revise]]\nnotice = \"2026-01-10-acme-wallet\"\nwindow = \"wallet\"\naction = \"cancel\"\n".into(),
    });
    let s = Schedule::from_sources(files).expect("loads");
    for (as_of, want) in [("2026-01-06T07:59:59Z", Status::Unavailable), ("2026-01-06T08:00:00Z", Status::Available)] {
        assert_eq!(status(&s, "acme.wallet", "2026-01-10T01:00:00Z", as_of), want, "as of {as_of}");
    }
}

#[test]
fn functions_of_providers_in_different_zones_need_a_zone() {
    let notice = format!("{HEAD}{}", window("\"webcollect\", \"acme.wallet\"", "2026-01-10 02:00", "04:00"));
    let err = with_notice(&notice).err().map(|e| e.to_string()).unwrap_or_default();
    let want = "notices/extra.toml:6:1: notice `extra` has no `zone` and names functions of providers `yamato` (Asia/Tokyo) and `acme` (Europe/Berlin), whose zones differ; give the zone its local times are in, e.g. `zone = \"Asia/Tokyo\"`";
    assert!(err.contains(want), "want {want:?} in:\n{err}");
    // With a zone it loads (the fixture's 2026-01-14-both does the same).
    with_notice(&format!("{HEAD}zone = \"Europe/Berlin\"\n{}", window("\"webcollect\", \"acme.wallet\"", "2026-01-10 02:00", "04:00")))
        .expect("loads with a zone");
}

#[test]
fn answers_list_effects_only_on_the_providers_channels() {
    let s = fixture();
    let e = |f: &str, at: &str, c: Option<&str>| effects(&s, f, at, c).unwrap_or_else(|e| panic!("{f}: {e}"));
    let pair = |c: &str, w: &str| (c.to_string(), w.to_string());
    for (f, at, channel, want) in [
        // acme has only `api`: the catalogue default of `link` never applies to it.
        ("acme.wallet", "2026-01-10T01:00:00Z", None, vec![pair("api", "Z010000000")]),
        ("acme.wallet", "2026-01-10T01:00:00Z", Some("api"), vec![pair("api", "Z010000000")]),
        ("webcollect", "2026-01-11T17:00:00Z", None, vec![pair("link", "メンテナンスのお知らせ"), pair("api", "Z010000000")]),
        ("webcollect", "2026-01-11T17:00:00Z", Some("link"), vec![pair("link", "メンテナンスのお知らせ")]),
        // One window over both providers: each function sees its own provider's channels.
        ("acme", "2026-01-13T17:00:00Z", None, vec![pair("api", "NET-1")]),
        ("webcollect", "2026-01-13T17:00:00Z", None, vec![pair("link", "メンテナンスのお知らせ"), pair("api", "NET-1")]),
    ] {
        assert_eq!(e(f, at, channel), want, "{f} at {at} channel {channel:?}");
    }
}

#[test]
fn asking_for_a_channel_the_provider_lacks_is_a_query_error() {
    let s = fixture();
    for (f, channel) in [("acme.wallet", "link"), ("acme", "link")] {
        let err = effects(&s, f, "2026-01-10T01:00:00Z", Some(channel)).expect_err("a channel acme lacks");
        assert_eq!(
            err,
            QueryError::ChannelNotOfProvider {
                id: channel.into(),
                function: f.into(),
                provider: "acme".into(),
                allowed: vec!["api".into()]
            }
        );
        assert_eq!(
            err.to_string(),
            format!("function `{f}` belongs to provider `acme`, which has no channel `{channel}`; its channels: api")
        );
    }
    // A channel that is not in the catalogue at all is still that error.
    assert!(matches!(effects(&s, "acme", "2026-01-10T01:00:00Z", Some("mail")), Err(QueryError::UnknownChannel { .. })));
}

#[test]
fn an_effect_on_a_channel_no_provider_of_its_functions_has_is_a_load_error() {
    let acme = window("\"acme.wallet\"", "2026-01-10 02:00", "04:00");
    let msg = |c: &str, fs: &str| {
        format!(
            "an effect on channel `{c}`, which no provider of {fs} has (`acme` has api); state effects only on channels the provider has"
        )
    };
    for (notice, want) in [
        // The window's own effects.
        (
            format!("{HEAD}{acme}\n[window.effects]\nlink = {{ page = \"x\" }}\n"),
            format!("notices/extra.toml:13:1: {}", msg("link", "`acme.wallet`")),
        ),
        // The notice's effects, for all its windows.
        (
            format!("{HEAD}\n[effects]\nlink = {{ page = \"x\" }}\n{acme}"),
            format!("notices/extra.toml:7:1: {}", msg("link", "`acme.wallet`")),
        ),
        // An effect scoped to acme's functions in a window over both providers.
        (
            format!(
                "{HEAD}zone = \"Asia/Tokyo\"\n{}\n[window.effects]\nlink = {{ page = \"x\", functions = [\"acme\"] }}\n",
                window("\"webcollect\", \"acme\"", "2026-01-10 02:00", "04:00")
            ),
            format!("notices/extra.toml:14:1: {}", msg("link", "`acme`")),
        ),
    ] {
        let err = with_notice(&notice).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(&want), "want {want:?} in:\n{err}\n---\n{notice}");
    }
    // The same effects load where a provider of the functions has the channel.
    with_notice(&format!(
        "{HEAD}zone = \"Asia/Tokyo\"\n{}\n[window.effects]\nlink = {{ page = \"x\" }}\n",
        window("\"webcollect\", \"acme\"", "2026-01-10 02:00", "04:00")
    ))
    .expect("yamato has link");
}

#[cfg(feature = "server")]
mod common;

#[cfg(feature = "server")]
#[tokio::test]
async fn the_api_answers_400_naming_the_provider_and_its_channels() {
    use mado::server::{router, AppState, Config};
    let st = AppState::new(Config { schedules: Some(DIR.into()), ..Config::default() }).expect("fixture loads");
    let app = router(st);
    for (uri, want) in [
        (
            "/v1/availability?function=acme.wallet&at=2026-01-10T01:00:00Z&channel=link",
            Some("function `acme.wallet` belongs to provider `acme`, which has no channel `link`; its channels: api"),
        ),
        ("/v1/availability?function=acme.wallet&at=2026-01-10T01:00:00Z&channel=api", None),
        ("/v1/availability?function=webcollect&at=2026-01-10T01:00:00Z&channel=link", None),
    ] {
        let (status, _, body) = common::request(&app, uri, &[]).await;
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        match want {
            Some(detail) => {
                assert_eq!(status, axum::http::StatusCode::BAD_REQUEST, "{uri}: {body}");
                assert_eq!(v["parameter"], "channel", "{body}");
                assert_eq!(v["allowed"], serde_json::json!(["api"]), "{body}");
                assert_eq!(v["detail"], detail, "{body}");
            }
            None => assert_eq!(status, axum::http::StatusCode::OK, "{uri}: {body}"),
        }
    }
}

#[cfg(feature = "cli")]
#[test]
fn the_cli_exits_2_naming_the_provider_and_its_channels() {
    let run = |channel: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mado"))
            .args(["check", "acme.wallet", "--schedules", DIR, "--at", "2026-01-10T01:00:00Z", "--channel", channel])
            .env_remove("MADO_SCHEDULES")
            .env("LANG", "C")
            .output()
            .expect("run mado");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run("link");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("function `acme.wallet` belongs to provider `acme`, which has no channel `link`; its channels: api"), "{err}");
    // Not an error for a channel acme has: the exit status is the answer's (0 available, 1 not).
    let (code, err) = run("api");
    assert_eq!(code, Some(1), "unavailable then: {err}");
}
