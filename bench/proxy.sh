#!/usr/bin/env bash
# mado behind nginx (deploy/nginx.conf, ports and paths substituted) on loopback, with two
# replicas upstream and a test schedule whose window over `webcollect` opens 30 s after
# launch and closes 20 s later. Reports:
#  0. links: a client's X-Forwarded-Proto, X-Forwarded-Host or Host does not change the links
#     (status page webcal:// and feed links, the feed's event URLs) nginx serves anyone from
#     its cache (fails the script otherwise). The replicas trust nginx (--trusted-proxy) and
#     the host it serves (--trusted-host), so they build links from what nginx sends.
#  1. correctness: bench/poll.py polls through nginx every 100 ms across both boundaries;
#     no answer may be asked for at or after its `until`, and every status must be the truth
#     (fails the script otherwise). The same poll straight at a replica is the control.
#  2. requests/s through nginx vs straight at one replica (wrk -t2 -c64, alternating rounds,
#     medians) for one URL and the checkout mix, and nginx's cache hit ratio from its log.
# Usage: bench/proxy.sh [seconds per wrk run, default 10]   (MADO_BENCH_ROUNDS, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
rounds="${MADO_BENCH_ROUNDS:-2}"
for tool in nginx wrk; do
  if ! command -v "$tool" >/dev/null; then
    (apt-get install -y --no-install-recommends nginx wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y --no-install-recommends nginx wrk >/dev/null))
  fi
done
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
cargo build --release --quiet --bin mado
mado="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/mado"
proxy=18220; a=18221; b=18222
work="$(mktemp -d)"; chmod 755 "$work"
pids=()
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

launch=$(date +%s)
start=$((launch + 30)); end=$((start + 20))
mkdir -p "$work/schedules"
cp schedules/functions.toml "$work/schedules/"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
cat >"$work/schedules/proxy-test.toml" <<TOML
id = "proxy-test"
published = "2020-01-01"
title = "proxy test"
source = "bench/proxy.sh"
[[window]]
id = "soon"
functions = ["webcollect"]
start = "$(iso $start)"
end = "$(iso $end)"
TOML
for port in $a $b; do
  MADO_LOG=warn "$mado" serve --addr "127.0.0.1:$port" --schedules "$work/schedules" --max-age 60 \
    --trusted-proxy 127.0.0.1 --trusted-host "127.0.0.1:$proxy" & pids+=($!)
done
sed -e "s|^pid .*|pid $work/nginx.pid;|" -e "s|error_log .*|error_log $work/error.log warn;|" \
    -e "s|access_log .*|access_log $work/access.log mado;|" -e "s|/var/cache/nginx/mado|$work/cache|" \
    -e "s|server 127.0.0.1:8081;|server 127.0.0.1:$a;|" -e "s|server 127.0.0.1:8082;|server 127.0.0.1:$b;|" \
    -e "s|listen 8080;|listen 127.0.0.1:$proxy;|" -e "s|worker_processes auto;|worker_processes auto;\nuser root;|" \
    deploy/nginx.conf >"$work/nginx.conf"
"$nginx_bin" -t -q -c "$work/nginx.conf" -e "$work/error.log"
"$nginx_bin" -c "$work/nginx.conf" -e "$work/error.log"
for port in $a $b $proxy; do
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done

