//! Synthetic schedules for benchmarks and load tests: `n` notices with one-off windows,
//! tentative days, bounded recurring windows, revisions and three unbounded daily rules.
//! Deterministic for a given seed.

use crate::format::source::SourceFile;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

const FUNCS: [&str; 8] = [
    "webcollect",
    "webcollect.credit_card",
    "webcollect.convenience_store",
    "webcollect.reauth",
    "atobarai.credit_card",
    "atobarai",
    "testenv",
    "webcollect.admin",
];

/// The catalogue plus `n` generated notices, spread over 2020-2040.
pub fn notices(n: usize, seed: u64) -> Vec<SourceFile> {
    let mut r = Lcg(seed);
    let mut files = vec![SourceFile { name: "functions.toml".into(), text: include_str!("../../schedules/functions.toml").into() }];
    let mut one_offs: Vec<usize> = Vec::new();
    for i in 0..n {
        let day = r.next(20 * 365);
        let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default() + chrono::Duration::days(day as i64);
        let published = date - chrono::Duration::days(30 + r.next(30) as i64);
        let f = FUNCS[r.next(FUNCS.len() as u64) as usize];
        let mut text = format!("id = \"n{i}\"\npublished = \"{published}\"\ntitle = \"generated {i}\"\nsource = \"synthetic\"\n");
        let kind = if i < 3 { 99 } else { r.next(20) };
        match kind {
            99 => text.push_str(&format!(
                "[[window]]\nid = \"w\"\nfunctions = [\"{f}\"]\nrrule = \"FREQ=DAILY\"\nstart = \"2020-01-0{} 23:00\"\nduration = \"2h\"\n",
                i + 1
            )),
            0..=1 => text.push_str(&format!(
                "[[window]]\nid = \"w\"\nfunctions = [\"{f}\"]\nrrule = \"FREQ=WEEKLY;COUNT=8\"\nstart = \"{date} 0{}:00\"\nduration = \"1h\"\n",
                r.next(9)
            )),
            2 => text.push_str(&format!("[[window]]\nid = \"w\"\nfunctions = [\"{f}\"]\ndate = \"{date}\"\nexpected_duration = \"4h\"\n")),
            _ => {
                let h = r.next(20);
                text.push_str(&format!(
                    "[[window]]\nid = \"w\"\nfunctions = [\"{f}\"]\nstart = \"{date} {h:02}:00\"\nend = \"{date} {:02}:30\"\n",
                    h + 1 + r.next(3)
                ));
                if kind == 3 && one_offs.len() > 10 {
                    // A revision of an earlier one-off notice, published later.
                    let target = one_offs.swap_remove(r.next(one_offs.len() as u64) as usize);
                    text = format!("id = \"n{i}\"\npublished = \"2041-01-01\"\ntitle = \"revision {i}\"\nsource = \"synthetic\"\n");
                    text.push_str(&format!("[[revise]]\nnotice = \"n{target}\"\nwindow = \"w\"\naction = \"cancel\"\n"));
                } else {
                    one_offs.push(i);
                }
            }
        }
        files.push(SourceFile { name: format!("notices/n{i:05}.toml"), text });
    }
    files
}
