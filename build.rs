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
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
