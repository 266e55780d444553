import type { Dataset } from "../../data/dataset.js";
import { grid1d } from "../../data/synthetic.js";
import { activation } from "../../nn/activations.js";
import { initNet, makeArch, type Net, createNet } from "../../nn/arch.js";
import { Evaluator } from "../../nn/evaluator.js";
import { BnEvaluator, bnFromPlain } from "../../depth/batchnorm.js";
import { layerLinearization, linearizationReport } from "../../depth/linearization.js";
import { minimize } from "../../optim/train.js";
import { pruneLayer, type PruneResult } from "../../depth/merge-layer.js";
import { liftNet } from "../../depth/lift.js";

/** One recorded point of the BN experiment. */
export interface BnCurvePoint { step: number; loss: number; gradNorm: number; linearFraction: number; minMargin: number }

/**
 * SPEC §4.3 experiment: the same deep ReLU net (same initial weights) trained full-batch with and without batch
 * normalization before each activation; loss and the fraction of hidden neurons linear on S (averaged over the hidden
 * layers) are recorded along training. With BN the linearization measure uses the activation inputs ĥ.
 */
export function bnExperiment(opts: { widths?: number[]; data?: Dataset; steps?: number; lr?: number; seed?: number; every?: number; optimizer?: "gd" | "adam" } = {}): { plain: BnCurvePoint[]; bn: BnCurvePoint[]; widths: number[]; n: number } {
  const widths = opts.widths ?? [1, 16, 16, 16, 16, 1];
  const data = opts.data ?? grid1d("sin3x", 40, -2, 2);
  const steps = opts.steps ?? 2000, lr = opts.lr ?? 3e-3, every = opts.every ?? 20, optimizer = opts.optimizer ?? "adam";
  const net = initNet(makeArch(widths, "relu", "mse"), { seed: opts.seed ?? 1 });
  const act = activation("relu");
  const L = widths.length - 1;
  const measure = (pre: (l: number) => Float64Array): { f: number; m: number } => {
    let f = 0, m = Infinity;
    for (let l = 1; l < L; l++) {
      const r = layerLinearization(pre(l), data.n, widths[l], act, l);
      f += r.linearFraction;
      if (r.minLinearMargin !== null) m = Math.min(m, r.minLinearMargin);
    }
    return { f: f / (L - 1), m };
  };
  const ev = new Evaluator(net.arch, data);
  const t1 = Float64Array.from(net.theta);
  const plain: BnCurvePoint[] = [];
  minimize(ev, t1, { optimizer, lr, steps, recordEvery: every, onRecord: (r, th) => { const z = measure((l) => ev.preActivations(th, l)); plain.push({ ...r, linearFraction: z.f, minMargin: z.m }); } });
  const { arch, theta: t2 } = bnFromPlain(net);
  const bev = new BnEvaluator(arch, data);
  const bn: BnCurvePoint[] = [];
  minimize(bev, t2, { optimizer, lr, steps, recordEvery: every, onRecord: (r, th) => { const z = measure((l) => bev.preActivations(th, l)); bn.push({ ...r, linearFraction: z.f, minMargin: z.m }); } });
  return { plain, bn, widths, n: data.n };
}

/** One seed of the BN comparison: final loss and mean linear fraction with and without BN. */
export interface BnSeedRow { seed: number; plainLoss: number; bnLoss: number; plainLinear: number; bnLinear: number }

/**
 * `bnExperiment` repeated over seeds (SPEC §4.3): the final loss and final mean linear fraction of the same net trained
 * with and without BN, per seed, so a reader sees how much of the one-seed picture is the seed.
 */
export function bnSeedSweep(seeds: number[], opts: { steps?: number } = {}): BnSeedRow[] {
  const steps = opts.steps ?? 3000;
  return seeds.map((seed) => {
    const r = bnExperiment({ seed, steps, every: steps });
    const p = r.plain[r.plain.length - 1], b = r.bn[r.bn.length - 1];
    return { seed, plainLoss: p.loss, bnLoss: b.loss, plainLinear: p.linearFraction, bnLinear: b.linearFraction };
  });
}

/**
 * SPEC §4.4 on a trained deep net: train a shallow ReLU net, lift it (exact, one inserted layer), fine-tune the deep net,
 * find its linearized layers and prune the inserted one; also force-prune a layer that is not linear and fine-tune it.
 */
export function pruningExperiment(opts: { steps?: number; seed?: number } = {}): {
  shallowLoss: number; deepWidths: number[]; deepLossAfterTraining: number; layers: ReturnType<typeof linearizationReport>;
  exact: PruneResult; forced: PruneResult; forcedFineTunedLoss: number; forcedFineTunedHeldOut: number;
} {
  const steps = opts.steps ?? 1500;
  const all = grid1d("cos2x", 41, -2, 2);
  // every other point held out
  const pick = (odd: boolean): Dataset => {
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < all.n; i++) if ((i % 2 === 1) === odd) { xs.push(all.x[i]); ys.push(all.y[i]); }
    return grid1dFrom(xs, ys);
  };
  const data: Dataset = { ...pick(false), heldOut: pick(true) };
  const shallow0 = initNet(makeArch([1, 12, 1], "relu", "mse"), { seed: opts.seed ?? 2 });
  const ev = new Evaluator(shallow0.arch, data);
  const th = Float64Array.from(shallow0.theta);
  minimize(ev, th, { optimizer: "adam", lr: 1e-2, steps, recordEvery: steps });
  const shallow = createNet(shallow0.arch, th);
  const lift = liftNet(shallow, data, { after: 1, width: 12, margin: 0.5 });
  const dev = new Evaluator(lift.net.arch, data);
  const td = Float64Array.from(lift.net.theta);
  const h = minimize(dev, td, { optimizer: "adam", lr: 3e-3, steps, recordEvery: steps }).history;
  const deep = createNet(lift.net.arch, td);
  const layers = linearizationReport(deep, data);
  const exactLayer = layers.find((r) => r.linearized)?.layer ?? 2;
  const exact = pruneLayer(deep, data, exactLayer, { force: true });
  const notLinear = layers.find((r) => !r.linearized)?.layer ?? 1;
  const forced = pruneLayer(deep, data, notLinear, { force: true });
  const fev = new Evaluator(forced.net.arch, data);
  const tf = Float64Array.from(forced.net.theta);
  const fh = minimize(fev, tf, { optimizer: "adam", lr: 3e-3, steps: 500, recordEvery: 500 }).history;
  const held = new Evaluator(forced.net.arch, data.heldOut!).loss(tf);
  return {
    shallowLoss: ev.loss(th), deepWidths: [...lift.net.arch.widths], deepLossAfterTraining: h[h.length - 1].loss, layers,
    exact, forced, forcedFineTunedLoss: fh[fh.length - 1].loss, forcedFineTunedHeldOut: held,
  };
}

function grid1dFrom(xs: number[], ys: number[]): Dataset {
  return { n: xs.length, d: 1, k: 1, x: Float64Array.from(xs), y: Float64Array.from(ys), name: "cos2x" };
}

export type { Net };
