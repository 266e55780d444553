import { createHash } from "node:crypto";
import { kAlpha, kCopyIncrement, predictEmbeddingInertia } from "../analysis/predict.js";
import { addInertia } from "../linalg/inertia.js";
import type { ActivationName } from "../nn/activations.js";
import type { LossName } from "../nn/losses.js";
import { neuronMatrices } from "../analysis/quantities.js";
import type { Dataset } from "../data/dataset.js";
import { applyEmbedding } from "../embed/apply.js";
import { embeddingToJson, multiStepEmbedding, nullEmbedding, splitEmbedding, type EmbedStep, type Embedding } from "../embed/embedding.js";
import { eigenSystem, eigenvalues, type Inertia } from "../linalg/inertia.js";
import { createNet, initNet, layerViews, makeArch, type Arch, type Net } from "../nn/arch.js";
import { Evaluator } from "../nn/evaluator.js";
import { train } from "../optim/train.js";
import { InputError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { canonicalForm, type CanonicalForm } from "./canonical.js";
import { certify, solveCritical, type SolvedPoint } from "./solver.js";
import { deflatedSolve } from "./deflation.js";

/** Where a critical point came from (issue 15 §1). */
export type Source = "train" | "random" | "embed" | "descent";
export const SOURCES: readonly Source[] = ["train", "random", "embed", "descent"];

/**
 * Everything that fixes an atlas sweep. Stored in the database (`meta.settings`); `--resume` refuses a database
 * written with different settings.
 */
export interface AtlasSettings {
  /** Data spec as `loadDataset` reads it (e.g. grid:cos2x:20) — the data themselves are stored too. */
  data: string;
  /** Architecture template with one `{m}` hidden width, e.g. 1-{m}-1. */
  template: string;
  widths: number[];
  activation: ActivationName;
  loss: LossName;
  /** Seeds per width for each of the `train` and `random` sources. */
  seeds: number;
  sources: Source[];
  train: { optimizers: Array<"adam" | "gd">; scales: number[]; steps: number; lrAdam: number; lrGd: number };
  random: { scales: number[] };
  /** α grid of one-step splits (SPEC §2.2): α < 0 and α > 1 included. */
  embed: { alphas: number[] };
  /** Step ε along ± each negative-curvature eigenvector (at most `maxDirections`), then Adam and the solver. */
  descent: { eps: number; steps: number; lr: number; maxDirections: number };
  solver: { tol: number; maxIter: number };
  /** ‖∇R‖ ≤ gradTol: critical; ≤ degenerateTol with a singular Hessian: kept, marked degenerate with the evidence. */
  critical: { gradTol: number; degenerateTol: number };
  reduction: { tolerance: number };
  match: { tolerance: number; lossTolerance: number };
  /** Deflate the `random` source against every symmetry copy of the sets `train` found at the same width. */
  deflation: boolean;
}

export function defaultSettings(over: Partial<AtlasSettings> & Pick<AtlasSettings, "data" | "widths">): AtlasSettings {
  return {
    template: "1-{m}-1", activation: "tanh", loss: "mse", seeds: 8, sources: [...SOURCES],
    train: { optimizers: ["adam", "gd"], scales: [0.3, 1, 2], steps: 2000, lrAdam: 1e-2, lrGd: 0.05 },
    random: { scales: [1, 2, 3] },
    embed: { alphas: [-1, -0.5, 0.25, 0.5, 0.75, 1.5, 2] },
    descent: { eps: 0.05, steps: 3000, lr: 1e-2, maxDirections: 3 },
    solver: { tol: 1e-14, maxIter: 150 },
    critical: { gradTol: 1e-10, degenerateTol: 1e-6 },
    reduction: { tolerance: 1e-6 },
    match: { tolerance: 1e-5, lossTolerance: 1e-9 },
    deflation: false,
    ...over,
  };
}

/** Widths of width m under a template "a-{m}-b" (exactly one `{m}`); returns the widths and the `{m}` layer index. */
export function templateWidths(template: string, m: number): { widths: number[]; layer: number } {
  const parts = template.split("-");
  const at = parts.flatMap((p, i) => (p.trim() === "{m}" ? [i] : []));
  if (at.length !== 1) throw new InputError(`--template needs exactly one {m} hidden width, like 1-{m}-1 (got "${template.slice(0, 60)}")`);
  if (at[0] === 0 || at[0] === parts.length - 1) throw new InputError(`--template: {m} must be a hidden layer, not the input or output (got "${template.slice(0, 60)}")`);
  const widths = parts.map((p) => (p.trim() === "{m}" ? m : Number(p)));
  if (widths.some((w) => !Number.isInteger(w) || w < 1)) throw new InputError(`--template "${template.slice(0, 60)}" is not a list of positive widths with one {m}`);
  return { widths, layer: at[0] };
}

export function archFor(s: AtlasSettings, m: number): Arch {
  return makeArch(templateWidths(s.template, m).widths, s.activation, s.loss);
}

/**
 * One unit of work: a pure function of (width, source, seed, params) plus, for `embed` and `descent`, the
 * stored set it starts from (`input`, whose id is part of `params`). The key is deterministic: a finished cell is
 * never run again by `--resume`, and a sweep runner can schedule cells anywhere.
 */
export interface AtlasCell {
  width: number;
  source: Source;
  seed: number;
  params: Record<string, unknown>;
}

export interface CellInput {
  setId: number;
  widths: number[];
  theta: number[];
  /** Deflated random cells: the known critical points (every symmetry copy) to deflate. */
  known?: number[][];
}

export interface CellTask {
  cell: AtlasCell;
  settings: AtlasSettings;
  data: { n: number; d: number; k: number; x: Float64Array; y: Float64Array };
  input?: CellInput;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

/** Deterministic key: readable prefix + SHA-256 of the canonical JSON of the cell. */
export function cellKey(c: AtlasCell): string {
  const h = createHash("sha256").update(stable(c)).digest("hex").slice(0, 16);
  return `w${c.width}/${c.source}/s${c.seed}/${h}`;
}

/** What a cell found at one point. */
export interface PointResult {
  widths: number[];
  theta: Float64Array;
  loss: number;
  gradNorm: number;
  inertia: Inertia;
  tau: number;
  gap: number;
  eigenvalues: Float64Array;
  converged: boolean;
  iterations: number;
  reason: string;
  status: "critical" | "degenerate" | "not-critical";
  /** Evidence for a degenerate point (the solver's account and the smallest |λ|). */
  evidence?: Record<string, unknown>;
  canonical?: Omit<CanonicalForm, "theta"> & { theta: Float64Array };
  origin: PointOrigin;
}

export type PointOrigin =
  | { kind: "train"; optimizer: string; scale: number; steps: number; trainLoss: number }
  | { kind: "random"; scale: number; deflated?: { iterations: number; gradNorm: number } }
  | {
    kind: "embed"; parent: number; label: string; embedding: ReturnType<typeof embeddingToJson>;
    predicted: Inertia | null; predictReason?: string; agree: boolean | null; explanation?: string; outputChange: number;
  }
  | { kind: "descent"; saddle: number; direction: number; sign: 1 | -1; eigenvalue: number; eps: number };

export interface CellResult {
  key: string;
  points: PointResult[];
  seconds: number;
}

/** The cell → result function (runs in a worker thread; pure: same task, same result). */
export function runCell(task: CellTask): CellResult {
  const t0 = performance.now();
  const { cell, settings: s } = task;
  const data: Dataset = { n: task.data.n, d: task.data.d, k: task.data.k, x: task.data.x, y: task.data.y };
  const arch = archFor(s, cell.width);
  const points: PointResult[] = [];
  switch (cell.source) {
    case "train": {
      const p = cell.params as { optimizer: "adam" | "gd"; scale: number };
      const start = initNet(arch, { seed: cell.seed, scheme: "pytorch", scale: p.scale });
      const tr = train(start, data, { optimizer: p.optimizer, lr: p.optimizer === "adam" ? s.train.lrAdam : s.train.lrGd, steps: s.train.steps, recordEvery: s.train.steps });
      const last = tr.history[tr.history.length - 1];
      points.push(classify(solveCritical(tr.net, data, s.solver), arch, data, s, { kind: "train", optimizer: p.optimizer, scale: p.scale, steps: s.train.steps, trainLoss: last?.loss ?? NaN }));
      break;
    }
    case "random": {
      const p = cell.params as { scale: number };
      const rng = new Rng(cell.seed ^ 0x5eed);
      const net = createNet(arch);
      for (let i = 0; i < net.theta.length; i++) net.theta[i] = rng.range(-p.scale, p.scale);
      let start = net, deflated: { iterations: number; gradNorm: number } | undefined;
      if (task.input?.known?.length) {
        const d = deflatedSolve(net, data, task.input.known.map((k) => Float64Array.from(k)), { maxIter: s.solver.maxIter });
        start = createNet(arch, d.theta);
        deflated = { iterations: d.iterations, gradNorm: d.gradNorm };
      }
      points.push(classify(solveCritical(start, data, s.solver), arch, data, s, { kind: "random", scale: p.scale, ...(deflated ? { deflated } : {}) }));
      break;
    }
    case "embed": {
      const inp = requireInput(task);
      const parentArch = makeArch(inp.widths, s.activation, s.loss);
      // polish the stored representative as far as float64 allows (Newton steps until ‖∇R‖ stops falling), so that
      // the α-direction zeros of the embedded point are not lifted above τ by the parent's residual gradient
      const stored = createNet(parentArch, inp.theta);
      const polished = solveCritical(stored, data, { tol: 0, maxIter: 20 });
      const pc = polished.gradNorm < certify(stored, data).gradNorm ? polished : certify(stored, data);
      const parent = createNet(parentArch, pc.theta);
      const layer = templateWidths(s.template, 1).layer;
      for (const { label, e, split } of embeddingsFor(parent, layer, cell.width, s.embed.alphas)) {
        const wide = applyEmbedding(parent, e);
        const sp = certify(wide, data);
        let pred = predictEmbeddingInertia(parent, data, e, pc.inertia, sp.tau);
        if (!pred.predicted && split && parent.arch.widths[layer + 1] === 1) {
          // scalar next layer: the k-copy formula In(B_β ⊗ M) + (0, k−1, 0) needs no order of one-step splits
          const nm = neuronMatrices(parent, data, layer, split.neuron);
          pred = { predicted: addInertia(pc.inertia, kCopyIncrement(nm.M, nm.p, split.ratios, sp.tau)), steps: [] };
        }
        if (pc.gradNorm > s.critical.gradTol) pred = { predicted: null, steps: [], reason: `the parent is critical only to ‖∇R‖ = ${pc.gradNorm.toExponential(2)} (a degenerate set): §2.9 assumes an exact critical point` };
        const agree = pred.predicted ? sameInertia(pred.predicted, sp.inertia) : null;
        let explanation: string | undefined;
        if (agree === false) {
          explanation = explainMismatch(pred.predicted!, sp, pc);
          if (explanation.startsWith("unexplained") && split) {
            // the increment's own matrix: K_α (one-step) or M (k-copy split), whose eigenvalue signs §2.9 counts
            const nm = neuronMatrices(parent, data, layer, split.neuron);
            const ev = split.ratios.length === 2 ? eigenvalues(kAlpha(nm, split.ratios[1]).K, kAlpha(nm, split.ratios[1]).size) : eigenvalues(Float64Array.from(nm.M), nm.p);
            const small = Array.from(ev).map(Math.abs).filter((x) => x > sp.tau).sort((a, b) => a - b)[0];
            if (small !== undefined && small < 1e3 * sp.tau) explanation = `the §2.9 increment matrix has an eigenvalue of size ${small.toExponential(2)}, within 1e3·τ (τ = ${sp.tau.toExponential(2)}): Sylvester's law fixes its sign, not its size, so in the wide Hessian it is indistinguishable from zero`;
          }
        }
        else if (agree === null) explanation = pred.reason;
        const fw = new Evaluator(wide.arch, data).outputs(wide.theta), fn = new Evaluator(parent.arch, data).outputs(parent.theta);
        let change = 0;
        for (let i = 0; i < fw.length; i++) change = Math.max(change, Math.abs(fw[i] - fn[i]));
        points.push(classify(sp, wide.arch, data, s, {
          kind: "embed", parent: inp.setId, label, embedding: embeddingToJson(e),
          predicted: pred.predicted, predictReason: pred.reason, agree, explanation, outputChange: change,
        }));
      }
      break;
    }
    case "descent": {
      const inp = requireInput(task);
      const saddle = createNet(arch, inp.theta);
      const ev = new Evaluator(arch, data);
      const H = ev.hessian(saddle.theta);
      const { values, vectors } = eigenSystem(H, ev.P);
      const tau = certify(saddle, data).tau;
      const P = ev.P;
      for (let i = 0; i < Math.min(P, s.descent.maxDirections); i++) {
        if (!(values[i] < -tau)) break;
        for (const sign of [1, -1] as const) {
          const start = createNet(arch, saddle.theta.map((t, j) => t + sign * s.descent.eps * vectors[i * P + j]));
          const tr = train(start, data, { optimizer: "adam", lr: s.descent.lr, steps: s.descent.steps, recordEvery: s.descent.steps });
          points.push(classify(solveCritical(tr.net, data, s.solver), arch, data, s, { kind: "descent", saddle: inp.setId, direction: i, sign, eigenvalue: values[i], eps: s.descent.eps }));
        }
      }
      break;
    }
  }
  return { key: cellKey(cell), points, seconds: (performance.now() - t0) / 1e3 };
}

/**
 * Why a measured inertia differs from the §2.9 prediction: (a) the gap ratio around τ is small (the count hinges on
 * τ), the parent's inertia itself is not clear-cut, or (b) the parent is critical only to ‖∇R‖ = g, which moves exact zeros of the embedded Hessian by O(g): with
 * τ' = max(τ, 1e3·g·(1 + max|θ|)) the counts agree. Anything else is reported as unexplained (a defect).
 */
export function explainMismatch(predicted: Inertia, sp: SolvedPoint, parent: SolvedPoint): string {
  const parentGrad = parent.gradNorm;
  let big = 0;
  for (const t of sp.theta) big = Math.max(big, Math.abs(t));
  const tau2 = Math.max(sp.tau, 1e3 * (parentGrad + sp.gradNorm) * (1 + big));
  const re = { neg: 0, zero: 0, pos: 0 };
  for (const l of sp.eigenvalues) { if (Math.abs(l) <= tau2) re.zero++; else if (l < 0) re.neg++; else re.pos++; }
  // τ = c·‖H‖·P·ε grows with P: a parent eigenvalue between τ_parent and τ_wide changes class on the way
  const pr = { neg: 0, zero: 0, pos: 0 };
  for (const l of parent.eigenvalues) { if (Math.abs(l) <= sp.tau) pr.zero++; else if (l < 0) pr.neg++; else pr.pos++; }
  const shifted = { neg: predicted.neg + pr.neg - parent.inertia.neg, zero: predicted.zero + pr.zero - parent.inertia.zero, pos: predicted.pos + pr.pos - parent.inertia.pos };
  if (!sameInertia(pr, parent.inertia) && sameInertia(shifted, sp.inertia)) return `the parent has an eigenvalue between its τ = ${parent.tau.toExponential(2)} and the wide net's τ = ${sp.tau.toExponential(2)} (τ grows with P): counted at the wide τ, the prediction equals the measured inertia`;
  if (sameInertia(re, predicted)) return `residual gradient: the parent has ‖∇R‖ = ${parentGrad.toExponential(2)}, which lifts exact zeros above τ = ${sp.tau.toExponential(2)}; with τ' = ${tau2.toExponential(2)} the measured inertia equals the prediction`;
  if (parent.gap < 1e3) return `the parent's own inertia is not clear-cut (gap ratio ${parent.gap.toExponential(2)} < 1e3 at τ = ${parent.tau.toExponential(2)}), and the prediction adds to it${sp.gap < 1e3 ? `; here the gap ratio is ${sp.gap.toExponential(2)}` : ""}`;
  const near = [...Array.from(sp.eigenvalues).map((l) => ({ l, t: sp.tau, who: "wide" })), ...Array.from(parent.eigenvalues).map((l) => ({ l, t: parent.tau, who: "parent" }))]
    .find(({ l, t }) => Math.abs(l) >= t / 10 && Math.abs(l) <= 10 * t);
  if (near) return `the ${near.who} Hessian has an eigenvalue ${near.l.toExponential(2)} within a factor 10 of its τ = ${near.t.toExponential(2)}: which side of τ it falls on is rounding, not structure`;
  if (sp.gap < 1e3) return `spectral gap ratio ${sp.gap.toExponential(2)} < 1e3: the count hinges on τ = ${sp.tau.toExponential(2)}`;
  return `unexplained: gap ratio ${sp.gap.toExponential(2)} is clear and τ' = ${tau2.toExponential(2)} does not reconcile the counts (a defect to report)`;
}

function requireInput(task: CellTask): CellInput {
  if (!task.input) throw new Error(`cell ${cellKey(task.cell)} needs the set it starts from`);
  return task.input;
}

function sameInertia(a: Inertia, b: Inertia): boolean {
  return a.neg === b.neg && a.zero === b.zero && a.pos === b.pos;
}

/** Critical (‖∇R‖ ≤ gradTol), degenerate (≤ degenerateTol with a singular Hessian; evidence kept) or not critical. */
export function classify(sp: SolvedPoint, arch: Arch, data: Dataset, s: AtlasSettings, origin: PointOrigin): PointResult {
  let status: PointResult["status"] = "not-critical";
  let evidence: PointResult["evidence"];
  if (sp.gradNorm <= s.critical.gradTol) status = "critical";
  else if (sp.gradNorm <= s.critical.degenerateTol && sp.inertia.zero > 0) {
    status = "degenerate";
    const small = Array.from(sp.eigenvalues).map(Math.abs).sort((a, b) => a - b).slice(0, sp.inertia.zero + 1);
    evidence = { gradNorm: sp.gradNorm, solverIterations: sp.iterations, solverReason: sp.reason, zeroEigenvalues: sp.inertia.zero, smallestAbsEigenvalues: small, tau: sp.tau };
  }
  const net = createNet(arch, sp.theta);
  const canonical = status === "not-critical" ? undefined : canonicalForm(net, data, s.reduction.tolerance);
  return {
    widths: [...arch.widths], theta: sp.theta, loss: sp.loss, gradNorm: sp.gradNorm, inertia: sp.inertia, tau: sp.tau, gap: sp.gap,
    eigenvalues: sp.eigenvalues, converged: sp.converged, iterations: sp.iterations, reason: sp.reason, status, evidence, canonical, origin,
  };
}

/**
 * The critical embeddings tried from a width-r set into width m = r + K (SPEC §2.2, §3.2), all in the `{m}` layer:
 * every neuron s with a non-zero outgoing column split into K + 1 copies with ratios (1 − α, α/K, …, α/K) for each α
 * of the grid (K = 1: the one-step T^α_{l,s}); for K ≥ 2 also the equal split 1/(K+1) and, for r ≥ 2, one-step splits
 * of two different neurons with the same α ∈ {½, −½, 3/2} (then K − 2 null neurons); K null neurons; and for K ≥ 2 a
 * split (α = ½) of the first neuron followed by K − 1 null neurons.
 */
export function embeddingsFor(parent: Net, layer: number, m: number, alphas: readonly number[]): Array<{ label: string; e: Embedding; split?: { neuron: number; ratios: number[] } }> {
  const widths = parent.arch.widths, r = widths[layer], K = m - r;
  if (K < 1) throw new InputError(`cannot embed width ${r} into width ${m}`);
  const views = layerViews(widths, parent.theta), next = views[layer];
  let big = 0;
  for (const t of parent.theta) big = Math.max(big, Math.abs(t));
  big = 1 + big;
  // a split of a neuron with a (numerically) zero outgoing column only moves along the null family: skip it
  const live = (s: number): boolean => { for (let i = 0; i < next.rows; i++) if (Math.abs(next.W[i * r + s - 1]) > 1e-8 * big) return true; return false; };
  const out: Array<{ label: string; e: Embedding; split?: { neuron: number; ratios: number[] } }> = [];
  const nulls = (n: number): EmbedStep[] => Array.from({ length: n }, () => ({ kind: "null", layer }) as EmbedStep);
  for (let s = 1; s <= r; s++) {
    if (!live(s)) continue;
    for (const a of alphas) {
      const ratios = [1 - a, ...new Array<number>(K).fill(a / K)];
      out.push({ label: K === 1 ? `split n${s} α=${a}` : `split n${s} into ${K + 1}, (1−α, α/${K}…) α=${a}`, e: splitEmbedding(widths, layer, s, ratios), split: { neuron: s, ratios } });
    }
    if (K >= 2) {
      const ratios = new Array<number>(K + 1).fill(1 / (K + 1));
      out.push({ label: `split n${s} equally into ${K + 1}`, e: splitEmbedding(widths, layer, s, ratios), split: { neuron: s, ratios } });
    }
  }
  if (K >= 2 && r >= 2) {
    for (let s = 1; s <= r; s++) for (let t = s + 1; t <= r; t++) {
      if (!live(s) || !live(t)) continue;
      for (const a of [0.5, -0.5, 1.5]) {
        out.push({ label: `split n${s} and n${t}, α=${a}${K > 2 ? ` + ${K - 2} null` : ""}`, e: multiStepEmbedding(widths, [
          { kind: "one-step", layer, neuron: s, alpha: a }, { kind: "one-step", layer, neuron: t, alpha: a }, ...nulls(K - 2)]) });
      }
    }
  }
  out.push({ label: `${K} null neuron${K > 1 ? "s" : ""}`, e: K === 1 ? nullEmbedding(widths, layer) : multiStepEmbedding(widths, nulls(K)) });
  if (K >= 2 && live(1)) out.push({ label: `split n1 α=0.5 + ${K - 1} null`, e: multiStepEmbedding(widths, [{ kind: "one-step", layer, neuron: 1, alpha: 0.5 }, ...nulls(K - 1)]) });
  return out;
}

/** The `train` cells of one width: `seeds` of them, init scale and optimizer cycling through the settings. */
export function trainCells(s: AtlasSettings, width: number): AtlasCell[] {
  if (!s.sources.includes("train")) return [];
  const no = s.train.optimizers.length;
  return Array.from({ length: s.seeds }, (_, seed) => ({ width, source: "train" as const, seed, params: { optimizer: s.train.optimizers[seed % no], scale: s.train.scales[Math.floor(seed / no) % s.train.scales.length] } }));
}

/** The `random` cells of one width (with deflation: the ids of the sets deflated, so the key says so). */
export function randomCells(s: AtlasSettings, width: number, deflatedAgainst?: number[]): AtlasCell[] {
  if (!s.sources.includes("random")) return [];
  return Array.from({ length: s.seeds }, (_, seed) => ({ width, source: "random" as const, seed, params: { scale: s.random.scales[seed % s.random.scales.length], ...(deflatedAgainst ? { deflatedAgainst } : {}) } }));
}

/** The train and random cells of one width (no deflation). */
export function seedCells(s: AtlasSettings, width: number): AtlasCell[] {
  return [...trainCells(s, width), ...randomCells(s, width)];
}
