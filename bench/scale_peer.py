#!/usr/bin/env python3
"""The Python peer of `bench/scale.sh`: icalendar + recurring-ical-events answering "is F
affected at T?" from mado's own per-function feed, for the same questions mado answers.

    scale_peer.py BASE_URL QUESTIONS_FILE [COUNT]

QUESTIONS_FILE has one `function instant` per line (`examples/scale.rs queries N --list`).
Each function's feed (`/calendar.ics?function=F`) is fetched and parsed once, outside the
timing, as mado's load is; each question then asks `recurring_ical_events.of(cal).at(T)`.
Prints the mean time per question in microseconds.
"""
import datetime
import sys
import time
import urllib.parse
import urllib.request

import icalendar
import recurring_ical_events

base, path = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
questions = []
with open(path) as f:
    for line in f:
        fn, at = line.split()
        questions.append((fn, datetime.datetime.fromisoformat(at)))
questions = questions[:count]
feeds = {}
for fn in sorted({q[0] for q in questions}):
    url = f"{base}/calendar.ics?" + urllib.parse.urlencode({"function": fn})
    with urllib.request.urlopen(url, timeout=120) as r:
        feeds[fn] = icalendar.Calendar.from_ical(r.read())
affected = 0
start = time.perf_counter()
for fn, at in questions:
    # Confirmed windows only, as mado's `unavailable`: tentative days are all-day events.
    events = recurring_ical_events.of(feeds[fn]).between(at, at + datetime.timedelta(seconds=1))
    affected += sum(1 for e in events if e.get("STATUS", "CONFIRMED") != "CANCELLED")
elapsed = time.perf_counter() - start
print(f"{elapsed / len(questions) * 1e6:.1f} {affected}")
