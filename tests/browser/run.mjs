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

function serve(port, schedules, now) {
  const args = ["serve", "--addr", `127.0.0.1:${port}`];
  if (schedules) args.push("--schedules", schedules);
  if (now) args.push("--now", now);
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

// Pairs of text fragments (from different text nodes) whose boxes overlap by more than 1 px
// each way: measured, so a column that overruns the next one is found at any width.
function textOverlaps() {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    // Text not drawn (a closed <details>, a hidden table head) has no place to overlap.
    acceptNode: (n) =>
      n.textContent.trim() && n.parentElement.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })
        ? NodeFilter.FILTER_ACCEPT
        : NodeFilter.FILTER_REJECT,
  });
  for (let n = walker.nextNode(), i = 0; n; n = walker.nextNode(), i++) {
    const r = document.createRange();
    r.selectNodeContents(n);
    for (const b of r.getClientRects()) {
      if (b.width > 0 && b.height > 0) boxes.push({ i, b, text: n.textContent.trim().slice(0, 30) });
    }
  }
  const out = [];
  for (let a = 0; a < boxes.length; a++) {
    for (let c = a + 1; c < boxes.length; c++) {
      const [x, y] = [boxes[a], boxes[c]];
      if (x.i === y.i) continue;
      const w = Math.min(x.b.right, y.b.right) - Math.max(x.b.left, y.b.left);
      const h = Math.min(x.b.bottom, y.b.bottom) - Math.max(x.b.top, y.b.top);
      if (w > 1 && h > 1) out.push(`"${x.text}" and "${y.text}" by ${w.toFixed(0)}x${h.toFixed(0)}px`);
    }
  }
  return out;
}

// Local JST "YYYY-MM-DD HH:MM" for an instant.
const jst = (d) => new Date(d.getTime() + 9 * 3600e3).toISOString().slice(0, 16).replace("T", " ");

