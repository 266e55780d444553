import type { Dataset } from "../data/dataset.js";
import { getBackend } from "../linalg/backend.js";
import { symmetrizeInPlace } from "../linalg/dense.js";
import { InputError } from "../util/errors.js";
import { activation, type Activation } from "./activations.js";
import { layout, type Arch } from "./arch.js";
import { checkCompatible, Evaluator } from "./evaluator.js";
import { tanhFast } from "./fast-tanh.js";
import { loss as lossByName, type Loss } from "./losses.js";

/**
 * Fused whole-batch kernels for two-layer nets f(x) = V σ(Wx + b) + c (widths d-m-k, SPEC §1.1),
 * the same contract as `Evaluator` (P, loss, lossAndGradient, hvp, hessian) in pure TypeScript
 * with no backend call per layer: one pass over the samples computes, per sample i,
 *
 *   h_j = b_j + Σ_p W_jp x_ip,  a_j = σ(h_j),  f_o = c_o + Σ_j V_oj a_j,
 *   e = (1/n)∇_fℓ(f, y_i),  ∇_V += e aᵀ,  ∇_c += e,  z_j = Σ_o e_o V_oj,  δ_j = σ′(h_j) z_j,
 *   ∇_W += δ x_iᵀ,  ∇_b += δ                                                    (SPEC §1.2)
 *
 * so nothing of size n×m is re-read by a second pass. The R-op (HVP along u = (U, β, Υ, γ)) is fused
 * the same way: Rh = Ux + β, Ra = σ′Rh, Rf = Υa + V·Ra + γ, Re = (1/n)∇²ℓ·Rf,
 * (Hu)_V = Σ_i Re aᵀ + e Raᵀ, (Hu)_c = Σ_i Re, Rz = VᵀRe + Υᵀe, Rδ = σ″·Rh·z + σ′·Rz,
 * (Hu)_W = Σ_i Rδ xᵀ, (Hu)_b = Σ_i Rδ.
 *
 * The dense Hessian is assembled directly: H = (1/n)Σ_i J_iᵀ ∇²ℓ_i J_i + Σ_i Σ_o e_io ∇²f_o(x_i),
 * J_i the k×P output Jacobian (∂f_o/∂V_oj = a_j, ∂f_o/∂c_o = 1, ∂f_o/∂W_jp = V_oj σ′_j x_p,
 * ∂f_o/∂b_j = V_oj σ′_j) through one GEMM, and the only non-zero second derivatives of f_o, within
 * one neuron j: ∂²f_o/∂V_oj∂W_jp = σ′_j x_p, ∂²f_o/∂V_oj∂b_j = σ′_j, ∂²f_o/∂W_jp∂W_jq = V_oj σ″_j x_p x_q
 * (x_p → 1 for b_j).
 *
 * tanh uses `tanhFast` (≤ 3 ulp); other activations their scalar σ, σ′, σ″. Sums run in another
 * order than the Evaluator's GEMMs, so values agree to rounding: the tests hold loss, gradient, HVP
 * and Hessian to 1e-12 relative against the Evaluator, and to finite differences. Every call after
 * construction except `hessian` (its GEMM workspaces are allocated once too) is allocation-free.
 */
export class TinyEvaluator {
  readonly arch: Arch;
  readonly data: Dataset;
  readonly P: number;
  private readonly d: number;
  private readonly m: number;
  private readonly k: number;
  private readonly oB: number; // offset of b
  private readonly oV: number; // offset of V (k×m)
  private readonly oC: number; // offset of c
  private readonly isTanh: boolean;
  private readonly isMse: boolean;
  private readonly scalarTanhMse: boolean;
  private readonly act: Activation;
  private readonly lossFn: Loss;
  // cached forward/backward state at `cached` (for HVPs and the Hessian)
  private readonly A: Float64Array; // m×n   σ(h), neuron-major
  private readonly G1: Float64Array; // n×m  σ′(h)
  private readonly G2: Float64Array; // n×m  σ″(h)
  private readonly Zc: Float64Array; // n×m  z = Vᵀe
  private readonly F: Float64Array; // n×k   outputs
  private readonly E: Float64Array; // n×k   e = (1/n)∇ℓ
  private readonly grad: Float64Array;
  private readonly cached: Float64Array;
  private readonly scratch: Float64Array; // gradient sink of loss()
  private readonly SG: Float64Array; // n×k  per-sample ∇ℓ (sampleLossGradients)
  private cachedValid = false;
  private cachedLoss = NaN;
  // per-sample scratch
  private readonly sRh: Float64Array; // m
  private readonly sRa: Float64Array; // m
  private readonly sRf: Float64Array; // k
  private readonly sRe: Float64Array; // k
  private J: Float64Array | null = null; // nk×P Jacobian (hessian only)
  private MJ: Float64Array | null = null; // nk×P  blockdiag(∇²ℓ_i)·J

