#!/usr/bin/env python3
"""Polls a URL every 100 ms across a window boundary and checks that no answer is served
past its `until`: every answer must have been asked for before its `until`, and its status
must be the truth at the instant it was asked for (the window [start, end) given here).

Usage: poll.py URL START_EPOCH END_EPOCH STOP_EPOCH  (prints one summary line; exit 1 on a violation)
"""
import datetime
import json
import sys
import time
import urllib.request

url, start, end, stop = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
polls = violations = wrong = 0
cache = {}
max_age = 0.0
while time.time() < stop:
    asked = time.time()
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
        got = time.time()
        state = r.headers.get("X-Cache-Status") or "direct"
    polls += 1
    cache[state] = cache.get(state, 0) + 1
    at = datetime.datetime.fromisoformat(body["at"]).timestamp()
    max_age = max(max_age, asked - at)
    until = body["until"] and datetime.datetime.fromisoformat(body["until"]).timestamp()
    truth = "unavailable" if start <= asked and got < end else ("available" if got < start or asked >= end else None)
    if until is not None and asked >= until:
        violations += 1
        print(f"PAST UNTIL: asked {asked:.3f} >= until {until:.0f} (at {body['at']}, {state})", file=sys.stderr)
    if truth is not None and body["status"] != truth:
        wrong += 1
        print(f"WRONG: asked {asked:.3f} got {body['status']}, truth {truth} ({state})", file=sys.stderr)
    time.sleep(max(0.0, 0.1 - (time.time() - asked)))
hits = cache.get("HIT", 0) + cache.get("REVALIDATED", 0)
print(f"polls={polls} past_until={violations} wrong_status={wrong} oldest_answer={max_age:.1f}s cache={json.dumps(cache, sort_keys=True)} hit_ratio={hits / max(polls, 1):.3f}")
sys.exit(1 if violations or wrong else 0)
