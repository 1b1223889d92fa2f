#!/usr/bin/env bash
# Where the middleware's cost went: the router before issue #9 (commit cc2d8f8: tower-http
# CORS, timeout and catch-panic layers and a mutex-counted metrics middleware), with each
# layer switched off in turn (MADO_STACK_OFF=cors,timeout,panic,metrics; a patch applied to a
# scratch copy, never shipped), against the current router and the bare axum ceiling
# (examples/bare_axum.rs), on /healthz (the stack alone) and one cached answer URL.
# wrk -t2 -c64, alternating rounds, medians. Usage: bench/stack.sh [seconds, default 5]
# (MADO_BENCH_ROUNDS, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"
rounds="${MADO_BENCH_ROUNDS:-2}"
target="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release --quiet --bin mado --example bare_axum
cp "$target/release/mado" "$work/mado-now"; cp "$target/release/examples/bare_axum" "$work/bare"
mkdir "$work/prev"
git archive cc2d8f8 | tar -x -C "$work/prev"
python3 - "$work/prev" <<'PY'
import sys, re
root = sys.argv[1]
p = root + "/Cargo.toml"; s = open(p).read()
s = s.replace('[dependencies]\n', '[dependencies]\ntower = { version = "0.5", features = ["util"] }\n', 1)
open(p, "w").write(s)
p = root + "/src/server/mod.rs"; s = open(p).read()
names = {"metrics::track": "metrics", "CatchPanicLayer": "panic", "TimeoutLayer": "timeout", "CorsLayer": "cors"}
def wrap(m):
    inner = m.group(1)
    name = next(v for k, v in names.items() if k in inner)
    boxed = f"tower::ServiceBuilder::new().map_response(|r: axum::http::Response<_>| r.map(axum::body::Body::new)).layer({inner})"
    return f'.layer(tower::util::option_layer((!off.contains("{name}")).then(|| {boxed})))'
s = re.sub(r'\.layer\((.*)\)\n', lambda m: wrap(m) + "\n", s)
s = s.replace("    app.fallback(not_found)", '    let off = std::env::var("MADO_STACK_OFF").unwrap_or_default();\n    app.fallback(not_found)', 1)
open(p, "w").write(s)
PY
cp Cargo.lock "$work/prev/Cargo.lock"
cargo build --release --quiet --manifest-path "$work/prev/Cargo.toml" --target-dir "$target" --bin mado
cp "$target/release/mado" "$work/mado-prev"
cargo build --release --quiet --bin mado   # puts the current binary back in place

size=$(MADO_LOG=warn "$work/mado-now" check webcollect.credit_card --for 15m --format json | wc -c)
port=18250
declare -A url
start() { # name env... cmd...
  local name=$1; shift
  env "$@" & pids+=($!)
  url[$name]="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fsS "${url[$name]}/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  port=$((port + 1))
}
start bare "$work/bare" "127.0.0.1:$port" "$size"
start "before" MADO_LOG=warn "$work/mado-prev" serve --addr "127.0.0.1:$port"
for off in cors timeout panic metrics cors,timeout,panic,metrics; do
  start "before-without-$off" MADO_STACK_OFF=$off MADO_LOG=warn "$work/mado-prev" serve --addr "127.0.0.1:$port"
done
start now MADO_LOG=warn "$work/mado-now" serve --addr "127.0.0.1:$port"
configs="bare before before-without-cors before-without-timeout before-without-panic before-without-metrics before-without-cors,timeout,panic,metrics now"
answer="/v1/availability?function=webcollect.credit_card&for=15m"
for r in $(seq 1 "$rounds"); do
  list=$configs; if (( r % 2 == 0 )); then list=$(tr ' ' '\n' <<<"$configs" | tac | tr '\n' ' '); fi
  for c in $list; do
    for path in /healthz "$answer"; do
      rps=$(wrk -t2 -c64 -d"${secs}s" "${url[$c]}$path" | awk '/^Requests\/sec:/ {print $2}')
      echo "round $r $c $path $rps"
      echo "$rps" >>"$work/$c-$( [ "$path" = /healthz ] && echo health || echo answer )"
    done
  done
done
med() { sort -n "$1" | awk '{ r[NR]=$1 } END { print (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2 }'; }
bh=$(med "$work/bare-health"); ba=$(med "$work/bare-answer")
echo
echo "| router | /healthz req/s | × bare | cached answer req/s | × bare |"
echo "|---|---|---|---|---|"
for c in $configs; do
  h=$(med "$work/$c-health"); a=$(med "$work/$c-answer")
  awk -v c="$c" -v h="$h" -v a="$a" -v bh="$bh" -v ba="$ba" 'BEGIN { printf "| %s | %d | %.2f | %d | %.2f |\n", c, h, h / bh, a, a / ba }'
done
