//! JSON: the one serializer every interface prints answers with (CLI `--format json` and the
//! HTTP API give the same bytes), and the catalogue's JSON shape.

use crate::engine::model::Catalogue;

/// The JSON every interface prints for an answer or a list: pretty, with a final newline.
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\":\"serialization\",\"detail\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// The catalogue as JSON: `{ "functions": [...], "channels": [...] }`, each function with
/// its `parent`.
pub fn catalogue_json(c: &Catalogue) -> serde_json::Value {
    serde_json::json!({
        "functions": c.functions().iter().map(|f| serde_json::json!({
            "id": f.id(),
            "parent": f.id().rsplit_once('.').map(|(p, _)| p),
            "provider": f.provider().and_then(|p| c.providers().get(p)).map(|p| p.id()),
            "ja": f.ja(),
            "en": f.en(),
        })).collect::<Vec<_>>(),
        "channels": c.channels(),
        "providers": c.providers(),
    })
}