echo "== links: what one client sends does not change what nginx serves others"
links() { tr -d '\r' <"$1" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n //g' | grep -a -o -E '(webcal|https?)://[^"<>[:space:]]+' | sort -u || true; }
fetch() { curl -fsS -D "$work/head" -o "$work/body" "$@"; tr -d '\r' <"$work/head" | awk 'tolower($1) == "x-cache-status:" { print $2 }'; }
base="127.0.0.1:$proxy"
check_links() { # FILE WHAT: there are absolute links, and all are on http://$base or webcal://$base
  local bad
  bad=$(links "$1" | grep -v -E "^(http|webcal)://$base/" || true)
  if [ -n "$bad" ] || ! links "$1" | grep -q "://$base/"; then
    echo "FAIL $2: links $(links "$1" | head -3 | tr '\n' ' ')"; status=1
  fi
}
status=0
spoof=(-H "X-Forwarded-Proto: https" -H "X-Forwarded-Host: evil.example")
for url in "/?lang=en" "/calendar.ics?lang=en" "/?lang=ja" "/calendar.ics?lang=ja"; do
  if [[ "$url" == *en ]]; then
    # A client with forged headers asks first; then one with a Host of its own (its own
    # cache key, and no absolute links at all).
    first=$(fetch "${spoof[@]}" "http://$base$url"); check_links "$work/body" "$url asked first with forged headers ($first)"
    fetch -H "Host: evil.example" "http://$base$url" >/dev/null
    if [ -n "$(links "$work/body")" ]; then echo "FAIL $url for Host: evil.example: $(links "$work/body" | head -1)"; status=1; fi
  else
    # Everyone else asks first; then a client with forged headers.
    first=$(fetch "http://$base$url"); check_links "$work/body" "$url ($first)"
    fetch "${spoof[@]}" "http://$base$url" >/dev/null; check_links "$work/body" "$url with forged headers"
  fi
  fetch "http://$base$url" >/dev/null; check_links "$work/body" "$url"
  cache=$(fetch "http://$base$url"); check_links "$work/body" "$url from the cache ($cache)"
  [ "$cache" = HIT ] || { echo "FAIL $url: asked again, nginx answered $cache, not from its cache"; status=1; }
  echo "  $url: $(links "$work/body" | wc -l) absolute links, all on $base (asked first: $first; then $cache)"
done
grep -q "^Vary: .*Host" <(curl -fsS -D - -o /dev/null "http://$base/?lang=en" | tr -d '\r' | sed 's/^vary/Vary/I') \
  || { echo "FAIL: the status page does not vary on Host"; status=1; }
[ "$status" = 0 ] || exit 1

echo "== correctness: window over webcollect $(iso $start) to $(iso $end), polled every 100 ms from launch + 20 s to launch + 55 s"
url="/v1/availability?function=webcollect.credit_card"
sleep $((launch + 20 - $(date +%s)))
python3 bench/poll.py "http://127.0.0.1:$proxy$url" "$start" "$end" $((launch + 55)) >"$work/poll-proxy" 2>"$work/poll-proxy.err" & poll_proxy=$!
python3 bench/poll.py "http://127.0.0.1:$a$url" "$start" "$end" $((launch + 55)) >"$work/poll-direct" 2>"$work/poll-direct.err" & poll_direct=$!
wait $poll_proxy || status=1
wait $poll_direct || status=1
echo "through nginx: $(cat "$work/poll-proxy")"; cat "$work/poll-proxy.err"
echo "direct:        $(cat "$work/poll-direct")"; cat "$work/poll-direct.err"
curl -s -o /dev/null -D - "http://127.0.0.1:$proxy$url" | grep -i -E "^(cache-control|etag|x-cache-status)" | tr -d '\r' | sed 's/^/  /'

echo "== throughput: wrk -t2 -c64 -d${secs}s, $rounds alternating rounds"
run() { wrk -t2 -c64 -d"${secs}s" --latency -s "bench/lua/$2.lua" "http://127.0.0.1:$1" | awk '/^Requests\/sec:/ {r=$2} $1=="99%" {p=$2} END {print r, p}'; }
for mix in one checkout; do
  : >"$work/$mix-proxy"; : >"$work/$mix-direct"
  for r in $(seq 1 "$rounds"); do
    if (( r % 2 )); then order="proxy direct"; else order="direct proxy"; fi
    for who in $order; do
      if [ "$who" = proxy ]; then port=$proxy; : >"$work/access.log"; else port=$a; fi
      line=$(run $port $mix)
      if [ "$who" = proxy ]; then
        sleep 0.2
        hit=$(awk '{ n++; if ($8 == "HIT" || $8 == "REVALIDATED") h++ } END { printf "%.4f", h / (n ? n : 1) }' "$work/access.log")
        line="$line $hit"
      fi
      echo "round $r $mix $who: requests/s p99 [hit ratio] = $line"
      echo "$line" >>"$work/$mix-$who"
    done
  done
done
med() { sort -n "$1" | awk '{ r[NR]=$1 } END { print (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2 }'; }
echo
echo "| mix | through nginx req/s | direct req/s | ratio | nginx cache hit ratio |"
echo "|---|---|---|---|---|"
for mix in one checkout; do
  p=$(med "$work/$mix-proxy"); d=$(med "$work/$mix-direct")
  h=$(awk '{ s += $3; n++ } END { printf "%.4f", s / n }' "$work/$mix-proxy")
  awk -v m="$mix" -v p="$p" -v d="$d" -v h="$h" 'BEGIN { printf "| %s | %d | %d | %.2f | %s |\n", m, p, d, p / d, h }'
done
exit $status
