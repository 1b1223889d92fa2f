"""Check the maintnote profile of the feed with networktocode's circuit-maintenance-parser.

The parser (its generic iCal provider, the BCOP draft's reader) must read every event of
`mado calendar --profile maintnote` without an error, and what it reads must be what
`mado windows` says, window by window:

- each one-off window of `mado windows` (confirmed, tentative, postponed) is one maintenance
  with maintenance_id = the window's uid, the same start and end, the window's functions as
  OUTAGE objects and the functions its notice states stay available as NO-IMPACT objects;
- the status is TENTATIVE for a tentative window, CANCELLED for a postponed one (date to be
  announced), and for a confirmed one CONFIRMED / IN-PROCESS / COMPLETED by the clock given
  in MADO_NOW (which this script requires, so that the check is the same on every run);
- every other maintenance is a window the plain feed has as STATUS:CANCELLED;
- the windows left out are exactly the standing rules (RRULE in the plain feed);
- the feed is byte-stable: two runs give the same bytes.

Usage: MADO_NOW=2025-08-25T11:00+09:00 python3 maintnote_check.py path/to/mado
(MADO_SCHEDULES picks the schedules, as for mado.)
"""
import datetime as dt
import json
import os
import subprocess
import sys

from circuit_maintenance_parser import NotificationData, init_provider
from icalendar import Calendar

MADO = sys.argv[1]
NOW = os.environ.get("MADO_NOW")
if not NOW:
    sys.exit("set MADO_NOW (e.g. 2025-08-25T11:00+09:00): the statuses depend on the clock")


def run(*args):
    return subprocess.run([MADO, *args], check=True, capture_output=True).stdout


def ts(text):
    return round(dt.datetime.fromisoformat(text).timestamp())


now = ts(NOW)
feed = run("calendar", "--profile", "maintnote", "--lang", "en", "--base-url", "https://mado.example")
assert feed == run("calendar", "--profile", "maintnote", "--lang", "en", "--base-url", "https://mado.example"), \
    "the maintnote feed differs between two runs"

provider = init_provider("genericprovider")
maintenances = provider.get_maintenances(NotificationData.init_from_raw("ical", feed))
got = {m.maintenance_id: m for m in maintenances}
assert len(got) == len(maintenances), "two maintenances with one maintenance_id"

# As the feed: everything known, whatever the clock says.
catalogue = json.loads(run("functions", "--format", "json"))
provider_of = {f["id"]: f.get("provider") or f["id"].split(".")[0] for f in catalogue["functions"]}
windows = json.loads(run("windows", "--from", "2019-01-01", "--to", "2027-01-01", "--as-of", "2100-01-01",
                         "--limit", "10000", "--format", "json"))
assert not windows["truncated"]

plain = Calendar.from_ical(run("calendar", "--lang", "en"))
rules, cancelled = set(), set()
for e in plain.walk("VEVENT"):
    uid = str(e["UID"]).removesuffix("@mado").replace(".", "/", 1)
    if "RRULE" in e:
        rules.add(uid)
    if str(e.get("STATUS", "")) == "CANCELLED" and "RECURRENCE-ID" not in e:
        cancelled.add(uid)

failures = []
seen = set()
for w in windows["windows"]:
    uid = w["uid"]
    if uid in rules:
        if uid in got:
            failures.append(f"{uid}: a standing rule, yet in the maintnote feed")
        continue
    seen.add(uid)
    m = got.get(uid)
    if m is None:
        failures.append(f"{uid}: in mado windows, not in the maintnote feed")
        continue
    start, end = ts(w["start"]), ts(w["end"])
    if w["kind"] == "tentative":
        want_status = "TENTATIVE"
    elif w["kind"] == "postponed":
        want_status = "CANCELLED"
    elif now < start:
        want_status = "CONFIRMED"
    elif w.get("end_unknown") or now < end:
        want_status = "IN-PROCESS"
    else:
        want_status = "COMPLETED"
    want_objects = sorted([(f, "OUTAGE") for f in w["functions"]] +
                          [(f, "NO-IMPACT") for f in w.get("available", [])])
    objects = sorted((c.circuit_id, c.impact.value) for c in m.circuits)
    for what, g, x in [("start", m.start, start), ("end", m.end, end), ("status", m.status.value, want_status),
                       ("objects", objects, want_objects), ("provider", m.provider, provider_of[w["functions"][0]])]:
        if g != x:
            failures.append(f"{uid}: {what} {g!r} in the maintnote feed, {x!r} from mado windows")

for uid, m in got.items():
    if uid in seen:
        continue
    if uid not in cancelled or m.status.value != "CANCELLED":
        failures.append(f"{uid}: in the maintnote feed ({m.status.value}), neither in mado windows nor cancelled")

for f in failures:
    print("MISMATCH", f)
print(f"circuit-maintenance-parser: {len(maintenances)} maintenances read, {len(seen)} windows compared, "
      f"{len(got) - len(seen)} cancelled, {len(rules)} standing rules left out; {len(failures)} mismatches")
sys.exit(1 if failures else 0)
