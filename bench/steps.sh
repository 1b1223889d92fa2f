#!/usr/bin/env bash
# Where the throughput came from, step by step (issue #9): `mado serve` built at each commit
# of the work, each loaded like bench/http.sh does (wrk -t2 -c64, the same Lua mixes) against
# the same separate bare axum ceiling (examples/bare_axum.rs, a constant body of the mix's
# mean answer size), all in one run, with the order of the servers reversed every other
# round. Reported per step and mix: the median of the round ratios (each server / bare in the
# same round) and the median requests/s.
#
# Usage: bench/steps.sh [seconds per run, default 3]   (MADO_BENCH_ROUNDS, default 8)
# Builds seven release binaries (about two minutes each on 2 cores) in scratch worktrees.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-3}"
rounds="${MADO_BENCH_ROUNDS:-8}"
if ! command -v wrk >/dev/null; then
  (apt-get install -y --no-install-recommends wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y --no-install-recommends wrk >/dev/null))
fi
target="$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  for d in "$work"/src-*; do [ -d "$d" ] && git worktree remove --force "$d" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# step name, commit, extra environment for the build
steps=(
  "start:b6806db:"
  "fat-lto:b6806db:CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1"
  "edge-layer:88fe910:"
  "templates:49c8ca6:"
  "slot:e215089:"
  "watchdog:cdf0a91:"
  "edge-outside:1be3d7a:"
)
names=()
for s in "${steps[@]}"; do
  IFS=: read -r name commit env <<<"$s"
  git worktree add --detach --quiet "$work/src-$name" "$commit"
  echo "building $name ($commit${env:+, $env})" >&2
  env $env cargo build --release --quiet --bin mado --manifest-path "$work/src-$name/Cargo.toml" --target-dir "$target"
  cp "$target/release/mado" "$work/mado-$name"
  names+=("$name")
done
cargo build --release --quiet --bin mado --example bare_axum   # the current binaries back in place
cp "$target/release/examples/bare_axum" "$work/bare"

declare -A port
p=18600
for name in "${names[@]}"; do
  MADO_LOG=warn "$work/mado-$name" serve --addr "127.0.0.1:$p" --max-age 60 & pids+=($!)
  port[$name]=$p
  p=$((p + 1))
done
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:${port[edge-outside]}/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1

. bench/mix_size.sh

out="$work/runs"
mkdir "$out"
for mix in one checkout random; do
  size=$(mean_size "$mix" "http://127.0.0.1:${port[edge-outside]}")
  "$work/bare" "127.0.0.1:$p" "$size" & bare_pid=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$p/" >/dev/null 2>&1 && break; sleep 0.1; done
  order=(bare "${names[@]}")
  for r in $(seq 1 "$rounds"); do
    if (( r % 2 == 0 )); then mapfile -t order < <(printf '%s\n' "${order[@]}" | tac); fi
    for who in "${order[@]}"; do
      if [ "$who" = bare ]; then u="http://127.0.0.1:$p"; else u="http://127.0.0.1:${port[$who]}"; fi
      rps=$(wrk -t2 -c64 -d"${secs}s" -s "bench/lua/$mix.lua" "$u" | awk '/^Requests\/sec:/ {print $2}')
      echo "$r $rps" >>"$out/$mix-$who"
    done
    echo "mix $mix round $r done" >&2
  done
  kill "$bare_pid"
  p=$((p + 1))
done

echo "| step | commit | one URL | checkout mix | random instants |"
echo "|---|---|---|---|---|"
for s in "${steps[@]}"; do
  IFS=: read -r name commit env <<<"$s"
  row="| $name | $commit"
  for mix in one checkout random; do
    cell=$(paste -d' ' "$out/$mix-$name" "$out/$mix-bare" | awk '{ print $2 / $4 }' | sort -n |
      awk '{ r[NR]=$1 } END { printf "%.2f", (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2 }')
    rps=$(awk '{print $2}' "$out/$mix-$name" | sort -n | awk '{ r[NR]=$1 } END { printf "%.0f", (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2 }')
    row="$row | **$cell** ($rps/s)"
  done
  echo "$row |"
done
for mix in one checkout random; do
  echo "bare $mix median req/s: $(awk '{print $2}' "$out/$mix-bare" | sort -n | awk '{ r[NR]=$1 } END { printf "%.0f", (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2 }')"
done