  constructor(arch: Arch, data: Dataset) {
    if (!TinyEvaluator.supports(arch)) throw new InputError(`the fused tiny-net kernels need a two-layer net (d-m-k), got ${arch.widths.join("-")}`);
    checkCompatible(arch, data);
    this.arch = arch;
    this.data = data;
    const [d, m, k] = arch.widths;
    this.d = d; this.m = m; this.k = k;
    const lay = layout(arch.widths);
    this.P = lay.size;
    this.oB = lay.layers[0].b; this.oV = lay.layers[1].w; this.oC = lay.layers[1].b;
    this.act = activation(arch.activation);
    this.lossFn = lossByName(arch.loss);
    this.isTanh = this.act.name === "tanh";
    this.isMse = this.lossFn.name === "mse";
    this.scalarTanhMse = this.isTanh && this.isMse && d === 1 && k === 1;
    const n = data.n;
    this.A = new Float64Array(n * m); this.G1 = new Float64Array(n * m); this.G2 = new Float64Array(n * m);
    this.Zc = new Float64Array(n * m); this.F = new Float64Array(n * k); this.E = new Float64Array(n * k);
    this.grad = new Float64Array(this.P); this.cached = new Float64Array(this.P); this.scratch = new Float64Array(this.P); this.SG = new Float64Array(n * k);
    this.sRh = new Float64Array(m); this.sRa = new Float64Array(m);
    this.sRf = new Float64Array(k); this.sRe = new Float64Array(k);
  }

  /** Number of samples n (the oracle contract's `n`). */
  get n(): number { return this.data.n; }
  /** Output dimension k. */
  get outputDim(): number { return this.k; }

  /** f_θ(x_i), n×k row-major (view, valid until the next call). */
  outputs(theta: Float64Array): Float64Array {
    this.loss(theta);
    return this.F;
  }

  /** ∇_fℓ(f_θ(x_i), y_i) per sample, n×k row-major, not divided by n (view, valid until the next call). */
  sampleLossGradients(theta: Float64Array): Float64Array {
    this.loss(theta);
    const n = this.data.n, k = this.k, F = this.F, Y = this.data.y, S = this.SG;
    if (this.isMse) for (let q = 0; q < n * k; q++) S[q] = F[q] - Y[q];
    else for (let i = 0; i < n; i++) this.lossFn.grad(F, i * k, Y, i * k, k, S, i * k);
    return S;
  }

  /** Whether the fused kernels cover this architecture (exactly one hidden layer). */
  static supports(arch: Arch): boolean {
    return arch.widths.length === 3;
  }

  /** R(θ). */
  loss(theta: Float64Array): number {
    this.checkTheta(theta);
    if (this.scalarTanhMse) return this.passScalarTanhMse(theta, this.scratch);
    return this.pass(theta, null, false);
  }

  /** R(θ) and ∇R(θ) (written to `out`, length P). */
  lossAndGradient(theta: Float64Array, out: Float64Array): number {
    this.checkTheta(theta);
    if (out.length < this.P) throw new InputError(`gradient buffer has ${out.length} entries, expected ${this.P}`);
    if (this.scalarTanhMse) return this.passScalarTanhMse(theta, out);
    return this.pass(theta, out, false);
  }

  /** Prepare the state at θ for HVPs and the Hessian; returns R(θ). No-op if θ is unchanged. */
  at(theta: Float64Array): number {
    this.checkTheta(theta);
    if (this.cachedValid && sameVector(theta, this.cached)) return this.cachedLoss;
    this.cachedLoss = this.pass(theta, this.grad, true);
    this.cached.set(theta);
    this.cachedValid = true;
    return this.cachedLoss;
  }

  /** ∇R at the θ of the last `at` call (view). */
  cachedGradient(): Float64Array {
    return this.grad;
  }

