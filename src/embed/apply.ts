import { activation } from "../nn/activations.js";
import { createNet, layout, makeArch, type Arch, type Net } from "../nn/arch.js";
import { InputError } from "../util/errors.js";
import { validateEmbedding, wideWidths, type Embedding } from "./embedding.js";

/** Options for applying an embedding with null neurons. */
export interface ApplyOptions {
  /**
   * Allow null neurons when σ(0) ≠ 0 (default false → InputError). Such a neuron outputs the constant σ(0) but
   * has zero outgoing weights, so the output is preserved everywhere, and because every layer has a bias its
   * outgoing gradient is σ(0)·∇_{b^[l+1]}R, zero at a critical point: criticality is preserved (SPEC §3.2).
   * The representation claim f' = Vf and the null-neuron inertia prediction of §2.9 need σ(0) = 0.
   */
  allowShiftedNull?: boolean;
}

/** The wide architecture of an embedding applied to `arch` (same activation and loss). */
export function wideArch(arch: Arch, e: Embedding): Arch {
  checkMatches(arch.widths, e);
  return makeArch(wideWidths(e), arch.activation, arch.loss);
}

function checkMatches(widths: readonly number[], e: Embedding): void {
  if (widths.length !== e.narrow.length || widths.some((m, i) => m !== e.narrow[i])) {
    throw new InputError(`embedding is for widths ${e.narrow.join("-")} but the net has ${widths.join("-")}`);
  }
}

/** σ(0) of the activation, after checking null neurons are allowed. */
function nullFeature(arch: Arch, e: Embedding, opts: ApplyOptions): number {
  const hasNull = e.pi.some((p) => p.includes(0));
  const act = activation(arch.activation);
  const s0 = act.f(0);
  if (hasNull && s0 !== 0 && !opts.allowShiftedNull) {
    throw new InputError(`null neurons need σ(0) = 0 but ${arch.activation}(0) = ${s0}; pass allowShiftedNull (CLI --allow-shifted-null) to accept a constant-output null neuron`);
  }
  return hasNull ? s0 : 0;
}

/**
 * θ' = T_{π,β}θ by index arithmetic (SPEC §3.2, §10 item 1):
 * W'^[l]_{j,k} = β_{l−1,k}·W^[l]_{π_l(j),π_{l−1}(k)}, b'^[l]_j = b^[l]_{π_l(j)}, 0 on null rows/columns.
 * Linear in θ, so the same function is the map on tangent vectors (`embedVector`).
 */
export function embedVector(e: Embedding, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  validateEmbedding(e);
  const wide = wideWidths(e);
  const nl = layout(e.narrow), wl = layout(wide);
  if (theta.length !== nl.size) throw new InputError(`vector has ${theta.length} entries but widths ${e.narrow.join("-")} need ${nl.size}`);
  const res = out ?? new Float64Array(wl.size);
  const L = e.narrow.length - 1;
  for (let l = 1; l <= L; l++) {
    const N = nl.layers[l - 1], W = wl.layers[l - 1];
    const piRow = rowMap(e, l), piCol = rowMap(e, l - 1), betaCol = colRatio(e, l - 1);
    for (let j = 0; j < W.rows; j++) {
      const s = piRow(j);
      for (let k = 0; k < W.cols; k++) {
        const t = piCol(k);
        res[W.w + j * W.cols + k] = s === 0 || t === 0 ? 0 : betaCol(k) * theta[N.w + (s - 1) * N.cols + (t - 1)];
      }
      res[W.b + j] = s === 0 ? 0 : theta[N.b + s - 1];
    }
  }
  return res;
}

/** 1-based narrow index of wide neuron j (0-based) in layer l (identity for input/output layers). */
function rowMap(e: Embedding, l: number): (j: number) => number {
  const L = e.narrow.length - 1;
  if (l === 0 || l === L) return (j) => j + 1;
  const p = e.pi[l - 1];
  return (j) => p[j];
}

function colRatio(e: Embedding, l: number): (k: number) => number {
  const L = e.narrow.length - 1;
  if (l === 0 || l === L) return () => 1;
  const b = e.beta[l - 1];
  return (k) => b[k];
}

/** The wide net Tθ (SPEC §3.2), after checking the embedding fits the net and null neurons are allowed. */
export function applyEmbedding(net: Net, e: Embedding, opts: ApplyOptions = {}): Net {
  checkMatches(net.arch.widths, e);
  nullFeature(net.arch, e, opts);
  return createNet(wideArch(net.arch, e), embedVector(e, net.theta));
}

/**
 * The gradient map T̃ (SPEC §2.5, §3.4): ∇R_wide(Tθ) = T̃∇R(θ) for every θ, with
 * G'_W^[l] = U_l G_W^[l] V_{l−1}ᵀ and G'_b^[l] = U_l G_b^[l]. Entry (j,k) of layer l is β_{l,j}·G_W[π_l(j), π_{l−1}(k)];
 * a null neuron k of layer l−1 (constant feature σ(0)) gets column β_{l,j}·σ(0)·G_b[π_l(j)] (zero when σ(0) = 0).
 */
