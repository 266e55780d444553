// Measures the explorer as a person meets it: first contentful paint from the local server, and the longest
// main-thread task (PerformanceObserver "longtask", ≥ 50 ms by definition) while a link replays (train, refine, split),
// with the Long Animation Frames API's account of the worst frames (script time vs style/layout/paint).
// Usage: node tools/explorer-timing.mjs [--throttle N] [--dir DIR] [hash]
//   --throttle N  Chromium's CPU throttling (N× slower main thread; the machine's own load comes on top)
//   --dir DIR     a built explorer elsewhere (default dist/explore)
// Needs `npm run build` and Debian's chromium. Prints one JSON line, with the load average before and after.
import { loadavg } from "node:os";
import { chromium } from "playwright-core";
import { serveExplorer } from "../dist/explore/serve.js";
import { findChromium } from "../dist/report/browser.js";

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
const throttle = Number(opt("--throttle") ?? 1), dir = opt("--dir");
const hash = args[0] ?? "#data=sin3x&arch=1-50-1&act=tanh&seed=1&opt=adam&lr=0.01&steps=20000&run=train,refine,split:1:1:0.5";
const load0 = loadavg()[0];
const { url, close } = await serveExplorer(0, dir);
const browser = await chromium.launch({ executablePath: findChromium(), args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
if (throttle > 1) await (await page.context().newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate: throttle });
await page.addInitScript(() => {
  globalThis.__long = [];
  globalThis.__loaf = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__long.push(e.duration); }).observe({ type: "longtask", buffered: true });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      if (e.duration < 50) continue;
      const end = e.startTime + e.duration;
      globalThis.__loaf.push({ at: Math.round(e.startTime), ms: Math.round(e.duration), scriptMs: Math.round(e.scripts.reduce((a, s) => a + s.duration, 0)), styleLayoutPaintMs: Math.round(e.renderStart ? end - e.renderStart : 0) });
    }
  }).observe({ type: "long-animation-frame", buffered: true });
});
const t0 = Date.now();
await page.goto(url + hash);
// poll slowly: the default (every animation frame) would itself run on the page's main thread
await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === "done", null, { timeout: 600_000, polling: 250 });
const wall = (Date.now() - t0) / 1000;
const r = await page.evaluate(() => ({ fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null, long: globalThis.__long, loaf: globalThis.__loaf }));
const sorted = [...r.long].sort((a, b) => b - a);
console.log(JSON.stringify({
  hash, throttle, loadAverage: [Number(load0.toFixed(2)), Number(loadavg()[0].toFixed(2))], firstContentfulPaintMs: r.fcp, wallSeconds: wall,
  longTasks: r.long.length, longestTaskMs: Math.round(sorted[0] ?? 0), top5: sorted.slice(0, 5).map((x) => Math.round(x)),
  worstFrames: r.loaf.sort((a, b) => b.ms - a.ms).slice(0, 3),
}));
await browser.close();
await close();
