import type { Dataset } from "../data/dataset.js";
import { activation, type Activation, type ActivationAlias, type ActivationName } from "../nn/activations.js";
import type { Net } from "../nn/arch.js";
import { layout as plainLayout } from "../nn/arch.js";
import { loss as lossByName, type Loss, canonicalLossName, type LossName } from "../nn/losses.js";
import { checkCompatible } from "../nn/evaluator.js";
import { symmetrizeInPlace } from "../linalg/dense.js";
import { getBackend } from "../linalg/backend.js";
import type { Oracle } from "../nn/oracle.js";
import { InputError } from "../util/errors.js";

/**
 * A fully connected net with batch normalization before every hidden activation (SPEC §4.3), training mode:
 * h = W^[l] f^[l−1] (no bias: BN removes it), x̂_j = (h_j − μ_j)/√(v_j + ε) with the batch mean μ_j and
 * (biased) variance v_j over the whole data set S, ĥ_j = γ_j x̂_j + β_j, f^[l] = σ(ĥ). Output layer affine.
 * θ layout: for hidden l: W^[l] (m_l×m_{l−1} row-major), γ^[l], β^[l]; then W^[L], b^[L].
 */
export interface BnArch { readonly widths: readonly number[]; readonly activation: ActivationName; readonly loss: LossName; readonly eps: number }

export interface BnLayer { rows: number; cols: number; w: number; gamma: number; beta: number; b: number }

/** Offsets of every block of θ for a BN net; for the output layer gamma = beta = −1. */
export function bnLayout(widths: readonly number[]): { layers: BnLayer[]; size: number } {
  const layers: BnLayer[] = [];
  let o = 0;
  const L = widths.length - 1;
  for (let l = 1; l <= L; l++) {
    const rows = widths[l], cols = widths[l - 1];
    if (l < L) { layers.push({ rows, cols, w: o, gamma: o + rows * cols, beta: o + rows * cols + rows, b: -1 }); o += rows * cols + 2 * rows; }
    else { layers.push({ rows, cols, w: o, gamma: -1, beta: -1, b: o + rows * cols }); o += rows * cols + rows; }
  }
  return { layers, size: o };
}

export function makeBnArch(widths: readonly number[], act: ActivationName | ActivationAlias, lossName: LossName | "ce" = "mse", eps = 1e-5): BnArch {
  if (widths.length < 3) throw new InputError("a BN net needs at least one hidden layer");
  for (const w of widths) if (!Number.isInteger(w) || w < 1) throw new InputError(`architecture widths must be positive integers, got ${widths.join("-")}`);
  if (!(eps > 0)) throw new InputError(`BN ε must be positive, got ${eps}`);
  return { widths: [...widths], activation: activation(act).name, loss: canonicalLossName(lossName), eps };
}

/** BN parameters from a plain net: same weights W^[l], γ = 1, β = 0 (hidden biases are dropped: BN cancels them). */
export function bnFromPlain(net: Net, eps = 1e-5): { arch: BnArch; theta: Float64Array } {
  const arch = makeBnArch(net.arch.widths, net.arch.activation, net.arch.loss, eps);
  const bl = bnLayout(arch.widths), pl = plainLayout(arch.widths).layers;
  const theta = new Float64Array(bl.size);
  bl.layers.forEach((L, i) => {
    theta.set(net.theta.subarray(pl[i].w, pl[i].w + L.rows * L.cols), L.w);
    if (L.b >= 0) theta.set(net.theta.subarray(pl[i].b, pl[i].b + L.rows), L.b);
    else theta.fill(1, L.gamma, L.gamma + L.rows);
  });
  return { arch, theta };
}

/**
 * Exact loss, gradient (back-propagation through the batch statistics) and Hessian-vector product
 * (Pearlmutter R-op of the whole forward+backward pass, batch statistics included) of a BN net on S.
 * Backward through BN per neuron: g_h = (g_x̂ − mean g_x̂ − x̂·mean(g_x̂ x̂))/s, g_x̂ = γ g_ĥ,
 * ∂R/∂γ = Σ g_ĥ x̂, ∂R/∂β = Σ g_ĥ. The dense parts (every layer's products with W and V, forward, backward and
 * R-op) are GEMMs through the linear-algebra backend; the batch statistics are per-neuron loops over the samples.
 * Implements the oracle contract (nn/oracle.ts); the dense Hessian is one R-op per column (the batch statistics
 * couple every sample, so the per-sample block formulas of the plain net do not apply). Allocation-free after
 * construction apart from `hessian` without a caller's buffer.
 */
