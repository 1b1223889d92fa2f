//! Names as people say them: a function is named by its id (`webcollect.credit_card`), a
//! unique prefix or suffix of the id (`reauth`, `atobarai.au`), or a label or alias of the
//! catalogue in Japanese or English (`再与信`, `クレジットカード払い`, `credit card`).
//!
//! Names are compared after normalisation ([`normalize_name`]): NFKC (full-width `ＡＰＩ`
//! and half-width `ｶｰﾄﾞ` read as `API` and `カード`), lower case, spaces left out. A name
//! that fits several functions equally well is an error listing them, never a guess.

use crate::engine::model::{Catalogue, FnIdx, Function, Lang};
use unicode_normalization::UnicodeNormalization;

/// Why a name did not name one function.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// No function has this name; `suggestions` are close ids or labels.
    #[error("unknown function `{name}`{}", suggest(.suggestions))]
    Unknown {
        /// The name as given.
        name: String,
        /// Close matches, best first: `(id, label)`, the label in the language of the name.
        suggestions: Vec<(String, String)>,
    },
    /// Several functions have this name (or start or end with it).
    #[error("`{name}` names {} functions: {}; give the id or a longer name", .candidates.len(), listed(.candidates))]
    Ambiguous {
        /// The name as given.
        name: String,
        /// The functions it fits, in catalogue order: `(id, label)`.
        candidates: Vec<(String, String)>,
    },
}

impl NameError {
    /// The name as given.
    pub fn name(&self) -> &str {
        match self {
            NameError::Unknown { name, .. } | NameError::Ambiguous { name, .. } => name,
        }
    }
}

fn listed(c: &[(String, String)]) -> String {
    c.iter().map(|(id, label)| format!("`{id}` ({label})")).collect::<Vec<_>>().join(", ")
}

fn suggest(s: &[(String, String)]) -> String {
    if s.is_empty() {
        "; `mado functions` lists the ids and labels".into()
    } else {
        format!("; did you mean {}?", s.iter().map(|(id, label)| format!("`{id}` ({label})")).collect::<Vec<_>>().join(", or "))
    }
}

/// A name as it is compared: NFKC, lower case, without white space.
pub fn normalize_name(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect()
}

pub(crate) use normalize_name as name_key;

/// An id as typed: `-` and spaces read as `_` (`credit-card`, `credit card`).
fn id_key(text: &str) -> String {
    text.trim().nfkc().flat_map(char::to_lowercase).map(|c| if c == '-' || c.is_whitespace() { '_' } else { c }).collect()
}

/// A label without its parenthesised tail: `クレジットカード払い（後払い）` → `クレジットカード払い`.
fn base_label(key: &str) -> &str {
    match key.strip_suffix(')').and_then(|k| k.rfind('(')) {
        Some(i) if i > 0 => &key[..i],
        _ => key,
    }
}

fn is_ascii_name(name: &str) -> bool {
    name.is_ascii()
}

impl Catalogue {
    /// The function a person means by `name`: its id, a unique prefix or suffix of the id
    /// at a `.` or `_` (`reauth`, `atobarai.au`), or a label or alias in either language,
    /// read with [`normalize_name`]. Tried in that order; the first kind that fits decides.
    /// When the functions that fit are one and those below it (`atob`), it is that one.
    ///
    /// # Errors
    /// [`NameError::Ambiguous`] listing the functions when several fit equally;
    /// [`NameError::Unknown`] with close ids and labels when none does.
    pub fn resolve(&self, name: &str) -> Result<&Function, NameError> {
        self.resolve_index(name).map(|i| &self.functions[i])
    }

