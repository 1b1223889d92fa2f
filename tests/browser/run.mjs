// Headless Chromium against `mado serve`: the pages at 375 and 1280 px, and the checkout
// snippet of docs/checkout.md from a second origin.
//
//   node run.mjs /path/to/mado OUT_DIR [PORT_BASE]
//
// Uses the system's Chromium (CHROMIUM, default /usr/bin/chromium) through playwright-core;
// never downloads a browser. Screenshots go to OUT_DIR.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const [bin, out, portArg] = process.argv.slice(2);
if (!bin || !out) {
  console.error("usage: node run.mjs MADO_BINARY OUT_DIR [PORT_BASE]");
  process.exit(2);
}
const base = Number(portArg || 18320);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
mkdirSync(out, { recursive: true });
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
};

function serve(port, schedules) {
  const args = ["serve", "--addr", `127.0.0.1:${port}`];
  if (schedules) args.push("--schedules", schedules);
  const env = { ...process.env };
  delete env.MADO_SCHEDULES;
  const p = spawn(bin, args, { stdio: ["ignore", "ignore", "inherit"], env });
  return p;
}

async function ready(port) {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mado on ${port} did not start`);
}

const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });

// Local JST "YYYY-MM-DD HH:MM" for an instant.
const jst = (d) => new Date(d.getTime() + 9 * 3600e3).toISOString().slice(0, 16).replace("T", " ");

const children = [];
try {
  // --- The pages, on the embedded schedules. ---
  const pagesPort = base;
  children.push(serve(pagesPort));
  await ready(pagesPort);
  const origin = `http://127.0.0.1:${pagesPort}`;
  const functions = (await (await fetch(`${origin}/v1/functions`)).json()).functions.map((f) => f.id);
  const browser = await launch();
  const pages = [
    ["status", "/"],
    ["timeline", "/timeline?from=2023-11-01&to=2023-11-20"],
    ["notice", "/notices/2023-10-10-db-upgrade-revised"],
  ];
  for (const width of [375, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "en-US" });
    for (const [name, path] of pages) {
      const page = await context.newPage();
      const errors = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(String(e)));
      const resp = await page.goto(origin + path, { waitUntil: "load" });
      check(resp.status() === 200, `${name} ${width}px: status ${resp.status()}`);
      check(errors.length === 0, `${name} ${width}px: no console errors ${errors.join(" | ")}`);
      // Nothing wider than the viewport except the chart, which scrolls inside its box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      check(overflow <= 0, `${name} ${width}px: no horizontal page scroll (${overflow}px)`);
      if (name === "status") {
        let matched = 0;
        for (const f of functions) {
          const want = (await (await fetch(`${origin}/v1/availability?function=${f}`)).json()).status;
          const shown = await page.locator(`[data-function="${f}"] .badge`).first().getAttribute("data-status");
          const text = (await page.locator(`[data-function="${f}"] .badge`).first().innerText()).trim();
          if (shown === want && text.length > 2) matched++;
          else console.log(`     ${f}: page says ${shown} (${text}), API says ${want}`);
        }
        check(matched === functions.length && matched >= 5, `status ${width}px: the DOM shows the API's status for ${matched}/${functions.length} functions`);
      }
      if (name === "timeline") {
        const bars = await page.locator("svg rect[data-kind=confirmed]").count();
        const struck = await page.locator("svg g.struck").count();
        check(bars >= 10 && struck >= 1, `timeline ${width}px: ${bars} confirmed bars, ${struck} struck through`);
      }
      if (name === "notice") {
        const trail = await page.locator('[data-uid="2023-08-28-db-upgrade/all-functions"] ol.trail > li').count();
        check(trail === 2, `notice ${width}px: the upgrade's trail has ${trail} entries (announced, revised)`);
      }
      await page.screenshot({ path: join(out, `${name}-${width}.png`), fullPage: true });
      await page.close();
    }
    await context.close();
  }

  // --- The checkout snippet, from another origin. ---
  const md = readFileSync(join(root, "docs", "checkout.md"), "utf8");
  const snippet = md.split("<!-- checkout-snippet:start -->")[1].split("<!-- checkout-snippet:end -->")[0]
    .replace(/^\s*```html\n/, "").replace(/```\s*$/, "");
  check(snippet.includes('const MADO = "https://mado.example.com";'), "checkout: snippet found in docs/checkout.md");

  // A schedule whose window covers the present: 1 hour ago to 2 hours ahead.
  const dir = mkdtempSync(join(tmpdir(), "mado-checkout-"));
  mkdirSync(join(dir, "notices"));
  copyFileSync(join(root, "schedules", "functions.toml"), join(dir, "functions.toml"));
  const now = new Date();
  const start = new Date(Math.floor(now.getTime() / 60000) * 60000 - 3600e3);
  const end = new Date(start.getTime() + 3 * 3600e3);
  writeFileSync(join(dir, "notices", "now.toml"), [
    'id = "checkout-test"',
    `published = "${jst(new Date(now.getTime() - 86400e3)).slice(0, 10)}"`,
    'title = "カード決済メンテナンス"',
    'source = "tests/browser/run.mjs"',
    "[[window]]",
    'id = "now"',
    'title = "card network maintenance"',
    'functions = ["webcollect.credit_card"]',
    `start = "${jst(start)}"`,
    `end = "${jst(end)}"`,
    "",
  ].join("\n"));
  const downPort = base + 1;
  children.push(serve(downPort, dir));
  await ready(downPort);
  const shopPort = base + 2;
  let madoUrl = "";
  const shop = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>shop</title></head><body>
