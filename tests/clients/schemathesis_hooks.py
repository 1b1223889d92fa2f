"""schemathesis hooks for .ci/run (SCHEMATHESIS_HOOKS=schemathesis_hooks, with this directory
on PYTHONPATH).

Every check runs, `positive_data_acceptance` included. OpenAPI cannot state a constraint
between two parameters, so the requests that break one are not generated as schema-valid:

- /v1/windows: `to` before `from` (an equal `to` is the empty range and answers 200); `from`
  defaults to now and `to` to 31 days after `from`.
- /timeline: `to` not after `from`, or more than 400 days after it; with `to` alone the range
  is the 67 days before it.

Each value is read as the server reads it: `now`, a date (00:00), a local date-time in `tz`
(default Asia/Tokyo; `24:00` is the next day's 00:00) or an instant with an offset.
"""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import schemathesis

NOW = datetime.now(timezone.utc)


def instant(value, zone):
    if not isinstance(value, str) or value == "":
        return None
    v = value.strip()
    if v.lower() == "now":
        return NOW
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?", v)
    if not m:
        return None
    y, mo, d, h, mi, s, off = m.groups()
    day = datetime(int(y), int(mo), int(d))
    t = day + timedelta(hours=int(h or 0), minutes=int(mi or 0), seconds=int(s or 0))
    if off is None:
        try:
            return t.replace(tzinfo=ZoneInfo(zone or "Asia/Tokyo")).astimezone(timezone.utc)
        except (OverflowError, ValueError, KeyError):
            return None
    sign = 0 if off in "Zz" else (1 if off[0] == "+" else -1)
    delta = timedelta(0) if sign == 0 else sign * timedelta(hours=int(off[1:3]), minutes=int(off[4:6]))
    return t.replace(tzinfo=timezone.utc) - delta


def ordered(query, path):
    zone = query.get("tz") if isinstance(query.get("tz"), str) else None
    try:
        start, end = instant(query.get("from"), zone), instant(query.get("to"), zone)
    except (OverflowError, ValueError):
        return True
    if path == "/v1/windows":
        start = start or NOW
        return end is None or end >= start
    if path == "/timeline":
        if start is None or end is None:
            return True
        return start < end <= start + timedelta(days=400)
    return True


@schemathesis.hook("filter_query")
def cross_parameter_constraints(ctx, query):
    if query is None:
        return True
    path = ctx.operation.path if ctx.operation is not None else ""
    return ordered(query, path)
