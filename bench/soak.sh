#!/usr/bin/env bash
# Soak test of `mado serve --watch`: wrk (2 threads, 32 connections) for N minutes while the
# schedules are rewritten every 100 ms (a good version A, a good version B, a broken file;
# by rename as editors save, and in place) and SIGHUP is sent every second. Reports non-2xx
# and socket errors, wrong answers (bench/soak.lua), reloads and reload failures from
# /metrics against the writes made, and the server's RSS before and after.
# Usage: bench/soak.sh [minutes, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
if ! command -v wrk >/dev/null; then
  (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
fi
cargo build --release --quiet
port="${MADO_SOAK_PORT:-18110}"
work="$(mktemp -d)"
dir="$work/schedules"
cp -r schedules "$dir"
notice() { # $1: start time of the window on 2030-01-01; $2: function
  printf 'id = "soak"\npublished = "2020-01-01"\ntitle = "soak"\nsource = "soak"\n\n[[window]]\nid = "w"\nfunctions = ["%s"]\nstart = "2030-01-01 %s"\nend = "%s"\n' "$2" "$1" "$3"
}
notice 02:00 atobarai 03:00 >"$work/A"          # 02:30 unavailable
notice 04:00 atobarai 05:00 >"$work/B"          # 02:30 available
notice 02:00 atobarai.nope 03:00 >"$work/broken" # unknown function: rejected, A or B keeps serving
cp "$work/A" "$dir/notices/soak.toml"
MADO_LOG=warn target/release/mado serve --addr "127.0.0.1:$port" --schedules "$dir" --watch 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; kill $writer 2>/dev/null || true; rm -rf "$work"' EXIT
writer=0
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
metric() { curl -fsS "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
# Warm up, then take the baseline RSS.
wrk -t2 -c32 -d5s -s bench/soak.lua "http://127.0.0.1:$port" >/dev/null
rss_before=$(rss); reloads_before=$(metric mado_reloads_total); failures_before=$(metric mado_reload_failures_total)

(
  i=0
  while :; do
    i=$((i + 1))
    case $((i % 5)) in
      0) cp "$work/A" "$work/tmp" && mv "$work/tmp" "$dir/notices/soak.toml" ;;
      1) cp "$work/broken" "$work/tmp" && mv "$work/tmp" "$dir/notices/soak.toml" ;;
      2) cp "$work/B" "$work/tmp" && mv "$work/tmp" "$dir/notices/soak.toml" ;;
      3) cat "$work/A" >"$dir/notices/soak.toml" ;;
      4) cat "$work/broken" >"$dir/notices/soak.toml" ;;
    esac
    echo "$i" >"$work/writes"
    if ((i % 10 == 0)); then kill -HUP "$pid"; echo $((i / 10)) >"$work/hups"; fi
    sleep 0.1
  done
) &
writer=$!

out=$(wrk -t2 -c32 -d"${minutes}m" --timeout 5s -s bench/soak.lua "http://127.0.0.1:$port")
kill $writer; wait $writer 2>/dev/null || true
writes=$(cat "$work/writes"); hups=$(cat "$work/hups")

# The last write wins within a second: leave version B, and it must be what answers.
cp "$work/B" "$work/tmp" && mv "$work/tmp" "$dir/notices/soak.toml"
sleep 1.5
final=$(curl -fsS "http://127.0.0.1:$port/v1/availability?function=atobarai&at=2030-01-01T02:30%2B09:00&as_of=2029-12-31" | grep -o '"status": "[a-z]*"')
ready=$(curl -fsS "http://127.0.0.1:$port/readyz" | tr -d ' \n')
rss_after=$(rss)
reloads=$(( $(metric mado_reloads_total) - reloads_before )); failures=$(( $(metric mado_reload_failures_total) - failures_before ))
requests=$(awk '/requests in/ {print $1}' <<<"$out")
non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
socket=$(grep -o 'Socket errors:.*' <<<"$out" || echo "Socket errors: none")
wrong=$(awk '/^wrong answers:/ {print $3}' <<<"$out")
echo "$out" | sed -n '/Latency/,/Req\/Sec/p'
echo "soak: ${minutes} min, $requests requests, non-2xx ${non2xx:-0}, ${socket}, wrong answers ${wrong:-?}"
echo "soak: $writes rewrites (2 of 5 broken), $hups SIGHUPs -> $reloads reloads, $failures reload failures; after the last write: $final (want \"available\"), /readyz $ready"
awk -v a="$rss_after" -v b="$rss_before" 'BEGIN { printf "soak: RSS %d KiB before, %d KiB after (ratio %.2f)\n", b, a, a / b }'
panics=$(grep -c -i panic "$work/log" || true)
echo "soak: panics in the server log: $panics"
[ "${non2xx:-0}" = 0 ] && [ "${wrong:-1}" = 0 ] && [ "$final" = '"status": "available"' ] && [ "$panics" = 0 ]
