/**
 * The numbers of SPEC §7 E2/E3 (no HTML, no Vega: worker threads of a sweep import only this): one run per
 * (width, run index), the plan of the two phases of cells, and their assembly into the experiment's result.
 */
import { grid1d } from "../../data/synthetic.js";
import { createNet, makeArch, type Net } from "../../nn/arch.js";
import { Evaluator } from "../../nn/evaluator.js";
import { minimize, type TrainState } from "../../optim/train.js";
import { Rng } from "../../util/rng.js";
import { InputError } from "../../util/errors.js";
import { mergeNeurons } from "../../prune/merge.js";

export interface CondensationExperimentOptions {
  widths?: number[];
  runs?: number;
  steps?: number;
  lr?: number;
  /** Every parameter ~ N(0, scale²) (same for all widths: the condensed regime of small initialisation). */
  scale?: number;
  points?: number;
  seed?: number;
  /** Cosine threshold for merging effective neurons at the snapshot (default 0.99). */
  threshold?: number;
  /** Low-amplitude fraction dropped before merging (default 0.01). */
  lowAmplitude?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One effective neuron after merging: direction angle of (w, b) and signed amplitude a·‖(w, b)‖. */
export interface EffectiveNeuron { angle: number; amplitude: number }

export interface WidthRun {
  width: number;
  run: number;
  /** (step, loss) at log-spaced steps. */
  curve: Array<{ step: number; loss: number }>;
  finalLoss: number;
  /** Loss levels where the curve is flat on log–log axes (|d log R / d log t| < 0.1 over ≥ 3 samples). */
  plateaus: number[];
  snapshot: { step: number; loss: number; net: Net } | null;
  effective: EffectiveNeuron[];
}

export interface CondensationExperimentResult {
  options: Required<Omit<CondensationExperimentOptions, "onProgress">>;
  data: { x: number[]; y: number[] };
  /** Lowest final loss of the runs of width ≤ 2 (≈ the width-2 minimum): every run's snapshot is the logged step whose loss is closest to it. */
  referenceLoss: number;
  runs: WidthRun[];
  /**
   * SPEC §7 E2(b) "loss spectrum": per width, the histogram of log10(loss) over every GD step of every run, on
   * [lo, hi] in `bins` equal bins; `outside` counts the steps whose log10(loss) fell outside the range.
   */
  lossSpectrum: { lo: number; hi: number; bins: number; widths: number[]; counts: number[][]; outside: number[] };
}

/** Bin of log10(loss) in the loss spectrum, or −1 outside [lo, hi]. */
export function spectrumBin(loss: number, lo: number, hi: number, bins: number): number {
  const v = Math.log10(loss);
  if (!(v >= lo && v <= hi)) return -1;
  return Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
}

function logSteps(steps: number, count = 80): number[] {
  const s = new Set<number>([0]);
  for (let i = 0; i <= count; i++) s.add(Math.min(steps, Math.round(Math.exp((Math.log(steps) * i) / count))));
  s.add(steps);
  return [...s].sort((a, b) => a - b);
}

function plateausOf(curve: Array<{ step: number; loss: number }>): number[] {
  const pts = curve.filter((p) => p.step >= 1 && p.loss > 0);
  const out: number[] = [];
  let run: number[] = [];
  const flush = (): void => {
    if (run.length >= 3) {
      const v = run.sort((a, b) => a - b)[Math.floor(run.length / 2)];
      if (!out.some((u) => Math.abs(Math.log10(u / v)) < 0.05)) out.push(v);
    }
    run = [];
  };
  for (let i = 1; i < pts.length; i++) {
    const s = (Math.log10(pts[i].loss) - Math.log10(pts[i - 1].loss)) / (Math.log10(pts[i].step) - Math.log10(pts[i - 1].step));
    if (Math.abs(s) < 0.1) { if (run.length === 0) run.push(pts[i - 1].loss); run.push(pts[i].loss); } else flush();
  }
  flush();
  return out;
}

/** The parameters of one run of the E2/E3 experiment (one width, one run index): a sweep cell. */
export interface CondensationRunParams {
  width: number;
  run: number;
  steps: number;
  lr: number;
  scale: number;
  points: number;
  seed: number;
  threshold: number;
  lowAmplitude: number;
  /**
   * The reference loss level, when known (widths > 2: the lowest final loss of the width-≤2 runs): the run then picks
   * its snapshot and effective neurons itself. Without it (the reference widths) the run returns every logged θ.
   */
  referenceLoss?: number;
}

/** Loss-spectrum range and bins (log10 of the loss). */
export const SPECTRUM = { lo: -5, hi: 0, bins: 200 } as const;

/** What one run returns (JSON-safe: θ as plain arrays). */
export interface CondensationRunResult {
  width: number;
  run: number;
  curve: Array<{ step: number; loss: number }>;
  finalLoss: number;
  plateaus: number[];
  /** This run's loss-spectrum counts (SPECTRUM bins) and the steps outside the range. */
  spectrum: number[];
  outside: number;
  /** Every logged (step, loss, θ): only without `referenceLoss`. */
  snaps?: Array<{ step: number; loss: number; theta: number[] }>;
  /** With `referenceLoss`: the logged step whose loss is closest to it, and its merged effective neurons. */
  snapshot?: { step: number; loss: number; theta: number[] };
  effective?: EffectiveNeuron[];
}

function pickSnapshot<T extends { loss: number }>(snaps: T[], referenceLoss: number): T {
  return snaps.reduce((a, b) => (Math.abs(Math.log(b.loss / referenceLoss)) < Math.abs(Math.log(a.loss / referenceLoss)) ? b : a));
}

/**
 * One run of SPEC §7 E2/E3: a 1-m-1 ReLU net with every parameter N(0, scale²) drawn from Rng(seed·1000003 + m·101 + run),
 * full-batch GD on the relu4 grid, the loss logged at ≈80 log-spaced steps, the per-step loss spectrum, and (given the
 * reference loss) the snapshot and its effective neurons. Deterministic in float64: the same parameters give the same bits.
 */
export function condensationRun(p: CondensationRunParams): CondensationRunResult {
  const m = p.width;
  if (!Number.isInteger(m) || m < 1) throw new InputError(`width must be a positive integer, got ${m}`);
  if (!Number.isInteger(p.steps) || p.steps < 10) throw new InputError(`steps must be an integer ≥ 10, got ${p.steps}`);
  const data = grid1d("relu4", p.points, -1, 1);
  const marks = logSteps(p.steps);
  const spectrum = new Array<number>(SPECTRUM.bins).fill(0);
  let outside = 0;
  const onStep = (_s: number, loss: number): void => {
    const b = spectrumBin(loss, SPECTRUM.lo, SPECTRUM.hi, SPECTRUM.bins);
    if (b < 0) outside++; else spectrum[b]++;
  };
  const arch = makeArch([1, m, 1], "relu", "mse");
  const rng = new Rng(p.seed * 1000003 + m * 101 + p.run);
  const net = createNet(arch);
  for (let i = 0; i < net.theta.length; i++) net.theta[i] = p.scale * rng.normal();
  const ev = new Evaluator(arch, data);
  const theta = net.theta;
  const curve: Array<{ step: number; loss: number }> = [];
  const snaps: Array<{ step: number; loss: number; theta: number[] }> = [];
  let state: TrainState | undefined;
  let prev = 0;
  for (const s of marks) {
    if (s > prev) { state = minimize(ev, theta, { optimizer: "gd", lr: p.lr, steps: s - prev, recordEvery: s - prev, resume: state, onStep }).state; prev = s; }
    const loss = ev.loss(theta);
    curve.push({ step: s, loss });
    snaps.push({ step: s, loss, theta: Array.from(theta) });
  }
  const finalLoss = curve[curve.length - 1].loss;
  const out: CondensationRunResult = { width: m, run: p.run, curve, finalLoss, plateaus: plateausOf(curve), spectrum, outside };
  if (p.referenceLoss === undefined) out.snaps = snaps;
  else {
    out.snapshot = pickSnapshot(snaps, p.referenceLoss);
    out.effective = effectiveNeurons(createNet(arch, Float64Array.from(out.snapshot.theta)), p.threshold, p.lowAmplitude);
  }
  return out;
}

type FullOptions = Required<Omit<CondensationExperimentOptions, "onProgress">>;

/** The options with defaults filled in and checked. */
export function condensationOptions(opts: CondensationExperimentOptions = {}): FullOptions {
  const o = {
    widths: opts.widths ?? [1, 2, 3, 4, 8, 30, 200], runs: opts.runs ?? 1, steps: opts.steps ?? 20000, lr: opts.lr ?? 0.05,
    scale: opts.scale ?? 0.01, points: opts.points ?? 41, seed: opts.seed ?? 0, threshold: opts.threshold ?? 0.99, lowAmplitude: opts.lowAmplitude ?? 0.01,
  };
  if (!o.widths.length || o.widths.some((w) => !Number.isInteger(w) || w < 1)) throw new InputError(`widths must be positive integers, got ${o.widths.join(",")}`);
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new InputError(`runs must be a positive integer, got ${o.runs}`);
  if (!Number.isInteger(o.steps) || o.steps < 10) throw new InputError(`steps must be an integer ≥ 10, got ${o.steps}`);
  return o;
}

/**
 * The two phases of cells of the experiment: first every run of the reference widths (width ≤ 2, or the narrowest
 * width when there is none), then, given their lowest final loss, every run of the other widths.
 */
export function condensationPlan(o: FullOptions): { referenceCells: CondensationRunParams[]; otherCells(referenceLoss: number): CondensationRunParams[]; referenceOf(runs: CondensationRunResult[]): number } {
  const order = [...new Set(o.widths)].sort((a, b) => a - b);
  const refWidths = order.filter((m) => m <= 2).length ? order.filter((m) => m <= 2) : [order[0]];
  const base = { steps: o.steps, lr: o.lr, scale: o.scale, points: o.points, seed: o.seed, threshold: o.threshold, lowAmplitude: o.lowAmplitude };
  const cells = (widths: number[], referenceLoss?: number): CondensationRunParams[] =>
    widths.flatMap((width) => Array.from({ length: o.runs }, (_, run) => ({ width, run, ...base, ...(referenceLoss === undefined ? {} : { referenceLoss }) })));
  return {
    referenceCells: cells(refWidths),
    otherCells: (referenceLoss) => cells(order.filter((m) => !refWidths.includes(m)), referenceLoss),
    referenceOf: (runs) => runs.reduce((a, r) => Math.min(a, r.finalLoss), Infinity),
  };
}

/** Put the runs of both phases together into the experiment's result (snapshots of the reference runs picked here). */
export function assembleCondensation(o: FullOptions, referenceLoss: number, results: CondensationRunResult[]): CondensationExperimentResult {
  const order = [...new Set(o.widths)].sort((a, b) => a - b);
  const spectrum = { ...SPECTRUM, widths: order, counts: order.map(() => new Array<number>(SPECTRUM.bins).fill(0)), outside: order.map(() => 0) };
  const runs: WidthRun[] = [];
  for (const r of results) {
    const wi = order.indexOf(r.width);
    for (let b = 0; b < SPECTRUM.bins; b++) spectrum.counts[wi][b] += r.spectrum[b];
    spectrum.outside[wi] += r.outside;
    const arch = makeArch([1, r.width, 1], "relu", "mse");
    const snap = r.snapshot ?? pickSnapshot(r.snaps!, referenceLoss);
    const net = createNet(arch, Float64Array.from(snap.theta));
    runs.push({
      width: r.width, run: r.run, curve: r.curve, finalLoss: r.finalLoss, plateaus: r.plateaus,
      snapshot: { step: snap.step, loss: snap.loss, net }, effective: r.effective ?? effectiveNeurons(net, o.threshold, o.lowAmplitude),
    });
  }
  runs.sort((a, b) => a.width - b.width || a.run - b.run);
  const data = grid1d("relu4", o.points, -1, 1);
  return { options: o, data: { x: Array.from(data.x), y: Array.from(data.y) }, referenceLoss, runs, lossSpectrum: spectrum };
}

/**
 * SPEC §7 E2/E3: two-layer ReLU nets 1-m-1 on the target ReLU(2x+0.6) − ReLU(x) + ReLU(0.5x−0.4) − ReLU(1.5x−0.6)
 * (grid on [−1, 1]), full-batch GD from the same small initialisation scale for every width; loss curves with their
 * plateaus; at the point where each run's loss is closest to the lowest final loss of the width-≤2 runs, neurons are merged
 * (`mergeNeurons`: low amplitude dropped, equal directions summed by the E6 rule) into effective neurons.
 * Runs one `condensationRun` after the other in this thread; the sweep executor `condensation-run` runs the same cells
 * on all cores or a queue (src/sweep) and gives the same bits.
 */
export function condensationExperiment(opts: CondensationExperimentOptions = {}): CondensationExperimentResult {
  const o = condensationOptions(opts);
  const plan = condensationPlan(o);
  let done = 0;
  const total = plan.referenceCells.length + plan.otherCells(1).length;
  const run = (p: CondensationRunParams): CondensationRunResult => { const r = condensationRun(p); opts.onProgress?.(++done, total); return r; };
  const ref = plan.referenceCells.map(run);
  const referenceLoss = plan.referenceOf(ref);
  return assembleCondensation(o, referenceLoss, [...ref, ...plan.otherCells(referenceLoss).map(run)]);
}

/** Merge a 1-m-1 ReLU net's neurons (E3): drop low amplitude, sum equal directions by the E6 rule; angle and signed a·‖(w,b)‖ of each (merged neurons with |amplitude| ≤ lowAmplitude·max are left out). */
export function effectiveNeurons(net: Net, threshold: number, lowAmplitude: number): EffectiveNeuron[] {
  const merged = mergeNeurons(net, { threshold, lowAmplitude }).net;
  const m = merged.arch.widths[1];
  const th = merged.theta; // layout: W1 (m), b1 (m), W2 (m), b2
  const out: EffectiveNeuron[] = [];
  for (let j = 0; j < m; j++) {
    const w = th[j], b = th[m + j], a = th[2 * m + j];
    out.push({ angle: Math.atan2(b, w), amplitude: a * Math.hypot(w, b) });
  }
  const maxA = out.reduce((a, e) => Math.max(a, Math.abs(e.amplitude)), 0);
  return out.filter((e) => Math.abs(e.amplitude) > lowAmplitude * maxA).sort((p, q) => p.angle - q.angle);
}

/** JSON-safe headline numbers. */
export function condensationSummary(r: CondensationExperimentResult): Record<string, unknown> {
  return {
    referenceLoss: r.referenceLoss,
    perWidth: r.options.widths.map((m) => {
      const rs = r.runs.filter((x) => x.width === m);
      const finals = rs.map((x) => x.finalLoss).sort((a, b) => a - b);
      return {
        width: m, runs: rs.length, finalLossMedian: finals[Math.floor(finals.length / 2)], finalLossMin: finals[0],
        plateausRun0: rs[0].plateaus, snapshotStep: rs[0].snapshot?.step ?? null, snapshotLoss: rs[0].snapshot?.loss ?? null,
        effectiveNeurons: rs[0].effective,
      };
    }),
    lossSpectrum: { lo: r.lossSpectrum.lo, hi: r.lossSpectrum.hi, bins: r.lossSpectrum.bins, widths: r.lossSpectrum.widths, outside: r.lossSpectrum.outside, peaksPerWidth: spectrumPeaks(r) },
    options: r.options,
  };
}

/**
 * Loss levels where each width's loss spectrum has a local maximum holding ≥ 2 % of its steps (bin centres, as
 * losses): the plateaus that GD lingers on, read off all runs at once.
 */
export function spectrumPeaks(r: CondensationExperimentResult): Array<{ width: number; losses: number[] }> {
  const { lo, hi, bins, widths, counts } = r.lossSpectrum;
  return widths.map((width, wi) => {
    const c = counts[wi], total = c.reduce((a, b) => a + b, 0) || 1;
    // smooth over ±2 bins so one plateau gives one peak
    const sm = c.map((_, i) => { let t = 0; for (let k = Math.max(0, i - 2); k <= Math.min(bins - 1, i + 2); k++) t += c[k]; return t; });
    const losses: number[] = [];
    for (let i = 0; i < bins; i++) {
      if (sm[i] / total < 0.02) continue;
      if ((i > 0 && sm[i - 1] > sm[i]) || (i < bins - 1 && sm[i + 1] >= sm[i])) continue;
      losses.push(10 ** (lo + ((i + 0.5) * (hi - lo)) / bins));
    }
    return { width, losses };
  });
}

