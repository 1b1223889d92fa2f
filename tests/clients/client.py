"""The Python client openapi-python-client generated from mado's document, against live servers.

    python client.py URL OTHER_URL

URL serves the embedded schedules at the fixed clock 2023-11-13T02:30+09:00 (the database
upgrade is on); OTHER_URL a catalogue without `testenv`, as a deployment changed since the
client was generated. Every body is parsed into the generated models; any surprise fails.
"""

import sys

from mado_client import Client
from mado_client.api.answers import availability, windows
from mado_client.api.catalogue import zones
from mado_client.models import Answer, AnswerSet, ErrorBody, ErrorKind, Status, WindowList, ZonesBody
from mado_client.models import AvailabilityFunctionItem as F

url, other = sys.argv[1], sys.argv[2]
client = Client(base_url=url, raise_on_unexpected_status=True)

# An answer.
r = availability.sync_detailed(client=client, function=[F.WEBCOLLECT_CREDIT_CARD], for_="1h30m")
assert r.status_code == 200 and isinstance(r.parsed, Answer), r
assert r.parsed.status == Status.UNAVAILABLE and r.parsed.at.isoformat() == "2023-11-13T02:30:00+09:00", r.parsed.at
assert r.parsed.windows[0].effects, "each window says what each channel shows"

# An answer set.
r = availability.sync_detailed(client=client, function=[F.WEBCOLLECT_CREDIT_CARD, F.ATOBARAI_BANK_TRANSFER])
assert r.status_code == 200 and isinstance(r.parsed, AnswerSet), r
assert [a.function for a in r.parsed.answers] == ["webcollect.credit_card", "atobarai.bank_transfer"], r.parsed

# A window list.
r = windows.sync_detailed(client=client, from_="2023-11-01", to="2023-12-01")
assert r.status_code == 200 and isinstance(r.parsed, WindowList), r
assert any(w.uid == "2023-08-28-db-upgrade/all-functions" for w in r.parsed.windows), r.parsed

# The zones `tz` takes.
r = zones.sync_detailed(client=client)
assert r.status_code == 200 and isinstance(r.parsed, ZonesBody) and "Asia/Tokyo" in r.parsed.zones, r

# A 400: a lookahead the server does not read.
r = availability.sync_detailed(client=client, function=[F.WEBCOLLECT_CREDIT_CARD], for_="1h90m")
assert r.status_code == 400 and isinstance(r.parsed, ErrorBody), r
assert r.parsed.error == ErrorKind.BAD_REQUEST and r.parsed.parameter == "for", r.parsed

# A 404: a function the other server's catalogue does not have.
r = availability.sync_detailed(client=Client(base_url=other, raise_on_unexpected_status=True), function=[F.TESTENV])
assert r.status_code == 404 and isinstance(r.parsed, ErrorBody), r
assert r.parsed.error == ErrorKind.UNKNOWN_FUNCTION and r.parsed.parameter == "function", r.parsed

print("python client: answer, answer set, window list, zones, 400 and 404 parsed")
