#!/usr/bin/env bash
# A/B of two mado binaries (e.g. the last release and this build), both serving the
# embedded schedules, under the same wrk scripts as bench/http.sh, alternating which goes
# first in each round. Prints each run, then per mix the medians and new/old: the ratio that
# tells whether a change made mado slower on a machine whose speed moves between runs.
# Usage: bench/ab.sh OLD_BIN NEW_BIN [seconds per run, default 5] [rounds, default 4]
set -euo pipefail
cd "$(dirname "$0")/.."
old="$1" new="$2" secs="${3:-5}" rounds="${4:-4}"
out="$(mktemp)"
MADO_LOG=warn "$old" serve --addr 127.0.0.1:18401 --max-age 60 & a=$!
MADO_LOG=warn "$new" serve --addr 127.0.0.1:18402 --max-age 60 & b=$!
trap 'kill $a $b 2>/dev/null || true; rm -f "$out"' EXIT
for p in 18401 18402; do until curl -fsS "http://127.0.0.1:$p/healthz" >/dev/null 2>&1; do sleep 0.05; done; done
for r in $(seq 1 "$rounds"); do
  for mix in one checkout random; do
    if (( r % 2 )); then order="18401 18402"; else order="18402 18401"; fi
    for p in $order; do
      rps=$(wrk -t2 -c64 -d"${secs}s" -s "bench/lua/$mix.lua" "http://127.0.0.1:$p" | awk '/^Requests\/sec:/ {print $2}')
      who=$([ "$p" = 18401 ] && echo old || echo new)
      echo "$r $mix $who $rps" | tee -a "$out"
    done
  done
done
python3 - "$out" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, mix, who, rps = line.split()
    d[(mix, who)].append(float(rps))
for mix in ["one", "checkout", "random"]:
    o, n = d[(mix, "old")], d[(mix, "new")]
    print(f"{mix}: old {statistics.median(o):.0f} req/s, new {statistics.median(n):.0f} req/s, "
          f"new/old {statistics.median(n) / statistics.median(o):.3f}, round ratios {[round(x / y, 2) for x, y in zip(n, o)]}")
PY
