// The Statuspage-compatible API read by the `statuspage.io` npm client (its summary,
// components, status, scheduled-maintenance and incident calls) against a live `mado serve`
// at a fixed clock, and compared with what `mado check` says at the same instant.
// Usage: node check.mjs path/to/mado PORT
import { spawn, execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Statuspage } = require("statuspage.io");
const [mado, port] = process.argv.slice(2);

// [schedules, now, what must be seen]
const scenarios = [
  // The database upgrade in progress: webcollect under maintenance, one maintenance active.
  [null, "2023-11-13T03:00+09:00", { underMaintenance: "webcollect.credit_card", active: "2023-08-28-db-upgrade/all-functions" }],
  // An incident in progress and a maintenance postponed with the new date to be announced.
  ["../data/views", "2025-08-25T11:00+09:00", { outage: "webcollect.credit_card", postponed: "2025-08-10-store/night" }],
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let checked = 0;

for (const [schedules, now, want] of scenarios) {
  const env = { ...process.env, MADO_LOG: "warn" };
  if (schedules) env.MADO_SCHEDULES = schedules;
  else delete env.MADO_SCHEDULES;
  const server = spawn(mado, ["serve", "--addr", `127.0.0.1:${port}`, "--now", now], { env, stdio: "inherit" });
  const base = `http://127.0.0.1:${port}`;
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      try { up = (await fetch(`${base}/healthz`)).ok; } catch { await sleep(100); }
    }
    assert.ok(up, `mado serve did not answer on ${base}`);
    const client = new Statuspage("mado");
    client.setApiUrl(base);
    const summary = await client.api.getSummary();
    const { components } = await client.api.getComponents();
    const status = await client.api.getStatus();
    const upcoming = await client.api.scheduledMaintenances.getUpcoming();
    const incidents = await client.api.incidents.getAll();
    const unresolved = await client.api.incidents.getUnresolved();

    for (const doc of [summary, status, upcoming, incidents, unresolved, { page: summary.page }]) {
      assert.equal(doc.page.id, "mado");
      assert.equal(doc.page.time_zone, "Asia/Tokyo");
    }
    assert.deepEqual(components, summary.components);
    // Each component's status is what `mado check` answers at the same instant.
    const cli = (args) => JSON.parse(execFileSync(mado, args, { env: { ...env, MADO_NOW: now } }).toString());
    const functions = cli(["functions", "--format", "json"]).functions.map((f) => f.id);
    assert.deepEqual(components.map((c) => c.id), functions);
    for (const c of components) {
      let answer;
      try { answer = cli(["check", c.id, "--at", now, "--format", "json"]); }
      catch (e) { answer = JSON.parse(e.stdout.toString()); } // exit 1: unavailable
      const down = answer.status === "unavailable";
      assert.equal(c.status !== "operational", down, `${c.id}: ${c.status}, mado check says ${answer.status}`);
      if (down) {
        const incident = answer.windows.some((w) => w.category === "incident");
        assert.equal(c.status, incident ? "major_outage" : "under_maintenance", c.id);
      }
      checked++;
    }
    for (const m of upcoming.scheduled_maintenances) assert.equal(m.status, "scheduled", m.id);
    for (const m of [...upcoming.scheduled_maintenances, ...incidents.incidents]) {
      assert.ok(m.incident_updates.length > 0, `${m.id} has no updates`);
      const times = m.incident_updates.map((u) => Date.parse(u.created_at));
      assert.deepEqual(times, [...times].sort((a, b) => b - a), `${m.id}: updates newest first`);
    }
    for (const i of unresolved.incidents) assert.notEqual(i.status, "resolved");
    if (want.underMaintenance) {
      assert.equal(components.find((c) => c.id === want.underMaintenance).status, "under_maintenance");
      assert.equal(status.status.indicator, "maintenance");
      const active = await (await fetch(`${base}/api/v2/scheduled-maintenances/active.json`)).json();
      assert.ok(active.scheduled_maintenances.some((m) => m.id === want.active && m.status === "in_progress"));
      assert.ok(summary.scheduled_maintenances.some((m) => m.id === want.active));
    }
    if (want.outage) {
      assert.equal(components.find((c) => c.id === want.outage).status, "major_outage");
      assert.equal(status.status.indicator, "major");
      assert.ok(unresolved.incidents.some((i) => i.components.some((c) => c.id === want.outage)));
    }
    if (want.postponed) {
      const p = upcoming.scheduled_maintenances.find((m) => m.id === want.postponed);
      assert.ok(p, "the postponed maintenance is listed");
      assert.equal(p.scheduled_for, null, "a date to be announced is not faked");
      assert.match(p.incident_updates[0].body, /延期/);
    }
    // Caching as the rest of the API: a weak ETag, and a 304 for it.
    const first = await fetch(`${base}/api/v2/summary.json`);
    const etag = first.headers.get("etag");
    assert.match(etag, /^W\/"/);
    assert.match(first.headers.get("cache-control"), /max-age=\d+|no-cache/);
    const again = await fetch(`${base}/api/v2/summary.json`, { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304);
    console.log(`statuspage.io client against mado at ${now}: ${components.length} components, ` +
      `${upcoming.scheduled_maintenances.length} upcoming, ${unresolved.incidents.length} unresolved incidents: ok`);
  } finally {
    // Wait for the port to be free before the next scenario binds it.
    const exited = new Promise((r) => server.once("exit", r));
    server.kill();
    await exited;
  }
}
console.log(`statuspage.io: ${scenarios.length} scenarios, ${checked} component statuses compared with mado check`);