    /// As [`Catalogue::resolve`], the function's index.
    pub(crate) fn resolve_index(&self, name: &str) -> Result<FnIdx, NameError> {
        let lang = if is_ascii_name(name) { Lang::En } else { Lang::Ja };
        let labelled = |fs: Vec<FnIdx>| -> Vec<(String, String)> {
            fs.into_iter().map(|f| (self.functions[f].id.clone(), self.functions[f].label(lang).to_string())).collect()
        };
        let id = id_key(name);
        let key = name_key(name);
        if let Some(i) = self.function(&id) {
            return Ok(i);
        }
        let names = |f: &Function| {
            let mut v = vec![name_key(&f.ja), name_key(&f.en)];
            v.extend(f.aliases.iter().map(|a| name_key(a)));
            v
        };
        let tiers: [&dyn Fn(&Function) -> bool; 4] = [
            // A label or alias, exactly.
            &|f| !key.is_empty() && names(f).contains(&key),
            // A label without its parenthesised tail.
            &|f| !key.is_empty() && names(f).iter().any(|n| base_label(n) == key),
            // A prefix of the id, or a suffix from a `.` or `_`.
            &|f| {
                id.chars().count() >= 2 && (f.id.starts_with(&id) || f.id.strip_suffix(&id).is_some_and(|head| head.ends_with(['.', '_'])))
            },
            // The start of a label or alias.
            &|f| key.chars().count() >= 2 && names(f).iter().any(|n| n.starts_with(&key)),
        ];
        for fits in tiers {
            let found: Vec<FnIdx> = (0..self.functions.len()).filter(|&i| fits(&self.functions[i])).collect();
            match self.one_of(&found) {
                Some(i) => return Ok(i),
                None if found.is_empty() => {}
                None => return Err(NameError::Ambiguous { name: name.to_string(), candidates: labelled(found) }),
            }
        }
        Err(NameError::Unknown { name: name.to_string(), suggestions: labelled(self.close_names(&id, &key)) })
    }

    /// The one function of `found`, or the one all the others are below.
    fn one_of(&self, found: &[FnIdx]) -> Option<FnIdx> {
        found.iter().copied().find(|&top| found.iter().all(|&f| self.is_within(f, top)))
    }

    /// Functions whose id, last id segment, label or alias is within a few edits of the
    /// name, best first, at most three.
    fn close_names(&self, id: &str, key: &str) -> Vec<FnIdx> {
        let mut scored: Vec<(usize, FnIdx)> = self
            .functions
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let mut best = edit_distance(id, &f.id);
                if let Some((_, last)) = f.id.rsplit_once('.') {
                    best = best.min(edit_distance(id, last));
                }
                for n in [name_key(&f.ja), name_key(&f.en)].into_iter().chain(f.aliases.iter().map(|a| name_key(a))) {
                    best = best.min(edit_distance(key, &n)).min(edit_distance(key, base_label(&n)));
                }
                let allowed = 2.max(key.chars().count() / 4);
                (best <= allowed).then_some((best, i))
            })
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, i)| i).collect()
    }
}