<form><label><input type="radio" name="pay" value="cvs"> Convenience store</label>
${snippet.replace("https://mado.example.com", madoUrl)}</form></body></html>`);
  });
  await new Promise((r) => shop.listen(shopPort, "localhost", r));
  const shopUrl = `http://localhost:${shopPort}/`;
  async function checkout(mado) {
    madoUrl = mado;
    const context = await browser.newContext({ viewport: { width: 375, height: 700 } });
    const page = await context.newPage();
    const errors = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    const answered = page.waitForResponse((r) => r.url().includes("/v1/availability"), { timeout: 5000 }).catch(() => null);
    await page.goto(shopUrl, { waitUntil: "load" });
    const resp = await answered;
    await page.waitForTimeout(300);
    const state = {
      cardHidden: await page.locator("#pay-card").isHidden(),
      message: (await page.locator("#pay-card-status").isVisible()) ? await page.locator("#pay-card-status").innerText() : "",
      cors: resp ? resp.headers()["access-control-allow-origin"] : undefined,
      errors,
    };
    await page.screenshot({ path: join(out, `checkout-${mado ? mado.split(":").pop() : "none"}.png`) });
    await context.close();
    return state;
  }
  const down = await checkout(`http://127.0.0.1:${downPort}`);
  check(down.cors === "*", `checkout: the answer came cross-origin (Access-Control-Allow-Origin: ${down.cors})`);
  check(down.cardHidden, "checkout: card payment hidden while unavailable");
  const untilJst = jst(end).slice(11);
  check(down.message.includes("card network maintenance") && down.message.includes(untilJst),
    `checkout: message gives the reason and until ${untilJst}: "${down.message}"`);
  check(down.errors.length === 0, `checkout: no console errors ${down.errors.join(" | ")}`);

  const upAnswer = await (await fetch(`${origin}/v1/availability?function=webcollect.credit_card&for=15m`)).json();
  const up = await checkout(origin);
  check(up.cardHidden === (upAnswer.status === "unavailable"), `checkout: embedded schedules (${upAnswer.status} now): card ${up.cardHidden ? "hidden" : "shown"}`);
  check(up.errors.length === 0, `checkout: no console errors ${up.errors.join(" | ")}`);

  // mado unreachable: the fetch fails (the browser logs the refused connection), nothing is hidden.
  const gone = await checkout(`http://127.0.0.1:${base + 3}`);
  check(!gone.cardHidden && gone.message === "", "checkout: mado unreachable, card payment stays (fails open)");

  shop.close();
  await browser.close();
} catch (e) {
  console.error(e);
  failures++;
} finally {
  for (const c of children) c.kill("SIGTERM");
}
console.log(failures ? `browser: ${failures} failed` : "browser: all passed");
process.exit(failures ? 1 : 0);
