"""Cross-check the iCal feed with Python's icalendar + recurring-ical-events.

For every function (and the whole feed), the occurrences the libraries expand over
2019-01-01 .. 2027-01-01, leaving out cancelled ones, must equal `mado windows` for that
function, instant for instant. Usage: python3 crosscheck.py path/to/mado
"""
import datetime as dt
import json
import subprocess
import sys
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

MADO = sys.argv[1]
TOKYO = ZoneInfo("Asia/Tokyo")
FROM = dt.datetime(2019, 1, 1, tzinfo=TOKYO)
TO = dt.datetime(2027, 1, 1, tzinfo=TOKYO)


def run(*args):
    return subprocess.run([MADO, *args], check=True, capture_output=True, text=True).stdout


def instant(v):
    # All-day (tentative) events cover whole days in Asia/Tokyo, as mado's windows do.
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.timezone.utc)
    return dt.datetime(v.year, v.month, v.day, tzinfo=TOKYO).astimezone(dt.timezone.utc)


def from_feed(function):
    args = ["calendar"] + (["--function", function] if function else [])
    cal = icalendar.Calendar.from_ical(run(*args))
    out = []
    for e in recurring_ical_events.of(cal).between(FROM, TO):
        if str(e.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = instant(e["DTSTART"].dt)
        end = instant(e["DTEND"].dt) if "DTEND" in e else start + e["DURATION"].dt
        out.append((start, end))
    return sorted(out)


def from_windows(function):
    args = ["windows", "--from", "2019-01-01", "--to", "2027-01-01", "--as-of", "2100-01-01",
            "--limit", "10000", "--format", "json"] + (["--function", function] if function else [])
    data = json.loads(run(*args))
    assert not data["truncated"]
    return sorted((dt.datetime.fromisoformat(w["start"]).astimezone(dt.timezone.utc),
                   dt.datetime.fromisoformat(w["end"]).astimezone(dt.timezone.utc)) for w in data["windows"]
                  if w["kind"] != "postponed")  # not scheduled: the feed has them as cancelled


functions = [f["id"] for f in json.loads(run("functions", "--format", "json"))["functions"]]
failed = 0
checked = 0
for function in [None] + functions:
    got, want = from_feed(function), from_windows(function)
    checked += len(want)
    if got != want:
        failed += 1
        print(f"MISMATCH for {function or 'all functions'}: feed {len(got)} occurrences, windows {len(want)}")
        print("  only in feed:", sorted(set(got) - set(want))[:5])
        print("  only in windows:", sorted(set(want) - set(got))[:5])
print(f"python icalendar {icalendar.__version__} + recurring-ical-events: "
      f"{len(functions) + 1 - failed} passed, {failed} failed ({checked} occurrences compared)")
sys.exit(1 if failed else 0)