export function gradientMap(arch: Arch, e: Embedding, g: ArrayLike<number>, opts: ApplyOptions = {}): Float64Array {
  checkMatches(arch.widths, e);
  validateEmbedding(e);
  const s0 = nullFeature(arch, e, opts);
  const wide = wideWidths(e);
  const nl = layout(e.narrow), wl = layout(wide);
  if (g.length !== nl.size) throw new InputError(`gradient has ${g.length} entries, expected ${nl.size}`);
  const res = new Float64Array(wl.size);
  const L = e.narrow.length - 1;
  for (let l = 1; l <= L; l++) {
    const N = nl.layers[l - 1], W = wl.layers[l - 1];
    const piRow = rowMap(e, l), piCol = rowMap(e, l - 1), betaRow = colRatio(e, l);
    for (let j = 0; j < W.rows; j++) {
      const s = piRow(j);
      if (s === 0) continue; // null row: zero outgoing weights ⇒ zero gradient on its incoming weights and bias
      const bj = betaRow(j);
      for (let k = 0; k < W.cols; k++) {
        const t = piCol(k);
        res[W.w + j * W.cols + k] = t === 0 ? bj * s0 * g[N.b + s - 1] : bj * g[N.w + (s - 1) * N.cols + (t - 1)];
      }
      res[W.b + j] = bj * g[N.b + s - 1];
    }
  }
  return res;
}

/** Dense P'×P matrix of T (row-major), column i = T e_i. For checks on small nets only. */
export function embeddingMatrix(e: Embedding): { matrix: Float64Array; rows: number; cols: number } {
  const P = layout(e.narrow).size, Pw = layout(wideWidths(e)).size;
  const m = new Float64Array(Pw * P), unit = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    unit.fill(0); unit[i] = 1;
    const col = embedVector(e, unit);
    for (let r = 0; r < Pw; r++) m[r * P + i] = col[r];
  }
  return { matrix: m, rows: Pw, cols: P };
}

/** Dense P'×P matrix of the gradient map T̃ (row-major). For checks on small nets only. */
export function gradientMapMatrix(arch: Arch, e: Embedding, opts: ApplyOptions = {}): { matrix: Float64Array; rows: number; cols: number } {
  const P = layout(e.narrow).size, Pw = layout(wideWidths(e)).size;
  const m = new Float64Array(Pw * P), unit = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    unit.fill(0); unit[i] = 1;
    const col = gradientMap(arch, e, unit, opts);
    for (let r = 0; r < Pw; r++) m[r * P + i] = col[r];
  }
  return { matrix: m, rows: Pw, cols: P };
}

/**
 * A basis of the critical affine family {T_{π,β'}θ : β' with the same π} (SPEC §2.8, §3.3): for every narrow
 * neuron s of layer l with copies j_0 < j_1 < … and a non-zero outgoing column W^[l+1]_{:,s}, the direction
 * β' = β + t(e_{j_i} − e_{j_0}) moves wide column j_i of W'^[l+1] by +t·(copied column of s) and column j_0 by −t·(same).
 * Returns the wide-θ direction vectors; their number is Σ(|π_l⁻¹(s)| − 1) over neurons with non-zero outgoing column.
 */
export function affineFamilyBasis(e: Embedding, theta: ArrayLike<number>): Float64Array[] {
  validateEmbedding(e);
  const wide = wideWidths(e);
  const nl = layout(e.narrow), wl = layout(wide);
  if (theta.length !== nl.size) throw new InputError(`θ has ${theta.length} entries, expected ${nl.size}`);
  const basis: Float64Array[] = [];
  const L = e.narrow.length - 1;
  for (let l = 1; l < L; l++) {
    const N = nl.layers[l], W = wl.layers[l]; // layer l+1 blocks
    const piNext = rowMap(e, l + 1), pi = e.pi[l - 1];
    for (let s = 1; s <= e.narrow[l]; s++) {
      let colNorm = 0;
      for (let i = 0; i < N.rows; i++) colNorm += Math.abs(theta[N.w + i * N.cols + (s - 1)]);
      if (colNorm === 0) continue;
      const copies = pi.flatMap((t, j) => (t === s ? [j] : []));
      for (let c = 1; c < copies.length; c++) {
        const v = new Float64Array(wl.size);
        for (let i = 0; i < W.rows; i++) {
          const r = piNext(i);
          if (r === 0) continue;
          const x = theta[N.w + (r - 1) * N.cols + (s - 1)];
          v[W.w + i * W.cols + copies[c]] = x;
          v[W.w + i * W.cols + copies[0]] = -x;
        }
        basis.push(v);
      }
    }
  }
  return basis;
}
