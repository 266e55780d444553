import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { reproductions } from "./registry.js";

// Every reproduction's report (quick options), read as a person sees it: the text of the page (HTML text and the SVG
// figures' titles, axes and legends) must not contain TeX markup such as `_{` or `^{` (SPEC symbols are written in
// Unicode or plain text: Σ(r<r*), [−1, 1]^k, T(π, β)).
const MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "cli", "main.js");
const QUICK: Record<string, string[]> = {
  "symmetry-counts": ["--r", "3,5", "--h-max", "12"],
  "symmetry-path": ["--samples", "30", "--per-segment", "20"],
  "hessian-embedding": [],
  depth: ["--quick"],
  "mnist-prune": ["--width", "24", "--train", "200", "--steps", "30", "--retrain", "5", "--until-plateau", "--plateau-window", "10", "--max-steps", "60"],
  condensation: ["--widths", "1,2,8", "--steps", "1500"],
  "landscape-diagram": ["--data", "grid:cos2x:12", "--widths", "1..2", "--seeds", "2", "--jobs", "1"],
  "wide-plateaus": ["--data", "grid:cos2x:12", "--width", "20", "--steps", "200", "--atlas-widths", "1..2", "--seeds", "2", "--jobs", "1"],
};

/** The text a reader sees: scripts and styles dropped, tags removed, entities decoded. */
export function visibleText(html: string): string {
  return html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ").replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

test("visibleText sees markup in text and SVG titles but not in attributes", () => {
  assert.match(visibleText("<p>Σ_{r&lt;r*}</p>"), /Σ_\{r<r\*\}/);
  assert.match(visibleText("<svg><text>x^{2}</text></svg>"), /\^\{/);
  assert.doesNotMatch(visibleText('<a href="a_{b}">ok</a>'), /_\{/);
});

test("no `_{` or `^{` in the rendered text of any reproduction report", () => {
  assert.deepEqual(Object.keys(QUICK).sort(), reproductions.map((r) => r.name).sort(), "every reproduction has quick options here");
  const dir = mkdtempSync(join(tmpdir(), "embedscape-markup-"));
  try {
    for (const [name, args] of Object.entries(QUICK)) {
      const out = join(dir, `${name}.html`);
      const r = spawnSync(process.execPath, [MAIN, "reproduce", name, ...args, "--out", out, "--json"], { encoding: "utf8", cwd: dir, timeout: 300_000 });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      const text = visibleText(readFileSync(out, "utf8"));
      for (const bad of ["_{", "^{"]) {
        const at = text.indexOf(bad);
        assert.equal(at, -1, `${name}: "${text.slice(Math.max(0, at - 60), at + 60)}"`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
