// Measures the explorer as a person meets it: first contentful paint from the local server, and the longest
// main-thread task (PerformanceObserver "longtask", ≥ 50 ms by definition) while a link trains and refines.
// Usage: node tools/explorer-timing.mjs [hash]   (needs `npm run build` and Debian's chromium)
import { chromium } from "playwright-core";
import { serveExplorer } from "../dist/explore/serve.js";
import { findChromium } from "../dist/report/browser.js";

const hash = process.argv[2] ?? "#data=sin3x&arch=1-50-1&act=tanh&seed=1&opt=adam&lr=0.01&steps=20000&run=train,refine,split:1:1:0.5";
const { url, close } = await serveExplorer(0);
const browser = await chromium.launch({ executablePath: findChromium(), args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
await page.addInitScript(() => {
  globalThis.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__long.push(e.duration); }).observe({ type: "longtask", buffered: true });
});
const t0 = Date.now();
await page.goto(url + hash);
await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === "done", null, { timeout: 600_000 });
const wall = (Date.now() - t0) / 1000;
const r = await page.evaluate(() => ({
  fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
  long: globalThis.__long,
}));
const sorted = [...r.long].sort((a, b) => b - a);
console.log(JSON.stringify({ hash, firstContentfulPaintMs: r.fcp, wallSeconds: wall, longTasks: r.long.length, longestTaskMs: sorted[0] ?? 0, top5: sorted.slice(0, 5).map((x) => Math.round(x)) }));
await browser.close();
await close();
