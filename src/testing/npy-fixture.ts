/**
 * Regenerate tools/fixtures/npy-numpy-verdicts.json: seeded .npy mutants (the fuzz target's mutators, header-heavy) and
 * numpy.load's verdict on each, so the CI fuzz test compares embedscape's .npy reader with numpy without needing
 * Python. Run: `npm run fuzz:npy-fixture` (needs /usr/bin/python3 with numpy).
 */
import { writeFileSync } from "node:fs";
import { Rng } from "../util/rng.js";
import { mutant, numpyVerdicts, readerTargets } from "./reader-fuzz.js";

export const NPY_FIXTURE = "tools/fixtures/npy-numpy-verdicts.json";

function main(out = NPY_FIXTURE, count = 900, seed = 2026): void {
  const t = readerTargets().find((x) => x.name === "npy")!;
  // header mutators only: byte flips in the data part tell numpy nothing new
  const headerOnly = { ...t, mutators: { dict: t.mutators.dict, dict2: t.mutators.dict2, header: t.mutators.header, version: t.mutators.version, truncate: t.mutators.truncate } };
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const files: Uint8Array[] = [];
  while (files.length < count) {
    const b = mutant(headerOnly, rng).bytes;
    const key = Buffer.from(b).toString("base64");
    if (!seen.has(key)) { seen.add(key); files.push(b); }
  }
  const v = numpyVerdicts(files);
  if (!v) throw new Error("numpy is not available (/usr/bin/python3 -c 'import numpy')");
  const cases = files.map((b, i) => ({ b64: Buffer.from(b).toString("base64"), numpy: v.verdicts[i] }));
  const accepted = cases.filter((c) => c.numpy.ok).length;
  writeFileSync(out, JSON.stringify({ generator: "src/testing/npy-fixture.ts", seed, numpy: v.numpy, accepted, cases }) + "\n");
  console.log(`${cases.length} .npy mutants, numpy ${v.numpy} accepts ${accepted}; written to ${out}`);
}

main(process.argv[2], process.argv[3] ? Number(process.argv[3]) : undefined);
