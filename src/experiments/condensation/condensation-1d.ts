import { grid1d } from "../../data/synthetic.js";
import { createNet, makeArch, type Net } from "../../nn/arch.js";
import { predict } from "../../nn/functions.js";
import { Evaluator } from "../../nn/evaluator.js";
import { minimize, type TrainState } from "../../optim/train.js";
import { curvePlot, fitPlot } from "../../report/plots.js";
import { vegaLiteSvg } from "../../report/svg.js";
import { esc, figure, fmt, page, table } from "../../report/html.js";
import { Rng } from "../../util/rng.js";
import { InputError } from "../../util/errors.js";
import { condensation } from "../../prune/condensation.js";
import { mergeNeurons } from "../../prune/merge.js";
import { orientationAmplitudePlot } from "./plots.js";

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

/**
 * SPEC §7 E2/E3: two-layer ReLU nets 1-m-1 on the target ReLU(2x+0.6) − ReLU(x) + ReLU(0.5x−0.4) − ReLU(1.5x−0.6)
 * (grid on [−1, 1]), full-batch GD from the same small initialisation scale for every width; loss curves with their
 * plateaus; at the point where each run's loss is closest to the lowest final loss of the width-≤2 runs, neurons are merged
 * (`mergeNeurons`: low amplitude dropped, equal directions summed by the E6 rule) into effective neurons.
 */
