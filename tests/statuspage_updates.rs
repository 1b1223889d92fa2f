//! The Statuspage documents' `incident_updates[]`: each revision's status is what the
//! window was as that revision describes it when it was published (a revision published
//! after the start says `in_progress`, one that ends the window says `completed` or
//! `resolved`), and the start or end passing by the schedule is an update of its own only
//! when no revision reported it. Fixture: `tests/data/statuspage-updates/`, the notices
//! `mado import` made of a wallet's Statuspage items (see docs/providers.md).
use mado::views::statuspage::{Documents, Incident, Options, Which};
use mado::Lang;

mod common;
use common::at;

fn schedule() -> mado::Schedule {
    mado::Schedule::from_dir("tests/data/statuspage-updates").expect("the fixture loads")
}

fn item(s: &mado::Schedule, now: &str, id: &str) -> Incident {
    let d = Documents::new(s, Options { now: at(now), lang: Lang::En, base_url: None });
    let mut all = d.maintenances(Which::All).expect("maintenances");
    all.extend(d.incidents(false).expect("incidents"));
    all.into_iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id} listed at {now}"))
}

/// `(status, created_at)` of each update, newest first, and whether any says mado has no
/// report of a start or an end.
fn updates(m: &Incident) -> (Vec<(String, String)>, bool) {
    let list = m.incident_updates.iter().map(|u| (u.status.clone(), u.created_at.clone())).collect();
    (list, m.incident_updates.iter().any(|u| u.body.contains("mado has no report")))
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| ((*a).to_string(), (*b).to_string())).collect()
}

/// (now, item, its status, its updates newest first, whether one says "no report").
type Case<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], bool);

#[test]
fn each_update_has_the_status_of_the_window_when_it_was_published() {
    let s = schedule();
    let cases: &[Case] = &[
        // Announced; the start passes with no report yet: the schedule's own update.
        (
            "2026-11-28T22:00:05Z",
            "pw-mntdone1-1/w",
            "in_progress",
            &[("in_progress", "2026-11-29T07:00:00.000+09:00"), ("scheduled", "2026-11-20T20:00:00.000+09:00")],
            true,
        ),
        // The provider's in-progress update (10 s after the start) reports the start.
        (
            "2026-11-28T23:00:00Z",
            "pw-mntdone1-1/w",
            "in_progress",
            &[("in_progress", "2026-11-29T07:00:10.000+09:00"), ("scheduled", "2026-11-20T20:00:00.000+09:00")],
            false,
        ),
        // Completed early: the completing update ends it; nothing says the end went unreported.
        (
            "2026-11-30T10:00:00Z",
            "pw-mntdone1-1/w",
            "completed",
            &[
                ("completed", "2026-11-29T09:30:00.000+09:00"),
                ("in_progress", "2026-11-29T07:00:10.000+09:00"),
                ("scheduled", "2026-11-20T20:00:00.000+09:00"),
            ],
            false,
        ),
        (
            "2026-11-30T10:00:00Z",
            "pw-mntprog1-1/w",
            "in_progress",
            &[("in_progress", "2026-11-30T18:00:06.000+09:00"), ("scheduled", "2026-11-20T19:00:00.000+09:00")],
            false,
        ),
        // The end passes by the schedule with no report: said so.
        (
            "2026-11-30T12:00:00Z",
            "pw-mntprog1-1/w",
            "completed",
            &[
                ("completed", "2026-11-30T21:00:00.000+09:00"),
                ("in_progress", "2026-11-30T18:00:06.000+09:00"),
                ("scheduled", "2026-11-20T19:00:00.000+09:00"),
            ],
            true,
        ),
        // An incident's updates while open, then the one that resolves it.
        (
            "2026-11-27T14:00:00Z",
            "pwi-inc1-1/w",
            "investigating",
            &[("investigating", "2026-11-27T22:30:00.000+09:00"), ("investigating", "2026-11-27T22:02:12.000+09:00")],
            false,
        ),
        (
            "2026-11-30T10:00:00Z",
            "pwi-inc1-1/w",
            "resolved",
            &[
                ("resolved", "2026-11-27T23:45:31.000+09:00"),
                ("investigating", "2026-11-27T23:10:00.000+09:00"),
                ("investigating", "2026-11-27T22:30:00.000+09:00"),
                ("investigating", "2026-11-27T22:02:12.000+09:00"),
            ],
            false,
        ),
    ];
    for (now, id, status, want, no_report) in cases {
        let m = item(&s, now, id);
        assert_eq!(m.status, *status, "{id} at {now}");
        let (got, said) = updates(&m);
        assert_eq!(got, pairs(want), "{id} at {now}");
        assert_eq!(said, *no_report, "{id} at {now}: {:#?}", m.incident_updates);
        assert_eq!(m.updated_at, want[0].1, "{id} at {now}: updated_at is the newest update's");
    }
}

/// Payouts at 2026-11-27T14:00Z: the wallet incident and a payouts maintenance at once. Both
/// views name the incident: the component is `major_outage`, the status page's row
/// "Unavailable (incident)"; the wallet, under the incident alone, reads the same.
#[cfg(feature = "html")]
#[test]
fn an_incident_during_a_maintenance_is_an_outage_on_the_api_and_the_page() {
    let s = schedule();
    let now = "2026-11-27T14:00:00Z";
    let d = Documents::new(&s, Options { now: at(now), lang: Lang::En, base_url: None });
    let comps = d.components().expect("components");
    let status = |id: &str| comps.iter().find(|c| c.id == id).map(|c| c.status.clone()).expect(id);
    let cx = mado::views::pages::PageContext {
        lang: Lang::En,
        now: at(now),
        fixed_clock: true,
        host: "mado.example".into(),
        scheme: "https".into(),
        path: "/".into(),
        params: Vec::new(),
    };
    let (page, _) = mado::views::pages::status_page(&s, &cx);
    for f in ["paywall.payouts", "paywall.wallet"] {
        assert_eq!(status(f), "major_outage", "{f}");
        let marker = format!("data-function=\"{f}\"");
        let from = page.find(&marker).unwrap_or_else(|| panic!("{f} not on the page"));
        let row = &page[from..from + page[from..].find("</li>").expect("row end")];
        assert!(row.contains("Unavailable (incident)"), "{f}: {row}");
    }
}
