#!/usr/bin/env bash
# Clients generated from a live mado's OpenAPI document, calling live servers:
# openapi-python-client (default settings) and openapi-typescript + openapi-fetch. Generation
# must print no warning; each client must parse an answer, an answer set, a window list, a
# 400 and a 404.
#
#   tests/clients/run.sh path/to/mado [PORT_BASE]
set -euo pipefail
bin="$(realpath "$1")"
port="${2:-18340}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# The embedded schedules at a clock when a window is on; and a catalogue without `testenv`.
MADO_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --now 2023-11-13T02:30+09:00 & pids+=($!)
mkdir -p "$work/other/notices"
python3 - "$here/../../schedules/functions.toml" "$work/other/functions.toml" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = text.split("\n[[")
kept = [b for b in blocks if not b.startswith('function]]\nid = "testenv"')]
assert len(kept) == len(blocks) - 1, "testenv not found in functions.toml"
open(sys.argv[2], "w", encoding="utf-8").write("\n[[".join(kept))
PY
MADO_LOG=warn "$bin" serve --addr "127.0.0.1:$((port + 1))" --schedules "$work/other" & pids+=($!)
for p in "$port" "$((port + 1))"; do
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done
url="http://127.0.0.1:$port"
other="http://127.0.0.1:$((port + 1))"
curl -fsS "$url/openapi.json" >"$work/openapi.json"

echo "-- openapi-python-client"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "openapi-python-client==0.29.1" "ruff==0.14.*"
# Default settings (its post-generation hooks run ruff, hence ruff on PATH).
(cd "$work" && PATH="$work/venv/bin:$PATH" openapi-python-client generate --path openapi.json --output-path pyclient) >"$work/py.log" 2>&1
cat "$work/py.log"
if grep -qiE "warning|error|skipping" "$work/py.log"; then echo "openapi-python-client: warnings or errors above"; exit 1; fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work/pyclient"
"$work/venv/bin/python" "$here/client.py" "$url" "$other"

echo "-- openapi-typescript + openapi-fetch"
(cd "$here" && npm ci --no-audit --no-fund --silent)
mkdir -p "$here/generated"
(cd "$here" && npx openapi-typescript "$work/openapi.json" -o generated/schema.d.ts) >"$work/ts.log" 2>&1
cat "$work/ts.log"
if grep -qiE "warn|error" "$work/ts.log"; then echo "openapi-typescript: warnings or errors above"; exit 1; fi
(cd "$here" && npx tsc -p tsconfig.json)
node "$here/generated/out/client.js" "$url" "$other"
