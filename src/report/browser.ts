import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Path of a headless-capable Chromium, or null (Debian package `chromium`). */
export function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

/**
 * Open an HTML file in headless Chromium, as a person's browser would, and return the rendered
 * DOM plus every console message / page error Chromium logged. Used by the report tests.
 */
export function renderInChromium(file: string, opts: { screenshot?: string; width?: number; height?: number } = {}): { dom: string; consoleErrors: string[]; ok: boolean } {
  const chromium = findChromium();
  if (!chromium) throw new Error("chromium not found (apt-get install chromium)");
  const profile = mkdtempSync(join(tmpdir(), "embedscape-chromium-"));
  try {
    const args = [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${profile}`, "--enable-logging=stderr", "--v=0",
      `--window-size=${opts.width ?? 1100},${opts.height ?? 1400}`,
      opts.screenshot ? `--screenshot=${resolve(opts.screenshot)}` : "--dump-dom",
      `file://${resolve(file)}`,
    ];
    const r = spawnSync(chromium, args, { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20 });
    const log = r.stderr ?? "";
    const consoleErrors = log.split("\n").filter((l) => /CONSOLE|Uncaught|SyntaxError|ReferenceError|TypeError/.test(l));
    return { dom: r.stdout ?? "", consoleErrors, ok: r.status === 0 };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
