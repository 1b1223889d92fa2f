#!/usr/bin/env bash
# Times a cold `cargo test` (empty target directory) with this repository's dev profile
# against the profile it had before (`opt-level = 1` and full debug info for dependencies),
# on the same commit, alternating the two for ROUNDS rounds.
#   bash bench/cold-test.sh [ROUNDS]
set -euo pipefail
rounds="${1:-2}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$here" "$work/new"
git clone -q "$here" "$work/old"
python3 - "$work/old/Cargo.toml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r'\[profile\.dev\]\ndebug = "line-tables-only"\n\n', '', s)
s = s.replace('[profile.dev.package."*"]\ndebug = false\n', '[profile.dev.package."*"]\nopt-level = 1\n')
open(p, "w").write(s)
PY
for r in $(seq "$rounds"); do
    for side in old new; do
        cd "$work/$side"
        rm -rf target
        start=$(date +%s.%N)
        cargo test -q >/dev/null 2>&1
        end=$(date +%s.%N)
        printf 'round %s %-3s %6.0f s\n' "$r" "$side" "$(echo "$end - $start" | bc)"
    done
done