const children = [];
try {
  // --- The pages at the clocks that matter (`mado serve --now`): no overlapping text at any
  // width from 320 to 1920 px, measured from the text's boxes; axe-core and pa11y with 0
  // violations at 375 and 1280 px in both languages; the status the API gives. ---
  const browser = await launch();
  const clocks = [
    { name: "confirmed", now: "2023-11-13T02:30+09:00", notice: "2023-10-10-db-upgrade-revised" },
    { name: "tentative", now: "2024-04-22T12:00+09:00", notice: "2023-10-10-db-upgrade-revised" },
    { name: "blackout", now: "2023-11-20T23:30+09:00", notice: "standing-reauth-blackout" },
    { name: "pending", now: "2025-08-25T11:00+09:00", notice: "2025-08-10-store", schedules: join(root, "tests", "data", "views") },
    { name: "quiet", now: "2023-11-13T12:00+09:00", notice: "2023-08-28-db-upgrade" },
  ];
  const widths = [320, 375, 768, 1024, 1280, 1440, 1920];
  const audited = new Set([375, 1280]);
  const axeSource = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "node_modules", "axe-core", "axe.min.js"), "utf8");
  const a11yUrls = [];
  let origin;
  for (const [i, clock] of clocks.entries()) {
    const port = base + 10 + i;
    children.push(serve(port, clock.schedules, clock.now));
    await ready(port);
    origin = `http://127.0.0.1:${port}`;
    const readyz = await (await fetch(`${origin}/readyz`)).json();
    check(readyz.clock === new Date(clock.now).toISOString().replace(".000Z", "Z"), `${clock.name}: /readyz says the clock is fixed at ${readyz.clock}`);
    const functions = (await (await fetch(`${origin}/v1/functions`)).json()).functions.map((f) => f.id);
    const pages = [
      ["status", "/"],
      ["timeline", "/timeline"],
      ["notices", "/notices"],
      ["notice", `/notices/${clock.notice}`],
    ];
    for (const lang of ["en", "ja"]) {
      for (const width of widths) {
        // CSP forbids scripts on the pages: the audit's script is let in by the test only.
        const context = await browser.newContext({ viewport: { width, height: 900 }, locale: lang === "ja" ? "ja-JP" : "en-US", bypassCSP: true });
        for (const [name, path] of pages) {
          const url = `${origin}${path}?lang=${lang}`;
          const what = `${clock.name} ${name} ${lang} ${width}px`;
          const page = await context.newPage();
          const errors = [];
          // The browser's own request for /favicon.ico (there is none) is not the page's error.
          page.on("console", (m) => m.type() === "error" && !m.location().url?.endsWith("/favicon.ico") && errors.push(m.text()));
          page.on("pageerror", (e) => errors.push(String(e)));
          const resp = await page.goto(url, { waitUntil: "load" });
          check(resp.status() === 200 && resp.headers()["mado-clock"]?.startsWith("fixed"), `${what}: status ${resp.status()}, clock marked`);
          check((await page.locator("header .clock").count()) === 1, `${what}: the fixed clock is shown`);
          check(errors.length === 0, `${what}: no console errors ${errors.join(" | ")}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          check(overflow <= 0, `${what}: no horizontal page scroll (${overflow}px)`);
          const overlaps = await page.evaluate(textOverlaps);
          check(overlaps.length === 0, `${what}: no text overlaps another${overlaps.length ? ": " + overlaps.slice(0, 3).join(" | ") : ""}`);
          if (name === "status" && audited.has(width)) {
            let matched = 0;
            for (const f of functions) {
              const want = (await (await fetch(`${origin}/v1/availability?function=${f}`)).json()).status;
              const shown = await page.locator(`[data-function="${f}"] .badge`).first().getAttribute("data-status");
              if (shown === want) matched++;
              else console.log(`     ${f}: page says ${shown}, API says ${want}`);
            }
            check(matched === functions.length, `${what}: the DOM shows the API's status for ${matched}/${functions.length} functions`);
          }
          if (name === "timeline") {
            // The chart opens where now is (it is in the default range).
            const seen = await page.evaluate(() => {
              const chart = document.querySelector(".chart").getBoundingClientRect();
              const now = document.querySelector("#now line").getBoundingClientRect();
              return now.left >= chart.left && now.right <= chart.right;
            });
            check(seen, `${what}: the chart opens with now in view`);
            check((await page.locator(".chart svg a").count()) === 0, `${what}: no link inside the chart image`);
          }
          if (audited.has(width)) {
            await page.addScriptTag({ content: axeSource });
            const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
              .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`));
            check(violations.length === 0, `${what}: axe-core ${violations.length ? violations.join(" | ") : "0 violations"}`);
            if (width === 375 || width === 1280) a11yUrls.push({ url, width, what });
            if (lang === "en" || clock.name === "confirmed") {
              await page.screenshot({ path: join(out, `${clock.name}-${name}-${lang}-${width}.png`), fullPage: true });
            }
          }
          await page.close();
        }
        await context.close();
      }
    }
    // pa11y (HTML_CodeSniffer, WCAG 2 AA) on the same pages, same widths, same languages,
    // while this clock's server runs.
    const { default: pa11y } = await import("pa11y");
    const { default: puppeteer } = await import("puppeteer");
    const pb = await puppeteer.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    for (const { url, width, what } of a11yUrls.splice(0)) {
      const r = await pa11y(url, { browser: pb, viewport: { width, height: 900 }, standard: "WCAG2AA", runners: ["htmlcs"], timeout: 30000 });
      const issues = r.issues.filter((x) => x.type === "error");
      check(issues.length === 0, `${what}: pa11y ${issues.length ? issues.map((x) => `${x.code} ${x.selector}`).slice(0, 3).join(" | ") : "0 errors"}`);
    }
    await pb.close();
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

  // The embedded schedules on the real clock.
  children.push(serve(base));
  await ready(base);
  const realOrigin = `http://127.0.0.1:${base}`;
  const upAnswer = await (await fetch(`${realOrigin}/v1/availability?function=webcollect.credit_card&for=15m`)).json();
  const up = await checkout(realOrigin);
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