export function condensationExperiment(opts: CondensationExperimentOptions = {}): CondensationExperimentResult {
  const o = {
    widths: opts.widths ?? [1, 2, 3, 4, 8, 30, 200], runs: opts.runs ?? 1, steps: opts.steps ?? 20000, lr: opts.lr ?? 0.05,
    scale: opts.scale ?? 0.01, points: opts.points ?? 41, seed: opts.seed ?? 0, threshold: opts.threshold ?? 0.99, lowAmplitude: opts.lowAmplitude ?? 0.01,
  };
  if (!o.widths.length || o.widths.some((w) => !Number.isInteger(w) || w < 1)) throw new InputError(`widths must be positive integers, got ${o.widths.join(",")}`);
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new InputError(`runs must be a positive integer, got ${o.runs}`);
  if (!Number.isInteger(o.steps) || o.steps < 10) throw new InputError(`steps must be an integer ≥ 10, got ${o.steps}`);
  const data = grid1d("relu4", o.points, -1, 1);
  const marks = logSteps(o.steps);
  const order = [...new Set(o.widths)].sort((a, b) => a - b);
  // the reference level: the lowest final loss of any run of width ≤ 2 (an estimate of the width-2 minimum, which
  // every wider net can realise by embedding); without such widths, that of the narrowest width
  const refWidths = new Set(order.filter((m) => m <= 2).length ? order.filter((m) => m <= 2) : [order[0]]);
  let referenceLoss = Infinity;
  const runs: WidthRun[] = [];
  const pending: Array<{ run: WidthRun; snaps: Array<{ step: number; loss: number; theta: Float64Array }> }> = [];
  const snapshotOf = (arch: ReturnType<typeof makeArch>, snaps: Array<{ step: number; loss: number; theta: Float64Array }>): WidthRun["snapshot"] => {
    const best = snaps.reduce((a, b) => (Math.abs(Math.log(b.loss / referenceLoss)) < Math.abs(Math.log(a.loss / referenceLoss)) ? b : a));
    return { step: best.step, loss: best.loss, net: createNet(arch, best.theta) };
  };
  const spectrum = { lo: -5, hi: 0, bins: 200, widths: order, counts: order.map(() => new Array<number>(200).fill(0)), outside: order.map(() => 0) };
  let done = 0;
  for (const [wi, m] of order.entries()) {
    const hist = spectrum.counts[wi];
    const onStep = (_s: number, loss: number): void => {
      const b = spectrumBin(loss, spectrum.lo, spectrum.hi, spectrum.bins);
      if (b < 0) spectrum.outside[wi]++; else hist[b]++;
    };
    const arch = makeArch([1, m, 1], "relu", "mse");
    if (!refWidths.has(m) && pending.length) {
      for (const p of pending) { p.run.snapshot = snapshotOf(p.run.snapshot!.net.arch, p.snaps); p.run.effective = effectiveNeurons(p.run.snapshot!.net, o.threshold, o.lowAmplitude); }
      pending.length = 0;
    }
    for (let r = 0; r < o.runs; r++) {
      const rng = new Rng(o.seed * 1000003 + m * 101 + r);
      const net = createNet(arch);
      for (let i = 0; i < net.theta.length; i++) net.theta[i] = o.scale * rng.normal();
      const ev = new Evaluator(arch, data);
      const theta = net.theta;
      const curve: Array<{ step: number; loss: number }> = [];
      const snaps: Array<{ step: number; loss: number; theta: Float64Array }> = [];
      let state: TrainState | undefined;
      let prev = 0;
      for (const s of marks) {
        if (s > prev) { state = minimize(ev, theta, { optimizer: "gd", lr: o.lr, steps: s - prev, recordEvery: s - prev, resume: state, onStep }).state; prev = s; }
        const loss = ev.loss(theta);
        curve.push({ step: s, loss });
        snaps.push({ step: s, loss, theta: Float64Array.from(theta) });
      }
      const finalLoss = curve[curve.length - 1].loss;
      const run: WidthRun = { width: m, run: r, curve, finalLoss, plateaus: plateausOf(curve), snapshot: null, effective: [] };
      if (refWidths.has(m)) {
        referenceLoss = Math.min(referenceLoss, finalLoss);
        run.snapshot = { step: o.steps, loss: finalLoss, net: createNet(arch, theta) };
        pending.push({ run, snaps });
      } else {
        run.snapshot = snapshotOf(arch, snaps);
        run.effective = effectiveNeurons(run.snapshot!.net, o.threshold, o.lowAmplitude);
      }
      runs.push(run);
      opts.onProgress?.(++done, order.length * o.runs);
    }
  }
  for (const p of pending) { p.run.snapshot = snapshotOf(p.run.snapshot!.net.arch, p.snaps); p.run.effective = effectiveNeurons(p.run.snapshot!.net, o.threshold, o.lowAmplitude); }
  runs.sort((a, b) => a.width - b.width || a.run - b.run);
  return { options: o, data: { x: Array.from(data.x), y: Array.from(data.y) }, referenceLoss, runs, lossSpectrum: spectrum };
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

/** HTML report of the E2/E3 experiment. */
export async function condensationExperimentReport(r: CondensationExperimentResult): Promise<string> {
  const o = r.options;
  const run0 = r.runs.filter((x) => x.run === 0);
  const curves = await curvePlot(run0.map((x) => ({ name: `m = ${x.width}`, points: x.curve.map((p) => ({ step: p.step, value: p.loss })) })), { title: "training loss (run 0 of each width)", logX: true, logY: true, width: 520, height: 300 });
  const xs = Array.from({ length: 201 }, (_, i) => -1 + i / 100);
  const fits = await fitPlot(r.data.x.map((x, i) => ({ x, y: r.data.y[i] })), run0.filter((x) => x.snapshot).map((x) => {
    const f = predict(x.snapshot!.net.arch, x.snapshot!.net.theta, Float64Array.from(xs), xs.length);
    return { name: `m = ${x.width}`, points: xs.map((v, i) => ({ x: v, y: f[i] })) };
  }), "outputs at the snapshot (loss closest to the width-2 minimum)");
  const effValues = run0.flatMap((x) => x.effective.map((e) => ({ width: `m = ${x.width}`, angle: e.angle, amplitude: e.amplitude })));
  const effPlot = await vegaLiteSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: "merged effective neurons at the snapshot", width: 420, height: 260,
    data: { values: effValues }, mark: { type: "point", filled: true, size: 70, opacity: 0.7 },
    encoding: {
      x: { field: "angle", type: "quantitative", title: "direction angle of (w, b) [rad]", scale: { domain: [-Math.PI, Math.PI] } },
      y: { field: "amplitude", type: "quantitative", title: "merged amplitude Σ a_k‖(w_k, b_k)‖" },
      color: { field: "width", type: "nominal", title: null, sort: run0.map((x) => `m = ${x.width}`) },
      shape: { field: "width", type: "nominal", title: null, sort: run0.map((x) => `m = ${x.width}`) },
    },
  });
  const sp = r.lossSpectrum;
  const spValues = sp.widths.flatMap((w, wi) => {
    const total = sp.counts[wi].reduce((a, b) => a + b, 0) + sp.outside[wi];
    return sp.counts[wi].flatMap((c, b) => (c > 0 ? [{ width: `m = ${w}`, lo: sp.lo + (b * (sp.hi - sp.lo)) / sp.bins, hi: sp.lo + ((b + 1) * (sp.hi - sp.lo)) / sp.bins, logp: Math.log10(c / total) }] : []));
  });
  const spectrumPlot = await vegaLiteSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: `loss spectrum: log10(loss) over all ${o.steps} steps of ${o.runs} run(s) per width`, width: 520, height: 24 * sp.widths.length,
    data: { values: spValues }, mark: { type: "rect" },
    encoding: {
      x: { field: "lo", type: "quantitative", title: "log10(loss)", scale: { domain: [sp.lo, sp.hi] } }, x2: { field: "hi" },
      y: { field: "width", type: "ordinal", title: null, sort: sp.widths.map((w) => `m = ${w}`) },
      color: { field: "logp", type: "quantitative", title: "log10 p", scale: { scheme: "viridis" } },
    },
  });
  const peaks = spectrumPeaks(r);
  const widest = run0[run0.length - 1];
  const scatter = widest.snapshot ? await orientationAmplitudePlot(condensation(widest.snapshot.net, { threshold: o.threshold, lowAmplitude: o.lowAmplitude })[0], `width ${widest.width} at the snapshot: every neuron`) : "";
  const rows = o.widths.map((m) => {
    const rs = r.runs.filter((x) => x.width === m);
    const finals = rs.map((x) => x.finalLoss).sort((a, b) => a - b);
    const x0 = rs[0];
    return [m, rs.length, fmt(finals[Math.floor(finals.length / 2)]), x0.plateaus.map(fmt).join(", ") || "–", x0.snapshot ? `${x0.snapshot.step} (${fmt(x0.snapshot.loss)})` : "–",
      x0.effective.length, x0.effective.map((e) => `(${e.angle.toFixed(2)}, ${e.amplitude.toFixed(3)})`).join(" ")];
  });
  const lead = `SPEC §7 E2/E3. Two-layer ReLU nets 1-m-1 fit ${o.points} grid points on [−1, 1] of ReLU(2x+0.6) − ReLU(x) + ReLU(0.5x−0.4) − ReLU(1.5x−0.6) by full-batch GD (lr ${o.lr}, ${o.steps} steps; the SPEC's lr 0.001 needs ≈50× more steps), every parameter initialised N(0, ${o.scale}²) for all widths, ${o.runs} run(s) per width. Snapshot: the logged step whose loss is closest to the lowest final loss reached by any run of width ≤ 2 (${fmt(r.referenceLoss)}, an estimate of the width-2 minimum). Effective neurons: neurons with amplitude ≤ ${o.lowAmplitude}·max dropped, directions with cosine ≥ ${o.threshold} merged by the E6 rule; each shown as (angle of (w, b), Σ a_k‖(w_k, b_k)‖). Every run recomputes (no cache).`;
  return page("Condensation across widths (E2/E3)", lead, [
    { title: "Loss curves and plateaus", html: `${figure(curves, "Loss against GD step, log–log. Plateaus at common values across widths are the embedded critical points of narrower nets.")}${table(["width", "runs", "final loss (median)", "plateau levels (run 0)", "snapshot step (loss)", "effective neurons", "effective (angle, amplitude)"], rows)}` },
    { title: "Loss spectrum (E2b)", html: `${figure(spectrumPlot, `Per width, the share p of all GD steps (every run) whose log10(loss) falls in each of ${sp.bins} bins on [${sp.lo}, ${sp.hi}]; bright columns shared across widths are the plateaus GD lingers on.`)}${table(["width", "spectrum peaks (loss)", "steps outside the range"], peaks.map((p, i) => [p.width, p.losses.map(fmt).join(", ") || "–", sp.outside[i]]))}` },
    { title: "Effective neurons across widths", html: `<div class="plots">${figure(effPlot, "Merged effective neurons of every width at its snapshot: coinciding points = the same narrow network.")}${figure(fits, "Output functions at the snapshot.")}${scatter ? figure(scatter, "Orientation–amplitude scatter of the widest net before merging.") : ""}</div>` },
    { title: "Setup", html: `<p class="muted">Widths ${esc(o.widths.join(", "))}; seed ${o.seed}.</p>` },
  ]);
}
