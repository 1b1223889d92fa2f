// Cross-check the iCal feed with Mozilla's ical.js (the parser inside Thunderbird).
// For every function, the occurrences ical.js expands over 2019-01-01 .. 2027-01-01,
// leaving out cancelled ones, must equal `mado windows`, instant for instant.
// Usage: TZ=Asia/Tokyo node crosscheck.mjs path/to/mado
import { execFileSync } from 'node:child_process';
import ICAL from 'ical.js';

const mado = process.argv[2];
const run = (...args) => execFileSync(mado, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
const FROM = Date.parse('2019-01-01T00:00:00+09:00');
const TO = Date.parse('2027-01-01T00:00:00+09:00');

function fromFeed(fn) {
  const comp = new ICAL.Component(ICAL.parse(run('calendar', ...(fn ? ['--function', fn] : []))));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const vevents = comp.getAllSubcomponents('vevent');
  const out = [];
  for (const master of vevents.filter((v) => !v.hasProperty('recurrence-id'))) {
    const ev = new ICAL.Event(master);
    for (const ex of vevents.filter((v) => v.hasProperty('recurrence-id') && v.getFirstPropertyValue('uid') === ev.uid)) {
      ev.relateException(ex);
    }
    if (String(master.getFirstPropertyValue('status')).toUpperCase() === 'CANCELLED') continue;
    if (!ev.isRecurring()) {
      const s = ev.startDate.toJSDate().getTime();
      const e = ev.endDate.toJSDate().getTime();
      if (s < TO && e > FROM) out.push([s, e]);
      continue;
    }
    const it = ev.iterator();
    for (let next = it.next(); next; next = it.next()) {
      const d = ev.getOccurrenceDetails(next);
      const s = d.startDate.toJSDate().getTime();
      const e = d.endDate.toJSDate().getTime();
      if (next.toJSDate().getTime() >= TO && s >= TO) break;
      if (s < TO && e > FROM) out.push([s, e]);
    }
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function fromWindows(fn) {
  const data = JSON.parse(run('windows', '--from', '2019-01-01', '--to', '2027-01-01', '--as-of', '2100-01-01',
    '--limit', '10000', '--format', 'json', ...(fn ? ['--function', fn] : [])));
  if (data.truncated) throw new Error('windows list truncated');
  // Postponed with no date: not scheduled, and cancelled in the feed.
  return data.windows.filter((w) => w.kind !== 'postponed').map((w) => [Date.parse(w.start), Date.parse(w.end)]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

const functions = JSON.parse(run('functions', '--format', 'json')).functions.map((f) => f.id);
let failed = 0;
let compared = 0;
for (const fn of [null, ...functions]) {
  const got = fromFeed(fn);
  const want = fromWindows(fn);
  compared += want.length;
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    failed += 1;
    const key = (p) => p.map((t) => new Date(t).toISOString()).join(' - ');
    const g = new Set(got.map(key));
    const w = new Set(want.map(key));
    console.log(`MISMATCH for ${fn ?? 'all functions'}: feed ${got.length}, windows ${want.length}`);
    console.log('  only in feed:', [...g].filter((x) => !w.has(x)).slice(0, 5));
    console.log('  only in windows:', [...w].filter((x) => !g.has(x)).slice(0, 5));
  }
}
console.log(`ical.js: ${functions.length + 1 - failed} passed, ${failed} failed (${compared} occurrences compared)`);
process.exit(failed ? 1 : 0);
