#!/usr/bin/env bash
# What reloads do to a server's memory at N generated notices (issue #16): serves them with
# `--watch`, then edits a notice six times (a comment line appended; for the compiled form,
# `mado compile` again after each), waits for /readyz to show the new generation, and prints
# RSS (VmRSS) at start and after each reload, and the peak during the reloads (VmHWM, reset
# after start). With `feeds`, /calendar.ics is fetched twice first (the feed kept is then
# part of what a reload replaces).
# Usage: bench/reload_rss.sh MADO_BIN toml|compiled [N, default 10000] [feeds]
#   e.g. MALLOC_ARENA_MAX=4 bench/reload_rss.sh target/release/mado compiled
# The notices come from `examples/scale.rs` (built here unless MADO_SCALE_BIN names a
# directory holding `examples/scale`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "$1")" kind="$2" n="${3:-10000}" feeds="${4:-}"
[ "$kind" = toml ] || [ "$kind" = compiled ] || { echo "kind is toml or compiled, not $kind" >&2; exit 2; }
if [ -n "${MADO_SCALE_BIN:-}" ]; then
  scale="$MADO_SCALE_BIN/examples/scale"
else
  cargo build --release --quiet --example scale
  scale="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/examples/scale"
fi
port=18351
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$scale" write "$work/dir" "$n"
src="$work/dir"
if [ "$kind" = compiled ]; then
  "$bin" compile "$work/dir" -o "$work/s.mado" >/dev/null
  src="$work/s.mado"
fi
mb() { awk -v k="$1" '$1 == k ":" {print int($2 / 1024)}' "/proc/$pid/status"; }
generation() { curl -fsS "http://127.0.0.1:$port/readyz" | sed -n 's/.*"generation": *\([0-9]*\).*/\1/p'; }
MADO_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --schedules "$src" --watch & pid=$!
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.01; done
echo "N = $n, $kind: ready, RSS $(mb VmRSS) MB, peak $(mb VmHWM) MB"
if [ -n "$feeds" ]; then
  curl -fsS -o /dev/null "http://127.0.0.1:$port/calendar.ics"
  curl -fsS -o /dev/null "http://127.0.0.1:$port/calendar.ics"
  echo "after the feed twice: RSS $(mb VmRSS) MB"
fi
echo 5 >"/proc/$pid/clear_refs" # resets VmHWM to the RSS now
after=""
notices=("$work"/dir/notices/*.toml)
for i in 1 2 3 4 5 6; do
  g=$(generation)
  echo "# reload $i" >>"${notices[0]}"
  [ "$kind" = compiled ] && "$bin" compile "$work/dir" -o "$work/s.mado" >/dev/null
  until [ "$(generation)" != "$g" ]; do sleep 0.01; done
  sleep 0.3
  after="$after $(mb VmRSS)"
done
echo "RSS after each reload:$after MB; peak during the reloads $(mb VmHWM) MB"
