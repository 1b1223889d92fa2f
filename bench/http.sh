#!/usr/bin/env bash
# Load test of `mado serve` against its ceiling: a SEPARATE bare axum binary
# (examples/bare_axum.rs, same axum, tokio runtime and `axum::serve`, no middleware) that
# answers every path with a constant body of the same mean size as mado's answers for the mix.
# Both run on loopback, loaded by wrk -t2 -c64 --latency with the same Lua request scripts,
# in the same run, alternating which goes first in each round. Two ratios are reported: of
# the medians, and the median of each round's ratio (the two runs of a round are adjacent, so
# that one cancels the machine's slow drifts; single runs move by +-10 % here).
#
# Mixes (bench/lua/): one URL; the checkout mix at now (8 payment functions, with and
# without for=15m); random explicit instants 2019-2031 over the same functions.
# Usage: bench/http.sh [seconds per run, default 10]   (MADO_BENCH_ROUNDS, default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
rounds="${MADO_BENCH_ROUNDS:-4}"
if ! command -v wrk >/dev/null; then
  (apt-get install -y --no-install-recommends wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y --no-install-recommends wrk >/dev/null))
fi
cargo build --release --quiet --bin mado --example bare_axum
target="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release"
mado_port=18201
out="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$out"' EXIT
wait_up() { for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return; sleep 0.1; done; echo "port $1 did not come up" >&2; exit 1; }
MADO_LOG=warn "$target/mado" serve --addr "127.0.0.1:$mado_port" --max-age 60 & pids+=($!)
wait_up $mado_port

# Mean body size of each mix, from mado itself, for the bare server of that mix.
. bench/mix_size.sh
mixes="one checkout random"
declare -A bare_port
port=18202
for mix in $mixes; do
  size=$(mean_size "$mix" "http://127.0.0.1:$mado_port")
  "$target/examples/bare_axum" "127.0.0.1:$port" "$size" & pids+=($!)
  wait_up $port
  bare_port[$mix]=$port
  echo "mix $mix: mean mado body $size bytes; bare body $(curl -fsS "http://127.0.0.1:$port/" | wc -c) bytes"
  port=$((port + 1))
done

run() { # port script -> "req/s p99 non2xx"
  local o rps p99 non2xx
  o=$(wrk -t2 -c64 -d"${secs}s" --latency -s "bench/lua/$2.lua" "http://127.0.0.1:$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$o")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$o")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$o")
  echo "$rps $p99 ${non2xx:-0}"
}
for r in $(seq 1 "$rounds"); do
  for mix in $mixes; do
    if (( r % 2 )); then order="bare mado"; else order="mado bare"; fi
    for who in $order; do
      if [ "$who" = bare ]; then p=${bare_port[$mix]}; else p=$mado_port; fi
      line=$(run "$p" "$mix")
      echo "round $r $mix $who: requests/s p99 non2xx = $line"
      echo "$line" >>"$out/$mix-$who"
    done
  done
done
summary() { # file -> "median worst_p99_ms non2xx"
  sort -n "$1" | awk '{ r[NR]=$1; p=$2; if (p ~ /us$/) { sub(/us/,"",p); p=p/1000 } else if (p ~ /ms$/) { sub(/ms/,"",p) } else if (p ~ /s$/) { sub(/s/,"",p); p=p*1000 } if (p+0 > worst) worst=p+0; n2+=$3 }
    END { m = (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2; printf "%.0f %.2f %d\n", m, worst, n2 }'
}
echo
echo "| mix | bare axum req/s | mado req/s | ratio of medians | median of round ratios | goal | mado worst p99 | bare worst p99 | mado non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|"
for mix in $mixes; do
  read -r b bp _ <<<"$(summary "$out/$mix-bare")"
  read -r m mp n2 <<<"$(summary "$out/$mix-mado")"
  paired=$(paste -d' ' "$out/$mix-mado" "$out/$mix-bare" | awk '{ print $1 / $4 }' | sort -n |
    awk '{ r[NR]=$1 } END { printf "%.3f", (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2 }')
  case "$mix" in one) goal="-" ;; checkout) goal=">= 0.85" ;; random) goal=">= 0.6" ;; esac
  awk -v mix="$mix" -v b="$b" -v m="$m" -v paired="$paired" -v goal="$goal" -v mp="$mp" -v bp="$bp" -v n2="$n2" \
    'BEGIN { printf "| %s | %d | %d | %.3f | %s | %s | %.2f ms | %.2f ms | %d |\n", mix, b, m, m / b, paired, goal, mp, bp, n2 }'
done
