//! The notice's tables of what is affected: 影響範囲 / 影響の有無 (which functions are or
//! are not available) and メンテナンス中の動作 / 影響 (what each channel shows).

use crate::draft::model::{DraftNotice, Line};
use crate::draft::row::{cells, label_of, named_in};
use crate::engine::model::Catalogue;

/// Channels and the words that name them (NFKC, lower case).
const CHANNELS: [(&str, &[&str]); 5] = [
    ("link", &["リンク"]),
    ("mail", &["メール依頼"]),
    ("token_embedded", &["トークン(組込)", "トークン方式", "トークン/api", "api/トークン"]),
    ("token_modal", &["トークン(モーダル)", "クロネコペイ(モーダル)"]),
    ("api", &["api"]),
];

/// The 「…」 text closing just before `word`.
pub(super) fn bracketed_before(line: &str, word: &str) -> Option<String> {
    let end = line.find(&format!("」{word}")).or_else(|| line.find(&format!("」 {word}")))?;
    let start = line[..end].rfind('「')?;
    Some(line[start + '「'.len_utf8()..end].to_string())
}

/// The rows saying a function is (`.1`) or is not (`.0`) available; a row label not in the
/// catalogue is a question on `d`.
pub(super) fn impact(lines: &[Line], cat: &Catalogue, d: &mut DraftNotice) -> (Vec<String>, Vec<String>) {
    let mut unavailable: Vec<String> = Vec::new();
    let mut available: Vec<String> = Vec::new();
    let mut service: Option<String> = None;
    // 「「クロネコwebコレクト」のサービスがご利用いただけません」, and whether the table's rows
    // are channels (screens and methods) rather than functions.
    let mut stated: Option<String> = None;
    let mut channel_rows = false;
    for l in lines {
        let no = l.norm.contains("ご利用いただけません") || l.norm.contains("ご利用できません");
        let yes = !no && l.norm.contains("ご利用いただけます");
        let cells: Vec<&str> = cells(&l.norm);
        if no && cells.len() < 2 {
            if let Some((before, _)) = l.norm.split_once("のサービスがご利用いただけません") {
                stated = stated.or_else(|| named_in(cat, before.rsplit('。').next().unwrap_or(before)));
            }
        }
        if !(no || yes) || cells.len() < 2 {
            continue;
        }
        let (svc, method) = if cells.len() >= 3 { (Some(cells[0]), cells[1]) } else { (None, cells[0]) };
        if let Some(s) = svc.and_then(|s| label_of(cat, s).ok()) {
            service = Some(s);
        }
        let low = method.to_lowercase();
        if CHANNELS.iter().any(|(_, words)| words.iter().any(|w| low.contains(w))) {
            channel_rows = true;
            continue;
        }
        // `テスト環境(画面)`: the function, qualified.
        let unqualified = method.strip_suffix(')').and_then(|m| m.rfind('(').map(|i| &m[..i])).filter(|m| !m.is_empty());
        let Ok(id) = label_of(cat, method).or_else(|e| unqualified.map_or(Err(e), |m| label_of(cat, m))) else {
            d.todos.push(format!(
                "the row label 「{method}」 of the 影響範囲 table is not in the catalogue; add it as an alias, or encode it by hand"
            ));
            continue;
        };
        let id = under_service(cat, id, service.as_deref());
        if no {
            unavailable.push(id);
        } else {
            available.push(id);
        }
    }
    // A table of channels: the service the text says is unavailable, with the functions the
    // table names outside it.
    if let Some(s) = stated.filter(|_| channel_rows) {
        unavailable.retain(|f| !f.starts_with(&format!("{s}.")) && *f != s);
        unavailable.insert(0, s);
    }
    also_admin(lines, cat, &mut unavailable);
    (unavailable, available)
}

/// A method under a service (クレジットカード払い under クロネコ代金後払い) is that service's.
fn under_service(cat: &Catalogue, id: String, service: Option<&str>) -> String {
    let Some(s) = service else { return id };
    if id.starts_with(&format!("{s}.")) || id == s {
        return id;
    }
    let sibling = format!("{s}.{}", id.rsplit('.').next().unwrap_or(""));
    if cat.function(&sibling).is_some() {
        sibling
    } else {
        id
    }
}

/// 「加盟店管理画面においても、「…お知らせ」画面が表示されます」: that function is down too.
fn also_admin(lines: &[Line], cat: &Catalogue, unavailable: &mut Vec<String>) {
    if unavailable.is_empty() {
        return;
    }
    for l in lines {
        if bracketed_before(&l.norm, "画面").is_some_and(|p| p.contains("お知らせ")) && l.norm.contains("においても") {
            if let Some(id) = named_in(cat, l.norm.split("においても").next().unwrap_or("")) {
                if !unavailable.contains(&id) {
                    unavailable.push(id);
                }
            }
        }
    }
}

/// メンテナンス中の動作 / 影響: what each channel shows, in the notice's words; the channels
/// it does not mention are noted as not stated.
pub(super) fn effects(lines: &[Line], d: &mut DraftNotice) {
    for l in lines {
        let low = l.norm.to_lowercase();
        let code = low.find('z').and_then(|i| {
            let s: String = l.norm[i..].chars().take(10).collect();
            (s.len() == 10 && s[1..].chars().all(|c| c.is_ascii_digit())).then_some(s)
        });
        let page = bracketed_before(&l.norm, "画面").filter(|p| p.contains("お知らせ"));
        let message = bracketed_before(&l.norm, "と表示");
        if code.is_none() && page.is_none() && message.is_none() {
            continue;
        }
        for (channel, words) in CHANNELS {
            if !words.iter().any(|w| low.contains(w)) || d.effects.iter().any(|(c, _)| c == channel) {
                continue;
            }
            // `api` is named inside `トークン/api` too; a row naming only the modal is not the API.
            if channel == "token_embedded" && low.contains("トークン(モーダル)") && !low.contains("組込") {
                continue;
            }
            let fields: Vec<(String, String)> = match channel {
                "token_embedded" | "api" => code.iter().map(|c| ("error_code".to_string(), c.clone())).collect(),
                _ => message
                    .as_ref()
                    .map(|m| ("message", m))
                    .or(page.as_ref().map(|p| ("page", p)))
                    .or(code.as_ref().map(|c| ("error_code", c)))
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .into_iter()
                    .collect(),
            };
            if !fields.is_empty() {
                d.effects.push((channel.to_string(), fields));
            }
        }
    }
    let silent: Vec<&str> = CHANNELS.iter().map(|c| c.0).filter(|c| d.effects.iter().all(|(e, _)| e != c)).collect();
    if !silent.is_empty() && !d.incident {
        d.notes.push(format!("次の接続方式での表示は記載がない（カタログの既定）: {}", silent.join(", ")));
        d.notes_en.push(format!("What these connection methods show is not stated (catalogue default): {}", silent.join(", ")));
    }
}
