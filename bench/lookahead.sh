#!/usr/bin/env bash
# The cost of the longest lookahead: `mado check webcollect.reauth --for 31d` (the daily
# blackout chains under it) against the same check without lookahead and against process
# start alone (`mado --version`), 40 alternating rounds, medians of wall time.
# Usage: bench/lookahead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin mado
bin=target/release/mado
declare -A tot
for r in $(seq 1 40); do
  for k in version plain for31d; do
    case $k in
      version) args=(--version) ;;
      plain) args=(check webcollect.reauth --at 2024-01-01 --format json) ;;
      for31d) args=(check webcollect.reauth --at 2024-01-01 --for 31d --format json) ;;
    esac
    s=$(date +%s%N); "$bin" "${args[@]}" >/dev/null; e=$(date +%s%N)
    echo "$k $(( (e - s) / 1000 ))"
  done
done | sort -k1,1 -k2,2n | awk '{ v[$1] = v[$1] " " $2; c[$1]++ } END { for (k in v) { n = split(v[k], a, " "); printf "%s median %d us over %d runs\n", k, a[int((n+1)/2)], n } }'