export class BnEvaluator implements Oracle {
  readonly P: number;
  readonly L: number;
  readonly n: number;
  readonly outputDim: number;
  readonly layers: BnLayer[];
  private readonly act: Activation;
  private readonly lossFn: Loss;
  private readonly k: number;
  private readonly e: Float64Array; // unit direction for the Hessian columns
  private readonly A: Float64Array[] = [];
  private readonly Hh: Float64Array[] = []; // h (pre-BN)
  private readonly Xh: Float64Array[] = []; // x̂
  private readonly Hb: Float64Array[] = []; // ĥ (activation input)
  private readonly G1: Float64Array[] = [];
  private readonly G2: Float64Array[] = [];
  private readonly S: Float64Array[] = []; // √(v+ε)
  private readonly gA: Float64Array[] = []; // ∂R/∂f^[l]
  private readonly gHb: Float64Array[] = [];
  private readonly gX: Float64Array[] = [];
  private readonly gH: Float64Array[] = []; // ∂R/∂h (and δ^L at l = L)
  private readonly M2: Float64Array[] = []; // mean(g_x̂ x̂)
  private readonly Rh: Float64Array[] = [];
  private readonly RX: Float64Array[] = [];
  private readonly RHb: Float64Array[] = [];
  private readonly RA: Float64Array[] = [];
  private readonly RS: Float64Array[] = [];
  private readonly RgA: Float64Array[] = [];
  private readonly RgX: Float64Array[] = [];
  private readonly RgH: Float64Array[] = [];
  private readonly tmpGrad: Float64Array;

  constructor(readonly arch: BnArch, readonly data: Dataset) {
    checkCompatible({ widths: arch.widths, activation: arch.activation, loss: arch.loss }, data);
    const bl = bnLayout(arch.widths);
    this.layers = bl.layers; this.P = bl.size; this.L = arch.widths.length - 1;
    this.act = activation(arch.activation); this.lossFn = lossByName(arch.loss);
    this.n = data.n; this.k = data.k; this.outputDim = data.k;
    const n = data.n;
    for (let l = 0; l <= this.L; l++) {
      const m = arch.widths[l], z = (): Float64Array => new Float64Array(n * m), zs = (): Float64Array => new Float64Array(m);
      this.A.push(l === 0 ? data.x : z());
      for (const arr of [this.Hh, this.Xh, this.Hb, this.G1, this.G2, this.gA, this.gHb, this.gX, this.gH, this.Rh, this.RX, this.RHb, this.RA, this.RgA, this.RgX, this.RgH]) arr.push(z());
      this.S.push(zs()); this.M2.push(zs()); this.RS.push(zs());
    }
    this.tmpGrad = new Float64Array(this.P);
    this.e = new Float64Array(this.P);
    this.sampleGrad = new Float64Array(n * data.k);
  }

  private readonly sampleGrad: Float64Array;

  /** ∇_fℓ(f_θ(x_i), y_i) per sample (n×k, unscaled), as a view. */
  sampleLossGradients(theta: Float64Array): Float64Array {
    this.check(theta);
    this.forward(theta);
    const n = this.n, k = this.k, F = this.A[this.L], Y = this.data.y;
    for (let i = 0; i < n; i++) this.lossFn.grad(F, i * k, Y, i * k, k, this.sampleGrad, i * k);
    return this.sampleGrad;
  }

  private check(theta: Float64Array): void {
    if (theta.length !== this.P) throw new InputError(`parameter vector has ${theta.length} entries, BN architecture ${this.arch.widths.join("-")} needs ${this.P}`);
  }

  /** Forward pass on all of S (batch statistics over S); returns R(θ). */
  loss(theta: Float64Array): number {
    this.check(theta);
    this.forward(theta);
    return this.lossValue();
  }

  /** Network outputs (n×k view). */
  outputs(theta: Float64Array): Float64Array {
    this.check(theta);
    this.forward(theta);
    return this.A[this.L];
  }

  /** Activation inputs ĥ^[l] (n×m_l view) of hidden layer l — what the linearization diagnostic inspects. */
  preActivations(theta: Float64Array, l: number): Float64Array {
    if (!(l >= 1 && l < this.L)) throw new InputError(`hidden layer ${l} does not exist (hidden layers are 1..${this.L - 1})`);
    this.check(theta);
    this.forward(theta);
    return this.Hb[l];
  }

  /** R(θ) and ∇R(θ) into `out`. */
  lossAndGradient(theta: Float64Array, out: Float64Array): number {
    this.check(theta);
    this.forward(theta);
    const R = this.lossValue();
    this.backward(theta, out);
    return R;
  }

  /** out = ∇²R(θ)·v, exact (R-op through the batch statistics). */
  hvp(theta: Float64Array, v: Float64Array, out: Float64Array): void {
    this.check(theta);
    if (v.length !== this.P) throw new InputError(`direction has ${v.length} entries, expected ${this.P}`);
    this.forward(theta);
    this.backward(theta, this.tmpGrad);
    this.rop(theta, v, out);
  }

