#!/usr/bin/env bash
# How mado scales with the number of notices (issue #16). For N = 10, 1,000 and 10,000
# generated notices (`mado::synth::notices(N, 7)`, written by `examples/scale.rs`), prints:
#   query      mean `Schedule::check` per question in process (the server's evaluator and
#              description, no HTTP), 20,000 random questions: instant 2019-2035 x function,
#              as of 2036 (`examples/scale.rs queries`)
#   wrk        /v1/availability, random instant x function (bench/lua/random.lua), req/s
#   check      `mado check` whole process: seconds and peak RSS, from the TOML and from the
#              compiled file (`mado compile`), and the ratio of each to the same at N = 10
#   serve      start to the first 200 from /healthz, and RSS then (TOML, then compiled)
#   feed       /calendar.ics: size, first request (made), second (kept)
#   304        /calendar.ics with If-None-Match, against /healthz: req/s of each on one
#              connection, and the ratio (time of a 304 / time of a /healthz)
#   reload     an edit under --watch until /readyz shows the new generation; RSS after 6
#              reloads and the peak (VmHWM)
#   peer       the Python peer (bench/scale_peer.py: icalendar + recurring-ical-events on
#              mado's per-function feeds) on the first 200 of the same questions, and the
#              ratio peer / mado per question
# Usage: bench/scale.sh [N ...]   (default: 10 1000 10000; MADO_SCALE_SECS per wrk run, default 5;
# MADO_SCALE_BIN, see below)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10 1000 10000}")
read -r -a sizes <<<"${sizes[*]}"
secs="${MADO_SCALE_SECS:-5}"
# MADO_SCALE_BIN: a directory holding `mado` and `examples/scale` already built (release).
if [ -n "${MADO_SCALE_BIN:-}" ]; then
  target="$MADO_SCALE_BIN"
else
  cargo build --release --quiet --bin mado --example scale
  target="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release"
fi
venv="${CARGO_TARGET_DIR:-target}/scale-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/ical/requirements.txt
fi
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port=18301
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}'; }
generation() { curl -fsS "http://127.0.0.1:$port/readyz" | sed -n 's/.*"generation": *\([0-9]*\).*/\1/p'; }

for n in "${sizes[@]}"; do
  dir="$work/s$n"
  "$target/examples/scale" write "$dir" "$n"
  echo "== N = $n ($(du -sk "$dir" | cut -f1) KB of TOML)"
  "$target/examples/scale" queries "$n" 20000 | sed 's/^/query   /'
  "$target/examples/scale" queries "$n" 200 --list >"$work/questions"

  "$target/mado" compile "$dir" -o "$work/s$n.mado" >/dev/null
  for src in "$dir" "$work/s$n.mado"; do
    /usr/bin/time -f "%M" -o "$work/time" "$target/mado" check webcollect.credit_card --at 2030-01-01T00:00Z --as-of 2036-01-01 --schedules "$src" >/dev/null || [ $? -le 1 ]
    kb_check=$(cat "$work/time")
    # The median of 7 whole runs, in ms.
    ms=$(for _ in 1 2 3 4 5 6 7; do
      t0=$(date +%s%N)
      "$target/mado" check webcollect.credit_card --at 2030-01-01T00:00Z --as-of 2036-01-01 --schedules "$src" >/dev/null || [ $? -le 1 ]
      echo $(( ($(date +%s%N) - t0) / 10000 ))
    done | sort -n | sed -n 4p | awk '{printf "%.1f", $1 / 100}')
    kind=$([ -d "$src" ] && echo toml || echo compiled)
    base_var="base_$kind"
    [ -z "${!base_var:-}" ] && printf -v "$base_var" '%s' "$ms"
    echo "check   $kind: whole process $ms ms (median of 7, $(awk -v a="$ms" -v b="${!base_var}" 'BEGIN {printf "%.1f", a / b}')x the first N), peak RSS $((kb_check / 1024)) MB"
  done

  t0=$(date +%s%N)
  MADO_LOG=warn "$target/mado" serve --addr "127.0.0.1:$port" --schedules "$work/s$n.mado" & pid=$!
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
  echo "serve   compiled: start to /healthz $(ms_since "$t0") ms, RSS $(( $(rss_kb "$pid") / 1024 )) MB"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

  t0=$(date +%s%N)
  MADO_LOG=warn "$target/mado" serve --addr "127.0.0.1:$port" --schedules "$dir" --watch & pid=$!
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
  echo "serve   toml: start to /healthz $(ms_since "$t0") ms, RSS $(( $(rss_kb "$pid") / 1024 )) MB"

  echo "wrk     random instants: $(wrk -t2 -c64 -d"${secs}s" -s bench/lua/random.lua "http://127.0.0.1:$port" | rps) req/s"

  read -r size first < <(curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' "http://127.0.0.1:$port/calendar.ics")
  kept=$(curl -fsS -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/calendar.ics")
  echo "feed    $((size / 1024)) KB, first ${first}s, kept ${kept}s"
  tag=$(curl -fsS -D - -o /dev/null "http://127.0.0.1:$port/calendar.ics" | tr -d '\r' | sed -n 's/^etag: //Ip')
  printf "wrk.headers[\"If-None-Match\"] = '%s'\n" "$tag" >"$work/inm.lua"
  r304=$(wrk -t1 -c1 -d3s -s "$work/inm.lua" "http://127.0.0.1:$port/calendar.ics" | rps)
  rhz=$(wrk -t1 -c1 -d3s "http://127.0.0.1:$port/healthz" | rps)
  echo "304     feed 304: $r304 req/s, /healthz: $rhz req/s on one connection; a 304 takes $(awk -v a="$r304" -v b="$rhz" 'BEGIN {printf "%.2f", b / a}')x a /healthz"

  worst=0
  for i in 1 2 3 4 5 6; do
    g=$(generation)
    echo "# reload $i" >>"$dir/notices/n00000.toml"
    t0=$(date +%s%N)
    until [ "$(generation)" != "$g" ]; do sleep 0.01; done
    ms=$(ms_since "$t0")
    [ "$ms" -gt "$worst" ] && worst=$ms
    [ "$i" = 1 ] && first_reload=$ms
  done
  echo "reload  first ${first_reload} ms (slowest of 6: ${worst} ms, watcher debounce included); RSS after 6 reloads $(( $(rss_kb "$pid") / 1024 )) MB, peak $(( $(hwm_kb "$pid") / 1024 )) MB"

  mado_us=$("$target/examples/scale" queries "$n" 2000 | sed -n 's/.*per check: \([0-9.]*\) µs.*/\1/p')
  read -r peer_us _ < <("$venv/bin/python" bench/scale_peer.py "http://127.0.0.1:$port" "$work/questions" 200)
  echo "peer    Python ${peer_us} µs per question, mado ${mado_us} µs: mado $(awk -v a="$peer_us" -v b="$mado_us" 'BEGIN {printf "%.0f", a / b}')x faster"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
