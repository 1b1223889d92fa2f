//! `advice` / `advice_en`: what a merchant can do during a window, as the notice says it.
//! Notice-level for the windows it announces and revises, overridden per window, inherited
//! by revisions that say nothing; shown in the answer's language.
mod common;

use common::at;
use mado::{Lang, Query, Schedule, SourceFile};

/// The embedded catalogue with one notice file.
fn with(text: &str) -> Result<Schedule, mado::LoadError> {
    let mut files: Vec<SourceFile> = mado::embedded_sources().into_iter().filter(|f| f.name.ends_with(mado::CATALOGUE_FILE)).collect();
    files.push(SourceFile { name: "notices/advice.toml".into(), text: text.into() });
    Schedule::from_sources(files)
}

const HEAD: &str = r#"id = "advice-test"
published = "2030-01-01"
title = "テスト"
source = "テスト"
"#;

const WINDOWS: &str = r#"
[[window]]
id = "a"
functions = ["webcollect"]
start = "2030-02-01 02:00"
end = "05:00"

[[window]]
id = "b"
functions = ["webcollect"]
start = "2030-03-01 02:00"
end = "05:00"
advice = ["「窓Bの対応」"]
"#;

fn advice(s: &Schedule, t: &str, lang: Lang) -> Vec<String> {
    let a = s.check(&Query::new("webcollect.credit_card", at(t)).as_of(at("2030-01-02")).lang(lang)).expect("answer");
    a.windows.first().map(|w| w.advice.clone()).unwrap_or_default()
}

#[test]
fn notice_advice_reaches_its_windows_and_a_window_overrides_it() {
    let text = format!("{HEAD}advice = [\"「注文を受け付けない」\", \"「銀行振込への変更」\"]\nadvice_en = [\"Refuse orders.\", \"Switch to bank transfer.\"]\n{WINDOWS}");
    let s = with(&text).unwrap_or_else(|e| panic!("{e}"));
    // (instant, language, advice shown)
    let cases: &[(&str, Lang, &[&str])] = &[
        ("2030-02-01 03:00", Lang::Ja, &["「注文を受け付けない」", "「銀行振込への変更」"]),
        ("2030-02-01 03:00", Lang::En, &["Refuse orders.", "Switch to bank transfer."]),
        // Window b's own advice, with no English: the notice's words in either language.
        ("2030-03-01 03:00", Lang::Ja, &["「窓Bの対応」"]),
        ("2030-03-01 03:00", Lang::En, &["「窓Bの対応」"]),
    ];
    for (t, lang, want) in cases {
        assert_eq!(advice(&s, t, *lang), *want, "{t} {lang:?}");
    }
    let json = mado::views::json::to_json(
        &s.check(&Query::new("webcollect", at("2030-02-01 03:00")).as_of(at("2030-01-02")).lang(Lang::En)).expect("answer"),
    );
    assert!(json.contains(r#""advice": ["#) || json.contains(r#""advice":["#), "{json}");
}

#[test]
fn no_advice_leaves_the_field_out() {
    let s = with(&format!("{HEAD}{}", WINDOWS.replace("advice = [\"「窓Bの対応」\"]\n", ""))).unwrap_or_else(|e| panic!("{e}"));
    let a = s.check(&Query::new("webcollect", at("2030-02-01 03:00")).as_of(at("2030-01-02"))).expect("answer");
    assert!(a.windows[0].advice.is_empty());
    assert!(!mado::views::json::to_json(&a).contains("\"advice\""), "an empty list is left out of the JSON");
}

#[test]
fn bad_advice_is_refused_with_file_line_and_column() {
    let cases = [
        ("advice_en = [\"Refuse orders.\"]\n", "notices/advice.toml:5:", "`advice_en` without `advice`"),
        ("advice = [\"a\", \"b\"]\nadvice_en = [\"A\"]\n", "notices/advice.toml:6:", "`advice_en` has 1 entries and `advice` 2"),
        ("advice = []\n", "notices/advice.toml:5:", "`advice` is empty"),
        ("advice = [\" \"]\n", "notices/advice.toml:5:", "is blank"),
    ];
    for (lines, place, want) in cases {
        let err = with(&format!("{HEAD}{lines}{WINDOWS}")).expect_err(lines).to_string();
        assert!(err.contains(want) && err.contains(place), "{lines}: {err}");
    }
}