  /** Dense Hessian (P×P row-major) into `out`, one exact R-op per column, symmetrised. */
  hessian(theta: Float64Array, out?: Float64Array): Float64Array {
    const P = this.P, e = this.e;
    if (out && out.length < P * P) throw new InputError(`Hessian buffer has ${out.length} entries, expected ${P * P}`);
    const H = out ?? new Float64Array(P * P);
    e.fill(0);
    this.check(theta);
    this.forward(theta);
    this.backward(theta, this.tmpGrad);
    for (let j = 0; j < P; j++) {
      e[j] = 1;
      this.rop(theta, e, H.subarray(j * P, (j + 1) * P));
      e[j] = 0;
    }
    symmetrizeInPlace(H, P);
    return H;
  }

  private lossValue(): number {
    const n = this.n, k = this.k, F = this.A[this.L], Y = this.data.y;
    let s = 0;
    for (let i = 0; i < n; i++) s += this.lossFn.value(F, i * k, Y, i * k, k);
    return s / n;
  }

  private forward(theta: Float64Array): void {
    const n = this.n, eps = this.arch.eps;
    for (let l = 1; l <= this.L; l++) {
      const lay = this.layers[l - 1], m = lay.rows, mp = lay.cols, Ap = this.A[l - 1];
      const H = l === this.L ? this.A[l] : this.Hh[l];
      getBackend().gemm(false, true, n, m, mp, 1, Ap, 0, mp, theta, lay.w, mp, 0, H, 0, m);
      if (lay.b >= 0) for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) H[i * m + j] += theta[lay.b + j];
      if (l === this.L) break;
      const X = this.Xh[l], Hb = this.Hb[l], S = this.S[l];
      for (let j = 0; j < m; j++) {
        let mu = 0;
        for (let i = 0; i < n; i++) mu += H[i * m + j];
        mu /= n;
        let v = 0;
        for (let i = 0; i < n; i++) { const t = H[i * m + j] - mu; v += t * t; }
        v /= n;
        const s = Math.sqrt(v + eps);
        S[j] = s;
        const g = theta[lay.gamma + j], be = theta[lay.beta + j];
        for (let i = 0; i < n; i++) { const x = (H[i * m + j] - mu) / s; X[i * m + j] = x; Hb[i * m + j] = g * x + be; }
      }
      this.act.apply(Hb, this.A[l], this.G1[l], this.G2[l], n * m);
    }
  }

  private backward(theta: Float64Array, g: Float64Array): void {
    const n = this.n, k = this.k, L = this.L, F = this.A[L], Y = this.data.y, D = this.gH[L];
    for (let i = 0; i < n; i++) this.lossFn.grad(F, i * k, Y, i * k, k, D, i * k);
    for (let i = 0; i < n * k; i++) D[i] /= n;
    for (let l = L; l >= 1; l--) {
      const lay = this.layers[l - 1], m = lay.rows, mp = lay.cols;
      if (l < L) {
        // through σ and BN: gH[l] from gA[l]
        const gA = this.gA[l], G1 = this.G1[l], gHb = this.gHb[l], gX = this.gX[l], X = this.Xh[l], S = this.S[l], gH = this.gH[l], M2 = this.M2[l];
        for (let j = 0; j < m; j++) {
          const gam = theta[lay.gamma + j];
          let dg = 0, db = 0, m1 = 0, m2 = 0;
          for (let i = 0; i < n; i++) {
            const o = i * m + j, t = G1[o] * gA[o];
            gHb[o] = t; dg += t * X[o]; db += t;
            const gx = gam * t; gX[o] = gx; m1 += gx; m2 += gx * X[o];
          }
          m1 /= n; m2 /= n; M2[j] = m2;
          g[lay.gamma + j] = dg; g[lay.beta + j] = db;
          for (let i = 0; i < n; i++) { const o = i * m + j; gH[o] = (gX[o] - m1 - X[o] * m2) / S[j]; }
        }
      }
      const D2 = this.gH[l], Ap = this.A[l - 1], be = getBackend();
      be.gemm(true, false, m, mp, n, 1, D2, 0, m, Ap, 0, mp, 0, g, lay.w, mp);
      if (lay.b >= 0) for (let j = 0; j < m; j++) { let s = 0; for (let i = 0; i < n; i++) s += D2[i * m + j]; g[lay.b + j] = s; }
      if (l > 1) be.gemm(false, false, n, mp, m, 1, D2, 0, m, theta, lay.w, mp, 0, this.gA[l - 1], 0, mp);
    }
  }

  /** Tangent (R-op) of forward and backward along v, at the state left by forward+backward. */
  private rop(theta: Float64Array, v: Float64Array, out: Float64Array): void {
    const n = this.n, k = this.k, L = this.L;
    // forward tangents
    for (let l = 1; l <= L; l++) {
      const lay = this.layers[l - 1], m = lay.rows, mp = lay.cols, Ap = this.A[l - 1], RAp = l > 1 ? this.RA[l - 1] : null;
      const Rh = this.Rh[l], be = getBackend();
      be.gemm(false, true, n, m, mp, 1, Ap, 0, mp, v, lay.w, mp, 0, Rh, 0, m);
      if (RAp) be.gemm(false, true, n, m, mp, 1, RAp, 0, mp, theta, lay.w, mp, 1, Rh, 0, m);
      if (lay.b >= 0) for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) Rh[i * m + j] += v[lay.b + j];
      if (l === L) break;
      const X = this.Xh[l], S = this.S[l], RX = this.RX[l], RHb = this.RHb[l], RA = this.RA[l], G1 = this.G1[l], RS = this.RS[l];
      for (let j = 0; j < m; j++) {
        let rmu = 0, rv = 0;
        for (let i = 0; i < n; i++) { rmu += Rh[i * m + j]; rv += X[i * m + j] * Rh[i * m + j]; }
        rmu /= n;
        // Rv = 2 mean((h−μ)Rh) = 2 s mean(x̂ Rh); Rs = Rv/(2s) = mean(x̂ Rh)
        const rs = rv / n, s = S[j];
        RS[j] = rs;
        const gam = theta[lay.gamma + j], vg = v[lay.gamma + j], vb = v[lay.beta + j];
        for (let i = 0; i < n; i++) {
          const o = i * m + j;
          const rx = (Rh[o] - rmu) / s - X[o] * rs / s;
          RX[o] = rx;
          RHb[o] = vg * X[o] + gam * rx + vb;
          RA[o] = G1[o] * RHb[o];
        }
      }
    }
    // backward tangents
    const F = this.A[L], Y = this.data.y, RD = this.RgH[L], RF = this.Rh[L];
    for (let i = 0; i < n; i++) this.lossFn.hessVec(F, i * k, Y, i * k, k, RF, i * k, RD, i * k);
    for (let i = 0; i < n * k; i++) RD[i] /= n;
    for (let l = L; l >= 1; l--) {
      const lay = this.layers[l - 1], m = lay.rows, mp = lay.cols;
      if (l < L) {
        const gA = this.gA[l], RgA = this.RgA[l], G1 = this.G1[l], G2 = this.G2[l], RHb = this.RHb[l], gHb = this.gHb[l];
        const X = this.Xh[l], RX = this.RX[l], gX = this.gX[l], RgX = this.RgX[l], S = this.S[l], RS = this.RS[l], gH = this.gH[l], RgH = this.RgH[l], M2 = this.M2[l];
        for (let j = 0; j < m; j++) {
          const gam = theta[lay.gamma + j], vg = v[lay.gamma + j];
          let hg = 0, hb = 0, rm1 = 0, rm2 = 0;
          for (let i = 0; i < n; i++) {
            const o = i * m + j;
            const rghb = G2[o] * RHb[o] * gA[o] + G1[o] * RgA[o];
            hg += rghb * X[o] + gHb[o] * RX[o]; hb += rghb;
            const rgx = vg * gHb[o] + gam * rghb;
            RgX[o] = rgx; rm1 += rgx; rm2 += rgx * X[o] + gX[o] * RX[o];
          }
          rm1 /= n; rm2 /= n;
          out[lay.gamma + j] = hg; out[lay.beta + j] = hb;
          const s = S[j], rs = RS[j], m2 = M2[j];
          for (let i = 0; i < n; i++) {
            const o = i * m + j;
            RgH[o] = -(rs / s) * gH[o] + (RgX[o] - rm1 - RX[o] * m2 - X[o] * rm2) / s;
          }
        }
      }
      const D = this.gH[l], RDl = this.RgH[l], Ap = this.A[l - 1], RAp = l > 1 ? this.RA[l - 1] : null, be = getBackend();
      be.gemm(true, false, m, mp, n, 1, RDl, 0, m, Ap, 0, mp, 0, out, lay.w, mp);
      if (RAp) be.gemm(true, false, m, mp, n, 1, D, 0, m, RAp, 0, mp, 1, out, lay.w, mp);
      if (lay.b >= 0) for (let j = 0; j < m; j++) { let s = 0; for (let i = 0; i < n; i++) s += RDl[i * m + j]; out[lay.b + j] = s; }
      if (l > 1) {
        const RgAp = this.RgA[l - 1];
        be.gemm(false, false, n, mp, m, 1, RDl, 0, m, theta, lay.w, mp, 0, RgAp, 0, mp);
        be.gemm(false, false, n, mp, m, 1, D, 0, m, v, lay.w, mp, 1, RgAp, 0, mp);
      }
    }
  }
}
