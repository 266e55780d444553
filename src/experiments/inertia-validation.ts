import { pathToFileURL } from "node:url";
import { makeDataset } from "../data/dataset.js";
import { useBackend } from "../linalg/backend.js";
import { inertiaLdl } from "../linalg/inertia.js";
import { initNet, makeArch } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { train } from "../optim/train.js";
import { inertiaEstimate, spectralBounds } from "../spectrum/inertia-estimate.js";
import type { MatVec } from "../spectrum/lanczos.js";
import { Rng } from "../util/rng.js";

/** One validation case: the exact LDLᵀ counts and how often the estimate's intervals held them. */
export interface ValidationRow {
  widths: number[];
  parameters: number;
  tolerance: number;
  exact: { neg: number; zero: number; pos: number };
  trials: number;
  covered: { neg: number; zero: number; pos: number };
  meanHalfWidth: { neg: number; zero: number; pos: number };
  meanAbsError: { neg: number; zero: number; pos: number };
  exactSeconds: number;
  secondsPerTrial: number;
  matvecsPerTrial: number;
}

/**
 * Validate `inertiaEstimate` against the exact LDLᵀ inertia (`inertiaLdl`, same τ) on 2-layer
 * tanh nets trained on n random points (3000 Adam steps, as in the unit test): `trials`
 * independent seeded runs share the evaluator and the Lanczos bounds, and the row records how
 * often each interval holds the exact count. `trainSteps: 0, targetScale: 3` gives the untrained
 * saddle with many negative directions and a spectrum running continuously through ±τ.
 */
export function validateInertiaEstimate(widths: number[], o: { n?: number; trials?: number; degree?: number; probes?: number; relativeTolerance?: number; trainSteps?: number; targetScale?: number } = {}): ValidationRow & { trainSteps: number } {
  const n = o.n ?? 30, trials = o.trials ?? 20, rng = new Rng(1);
  const x = new Float64Array(n * widths[0]), y = new Float64Array(n * widths[widths.length - 1]);
  rng.fillNormal(x);
  rng.fillNormal(y, o.targetScale ?? 1);
  const data = makeDataset(x, y, { n, d: widths[0], k: widths[widths.length - 1] });
  const arch = makeArch(widths, "tanh", "mse");
  const trainSteps = o.trainSteps ?? 3000, init = initNet(arch, { seed: 1 });
  const theta = trainSteps > 0 ? train(init, data, { optimizer: "adam", steps: trainSteps, lr: 1e-2 }).net.theta : init.theta;
  const ev = new Evaluator(arch, data), P = ev.P;
  const op: MatVec = (a, b) => ev.hvp(theta, a, b);
  const bounds = spectralBounds(op, P);
  const tolerance = (o.relativeTolerance ?? 1e-2) * Math.max(-bounds.lower, bounds.upper);
  let t0 = Date.now();
  const ex = inertiaLdl(ev.hessian(theta), P, { tolerance });
  const exactSeconds = (Date.now() - t0) / 1000;
  const keys = ["neg", "zero", "pos"] as const;
  const zero = (): { neg: number; zero: number; pos: number } => ({ neg: 0, zero: 0, pos: 0 });
  const covered = zero(), hw = zero(), err = zero();
  let matvecs = 0;
  t0 = Date.now();
  for (let t = 0; t < trials; t++) {
    const e = inertiaEstimate(op, P, { tolerance, bounds, degree: o.degree ?? 200, probes: o.probes ?? 10, seed: 500 + t });
    matvecs += e.matvecs;
    for (const k of keys) {
      if (e[k].interval[0] <= ex[k] && ex[k] <= e[k].interval[1]) covered[k]++;
      hw[k] += e[k].halfWidth / trials;
      err[k] += Math.abs(e[k].estimate - ex[k]) / trials;
    }
  }
  return {
    widths, trainSteps, parameters: P, tolerance, exact: { neg: ex.neg, zero: ex.zero, pos: ex.pos }, trials, covered, meanHalfWidth: hw, meanAbsError: err,
    exactSeconds, secondsPerTrial: (Date.now() - t0) / 1000 / trials, matvecsPerTrial: matvecs / trials,
  };
}

// node dist/experiments/inertia-validation.js [16-110-2 32-150-2:init ...]: one JSON line per net (native backend when
// installed); ":init" = untrained, targets ×3 (a saddle with n₋ ≈ P/2)
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  useBackend(process.env.EMBEDSCAPE_BACKEND ?? "auto");
  const nets = process.argv.slice(2).length ? process.argv.slice(2) : ["16-110-2", "32-150-2", "50-190-2"];
  for (const spec of nets) {
    const [w, mode] = spec.split(":");
    const opts = mode === "init" ? { trainSteps: 0, targetScale: 3 } : {};
    process.stdout.write(JSON.stringify(validateInertiaEstimate(w.split("-").map(Number), opts)) + "\n");
  }
}
