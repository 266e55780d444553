import type { Dataset } from "../data/dataset.js";
import { activation, type ActivationName } from "../nn/activations.js";
import { createNet, initNet, layerViews, makeArch, type Net } from "../nn/arch.js";
import { predict } from "../nn/functions.js";
import { train } from "../optim/train.js";
import { canonicalForm, rootWidths, sameCanonical } from "./canonical.js";
import { solveCritical, type SolvedPoint } from "./solver.js";
import type { SetRow } from "./store.js";

/** A plateau of a training-loss curve: a stretch where the loss barely moves on a log-time axis. */
export interface Plateau {
  /** First and last step of the stretch, and the step whose θ is analysed (geometric middle). */
  from: number;
  to: number;
  step: number;
  loss: number;
  /** Smallest |d log R / d log t| over the stretch. */
  slope: number;
}

/**
 * Plateaus of a loss history (SPEC §7 E1): resample at log-spaced steps (ratio 1.1), take the log–log slope
 * s = Δlog R / Δlog t, and report each maximal stretch with |s| < `maxSlope` spanning at least a factor `minSpan` in
 * steps, plus each local minimum of |s| below `maxSlope`·`shoulder` (a "shoulder": a slow-down too short for a flat
 * stretch). The analysed step is the stretch's geometric middle.
 */
