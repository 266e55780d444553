import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { formatDataCsv } from "../data/csv.js";
import { applyEmbedding, multiStepEmbedding } from "../embed/index.js";
import { saveNet } from "../io/files.js";
import { fixtureB, fixtureE } from "../nn/fixtures.js";
import { findChromium, renderInChromium } from "../report/browser.js";

// `--report FILE.html` on the point commands: each writes a page with the certificate table, the data and output
// figure, the spectrum with τ (and, where there are two nets, both side by side), its own results; each renders in
// headless Chromium without console errors. A bad report path is refused (exit 2) before any work is done.
const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const dir = mkdtempSync(join(tmpdir(), "embedscape-point-reports-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", cwd: dir, timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const B = fixtureB(), E = fixtureE();
saveNet(join(dir, "b.json"), B.net);
writeFileSync(join(dir, "b.csv"), formatDataCsv(B.data));
saveNet(join(dir, "wide.json"), applyEmbedding(B.net, multiStepEmbedding([1, 2, 1], [{ kind: "split", layer: 1, neuron: 1, ratios: [0.3, 0.7] }])));
saveNet(join(dir, "e.json"), E.net);
writeFileSync(join(dir, "e.csv"), formatDataCsv(E.data));
// a point near fixture B's minimum, for `critical` to refine
saveNet(join(dir, "near.json"), { ...B.net, theta: B.net.theta.map((v, i) => v + 1e-3 * (i + 1)) });

const chromium = findChromium();
function checkReport(file: string, sections: RegExp[], figures: number): void {
  const html = readFileSync(join(dir, file), "utf8");
  for (const s of [/<h2[^>]*>Certificate<\/h2>/, /<h2[^>]*>Data and output<\/h2>/, ...sections]) assert.match(html, s, `${file}: ${s}`);
  assert.doesNotMatch(html, /NaN|undefined/, file);
  if (chromium) {
    const r = renderInChromium(join(dir, file));
    assert.ok(r.ok, `${file}: Chromium failed`);
    assert.deepEqual(r.consoleErrors, [], file);
    assert.ok((r.dom.match(/<svg/g) ?? []).length >= figures, `${file}: figures rendered`);
  }
}

const cases: Array<{ name: string; args: string[]; sections: RegExp[]; figures?: number; out?: boolean }> = [
  { name: "critical", args: ["critical", "--net", "near.json", "--data", "b.csv"], sections: [/Hessian spectrum — start/, /Hessian spectrum — critical point/, /<h2[^>]*>Results<\/h2>/] },
  { name: "hessian", args: ["hessian", "--net", "b.json", "--data", "b.csv"], sections: [/Hessian spectrum — net/, /\(0, 0, 7\)/] },
  { name: "hessian-estimate", args: ["hessian", "--net", "b.json", "--data", "b.csv", "--estimate", "--degree", "40", "--probes", "4"], sections: [/% interval/, /Matrix-free inertia estimate/], figures: 1 },
  { name: "truly-bad", args: ["truly-bad", "--net", "b.json", "--data", "b.csv"], sections: [/Hessian spectrum — net/, /N0 \(H ⪰ 0\)/, /N3/] },
  { name: "check", args: ["check", "--narrow", "b.json", "--wide", "wide.json", "--data", "b.csv"], sections: [/Hessian spectrum — narrow/, /Hessian spectrum — wide/, /inertia predicted/] },
  { name: "prune", args: ["prune", "--net", "wide.json", "--data", "b.csv", "--threshold", "1", "--low-amplitude", "0"], sections: [/Hessian spectrum — wide \(width 3\)/, /Hessian spectrum — pruned \(width 2\)/, /duplicates merged/] },
  { name: "condense", args: ["condense", "--net", "wide.json", "--data", "b.csv"], sections: [/Condensation of hidden layer 1/, /orientation vs amplitude/, /\|cos\|/] },
  { name: "lift", args: ["lift", "--net", "e.json", "--data", "e.csv", "--after", "1", "--width", "2", "--A", "2,1,0.5,1.5", "--c", "0.3,0.7"], sections: [/Hessian spectrum — shallower/, /Hessian spectrum — deeper/, /lifted set dimension/] },
];

// (tools/json-contract.mjs checks that --json documents are unchanged; here --json and --report go together once)
for (const c of cases) {
  test(`CLI ${c.name} --report: written, with its sections, renders in Chromium`, () => {
    const file = `${c.name}.html`;
    const r = cli(...c.args, "--report", file, "--json");
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(typeof j, "object");
    if (c.name === "condense") assert.equal(j.report, file);
    checkReport(file, c.sections, c.figures ?? 2);
  });
}

test("CLI --report in text mode says where the report went", () => {
  const r = cli("hessian", "--net", "b.json", "--data", "b.csv", "--report", "t.html");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /report written to t\.html/);
  assert.match(readFileSync(join(dir, "t.html"), "utf8"), /Hessian spectrum — net/);
});

test("CLI --report: a name without .html or a folder is refused with exit 2 before any work (no --out written)", () => {
  mkdirSync(join(dir, "folder.html"), { recursive: true });
  for (const [cmd, ...rest] of cases.map((c) => c.args)) {
    for (const bad of ["r.txt", "folder.html"]) {
      const r = cli(cmd, ...rest, "--report", bad, ...(["critical", "prune", "lift"].includes(cmd) ? ["--out", "never.json"] : []));
      assert.equal(r.code, 2, `${cmd} ${bad}: ${r.err}`);
      assert.match(r.err, /^embedscape: --report "/, cmd);
      assert.equal(r.err.trim().split("\n").length, 1);
    }
  }
  assert.equal(existsSync(join(dir, "never.json")), false);
});
