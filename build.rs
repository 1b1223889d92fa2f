//! Embeds the schedules under `schedules/` into the binary at build time.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = root.join("schedules");
    println!("cargo:rerun-if-changed=schedules");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut code =
        String::from("/// The schedule files embedded at build time: (name, text).\npub(crate) const EMBEDDED: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f).to_string_lossy().replace('\\', "/");
        println!("cargo:rerun-if-changed={}", f.display());
        writeln!(code, "    ({rel:?}, include_str!({:?})),", f.display().to_string()).expect("write to a String");
    }
    code.push_str("];\n");
    println!("cargo:rustc-env=MADO_EMBEDDED_BUILT={}", today());
    // The compiled form's layout is the serde shape of the model: a hash of the files that
    // define it goes into every compiled file, so a build whose model differs refuses files
    // another wrote, even under the same version number (src/format/compiled.rs).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in ["src/engine/model.rs", "src/engine/rrule.rs", "src/engine/time.rs", "src/format/error.rs", "src/format/compiled.rs"] {
        println!("cargo:rerun-if-changed={f}");
        for b in std::fs::read(root.join(f)).unwrap_or_default() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=MADO_MODEL_HASH={h:016x}");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// Today's UTC date (or SOURCE_DATE_EPOCH's, for reproducible builds), as YYYY-MM-DD.
fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64));
    // Days to civil date (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
