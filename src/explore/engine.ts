/**
 * The explorer's engine: one session of data, net and results, driven by plain-JSON actions and answering with
 * plain JSON. It runs in the page's Web Worker (pure-TS backend) and in Node (tests, `embedscape explore`'s
 * checks), and calls the library's own functions — `initNet`, `train`, `refineCritical`, `applyEmbedding`,
 * `predictEmbeddingInertia`, `condensation`, `pruneNet` — so a certificate shown in the page is the library's
 * certificate for the same settings, bit for bit (same code, same float64 arithmetic).
 */
import type { Dataset } from "../data/dataset.js";
import { makeDataset } from "../data/dataset.js";
import { parseDataCsv } from "../data/csv.js";
import { grid1d } from "../data/synthetic.js";
import { parseIrisCsv } from "../data/iris.js";
import { applyEmbedding } from "../embed/apply.js";
import { nullEmbedding, oneStepEmbedding } from "../embed/embedding.js";
import { predictEmbeddingInertia } from "../analysis/predict.js";
import { initNet, makeArch, createNet, type Net } from "../nn/arch.js";
import { parseActivationName } from "../nn/activations.js";
import { Evaluator } from "../nn/evaluator.js";
import { refineCritical, certificate, type Certificate } from "../optim/refine.js";
import { train, type TrainPoint, type TrainState } from "../optim/train.js";
import { condensation } from "../prune/condensation.js";
import { pruneNet } from "../prune/prune-net.js";
import { eigenSystem } from "../linalg/inertia.js";
import { netToJson, netFromJson } from "../io/net-json.js";
import { netToSafetensors, netFromSafetensors } from "../io/safetensors.js";
import { InputError } from "../util/errors.js";
import { DEFAULT_SETTINGS, PRESETS, type Settings } from "./settings.js";

export { DEFAULT_SETTINGS, PRESETS, type Settings };

/** Precomputed presets (the page embeds the Node-computed sets; see tools/build-explorer.mjs). */
let presetTable: Record<string, { n: number; d: number; k: number; x: number[]; y: number[]; name: string }> | null = null;

/** Use these exact preset data sets instead of computing them (the browser build passes the ones Node computed). */
export function usePresetTable(t: typeof presetTable): void {
  presetTable = t;
}

/** A preset data set (deterministic). `irisCsv` is the text of data/iris.csv (bundled into the page). */
export function presetData(name: string, irisCsv?: string): Dataset {
  const pre = presetTable?.[name];
  if (pre) return makeDataset(Float64Array.from(pre.x), Float64Array.from(pre.y), { n: pre.n, d: pre.d, k: pre.k }, pre.name);
  if (name === "cos2x") return grid1d("cos2x", 9);
  if (name === "cos2x20") return grid1d("cos2x", 20);
  if (name === "sin3x") return grid1d("sin3x", 20);
  if (name === "e2") return grid1d("relu4", 40, -2, 2);
  if (name === "ring" || name === "xor") {
    const x: number[][] = [], y: number[][] = [];
    const r = name === "ring" ? 1.5 : 1;
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      const a = -r + (2 * r * i) / 5, b = -r + (2 * r * j) / 5;
      x.push([a, b]);
      y.push([name === "ring" ? a * a + b * b - 1 : a * b]);
    }
    return makeDataset(x, y, undefined, name);
  }
  if (name === "iris") {
    if (!irisCsv) throw new InputError("the Iris data are not available here");
    const d = parseIrisCsv(irisCsv);
    // standardise the inputs (as `reproduce hessian-embedding` does)
    const x = Float64Array.from(d.x);
    for (let c = 0; c < d.d; c++) {
      let m = 0, s = 0;
      for (let i = 0; i < d.n; i++) m += x[i * d.d + c];
      m /= d.n;
      for (let i = 0; i < d.n; i++) s += (x[i * d.d + c] - m) ** 2;
      s = Math.sqrt(s / d.n) || 1;
      for (let i = 0; i < d.n; i++) x[i * d.d + c] = (x[i * d.d + c] - m) / s;
    }
    return makeDataset(x, d.y, { n: d.n, d: d.d, k: d.k }, "iris");
  }
  throw new InputError(`unknown data preset "${name}" (known: ${Object.keys(PRESETS).join(", ")})`);
}

