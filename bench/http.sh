#!/usr/bin/env bash
# Load test of `mado serve` on loopback with wrk (2 threads, 64 connections):
# /v1/availability against /bench/baseline, a constant body of the same size served by the
# same server, in the same run. Prints requests/s, p99 latency and non-2xx for both, and the
# ratio. Usage: bench/http.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
if ! command -v wrk >/dev/null; then
  (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
fi
cargo build --release --quiet
port="${MADO_BENCH_PORT:-18099}"
MADO_LOG=warn target/release/mado serve --addr "127.0.0.1:$port" --bench-baseline --max-age 60 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

availability="/v1/availability?function=webcollect.credit_card&for=15m"
a_size=$(curl -fsS "http://127.0.0.1:$port$availability" | wc -c)
b_size=$(curl -fsS "http://127.0.0.1:$port/bench/baseline" | wc -c)
echo "body sizes: availability $a_size bytes, baseline $b_size bytes"

run() {
  local out rps p99 non2xx
  out=$(wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps ${p99} ${non2xx:-0}"
}
# Alternate the routes over several rounds (A B B A ...) and compare medians, so drift and
# ordering on a shared 2-core machine fall on both sides alike.
rounds="${MADO_BENCH_ROUNDS:-4}"
: >/tmp/mado-bench-baseline; : >/tmp/mado-bench-availability
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then order="baseline availability"; else order="availability baseline"; fi
  for route in $order; do
    if [ "$route" = baseline ]; then path=/bench/baseline; else path="$availability"; fi
    line=$(run "$path")
    echo "round $r $route: requests/s p99 non2xx = $line"
    echo "$line" >>"/tmp/mado-bench-$route"
  done
done
summary() {
  sort -n "/tmp/mado-bench-$1" | awk -v name="$1" '{ r[NR]=$1; p=$2; sub(/ms/,"",p); if (p ~ /us/) { sub(/us/,"",p); p=p/1000 } if (p+0 > worst) worst=p+0; n2+=$3 }
    END { m = (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2; printf "%s median requests/s=%.0f worst p99=%.2fms non2xx=%d\n", name, m, worst, n2 }'
}
base=$(summary baseline); avail=$(summary availability)
echo "$base"; echo "$avail"
b=$(sed -E 's/.*requests\/s=([0-9.]+).*/\1/' <<<"$base")
a=$(sed -E 's/.*requests\/s=([0-9.]+).*/\1/' <<<"$avail")
awk -v a="$a" -v b="$b" 'BEGIN { printf "ratio availability/baseline = %.3f (target >= 0.9)\n", a / b }'