/// Levenshtein distance over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::schedule::Schedule;

    fn ids(v: &[(String, String)]) -> Vec<&str> {
        v.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn names_people_use_resolve_to_one_function() {
        let s = Schedule::embedded().expect("embedded schedules load");
        let cat = s.catalogue();
        let table = [
            ("webcollect.credit_card", "webcollect.credit_card"),
            ("  webcollect.reauth ", "webcollect.reauth"),
            ("WEBCOLLECT.REAUTH", "webcollect.reauth"),
            ("ｗｅｂｃｏｌｌｅｃｔ．ｒｅａｕｔｈ", "webcollect.reauth"),
            ("reauth", "webcollect.reauth"),
            ("admin", "webcollect.admin"),
            ("atobarai.au", "atobarai.au_kantan"),
            ("au_kantan", "atobarai.au_kantan"),
            ("bank-transfer", "atobarai.bank_transfer"),
            ("atob", "atobarai"),
            ("web", "webcollect"),
            ("test", "testenv"),
            ("クレジットカード払い", "webcollect.credit_card"),
            ("クレジットカード", "webcollect.credit_card"),
            ("クレジット払い", "webcollect.credit_card"),
            ("クレジットカード決済", "webcollect.credit_card"),
            ("ｸﾚｼﾞｯﾄｶｰﾄﾞ", "webcollect.credit_card"),
            ("クレジットカード払い（後払い）", "atobarai.credit_card"),
            ("クレジットカード払い(後払い)", "atobarai.credit_card"),
            ("再与信", "webcollect.reauth"),
            ("金額変更・再与信機能", "webcollect.reauth"),
            ("金額変更・再与信", "webcollect.reauth"),
            ("全ての機能", "webcollect"),
            ("テスト環境", "testenv"),
            ("クロネコ代金後払いサービス", "atobarai"),
            ("クロネコペイ", "webcollect.kuroneko_pay"),
            ("Credit Card", "webcollect.credit_card"),
            ("card payment", "webcollect.credit_card"),
            ("deferred payment: card payment", "atobarai.credit_card"),
            ("merchant admin screen", "webcollect.admin"),
            ("銀行振込", "atobarai.bank_transfer"),
            ("加盟店管理", "webcollect.admin"),
        ];
        for (name, want) in table {
            match cat.resolve(name) {
                Ok(f) => assert_eq!(f.id(), want, "{name}"),
                Err(e) => panic!("{name}: {e}"),
            }
        }
    }

    #[test]
    fn a_name_several_functions_fit_lists_them_with_labels() {
        let s = Schedule::embedded().expect("embedded schedules load");
        let cat = s.catalogue();
        let table: [(&str, &[&str]); 5] = [
            ("card", &["webcollect.credit_card", "atobarai.credit_card"]),
            ("credit_card", &["webcollect.credit_card", "atobarai.credit_card"]),
            ("kuroneko_pay", &["webcollect.kuroneko_pay", "atobarai.kuroneko_pay"]),
            ("コンビニ", &["webcollect.convenience_store", "atobarai.convenience_store"]),
            ("webcollect.c", &["webcollect.credit_card", "webcollect.convenience_store", "webcollect.carrier"]),
        ];
        for (name, want) in table {
            match cat.resolve(name) {
                Err(NameError::Ambiguous { candidates, .. }) => {
                    assert_eq!(ids(&candidates), want, "{name}");
                    assert!(candidates.iter().all(|(_, label)| !label.is_empty()), "{name}: labels");
                }
                other => panic!("{name}: expected ambiguous, got {other:?}"),
            }
        }
        let Err(e) = cat.resolve("card") else { panic!("card resolved") };
        assert_eq!(
            e.to_string(),
            "`card` names 2 functions: `webcollect.credit_card` (card payment (incl. Apple Pay, tablet, IVR, PayTG and Remise terminals)), `atobarai.credit_card` (deferred payment: card payment); give the id or a longer name"
        );
    }

    #[test]
    fn an_unknown_name_suggests_ids_and_labels() {
        let s = Schedule::embedded().expect("embedded schedules load");
        let cat = s.catalogue();
        let table: [(&str, &[&str]); 5] = [
            ("webcolect.reauth", &["webcollect.reauth"]),
            ("reuath", &["webcollect.reauth"]),
            ("再与信機能", &["webcollect.reauth"]),
            ("クレジッドカード決済", &["webcollect.credit_card"]),
            ("xyzzy", &[]),
        ];
        for (name, want) in table {
            match cat.resolve(name) {
                Err(NameError::Unknown { suggestions, .. }) => assert_eq!(ids(&suggestions), want, "{name}"),
                other => panic!("{name}: expected unknown, got {other:?}"),
            }
        }
        let Err(e) = cat.resolve("再与信機能") else { panic!("resolved") };
        assert_eq!(e.to_string(), "unknown function `再与信機能`; did you mean `webcollect.reauth` (金額変更・再与信)?");
        let Err(e) = cat.resolve("") else { panic!("empty name resolved") };
        assert!(matches!(e, NameError::Unknown { .. }), "{e}");
    }

    #[test]
    fn an_alias_naming_two_functions_is_a_load_error_at_its_position() {
        let cat = "[[function]]\nid = \"a\"\nja = \"あ\"\nen = \"a\"\naliases = [\"カード\"]\n\n[[function]]\nid = \"b\"\nja = \"い\"\nen = \"b\"\naliases = [\"ｶｰﾄﾞ\", \"A\", \" \"]\n";
        let file = crate::format::source::SourceFile { name: crate::CATALOGUE_FILE.into(), text: cat.into() };
        let Err(e) = Schedule::from_sources(vec![file]) else { panic!("loaded") };
        let got: Vec<String> = e.diagnostics().iter().map(|d| format!("{}:{}: {}", d.line, d.column, d.message)).collect();
        assert_eq!(
            got,
            [
                "11:12: alias `ｶｰﾄﾞ` of `b` is already a name of `a` (its alias `カード`); an alias names one function, so `mado check` knows which",
                "11:20: alias `A` of `b` is already a name of `a` (its id `a`); an alias names one function, so `mado check` knows which",
                "11:25: alias ` ` of `b` is empty; expected a word people use for it, e.g. `再与信`",
            ]
        );
    }

    #[test]
    fn normalisation_folds_width_case_and_spaces() {
        for (a, b) in [("ＡＰＩ方式", "api方式"), ("ｶｰﾄﾞ", "カード"), ("Credit  Card", "creditcard"), ("①", "1")] {
            assert_eq!(normalize_name(a), b, "{a}");
        }
    }
}