/** Numbers of a certificate as the page shows them (SPEC §1.4). */
export interface CertificateView {
  loss: number;
  gradNorm: number;
  inertia: { neg: number; zero: number; pos: number };
  tolerance: number;
  gap: { largestZero: number | null; smallestNonzero: number | null };
  clear: boolean;
  converged: boolean;
  reason: string;
  iterations: number;
  eigenvalues: number[];
}

function view(c: Certificate): CertificateView {
  return {
    loss: c.loss, gradNorm: c.gradNorm, inertia: { neg: c.inertia.neg, zero: c.inertia.zero, pos: c.inertia.pos },
    tolerance: c.inertia.tolerance, gap: { largestZero: c.inertia.gap.largestZero, smallestNonzero: c.inertia.gap.smallestNonzero },
    clear: c.inertia.clear, converged: c.converged, reason: c.reason, iterations: c.iterations, eigenvalues: Array.from(c.eigenvalues),
  };
}

/** What the page draws of a net: the output function (1-D: a curve over the inputs' range; else per-sample outputs). */
export interface OutputView {
  x: number[];
  y: number[];
}

/** A split's live readout: max |Δf| on the data and on the plotting grid, measured and predicted inertia (SPEC §2.9). */
export interface SplitView {
  widths: number[];
  alpha: number;
  maxOutputChange: number;
  cert: CertificateView;
  predicted: { neg: number; zero: number; pos: number } | null;
  predictionNote?: string;
  matches: boolean | null;
  output: OutputView;
}

/** The session: current data, net (the "narrow" point), training history, certificate and the last wide net. */
export class ExploreSession {
  data: Dataset;
  settings: Settings;
  net: Net;
  history: TrainPoint[] = [];
  private state: TrainState | undefined;
  cert: Certificate | null = null;
  wide: Net | null = null;

  constructor(settings: Settings = DEFAULT_SETTINGS, private readonly irisCsv?: string, data?: Dataset) {
    this.settings = { ...settings, arch: [...settings.arch] };
    this.data = data ?? presetData(settings.data, irisCsv);
    this.net = this.freshNet();
  }

  /** A PyTorch-default-initialised net of the current settings (seeded). */
  private freshNet(): Net {
    const s = this.settings;
    const arch = makeArch(s.arch, parseActivationName(s.act), s.loss);
    if (s.arch[0] !== this.data.d || s.arch[s.arch.length - 1] !== this.data.k) {
      throw new InputError(`the net ${s.arch.join("-")} does not fit the data (${this.data.d} inputs, ${this.data.k} outputs)`);
    }
    return initNet(arch, { seed: s.seed });
  }

  /** New settings (and data when the preset changed): a fresh net, history cleared. */
  configure(s: Settings, data?: Dataset): void {
    this.settings = { ...s, arch: [...s.arch] };
    if (data) this.data = data;
    else this.data = presetData(s.data, this.irisCsv);
    this.reset();
  }

  /** Uploaded CSV data (header x1..xd, y1..yk): the net's input and output widths follow the data. */
  useCsv(text: string): void {
    const d = parseDataCsv(text, "upload");
    const arch = [d.d, ...this.settings.arch.slice(1, -1), d.k];
    this.configure({ ...this.settings, data: "csv", arch }, d);
  }

  reset(): void {
    this.net = this.freshNet();
    this.history = [];
    this.state = undefined;
    this.cert = null;
    this.wide = null;
  }

  /** Train `steps` more steps with the settings' optimizer (resumable: chunks add up to one run, bit for bit). */
  trainSteps(steps: number): { step: number; loss: number; gradNorm: number } {
    const s = this.settings;
    const r = train(this.net, this.data, { optimizer: s.optimizer, lr: s.lr, steps, resume: this.state, recordEvery: Math.max(1, Math.floor(steps / 20)) });
    this.net = r.net;
    this.state = r.state;
    const offset = this.history.length && this.history[this.history.length - 1].step === r.history[0]?.step ? 1 : 0;
    this.history.push(...r.history.slice(offset));
    this.cert = null;
    const last = r.history[r.history.length - 1];
    return { step: r.state.step, loss: last.loss, gradNorm: last.gradNorm };
  }

  /** Steps trained so far. */
  get step(): number {
    return this.state?.step ?? 0;
  }

  /** The library's refinement to a critical point and its certificate (SPEC §1.4). */
  refine(): CertificateView {
    this.cert = refineCritical(this.net, this.data, { tol: 1e-12 });
    this.net = this.cert.net;
    return view(this.cert);
  }

  /** The certificate of the net as it is (no refinement). */
  certify(): CertificateView {
    return view(certificate(this.net, this.data));
  }

