import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

// The package's public surface as a user imports it: through its own name (Node resolves a package's
// self-reference through package.json "exports"), so a sub-path missing from "exports" fails here.
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { exports: Record<string, unknown> };
const load = (spec: string): Promise<Record<string, unknown>> => import(spec) as Promise<Record<string, unknown>>;

/** One representative public name per sub-path, and names that are internal and must stay out. */
const SURFACE: Record<string, { has: string[]; hides: string[] }> = {
  nn: { has: ["makeArch", "Evaluator", "parseActivationName", "fixtureB"], hides: ["erf", "normalCdf", "hessianTwoLayer"] },
  linalg: { has: ["getBackend", "inertia", "inertiaLdl", "transpose", "choleskySolve", "orthComplement"], hides: ["gemmPure", "syevPure", "ldlInertiaPure", "pureBackend", "nativeAddonPath"] },
  spectrum: { has: ["extremeEigenvalues", "spectralDensity"], hides: [] },
  optim: { has: ["train", "refineCritical", "certificate"], hides: [] },
  data: { has: ["makeDataset", "grid1d", "loadDataset"], hides: ["readText", "MAX_IDX_BYTES"] },
  io: { has: ["loadNet", "saveNet", "netToSafetensors", "stateDictSource"], hides: ["readBytes", "MAX_SAFETENSORS_HEADER"] },
  embed: { has: ["applyEmbedding", "splitEmbedding", "recoverEmbedding"], hides: [] },
  analysis: { has: ["trulyBadAnalysis", "embeddingReport", "predictEmbeddingInertia"], hides: ["embeddingStory"] },
  depth: { has: ["liftNet", "pruneLayer", "BnEvaluator"], hides: ["depthReport", "investigateMinToSaddle"] },
  prune: { has: ["pruneNet", "mergeNeurons", "condensation"], hides: ["mergeKind", "checkHiddenLayer", "maxDiff"] },
  symmetry: { has: ["countT", "countG", "swapPath"], hides: ["stirling2Recurrence", "TRIANGLE_LIMIT"] },
  report: { has: ["page", "vegaLiteSvg", "spectrumPlot"], hides: [] },
  experiments: { has: ["reproductions", "runDemo", "depthReport", "mnistPruneExperiment"], hides: [] },
  util: { has: ["InputError", "Rng"], hides: ["parseJsonWith", "require_"] },
  sweep: { has: ["makeCell", "SweepStore", "LocalRunner", "QueueRunner", "registerExecutor"], hides: ["payloadSchema", "outcomeSchema", "startLocalRedis"] },
};
/** Sub-paths that are not namespaces of the root: importing "embedscape" must not load BullMQ and ioredis. */
const SUBPATH_ONLY = new Set(["sweep"]);

test("every folder is a sub-path export with its public names and without its internals", async () => {
  assert.deepEqual(Object.keys(pkg.exports).filter((k) => k !== "." && k !== "./package.json").sort(), Object.keys(SURFACE).map((k) => `./${k}`).sort());
  for (const [sub, { has, hides }] of Object.entries(SURFACE)) {
    const m = await load(`embedscape/${sub}`);
    for (const name of has) assert.ok(name in m, `embedscape/${sub} lacks ${name}`);
    for (const name of hides) assert.ok(!(name in m), `embedscape/${sub} exports the internal ${name}`);
  }
});

test("the root holds the main job's names and one namespace per folder, the same objects as the sub-paths", async () => {
  const root = await load("embedscape");
  for (const sub of Object.keys(SURFACE)) {
    if (SUBPATH_ONLY.has(sub)) { assert.ok(!(sub in root), `${sub} is a sub-path only`); continue; }
    assert.equal(typeof root[sub], "object", `namespace ${sub}`);
    assert.equal((root[sub] as Record<string, unknown>)[SURFACE[sub].has[0]], (await load(`embedscape/${sub}`))[SURFACE[sub].has[0]]);
  }
  for (const name of ["makeArch", "initNet", "grid1d", "train", "refineCritical", "Evaluator", "loadNet", "InputError"]) assert.ok(name in root, name);
  const flat = Object.keys(root).filter((k) => !(k in SURFACE));
  assert.ok(flat.length <= 25, `the root should stay small; it has ${flat.length} flat names: ${flat.join(", ")}`);
});