  /** out = ∇²R(θ)·u, exact (fused R-op). */
  hvp(theta: Float64Array, u: Float64Array, out: Float64Array): void {
    if (u.length !== this.P) throw new InputError(`direction has ${u.length} entries, expected ${this.P}`);
    this.at(theta);
    const { d, m, k, oB, oV, oC } = this;
    const n = this.data.n, X = this.data.x, Y = this.data.y, th = this.cached;
    const A = this.A, G1 = this.G1, G2 = this.G2, Zc = this.Zc, E = this.E, F = this.F;
    const Rh = this.sRh, Ra = this.sRa, Rf = this.sRf, Re = this.sRe;
    const inv = 1 / n;
    out.fill(0, 0, this.P);
    for (let i = 0; i < n; i++) {
      const xo = i * d, fo = i * k;
      for (let j = 0; j < m; j++) {
        let s = u[oB + j];
        for (let p = 0; p < d; p++) s += u[j * d + p] * X[xo + p];
        Rh[j] = s;
        Ra[j] = G1[j * n + i] * s;
      }
      for (let o = 0; o < k; o++) {
        let s = u[oC + o];
        const vo = oV + o * m;
        for (let j = 0; j < m; j++) s += u[vo + j] * A[j * n + i] + th[vo + j] * Ra[j];
        Rf[o] = s;
      }
      if (this.isMse) for (let o = 0; o < k; o++) Re[o] = Rf[o] * inv;
      else {
        this.lossFn.hessVec(F, fo, Y, fo, k, Rf, 0, Re, 0);
        for (let o = 0; o < k; o++) Re[o] *= inv;
      }
      for (let o = 0; o < k; o++) {
        const r = Re[o], e = E[fo + o], vo = oV + o * m;
        out[oC + o] += r;
        for (let j = 0; j < m; j++) out[vo + j] += r * A[j * n + i] + e * Ra[j];
      }
      for (let j = 0; j < m; j++) {
        let rz = 0;
        for (let o = 0; o < k; o++) rz += Re[o] * th[oV + o * m + j] + E[fo + o] * u[oV + o * m + j];
        const rd = G2[j * n + i] * Rh[j] * Zc[j * n + i] + G1[j * n + i] * rz;
        out[oB + j] += rd;
        for (let p = 0; p < d; p++) out[j * d + p] += rd * X[xo + p];
      }
    }
  }