  /** The output function on a plotting grid (1-D inputs) or on the data (otherwise). */
  output(net: Net = this.net): OutputView {
    if (this.data.d === 1) {
      let lo = Infinity, hi = -Infinity;
      for (const v of this.data.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const N = 121, pad = 0.1 * (hi - lo || 1);
      const xs = Array.from({ length: N }, (_, i) => lo - pad + ((hi - lo + 2 * pad) * i) / (N - 1));
      const f = outputsAt(net, Float64Array.from(xs), N);
      return { x: xs, y: Array.from({ length: N }, (_, i) => f[i * net.arch.widths[net.arch.widths.length - 1]]) };
    }
    const f = new Evaluator(net.arch, this.data).outputs(net.theta);
    const k = this.data.k;
    return { x: Array.from({ length: this.data.n }, (_, i) => this.data.y[i * k]), y: Array.from({ length: this.data.n }, (_, i) => f[i * k]) };
  }

  /**
   * Split neuron `neuron` of hidden layer `layer` (1-based) with ratio α (SPEC §2.2): the wide net's outputs equal
   * the narrow one's (max |Δf| on the data and a plotting grid), its inertia is measured and compared with §2.9.
   */
  split(layer: number, neuron: number, alpha: number): SplitView {
    return this.embedView(oneStepEmbedding(this.net.arch.widths, layer, neuron, alpha), alpha);
  }

  /** Add a null neuron to hidden layer `layer` (SPEC §3.2). */
  nullNeuron(layer: number): SplitView {
    return this.embedView(nullEmbedding(this.net.arch.widths, layer), NaN);
  }

  private embedView(e: ReturnType<typeof oneStepEmbedding>, alpha: number): SplitView {
    const wide = applyEmbedding(this.net, e);
    this.wide = wide;
    const narrowOut = new Evaluator(this.net.arch, this.data).outputs(this.net.theta);
    const wideOut = new Evaluator(wide.arch, this.data).outputs(wide.theta);
    let d = 0;
    for (let i = 0; i < narrowOut.length; i++) d = Math.max(d, Math.abs(narrowOut[i] - wideOut[i]));
    const g1 = this.output(this.net), g2 = this.output(wide);
    for (let i = 0; i < g1.y.length; i++) d = Math.max(d, Math.abs(g1.y[i] - g2.y[i]));
    const cw = certificate(wide, this.data);
    const narrow = this.cert ?? certificate(this.net, this.data);
    const pr = predictEmbeddingInertia(this.net, this.data, e, narrow.inertia, cw.inertia.tolerance);
    const predicted = pr.predicted ? { neg: pr.predicted.neg, zero: pr.predicted.zero, pos: pr.predicted.pos } : null;
    const matches = predicted ? predicted.neg === cw.inertia.neg && predicted.zero === cw.inertia.zero && predicted.pos === cw.inertia.pos : null;
    return { widths: [...wide.arch.widths], alpha, maxOutputChange: d, cert: view(cw), predicted, predictionNote: pr.reason, matches, output: g2 };
  }

  /** Keep the last wide net as the current point (to refine it, escape from it, split again). */
  adoptWide(): void {
    if (!this.wide) throw new InputError("no wide net yet: split a neuron first");
    this.net = this.wide;
    this.settings = { ...this.settings, arch: [...this.wide.arch.widths] };
    this.wide = null;
    this.cert = null;
    this.state = undefined;
  }

  /**
   * Escape a saddle along its `index`-th most negative Hessian eigenvector (SPEC §1.4): θ ± step·u, then
   * `descent` Adam steps and refinement to the critical point it reaches. Refuses at a point with no negative
   * eigenvalue (nothing to escape along).
   */
  escape(index = 0, sign: 1 | -1 = 1, step = 0.1, descent = 2000): { before: CertificateView; after: CertificateView; eigenvalue: number } {
    const ev = new Evaluator(this.net.arch, this.data);
    const { values, vectors } = eigenSystem(ev.hessian(this.net.theta), ev.P);
    const before = this.cert ? view(this.cert) : this.certify();
    if (!(values[index] < -before.tolerance)) throw new InputError(`eigenvalue ${index + 1} is ${values[index].toExponential(3)}: not a negative-curvature direction (the point is not a saddle along it)`);
    const u = vectors.subarray(index * ev.P, (index + 1) * ev.P);
    const th = this.net.theta.map((x, i) => x + sign * step * u[i]);
    const r = train(createNet(this.net.arch, th), this.data, { optimizer: "adam", lr: this.settings.lr, steps: descent });
    this.net = r.net;
    this.state = undefined;
    const after = this.refine();
    return { before, after, eigenvalue: values[index] };
  }

  /** Orientation–amplitude of every neuron of hidden layer 1 and its similarity groups (SPEC §7 E3, §10 item 3). */
  condense(threshold = 0.9): { angle: number[]; amplitude: number[]; group: number[]; groups: number } {
    const c = condensation(this.net, { threshold })[0];
    const group = new Array<number>(c.width).fill(-1);
    c.groups.forEach((g, gi) => { for (const j of g.members) group[j] = gi; });
    return { angle: c.angle, amplitude: c.amplitude, group, groups: c.groups.length };
  }

  /** Merge condensed neurons back into a narrow net (SPEC §10 item 3) and show the output change. */
  merge(threshold = 0.9): { widthBefore: number; widthAfter: number; outputMaxDiff: number; lossBefore: number; lossAfter: number; output: OutputView } {
    const r = pruneNet(this.net, this.data, { threshold });
    this.net = r.net;
    this.settings = { ...this.settings, arch: [...r.net.arch.widths] };
    this.cert = null;
    this.state = undefined;
    return { widthBefore: r.widthBefore, widthAfter: r.widthAfter, outputMaxDiff: r.outputMaxDiff, lossBefore: r.lossBefore, lossAfter: r.lossAfter, output: this.output() };
  }

  /** The current net as JSON or safetensors bytes (PyTorch key names). */
  exportNet(format: "json" | "safetensors"): string | Uint8Array {
    return format === "json" ? netToJson(this.net) : netToSafetensors(this.net);
  }

  /** Load a net file (JSON or safetensors) that fits the data. */
  importNet(name: string, bytes: Uint8Array): void {
    const net = name.toLowerCase().endsWith(".json") ? netFromJson(new TextDecoder().decode(bytes), name) : netFromSafetensors(bytes, name);
    const w = net.arch.widths;
    if (w[0] !== this.data.d || w[w.length - 1] !== this.data.k) throw new InputError(`${name}: the net ${w.join("-")} does not fit the data (${this.data.d} inputs, ${this.data.k} outputs)`);
    this.settings = { ...this.settings, arch: [...w], act: net.arch.activation, loss: net.arch.loss as Settings["loss"] };
    this.net = net;
    this.history = [];
    this.state = undefined;
    this.cert = null;
  }

  /** The data as the page draws them. */
  dataView(): { x: number[]; y: number[]; d: number; k: number; n: number } {
    const { n, d, k } = this.data;
    return { n, d, k, x: Array.from({ length: n }, (_, i) => this.data.x[i * d]), y: Array.from({ length: n }, (_, i) => this.data.y[i * k]) };
  }

  /** Replace the target of data point i (editable points; 1-D, one output). */
  editPoint(i: number, y: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.data.n) || !Number.isFinite(y)) throw new InputError(`no data point ${i} or bad value ${y}`);
    const yy = Float64Array.from(this.data.y);
    yy[i * this.data.k] = y;
    this.data = { ...this.data, y: yy, name: "edited" };
    this.settings = { ...this.settings, data: "edited" };
    this.cert = null;
  }
}

function outputsAt(net: Net, x: Float64Array, n: number): Float64Array {
  const k = net.arch.widths[net.arch.widths.length - 1];
  return Float64Array.from(new Evaluator(net.arch, makeDataset(x, new Float64Array(n * k), { n, d: net.arch.widths[0], k })).outputs(net.theta));
}

/** Replay the actions of a link on a session (train uses the settings' step count; `atlas` leaves the session as it is). */
export function replay(session: ExploreSession, run: ReadonlyArray<{ kind: string; [k: string]: unknown }>): void {
  for (const a of run) {
    if (a.kind === "train") session.trainSteps(session.settings.steps);
    else if (a.kind === "refine") session.refine();
    else if (a.kind === "split") session.split(a.layer as number, a.neuron as number, a.alpha as number);
    else if (a.kind === "null") session.nullNeuron(a.layer as number);
    else if (a.kind === "adopt") session.adoptWide();
    else if (a.kind === "escape") session.escape(a.index as number, a.sign as 1 | -1);
    else if (a.kind === "merge") session.merge(a.threshold as number);
    else if (a.kind === "atlas") continue; // computed by the atlas worker; it does not change the session
    else throw new InputError(`unknown action "${a.kind}"`);
  }
}