export function findPlateaus(history: Array<{ step: number; loss: number }>, opts: { maxSlope?: number; minSpan?: number; shoulder?: number } = {}): Plateau[] {
  const maxSlope = opts.maxSlope ?? 0.05, minSpan = opts.minSpan ?? 2, shoulder = opts.shoulder ?? 20;
  const pts: Array<{ step: number; loss: number }> = [];
  let next = 1;
  for (const p of history) if (p.step >= next && p.loss > 0) { pts.push(p); next = Math.max(p.step + 1, Math.ceil(p.step * 1.1)); }
  if (pts.length < 3) return [];
  const slope = pts.map((_, i) => {
    const a = pts[Math.max(0, i - 1)], b = pts[Math.min(pts.length - 1, i + 1)];
    return Math.log(b.loss / a.loss) / Math.log(b.step / a.step);
  });
  const out: Plateau[] = [];
  const at = (i: number, j: number): Plateau => {
    let k = i;
    const mid = Math.sqrt(pts[i].step * pts[j].step);
    for (let q = i; q <= j; q++) if (Math.abs(Math.log(pts[q].step / mid)) < Math.abs(Math.log(pts[k].step / mid))) k = q;
    let s = Infinity;
    for (let q = i; q <= j; q++) s = Math.min(s, Math.abs(slope[q]));
    return { from: pts[i].step, to: pts[j].step, step: pts[k].step, loss: pts[k].loss, slope: s };
  };
  const used = new Uint8Array(pts.length);
  for (let i = 0; i < pts.length; i++) {
    if (Math.abs(slope[i]) >= maxSlope) continue;
    let j = i;
    while (j + 1 < pts.length && Math.abs(slope[j + 1]) < maxSlope) j++;
    if (pts[j].step / pts[i].step >= minSpan) { out.push(at(i, j)); for (let q = i; q <= j; q++) used[q] = 1; }
    i = j;
  }
  for (let i = 1; i + 1 < pts.length; i++) {
    const s = Math.abs(slope[i]);
    if (used[i] || s >= maxSlope * shoulder || s > Math.abs(slope[i - 1]) || s > Math.abs(slope[i + 1])) continue;
    if (i + 1 === pts.length - 1) continue; // the end of the run is not a shoulder
    out.push(at(i, i));
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * Approximate reduction of a condensed wide net (one hidden layer): drop neurons of amplitude |a_j|·‖r_j‖ below
 * `low`·max, group the rest by the direction of r_j = (w_j, b_j) (cosine ≥ `threshold`, sign-symmetric for odd σ),
 * and replace each group by one neuron with the amplitude-weighted mean row and the summed (sign-aligned) outgoing
 * weight. Not exact: the solver polishes the result.
 */
export function condenseWide(net: Net, opts: { threshold?: number; low?: number } = {}): Net {
  const thr = opts.threshold ?? 0.95, low = opts.low ?? 1e-2;
  const [d, m, k] = net.arch.widths;
  if (net.arch.widths.length !== 3 || k !== 1) throw new Error("condenseWide: one hidden layer and a scalar output");
  const odd = activation(net.arch.activation).odd;
  const v = layerViews(net.arch.widths, net.theta);
  const row = (j: number): number[] => [...Array.from(v[0].W.subarray(j * d, (j + 1) * d)), v[0].b[j]];
  const nr = (r: number[]): number => Math.hypot(...r);
  const amp = Array.from({ length: m }, (_, j) => Math.abs(v[1].W[j]) * nr(row(j)));
  const top = Math.max(...amp);
  const order = Array.from({ length: m }, (_, j) => j).filter((j) => amp[j] > low * top).sort((a, b) => amp[b] - amp[a]);
  const taken = new Set<number>();
  const groups: Array<{ row: number[]; out: number }> = [];
  for (const j of order) {
    if (taken.has(j)) continue;
    taken.add(j);
    const rj = row(j), nj = nr(rj);
    let wsum = Math.abs(v[1].W[j]), acc = rj.map((x) => x * wsum), out = v[1].W[j];
    for (const q of order) {
      if (taken.has(q)) continue;
      const rq = row(q), c = rq.reduce((s, x, i) => s + x * rj[i], 0) / (nr(rq) * nj);
      const sign = c >= thr ? 1 : odd && -c >= thr ? -1 : 0;
      if (!sign) continue;
      taken.add(q);
      const w = Math.abs(v[1].W[q]);
      acc = acc.map((x, i) => x + sign * w * rq[i]);
      wsum += w;
      out += sign * v[1].W[q];
    }
    groups.push({ row: acc.map((x) => x / wsum), out });
  }
  const r = Math.max(1, groups.length);
  const reduced = createNet(makeArch([d, r, 1], net.arch.activation, net.arch.loss));
  const rv = layerViews([d, r, 1], reduced.theta);
  groups.forEach((g, j) => { for (let c = 0; c < d; c++) rv[0].W[j * d + c] = g.row[c]; rv[0].b[j] = g.row[d]; rv[1].W[j] = g.out; });
  rv[1].b[0] = v[1].b[0];
  return reduced;
}

/** What one plateau of the wide run turned out to be. */
export interface PlateauMatch {
  plateau: Plateau;
  /** Width after condensing the wide net at the plateau, and the root width of the solved point. */
  condensedWidth: number;
  solved: Pick<SolvedPoint, "loss" | "gradNorm" | "inertia" | "converged">;
  solvedRootWidth: number;
  /** The atlas set it matches: canonical form identical (exact), or else the closest output over the data. */
  set: { id: number; width: number; loss: number; inertia: { neg: number; zero: number; pos: number }; rootWidth: number } | null;
  exact: boolean;
  /** max_i |f_wide(x_i) − f_set(x_i)| at the plateau, and between the solved reduced point and the set. */
  outputDifference: number;
  solvedOutputDifference: number;
}

/** Train a wide tanh net from small initialisation (SPEC §7 E1) and return its loss history and θ at recorded steps. */
export function wideRun(data: Dataset, o: { width: number; scale: number; lr: number; steps: number; seed: number; optimizer: "gd" | "adam"; recordEvery: number; activation?: ActivationName }): { history: Array<{ step: number; loss: number }>; snapshots: Map<number, Float64Array>; net: Net } {
  const arch = makeArch([data.d, o.width, data.k], o.activation ?? "tanh", "mse");
  const start = initNet(arch, { seed: o.seed, scheme: "normal", scale: o.scale });
  const snapshots = new Map<number, Float64Array>();
  const r = train(start, data, { optimizer: o.optimizer, lr: o.lr, steps: o.steps, recordEvery: o.recordEvery, onRecord: (p, theta) => snapshots.set(p.step, Float64Array.from(theta)) });
  return { history: r.history.map((p) => ({ step: p.step, loss: p.loss })), snapshots, net: r.net };
}

/** Reduce, solve and match one plateau against the atlas's sets. */
export function matchPlateau(wide: Net, plateau: Plateau, data: Dataset, sets: SetRow[], template: (m: number) => number[]): PlateauMatch {
  const reduced = condenseWide(wide);
  const solved = solveCritical(reduced, data, { tol: 1e-13, maxIter: 200 });
  const solvedNet = createNet(reduced.arch, solved.theta);
  const canon = canonicalForm(solvedNet, data);
  const root = rootWidths(canon)[0];
  const fw = predict(wide.arch, wide.theta, data.x, data.n), fs = predict(solvedNet.arch, solvedNet.theta, data.x, data.n);
  const diff = (a: Float64Array, b: Float64Array): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
  const cands = sets.map((s) => {
    const arch = makeArch(template(s.width), wide.arch.activation, wide.arch.loss);
    const f = predict(arch, s.theta, data.x, data.n);
    return { s, d: diff(fw, f), ds: diff(fs, f), exact: solved.gradNorm <= 1e-10 && sameCanonical(s.canonical, canon, 1e-5) };
  });
  // an exact canonical match wins (narrowest first); otherwise the closest output, preferring the narrowest root among
  // sets within 10 % of the smallest difference (embedded copies of one function have the same output)
  const exact = cands.filter((c) => c.exact).sort((a, b) => a.s.width - b.s.width);
  const dmin = Math.min(...cands.map((c) => c.d));
  const near = cands.filter((c) => c.d <= 1.1 * dmin).sort((a, b) => a.s.rootWidth - b.s.rootWidth || a.s.width - b.s.width || a.d - b.d);
  const best = exact[0] ?? near[0] ?? null;
  return {
    plateau, condensedWidth: reduced.arch.widths[1],
    solved: { loss: solved.loss, gradNorm: solved.gradNorm, inertia: solved.inertia, converged: solved.converged }, solvedRootWidth: root,
    set: best ? { id: best.s.id, width: best.s.width, loss: best.s.loss, inertia: best.s.inertia, rootWidth: best.s.rootWidth } : null,
    exact: best?.exact ?? false, outputDifference: best?.d ?? NaN, solvedOutputDifference: best?.ds ?? NaN,
  };
}

/**
 * Closest approach of a training run to one set: over the snapshots with step in [from, to], the step where
 * max_i |f_θ(x_i) − f_set(x_i)| is smallest, and that difference.
 */
export function closestApproach(snapshots: Map<number, Float64Array>, arch: Net["arch"], set: { theta: Float64Array }, setArch: Net["arch"], data: Dataset, from: number, to: number): { step: number; outputDifference: number; loss: number } | null {
  const fs = predict(setArch, set.theta, data.x, data.n);
  let best: { step: number; outputDifference: number; loss: number } | null = null;
  for (const [step, theta] of snapshots) {
    if (step < from || step > to) continue;
    const f = predict(arch, theta, data.x, data.n);
    let d = 0, l = 0;
    for (let i = 0; i < f.length; i++) { d = Math.max(d, Math.abs(f[i] - fs[i])); l += 0.5 * (f[i] - data.y[i]) ** 2 / data.n; }
    if (!best || d < best.outputDifference) best = { step, outputDifference: d, loss: l };
  }
  return best;
}
