//! `[[provider]]` in the catalogue: who publishes a set of functions' notices. Table tests
//! of what loads (and each function's provider) and of each bad catalogue's exact message.
use mado::{Schedule, SourceFile};

const CHANNELS: &str =
    "[[channel]]\nid = \"link\"\nja = \"リンク\"\nen = \"link\"\n\n[[channel]]\nid = \"api\"\nja = \"API\"\nen = \"API\"\n";

fn load(providers: &str, functions: &str) -> Result<Schedule, mado::LoadError> {
    let text = format!("{providers}\n{functions}\n{CHANNELS}");
    Schedule::from_sources(vec![SourceFile { name: "functions.toml".into(), text }])
}

fn function(id: &str, extra: &str) -> String {
    format!("[[function]]\nid = \"{id}\"\nja = \"{id}ja\"\nen = \"{id}en\"\n{extra}\n")
}

const TWO: &str = "[[provider]]\nid = \"yamato\"\nja = \"ヤマト運輸\"\nen = \"Yamato Transport\"\n\n[[provider]]\nid = \"acme-pay\"\nja = \"エイクミー\"\nen = \"Acme Pay\"\nzone = \"America/New_York\"\nurl = \"https://status.acme.example/\"\nchannels = [\"api\"]\n";

#[test]
fn each_function_gets_its_own_its_parents_or_the_first_provider() {
    let functions = [
        function("webcollect", ""),
        function("webcollect.credit_card", ""),
        function("acme", "provider = \"acme-pay\""),
        function("acme.wallet", ""),
        function("testenv", ""),
    ]
    .concat();
    let s = load(TWO, &functions).expect("loads");
    let cat = s.catalogue();
    let of = |id: &str| cat.provider_of(cat.function(id).expect(id)).map(|p| p.id().to_string());
    for (id, want) in [
        ("webcollect", "yamato"),
        ("webcollect.credit_card", "yamato"),
        ("acme", "acme-pay"),
        ("acme.wallet", "acme-pay"),
        ("testenv", "yamato"),
    ] {
        assert_eq!(of(id).as_deref(), Some(want), "{id}");
    }
    let acme = &cat.providers()[1];
    assert_eq!(acme.zone().name(), "America/New_York");
    assert_eq!(acme.channels(), ["api"]);
    assert_eq!(acme.url(), Some("https://status.acme.example/"));
    assert_eq!(cat.providers()[0].channels(), ["link", "api"], "default: every channel");
    let json = mado::catalogue_json(cat);
    assert_eq!(json["functions"][3]["provider"], "acme-pay");
    assert_eq!(json["providers"][1]["zone"], "America/New_York");
}

#[test]
fn a_catalogue_without_providers_loads_and_no_function_has_one() {
    let s = load("", &function("webcollect", "")).expect("loads");
    assert!(s.catalogue().providers().is_empty());
    assert_eq!(s.catalogue().provider_of(0).map(|p| p.id()), None);
}

#[test]
fn the_seed_catalogue_keeps_its_function_ids_and_names_yamato() {
    let s = Schedule::embedded().expect("seeds");
    let cat = s.catalogue();
    assert_eq!(cat.providers().iter().map(|p| p.id()).collect::<Vec<_>>(), ["yamato"]);
    for f in cat.functions() {
        assert!(f.id().starts_with("webcollect") || f.id().starts_with("atobarai") || f.id() == "testenv", "{}", f.id());
        assert_eq!(f.provider(), Some(0), "{}", f.id());
    }
}

#[test]
fn bad_providers_are_errors_naming_file_line_column_and_the_value() {
    let p = |body: &str| format!("[[provider]]\n{body}\n");
    for (providers, functions, want) in [
        (
            p("id = \"Yamato\"\nja = \"a\"\nen = \"b\""),
            function("x", ""),
            "functions.toml:2:6: `Yamato` is not a provider id; expected lower-case letters, digits, `-` or `_`, e.g. `yamato`",
        ),
        (
            format!("{}{}", p("id = \"a\"\nja = \"a\"\nen = \"a\""), p("id = \"a\"\nja = \"b\"\nen = \"b\"")),
            function("x", ""),
            "functions.toml:6:6: duplicate provider id `a`; each id is listed once",
        ),
        (p("id = \"a\"\nja = \"a\"\nen = \"a\"\nzone = \"Tokyo\""), function("x", ""), "functions.toml:5:8: `Tokyo`"),
        (
            p("id = \"a\"\nja = \"a\"\nen = \"a\"\nurl = \"status.example\""),
            function("x", ""),
            "functions.toml:5:7: `status.example` is not a web address; expected http(s)://…, e.g. `https://example.com/news`",
        ),
        (
            p("id = \"a\"\nja = \"a\"\nen = \"a\"\nchannels = [\"mail\"]"),
            function("x", ""),
            "functions.toml:5:13: unknown channel `mail` of provider `a`; expected one of the catalogue's [[channel]] ids: link, api",
        ),
        (
            p("id = \"a\"\nja = \"a\"\nen = \"a\""),
            function("x", "provider = \"b\""),
            "unknown provider `b` of function `x`; expected one of the [[provider]] ids: `a`",
        ),
    ] {
        let err = load(&providers, &functions).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(want), "want {want:?} in:\n{err}");
    }
}
