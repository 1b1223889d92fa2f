#!/usr/bin/env python3
"""Fails when Cargo.toml's rust-version is lower than what a locked dependency declares.

Only one toolchain can be installed on these machines, so the declared minimum is checked
against the lock file instead of by building with an older compiler."""
import json
import subprocess
import sys

meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked"]))
def version(v):
    return tuple(int(x) for x in v.split("."))
ours = next(p for p in meta["packages"] if p["name"] == "mado")
declared = ours.get("rust_version")
if not declared:
    sys.exit("Cargo.toml declares no rust-version")
need = max(((version(p["rust_version"]), p["name"]) for p in meta["packages"] if p.get("rust_version") and p["name"] != "mado"), default=((0,), "-"))
rustc = subprocess.check_output(["rustc", "--version"], text=True).split()[1]
print(f"rust-version {declared}; the locked dependencies need {'.'.join(map(str, need[0]))} ({need[1]}); this rustc is {rustc}")
if version(declared) < need[0]:
    sys.exit(f"rust-version {declared} is lower than {'.'.join(map(str, need[0]))}, which {need[1]} needs: raise it in Cargo.toml")
if version(rustc.split("-")[0]) < version(declared):
    sys.exit(f"this rustc {rustc} is older than rust-version {declared}")