  /**
   * The dense Hessian ∇²R(θ) (P×P row-major, symmetric): Gauss–Newton part by one GEMM over the
   * stacked Jacobians, plus the within-neuron second derivatives of f (see the class comment).
   */
  hessian(theta: Float64Array, out = new Float64Array(this.P * this.P)): Float64Array {
    this.at(theta);
    const { d, m, k, oB, oV, oC, P } = this;
    if (out.length < P * P) throw new InputError(`Hessian buffer has ${out.length} entries, expected ${P * P}`);
    const n = this.data.n, X = this.data.x, Y = this.data.y, th = this.cached;
    const A = this.A, G1 = this.G1, G2 = this.G2, E = this.E, F = this.F;
    const nk = n * k;
    if (!this.J) { this.J = new Float64Array(nk * P); this.MJ = this.isMse ? this.J : new Float64Array(nk * P); }
    const J = this.J, MJ = this.MJ!;
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      for (let o = 0; o < k; o++) {
        const r = (i * k + o) * P;
        J.fill(0, r, r + P);
        J[r + oC + o] = 1;
        for (let j = 0; j < m; j++) {
          J[r + oV + o * m + j] = A[j * n + i];
          const s = th[oV + o * m + j] * G1[j * n + i];
          J[r + oB + j] = s;
          for (let p = 0; p < d; p++) J[r + j * d + p] = s * X[xo + p];
        }
      }
      if (!this.isMse) { // column block of ∇²ℓ_i·J_i, one output direction at a time
        const Rf = this.sRf, Re = this.sRe;
        for (let q = 0; q < P; q++) {
          for (let o = 0; o < k; o++) Rf[o] = J[(i * k + o) * P + q];
          this.lossFn.hessVec(F, i * k, Y, i * k, k, Rf, 0, Re, 0);
          for (let o = 0; o < k; o++) MJ[(i * k + o) * P + q] = Re[o];
        }
      }
    }
    getBackend().gemm(true, false, P, P, nk, 1 / n, J, 0, P, MJ, 0, P, 0, out, 0, P);
    // Σ_i Σ_o e_io ∇²f_o(x_i): within neuron j only
    const add = (a: number, b: number, v: number): void => { out[a * P + b] += v; if (a !== b) out[b * P + a] += v; };
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      for (let j = 0; j < m; j++) {
        const g1 = G1[j * n + i], g2 = G2[j * n + i];
        let ev = 0; // Σ_o e_o V_oj
        for (let o = 0; o < k; o++) {
          const e = E[i * k + o];
          ev += e * th[oV + o * m + j];
          const iv = oV + o * m + j;
          for (let p = 0; p < d; p++) add(j * d + p, iv, e * g1 * X[xo + p]);
          add(oB + j, iv, e * g1);
        }
        const c = ev * g2;
        for (let p = 0; p < d; p++) {
          const cp = c * X[xo + p];
          for (let q = p; q < d; q++) add(j * d + p, j * d + q, cp * X[xo + q]);
          add(j * d + p, oB + j, cp);
        }
        add(oB + j, oB + j, c);
      }
    }
    symmetrizeInPlace(out, P);
    return out;
  }

  private checkTheta(theta: Float64Array): void {
    if (theta.length !== this.P) throw new InputError(`parameter vector has ${theta.length} entries, architecture ${this.arch.widths.join("-")} needs ${this.P}`);
  }

  /**
   * `pass` for the commonest tiny case, 1-m-1 tanh with ½(f − y)² (GD benchmarks, census), as its
   * own small function: the same operations in the same order, so bit-identical to `pass` — or, on
   * the native backend, the addon's AVX2 version of it (libmvec tanh, four-lane sums: equal to
   * rounding, tested to 1e-12).
   */
  private passScalarTanhMse(th: Float64Array, g: Float64Array): number {
    this.cachedValid = false;
    const native = getBackend().tinyTanhMse; // one AVX2 call per step where the addon has it and it pays
    if (native && this.data.n * this.m >= TINY_NATIVE_MIN_WORK) return native(this.data.x, this.data.y, this.data.n, this.m, th, g, this.A, this.F, this.E);
    const m = this.m, oB = this.oB, oV = this.oV, oC = this.oC;
    const n = this.data.n, X = this.data.x, Y = this.data.y;
    const A = this.A, F = this.F, E = this.E;
    const inv = 1 / n;
    const c = th[oC];
    for (let i = 0; i < n; i++) F[i] = c;
    for (let j = 0; j < m; j++) {
      const b = th[oB + j], w = th[j], v = th[oV + j], off = j * n;
      for (let i = 0; i < n; i++) { const t = tanhFast(w * X[i] + b); A[off + i] = t; F[i] += v * t; }
    }
    let s = 0, gc = 0;
    for (let i = 0; i < n; i++) { const e = F[i] - Y[i]; s += e * e; const ei = e * inv; E[i] = ei; gc += ei; }
    g[oC] = gc;
    for (let j = 0; j < m; j++) {
      const v = th[oV + j], off = j * n;
      let gv = 0, gb = 0, gw = 0;
      for (let i = 0; i < n; i++) { const t = A[off + i], e = E[i]; gv += e * t; const dl = (1 - t * t) * (e * v); gb += dl; gw += dl * X[i]; }
      g[j] = gw; g[oB + j] = gb; g[oV + j] = gv;
    }
    return (0.5 * s) / n;
  }

  /**
   * One fused forward(+backward) pass: returns R(θ); writes ∇R to g when given; with `keep` stores
   * σ, σ′, σ″, z, f and e for the R-op and the Hessian. Neuron-major: for each hidden neuron j a
   * loop over the samples (its weights and gradient accumulators stay in registers), A[j·n + i].
   */
  private pass(th: Float64Array, g: Float64Array | null, keep: boolean): number {
    this.cachedValid = false; // the batch buffers are about to hold another θ
    const { d, m, k, oB, oV, oC } = this;
    const n = this.data.n, X = this.data.x, Y = this.data.y;
    const A = this.A, G1 = this.G1, G2 = this.G2, F = this.F, E = this.E;
    const tanh = this.isTanh, act = this.act;
    const inv = 1 / n;
    const scalar = d === 1 && k === 1;
    // forward, neuron by neuron, accumulating the outputs
    for (let i = 0; i < n; i++) for (let o = 0; o < k; o++) F[i * k + o] = th[oC + o];
    for (let j = 0; j < m; j++) {
      const b = th[oB + j], off = j * n;
      if (scalar) {
        const w = th[j], v = th[oV + j];
        if (tanh) for (let i = 0; i < n; i++) { const t = tanhFast(w * X[i] + b); A[off + i] = t; F[i] += v * t; }
        else for (let i = 0; i < n; i++) { const h = w * X[i] + b, t = act.f(h); A[off + i] = t; G1[off + i] = act.d1(h); F[i] += v * t; }
        if (keep && !tanh) for (let i = 0; i < n; i++) G2[off + i] = act.d2(w * X[i] + b);
      } else {
        for (let i = 0; i < n; i++) {
          let h = b;
          for (let p = 0; p < d; p++) h += th[j * d + p] * X[i * d + p];
          let t: number;
          if (tanh) t = tanhFast(h);
          else { t = act.f(h); G1[off + i] = act.d1(h); if (keep) G2[off + i] = act.d2(h); }
          A[off + i] = t;
          for (let o = 0; o < k; o++) F[i * k + o] += th[oV + o * m + j] * t;
        }
      }
      if (tanh && keep) for (let i = 0; i < n; i++) { const t = A[off + i], g1 = 1 - t * t; G1[off + i] = g1; G2[off + i] = -2 * t * g1; }
    }
    // loss and e = (1/n)∇_fℓ
    let total = 0;
    if (this.isMse) {
      let s = 0;
      for (let q = 0; q < n * k; q++) { const e = F[q] - Y[q]; s += e * e; E[q] = e * inv; }
      total = 0.5 * s;
    } else {
      for (let i = 0; i < n; i++) {
        total += this.lossFn.value(F, i * k, Y, i * k, k);
        if (g || keep) { this.lossFn.grad(F, i * k, Y, i * k, k, E, i * k); for (let o = 0; o < k; o++) E[i * k + o] *= inv; }
      }
    }
    if (g) {
      for (let o = 0; o < k; o++) { let s = 0; for (let i = 0; i < n; i++) s += E[i * k + o]; g[oC + o] = s; }
      for (let j = 0; j < m; j++) {
        const off = j * n;
        if (scalar) {
          const v = th[oV + j];
          let gv = 0, gb = 0, gw = 0;
          if (tanh) for (let i = 0; i < n; i++) { const t = A[off + i], e = E[i]; gv += e * t; const dl = (1 - t * t) * (e * v); gb += dl; gw += dl * X[i]; }
          else for (let i = 0; i < n; i++) { const e = E[i]; gv += e * A[off + i]; const dl = G1[off + i] * (e * v); gb += dl; gw += dl * X[i]; }
          g[j] = gw; g[oB + j] = gb; g[oV + j] = gv;
        } else {
          for (let p = 0; p < d; p++) g[j * d + p] = 0;
          for (let o = 0; o < k; o++) g[oV + o * m + j] = 0;
          let gb = 0;
          for (let i = 0; i < n; i++) {
            const t = A[off + i];
            let z = 0;
            for (let o = 0; o < k; o++) { const e = E[i * k + o]; z += e * th[oV + o * m + j]; g[oV + o * m + j] += e * t; }
            const dl = (tanh ? 1 - t * t : G1[off + i]) * z;
            gb += dl;
            for (let p = 0; p < d; p++) g[j * d + p] += dl * X[i * d + p];
          }
          g[oB + j] = gb;
        }
      }
    }
    if (keep) {
      for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) {
        let z = 0;
        for (let o = 0; o < k; o++) z += E[i * k + o] * th[oV + o * m + j];
        this.Zc[j * n + i] = z;
      }
    }
    return total / n;
  }
}

/**
 * Smallest n·m for which a 1-m-1 tanh step goes to the addon: a call costs ≈1 µs of N-API overhead,
 * which a JavaScript pass of ≈200 values costs too (measured: 1-2-1 on 20 points 0.42 µs in JS).
 */
export const TINY_NATIVE_MIN_WORK = 256;

/** Largest P for which `trainingOracle` prefers the fused kernels (measured crossover, see src/nn/README.md). */
export const TINY_MAX_PARAMS = 512;

/**
 * The loss oracle training should use for (arch, data): the fused `TinyEvaluator` for two-layer nets
 * with P ≤ TINY_MAX_PARAMS (where a backend call per layer costs more than the arithmetic), the
 * GEMM-based `Evaluator` otherwise. Both compute the same R and ∇R (to rounding, tested to 1e-12).
 */
export function trainingOracle(arch: Arch, data: Dataset): TinyEvaluator | Evaluator {
  return TinyEvaluator.supports(arch) && layout(arch.widths).size <= TINY_MAX_PARAMS ? new TinyEvaluator(arch, data) : new Evaluator(arch, data);
}

function sameVector(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
